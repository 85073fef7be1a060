/**
 * `cscs fit`: OLS (optionally with fixed effects and robust / clustered standard errors) on any
 * CSV file, printed as a Stata-like table or as one JSON object (--json).
 */
import { InputError } from '../errors.ts';
import { readCsv, toDataTable } from '../data/csv.ts';
import { parseFormula, termColumns, unknownColumnMessage } from '../stats/formula.ts';
import { feols } from '../stats/feols.ts';
import type { FitOptions, FitResult, ModelSpec, VcovType } from '../stats/types.ts';
import { formatCoefTable } from '../report/coefTable.ts';
import { parseOptions, stringOption, type OptionSpecs } from './args.ts';

export const usage = `usage: cscs fit --data FILE.csv --formula "y ~ x1 + x2 [| fe1 + fe2]" [options]

Fits a linear model by least squares and prints a Stata-like coefficient table.
Unweighted OLS only: sampling or frequency weights (Stata aweight/pweight/fweight, R weights=)
are not supported.

required:
  --data FILE.csv        comma-separated file with a header row (missing: empty, NA or .)
  --formula "..."        y ~ x1 + x2 + i(g) + I(x^2) + poly(x, 3) + a:b - 1 | fe1 + fe2

options:
  --vcov TYPE            iid (default), HC0, HC1 (Stata robust), HC2 or HC3
  --cluster A[+B]        cluster-robust SE (Stata vce(cluster)); two variables = two-way clustering
  --fe-dummies           estimate fixed effects as dummies (Stata regress y x i.fe) instead of absorbing
  --drop-singletons      drop singleton fixed-effect groups (as reghdfe)
  --level 0.95           confidence level of the intervals (0.95 or 95)
  --json                 print one JSON object instead of the table
  --debug                print stack traces of internal errors
  -h, --help             this text
`;

const SPECS: OptionSpecs = {
  data: { type: 'string' },
  formula: { type: 'string' },
  vcov: { type: 'string' },
  cluster: { type: 'string' },
  'fe-dummies': { type: 'boolean' },
  'drop-singletons': { type: 'boolean' },
  level: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const VCOV_TYPES: Record<string, VcovType> = { iid: 'iid', classical: 'iid', hc0: 'HC0', hc1: 'HC1', hc2: 'HC2', hc3: 'HC3', robust: 'HC1' };

/** Everything `cscs fit` was asked to do, validated. */
export interface FitRequest {
  data: string;
  formula: string;
  options: FitOptions & { level: number };
  json: boolean;
}

/** Validates the command line into a FitRequest (null when --help was asked for). */
export function parseFitArgs(argv: readonly string[]): FitRequest | null {
  // A Stata or R user will try these; say plainly that weights are not supported.
  const weights = argv.find((a) => /^--[apfi]?weights?(=|$)/.test(a));
  if (weights !== undefined) {
    throw new InputError(`${weights.split('=')[0]}: weighted least squares is not supported (cscs fit estimates unweighted OLS only)`);
  }
  const o = parseOptions(argv, SPECS, 'cscs fit');
  if (o.help) return null;
  const data = stringOption(o, 'data');
  const formula = stringOption(o, 'formula');
  if (data === undefined || data.trim() === '') throw new InputError('missing --data FILE.csv (see cscs fit --help)');
  if (formula === undefined) throw new InputError('missing --formula (e.g. --formula "y ~ x1 + x2"; see cscs fit --help)');

  const options: FitOptions & { level: number } = { level: 0.95 };
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
  const levelText = stringOption(o, 'level');
  if (levelText !== undefined) {
    let lv = /^\d+(\.\d+)?$|^\.\d+$/.test(levelText.trim()) ? Number(levelText) : NaN;
    if (lv >= 10 && lv < 100) lv /= 100; // Stata style: level(95)
    if (!(lv > 0 && lv < 1)) throw new InputError(`--level: expected a confidence level such as 0.95 or 95, got '${levelText}'`);
    options.level = lv;
  }
  return { data, formula, options, json: o.json === true };
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

/** Columns that must be numeric: the outcome and every column of non-factor terms. */
function numericColumns(spec: ModelSpec): string[] {
  const cols = [spec.y, ...spec.terms.filter((t) => t.kind !== 'factor').flatMap(termColumns)];
  return [...new Set(cols)];
}

/**
 * Runs `f`, prefixing the data file to an InputError that names neither it nor the formula (the
 * engine's checks, e.g. "no residual degrees of freedom", do not know the file).
 */
function withFileName<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InputError && !e.message.startsWith(file) && !e.message.startsWith('formula:')) {
      throw new InputError(`${file}: ${e.message}`);
    }
    throw e;
  }
}

/** Reads the CSV, fits the model and returns the text to print. */
export function fitCommand(req: FitRequest): string {
  const csv = readCsv(req.data);
  const spec = parseFormula(req.formula, csv.header);
  for (const c of req.options.cluster ?? []) {
    if (!csv.header.includes(c)) {
      throw new InputError(`--cluster: ${unknownColumnMessage(c, csv.header)} in ${csv.file}`);
    }
  }
  // Forcing numeric here makes a bad cell fail with its own row and value.
  const data = toDataTable(csv, { numeric: numericColumns(spec) });
  const res = withFileName(csv.file, () => feols(data, spec, req.options));
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
