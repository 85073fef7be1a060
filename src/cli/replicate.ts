/**
 * `cscs replicate`: the whole Lin & Milhaupt replication from a raw data folder into an output
 * folder (Tables 1-4, Figures 1-2, analysis sample, sample flow, replication report, index page).
 */
import { statSync } from 'node:fs';
import { InputError } from '../errors.ts';
import { isIsoDate } from '../data/load.ts';
import type { QuantileType } from '../stats/quantile.ts';
import { replicationSummary, runReplication } from '../study/pipeline.ts';
import { DEFAULT_SAMPLE_OPTIONS, type SampleOptions } from '../study/sample.ts';
import { DEFAULT_VARIABLE_OPTIONS } from '../study/variables.ts';
import { parseOptions, stringOption, type OptionSpecs } from './args.ts';

const HELP = `usage: cscs replicate [--data DIR] [--out DIR] [options]

Runs the replication of Lin & Milhaupt (2021) on a raw data folder (layout: data/README.md) and
writes every table (.txt .md .tex .html .csv .json), figure (.svg .png .vl.json .json),
analysis_sample.csv, sample_flow.txt/.json, replication.md/.html and index.html into --out.
Nothing is written if any input is invalid.

options:
  --data DIR             raw data folder (default data/replication)
  --out DIR              output folder (default figures); other files in it are kept
  --fiscal-year YEAR     fiscal year of financials.csv (default ${DEFAULT_SAMPLE_OPTIONS.fiscalYear})
  --listed-before DATE   regression sample: listed before this date (default ${DEFAULT_SAMPLE_OPTIONS.listedBefore})
  --party-cutoff DATE    Party-Building Reform: amended on or before (default ${DEFAULT_VARIABLE_OPTIONS.partyBuildingCutoff})
  --winsor P             winsorization tail probability (default ${DEFAULT_SAMPLE_OPTIONS.winsorizeP}; 0 = none)
  --winsor-type T        quantile type 1-9 of the winsorization bounds (default ${DEFAULT_SAMPLE_OPTIONS.winsorizeType} = Stata)
  --quiet                print nothing on success
  -h, --help             this help
`;

function dateOption(name: string, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  if (!isIsoDate(value)) throw new InputError(`option '--${name}': '${value}' is not a calendar date in YYYY-MM-DD form`);
  return value;
}

function numberOption(name: string, value: string | undefined, fallback: number, ok: (x: number) => boolean, what: string): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || !ok(x)) throw new InputError(`option '--${name}': '${value}' is not ${what}`);
  return x;
}

/** The sample options `cscs replicate` and `cscs robustness` share (read by sampleOptionsFrom). */
export const SAMPLE_OPTION_SPECS: OptionSpecs = {
  'fiscal-year': { type: 'string' },
  'listed-before': { type: 'string' },
  'party-cutoff': { type: 'string' },
  winsor: { type: 'string' },
  'winsor-type': { type: 'string' },
};

/** Sample options from the command line (defaults are the paper's choices). */
export function sampleOptionsFrom(opts: Record<string, string | boolean | undefined>): SampleOptions {
  const d = DEFAULT_SAMPLE_OPTIONS;
  return {
    ...d,
    fiscalYear: numberOption('fiscal-year', stringOption(opts, 'fiscal-year'), d.fiscalYear, Number.isInteger, 'a whole year'),
    listedBefore: dateOption('listed-before', stringOption(opts, 'listed-before'), d.listedBefore),
    winsorizeP: numberOption('winsor', stringOption(opts, 'winsor'), d.winsorizeP, (x) => x >= 0 && x < 0.5, 'a probability in [0, 0.5)'),
    winsorizeType: numberOption('winsor-type', stringOption(opts, 'winsor-type'), d.winsorizeType, (x) => Number.isInteger(x) && x >= 1 && x <= 9, 'an integer 1-9') as QuantileType,
    variables: { ...d.variables, partyBuildingCutoff: dateOption('party-cutoff', stringOption(opts, 'party-cutoff'), d.variables.partyBuildingCutoff) },
  };
}

/** The raw data folder must exist and be a folder (a file or a typo otherwise fails on firms.csv). */
export function checkDataDir(dir: string): void {
  if (dir.trim() === '') throw new InputError('--data: empty folder name');
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' || code === 'ENOTDIR' ? `--data: folder '${dir}' not found` : `--data: cannot read folder '${dir}' (${code})`);
  }
  if (!isDir) throw new InputError(`--data: '${dir}' is a file; give the folder that holds firms.csv, scores.csv, ...`);
}

export async function run(argv: string[]): Promise<number> {
  const opts = parseOptions(
    argv,
    {
      data: { type: 'string' },
      out: { type: 'string' },
      ...SAMPLE_OPTION_SPECS,
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    'cscs replicate',
  );
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const dataDir = stringOption(opts, 'data') ?? 'data/replication';
  const outDir = stringOption(opts, 'out') ?? 'figures';
  checkDataDir(dataDir);
  if (outDir.trim() === '') throw new InputError('--out: empty folder name');
  const rep = await runReplication(dataDir, outDir, { sample: sampleOptionsFrom(opts) });
  if (!opts.quiet) process.stdout.write(`${replicationSummary(rep)}outputs written to ${outDir}\n`);
  return 0;
}
