/**
 * Ordered logit and ordered probit by maximum likelihood, parametrised as R `MASS::polr` and Stata
 * `ologit` / `oprobit`: P(Y <= k | x) = F(zeta_k - x'beta) with F the logistic or normal CDF, no
 * intercept (the cut points zeta_1 < ... < zeta_{K-1} take its place).
 *
 * The log likelihood is concave in (beta, zeta) for both links (Pratt 1981), so Newton's method
 * with the analytic gradient and Hessian, step halving, and steps that would unorder the cut points
 * shortened, converges from any start inside the ordered region; it starts at beta = 0 and the cut
 * points of the marginal distribution, zeta_k = F^-1(share of Y <= k).
 *
 * Variances: the inverse of the negative analytic Hessian (what polr's `vcov` approximates with a
 * numerical Hessian), the HC0 sandwich H^-1 (sum w_i s_i s_i') H^-1 (R `sandwich::sandwich(polr)`
 * for unweighted fits), or the cluster sandwich with G/(G-1) (Stata `vce(cluster g)`, R
 * `sandwich::vcovCL(polr, type = "HC0")`). Weights are frequency weights (Stata `[fw=]`): a row with
 * weight w counts as w identical observations, in the likelihood and in the sandwich meat.
 *
 * Categories: the outcome may be numeric or text; `levels` gives their order. A category listed
 * but absent from the estimation sample is dropped (its cut point is not identified) and reported
 * in `droppedCategories`. polr instead keeps it and returns two cut points that coincide, and
 * Stata never sees it (it takes the categories from the data).
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { InputError, cellError } from '../errors.ts';
import type { DataTable, Estimates, ModelSpec } from './types.ts';
import { denseDesign, INTERCEPT } from './denseDesign.ts';
import { sortLevels } from './design.ts';
import { toModelSpec } from './formula.ts';
import { separatedFeRows, subsetTable } from './separation.ts';
import { invSymPD, sandwich, symmetrize } from './linalg.ts';
import { newtonStep, sparseRows, type SparseRows } from './newton.ts';
import { normalInference } from './inference.ts';

export interface OrderedOptions {
  /** 'logit' (default, polr "logistic", Stata ologit) or 'probit' (polr "probit", Stata oprobit). */
  link?: 'logit' | 'probit';
  /**
   * Outcome categories from lowest to highest. Default: the distinct values sorted numerically
   * when all are numbers, else by code units. Every non-missing outcome value must be listed.
   */
  levels?: string[];
  /** Frequency-weight column (numeric, > 0; a missing weight drops the row). */
  weights?: string;
  /** 'hessian' (default): inverse negative Hessian; 'robust': HC0 sandwich. Ignored when `cluster` is given. */
  vcov?: 'hessian' | 'robust';
  /** Cluster-robust sandwich over this column's groups, scaled by G/(G-1). */
  cluster?: string;
  /** With vcov 'robust' (no cluster): multiply by N/(N-1), N = sum of weights, as Stata `vce(robust)`. Default false (R's HC0). */
  stataAdjust?: boolean;
  /** Confidence level of the intervals, default 0.95. */
  level?: number;
  /** Convergence tolerance on the Newton decrement sqrt(g' (-H)^-1 g) (distance to the maximum in SE units). Default 1e-10. */
  tol?: number;
  /** Newton iterations allowed, default 100. */
  maxIter?: number;
}

export interface OrderedResult extends Estimates {
  /** Terms: the slopes (no intercept; FE dummies included) then the cut points named like polr, 'Low|Medium'. */
  model: ModelSpec;
  cutpoints: Float64Array;
  logLik: number;
  /** Newton iterations performed. */
  iterations: number;
  /** False when maxIter was reached, no step could raise the likelihood, or the Hessian is singular. */
  converged: boolean;
  /** Newton decrement at the returned estimate. */
  newtonDecrement: number;
  /** Categories used (present in the estimation sample), lowest first. */
  categories: string[];
  /** Observations per category in `categories`: sums of weights (row counts without weights). */
  counts: number[];
  /** Categories listed (or found in rows dropped for missing values) but absent from the estimation sample. */
  droppedCategories: string[];
  /** Observations dropped because their fixed-effect level predicts the outcome perfectly (all lowest or all highest category). */
  separationDropped: number;
  /** Those levels, e.g. 'industry::C32 (all Excellent)'. */
  separatedLevels: string[];
  link: 'logit' | 'probit';
  /** Slope names (the design columns without '(Intercept)'). */
  names: string[];
  /** FE dummy columns among `names`, so reports can hide them. */
  feDummies: string[];
  /** Design columns dropped as collinear. */
  dropped: string[];
  /** Sum of the frequency weights over the estimation sample (= n without weights); Stata's N. */
  weightSum: number;
  vcovType: 'hessian' | 'robust' | 'cluster';
  /** Number of clusters, or null when not clustered. */
  nClusters: number | null;
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * A link's CDF F, its upper tail S = 1 - F (computed directly so that differences of upper-tail
 * probabilities keep their digits), the density f and its derivative f'.
 */
