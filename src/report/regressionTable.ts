/**
 * Regression tables in the esttab/modelsummary layout: one column per model, a coefficient row
 * (with stars) and its standard error in parentheses under it, the constant last, then
 * fixed-effect indicator rows and statistics (N, R²). `regressionJson` gives the same content at
 * full precision, shaped like Table 3 of data/paper/published.json.
 */
import type { FitResult } from '../stats/types.ts';
import { DEFAULT_STAR_LEVELS, formatFixed, formatInteger, starCount, starLegend } from './format.ts';
import { ruleRow, type Table, type TableRow } from './table.ts';

/** The intercept's term name in FitResult.terms. */
export const INTERCEPT_TERM = '(Intercept)';

export interface RegressionModel {
  /** Column header, e.g. "(1)" or "Basic Data". */
  label: string;
  fit: FitResult;
}

/** Statistics that can be shown under the coefficients. */
export type RegressionStat = 'n' | 'r2' | 'adjR2' | 'r2Within' | 'f' | 'rmse';

const STAT_LABELS: Record<RegressionStat, string> = {
  n: 'N',
  r2: 'R\u00b2',
  adjR2: 'Adjusted R\u00b2',
  r2Within: 'Within R\u00b2',
  f: 'F',
  rmse: 'RMSE',
};

export interface RegressionTableOptions {
  title: string;
  /** Dependent variable: one label for all models or one per model; shown under the model labels. */
  dependent?: string | string[];
  /**
   * Term name -> row label. Rows follow this order; terms not listed (e.g. FE dummies) are left
   * out. Several terms may share a label (one row), as long as a model has at most one of them.
   */
  varLabels: Record<string, string>;
  /** Label of the intercept row, always placed last as in Stata; null leaves it out. Default "Constant". */
  constantLabel?: string | null;
  /** Decimals of coefficients, standard errors and R² (default 3). */
  digits?: number;
  /** Star thresholds (default [0.10, 0.05, 0.01]: * p<0.10, ** p<0.05, *** p<0.01). */
  stars?: readonly number[];
  /** Indicator rows such as { label: 'Industry FE', values: ['Yes', 'Yes'] }, one value per model. */
  feRows?: { label: string; values: string[] }[];
  /** Statistics rows, in order (default ['n', 'r2']). */
  stats?: RegressionStat[];
  /** Overrides of the statistic labels. */
  statLabels?: Partial<Record<RegressionStat, string>>;
  /** First note line (e.g. "Robust standard errors in parentheses."); the star legend follows it. */
  note?: string;
}

/** One row of the coefficient panel: its label and the term each model reports under it. */
interface CoefRow {
  label: string;
  terms: (string | null)[];
}

/** Resolves the row order and, per model, which term fills each row. */
function coefficientRows(models: RegressionModel[], opts: RegressionTableOptions): CoefRow[] {
  const labels: string[] = [];
  const termsByLabel = new Map<string, string[]>();
  for (const [term, label] of Object.entries(opts.varLabels)) {
    if (term === INTERCEPT_TERM) continue;
    if (!termsByLabel.has(label)) {
      termsByLabel.set(label, []);
      labels.push(label);
    }
    termsByLabel.get(label)!.push(term);
  }
  const constantLabel = opts.varLabels[INTERCEPT_TERM] ?? (opts.constantLabel === undefined ? 'Constant' : opts.constantLabel);
  if (constantLabel !== null) {
    if (termsByLabel.has(constantLabel)) throw new Error(`regression table: label '${constantLabel}' used for the constant and a variable`);
    labels.push(constantLabel);
    termsByLabel.set(constantLabel, [INTERCEPT_TERM]);
  }
  const rows = labels.map((label) => ({
    label,
    terms: models.map((m) => {
      const present = termsByLabel.get(label)!.filter((t) => m.fit.terms.includes(t) || m.fit.dropped.includes(t));
      if (present.length > 1) throw new Error(`regression table: model ${m.label} has several terms labelled '${label}': ${present.join(', ')}`);
      return present[0] ?? null;
    }),
  }));
  // A labelled variable that no model has gets no row (as esttab's keep()).
  return rows.filter((r) => r.terms.some((t) => t !== null));
}

function statValue(fit: FitResult, stat: RegressionStat): number {
  switch (stat) {
    case 'n':
      return fit.n;
    case 'r2':
      return fit.r2;
    case 'adjR2':
      return fit.adjR2;
    case 'r2Within':
      return fit.r2Within ?? NaN;
    case 'f':
      return fit.f;
    case 'rmse':
      return fit.rmse;
  }
}

function checkModels(models: RegressionModel[], opts: RegressionTableOptions): void {
  if (models.length === 0) throw new Error('regression table: no models');
  if (Array.isArray(opts.dependent) && opts.dependent.length !== models.length) {
    throw new Error(`regression table: ${opts.dependent.length} dependent labels for ${models.length} models`);
  }
  for (const fe of opts.feRows ?? []) {
    if (fe.values.length !== models.length) throw new Error(`regression table: FE row '${fe.label}' has ${fe.values.length} values for ${models.length} models`);
  }
}

