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
 * The calibration uses this for Table 2's Scores mean and SD. The mean is a window of whole-point
 * sample sums (414 x 862.4 +- 2), and any ordinary score move of a sample firm shifts some
 * coefficient by more than its tolerance of 0.01, so the regression phases could not aim at
 * either. One group's shift moves the mean by (group size x delta) / 414, so the mean's window
 * alone decides which single groups qualify, and those rarely land the SD too; two groups
 * shifted in opposite directions can keep the mean and move the SD.
 *
 * A group's shift of the total may be split over several sub-scores: the total (Tables 2 and 3)
 * sees only the sum, while each sub-score's own checks (its Table 4 R^2, its range, its Table 1
 * minimum and maximum) see only its part. A shift of 6 in Social Responsibility alone may move
 * that model's R^2 out of its window where 3 + 3 in two sub-scores does not.
 */
import { bandOf, scoresByFirm, SUB_KEYS, verify, WEIGHTS, type TargetCheck } from './calibrateScores.ts';
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
/** Shifts of a group's total tried, smallest first. */
const DELTAS: readonly number[] = [-1, 1, -2, 2, -3, 3, -4, 4, -5, 5, -6, 6];
/** Splits of one candidate checked with the full verify(), fewest sub-scores first. */
const SPLITS_VERIFIED = 24;
/** Splits of one candidate enumerated at most (the walk stops there). */
const MAX_SPLITS = 5000;
/** Groups shifted together at most (Table 2's SD on the committed data needs three). */
const MAX_GROUPS = 3;
/** Printed tolerances as verify() applies them: Table 2's SD (2 decimals), Table 4's R^2 (3 decimals). */
const SD_TOL = 0.005;
const R2_TOL = 0.0005;

/** A group of sample firms with one non-base fixed-effect level. */
interface Group {
  factor: 'industry' | 'city';
  level: string;
  members: number[];
}

/** A group's shift of the total, before it is split over sub-scores. */
interface TotalShift {
  group: Group;
  delta: number;
}

/**
 * The checks a shift must keep, as pass flags in verify() order: every sample-level one (Tables
 * 2, 3 and 4) and Table 1's minima and maxima (a firm holding a band's published minimum must
 * not leave it; the means, SDs and medians of Table 1 are the out-of-sample firms' to repair).
 */
function keptChecks(checks: readonly TargetCheck[]): boolean[] {
  return checks.filter((c) => (!c.group.startsWith('Table 1') && !c.group.startsWith('Figure')) || c.stat === 'min' || c.stat === 'max').map((c) => c.ok);
}

/** verify() on scores y. */
const checksOf = (firms: readonly SynthFirm[], pub: Published, y: Int32Array[]) => verify(firms as SynthFirm[], pub, scoresByFirm(y, firms));

/** Sum of squared deviations from the mean. */
function sumSquares(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m += v[i];
  m /= v.length;
  let q = 0;
  for (let i = 0; i < v.length; i++) q += (v[i] - m) ** 2;
  return q;
}

/** Median of a sorted array. */
const medianOfSorted = (v: readonly number[]) => (v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2);

/**
 * When the sample's Scores mean or SD (Table 2) misses its printed value, find the fixed-effect
 * shifts that bring them in while every other sample-level check (Tables 2-4) and every Table 1
 * minimum and maximum that passed still passes, no firm changes its rating band and every score
 * stays within its category's published range.
 *
 * Candidates are shifts of one group's total (each must leave the mean in its window and land
 * more of the two cells, mean and SD, than before); only when no single group lands both, of two
 * groups, and then of three (MAX_GROUPS), which must land both. Every candidate must also keep
 * the sample's Scores min, median and max. Each candidate's total shifts are split over
 * sub-scores; its splits are tried fewest sub-scores first, and the first to keep every check
 * counts. Among the candidates of one size, the one passing the most checks wins, then the one
 * leaving Table 1's first-level sums least outside their windows (the out-of-sample firms must
 * make up the rest), then the fewest firm moves, then the order of trial (industries before
 * cities, levels in code-point order, DELTAS, SUB_ORDER). A larger combination replaces a smaller
 * one only if it passes more checks.
 *
 * `y[s][f]` (all firms) is changed in place; returns the shifts made (one per group and
 * sub-score moved; none if nothing qualifies). Table 1 moves with them: the caller repairs it
 * with the out-of-sample firms.
 */
