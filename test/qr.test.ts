/**
 * Least squares core: hand-computed solutions, the dqrdc2 rank rule (the LATER collinear column is
 * dropped, as R's lm), the Gram-matrix fast path against Householder, and leverages.
 */
import { describe, expect, it } from 'vitest';
import { leastSquares, leverages, streamingR, pivotR } from '../src/stats/qr.ts';

const col = (v: number[]) => Float64Array.from(v);
const ones = (n: number) => new Float64Array(n).fill(1);

/** Small deterministic generator (LCG) for test data. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

describe('leastSquares', () => {
  it('solves a simple regression exactly (hand calculation)', () => {
    // x = 1..5, y = 2, 4, 5, 4, 5: xbar = 3, ybar = 4, Sxy = 6, Sxx = 10 -> b = 0.6, a = 2.2.
    // Residuals: -0.8, 0.6, 1.0, -0.6, -0.2; RSS = 2.4; (X'X)^-1 = [[1.1, -0.3], [-0.3, 0.1]].
    const ls = leastSquares([ones(5), col([1, 2, 3, 4, 5])], col([2, 4, 5, 4, 5]), { intercept: 0 });
    expect(ls.coef[0]).toBeCloseTo(2.2, 14);
    expect(ls.coef[1]).toBeCloseTo(0.6, 14);
    expect(ls.rss).toBeCloseTo(2.4, 13);
    [-0.8, 0.6, 1.0, -0.6, -0.2].forEach((r, i) => expect(ls.resid[i]).toBeCloseTo(r, 14));
    [1.1, -0.3, -0.3, 0.1].forEach((v, i) => expect(ls.xtxInv[i]).toBeCloseTo(v, 13));
  });

  it('drops the LATER of two collinear columns and reports it (R lm rule)', () => {
    const rnd = lcg(7);
    const n = 50;
    const x1 = Float64Array.from({ length: n }, rnd);
    const x2 = Float64Array.from({ length: n }, rnd);
    const x3 = Float64Array.from(x1, (v, i) => 2 * v - x2[i]); // = 2 x1 - x2
    const y = Float64Array.from(x1, (v, i) => 1 + v + x2[i] + 0.1 * rnd());
    for (const factor of ['householder', 'gram'] as const) {
      const ls = leastSquares([ones(n), x1, x3, x2], y, { intercept: 0, factor });
      expect(ls.dropped).toEqual([3]); // x2 comes after x1 and x3
      expect(ls.kept).toEqual([0, 1, 2]);
      expect(Number.isNaN(ls.coef[3])).toBe(true);
      // Same fit as y ~ x1 + x2: x1 coef b1 + 2 b3, x2 coef -b3.
      const ref = leastSquares([ones(n), x1, x2], y, { intercept: 0 });
      expect(ls.rss).toBeCloseTo(ref.rss, 12);
      expect(-ls.coef[2]).toBeCloseTo(ref.coef[2], 10);
    }
  });

  it('drops a constant column after the intercept and an all-zero column', () => {
    const rnd = lcg(3);
    const n = 20;
    const x = Float64Array.from({ length: n }, rnd);
    const y = Float64Array.from({ length: n }, rnd);
    const ls = leastSquares([ones(n), x, new Float64Array(n).fill(3), new Float64Array(n)], y, { intercept: 0 });
    expect(ls.dropped).toEqual([2, 3]);
  });

  it('Gram path equals Householder on well-conditioned data (and refines to full accuracy)', () => {
    const rnd = lcg(11);
    const n = 5000;
    const X = [ones(n), ...Array.from({ length: 4 }, () => Float64Array.from({ length: n }, () => 100 + rnd()))];
    const y = Float64Array.from({ length: n }, (_, i) => 3 + X[1][i] - 2 * X[2][i] + rnd());
    const h = leastSquares(X, y, { intercept: 0, factor: 'householder' });
    const g = leastSquares(X, y, { intercept: 0, factor: 'gram' });
    for (let j = 0; j < 5; j++) expect(Math.abs(g.coef[j] - h.coef[j]) / Math.abs(h.coef[j])).toBeLessThan(1e-12);
    for (let j = 0; j < 25; j++) expect(Math.abs(g.xtxInv[j] - h.xtxInv[j]) / Math.abs(h.xtxInv[j])).toBeLessThan(1e-9);
  });

  it('leverages equal the diagonal of X (X\'X)^-1 X\' and sum to the rank', () => {
    // Hand: x = 1..5 with intercept: h_i = 1/5 + (x_i - 3)^2 / 10.
    const X = [ones(5), col([1, 2, 3, 4, 5])];
    const ls = leastSquares(X, col([2, 4, 5, 4, 5]), { intercept: 0 });
    const h = leverages(X, ls);
    [0.6, 0.3, 0.2, 0.3, 0.6].forEach((v, i) => expect(h[i]).toBeCloseTo(v, 14));
  });

  it('streaming R (chunked) equals the one-shot factor regardless of chunking', () => {
    const rnd = lcg(5);
    const n = 3000; // several 1024-row chunks
    const cols = Array.from({ length: 3 }, () => Float64Array.from({ length: n }, rnd));
    const R = streamingR(cols);
    // R'R = X'X.
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        let xtx = 0;
        for (let i = 0; i < n; i++) xtx += cols[a][i] * cols[b][i];
        let rtr = 0;
        for (let l = 0; l < 3; l++) rtr += R[l * 3 + a] * R[l * 3 + b];
        expect(Math.abs(rtr - xtx) / Math.abs(xtx)).toBeLessThan(1e-10);
      }
    }
    const piv = pivotR(R, 3, false, 1e-10);
    expect(piv.kept).toEqual([0, 1, 2]);
  });
});
