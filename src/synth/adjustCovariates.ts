/**
 * Covariate adjustment: the calibration's late phases alternate it with the lattice refinement.
 * The scores are integers, so a score move shifts a regression coefficient by whole tolerances;
 * the continuous covariates (Leverage, ROA, Firm Size, Book-to-Market) can move by any amount,
 * and OLS coefficients, HC1 SEs and R^2 are smooth in them. Regularised Gauss-Newton steps over
 * the sample firms' values of these four covariates pull the Table 3 and 4 cells towards their
 * published values while Table 2 stays exact:
 *  - min, median and max cannot move: the firms at the winsorizing bounds and the two middle
 *    firms keep their values, every other value stays strictly between the bounds and on its
 *    side of the median, behind walls of its own (`valueIntervals`: values pushed against a
 *    wall stay distinct), and an active set handles values that reach their walls;
 *  - means and SDs are rows of the same least-squares problem, with a tighter tolerance; a
 *    moment that starts outside that window (a start not made by this generator's reshaping) may
 *    only come closer, so steps are still possible, and the log names it.
 * Each step is the minimum-norm change (ridge-regularised) that moves the failing cells within
 * reach towards their targets by up to CAP tolerances and the passing ones halfway to their
 * centres, cut back along a line until a from-scratch refit accepts it: stars never break, the
 * Table 2 moments stay, no fewer cells pass, and the sum of squared deviations falls. When the
 * full step fails, one failing cell at a time is tried. Derivatives are analytic
 * (`valueDerivatives`, checked against finite differences in the tests).
 * Firm Age (an integer) cannot be moved this way, and its coefficient reacts little to the others.
 */
import { buildDesign, invertSPD, normalEquations, reportedColumns, residualsOf } from './olsKernel.ts';
import type { RegTarget } from './calibrateScores.ts';
import { matMul } from '../stats/linalg.ts';
import type { RegressionX, SynthFirm } from './types.ts';

/** The covariates the adjustment moves: continuous, and written as ratios of whole-yuan amounts. */
export const ADJUSTABLE: readonly (keyof RegressionX)[] = ['leverage', 'roa', 'firm_size', 'book_to_market'];

/** One regression to match: its covariates (model order), dependent variable and targets. */
export interface AdjustRegression {
  name: string;
  covs: readonly (keyof RegressionX)[];
  /** Dependent variable over the sample firms (sample order). */
  y: Float64Array;
  /** Reported terms: the covariates in order, then the constant. */
  targets: RegTarget[];
  r2: number;
  r2Tol: number;
}

/** Table 2 row of an adjustable covariate (published mean and SD; printed at 2 decimals). */
export interface MomentTarget {
  mean: number;
  sd: number;
}

export interface AdjustOptions {
  /** Covariates to move: ADJUSTABLE (the default) or a subset of it. */
  vars?: readonly (keyof RegressionX)[];
  /** Gauss-Newton iterations (default 60). */
  iterations?: number;
  /**
   * Reach schedule: failing cells farther off than the current reach (in tolerances) get no wanted
   * change; when a step fails the next reach applies (default [3, 6, 12, Infinity]).
   */
  reaches?: number[];
  /** Ridge of the step, relative to the mean diagonal of J J' (default 1e-4). */
  ridge?: number;
  /** Step scale of each covariate as a share of its SD (default 0.05). */
  stepShare?: number;
  /** Tolerance of the Table 2 mean and SD cells inside the adjustment (default 0.002, printed rounding allows 0.005). */
  momentTol?: number;
  /**
   * How far each value's walls stand back from the winsorizing bounds and the median, as a share of
   * the covariate's SD times the value's own offset in [0.05, 1) (`wallOffset`; default 0.005). 0 puts
   * every wall at the bound or median itself (values pushed there then coincide).
   */
  wallStagger?: number;
  log?: (m: string) => void;
}

export interface AdjustResult {
  /** New values per adjustable covariate (sample order). */
  values: Record<string, Float64Array>;
  before: number;
  after: number;
  accepted: number;
  /** Largest and mean absolute change per covariate. */
  change: Record<string, { max: number; mean: number }>;
}

