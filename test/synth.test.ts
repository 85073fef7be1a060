/**
 * The synthetic data generator: determinism, the raw layout, the indicator tree, invented ids,
 * exact Table 2 marginals (checked through the replication pipeline against published.json), and
 * the building blocks against hand calculations.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../src/stats/rng.ts';
import { completedYears, establishedFor } from '../src/synth/firms.ts';
import { matchContinuous, matchInteger, meanSd, type2Positions } from '../src/synth/marginals.ts';
import { binaryCount } from '../src/synth/covariates.ts';
import { buildDataset, generateDataset, placeholderScores } from '../src/synth/generate.ts';
import { numberText } from '../src/synth/rawFiles.ts';
import { run } from '../src/cli/synth.ts';
import { InputError } from '../src/errors.ts';
import { winsorize } from '../src/stats/winsorize.ts';
import { loadRawFolder } from '../src/data/load.ts';
import { buildSample } from '../src/study/sample.ts';
import { computeTable2 } from '../src/study/tables.ts';

const FILES = ['firms.csv', 'scores.csv', 'financials.csv', 'governance.csv', 'party_building.csv', 'executives.csv'];

/** Minimal CSV reader for the generator's own output (no quoted commas occur in it except names). */
function rows(text: string): Record<string, string>[] {
  const lines = text.trimEnd().split('\n');
  const split = (l: string): string[] => {
    const out: string[] = [];
    let cur = '';
    let q = false;
    for (const ch of l) {
      if (ch === '"') q = !q;
      else if (ch === ',' && !q) {
        out.push(cur);
        cur = '';
      } else cur += ch;
    }
    out.push(cur);
    return out;
  };
  const head = split(lines[0]);
  return lines.slice(1).map((l) => Object.fromEntries(split(l).map((v, i) => [head[i], v])));
}

describe('rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextU32())).not.toEqual(sa);
  });
  it('gives uniforms in [0,1), integers in range, and standard normals', () => {
    const r = createRng(1);
    let s = 0;
    let ss = 0;
    const n = 100000;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      const z = r.normal();
      s += z;
      ss += z * z;
    }
    // Mean of n standard normals has SD 1/sqrt(n) = 0.0032; variance estimate SD ~ sqrt(2/n) = 0.0045.
    expect(Math.abs(s / n)).toBeLessThan(0.015);
    expect(Math.abs(ss / n - 1)).toBeLessThan(0.02);
    const counts = [0, 0, 0, 0, 0, 0];
    for (let i = 0; i < 60000; i++) counts[r.int(1, 6) - 1]++;
    for (const k of counts) expect(Math.abs(k - 10000)).toBeLessThan(400); // binomial SD 91
  });
});

