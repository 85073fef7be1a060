/**
 * Raw records and CSV text of the synthetic data set, in the layout the replication loaders read
 * (src/data/schemas.ts): firms, scores, financials, governance, party_building, executives.
 * Numbers are written deterministically: integers as integers (CNY amounts are whole yuan),
 * fractions with fixed decimals, never exponent notation.
 */
import type { Rng } from '../stats/rng.ts';
import type { CovariateValues } from './covariates.ts';
import type { FirstLevelScores, ScoreRecord, SecondLevelScores } from './types.ts';
import { TREE } from './types.ts';
import { dayNumber, isoDate } from './firms.ts';

/** One financials.csv row. */
export interface FinancialRow {
  fiscal_year: number;
  total_assets: number;
  total_liabilities: number;
  net_income: number;
  book_equity: number;
  market_value: number;
}

/** One executives.csv row. */
export interface ExecutiveRow {
  person_id: string;
  role: 'chair' | 'director' | 'independent_director' | 'ceo' | 'supervisor' | 'executive';
  rank: 'ministry' | 'department' | 'division' | 'section' | 'staff' | 'clerk' | 'none';
}

/** Everything written about one firm besides its identity and scores. */
export interface RawFirmRecord {
  financials: FinancialRow[];
  governance: { board_size: number; independent_directors: number; soe: number; state_share: number } | null;
  party: { amended: number; amended_on: string };
  executives: ExecutiveRow[];
}

/** Identity fields written to firms.csv. */
export interface FirmIdentity {
  firm_id: string;
  name: string;
  city: string;
  industry: string;
  established: string;
  listed: string;
}

/** How a firm's raw records deviate from the plain case. */
export interface MaterializeOptions {
  /** Liabilities exceed assets and book equity is negative (only the most levered sample firms). */
  negativeEquity?: boolean;
  /** Leave out the fiscal 2020 financials row (exercises the sample-flow accounting; out-of-sample firms only). */
  dropFinancials2020?: boolean;
  /** Leave out the governance row (idem). */
  dropGovernance?: boolean;
}

/** Rounds to `d` decimals, returning a number whose decimal text has at most d decimals. */
export function roundTo(x: number, d: number): number {
  return Number(x.toFixed(d));
}

/**
 * Fiscal 2020 balance sheet reproducing the target ratios: assets = exp(firm_size) in whole
 * yuan, liabilities = leverage x assets, net income = ROA x assets, book equity = equity
 * attributable to the parent (total equity less a small minority interest), market value =
 * book equity / book-to-market. With `negativeEquity`, book equity is assets - liabilities (< 0)
 * and the market value a plausible positive amount, so book-to-market is negative (the pipeline
 * clips it at the lower winsorizing bound).
 * For firms with liabilities above assets but positive book equity the difference is a negative
 * minority interest (loss-making subsidiaries); README.md says so.
 */
function financials2020(c: CovariateValues, rng: Rng, negativeEquity: boolean): FinancialRow {
  const A = Math.round(Math.exp(c.firm_size));
  const L = Math.round(c.leverage * A);
  const NI = Math.round(c.roa * A);
  let BE: number;
  let MV: number;
  if (negativeEquity) {
    BE = A - L;
    MV = Math.round(A * (0.15 + 0.3 * rng.uniform()));
  } else {
    const equity = A - L;
    BE = equity > 0 ? equity - Math.round(equity * 0.08 * rng.uniform()) : Math.round(A * (0.04 + 0.06 * rng.uniform()));
    MV = Math.round(BE / c.book_to_market);
  }
  return { fiscal_year: 2020, total_assets: A, total_liabilities: L, net_income: NI, book_equity: BE, market_value: MV };
}

/** Fiscal 2019 row: the 2020 firm one year younger, with growth and ratio noise. */
function financials2019(f: FinancialRow, rng: Rng): FinancialRow {
  const A = Math.round(f.total_assets / (1 + Math.max(-0.3, rng.normal(0.08, 0.1))));
  const lev = Math.max(0.02, f.total_liabilities / f.total_assets + rng.normal(0, 0.03));
  const roa = (0.7 * f.net_income) / f.total_assets + 0.3 * 0.04 + rng.normal(0, 0.01);
  const L = Math.round(lev * A);
  const BE = f.book_equity < 0 ? A - L : Math.max(Math.round((A - L) * (0.92 + 0.08 * rng.uniform())), Math.round(0.04 * A));
  const bm = Math.max(0.05, (f.book_equity > 0 ? f.book_equity / f.market_value : 0.6) * Math.exp(rng.normal(0, 0.15)));
  const MV = f.book_equity < 0 ? Math.round(f.market_value * (1.2 + 0.5 * rng.uniform())) : Math.round(Math.abs(BE) / bm);
  return { fiscal_year: 2019, total_assets: A, total_liabilities: L, net_income: Math.round(roa * A), book_equity: BE, market_value: MV };
}

