/**
 * Calibrate the synthetic first-level scores (integers, each in [0, weight]) so that the
 * unchanged replication pipeline reproduces the published Tables 1-4 and Figure 1.
 *
 * Method: integer simulated annealing over every firm's five sub-scores. The 414 sample firms
 * enter the regressions; the 117 others only the all-firm statistics (Table 1, Figure 1), so
 * they are cheap moves that repair those. Because OLS is linear in y for a fixed design, each
 * regression keeps beta = C y, e = M y and the HC1 sums S_j = sum_i C_ji^2 e_i^2; moving y_i by
 * d changes them in O(k n) (olsKernel.ts). Distribution statistics (means, SDs, medians,
 * minima, maxima per rating band) are kept in Fenwick trees over the integer values.
 * The penalty is sum((deviation / tolerance)^2) with tolerance = acceptance tolerance times a
 * safety factor. Phases: annealing of all firms with the all-firm (Table 1, Figure 1) terms
 * down-weighted (coefficient terms ramped up from 1e-3, Firm Age / Firm Size from 0.2),
 * swap polish and gradient polish of the sample, then the out-of-sample firms alone restore
 * the all-firm statistics at full weight. Last, finishing (finish()): every
 * regression cell that meets its acceptance tolerance becomes a hard constraint (a move may not
 * make it fail, and cells that start to pass join), the all-firm rating-band counts are made
 * exact, and all firms anneal on the distribution terms (Tables 1 and 2, Figure 1) alone with
 * their rating bands frozen. Finishing can only add regression cells, never lose one.
 * Then: one covariate adjustment (adjustCovariates.ts: continuous covariates of sample firms,
 * Table 2 kept), the lattice refinement of the scores (refineCells.ts), and rounds of covariate
 * adjustment, each followed by more refinement. The adjusted covariates are part of the result.
 * Everything is driven by the passed seeded rng: same inputs, same scores.
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { buildDesign, olsHc1, projection, reportedColumns, type Design, type Projection } from './olsKernel.ts';
import { createRng, type Rng } from '../stats/rng.ts';
import { splitAllSecondLevel } from './secondLevel.ts';
import { refineCells, type RefineOptions } from './refineCells.ts';
import { ADJUSTABLE, adjustCovariates, type AdjustOptions } from './adjustCovariates.ts';
import { finishOutOfSample, kickSampleMedians, type FinishOutOfSampleOptions } from './finishOutOfSample.ts';
import { shiftForTable2 } from './fixedEffectShift.ts';
import { subScoreProgram, type LpSolver, type SubScoreProgramOptions } from './subScoreProgram.ts';
import { table2Targets } from './covariates.ts';
import { COVARIATE_LABELS, FIRST_LEVEL_LABELS, figure1Target, scoresRow, table3Covariates, type Published, type PublishedModel, type PublishedSummary } from './targets.ts';
import { FIRST_LEVEL_WEIGHTS, X_NAMES, type FirstLevelScores, type RegressionX, type ScoreRecord, type SynthFirm } from './types.ts';

/** The five first-level keys in Table 1 / Table 4 order. */
export const SUB_KEYS: readonly (keyof FirstLevelScores)[] = ['basic_data', 'finance_taxation', 'governance', 'compliance', 'social_responsibility'];
export const NSUB = 5;
export const WEIGHTS = SUB_KEYS.map((k) => FIRST_LEVEL_WEIGHTS[k]);
const TOTAL_MAX = WEIGHTS.reduce((a, b) => a + b, 0);

/** Safety factors: regression numbers aim at half the acceptance tolerance, exact statistics at 90%. */
const SAFETY_REG = 0.5;
const SAFETY_DESC = 0.9;
/** Penalty per firm below full marks in a deduction category (keeps deductions sparse and lumpy). */
const OFF_MAX_COST = 0.3;
/** Scale of exact statistics (counts, minima, medians, maxima): one unit off costs 1 / EXACT_SCALE^2. */
const EXACT_SCALE = 0.2;
/** Annealing proposals per run of the out-of-sample finish (CalibrateOptions.outOfSampleProposals). */
const OOS_PROPOSALS = 8_000_000;

export interface CalibrateOptions {
  /** Annealing sweeps (one sweep = one proposal per firm and sub-score). Default 3500 (about 2.5 minutes). */
  sweeps?: number;
  /** Start and end temperature of the geometric schedule. */
  t0?: number;
  t1?: number;
  /** Starting weight of the coefficient terms (ramped to 1 over 80% of phase 1; default 1e-3). */
  coefRamp?: number;
  /** Maximum moves of the greedy polish after annealing (default 3000). */
  polishIters?: number;
  /** Proposals of the out-of-sample repair phase (default 2e6). */
  repairSteps?: number;
  /** Weight of the all-firm (Table 1, Figure 1) terms while the sample is placed (default 0.05). */
  allFirmWeight?: number;
  /** Proposals of the finishing anneal (default 4e6); 0 skips finishing. */
  finishSteps?: number;
  /**
   * Floor of the Firm Age and Firm Size coefficient weights while the coefficient weight ramps up
   * in phase 1 (default 0.2; 0 ramps them like every other coefficient).
   */
  keyCoefFloor?: number;
  /** Passes of the swap polish (default 4); 0 skips it. */
  swapPasses?: number;
  /** Start from these first-level scores instead of annealing (development: re-polish a saved run). */
  init?: Map<string, FirstLevelScores>;
  /** With `init`: run only the cell refinement (development). */
  refineOnly?: boolean;
  /** Proposals of the final cell refinement (refineCells.ts; default 6500, about 6 minutes; 0 skips it). */
  refineProposals?: number;
  /**
   * Rounds of covariate adjustment after the refinement (adjustCovariates.ts), each followed by
   * `adjustRefine` more refinement proposals on the adjusted covariates (default 2; 0 skips).
   */
  adjustRounds?: number;
  /** Refinement proposals after each covariate adjustment (default 1000). */
  adjustRefine?: number;
  /**
   * One covariate adjustment before the refinement too (default true: on the committed seed the
   * refinement then starts from 301 instead of 274 of its 347 cells, and the data set reaches
   * 400 instead of 391 of the 428 published cells).
   */
  adjustBeforeRefine?: boolean;
  /**
   * Annealing proposals per run of the out-of-sample finish (finishOutOfSample.ts; default
   * 8,000,000, six runs of about 30 s; 0 skips it).
   */
  outOfSampleProposals?: number;
  /**
   * Refinement proposals after the median kick (kickSampleMedians: sample firms set to a Table 1
   * band median the out-of-sample firms cannot reach; default 1500, then `adjustRounds` more
   * rounds; 0 skips the kick).
   */
  medianKickRefine?: number;
  /**
   * Whether Table 2's Scores mean and SD may be brought into their windows by fixed-effect shifts
   * (fixedEffectShift.ts) made before the out-of-sample finish, which then runs once more on the
   * shifted scores (default true; only with the finish, `outOfSampleProposals` > 0).
   */
  fixedEffectShift?: boolean;
  /**
   * Runs of the transfer refinement that ends calibration (default 20; 0 skips it): each run is
   * `transferProposals` refinement proposals whose every move shifts points between two sub-scores
   * of one firm, kept only if more of the calibration checks pass.
   */
  transferRuns?: number;
  /** Refinement proposals per transfer run (default 1500). */
  transferProposals?: number;
  /**
   * After the transfer refinement: one more covariate adjustment, then this many more transfer runs
   * (rng forks `refine-closing-${run}`; default 10; 0 skips both).
   */
  closingRuns?: number;
  /**
   * HiGHS (subScoreProgram.ts `loadLpSolver`; loading is asynchronous, so the caller passes it in).
   * With it, calibration ends with the sub-score program: a planned move of transfers between the
   * sample firms' sub-scores that lands the Table 4 cells no local move reaches, then the
   * out-of-sample finish once more; kept only if more of the calibration checks pass. Then the
   * same program with moving totals (the total program) for Table 2's Scores SD and model (5)'s
   * R^2, kept likewise. Without it (tests, small data sets) both phases are skipped.
   */
  lpSolver?: LpSolver;
  /** Whether to run the sub-score and total programs when `lpSolver` is given (default true). */
  subScoreProgram?: boolean;
  /** Options of the sub-score program other than its log (development). */
  subScore?: Omit<SubScoreProgramOptions, 'log'>;
  /** Options of the total program other than its log (development; defaults TOTAL_PROGRAM). */
  totalScore?: Omit<SubScoreProgramOptions, 'log'>;
  /** Other options of the out-of-sample finish (development). */
  outOfSample?: Omit<FinishOutOfSampleOptions, 'proposals' | 'log'>;
  /** Options of the covariate adjustment other than its log. */
  adjust?: Omit<AdjustOptions, 'log'>;
  /** Options of the refinement other than its length (development; defaults as in refineCells.ts). */
  refine?: Omit<RefineOptions, 'proposals' | 'log'>;
  /**
   * The pipeline's own derivation of adjusted covariates: given the sample firms whose continuous
   * covariates the adjustment moved (their new values), every firm as the pipeline will read it back
   * from the raw files (whole-yuan amounts, then winsorized). The score programs and the final
   * checks run on these, so that they judge exactly the numbers the replication computes
   * (generate.ts passes it; without it they run on the adjusted values, which differ by up to
   * about 1e-7). The result's `covariates` stay the adjusted values (what the raw files are
   * written from).
   */
  rederive?: (changed: Map<string, Partial<RegressionX>>) => SynthFirm[];
  /** Receives the state where the score programs begin (`cscs synth --checkpoint FILE`). */
  onCheckpoint?: (checkpoint: ProgramCheckpoint) => void;
  /**
   * Start at this checkpoint: skip every phase before the score programs (`cscs synth --resume
   * FILE`). With the same seed and options the result is the full run's, byte for byte.
   */
  resume?: ProgramCheckpoint;
  /** Progress messages (e.g. console.error); default silent. */
  log?: (message: string) => void;
}

/**
 * The calibration's state where the score programs begin: the first-level scores of every firm (in
 * SUB_KEYS order), the adjusted continuous covariates of the sample firms the adjustment moved, and
 * the seed of the programs' random stream. The phases before it take about an hour; the programs
 * a few minutes, so a checkpoint lets them be studied and rerun alone.
 */
export interface ProgramCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  seed: number;
  firms: { firm_id: string; scores: number[]; x?: Partial<RegressionX> }[];
}

export const CHECKPOINT_FORMAT = 'cscs-synth-program-checkpoint-1';

/** One published number, the achieved value (recomputed from scratch) and the acceptance check. */
export interface TargetCheck {
  group: string;
  stat: string;
  target: number;
  achieved: number;
  /** Acceptance tolerance (absolute). */
  tolerance: number;
  ok: boolean;
}

export interface CalibrationResult {
  scores: Map<string, FirstLevelScores>;
  /**
   * Sample firms whose continuous covariates the adjustment moved: their new values (the data set
   * must be written with these, or the checks do not hold).
   */
  covariates: Map<string, Partial<RegressionX>>;
  checks: TargetCheck[];
  /** Final penalty of the search objective. */
  penalty: number;
  /** Max |incremental - from-scratch| of any coefficient or SE at the periodic recomputations (drift check). */
  maxDrift: number;
}

// ---------------------------------------------------------------------------------------------
// Targets of one regression

export interface RegTarget {
  label: string;
  coef: number;
  coefTol: number;
  se: number;
  seTol: number;
  /** |t| must lie in [tLo, tHi) for the published stars. */
  tLo: number;
  tHi: number;
  tMargin: number;
  stars: number;
  /** Firm Age or Firm Size: its coefficient weight never drops below keyCoefFloor. */
  key: boolean;
}

/** Incremental state of one regression of y (a sub-score or the total) on one design. */
export interface Reg {
  name: string;
  /** Covariates of the model, in order (the design adds the constant and the fixed effects). */
  covs: (keyof RegressionX)[];
  proj: Projection;
  /** 0..4: that sub-score; 5: the total. */
  ysrc: number;
  targets: RegTarget[];
  r2: number;
  r2Tol: number;
  beta: Float64Array;
  e: Float64Array;
  S: Float64Array;
  ee: number;
  sy: number;
  syy: number;
  pen: number;
  /** A[j][i] = sum_l C2_jl e_l M_li (k x n): first-order change of S_j when y_i moves. */
  A: Float64Array;
}

/** Critical |t| values of t(df) for p = .10, .05, .01 (two-sided). */
export function criticalT(df: number): [number, number, number] {
  return [tQuantile(0.95, df), tQuantile(0.975, df), tQuantile(0.995, df)];
}

function starBand(stars: number, crit: [number, number, number]): [number, number] {
  const edges = [0, crit[0], crit[1], crit[2], Infinity];
  return [edges[stars], edges[stars + 1]];
}

function regTargets(model: PublishedModel, covs: (keyof RegressionX)[], coefTolOf: (c: { coef: number; se: number }) => number, seRel: number, crit: [number, number, number]): RegTarget[] {
  const labels = [...covs.map((c) => COVARIATE_LABELS[c]), 'Constant'];
  return labels.map((label) => {
    const p = model.coefficients[label];
    if (!p) throw new Error(`published model ${model.model} has no coefficient '${label}'`);
    const [tLo, tHi] = starBand(p.stars, crit);
    const tPub = Math.abs(p.coef / p.se);
    // Keep |t| clear of the star thresholds, but never demand more room than the published value has.
    const room = Math.min(tPub - tLo, tHi - tPub);
    return {
      label,
      coef: p.coef,
      coefTol: coefTolOf(p),
      se: p.se,
      seTol: seRel * p.se,
      tLo,
      tHi,
      tMargin: Math.max(0, Math.min(0.03, room / 2)),
      stars: p.stars,
      key: label === COVARIATE_LABELS.firm_age || label === COVARIATE_LABELS.firm_size,
    };
  });
}

/**
 * Weight of the coefficient terms relative to SEs and R^2. Annealing starts with it small:
 * coefficients are linear in y and easy to fix at the end, while SEs need the right large
 * residuals at the right high-leverage firms, a structure that must form first.
 */
