/**
 * `cscs fit`: OLS (optionally with fixed effects and robust / clustered standard errors) on any
 * CSV file, printed as a Stata-like table or as one JSON object (--json). `--estimator` selects
 * Tobit, ordered logit / probit or quantile regression instead (run by fitEstimators.ts); this
 * module validates the command line for all of them and runs OLS.
 */
import { InputError } from '../errors.ts';
import { feols } from '../stats/feols.ts';
import type { FitOptions, FitResult, VcovType } from '../stats/types.ts';
import type { TobitOptions } from '../stats/tobit.ts';
import type { OrderedOptions } from '../stats/ordered.ts';
import type { RqOptions } from '../stats/quantreg.ts';
import { formatCoefTable } from '../report/coefTable.ts';
import { CSV_PATH, FORMULA, parseOptions, stringOption, type OptionSpecs, type ParsedOptions } from './args.ts';
import { estimatorCommand } from './fitEstimators.ts';
import { readModelData, withFileName } from './modelData.ts';

export const usage = `usage: cscs fit --data FILE.csv --formula "y ~ x1 + x2 [| fe1 + fe2]" [options]

Fits a model and prints a Stata-like coefficient table (or one JSON object with --json).
The default estimator is least squares (OLS), unweighted: sampling or frequency weights
(Stata aweight/pweight/fweight, R weights=) are not supported for it.

required:
  --data FILE.csv        comma-separated file with a header row (missing: empty, NA or .)
  --formula "..."        y ~ x1 + x2 + i(g) + I(x^2) + poly(x, 3) + a:b - 1 | fe1 + fe2

options:
  --estimator NAME       ols (default), tobit, ologit, oprobit or qreg (median/quantile regression)
  --level 0.95           confidence level of the intervals (0.95 or 95)
  --json                 print one JSON object instead of the table
  --debug                print stack traces of internal errors
  -h, --help             this text

ols:
  --vcov TYPE            iid (default), HC0, HC1 (Stata robust), HC2 or HC3
  --cluster A[+B]        cluster-robust SE (Stata vce(cluster)); two variables = two-way clustering
  --fe-dummies           estimate fixed effects as dummies (Stata regress y x i.fe) instead of absorbing
  --drop-singletons      drop singleton fixed-effect groups (as reghdfe)

tobit (fixed effects after | enter as dummies):
  --left N, --right N    censoring limits (at least one); y <= left is censored at left, y >= right at right
  --vcov TYPE            hessian (default, observed information) or robust (HC0 sandwich)
  --stata-adjust         with --vcov robust: times N/(N-1), as Stata vce(robust)
  --cluster G            cluster-robust sandwich times G/(G-1) (Stata vce(cluster G))

ologit, oprobit (fixed effects after | enter as dummies):
  --levels "A,B,C"       outcome categories, lowest first (default: sorted values)
  --weights COL          frequency weights (Stata [fw=COL], polr weights=)
  --vcov TYPE            hessian (default) or robust; --stata-adjust and --cluster G as for tobit

qreg (fixed effects after | enter as dummies):
  --tau 0.5              the quantile, strictly between 0 and 1
  --se TYPE              nid (default), iid or ker (R summary.rq se =)
  --bandwidth RULE       hall-sheather (default) or bofinger
`;

