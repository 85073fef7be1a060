/**
 * General linear Wald test of R b = r under any coefficient covariance V:
 * F = (Rb - r)' (R V R')^-1 (Rb - r) / q, with q = rows of R and df2 = the covariance's df
 * (n-k, or G-1 when clustered). When R V R' is singular (e.g. more restrictions than clusters - 1)
 * the statistic does not exist and F is NaN with a note, as Stata leaves it missing.
 */
import { invSymPD, sandwich } from './linalg.ts';
import { fPValue } from './inference.ts';
import { InputError } from '../errors.ts';

export interface WaldResult {
  f: number;
  df1: number;
  df2: number;
  p: number;
  /** Why F is NaN, when it is. */
  note: string | null;
}

/**
 * Wald F test. `R` row-major q x p, `b` length p, `V` row-major p x p, `r` defaults to zeros.
 * `maxRank` (optional) is a known bound on rank(V) such as G-1 for one-way clustering: q above it
 * is singular by construction, whatever rounding says.
 */
export function waldTest(R: Float64Array, b: Float64Array, V: Float64Array, q: number, df2: number, r?: Float64Array, maxRank?: number): WaldResult {
  const p = b.length;
  if (q === 0) return { f: NaN, df1: 0, df2, p: NaN, note: 'no restrictions to test' };
  if (maxRank !== undefined && q > maxRank) {
    return { f: NaN, df1: q, df2, p: NaN, note: `covariance of the tested terms has rank at most ${maxRank} < ${q}; F not defined` };
  }
  const d = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += R[i * p + j] * b[j];
    d[i] = s - (r ? r[i] : 0);
  }
  const RVR = sandwich(R, V, q, p);
  const inv = invSymPD(RVR, q);
  if (!inv) return { f: NaN, df1: q, df2, p: NaN, note: 'covariance of the tested terms is singular; F not defined' };
  let f = 0;
  for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) f += d[i] * inv[i * q + j] * d[j];
  f /= q;
  return { f, df1: q, df2, p: fPValue(f, q, df2), note: null };
}

/** Selection matrix testing that the coefficients at `idx` are zero (q = idx.length rows of a p-vector). */
export function selectionMatrix(idx: readonly number[], p: number): Float64Array {
  const R = new Float64Array(idx.length * p);
  idx.forEach((j, i) => (R[i * p + j] = 1));
  return R;
}

/** Test that the named terms are all zero. */
export function waldTerms(terms: readonly string[], test: readonly string[], b: Float64Array, V: Float64Array, df2: number, maxRank?: number): WaldResult {
  const idx = test.map((t) => {
    const j = terms.indexOf(t);
    if (j < 0) throw new InputError(`Wald test: unknown term '${t}' (model terms: ${terms.join(', ')})`);
    return j;
  });
  return waldTest(selectionMatrix(idx, b.length), b, V, idx.length, df2, undefined, maxRank);
}
