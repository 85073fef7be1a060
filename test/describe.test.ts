/**
 * Summary statistics against the R reference `summary_raw` blocks (sd with n - 1, skewness
 * m3/m2^1.5, kurtosis m4/m2^2 = Stata `summarize, detail`) and a hand calculation.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describe as summarize, accurateSum } from '../src/stats/describe.ts';

const dir = new URL('./fixtures/quantiles/', import.meta.url);

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1, Math.abs(b));
}

describe.each(['Longley_y', 'PetersenCL_y', 'CPS1988_wage'])('%s summary_raw', (name) => {
  it('equals R within 1e-12', () => {
    const ref = JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8'));
    const lines = readFileSync(new URL(`${name}_winsorized.csv`, dir), 'utf8').trim().split('\n').slice(1);
    const x = Float64Array.from(lines, (l) => Number(l.split(',')[0]));
    const s = summarize(x);
    for (const k of ['n', 'sum', 'mean', 'sd', 'variance', 'min', 'max', 'skewness', 'kurtosis'] as const) {
      expect(rel(s[k], ref.summary_raw[k]), `${k}: ${s[k]} vs ${ref.summary_raw[k]}`).toBeLessThanOrEqual(1e-12);
    }
    // The median is the type-2 quantile (Stata p50), which the reference lists at p = 0.5.
    expect(s.median).toBe(ref.quantiles.type2[ref.probs.indexOf(0.5)]);
  });
});

describe('by hand', () => {
  it('x = 1, 2, 3, 4, 10', () => {
    // mean 4; deviations -3 -2 -1 0 6; sum d^2 = 50, d^3 = -27-8-1+216 = 180, d^4 = 81+16+1+1296 = 1394
    // m2 = 10, m3 = 36, m4 = 278.8; sd = sqrt(50/4); skew = 36/10^1.5; kurt = 278.8/100
    const s = summarize([4, NaN, 10, 1, 3, 2]);
    expect(s.n).toBe(5);
    expect(s.mean).toBe(4);
    expect(s.variance).toBe(12.5);
    expect(s.sd).toBe(Math.sqrt(12.5));
    expect(s.median).toBe(3);
    expect([s.min, s.max]).toEqual([1, 10]);
    expect(s.skewness).toBeCloseTo(36 / Math.pow(10, 1.5), 14);
    expect(s.kurtosis).toBeCloseTo(2.788, 14);
  });
  it('empty input and compensated sums', () => {
    expect(summarize([NaN]).n).toBe(0);
    expect(summarize([]).mean).toBeNaN();
    expect(accurateSum([1e16, 1, -1e16])).toBe(1);
  });
});
