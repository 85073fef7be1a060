/**
 * The joint-structure tuning's cross-model SE ratios (jointStructure.ts, `SeRatioSpec`), checked
 * against the toolkit's estimation core (feols: pivoted Householder QR, FE as dummies), which
 * shares no code with the tuning's normal equations. With vcov 'iid', SE_j / rmse is
 * sqrt([(X'X)^-1]_jj), the quantity the tuning compares across models.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sampleCorrelation, sampleStandardDeviation } from 'simple-statistics';
import { ShortModelFit, REG_VARS, SE_RATIOS, EXPLAINED_SHARE_SCALE, type RegColumns, type SeRatioSpec } from '../src/synth/jointStructure.ts';
import { feols } from '../src/stats/feols.ts';
import { modelSpec, TABLE3_MODELS } from '../src/study/models.ts';
import type { DataTable, ModelSpec } from '../src/stats/types.ts';
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
const TERM_LABEL: Record<string, string> = {
  independent_director_pct: '% Independent Director',
  leverage: 'Leverage',
  roa: 'ROA',
  soe: 'SOE',
  state_share: '% State Shareholding',
  party_building: 'Party-Building Reform',
  political_connection: 'Political Connection',
  firm_size: 'Firm Size',
  firm_age: 'Firm Age',
  book_to_market: 'Book-to-Market',
};

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

describe('explained shares of the joint-structure tuning', () => {
  // The identities hold for the fitted long model, so the "published" (5) coefficients here are
  // the estimation core's fit of the committed totals, and the Scores SD is the totals' SD.
  const long = feols(data, modelSpec(TABLE3_MODELS.find((m) => m.label === '(5)')!), { vcov: 'iid', feMethod: 'dummies' });
  const fitted = structuredClone(published);
  const five = fitted.table3.models.find((m: { model: string }) => m.model === '(5)');
  for (const [label, c] of Object.entries(five.coefficients) as [string, { coef: number }][]) {
    const term = label === 'Constant' ? '(Intercept)' : (REG_VARS.find((v) => TERM_LABEL[v] === label) as string);
    c.coef = long.coef[long.terms.indexOf(term)];
  }
  const sd = sampleStandardDeviation(Array.from(data.columns.total as Float64Array));
  const r2 = (spec: ModelSpec): number => feols(data, spec, { vcov: 'iid', feMethod: 'dummies' }).r2;

  it("equal the estimation core's R² differences (to 1e-9): each short model's gap to (5), and the covariates' share beyond the dummies", () => {
    const fit = new ShortModelFit(fitted, rows.map((r) => r.industry), rows.map((r) => r.city), [], { gaps: true, within: 0.1, scale: 0.001, scoresSd: sd });
    const dev = fit.deviations(cols);
    const gaps = dev.filter((d) => d.name === 'r2 gap');
    expect(gaps.map((d) => d.model)).toEqual(['(1)', '(2)', '(3)', '(4)']);
    for (const d of gaps) {
      const short = r2(modelSpec(TABLE3_MODELS.find((m) => m.label === d.model)!));
      const pubGap = five.r2 - fitted.table3.models.find((m: { model: string }) => m.model === d.model).r2;
      expect(d.z * 0.001 + pubGap, d.model).toBeCloseTo(long.r2 - short, 9);
    }
    const within = dev.filter((d) => d.name === 'within share');
    expect(within).toHaveLength(1);
    const feOnly = r2({ y: 'total', terms: [], fe: ['industry', 'city'], intercept: true });
    expect(within[0].z * 0.001 + 0.1).toBeCloseTo(long.r2 - feOnly, 9);
  });

  it('are off unless asked for: the within share alone adds one deviation, the gaps four', () => {
    const only = (spec: { gaps: boolean; within?: number }) => new ShortModelFit(fitted, rows.map((r) => r.industry), rows.map((r) => r.city), [], { ...spec, scale: 0.001, scoresSd: sd }).deviations(cols).length;
    expect(only({ gaps: false, within: 0.1 })).toBe(24);
    expect(only({ gaps: true })).toBe(27);
  });
});

/** The sample firms the generator writes with the SE ratios alone (built once, ~10 s). */
const ratiosSample = buildDataset(20211001, { scorer: placeholderScores, seRatios: SE_RATIOS }).firms.filter((f) => f.inSample);

describe('the generator with the SE ratios (cscs synth --se-ratios)', () => {
  const sample = ratiosSample;
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

describe('the generator with a within share (cscs synth --se-ratios --within-share 0.115)', () => {
  // Without it the SE-ratio covariates leave the covariates 0.118 of (5)'s R² (see the data README).
  const ds = buildDataset(20211001, { scorer: placeholderScores, seRatios: SE_RATIOS, explainedShares: { gaps: false, within: 0.115, scale: EXPLAINED_SHARE_SCALE } });
  const sample = ds.firms.filter((f) => f.inSample);
  const x = Object.fromEntries(REG_VARS.map((v) => [v, Float64Array.from(sample, (f) => f.x[v])])) as RegColumns;
  const sd = published.table2.rows.find((r: { variable: string }) => r.variable === 'Scores').sd;
  const measure = (within: number) => new ShortModelFit(published, sample.map((f) => f.industry), sample.map((f) => f.city), SE_RATIOS, { gaps: false, within, scale: 1e-4, scoresSd: sd });

  it('holds the share within 0.0005 of its target and every short-model coefficient within 0.2 published SEs', () => {
    const dev = measure(0.115).deviations(x);
    const share = dev.find((d) => d.name === 'within share')!;
    expect(Math.abs(share.z * 1e-4)).toBeLessThan(0.0005);
    for (const d of dev.filter((e) => !e.name.startsWith('se ') && e.name !== 'within share')) expect(Math.abs(d.z), `${d.model} ${d.name}`).toBeLessThan(0.2);
  });

  it('lowers the share from where the SE ratios alone leave it', () => {
    const y = Object.fromEntries(REG_VARS.map((v) => [v, Float64Array.from(ratiosSample, (f) => f.x[v])])) as RegColumns;
    const share = (cols: RegColumns) => measure(0).deviations(cols).find((d) => d.name === 'within share')!.z * 1e-4;
    expect(share(y)).toBeGreaterThan(0.117);
    expect(share(x)).toBeLessThan(0.1155);
  });
});
