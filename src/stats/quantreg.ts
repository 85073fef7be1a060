/**
 * Quantile (by default median) regression from a formula, as R `quantreg::rq(method = "br")` with
 * `summary.rq(fit, se = ...)` for inference. Fixed effects after `|` become dummies (denseDesign):
 * the check-loss objective cannot be demeaned away as least squares can.
 *
 * Coefficients are the exact LP vertex of the Barrodale-Roberts simplex (rqSimplex.ts). Standard
 * errors follow summary.rq step by step:
 * - 'iid': tau(1-tau) s^2 (X'X)^-1, the sparsity s estimated from the spacing of the ordered
 *   residuals (a median regression of the h+1 residuals after the exact zeros on their ranks).
 * - 'nid' (default, as summary.rq for n > 1000 and the study): Hendricks-Koenker sandwich
 *   tau(1-tau) H^-1 X'X H^-1, H = X' diag(f) X, with f_i = max(0, 2h / (x_i'(b(tau+h) - b(tau-h)) - eps)),
 *   the difference quotient of the fitted conditional quantile; it allows the density of y to vary
 *   with x, which iid does not, and needs no kernel choice, which ker does.
 * - 'ker': Powell's kernel sandwich, f_i = phi(u_i / h) / h with a Gaussian kernel.
 * The bandwidth h is bandwidth.rq's (Hall-Sheather by default, Bofinger on request), halved while
 * tau +- h leaves (0, 1) (nid, ker). Inference uses the t distribution with n - p df, as summary.rq.
 */
import qnorm from '@stdlib/stats-base-dists-normal-quantile';
import type { DataTable, Estimates, ModelSpec } from './types.ts';
import { denseDesign } from './denseDesign.ts';
import { rqBarrodaleRoberts, BrSingularError } from './rqSimplex.ts';
import { invUpper, sandwich } from './linalg.ts';
import { quantile } from './quantile.ts';
import { tPValue, confInt } from './inference.ts';
import { InputError } from '../errors.ts';

export type RqSe = 'iid' | 'nid' | 'ker';
export type RqBandwidth = 'hall-sheather' | 'bofinger';

export interface RqOptions {
  /** Quantile, strictly inside (0, 1); default 0.5 (median regression). */
  tau?: number;
  /** Standard errors as summary.rq `se =`; default 'nid'. */
  se?: RqSe;
  /** Confidence level of the intervals, default 0.95. */
  level?: number;
  /** bandwidth.rq rule: 'hall-sheather' (hs = TRUE, the default) or 'bofinger' (hs = FALSE). */
  bandwidth?: RqBandwidth;
}

export interface RqResult extends Estimates {
  tau: number;
  /** Sum of check losses sum_i rho_tau(y_i - x_i'b) (rq's `rho`). */
  objective: number;
  /** The bandwidth in quantile units (bandwidth.rq), after the halving nid and ker apply. */
  bandwidth: number;
  se: Float64Array;
  seMethod: RqSe;
  /** Same as `terms`. */
  names: string[];
  /** Names of the FE dummy columns (a subset of `names`). */
  feDummies: string[];
  /** Columns removed as collinear by denseDesign. */
  dropped: string[];
  /** Another vertex attains the same objective (R: "Solution may be nonunique"). */
  nonUnique?: boolean;
  /** 'ker' only: the kernel bandwidth in residual units. */
  kernelBandwidth?: number;
  /** 'nid' only: observations whose estimated density was not positive (R warns "k non-positive fis"). */
  nonPositiveDensities?: number;
  /** Why the standard errors are NaN (a singular weighted design), else absent. */
  seNote?: string;
}

/** sqrt(.Machine$double.eps), summary.rq's `eps`. */
const SQRT_EPS = Math.sqrt(2.220446049250313e-16);
const SE_METHODS: readonly RqSe[] = ['iid', 'nid', 'ker'];
const BANDWIDTHS: readonly RqBandwidth[] = ['hall-sheather', 'bofinger'];

