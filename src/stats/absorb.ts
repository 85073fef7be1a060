/**
 * Fixed effects absorbed by alternating projections (the method of fixest / reghdfe).
 *
 * Demeaning a column x by FE 1..Q means finding FE coefficients a_1..a_Q with
 * x ~ sum_q a_q[code_q(i)] in least squares; the residual is the "within" column. We iterate in the
 * space of the coefficients (as fixest does), not of the n-vector:
 *  - 1 FE: a = group means, exact in one sweep.
 *  - 2 FE: a sweep costs O(#non-empty (g,h) cells), not O(n), thanks to the cross-tabulation;
 *    when Irons-Tuck mixes slowly (long chains of levels), conjugate gradient on the same normal
 *    equations (reghdfe's method) takes over.
 *  - 3+ FE: block Gauss-Seidel sweeps with passes over the rows.
 * Sweeps are accelerated with Irons-Tuck (fixest's default) and stop when the largest change of a
 * coefficient is below tol x (standard deviation of x) (default 1e-13, tight enough for slopes to
 * match the dummy-variable fit to ~1e-10 relative).
 */
import { InputError } from '../errors.ts';
import { invSymPD } from './linalg.ts';
import { leastSquares, leverages } from './qr.ts';

/** A coded factor: codes 0..levels.length-1 per row. Same shape as Design.fe entries. */
export interface Factor {
  name: string;
  codes: Int32Array;
  levels: string[];
}

export interface AbsorbOptions {
  /** Convergence tolerance (relative to the standard deviation of the column). Default 1e-13. */
  tol?: number;
  /** Maximum accelerated iterations. Default 10_000. */
  maxIter?: number;
}

export const DEFAULT_FE_TOL = 1e-13;

/** Precomputed structure of a set of FE for repeated demeaning. */
export interface Absorber {
  factors: Factor[];
  n: number;
  /** Observations per level, per factor. */
  counts: Float64Array[];
  /** 2-FE cross-tabulation in compressed form (cells sorted by first factor), or null. */
  cells: Crosstab | null;
  tol: number;
  maxIter: number;
}

/** Non-empty cells (g, h) of a two-factor cross-tabulation with their counts. */
export interface Crosstab {
  g: Int32Array;
  h: Int32Array;
  count: Float64Array;
}

/** Result of demeaning one column. */
export interface Demeaned {
  /** x minus its projection on the FE dummies. */
  resid: Float64Array;
  /** FE coefficients (one vector per factor) of the projection; normalised by `normalizeFe`. */
  coef: Float64Array[];
  iterations: number;
}

export function makeAbsorber(factors: Factor[], opts: AbsorbOptions = {}): Absorber {
  if (factors.length === 0) throw new Error('makeAbsorber: no fixed effects');
  const n = factors[0].codes.length;
  const counts = factors.map((f) => {
    const c = new Float64Array(f.levels.length);
    for (let i = 0; i < n; i++) c[f.codes[i]]++;
    return c;
  });
  const cells = factors.length === 2 ? crosstab(factors[0], factors[1]) : null;
  return { factors, n, counts, cells, tol: opts.tol ?? DEFAULT_FE_TOL, maxIter: opts.maxIter ?? 10_000 };
}

/** Cross-tabulate two factors: non-empty cells sorted by (g, h). */
export function crosstab(a: Factor, b: Factor): Crosstab {
  const n = a.codes.length;
  const L2 = b.levels.length;
  // Dense lookup table when the full table is small, a Map otherwise (memory O(cells)).
  const L1 = a.levels.length;
  const dense = L1 * L2 <= 4_000_000 ? new Int32Array(L1 * L2).fill(-1) : null;
  const key = new Map<number, number>();
  const gs: number[] = [];
  const hs: number[] = [];
  const cs: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = a.codes[i] * L2 + b.codes[i];
    let c = dense ? dense[k] : key.get(k);
    if (c === undefined || c < 0) {
      c = gs.length;
      if (dense) dense[k] = c;
      else key.set(k, c);
      gs.push(a.codes[i]);
      hs.push(b.codes[i]);
      cs.push(0);
    }
    cs[c]++;
  }
  // Number cells in (g, h) order so every later loop is deterministic and cache friendly.
  const order = [...gs.keys()].sort((x, y) => gs[x] - gs[y] || hs[x] - hs[y]);
  return {
    g: Int32Array.from(order, (c) => gs[c]),
    h: Int32Array.from(order, (c) => hs[c]),
    count: Float64Array.from(order, (c) => cs[c]),
  };
}

