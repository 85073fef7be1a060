/**
 * Least squares by Householder QR.
 *
 * The n-row work is a streaming (row-chunked) Householder QR of the augmented matrix [X y]: every
 * chunk of rows is stacked under the running triangular factor and re-triangularised, so memory is
 * O(chunk x p) and X is never copied. R is unique up to signs, so the result equals one big QR.
 *
 * Rank is then decided on the small (p+1) x (p+1) factor with the rule of LINPACK dqrdc2 (what R's
 * lm() uses): columns are taken in model order and a column is declared collinear when the norm of
 * its part orthogonal to the columns already kept is below `tol` times its own norm. With columns
 * scaled to unit norm this is "relative to the largest column norm". Collinear columns are therefore
 * always the LATER ones in model order, as in R.
 *
 * Accuracy: when the model has an intercept, the other columns are centred first (a
 * reparametrisation, undone exactly afterwards: slopes are unchanged, the intercept is recovered),
 * which removes the dominant collinearity of raw polynomial or level data, and one step of iterative
 * refinement (corrected semi-normal equations, residual from the raw data) recovers the digits lost
 * in centring. The default `tol` is 1e-10 on centred columns: it still flags exact collinearity
 * (dummy traps give ~1e-15) but keeps x^10 on NIST Filip, which R (tol 1e-7, raw columns) drops
 * (centred, x^10 has a relative residual norm between 1e-8 and 1e-7).
 *
 * Large n: above GRAM_LIMIT entries the factor comes from the Cholesky factor of the Gram matrix,
 * guarded (see GRAM_LIMIT) and refined; near-collinear designs fall back to Householder.
 */
import { invUpper, matMul, transpose } from './linalg.ts';

/** Default relative rank tolerance (see module comment). */
export const DEFAULT_RANK_TOL = 1e-10;

const CHUNK = 1024;
/**
 * Above this many entries (n x columns) the triangular factor comes from the Gram matrix (4x fewer
 * flops than Householder), accepted only when every column keeps a relative residual norm >= 1e-3
 * after projection on the previous ones (so cond^2 eps is small, one refinement step restores full
 * accuracy, and no rank decision is close); otherwise Householder QR is used.
 */
export const GRAM_LIMIT = 4_000_000;
const GRAM_MIN_RESIDUAL = 1e-3;
/** Largest n x rank for which refinement runs in double-double arithmetic. */
const DD_LIMIT = 2_000_000;

/**
 * Upper-triangular factor R (q x q, row-major) of the column-major matrix [cols], with the columns
 * transformed on the fly as (col - shift). Unpivoted: rank decisions happen later on R itself.
 */
export function streamingR(cols: readonly Float64Array[], shift?: Float64Array): Float64Array {
  const q = cols.length;
  const n = q === 0 ? 0 : cols[0].length;
  const m = q + CHUNK;
  // Work buffer: column-major, m rows; rows 0..q-1 hold the running R, the rest the chunk.
  const W: Float64Array[] = [];
  for (let j = 0; j < q; j++) W.push(new Float64Array(m));
  for (let start = 0; start < n; start += CHUNK) {
    const b = Math.min(CHUNK, n - start);
    for (let j = 0; j < q; j++) {
      const c = cols[j];
      const w = W[j];
      const s = shift ? shift[j] : 0;
      for (let i = 0; i < b; i++) w[q + i] = c[start + i] - s;
      for (let i = q + b; i < m; i++) w[i] = 0;
    }
    householderInPlace(W, q, q + b);
  }
  const R = new Float64Array(q * q);
  for (let i = 0; i < q; i++) for (let j = i; j < q; j++) R[i * q + j] = W[j][i];
  return R;
}

/**
 * Upper-triangular factor of [cols - shift] by Cholesky of its Gram matrix, or null when some
 * regressor column (all but the last, which is y) is nearly collinear with the earlier ones.
 */
