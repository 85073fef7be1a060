/**
 * Absorbed fixed effects against R: lm(y ~ x1 + x2 + factor(a) + factor(b) ...) with sandwich
 * covariances (test/fixtures/regression/absorb_cases.R wrote absorb_cases.json). Covers 1, 2 and 3
 * FE, a disconnected (two mobility groups) design, HC2/HC3 leverages with 2 FE, one- and two-way
 * clustering, iterative singleton dropping, FE coefficient recovery and the base-level intercept.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitDesign, type DesignInput } from '../src/stats/fitDesign.ts';
import { InputError } from '../src/errors.ts';
import type { FitOptions } from '../src/stats/types.ts';
import { makeAbsorber, demean, feRank, nonSingletonRows } from '../src/stats/absorb.ts';

const DIR = new URL('./fixtures/regression/', import.meta.url);
const ref = JSON.parse(readFileSync(new URL('absorb_cases.json', DIR), 'utf8'));
const lines = readFileSync(new URL('absorb_cases.csv', DIR), 'utf8').trim().split(/\r?\n/);
const header = lines[0].split(',');
const table: Record<string, number[]> = Object.fromEntries(header.map((h) => [h, [] as number[]]));
for (const l of lines.slice(1)) l.split(',').forEach((v, j) => table[header[j]].push(Number(v)));
const N = lines.length - 1;

function factor(name: string, rows?: number[]) {
  const vals = (rows ?? [...Array(N).keys()]).map((i) => table[name][i]);
  const levels = [...new Set(vals)].sort((a, b) => a - b);
  const code = new Map(levels.map((v, i) => [v, i]));
  return { name, levels: levels.map(String), codes: Int32Array.from(vals, (v) => code.get(v)!) };
}

function design(fe: string[], clusters: string[] = []): DesignInput {
  const col = (c: string) => Float64Array.from(table[c]);
  return {
    y: col('y'),
    X: [col('x1'), col('x2')],
    names: ['x1', 'x2'],
    fe: fe.map((f) => factor(f)),
    clusters: clusters.map((c) => factor(c)),
    rowsUsed: Int32Array.from({ length: N }, (_, i) => i),
    missingDropped: 0,
    model: { y: 'y', terms: [{ kind: 'var', name: 'x1' }, { kind: 'var', name: 'x2' }], fe, intercept: true },
  };
}

function opts(v: string): FitOptions {
  if (v === 'classical') return { vcov: 'iid' };
  if (v.startsWith('HC')) return { vcov: v as FitOptions['vcov'] };
  return { cluster: v.slice(3).split('_') };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

const cases: [string, string[]][] = [
  ['fe1', ['a']],
  ['fe2', ['a', 'b']],
  ['fe3', ['a', 'b', 'c3']],
  ['disconnected', ['a', 'd']],
];

describe('absorbed FE vs lm() with dummies', () => {
  for (const [id, fe] of cases) {
    for (const feMethod of ['absorb', 'dummies'] as const) {
      it(`${id} (${feMethod}): coefficients, K and every covariance`, () => {
        const r = ref[id];
        for (const [v, se] of Object.entries(r.se as Record<string, Record<string, number>>)) {
          const o = opts(v);
          const fit = fitDesign(design(fe, o.cluster), { ...o, feMethod });
          expect(fit.n).toBe(r.n);
          expect(fit.k).toBe(r.k);
          for (const term of ['x1', 'x2']) {
            const a = fit.terms.indexOf(term);
            expect(rel(fit.coef[a], r.coefficients[term])).toBeLessThan(1e-9);
            expect(rel(fit.se[a], se[term]), `${id} ${v} ${term}`).toBeLessThan(1e-8);
          }
          expect(rel(fit.r2, r.r_squared)).toBeLessThan(1e-9);
          expect(rel(fit.adjR2, r.adj_r_squared)).toBeLessThan(1e-9);
          expect(rel(fit.rmse, r.sigma)).toBeLessThan(1e-9);
          if (feMethod === 'dummies') {
            // Stata `regress y x i.a i.b`: the constant and every dummy reported like any term.
            const c = fit.coef[fit.terms.indexOf('(Intercept)')];
            expect(rel(c, r.coefficients['(Intercept)'])).toBeLessThan(1e-9);
            expect(rel(fit.coef[fit.terms.indexOf('a::2')], r.coefficients['factor(a)2'])).toBeLessThan(1e-9);
          }
        }
      });
    }
  }

  it('recovers FE coefficients (fixef) and the intercept at the base levels', () => {
    const r = ref.fe2;
    const fit = fitDesign(design(['a', 'b']), {});
    expect(rel(fit.baseIntercept!, r.coefficients['(Intercept)'])).toBeLessThan(1e-9);
    const [fa, fb] = fit.fixef!;
    // a: intercept + factor(a)l; b (first level normalised to 0): factor(b)l.
    for (let l = 2; l <= 12; l++) {
      expect(rel(fa.coef[l - 1] - fa.coef[0], r.coefficients[`factor(a)${l}`])).toBeLessThan(1e-8);
    }
    expect(fb.coef[0]).toBe(0);
    for (let l = 2; l <= 7; l++) expect(rel(fb.coef[l - 1], r.coefficients[`factor(b)${l}`])).toBeLessThan(1e-8);
    // Disconnected design: the base intercept is not identified.
    expect(fitDesign(design(['a', 'd']), {}).baseIntercept).toBeNull();
  });

  it('one FE converges in one sweep; 2 FE iterate to the dummy solution', () => {
    expect(fitDesign(design(['a']), {}).feIterations).toBe(1);
    const ab = makeAbsorber([factor('a'), factor('b')]);
    const dm = demean(ab, Float64Array.from(table.y));
    expect(dm.iterations).toBeGreaterThan(1);
    // The demeaned column is orthogonal to every dummy: group sums are ~0 for both FE.
    for (const f of ab.factors) {
      const s = new Float64Array(f.levels.length);
      dm.resid.forEach((v, i) => (s[f.codes[i]] += v));
      for (const v of s) expect(Math.abs(v)).toBeLessThan(1e-10);
    }
  });

  it('3+ FE HC2/HC3 on a design too large for explicit dummies is a clear InputError', () => {
    const n = 60_000;
    const f = (name: string, L: number) => ({ name, levels: Array.from({ length: L }, (_, l) => String(l)), codes: Int32Array.from({ length: n }, (_, i) => (i * 7919 + L) % L) });
    const big: DesignInput = {
      y: Float64Array.from({ length: n }, (_, i) => Math.sin(i)),
      X: [Float64Array.from({ length: n }, (_, i) => Math.cos(i))],
      names: ['x'],
      fe: [f('a', 100), f('b', 90), f('c', 80)],
      clusters: [],
      rowsUsed: Int32Array.from({ length: n }, (_, i) => i),
      missingDropped: 0,
      model: { y: 'y', terms: [{ kind: 'var', name: 'x' }], fe: ['a', 'b', 'c'], intercept: true },
    };
    expect(() => fitDesign(big, { vcov: 'HC2' })).toThrow(InputError);
    expect(() => fitDesign(big, { vcov: 'HC2' })).toThrow(/use HC1 or clustered/);
  });

  it('slow-mixing design (a ring of levels): conjugate gradient takes over and matches the dummies', () => {
    const L = 80;
    const n = 3 * L;
    const a = new Int32Array(n);
    const b = new Int32Array(n);
    for (let i = 0; i < L; i++) {
      a[3 * i] = i; b[3 * i] = i;
      a[3 * i + 1] = i; b[3 * i + 1] = (i + 1) % L;
      a[3 * i + 2] = i; b[3 * i + 2] = (i + 1) % L;
    }
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) + a[i] / L);
    const y = Float64Array.from({ length: n }, (_, i) => x[i] + Math.cos(i * 0.9) + b[i] / L);
    const lev = Array.from({ length: L }, (_, l) => String(l));
    const ring: DesignInput = {
      y, X: [x], names: ['x'],
      fe: [{ name: 'a', codes: a, levels: lev }, { name: 'b', codes: b, levels: lev }],
      clusters: [], rowsUsed: Int32Array.from({ length: n }, (_, i) => i), missingDropped: 0,
      model: { y: 'y', terms: [{ kind: 'var', name: 'x' }], fe: ['a', 'b'], intercept: true },
    };
    for (const vcov of ['iid', 'HC1', 'HC3'] as const) {
      const ab = fitDesign(ring, { vcov });
      const du = fitDesign(ring, { vcov, feMethod: 'dummies' });
      expect(ab.feIterations).toBeGreaterThan(100); // Irons-Tuck gave up, CG finished
      expect(ab.k).toBe(du.k);
      expect(rel(ab.coef[0], du.coef[du.terms.indexOf('x')])).toBeLessThan(1e-9);
      expect(rel(ab.se[0], du.se[du.terms.indexOf('x')])).toBeLessThan(1e-8);
    }
  });

  it('K counts mobility groups: L1 + L2 - #components', () => {
    expect(feRank(makeAbsorber([factor('a'), factor('b')]))).toBe(12 + 7 - 1);
    expect(feRank(makeAbsorber([factor('a'), factor('d')]))).toBe(12 + 7 - 2);
  });

  it('drops singletons iteratively as reghdfe (dropSingletons)', () => {
    const r = ref.singletons;
    const rows = nonSingletonRows([factor('s1'), factor('s2')], N);
    expect(N - rows.length).toBe(r.dropped);
    for (const v of ['classical', 'HC1', 'HC2', 'CL_g']) {
      const o = opts(v);
      const fit = fitDesign(design(['s1', 's2'], o.cluster), { ...o, dropSingletons: true });
      expect(fit.singletonsDropped).toBe(r.dropped);
      expect(fit.n).toBe(r.n);
      expect(fit.k).toBe(r.k);
      expect(fit.rowsUsed.length).toBe(r.n);
      for (const term of ['x1', 'x2']) expect(rel(fit.se[fit.terms.indexOf(term)], r.se[v][term])).toBeLessThan(1e-8);
    }
    // Kept by default (as Stata regress): singletons then count in n.
    expect(fitDesign(design(['s1', 's2']), {}).n).toBe(N);
  });

  it('discountNestedFe: FE nested in the cluster are not counted in K (reghdfe)', () => {
    const base = fitDesign(design(['a', 'b'], ['a']), { cluster: ['a'] });
    const disc = fitDesign(design(['a', 'b'], ['a']), { cluster: ['a'], discountNestedFe: true });
    expect(base.k).toBe(2 + 12 + 7 - 1);
    expect(disc.k).toBe(2 + 7); // a (12 levels) nested in cluster a; b's 7 levels include the constant
    // Only the (N-1)/(N-K) factor changes: se_disc = se * sqrt((N - K) / (N - K_disc)).
    const ratio = Math.sqrt((N - base.k) / (N - disc.k));
    for (let j = 0; j < 2; j++) expect(rel(disc.se[j], base.se[j] * ratio)).toBeLessThan(1e-12);
    // b is not nested in a: nothing discounted when clustering on g.
    expect(fitDesign(design(['a', 'b'], ['g']), { cluster: ['g'], discountNestedFe: true }).k).toBe(base.k);
  });
});
