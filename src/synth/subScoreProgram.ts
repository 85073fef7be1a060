/**
 * Sub-score program: a late calibration phase for Table 4 cells that no local move reaches.
 * Some Table 4 coefficients (Firm Age, Firm Size of single categories) need a coordinated move of
 * a few hundred points over a hundred firms: every single move, and every 36-score lattice move
 * of the refinement, breaks a passing cell first. Here the move is planned globally:
 *  1. Sequential linear programming (HiGHS, `highs` on npm, WebAssembly): continuous transfers
 *     between the sub-scores of each sample firm (its total stays, so Tables 2 and 3 and the
 *     rating bands cannot move) with every Table 4 coefficient (exact, linear in y), HC1 SE and
 *     R^2 (linearised) inside a shrunk window, Table 1's category means, SDs and Figure 1 kept
 *     (or moved towards their windows), the score ranges and each category's minimum holders
 *     fixed, and the least total change. Each iteration re-linearises at the new point.
 *  2. Dive: after each iteration the most sensitive fractional scores (the firms whose one point
 *     moves a coefficient most) are fixed at their rounded values, until the program turns
 *     infeasible; the last feasible point is kept.
 *  3. Lattice rounding (lattice.ts): the scores rounded firm by firm (totals kept), then an integer
 *     correction over the least sensitive transfers with Social Responsibility (LLL-reduced
 *     lattice of the linearised cells, Babai's nearest point, descent with the ranges as walls).
 * With `moveTotals` (the total program) the same machinery moves the totals too: each firm's
 * total stays inside bounds that keep its band and every published median and extreme, Table 3's
 * cells (with their stars) and Table 2's Scores mean and SD join, Table 4 keeps its stars, the
 * out-of-sample firms become variables (they can restore Table 1's band SDs, which move with the
 * sample's totals), and the cells named in `land` come in with an elastic slack until they are
 * in place. The rounding adds moves of Social Responsibility alone, which move a total.
 * The caller judges the result with the exact checks and repairs Table 1 with the out-of-sample
 * firms. Deterministic: no random numbers; HiGHS is single-threaded.
 */
import { babai, lllReduce } from './lattice.ts';
import { normalEquations, reportedColumns, residualsOf } from './olsKernel.ts';
import { NSUB, SUB_KEYS, TAIL_LOCK, WEIGHTS, criticalT, ratingRange, sampleDesign } from './calibrateScores.ts';
import { COVARIATE_LABELS, FIRST_LEVEL_LABELS, figure1Target, scoresRow, table3Covariates, type Published, type PublishedModel, type PublishedSummary } from './targets.ts';
import type { RegressionX, SynthFirm } from './types.ts';

/** The part of the `highs` package's API used here (the loaded module). */
export interface LpSolver {
  infinity: number;
  raw: {
    lpCall(model: {
      numCols: number;
      numRows: number;
      colCost: Float64Array;
      colLower: Float64Array;
      colUpper: Float64Array;
      rowLower: Float64Array;
      rowUpper: Float64Array;
      matrix: { format: 'csr'; numRows: number; numCols: number; starts: Int32Array; indices: Int32Array; values: Float64Array };
    }): { status: number; value?: { modelStatus: number; solution: { colValue: Float64Array } } };
  };
}

/** Loads HiGHS (WebAssembly, bundled in the npm package: no download). */
export async function loadLpSolver(): Promise<LpSolver> {
  const mod = (await import('highs')) as unknown as { default: () => Promise<LpSolver> };
  return mod.default();
}

export interface SubScoreProgramOptions {
  /** Share of each cell's tolerance the linear programs aim inside (default 0.7: room for the rounding). */
  tolShare?: number;
  /** Largest change of one score per linear program (default 30 points). */
  trustRegion?: number;
  /** Linear programs at most (default 40). */
  iterations?: number;
  /** Share of the fractional scores fixed after each program, most sensitive first (default 0.3). */
  fixShare?: number;
  /** Cost of moving a score that is integral now, relative to a fractional one (default 5: fewer new fractions). */
  integralCost?: number;
  /** Transfers in the lattice rounding (default 250). */
  latticeVars?: number;
  /** Largest effect of one transfer point on any cell, in tolerances, for the lattice (default 20). */
  maxSensitivity?: number;
  /** Lattice roundings, each linearised at the previous one's integer point (default 2). */
  roundingPasses?: number;
  /** Length of one point in the lattice embedding (default 0.2). */
  eps?: number;
  /**
   * Let the sample firms' totals move too (default false: transfers only). Each total stays
   * strictly between the nearest published band limits, medians and extremes, so no firm changes
   * band and every median and extreme keeps its holder; the locked low tail does not move. Table
   * 3's coefficients, SEs, stars and R^2 and Table 2's Scores mean and SD join the program.
   */
  moveTotals?: boolean;
  /** Failing cells (by name, e.g. 'Table 2 Scores sd') that must land; other failing cells may only come nearer. */
  land?: readonly string[];
  log?: (m: string) => void;
}

