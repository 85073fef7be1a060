/**
 * `cscs synth`: regenerate the synthetic replication data set (six CSV files) from a seed.
 *   cscs synth [--seed N] [--out DIR] [--small N]
 * Same seed and options give byte-identical files. --small N makes an N-firm demo data set
 * quickly (placeholder scores, no calibration).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import { DEFAULT_SEED, generateDataset } from '../synth/generate.ts';

const usage = `usage: cscs synth [--seed N] [--out DIR] [--small N]

  --seed N    integer seed (default ${DEFAULT_SEED}, the committed data set)
  --out DIR   output folder (default data/replication)
  --small N   quick N-firm data set with placeholder (uncalibrated) scores
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
    else throw new InputError(`synth: unknown option '${a}'\n${usage}`);
  }
  const files = await generateDataset(seed, small === null ? {} : { nFirms: small });
  mkdirSync(out, { recursive: true });
  for (const [name, text] of files) writeFileSync(join(out, name), text);
  process.stdout.write(`wrote ${[...files.keys()].join(', ')} to ${out} (seed ${seed}${small === null ? '' : `, ${small} firms`})\n`);
  return 0;
}
