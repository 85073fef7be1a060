/**
 * Lattice tools of the calibration (src/synth/lattice.ts): LLL against SymPy's exact-rational
 * LLL (sympy 1.12, DomainMatrix.lll, delta = 99/100 and the default 3/4), and Babai's
 * nearest plane against brute-force enumeration of the closest lattice point.
 */
import { describe, expect, it } from 'vitest';
import { babai, lllReduce } from '../src/synth/lattice.ts';
import { createRng } from '../src/stats/rng.ts';

const rows = (m: number[][]) => m.map((r) => Float64Array.from(r));
const plain = (b: Float64Array[]) => b.map((r) => Array.from(r));

describe('lllReduce', () => {
  it('reduces the textbook 3 x 3 basis as SymPy does', () => {
    // DomainMatrix([[1,1,1],[-1,0,2],[3,5,6]]).lll() -> [[0,1,0],[1,0,1],[-1,0,2]] (both deltas).
    for (const delta of [0.75, 0.99]) {
      const b = rows([
        [1, 1, 1],
        [-1, 0, 2],
        [3, 5, 6],
      ]);
      lllReduce(b, delta);
      expect(plain(b)).toEqual([
        [0, 1, 0],
        [1, 0, 1],
        [-1, 0, 2],
      ]);
    }
  });

  it('reduces a random 5 x 6 integer basis as SymPy does (delta 0.99)', () => {
    // Python: random.seed(7); rows = [[random.randint(-50, 50) for _ in range(6)] for _ in range(5)]
    const b = rows([
      [-9, -31, 0, 33, -44, -41],
      [18, -38, -4, 24, -43, 14],
      [-23, -46, -39, 5, 3, -42],
      [-20, -39, 20, 4, -43, 22],
      [-35, -22, 30, 30, 24, -43],
    ]);
    lllReduce(b, 0.99);
    expect(plain(b)).toEqual([
      [-38, -1, 24, -20, 0, 8],
      [-8, -29, 26, 21, 25, 12],
      [27, -7, -4, -9, 1, 55],
      [18, -38, -4, 24, -43, 14],
      [4, -53, -43, -4, 4, 13],
    ]);
  });

  it('gives bit for bit the result of the textbook loops on real-valued bases (the committed data depend on every bit)', () => {
    // The textbook implementation lllReduce had before its loops were unrolled (stop 21).
    const textbook = (basis: Float64Array[], delta = 0.99): void => {
      const m = basis.length;
      const dim = basis[0].length;
      const dot = (a: Float64Array, b: Float64Array): number => {
        let s = 0;
        for (let i = 0; i < dim; i++) s += a[i] * b[i];
        return s;
      };
      const bstar = basis.map((b) => Float64Array.from(b));
      const mu = Array.from({ length: m }, () => new Float64Array(m));
      const norm2 = new Float64Array(m);
      const gs = (from: number, to: number): void => {
        for (let i = from; i < to; i++) {
          bstar[i].set(basis[i]);
          for (let j = 0; j < i; j++) {
            mu[i][j] = norm2[j] > 1e-300 ? dot(basis[i], bstar[j]) / norm2[j] : 0;
            const mij = mu[i][j];
            if (mij !== 0) for (let t = 0; t < dim; t++) bstar[i][t] -= mij * bstar[j][t];
          }
          norm2[i] = dot(bstar[i], bstar[i]);
        }
      };
      gs(0, m);
      let k = 1;
      let guard = 0;
      while (k < m && guard++ < 100000) {
        for (let j = k - 1; j >= 0; j--) {
          if (Math.abs(mu[k][j]) <= 0.5 + 1e-12) continue;
          const q = Math.round(mu[k][j]);
          for (let t = 0; t < dim; t++) basis[k][t] -= q * basis[j][t];
          for (let l = 0; l <= j; l++) mu[k][l] -= q * (l === j ? 1 : mu[j][l]);
        }
        if (norm2[k] >= (delta - mu[k][k - 1] ** 2) * norm2[k - 1]) k++;
        else {
          [basis[k], basis[k - 1]] = [basis[k - 1], basis[k]];
          gs(k - 1, k + 1);
          for (let i = k + 1; i < m; i++) {
            mu[i][k - 1] = norm2[k - 1] > 1e-300 ? dot(basis[i], bstar[k - 1]) / norm2[k - 1] : 0;
            mu[i][k] = norm2[k] > 1e-300 ? dot(basis[i], bstar[k]) / norm2[k] : 0;
          }
          k = Math.max(k - 1, 1);
        }
      }
    };
    // The calibration's shape: eps times the identity beside real-valued cell columns; dims 4k+1..4k+3 too.
    for (const [m, nc] of [[30, 21], [41, 26], [25, 12], [60, 43]]) {
      const rng = createRng(m * 100 + nc);
      const make = () => Array.from({ length: m }, (_, p) => {
        const b = new Float64Array(m + nc);
        b[p] = 0.2;
        for (let k = 0; k < nc; k++) b[m + k] = rng.normal() * (rng.uniform() < 0.1 ? 5 : 0.3);
        return b;
      });
      const a = make();
      const start = a.map((r) => Float64Array.from(r));
      const b = a.map((r) => Float64Array.from(r));
      lllReduce(a);
      textbook(b);
      let same = 0;
      a.forEach((r, i) => r.forEach((v, j) => (same += Object.is(v, b[i][j]) ? 1 : 0)));
      expect(same).toBe(m * (m + nc));
      // The reduction did work: the basis moved.
      expect(a.some((r, i) => r.some((v, j) => v !== start[i][j]))).toBe(true);
    }
  });

  it('keeps an empty basis empty', () => {
    const b: Float64Array[] = [];
    lllReduce(b);
    expect(b).toEqual([]);
  });
});

