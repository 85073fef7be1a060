/**
 * Covariance estimators, inference helpers and the Wald test on small cases computed by hand
 * (formulas written out below) and checked against R 4.2 (sandwich 3.0.2; values printed with
 * options(digits = 17)).
 */
import { describe, expect, it } from 'vitest';
import { fitDesign } from '../src/stats/fitDesign.ts';
import { clusterScale, hcScale, intersectClusters, vcovCluster, vcovHC, vcovIid } from '../src/stats/vcov.ts';
import { confInt, fPValue, tCritical, tPValue } from '../src/stats/inference.ts';
import { starCount } from '../src/report/format.ts';
import { waldTest, selectionMatrix } from '../src/stats/wald.ts';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

// y = b x + e through the origin: x = 1..6, y below, clusters {1,2}, {3,4}, {5,6}.
const x = Float64Array.from([1, 2, 3, 4, 5, 6]);
const y = Float64Array.from([1.5, 1.9, 3.6, 3.7, 5.8, 5.4]);
const g = Int32Array.from([0, 0, 1, 1, 2, 2]);
// Hand: sum x^2 = 91, sum xy = 92.3, b = 92.3 / 91.
const sxx = 91;
const b = 92.3 / 91;
const e = Float64Array.from(x, (v, i) => y[i] - b * v);
const bread = Float64Array.from([1 / sxx]);

describe('vcov (hand formulas and R sandwich)', () => {
  it('classical: sigma^2 / sum x^2 with sigma^2 = RSS/(n-k)', () => {
    const rss = e.reduce((s, v) => s + v * v, 0);
    const V = vcovIid(bread, rss, 6, 1);
    expect(rel(V[0], rss / 5 / sxx)).toBeLessThan(1e-15);
    expect(rel(Math.sqrt(V[0]), 0.0609706932198670962)).toBeLessThan(1e-13); // R: sqrt(vcov(m))
  });

  it('HC0..HC3: sum x^2 e^2 w / (sum x^2)^2 with HC1 n/(n-k), HC2 1/(1-h), HC3 1/(1-h)^2', () => {
    const h = Float64Array.from(x, (v) => (v * v) / sxx); // leverage x_i^2 / sum x^2
    const inp = { X: [x], resid: e, bread };
    const hand = (w: (i: number) => number) => x.reduce((s, v, i) => s + v * v * e[i] * e[i] * w(i), 0) / (sxx * sxx);
    const hc0 = hand(() => 1);
    expect(rel(vcovHC(inp, 'HC0', 6, 1)[0], hc0)).toBeLessThan(1e-14);
    expect(rel(vcovHC(inp, 'HC1', 6, 1)[0], (hc0 * 6) / 5)).toBeLessThan(1e-14);
    expect(rel(vcovHC(inp, 'HC2', 6, 1, h)[0], hand((i) => 1 / (1 - h[i])))).toBeLessThan(1e-14);
    expect(rel(vcovHC(inp, 'HC3', 6, 1, h)[0], hand((i) => 1 / (1 - h[i]) ** 2))).toBeLessThan(1e-14);
    // R: sqrt(vcovHC(m, type = "HC0".."HC3"))
    const R = [0.065321592781797555, 0.0715562197175143161, 0.0793862550065368711, 0.0972544861289154489];
    (['HC0', 'HC1', 'HC2', 'HC3'] as const).forEach((t, j) => expect(rel(Math.sqrt(vcovHC(inp, t, 6, 1, h)[0]), R[j])).toBeLessThan(1e-13));
  });

  it('cluster CR1: G/(G-1) (n-1)/(n-k) sum_g (sum_{i in g} x_i e_i)^2 / (sum x^2)^2', () => {
    const S = [0, 0, 0];
    x.forEach((v, i) => (S[g[i]] += v * e[i]));
    const hand = (1.5 * 1 * S.reduce((s, v) => s + v * v, 0)) / (sxx * sxx);
    const V = vcovCluster({ X: [x], resid: e, bread }, [{ codes: g, G: 3 }], 6, 1);
    expect(rel(V[0], hand)).toBeLessThan(1e-13);
    expect(rel(Math.sqrt(V[0]), 0.0077719898238533848)).toBeLessThan(1e-11); // R vcovCL(cadjust = TRUE, type = "HC1")
    expect(clusterScale(3, 6, 1)).toBe(1.5);
    expect(hcScale('HC1', 10, 3)).toBeCloseTo(10 / 7, 15);
  });

  it('two-way clustering is V_a + V_b - V_ab (each with its own G/(G-1)); identical a = b gives V_a', () => {
    const inp = { X: [x], resid: e, bread };
    const a = { codes: g, G: 3 };
    const one = vcovCluster(inp, [a], 6, 1)[0];
    // a x a = a, so V_a + V_a - V_a = V_a.
    expect(rel(vcovCluster(inp, [a, a], 6, 1)[0], one)).toBeLessThan(1e-14);
    const bcl = { codes: Int32Array.from([0, 1, 0, 1, 0, 1]), G: 2 };
    const ab = intersectClusters(a, bcl);
    expect(ab.G).toBe(6);
    const two = vcovCluster(inp, [a, bcl], 6, 1)[0];
    const Va = vcovCluster(inp, [a], 6, 1)[0];
    const Vb = vcovCluster(inp, [bcl], 6, 1)[0];
    const Vab = vcovCluster(inp, [ab], 6, 1)[0];
    expect(rel(two, Va + Vb - Vab)).toBeLessThan(1e-13);
  });

  it('through fitDesign: no-intercept model uses these formulas and df', () => {
    const fit = fitDesign(
      {
        y,
        X: [x],
        names: ['x'],
        fe: [],
        clusters: [{ name: 'g', codes: g, levels: ['1', '2', '3'] }],
        rowsUsed: Int32Array.from([0, 1, 2, 3, 4, 5]),
        missingDropped: 0,
        model: { y: 'y', terms: [{ kind: 'var', name: 'x' }], fe: [], intercept: false },
      },
      { cluster: ['g'] },
    );
    expect(rel(fit.coef[0], 1.0142857142857142350)).toBeLessThan(1e-15);
    expect(rel(fit.se[0], 0.0077719898238533848)).toBeLessThan(1e-11);
    expect(fit.vcovInfo.df).toBe(2); // G - 1
    // Uncentred R^2 without intercept: 1 - RSS / sum y^2.
    const rss = e.reduce((s, v) => s + v * v, 0);
    expect(rel(fit.r2, 1 - rss / y.reduce((s, v) => s + v * v, 0))).toBeLessThan(1e-13);
  });
});

