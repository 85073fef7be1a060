/**
 * Summary statistics as Stata `summarize, detail` reports them: n, mean, sd (n - 1), variance,
 * min, median (Hyndman-Fan type 2 = Stata `_pctile`), max, skewness m3 / m2^1.5 and kurtosis
 * m4 / m2^2 (not excess), with m_k = mean((x - mean)^k).
 *
 * simple-statistics is not used for the moments: its sampleSkewness / sampleKurtosis are the
 * small-sample adjusted (and excess) versions, which Stata does not print.
 */
import { quantileSorted, sortedFinite } from './quantile.ts';

export interface Summary {
  n: number;
  sum: number;
  mean: number;
  /** Standard deviation with divisor n - 1 (NaN for n < 2). */
  sd: number;
  variance: number;
  min: number;
  /** Type-2 median, as Stata's p50. */
  median: number;
  max: number;
  skewness: number;
  kurtosis: number;
}

/** Neumaier-compensated sum: keeps sums of many values accurate to the last bit or two. */
export function accurateSum(x: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

/** Summary statistics of `x`; NaN values are missing and ignored (n counts the rest). */
export function describe(x: ArrayLike<number>): Summary {
  const s = sortedFinite(x);
  const n = s.length;
  if (n === 0) {
    return { n: 0, sum: 0, mean: NaN, sd: NaN, variance: NaN, min: NaN, median: NaN, max: NaN, skewness: NaN, kurtosis: NaN };
  }
  const sum = accurateSum(s);
  // Two-pass mean as R's mean(): refine by the mean of the deviations.
  let mean = sum / n;
  const dev = new Float64Array(n);
  for (let i = 0; i < n; i++) dev[i] = s[i] - mean;
  mean += accurateSum(dev) / n;
  const d2 = new Float64Array(n);
  const d3 = new Float64Array(n);
  const d4 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = s[i] - mean;
    d2[i] = d * d;
    d3[i] = d2[i] * d;
    d4[i] = d2[i] * d2[i];
  }
  const ss = accurateSum(d2);
  const m2 = ss / n;
  const m3 = accurateSum(d3) / n;
  const m4 = accurateSum(d4) / n;
  const variance = n > 1 ? ss / (n - 1) : NaN;
  return {
    n,
    sum,
    mean,
    sd: Math.sqrt(variance),
    variance,
    min: s[0],
    median: quantileSorted(s, 0.5, 2),
    max: s[n - 1],
    skewness: m3 / Math.pow(m2, 1.5),
    kurtosis: m4 / (m2 * m2),
  };
}
