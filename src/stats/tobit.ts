/**
 * Tobit (censored normal) regression by maximum likelihood: y* = x'b + e, e ~ N(0, sigma^2), and
 * y is observed only between the limits. It matches R `AER::tobit` (= `survival::survreg`,
 * dist = "gaussian") and Stata `tobit y x, ll(#) ul(#)`.
 *
 * Censoring convention (that of AER::tobit and Stata): an observation with y <= left is
 * left-censored AT `left`, one with y >= right is right-censored AT `right`; a value beyond a
 * limit therefore contributes log P(y* <= left), not a density at its own value.
 *
 * Parameters are (b, log sigma), as survreg's "Log(scale)". Newton's method with the analytic
 * gradient and analytic Hessian, step halving on the log likelihood, started from OLS. Variances:
 * the inverse observed information (R `vcov(m)`), the HC0 sandwich (R `sandwich::sandwich(m)`) or
 * the cluster sandwich with G/(G-1) (R `sandwich::vcovCL(m, cluster = g, type = "HC0")`, Stata
 * `vce(cluster g)`). Inference is normal (z), as `summary(tobit)` and Stata.
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { InputError } from '../errors.ts';
import type { DataTable, Estimates, ModelSpec } from './types.ts';
import { denseDesign, INTERCEPT } from './denseDesign.ts';
import { separatedFeRows, subsetTable } from './separation.ts';
import { leastSquares, mean } from './qr.ts';
import { invSymPD, sandwich, symmetrize } from './linalg.ts';
import { newtonStep, sparseRows, type SparseRows } from './newton.ts';
import { normalInference } from './inference.ts';

export interface TobitOptions {
  /** Lower censoring limit: y <= left is left-censored at `left`. Default null (none). */
  left?: number | null;
  /** Upper censoring limit: y >= right is right-censored at `right`. Default null (none). At least one limit is required. */
  right?: number | null;
  /**
   * 'hessian' (default): inverse of the negative analytic Hessian (R `vcov(m)`); 'robust': HC0
   * sandwich H^-1 (sum s_i s_i') H^-1 (R `sandwich(m)`). Ignored when `cluster` is given.
   */
  vcov?: 'hessian' | 'robust';
  /** Cluster-robust sandwich over this column's groups, scaled by G/(G-1) (Stata `vce(cluster)`, R `vcovCL(type = "HC0")`). */
  cluster?: string;
  /** With vcov 'robust' (no cluster): multiply by n/(n-1) as Stata `tobit, vce(robust)` does. Default false (R's HC0). */
  stataAdjust?: boolean;
  /** Confidence level of the intervals, default 0.95. */
  level?: number;
  /**
   * Convergence tolerance on the Newton decrement sqrt(g' (-H)^-1 g), i.e. the remaining distance
   * to the maximum measured in standard errors. Default 1e-10.
   */
  tol?: number;
  /** Newton iterations allowed, default 100. */
  maxIter?: number;
}

export interface TobitResult extends Estimates {
  /** Terms are the model's coefficients in design order, then 'log(sigma)' (R's "Log(scale)"). */
  model: ModelSpec;
  /** The limits used (null = none). */
  left: number | null;
  right: number | null;
  /** exp(log sigma) and its delta-method SE sigma * se(log sigma), under the chosen variance. */
  sigma: number;
  sigmaSe: number;
  logLik: number;
  /** Newton iterations performed. */
  iterations: number;
  /** False when maxIter was reached or no step could raise the likelihood before the tolerance was met. */
  converged: boolean;
  /** Newton decrement at the returned estimate (distance to the maximum in standard-error units). */
  newtonDecrement: number;
  nLeft: number;
  nRight: number;
  nUncensored: number;
  /** Observations dropped because every observation of their fixed-effect level is censored at the same limit (infinite MLE of the dummy). */
  separationDropped: number;
  /** Those levels, e.g. 'industry::C22 (all censored at 80)'. */
  separatedLevels: string[];
  /** Names of the design columns (the terms without 'log(sigma)'). */
  names: string[];
  /** FE dummy columns among `names`, so reports can hide them. */
  feDummies: string[];
  /** Design columns dropped as collinear. */
  dropped: string[];
  vcovType: 'hessian' | 'robust' | 'cluster';
  /** Number of clusters, or null when not clustered. */
  nClusters: number | null;
}

