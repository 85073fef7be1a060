/**
 * Design matrix: turns a DataTable and a ModelSpec into the numeric arrays the estimator needs
 * (y, the columns of X, coded fixed effects and cluster variables), after listwise deletion.
 *
 * Conventions (those of R's lm / model.matrix, so coefficients line up with R and Stata):
 * - '(Intercept)' is the first column when the model has an intercept and no fixed effects. With
 *   fixed effects the constant is absorbed by them, so X has no intercept column; an estimator that
 *   adds FE dummies instead (Stata `regress y x i.fe`) adds the constant itself.
 * - A factor term `i(v)` gives dummies `v::level` for every level but the base (first sorted level).
 *   Only the first factor of a model without intercept and without FE keeps all its levels, as R does.
 * - Levels are those present in the estimation sample, sorted numerically when all are numbers,
 *   otherwise by UTF-16 code units (byte order for ASCII, like Stata; not locale collation).
 */
import { InputError, cellError } from '../errors.ts';
import { modelColumns, termColumns, termLabel, unknownColumnMessage, validateModel } from './formula.ts';
import type { Column, DataTable, ModelSpec, Term } from './types.ts';

/** A categorical variable coded 0..levels.length-1 over the estimation sample. */
export interface CodedFactor {
  name: string;
  codes: Int32Array;
  levels: string[];
}

/** Everything the estimator needs, over the estimation sample only (rows in `rowsUsed`). */
export interface Design {
  y: Float64Array;
  /** Columns of X (each of length n), in model order. */
  X: Float64Array[];
  /** Column names: '(Intercept)', 'x', 'I(x^2)', 'a:b', 'g::level', ... */
  names: string[];
  /** Index into model.terms of the term that produced each X column (-1 for the intercept). */
  termIndex: Int32Array;
  fe: CodedFactor[];
  clusters: CodedFactor[];
  /** Indices of the used rows in the input table, ascending. */
  rowsUsed: Int32Array;
  /** Rows dropped because a model, FE or cluster variable was missing. */
  missingDropped: number;
  model: ModelSpec;
}

export interface DesignOptions {
  /** Cluster columns (numeric or categorical); their missing values drop rows too. */
  cluster?: string[];
}

