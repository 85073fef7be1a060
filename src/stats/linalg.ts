/**
 * Small dense linear-algebra helpers for the k x k matrices of the engine (bread, meat, Wald).
 * Matrices are row-major Float64Array with an explicit order `p`; the n-row work happens on
 * column-major Float64Array columns elsewhere (qr.ts, vcov.ts).
 */

/** C = A B for row-major A (m x k) and B (k x n). */
export function matMul(A: Float64Array, B: Float64Array, m: number, k: number, n: number): Float64Array {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < k; l++) {
      const a = A[i * k + l];
      if (a === 0) continue;
      for (let j = 0; j < n; j++) C[i * n + j] += a * B[l * n + j];
    }
  }
  return C;
}

/** Transpose of a row-major m x n matrix. */
export function transpose(A: Float64Array, m: number, n: number): Float64Array {
  const T = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[j * m + i] = A[i * n + j];
  return T;
}

/** A B A' for row-major A (m x p) and symmetric B (p x p); result symmetrised to remove rounding asymmetry. */
export function sandwich(A: Float64Array, B: Float64Array, m: number, p: number): Float64Array {
  const AB = matMul(A, B, m, p, p);
  const C = matMul(AB, transpose(A, m, p), m, p, m);
  symmetrize(C, m);
  return C;
}

/** Replace C by (C + C')/2 in place. */
export function symmetrize(C: Float64Array, p: number): void {
  for (let i = 0; i < p; i++) {
    for (let j = i + 1; j < p; j++) {
      const v = 0.5 * (C[i * p + j] + C[j * p + i]);
      C[i * p + j] = v;
      C[j * p + i] = v;
    }
  }
}

/** Inverse of an upper-triangular row-major p x p matrix (back substitution, column by column). */
export function invUpper(R: Float64Array, p: number): Float64Array {
  const X = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    X[j * p + j] = 1 / R[j * p + j];
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let l = i + 1; l <= j; l++) s += R[i * p + l] * X[l * p + j];
      X[i * p + j] = -s / R[i * p + i];
    }
  }
  return X;
}

/**
 * Inverse of a symmetric positive semi-definite matrix by Cholesky after scaling to unit diagonal
 * (so the rank test is scale free). Returns null when a pivot falls below `tol` (relative), i.e.
 * the matrix is singular to working precision — callers then report "not defined" as Stata does.
 */
export function invSymPD(A: Float64Array, p: number, tol = 1e-12): Float64Array | null {
  const d = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    const a = A[i * p + i];
    if (!(a > 0)) return null;
    d[i] = 1 / Math.sqrt(a);
  }
  const L = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) L[i * p + j] = A[i * p + j] * d[i] * d[j];
  // In-place Cholesky L L' of the correlation-scaled matrix (lower triangle).
  for (let j = 0; j < p; j++) {
    let s = L[j * p + j];
    for (let l = 0; l < j; l++) s -= L[j * p + l] * L[j * p + l];
    if (!(s > tol)) return null;
    const ljj = Math.sqrt(s);
    L[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let t = L[i * p + j];
      for (let l = 0; l < j; l++) t -= L[i * p + l] * L[j * p + l];
      L[i * p + j] = t / ljj;
    }
    for (let i = 0; i < j; i++) L[i * p + j] = 0;
  }
  // inv(C) = inv(L)' inv(L); inv(L) = transpose of inv(L') (upper).
  const Linv = transpose(invUpper(transpose(L, p, p), p), p, p);
  const Cinv = matMul(transpose(Linv, p, p), Linv, p, p, p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) Cinv[i * p + j] *= d[i] * d[j];
  symmetrize(Cinv, p);
  return Cinv;
}
