/**
 * The Zhejiang 2020 corporate credit indicator tree (SPEC.md section 1), kept as data:
 * five first-level categories, twelve second-level indicators (each a scores.csv column)
 * and their third-level items with data sources. Weights are the maximum points.
 */

/** A third-level item: scored by the province, never present in the raw files. */
export interface ThirdLevel {
  name: string;
  weight: number;
  source: string;
}

/** A second-level indicator: `key` is its scores.csv column. */
export interface SecondLevel {
  key: string;
  name: string;
  weight: number;
  children: readonly ThirdLevel[];
}

/** A first-level category: `key` is its scores.csv column. */
export interface FirstLevel {
  key: string;
  name: string;
  weight: number;
  children: readonly SecondLevel[];
}

export interface IndicatorTree {
  /** Maximum total score (the root weight). */
  total: number;
  children: readonly FirstLevel[];
}

/** The tree exactly as SPEC.md gives it. */
export const INDICATOR_TREE: IndicatorTree = {
  total: 1000,
  children: [
    {
      key: 'basic_data',
      name: 'Basic Data',
      weight: 80,
      children: [
        {
          key: 'key_personnel',
          name: 'Key Personnel',
          weight: 40,
          children: [
            { name: 'Seriously dishonest key personnel', weight: 20, source: 'departments, courts' },
            { name: 'Key personnel failed to satisfy a court judgment', weight: 20, source: 'departments, courts' },
          ],
        },
        {
          key: 'business_operation',
          name: 'Business Operation',
          weight: 40,
          children: [
            { name: 'Abnormal operations list', weight: 20, source: 'market supervision' },
            { name: 'Abnormal taxpayer', weight: 20, source: 'tax' },
          ],
        },
      ],
    },
    {
      key: 'finance_taxation',
      name: 'Finance and Taxation',
      weight: 195,
      children: [
        {
          key: 'financial_condition',
          name: 'Financial Condition',
          weight: 135,
          children: [
            { name: 'Unsatisfied financing judgment', weight: 50, source: 'courts' },
            { name: 'Financing crime', weight: 60, source: 'courts' },
            { name: 'Debt evasion', weight: 15, source: 'finance department' },
            { name: 'Unregistered overseas-investment equity', weight: 10, source: 'central bank' },
          ],
        },
        {
          key: 'tax',
          name: 'Tax',
          weight: 60,
          children: [
            { name: 'Social insurance arrears', weight: 30, source: 'tax department' },
            { name: 'Tax arrears', weight: 30, source: 'tax department' },
          ],
        },
      ],
    },
    {
      key: 'governance',
      name: 'Governance',
      weight: 90,
      children: [
        {
          key: 'product_quality',
          name: 'Product Quality',
          weight: 30,
          children: [{ name: 'Supervision and inspection results', weight: 30, source: 'construction, market supervision, customs' }],
        },
        {
          key: 'production_safety',
          name: 'Production Safety',
          weight: 30,
          children: [{ name: 'Safety accidents and hazards', weight: 30, source: 'emergency management, fire' }],
        },
        {
          key: 'environmental_protection',
          name: 'Environmental Protection',
          weight: 30,
          children: [{ name: 'Environmental accidents', weight: 30, source: 'ecology and environment' }],
        },
      ],
    },
    {
      key: 'compliance',
      name: 'Compliance',
      weight: 450,
      children: [
        {
          key: 'administrative_management',
          name: 'Administrative Management',
          weight: 200,
          children: [
            { name: 'Administrative penalties', weight: 90, source: 'departments' },
            { name: 'Administrative enforcement', weight: 60, source: 'departments' },
            { name: 'Broken administrative commitments', weight: 20, source: 'departments' },
            { name: 'Other non-compliance', weight: 30, source: 'departments' },
          ],
        },
        {
          key: 'judicial_records',
          name: 'Judicial Records',
          weight: 130,
          children: [
            { name: 'Unsatisfied non-financing judgment', weight: 50, source: 'courts' },
            { name: 'Other crimes', weight: 60, source: 'courts' },
            { name: 'Frivolous litigation', weight: 20, source: 'courts' },
          ],
        },
        {
          key: 'serious_dishonest_acts',
          name: 'Serious Dishonest Acts',
          weight: 120,
          children: [{ name: 'On the seriously-dishonest enterprise list', weight: 120, source: 'departments, courts' }],
        },
      ],
    },
    {
      key: 'social_responsibility',
      name: 'Social Responsibility',
      weight: 185,
      children: [
        {
          key: 'charity',
          name: 'Charity',
          weight: 65,
          children: [
            { name: 'Volunteer service', weight: 30, source: 'party propaganda department, youth league' },
            { name: 'Donations', weight: 35, source: 'Red Cross, civil affairs' },
          ],
        },
        {
          key: 'honesty_records',
          name: 'Honesty Records',
          weight: 120,
          children: [
            { name: 'Red list', weight: 60, source: 'departments' },
            { name: 'Honours and awards from county level or above', weight: 60, source: 'departments' },
          ],
        },
      ],
    },
  ],
};

