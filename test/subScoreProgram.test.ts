/**
 * The sub-score program (subScoreProgram.ts) on the committed replication data, with HiGHS. Its
 * promise: integer transfers between each sample firm's sub-scores (totals, ranges, category
 * minimum holders and the out-of-sample firms untouched) that bring every Table 4 cell inside its
 * acceptance tolerance. Table 4 targets are moved off the committed values so that a plan is
 * needed; every Table 4 number is then refitted with the toolkit's estimation core (feols:
 * pivoted QR, HC1, FE as dummies; agrees with R on the reference sets), which shares no code with
 * the program's normal-equations linearisation.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadLpSolver, subScoreProgram, type LpSolver } from '../src/synth/subScoreProgram.ts';
import { SUB_KEYS } from '../src/synth/calibrateScores.ts';
import { COVARIATE_LABELS, FIRST_LEVEL_LABELS, loadPublished, type Published } from '../src/synth/targets.ts';
import { feols } from '../src/stats/feols.ts';
import { FIT_OPTIONS, modelSpec, TABLE3_MODELS, TABLE4_MODELS } from '../src/study/models.ts';
import type { DataTable } from '../src/stats/types.ts';
import { X_NAMES as COVARIATES, type RegressionX, type SynthFirm } from '../src/synth/types.ts';

const read = (path: string) => {
  const [head, ...lines] = readFileSync(new URL(path, import.meta.url), 'utf8').trim().split('\n');
  const keys = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i], v])));
};
const sampleRows = new Map(read('../figures/analysis_sample.csv').map((r) => [r.firm_id, r]));
const scoreRows = new Map(read('../data/replication/scores.csv').map((r) => [r.firm_id, r]));
const firms: SynthFirm[] = read('../data/replication/firms.csv').map((r) => {
  const s = sampleRows.get(r.firm_id);
  const x = Object.fromEntries(COVARIATES.map((c) => [c, s ? Number(s[c]) : NaN])) as unknown as RegressionX;
  return { firm_id: r.firm_id, name: r.name, city: r.city, industry: r.industry, established: r.established, listed: r.listed, inSample: s !== undefined, x };
});
const committed = () => SUB_KEYS.map((k) => Int32Array.from(firms, (f) => Number(scoreRows.get(f.firm_id)![k])));
const sample = firms.flatMap((f, i) => (f.inSample ? [i] : []));

/** The sample as the pipeline's data table (first-level scores from y). */
function table(y: Int32Array[]): DataTable {
  const columns: DataTable['columns'] = {};
  for (const c of COVARIATES) columns[c] = Float64Array.from(sample, (f) => firms[f].x[c]);
  SUB_KEYS.forEach((k, s) => (columns[k] = Float64Array.from(sample, (f) => y[s][f])));
  columns.total = Float64Array.from(sample, (f) => SUB_KEYS.reduce((a, _, s) => a + y[s][f], 0));
  columns.industry = sample.map((f) => firms[f].industry);
  columns.city = sample.map((f) => firms[f].city);
  return { nrows: sample.length, columns, source: 'subScoreProgram.test' };
}

/** Every Table 4 cell of scores y against published p, refitted with feols: the ones outside the acceptance tolerance. */
function table4Misses(y: Int32Array[], p: Published): string[] {
  const data = table(y);
  const misses: string[] = [];
  for (const def of TABLE4_MODELS) {
    const fit = feols(data, modelSpec(def), FIT_OPTIONS);
    const model = p.table4.models.find((m) => m.model === FIRST_LEVEL_LABELS[def.y as (typeof SUB_KEYS)[number]])!;
    def.covariates.forEach((c) => {
      const j = fit.terms.indexOf(c);
      const t = model.coefficients[COVARIATE_LABELS[c as keyof RegressionX]];
      if (Math.abs(fit.coef[j] - t.coef) > 0.01 + 1e-9) misses.push(`${model.model} ${c} coef`);
      if (Math.abs(fit.se[j] - t.se) > 0.01 * t.se + 1e-9) misses.push(`${model.model} ${c} se`);
    });
    const j = fit.terms.indexOf('(Intercept)');
    const t = model.coefficients['Constant'];
    if (Math.abs(fit.coef[j] - t.coef) > 0.01 + 1e-9) misses.push(`${model.model} Constant coef`);
    if (Math.abs(fit.se[j] - t.se) > 0.01 * t.se + 1e-9) misses.push(`${model.model} Constant se`);
    if (Math.abs(fit.r2 - model.r2) > 0.0005 + 1e-9) misses.push(`${model.model} r2`);
  }
  return misses;
}

