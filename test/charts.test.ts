import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { barChartSpec, installTextMetrics, renderPng, renderSvg, svgWidth } from '../src/report/charts.ts';
import { fontFiles, isBold, measureText } from '../src/report/fonts.ts';
import { svgTexts } from './charts-svg.ts';

// Figure 2's second-level indicators (data/paper/published.json), with the two printed values
// (Honesty Records 58.29, Charity 1.25) and made-up values for the others.
const LABELS = [
  'Key Personnel',
  'Business Operation',
  'Financial Condition',
  'Tax',
  'Product Quality',
  'Production Safety',
  'Environmental Protection',
  'Administrative Management',
  'Judicial Records',
  'Serious Dishonest Acts',
  'Charity',
  'Honesty Records',
];
const VALUES = [97.5, 99.1, 96.2, 98.0, 99.9, 99.6, 99.8, 96.4, 95.3, 99.34, 1.25, 58.29];
const TITLE = 'Mean score as percent of maximum, second-level indicators (all 531 firms)';
const spec = barChartSpec({ title: TITLE, data: LABELS.map((label, i) => ({ label, value: VALUES[i] })), xTitle: 'Mean score (% of maximum)', domainMax: 100 });
const PADDING = 12;

describe('barChartSpec', () => {
  it('is a horizontal Vega-Lite 6 bar chart with value labels, order as given', () => {
    const s = spec as unknown as Record<string, any>;
    expect(s.$schema).toBe('https://vega.github.io/schema/vega-lite/v6.json');
    expect(s.title).toBe(TITLE);
    expect(s.encoding.y).toMatchObject({ field: 'label', type: 'nominal', sort: LABELS });
    expect(s.encoding.x).toMatchObject({ field: 'value', type: 'quantitative', scale: { domain: [0, 100] } });
    expect(s.layer.map((l: any) => l.mark.type)).toEqual(['bar', 'text']);
    expect(s.data.values[9]).toEqual({ label: 'Serious Dishonest Acts', value: 99.34, text: '99.34%' });
    expect(s.data.values[10].text).toBe('1.25%');
    expect(s.config.font).toBe('DejaVu Sans');
    expect(s.config.axisY.labelLimit).toBeGreaterThanOrEqual(1000);
  });
});

describe('fonts', () => {
  it('opentype width (advances + GPOS kerning) agrees with resvg layout of the same font', () => {
    // resvg reports the ink box; bracketing the text with "|" makes ink(|s|) - ink(||) = advance(s).
    // At 100 px the box is rounded to whole pixels, so allow 1.5 px (0.15 px at a 10 px label).
    const f = fontFiles();
    const ink = (s: string, bold: boolean): number => {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2400" height="200"><text x="10" y="150" font-family="DejaVu Sans" font-size="100"${bold ? ' font-weight="bold"' : ''}>${s}</text></svg>`;
      const r = new Resvg(svg, { font: { fontFiles: [f.regular, f.bold], loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' } });
      return r.innerBBox()!.width;
    };
    for (const [s, bold] of [
      ['Environmental Protection', false],
      ['AVAWAY To', false],
      ['Administrative Management', true],
      ['99.34%', false],
    ] as [string, boolean][]) {
      const resvgWidth = ink(`|${s}|`, bold) - ink('||', bold);
      expect(Math.abs(resvgWidth - measureText(s, 100, bold))).toBeLessThan(1.5);
    }
    // Kerning is applied: "AV" is narrower than "A" + "V".
    expect(measureText('AV', 100)).toBeLessThan(measureText('A', 100) + measureText('V', 100) - 5);
    expect(isBold('bold')).toBe(true);
    expect(isBold(700)).toBe(true);
    expect(isBold('normal')).toBe(false);
  });
});

describe('renderSvg', () => {
  it('vega lays text out with the opentype widths', async () => {
    installTextMetrics();
    const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
    await view.runAsync();
    const texts: { text: string; width: number; fontSize: number; bold: boolean }[] = [];
    const walk = (node: any): void => {
      if (node.marktype === 'text') {
        for (const it of node.items) texts.push({ text: String(it.text), width: it.bounds.x2 - it.bounds.x1, fontSize: it.fontSize, bold: isBold(it.fontWeight) });
      }
      for (const c of node.items ?? []) if (c && (c.items || c.marktype)) walk(c);
    };
    walk((view as any).scenegraph().root);
    view.finalize();
    const admin = texts.find((t) => t.text === 'Administrative Management')!;
    expect(admin.width).toBeCloseTo(measureText('Administrative Management', 11), 9);
    for (const t of texts) expect(t.width).toBeCloseTo(measureText(t.text, t.fontSize, t.bold), 9);
  });

  it('contains every label, nothing truncated or clipped', async () => {
    const svg = await renderSvg(spec);
    const width = svgWidth(svg);
    const height = Number(/<svg[^>]*\sheight="([\d.]+)"/.exec(svg)![1]);
    const texts = svgTexts(svg);
    const shown = texts.map((t) => t.text);
    for (const label of LABELS) expect(shown).toContain(label);
    expect(shown).toContain('99.34%');
    expect(shown).toContain('58.29%');
    expect(shown).toContain(TITLE);
    expect(svg).not.toContain('\u2026'); // no ellipsis: no label was cut
    let minLeft = Infinity;
    for (const t of texts) {
      const w = measureText(t.text, t.fontSize, t.bold);
      const left = t.anchor === 'end' ? t.x - w : t.anchor === 'middle' ? t.x - w / 2 : t.x;
      minLeft = Math.min(minLeft, left);
      expect(left, t.text).toBeGreaterThanOrEqual(0);
      expect(left + w, t.text).toBeLessThanOrEqual(width - PADDING + 1);
      expect(t.y, t.text).toBeGreaterThan(t.fontSize * 0.75);
      expect(t.y, t.text).toBeLessThanOrEqual(height);
    }
    // The layout reserved exactly the measured width: the longest label starts at the padding
    // (vega rounds the origin up to a whole pixel and shifts axes by 0.5 px for crisp lines).
    expect(minLeft).toBeGreaterThanOrEqual(PADDING);
    expect(minLeft).toBeLessThan(PADDING + 2);
  });

  it('is byte-identical on two runs', async () => {
    const a = await renderSvg(spec);
    const b = await renderSvg(barChartSpec({ title: TITLE, data: LABELS.map((label, i) => ({ label, value: VALUES[i] })), xTitle: 'Mean score (% of maximum)', domainMax: 100 }));
    expect(b).toBe(a);
    expect(renderPng(b).equals(renderPng(a))).toBe(true);
  });
});

describe('renderPng', () => {
  it('is a PNG at twice the SVG size', async () => {
    const svg = await renderSvg(spec);
    const png = renderPng(svg);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
    const w = png.readUInt32BE(16);
    const h = png.readUInt32BE(20);
    const svgW = svgWidth(svg);
    const svgH = Number(/<svg[^>]*\sheight="([\d.]+)"/.exec(svg)![1]);
    expect(w).toBe(2 * svgW);
    expect(h).toBe(2 * svgH);
  });
});
