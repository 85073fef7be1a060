/**
 * LaTeX rendering of a Table with booktabs rules (\toprule, \midrule, \bottomrule) and no other
 * package: a decimal-aligned column becomes an `r@{}l` pair split at the decimal point, which
 * lines numbers up as siunitx's S column would; stars are superscripts and minus signs are math
 * minus. Notes go in \multicolumn rows under the \bottomrule. The output is ready to \input.
 */
import { checkTable, splitDecimal, type Align, type Table } from './table.ts';

const LATEX_SPECIAL: Record<string, string> = {
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  '\\': '\\textbackslash{}',
  // Non-ASCII symbols that pdfLaTeX without extra packages cannot typeset.
  '\u00b2': '\\textsuperscript{2}',
  '\u2212': '$-$',
  '\u2264': '$\\leq$',
  '\u2265': '$\\geq$',
  '<': '\\textless{}',
  '>': '\\textgreater{}',
};

/** Escapes text for LaTeX: & % $ # _ { } ~ ^ \ and < > ² − ≤ ≥. */
export function escapeLatex(s: string): string {
  let out = '';
  for (const ch of s) out += LATEX_SPECIAL[ch] ?? ch;
  return out;
}

/** A numeric fragment: leading minus as math minus, stars as a superscript, % escaped. */
function latexNumber(s: string): string {
  const m = /^(.*?)(\**)$/.exec(s)!;
  let body = m[1].replace(/^([([]?)[-\u2212]/, '$1$-$');
  body = body.replace(/%/g, '\\%');
  return body + (m[2] ? `$^{${m[2]}}$` : '');
}

/** A whole cell in a non-decimal column. */
function latexCell(cell: string): string {
  return splitDecimal(cell) ? latexNumber(cell) : escapeLatex(cell);
}

function columnSpec(align: Align): string {
  return align === 'd' ? 'r@{}l' : align;
}

export interface LatexOptions {
  /** Wrap in a table float with \caption (default true); false gives the bare tabular. */
  float?: boolean;
  /** \label{...} for the float. */
  label?: string;
  /** Float placement (default "htbp"). */
  placement?: string;
}

/** Renders the table as LaTeX (booktabs) ending in a newline. */
export function toLatex(table: Table, opts: LatexOptions = {}): string {
  checkTable(table);
  const float = opts.float ?? true;
  const aligns = table.columns.map((c, j) => (j === 0 && c.align === 'd' ? 'l' : c.align));
  const nTex = aligns.reduce((s, a) => s + (a === 'd' ? 2 : 1), 0);

  const headerCell = (s: string, a: Align, j: number): string => {
    if (j === 0) return escapeLatex(s);
    if (a === 'd') return `\\multicolumn{2}{c}{${escapeLatex(s)}}`;
    return a === 'c' || a === 'r' ? `\\multicolumn{1}{c}{${escapeLatex(s)}}` : escapeLatex(s);
  };
  const bodyCell = (s: string, a: Align): string => {
    if (a !== 'd') return latexCell(s);
    if (s === '') return ' & ';
    const parts = splitDecimal(s);
    if (!parts) return `\\multicolumn{2}{c}{${escapeLatex(s)}}`;
    return `${latexNumber(parts.int)} & ${latexNumber(parts.rest)}`;
  };
  // Empty halves leave runs of spaces; LaTeX ignores them, so collapse them for readable source.
  const line = (cells: string[]): string => `${cells.join(' & ')} \\\\`.replace(/ {2,}/g, ' ');

  const out: string[] = [];
  if (float) {
    out.push(`\\begin{table}[${opts.placement ?? 'htbp'}]`, '\\centering');
    if (table.title) out.push(`\\caption{${escapeLatex(table.title)}}`);
    if (opts.label) out.push(`\\label{${opts.label}}`);
  } else if (table.title) {
    out.push(`% ${table.title.replace(/\n/g, ' ')}`);
  }
  out.push(`\\begin{tabular}{${aligns.map(columnSpec).join('')}}`, '\\toprule');
  out.push(line(table.columns.map((c, j) => headerCell(c.label, aligns[j], j))));
  if (table.subHeader) out.push(line(table.subHeader.map((s, j) => headerCell(s, aligns[j], j))));
  out.push('\\midrule');
  let lastRule = true;
  for (const row of table.rows) {
    if (row.kind === 'rule') {
      if (!lastRule) out.push('\\midrule');
      lastRule = true;
      continue;
    }
    out.push(line(row.cells.map((s, j) => (j === 0 ? escapeLatex(s) : bodyCell(s, aligns[j])))));
    lastRule = false;
  }
  if (lastRule && out[out.length - 1] === '\\midrule') out.pop();
  out.push('\\bottomrule');
  for (const note of table.notes) out.push(`\\multicolumn{${nTex}}{l}{\\footnotesize ${escapeLatex(note)}} \\\\`);
  out.push('\\end{tabular}');
  if (float) out.push('\\end{table}');
  return out.join('\n') + '\n';
}
