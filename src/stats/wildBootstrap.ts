/**
 * Wild cluster restricted bootstrap (WCR) test of one OLS coefficient, as Stata's `boottest`
 * (Roodman, MacKinnon, Nielsen & Webb 2019, "Fast and wild"), with a test-inversion confidence
 * interval.
 *
 * Model y = X b + u on the dense design (intercept + regressors + FE dummies, denseDesign.ts),
 * errors correlated within clusters g = 1..G. For a null b_j = h:
 *  - restricted fit: regress y - h x_j on the other columns; residuals e~(h), fitted X b~(h);
 *  - bootstrap samples y* = X b~(h) + e~(h) * v_g(i), v = Rademacher or Webb weights per cluster;
 *  - bootstrap t* = (b*_j - h) / se*_j with the CR1 (Stata) variance
 *    c sum_g (z_g' e*_g)^2, c = G/(G-1) (N-1)/(N-k), z = X (X'X)^-1 e_j;
 *  - p = share of draws with |t*| >= |t|, t = (b_j - h) / se_j from the original fit.
 *
 * No draw is refitted. With z = M_{X-j} x_j / ||M_{X-j} x_j||^2 (Frisch-Waugh) and
 * e* = M_X (e~ * v), the cluster scores of a draw are S* = M v with the G x G matrix
 *   M[g][h'] = [g = h'] s_g - F_g' (X'X)^-1 W_h',  s_g = z_g' e~_g,  F_g = X_g' z_g,  W_h = X_h' e~_h,
 * and the numerator is b*_j - h = s' v. Each draw then costs O(G^2). Since e~(h) = e0 - h e1 with
 * e0 = M_{X-j} y and e1 = M_{X-j} x_j, s and M are linear in h: per draw five numbers
 * (s0'v, s1'v, |M0 v|^2, (M0 v)'(M1 v), |M1 v|^2) give t*(h) for every h, so the confidence
 * interval is found by a root search over h that re-imposes each h in the bootstrap DGP with the
 * same draws (as boottest does), at O(B) per evaluation.
 *
 * Ties: the draws v = +1 and v = -1 reproduce |t| exactly (up to rounding), so with full
 * enumeration ties are real. We count |t*| >= |t| (a tie: within TIE_TOLERANCE relative); boottest
 * counts |t*| > |t| strictly. `ties` is returned, so boottest's p is p - ties / B.
 */
import { InputError } from '../errors.ts';
import { denseDesign } from './denseDesign.ts';
import { leastSquares } from './qr.ts';
import { createRng, type Rng } from './rng.ts';
import type { DataTable, ModelSpec } from './types.ts';

export type BootWeights = 'rademacher' | 'webb';

export interface WildBootstrapOptions {
  /** The one cluster variable (a column of the data). */
  cluster: string;
  /** Coefficient name to test, as the design names it (e.g. 'political_connection', 'g::b'). */
  param: string;
  /** Null value, default 0. */
  h0?: number;
  /** Default 'rademacher'. */
  weights?: BootWeights;
  /** Number of draws, default 9999. */
  B?: number;
  /** 'auto' (default): enumerate the 2^G Rademacher sign vectors when 2^G <= B (then B = 2^G). */
  enumerate?: 'auto' | boolean;
  /** Seed of createRng (src/stats/rng.ts); default DEFAULT_WCB_SEED. */
  seed?: number;
  /** Confidence level of the test-inversion interval, default 0.95. */
  level?: number;
  /** Compute the test-inversion interval (default true); otherwise ciLow/ciHigh are NaN. */
  ci?: boolean;
  /** Progress over the draws, called at most ~100 times. */
  onProgress?: (done: number, total: number) => void;
}

