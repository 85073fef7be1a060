/**
 * From a numeric design to a FitResult: sample (singletons), FE handling (absorb or dummies),
 * estimation (qr.ts), variance (vcov.ts), inference (inference.ts, wald.ts) and fit statistics.
 * Conventions follow R lm/sandwich and Stata regress/areg (see the tests for the references).
 */
import { InputError } from '../errors.ts';
import type { FitOptions, FitResult, ModelSpec, VcovInfo } from './types.ts';
import { leastSquares, leverages, centringMap, DEFAULT_RANK_TOL } from './qr.ts';
import { demeanColumns, feLeverage, feRank, isNested, makeAbsorber, nonSingletonRows, type Absorber, type Factor } from './absorb.ts';
import { countLeverageOne, vcovCluster, vcovDf, vcovHC, vcovIid, type ClusterCodes } from './vcov.ts';
import { sandwich } from './linalg.ts';
import { indicatorColumn } from './design.ts';
import { confInt, tPValue } from './inference.ts';
import { selectionMatrix, waldTest } from './wald.ts';

/** The numeric design fitDesign consumes (structurally the Design of design.ts). */
export interface DesignInput {
  y: Float64Array;
  X: Float64Array[];
  names: string[];
  fe: Factor[];
  clusters: Factor[];
  rowsUsed: Int32Array;
  missingDropped: number;
  model: ModelSpec;
}

const INTERCEPT = '(Intercept)';

