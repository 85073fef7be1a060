/**
 * The robustness battery a referee asks for (issue 5): do the two findings of Table 3 model (5),
 * Political Connection raises the score (through Social Responsibility only) and Leverage lowers
 * it, survive other inference, other estimators, other sample and variable choices?
 *
 * Every specification is data: a label, the outcome, the estimator and how inference is done.
 * `computeRobustness` runs them all on a raw data folder and returns one row per specification
 * with the coefficient, standard error, confidence interval and p-value of both variables of
 * interest. Estimation lives in src/stats; this module only composes it.
 */
import { feols } from '../stats/feols.ts';
import { orderedModel } from '../stats/ordered.ts';
import { rq } from '../stats/quantreg.ts';
import { tobit } from '../stats/tobit.ts';
import type { DataTable, Estimates, FitOptions, ModelSpec } from '../stats/types.ts';
import { wildClusterBootstrap, type BootWeights } from '../stats/wildBootstrap.ts';
import type { RawData } from '../data/load.ts';
import { INDICATOR_TREE } from './indicatorTree.ts';
import { TABLE3_MODELS, modelSpec } from './models.ts';
import { rateScore, RATING_BANDS } from './ratings.ts';
import { buildSample, sampleTable, type SampleOptions } from './sample.ts';
import { VARIABLE_LABELS } from './variables.ts';

/** The two variables of interest, in column order. */
export const FOCUS_TERMS = ['political_connection', 'leverage'] as const;
export type FocusTerm = (typeof FOCUS_TERMS)[number];

/** One coefficient under one specification. `se` is null when the method has none (bootstrap CI only). */
export interface FocusEstimate {
  coef: number;
  se: number | null;
  ciLow: number;
  ciHigh: number;
  p: number;
}

/** Scale of the coefficients: score points, or the latent index of an ordered model. */
export type CoefScale = 'points' | 'log-odds' | 'probit index';

export interface RobustnessRow {
  /** Block of the table ('Baseline', 'Inference', ...). */
  group: string;
  /** Stable identifier, e.g. 'cluster-city'. */
  id: string;
  label: string;
  /** Dependent variable as a reader names it. */
  outcome: string;
  estimator: string;
  /** How SEs, CIs and p-values were obtained. */
  inference: string;
  scale: CoefScale;
  n: number;
  estimates: Record<FocusTerm, FocusEstimate>;
  /** Anything a reader must know (censored counts, dropped categories, clusters). */
  note: string;
}

export interface RobustnessOptions {
  /** Wild bootstrap replications for random weights (default 9999). */
  bootstrapB?: number;
  /** Seed of every random draw (default 20211001). */
  seed?: number;
  /** Progress of long steps: stage name, steps done, steps in all. */
  onProgress?: (stage: string, done: number, total: number) => void;
  /** Sample options of the baseline (default: the paper's). */
  sample?: Partial<SampleOptions>;
}

export interface Robustness {
  rows: RobustnessRow[];
  /** Regression sample size of the baseline. */
  n: number;
  /** Number of cities and industries in the baseline sample. */
  nCities: number;
  nIndustries: number;
  options: { bootstrapB: number; seed: number };
}

export const DEFAULT_BOOTSTRAP_B = 9999;
export const DEFAULT_SEED = 20211001;

/** The paper's model (5): total score, all covariates, industry and city FE. */
export const BASELINE_MODEL: ModelSpec = modelSpec(TABLE3_MODELS.find((m) => m.label === '(5)')!);

/** Model (5) with another dependent variable. */
export function withOutcome(model: ModelSpec, y: string): ModelSpec {
  return { ...model, y };
}

/** The paper's estimator: Stata `regress ..., vce(robust)`. */
const HC1: FitOptions = { vcov: 'HC1', feMethod: 'dummies' };

/** Extracts the focus coefficients of an OLS fit (t inference with the fit's df). */
function olsEstimates(fit: ReturnType<typeof feols>): Record<FocusTerm, FocusEstimate> {
  const out = {} as Record<FocusTerm, FocusEstimate>;
  for (const term of FOCUS_TERMS) {
    const j = fit.terms.indexOf(term);
    out[term] =
      j < 0
        ? { coef: NaN, se: NaN, ciLow: NaN, ciHigh: NaN, p: NaN }
        : { coef: fit.coef[j], se: fit.se[j], ciLow: fit.ciLow[j], ciHigh: fit.ciHigh[j], p: fit.p[j] };
  }
  return out;
}