describe('inference (values from R)', () => {
  it('two-sided t p-values and F upper tails, accurate far in the tail', () => {
    expect(rel(tPValue(2, 10), 7.3388034770740393e-2)).toBeLessThan(1e-12); // 2*pt(-2, 10)
    expect(rel(tPValue(-12, 5), 7.0894925171615278e-5)).toBeLessThan(1e-10); // 2*pt(-12, 5)
    expect(rel(fPValue(5, 3, 20), 9.5103374772337983e-3)).toBeLessThan(1e-10); // pf(5, 3, 20, lower = FALSE)
    expect(rel(fPValue(300, 2, 1000), 8.7098098162171396e-103)).toBeLessThan(1e-9); // 1 - pf would give 0
    expect(tPValue(NaN, 10)).toBeNaN();
    expect(fPValue(NaN, 2, 10)).toBeNaN();
  });

  it('critical values and intervals', () => {
    expect(rel(tCritical(0.95, 27), 2.051830516480285)).toBeLessThan(1e-12); // qt(0.975, 27)
    expect(rel(tCritical(0.9, 4), 2.131846786326649)).toBeLessThan(1e-12); // qt(0.95, 4)
    const [lo, hi] = confInt(1, 0.5, 0.95, 27);
    expect(rel(lo, 1 - 0.5 * 2.051830516480285)).toBeLessThan(1e-12);
    expect(rel(hi, 1 + 0.5 * 2.051830516480285)).toBeLessThan(1e-12);
  });

  it('stars: p below 0.10 / 0.05 / 0.01 give 1 / 2 / 3; thresholds configurable', () => {
    expect([0.2, 0.1, 0.07, 0.05, 0.03, 0.01, 0.001].map((p) => starCount(p))).toEqual([0, 0, 1, 1, 2, 2, 3]);
    expect(starCount(0.004)).toBe(3);
    expect(starCount(0.03, [0.05, 0.01, 0.001])).toBe(1); // thresholds in any order
    expect(starCount(NaN)).toBe(0);
  });
});

describe('Wald test', () => {
  it('diagonal V: F = (b1^2/v1 + b2^2/v2)/2; restriction b1 = b2 with covariance', () => {
    const bb = Float64Array.from([1, 2, 3]);
    const V = Float64Array.from([0.5, 0, 0, 0, 0.25, 0.1, 0, 0.1, 0.4]);
    const w = waldTest(selectionMatrix([0, 1], 3), bb, V, 2, 30);
    expect(rel(w.f, (1 / 0.5 + 4 / 0.25) / 2)).toBeLessThan(1e-14);
    expect(w.df1).toBe(2);
    expect(w.df2).toBe(30);
    expect(rel(w.p, fPValue(9, 2, 30))).toBeLessThan(1e-14);
    // b2 - b3 = 0: (2-3)^2 / (0.25 + 0.4 - 2*0.1) = 1/0.45.
    const w2 = waldTest(Float64Array.from([0, 1, -1]), bb, V, 1, 30);
    expect(rel(w2.f, 1 / 0.45)).toBeLessThan(1e-14);
    // b1 = 0.5 (r vector).
    expect(rel(waldTest(Float64Array.from([1, 0, 0]), bb, V, 1, 30, Float64Array.from([0.5])).f, 0.25 / 0.5)).toBeLessThan(1e-14);
  });

  it('singular R V R\' gives NaN with a note (Stata leaves F missing)', () => {
    const V = Float64Array.from([1, 1, 1, 1]); // rank 1
    const w = waldTest(selectionMatrix([0, 1], 2), Float64Array.from([1, 2]), V, 2, 5);
    expect(w.f).toBeNaN();
    expect(w.p).toBeNaN();
    expect(w.note).toMatch(/singular/);
    const w2 = waldTest(selectionMatrix([0, 1], 2), Float64Array.from([1, 2]), Float64Array.from([1, 0, 0, 1]), 2, 1, undefined, 1);
    expect(w2.f).toBeNaN();
    expect(w2.note).toMatch(/rank at most 1/);
  });
});
