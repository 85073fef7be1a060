/**
 * Orchestration of the synthetic replication data set: firms -> covariates (exact Table 2
 * marginals, tuned joint structure) -> raw records -> regression variables exactly as the
 * pipeline derives them -> scores (whose calibration ends by adjusting continuous covariates of
 * sample firms; the raw records are then written again from those values) -> six CSV files.
 * Everything is a function of the seed.
 */
import { createRng, type Rng } from '../stats/rng.ts';
import { COLLECTED, SAMPLE_CUTOFF, completedYears, dayNumber, establishedFor, listingAfter, makeFirms, type FirmSkeleton } from './firms.ts';
import { outOfSampleCovariates, sampleCovariates, table2Targets, type CovariateValues } from './covariates.ts';
import { ShortModelFit, tuneJointStructure, type ExplainedShareSpec, type RegVar, type SeRatioSpec } from './jointStructure.ts';
import { materializeFirm, personIds, writeRawFiles, type RawFirmRecord } from './rawFiles.ts';
import { loadPublished, scoresRow, type Published } from './targets.ts';
import { calibratedScorer, verify, type CalibrateOptions, type TargetCheck } from './calibrateScores.ts';
import type { FirstLevelScores, RegressionX, ScoreRecord, SecondLevelScores, SynthFirm } from './types.ts';
import { winsorize } from '../stats/winsorize.ts';

/** Default seed of the committed data set (data/replication). */
export const DEFAULT_SEED = 20211001;

/**
 * What a scorer returns: every firm's scores and, optionally, adjusted values of continuous
 * covariates of sample firms (the calibration's late phases move some; the raw records are then
 * written from them).
 */
export interface ScorerOutput {
  scores: Map<string, ScoreRecord>;
  covariates?: Map<string, Partial<RegressionX>>;
}

/** A function producing every firm's scores (the calibrator or the placeholder below). */
export type Scorer = (firms: SynthFirm[], published: Published, rng: Rng) => Map<string, ScoreRecord> | ScorerOutput;

export interface GenerateOptions {
  /** Number of firms (default 531). */
  nFirms?: number;
  /** Firms listed before the cutoff (default 414, or 78% of nFirms when nFirms is given). */
  nSample?: number;
  /** Published targets (default data/paper/published.json). */
  published?: Published;
  /** Score generator (default: calibratedScorer for full-size data, placeholderScores for small ones). */
  scorer?: Scorer;
  /** Options of the score calibration (default scorer, full size only). */
  calibrate?: CalibrateOptions;
  /** Swap attempts of the joint-structure tuning (default 8000; 0 disables it). */
  tuneIterations?: number;
  /** Cross-model SE ratios the joint-structure tuning also fits (default none). */
  seRatios?: readonly SeRatioSpec[];
  /** Explained shares the joint-structure tuning also fits (default none). */
  explainedShares?: ExplainedShareSpec;
}

export interface Dataset {
  /** file name -> CSV text */
  files: Map<string, string>;
  firms: SynthFirm[];
  records: Map<string, RawFirmRecord>;
  scores: Map<string, ScoreRecord>;
  /** Table 3 models (1)-(4) implied by the covariates, in published SEs (empty when not tuned). */
  shortModelDeviations: { model: string; name: string; z: number }[];
  /** The calibrator's own check of every published target (empty with other scorers). */
  calibrationChecks: TargetCheck[];
}

/** Variables winsorized by the pipeline (0.5% per tail, Stata type 2, on the regression sample). */
export const WINSORIZED: readonly (keyof RegressionX)[] = ['leverage', 'roa', 'firm_size', 'book_to_market'];

const CONNECTING_ROLES = new Set(['chair', 'director', 'independent_director', 'ceo']);
const CONNECTED_RANKS = new Set(['division', 'department', 'ministry']);
const PARTY_CUTOFF = '2018-12-31';

/**
 * The ten regression variables of one firm exactly as SPEC.md / the pipeline define them, from
 * its raw records (fiscal 2020 financials); NaN where a record is missing. Not winsorized.
 */
export function deriveX(rec: RawFirmRecord, established: string, collected: string): RegressionX {
  const f = rec.financials.find((r) => r.fiscal_year === 2020);
  const g = rec.governance;
  return {
    independent_director_pct: g ? g.independent_directors / g.board_size : NaN,
    leverage: f ? f.total_liabilities / f.total_assets : NaN,
    roa: f ? f.net_income / f.total_assets : NaN,
    soe: g ? g.soe : NaN,
    state_share: g ? g.state_share : NaN,
    party_building: rec.party.amended === 1 && rec.party.amended_on !== '' && rec.party.amended_on <= PARTY_CUTOFF ? 1 : 0,
    political_connection: rec.executives.some((e) => CONNECTING_ROLES.has(e.role) && CONNECTED_RANKS.has(e.rank)) ? 1 : 0,
    firm_size: f ? Math.log(f.total_assets) : NaN,
    firm_age: completedYears(established, collected),
    book_to_market: f ? f.book_equity / f.market_value : NaN,
  };
}

