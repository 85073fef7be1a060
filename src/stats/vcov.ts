/**
 * Covariance estimators of OLS coefficients, as pure functions (in the spirit of statsmodels'
 * sandwich_covariance and pyfixest's vcov): the caller supplies the regressor columns, the residuals
 * and the bread (X'X)^-1; nothing here refits anything.
 *
 * Columns may be passed with a `shift` (subtracted on the fly) so that the caller can work in a
 * centred parametrisation without materialising centred copies. Score of row i: (x_i - shift) e_i.
 *
 * Small-sample factors are kept apart (`hcScale`, `clusterScale`) so the conventions are explicit:
 *  - HC1: n/(n-k); HC0/HC2/HC3: 1.
 *  - cluster (Stata `vce(cluster)`, sandwich::vcovCL(type="HC1", cadjust=TRUE)): G/(G-1) (n-1)/(n-k).
 *  - two-way (Cameron-Gelbach-Miller): V_a + V_b - V_ab, each with its own G/(G-1), all with
 *    (n-1)/(n-k); V_ab clusters on the intersection a x b.
 * k counts every parameter of the dummy-variable regression, FE levels included.
 */
import { matMul, symmetrize } from './linalg.ts';

export type HCType = 'HC0' | 'HC1' | 'HC2' | 'HC3';

/** Regressor columns, optional centring shift, residuals and bread (row-major p x p, same columns). */
export interface SandwichInput {
  X: readonly Float64Array[];
  shift?: Float64Array;
  resid: Float64Array;
  bread: Float64Array;
}

/** A coded cluster variable: codes 0..G-1. */
export interface ClusterCodes {
  codes: Int32Array;
  G: number;
}

const CHUNK = 2048;
/** 1 - h below this counts as leverage 1. */
const LEVERAGE_ONE = 1e-10;

/** Rows whose leverage is 1 (up to LEVERAGE_ONE), e.g. FE singletons: HC2/HC3 give them no weight. */
export function countLeverageOne(h: Float64Array): number {
  let m = 0;
  for (let i = 0; i < h.length; i++) if (1 - h[i] <= LEVERAGE_ONE) m++;
  return m;
}

/** Classical sigma^2 (X'X)^-1 with sigma^2 = RSS/(n-k). */
export function vcovIid(bread: Float64Array, rss: number, n: number, k: number): Float64Array {
  const s2 = rss / (n - k);
  return bread.map((v) => v * s2);
}

/** Small-sample factor of the HC estimators. */
export function hcScale(type: HCType, n: number, k: number): number {
  return type === 'HC1' ? n / (n - k) : 1;
}

/** Stata's cluster factor G/(G-1) (n-1)/(n-k). */
export function clusterScale(G: number, n: number, k: number): number {
  return (G / (G - 1)) * ((n - 1) / (n - k));
}

/**
 * Per-row multiplier m_i of the residual in the score (x_i e_i m_i): 1 for HC0/HC1,
 * 1/sqrt(1-h_ii) for HC2, 1/(1-h_ii) for HC3 (h = leverage of the full design, FE included).
 */
export function hcMultiplier(type: HCType, leverage?: Float64Array): ((i: number) => number) | null {
  if (type === 'HC0' || type === 'HC1') return null;
  if (!leverage) throw new Error(`${type} needs leverages`);
  const h = leverage;
  // A row with leverage 1 (e.g. an FE singleton) is fitted exactly: its residual is 0 and it carries
  // no information; its score is set to 0 rather than 0/0 (R's sandwich would return NaN).
  const one = (i: number) => 1 - h[i] <= LEVERAGE_ONE;
  return type === 'HC2' ? (i) => (one(i) ? 0 : 1 / Math.sqrt(1 - h[i])) : (i) => (one(i) ? 0 : 1 / (1 - h[i]));
}

/** Meat sum_i s_i s_i' of the scores s_i = (x_i - shift) e_i m_i, accumulated row chunk by chunk. */
export function meatHC(inp: SandwichInput, mult: ((i: number) => number) | null): Float64Array {
  const p = inp.X.length;
  const n = inp.resid.length;
  const M = new Float64Array(p * p);
  const Z: Float64Array[] = Array.from({ length: p }, () => new Float64Array(CHUNK));
  const w = new Float64Array(CHUNK);
  for (let start = 0; start < n; start += CHUNK) {
    const b = Math.min(CHUNK, n - start);
    for (let i = 0; i < b; i++) w[i] = mult ? inp.resid[start + i] * mult(start + i) : inp.resid[start + i];
    for (let j = 0; j < p; j++) {
      const x = inp.X[j];
      const z = Z[j];
      const s = inp.shift ? inp.shift[j] : 0;
      for (let i = 0; i < b; i++) z[i] = (x[start + i] - s) * w[i];
    }
    for (let a = 0; a < p; a++) {
      const za = Z[a];
      for (let c = a; c < p; c++) {
        const zc = Z[c];
        let s0 = 0, s1 = 0;
        let i = 0;
        for (; i + 1 < b; i += 2) {
          s0 += za[i] * zc[i];
          s1 += za[i + 1] * zc[i + 1];
        }
        if (i < b) s0 += za[i] * zc[i];
        M[a * p + c] += s0 + s1;
      }
    }
  }
  for (let a = 0; a < p; a++) for (let c = 0; c < a; c++) M[a * p + c] = M[c * p + a];
  return M;
}

