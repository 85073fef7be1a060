/**
 * RFC 4180 CSV input: parsing (quoted fields, embedded commas, quotes and newlines, CRLF or LF) and
 * conversion to the engine's columnar DataTable.
 *
 * Row numbers in every message count DATA rows from 1: row 1 is the first record after the header
 * (what a spreadsheet shows as line 2). Records, not physical lines, are counted, so a quoted field
 * spanning two lines is still one row.
 */
import { readFileSync } from 'node:fs';
import { InputError, cellError } from '../errors.ts';
import type { DataTable } from '../stats/types.ts';

/** A parsed CSV file: header names (trimmed) and the raw cell strings of each data row. */
export interface ParsedCsv {
  file: string;
  header: string[];
  /** rows[i] is data row i + 1 in messages; every row has header.length fields. */
  rows: string[][];
}

/** Cell spellings treated as missing (after trimming): empty, R's NA and Stata's '.'. */
const MISSING = new Set(['', 'NA', '.']);

/** Strict decimal number: optional sign, digits with optional fraction (or a bare fraction), optional exponent. */
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Reads and parses a CSV file; a missing or unreadable file is an InputError naming the path. */
export function readCsv(path: string): ParsedCsv {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: file not found`);
    if (code === 'EISDIR') throw new InputError(`${path}: is a directory, not a CSV file`);
    if (code === 'EACCES') throw new InputError(`${path}: permission denied`);
    throw new InputError(`${path}: cannot read file (${code ?? (err as Error).message})`);
  }
  // UTF-16 files decode to garbage as UTF-8; say what they are instead.
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new InputError(`${path}: file is UTF-16 encoded; save it as UTF-8`);
  }
  return parseCsv(bytes.toString('utf8'), path);
}

/**
 * Parses CSV text. `file` only names the source in error messages.
 * Empty lines between records are errors (a row with 1 field), except in one-column files where an
 * empty line is a missing value; empty lines at the end of the file are ignored.
 */
export function parseCsv(text: string, file: string): ParsedCsv {
  // A UTF-8 byte-order mark is what Excel's "CSV UTF-8" (and toCsv's excel option) writes; like
  // readr, data.table::fread and pandas, skip it rather than read it into the first column name.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new InputError(`${file}: file is empty (no header row)`);

  const records = splitRecords(text, file);
  // Trailing blank lines are an artefact of editors, not rows.
  while (records.length > 1 && isBlank(records[records.length - 1])) records.pop();

  const rawHeader = records[0];
  const headerLine = rawHeader.join(',');
  if (rawHeader.length === 1 && (headerLine.includes(';') || headerLine.includes('\t'))) {
    const delim = headerLine.includes(';') ? 'semicolon' : 'tab';
    throw new InputError(
      `${file}: header looks ${delim}-delimited (it contains '${delim === 'tab' ? '\\t' : ';'}' but no ','); save the file as comma-separated CSV`,
    );
  }
  const header = rawHeader.map((h) => h.trim());
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    if (name === '') throw new InputError(`${file}: header column ${i + 1} has an empty name`);
    const prev = seen.get(name);
    if (prev !== undefined) {
      throw new InputError(`${file}: duplicate column name '${name}' (header columns ${prev + 1} and ${i + 1})`);
    }
    seen.set(name, i);
  });

  const rows = records.slice(1);
  rows.forEach((r, i) => {
    if (r.length !== header.length) {
      if (isBlank(r)) throw new InputError(`${file}: row ${i + 1} is a blank line; delete it (a missing value is an empty field between commas)`);
      throw new InputError(`${file}: row ${i + 1} has ${r.length} field${r.length === 1 ? '' : 's'}, header has ${header.length}`);
    }
  });
  return { file, header, rows };
}

function isBlank(record: string[]): boolean {
  return record.length === 1 && record[0] === '';
}

/** RFC 4180 scanner over the whole text (field at a time, slicing, for speed); returns records of raw fields. */
function splitRecords(text: string, file: string): string[][] {
  const QUOTE = 34;
  const COMMA = 44;
  const LF = 10;
  const CR = 13;
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  const rowOf = () => (records.length === 0 ? null : records.length);
  while (i < n) {
    // i is at the start of a field.
    let value: string;
    if (text.charCodeAt(i) === QUOTE) {
      // Quoted field: runs to the closing quote; "" is a literal quote.
      const startLine = line;
      let j = i + 1;
      let segStart = j;
      let parts = '';
      let closed = false;
      while (j < n) {
        const q = text.indexOf('"', j);
        if (q < 0) break;
        for (let k = j; k < q; k++) if (text.charCodeAt(k) === LF) line++;
        if (text.charCodeAt(q + 1) === QUOTE) {
          parts += text.slice(segStart, q + 1);
          j = q + 2;
          segStart = j;
          continue;
        }
        parts += text.slice(segStart, q);
        j = q + 1;
        closed = true;
        break;
      }
      if (!closed) throw cellError(file, rowOf(), null, `unterminated quoted field starting on line ${startLine}`);
      i = j;
      const c = text.charCodeAt(i);
      if (i < n && c !== COMMA && c !== LF && c !== CR) {
        throw cellError(
          file,
          rowOf(),
          null,
          `unexpected character '${text[i]}' after closing quote on line ${line} (a quote inside a quoted field must be doubled: "")`,
        );
      }
      value = parts;
    } else {
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === COMMA || c === LF || c === CR) break;
        j++;
      }
      value = text.slice(i, j);
      i = j;
    }
    record.push(value);
    if (i >= n) break;
    const c = text.charCodeAt(i);
    if (c === COMMA) {
      i++;
      // A trailing comma at the very end of the text ends the record with an empty field.
      if (i >= n) record.push('');
      continue;
    }
    records.push(record);
    record = [];
    i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
    line++;
  }
  if (record.length > 0) records.push(record);
  return records;
}

/** True when a raw cell means "missing": '', 'NA' or '.' (surrounding spaces ignored). */
export function isMissingCell(cell: string): boolean {
  return MISSING.has(cell.trim());
}

/** Parses a non-missing cell strictly ('1e3', '-0.5', '.5' ok; '12abc', '1,5', '0x10', 'Inf' not); NaN if not a number. */
export function parseNumberCell(cell: string): number {
  const s = cell.trim();
  if (!NUMBER_RE.test(s)) return NaN;
  const v = Number(s);
  return Number.isFinite(v) ? v : NaN;
}

/**
 * Why a cell that parseNumberCell rejected is not a number, phrased for the message:
 * overflow and R's Inf / NaN get their own hint (they look like numbers to a researcher).
 */
export function notNumberReason(cell: string): string {
  const s = cell.trim();
  if (NUMBER_RE.test(s)) return `'${cell}' is beyond the double-precision range (about 1.8e308)`;
  if (/^[+-]?(inf|infinity|nan)$/i.test(s)) return `'${cell}' is not a finite number (write a missing value as an empty cell, NA or .)`;
  return `'${cell}' is not a number`;
}

/** Throws naming the missing column(s) and listing the columns the file has. */
export function requireColumns(csv: ParsedCsv, names: string[]): void {
  const have = new Set(csv.header);
  const missing = names.filter((n) => !have.has(n));
  if (missing.length > 0) {
    const list = missing.map((m) => `'${m}'`).join(', ');
    throw new InputError(
      `${csv.file}: missing column${missing.length > 1 ? 's' : ''} ${list} (columns are: ${csv.header.join(', ')})`,
    );
  }
}

function columnIndex(csv: ParsedCsv, name: string): number {
  requireColumns(csv, [name]);
  return csv.header.indexOf(name);
}

/** A numeric column (NaN = missing); a non-numeric cell throws naming file, row, column and value. */
export function numericColumn(csv: ParsedCsv, name: string): Float64Array {
  const j = columnIndex(csv, name);
  const out = new Float64Array(csv.rows.length);
  csv.rows.forEach((row, i) => {
    const cell = row[j];
    if (isMissingCell(cell)) {
      out[i] = NaN;
      return;
    }
    const v = parseNumberCell(cell);
    if (Number.isNaN(v)) {
      const reason = notNumberReason(cell);
      throw cellError(csv.file, i + 1, name, reason.endsWith('is not a number') ? `${reason} (numeric column required)` : reason);
    }
    out[i] = v;
  });
  return out;
}

/** A string column (trimmed cells; null = missing). */
export function stringColumn(csv: ParsedCsv, name: string): (string | null)[] {
  const j = columnIndex(csv, name);
  return csv.rows.map((row) => (isMissingCell(row[j]) ? null : row[j].trim()));
}

/** True when every non-missing cell of column j is a finite number. */
function isNumericColumn(csv: ParsedCsv, j: number): boolean {
  for (const row of csv.rows) {
    const cell = row[j];
    if (!isMissingCell(cell) && Number.isNaN(parseNumberCell(cell))) return false;
  }
  return true;
}

/**
 * Converts to columns. A column is numeric when every non-missing cell is a number (an all-missing
 * column is numeric, all NaN), else categorical. `numeric` forces numeric (a bad cell throws);
 * `categorical` forces strings (e.g. numeric codes used as groups).
 */
export function toDataTable(csv: ParsedCsv, opts: { numeric?: string[]; categorical?: string[] } = {}): DataTable {
  const numeric = new Set(opts.numeric ?? []);
  const categorical = new Set(opts.categorical ?? []);
  requireColumns(csv, [...numeric, ...categorical]);
  for (const name of numeric) {
    if (categorical.has(name)) throw new InputError(`${csv.file}: column '${name}' requested as both numeric and categorical`);
  }
  const columns: DataTable['columns'] = {};
  csv.header.forEach((name, j) => {
    if (categorical.has(name)) columns[name] = stringColumn(csv, name);
    else if (numeric.has(name) || isNumericColumn(csv, j)) columns[name] = numericColumn(csv, name);
    else columns[name] = stringColumn(csv, name);
  });
  return { nrows: csv.rows.length, columns, source: csv.file };
}
