/**
 * `cscs` command-line entry: dispatches to one module per sub-command.
 * Input errors print one line and exit 1; anything else is a bug (stack trace with --debug).
 */
import { InputError } from '../errors.ts';

type Command = (argv: string[]) => Promise<number | void> | number | void;

const commands: Record<string, () => Promise<{ run: Command }>> = {
  fit: () => import('./fit.ts'),
  boottest: () => import('./boottest.ts'),
  replicate: () => import('./replicate.ts'),
  robustness: () => import('./robustness.ts'),
  synth: () => import('./synth.ts'),
};

const usage = `usage: cscs <command> [options]

commands:
  fit        fit an OLS, Tobit, ordered logit/probit or quantile regression on any CSV (cscs fit --help)
  boottest   wild cluster bootstrap test of one OLS coefficient (cscs boottest --help)
  replicate  run the whole Lin & Milhaupt replication (cscs replicate --help)
  robustness the referee's robustness battery for Table 3 model (5) (cscs robustness --help)
  synth      regenerate the synthetic replication data set (cscs synth --help)
`;

async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  const name = args[0];
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`cscs: unknown command '${name}'\n${usage}`);
    return 2;
  }
  try {
    const mod = await load();
    const code = await mod.run(args.slice(1));
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    if (err instanceof InputError && !debug) {
      process.stderr.write(`cscs ${name}: error: ${err.message}\n`);
      return 1;
    }
    if (debug) process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    else process.stderr.write(`cscs ${name}: internal error: ${(err as Error).message} (rerun with --debug for the stack trace)\n`);
    return err instanceof InputError ? 1 : 70;
  }
}

process.exitCode = await main(process.argv.slice(2));
