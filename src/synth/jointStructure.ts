/**
 * Joint structure of the sample covariates, refined so that Table 3 models (1)-(4) follow from
 * model (5). Why this is needed: with OLS, a short model's coefficients equal the long model's
 * plus an omitted-variable term that depends only on the regressors,
 *   b_short = b_incl + (X_k'X_k)^-1 X_k' (X_omit b_omit),
 * so once the scores reproduce model (5), models (1)-(4) are fixed by the covariates alone.
 * We therefore swap values of one variable between two firms (which leaves every marginal and
 * Table 2 exactly unchanged) and keep a swap when it brings the implied short-model
 * coefficients closer to the published ones, measured in published standard errors.
 */
import type { Rng } from '../stats/rng.ts';
import type { CovariateValues } from './covariates.ts';
import { X_NAMES, type RegressionX } from './types.ts';

/** Regression columns used by the tuning, in model (5) order. */
export const REG_VARS = X_NAMES;
export type RegVar = keyof RegressionX;

const LABELS: Record<string, RegVar | 'const'> = {
  '% Independent Director': 'independent_director_pct',
  Leverage: 'leverage',
  ROA: 'roa',
  SOE: 'soe',
  '% State Shareholding': 'state_share',
  'Party-Building Reform': 'party_building',
  'Political Connection': 'political_connection',
  'Firm Size': 'firm_size',
  'Firm Age': 'firm_age',
  'Book-to-Market': 'book_to_market',
  Constant: 'const',
};

interface PubCoef {
  coef: number;
  se: number;
}
/** The part of published.json table3 this module reads. */
export interface PublishedTable3 {
  table3: { models: { model: string; coefficients: Record<string, PubCoef>; r2: number }[] };
}

/** One short model: its included variables and the published coefficients to reach. */
interface ShortModel {
  name: string;
  included: RegVar[];
  omitted: RegVar[];
  /** published coefficient and SE per included variable and 'const' */
  target: Map<RegVar | 'const', PubCoef>;
}

/** Solves the symmetric system A x = b (dense, Gaussian elimination with partial pivoting). */
function solve(A: Float64Array, b: Float64Array, p: number): Float64Array {
  const M = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(M[r * p + c]) > Math.abs(M[piv * p + c])) piv = r;
    if (Math.abs(M[piv * p + c]) < 1e-12) throw new Error('jointStructure: singular design');
    if (piv !== c) {
      for (let k = 0; k < p; k++) {
        const t = M[c * p + k];
        M[c * p + k] = M[piv * p + k];
        M[piv * p + k] = t;
      }
      const t = x[c];
      x[c] = x[piv];
      x[piv] = t;
    }
    for (let r = c + 1; r < p; r++) {
      const f = M[r * p + c] / M[c * p + c];
      if (f === 0) continue;
      for (let k = c; k < p; k++) M[r * p + k] -= f * M[c * p + k];
      x[r] -= f * x[c];
    }
  }
  for (let r = p - 1; r >= 0; r--) {
    let s = x[r];
    for (let k = r + 1; k < p; k++) s -= M[r * p + k] * x[k];
    x[r] = s / M[r * p + r];
  }
  return x;
}

/** Dummy columns (first sorted level is the base) for a categorical variable. */
function dummies(levels: readonly string[]): Float64Array[] {
  const uniq = [...new Set(levels)].sort();
  return uniq.slice(1).map((lv) => Float64Array.from(levels, (v) => (v === lv ? 1 : 0)));
}

/**
 * A cross-model SE ratio: sqrt([(X'X)^-1]_vv) in `model` over the same in `base`, to equal the
 * published SE ratio. With the same residual scale in both models this is the classical SE ratio,
 * a property of the regressors alone (the robust ratio also depends on where the residuals sit).
 * `scale` is the relative miss counted as one unit of deviation.
 */
export interface SeRatioSpec {
  model: string;
  base: string;
  name: RegVar | 'const';
  scale: number;
}
/**
 * The ratios the generator fits: models (1) and (3) against (4), which share the controls.
 * (1)'s Constant SE (65.8 against 52.5) needs % Independent Director to fall with Firm Size, and
 * (3)'s Firm Size SE (2.025 against 2.046) needs the SOE block no more correlated with Firm Size
 * than Political Connection is; neither follows from the coefficients the tuning fits.
 */
export const SE_RATIOS: readonly SeRatioSpec[] = [
  { model: '(1)', base: '(4)', name: 'const', scale: 0.05 },
  { model: '(1)', base: '(4)', name: 'firm_size', scale: 0.05 },
  { model: '(3)', base: '(4)', name: 'firm_size', scale: 0.05 },
  { model: '(3)', base: '(4)', name: 'const', scale: 0.05 },
];
/** A miss of an explained share counted as one unit of deviation (in R²; printed R² have 3 decimals). */
export const EXPLAINED_SHARE_SCALE = 0.002;
interface SeRatioTarget extends SeRatioSpec {
  target: number;
}

