/**
 * Covariate adjustment (src/synth/adjustCovariates.ts): its fitted values against the separate
 * Householder-QR path (olsKernel.projection, checked against R in calibrate.test.ts); its analytic
 * derivatives of coefficients, HC1 SEs and R^2 against central finite differences of refits
 * (olsKernel.olsHc1, checked against R there too); and the adjustment on a problem whose targets
 * come from a real configuration of the covariates.
 */
import { describe, expect, it } from 'vitest';
import { buildDesign, olsHc1, projection } from '../src/synth/olsKernel.ts';
import { adjustCovariates, regressionAndDerivatives, valueIntervals, wallOffset, type AdjustRegression } from '../src/synth/adjustCovariates.ts';
import type { RegTarget } from '../src/synth/calibrateScores.ts';
import { createRng } from '../src/stats/rng.ts';
import type { RegressionX, SynthFirm } from '../src/synth/types.ts';

const COVS: (keyof RegressionX)[] = ['leverage', 'roa', 'firm_size', 'firm_age'];
const n = 160;

/** A small sample: 4 industries, 3 cities, skewed covariates, y with heteroskedastic noise. */
function sampleData(seed: number) {
  const rng = createRng(seed);
  const industry = Array.from({ length: n }, (_, i) => ['A', 'B', 'C', 'D'][i % 4]);
  const city = Array.from({ length: n }, (_, i) => ['X', 'Y', 'Z'][(i * 7) % 3]);
  const x: Record<string, Float64Array> = {
    leverage: Float64Array.from({ length: n }, () => Math.min(0.95, Math.max(0.05, 0.45 + 0.2 * rng.normal()))),
    roa: Float64Array.from({ length: n }, () => 0.04 + 0.05 * rng.normal()),
    firm_size: Float64Array.from({ length: n }, () => 22 + 1.2 * rng.normal() + 0.3 * rng.normal() ** 2),
    firm_age: Float64Array.from({ length: n }, () => rng.int(8, 35)),
  };
  const y = Float64Array.from({ length: n }, (_, i) => 600 - 50 * x.leverage[i] + 30 * x.roa[i] + 10 * x.firm_size[i] + 0.3 * x.firm_age[i] + (20 + 40 * x.leverage[i]) * rng.normal());
  return { industry, city, x, y };
}

function designOf(x: Record<string, Float64Array>, industry: string[], city: string[]) {
  return buildDesign(
    COVS.map((c) => ({ name: c, values: x[c] })),
    [
      { name: 'industry', values: industry },
      { name: 'city', values: city },
    ],
    n,
  );
}

/** Targets at a fit's own values, with the calibration's model (5) tolerances (0.01, 1% of the SE). */
function targetsAt(coef: number[], se: number[]): RegTarget[] {
  return coef.map((b, k) => ({
    label: k < COVS.length ? COVS[k] : 'Constant',
    coef: b,
    coefTol: 0.01,
    se: se[k],
    seTol: 0.01 * se[k],
    tLo: 0,
    tHi: Infinity,
    tMargin: 0,
    stars: 0,
    key: false,
  }));
}

/** Mean and sample SD of n values, computed here rather than by the module under test. */
const meanOf = (a: Float64Array) => a.reduce((s, t) => s + t, 0) / n;
const sdOf = (a: Float64Array) => Math.sqrt(a.reduce((s, t) => s + (t - meanOf(a)) ** 2, 0) / (n - 1));

/**
 * A problem with a known solution: the targets are the fit at the "true" covariates of
 * `sampleData(seed)`; the start blurs the listed covariates (normal noise of the given SD, each
 * value kept on its side of the median, the extremes and the middle pair where they are, as the
 * adjustment keeps them).
 */
