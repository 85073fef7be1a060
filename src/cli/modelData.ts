/**
 * Reading a CSV for a model fitted from the command line (`cscs fit`, `cscs boottest`): parse the
 * formula against the header, check the extra columns the options name, and convert with the model's
 * numeric columns forced, so that a bad cell fails with its own row and value.
 */
import { InputError } from '../errors.ts';
import { readCsv, toDataTable } from '../data/csv.ts';
import { parseFormula, termColumns, unknownColumnMessage } from '../stats/formula.ts';
import type { DataTable, ModelSpec } from '../stats/types.ts';

export interface ModelDataOptions {
  /** Columns named by an option, checked to exist: [option name, column], e.g. ['cluster', 'city']. */
  columns?: [string, string][];
  /** Extra columns that must be numeric (e.g. frequency weights). */
  numeric?: string[];
  /** Force the outcome numeric (default true; ordered models take text outcomes). */
  numericOutcome?: boolean;
}

/** The parsed file, its model and the data table. */
export interface ModelData {
  file: string;
  spec: ModelSpec;
  data: DataTable;
}

/** Columns that must be numeric: the outcome (unless excluded) and every column of non-factor terms. */
function numericColumns(spec: ModelSpec, numericOutcome: boolean): string[] {
  const cols = [...(numericOutcome ? [spec.y] : []), ...spec.terms.filter((t) => t.kind !== 'factor').flatMap(termColumns)];
  return [...new Set(cols)];
}

/** Reads `file`, parses `formula` against its header and converts it; bad input throws InputError. */
export function readModelData(file: string, formula: string, opts: ModelDataOptions = {}): ModelData {
  const csv = readCsv(file);
  const spec = parseFormula(formula, csv.header);
  for (const [option, c] of opts.columns ?? []) {
    if (!csv.header.includes(c)) {
      throw new InputError(`--${option}: ${unknownColumnMessage(c, csv.header)} in ${csv.file}`);
    }
  }
  const numeric = [...new Set([...numericColumns(spec, opts.numericOutcome ?? true), ...(opts.numeric ?? [])])];
  const data = toDataTable(csv, { numeric });
  return { file: csv.file, spec, data };
}

/**
 * Runs `f`, prefixing the data file to an InputError that names neither it nor the formula (the
 * engine's checks, e.g. "no residual degrees of freedom", do not know the file).
 */
export function withFileName<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InputError && !e.message.startsWith(file) && !e.message.startsWith('formula:')) {
      throw new InputError(`${file}: ${e.message}`);
    }
    throw e;
  }
}