let coefWeight = 1;
/**
 * Floor of the Firm Age / Firm Size coefficient weights during the ramp (CalibrateOptions.keyCoefFloor).
 * Ramped from 1e-3 like the others, these two were left to the end, when the SE structure had
 * formed around a biased Firm Age / Firm Size fit (model (5) Firm Age 0.56 vs 0.235). Held at
 * 0.2 from the start, the search settles in a basin with less of that bias (0.44) and more
 * Table 4 cells: verified 353 vs 340 cells, 89/89 stars (0.1: 351, model (5) Firm Age 0.49).
 * Floors of 1 and 4 removed more of the bias (0.33, 0.28) but lost the (2) Leverage and
 * (4) Political Connection stars (their |t| sits just above 1.97) and 0-6 cells.
 */
let keyCoefFloor = 0.2;
/**
 * Weight of the all-firm distribution terms (Table 1, Figure 1) during the sample search. The
 * 117 out-of-sample firms repair those statistics afterwards without touching a regression, so
 * while the sample firms are placed they should not be held to 0.005 tolerances, which made
 * every large relocation of a deduction too expensive.
 */
let allFirmWeight = 1;
/**
 * Scale of the star penalty: |t| outside its published band by STAR_SCALE costs 1. Small, so a
 * star outweighs a coefficient or SE cell: with 0.05 the Firm Age stars of Table 3 (1) and (4)
 * were lost to the Firm Age coefficient bias; with 0.002 all 89 stars hold.
 */
const STAR_SCALE = 0.002;

/** Penalty of one regression's statistics (beta and HC sums S as arrays; no closures: hot path). */
function regPenalty(r: Reg, beta: Float64Array, S: Float64Array, ee: number, tss: number): number {
  let pen = 0;
  const ts = r.targets;
  const hc1 = r.proj.hc1;
  for (let j = 0; j < ts.length; j++) {
    const t = ts[j];
    const b = beta[j];
    const sj = S[j];
    const se = Math.sqrt(hc1 * (sj > 0 ? sj : 0));
    const dc = (b - t.coef) / (SAFETY_REG * t.coefTol);
    const ds = (se - t.se) / (SAFETY_REG * t.seTol);
    const cw = t.key && keyCoefFloor > coefWeight ? keyCoefFloor : coefWeight;
    pen += cw * dc * dc + ds * ds;
    const at = Math.abs(b / se);
    const lo = t.tLo + t.tMargin - at;
    const hi = at - (t.tHi - t.tMargin);
    const out = lo > hi ? lo : hi;
    if (out > 0) pen += (out / STAR_SCALE) ** 2;
  }
  const r2 = tss > 0 ? 1 - ee / tss : 0;
  const dr = (r2 - r.r2) / (SAFETY_REG * r.r2Tol);
  return pen + dr * dr;
}

// ---------------------------------------------------------------------------------------------
// Distribution statistics over integer values

/** Fenwick tree of counts over the integers 0..V. */
class Fenwick {
  private readonly t: Int32Array;
  private readonly size: number;
  private readonly top: number;
  constructor(V: number) {
    this.size = V + 1;
    this.t = new Int32Array(this.size + 1);
    let p = 1;
    while (p * 2 <= this.size) p *= 2;
    this.top = p;
  }
  add(v: number, delta: number): void {
    for (let i = v + 1; i <= this.size; i += i & -i) this.t[i] += delta;
  }
  /** Count of values <= v. */
  prefix(v: number): number {
    let s = 0;
    for (let i = Math.min(v + 1, this.size); i > 0; i -= i & -i) s += this.t[i];
    return s;
  }
  /** The k-th smallest value (1-based). */
  kth(k: number): number {
    let pos = 0;
    for (let step = this.top; step > 0; step >>= 1) {
      const nxt = pos + step;
      if (nxt <= this.size && this.t[nxt] < k) {
        pos = nxt;
        k -= this.t[nxt];
      }
    }
    return pos; // value = (1-based index) - 1
  }
}

/** Targets of one summary row over the values in [lo, hi]. */
export interface RangeTarget {
  name: string;
  lo: number;
  hi: number;
  t: PublishedSummary;
  /** Whether the row's n is a target (rating bands) or implied (whole population). */
  countTarget: boolean;
  meanTol: number;
  sdTol: number;
  /** Figure 1: mean / max * 100 to 2 decimals. */
  fig?: { value: number; max: number };
  /** Only an upper bound on the count (sample firms in a rating band may not exceed the all-firm count). */
  countMax?: number;
  /** Penalty per member below the range maximum (deduction categories: most firms keep full marks). */
  offMaxCost?: number;
}

/** A population of integer values (one per member) with its summary-row targets. */
export class Dist {
  readonly fw: Fenwick;
  readonly cnt: Float64Array;
  readonly sum: Float64Array;
  readonly sq: Float64Array;
  /** Cached penalty per range and in total. */
  readonly rangePen: Float64Array;
  pen = 0;
  private readonly touched: Uint8Array;
  constructor(
    readonly V: number,
    readonly ranges: RangeTarget[],
  ) {
    this.fw = new Fenwick(V);
    this.cnt = new Float64Array(ranges.length);
    this.sum = new Float64Array(ranges.length);
    this.sq = new Float64Array(ranges.length);
    this.rangePen = new Float64Array(ranges.length);
    this.touched = new Uint8Array(ranges.length);
  }
  private touch(v: number, sign: number): void {
    this.fw.add(v, sign);
    for (let r = 0; r < this.ranges.length; r++) {
      const g = this.ranges[r];
      if (v >= g.lo && v <= g.hi) {
        this.cnt[r] += sign;
        this.sum[r] += sign * v;
        this.sq[r] += sign * v * v;
        this.touched[r] = 1;
      }
    }
  }
  /** Number of members with value v. */
  countAt(v: number): number {
    return this.fw.prefix(v) - (v > 0 ? this.fw.prefix(v - 1) : 0);
  }
  insert(v: number): void {
    this.touch(v, 1);
  }
  /** Penalty if members move from as[m] to bs[m] (state restored). */
  penaltyIf(as: number[], bs: number[]): number {
    this.touched.fill(0);
    for (let m = 0; m < as.length; m++) {
      this.touch(as[m], -1);
      this.touch(bs[m], 1);
    }
    let p = this.pen;
    for (let r = 0; r < this.ranges.length; r++) if (this.touched[r]) p += this.rangePenalty(r) - this.rangePen[r];
    for (let m = as.length - 1; m >= 0; m--) {
      this.touch(bs[m], -1);
      this.touch(as[m], 1);
    }
    return p;
  }
  /** Move members from as[m] to bs[m] and update the cached penalties. */
  commit(as: number[], bs: number[]): void {
    this.touched.fill(0);
    for (let m = 0; m < as.length; m++) {
      this.touch(as[m], -1);
      this.touch(bs[m], 1);
    }
    for (let r = 0; r < this.ranges.length; r++) {
      if (!this.touched[r]) continue;
      const v = this.rangePenalty(r);
      this.pen += v - this.rangePen[r];
      this.rangePen[r] = v;
    }
  }
  /**
   * Move one member from a to b without updating the cached penalties: for callers that judge the
   * statistics themselves (the out-of-sample finish), where the penalties would cost a fifth of the
   * time and never be read. `refresh` brings them back in step.
   */
  shift(a: number, b: number): void {
    this.touch(a, -1);
    this.touch(b, 1);
  }
  /** Recompute all cached penalties. */
  refresh(): void {
    this.pen = 0;
    for (let r = 0; r < this.ranges.length; r++) {
      this.rangePen[r] = this.rangePenalty(r);
      this.pen += this.rangePen[r];
    }
  }
  /** Summary statistics of range r (Stata: sd with n-1, median averaging the two middle values). */
  stats(r: number): { n: number; mean: number; sd: number; min: number; median: number; max: number } {
    const g = this.ranges[r];
    const n = this.cnt[r];
    if (n === 0) return { n: 0, mean: NaN, sd: NaN, min: NaN, median: NaN, max: NaN };
    // No closures here: this runs once per annealing proposal, and under tsx (keepNames) every
    // closure created costs a defineProperty call, which once took half the out-of-sample finish.
    const fw = this.fw;
    const below = g.lo > 0 ? fw.prefix(g.lo - 1) : 0;
    const mean = this.sum[r] / n;
    const sd = n > 1 ? Math.sqrt(Math.max(0, (this.sq[r] - n * mean * mean) / (n - 1))) : NaN;
    const median = n % 2 === 1 ? fw.kth(below + (n + 1) / 2) : (fw.kth(below + n / 2) + fw.kth(below + n / 2 + 1)) / 2;
    return { n, mean, sd, min: fw.kth(below + 1), median, max: fw.kth(below + n) };
  }
  private rangePenalty(r: number): number {
    const g = this.ranges[r];
    if (g.countMax !== undefined) return (Math.max(0, this.cnt[r] - g.countMax) / EXACT_SCALE) ** 2;
    const s = this.stats(r);
    let pen = 0;
    if (g.countTarget) pen += ((s.n - g.t.n) / EXACT_SCALE) ** 2;
    if (s.n === 0) return pen + 1e4;
    pen += ((s.mean - g.t.mean) / (SAFETY_DESC * g.meanTol)) ** 2;
    if (s.n > 1) pen += ((s.sd - g.t.sd) / (SAFETY_DESC * g.sdTol)) ** 2;
    pen += ((s.min - g.t.min) / EXACT_SCALE) ** 2 + ((s.median - g.t.median) / EXACT_SCALE) ** 2 + ((s.max - g.t.max) / EXACT_SCALE) ** 2;
    if (g.fig) pen += (((s.mean / g.fig.max) * 100 - g.fig.value) / (SAFETY_DESC * 0.005)) ** 2;
    if (g.offMaxCost) pen += g.offMaxCost * (g.hi > 0 ? this.fw.prefix(g.hi - 1) - (g.lo > 0 ? this.fw.prefix(g.lo - 1) : 0) : 0);
    return pen;
  }
}

// ---------------------------------------------------------------------------------------------
// The calibration problem

/** Design of a model on the sample firms: intercept, covariates, industry and city dummies. */
export function sampleDesign(sample: SynthFirm[], covs: readonly (keyof RegressionX)[]): Design {
  return buildDesign(
    covs.map((c) => ({ name: c, values: sample.map((f) => f.x[c]) })),
    [
      { name: 'industry', values: sample.map((f) => f.industry) },
      { name: 'city', values: sample.map((f) => f.city) },
    ],
    sample.length,
  );
}

/** One change of a move: sub-score s of firm f moves by d. */
export interface Change {
  s: number;
  f: number;
  d: number;
}

export class Problem {
  readonly nF: number;
  readonly nS: number;
  /** Sample index of each firm, -1 outside the sample. */
  readonly sIdx: Int32Array;
  /** y[s][f]: sub-score s of firm f (all firms). */
  readonly y: Int32Array[];
  readonly tot: Int32Array;
  readonly regs: Reg[] = [];
  readonly subDist: Dist[] = [];
  readonly allDist: Dist;
  readonly sampleDist: Dist;
  readonly sampleFirms: number[];
  readonly subLo = new Int32Array(NSUB);
  readonly subHi = new Int32Array(NSUB);
  readonly totalOk: Uint8Array;
  /** Per category: published median and how many firms lie below / above it (kept <= (n-1)/2). */
  readonly med = new Int32Array(NSUB);
  readonly below = new Int32Array(NSUB);
  readonly above = new Int32Array(NSUB);
  readonly medCap: number;
  /** Total score: published medians (all firms, sample) and counts below / above them. */
  totMed = 0;
  smpMed = 0;
  totBelow = 0;
  totAbove = 0;
  smpBelow = 0;
  smpAbove = 0;

