/**
 * The published numbers the synthetic scores are calibrated to (data/paper/published.json),
 * typed, plus the label <-> variable mapping the calibration uses.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.ts';
import type { FirstLevelScores, RegressionX } from './types.ts';
import { COVARIATES, VARIABLE_LABELS } from '../study/variables.ts';

export interface PublishedCoef {
  coef: number;
  se: number;
  stars: number;
}

export interface PublishedModel {
  model: string;
  coefficients: Record<string, PublishedCoef>;
  n: number;
  r2: number;
}

/** Summary-statistics row (Table 1 first-level rows, Table 2 rows, Table 1 total). */
export interface PublishedSummary {
  n: number;
  mean: number;
  sd: number;
  min: number;
  median: number;
  max: number;
}

export interface PublishedRating extends PublishedSummary {
  rating: string;
  rule: string;
  pct: number;
}

export interface Published {
  table1: {
    ratings: PublishedRating[];
    total_score: PublishedSummary;
    first_level_scores: (PublishedSummary & { indicator: string; max_points: number })[];
  };
  figure1: { given: Record<string, number> };
  figure2: { given: Record<string, number> };
  table2: { rows: (PublishedSummary & { variable: string })[] };
  table3: { models: PublishedModel[]; specification: Record<string, string[]> };
  table4: { models: PublishedModel[] };
}

/** Published label of each covariate (Tables 2-4): the pipeline's own labels. */
export const COVARIATE_LABELS: Readonly<Record<keyof RegressionX, string>> = Object.fromEntries(
  COVARIATES.map((k) => [k, VARIABLE_LABELS[k]]),
) as Record<keyof RegressionX, string>;

/** Published name of each first-level indicator (Table 1, Table 4 model names). */
export const FIRST_LEVEL_LABELS: Readonly<Record<keyof FirstLevelScores, string>> = {
  basic_data: 'Basic Data',
  finance_taxation: 'Finance and Taxation',
  governance: 'Governance',
  compliance: 'Compliance',
  social_responsibility: 'Social Responsibility',
};

/** Default location of published.json (repository data/paper). */
export const PUBLISHED_PATH = fileURLToPath(new URL('../../data/paper/published.json', import.meta.url));

/** Read and minimally validate published.json. */
export function loadPublished(path: string = PUBLISHED_PATH): Published {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError(`${path}: cannot read published targets: ${(err as Error).message}`);
  }
  const p = raw as Published;
  if (!p?.table1?.ratings || !p.table2?.rows || !p.table3?.models || !p.table4?.models || !p.figure1?.given) {
    throw new InputError(`${path}: missing table1/table2/table3/table4/figure1 sections`);
  }
  for (const label of Object.values(FIRST_LEVEL_LABELS)) {
    if (!p.table4.models.some((m) => m.model === label)) throw new InputError(`${path}: table4 has no model '${label}'`);
    if (!p.table1.first_level_scores.some((r) => r.indicator === label)) throw new InputError(`${path}: table1 has no row '${label}'`);
  }
  return p;
}

/** The Table 2 'Scores' row. */
export function scoresRow(p: Published): PublishedSummary {
  const row = p.table2.rows.find((r) => r.variable === 'Scores');
  if (!row) throw new InputError("published.json: table2 has no 'Scores' row");
  return row;
}

/** Covariates of a Table 3 model by its label "(1)".."(5)", model (5) order, controls last. */
export function table3Covariates(p: Published, model: string): (keyof RegressionX)[] {
  const spec = p.table3.specification[model];
  const controls = p.table3.specification.controls_in_all ?? [];
  if (!spec) throw new InputError(`published.json: table3 has no specification '${model}'`);
  const byLabel = new Map(Object.entries(COVARIATE_LABELS).map(([k, v]) => [v, k as keyof RegressionX]));
  return [...spec, ...controls].map((label) => {
    const key = byLabel.get(label);
    if (!key) throw new InputError(`published.json: unknown covariate label '${label}' in table3 specification ${model}`);
    return key;
  });
}

/**
 * Figure 1 target of a first-level indicator: the printed value when the paper gives it,
 * otherwise mean/max*100 of the Table 1 row rounded to 2 decimals (as the figure shows it).
 */
export function figure1Target(p: Published, label: string): number {
  const given = p.figure1.given[label];
  if (given !== undefined) return given;
  const row = p.table1.first_level_scores.find((r) => r.indicator === label);
  if (!row) throw new InputError(`published.json: table1 has no row '${label}'`);
  return Math.round((row.mean / row.max_points) * 10000) / 100;
}