export interface WildBootstrapResult {
  param: string;
  /** OLS estimate of the parameter. */
  coef: number;
  /** Its CR1 (Stata) clustered standard error. */
  se: number;
  /** (coef - h0) / se. */
  t: number;
  /** Bootstrap p-value: share of draws with |t*| >= |t| (ties counted). */
  p: number;
  /** Test-inversion bounds; +-Infinity when p never falls to 1 - level on that side. */
  ciLow: number;
  ciHigh: number;
  /** Draws used (2^G when enumerated). */
  B: number;
  enumerated: boolean;
  weights: BootWeights;
  /** Number of clusters. */
  G: number;
  seed: number;
  h0: number;
  /** Draws with |t*| equal to |t| (within TIE_TOLERANCE); boottest's strict p = p - ties / B. */
  ties: number;
}

/** Seed used when none is given (any fixed value: results must not depend on the clock). */
export const DEFAULT_WCB_SEED = 20211001;
/** Default number of draws, as commonly used with boottest (B + 1 = 10,000 makes 0.05 and 0.01 exact quantiles). */
export const DEFAULT_WCB_B = 9999;
/** |t*| within this relative distance of |t| is a tie (counted as >=). */
export const TIE_TOLERANCE = 1e-10;
/** Explicit enumeration beyond 2^20 draws is refused (memory and time). */
const MAX_ENUMERATE_G = 20;

const WEBB_POINTS = [-Math.sqrt(1.5), -1, -Math.sqrt(0.5), Math.sqrt(0.5), 1, Math.sqrt(1.5)];

/**
 * Everything a draw needs, precomputed once: the original estimate and CR1 SE, and the pieces of
 * the bootstrap numerator (s = s0 + h s1) and cluster-score map (M = M0 + h M1), G x G row-major.
 */
export interface WcrPieces {
  n: number;
  k: number;
  G: number;
  coef: number;
  se: number;
  /** CR1 factor G/(G-1) (n-1)/(n-k). */
  scale: number;
  s0: Float64Array;
  s1: Float64Array;
  M0: Float64Array;
  M1: Float64Array;
}

/**
 * Precomputes the WCR pieces for column `j` of the full-rank design X (columns of length n), with
 * cluster codes 0..G-1. Cost O(n k + G k^2 + G^2 k).
 */
export function wcrPieces(X: readonly Float64Array[], y: Float64Array, j: number, codes: Int32Array, G: number): WcrPieces {
  const k = X.length;
  const n = y.length;
  const icpt = X.findIndex((c) => c.every((v) => v === 1));
  const full = leastSquares(X, y, { intercept: icpt });
  if (full.rank !== k) throw new Error('wcrPieces: the design must have full column rank');
  const others = X.filter((_, c) => c !== j);
  const oIcpt = others.findIndex((c) => c.every((v) => v === 1));
  const e1 = leastSquares(others, X[j], { intercept: oIcpt }).resid; // minus the slope in h of the restricted residuals
  // Restricted residuals at h = 0: M_{X-j} y = e + b_j M_{X-j} x_j (y = X_{-j} c + b_j x_j + e, M_{X-j} e = e).
  const e0 = full.resid.map((e, i) => e + full.coef[j] * e1[i]);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += e1[i] * e1[i];
  // z = X (X'X)^-1 e_j = M_{X-j} x_j / ||M_{X-j} x_j||^2 (Frisch-Waugh), without inverting X'X.
  const z = e1.map((v) => v / ss);
  const coef = full.coef[j];
  const scale = (G / (G - 1)) * ((n - 1) / (n - k));
  const score = new Float64Array(G);
  for (let i = 0; i < n; i++) score[codes[i]] += z[i] * full.resid[i];
  let v = 0;
  for (let g = 0; g < G; g++) v += score[g] * score[g];
  const se = Math.sqrt(scale * v);

  // Per-cluster sums: s (numerator), F = X_g' z_g, W = X_g' e~_g (both parts).
  const s0 = new Float64Array(G);
  const s1 = new Float64Array(G);
  const F = new Float64Array(G * k);
  const W0 = new Float64Array(G * k);
  const W1 = new Float64Array(G * k);
  for (let i = 0; i < n; i++) {
    const g = codes[i];
    s0[g] += z[i] * e0[i];
    s1[g] -= z[i] * e1[i];
  }
  for (let c = 0; c < k; c++) {
    const x = X[c];
    for (let i = 0; i < n; i++) {
      const o = codes[i] * k + c;
      F[o] += x[i] * z[i];
      W0[o] += x[i] * e0[i];
      W1[o] -= x[i] * e1[i];
    }
  }
  // Q_g = (X'X)^-1 F_g, then M[g][h] = [g = h] s_g - Q_g' W_h.
  const inv = full.xtxInv;
  const Q = new Float64Array(G * k);
  for (let g = 0; g < G; g++) {
    for (let a = 0; a < k; a++) {
      let t = 0;
      for (let b = 0; b < k; b++) t += inv[a * k + b] * F[g * k + b];
      Q[g * k + a] = t;
    }
  }
  const M0 = new Float64Array(G * G);
  const M1 = new Float64Array(G * G);
  for (let g = 0; g < G; g++) {
    for (let h = 0; h < G; h++) {
      let t0 = 0;
      let t1 = 0;
      for (let a = 0; a < k; a++) {
        t0 += Q[g * k + a] * W0[h * k + a];
        t1 += Q[g * k + a] * W1[h * k + a];
      }
      M0[g * G + h] = -t0;
      M1[g * G + h] = -t1;
    }
    M0[g * G + g] += s0[g];
    M1[g * G + g] += s1[g];
  }
  return { n, k, G, coef, se, scale, s0, s1, M0, M1 };
}

