/**
 * From joined raw records to the study samples: all scored firms (Table 1, Figures 1-2) and the
 * regression sample (Tables 2-4), with a sample-flow table that accounts for every firm of
 * firms.csv (each removed id with its reason) and the winsorization of the regression sample.
 */
import type { RawData } from '../data/load.ts';
import { joinRaw, type JoinedFirm, type OrphanRows } from '../data/join.ts';
import type { QuantileType } from '../stats/quantile.ts';
import type { DataTable } from '../stats/types.ts';
import { winsorize } from '../stats/winsorize.ts';
import { INDICATOR_TREE, type ScoreValues } from './indicatorTree.ts';
import { rateScore, type RatingName } from './ratings.ts';
import {
  COVARIATES,
  DEFAULT_VARIABLE_OPTIONS,
  VARIABLE_LABELS,
  bookToMarket,
  firmAge,
  firmSize,
  independentDirectorPct,
  leverage,
  partyBuilding,
  politicalConnection,
  roa,
  type VariableKey,
  type VariableOptions,
} from './variables.ts';

export interface SampleOptions {
  /** Fiscal year of financials.csv used for the covariates (default 2020). */
  fiscalYear: number;
  /** Regression sample: firms listed strictly before this date (default 2018-03-01). */
  listedBefore: string;
  /** Winsorization tail probability (default 0.005 = 0.5% each tail). */
  winsorizeP: number;
  /** Quantile type of the winsorization bounds (default 2 = Stata _pctile). */
  winsorizeType: QuantileType;
  /** Variables winsorized on the regression sample (default leverage, roa, firm_size, book_to_market). */
  winsorizeVariables: readonly VariableKey[];
  variables: VariableOptions;
}

export const DEFAULT_SAMPLE_OPTIONS: SampleOptions = {
  fiscalYear: 2020,
  listedBefore: '2018-03-01',
  winsorizeP: 0.005,
  winsorizeType: 2,
  winsorizeVariables: ['leverage', 'roa', 'firm_size', 'book_to_market'],
  variables: DEFAULT_VARIABLE_OPTIONS,
};

/** A firm with a credit score (the Table 1 / figure population). */
export interface ScoredFirm {
  firm_id: string;
  rating: RatingName;
  /** total, first- and second-level scores by column key. */
  scores: ScoreValues;
}

/** First-level score columns, in tree order. */
export const FIRST_LEVEL_KEYS: readonly string[] = INDICATOR_TREE.children.map((c) => c.key);

/** Numeric columns of the regression sample, in analysis_sample.csv order. */
export const ANALYSIS_NUMERIC_COLUMNS: readonly string[] = ['total', ...FIRST_LEVEL_KEYS, ...COVARIATES];

/** analysis_sample.csv header: id, numeric columns, then the two fixed-effect groups. */
export const ANALYSIS_COLUMNS: readonly string[] = ['firm_id', ...ANALYSIS_NUMERIC_COLUMNS, 'industry', 'city'];

/** One regression-sample firm: final values (after winsorization). */
export interface AnalysisRow {
  firm_id: string;
  industry: string;
  city: string;
  /** Every ANALYSIS_NUMERIC_COLUMNS entry. */
  values: Record<string, number>;
}

export interface RemovedFirm {
  firm_id: string;
  reason: string;
}

/** One step of the sample flow: firms remaining after it and those it removed. */
export interface FlowStep {
  step: string;
  n: number;
  removed: RemovedFirm[];
}

export interface SampleFlow {
  fiscalYear: number;
  listedBefore: string;
  steps: FlowStep[];
  /** Covariate rows whose firm is not in firms.csv (ignored). */
  orphans: OrphanRows[];
}

export interface WinsorReport {
  variable: VariableKey;
  label: string;
  p: number;
  type: QuantileType;
  lower: number;
  upper: number;
  nLow: number;
  nHigh: number;
}

export interface StudySample {
  options: SampleOptions;
  /** All firms with a score, sorted by firm_id. */
  scored: ScoredFirm[];
  /** The regression sample, sorted by firm_id. */
  rows: AnalysisRow[];
  flow: SampleFlow;
  winsorization: WinsorReport[];
}

/** Reasons a matched firm lacks a covariate file (empty when it has all three). */
function unmatchedReasons(j: JoinedFirm, fiscalYear: number): string[] {
  const out: string[] = [];
  if (!j.financials) out.push(`no financials.csv row for fiscal year ${fiscalYear}`);
  if (!j.governance) out.push('no governance.csv row');
  if (!j.partyBuilding) out.push('no party_building.csv row');
  return out;
}