/**
 * Firm i's scores after a plan: integers inside the category ranges, a score at its category's
 * minimum kept (Table 1's minimum keeps its holder). Returns the points moved, sum of |change|.
 */
function checkScores(before: Int32Array[], y: Int32Array[], i: number, pub: Published): number {
  let d = 0;
  SUB_KEYS.forEach((k, s) => {
    const range = pub.table1.first_level_scores.find((row) => row.indicator === FIRST_LEVEL_LABELS[k])!;
    expect(Number.isInteger(y[s][i])).toBe(true);
    expect(y[s][i]).toBeGreaterThanOrEqual(range.min);
    expect(y[s][i]).toBeLessThanOrEqual(range.max);
    if (before[s][i] === range.min) expect(y[s][i]).toBe(before[s][i]);
    d += Math.abs(y[s][i] - before[s][i]);
  });
  return d;
}

/** Published numbers with Table 4's Firm Age coefficients of Governance and Compliance moved by `delta` (in opposite directions) off the committed fit. */
function movedTarget(delta: number): Published {
  const pub = structuredClone(loadPublished());
  const fits = new Map(TABLE4_MODELS.map((def) => [def.y, feols(table(committed()), modelSpec(def), FIT_OPTIONS)]));
  const age = (key: string) => {
    const fit = fits.get(key)!;
    return fit.coef[fit.terms.indexOf('firm_age')];
  };
  const round3 = (x: number) => Math.round(x * 1000) / 1000;
  pub.table4.models.find((m) => m.model === 'Governance')!.coefficients['Firm Age'].coef = round3(age('governance') + delta);
  pub.table4.models.find((m) => m.model === 'Compliance')!.coefficients['Firm Age'].coef = round3(age('compliance') - delta);
  return pub;
}

describe('sub-score program (Table 4 by planned transfers)', () => {
  let solver: LpSolver;
  beforeAll(async () => {
    solver = await loadLpSolver();
  });
  // One plan (about 20-40 s) serves both tests. The program's last rounding does not promise every
  // cell: on the stop-20 data a move of 0.03 left Basic Data's Leverage coefficient outside and 0.04
  // Governance's Firm Age coefficient (0.02 lands everything; on the stop-19 data 0.02 and 0.04 did).
  const MOVE = 0.02;
  let planned: ReturnType<typeof subScoreProgram> | undefined;
  const plan = () => (planned ??= subScoreProgram(committed(), firms, movedTarget(MOVE), solver));

  it('lands moved Table 4 Firm Age coefficients with every Table 4 cell refitted inside its tolerance, by transfers alone', () => {
    const pub = movedTarget(MOVE);
    const before = committed();
    const missesBefore = table4Misses(before, pub);
    expect(missesBefore).toEqual(expect.arrayContaining(['Governance firm_age coef', 'Compliance firm_age coef']));
    const r = plan();
    expect(r).not.toBeNull();
    const y = r!.y;
    expect(table4Misses(y, pub)).toEqual([]);
    let points = 0;
    let moved = 0;
    firms.forEach((f, i) => {
      const totalBefore = SUB_KEYS.reduce((a, _, s) => a + before[s][i], 0);
      const totalAfter = SUB_KEYS.reduce((a, _, s) => a + y[s][i], 0);
      expect(totalAfter).toBe(totalBefore);
      const d = checkScores(before, y, i, pub);
      if (!f.inSample) expect(d).toBe(0);
      points += d;
      if (d > 0) moved++;
    });
    expect(points).toBe(r!.points);
    expect(moved).toBe(r!.firms);
    expect(moved).toBeGreaterThan(0);
  });

  it('names the cells in the way when no linear program is feasible', () => {
    // Firm Age targets 1.0 off (100 tolerances) with one point per score per program: out of reach.
    // Governance's target lies above its fit and Compliance's below, so the nearest plan must
    // leave the first below its window and the second above, by less than the 100 tolerances
    // (less the window's 0.7) of the start.
    const lines: string[] = [];
    const r = subScoreProgram(committed(), firms, movedTarget(1), solver, { trustRegion: 1, log: (m) => lines.push(m) });
    expect(r).toBeNull();
    const line = lines.find((l) => l.startsWith('sub-score program: linear program 1 infeasible; the nearest plan leaves outside their windows (in tolerances): '));
    expect(line).toBeDefined();
    const by = (cell: string, side: string) => {
      const m = new RegExp(`Table 4 ${cell} Firm Age coef ([0-9.]+) ${side}`).exec(line!);
      expect(m, `${cell} ${side} in: ${line}`).not.toBeNull();
      return Number(m![1]);
    };
    for (const [cell, side] of [['Governance', 'below'], ['Compliance', 'above']]) {
      expect(by(cell, side)).toBeGreaterThan(0);
      expect(by(cell, side)).toBeLessThan(100 - 0.7);
    }
  });

  it('plans no move when every Table 4 cell already passes', () => {
    // The landed state of the first test passes all of Table 4 against the same targets.
    const pub = movedTarget(MOVE);
    const landed = plan()!.y;
    expect(table4Misses(landed, pub)).toEqual([]);
    const r = subScoreProgram(landed, firms, pub, solver);
    expect(r).not.toBeNull();
    expect(r!.points).toBe(0);
    expect(r!.programs).toBe(0);
    expect(r!.y).toEqual(landed);
  });
});

