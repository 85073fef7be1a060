/**
 * Stata-like console coefficient table for `cscs fit`: a header block (N, F, Prob > F, R-squared,
 * Adj R-squared, Within R-sq, Root MSE) and the coefficient block
 * `Coef. Std. Err. t P>|t| [95% Conf. Interval]`, followed by notes (SE type, clusters, absorbed
 * FE, collinear terms dropped, rows dropped).
 *
 * Numbers follow Stata's display formats: coefficients, SE and bounds approximately %9.0g
 * (7 significant digits, no leading zero), t %7.2f, P %5.3f. As in Stata the constant is listed last,
 * as `_cons`. Only presentation happens here; every number comes from the FitResult.
 */
import type { FitResult } from '../stats/types.ts';

export interface CoefTableOptions {
  /** Confidence level of the intervals in the result (for the column title). */
  level: number;
  /** The data file, shown in the title line. */
  dataFile?: string;
  /** FE estimated as dummies rather than absorbed. */
  feDummies?: boolean;
}

/** Stata %9.0g-like: up to `sig` significant digits within `width` characters, leading zero dropped. */
export function fmtG(x: number, width = 9, sig = 7): string {
  if (Number.isNaN(x)) return '.';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return '0';
  const ax = Math.abs(x);
  if (ax >= 1e-5 && ax < 1e7) {
    const intDigits = ax >= 1 ? Math.floor(Math.log10(ax)) + 1 : 0;
    for (let dec = Math.max(0, sig - intDigits); dec >= 0; dec--) {
      let s = x.toFixed(dec);
      if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
      s = s.replace(/^(-?)0\./, '$1.');
      // Rounding can carry into a new integer digit (9999999.6); fall through to exponent form.
      if (s.length <= width && s !== '-0' && s !== '0' && s !== '.') return s;
      if (s === '0' || s === '-0') break;
    }
  }
  for (let d = Math.max(0, width - 7); d >= 0; d--) {
    const s = x.toExponential(d).replace(/e([+-])(\d)$/, 'e$10$2');
    if (s.length <= width) return s;
  }
  return x.toExponential(0);
}

/**
 * Fixed decimals, Stata-style ('.' for missing). With `width`, a number too long for the field
 * (a t of 1e15 from a perfect fit) switches to exponent form instead of breaking the column.
 */
export function fmtF(x: number, decimals: number, width = Infinity): string {
  if (Number.isNaN(x)) return '.';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const s = x.toFixed(decimals);
  return s.length <= width ? s : fmtG(x, width);
}

function pad(s: string, w: number): string {
  return s.length >= w ? s : ' '.repeat(w - s.length) + s;
}

/** Abbreviates long names Stata-style with '~' in the middle. */
function abbrev(name: string, w: number): string {
  if (name.length <= w) return name;
  const head = Math.ceil((w - 1) / 2);
  return `${name.slice(0, head)}~${name.slice(name.length - (w - 1 - head))}`;
}

function seLabel(res: FitResult): string {
  const v = res.vcovInfo;
  if (v.type === 'CL') {
    const parts = v.cluster.map((c, i) => `${v.nClusters?.[i] ?? '?'} clusters in ${c}`);
    return `Std. Err. adjusted for ${parts.join(' and ')}${v.cluster.length > 1 ? ' (two-way, Cameron-Gelbach-Miller)' : ''}; t with ${v.df} df`;
  }
  if (v.type === 'iid') return 'Std. Err.: conventional (iid)';
  return `Std. Err.: heteroskedasticity-robust ${v.type}${v.type === 'HC1' ? " (Stata's robust)" : ''}`;
}

