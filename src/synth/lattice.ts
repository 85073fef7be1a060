/**
 * Integer lattice tools for the score calibration: LLL reduction and Babai's nearest-plane
 * rounding. One unit of a firm's score moves a regression constant by several tolerances, so
 * useful integer moves are the short vectors of the lattice {J d : d integer}, found here
 * (Lenstra, Lenstra & Lovasz 1982; Babai 1986).
 */

/** LLL-reduce the rows of `basis` in place (delta in (1/4, 1); floating point, size-reduced). */
export function lllReduce(basis: Float64Array[], delta = 0.99): void {
  const m = basis.length;
  if (m === 0) return;
  const dim = basis[0].length;
  const dot = (a: Float64Array, b: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < dim; i++) s += a[i] * b[i];
    return s;
  };
  const bstar = basis.map((b) => Float64Array.from(b));
  const mu = Array.from({ length: m }, () => new Float64Array(m));
  const norm2 = new Float64Array(m);
  const gramSchmidtRows = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      bstar[i].set(basis[i]);
      for (let j = 0; j < i; j++) {
        mu[i][j] = norm2[j] > 1e-300 ? dot(basis[i], bstar[j]) / norm2[j] : 0;
        const mij = mu[i][j];
        if (mij !== 0) for (let t = 0; t < dim; t++) bstar[i][t] -= mij * bstar[j][t];
      }
      norm2[i] = dot(bstar[i], bstar[i]);
    }
  };
  gramSchmidtRows(0, m);
  let k = 1;
  let guard = 0;
  while (k < m && guard++ < 100000) {
    for (let j = k - 1; j >= 0; j--) {
      // Reduce only when |mu| > 1/2 (a tie stays, as in the exact-arithmetic textbook algorithm).
      if (Math.abs(mu[k][j]) <= 0.5 + 1e-12) continue;
      const q = Math.round(mu[k][j]);
      const bk = basis[k];
      const bj = basis[j];
      for (let t = 0; t < dim; t++) bk[t] -= q * bj[t];
      for (let l = 0; l <= j; l++) mu[k][l] -= q * (l === j ? 1 : mu[j][l]);
    }
    if (norm2[k] >= (delta - mu[k][k - 1] ** 2) * norm2[k - 1]) k++;
    else {
      const tmp = basis[k];
      basis[k] = basis[k - 1];
      basis[k - 1] = tmp;
      // Swapping rows k-1 and k changes only their Gram-Schmidt vectors and, for later rows,
      // the two projections onto them.
      gramSchmidtRows(k - 1, k + 1);
      for (let i = k + 1; i < m; i++) {
        mu[i][k - 1] = norm2[k - 1] > 1e-300 ? dot(basis[i], bstar[k - 1]) / norm2[k - 1] : 0;
        mu[i][k] = norm2[k] > 1e-300 ? dot(basis[i], bstar[k]) / norm2[k] : 0;
      }
      k = Math.max(k - 1, 1);
    }
  }
}

/**
 * Babai's nearest plane: a lattice vector (integer combination of the LLL-reduced rows of
 * `basis`) close to `target`; returns the integer coefficients of the combination.
 */
export function babai(basis: Float64Array[], target: Float64Array): Int32Array {
  const m = basis.length;
  const dim = target.length;
  const bstar = basis.map((b) => Float64Array.from(b));
  const norm2 = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < i; j++) {
      if (norm2[j] <= 1e-300) continue;
      let s = 0;
      for (let t = 0; t < dim; t++) s += basis[i][t] * bstar[j][t];
      const mij = s / norm2[j];
      for (let t = 0; t < dim; t++) bstar[i][t] -= mij * bstar[j][t];
    }
    let n2 = 0;
    for (let t = 0; t < dim; t++) n2 += bstar[i][t] ** 2;
    norm2[i] = n2;
  }
  const r = Float64Array.from(target);
  const c = new Int32Array(m);
  for (let i = m - 1; i >= 0; i--) {
    if (norm2[i] <= 1e-300) continue;
    let s = 0;
    for (let t = 0; t < dim; t++) s += r[t] * bstar[i][t];
    const q = Math.round(s / norm2[i]);
    c[i] = q;
    if (q !== 0) for (let t = 0; t < dim; t++) r[t] -= q * basis[i][t];
  }
  return c;
}
