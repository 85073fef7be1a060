/**
 * Pieces shared by the maximum-likelihood estimators (tobit.ts, ordered.ts): the design as sparse
 * rows, so fixed-effect dummies cost only their non-zeros when the Hessian is accumulated, and a
 * Newton step that stays defined away from the maximum.
 */
import { invSymPD } from './linalg.ts';

/** Rows of X as sparse (column, value) lists (compressed sparse rows). */
export interface SparseRows {
  start: Int32Array;
  col: Int32Array;
  val: Float64Array;
}

/** The n rows of the column-major design X as sparse rows. */
export function sparseRows(X: readonly Float64Array[], n: number): SparseRows {
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (const x of X) if (x[i] !== 0) c++;
    start[i + 1] = start[i] + c;
  }
  const col = new Int32Array(start[n]);
  const val = new Float64Array(start[n]);
  for (let i = 0; i < n; i++) {
    let r = start[i];
    X.forEach((x, j) => {
      if (x[i] !== 0) {
        col[r] = j;
        val[r++] = x[i];
      }
    });
  }
  return { start, col, val };
}

/**
 * Solves A d = g with A the negative Hessian (row-major q x q). When A is not positive definite
 * (far from the maximum, collinearity, separation) a growing ridge is added and `Ainv` is null, so
 * the caller never takes a covariance from a regularised matrix.
 */
export function newtonStep(A: Float64Array, g: Float64Array, q: number): { d: Float64Array; Ainv: Float64Array | null } {
  const Ainv = invSymPD(A, q);
  if (Ainv) return { d: mulVec(Ainv, g, q), Ainv };
  let maxDiag = 0;
  for (let j = 0; j < q; j++) maxDiag = Math.max(maxDiag, Math.abs(A[j * q + j]));
  for (let mu = 1e-8; mu <= 1e8; mu *= 10) {
    const R = Float64Array.from(A);
    for (let j = 0; j < q; j++) R[j * q + j] += mu * Math.max(Math.abs(A[j * q + j]), 1e-8 * maxDiag, 1e-300);
    const Rinv = invSymPD(R, q);
    if (Rinv) return { d: mulVec(Rinv, g, q), Ainv: null };
  }
  return { d: new Float64Array(q), Ainv: null };
}

/** M v for a row-major q x q matrix. */
export function mulVec(M: Float64Array, v: Float64Array, q: number): Float64Array {
  const out = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    let s = 0;
    for (let j = 0; j < q; j++) s += M[i * q + j] * v[j];
    out[i] = s;
  }
  return out;
}