/** Extracts the focus coefficients of any estimator's coefficient table. */
function tableEstimates(e: Estimates): Record<FocusTerm, FocusEstimate> {
  const out = {} as Record<FocusTerm, FocusEstimate>;
  for (const term of FOCUS_TERMS) {
    const j = e.terms.indexOf(term);
    out[term] = j < 0 ? { coef: NaN, se: NaN, ciLow: NaN, ciHigh: NaN, p: NaN } : { coef: e.coef[j], se: e.se[j], ciLow: e.ciLow[j], ciHigh: e.ciHigh[j], p: e.p[j] };
  }
  return out;
}

/** Number of distinct non-missing values of a categorical column over the given rows. */
function distinctCount(col: DataTable['columns'][string], rows: Int32Array): number {
  const seen = new Set<string>();
  for (const i of rows) seen.add(String(col[i]));
  return seen.size;
}

/** The regression sample as a table, plus the derived columns the battery needs. */
export function batteryTable(raw: RawData, sample: Partial<SampleOptions> = {}): DataTable {
  const data = sampleTable(buildSample(raw, sample));
  const total = data.columns.total as Float64Array;
  const sr = data.columns.social_responsibility as Float64Array;
  // Counterfactual: the score a firm would have without the Social Responsibility indicator.
  data.columns.total_without_sr = Float64Array.from(total, (t, i) => t - sr[i]);
  data.columns.rating = Array.from(total, (t) => rateScore(t));
  return data;
}

/** Ratings from worst to best: the order of the ordered-outcome models. */
export const RATING_ORDER: readonly string[] = [...RATING_BANDS].reverse().map((b) => b.rating);

const OUTCOME_LABELS: Record<string, string> = {
  total: 'Scores',
  total_without_sr: 'Scores minus Social Responsibility',
  rating: 'Rating (5 ordered bands)',
  ...Object.fromEntries(INDICATOR_TREE.children.map((c) => [c.key, c.name])),
};

