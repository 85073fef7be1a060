/**
 * Wild cluster restricted bootstrap against an independent brute-force implementation in R
 * (test/fixtures/wildBootstrap/wildBootstrap.R: every draw refitted by least squares, CR1 SEs by
 * the explicit formula, checked against lm + sandwich::vcovCL on the first draws), on a synthetic
 * data set with industry and city FE as dummies (G = 10 cities) and a factor model clustered by
 * region (G = 12).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCsv, toDataTable } from '../src/data/csv.ts';
import { denseDesign } from '../src/stats/denseDesign.ts';
import { feols } from '../src/stats/feols.ts';
import {
  bootstrapT,
  ciBound,
  drawCoefficients,
  exceedances,
  randomWeights,
  wcrPieces,
  wildClusterBootstrap,
  type WildBootstrapOptions,
} from '../src/stats/wildBootstrap.ts';
import { createRng } from '../src/stats/rng.ts';
import { close, inputErrorMessage } from './helpers.ts';

interface RefModel {
  formula: string;
  cluster: string;
  param: string;
  h0: number;
  weights: 'rademacher' | 'webb';
  N: number;
  k: number;
  G: number;
  coef: number;
  se: number;
  t: number;
  B: number;
  count_ge: number;
  count_gt: number;
  ties: number;
  p: number;
  p_boottest: number;
  level: number;
  ciLow: number;
  ciHigh: number;
  tstar: number[];
}

const dir = new URL('./fixtures/wildBootstrap/', import.meta.url);
const ref = JSON.parse(readFileSync(new URL('reference.json', dir), 'utf8')) as { models: Record<'A' | 'A90' | 'B' | 'webb', RefModel> };
const data = toDataTable(readCsv(fileURLToPath(new URL('data.csv', dir))), { categorical: ['industry', 'city', 'region'] });
const WEBB = [-Math.sqrt(1.5), -1, -Math.sqrt(0.5), Math.sqrt(0.5), 1, Math.sqrt(1.5)];
const webbIndex = readFileSync(new URL('webb-index.csv', dir), 'utf8')
  .trim()
  .split('\n')
  .map((line) => line.split(',').map((s) => Number(s) - 1));

/** Largest relative difference between two vectors. */
function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-300));
  return m;
}

const opts = (m: RefModel, extra: Partial<WildBootstrapOptions> = {}): WildBootstrapOptions => ({
  cluster: m.cluster,
  param: m.param,
  h0: m.h0,
  weights: m.weights,
  level: m.level,
  ...extra,
});

describe('wild cluster bootstrap: full Rademacher enumeration equals the brute-force R implementation', () => {
  for (const key of ['A', 'A90', 'B'] as const) {
    const m = ref.models[key];
    it(`model ${key}: ${m.formula}, cluster ${m.cluster} (G = ${m.G}), H0: ${m.param} = ${m.h0}, level ${m.level}`, () => {
      const r = wildClusterBootstrap(data, m.formula, opts(m, { B: 9999 }));
      expect(r.enumerated).toBe(true);
      expect(r.B).toBe(2 ** m.G);
      expect(r.B).toBe(m.B);
      expect(r.G).toBe(m.G);
      close(r.coef, m.coef, 'coef', 1e-10);
      close(r.se, m.se, 'CR1 se', 1e-10);
      close(r.t, m.t, 't', 1e-10);
      // A count over 2^G draws: exact.
      expect(r.p * r.B).toBe(m.count_ge);
      expect(r.ties).toBe(m.ties);
      expect(r.p - r.ties / r.B).toBe(m.p_boottest);
      close(r.ciLow, m.ciLow, 'CI low', 1e-9);
      close(r.ciHigh, m.ciHigh, 'CI high', 1e-9);
    });
  }

  it('every enumerated bootstrap t equals the refitted one to 1e-8 (model A and B)', () => {
    for (const key of ['A', 'B'] as const) {
      const m = ref.models[key];
      const d = denseDesign(data, m.formula, { cluster: [m.cluster] });
      const pc = wcrPieces(d.X, d.y, d.names.indexOf(m.param), d.clusters[0].codes, m.G);
      const dc = drawCoefficients(pc, 2 ** m.G, (v, b) => {
        for (let g = 0; g < v.length; g++) v[g] = (b >> g) & 1 ? -1 : 1;
      });
      const ts = bootstrapT(dc, m.h0);
      expect(ts.length).toBe(m.tstar.length);
      expect(maxRel(ts, m.tstar), key).toBeLessThan(1e-8);
    }
  });
});