describe('building blocks (hand calculations)', () => {
  it('Stata type-2 winsor positions for n = 414: the 3rd smallest and the 412th', () => {
    // n p = 2.07 -> x[3] (1-based) = index 2; n (1 - p) = 411.93 -> x[412] = index 411.
    expect(type2Positions(414, 0.005)).toEqual([2]);
    expect(type2Positions(414, 0.995)).toEqual([411]);
    // n p integer: average of x[np] and x[np + 1] -> both positions.
    expect(type2Positions(400, 0.005)).toEqual([1, 2]);
  });
  it('binary counts reproducing the printed mean and SD', () => {
    // PC: 224/414 = 0.5411 -> 0.54; sd = sqrt(.5411 * .4589 * 414/413) = 0.4989 -> 0.50.
    expect(binaryCount(414, { mean: 0.54, sd: 0.5, min: 0, median: 1, max: 1 })).toBe(224);
    // SOE: 62/414 = 0.1498 -> 0.15, sd 0.3573 -> 0.36.
    expect(binaryCount(414, { mean: 0.15, sd: 0.36, min: 0, median: 0, max: 1 })).toBe(62);
  });
  it('completed years as the pipeline counts Firm Age', () => {
    expect(completedYears('2010-07-01', '2021-07-01')).toBe(11);
    expect(completedYears('2010-07-02', '2021-07-01')).toBe(10);
    expect(completedYears('1955-01-31', '2021-07-01')).toBe(66);
    const r = createRng(5);
    for (let age = 11; age <= 66; age += 11) expect(completedYears(establishedFor(age, '2021-07-01', '2019-01-01', r), '2021-07-01')).toBe(age);
  });
  it('numbers are written without exponent notation', () => {
    expect(numberText(1.9e12)).toBe('1900000000000');
    expect(numberText(-123456789012)).toBe('-123456789012');
    expect(numberText(1e-7)).toBe('0.0000001');
  });
  it('matchContinuous hits winsorized Table 2 leverage moments exactly', () => {
    const r = createRng(9);
    const draws = Array.from({ length: 414 }, () => Math.min(0.97, Math.max(0.03, 0.42 + 0.18 * r.normal())));
    draws[0] = 1.45;
    draws[1] = 1.7;
    draws[2] = 2.0;
    const v = matchContinuous(draws, { mean: 0.43, sd: 0.21, min: 0.06, median: 0.41, max: 1.46 });
    const w = winsorize(v, 0.005, { type: 2 });
    expect(w.lower).toBeCloseTo(0.06, 12);
    expect(w.upper).toBeCloseTo(1.46, 12);
    expect(w.nLow).toBe(2);
    expect(w.nHigh).toBe(2);
    const m = meanSd(w.values);
    expect(m.mean).toBeCloseTo(0.43, 10);
    expect(m.sd).toBeCloseTo(0.21, 10);
    const s = [...w.values].sort((a, b) => a - b);
    expect((s[206] + s[207]) / 2).toBeCloseTo(0.41, 12);
  });
  it('matchInteger gives Firm Age moments within the printed precision', () => {
    const r = createRng(3);
    const v = matchInteger(Array.from({ length: 414 }, () => 21.5 + 4.4 * r.normal()), { mean: 21.73, sd: 5.1, min: 11, median: 21, max: 66 });
    const m = meanSd(v);
    expect(Math.abs(m.mean - 21.73)).toBeLessThan(0.005);
    expect(Math.abs(m.sd - 5.1)).toBeLessThan(0.005);
    expect([v[0], v[206], v[207], v[413]]).toEqual([11, 21, 21, 66]);
    expect(v.every((x) => Number.isInteger(x))).toBe(true);
  });
});

describe('small data set', () => {
  const a = generateDataset(7, { nFirms: 40 });
  it('is byte-identical for the same seed and differs for another seed', () => {
    const b = generateDataset(7, { nFirms: 40 });
    const c = generateDataset(8, { nFirms: 40 });
    expect([...a.keys()]).toEqual(FILES);
    for (const f of FILES) expect(b.get(f)).toBe(a.get(f));
    expect(c.get('scores.csv')).not.toBe(a.get('scores.csv'));
    expect(c.get('financials.csv')).not.toBe(a.get('financials.csv'));
  });
  it('every score row respects the indicator tree', () => {
    const tree: Record<string, [number, Record<string, number>]> = {
      basic_data: [80, { key_personnel: 40, business_operation: 40 }],
      finance_taxation: [195, { financial_condition: 135, tax: 60 }],
      governance: [90, { product_quality: 30, production_safety: 30, environmental_protection: 30 }],
      compliance: [450, { administrative_management: 200, judicial_records: 130, serious_dishonest_acts: 120 }],
      social_responsibility: [185, { charity: 65, honesty_records: 120 }],
    };
    const scores = rows(a.get('scores.csv') as string);
    expect(scores).toHaveLength(40);
    for (const s of scores) {
      let total = 0;
      for (const [first, [w, kids]] of Object.entries(tree)) {
        const v = Number(s[first]);
        expect(Number.isInteger(v) && v >= 0 && v <= w).toBe(true);
        let sum = 0;
        for (const [k, wk] of Object.entries(kids)) {
          const x = Number(s[k]);
          expect(Number.isInteger(x) && x >= 0 && x <= wk).toBe(true);
          sum += x;
        }
        expect(sum).toBe(v);
        total += v;
      }
      expect(Number(s.total)).toBe(total);
      expect(s.collected).toBe('2021-07-01');
    }
  });
  it('ids and names are obviously invented, never six-digit stock codes', () => {
    for (const f of rows(a.get('firms.csv') as string)) {
      expect(f.firm_id).toMatch(/^ZJ-SYN-\d{4}$/);
      expect(f.firm_id).not.toMatch(/^\d{6}$/);
      expect(f.name.startsWith('Synthetic ')).toBe(true);
      expect(f.name.endsWith(' (fictional)')).toBe(true);
      expect(f.established < f.listed).toBe(true);
    }
    for (const e of rows(a.get('executives.csv') as string)) expect(e.person_id).toMatch(/^P-\d{6}$/);
  });
  it('writes plain numbers (no exponents, fixed state-share decimals)', () => {
    expect(a.get('financials.csv')).not.toMatch(/\de[+-]?\d/i);
    for (const g of rows(a.get('governance.csv') as string)) expect(g.state_share).toMatch(/^\d\.\d{4}$/);
  });
});

