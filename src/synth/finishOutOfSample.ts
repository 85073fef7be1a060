/**
 * The last calibration phase: the out-of-sample firms alone finish Table 1 and Figures 1-2.
 *
 * The firms listed after March 2018 are in no regression and not in Table 2, so their scores move
 * only the all-firm statistics. Earlier phases weigh those statistics against the regression
 * cells and leave some short; here nothing else is at stake, so a search over the out-of-sample
 * firms' first-level scores counts Table 1 and figure cells alone. Every firm keeps its rating
 * band (so every band count and percent stays exact) and every sub-score stays within its maximum.
 *
 * Each cell is judged in integers where the paper allows it: a mean printed to 2 decimals is a
 * window of whole-point sums, a median needs enough firms on each side of it.
 *
 * Some cells cannot all hold at once when the sample firms are fixed: the five sub-score sums add
 * up to the total's sum, and a sub-score the sample holds too low (Basic Data here) pushes the
 * others over. The search is therefore run once with every cell and once with each first-level
 * mean left to give way, and the best outcome is kept.
 */
import type { Rng } from '../stats/rng.ts';
import type { Published, PublishedSummary } from './targets.ts';
import { bandOf, Dist, ratingRange, SUB_KEYS, WEIGHTS, type RangeTarget } from './calibrateScores.ts';
import { totalsForPercent } from './secondLevel.ts';
import { FIRST_LEVEL_LABELS } from './targets.ts';
import { SECOND_LEVEL_WEIGHTS as W2 } from './types.ts';

/** Printed precision of Table 1 and the figures: 2 decimals. */
const TOL = 0.005;
/** An SD counts when this far inside its tolerance: a hair of margin against float noise (refineCells.ts uses the same). */
const SD_PASS = 1 - 1e-6;
/** Step sizes of proposals, in points. */
const STEPS: readonly number[] = [1, 1, 1, 2, 2, 3, 5, 10];
/** Sub-scores in the order they give or take points when a median is seeded: SR varies most. */
const SEED_ORDER: readonly number[] = [4, 3, 1, 2, 0];

export interface FinishOutOfSampleOptions {
  /** Annealing proposals per run (default 8,000,000). */
  proposals?: number;
  /** Start and end temperature (defaults 0.1 and 0.002). */
  t0?: number;
  t1?: number;
  /** Cost of a failing cell's distance per tolerance (means, SDs) or point (min, max): default 0.05. */
  distanceWeight?: number;
  /** Cost per firm that must still cross a median target: default 1. */
  medianWeight?: number;
  /** Runs: undefined tries every cell and each first-level mean giving way; null = every cell only. */
  yielding?: (string | null)[];
  log?: (m: string) => void;
}

export interface FinishOutOfSampleResult {
  /** Cells reproduced before and after (the Table 1 and figure cells this phase judges). */
  before: number;
  after: number;
  cells: number;
  /** The first-level mean the kept run let give way (null: none). */
  yielded: string | null;
  /** Names of the cells that still fail. */
  failing: string[];
  /** Out-of-sample firms whose scores changed. */
  firmsChanged: number;
}

type CellKind = 'sum' | 'sd' | 'min' | 'median' | 'max';

interface Cell {
  name: string;
  group: number;
  kind: CellKind;
  /** Integer window of a sum. */
  lo: number;
  hi: number;
  /** Target of an SD, min, median or max. */
  target: number;
}

/** Groups 0-4: the rating bands' totals; 5: all totals; 6-10: the first-level sub-scores. */
const ALL_TOTALS = 5;
const SUB0 = 6;

/** A group's statistics, and its values below and above the median target (for the median's distance). */
interface GroupStats {
  n: number;
  sum: number;
  sd: number;
  min: number;
  median: number;
  max: number;
  below: number;
  above: number;
}

/** Members with values <= v (0 below the range). A module function, not a closure: statsOf runs per proposal. */
function countUpTo(fw: Dist['fw'], v: number): number {
  return v < 0 ? 0 : fw.prefix(v);
}

