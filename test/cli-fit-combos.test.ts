/**
 * `cscs fit --json` on option combinations the per-dataset reference tests do not cover, against R
 * 4.2 (lm with factor dummies; sandwich 3.x vcovHC / vcovCL with type = "HC1", which is Stata's
 * vce(cluster) CR1 factor G/(G-1)·(N-1)/(N-K) with K counting every FE level).
 *
 * R code (options(digits = 17)); `pr` prints coef(m)[terms] and sqrt(diag(V))[terms]:
 *   f  <- read.csv("Fatalities.csv"); mt <- read.csv("mtcars.csv")
 *   mm <- read.csv("mtcars_missing_cluster.csv"); cps <- read.csv("CPS1988.csv"); p <- read.csv("PetersenCL.csv")
 *   m <- lm(frate ~ beertax + factor(year) + factor(state), f)                       # A
 *     vcovCL(m, cluster = ~state, type = "HC1"); vcovHC(m, type = "HC1")
 *   s <- subset(mt, !(carb %in% c(6, 8))); m <- lm(mpg ~ wt + factor(carb), s)       # B: singletons dropped
 *     vcovCL(m, cluster = ~cyl, type = "HC1"); vcovHC(m, type = "HC3")
 *   m <- lm(mpg ~ wt + factor(cyl), mt); vcovHC(m, type = "HC2")                      # C: '- 1' with FE
 *   m <- lm(mpg ~ wt + hp, mm[!is.na(mm$cyl), ]); vcovCL(m, cluster = ~cyl, type = "HC1")        # E
 *   m <- lm(mpg ~ wt + hp, mm[!is.na(mm$cyl) & !is.na(mm$gear), ])
 *     vcovCL(m, cluster = ~cyl + gear, type = "HC1", multi0 = FALSE)                  # E2: two-way
 *   m <- lm(log_wage ~ education + experience + factor(ethnicity) + factor(region) + factor(smsa), cps)
 *     vcovHC(m, type = "HC1"); vcovCL(m, cluster = ~region + smsa, type = "HC1", multi0 = FALSE)  # D
 *   m <- lm(y ~ x + factor(firm), p); vcovCL(m, cluster = ~firm + year, type = "HC1", multi0 = FALSE)  # H
 */
import { describe, it } from 'vitest';
import { close, cscs, fitJson } from './helpers.ts';

const CLI = 'test/fixtures/cli';
const REG = 'test/fixtures/regression';

interface Case {
  name: string;
  args: string[];
  n: number;
  /** Term -> [estimate, se] printed by R. */
  want: Record<string, [number, number]>;
  dropped?: { missing?: number; singletons?: number };
  nClusters?: number[];
}

