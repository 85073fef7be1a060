import { describe, expect, it } from 'vitest';
import {
  COVARIATES,
  VARIABLE_LABELS,
  bookToMarket,
  firmAge,
  firmSize,
  independentDirectorPct,
  leverage,
  partyBuilding,
  politicalConnection,
  roa,
} from '../src/study/variables.ts';

describe('variable construction (SPEC.md section 3)', () => {
  it('ratios: % independent director, leverage, ROA, book-to-market', () => {
    expect(independentDirectorPct(3, 9)).toBe(1 / 3);
    expect(independentDirectorPct(4, 10)).toBe(0.4);
    expect(leverage(450, 1000)).toBe(0.45);
    expect(leverage(1460, 1000)).toBe(1.46); // above 1 is allowed (published max 1.46)
    expect(roa(-113, 100)).toBe(-1.13);
    expect(bookToMarket(600, 1000)).toBe(0.6);
    expect(bookToMarket(-50, 1000)).toBe(-0.05);
    expect(Number.isNaN(leverage(NaN, 1000))).toBe(true);
  });

  it('firm size is the natural log of total assets', () => {
    expect(firmSize(Math.E ** 22)).toBeCloseTo(22, 12);
    // ln(4.2e9) = ln(4.2) + 9 ln(10) = 1.4350845252893227 + 20.72326583694641
    expect(firmSize(4.2e9)).toBeCloseTo(22.158350362235735, 12);
  });

  it('firm age counts completed years (birthday logic)', () => {
    expect(firmAge('2000-07-02', '2021-07-01')).toBe(20);
    expect(firmAge('2000-07-01', '2021-07-01')).toBe(21);
    expect(firmAge('2000-06-30', '2021-07-01')).toBe(21);
    expect(firmAge('2000-12-31', '2021-07-01')).toBe(20);
    expect(firmAge('1955-01-01', '2021-07-01')).toBe(66);
    // Founded 29 February: one year older on 1 March of a common year, on 29 February of a leap year.
    expect(firmAge('2000-02-29', '2021-02-28')).toBe(20);
    expect(firmAge('2000-02-29', '2021-03-01')).toBe(21);
    expect(firmAge('2000-02-29', '2024-02-29')).toBe(24);
    expect(Number.isNaN(firmAge(null, '2021-07-01'))).toBe(true);
  });

  it('party-building reform: amended on or before 2018-12-31 (configurable)', () => {
    expect(partyBuilding(1, '2018-12-31')).toBe(1);
    expect(partyBuilding(1, '2017-05-04')).toBe(1);
    expect(partyBuilding(1, '2019-01-01')).toBe(0);
    expect(partyBuilding(0, null)).toBe(0);
    expect(Number.isNaN(partyBuilding(1, null))).toBe(true); // amended, date unknown
    expect(Number.isNaN(partyBuilding(NaN, null))).toBe(true);
    expect(partyBuilding(1, '2019-06-30', '2019-06-30')).toBe(1);
  });

  it('political connection: a director / chair / independent director / CEO with division rank or above', () => {
    expect(politicalConnection([{ role: 'director', rank: 'division' }])).toBe(1);
    expect(politicalConnection([{ role: 'chair', rank: 'ministry' }])).toBe(1);
    expect(politicalConnection([{ role: 'independent_director', rank: 'department' }])).toBe(1);
    expect(politicalConnection([{ role: 'ceo', rank: 'division' }])).toBe(1);
    expect(politicalConnection([{ role: 'ceo', rank: 'section' }, { role: 'director', rank: 'staff' }])).toBe(0);
    // Supervisors and other executives do not count, whatever their rank.
    expect(politicalConnection([{ role: 'supervisor', rank: 'ministry' }, { role: 'executive', rank: 'department' }])).toBe(0);
    expect(politicalConnection([{ role: 'director', rank: 'none' }, { role: 'director', rank: 'clerk' }])).toBe(0);
    // No biography rows at all: unknown, not unconnected.
    expect(Number.isNaN(politicalConnection([]))).toBe(true);
    // Configurable: counting section rank too.
    expect(politicalConnection([{ role: 'ceo', rank: 'section' }], { connectingRoles: ['ceo'], connectedRanks: ['section'] })).toBe(1);
  });

  it('labels are those of published.json, covariates in model (5) order', () => {
    expect(COVARIATES.map((k) => VARIABLE_LABELS[k])).toEqual([
      '% Independent Director',
      'Leverage',
      'ROA',
      'SOE',
      '% State Shareholding',
      'Party-Building Reform',
      'Political Connection',
      'Firm Size',
      'Firm Age',
      'Book-to-Market',
    ]);
  });
});