/** Distance of a cell from passing (0 when it passes): tolerances, points, or firms for a median. */
function distance(c: Cell, g: GroupStats): number {
  switch (c.kind) {
    case 'sum':
      return g.sum < c.lo ? (c.lo - g.sum) / (g.n * TOL) : g.sum > c.hi ? (g.sum - c.hi) / (g.n * TOL) : 0;
    case 'sd': {
      const d = Math.abs(g.sd - c.target);
      return d <= SD_PASS * TOL ? 0 : (d - SD_PASS * TOL) / TOL;
    }
    case 'min':
      return Math.abs(g.min - c.target);
    case 'max':
      return Math.abs(g.max - c.target);
    case 'median': {
      if (g.median === c.target) return 0;
      // Firms that must cross the target before both middle values can equal it.
      const half = Math.floor((g.n - 1) / 2);
      return Math.max(0, g.below - half) + Math.max(0, g.above - half) + 0.5;
    }
  }
}

/** Integer window of sums of `n` values whose mean prints as `mean` at 2 decimals. */
export function sumWindow(mean: number, n: number): [number, number] {
  return [Math.ceil((mean - TOL) * n - 1e-9), Math.floor((mean + TOL) * n + 1e-9)];
}

/**
 * The cells: per rating band the mean, SD, min, median and max of the total; the same for all
 * totals and for each first-level sub-score; Figure 1's printed percents; Figure 2's Honesty
 * Records and Charity percents, as the window of Social Responsibility sums that lets the
 * second-level split meet both (secondLevel.ts).
 */
function buildCells(pub: Published, nFirms: number): Cell[] {
  const cells: Cell[] = [];
  const summary = (label: string, group: number, s: { mean: number; sd: number; min: number; median: number; max: number }, n: number) => {
    const [lo, hi] = sumWindow(s.mean, n);
    cells.push({ name: `${label} mean`, group, kind: 'sum', lo, hi, target: s.mean });
    for (const kind of ['sd', 'min', 'median', 'max'] as const) cells.push({ name: `${label} ${kind}`, group, kind, lo: 0, hi: 0, target: s[kind] });
  };
  pub.table1.ratings.forEach((r, b) => summary(r.rating, b, r, r.n));
  summary('Total score', ALL_TOTALS, pub.table1.total_score, nFirms);
  SUB_KEYS.forEach((key, s) => {
    const label = FIRST_LEVEL_LABELS[key];
    const row = pub.table1.first_level_scores.find((r) => r.indicator === label);
    if (!row) throw new Error(`published.json: table1.first_level_scores lacks '${label}'`);
    summary(label, SUB0 + s, row, nFirms);
    const pct = pub.figure1.given[label];
    if (pct !== undefined) {
      const [lo, hi] = totalsForPercent(pct, WEIGHTS[s], nFirms);
      cells.push({ name: `Figure 1 ${label}`, group: SUB0 + s, kind: 'sum', lo, hi, target: pct });
    }
  });
  const honesty = pub.figure2.given['Honesty Records'];
  const charity = pub.figure2.given['Charity'];
  if (honesty !== undefined && charity !== undefined) {
    const [cLo, cHi] = totalsForPercent(charity, W2.charity, nFirms);
    const [hLo, hHi] = totalsForPercent(honesty, W2.honesty_records, nFirms);
    const group = SUB0 + SUB_KEYS.indexOf('social_responsibility');
    cells.push({ name: 'Figure 2 Honesty Records and Charity', group, kind: 'sum', lo: cLo + hLo, hi: cHi + hHi, target: honesty });
  }
  return cells;
}

interface Weights {
  distance: number;
  median: number;
}

/**
 * The search state: scores, totals, the populations (calibrateScores.ts `Dist`: all totals with
 * the five bands as ranges, and each sub-score), each group's statistics and each cell's cost,
 * kept in step.
 */
