/**
 * Quantile regression against R quantreg 5.94 (test/fixtures/quantreg/quantreg-reference.R):
 * rq(method = "br") coefficients and rho, summary.rq se = "iid" / "nid" / "ker" with Hall-Sheather
 * and Bofinger bandwidths (se, t, p, covariance), the "Solution may be nonunique" and
 * "non-positive fis" warnings, on engel, stackloss, CPS1985 (factor dummies, ties, non-unique) and a
 * 414-row study-like design with industry and city FE dummies (44 columns, non-unique).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCsv, toDataTable } from '../src/data/csv.ts';
import { rq, rqBandwidth, type RqSe } from '../src/stats/quantreg.ts';
import { rqBarrodaleRoberts } from '../src/stats/rqSimplex.ts';
import type { DataTable } from '../src/stats/types.ts';
import { inputErrorMessage } from './helpers.ts';

const DIR = new URL('./fixtures/quantreg/', import.meta.url);

interface SeRef {
  se: number[];
  t: number[];
  p: number[];
  cov: number[] | null;
  bandwidth: number;
  warnings: string[];
}
interface CaseRef {
  id: string;
  file: string;
  formula: string;
  tau: number;
  n: number;
  p: number;
  terms: string[];
  coef: number[];
  rho: number;
  qt975: number;
  warnings: string[];
  se: Record<string, SeRef>;
}

const ref = JSON.parse(readFileSync(new URL('quantreg-reference.json', DIR), 'utf8')) as { cases: CaseRef[] };
const tables = new Map<string, DataTable>();
function table(file: string): DataTable {
  if (!tables.has(file)) tables.set(file, toDataTable(readCsv(fileURLToPath(new URL(file, DIR)))));
  return tables.get(file)!;
}

/** R's model.matrix name "factor(city)city02" is our dummy "city::city02". */
const ourName = (r: string): string => r.replace(/^factor\((\w+)\)/, '$1::');

const rel = (got: number, want: number): number => (got === want ? 0 : Math.abs(got - want) / Math.max(Math.abs(want), 1e-300));

/** Largest relative difference seen per quantity, printed at the end for the README. */
const worst: Record<string, number> = {};
function expectRel(got: number, want: number, tol: number, what: string): void {
  const r = rel(got, want);
  const kind = what.split(' ')[0];
  worst[kind] = Math.max(worst[kind] ?? 0, r);
  expect(r, `${what}: ${got} vs R ${want}`).toBeLessThanOrEqual(tol);
}

describe('rq against R quantreg::rq(method = "br") and summary.rq', () => {
  for (const c of ref.cases) {
    for (const [key, s] of Object.entries(c.se)) {
      const [se, rule] = key.split('-') as [RqSe, string | undefined];
      it(`${c.id} se = ${key}`, () => {
        const fit = rq(table(c.file), c.formula, { tau: c.tau, se, bandwidth: rule ? 'bofinger' : 'hall-sheather' });
        expect(fit.terms).toEqual(c.terms.map(ourName));
        expect(fit.names).toEqual(fit.terms);
        expect(fit.n).toBe(c.n);
        expect(fit.dfInference).toBe(c.n - c.p);
        expect(fit.seMethod).toBe(se);
        expect(fit.tau).toBe(c.tau);
        // The vertex: R's pivoting rules are followed, so even non-unique solutions are R's.
        for (let j = 0; j < c.p; j++) expectRel(fit.coef[j], c.coef[j], 1e-10, `coef ${c.terms[j]}`);
        expectRel(fit.objective, c.rho, 1e-10, 'objective');
        expect(fit.nonUnique).toBe(c.warnings.includes('Solution may be nonunique'));
        expectRel(fit.bandwidth, s.bandwidth, 1e-12, 'bandwidth');
        for (let j = 0; j < c.p; j++) {
          expectRel(fit.se[j], s.se[j], 1e-8, `se ${key} ${c.terms[j]}`);
          expectRel(fit.stat[j], s.t[j], 1e-8, `t ${key} ${c.terms[j]}`);
          expect(Math.abs(fit.p[j] - s.p[j]), `p ${c.terms[j]}`).toBeLessThanOrEqual(1e-12);
          expectRel(fit.ciHigh[j] - fit.coef[j], c.qt975 * s.se[j], 1e-8, `ci ${key} ${c.terms[j]}`);
          expectRel(fit.coef[j] - fit.ciLow[j], c.qt975 * s.se[j], 1e-8, `ci ${key} ${c.terms[j]}`);
        }
        if (s.cov) for (let k = 0; k < c.p * c.p; k++) expectRel(fit.vcov[k], s.cov[k], 1e-8, `cov ${key}[${k}]`);
        const fis = s.warnings.map((w) => /^(\d+) non-positive fis$/.exec(w)).find((m) => m);
        if (se === 'nid') expect(fit.nonPositiveDensities).toBe(fis ? Number(fis[1]) : 0);
        if (se === 'ker') expect(fit.kernelBandwidth).toBeGreaterThan(0);
      });
    }
  }

  it('prints the measured agreement', () => {
    // eslint-disable-next-line no-console
    console.log('largest relative difference to R quantreg:', Object.fromEntries(Object.entries(worst).map(([k, v]) => [k, v.toExponential(1)])));
    expect(Object.keys(worst).length).toBeGreaterThan(0);
  });
});

