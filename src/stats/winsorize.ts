/**
 * Winsorization: clip a variable at its lower and upper sample quantiles, exactly as
 * R `pmin(pmax(x, quantile(x, lower, type)), quantile(x, upper, type))` and, with the default
 * type 2, as Stata's `winsor2` / `_pctile`-based winsorizing.
 */
import { InputError } from '../errors.ts';
import { quantileSorted, sortedFinite, type QuantileType } from './quantile.ts';

export interface WinsorizeOptions {
  /** Quantile definition (Hyndman-Fan); default 2 = Stata `_pctile`. */
  type?: QuantileType;
  /** Lower tail probability; default p. */
  lower?: number;
  /** Upper tail probability; default 1 - p. */
  upper?: number;
}

export interface Winsorized {
  /** Clipped copy of x (NaN stays NaN). */
  values: Float64Array;
  /** Lower bound Q(lower) and upper bound Q(upper). */
  lower: number;
  upper: number;
  /** Observations raised to `lower` / lowered to `upper`. */
  nLow: number;
  nHigh: number;
}

/** Winsorizes `x` at probabilities p and 1 - p (default 0.5% each tail). NaN is ignored in the quantiles and kept. */
export function winsorize(x: ArrayLike<number>, p = 0.005, opts: WinsorizeOptions = {}): Winsorized {
  const type = opts.type ?? 2;
  const pl = opts.lower ?? p;
  const pu = opts.upper ?? 1 - p;
  if (!(pl >= 0 && pu <= 1 && pl <= pu)) {
    throw new InputError(`winsorize: need 0 <= lower <= upper <= 1, got lower ${pl}, upper ${pu}`);
  }
  const s = sortedFinite(x);
  const lower = quantileSorted(s, pl, type);
  const upper = quantileSorted(s, pu, type);
  const values = new Float64Array(x.length);
  let nLow = 0;
  let nHigh = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v < lower) {
      values[i] = lower;
      nLow++;
    } else if (v > upper) {
      values[i] = upper;
      nHigh++;
    } else values[i] = v; // includes NaN
  }
  return { values, lower, upper, nLow, nHigh };
}
