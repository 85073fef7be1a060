/**
 * Integer lattice tools for the score calibration: LLL reduction and Babai's nearest-plane
 * rounding. One unit of a firm's score moves a regression constant by several tolerances, so
 * useful integer moves are the short vectors of the lattice {J d : d integer}, found here
 * (Lenstra, Lenstra & Lovasz 1982; Babai 1986).
 */

/**
 * Dot product of the first `dim` entries of a and b, summed in index order. Unrolled by four with
 * the order of operations unchanged, so results are bit for bit those of the plain loop (the
 * committed data depend on them); with `subtractMultiple` it makes LLL about 1.8x faster.
 */
function dot(a: Float64Array, b: Float64Array, dim: number): number {
  let s = 0;
  let i = 0;
  for (; i + 3 < dim; i += 4) {
    s += a[i] * b[i];
    s += a[i + 1] * b[i + 1];
    s += a[i + 2] * b[i + 2];
    s += a[i + 3] * b[i + 3];
  }
  for (; i < dim; i++) s += a[i] * b[i];
  return s;
}

/** a -= c * b, entry by entry (each entry rounded once, as the plain loop). */
function subtractMultiple(a: Float64Array, c: number, b: Float64Array, dim: number): void {
  let t = 0;
  for (; t + 3 < dim; t += 4) {
    a[t] -= c * b[t];
    a[t + 1] -= c * b[t + 1];
    a[t + 2] -= c * b[t + 2];
    a[t + 3] -= c * b[t + 3];
  }
  for (; t < dim; t++) a[t] -= c * b[t];
}

/** LLL-reduce the rows of `basis` in place (delta in (1/4, 1); floating point, size-reduced). */
export function lllReduce(basis: Float64Array[], delta = 0.99): void {
  const m = basis.length;
  if (m === 0) return;
  const dim = basis[0].length;
  const bstar = basis.map((b) => Float64Array.from(b));
  const mu = Array.from({ length: m }, () => new Float64Array(m));
  const norm2 = new Float64Array(m);
  gramSchmidtRows(basis, bstar, mu, norm2, dim, 0, m);
  let k = 1;
  let guard = 0;
  while (k < m && guard++ < 100000) {
    const muk = mu[k];
    for (let j = k - 1; j >= 0; j--) {
      // Reduce only when |mu| > 1/2 (a tie stays, as in the exact-arithmetic textbook algorithm).
      if (Math.abs(muk[j]) <= 0.5 + 1e-12) continue;
      const q = Math.round(muk[j]);
      const bk = basis[k];
      const bj = basis[j];
      subtractMultiple(bk, q, bj, dim);
      const muj = mu[j];
      for (let l = 0; l <= j; l++) muk[l] -= q * (l === j ? 1 : muj[l]);
    }
    if (norm2[k] >= (delta - muk[k - 1] ** 2) * norm2[k - 1]) k++;
    else {
      const tmp = basis[k];
      basis[k] = basis[k - 1];
      basis[k - 1] = tmp;
      // Swapping rows k-1 and k changes only their Gram-Schmidt vectors and, for later rows,
      // the two projections onto them.
      gramSchmidtRows(basis, bstar, mu, norm2, dim, k - 1, k + 1);
      const b1 = bstar[k - 1];
      const b2 = bstar[k];
      const n1 = norm2[k - 1];
      const n2 = norm2[k];
      for (let i = k + 1; i < m; i++) {
        const bi = basis[i];
        mu[i][k - 1] = n1 > 1e-300 ? dot(bi, b1, dim) / n1 : 0;
        mu[i][k] = n2 > 1e-300 ? dot(bi, b2, dim) / n2 : 0;
      }
      k = Math.max(k - 1, 1);
    }
  }
}

/** Gram-Schmidt vectors, projections and squared norms of rows from..to-1 (earlier rows as they are). */
function gramSchmidtRows(basis: Float64Array[], bstar: Float64Array[], mu: Float64Array[], norm2: Float64Array, dim: number, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const bi = basis[i];
    const bsi = bstar[i];
    const mui = mu[i];
    bsi.set(bi);
    for (let j = 0; j < i; j++) {
      const bsj = bstar[j];
      mui[j] = norm2[j] > 1e-300 ? dot(bi, bsj, dim) / norm2[j] : 0;
      const mij = mui[j];
      if (mij !== 0) subtractMultiple(bsi, mij, bsj, dim);
    }
    norm2[i] = dot(bsi, bsi, dim);
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
      subtractMultiple(bstar[i], dot(basis[i], bstar[j], dim) / norm2[j], bstar[j], dim);
    }
    let n2 = 0;
    for (let t = 0; t < dim; t++) n2 += bstar[i][t] ** 2;
    norm2[i] = n2;
  }
  const r = Float64Array.from(target);
  const c = new Int32Array(m);
  for (let i = m - 1; i >= 0; i--) {
    if (norm2[i] <= 1e-300) continue;
    const q = Math.round(dot(r, bstar[i], dim) / norm2[i]);
    c[i] = q;
    if (q !== 0) subtractMultiple(r, q, basis[i], dim);
  }
  return c;
}