/** Cell index (into `cells`, sorted by (g, h)) of every row; only HC2/HC3 need it, so built on demand. */
export function cellOfRows(a: Factor, b: Factor, cells: Crosstab): Int32Array {
  const L2 = b.levels.length;
  const index = new Map<number, number>();
  for (let c = 0; c < cells.g.length; c++) index.set(cells.g[c] * L2 + cells.h[c], c);
  return Int32Array.from(a.codes, (g, i) => index.get(g * L2 + b.codes[i])!);
}

/** Demean x by all factors of the absorber. */
export function demean(ab: Absorber, x: Float64Array): Demeaned {
  return demeanColumns(ab, [x])[0];
}

/**
 * Demean several columns (same result as `demean` on each); with two FE the group sums of all
 * columns are taken in a single pass over the rows.
 */
export function demeanColumns(ab: Absorber, cols: readonly Float64Array[]): Demeaned[] {
  const Q = ab.factors.length;
  const tolOf = (scale: number) => ab.tol * (scale > 0 ? scale : 1);
  const sums = Q === 2 ? twoWaySums(ab, cols) : null;
  return cols.map((x, j) => {
    let coef: Float64Array[];
    let iterations = 1;
    if (Q === 1) {
      coef = [groupMeans(x, ab.factors[0].codes, ab.counts[0])];
    } else if (sums) {
      const res = solveTwoFromSums(ab, sums[j].sa, sums[j].sb, tolOf(sums[j].scale));
      coef = res.coef;
      iterations = res.iterations;
    } else {
      const res = solveMany(ab, x, tolOf(spread(x)));
      coef = res.coef;
      iterations = res.iterations;
    }
    normalizeFe(ab, coef);
    return { resid: subtractFe(ab, x, coef), coef, iterations };
  });
}

/** x minus the FE coefficients of each row. */
function subtractFe(ab: Absorber, x: Float64Array, coef: Float64Array[]): Float64Array {
  const Q = ab.factors.length;
  const n = x.length;
  const resid = new Float64Array(n);
  if (Q === 2) {
    // One fused pass for the common case.
    const [a, b] = coef;
    const ca = ab.factors[0].codes;
    const cb = ab.factors[1].codes;
    for (let i = 0; i < n; i++) resid[i] = x[i] - a[ca[i]] - b[cb[i]];
  } else {
    resid.set(x);
    for (let q = 0; q < Q; q++) {
      const a = coef[q];
      const codes = ab.factors[q].codes;
      for (let i = 0; i < n; i++) resid[i] -= a[codes[i]];
    }
  }
  return resid;
}

/** Scale of a column for the tolerance: its standard deviation (population), two-pass. */
function spread(x: Float64Array): number {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  const m = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
  return Math.sqrt(ss / n);
}

function groupMeans(x: Float64Array, codes: Int32Array, counts: Float64Array): Float64Array {
  const s = new Float64Array(counts.length);
  for (let i = 0; i < x.length; i++) s[codes[i]] += x[i];
  for (let g = 0; g < s.length; g++) s[g] /= counts[g];
  return s;
}

function groupSums(x: Float64Array, codes: Int32Array, L: number): Float64Array {
  const s = new Float64Array(L);
  for (let i = 0; i < x.length; i++) s[codes[i]] += x[i];
  return s;
}

/**
 * Irons-Tuck accelerated fixed point X = F(X). Stops when max |change| <= tol.
 * Returns the fixed point and the number of F evaluations pairs used.
 */
