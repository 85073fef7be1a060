/**
 * Dense linear algebra for the score calibration: for a fixed design D (n x K: intercept,
 * covariates, fixed-effect dummies) OLS is linear in y, so everything the calibration needs can
 * be precomputed once per design:
 *   beta = C y            (C = rows of (D'D)^-1 D' for the reported terms)
 *   e    = M y            (M = I - D (D'D)^-1 D', symmetric and idempotent)
 *   HC1  Var(beta_j) = n/(n-K) * sum_i C_ji^2 e_i^2
 * Computed by Householder QR (D = QR, C = R^-1 Q', M = I - QQ') for numerical stability.
 */

/** A dense design matrix, row-major n x K, with column names. */
export interface Design {
  n: number;
  K: number;
  /** Row-major n x K. */
  X: Float64Array;
  names: string[];
}

/**
 * Build the Stata `regress y x i.f1 i.f2` design: intercept, the numeric columns, then for each
 * factor one dummy per level except the first level in sorted order (the base).
 */
export function buildDesign(numeric: { name: string; values: ArrayLike<number> }[], factors: { name: string; values: readonly string[] }[], n: number): Design {
  const names = ['(Intercept)', ...numeric.map((c) => c.name)];
  const dummyCols: { f: number; level: string }[] = [];
  factors.forEach((f, fi) => {
    const levels = [...new Set(f.values)].sort();
    for (const level of levels.slice(1)) {
      dummyCols.push({ f: fi, level });
      names.push(`${f.name}::${level}`);
    }
  });
  const K = names.length;
  const X = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    const row = i * K;
    X[row] = 1;
    numeric.forEach((c, j) => {
      X[row + 1 + j] = c.values[i];
    });
    dummyCols.forEach((d, j) => {
      X[row + 1 + numeric.length + j] = factors[d.f].values[i] === d.level ? 1 : 0;
    });
  }
  return { n, K, X, names };
}

/** Reported columns (covariates in order, then the intercept as 'Constant'), as design indices. */
export function reportedColumns(nCov: number): number[] {
  return [...Array.from({ length: nCov }, (_, j) => j + 1), 0];
}

/** Thin Householder QR of a full-rank n x K matrix: Q (n x K, row-major) and upper R (K x K). */
export function householderQR(A: Float64Array, n: number, K: number): { Q: Float64Array; R: Float64Array } {
  const W = Float64Array.from(A);
  const vs: Float64Array[] = [];
  for (let j = 0; j < K; j++) {
    let norm = 0;
    for (let i = j; i < n; i++) norm += W[i * K + j] ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) throw new Error(`householderQR: column ${j} is zero`);
    const alpha = W[j * K + j] > 0 ? -norm : norm;
    const v = new Float64Array(n);
    for (let i = j; i < n; i++) v[i] = W[i * K + j];
    v[j] -= alpha;
    let vn = 0;
    for (let i = j; i < n; i++) vn += v[i] * v[i];
    vs.push(v);
    if (vn === 0) continue;
    for (let c = j; c < K; c++) {
      let s = 0;
      for (let i = j; i < n; i++) s += v[i] * W[i * K + c];
      const f = (2 * s) / vn;
      for (let i = j; i < n; i++) W[i * K + c] -= f * v[i];
    }
  }
  const R = new Float64Array(K * K);
  for (let r = 0; r < K; r++) for (let c = r; c < K; c++) R[r * K + c] = W[r * K + c];
  // Q = H_1 ... H_K applied to the first K columns of the identity.
  const Q = new Float64Array(n * K);
  for (let c = 0; c < K; c++) Q[c * K + c] = 1;
  for (let j = K - 1; j >= 0; j--) {
    const v = vs[j];
    let vn = 0;
    for (let i = j; i < n; i++) vn += v[i] * v[i];
    if (vn === 0) continue;
    for (let c = 0; c < K; c++) {
      let s = 0;
      for (let i = j; i < n; i++) s += v[i] * Q[i * K + c];
      const f = (2 * s) / vn;
      for (let i = j; i < n; i++) Q[i * K + c] -= f * v[i];
    }
  }
  for (let r = 0; r < K; r++) {
    if (Math.abs(R[r * K + r]) < 1e-10 * Math.abs(R[0])) throw new Error(`householderQR: design is rank deficient at column ${r}`);
  }
  return { Q, R };
}

/** Everything the incremental calibration needs about one regression design. */
export interface Projection {
  n: number;
  /** Columns of the design (every dummy counted, as Stata's K). */
  K: number;
  /** Indices (design columns) of the reported terms, in report order. */
  reported: number[];
  /** Reported-term rows of (D'D)^-1 D': k x n row-major. */
  C: Float64Array;
  /** C squared elementwise (k x n). */
  C2: Float64Array;
  /** Residual maker I - H, n x n (symmetric: column i = row i). */
  M: Float64Array;
  /**
   * G[j][a][b] = sum_l C2[j, l] M[l, a] M[l, b] (k x n x n): the second-order terms of an HC sum
   * when y_a and y_b move (moving y_a by d changes S_j by 2 d A_ja + d^2 G_jaa and the vector
   * A_j. = sum_l C2_jl e_l M_l. by d G_ja.).
   */
  G: Float64Array;
  /** HC1 factor n / (n - K). */
  hc1: number;
}

