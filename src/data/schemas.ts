/**
 * The raw input layout as data: for each CSV file of a replication folder, its required columns,
 * their types and admissible values, and its unique key. `load.ts` validates against these;
 * `data/README.md` documents the same rules for people.
 */
import { INDICATOR_TREE } from '../study/indicatorTree.ts';

/** Cell types. Dates are ISO `YYYY-MM-DD` and must be real calendar dates. */
export type CellType = 'id' | 'text' | 'date' | 'number' | 'integer' | 'binary' | 'enum';

export interface ColumnSchema {
  name: string;
  type: CellType;
  /** May the cell be empty (or `NA` / `.`)? Missing values become NaN / null and drop the firm at the complete-case step. */
  optional: boolean;
  /** Inclusive bounds for number / integer cells. */
  min?: number;
  max?: number;
  /** Strictly positive (for logs and ratios). */
  positive?: boolean;
  /** Admissible values of an enum cell. */
  values?: readonly string[];
  /** One-line meaning, for the data dictionary. */
  description: string;
}

export interface FileSchema {
  /** File name inside the data folder. */
  file: string;
  description: string;
  columns: readonly ColumnSchema[];
  /** Columns whose combination must be unique. */
  key: readonly string[];
}

/** Cell text read as a missing value in optional columns (R writes NA, Stata writes .). */
export const MISSING_TOKENS: readonly string[] = ['', 'NA', '.'];

/** Executive posts; only the first four count for Political Connection. */
export const ROLES = ['chair', 'director', 'independent_director', 'ceo', 'supervisor', 'executive'] as const;
export type Role = (typeof ROLES)[number];

/** Highest government or party rank ever held, from high to low. */
export const RANKS = ['ministry', 'department', 'division', 'section', 'staff', 'clerk', 'none'] as const;
export type Rank = (typeof RANKS)[number];

const firmId: ColumnSchema = { name: 'firm_id', type: 'id', optional: false, description: 'firm identifier (e.g. stock code), the join key' };

/** Score columns: total, then each first-level category followed by its second-level indicators' columns. */
function scoreColumns(): ColumnSchema[] {
  const cols: ColumnSchema[] = [
    { name: 'total', type: 'number', optional: false, min: 0, max: INDICATOR_TREE.total, description: `total public credit score (0-${INDICATOR_TREE.total}); equals the sum of the five first-level scores` },
  ];
  for (const first of INDICATOR_TREE.children) {
    cols.push({ name: first.key, type: 'number', optional: false, min: 0, max: first.weight, description: `${first.name} (first level, 0-${first.weight}); equals the sum of its second-level scores` });
  }
  for (const first of INDICATOR_TREE.children) {
    for (const second of first.children) {
      cols.push({ name: second.key, type: 'number', optional: false, min: 0, max: second.weight, description: `${second.name} (second level under ${first.name}, 0-${second.weight})` });
    }
  }
  return cols;
}

export const FIRMS: FileSchema = {
  file: 'firms.csv',
  description: 'one row per firm: identity, location, industry and dates',
  key: ['firm_id'],
  columns: [
    firmId,
    { name: 'name', type: 'text', optional: true, description: 'firm name (not used in the analysis)' },
    { name: 'city', type: 'text', optional: true, description: 'prefecture-level city (city fixed effect)' },
    { name: 'industry', type: 'text', optional: true, description: 'industry classification (industry fixed effect)' },
    { name: 'established', type: 'date', optional: true, description: 'date of establishment (Firm Age)' },
    { name: 'listed', type: 'date', optional: false, description: 'IPO / listing date (sample: listed before the cutoff)' },
  ],
};

export const SCORES: FileSchema = {
  file: 'scores.csv',
  description: 'one row per firm: the public credit score and its first- and second-level components',
  key: ['firm_id'],
  columns: [
    firmId,
    { name: 'collected', type: 'date', optional: false, description: 'date the score was collected (end date of Firm Age)' },
    ...scoreColumns(),
  ],
};

export const FINANCIALS: FileSchema = {
  file: 'financials.csv',
  description: 'one row per firm and fiscal year: balance sheet, income and market value (the analysis uses one fiscal year)',
  key: ['firm_id', 'fiscal_year'],
  columns: [
    firmId,
    { name: 'fiscal_year', type: 'integer', optional: false, min: 1900, max: 2100, description: 'fiscal year' },
    { name: 'total_assets', type: 'number', optional: true, positive: true, description: 'total assets (> 0; Firm Size = ln, Leverage and ROA denominators)' },
    { name: 'total_liabilities', type: 'number', optional: true, min: 0, description: 'total liabilities (>= 0)' },
    { name: 'net_income', type: 'number', optional: true, description: 'net income (any sign)' },
    { name: 'book_equity', type: 'number', optional: true, description: 'book value of equity (any sign)' },
    { name: 'market_value', type: 'number', optional: true, positive: true, description: 'market value of equity (> 0)' },
  ],
};

export const GOVERNANCE: FileSchema = {
  file: 'governance.csv',
  description: 'one row per firm: board and ownership',
  key: ['firm_id'],
  columns: [
    firmId,
    { name: 'board_size', type: 'integer', optional: true, min: 1, description: 'number of directors (>= 1)' },
    { name: 'independent_directors', type: 'integer', optional: true, min: 0, description: 'number of independent directors (0 to board_size)' },
    { name: 'soe', type: 'binary', optional: true, description: '1 if the ultimate controller is the state, else 0' },
    { name: 'state_share', type: 'number', optional: true, min: 0, max: 1, description: 'state plus state-owned legal-person shares / total shares (fraction 0-1)' },
  ],
};

export const PARTY_BUILDING: FileSchema = {
  file: 'party_building.csv',
  description: 'one row per firm: charter amendment with party-building provisions',
  key: ['firm_id'],
  columns: [
    firmId,
    { name: 'amended', type: 'binary', optional: true, description: '1 if the charter was ever amended with party-building provisions' },
    { name: 'amended_on', type: 'date', optional: true, description: 'date of that amendment (empty when amended = 0)' },
  ],
};

export const EXECUTIVES: FileSchema = {
  file: 'executives.csv',
  description: 'one row per person and post: the highest government or party rank the person ever held',
  key: ['firm_id', 'person_id', 'role'],
  columns: [
    firmId,
    { name: 'person_id', type: 'id', optional: false, description: 'person identifier' },
    { name: 'role', type: 'enum', optional: false, values: ROLES, description: `post: ${ROLES.join(', ')}` },
    { name: 'rank', type: 'enum', optional: false, values: RANKS, description: `highest government/party rank ever held: ${RANKS.join(', ')}` },
  ],
};

/** Every file of a raw replication folder, in the order they are loaded and documented. */
export const RAW_SCHEMAS: readonly FileSchema[] = [FIRMS, SCORES, FINANCIALS, GOVERNANCE, PARTY_BUILDING, EXECUTIVES];