export function gramR(cols: readonly Float64Array[], shift?: Float64Array): Float64Array | null {
  const q = cols.length;
  const n = q === 0 ? 0 : cols[0].length;
  const G = new Float64Array(q * q);
  const B = 2048;
  const Z: Float64Array[] = Array.from({ length: q }, () => new Float64Array(B));
  for (let start = 0; start < n; start += B) {
    const b = Math.min(B, n - start);
    for (let j = 0; j < q; j++) {
      const c = cols[j];
      const z = Z[j];
      const s = shift ? shift[j] : 0;
      for (let i = 0; i < b; i++) z[i] = c[start + i] - s;
    }
    for (let a = 0; a < q; a++) {
      const za = Z[a];
      for (let c = a; c < q; c++) G[a * q + c] += dotN(za, Z[c], b);
    }
  }
  const R = new Float64Array(q * q);
  for (let j = 0; j < q; j++) {
    for (let i = 0; i < j; i++) {
      let s = G[i * q + j];
      for (let l = 0; l < i; l++) s -= R[l * q + i] * R[l * q + j];
      R[i * q + j] = s / R[i * q + i];
    }
    let d = G[j * q + j];
    for (let l = 0; l < j; l++) d -= R[l * q + j] * R[l * q + j];
    if (j < q - 1 && !(d > GRAM_MIN_RESIDUAL * GRAM_MIN_RESIDUAL * G[j * q + j])) return null;
    R[j * q + j] = Math.sqrt(Math.max(d, 0));
  }
  return R;
}

/** Dot product of the first b entries (four accumulators). */
function dotN(a: Float64Array, c: Float64Array, b: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < b; i += 4) {
    s0 += a[i] * c[i];
    s1 += a[i + 1] * c[i + 1];
    s2 += a[i + 2] * c[i + 2];
    s3 += a[i + 3] * c[i + 3];
  }
  for (; i < b; i++) s0 += a[i] * c[i];
  return s0 + s1 + (s2 + s3);
}

/**
 * Unpivoted Householder triangularisation of the first `rows` rows of the column-major buffer W,
 * whose rows 0..q-1 are already upper triangular (the running R). Leaves R in rows 0..q-1.
 */
function householderInPlace(W: Float64Array[], q: number, rows: number): void {
  for (let j = 0; j < q; j++) {
    const v = W[j];
    // Entries j+1..q-1 of column j are zero (triangular part), so the reflector acts on j and the chunk.
    let norm2 = v[j] * v[j];
    for (let i = q; i < rows; i++) norm2 += v[i] * v[i];
    const tail2 = norm2 - v[j] * v[j];
    if (tail2 === 0) continue; // already triangular in this column
    const norm = Math.sqrt(norm2);
    const alpha = v[j] > 0 ? -norm : norm;
    const vj = v[j] - alpha;
    // H = I - tau u u', u = (vj at j, v[q..rows) in chunk); tau = -1/(alpha*vj).
    const tau = -1 / (alpha * vj);
    for (let c = j + 1; c < q; c++) {
      const w = W[c];
      let s = vj * w[j];
      for (let i = q; i < rows; i++) s += v[i] * w[i];
      s *= tau;
      w[j] -= s * vj;
      for (let i = q; i < rows; i++) w[i] -= s * v[i];
    }
    v[j] = alpha;
    for (let i = q; i < rows; i++) v[i] = 0;
  }
}

export interface PivotedR {
  /** Original indices (into the p columns) kept, ascending. */
  kept: number[];
  /** Original indices declared collinear, ascending. */
  dropped: number[];
  /** rank x rank upper-triangular factor of the kept columns (row-major). */
  R: Float64Array;
  /** Q'y restricted to the kept columns (length rank), when a y column was supplied. */
  qty: Float64Array;
  /** Norm of the residual of y (|last diagonal|), when a y column was supplied. */
  residNorm: number;
}

/**
 * dqrdc2-style limited pivoting on a small q x q upper-triangular factor whose first p columns are
 * regressors and (if `hasY`) whose last column is y. See module comment for the rule.
 */
