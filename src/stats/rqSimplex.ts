/**
 * The quantile-regression linear program  min_b sum_i rho_tau(y_i - x_i'b)  solved exactly by the
 * Barrodale-Roberts simplex as modified by Koenker and d'Orey (Applied Statistics AS 229, 1987;
 * Barrodale and Roberts, SIAM J. Numer. Anal. 10, 1973) — the algorithm behind R's
 * `quantreg::rq(method = "br")`.
 *
 * Why this algorithm and not any LP solver: when the optimum is not unique (ties, integer data) the
 * chosen vertex depends on the pivoting rules, and the study's numbers must be R's. So the tableau,
 * the entering and leaving rules (first maximum / first minimum wins, the candidate list reordered by
 * moving its last entry into the removed slot), the "pass through" of breakpoints along an edge and
 * the tolerance eps^(2/3) are the published algorithm's, and the floating-point operations happen
 * in the same order, so the vertex (and in practice every digit) is rq's.
 *
 * The tableau has one row per observation and one column per nonbasic variable. The basic variable
 * of a row is a coefficient (stage 1 puts all p coefficients into the basis) or the positive or
 * negative part of a residual; a nonbasic column is a coefficient (before stage 1 ends) or the
 * residual of an observation fitted exactly. Labels carry the variable (1..p coefficients, p+1..p+n
 * observations) and, by their sign, which of the two halves (u_i / v_i, +b_j / -b_j) is meant.
 * Marginal costs are kept as c2 + tau c3 (R's rows m2 and m3), scaled by 2, so that the cost of the
 * complementary half of a residual column is -c - 2.
 */

/** eps^(2/3), the pivot and optimality tolerance of rq.fit.br. */
export const BR_TOL = Math.pow(2.220446049250313e-16, 2 / 3);

export interface BrSolution {
  /** The coefficients at the optimal vertex. */
  coef: Float64Array;
  /** The p observations (0-based row indices) fitted exactly at the vertex: the optimal basis. */
  basis: Int32Array;
  /**
   * A nonbasic marginal cost is 0 or at its bound at the optimum, so another vertex has the same
   * objective (R's warning "Solution may be nonunique").
   */
  nonUnique: boolean;
  /** Simplex pivots taken (stage 1 included). */
  pivots: number;
}

/**
 * Thrown when the design is (numerically) singular for the simplex: a coefficient column has no
 * admissible pivot (R: rq.fit.br stops with "Singular design matrix" before), or the second stage
 * finds no leaving row (R: "Premature end - possible conditioning problem in x").
 */
export class BrSingularError extends Error {
  /** 0-based column that could not enter the basis, or -1 for the premature end. */
  readonly column: number;
  constructor(message: string, column: number) {
    super(message);
    this.name = 'BrSingularError';
    this.column = column;
  }
}

/**
 * Solves the tau-th quantile regression of `y` on the columns `X` (each of length n) exactly.
 * `tau` must lie strictly inside (0, 1) and X must have full column rank (callers check both).
 */
