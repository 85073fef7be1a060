/**
 * Plain-text rendering of a Table, laid out like Stata esttab's console output: dashed rules,
 * labels left-aligned, numbers aligned on the decimal point with stars and ")" hanging right.
 */
import { checkTable, decimalColumn, displayWidth, wrapHeader, type Align, type DecimalParts, type Table } from './table.ts';

const GAP = '  ';

function padEnd(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - displayWidth(s)));
}
function padStart(s: string, w: number): string {
  return ' '.repeat(Math.max(0, w - displayWidth(s))) + s;
}
/** Centred; the odd space goes to the right. */
function center(s: string, w: number): string {
  const extra = Math.max(0, w - displayWidth(s));
  const left = Math.floor(extra / 2);
  return ' '.repeat(left) + s + ' '.repeat(extra - left);
}

/** Layout of one column: its width and, for a decimal column, the widths of both halves. */
interface ColumnLayout {
  align: Align;
  width: number;
  intWidth: number;
  restWidth: number;
  /** Decimal parts of each body cell (null: centred or not a decimal column). */
  parts: (DecimalParts | null)[];
}

function layoutColumn(align: Align, header: string[], cells: string[]): ColumnLayout {
  let width = Math.max(0, ...header.map(displayWidth));
  let intWidth = 0;
  let restWidth = 0;
  const parts = align === 'd' ? decimalColumn(cells) : cells.map(() => null);
  cells.forEach((cell, i) => {
    const p = parts[i];
    if (p) {
      intWidth = Math.max(intWidth, displayWidth(p.int));
      restWidth = Math.max(restWidth, displayWidth(p.rest));
    } else {
      width = Math.max(width, displayWidth(cell));
    }
  });
  return { align, width: Math.max(width, intWidth + restWidth), intWidth, restWidth, parts };
}

/** Gives every decimal column of `cols` the widest integer part, rest and width among them. */
function uniformDecimalColumns(cols: ColumnLayout[]): void {
  const dec = cols.filter((c) => c.align === 'd');
  const intWidth = Math.max(0, ...dec.map((c) => c.intWidth));
  const restWidth = Math.max(0, ...dec.map((c) => c.restWidth));
  const width = Math.max(intWidth + restWidth, ...dec.map((c) => c.width));
  for (const c of dec) Object.assign(c, { intWidth, restWidth, width });
}

/** Cell `i` of the column's body, padded to the column width. */
function formatCell(cell: string, i: number, col: ColumnLayout): string {
  switch (col.align) {
    case 'l':
      return padEnd(cell, col.width);
    case 'r':
      return padStart(cell, col.width);
    case 'c':
      return center(cell, col.width);
    case 'd': {
      const p = col.parts[i];
      if (!p) return center(cell, col.width);
      const block = padStart(p.int, col.intWidth) + padEnd(p.rest, col.restWidth);
      return center(block, col.width);
    }
  }
}

function formatHeader(cell: string, col: ColumnLayout, first: boolean): string {
  if (first || col.align === 'l') return padEnd(cell, col.width);
  if (col.align === 'r') return padStart(cell, col.width);
  return center(cell, col.width);
}

/** Renders the table as aligned monospace text ending in a newline; trailing spaces are trimmed. */
export function toText(table: Table): string {
  checkTable(table);
  const bodyRows = table.rows.filter((r) => r.kind !== 'rule');
  const aligns = table.columns.map((c, j): Align => (j === 0 && c.align === 'd' ? 'l' : c.align));
  const cellsOf = (j: number): string[] => bodyRows.map((r) => r.cells[j]);
  // Long labels wrap onto two lines (bottom-aligned), judged against the width of the numbers.
  const wrapped = table.columns.map((c, j) => (j === 0 ? [c.label] : wrapHeader(c.label, layoutColumn(aligns[j], [], cellsOf(j)).width)));
  const headerHeight = Math.max(...wrapped.map((h) => h.length));
  const headerRows = Array.from({ length: headerHeight }, (_, k) => wrapped.map((h) => h[k - (headerHeight - h.length)] ?? ''));
  const layout = table.columns.map((_, j) =>
    layoutColumn(aligns[j], [...wrapped[j], ...(table.subHeader ? [table.subHeader[j]] : [])], cellsOf(j)),
  );
  if (table.uniformColumns) uniformDecimalColumns(layout.slice(1));
  const total = layout.reduce((s, c) => s + c.width, 0) + GAP.length * (layout.length - 1);
  const rule = '-'.repeat(total);
  const lines: string[] = [];
  const pushRule = (): void => {
    if (lines[lines.length - 1] !== rule) lines.push(rule);
  };
  const join = (cells: string[]): string => cells.join(GAP).trimEnd();

  if (table.title) lines.push(table.title);
  pushRule();
  for (const h of headerRows) lines.push(join(h.map((s, j) => formatHeader(s, layout[j], j === 0))));
  if (table.subHeader) lines.push(join(table.subHeader.map((s, j) => formatHeader(s, layout[j], j === 0))));
  pushRule();
  let i = 0; // index among body rows, as in layout.parts
  for (const row of table.rows) {
    if (row.kind === 'rule') pushRule();
    else {
      const k = i++;
      lines.push(join(row.cells.map((s, j) => formatCell(s, k, layout[j]))));
    }
  }
  pushRule();
  // Notes wrap at the table's width, as a note under a printed table does.
  for (const note of table.notes) lines.push(...wrapWords(note, Math.max(total, 40)));
  return lines.join('\n') + '\n';
}

/** Greedy word wrap at `width` characters; a word longer than the width gets a line of its own. */
export function wrapWords(text: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of text.split(/ +/)) {
    if (cur !== '' && displayWidth(cur) + 1 + displayWidth(word) > width) {
      out.push(cur);
      cur = word;
    } else cur = cur === '' ? word : `${cur} ${word}`;
  }
  out.push(cur);
  return out;
}
