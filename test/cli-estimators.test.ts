/**
 * `cscs fit --estimator tobit|ologit|oprobit|qreg` and `cscs boottest` end to end: spawns
 * `node bin/cscs.mjs ... --json` and compares every number with the R references the estimators'
 * own tests use (test/fixtures/tobit: AER::tobit + sandwich; test/fixtures/ordered: MASS::polr
 * polished, accurate Hessian; test/fixtures/quantreg: quantreg::rq + summary.rq;
 * test/fixtures/wildBootstrap: a brute-force R bootstrap), each with its R script beside it.
 * Then the tables (FE dummies hidden and counted) and the bad-option cases: exit code 1, one line.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cscs, inputErrorMessage } from './helpers.ts';
import { fitCommand, parseFitArgs } from '../src/cli/fit.ts';
import { parseBoottestArgs } from '../src/cli/boottest.ts';

const fixture = (dir: string, file: string) => JSON.parse(readFileSync(new URL(`./fixtures/${dir}/${file}`, import.meta.url), 'utf8'));
const tobitRef = fixture('tobit', 'tobit-reference.json');
const orderedRef = fixture('ordered', 'ordered-reference.json');
const rqRef = fixture('quantreg', 'quantreg-reference.json');
const wcbRef = fixture('wildBootstrap', 'reference.json');

/** R: qnorm(0.975). */
const Z975 = 1.959963984540054;

/** Largest relative difference per quantity, printed at the end (the README quotes them). */
const worst: Record<string, number> = {};
function rel(what: string, got: number | null, want: number, scale = Math.abs(want), tol = 1e-8): void {
  expect(got, what).not.toBeNull();
  const r = Math.abs((got as number) - want) / Math.max(scale, 1e-300);
  const kind = what.split(' ')[0];
  worst[kind] = Math.max(worst[kind] ?? 0, r);
  expect(r, `${what}: ${got} vs R ${want}`).toBeLessThanOrEqual(tol);
}
/** Covariances relative to sqrt(V_ii V_jj), so near-zero off-diagonal entries are judged on the scale of the SEs. */
function relVcov(what: string, got: (number | null)[][], want: number[][], tol = 1e-8): void {
  expect(got.length).toBe(want.length);
  want.forEach((rowW, i) => rowW.forEach((v, j) => rel(what, got[i][j], v, Math.sqrt(want[i][i] * want[j][j]), tol)));
}

