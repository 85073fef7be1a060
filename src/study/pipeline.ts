/**
 * The whole replication: raw folder in, Tables 1-4, Figures 1-2, the analysis sample, the sample
 * flow, the replication report and an index page out. Everything is computed in memory first and
 * written all-or-nothing (writeOutputsAtomically), so an input error leaves --out untouched.
 * Same inputs give byte-identical files: no timestamps, no absolute paths, sorted firms.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.ts';
import { basename, resolve } from 'node:path';
import { barChartSpec, renderChart } from '../report/charts.ts';
import { csvField, toCsv } from '../report/csvOut.ts';
import { formatFixed } from '../report/format.ts';
import { htmlDocument, toHtml } from '../report/html.ts';
import { indexPage, type FileLink } from '../report/indexPage.ts';
import { toLatex } from '../report/latex.ts';
import { toMarkdown } from '../report/markdown.ts';
import type { RegressionJson, RegressionModel } from '../report/regressionTable.ts';
import { REPORT_CSS, replicationHtml, replicationMarkdown } from '../report/replicationReport.ts';
import type { Table } from '../report/table.ts';
import { toText } from '../report/text.ts';
import { writeOutputsAtomically } from '../report/writeOutputs.ts';
import { loadRawFolder, type RawData } from '../data/load.ts';
import { assertTreeConsistent } from './indicatorTree.ts';
import { TABLE3_MODELS, TABLE4_MODELS, fitModels, table3Json, table3Layout, table4Json, table4Layout, type Table3Json } from './models.ts';
import { CHECK_TITLES, checkReplication, type Published, type ReplicationCheck } from './replicationCheck.ts';
import { ANALYSIS_COLUMNS, buildSample, sampleTable, type SampleOptions, type StudySample } from './sample.ts';
import {
  computeFigure1,
  computeFigure2,
  computeTable1,
  computeTable2,
  table1Layout,
  table2Layout,
  type FigureValues,
  type Table1,
  type Table2,
} from './tables.ts';

/** Output files: relative name -> content. */
export type OutputFiles = Map<string, string | Buffer>;

export interface ReplicationOptions {
  sample?: Partial<SampleOptions>;
  /** Published numbers to compare with (default: data/paper/published.json of this repository). */
  published?: Published;
}

export interface Replication {
  raw: RawData;
  sample: StudySample;
  table1: Table1;
  table2: Table2;
  figure1: FigureValues;
  figure2: FigureValues;
  table3: { models: RegressionModel[]; json: Table3Json };
  table4: { models: RegressionModel[]; json: RegressionJson };
  check: ReplicationCheck;
}

/** The published numbers shipped with the repository. */
export function loadPublished(): Published {
  return JSON.parse(readFileSync(new URL('../../data/paper/published.json', import.meta.url), 'utf8')) as Published;
}

/** Pretty JSON with a final newline (NaN/Infinity never reach it: computations map them to null). */
export function jsonText(x: unknown): string {
  return JSON.stringify(x, null, 2) + '\n';
}

/** Computes every result in memory (no files written). */
export function computeReplication(dataDir: string, opts: ReplicationOptions = {}): Replication {
  assertTreeConsistent();
  const raw = loadRawFolder(dataDir);
  const sample = buildSample(raw, opts.sample);
  if (sample.rows.length === 0) {
    // Say where the firms were lost (a wrong --fiscal-year or --listed-before empties a step).
    const steps = sample.flow.steps.map((s) => `${s.step}: ${s.n}`).join('; ');
    throw new InputError(`${dataDir}: the regression sample is empty (${steps}); check --fiscal-year and --listed-before`);
  }
  const data = sampleTable(sample);
  const t3 = fitModels(data, TABLE3_MODELS);
  const t4 = fitModels(data, TABLE4_MODELS);
  const result = {
    raw,
    sample,
    table1: computeTable1(sample.scored),
    table2: computeTable2(sample),
    figure1: computeFigure1(sample.scored),
    figure2: computeFigure2(sample.scored),
    table3: { models: t3, json: table3Json(t3) },
    table4: { models: t4, json: table4Json(t4) },
  };
  const check = checkReplication(opts.published ?? loadPublished(), {
    table1: result.table1,
    table2: result.table2,
    figure1: result.figure1,
    figure2: result.figure2,
    table3: result.table3.json,
    table4: result.table4.json,
  });
  return { ...result, check };
}

