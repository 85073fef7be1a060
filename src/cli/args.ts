/**
 * Command-line option parsing shared by the sub-commands: `--name value`, `--name=value` and
 * boolean `--flag`. Anything unknown or malformed is an InputError with a one-line message.
 */
import { InputError } from '../errors.ts';

export interface OptionSpec {
  /** 'string' options take a value; 'boolean' options are flags. */
  type: 'string' | 'boolean';
  /** Single-letter alias without dash, e.g. 'h' for -h. */
  short?: string;
  /**
   * Positional arguments that were probably meant as this option's value (a CSV path for --data,
   * a formula for --formula, as `regress y x` or `lm(y ~ x, data)` habits type them): the error
   * then suggests the option.
   */
  meantFor?: RegExp;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** `meantFor` patterns: a path to a delimited text file, and a model formula. */
export const CSV_PATH = /\.(csv|tsv|txt)$/i;
export const FORMULA = /~/;

/** Parsed options: strings for value options, true for flags given; absent keys were not given. */
export type ParsedOptions = Record<string, string | boolean | undefined>;

/**
 * Parses `argv` against `specs` (keys are option names without the leading '--').
 * `command` names the sub-command in messages ("cscs fit"). Positional arguments are rejected,
 * and so is an option given twice.
 */
export function parseOptions(argv: readonly string[], specs: OptionSpecs, command: string): ParsedOptions {
  const out: ParsedOptions = {};
  const byShort = new Map(Object.entries(specs).flatMap(([name, s]) => (s.short ? [[s.short, name] as const] : [])));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else if (/^-[A-Za-z]$/.test(arg) && byShort.has(arg[1])) {
      name = byShort.get(arg[1])!;
    } else if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
      throw new InputError(`unknown option '${arg}' (see ${command} --help)`);
    } else {
      throw new InputError(`unexpected argument '${arg}' (${positionalHint(arg, specs)}options take the form --name value; see ${command} --help)`);
    }
    const spec = specs[name];
    if (!spec) throw new InputError(`unknown option '--${name}' (see ${command} --help)`);
    if (out[name] !== undefined) throw new InputError(`option '--${name}' given more than once`);
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new InputError(`option '--${name}' takes no value`);
      out[name] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new InputError(`option '--${name}' needs a value`);
      }
      value = next;
      i++;
    }
    out[name] = value;
  }
  return out;
}

/** "did you mean --name ARG? " for the first option whose `meantFor` matches `arg`, else "". */
function positionalHint(arg: string, specs: OptionSpecs): string {
  const name = Object.keys(specs).find((k) => specs[k].meantFor?.test(arg));
  return name === undefined ? '' : `did you mean --${name} ${/\s/.test(arg) ? `"${arg}"` : arg}? `;
}

/** The string value of an option, or undefined. */
export function stringOption(opts: ParsedOptions, name: string): string | undefined {
  const v = opts[name];
  return typeof v === 'string' ? v : undefined;
}