/**
 * The wall offset of value `i` of adjusted covariate `v`, in [0.05, 1): a golden-ratio sequence, so
 * the offsets of any set of firms are spread evenly and never coincide. A function of the indices
 * alone, so that every round of the adjustment puts a value's walls at the same place.
 */
export function wallOffset(v: number, i: number): number {
  const u = ((i + 1) * 0.6180339887498949 + v * 0.3819660112501051) % 1;
  return 0.05 + 0.95 * u;
}

/**
 * Where each value of one adjusted covariate may move (`vals`: sample order; `v`: the covariate's
 * index, for `wallOffset`): null for the firms that hold Table 2's min, max and median (at a
 * winsorizing bound or in the middle pair), else an interval strictly between the bounds and on the
 * value's side of the median. Each value's walls stand back from the bound and the median by its
 * own distance (`stagger` x SD x wallOffset), so that values the steps push against a wall stay
 * distinct: a common wall once left 76 firms with one of two ROA values to 10 digits. A value already nearer
 * than its distance may keep that nearness but not come nearer.
 */
export function valueIntervals(vals: Float64Array, v: number, stagger: number): { sd: number; intervals: ([number, number] | null)[] } {
  const n = vals.length;
  const sorted = Float64Array.from(vals).sort();
  const lo = sorted[0];
  const hi = sorted[n - 1];
  const midLo = sorted[n / 2 - 1];
  const midHi = sorted[n / 2];
  let m = 0;
  for (let i = 0; i < n; i++) m += vals[i] / n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (vals[i] - m) ** 2;
  const sd = Math.sqrt(s / (n - 1));
  const margin = 1e-6 * sd;
  const intervals = Array.from(vals, (val, i): [number, number] | null => {
    if (val <= lo || val >= hi || val === midLo || val === midHi) return null;
    const back = margin + stagger * sd * wallOffset(v, i);
    const [a, b] = val < midLo ? [Math.min(lo + back, val), Math.max(midLo - back, val)] : [Math.min(midHi + back, val), Math.max(hi - back, val)];
    return a < b ? [a, b] : null;
  });
  return { sd, intervals };
}

/** State of one fitted regression (from scratch). */
interface Fit {
  K: number;
  D: Float64Array;
  A: Float64Array;
  beta: Float64Array;
  e: Float64Array;
  /** D A (n x K). */
  G: Float64Array;
  /** A B A with B = D' diag(e^2) D (K x K); HC1 V = c P. */
  P: Float64Array;
  c: number;
  tss: number;
  ee: number;
  /** Design column of each reported term. */
  cols: number[];
}

function fit(reg: AdjustRegression, x: Record<string, Float64Array>, industry: string[], city: string[]): Fit {
  const n = industry.length;
  // Stata `regress y x i.industry i.city`: intercept, covariates, dummies (first sorted level the base).
  const design = buildDesign(
    reg.covs.map((c) => ({ name: c, values: x[c] })),
    [
      { name: 'industry', values: industry },
      { name: 'city', values: city },
    ],
    n,
  );
  const { K, X: D } = design;
  const y = reg.y;
  const { inv: A, coef: beta } = normalEquations(design, y);
  const { residuals: e, rss: ee, tss } = residualsOf(design, y, beta);
  const G = matMul(D, A, n, K, K);
  // P = A B A = sum_i e_i^2 (A d_i)(A d_i)' = sum_i e_i^2 g_i g_i'.
  const P = new Float64Array(K * K);
  for (let i = 0; i < n; i++) {
    const w = e[i] * e[i];
    const row = i * K;
    for (let a = 0; a < K; a++) {
      const ga = w * G[row + a];
      for (let b = 0; b < K; b++) P[a * K + b] += ga * G[row + b];
    }
  }
  const cols = reportedColumns(reg.covs.length);
  return { K, D, A, beta, e, G, P, c: n / (n - K), tss, ee, cols };
}

/** A smooth cell: deviation from its target in tolerance units. */
interface CellRef {
  kind: 'coef' | 'se' | 'r2' | 'mean' | 'sd';
  reg: number;
  k: number;
  v: number;
  target: number;
  tol: number;
}

/** Per-fit helpers of the SE derivatives: D P, and per reported term k: G'w_k and z_k = A D' w_k. */
interface JacobianParts {
  DP: Float64Array;
  Gw: Float64Array[];
  z: Float64Array[];
}

