/**
 * Coefficient plot (Stata `coefplot`, R `modelplot`): one panel per coefficient, one row per
 * specification, a point at the estimate and a line over its confidence interval, a dashed line
 * at zero. A Vega-Lite spec, rendered to SVG/PNG by charts.ts like every other figure.
 */
import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG } from './charts.ts';

export interface CoefPlotDatum {
  /** Panel (e.g. the coefficient's label). */
  panel: string;
  /** Row label (the specification); rows keep the order of first appearance. */
  label: string;
  /** Colour group (e.g. the block of the robustness table). */
  group: string;
  estimate: number;
  low: number;
  high: number;
}

export interface CoefPlotOptions {
  title: string;
  /** Optional line under the title. */
  subtitle?: string;
  data: CoefPlotDatum[];
  /** Title of the value axis of every panel. */
  xTitle: string;
  /** Width of each panel in px (default 260). */
  panelWidth?: number;
}

/** Colours of the groups in order of first appearance: Okabe-Ito (colour-blind safe), with grey instead of its yellow, too pale on white. */
const GROUP_COLOURS = ['#000000', '#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#666666'];

/** The Vega-Lite spec of a coefficient plot. Rows and panels keep the order the data give. */
export function coefPlotSpec(opts: CoefPlotOptions): TopLevelSpec {
  const labels = [...new Set(opts.data.map((d) => d.label))];
  const panels = [...new Set(opts.data.map((d) => d.panel))];
  const groups = [...new Set(opts.data.map((d) => d.group))];
  for (const d of opts.data) {
    if (![d.estimate, d.low, d.high].every(Number.isFinite)) throw new Error(`coefficient plot '${opts.title}': non-finite value in '${d.label}' (${d.panel})`);
  }
  const colour = { field: 'group', type: 'nominal', sort: groups, scale: { domain: groups, range: GROUP_COLOURS.slice(0, groups.length) }, legend: { title: null, orient: 'bottom', columns: 2, labelLimit: 10000 } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.subtitle ? { text: opts.title, subtitle: opts.subtitle } : opts.title,
    data: { values: opts.data },
    facet: { column: { field: 'panel', type: 'nominal', sort: panels, title: null, header: { labelFontSize: 12, labelFontWeight: 'bold' } } },
    spec: {
      width: opts.panelWidth ?? 260,
      height: { step: 16 },
      layer: [
        { mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { x: { datum: 0 } } },
        {
          mark: { type: 'rule', strokeWidth: 1.5 },
          encoding: {
            y: { field: 'label', type: 'nominal', sort: labels, title: null },
            x: { field: 'low', type: 'quantitative', title: opts.xTitle },
            x2: { field: 'high' },
            color: colour,
          },
        },
        {
          mark: { type: 'point', filled: true, size: 36 },
          encoding: {
            y: { field: 'label', type: 'nominal', sort: labels, title: null },
            x: { field: 'estimate', type: 'quantitative', title: opts.xTitle },
            color: colour,
          },
        },
      ],
    },
    resolve: { scale: { x: 'independent' } },
    config: CHART_CONFIG,
  };
  return spec as unknown as TopLevelSpec;
}