const SPECS: OptionSpecs = {
  data: { type: 'string', meantFor: CSV_PATH },
  formula: { type: 'string', meantFor: FORMULA },
  estimator: { type: 'string' },
  vcov: { type: 'string' },
  cluster: { type: 'string' },
  'fe-dummies': { type: 'boolean' },
  'drop-singletons': { type: 'boolean' },
  left: { type: 'string' },
  right: { type: 'string' },
  'stata-adjust': { type: 'boolean' },
  levels: { type: 'string' },
  weights: { type: 'string' },
  tau: { type: 'string' },
  se: { type: 'string' },
  bandwidth: { type: 'string' },
  level: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const VCOV_TYPES: Record<string, VcovType> = { iid: 'iid', classical: 'iid', hc0: 'HC0', hc1: 'HC1', hc2: 'HC2', hc3: 'HC3', robust: 'HC1' };

/** The estimators `cscs fit --estimator` offers. */
export type Estimator = 'ols' | 'tobit' | 'ologit' | 'oprobit' | 'qreg';
const ESTIMATORS: readonly Estimator[] = ['ols', 'tobit', 'ologit', 'oprobit', 'qreg'];

/**
 * Which estimators each estimator-specific option applies to; any other combination is an error
 * naming both, so a misplaced option is never silently ignored.
 */
const APPLIES: Record<string, readonly Estimator[]> = {
  vcov: ['ols', 'tobit', 'ologit', 'oprobit'],
  cluster: ['ols', 'tobit', 'ologit', 'oprobit'],
  'fe-dummies': ['ols'],
  'drop-singletons': ['ols'],
  left: ['tobit'],
  right: ['tobit'],
  'stata-adjust': ['tobit', 'ologit', 'oprobit'],
  levels: ['ologit', 'oprobit'],
  weights: ['ologit', 'oprobit'],
  tau: ['qreg'],
  se: ['qreg'],
  bandwidth: ['qreg'],
};

/** Everything `cscs fit` was asked to do, validated. */
export interface FitRequest {
  data: string;
  formula: string;
  estimator: Estimator;
  /** OLS options; `level` applies to every estimator. */
  options: FitOptions & { level: number };
  /** --estimator tobit. */
  tobit?: TobitOptions;
  /** --estimator ologit / oprobit. */
  ordered?: OrderedOptions;
  /** --estimator qreg. */
  qreg?: RqOptions;
  json: boolean;
}

/**
 * The value of --estimator read before full parsing (first occurrence), so the weights check can
 * tell OLS (no weights) from the ordered models (frequency weights). Undefined when absent.
 */
function peekEstimator(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--estimator=')) return a.slice('--estimator='.length);
    if (a === '--estimator') return argv[i + 1];
  }
  return undefined;
}

/** Validates an --estimator value. */
function toEstimator(text: string): Estimator {
  const e = text.trim().toLowerCase() as Estimator;
  if (!ESTIMATORS.includes(e)) throw new InputError(`--estimator: unknown estimator '${text}' (use ols, tobit, ologit, oprobit or qreg)`);
  return e;
}

/** A plain decimal number (no hex, no empty string), else an InputError naming the option. */
export function numberOption(text: string, option: string, what = 'a number'): number {
  const t = text.trim();
  const v = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(v)) throw new InputError(`--${option}: expected ${what}, got '${text}'`);
  return v;
}

/** A confidence level given as 0.95 or (Stata style) 95. */
export function parseLevel(text: string): number {
  let lv = /^\d+(\.\d+)?$|^\.\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (lv >= 10 && lv < 100) lv /= 100; // Stata style: level(95)
  if (!(lv > 0 && lv < 1)) throw new InputError(`--level: expected a confidence level such as 0.95 or 95, got '${text}'`);
  return lv;
}

/** Validates the command line into a FitRequest (null when --help was asked for). */
export function parseFitArgs(argv: readonly string[]): FitRequest | null {
  const peeked = peekEstimator(argv);
  const estimator0 = peeked === undefined || peeked.startsWith('--') ? 'ols' : toEstimator(peeked);
  // A Stata or R user will try these; say plainly that weights are not supported (the ordered
  // models take frequency weights as --weights).
  const weights = argv.find((a) => /^--[apfi]?weights?(=|$)/.test(a));
  if (weights !== undefined && estimator0 === 'ols') {
    throw new InputError(`${weights.split('=')[0]}: weighted least squares is not supported (cscs fit estimates unweighted OLS only)`);
  }
  if (weights !== undefined && (estimator0 === 'tobit' || estimator0 === 'qreg')) {
    throw new InputError(`${weights.split('=')[0]} does not apply to --estimator ${estimator0} (frequency weights: --estimator ologit or oprobit only)`);
  }
  const o = parseOptions(argv, SPECS, 'cscs fit');
  if (o.help) return null;
  const data = stringOption(o, 'data');
  const formula = stringOption(o, 'formula');
  if (data === undefined || data.trim() === '') throw new InputError('missing --data FILE.csv (see cscs fit --help)');
  if (formula === undefined) throw new InputError('missing --formula (e.g. --formula "y ~ x1 + x2"; see cscs fit --help)');
  const estimatorText = stringOption(o, 'estimator');
  const estimator = estimatorText === undefined ? 'ols' : toEstimator(estimatorText);
  for (const [opt, ests] of Object.entries(APPLIES)) {
    if (o[opt] !== undefined && !ests.includes(estimator)) {
      throw new InputError(`--${opt} does not apply to --estimator ${estimator} (it is an option of ${ests.join(', ')})`);
    }
  }

  const options: FitOptions & { level: number } = { level: 0.95 };
  const levelText = stringOption(o, 'level');
  if (levelText !== undefined) options.level = parseLevel(levelText);
  const req: FitRequest = { data, formula, estimator, options, json: o.json === true };
  if (estimator === 'ols') parseOlsOptions(o, options);
  else if (estimator === 'tobit') req.tobit = parseTobitOptions(o, options.level);
  else if (estimator === 'qreg') req.qreg = parseQregOptions(o, options.level);
  else req.ordered = parseOrderedOptions(o, options.level, estimator === 'ologit' ? 'logit' : 'probit');
  return req;
}