  constructor(
    readonly firms: SynthFirm[],
    readonly pub: Published,
    init: Int32Array[],
  ) {
    this.nF = firms.length;
    this.sIdx = new Int32Array(this.nF).fill(-1);
    this.sampleFirms = [];
    firms.forEach((f, i) => {
      if (f.inSample) {
        this.sIdx[i] = this.sampleFirms.length;
        this.sampleFirms.push(i);
      }
    });
    this.nS = this.sampleFirms.length;
    this.medCap = Math.floor((this.nF - 1) / 2);
    this.y = init.map((a) => Int32Array.from(a));
    this.tot = new Int32Array(this.nF);
    for (let f = 0; f < this.nF; f++) for (let s = 0; s < NSUB; s++) this.tot[f] += this.y[s][f];

    const sample = this.sampleFirms.map((i) => firms[i]);
    const covs5 = table3Covariates(pub, '(5)');
    const design5 = sampleDesign(sample, covs5);
    const proj5 = projection(design5, reportedColumns(covs5.length));
    const crit = criticalT(this.nS - proj5.K);
    const regOf = (name: string, proj: Projection, ysrc: number, model: PublishedModel, covs: (keyof RegressionX)[], tight: boolean): Reg => {
      const k = proj.reported.length;
      const coefTol = tight ? () => 0.01 : (c: { se: number }) => 0.25 * c.se;
      const seRel = tight ? 0.01 : 0.1;
      const r2Tol = tight ? 0.0005 : 0.01;
      const targets = regTargets(model, covs, coefTol, seRel, crit);
      return {
        name,
        covs,
        proj,
        ysrc,
        targets,
        r2: model.r2,
        r2Tol,
        beta: new Float64Array(k),
        e: new Float64Array(proj.n),
        S: new Float64Array(k),
        A: new Float64Array(k * proj.n),
        ee: 0,
        sy: 0,
        syy: 0,
        pen: 0,
      };
    };
    SUB_KEYS.forEach((key, s) => {
      const model = pub.table4.models.find((m) => m.model === FIRST_LEVEL_LABELS[key]);
      if (!model) throw new Error(`published table4 has no model ${FIRST_LEVEL_LABELS[key]}`);
      this.regs.push(regOf(`Table 4 ${FIRST_LEVEL_LABELS[key]}`, proj5, s, model, covs5, true));
    });
    const t3 = (m: string) => {
      const model = pub.table3.models.find((x) => x.model === m);
      if (!model) throw new Error(`published table3 has no model ${m}`);
      return model;
    };
    this.regs.push(regOf('Table 3 (5)', proj5, 5, t3('(5)'), covs5, true));
    for (const m of ['(1)', '(2)', '(3)', '(4)']) {
      const covs = table3Covariates(pub, m);
      const proj = projection(sampleDesign(sample, covs), reportedColumns(covs.length));
      this.regs.push(regOf(`Table 3 ${m}`, proj, 5, t3(m), covs, false));
    }

    const t1 = pub.table1;
    SUB_KEYS.forEach((key, s) => {
      const row = t1.first_level_scores.find((r) => r.indicator === FIRST_LEVEL_LABELS[key])!;
      const fig = { value: figure1Target(pub, FIRST_LEVEL_LABELS[key]), max: WEIGHTS[s] };
      const offMaxCost = s < 4 ? OFF_MAX_COST : 0;
      this.subDist.push(new Dist(WEIGHTS[s], [{ name: `Table 1 ${row.indicator}`, lo: 0, hi: WEIGHTS[s], t: row, countTarget: false, meanTol: 0.005, sdTol: 0.005, fig, offMaxCost }]));
    });
    const bands: RangeTarget[] = t1.ratings.map((r) => {
      const [lo, hi] = ratingRange(r.rating);
      return { name: `Table 1 ${r.rating}`, lo, hi, t: r, countTarget: true, meanTol: 0.005, sdTol: 0.005 };
    });
    bands.push({ name: 'Table 1 Total', lo: 0, hi: TOTAL_MAX, t: t1.total_score, countTarget: false, meanTol: 0.005, sdTol: 0.005 });
    this.allDist = new Dist(TOTAL_MAX, bands);
    const t2 = scoresRow(pub);
    const sampleBands: RangeTarget[] = t1.ratings.map((r) => {
      const [lo, hi] = ratingRange(r.rating);
      return { name: `sample ${r.rating}`, lo, hi, t: r, countTarget: false, meanTol: 1, sdTol: 1, countMax: r.n - (SAMPLE_BAND_RESERVE[r.rating] ?? 0) };
    });
    this.sampleDist = new Dist(TOTAL_MAX, [{ name: 'Table 2 Scores', lo: 0, hi: TOTAL_MAX, t: t2, countTarget: false, meanTol: 0.05, sdTol: 0.05 }, ...sampleBands]);
    // Values no firm may take: below a category's published minimum, above its maximum, and
    // totals in the gaps between the published band minima and maxima.
    SUB_KEYS.forEach((key, s) => {
      const row = t1.first_level_scores.find((r) => r.indicator === FIRST_LEVEL_LABELS[key])!;
      this.subLo[s] = row.min;
      this.subHi[s] = row.max;
      this.med[s] = row.median;
      for (let f = 0; f < this.nF; f++) {
        if (this.y[s][f] < row.median) this.below[s]++;
        if (this.y[s][f] > row.median) this.above[s]++;
      }
    });
    this.totMed = t1.total_score.median;
    this.smpMed = t2.median;
    this.smpMin = t2.min;
    this.smpMax = t2.max;
    this.extremeTotals = [t1.total_score.min, t1.total_score.max, ...t1.ratings.flatMap((r) => [r.min, r.max])];
    for (let f = 0; f < this.nF; f++) {
      const t = this.tot[f];
      this.totBelow += t < this.totMed ? 1 : 0;
      this.totAbove += t > this.totMed ? 1 : 0;
      if (this.sIdx[f] >= 0) {
        this.smpBelow += t < this.smpMed ? 1 : 0;
        this.smpAbove += t > this.smpMed ? 1 : 0;
      }
    }
    this.totalOk = new Uint8Array(TOTAL_MAX + 1);
    for (const r of t1.ratings) for (let v = r.min; v <= r.max; v++) this.totalOk[v] = 1;
    for (let f = 0; f < this.nF; f++) {
      for (let s = 0; s < NSUB; s++) this.subDist[s].insert(this.y[s][f]);
      this.allDist.insert(this.tot[f]);
      if (this.sIdx[f] >= 0) this.sampleDist.insert(this.tot[f]);
    }
    this.recompute();
  }

  /** The dependent vector of a regression over the sample. */
  yOf(r: Reg): Float64Array {
    const src = r.ysrc === 5 ? this.tot : this.y[r.ysrc];
    return Float64Array.from(this.sampleFirms, (f) => src[f]);
  }

  /** Largest |incremental - from-scratch| of a coefficient or SE seen at any recompute after construction. */
  driftSeen = 0;
  private tracking = false;

  /** Recompute every regression's state from scratch (kills floating drift); returns the max drift. */
  recompute(): number {
    let drift = 0;
    const n = this.nS;
    for (const r of this.regs) {
      const yv = this.yOf(r);
      const { C, C2, M } = r.proj;
      const k = r.targets.length;
      let sy = 0;
      let syy = 0;
      for (let i = 0; i < n; i++) {
        sy += yv[i];
        syy += yv[i] * yv[i];
      }
      const e = new Float64Array(n);
      for (let a = 0; a < n; a++) {
        let s = 0;
        const row = a * n;
        for (let b = 0; b < n; b++) s += M[row + b] * yv[b];
        e[a] = s;
      }
      let ee = 0;
      for (let i = 0; i < n; i++) ee += e[i] * e[i];
      const w = new Float64Array(n);
      for (let j = 0; j < k; j++) {
        let b = 0;
        let S = 0;
        for (let i = 0; i < n; i++) {
          b += C[j * n + i] * yv[i];
          S += C2[j * n + i] * e[i] * e[i];
        }
        drift = Math.max(drift, Math.abs(b - r.beta[j]), Math.abs(Math.sqrt(r.proj.hc1 * S) - Math.sqrt(r.proj.hc1 * Math.max(0, r.S[j]))));
        r.beta[j] = b;
        r.S[j] = S;
        // A_j. = (C2_j. * e) M  (M symmetric: accumulate rows).
        for (let l = 0; l < n; l++) w[l] = C2[j * n + l] * e[l];
        const Aj = r.A.subarray(j * n, (j + 1) * n);
        Aj.fill(0);
        for (let l = 0; l < n; l++) {
          const wl = w[l];
          if (wl === 0) continue;
          const row = l * n;
          for (let i = 0; i < n; i++) Aj[i] += wl * M[row + i];
        }
      }
      r.e.set(e);
      r.ee = ee;
      r.sy = sy;
      r.syy = syy;
      r.pen = regPenalty(r, r.beta, r.S, ee, syy - (sy * sy) / n);
    }
    for (const d of [...this.subDist, this.allDist, this.sampleDist]) d.refresh();
    if (this.tracking) this.driftSeen = Math.max(this.driftSeen, drift);
    this.tracking = true;
    return drift;
  }

  total(): number {
    let p = 0;
    if (this.regWeight > 0) for (const r of this.regs) p += this.regWeight * r.pen;
    for (const d of [...this.subDist, this.allDist]) p += allFirmWeight * d.pen;
    p += this.sampleDist.pen;
    return p;
  }

  /** The changes (sample index, d, old y) a move makes to regression r's dependent variable. */
  private regChanges(r: Reg, move: Change[], out: { i: number[]; d: number[]; y: number[] }): number {
    out.i.length = 0;
    out.d.length = 0;
    out.y.length = 0;
    for (const c of move) {
      const i = this.sIdx[c.f];
      if (i < 0 || (r.ysrc !== 5 && r.ysrc !== c.s)) continue;
      const k = out.i.indexOf(i);
      if (k >= 0) out.d[k] += c.d; // two changes of one firm's total merge
      else {
        out.i.push(i);
        out.d.push(c.d);
        out.y.push(r.ysrc === 5 ? this.tot[c.f] : this.y[c.s][c.f]);
      }
    }
    let m = 0;
    for (let k = 0; k < out.d.length; k++) if (out.d[k] !== 0) m++;
    return m;
  }

  private readonly scratch = { i: [] as number[], d: [] as number[], y: [] as number[] };
  private readonly betaTmp = new Float64Array(32);
  private readonly sTmp = new Float64Array(32);

  /** Exact penalty of regression r after changes (distinct sample indices), O(k) each. */
  private regPenaltyIf(r: Reg, ch: { i: number[]; d: number[]; y: number[] }): number {
    const tss = this.regStateIf(r, ch);
    return regPenalty(r, this.betaTmp, this.sTmp, this.eeTmp, tss);
  }

  private eeTmp = 0;

  /** Regression r's state after changes: beta and HC sums into betaTmp / sTmp, e'e into eeTmp; returns the TSS. */
  private regStateIf(r: Reg, ch: { i: number[]; d: number[]; y: number[] }): number {
    const n = this.nS;
    const { C, G, M } = r.proj;
    const nn = n * n;
    const m = ch.i.length;
    let ee = r.ee;
    let sy = r.sy;
    let syy = r.syy;
    for (let a = 0; a < m; a++) {
      const ia = ch.i[a];
      const da = ch.d[a];
      ee += 2 * da * r.e[ia] + da * da * M[ia * n + ia];
      for (let b = 0; b < a; b++) ee += 2 * da * ch.d[b] * M[ia * n + ch.i[b]];
      sy += da;
      syy += 2 * da * ch.y[a] + da * da;
    }
    const k = r.targets.length;
    const beta = this.betaTmp;
    const S = this.sTmp;
    for (let j = 0; j < k; j++) {
      let v = r.beta[j];
      let w = r.S[j];
      const base = j * nn;
      for (let a = 0; a < m; a++) {
        const ia = ch.i[a];
        const da = ch.d[a];
        v += da * C[j * n + ia];
        w += 2 * da * r.A[j * n + ia] + da * da * G[base + ia * n + ia];
        for (let b = 0; b < a; b++) w += 2 * da * ch.d[b] * G[base + ia * n + ch.i[b]];
      }
      beta[j] = v;
      S[j] = w;
    }
    this.eeTmp = ee;
    return syy - (sy * sy) / n;
  }

  /** Apply one change of y at sample index i by d to regression r: O(k n). */
  private regApply(r: Reg, i: number, d: number, yi: number): void {
    const n = this.nS;
    const { C, G, M } = r.proj;
    const k = r.targets.length;
    const nn = n * n;
    for (let j = 0; j < k; j++) {
      r.beta[j] += d * C[j * n + i];
      r.S[j] += 2 * d * r.A[j * n + i] + d * d * G[j * nn + i * n + i];
    }
    r.ee += 2 * d * r.e[i] + d * d * M[i * n + i];
    r.syy += 2 * d * yi + d * d;
    r.sy += d;
    const row = i * n;
    for (let l = 0; l < n; l++) r.e[l] += d * M[row + l];
    for (let j = 0; j < k; j++) {
      const Aj = j * n;
      const Gr = j * nn + row;
      for (let l = 0; l < n; l++) r.A[Aj + l] += d * G[Gr + l];
    }
  }

  /** Distribution changes of a move: per-dist lists of old and new values. */
  private distChanges(move: Change[]): { dist: Dist; as: number[]; bs: number[] }[] {
    const out: { dist: Dist; as: number[]; bs: number[] }[] = [];
    const sub = new Map<number, { as: number[]; bs: number[] }>();
    const totD = new Map<number, number>();
    for (const c of move) {
      const e = sub.get(c.s) ?? { as: [], bs: [] };
      e.as.push(this.y[c.s][c.f]);
      e.bs.push(this.y[c.s][c.f] + c.d);
      sub.set(c.s, e);
      totD.set(c.f, (totD.get(c.f) ?? 0) + c.d);
    }
    for (const [s, e] of sub) out.push({ dist: this.subDist[s], ...e });
    const all = { dist: this.allDist, as: [] as number[], bs: [] as number[] };
    const smp = { dist: this.sampleDist, as: [] as number[], bs: [] as number[] };
    for (const [f, d] of totD) {
      if (d === 0) continue;
      all.as.push(this.tot[f]);
      all.bs.push(this.tot[f] + d);
      if (this.sIdx[f] >= 0) {
        smp.as.push(this.tot[f]);
        smp.bs.push(this.tot[f] + d);
      }
    }
    if (all.as.length) out.push(all);
    if (smp.as.length) out.push(smp);
    return out;
  }

  /** Change of the total penalty if the move were made (exact). */
  delta(move: Change[]): number {
    let dp = 0;
    if (this.regWeight > 0) for (const r of this.regs) {
      if (this.regChanges(r, move, this.scratch) === 0) continue;
      dp += this.regWeight * (this.regPenaltyIf(r, this.scratch) - r.pen);
    }
    for (const c of this.distChanges(move)) dp += (c.dist === this.sampleDist ? 1 : allFirmWeight) * (c.dist.penaltyIf(c.as, c.bs) - c.dist.pen);
    return dp;
  }

  /** Make the move. */
  apply(move: Change[]): void {
    for (const r of this.regs) {
      if (this.regChanges(r, move, this.scratch) === 0) continue;
      const { i, d, y } = this.scratch;
      const is = [...i];
      const dsv = [...d];
      const ys = [...y];
      // Sequential application: the second change sees the first's effect on y only through yi.
      for (let a = 0; a < is.length; a++) if (dsv[a] !== 0) this.regApply(r, is[a], dsv[a], ys[a]);
      r.pen = regPenalty(r, r.beta, r.S, r.ee, r.syy - (r.sy * r.sy) / this.nS);
    }
    for (const c of this.distChanges(move)) c.dist.commit(c.as, c.bs);
    const seen: number[] = [];
    for (const c of move) {
      if (seen.includes(c.f)) continue;
      seen.push(c.f);
      let d = 0;
      for (const o of move) if (o.f === c.f) d += o.d;
      const t0 = this.tot[c.f];
      const t1 = t0 + d;
      this.totBelow += (t1 < this.totMed ? 1 : 0) - (t0 < this.totMed ? 1 : 0);
      this.totAbove += (t1 > this.totMed ? 1 : 0) - (t0 > this.totMed ? 1 : 0);
      if (this.sIdx[c.f] >= 0) {
        this.smpBelow += (t1 < this.smpMed ? 1 : 0) - (t0 < this.smpMed ? 1 : 0);
        this.smpAbove += (t1 > this.smpMed ? 1 : 0) - (t0 > this.smpMed ? 1 : 0);
      }
    }
    for (const c of move) {
      const m = this.med[c.s];
      const v0 = this.y[c.s][c.f];
      const v1 = v0 + c.d;
      this.below[c.s] += (v1 < m ? 1 : 0) - (v0 < m ? 1 : 0);
      this.above[c.s] += (v1 > m ? 1 : 0) - (v0 > m ? 1 : 0);
      this.y[c.s][c.f] = v1;
      this.tot[c.f] += c.d;
    }
    if (this.finishing) this.updateProtection();
  }

