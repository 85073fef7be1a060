/**
 * Test helpers shared by several test files: the message of an expected InputError, spawning the
 * CLI, and relative comparison with reference numbers. Reference values themselves stay in the tests.
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { InputError } from '../src/errors.ts';
import { createRng } from '../src/stats/rng.ts';
import type { SynthFirm } from '../src/synth/types.ts';

/** The message of the InputError `f` throws (fails the test when it throws anything else or nothing). */
export function inputErrorMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

/** Runs `node bin/cscs.mjs <command> ...args` in the checkout and returns exit code and output. */
export function cscs(command: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/cscs.mjs', command, ...args], { encoding: 'utf8', cwd: process.cwd() });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `cscs fit ... --json`, parsed; asserts a clean exit. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function fitJson(...args: string[]): any {
  const r = cscs('fit', ...args, '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

/** `got` equals `want` within relative tolerance `tol` (null: both missing). */
export function close(got: number | null, want: number | null, what: string, tol = 1e-8): void {
  if (want === null) {
    expect(got, what).toBeNull();
    return;
  }
  expect(got, what).not.toBeNull();
  const rel = Math.abs((got as number) - want) / Math.max(Math.abs(want), 1e-300);
  expect(rel, `${what}: ${got} vs R ${want}`).toBeLessThanOrEqual(tol);
}

/**
 * A firm's 18 score columns: full marks in every indicator except Social Responsibility (0, with
 * Charity and Honesty Records 0), then `over`. `total` is given, not summed: callers choose it.
 */
export function scoresRecord(total: number, over: Record<string, number> = {}): Record<string, number> {
  return {
    total,
    basic_data: 80,
    finance_taxation: 195,
    governance: 90,
    compliance: 450,
    social_responsibility: 0,
    key_personnel: 40,
    business_operation: 40,
    financial_condition: 135,
    tax: 60,
    product_quality: 30,
    production_safety: 30,
    environmental_protection: 30,
    administrative_management: 200,
    judicial_records: 130,
    serious_dishonest_acts: 120,
    charity: 0,
    honesty_records: 0,
    ...over,
  };
}

/**
 * Splits one CSV line on commas outside double quotes (quotes dropped): a deliberately minimal
 * reader for fixtures, independent of src/data/csv.ts so tests of the engine do not rest on it.
 */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** 150 invented firms, 120 in the sample, 4 industries, 3 cities. */
export function smallFirms(): SynthFirm[] {
  const r = createRng(11);
  return Array.from({ length: 150 }, (_, i) => ({
    firm_id: `T-${i}`,
    name: `Test ${i}`,
    city: ['A', 'B', 'C'][i % 3],
    industry: ['C26', 'C38', 'C35', 'I65'][(i * 7) % 4],
    established: '2000-01-01',
    listed: '2010-01-01',
    inSample: i < 120,
    x: {
      independent_director_pct: 0.33 + 0.05 * r.uniform(),
      leverage: 0.2 + 0.5 * r.uniform(),
      roa: 0.04 + 0.05 * r.normal(),
      soe: r.bernoulli(0.2) ? 1 : 0,
      state_share: r.bernoulli(0.1) ? 0.2 * r.uniform() : 0,
      party_building: r.bernoulli(0.25) ? 1 : 0,
      political_connection: r.bernoulli(0.5) ? 1 : 0,
      firm_size: 22 + r.normal(),
      firm_age: 15 + r.int(0, 20),
      book_to_market: 0.3 + 0.6 * r.uniform(),
    },
  }));
}