/** Absolute tolerance when comparing score sums: scores may be decimals written with rounding. */
export const SCORE_SUM_TOL = 1e-6;

/**
 * Every inconsistency of a tree's weights: each level must sum to its parent, keys must be unique
 * and weights positive. Returns human-readable problems (empty when the tree is consistent).
 */
export function treeProblems(tree: IndicatorTree): string[] {
  const problems: string[] = [];
  const keys = new Set<string>();
  const note = (key: string): void => {
    if (keys.has(key)) problems.push(`duplicate indicator key '${key}'`);
    keys.add(key);
  };
  const sum = (xs: readonly { weight: number }[]): number => xs.reduce((s, x) => s + x.weight, 0);
  if (Math.abs(sum(tree.children) - tree.total) > SCORE_SUM_TOL) {
    problems.push(`first-level weights sum to ${sum(tree.children)}, not the total ${tree.total}`);
  }
  for (const first of tree.children) {
    note(first.key);
    if (!(first.weight > 0)) problems.push(`'${first.name}' has non-positive weight ${first.weight}`);
    if (Math.abs(sum(first.children) - first.weight) > SCORE_SUM_TOL) {
      problems.push(`second-level weights of '${first.name}' sum to ${sum(first.children)}, not ${first.weight}`);
    }
    for (const second of first.children) {
      note(second.key);
      if (!(second.weight > 0)) problems.push(`'${second.name}' has non-positive weight ${second.weight}`);
      if (second.children.length > 0 && Math.abs(sum(second.children) - second.weight) > SCORE_SUM_TOL) {
        problems.push(`third-level weights of '${second.name}' sum to ${sum(second.children)}, not ${second.weight}`);
      }
    }
  }
  return problems;
}

/** Throws (a plain Error: a broken tree is a bug, not user input) unless the weights add up. */
export function assertTreeConsistent(tree: IndicatorTree = INDICATOR_TREE): void {
  const problems = treeProblems(tree);
  if (problems.length > 0) throw new Error(`indicator tree is inconsistent: ${problems.join('; ')}`);
}

/** The first-level categories, in SPEC order. */
export function firstLevels(tree: IndicatorTree = INDICATOR_TREE): readonly FirstLevel[] {
  return tree.children;
}

/** The second-level indicators in SPEC order, each with its parent. */
export function secondLevels(tree: IndicatorTree = INDICATOR_TREE): { parent: FirstLevel; indicator: SecondLevel }[] {
  return tree.children.flatMap((parent) => parent.children.map((indicator) => ({ parent, indicator })));
}

/** One firm's scores by column key (total, first- and second-level). */
export type ScoreValues = Record<string, number>;

/** A violation of the tree by one firm's scores, naming the column at fault. */
export interface ScoreProblem {
  column: string;
  message: string;
}

/**
 * Checks one firm's scores against the tree: every score within [0, weight], the second-level
 * scores summing to their first level and the first-level scores summing to `total`.
 * Returns the first problem found (range before sums, so a sum error is never caused by a range one).
 */
export function scoreProblem(values: ScoreValues, tree: IndicatorTree = INDICATOR_TREE): ScoreProblem | null {
  const inRange = (key: string, weight: number): ScoreProblem | null => {
    const v = values[key];
    if (!(v >= -SCORE_SUM_TOL && v <= weight + SCORE_SUM_TOL)) {
      return { column: key, message: `score ${v} is outside [0, ${weight}]` };
    }
    return null;
  };
  const range = inRange('total', tree.total);
  if (range) return range;
  for (const first of tree.children) {
    const p = inRange(first.key, first.weight);
    if (p) return p;
    for (const second of first.children) {
      const q = inRange(second.key, second.weight);
      if (q) return q;
    }
  }
  for (const first of tree.children) {
    const sum = first.children.reduce((s, c) => s + values[c.key], 0);
    if (Math.abs(sum - values[first.key]) > SCORE_SUM_TOL) {
      const parts = first.children.map((c) => c.key).join(' + ');
      return { column: first.key, message: `${first.key} is ${values[first.key]} but ${parts} = ${sum}` };
    }
  }
  const total = tree.children.reduce((s, c) => s + values[c.key], 0);
  if (Math.abs(total - values.total) > SCORE_SUM_TOL) {
    return { column: 'total', message: `total is ${values.total} but the five first-level scores sum to ${total}` };
  }
  return null;
}