export function rqBarrodaleRoberts(X: readonly Float64Array[], y: Float64Array, tau: number): BrSolution {
  const p = X.length;
  const m = y.length;
  const tol = BR_TOL;
  // Row-major tableau body (m x p), right-hand side (the basic variables' values) and labels.
  const T = new Float64Array(m * p);
  const rhs = new Float64Array(m);
  const rowLab = new Int32Array(m);
  const colLab = new Int32Array(p);
  // Start at b = 0: the basic variable of row i is u_i = y_i (y_i >= 0) or v_i = -y_i.
  for (let i = 0; i < m; i++) {
    const neg = y[i] < 0;
    for (let j = 0; j < p; j++) T[i * p + j] = neg ? -X[j][i] : X[j][i];
    rhs[i] = neg ? -y[i] : y[i];
    rowLab[i] = neg ? -(p + i + 1) : p + i + 1;
  }
  const c1 = new Float64Array(p); // marginal costs at tau (R row m1)
  const c2 = new Float64Array(p); // their constant part (m2)
  const c3 = new Float64Array(p); // their slope in tau (m3)
  for (let j = 0; j < p; j++) {
    colLab[j] = j + 1;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < m; i++) {
      const a = T[i * p + j];
      const sg = rowLab[i] < 0 ? -1 : 1;
      s2 += a * (1 - sg);
      s3 += a * sg;
    }
    c2[j] = s2;
    c3[j] = 2 * s3;
    c1[j] = c2[j] + c3[j] * tau;
  }

  let kl = 0; // rows before kl hold the coefficients (basic after stage 1)
  let pivots = 0;

  /** Negates column j everywhere (the variable it stands for changes sign / half). */
  const negateColumn = (j: number): void => {
    for (let i = 0; i < m; i++) T[i * p + j] = -T[i * p + j];
    c1[j] = -c1[j];
    c2[j] = -c2[j];
    c3[j] = -c3[j];
    colLab[j] = -colLab[j];
  };

  /** The basic residual of row r passes through zero to its other half: flip the row, adjust costs. */
  const passThrough = (r: number): void => {
    for (let j = 0; j < p; j++) {
      const d = T[r * p + j];
      c1[j] = c1[j] - d - d;
      c2[j] = c2[j] - d - d;
      T[r * p + j] = -d;
    }
    rhs[r] = -rhs[r];
    rowLab[r] = -rowLab[r];
  };

  /** Gauss-Jordan exchange of the basic variable of row r with the nonbasic variable of column q. */
  const pivot = (r: number, q: number): void => {
    const piv = T[r * p + q];
    const rowR = r * p;
    for (let j = 0; j < p; j++) if (j !== q) T[rowR + j] /= piv;
    rhs[r] /= piv;
    for (let i = 0; i < m; i++) {
      if (i === r) continue;
      const d = T[i * p + q];
      if (d === 0) continue; // x - 0*y = x: skipping changes no value
      const row = i * p;
      for (let j = 0; j < p; j++) if (j !== q) T[row + j] -= d * T[rowR + j];
      rhs[i] -= d * rhs[r];
    }
    for (const c of [c1, c2, c3]) {
      const d = c[q];
      if (d === 0) continue;
      for (let j = 0; j < p; j++) if (j !== q) c[j] -= d * T[rowR + j];
    }
    for (let i = 0; i < m; i++) if (i !== r) T[i * p + q] = -T[i * p + q] / piv;
    c1[q] = -c1[q] / piv;
    c2[q] = -c2[q] / piv;
    c3[q] = -c3[q] / piv;
    T[rowR + q] = 1 / piv;
    const lab = rowLab[r];
    rowLab[r] = colLab[q];
    colLab[q] = lab;
    pivots++;
  };

  /**
   * Line search along column q (its marginal cost c1[q] > 0): walk through the breakpoints (rows
   * whose basic variable reaches zero, in order of the ratio rhs/T) while the slope stays
   * favourable, then pivot on the row where it stops. Returns false when no row limits the step.
   */
  const ratioCand = new Float64Array(m);
  const ratioRow = new Int32Array(m);
  const lineSearch = (q: number): number => {
    let k = 0;
    for (let i = kl; i < m; i++) {
      const d = T[i * p + q];
      if (d > tol) {
        ratioCand[k] = rhs[i] / d;
        ratioRow[k] = i;
        k++;
      }
    }
    for (;;) {
      if (k <= 0) return -1;
      let min = Number.MAX_VALUE;
      let at = -1;
      let out = -1;
      for (let l = 0; l < k; l++) {
        if (ratioCand[l] < min) {
          at = l;
          min = ratioCand[l];
          out = ratioRow[l];
        }
      }
      // rq.fit.br's candidate-list bookkeeping: the last candidate moves into the removed slot,
      // which decides ties later on.
      ratioCand[at] = ratioCand[k - 1];
      ratioRow[at] = ratioRow[k - 1];
      k--;
      const piv = T[out * p + q];
      if (c1[q] - piv - piv <= tol) return out;
      passThrough(out);
    }
  };

  // Stage 1: bring every coefficient into the basis, the one with the largest |marginal cost| first.
  while (kl < p) {
    let max = -1;
    let q = -1;
    for (let j = 0; j < p; j++) {
      if (Math.abs(colLab[j]) <= p) {
        const d = Math.abs(c1[j]);
        if (d > max) {
          max = d;
          q = j;
        }
      }
    }
    if (c1[q] < 0) negateColumn(q);
    const out = lineSearch(q);
    if (out < 0) {
      // rq.fit.br would set this coefficient aside at 0; a singular design is an error here instead.
      const col = Math.abs(colLab[q]) - 1;
      throw new BrSingularError(`coefficient column ${col + 1} cannot enter the basis (singular design)`, col);
    }
    pivot(out, q);
    // Keep coefficient rows on top: rows 0..kl-1.
    if (out !== kl) {
      for (let j = 0; j < p; j++) {
        const t = T[out * p + j];
        T[out * p + j] = T[kl * p + j];
        T[kl * p + j] = t;
      }
      let t = rhs[out];
      rhs[out] = rhs[kl];
      rhs[kl] = t;
      t = rowLab[out];
      rowLab[out] = rowLab[kl];
      rowLab[kl] = t;
    }
    kl++;
  }

  // Stage 2: exchange residual halves until no nonbasic variable has a favourable marginal cost.
  for (;;) {
    let max = -Number.MAX_VALUE;
    let q = -1;
    for (let j = 0; j < p; j++) {
      let d = c1[j];
      if (d < 0) {
        if (d > -2) continue;
        d = -d - 2; // the complementary half of this residual
      }
      if (d > max) {
        max = d;
        q = j;
      }
    }
    if (max <= tol) break;
    if (c1[q] <= 0) {
      negateColumn(q);
      c1[q] = c1[q] - 2;
      c2[q] = c2[q] - 2;
    }
    const out = lineSearch(q);
    if (out < 0) throw new BrSingularError('premature end of the simplex: possible conditioning problem in X', -1);
    pivot(out, q);
  }

  let nonUnique = false;
  for (let j = 0; j < p; j++) {
    const d = Math.abs(c1[j]);
    if (d <= tol || 2 - d <= tol) nonUnique = true;
  }
  const coef = new Float64Array(p);
  for (let i = 0; i < kl; i++) {
    const lab = rowLab[i];
    coef[Math.abs(lab) - 1] = lab < 0 ? -rhs[i] : rhs[i];
  }
  const basis = new Int32Array(p);
  for (let j = 0; j < p; j++) basis[j] = Math.abs(colLab[j]) - p - 1;
  basis.sort();
  return { coef, basis, nonUnique, pivots };
}