  /**
   * Gradient of the regression penalties with respect to each sample firm's sub-scores
   * (linearised: d beta_j / d y_i = C_ji, d S_j / d y_i = 2 A_ji, d e'e / d y_i = 2 e_i,
   * d TSS / d y_i = 2 (y_i - ybar)). Used only to propose promising moves; acceptance is exact.
   * Returns grad[s * nS + i].
   */
  gradient(out: Float64Array): void {
    const n = this.nS;
    out.fill(0);
    const tmp = new Float64Array(n);
    for (const r of this.regs) {
      tmp.fill(0);
      const { C, hc1 } = r.proj;
      const k = r.targets.length;
      for (let j = 0; j < k; j++) {
        const t = r.targets[j];
        const tc = SAFETY_REG * t.coefTol;
        const ts = SAFETY_REG * t.seTol;
        const se = Math.sqrt(hc1 * Math.max(1e-300, r.S[j]));
        let wc = ((t.key && keyCoefFloor > coefWeight ? keyCoefFloor : coefWeight) * 2 * (r.beta[j] - t.coef)) / (tc * tc);
        // d se / d S_j = hc1 / (2 se); d S_j / d y_i = 2 A_ji.
        let ws = ((2 * (se - t.se)) / (ts * ts)) * (hc1 / (2 * se)) * 2;
        // Star band: penalty (out / STAR_SCALE)^2 with |t| = |b| / se.
        const b = r.beta[j];
        const at = Math.abs(b / se);
        const lo = t.tLo + t.tMargin - at;
        const hi = at - (t.tHi - t.tMargin);
        const out = Math.max(lo, hi);
        if (out > 0) {
          const dPen_dat = ((2 * out) / (STAR_SCALE * STAR_SCALE)) * (lo > hi ? -1 : 1);
          const sgn = Math.sign(b);
          wc += dPen_dat * (sgn / se);
          ws += dPen_dat * (-Math.abs(b) / (se * se)) * (hc1 / (2 * se)) * 2;
        }
        for (let i = 0; i < n; i++) tmp[i] += wc * C[j * n + i] + ws * r.A[j * n + i];
      }
      const tss = r.syy - (r.sy * r.sy) / n;
      const r2 = 1 - r.ee / tss;
      const tr = SAFETY_REG * r.r2Tol;
      const wr = (2 * (r2 - r.r2)) / (tr * tr);
      const ybar = r.sy / n;
      const src = r.ysrc === 5 ? this.tot : this.y[r.ysrc];
      for (let i = 0; i < n; i++) {
        const yi = src[this.sampleFirms[i]];
        tmp[i] += wr * ((-2 * r.e[i]) / tss + (r.ee * 2 * (yi - ybar)) / (tss * tss));
      }
      for (let s = 0; s < NSUB; s++) {
        if (r.ysrc !== 5 && r.ysrc !== s) continue;
        for (let i = 0; i < n; i++) out[s * n + i] += tmp[i];
      }
    }
  }

  /**
   * Finishing mode (after the regressions are placed): the objective is the distribution terms
   * alone; every regression cell (coefficient, SE, stars, R^2 of Tables 3 and 4) that meets its
   * acceptance tolerance is protected (a move may not make it fail), no firm changes its rating
   * band, and a published minimum or maximum that some firm holds keeps a holder.
   */
  finishing = false;
  /**
   * Weight of the regression terms in the objective: 1 while the regressions are placed, 0 in
   * finishing (protection keeps the passing cells; pulling failing ones in with a penalty was
   * tried and lost more distribution cells than it won regression cells).
   */
  regWeight = 1;
  /** In finishing mode: whether firms must keep their rating band (after the band counts are exact). */
  bandsFrozen = false;
  /** Per regression: 1 where the cell (3 per reported coefficient, then R^2) passes now. */
  private protect: Uint8Array[] = [];

  /** Pass flags of a regression's cells for the given state. */
  private cellsPass(r: Reg, beta: Float64Array, S: Float64Array, ee: number, tss: number, out: Uint8Array): void {
    const ts = r.targets;
    for (let j = 0; j < ts.length; j++) {
      const t = ts[j];
      const b = beta[j];
      const se = Math.sqrt(r.proj.hc1 * Math.max(0, S[j]));
      const at = Math.abs(b / se);
      out[3 * j] = Math.abs(b - t.coef) <= t.coefTol - PROTECT_SLACK ? 1 : 0;
      out[3 * j + 1] = Math.abs(se - t.se) <= t.seTol - PROTECT_SLACK ? 1 : 0;
      out[3 * j + 2] = at >= t.tLo + PROTECT_SLACK && at < t.tHi - PROTECT_SLACK ? 1 : 0;
    }
    const r2 = tss > 0 ? 1 - ee / tss : 0;
    out[3 * ts.length] = Math.abs(r2 - r.r2) <= r.r2Tol - PROTECT_SLACK ? 1 : 0;
  }

  private readonly passTmp = new Uint8Array(64);

  /** Start finishing mode: record which regression cells pass; Table 2's Scores row at the check's tolerance. */
  startFinishing(): void {
    const t2 = this.sampleDist.ranges[0];
    t2.meanTol = 0.005;
    t2.sdTol = 0.005;
    this.recompute();
    this.finishing = true;
    this.protect = this.regs.map((r) => {
      const m = new Uint8Array(3 * r.targets.length + 1);
      this.cellsPass(r, r.beta, r.S, r.ee, r.syy - (r.sy * r.sy) / this.nS, m);
      return m;
    });
  }

  /** Number of protected (passing) regression cells. */
  protectedCells(): number {
    let c = 0;
    for (const m of this.protect) for (const v of m) c += v;
    return c;
  }

  /** Whether a move keeps every protected regression cell passing. */
  private regressionsKept(move: Change[]): boolean {
    for (let q = 0; q < this.regs.length; q++) {
      const r = this.regs[q];
      if (this.regChanges(r, move, this.scratch) === 0) continue;
      const tss = this.regStateIf(r, this.scratch);
      const m = this.protect[q];
      const out = this.passTmp;
      this.cellsPass(r, this.betaTmp, this.sTmp, this.eeTmp, tss, out);
      for (let c = 0; c < m.length; c++) if (m[c] && !out[c]) return false;
    }
    return true;
  }

  /** After a move in finishing mode: cells that now pass become protected too. */
  private updateProtection(): void {
    this.regs.forEach((r, q) => {
      const out = this.passTmp;
      this.cellsPass(r, r.beta, r.S, r.ee, r.syy - (r.sy * r.sy) / this.nS, out);
      const m = this.protect[q];
      for (let c = 0; c < m.length; c++) if (out[c]) m[c] = 1;
    });
  }

  /** Whether a published minimum or maximum keeps a holder (v: the value, olds/news: moved members). */
  private static keepsValue(dist: Dist, v: number, olds: number[], news: number[]): boolean {
    let leave = 0;
    let arrive = 0;
    for (let k = 0; k < olds.length; k++) {
      if (olds[k] === news[k]) continue;
      if (olds[k] === v) leave++;
      if (news[k] === v) arrive++;
    }
    if (leave === 0) return true;
    const c = dist.countAt(v);
    return c === 0 || c - leave + arrive >= 1;
  }

  /** Finishing-mode checks of a move: rating bands, extremes, protected regression cells. */
  private finishingOk(move: Change[]): boolean {
    const olds: number[] = [];
    const news: number[] = [];
    const sOlds: number[] = [];
    const sNews: number[] = [];
    let touchesSample = false;
    for (const c of move) {
      if (this.sIdx[c.f] >= 0) touchesSample = true;
      if (move.findIndex((o) => o.f === c.f) !== move.indexOf(c)) continue;
      let d = 0;
      for (const o of move) if (o.f === c.f) d += o.d;
      const t0 = this.tot[c.f];
      const t1 = t0 + d;
      if (this.bandsFrozen && bandOf(t0) !== bandOf(t1)) return false;
      olds.push(t0);
      news.push(t1);
      if (this.sIdx[c.f] >= 0) {
        sOlds.push(t0);
        sNews.push(t1);
      }
    }
    for (let s = 0; s < NSUB; s++) {
      const o: number[] = [];
      const nw: number[] = [];
      for (const c of move) {
        if (c.s !== s) continue;
        o.push(this.y[s][c.f]);
        nw.push(this.y[s][c.f] + c.d);
      }
      if (o.length && (!Problem.keepsValue(this.subDist[s], this.subLo[s], o, nw) || !Problem.keepsValue(this.subDist[s], this.subHi[s], o, nw))) return false;
    }
    for (const v of this.extremeTotals) if (!Problem.keepsValue(this.allDist, v, olds, news)) return false;
    if (sOlds.length && (!Problem.keepsValue(this.sampleDist, this.smpMin, sOlds, sNews) || !Problem.keepsValue(this.sampleDist, this.smpMax, sOlds, sNews))) return false;
    return !touchesSample || this.regressionsKept(move);
  }
  /** Published band and total minima and maxima (all firms). */
  extremeTotals: number[] = [];
  smpMin = 0;
  smpMax = 0;

  /**
   * Whether a move leaves the multiset of totals unchanged (a whole-vector swap, or transfers
   * between one firm's sub-scores): the only moves allowed to touch the locked low tail.
   */
  private permutesTotals(move: Change[]): boolean {
    const before: number[] = [];
    const after: number[] = [];
    for (const c of move) {
      if (move.findIndex((o) => o.f === c.f) !== move.indexOf(c)) continue;
      let d = 0;
      for (const o of move) if (o.f === c.f) d += o.d;
      before.push(this.tot[c.f]);
      after.push(this.tot[c.f] + d);
    }
    before.sort((a, b) => a - b);
    after.sort((a, b) => a - b);
    return before.every((v, k) => v === after[k]);
  }

  /**
   * Hard rating-band budgets of the sample: a move may not raise a sample band's count above its
   * cap (the all-firm count less the out-of-sample firms reserved for it), so the out-of-sample
   * repair can always complete the published counts. A band already over its cap may shrink.
   */
  private sampleBandsOk(move: Change[]): boolean {
    const cnt = this.sampleDist.cnt;
    const ranges = this.sampleDist.ranges;
    const dc = this.bandDelta;
    dc.fill(0);
    let any = false;
    for (const c of move) {
      if (this.sIdx[c.f] < 0 || move.findIndex((o) => o.f === c.f) !== move.indexOf(c)) continue;
      let d = 0;
      for (const o of move) if (o.f === c.f) d += o.d;
      if (d === 0) continue;
      // Range 0 is the whole sample (Table 2 row); the bands follow.
      for (let r = 1; r < ranges.length; r++) {
        const g = ranges[r];
        const t0 = this.tot[c.f];
        const t1 = t0 + d;
        dc[r] += (t1 >= g.lo && t1 <= g.hi ? 1 : 0) - (t0 >= g.lo && t0 <= g.hi ? 1 : 0);
        any = true;
      }
    }
    if (!any) return true;
    for (let r = 1; r < ranges.length; r++) if (dc[r] > 0 && cnt[r] + dc[r] > (ranges[r].countMax ?? Infinity)) return false;
    return true;
  }
  private readonly bandDelta = new Float64Array(8);

  /** Whether every value of the move stays within [0, weight]. */
  feasible(move: Change[]): boolean {
    for (const c of move) {
      const v = this.y[c.s][c.f] + c.d;
      if (v < this.subLo[c.s] || v > this.subHi[c.s]) return false;
    }
    let tail = false;
    for (const c of move) {
      let t = this.tot[c.f];
      for (const o of move) if (o.f === c.f) t += o.d;
      if (!this.totalOk[t]) return false;
      if (t < TAIL_LOCK || this.tot[c.f] < TAIL_LOCK) tail = true;
    }
    if (tail && !this.permutesTotals(move)) return false;
    if (!this.sampleBandsOk(move)) return false;
    // Total-score medians (all firms: the middle value; sample of even size: both middle values).
    {
      let tb = this.totBelow;
      let ta = this.totAbove;
      let sb = this.smpBelow;
      let sa = this.smpAbove;
      const seen: number[] = [];
      for (const c of move) {
        if (seen.includes(c.f)) continue;
        seen.push(c.f);
        let d = 0;
        for (const o of move) if (o.f === c.f) d += o.d;
        const t0 = this.tot[c.f];
        const t1 = t0 + d;
        tb += (t1 < this.totMed ? 1 : 0) - (t0 < this.totMed ? 1 : 0);
        ta += (t1 > this.totMed ? 1 : 0) - (t0 > this.totMed ? 1 : 0);
        if (this.sIdx[c.f] >= 0) {
          sb += (t1 < this.smpMed ? 1 : 0) - (t0 < this.smpMed ? 1 : 0);
          sa += (t1 > this.smpMed ? 1 : 0) - (t0 > this.smpMed ? 1 : 0);
        }
      }
      const capAll = Math.floor((this.nF - 1) / 2);
      const capSmp = Math.floor(this.nS / 2) - 1;
      if ((tb > capAll && tb > this.totBelow) || (ta > capAll && ta > this.totAbove)) return false;
      if ((sb > capSmp && sb > this.smpBelow) || (sa > capSmp && sa > this.smpAbove)) return false;
    }
    // Category medians stay at the published value (hard: a median is exact or wrong).
    for (let s = 0; s < NSUB; s++) {
      let b = this.below[s];
      let a = this.above[s];
      let touched = false;
      for (const c of move) {
        if (c.s !== s) continue;
        touched = true;
        const m = this.med[s];
        const v0 = this.y[s][c.f];
        const v1 = v0 + c.d;
        b += (v1 < m ? 1 : 0) - (v0 < m ? 1 : 0);
        a += (v1 > m ? 1 : 0) - (v0 > m ? 1 : 0);
      }
      if (touched && ((b > this.medCap && b > this.below[s]) || (a > this.medCap && a > this.above[s]))) return false;
    }
    return !this.finishing || this.finishingOk(move);
  }
}

