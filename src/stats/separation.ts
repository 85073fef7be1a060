/**
 * Fixed-effect levels that predict the outcome perfectly. In a likelihood model with FE dummies, a
 * level whose observations all sit at the same end (all censored at the same limit in a Tobit, all
 * in the lowest or all in the highest category of an ordered model) has an infinite MLE for its
 * dummy, and its observations contribute nothing in the limit. Dropping them gives that limit
 * exactly, as fixest does for GLM fixed effects; the caller reports what it dropped.
 */
import type { DataTable } from './types.ts';

export interface Separation {
  /** Input row indices to drop. */
  rows: Set<number>;
  /** The levels, e.g. 'industry::C32 (all Excellent)'. */
  levels: string[];
}

/**
 * Rows (input indices, from `rowsUsed`) of FE levels whose remaining observations all have side -1
 * or all side +1. `sideOf(excluded)` gives each estimation row's side (-1 low end, +1 high end,
 * 0 interior) given the rows excluded so far (ordered models: the extreme categories can change).
 * Repeated until nothing changes, since dropping one FE's level can leave another's all-extreme.
 * `describe(side)` names an end for the report ('Excellent', 'censored at 80').
 */
export function separatedFeRows(
  data: DataTable,
  fe: readonly string[],
  rowsUsed: Int32Array,
  sideOf: (excluded: ReadonlySet<number>) => Int8Array,
  describe: (side: -1 | 1, excluded: ReadonlySet<number>) => string,
): Separation {
  const rows = new Set<number>();
  const levels: string[] = [];
  for (let changed = fe.length > 0; changed; ) {
    changed = false;
    const side = sideOf(rows);
    for (const name of fe) {
      const col = data.columns[name];
      const groups = new Map<string, { lo: boolean; hi: boolean; rows: number[] }>();
      for (let r = 0; r < rowsUsed.length; r++) {
        const i = rowsUsed[r];
        if (rows.has(i)) continue;
        const key = String(col[i]);
        const g = groups.get(key) ?? { lo: true, hi: true, rows: [] };
        g.lo &&= side[r] === -1;
        g.hi &&= side[r] === 1;
        g.rows.push(i);
        groups.set(key, g);
      }
      for (const [key, g] of [...groups].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
        if (!g.lo && !g.hi) continue;
        levels.push(`${name}::${key} (all ${describe(g.lo ? -1 : 1, rows)})`);
        for (const i of g.rows) rows.add(i);
        changed = true;
      }
    }
  }
  return { rows, levels };
}

/** The given rows of a table, in that order. */
export function subsetTable(data: DataTable, rows: readonly number[]): DataTable {
  const columns: DataTable['columns'] = {};
  for (const [name, col] of Object.entries(data.columns)) columns[name] = col instanceof Float64Array ? Float64Array.from(rows, (i) => col[i]) : rows.map((i) => col[i]);
  return { nrows: rows.length, columns, source: data.source };
}
