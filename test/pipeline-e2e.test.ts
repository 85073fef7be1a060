/**
 * End-to-end: the whole pipeline on test/fixtures/raw-small, checked against
 *  - feols fitted directly on the written analysis_sample.csv (the tables are the sample's models),
 *  - an independent R computation from the RAW files (test/fixtures/raw-small-reference.R: variables,
 *    type-2 winsorization, lm with factor FE + sandwich HC1) stored in raw-small-reference.json,
 *  - the shape of data/paper/published.json (labels, keys),
 * and byte-identical outputs on a second run.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv, toDataTable } from '../src/data/csv.ts';
import { feols } from '../src/stats/feols.ts';
import { TABLE3_MODELS, TABLE4_MODELS, modelSpec, FIT_OPTIONS } from '../src/study/models.ts';
import { runReplication, type Replication } from '../src/study/pipeline.ts';
import { VARIABLE_LABELS } from '../src/study/variables.ts';
import { TOLERANCES, checkReplication, type Published } from '../src/study/replicationCheck.ts';

const here = new URL('.', import.meta.url).pathname;
const RAW = join(here, 'fixtures/raw-small');
const ref = JSON.parse(readFileSync(join(here, 'fixtures/raw-small-reference.json'), 'utf8'));
const published: any = JSON.parse(readFileSync(join(here, '../data/paper/published.json'), 'utf8'));

interface RFit {
  terms: string[];
  coef: number[];
  se: number[];
  r2: number;
  n: number;
}

const LABEL: Record<string, string> = { '(Intercept)': 'Constant', ...VARIABLE_LABELS };

function closeRel(a: number, b: number, rel = 1e-9): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));
}

/** Compares one model of our JSON with an R fit. */
function expectModelMatchesR(model: any, r: RFit): void {
  expect(model.n).toBe(r.n);
  closeRel(model.r2, r.r2, 1e-10);
  r.terms.forEach((term, i) => {
    const c = model.coefficients[LABEL[term]];
    expect(c, term).toBeDefined();
    closeRel(c.coef, r.coef[i], 1e-9);
    closeRel(c.se, r.se[i], 1e-9);
  });
  expect(Object.keys(model.coefficients)).toEqual(r.terms.slice(1).map((t) => LABEL[t]).concat('Constant'));
}

let out: string;
let out2: string;
let rep: Replication;
const read = (name: string, dir = out): string => readFileSync(join(dir, name), 'utf8');
const json = (name: string): any => JSON.parse(read(name));

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'cscs-e2e-'));
  out2 = mkdtempSync(join(tmpdir(), 'cscs-e2e2-'));
  rep = await runReplication(RAW, out);
  await runReplication(RAW, out2);
});
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(out2, { recursive: true, force: true });
});