/**
 * Per-draw coefficients of t*(h) = (a + h b) / sqrt(scale (c + 2 h d + h^2 e)), stored as
 * `coefs[5 * draw + 0..4]` = a, b, c, d, e.
 */
export interface DrawCoefficients {
  B: number;
  scale: number;
  coefs: Float64Array;
}

/**
 * Computes the per-draw coefficients for B draws; `fill(v, b)` writes the G weights of draw b
 * into v. O(B G^2).
 */
export function drawCoefficients(
  pc: WcrPieces,
  B: number,
  fill: (v: Float64Array, b: number) => void,
  onProgress?: (done: number, total: number) => void,
): DrawCoefficients {
  const G = pc.G;
  const { s0, s1, M0, M1 } = pc;
  const coefs = new Float64Array(5 * B);
  const v = new Float64Array(G);
  const every = Math.max(1, Math.ceil(B / 100));
  for (let b = 0; b < B; b++) {
    fill(v, b);
    let a = 0;
    let bb = 0;
    let c = 0;
    let d = 0;
    let e = 0;
    for (let g = 0; g < G; g++) {
      a += s0[g] * v[g];
      bb += s1[g] * v[g];
      let u = 0;
      let w = 0;
      const row = g * G;
      for (let h = 0; h < G; h++) {
        u += M0[row + h] * v[h];
        w += M1[row + h] * v[h];
      }
      c += u * u;
      d += u * w;
      e += w * w;
    }
    const o = 5 * b;
    coefs[o] = a;
    coefs[o + 1] = bb;
    coefs[o + 2] = c;
    coefs[o + 3] = d;
    coefs[o + 4] = e;
    if (onProgress && ((b + 1) % every === 0 || b + 1 === B)) onProgress(b + 1, B);
  }
  return { B, scale: pc.scale, coefs };
}

/** The bootstrap t statistics of every draw under the null value h. */
export function bootstrapT(dc: DrawCoefficients, h: number): Float64Array {
  const out = new Float64Array(dc.B);
  for (let b = 0; b < dc.B; b++) out[b] = tAt(dc.coefs, 5 * b, dc.scale, h);
  return out;
}

function tAt(coefs: Float64Array, o: number, scale: number, h: number): number {
  const num = coefs[o] + h * coefs[o + 1];
  const den2 = coefs[o + 2] + h * (2 * coefs[o + 3] + h * coefs[o + 4]);
  return num / Math.sqrt(scale * Math.max(den2, 0));
}