export interface SubScoreProgramResult {
  /** New first-level scores of every firm (copies; out-of-sample firms unchanged unless moveTotals). */
  y: Int32Array[];
  /** Firms with a changed score (sample firms, and with moveTotals out-of-sample ones), and points moved (sum of |change| over sub-scores). */
  firms: number;
  points: number;
  /** Linear programs solved, and linearised cells outside tolerance after the rounding. */
  programs: number;
  linearMisses: number;
}

/** Cost of one tolerance of a cell to land outside its window, against 1 per point moved. */
const LAND_SLACK_COST = 1e4;

/** One linearised cell: value, target, tolerance; gradient over the sample's scores of sub-score `s` (-1: of the total, i.e. of every sub-score alike). */
interface Cell {
  name: string;
  s: number;
  value: number;
  target: number;
  tol: number;
  grad: Float64Array;
  /** A cell that must be in place (regressions, stars, cells in `land`); otherwise a Table 1 / Figure 1 cell (kept, or moved towards). */
  must: boolean;
}

/** A regression's hat rows and residual maker, for the linearised cells of one design. */
interface Linearised {
  n: number;
  K: number;
  /** H = (X'X)^-1 X' (K x n): beta = H y. */
  H: Float64Array;
  /** Reported columns (covariates, then the constant) and their published labels. */
  rep: number[];
  labels: string[];
  residualOf: (v: Float64Array) => Float64Array;
}

function linearised(firms: readonly SynthFirm[], sIdx: number[], covs: (keyof RegressionX)[]): Linearised {
  const n = sIdx.length;
  const d = sampleDesign(sIdx.map((i) => firms[i]), covs);
  const K = d.K;
  const { inv } = normalEquations(d, new Float64Array(n));
  const H = new Float64Array(K * n);
  for (let a = 0; a < K; a++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let b = 0; b < K; b++) s += inv[a * K + b] * d.X[i * K + b];
      H[a * n + i] = s;
    }
  }
  /** M v = v - X H v (residual maker). */
  const residualOf = (v: Float64Array): Float64Array => {
    const b = new Float64Array(K);
    for (let a = 0; a < K; a++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += H[a * n + i] * v[i];
      b[a] = s;
    }
    return residualsOf(d, v, b).residuals;
  };
  return { n, K, H, rep: reportedColumns(covs.length), labels: [...covs.map((c) => COVARIATE_LABELS[c]), 'Constant'], residualOf };
}

/**
 * The cells of one regression of ys on a design: each reported coefficient (exact, linear in y),
 * its HC1 SE and, with `crit`, its t statistic (linearised; the t cell keeps the star: its window
 * is the published star's band of |t|), and R^2. `tight`: Table 4 and Table 3 model (5) tolerances
 * (0.01, 1%, 0.0005), else models (1)-(4)'s (a quarter SE, 10%, 0.01).
 */
function regressionCells(out: Cell[], L: Linearised, model: PublishedModel, ys: Float64Array, s: number, group: string, tight: boolean, crit: [number, number, number] | null, must: boolean): void {
  const { n, K, H } = L;
  const e = L.residualOf(ys);
  const hc1 = n / (n - K);
  L.rep.forEach((a, j) => {
    const p = model.coefficients[L.labels[j]];
    let b = 0;
    for (let i = 0; i < n; i++) b += H[a * n + i] * ys[i];
    const gb = H.slice(a * n, (a + 1) * n);
    out.push({ name: `${group} ${L.labels[j]} coef`, s, value: b, target: p.coef, tol: tight ? 0.01 : 0.25 * p.se, grad: gb, must });
    // HC1: V = c sum h_i^2 e_i^2; dV = 2c (h^2 e)' M dy; dse = dV / (2 se).
    let v = 0;
    const he = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const h = H[a * n + i];
      v += h * h * e[i] * e[i];
      he[i] = h * h * e[i];
    }
    const se = Math.sqrt(hc1 * v);
    const g = L.residualOf(he);
    for (let i = 0; i < n; i++) g[i] *= hc1 / se;
    out.push({ name: `${group} ${L.labels[j]} se`, s, value: se, target: p.se, tol: (tight ? 0.01 : 0.1) * p.se, grad: g, must });
    if (!crit) return;
    // Stars: |t| inside the published star's band (the open top band as [crit, max(crit + 10, 2|t|)]).
    const sign = p.stars === 0 ? 1 : Math.sign(b) || 1;
    const t = (sign * b) / se;
    const edges = [0, crit[0], crit[1], crit[2], Math.max(crit[2] + 10, 2 * t)];
    const lo = p.stars === 0 ? -edges[1] : edges[p.stars];
    const hi = edges[p.stars + 1];
    const gt = Float64Array.from(gb, (x, i) => sign * (x / se - (b * g[i]) / (se * se)));
    out.push({ name: `${group} ${L.labels[j]} stars`, s, value: t, target: (lo + hi) / 2, tol: (hi - lo) / 2, grad: gt, must });
  });
  let mean = 0;
  for (let i = 0; i < n; i++) mean += ys[i] / n;
  let rss = 0;
  let tss = 0;
  for (let i = 0; i < n; i++) {
    rss += e[i] * e[i];
    tss += (ys[i] - mean) ** 2;
  }
  const gr = Float64Array.from({ length: n }, (_, i) => (-2 * e[i]) / tss + (2 * rss * (ys[i] - mean)) / (tss * tss));
  out.push({ name: `${group} r2`, s, value: 1 - rss / tss, target: model.r2, tol: tight ? 0.0005 : 0.01, grad: gr, must });
}

