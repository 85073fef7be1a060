/**
 * A format-agnostic table: what every renderer (text, Markdown, LaTeX, HTML, CSV) draws from.
 * Cells are already formatted strings; a row's `kind` tells a renderer what the row is, so it
 * can, say, turn a 'rule' into \midrule or skip it in Markdown.
 */

/** Column alignment: left, centre, right, or 'd' = on the decimal point (stars and ")" hang right). */
export type Align = 'l' | 'c' | 'r' | 'd';

/**
 * 'body' a coefficient or data row; 'se' the standard-error line under a coefficient;
 * 'rule' a horizontal rule (cells empty); 'stat' a model statistic (N, R²); 'fe' a fixed-effect indicator row.
 */
export type RowKind = 'body' | 'se' | 'rule' | 'stat' | 'fe';

export interface TableColumn {
  label: string;
  align: Align;
}

export interface TableRow {
  kind: RowKind;
  /** One string per column ([] for a rule). */
  cells: string[];
}

export interface Table {
  title: string;
  columns: TableColumn[];
  /** An optional second header line under the column labels (e.g. the dependent variable). */
  subHeader?: string[];
  rows: TableRow[];
  /** Lines printed under the table. */
  notes: string[];
  /**
   * All decimal columns after the first share one width and one decimal-point position, as
   * esttab's model columns do (otherwise a column without '***' is narrower and its header shifts).
   */
  uniformColumns?: boolean;
}

/** A horizontal rule row. */
export function ruleRow(): TableRow {
  return { kind: 'rule', cells: [] };
}

/**
 * Checks the table's shape: every non-rule row and the sub-header have one cell per column.
 * A mismatch is a bug in the caller, so it is a plain Error, not an InputError.
 */
export function checkTable(table: Table): void {
  const n = table.columns.length;
  if (n === 0) throw new Error(`table '${table.title}': no columns`);
  if (table.subHeader && table.subHeader.length !== n) {
    throw new Error(`table '${table.title}': sub-header has ${table.subHeader.length} cells, expected ${n}`);
  }
  table.rows.forEach((row, i) => {
    if (row.kind === 'rule') return;
    if (row.cells.length !== n) throw new Error(`table '${table.title}': row ${i + 1} has ${row.cells.length} cells, expected ${n}`);
  });
}

/** A numeric cell split at its decimal point: "-50.785**" -> { int: "-50", rest: ".785**" }. */
export interface DecimalParts {
  int: string;
  rest: string;
}

// Optional bracket, sign, digits (with thousands commas), optional decimals, then optional
// closing bracket, stars and percent sign: "(20.922)", "-50.785**", "414", "99.34%".
const NUMERIC_CELL = /^([([]?[-+\u2212]?\d[\d,]*)(\.\d+)?([)\]]?\**%?)$/;

/** Splits a numeric cell at its decimal point; null for text cells ("Yes", "(omitted)", "", "."). */
export function splitDecimal(cell: string): DecimalParts | null {
  const m = NUMERIC_CELL.exec(cell);
  if (!m) return null;
  return { int: m[1], rest: (m[2] ?? '') + m[3] };
}

/** Number of characters as a monospace terminal shows them (code points). */
export function displayWidth(s: string): number {
  return [...s].length;
}

/**
 * The cells of a decimal ('d') column as they are aligned: the parts of each numeric cell, or
 * null for a cell shown centred. Text cells are centred; so are whole numbers (N) in a column
 * that has decimals, as esttab centres N under dcolumn-aligned coefficients. In a column of
 * whole numbers only, the numbers align on their last digit.
 */
export function decimalColumn(cells: readonly string[]): (DecimalParts | null)[] {
  const parts = cells.map(splitDecimal);
  const hasDecimals = parts.some((p) => p !== null && p.rest.startsWith('.'));
  return parts.map((p) => (p !== null && (!hasDecimals || p.rest.startsWith('.')) ? p : null));
}

/** Column headers longer than this (in characters) may wrap onto two lines, as esttab's model width. */
export const HEADER_WRAP_WIDTH = 12;

/**
 * A non-first column's header as one or two lines: a label longer than both HEADER_WRAP_WIDTH and
 * the column's widest body cell is split at the space that best balances the two halves, so a
 * long sub-score name ("Social Responsibility") does not make its column twice as wide as its numbers.
 */
export function wrapHeader(label: string, bodyWidth: number): string[] {
  const w = displayWidth(label);
  if (w <= HEADER_WRAP_WIDTH || w <= bodyWidth) return [label];
  let best: string[] = [label];
  let bestLonger = w;
  for (let i = label.indexOf(' '); i > 0; i = label.indexOf(' ', i + 1)) {
    const halves = [label.slice(0, i).trimEnd(), label.slice(i + 1).trimStart()];
    const longer = Math.max(...halves.map(displayWidth));
    if (halves.every((h) => h !== '') && longer < bestLonger) {
      best = halves;
      bestLonger = longer;
    }
  }
  return best;
}