/** The notes: the caller's note, then the star legend. */
function tableNotes(opts: RegressionTableOptions): string[] {
  const levels = opts.stars ?? DEFAULT_STAR_LEVELS;
  return [...(opts.note ? [opts.note] : []), ...(levels.length > 0 ? [starLegend(levels)] : [])];
}

/** Builds the table model of a regression table (see RegressionTableOptions). */
export function regressionTable(models: RegressionModel[], opts: RegressionTableOptions): Table {
  checkModels(models, opts);
  const digits = opts.digits ?? 3;
  const levels = opts.stars ?? DEFAULT_STAR_LEVELS;
  const rows: TableRow[] = [];
  for (const row of coefficientRows(models, opts)) {
    const coef: string[] = [row.label];
    const se: string[] = [''];
    row.terms.forEach((term, i) => {
      const fit = models[i].fit;
      const k = term === null ? -1 : fit.terms.indexOf(term);
      if (term === null) {
        coef.push('');
        se.push('');
      } else if (k < 0) {
        // Dropped as collinear: say so, as Stata's "(omitted)".
        coef.push('(omitted)');
        se.push('');
      } else {
        coef.push(formatFixed(fit.coef[k], digits) + '*'.repeat(starCount(fit.p[k], levels)));
        se.push(`(${formatFixed(fit.se[k], digits)})`);
      }
    });
    rows.push({ kind: 'body', cells: coef }, { kind: 'se', cells: se });
  }
  const feRows = opts.feRows ?? [];
  const stats = opts.stats ?? ['n', 'r2'];
  if (feRows.length + stats.length > 0) rows.push(ruleRow());
  for (const fe of feRows) rows.push({ kind: 'fe', cells: [fe.label, ...fe.values] });
  for (const stat of stats) {
    const label = opts.statLabels?.[stat] ?? STAT_LABELS[stat];
    const fmt = (x: number): string => (stat === 'n' ? formatInteger(x) : formatFixed(x, digits));
    rows.push({ kind: 'stat', cells: [label, ...models.map((m) => fmt(statValue(m.fit, stat)))] });
  }
  const dep = opts.dependent;
  return {
    title: opts.title,
    columns: [{ label: '', align: 'l' }, ...models.map((m) => ({ label: m.label, align: 'd' as const }))],
    ...(dep !== undefined ? { subHeader: ['', ...(Array.isArray(dep) ? dep : models.map(() => dep))] } : {}),
    rows,
    notes: tableNotes(opts),
    uniformColumns: true,
  };
}

/** One coefficient at full precision; `stars` is the number of stars. */
export interface CoefficientJson {
  coef: number;
  se: number;
  stars: number;
  t: number;
  p: number;
}

export interface ModelJson {
  model: string;
  /** Dependent variable, when the table has one per model. */
  dependent?: string;
  /** Row label -> coefficient, in row order (constant last). */
  coefficients: Record<string, CoefficientJson>;
  /** Row labels of terms dropped as collinear. */
  omitted?: string[];
  n: number;
  r2: number;
  /** Further statistics requested in opts.stats (adjR2, r2Within, f, rmse). */
  [stat: string]: unknown;
}

export interface RegressionJson {
  title: string;
  dependent?: string;
  models: ModelJson[];
  note: string;
}

/** Non-finite numbers become null, as JSON has no NaN. */
function jsonNumber(x: number): number {
  return Number.isFinite(x) ? x : (null as unknown as number);
}

/** The regression table as data, full precision, shaped like published.json table3. */
export function regressionJson(models: RegressionModel[], opts: RegressionTableOptions): RegressionJson {
  checkModels(models, opts);
  const levels = opts.stars ?? DEFAULT_STAR_LEVELS;
  const rows = coefficientRows(models, opts);
  const dep = opts.dependent;
  const out: RegressionJson = {
    title: opts.title,
    ...(typeof dep === 'string' ? { dependent: dep } : {}),
    models: models.map((m, i) => {
      const coefficients: Record<string, CoefficientJson> = {};
      const omitted: string[] = [];
      for (const row of rows) {
        const term = row.terms[i];
        if (term === null) continue;
        const k = m.fit.terms.indexOf(term);
        if (k < 0) {
          omitted.push(row.label);
          continue;
        }
        coefficients[row.label] = {
          coef: jsonNumber(m.fit.coef[k]),
          se: jsonNumber(m.fit.se[k]),
          stars: starCount(m.fit.p[k], levels),
          t: jsonNumber(m.fit.t[k]),
          p: jsonNumber(m.fit.p[k]),
        };
      }
      const model: ModelJson = {
        model: m.label,
        ...(Array.isArray(dep) ? { dependent: dep[i] } : {}),
        coefficients,
        ...(omitted.length > 0 ? { omitted } : {}),
        n: m.fit.n,
        r2: jsonNumber(m.fit.r2),
      };
      for (const stat of opts.stats ?? ['n', 'r2']) if (stat !== 'n' && stat !== 'r2') model[stat] = jsonNumber(statValue(m.fit, stat));
      return model;
    }),
    note: tableNotes(opts).join(' '),
  };
  return out;
}
