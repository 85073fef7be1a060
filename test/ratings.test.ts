import { describe, expect, it } from 'vitest';
import { RATING_BANDS, rateScore } from '../src/study/ratings.ts';

describe('ratings (SPEC.md: Excellent >= 850; Good 800-850; Average 750-800; Fair 700-750; Poor < 700)', () => {
  it('rates at and around every threshold', () => {
    const cases: [number, string][] = [
      [1000, 'Excellent'],
      [850, 'Excellent'],
      [849.99, 'Good'],
      [800, 'Good'],
      [799, 'Average'],
      [750, 'Average'],
      [749.5, 'Fair'],
      [700, 'Fair'],
      [699, 'Poor'],
      [0, 'Poor'],
    ];
    for (const [s, r] of cases) expect([s, rateScore(s)]).toEqual([s, r]);
  });
  it('lists the bands with the published rules, best first', () => {
    expect(RATING_BANDS.map((b) => `${b.rating}: ${b.rule}`)).toEqual([
      'Excellent: S >= 850',
      'Good: 800 <= S < 850',
      'Average: 750 <= S < 800',
      'Fair: 700 <= S < 750',
      'Poor: S < 700',
    ]);
  });
  it('refuses NaN', () => {
    expect(() => rateScore(NaN)).toThrow();
  });
});
