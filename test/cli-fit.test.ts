/**
 * `cscs fit` end to end: spawns `node bin/cscs.mjs fit ... --json` on mtcars (R's datasets::mtcars,
 * copied with its R reference values from the shared reference set) and compares every number with
 * R (lm, sandwich::vcovHC / vcovCL) within 1e-8 relative; then checks each bad-input case's exit
 * code and one-line message.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { close, cscs as runCli, fitJson } from './helpers.ts';

const FIX = 'test/fixtures/cli';
const loadRef = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/cli/${name}.json`, import.meta.url), 'utf8'));
const ref = loadRef('mtcars');

/** R: qt(0.975, df) (and qt(0.95, 29)), printed with 17 digits. */
const QT975: Record<number, number> = {
  2: 4.3026527297494619,
  6: 2.4469118511449688,
  27: 2.051830516480285,
  28: 2.0484071417952445,
  29: 2.0452296421327034,
  41: 2.0195409704413754,
  43: 2.0166921992278239,
  47: 2.0117405137297655,
  281: 1.9684420918340826,
  287: 1.9682641128218079,
};
const QT95_29 = 1.6991270265334975;

const cscs = (...args: string[]) => runCli('fit', ...args);

/** Command-line flags of a reference vcov name. */
function vcovArgs(name: string): string[] {
  if (name === 'classical') return ['--vcov', 'iid'];
  if (name.startsWith('HC')) return ['--vcov', name];
  return ['--cluster', name.slice(3).replace('_', '+')];
}

describe.each(['mtcars', 'swiss', 'Fatalities'])('cscs fit --json equals R on %s', (dataset) => {
  for (const m of loadRef(dataset).models) {
    const formula = m.fixed_effects.length ? `${m.formula} | ${m.fixed_effects.join(' + ')}` : m.formula;
    for (const feDummies of m.fixed_effects.length ? [false, true] : [false]) {
      for (const [vname, v] of Object.entries<any>(m.vcov)) {
        it(`${m.id} ${vname}${feDummies ? ' --fe-dummies' : ''}`, () => {
          const out = fitJson('--data', `${FIX}/${dataset}.csv`, '--formula', formula, ...vcovArgs(vname), ...(feDummies ? ['--fe-dummies'] : []));
          expect(out.n).toBe(m.n);
          expect(out.k).toBe(m.k);
          expect(out.df_resid).toBe(m.df_resid);
          expect(out.vcov.df).toBe(v.df);
          expect(out.missing_dropped).toBe(0);
          if (!feDummies) expect(out.coefficients.map((c: any) => c.term)).toEqual(m.terms);
          m.terms.forEach((term: string, i: number) => {
            const c = out.coefficients.find((x: any) => x.term === term);
            close(c.estimate, m.coefficients[i], `${term} estimate`);
            close(c.se, v.se[i], `${term} se`);
            close(c.t, v.t[i], `${term} t`);
            close(c.p, v.p[i], `${term} p`);
            close(c.ci_low, m.coefficients[i] - QT975[v.df] * v.se[i], `${term} ci_low`);
            close(c.ci_high, m.coefficients[i] + QT975[v.df] * v.se[i], `${term} ci_high`);
          });
          close(out.r2, m.r_squared, 'r2');
          close(out.adj_r2, m.adj_r_squared, 'adj_r2');
          close(out.rmse, m.sigma, 'rmse');
          if (m.fixed_effects.length && !feDummies) close(out.r2_within, m.within_r_squared, 'r2_within');
          if (!m.fixed_effects.length) expect(out.r2_within).toBeNull();
          if (!feDummies) {
            close(out.f, v.wald_f ? v.wald_f.value : null, 'F');
            if (v.wald_f) close(out.f_p, v.wald_f.p, 'F p');
          } else if (vname === 'classical') {
            // With FE dummies the F also tests the dummies, as summary.lm (and Stata regress y x i.fe) do.
            close(out.f, m.f_statistic.value, 'F');
            close(out.f_p, m.f_statistic.p, 'F p');
          }
          expect(out.fixed_effects).toEqual(m.fixed_effects.map((f: string) => ({ name: f, levels: m.fe_levels[f] })));
          if (vname.startsWith('CL_')) {
            const cl = vname.slice(3).split('_');
            expect(out.vcov).toMatchObject({ type: 'CL', cluster: cl, n_clusters: cl.map((c) => m.clusters[c]) });
          }
        });
      }
    }
  }

});

