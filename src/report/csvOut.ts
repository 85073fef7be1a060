/**
 * CSV rendering of a Table (RFC 4180: CRLF line ends, fields quoted only when they hold a comma,
 * quote, CR or LF, quotes doubled). Layout mirrors the printed table: the header row holds the
 * column labels, then the sub-header if any, then one CSV row per table row, so a standard error
 * is the row under its coefficient with an empty first field. Rules, the title and the notes are
 * left out. For machine use prefer the JSON (full precision); this file is for spreadsheets.
 */
import { checkTable, type Table } from './table.ts';

/** Quotes a field when RFC 4180 requires it. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Excel reads "(20.922)" as -20.922 and "-50.785**" as a broken formula; esttab's csv format
 * therefore writes ="..." so the cell stays text. Empty cells stay empty.
 */
function excelField(s: string): string {
  return s === '' ? '' : `"=""${s.replace(/"/g, '""""')}"""`;
}

export interface CsvOptions {
  /**
   * Write every non-empty cell as ="text" (esttab's csv) and start with a UTF-8 byte-order mark,
   * so Excel keeps "(20.922)" as text and reads "R²" as UTF-8. Default false: plain RFC 4180.
   */
  excel?: boolean;
}

/** Renders the table as CSV, each line ended by CRLF. */
export function toCsv(table: Table, opts: CsvOptions = {}): string {
  checkTable(table);
  const field = opts.excel ? excelField : csvField;
  const lines: string[][] = [table.columns.map((c) => c.label)];
  if (table.subHeader) lines.push(table.subHeader);
  for (const row of table.rows) if (row.kind !== 'rule') lines.push(row.cells);
  const body = lines.map((cells) => cells.map(field).join(',')).join('\r\n') + '\r\n';
  return opts.excel ? `\ufeff${body}` : body;
}