/** Fit OLS on a design. See FitOptions for the choices (vcov, clusters, FE method, tolerances). */
export function fitDesign(design: DesignInput, opts: FitOptions = {}): FitResult {
  checkDesign(design);
  const feMethod = opts.feMethod ?? 'absorb';
  const level = opts.level ?? 0.95;
  // ---- sample: drop FE singletons (reghdfe) -------------------------------------------------
  let d = design;
  let singletonsDropped = 0;
  if (opts.dropSingletons && d.fe.length > 0) {
    const keep = nonSingletonRows(d.fe, d.y.length);
    singletonsDropped = d.y.length - keep.length;
    if (singletonsDropped > 0) d = subsetDesign(d, keep);
  }
  // Factors may carry levels absent from the sample (rows dropped as missing): recode to present ones.
  if ([...d.fe, ...d.clusters].some((f) => countLevels(f) < f.levels.length)) {
    const all = Int32Array.from({ length: d.y.length }, (_, i) => i);
    d = { ...d, fe: d.fe.map((f) => subsetFactor(f, all)), clusters: d.clusters.map((f) => subsetFactor(f, all)) };
  }
  const n = d.y.length;
  const clusterNames = opts.cluster ?? d.clusters.map((c) => c.name);
  if (clusterNames.length > 2) throw new InputError(`at most two cluster variables are supported (got ${clusterNames.join(', ')})`);
  const clusterFactors = clusterNames.map((name) => {
    const f = d.clusters.find((c) => c.name === name);
    if (!f) throw new InputError(`cluster variable '${name}' is not in the design`);
    return f;
  });
  const clusters: ClusterCodes[] = clusterFactors.map((f) => ({ codes: f.codes, G: countLevels(f) }));
  for (const [i, c] of clusters.entries()) {
    if (c.G < 2) throw new InputError(`cluster variable '${clusterNames[i]}' has ${c.G} cluster; at least 2 are needed`);
  }
  // ---- regressors -----------------------------------------------------------------------------
  // design.ts leaves the intercept out when FE are present (they absorb it); the dummy-variable fit
  // puts it back, as Stata `regress y x i.fe` reports _cons.
  if (d.fe.length > 0 && feMethod === 'dummies' && d.model.intercept && !d.names.includes(INTERCEPT)) {
    d = { ...d, X: [new Float64Array(d.y.length).fill(1), ...d.X], names: [INTERCEPT, ...d.names] };
  }
  const icptIdx = d.names.indexOf(INTERCEPT);
  const hasIntercept = icptIdx >= 0;
  const absorbed = d.fe.length > 0 && feMethod === 'absorb';
  let Xw: Float64Array[];
  let names: string[];
  let yw = d.y;
  let ab: Absorber | null = null;
  let feCoefY: Float64Array[] | null = null;
  let feCoefX: Float64Array[][] = [];
  let feIterations = 0;
  let dummyOwner: number[] = []; // for each column of Xw: index of the FE it dummies, or -1
  if (absorbed) {
    const keepCols = d.names.map((_, j) => j).filter((j) => j !== icptIdx);
    ab = makeAbsorber(d.fe, { tol: opts.feTol, maxIter: opts.feMaxIter });
    const [dy, ...dxs] = demeanColumns(ab, [d.y, ...keepCols.map((j) => d.X[j])]);
    yw = dy.resid;
    feCoefY = dy.coef;
    Xw = dxs.map((dx) => dx.resid);
    feCoefX = dxs.map((dx) => dx.coef);
    feIterations = Math.max(dy.iterations, ...dxs.map((dx) => dx.iterations));
    names = keepCols.map((j) => d.names[j]);
    dummyOwner = names.map(() => -1);
  } else if (d.fe.length > 0) {
    Xw = [...d.X];
    names = [...d.names];
    dummyOwner = names.map(() => -1);
    d.fe.forEach((f, q) => {
      // R/Stata: base (first sorted) level dropped, except for the first FE of a model without intercept.
      const from = !hasIntercept && q === 0 ? 0 : 1;
      for (let l = from; l < f.levels.length; l++) {
        Xw.push(indicatorColumn(f.codes, l));
        names.push(`${f.name}::${f.levels[l]}`);
        dummyOwner.push(q);
      }
    });
  } else {
    Xw = d.X;
    names = [...d.names];
    dummyOwner = names.map(() => -1);
  }
  // ---- estimation --------------------------------------------------------------------------------
  const ls = leastSquares(Xw, yw, { intercept: absorbed ? -1 : icptIdx, tol: opts.rankTol ?? DEFAULT_RANK_TOL });
  const kept = ls.kept;
  const rank = ls.rank;
  const terms = kept.map((j) => names[j]);
  const dropped = ls.dropped.map((j) => names[j]);
  const coef = new Float64Array(kept.map((j) => ls.coef[j]));
  // ---- degrees of freedom: K counts every FE level a dummy regression would estimate -----------
  const nested = d.fe.map((f) => opts.discountNestedFe === true && clusterFactors.some((c) => isNested(f, c)));
  let k: number;
  if (absorbed) k = rank + feRank(ab!, nested);
  else k = rank - kept.filter((j) => dummyOwner[j] >= 0 && nested[dummyOwner[j]]).length;
  const dfResid = n - k;
  if (dfResid <= 0) throw new InputError(`no residual degrees of freedom: ${n} observations for ${k} parameters`);
  // ---- variance (computed in the centred parametrisation, mapped back with A) -----------------
  const Xk = kept.map((j) => Xw[j]);
  const inp = { X: Xk, shift: ls.shift, resid: ls.resid, bread: ls.xtxInvCentred };
  let Vc: Float64Array;
  let vcovType: VcovInfo['type'];
  let leverageOneRows: number | undefined;
  if (clusters.length > 0) {
    Vc = vcovCluster(inp, clusters, n, k);
    vcovType = 'CL';
  } else {
    const type = opts.vcov ?? 'iid';
    vcovType = type;
    if (type === 'iid') Vc = vcovIid(ls.xtxInvCentred, ls.rss, n, k);
    else {
      let h: Float64Array | undefined;
      if (type === 'HC2' || type === 'HC3') {
        h = leverages(Xw, ls);
        if (absorbed) {
          const hf = feLeverage(ab!);
          for (let i = 0; i < n; i++) h[i] += hf[i];
        }
        leverageOneRows = countLeverageOne(h);
      }
      Vc = vcovHC(inp, type, n, k, h);
    }
  }
  const A = centringMap(ls.shift, ls.interceptPos);
  const vcov = sandwich(A, Vc, rank, rank);
  const df = vcovDf(n, k, clusters);
  const vcovInfo: VcovInfo = { type: vcovType, cluster: clusterNames, nClusters: clusters.length ? clusters.map((c) => c.G) : null, df };
  // ---- inference -------------------------------------------------------------------------------
  const se = new Float64Array(rank);
  const t = new Float64Array(rank);
  const p = new Float64Array(rank);
  const ciLow = new Float64Array(rank);
  const ciHigh = new Float64Array(rank);
  for (let a = 0; a < rank; a++) {
    se[a] = Math.sqrt(vcov[a * rank + a]);
    t[a] = coef[a] / se[a];
    p[a] = tPValue(t[a], df);
    [ciLow[a], ciHigh[a]] = confInt(coef[a], se[a], level, df);
  }
  const slopeIdx = terms.map((_, a) => a).filter((a) => terms[a] !== INTERCEPT);
  const maxRank = clusters.length === 1 ? clusters[0].G - 1 : undefined;
  const wald = waldTest(selectionMatrix(slopeIdx, rank), coef, vcov, slopeIdx.length, df, undefined, maxRank);
  // ---- fit statistics ----------------------------------------------------------------------------
  const y = d.y;
  const centred = hasIntercept || d.fe.length > 0;
  let tss = 0;
  const ym = centred ? meanOf(y) : 0;
  for (let i = 0; i < n; i++) tss += (y[i] - ym) * (y[i] - ym);
  const rss = ls.rss;
  const r2 = 1 - rss / tss;
  const adjR2 = 1 - ((1 - r2) * (n - (centred ? 1 : 0))) / dfResid;
  let r2Within: number | null = null;
  if (absorbed) {
    let wtss = 0;
    for (let i = 0; i < n; i++) wtss += yw[i] * yw[i];
    r2Within = 1 - rss / wtss;
  }
  const residuals = ls.resid;
  const fitted = new Float64Array(n);
  for (let i = 0; i < n; i++) fitted[i] = y[i] - residuals[i];
  const result: FitResult = {
    model: d.model,
    n,
    k,
    dfResid,
    terms,
    coef,
    vcov,
    se,
    t,
    p,
    ciLow,
    ciHigh,
    dropped,
    r2,
    adjR2,
    r2Within,
    f: wald.f,
    fDf1: wald.df1,
    fDf2: wald.df2,
    fP: wald.p,
    fNote: wald.note,
    rmse: Math.sqrt(rss / dfResid),
    rss,
    tss,
    missingDropped: d.missingDropped,
    singletonsDropped,
    ...(leverageOneRows !== undefined ? { leverageOneRows } : {}),
    vcovInfo,
    fixedEffects: d.fe.map((f) => ({ name: f.name, levels: countLevels(f) })),
    residuals,
    fitted,
    rowsUsed: d.rowsUsed,
    feIterations,
  };
  if (absorbed) {
    // fixef: FE of y minus sum_j b_j FE of x_j (the projection is linear).
    const fx = feCoefY!.map((c) => new Float64Array(c));
    kept.forEach((j, a) => {
      for (let q = 0; q < fx.length; q++) {
        const cx = feCoefX[j][q];
        for (let l = 0; l < fx[q].length; l++) fx[q][l] -= coef[a] * cx[l];
      }
    });
    result.fixef = d.fe.map((f, q) => ({ name: f.name, levels: f.levels, coef: fx[q] }));
    const connected = d.fe.length === 1 || feRank(ab!) === d.fe.reduce((s, f) => s + countLevels(f), 0) - (d.fe.length - 1);
    result.baseIntercept = connected ? fx.reduce((s, c) => s + c[0], 0) : null;
  }
  return result;
}