describe('cscs fit options', () => {
  it('--level 0.90 (and Stata-style 90) moves the intervals to qt(0.95, df)', () => {
    const m = ref.models[0];
    for (const level of ['0.90', '90']) {
      const out = fitJson('--data', `${FIX}/mtcars.csv`, '--formula', m.formula, '--level', level);
      expect(out.level).toBe(0.9);
      m.terms.forEach((term: string, i: number) => {
        const c = out.coefficients[i];
        close(c.ci_low, m.coefficients[i] - QT95_29 * m.vcov.classical.se[i], `${term} ci_low`);
      });
    }
  });

  it('output is byte-identical across runs', () => {
    const args = ['--data', `${FIX}/mtcars.csv`, '--formula', 'mpg ~ wt + i(gear) | cyl', '--cluster', 'cyl'];
    expect(cscs(...args).stdout).toBe(cscs(...args).stdout);
    expect(cscs(...args, '--json').stdout).toBe(cscs(...args, '--json').stdout);
  });
});

describe('cscs fit table', () => {
  it('prints a Stata-like table with R numbers (mpg ~ wt + hp)', () => {
    const r = cscs('--data', `${FIX}/mtcars.csv`, '--formula', 'mpg ~ wt + hp');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(r.stdout).toMatch(/Number of obs +=\s+32\n/);
    expect(r.stdout).toMatch(/F\(2, 29\) +=\s+69\.21\n/); // R: 69.21121
    expect(r.stdout).toMatch(/R-squared +=\s+0\.8268\n/); // R: 0.8267855
    expect(lines).toContain('         mpg |      Coef.   Std. Err.      t    P>|t|     [95% Conf. Interval]');
    // R: coef -3.877831, se 0.6327335, t -6.129, p 1.12e-06, CI -5.171916 -2.583745 (confint(lm))
    expect(lines).toContain('          wt |  -3.877831   .6327335    -6.13   0.000    -5.171916   -2.583745');
    expect(lines).toContain('       _cons |   37.22727   1.598788    23.28   0.000     33.95738    40.49716');
  });

  it('notes collinear terms and missing rows (R: lm drops x2 = 2x, 2 rows deleted)', () => {
    const r = cscs('--data', `${FIX}/collinear.csv`, '--formula', 'y ~ x + x2 + w');
    expect(r.code).toBe(0);
    // R summary(lm): x 0.6483516484 (se 0.2646504303, t 2.44984, p 0.13394), sigma 0.7983499, F 6.844827586 on 2 and 2 DF
    expect(r.stdout).toContain('           x |   .6483516   .2646504     2.45   0.134');
    expect(r.stdout).toMatch(/Root MSE +=\s+\.79835\n/);
    expect(r.stdout).toMatch(/F\(2, 2\) +=\s+6\.84\n/);
    expect(r.stdout).toContain('note: x2 omitted because of collinearity\n');
    expect(r.stdout).toContain('note: 2 observations dropped because of missing values\n');
    const j = JSON.parse(cscs('--data', `${FIX}/collinear.csv`, '--formula', 'y ~ x + x2 + w', '--json').stdout);
    expect(j.dropped).toEqual(['x2']);
    expect(j.missing_dropped).toBe(2);
    close(j.coefficients.find((c: any) => c.term === 'w').estimate, -0.5054945055, 'w', 1e-9);
  });

  it('notes clusters and absorbed FE', () => {
    const c = cscs('--data', `${FIX}/mtcars.csv`, '--formula', 'mpg ~ wt + am | cyl', '--cluster', 'gear');
    expect(c.stdout).toContain('Std. Err. adjusted for 3 clusters in gear');
    expect(c.stdout).toContain('Absorbed fixed effect: cyl (3 levels)');
    expect(c.stdout).toMatch(/Within R-sq\. +=/);
  });

  it('--help prints the usage and exits 0', () => {
    const r = cscs('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: cscs fit --data FILE\.csv --formula/);
  });
});

describe('cscs fit bad input: one line on stderr, exit 1, no stack trace', () => {
  const cases: [string, string[], RegExp][] = [
    ['missing file', ['--data', `${FIX}/nope.csv`, '--formula', 'y ~ x'], /^cscs fit: error: test\/fixtures\/cli\/nope\.csv: file not found$/],
    [
      'unknown column',
      ['--data', `${FIX}/mtcars.csv`, '--formula', 'mpg ~ wtt + hp'],
      /^cscs fit: error: formula: unknown column 'wtt' \(did you mean 'wt'\?\)$/,
    ],
    [
      'non-numeric cell',
      ['--data', `${FIX}/nonnumeric.csv`, '--formula', 'y ~ x'],
      /^cscs fit: error: test\/fixtures\/cli\/nonnumeric\.csv, row 3, column 'x': '12abc' is not a number \(numeric column required\)$/,
    ],
    [
      'empty sample',
      ['--data', `${FIX}/allmissing.csv`, '--formula', 'y ~ x + z'],
      /^cscs fit: error: test\/fixtures\/cli\/allmissing\.csv: no observations left after dropping 3 rows with missing values in 'y', 'x'$/,
    ],
    [
      'more parameters than rows',
      ['--data', `${FIX}/tiny.csv`, '--formula', 'y ~ x + z'],
      /^cscs fit: error: test\/fixtures\/cli\/tiny\.csv: the model has 3 parameters but only 2 observations$/,
    ],
    [
      'cluster variable with one group',
      ['--data', `${FIX}/onecluster.csv`, '--formula', 'y ~ x', '--cluster', 'firm'],
      /^cscs fit: error: test\/fixtures\/cli\/onecluster\.csv: cluster variable 'firm' has only one group \('A'\)/,
    ],
    [
      'unknown cluster column',
      ['--data', `${FIX}/mtcars.csv`, '--formula', 'mpg ~ wt', '--cluster', 'cyll'],
      /^cscs fit: error: --cluster: unknown column 'cyll' \(did you mean 'cyl'\?\) in test\/fixtures\/cli\/mtcars\.csv$/,
    ],
    [
      'CSV path given without --data',
      [`${FIX}/mtcars.csv`, '--formula', 'mpg ~ wt'],
      /^cscs fit: error: unexpected argument 'test\/fixtures\/cli\/mtcars\.csv' \(did you mean --data test\/fixtures\/cli\/mtcars\.csv\? options take the form --name value; see cscs fit --help\)$/,
    ],
    [
      'formula given without --formula',
      ['--data', `${FIX}/mtcars.csv`, 'mpg ~ wt'],
      /^cscs fit: error: unexpected argument 'mpg ~ wt' \(did you mean --formula "mpg ~ wt"\? options take the form --name value; see cscs fit --help\)$/,
    ],
    ['other positional argument', ['--data', `${FIX}/mtcars.csv`, '--formula', 'mpg ~ wt', 'robust'], /^cscs fit: error: unexpected argument 'robust' \(options take the form --name value; see cscs fit --help\)$/],
    ['unknown option', ['--data', `${FIX}/mtcars.csv`, '--formula', 'mpg ~ wt', '--robust'], /^cscs fit: error: unknown option '--robust' \(see cscs fit --help\)$/],
    ['missing --formula', ['--data', `${FIX}/mtcars.csv`], /^cscs fit: error: missing --formula \(e\.g\. --formula "y ~ x1 \+ x2"; see cscs fit --help\)$/],
    ['missing --data', ['--formula', 'y ~ x'], /^cscs fit: error: missing --data FILE\.csv/],
    ['bad --vcov', ['--data', `${FIX}/mtcars.csv`, '--formula', 'mpg ~ wt', '--vcov', 'HC4'], /^cscs fit: error: --vcov: unknown type 'HC4'/],
    ['option without value', ['--data', `${FIX}/mtcars.csv`, '--formula'], /^cscs fit: error: option '--formula' needs a value$/],
    ['bad --level', ['--data', `${FIX}/mtcars.csv`, '--formula', 'mpg ~ wt', '--level', '1.5'], /^cscs fit: error: --level: expected a confidence level/],
    [
      'formula syntax',
      ['--data', `${FIX}/mtcars.csv`, '--formula', 'mpg ~ wt + hp)'],
      /^cscs fit: error: formula: unexpected '\)' at position 14 \(expected '\+', '-', '\|' or end of formula\)$/,
    ],
    [
      'finite values whose squares overflow',
      ['--data', `${FIX}/overflow.csv`, '--formula', 'y ~ x'],
      /^cscs fit: error: test\/fixtures\/cli\/overflow\.csv: column 'x' has values as large as 1\.000e\+200, too large for double-precision sums of squares; rescale it$/,
    ],
    [
      'no residual degrees of freedom (engine check, file named)',
      ['--data', `${FIX}/exact.csv`, '--formula', 'y ~ x + z'],
      /^cscs fit: error: test\/fixtures\/cli\/exact\.csv: no residual degrees of freedom: 3 observations for 3 parameters$/,
    ],
    ['weights are not supported', ['--data', `${FIX}/mtcars.csv`, '--formula', 'mpg ~ wt', '--weights', 'hp'], /^cscs fit: error: --weights: weighted least squares is not supported/],
    ['pweight= spelling', ['--data', `${FIX}/mtcars.csv`, '--formula', 'mpg ~ wt', '--pweight=hp'], /^cscs fit: error: --pweight: weighted least squares is not supported/],
    ['empty --data', ['--data', '', '--formula', 'mpg ~ wt'], /^cscs fit: error: missing --data FILE\.csv/],
    ['semicolon CSV', ['--data', `${FIX}/semicolon.csv`, '--formula', 'y ~ x'], /^cscs fit: error: test\/fixtures\/cli\/semicolon\.csv: header looks semicolon-delimited/],
  ];
  for (const [name, args, msg] of cases) {
    it(name, () => {
      const r = cscs(...args);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.endsWith('\n')).toBe(true);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(msg);
    });
  }
});

