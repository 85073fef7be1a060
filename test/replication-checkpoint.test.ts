/**
 * The committed data set's checkpoint (data/replication/diagnostics/program-checkpoint.json,
 * written by `cscs synth --checkpoint`): resuming from it writes the six committed CSV files byte
 * for byte. So the score programs that end the calibration (the part of `npm run synth` most
 * sensitive to its inputs) are reproduced in CI without the hour of annealing before them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../src/cli/synth.ts';

const FILES = ['firms.csv', 'financials.csv', 'governance.csv', 'party_building.csv', 'executives.csv', 'scores.csv'];

/** The first line where two texts differ (1-based), or 0 when they are equal. */
function firstDifference(a: string, b: string): number {
  if (a === b) return 0;
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) if (la[i] !== lb[i]) return i + 1;
  return -1;
}

describe('cscs synth --resume from the committed checkpoint', () => {
  it('writes the committed data/replication files byte for byte', async () => {
    const out = mkdtempSync(join(tmpdir(), 'synth-resume-'));
    try {
      expect(await run(['--resume', 'data/replication/diagnostics/program-checkpoint.json', '--out', out, '--quiet'])).toBe(0);
      for (const name of FILES) {
        const got = readFileSync(join(out, name), 'utf8');
        const want = readFileSync(join('data/replication', name), 'utf8');
        expect(firstDifference(got, want), `${name}: first differing line`).toBe(0);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 1_200_000);
});
