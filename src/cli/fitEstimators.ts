/**
 * `cscs fit --estimator tobit|ologit|oprobit|qreg`: runs the engine's non-OLS estimators on a CSV
 * and renders their `Estimates` as a Stata-like table (FE dummies hidden and counted, the constant
 * last as `_cons`, ancillary parameters such as cut points and sigma in their own block) or as one
 * JSON object in the style of the OLS one (snake_case keys, NaN and infinities as null, every
 * coefficient including FE dummies, and the covariance matrix).
 */
import { tobit, LOG_SIGMA, type TobitResult } from '../stats/tobit.ts';
import { orderedModel, type OrderedResult } from '../stats/ordered.ts';
import { rq, type RqResult } from '../stats/quantreg.ts';
import { INTERCEPT } from '../stats/denseDesign.ts';
import type { Estimates } from '../stats/types.ts';
import { fmtG, formatEstimatesTable, type EstimatesRow } from '../report/coefTable.ts';
import type { FitRequest } from './fit.ts';
import { InputError } from '../errors.ts';
import { readModelData, withFileName as withFile, type ModelData } from './modelData.ts';

/** Engine options that are command-line flags of the same name. */
const FLAG_NAMES = /option '(levels|weights|left|right|tau|level|cluster)'/g;

/**
 * As modelData's withFileName, and an engine message's "option 'levels'" becomes "--levels", the
 * flag the user typed.
 */
function withFileName<T>(file: string, f: () => T): T {
  try {
    return withFile(file, f);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(e.message.replace(FLAG_NAMES, '--$1'));
    throw e;
  }
}