export function shiftForTable2(y: Int32Array[], firms: readonly SynthFirm[], pub: Published): GroupShift[] {
  const sample = firms.flatMap((f, i) => (f.inSample ? [i] : []));
  const n = sample.length;
  const t2 = scoresRow(pub);
  const [lo, hi] = sumWindow(t2.mean, n);
  const totals = new Float64Array(firms.length);
  firms.forEach((_, f) => (totals[f] = SUB_KEYS.reduce((a, __, s) => a + y[s][f], 0)));

  /** Firm -> total shift of some shifts of firm lists (a firm may be in several groups). */
  const offsets = (shifts: readonly { firms: readonly number[]; delta: number }[]) => {
    const d = new Map<number, number>();
    for (const { firms: members, delta } of shifts) for (const f of members) d.set(f, (d.get(f) ?? 0) + delta);
    return d;
  };
  const ofGroups = (shifts: readonly TotalShift[]) => shifts.map((t) => ({ firms: t.group.members, delta: t.delta }));
  /** Table 2's Scores sum, SD, min, median and max after some group shifts. */
  const table2 = (d: Map<number, number>) => {
    const v = sample.map((f) => totals[f] + (d.get(f) ?? 0));
    const sum = v.reduce((a, b) => a + b, 0);
    const sd = Math.sqrt(sumSquares(v) / (n - 1));
    v.sort((a, b) => a - b);
    return { sum, sd, min: v[0], median: medianOfSorted(v), max: v[n - 1] };
  };
  const landed = (t: { sum: number; sd: number }) => Number(t.sum >= lo && t.sum <= hi) + Number(Math.abs(t.sd - t2.sd) <= SD_TOL + 1e-9);
  const start = table2(new Map());
  const landedBefore = landed(start);
  if (landedBefore === 2) return [];

  const rows = SUB_KEYS.map((k) => {
    const row = pub.table1.first_level_scores.find((r) => r.indicator === FIRST_LEVEL_LABELS[k]);
    if (!row) throw new Error(`published.json: table1 has no first-level row '${FIRST_LEVEL_LABELS[k]}'`);
    return row;
  });
  const ranges = rows.map((row, s) => [row.min, Math.min(row.max, WEIGHTS[s])]);
  // Table 1's first-level means: how far (points) each all-firm sum lies outside its window.
  const meanWindows = rows.map((row) => sumWindow(row.mean, firms.length));
  const subSums = SUB_KEYS.map((_, s) => y[s].reduce((a, v) => a + v, 0));
  const meanMiss = (shifts: readonly GroupShift[]) =>
    subSums.reduce((a, v, s) => {
      const x = v + shifts.reduce((d, sh) => d + (sh.sub === s ? sh.firms.length * sh.delta : 0), 0);
      return a + Math.max(0, meanWindows[s][0] - x, x - meanWindows[s][1]);
    }, 0);
  const apply = (shifts: readonly GroupShift[], sign: 1 | -1) => {
    for (const sh of shifts) for (const f of sh.firms) y[sh.sub][f] += sign * sh.delta;
  };

  // What each sub-score's own checks see: its range, its all-firm min and max (Table 1), and its
  // Table 4 R^2, which moves only through the total sum of squares (the residuals stay).
  const checks = checksOf(firms, pub, y);
  const before = keptChecks(checks);
  const subR2 = SUB_KEYS.map((k) => {
    const c = checks.find((x) => x.group === `Table 4 ${FIRST_LEVEL_LABELS[k]}` && x.stat === 'r2');
    if (!c) throw new Error(`fixedEffectShift: verify() has no R^2 check for ${FIRST_LEVEL_LABELS[k]}`);
    return c;
  });
  const subTss = SUB_KEYS.map((_, s) => sumSquares(sample.map((f) => y[s][f])));
  const subMin = SUB_KEYS.map((_, s) => Math.min(...y[s]));
  const subMax = SUB_KEYS.map((_, s) => Math.max(...y[s]));
  /** Whether sub-score s may take these shifts (parts of the candidate's total shifts). */
  const subAllows = (s: number, parts: readonly TotalShift[]) => {
    if (parts.every((p) => p.delta === 0)) return true;
    const d = offsets(ofGroups(parts));
    const [min, max] = ranges[s];
    for (const [f, dt] of d) if (y[s][f] + dt < min || y[s][f] + dt > max) return false;
    let newMin = Infinity;
    let newMax = -Infinity;
    for (let f = 0; f < firms.length; f++) {
      const v = y[s][f] + (d.get(f) ?? 0);
      newMin = Math.min(newMin, v);
      newMax = Math.max(newMax, v);
    }
    if (newMin !== subMin[s] || newMax !== subMax[s]) return false;
    const c = subR2[s];
    if (!c.ok) return true;
    const tss = sumSquares(sample.map((f) => y[s][f] + (d.get(f) ?? 0)));
    const r2 = 1 - ((1 - c.achieved) * subTss[s]) / tss;
    return Math.abs(r2 - c.target) <= R2_TOL + 1e-9;
  };

  type Candidate = { shifts: GroupShift[]; pass: number; miss: number; moves: number };
  const better = (a: Candidate, b: Candidate | null) =>
    !b || a.pass > b.pass || (a.pass === b.pass && (a.miss < b.miss || (a.miss === b.miss && a.moves < b.moves)));
  const allows = new Map<string, boolean>();
  const subAllowsMemo = (s: number, parts: readonly TotalShift[]) => {
    const key = `${s}:${parts.map((p) => p.delta).join(',')}`;
    let v = allows.get(key);
    if (v === undefined) allows.set(key, (v = subAllows(s, parts)));
    return v;
  };
  /**
   * The splits of some total shifts over the sub-scores that every sub-score allows, in the order
   * of a depth-first walk over SUB_ORDER (the last sub-score takes what is left), at most MAX_SPLITS.
   */
  const splits = (totalShifts: readonly TotalShift[]): number[][][] => {
    allows.clear();
    const out: number[][][] = [];
    const walk = (j: number, left: number[], acc: number[][]) => {
      if (out.length >= MAX_SPLITS) return;
      const s = SUB_ORDER[j];
      const choices = j === SUB_ORDER.length - 1 ? [left] : left.reduce<number[][]>((cs, l) => cs.flatMap((c) => Array.from({ length: Math.abs(l) + 1 }, (_, k) => [...c, Math.sign(l) * k])), [[]]);
      for (const parts of choices) {
        if (!subAllowsMemo(s, totalShifts.map((t, i) => ({ group: t.group, delta: parts[i] })))) continue;
        const next = [...acc, parts];
        if (j === SUB_ORDER.length - 1) out.push(next);
        else walk(j + 1, left.map((l, i) => l - parts[i]), next);
      }
    };
    walk(0, totalShifts.map((t) => t.delta), []);
    return out;
  };
  /** The best split of some total shifts over the sub-scores that keeps every check, or null. */
  const split = (totalShifts: readonly TotalShift[]): Candidate | null => {
    const touched = (c: number[][]) => c.reduce((a, parts) => a + parts.filter((x) => x !== 0).length, 0);
    const ordered = splits(totalShifts)
      .map((c, i) => ({ c, i, k: touched(c) }))
      .sort((a, b) => a.k - b.k || a.i - b.i);
    for (const { c } of ordered.slice(0, SPLITS_VERIFIED)) {
      // c[j][i]: the part of total shift i in sub-score SUB_ORDER[j].
      const shifts = totalShifts.flatMap((t, i) =>
        SUB_ORDER.flatMap((s, j) => (c[j][i] === 0 ? [] : [{ factor: t.group.factor, level: t.group.level, sub: s, delta: c[j][i], firms: t.group.members }])),
      );
      apply(shifts, 1);
      const after = keptChecks(checksOf(firms, pub, y));
      apply(shifts, -1);
      if (before.some((ok, k) => ok && !after[k])) continue;
      return { shifts, pass: after.filter(Boolean).length, miss: meanMiss(shifts), moves: shifts.reduce((a, sh) => a + sh.firms.length, 0) };
    }
    return null;
  };

  const groups: Group[] = (['industry', 'city'] as const).flatMap((factor) =>
    // The design's base level is the first in code-point order (olsKernel.buildDesign).
    [...new Set(sample.map((f) => firms[f][factor]))]
      .sort()
      .slice(1)
      .map((level) => ({ factor, level, members: sample.filter((f) => firms[f][factor] === level) })),
  );
  // Closed forms for the search: a group's members' total sum and the firms two groups share.
  const groupSum = groups.map((g) => g.members.reduce((a, f) => a + totals[f], 0));
  const shared = groups.map((g) => groups.map((h) => (g.factor === h.factor ? 0 : g.members.filter((f) => firms[f][h.factor] === h.level).length)));
  const sum0 = start.sum;
  const sq0 = sample.reduce((a, f) => a + totals[f] * totals[f], 0);
  /** Whether k group shifts (group indices and deltas) qualify on Table 2 and the bands (before any split). */
  const qualifies = (gs: readonly number[], ds: readonly number[], need: number) => {
    let s = sum0;
    let q = sq0;
    gs.forEach((g, a) => {
      s += ds[a] * groups[g].members.length;
      q += 2 * ds[a] * groupSum[g] + ds[a] * ds[a] * groups[g].members.length;
      for (let b = a + 1; b < gs.length; b++) q += 2 * ds[a] * ds[b] * shared[g][gs[b]];
    });
    if (s < lo || s > hi) return false;
    // The exact SD is verify()'s to judge; this screen only needs to keep every candidate.
    const sdOk = Math.abs(Math.sqrt((q - (s * s) / n) / (n - 1)) - t2.sd) <= SD_TOL + 1e-6;
    if (need === 2 && !sdOk) return false;
    const d = offsets(gs.map((g, a) => ({ firms: groups[g].members, delta: ds[a] })));
    const t = table2(d);
    if (landed(t) < need || t.min !== start.min || t.median !== start.median || t.max !== start.max) return false;
    for (const [f, dt] of d) if (bandOf(totals[f] + dt) !== bandOf(totals[f])) return false;
    return true;
  };

  // Single groups first, then pairs, then triples, each only while nothing lands both cells.
  let best: Candidate | null = null;
  const landsBoth = (c: Candidate | null) => c !== null && landed(table2(offsets(c.shifts))) === 2;
  for (let k = 1; k <= MAX_GROUPS && !landsBoth(best); k++) {
    const need = k === 1 ? landedBefore + 1 : 2;
    const bestK: { c: Candidate | null } = { c: null };
    const walk = (from: number, gs: number[], ds: number[]) => {
      if (gs.length === k) {
        if (!qualifies(gs, ds, need)) return;
        const c = split(gs.map((g, a) => ({ group: groups[g], delta: ds[a] })));
        if (c && better(c, bestK.c)) bestK.c = c;
        return;
      }
      for (let g = from; g < groups.length; g++) for (const d of DELTAS) walk(g + 1, [...gs, g], [...ds, d]);
    };
    walk(0, [], []);
    if (bestK.c && (!best || bestK.c.pass > best.pass)) best = bestK.c;
  }
  if (!best) return [];
  apply(best.shifts, 1);
  return best.shifts;
}
