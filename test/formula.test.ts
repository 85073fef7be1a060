import { describe, expect, it } from 'vitest';
import { inputErrorMessage } from './helpers.ts';
import { formatFormula, parseFormula, suggestColumn, toModelSpec, validateModel } from '../src/stats/formula.ts';
import type { ModelSpec } from '../src/stats/types.ts';

const err = inputErrorMessage;

describe('parseFormula', () => {
  it('parses terms, intercept and fixed effects (whitespace-insensitive)', () => {
    expect(parseFormula('y ~ x1 + x2 | fe1 + fe2')).toEqual({
      y: 'y',
      terms: [
        { kind: 'var', name: 'x1' },
        { kind: 'var', name: 'x2' },
      ],
      fe: ['fe1', 'fe2'],
      intercept: true,
    });
    expect(parseFormula('y~x1+x2|fe1+fe2')).toEqual(parseFormula('  y ~ x1 +\n x2 |fe1 + fe2 '));
  });

  it('handles i(), factor(), I(x^k), poly(x, k), a:b and a*b', () => {
    const m = parseFormula('log_wage ~ i(region) + factor(year) + I(exper^2) + poly(educ, 3) + a:b:c + u*v');
    expect(m.terms).toEqual([
      { kind: 'factor', name: 'region' },
      { kind: 'factor', name: 'year' },
      { kind: 'power', name: 'exper', power: 2, label: 'I(exper^2)' },
      { kind: 'power', name: 'educ', power: 1, label: 'educ' },
      { kind: 'power', name: 'educ', power: 2, label: 'educ^2' },
      { kind: 'power', name: 'educ', power: 3, label: 'educ^3' },
      { kind: 'interaction', names: ['a', 'b', 'c'], label: 'a:b:c' },
      { kind: 'var', name: 'u' },
      { kind: 'var', name: 'v' },
      { kind: 'interaction', names: ['u', 'v'], label: 'u:v' },
    ]);
    expect(m.intercept).toBe(true);
  });

  it('drops the intercept with - 1 or + 0 and keeps it with + 1', () => {
    expect(parseFormula('y ~ x - 1').intercept).toBe(false);
    expect(parseFormula('y ~ 0 + x').intercept).toBe(false);
    expect(parseFormula('y ~ -1 + x').intercept).toBe(false);
    expect(parseFormula('y ~ 1 + x').intercept).toBe(true);
    expect(parseFormula('y ~ 1')).toEqual({ y: 'y', terms: [], fe: [], intercept: true });
  });

  it('accepts backtick-quoted names and dotted names', () => {
    const m = parseFormula('`log wage` ~ Infant_Mortality + x.1');
    expect(m.y).toBe('log wage');
    expect(m.terms).toEqual([
      { kind: 'var', name: 'Infant_Mortality' },
      { kind: 'var', name: 'x.1' },
    ]);
  });

  it('names unknown columns with a suggestion when columns are given', () => {
    const cols = ['score', 'leverage', 'size', 'province'];
    expect(err(() => parseFormula('score ~ levrage + size', cols))).toBe("formula: unknown column 'levrage' (did you mean 'leverage'?)");
    expect(err(() => parseFormula('score ~ size | provnce', cols))).toBe("formula: unknown column 'provnce' (did you mean 'province'?)");
    expect(err(() => parseFormula('score ~ zzzzzz', cols))).toBe("formula: unknown column 'zzzzzz'");
    expect(suggestColumn('SIZE', cols)).toBe('size');
  });

  it('reports syntax errors with the token and position', () => {
    expect(err(() => parseFormula('y x1 + x2'))).toBe("formula: expected '~' (write 'y ~ x1 + x2')");
    expect(err(() => parseFormula('y ~ x1 + x2)'))).toBe(
      "formula: unexpected ')' at position 12 (expected '+', '-', '|' or end of formula)",
    );
    expect(err(() => parseFormula('y ~ x1 + x2 + )'))).toBe("formula: expected a column name or a term, found ')' at position 15");
    expect(err(() => parseFormula('y ~ '))).toBe("formula: empty right-hand side (write 'y ~ 1' for an intercept-only model)");
    expect(err(() => parseFormula('y ~ | fe'))).toMatch(/^formula: empty right-hand side/);
    expect(err(() => parseFormula(''))).toBe("formula: empty formula (write 'y ~ x1 + x2')");
    expect(err(() => parseFormula('~ x'))).toBe("formula: expected the outcome variable before '~'");
    expect(err(() => parseFormula('y ~ x +'))).toBe("formula: expected a term after '+' at position 7");
    expect(err(() => parseFormula('y ~ log(x)'))).toBe(
      "formula: unknown function 'log' at position 5 (supported: i(), factor(), I(x^k), poly(x, k))",
    );
    expect(err(() => parseFormula('y ~ I(x^2'))).toBe("formula: expected ')' to close 'I(' opened at position 6, found end of formula");
    expect(err(() => parseFormula('y ~ I(x^a)'))).toBe("formula: expected a whole number as the power in I(x^k), found 'a' at position 9");
    expect(err(() => parseFormula('y ~ x - z'))).toBe("formula: '-' can only remove the intercept ('- 1'), found 'z' at position 9");
    expect(err(() => parseFormula('y ~ x + 2'))).toBe("formula: unexpected number '2' at position 9 (only 0 or 1 for the intercept)");
    expect(err(() => parseFormula('y ~ x $ z'))).toBe("formula: unexpected character '$' at position 7");
    expect(err(() => parseFormula('y ~ x | '))).toBe("formula: expected fixed-effect columns after '|' at position 7");
    expect(err(() => parseFormula('y ~ x | a^b'))).toMatch(/interacted fixed effects/);
    expect(err(() => parseFormula('y ~ x^2'))).toBe("formula: write powers as I(x^k), found '^' at position 6");
  });

  it('rejects duplicate and contradictory terms', () => {
    expect(err(() => parseFormula('y ~ x + z + x'))).toBe("formula: duplicate term 'x'");
    expect(err(() => parseFormula('y ~ a:b + b:a'))).toBe("formula: duplicate term 'b:a'");
    expect(err(() => parseFormula('y ~ poly(x, 2) + I(x^2)'))).toBe("formula: duplicate term 'I(x^2)'");
    expect(err(() => parseFormula('y ~ i(g) + factor(g)'))).toBe("formula: duplicate term 'i(g)'");
    expect(err(() => parseFormula('y ~ x | f + f'))).toBe("formula: duplicate fixed effect 'f'");
    expect(err(() => parseFormula('y ~ x + y'))).toBe("formula: the outcome 'y' also appears on the right-hand side in 'y'");
    expect(err(() => parseFormula('y ~ x + f | f'))).toBe("formula: 'f' is both a regressor and a fixed effect");
    expect(err(() => parseFormula('y ~ 0'))).toBe('formula: the model has no regressors and no intercept');
    expect(err(() => parseFormula('y ~ x:x'))).toMatch(/repeats a column/);
  });
});

