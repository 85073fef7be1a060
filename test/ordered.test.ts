/**
 * Ordered logit / probit (src/stats/ordered.ts) against MASS::polr and sandwich, reference numbers
 * from test/fixtures/ordered/ordered-reference.R:
 * - MASS::housing, `polr(Sat ~ Infl + Type + Cont, weights = Freq)`, logit and probit: a text
 *   outcome ordered by `levels`, frequency weights;
 * - a simulated data set with the numeric outcome 1, 2, 3, 10, a categorical regressor, two fixed
 *   effects as dummies, missing values and a cluster variable.
 * The R script polishes polr's estimate with Newton steps and takes the variance from an accurate
 * Hessian, since polr's vcov comes from a numerical Hessian; polr's own numbers are checked too,
 * at the accuracy they have.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCsv, toDataTable } from '../src/data/csv.ts';
import { orderedModel, type OrderedOptions, type OrderedResult } from '../src/stats/ordered.ts';
import type { DataTable } from '../src/stats/types.ts';
import { close, inputErrorMessage } from './helpers.ts';

interface Ref {
  terms: string[];
  coef: number[];
  vcov: number[][];
  se: number[];
  p: number[];
  ciLow: number[];
  ciHigh: number[];
  logLik: number;
  n: number;
  weightSum: number;
  polr: { coef: number[]; se: number[]; logLik: number };
  robust: { se: number[] };
  cluster?: { variable: string; G: number; se: number[] };
}

const dir = new URL('./fixtures/ordered/', import.meta.url);
const ref = JSON.parse(readFileSync(new URL('ordered-reference.json', dir), 'utf8')) as {
  housingLogit: Ref;
  housingProbit: Ref;
  simLogit: Ref;
  simProbit: Ref;
  simCounts: Record<string, number>;
  housingCounts: Record<string, number>;
};
const housing = toDataTable(readCsv(fileURLToPath(new URL('housing.csv', dir))));
const sim = toDataTable(readCsv(fileURLToPath(new URL('sim.csv', dir))));

const HOUSING = 'Sat ~ i(Infl) + i(Type) + i(Cont)';
const HOUSING_OPTS: OrderedOptions = { levels: ['Low', 'Medium', 'High'], weights: 'Freq' };
const SIM = 'y ~ x1 + x2 + i(g) | industry + city';

/** Largest relative difference, for the agreement numbers the README quotes. */
function maxRel(got: ArrayLike<number>, want: readonly number[]): number {
  let m = 0;
  for (let j = 0; j < want.length; j++) m = Math.max(m, Math.abs(got[j] - want[j]) / Math.abs(want[j]));
  return m;
}

function expectAll(got: ArrayLike<number>, want: readonly number[], terms: readonly string[], what: string, tol: number): void {
  expect(got.length, what).toBe(want.length);
  want.forEach((v, j) => close(got[j], v, `${what} ${terms[j]}`, tol));
}

/** The checks every reference model gets: names, estimates, Hessian variance, inference, and polr's own numbers. */
function checkModel(m: OrderedResult, r: Ref): void {
  expect(m.terms).toEqual(r.terms);
  expect(m.converged).toBe(true);
  expectAll(m.coef, r.coef, r.terms, 'coef', 1e-10);
  expectAll(m.se, r.se, r.terms, 'se', 1e-8);
  const q = r.terms.length;
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) close(m.vcov[a * q + b], r.vcov[a][b], `vcov[${a},${b}]`, 1e-7);
  close(m.logLik, r.logLik, 'logLik', 1e-13);
  expectAll(m.p, r.p, r.terms, 'p', 1e-7);
  expectAll(m.ciLow, r.ciLow, r.terms, 'ciLow', 1e-9);
  expectAll(m.ciHigh, r.ciHigh, r.terms, 'ciHigh', 1e-9);
  expect(m.dfInference).toBeNull();
  // polr itself (BFGS, reltol 1e-15; numerical Hessian): agreement is limited by its optimizer.
  expect(maxRel(m.coef, r.polr.coef)).toBeLessThan(5e-7);
  expect(maxRel(m.se, r.polr.se)).toBeLessThan(5e-7);
  close(m.logLik, r.polr.logLik, 'polr logLik', 1e-12);
  expect(Array.from(m.cutpoints)).toEqual(Array.from(m.coef.slice(m.names.length)));
}

