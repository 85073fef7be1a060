/**
 * Figures: a Vega-Lite bar-chart spec, its SVG (vega-lite compile + headless vega View) and its
 * PNG (resvg). Text is measured with the DejaVu Sans font files that resvg later draws with, so
 * vega's layout reserves exactly the room each label needs and nothing is clipped. Output is
 * deterministic: same spec, same bytes.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FONT_FAMILY, fontFiles, isBold, measureText } from './fonts.ts';
import { formatFixed } from './format.ts';

export interface BarDatum {
  label: string;
  value: number;
}

export interface BarChartOptions {
  title: string;
  /** Bars top to bottom, in this order. */
  data: BarDatum[];
  /** Title of the value axis. */
  xTitle: string;
  /** Upper end of the value axis (e.g. 100 for percentages); default: from the data. */
  domainMax?: number;
  /** Decimals of the value printed at each bar's end (default 2). */
  valueDigits?: number;
  /** Text after the printed value (default "%"). */
  valueSuffix?: string;
  /** Width of the plotting area in px (default 420). */
  width?: number;
}

/** Layout and typography shared by all charts (bar charts here, coefficient plots in coefPlot.ts). */
export const CHART_CONFIG = {
  font: FONT_FAMILY,
  background: 'white',
  padding: 12,
  view: { stroke: null },
  title: { fontSize: 14, fontWeight: 'bold', anchor: 'start', offset: 12, limit: 0 },
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', labelColor: '#222', titleColor: '#222', domainColor: '#555', tickColor: '#555', gridColor: '#e4e4e4' },
  axisY: { labelLimit: 10000, labelPadding: 6, ticks: false, domain: false },
  axisX: { labelLimit: 10000, titlePadding: 8 },
  bar: { color: '#3a6ea5' },
  text: { fontSize: 11, color: '#222' },
} as const;

/** A horizontal bar chart with each bar's value printed at its end ("99.34%"). */
export function barChartSpec(opts: BarChartOptions): TopLevelSpec {
  const digits = opts.valueDigits ?? 2;
  const suffix = opts.valueSuffix ?? '%';
  const labels = opts.data.map((d) => d.label);
  if (new Set(labels).size !== labels.length) throw new Error(`bar chart '${opts.title}': duplicate labels`);
  const values = opts.data.map((d) => ({ label: d.label, value: d.value, text: `${formatFixed(d.value, digits)}${suffix}` }));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title,
    width: opts.width ?? 420,
    height: { step: 24 },
    data: { values },
    encoding: {
      // An explicit sort array keeps the order given (vega would otherwise sort alphabetically).
      y: { field: 'label', type: 'nominal', sort: labels, title: null },
      x: {
        field: 'value',
        type: 'quantitative',
        title: opts.xTitle,
        ...(opts.domainMax !== undefined ? { scale: { domain: [0, opts.domainMax], nice: false } } : {}),
      },
    },
    layer: [
      { mark: { type: 'bar', height: { band: 0.7 } } },
      { mark: { type: 'text', align: 'left', baseline: 'middle', dx: 4 }, encoding: { text: { field: 'text', type: 'nominal' } } },
    ],
    config: CHART_CONFIG,
  };
  return spec as unknown as TopLevelSpec;
}

/** vega-scenegraph's text measuring hook (not in vega's type declarations). */
interface TextMetrics {
  width: (item: { fontSize?: number; fontWeight?: string | number }, text: unknown) => number;
}

/**
 * Makes vega measure text with DejaVu Sans through opentype.js instead of its 0.8 em-per-char
 * estimate (no canvas in Node). Vega calls this for bounds, layout and truncation; the string is
 * measured as given (vega trims it first when truncating).
 */
export function installTextMetrics(): void {
  const metrics = (vega as unknown as { textMetrics: TextMetrics }).textMetrics;
  metrics.width = (item, text) => {
    const s = text == null ? '' : String(text).trim();
    const size = item.fontSize != null ? +item.fontSize || 0 : 11;
    return measureText(s, size, isBold(item.fontWeight));
  };
}

/** Renders a Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  installTextMetrics();
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Width in px that an SVG declares on its root element. */
export function svgWidth(svg: string): number {
  const m = /<svg[^>]*\swidth="([\d.]+)"/.exec(svg);
  if (!m) throw new Error('SVG without a width attribute');
  return Number(m[1]);
}

/** Rasterises an SVG to PNG with the same DejaVu fonts, at `scale` x its size (default 2, for print). */
export function renderPng(svg: string, scale = 2): Buffer {
  const files = fontFiles();
  const resvg = new Resvg(svg, {
    font: { fontFiles: [files.regular, files.bold], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
    fitTo: { mode: 'width', value: Math.round(svgWidth(svg) * scale) },
    background: 'white',
  });
  return resvg.render().asPng();
}

/** The three files of a figure: the Vega-Lite spec (JSON), the SVG and the PNG. */
export async function renderChart(spec: TopLevelSpec): Promise<{ vegaLite: string; svg: string; png: Buffer }> {
  const svg = await renderSvg(spec);
  return { vegaLite: JSON.stringify(spec, null, 2) + '\n', svg, png: renderPng(svg) };
}