describe('wild cluster bootstrap: Webb weights', () => {
  const m = ref.models.webb;
  const d = denseDesign(data, m.formula, { cluster: [m.cluster] });
  const pc = wcrPieces(d.X, d.y, d.names.indexOf(m.param), d.clusters[0].codes, m.G);
  const dc = drawCoefficients(pc, webbIndex.length, (v, b) => {
    for (let g = 0; g < v.length; g++) v[g] = WEBB[webbIndex[b][g]];
  });
  it('the same 999 Webb draws give the refitted bootstrap t statistics and p-value', () => {
    expect(webbIndex.length).toBe(m.B);
    expect(maxRel(bootstrapT(dc, m.h0), m.tstar)).toBeLessThan(1e-8);
    const ex = exceedances(dc, m.h0, (pc.coef - m.h0) / pc.se);
    expect(ex.count).toBe(m.count_ge);
    expect(ex.ties).toBe(0);
  });
  it('the same draws give the refitted test-inversion interval', () => {
    close(ciBound(pc, dc, 1 - m.level, -1), m.ciLow, 'CI low', 1e-9);
    close(ciBound(pc, dc, 1 - m.level, 1), m.ciHigh, 'CI high', 1e-9);
  });
  it('random Webb draws take the six points with equal frequency', () => {
    const fill = randomWeights(createRng(5), 'webb');
    const v = new Float64Array(12);
    const counts = new Map<number, number>();
    const draws = 5000;
    for (let b = 0; b < draws; b++) {
      fill(v, b);
      for (const x of v) counts.set(x, (counts.get(x) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual(WEBB);
    const n = draws * 12;
    for (const c of counts.values()) expect(Math.abs(c / n - 1 / 6)).toBeLessThan(4 * Math.sqrt(((1 / 6) * (5 / 6)) / n));
  });
  it('999 random Webb draws give a p-value near that of R\'s 999 draws', () => {
    const r = wildClusterBootstrap(data, m.formula, opts(m, { B: 999, seed: 11, ci: false }));
    expect(r.enumerated).toBe(false);
    expect(r.weights).toBe('webb');
    expect(r.B).toBe(999);
    // Two independent estimates of the same p: their difference has SD sqrt(2 p (1 - p) / 999) ~ 0.009.
    expect(Math.abs(r.p - m.p)).toBeLessThan(4 * Math.sqrt((2 * m.p * (1 - m.p)) / 999));
  });
});

describe('wild cluster bootstrap: random Rademacher draws converge to the enumeration', () => {
  const m = ref.models.B;
  // Fixed seeds, so deterministic; the band is 4 binomial SDs of p_B around the exact p.
  for (const B of [999, 9999, 99999]) {
    it(`B = ${B}`, () => {
      const r = wildClusterBootstrap(data, m.formula, opts(m, { B, enumerate: false, ci: false, seed: 1234 }));
      expect(r.enumerated).toBe(false);
      expect(r.B).toBe(B);
      const sd = Math.sqrt((m.p * (1 - m.p)) / B);
      expect(Math.abs(r.p - m.p), `p ${r.p} vs exact ${m.p}`).toBeLessThan(4 * sd);
    });
  }
});

describe('wild cluster bootstrap: determinism, CR1 and options', () => {
  const m = ref.models.A;
  it('the same seed gives identical results; another seed other draws', () => {
    const a = wildClusterBootstrap(data, m.formula, opts(m, { B: 499, enumerate: false, seed: 42 }));
    const b = wildClusterBootstrap(data, m.formula, opts(m, { B: 499, enumerate: false, seed: 42 }));
    expect(b).toEqual(a);
    const c = wildClusterBootstrap(data, m.formula, opts(m, { B: 499, enumerate: false, seed: 43 }));
    expect(c.p === a.p && c.ciLow === a.ciLow && c.ciHigh === a.ciHigh).toBe(false);
    expect(a.seed).toBe(42);
  });
  it('enumeration is seed-free', () => {
    const a = wildClusterBootstrap(data, m.formula, opts(m, { seed: 1 }));
    const b = wildClusterBootstrap(data, m.formula, opts(m, { seed: 2 }));
    expect({ ...b, seed: 1 }).toEqual(a);
  });
  it("'auto' enumerates only when 2^G <= B", () => {
    expect(wildClusterBootstrap(data, m.formula, opts(m, { B: 1024, ci: false })).enumerated).toBe(true);
    const r = wildClusterBootstrap(data, m.formula, opts(m, { B: 1023, ci: false }));
    expect(r.enumerated).toBe(false);
    expect(r.B).toBe(1023);
    expect(wildClusterBootstrap(data, m.formula, opts(m, { B: 99, enumerate: true, ci: false })).B).toBe(1024);
  });
  it('CR1 SE and t equal feols with cluster and dummies', () => {
    for (const key of ['A', 'B'] as const) {
      const mm = ref.models[key];
      const fit = feols(data, mm.formula, { cluster: [mm.cluster], feMethod: 'dummies' });
      const j = fit.terms.indexOf(mm.param);
      const r = wildClusterBootstrap(data, mm.formula, opts(mm, { ci: false, h0: 0 }));
      close(r.coef, fit.coef[j], `${key} coef`, 1e-12);
      close(r.se, fit.se[j], `${key} se`, 1e-10);
      close(r.t, fit.t[j], `${key} t`, 1e-10);
    }
  });
  it('the p-value at a CI bound crosses 1 - level', () => {
    const r = wildClusterBootstrap(data, m.formula, opts(m));
    const eps = 1e-7 * (r.ciHigh - r.ciLow);
    const p = (h: number) => wildClusterBootstrap(data, m.formula, opts(m, { h0: h, ci: false })).p;
    expect(p(r.ciLow + eps)).toBeGreaterThan(0.05);
    expect(p(r.ciLow - eps)).toBeLessThanOrEqual(0.05);
    expect(p(r.ciHigh - eps)).toBeGreaterThan(0.05);
    expect(p(r.ciHigh + eps)).toBeLessThanOrEqual(0.05);
    expect(p(r.coef)).toBe(1);
  });
  it('reports progress at most ~100 times, ending at the total', () => {
    const calls: [number, number][] = [];
    wildClusterBootstrap(data, m.formula, opts(m, { B: 9999, enumerate: false, ci: false, onProgress: (d, t) => calls.push([d, t]) }));
    expect(calls.length).toBeLessThanOrEqual(101);
    expect(calls.length).toBeGreaterThan(10);
    expect(calls.at(-1)).toEqual([9999, 9999]);
  });
  it('bad input raises InputError naming the option or column', () => {
    const f = m.formula;
    expect(inputErrorMessage(() => wildClusterBootstrap(data, f, { cluster: 'city', param: 'nope' }))).toMatch(/unknown parameter 'nope'/);
    expect(inputErrorMessage(() => wildClusterBootstrap(data, f, { cluster: 'town', param: 'x' }))).toMatch(/'town'/);
    expect(inputErrorMessage(() => wildClusterBootstrap(data, f, { param: 'x' } as WildBootstrapOptions))).toMatch(/'cluster'/);
    expect(inputErrorMessage(() => wildClusterBootstrap(data, f, { cluster: '', param: 'x' }))).toMatch(/'cluster'/);
    const one = { ...data, columns: { ...data.columns, one: Array.from({ length: data.nrows }, () => 'a') } };
    expect(inputErrorMessage(() => wildClusterBootstrap(one, f, { cluster: 'one', param: 'x' }))).toMatch(/'one'/);
    expect(inputErrorMessage(() => wildClusterBootstrap(data, f, { cluster: 'city', param: 'x', B: 0 }))).toMatch(/'B'/);
    expect(inputErrorMessage(() => wildClusterBootstrap(data, f, { cluster: 'city', param: 'x', level: 1 }))).toMatch(/'level'/);
    expect(inputErrorMessage(() => wildClusterBootstrap(data, f, { cluster: 'city', param: 'x', h0: NaN }))).toMatch(/'h0'/);
    expect(inputErrorMessage(() => wildClusterBootstrap(data, f, { cluster: 'city', param: 'x', weights: 'webb', enumerate: true }))).toMatch(/'enumerate'/);
    expect(inputErrorMessage(() => wildClusterBootstrap(data, f, { cluster: 'city', param: 'x', weights: 'mammen' as 'webb' }))).toMatch(/'weights'/);
    expect(inputErrorMessage(() => wildClusterBootstrap(data, f, { cluster: 'city', param: 'x', seed: 1.5 }))).toMatch(/'seed'/);
    const many = { ...data, columns: { ...data.columns, many: Array.from({ length: data.nrows }, (_, i) => `g${i % 25}`) } };
    expect(inputErrorMessage(() => wildClusterBootstrap(many, f, { cluster: 'many', param: 'x', enumerate: true }))).toMatch(/'enumerate' with 25 clusters/);
    expect(wildClusterBootstrap(many, f, { cluster: 'many', param: 'x', B: 199, ci: false }).enumerated).toBe(false);
  });
});