function meanOf(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  const m = s / x.length;
  let c = 0;
  for (let i = 0; i < x.length; i++) c += x[i] - m;
  return m + c / x.length;
}

function countLevels(f: Factor): number {
  const seen = new Uint8Array(f.levels.length);
  let g = 0;
  for (let i = 0; i < f.codes.length; i++) {
    if (!seen[f.codes[i]]) {
      seen[f.codes[i]] = 1;
      g++;
    }
  }
  return g;
}

/** Reject designs the engine cannot fit, naming the column and the (1-based) input row. */
function checkDesign(d: DesignInput): void {
  const n = d.y.length;
  if (n === 0) throw new InputError('no observations left to fit (all rows dropped as missing?)');
  if (d.X.length !== d.names.length) throw new Error('design: X and names differ in length');
  const check = (x: Float64Array, name: string) => {
    if (x.length !== n) throw new Error(`design: column '${name}' has ${x.length} rows, y has ${n}`);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(x[i])) {
        throw new InputError(`row ${d.rowsUsed[i] + 1}, column '${name}': non-finite value ${x[i]} in the model`);
      }
    }
  };
  check(d.y, d.model.y);
  d.X.forEach((x, j) => check(x, d.names[j]));
  for (const f of [...d.fe, ...d.clusters]) if (f.codes.length !== n) throw new Error(`design: factor '${f.name}' has ${f.codes.length} rows, y has ${n}`);
}

/** Restrict a design to `rows` (ascending), recoding factors so that every level is present. */
function subsetDesign(d: DesignInput, rows: Int32Array): DesignInput {
  const pick = (x: Float64Array) => Float64Array.from(rows, (i) => x[i]);
  return {
    y: pick(d.y),
    X: d.X.map(pick),
    names: d.names,
    fe: d.fe.map((f) => subsetFactor(f, rows)),
    clusters: d.clusters.map((f) => subsetFactor(f, rows)),
    rowsUsed: Int32Array.from(rows, (i) => d.rowsUsed[i]),
    missingDropped: d.missingDropped,
    model: d.model,
  };
}

function subsetFactor(f: Factor, rows: Int32Array): Factor {
  const used = new Uint8Array(f.levels.length);
  for (const i of rows) used[f.codes[i]] = 1;
  const newCode = new Int32Array(f.levels.length).fill(-1);
  const levels: string[] = [];
  f.levels.forEach((l, k) => {
    if (used[k]) {
      newCode[k] = levels.length;
      levels.push(l);
    }
  });
  return { name: f.name, levels, codes: Int32Array.from(rows, (i) => newCode[f.codes[i]]) };
}