/** The raw (unwinsorized) covariates of a firm with all covariate rows. */
export function covariatesOf(j: JoinedFirm, opts: VariableOptions): Record<VariableKey, number> {
  const f = j.financials!;
  const g = j.governance!;
  const p = j.partyBuilding!;
  return {
    total: j.score!.scores.total,
    independent_director_pct: independentDirectorPct(g.independent_directors, g.board_size),
    leverage: leverage(f.total_liabilities, f.total_assets),
    roa: roa(f.net_income, f.total_assets),
    soe: g.soe,
    state_share: g.state_share,
    party_building: partyBuilding(p.amended, p.amended_on, opts.partyBuildingCutoff),
    political_connection: politicalConnection(j.executives, opts),
    firm_size: firmSize(f.total_assets),
    firm_age: firmAge(j.firm.established, j.score!.collected),
    book_to_market: bookToMarket(f.book_equity, f.market_value),
  };
}

/** Names what is missing for a complete case ('' when complete). */
function missingReason(j: JoinedFirm, values: Record<string, number>): string {
  const missing: string[] = [];
  if (j.firm.industry === null) missing.push('industry');
  if (j.firm.city === null) missing.push('city');
  for (const k of ANALYSIS_NUMERIC_COLUMNS) {
    if (Number.isNaN(values[k])) {
      missing.push(k === 'political_connection' && j.executives.length === 0 ? 'political_connection (no executives.csv rows)' : k);
    }
  }
  return missing.length ? `missing ${missing.join(', ')}` : '';
}

/** Builds both samples, the flow and the winsorization from a validated raw folder. */
export function buildSample(raw: RawData, options: Partial<SampleOptions> = {}): StudySample {
  const opts: SampleOptions = { ...DEFAULT_SAMPLE_OPTIONS, ...options };
  const { firms, orphans } = joinRaw(raw, opts.fiscalYear);
  const steps: FlowStep[] = [{ step: 'firms in firms.csv', n: firms.length, removed: [] }];
  const step = (name: string, kept: JoinedFirm[], removed: RemovedFirm[]): void => {
    steps.push({ step: name, n: kept.length, removed });
  };

  const scoredJ = firms.filter((j) => j.score !== null);
  step('with a credit score (scores.csv)', scoredJ, firms.filter((j) => j.score === null).map((j) => ({ firm_id: j.firm.firm_id, reason: 'no scores.csv row' })));

  const matched: JoinedFirm[] = [];
  const unmatched: RemovedFirm[] = [];
  for (const j of scoredJ) {
    const reasons = unmatchedReasons(j, opts.fiscalYear);
    if (reasons.length) unmatched.push({ firm_id: j.firm.firm_id, reason: reasons.join('; ') });
    else matched.push(j);
  }
  step(`matched to covariates (financials ${opts.fiscalYear}, governance, party building)`, matched, unmatched);

  const listed = matched.filter((j) => j.firm.listed < opts.listedBefore);
  step(
    `listed before ${opts.listedBefore}`,
    listed,
    matched.filter((j) => j.firm.listed >= opts.listedBefore).map((j) => ({ firm_id: j.firm.firm_id, reason: `listed ${j.firm.listed}` })),
  );

  const rows: AnalysisRow[] = [];
  const incomplete: RemovedFirm[] = [];
  for (const j of listed) {
    const values: Record<string, number> = { ...covariatesOf(j, opts.variables) };
    for (const k of FIRST_LEVEL_KEYS) values[k] = j.score!.scores[k];
    const reason = missingReason(j, values);
    if (reason) incomplete.push({ firm_id: j.firm.firm_id, reason });
    else rows.push({ firm_id: j.firm.firm_id, industry: j.firm.industry!, city: j.firm.city!, values });
  }
  steps.push({ step: 'complete cases (regression sample)', n: rows.length, removed: incomplete });

  const winsorization: WinsorReport[] = opts.winsorizeVariables.map((variable) => {
    const w = winsorize(
      rows.map((r) => r.values[variable]),
      opts.winsorizeP,
      { type: opts.winsorizeType },
    );
    rows.forEach((r, i) => {
      r.values[variable] = w.values[i];
    });
    return { variable, label: VARIABLE_LABELS[variable], p: opts.winsorizeP, type: opts.winsorizeType, lower: w.lower, upper: w.upper, nLow: w.nLow, nHigh: w.nHigh };
  });

  const scored = scoredJ.map((j) => ({ firm_id: j.firm.firm_id, rating: rateScore(j.score!.scores.total), scores: j.score!.scores }));
  return { options: opts, scored, rows, flow: { fiscalYear: opts.fiscalYear, listedBefore: opts.listedBefore, steps, orphans }, winsorization };
}

/** The regression sample as the engine's columnar table (industry and city categorical). */
export function sampleTable(sample: StudySample): DataTable {
  const columns: DataTable['columns'] = {};
  for (const k of ANALYSIS_NUMERIC_COLUMNS) columns[k] = Float64Array.from(sample.rows, (r) => r.values[k]);
  columns.industry = sample.rows.map((r) => r.industry);
  columns.city = sample.rows.map((r) => r.city);
  columns.firm_id = sample.rows.map((r) => r.firm_id);
  return { nrows: sample.rows.length, columns, source: 'analysis sample' };
}