/** Counts draws with |t*(h)| >= |t| (ties within TIE_TOLERANCE included) and the ties alone. */
export function exceedances(dc: DrawCoefficients, h: number, t: number): { count: number; ties: number } {
  const at = Math.abs(t);
  const tol = TIE_TOLERANCE * at;
  let count = 0;
  let ties = 0;
  for (let b = 0; b < dc.B; b++) {
    const ab = Math.abs(tAt(dc.coefs, 5 * b, dc.scale, h));
    if (ab >= at - tol) {
      count++;
      if (ab <= at + tol) ties++;
    } else if (Number.isNaN(ab)) count++; // a draw without a defined SE counts against rejection
  }
  return { count, ties };
}

/** Bootstrap p-value as a function of the null value h (same draws for every h). */
export function pValueAt(pc: WcrPieces, dc: DrawCoefficients, h: number): number {
  return exceedances(dc, h, (pc.coef - h) / pc.se).count / dc.B;
}

/**
 * One bound of the test-inversion interval: from the estimate outwards (side -1 or +1) in steps
 * of se, 2 se, 4 se, ... to the first h with p(h) <= alpha, then bisection to the jump of p
 * (to 1e-14 relative). The innermost crossing is returned; +-Infinity when p stays above alpha.
 */
export function ciBound(pc: WcrPieces, dc: DrawCoefficients, alpha: number, side: -1 | 1): number {
  const b = pc.coef;
  let inner = b;
  let step = pc.se;
  let outer = b + side * step;
  let doublings = 0;
  while (pValueAt(pc, dc, outer) > alpha) {
    if (++doublings > 60) return side * Infinity;
    inner = outer;
    step *= 2;
    outer = b + side * step;
  }
  const tol = 1e-14 * Math.max(Math.abs(b), pc.se);
  for (let it = 0; it < 200; it++) {
    const mid = (inner + outer) / 2;
    if (mid === inner || mid === outer) break;
    if (pValueAt(pc, dc, mid) > alpha) inner = mid;
    else outer = mid;
    if (Math.abs(outer - inner) <= tol) break;
  }
  return (inner + outer) / 2;
}

/** Draw b of the full Rademacher enumeration: v_g = -1 when bit g of b is set, else +1. */
export function enumeratedWeights(v: Float64Array, b: number): void {
  for (let g = 0; g < v.length; g++) v[g] = Math.floor(b / 2 ** g) % 2 === 1 ? -1 : 1;
}

/**
 * Random weights drawn in order from `rng`: Rademacher from the top bit of one 32-bit output per
 * cluster, Webb as one of six equally likely points (rng.int(0, 5)).
 */
export function randomWeights(rng: Rng, kind: BootWeights): (v: Float64Array, b: number) => void {
  if (kind === 'rademacher') {
    return (v) => {
      for (let g = 0; g < v.length; g++) v[g] = rng.nextU32() >>> 31 ? 1 : -1;
    };
  }
  return (v) => {
    for (let g = 0; g < v.length; g++) v[g] = WEBB_POINTS[rng.int(0, 5)];
  };
}

/**
 * WCR wild cluster bootstrap test of `opts.param` = h0 in the OLS model `formula` (FE as dummies),
 * clustered by `opts.cluster`: CR1 t, bootstrap p and test-inversion interval, as Stata's
 * `boottest param = h0, cluster(c) weighttype(rademacher|webb) reps(B) seed(...)` after
 * `regress y x i.fe, vce(cluster c)`. Bad input throws InputError.
 */