/** Mean and SD (n - 1) of plain numbers. */
function meanSd(v: number[]): { mean: number; sd: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, sd: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) };
}

/** Median (Stata: the mean of the two middle values). */
function median(v: number[]): number {
  const w = [...v].sort((a, b) => a - b);
  const m = w.length >> 1;
  return w.length % 2 ? w[m] : (w[m - 1] + w[m]) / 2;
}

/**
 * Every regression cell of Tables 3 and 4 (coefficient, SE, stars, R^2) refitted with feols, and
 * every Table 1 / Table 2 mean and SD by plain loops, against published p: name -> passes.
 */
function cellsPassing(y: Int32Array[], p: Published): Map<string, boolean> {
  const out = new Map<string, boolean>();
  const data = table(y);
  const regression = (group: string, def: (typeof TABLE3_MODELS)[number], model: Published['table3']['models'][number], tight: boolean) => {
    const fit = feols(data, modelSpec(def), FIT_OPTIONS);
    const stars = (j: number) => (fit.p[j] < 0.01 ? 3 : fit.p[j] < 0.05 ? 2 : fit.p[j] < 0.1 ? 1 : 0);
    for (const c of [...def.covariates, '(Intercept)']) {
      const j = fit.terms.indexOf(c);
      const t = model.coefficients[c === '(Intercept)' ? 'Constant' : COVARIATE_LABELS[c as keyof RegressionX]];
      out.set(`${group} ${c} coef`, Math.abs(fit.coef[j] - t.coef) <= (tight ? 0.01 : 0.25 * t.se) + 1e-9);
      out.set(`${group} ${c} se`, Math.abs(fit.se[j] - t.se) <= (tight ? 0.01 : 0.1) * t.se + 1e-9);
      out.set(`${group} ${c} stars`, stars(j) === t.stars);
    }
    out.set(`${group} r2`, Math.abs(fit.r2 - model.r2) <= (tight ? 0.0005 : 0.01) + 1e-9);
  };
  for (const def of TABLE3_MODELS) regression(`Table 3 ${def.label}`, def, p.table3.models.find((m) => m.model === def.label)!, def.label === '(5)');
  for (const def of TABLE4_MODELS) regression(`Table 4 ${def.label}`, def, p.table4.models.find((m) => m.model === FIRST_LEVEL_LABELS[def.y as (typeof SUB_KEYS)[number]])!, true);
  const total = (i: number) => SUB_KEYS.reduce((a, _, s) => a + y[s][i], 0);
  const summary = (name: string, v: number[], t: { mean: number; sd: number }) => {
    const m = meanSd(v);
    out.set(`${name} mean`, Math.abs(m.mean - t.mean) <= 0.005 + 1e-9);
    out.set(`${name} sd`, Math.abs(m.sd - t.sd) <= 0.005 + 1e-9);
  };
  const t2 = p.table2.rows.find((r) => r.variable === 'Scores')!;
  summary('Table 2 Scores', sample.map(total), t2);
  const all = firms.map((_, i) => total(i));
  summary('Table 1 Total', all, p.table1.total_score);
  const bandLo = [850, 800, 750, 700, -Infinity];
  p.table1.ratings.forEach((r, b) => summary(`Table 1 ${r.rating}`, all.filter((t) => t >= bandLo[b] && (b === 0 || t < bandLo[b - 1])), r));
  SUB_KEYS.forEach((k, s) => summary(`Table 1 ${FIRST_LEVEL_LABELS[k]}`, Array.from(y[s]), p.table1.first_level_scores.find((r) => r.indicator === FIRST_LEVEL_LABELS[k])!));
  return out;
}