export function pivotR(Rin: Float64Array, q: number, hasY: boolean, tol: number): PivotedR {
  const p = hasY ? q - 1 : q;
  // Columns of Rin as column-major working vectors of length q.
  const cols: Float64Array[] = [];
  const norms: number[] = [];
  for (let j = 0; j < q; j++) {
    const c = new Float64Array(q);
    for (let i = 0; i <= j; i++) c[i] = Rin[i * q + j];
    cols.push(c);
    let s = 0;
    for (let i = 0; i < q; i++) s += c[i] * c[i];
    norms.push(Math.sqrt(s));
  }
  const kept: number[] = [];
  const dropped: number[] = [];
  const vs: Float64Array[] = [];
  const taus: number[] = [];
  const order = hasY ? [...Array(p).keys(), p] : [...Array(p).keys()];
  for (const j of order) {
    const c = cols[j];
    const r = kept.length;
    for (let l = 0; l < r; l++) applyReflector(vs[l], taus[l], l, c);
    let tail = 0;
    for (let i = r; i < q; i++) tail += c[i] * c[i];
    tail = Math.sqrt(tail);
    if (j === p) break; // the y column: only transformed
    if (norms[j] === 0 || tail < tol * norms[j]) {
      dropped.push(j);
      continue;
    }
    const alpha = c[r] > 0 ? -tail : tail;
    const v = new Float64Array(q);
    for (let i = r; i < q; i++) v[i] = c[i];
    v[r] -= alpha;
    const tau = v[r] === 0 ? 0 : -1 / (alpha * v[r]);
    c[r] = alpha;
    for (let i = r + 1; i < q; i++) c[i] = 0;
    vs.push(v);
    taus.push(tau);
    kept.push(j);
  }
  const rank = kept.length;
  const R = new Float64Array(rank * rank);
  for (let a = 0; a < rank; a++) {
    const c = cols[kept[a]];
    for (let i = 0; i <= a; i++) R[i * rank + a] = c[i];
  }
  const qty = new Float64Array(rank);
  let residNorm = 0;
  if (hasY) {
    const y = cols[p];
    for (let i = 0; i < rank; i++) qty[i] = y[i];
    let s = 0;
    for (let i = rank; i < q; i++) s += y[i] * y[i];
    residNorm = Math.sqrt(s);
  }
  return { kept, dropped, R, qty, residNorm };
}

function applyReflector(v: Float64Array, tau: number, from: number, c: Float64Array): void {
  if (tau === 0) return;
  let s = 0;
  for (let i = from; i < c.length; i++) s += v[i] * c[i];
  s *= tau;
  for (let i = from; i < c.length; i++) c[i] -= s * v[i];
}

/** Solve R x = b for upper-triangular row-major R (order r). */
export function backSolve(R: Float64Array, b: Float64Array, r: number): Float64Array {
  const x = new Float64Array(r);
  for (let i = r - 1; i >= 0; i--) {
    let s = b[i];
    for (let l = i + 1; l < r; l++) s -= R[i * r + l] * x[l];
    x[i] = s / R[i * r + i];
  }
  return x;
}

/** Solve R' x = b for upper-triangular row-major R (order r). */
export function forwardSolveT(R: Float64Array, b: Float64Array, r: number): Float64Array {
  const x = new Float64Array(r);
  for (let i = 0; i < r; i++) {
    let s = b[i];
    for (let l = 0; l < i; l++) s -= R[l * r + i] * x[l];
    x[i] = s / R[i * r + i];
  }
  return x;
}

export interface LeastSquaresOptions {
  /** Index of the all-ones intercept column, or -1. Other columns are centred when it is present. */
  intercept?: number;
  /** Relative rank tolerance, default DEFAULT_RANK_TOL. */
  tol?: number;
  /** Steps of iterative refinement, default 1. */
  refine?: number;
  /**
   * How the triangular factor is computed: 'householder' (streaming QR), 'gram' (Cholesky of the
   * Gram matrix, falling back to Householder when a column is nearly collinear) or 'auto'
   * (default: 'gram' above GRAM_LIMIT entries).
   */
  factor?: 'auto' | 'householder' | 'gram';
}

export interface LeastSquaresResult {
  /** Coefficients of all p columns in original order; NaN for dropped columns. */
  coef: Float64Array;
  kept: number[];
  dropped: number[];
  rank: number;
  /** Residuals y - X b. */
  resid: Float64Array;
  rss: number;
  /**
   * (X_k'X_k)^-1 of the kept columns (row-major rank x rank), in the ORIGINAL parametrisation.
   * Computed in the centred parametrisation and mapped back exactly.
   */
  xtxInv: Float64Array;
  /** Centring shift of each kept column (0 for the intercept / when there is none). */
  shift: Float64Array;
  /** (Xc'Xc)^-1 of the centred kept columns, row-major (used by the variance code with `shift`). */
  xtxInvCentred: Float64Array;
  /** Upper-triangular factor of the centred kept columns (for leverages). */
  R: Float64Array;
  /** Position (within kept) of the intercept, or -1. */
  interceptPos: number;
}

/**
 * Ordinary least squares of y on the columns X (column-major Float64Array each), with dqrdc2-style
 * rank detection. See the module comment for the numerical method.
 */
