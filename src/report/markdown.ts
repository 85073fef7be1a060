/**
 * GitHub-flavoured Markdown rendering of a Table: a pipe table (SE lines are rows of their own,
 * rules are dropped since GFM has none), the title in bold above and the notes below.
 * Cells are padded so the raw Markdown is readable too.
 */
import { checkTable, displayWidth, type Align, type Table } from './table.ts';

/** Escapes the characters that GFM would read as markup inside a table cell (stars, pipes...). */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\|*_`]/g, (c) => `\\${c}`);
}

function alignMarker(align: Align, width: number): string {
  const w = Math.max(3, width);
  switch (align) {
    case 'l':
      return ':' + '-'.repeat(w - 1);
    case 'c':
      return ':' + '-'.repeat(w - 2) + ':';
    default: // 'r' and 'd': GFM has no decimal alignment, right is closest
      return '-'.repeat(w - 1) + ':';
  }
}

function pad(s: string, w: number, align: Align): string {
  const extra = Math.max(0, w - displayWidth(s));
  return align === 'l' || align === 'c' ? s + ' '.repeat(extra) : ' '.repeat(extra) + s;
}

/** Renders the table as Markdown ending in a newline. */
export function toMarkdown(table: Table): string {
  checkTable(table);
  const header = table.columns.map((c) => escapeMarkdown(c.label));
  const body: string[][] = [];
  if (table.subHeader) body.push(table.subHeader.map(escapeMarkdown));
  for (const row of table.rows) if (row.kind !== 'rule') body.push(row.cells.map(escapeMarkdown));
  const aligns = table.columns.map((c) => c.align);
  const widths = aligns.map((_, j) => Math.max(3, displayWidth(header[j]), ...body.map((r) => displayWidth(r[j]))));
  const line = (cells: string[]): string => `| ${cells.map((s, j) => pad(s, widths[j], aligns[j])).join(' | ')} |`;

  const out: string[] = [];
  if (table.title) out.push(`**${escapeMarkdown(table.title)}**`, '');
  out.push(line(header));
  out.push(`| ${aligns.map((a, j) => alignMarker(a, widths[j])).join(' | ')} |`);
  for (const r of body) out.push(line(r));
  for (const note of table.notes) out.push('', escapeMarkdown(note));
  return out.join('\n') + '\n';
}