describe('Stata-style number formats', async () => {
  const { fmtG, fmtF } = await import('../src/report/coefTable.ts');
  it('fmtG ~ %9.0g: 7 significant digits, no leading zero, exponent when tiny or huge', () => {
    expect(fmtG(-3.8778307424046807)).toBe('-3.877831');
    expect(fmtG(0.6327334943773952)).toBe('.6327335');
    expect(fmtG(-0.031772946982161)).toBe('-.0317729');
    expect(fmtG(0.009029709675855722)).toBe('.0090297');
    expect(fmtG(37.2272701164472)).toBe('37.22727');
    expect(fmtG(2.5)).toBe('2.5');
    expect(fmtG(1234567.89)).toBe('1234568');
    expect(fmtG(123456789)).toBe('1.23e+08');
    expect(fmtG(-1.5e-7)).toBe('-1.50e-07');
    expect(fmtG(NaN)).toBe('.');
    expect(fmtG(2.593411777226567, 9, 5)).toBe('2.5934');
    expect(fmtF(0.00012, 3)).toBe('0.000');
  });
  it('fmtF with a width switches to exponent form instead of overflowing the column', () => {
    // y = i exactly (perfect fit): t = 1/4.65e-16 would print as '2150630523702613.25'.
    expect(fmtF(2150630523702613.25, 2, 7)).toBe('2e+15');
    expect(fmtF(1.2676506002282285e31, 2, 10)).toBe('1.268e+31');
    expect(fmtF(-12.345, 2, 7)).toBe('-12.35');
    expect(fmtF(-1234567.5, 2, 7)).toBe('-1e+06');
  });
});

