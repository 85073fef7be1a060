/**
 * Speed and memory benchmark of the estimation engine (`npm run bench`).
 *
 * Synthetic data: 10 regressors, two absorbed FE with 100 and 1,000 levels, HC1 covariance,
 * n = 1,000,000 and 3,000,000. Each size runs in its own child process so that the peak RSS
 * (process.resourceUsage().maxRSS) belongs to that size alone. Printed per size: data generation
 * time, fit time (data in memory: fitDesign from the numeric design), peak RSS and its ratio to the
 * raw data (n x 13 columns x 8 bytes). When Rscript with estimatr is available the same data are
 * written to a temporary CSV and `lm_robust(..., fixed_effects = ~fe1 + fe2, se_type = "HC1")` is
 * timed (model fit only, not the CSV read); the ratio R / ours is printed (skipped when estimatr's
 * dummy matrix would not fit in free memory: it needs ~n x 1,100 x 8 bytes). Options:
 *   --sizes 1000000,3000000   sizes to run     --no-r   skip the R comparison
 * Then the wild cluster bootstrap on a study-shaped model (see benchWildBootstrap):
 *   --no-wcb   skip it     --only-wcb   run only it
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, createWriteStream } from 'node:fs';
import { freemem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitDesign, type DesignInput } from '../src/stats/fitDesign.ts';
import { createRng } from '../src/stats/rng.ts';
import type { DataTable } from '../src/stats/types.ts';
import { wildClusterBootstrap } from '../src/stats/wildBootstrap.ts';

const K = 10;
const L1 = 100;
const L2 = 1000;

function generate(n: number): DesignInput {
  const rng = createRng(n);
  const rand = (): number => rng.uniform();
  const norm = (): number => rng.normal();
  const c1 = new Int32Array(n);
  const c2 = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    c1[i] = Math.floor(rand() * L1);
    c2[i] = Math.floor(rand() * L2);
  }
  const a1 = Float64Array.from({ length: L1 }, () => norm());
  const a2 = Float64Array.from({ length: L2 }, () => norm());
  const X: Float64Array[] = [];
  for (let j = 0; j < K; j++) {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = norm() + 0.3 * a1[c1[i]] - 0.2 * a2[c2[i]];
    X.push(x);
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = a1[c1[i]] + a2[c2[i]] + norm() * (1 + 0.5 * Math.abs(X[0][i]));
    for (let j = 0; j < K; j++) s += (j + 1) * 0.1 * X[j][i];
    y[i] = s;
  }
  const levels = (L: number) => Array.from({ length: L }, (_, l) => String(l + 1));
  return {
    y,
    X,
    names: X.map((_, j) => `x${j + 1}`),
    fe: [
      { name: 'fe1', codes: c1, levels: levels(L1) },
      { name: 'fe2', codes: c2, levels: levels(L2) },
    ],
    clusters: [],
    rowsUsed: Int32Array.from({ length: n }, (_, i) => i),
    missingDropped: 0,
    model: { y: 'y', terms: X.map((_, j) => ({ kind: 'var' as const, name: `x${j + 1}` })), fe: ['fe1', 'fe2'], intercept: true },
  };
}

async function writeCsv(d: DesignInput, file: string): Promise<void> {
  const out = createWriteStream(file);
  const write = (s: string) => new Promise<void>((res) => (out.write(s) ? res() : out.once('drain', res)));
  await write(['y', ...d.names, 'fe1', 'fe2'].join(',') + '\n');
  const n = d.y.length;
  const B = 10_000;
  for (let s = 0; s < n; s += B) {
    const lines: string[] = [];
    for (let i = s; i < Math.min(n, s + B); i++) {
      const row = [d.y[i], ...d.X.map((x) => x[i])].map((v) => String(v));
      row.push(String(d.fe[0].codes[i] + 1), String(d.fe[1].codes[i] + 1));
      lines.push(row.join(','));
    }
    await write(lines.join('\n') + '\n');
  }
  await new Promise<void>((res) => out.end(res));
}

function rAvailable(): boolean {
  const r = spawnSync('Rscript', ['-e', 'cat(requireNamespace("estimatr", quietly = TRUE))'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === 'TRUE';
}

/** Times lm_robust in R on the CSV; returns seconds (fit only) and the x1 coefficient/SE for a sanity check. */
function timeR(file: string): { seconds: number; coef: number; se: number } | null {
  const xs = Array.from({ length: K }, (_, j) => `x${j + 1}`).join(' + ');
  const code = `suppressPackageStartupMessages(library(estimatr));
d <- read.csv("${file}"); d$fe1 <- factor(d$fe1); d$fe2 <- factor(d$fe2);
t <- system.time(m <- lm_robust(y ~ ${xs}, data = d, fixed_effects = ~fe1 + fe2, se_type = "HC1"))[["elapsed"]];
cat(sprintf("%.6f %.17g %.17g\\n", t, coef(m)[["x1"]], m$std.error[["x1"]]))`;
  const r = spawnSync('Rscript', ['-e', code], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    process.stdout.write(`  R failed: ${r.stderr.trim().split('\n').slice(-2).join(' ')}\n`);
    return null;
  }
  const [t, c, s] = r.stdout.trim().split(/\s+/).map(Number);
  return { seconds: t, coef: c, se: s };
}