function ironsTuck(F: (v: Float64Array) => Float64Array, x0: Float64Array, tol: number, maxIter: number): { x: Float64Array; iterations: number; converged: boolean } {
  let x = x0;
  for (let it = 1; it <= maxIter; it++) {
    const gx = F(x);
    if (maxAbsDiff(gx, x) <= tol) return { x: gx, iterations: it, converged: true };
    const ggx = F(gx);
    let num = 0;
    let den = 0;
    for (let i = 0; i < x.length; i++) {
      const d1 = ggx[i] - gx[i];
      const d2 = d1 - (gx[i] - x[i]);
      num += d1 * d2;
      den += d2 * d2;
    }
    const next = new Float64Array(x.length);
    if (den > 0) {
      const c = num / den;
      for (let i = 0; i < x.length; i++) next[i] = ggx[i] - c * (ggx[i] - gx[i]);
    } else next.set(ggx);
    x = next;
  }
  return { x, iterations: maxIter, converged: false };
}

function notConverged(iterations: number, tol: number): never {
  throw new InputError(`fixed effects did not converge in ${iterations} iterations (tolerance ${tol}); raise feMaxIter or use feMethod 'dummies'`);
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > m || d !== d) m = d !== d ? Infinity : d;
  }
  return m;
}

/** Two FE via the cross-tabulation: iterate on the coefficients of the second factor. */
/**
 * Group sums of several columns by both factors (and each column's largest |value|) in ONE pass
 * over the rows: the codes are read once for all columns.
 */
function twoWaySums(ab: Absorber, cols: readonly Float64Array[]): { sa: Float64Array; sb: Float64Array; scale: number }[] {
  const [fa, fb] = ab.factors;
  const L1 = fa.levels.length;
  const L2 = fb.levels.length;
  const p = cols.length;
  const SA = new Float64Array(L1 * p);
  const SB = new Float64Array(L2 * p);
  const sq = new Float64Array(p);
  const ca = fa.codes;
  const cb = fb.codes;
  const n = ab.n;
  for (let i = 0; i < n; i++) {
    const oa = ca[i] * p;
    const ob = cb[i] * p;
    for (let j = 0; j < p; j++) {
      const v = cols[j][i];
      SA[oa + j] += v;
      SB[ob + j] += v;
      sq[j] += v * v;
    }
  }
  return cols.map((_, j) => {
    const sa = Float64Array.from({ length: L1 }, (_, k) => SA[k * p + j]);
    let total = 0;
    for (let k = 0; k < L1; k++) total += sa[k];
    const mean = total / n;
    // Standard deviation as the scale of the tolerance (a large mean must not loosen it).
    const sd = Math.sqrt(Math.max(0, sq[j] / n - mean * mean));
    return { sa, sb: Float64Array.from({ length: L2 }, (_, k) => SB[k * p + j]), scale: sd };
  });
}

/** Two FE from the group sums: Irons-Tuck on the second factor's coefficients, O(cells) per sweep. */
function solveTwoFromSums(ab: Absorber, sa: Float64Array, sb: Float64Array, tol: number): { coef: Float64Array[]; iterations: number } {
  const [na, nb] = ab.counts;
  const L1 = sa.length;
  const L2 = sb.length;
  const { g, h, count } = ab.cells!;
  const nc = count.length;
  const alpha = new Float64Array(L1);
  const alphaOf = (gamma: Float64Array): void => {
    alpha.set(sa);
    for (let c = 0; c < nc; c++) alpha[g[c]] -= count[c] * gamma[h[c]];
    for (let k = 0; k < L1; k++) alpha[k] /= na[k];
  };
  const F = (gamma: Float64Array): Float64Array => {
    alphaOf(gamma);
    const out = new Float64Array(sb);
    for (let c = 0; c < nc; c++) out[h[c]] -= count[c] * alpha[g[c]];
    for (let k = 0; k < L2; k++) out[k] /= nb[k];
    return out;
  };
  // Irons-Tuck converges in a handful of sweeps on well-mixed designs; on long chains (slow mixing)
  // it crawls, and conjugate gradient on the same normal equations (reghdfe's method) takes over.
  const it = ironsTuck(F, new Float64Array(L2), tol, Math.min(ab.maxIter, IT_BEFORE_CG));
  let gamma = it.x;
  let iterations = it.iterations;
  if (!it.converged) {
    const cg = conjugateGradient(ab, sa, sb, tol, ab.maxIter);
    if (!cg.converged) notConverged(IT_BEFORE_CG + cg.iterations, tol);
    gamma = cg.x;
    iterations += cg.iterations;
  }
  alphaOf(gamma);
  return { coef: [new Float64Array(alpha), gamma], iterations };
}

