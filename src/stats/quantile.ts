/**
 * Sample quantiles, Hyndman & Fan (1996) types 1-9, computed exactly as R 4.2's
 * `stats:::quantile.default(x, probs, type)` (same branches, same floating-point fuzz), so results
 * are bit-for-bit R's.
 *
 * Type 2 is Stata's `_pctile` / `pctile` / `xtile` / `summarize, detail`: with P = n*p,
 * (x[P] + x[P+1]) / 2 when P is an integer, else x[floor(P) + 1]. Type 6 is Stata `centile`
 * (and `_pctile, altdef`); type 7 is R's and numpy's default.
 *
 * Floating point: R 4.2 tests "P is an integer" for types 1-3 on the computed double n*p with no
 * fuzz (e.g. 100 * 0.29 = 28.999999999999996 is not an integer, so type 2 returns x[29]); types
 * 4-9 use a fuzz of 4 * .Machine$double.eps. We copy both rules to agree with R to the last bit.
 * For the usual tail probabilities (0.005, 0.01, 0.025, 0.05, 0.1, 0.25 and their complements) and
 * n <= 100000, n*p is never within 1e-9 of an integer without being one, so this equals Stata's
 * exact-arithmetic rule there.
 */
import { InputError } from '../errors.ts';

export type QuantileType = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

const EPS = 2.220446049250313e-16; // .Machine$double.eps
const FUZZ = 4 * EPS;

/** Plotting-position constants (a, b) of the continuous types 4-9, as in R. */
const AB: Record<4 | 5 | 6 | 7 | 8 | 9, [number, number]> = {
  4: [0, 1],
  5: [0.5, 0.5],
  6: [0, 0],
  7: [1, 1],
  8: [1 / 3, 1 / 3],
  9: [3 / 8, 3 / 8],
};

/** Ascending copy of `x` without NaN (missing values are ignored, as R's na.rm = TRUE). */
export function sortedFinite(x: ArrayLike<number>): Float64Array {
  let m = 0;
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i])) m++;
  const out = new Float64Array(m);
  let k = 0;
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i])) out[k++] = x[i];
  return out.sort();
}

function checkArgs(p: number, type: number): void {
  if (!Number.isInteger(type) || type < 1 || type > 9) throw new InputError(`quantile: type must be an integer 1-9, got ${type}`);
  // R accepts probabilities up to 100 eps outside [0, 1] and clamps them.
  if (!(p >= -100 * EPS && p <= 1 + 100 * EPS)) throw new InputError(`quantile: probability ${p} outside [0, 1]`);
}

/**
 * Quantile of already sorted, NaN-free data `s` at probability `p` (R's algorithm; NaN when s is empty).
 * Prefer `quantile` / `quantiles` unless the data are known to be sorted.
 */
export function quantileSorted(s: ArrayLike<number>, p: number, type: QuantileType = 2): number {
  checkArgs(p, type);
  const n = s.length;
  if (n === 0) return NaN;
  p = Math.max(0, Math.min(1, p));

  if (type === 7) {
    // R keeps type 7 on its historical index formula.
    const index = 1 + (n - 1) * p;
    const lo = Math.floor(index);
    const hi = Math.ceil(index);
    const qlo = s[lo - 1];
    const qhi = s[hi - 1];
    if (index > lo && qhi !== qlo) {
      const h = index - lo;
      return (1 - h) * qlo + h * qhi;
    }
    return qlo;
  }

  let j: number;
  let h: number;
  if (type <= 3) {
    const nppm = type === 3 ? n * p - 0.5 : n * p;
    j = Math.floor(nppm);
    if (type === 1) h = nppm > j ? 1 : 0;
    else if (type === 2) h = ((nppm > j ? 1 : 0) + 1) / 2;
    else h = nppm !== j || mod2(j) === 1 ? 1 : 0; // R: (nppm != j) | ((j %% 2L) == 1L)
  } else {
    const [a, b] = AB[type as 4 | 5 | 6 | 8 | 9];
    const nppm = a + p * (n + 1 - a - b);
    j = Math.floor(nppm + FUZZ);
    h = nppm - j;
    if (Math.abs(h) < FUZZ) h = 0;
  }
  // R pads the sorted vector as c(x[1], x[1], x, x[n], x[n]) and reads x[j+2], x[j+3].
  const xlo = s[clamp(j - 1, n)];
  const xhi = s[clamp(j, n)];
  if (h === 1) return xhi;
  if (h > 0 && h < 1 && xlo !== xhi) return (1 - h) * xlo + h * xhi;
  return xlo;
}

/** R's `j %% 2` (non-negative remainder, also for j = -1). */
function mod2(j: number): number {
  return ((j % 2) + 2) % 2;
}

function clamp(i: number, n: number): number {
  return i < 0 ? 0 : i > n - 1 ? n - 1 : i;
}

/** Quantile of unsorted data at probability `p`; NaN values are ignored. Default type 2 (Stata). */
export function quantile(x: ArrayLike<number>, p: number, type: QuantileType = 2): number {
  return quantileSorted(sortedFinite(x), p, type);
}

/** Quantiles at several probabilities, sorting once; NaN values are ignored. Default type 2 (Stata). */
export function quantiles(x: ArrayLike<number>, probs: readonly number[], type: QuantileType = 2): number[] {
  const s = sortedFinite(x);
  return probs.map((p) => quantileSorted(s, p, type));
}