describe('rq design handling', () => {
  const engel = (): DataTable => table('engel.csv');
  const ref05 = ref.cases.find((c) => c.id === 'engel-0.5')!;

  it('fixed effects after | are dummies, named as denseDesign names them', () => {
    const fit = rq(table('synth414.csv'), 'y ~ x1 + x2 + x3 | industry + city', { se: 'iid' });
    expect(fit.feDummies.length).toBe(17 + 23);
    expect(fit.feDummies[0]).toBe('industry::ind02');
    expect(fit.terms.slice(0, 4)).toEqual(['(Intercept)', 'x1', 'x2', 'x3']);
  });

  it('drops a collinear column (reported) and fits the rest as R does without it', () => {
    const base = engel();
    const income = base.columns.income as Float64Array;
    const data: DataTable = { ...base, columns: { ...base.columns, income2: income.map((v) => 2 * v) } };
    const fit = rq(data, 'foodexp ~ income + income2');
    expect(fit.dropped).toEqual(['income2']);
    expect(fit.terms).toEqual(['(Intercept)', 'income']);
    expect(Array.from(fit.coef)).toEqual(ref05.coef);
  });

  it('drops rows with a missing value listwise and says how many', () => {
    const base = engel();
    const y = Float64Array.from(base.columns.foodexp as Float64Array);
    y[0] = NaN;
    y[10] = NaN;
    const fit = rq({ ...base, columns: { ...base.columns, foodexp: y } }, 'foodexp ~ income');
    expect(fit.missingDropped).toBe(2);
    expect(fit.n).toBe(233);
    expect(fit.rowsUsed[0]).toBe(1);
  });

  it('is deterministic: the same input gives identical output', () => {
    const a = rq(table('cps1985.csv'), 'lwage ~ education + experience + i(occupation)', { se: 'nid' });
    const b = rq(table('cps1985.csv'), 'lwage ~ education + experience + i(occupation)', { se: 'nid' });
    expect(Array.from(a.coef)).toEqual(Array.from(b.coef));
    expect(Array.from(a.se)).toEqual(Array.from(b.se));
  });

  it('bandwidth.rq: Hall-Sheather and Bofinger', () => {
    // R: bandwidth.rq(0.5, 235) and bandwidth.rq(0.5, 235, hs = FALSE)
    expect(rel(rqBandwidth(0.5, 235), ref05.se.nid.bandwidth)).toBeLessThan(1e-14);
    expect(rel(rqBandwidth(0.5, 235, 'bofinger'), ref05.se['nid-bofinger'].bandwidth)).toBeLessThan(1e-14);
  });
});