/** Fits the tau-th quantile regression of `formula` on `data`. Bad input throws InputError. */
export function rq(data: DataTable, formula: string | ModelSpec, opts: RqOptions = {}): RqResult {
  const tau = opts.tau ?? 0.5;
  if (typeof tau !== 'number' || !(tau > 0 && tau < 1)) {
    throw new InputError(`rq: option 'tau' must lie strictly between 0 and 1, got ${String(tau)}`);
  }
  const seMethod = opts.se ?? 'nid';
  if (!SE_METHODS.includes(seMethod)) {
    throw new InputError(`rq: option 'se' must be one of ${SE_METHODS.join(', ')}, got '${String(seMethod)}'`);
  }
  const bwRule = opts.bandwidth ?? 'hall-sheather';
  if (!BANDWIDTHS.includes(bwRule)) {
    throw new InputError(`rq: option 'bandwidth' must be one of ${BANDWIDTHS.join(', ')}, got '${String(bwRule)}'`);
  }
  const level = opts.level ?? 0.95;
  if (typeof level !== 'number' || !(level > 0 && level < 1)) {
    throw new InputError(`rq: option 'level' must lie strictly between 0 and 1, got ${String(level)}`);
  }

  const d = denseDesign(data, formula);
  const X = d.X;
  const y = d.y;
  const n = y.length;
  const p = X.length;
  if (p === 0) throw new InputError('rq: the model has no coefficients (no regressors and no intercept)');
  if (n <= p) {
    throw new InputError(`rq: ${n} observations for ${p} coefficients; quantile regression needs more observations than coefficients`);
  }

  const sol = solve(X, y, tau, d.names);
  const coef = sol.coef;
  const resid = residuals(X, y, coef);
  let objective = 0;
  for (let i = 0; i < n; i++) objective += resid[i] * (tau - (resid[i] < 0 ? 1 : 0));

  const hs = bwRule === 'hall-sheather';
  let vcov: Float64Array;
  let bandwidth = rqBandwidth(tau, n, bwRule);
  const extra: Partial<RqResult> = {};
  if (seMethod === 'iid') {
    vcov = vcovIid(X, resid, tau, bandwidth);
  } else {
    while (tau - bandwidth < 0 || tau + bandwidth > 1) bandwidth /= 2;
    let f: Float64Array;
    if (seMethod === 'nid') {
      const bhi = solve(X, y, tau + bandwidth, d.names).coef;
      const blo = solve(X, y, tau - bandwidth, d.names).coef;
      const diff = new Float64Array(p);
      for (let j = 0; j < p; j++) diff[j] = bhi[j] - blo[j];
      const dyhat = linearPredictor(X, diff);
      f = new Float64Array(n);
      let nonPositive = 0;
      for (let i = 0; i < n; i++) {
        if (dyhat[i] <= 0) nonPositive++;
        f[i] = Math.max(0, (2 * bandwidth) / (dyhat[i] - SQRT_EPS));
      }
      extra.nonPositiveDensities = nonPositive;
    } else {
      const sd = Math.sqrt(sampleVariance(resid));
      const iqr = (quantile(resid, 0.75, 7) - quantile(resid, 0.25, 7)) / 1.34;
      const hk = (qnorm(tau + bandwidth, 0, 1) - qnorm(tau - bandwidth, 0, 1)) * Math.min(sd, iqr);
      f = new Float64Array(n);
      for (let i = 0; i < n; i++) f[i] = dnorm(resid[i] / hk) / hk;
      extra.kernelBandwidth = hk;
    }
    const Hinv = crossprodInverse(X, f);
    if (Hinv === null) {
      vcov = new Float64Array(p * p).fill(NaN);
      extra.seNote = `X' diag(f) X is singular (the ${seMethod} density estimates leave a column without weight)`;
    } else {
      vcov = sandwich(Hinv, crossprod(X), p, p);
      for (let k = 0; k < vcov.length; k++) vcov[k] *= tau * (1 - tau);
    }
  }

  const df = n - p;
  const se = new Float64Array(p);
  const stat = new Float64Array(p);
  const pv = new Float64Array(p);
  const ciLow = new Float64Array(p);
  const ciHigh = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    se[j] = Math.sqrt(vcov[j * p + j]);
    stat[j] = coef[j] / se[j];
    pv[j] = tPValue(stat[j], df);
    [ciLow[j], ciHigh[j]] = confInt(coef[j], se[j], level, df);
  }
  return {
    terms: d.names,
    coef,
    vcov,
    se,
    stat,
    p: pv,
    ciLow,
    ciHigh,
    dfInference: df,
    n,
    missingDropped: d.missingDropped,
    rowsUsed: d.rowsUsed,
    tau,
    objective,
    bandwidth,
    seMethod,
    names: d.names,
    feDummies: d.feDummies,
    dropped: d.dropped,
    nonUnique: sol.nonUnique,
    ...extra,
  };
}

