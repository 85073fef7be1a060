/**
 * Joins the validated raw files into one record per firm of firms.csv, by firm_id. Plain typed
 * Maps rather than a data frame: each join is one-to-one (or one-to-many for executives) with a
 * unique key validated at load time, and per-firm provenance (which file lacks the firm) is what
 * the sample flow must report.
 */
import { InputError } from '../errors.ts';
import type {
  ExecutiveRecord,
  FinancialRecord,
  FirmRecord,
  GovernanceRecord,
  PartyBuildingRecord,
  RawData,
  ScoreRecord,
} from './load.ts';

/** One firm of firms.csv with whatever the other files hold for it (null / empty when absent). */
export interface JoinedFirm {
  firm: FirmRecord;
  score: ScoreRecord | null;
  /** The financials row of the analysis fiscal year. */
  financials: FinancialRecord | null;
  governance: GovernanceRecord | null;
  partyBuilding: PartyBuildingRecord | null;
  executives: ExecutiveRecord[];
}

/** Rows of a covariate file whose firm_id is not in firms.csv: ignored, but reported. */
export interface OrphanRows {
  file: string;
  rows: number;
  firmIds: string[];
}

export interface JoinResult {
  /** Every firm of firms.csv, sorted by firm_id (code-unit order) so that row order in the files never matters. */
  firms: JoinedFirm[];
  orphans: OrphanRows[];
  fiscalYear: number;
}

/** Code-unit string order: locale-independent, hence stable across machines. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byFirm<T extends { firm_id: string }>(rows: readonly T[]): Map<string, T> {
  return new Map(rows.map((r) => [r.firm_id, r]));
}

function orphansOf(file: string, rows: readonly { firm_id: string }[], known: Set<string>): OrphanRows | null {
  const ids = rows.filter((r) => !known.has(r.firm_id)).map((r) => r.firm_id);
  if (ids.length === 0) return null;
  return { file, rows: ids.length, firmIds: [...new Set(ids)].sort(compareIds) };
}

/**
 * Joins scores and covariates onto firms. Financials are taken for `fiscalYear` only.
 * A firm whose score was collected before it was established is an input error (firms.csv row).
 */
export function joinRaw(raw: RawData, fiscalYear: number): JoinResult {
  const scores = byFirm(raw.scores);
  const financials = byFirm(raw.financials.filter((f) => f.fiscal_year === fiscalYear));
  const governance = byFirm(raw.governance);
  const party = byFirm(raw.partyBuilding);
  const executives = new Map<string, ExecutiveRecord[]>();
  for (const e of raw.executives) {
    const list = executives.get(e.firm_id);
    if (list) list.push(e);
    else executives.set(e.firm_id, [e]);
  }

  const firms = [...raw.firms]
    .sort((a, b) => compareIds(a.firm_id, b.firm_id))
    .map((firm): JoinedFirm => {
      const score = scores.get(firm.firm_id) ?? null;
      if (score && firm.established !== null && firm.established > score.collected) {
        throw new InputError(
          `${raw.files['firms.csv']}, row ${firm.row}, column 'established': ${firm.established} is after the score collection date ${score.collected} (scores.csv row ${score.row})`,
        );
      }
      return {
        firm,
        score,
        financials: financials.get(firm.firm_id) ?? null,
        governance: governance.get(firm.firm_id) ?? null,
        partyBuilding: party.get(firm.firm_id) ?? null,
        executives: executives.get(firm.firm_id) ?? [],
      };
    });

  const known = new Set(raw.firms.map((f) => f.firm_id));
  const orphans = [
    orphansOf('financials.csv', raw.financials, known),
    orphansOf('governance.csv', raw.governance, known),
    orphansOf('party_building.csv', raw.partyBuilding, known),
    orphansOf('executives.csv', raw.executives, known),
  ].filter((o): o is OrphanRows => o !== null);
  return { firms, orphans, fiscalYear };
}