/** --vcov / --cluster / --fe-dummies / --drop-singletons of OLS, into `options`. */
function parseOlsOptions(o: ParsedOptions, options: FitOptions): void {
  const vcovText = stringOption(o, 'vcov');
  const clusterText = stringOption(o, 'cluster');
  if (vcovText !== undefined) {
    const v = VCOV_TYPES[vcovText.toLowerCase()];
    if (!v) throw new InputError(`--vcov: unknown type '${vcovText}' (use iid, HC0, HC1, HC2 or HC3)`);
    if (clusterText !== undefined) throw new InputError('use either --vcov or --cluster, not both (clustered SE use the Stata CR1 small-sample factor)');
    options.vcov = v;
  }
  if (clusterText !== undefined) {
    const cl = clusterText.split(/[+,]/).map((s) => s.trim());
    if (cl.some((c) => c === '')) throw new InputError(`--cluster: empty variable name in '${clusterText}' (write a or a+b)`);
    if (cl.length > 2) throw new InputError(`--cluster: at most two variables, got ${cl.length} in '${clusterText}'`);
    if (cl.length === 2 && cl[0] === cl[1]) throw new InputError(`--cluster: '${cl[0]}' given twice`);
    options.cluster = cl;
  }
  if (o['fe-dummies']) options.feMethod = 'dummies';
  if (o['drop-singletons']) options.dropSingletons = true;
}

/** --vcov hessian|robust, --stata-adjust and one --cluster variable (Tobit and ordered models). */
function parseMlVariance(o: ParsedOptions, estimator: Estimator): { vcov?: 'hessian' | 'robust'; cluster?: string; stataAdjust?: boolean } {
  const out: { vcov?: 'hessian' | 'robust'; cluster?: string; stataAdjust?: boolean } = {};
  const vcovText = stringOption(o, 'vcov');
  const clusterText = stringOption(o, 'cluster');
  if (vcovText !== undefined) {
    const v = vcovText.trim().toLowerCase();
    if (v !== 'hessian' && v !== 'robust') throw new InputError(`--vcov: unknown type '${vcovText}' for --estimator ${estimator} (use hessian or robust)`);
    if (clusterText !== undefined) throw new InputError('use either --vcov or --cluster, not both (the cluster sandwich is already robust)');
    out.vcov = v;
  }
  if (clusterText !== undefined) {
    const c = clusterText.trim();
    if (c === '') throw new InputError('--cluster: empty variable name');
    if (/[+,]/.test(c)) throw new InputError(`--cluster: --estimator ${estimator} takes one cluster variable, got '${clusterText}' (two-way clustering is OLS only)`);
    out.cluster = c;
  }
  if (o['stata-adjust']) {
    if (out.vcov !== 'robust') throw new InputError('--stata-adjust applies to --vcov robust only (N/(N-1) of Stata vce(robust))');
    out.stataAdjust = true;
  }
  return out;
}

/** Tobit: --left / --right (at least one, left < right) and the ML variance options. */
function parseTobitOptions(o: ParsedOptions, level: number): TobitOptions {
  const leftText = stringOption(o, 'left');
  const rightText = stringOption(o, 'right');
  if (leftText === undefined && rightText === undefined) {
    throw new InputError('--estimator tobit needs a censoring limit: --left N and/or --right N');
  }
  const left = leftText === undefined ? null : numberOption(leftText, 'left');
  const right = rightText === undefined ? null : numberOption(rightText, 'right');
  if (left !== null && right !== null && !(left < right)) throw new InputError(`--left (${left}) must be below --right (${right})`);
  return { left, right, level, ...parseMlVariance(o, 'tobit') };
}

