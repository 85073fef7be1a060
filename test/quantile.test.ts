/**
 * Quantiles against R 4.2.2 `quantile(x, probs, type = t)`: the reference files in
 * test/fixtures/quantiles (copied from the shared R reference set) and small vectors whose R output
 * is written out below (R printed with options(digits = 17), so the literals are R's exact doubles).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { quantile, quantiles, quantileSorted, type QuantileType } from '../src/stats/quantile.ts';
import { InputError } from '../src/errors.ts';

const dir = new URL('./fixtures/quantiles/', import.meta.url);

/** First column of a reference "_winsorized.csv" = the raw vector, in source order. */
function rawColumn(name: string): Float64Array {
  const lines = readFileSync(new URL(`${name}_winsorized.csv`, dir), 'utf8').trim().split('\n').slice(1);
  return Float64Array.from(lines, (l) => Number(l.split(',')[0]));
}

function relClose(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}

describe.each(['Longley_y', 'PetersenCL_y', 'CPS1988_wage'])('%s: types 1-9 equal R', (name) => {
  const ref = JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8'));
  const x = rawColumn(name);
  it('has the reference length', () => expect(x.length).toBe(ref.n));
  for (let t = 1; t <= 9; t++) {
    it(`type ${t}`, () => {
      const got = quantiles(x, ref.probs, t as QuantileType);
      const want: number[] = ref.quantiles[`type${t}`];
      got.forEach((g, i) => expect(relClose(g, want[i], 1e-12), `p=${ref.probs[i]}: ${g} vs ${want[i]}`).toBe(true));
    });
  }
});

describe('edge cases written out from R 4.2.2', () => {
  it('x = 1:100 at p = 0.29, 0.57, 0.145 (n*p not exactly an integer in floating point)', () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => 100 - i); // unsorted on purpose
    const R: Record<number, number[]> = {
      1: [29, 57, 15],
      2: [29, 57, 15], // R 4.2: 100*0.29 = 28.999999999999996 is not an integer, so no averaging
      3: [29, 57, 14],
      4: [28.999999999999996, 56.999999999999993, 14.499999999999998],
      5: [29.499999999999996, 57.499999999999993, 15],
      6: [29.289999999999999, 57.569999999999993, 14.645],
      7: [29.709999999999997, 57.429999999999993, 15.354999999999999],
      8: [29.43, 57.523333333333333, 14.881666666666668],
      9: [29.447499999999998, 57.517499999999998, 14.911249999999999],
    };
    for (let t = 1; t <= 9; t++) expect(quantiles(x, [0.29, 0.57, 0.145], t as QuantileType)).toEqual(R[t]);
  });

  it('small vector with ties, p = 0 and p = 1', () => {
    const y = [5.5, -1, 3, 3, 10];
    const probs = [0, 0.1, 0.2, 0.3, 0.5, 0.9, 1];
    const R: Record<number, number[]> = {
      1: [-1, -1, -1, 3, 3, 10, 10],
      2: [-1, -1, 1, 3, 3, 10, 10],
      3: [-1, -1, -1, 3, 3, 5.5, 10],
      4: [-1, -1, -1, 1, 3, 7.75, 10],
      5: [-1, -1, 1, 3, 3, 10, 10],
      6: [-1, -1, -0.19999999999999929, 2.1999999999999993, 3, 10, 10],
      7: [-1, 0.59999999999999964, 2.2000000000000002, 3, 3, 8.1999999999999993, 10],
      8: [-1, -1, 0.60000000000000053, 2.7333333333333334, 3, 10, 10],
      9: [-1, -1, 0.70000000000000018, 2.7999999999999998, 3, 10, 10],
    };
    for (let t = 1; t <= 9; t++) expect(quantiles(y, probs, t as QuantileType)).toEqual(R[t]);
  });

  it('type 3 with negative index (R: j %% 2 of -1 is 1) and Stata type-2 averaging by hand', () => {
    expect(quantile([7], 0.1, 3)).toBe(7);
    expect(quantile([7, 9], 0.1, 3)).toBe(7);
    expect(quantile([7, 9], 0.25, 3)).toBe(7);
    // Stata _pctile: n = 4, p = 0.5 -> P = 2 integer -> (x[2] + x[3]) / 2 = (2 + 4) / 2
    expect(quantile([8, 2, 4, 1], 0.5)).toBe(3);
    // n = 4, p = 0.3 -> P = 1.2 -> x[2] = 2
    expect(quantile([8, 2, 4, 1], 0.3)).toBe(2);
  });

  it('ignores NaN, returns NaN for no data, rejects bad p or type', () => {
    expect(quantile([NaN, 1, 2, NaN, 3], 0.5)).toBe(2);
    expect(quantile([], 0.5)).toBeNaN();
    expect(quantileSorted([1, 2, 3], 1 + 1e-15, 7)).toBe(3); // R clamps slight overshoot
    expect(() => quantile([1, 2], 1.1)).toThrow(InputError);
    expect(() => quantile([1, 2], 0.5, 10 as QuantileType)).toThrow(/type must be an integer 1-9/);
  });
});