/** The six files of a table: text, Markdown, LaTeX, HTML page, CSV and full-precision JSON. */
export function tableFiles(name: string, layout: Table, json: unknown): OutputFiles {
  return new Map<string, string | Buffer>([
    [`${name}.txt`, toText(layout)],
    [`${name}.md`, toMarkdown(layout)],
    [`${name}.tex`, toLatex(layout, { label: `tab:${name}` })],
    [`${name}.html`, htmlDocument(layout.title, toHtml(layout))],
    [`${name}.csv`, toCsv(layout)],
    [`${name}.json`, jsonText(json)],
  ]);
}

export const FIGURE1_TITLE = 'Figure 1. Mean score as percent of maximum, first-level indicators';
export const FIGURE2_TITLE = 'Figure 2. Mean score as percent of maximum, second-level indicators';

/** The four files of a figure: SVG, PNG, Vega-Lite spec and the values (indicator -> percent). */
export async function figureFiles(name: string, title: string, values: FigureValues, nFirms: number): Promise<OutputFiles> {
  const data = Object.entries(values).map(([label, value]) => ({ label, value: value ?? 0 }));
  const chart = await renderChart(barChartSpec({ title: `${title} (${nFirms} firms)`, data, xTitle: 'Mean score as % of maximum', domainMax: 100 }));
  return new Map<string, string | Buffer>([
    [`${name}.svg`, chart.svg],
    [`${name}.png`, chart.png],
    [`${name}.vl.json`, chart.vegaLite],
    [`${name}.json`, jsonText(values)],
  ]);
}

/** analysis_sample.csv: the exact regression sample, shortest round-trip numbers, LF line ends. */
export function analysisSampleCsv(sample: StudySample): string {
  const lines = [ANALYSIS_COLUMNS.join(',')];
  for (const r of sample.rows) {
    lines.push(
      ANALYSIS_COLUMNS.map((c) => {
        if (c === 'firm_id') return csvField(r.firm_id);
        if (c === 'industry') return csvField(r.industry);
        if (c === 'city') return csvField(r.city);
        return String(r.values[c]);
      }).join(','),
    );
  }
  return lines.join('\n') + '\n';
}

/** The sample flow (and winsorization) as readable text. */
export function sampleFlowText(sample: StudySample): string {
  const out: string[] = ['Sample flow', ''];
  const width = Math.max(...sample.flow.steps.map((s) => s.step.length));
  for (const s of sample.flow.steps) {
    const removed = s.removed.length > 0 ? `   (-${s.removed.length})` : '';
    out.push(`${s.step.padEnd(width)}  ${String(s.n).padStart(6)}${removed}`);
  }
  for (const s of sample.flow.steps) {
    if (s.removed.length === 0) continue;
    out.push('', `Removed at "${s.step}":`);
    for (const r of s.removed) out.push(`  ${r.firm_id}: ${r.reason}`);
  }
  for (const o of sample.flow.orphans) {
    out.push('', `Ignored: ${o.rows} row(s) of ${o.file} for firms not in firms.csv: ${o.firmIds.join(', ')}`);
  }
  out.push('', `Winsorization on the regression sample (N = ${sample.rows.length}), quantile type ${sample.options.winsorizeType}:`);
  for (const w of sample.winsorization) {
    // 7 significant digits, as R prints; sample_flow.json keeps the full doubles.
    const g7 = (x: number): string => String(Number(x.toPrecision(7)));
    out.push(`  ${w.label}: p = ${w.p}, lower ${g7(w.lower)}, upper ${g7(w.upper)}, clipped ${w.nLow} low / ${w.nHigh} high`);
  }
  return out.join('\n') + '\n';
}

/** The sample flow, winsorization and options as JSON. */
export function sampleFlowJson(sample: StudySample): unknown {
  return {
    fiscal_year: sample.flow.fiscalYear,
    listed_before: sample.flow.listedBefore,
    steps: sample.flow.steps,
    ignored_rows: sample.flow.orphans,
    winsorization: sample.winsorization,
    options: sample.options,
  };
}

const TABLE_FORMATS = (name: string): FileLink[] => [
  { label: 'text', href: `${name}.txt` },
  { label: 'Markdown', href: `${name}.md` },
  { label: 'LaTeX', href: `${name}.tex` },
  { label: 'HTML', href: `${name}.html` },
  { label: 'CSV', href: `${name}.csv` },
  { label: 'JSON', href: `${name}.json` },
];

