/**
 * `cscs synth`: regenerate the synthetic replication data set (six CSV files) from a seed.
 *   cscs synth [--seed N] [--out DIR] [--small N] [--sweeps N] [--refine N] [--adjust N] [--kick N] [--oos N] [--no-shift] [--transfers N] [--closing N] [--no-program] [--se-ratios] [--within-share R2] [--r2-gaps] [--checkpoint FILE] [--resume FILE] [--quiet]
 * Same seed and options give byte-identical files. The full data set calibrates the scores
 * (45-60 minutes); --small N makes an N-firm demo data set quickly (placeholder scores).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import { DEFAULT_SEED, buildDataset } from '../synth/generate.ts';
import type { ProgramCheckpoint } from '../synth/calibrateScores.ts';
import { loadLpSolver } from '../synth/subScoreProgram.ts';
import { SE_RATIOS, EXPLAINED_SHARE_SCALE } from '../synth/jointStructure.ts';

const usage = `usage: cscs synth [--seed N] [--out DIR] [--small N] [--sweeps N] [--refine N] [--adjust N] [--kick N] [--oos N] [--no-shift] [--transfers N] [--closing N] [--no-program] [--se-ratios] [--within-share R2] [--r2-gaps] [--checkpoint FILE] [--resume FILE] [--quiet]

  --seed N    integer seed (default ${DEFAULT_SEED}, the committed data set)
  --out DIR   output folder (default data/replication)
  --small N   quick N-firm data set with placeholder (uncalibrated) scores
  --sweeps N  annealing sweeps of the score calibration (default: the calibrator's)
  --refine N  proposals of the lattice refinement (default 6500; 0 skips it)
  --adjust N  rounds of covariate adjustment after it (default 2; 0 skips them)
  --kick N    refinement proposals after the median kick (sample firms set to a
              Table 1 band median; default 1500; 0 skips the kick)
  --oos N     proposals per run of the out-of-sample finish of Table 1 and the
              figures (default 8000000, six runs; 0 skips it)
  --no-shift  skip the fixed-effect shifts for Table 2's Scores mean and SD
  --transfers N  runs of the transfer refinement (points moved between
              two sub-scores of one firm; default 20 runs of 1500 proposals;
              0 skips it)
  --closing N  transfer runs after one more covariate adjustment that close the
              calibration (default 10; 0 skips the adjustment and the runs)
  --no-program  skip the sub-score and total programs that end the calibration
              (planned moves solved with HiGHS: between sub-scores for Table 4, then
              of the totals for Table 2's Scores SD and model (5)'s R^2)
  --se-ratios  the joint-structure tuning also fits Table 3's cross-model SE ratios
              ((1) and (3) against (4): Constant and Firm Size; classical SEs)
  --within-share R2  the joint-structure tuning also holds the covariates' share of model
              (5)'s R^2 beyond the dummies at R2 (0 < R2 < 1)
  --r2-gaps    the joint-structure tuning also fits each short model's R^2 gap to model (5)
  --checkpoint FILE  write the state where the score programs begin (scores, adjusted
              covariates, the programs' seed; JSON) to FILE when the run reaches it
  --resume FILE  start from such a checkpoint (same seed and options): skips the
              hour before the programs and writes what the full run writes
  --quiet     no progress messages
`;

/** Parses a non-negative integer option value or throws an InputError naming the option. */
function intOption(name: string, text: string | undefined, min: number): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new InputError(`synth: ${name} needs a whole number, got '${text ?? ''}'`);
  const v = Number(text);
  if (!Number.isSafeInteger(v) || v < min) throw new InputError(`synth: ${name} must be a whole number >= ${min}, got '${text}'`);
  return v;
}

