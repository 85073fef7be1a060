/**
 * Compares reproduced tables and figures with the published numbers (data/paper/published.json),
 * cell by cell, each with the tolerance that fits how the paper printed it. TOLERANCES is the single
 * definition used by the replication report and the tests.
 */
import { formatFixed } from '../report/format.ts';
import type { RegressionJson } from '../report/regressionTable.ts';
import type { ComparisonRow } from '../report/replicationReport.ts';
import type { FigureValues, Table1, Table2 } from './tables.ts';

/** Tiny slack for binary floating point in "within 0.005" comparisons. */
const EPS = 1e-9;

/**
 * Tolerances. Tables 1-2 and figures: printed to 2 decimals, so means, SDs and percents must agree
 * within half a unit of the last printed digit, and min / median / max must print identically.
 * Table 3 model (5) and Table 4 ("main"): tight. Table 3 models (1)-(4) ("other"): looser, since a
 * replication data set is calibrated on model (5). Stars and N always identical.
 */
export const TOLERANCES = {
  /** Tables 1-2: means, SDs and percents, absolute. */
  summaryAbs: 0.005 + EPS,
  /** Tables 1-2: min / median / max equal after rounding to this many decimals. */
  summaryDecimals: 2,
  /** Figures: percent of maximum, absolute. */
  figureAbs: 0.005 + EPS,
  main: { coefAbs: 0.01 + EPS, seRel: 0.01, r2Abs: 0.0005 + EPS },
  other: { coefSeMultiple: 0.25, seRel: 0.1, r2Abs: 0.01 + EPS },
} as const;

/**
 * One compared cell, in the report's shape: `table` is an id ("table1" ... "table4", "figure1",
 * "figure2"), `row` e.g. "(5) Leverage", `column` e.g. "coef"; `reproduced` and `diff` are NaN when
 * the cell was not reproduced at all (then it fails); `tolerance` states the rule in words.
 */
export type CheckCell = ComparisonRow;

/** Section titles of the report, by table id. */
export const CHECK_TITLES: Record<string, string> = {
  table1: 'Table 1: Distribution of Ratings and Scores',
  figure1: 'Figure 1: first-level indicators, mean as percent of maximum',
  figure2: 'Figure 2: second-level indicators, mean as percent of maximum',
  table2: 'Table 2: Summary Statistics',
  table3: 'Table 3: OLS Regression on the Determinants of Corporate Social Credit Scores',
  table4: 'Table 4: OLS Regression on the Determinants of First-Level Sub-scores',
};

export interface ReplicationCheck {
  cells: CheckCell[];
  matched: number;
  total: number;
}

/** Published inputs the check needs (the relevant parts of published.json). */
export interface Published {
  table1: Table1;
  figure1: { given: Record<string, number> };
  figure2: { given: Record<string, number> };
  table2: Table2;
  table3: { models: PublishedModel[] };
  table4: { models: PublishedModel[] };
}

export interface PublishedModel {
  model: string;
  coefficients: Record<string, { coef: number; se: number; stars: number }>;
  n: number;
  r2: number;
}

/** Reproduced results, in the shapes the pipeline writes as JSON. */
export interface Reproduced {
  table1: Table1;
  table2: Table2;
  figure1: FigureValues;
  figure2: FigureValues;
  table3: RegressionJson;
  table4: RegressionJson;
}

function cell(table: string, row: string, column: string, published: number, reproduced: number | null | undefined, tolerance: string, test: (diff: number, r: number) => boolean): CheckCell {
  const r = reproduced === undefined || reproduced === null || !Number.isFinite(reproduced) ? NaN : reproduced;
  const diff = r - published;
  return { table, row, column, published, reproduced: r, diff, tolerance, ok: Number.isFinite(diff) && test(diff, r) };
}

const absWithin = (tol: number) => (d: number): boolean => Math.abs(d) <= tol;
const exact = (d: number): boolean => d === 0;

