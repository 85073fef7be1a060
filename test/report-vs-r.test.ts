/**
 * End to end against R: fit with the engine (feols, HC1), print with regressionTable, and compare
 * every cell with what R prints for the same models. R 4.2 / sandwich 3.0.2:
 *   d <- read.csv("mtcars.csv"); m1 <- lm(mpg ~ wt + hp, d); m2 <- lm(mpg ~ wt + qsec + am, d)
 *   V <- vcovHC(m, type = "HC1"); se <- sqrt(diag(V)); p <- 2 * pt(-abs(coef(m) / se), df.residual(m))
 *   paste0(sprintf("%.3f", coef(m)), stars(p)); sprintf("(%.3f)", se); sprintf("%.3f", summary(m)$r.squared)
 * printed:
 *   m1: (Intercept) 37.227*** (2.037), wt -3.878*** (0.651), hp -0.032*** (0.007); N 32, R2 0.827
 *   m2: (Intercept) 9.618 (7.116) [p 0.187], wt -3.917*** (0.768), qsec 1.226*** (0.303),
 *       am 2.936* (1.449) [p 0.0525]; N 32, R2 0.850
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { feols } from '../src/stats/feols.ts';
import type { DataTable } from '../src/stats/types.ts';
import { regressionJson, regressionTable } from '../src/report/regressionTable.ts';
import { toText } from '../src/report/text.ts';

function mtcars(): DataTable {
  const lines = readFileSync(new URL('./fixtures/regression/mtcars.csv', import.meta.url), 'utf8').trim().split(/\r?\n/);
  const header = lines[0].split(',');
  const rows = lines.slice(1).map((l) => l.split(','));
  const columns: DataTable['columns'] = {};
  header.forEach((h, j) => {
    columns[h] = j === 0 ? rows.map((r) => r[j]) : Float64Array.from(rows.map((r) => Number(r[j])));
  });
  return { nrows: rows.length, columns, source: 'mtcars.csv' };
}

describe('regression table of engine fits equals what R prints', () => {
  const d = mtcars();
  const models = [
    { label: '(1)', fit: feols(d, 'mpg ~ wt + hp', { vcov: 'HC1' }) },
    { label: '(2)', fit: feols(d, 'mpg ~ wt + qsec + am', { vcov: 'HC1' }) },
  ];
  const opts = { title: 'mtcars', varLabels: { wt: 'Weight', hp: 'Horsepower', qsec: 'Quarter mile', am: 'Manual' } };

  it('cells', () => {
    const t = regressionTable(models, opts);
    expect(t.rows.filter((r) => r.kind !== 'rule').map((r) => r.cells)).toEqual([
      ['Weight', '-3.878***', '-3.917***'],
      ['', '(0.651)', '(0.768)'],
      ['Horsepower', '-0.032***', ''],
      ['', '(0.007)', ''],
      ['Quarter mile', '', '1.226***'],
      ['', '', '(0.303)'],
      ['Manual', '', '2.936*'],
      ['', '', '(1.449)'],
      ['Constant', '37.227***', '9.618'],
      ['', '(2.037)', '(7.116)'],
      ['N', '32', '32'],
      ['R²', '0.827', '0.850'],
    ]);
    expect(toText(t)).toMatch(/^Manual +2\.936\*$/m);
  });

  it('json keeps full precision (R: coef wt = -3.87783074240468, HC1 se 0.651203754809943)', () => {
    const j = regressionJson(models, opts);
    expect(j.models[0].coefficients['Weight'].coef).toBeCloseTo(-3.877830742404682, 10);
    expect(j.models[0].coefficients['Weight'].se).toBeCloseTo(0.6512037548099433, 10);
    expect(j.models[1].coefficients['Manual'].stars).toBe(1);
    expect(j.models[1].coefficients['Constant'].stars).toBe(0);
  });
});
