/**
 * The regression variables of SPEC.md section 3, each built by one small function from raw
 * values, plus their published labels. Missing inputs give NaN (never a silent 0), so the firm
 * drops at the complete-case step with the variable named as the reason.
 */
import type { Rank, Role } from '../data/schemas.ts';

/** Variable keys (analysis_sample.csv columns) with the labels published.json uses. */
export const VARIABLE_LABELS = {
  total: 'Scores',
  political_connection: 'Political Connection',
  party_building: 'Party-Building Reform',
  soe: 'SOE',
  state_share: '% State Shareholding',
  independent_director_pct: '% Independent Director',
  leverage: 'Leverage',
  roa: 'ROA',
  firm_size: 'Firm Size',
  firm_age: 'Firm Age',
  book_to_market: 'Book-to-Market',
} as const;

export type VariableKey = keyof typeof VARIABLE_LABELS;

/** The ten covariates in Table 3 model (5) order. */
export const COVARIATES: readonly VariableKey[] = [
  'independent_director_pct',
  'leverage',
  'roa',
  'soe',
  'state_share',
  'party_building',
  'political_connection',
  'firm_size',
  'firm_age',
  'book_to_market',
];

/** The variable key of a published label (throws on an unknown label: a bug in the model list). */
export function keyOfLabel(label: string): VariableKey {
  const hit = (Object.keys(VARIABLE_LABELS) as VariableKey[]).find((k) => VARIABLE_LABELS[k] === label);
  if (!hit) throw new Error(`unknown variable label '${label}'`);
  return hit;
}

/** Options of variable construction (defaults are the paper's choices). */
export interface VariableOptions {
  /** Party-Building Reform counts amendments on or before this date (default 2018-12-31). */
  partyBuildingCutoff: string;
  /** Posts whose holders can make a firm politically connected (default: chair, director, independent_director, ceo). */
  connectingRoles: readonly Role[];
  /** Ranks at or above division (default: ministry, department, division). */
  connectedRanks: readonly Rank[];
}

export const DEFAULT_VARIABLE_OPTIONS: VariableOptions = {
  partyBuildingCutoff: '2018-12-31',
  // "at least one director or the CEO" (SPEC.md): the chair and independent directors are directors.
  connectingRoles: ['chair', 'director', 'independent_director', 'ceo'],
  connectedRanks: ['ministry', 'department', 'division'],
};

/** % Independent Director: independent directors / board size (a fraction). */
export function independentDirectorPct(independentDirectors: number, boardSize: number): number {
  return independentDirectors / boardSize;
}

/** Leverage: total liabilities / total assets. */
export function leverage(totalLiabilities: number, totalAssets: number): number {
  return totalLiabilities / totalAssets;
}

/** ROA: net income / total assets. */
export function roa(netIncome: number, totalAssets: number): number {
  return netIncome / totalAssets;
}

/** Firm Size: natural log of total assets. */
export function firmSize(totalAssets: number): number {
  return Math.log(totalAssets);
}

/** Book-to-Market: book equity / market value of equity. */
export function bookToMarket(bookEquity: number, marketValue: number): number {
  return bookEquity / marketValue;
}

/**
 * Party-Building Reform: 1 if the charter was amended (amended = 1) on or before `cutoff`, 0 if not
 * amended or amended later; NaN when `amended` is missing, or amended without a known date
 * (it cannot be placed relative to the cutoff).
 */
export function partyBuilding(amended: number, amendedOn: string | null, cutoff = DEFAULT_VARIABLE_OPTIONS.partyBuildingCutoff): number {
  if (Number.isNaN(amended)) return NaN;
  if (amended === 0) return 0;
  if (amendedOn === null) return NaN;
  return amendedOn <= cutoff ? 1 : 0; // ISO dates compare as strings
}

/**
 * Political Connection: 1 if any holder of a connecting post (chair, director, independent
 * director, CEO) ever held a connected rank (division or above), else 0. NaN when the firm has no
 * executives rows at all: absent biographies are unknown, not "unconnected" (the paper's
 * biography data end in March 2018, so later-listed firms have none).
 */
export function politicalConnection(
  posts: readonly { role: Role; rank: Rank }[],
  opts: Pick<VariableOptions, 'connectingRoles' | 'connectedRanks'> = DEFAULT_VARIABLE_OPTIONS,
): number {
  if (posts.length === 0) return NaN;
  return posts.some((p) => opts.connectingRoles.includes(p.role) && opts.connectedRanks.includes(p.rank)) ? 1 : 0;
}

/**
 * Firm Age: completed years from `established` to `date` (both YYYY-MM-DD), birthday logic:
 * 2000-07-02 -> 2021-07-01 is 20, -> 2021-07-02 is 21. A firm founded on 29 February turns a
 * year older on 1 March in common years. NaN when `established` is missing.
 */
export function firmAge(established: string | null, date: string): number {
  if (established === null) return NaN;
  const [y0, m0, d0] = established.split('-').map(Number);
  const [y1, m1, d1] = date.split('-').map(Number);
  const beforeAnniversary = m1 < m0 || (m1 === m0 && d1 < d0);
  return y1 - y0 - (beforeAnniversary ? 1 : 0);
}