/**
 * Explained shares the tuning may also fit, in units of R²: sums of squares over the published
 * Scores TSS, (n - 1) x SD² for n sample firms. Why they are covariate properties: the long
 * model's residual is orthogonal to every regressor and dummy, so a short model's R² falls short
 * of (5)'s by ||M X_omit b_omit||² / TSS (M: residual maker of its included columns, constant
 * and dummies), and the covariates' share of (5)'s R², beyond the dummies, is
 * ||M_FE X b5||² / TSS.
 */
export interface ExplainedShareSpec {
  /** fit each short model's published R² gap to (5) */
  gaps: boolean;
  /** the covariates' within-dummies share of (5)'s R² to hold (omit: not fitted) */
  within?: number;
  /** miss counted as one unit of deviation, in R² */
  scale: number;
}

/** Winsorized regressors of the sample: clipping at the type-2 bounds is invariant under swaps. */
export type RegColumns = Record<RegVar, Float64Array>;

/**
 * Evaluator of the short-model distance: for each model (1)-(4), regress the omitted part
 * X_omit b_omit (published model (5) coefficients) on the included variables, constant and FE
 * dummies, and compare b_incl + shift with the published short-model coefficients.
 */
export class ShortModelFit {
  private readonly models: ShortModel[];
  private readonly b5: Map<RegVar | 'const', number>;
  private readonly fe: Float64Array[];
  private readonly n: number;
  /** Precomputed FE/constant block of X'X (constant first, then dummies). */
  private readonly feGram: Float64Array;

  /** Cross-model SE ratios to reach (classical SEs; see `SeRatioSpec`). */
  private readonly ratios: SeRatioTarget[];

  /** Explained shares to reach, with the published R² of each model and the Scores TSS. */
  private readonly shares: (ExplainedShareSpec & { r2: Map<string, number>; tss: number }) | null;

  constructor(published: PublishedTable3, industry: readonly string[], city: readonly string[], ratios: readonly SeRatioSpec[] = [], shares?: ExplainedShareSpec & { scoresSd: number }) {
    const ms = published.table3.models;
    const pubSe = (model: string, v: RegVar | 'const'): number => {
      const m = ms.find((x) => x.model === model);
      const e = m && Object.entries(m.coefficients).find(([k]) => LABELS[k] === v);
      if (!e) throw new Error(`published.json: Table 3 ${model} has no ${v}`);
      return e[1].se;
    };
    for (const r of ratios) {
      for (const m of [r.model, r.base]) if (m === '(5)' || !ms.some((x) => x.model === m)) throw new Error(`jointStructure: SE ratio of ${r.model} over ${r.base}: ${m} is not a short model of Table 3`);
    }
    this.ratios = ratios.map((r) => ({ ...r, target: pubSe(r.model, r.name) / pubSe(r.base, r.name) }));
    const long = ms.find((m) => m.model === '(5)');
    if (!long) throw new Error('published.json lacks Table 3 model (5)');
    this.b5 = new Map(Object.entries(long.coefficients).map(([k, v]) => [LABELS[k], v.coef]));
    this.shares = shares ? { ...shares, r2: new Map(ms.map((m) => [m.model, m.r2])), tss: (industry.length - 1) * shares.scoresSd ** 2 } : null;
    this.models = ms
      .filter((m) => m.model !== '(5)')
      .map((m) => {
        const target = new Map(Object.entries(m.coefficients).map(([k, v]) => [LABELS[k], v]));
        const included = REG_VARS.filter((v) => target.has(v));
        return { name: m.model, included, omitted: REG_VARS.filter((v) => !target.has(v)), target };
      });
    this.n = industry.length;
    this.fe = [new Float64Array(this.n).fill(1), ...dummies(industry), ...dummies(city)];
    const q = this.fe.length;
    this.feGram = new Float64Array(q * q);
    for (let a = 0; a < q; a++) for (let b = a; b < q; b++) this.feGram[a * q + b] = this.feGram[b * q + a] = dot(this.fe[a], this.fe[b]);
  }

