/**
 * Types shared by the synthetic-data modules: the firm/covariate side (firms.ts, covariates.ts,
 * rawFiles.ts, generate.ts) and the score calibration side (calibrate*.ts, scores*.ts, secondLevel.ts).
 */
import { COVARIATES } from '../study/variables.ts';

/** The ten regression covariates, exactly as the replication pipeline computes them. */
export interface RegressionX {
  independent_director_pct: number;
  leverage: number;
  roa: number;
  soe: number;
  state_share: number;
  party_building: number;
  political_connection: number;
  firm_size: number;
  firm_age: number;
  book_to_market: number;
}

/** Names of the ten covariates in model (5) order (Table 3): the pipeline's own list. */
export const X_NAMES = COVARIATES as readonly (keyof RegressionX)[];

export interface SynthFirm {
  firm_id: string;
  name: string;
  city: string;
  industry: string;
  /** YYYY-MM-DD */
  established: string;
  /** YYYY-MM-DD */
  listed: string;
  /** listed < 2018-03-01 and complete records: the 414-firm regression sample. */
  inSample: boolean;
  /**
   * Final regression variables exactly as the pipeline will compute them from the raw files
   * (leverage, roa, firm_size, book_to_market winsorized at 0.5% per tail on the 414 sample,
   * Stata _pctile type 2). For out-of-sample firms: the unwinsorized values (NaN where a raw
   * record is deliberately missing).
   */
  x: RegressionX;
}

/** First-level sub-scores (integers, each in [0, weight]); they sum to the total score. */
export interface FirstLevelScores {
  basic_data: number;
  finance_taxation: number;
  governance: number;
  compliance: number;
  social_responsibility: number;
}

/** Second-level sub-scores (integers, each in [0, weight]); each group sums to its first level. */
export interface SecondLevelScores {
  key_personnel: number;
  business_operation: number;
  financial_condition: number;
  tax: number;
  product_quality: number;
  production_safety: number;
  environmental_protection: number;
  administrative_management: number;
  judicial_records: number;
  serious_dishonest_acts: number;
  charity: number;
  honesty_records: number;
}

/** Weights of the indicator tree (Zhejiang 2020 Guidelines; SPEC.md section 1). */
export const FIRST_LEVEL_WEIGHTS: Readonly<FirstLevelScores> = {
  basic_data: 80,
  finance_taxation: 195,
  governance: 90,
  compliance: 450,
  social_responsibility: 185,
};

export const SECOND_LEVEL_WEIGHTS: Readonly<SecondLevelScores> = {
  key_personnel: 40,
  business_operation: 40,
  financial_condition: 135,
  tax: 60,
  product_quality: 30,
  production_safety: 30,
  environmental_protection: 30,
  administrative_management: 200,
  judicial_records: 130,
  serious_dishonest_acts: 120,
  charity: 65,
  honesty_records: 120,
};

/** Which second-level indicators make up each first-level indicator. */
export const TREE: Readonly<Record<keyof FirstLevelScores, readonly (keyof SecondLevelScores)[]>> = {
  basic_data: ['key_personnel', 'business_operation'],
  finance_taxation: ['financial_condition', 'tax'],
  governance: ['product_quality', 'production_safety', 'environmental_protection'],
  compliance: ['administrative_management', 'judicial_records', 'serious_dishonest_acts'],
  social_responsibility: ['charity', 'honesty_records'],
};

/** A firm's complete score record (one scores.csv row). */
export interface ScoreRecord {
  first: FirstLevelScores;
  second: SecondLevelScores;
}