describe('pipeline on raw-small', () => {
  it('writes every promised file', () => {
    const expected = [
      ...['table1', 'table2', 'table3', 'table4'].flatMap((t) => ['txt', 'md', 'tex', 'html', 'csv', 'json'].map((e) => `${t}.${e}`)),
      ...['figure1', 'figure2'].flatMap((f) => ['svg', 'png', 'vl.json', 'json'].map((e) => `${f}.${e}`)),
      'analysis_sample.csv',
      'sample_flow.txt',
      'sample_flow.json',
      'replication.md',
      'replication.html',
      'index.html',
    ].sort();
    expect(readdirSync(out).sort()).toEqual(expected);
  });

  it('is deterministic: a second run gives byte-identical files', () => {
    for (const f of readdirSync(out)) expect(readFileSync(join(out2, f)).equals(readFileSync(join(out, f))), f).toBe(true);
  });

  it('regression sample equals the one R builds from the raw files', () => {
    const csv = parseCsv(read('analysis_sample.csv'), 'analysis_sample.csv');
    expect(csv.header).toEqual([
      'firm_id', 'total', 'basic_data', 'finance_taxation', 'governance', 'compliance', 'social_responsibility',
      'independent_director_pct', 'leverage', 'roa', 'soe', 'state_share', 'party_building', 'political_connection',
      'firm_size', 'firm_age', 'book_to_market', 'industry', 'city',
    ]);
    expect(csv.rows.map((r) => r[0])).toEqual(ref.firm_ids);
    // Full precision: every number round-trips to the in-memory value.
    const lev = csv.header.indexOf('leverage');
    csv.rows.forEach((r, i) => expect(Number(r[lev])).toBe(rep.sample.rows[i].values.leverage));
  });

  it('Table 1 and Table 2 statistics equal R (mean, sd, type-2 median)', () => {
    const t1 = json('table1.json');
    for (const k of ['n', 'mean', 'sd', 'min', 'median', 'max']) {
      closeRel(t1.total_score[k], ref.table1_total[k], 1e-12);
      closeRel(t1.ratings[0][k], ref.table1_excellent[k], 1e-12);
    }
    const t2 = json('table2.json');
    for (const [key, r] of Object.entries<any>(ref.table2)) {
      const row = t2.rows.find((x: any) => x.variable === (key === 'total' ? 'Scores' : LABEL[key]));
      for (const k of ['n', 'mean', 'sd', 'min', 'median', 'max']) closeRel(row[k], r[k], 1e-12);
    }
  });

  it('Table 3 equals feols fitted directly on analysis_sample.csv', () => {
    const data = toDataTable(parseCsv(read('analysis_sample.csv'), 'analysis_sample.csv'), { categorical: ['firm_id', 'industry', 'city'] });
    const t3 = json('table3.json');
    TABLE3_MODELS.forEach((def, i) => {
      const fit = feols(data, modelSpec(def), FIT_OPTIONS);
      const model = t3.models[i];
      expect(model.model).toBe(def.label);
      fit.terms.filter((t) => LABEL[t]).forEach((term) => {
        const k = fit.terms.indexOf(term);
        const c = model.coefficients[LABEL[term]];
        closeRel(c.coef, fit.coef[k], 1e-12);
        closeRel(c.se, fit.se[k], 1e-12);
        closeRel(c.p, fit.p[k], 1e-9);
      });
      closeRel(model.r2, fit.r2, 1e-12);
    });
  });

  it('Table 3 and Table 4 equal R lm + factor FE + sandwich HC1 from the raw files', () => {
    const t3 = json('table3.json');
    ref.table3.forEach((r: RFit, i: number) => expectModelMatchesR(t3.models[i], r));
    const t4 = json('table4.json');
    Object.values<RFit>(ref.table4).forEach((r, i) => expectModelMatchesR(t4.models[i], r));
    // The sub-scores add up to the total, so each Table 4 row sums to the Table 3 model (5) coefficient.
    for (const label of Object.keys(t3.models[4].coefficients)) {
      const sum = t4.models.reduce((s: number, m: any) => s + m.coefficients[label].coef, 0);
      closeRel(sum, t3.models[4].coefficients[label].coef, 1e-9);
    }
  });

  it('winsorization at 5% (clips on this sample) matches R bounds and model (5)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cscs-e2e-w-'));
    try {
      const r5 = await runReplication(RAW, dir, { sample: { winsorizeP: 0.05 } });
      for (const w of r5.sample.winsorization) {
        closeRel(w.lower, ref.winsor05.bounds[w.variable][0], 1e-13);
        closeRel(w.upper, ref.winsor05.bounds[w.variable][1], 1e-13);
        expect(w.nLow + w.nHigh).toBeGreaterThan(0);
      }
      expectModelMatchesR(r5.table3.json.models[4], ref.winsor05.model5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('JSON outputs have the shape of published.json', () => {
    const keysDeep = (x: any): any =>
      Array.isArray(x) ? x.map(keysDeep) : x && typeof x === 'object' ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, keysDeep(x[k])])) : typeof x;
    const t1 = json('table1.json');
    expect(Object.keys(t1)).toEqual(['title', 'ratings', 'total_score', 'first_level_scores']);
    expect(keysDeep(t1.ratings[0])).toEqual(keysDeep(published.table1.ratings[0]));
    expect(t1.ratings.map((r: any) => r.rating)).toEqual(published.table1.ratings.map((r: any) => r.rating));
    expect(t1.ratings.map((r: any) => r.rule)).toEqual(published.table1.ratings.map((r: any) => r.rule));
    expect(Object.keys(t1.total_score)).toEqual(Object.keys(published.table1.total_score));
    expect(t1.first_level_scores.map((r: any) => [r.indicator, r.max_points])).toEqual(published.table1.first_level_scores.map((r: any) => [r.indicator, r.max_points]));
    const t2 = json('table2.json');
    expect(t2.rows.map((r: any) => r.variable)).toEqual(published.table2.rows.map((r: any) => r.variable));
    expect(Object.keys(t2.rows[0])).toEqual(Object.keys(published.table2.rows[0]));
    for (const [name, pub] of [['table3.json', published.table3], ['table4.json', published.table4]] as const) {
      const t = json(name);
      expect(t.models.map((m: any) => m.model)).toEqual(pub.models.map((m: any) => m.model));
      t.models.forEach((m: any, i: number) => {
        expect(Object.keys(m.coefficients)).toEqual(Object.keys(pub.models[i].coefficients));
        for (const c of Object.values<any>(m.coefficients)) expect(Object.keys(c)).toEqual(['coef', 'se', 'stars', 't', 'p']);
        expect(typeof m.n).toBe('number');
        expect(typeof m.r2).toBe('number');
      });
    }
    expect(json('table3.json').specification).toEqual(published.table3.specification);
    const f1 = json('figure1.json');
    const f2 = json('figure2.json');
    expect(Object.keys(f1)).toEqual(['Basic Data', 'Finance and Taxation', 'Governance', 'Compliance', 'Social Responsibility']);
    expect(Object.keys(f2).sort()).toEqual([...Object.keys(published.figure2.given), ...published.figure2.not_printed].sort());
    expect(Object.keys(f2).slice(0, 3)).toEqual(['Key Personnel', 'Business Operation', 'Financial Condition']);
    for (const k of Object.keys(published.figure1.given)) expect(f1[k]).toBeTypeOf('number');
  });

  it('sample flow accounts for every firm of firms.csv', () => {
    const flow = json('sample_flow.json');
    const removed = flow.steps.flatMap((s: any) => s.removed.map((r: any) => r.firm_id));
    const kept = json('table2.json').rows[0].n;
    expect(flow.steps[0].n).toBe(56);
    expect(removed.length + kept).toBe(56);
    expect(new Set(removed).size).toBe(removed.length);
    expect(flow.steps.map((s: any) => s.n)).toEqual([56, 52, 50, 46, 43]);
    expect(read('sample_flow.txt')).toContain('F017: missing political_connection (no executives.csv rows)');
    // Bounds printed to 7 significant digits. R on analysis_sample.csv (the winsorized sample; the
    // bounds at p = 0.005 with N = 43 are the min and max, so winsorizing again changes nothing):
    //   signif(quantile(d$leverage, c(.005, .995), type = 2), 7)  -> 0.1050840 0.7686878
    //   signif(quantile(d$roa, c(.005, .995), type = 2), 7)       -> -0.04854538 0.10908600
    expect(read('sample_flow.txt')).toContain('  Leverage: p = 0.005, lower 0.105084, upper 0.7686878, clipped 0 low / 0 high\n');
    expect(read('sample_flow.txt')).toContain('  ROA: p = 0.005, lower -0.04854538, upper 0.109086, clipped 0 low / 0 high\n');
    expect(flow.ignored_rows).toEqual([{ file: 'governance.csv', rows: 1, firmIds: ['X999'] }]);
  });

  it('index page links only relative files that exist; report has the summary line', () => {
    const html = read('index.html');
    const hrefs = [...html.matchAll(/(?:href|src)="([^"#]+)"/g)].map((m) => m[1]);
    expect(hrefs.length).toBeGreaterThan(20);
    for (const h of hrefs) expect(readdirSync(out)).toContain(decodeURIComponent(h));
    expect(read('replication.md')).toContain(`cells matched: ${rep.check.matched} / ${rep.check.total}`);
    // 71 Table 1 cells + 4 figure values + 66 Table 2 + 112 Table 3 + 175 Table 4.
    expect(rep.check.total).toBe(428);
  });
});

