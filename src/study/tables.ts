/**
 * Table 1 (ratings and score distribution, all scored firms), Table 2 (summary statistics of the
 * regression sample) and the Figure 1/2 values (mean score as percent of maximum), computed at
 * full precision in the shape of the matching published.json entries, plus their table layouts.
 */
import { describe, type Summary } from '../stats/describe.ts';
import { formatFixed, formatInteger } from '../report/format.ts';
import { ruleRow, type Table, type TableRow } from '../report/table.ts';
import { INDICATOR_TREE, secondLevels, type IndicatorTree } from './indicatorTree.ts';
import { RATING_BANDS } from './ratings.ts';
import type { ScoredFirm, StudySample } from './sample.ts';
import { VARIABLE_LABELS, type VariableKey } from './variables.ts';

/** n, mean, sd, min, median, max; null where a statistic does not exist (JSON has no NaN). */
export interface Stats {
  n: number;
  mean: number | null;
  sd: number | null;
  min: number | null;
  median: number | null;
  max: number | null;
}

export interface RatingRow extends Stats {
  rating: string;
  rule: string;
  /** Percent of all scored firms. */
  pct: number | null;
}

export interface FirstLevelRow extends Stats {
  indicator: string;
  max_points: number;
}

export interface Table1 {
  title: string;
  ratings: RatingRow[];
  total_score: Stats;
  first_level_scores: FirstLevelRow[];
}

export interface Table2Row extends Stats {
  variable: string;
}

export interface Table2 {
  title: string;
  rows: Table2Row[];
  /** How the sample was winsorized (p = 0: not at all), for the table note. */
  winsorization: { p: number; type: number; variables: string[] };
}

/** Indicator name -> mean score as percent of its maximum. */
export type FigureValues = Record<string, number | null>;

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** The six published statistics of a sample (NaN ignored; Stata type-2 median). */
export function stats(x: ArrayLike<number>): Stats {
  const s: Summary = describe(x);
  return { n: s.n, mean: finite(s.mean), sd: finite(s.sd), min: finite(s.min), median: finite(s.median), max: finite(s.max) };
}

/** Table 1 from all scored firms: each rating band, the total score, each first-level score. */
export function computeTable1(scored: readonly ScoredFirm[], tree: IndicatorTree = INDICATOR_TREE): Table1 {
  const n = scored.length;
  const ratings = RATING_BANDS.map((band): RatingRow => {
    const totals = scored.filter((f) => f.rating === band.rating).map((f) => f.scores.total);
    return { rating: band.rating, rule: band.rule, ...stats(totals), pct: n > 0 ? (100 * totals.length) / n : null };
  });
  // published.json puts `pct` right after `n`; rebuild each row in that key order.
  const ordered = ratings.map(({ rating, rule, n: k, pct, mean, sd, min, median, max }) => ({ rating, rule, n: k, pct, mean, sd, min, median, max }));
  return {
    title: `Distribution of Ratings and Scores (all ${n} firms)`,
    ratings: ordered,
    total_score: stats(scored.map((f) => f.scores.total)),
    first_level_scores: tree.children.map((c) => ({
      indicator: c.name,
      max_points: c.weight,
      ...stats(scored.map((f) => f.scores[c.key])),
    })),
  };
}

/** Table 2 rows, in the published order. */
export const TABLE2_VARIABLES: readonly VariableKey[] = [
  'total',
  'political_connection',
  'party_building',
  'soe',
  'state_share',
  'independent_director_pct',
  'leverage',
  'roa',
  'firm_size',
  'firm_age',
  'book_to_market',
];

/** Table 2 from the (winsorized) regression sample. */
export function computeTable2(sample: StudySample): Table2 {
  return {
    title: `Summary Statistics (regression sample, ${sample.rows.length} firms)`,
    rows: TABLE2_VARIABLES.map((k) => ({ variable: VARIABLE_LABELS[k], ...stats(sample.rows.map((r) => r.values[k])) })),
    winsorization: {
      p: sample.options.winsorizeP,
      type: sample.options.winsorizeType,
      variables: sample.options.winsorizeVariables.map((k) => VARIABLE_LABELS[k]),
    },
  };
}

