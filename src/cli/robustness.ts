/**
 * `cscs robustness`: the robustness battery of issue 5 on a raw data folder; writes
 * robustness.{txt,md,tex,html,csv,json} and robustness_coefplot.{svg,png,vl.json} into --out.
 */
import { InputError } from '../errors.ts';
import { loadRawFolder } from '../data/load.ts';
import { toText } from '../report/text.ts';
import { writeOutputsAtomically } from '../report/writeOutputs.ts';
import { jsonText } from '../study/pipeline.ts';
import { DEFAULT_BOOTSTRAP_B, DEFAULT_SEED, computeRobustness } from '../study/robustness.ts';
import { robustnessFiles, robustnessJson, robustnessLayout } from '../study/robustnessReport.ts';
import { parseOptions, stringOption } from './args.ts';
import { terminalProgress } from './progress.ts';
import { SAMPLE_OPTION_SPECS, checkDataDir, sampleOptionsFrom } from './replicate.ts';

const HELP = `usage: cscs robustness [--data DIR] [--out DIR] [options]

Refits Table 3 model (5) of Lin & Milhaupt (2021) under the specifications a referee asks for
(other inference, wild cluster bootstrap, Tobit, ordered logit/probit, median regression,
winsorization levels, leave one city out, the score without Social Responsibility) and writes
the robustness table (.txt .md .tex .html .csv .json) and a coefficient plot (.svg .png .vl.json).

options:
  --data DIR     raw data folder (default data/replication)
  --out DIR      output folder (default figures)
  --B N          wild bootstrap replications for random weights (default ${DEFAULT_BOOTSTRAP_B})
  --seed N       seed of every random draw (default ${DEFAULT_SEED})
  --json         print the full-precision JSON on stdout instead of the table (no progress)
  --quiet        print nothing on success (no progress)
  -h, --help     this help
Sample options of cscs replicate (--fiscal-year, --listed-before, --party-cutoff, --winsor,
--winsor-type) set the baseline.
`;

function intOption(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < min) {
    throw new InputError(`option '--${name}': '${text}' is not a whole number >= ${min}`);
  }
  return Number(text);
}

export async function run(argv: string[]): Promise<number> {
  const opts = parseOptions(
    argv,
    {
      data: { type: 'string' },
      out: { type: 'string' },
      B: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
      ...SAMPLE_OPTION_SPECS,
      help: { type: 'boolean', short: 'h' },
    },
    'cscs robustness',
  );
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const dataDir = stringOption(opts, 'data') ?? 'data/replication';
  const outDir = stringOption(opts, 'out') ?? 'figures';
  checkDataDir(dataDir);
  if (outDir.trim() === '') throw new InputError('--out: empty folder name');
  const bootstrapB = intOption('B', stringOption(opts, 'B'), DEFAULT_BOOTSTRAP_B, 99);
  const seed = intOption('seed', stringOption(opts, 'seed'), DEFAULT_SEED, 0);
  const quietRun = opts.json === true || opts.quiet === true;
  const rob = computeRobustness(loadRawFolder(dataDir), {
    bootstrapB,
    seed,
    sample: sampleOptionsFrom(opts),
    ...(quietRun ? {} : { onProgress: terminalProgress() }),
  });
  await writeOutputsAtomically(outDir, await robustnessFiles(rob));
  if (opts.json) process.stdout.write(jsonText(robustnessJson(rob)));
  else if (!opts.quiet) process.stdout.write(`${toText(robustnessLayout(rob))}outputs written to ${outDir}\n`);
  return 0;
}