interface Link {
  F(x: number): number;
  S(x: number): number;
  f(x: number): number;
  df(x: number): number;
  quantile(p: number): number;
}

const LOGIT: Link = {
  F: (x) => 1 / (1 + Math.exp(-x)),
  S: (x) => 1 / (1 + Math.exp(x)),
  f: (x) => {
    const e = Math.exp(-Math.abs(x));
    return e / ((1 + e) * (1 + e));
  },
  // f' = f (1 - 2F) = f (S - F)
  df: (x) => {
    const e = Math.exp(-Math.abs(x));
    const f = e / ((1 + e) * (1 + e));
    return x >= 0 ? (-f * (1 - e)) / (1 + e) : (f * (1 - e)) / (1 + e);
  },
  quantile: (p) => Math.log(p / (1 - p)),
};

const PROBIT: Link = {
  F: (x) => normalCdf(x, 0, 1),
  S: (x) => normalCdf(-x, 0, 1),
  f: (x) => INV_SQRT_2PI * Math.exp(-0.5 * x * x),
  df: (x) => -x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
  quantile: (p) => normalQuantile(p, 0, 1),
};

/** P(a category) = F(hi) - F(lo), taken from the upper tails when both bounds lie above 0 (no cancellation near 1). */
function categoryProb(L: Link, lo: number, hi: number): number {
  if (lo === -Infinity) return L.F(hi);
  if (hi === Infinity) return L.S(lo);
  return lo >= 0 ? L.S(lo) - L.S(hi) : L.F(hi) - L.F(lo);
}

/**
 * Per-observation derivatives of l_i = log P_i with respect to its three local parameters
 * (eta = x'beta, zl = lower cut point, zu = upper cut point). With a = zu - eta, b = zl - eta and
 * P = F(a) - F(b): dP = (-(f(a) - f(b)), -f(b), f(a)) and
 * d2P = [[f'(a) - f'(b), f'(b), -f'(a)], [f'(b), -f'(b), 0], [-f'(a), 0, f'(a)]],
 * so the gradient is dP/P and the Hessian d2P/P - (dP/P)(dP/P)'. Missing bounds (lowest and
 * highest category) have f = f' = 0.
 */
interface ObsDerivs {
  /** Gradient in (eta, zl, zu), per observation. */
  ge: Float64Array;
  gl: Float64Array;
  gu: Float64Array;
  /** Hessian entries (ee, el, eu, ll, uu); (l, u) is -gl gu, derived where used. */
  hee: Float64Array;
  hel: Float64Array;
  heu: Float64Array;
  hll: Float64Array;
  huu: Float64Array;
}

function newDerivs(n: number): ObsDerivs {
  return {
    ge: new Float64Array(n),
    gl: new Float64Array(n),
    gu: new Float64Array(n),
    hee: new Float64Array(n),
    hel: new Float64Array(n),
    heu: new Float64Array(n),
    hll: new Float64Array(n),
    huu: new Float64Array(n),
  };
}

