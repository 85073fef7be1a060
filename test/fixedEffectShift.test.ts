/**
 * The fixed-effect shifts (fixedEffectShift.ts) on the committed replication data. Their promise
 * is that no reported regression number moves; that is checked with the toolkit's estimation core
 * (feols: pivoted QR, HC1, FE as dummies; agrees with R on the reference sets), which shares no
 * code with the calibrator's normal-equations kernel. The Table 2 targets (Scores mean or SD) are
 * moved off the committed values so that a shift is needed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shiftForTable2, type GroupShift } from '../src/synth/fixedEffectShift.ts';
import { sumWindow } from '../src/synth/finishOutOfSample.ts';
import { bandOf, SUB_KEYS } from '../src/synth/calibrateScores.ts';
import { loadPublished, type Published } from '../src/synth/targets.ts';
import { feols } from '../src/stats/feols.ts';
import { FIT_OPTIONS, modelSpec, TABLE3_MODELS, TABLE4_MODELS } from '../src/study/models.ts';
import type { DataTable } from '../src/stats/types.ts';
import { X_NAMES as COVARIATES, type RegressionX, type SynthFirm } from '../src/synth/types.ts';

const read = (path: string) => {
  const [head, ...lines] = readFileSync(new URL(path, import.meta.url), 'utf8').trim().split('\n');
  const keys = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i], v])));
};
const sampleRows = new Map(read('../figures/analysis_sample.csv').map((r) => [r.firm_id, r]));
const firmRows = read('../data/replication/firms.csv');
const scoreRows = new Map(read('../data/replication/scores.csv').map((r) => [r.firm_id, r]));
const firms: SynthFirm[] = firmRows.map((r) => {
  const s = sampleRows.get(r.firm_id);
  const x = Object.fromEntries(COVARIATES.map((c) => [c, s ? Number(s[c]) : NaN])) as unknown as RegressionX;
  return { firm_id: r.firm_id, name: r.name, city: r.city, industry: r.industry, established: r.established, listed: r.listed, inSample: s !== undefined, x };
});
const committed = () => SUB_KEYS.map((k) => Int32Array.from(firms, (f) => Number(scoreRows.get(f.firm_id)![k])));
const sample = firms.flatMap((f, i) => (f.inSample ? [i] : []));
const total = (y: Int32Array[], f: number) => y.reduce((a, ys) => a + ys[f], 0);
const sampleSum = (y: Int32Array[]) => sample.reduce((a, f) => a + total(y, f), 0);

/** The sample's Scores mean and SD (n - 1), computed here with plain loops. */
function meanSd(y: Int32Array[]): { mean: number; sd: number } {
  const t = sample.map((f) => total(y, f));
  const mean = t.reduce((a, b) => a + b, 0) / t.length;
  return { mean, sd: Math.sqrt(t.reduce((a, b) => a + (b - mean) ** 2, 0) / (t.length - 1)) };
}
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Published numbers with Table 2's Scores mean moved `points` whole points (of the sample sum) and its SD moved `sd` off the committed ones. */
function movedTarget(points: number, sd = 0): Published {
  const pub = structuredClone(loadPublished());
  const row = pub.table2.rows.find((r) => r.variable === 'Scores')!;
  row.mean = round2((sampleSum(committed()) + points) / sample.length);
  row.sd = round2(meanSd(committed()).sd + sd);
  return pub;
}

/** The sample as the pipeline's data table (first-level scores and total from y). */
function table(y: Int32Array[]): DataTable {
  const columns: DataTable['columns'] = {};
  for (const c of COVARIATES) columns[c] = Float64Array.from(sample, (f) => firms[f].x[c]);
  SUB_KEYS.forEach((k, s) => (columns[k] = Float64Array.from(sample, (f) => y[s][f])));
  columns.total = Float64Array.from(sample, (f) => total(y, f));
  columns.industry = sample.map((f) => firms[f].industry);
  columns.city = sample.map((f) => firms[f].city);
  return { nrows: sample.length, columns, source: 'fixedEffectShift.test' };
}

/** One search per target (each takes seconds): the shifts found and the scores after them. */
const searched = new Map<string, { shifts: GroupShift[]; y: Int32Array[] }>();
function search(points: number, sd: number) {
  const key = `${points}:${sd}`;
  if (!searched.has(key)) {
    const y = committed();
    searched.set(key, { shifts: shiftForTable2(y, firms, movedTarget(points, sd)), y });
  }
  return searched.get(key)!;
}

