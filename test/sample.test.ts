import { describe, expect, it } from 'vitest';
import type { ExecutiveRecord, RawData } from '../src/data/load.ts';
import { joinRaw } from '../src/data/join.ts';
import { ANALYSIS_COLUMNS, buildSample, sampleTable } from '../src/study/sample.ts';
import { scoresRecord } from './helpers.ts';

/** Scores of a firm: only Basic Data loses points, so total = 815 - (80 - basic). */
function scores(basic: number): Record<string, number> {
  return scoresRecord(735 + basic, { basic_data: basic, key_personnel: basic - 40 });
}

/**
 * Ten complete firms A01..A10 with leverage 0.1, 0.2, ..., 1.0 (liabilities / assets 1000),
 * plus one firm for each way of leaving the sample.
 */
function raw(): RawData {
  const ids = Array.from({ length: 10 }, (_, i) => `A${String(i + 1).padStart(2, '0')}`);
  const extra = ['B_noscore', 'B_nofin', 'B_nogov', 'B_noparty', 'B_late', 'B_noexec', 'B_nocity'];
  const all = [...ids, ...extra];
  const firms = all.map((firm_id, i) => ({
    row: i + 1,
    firm_id,
    name: null,
    city: firm_id === 'B_nocity' ? null : i % 2 ? 'Hangzhou' : 'Ningbo',
    industry: 'C',
    established: '2000-07-02',
    listed: firm_id === 'B_late' ? '2018-03-01' : '2010-01-01',
  }));
  const scored = all.filter((id) => id !== 'B_noscore');
  const exec = (firm_id: string, rank: ExecutiveRecord['rank']): ExecutiveRecord => ({ row: 0, firm_id, person_id: 'p1', role: 'director', rank });
  return {
    dir: 'mem',
    files: { 'firms.csv': 'firms.csv' },
    firms,
    scores: scored.map((firm_id, i) => ({ row: i + 1, firm_id, collected: '2021-07-01', scores: scores(70 + (i % 10)) })),
    financials: all
      .filter((id) => id !== 'B_nofin')
      .flatMap((firm_id, i) => [
        { row: 0, firm_id, fiscal_year: 2020, total_assets: 1000, total_liabilities: 100 * ((i % 10) + 1), net_income: 50, book_equity: 500, market_value: 1000 },
        { row: 0, firm_id, fiscal_year: 2019, total_assets: 900, total_liabilities: 1, net_income: 1, book_equity: 1, market_value: 1 },
      ]),
    governance: [...all.filter((id) => id !== 'B_nogov'), 'ORPHAN'].map((firm_id) => ({ row: 0, firm_id, board_size: 9, independent_directors: 3, soe: 0, state_share: 0 })),
    partyBuilding: all.filter((id) => id !== 'B_noparty').map((firm_id) => ({ row: 0, firm_id, amended: 1, amended_on: '2018-06-30' })),
    executives: all.filter((id) => id !== 'B_noexec').map((id, i) => exec(id, i % 3 === 0 ? 'division' : 'section')),
  };
}