describe('cscs synth', () => {
  it('writes the six files for --small and is deterministic', async () => {
    const d1 = mkdtempSync(join(tmpdir(), 'synth-'));
    const d2 = mkdtempSync(join(tmpdir(), 'synth-'));
    expect(await run(['--small', '30', '--seed', '11', '--out', d1])).toBe(0);
    expect(await run(['--small', '30', '--seed', '11', '--out', d2])).toBe(0);
    try {
      expect(readdirSync(d1).sort()).toEqual([...FILES].sort());
      for (const f of FILES) expect(readFileSync(join(d1, f), 'utf8')).toBe(readFileSync(join(d2, f), 'utf8'));
    } finally {
      for (const d of [d1, d2]) rmSync(d, { recursive: true, force: true });
    }
  });
  it('rejects bad options with an InputError', async () => {
    await expect(run(['--seed', 'abc'])).rejects.toThrow(InputError);
    await expect(run(['--small', '2'])).rejects.toThrow(/--small/);
    await expect(run(['--bogus'])).rejects.toThrow(/unknown option '--bogus'/);
    await expect(run(['--refine', '-1'])).rejects.toThrow(/--refine needs a whole number, got '-1'/);
    await expect(run(['--refine'])).rejects.toThrow(/--refine needs a whole number/);
    await expect(run(['--adjust', 'two'])).rejects.toThrow(/--adjust needs a whole number, got 'two'/);
    await expect(run(['--oos', '1e6'])).rejects.toThrow(/--oos needs a whole number, got '1e6'/);
    await expect(run(['--kick', '-5'])).rejects.toThrow(/--kick needs a whole number, got '-5'/);
    await expect(run(['--no-shift', '--oos'])).rejects.toThrow(/--oos needs a whole number, got ''/);
    await expect(run(['--transfers', '1.5'])).rejects.toThrow(/--transfers needs a whole number, got '1.5'/);
    await expect(run(['--closing', '-1'])).rejects.toThrow(/--closing needs a whole number, got '-1'/);
    await expect(run(['--no-program', '--closing'])).rejects.toThrow(/--closing needs a whole number, got ''/);
    await expect(run(['--se-ratios', '--small', '30'])).rejects.toThrow(/--se-ratios needs the full data set/);
    await expect(run(['--within-share', '1.2'])).rejects.toThrow(/--within-share needs a share between 0 and 1, got '1.2'/);
    await expect(run(['--within-share'])).rejects.toThrow(/--within-share needs a share between 0 and 1, got ''/);
    await expect(run(['--within-share', '0.11', '--small', '30'])).rejects.toThrow(/--within-share needs the full data set/);
    await expect(run(['--r2-gaps', '--small', '30'])).rejects.toThrow(/--r2-gaps needs the full data set/);
  });
});

