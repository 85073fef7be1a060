import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.ts';
import { indexPage, relativeHref } from '../src/report/indexPage.ts';
import { formatDiff, formatReproduced, replicationHtml, replicationMarkdown, summaryLine, type ComparisonRow } from '../src/report/replicationReport.ts';
import { writeOutputsAtomically } from '../src/report/writeOutputs.ts';

const rows: ComparisonRow[] = [
  { table: 'table3', row: 'Leverage', column: '(5)', published: -50.785, reproduced: -50.78512, diff: -0.00012, tolerance: '|diff| <= 0.0005', ok: true },
  { table: 'table3', row: 'Leverage (se)', column: '(5)', published: 20.922, reproduced: 20.9301, diff: 0.0081, tolerance: '|diff| <= 0.0005', ok: false },
  { table: 'table1', row: 'Excellent', column: 'n', published: 394, reproduced: 394, diff: 0, tolerance: 'exact', ok: true },
];

describe('replication report', () => {
  it('summary line and number formats', () => {
    expect(summaryLine(rows)).toBe('cells matched: 2 / 3');
    // Three more decimals than published: 20.922 has 3 -> 6; 875 has 0 -> 3; counts stay whole.
    expect(formatReproduced(20.9301, 20.922)).toBe('20.930100');
    expect(formatReproduced(874.5, 875)).toBe('874.500');
    expect(formatReproduced(394, 394)).toBe('394');
    expect(formatDiff(0.0081)).toBe('+0.0081');
    expect(formatDiff(-0.00012)).toBe('-0.00012');
    expect(formatDiff(-1.25e-7)).toBe('-1.25e-7');
    expect(formatDiff(0)).toBe('0');
  });

  it('markdown: summary, failing cells listed and marked, one section per table in order', () => {
    const md = replicationMarkdown(rows, { title: 'Replication', tableTitles: { table3: 'Table 3' } });
    expect(md).toBe(
      [
        '# Replication',
        '',
        '**cells matched: 2 / 3**',
        '',
        '- Table 3: 1 / 2 (**FAIL**)',
        '- table1: 1 / 1',
        '',
        '## Cells that do not match',
        '',
        '- Table 3, Leverage (se), (5): published 20.922, reproduced 20.930100 (diff +0.0081; \\|diff\\| <= 0.0005)', // \\| renders as | (CommonMark escape)
        '',
        '## Table 3',
        '',
        'cells matched: 1 / 2',
        '',
        '| row | column | published | reproduced | diff | tolerance | status |',
        '| :--- | :--- | ---: | ---: | ---: | :--- | :--- |',
        '| Leverage | (5) | -50.785 | -50.785120 | -0.00012 | \\|diff\\| <= 0.0005 | ok |',
        '| Leverage (se) | (5) | 20.922 | 20.930100 | +0.0081 | \\|diff\\| <= 0.0005 | **FAIL** |',
        '',
        '## table1',
        '',
        'cells matched: 1 / 1',
        '',
        '| row | column | published | reproduced | diff | tolerance | status |',
        '| :--- | :--- | ---: | ---: | ---: | :--- | :--- |',
        '| Excellent | n | 394 | 394 | 0 | exact | ok |',
        '',
      ].join('\n'),
    );
  });

  it('html: failing rows carry class fail, text escaped', () => {
    const html = replicationHtml(rows, { title: 'R & D' });
    expect(html).toContain('<h1>R &amp; D</h1>');
    expect(html).toContain('<p class="summary fail">cells matched: 2 / 3</p>');
    expect(html).toContain('<tr class="fail"><td>Leverage (se)</td><td>(5)</td><td class="num">20.922</td><td class="num">20.930100</td><td class="num">+0.0081</td><td>|diff| &lt;= 0.0005</td><td>FAIL</td></tr>');
    expect(html).toContain('<p class="summary ok">cells matched: 1 / 1</p>');
    expect(html.indexOf('<h2>table3</h2>')).toBeLessThan(html.indexOf('<h2>table1</h2>'));
  });
});