/** Runs the whole battery on a raw data folder's contents. Deterministic for a given seed. */
export function computeRobustness(raw: RawData, opts: RobustnessOptions = {}): Robustness {
  const B = opts.bootstrapB ?? DEFAULT_BOOTSTRAP_B;
  const seed = opts.seed ?? DEFAULT_SEED;
  const progress = opts.onProgress ?? (() => {});
  const data = batteryTable(raw, opts.sample);
  const rows: RobustnessRow[] = [];
  const base = feols(data, BASELINE_MODEL, HC1);
  const nCities = distinctCount(data.columns.city, base.rowsUsed);
  const nIndustries = distinctCount(data.columns.industry, base.rowsUsed);
  const ols = (group: string, id: string, label: string, model: ModelSpec, fitOpts: FitOptions, inference: string, note = '', table = data): RobustnessRow => {
    const fit = feols(table, model, fitOpts);
    return { group, id, label, outcome: OUTCOME_LABELS[model.y] ?? model.y, estimator: 'OLS', inference, scale: 'points', n: fit.n, estimates: olsEstimates(fit), note };
  };

  // ---- the paper's specification ---------------------------------------------------------------
  rows.push(ols('Baseline', 'baseline', 'Table 3 model (5), as published', BASELINE_MODEL, HC1, 'HC1, t(N-K)'));

  // ---- inference on the same coefficients -------------------------------------------------------
  const inf = 'Inference (same coefficients)';
  rows.push(ols(inf, 'hc3', 'HC3 robust SE', BASELINE_MODEL, { vcov: 'HC3', feMethod: 'dummies' }, 'HC3, t(N-K)'));
  rows.push(ols(inf, 'cluster-city', `Clustered by city (G = ${nCities})`, BASELINE_MODEL, { cluster: ['city'], feMethod: 'dummies' }, `CR1, t(${nCities - 1})`));
  rows.push(ols(inf, 'cluster-industry', `Clustered by industry (G = ${nIndustries})`, BASELINE_MODEL, { cluster: ['industry'], feMethod: 'dummies' }, `CR1, t(${nIndustries - 1})`));
  rows.push(ols(inf, 'cluster-two-way', 'Two-way clustered, city and industry', BASELINE_MODEL, { cluster: ['city', 'industry'], feMethod: 'dummies' }, `two-way CR1, t(${Math.min(nCities, nIndustries) - 1})`));

  // ---- wild cluster bootstrap (few clusters) ---------------------------------------------------------
  const wcb = (id: string, cluster: string, G: number, weights: BootWeights, label: string): void => {
    const est = {} as Record<FocusTerm, FocusEstimate>;
    let draws = 0;
    let enumerated = false;
    FOCUS_TERMS.forEach((term) => {
      const stage = `wild bootstrap, ${label}, ${FOCUS_LABELS[term]}`;
      const r = wildClusterBootstrap(data, BASELINE_MODEL, { cluster, param: term, weights, B, seed, onProgress: (d, t) => progress(stage, d, t) });
      est[term] = { coef: r.coef, se: r.se, ciLow: r.ciLow, ciHigh: r.ciHigh, p: r.p };
      draws = r.B;
      enumerated = r.enumerated;
    });
    const how = enumerated ? `all 2^${G} draws (exact)` : `B = ${draws}`;
    rows.push({
      group: 'Wild cluster bootstrap (WCR)',
      id,
      label,
      outcome: OUTCOME_LABELS.total,
      estimator: 'OLS',
      inference: `WCR, ${how}`,
      scale: 'points',
      n: base.n,
      estimates: est,
      note: '',
    });
  };
  wcb('wcb-city-rademacher', 'city', nCities, 'rademacher', `By city, Rademacher (G = ${nCities})`);
  wcb('wcb-city-webb', 'city', nCities, 'webb', `By city, Webb (G = ${nCities})`);
  wcb('wcb-industry-rademacher', 'industry', nIndustries, 'rademacher', `By industry, Rademacher (G = ${nIndustries})`);

  // ---- other estimators ---------------------------------------------------------------------------
  const est = 'Other estimators';
  const ML_ROBUST = 'ML robust, z';
  {
    // Scores live in [0, max]: a two-limit Tobit (Stata tobit, ll(0) ul(max); AER::tobit(left = 0, right = max)).
    const t = tobit(data, BASELINE_MODEL, { left: 0, right: INDICATOR_TREE.total, vcov: 'robust', stataAdjust: true });
    rows.push({
      group: est,
      id: 'tobit-total',
      label: `Tobit, limits 0 and ${INDICATOR_TREE.total}`,
      outcome: OUTCOME_LABELS.total,
      estimator: 'Tobit (ML)',
      inference: ML_ROBUST,
      scale: 'points',
      n: t.n,
      estimates: tableEstimates(t),
      note: `${t.nLeft + t.nRight} of ${t.n} firms at a limit${t.nLeft + t.nRight === 0 ? ', so the Tobit fit is the normal linear model by ML (OLS coefficients, ML standard errors)' : ''}.`,
    });
  }
  {
    const r = rq(data, BASELINE_MODEL, { tau: 0.5, se: 'nid' });
    rows.push({
      group: est,
      id: 'median',
      label: 'Median regression (tau = 0.5)',
      outcome: OUTCOME_LABELS.total,
      estimator: 'Quantile regression (Barrodale-Roberts)',
      inference: 'HK sandwich (nid), t(N-K)',
      scale: 'points',
      n: r.n,
      estimates: tableEstimates(r),
      note: r.nonUnique ? 'the median-regression solution is not unique (as quantreg warns); the Barrodale-Roberts vertex is reported.' : '',
    });
  }
  for (const link of ['logit', 'probit'] as const) {
    const m = orderedModel(data, withOutcome(BASELINE_MODEL, 'rating'), { link, levels: [...RATING_ORDER], vcov: 'robust', stataAdjust: true });
    const counts = m.categories.map((c, k) => `${c} ${m.counts[k]}`).join(', ');
    rows.push({
      group: est,
      id: `ordered-${link}`,
      label: `Ordered ${link} of the rating`,
      outcome: OUTCOME_LABELS.rating,
      estimator: `Ordered ${link} (ML)`,
      inference: ML_ROBUST,
      scale: link === 'logit' ? 'log-odds' : 'probit index',
      n: m.n,
      estimates: tableEstimates(m),
      note:
        `ratings ${counts}` +
        (m.droppedCategories.length ? `; empty and dropped: ${m.droppedCategories.join(', ')}` : '') +
        (m.separationDropped ? `; ${m.separationDropped} firms dropped with their level, ${m.separatedLevels.join(', ')} (infinite MLE of the level's dummy)` : '') +
        '.',
    });
  }

  // ---- sample and variable choices -------------------------------------------------------------
  const spec = 'Sample and variables';
  for (const [p, label] of [
    [0, 'No winsorization'],
    [0.01, 'Winsorized at 1% each tail'],
    [0.025, 'Winsorized at 2.5% each tail'],
  ] as const) {
    const t = batteryTable(raw, { ...opts.sample, winsorizeP: p });
    rows.push(ols(spec, `winsor-${p}`, label, BASELINE_MODEL, HC1, 'HC1, t(N-K)', '', t));
  }
  rows.push(
    ols(spec, 'without-sr', 'Counterfactual score: total minus Social Responsibility', withOutcome(BASELINE_MODEL, 'total_without_sr'), HC1, 'HC1, t(N-K)'),
  );

  // ---- leave one city out ------------------------------------------------------------------------
  const cities = [...new Set(Array.from(base.rowsUsed, (i) => String(data.columns.city[i])))].sort();
  cities.forEach((city, k) => {
    progress('leave one city out', k, cities.length);
    const t = subsetRows(data, (i) => data.columns.city[i] !== city);
    rows.push(ols('Leave one city out', `without-${city}`, `Without ${city}`, BASELINE_MODEL, HC1, 'HC1, t(N-K)', '', t));
  });
  progress('leave one city out', cities.length, cities.length);

  // ---- where does the effect come from: the sub-scores -------------------------------------------
  for (const c of INDICATOR_TREE.children) {
    rows.push(ols('Sub-scores, OLS (Table 4)', `ols-${c.key}`, `${c.name} (OLS)`, withOutcome(BASELINE_MODEL, c.key), HC1, 'HC1, t(N-K)'));
  }
  // Sub-scores pile up at their maxima (Figure 1): two-limit Tobit on [0, the indicator's weight].
  for (const c of INDICATOR_TREE.children) {
    const t = tobit(data, withOutcome(BASELINE_MODEL, c.key), { left: 0, right: c.weight, vcov: 'robust', stataAdjust: true });
    rows.push({
      group: 'Sub-scores, Tobit (censored at 0 and the maximum)',
      id: `tobit-${c.key}`,
      label: `${c.name} (Tobit, 0 to ${c.weight})`,
      outcome: c.name,
      estimator: 'Tobit (ML)',
      inference: ML_ROBUST,
      scale: 'points',
      n: t.n,
      estimates: tableEstimates(t),
      note:
        `${t.nRight} of ${t.n} firms at the maximum${t.nLeft ? `, ${t.nLeft} at 0` : ''}` +
        (t.separationDropped ? `; ${t.separationDropped} more dropped with their level, ${t.separatedLevels.join(', ')} (infinite MLE of the level's dummy)` : '') +
        '.',
    });
  }
  return { rows, n: base.n, nCities, nIndustries, options: { bootstrapB: B, seed } };
}

/** The rows of a table for which `keep(i)` holds, as a new table. */
export function subsetRows(data: DataTable, keep: (i: number) => boolean): DataTable {
  const idx: number[] = [];
  for (let i = 0; i < data.nrows; i++) if (keep(i)) idx.push(i);
  const columns: DataTable['columns'] = {};
  for (const [name, col] of Object.entries(data.columns)) {
    columns[name] = col instanceof Float64Array ? Float64Array.from(idx, (i) => col[i]) : idx.map((i) => col[i]);
  }
  return { nrows: idx.length, columns, source: data.source };
}

/** Labels of the focus terms as the paper prints them. */
export const FOCUS_LABELS: Record<FocusTerm, string> = {
  political_connection: VARIABLE_LABELS.political_connection,
  leverage: VARIABLE_LABELS.leverage,
};