/**
 * PLACEHOLDER scores (used for --small data sets and until the calibrated scorer is plugged in):
 * plausible integer scores consistent with the indicator tree (most indicators at full marks,
 * occasional deductions, Social Responsibility from honesty records 0/60/120 and rare charity),
 * but NOT calibrated to Tables 1, 3 or 4.
 */
export function placeholderScores(firms: SynthFirm[], _published: Published, rng: Rng): Map<string, ScoreRecord> {
  const out = new Map<string, ScoreRecord>();
  const deduct = (w: number, pFull: number, cuts: readonly number[]): number => (rng.bernoulli(pFull) ? w : Math.max(0, w - rng.choice(cuts)));
  for (const f of firms) {
    const s: SecondLevelScores = {
      key_personnel: deduct(40, 0.98, [20, 40]),
      business_operation: deduct(40, 0.98, [20]),
      financial_condition: deduct(135, 0.96, [10, 15, 50, 60]),
      tax: deduct(60, 0.97, [30]),
      product_quality: deduct(30, 0.97, [5, 10, 30]),
      production_safety: deduct(30, 0.98, [10, 30]),
      environmental_protection: deduct(30, 0.96, [5, 10, 20]),
      administrative_management: deduct(200, 0.85, [5, 10, 20, 30, 60, 90]),
      judicial_records: deduct(130, 0.93, [20, 50, 60]),
      serious_dishonest_acts: rng.bernoulli(0.985) ? 120 : 0,
      charity: rng.choice([0, 30, 35, 65], [96, 2, 1.5, 0.5]),
      honesty_records: rng.choice([0, 60, 120], [14, 55, 31]),
    };
    const first: FirstLevelScores = {
      basic_data: s.key_personnel + s.business_operation,
      finance_taxation: s.financial_condition + s.tax,
      governance: s.product_quality + s.production_safety + s.environmental_protection,
      compliance: s.administrative_management + s.judicial_records + s.serious_dishonest_acts,
      social_responsibility: s.charity + s.honesty_records,
    };
    out.set(f.firm_id, { first, second: s });
  }
  return out;
}

/** Moves bottom-tail BM values to the two most levered firms (negative equity) and returns them. */
function placeDistressed(cov: CovariateValues[]): number[] {
  const byLev = cov.map((c, i) => i).sort((a, b) => cov[b].leverage - cov[a].leverage || a - b);
  const byBm = cov.map((c, i) => i).sort((a, b) => cov[a].book_to_market - cov[b].book_to_market || a - b);
  const distressed = byLev.slice(0, 2);
  const lowBm = byBm.slice(0, 2).map((i) => cov[i].book_to_market);
  // Give the distressed firms the two lowest BM values, handing theirs to the former holders.
  for (let k = 0; k < 2; k++) {
    const holder = cov.findIndex((c) => c.book_to_market === lowBm[k]);
    const tmp = cov[distressed[k]].book_to_market;
    cov[distressed[k]].book_to_market = lowBm[k];
    cov[holder].book_to_market = tmp;
  }
  return distressed;
}

/** Winsorizing bounds of the sample (type 2) for each winsorized variable. */
function bounds(values: Record<string, number[]>): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const v of WINSORIZED) {
    const w = winsorize(Float64Array.from(values[v]), 0.005, { type: 2 });
    out[v] = [w.lower, w.upper];
  }
  return out;
}

