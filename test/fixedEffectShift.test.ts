/**
 * The fixed-effect shift (fixedEffectShift.ts) on the committed replication data. Its promise is
 * that no reported regression number moves; that is checked with the toolkit's estimation core
 * (feols: pivoted QR, HC1, FE as dummies; agrees with R on the reference sets), which shares no
 * code with the calibrator's normal-equations kernel. The Table 2 target is moved off the
 * committed mean so that a shift is needed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shiftForTable2Mean } from '../src/synth/fixedEffectShift.ts';
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

/** Published numbers with Table 2's Scores mean moved `points` whole points (of the sample sum) off the committed one. */
function movedTarget(points: number): Published {
  const pub = structuredClone(loadPublished());
  const row = pub.table2.rows.find((r) => r.variable === 'Scores')!;
  row.mean = Math.round(((sampleSum(committed()) + points) / sample.length) * 100) / 100;
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

describe('fixed-effect shift (Table 2 Scores mean)', () => {
  it('does nothing when the mean already prints as published', () => {
    const y = committed();
    const pub = movedTarget(0);
    const [lo, hi] = sumWindow(pub.table2.rows.find((r) => r.variable === 'Scores')!.mean, sample.length);
    expect(sampleSum(y)).toBeGreaterThanOrEqual(lo);
    expect(sampleSum(y)).toBeLessThanOrEqual(hi);
    expect(shiftForTable2Mean(y, firms, pub)).toBeNull();
    expect(y).toEqual(committed());
  });

  // Which offsets a shift can reach depends on the data (group sizes, scores at their limits, the
  // checks near their edges); every offset reached is checked, and both directions must be reachable.
  const offsets = [-9, -8, -7, -6, -5, -4, -3, 3, 4, 5, 6, 7, 8, 9];
  const reached = offsets.filter((points) => shiftForTable2Mean(committed(), firms, movedTarget(points)) !== null);
  it('reaches targets below and above the committed mean', () => {
    expect(reached.some((p) => p < 0)).toBe(true);
    expect(reached.some((p) => p > 0)).toBe(true);
  });

  for (const points of reached) {
    it(`reaches a target ${points > 0 ? '+' : ''}${points} points away while every reported coefficient and SE of Tables 3 and 4 stays`, () => {
      const pub = movedTarget(points);
      const y = committed();
      const before = committed();
      const shift = shiftForTable2Mean(y, firms, pub);
      expect(shift).not.toBeNull();
      const { factor, level, sub, delta } = shift!;
      // The sum lands in the printed mean's window (computed here, not by the module).
      const mean = pub.table2.rows.find((r) => r.variable === 'Scores')!.mean;
      expect(Math.round((sampleSum(y) / sample.length) * 100) / 100).toBe(mean);
      // Exactly the sample firms of one non-base level moved, all by delta, in one sub-score; none changed band.
      const levels = [...new Set(sample.map((f) => firms[f][factor]))].sort();
      expect(levels.indexOf(level)).toBeGreaterThan(0);
      firms.forEach((f, i) => {
        SUB_KEYS.forEach((_, s) => {
          const want = f.inSample && f[factor] === level && s === sub ? before[s][i] + delta : before[s][i];
          expect(y[s][i]).toBe(want);
        });
        expect(bandOf(total(y, i))).toBe(bandOf(total(before, i)));
      });
      expect(shift!.firms.length).toBe(sample.filter((f) => firms[f][factor] === level).length);
      // Every reported number of the regressions on the moved variables, refitted from scratch.
      const moved = ['total', SUB_KEYS[sub]];
      const defs = [...TABLE3_MODELS, ...TABLE4_MODELS].filter((d) => moved.includes(d.y));
      expect(defs.length).toBe(6);
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
        // The shifted group's dummy absorbs it: its coefficient moves by exactly delta.
        const dummy = f0.terms.indexOf(`${factor}::${level}`);
        expect(f1.coef[dummy] - f0.coef[dummy]).toBeCloseTo(delta, 9);
        // R^2 is what moves (the dependent variable's spread changed).
        expect(f1.r2).not.toBe(f0.r2);
      }
    });
  }
});