describe('formula features equal R lm on mtcars', () => {
  // Values printed by R 4.2.2 (options(digits = 17)) for lm() on the same CSV, SE from sandwich::vcovHC.
  const cases: { args: string[]; terms: string[]; coef: number[]; se: number[]; r2?: number }[] = [
    {
      // lm(mpg ~ wt + I(wt^2) + factor(gear) + wt:hp); vcovHC(type = "HC1")
      args: ['--formula', 'mpg ~ wt + I(wt^2) + i(gear) + wt:hp', '--vcov', 'HC1'],
      terms: ['(Intercept)', 'wt', 'I(wt^2)', 'gear::4', 'gear::5', 'wt:hp'],
      coef: [46.2352022079673261601, -11.6412965542782735895, 1.229161347572999663, 1.3555681730542539221, 0.0538589333657986877, -0.0059661846422646731],
      se: [4.3749227751027888189, 2.4132261120602294113, 0.3026573880279790907, 1.0481969965369450914, 1.1725811032168038661, 0.0023782075113344169],
    },
    {
      // lm(mpg ~ poly(wt, 3, raw = TRUE) - 1); vcov(); uncentred R-squared without intercept
      args: ['--formula', 'mpg ~ poly(wt, 3) - 1'],
      terms: ['wt', 'wt^2', 'wt^3'],
      coef: [35.8490130908746849, -13.7124136047370389, 1.3918533206626511],
      se: [2.13806895476022829, 1.12311843495797681, 0.14119993141416506],
      r2: 0.98049861610483957,
    },
    {
      // lm(mpg ~ factor(cyl) - 1 + wt); vcovHC(type = "HC3"): all levels kept without intercept
      args: ['--formula', 'mpg ~ factor(cyl) + wt + 0', '--vcov', 'HC3'],
      terms: ['cyl::4', 'cyl::6', 'cyl::8', 'wt'],
      coef: [33.9907940091324789, 29.7352116071611903, 27.9199343286416024, -3.2056132561928665],
      se: [2.1413628216472924, 2.3885420178752921, 2.924401340749156, 0.7548418822273385],
    },
  ];
  for (const c of cases) {
    it(c.args[1], () => {
      const out = fitJson('--data', `${FIX}/mtcars.csv`, ...c.args);
      expect(out.coefficients.map((x: any) => x.term)).toEqual(c.terms);
      c.terms.forEach((t, i) => {
        close(out.coefficients[i].estimate, c.coef[i], `${t} estimate`);
        close(out.coefficients[i].se, c.se[i], `${t} se`);
      });
      if (c.r2 !== undefined) close(out.r2, c.r2, 'r2');
    });
  }
});

describe('--drop-singletons', () => {
  it('drops the carb = 6 and carb = 8 singletons as R on the subset does', () => {
    // R: s <- subset(mtcars, !(carb %in% c(6, 8))); lm(mpg ~ wt + factor(carb), s)
    //    wt = -4.6147674960270386, se (vcov) = 0.7059394722073985, nrow(s) = 30
    const out = fitJson('--data', `${FIX}/mtcars.csv`, '--formula', 'mpg ~ wt | carb', '--drop-singletons');
    expect(out.n).toBe(30);
    expect(out.singletons_dropped).toBe(2);
    expect(out.fixed_effects).toEqual([{ name: 'carb', levels: 4 }]);
    close(out.coefficients[0].estimate, -4.6147674960270386, 'wt');
    close(out.coefficients[0].se, 0.7059394722073985, 'wt se');
  });
});