/** Each program firm's least and greatest change of its total (program order). */
interface TotalBounds {
  lo: Float64Array;
  hi: Float64Array;
}

/**
 * Bounds of each firm's total change: strictly between the nearest critical values (each band's
 * lower limit; each band's minimum, median and maximum; the all-firm and sample medians and
 * extremes), so that no firm changes band and every such statistic keeps its holders, and within
 * the trust region. Firms at a critical value, and the locked low tail, stay.
 */
function totalBounds(totals: readonly number[], pub: Published, trust: number): TotalBounds {
  const t2 = scoresRow(pub);
  const t1 = pub.table1;
  const crit = new Set<number>([t1.total_score.min, t1.total_score.median, t1.total_score.max, t2.min, t2.median, t2.max]);
  for (const r of t1.ratings) for (const v of [ratingRange(r.rating)[0], r.min, r.median, r.max]) crit.add(v);
  const sorted = [...crit].sort((a, b) => a - b);
  const lo = new Float64Array(totals.length);
  const hi = new Float64Array(totals.length);
  totals.forEach((t, i) => {
    if (t < TAIL_LOCK || crit.has(t)) return;
    const below = sorted.filter((c) => c < t).pop() ?? -Infinity;
    const above = sorted.find((c) => c > t) ?? Infinity;
    lo[i] = Math.min(0, Math.max(below + 1 - t, -trust));
    hi[i] = Math.max(0, Math.min(above - 1 - t, trust));
  });
  return { lo, hi };
}

/**
 * Plans an integer move of the sample firms' sub-scores (totals fixed; with `moveTotals`, of every
 * firm's scores inside its total's bounds) that lands every Table 4 cell and the cells in `land`,
 * keeping Table 1's statistics. Returns null when no linear program reaches a point with every
 * cell in place; the unchanged scores (programs = 0) when every such cell already passes.
 */