describe('ordered model: MASS::housing with frequency weights (text outcome)', () => {
  for (const link of ['logit', 'probit'] as const) {
    const r = link === 'logit' ? ref.housingLogit : ref.housingProbit;
    it(`${link}: polr coefficients, cut points and Hessian standard errors`, () => {
      const m = orderedModel(housing, HOUSING, { ...HOUSING_OPTS, link });
      checkModel(m, r);
      expect(m.link).toBe(link);
      expect(m.n).toBe(72);
      expect(m.weightSum).toBe(r.weightSum);
      expect(m.categories).toEqual(['Low', 'Medium', 'High']);
      expect(m.counts).toEqual(['Low', 'Medium', 'High'].map((c) => ref.housingCounts[c]));
      expect(m.droppedCategories).toEqual([]);
      expect(m.vcovType).toBe('hessian');
    });
    it(`${link}: robust SEs equal the sandwich on the data expanded by Freq`, () => {
      const m = orderedModel(housing, HOUSING, { ...HOUSING_OPTS, link, vcov: 'robust' });
      expectAll(m.coef, r.coef, r.terms, 'coef', 1e-10);
      expectAll(m.se, r.robust.se, r.terms, 'robust se', 1e-7);
      expect(m.vcovType).toBe('robust');
      // Stata's vce(robust) small-sample factor N/(N-1), N = sum of frequency weights.
      const s = orderedModel(housing, HOUSING, { ...HOUSING_OPTS, link, vcov: 'robust', stataAdjust: true });
      const f = Math.sqrt(r.weightSum / (r.weightSum - 1));
      expectAll(s.se, r.robust.se.map((v) => v * f), r.terms, 'robust se (Stata)', 1e-7);
    });
  }
  it('the alphabetical default order would be a different model: levels matter', () => {
    const m = orderedModel(housing, HOUSING, { weights: 'Freq' });
    expect(m.categories).toEqual(['High', 'Low', 'Medium']);
    expect(m.terms.slice(-2)).toEqual(['High|Low', 'Low|Medium']);
    expect(Math.abs(m.logLik - ref.housingLogit.logLik)).toBeGreaterThan(1);
  });
});

describe('ordered model: numeric outcome 1, 2, 3, 10 with FE dummies, missing values, clusters', () => {
  for (const link of ['logit', 'probit'] as const) {
    const r = link === 'logit' ? ref.simLogit : ref.simProbit;
    it(`${link}: Hessian standard errors`, () => {
      const m = orderedModel(sim, SIM, { link });
      checkModel(m, r);
      expect(m.n).toBe(r.n);
      expect(m.missingDropped).toBe(3);
      expect(m.rowsUsed.length).toBe(r.n);
      expect([4, 76, 299].some((i) => m.rowsUsed.includes(i))).toBe(false);
      expect(m.categories).toEqual(['1', '2', '3', '10']);
      expect(m.counts).toEqual(['1', '2', '3', '10'].map((c) => ref.simCounts[c]));
      expect(m.feDummies).toEqual(r.terms.filter((t) => t.startsWith('industry::') || t.startsWith('city::')));
      expect(m.terms.slice(-3)).toEqual(['1|2', '2|3', '3|10']);
    });
    it(`${link}: robust SEs equal sandwich::estfun scores with the accurate bread`, () => {
      const m = orderedModel(sim, SIM, { link, vcov: 'robust' });
      expectAll(m.se, r.robust.se, r.terms, 'robust se', 1e-7);
    });
    it(`${link}: cluster SEs equal the G/(G-1) cluster sandwich (vcovCL type HC0)`, () => {
      const m = orderedModel(sim, SIM, { link, cluster: 'region' });
      expectAll(m.se, r.cluster!.se, r.terms, 'cluster se', 1e-7);
      expect(m.vcovType).toBe('cluster');
      expect(m.nClusters).toBe(r.cluster!.G);
    });
  }
});

/** `sim` with the outcome replaced by `f(value)` (missing stays missing). */
function recodeY(f: (v: number) => string): DataTable {
  const y = sim.columns.y as Float64Array;
  return { ...sim, columns: { ...sim.columns, y: Array.from(y, (v) => (Number.isNaN(v) ? null : f(v))) } };
}