function blurredProblem(seed: number, blur: [keyof RegressionX, number][]) {
  const { industry, city, x, y } = sampleData(seed);
  const truth = olsHc1(designOf(x, industry, city), y);
  const order = [1, 2, 3, 4, 0];
  const rng = createRng(5);
  const start: Record<string, Float64Array> = { ...x };
  for (const [v, sd] of blur) {
    const sorted = Float64Array.from(x[v]).sort();
    start[v] = Float64Array.from(x[v], (val) => {
      if (val === sorted[0] || val === sorted[n - 1] || val === sorted[n / 2 - 1] || val === sorted[n / 2]) return val;
      const moved = val + sd * rng.normal();
      const lo = val < sorted[n / 2 - 1] ? sorted[0] : sorted[n / 2];
      const hi = val < sorted[n / 2 - 1] ? sorted[n / 2 - 1] : sorted[n - 1];
      return Math.min(hi - 1e-9, Math.max(lo + 1e-9, moved));
    });
  }
  const firms: SynthFirm[] = Array.from({ length: n }, (_, i) => ({
    firm_id: `F${i}`,
    name: `F${i}`,
    city: city[i],
    industry: industry[i],
    established: '2000-01-01',
    listed: '2005-01-01',
    inSample: true,
    x: { ...Object.fromEntries(COVS.map((c) => [c, start[c][i]])), independent_director_pct: 0, soe: 0, state_share: 0, party_building: 0, political_connection: 0, book_to_market: 0.5 + 0.001 * i } as RegressionX,
  }));
  const coef = order.map((c) => truth.coef[c]);
  const se = order.map((c) => truth.se[c]);
  const reg: AdjustRegression = { name: 'm', covs: COVS, y, targets: targetsAt(coef, se), r2: truth.r2, r2Tol: 0.0005 };
  return { industry, city, y, truth, order, coef, se, start, firms, reg };
}

describe('valueIntervals: where each value may move', () => {
  // 0.05, 0.15, ..., 1.95 in a shuffled order (n = 20): min 0.05, max 1.95, middle pair 0.95 / 1.05.
  const vals = Float64Array.from({ length: 20 }, (_, i) => ((i * 7) % 20) / 10 + 0.05);
  const sd = Math.sqrt(vals.reduce((a, v) => a + (v - 1) ** 2, 0) / 19);

  it('holds the min, the max and the middle pair, and keeps every other value on its side of the median', () => {
    const { intervals } = valueIntervals(vals, 0, 0);
    vals.forEach((v, i) => {
      const w = intervals[i];
      if ([0.05, 1.95].includes(Number(v.toFixed(2))) || [0.95, 1.05].includes(Number(v.toFixed(2)))) {
        expect(w, `value ${v}`).toBeNull();
        return;
      }
      expect(w).not.toBeNull();
      const [a, b] = w!;
      expect(a).toBeLessThanOrEqual(v);
      expect(b).toBeGreaterThanOrEqual(v);
      // Without stagger the walls are the bounds and the median, less a margin of 1e-6 SD.
      if (v < 1) {
        expect(a).toBeCloseTo(0.05 + 1e-6 * sd, 12);
        expect(b).toBeCloseTo(0.95 - 1e-6 * sd, 12);
      } else {
        expect(a).toBeCloseTo(1.05 + 1e-6 * sd, 12);
        expect(b).toBeCloseTo(1.95 - 1e-6 * sd, 12);
      }
    });
  });

  it('with a stagger, every value has its own walls, standing back by stagger x SD x wallOffset', () => {
    const stagger = 0.3;
    const { sd: got, intervals } = valueIntervals(vals, 2, stagger);
    let kept = 0;
    expect(got).toBeCloseTo(sd, 14);
    const lower = new Set<number>();
    const upper = new Set<number>();
    intervals.forEach((w, i) => {
      if (!w) return;
      const back = 1e-6 * sd + stagger * sd * wallOffset(2, i);
      const [bound, median] = vals[i] < 1 ? [0.05, 0.95] : [1.05, 1.95];
      // A value nearer than its distance keeps where it is as its wall.
      expect(w[0]).toBeCloseTo(Math.min(bound + back, vals[i]), 12);
      expect(w[1]).toBeCloseTo(Math.max(median - back, vals[i]), 12);
      if (w[0] === vals[i] || w[1] === vals[i]) kept++;
      lower.add(w[0]);
      upper.add(w[1]);
    });
    expect(kept).toBeGreaterThan(0);
    expect(lower.size).toBe(16);
    expect(upper.size).toBe(16);
  });

  it('wallOffset: distinct offsets in [0.05, 1) for 5,000 firms and each covariate', () => {
    for (let v = 0; v < 4; v++) {
      const u = Array.from({ length: 5000 }, (_, i) => wallOffset(v, i));
      expect(new Set(u).size).toBe(5000);
      expect(Math.min(...u)).toBeGreaterThanOrEqual(0.05);
      expect(Math.max(...u)).toBeLessThan(1);
    }
  });
});