export function subScoreProgram(y: readonly Int32Array[], firms: readonly SynthFirm[], pub: Published, solver: LpSolver, opts: SubScoreProgramOptions = {}): SubScoreProgramResult | null {
  const tolShare = opts.tolShare ?? 0.7;
  const trust = opts.trustRegion ?? 30;
  const iterations = opts.iterations ?? 40;
  const fixShare = opts.fixShare ?? 0.3;
  const integralCost = opts.integralCost ?? 5;
  const moveTotals = opts.moveTotals ?? false;
  const land = new Set(opts.land ?? []);
  const log = opts.log ?? (() => {});
  const S = NSUB;
  const sIdx = firms.flatMap((f, i) => (f.inSample ? [i] : []));
  const oIdx = firms.flatMap((f, i) => (f.inSample ? [] : [i]));
  const n = sIdx.length;
  const N1 = firms.length;
  // The program's variables: the sample firms' scores, and with moving totals the out-of-sample
  // firms' too (they enter Table 1 only: its band SDs move with the sample's totals, and only
  // the out-of-sample firms can move them back). Sample firms first.
  const vIdx = moveTotals ? [...sIdx, ...oIdx] : sIdx;
  const nV = vIdx.length;
  const outside = moveTotals ? [] : oIdx;
  const L5 = linearised(firms, sIdx, table3Covariates(pub, '(5)'));
  const { H, rep } = L5;
  const crit = criticalT(n - L5.K);
  const table3 = moveTotals
    ? ['(1)', '(2)', '(3)', '(4)', '(5)'].map((m) => ({ m, L: m === '(5)' ? L5 : linearised(firms, sIdx, table3Covariates(pub, m)), model: pub.table3.models.find((x) => x.model === m)! }))
    : [];
  const models = SUB_KEYS.map((k) => pub.table4.models.find((m) => m.model === FIRST_LEVEL_LABELS[k])!);
  const rows1 = SUB_KEYS.map((k) => pub.table1.first_level_scores.find((r) => r.indicator === FIRST_LEVEL_LABELS[k])!);
  const lo = rows1.map((r) => r.min);
  const hi = rows1.map((r, s) => Math.min(r.max, WEIGHTS[s]));
  const oosSum = SUB_KEYS.map((_, s) => outside.reduce((a, f) => a + y[s][f], 0));
  const oosVals = SUB_KEYS.map((_, s) => outside.map((f) => y[s][f]));
  const totalOf = (f: number) => SUB_KEYS.reduce((a, _, s) => a + y[s][f], 0);
  const oosTotals = outside.map(totalOf);
  const totals0 = vIdx.map(totalOf);
  // Each firm's total change: zero (transfers only) or inside its band-keeping bounds.
  const tb: TotalBounds = moveTotals ? totalBounds(totals0, pub, trust) : { lo: new Float64Array(nV), hi: new Float64Array(nV) };
  // A firm's sensitivity: the largest effect of one of its points on a reported coefficient, in tolerances.
  const sens = Float64Array.from({ length: nV }, (_, i) => (i < n ? Math.max(...rep.map((a) => Math.abs(H[a * n + i]))) / 0.01 : 0));
  // Scores at a category's minimum stay (Table 1's minimum must keep its holder).
  const frozen = SUB_KEYS.map((_, s) => Uint8Array.from(vIdx, (f) => (y[s][f] <= lo[s] ? 1 : 0)));
  const t2 = scoresRow(pub);

  /** Every cell at scores Y (sample order, continuous). */
  const cellsAt = (Y: Float64Array[]): Cell[] => {
    const out: Cell[] = [];
    for (let s = 0; s < S; s++) {
      const ys = Y[s];
      const label = FIRST_LEVEL_LABELS[SUB_KEYS[s]];
      // Stars join with the totals: Table 3's looser tolerances leave room to lose one.
      regressionCells(out, L5, models[s], ys.subarray(0, n), s, `Table 4 ${label}`, true, moveTotals ? crit : null, true);
      // Table 1 (all firms; out-of-sample scores outside the program are fixed).
      let sum = oosSum[s];
      for (let i = 0; i < nV; i++) sum += ys[i];
      const allMean = sum / N1;
      let ss = 0;
      for (let i = 0; i < nV; i++) ss += (ys[i] - allMean) ** 2;
      for (const v of oosVals[s]) ss += (v - allMean) ** 2;
      const sd = Math.sqrt(ss / (N1 - 1));
      const w = WEIGHTS[s];
      out.push({ name: `Table 1 ${label} mean`, s, value: allMean, target: rows1[s].mean, tol: 0.005, grad: new Float64Array(nV).fill(1 / N1), must: false });
      out.push({ name: `Figure 1 ${label}`, s, value: allMean, target: (figure1Target(pub, label) * w) / 100, tol: (0.005 * w) / 100, grad: new Float64Array(nV).fill(1 / N1), must: false });
      out.push({ name: `Table 1 ${label} sd`, s, value: sd, target: rows1[s].sd, tol: 0.005, grad: Float64Array.from(ys, (v) => (v - allMean) / ((N1 - 1) * sd)), must: false });
    }
    if (moveTotals) {
      const TA = Float64Array.from({ length: nV }, (_, i) => Y.reduce((a, row) => a + row[i], 0));
      const T = TA.subarray(0, n);
      for (const { m, L, model } of table3) regressionCells(out, L, model, T, -1, `Table 3 ${m}`, m === '(5)', crit, false);
      // Table 2's Scores mean and SD (the median, minimum and maximum keep their holders).
      let mean = 0;
      for (let i = 0; i < n; i++) mean += T[i] / n;
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (T[i] - mean) ** 2;
      const sd = Math.sqrt(ss / (n - 1));
      out.push({ name: 'Table 2 Scores mean', s: -1, value: mean, target: t2.mean, tol: 0.005, grad: new Float64Array(n).fill(1 / n), must: false });
      out.push({ name: 'Table 2 Scores sd', s: -1, value: sd, target: t2.sd, tol: 0.005, grad: Float64Array.from(T, (v) => (v - mean) / ((n - 1) * sd)), must: false });
      // Table 1's bands and total (all firms; no firm changes band, so each band's count stays).
      const all = [...Array.from(TA), ...oosTotals];
      const rowCells = (name: string, t: PublishedSummary, inRow: (t: number) => boolean) => {
        const members = all.filter(inRow);
        const nb = members.length;
        const mb = members.reduce((a, v) => a + v, 0) / nb;
        const sdb = Math.sqrt(members.reduce((a, v) => a + (v - mb) ** 2, 0) / (nb - 1));
        out.push({ name: `${name} mean`, s: -1, value: mb, target: t.mean, tol: 0.005, grad: Float64Array.from(TA, (v) => (inRow(v) ? 1 / nb : 0)), must: false });
        out.push({ name: `${name} sd`, s: -1, value: sdb, target: t.sd, tol: 0.005, grad: Float64Array.from(TA, (v) => (inRow(v) ? (v - mb) / ((nb - 1) * sdb) : 0)), must: false });
      };
      for (const r of pub.table1.ratings) {
        const [bandLo, bandHi] = ratingRange(r.rating);
        rowCells(`Table 1 ${r.rating}`, r, (t) => t >= bandLo && t <= bandHi);
      }
      rowCells('Table 1 Total', pub.table1.total_score, () => true);
    }
    for (const c of out) {
      if (land.has(c.name)) c.must = true;
      // Cells of the sample alone see no out-of-sample variable.
      if (c.grad.length < nV) {
        const g = new Float64Array(nV);
        g.set(c.grad);
        c.grad = g;
      }
    }
    return out;
  };

  const Y0 = SUB_KEYS.map((_, s) => Float64Array.from(vIdx, (f) => y[s][f]));
  let Y: Float64Array[] = Y0.map((a) => Float64Array.from(a));
  const fixed = SUB_KEYS.map(() => new Float64Array(nV).fill(NaN));
  const startCells = cellsAt(Y0);
  const startPass = new Set(startCells.filter((c) => Math.abs(c.value - c.target) <= c.tol).map((c) => c.name));
  // Nothing to plan when every cell that must be in place already is.
  if (startCells.every((c) => !c.must || startPass.has(c.name))) return { y: y.map((a) => Int32Array.from(a)), firms: 0, points: 0, programs: 0, linearMisses: 0 };
  /**
   * One linear program around Y: the new point, or null when infeasible. `elastic` gives every
   * cell the slack that cells to land have (the program is then always feasible, x = 0 keeping
   * the bounds), and `beyond` receives the cells the cheapest such plan leaves outside their
   * windows: what made the strict program infeasible.
   */
  const solveProgram = (cells: Cell[], Y: Float64Array[], elastic = false, beyond: { name: string; tolerances: number }[] = []): Float64Array[] | null => {
    const nv = S * nV;
    const rowLo: number[] = [];
    const rowHi: number[] = [];
    const starts: number[] = [0];
    const indices: number[] = [];
    const values: number[] = [];
    // Cells to land get an elastic slack (cost LAND_SLACK_COST per tolerance): they come as near
    // as the other cells allow, so the program stays feasible while they travel.
    let slacks = 0;
    const slackOf: { name: string; col: number }[] = [];
    for (const c of cells) {
      let wLo = c.target - tolShare * c.tol;
      let wHi = c.target + tolShare * c.tol;
      // A cell passing now may stay where it is, and so may a Table 1 cell that failed from the
      // start (it may only come nearer); every other cell must move into its window.
      if (Math.abs(c.value - c.target) <= c.tol || (!c.must && !startPass.has(c.name))) {
        wLo = Math.min(wLo, c.value);
        wHi = Math.max(wHi, c.value);
      }
      // A cell of the total (s = -1) sees every sub-score's point alike.
      for (const s of c.s < 0 ? SUB_KEYS.map((_, k) => k) : [c.s]) {
        for (let i = 0; i < nV; i++) {
          const g = c.grad[i];
          if (g === 0) continue;
          indices.push(s * nV + i, nv + s * nV + i);
          values.push(g, -g);
        }
      }
      if (land.has(c.name) || elastic) {
        slackOf.push({ name: c.name, col: 2 * nv + slacks });
        indices.push(2 * nv + slacks, 2 * nv + slacks + 1);
        values.push(c.tol, -c.tol);
        slacks += 2;
      }
      starts.push(indices.length);
      rowLo.push(wLo - c.value);
      rowHi.push(wHi - c.value);
    }
    // Each firm's total stays (transfers), or stays inside its bounds (moveTotals).
    for (let i = 0; i < nV; i++) {
      let t = 0;
      for (let s = 0; s < S; s++) {
        indices.push(s * nV + i, nv + s * nV + i);
        values.push(1, -1);
        t += Y[s][i];
      }
      starts.push(indices.length);
      rowLo.push(moveTotals ? totals0[i] + tb.lo[i] - t : 0);
      rowHi.push(moveTotals ? totals0[i] + tb.hi[i] - t : 0);
    }
    const numCols = 2 * nv + slacks;
    const colLower = new Float64Array(numCols);
    const colUpper = new Float64Array(numCols);
    const cost = new Float64Array(numCols);
    for (let q = 2 * nv; q < numCols; q++) {
      colUpper[q] = solver.infinity;
      cost[q] = LAND_SLACK_COST;
    }
    for (let s = 0; s < S; s++) {
      for (let i = 0; i < nV; i++) {
        const q = s * nV + i;
        const v = Y[s][i];
        const fractional = Math.abs(v - Math.round(v)) > 1e-7;
        cost[q] = cost[nv + q] = fractional ? 1 : integralCost;
        if (frozen[s][i]) continue;
        if (!Number.isNaN(fixed[s][i])) {
          const want = fixed[s][i] - v;
          colLower[q] = colUpper[q] = Math.max(0, want);
          colLower[nv + q] = colUpper[nv + q] = Math.max(0, -want);
          continue;
        }
        colUpper[q] = Math.max(0, Math.min(hi[s] - v, trust));
        colUpper[nv + q] = Math.max(0, Math.min(v - lo[s], trust));
      }
    }
    const numRows = rowLo.length;
    const res = solver.raw.lpCall({
      numCols,
      numRows,
      colCost: cost,
      colLower,
      colUpper,
      rowLower: Float64Array.from(rowLo),
      rowUpper: Float64Array.from(rowHi),
      matrix: { format: 'csr', numRows, numCols, starts: Int32Array.from(starts), indices: Int32Array.from(indices), values: Float64Array.from(values) },
    });
    if (!(res.status >= 0 && res.value?.modelStatus === 7)) return null;
    const x = res.value!.solution.colValue;
    if (elastic) {
      for (const { name, col } of slackOf) {
        const by = x[col] - x[col + 1];
        // Row: g'dx + tol (up - down) inside the window, so up > 0 means the plan ends below it.
        if (Math.abs(by) > 1e-9) beyond.push({ name, tolerances: by });
      }
    }
    return Y.map((row, s) => Float64Array.from(row, (v, i) => v + x[s * nV + i] - x[nv + s * nV + i]));
  };

  let programs = 0;
  // The last point whose exact cells are all in place (every Table 4 cell within tolerance, no
  // Table 1 cell lost); the dive fixes scores only from such points, and a batch of fixes that
  // makes the program infeasible is undone and ends the dive.
  let good: Float64Array[] | null = null;
  let pending: { s: number; i: number }[] = [];
  let diving = true;
  for (let it = 0; it < iterations; it++) {
    const next = solveProgram(cellsAt(Y), Y);
    programs++;
    if (!next) {
      if (pending.length === 0) {
        // Why: the cheapest plan with every cell elastic names the cells in the way.
        const beyond: { name: string; tolerances: number }[] = [];
        solveProgram(cellsAt(Y), Y, true, beyond);
        const worst = beyond.sort((a, b) => Math.abs(b.tolerances) - Math.abs(a.tolerances) || (a.name < b.name ? -1 : 1)).slice(0, 5);
        const where = worst.map((b) => `${b.name} ${Math.abs(b.tolerances).toFixed(3)} ${b.tolerances > 0 ? 'below' : 'above'}`).join(', ');
        log(`sub-score program: linear program ${it + 1} infeasible${worst.length ? `; the nearest plan leaves outside their windows (in tolerances): ${where}` : ''}`);
        break;
      }
      for (const { s, i } of pending) fixed[s][i] = NaN;
      log(`sub-score program: linear program ${it + 1} infeasible after fixing ${pending.length} scores; fixes undone, dive ended`);
      pending = [];
      diving = false;
      continue;
    }
    pending = [];
    Y = next;
    const inPlace = cellsAt(Y).every((c) => Math.abs(c.value - c.target) <= c.tol || (!c.must && !startPass.has(c.name)));
    const frac: { s: number; i: number }[] = [];
    for (let s = 0; s < S; s++) for (let i = 0; i < nV; i++) if (Number.isNaN(fixed[s][i]) && Math.abs(Y[s][i] - Math.round(Y[s][i])) > 1e-7) frac.push({ s, i });
    log(`sub-score program: linear program ${it + 1}: ${inPlace ? 'every cell in place' : 'cells still out of place'}, ${frac.length} fractional scores`);
    if (inPlace) good = Y.map((row) => Float64Array.from(row));
    if (inPlace && (!diving || frac.length === 0)) break;
    if (!inPlace || frac.length === 0) continue;
    // Dive: fix the most sensitive fractional scores at their rounded values.
    frac.sort((p, q) => sens[q.i] - sens[p.i] || p.i - q.i || p.s - q.s);
    pending = frac.slice(0, Math.max(1, Math.floor(fixShare * frac.length)));
    for (const { s, i } of pending) fixed[s][i] = Math.round(Y[s][i]);
  }
  if (!good) return null;
  Y = good;
  let rounded = roundOnLattice(Y, Y0, cellsAt(Y), cellsAt, startPass, lo, hi, frozen, moveTotals ? tb : null, opts);
  // The rounding's second-order effects (SDs, SEs): one more correction, linearised at the integer point.
  for (let pass = 1; pass < (opts.roundingPasses ?? 2); pass++) {
    const Yi = rounded.Y.map((a) => Float64Array.from(a));
    const again = roundOnLattice(Yi, Y0, cellsAt(Yi), cellsAt, startPass, lo, hi, frozen, moveTotals ? tb : null, opts);
    log(`sub-score program: rounding pass ${pass + 1}: ${rounded.misses} -> ${again.misses} linearised cells outside tolerance`);
    if (again.misses > rounded.misses) break;
    rounded = again;
  }
  const out = y.map((a) => Int32Array.from(a));
  let moved = 0;
  let points = 0;
  vIdx.forEach((f, i) => {
    let any = false;
    for (let s = 0; s < S; s++) {
      const v = rounded.Y[s][i];
      if (v !== out[s][f]) any = true;
      points += Math.abs(v - out[s][f]);
      out[s][f] = v;
    }
    if (any) moved++;
  });
  log(`sub-score program: ${programs} linear programs; rounded with ${rounded.vars} lattice transfers; ${moved} firms, ${points} points changed; ${rounded.misses} linearised cells outside tolerance`);
  return { y: out, firms: moved, points, programs, linearMisses: rounded.misses };
}

