/**
 * The joint-structure tuning's cross-model SE ratios (jointStructure.ts, `SeRatioSpec`), checked
 * against the toolkit's estimation core (feols: pivoted Householder QR, FE as dummies), which
 * shares no code with the tuning's normal equations. With vcov 'iid', SE_j / rmse is
 * sqrt([(X'X)^-1]_jj), the quantity the tuning compares across models.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sampleCorrelation } from 'simple-statistics';
import { ShortModelFit, REG_VARS, SE_RATIOS, type RegColumns, type SeRatioSpec } from '../src/synth/jointStructure.ts';
import { feols } from '../src/stats/feols.ts';
import { modelSpec, TABLE3_MODELS } from '../src/study/models.ts';
import type { DataTable } from '../src/stats/types.ts';
import { buildDataset, placeholderScores } from '../src/synth/generate.ts';

const [head, ...lines] = readFileSync(new URL('../figures/analysis_sample.csv', import.meta.url), 'utf8').trim().split('\n');
const keys = head.split(',');
const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i], v])));
const published = JSON.parse(readFileSync(new URL('../data/paper/published.json', import.meta.url), 'utf8'));

const cols = Object.fromEntries(REG_VARS.map((v) => [v, Float64Array.from(rows, (r) => Number(r[v]))])) as RegColumns;
const data: DataTable = {
  columns: { ...cols, total: Float64Array.from(rows, (r) => Number(r.total)), industry: rows.map((r) => r.industry), city: rows.map((r) => r.city) },
  nrows: rows.length,
  source: 'jointStructure.test',
};

/** sqrt([(X'X)^-1]_jj) of one Table 3 model's term, from the estimation core. */
function unitSe(model: string, term: string): number {
  const def = TABLE3_MODELS.find((m) => m.label === model)!;
  const fit = feols(data, modelSpec(def), { vcov: 'iid', feMethod: 'dummies' });
  const j = fit.terms.indexOf(term === 'const' ? '(Intercept)' : term);
  expect(j, `${model} ${term}`).toBeGreaterThanOrEqual(0);
  return fit.se[j] / fit.rmse;
}
const pubSe = (model: string, label: string): number => published.table3.models.find((m: { model: string }) => m.model === model).coefficients[label].se;
const LABEL: Record<string, string> = { const: 'Constant', firm_size: 'Firm Size' };

describe('cross-model SE ratios of the joint-structure tuning', () => {
  it('equal the classical SE ratios of the estimation core (to 1e-9) against the published SE ratio', () => {
    const specs: SeRatioSpec[] = SE_RATIOS.map((r) => ({ ...r, scale: 0.01 }));
    const fit = new ShortModelFit(published, rows.map((r) => r.industry), rows.map((r) => r.city), specs);
    const dev = fit.deviations(cols).filter((d) => d.name.startsWith('se '));
    expect(dev).toHaveLength(specs.length);
    specs.forEach((r, k) => {
      const ratio = unitSe(r.model, r.name) / unitSe(r.base, r.name);
      const target = pubSe(r.model, LABEL[r.name]) / pubSe(r.base, LABEL[r.name]);
      expect(dev[k].model).toBe(`${r.model}/${r.base}`);
      expect(dev[k].z).toBeCloseTo((ratio / target - 1) / 0.01, 7);
    });
  });

  it('are off by default: only the 23 short-model coefficients are measured', () => {
    const fit = new ShortModelFit(published, rows.map((r) => r.industry), rows.map((r) => r.city));
    expect(fit.deviations(cols)).toHaveLength(23);
  });

  it('reject a term the published model does not report, and model (5)', () => {
    const build = () => new ShortModelFit(published, rows.map((r) => r.industry), rows.map((r) => r.city), [{ model: '(1)', base: '(4)', name: 'leverage', scale: 0.05 }]);
    expect(build).toThrow(/Table 3 \(1\) has no leverage/);
    const long = () => new ShortModelFit(published, rows.map((r) => r.industry), rows.map((r) => r.city), [{ model: '(5)', base: '(4)', name: 'const', scale: 0.05 }]);
    expect(long).toThrow(/\(5\) is not a short model of Table 3/);
  });
});

describe('the generator with the SE ratios (cscs synth --se-ratios)', () => {
  const ds = buildDataset(20211001, { scorer: placeholderScores, seRatios: SE_RATIOS });
  const sample = ds.firms.filter((f) => f.inSample);
  const x = Object.fromEntries(REG_VARS.map((v) => [v, Float64Array.from(sample, (f) => f.x[v])])) as RegColumns;
  const tight = new ShortModelFit(published, sample.map((f) => f.industry), sample.map((f) => f.city), SE_RATIOS.map((r) => ({ ...r, scale: 0.01 })));

  it('brings every ratio within 1% of the published one and keeps the coefficients within 0.2 published SEs', () => {
    const dev = tight.deviations(x);
    expect(dev).toHaveLength(27);
    for (const d of dev) expect(Math.abs(d.z), `${d.model} ${d.name}`).toBeLessThan(d.name.startsWith('se ') ? 1 : 0.2);
  });

  it('does so by a negative correlation of % Independent Director with Firm Size (the committed data: -0.067)', () => {
    expect(sampleCorrelation(Array.from(x.independent_director_pct), Array.from(x.firm_size))).toBeLessThan(-0.15);
  });
});
