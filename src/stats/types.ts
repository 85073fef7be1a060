/**
 * Shared types of the estimation engine: the columnar data it reads, the model it fits and the
 * result it returns. Estimation (ols.ts, absorb.ts), variance (vcov.ts) and reporting (src/report)
 * all speak these types and nothing else.
 */

/** A numeric column uses NaN for missing; a categorical column uses null for missing. */
export type Column = Float64Array | readonly (string | null)[];

/** Columnar data: every column has `nrows` entries. `source` names the file for error messages. */
export interface DataTable {
  nrows: number;
  columns: Record<string, Column>;
  source?: string;
}

/** One right-hand-side term of a model, after formula parsing. */
export type Term =
  | { kind: 'var'; name: string } // numeric column as is
  | { kind: 'factor'; name: string } // i(name) / factor(name): dummies, first sorted level is base
  | { kind: 'power'; name: string; power: number; label: string } // I(x^2) (label "I(x^2)") or poly(x,k) (labels "x", "x^2", ...)
  | { kind: 'interaction'; names: string[]; label: string }; // a:b product of numeric columns (label "a:b")

/** A model: the same thing a formula `y ~ x1 + x2 | fe1 + fe2` describes. */
export interface ModelSpec {
  y: string;
  terms: Term[];
  /** Fixed-effect columns (absorbed unless FitOptions.feMethod = 'dummies'). */
  fe: string[];
  intercept: boolean;
}

export type VcovType = 'iid' | 'HC0' | 'HC1' | 'HC2' | 'HC3';

export interface FitOptions {
  /** Heteroskedasticity type; with `cluster` it is ignored (clustered uses the CR1/Stata factor). Default 'iid'. */
  vcov?: VcovType;
  /** One or two cluster columns; two gives Cameron-Gelbach-Miller two-way clustering. */
  cluster?: string[];
  /** 'absorb' (default) demeans by alternating projections; 'dummies' adds FE dummies to X (as Stata `regress y x i.fe`). */
  feMethod?: 'absorb' | 'dummies';
  /** Drop singleton FE groups, as reghdfe does (default false, as Stata `regress`). */
  dropSingletons?: boolean;
  /** Convergence tolerance of the FE demeaning (default 1e-13, relative to the column's standard deviation). */
  feTol?: number;
  feMaxIter?: number;
  /** Rank tolerance of the pivoted QR (relative to the largest column norm). */
  rankTol?: number;
  /** reghdfe-style: do not count FE levels nested in the cluster variable in K. Default false. */
  discountNestedFe?: boolean;
  /** Confidence level for intervals, default 0.95. */
  level?: number;
}

export interface VcovInfo {
  type: VcovType | 'CL';
  cluster: string[];
  /** Number of clusters per cluster variable (null when not clustered). */
  nClusters: number[] | null;
  /** Degrees of freedom used for t-tests and intervals: N-K, or G-1 (min G - 1 for two-way). */
  df: number;
}

export interface FitResult {
  model: ModelSpec;
  /** Observations used. */
  n: number;
  /** Parameters counted for degrees of freedom: reported coefficients + every FE level a dummy regression would estimate. */
  k: number;
  dfResid: number;
  /** Names of the reported coefficients, model order, intercept first as "(Intercept)"; dummies "var::level". */
  terms: string[];
  coef: Float64Array;
  /** Row-major terms.length x terms.length covariance of `coef`. */
  vcov: Float64Array;
  se: Float64Array;
  t: Float64Array;
  p: Float64Array;
  ciLow: Float64Array;
  ciHigh: Float64Array;
  /** Collinear terms dropped (later column in formula order is dropped, as R does). */
  dropped: string[];
  r2: number;
  adjR2: number;
  /** Within R-squared when FE are absorbed; null otherwise. */
  r2Within: number | null;
  /** Wald F of all non-intercept reported slopes = 0 under the chosen vcov. NaN when it does not exist. */
  f: number;
  fDf1: number;
  fDf2: number;
  fP: number;
  /** Why `f` is NaN (e.g. more tested slopes than clusters - 1), else absent/null. */
  fNote?: string | null;
  rmse: number;
  rss: number;
  tss: number;
  /** Rows dropped because a model variable was missing (listwise). */
  missingDropped: number;
  /** Rows dropped as FE singletons (0 unless dropSingletons). */
  singletonsDropped: number;
  /** HC2/HC3 only: rows with leverage 1 (e.g. FE singletons), which get no weight in the meat. */
  leverageOneRows?: number;
  vcovInfo: VcovInfo;
  fixedEffects: { name: string; levels: number }[];
  residuals: Float64Array;
  fitted: Float64Array;
  /** Indices (into the input rows) of the observations used, ascending. */
  rowsUsed: Int32Array;
  /**
   * Absorbed FE only: the FE coefficients (fixest `fixef()`), normalised so that the first level of
   * every FE after the first is 0 (per connected component); FE `levels` align with `coef`.
   */
  fixef?: { name: string; levels: string[]; coef: Float64Array }[];
  /**
   * Absorbed FE only: the intercept at the base (first sorted) levels, i.e. the _cons Stata's
   * `regress y x i.a i.b` prints; null when the FE design is not connected (not identified).
   */
  baseIntercept?: number | null;
  /** Accelerated iterations the FE demeaning needed (max over columns); 0 without absorbed FE. */
  feIterations?: number;
}

/**
 * The coefficient table every estimator returns (OLS, Tobit, ordered models, quantile regression),
 * so reports and the robustness battery can read any of them the same way.
 */
export interface Estimates {
  /** Coefficient names in model order ('(Intercept)', 'x', 'fe::level', model-specific extras such as 'sigma' or cut points). */
  terms: string[];
  coef: Float64Array;
  /** Row-major terms.length x terms.length covariance of `coef`. */
  vcov: Float64Array;
  se: Float64Array;
  /** Test statistic coef / se (t or z, see `dfInference`). */
  stat: Float64Array;
  p: Float64Array;
  ciLow: Float64Array;
  ciHigh: Float64Array;
  /** Degrees of freedom of the t reference distribution, or null when inference is normal (z). */
  dfInference: number | null;
  /** Observations used. */
  n: number;
  /** Rows dropped because a model variable was missing (listwise). */
  missingDropped: number;
  /** Indices (into the input rows) of the observations used, ascending. */
  rowsUsed: Int32Array;
}
