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
 * The caller judges the result with the exact checks and repairs Table 1 with the out-of-sample
 * firms. Deterministic: no random numbers; HiGHS is single-threaded.
 */
import { babai, lllReduce } from './lattice.ts';
import { normalEquations, reportedColumns, residualsOf } from './olsKernel.ts';
import { NSUB, SUB_KEYS, WEIGHTS, sampleDesign } from './calibrateScores.ts';
import { COVARIATE_LABELS, FIRST_LEVEL_LABELS, figure1Target, table3Covariates, type Published } from './targets.ts';
import type { SynthFirm } from './types.ts';

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
  log?: (m: string) => void;
}

export interface SubScoreProgramResult {
  /** New first-level scores of every firm (copies; out-of-sample firms unchanged). */
  y: Int32Array[];
  /** Sample firms with a changed score, and points moved (sum of |change| over sub-scores). */
  firms: number;
  points: number;
  /** Linear programs solved, and linearised cells outside tolerance after the rounding. */
  programs: number;
  linearMisses: number;
}

/** One linearised cell: value, target, tolerance; gradient over the sample's scores of sub-score `s`. */
interface Cell {
  name: string;
  s: number;
  value: number;
  target: number;
  tol: number;
  grad: Float64Array;
  /** Table 4 cell (must land); otherwise a Table 1 / Figure 1 cell (kept, or moved towards). */
  table4: boolean;
}

/**
 * Plans an integer move of the sample firms' sub-scores (totals fixed) that lands every Table 4
 * cell, keeping Table 1's category statistics. Returns null when no linear program reaches a
 * point with every cell in place; the unchanged scores when Table 4 already passes.
 */
