/**
 * Loads and validates a raw replication folder (layout in data/README.md, rules in schemas.ts):
 * every file present, required columns, typed cells, unique keys, real calendar dates, scores
 * consistent with the indicator tree, and every scored firm present in firms.csv.
 * Every problem is an InputError naming the file, the data row (from 1) and the column.
 */
import { join } from 'node:path';
import { cellError, InputError } from '../errors.ts';
import { isMissingCell, notNumberReason, parseNumberCell, readCsv, requireColumns, type ParsedCsv } from './csv.ts';
import {
  EXECUTIVES,
  FINANCIALS,
  FIRMS,
  GOVERNANCE,
  PARTY_BUILDING,
  RAW_SCHEMAS,
  SCORES,
  type ColumnSchema,
  type FileSchema,
  type Rank,
  type Role,
} from './schemas.ts';
import { scoreProblem, INDICATOR_TREE, type ScoreValues } from '../study/indicatorTree.ts';

/** Every record keeps `row`, its data-row number in the file, for later messages. */
export interface FirmRecord {
  row: number;
  firm_id: string;
  name: string | null;
  city: string | null;
  industry: string | null;
  /** YYYY-MM-DD or null when missing. */
  established: string | null;
  listed: string;
}

export interface ScoreRecord {
  row: number;
  firm_id: string;
  collected: string;
  /** `total` and every first- and second-level column, by column name. */
  scores: ScoreValues;
}

/** Numbers are NaN when missing. */
export interface FinancialRecord {
  row: number;
  firm_id: string;
  fiscal_year: number;
  total_assets: number;
  total_liabilities: number;
  net_income: number;
  book_equity: number;
  market_value: number;
}

export interface GovernanceRecord {
  row: number;
  firm_id: string;
  board_size: number;
  independent_directors: number;
  soe: number;
  state_share: number;
}

export interface PartyBuildingRecord {
  row: number;
  firm_id: string;
  /** 0/1, NaN when missing. */
  amended: number;
  amended_on: string | null;
}

export interface ExecutiveRecord {
  row: number;
  firm_id: string;
  person_id: string;
  role: Role;
  rank: Rank;
}

/** A validated raw folder. `files` maps each schema file name to the path it was read from. */
export interface RawData {
  dir: string;
  files: Record<string, string>;
  firms: FirmRecord[];
  scores: ScoreRecord[];
  financials: FinancialRecord[];
  governance: GovernanceRecord[];
  partyBuilding: PartyBuildingRecord[];
  executives: ExecutiveRecord[];
}