/** Renders the full table as text (ends with a newline). */
export function formatCoefTable(res: FitResult, opts: CoefTableOptions): string {
  const lines: string[] = [];
  const absorbed = res.fixedEffects.length > 0 && !opts.feDummies;
  const title = absorbed ? 'Linear regression, absorbing fixed effects' : 'Linear regression';
  const stats: [string, string][] = [['Number of obs', String(res.n)]];
  stats.push([`F(${fmtF(res.fDf1, 0)}, ${fmtF(res.fDf2, 0)})`, fmtF(res.f, 2, 10)]);
  stats.push(['Prob > F', fmtF(res.fP, 4)]);
  stats.push(['R-squared', fmtF(res.r2, 4)]);
  stats.push(['Adj R-squared', fmtF(res.adjR2, 4)]);
  if (res.r2Within !== null) stats.push(['Within R-sq.', fmtF(res.r2Within, 4)]);
  stats.push(['Root MSE', fmtG(res.rmse, 9, 5)]);
  const left = [title, opts.dataFile ? `Data: ${opts.dataFile}` : ''];
  stats.forEach(([k, v], i) => {
    const l = left[i] ?? '';
    lines.push(`${l.padEnd(48)}${k.padEnd(18)}= ${pad(v, 10)}`.trimEnd());
  });
  lines.push('');

  // Intercept last as `_cons`, the rest in model order.
  const order = res.terms.map((_, i) => i);
  const ic = res.terms.indexOf('(Intercept)');
  if (ic >= 0) order.push(...order.splice(ic, 1));
  const label = (i: number) => (i === ic ? '_cons' : res.terms[i]);
  const depvar = res.model.y;
  const nameW = Math.min(32, Math.max(12, depvar.length, ...order.map((i) => label(i).length)));
  const lvl = Math.round(opts.level * 1000) / 10;
  const lvlText = `[${Number.isInteger(lvl) ? lvl.toFixed(0) : String(lvl)}% Conf. Interval]`;
  const head = `${pad(abbrev(depvar, nameW), nameW)} |      Coef.   Std. Err.      t    P>|t|     ${lvlText}`;
  const width = head.length;
  const rule = '-'.repeat(width);
  lines.push(rule, head, `${'-'.repeat(nameW + 1)}+${'-'.repeat(width - nameW - 2)}`);
  for (const i of order) {
    const dropped = res.dropped.includes(res.terms[i]) || Number.isNaN(res.coef[i]);
    const name = pad(abbrev(label(i), nameW), nameW);
    if (dropped) {
      lines.push(`${name} |          0  (omitted)`);
      continue;
    }
    lines.push(
      `${name} | ${pad(fmtG(res.coef[i]), 10)}  ${pad(fmtG(res.se[i]), 9)}  ${pad(fmtF(res.t[i], 2, 7), 7)}  ${pad(fmtF(res.p[i], 3), 6)}    ${pad(fmtG(res.ciLow[i]), 9)}   ${pad(fmtG(res.ciHigh[i]), 9)}`,
    );
  }
  lines.push(rule);

  const notes: string[] = [seLabel(res)];
  for (const fe of res.fixedEffects) {
    notes.push(`${opts.feDummies ? 'Fixed effect (dummies)' : 'Absorbed fixed effect'}: ${fe.name} (${fe.levels} levels)`);
  }
  for (const d of res.dropped) notes.push(`note: ${d} omitted because of collinearity`);
  if (res.missingDropped > 0) {
    notes.push(`note: ${res.missingDropped} observation${res.missingDropped === 1 ? '' : 's'} dropped because of missing values`);
  }
  if (res.singletonsDropped > 0) {
    notes.push(`note: ${res.singletonsDropped} singleton observation${res.singletonsDropped === 1 ? '' : 's'} dropped`);
  }
  const lev1 = res.leverageOneRows ?? 0;
  if (lev1 > 0) {
    notes.push(
      `note: ${lev1} obs. with leverage 1 (e.g. FE singletons) get no weight in ${res.vcovInfo.type} (R's sandwich: NaN)`,
    );
  }
  if (Number.isNaN(res.f) && res.fDf1 > 0) notes.push('note: F statistic not available (the tested vcov is singular, e.g. more restrictions than clusters - 1)');
  lines.push(...notes);
  return `${lines.join('\n')}\n`;
}

