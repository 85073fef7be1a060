/**
 * The score-program checkpoint (calibrateScores `onCheckpoint` / `resume`, `cscs synth
 * --checkpoint / --resume`): a resumed run gives the full run's result, the programs plan on the
 * covariates as `rederive` returns them, and a checkpoint that does not fit is refused.
 */
import { mkdtempSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { calibrateScores, CHECKPOINT_FORMAT, verify, type CalibrateOptions, type ProgramCheckpoint } from '../src/synth/calibrateScores.ts';
import { loadLpSolver, type LpSolver } from '../src/synth/subScoreProgram.ts';
import { loadPublished } from '../src/synth/targets.ts';
import { createRng } from '../src/stats/rng.ts';
import { run } from '../src/cli/synth.ts';
import { InputError } from '../src/errors.ts';
import type { RegressionX, SynthFirm } from '../src/synth/types.ts';
import { smallFirms } from './helpers.ts';

const pub = loadPublished();
const opts: CalibrateOptions = { sweeps: 2, polishIters: 3, repairSteps: 2000, finishSteps: 2000, refineProposals: 0, adjustRounds: 0, medianKickRefine: 0, outOfSampleProposals: 0, transferRuns: 0, closingRuns: 0 };

/** The checkpoint with adjusted covariates for the first 30 sample firms (the stand-in's adjustment moves none). */
function withAdjusted(cp: ProgramCheckpoint, firms: ReturnType<typeof smallFirms>): ProgramCheckpoint {
  const copy = JSON.parse(JSON.stringify(cp)) as ProgramCheckpoint;
  for (let i = 0; i < 30; i++) copy.firms[i].x = i % 2 ? { leverage: firms[i].x.leverage + 0.012345678 } : { roa: firms[i].x.roa - 0.001, book_to_market: firms[i].x.book_to_market * 1.02 };
  return copy;
}

describe('calibrateScores checkpoint and resume (small stand-in problem)', () => {
  const firms = smallFirms();
  let solver: LpSolver;
  let cp: ProgramCheckpoint | undefined;
  let full: ReturnType<typeof calibrateScores>;
  beforeAll(async () => {
    solver = await loadLpSolver();
    full = calibrateScores(firms, pub, createRng(5), { ...opts, lpSolver: solver, onCheckpoint: (c) => (cp = c) });
  }, 120_000);

  it('writes one checkpoint: every firm in order, scores within the weights, adjusted covariates of sample firms only', () => {
    expect(cp).toBeDefined();
    const c = cp as ProgramCheckpoint;
    expect(c.format).toBe(CHECKPOINT_FORMAT);
    expect(c.firms.map((f) => f.firm_id)).toEqual(firms.map((f) => f.firm_id));
    // The stand-in's covariate adjustment moves nothing, so there are none here.
    expect(c.firms.filter((f) => f.x)).toHaveLength(0);
    for (const f of c.firms) {
      [80, 195, 90, 450, 185].forEach((w, s) => {
        expect(Number.isInteger(f.scores[s])).toBe(true);
        expect(f.scores[s]).toBeGreaterThanOrEqual(0);
        expect(f.scores[s]).toBeLessThanOrEqual(w);
      });
    }
  });

  it('resuming gives the full run: the same scores, covariates and checks (another rng: none is drawn before the programs)', () => {
    const resumed = calibrateScores(firms, pub, createRng(999), { ...opts, lpSolver: solver, resume: JSON.parse(JSON.stringify(cp)) });
    expect([...resumed.scores]).toEqual([...full.scores]);
    expect([...resumed.covariates]).toEqual([...full.covariates]);
    expect(resumed.checks).toEqual(full.checks);
    // The programs find nothing to plan on this stand-in; the committed data set's own checkpoint
    // (replication-checkpoint.test.ts) is where they move scores after it.
  });

  it('without programs the result is the checkpoint itself, adjusted covariates included', () => {
    const c = withAdjusted(cp as ProgramCheckpoint, firms);
    const resumed = calibrateScores(firms, pub, createRng(1), { ...opts, resume: c });
    expect(resumed.covariates.size).toBe(30);
    for (const f of c.firms) expect(Object.values(resumed.scores.get(f.firm_id)!)).toEqual(f.scores);
    expect(new Map([...resumed.covariates])).toEqual(new Map(c.firms.filter((f) => f.x).map((f) => [f.firm_id, f.x])));
  });

  it('rederive receives the adjusted covariates; the checks judge its firms; the result returns the adjusted values', () => {
    // A stand-in for writing the raw files and reading them back: leverage to 4 decimals.
    let seen: Map<string, Partial<RegressionX>> | undefined;
    let rederived: SynthFirm[] = [];
    const rederive = (changed: Map<string, Partial<RegressionX>>): SynthFirm[] => {
      seen = changed;
      rederived = firms.map((f) => (changed.has(f.firm_id) ? { ...f, x: { ...f.x, ...changed.get(f.firm_id), leverage: Math.round(f.x.leverage * 1e4) / 1e4 } } : f));
      return rederived;
    };
    const c = withAdjusted(cp as ProgramCheckpoint, firms);
    const adjusted = new Map(c.firms.filter((f) => f.x).map((f) => [f.firm_id, f.x]));
    const res = calibrateScores(firms, pub, createRng(1), { ...opts, resume: c, rederive });
    expect(new Map([...(seen as Map<string, Partial<RegressionX>>)])).toEqual(adjusted);
    expect(new Map([...res.covariates])).toEqual(adjusted);
    // The checks are those of the re-derived firms (to the last digit), not of the adjusted ones.
    expect(res.checks).toEqual(verify(rederived, pub, res.scores));
    const adjustedFirms = firms.map((f) => (adjusted.has(f.firm_id) ? { ...f, x: { ...f.x, ...adjusted.get(f.firm_id) } } : f));
    expect(res.checks.map((k) => k.achieved)).not.toEqual(verify(adjustedFirms, pub, res.scores).map((k) => k.achieved));
  });

  it('refuses a checkpoint that does not fit, naming the firm and field', () => {
    const c = cp as ProgramCheckpoint;
    const edit = (f: (x: ProgramCheckpoint) => void): ProgramCheckpoint => {
      const copy = JSON.parse(JSON.stringify(c)) as ProgramCheckpoint;
      f(copy);
      return copy;
    };
    const resume = (r: ProgramCheckpoint) => () => calibrateScores(firms, pub, createRng(1), { ...opts, resume: r });
    expect(resume(edit((x) => ((x as { format: string }).format = 'v0')))).toThrow(/checkpoint: format is 'v0'/);
    expect(resume(edit((x) => (x.seed = -1)))).toThrow(/seed -1 is not a 32-bit unsigned integer/);
    expect(resume(edit((x) => x.firms.pop()))).toThrow(/149 firms, the data set has 150/);
    expect(resume(edit((x) => (x.firms[3].firm_id = 'ZZ')))).toThrow(/firm 4 is 'ZZ', the data set's is 'T-3'/);
    expect(resume(edit((x) => (x.firms[2].scores[0] = 81)))).toThrow(/T-2: basic_data score 81 is not a whole number in \[0, 80\]/);
    expect(resume(edit((x) => (x.firms[2].scores = [1, 2])))).toThrow(/T-2: scores must list 5/);
    expect(resume(edit((x) => (x.firms[140].x = { leverage: 0.5 })))).toThrow(/T-140: adjusted covariates for an out-of-sample firm/);
    expect(resume(edit((x) => (x.firms[0].x = { firm_age: 3 } as Partial<RegressionX>)))).toThrow(/T-0: 'firm_age' is not an adjustable covariate/);
    expect(resume(edit((x) => (x.firms[0].x = { roa: null as unknown as number })))).toThrow(/T-0: roa is not a finite number/);
  });
});

describe('cscs synth --checkpoint / --resume', () => {
  it('refuses them with --small, an unreadable file, non-JSON and a checkpoint of other firms, writing nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-resume-'));
    const out = join(dir, 'out');
    await expect(run(['--small', '20', '--checkpoint', join(dir, 'c.json')])).rejects.toThrow(/need the full data set/);
    await expect(run(['--resume'])).rejects.toThrow(/--resume needs a file/);
    await expect(run(['--resume', join(dir, 'missing.json'), '--out', out])).rejects.toThrow(/cannot read checkpoint .*missing\.json/);
    writeFileSync(join(dir, 'bad.json'), '{"format": ');
    await expect(run(['--resume', join(dir, 'bad.json'), '--out', out])).rejects.toThrow(/bad\.json is not JSON/);
    // Well-formed, but of the 150-firm stand-in: the 531-firm data set refuses it at its first firm.
    const other: ProgramCheckpoint = { format: CHECKPOINT_FORMAT, seed: 1, firms: smallFirms().map((f) => ({ firm_id: f.firm_id, scores: [80, 195, 90, 450, 185] })) };
    writeFileSync(join(dir, 'other.json'), JSON.stringify(other));
    const err = await run(['--resume', join(dir, 'other.json'), '--out', out, '--quiet']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/other\.json: 150 firms, the data set has 531/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