/** Weighted log likelihood at (beta, zeta); fills `out` with the observation derivatives when given. -Infinity if a probability is 0. */
function logLikAt(
  L: Link,
  S: SparseRows,
  cat: Int32Array,
  w: Float64Array,
  theta: Float64Array,
  p: number,
  K: number,
  out: ObsDerivs | null,
): number {
  const n = cat.length;
  let ll = 0;
  for (let i = 0; i < n; i++) {
    let eta = 0;
    for (let r = S.start[i]; r < S.start[i + 1]; r++) eta += S.val[r] * theta[S.col[r]];
    const k = cat[i];
    const lo = k === 0 ? -Infinity : theta[p + k - 1] - eta;
    const hi = k === K - 1 ? Infinity : theta[p + k] - eta;
    const P = categoryProb(L, lo, hi);
    if (!(P > 0)) return -Infinity;
    ll += w[i] * Math.log(P);
    if (out) {
      const fl = lo === -Infinity ? 0 : L.f(lo);
      const fu = hi === Infinity ? 0 : L.f(hi);
      const dfl = lo === -Infinity ? 0 : L.df(lo);
      const dfu = hi === Infinity ? 0 : L.df(hi);
      const ge = -(fu - fl) / P;
      const gl = -fl / P;
      const gu = fu / P;
      out.ge[i] = ge;
      out.gl[i] = gl;
      out.gu[i] = gu;
      out.hee[i] = (dfu - dfl) / P - ge * ge;
      out.hel[i] = dfl / P - ge * gl;
      out.heu[i] = -dfu / P - ge * gu;
      out.hll[i] = -dfl / P - gl * gl;
      out.huu[i] = dfu / P - gu * gu;
    }
  }
  return ll;
}

/** Gradient and negative Hessian (row-major q x q, q = p + K - 1) of the weighted log likelihood. */
function gradInfo(S: SparseRows, d: ObsDerivs, cat: Int32Array, w: Float64Array, p: number, K: number): { g: Float64Array; A: Float64Array } {
  const q = p + K - 1;
  const g = new Float64Array(q);
  const A = new Float64Array(q * q);
  for (let i = 0; i < cat.length; i++) {
    const wi = w[i];
    const k = cat[i];
    const jl = k > 0 ? p + k - 1 : -1; // parameter index of the lower cut point
    const ju = k < K - 1 ? p + k : -1; // and of the upper one
    const r0 = S.start[i];
    const r1 = S.start[i + 1];
    for (let r = r0; r < r1; r++) {
      const a = S.col[r];
      const xa = S.val[r] * wi;
      g[a] += d.ge[i] * xa;
      const c = -d.hee[i] * xa;
      for (let t = r0; t <= r; t++) A[a * q + S.col[t]] += c * S.val[t];
      if (jl >= 0) A[jl * q + a] -= d.hel[i] * xa;
      if (ju >= 0) A[ju * q + a] -= d.heu[i] * xa;
    }
    if (jl >= 0) {
      g[jl] += wi * d.gl[i];
      A[jl * q + jl] -= wi * d.hll[i];
    }
    if (ju >= 0) {
      g[ju] += wi * d.gu[i];
      A[ju * q + ju] -= wi * d.huu[i];
    }
    // d2l/dzu dzl = 0/P - gl gu, so the negative Hessian gets +gl gu.
    if (jl >= 0 && ju >= 0) A[ju * q + jl] += wi * d.gl[i] * d.gu[i];
  }
  // The lower triangle holds everything (cut points come after the slopes); mirror it.
  for (let a = 0; a < q; a++) for (let b = 0; b < a; b++) A[b * q + a] = A[a * q + b];
  return { g, A };
}

/** Outcome categories of every row (-1 = missing) and the category list, validated against `levels`. */
function codeOutcome(data: DataTable, y: string, levels: string[] | undefined): { codes: Int32Array; categories: string[] } {
  const src = data.source ?? 'data';
  const col = data.columns[y];
  const n = data.nrows;
  const raw: (string | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (col instanceof Float64Array) raw[i] = Number.isNaN(col[i]) ? null : String(col[i]);
    else raw[i] = col[i];
  }
  let categories: string[];
  let key: (s: string) => string = (s) => s;
  if (levels === undefined) {
    categories = sortLevels(raw.filter((v): v is string => v !== null));
  } else {
    if (!Array.isArray(levels) || levels.some((l) => typeof l !== 'string')) {
      throw new InputError("ordered: option 'levels' must be an array of category names (strings), lowest first");
    }
    categories = [...levels];
    if (col instanceof Float64Array) {
      // A numeric outcome matches levels by value, so '1.0' and '1' name the same category.
      const bad = categories.find((l) => l.trim() === '' || !Number.isFinite(Number(l)));
      if (bad !== undefined) throw new InputError(`ordered: option 'levels' has '${bad}', but the outcome '${y}' is numeric; give its values`);
      key = (s) => String(Number(s));
    }
    const seen = new Set<string>();
    for (const l of categories) {
      if (seen.has(key(l))) throw new InputError(`ordered: option 'levels' lists '${l}' twice`);
      seen.add(key(l));
    }
  }
  if (categories.length < 2) {
    throw new InputError(
      levels === undefined
        ? `ordered: the outcome '${y}' has ${categories.length === 0 ? 'no values' : `only one category ('${categories[0]}')`}; an ordered model needs at least 2`
        : `ordered: option 'levels' must list at least 2 categories of '${y}', got ${categories.length}`,
    );
  }
  const index = new Map(categories.map((l, k) => [key(l), k]));
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = raw[i];
    if (v === null) {
      codes[i] = -1;
      continue;
    }
    const k = index.get(key(v));
    if (k === undefined) {
      throw cellError(src, i + 1, y, `outcome '${v}' is not one of the categories in option 'levels' (${categories.map((c) => `'${c}'`).join(', ')})`);
    }
    codes[i] = k;
  }
  return { codes, categories };
}

