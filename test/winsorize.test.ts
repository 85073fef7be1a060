/**
 * Winsorization against R 4.2.2 `pmin(pmax(x, quantile(x, p, type)), quantile(x, 1 - p, type))`:
 * the shared reference vectors (types 7, 2, 6; p = 0.005, 0.01) copied to test/fixtures/quantiles.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { winsorize } from '../src/stats/winsorize.ts';
import { describe as summarize } from '../src/stats/describe.ts';
import type { QuantileType } from '../src/stats/quantile.ts';

const dir = new URL('./fixtures/quantiles/', import.meta.url);

function readColumns(name: string): Record<string, Float64Array> {
  const lines = readFileSync(new URL(`${name}_winsorized.csv`, dir), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const rows = lines.slice(1).map((l) => l.split(',').map(Number));
  return Object.fromEntries(header.map((h, j) => [h, Float64Array.from(rows, (r) => r[j])]));
}

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1, Math.abs(b));
}

describe.each(['Longley_y', 'PetersenCL_y', 'CPS1988_wage'])('%s', (name) => {
  const ref = JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8'));
  const cols = readColumns(name);
  const x = cols[ref.column];
  for (const w of ref.winsorized) {
    it(`${w.column}: bounds, clipped counts, vector and summary equal R within 1e-12`, () => {
      const got = winsorize(x, w.p, { type: w.type as QuantileType });
      expect(rel(got.lower, w.lower)).toBeLessThanOrEqual(1e-12);
      expect(rel(got.upper, w.upper)).toBeLessThanOrEqual(1e-12);
      expect(got.nLow).toBe(w.n_clipped_low);
      expect(got.nHigh).toBe(w.n_clipped_high);
      const want = cols[w.column];
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, rel(got.values[i], want[i]));
      expect(worst).toBeLessThanOrEqual(1e-12);
      const s = summarize(got.values);
      for (const k of ['n', 'sum', 'mean', 'sd', 'variance', 'min', 'max', 'skewness', 'kurtosis'] as const) {
        expect(rel(s[k], w.summary[k]), `${k}: ${s[k]} vs ${w.summary[k]}`).toBeLessThanOrEqual(1e-12);
      }
    });
  }
});

describe('winsorize by hand', () => {
  it('keeps NaN, ignores it in the quantiles, and honours asymmetric tails', () => {
    // x sorted = 1..10 (n = 10). Type 2, p = 0.1: P = 1 integer -> lower = (x1 + x2)/2 = 1.5;
    // 1 - p = 0.9: P = 9 -> upper = (x9 + x10)/2 = 9.5.
    const x = [NaN, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const w = winsorize(x, 0.1);
    expect(w.lower).toBe(1.5);
    expect(w.upper).toBe(9.5);
    expect(Array.from(w.values)).toEqual([NaN, 9.5, 1.5, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([w.nLow, w.nHigh]).toEqual([1, 1]);
    // lower = 0 keeps the minimum; upper 0.75: P = 7.5 -> x[8] = 8
    const a = winsorize(x, 0, { lower: 0, upper: 0.75 });
    expect([a.lower, a.upper, a.nLow, a.nHigh]).toEqual([1, 8, 0, 2]);
    expect(() => winsorize(x, 0.6)).toThrow(/lower <= upper/);
  });
});