/** Name of the scale parameter in `terms`. */
export const LOG_SIGMA = 'log(sigma)';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
/** Below this argument log Phi and the Mills ratio come from the continued fraction (Phi underflows near -38). */
const CF_BELOW = -30;

/**
 * log Phi(w) and the inverse Mills ratio lambda = phi(w) / Phi(w), both accurate far into the lower
 * tail (where a censored observation lies under a poor start value) and near 1 in the upper tail.
 */
export function logPhiMills(w: number): { logPhi: number; lambda: number } {
  if (w < CF_BELOW) {
    // Phi(w)/phi(w) = R(x), x = -w: Laplace's continued fraction 1/(x+1/(x+2/(x+3/(x+...)))),
    // which at x > 30 is exact to rounding after a few terms.
    const x = -w;
    let t = x;
    for (let k = 40; k >= 1; k--) t = x + k / t;
    const r = 1 / t;
    return { logPhi: -0.5 * w * w - LOG_SQRT_2PI + Math.log(r), lambda: 1 / r };
  }
  const phi = INV_SQRT_2PI * Math.exp(-0.5 * w * w);
  // For w >= 0 take 1 - Phi(-w) so log Phi keeps its digits where Phi rounds to 1.
  const Phi = normalCdf(w, 0, 1);
  const logPhi = w < 0 ? Math.log(Phi) : Math.log1p(-normalCdf(-w, 0, 1));
  return { logPhi, lambda: phi / Phi };
}

/** Censoring of each observation: -1 left-censored, +1 right-censored, 0 observed. */
function classify(y: Float64Array, left: number | null, right: number | null): Int8Array {
  const c = new Int8Array(y.length);
  for (let i = 0; i < y.length; i++) {
    if (left !== null && y[i] <= left) c[i] = -1;
    else if (right !== null && y[i] >= right) c[i] = 1;
  }
  return c;
}

/** Per-observation first and second derivatives of the log likelihood in (eta = x'b, tau = log sigma). */
interface ObsDerivs {
  ge: Float64Array;
  gt: Float64Array;
  hee: Float64Array;
  het: Float64Array;
  htt: Float64Array;
}

/**
 * The censored-normal log likelihood at (eta, tau), and, when `out` is given, its observation-level
 * derivatives. With z = (y - eta)/sigma for an observed y, and w = (L - eta)/sigma (left) or (eta - U)/sigma (right), lambda = phi(w)/Phi(w):
 *   observed: l = -tau - log sqrt(2 pi) - z^2/2; l_eta = z/sigma; l_tau = z^2 - 1;
 *             l_eta,eta = -1/sigma^2; l_eta,tau = -2z/sigma; l_tau,tau = -2 z^2.
 *   censored: l = log Phi(w); l_eta = -/+ lambda/sigma (left/right); l_tau = -lambda w;
 *             l_eta,eta = -lambda(w+lambda)/sigma^2; l_eta,tau = +/- lambda(1 - w(w+lambda))/sigma;
 *             l_tau,tau = lambda w (1 - w(w+lambda)).
 * (dw/dtau = -w and dlambda/dw = -lambda(w + lambda) give the censored rows.)
 */
function obsDerivs(y: Float64Array, eta: Float64Array, cens: Int8Array, tau: number, left: number, right: number, out: ObsDerivs | null): number {
  const sigma = Math.exp(tau);
  let ll = 0;
  for (let i = 0; i < y.length; i++) {
    if (cens[i] === 0) {
      const z = (y[i] - eta[i]) / sigma;
      ll += -tau - LOG_SQRT_2PI - 0.5 * z * z;
      if (out) {
        out.ge[i] = z / sigma;
        out.gt[i] = z * z - 1;
        out.hee[i] = -1 / (sigma * sigma);
        out.het[i] = (-2 * z) / sigma;
        out.htt[i] = -2 * z * z;
      }
    } else {
      const s = cens[i]; // -1 left, +1 right
      const w = s < 0 ? (left - eta[i]) / sigma : (eta[i] - right) / sigma;
      const { logPhi, lambda } = logPhiMills(w);
      ll += logPhi;
      if (out) {
        const q = 1 - w * (w + lambda);
        out.ge[i] = (s * lambda) / sigma;
        out.gt[i] = -lambda * w;
        out.hee[i] = (-lambda * (w + lambda)) / (sigma * sigma);
        out.het[i] = (-s * lambda * q) / sigma;
        out.htt[i] = lambda * w * q;
      }
    }
  }
  return ll;
}

