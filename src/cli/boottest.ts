/**
 * `cscs boottest`: the wild cluster restricted bootstrap test of one coefficient (Stata `boottest`
 * after `regress y x i.fe, vce(cluster g)`) on any CSV, with the test-inversion confidence interval.
 * Prints a short report or one JSON object (--json); progress over the draws appears only on an
 * interactive terminal and never with --json.
 */
import { InputError } from '../errors.ts';
import { wildClusterBootstrap, DEFAULT_WCB_B, DEFAULT_WCB_SEED, type WildBootstrapOptions, type WildBootstrapResult } from '../stats/wildBootstrap.ts';
import { tPValue } from '../stats/inference.ts';
import { fmtF, fmtG } from '../report/coefTable.ts';
import { CSV_PATH, FORMULA, parseOptions, stringOption, type OptionSpecs } from './args.ts';
import { numberOption, parseLevel } from './fit.ts';
import { readModelData, withFileName } from './modelData.ts';
import { terminalProgress } from './progress.ts';

export const usage = `usage: cscs boottest --data FILE.csv --formula "y ~ x1 + x2 [| fe1 + fe2]" --cluster G --param x1 [options]

Wild cluster restricted bootstrap (WCR) test of one OLS coefficient, as Stata's boottest after
regress y x i.fe, vce(cluster G): CR1 t, bootstrap p-value and confidence interval by test inversion.
Fixed effects after | enter as dummies.

required:
  --data FILE.csv        comma-separated file with a header row
  --formula "..."        as cscs fit
  --cluster G            the one cluster variable
  --param NAME           the coefficient to test, as cscs fit names it (x1, g::level, I(x^2))

options:
  --h0 0                 null value of the coefficient
  --weights TYPE         rademacher (default) or webb
  --B 9999               number of bootstrap draws
  --enumerate MODE       auto (default: all 2^G Rademacher sign vectors when 2^G <= B), yes or no
  --seed N               seed of the draws (default ${DEFAULT_WCB_SEED}; unused when enumerated)
  --level 0.95           confidence level of the interval (0.95 or 95)
  --json                 print one JSON object instead of the report
  --debug                print stack traces of internal errors
  -h, --help             this text
`;

const SPECS: OptionSpecs = {
  data: { type: 'string', meantFor: CSV_PATH },
  formula: { type: 'string', meantFor: FORMULA },
  cluster: { type: 'string' },
  param: { type: 'string' },
  h0: { type: 'string' },
  weights: { type: 'string' },
  B: { type: 'string' },
  enumerate: { type: 'string' },
  seed: { type: 'string' },
  level: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** Everything `cscs boottest` was asked to do, validated. */
export interface BoottestRequest {
  data: string;
  formula: string;
  options: Required<Pick<WildBootstrapOptions, 'cluster' | 'param' | 'h0' | 'weights' | 'B' | 'enumerate' | 'seed' | 'level'>>;
  json: boolean;
}

/** A whole number within [min, max], else an InputError naming the option. */
function integerOption(text: string, option: string, min: number): number {
  const t = text.trim();
  const v = /^[-+]?\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(v) || v < min) throw new InputError(`--${option}: expected a whole number >= ${min}, got '${text}'`);
  return v;
}

/** Validates the command line into a BoottestRequest (null when --help was asked for). */
export function parseBoottestArgs(argv: readonly string[]): BoottestRequest | null {
  const o = parseOptions(argv, SPECS, 'cscs boottest');
  if (o.help) return null;
  const data = stringOption(o, 'data');
  const formula = stringOption(o, 'formula');
  const cluster = stringOption(o, 'cluster')?.trim();
  const param = stringOption(o, 'param')?.trim();
  if (data === undefined || data.trim() === '') throw new InputError('missing --data FILE.csv (see cscs boottest --help)');
  if (formula === undefined) throw new InputError('missing --formula (e.g. --formula "y ~ x1 + x2 | fe"; see cscs boottest --help)');
  if (cluster === undefined || cluster === '') throw new InputError('missing --cluster G (the one cluster variable; see cscs boottest --help)');
  if (/[+,]/.test(cluster)) throw new InputError(`--cluster: the wild cluster bootstrap takes one cluster variable, got '${cluster}'`);
  if (param === undefined || param === '') throw new InputError('missing --param NAME (the coefficient to test; see cscs boottest --help)');

  const h0Text = stringOption(o, 'h0');
  const h0 = h0Text === undefined ? 0 : numberOption(h0Text, 'h0');
  const w = (stringOption(o, 'weights') ?? 'rademacher').trim().toLowerCase();
  if (w !== 'rademacher' && w !== 'webb') throw new InputError(`--weights: unknown type '${stringOption(o, 'weights')}' (use rademacher or webb)`);
  const bText = stringOption(o, 'B');
  const B = bText === undefined ? DEFAULT_WCB_B : integerOption(bText, 'B', 1);
  const eText = (stringOption(o, 'enumerate') ?? 'auto').trim().toLowerCase();
  const ENUM: Record<string, 'auto' | boolean> = { auto: 'auto', yes: true, no: false };
  if (!(eText in ENUM)) throw new InputError(`--enumerate: expected auto, yes or no, got '${stringOption(o, 'enumerate')}'`);
  const enumerate = ENUM[eText];
  if (enumerate === true && w !== 'rademacher') throw new InputError('--enumerate yes needs --weights rademacher (only Rademacher sign vectors can be enumerated)');
  const seedText = stringOption(o, 'seed');
  const seed = seedText === undefined ? DEFAULT_WCB_SEED : integerOption(seedText, 'seed', 0);
  const levelText = stringOption(o, 'level');
  const level = levelText === undefined ? 0.95 : parseLevel(levelText);
  return { data, formula, options: { cluster, param, h0, weights: w, B, enumerate, seed, level }, json: o.json === true };
}