const FIGURE_FORMATS = (name: string): FileLink[] => [
  { label: 'SVG', href: `${name}.svg` },
  { label: 'PNG', href: `${name}.png` },
  { label: 'Vega-Lite', href: `${name}.vl.json` },
  { label: 'values (JSON)', href: `${name}.json` },
];

/** Every output file of a replication, rendered in memory. */
export async function replicationFiles(rep: Replication, dataName: string): Promise<OutputFiles> {
  const files: OutputFiles = new Map();
  const add = (m: OutputFiles): void => m.forEach((v, k) => files.set(k, v));
  const layouts: [string, Table, unknown][] = [
    ['table1', table1Layout(rep.table1), rep.table1],
    ['table2', table2Layout(rep.table2), rep.table2],
    ['table3', table3Layout(rep.table3.models), rep.table3.json],
    ['table4', table4Layout(rep.table4.models), rep.table4.json],
  ];
  for (const [name, layout, json] of layouts) add(tableFiles(name, layout, json));
  const n = rep.sample.scored.length;
  add(await figureFiles('figure1', FIGURE1_TITLE, rep.figure1, n));
  add(await figureFiles('figure2', FIGURE2_TITLE, rep.figure2, n));
  files.set('analysis_sample.csv', analysisSampleCsv(rep.sample));
  files.set('sample_flow.txt', sampleFlowText(rep.sample));
  files.set('sample_flow.json', jsonText(sampleFlowJson(rep.sample)));

  const intro = [
    `Data: ${dataName}. ${n} firms with scores (Table 1, Figures 1-2); regression sample ${rep.sample.rows.length} firms (Tables 2-4).`,
    'Published numbers: Lin & Milhaupt (2021), data/paper/published.json. Tolerances: src/study/replicationCheck.ts (TOLERANCES).',
  ];
  const reportOpts = { title: 'Replication report: Lin & Milhaupt (2021), Tables 1-4 and Figures 1-2', intro, tableTitles: CHECK_TITLES };
  files.set('replication.md', replicationMarkdown(rep.check.cells, reportOpts));
  files.set('replication.html', htmlDocument(reportOpts.title, replicationHtml(rep.check.cells, reportOpts), REPORT_CSS));

  files.set(
    'index.html',
    indexPage({
      title: 'Lin & Milhaupt (2021) replication: tables and figures',
      intro: [...intro, `Replication check: cells matched ${rep.check.matched} / ${rep.check.total}.`],
      tables: layouts.map(([name, layout]) => ({ id: name, title: layout.title, html: toHtml(layout), files: TABLE_FORMATS(name) })),
      figures: [
        { id: 'figure1', title: FIGURE1_TITLE, image: 'figure1.svg', files: FIGURE_FORMATS('figure1') },
        { id: 'figure2', title: FIGURE2_TITLE, image: 'figure2.svg', files: FIGURE_FORMATS('figure2') },
      ],
      links: [
        { label: 'Replication report (published vs reproduced)', href: 'replication.html' },
        { label: 'Replication report (Markdown)', href: 'replication.md' },
        { label: 'Sample flow', href: 'sample_flow.txt' },
        { label: 'Sample flow (JSON)', href: 'sample_flow.json' },
        { label: 'Analysis sample (CSV)', href: 'analysis_sample.csv' },
      ],
    }),
  );
  return files;
}

/** Folder name shown in reports: the last path segment only, so outputs do not depend on where the data live. */
export function dataName(dataDir: string): string {
  return basename(resolve(dataDir));
}

/**
 * Runs the replication on `dataDir` and writes every output into `outDir` (created if missing;
 * unrelated files in it are kept). Nothing is written unless everything succeeded.
 */
export async function runReplication(dataDir: string, outDir: string, opts: ReplicationOptions = {}): Promise<Replication> {
  const rep = computeReplication(dataDir, opts);
  const files = await replicationFiles(rep, dataName(dataDir));
  await writeOutputsAtomically(outDir, files);
  return rep;
}

/** One line per key number, for the CLI. */
export function replicationSummary(rep: Replication): string {
  const steps = rep.sample.flow.steps.map((s) => `${s.step}: ${s.n}`).join('; ');
  const m5 = rep.table3.json.models.find((m) => m.model === '(5)');
  const r2 = m5 ? formatFixed(m5.r2, 3) : '.';
  return [`sample flow: ${steps}`, `Table 3 model (5): N = ${m5?.n ?? '.'}, R-squared = ${r2}`, `replication check: cells matched: ${rep.check.matched} / ${rep.check.total}`].join('\n') + '\n';
}
