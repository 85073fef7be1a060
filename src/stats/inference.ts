/**
 * t, normal and F tail probabilities and confidence intervals (significance stars are reporting:
 * src/report/format.ts).
 * Upper tails are computed directly (never as 1 - cdf) so tiny p-values keep their digits:
 * two-sided t: 2 F_t(-|t|); F upper tail: P(F(d1,d2) > f) = P(F(d2,d1) < 1/f).
 */
import tcdf from '@stdlib/stats-base-dists-t-cdf';
import fcdf from '@stdlib/stats-base-dists-f-cdf';
import tquantile from '@stdlib/stats-base-dists-t-quantile';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/** Two-sided p-value of a t statistic with `df` degrees of freedom (NaN in, NaN out). */
export function tPValue(t: number, df: number): number {
  if (!Number.isFinite(t)) return Number.isNaN(t) ? NaN : 0;
  if (!(df > 0)) return NaN;
  return Math.min(1, 2 * tcdf(-Math.abs(t), df));
}

/** Upper-tail probability P(F(df1, df2) > f). */
export function fPValue(f: number, df1: number, df2: number): number {
  if (Number.isNaN(f) || !(df1 > 0) || !(df2 > 0)) return NaN;
  if (f === Infinity) return 0;
  if (f <= 0) return 1;
  return fcdf(1 / f, df2, df1);
}

/** Critical value t_{1-(1-level)/2}(df) of a two-sided interval. */
export function tCritical(level: number, df: number): number {
  if (!(df > 0)) return NaN;
  return tquantile(1 - (1 - level) / 2, df);
}

/** Confidence interval coef +- t_crit * se. */
export function confInt(coef: number, se: number, level: number, df: number): [number, number] {
  const c = tCritical(level, df);
  return [coef - c * se, coef + c * se];
}

/** SEs, z statistics, two-sided normal p-values and intervals of `coef` under the covariance V (row-major). */
export function normalInference(coef: Float64Array, V: Float64Array, level: number): { se: Float64Array; stat: Float64Array; p: Float64Array; ciLow: Float64Array; ciHigh: Float64Array } {
  const q = coef.length;
  const se = new Float64Array(q);
  const stat = new Float64Array(q);
  const p = new Float64Array(q);
  const ciLow = new Float64Array(q);
  const ciHigh = new Float64Array(q);
  const crit = normalQuantile(1 - (1 - level) / 2, 0, 1);
  for (let j = 0; j < q; j++) {
    se[j] = Math.sqrt(V[j * q + j]);
    stat[j] = coef[j] / se[j];
    // From the lower tail, so tiny p-values keep their digits.
    p[j] = Number.isNaN(stat[j]) ? NaN : Math.min(1, 2 * normalCdf(-Math.abs(stat[j]), 0, 1));
    ciLow[j] = coef[j] - crit * se[j];
    ciHigh[j] = coef[j] + crit * se[j];
  }
  return { se, stat, p, ciLow, ciHigh };
}