describe('babai', () => {
  it('is coordinate rounding on an orthogonal basis', () => {
    const b = rows([
      [2, 0, 0],
      [0, 3, 0],
      [0, 0, 0.5],
    ]);
    const c = babai(b, Float64Array.from([2.9, -4.4, 1.3]));
    expect(Array.from(c)).toEqual([1, -1, 3]);
  });

  it('finds the closest lattice point of a reduced 2-D lattice (brute force over 41 x 41 points)', () => {
    const rng = createRng(11);
    const b = rows([
      [7, 3],
      [2, 9],
    ]);
    lllReduce(b);
    let exact = 0;
    for (let trial = 0; trial < 200; trial++) {
      const t = Float64Array.from([rng.uniform() * 100 - 50, rng.uniform() * 100 - 50]);
      const c = babai(b, t);
      const point = (x: number, y: number) => [x * b[0][0] + y * b[1][0], x * b[0][1] + y * b[1][1]];
      const dist = (p: number[]) => Math.hypot(p[0] - t[0], p[1] - t[1]);
      let best = Infinity;
      for (let x = -20; x <= 20; x++) for (let y = -20; y <= 20; y++) best = Math.min(best, dist(point(x, y)));
      const got = dist(point(c[0], c[1]));
      // Babai (1986): on an LLL-reduced basis, within 2^(n/2) (= 2 here) of the closest distance.
      expect(got).toBeLessThanOrEqual(2 * best + 1e-9);
      if (Math.abs(got - best) < 1e-9) exact++;
    }
    // On a reduced 2-D basis the nearest plane is nearly always the closest point.
    expect(exact).toBeGreaterThan(150);
  });

  it('gives the coefficients of the textbook loops on real-valued bases', () => {
    const textbook = (basis: Float64Array[], target: Float64Array): Int32Array => {
      const m = basis.length;
      const dim = target.length;
      const bstar = basis.map((b) => Float64Array.from(b));
      const norm2 = new Float64Array(m);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < i; j++) {
          if (norm2[j] <= 1e-300) continue;
          let s = 0;
          for (let t = 0; t < dim; t++) s += basis[i][t] * bstar[j][t];
          const mij = s / norm2[j];
          for (let t = 0; t < dim; t++) bstar[i][t] -= mij * bstar[j][t];
        }
        let n2 = 0;
        for (let t = 0; t < dim; t++) n2 += bstar[i][t] ** 2;
        norm2[i] = n2;
      }
      const r = Float64Array.from(target);
      const c = new Int32Array(m);
      for (let i = m - 1; i >= 0; i--) {
        if (norm2[i] <= 1e-300) continue;
        let s = 0;
        for (let t = 0; t < dim; t++) s += r[t] * bstar[i][t];
        const q = Math.round(s / norm2[i]);
        c[i] = q;
        if (q !== 0) for (let t = 0; t < dim; t++) r[t] -= q * basis[i][t];
      }
      return c;
    };
    for (const [m, dim] of [[20, 37], [33, 58], [12, 15]]) {
      const rng = createRng(m + dim);
      const basis = Array.from({ length: m }, () => Float64Array.from({ length: dim }, () => rng.normal()));
      lllReduce(basis);
      for (let trial = 0; trial < 20; trial++) {
        const target = Float64Array.from({ length: dim }, () => 10 * rng.normal());
        const c = babai(basis, target);
        expect(Array.from(c)).toEqual(Array.from(textbook(basis, target)));
        expect(c.some((v) => v !== 0)).toBe(true);
      }
    }
  });
});
