/**
 * Model formulas, fixest-like: `y ~ x1 + x2 + i(g) + I(x^2) + poly(z, 3) + a:b - 1 | fe1 + fe2`.
 *
 * - `i(v)` / `factor(v)`: dummies of v, first sorted level is the base.
 * - `- 1` or `+ 0` drops the intercept, `+ 1` keeps it (the default).
 * - `I(x^k)`: integer power k >= 1, label "I(x^k)". `poly(x, k)`: raw powers x, x^2, ..., x^k
 *   (R `poly(x, k, raw = TRUE)`), labelled "x", "x^2", ...
 * - `a:b`: product of numeric columns; `a*b` expands to `a + b + a:b`.
 * - After `|`: fixed-effect columns, absorbed by the estimator.
 * - Column names are identifiers (letters, digits, `_`, `.`) or any text in backticks: `my col`.
 *
 * Whitespace is ignored. Every error is an InputError "formula: ..." naming the token and its
 * 1-based character position.
 */
import { InputError } from '../errors.ts';
import type { ModelSpec, Term } from './types.ts';

type TokKind = 'ident' | 'number' | 'sym' | 'end';
interface Token {
  kind: TokKind;
  text: string;
  /** 1-based position of the token's first character in the formula text. */
  pos: number;
}

const SYMBOLS = new Set(['~', '+', '-', '|', '(', ')', ',', ':', '^', '*']);

function fail(message: string): never {
  throw new InputError(`formula: ${message}`);
}

function describeTok(t: Token): string {
  return t.kind === 'end' ? 'end of formula' : `'${t.text}' at position ${t.pos}`;
}

/** Splits formula text into tokens, keeping positions for error messages. */
function tokenize(text: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end < 0) fail(`unterminated backtick at position ${i + 1}`);
      const name = text.slice(i + 1, end);
      if (name === '') fail(`empty column name in backticks at position ${i + 1}`);
      toks.push({ kind: 'ident', text: name, pos: i + 1 });
      i = end + 1;
      continue;
    }
    const ident = /^[A-Za-z_.][A-Za-z0-9_.]*/.exec(text.slice(i));
    if (ident && !/^\.\d/.test(text.slice(i))) {
      toks.push({ kind: 'ident', text: ident[0], pos: i + 1 });
      i += ident[0].length;
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)/.exec(text.slice(i));
    if (num) {
      toks.push({ kind: 'number', text: num[0], pos: i + 1 });
      i += num[0].length;
      continue;
    }
    if (SYMBOLS.has(c)) {
      toks.push({ kind: 'sym', text: c, pos: i + 1 });
      i++;
      continue;
    }
    fail(`unexpected character '${c}' at position ${i + 1}`);
  }
  toks.push({ kind: 'end', text: '', pos: text.length + 1 });
  return toks;
}