class State {
  readonly total: Int32Array;
  readonly band: Int32Array;
  readonly totals: Dist;
  readonly subs: Dist[];
  readonly stats: GroupStats[];
  readonly cellsOf: number[][];
  readonly cellCost: Float64Array;
  private readonly medianTarget: number[];
  private readonly bandRange: [number, number][];
  cost = 0;
  constructor(
    readonly y: Int32Array[],
    readonly cells: Cell[],
    readonly ignored: ReadonlySet<number>,
    readonly w: Weights,
    readonly pub: Published,
  ) {
    const nF = y[0].length;
    const maxTotal = WEIGHTS.reduce((a, b) => a + b, 0);
    this.total = Int32Array.from({ length: nF }, (_, f) => y.reduce((a, ys) => a + ys[f], 0));
    this.band = Int32Array.from(this.total, (t) => bandOf(t));
    this.bandRange = pub.table1.ratings.map((r) => ratingRange(r.rating));
    const range = (name: string, lo: number, hi: number, t: PublishedSummary, countTarget: boolean): RangeTarget => ({ name, lo, hi, t, countTarget, meanTol: TOL, sdTol: TOL });
    this.totals = new Dist(maxTotal, [
      ...pub.table1.ratings.map((r, b) => range(r.rating, ...this.bandRange[b], r, true)),
      range('Total score', 0, maxTotal, pub.table1.total_score, false),
    ]);
    this.subs = SUB_KEYS.map((k, s) => {
      const row = pub.table1.first_level_scores.find((r) => r.indicator === FIRST_LEVEL_LABELS[k])!;
      return new Dist(WEIGHTS[s], [range(row.indicator, 0, WEIGHTS[s], row, false)]);
    });
    for (let f = 0; f < nF; f++) {
      this.totals.insert(this.total[f]);
      for (let s = 0; s < y.length; s++) this.subs[s].insert(y[s][f]);
    }
    this.medianTarget = Array.from({ length: SUB0 + y.length }, (_, g) => cells.find((c) => c.group === g && c.kind === 'median')?.target ?? -1);
    this.stats = this.medianTarget.map((_, g) => this.statsOf(g));
    this.cellsOf = this.stats.map((_, g) => cells.flatMap((c, i) => (c.group === g ? [i] : [])));
    this.cellCost = Float64Array.from(cells, (_, i) => this.costOf(i));
    this.cost = this.cellCost.reduce((a, b) => a + b, 0);
  }
  /** Group g's population and its range there. */
  private where(g: number): [Dist, number] {
    return g < SUB0 ? [this.totals, g] : [this.subs[g - SUB0], 0];
  }
  private statsOf(g: number): GroupStats {
    const [dist, r] = this.where(g);
    const st = dist.stats(r);
    const { lo, hi } = dist.ranges[r];
    const m = this.medianTarget[g];
    const fw = dist.fw;
    const below = m < 0 ? 0 : countUpTo(fw, Math.min(hi, Math.ceil(m) - 1)) - countUpTo(fw, lo - 1);
    const above = m < 0 ? 0 : countUpTo(fw, hi) - countUpTo(fw, Math.max(lo - 1, Math.floor(m)));
    return { n: st.n, sum: dist.sum[r], sd: st.sd, min: st.min, median: st.median, max: st.max, below, above };
  }
  costOf(i: number): number {
    if (this.ignored.has(i)) return 0;
    const c = this.cells[i];
    const d = distance(c, this.stats[c.group]);
    return d === 0 ? 0 : 1 + (c.kind === 'median' ? this.w.median : this.w.distance) * d;
  }
  passing(): number {
    return this.cells.reduce((a, c) => a + (distance(c, this.stats[c.group]) === 0 ? 1 : 0), 0);
  }
  /** Whether sub-score s of firm f may change by d while its total changes by dTotal. */
  allowed(f: number, s: number, d: number, dTotal: number): boolean {
    const v = this.y[s][f] + d;
    const t = this.total[f] + dTotal;
    const [lo, hi] = this.bandRange[this.band[f]];
    return v >= 0 && v <= WEIGHTS[s] && t >= lo && t <= hi;
  }
  /** Apply changes (firm, sub-score, delta) times sign; `touched` receives the groups whose statistics changed. */
  apply(fs: number[], ss: number[], ds: number[], n: number, sign: number, touched: Set<number>): void {
    touched.clear();
    for (let i = 0; i < n; i++) {
      const f = fs[i];
      const s = ss[i];
      const d = sign * ds[i];
      this.subs[s].shift(this.y[s][f], this.y[s][f] + d);
      this.y[s][f] += d;
      this.totals.shift(this.total[f], this.total[f] + d);
      this.total[f] += d;
      touched.add(SUB0 + s).add(this.band[f]).add(ALL_TOTALS);
    }
    for (const g of touched) this.stats[g] = this.statsOf(g);
  }
}

/**
 * Set firms to each missed band median, nearest first on the crowded side, as many as the count
 * needs (points taken from or given to Social Responsibility first, which varies most). Only
 * firms for which `movable` holds move; those for which `covered` holds are counted as moving
 * later, so only the rest of the excess moves here. Returns the number of firms set.
 */