describe('adjustCovariates: analytic derivatives', () => {
  const { industry, city, x, y } = sampleData(11);
  const reg: AdjustRegression = { name: 'm', covs: COVS, y, targets: targetsAt([0, 0, 0, 0, 0], [1, 1, 1, 1, 1]), r2: 0, r2Tol: 1 };

  it('values equal the Householder-QR projection path (beta = C y, e = M y, HC1 = n/(n-K) sum C^2 e^2)', () => {
    // The adjustment fits by the normal equations; the QR path (olsKernel.projection, checked
    // against R in calibrate.test.ts) is separate code.
    const a = regressionAndDerivatives(reg, x, industry, city, 'leverage', 0);
    const proj = projection(designOf(x, industry, city), [1, 2, 3, 4, 0]);
    const e = Array.from({ length: n }, (_, r) => y.reduce((s, yi, c) => s + proj.M[r * n + c] * yi, 0));
    const ybar = y.reduce((s, v) => s + v, 0) / n;
    const r2 = 1 - e.reduce((s, v) => s + v * v, 0) / y.reduce((s, v) => s + (v - ybar) ** 2, 0);
    for (let k = 0; k < 5; k++) {
      const coef = y.reduce((s, yi, i) => s + proj.C[k * n + i] * yi, 0);
      const se = Math.sqrt(proj.hc1 * e.reduce((s, ei, i) => s + proj.C2[k * n + i] * ei * ei, 0));
      expect(Math.abs(a.coef[k] - coef)).toBeLessThan(1e-8 * Math.max(1, Math.abs(coef)));
      expect(Math.abs(a.se[k] / se - 1)).toBeLessThan(1e-9);
    }
    expect(Math.abs(a.r2 - r2)).toBeLessThan(1e-12);
  });

  for (const [name, i] of [
    ['leverage', 3],
    ['roa', 50],
    ['firm_size', 97],
    ['firm_age', 140],
  ] as const) {
    it(`d coef, d SE, d R^2 by ${name} of firm ${i} equal central finite differences`, () => {
      const a = regressionAndDerivatives(reg, x, industry, city, name, i);
      const h = name === 'firm_age' || name === 'firm_size' ? 1e-3 : 1e-4;
      const at = (delta: number) => {
        const xs = { ...x, [name]: Float64Array.from(x[name]) };
        xs[name][i] += delta;
        return olsHc1(designOf(xs, industry, city), y);
      };
      const p = at(h);
      const m = at(-h);
      const order = [1, 2, 3, 4, 0];
      order.forEach((col, k) => {
        const fdCoef = (p.coef[col] - m.coef[col]) / (2 * h);
        const fdSe = (p.se[col] - m.se[col]) / (2 * h);
        expect(Math.abs(a.d!.coef[k] - fdCoef)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fdCoef)));
        expect(Math.abs(a.d!.se[k] - fdSe)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fdSe)));
      });
      const fdR2 = (p.r2 - m.r2) / (2 * h);
      expect(Math.abs(a.d!.r2 - fdR2)).toBeLessThan(1e-7);
    });
  }

  it('a regression without the covariate has no derivative', () => {
    const short: AdjustRegression = { ...reg, covs: ['roa', 'firm_size', 'firm_age'], targets: reg.targets.slice(1) };
    expect(regressionAndDerivatives(short, x, industry, city, 'leverage', 0).d).toBeNull();
  });
});