afterAll(() => {
  // eslint-disable-next-line no-console
  console.log('cscs CLI vs R, largest relative differences:', Object.fromEntries(Object.entries(worst).map(([k, v]) => [k, v.toExponential(1)])));
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function json(command: string, ...args: string[]): any {
  const r = cscs(command, ...args, '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('cscs fit --estimator tobit equals AER::tobit', () => {
  const byId = (id: string) => tobitRef.models.find((m: { id: string }) => m.id === id);
  const args = (m: { data: string; formula: string; left: number | null; right: number | null }) => [
    '--data', `test/fixtures/tobit/${m.data}`, '--formula', m.formula, '--estimator', 'tobit',
    ...(m.left === null ? [] : ['--left', String(m.left)]), ...(m.right === null ? [] : ['--right', String(m.right)]),
  ];

  it('FE as dummies, left-censored: coefficients, Hessian vcov, z, p, CI, sigma, logLik, counts', () => {
    const m = byId('affairs_fe');
    const out = json('fit', ...args(m));
    expect(out.estimator).toBe('tobit');
    expect(out.coefficients.map((c: { term: string }) => c.term)).toEqual(m.terms);
    expect(out.fe_dummies).toEqual(['religiousness::2', 'religiousness::3', 'religiousness::4', 'religiousness::5']);
    expect(out.fixed_effects).toEqual([{ name: 'religiousness', dummies: 4 }]);
    expect([out.n, out.n_left, out.n_right, out.n_uncensored]).toEqual([m.n, m.n_left, m.n_right, m.n - m.n_left - m.n_right]);
    expect([out.left, out.right, out.statistic, out.df, out.converged]).toEqual([0, null, 'z', null, true]);
    expect(out.vcov).toMatchObject({ type: 'hessian', cluster: [], n_clusters: null, stata_adjust: false });
    m.terms.forEach((t: string, j: number) => {
      const c = out.coefficients[j];
      rel(`coef ${t}`, c.estimate, m.coef[j]);
      rel(`se ${t}`, c.se, m.se[j]);
      rel(`stat ${t}`, c.stat, m.z[j]);
      rel(`p ${t}`, c.p, m.p[j]);
      rel(`ci ${t}`, c.ci_low, m.coef[j] - Z975 * m.se[j], m.se[j]);
      rel(`ci ${t}`, c.ci_high, m.coef[j] + Z975 * m.se[j], m.se[j]);
    });
    relVcov('vcov', out.vcov.matrix, m.vcov);
    rel('logLik', out.log_lik, m.logLik);
    rel('sigma', out.sigma, m.sigma);
    rel('sigma', out.sigma_se, m.sigma * m.se.at(-1));
  });

  it('two limits, --vcov robust --stata-adjust = sandwich(m) times n/(n-1)', () => {
    const m = byId('boston_left12_right50');
    const out = json('fit', ...args(m), '--vcov', 'robust', '--stata-adjust');
    expect(out.vcov).toMatchObject({ type: 'robust', stata_adjust: true });
    const f = m.n / (m.n - 1);
    relVcov('robust', out.vcov.matrix, m.robust.vcov.map((r: number[]) => r.map((v) => v * f)));
    m.coef.forEach((c: number, j: number) => rel('coef', out.coefficients[j].estimate, c));
  });

  it('--cluster = vcovCL(type = "HC0")', () => {
    const m = byId('affairs_left0');
    const out = json('fit', ...args(m), '--cluster', m.cluster.variable);
    expect(out.vcov).toMatchObject({ type: 'cluster', cluster: [m.cluster.variable], n_clusters: [m.cluster.G] });
    relVcov('cluster', out.vcov.matrix, m.cluster.hc0.vcov);
    m.cluster.hc0.se.forEach((s: number, j: number) => rel('cluster', out.coefficients[j].se, s));
  });

  it('the table hides the FE dummies, counts them, puts _cons last and log(sigma), sigma apart', () => {
    const m = byId('affairs_fe');
    const r = cscs('fit', ...args(m));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^Tobit regression {32}Number of obs {5}= {8}601$/);
    expect(r.stdout).not.toContain('religiousness::');
    expect(r.stdout).toContain('Fixed effect as dummies (not shown; in --json): religiousness (4 dummies)\n');
    expect(lines.find((l) => l.includes(' | '))).toMatch(/affairs \|\s+Coef\.\s+Std\. Err\.\s+z\s+P>\|z\|\s+\[95% Conf\. Interval\]$/);
    const names = lines.filter((l) => / \| /.test(l)).map((l) => l.split('|')[0].trim());
    expect(names).toEqual(['affairs', 'age', 'yearsmarried', 'rating', 'children::yes', '_cons', '/log(sigma)', '/sigma']);
    // Printed numbers are R's to the 7 significant digits of Stata's %9.0g: age -.151766 (R -0.1517660...).
    const age = lines.find((l) => l.trim().startsWith('age |'))!;
    const [coef, se] = age.split('|')[1].trim().split(/\s+/).map(Number);
    expect(Math.abs(coef - m.coef[1])).toBeLessThan(5e-7);
    expect(Math.abs(se - m.se[1])).toBeLessThan(5e-8);
    expect(r.stdout).toContain(`Log likelihood    = ${m.logLik.toFixed(5)}`);
  });
});

describe('cscs fit --estimator ologit|oprobit equals MASS::polr (polished)', () => {
  it('ologit, text outcome ordered by --levels, frequency --weights: coefficients, cut points, Hessian vcov, p, CI', () => {
    const r = orderedRef.housingLogit;
    const out = json('fit', '--data', 'test/fixtures/ordered/housing.csv', '--formula', 'Sat ~ i(Infl) + i(Type) + i(Cont)', '--estimator', 'ologit', '--levels', 'Low,Medium,High', '--weights', 'Freq');
    expect([out.estimator, out.link, out.n, out.weights, out.weight_sum]).toEqual(['ologit', 'logit', 72, 'Freq', r.weightSum]);
    expect(out.categories).toEqual(['Low', 'Medium', 'High']);
    expect(out.counts).toEqual(['Low', 'Medium', 'High'].map((c) => orderedRef.housingCounts[c]));
    expect(out.coefficients.map((c: { term: string }) => c.term)).toEqual(r.terms);
    expect(out.cutpoints.map((c: { term: string }) => c.term)).toEqual(['Low|Medium', 'Medium|High']);
    r.terms.forEach((t: string, j: number) => {
      const c = out.coefficients[j];
      rel(`coef ${t}`, c.estimate, r.coef[j]);
      rel(`se ${t}`, c.se, r.se[j]);
      rel(`p ${t}`, c.p, r.p[j]);
      rel(`ci ${t}`, c.ci_low, r.ciLow[j]);
      rel(`ci ${t}`, c.ci_high, r.ciHigh[j]);
      rel(`stat ${t}`, c.stat, r.coef[j] / r.se[j]);
    });
    relVcov('vcov', out.vcov.matrix, r.vcov);
    rel('logLik', out.log_lik, r.logLik);
  });

  it('oprobit, numeric outcome 1/2/3/10, FE dummies, missing rows, --cluster: the G/(G-1) cluster sandwich', () => {
    const r = orderedRef.simProbit;
    const out = json('fit', '--data', 'test/fixtures/ordered/sim.csv', '--formula', 'y ~ x1 + x2 + i(g) | industry + city', '--estimator', 'oprobit', '--cluster', 'region');
    expect([out.link, out.n, out.missing_dropped]).toEqual(['probit', r.n, 3]);
    expect(out.categories).toEqual(['1', '2', '3', '10']);
    expect(out.vcov).toMatchObject({ type: 'cluster', cluster: ['region'], n_clusters: [r.cluster.G] });
    expect(out.fixed_effects).toEqual([{ name: 'industry', dummies: 5 }, { name: 'city', dummies: 3 }]);
    expect(out.coefficients.map((c: { term: string }) => c.term)).toEqual(r.terms);
    r.terms.forEach((t: string, j: number) => {
      rel(`coef ${t}`, out.coefficients[j].estimate, r.coef[j]);
      rel(`cluster ${t}`, out.coefficients[j].se, r.cluster.se[j]);
    });
  });
});

describe('cscs fit --estimator qreg equals quantreg::rq + summary.rq', () => {
  const ourName = (t: string) => t.replace(/^factor\((\w+)\)/, '$1::');
  const check = (c: { terms: string[]; coef: number[]; rho: number; n: number; p: number; qt975: number }, s: { se: number[]; t: number[]; p: number[]; cov: number[] | null; bandwidth: number }, out: any) => {
    expect(out.coefficients.map((x: { term: string }) => x.term)).toEqual(c.terms.map(ourName));
    expect([out.n, out.df, out.statistic]).toEqual([c.n, c.n - c.p, 't']);
    c.terms.forEach((t, j) => {
      const x = out.coefficients[j];
      rel(`coef ${t}`, x.estimate, c.coef[j]);
      rel(`se ${t}`, x.se, s.se[j]);
      rel(`stat ${t}`, x.stat, s.t[j]);
      expect(Math.abs(x.p - s.p[j]), `p ${t}`).toBeLessThanOrEqual(1e-12);
      rel(`ci ${t}`, x.ci_high - x.estimate, c.qt975 * s.se[j]);
      rel(`ci ${t}`, x.estimate - x.ci_low, c.qt975 * s.se[j]);
    });
    if (s.cov) relVcov('vcov', out.vcov.matrix, Array.from({ length: c.p }, (_, i) => s.cov!.slice(i * c.p, (i + 1) * c.p)));
    rel('objective', out.objective, c.rho);
    rel('bandwidth', out.bandwidth, s.bandwidth);
  };

  it('median regression with industry and city FE as dummies (44 columns, non-unique), se = "nid"', () => {
    const c = rqRef.cases.find((x: { id: string }) => x.id === 'synth414-0.5');
    const out = json('fit', '--data', 'test/fixtures/quantreg/synth414.csv', '--formula', c.formula, '--estimator', 'qreg', '--tau', '0.5', '--se', 'nid');
    check(c, c.se.nid, out);
    expect([out.tau, out.vcov.type, out.bandwidth_rule, out.non_unique, out.non_positive_densities]).toEqual([0.5, 'nid', 'hall-sheather', true, 11]);
    expect(out.fe_dummies).toHaveLength(17 + 23);
  });

  it('tau = 0.75, factor dummies, se = "ker" with the Bofinger bandwidth', () => {
    const c = rqRef.cases.find((x: { id: string }) => x.id === 'cps1985-0.75');
    const out = json('fit', '--data', 'test/fixtures/quantreg/cps1985.csv', '--formula', c.formula, '--estimator', 'qreg', '--tau', '0.75', '--se', 'ker', '--bandwidth', 'bofinger');
    check(c, c.se['ker-bofinger'], out);
    expect([out.vcov.type, out.bandwidth_rule, out.non_positive_densities]).toEqual(['ker', 'bofinger', null]);
    expect(out.kernel_bandwidth).toBeGreaterThan(0);
  });

  it('the table hides the FE dummies and notes the non-unique solution', () => {
    const r = cscs('fit', '--data', 'test/fixtures/quantreg/synth414.csv', '--formula', 'y ~ x1 + x2 + x3 | industry + city', '--estimator', 'qreg');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^Median regression {2,}Number of obs {5}= {8}414$/);
    const names = r.stdout.split('\n').filter((l) => / \| /.test(l)).map((l) => l.split('|')[0].trim());
    expect(names).toEqual(['y', 'x1', 'x2', 'x3', '_cons']);
    expect(r.stdout).toContain('Fixed effect as dummies (not shown; in --json): industry (17 dummies)\n');
    expect(r.stdout).toContain('Fixed effect as dummies (not shown; in --json): city (23 dummies)\n');
    expect(r.stdout).toContain('note: the solution may be non-unique');
    expect(r.stdout).toContain('note: 11 non-positive density estimates set to 0');
  });
});