describe('ordered model: outcome coding', () => {
  const base = orderedModel(sim, SIM);
  it('a text outcome of numbers sorts numerically by default and gives the same fit', () => {
    const m = orderedModel(recodeY(String), SIM);
    expect(m.categories).toEqual(['1', '2', '3', '10']);
    expect(Array.from(m.coef)).toEqual(Array.from(base.coef));
  });
  it('text labels in the order given by levels give the same fit, cut points named by the labels', () => {
    const label: Record<number, string> = { 1: 'Poor', 2: 'Fair', 3: 'Good', 10: 'Excellent' };
    const m = orderedModel(recodeY((v) => label[v]), SIM, { levels: ['Poor', 'Fair', 'Good', 'Excellent'] });
    expect(m.terms.slice(-3)).toEqual(['Poor|Fair', 'Fair|Good', 'Good|Excellent']);
    expect(Array.from(m.coef)).toEqual(Array.from(base.coef));
  });
  it('levels of a numeric outcome match by value', () => {
    const m = orderedModel(sim, SIM, { levels: ['1.0', '2', '3', '1e1'] });
    expect(Array.from(m.coef)).toEqual(Array.from(base.coef));
  });
  it('categories absent from the estimation sample are dropped and reported', () => {
    const m = orderedModel(sim, SIM, { levels: ['0', '1', '2', '3', '5', '10'] });
    expect(m.droppedCategories).toEqual(['0', '5']);
    expect(m.categories).toEqual(['1', '2', '3', '10']);
    expect(m.terms.slice(-3)).toEqual(['1|2', '2|3', '3|10']);
    expect(Array.from(m.coef)).toEqual(Array.from(base.coef));
  });
  it('reversing the order flips the slopes (a logistic latent variable is symmetric)', () => {
    const m = orderedModel(sim, SIM, { levels: ['10', '3', '2', '1'] });
    base.names.forEach((t, j) => close(m.coef[j], -base.coef[j], t, 1e-9));
    close(m.logLik, base.logLik, 'logLik', 1e-12);
  });
  it('"- 1" changes nothing: the cut points replace the intercept', () => {
    const a = orderedModel(sim, 'y ~ x1 + i(g)');
    const b = orderedModel(sim, 'y ~ x1 + i(g) - 1');
    expect(b.terms).toEqual(a.terms);
    expect(Array.from(b.coef)).toEqual(Array.from(a.coef));
  });
  it('two categories give the logit of the upper one, cut point = minus its intercept', () => {
    // y >= 3 vs y < 3 with only x1: the maximum of a 2-category ordered logit is the binary logit.
    const yb = recodeY((v) => (v >= 3 ? 'hi' : 'lo'));
    const m = orderedModel(yb, 'y ~ x1', { levels: ['lo', 'hi'] });
    expect(m.terms).toEqual(['x1', 'lo|hi']);
    // Score equations of the binary logit at (a, b) = (-cut, slope): sum (y - p) = sum (y - p) x1 = 0.
    const y = yb.columns.y as (string | null)[];
    const x1 = sim.columns.x1 as Float64Array;
    let s0 = 0;
    let s1 = 0;
    for (const i of m.rowsUsed) {
      const pr = 1 / (1 + Math.exp(-(-m.coef[1] + m.coef[0] * x1[i])));
      const yi = y[i] === 'hi' ? 1 : 0;
      s0 += yi - pr;
      s1 += (yi - pr) * x1[i];
    }
    expect(Math.abs(s0)).toBeLessThan(1e-9);
    expect(Math.abs(s1)).toBeLessThan(1e-9);
  });
  it('same inputs give identical outputs', () => {
    const a = orderedModel(sim, SIM, { link: 'probit', cluster: 'region' });
    const b = orderedModel(sim, SIM, { link: 'probit', cluster: 'region' });
    expect(Array.from(a.coef)).toEqual(Array.from(b.coef));
    expect(Array.from(a.vcov)).toEqual(Array.from(b.vcov));
  });
});