export async function run(argv: string[]): Promise<number> {
  let seed = DEFAULT_SEED;
  let out = 'data/replication';
  let small: number | null = null;
  let sweeps: number | undefined;
  let refineProposals: number | undefined;
  let adjustRounds: number | undefined;
  let medianKickRefine: number | undefined;
  let outOfSampleProposals: number | undefined;
  let fixedEffectShift: boolean | undefined;
  let transferRuns: number | undefined;
  let closingRuns: number | undefined;
  let program = true;
  let seRatios = false;
  let withinShare: number | undefined;
  let r2Gaps = false;
  let quiet = false;
  let checkpointFile: string | undefined;
  let resumeFile: string | undefined;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--help' || a === '-h') {
      process.stdout.write(usage);
      return 0;
    } else if (a === '--seed') seed = intOption('--seed', argv[++k], 0);
    else if (a === '--out') {
      const v = argv[++k];
      if (!v) throw new InputError('synth: --out needs a folder');
      out = v;
    } else if (a === '--small') small = intOption('--small', argv[++k], 5);
    else if (a === '--sweeps') sweeps = intOption('--sweeps', argv[++k], 1);
    else if (a === '--refine') refineProposals = intOption('--refine', argv[++k], 0);
    else if (a === '--adjust') adjustRounds = intOption('--adjust', argv[++k], 0);
    else if (a === '--kick') medianKickRefine = intOption('--kick', argv[++k], 0);
    else if (a === '--oos') outOfSampleProposals = intOption('--oos', argv[++k], 0);
    else if (a === '--no-shift') fixedEffectShift = false;
    else if (a === '--transfers') transferRuns = intOption('--transfers', argv[++k], 0);
    else if (a === '--closing') closingRuns = intOption('--closing', argv[++k], 0);
    else if (a === '--no-program') program = false;
    else if (a === '--se-ratios') seRatios = true;
    else if (a === '--r2-gaps') r2Gaps = true;
    else if (a === '--within-share') {
      const v = argv[++k];
      const r = Number(v);
      if (v === undefined || v.trim() === '' || !Number.isFinite(r) || r <= 0 || r >= 1) throw new InputError(`synth: --within-share needs a share between 0 and 1, got '${v ?? ''}'`);
      withinShare = r;
    }
    else if (a === '--checkpoint' || a === '--resume') {
      const v = argv[++k];
      if (!v) throw new InputError(`synth: ${a} needs a file`);
      if (a === '--checkpoint') checkpointFile = v;
      else resumeFile = v;
    } else if (a === '--quiet') quiet = true;
    else throw new InputError(`synth: unknown option '${a}'\n${usage}`);
  }
  if (small !== null && (checkpointFile || resumeFile)) throw new InputError('synth: --checkpoint and --resume need the full data set (no --small)');
  // The small data set skips the joint-structure tuning, so the ratios would be silently ignored.
  if (small !== null && seRatios) throw new InputError('synth: --se-ratios needs the full data set (no --small)');
  if (small !== null && withinShare !== undefined) throw new InputError('synth: --within-share needs the full data set (no --small)');
  if (small !== null && r2Gaps) throw new InputError('synth: --r2-gaps needs the full data set (no --small)');
  const resume = resumeFile === undefined ? undefined : readCheckpoint(resumeFile);
  const onCheckpoint = checkpointFile === undefined ? undefined : (cp: ProgramCheckpoint): void => writeFileSync(checkpointFile as string, checkpointJson(cp));
  const log = quiet ? undefined : (m: string): void => void process.stderr.write(`${m}\n`);
  // HiGHS loads asynchronously (WebAssembly), so it is loaded here and handed to the calibration.
  const lpSolver = small === null && program ? await loadLpSolver() : undefined;
  let ds;
  try {
    ds = buildDataset(seed, small === null ? { calibrate: { sweeps, refineProposals, adjustRounds, medianKickRefine, outOfSampleProposals, fixedEffectShift, transferRuns, closingRuns, lpSolver, onCheckpoint, resume, log }, seRatios: seRatios ? SE_RATIOS : undefined, explainedShares: withinShare === undefined && !r2Gaps ? undefined : { gaps: r2Gaps, within: withinShare, scale: EXPLAINED_SHARE_SCALE } } : { nFirms: small });
  } catch (e) {
    // A checkpoint that does not fit the data set (another seed, an edited file) is bad input.
    if (resumeFile !== undefined && e instanceof Error && e.message.startsWith('checkpoint: ')) throw new InputError(`synth: ${resumeFile}: ${e.message.slice(12)}`);
    throw e;
  }
  mkdirSync(out, { recursive: true });
  for (const [name, text] of ds.files) writeFileSync(join(out, name), text);
  if (!quiet) {
    const checks = ds.calibrationChecks;
    const failed = checks.filter((c) => !c.ok);
    const calib = checks.length ? `; calibration: ${checks.length - failed.length} of ${checks.length} published targets met` : '; placeholder scores (not calibrated)';
    process.stdout.write(`wrote ${[...ds.files.keys()].join(', ')} to ${out} (seed ${seed}${small === null ? '' : `, ${small} firms`})${calib}\n`);
    for (const c of failed) process.stdout.write(`  missed: ${c.group} ${c.stat}: ${c.achieved} vs ${c.target} (tolerance ${c.tolerance})\n`);
  }
  return 0;
}

/** A checkpoint as JSON, one firm per line (readable diffs), with a final newline. */
function checkpointJson(cp: ProgramCheckpoint): string {
  const firms = cp.firms.map((f) => JSON.stringify(f)).join(',\n');
  return `{"format":${JSON.stringify(cp.format)},"seed":${cp.seed},"firms":[\n${firms}\n]}\n`;
}

/** Reads a checkpoint file or throws an InputError naming it. */
function readCheckpoint(file: string): ProgramCheckpoint {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`synth: cannot read checkpoint ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as ProgramCheckpoint;
  } catch (e) {
    throw new InputError(`synth: ${file} is not JSON: ${(e as Error).message}`);
  }
}