/** Integer range [lo, hi] of a rating band. */
export function ratingRange(rating: string): [number, number] {
  switch (rating) {
    case 'Excellent':
      return [850, TOTAL_MAX];
    case 'Good':
      return [800, 849];
    case 'Average':
      return [750, 799];
    case 'Fair':
      return [700, 749];
    case 'Poor':
      return [0, 699];
    default:
      throw new Error(`unknown rating '${rating}'`);
  }
}

/**
 * Totals below this (the Fair and Poor bands, 11 firms) are locked: placeTail gives them the
 * published band statistics exactly, and afterwards only moves that permute totals may touch
 * them, so no other firm can enter these bands and the tail firms keep their totals.
 */
export const TAIL_LOCK = 750;
/** Lowest total of the Average band in Table 1. */
const AVERAGE_MIN = 755;
/**
 * Out-of-sample firms reserved per rating band (the sample's budget is the published count less
 * these). Tables 1 and 2 together imply that the 117 out-of-sample firms average about 871 points
 * with an SD of about 25: mostly Excellent, some Good, very few Average.
 */
const SAMPLE_BAND_RESERVE: Readonly<Record<string, number>> = { Excellent: 94, Good: 8, Average: 1 };

/** Rating band of a total: 0 Excellent, 1 Good, 2 Average, 3 Fair, 4 Poor (Table 1 rules). */
export function bandOf(t: number): number {
  return t >= 850 ? 0 : t >= 800 ? 1 : t >= 750 ? 2 : t >= 700 ? 3 : 4;
}

/**
 * Margin inside an acceptance tolerance for a protected regression cell: the incremental state
 * drifts by ~1e-10 from a from-scratch fit, so a protected cell keeps this much room.
 */
const PROTECT_SLACK = 1e-7;

/** Step sizes of proposals: small tweaks and realistic chunks (third-level item weights). */
const STEPS: readonly number[] = [1, 1, 2, 3, 5, 10, 20, 30, 60];