/** The weight column, checked: numeric and > 0 where present (NaN = missing drops the row). */
function weightColumn(data: DataTable, name: string): Float64Array {
  const src = data.source ?? 'data';
  if (!(name in data.columns)) throw new InputError(`ordered: option 'weights': unknown column '${name}'`);
  const col = data.columns[name];
  if (!(col instanceof Float64Array)) {
    const bad = col.findIndex((v) => v !== null);
    throw cellError(src, bad >= 0 ? bad + 1 : null, name, `${bad >= 0 ? `'${col[bad]}' is not a number` : 'column is not numeric'} (option 'weights' needs numeric frequency weights)`);
  }
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (Number.isNaN(v)) continue;
    if (!(v > 0) || !Number.isFinite(v)) throw cellError(src, i + 1, name, `weight ${v} is not a positive number (option 'weights' needs frequency weights > 0)`);
  }
  return col;
}

/**
 * Ordered logit or probit of `formula` (text `y ~ x1 + i(f) | fe1 + fe2` or a ModelSpec; FE become
 * dummies; the model always has cut points in place of an intercept, so `- 1` changes nothing) on
 * `data`. Bad input (fewer than 2 categories, an outcome value not in `levels`, non-positive
 * weights, unknown columns, bad options) throws InputError naming the column, row or option.
 */