/** eta = X b over the sparse rows. */
function linearPredictor(S: SparseRows, b: Float64Array, n: number): Float64Array {
  const eta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let r = S.start[i]; r < S.start[i + 1]; r++) s += S.val[r] * b[S.col[r]];
    eta[i] = s;
  }
  return eta;
}

/** Gradient (length p+1) and negative Hessian (row-major (p+1)^2) of the log likelihood from the observation pieces. */
function gradInfo(S: SparseRows, d: ObsDerivs, n: number, p: number): { g: Float64Array; A: Float64Array } {
  const q = p + 1;
  const g = new Float64Array(q);
  const A = new Float64Array(q * q);
  for (let i = 0; i < n; i++) {
    const r0 = S.start[i];
    const r1 = S.start[i + 1];
    for (let r = r0; r < r1; r++) {
      const a = S.col[r];
      const xa = S.val[r];
      g[a] += d.ge[i] * xa;
      A[a * q + p] -= d.het[i] * xa;
      const w = -d.hee[i] * xa;
      for (let t = r0; t <= r; t++) A[a * q + S.col[t]] += w * S.val[t];
    }
    g[p] += d.gt[i];
    A[p * q + p] -= d.htt[i];
  }
  // Fill the upper triangle of the beta block and the tau row from the accumulated halves.
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < a; b++) A[b * q + a] = A[a * q + b];
    A[p * q + a] = A[a * q + p];
  }
  return { g, A };
}

function checkLimit(v: number | null | undefined, what: 'left' | 'right'): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`tobit: option '${what}' must be a finite number or null, got ${String(v)}`);
  return v;
}

/**
 * Tobit regression of `formula` (text `y ~ x1 + i(f) | fe` or a ModelSpec; FE become dummies) on
 * `data`, censored at `opts.left` and/or `opts.right`. Bad input (no limit, left >= right, no
 * uncensored observation, non-numeric outcome, unknown columns) throws InputError.
 */