describe('cscs boottest equals the brute-force R wild cluster bootstrap', () => {
  const data = 'test/fixtures/wildBootstrap/data.csv';
  for (const key of ['A', 'B'] as const) {
    const m = wcbRef.models[key];
    it(`model ${key}: ${m.formula}, H0 ${m.param} = ${m.h0}, G = ${m.G}, enumerated`, () => {
      const out = json('boottest', '--data', data, '--formula', m.formula, '--cluster', m.cluster, '--param', m.param, '--h0', String(m.h0));
      expect([out.G, out.B, out.enumerated, out.weights, out.seed]).toEqual([m.G, m.B, true, 'rademacher', null]);
      rel('coef', out.coef, m.coef);
      rel('se', out.se, m.se);
      rel('stat', out.t, m.t);
      // Counts over all 2^G draws: exact.
      expect(out.p * out.B).toBe(m.count_ge);
      expect(out.ties).toBe(m.ties);
      expect(out.p_strict).toBe(m.p_boottest);
      rel('ci', out.ci_low, m.ciLow);
      rel('ci', out.ci_high, m.ciHigh);
    });
  }

  it('the text report at --level 90 (model A90) shows R\'s interval, p and ties; no progress off a terminal', () => {
    const m = wcbRef.models.A90;
    const r = cscs('boottest', '--data', data, '--formula', m.formula, '--cluster', m.cluster, '--param', m.param, '--level', '90');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const line = (k: string) => r.stdout.split('\n').find((l) => l.trim().startsWith(k))!;
    const [lo, hi] = /\[(.*), (.*)\]/.exec(line('90% CI (test inversion)'))!.slice(1).map(Number);
    expect(Math.abs(lo - m.ciLow)).toBeLessThan(5e-7 * Math.abs(m.ciLow) + 1e-12);
    expect(Math.abs(hi - m.ciHigh)).toBeLessThan(5e-7 * Math.abs(m.ciHigh));
    expect(line('p, bootstrap')).toContain(m.p.toFixed(4));
    expect(line("p, |t*| > |t|")).toContain(`${m.p_boottest.toFixed(4)} (${m.ties} ties)`);
    expect(line('Draws')).toContain(`${m.B} (all 2^${m.G} Rademacher sign vectors enumerated`);
  });
});