describe('sample flow and regression sample', () => {
  const sample = buildSample(raw(), { winsorizeP: 0.1 });

  it('accounts for every firm, step by step, with reasons', () => {
    const steps = sample.flow.steps;
    expect(steps.map((s) => [s.step, s.n])).toEqual([
      ['firms in firms.csv', 17],
      ['with a credit score (scores.csv)', 16],
      ['matched to covariates (financials 2020, governance, party building)', 13],
      ['listed before 2018-03-01', 12],
      ['complete cases (regression sample)', 10],
    ]);
    expect(steps[1].removed).toEqual([{ firm_id: 'B_noscore', reason: 'no scores.csv row' }]);
    expect(steps[2].removed).toEqual([
      { firm_id: 'B_nofin', reason: 'no financials.csv row for fiscal year 2020' },
      { firm_id: 'B_nogov', reason: 'no governance.csv row' },
      { firm_id: 'B_noparty', reason: 'no party_building.csv row' },
    ]);
    expect(steps[3].removed).toEqual([{ firm_id: 'B_late', reason: 'listed 2018-03-01' }]);
    expect(steps[4].removed).toEqual([
      { firm_id: 'B_nocity', reason: 'missing city' },
      { firm_id: 'B_noexec', reason: 'missing political_connection (no executives.csv rows)' },
    ]);
    // n at each step = previous n - removed.
    for (let i = 1; i < steps.length; i++) expect(steps[i].n).toBe(steps[i - 1].n - steps[i].removed.length);
    expect(sample.flow.orphans).toEqual([{ file: 'governance.csv', rows: 1, firmIds: ['ORPHAN'] }]);
    expect(sample.scored).toHaveLength(16);
    expect(sample.rows.map((r) => r.firm_id)).toEqual(['A01', 'A02', 'A03', 'A04', 'A05', 'A06', 'A07', 'A08', 'A09', 'A10']);
  });

  it('uses fiscal year 2020 and computes each variable', () => {
    const a01 = sample.rows[0].values;
    expect(a01.firm_size).toBe(Math.log(1000));
    expect(a01.roa).toBe(0.05);
    expect(a01.book_to_market).toBe(0.5);
    expect(a01.independent_director_pct).toBe(1 / 3);
    expect(a01.party_building).toBe(1);
    expect(a01.firm_age).toBe(20); // 2000-07-02 -> 2021-07-01
    expect(a01.total).toBe(805);
    expect(a01.basic_data).toBe(70);
    // Firms are in id order; A01 has index 0 among executives -> 'division' (connected).
    expect(sample.rows.map((r) => r.values.political_connection)).toEqual([1, 0, 0, 1, 0, 0, 1, 0, 0, 1]);
  });

  it('winsorizes on the regression sample with type-2 quantiles (p = 0.1 here)', () => {
    // Leverage 0.1..1.0, n = 10: n p = 1 is an integer, so Q(0.1) = (x1 + x2) / 2 = 0.15 and
    // Q(0.9) = (x9 + x10) / 2 = 0.95; one value clipped in each tail.
    const lev = sample.winsorization.find((w) => w.variable === 'leverage')!;
    expect(lev.lower).toBeCloseTo(0.15, 15);
    expect(lev.upper).toBeCloseTo(0.95, 15);
    expect([lev.nLow, lev.nHigh]).toEqual([1, 1]);
    expect(sample.rows[0].values.leverage).toBe(lev.lower);
    expect(sample.rows[9].values.leverage).toBe(lev.upper);
    expect(sample.rows[4].values.leverage).toBe(0.5);
    // Constant variables are untouched.
    const roa = sample.winsorization.find((w) => w.variable === 'roa')!;
    expect([roa.lower, roa.upper, roa.nLow, roa.nHigh]).toEqual([0.05, 0.05, 0, 0]);
  });

  it('options move the cutoffs', () => {
    const s = buildSample(raw(), { listedBefore: '2018-03-02', fiscalYear: 2020 });
    expect(s.flow.steps[3].removed).toEqual([]);
    const s2019 = buildSample(raw(), { fiscalYear: 2019 });
    expect(s2019.rows[0].values.firm_size).toBe(Math.log(900));
  });

  it('exposes the regression sample as a DataTable with the analysis columns', () => {
    const t = sampleTable(sample);
    expect(t.nrows).toBe(10);
    for (const c of ANALYSIS_COLUMNS) expect(t.columns[c]).toBeDefined();
    expect(t.columns.city[0]).toBe('Ningbo');
  });

  it('rejects a score collected before the firm was established', () => {
    const r = raw();
    r.firms[0].established = '2021-07-02';
    expect(() => joinRaw(r, 2020)).toThrow("firms.csv, row 1, column 'established': 2021-07-02 is after the score collection date 2021-07-01 (scores.csv row 1)");
  });
});