describe('index page', () => {
  const page = indexPage({
    title: 'Lin & Milhaupt replication',
    intro: ['Synthetic data.'],
    tables: [{ id: 'table3', title: 'Table 3', html: '<table class="cscs"><caption>Table 3</caption></table>\n', files: [{ label: 'LaTeX', href: 'table3.tex' }, { label: 'CSV', href: 'table3.csv' }] }],
    figures: [{ id: 'figure1', title: 'Figure 1', image: 'figure1.svg', files: [{ label: 'PNG', href: 'figure1.png' }] }],
    links: [{ label: 'Replication report', href: 'replication.html' }],
  });
  it('embeds tables, shows figures and links every format with relative links', () => {
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).toContain('<title>Lin &amp; Milhaupt replication</title>');
    expect(page).toContain('<table class="cscs"><caption>Table 3</caption></table>');
    expect(page).toContain('<img src="figure1.svg" alt="Figure 1">');
    for (const href of ['table3.tex', 'table3.csv', 'figure1.png', 'replication.html', '#table3', '#figure1']) expect(page).toContain(`href="${href}"`);
    expect(page).not.toMatch(/<script|<link |src="\/|href="\/|https?:/);
    expect(page).toContain('<style>');
  });
  it('refuses absolute links and encodes odd names', () => {
    expect(() => relativeHref('/etc/passwd')).toThrow(/not a relative path/);
    expect(() => relativeHref('https://x.org/a.svg')).toThrow(/not a relative path/);
    expect(relativeHref('sub/figure 1.svg')).toBe('sub/figure%201.svg');
  });
});

describe('writeOutputsAtomically', () => {
  const dirs: string[] = [];
  const tmp = async (): Promise<string> => {
    const d = await mkdtemp(join(tmpdir(), 'cscs-out-'));
    dirs.push(d);
    return d;
  };
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('creates the folder, writes text and binary files, keeps unrelated files, leaves no temp dir', async () => {
    const base = await tmp();
    const out = join(base, 'results');
    await mkdir(out);
    await writeFile(join(out, 'keep.txt'), 'mine');
    await writeFile(join(out, 'table3.tex'), 'old');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    await writeOutputsAtomically(out, new Map<string, string | Buffer>([['table3.tex', 'new'], ['figs/figure1.png', png], ['index.html', '<p>é</p>']]));
    expect(await readFile(join(out, 'keep.txt'), 'utf8')).toBe('mine');
    expect(await readFile(join(out, 'table3.tex'), 'utf8')).toBe('new');
    expect((await readFile(join(out, 'figs/figure1.png'))).equals(png)).toBe(true);
    expect(await readFile(join(out, 'index.html'), 'utf8')).toBe('<p>é</p>');
    expect((await readdir(base)).sort()).toEqual(['results']);

    const fresh = join(base, 'a', 'b');
    await writeOutputsAtomically(fresh, new Map([['x.txt', 'x']]));
    expect(await readFile(join(fresh, 'x.txt'), 'utf8')).toBe('x');
  });

  it('an error while writing leaves the output folder untouched', async () => {
    const base = await tmp();
    const out = join(base, 'results');
    await mkdir(out);
    await writeFile(join(out, 'table3.tex'), 'old');
    // 'a' is a file and 'a/b' needs it to be a folder: writing the staged copy fails midway.
    const files = new Map<string, string>([['table3.tex', 'new'], ['a', 'file'], ['a/b', 'nested']]);
    await expect(writeOutputsAtomically(out, files)).rejects.toThrow();
    expect(await readdir(out)).toEqual(['table3.tex']);
    expect(await readFile(join(out, 'table3.tex'), 'utf8')).toBe('old');
    expect((await readdir(base)).sort()).toEqual(['results']);
  });

  it('refuses paths outside the folder with an InputError naming them', async () => {
    const base = await tmp();
    for (const bad of ['../x.txt', '/abs.txt', 'a/../../x', '']) {
      await expect(writeOutputsAtomically(join(base, 'o'), new Map([[bad, 'x']]))).rejects.toThrow(InputError);
    }
    await expect(writeOutputsAtomically(join(base, 'o'), new Map([['../x.txt', 'x']]))).rejects.toThrow(/'\.\.\/x\.txt' must be a relative path/);
    expect(await readdir(base)).toEqual([]);
  });
});