/** One printed row of a generic estimates table (numbers as estimated; NaN prints as '.'). */
export interface EstimatesRow {
  label: string;
  coef: number;
  se: number;
  /** z or t; NaN leaves the column blank (ancillary parameters, as Stata prints /sigma and /cut1). */
  stat: number;
  p: number;
  ciLow: number;
  ciHigh: number;
}

/** Everything a non-OLS coefficient table shows; the caller decides the model-specific lines. */
export interface EstimatesTableSpec {
  /** First line of the left header block, e.g. 'Tobit regression'. */
  title: string;
  dataFile?: string;
  /** Outcome name, shown above the term column. */
  depvar: string;
  /** Confidence level of the intervals (for the column title). */
  level: number;
  /** 'z' (normal inference) or 't'. */
  statLabel: 'z' | 't';
  /** Right-hand header block: label and formatted value. */
  stats: [string, string][];
  /** Left header lines after the title and the data file (aligned beside `stats`). */
  left?: string[];
  /** Coefficient rows in print order. */
  rows: EstimatesRow[];
  /** Ancillary parameters (cut points, log sigma) printed under their own separator. */
  ancillary?: EstimatesRow[];
  /** Lines printed under the table (variance type, hidden dummies, dropped terms). */
  notes: string[];
}

/**
 * Renders a Stata-like table for any estimator (Tobit, ordered models, quantile regression): the
 * same header layout, column widths and number formats as `formatCoefTable`, with a z or t column.
 * Ends with a newline.
 */
export function formatEstimatesTable(spec: EstimatesTableSpec): string {
  const lines: string[] = [];
  const left = [spec.title, spec.dataFile ? `Data: ${spec.dataFile}` : '', ...(spec.left ?? [])];
  const nHead = Math.max(left.length, spec.stats.length);
  for (let i = 0; i < nHead; i++) {
    const l = left[i] ?? '';
    const s = spec.stats[i];
    lines.push(s ? `${l.padEnd(48)}${s[0].padEnd(18)}= ${pad(s[1], 10)}`.trimEnd() : l);
  }
  lines.push('');
  const all = [...spec.rows, ...(spec.ancillary ?? [])];
  const nameW = Math.min(32, Math.max(12, spec.depvar.length, ...all.map((r) => r.label.length)));
  const lvl = Math.round(spec.level * 1000) / 10;
  const lvlText = `[${Number.isInteger(lvl) ? lvl.toFixed(0) : String(lvl)}% Conf. Interval]`;
  const s = spec.statLabel;
  const head = `${pad(abbrev(spec.depvar, nameW), nameW)} |      Coef.   Std. Err.      ${s}    P>|${s}|     ${lvlText}`;
  const width = head.length;
  const rule = '-'.repeat(width);
  const mid = `${'-'.repeat(nameW + 1)}+${'-'.repeat(width - nameW - 2)}`;
  const row = (r: EstimatesRow): string => {
    const stat = Number.isNaN(r.stat) ? ' '.repeat(7) : pad(fmtF(r.stat, 2, 7), 7);
    const p = Number.isNaN(r.stat) ? ' '.repeat(6) : pad(fmtF(r.p, 3), 6);
    return `${pad(abbrev(r.label, nameW), nameW)} | ${pad(fmtG(r.coef), 10)}  ${pad(fmtG(r.se), 9)}  ${stat}  ${p}    ${pad(fmtG(r.ciLow), 9)}   ${pad(fmtG(r.ciHigh), 9)}`.trimEnd();
  };
  lines.push(rule, head, mid);
  for (const r of spec.rows) lines.push(row(r));
  if (spec.ancillary && spec.ancillary.length > 0) {
    lines.push(mid);
    for (const r of spec.ancillary) lines.push(row(r));
  }
  lines.push(rule, ...spec.notes);
  return `${lines.join('\n')}\n`;
}