describe('bad options: exit code 1 and one line naming the option (spawned)', () => {
  const aff = ['--data', 'test/fixtures/tobit/Affairs.csv', '--formula', 'affairs ~ age + rating'];
  const cases: [string, string, string[], RegExp][] = [
    ['option of another estimator', 'fit', [...aff, '--estimator', 'tobit', '--left', '0', '--tau', '0.5'], /^cscs fit: error: --tau does not apply to --estimator tobit \(it is an option of qreg\)$/],
    ['tobit without a limit', 'fit', [...aff, '--estimator', 'tobit'], /^cscs fit: error: --estimator tobit needs a censoring limit: --left N and\/or --right N$/],
    ['--tau outside (0, 1)', 'fit', [...aff, '--estimator', 'qreg', '--tau', '1.5'], /^cscs fit: error: --tau: expected a quantile strictly between 0 and 1, got '1\.5'$/],
    ['--weights with tobit', 'fit', [...aff, '--estimator', 'tobit', '--left', '0', '--weights', 'age'], /^cscs fit: error: --weights does not apply to --estimator tobit/],
    ['--weights still refused for OLS', 'fit', [...aff, '--weights', 'age'], /^cscs fit: error: --weights: weighted least squares is not supported/],
    ['unknown estimator', 'fit', [...aff, '--estimator', 'logit'], /^cscs fit: error: --estimator: unknown estimator 'logit' \(use ols, tobit, ologit, oprobit or qreg\)$/],
    ['boottest: unknown parameter (engine check, file named)', 'boottest', ['--data', 'test/fixtures/wildBootstrap/data.csv', '--formula', 'y ~ x + w', '--cluster', 'city', '--param', 'z'], /^cscs boottest: error: test\/fixtures\/wildBootstrap\/data\.csv: wild bootstrap: unknown parameter 'z' \(the model has '\(Intercept\)', 'x', 'w'\)$/],
    ['boottest: missing --param', 'boottest', ['--data', 'test/fixtures/wildBootstrap/data.csv', '--formula', 'y ~ x', '--cluster', 'city'], /^cscs boottest: error: missing --param NAME/],
  ];
  for (const [name, command, args, msg] of cases) {
    it(name, () => {
      const r = cscs(command, ...args);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(msg);
    });
  }
});