export function leastSquares(X: readonly Float64Array[], y: Float64Array, opts: LeastSquaresOptions = {}): LeastSquaresResult {
  const p = X.length;
  const n = y.length;
  const tol = opts.tol ?? DEFAULT_RANK_TOL;
  // The centring identity below needs a genuine all-ones column.
  const icpt = opts.intercept !== undefined && opts.intercept >= 0 && X[opts.intercept].every((v) => v === 1) ? opts.intercept : -1;
  const shiftAll = new Float64Array(p + 1);
  if (icpt >= 0) {
    for (let j = 0; j < p; j++) if (j !== icpt) shiftAll[j] = mean(X[j]);
    shiftAll[p] = mean(y);
  }
  const factor = opts.factor ?? 'auto';
  const big = factor === 'gram' || (factor === 'auto' && n * (p + 1) > GRAM_LIMIT);
  const Rfull = (big ? gramR([...X, y], shiftAll) : null) ?? streamingR([...X, y], shiftAll);
  const piv = pivotR(Rfull, p + 1, true, tol);
  const { kept, dropped, R } = piv;
  const rank = kept.length;
  const Xk = kept.map((j) => X[j]);
  const shift = new Float64Array(kept.map((j) => shiftAll[j]));
  const interceptPos = kept.indexOf(icpt);
  // gamma: coefficients of the centred columns; the intercept coefficient absorbs mean(y).
  const gamma = backSolve(R, piv.qty, rank);
  if (interceptPos >= 0) gamma[interceptPos] += shiftAll[p]; // the all-ones column carries mean(y)
  let beta = toOriginal(gamma, shift, interceptPos);
  // Double-double residuals pay off on small, ill-conditioned problems (NIST); on millions of rows
  // the data are already rounded (e.g. demeaned) and plain double refinement is enough.
  const exact = n * rank <= DD_LIMIT;
  const resid = new Float64Array(n);
  for (let step = 0; step < (opts.refine ?? 1); step++) {
    // Corrected semi-normal equations R'R dg = Xc'r, with r and Xc'r = X'r - shift * sum(r) from the
    // RAW columns, so the centring rounding does not perturb the problem.
    let g: Float64Array;
    if (exact) {
      const r = residualsDD(Xk, y, beta);
      const sr = dotDD(r, null);
      g = new Float64Array(rank);
      for (let a = 0; a < rank; a++) g[a] = dotDD(Xk[a], r) - shift[a] * sr;
    } else g = residualCross(Xk, shift, y, beta, resid);
    const dg = backSolve(R, forwardSolveT(R, g, rank), rank);
    for (let a = 0; a < rank; a++) gamma[a] += dg[a];
    beta = toOriginal(gamma, shift, interceptPos);
  }
  residualsInto(Xk, y, beta, resid);
  let rss = 0;
  for (let i = 0; i < n; i++) rss += resid[i] * resid[i];
  const Rinv = invUpper(R, rank);
  const xtxInvCentred = matMul(Rinv, transpose(Rinv, rank, rank), rank, rank, rank);
  const A = centringMap(shift, interceptPos);
  const xtxInv = matMul(matMul(A, xtxInvCentred, rank, rank, rank), transpose(A, rank, rank), rank, rank, rank);
  const coef = new Float64Array(p).fill(NaN);
  kept.forEach((j, a) => (coef[j] = beta[a]));
  return { coef, kept, dropped, rank, resid, rss, xtxInv, shift, xtxInvCentred, R, interceptPos };
}

/**
 * Matrix A with beta = A gamma: slopes are unchanged, the intercept is gamma_0 - sum_j shift_j gamma_j.
 * Row-major r x r.
 */
export function centringMap(shift: Float64Array, interceptPos: number): Float64Array {
  const r = shift.length;
  const A = new Float64Array(r * r);
  for (let i = 0; i < r; i++) A[i * r + i] = 1;
  if (interceptPos >= 0) for (let j = 0; j < r; j++) if (j !== interceptPos) A[interceptPos * r + j] = -shift[j];
  return A;
}

function toOriginal(gamma: Float64Array, shift: Float64Array, interceptPos: number): Float64Array {
  const beta = new Float64Array(gamma);
  if (interceptPos >= 0) {
    let s = 0;
    for (let j = 0; j < gamma.length; j++) if (j !== interceptPos) s += shift[j] * gamma[j];
    beta[interceptPos] = gamma[interceptPos] - s;
  }
  return beta;
}

/** y - X b, accumulated column by column. */
export function residuals(X: readonly Float64Array[], y: Float64Array, b: Float64Array): Float64Array {
  return residualsInto(X, y, b, new Float64Array(y.length));
}

