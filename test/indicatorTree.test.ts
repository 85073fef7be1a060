import { describe, expect, it } from 'vitest';
import {
  INDICATOR_TREE,
  assertTreeConsistent,
  firstLevels,
  scoreProblem,
  secondLevels,
  treeProblems,
  type IndicatorTree,
} from '../src/study/indicatorTree.ts';

/** A full-marks record: every score at its weight, social responsibility at 0 + 0 (starts from zero). */
function fullMarks(): Record<string, number> {
  const v: Record<string, number> = {};
  for (const f of INDICATOR_TREE.children) {
    for (const s of f.children) v[s.key] = f.key === 'social_responsibility' ? 0 : s.weight;
    v[f.key] = f.key === 'social_responsibility' ? 0 : f.weight;
  }
  v.total = 80 + 195 + 90 + 450; // 815
  return v;
}

describe('indicator tree (SPEC.md section 1)', () => {
  it('has the published weights, names and order', () => {
    expect(firstLevels().map((f) => [f.name, f.weight])).toEqual([
      ['Basic Data', 80],
      ['Finance and Taxation', 195],
      ['Governance', 90],
      ['Compliance', 450],
      ['Social Responsibility', 185],
    ]);
    expect(secondLevels().map((s) => [s.indicator.name, s.indicator.weight])).toEqual([
      ['Key Personnel', 40],
      ['Business Operation', 40],
      ['Financial Condition', 135],
      ['Tax', 60],
      ['Product Quality', 30],
      ['Production Safety', 30],
      ['Environmental Protection', 30],
      ['Administrative Management', 200],
      ['Judicial Records', 130],
      ['Serious Dishonest Acts', 120],
      ['Charity', 65],
      ['Honesty Records', 120],
    ]);
    // Third level, e.g. Financial Condition: 50 + 60 + 15 + 10 = 135.
    const fc = secondLevels().find((s) => s.indicator.key === 'financial_condition')!.indicator;
    expect(fc.children.map((c) => c.weight)).toEqual([50, 60, 15, 10]);
    expect(INDICATOR_TREE.children.flatMap((f) => f.children).flatMap((s) => s.children)).toHaveLength(2 + 2 + 4 + 2 + 1 + 1 + 1 + 4 + 3 + 1 + 2 + 2);
  });

  it('is consistent: 80 + 195 + 90 + 450 + 185 = 1000 and every level sums to its parent', () => {
    expect(treeProblems(INDICATOR_TREE)).toEqual([]);
    expect(() => assertTreeConsistent()).not.toThrow();
  });

  it('detects weights that do not add up, at each level', () => {
    const broken: IndicatorTree = JSON.parse(JSON.stringify(INDICATOR_TREE));
    broken.children[0].weight = 81; // first level now sums to 1001; its children still sum to 80
    broken.children[1].children[1].children[0].weight = 31; // Tax third level 31 + 30 = 61
    expect(treeProblems(broken)).toEqual([
      'first-level weights sum to 1001, not the total 1000',
      "second-level weights of 'Basic Data' sum to 80, not 81",
      "third-level weights of 'Tax' sum to 61, not 60",
    ]);
    expect(() => assertTreeConsistent(broken)).toThrow(/inconsistent/);
  });

  it('accepts consistent scores and rejects out-of-range scores and broken sums, naming the column', () => {
    expect(scoreProblem(fullMarks())).toBeNull();
    const over = { ...fullMarks(), charity: 66, social_responsibility: 66, total: 881 };
    expect(scoreProblem(over)).toEqual({ column: 'charity', message: 'score 66 is outside [0, 65]' });
    const negative = { ...fullMarks(), tax: -1 };
    expect(scoreProblem(negative)?.column).toBe('tax');
    // Second level: 40 + 30 = 70 but basic_data says 80.
    const sub = { ...fullMarks(), business_operation: 30 };
    expect(scoreProblem(sub)).toEqual({ column: 'basic_data', message: 'basic_data is 80 but key_personnel + business_operation = 70' });
    // Total: first level sums to 815, total says 816.
    expect(scoreProblem({ ...fullMarks(), total: 816 })).toEqual({ column: 'total', message: 'total is 816 but the five first-level scores sum to 815' });
    // Decimals are allowed when they add up.
    const dec = { ...fullMarks(), key_personnel: 39.5, basic_data: 79.5, total: 814.5 };
    expect(scoreProblem(dec)).toBeNull();
  });
});
