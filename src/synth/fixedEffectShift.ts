/**
 * Fixed-effect shifts: a score move that no reported regression number can see.
 *
 * Moving one sub-score by the same whole number for every sample firm of one industry or city
 * (other than the base level) adds a multiple of that group's dummy column to the dependent
 * variable. The residuals, every reported coefficient, every HC1 SE and every star of Tables 3
 * and 4 stay as they were; only that group's unreported dummy coefficient absorbs the shift (the
 * reported constant is the base level's, so the base level is never shifted). What does move is
 * the dependent variable's mean and spread: R^2 and the distribution statistics of Tables 1 and 2.
 *
 * The calibration uses this for Table 2's Scores mean. That cell is a window of whole-point
 * sample sums (414 x 862.4 +- 2), and any ordinary score move of a sample firm shifts some
 * coefficient by more than its tolerance of 0.01, so the regression phases could not aim at it.
 */
import { bandOf, scoresByFirm, SUB_KEYS, verify, WEIGHTS } from './calibrateScores.ts';
import { sumWindow } from './finishOutOfSample.ts';
import { FIRST_LEVEL_LABELS, scoresRow, type Published } from './targets.ts';
import type { SynthFirm } from './types.ts';

/** One fixed-effect shift: sub-score `sub` of every sample firm in `factor` = `level` moves by `delta`. */
export interface GroupShift {
  factor: 'industry' | 'city';
  level: string;
  sub: number;
  delta: number;
  /** Firm indices (into the firms array) that moved. */
  firms: number[];
}

/** Sub-scores in the order they are tried: Social Responsibility varies most and is a gain, not a deduction. */
const SUB_ORDER: readonly number[] = [4, 3, 1, 2, 0];
/** Shift sizes tried, smallest first. */
const DELTAS: readonly number[] = [-1, 1, -2, 2, -3, 3];

/**
 * The checks a shift must keep, as pass flags in verify() order: every sample-level one (Tables
 * 2, 3 and 4) and Table 1's minima and maxima (a firm holding a band's published minimum must
 * not leave it; the means, SDs and medians of Table 1 are the out-of-sample firms' to repair).
 */
function keptChecks(firms: readonly SynthFirm[], pub: Published, y: Int32Array[]): boolean[] {
  return verify(firms as SynthFirm[], pub, scoresByFirm(y, firms))
    .filter((c) => (!c.group.startsWith('Table 1') && !c.group.startsWith('Figure')) || c.stat === 'min' || c.stat === 'max')
    .map((c) => c.ok);
}

/**
 * When the sample's Scores mean (Table 2) misses its printed value, find the fixed-effect shift
 * that brings it in while every other sample-level check (Tables 2-4) and every Table 1 minimum
 * and maximum that passed still passes, no firm changes its rating band and every score stays
 * within its category's published range. Among those, the one passing the most of these wins,
 * then the one leaving Table 1's first-level sums least outside their windows (the out-of-sample
 * firms must make up the rest), then the fewest firms moved, then the order of trial (industries
 * before cities, levels in code-point order, SUB_ORDER, DELTAS). `y[s][f]` (all firms) is changed in place; returns the shift made, or null (no change).
 * Table 1 moves with it: the caller repairs it with the out-of-sample firms.
 */
export function shiftForTable2Mean(y: Int32Array[], firms: readonly SynthFirm[], pub: Published): GroupShift | null {
  const sample = firms.flatMap((f, i) => (f.inSample ? [i] : []));
  const t2 = scoresRow(pub);
  const [lo, hi] = sumWindow(t2.mean, sample.length);
  const total = (f: number) => SUB_KEYS.reduce((a, _, s) => a + y[s][f], 0);
  const sum = sample.reduce((a, f) => a + total(f), 0);
  if (sum >= lo && sum <= hi) return null;
  const rows = SUB_KEYS.map((k) => {
    const row = pub.table1.first_level_scores.find((r) => r.indicator === FIRST_LEVEL_LABELS[k]);
    if (!row) throw new Error(`published.json: table1 has no first-level row '${FIRST_LEVEL_LABELS[k]}'`);
    return row;
  });
  const ranges = rows.map((row, s) => [row.min, Math.min(row.max, WEIGHTS[s])]);
  // Table 1's first-level means: how far (points) each all-firm sum lies outside its window.
  const meanWindows = rows.map((row) => sumWindow(row.mean, firms.length));
  const subSums = SUB_KEYS.map((_, s) => y[s].reduce((a, v) => a + v, 0));
  const meanMiss = (sub: number, d: number) =>
    subSums.reduce((a, v, s) => {
      const x = v + (s === sub ? d : 0);
      return a + Math.max(0, meanWindows[s][0] - x, x - meanWindows[s][1]);
    }, 0);
  const before = keptChecks(firms, pub, y);
  let best: { shift: GroupShift; pass: number; miss: number } | null = null;
  for (const factor of ['industry', 'city'] as const) {
    // The design's base level is the first in code-point order (olsKernel.buildDesign).
    const levels = [...new Set(sample.map((f) => firms[f][factor]))].sort().slice(1);
    for (const level of levels) {
      const members = sample.filter((f) => firms[f][factor] === level);
      for (const sub of SUB_ORDER) {
        for (const delta of DELTAS) {
          const next = sum + members.length * delta;
          if (next < lo || next > hi) continue;
          const [min, max] = ranges[sub];
          if (members.some((f) => y[sub][f] + delta < min || y[sub][f] + delta > max)) continue;
          if (members.some((f) => bandOf(total(f)) !== bandOf(total(f) + delta))) continue;
          for (const f of members) y[sub][f] += delta;
          const after = keptChecks(firms, pub, y);
          for (const f of members) y[sub][f] -= delta;
          if (before.some((ok, c) => ok && !after[c])) continue;
          const pass = after.filter(Boolean).length;
          const miss = meanMiss(sub, members.length * delta);
          const better = !best || pass > best.pass || (pass === best.pass && (miss < best.miss || (miss === best.miss && members.length < best.shift.firms.length)));
          if (better) best = { shift: { factor, level, sub, delta, firms: members }, pass, miss };
        }
      }
    }
  }
  if (!best) return null;
  for (const f of best.shift.firms) y[best.shift.sub][f] += best.shift.delta;
  return best.shift;
}