describe('adjustCovariates: the adjustment', () => {
  // Targets: the fit at the "true" covariates; the start: leverage and ROA blurred. A solution
  // exists (the true values), so the adjustment must find passing cells without breaking others.
  const { industry, city, y, truth, order, coef, se, start, firms, reg } = blurredProblem(23, [
    ['leverage', 0.004],
    ['roa', 0.001],
  ]);
  const moments = Object.fromEntries(
    ['leverage', 'roa', 'firm_size', 'book_to_market'].map((v) => {
      const vals = Array.from(firms, (f) => f.x[v as keyof RegressionX]);
      const m = vals.reduce((a, b) => a + b, 0) / n;
      return [v, { mean: m, sd: Math.sqrt(vals.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1)) }];
    }),
  );
  const res = adjustCovariates(firms, [reg], moments, { iterations: 40, vars: ['leverage', 'roa'] });

  it('more cells pass than before, and the step count is positive', () => {
    expect(res.before).toBeLessThan(11);
    expect(res.after).toBeGreaterThan(res.before);
    expect(res.accepted).toBeGreaterThan(0);
  });

  it('min, median and max of each adjusted covariate are unchanged; mean and SD stay within 0.002', () => {
    for (const v of ['leverage', 'roa'] as const) {
      const before = Float64Array.from(start[v]).sort();
      const after = Float64Array.from(res.values[v]).sort();
      expect(after[0]).toBe(before[0]);
      expect(after[n - 1]).toBe(before[n - 1]);
      expect((after[n / 2 - 1] + after[n / 2]) / 2).toBe((before[n / 2 - 1] + before[n / 2]) / 2);
      expect(Math.abs(meanOf(after) - moments[v].mean)).toBeLessThan(0.002);
      expect(Math.abs(sdOf(after) - moments[v].sd)).toBeLessThan(0.002);
    }
  });

  it('every adjusted value stays inside the walls it started with (valueIntervals, default stagger 0.005)', () => {
    (['leverage', 'roa'] as const).forEach((v, k) => {
      const { intervals } = valueIntervals(start[v], k, 0.005);
      intervals.forEach((w, i) => {
        if (!w) expect(res.values[v][i]).toBe(start[v][i]);
        else {
          expect(res.values[v][i]).toBeGreaterThanOrEqual(w[0]);
          expect(res.values[v][i]).toBeLessThanOrEqual(w[1]);
        }
      });
    });
  });

  it('the reported count is what an independent refit at the new values gives', () => {
    const xs = { ...start, leverage: res.values.leverage, roa: res.values.roa };
    const fit = olsHc1(designOf(xs, industry, city), y);
    let pass = 0;
    order.forEach((col, k) => {
      if (Math.abs(fit.coef[col] - coef[k]) <= 0.01 * (1 - 1e-4)) pass++;
      if (Math.abs(fit.se[col] - se[k]) <= 0.01 * se[k] * (1 - 1e-4)) pass++;
    });
    if (Math.abs(fit.r2 - truth.r2) <= 0.0005 * (1 - 1e-4)) pass++;
    expect(pass).toBe(res.after);
  });
});

describe('adjustCovariates: a start outside its Table 2 window', () => {
  // The problem above, but the published leverage mean set 0.02 above the start's: ten windows
  // (0.002) off, more than one step's wanted change (4 windows) can close, so a rule that
  // required the window after every step would take none; each step may only bring it closer.
  const { start, firms, reg } = blurredProblem(23, [['leverage', 0.004]]);
  const moments = { leverage: { mean: meanOf(start.leverage) + 0.02, sd: sdOf(start.leverage) } };
  const lines: string[] = [];
  const res = adjustCovariates(firms, [reg], moments, { iterations: 40, vars: ['leverage'], log: (m) => lines.push(m) });

  it('the log names the moment that starts outside, with its distance', () => {
    expect(lines.some((l) => /start outside the Table 2 window \(±0\.002\): leverage mean -0\.0200;/.test(l))).toBe(true);
  });

  it('steps are still taken and more cells pass (a window-only rule would take none)', () => {
    expect(res.accepted).toBeGreaterThan(0);
    expect(res.after).toBeGreaterThan(res.before);
  });

  it('the outside moment is brought back inside its window; the SD stays inside its own', () => {
    // Measured: 8 -> 11 cells in 37 steps, the mean ending 1.4e-5 from its target.
    expect(Math.abs(meanOf(res.values.leverage) - moments.leverage.mean)).toBeLessThan(0.002);
    expect(Math.abs(sdOf(res.values.leverage) - moments.leverage.sd)).toBeLessThan(0.002);
  });
});
