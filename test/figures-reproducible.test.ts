/**
 * The committed example outputs in figures/ are exactly what `npm run replicate` and
 * `npm run robustness` write on the shipped data: a fresh run into a temporary folder reproduces every
 * file byte for byte, and figures/ holds no stale file the pipeline no longer writes.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRawFolder } from '../src/data/load.ts';
import { writeOutputsAtomically } from '../src/report/writeOutputs.ts';
import { runReplication } from '../src/study/pipeline.ts';
import { computeRobustness } from '../src/study/robustness.ts';
import { robustnessFiles } from '../src/study/robustnessReport.ts';

const root = join(new URL('.', import.meta.url).pathname, '..');
const committed = join(root, 'figures');
let fresh: string;

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

beforeAll(async () => {
  fresh = mkdtempSync(join(tmpdir(), 'cscs-figures-'));
  await runReplication(join(root, 'data/replication'), fresh);
  await writeOutputsAtomically(fresh, await robustnessFiles(computeRobustness(loadRawFolder(join(root, 'data/replication')))));
});
afterAll(() => rmSync(fresh, { recursive: true, force: true }));

describe('figures/ is reproducible', () => {
  it('the same set of files', () => {
    expect(listFiles(committed)).toEqual(listFiles(fresh));
  });
  it('every file byte for byte', () => {
    const differing = listFiles(fresh).filter((f) => !readFileSync(join(fresh, f)).equals(readFileSync(join(committed, f))));
    expect(differing).toEqual([]);
  });
});