function seedMedians(y: Int32Array[], cells: Cell[], state: State, movable: (f: number) => boolean, covered: (f: number) => boolean = () => false): number {
  let moved = 0;
  for (const c of cells) {
    if (c.kind !== 'median' || c.group >= ALL_TOTALS) continue;
    const g = state.stats[c.group];
    if (g.median === c.target) continue;
    const half = Math.floor((g.n - 1) / 2);
    const m = c.target;
    const inBand = Array.from(state.total.keys()).filter((f) => state.band[f] === c.group);
    const fix = (onSide: (f: number) => boolean, excess: number) => {
      const side = inBand.filter(onSide);
      const rest = excess - side.filter(covered).length;
      const candidates = side.filter(movable).sort((a, b) => Math.abs(state.total[a] - m) - Math.abs(state.total[b] - m) || a - b);
      for (const f of candidates.slice(0, Math.max(0, rest))) {
        let d = m - state.total[f];
        for (const s of SEED_ORDER) {
          const room = d < 0 ? -y[s][f] : WEIGHTS[s] - y[s][f];
          const step = d < 0 ? Math.max(d, room) : Math.min(d, room);
          y[s][f] += step;
          d -= step;
        }
        moved++;
      }
    };
    if (g.above > half) fix((f) => state.total[f] > m, g.above - half);
    if (g.below > half) fix((f) => state.total[f] < m, g.below - half);
  }
  return moved;
}

/**
 * Before the out-of-sample finish: a band median (Table 1) that the out-of-sample firms cannot
 * reach alone, because too many sample firms lie on one side, is reached by setting the fewest
 * sample firms nearest to it to the median (`y` changed in place). Every regression moves, so the
 * caller repairs them afterwards (refinement, covariate adjustment). Returns the firms moved.
 */
export function kickSampleMedians(y: Int32Array[], inSample: readonly boolean[], pub: Published): number {
  const cells = buildCells(pub, inSample.length);
  const state = new State(y, cells, new Set(), { distance: 0, median: 0 }, pub);
  return seedMedians(y, cells, state, (f) => inSample[f], (f) => !inSample[f]);
}

/** One annealing run from `y` (changed in place to the best state seen); returns that state's cost. */
function anneal(state: State, oos: number[], rng: Rng, proposals: number, t0: number, t1: number, log: (m: string) => void): void {
  const fs = [0, 0];
  const ss = [0, 0];
  const ds = [0, 0];
  const touched = new Set<number>();
  const newCost = new Float64Array(state.cells.length);
  const changed: number[] = [];
  let best = state.cost;
  let bestPass = state.passing();
  let bestY = state.y.map((a) => Int32Array.from(a));
  const nS = state.y.length;
  for (let it = 0; it < proposals; it++) {
    if (it > 0 && it % 1_000_000 === 0) log(`finish out-of-sample: ${it} proposals, cost ${state.cost.toFixed(3)}, best ${best.toFixed(3)} (${bestPass} cells)`);
    const temp = t0 * Math.pow(t1 / t0, it / proposals);
    const step = STEPS[rng.int(0, STEPS.length - 1)] * (rng.uniform() < 0.5 ? -1 : 1);
    const kind = rng.uniform();
    const f1 = oos[rng.int(0, oos.length - 1)];
    const s1 = rng.int(0, nS - 1);
    let n: number;
    if (kind < 0.4) {
      // One sub-score of one firm.
      if (!state.allowed(f1, s1, step, step)) continue;
      n = 1;
      fs[0] = f1, ss[0] = s1, ds[0] = step;
    } else if (kind < 0.7) {
      // Points between two sub-scores of one firm (its total stays).
      const s2 = rng.int(0, nS - 1);
      if (s2 === s1 || !state.allowed(f1, s1, step, 0) || !state.allowed(f1, s2, -step, 0)) continue;
      n = 2;
      fs[0] = f1, ss[0] = s1, ds[0] = step;
      fs[1] = f1, ss[1] = s2, ds[1] = -step;
    } else {
      // Points of one sub-score between two firms (its sum stays).
      const f2 = oos[rng.int(0, oos.length - 1)];
      if (f2 === f1 || !state.allowed(f1, s1, step, step) || !state.allowed(f2, s1, -step, -step)) continue;
      n = 2;
      fs[0] = f1, ss[0] = s1, ds[0] = step;
      fs[1] = f2, ss[1] = s1, ds[1] = -step;
    }
    state.apply(fs, ss, ds, n, 1, touched);
    let next = state.cost;
    changed.length = 0;
    for (const g of touched) {
      for (const i of state.cellsOf[g]) {
        newCost[i] = state.costOf(i);
        next += newCost[i] - state.cellCost[i];
        changed.push(i);
      }
    }
    if (next <= state.cost || rng.uniform() < Math.exp((state.cost - next) / temp)) {
      for (const i of changed) state.cellCost[i] = newCost[i];
      state.cost = next;
      if (next < best - 1e-12) {
        const p = state.passing();
        if (p >= bestPass) {
          best = next;
          bestPass = p;
          bestY = state.y.map((a) => Int32Array.from(a));
        }
      }
    } else {
      state.apply(fs, ss, ds, n, -1, touched);
    }
  }
  for (let s = 0; s < nS; s++) state.y[s].set(bestY[s]);
}