/** Builds the whole data set in memory. */
export function buildDataset(seed: number, opts: GenerateOptions = {}): Dataset {
  const published = opts.published ?? loadPublished();
  const nFirms = opts.nFirms ?? 531;
  const nSample = opts.nSample ?? (opts.nFirms === undefined ? 414 : Math.round(nFirms * 0.78));
  const exact = nSample >= 200;
  const rng = createRng(seed);
  const skel = makeFirms(nFirms, nSample, rng.fork('firms'));
  const sampleIdx = skel.flatMap((f, i) => (f.inSample ? [i] : []));
  const oosIdx = skel.flatMap((f, i) => (f.inSample ? [] : [i]));

  // Covariates: exact marginals for the sample, joint structure tuned to Table 3 models (1)-(4).
  const targets = table2Targets(published);
  const sampleCov = sampleCovariates(sampleIdx.length, targets, rng.fork('covariates'), exact);
  const distressed = exact ? placeDistressed(sampleCov) : [];
  let deviations: Dataset['shortModelDeviations'] = [];
  if (exact && (opts.tuneIterations ?? 8000) > 0) {
    const b = bounds({
      leverage: sampleCov.map((c) => c.leverage),
      roa: sampleCov.map((c) => c.roa),
      firm_size: sampleCov.map((c) => c.firm_size),
      book_to_market: sampleCov.map((c) => c.book_to_market),
    });
    const clip = (v: RegVar, x: number): number => (b[v] ? Math.min(b[v][1], Math.max(b[v][0], x)) : x);
    const fit = new ShortModelFit(published, sampleIdx.map((i) => skel[i].industry), sampleIdx.map((i) => skel[i].city), opts.seRatios, opts.explainedShares && { ...opts.explainedShares, scoresSd: scoresRow(published).sd });
    const frozen = new Map(distressed.map((i) => [i, new Set<keyof CovariateValues>(['leverage', 'book_to_market'])]));
    deviations = tuneJointStructure(sampleCov, fit, clip, rng.fork('tune'), { iterations: opts.tuneIterations ?? 8000, frozen });
  }
  const oosCov = outOfSampleCovariates(oosIdx.length, rng.fork('oos'));
  const cov = new Array<CovariateValues>(nFirms);
  sampleIdx.forEach((fi, k) => (cov[fi] = sampleCov[k]));
  oosIdx.forEach((fi, k) => (cov[fi] = oosCov[k]));

  // Dates: establishment reproduces the age; listing moves later when it preceded founding.
  const dateRng = rng.fork('dates');
  const firmsWithDates = skel.map((f, i) => {
    const established = establishedFor(cov[i].firm_age, COLLECTED, f.listed, dateRng);
    let listed = f.listed;
    if (dayNumber(listed) < dayNumber(established) + 365) {
      listed = f.inSample
        ? listingAfter(established, '1994-01-01', isoBefore(SAMPLE_CUTOFF), dateRng)
        : listingAfter(established, SAMPLE_CUTOFF, '2021-06-30', dateRng);
    }
    return { ...f, established, listed };
  });

  // Raw records; a few out-of-sample firms lack a record (sample-flow accounting).
  // One seed for the raw records, so that they can be materialized again from adjusted covariates
  // with the same random draws (the draws do not depend on the covariate values).
  const rawSeed = rng.fork('raw').nextU32();
  const dropFin = new Set(exact ? oosIdx.slice(0, 3) : []);
  const dropGov = new Set(exact ? oosIdx.slice(3, 5) : []);
  const distressedFirms = new Set(distressed.map((k) => sampleIdx[k]));
  const materialize = (values: CovariateValues[]): { records: Map<string, RawFirmRecord>; firms: SynthFirm[] } => {
    const rawRng = createRng(rawSeed);
    const nextPerson = personIds();
    const records = new Map<string, RawFirmRecord>();
    firmsWithDates.forEach((f, i) => {
      records.set(
        f.firm_id,
        materializeFirm(values[i], rawRng, nextPerson, {
          negativeEquity: distressedFirms.has(i),
          dropFinancials2020: dropFin.has(i),
          dropGovernance: dropGov.has(i),
        }),
      );
    });
    markPartyEdgeCases(firmsWithDates, records);
    // Regression variables as the pipeline derives them, winsorized on the sample.
    const rawX = firmsWithDates.map((f) => deriveX(records.get(f.firm_id) as RawFirmRecord, f.established, COLLECTED));
    checkAgainstTargets(firmsWithDates, rawX, values);
    const xs = rawX.map((x) => ({ ...x }));
    for (const v of WINSORIZED) {
      const w = winsorize(Float64Array.from(sampleIdx, (i) => rawX[i][v]), 0.005, { type: 2 });
      sampleIdx.forEach((fi, k) => (xs[fi][v] = w.values[k]));
    }
    const firms: SynthFirm[] = firmsWithDates.map((f, i) => ({
      firm_id: f.firm_id,
      name: f.name,
      city: f.city,
      industry: f.industry,
      established: f.established,
      listed: f.listed,
      inSample: f.inSample,
      x: xs[i],
    }));
    return { records, firms };
  };
  let { records, firms } = materialize(cov);
  const index = new Map(firmsWithDates.map((f, i) => [f.firm_id, i]));
  const withAdjusted = (covariates: Map<string, Partial<RegressionX>>): CovariateValues[] => {
    const out = cov.map((c) => ({ ...c }));
    for (const [id, x] of covariates) {
      const i = index.get(id);
      if (i === undefined || !skel[i].inSample) throw new Error(`generate: adjusted covariates for unknown or out-of-sample firm ${id}`);
      for (const v of Object.keys(x)) if (!WINSORIZED.includes(v as keyof RegressionX)) throw new Error(`generate: ${id}: '${v}' is not a continuous covariate that can be adjusted`);
      Object.assign(out[i], x);
    }
    return out;
  };

  const checks: TargetCheck[] = [];
  // Calibrated scores (calibrateScores.ts: first level by annealing, Figure 2 split) for full-size data.
  // The calibrator's score programs plan on the covariates as written and read back (rederive).
  const rederive = (covariates: Map<string, Partial<RegressionX>>): SynthFirm[] => materialize(withAdjusted(covariates)).firms;
  const scorer = opts.scorer ?? (exact ? calibratedScorer({ ...opts.calibrate, rederive, onResult: (r) => checks.push(...r.checks) }) : placeholderScores);
  const scored = scorer(firms, published, rng.fork('scores'));
  const { scores, covariates } = scored instanceof Map ? { scores: scored, covariates: undefined } : scored;
  if (covariates && covariates.size > 0) {
    // The calibration adjusted continuous covariates of some sample firms: write the raw records
    // from those values, and check that the pipeline will derive them back.
    ({ records, firms } = materialize(withAdjusted(covariates)));
    for (const [id, x] of covariates) {
      const f = firms[index.get(id) as number];
      for (const [v, want] of Object.entries(x) as [keyof RegressionX, number][]) {
        // Whole-yuan amounts: ratios carry relative errors of about 1 / amount.
        if (Math.abs(f.x[v] - want) > 1e-7 * Math.max(1, Math.abs(want))) throw new Error(`generate: ${id} ${v} derives to ${f.x[v]}, adjusted to ${want}`);
      }
    }
    // The calibrator's checks, again on the variables as written.
    if (checks.length > 0) checks.splice(0, checks.length, ...verify(firms, published, new Map([...scores].map(([id, r]) => [id, r.first]))));
  }
  const files = writeRawFiles(firms, records, scores, COLLECTED);
  return { files, firms, records, scores, shortModelDeviations: deviations, calibrationChecks: checks };
}