/** Irons-Tuck sweeps tried before switching to conjugate gradient (two FE). */
const IT_BEFORE_CG = 100;

/**
 * Jacobi-preconditioned conjugate gradient on the two-FE normal equations reduced to the second
 * factor: S gamma = b with S = diag(n_h) - N' diag(1/n_g) N (N = cell counts) and
 * b = s_h - N' (s_g / n_g). S is singular by one per connected component; CG from 0 stays in its
 * range. Matrix-vector products cost O(cells). Stops when the update is below tol twice in a row.
 */
function conjugateGradient(ab: Absorber, sa: Float64Array, sb: Float64Array, tol: number, maxIter: number): { x: Float64Array; iterations: number; converged: boolean } {
  const [na, nb] = ab.counts;
  const { g, h, count } = ab.cells!;
  const L1 = sa.length;
  const L2 = sb.length;
  const nc = count.length;
  const t = new Float64Array(L1);
  const mul = (v: Float64Array, out: Float64Array): void => {
    t.fill(0);
    for (let c = 0; c < nc; c++) t[g[c]] += count[c] * v[h[c]];
    for (let k = 0; k < L1; k++) t[k] /= na[k];
    for (let k = 0; k < L2; k++) out[k] = nb[k] * v[k];
    for (let c = 0; c < nc; c++) out[h[c]] -= count[c] * t[g[c]];
  };
  const b = new Float64Array(sb);
  for (let c = 0; c < nc; c++) b[h[c]] -= (count[c] * sa[g[c]]) / na[g[c]];
  const diag = new Float64Array(nb);
  for (let c = 0; c < nc; c++) diag[h[c]] -= (count[c] * count[c]) / na[g[c]];
  const minv = Float64Array.from(diag, (d) => (d > 1e-12 ? 1 / d : 0));
  const x = new Float64Array(L2);
  const r = new Float64Array(b);
  const z = Float64Array.from(r, (v, k) => v * minv[k]);
  const p = new Float64Array(z);
  const q = new Float64Array(L2);
  let rz = 0;
  for (let k = 0; k < L2; k++) rz += r[k] * z[k];
  let small = 0;
  for (let it = 1; it <= maxIter; it++) {
    if (rz === 0) return { x, iterations: it, converged: true };
    mul(p, q);
    let pq = 0;
    for (let k = 0; k < L2; k++) pq += p[k] * q[k];
    if (!(pq > 0)) return { x, iterations: it, converged: true }; // exhausted the range of S
    const a = rz / pq;
    let step = 0;
    for (let k = 0; k < L2; k++) {
      const d = a * p[k];
      x[k] += d;
      r[k] -= a * q[k];
      const m = d < 0 ? -d : d;
      if (m > step) step = m;
    }
    small = step <= tol ? small + 1 : 0;
    if (small >= 2) return { x, iterations: it, converged: true };
    let rzNew = 0;
    for (let k = 0; k < L2; k++) {
      z[k] = r[k] * minv[k];
      rzNew += r[k] * z[k];
    }
    const beta = rzNew / rz;
    rz = rzNew;
    for (let k = 0; k < L2; k++) p[k] = z[k] + beta * p[k];
  }
  return { x, iterations: maxIter, converged: false };
}