/**
 * bandwidth.rq(tau, n, hs): Hall-Sheather (alpha = 0.05)
 * n^(-1/3) z_{0.975}^(2/3) (1.5 phi(z_tau)^2 / (2 z_tau^2 + 1))^(1/3), or Bofinger
 * n^(-1/5) (4.5 phi(z_tau)^4 / (2 z_tau^2 + 1)^2)^(1/5). A bandwidth in quantile (tau) units.
 */
export function rqBandwidth(tau: number, n: number, rule: RqBandwidth = 'hall-sheather'): number {
  const x0 = qnorm(tau, 0, 1);
  const f0 = dnorm(x0);
  if (rule === 'hall-sheather') {
    return Math.pow(n, -1 / 3) * Math.pow(qnorm(0.975, 0, 1), 2 / 3) * Math.pow((1.5 * f0 * f0) / (2 * x0 * x0 + 1), 1 / 3);
  }
  return Math.pow(n, -0.2) * Math.pow((4.5 * f0 ** 4) / (2 * x0 * x0 + 1) ** 2, 0.2);
}

/** The BR solution, with a singular design reported as the user's problem (InputError naming the column). */
function solve(X: readonly Float64Array[], y: Float64Array, tau: number, names: readonly string[]) {
  try {
    return rqBarrodaleRoberts(X, y, tau);
  } catch (e) {
    if (e instanceof BrSingularError) {
      const what = e.column >= 0 ? `column '${names[e.column]}' is (numerically) collinear with the others` : e.message;
      throw new InputError(`rq: the design is singular at tau = ${tau}: ${what}`);
    }
    throw e;
  }
}

/** X b accumulated column by column, the order R's x %*% b (BLAS dgemv) uses, so residual ties break as in R. */
function linearPredictor(X: readonly Float64Array[], b: Float64Array): Float64Array {
  const n = X[0].length;
  const out = new Float64Array(n);
  for (let j = 0; j < X.length; j++) {
    const bj = b[j];
    const col = X[j];
    for (let i = 0; i < n; i++) out[i] += bj * col[i];
  }
  return out;
}

/** y - X b. */
function residuals(X: readonly Float64Array[], y: Float64Array, b: Float64Array): Float64Array {
  const fit = linearPredictor(X, b);
  const r = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) r[i] = y[i] - fit[i];
  return r;
}

/**
 * summary.rq se = "iid": the sparsity 1/f(F^-1(tau)) is the slope of a median regression of the
 * ordered residuals ranked pz+1 .. pz+h+1 by |u| (pz = exact zeros) on rank/(n-p).
 */
function vcovIid(X: readonly Float64Array[], resid: Float64Array, tau: number, bw: number): Float64Array {
  const n = resid.length;
  const p = X.length;
  let pz = 0;
  for (let i = 0; i < n; i++) if (Math.abs(resid[i]) < SQRT_EPS) pz++;
  const h = Math.max(p + 1, Math.ceil(n * bw));
  if (h + pz + 1 > n) {
    throw new InputError(`rq: se = 'iid' needs ranks up to ${h + pz + 1} of the residuals but there are ${n} observations; use se = 'nid' or 'ker'`);
  }
  // order(abs(resid)) is stable: ties keep row order.
  const byAbs = Array.from({ length: n }, (_, i) => i).sort((a, b) => Math.abs(resid[a]) - Math.abs(resid[b]) || a - b);
  const len = h + 1;
  const ordResid = new Float64Array(len);
  const xt = new Float64Array(len);
  for (let k = 0; k < len; k++) {
    const rank = pz + 1 + k; // 1-based, as R's ir
    ordResid[k] = resid[byAbs[rank - 1]];
    xt[k] = rank / (n - p);
  }
  ordResid.sort();
  const ones = new Float64Array(len).fill(1);
  const sparsity = rqBarrodaleRoberts([ones, xt], ordResid, 0.5).coef[1];
  const xxinv = crossprodInverse(X, null);
  const V = new Float64Array(p * p);
  if (xxinv === null) return V.fill(NaN);
  const s = sparsity * sparsity * tau * (1 - tau);
  for (let k = 0; k < p * p; k++) V[k] = s * xxinv[k];
  return V;
}