/** Candidates of a single-change proposal at value v: +-step, and back to full marks. */
function candidateSteps(s: number, v: number, step: number): number[] {
  const w = WEIGHTS[s];
  const out = [0];
  if (v + step <= w) out.push(step);
  if (v - step >= 0) out.push(-step);
  if (v !== w && w - v !== step) out.push(w - v);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Starting configuration

/** Typical deduction chunks per deduction category (third-level item weights). */
const CHUNKS: readonly (readonly number[])[] = [
  [20, 20, 40],
  [30, 30, 30, 15, 60],
  [10, 20, 30],
  [20, 50, 60, 90, 120],
];

/**
 * A plausible start close to the targets: each category's expected score follows the published
 * Table 4 model (fitted value, shifted to the Table 1 mean), realised as chunked deductions
 * from full marks with probability (expected deduction / chunk) — so coefficients start near
 * their targets and the residuals have the right lumpy shape. Social Responsibility is 60 (red
 * list or honours), 120 (both) or 0 with the probabilities that give the fitted value, plus
 * occasional charity. The annealing then fine-tunes.
 */
export function initialScores(firms: SynthFirm[], pub: Published, rng: Rng): Int32Array[] {
  const nF = firms.length;
  const covs = table3Covariates(pub, '(5)');
  const y = WEIGHTS.map((w) => new Int32Array(nF).fill(w));
  // Covariate means over firms with finite values (out-of-sample records may be missing).
  const means = covs.map((c) => {
    const v = firms.map((f) => f.x[c]).filter((x) => Number.isFinite(x));
    return v.reduce((a, b) => a + b, 0) / v.length;
  });
  SUB_KEYS.forEach((key, s) => {
    const model = pub.table4.models.find((m) => m.model === FIRST_LEVEL_LABELS[key])!;
    const row = pub.table1.first_level_scores.find((r) => r.indicator === FIRST_LEVEL_LABELS[key])!;
    const lin = firms.map((f) => covs.reduce((acc, c, j) => acc + model.coefficients[COVARIATE_LABELS[c]].coef * (Number.isFinite(f.x[c]) ? f.x[c] : means[j]), 0));
    const linMean = lin.reduce((a, b) => a + b, 0) / nF;
    const fitted = lin.map((v) => v - linMean + row.mean);
    for (let f = 0; f < nF; f++) {
      if (s < 4) {
        const chunks = CHUNKS[s];
        const meanChunk = chunks.reduce((a, b) => a + b, 0) / chunks.length;
        const mu = Math.max(0, WEIGHTS[s] - fitted[f]);
        if (rng.bernoulli(Math.min(0.95, mu / meanChunk))) y[s][f] = WEIGHTS[s] - rng.choice(chunks);
      } else {
        const v = fitted[f];
        let sr = v >= 60 ? (rng.bernoulli(Math.min(1, (v - 60) / 60)) ? 120 : 60) : rng.bernoulli(Math.min(1, (60 - v) / 60)) ? 0 : 60;
        if (rng.bernoulli(0.015)) sr = Math.min(150, sr + rng.choice([30, 20, 35]));
        y[s][f] = sr;
      }
    }
  });
  placeTail(firms, pub, y, rng);
  return y;
}

/**
 * The low tail of Table 1 (Poor and Fair firms) as explicit profiles: the regressions' robust
 * SEs depend heavily on these few large residuals, so they must exist from the start (a local
 * search cannot grow them later without passing through much worse fits). Profiles respect the
 * first-level minima of Table 1 (the worst firm has every minimum: 40 + 107 + 60 + 244 + 90 = 541).
 * Firms are the ones with the lowest fitted total (published model (5)), most in the sample.
 */
function placeTail(firms: SynthFirm[], pub: Published, y: Int32Array[], rng: Rng): void {
  // [basic, finance, governance, compliance, SR]; totals 541 605 683 687 695 695 | 725 725 735 743 746:
  // the only Poor set with the published n, mean, SD, min, median and max (searched over all
  // integer sets), and a Fair set that matches likewise. These totals stay fixed (TAIL_LOCK).
  const profiles: number[][] = [
    [40, 107, 60, 244, 90],
    [80, 135, 60, 270, 60],
    [80, 145, 70, 328, 60],
    [80, 155, 90, 302, 60],
    [60, 165, 80, 330, 60],
    [80, 195, 90, 330, 0],
    [80, 135, 90, 360, 60],
    [80, 165, 90, 330, 60],
    [80, 195, 70, 330, 60],
    [80, 165, 90, 348, 60],
    [80, 165, 90, 351, 60],
  ];
  // Tail firms: highly levered (the published leverage effect is strongly negative) but of
  // ordinary age and size, so that their very large residuals do not tilt the Firm Age and
  // Firm Size coefficients, whose published values are small relative to the tail's weight.
  const z = (c: keyof RegressionX) => {
    const v = firms.filter((f) => f.inSample).map((f) => f.x[c]);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length) || 1;
    return firms.map((f) => (Number.isFinite(f.x[c]) ? (f.x[c] - m) / sd : 0));
  };
  const zl = z('leverage');
  const za = z('firm_age');
  const zs = z('firm_size');
  const order = (inSample: boolean) =>
    firms
      .map((f, i) => ({ i, v: -zl[i] + Math.abs(za[i]) + Math.abs(zs[i]) + 0.5 * rng.normal() }))
      .filter((o) => firms[o.i].inSample === inSample)
      .sort((a, b) => a.v - b.v || a.i - b.i)
      .map((o) => o.i);
  const inS = order(true);
  const outS = order(false);
  // Poor: 5 of 6 in the sample (incl. the 541 minimum); Fair: 4 of 5.
  const who = [inS[0], inS[1], inS[2], inS[3], inS[4], outS[0], inS[5], inS[6], inS[7], inS[8], outS[1]];
  profiles.forEach((prof, k) => prof.forEach((v, s) => (y[s][who[k]] = v)));
  // Every other firm starts at or above the Average band's minimum: restore its largest
  // deduction until it gets there (the low tail belongs to the profiles above only).
  const tail = new Set(who);
  for (let f = 0; f < firms.length; f++) {
    if (tail.has(f)) continue;
    let t = 0;
    for (let s = 0; s < NSUB; s++) t += y[s][f];
    while (t < AVERAGE_MIN) {
      let best = 0;
      for (let s = 1; s < 4; s++) if (WEIGHTS[s] - y[s][f] > WEIGHTS[best] - y[best][f]) best = s;
      t += WEIGHTS[best] - y[best][f];
      y[best][f] = WEIGHTS[best];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Entry point

/**
 * Simulated annealing over the integer scores: geometric cooling from t0 to t1 over `steps`
 * proposals. `pool`: the firms that may move (null = all, with gradient-guided sample moves).
 */
function anneal(prob: Problem, move: Rng, steps: number, t0: number, t1: number, pool: number[] | null, log: (m: string) => void, coefRamp = 0): number {
  if (coefRamp) {
    coefWeight = coefRamp;
    prob.recompute();
  }
  const nF = prob.nF;
  const pickFirm = pool ? () => pool[move.int(0, pool.length - 1)] : () => move.int(0, nF - 1);
  const cool = Math.pow(t1 / t0, 1 / Math.max(1, steps - 1));
  let T = t0;
  let pen = prob.total();
  const single: Change[] = [{ s: 0, f: 0, d: 0 }];
  const pair: Change[] = [
    { s: 0, f: 0, d: 0 },
    { s: 0, f: 0, d: 0 },
  ];
  let accepted = 0;
  // Gradient-guided proposals: roulette over |d penalty / d y| of the sample firms' sub-scores.
  const nS = prob.nS;
  const grad = new Float64Array(NSUB * nS);
  const cum = new Float64Array(NSUB * nS);
  let gradStale = true;
  const refreshGradient = () => {
    prob.gradient(grad);
    let c = 0;
    for (let q = 0; q < grad.length; q++) {
      c += Math.abs(grad[q]);
      cum[q] = c;
    }
    gradStale = false;
  };
  const pickByGradient = (): number => {
    if (gradStale) refreshGradient();
    const u = move.uniform() * cum[cum.length - 1];
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  /** Metropolis acceptance of a move. */
  const tryMove = (changes: Change[]): void => {
    if (!prob.feasible(changes)) return;
    const dp = prob.delta(changes);
    if (dp <= 0 || move.uniform() < Math.exp(-dp / T)) {
      prob.apply(changes);
      pen += dp;
      accepted++;
      gradStale = true;
    }
  };
  for (let it = 0; it < steps; it++, T *= cool) {
    let kind = move.uniform();
    // Gradient-guided moves exist only for sample firms.
    if (pool && kind >= 0.3 && kind < 0.65) kind = 0.1;
    if (kind < 0.3) {
      // Heat-bath over the candidate steps of one firm's one sub-score.
      const f = pickFirm();
      const s = move.int(0, NSUB - 1);
      const ds = candidateSteps(s, prob.y[s][f], move.choice(STEPS));
      single[0].s = s;
      single[0].f = f;
      const dp = ds.map((d) => {
        if (d === 0) return 0;
        single[0].d = d;
        return prob.feasible(single) ? prob.delta(single) : Infinity;
      });
      let minDp = 0;
      for (const v of dp) minDp = Math.min(minDp, v);
      let z = 0;
      const w = dp.map((v) => {
        const x = Math.exp(-(v - minDp) / T);
        z += x;
        return x;
      });
      let u = move.uniform() * z;
      let pick = 0;
      for (; pick < w.length - 1; pick++) {
        u -= w[pick];
        if (u < 0) break;
      }
      if (ds[pick] !== 0) {
        single[0].d = ds[pick];
        prob.apply(single);
        pen += dp[pick];
        accepted++;
        gradStale = true;
      }
    } else if (kind < 0.5) {
      // Downhill along the gradient at one sample firm.
      const q = pickByGradient();
      const s = Math.floor(q / nS);
      single[0].s = s;
      single[0].f = prob.sampleFirms[q % nS];
      single[0].d = -Math.sign(grad[q]) * move.choice(STEPS);
      tryMove(single);
    } else if (kind < 0.65) {
      // Gradient-guided transfer within a sub-score: from the firm that wants less to one that wants more.
      const q = pickByGradient();
      const s = Math.floor(q / nS);
      let best = -1;
      let bestVal = 0;
      for (let c = 0; c < 24; c++) {
        const i2 = move.int(0, nS - 1);
        const v = grad[s * nS + i2] * Math.sign(grad[q]);
        if (v < bestVal) {
          bestVal = v;
          best = i2;
        }
      }
      if (best < 0 || best === q % nS) continue;
      const d = -Math.sign(grad[q]) * move.choice(STEPS);
      pair[0].s = s;
      pair[0].f = prob.sampleFirms[q % nS];
      pair[0].d = d;
      pair[1].s = s;
      pair[1].f = prob.sampleFirms[best];
      pair[1].d = -d;
      tryMove(pair);
    } else if (kind < 0.75) {
      // Swap two firms' values: one sub-score, or the whole score vector (keeps every all-firm
      // distribution; rearranges who carries which deduction).
      // One sub-score: a firm below full marks swaps with any firm (relocates a deduction).
      const oneSub = kind < 0.72;
      const s0 = move.int(0, NSUB - 1);
      let f1 = pickFirm();
      if (oneSub) for (let tries = 0; tries < 20 && prob.y[s0][f1] === WEIGHTS[s0]; tries++) f1 = pickFirm();
      const f2 = pickFirm();
      if (f1 === f2) continue;
      const subs = oneSub ? [s0] : [0, 1, 2, 3, 4];
      const changes: Change[] = [];
      for (const s of subs) {
        const d = prob.y[s][f2] - prob.y[s][f1];
        if (d === 0) continue;
        changes.push({ s, f: f1, d }, { s, f: f2, d: -d });
      }
      if (changes.length) tryMove(changes);
    } else {
      // Random transfer between two firms (same sub-score: keeps its mean) or between two
      // sub-scores of one firm (keeps the total).
      const d = move.choice(STEPS) * (move.bernoulli(0.5) ? 1 : -1);
      if (kind < 0.9) {
        const s = move.int(0, NSUB - 1);
        const f1 = pickFirm();
        const f2 = pickFirm();
        if (f1 === f2) continue;
        pair[0].s = s;
        pair[0].f = f1;
        pair[0].d = d;
        pair[1].s = s;
        pair[1].f = f2;
        pair[1].d = -d;
      } else {
        const f = pickFirm();
        const s1 = move.int(0, NSUB - 1);
        let s2 = move.int(0, NSUB - 2);
        if (s2 >= s1) s2++;
        pair[0].s = s1;
        pair[0].f = f;
        pair[0].d = d;
        pair[1].s = s2;
        pair[1].f = f;
        pair[1].d = -d;
      }
      tryMove(pair);
    }
    if ((it + 1) % 100000 === 0) {
      if (coefRamp) coefWeight = Math.pow(coefRamp, Math.max(0, 1 - (it + 1) / (0.8 * steps)));
      prob.recompute();
      pen = prob.total();
      gradStale = true;
      if ((it + 1) % 1000000 === 0) log(`calibrate: step ${it + 1}/${steps} T=${T.toExponential(2)} penalty ${pen.toFixed(2)} accepted ${accepted}`);
    }
  }
  coefWeight = 1;
  prob.recompute();
  log(`calibrate: ${steps} proposals, ${accepted} accepted, penalty ${prob.total().toFixed(2)}`);
  return pen;
}

/**
 * Greedy polish: repeatedly rank single and paired changes of the sample firms by a local model
 * of the penalty (exact gradient, plus the exact second-order coefficient term of the category
 * and total model (5) regressions), evaluate the best candidates exactly and make the best
 * improving one. Ends when no candidate improves or after `iters` moves.
 */
function polish(prob: Problem, iters: number, log: (m: string) => void): void {
  const nS = prob.nS;
  const grad = new Float64Array(NSUB * nS);
  // Second-order coefficient weights: sum_j C_ji^2 / tol_j^2 over the category and total regressions.
  const curv: Float64Array[] = [];
  const reg5 = prob.regs.filter((r) => r.proj === prob.regs[0].proj);
  const { C } = prob.regs[0].proj;
  const kk = prob.regs[0].targets.length;
  const wOf = (r: Reg) => r.targets.map((t) => 1 / (SAFETY_REG * t.coefTol) ** 2);
  for (let s = 0; s < NSUB; s++) {
    const w = new Float64Array(kk);
    for (const r of reg5) if (r.ysrc === s || r.ysrc === 5) wOf(r).forEach((v, j) => (w[j] += v));
    curv.push(w);
  }
  const DS = [1, 2, 3, 5, 10];
  let made = 0;
  for (let it = 0; it < iters; it++) {
    prob.gradient(grad);
    const cands: { est: number; move: Change[] }[] = [];
    const keep = (est: number, move: Change[]) => {
      if (est >= 0) return;
      cands.push({ est, move });
    };
    for (let s = 0; s < NSUB; s++) {
      const w = curv[s];
      const order = Array.from({ length: nS }, (_, i) => i).sort((a, b) => grad[s * nS + a] - grad[s * nS + b]);
      const up = order.slice(0, 40); // most negative gradient: want to increase
      const down = order.slice(nS - 40); // want to decrease
      for (let i = 0; i < nS; i++) {
        const g = grad[s * nS + i];
        let q = 0;
        for (let j = 0; j < kk; j++) q += w[j] * C[j * nS + i] ** 2;
        for (const d0 of DS) {
          const d = g > 0 ? -d0 : d0;
          keep(d * g + d * d * q, [{ s, f: prob.sampleFirms[i], d }]);
        }
      }
      // Swaps of this sub-score between a firm that wants more and one that wants less.
      for (const a of order.slice(0, 80)) {
        for (const b of order.slice(nS - 80)) {
          const d = prob.y[s][prob.sampleFirms[b]] - prob.y[s][prob.sampleFirms[a]];
          if (d <= 0) continue;
          const g = grad[s * nS + a] - grad[s * nS + b];
          let q = 0;
          for (let j = 0; j < kk; j++) q += w[j] * (C[j * nS + a] - C[j * nS + b]) ** 2;
          keep(d * g + d * d * q, [
            { s, f: prob.sampleFirms[a], d },
            { s, f: prob.sampleFirms[b], d: -d },
          ]);
        }
      }
      for (const a of up) {
        for (const b of down) {
          if (a === b) continue;
          const g = grad[s * nS + a] - grad[s * nS + b];
          let q = 0;
          for (let j = 0; j < kk; j++) q += w[j] * (C[j * nS + a] - C[j * nS + b]) ** 2;
          for (const d of [1, 2, 5]) {
            keep(d * g + d * d * q, [
              { s, f: prob.sampleFirms[a], d },
              { s, f: prob.sampleFirms[b], d: -d },
            ]);
          }
        }
      }
    }
    cands.sort((a, b) => a.est - b.est);
    let best: Change[] | null = null;
    let bestDp = 0;
    let tried = 0;
    for (const c of cands) {
      if (tried >= 60) break;
      if (!prob.feasible(c.move)) continue;
      tried++;
      const dp = prob.delta(c.move);
      if (dp < bestDp) {
        bestDp = dp;
        best = c.move;
      }
    }
    if (!best) break;
    prob.apply(best);
    made++;
    if ((it + 1) % 200 === 0) {
      prob.recompute();
      log(`calibrate: polish ${it + 1} moves, penalty ${prob.total().toFixed(2)}`);
    }
  }
  prob.recompute();
  log(`calibrate: polish made ${made} moves, penalty ${prob.total().toFixed(2)}`);
}

/**
 * Large-move polish by swaps. Annealing and the gradient polish move scores in small steps, but
 * the Firm Size and Firm Age coefficients need LARGE deductions relocated between firms (an L1
 * fit of the published coefficients moves a few firms by ~100 points). A lone large move costs
 * more in the category SD and rating-count terms (tolerance 0.005) than it gains, so the
 * small-step search stays where those coefficients are biased upwards. Swapping two firms'
 * values (one sub-score, or the whole score vector) keeps every all-firm distribution, so only
 * the regressions judge it: for each sample firm the best exact improving swap is made.
 */
function swapPolish(prob: Problem, passes: number, log: (m: string) => void): void {
  const nF = prob.nF;
  for (let pass = 0; pass < passes; pass++) {
    let made = 0;
    for (const a of prob.sampleFirms) {
      let best: Change[] | null = null;
      let bestDp = -1e-6;
      for (let b = 0; b < nF; b++) {
        if (b === a) continue;
        const whole: Change[] = [];
        for (let s = 0; s < NSUB; s++) {
          const d = prob.y[s][b] - prob.y[s][a];
          if (d === 0) continue;
          const sw: Change[] = [
            { s, f: a, d },
            { s, f: b, d: -d },
          ];
          whole.push(...sw);
          if (prob.feasible(sw)) {
            const dp = prob.delta(sw);
            if (dp < bestDp) {
              bestDp = dp;
              best = sw;
            }
          }
        }
        if (whole.length > 2 && prob.feasible(whole)) {
          const dp = prob.delta(whole);
          if (dp < bestDp) {
            bestDp = dp;
            best = whole;
          }
        }
      }
      if (best) {
        prob.apply(best);
        made++;
      }
    }
    prob.recompute();
    log(`calibrate: swap pass ${pass + 1}: ${made} swaps, penalty ${prob.total().toFixed(2)}`);
    if (made === 0) break;
  }
}

/**
 * Finishing, step 1: make the all-firm rating-band counts exact. Repeatedly moves the firm of a
 * band with too many members into a band with too few by the smallest change of one sub-score
 * that passes every finishing check (sample firms only if no passing regression cell breaks),
 * choosing the move that costs the distribution terms least.
 */
function fixBandCounts(prob: Problem, log: (m: string) => void): void {
  const want = prob.pub.table1.ratings.map((r) => r.n);
  const ranges = prob.pub.table1.ratings.map((r) => [r.min, r.max]);
  let made = 0;
  for (let iter = 0; iter < 100; iter++) {
    const diff = want.map((n) => -n);
    for (let f = 0; f < prob.nF; f++) diff[bandOf(prob.tot[f])]++;
    if (diff.every((d) => d === 0)) break;
    let best: Change[] | null = null;
    let bestDp = Infinity;
    for (let f = 0; f < prob.nF; f++) {
      const t = prob.tot[f];
      if (diff[bandOf(t)] <= 0) continue;
      for (let b = 0; b < want.length; b++) {
        if (diff[b] >= 0) continue;
        // The few allowed totals of band b nearest to t.
        const [lo, hi] = ranges[b];
        const targets = [lo, lo + 1, lo + 2, lo + 3, hi, hi - 1, hi - 2, hi - 3].filter((v) => v >= lo && v <= hi && prob.totalOk[v]);
        for (const t2 of targets) {
          for (let s = 0; s < NSUB; s++) {
            const mv: Change[] = [{ s, f, d: t2 - t }];
            if (!prob.feasible(mv)) continue;
            const dp = prob.delta(mv);
            if (dp < bestDp) {
              bestDp = dp;
              best = mv;
            }
          }
        }
      }
    }
    if (!best) break;
    prob.apply(best);
    made++;
  }
  prob.recompute();
  log(`calibrate: band counts: ${made} moves, penalty ${prob.total().toFixed(2)}`);
}

/**
 * Finishing: with the regressions placed, reach the Table 1 / Figure 1 / Table 2 statistics
 * without losing any regression cell. Band counts first (fixBandCounts), then annealing of all
 * firms on the distribution terms alone with the bands frozen; sample firms move only where every
 * passing regression cell keeps passing (Problem.finishingOk).
 */
function finish(prob: Problem, rng: Rng, steps: number, log: (m: string) => void): void {
  prob.startFinishing();
  prob.regWeight = 0;
  log(`calibrate: finishing, ${prob.protectedCells()} regression cells protected, penalty ${prob.total().toFixed(2)}`);
  fixBandCounts(prob, log);
  prob.bandsFrozen = true;
  const all = Array.from({ length: prob.nF }, (_, f) => f);
  anneal(prob, rng, steps, 2, 0.001, all, log);
  log(`calibrate: finishing done, ${prob.protectedCells()} regression cells pass`);
}

/**
 * Last step: published extremes (category minima and maxima, band minima and maxima) that no
 * firm holds after finishing. The annealing weighs a missed extreme against the category mean
 * and SD it would cost, even when those already fail; here a firm takes an extreme value only if
 * the number of passing Table 1 / Figure 1 checks rises: an out-of-sample firm (no regression
 * sees it) alone or with the opposite change in another sub-score, a sample firm only with that
 * opposite change (its total stays) and only where every passing regression cell keeps passing
 * (finishing mode). Greedy and deterministic.
 */
function fixExtremes(prob: Problem, firms: SynthFirm[], pub: Published, log: (m: string) => void): void {
  const passing = (m: Map<string, FirstLevelScores>) => allFirmChecks(firms, pub, m).filter((c) => c.ok).length;
  const oos = Array.from({ length: prob.nF }, (_, f) => f).filter((f) => prob.sIdx[f] < 0);
  const rows = SUB_KEYS.map((k) => pub.table1.first_level_scores.find((r) => r.indicator === FIRST_LEVEL_LABELS[k])!);
  let made = 0;
  for (let pass = 0; pass < 20; pass++) {
    const cur = scoresOf(prob, firms);
    const base = passing(cur);
    let best: Change[] | null = null;
    let bestGain = 0;
    const consider = (mv: Change[]) => {
      if (!prob.feasible(mv)) return;
      const m = new Map(cur);
      for (const c of mv) {
        const id = firms[c.f].firm_id;
        const rec = { ...m.get(id)! };
        rec[SUB_KEYS[c.s]] += c.d;
        m.set(id, rec);
      }
      const gain = passing(m) - base;
      if (gain > bestGain) {
        bestGain = gain;
        best = mv;
      }
    };
    // Category minima and maxima nobody holds.
    for (let s = 0; s < NSUB; s++) {
      for (const v of [rows[s].min, rows[s].max]) {
        if (prob.y[s].some((x) => x === v)) continue;
        for (let f = 0; f < prob.nF; f++) {
          const d = v - prob.y[s][f];
          if (d === 0) continue;
          // A sample firm keeps its total (Table 2 and the total regressions stay as they are);
          // feasible() keeps every passing sub-score regression cell passing.
          const inSample = prob.sIdx[f] >= 0;
          if (!inSample) consider([{ s, f, d }]);
          for (let s2 = 0; s2 < NSUB; s2++) if (s2 !== s) consider([{ s, f, d }, { s: s2, f, d: -d }]);
        }
      }
    }
    // Band minima and maxima nobody holds: an out-of-sample firm of that band moves its total there.
    for (const r of pub.table1.ratings) {
      const [lo, hi] = ratingRange(r.rating);
      for (const v of [r.min, r.max]) {
        if (prob.tot.some((t) => t === v)) continue;
        for (const f of oos) {
          const t = prob.tot[f];
          if (t < lo || t > hi) continue;
          for (let s = 0; s < NSUB; s++) consider([{ s, f, d: v - t }]);
        }
      }
    }
    if (!best) break;
    prob.apply(best);
    made++;
  }
  prob.recompute();
  log(`calibrate: extremes: ${made} moves, penalty ${prob.total().toFixed(2)}`);
}

/** Log the penalty by part (regressions, Table 1 rows, Table 2). */
function logParts(prob: Problem, log: (m: string) => void): void {
  const parts = [
    ...prob.regs.map((r) => `${r.name} ${r.pen.toFixed(0)}`),
    ...prob.subDist.map((d, s) => `T1 ${SUB_KEYS[s]} ${d.pen.toFixed(0)}`),
    `T1 ratings ${prob.allDist.pen.toFixed(0)}`,
    `T2 ${prob.sampleDist.pen.toFixed(0)}`,
  ];
  log(`calibrate: by part: ${parts.join('; ')}`);
}

/**
 * Calibrate the first-level scores of all firms (sample and out-of-sample) to the published
 * targets. Deterministic given the rng state and options.
 */
export function calibrateScores(firms: SynthFirm[], targets: Published, rng: Rng, opts: CalibrateOptions = {}): CalibrationResult {
  const sweeps = opts.sweeps ?? 3500;
  const t0 = opts.t0 ?? 100;
  const t1 = opts.t1 ?? 0.05;
  const repairSteps = opts.repairSteps ?? 2_000_000;
  const finishSteps = opts.finishSteps ?? 4_000_000;
  const log = opts.log ?? (() => {});
  keyCoefFloor = opts.keyCoefFloor ?? 0.2;
  for (const f of firms) {
    if (!f.inSample) continue;
    for (const c of X_NAMES) if (!Number.isFinite(f.x[c])) throw new Error(`calibrateScores: sample firm ${f.firm_id} has non-finite ${c}`);
  }
  if (opts.resume) {
    // The weights the phases before the programs leave behind (only the logged penalty uses them).
    coefWeight = 1;
    allFirmWeight = 1;
    const { y, changed, seed } = fromCheckpoint(opts.resume, firms);
    const fs = firms.map((f) => (changed.has(f.firm_id) ? { ...f, x: { ...f.x, ...changed.get(f.firm_id) } } : f));
    return programsAndResult(new Problem(fs, targets, y), firms, fs, targets, seed, opts, log);
  }
  const init = opts.init ? SUB_KEYS.map((k) => Int32Array.from(firms, (f) => opts.init!.get(f.firm_id)![k])) : initialScores(firms, targets, rng.fork('initial'));
  const prob = new Problem(firms, targets, init);
  const nF = firms.length;
  if (opts.init && opts.refineOnly) {
    refineCells(prob, rng.fork('refine'), { ...opts.refine, proposals: opts.refineProposals ?? 6500, log });
    return adjustAndFinish(prob, firms, firms, targets, rng, opts, log);
  }
  log(`calibrate: start penalty ${prob.total().toFixed(1)}`);
  logParts(prob, log);
  // Phase 1: everything (sample and out-of-sample firms).
  allFirmWeight = opts.allFirmWeight ?? 0.05;
  if (!opts.init) anneal(prob, rng.fork('anneal'), sweeps * nF * NSUB, t0, t1, null, log, opts.coefRamp ?? 1e-3);
  logParts(prob, log);
  swapPolish(prob, opts.swapPasses ?? 4, log);
  logParts(prob, log);
  polish(prob, opts.polishIters ?? 3000, log);
  logParts(prob, log);
  // Phase 2: the out-of-sample firms alone repair the all-firm statistics (Table 1, Figure 1);
  // their moves leave every regression unchanged, so they are cheap.
  allFirmWeight = 1;
  prob.recompute();
  const oos = Array.from({ length: nF }, (_, f) => f).filter((f) => prob.sIdx[f] < 0);
  if (oos.length) anneal(prob, rng.fork('repair'), repairSteps, 10, 0.001, oos, log);
  logParts(prob, log);
  if (finishSteps > 0) {
    finish(prob, rng.fork('finish'), finishSteps, log);
    fixExtremes(prob, firms, targets, log);
    logParts(prob, log);
  }
  const refineProposals = opts.refineProposals ?? 6500;
  let cur = prob;
  let adjusted = firms;
  if (opts.adjustBeforeRefine ?? true) {
    const next = adjustState(cur, adjusted, targets, opts, log);
    if (next) ({ prob: cur, firms: adjusted } = next);
  }
  if (refineProposals > 0) {
    // The refinement judges every cell itself (trading smooth regression cells where that wins
    // more than it loses); finishing mode would forbid those trades.
    cur.finishing = false;
    cur.bandsFrozen = false;
    refineCells(cur, rng.fork('refine'), { ...opts.refine, proposals: refineProposals, log });
  }
  return adjustAndFinish(cur, firms, adjusted, targets, rng, opts, log);
}

/**
 * Rounds of covariate adjustment (adjustCovariates.ts), each followed by more refinement of the
 * scores on the adjusted covariates (rng forks `refine-${label}${round}`).
 */
function adjustRounds(prob: Problem, adjusted: SynthFirm[], targets: Published, rng: Rng, label: string, opts: CalibrateOptions, log: (m: string) => void): { prob: Problem; firms: SynthFirm[] } {
  const rounds = opts.adjustRounds ?? 2;
  const refineAfter = opts.adjustRefine ?? 1000;
  let cur = prob;
  let fs = adjusted;
  for (let round = 0; round < rounds; round++) {
    const next = adjustState(cur, fs, targets, opts, log);
    if (!next) break;
    ({ prob: cur, firms: fs } = next);
    if (refineAfter > 0) refineCells(cur, rng.fork(`refine-${label}${round + 1}`), { ...opts.refine, proposals: refineAfter, nearProposals: Math.round(refineAfter / 2), log });
  }
  return { prob: cur, firms: fs };
}

/** How many of the calibration checks (verify) a state passes. */
function passingChecks(prob: Problem, firms: SynthFirm[], targets: Published): number {
  return verify(firms, targets, scoresOf(prob, firms)).filter((c) => c.ok).length;
}

/** One covariate adjustment (adjustCovariates.ts) of a state: the new state, or null when no step was accepted. */
function adjustState(p: Problem, fs0: SynthFirm[], targets: Published, opts: CalibrateOptions, log: (m: string) => void): { prob: Problem; firms: SynthFirm[] } | null {
  const t2 = table2Targets(targets);
  const moments = Object.fromEntries(ADJUSTABLE.map((v) => [v, { mean: t2[v].mean, sd: t2[v].sd }]));
  const sample = p.sampleFirms.map((i) => fs0[i]);
  const regs = p.regs.map((r) => ({ name: r.name, covs: r.covs, y: p.yOf(r), targets: r.targets, r2: r.r2, r2Tol: r.r2Tol }));
  const res = adjustCovariates(sample, regs, moments, { ...opts.adjust, log });
  if (res.accepted === 0) return null;
  const fs1 = fs0.map((f, i) => {
    const k = p.sIdx[i];
    if (k < 0) return f;
    const x = { ...f.x };
    for (const v of ADJUSTABLE) x[v] = res.values[v][k];
    return { ...f, x };
  });
  return { prob: new Problem(fs1, targets, p.y), firms: fs1 };
}

/**
 * Covariate adjustment rounds; then the median kick (kickSampleMedians, repaired by refinement and
 * more adjustment rounds, kept only if more checks pass); then the out-of-sample finish, and
 * again after fixed-effect shifts for Table 2's Scores mean and SD (that run kept only if more
 * checks pass after it); then the transfer refinement (transferRefinement); then one more covariate
 * adjustment and more transfer runs (`closingRuns`); then, given an LP solver, the sub-score
 * program (subScorePhase); then the final result, with the adjusted values.
 */
function adjustAndFinish(prob: Problem, firms: SynthFirm[], adjusted: SynthFirm[], targets: Published, rng: Rng, opts: CalibrateOptions, log: (m: string) => void): CalibrationResult {
  let { prob: cur, firms: fs } = adjustRounds(prob, adjusted, targets, rng, '', opts, log);
  const kickRefine = opts.medianKickRefine ?? 1500;
  if (kickRefine > 0) {
    // Band medians held by sample firms: move the fewest, repair, keep whichever state passes more.
    const inSample = fs.map((_, i) => cur.sIdx[i] >= 0);
    const y = cur.y.map((a) => Int32Array.from(a));
    const moved = kickSampleMedians(y, inSample, targets);
    if (moved > 0) {
      const before = passingChecks(cur, fs, targets);
      let next = new Problem(fs, targets, y);
      refineCells(next, rng.fork('refine-kick'), { ...opts.refine, proposals: kickRefine, nearProposals: kickRefine, log });
      let nextFs = fs;
      ({ prob: next, firms: nextFs } = adjustRounds(next, fs, targets, rng, 'kick-', opts, log));
      const after = passingChecks(next, nextFs, targets);
      log(`calibrate: median kick (${moved} sample firms set to a band median): ${before} -> ${after} of the calibration checks${after > before ? '' : '; not kept'}`);
      if (after > before) ({ prob: cur, firms: fs } = { prob: next, firms: nextFs });
    }
  }
  const oosProposals = opts.outOfSampleProposals ?? OOS_PROPOSALS;
  if (oosProposals > 0) {
    const inSample = fs.map((_, i) => cur.sIdx[i] >= 0);
    // Table 2's Scores mean and SD: fixed-effect shifts move them without moving any reported
    // regression number (fixedEffectShift.ts). They are made before the out-of-sample finish, which
    // then repairs Table 1 around them; kept only if that finish ends with more checks passing than
    // the finish without them.
    const shiftedY = cur.y.map((a) => Int32Array.from(a));
    const shifts = (opts.fixedEffectShift ?? true) ? shiftForTable2(shiftedY, fs, targets) : [];
    const finishRng = rng.fork('finish-out-of-sample');
    const r = finishOutOfSample(cur.y, inSample, targets, finishRng, { ...opts.outOfSample, proposals: oosProposals, log });
    log(`calibrate: out-of-sample finish ${r.before} -> ${r.after} of ${r.cells} Table 1 and figure cells (${r.firmsChanged} firms changed${r.yielded ? `; ${r.yielded} gave way` : ''})`);
    // The scores changed behind the problem's incremental state: rebuild it.
    if (r.firmsChanged > 0) cur = new Problem(fs, targets, cur.y);
    if (shifts.length > 0) {
      const before = passingChecks(cur, fs, targets);
      const what = shifts
        .map((sh) => `${SUB_KEYS[sh.sub]} ${sh.delta > 0 ? '+' : ''}${sh.delta} for the ${sh.firms.length} sample firms of ${sh.factor} ${sh.level}`)
        .join(', ');
      // Forked from the finish's generator, not from rng: a fork advances its parent, and the later
      // phases' streams (hence the data, when the shifts are not kept) stay those of a run without shifts.
      const rs = finishOutOfSample(shiftedY, inSample, targets, finishRng.fork('shifted'), { ...opts.outOfSample, proposals: oosProposals, log });
      const shifted = new Problem(fs, targets, shiftedY);
      const after = passingChecks(shifted, fs, targets);
      log(`calibrate: fixed-effect shifts (${what}), out-of-sample finish ${rs.before} -> ${rs.after} of its cells; ${before} -> ${after} of the calibration checks${after > before ? '' : '; not kept'}`);
      if (after > before) cur = shifted;
    }
  }
  cur = transferRefinement(cur, fs, targets, rng, 'refine-transfers', opts.transferRuns ?? 20, opts, log);
  const closingRuns = opts.closingRuns ?? 10;
  if (closingRuns > 0) {
    // The phases since the last adjustment moved scores (the finish, the shifts, the transfers):
    // one more covariate adjustment from there, then transfer runs again. Neither can lose a check.
    const before = passingChecks(cur, fs, targets);
    const next = adjustState(cur, fs, targets, opts, log);
    if (next) {
      ({ prob: cur, firms: fs } = next);
      cur = transferRefinement(cur, fs, targets, rng, 'refine-closing', closingRuns, opts, log);
    }
    log(`calibrate: closing adjustment and transfer runs: ${before} -> ${passingChecks(cur, fs, targets)} of the calibration checks`);
  }
  // The programs draw from their own stream, seeded here, so that a checkpoint can restart them.
  const seed = rng.nextU32();
  opts.onCheckpoint?.(toCheckpoint(cur, firms, fs, seed));
  return programsAndResult(cur, firms, fs, targets, seed, opts, log);
}

/**
 * The score programs (given an LP solver) on the covariates as the pipeline derives them back
 * (`rederive`), then the final result with the adjusted covariates.
 */
function programsAndResult(prob: Problem, firms: SynthFirm[], adjusted: SynthFirm[], targets: Published, seed: number, opts: CalibrateOptions, log: (m: string) => void): CalibrationResult {
  let cur = prob;
  let fs = adjusted;
  // The adjusted firms' values, to be written. Not the re-derived ones: re-winsorizing moves the
  // clipped values of tail firms the adjustment never touched, and those must keep their raw values.
  const changed = changedCovariates(firms, adjusted, cur.sIdx);
  if (opts.rederive) {
    fs = opts.rederive(changed);
    cur = new Problem(fs, targets, cur.y);
  }
  if (opts.lpSolver && (opts.subScoreProgram ?? true)) {
    const rng = createRng(seed);
    cur = programPhase(cur, fs, targets, opts.lpSolver, rng, opts, 'sub-score program', { ...opts.subScore }, log);
    cur = programPhase(cur, fs, targets, opts.lpSolver, rng, opts, 'total program', { ...TOTAL_PROGRAM, ...opts.totalScore }, log);
  }
  const result = finalResult(cur, fs, targets, log);
  result.covariates = changed;
  return result;
}

/** The sample firms whose continuous covariates differ in `adjusted` from `firms`: their new values. */
function changedCovariates(firms: SynthFirm[], adjusted: SynthFirm[], sIdx: Int32Array | number[]): Map<string, Partial<RegressionX>> {
  const out = new Map<string, Partial<RegressionX>>();
  adjusted.forEach((f, i) => {
    if (sIdx[i] < 0) return;
    const changed: Partial<RegressionX> = {};
    let any = false;
    for (const v of ADJUSTABLE) {
      if (f.x[v] !== firms[i].x[v]) {
        changed[v] = f.x[v];
        any = true;
      }
    }
    if (any) out.set(f.firm_id, changed);
  });
  return out;
}

/** The state before the programs as a checkpoint. */
function toCheckpoint(prob: Problem, firms: SynthFirm[], adjusted: SynthFirm[], seed: number): ProgramCheckpoint {
  const changed = changedCovariates(firms, adjusted, prob.sIdx);
  return {
    format: CHECKPOINT_FORMAT,
    seed,
    firms: firms.map((f, i) => {
      const x = changed.get(f.firm_id);
      const scores = SUB_KEYS.map((_, s) => prob.y[s][i]);
      return x ? { firm_id: f.firm_id, scores, x } : { firm_id: f.firm_id, scores };
    }),
  };
}

/** Scores, adjusted covariates and seed of a checkpoint, checked against the firms it must describe. */
function fromCheckpoint(cp: ProgramCheckpoint, firms: SynthFirm[]): { y: Int32Array[]; changed: Map<string, Partial<RegressionX>>; seed: number } {
  const bad = (what: string): never => {
    throw new Error(`checkpoint: ${what}`);
  };
  if (cp?.format !== CHECKPOINT_FORMAT) bad(`format is '${String(cp?.format)}', expected '${CHECKPOINT_FORMAT}'`);
  if (!Number.isInteger(cp.seed) || cp.seed < 0 || cp.seed > 0xffffffff) bad(`seed ${String(cp.seed)} is not a 32-bit unsigned integer`);
  if (!Array.isArray(cp.firms) || cp.firms.length !== firms.length) bad(`${cp.firms?.length ?? 0} firms, the data set has ${firms.length}`);
  const y = SUB_KEYS.map(() => new Int32Array(firms.length));
  const changed = new Map<string, Partial<RegressionX>>();
  firms.forEach((f, i) => {
    const c = cp.firms[i];
    if (c?.firm_id !== f.firm_id) bad(`firm ${i + 1} is '${String(c?.firm_id)}', the data set's is '${f.firm_id}' (another seed or size?)`);
    if (!Array.isArray(c.scores) || c.scores.length !== NSUB) bad(`${f.firm_id}: scores must list ${NSUB} first-level scores`);
    c.scores.forEach((v, s) => {
      if (!Number.isInteger(v) || v < 0 || v > WEIGHTS[s]) bad(`${f.firm_id}: ${SUB_KEYS[s]} score ${String(v)} is not a whole number in [0, ${WEIGHTS[s]}]`);
      y[s][i] = v;
    });
    if (c.x === undefined) return;
    if (!f.inSample) bad(`${f.firm_id}: adjusted covariates for an out-of-sample firm`);
    for (const [v, val] of Object.entries(c.x)) {
      if (!(ADJUSTABLE as readonly string[]).includes(v)) bad(`${f.firm_id}: '${v}' is not an adjustable covariate`);
      if (typeof val !== 'number' || !Number.isFinite(val)) bad(`${f.firm_id}: ${v} is not a finite number`);
    }
    changed.set(f.firm_id, c.x);
  });
  return { y, changed, seed: cp.seed };
}

/**
 * `runs` refinement runs in which every move shifts points between two sub-scores of one firm (rng
 * forks `${label}-${run}`). A firm's total stays, so Tables 2 and 3 and the rating bands cannot
 * move; only Table 4, Table 1's category statistics and the figures can. Each run starts from the
 * best state so far and is kept only if more of the calibration checks pass: most runs gain
 * nothing, but a run that does gains cells no other phase reaches.
 */
function transferRefinement(prob: Problem, fs: SynthFirm[], targets: Published, rng: Rng, label: string, runs: number, opts: CalibrateOptions, log: (m: string) => void): Problem {
  const proposals = opts.transferProposals ?? 1500;
  if (runs <= 0 || proposals <= 0) return prob;
  let cur = prob;
  let best = passingChecks(cur, fs, targets);
  for (let run = 1; run <= runs; run++) {
    const next = new Problem(fs, targets, cur.y);
    refineCells(next, rng.fork(`${label}-${run}`), { ...opts.refine, transferShare: 1, proposals, nearProposals: Math.round(proposals / 2), log });
    const after = passingChecks(next, fs, targets);
    log(`calibrate: ${label} ${run}: ${best} -> ${after} of the calibration checks${after > best ? '' : '; not kept'}`);
    if (after > best) {
      cur = next;
      best = after;
    }
  }
  return cur;
}

/**
 * The total program: the sub-score program with moving totals (band-keeping bounds, out-of-sample
 * firms as variables), landing Table 2's Scores SD and model (5)'s R^2. Neither needs a
 * coefficient to move: lowering the sample's spread (SD) while the residuals grow slightly (R^2)
 * is a move of the totals that the regressions' coefficients, SEs and stars can all keep. Window
 * 0.9 of each tolerance: at stop 18, 0.7 (or 250 lattice variables) lost two Table 4 Basic Data
 * coefficients; from the committed checkpoint, 0.8 lost three cells. 500 lattice variables: from
 * the committed checkpoint, 400 left Table 1's Average SD outside (354 checks, 355 with 500).
 */
export const TOTAL_PROGRAM: Omit<SubScoreProgramOptions, 'log'> = { moveTotals: true, land: ['Table 2 Scores sd', 'Table 3 (5) r2'], tolShare: 0.9, latticeVars: 500 };

/**
 * A score program (subScoreProgram.ts; `what` names it in the log and forks rng as
 * `finish-${what}` with spaces as dashes) and, around its move, the out-of-sample finish again: the
 * state with the most calibration checks passing among the move alone and the move with the
 * finish, kept only if it passes more than `prob`.
 */
function programPhase(prob: Problem, fs: SynthFirm[], targets: Published, solver: LpSolver, rng: Rng, opts: CalibrateOptions, what: string, programOpts: Omit<SubScoreProgramOptions, 'log'>, log: (m: string) => void): Problem {
  const before = passingChecks(prob, fs, targets);
  const r = subScoreProgram(prob.y, fs, targets, solver, { ...programOpts, log });
  if (!r) {
    log(`calibrate: ${what}: no feasible plan; ${before} of the calibration checks, unchanged`);
    return prob;
  }
  if (r.programs === 0) {
    log(`calibrate: ${what}: nothing to plan; ${before} of the calibration checks, unchanged`);
    return prob;
  }
  let best = prob;
  let bestChecks = before;
  const planned = new Problem(fs, targets, r.y);
  const plannedChecks = passingChecks(planned, fs, targets);
  if (plannedChecks > bestChecks) {
    best = planned;
    bestChecks = plannedChecks;
  }
  let finishedChecks = plannedChecks;
  const proposals = opts.outOfSampleProposals ?? OOS_PROPOSALS;
  if (proposals > 0) {
    const y = r.y.map((a) => Int32Array.from(a));
    finishOutOfSample(y, fs.map((_, i) => prob.sIdx[i] >= 0), targets, rng.fork(`finish-${what.replace(/ /g, '-')}`), { ...opts.outOfSample, proposals, log });
    const finished = new Problem(fs, targets, y);
    finishedChecks = passingChecks(finished, fs, targets);
    if (finishedChecks > bestChecks) {
      best = finished;
      bestChecks = finishedChecks;
    }
  }
  log(`calibrate: ${what} (${r.points} points moved over ${r.firms} firms): ${before} -> ${plannedChecks} of the calibration checks, ${finishedChecks} after the out-of-sample finish${bestChecks > before ? '' : '; not kept'}`);
  return best;
}

function finalResult(prob: Problem, firms: SynthFirm[], targets: Published, log: (m: string) => void): CalibrationResult {
  prob.recompute();
  const maxDrift = prob.driftSeen;
  const pen = prob.total();
  log(`calibrate: final penalty ${pen.toFixed(3)}`);
  const scores = scoresOf(prob, firms);
  return { scores, covariates: new Map(), checks: verify(firms, targets, scores), penalty: pen, maxDrift };
}

/** The current first-level scores of every firm, by firm id. */
function scoresOf(prob: Problem, firms: SynthFirm[]): Map<string, FirstLevelScores> {
  return scoresByFirm(prob.y, firms);
}

/** First-level scores `y[s][f]` (sub-score s of firm f) as a map by firm id, the form verify() takes. */
export function scoresByFirm(y: readonly Int32Array[], firms: readonly SynthFirm[]): Map<string, FirstLevelScores> {
  const m = new Map<string, FirstLevelScores>();
  firms.forEach((f, i) => {
    const rec = {} as FirstLevelScores;
    SUB_KEYS.forEach((k, s) => {
      rec[k] = y[s][i];
    });
    m.set(f.firm_id, rec);
  });
  return m;
}

/**
 * A scorer for generate.ts (its `Scorer` type): calibrated first-level scores split into the
 * second level with Figure 2 pinned. `onResult` receives the calibration result (achieved vs
 * target table for the README).
 */
export function calibratedScorer(opts: CalibrateOptions & { onResult?: (r: CalibrationResult) => void } = {}) {
  return (firms: SynthFirm[], published: unknown, rng: Rng): { scores: Map<string, ScoreRecord>; covariates: Map<string, Partial<RegressionX>> } => {
    const pub = published as Published;
    const result = calibrateScores(firms, pub, rng.fork('calibrate'), opts);
    opts.onResult?.(result);
    const given = pub.figure2?.given ?? {};
    const honestyPct = given['Honesty Records'];
    const charityPct = given['Charity'];
    if (honestyPct === undefined || charityPct === undefined) throw new Error("published.json: figure2.given lacks 'Honesty Records' or 'Charity'");
    const second = splitAllSecondLevel(result.scores, rng.fork('second-level'), { honestyPct, charityPct });
    const out = new Map<string, ScoreRecord>();
    for (const f of firms) out.set(f.firm_id, { first: result.scores.get(f.firm_id)!, second: second.get(f.firm_id)! });
    return { scores: out, covariates: result.covariates };
  };
}

/** The check table as Markdown (group, statistic, target, achieved, tolerance, ok). */
export function checksMarkdown(checks: TargetCheck[]): string {
  const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(4));
  const lines = ['| table | statistic | published | synthetic | tolerance | ok |', '|---|---|---:|---:|---:|:-:|'];
  for (const c of checks) lines.push(`| ${c.group} | ${c.stat} | ${fmt(c.target)} | ${fmt(c.achieved)} | ${fmt(c.tolerance)} | ${c.ok ? 'yes' : 'NO'} |`);
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Independent verification

/** Summary statistics the straightforward way (sorting; sd with n-1; Stata median). */
function summary(v: number[]): { n: number; mean: number; sd: number; min: number; median: number; max: number } {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  const mean = s.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const median = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { n, mean, sd, min: s[0], median, max: s[n - 1] };
}

/** Appends acceptance checks to `checks`: one number, or a whole summary row (n, mean, sd, min, median, max). */
function checkRecorder(checks: TargetCheck[], scores: Map<string, FirstLevelScores>) {
  const push = (group: string, stat: string, target: number, achieved: number, tolerance: number) =>
    checks.push({ group, stat, target, achieved, tolerance, ok: Math.abs(achieved - target) <= tolerance + 1e-9 });
  const total = (f: SynthFirm) => SUB_KEYS.reduce((a, k) => a + scores.get(f.firm_id)![k], 0);
  const summaryChecks = (group: string, v: number[], t: PublishedSummary, meanTol: number, sdTol: number, withN: boolean) => {
    const s = summary(v);
    if (withN) push(group, 'n', t.n, s.n, 0);
    push(group, 'mean', t.mean, s.mean, meanTol);
    push(group, 'sd', t.sd, s.sd, sdTol);
    push(group, 'min', t.min, s.min, 0);
    push(group, 'median', t.median, s.median, 0);
    push(group, 'max', t.max, s.max, 0);
  };
  return { push, summaryChecks, total };
}

/** The all-firm checks of verify(): Table 1 (bands, total, categories) and Figure 1. */
function allFirmChecks(firms: SynthFirm[], pub: Published, scores: Map<string, FirstLevelScores>, checks: TargetCheck[] = []): TargetCheck[] {
  const { push, summaryChecks, total } = checkRecorder(checks, scores);
  const val = (f: SynthFirm) => scores.get(f.firm_id)!;
  const totals = firms.map(total);
  for (const r of pub.table1.ratings) {
    const [lo, hi] = ratingRange(r.rating);
    const v = totals.filter((t) => t >= lo && t <= hi);
    summaryChecks(`Table 1 ${r.rating}`, v, r, 0.005, 0.005, true);
    push(`Table 1 ${r.rating}`, 'pct', r.pct, Math.round((v.length / firms.length) * 10000) / 100, 0.005);
  }
  summaryChecks('Table 1 Total', totals, pub.table1.total_score, 0.005, 0.005, false);
  SUB_KEYS.forEach((k, s) => {
    const label = FIRST_LEVEL_LABELS[k];
    const row = pub.table1.first_level_scores.find((r) => r.indicator === label)!;
    const v = firms.map((f) => val(f)[k]);
    summaryChecks(`Table 1 ${label}`, v, row, 0.005, 0.005, false);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    push(`Figure 1 ${label}`, 'pct of max', figure1Target(pub, label), (mean / WEIGHTS[s]) * 100, 0.005);
  });
  return checks;
}

/**
 * Recompute every calibrated statistic from the final scores with straightforward code
 * (sorting, normal-equations OLS with HC1) and compare with the acceptance criteria.
 */
export function verify(firms: SynthFirm[], pub: Published, scores: Map<string, FirstLevelScores>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  allFirmChecks(firms, pub, scores, checks);
  const { push, summaryChecks, total } = checkRecorder(checks, scores);
  const val = (f: SynthFirm) => scores.get(f.firm_id)!;
  const sample = firms.filter((f) => f.inSample);
  summaryChecks('Table 2 Scores', sample.map(total), scoresRow(pub), 0.005, 0.005, true);

  const covs5 = table3Covariates(pub, '(5)');
  const d5 = sampleDesign(sample, covs5);
  const df = sample.length - d5.K;
  const crit = criticalT(df);
  const regCheck = (group: string, design: Design, covs: (keyof RegressionX)[], y: number[], model: PublishedModel, tight: boolean) => {
    const fit = olsHc1(design, y);
    const idx = reportedColumns(covs.length);
    [...covs.map((c) => COVARIATE_LABELS[c]), 'Constant'].forEach((label, j) => {
      const p = model.coefficients[label];
      const b = fit.coef[idx[j]];
      const se = fit.se[idx[j]];
      push(group, `${label} coef`, p.coef, b, tight ? 0.01 : 0.25 * p.se);
      push(group, `${label} se`, p.se, se, (tight ? 0.01 : 0.1) * p.se);
      const t = Math.abs(b / se);
      const stars = t >= crit[2] ? 3 : t >= crit[1] ? 2 : t >= crit[0] ? 1 : 0;
      push(group, `${label} stars`, p.stars, stars, 0);
    });
    push(group, 'r2', model.r2, fit.r2, tight ? 0.0005 : 0.01);
    push(group, 'n', model.n, y.length, 0);
  };
  SUB_KEYS.forEach((k) => {
    const label = FIRST_LEVEL_LABELS[k];
    const model = pub.table4.models.find((m) => m.model === label)!;
    regCheck(`Table 4 ${label}`, d5, covs5, sample.map((f) => val(f)[k]), model, true);
  });
  for (const m of ['(1)', '(2)', '(3)', '(4)', '(5)']) {
    const covs = table3Covariates(pub, m);
    const model = pub.table3.models.find((x) => x.model === m)!;
    regCheck(`Table 3 ${m}`, m === '(5)' ? d5 : sampleDesign(sample, covs), covs, sample.map(total), model, m === '(5)');
  }
  return checks;
}