/** Three or more FE: block Gauss-Seidel sweeps over the rows, accelerated on the stacked coefficients. */
function solveMany(ab: Absorber, x: Float64Array, tol: number): { coef: Float64Array[]; iterations: number } {
  const Q = ab.factors.length;
  const sizes = ab.factors.map((f) => f.levels.length);
  const offsets: number[] = [];
  let total = 0;
  for (const s of sizes) {
    offsets.push(total);
    total += s;
  }
  const n = x.length;
  const r = new Float64Array(n);
  const F = (v: Float64Array): Float64Array => {
    const out = new Float64Array(v);
    // r = x - sum_q a_q
    r.set(x);
    for (let q = 0; q < Q; q++) {
      const codes = ab.factors[q].codes;
      const o = offsets[q];
      for (let i = 0; i < n; i++) r[i] -= out[o + codes[i]];
    }
    for (let q = 0; q < Q; q++) {
      const codes = ab.factors[q].codes;
      const o = offsets[q];
      const d = groupSums(r, codes, sizes[q]);
      const cnt = ab.counts[q];
      for (let k = 0; k < sizes[q]; k++) {
        d[k] /= cnt[k];
        out[o + k] += d[k];
      }
      for (let i = 0; i < n; i++) r[i] -= d[codes[i]];
    }
    return out;
  };
  const { x: v, iterations, converged } = ironsTuck(F, new Float64Array(total), tol, ab.maxIter);
  if (!converged) notConverged(iterations, tol);
  return { coef: sizes.map((s, q) => v.slice(offsets[q], offsets[q] + s)), iterations };
}

/**
 * Normalise FE coefficients as fixest's fixef(): the first level of every factor after the first is
 * zero (per connected component for two factors), the difference moved to the first factor. Then
 * sum_q coef_q[0] is the intercept Stata's `regress y x i.a i.b` reports (for a connected design).
 */
export function normalizeFe(ab: Absorber, coef: Float64Array[]): void {
  const Q = coef.length;
  if (Q === 2 && ab.cells) {
    const comp = components(ab);
    const shiftOf = new Map<number, number>();
    // First (lowest) level of factor 2 in each component.
    for (let h = 0; h < coef[1].length; h++) {
      const c = comp.compB[h];
      if (c >= 0 && !shiftOf.has(c)) shiftOf.set(c, coef[1][h]);
    }
    for (let h = 0; h < coef[1].length; h++) if (comp.compB[h] >= 0) coef[1][h] -= shiftOf.get(comp.compB[h])!;
    for (let g = 0; g < coef[0].length; g++) if (comp.compA[g] >= 0) coef[0][g] += shiftOf.get(comp.compA[g])!;
    return;
  }
  for (let q = 1; q < Q; q++) {
    const s = coef[q][0];
    for (let k = 0; k < coef[q].length; k++) coef[q][k] -= s;
    for (let k = 0; k < coef[0].length; k++) coef[0][k] += s;
  }
}

