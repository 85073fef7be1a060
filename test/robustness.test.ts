/**
 * The robustness battery (cscs robustness) on the shipped data: every OLS row against an
 * independent R computation (test/fixtures/robustness/robustness-ols.R: lm with factor dummies,
 * sandwich vcovHC / vcovCL, its own type-2 winsorization), the Tobit, ordered, median-regression
 * and enumerated wild-bootstrap rows against R (robustness-ml.R: AER::tobit, MASS::polr,
 * quantreg::rq, a brute-force bootstrap), the table and plot outputs, the CLI.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRawFolder } from '../src/data/load.ts';
import { computeRobustness, FOCUS_TERMS, type Robustness } from '../src/study/robustness.ts';
import { coefPlotData, robustnessFiles, robustnessLayout } from '../src/study/robustnessReport.ts';
import { toText } from '../src/report/text.ts';
import { close, cscs } from './helpers.ts';

interface RRow {
  n: number;
  coef: number[];
  se: number[];
  p: number[];
  ci_low: number[];
  ci_high: number[];
}
const ref = JSON.parse(readFileSync(new URL('./fixtures/robustness/robustness-ols.json', import.meta.url), 'utf8')) as Record<string, RRow>;

let rob: Robustness;
beforeAll(() => {
  rob = computeRobustness(loadRawFolder('data/replication'));
});

describe('robustness battery: OLS rows equal R (lm + sandwich)', () => {
  it('every R row is in the battery', () => {
    const ids = new Set(rob.rows.map((r) => r.id));
    expect(Object.keys(ref).filter((id) => !ids.has(id))).toEqual([]);
  });
  for (const [id, want] of Object.entries(ref)) {
    it(id, () => {
      const row = rob.rows.find((r) => r.id === id)!;
      expect(row.n).toBe(want.n);
      FOCUS_TERMS.forEach((term, k) => {
        const e = row.estimates[term];
        close(e.coef, want.coef[k], `${id} ${term} coef`, 1e-9);
        close(e.se, want.se[k], `${id} ${term} se`, 1e-9);
        close(e.p, want.p[k], `${id} ${term} p`, 1e-8);
        close(e.ciLow, want.ci_low[k], `${id} ${term} ci low`, 1e-9);
        close(e.ciHigh, want.ci_high[k], `${id} ${term} ci high`, 1e-9);
      });
    });
  }
});

const refMl = JSON.parse(readFileSync(new URL('./fixtures/robustness/robustness-ml.json', import.meta.url), 'utf8')) as Record<
  string,
  { coef?: number[]; se?: number[]; n?: number; t?: number; count?: number; B?: number }
>;

describe('robustness battery: Tobit, ordered, median and bootstrap rows equal R', () => {
  for (const [id, want] of Object.entries(refMl)) {
    if (id.startsWith('wcb-')) continue;
    it(id, () => {
      const row = rob.rows.find((r) => r.id === id)!;
      expect(row.n).toBe(want.n ?? 414);
      FOCUS_TERMS.forEach((term, k) => {
        close(row.estimates[term].coef, want.coef![k], `${id} ${term} coef`, 1e-8);
        close(row.estimates[term].se, want.se![k], `${id} ${term} se`, 1e-8);
      });
    });
  }
  it('wild cluster bootstrap by city, all 2^11 sign vectors: the brute-force p-value exactly', () => {
    const row = rob.rows.find((r) => r.id === 'wcb-city-rademacher')!;
    for (const term of FOCUS_TERMS) {
      const want = refMl[`wcb-city-rademacher-${term}`];
      expect(row.estimates[term].p, term).toBe(want.count! / want.B!);
      close(row.estimates[term].coef / row.estimates[term].se!, want.t!, `${term} t`, 1e-9);
    }
  });
});

describe('robustness outputs', () => {
  it('the table has one line per specification under its group', () => {
    const text = toText(robustnessLayout(rob));
    for (const r of rob.rows) expect(text).toContain(`  ${r.label}`);
    for (const g of new Set(rob.rows.map((r) => r.group))) expect(text).toContain(`${g}:`);
  });
  it('the coefficient plot shows every score-scale row for both terms, with the interval around the estimate', () => {
    const pts = coefPlotData(rob);
    const scoreRows = rob.rows.filter((r) => r.scale === 'points');
    expect(pts.length).toBe(2 * scoreRows.length);
    for (const d of pts) expect(d.low <= d.estimate && d.estimate <= d.high).toBe(true);
  });
  it('is deterministic: two runs give the same bytes', async () => {
    const a = await robustnessFiles(rob);
    const b = await robustnessFiles(computeRobustness(loadRawFolder('data/replication')));
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [k, v] of a) expect(Buffer.from(b.get(k)!).equals(Buffer.from(v)), k).toBe(true);
  });
});

describe('cscs robustness', () => {
  it('bad options exit 1 with a one-line message', () => {
    const r = cscs('robustness', '--B', 'many', '--out', '/tmp/cscs-robustness-never');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("cscs robustness: error: option '--B': 'many' is not a whole number >= 99\n");
    const d = cscs('robustness', '--data', 'no/such/folder', '--out', '/tmp/cscs-robustness-never');
    expect(d.code).toBe(1);
    expect(d.stderr).toContain("folder 'no/such/folder' not found");
  });
});
