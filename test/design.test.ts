import { describe, expect, it } from 'vitest';
import { inputErrorMessage } from './helpers.ts';
import { buildDesign, sortLevels } from '../src/stats/design.ts';
import { parseFormula } from '../src/stats/formula.ts';
import type { DataTable } from '../src/stats/types.ts';

const err = inputErrorMessage;

const F = (xs: number[]) => Float64Array.from(xs);

// 6 rows; row 3 has y missing, row 5 has g missing.
const data: DataTable = {
  nrows: 6,
  source: 'toy.csv',
  columns: {
    y: F([1, 2, NaN, 4, 5, 6]),
    x: F([1, 2, 3, 4, 5, 6]),
    z: F([2, 0, 1, -1, 3, 0.5]),
    g: ['b', 'a', 'a', 'c', null, 'b'],
    n: F([10, 2, 2, 10, 2, 1]),
    fe: ['u', 'u', 'v', 'v', 'w', 'w'],
    s: ['p', 'q', 'r', 's', 't', 'u'],
    one: ['k', 'k', 'k', 'k', 'k', 'k'],
  },
};

describe('buildDesign', () => {
  it('drops incomplete rows listwise and builds intercept, vars, powers, interactions', () => {
    const d = buildDesign(data, parseFormula('y ~ x + I(z^2) + x:z + n'));
    expect(Array.from(d.rowsUsed)).toEqual([0, 1, 3, 4, 5]);
    expect(d.missingDropped).toBe(1);
    expect(d.names).toEqual(['(Intercept)', 'x', 'I(z^2)', 'x:z', 'n']);
    expect(Array.from(d.termIndex)).toEqual([-1, 0, 1, 2, 3]);
    expect(Array.from(d.y)).toEqual([1, 2, 4, 5, 6]);
    expect(Array.from(d.X[0])).toEqual([1, 1, 1, 1, 1]);
    expect(Array.from(d.X[2])).toEqual([4, 0, 1, 9, 0.25]);
    expect(Array.from(d.X[3])).toEqual([2, 0, -4, 15, 3]);
    expect(d.fe).toEqual([]);
    const p = buildDesign(data, parseFormula('y ~ poly(n, 2) - 1'));
    expect(p.names).toEqual(['n', 'n^2']);
    expect(Array.from(p.X[1])).toEqual([100, 4, 100, 4, 1]);
  });

  it('codes factors on the estimation sample, base = first sorted level, numeric sort for numbers', () => {
    const d = buildDesign(data, parseFormula('y ~ i(g)'));
    // rows used: 0,1,3,5 (row 2: y missing, row 4: g missing); g = b a c b -> levels a b c, base a
    expect(Array.from(d.rowsUsed)).toEqual([0, 1, 3, 5]);
    expect(d.missingDropped).toBe(2);
    expect(d.names).toEqual(['(Intercept)', 'g::b', 'g::c']);
    expect(Array.from(d.X[1])).toEqual([1, 0, 0, 1]);
    expect(Array.from(d.X[2])).toEqual([0, 0, 1, 0]);
    // n over rows 0,1,3,4,5 = 10 2 10 2 1 -> levels 1 2 10 (numeric, not string, order), base 1
    const m = buildDesign(data, parseFormula('y ~ factor(n)'));
    expect(m.names).toEqual(['(Intercept)', 'n::2', 'n::10']);
    expect(Array.from(m.X[1])).toEqual([0, 1, 0, 1, 0]);
    expect(Array.from(m.X[2])).toEqual([1, 0, 1, 0, 0]);
  });

  it('keeps all levels of the first factor only, without intercept (as R)', () => {
    expect(buildDesign(data, parseFormula('y ~ i(g) - 1')).names).toEqual(['g::a', 'g::b', 'g::c']);
    // rows 0,1,3,4,5: fe = u u v w w -> first factor keeps u, v, w; second (n: 10 2 10 2 1) drops base 1
    expect(buildDesign(data, parseFormula('y ~ i(fe) + i(n) - 1')).names).toEqual(['fe::u', 'fe::v', 'fe::w', 'n::2', 'n::10']);
  });

  it('codes FE and clusters (numeric or string), no intercept column with FE', () => {
    const d = buildDesign(data, parseFormula('y ~ x | fe'), { cluster: ['n'] });
    expect(d.names).toEqual(['x']);
    expect(d.fe).toEqual([{ name: 'fe', codes: Int32Array.from([0, 0, 1, 2, 2]), levels: ['u', 'v', 'w'] }]);
    expect(d.clusters).toEqual([{ name: 'n', codes: Int32Array.from([2, 1, 2, 1, 0]), levels: ['1', '2', '10'] }]);
  });

  it('cluster missing values drop rows too', () => {
    const d = buildDesign(data, parseFormula('y ~ x'), { cluster: ['g'] });
    expect(Array.from(d.rowsUsed)).toEqual([0, 1, 3, 5]);
    expect(d.clusters[0].levels).toEqual(['a', 'b', 'c']);
  });

  it('raises input errors naming file, row, column', () => {
    expect(err(() => buildDesign(data, parseFormula('y ~ g')))).toBe(
      "toy.csv, row 1, column 'g': 'b' is not a number (the term 'g' needs a numeric column; use i(g) for a categorical regressor)",
    );
    expect(err(() => buildDesign(data, parseFormula('s ~ x')))).toMatch(/^toy\.csv, row 1, column 's': 'p' is not a number \(the outcome 's'/);
    expect(err(() => buildDesign(data, parseFormula('y ~ xx')))).toBe("formula: unknown column 'xx' (did you mean 'x'?)");
    expect(err(() => buildDesign(data, parseFormula('y ~ x'), { cluster: ['gg'] }))).toBe("toy.csv: unknown cluster column 'gg' (did you mean 'g'?)");
    expect(err(() => buildDesign(data, parseFormula('y ~ x'), { cluster: ['one'] }))).toBe(
      "toy.csv: cluster variable 'one' has only one group ('k') in the estimation sample; clustered standard errors need at least 2",
    );
    const allMissing: DataTable = { nrows: 2, source: 'm.csv', columns: { y: F([NaN, 1]), x: F([1, NaN]) } };
    expect(err(() => buildDesign(allMissing, parseFormula('y ~ x')))).toBe(
      "m.csv: no observations left after dropping 2 rows with missing values in 'y', 'x'",
    );
    // rows 1,2,4,6 used: intercept + x + z + g (a,b,c: 2 dummies) + s (p,q,s,u: 3 dummies) = 8 > 4
    expect(err(() => buildDesign(data, parseFormula('y ~ x + z + i(g) + i(s)')))).toBe(
      'toy.csv: the model has 8 parameters but only 4 observations (after dropping 2 rows with missing values)',
    );
    const inf: DataTable = { nrows: 2, source: 'i.csv', columns: { y: F([1, 2]), x: F([1, Infinity]) } };
    expect(err(() => buildDesign(inf, parseFormula('y ~ x')))).toMatch(/^i\.csv, row 2, column 'x': infinite value/);
  });
});

describe('sortLevels', () => {
  it('sorts numbers numerically and strings by code units', () => {
    expect(sortLevels(['10', '9', '-1', '2.5', '9'])).toEqual(['-1', '2.5', '9', '10']);
    expect(sortLevels(['b', 'B', 'a', '10', '9'])).toEqual(['10', '9', 'B', 'a', 'b']);
  });
});