function jacobianParts(f: Fit, n: number): JacobianParts {
  const { K, D, G, P, A, e, cols } = f;
  const DP = matMul(D, P, n, K, K);
  const Gw: Float64Array[] = [];
  const z: Float64Array[] = [];
  for (const k of cols) {
    const w = new Float64Array(n);
    for (let l = 0; l < n; l++) w[l] = e[l] * G[l * K + k] * G[l * K + k];
    const gw = new Float64Array(K);
    const dw = new Float64Array(K);
    for (let l = 0; l < n; l++) {
      if (w[l] === 0) continue;
      for (let a = 0; a < K; a++) {
        gw[a] += G[l * K + a] * w[l];
        dw[a] += D[l * K + a] * w[l];
      }
    }
    Gw.push(gw);
    z.push(matMul(A, dw, K, K, 1));
  }
  return { DP, Gw, z };
}

/**
 * Derivatives of a fitted regression's reported coefficients, HC1 SEs and R^2 with respect to the
 * value of covariate `name` (design column cj) at sample firm i (null when the regression does not
 * use it). With A = (D'D)^-1, G = D A, e the residuals and P = A D' diag(e^2) D A (HC1 variance
 * c P_kk), perturbing D by u_i u_cj' gives
 *   d beta_k = e_i A_k,cj - beta_cj G_ik
 *   d P_kk   = -2 (A_k,cj (D P)_ik + G_ik P_cj,k) + 2 e_i^2 A_cj,k G_ik
 *              + 2 (-e_i beta_cj G_ik^2 - e_i (G'w_k)_cj + beta_cj d_i' z_k),
 *              with w_k = (e_l G_lk^2)_l and z_k = A D' w_k
 *   d R^2    = 2 e_i beta_cj / TSS.
 */
function valueDerivatives(f: Fit, p: JacobianParts, covs: readonly (keyof RegressionX)[], name: keyof RegressionX, i: number): { coef: Float64Array; se: Float64Array; r2: number } | null {
  const j = covs.indexOf(name);
  if (j < 0) return null;
  const { K, A, G, P, e, beta, cols, D } = f;
  const cj = j + 1;
  const ei = e[i];
  const bcj = beta[cj];
  const di = i * K;
  const coef = new Float64Array(cols.length);
  const se = new Float64Array(cols.length);
  cols.forEach((k, r) => {
    const Gik = G[di + k];
    coef[r] = ei * A[k * K + cj] - bcj * Gik;
    let dz = 0;
    for (let m = 0; m < K; m++) dz += D[di + m] * p.z[r][m];
    const dP = -2 * (A[k * K + cj] * p.DP[di + k] + Gik * P[cj * K + k]) + 2 * ei * ei * A[cj * K + k] * Gik + 2 * (-ei * bcj * Gik * Gik - ei * p.Gw[r][cj] + bcj * dz);
    se[r] = (f.c * dP) / (2 * Math.sqrt(f.c * P[k * K + k]));
  });
  return { coef, se, r2: (2 * ei * bcj) / f.tss };
}

/**
 * Reported coefficients, HC1 SEs and R^2 of one regression at covariate values x, and their
 * derivatives with respect to x[name][i] (for tests: compare with finite differences).
 */
export function regressionAndDerivatives(
  reg: AdjustRegression,
  x: Record<string, Float64Array>,
  industry: string[],
  city: string[],
  name: keyof RegressionX,
  i: number,
): { coef: number[]; se: number[]; r2: number; d: { coef: Float64Array; se: Float64Array; r2: number } | null } {
  const f = fit(reg, x, industry, city);
  const d = valueDerivatives(f, jacobianParts(f, industry.length), reg.covs, name, i);
  return {
    coef: f.cols.map((k) => f.beta[k]),
    se: f.cols.map((k) => Math.sqrt(f.c * f.P[k * f.K + k])),
    r2: 1 - f.ee / f.tss,
    d,
  };
}

/** Largest change a failing cell asks for in one step, in tolerances. */
const CAP = 4;
/**
 * A cell passes here at this share of its tolerance: the written data derive the covariates from
 * whole-yuan amounts (relative error about 1e-9), which must not tip a cell.
 */
const PASS = 1 - 1e-4;