export function subScoreProgram(y: readonly Int32Array[], firms: readonly SynthFirm[], pub: Published, solver: LpSolver, opts: SubScoreProgramOptions = {}): SubScoreProgramResult | null {
  const tolShare = opts.tolShare ?? 0.7;
  const trust = opts.trustRegion ?? 30;
  const iterations = opts.iterations ?? 40;
  const fixShare = opts.fixShare ?? 0.3;
  const integralCost = opts.integralCost ?? 5;
  const log = opts.log ?? (() => {});
  const S = NSUB;
  const sIdx = firms.flatMap((f, i) => (f.inSample ? [i] : []));
  const oIdx = firms.flatMap((f, i) => (f.inSample ? [] : [i]));
  const n = sIdx.length;
  const N1 = firms.length;
  const covs = table3Covariates(pub, '(5)');
  const d = sampleDesign(sIdx.map((i) => firms[i]), covs);
  const K = d.K;
  const rep = reportedColumns(covs.length);
  const { inv } = normalEquations(d, new Float64Array(n));
  // H = (X'X)^-1 X' (K x n): beta = H y.
  const H = new Float64Array(K * n);
  for (let a = 0; a < K; a++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let b = 0; b < K; b++) s += inv[a * K + b] * d.X[i * K + b];
      H[a * n + i] = s;
    }
  }
  const hc1 = n / (n - K);
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
  const models = SUB_KEYS.map((k) => pub.table4.models.find((m) => m.model === FIRST_LEVEL_LABELS[k])!);
  const labels = [...covs.map((c) => COVARIATE_LABELS[c]), 'Constant'];
  const rows1 = SUB_KEYS.map((k) => pub.table1.first_level_scores.find((r) => r.indicator === FIRST_LEVEL_LABELS[k])!);
  const lo = rows1.map((r) => r.min);
  const hi = rows1.map((r, s) => Math.min(r.max, WEIGHTS[s]));
  const oosSum = SUB_KEYS.map((_, s) => oIdx.reduce((a, f) => a + y[s][f], 0));
  const oosVals = SUB_KEYS.map((_, s) => oIdx.map((f) => y[s][f]));
  // A firm's sensitivity: the largest effect of one of its points on a reported coefficient, in tolerances.
  const sens = Float64Array.from({ length: n }, (_, i) => Math.max(...rep.map((a) => Math.abs(H[a * n + i]))) / 0.01);
  // Scores at a category's minimum stay (Table 1's minimum must keep its holder).
  const frozen = SUB_KEYS.map((_, s) => Uint8Array.from(sIdx, (f) => (y[s][f] <= lo[s] ? 1 : 0)));

  /** Every cell at scores Y (sample order, continuous). */
  const cellsAt = (Y: Float64Array[]): Cell[] => {
    const out: Cell[] = [];
    for (let s = 0; s < S; s++) {
      const ys = Y[s];
      const e = residualOf(ys);
      const m = models[s];
      rep.forEach((a, j) => {
        const p = m.coefficients[labels[j]];
        let b = 0;
        for (let i = 0; i < n; i++) b += H[a * n + i] * ys[i];
        out.push({ name: `Table 4 ${FIRST_LEVEL_LABELS[SUB_KEYS[s]]} ${labels[j]} coef`, s, value: b, target: p.coef, tol: 0.01, grad: H.slice(a * n, (a + 1) * n), table4: true });
        // HC1: V = c sum h_i^2 e_i^2; dV = 2c (h^2 e)' M dy; dse = dV / (2 se).
        let v = 0;
        const he = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const h = H[a * n + i];
          v += h * h * e[i] * e[i];
          he[i] = h * h * e[i];
        }
        const se = Math.sqrt(hc1 * v);
        const g = residualOf(he);
        for (let i = 0; i < n; i++) g[i] *= hc1 / se;
        out.push({ name: `Table 4 ${FIRST_LEVEL_LABELS[SUB_KEYS[s]]} ${labels[j]} se`, s, value: se, target: p.se, tol: 0.01 * p.se, grad: g, table4: true });
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
      out.push({ name: `Table 4 ${FIRST_LEVEL_LABELS[SUB_KEYS[s]]} r2`, s, value: 1 - rss / tss, target: m.r2, tol: 0.0005, grad: gr, table4: true });
      // Table 1 (all firms; the out-of-sample scores are fixed here).
      let sum = oosSum[s];
      for (let i = 0; i < n; i++) sum += ys[i];
      const allMean = sum / N1;
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (ys[i] - allMean) ** 2;
      for (const v of oosVals[s]) ss += (v - allMean) ** 2;
      const sd = Math.sqrt(ss / (N1 - 1));
      const label = FIRST_LEVEL_LABELS[SUB_KEYS[s]];
      out.push({ name: `Table 1 ${label} mean`, s, value: allMean, target: rows1[s].mean, tol: 0.005, grad: new Float64Array(n).fill(1 / N1), table4: false });
      const w = WEIGHTS[s];
      out.push({ name: `Figure 1 ${label}`, s, value: allMean, target: (figure1Target(pub, label) * w) / 100, tol: (0.005 * w) / 100, grad: new Float64Array(n).fill(1 / N1), table4: false });
      out.push({ name: `Table 1 ${label} sd`, s, value: sd, target: rows1[s].sd, tol: 0.005, grad: Float64Array.from(ys, (v) => (v - allMean) / ((N1 - 1) * sd)), table4: false });
    }
    return out;
  };

  const Y0 = SUB_KEYS.map((_, s) => Float64Array.from(sIdx, (f) => y[s][f]));
  let Y: Float64Array[] = Y0.map((a) => Float64Array.from(a));
  const fixed = SUB_KEYS.map(() => new Float64Array(n).fill(NaN));
  const startCells = cellsAt(Y0);
  const startPass = new Set(startCells.filter((c) => Math.abs(c.value - c.target) <= c.tol).map((c) => c.name));
  // Nothing to plan when Table 4 already passes.
  if (startCells.every((c) => !c.table4 || startPass.has(c.name))) return { y: y.map((a) => Int32Array.from(a)), firms: 0, points: 0, programs: 0, linearMisses: 0 };
  /** One linear program around Y: the new point, or null when infeasible. */
  const solveProgram = (cells: Cell[], Y: Float64Array[]): Float64Array[] | null => {
    const nv = S * n;
    const rowLo: number[] = [];
    const rowHi: number[] = [];
    const starts: number[] = [0];
    const indices: number[] = [];
    const values: number[] = [];
    for (const c of cells) {
      let wLo = c.target - tolShare * c.tol;
      let wHi = c.target + tolShare * c.tol;
      // A cell passing now may stay where it is, and so may a Table 1 cell that failed from the
      // start (it may only come nearer); every other cell must move into its window.
      if (Math.abs(c.value - c.target) <= c.tol || (!c.table4 && !startPass.has(c.name))) {
        wLo = Math.min(wLo, c.value);
        wHi = Math.max(wHi, c.value);
      }
      for (let i = 0; i < n; i++) {
        const g = c.grad[i];
        if (g === 0) continue;
        indices.push(c.s * n + i, nv + c.s * n + i);
        values.push(g, -g);
      }
      starts.push(indices.length);
      rowLo.push(wLo - c.value);
      rowHi.push(wHi - c.value);
    }
    // Transfers: each firm's total stays.
    for (let i = 0; i < n; i++) {
      for (let s = 0; s < S; s++) {
        indices.push(s * n + i, nv + s * n + i);
        values.push(1, -1);
      }
      starts.push(indices.length);
      rowLo.push(0);
      rowHi.push(0);
    }
    const colLower = new Float64Array(2 * nv);
    const colUpper = new Float64Array(2 * nv);
    const cost = new Float64Array(2 * nv);
    for (let s = 0; s < S; s++) {
      for (let i = 0; i < n; i++) {
        const q = s * n + i;
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
      numCols: 2 * nv,
      numRows,
      colCost: cost,
      colLower,
      colUpper,
      rowLower: Float64Array.from(rowLo),
      rowUpper: Float64Array.from(rowHi),
      matrix: { format: 'csr', numRows, numCols: 2 * nv, starts: Int32Array.from(starts), indices: Int32Array.from(indices), values: Float64Array.from(values) },
    });
    if (!(res.status >= 0 && res.value?.modelStatus === 7)) return null;
    const x = res.value!.solution.colValue;
    return Y.map((row, s) => Float64Array.from(row, (v, i) => v + x[s * n + i] - x[nv + s * n + i]));
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
        log(`sub-score program: linear program ${it + 1} infeasible`);
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
    const inPlace = cellsAt(Y).every((c) => Math.abs(c.value - c.target) <= c.tol || (!c.table4 && !startPass.has(c.name)));
    const frac: { s: number; i: number }[] = [];
    for (let s = 0; s < S; s++) for (let i = 0; i < n; i++) if (Number.isNaN(fixed[s][i]) && Math.abs(Y[s][i] - Math.round(Y[s][i])) > 1e-7) frac.push({ s, i });
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
  let rounded = roundOnLattice(Y, Y0, cellsAt(Y), cellsAt, startPass, lo, hi, frozen, opts);
  // The rounding's second-order effects (SDs, SEs): one more correction, linearised at the integer point.
  for (let pass = 1; pass < (opts.roundingPasses ?? 2); pass++) {
    const Yi = rounded.Y.map((a) => Float64Array.from(a));
    const again = roundOnLattice(Yi, Y0, cellsAt(Yi), cellsAt, startPass, lo, hi, frozen, opts);
    log(`sub-score program: rounding pass ${pass + 1}: ${rounded.misses} -> ${again.misses} linearised cells outside tolerance`);
    if (again.misses > rounded.misses) break;
    rounded = again;
  }
  const out = y.map((a) => Int32Array.from(a));
  let moved = 0;
  let points = 0;
  sIdx.forEach((f, i) => {
    let any = false;
    for (let s = 0; s < S; s++) {
      const v = rounded.Y[s][i];
      if (v !== out[s][f]) any = true;
      points += Math.abs(v - out[s][f]);
      out[s][f] = v;
    }
    if (any) moved++;
  });
  log(`sub-score program: ${programs} linear programs; rounded with ${rounded.vars} lattice transfers; ${moved} sample firms, ${points} points changed; ${rounded.misses} linearised cells outside tolerance`);
  return { y: out, firms: moved, points, programs, linearMisses: rounded.misses };
}

/**
 * Integer scores near the continuous point Yc: per-firm rounding (totals kept), then the integer
 * correction over transfers with Social Responsibility that brings the cells back inside
 * tolerance, modelled from their exact values at the rounded point, their gradients at Yc
 * (`cells`) and each transfer's curvature (central differences with `cellsAt`). `misses`: cells
 * the model still puts outside tolerance (all of them when a range is left).
 */
function roundOnLattice(Yc: Float64Array[], Y0: Float64Array[], cells: Cell[], cellsAt: (Y: Float64Array[]) => Cell[], startPass: ReadonlySet<string>, lo: number[], hi: number[], frozen: Uint8Array[], opts: SubScoreProgramOptions): { Y: Int32Array[]; vars: number; misses: number } {
  const S = NSUB;
  const SR = S - 1;
  const n = Y0[0].length;
  const eps = opts.eps ?? 0.2;
  const maxVars = opts.latticeVars ?? 250;
  const maxSens = opts.maxSensitivity ?? 20;
  const Yb = Yc.map((row) => Int32Array.from(row, (v) => Math.round(v)));
  for (let i = 0; i < n; i++) {
    let diff = 0;
    for (let s = 0; s < S; s++) diff += Yb[s][i] - Y0[s][i];
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
  type Var = { i: number; s: number; col: Float64Array; sens: number };
  const cand: Var[] = [];
  for (let i = 0; i < n; i++) {
    if (!(Yb[SR][i] > lo[SR] && Yb[SR][i] < hi[SR]) || frozen[SR][i]) continue;
    for (let s = 0; s < SR; s++) {
      if (!(Yb[s][i] > lo[s] && Yb[s][i] < hi[s]) || frozen[s][i]) continue;
      const col = Float64Array.from(live, (c) => ((c.s === s ? c.grad[i] : 0) - (c.s === SR ? c.grad[i] : 0)) / c.tol);
      let sens = 0;
      for (const x of col) sens = Math.max(sens, Math.abs(x));
      if (sens <= maxSens) cand.push({ i, s, col, sens });
    }
  }
  cand.sort((a, b) => a.sens - b.sens || a.i - b.i || a.s - b.s);
  const vars = cand.slice(0, maxVars);
  const m = vars.length;
  // Curvature of each cell along each transfer (SDs, SEs and R^2 are not linear: a unit move adds
  // its square), by central differences at the rounded point; the descent adds 0.5 curv d^2.
  const curv = vars.map((v) => {
    const at = (d: number): Float64Array => {
      Ybf[v.s][v.i] += d;
      Ybf[SR][v.i] -= d;
      const out = valuesAt(Ybf);
      Ybf[v.s][v.i] -= d;
      Ybf[SR][v.i] += d;
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
    for (let p = 0; p < m; p++) {
      const v = vars[p];
      const y = Yb[v.s][v.i] + dd[p];
      o += Math.max(0, lo[v.s] - y, y - hi[v.s]);
      sr.set(v.i, (sr.get(v.i) ?? 0) - dd[p]);
    }
    for (const [i, x] of sr) {
      const y = Yb[SR][i] + x;
      o += Math.max(0, lo[SR] - y, y - hi[SR]);
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
    Y[v.s][v.i] += dvec[p];
    Y[SR][v.i] -= dvec[p];
  });
  const misses = outOf(dvec) > 0 ? nc : gOf(dvec).filter((g) => Math.abs(g) > 1).length;
  return { Y, vars: m, misses };
}