  /** Per model and coefficient: (implied - published) / published SE. */
  deviations(x: RegColumns): { model: string; name: string; z: number }[] {
    const out: { model: string; name: string; z: number }[] = [];
    // Each model's X'X is built once, for its shifts and for its SE ratios.
    const normal = new Map<string, NormalMatrix>();
    for (const m of this.models) {
      const nm = this.normalMatrix(m, x);
      normal.set(m.name, nm);
      const { shift, residualSs } = this.shifts(m, x, nm);
      if (this.shares?.gaps) {
        const gap = (this.shares.r2.get('(5)') as number) - (this.shares.r2.get(m.name) as number);
        out.push({ model: m.name, name: 'r2 gap', z: (residualSs / this.shares.tss - gap) / this.shares.scale });
      }
      m.included.forEach((v, k) => {
        const t = m.target.get(v) as PubCoef;
        out.push({ model: m.name, name: v, z: ((this.b5.get(v) as number) + shift[k] - t.coef) / t.se });
      });
      const t = m.target.get('const') as PubCoef;
      out.push({ model: m.name, name: 'const', z: ((this.b5.get('const') as number) + shift[m.included.length] - t.coef) / t.se });
    }
    if (this.shares?.within !== undefined) {
      out.push({ model: '(5)', name: 'within share', z: (this.withinSs(x) / this.shares.tss - this.shares.within) / this.shares.scale });
    }
    if (this.ratios.length > 0) {
      const inv = new Map<string, number>();
      const invDiag = (model: string, v: RegVar | 'const'): number => {
        const key = `${model} ${v}`;
        if (!inv.has(key)) inv.set(key, inverseDiagonal(this.models.find((m) => m.name === model) as ShortModel, v, normal.get(model) as NormalMatrix));
        return inv.get(key) as number;
      };
      for (const r of this.ratios) {
        const ratio = Math.sqrt(invDiag(r.model, r.name) / invDiag(r.base, r.name));
        out.push({ model: `${r.model}/${r.base}`, name: `se ${r.name}`, z: (ratio / r.target - 1) / r.scale });
      }
    }
    return out;
  }

  /** X'X of one short model: its included columns first, then the constant and FE dummies. */
  private normalMatrix(m: ShortModel, x: RegColumns): NormalMatrix {
    const cols = m.included.map((v) => x[v]);
    const p1 = cols.length;
    const q = this.fe.length;
    const p = p1 + q;
    const A = new Float64Array(p * p);
    for (let a = 0; a < p1; a++) {
      for (let b = a; b < p1; b++) A[a * p + b] = A[b * p + a] = dot(cols[a], cols[b]);
      for (let f = 0; f < q; f++) A[a * p + p1 + f] = A[(p1 + f) * p + a] = dot(cols[a], this.fe[f]);
    }
    for (let f = 0; f < q; f++) for (let g = 0; g < q; g++) A[(p1 + f) * p + p1 + g] = this.feGram[f * q + g];
    return { A, p, p1, cols };
  }

  /** Sum of squared deviations (the tuning objective). */
  loss(x: RegColumns): number {
    return this.deviations(x).reduce((s, d) => s + d.z * d.z, 0);
  }

  /** sum over `vars` of (5)'s published coefficient times the column: part of (5)'s fitted values. */
  private longModelPart(vars: readonly RegVar[], x: RegColumns): Float64Array {
    const n = this.n;
    const z = new Float64Array(n);
    for (const v of vars) {
      const b = this.b5.get(v) as number;
      const col = x[v];
      for (let i = 0; i < n; i++) z[i] += b * col[i];
    }
    return z;
  }

  /** ||M_FE X b5||²: the covariates' fitted sum of squares in (5) beyond the constant and dummies. */
  private withinSs(x: RegColumns): number {
    const z = this.longModelPart(REG_VARS, x);
    const q = this.fe.length;
    const rhs = Float64Array.from(this.fe, (f) => dot(f, z));
    return dot(z, z) - dot(rhs, solve(this.feGram, rhs, q));
  }

  /**
   * Omitted-variable shifts of [included..., const] for one model, and the residual sum of squares
   * of the omitted part X_omit b_omit on the model's columns.
   */
  private shifts(m: ShortModel, x: RegColumns, { A, p, p1, cols }: NormalMatrix): { shift: Float64Array; residualSs: number } {
    const z = this.longModelPart(m.omitted, x);
    const rhs = new Float64Array(p);
    for (let a = 0; a < p1; a++) rhs[a] = dot(cols[a], z);
    for (let f = 0; f < this.fe.length; f++) rhs[p1 + f] = dot(this.fe[f], z);
    const sol = solve(A, rhs, p);
    // Keep [included..., const]: the constant is the first FE-block column.
    const out = new Float64Array(p1 + 1);
    for (let k = 0; k < p1; k++) out[k] = sol[k];
    out[p1] = sol[p1];
    return { shift: out, residualSs: dot(z, z) - dot(rhs, sol) };
  }
}

/** X'X of a short model (row-major p x p), its size, the number of included columns and those columns. */
interface NormalMatrix {
  A: Float64Array;
  p: number;
  p1: number;
  cols: Float64Array[];
}