/** r = y - X b written into `r`, row chunk by row chunk (each chunk stays in cache). */
function residualsInto(X: readonly Float64Array[], y: Float64Array, b: Float64Array, r: Float64Array): Float64Array {
  const n = y.length;
  const B = 4096;
  for (let start = 0; start < n; start += B) {
    const end = Math.min(n, start + B);
    for (let i = start; i < end; i++) r[i] = y[i];
    for (let j = 0; j < X.length; j++) {
      const c = X[j];
      const bj = b[j];
      for (let i = start; i < end; i++) r[i] -= c[i] * bj;
    }
  }
  return r;
}

/**
 * Xc'r for r = y - X b, in one cache-friendly sweep over row chunks; `resid` receives r.
 */
function residualCross(X: readonly Float64Array[], shift: Float64Array, y: Float64Array, b: Float64Array, resid: Float64Array): Float64Array {
  const p = X.length;
  const n = y.length;
  const g = new Float64Array(p);
  const B = 4096;
  for (let start = 0; start < n; start += B) {
    const end = Math.min(n, start + B);
    for (let i = start; i < end; i++) resid[i] = y[i];
    for (let j = 0; j < p; j++) {
      const x = X[j];
      const bj = b[j];
      for (let i = start; i < end; i++) resid[i] -= x[i] * bj;
    }
    for (let j = 0; j < p; j++) {
      const x = X[j];
      const s = shift[j];
      let acc = 0;
      for (let i = start; i < end; i++) acc += (x[i] - s) * resid[i];
      g[j] += acc;
    }
  }
  return g;
}

/** Arithmetic mean, two-pass (the correction pass removes most rounding error). */
export function mean(x: Float64Array): number {
  const n = x.length;
  if (n === 0) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  const m = s / n;
  let c = 0;
  for (let i = 0; i < n; i++) c += x[i] - m;
  return m + c / n;
}

/**
 * Leverages h_ii of the kept columns: squared row norms of Xc R^-1 (Xc = the centred kept columns,
 * intercept included, whose factor R is). O(n r^2) time, one n-vector per kept column.
 */
export function leverages(X: readonly Float64Array[], ls: LeastSquaresResult): Float64Array {
  const { kept, R, shift, rank } = ls;
  const n = X.length ? X[0].length : 0;
  const h = new Float64Array(n);
  const U: Float64Array[] = [];
  for (let a = 0; a < rank; a++) {
    const x = X[kept[a]];
    const u = new Float64Array(n);
    const s = shift[a];
    for (let i = 0; i < n; i++) u[i] = x[i] - s;
    for (let l = 0; l < a; l++) {
      const rla = R[l * rank + a];
      const ul = U[l];
      for (let i = 0; i < n; i++) u[i] -= rla * ul[i];
    }
    const inv = 1 / R[a * rank + a];
    for (let i = 0; i < n; i++) {
      u[i] *= inv;
      h[i] += u[i] * u[i];
    }
    U.push(u);
  }
  return h;
}

const SPLIT = 134217729; // 2^27 + 1 (Dekker)
/** y - X b with every product and sum in double-double (Dekker / Knuth error-free transforms). */
export function residualsDD(X: readonly Float64Array[], y: Float64Array, b: Float64Array): Float64Array {
  const n = y.length;
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let hi = y[i];
    let lo = 0;
    for (let j = 0; j < X.length; j++) {
      const a = X[j][i];
      const c = -b[j];
      // TwoProduct(a, c)
      const p = a * c;
      let t = SPLIT * a;
      const ah = t - (t - a);
      const al = a - ah;
      t = SPLIT * c;
      const ch = t - (t - c);
      const cl = c - ch;
      const e = ((ah * ch - p) + ah * cl + al * ch) + al * cl;
      // TwoSum(hi, p)
      const s = hi + p;
      const bb = s - hi;
      const err = (hi - (s - bb)) + (p - bb);
      hi = s;
      lo += err + e;
    }
    r[i] = hi + lo;
  }
  return r;
}

/** sum_i a_i b_i (b = null: sum_i a_i) accumulated in double-double. */
export function dotDD(a: Float64Array, b: Float64Array | null): number {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < a.length; i++) {
    let p: number;
    let e = 0;
    if (b) {
      const x = a[i];
      const c = b[i];
      p = x * c;
      let t = SPLIT * x;
      const xh = t - (t - x);
      const xl = x - xh;
      t = SPLIT * c;
      const ch = t - (t - c);
      const cl = c - ch;
      e = ((xh * ch - p) + xh * cl + xl * ch) + xl * cl;
    } else p = a[i];
    const s = hi + p;
    const bb = s - hi;
    lo += (hi - (s - bb)) + (p - bb) + e;
    hi = s;
  }
  return hi + lo;
}