describe('rqBarrodaleRoberts', () => {
  it('the median of a constant-only model is a sample median and the basis is that observation', () => {
    const y = Float64Array.from([5, 1, 9, 3, 7]);
    const s = rqBarrodaleRoberts([new Float64Array(5).fill(1)], y, 0.5);
    expect(s.coef[0]).toBe(5);
    expect(Array.from(s.basis)).toEqual([0]);
    expect(s.nonUnique).toBe(false);
  });

  it('flags an even-sized sample median as non-unique (any point between the middle two is optimal)', () => {
    const y = Float64Array.from([4, 1, 3, 2]);
    const s = rqBarrodaleRoberts([new Float64Array(4).fill(1)], y, 0.5);
    expect(s.nonUnique).toBe(true);
    expect([2, 3]).toContain(s.coef[0]);
  });

  it('the optimum is a minimum: moving any coefficient raises the check loss (stackloss, tau = 0.3)', () => {
    const d = table('stackloss.csv');
    const cols = ['air_flow', 'water_temp', 'acid_conc'].map((k) => d.columns[k] as Float64Array);
    const y = d.columns.stack_loss as Float64Array;
    const X = [new Float64Array(y.length).fill(1), ...cols];
    const tau = 0.3;
    const s = rqBarrodaleRoberts(X, y, tau);
    const loss = (b: Float64Array): number => {
      let l = 0;
      for (let i = 0; i < y.length; i++) {
        let f = 0;
        for (let j = 0; j < X.length; j++) f += X[j][i] * b[j];
        const u = y[i] - f;
        l += u * (tau - (u < 0 ? 1 : 0));
      }
      return l;
    };
    const best = loss(s.coef);
    for (let j = 0; j < X.length; j++) {
      for (const step of [-1e-3, 1e-3]) {
        const b = Float64Array.from(s.coef);
        b[j] += step;
        expect(loss(b)).toBeGreaterThan(best);
      }
    }
    // A vertex: p observations are fitted exactly.
    for (const i of s.basis) {
      let f = 0;
      for (let j = 0; j < X.length; j++) f += X[j][i] * s.coef[j];
      expect(Math.abs(y[i] - f)).toBeLessThan(1e-9);
    }
  });
});

describe('rq input errors', () => {
  const engel = (): DataTable => table('engel.csv');
  it.each([0, 1, -0.2, 1.5, NaN])('tau = %s is rejected, naming the option', (tau) => {
    expect(inputErrorMessage(() => rq(engel(), 'foodexp ~ income', { tau }))).toMatch(/option 'tau'/);
  });
  it('unknown se, bandwidth and level options are rejected by name', () => {
    expect(inputErrorMessage(() => rq(engel(), 'foodexp ~ income', { se: 'boot' as RqSe }))).toMatch(/option 'se'.*'boot'/);
    expect(inputErrorMessage(() => rq(engel(), 'foodexp ~ income', { bandwidth: 'silverman' as 'bofinger' }))).toMatch(/option 'bandwidth'/);
    expect(inputErrorMessage(() => rq(engel(), 'foodexp ~ income', { level: 95 }))).toMatch(/option 'level'/);
  });
  it('n <= p is rejected', () => {
    const data: DataTable = { nrows: 2, columns: { y: Float64Array.from([1, 2]), x: Float64Array.from([3, 5]) } };
    expect(inputErrorMessage(() => rq(data, 'y ~ x'))).toMatch(/2 observations for 2 coefficients/);
  });
  it('an unknown column is an InputError naming it', () => {
    expect(inputErrorMessage(() => rq(engel(), 'foodexp ~ incme'))).toMatch(/incme/);
  });
  it("se = 'iid' with too few observations for its residual spacing says so", () => {
    const data: DataTable = { nrows: 4, columns: { y: Float64Array.from([1, 3, 2, 5]), x: Float64Array.from([1, 2, 3, 4]) } };
    expect(inputErrorMessage(() => rq(data, 'y ~ x', { se: 'iid' }))).toMatch(/se = 'iid'/);
  });
});
