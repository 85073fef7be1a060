/**
 * Dist (calibrateScores.ts): the integer population behind every Table 1 statistic the
 * calibration and the out-of-sample finish judge. Its incremental statistics are checked against
 * simple-statistics on the same values, and `shift` (the finish's move without penalties) against
 * `commit` and a population built from scratch.
 */
import { describe, expect, it } from 'vitest';
import { max, mean, median, min, sampleStandardDeviation } from 'simple-statistics';
import { Dist, type RangeTarget } from '../src/synth/calibrateScores.ts';
import { createRng } from '../src/stats/rng.ts';

const target = (name: string, lo: number, hi: number): RangeTarget => ({
  name,
  lo,
  hi,
  t: { n: 40, mean: 60, sd: 20, min: 5, median: 61, max: 99 },
  countTarget: name !== 'all',
  meanTol: 0.005,
  sdTol: 0.005,
});
const RANGES = [target('low', 0, 49), target('high', 50, 100), target('all', 0, 100)];

function build(values: number[]): Dist {
  const d = new Dist(100, RANGES);
  for (const v of values) d.insert(v);
  d.refresh();
  return d;
}

function expectStats(d: Dist, values: number[]): void {
  RANGES.forEach((g, r) => {
    const inRange = values.filter((v) => v >= g.lo && v <= g.hi);
    const s = d.stats(r);
    expect(s.n).toBe(inRange.length);
    expect(s.mean).toBeCloseTo(mean(inRange), 10);
    expect(s.sd).toBeCloseTo(sampleStandardDeviation(inRange), 10);
    expect(s.min).toBe(min(inRange));
    expect(s.median).toBe(median(inRange));
    expect(s.max).toBe(max(inRange));
  });
}

describe('Dist: incremental statistics of an integer population', () => {
  const rng = createRng(42);
  const values = Array.from({ length: 101 }, () => rng.int(0, 100));

  it('n, mean, SD (n - 1), min, median (two middle values averaged) and max per range equal simple-statistics', () => {
    expectStats(build(values), values);
    expectStats(build(values.slice(1)), values.slice(1)); // an even count in the whole range
  });

  it('shift moves members like commit but leaves the cached penalties alone until refresh', () => {
    const shifted = build(values);
    const committed = build(values);
    const now = [...values];
    const penBefore = shifted.pen;
    for (let k = 0; k < 300; k++) {
      const i = rng.int(0, now.length - 1);
      const to = rng.int(0, 100);
      shifted.shift(now[i], to);
      committed.commit([now[i]], [to]);
      now[i] = to;
    }
    expectStats(shifted, now);
    RANGES.forEach((_, r) => expect(shifted.stats(r)).toEqual(committed.stats(r)));
    expect(shifted.pen).toBe(penBefore);
    shifted.refresh();
    const fresh = build(now).pen;
    expect(shifted.pen).toBe(fresh);
    // commit keeps a running sum of penalty changes, so it agrees up to rounding.
    expect(Math.abs(committed.pen / fresh - 1)).toBeLessThan(1e-12);
  });
});