/** Meat sum_g S_g S_g' with S_g = sum_{i in g} (x_i - shift) e_i (no small-sample factor). */
export function meatCluster(inp: SandwichInput, cl: ClusterCodes): Float64Array {
  const p = inp.X.length;
  const n = inp.resid.length;
  const S = new Float64Array(cl.G * p);
  const e = inp.resid;
  const codes = cl.codes;
  for (let j = 0; j < p; j++) {
    const x = inp.X[j];
    const s = inp.shift ? inp.shift[j] : 0;
    for (let i = 0; i < n; i++) S[codes[i] * p + j] += (x[i] - s) * e[i];
  }
  const M = new Float64Array(p * p);
  for (let g = 0; g < cl.G; g++) {
    const o = g * p;
    for (let a = 0; a < p; a++) {
      const sa = S[o + a];
      if (sa === 0) continue;
      for (let c = a; c < p; c++) M[a * p + c] += sa * S[o + c];
    }
  }
  for (let a = 0; a < p; a++) for (let c = 0; c < a; c++) M[a * p + c] = M[c * p + a];
  return M;
}

/** bread * meat * bread (bread symmetric), times `scale`. */
export function sandwichProduct(bread: Float64Array, meat: Float64Array, p: number, scale = 1): Float64Array {
  const V = matMul(matMul(bread, meat, p, p, p), bread, p, p, p);
  if (scale !== 1) for (let i = 0; i < V.length; i++) V[i] *= scale;
  symmetrize(V, p);
  return V;
}

/** Heteroskedasticity-consistent covariance HC0..HC3; `k` counts all parameters (FE levels included). */
export function vcovHC(inp: SandwichInput, type: HCType, n: number, k: number, leverage?: Float64Array): Float64Array {
  const p = inp.X.length;
  return sandwichProduct(inp.bread, meatHC(inp, hcMultiplier(type, leverage)), p, hcScale(type, n, k));
}

/**
 * Clustered covariance: one cluster variable gives Stata's CR1; two give Cameron-Gelbach-Miller
 * two-way V_a + V_b - V_ab (intersection clusters computed here).
 */
export function vcovCluster(inp: SandwichInput, clusters: ClusterCodes[], n: number, k: number): Float64Array {
  const p = inp.X.length;
  if (clusters.length === 1) {
    const c = clusters[0];
    return sandwichProduct(inp.bread, meatCluster(inp, c), p, clusterScale(c.G, n, k));
  }
  if (clusters.length !== 2) throw new Error(`vcovCluster: ${clusters.length} cluster variables (1 or 2 supported)`);
  const [a, b] = clusters;
  const ab = intersectClusters(a, b);
  const M = new Float64Array(p * p);
  const ma = meatCluster(inp, a);
  const mb = meatCluster(inp, b);
  const mab = meatCluster(inp, ab);
  const fa = a.G / (a.G - 1);
  const fb = b.G / (b.G - 1);
  const fab = ab.G / (ab.G - 1);
  for (let i = 0; i < M.length; i++) M[i] = fa * ma[i] + fb * mb[i] - fab * mab[i];
  return sandwichProduct(inp.bread, M, p, (n - 1) / (n - k));
}

/** Codes of the intersection a x b, numbered in order of first appearance of (a, b) sorted pairs. */
export function intersectClusters(a: ClusterCodes, b: ClusterCodes): ClusterCodes {
  const n = a.codes.length;
  const map = new Map<number, number>();
  const keys: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = a.codes[i] * b.G + b.codes[i];
    if (!map.has(key)) {
      map.set(key, 0);
      keys.push(key);
    }
  }
  keys.sort((x, y) => x - y);
  keys.forEach((key, g) => map.set(key, g));
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = map.get(a.codes[i] * b.G + b.codes[i])!;
  return { codes, G: keys.length };
}

/** Degrees of freedom for t/F inference: n-k, or G-1 (one-way), or min(G)-1 (two-way). */
export function vcovDf(n: number, k: number, clusters: ClusterCodes[]): number {
  if (clusters.length === 0) return n - k;
  return Math.min(...clusters.map((c) => c.G)) - 1;
}
