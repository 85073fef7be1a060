import { describe, expect, it } from 'vitest';
import { toCsv } from '../src/report/csvOut.ts';
import { toHtml, htmlDocument } from '../src/report/html.ts';
import { captionFromTitle, escapeLatex, toLatex } from '../src/report/latex.ts';
import { escapeMarkdown, toMarkdown } from '../src/report/markdown.ts';
import { regressionJson, regressionTable, type RegressionModel } from '../src/report/regressionTable.ts';
import { splitDecimal, wrapHeader, type Table } from '../src/report/table.ts';
import { toText, wrapWords } from '../src/report/text.ts';
import { fakeFit } from './report-helpers.ts';

// Two hand-made models. Rounded by hand to 3 decimals (printf rules):
//   579.2684 -> 579.268, 65.7871 -> 65.787, -50.78512 -> -50.785, 20.92249 -> 20.922,
//   52.58412 -> 52.584, 51.02791 -> 51.028; -0.0625 -> -0.062 (exact tie, to even),
//   0.03125 -> 0.031, 6.5 -> 6.500, 1.25 -> 1.250; R² 0.11749 -> 0.117, 0.16 -> 0.160.
// Stars (* p<0.10, ** p<0.05, *** p<0.01): 1e-7 ***, 0.0153 **, 0.3 none,
//   0.0099 *** (edge), 0.05 * (edge: not below 0.05), 0.0999 * (edge).
const m1 = fakeFit(
  [
    { term: '(Intercept)', coef: 579.2684, se: 65.7871, p: 1e-7 },
    { term: 'lev', coef: -50.78512, se: 20.92249, p: 0.0153 },
    { term: 'ind_share', coef: 52.58412, se: 51.02791, p: 0.3 },
  ],
  414,
  0.11749,
);
const m2 = fakeFit(
  [
    { term: '(Intercept)', coef: 6.5, se: 1.25, p: 0.0099 },
    { term: 'lev', coef: -0.0625, se: 0.03125, p: 0.05 },
    { term: 'pc', coef: 9.625, se: 4.799, p: 0.0999 },
    { term: 'industry::B', coef: 1, se: 1, p: 0.5 },
  ],
  1234,
  0.16,
);
const models: RegressionModel[] = [
  { label: '(1)', fit: m1 },
  { label: '(2)', fit: m2 },
];
const opts = {
  title: 'Table 3: OLS & 50% of firms',
  dependent: 'Scores',
  // Row order = this order; 'industry::B' is not listed, so it is left out; the constant goes last.
  varLabels: { ind_share: '% Indep_Dir', lev: 'Leverage', pc: 'Political Connection' },
  feRows: [{ label: 'Industry FE', values: ['Yes', 'Yes'] }],
  note: 'Robust standard errors in parentheses.',
};
const table = regressionTable(models, opts);