/** Recursive-descent parser over the token list. */
class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  peek(offset = 0): Token {
    return this.toks[Math.min(this.i + offset, this.toks.length - 1)];
  }
  next(): Token {
    const t = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }
  isSym(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'sym' && t.text === text;
  }
  expectSym(text: string, context: string): Token {
    const t = this.next();
    if (t.kind !== 'sym' || t.text !== text) fail(`expected '${text}' ${context}, found ${describeTok(t)}`);
    return t;
  }
  expectIdent(context: string): Token {
    const t = this.next();
    if (t.kind !== 'ident') fail(`expected a column name ${context}, found ${describeTok(t)}`);
    return t;
  }
  expectInt(context: string): number {
    const t = this.next();
    if (t.kind !== 'number' || !/^\d+$/.test(t.text)) fail(`expected a whole number ${context}, found ${describeTok(t)}`);
    return Number(t.text);
  }

  parse(): ModelSpec {
    const first = this.peek();
    if (first.kind === 'end') fail("empty formula (write 'y ~ x1 + x2')");
    if (!this.toks.some((t) => t.kind === 'sym' && t.text === '~')) fail("expected '~' (write 'y ~ x1 + x2')");
    if (first.kind === 'sym' && first.text === '~') fail("expected the outcome variable before '~'");
    const y = this.expectIdent('as the outcome').text;
    this.expectSym('~', `after the outcome '${y}'`);

    const terms: Term[] = [];
    let intercept = true;
    if (this.peek().kind === 'end' || this.isSym('|')) {
      fail(`empty right-hand side (write '${y} ~ 1' for an intercept-only model)`);
    }
    let sign: '+' | '-' = '+';
    if (this.isSym('+') || this.isSym('-')) sign = this.next().text as '+' | '-';
    for (;;) {
      const t = this.peek();
      if (t.kind === 'number') {
        this.next();
        if (t.text !== '0' && t.text !== '1') fail(`unexpected number '${t.text}' at position ${t.pos} (only 0 or 1 for the intercept)`);
        // '+1' / '-0' keep the intercept, '-1' / '+0' drop it (as in R).
        intercept = (t.text === '1') === (sign === '+');
      } else {
        if (sign === '-') fail(`'-' can only remove the intercept ('- 1'), found ${describeTok(t)}`);
        terms.push(...this.term());
      }
      const sep = this.peek();
      if (sep.kind === 'end' || (sep.kind === 'sym' && sep.text === '|')) break;
      if (sep.kind === 'sym' && (sep.text === '+' || sep.text === '-')) {
        this.next();
        sign = sep.text as '+' | '-';
        const after = this.peek();
        if (after.kind === 'end' || (after.kind === 'sym' && after.text === '|')) fail(`expected a term after '${sep.text}' at position ${sep.pos}`);
        continue;
      }
      fail(`unexpected ${describeTok(sep)} (expected '+', '-', '|' or end of formula)`);
    }

    const fe: string[] = [];
    if (this.isSym('|')) {
      const bar = this.next();
      if (this.peek().kind === 'end') fail(`expected fixed-effect columns after '|' at position ${bar.pos}`);
      for (;;) {
        const t = this.expectIdent("as a fixed effect after '|'");
        if (this.isSym('(')) fail(`functions are not allowed among fixed effects: ${describeTok(t)}`);
        if (this.isSym('^')) fail(`interacted fixed effects ('${t.text}^...') are not supported; create the combined column in the CSV`);
        fe.push(t.text);
        const sep = this.next();
        if (sep.kind === 'end') break;
        if (sep.kind === 'sym' && sep.text === '+') continue;
        fail(`unexpected ${describeTok(sep)} among fixed effects (expected '+' or end of formula)`);
      }
    }
    return { y, terms, fe, intercept };
  }

  /** One additive term (may expand to several: poly, a*b). */
  private term(): Term[] {
    const t = this.expectIdent('or a term');
    if (this.isSym('(')) return this.call(t);
    if (this.isSym(':')) {
      const names = [t.text];
      while (this.isSym(':')) {
        this.next();
        const u = this.expectIdent("after ':'");
        if (this.isSym('(')) fail(`functions cannot be interacted with ':' (${describeTok(u)}); use plain numeric columns`);
        names.push(u.text);
      }
      return [{ kind: 'interaction', names, label: names.join(':') }];
    }
    if (this.isSym('*')) {
      this.next();
      const u = this.expectIdent("after '*'");
      if (this.isSym('(') || this.isSym(':') || this.isSym('*')) fail(`'*' is only supported between two plain columns (${describeTok(this.peek())})`);
      return [
        { kind: 'var', name: t.text },
        { kind: 'var', name: u.text },
        { kind: 'interaction', names: [t.text, u.text], label: `${t.text}:${u.text}` },
      ];
    }
    if (this.isSym('^')) fail(`write powers as I(${t.text}^k), found '^' at position ${this.peek().pos}`);
    return [{ kind: 'var', name: t.text }];
  }

  /** i(v), factor(v), I(x^k), poly(x, k). */
  private call(fn: Token): Term[] {
    const open = this.expectSym('(', `after '${fn.text}'`);
    let out: Term[];
    if (fn.text === 'i' || fn.text === 'factor') {
      const v = this.expectIdent(`inside ${fn.text}()`);
      if (this.isSym(',')) fail(`${fn.text}() takes one column; options such as ref= are not supported (position ${this.peek().pos})`);
      out = [{ kind: 'factor', name: v.text }];
    } else if (fn.text === 'I') {
      const v = this.expectIdent('inside I()');
      this.expectSym('^', `in I(${v.text}^k)`);
      const k = this.expectInt(`as the power in I(${v.text}^k)`);
      if (k < 1) fail(`power must be at least 1 in I(${v.text}^${k})`);
      out = [{ kind: 'power', name: v.text, power: k, label: `I(${v.text}^${k})` }];
    } else if (fn.text === 'poly') {
      const v = this.expectIdent('inside poly()');
      this.expectSym(',', `in poly(${v.text}, k)`);
      const k = this.expectInt(`as the degree in poly(${v.text}, k)`);
      if (k < 1) fail(`degree must be at least 1 in poly(${v.text}, ${k})`);
      out = [];
      for (let p = 1; p <= k; p++) out.push({ kind: 'power', name: v.text, power: p, label: p === 1 ? v.text : `${v.text}^${p}` });
    } else {
      fail(`unknown function '${fn.text}' at position ${fn.pos} (supported: i(), factor(), I(x^k), poly(x, k))`);
    }
    const close = this.next();
    if (close.kind !== 'sym' || close.text !== ')') {
      fail(`expected ')' to close '${fn.text}(' opened at position ${open.pos}, found ${describeTok(close)}`);
    }
    return out;
  }
}