describe('total program (sub-score program with moving totals): what it did on the committed seed', () => {
  // Its input: the state the calibration hands it on the committed seed (the committed checkpoint
  // resumed with the total program's iterations at 0: test/fixtures/calibrate/
  // scores-before-total-program.csv, first-level scores), where Table 2's Scores SD (49.319 vs
  // 49.30) and model (5)'s R^2 (0.1800 vs 0.178) fail. Its output: the committed scores (the
  // out-of-sample finish after it kept nothing; test/replication-checkpoint.test.ts shows that
  // `cscs synth --resume` from the checkpoint writes them byte for byte). Checking the pair here,
  // rather than solving the program a second time, keeps 3-5 minutes out of the test run.
  const pub = loadPublished();
  const stored = new Map(read('./fixtures/calibrate/scores-before-total-program.csv').map((r) => [r.firm_id, r]));
  const before = SUB_KEYS.map((k) => Int32Array.from(firms, (f) => Number(stored.get(f.firm_id)![k])));
  const after = committed();

  it('lands both with every passing cell of Tables 1-4 kept, no firm leaving its band and every median and extreme kept', () => {
    const passBefore = cellsPassing(before, pub);
    expect(passBefore.get('Table 2 Scores sd')).toBe(false);
    expect(passBefore.get('Table 3 (5) r2')).toBe(false);
    const y = after;
    const passAfter = cellsPassing(y, pub);
    expect(passAfter.get('Table 2 Scores sd')).toBe(true);
    expect(passAfter.get('Table 3 (5) r2')).toBe(true);
    const lost = [...passBefore].filter(([name, ok]) => ok && !passAfter.get(name)).map(([name]) => name);
    expect(lost).toEqual([]);
    // Bands, medians and extremes (all firms, the sample, each band) by plain loops.
    const totals = (yy: Int32Array[]) => firms.map((_, i) => SUB_KEYS.reduce((a, _, s) => a + yy[s][i], 0));
    const t0 = totals(before);
    const t1 = totals(y);
    const band = (t: number) => (t >= 850 ? 0 : t >= 800 ? 1 : t >= 750 ? 2 : t >= 700 ? 3 : 4);
    t0.forEach((t, i) => expect(band(t1[i]), firms[i].firm_id).toBe(band(t)));
    const stats = (v: number[]) => [Math.min(...v), median(v), Math.max(...v)];
    expect(stats(t1)).toEqual(stats(t0));
    expect(stats(sample.map((f) => t1[f]))).toEqual(stats(sample.map((f) => t0[f])));
    for (let b = 0; b < 5; b++) expect(stats(t1.filter((t) => band(t) === b))).toEqual(stats(t0.filter((t) => band(t) === b)));
    // Integer scores inside the category ranges; category minimum holders kept; the tail locked.
    firms.forEach((_, i) => {
      if (t0[i] < 750) expect(t1[i]).toBe(t0[i]);
      checkScores(before, y, i, pub);
    });
    expect(t1.some((t, i) => t !== t0[i])).toBe(true);
  });
});
