/**
 * HTML rendering of a Table: a self-contained <table> fragment with a <caption>, plain class
 * names (no ids, no scripts) and, in decimal columns, stars and ")" wrapped in
 * <span class="sfx"> so that a fixed-width suffix lines the decimal points up. Pasted into Word
 * the fragment keeps its structure; `htmlDocument` wraps fragments into a page with small CSS.
 */
import { checkTable, decimalColumn, type Align, type DecimalParts, type Table } from './table.ts';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** CSS for tables rendered by `toHtml` (also used by the index page). */
export const TABLE_CSS = `table.cscs{border-collapse:collapse;margin:1em 0;font-variant-numeric:tabular-nums}
table.cscs caption{caption-side:top;text-align:left;font-weight:bold;padding:0 0 .4em}
table.cscs th,table.cscs td{padding:.1em .7em;vertical-align:top;white-space:nowrap}
table.cscs thead tr:first-child th{border-top:2px solid #000}
table.cscs thead tr:last-child th{border-bottom:1px solid #000}
table.cscs tbody tr:last-child td{border-bottom:2px solid #000}
table.cscs tr.rule td{border-top:1px solid #000}
table.cscs .l{text-align:left}
table.cscs .c{text-align:center}
table.cscs .r,table.cscs .d{text-align:right}
table.cscs .sfx{display:inline-block;min-width:1.6em;text-align:left}
table.cscs tfoot td{font-size:.85em;text-align:left;white-space:normal;padding-top:.3em}`;

/** A body cell's content: in a decimal column the suffix after the digits goes in a span. */
function cellHtml(cell: string, align: Align, parts: DecimalParts | null): { cls: Align; html: string } {
  if (align !== 'd') return { cls: align, html: escapeHtml(cell) };
  if (!parts) return { cls: cell === '' ? 'd' : 'c', html: escapeHtml(cell) };
  const m = /^([^)\]*%]*)(.*)$/.exec(parts.rest)!;
  return { cls: 'd', html: `${escapeHtml(parts.int + m[1])}<span class="sfx">${escapeHtml(m[2])}</span>` };
}

export interface HtmlOptions {
  /** Extra class names after "cscs". */
  className?: string;
}

/** Renders the table as an HTML <table> fragment ending in a newline. */
export function toHtml(table: Table, opts: HtmlOptions = {}): string {
  checkTable(table);
  const aligns = table.columns.map((c, j) => (j === 0 && c.align === 'd' ? 'l' : c.align));
  const headAlign = (j: number): string => (j === 0 ? 'l' : aligns[j] === 'l' ? 'l' : 'c');
  const cls = opts.className ? `cscs ${opts.className}` : 'cscs';
  const out: string[] = [`<table class="${escapeHtml(cls)}">`];
  if (table.title) out.push(`<caption>${escapeHtml(table.title)}</caption>`);
  out.push('<thead>');
  const headRow = (cells: string[]): string =>
    `<tr>${cells.map((s, j) => `<th class="${headAlign(j)}"${j === 0 ? '' : ' scope="col"'}>${escapeHtml(s)}</th>`).join('')}</tr>`;
  out.push(headRow(table.columns.map((c) => c.label)));
  if (table.subHeader) out.push(headRow(table.subHeader));
  out.push('</thead>', '<tbody>');
  const bodyRows = table.rows.filter((r) => r.kind !== 'rule');
  const parts = aligns.map((a, j) => (a === 'd' ? decimalColumn(bodyRows.map((r) => r.cells[j])) : []));
  let ruleAbove = false;
  let i = 0;
  for (const row of table.rows) {
    if (row.kind === 'rule') {
      ruleAbove = true;
      continue;
    }
    const rowCls = ruleAbove ? `${row.kind} rule` : row.kind;
    ruleAbove = false;
    const k = i++;
    const cells = row.cells.map((s, j) => {
      const { cls: c, html } = j === 0 ? { cls: 'l' as Align, html: escapeHtml(s) } : cellHtml(s, aligns[j], parts[j][k] ?? null);
      return `<td class="${c}">${html}</td>`;
    });
    out.push(`<tr class="${rowCls}">${cells.join('')}</tr>`);
  }
  out.push('</tbody>');
  if (table.notes.length > 0) {
    const n = table.columns.length;
    out.push('<tfoot>');
    for (const note of table.notes) out.push(`<tr><td colspan="${n}">${escapeHtml(note)}</td></tr>`);
    out.push('</tfoot>');
  }
  out.push('</table>');
  return out.join('\n') + '\n';
}

/** Base CSS of a standalone page. */
export const PAGE_CSS = `body{font-family:"DejaVu Serif",Georgia,"Times New Roman",serif;color:#111;max-width:70em;margin:2em auto;padding:0 1.5em;line-height:1.4}
h1,h2,h3{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif}
a{color:#1f4e8c}`;

/** A complete HTML5 page around `body` (already HTML), with the table CSS inlined. */
export function htmlDocument(title: string, body: string, extraCss = ''): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>\n${PAGE_CSS}\n${TABLE_CSS}${extraCss ? `\n${extraCss}` : ''}\n</style>`,
    '</head>',
    '<body>',
    body.trimEnd(),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