const NUMERIC_LEVEL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Sorts level strings: numerically when every level is a number, else by code units. */
export function sortLevels(levels: Iterable<string>): string[] {
  const arr = [...new Set(levels)];
  if (arr.every((l) => NUMERIC_LEVEL.test(l.trim()))) {
    return arr.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
  }
  return arr.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Level string of a cell: numbers use their shortest round-trip form ("4", "0.1"); null/NaN = missing. */
function levelOf(col: Column, i: number): string | null {
  if (col instanceof Float64Array) {
    const v = col[i];
    return Number.isNaN(v) ? null : String(v);
  }
  return col[i];
}

/** Codes a (numeric or categorical) column over the given rows, levels sorted by `sortLevels`. */
export function codeFactor(name: string, col: Column, rows: Int32Array): CodedFactor {
  const raw: string[] = new Array(rows.length);
  const distinct = new Set<string>();
  for (let r = 0; r < rows.length; r++) {
    const l = levelOf(col, rows[r]);
    if (l === null) throw new Error(`codeFactor: missing value in '${name}' at row ${rows[r] + 1}`); // listwise deletion ran before
    raw[r] = l;
    distinct.add(l);
  }
  const levels = sortLevels(distinct);
  const index = new Map(levels.map((l, k) => [l, k]));
  const codes = new Int32Array(rows.length);
  for (let r = 0; r < rows.length; r++) codes[r] = index.get(raw[r])!;
  return { name, codes, levels };
}

function sourceOf(data: DataTable): string {
  return data.source ?? 'data';
}

/** Throws naming the first non-numeric cell of a categorical column that a numeric term needs. */
function requireNumeric(data: DataTable, name: string, role: string): Float64Array {
  const col = data.columns[name];
  if (col instanceof Float64Array) return col;
  const bad = col.findIndex((v) => v !== null);
  throw cellError(
    sourceOf(data),
    bad >= 0 ? bad + 1 : null,
    name,
    `${bad >= 0 ? `'${col[bad]}' is not a number` : 'column is not numeric'} (${role} needs a numeric column; use i(${name}) for a categorical regressor)`,
  );
}

/** x^k, with x*x for squares as R does (R_pow special-cases y == 2). */
function power(x: number, k: number): number {
  if (k === 1) return x;
  if (k === 2) return x * x;
  return Math.pow(x, k);
}

/**
 * Builds the design of `spec` on `data`: validates columns and types, drops rows with a missing
 * value in y, any term, FE or cluster column (listwise), and expands terms into X columns.
 * Throws InputError for unknown columns, non-numeric columns used numerically, infinite values,
 * an empty sample, more parameters than observations, or a cluster variable with a single group.
 */
export function buildDesign(data: DataTable, spec: ModelSpec, opts: DesignOptions = {}): Design {
  const src = sourceOf(data);
  const names = Object.keys(data.columns);
  validateModel(spec, names);
  const clusterNames = opts.cluster ?? [];
  for (const c of clusterNames) {
    if (!(c in data.columns)) throw new InputError(`${src}: ${unknownColumnMessage(c, names).replace('unknown column', 'unknown cluster column')}`);
  }
  if (new Set(clusterNames).size !== clusterNames.length) throw new InputError(`${src}: cluster variable listed twice`);
  if (clusterNames.length > 2) throw new InputError(`${src}: at most two cluster variables are supported, got ${clusterNames.length}`);
  for (const [name, col] of Object.entries(data.columns)) {
    if (col.length !== data.nrows) throw new Error(`buildDesign: column '${name}' has ${col.length} rows, table has ${data.nrows}`);
  }

  // Numeric roles: the outcome and every column of var / power / interaction terms.
  const y = requireNumeric(data, spec.y, `the outcome '${spec.y}'`);
  for (const t of spec.terms) {
    if (t.kind !== 'factor') for (const c of termColumns(t)) requireNumeric(data, c, `the term '${termLabel(t)}'`);
  }

  // Listwise deletion over every column the model reads.
  const used = [...new Set([...modelColumns(spec), ...clusterNames])];
  const keep = new Uint8Array(data.nrows).fill(1);
  const withMissing: string[] = [];
  for (const name of used) {
    const col = data.columns[name];
    let any = false;
    for (let i = 0; i < data.nrows; i++) {
      if (col instanceof Float64Array) {
        const v = col[i];
        if (Number.isNaN(v)) {
          keep[i] = 0;
          any = true;
        } else if (!Number.isFinite(v)) {
          throw cellError(src, i + 1, name, `infinite value ${v} (use an empty cell, NA or . for missing)`);
        }
      } else if (col[i] === null) {
        keep[i] = 0;
        any = true;
      }
    }
    if (any) withMissing.push(name);
  }
  let n = 0;
  for (let i = 0; i < data.nrows; i++) n += keep[i];
  const rowsUsed = new Int32Array(n);
  for (let i = 0, r = 0; i < data.nrows; i++) if (keep[i]) rowsUsed[r++] = i;
  const missingDropped = data.nrows - n;
  if (n === 0) {
    throw new InputError(
      data.nrows === 0
        ? `${src}: no observations (the data has no rows)`
        : `${src}: no observations left after dropping ${missingDropped} rows with missing values in ${withMissing.map((c) => `'${c}'`).join(', ')}`,
    );
  }

  const gather = (col: Float64Array): Float64Array => {
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++) out[r] = col[rowsUsed[r]];
    return out;
  };

  const X: Float64Array[] = [];
  const colNames: string[] = [];
  const termIndex: number[] = [];
  if (spec.intercept && spec.fe.length === 0) {
    X.push(new Float64Array(n).fill(1));
    colNames.push('(Intercept)');
    termIndex.push(-1);
  }
  let fullFactor = !spec.intercept && spec.fe.length === 0;
  spec.terms.forEach((t: Term, ti) => {
    if (t.kind === 'factor') {
      const f = codeFactor(t.name, data.columns[t.name], rowsUsed);
      const first = fullFactor ? 0 : 1;
      fullFactor = false;
      for (let k = first; k < f.levels.length; k++) {
        X.push(indicatorColumn(f.codes, k));
        colNames.push(`${t.name}::${f.levels[k]}`);
        termIndex.push(ti);
      }
      return;
    }
    let col: Float64Array;
    if (t.kind === 'var') col = gather(data.columns[t.name] as Float64Array);
    else if (t.kind === 'power') {
      const x = gather(data.columns[t.name] as Float64Array);
      col = x.map((v) => power(v, t.power));
    } else {
      col = new Float64Array(n).fill(1);
      for (const name of t.names) {
        const x = data.columns[name] as Float64Array;
        for (let r = 0; r < n; r++) col[r] *= x[rowsUsed[r]];
      }
    }
    const bad = col.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw cellError(src, rowsUsed[bad] + 1, null, `term '${termLabel(t)}' overflows to ${col[bad]}`);
    checkSumOfSquares(src, termLabel(t), col);
    X.push(col);
    colNames.push(termLabel(t));
    termIndex.push(ti);
  });

  const fe = spec.fe.map((name) => codeFactor(name, data.columns[name], rowsUsed));
  const clusters = clusterNames.map((name) => codeFactor(name, data.columns[name], rowsUsed));
  for (const c of clusters) {
    if (c.levels.length < 2) {
      throw new InputError(
        `${src}: cluster variable '${c.name}' has only one group ('${c.levels[0]}') in the estimation sample; clustered standard errors need at least 2`,
      );
    }
  }

  // Parameters a dummy regression would estimate: X columns + FE levels (one less per extra FE).
  const feParams = fe.reduce((s, f) => s + f.levels.length, 0) - Math.max(0, fe.length - 1);
  const params = X.length + feParams;
  if (params > n) {
    const drop = missingDropped > 0 ? ` (after dropping ${missingDropped} rows with missing values)` : '';
    throw new InputError(`${src}: the model has ${params} parameters but only ${n} observation${n === 1 ? '' : 's'}${drop}`);
  }

  const yUsed = gather(y);
  checkSumOfSquares(src, spec.y, yUsed);
  return {
    y: yUsed,
    X,
    names: colNames,
    termIndex: Int32Array.from(termIndex),
    fe,
    clusters,
    rowsUsed,
    missingDropped,
    model: spec,
  };
}

/**
 * Finite cells whose squares overflow (|x| above ~1e154) would silently turn every estimate into
 * NaN, so such a column is rejected with its largest value.
 */
function checkSumOfSquares(src: string, name: string, col: Float64Array): void {
  let ss = 0;
  for (const v of col) ss += v * v;
  if (Number.isFinite(ss)) return;
  let big = 0;
  for (const v of col) if (Math.abs(v) > Math.abs(big)) big = v;
  throw new InputError(`${src}: column '${name}' has values as large as ${big.toExponential(3)}, too large for double-precision sums of squares; rescale it`);
}

/** The 0/1 dummy of level `level` of a coded factor (factor terms and FE estimated as dummies). */
export function indicatorColumn(codes: Int32Array, level: number): Float64Array {
  const d = new Float64Array(codes.length);
  for (let r = 0; r < codes.length; r++) if (codes[r] === level) d[r] = 1;
  return d;
}
