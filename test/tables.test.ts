import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLE_OPTIONS, type ScoredFirm, type StudySample } from '../src/study/sample.ts';
import { computeFigure1, computeFigure2, computeTable1, computeTable2, table1Layout, table2Layout, table2Note } from '../src/study/tables.ts';
import { rateScore } from '../src/study/ratings.ts';
import { toText } from '../src/report/text.ts';
import { scoresRecord } from './helpers.ts';

/** A scored firm: full marks except the given overrides; `total` given explicitly (tables do not re-validate sums). */
function firm(id: string, total: number, over: Record<string, number> = {}): ScoredFirm {
  return { firm_id: id, rating: rateScore(total), scores: scoresRecord(total, over) };
}

// Totals: Excellent 900, 880, 850; Good 820; Average 760, 780; Fair none; Poor 650, 690.
const firms: ScoredFirm[] = [
  firm('a', 900),
  firm('b', 880),
  firm('c', 850, { basic_data: 40, key_personnel: 0 }),
  firm('d', 820),
  firm('e', 760, { social_responsibility: 60, honesty_records: 60 }),
  firm('f', 780, { social_responsibility: 120, honesty_records: 120 }),
  firm('g', 650, { social_responsibility: 30, charity: 30 }),
  firm('h', 690, { social_responsibility: 30, charity: 30 }),
];

describe('Table 1 (hand-computed)', () => {
  const t = computeTable1(firms);

  it('rating rows: n, %, mean, SD (n-1), min, type-2 median, max', () => {
    const [exc, good, avg, fair, poor] = t.ratings;
    // Excellent: 900, 880, 850. Mean 2630/3; deviations 23.33, 3.33, -26.67; SS = 1266.67; SD = sqrt(SS/2).
    expect(exc.rating).toBe('Excellent');
    expect(exc.rule).toBe('S >= 850');
    expect(exc.n).toBe(3);
    expect(exc.pct).toBe(37.5);
    expect(exc.mean).toBeCloseTo(2630 / 3, 12);
    expect(exc.sd).toBeCloseTo(Math.sqrt((70 ** 2 + 10 ** 2 + 80 ** 2) / 9 / 2), 12); // deviations x3: 70, 10, -80
    expect([exc.min, exc.median, exc.max]).toEqual([850, 880, 900]); // n p = 1.5 -> x(2)
    // Good: a single firm, SD does not exist (null, Stata prints '.').
    expect([good.n, good.pct, good.mean, good.sd, good.median]).toEqual([1, 12.5, 820, null, 820]);
    // Average: 760, 780: n p = 1 is an integer -> median (x1 + x2)/2 = 770; SD = sqrt(2 * 10^2 / 1).
    expect([avg.n, avg.pct, avg.mean, avg.median]).toEqual([2, 25, 770, 770]);
    expect(avg.sd).toBeCloseTo(Math.sqrt(200), 12);
    // Fair: empty band.
    expect(fair).toEqual({ rating: 'Fair', rule: '700 <= S < 750', n: 0, pct: 0, mean: null, sd: null, min: null, median: null, max: null });
    expect([poor.n, poor.mean, poor.min, poor.max]).toEqual([2, 670, 650, 690]);
    // Key order as published.json.
    expect(Object.keys(exc)).toEqual(['rating', 'rule', 'n', 'pct', 'mean', 'sd', 'min', 'median', 'max']);
  });

  it('total score and first-level rows', () => {
    // Sorted totals 650 690 760 780 820 850 880 900: sum 6330, mean 791.25, median (780 + 820)/2.
    // Deviations -141.25 -101.25 -31.25 -11.25 28.75 58.75 88.75 108.75, SS = 55287.5.
    expect(t.total_score.n).toBe(8);
    expect(t.total_score.mean).toBe(791.25);
    expect(t.total_score.sd).toBeCloseTo(Math.sqrt(55287.5 / 7), 12);
    expect([t.total_score.min, t.total_score.median, t.total_score.max]).toEqual([650, 800, 900]);
    const basic = t.first_level_scores[0];
    expect(basic.indicator).toBe('Basic Data');
    expect(basic.max_points).toBe(80);
    expect(basic.mean).toBe(75); // (7 * 80 + 40) / 8
    expect([basic.min, basic.median, basic.max]).toEqual([40, 80, 80]);
    const sr = t.first_level_scores[4];
    expect(sr.indicator).toBe('Social Responsibility');
    expect(sr.mean).toBe(30); // (60 + 120 + 30 + 30) / 8
    expect(sr.median).toBe(15); // sorted 0 0 0 0 30 30 60 120: (x4 + x5)/2
    expect(t.title).toBe('Distribution of Ratings and Scores (all 8 firms)');
  });

  it('lays out at 2 decimals with "." for a missing statistic', () => {
    const text = toText(table1Layout(t));
    expect(text).toContain('876.67');
    expect(text).toContain('37.50');
    expect(text).toMatch(/Good\s+800 <= S < 850\s+1\s+12\.50\s+820\.00\s+\./);
  });
});