/** Charter amendment: reforms by 2018-12-31 count; some firms amend in 2019-2020 (they do not). */
function partyRecord(c: CovariateValues, rng: Rng): { amended: number; amended_on: string } {
  if (c.party_building === 1) return { amended: 1, amended_on: isoDate(rng.int(dayNumber('2017-03-01'), dayNumber('2018-12-31'))) };
  if (rng.bernoulli(c.soe === 1 ? 0.6 : 0.2)) {
    return { amended: 1, amended_on: isoDate(rng.int(dayNumber('2019-01-01'), dayNumber('2020-12-31'))) };
  }
  return { amended: 0, amended_on: '' };
}

const HIGH_RANKS: readonly ExecutiveRow['rank'][] = ['division', 'department', 'ministry'];
const LOW_RANKS: readonly ExecutiveRow['rank'][] = ['none', 'section', 'staff', 'clerk'];

/**
 * Executives: the board (chair, directors, independent directors), a CEO (often also a
 * director: same person, second row), 3-5 supervisors and 2-6 other executives. A connected firm
 * has 1-3 board members or the CEO ranked division or above; an unconnected firm has none there,
 * but sometimes a high-ranked supervisor/executive or a section-rank director (which do not count).
 */
function executiveRows(c: CovariateValues, rng: Rng, nextPerson: () => string): ExecutiveRow[] {
  const rows: ExecutiveRow[] = [];
  const lowRank = (): ExecutiveRow['rank'] => rng.choice(LOW_RANKS, [85, 8, 5, 2]);
  const board: ExecutiveRow[] = [{ person_id: nextPerson(), role: 'chair', rank: lowRank() }];
  for (let k = 0; k < c.board_size - c.independent_directors - 1; k++) board.push({ person_id: nextPerson(), role: 'director', rank: lowRank() });
  for (let k = 0; k < c.independent_directors; k++) board.push({ person_id: nextPerson(), role: 'independent_director', rank: lowRank() });
  const ceoIsDirector = board.length > 1 && rng.bernoulli(0.6);
  const ceoSource = ceoIsDirector ? board[rng.int(1, Math.max(1, c.board_size - c.independent_directors - 1))] : null;
  const ceo: ExecutiveRow = ceoSource ? { person_id: ceoSource.person_id, role: 'ceo', rank: ceoSource.rank } : { person_id: nextPerson(), role: 'ceo', rank: lowRank() };
  const connecting = [...board, ceo];
  if (c.political_connection === 1) {
    const k = rng.choice([1, 2, 3], [60, 30, 10]);
    for (let m = 0; m < k; m++) {
      const who = rng.choice(connecting);
      const rank = rng.choice(HIGH_RANKS, [70, 25, 5]);
      // A person keeps one rank across their rows.
      for (const r of connecting) if (r.person_id === who.person_id) r.rank = rank;
    }
  } else if (rng.bernoulli(0.2)) {
    const who = rng.choice(board);
    for (const r of connecting) if (r.person_id === who.person_id) r.rank = 'section';
  }
  rows.push(...board, ceo);
  const nSup = c.board_size >= 11 ? 5 : 3;
  const others: ExecutiveRow[] = [];
  for (let k = 0; k < nSup; k++) others.push({ person_id: nextPerson(), role: 'supervisor', rank: lowRank() });
  const nExec = rng.int(2, 6);
  for (let k = 0; k < nExec; k++) others.push({ person_id: nextPerson(), role: 'executive', rank: lowRank() });
  if (c.political_connection === 0 && rng.bernoulli(0.25)) rng.choice(others).rank = rng.choice(HIGH_RANKS, [60, 30, 10]);
  rows.push(...others);
  return rows;
}

/** Person-id generator "P-000001", "P-000002", ... (one counter per data set). */
export function personIds(): () => string {
  let k = 0;
  return () => `P-${String(++k).padStart(6, '0')}`;
}