describe('bad options (parsed in process)', () => {
  const base = ['--data', 'd.csv', '--formula', 'y ~ x'];
  const fit = (...a: string[]) => inputErrorMessage(() => parseFitArgs([...base, ...a]));
  const boot = (...a: string[]) => inputErrorMessage(() => parseBoottestArgs([...base, '--cluster', 'g', '--param', 'x', ...a]));
  it('each estimator-specific option is refused for the others, naming both', () => {
    expect(fit('--left', '0')).toBe('--left does not apply to --estimator ols (it is an option of tobit)');
    expect(fit('--estimator', 'qreg', '--vcov', 'robust')).toBe('--vcov does not apply to --estimator qreg (it is an option of ols, tobit, ologit, oprobit)');
    expect(fit('--estimator', 'qreg', '--cluster', 'g')).toMatch(/^--cluster does not apply to --estimator qreg/);
    expect(fit('--estimator', 'tobit', '--right', '1', '--fe-dummies')).toBe('--fe-dummies does not apply to --estimator tobit (it is an option of ols)');
    expect(fit('--estimator', 'ologit', '--se', 'iid')).toBe('--se does not apply to --estimator ologit (it is an option of qreg)');
    expect(fit('--estimator', 'tobit', '--left', '0', '--levels', 'a,b')).toBe('--levels does not apply to --estimator tobit (it is an option of ologit, oprobit)');
    expect(fit('--stata-adjust')).toBe('--stata-adjust does not apply to --estimator ols (it is an option of tobit, ologit, oprobit)');
    expect(fit('--estimator', 'qreg', '--pweight=w')).toBe('--pweight does not apply to --estimator qreg (frequency weights: --estimator ologit or oprobit only)');
  });
  it('values are checked and the messages name the option', () => {
    expect(fit('--estimator', 'tobit', '--left', 'zero')).toBe("--left: expected a number, got 'zero'");
    expect(fit('--estimator', 'tobit', '--left', '5', '--right', '4')).toBe('--left (5) must be below --right (4)');
    expect(fit('--estimator', 'tobit', '--left', '0', '--vcov', 'HC1')).toBe("--vcov: unknown type 'HC1' for --estimator tobit (use hessian or robust)");
    expect(fit('--estimator', 'tobit', '--left', '0', '--stata-adjust')).toBe('--stata-adjust applies to --vcov robust only (N/(N-1) of Stata vce(robust))');
    expect(fit('--estimator', 'tobit', '--left', '0', '--vcov', 'robust', '--cluster', 'g')).toMatch(/^use either --vcov or --cluster, not both/);
    expect(fit('--estimator', 'oprobit', '--cluster', 'a+b')).toMatch(/^--cluster: --estimator oprobit takes one cluster variable, got 'a\+b'/);
    expect(fit('--estimator', 'ologit', '--levels', 'a,,b')).toMatch(/^--levels: empty category in 'a,,b'/);
    expect(fit('--estimator', 'qreg', '--tau', '0')).toBe("--tau: expected a quantile strictly between 0 and 1, got '0'");
    expect(fit('--estimator', 'qreg', '--tau', '')).toBe("--tau: expected a quantile strictly between 0 and 1, got ''");
    expect(fit('--estimator', 'qreg', '--se', 'rank')).toBe("--se: unknown type 'rank' (use nid, iid or ker)");
    expect(fit('--estimator', 'qreg', '--bandwidth', 'hs')).toBe("--bandwidth: unknown rule 'hs' (use hall-sheather or bofinger)");
    expect(boot('--B', '0')).toBe("--B: expected a whole number >= 1, got '0'");
    expect(boot('--B', '99.5')).toBe("--B: expected a whole number >= 1, got '99.5'");
    expect(boot('--weights', 'mammen')).toBe("--weights: unknown type 'mammen' (use rademacher or webb)");
    expect(boot('--enumerate', 'maybe')).toBe("--enumerate: expected auto, yes or no, got 'maybe'");
    expect(boot('--enumerate', 'yes', '--weights', 'webb')).toMatch(/^--enumerate yes needs --weights rademacher/);
    expect(boot('--h0', '1e')).toBe("--h0: expected a number, got '1e'");
    expect(boot('--seed', '-1')).toBe("--seed: expected a whole number >= 0, got '-1'");
    expect(boot('--level', '100')).toMatch(/^--level: expected a confidence level/);
    expect(inputErrorMessage(() => parseBoottestArgs([...base, '--param', 'x']))).toMatch(/^missing --cluster G/);
    expect(inputErrorMessage(() => parseBoottestArgs([...base, '--cluster', 'a+b', '--param', 'x']))).toMatch(/^--cluster: the wild cluster bootstrap takes one cluster variable/);
  });
  it("engine messages name the file and the flag the user typed (the engine's option 'levels' is --levels)", () => {
    const run = (...a: string[]) => inputErrorMessage(() => fitCommand(parseFitArgs(a)!));
    expect(run('--data', 'test/fixtures/ordered/housing.csv', '--formula', 'Sat ~ i(Infl)', '--estimator', 'ologit', '--levels', 'Low,Medium')).toBe(
      "test/fixtures/ordered/housing.csv, row 3, column 'Sat': outcome 'High' is not one of the categories in --levels ('Low', 'Medium')",
    );
    expect(run('--data', 'test/fixtures/tobit/Affairs.csv', '--formula', 'affairs ~ age', '--estimator', 'tobit', '--left', '20')).toMatch(
      /^test\/fixtures\/tobit\/Affairs\.csv: tobit: every observation of 'affairs' is censored \(left = 20\)/,
    );
    expect(run('--data', 'test/fixtures/ordered/housing.csv', '--formula', 'Sat ~ i(Infl)', '--estimator', 'oprobit', '--weights', 'Frq')).toBe(
      "--weights: unknown column 'Frq' (did you mean 'Freq'?) in test/fixtures/ordered/housing.csv",
    );
    expect(run('--data', 'test/fixtures/tobit/Affairs.csv', '--formula', 'affairs ~ age', '--estimator', 'tobit', '--left', '0', '--cluster', 'occupaton')).toBe(
      "--cluster: unknown column 'occupaton' (did you mean 'occupation'?) in test/fixtures/tobit/Affairs.csv",
    );
  });
  it('valid options become the estimator options', () => {
    expect(parseFitArgs([...base, '--estimator', 'TOBIT', '--right', '50', '--vcov', 'robust', '--stata-adjust', '--level', '90'])).toMatchObject({
      estimator: 'tobit',
      tobit: { left: null, right: 50, vcov: 'robust', stataAdjust: true, level: 0.9 },
    });
    expect(parseFitArgs([...base, '--estimator', 'oprobit', '--levels', 'Poor, Fair,Good', '--weights', 'w', '--cluster', 'g'])?.ordered).toEqual({
      link: 'probit', level: 0.95, levels: ['Poor', 'Fair', 'Good'], weights: 'w', cluster: 'g',
    });
    expect(parseFitArgs([...base, '--estimator', 'qreg', '--tau', '.25', '--se', 'IID', '--bandwidth', 'bofinger'])?.qreg).toEqual({ level: 0.95, tau: 0.25, se: 'iid', bandwidth: 'bofinger' });
    expect(parseBoottestArgs([...base, '--cluster', 'g', '--param', 'x', '--h0', '-0.5', '--B', '999', '--enumerate', 'no', '--seed', '7', '--weights', 'webb'])?.options).toEqual({
      cluster: 'g', param: 'x', h0: -0.5, weights: 'webb', B: 999, enumerate: false, seed: 7, level: 0.95,
    });
  });
});