type Cell = string | number | null;
/** One validated row: typed cells by column name (numbers NaN / strings null when missing). */
interface TypedRow {
  row: number;
  cells: Record<string, Cell>;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for `YYYY-MM-DD` naming a real day of the proleptic Gregorian calendar (2021-02-30 is not). */
export function isIsoDate(text: string): boolean {
  const m = DATE_RE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  return d <= days;
}

/** Parses one cell by its schema; throws naming file, row and column. */
function typedCell(file: string, row: number, col: ColumnSchema, raw: string): Cell {
  const text = raw.trim();
  if (isMissingCell(raw)) {
    if (!col.optional) throw cellError(file, row, col.name, 'value is missing (required)');
    return col.type === 'number' || col.type === 'integer' || col.type === 'binary' ? NaN : null;
  }
  switch (col.type) {
    case 'id':
    case 'text':
      return text;
    case 'enum':
      if (!col.values!.includes(text)) {
        throw cellError(file, row, col.name, `'${text}' is not one of ${col.values!.join(', ')}`);
      }
      return text;
    case 'date':
      if (!isIsoDate(text)) throw cellError(file, row, col.name, `'${text}' is not a calendar date in YYYY-MM-DD form`);
      return text;
    case 'binary': {
      const v = parseNumberCell(text);
      if (v !== 0 && v !== 1) throw cellError(file, row, col.name, `'${text}' is not 0 or 1`);
      return v;
    }
    case 'number':
    case 'integer': {
      const v = parseNumberCell(text);
      if (Number.isNaN(v)) throw cellError(file, row, col.name, notNumberReason(text));
      if (col.type === 'integer' && !Number.isInteger(v)) throw cellError(file, row, col.name, `'${text}' is not a whole number`);
      if (col.positive && !(v > 0)) throw cellError(file, row, col.name, `${text} must be greater than 0`);
      if ((col.min !== undefined && v < col.min) || (col.max !== undefined && v > col.max)) {
        const range = `[${col.min ?? '-inf'}, ${col.max ?? 'inf'}]`;
        throw cellError(file, row, col.name, `${text} is outside ${range}`);
      }
      return v;
    }
  }
}

/** Validates columns, cells and the unique key of one parsed file against its schema. */
export function validateTable(csv: ParsedCsv, schema: FileSchema): TypedRow[] {
  requireColumns(csv, schema.columns.map((c) => c.name));
  const index = schema.columns.map((c) => csv.header.indexOf(c.name));
  const seen = new Map<string, number>();
  return csv.rows.map((fields, i) => {
    const row = i + 1;
    const cells: Record<string, Cell> = {};
    schema.columns.forEach((col, j) => {
      cells[col.name] = typedCell(csv.file, row, col, fields[index[j]]);
    });
    const key = schema.key.map((k) => String(cells[k])).join('\u0000');
    const first = seen.get(key);
    if (first !== undefined) {
      const what = schema.key.map((k) => `${k} '${cells[k]}'`).join(', ');
      throw cellError(csv.file, row, schema.key[schema.key.length - 1], `duplicate ${what} (first seen in row ${first})`);
    }
    seen.set(key, row);
    return { row, cells };
  });
}

/** Reads and validates one file of the folder; `minRows` rejects a header-only file where rows are required. */
function loadFile(dir: string, schema: FileSchema, minRows: number): { path: string; rows: TypedRow[] } {
  const path = join(dir, schema.file);
  const csv = readCsv(path);
  const rows = validateTable(csv, schema);
  if (rows.length < minRows) throw new InputError(`${path}: file has a header but no data rows`);
  return { path, rows };
}

const str = (c: Cell): string => c as string;
const opt = (c: Cell): string | null => c as string | null;
const num = (c: Cell): number => c as number;

/**
 * Loads the six files of `dir` (firms, scores, financials, governance, party_building, executives).
 * Cross-file rule enforced here: every firm in scores.csv must be in firms.csv. Rows of the
 * covariate files whose firm is not in firms.csv are kept; the sample flow reports them.
 */
export function loadRawFolder(dir: string): RawData {
  const files: Record<string, string> = {};
  const read = (schema: FileSchema, minRows: number): TypedRow[] => {
    const { path, rows } = loadFile(dir, schema, minRows);
    files[schema.file] = path;
    return rows;
  };

  const firms: FirmRecord[] = read(FIRMS, 1).map(({ row, cells: c }) => ({
    row,
    firm_id: str(c.firm_id),
    name: opt(c.name),
    city: opt(c.city),
    industry: opt(c.industry),
    established: opt(c.established),
    listed: str(c.listed),
  }));

  const scoreKeys = SCORES.columns.filter((c) => c.type === 'number').map((c) => c.name);
  const firmIds = new Set(firms.map((f) => f.firm_id));
  const scores: ScoreRecord[] = read(SCORES, 1).map(({ row, cells: c }) => {
    const values: ScoreValues = {};
    for (const k of scoreKeys) values[k] = num(c[k]);
    const problem = scoreProblem(values, INDICATOR_TREE);
    if (problem) throw cellError(files[SCORES.file], row, problem.column, problem.message);
    const id = str(c.firm_id);
    if (!firmIds.has(id)) throw cellError(files[SCORES.file], row, 'firm_id', `firm '${id}' is not in ${FIRMS.file}`);
    return { row, firm_id: id, collected: str(c.collected), scores: values };
  });

  const financials: FinancialRecord[] = read(FINANCIALS, 0).map(({ row, cells: c }) => ({
    row,
    firm_id: str(c.firm_id),
    fiscal_year: num(c.fiscal_year),
    total_assets: num(c.total_assets),
    total_liabilities: num(c.total_liabilities),
    net_income: num(c.net_income),
    book_equity: num(c.book_equity),
    market_value: num(c.market_value),
  }));

  const governance: GovernanceRecord[] = read(GOVERNANCE, 0).map(({ row, cells: c }) => {
    const rec = {
      row,
      firm_id: str(c.firm_id),
      board_size: num(c.board_size),
      independent_directors: num(c.independent_directors),
      soe: num(c.soe),
      state_share: num(c.state_share),
    };
    if (rec.independent_directors > rec.board_size) {
      throw cellError(files[GOVERNANCE.file], row, 'independent_directors', `${rec.independent_directors} independent directors exceed board_size ${rec.board_size}`);
    }
    return rec;
  });

  const partyBuilding: PartyBuildingRecord[] = read(PARTY_BUILDING, 0).map(({ row, cells: c }) => {
    const rec = { row, firm_id: str(c.firm_id), amended: num(c.amended), amended_on: opt(c.amended_on) };
    if (rec.amended_on !== null && rec.amended !== 1) {
      throw cellError(files[PARTY_BUILDING.file], row, 'amended_on', `date ${rec.amended_on} given but amended is ${Number.isNaN(rec.amended) ? 'missing' : rec.amended}, not 1`);
    }
    return rec;
  });

  const executives: ExecutiveRecord[] = read(EXECUTIVES, 0).map(({ row, cells: c }) => ({
    row,
    firm_id: str(c.firm_id),
    person_id: str(c.person_id),
    role: str(c.role) as Role,
    rank: str(c.rank) as Rank,
  }));

  return { dir, files, firms, scores, financials, governance, partyBuilding, executives };
}

/** The schemas loadRawFolder applies, re-exported for the data dictionary and tests. */
export { RAW_SCHEMAS };