/**
 * Finish Table 1 and Figures 1-2 with the out-of-sample firms: `y[s][f]` holds sub-score s of
 * firm f (changed in place; sample firms, `inSample[f]`, never change). Runs the search with
 * every cell and with each first-level mean allowed to give way, and keeps the outcome that
 * passes the most cells (then the lowest cost; ties go to the earlier run). The scores stay as
 * they were unless that outcome passes more cells.
 */
export function finishOutOfSample(y: Int32Array[], inSample: readonly boolean[], pub: Published, rng: Rng, opts: FinishOutOfSampleOptions = {}): FinishOutOfSampleResult {
  if (y.length !== SUB_KEYS.length || y.some((a) => a.length !== inSample.length)) throw new Error('finishOutOfSample: y must hold the five sub-scores of every firm');
  const proposals = opts.proposals ?? 8_000_000;
  const t0 = opts.t0 ?? 0.1;
  const t1 = opts.t1 ?? 0.002;
  const w: Weights = { distance: opts.distanceWeight ?? 0.05, median: opts.medianWeight ?? 1 };
  const log = opts.log ?? (() => {});
  const nF = inSample.length;
  if (pub.table1.ratings.length !== 5 || pub.table1.ratings.some((r, b) => bandOf(ratingRange(r.rating)[0]) !== b)) throw new Error('published.json: table1.ratings must list Excellent, Good, Average, Fair, Poor in that order');
  const cells = buildCells(pub, nF);
  const start = new State(y, cells, new Set(), w, pub);
  const before = start.passing();
  const oos = Array.from({ length: nF }, (_, f) => f).filter((f) => !inSample[f]);
  const runs = opts.yielding ?? [null, ...SUB_KEYS.map((k) => `${FIRST_LEVEL_LABELS[k]} mean`)];
  let kept: { y: Int32Array[]; pass: number; cost: number; yielded: string | null } = { y: y.map((a) => Int32Array.from(a)), pass: before, cost: start.cost, yielded: null };
  if (oos.length > 0) {
    for (const yielded of runs) {
      const ignored = new Set(yielded === null ? [] : [cells.findIndex((c) => c.name === yielded)]);
      if (ignored.has(-1)) throw new Error(`finishOutOfSample: no cell named '${yielded}'`);
      const ys = y.map((a) => Int32Array.from(a));
      seedMedians(ys, cells, new State(ys, cells, ignored, w, pub), (f) => !inSample[f]);
      const state = new State(ys, cells, ignored, w, pub);
      anneal(state, oos, rng.fork(`finish-oos:${yielded ?? 'all'}`), proposals, t0, t1, log);
      const judged = new State(ys, cells, new Set(), w, pub);
      const pass = judged.passing();
      log(`finish out-of-sample (${yielded ?? 'every cell'} ${yielded ? 'gives way' : 'counts'}): ${before} -> ${pass} of ${cells.length} cells`);
      if (pass > kept.pass || (pass === kept.pass && judged.cost < kept.cost - 1e-12)) kept = { y: ys, pass, cost: judged.cost, yielded };
    }
  }
  let firmsChanged = 0;
  if (kept.pass > before) {
    for (let f = 0; f < nF; f++) if (y.some((a, s) => a[f] !== kept.y[s][f])) firmsChanged++;
    for (let s = 0; s < y.length; s++) y[s].set(kept.y[s]);
  } else kept = { ...kept, yielded: null };
  const final = new State(y, cells, new Set(), w, pub);
  const failing = cells.filter((c) => distance(c, final.stats[c.group]) > 0).map((c) => c.name);
  return { before, after: cells.length - failing.length, cells: cells.length, yielded: kept.yielded, failing, firmsChanged };
}