/** Connected components ("mobility groups") of the bipartite graph of two factors. */
export function components(ab: Absorber): { compA: Int32Array; compB: Int32Array; count: number } {
  const L1 = ab.factors[0].levels.length;
  const L2 = ab.factors[1].levels.length;
  const parent = new Int32Array(L1 + L2);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const { g, h } = ab.cells!;
  for (let c = 0; c < g.length; c++) {
    const a = find(g[c]);
    const b = find(L1 + h[c]);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  const label = new Map<number, number>();
  const compA = new Int32Array(L1).fill(-1);
  const compB = new Int32Array(L2).fill(-1);
  const present = (q: number, k: number) => ab.counts[q][k] > 0;
  for (let k = 0; k < L1 + L2; k++) {
    const q = k < L1 ? 0 : 1;
    const lev = q === 0 ? k : k - L1;
    if (!present(q, lev)) continue;
    const root = find(k);
    if (!label.has(root)) label.set(root, label.size);
    (q === 0 ? compA : compB)[lev] = label.get(root)!;
  }
  return { compA, compB, count: label.size };
}

/**
 * Rank of the FE dummy block (intercept included): what a dummy-variable regression spends on the FE.
 * 1 FE: L. 2 FE: L1 + L2 - #components. 3+ FE: exact for the first two, each further factor counts
 * L - 1 (the conservative rule of reghdfe/fixest: extra redundancies are not detected).
 * `skip[q]` excludes a factor (nested in the cluster variable, reghdfe style); if all are skipped the
 * intercept still counts 1.
 */
export function feRank(ab: Absorber, skip: boolean[] = []): number {
  const used = ab.factors.map((_, q) => q).filter((q) => !skip[q]);
  if (used.length === 0) return 1;
  const L = (q: number) => ab.counts[q].reduce((s, c) => s + (c > 0 ? 1 : 0), 0);
  if (used.length === 1) return L(used[0]);
  const sub = used.length === ab.factors.length && ab.cells ? ab : makeAbsorber([ab.factors[used[0]], ab.factors[used[1]]]);
  let k = L(used[0]) + L(used[1]) - components(sub).count;
  for (const q of used.slice(2)) k += L(q) - 1;
  return k;
}

/** True when every level of `fe` lies within a single level of `cluster` (FE nested in the cluster). */
export function isNested(fe: Factor, cluster: { codes: Int32Array }): boolean {
  const owner = new Int32Array(fe.levels.length).fill(-1);
  for (let i = 0; i < fe.codes.length; i++) {
    const f = fe.codes[i];
    const c = cluster.codes[i];
    if (owner[f] === -1) owner[f] = c;
    else if (owner[f] !== c) return false;
  }
  return true;
}

/**
 * Rows to keep after dropping FE singletons iteratively (a level with one observation in any factor
 * is dropped, and dropping can create new singletons), as reghdfe does. Returns ascending row indices.
 */
export function nonSingletonRows(factors: Factor[], n: number): Int32Array {
  const alive = new Uint8Array(n).fill(1);
  const counts = factors.map((f) => {
    const c = new Int32Array(f.levels.length);
    for (let i = 0; i < n; i++) c[f.codes[i]]++;
    return c;
  });
  for (let changed = true; changed; ) {
    changed = false;
    for (let q = 0; q < factors.length; q++) {
      const codes = factors[q].codes;
      for (let i = 0; i < n; i++) {
        if (alive[i] && counts[q][codes[i]] === 1) {
          alive[i] = 0;
          changed = true;
          for (let r = 0; r < factors.length; r++) counts[r][factors[r].codes[i]]--;
        }
      }
    }
  }
  let m = 0;
  for (let i = 0; i < n; i++) m += alive[i];
  const rows = new Int32Array(m);
  for (let i = 0, j = 0; i < n; i++) if (alive[i]) rows[j++] = i;
  return rows;
}

/** Largest n x (sum of levels)^2 for which 3+ FE leverages are computed from explicit dummies. */
export const MAX_DUMMY_WORK = 2e9;

/** Leverages of the FE dummy block from explicit dummy columns (QR with the rank rule drops redundant ones). */
function dummyLeverage(ab: Absorber): Float64Array {
  const n = ab.n;
  const total = ab.factors.reduce((s, f) => s + f.levels.length, 0);
  if (n * total * total > MAX_DUMMY_WORK) {
    throw new InputError(
      `HC2/HC3 with ${ab.factors.length} absorbed fixed effects needs the leverages of ${total} dummy columns on ${n} rows, too large; use HC1 or clustered errors`,
    );
  }
  const D: Float64Array[] = [];
  for (const f of ab.factors) {
    for (let l = 0; l < f.levels.length; l++) {
      const c = new Float64Array(n);
      for (let i = 0; i < n; i++) if (f.codes[i] === l) c[i] = 1;
      D.push(c);
    }
  }
  const ls = leastSquares(D, new Float64Array(n), { factor: 'householder' });
  return leverages(D, ls);
}

/** Maximum number of levels of the smaller factor for which 2-FE leverages are computed (dense inverse). */
export const MAX_LEVERAGE_LEVELS = 4000;

/**
 * Leverage of each row in the FE dummy design alone (the P_D diagonal), needed by HC2/HC3 with
 * absorbed FE: h_ii(full) = h_ii(demeaned X) + h_ii(FE).
 * 1 FE: 1/n_g. 2 FE: P_D = P_A + P_{M_A B}; with S = B'M_A B (Schur complement, singular by one per
 * connected component, so one level per component is fixed) h_ii = 1/n_g + v'S^-v with
 * v = e_h - n_{g.}/n_g, which depends only on the cell (g, h). 3+ FE: from an explicit dummy
 * matrix, only when it is small (MAX_DUMMY_WORK); otherwise an InputError suggests HC1/clusters.
 */
export function feLeverage(ab: Absorber): Float64Array {
  const n = ab.n;
  const Q = ab.factors.length;
  const out = new Float64Array(n);
  if (Q === 1) {
    const codes = ab.factors[0].codes;
    const cnt = ab.counts[0];
    for (let i = 0; i < n; i++) out[i] = 1 / cnt[codes[i]];
    return out;
  }
  if (Q > 2) return dummyLeverage(ab);
  // Let B be the factor with fewer levels (its Schur complement is the small dense matrix).
  const swap = ab.factors[1].levels.length > ab.factors[0].levels.length ? true : false;
  const A = swap ? 1 : 0;
  const B = swap ? 0 : 1;
  const LA = ab.factors[A].levels.length;
  const LB = ab.factors[B].levels.length;
  if (LB > MAX_LEVERAGE_LEVELS) {
    throw new InputError(`HC2/HC3 with two absorbed fixed effects needs a dense ${LB} x ${LB} inverse (limit ${MAX_LEVERAGE_LEVELS} levels); use HC1 or clustered errors`);
  }
  const { g: cg, h: ch, count } = ab.cells!;
  const cellOfRow = cellOfRows(ab.factors[0], ab.factors[1], ab.cells!);
  const cellA = swap ? ch : cg;
  const cellB = swap ? cg : ch;
  const nA = ab.counts[A];
  const nB = ab.counts[B];
  // Cells grouped by A level.
  const byA: number[][] = Array.from({ length: LA }, () => []);
  for (let c = 0; c < count.length; c++) byA[cellA[c]].push(c);
  const S = new Float64Array(LB * LB);
  for (let h = 0; h < LB; h++) S[h * LB + h] = nB[h];
  for (let a = 0; a < LA; a++) {
    const cs = byA[a];
    for (const c1 of cs) for (const c2 of cs) S[cellB[c1] * LB + cellB[c2]] -= (count[c1] * count[c2]) / nA[a];
  }
  // Fix (drop) the first B level of every connected component: the remaining block is positive definite.
  const comp = components(ab);
  const compB = swap ? comp.compA : comp.compB;
  const seen = new Set<number>();
  const free: number[] = [];
  for (let h = 0; h < LB; h++) {
    if (nB[h] === 0) continue;
    if (!seen.has(compB[h])) seen.add(compB[h]);
    else free.push(h);
  }
  const m = free.length;
  const Sred = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) Sred[i * m + j] = S[free[i] * LB + free[j]];
  const Ginv = m > 0 ? invSymPD(Sred, m, 0) : new Float64Array(0);
  if (m > 0 && !Ginv) throw new Error('feLeverage: Schur complement not positive definite');
  const G = new Float64Array(LB * LB);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) G[free[i] * LB + free[j]] = Ginv![i * m + j];
  const cellLev = new Float64Array(count.length);
  const u = new Float64Array(LB);
  for (let a = 0; a < LA; a++) {
    const cs = byA[a];
    if (cs.length === 0) continue;
    // c_a = n_{a.}/n_a (sparse over B); u = G c_a; qa = c_a' u.
    u.fill(0);
    for (const c of cs) {
      const w = count[c] / nA[a];
      const hb = cellB[c];
      for (let k = 0; k < LB; k++) u[k] += G[k * LB + hb] * w;
    }
    let qa = 0;
    for (const c of cs) qa += (count[c] / nA[a]) * u[cellB[c]];
    for (const c of cs) {
      const hb = cellB[c];
      cellLev[c] = 1 / nA[a] + G[hb * LB + hb] - 2 * u[hb] + qa;
    }
  }
  for (let i = 0; i < n; i++) out[i] = cellLev[cellOfRow[i]];
  return out;
}