/**
 * Integer scores near the continuous point Yc: per-firm rounding (totals kept; with total bounds
 * `tb`, each total rounded inside its bounds), then the integer correction over transfers with
 * Social Responsibility (with `tb`, also moves of Social Responsibility alone) that brings the
 * cells back inside tolerance, modelled from their exact values at the rounded point, their
 * gradients at Yc (`cells`) and each move's curvature (central differences with `cellsAt`).
 * `misses`: cells the model still puts outside tolerance (all of them when a range or bound is left).
 */
function roundOnLattice(Yc: Float64Array[], Y0: Float64Array[], cells: Cell[], cellsAt: (Y: Float64Array[]) => Cell[], startPass: ReadonlySet<string>, lo: number[], hi: number[], frozen: Uint8Array[], tb: TotalBounds | null, opts: SubScoreProgramOptions): { Y: Int32Array[]; vars: number; misses: number } {
  const S = NSUB;
  const SR = S - 1;
  const n = Y0[0].length;
  const eps = opts.eps ?? 0.2;
  const maxVars = opts.latticeVars ?? 250;
  const maxSens = opts.maxSensitivity ?? 20;
  const Yb = Yc.map((row) => Int32Array.from(row, (v) => Math.round(v)));
  // Each firm's total: kept, or (moving totals) the continuous total rounded, inside its bounds.
  const t0 = Float64Array.from({ length: n }, (_, i) => Y0.reduce((a, row) => a + row[i], 0));
  const want = Float64Array.from(t0, (t, i) => (tb ? Math.min(t + tb.hi[i], Math.max(t + tb.lo[i], Math.round(Yc.reduce((a, row) => a + row[i], 0)))) : t));
  for (let i = 0; i < n; i++) {
    let diff = -want[i];
    for (let s = 0; s < S; s++) diff += Yb[s][i];
    while (diff !== 0) {
      // Give back where the rounding moved farthest in that direction.
      const dir = Math.sign(diff);
      let best = -1;
      let bv = -Infinity;
      for (let s = 0; s < S; s++) {
        const room = dir > 0 ? Yb[s][i] - 1 >= lo[s] : Yb[s][i] + 1 <= hi[s];
        const e = (Yb[s][i] - Yc[s][i]) * dir;
        if (room && !frozen[s][i] && e > bv) {
          bv = e;
          best = s;
        }
      }
      Yb[best][i] -= dir;
      diff -= dir;
    }
  }
  // Cells in tolerance units: those passing at Yc or at the start (Table 1 means that failed from
  // the start are out of reach here and left out).
  const live = cells.filter((c) => Math.abs(c.value - c.target) <= c.tol || startPass.has(c.name));
  const nc = live.length;
  // Exact deviations at the rounded point (cells keep their order, so `live` indexes them).
  const liveIdx = cells.flatMap((c, k) => (Math.abs(c.value - c.target) <= c.tol || startPass.has(c.name) ? [k] : []));
  const valuesAt = (Y: Float64Array[]): Float64Array => {
    const all = cellsAt(Y);
    return Float64Array.from(liveIdx, (k) => all[k].value);
  };
  const Ybf = Yb.map((a) => Float64Array.from(a));
  const v0 = valuesAt(Ybf);
  const gb = Float64Array.from(live, (c, k) => (v0[k] - c.target) / c.tol);
  // A variable moves one point from sub-score s to Social Responsibility's (s = -1: Social
  // Responsibility alone, which moves the total).
  type Var = { i: number; s: number; col: Float64Array; sens: number };
  const cand: Var[] = [];
  const keep = (v: Var) => {
    for (const x of v.col) v.sens = Math.max(v.sens, Math.abs(x));
    if (v.sens <= maxSens) cand.push(v);
  };
  for (let i = 0; i < n; i++) {
    if (!(Yb[SR][i] > lo[SR] && Yb[SR][i] < hi[SR]) || frozen[SR][i]) continue;
    if (tb && tb.lo[i] < tb.hi[i]) keep({ i, s: -1, col: Float64Array.from(live, (c) => (c.s === SR || c.s < 0 ? c.grad[i] : 0) / c.tol), sens: 0 });
    for (let s = 0; s < SR; s++) {
      if (!(Yb[s][i] > lo[s] && Yb[s][i] < hi[s]) || frozen[s][i]) continue;
      keep({ i, s, col: Float64Array.from(live, (c) => ((c.s === s ? c.grad[i] : 0) - (c.s === SR ? c.grad[i] : 0)) / c.tol), sens: 0 });
    }
  }
  cand.sort((a, b) => a.sens - b.sens || a.i - b.i || a.s - b.s);
  const vars = cand.slice(0, maxVars);
  const m = vars.length;
  // Curvature of each cell along each transfer (SDs, SEs and R^2 are not linear: a unit move adds
  // its square), by central differences at the rounded point; the descent adds 0.5 curv d^2.
  const curv = vars.map((v) => {
    const at = (d: number): Float64Array => {
      if (v.s >= 0) Ybf[v.s][v.i] += d;
      Ybf[SR][v.i] -= v.s >= 0 ? d : -d;
      const out = valuesAt(Ybf);
      if (v.s >= 0) Ybf[v.s][v.i] -= d;
      Ybf[SR][v.i] += v.s >= 0 ? d : -d;
      return out;
    };
    const up = at(1);
    const down = at(-1);
    return Float64Array.from(live, (c, k) => (up[k] + down[k] - 2 * v0[k]) / c.tol);
  });
  const dim = m + nc;
  const basis = vars.map((v, p) => {
    const b = new Float64Array(dim);
    b[p] = eps;
    b.set(v.col, m);
    return b;
  });
  lllReduce(basis);
  const target = new Float64Array(dim);
  for (let k = 0; k < nc; k++) target[m + k] = -gb[k];
  const c = babai(basis, target);
  const dvec = new Int32Array(m);
  for (let q = 0; q < m; q++) if (c[q]) for (let p = 0; p < m; p++) dvec[p] += c[q] * Math.round(basis[q][p] / eps);
  const gOf = (dd: Int32Array): Float64Array => {
    const g = Float64Array.from(gb);
    for (let p = 0; p < m; p++) {
      const x = dd[p];
      if (x) for (let k = 0; k < nc; k++) g[k] += vars[p].col[k] * x + 0.5 * curv[p][k] * x * x;
    }
    return g;
  };
  const outOf = (dd: Int32Array): number => {
    let o = 0;
    const sr = new Map<number, number>();
    const total = new Map<number, number>();
    for (let p = 0; p < m; p++) {
      const v = vars[p];
      if (v.s < 0) {
        sr.set(v.i, (sr.get(v.i) ?? 0) + dd[p]);
        total.set(v.i, (total.get(v.i) ?? 0) + dd[p]);
        continue;
      }
      const y = Yb[v.s][v.i] + dd[p];
      o += Math.max(0, lo[v.s] - y, y - hi[v.s]);
      sr.set(v.i, (sr.get(v.i) ?? 0) - dd[p]);
    }
    for (const [i, x] of sr) {
      const y = Yb[SR][i] + x;
      o += Math.max(0, lo[SR] - y, y - hi[SR]);
    }
    for (const [i, x] of total) {
      const t = want[i] + x;
      o += Math.max(0, t0[i] + tb!.lo[i] - t, t - t0[i] - tb!.hi[i]);
    }
    return o;
  };
  const psi = (g: number): number => (Math.abs(g) <= 0.9 ? 0.02 * g * g : g * g + 20);
  const objective = (dd: Int32Array): number => {
    let f = 1000 * outOf(dd);
    for (const x of gOf(dd)) f += psi(x);
    return f;
  };
  const dirs: Int32Array[] = basis.map((b) => Int32Array.from({ length: m }, (_, p) => Math.round(b[p] / eps))).filter((x) => x.some((v) => v !== 0));
  for (let p = 0; p < m; p++) {
    const x = new Int32Array(m);
    x[p] = 1;
    dirs.push(x);
  }
  let cur = objective(dvec);
  for (let step = 0; step < 500; step++) {
    let best = cur - 1e-9;
    let bd = -1;
    let bs = 0;
    for (let q = 0; q < dirs.length; q++) {
      for (const sg of [1, -1]) {
        for (let p = 0; p < m; p++) dvec[p] += sg * dirs[q][p];
        const f = objective(dvec);
        for (let p = 0; p < m; p++) dvec[p] -= sg * dirs[q][p];
        if (f < best) {
          best = f;
          bd = q;
          bs = sg;
        }
      }
    }
    if (bd < 0) break;
    for (let p = 0; p < m; p++) dvec[p] += bs * dirs[bd][p];
    cur = best;
  }
  const Y = Yb.map((a) => Int32Array.from(a));
  vars.forEach((v, p) => {
    if (v.s < 0) {
      Y[SR][v.i] += dvec[p];
      return;
    }
    Y[v.s][v.i] += dvec[p];
    Y[SR][v.i] -= dvec[p];
  });
  const misses = outOf(dvec) > 0 ? nc : gOf(dvec).filter((g) => Math.abs(g) > 1).length;
  return { Y, vars: m, misses };
}