/** Ordered logit / probit: --levels, --weights and the ML variance options. */
function parseOrderedOptions(o: ParsedOptions, level: number, link: 'logit' | 'probit'): OrderedOptions {
  const out: OrderedOptions = { link, level, ...parseMlVariance(o, link === 'logit' ? 'ologit' : 'oprobit') };
  const levelsText = stringOption(o, 'levels');
  if (levelsText !== undefined) {
    const lv = levelsText.split(',').map((s) => s.trim());
    if (lv.some((s) => s === '')) throw new InputError(`--levels: empty category in '${levelsText}' (write "Low,Medium,High", lowest first)`);
    out.levels = lv;
  }
  const w = stringOption(o, 'weights');
  if (w !== undefined) {
    if (w.trim() === '') throw new InputError('--weights: empty column name');
    out.weights = w.trim();
  }
  return out;
}

/** Quantile regression: --tau, --se, --bandwidth. */
function parseQregOptions(o: ParsedOptions, level: number): RqOptions {
  const out: RqOptions = { level };
  const tauText = stringOption(o, 'tau');
  if (tauText !== undefined) {
    const tau = numberOption(tauText, 'tau', 'a quantile strictly between 0 and 1');
    if (!(tau > 0 && tau < 1)) throw new InputError(`--tau: expected a quantile strictly between 0 and 1, got '${tauText}'`);
    out.tau = tau;
  }
  const se = stringOption(o, 'se');
  if (se !== undefined) {
    const v = se.trim().toLowerCase();
    if (v !== 'nid' && v !== 'iid' && v !== 'ker') throw new InputError(`--se: unknown type '${se}' (use nid, iid or ker)`);
    out.se = v;
  }
  const bw = stringOption(o, 'bandwidth');
  if (bw !== undefined) {
    const v = bw.trim().toLowerCase();
    if (v !== 'hall-sheather' && v !== 'bofinger') throw new InputError(`--bandwidth: unknown rule '${bw}' (use hall-sheather or bofinger)`);
    out.bandwidth = v;
  }
  return out;
}

/** NaN / infinite numbers become null in JSON. */
function num(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** The --json object (key order fixed; see the README, section `cscs fit`, for the schema). */
export function fitJson(res: FitResult, req: FitRequest): Record<string, unknown> {
  return {
    data: req.data,
    formula: req.formula,
    n: res.n,
    k: res.k,
    df_resid: res.dfResid,
    coefficients: res.terms.map((term, i) => ({
      term,
      estimate: num(res.coef[i]),
      se: num(res.se[i]),
      t: num(res.t[i]),
      p: num(res.p[i]),
      ci_low: num(res.ciLow[i]),
      ci_high: num(res.ciHigh[i]),
    })),
    dropped: res.dropped,
    r2: num(res.r2),
    adj_r2: num(res.adjR2),
    r2_within: res.r2Within === null ? null : num(res.r2Within),
    f: num(res.f),
    f_df1: num(res.fDf1),
    f_df2: num(res.fDf2),
    f_p: num(res.fP),
    rmse: num(res.rmse),
    rss: num(res.rss),
    tss: num(res.tss),
    level: req.options.level,
    vcov: {
      type: res.vcovInfo.type,
      cluster: res.vcovInfo.cluster,
      n_clusters: res.vcovInfo.nClusters,
      df: num(res.vcovInfo.df),
    },
    missing_dropped: res.missingDropped,
    singletons_dropped: res.singletonsDropped,
    leverage_one_rows: res.leverageOneRows ?? null,
    fixed_effects: res.fixedEffects.map((f) => ({ name: f.name, levels: f.levels })),
    fe_method: res.fixedEffects.length === 0 ? null : (req.options.feMethod ?? 'absorb'),
  };
}

/** Reads the CSV, fits the model and returns the text to print. */
export function fitCommand(req: FitRequest): string {
  if (req.estimator !== 'ols') return estimatorCommand(req);
  const { file, spec, data } = readModelData(req.data, req.formula, { columns: (req.options.cluster ?? []).map((c) => ['cluster', c]) });
  const res = withFileName(file, () => feols(data, spec, req.options));
  if (req.json) return `${JSON.stringify(fitJson(res, req), null, 2)}\n`;
  return formatCoefTable(res, { level: req.options.level, dataFile: req.data, feDummies: req.options.feMethod === 'dummies' });
}

/** Entry point used by src/cli/main.ts. */
export async function run(argv: string[]): Promise<number> {
  const req = parseFitArgs(argv);
  if (req === null) {
    process.stdout.write(usage);
    return 0;
  }
  process.stdout.write(fitCommand(req));
  return 0;
}