/** Precompute C, M and the HC helper for a design and its reported columns. */
export function projection(design: Design, reported: number[]): Projection {
  const { n, K } = design;
  const { Q, R } = householderQR(design.X, n, K);
  const k = reported.length;
  // C_full = R^-1 Q'; row r of R^-1 Q' for the reported r by back substitution on each column i.
  const Cfull = new Float64Array(K * n);
  const col = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    for (let r = K - 1; r >= 0; r--) {
      let s = Q[i * K + r];
      for (let c = r + 1; c < K; c++) s -= R[r * K + c] * col[c];
      col[r] = s / R[r * K + r];
    }
    for (let r = 0; r < K; r++) Cfull[r * n + i] = col[r];
  }
  const C = new Float64Array(k * n);
  reported.forEach((r, j) => C.set(Cfull.subarray(r * n, (r + 1) * n), j * n));
  const C2 = C.map((v) => v * v);
  const M = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let s = 0;
      for (let c = 0; c < K; c++) s += Q[a * K + c] * Q[b * K + c];
      const v = (a === b ? 1 : 0) - s;
      M[a * n + b] = v;
      M[b * n + a] = v;
    }
  }
  const G = new Float64Array(k * n * n);
  for (let j = 0; j < k; j++) {
    const base = j * n * n;
    for (let l = 0; l < n; l++) {
      const w = C2[j * n + l];
      const Ml = l * n;
      for (let a = 0; a < n; a++) {
        const coef = w * M[Ml + a];
        const ga = base + a * n;
        // Upper triangle only (b >= a); mirrored below.
        for (let b = a; b < n; b++) G[ga + b] += coef * M[Ml + b];
      }
    }
    for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) G[base + b * n + a] = G[base + a * n + b];
  }
  return { n, K, reported, C, C2, M, G, hc1: n / (n - K) };
}

/** Result of a plain OLS fit with HC1 standard errors. */
export interface OlsHc1 {
  coef: Float64Array;
  se: Float64Array;
  r2: number;
  residuals: Float64Array;
}

/** OLS by the normal equations: (D'D)^-1 (Cholesky) and the coefficients (D'D)^-1 D'y. */
export function normalEquations(design: Design, y: ArrayLike<number>): { inv: Float64Array; coef: Float64Array } {
  const { n, K, X } = design;
  const XtX = new Float64Array(K * K);
  const Xty = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < K; a++) {
      const xa = X[i * K + a];
      if (xa === 0) continue;
      Xty[a] += xa * y[i];
      for (let b = 0; b < K; b++) XtX[a * K + b] += xa * X[i * K + b];
    }
  }
  const inv = invertSPD(XtX, K);
  const coef = new Float64Array(K);
  for (let a = 0; a < K; a++) {
    let s = 0;
    for (let b = 0; b < K; b++) s += inv[a * K + b] * Xty[b];
    coef[a] = s;
  }
  return { inv, coef };
}

/** Residuals y - D coef, their sum of squares and the total sum of squares of y. */
export function residualsOf(design: Design, y: ArrayLike<number>, coef: Float64Array): { residuals: Float64Array; rss: number; tss: number } {
  const { n, K, X } = design;
  const residuals = new Float64Array(n);
  let ybar = 0;
  for (let i = 0; i < n; i++) ybar += y[i] / n;
  let rss = 0;
  let tss = 0;
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let a = 0; a < K; a++) f += X[i * K + a] * coef[a];
    residuals[i] = y[i] - f;
    rss += residuals[i] * residuals[i];
    tss += (y[i] - ybar) ** 2;
  }
  return { residuals, rss, tss };
}

/**
 * Straightforward OLS + HC1 by the normal equations (Cholesky of D'D), independent of the QR
 * path above: used to verify the calibrated data from scratch.
 */
export function olsHc1(design: Design, y: ArrayLike<number>): OlsHc1 {
  const { n, K, X } = design;
  const { inv, coef } = normalEquations(design, y);
  const { residuals, rss, tss } = residualsOf(design, y, coef);
  // meat = sum e_i^2 x_i x_i'; V = n/(n-K) inv meat inv
  const meat = new Float64Array(K * K);
  for (let i = 0; i < n; i++) {
    const w = residuals[i] ** 2;
    for (let a = 0; a < K; a++) {
      const xa = X[i * K + a] * w;
      if (xa === 0) continue;
      for (let b = 0; b < K; b++) meat[a * K + b] += xa * X[i * K + b];
    }
  }
  const se = new Float64Array(K);
  const tmp = new Float64Array(K);
  for (let a = 0; a < K; a++) {
    for (let b = 0; b < K; b++) {
      let s = 0;
      for (let c = 0; c < K; c++) s += meat[b * K + c] * inv[c * K + a];
      tmp[b] = s;
    }
    let v = 0;
    for (let b = 0; b < K; b++) v += inv[a * K + b] * tmp[b];
    se[a] = Math.sqrt((v * n) / (n - K));
  }
  return { coef, se, r2: 1 - rss / tss, residuals };
}

/** Inverse of a symmetric positive-definite matrix by Cholesky (throws if not PD). */
export function invertSPD(A: Float64Array, K: number): Float64Array {
  const L = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * K + j];
      for (let c = 0; c < j; c++) s -= L[i * K + c] * L[j * K + c];
      if (i === j) {
        if (s <= 0) throw new Error('invertSPD: matrix is not positive definite');
        L[i * K + i] = Math.sqrt(s);
      } else L[i * K + j] = s / L[j * K + j];
    }
  }
  const inv = new Float64Array(K * K);
  const z = new Float64Array(K);
  for (let col = 0; col < K; col++) {
    for (let i = 0; i < K; i++) {
      let s = i === col ? 1 : 0;
      for (let c = 0; c < i; c++) s -= L[i * K + c] * z[c];
      z[i] = s / L[i * K + i];
    }
    for (let i = K - 1; i >= 0; i--) {
      let s = z[i];
      for (let c = i + 1; c < K; c++) s -= L[c * K + i] * inv[c * K + col];
      inv[i * K + col] = s / L[i * K + i];
    }
  }
  return inv;
}