describe('ordered model: bad input', () => {
  it('an outcome value not in levels names the column and row', () => {
    const msg = inputErrorMessage(() => orderedModel(sim, SIM, { levels: ['1', '2', '3'] }));
    const row = (sim.columns.y as Float64Array).findIndex((v) => v === 10) + 1;
    expect(msg).toContain(`row ${row}`);
    expect(msg).toContain("column 'y'");
    expect(msg).toContain("'10'");
  });
  it('fewer than two categories', () => {
    expect(inputErrorMessage(() => orderedModel(sim, SIM, { levels: ['1'] }))).toContain("option 'levels' must list at least 2");
    const one = recodeY(() => 'same');
    expect(inputErrorMessage(() => orderedModel(one, SIM))).toMatch(/'y' has only one category \('same'\)/);
    // Two categories listed, one present in the sample.
    expect(inputErrorMessage(() => orderedModel(one, SIM, { levels: ['same', 'other'] }))).toMatch(/only one category \('same'\) in the estimation sample/);
  });
  it('non-positive weights name the column and row', () => {
    const w = Float64Array.from(housing.columns.Freq as Float64Array);
    w[9] = 0;
    const msg = inputErrorMessage(() => orderedModel({ ...housing, columns: { ...housing.columns, Freq: w } }, HOUSING, HOUSING_OPTS));
    expect(msg).toContain('row 10');
    expect(msg).toContain("column 'Freq'");
    w[9] = -2;
    expect(inputErrorMessage(() => orderedModel({ ...housing, columns: { ...housing.columns, Freq: w } }, HOUSING, HOUSING_OPTS))).toContain('weight -2');
  });
  it('a missing weight drops the row; a text weight column is refused', () => {
    const w = Float64Array.from(housing.columns.Freq as Float64Array);
    w[0] = NaN;
    const m = orderedModel({ ...housing, columns: { ...housing.columns, Freq: w } }, HOUSING, HOUSING_OPTS);
    expect(m.missingDropped).toBe(1);
    expect(m.weightSum).toBe(ref.housingLogit.weightSum - (housing.columns.Freq as Float64Array)[0]);
    expect(inputErrorMessage(() => orderedModel(housing, HOUSING, { ...HOUSING_OPTS, weights: 'Sat' }))).toContain("column 'Sat'");
    expect(inputErrorMessage(() => orderedModel(housing, HOUSING, { ...HOUSING_OPTS, weights: 'Freqq' }))).toContain("unknown column 'Freqq'");
  });
  it('bad options and duplicate levels are named', () => {
    expect(inputErrorMessage(() => orderedModel(sim, SIM, { link: 'cloglog' as 'logit' }))).toContain("option 'link'");
    expect(inputErrorMessage(() => orderedModel(sim, SIM, { vcov: 'HC1' as 'robust' }))).toContain("option 'vcov'");
    expect(inputErrorMessage(() => orderedModel(sim, SIM, { level: 95 }))).toContain("option 'level'");
    expect(inputErrorMessage(() => orderedModel(sim, SIM, { levels: ['1', '2', '2.0', '3', '10'] }))).toContain("lists '2.0' twice");
    expect(inputErrorMessage(() => orderedModel(sim, SIM, { levels: ['low', 'high'] }))).toContain("outcome 'y' is numeric");
    expect(inputErrorMessage(() => orderedModel(sim, 'y ~ x1 + nope'))).toContain('nope');
  });
});

describe('fixed-effect levels that predict the outcome perfectly', () => {
  // Make every firm of one industry take the top category: that dummy's MLE is +infinity.
  const y = Float64Array.from(sim.columns.y as Float64Array);
  const ind = sim.columns.industry as (string | null)[];
  const top = Math.max(...y);
  const target = ind[0]!;
  for (let i = 0; i < y.length; i++) if (ind[i] === target) y[i] = top;
  const data: DataTable = { ...sim, columns: { ...sim.columns, y } };
  const m = orderedModel(data, SIM);
  const nTarget = ind.filter((v) => v === target).length;
  it('drops their observations and names the level', () => {
    expect(m.separationDropped).toBe(nTarget);
    expect(m.separatedLevels).toEqual([`industry::${target} (all ${top})`]);
    expect(m.n + m.missingDropped).toBe(sim.nrows - nTarget);
    expect(m.converged).toBe(true);
    expect(m.names.some((n) => n === `industry::${target}`)).toBe(false);
  });
  it('equals the fit on the data without those observations (the limit of the full-data likelihood)', () => {
    const keep = Array.from({ length: sim.nrows }, (_, i) => i).filter((i) => ind[i] !== target);
    const columns: DataTable['columns'] = {};
    for (const [k, col] of Object.entries(data.columns)) columns[k] = col instanceof Float64Array ? Float64Array.from(keep, (i) => col[i]) : keep.map((i) => col[i]);
    const sub = orderedModel({ nrows: keep.length, columns }, SIM);
    expect(sub.separationDropped).toBe(0);
    expect(Array.from(m.rowsUsed)).toEqual(Array.from(sub.rowsUsed, (r) => keep[r]));
    sub.terms.forEach((t, j) => close(m.coef[m.terms.indexOf(t)], sub.coef[j], t, 1e-12));
  });
});
