/**
 * The robustness battery as outputs: a table (rows: specifications; for Political Connection and
 * Leverage the coefficient, SE, 95% CI and p-value; N) in the six table formats, its full-precision
 * JSON, and a coefficient plot (Vega-Lite, SVG, PNG) of the specifications on the score scale.
 */
import { coefPlotSpec, type CoefPlotDatum } from '../report/coefPlot.ts';
import { renderChart } from '../report/charts.ts';
import { formatFixed, formatInteger, starCount, starLegend } from '../report/format.ts';
import { ruleRow, type Table, type TableRow } from '../report/table.ts';
import { tableFiles, type OutputFiles } from './pipeline.ts';
import { FOCUS_LABELS, FOCUS_TERMS, type FocusEstimate, type Robustness } from './robustness.ts';

export const ROBUSTNESS_TITLE = 'Robustness of the two findings of Table 3 model (5)';
export const COEFPLOT_TITLE = 'Political Connection and Leverage across specifications';

/** "10.521**" — three decimals and the usual stars from the row's own p-value. */
function coefCell(e: FocusEstimate): string {
  return Number.isFinite(e.coef) ? `${formatFixed(e.coef, 3)}${'*'.repeat(starCount(e.p))}` : '.';
}

function seCell(e: FocusEstimate): string {
  return e.se === null || !Number.isFinite(e.se) ? '' : `(${formatFixed(e.se, 3)})`;
}

function ciCell(e: FocusEstimate): string {
  const lo = Number.isFinite(e.ciLow) ? formatFixed(e.ciLow, 2) : '-inf';
  const hi = Number.isFinite(e.ciHigh) ? formatFixed(e.ciHigh, 2) : 'inf';
  return Number.isFinite(e.coef) ? `[${lo}, ${hi}]` : '';
}

function pCell(e: FocusEstimate): string {
  return Number.isFinite(e.p) ? formatFixed(e.p, 3) : '.';
}

/** The robustness table: one block per group, a row per specification. */
export function robustnessLayout(rob: Robustness): Table {
  const columns: Table['columns'] = [{ label: 'Specification', align: 'l' }];
  for (const term of FOCUS_TERMS) {
    const name = FOCUS_LABELS[term];
    columns.push({ label: name, align: 'd' }, { label: 'SE', align: 'd' }, { label: '95% CI', align: 'c' }, { label: 'p', align: 'd' });
  }
  columns.push({ label: 'N', align: 'r' }, { label: 'Inference', align: 'l' });
  const rows: TableRow[] = [];
  let group = '';
  for (const r of rob.rows) {
    if (r.group !== group) {
      if (group !== '') rows.push(ruleRow());
      group = r.group;
      rows.push({ kind: 'body', cells: [`${group}:`, ...Array(columns.length - 1).fill('')] });
    }
    const cells = [`  ${r.label}`];
    for (const term of FOCUS_TERMS) {
      const e = r.estimates[term];
      cells.push(coefCell(e), seCell(e), ciCell(e), pCell(e));
    }
    cells.push(formatInteger(r.n), r.inference);
    rows.push({ kind: 'body', cells });
  }
  const notes = [
    `Each row refits the paper's model (5) (industry and city fixed effects as dummies) with one change; the outcome is the total score unless the row names another. ${rob.n} firms, ${rob.nCities} cities, ${rob.nIndustries} industries.`,
    'Inference: HC1/HC3 = heteroskedasticity-robust (Stata vce(robust) / vce(hc3)) with t(N-K); CR1 = cluster-robust with Stata\'s G/(G-1)(N-1)/(N-K) and t(G-1); two-way = Cameron-Gelbach-Miller; WCR = wild cluster restricted bootstrap-t (as Stata boottest; Rademacher weights, all sign vectors when 2^G <= B, else B random draws; Webb six-point weights where named), symmetric p-value, CI by test inversion, SE column = CR1 SE of the fit; ML robust = sandwich x N/(N-1) (Stata vce(robust) after tobit/ologit/oprobit), normal inference; HK sandwich (nid) = Hendricks-Koenker (R quantreg se = "nid", Hall-Sheather bandwidth).',
    'Ordered-model coefficients are on the latent (log-odds or probit) scale, not in score points. Random draws use the seed in robustness.json.',
    ...rob.rows.filter((r) => r.note !== '').map((r) => `${r.label}: ${r.note}`),
    `${starLegend()} (from each row's own p-value).`,
  ];
  return { title: `Robustness. ${ROBUSTNESS_TITLE}`, columns, rows, notes };
}

/** Full-precision JSON of the battery (what the table shows, unrounded, plus every row's metadata). */
export function robustnessJson(rob: Robustness): unknown {
  const num = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : x);
  return {
    title: ROBUSTNESS_TITLE,
    n: rob.n,
    cities: rob.nCities,
    industries: rob.nIndustries,
    options: rob.options,
    rows: rob.rows.map((r) => ({
      group: r.group,
      id: r.id,
      label: r.label,
      outcome: r.outcome,
      estimator: r.estimator,
      inference: r.inference,
      scale: r.scale,
      n: r.n,
      note: r.note,
      estimates: Object.fromEntries(
        FOCUS_TERMS.map((t) => {
          const e = r.estimates[t];
          return [FOCUS_LABELS[t], { coef: num(e.coef), se: num(e.se), ci_low: num(e.ciLow), ci_high: num(e.ciHigh), p: num(e.p) }];
        }),
      ),
    })),
  };
}

/** Points of the coefficient plot: the score-scale rows with finite intervals (ordered models have another scale). */
export function coefPlotData(rob: Robustness): CoefPlotDatum[] {
  const out: CoefPlotDatum[] = [];
  for (const term of FOCUS_TERMS) {
    for (const r of rob.rows) {
      const e = r.estimates[term];
      if (r.scale !== 'points' || ![e.coef, e.ciLow, e.ciHigh].every(Number.isFinite)) continue;
      out.push({ panel: FOCUS_LABELS[term], label: r.label, group: r.group, estimate: e.coef, low: e.ciLow, high: e.ciHigh });
    }
  }
  return out;
}

/** Every robustness output file: robustness.{txt,md,tex,html,csv,json} and robustness_coefplot.{svg,png,vl.json}. */
export async function robustnessFiles(rob: Robustness): Promise<OutputFiles> {
  const files = tableFiles('robustness', robustnessLayout(rob), robustnessJson(rob));
  const chart = await renderChart(
    coefPlotSpec({
      title: COEFPLOT_TITLE,
      subtitle: 'Point estimates with 95% confidence intervals (score points; ordered models omitted: other scale)',
      data: coefPlotData(rob),
      xTitle: 'Coefficient (score points)',
    }),
  );
  files.set('robustness_coefplot.svg', chart.svg);
  files.set('robustness_coefplot.png', chart.png);
  files.set('robustness_coefplot.vl.json', chart.vegaLite);
  return files;
}