describe('regressionTable', () => {
  it('builds rows: coefficient, SE under it, blanks for absent variables, constant last', () => {
    expect(table.rows.map((r) => [r.kind, ...r.cells])).toEqual([
      ['body', '% Indep_Dir', '52.584', ''],
      ['se', '', '(51.028)', ''],
      ['body', 'Leverage', '-50.785**', '-0.062*'],
      ['se', '', '(20.922)', '(0.031)'],
      ['body', 'Political Connection', '', '9.625*'],
      ['se', '', '', '(4.799)'],
      ['body', 'Constant', '579.268***', '6.500***'],
      ['se', '', '(65.787)', '(1.250)'],
      ['rule'],
      ['fe', 'Industry FE', 'Yes', 'Yes'],
      ['stat', 'N', '414', '1234'],
      ['stat', 'R²', '0.117', '0.160'],
    ]);
    expect(table.notes).toEqual(['Robust standard errors in parentheses.', '* p<0.10, ** p<0.05, *** p<0.01']);
  });

  it('configurable stars, digits and statistics', () => {
    const t = regressionTable(models, { ...opts, stars: [0.05, 0.01, 0.001], digits: 2, stats: ['n'], feRows: [] });
    expect(t.rows[2].cells).toEqual(['Leverage', '-50.79*', '-0.06']);
    expect(t.rows[6].cells).toEqual(['Constant', '579.27***', '6.50**']);
    expect(t.rows.slice(-1)[0].cells).toEqual(['N', '414', '1234']);
    expect(t.notes[1]).toBe('* p<0.05, ** p<0.01, *** p<0.001');
  });

  it('marks a collinear term as (omitted)', () => {
    const fit = fakeFit([{ term: '(Intercept)', coef: 1, se: 0.5, p: 0.06 }], 10, 0.5, { dropped: ['lev'] });
    // 'roa' is in no model: no row for it.
    const t = regressionTable([{ label: 'A', fit }], { title: 't', varLabels: { lev: 'Leverage', roa: 'ROA' }, stats: [] });
    expect(t.rows.map((r) => r.cells)).toEqual([
      ['Leverage', '(omitted)'],
      ['', ''],
      ['Constant', '1.000*'],
      ['', '(0.500)'],
    ]);
    const j = regressionJson([{ label: 'A', fit }], { title: 't', varLabels: { lev: 'Leverage' } });
    expect(j.models[0].omitted).toEqual(['Leverage']);
    expect(Object.keys(j.models[0].coefficients)).toEqual(['Constant']);
  });

  it('regressionJson: full precision, published.json table3 shape', () => {
    const j = regressionJson(models, opts);
    expect(j.title).toBe('Table 3: OLS & 50% of firms');
    expect(j.dependent).toBe('Scores');
    expect(j.models.map((m) => m.model)).toEqual(['(1)', '(2)']);
    expect(Object.keys(j.models[0].coefficients)).toEqual(['% Indep_Dir', 'Leverage', 'Constant']);
    expect(Object.keys(j.models[1].coefficients)).toEqual(['Leverage', 'Political Connection', 'Constant']);
    expect(j.models[0].coefficients['Leverage']).toEqual({ coef: -50.78512, se: 20.92249, stars: 2, t: -50.78512 / 20.92249, p: 0.0153 });
    expect(j.models[1].coefficients['Leverage'].stars).toBe(1);
    expect(j.models[1].n).toBe(1234);
    expect(j.models[0].r2).toBe(0.11749);
    expect(j.note).toBe('Robust standard errors in parentheses. * p<0.10, ** p<0.05, *** p<0.01');
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
  });
});