export function tobit(data: DataTable, formula: string | ModelSpec, opts: TobitOptions): TobitResult {
  const left = checkLimit(opts.left, 'left');
  const right = checkLimit(opts.right, 'right');
  if (left === null && right === null) throw new InputError("tobit: give a censoring limit, option 'left' and/or 'right'");
  if (left !== null && right !== null && !(left < right)) throw new InputError(`tobit: option 'left' (${left}) must be below option 'right' (${right})`);
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new InputError(`tobit: option 'level' must be in (0, 1), got ${level}`);
  const vcovType = opts.vcov ?? 'hessian';
  if (vcovType !== 'hessian' && vcovType !== 'robust') throw new InputError(`tobit: option 'vcov' must be 'hessian' or 'robust', got '${String(vcovType)}'`);
  const tol = opts.tol ?? 1e-10;
  const maxIter = opts.maxIter ?? 100;

  const designOpts = { cluster: opts.cluster ? [opts.cluster] : undefined };
  let D = denseDesign(data, formula, designOpts);
  // A fixed-effect level whose observations are all censored at the same limit has an infinite MLE
  // for its dummy: drop those observations (the limit of the likelihood), as fixest does for GLM FE.
  const side0 = classify(D.y, left, right);
  const separated = separatedFeRows(data, D.model.fe, D.rowsUsed, () => side0, (side) => `censored at ${side < 0 ? left : right}`);
  if (separated.rows.size > 0) {
    const keep = Array.from(D.rowsUsed).filter((i) => !separated.rows.has(i));
    const D2 = denseDesign(subsetTable(data, keep), D.model, designOpts);
    D = { ...D2, rowsUsed: Int32Array.from(D2.rowsUsed, (r) => keep[r]), missingDropped: D.missingDropped };
  }
  const { y, X } = D;
  const n = y.length;
  const p = X.length;
  const q = p + 1;
  const cens = classify(y, left, right);
  let nLeft = 0;
  let nRight = 0;
  for (let i = 0; i < n; i++) {
    if (cens[i] < 0) nLeft++;
    else if (cens[i] > 0) nRight++;
  }
  const nUncensored = n - nLeft - nRight;
  const yName = D.model.y;
  const limits = [left !== null ? `left = ${left}` : '', right !== null ? `right = ${right}` : ''].filter(Boolean).join(', ');
  // No censored observation is allowed, as in Stata (the fit is then the normal linear model by ML:
  // OLS coefficients, sigma^2 = RSS/n); callers see it in nLeft/nRight.
  if (nUncensored === 0) {
    throw new InputError(`tobit: every observation of '${yName}' is censored (${limits}); sigma is not identified`);
  }
  if (q > n) throw new InputError(`tobit: ${q} parameters but only ${n} observations`);

  const S = sparseRows(X, n);
  // Start from OLS on all observations: b_OLS and log of the ML residual SD.
  const ols = leastSquares(X, y, { intercept: D.names.indexOf(INTERCEPT) });
  const theta = new Float64Array(q);
  for (let j = 0; j < p; j++) theta[j] = ols.coef[j];
  theta[p] = Math.log(Math.max(Math.sqrt(ols.rss / n), 1e-8 * (1 + Math.abs(mean(y)))));

  const L = left ?? 0;
  const U = right ?? 0;
  const der: ObsDerivs = {
    ge: new Float64Array(n),
    gt: new Float64Array(n),
    hee: new Float64Array(n),
    het: new Float64Array(n),
    htt: new Float64Array(n),
  };
  const evalAt = (th: Float64Array, withDerivs: boolean): number =>
    obsDerivs(y, linearPredictor(S, th.subarray(0, p), n), cens, th[p], L, U, withDerivs ? der : null);

  let ll = evalAt(theta, true);
  let iterations = 0;
  let converged = false;
  let decrement = NaN;
  let A: Float64Array;
  for (;;) {
    const gi = gradInfo(S, der, n, p);
    const g = gi.g;
    A = gi.A;
    const { d, Ainv } = newtonStep(A, g, q);
    let gd = 0;
    for (let j = 0; j < q; j++) gd += g[j] * d[j];
    decrement = Ainv ? Math.sqrt(Math.max(gd, 0)) : NaN;
    if (Ainv && decrement <= tol) {
      converged = true;
      break;
    }
    if (iterations >= maxIter) break;
    iterations++;
    // Step halving: accept the first step that does not lower the likelihood (beyond rounding).
    const slack = 8 * Number.EPSILON * (Math.abs(ll) + 1);
    let t = 1;
    let accepted = false;
    const trial = new Float64Array(q);
    for (let h = 0; h < 60; h++, t *= 0.5) {
      for (let j = 0; j < q; j++) trial[j] = theta[j] + t * d[j];
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
  let vType: TobitResult['vcovType'] = vcovType;
  let nClusters: number | null = null;
  if (opts.cluster || vcovType === 'robust') {
    // Scores s_i = (l_eta x_i, l_tau); meat = sum over clusters (or rows) of summed scores' outer products.
    const cl = opts.cluster ? D.clusters[0] : null;
    const G = cl ? cl.levels.length : n;
    const sums = new Float64Array(G * q);
    for (let i = 0; i < n; i++) {
      const gi = cl ? cl.codes[i] : i;
      for (let r = S.start[i]; r < S.start[i + 1]; r++) sums[gi * q + S.col[r]] += der.ge[i] * S.val[r];
      sums[gi * q + p] += der.gt[i];
    }
    const meat = new Float64Array(q * q);
    for (let c = 0; c < G; c++) {
      for (let a = 0; a < q; a++) {
        const sa = sums[c * q + a];
        if (sa === 0) continue;
        for (let b = 0; b < q; b++) meat[a * q + b] += sa * sums[c * q + b];
      }
    }
    symmetrize(meat, q);
    V = sandwich(Hinv, meat, q, q);
    let scale = 1;
    if (cl) {
      vType = 'cluster';
      nClusters = G;
      scale = G / (G - 1);
    } else if (opts.stataAdjust) scale = n / (n - 1);
    if (scale !== 1) for (let j = 0; j < V.length; j++) V[j] *= scale;
  } else V = Hinv;

  const terms = [...D.names, LOG_SIGMA];
  const coef = Float64Array.from(theta);
  const { se, stat, p: pv, ciLow, ciHigh } = normalInference(coef, V, level);
  const sigma = Math.exp(theta[p]);
  return {
    terms,
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
    model: D.model,
    left,
    right,
    sigma,
    sigmaSe: sigma * se[p],
    logLik: ll,
    iterations,
    converged,
    newtonDecrement: decrement,
    nLeft,
    nRight,
    nUncensored,
    separationDropped: separated.rows.size,
    separatedLevels: separated.levels,
    names: D.names,
    feDummies: D.feDummies,
    dropped: D.dropped,
    vcovType: vType,
    nClusters,
  };
}