/** NaN / infinite numbers become null in JSON. */
function num(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Number of FE dummies per fixed effect (dummies dropped as collinear are not counted). */
function feCounts(fe: readonly string[], feDummies: readonly string[]): { name: string; dummies: number }[] {
  return fe.map((name) => ({ name, dummies: feDummies.filter((d) => d.startsWith(`${name}::`)).length }));
}

/** The part of the JSON every estimator shares: coefficients (all of them), inference and variance. */
function coefficientsJson(est: Estimates, level: number) {
  const q = est.terms.length;
  return {
    coefficients: est.terms.map((term, i) => ({
      term,
      estimate: num(est.coef[i]),
      se: num(est.se[i]),
      stat: num(est.stat[i]),
      p: num(est.p[i]),
      ci_low: num(est.ciLow[i]),
      ci_high: num(est.ciHigh[i]),
    })),
    statistic: est.dfInference === null ? 'z' : 't',
    df: est.dfInference,
    level,
    vcovMatrix: Array.from({ length: q }, (_, i) => Array.from(est.vcov.subarray(i * q, (i + 1) * q), num)),
  };
}

/** The `vcov` object: type, cluster variable and count, Stata's N/(N-1), and the matrix. */
function vcovJson(type: string, cluster: string | undefined, nClusters: number | null, stataAdjust: boolean, matrix: (number | null)[][]) {
  return { type, cluster: cluster === undefined ? [] : [cluster], n_clusters: nClusters === null ? null : [nClusters], stata_adjust: stataAdjust, matrix };
}

/** A table row for coefficient `i`; `label` overrides the term name. */
function row(est: Estimates, i: number, label = est.terms[i], blankStat = false): EstimatesRow {
  return { label, coef: est.coef[i], se: est.se[i], stat: blankStat ? NaN : est.stat[i], p: est.p[i], ciLow: est.ciLow[i], ciHigh: est.ciHigh[i] };
}

/** Rows of the coefficient block: the shown terms in model order, the intercept last as `_cons` (as Stata). */
function mainRows(est: Estimates, shown: readonly string[]): EstimatesRow[] {
  const idx = shown.map((t) => est.terms.indexOf(t));
  const ic = shown.indexOf(INTERCEPT);
  if (ic >= 0) idx.push(...idx.splice(ic, 1));
  return idx.map((i) => row(est, i, est.terms[i] === INTERCEPT ? '_cons' : est.terms[i]));
}

/** Notes shared by the ML and quantile tables: hidden FE dummies, collinear terms, dropped rows. */
function commonNotes(md: ModelData, feDummies: readonly string[], dropped: readonly string[], missingDropped: number): string[] {
  const notes: string[] = [];
  for (const f of feCounts(md.spec.fe, feDummies)) {
    notes.push(`Fixed effect as dummies (not shown; in --json): ${f.name} (${f.dummies} dummies)`);
  }
  for (const d of dropped) notes.push(`note: ${d} omitted because of collinearity`);
  if (missingDropped > 0) notes.push(`note: ${missingDropped} observation${missingDropped === 1 ? '' : 's'} dropped because of missing values`);
  return notes;
}

/** Variance note of the ML models (Tobit, ordered). */
function mlSeNote(type: 'hessian' | 'robust' | 'cluster', cluster: string | undefined, nClusters: number | null, stataAdjust: boolean): string {
  if (type === 'cluster') return `Std. Err. adjusted for ${nClusters ?? '?'} clusters in ${cluster} (sandwich times G/(G-1), Stata vce(cluster)); z tests`;
  if (type === 'robust') {
    return `Std. Err.: robust HC0 sandwich${stataAdjust ? " times N/(N-1) (Stata's vce(robust))" : ' (R sandwich; Stata vce(robust) adds N/(N-1): --stata-adjust)'}; z tests`;
  }
  return 'Std. Err.: observed information (inverse negative Hessian); z tests';
}

/** Log likelihood as Stata prints it (up to 8 significant digits). */
const fmtLogLik = (x: number): string => fmtG(x, 10, 8);

/** Tobit: fit, then JSON or table. */
function runTobit(req: FitRequest): string {
  const o = req.tobit!;
  const md = readModelData(req.data, req.formula, { columns: o.cluster ? [['cluster', o.cluster]] : [] });
  const r: TobitResult = withFileName(md.file, () => tobit(md.data, md.spec, o));
  const stataAdjust = o.stataAdjust === true;
  if (req.json) {
    const c = coefficientsJson(r, req.options.level);
    return json({
      data: req.data,
      formula: req.formula,
      estimator: 'tobit',
      n: r.n,
      missing_dropped: r.missingDropped,
      separation_dropped: r.separationDropped,
      separated_levels: r.separatedLevels,
      left: r.left,
      right: r.right,
      n_left: r.nLeft,
      n_right: r.nRight,
      n_uncensored: r.nUncensored,
      coefficients: c.coefficients,
      statistic: c.statistic,
      df: c.df,
      level: c.level,
      vcov: vcovJson(r.vcovType, o.cluster, r.nClusters, stataAdjust, c.vcovMatrix),
      sigma: num(r.sigma),
      sigma_se: num(r.sigmaSe),
      log_lik: num(r.logLik),
      converged: r.converged,
      iterations: r.iterations,
      dropped: r.dropped,
      fe_dummies: r.feDummies,
      fixed_effects: feCounts(md.spec.fe, r.feDummies),
    });
  }
  const shown = r.names.filter((nm) => !r.feDummies.includes(nm));
  const js = r.terms.indexOf(LOG_SIGMA);
  const notes = [mlSeNote(r.vcovType, o.cluster, r.nClusters, stataAdjust), ...commonNotes(md, r.feDummies, r.dropped, r.missingDropped)];
  if (r.separationDropped > 0) {
    notes.push(`note: ${r.separationDropped} observations dropped: fixed-effect levels censored throughout: ${r.separatedLevels.join(', ')}`);
  }
  notes.push('note: /sigma = exp(log(sigma)), SE by the delta method, interval exp() of the log(sigma) interval');
  if (!r.converged) notes.push(`warning: not converged after ${r.iterations} iterations (Newton decrement ${fmtG(r.newtonDecrement)})`);
  return formatEstimatesTable({
    title: 'Tobit regression',
    dataFile: req.data,
    depvar: md.spec.y,
    level: req.options.level,
    statLabel: 'z',
    left: [`Limits: lower = ${r.left ?? '-inf'}`, `        upper = ${r.right ?? '+inf'}`],
    stats: [
      ['Number of obs', String(r.n)],
      ['Uncensored', String(r.nUncensored)],
      ['Left-censored', String(r.nLeft)],
      ['Right-censored', String(r.nRight)],
      ['Log likelihood', fmtLogLik(r.logLik)],
    ],
    rows: mainRows(r, shown),
    ancillary: [
      row(r, js, `/${LOG_SIGMA}`, true),
      { label: '/sigma', coef: r.sigma, se: r.sigmaSe, stat: NaN, p: NaN, ciLow: Math.exp(r.ciLow[js]), ciHigh: Math.exp(r.ciHigh[js]) },
    ],
    notes,
  });
}

/** Ordered logit / probit: fit, then JSON or table. */
function runOrdered(req: FitRequest): string {
  const o = req.ordered!;
  const columns: [string, string][] = [];
  if (o.cluster) columns.push(['cluster', o.cluster]);
  if (o.weights) columns.push(['weights', o.weights]);
  const md = readModelData(req.data, req.formula, { columns, numeric: o.weights ? [o.weights] : [], numericOutcome: false });
  const r: OrderedResult = withFileName(md.file, () => orderedModel(md.data, md.spec, o));
  const stataAdjust = o.stataAdjust === true;
  const cut = r.terms.slice(r.names.length);
  if (req.json) {
    const c = coefficientsJson(r, req.options.level);
    return json({
      data: req.data,
      formula: req.formula,
      estimator: req.estimator,
      link: r.link,
      n: r.n,
      weights: o.weights ?? null,
      weight_sum: r.weightSum,
      missing_dropped: r.missingDropped,
      separation_dropped: r.separationDropped,
      separated_levels: r.separatedLevels,
      categories: r.categories,
      counts: r.counts,
      dropped_categories: r.droppedCategories,
      coefficients: c.coefficients,
      statistic: c.statistic,
      df: c.df,
      level: c.level,
      vcov: vcovJson(r.vcovType, o.cluster, r.nClusters, stataAdjust, c.vcovMatrix),
      cutpoints: cut.map((term, k) => ({ term, estimate: num(r.cutpoints[k]) })),
      log_lik: num(r.logLik),
      converged: r.converged,
      iterations: r.iterations,
      dropped: r.dropped,
      fe_dummies: r.feDummies,
      fixed_effects: feCounts(md.spec.fe, r.feDummies),
    });
  }
  const shown = r.names.filter((nm) => !r.feDummies.includes(nm));
  const notes = [mlSeNote(r.vcovType, o.cluster, r.nClusters, stataAdjust), ...commonNotes(md, r.feDummies, r.dropped, r.missingDropped)];
  notes.push(`Categories (${o.weights ? 'sum of weights' : 'observations'}): ${r.categories.map((k, i) => `${k} (${r.counts[i]})`).join(', ')}`);
  notes.push(`Cut points /a|b: P(${md.spec.y} <= a) = F(cut - x'b); no constant`);
  if (r.droppedCategories.length > 0) notes.push(`note: categories absent from the estimation sample, dropped: ${r.droppedCategories.join(', ')}`);
  if (r.separationDropped > 0) {
    notes.push(`note: ${r.separationDropped} observations dropped: fixed-effect levels that predict the outcome perfectly: ${r.separatedLevels.join(', ')}`);
  }
  if (!r.converged) notes.push(`warning: not converged after ${r.iterations} iterations (Newton decrement ${fmtG(r.newtonDecrement)})`);
  const stats: [string, string][] = [['Number of obs', String(r.n)]];
  if (o.weights) stats.push(['Sum of fweights', fmtG(r.weightSum, 10, 10)]);
  stats.push(['Log likelihood', fmtLogLik(r.logLik)]);
  return formatEstimatesTable({
    title: r.link === 'logit' ? 'Ordered logistic regression' : 'Ordered probit regression',
    dataFile: req.data,
    depvar: md.spec.y,
    level: req.options.level,
    statLabel: 'z',
    stats,
    rows: mainRows(r, shown),
    ancillary: cut.map((t) => row(r, r.terms.indexOf(t), `/${t}`, true)),
    notes,
  });
}

const SE_TEXT: Record<string, string> = {
  nid: 'nid (Hendricks-Koenker sandwich, R summary.rq se = "nid")',
  iid: 'iid (R summary.rq se = "iid")',
  ker: 'ker (Powell kernel sandwich, R summary.rq se = "ker")',
};

/** Quantile regression: fit, then JSON or table. */
function runQreg(req: FitRequest): string {
  const o = req.qreg!;
  const md = readModelData(req.data, req.formula);
  const r: RqResult = withFileName(md.file, () => rq(md.data, md.spec, o));
  const bandwidthRule = o.bandwidth ?? 'hall-sheather';
  if (req.json) {
    const c = coefficientsJson(r, req.options.level);
    return json({
      data: req.data,
      formula: req.formula,
      estimator: 'qreg',
      tau: r.tau,
      n: r.n,
      missing_dropped: r.missingDropped,
      coefficients: c.coefficients,
      statistic: c.statistic,
      df: c.df,
      level: c.level,
      vcov: vcovJson(r.seMethod, undefined, null, false, c.vcovMatrix),
      objective: num(r.objective),
      bandwidth_rule: bandwidthRule,
      bandwidth: num(r.bandwidth),
      kernel_bandwidth: r.kernelBandwidth === undefined ? null : num(r.kernelBandwidth),
      non_unique: r.nonUnique === true,
      non_positive_densities: r.nonPositiveDensities ?? null,
      se_note: r.seNote ?? null,
      dropped: r.dropped,
      fe_dummies: r.feDummies,
      fixed_effects: feCounts(md.spec.fe, r.feDummies),
    });
  }
  const shown = r.names.filter((nm) => !r.feDummies.includes(nm));
  const notes = [
    `Std. Err.: ${SE_TEXT[r.seMethod]}, ${bandwidthRule} bandwidth ${fmtG(r.bandwidth)}; t with ${r.dfInference} df`,
    ...commonNotes(md, r.feDummies, r.dropped, r.missingDropped),
  ];
  if (r.nonUnique) notes.push('note: the solution may be non-unique (R: "Solution may be nonunique"); R\'s vertex is reported');
  if ((r.nonPositiveDensities ?? 0) > 0) notes.push(`note: ${r.nonPositiveDensities} non-positive density estimates set to 0 (R: "non-positive fis")`);
  if (r.seNote) notes.push(`note: standard errors not available: ${r.seNote}`);
  return formatEstimatesTable({
    title: r.tau === 0.5 ? 'Median regression' : `Quantile regression, tau = ${r.tau}`,
    dataFile: req.data,
    depvar: md.spec.y,
    level: req.options.level,
    statLabel: 't',
    stats: [
      ['Number of obs', String(r.n)],
      ['Quantile (tau)', String(r.tau)],
      ['Min sum of dev.', fmtG(r.objective, 10, 8)],
    ],
    rows: mainRows(r, shown),
    notes,
  });
}

/** Pretty-printed JSON with a final newline, as `cscs fit --json` prints it. */
function json(o: Record<string, unknown>): string {
  return `${JSON.stringify(o, null, 2)}\n`;
}

/** Runs the estimator `req.estimator` (not OLS) and returns the text to print (table or JSON). */
export function estimatorCommand(req: FitRequest): string {
  if (req.estimator === 'tobit') return runTobit(req);
  if (req.estimator === 'qreg') return runQreg(req);
  if (req.estimator === 'ologit' || req.estimator === 'oprobit') return runOrdered(req);
  throw new Error(`estimatorCommand: unexpected estimator '${req.estimator}'`);
}