/** [(X'X)^-1]_vv of one short model (its included variables, constant and FE dummies). */
function inverseDiagonal(m: ShortModel, v: RegVar | 'const', { A, p, p1 }: NormalMatrix): number {
  const j = v === 'const' ? p1 : m.included.indexOf(v);
  if (j < 0) throw new Error(`jointStructure: ${m.name} does not include ${v}`);
  const e = new Float64Array(p);
  e[j] = 1;
  return solve(A, e, p)[j];
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Groups of fields swapped together between two firms (board and SOE/state travel as tuples). */
const SWAP_GROUPS: readonly (readonly (keyof CovariateValues)[])[] = [
  ['leverage'],
  ['roa'],
  ['firm_size'],
  ['book_to_market'],
  ['firm_age'],
  ['board_size', 'independent_directors'],
  ['soe', 'state_share'],
  ['party_building'],
  ['political_connection'],
];

/** A sign restriction on a correlation: keep corr(a, b) within [min, max]. */
export interface CorrelationBound {
  a: RegVar;
  b: RegVar;
  min?: number;
  max?: number;
}

/**
 * Correlations a finance researcher expects in Chinese listed-firm data (sign and rough size);
 * the tuning keeps them while it fits the short models.
 */
export const PLAUSIBLE_CORRELATIONS: readonly CorrelationBound[] = [
  { a: 'soe', b: 'state_share', min: 0.5 },
  { a: 'soe', b: 'firm_size', min: 0.15 },
  { a: 'soe', b: 'firm_age', min: 0.1 },
  { a: 'soe', b: 'political_connection', min: 0.15 },
  { a: 'soe', b: 'party_building', min: 0.2 },
  { a: 'firm_size', b: 'leverage', min: 0.12 },
  { a: 'roa', b: 'leverage', max: -0.12 },
  { a: 'book_to_market', b: 'firm_size', min: 0.15 },
  { a: 'book_to_market', b: 'roa', max: -0.1 },
];

function corr(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Squared violations of the correlation bounds, in units of 0.02. */
export function correlationPenalty(x: RegColumns, bounds: readonly CorrelationBound[]): number {
  let p = 0;
  for (const c of bounds) {
    const r = corr(x[c.a], x[c.b]);
    if (c.min !== undefined && r < c.min) p += ((c.min - r) / 0.02) ** 2;
    if (c.max !== undefined && r > c.max) p += ((r - c.max) / 0.02) ** 2;
  }
  return p;
}

export interface TuneOptions {
  /** Correlation sign restrictions kept during tuning (default PLAUSIBLE_CORRELATIONS). */
  correlations?: readonly CorrelationBound[];
  /** Swap attempts (default 6000). */
  iterations?: number;
  /** Firms whose given fields must not move (e.g. the distressed firms' leverage and BM). */
  frozen?: Map<number, Set<keyof CovariateValues>>;
  /** Stop once every |deviation| is below this many published SEs (default 0.08). */
  target?: number;
}

/**
 * Swap-based refinement in place. `clip` maps a field's raw value to its winsorized value.
 * Returns the final deviations. Deterministic given rng.
 */
export function tuneJointStructure(
  cov: CovariateValues[],
  fit: ShortModelFit,
  clip: (field: RegVar, v: number) => number,
  rng: Rng,
  opts: TuneOptions = {},
): { model: string; name: string; z: number }[] {
  const n = cov.length;
  const iters = opts.iterations ?? 6000;
  const goal = opts.target ?? 0.08;
  const cols = {} as RegColumns;
  const refresh = (i: number): void => {
    const c = cov[i];
    cols.independent_director_pct[i] = c.independent_directors / c.board_size;
    for (const v of REG_VARS) if (v !== 'independent_director_pct') cols[v][i] = clip(v, c[v]);
  };
  for (const v of REG_VARS) cols[v] = new Float64Array(n);
  for (let i = 0; i < n; i++) refresh(i);
  const bnds = opts.correlations ?? PLAUSIBLE_CORRELATIONS;
  const objective = (): number => fit.loss(cols) + correlationPenalty(cols, bnds);
  let cur = objective();
  const maxAbs = (): number => Math.max(...fit.deviations(cols).map((d) => Math.abs(d.z)), correlationPenalty(cols, bnds) > 0 ? Infinity : 0);
  for (let it = 0; it < iters; it++) {
    if (it % 200 === 0 && maxAbs() < goal) break;
    const group = rng.choice(SWAP_GROUPS);
    const i = rng.int(0, n - 1);
    const j = rng.int(0, n - 1);
    if (i === j || group.some((f) => opts.frozen?.get(i)?.has(f) || opts.frozen?.get(j)?.has(f))) continue;
    if (group.every((f) => cov[i][f] === cov[j][f])) continue;
    const swap = (): void => {
      for (const f of group) {
        const t = cov[i][f];
        cov[i][f] = cov[j][f];
        cov[j][f] = t;
      }
      refresh(i);
      refresh(j);
    };
    swap();
    const l = objective();
    if (l < cur) cur = l;
    else swap();
  }
  return fit.deviations(cols);
}