function cellValue(c: CellRef, fits: Fit[], x: Record<string, Float64Array>, vars: readonly (keyof RegressionX)[]): number {
  if (c.kind === 'mean' || c.kind === 'sd') {
    const v = x[vars[c.v]];
    const n = v.length;
    let m = 0;
    for (let i = 0; i < n; i++) m += v[i] / n;
    if (c.kind === 'mean') return m;
    let s = 0;
    for (let i = 0; i < n; i++) s += (v[i] - m) ** 2;
    return Math.sqrt(s / (n - 1));
  }
  const f = fits[c.reg];
  const col = f.cols[c.k];
  if (c.kind === 'coef') return f.beta[col];
  if (c.kind === 'se') return Math.sqrt(f.c * f.P[col * f.K + col]);
  return 1 - f.ee / f.tss;
}

/**
 * Adjust the continuous covariates of the sample firms (module comment). Deterministic.
 * `sample`: the regression sample (covariate values in `x`, as winsorized); `regs`: the models to
 * match; `moments`: the published Table 2 mean and SD of each adjusted covariate.
 */
export function adjustCovariates(
  sample: SynthFirm[],
  regs: AdjustRegression[],
  moments: Record<string, MomentTarget>,
  opts: AdjustOptions = {},
): AdjustResult {
  const n = sample.length;
  const vars = opts.vars ?? ADJUSTABLE;
  const iterations = opts.iterations ?? 60;
  const stepShare = opts.stepShare ?? 0.05;
  const momentTol = opts.momentTol ?? 0.002;
  const stagger = opts.wallStagger ?? 0.005;
  const log = opts.log ?? (() => {});
  const industry = sample.map((f) => f.industry);
  const city = sample.map((f) => f.city);
  const allCovs = new Set<keyof RegressionX>(regs.flatMap((r) => [...r.covs]));
  const x: Record<string, Float64Array> = {};
  for (const c of allCovs) x[c] = Float64Array.from(sample, (f) => f.x[c]);
  const orig: Record<string, Float64Array> = {};
  for (const v of vars) orig[v] = Float64Array.from(x[v]);

  // Free values and their intervals: strictly inside the winsorizing bounds and on their side of
  // the median; the firms at a bound and the two middle firms stay.
  interface Free {
    v: number;
    i: number;
    lo: number;
    hi: number;
    scale: number;
  }
  const free: Free[] = [];
  vars.forEach((name, v) => {
    const { sd, intervals } = valueIntervals(x[name], v, stagger);
    intervals.forEach((w, i) => {
      if (w) free.push({ v, i, lo: w[0], hi: w[1], scale: stepShare * sd });
    });
  });

  const cells: CellRef[] = [];
  regs.forEach((r, q) => {
    r.targets.forEach((t, k) => {
      cells.push({ kind: 'coef', reg: q, k, v: -1, target: t.coef, tol: t.coefTol });
      cells.push({ kind: 'se', reg: q, k, v: -1, target: t.se, tol: t.seTol });
    });
    cells.push({ kind: 'r2', reg: q, k: -1, v: -1, target: r.r2, tol: r.r2Tol });
  });
  vars.forEach((name, v) => {
    cells.push({ kind: 'mean', reg: -1, k: -1, v, target: moments[name].mean, tol: momentTol });
    cells.push({ kind: 'sd', reg: -1, k: -1, v, target: moments[name].sd, tol: momentTol });
  });
  const nc = cells.length;

  const evaluate = (xs: Record<string, Float64Array>) => {
    const fits = regs.map((r) => fit(r, xs, industry, city));
    const g = new Float64Array(nc);
    cells.forEach((c, k) => (g[k] = (cellValue(c, fits, xs, vars) - c.target) / c.tol));
    let starsOk = true;
    regs.forEach((r, q) => {
      r.targets.forEach((t, k) => {
        const f = fits[q];
        const col = f.cols[k];
        const at = Math.abs(f.beta[col] / Math.sqrt(f.c * f.P[col * f.K + col]));
        if (!(at >= t.tLo && at < t.tHi)) starsOk = false;
      });
    });
    let passing = 0;
    let obj = 0;
    for (let k = 0; k < nc; k++) {
      const a = Math.abs(g[k]);
      // Moment cells are constraints here (their own tolerance is looser): they never count.
      if (a <= PASS && cells[k].reg >= 0) passing++;
      obj += a * a;
    }
    return { fits, g, starsOk, passing, obj };
  };

  let cur = evaluate(x);
  const before = cur.passing;
  log(`adjust covariates: ${before} regression cells pass, objective ${cur.obj.toFixed(1)}, ${free.length} free values`);
  // A start whose Table 2 moments already lie outside the window (e.g. covariates planned
  // elsewhere) would otherwise accept no step at all: such a moment may only come closer.
  const outside = cells.flatMap((c, k) => (c.reg < 0 && Math.abs(cur.g[k]) > PASS ? [`${vars[c.v]} ${c.kind} ${(cur.g[k] * c.tol).toPrecision(3)}`] : []));
  if (outside.length > 0) log(`adjust covariates: start outside the Table 2 window (±${momentTol}): ${outside.join('; ')}; steps may only bring these closer`);
  const lambda = opts.ridge ?? 1e-4;
  const reaches = opts.reaches ?? [3, 6, 12, Infinity];
  let reach = reaches[0];
  let accepted = 0;
  const nf = free.length;
  for (let it = 0; it < iterations; it++) {
    // Jacobian J (nc x nf), scaled by each free value's step scale.
    const J = new Float64Array(nc * nf);
    const parts = cur.fits.map((f) => jacobianParts(f, n));
    regs.forEach((r, q) => {
      const f = cur.fits[q];
      free.forEach((fr, a) => {
        const d = valueDerivatives(f, parts[q], r.covs, vars[fr.v], fr.i);
        if (!d) return;
        cells.forEach((c, ci) => {
          if (c.reg !== q) return;
          const v = c.kind === 'r2' ? d.r2 : c.kind === 'coef' ? d.coef[c.k] : d.se[c.k];
          J[ci * nf + a] = (v / c.tol) * fr.scale;
        });
      });
    });
    cells.forEach((c, ci) => {
      if (c.reg >= 0) return;
      const vals = x[vars[c.v]];
      let m = 0;
      for (let i = 0; i < n; i++) m += vals[i] / n;
      let s = 0;
      for (let i = 0; i < n; i++) s += (vals[i] - m) ** 2;
      const sd = Math.sqrt(s / (n - 1));
      free.forEach((fr, a) => {
        if (fr.v !== c.v) return;
        const d = c.kind === 'mean' ? 1 / n : (vals[fr.i] - m) / ((n - 1) * sd);
        J[ci * nf + a] = (d / c.tol) * fr.scale;
      });
    });
    // Wanted change per cell: a failing cell moves towards its target by at most CAP tolerances,
    // a passing cell (and each Table 2 moment) halfway to its centre. The step is the
    // minimum-norm one that makes these changes in the linearised model (ridge-regularised: the
    // Table 4 coefficients of the five sub-scores add up to the Table 3 (5) ones, so rows are
    // dependent), cut back along a line until the exact refit accepts it.
    const want = Float64Array.from(cur.g, (v) => (Math.abs(v) <= PASS ? -0.5 * v : -Math.sign(v) * Math.min(Math.abs(v), CAP)));
    // Bounds by an active set: a value the step would push out of its interval is set to the
    // bound, leaves the free set, and the rest is solved again for what remains wanted. Rows not
    // in `rows` get no wanted change (free to drift).
    const solveStep = (rows: number[]): Float64Array => {
      const m = rows.length;
      const dz = new Float64Array(nf);
      const fixed = new Uint8Array(nf);
      const rest = Float64Array.from(rows, (a) => want[a]);
      for (let round = 0; round < 6; round++) {
        const JJ = new Float64Array(m * m);
        let trace = 0;
        for (let a = 0; a < m; a++) {
          const ra = rows[a] * nf;
          for (let b = a; b < m; b++) {
            const rb = rows[b] * nf;
            let s = 0;
            for (let p = 0; p < nf; p++) if (!fixed[p]) s += J[ra + p] * J[rb + p];
            JJ[a * m + b] = s;
            JJ[b * m + a] = s;
          }
          trace += JJ[a * m + a];
        }
        for (let a = 0; a < m; a++) JJ[a * m + a] += lambda * (trace / m);
        const inv = invertSPD(JJ, m);
        const step = new Float64Array(nf);
        for (let a = 0; a < m; a++) {
          let u = 0;
          for (let b = 0; b < m; b++) u += inv[a * m + b] * rest[b];
          if (u === 0) continue;
          const ra = rows[a] * nf;
          for (let p = 0; p < nf; p++) if (!fixed[p]) step[p] += J[ra + p] * u;
        }
        let clamped = 0;
        free.forEach((fr, p) => {
          if (fixed[p]) return;
          const name = vars[fr.v];
          const v = x[name][fr.i] + step[p] * fr.scale;
          if (v >= fr.lo && v <= fr.hi) return;
          dz[p] = ((v < fr.lo ? fr.lo : fr.hi) - x[name][fr.i]) / fr.scale;
          fixed[p] = 1;
          clamped++;
          rows.forEach((r, a) => (rest[a] -= J[r * nf + p] * dz[p]));
        });
        if (clamped === 0 || round === 5) {
          for (let p = 0; p < nf; p++) if (!fixed[p]) dz[p] = step[p];
          break;
        }
      }
      return dz;
    };
    /** Line search along a step: the first fraction the exact refit accepts. */
    const tryStep = (full: Float64Array, fracs: number[]): boolean => {
      for (const frac of fracs) {
        const xs: Record<string, Float64Array> = { ...x };
        for (const name of vars) xs[name] = Float64Array.from(x[name]);
        free.forEach((fr, p) => {
          const name = vars[fr.v];
          xs[name][fr.i] = Math.min(fr.hi, Math.max(fr.lo, x[name][fr.i] + full[p] * frac * fr.scale));
        });
        const next = evaluate(xs);
        const momentsOk = cells.every((c, k) => c.reg >= 0 || Math.abs(next.g[k]) <= Math.max(PASS, Math.abs(cur.g[k])));
        if (next.starsOk && momentsOk && (next.passing > cur.passing || (next.passing === cur.passing && next.obj < cur.obj - 1e-9))) {
          for (const name of vars) x[name] = xs[name];
          cur = next;
          accepted++;
          return true;
        }
      }
      return false;
    };
    const passingRows: number[] = [];
    const reachable: number[] = [];
    for (let a = 0; a < nc; a++) {
      const v = Math.abs(cur.g[a]);
      if (v <= PASS) passingRows.push(a);
      else if (v <= reach) reachable.push(a);
    }
    let improved = tryStep(solveStep([...passingRows, ...reachable]), [1, 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125]);
    // Stalled: one failing cell at a time (nearest first), the passing ones held.
    if (!improved) {
      reachable.sort((p, q) => Math.abs(cur.g[p]) - Math.abs(cur.g[q]) || p - q);
      for (const a of reachable) {
        if (tryStep(solveStep([...passingRows, a]), [1, 0.5, 0.25])) {
          improved = true;
          break;
        }
      }
    }
    log(`adjust covariates: iteration ${it + 1}, reach ${reach}, ${cur.passing} pass, objective ${cur.obj.toFixed(2)}`);
    if (!improved) {
      // Stalled: widen the reach (more failing cells get a wanted change), then stop.
      const k = reaches.indexOf(reach);
      if (k < 0 || k === reaches.length - 1) break;
      reach = reaches[k + 1];
    }
  }
  const change: AdjustResult['change'] = {};
  const values: Record<string, Float64Array> = {};
  for (const name of vars) {
    values[name] = x[name];
    let mx = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const d = Math.abs(x[name][i] - orig[name][i]);
      mx = Math.max(mx, d);
      sum += d;
    }
    change[name] = { max: mx, mean: sum / n };
  }
  log(`adjust covariates: ${cur.passing} regression cells pass (was ${before}), ${accepted} steps; change ${JSON.stringify(change)}`);
  log(`adjust covariates: failing: ${cells.flatMap((c, k) => (c.reg >= 0 && Math.abs(cur.g[k]) > PASS ? [`${regs[c.reg].name} ${c.kind === 'r2' ? 'R2' : regs[c.reg].targets[c.k].label + ' ' + c.kind} ${cur.g[k].toFixed(2)}`] : [])).join('; ')}`);
  return { values, before, after: cur.passing, accepted, change };
}
