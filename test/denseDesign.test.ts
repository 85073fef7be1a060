/**
 * denseDesign: intercept, regressors and FE dummies, with collinear columns dropped as R's lm
 * does (test/fixtures/denseDesign/denseDesign.R: a regressor that is the sum of two others and a
 * fixed effect nested in another).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCsv, toDataTable } from '../src/data/csv.ts';
import { denseDesign } from '../src/stats/denseDesign.ts';
import { leastSquares } from '../src/stats/qr.ts';
import { close } from './helpers.ts';

const dir = new URL('./fixtures/denseDesign/', import.meta.url);
const ref = JSON.parse(readFileSync(new URL('reference.json', dir), 'utf8')) as { kept: string[]; dropped: string[]; coef: number[] };
const data = toDataTable(readCsv(fileURLToPath(new URL('data.csv', dir))), { categorical: ['g', 'h'] });

describe('denseDesign', () => {
  const d = denseDesign(data, 'y ~ x1 + x2 + x3 | g + h');
  it('keeps and drops the columns lm keeps and drops', () => {
    expect(d.names).toEqual(ref.kept);
    expect(d.dropped).toEqual(ref.dropped);
    expect(d.feDummies).toEqual(['g::b', 'g::c', 'g::d']);
  });
  it('OLS on the dense design gives lm coefficients', () => {
    const ls = leastSquares(d.X, d.y, { intercept: 0 });
    ref.coef.forEach((b, j) => close(ls.coef[j], b, ref.kept[j], 1e-10));
  });
  it('listwise deletion is counted', () => {
    const y = Float64Array.from(data.columns.y as Float64Array);
    y[3] = NaN;
    const m = denseDesign({ ...data, columns: { ...data.columns, y } }, 'y ~ x1 | g');
    expect(m.missingDropped).toBe(1);
    expect(m.rowsUsed.length).toBe(data.nrows - 1);
    expect(m.rowsUsed.includes(3)).toBe(false);
  });
});