/** Label under which a term is reported (and by which duplicates are detected). */
export function termLabel(t: Term): string {
  switch (t.kind) {
    case 'var':
      return t.name;
    case 'factor':
      return `i(${t.name})`;
    case 'power':
    case 'interaction':
      return t.label;
  }
}

/** Columns a term reads. */
export function termColumns(t: Term): string[] {
  return t.kind === 'interaction' ? [...t.names] : [t.name];
}

/** Every column the model reads: y, term columns, FE (first appearance order, no duplicates). */
export function modelColumns(spec: ModelSpec): string[] {
  const cols = [spec.y, ...spec.terms.flatMap(termColumns), ...spec.fe];
  return [...new Set(cols)];
}

/** Edit distance, for "did you mean" suggestions. */
function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The closest column name to a misspelt one, or null if none is close. */
export function suggestColumn(name: string, columns: readonly string[]): string | null {
  const ci = columns.find((c) => c.toLowerCase() === name.toLowerCase());
  if (ci) return ci;
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of columns) {
    const a = name.toLowerCase();
    const b = c.toLowerCase();
    // Ties go to a name that contains the other (x -> xx rather than x -> y).
    const d = levenshtein(a, b) - (a.includes(b) || b.includes(a) ? 0.5 : 0);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : null;
}

/** "unknown column 'levrage' (did you mean 'leverage'?)" */
export function unknownColumnMessage(name: string, columns: readonly string[]): string {
  const s = suggestColumn(name, columns);
  return `unknown column '${name}'${s ? ` (did you mean '${s}'?)` : ''}`;
}

/**
 * Checks a model (parsed or typed by hand): well-formed terms, no duplicate terms or FE, the outcome
 * not on the right-hand side, something to estimate, and (when `columns` is given) every column exists.
 * Returns the spec unchanged; throws InputError "formula: ...".
 */