async function runOne(n: number, withR: boolean): Promise<void> {
  const baseMB = process.memoryUsage().rss / 2 ** 20;
  let t0 = performance.now();
  const d = generate(n);
  const genS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const fit = fitDesign(d, { vcov: 'HC1' });
  const fitS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const fitCpuS = (cpu.user + cpu.system) / 1e6;
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  const rawMB = (n * (K + 3) * 8) / 2 ** 20;
  const fmt = (v: number, d = 2) => v.toFixed(d);
  process.stdout.write(
    `n=${n}: generate ${fmt(genS)} s, fit ${fmt(fitS)} s wall / ${fmt(fitCpuS)} s CPU (FE iterations ${fit.feIterations}), ` +
      `peak RSS ${fmt(maxRssMB, 0)} MB = ${fmt(maxRssMB / rawMB)} x raw data (${fmt(rawMB, 0)} MB; ` +
      `${fmt((maxRssMB - baseMB) / rawMB)} x without the ${fmt(baseMB, 0)} MB of an idle node+tsx); ` +
      `x1 = ${fit.coef[0].toFixed(6)} (se ${fit.se[0].toExponential(4)}), k = ${fit.k}\n`,
  );
  if (!withR) return;
  // estimatr materialises the FE dummies (measured: ~10 GB at n = 1e6): skip when it cannot fit in RAM.
  const needGB = (n * (L1 + L2 + 2 * K) * 8 * 1.2) / 2 ** 30;
  const freeGB = freemem() / 2 ** 30;
  if (needGB > 0.8 * freeGB) {
    process.stdout.write(`  R estimatr skipped: needs ~${fmt(needGB, 0)} GB (FE dummies), ${fmt(freeGB, 0)} GB free\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'cscs-bench-'));
  try {
    const file = join(dir, 'bench.csv');
    t0 = performance.now();
    await writeCsv(d, file);
    const writeS = (performance.now() - t0) / 1000;
    const r = timeR(file);
    if (r) {
      process.stdout.write(
        `  R estimatr::lm_robust (CSV written in ${fmt(writeS)} s): fit ${fmt(r.seconds)} s -> R/ours = ${fmt(r.seconds / fitS)}; ` +
          `x1 rel. diff coef ${(Math.abs(r.coef - fit.coef[0]) / Math.abs(r.coef)).toExponential(1)}, se ${(Math.abs(r.se - fit.se[0]) / r.se).toExponential(1)}\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const withR = !argv.includes('--no-r');
  const one = arg('--n');
  if (one) return runOne(Number(one), withR);
  if (argv.includes('--only-wcb')) return benchWildBootstrap();
  const sizes = (arg('--sizes') ?? '1000000,3000000').split(',').map(Number);
  const haveR = withR && rAvailable();
  if (withR && !haveR) process.stdout.write('Rscript with estimatr not found: skipping the R comparison\n');
  process.stdout.write(`bench: ${K} regressors, FE with ${L1} and ${L2} levels, HC1, node ${process.version}\n`);
  const self = fileURLToPath(import.meta.url);
  for (const n of sizes) {
    const r = spawnSync(process.execPath, [...process.execArgv, self, '--n', String(n), ...(haveR ? [] : ['--no-r'])], { stdio: 'inherit' });
    if (r.status !== 0) process.exitCode = 1;
  }
  if (!argv.includes('--no-wcb')) benchWildBootstrap();
}

await main(process.argv.slice(2));

// ==== Wild cluster bootstrap (src/stats/wildBootstrap.ts) =========================================
// After the sizes above, in the parent process only (not in the `--n` children), time the WCR bootstrap on data shaped like the study's model: 414 firms, 12 regressors, industry
// FE (58 levels) and city FE (11 levels) as dummies = 80 columns, clustered by city (G = 11).
// Timed: the whole call (dense design, precomputation, draws, p-value and the test-inversion CI),
// median of 5 runs.

function wcbData(): DataTable {
  const n = 414;
  const P = 12;
  const rng = createRng(414);
  const city = Array.from({ length: n }, () => `c${String(rng.int(1, 11)).padStart(2, '0')}`);
  const industry = Array.from({ length: n }, (_, i) => `i${String(i < 58 ? i + 1 : rng.int(1, 58)).padStart(2, '0')}`);
  const cityShock = new Map<string, number>();
  const columns: DataTable['columns'] = { city, industry };
  const y = new Float64Array(n);
  for (let j = 0; j < P; j++) {
    const x = Float64Array.from({ length: n }, () => rng.normal());
    columns[`x${j + 1}`] = x;
    for (let i = 0; i < n; i++) y[i] += 0.1 * x[i];
  }
  for (let i = 0; i < n; i++) {
    if (!cityShock.has(city[i])) cityShock.set(city[i], rng.normal());
    y[i] += cityShock.get(city[i])! * (columns.x1 as Float64Array)[i] + rng.normal();
  }
  columns.y = y;
  return { nrows: n, columns };
}

function benchWildBootstrap(): void {
  const data = wcbData();
  const formula = `y ~ ${Array.from({ length: 12 }, (_, j) => `x${j + 1}`).join(' + ')} | industry + city`;
  const time = (B: number, enumerate: boolean) => {
    const ms: number[] = [];
    let r = wildClusterBootstrap(data, formula, { cluster: 'city', param: 'x1', B, enumerate });
    for (let rep = 0; rep < 5; rep++) {
      const t0 = performance.now();
      r = wildClusterBootstrap(data, formula, { cluster: 'city', param: 'x1', B, enumerate });
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    return { ms: ms[2], r };
  };
  process.stdout.write('wild cluster bootstrap (WCR, Rademacher, CR1 t, 95% test-inversion CI), n = 414, 80 columns, G = 11, median of 5:\n');
  for (const [B, enumerate] of [
    [9999, false],
    [99999, false],
    [9999, true],
  ] as const) {
    const { ms, r } = time(B, enumerate);
    process.stdout.write(
      `  B = ${r.B}${r.enumerated ? ' (full enumeration)' : ''}: ${ms.toFixed(1)} ms; t = ${r.t.toFixed(3)}, p = ${r.p.toFixed(4)}, ` +
        `CI [${r.ciLow.toFixed(4)}, ${r.ciHigh.toFixed(4)}]\n`,
    );
  }
}