/** The raw records of one firm. */
export function materializeFirm(c: CovariateValues, rng: Rng, nextPerson: () => string, opts: MaterializeOptions = {}): RawFirmRecord {
  const f20 = financials2020(c, rng, opts.negativeEquity ?? false);
  const f19 = financials2019(f20, rng);
  return {
    financials: opts.dropFinancials2020 ? [f19] : [f19, f20],
    governance: opts.dropGovernance
      ? null
      : { board_size: c.board_size, independent_directors: c.independent_directors, soe: c.soe, state_share: roundTo(c.state_share, 4) },
    party: partyRecord(c, rng),
    executives: executiveRows(c, rng, nextPerson),
  };
}

/** CSV cell text: quoted only when needed (RFC 4180). */
function cell(v: string | number): string {
  const s = typeof v === 'number' ? numberText(v) : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Plain decimal text of a finite number, never exponent notation. */
export function numberText(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`numberText: non-finite ${v}`);
  if (Number.isInteger(v)) return Math.abs(v) < 1e21 ? String(v) : BigInt(v).toString();
  const s = String(v);
  if (!/e/i.test(s)) return s;
  return v.toFixed(12).replace(/0+$/, '');
}

function csv(header: readonly string[], rows: (string | number)[][]): string {
  return [header.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}

const FIRST_KEYS: readonly (keyof FirstLevelScores)[] = ['basic_data', 'finance_taxation', 'governance', 'compliance', 'social_responsibility'];
const SECOND_KEYS: readonly (keyof SecondLevelScores)[] = FIRST_KEYS.flatMap((k) => TREE[k]);

/** Throws unless a score record respects the indicator tree (integers, within weights, sums). */
export function checkScoreRecord(id: string, s: ScoreRecord): void {
  for (const k of FIRST_KEYS) {
    const parts = TREE[k].map((c) => s.second[c]);
    if (parts.reduce((a, b) => a + b, 0) !== s.first[k]) throw new Error(`${id}: ${k} is not the sum of its second-level scores`);
  }
  for (const v of [...Object.values(s.first), ...Object.values(s.second)]) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${id}: score ${v} is not a non-negative integer`);
  }
}

/** The six CSV files (name -> text) of a data set. Rows follow the order of `firms`. */
export function writeRawFiles(
  firms: readonly FirmIdentity[],
  records: ReadonlyMap<string, RawFirmRecord>,
  scores: ReadonlyMap<string, ScoreRecord>,
  collected: string,
): Map<string, string> {
  const files = new Map<string, string>();
  files.set('firms.csv', csv(['firm_id', 'name', 'city', 'industry', 'established', 'listed'], firms.map((f) => [f.firm_id, f.name, f.city, f.industry, f.established, f.listed])));
  const scoreRows: (string | number)[][] = [];
  for (const f of firms) {
    const s = scores.get(f.firm_id);
    if (!s) throw new Error(`no scores for ${f.firm_id}`);
    checkScoreRecord(f.firm_id, s);
    const total = FIRST_KEYS.reduce((a, k) => a + s.first[k], 0);
    scoreRows.push([f.firm_id, collected, total, ...FIRST_KEYS.map((k) => s.first[k]), ...SECOND_KEYS.map((k) => s.second[k])]);
  }
  files.set('scores.csv', csv(['firm_id', 'collected', 'total', ...FIRST_KEYS, ...SECOND_KEYS], scoreRows));
  const rec = (id: string): RawFirmRecord => {
    const r = records.get(id);
    if (!r) throw new Error(`no raw record for ${id}`);
    return r;
  };
  files.set(
    'financials.csv',
    csv(
      ['firm_id', 'fiscal_year', 'total_assets', 'total_liabilities', 'net_income', 'book_equity', 'market_value'],
      firms.flatMap((f) => rec(f.firm_id).financials.map((r) => [f.firm_id, r.fiscal_year, r.total_assets, r.total_liabilities, r.net_income, r.book_equity, r.market_value])),
    ),
  );
  files.set(
    'governance.csv',
    csv(
      ['firm_id', 'board_size', 'independent_directors', 'soe', 'state_share'],
      firms.flatMap((f) => {
        const g = rec(f.firm_id).governance;
        return g ? [[f.firm_id, g.board_size, g.independent_directors, g.soe, g.state_share.toFixed(4)]] : [];
      }),
    ),
  );
  files.set('party_building.csv', csv(['firm_id', 'amended', 'amended_on'], firms.map((f) => [f.firm_id, rec(f.firm_id).party.amended, rec(f.firm_id).party.amended_on])));
  files.set(
    'executives.csv',
    csv(['firm_id', 'person_id', 'role', 'rank'], firms.flatMap((f) => rec(f.firm_id).executives.map((e) => [f.firm_id, e.person_id, e.role, e.rank]))),
  );
  return files;
}