export function wildClusterBootstrap(data: DataTable, formula: string | ModelSpec, opts: WildBootstrapOptions): WildBootstrapResult {
  const o = validateOptions(opts);
  const d = denseDesign(data, formula, { cluster: [o.cluster] });
  const j = d.names.indexOf(o.param);
  if (j < 0) {
    if (d.dropped.includes(o.param)) throw new InputError(`wild bootstrap: parameter '${o.param}' was dropped as collinear`);
    const shown = d.names.filter((nm) => !d.feDummies.includes(nm));
    throw new InputError(`wild bootstrap: unknown parameter '${o.param}' (the model has ${shown.map((s) => `'${s}'`).join(', ')})`);
  }
  const cl = d.clusters[0];
  const G = cl.levels.length;
  if (G < 2) throw new InputError(`wild bootstrap: cluster variable '${o.cluster}' has ${G} cluster; at least 2 are needed`);
  const n = d.y.length;
  const k = d.X.length;
  if (n <= k) throw new InputError(`wild bootstrap: the model has ${k} parameters but only ${n} observations`);

  let enumerated: boolean;
  if (o.enumerate === 'auto') enumerated = o.weights === 'rademacher' && G <= 52 && 2 ** G <= o.B;
  else enumerated = o.enumerate;
  if (enumerated && o.weights !== 'rademacher') throw new InputError(`wild bootstrap: option 'enumerate' needs Rademacher weights (got '${o.weights}')`);
  if (enumerated && G > MAX_ENUMERATE_G) {
    throw new InputError(`wild bootstrap: option 'enumerate' with ${G} clusters would need 2^${G} draws (at most 2^${MAX_ENUMERATE_G})`);
  }
  const B = enumerated ? 2 ** G : o.B;

  const pc = wcrPieces(d.X, d.y, j, cl.codes, G);
  const fill = enumerated ? enumeratedWeights : randomWeights(createRng(o.seed), o.weights);
  const dc = drawCoefficients(pc, B, fill, o.onProgress);
  const t = (pc.coef - o.h0) / pc.se;
  const ex = exceedances(dc, o.h0, t);
  let ciLow = NaN;
  let ciHigh = NaN;
  if (o.ci) {
    ciLow = ciBound(pc, dc, 1 - o.level, -1);
    ciHigh = ciBound(pc, dc, 1 - o.level, 1);
  }
  return {
    param: o.param,
    coef: pc.coef,
    se: pc.se,
    t,
    p: ex.count / B,
    ciLow,
    ciHigh,
    B,
    enumerated,
    weights: o.weights,
    G,
    seed: o.seed,
    h0: o.h0,
    ties: ex.ties,
  };
}

type ResolvedOptions = Required<Omit<WildBootstrapOptions, 'onProgress'>> & Pick<WildBootstrapOptions, 'onProgress'>;

/** Defaults and checks of the options; each error names the option. */
function validateOptions(opts: WildBootstrapOptions): ResolvedOptions {
  if (!opts || typeof opts.cluster !== 'string' || opts.cluster === '') {
    throw new InputError("wild bootstrap: option 'cluster' (one cluster variable) is required");
  }
  if (typeof opts.param !== 'string' || opts.param === '') throw new InputError("wild bootstrap: option 'param' (the coefficient to test) is required");
  const h0 = opts.h0 ?? 0;
  if (!Number.isFinite(h0)) throw new InputError(`wild bootstrap: option 'h0' must be a finite number, got ${h0}`);
  const weights = opts.weights ?? 'rademacher';
  if (weights !== 'rademacher' && weights !== 'webb') throw new InputError(`wild bootstrap: option 'weights' must be 'rademacher' or 'webb', got '${String(weights)}'`);
  const B = opts.B ?? DEFAULT_WCB_B;
  if (!Number.isInteger(B) || B < 1) throw new InputError(`wild bootstrap: option 'B' must be a positive integer, got ${B}`);
  const enumerate = opts.enumerate ?? 'auto';
  if (enumerate !== 'auto' && enumerate !== true && enumerate !== false) {
    throw new InputError(`wild bootstrap: option 'enumerate' must be 'auto', true or false, got '${String(enumerate)}'`);
  }
  const seed = opts.seed ?? DEFAULT_WCB_SEED;
  if (!Number.isSafeInteger(seed)) throw new InputError(`wild bootstrap: option 'seed' must be an integer, got ${seed}`);
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new InputError(`wild bootstrap: option 'level' must be between 0 and 1, got ${level}`);
  return { cluster: opts.cluster, param: opts.param, h0, weights, B, enumerate, seed, level, ci: opts.ci ?? true, onProgress: opts.onProgress };
}