/** "a, b and c". */
function listText(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Table 2's note: what was winsorized and how, from the options actually used (not the paper's defaults). */
export function table2Note(w: Table2['winsorization']): string {
  const median = 'Median: Stata definition (type 2).';
  if (w.p === 0 || w.variables.length === 0) return `No variable winsorized. ${median}`;
  const pct = String(Number((100 * w.p).toPrecision(10)));
  const bounds = w.type === 2 ? '' : ` (bounds: quantile type ${w.type})`;
  return `${listText(w.variables)} winsorized at ${pct}% in each tail${bounds}. ${median}`;
}

/** Mean of `key` over the scored firms as percent of `weight`. */
function percentOfMax(scored: readonly ScoredFirm[], key: string, weight: number): number | null {
  const m = stats(scored.map((f) => f.scores[key])).mean;
  return m === null ? null : (100 * m) / weight;
}

/** Figure 1: each first-level indicator (SPEC names) -> mean as percent of its maximum. */
export function computeFigure1(scored: readonly ScoredFirm[], tree: IndicatorTree = INDICATOR_TREE): FigureValues {
  const out: FigureValues = {};
  for (const c of tree.children) out[c.name] = percentOfMax(scored, c.key, c.weight);
  return out;
}

/** Figure 2: each second-level indicator -> mean as percent of its maximum. */
export function computeFigure2(scored: readonly ScoredFirm[], tree: IndicatorTree = INDICATOR_TREE): FigureValues {
  const out: FigureValues = {};
  for (const { indicator } of secondLevels(tree)) out[indicator.name] = percentOfMax(scored, indicator.key, indicator.weight);
  return out;
}

/** Fixed decimals, '.' for a missing statistic (as Stata prints). */
const fx = (x: number | null, digits: number): string => (x === null ? '.' : formatFixed(x, digits));

const STAT_COLUMNS = ['N', 'Mean', 'SD', 'Min', 'Median', 'Max'];

function statCells(s: Stats, digits: number): string[] {
  return [formatInteger(s.n), fx(s.mean, digits), fx(s.sd, digits), fx(s.min, digits), fx(s.median, digits), fx(s.max, digits)];
}

/** Table 1 laid out as published: ratings block, then total and first-level scores (2 decimals). */
export function table1Layout(t: Table1): Table {
  const body = (cells: string[]): TableRow => ({ kind: 'body', cells });
  const rows: TableRow[] = [
    ...t.ratings.map((r) => body([r.rating, r.rule, formatInteger(r.n), fx(r.pct, 2), ...statCells(r, 2).slice(1)])),
    ruleRow(),
    body(['Total score', '0-1000', ...[formatInteger(t.total_score.n), ''], ...statCells(t.total_score, 2).slice(1)]),
    ...t.first_level_scores.map((r) => body([r.indicator, `0-${r.max_points}`, formatInteger(r.n), '', ...statCells(r, 2).slice(1)])),
  ];
  return {
    title: `Table 1. ${t.title}`,
    columns: [
      { label: 'Rating / score', align: 'l' },
      { label: 'Rule / range', align: 'l' },
      { label: 'N', align: 'r' },
      { label: '%', align: 'd' },
      ...STAT_COLUMNS.slice(1).map((label) => ({ label, align: 'd' as const })),
    ],
    rows,
    notes: ['S = total public credit score. Median: Stata definition (type 2). SD with divisor N - 1.'],
  };
}

/** Table 2 laid out as published (2 decimals). */
export function table2Layout(t: Table2): Table {
  return {
    title: `Table 2. ${t.title}`,
    columns: [{ label: 'Variable', align: 'l' }, { label: 'N', align: 'r' }, ...STAT_COLUMNS.slice(1).map((label) => ({ label, align: 'd' as const }))],
    rows: t.rows.map((r) => ({ kind: 'body', cells: [r.variable, ...statCells(r, 2)] })),
    notes: [table2Note(t.winsorization)],
  };
}

/** A figure's values as a two-column table (for the index page and text output). */
export function figureLayout(title: string, values: FigureValues): Table {
  return {
    title,
    columns: [{ label: 'Indicator', align: 'l' }, { label: 'Mean as % of maximum', align: 'd' }],
    rows: Object.entries(values).map(([k, v]) => ({ kind: 'body', cells: [k, fx(v, 2)] })),
    notes: [],
  };
}
