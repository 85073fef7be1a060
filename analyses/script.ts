/**
 * Shared plumbing of the analysis scripts: the two positional arguments
 * ([dataDir] [outDir], defaults data/replication and figures) and one-line input errors.
 */
import { InputError } from '../src/errors.ts';
import { loadRawFolder } from '../src/data/load.ts';
import { buildSample, type StudySample } from '../src/study/sample.ts';

export interface ScriptArgs {
  dataDir: string;
  outDir: string;
}

export function scriptArgs(argv: string[] = process.argv.slice(2)): ScriptArgs {
  const [dataDir = 'data/replication', outDir = 'figures'] = argv;
  return { dataDir, outDir };
}

/** Loads and validates the raw folder and builds both samples (paper defaults). */
export function loadSample(dataDir: string): StudySample {
  return buildSample(loadRawFolder(dataDir));
}

/** Runs `main`; an InputError prints its one-line message and exits 1, as the CLI does. */
export async function runScript(main: (args: ScriptArgs) => Promise<void>): Promise<void> {
  try {
    await main(scriptArgs());
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    process.stderr.write(`error: ${err.message}\n`);
    process.exitCode = 1;
  }
}
