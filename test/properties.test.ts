/**
 * Invariances of the estimator on random data (fixed seed): row order, regressor scaling,
 * absorbed FE == dummy FE, collinear columns, determinism, and the large-n (Gram) path.
 */
import { describe, expect, it } from 'vitest';
import { fitDesign, type DesignInput } from '../src/stats/fitDesign.ts';
import type { FitOptions, FitResult } from '../src/stats/types.ts';

/** mulberry32: seeded uniform generator. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomDesign(n: number, seed: number, L1 = 15, L2 = 8): DesignInput {
  const u = rng(seed);
  const nrm = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const f1 = Int32Array.from({ length: n }, () => Math.floor(u() * L1));
  const f2 = Int32Array.from({ length: n }, () => Math.floor(u() * L2));
  const cl = Int32Array.from({ length: n }, () => Math.floor(u() * 12));
  const x1 = Float64Array.from({ length: n }, (_, i) => nrm() + f1[i] / 5);
  const x2 = Float64Array.from({ length: n }, (_, i) => 50 + nrm() * 3 + f2[i]);
  const x3 = Float64Array.from({ length: n }, () => (u() < 0.3 ? 1 : 0));
  const y = Float64Array.from({ length: n }, (_, i) => 2 + x1[i] - 0.3 * x2[i] + x3[i] + f1[i] / 3 - f2[i] / 4 + nrm() * (1 + Math.abs(x1[i])));
  const lev = (L: number) => Array.from({ length: L }, (_, l) => String(l));
  // Recode so that level codes are in sorted order of their labels (they are: 0..L-1).
  return {
    y,
    X: [x1, x2, x3],
    names: ['x1', 'x2', 'x3'],
    fe: [
      { name: 'f1', codes: f1, levels: lev(L1) },
      { name: 'f2', codes: f2, levels: lev(L2) },
    ],
    clusters: [{ name: 'cl', codes: cl, levels: lev(12) }],
    rowsUsed: Int32Array.from({ length: n }, (_, i) => i),
    missingDropped: 0,
    model: { y: 'y', terms: ['x1', 'x2', 'x3'].map((name) => ({ kind: 'var' as const, name })), fe: ['f1', 'f2'], intercept: true },
  };
}

const noFe = (d: DesignInput): DesignInput => ({
  ...d,
  X: [new Float64Array(d.y.length).fill(1), ...d.X],
  names: ['(Intercept)', ...d.names],
  fe: [],
  model: { ...d.model, fe: [] },
});

function permute(d: DesignInput, perm: number[]): DesignInput {
  const p = (x: Float64Array) => Float64Array.from(perm, (i) => x[i]);
  const pf = (f: DesignInput['fe'][number]) => ({ ...f, codes: Int32Array.from(perm, (i) => f.codes[i]) });
  return { ...d, y: p(d.y), X: d.X.map(p), fe: d.fe.map(pf), clusters: d.clusters.map(pf), rowsUsed: Int32Array.from(perm) };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const VARIANTS: FitOptions[] = [{ vcov: 'iid' }, { vcov: 'HC1' }, { vcov: 'HC2' }, { vcov: 'HC3' }, { cluster: ['cl'] }];

function expectSame(a: FitResult, b: FitResult, terms: string[], tol: number, what: string): void {
  for (const t of terms) {
    const i = a.terms.indexOf(t);
    const j = b.terms.indexOf(t);
    expect(rel(a.coef[i], b.coef[j]), `${what} coef ${t}`).toBeLessThan(tol);
    expect(rel(a.se[i], b.se[j]), `${what} se ${t}`).toBeLessThan(tol);
  }
}

describe('estimator properties (random data, fixed seed)', () => {
  const d = randomDesign(600, 42);

  it('row order does not change the results', () => {
    const u = rng(9);
    const perm = Array.from({ length: 600 }, (_, i) => i);
    for (let i = perm.length - 1; i > 0; i--) {
      const j = Math.floor(u() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    for (const o of VARIANTS) {
      expectSame(fitDesign(d, o), fitDesign(permute(d, perm), o), ['x1', 'x2', 'x3'], 1e-10, `absorb ${JSON.stringify(o)}`);
      expectSame(fitDesign(noFe(d), o), fitDesign(noFe(permute(d, perm)), o), ['(Intercept)', 'x1', 'x2', 'x3'], 1e-10, 'no FE');
    }
  });

  it('scaling a regressor by c scales its coefficient and SE by 1/c, leaves the others', () => {
    const c = 1000;
    const scaled = { ...d, X: [Float64Array.from(d.X[0], (v) => v * c), d.X[1], d.X[2]] };
    for (const o of VARIANTS) {
      for (const [A, B] of [[d, scaled], [noFe(d), noFe(scaled)]]) {
        const a = fitDesign(A, o);
        const b = fitDesign(B, o);
        const i = a.terms.indexOf('x1');
        expect(rel(b.coef[i] * c, a.coef[i])).toBeLessThan(1e-10);
        expect(rel(b.se[i] * c, a.se[i])).toBeLessThan(1e-10);
        expect(rel(b.t[i], a.t[i])).toBeLessThan(1e-10);
        const k = a.terms.indexOf('x2');
        expect(rel(b.coef[k], a.coef[k])).toBeLessThan(1e-10);
      }
    }
  });

  it('absorbed FE == dummy-variable FE (slopes and SEs to 1e-8, every vcov)', () => {
    for (const o of [...VARIANTS, { cluster: ['cl', 'f1'] } as FitOptions]) {
      const dd = o.cluster?.includes('f1') ? { ...d, clusters: [...d.clusters, { ...d.fe[0] }] } : d;
      const a = fitDesign(dd, { ...o, feMethod: 'absorb' });
      const b = fitDesign(dd, { ...o, feMethod: 'dummies' });
      expect(a.k).toBe(b.k);
      expectSame(a, b, ['x1', 'x2', 'x3'], 1e-8, JSON.stringify(o));
      expect(rel(a.r2, b.r2)).toBeLessThan(1e-10);
      expect(rel(a.rmse, b.rmse)).toBeLessThan(1e-10);
      // Stata's _cons of regress y x i.f1 i.f2 equals the base-level intercept of the absorbed fit.
      expect(rel(a.baseIntercept!, b.coef[b.terms.indexOf('(Intercept)')])).toBeLessThan(1e-8);
      for (let i = 0; i < 600; i += 37) expect(Math.abs(a.residuals[i] - b.residuals[i])).toBeLessThan(1e-9);
    }
  });

  it('absorbed FE stay exact when a column has a huge mean (tolerance scale is the SD)', () => {
    const shifted = { ...d, y: Float64Array.from(d.y, (v) => v + 1e7), X: [d.X[0], Float64Array.from(d.X[1], (v) => v + 1e6), d.X[2]] };
    for (const o of [{ vcov: 'HC1' }, { cluster: ['cl'] }] as FitOptions[]) {
      expectSame(fitDesign(shifted, o), fitDesign(shifted, { ...o, feMethod: 'dummies' }), ['x1', 'x2', 'x3'], 1e-8, 'shifted');
      expectSame(fitDesign(shifted, o), fitDesign(d, o), ['x1', 'x2', 'x3'], 1e-8, 'shift invariance');
    }
  });

  it('a collinear column is dropped (the later one) and reported; the fit is unchanged', () => {
    const x4 = Float64Array.from(d.X[0], (v, i) => 2 * v - d.X[1][i]);
    const withDup = { ...noFe(d), X: [...noFe(d).X, x4], names: [...noFe(d).names, 'x4'] };
    const a = fitDesign(withDup, { vcov: 'HC1' });
    expect(a.dropped).toEqual(['x4']);
    expect(a.terms).toEqual(['(Intercept)', 'x1', 'x2', 'x3']);
    expectSame(a, fitDesign(noFe(d), { vcov: 'HC1' }), ['x1', 'x2', 'x3'], 1e-9, 'collinear');
    // Moved first, x4 is kept and the later x2 is dropped.
    const first = { ...noFe(d), X: [noFe(d).X[0], x4, ...d.X], names: ['(Intercept)', 'x4', 'x1', 'x2', 'x3'] };
    expect(fitDesign(first, {}).dropped).toEqual(['x2']);
    // With absorbed FE, a regressor constant within f1 is collinear with the FE and dropped.
    const within = { ...d, X: [...d.X, Float64Array.from(d.fe[0].codes, (c) => c * c)], names: [...d.names, 'fe_fn'] };
    expect(fitDesign(within, {}).dropped).toEqual(['fe_fn']);
    // With dummies the FE columns come after the regressors (lm(y ~ x + fe_fn + factor(f1) + ...)),
    // so R's rule drops the last f1 dummy instead.
    expect(fitDesign(within, { feMethod: 'dummies' }).dropped).toEqual(['f1::14']);
  });

  it('same inputs give byte-identical outputs', () => {
    for (const o of VARIANTS) {
      const a = fitDesign(d, o);
      const b = fitDesign(randomDesign(600, 42), o);
      for (const key of ['coef', 'vcov', 'se', 'p', 'residuals', 'fitted'] as const) {
        expect(Buffer.from(a[key].buffer).equals(Buffer.from(b[key].buffer))).toBe(true);
      }
      expect([a.r2, a.f, a.fP]).toEqual([b.r2, b.f, b.fP]);
    }
  });

  it('large n (Gram-matrix path) agrees with the dummy-variable fit', () => {
    const big = randomDesign(400_000, 7, 30, 20); // n x columns > GRAM_LIMIT
    const a = fitDesign(big, { vcov: 'HC1' });
    const b = fitDesign(big, { vcov: 'HC1', feMethod: 'dummies' });
    expectSame(a, b, ['x1', 'x2', 'x3'], 1e-8, 'large n');
  });
});