describe('validateModel / toModelSpec on typed objects', () => {
  const spec: ModelSpec = { y: 'y', terms: [{ kind: 'var', name: 'x' }], fe: ['g'], intercept: true };
  it('accepts a valid spec and checks columns', () => {
    expect(validateModel(spec, ['y', 'x', 'g'])).toBe(spec);
    expect(toModelSpec('y ~ x | g', ['y', 'x', 'g'])).toEqual(spec);
    expect(err(() => toModelSpec(spec, ['y', 'xx', 'g']))).toBe("formula: unknown column 'x' (did you mean 'xx'?)");
  });
  it('rejects malformed specs', () => {
    expect(err(() => validateModel({ ...spec, y: '' }))).toBe('formula: the outcome y must be a column name');
    expect(err(() => validateModel({ ...spec, terms: [{ kind: 'power', name: 'x', power: 1.5, label: 'I(x^1.5)' }] }))).toMatch(
      /power must be a whole number/,
    );
    expect(err(() => validateModel({ ...spec, terms: [{ kind: 'nope' } as never] }))).toMatch(/unknown term kind 'nope'/);
  });
  it('formats a spec back to text', () => {
    expect(formatFormula(parseFormula('y ~ x + i(g) + I(z^2) - 1'))).toBe('y ~ x + i(g) + I(z^2) - 1');
    expect(formatFormula(parseFormula('y ~ x | a + b'))).toBe('y ~ x | a + b');
  });
});