describe('Figures 1-2: mean as percent of maximum (hand-computed)', () => {
  it('first level', () => {
    const f = computeFigure1(firms);
    expect(Object.keys(f)).toEqual(['Basic Data', 'Finance and Taxation', 'Governance', 'Compliance', 'Social Responsibility']);
    expect(f['Basic Data']).toBe(93.75); // 75 / 80
    expect(f['Finance and Taxation']).toBe(100);
    expect(f['Social Responsibility']).toBeCloseTo((30 / 185) * 100, 12); // 16.2162...
  });
  it('second level', () => {
    const f = computeFigure2(firms);
    expect(Object.keys(f)).toHaveLength(12);
    expect(f['Key Personnel']).toBe(87.5); // (7 * 40 + 0) / 8 / 40
    expect(f.Charity).toBeCloseTo((7.5 / 65) * 100, 12); // 60 / 8 = 7.5
    expect(f['Honesty Records']).toBe(18.75); // 180 / 8 = 22.5 of 120
    expect(f['Serious Dishonest Acts']).toBe(100);
  });
});

describe('Table 2 (hand-computed)', () => {
  const values = (pc: number, lev: number, age: number): Record<string, number> => ({
    total: 800,
    political_connection: pc,
    party_building: 0,
    soe: 0,
    state_share: 0,
    independent_director_pct: 1 / 3,
    leverage: lev,
    roa: 0.1,
    firm_size: 22,
    firm_age: age,
    book_to_market: 0.5,
  });
  const sample = {
    rows: [values(1, 0.2, 10), values(0, 0.4, 20), values(1, 0.6, 21), values(1, 0.9, 30)].map((v, i) => ({ firm_id: String(i), industry: 'C', city: 'X', values: v })),
    options: DEFAULT_SAMPLE_OPTIONS,
  } as unknown as StudySample;
  const t = computeTable2(sample);

  it('rows in published order with the published labels', () => {
    expect(t.rows.map((r) => r.variable)).toEqual([
      'Scores',
      'Political Connection',
      'Party-Building Reform',
      'SOE',
      '% State Shareholding',
      '% Independent Director',
      'Leverage',
      'ROA',
      'Firm Size',
      'Firm Age',
      'Book-to-Market',
    ]);
  });
  it('statistics', () => {
    const pc = t.rows[1];
    // 1 0 1 1: mean 0.75, SS = 3 * 0.0625 + 0.5625 = 0.75, SD = sqrt(0.75 / 3) = 0.5; median (x2 + x3)/2 = 1.
    expect([pc.n, pc.mean, pc.sd, pc.min, pc.median, pc.max]).toEqual([4, 0.75, 0.5, 0, 1, 1]);
    const age = t.rows[9];
    // 10 20 21 30: mean 20.25, median (20 + 21)/2 = 20.5; SS = 105.0625 + 0.0625 + 0.5625 + 95.0625 = 200.75.
    expect([age.mean, age.median]).toEqual([20.25, 20.5]);
    expect(age.sd).toBeCloseTo(Math.sqrt(200.75 / 3), 12);
    const lev = t.rows[6];
    expect(lev.mean).toBeCloseTo(0.525, 15);
    expect(lev.median).toBeCloseTo(0.5, 15);
    expect(t.rows[0]).toEqual({ variable: 'Scores', n: 4, mean: 800, sd: 0, min: 800, median: 800, max: 800 });
    expect(toText(table2Layout(t))).toMatch(/Firm Age\s+4\s+20\.25\s+8\.18\s+10\.00\s+20\.50\s+30\.00/);
  });
  it('the note states the winsorization actually used', () => {
    expect(table2Layout(t).notes).toEqual(['Leverage, ROA, Firm Size and Book-to-Market winsorized at 0.5% in each tail. Median: Stata definition (type 2).']);
    expect(table2Note({ p: 0.01, type: 7, variables: ['Leverage', 'ROA'] })).toBe('Leverage and ROA winsorized at 1% in each tail (bounds: quantile type 7). Median: Stata definition (type 2).');
    expect(table2Note({ p: 0, type: 2, variables: ['Leverage'] })).toBe('No variable winsorized. Median: Stata definition (type 2).');
  });
});