/** Cells of a summary-statistics row (Table 1 or 2). */
function summaryCells(table: string, row: string, pub: Record<string, unknown>, rep: Record<string, unknown> | undefined): CheckCell[] {
  const out: CheckCell[] = [];
  const dec = TOLERANCES.summaryDecimals;
  for (const key of ['n', 'pct', 'mean', 'sd', 'min', 'median', 'max']) {
    const p = pub[key];
    if (typeof p !== 'number') continue;
    const r = rep?.[key] as number | null | undefined;
    if (key === 'n') out.push(cell(table, row, key, p, r, 'exact', exact));
    else if (key === 'min' || key === 'median' || key === 'max') {
      out.push(cell(table, row, key, p, r, `equal at ${dec} decimals`, (_d, x) => formatFixed(x, dec) === formatFixed(p, dec)));
    } else out.push(cell(table, row, key, p, r, '|diff| <= 0.005', absWithin(TOLERANCES.summaryAbs)));
  }
  return out;
}

/** Cells of one regression model. `main` selects the tight tolerances. */
function modelCells(table: string, pub: PublishedModel, rep: RegressionJson['models'][number] | undefined, main: boolean): CheckCell[] {
  const out: CheckCell[] = [];
  const m = pub.model;
  for (const [label, c] of Object.entries(pub.coefficients)) {
    const r = rep?.coefficients[label];
    const row = `${m} ${label}`;
    if (main) {
      out.push(cell(table, row, 'coef', c.coef, r?.coef, '|diff| <= 0.01', absWithin(TOLERANCES.main.coefAbs)));
      out.push(cell(table, row, 'se', c.se, r?.se, '|diff| <= 1% of published', (d) => Math.abs(d) <= TOLERANCES.main.seRel * c.se + EPS));
    } else {
      const tol = TOLERANCES.other.coefSeMultiple * c.se;
      out.push(cell(table, row, 'coef', c.coef, r?.coef, `|diff| <= 0.25 SE (${formatFixed(tol, 3)})`, (d) => Math.abs(d) <= tol + EPS));
      out.push(cell(table, row, 'se', c.se, r?.se, '|diff| <= 10% of published', (d) => Math.abs(d) <= TOLERANCES.other.seRel * c.se + EPS));
    }
    out.push(cell(table, row, 'stars', c.stars, r?.stars, 'identical', exact));
  }
  out.push(cell(table, `${m} Observations`, 'n', pub.n, rep?.n, 'exact', exact));
  const r2Tol = main ? TOLERANCES.main.r2Abs : TOLERANCES.other.r2Abs;
  out.push(cell(table, `${m} R-squared`, 'r2', pub.r2, rep?.r2, `|diff| <= ${main ? '0.0005' : '0.01'}`, absWithin(r2Tol)));
  return out;
}

/** Every published number beside the reproduced one. */
export function checkReplication(published: Published, reproduced: Reproduced): ReplicationCheck {
  const cells: CheckCell[] = [];
  const t1 = reproduced.table1;
  for (const r of published.table1.ratings) {
    cells.push(...summaryCells('table1', r.rating, r as unknown as Record<string, unknown>, t1.ratings.find((x) => x.rating === r.rating) as unknown as Record<string, unknown>));
  }
  cells.push(...summaryCells('table1', 'Total score', published.table1.total_score as unknown as Record<string, unknown>, t1.total_score as unknown as Record<string, unknown>));
  for (const r of published.table1.first_level_scores) {
    cells.push(...summaryCells('table1', r.indicator, r as unknown as Record<string, unknown>, t1.first_level_scores.find((x) => x.indicator === r.indicator) as unknown as Record<string, unknown>));
  }
  for (const [fig, name] of [[published.figure1, 'figure1'], [published.figure2, 'figure2']] as const) {
    const rep = reproduced[name];
    for (const [indicator, value] of Object.entries(fig.given)) {
      cells.push(cell(name, indicator, 'percent', value, rep[indicator], '|diff| <= 0.005', absWithin(TOLERANCES.figureAbs)));
    }
  }
  for (const r of published.table2.rows) {
    cells.push(...summaryCells('table2', r.variable, r as unknown as Record<string, unknown>, reproduced.table2.rows.find((x) => x.variable === r.variable) as unknown as Record<string, unknown>));
  }
  for (const m of published.table3.models) {
    cells.push(...modelCells('table3', m, reproduced.table3.models.find((x) => x.model === m.model), m.model === '(5)'));
  }
  for (const m of published.table4.models) {
    cells.push(...modelCells('table4', m, reproduced.table4.models.find((x) => x.model === m.model), true));
  }
  const matched = cells.filter((c) => c.ok).length;
  return { cells, matched, total: cells.length };
}

/** The summary line of the report. */
export function summaryLine(check: ReplicationCheck): string {
  return `cells matched: ${check.matched} / ${check.total}`;
}