export function orderedModel(data: DataTable, formula: string | ModelSpec, opts: OrderedOptions = {}): OrderedResult {
  const linkName = opts.link ?? 'logit';
  if (linkName !== 'logit' && linkName !== 'probit') throw new InputError(`ordered: option 'link' must be 'logit' or 'probit', got '${String(linkName)}'`);
  const L = linkName === 'logit' ? LOGIT : PROBIT;
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new InputError(`ordered: option 'level' must be in (0, 1), got ${level}`);
  const vcovType = opts.vcov ?? 'hessian';
  if (vcovType !== 'hessian' && vcovType !== 'robust') throw new InputError(`ordered: option 'vcov' must be 'hessian' or 'robust', got '${String(vcovType)}'`);
  const tol = opts.tol ?? 1e-10;
  if (!(tol > 0)) throw new InputError(`ordered: option 'tol' must be positive, got ${tol}`);
  const maxIter = opts.maxIter ?? 100;
  if (!(Number.isInteger(maxIter) && maxIter >= 0)) throw new InputError(`ordered: option 'maxIter' must be a whole number >= 0, got ${maxIter}`);

  // Cut points replace the intercept: keep it in the design (so factor and FE dummies drop their
  // base level and a constant regressor counts as collinear) and remove it afterwards.
  const spec0 = toModelSpec(formula, Object.keys(data.columns));
  const spec: ModelSpec = { ...spec0, intercept: true };
  const { codes: allCodes, categories: listed } = codeOutcome(data, spec.y, opts.levels);
  const wAll = opts.weights !== undefined ? weightColumn(data, opts.weights) : null;
  // The design needs a numeric outcome: pass the category codes, missing (NaN) also where the
  // weight is missing, so listwise deletion covers the weight column too.
  const yCodes = new Float64Array(data.nrows);
  for (let i = 0; i < data.nrows; i++) yCodes[i] = allCodes[i] < 0 || (wAll !== null && Number.isNaN(wAll[i])) ? NaN : allCodes[i];
  const codedData: DataTable = { ...data, columns: { ...data.columns, [spec.y]: yCodes } };
  const designOpts = { cluster: opts.cluster !== undefined ? [opts.cluster] : undefined };
  let D = denseDesign(codedData, spec, designOpts);
  // A fixed-effect level whose observations all sit in the lowest (or all in the highest) category
  // has an infinite MLE for its dummy: drop those observations, as fixest does for GLM fixed effects.
  const y0 = D.y;
  const ends = (excluded: ReadonlySet<number>): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let r = 0; r < y0.length; r++) {
      if (excluded.has(D.rowsUsed[r])) continue;
      lo = Math.min(lo, y0[r]);
      hi = Math.max(hi, y0[r]);
    }
    return [lo, hi];
  };
  const separated = separatedFeRows(
    data,
    spec.fe,
    D.rowsUsed,
    (excluded) => {
      const [lo, hi] = ends(excluded);
      // One category left: no end to separate from (the K < 2 check below reports it).
      return Int8Array.from(y0, (v) => (lo === hi ? 0 : v === lo ? -1 : v === hi ? 1 : 0));
    },
    (side, excluded) => listed[ends(excluded)[side < 0 ? 0 : 1]],
  );
  if (separated.rows.size > 0) {
    const keep = Array.from(D.rowsUsed).filter((i) => !separated.rows.has(i));
    const sub = subsetTable(codedData, keep);
    const D2 = denseDesign(sub, spec, designOpts);
    D = { ...D2, rowsUsed: Int32Array.from(D2.rowsUsed, (r) => keep[r]), missingDropped: D.missingDropped };
  }
  const n = D.y.length;
  const ic = D.names.indexOf(INTERCEPT);
  const X = D.X.filter((_, j) => j !== ic);
  const names = D.names.filter((_, j) => j !== ic);
  const p = X.length;
  const w = new Float64Array(n);
  for (let r = 0; r < n; r++) w[r] = wAll ? wAll[D.rowsUsed[r]] : 1;

  // Categories present in the sample, renumbered 0..K-1.
  const wCount = new Float64Array(listed.length);
  for (let r = 0; r < n; r++) wCount[D.y[r]] += w[r];
  const keepCat: number[] = [];
  const droppedCategories: string[] = [];
  listed.forEach((c, k) => (wCount[k] > 0 ? keepCat.push(k) : droppedCategories.push(c)));
  const K = keepCat.length;
  if (K < 2) {
    throw new InputError(
      `ordered: the outcome '${spec.y}' takes only one category ('${listed[keepCat[0]]}') in the estimation sample of ${n} observations; an ordered model needs at least 2`,
    );
  }
  const renumber = new Int32Array(listed.length).fill(-1);
  keepCat.forEach((k, j) => (renumber[k] = j));
  const cat = new Int32Array(n);
  for (let r = 0; r < n; r++) cat[r] = renumber[D.y[r]];
  const categories = keepCat.map((k) => listed[k]);
  const counts = keepCat.map((k) => wCount[k]);
  const weightSum = counts.reduce((s, c) => s + c, 0);
  const q = p + K - 1;
  if (q > n) throw new InputError(`ordered: ${q} parameters (${p} slopes, ${K - 1} cut points) but only ${n} observations`);

  const S = sparseRows(X, n);
  // Start: no slopes, cut points of the marginal distribution.
  const theta = new Float64Array(q);
  let cum = 0;
  for (let k = 0; k < K - 1; k++) {
    cum += counts[k];
    theta[p + k] = L.quantile(cum / weightSum);
  }

  const der = newDerivs(n);
  const evalAt = (th: Float64Array, withDerivs: boolean): number => logLikAt(L, S, cat, w, th, p, K, withDerivs ? der : null);
  const ordered = (th: Float64Array): boolean => {
    for (let k = 1; k < K - 1; k++) if (!(th[p + k] > th[p + k - 1])) return false;
    return true;
  };

  let ll = evalAt(theta, true);
  let iterations = 0;
  let converged = false;
  let decrement = NaN;
  let A: Float64Array;
  for (;;) {
    const gi = gradInfo(S, der, cat, w, p, K);
    A = gi.A;
    const { d, Ainv } = newtonStep(A, gi.g, q);
    let gd = 0;
    for (let j = 0; j < q; j++) gd += gi.g[j] * d[j];
    decrement = Ainv ? Math.sqrt(Math.max(gd, 0)) : NaN;
    if (Ainv && decrement <= tol) {
      converged = true;
      break;
    }
    if (iterations >= maxIter) break;
    iterations++;
    // Step halving: the first step that keeps the cut points ordered and does not lower the
    // likelihood (beyond rounding) is taken.
    const slack = 8 * Number.EPSILON * (Math.abs(ll) + 1);
    const trial = new Float64Array(q);
    let accepted = false;
    for (let h = 0, t = 1; h < 60; h++, t *= 0.5) {
      for (let j = 0; j < q; j++) trial[j] = theta[j] + t * d[j];
      if (!ordered(trial)) continue;
      const llNew = evalAt(trial, false);
      if (Number.isFinite(llNew) && llNew >= ll - slack) {
        accepted = true;
        break;
      }
    }
    if (!accepted) {
      // No ascent possible in double precision: at the maximum up to rounding when the decrement is tiny.
      converged = Ainv !== null && decrement <= 1e-6;
      break;
    }
    theta.set(trial);
    ll = evalAt(theta, true);
  }

  // A is the negative Hessian at the returned estimate (the loop exits right after computing it).
  const H1 = invSymPD(A, q);
  if (!H1) converged = false;
  const Hinv = H1 ?? new Float64Array(q * q).fill(NaN);

  let V: Float64Array;
  let vType: OrderedResult['vcovType'] = vcovType;
  let nClusters: number | null = null;
  if (opts.cluster !== undefined || vcovType === 'robust') {
    // Scores s_i = (l_eta x_i, l_zl at the lower cut, l_zu at the upper). Frequency weights: a row
    // stands for w_i identical observations, so it adds w_i s_i s_i' (robust) or w_i s_i to its
    // cluster's sum (cluster), exactly as the expanded data would.
    const cl = opts.cluster !== undefined ? D.clusters[0] : null;
    const G = cl ? cl.levels.length : n;
    const meat = new Float64Array(q * q);
    const addOuter = (s: Float64Array, off: number, scale: number): void => {
      for (let a = 0; a < q; a++) {
        const sa = s[off + a];
        if (sa === 0) continue;
        for (let b = 0; b < q; b++) meat[a * q + b] += scale * sa * s[off + b];
      }
    };
    const sums = new Float64Array((cl ? G : 1) * q);
    for (let i = 0; i < n; i++) {
      const off = cl ? cl.codes[i] * q : 0;
      const m = cl ? w[i] : 1;
      if (!cl) sums.fill(0);
      for (let r = S.start[i]; r < S.start[i + 1]; r++) sums[off + S.col[r]] += m * der.ge[i] * S.val[r];
      const k = cat[i];
      if (k > 0) sums[off + p + k - 1] += m * der.gl[i];
      if (k < K - 1) sums[off + p + k] += m * der.gu[i];
      if (!cl) addOuter(sums, 0, w[i]);
    }
    if (cl) for (let c = 0; c < G; c++) addOuter(sums, c * q, 1);
    symmetrize(meat, q);
    V = sandwich(Hinv, meat, q, q);
    let scale = 1;
    if (cl) {
      vType = 'cluster';
      nClusters = G;
      scale = G / (G - 1);
    } else if (opts.stataAdjust) scale = weightSum / (weightSum - 1);
    if (scale !== 1) for (let j = 0; j < V.length; j++) V[j] *= scale;
  } else V = Hinv;

  const cutNames: string[] = [];
  for (let k = 0; k < K - 1; k++) cutNames.push(`${categories[k]}|${categories[k + 1]}`);
  const coef = Float64Array.from(theta);
  const { se, stat, p: pv, ciLow, ciHigh } = normalInference(coef, V, level);
  return {
    terms: [...names, ...cutNames],
    coef,
    vcov: V,
    se,
    stat,
    p: pv,
    ciLow,
    ciHigh,
    dfInference: null,
    n,
    missingDropped: D.missingDropped,
    rowsUsed: D.rowsUsed,
    model: spec0,
    cutpoints: coef.slice(p),
    logLik: ll,
    iterations,
    converged,
    newtonDecrement: decrement,
    categories,
    counts,
    droppedCategories,
    separationDropped: separated.rows.size,
    separatedLevels: separated.levels,
    link: linkName,
    names,
    feDummies: D.feDummies,
    dropped: D.dropped,
    weightSum,
    vcovType: vType,
    nClusters,
  };
}