export function validateModel(spec: ModelSpec, columns?: readonly string[]): ModelSpec {
  if (typeof spec !== 'object' || spec === null) fail('model must be an object {y, terms, fe, intercept}');
  if (typeof spec.y !== 'string' || spec.y === '') fail('the outcome y must be a column name');
  if (!Array.isArray(spec.terms)) fail('terms must be an array');
  if (!Array.isArray(spec.fe)) fail('fe must be an array of column names');
  if (typeof spec.intercept !== 'boolean') fail('intercept must be true or false');
  const seen = new Set<string>();
  for (const t of spec.terms) {
    switch (t?.kind) {
      case 'var':
      case 'factor':
        if (typeof t.name !== 'string' || t.name === '') fail(`term of kind '${t.kind}' needs a column name`);
        break;
      case 'power':
        if (typeof t.name !== 'string' || t.name === '') fail("term of kind 'power' needs a column name");
        if (!Number.isInteger(t.power) || t.power < 1) fail(`power must be a whole number >= 1 in '${t.label}'`);
        if (typeof t.label !== 'string' || t.label === '') fail(`power term of '${t.name}' needs a label`);
        break;
      case 'interaction':
        if (!Array.isArray(t.names) || t.names.length < 2 || t.names.some((n) => typeof n !== 'string' || n === '')) {
          fail('an interaction needs at least two column names');
        }
        if (new Set(t.names).size !== t.names.length) fail(`interaction '${t.label}' repeats a column; use I(x^2) for squares`);
        break;
      default:
        fail(`unknown term kind '${(t as { kind?: unknown })?.kind}' (expected var, factor, power or interaction)`);
    }
    // x:z and z:x are the same regressor; a var and a poly's linear term are too.
    const key =
      t.kind === 'interaction'
        ? `ia:${[...t.names].sort().join(':')}`
        : t.kind === 'factor'
          ? `f:${t.name}`
          : t.kind === 'power'
            ? `p:${t.name}^${t.power === 1 ? 1 : t.power}`
            : `p:${t.name}^1`;
    if (seen.has(key)) fail(`duplicate term '${termLabel(t)}'`);
    seen.add(key);
    if (termColumns(t).includes(spec.y)) fail(`the outcome '${spec.y}' also appears on the right-hand side in '${termLabel(t)}'`);
    if ((t.kind === 'var' || t.kind === 'factor') && spec.fe.includes(t.name)) {
      fail(`'${t.name}' is both a regressor and a fixed effect`);
    }
  }
  const feSeen = new Set<string>();
  for (const f of spec.fe) {
    if (typeof f !== 'string' || f === '') fail('fixed effects must be column names');
    if (feSeen.has(f)) fail(`duplicate fixed effect '${f}'`);
    if (f === spec.y) fail(`the outcome '${spec.y}' cannot be a fixed effect`);
    feSeen.add(f);
  }
  if (spec.terms.length === 0 && !spec.intercept && spec.fe.length === 0) fail('the model has no regressors and no intercept');
  if (columns) {
    const have = new Set(columns);
    for (const c of modelColumns(spec)) if (!have.has(c)) fail(unknownColumnMessage(c, columns));
  }
  return spec;
}

/**
 * Parses a formula (see the module comment). With `columns`, unknown columns are errors with a
 * "did you mean" suggestion.
 */
export function parseFormula(text: string, columns?: readonly string[]): ModelSpec {
  if (typeof text !== 'string') fail('formula must be text');
  return validateModel(new Parser(tokenize(text)).parse(), columns);
}

/** A formula string or a typed ModelSpec, validated the same way. */
export function toModelSpec(model: string | ModelSpec, columns?: readonly string[]): ModelSpec {
  return typeof model === 'string' ? parseFormula(model, columns) : validateModel(model, columns);
}

/** The formula text of a model (for reports): `y ~ x + i(g) - 1 | fe`. */
export function formatFormula(spec: ModelSpec): string {
  const rhs = spec.terms.map(termLabel);
  if (!spec.intercept && spec.fe.length === 0) rhs.push(rhs.length ? '- 1' : '0');
  let s = `${spec.y} ~ ${rhs.length ? rhs.join(' + ').replace('+ - 1', '- 1') : '1'}`;
  if (spec.fe.length) s += ` | ${spec.fe.join(' + ')}`;
  return s;
}