describe('replication check tolerances', () => {
  /** A "published" copy of our own results, rounded as the paper prints them: every cell must match. */
  function printed(r: Replication): Published {
    const r2 = (x: number): number => Math.round(x * 100) / 100;
    const r3 = (x: number): number => Math.round(x * 1000) / 1000;
    const stats = (s: any): any => ({ ...s, mean: r2(s.mean), sd: r2(s.sd), min: r2(s.min), median: r2(s.median), max: r2(s.max), ...(s.pct !== undefined ? { pct: r2(s.pct) } : {}) });
    const model = (m: any): any => ({
      model: m.model,
      coefficients: Object.fromEntries(Object.entries<any>(m.coefficients).map(([k, c]) => [k, { coef: r3(c.coef), se: r3(c.se), stars: c.stars }])),
      n: m.n,
      r2: r3(m.r2),
    });
    return {
      table1: { ...r.table1, ratings: r.table1.ratings.filter((x) => x.n > 1).map(stats), total_score: stats(r.table1.total_score), first_level_scores: r.table1.first_level_scores.map(stats) },
      figure1: { given: { 'Basic Data': r2(r.figure1['Basic Data']!) } },
      figure2: { given: { Charity: r2(r.figure2.Charity!) } },
      table2: { ...r.table2, rows: r.table2.rows.map(stats) },
      table3: { models: r.table3.json.models.map(model) },
      table4: { models: r.table4.json.models.map(model) },
    };
  }
  const reproduced = (r: Replication) => ({ table1: r.table1, table2: r.table2, figure1: r.figure1, figure2: r.figure2, table3: r.table3.json, table4: r.table4.json });

  it('accepts values rounded to printed precision', () => {
    const check = checkReplication(printed(rep), reproduced(rep));
    expect(check.cells.filter((c) => !c.ok)).toEqual([]);
    expect(check.matched).toBe(check.total);
  });

  it('rejects a value just outside each tolerance', () => {
    const pub = printed(rep);
    const m5 = pub.table3.models[4].coefficients.Leverage;
    const m1 = pub.table3.models[0].coefficients['Firm Size'];
    const repro = reproduced(rep);
    const exact5 = repro.table3.models[4].coefficients.Leverage;
    m5.coef = exact5.coef + 0.0101; // main: coef within 0.01
    m5.se = exact5.se / 1.0102; // main: SE within 1% of published
    m1.coef = repro.table3.models[0].coefficients['Firm Size'].coef + 0.26 * m1.se; // other: within 0.25 SE
    pub.table2.rows[0].mean = (repro.table2.rows[0].mean as number) + 0.0051;
    pub.table2.rows[0].median = (repro.table2.rows[0].median as number) + 0.01;
    pub.table4.models[0].r2 = repro.table4.models[0].r2 + 0.0006;
    pub.table4.models[0].coefficients.SOE.stars = (pub.table4.models[0].coefficients.SOE.stars + 1) % 4;
    const bad = checkReplication(pub, repro).cells.filter((c) => !c.ok).map((c) => `${c.table} ${c.row} ${c.column}`);
    expect(bad).toEqual([
      'table2 Scores mean',
      'table2 Scores median',
      'table3 (1) Firm Size coef',
      'table3 (5) Leverage coef',
      'table3 (5) Leverage se',
      'table4 Basic Data SOE stars',
      'table4 Basic Data R-squared r2',
    ]);
    expect(TOLERANCES.main.coefAbs).toBeCloseTo(0.01, 8);
  });
});