/** Every promise of a search's result, checked from scratch against the committed scores. */
function checkShifts(points: number, sd: number) {
  const pub = movedTarget(points, sd);
  const before = committed();
  const { shifts, y } = search(points, sd);
  expect(shifts.length).toBeGreaterThan(0);
  // Both Table 2 cells print as the (moved) published ones.
  const row = pub.table2.rows.find((r) => r.variable === 'Scores')!;
  const got = meanSd(y);
  expect(round2(got.mean)).toBe(row.mean);
  expect(Math.abs(got.sd - row.sd)).toBeLessThanOrEqual(0.005 + 1e-9);
  // Each shift moves exactly the sample firms of one non-base level; scores move by the sum of the
  // shifts covering them and by nothing else; no firm changes band.
  for (const sh of shifts) {
    const levels = [...new Set(sample.map((f) => firms[f][sh.factor]))].sort();
    expect(levels.indexOf(sh.level)).toBeGreaterThan(0);
    expect(sh.delta).not.toBe(0);
    expect(sh.firms).toEqual(sample.filter((f) => firms[f][sh.factor] === sh.level));
  }
  firms.forEach((f, i) => {
    SUB_KEYS.forEach((_, s) => {
      const moved = shifts.filter((sh) => sh.sub === s && f.inSample && f[sh.factor] === sh.level).reduce((a, sh) => a + sh.delta, 0);
      expect(y[s][i]).toBe(before[s][i] + moved);
    });
    expect(bandOf(total(y, i))).toBe(bandOf(total(before, i)));
  });
  // Every reported number of the regressions on the moved variables, refitted from scratch.
  const moved = ['total', ...new Set(shifts.map((sh) => SUB_KEYS[sh.sub]))];
  const defs = [...TABLE3_MODELS, ...TABLE4_MODELS].filter((d) => moved.includes(d.y));
  expect(defs.length).toBe(TABLE3_MODELS.length + moved.length - 1);
  const d0 = table(before);
  const d1 = table(y);
  for (const def of defs) {
    const f0 = feols(d0, modelSpec(def), FIT_OPTIONS);
    const f1 = feols(d1, modelSpec(def), FIT_OPTIONS);
    const reported = f0.terms.flatMap((t, j) => (t.includes('::') ? [] : [j]));
    expect(reported.length).toBe(def.covariates.length + 1);
    for (const j of reported) {
      expect(Math.abs(f1.coef[j] - f0.coef[j])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(f0.coef[j])));
      expect(Math.abs(f1.se[j] - f0.se[j])).toBeLessThanOrEqual(1e-9 * f0.se[j]);
    }
    // The shifted groups' dummies absorb it: each moves by the shifts of its level in this variable.
    for (const sh of shifts) {
      const inY = (x: GroupShift) => def.y === 'total' || SUB_KEYS[x.sub] === def.y;
      const want = shifts.filter((x) => inY(x) && x.factor === sh.factor && x.level === sh.level).reduce((a, x) => a + x.delta, 0);
      const dummy = f0.terms.indexOf(`${sh.factor}::${sh.level}`);
      expect(f1.coef[dummy] - f0.coef[dummy]).toBeCloseTo(want, 9);
    }
  }
}

describe('fixed-effect shifts (Table 2 Scores mean and SD)', () => {
  it('does nothing when the mean and the SD already print as published', () => {
    const y = committed();
    expect(shiftForTable2(y, firms, movedTarget(0, 0))).toEqual([]);
    expect(y).toEqual(committed());
  });

  // Which targets the shifts can reach depends on the data (group sizes, scores at their limits,
  // the checks near their edges); every target reached is checked, and the mean must be reachable
  // in both directions and the SD in at least one.
  const meanOffsets = [-8, -5, -3, 3, 5, 8];
  const sdOffsets = [-0.03, -0.02, 0.02, 0.03];
  const meanReached = meanOffsets.filter((p) => search(p, 0).shifts.length > 0);
  const sdReached = sdOffsets.filter((d) => search(0, d).shifts.length > 0);
  it('reaches Scores means below and above the committed one, and some other SD', () => {
    expect(meanReached.some((p) => p < 0)).toBe(true);
    expect(meanReached.some((p) => p > 0)).toBe(true);
    expect(sdReached.length).toBeGreaterThan(0);
  });

  for (const points of meanReached) {
    it(`reaches a mean ${points > 0 ? '+' : ''}${points} points away while every reported coefficient and SE of Tables 3 and 4 stays`, () => checkShifts(points, 0));
  }
  for (const sd of sdReached) {
    it(`reaches an SD ${sd > 0 ? '+' : ''}${sd} away while every reported coefficient and SE of Tables 3 and 4 stays`, () => checkShifts(0, sd));
  }
});
