/**
 * A full-rank dense design for estimators that cannot absorb fixed effects (maximum likelihood,
 * quantile regression, the wild bootstrap): the intercept, the model's columns and every FE as
 * dummies (base level dropped, as Stata `i.fe` and R `factor(fe)`), with collinear columns
 * removed the way lm does (the later column in model order goes).
 */
import type { DataTable, ModelSpec } from './types.ts';
import { toModelSpec } from './formula.ts';
import { buildDesign, indicatorColumn, type CodedFactor } from './design.ts';
import { leastSquares, DEFAULT_RANK_TOL } from './qr.ts';

export const INTERCEPT = '(Intercept)';

export interface DenseDesign {
  model: ModelSpec;
  y: Float64Array;
  /** Columns of X, full column rank, intercept first when the model has one. */
  X: Float64Array[];
  names: string[];
  /** Columns removed as collinear, by name. */
  dropped: string[];
  /** Names of the FE dummy columns (a subset of `names`), so reports can hide them. */
  feDummies: string[];
  /** Cluster variables coded over the estimation sample. */
  clusters: CodedFactor[];
  /** Indices (into the input rows) of the observations used, ascending. */
  rowsUsed: Int32Array;
  /** Rows dropped because a model, FE or cluster variable was missing (listwise). */
  missingDropped: number;
}

export interface DenseDesignOptions {
  cluster?: string[];
  rankTol?: number;
}

/** Builds the dense design of `model` on `data`; bad input throws InputError (as feols does). */
export function denseDesign(data: DataTable, model: string | ModelSpec, opts: DenseDesignOptions = {}): DenseDesign {
  const spec = toModelSpec(model, Object.keys(data.columns));
  const d = buildDesign(data, spec, { cluster: opts.cluster });
  const n = d.y.length;
  let X = [...d.X];
  let names = [...d.names];
  if (spec.intercept && !names.includes(INTERCEPT)) {
    X = [new Float64Array(n).fill(1), ...X];
    names = [INTERCEPT, ...names];
  }
  const hasIntercept = names.includes(INTERCEPT);
  const feDummies: string[] = [];
  d.fe.forEach((f, q) => {
    const levels = presentLevels(f, n);
    const from = !hasIntercept && q === 0 ? 0 : 1;
    for (let l = from; l < levels.length; l++) {
      X.push(indicatorColumn(f.codes, levels[l]));
      const name = `${f.name}::${f.levels[levels[l]]}`;
      names.push(name);
      feDummies.push(name);
    }
  });
  const ls = leastSquares(X, d.y, { intercept: names.indexOf(INTERCEPT), tol: opts.rankTol ?? DEFAULT_RANK_TOL });
  const dropped = ls.dropped.map((j) => names[j]);
  const keep = ls.kept;
  return {
    model: spec,
    y: d.y,
    X: keep.map((j) => X[j]),
    names: keep.map((j) => names[j]),
    dropped,
    feDummies: feDummies.filter((nm) => !dropped.includes(nm)),
    clusters: d.clusters,
    rowsUsed: d.rowsUsed,
    missingDropped: d.missingDropped,
  };
}

/** Codes of a factor that occur in the sample, ascending (levels emptied by listwise deletion are skipped). */
function presentLevels(f: CodedFactor, n: number): number[] {
  const seen = new Uint8Array(f.levels.length);
  for (let i = 0; i < n; i++) seen[f.codes[i]] = 1;
  const out: number[] = [];
  for (let l = 0; l < seen.length; l++) if (seen[l]) out.push(l);
  return out;
}