const cases: Case[] = [
  {
    name: 'factor() + absorbed FE, clustered by the FE (A)',
    args: ['--data', `${CLI}/Fatalities.csv`, '--formula', 'frate ~ beertax + factor(year) | state', '--cluster', 'state'],
    n: 336,
    want: {
      beertax: [-0.63997998570686776, 0.385786721792343412],
      'year::1983': [-0.079902868579648914, 0.037906900235984781],
      'year::1988': [-0.051803805134212295, 0.069580072539656201],
    },
    nClusters: [48],
  },
  {
    name: 'factor() + absorbed FE, HC1 (A)',
    args: ['--data', `${CLI}/Fatalities.csv`, '--formula', 'frate ~ beertax + factor(year) | state', '--vcov', 'HC1'],
    n: 336,
    want: { beertax: [-0.63997998570686776, 0.254714892146026828], 'year::1983': [-0.079902868579648914, 0.050270753337886359] },
  },
  {
    name: 'absorbed FE, singletons dropped, clustered (B)',
    args: ['--data', `${CLI}/mtcars.csv`, '--formula', 'mpg ~ wt | carb', '--drop-singletons', '--cluster', 'cyl'],
    n: 30,
    want: { wt: [-4.6147674960270386, 1.0033942590791158] },
    dropped: { singletons: 2 },
    nClusters: [3],
  },
  {
    name: 'absorbed FE, singletons dropped, HC3 (B)',
    args: ['--data', `${CLI}/mtcars.csv`, '--formula', 'mpg ~ wt | carb', '--drop-singletons', '--vcov', 'HC3'],
    n: 30,
    want: { wt: [-4.6147674960270386, 0.77628703991291104] },
    dropped: { singletons: 2 },
  },
  {
    name: "'- 1' with absorbed FE is the same model (C)",
    args: ['--data', `${CLI}/mtcars.csv`, '--formula', 'mpg ~ wt - 1 | cyl', '--vcov', 'HC2'],
    n: 32,
    want: { wt: [-3.2056132561928634, 0.68060657447820727] },
  },
  {
    name: 'missing values in the cluster variable drop their rows (E)',
    args: ['--data', `${CLI}/mtcars_missing_cluster.csv`, '--formula', 'mpg ~ wt + hp', '--cluster', 'cyl'],
    n: 30,
    want: { wt: [-3.916172955282566814, 0.7283456542609464401], hp: [-0.032539842517672536, 0.0054898427323778259] },
    dropped: { missing: 2 },
    nClusters: [3],
  },
  {
    name: "two-way clusters, missing in either ('' and NA) drop the row (E2)",
    args: ['--data', `${CLI}/mtcars_missing_cluster.csv`, '--formula', 'mpg ~ wt + hp', '--cluster', 'cyl+gear'],
    n: 29,
    want: { wt: [-3.915439797201619943, 0.81881746547936296], hp: [-0.032601592432645286, 0.00226589146381148] },
    dropped: { missing: 3 },
    nClusters: [3, 3],
  },
  {
    name: 'string factor() + two string FE, HC1 (D)',
    args: ['--data', `${REG}/CPS1988.csv`, '--formula', 'log_wage ~ education + experience + factor(ethnicity) | region + smsa', '--vcov', 'HC1'],
    n: 28155,
    want: {
      education: [0.096889734981422601, 0.0013904332516227959],
      experience: [0.019604528508626196, 0.00036766502695242747],
      'ethnicity::cauc': [0.241384643567806895, 0.01392645109212046518],
    },
  },
  {
    name: 'two-way clusters on two string FE (D)',
    args: ['--data', `${REG}/CPS1988.csv`, '--formula', 'log_wage ~ education + experience + factor(ethnicity) | region + smsa', '--cluster', 'region+smsa'],
    n: 28155,
    want: { education: [0.096889734981422601, 0.0054533625903950313], experience: [0.019604528508626196, 0.0014387332919159033] },
    nClusters: [4, 2],
  },
  {
    name: 'two-way clusters, one of them the absorbed FE (H)',
    args: ['--data', `${REG}/PetersenCL.csv`, '--formula', 'y ~ x | firm', '--cluster', 'firm+year'],
    n: 5000,
    want: { x: [0.96987486895481079, 0.030571392733091018] },
    nClusters: [500, 10],
  },
];

describe('HC2/HC3 with leverage-1 rows (FE singletons kept)', () => {
  // R's vcovHC returns NaN on the full sample (hat values 1 for the carb = 6 and carb = 8 rows).
  // Those rows have residual 0 and demeaned wt 0, so giving them no weight equals R on the subset
  // without them: s <- subset(mtcars, !(carb %in% c(6, 8))); m <- lm(mpg ~ wt + factor(carb), s)
  //   sqrt(diag(vcovHC(m, type = "HC2")))["wt"] = 0.69836187039938336
  //   sqrt(diag(vcovHC(m, type = "HC3")))["wt"] = 0.77628703991291104
  for (const [type, se] of [['HC2', 0.69836187039938336], ['HC3', 0.77628703991291104]] as const) {
    it(`${type}: SE equals R on the subset, the rows are counted and noted`, ({ expect }) => {
      const args = ['--data', `${CLI}/mtcars.csv`, '--formula', 'mpg ~ wt | carb', '--vcov', type];
      const out = fitJson(...args);
      expect(out.n).toBe(32);
      expect(out.leverage_one_rows).toBe(2);
      close(out.coefficients[0].se, se, `wt se ${type}`);
      const table = cscs('fit', ...args).stdout;
      expect(table).toContain(`note: 2 obs. with leverage 1 (e.g. FE singletons) get no weight in ${type} (R's sandwich: NaN)\n`);
    });
  }
  it('HC1 reports no leverage count (null in JSON)', ({ expect }) => {
    expect(fitJson('--data', `${CLI}/mtcars.csv`, '--formula', 'mpg ~ wt | carb', '--vcov', 'HC1').leverage_one_rows).toBeNull();
  });
});

describe('cscs fit option combinations equal R', () => {
  for (const c of cases) {
    it(c.name, ({ expect }) => {
      const out = fitJson(...c.args);
      expect(out.n).toBe(c.n);
      expect(out.missing_dropped).toBe(c.dropped?.missing ?? 0);
      expect(out.singletons_dropped).toBe(c.dropped?.singletons ?? 0);
      if (c.nClusters) expect(out.vcov.n_clusters).toEqual(c.nClusters);
      for (const [term, [est, se]] of Object.entries(c.want)) {
        const got = out.coefficients.find((x: { term: string }) => x.term === term);
        expect(got, term).toBeDefined();
        close(got.estimate, est, `${term} estimate`);
        close(got.se, se, `${term} se`);
      }
    });
  }
});
