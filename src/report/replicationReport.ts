/**
 * The replication report: every published cell next to the reproduced value, whether it is within
 * tolerance, a summary line "cells matched: X / Y" and one section per table, failing cells
 * marked. Rendered as Markdown and as an HTML fragment; the comparison itself is done upstream.
 */
import { escapeHtml } from './html.ts';
import { escapeMarkdown } from './markdown.ts';

/** One compared cell. */
export interface ComparisonRow {
  /** e.g. "table3". */
  table: string;
  /** e.g. "Leverage" or "Leverage (se)". */
  row: string;
  /** e.g. "(5)". */
  column: string;
  published: number;
  reproduced: number;
  /** reproduced - published. */
  diff: number;
  /** How the match was judged, e.g. "|diff| <= 0.0005 (rounding)". */
  tolerance: string;
  ok: boolean;
}

export interface ReplicationReportOptions {
  /** Heading of the report (default "Replication report"). */
  title?: string;
  /** Paragraphs under the heading (plain text), e.g. which data were used. */
  intro?: string[];
  /** Section headings per table id, e.g. { table3: 'Table 3: OLS ...' }; default the id. */
  tableTitles?: Record<string, string>;
}

/** Summary counts. */
export interface MatchSummary {
  matched: number;
  total: number;
}

export function matchSummary(rows: readonly ComparisonRow[]): MatchSummary {
  return { matched: rows.filter((r) => r.ok).length, total: rows.length };
}

/** "cells matched: X / Y". */
export function summaryLine(rows: readonly ComparisonRow[]): string {
  const s = matchSummary(rows);
  return `cells matched: ${s.matched} / ${s.total}`;
}

/** Groups rows by table, tables in first-appearance order, rows in input order. */
function byTable(rows: readonly ComparisonRow[]): [string, ComparisonRow[]][] {
  const groups = new Map<string, ComparisonRow[]>();
  for (const r of rows) {
    if (!groups.has(r.table)) groups.set(r.table, []);
    groups.get(r.table)!.push(r);
  }
  return [...groups.entries()];
}

/** Decimals in the shortest text of a number: 52.584 -> 3, 414 -> 0. */
function decimalsOf(x: number): number {
  const s = String(x);
  if (s.includes('e')) return 6;
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** The published value as printed. */
export function formatPublished(x: number): string {
  return Number.isFinite(x) ? String(x) : 'NA';
}

/**
 * The reproduced value with three more decimals than the published one, so rounding can be
 * judged; a count (both values whole numbers) prints as a whole number.
 */
export function formatReproduced(x: number, published: number): string {
  if (!Number.isFinite(x)) return 'NA';
  if (Number.isInteger(x) && Number.isInteger(published)) return String(x);
  return x.toFixed(Math.min(20, decimalsOf(published) + 3));
}

/** A difference with three significant digits, explicit sign ("+0.000412", "-1.25e-7", "0"). */
export function formatDiff(x: number): string {
  if (!Number.isFinite(x)) return 'NA';
  if (x === 0) return '0';
  const s = Math.abs(x) >= 1e-4 && Math.abs(x) < 1e6 ? String(Number(x.toPrecision(3))) : x.toExponential(2);
  return x > 0 ? `+${s}` : s;
}

const HEADER = ['row', 'column', 'published', 'reproduced', 'diff', 'tolerance', 'status'];

function cells(r: ComparisonRow): string[] {
  return [r.row, r.column, formatPublished(r.published), formatReproduced(r.reproduced, r.published), formatDiff(r.diff), r.tolerance, r.ok ? 'ok' : 'FAIL'];
}

/** The report as Markdown (failing cells: status **FAIL** and listed first in a summary). */
export function replicationMarkdown(rows: readonly ComparisonRow[], opts: ReplicationReportOptions = {}): string {
  const out: string[] = [`# ${escapeMarkdown(opts.title ?? 'Replication report')}`, ''];
  for (const p of opts.intro ?? []) out.push(escapeMarkdown(p), '');
  out.push(`**${summaryLine(rows)}**`, '');
  const groups = byTable(rows);
  for (const [table, rs] of groups) {
    const s = matchSummary(rs);
    out.push(`- ${escapeMarkdown(opts.tableTitles?.[table] ?? table)}: ${s.matched} / ${s.total}${s.matched < s.total ? ' (**FAIL**)' : ''}`);
  }
  if (groups.length > 0) out.push('');
  const failed = rows.filter((r) => !r.ok);
  if (failed.length > 0) {
    out.push('## Cells that do not match', '');
    out.push(...failed.map((r) => `- ${escapeMarkdown(`${opts.tableTitles?.[r.table] ?? r.table}, ${r.row}, ${r.column}`)}: published ${formatPublished(r.published)}, reproduced ${formatReproduced(r.reproduced, r.published)} (diff ${formatDiff(r.diff)}; ${escapeMarkdown(r.tolerance)})`), '');
  }
  for (const [table, rs] of groups) {
    const s = matchSummary(rs);
    out.push(`## ${escapeMarkdown(opts.tableTitles?.[table] ?? table)}`, '', `cells matched: ${s.matched} / ${s.total}`, '');
    out.push(`| ${HEADER.join(' | ')} |`, `| :--- | :--- | ---: | ---: | ---: | :--- | :--- |`);
    for (const r of rs) {
      const c = cells(r).map(escapeMarkdown);
      if (!r.ok) c[6] = '**FAIL**';
      out.push(`| ${c.join(' | ')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** CSS of the HTML report. */
export const REPORT_CSS = `table.repl{border-collapse:collapse;margin:.5em 0 1.5em;font-variant-numeric:tabular-nums}
table.repl th,table.repl td{padding:.15em .6em;border-bottom:1px solid #ddd;text-align:left}
table.repl td.num{text-align:right}
table.repl tr.fail td{background:#fde2e1;color:#8a1010;font-weight:bold}
p.summary{font-size:1.15em;font-weight:bold}
p.summary.fail{color:#8a1010}
p.summary.ok{color:#1d6b2c}`;

/** The report as an HTML fragment (wrap it with htmlDocument(title, body, REPORT_CSS) for a page). */
export function replicationHtml(rows: readonly ComparisonRow[], opts: ReplicationReportOptions = {}): string {
  const all = matchSummary(rows);
  const out: string[] = [`<h1>${escapeHtml(opts.title ?? 'Replication report')}</h1>`];
  for (const p of opts.intro ?? []) out.push(`<p>${escapeHtml(p)}</p>`);
  out.push(`<p class="summary ${all.matched === all.total ? 'ok' : 'fail'}">${escapeHtml(summaryLine(rows))}</p>`);
  for (const [table, rs] of byTable(rows)) {
    const s = matchSummary(rs);
    out.push(`<h2>${escapeHtml(opts.tableTitles?.[table] ?? table)}</h2>`);
    out.push(`<p class="summary ${s.matched === s.total ? 'ok' : 'fail'}">cells matched: ${s.matched} / ${s.total}</p>`);
    out.push('<table class="repl">', `<thead><tr>${HEADER.map((h) => `<th>${h}</th>`).join('')}</tr></thead>`, '<tbody>');
    for (const r of rs) {
      const td = cells(r).map((c, j) => `<td${j >= 2 && j <= 4 ? ' class="num"' : ''}>${escapeHtml(c)}</td>`);
      out.push(`<tr class="${r.ok ? 'ok' : 'fail'}">${td.join('')}</tr>`);
    }
    out.push('</tbody>', '</table>');
  }
  return out.join('\n') + '\n';
}
