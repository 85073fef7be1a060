/**
 * The regression models of Tables 3 and 4 (SPEC.md section 4) as data, how they are fitted
 * (OLS, industry and city FE as dummies, HC1 = Stata `regress ..., vce(robust)`), and the
 * options that lay them out as published (labels, Constant last, FE rows, note).
 */
import { InputError } from '../errors.ts';
import { feols } from '../stats/feols.ts';
import type { DataTable, FitOptions, ModelSpec } from '../stats/types.ts';
import { regressionJson, regressionTable, type RegressionJson, type RegressionModel, type RegressionTableOptions } from '../report/regressionTable.ts';
import type { Table } from '../report/table.ts';
import { INDICATOR_TREE } from './indicatorTree.ts';
import { COVARIATES, VARIABLE_LABELS, type VariableKey } from './variables.ts';

/** One regression: its column label, dependent variable column and covariates (controls included). */
export interface ModelDef {
  label: string;
  y: string;
  covariates: readonly VariableKey[];
}

/** Controls in every model. */
export const CONTROLS: readonly VariableKey[] = ['firm_size', 'firm_age', 'book_to_market'];

/** Fixed-effect groups of every model. */
export const FIXED_EFFECTS: readonly string[] = ['industry', 'city'];

/** The variables of interest of Table 3 models (1)-(5), as published.json table3.specification. */
export const TABLE3_SPECIFICATION: Readonly<Record<string, readonly VariableKey[]>> = {
  '(1)': ['independent_director_pct'],
  '(2)': ['leverage', 'roa'],
  '(3)': ['soe', 'state_share', 'party_building'],
  '(4)': ['political_connection'],
  '(5)': COVARIATES.filter((k) => !CONTROLS.includes(k)),
};

/** Table 3: total score on each specification plus the controls. */
export const TABLE3_MODELS: readonly ModelDef[] = Object.entries(TABLE3_SPECIFICATION).map(([label, vars]) => ({
  label,
  y: 'total',
  covariates: [...vars, ...CONTROLS],
}));

/** Table 4: model (5) on each first-level sub-score, labelled with the indicator's name. */
export const TABLE4_MODELS: readonly ModelDef[] = INDICATOR_TREE.children.map((c) => ({ label: c.name, y: c.key, covariates: COVARIATES }));

/** Stata `regress y x i.industry i.city, vce(robust)`. */
export const FIT_OPTIONS: FitOptions = { vcov: 'HC1', feMethod: 'dummies' };

/** The engine's model for a definition. */
export function modelSpec(def: ModelDef): ModelSpec {
  return { y: def.y, terms: def.covariates.map((name) => ({ kind: 'var', name })), fe: [...FIXED_EFFECTS], intercept: true };
}

/** Fits each model on the regression sample table. */
export function fitModels(data: DataTable, defs: readonly ModelDef[], opts: FitOptions = FIT_OPTIONS): RegressionModel[] {
  return defs.map((def) => {
    try {
      return { label: def.label, fit: feols(data, modelSpec(def), opts) };
    } catch (e) {
      // Name the model: "the model has 11 parameters but only 6 observations" alone does not say which.
      if (e instanceof InputError) throw new InputError(`model '${def.label}' for ${def.y}: ${e.message}`);
      throw e;
    }
  });
}

/** Row labels: covariate column -> published label, in model (5) order (Constant is added last). */
const VAR_LABELS: Record<string, string> = Object.fromEntries(COVARIATES.map((k) => [k, VARIABLE_LABELS[k]]));

// Which robust SE: the paper's Stata `vce(robust)` is HC1 (SPEC.md section 4); a reader should not have to guess.
const NOTE = 'Heteroskedasticity-robust (HC1) standard errors in parentheses. All models include industry and city fixed effects.';

/** Layout options shared by Tables 3 and 4. */
function layoutOptions(title: string, n: number, dependent?: string): RegressionTableOptions {
  return {
    title,
    ...(dependent !== undefined ? { dependent } : {}),
    varLabels: VAR_LABELS,
    constantLabel: 'Constant',
    digits: 3,
    feRows: [
      { label: 'Industry FE', values: Array(n).fill('Yes') },
      { label: 'City FE', values: Array(n).fill('Yes') },
    ],
    stats: ['n', 'r2'],
    statLabels: { n: 'Observations', r2: 'R-squared' },
    note: NOTE,
  };
}

export const TABLE3_TITLE = 'OLS Regression on the Determinants of Corporate Social Credit Scores';
export const TABLE4_TITLE = 'OLS Regression on the Determinants of First-Level Sub-scores';

/** Table 3 as published.json shapes it (plus t and p), with its specification. */
export type Table3Json = RegressionJson & { specification: Record<string, string[]> };

export function table3Json(models: RegressionModel[]): Table3Json {
  const json = regressionJson(models, layoutOptions(TABLE3_TITLE, models.length, 'Scores'));
  const specification: Record<string, string[]> = {};
  for (const [label, vars] of Object.entries(TABLE3_SPECIFICATION)) specification[label] = vars.map((k) => VARIABLE_LABELS[k]);
  specification.controls_in_all = CONTROLS.map((k) => VARIABLE_LABELS[k]);
  return { ...json, specification };
}

export function table3Layout(models: RegressionModel[]): Table {
  return regressionTable(models, layoutOptions(`Table 3. ${TABLE3_TITLE}`, models.length, 'Scores'));
}

export function table4Json(models: RegressionModel[]): RegressionJson {
  const json = regressionJson(models, layoutOptions(TABLE4_TITLE, models.length));
  return { ...json, note: `Each model is Table 3 model (5) with a first-level sub-score as the dependent variable. ${json.note}` };
}

export function table4Layout(models: RegressionModel[]): Table {
  const opts = layoutOptions(`Table 4. ${TABLE4_TITLE}`, models.length);
  return regressionTable(models, { ...opts, note: `Each column is Table 3 model (5) with a first-level sub-score as the dependent variable. ${NOTE}` });
}