/** The six CSV files (name -> text) for a seed: same seed and options give identical bytes. */
export function generateDataset(seed: number, opts: GenerateOptions = {}): Map<string, string> {
  return buildDataset(seed, opts).files;
}

/** The ISO date one day before `iso`. */
function isoBefore(iso: string): string {
  return new Date((dayNumber(iso) - 1) * 86400000).toISOString().slice(0, 10);
}

/**
 * Edge cases of the Party-Building rule, so the pipeline's cutoff is exercised: one counting
 * firm amended on 2018-12-31 itself and one non-counting firm amended on 2019-01-01.
 */
function markPartyEdgeCases(firms: readonly FirmSkeleton[], records: Map<string, RawFirmRecord>): void {
  const onCutoff = firms.find((f) => f.inSample && records.get(f.firm_id)?.party.amended_on.startsWith('2018'));
  if (onCutoff) (records.get(onCutoff.firm_id) as RawFirmRecord).party.amended_on = PARTY_CUTOFF;
  const dayAfter = firms.find((f) => f.inSample && records.get(f.firm_id)?.party.amended_on.startsWith('2019'));
  if (dayAfter) (records.get(dayAfter.firm_id) as RawFirmRecord).party.amended_on = '2019-01-01';
}

/** Sanity check: the raw files reproduce the intended covariates (a bug otherwise). */
function checkAgainstTargets(firms: readonly FirmSkeleton[], x: RegressionX[], cov: CovariateValues[]): void {
  firms.forEach((f, i) => {
    const c = cov[i];
    const want: Partial<RegressionX> = {
      independent_director_pct: c.independent_directors / c.board_size,
      soe: c.soe,
      party_building: c.party_building,
      political_connection: c.political_connection,
      firm_age: c.firm_age,
      leverage: c.leverage,
      roa: c.roa,
      firm_size: c.firm_size,
    };
    for (const [k, v] of Object.entries(want) as [keyof RegressionX, number][]) {
      const got = x[i][k];
      if (Number.isNaN(got)) continue; // deliberately missing record
      if (Math.abs(got - v) > 1e-6 * Math.max(1, Math.abs(v))) throw new Error(`generate: ${f.firm_id} ${k} is ${got}, intended ${v}`);
    }
    if (!Number.isNaN(x[i].book_to_market) && x[i].book_to_market > 0 && Math.abs(x[i].book_to_market - c.book_to_market) > 1e-6) {
      throw new Error(`generate: ${f.firm_id} book_to_market is ${x[i].book_to_market}, intended ${c.book_to_market}`);
    }
  });
}