/**
 * (X' W X)^-1 for W = diag(w) (w null: identity) through the Householder QR of sqrt(W) X, as
 * summary.rq (qr, backsolve): R^-1 R^-T. Null when a column's remaining norm falls below 1e-7 of
 * its norm (the tolerance of R's qr), i.e. the weighted design is singular.
 */
export function crossprodInverse(X: readonly Float64Array[], w: Float64Array | null): Float64Array | null {
  const p = X.length;
  const n = X[0].length;
  const A = X.map((col) => {
    const c = Float64Array.from(col);
    if (w) for (let i = 0; i < n; i++) c[i] *= Math.sqrt(w[i]);
    return c;
  });
  const R = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    const a = A[j];
    let orig = 0;
    for (let i = 0; i < n; i++) orig += X[j][i] * X[j][i] * (w ? w[i] : 1);
    let norm = 0;
    for (let i = j; i < n; i++) norm += a[i] * a[i];
    norm = Math.sqrt(norm);
    if (!(norm > 1e-7 * Math.sqrt(orig))) return null;
    // Householder vector v = a[j:] + sign(a_j) |a[j:]| e_1, reflecting a[j:] onto -sign(a_j)|a| e_1.
    const alpha = a[j] >= 0 ? -norm : norm;
    const v0 = a[j] - alpha;
    let vnorm2 = v0 * v0;
    for (let i = j + 1; i < n; i++) vnorm2 += a[i] * a[i];
    R[j * p + j] = alpha;
    if (vnorm2 === 0) continue;
    for (let k = j + 1; k < p; k++) {
      const c = A[k];
      let s = v0 * c[j];
      for (let i = j + 1; i < n; i++) s += a[i] * c[i];
      const g = (2 * s) / vnorm2;
      c[j] -= g * v0;
      for (let i = j + 1; i < n; i++) c[i] -= g * a[i];
      R[j * p + k] = c[j];
    }
  }
  const Ri = invUpper(R, p);
  const out = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let k = i; k < p; k++) {
      let s = 0;
      for (let l = k; l < p; l++) s += Ri[i * p + l] * Ri[k * p + l];
      out[i * p + k] = s;
      out[k * p + i] = s;
    }
  }
  return out;
}

/** X'X, row-major p x p. */
function crossprod(X: readonly Float64Array[]): Float64Array {
  const p = X.length;
  const n = X[0].length;
  const G = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    for (let b = a; b < p; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += X[a][i] * X[b][i];
      G[a * p + b] = s;
      G[b * p + a] = s;
    }
  }
  return G;
}

/** R's var() of a vector: mean with one correction pass, then sum of squares / (n - 1). */
function sampleVariance(x: Float64Array): number {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  let m = s / n;
  let c = 0;
  for (let i = 0; i < n; i++) c += x[i] - m;
  m += c / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
  return ss / (n - 1);
}

/** Standard normal density; for |x| >= 5 split x so exp keeps its digits (as R's dnorm). */
function dnorm(x: number): number {
  const INV_SQRT_2PI = 0.398942280401432677939946059934;
  const a = Math.abs(x);
  if (!Number.isFinite(a)) return Number.isNaN(x) ? NaN : 0;
  if (a < 5) return INV_SQRT_2PI * Math.exp(-0.5 * a * a);
  if (a > Math.sqrt(2 * Math.LN2 * 1073)) return 0; // underflows, as R's cut-off
  const x1 = Math.round(a * 65536) / 65536;
  const x2 = a - x1;
  return INV_SQRT_2PI * (Math.exp(-0.5 * x1 * x1) * Math.exp((-0.5 * x2 - x1) * x2));
}