/** NaN / infinite numbers become null in JSON (an unbounded interval side is null). */
function num(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** The --json object (key order fixed; see the README, section `cscs boottest`). */
export function boottestJson(r: WildBootstrapResult, req: BoottestRequest): Record<string, unknown> {
  return {
    data: req.data,
    formula: req.formula,
    param: r.param,
    h0: r.h0,
    cluster: req.options.cluster,
    G: r.G,
    coef: num(r.coef),
    se: num(r.se),
    t: num(r.t),
    p_cr1: num(tPValue(r.t, r.G - 1)),
    p: num(r.p),
    p_strict: num(r.p - r.ties / r.B),
    ties: r.ties,
    level: req.options.level,
    ci_low: num(r.ciLow),
    ci_high: num(r.ciHigh),
    B: r.B,
    enumerated: r.enumerated,
    weights: r.weights,
    seed: r.enumerated ? null : r.seed,
  };
}

/** The text report: estimate, CR1 SE and t, bootstrap p, interval, and how the draws were made. */
function formatReport(r: WildBootstrapResult, req: BoottestRequest): string {
  const lvl = Math.round(req.options.level * 1000) / 10;
  const bound = (x: number) => (Number.isFinite(x) ? fmtG(x) : x > 0 ? '+inf' : '-inf');
  const draws = r.enumerated
    ? `${r.B} (all 2^${r.G} Rademacher sign vectors enumerated: exact, no seed)`
    : `${r.B} random ${r.weights === 'webb' ? 'Webb' : 'Rademacher'} draws, seed ${r.seed}`;
  const line = (k: string, v: string) => `  ${k.padEnd(34)}${v}`;
  const lines = [
    'Wild cluster bootstrap-t, null imposed (WCR)',
    `Data: ${req.data}`,
    `Model: ${req.formula} (OLS, fixed effects as dummies)`,
    `Clusters: ${r.G} in ${req.options.cluster}`,
    `H0: ${r.param} = ${r.h0}`,
    '',
    line('Coefficient', fmtG(r.coef)),
    line('Std. Err. (CR1, Stata)', fmtG(r.se)),
    line('t', fmtF(r.t, 4)),
    line(`p, CR1 t(${r.G - 1})`, fmtF(tPValue(r.t, r.G - 1), 4)),
    line('p, bootstrap (|t*| >= |t|)', fmtF(r.p, 4)),
    line("p, |t*| > |t| (boottest's)", `${fmtF(r.p - r.ties / r.B, 4)} (${r.ties} tie${r.ties === 1 ? '' : 's'})`),
    line(`${Number.isInteger(lvl) ? lvl.toFixed(0) : String(lvl)}% CI (test inversion)`, `[${bound(r.ciLow)}, ${bound(r.ciHigh)}]`),
    line('Draws', draws),
  ];
  return `${lines.join('\n')}\n`;
}

/** Reads the CSV, runs the bootstrap and returns the text to print. */
export function boottestCommand(req: BoottestRequest, onProgress?: (done: number, total: number) => void): string {
  const { file, spec, data } = readModelData(req.data, req.formula, { columns: [['cluster', req.options.cluster]] });
  const r = withFileName(file, () => wildClusterBootstrap(data, spec, { ...req.options, onProgress }));
  if (req.json) return `${JSON.stringify(boottestJson(r, req), null, 2)}\n`;
  return formatReport(r, req);
}

/** Entry point used by src/cli/main.ts. */
export async function run(argv: string[]): Promise<number> {
  const req = parseBoottestArgs(argv);
  if (req === null) {
    process.stdout.write(usage);
    return 0;
  }
  const progress = req.json ? undefined : terminalProgress();
  process.stdout.write(boottestCommand(req, progress && ((done, total) => progress('bootstrap draws', done, total))));
  return 0;
}