describe('adjusted covariates from the scorer reach the raw files', () => {
  // A scorer that, like the calibration, returns new values of continuous covariates for a few
  // sample firms: the raw records must be written from them, and the pipeline must derive them.
  const changed = new Map<string, { leverage?: number; roa?: number; firm_size?: number; book_to_market?: number }>();
  const plain = buildDataset(20211001, { scorer: placeholderScores });
  const ds = buildDataset(20211001, {
    scorer: (fs, p, rng) => {
      const inner = fs.filter((f) => f.inSample && f.x.leverage > 0.3 && f.x.leverage < 0.4 && f.x.book_to_market > 0.3 && f.x.book_to_market < 0.8).slice(0, 3);
      changed.set(inner[0].firm_id, { leverage: inner[0].x.leverage + 0.01234 });
      changed.set(inner[1].firm_id, { roa: inner[1].x.roa - 0.001, firm_size: inner[1].x.firm_size + 0.05 });
      changed.set(inner[2].firm_id, { book_to_market: inner[2].x.book_to_market * 1.02 });
      return { scores: placeholderScores(fs, p, rng), covariates: changed };
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'synth-adjusted-'));
  for (const [name, text] of ds.files) writeFileSync(join(dir, name), text);
  const sample = buildSample(loadRawFolder(dir));
  rmSync(dir, { recursive: true, force: true });

  it('the pipeline derives the adjusted values (to 1e-7) and the unchanged firms exactly as before', () => {
    expect(changed.size).toBe(3);
    const byId = new Map(sample.rows.map((r) => [r.firm_id, r]));
    for (const [id, x] of changed) {
      for (const [v, want] of Object.entries(x)) expect(Math.abs(byId.get(id)!.values[v] - want), `${id} ${v}`).toBeLessThan(1e-7 * Math.max(1, Math.abs(want)));
    }
    let same = 0;
    plain.firms.forEach((f, i) => {
      if (changed.has(f.firm_id)) return;
      expect(ds.firms[i].x, f.firm_id).toEqual(f.x);
      same++;
    });
    expect(same).toBe(528);
  });

  it('only the financials of the adjusted firms change in the files', () => {
    for (const name of ['firms.csv', 'governance.csv', 'party_building.csv', 'executives.csv', 'scores.csv']) expect(ds.files.get(name), name).toBe(plain.files.get(name));
    const diff = (ds.files.get('financials.csv') as string).split('\n').filter((line, k) => line !== (plain.files.get('financials.csv') as string).split('\n')[k]);
    expect(new Set(diff.map((l) => l.split(',')[0]))).toEqual(new Set(changed.keys()));
  });

  it('rejects adjusted covariates for an out-of-sample firm or of a non-continuous covariate', () => {
    expect(() =>
      buildDataset(20211001, {
        scorer: (fs, p, rng) => ({ scores: placeholderScores(fs, p, rng), covariates: new Map([[fs.find((f) => !f.inSample)!.firm_id, { leverage: 0.5 }]]) }),
      }),
    ).toThrow(/out-of-sample/);
    expect(() =>
      buildDataset(20211001, {
        scorer: (fs, p, rng) => ({ scores: placeholderScores(fs, p, rng), covariates: new Map([[fs.find((f) => f.inSample)!.firm_id, { firm_age: 30 }]]) }),
      }),
    ).toThrow(/'firm_age' is not a continuous covariate/);
  });
});

describe('full-size data set through the replication pipeline', () => {
  const ds = buildDataset(20211001, { scorer: placeholderScores });
  const dir = mkdtempSync(join(tmpdir(), 'synth-full-'));
  for (const [name, text] of ds.files) writeFileSync(join(dir, name), text);
  const sample = buildSample(loadRawFolder(dir));
  rmSync(dir, { recursive: true, force: true });
  const published = JSON.parse(readFileSync(new URL('../data/paper/published.json', import.meta.url), 'utf8'));

  it('has 531 firms, 414 in the regression sample, and exercises the sample flow', () => {
    expect(ds.firms).toHaveLength(531);
    expect(sample.rows).toHaveLength(414);
    const flow = JSON.stringify(sample.flow);
    expect(flow).toContain('no financials.csv row for fiscal year 2020');
    expect(flow).toContain('no governance.csv row');
  });

  it('reproduces every Table 2 covariate number of published.json at its printed precision', () => {
    const t2 = computeTable2(sample);
    for (const p of published.table2.rows) {
      if (p.variable === 'Scores') continue; // scores come from the calibrator
      const r = t2.rows.find((x) => x.variable === p.variable);
      expect(r, p.variable).toBeDefined();
      if (!r) continue;
      expect(r.n).toBe(414);
      expect(Math.abs((r.mean as number) - p.mean), `${p.variable} mean`).toBeLessThan(0.005);
      expect(Math.abs((r.sd as number) - p.sd), `${p.variable} sd`).toBeLessThan(0.005);
      for (const k of ['min', 'median', 'max'] as const) expect(Number((r[k] as number).toFixed(2)), `${p.variable} ${k}`).toBe(p[k]);
    }
  });

  it('implies Table 3 models (1)-(4) within a tenth of a published SE of the printed coefficients', () => {
    expect(ds.shortModelDeviations.length).toBe(23);
    for (const d of ds.shortModelDeviations) expect(Math.abs(d.z), `${d.model} ${d.name}`).toBeLessThan(0.1);
  });

  it('exercises the variable rules: party-building cutoff and political-connection roles', () => {
    const party = rows(ds.files.get('party_building.csv') as string);
    expect(party.some((p) => p.amended === '1' && p.amended_on === '2018-12-31')).toBe(true);
    expect(party.some((p) => p.amended === '1' && p.amended_on === '2019-01-01')).toBe(true);
    const execs = rows(ds.files.get('executives.csv') as string);
    const byFirm = new Map<string, typeof execs>();
    for (const e of execs) byFirm.set(e.firm_id, [...(byFirm.get(e.firm_id) ?? []), e]);
    const high = new Set(['division', 'department', 'ministry']);
    const counting = new Set(['chair', 'director', 'independent_director', 'ceo']);
    let decoyHigh = 0;
    let decoySection = 0;
    for (const list of byFirm.values()) {
      const connected = list.some((e) => counting.has(e.role) && high.has(e.rank));
      if (!connected && list.some((e) => !counting.has(e.role) && high.has(e.rank))) decoyHigh++;
      if (!connected && list.some((e) => counting.has(e.role) && e.rank === 'section')) decoySection++;
    }
    expect(decoyHigh).toBeGreaterThan(10);
    expect(decoySection).toBeGreaterThan(10);
  });
});

describe('committed data/replication', () => {
  const dir = new URL('../data/replication/', import.meta.url).pathname;
  const sample = buildSample(loadRawFolder(dir));
  const published = JSON.parse(readFileSync(new URL('../data/paper/published.json', import.meta.url), 'utf8'));

  it('loads through the pipeline: 531 firms, 414 in the regression sample', () => {
    expect(sample.scored).toHaveLength(531);
    expect(sample.rows).toHaveLength(414);
  });

  it('reproduces every Table 2 covariate number of published.json at its printed precision', () => {
    const t2 = computeTable2(sample);
    for (const p of published.table2.rows) {
      if (p.variable === 'Scores') continue; // calibrated scores: see the replication report
      const r = t2.rows.find((x) => x.variable === p.variable);
      if (!r) throw new Error(`no Table 2 row ${p.variable}`);
      expect(Math.abs((r.mean as number) - p.mean), `${p.variable} mean`).toBeLessThan(0.005);
      expect(Math.abs((r.sd as number) - p.sd), `${p.variable} sd`).toBeLessThan(0.005);
      for (const k of ['min', 'median', 'max'] as const) expect(Number((r[k] as number).toFixed(2)), `${p.variable} ${k}`).toBe(p[k]);
    }
  });

  it('has no heaps in the continuous covariates: apart from the winsorizing bounds, no three sample firms share a value', () => {
    // A covariate adjustment with one common wall per side once put 76 firms on two ROA values.
    // (Two may coincide at 9 decimals: the marginal reshaping puts a few values within 1e-9 of the
    // median pair.)
    for (const v of ['leverage', 'roa', 'firm_size', 'book_to_market']) {
      const vals = sample.rows.map((r) => r.values[v]);
      const lo = Math.min(...vals);
      const hi = Math.max(...vals);
      const seen = new Map<string, number>();
      for (const x of vals) if (x !== lo && x !== hi) seen.set(x.toFixed(9), (seen.get(x.toFixed(9)) ?? 0) + 1);
      const shared = [...seen].filter(([, m]) => m > 2);
      expect(shared, v).toEqual([]);
    }
  });

  it('contains only invented firms', () => {
    for (const f of rows(readFileSync(join(dir, 'firms.csv'), 'utf8'))) {
      expect(f.firm_id).toMatch(/^ZJ-SYN-\d{4}$/);
      expect(f.name).toMatch(/^Synthetic .* \(fictional\)$/);
    }
  });
});
