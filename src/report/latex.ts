/**
 * LaTeX rendering of a Table with booktabs rules (\toprule, \midrule, \bottomrule) and no other
 * package: a decimal-aligned column becomes an `r@{}l` pair split at the decimal point, which
 * lines numbers up as siunitx's S column would; stars are superscripts and minus signs are math
 * minus. Notes go in a paragraph as wide as the tabular, under the \bottomrule. The output is
 * ready to \input (a table float by default, or just the tabular and notes with float: false).
 */
import { checkTable, decimalColumn, displayWidth, splitDecimal, wrapHeader, type Align, type DecimalParts, type Table } from './table.ts';

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

/** A confidence interval "[-1.50, 2.25]": its numbers' minus signs are math minus, not hyphens. */
const INTERVAL = /^\[[-\u2212]?(?:\d[\d.]*|inf), [-\u2212]?(?:\d[\d.]*|inf)\]$/;

/** A whole cell in a non-decimal column. */
function latexCell(cell: string): string {
  if (INTERVAL.test(cell)) return cell.replace(/[-\u2212]/g, '$-$');
  return splitDecimal(cell) ? latexNumber(cell) : escapeLatex(cell);
}


function columnSpec(align: Align): string {
  return align === 'd' ? 'r@{}l' : align;
}

export interface LatexOptions {
  /** Caption text (default the table's title); e.g. the title without "Table 3." since LaTeX numbers floats. */
  caption?: string;
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
  const bodyRows = table.rows.filter((r) => r.kind !== 'rule');
  const parts: (DecimalParts | null)[][] = aligns.map((a, j) => (a === 'd' ? decimalColumn(bodyRows.map((r) => r.cells[j])) : []));

  // A long column label is stacked on two lines (a [b]-aligned inner tabular), as in the text table.
  const bodyChars = (j: number): number => Math.max(0, ...bodyRows.map((r) => displayWidth(r.cells[j])));
  const headerText = (s: string, j: number): string => {
    const lines = j === 0 ? [s] : wrapHeader(s, bodyChars(j));
    return lines.length === 1 ? escapeLatex(s) : `\\begin{tabular}[b]{@{}c@{}}${lines.map(escapeLatex).join('\\\\')}\\end{tabular}`;
  };
  const headerCell = (s: string, a: Align, j: number): string => {
    if (j === 0) return escapeLatex(s);
    if (a === 'd') return `\\multicolumn{2}{c}{${headerText(s, j)}}`;
    return a === 'c' || a === 'r' ? `\\multicolumn{1}{c}{${headerText(s, j)}}` : headerText(s, j);
  };
  const bodyCell = (s: string, i: number, j: number): string => {
    if (j === 0) return escapeLatex(s);
    if (aligns[j] !== 'd') return latexCell(s);
    if (s === '') return ' & ';
    const p = parts[j][i];
    if (!p) return `\\multicolumn{2}{c}{${latexCell(s)}}`;
    return `${latexNumber(p.int)} & ${latexNumber(p.rest)}`;
  };
  // Empty halves leave runs of spaces; LaTeX ignores them, so collapse them for readable source.
  const line = (cells: string[]): string => `${cells.join(' & ')} \\\\`.replace(/ {2,}/g, ' ');

  // A header wider than its numbers would give all the extra width to the right half of the
  // r@{}l pair, pushing the numbers off centre. A zero-height row makes each half at least half
  // as wide as the header, so the decimal point sits under the header's centre.
  const hasDecimal = aligns.includes('d');
  const strutRow = (cells: string[]): string =>
    `${cells
      .map((s, j) => {
        if (j === 0 || aligns[j] !== 'd') return aligns[j] === 'd' ? ' & ' : '';
        // \kern, not \hskip: the column template's \unskip would remove a skip.
        const half = s === '' ? '' : `\\setbox0\\hbox{${headerText(s, j)}}\\kern.5\\wd0`;
        return `${half} & ${half}`;
      })
      .join(' & ')} \\\\[-\\arraystretch\\normalbaselineskip]`.replace(/ {2,}/g, ' '); // = minus the row's strut height
  const headerLines = [table.columns.map((c) => c.label), ...(table.subHeader ? [table.subHeader] : [])];
  const tabular: string[] = [`\\begin{tabular}{${aligns.map(columnSpec).join('')}}`, '\\toprule'];
  for (const h of headerLines) tabular.push(line(h.map((s, j) => headerCell(s, aligns[j], j))));
  if (hasDecimal) for (const h of headerLines) tabular.push(strutRow(h));
  tabular.push('\\midrule');
  let lastRule = true;
  let i = 0;
  for (const row of table.rows) {
    if (row.kind === 'rule') {
      if (!lastRule) tabular.push('\\midrule');
      lastRule = true;
      continue;
    }
    const k = i++;
    tabular.push(line(row.cells.map((s, j) => bodyCell(s, k, j))));
    lastRule = false;
  }
  if (lastRule && tabular[tabular.length - 1] === '\\midrule') tabular.pop();
  tabular.push('\\bottomrule', '\\end{tabular}');

  // Notes would widen the last column if they sat in a \multicolumn row, so the tabular is
  // measured in a box and the notes are set in a paragraph of exactly its width.
  const body =
    table.notes.length === 0
      ? tabular
      : [
          '\\begingroup',
          '\\setbox0=\\hbox{%',
          ...tabular.map((l, n) => (n === tabular.length - 1 ? `${l}}%` : l)),
          '\\begin{minipage}{\\wd0}',
          '\\usebox0\\par\\vspace{3pt}',
          '\\footnotesize\\raggedright',
          ...table.notes.map((note) => `${escapeLatex(note)}\\par`),
          '\\end{minipage}%',
          '\\endgroup',
        ];

  const out: string[] = [];
  if (float) {
    out.push(`\\begin{table}[${opts.placement ?? 'htbp'}]`, '\\centering');
    const caption = opts.caption ?? captionFromTitle(table.title);
    if (caption) out.push(`\\caption{${escapeLatex(caption)}}`);
    if (opts.label) out.push(`\\label{${opts.label}}`);
  } else if (table.title) {
    out.push(`% ${table.title.replace(/\n/g, ' ')}`);
  }
  out.push(...body);
  if (float) out.push('\\end{table}');
  return out.join('\n') + '\n';
}

/**
 * The default caption: the title without a leading "Table 3." / "Table 3:", which \caption adds
 * itself (otherwise the PDF reads "Table 3: Table 3. OLS ...").
 */
export function captionFromTitle(title: string): string {
  return title.replace(/^Table\s+[\w.-]+?[.:]\s+/, '');
}