describe('renderers', () => {
  it('text: esttab-like, decimal points aligned, stars hanging', () => {
    // Column widths: labels 20 ("Political Connection"); model columns share one layout (as esttab):
    // 3 integer digits ("579") + 7 suffix (".268***") = 10 each; total 20 + 2 + 10 + 2 + 10 = 44. Headers,
    // "Yes" and whole numbers (N) are centred, odd space to the right: "414" and "1234" in 10 -> 3 left.
    expect(toText(table)).toBe(
      [
        'Table 3: OLS & 50% of firms',
        '--------------------------------------------',
        '                         (1)         (2)',
        '                        Scores      Scores',
        '--------------------------------------------',
        '% Indep_Dir            52.584',
        '                      (51.028)',
        'Leverage              -50.785**    -0.062*',
        '                      (20.922)     (0.031)',
        'Political Connection                9.625*',
        '                                   (4.799)',
        'Constant              579.268***    6.500***',
        '                      (65.787)     (1.250)',
        '--------------------------------------------',
        'Industry FE              Yes         Yes',
        'N                        414         1234',
        'R²                      0.117       0.160',
        '--------------------------------------------',
        'Robust standard errors in parentheses.',
        '* p<0.10, ** p<0.05, *** p<0.01',
        '',
      ].join('\n'),
    );
  });

  it('markdown: GFM pipe table, SE rows separate, markup escaped', () => {
    expect(toMarkdown(table)).toBe(
      [
        '**Table 3: OLS & 50% of firms**',
        '',
        '|                      |           (1) |         (2) |',
        '| :------------------- | ------------: | ----------: |',
        '|                      |        Scores |      Scores |',
        '| % Indep\\_Dir         |        52.584 |             |',
        '|                      |      (51.028) |             |',
        '| Leverage             |   -50.785\\*\\* |    -0.062\\* |',
        '|                      |      (20.922) |     (0.031) |',
        '| Political Connection |               |     9.625\\* |',
        '|                      |               |     (4.799) |',
        '| Constant             | 579.268\\*\\*\\* | 6.500\\*\\*\\* |',
        '|                      |      (65.787) |     (1.250) |',
        '| Industry FE          |           Yes |         Yes |',
        '| N                    |           414 |        1234 |',
        '| R²                   |         0.117 |       0.160 |',
        '',
        'Robust standard errors in parentheses.',
        '',
        '\\* p<0.10, \\*\\* p<0.05, \\*\\*\\* p<0.01',
        '',
      ].join('\n'),
    );
    expect(escapeMarkdown('a|b*c_d`e\\f')).toBe('a\\|b\\*c\\_d\\`e\\\\f');
  });

  it('latex: booktabs, r@{}l decimal pairs, math minus, superscript stars, escaping, notes under the rule', () => {
    expect(toLatex(table)).toBe(
      [
        '\\begin{table}[htbp]',
        '\\centering',
        // "Table 3:" is left to \\caption's own numbering.
        '\\caption{OLS \\& 50\\% of firms}',
        // The tabular is measured in a box so the notes below it wrap at its width.
        '\\begingroup',
        '\\setbox0=\\hbox{%',
        '\\begin{tabular}{lr@{}lr@{}l}',
        '\\toprule',
        ' & \\multicolumn{2}{c}{(1)} & \\multicolumn{2}{c}{(2)} \\\\',
        ' & \\multicolumn{2}{c}{Scores} & \\multicolumn{2}{c}{Scores} \\\\',
        // Zero-height rows (the negative skip cancels the row's strut): each half of a decimal
        // column gets at least half the header's width, so numbers centre under wide headers.
        ' & \\setbox0\\hbox{(1)}\\kern.5\\wd0 & \\setbox0\\hbox{(1)}\\kern.5\\wd0 & \\setbox0\\hbox{(2)}\\kern.5\\wd0 & \\setbox0\\hbox{(2)}\\kern.5\\wd0 \\\\[-\\arraystretch\\normalbaselineskip]',
        ' & \\setbox0\\hbox{Scores}\\kern.5\\wd0 & \\setbox0\\hbox{Scores}\\kern.5\\wd0 & \\setbox0\\hbox{Scores}\\kern.5\\wd0 & \\setbox0\\hbox{Scores}\\kern.5\\wd0 \\\\[-\\arraystretch\\normalbaselineskip]',
        '\\midrule',
        '\\% Indep\\_Dir & 52 & .584 & & \\\\',
        ' & (51 & .028) & & \\\\',
        'Leverage & $-$50 & .785$^{**}$ & $-$0 & .062$^{*}$ \\\\',
        ' & (20 & .922) & (0 & .031) \\\\',
        'Political Connection & & & 9 & .625$^{*}$ \\\\',
        ' & & & (4 & .799) \\\\',
        'Constant & 579 & .268$^{***}$ & 6 & .500$^{***}$ \\\\',
        ' & (65 & .787) & (1 & .250) \\\\',
        '\\midrule',
        'Industry FE & \\multicolumn{2}{c}{Yes} & \\multicolumn{2}{c}{Yes} \\\\',
        'N & \\multicolumn{2}{c}{414} & \\multicolumn{2}{c}{1234} \\\\',
        'R\\textsuperscript{2} & 0 & .117 & 0 & .160 \\\\',
        '\\bottomrule',
        '\\end{tabular}}%',
        '\\begin{minipage}{\\wd0}',
        '\\usebox0\\par\\vspace{3pt}',
        '\\footnotesize\\raggedright',
        'Robust standard errors in parentheses.\\par',
        '* p\\textless{}0.10, ** p\\textless{}0.05, *** p\\textless{}0.01\\par',
        '\\end{minipage}%',
        '\\endgroup',
        '\\end{table}',
        '',
      ].join('\n'),
    );
    expect(captionFromTitle('Table 3. OLS Regression on the Determinants')).toBe('OLS Regression on the Determinants');
    expect(captionFromTitle('Table A1: Robustness')).toBe('Robustness');
    expect(captionFromTitle('Tables of results')).toBe('Tables of results');
    expect(toLatex(table, { caption: 'OLS', label: 'tab:ols' }).split('\n').slice(0, 5)).toEqual(['\\begin{table}[htbp]', '\\centering', '\\caption{OLS}', '\\label{tab:ols}', '\\begingroup']);
    const bare = toLatex(table, { float: false });
    expect(bare.startsWith('% Table 3: OLS & 50% of firms\n\\begingroup\n\\setbox0=\\hbox{%\n\\begin{tabular}{lr@{}lr@{}l}\n')).toBe(true);
    expect(bare.endsWith('\\end{minipage}%\n\\endgroup\n')).toBe(true);
    const noNotes = toLatex({ ...table, notes: [] }, { float: false });
    expect(noNotes.endsWith('\\bottomrule\n\\end{tabular}\n')).toBe(true);
  });

  it('latex: confidence-interval cells get math minus signs, other text keeps its hyphens', () => {
    const t: Table = {
      title: 'CI',
      columns: [
        { label: 'Spec', align: 'l' },
        { label: '95% CI', align: 'c' },
      ],
      rows: [
        { kind: 'body', cells: ['t(N-K)', '[-95.69, -5.85]'] },
        { kind: 'body', cells: ['x', '[0.27, inf]'] },
      ],
      notes: [],
    };
    const tex = toLatex(t, { float: false });
    expect(tex).toContain('t(N-K) & [$-$95.69, $-$5.85] \\\\');
    expect(tex).toContain('x & [0.27, inf] \\\\');
  });

  it('latex escaping of & % _ # $ { } ~ ^ \\', () => {
    expect(escapeLatex('a & b % c _ d # e $ f { g } h ~ i ^ j \\ k')).toBe(
      'a \\& b \\% c \\_ d \\# e \\$ f \\{ g \\} h \\textasciitilde{} i \\textasciicircum{} j \\textbackslash{} k',
    );
  });

  it('html: fragment with caption, classes, rule above FE row, escaped text', () => {
    const html = toHtml(table);
    expect(html.split('\n').slice(0, 9)).toEqual([
      '<table class="cscs">',
      '<caption>Table 3: OLS &amp; 50% of firms</caption>',
      '<thead>',
      '<tr><th class="l"></th><th class="c" scope="col">(1)</th><th class="c" scope="col">(2)</th></tr>',
      '<tr><th class="l"></th><th class="c" scope="col">Scores</th><th class="c" scope="col">Scores</th></tr>',
      '</thead>',
      '<tbody>',
      '<tr class="body"><td class="l">% Indep_Dir</td><td class="d">52.584<span class="sfx"></span></td><td class="d"></td></tr>',
      '<tr class="se"><td class="l"></td><td class="d">(51.028<span class="sfx">)</span></td><td class="d"></td></tr>',
    ]);
    expect(html).toContain('<tr class="body"><td class="l">Leverage</td><td class="d">-50.785<span class="sfx">**</span></td><td class="d">-0.062<span class="sfx">*</span></td></tr>');
    expect(html).toContain('<tr class="fe rule"><td class="l">Industry FE</td><td class="c">Yes</td><td class="c">Yes</td></tr>');
    expect(html).toContain('<tfoot>\n<tr><td colspan="3">Robust standard errors in parentheses.</td></tr>\n<tr><td colspan="3">* p&lt;0.10, ** p&lt;0.05, *** p&lt;0.01</td></tr>\n</tfoot>\n</table>\n');
    const doc = htmlDocument('A <b> & c', html);
    expect(doc.startsWith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">')).toBe(true);
    expect(doc).toContain('<title>A &lt;b&gt; &amp; c</title>');
    expect(doc).not.toMatch(/<script/);
  });

  it('csv: RFC 4180 layout, SE in the row under the coefficient', () => {
    expect(toCsv(table)).toBe(
      [
        ',(1),(2)',
        ',Scores,Scores',
        '% Indep_Dir,52.584,',
        ',(51.028),',
        'Leverage,-50.785**,-0.062*',
        ',(20.922),(0.031)',
        'Political Connection,,9.625*',
        ',,(4.799)',
        'Constant,579.268***,6.500***',
        ',(65.787),(1.250)',
        'Industry FE,Yes,Yes',
        'N,414,1234',
        'R²,0.117,0.160',
        '',
      ].join('\r\n'),
    );
  });

  it('csv quoting: commas, quotes and line breaks; excel mode keeps cells as text', () => {
    const t: Table = {
      title: 'q',
      columns: [
        { label: 'a,b', align: 'l' },
        { label: 'say "hi"', align: 'r' },
        { label: 'plain', align: 'r' },
      ],
      rows: [{ kind: 'body', cells: ['line\nbreak', '(1.5)', ''] }],
      notes: [],
    };
    expect(toCsv(t)).toBe('"a,b","say ""hi""",plain\r\n"line\nbreak",(1.5),\r\n');
    expect(toCsv(t, { excel: true })).toBe('\ufeff"=""a,b""","=""say """"hi""""""","=""plain"""\r\n"=""line\nbreak""","=""(1.5)""",\r\n');
  });

  it('decimal split of numeric cells only', () => {
    expect(splitDecimal('-50.785**')).toEqual({ int: '-50', rest: '.785**' });
    expect(splitDecimal('(20.922)')).toEqual({ int: '(20', rest: '.922)' });
    expect(splitDecimal('414')).toEqual({ int: '414', rest: '' });
    expect(splitDecimal('99.34%')).toEqual({ int: '99', rest: '.34%' });
    expect(splitDecimal('Yes')).toBeNull();
    expect(splitDecimal('(omitted)')).toBeNull();
    expect(splitDecimal('')).toBeNull();
  });

  it('rejects a malformed table', () => {
    const bad: Table = { title: 'bad', columns: [{ label: 'x', align: 'l' }], rows: [{ kind: 'body', cells: ['a', 'b'] }], notes: [] };
    expect(() => toText(bad)).toThrow(/row 1 has 2 cells, expected 1/);
  });

  it('is deterministic', () => {
    const again = regressionTable(models, opts);
    expect(toLatex(again)).toBe(toLatex(table));
    expect(toHtml(again)).toBe(toHtml(table));
  });
});

describe('long headers and notes', () => {
  it('wrapHeader splits a label longer than 12 and than its numbers at the most balanced space', () => {
    expect(wrapHeader('Social Responsibility', 9)).toEqual(['Social', 'Responsibility']);
    expect(wrapHeader('Finance and Taxation', 9)).toEqual(['Finance and', 'Taxation']);
    expect(wrapHeader('Basic Data', 9)).toEqual(['Basic Data']); // 10 <= 12
    expect(wrapHeader('Social Responsibility', 21)).toEqual(['Social Responsibility']); // numbers as wide
    expect(wrapHeader('Responsibilities', 9)).toEqual(['Responsibilities']); // no space
  });

  it('wrapWords wraps greedily at the width', () => {
    expect(wrapWords('aaa bb cc dddd', 6)).toEqual(['aaa bb', 'cc', 'dddd']);
    expect(wrapWords('averyveryverylongword x', 6)).toEqual(['averyveryverylongword', 'x']);
  });

  const wide: Table = {
    title: 'T',
    columns: [
      { label: '', align: 'l' },
      { label: 'Social Responsibility', align: 'd' },
    ],
    rows: [{ kind: 'body', cells: ['x', '1.5'] }],
    notes: ['one two three four five six seven eight nine ten eleven twelve thirteen'],
  };

  it('text: a long label becomes two bottom-aligned header lines; notes wrap at the table width (min 40)', () => {
    // Label column 1 ("x") + gap 2 + column 14 ("Responsibility") = 17; "Social" centred in 14: 4
    // left; "1.5" centred: 11 spare -> 5 left.
    expect(toText(wide)).toBe(
      [
        'T',
        '-----------------',
        '       Social',
        '   Responsibility',
        '-----------------',
        'x       1.5',
        '-----------------',
        'one two three four five six seven eight',
        'nine ten eleven twelve thirteen',
        '',
      ].join('\n'),
    );
  });

  it('latex: the same label is stacked in a [b] tabular, in the header and in the width strut', () => {
    const tex = toLatex(wide, { float: false });
    const stacked = '\\begin{tabular}[b]{@{}c@{}}Social\\\\Responsibility\\end{tabular}';
    expect(tex).toContain(` & \\multicolumn{2}{c}{${stacked}} \\\\`);
    expect(tex).toContain(`\\setbox0\\hbox{${stacked}}\\kern.5\\wd0`);
  });
});
