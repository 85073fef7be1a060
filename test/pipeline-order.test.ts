/**
 * Input order does not matter: the replication of test/fixtures/raw-small with every raw file's
 * rows shuffled, its columns permuted, CRLF line ends and a UTF-8 byte-order mark (as Excel's
 * "CSV UTF-8" saves them) writes byte-identical outputs. Every
 * output is ordered by firm id (sample, sample flow) or by the paper's layout (tables, figures),
 * never by input row order, and the estimates do not depend on it either (the engine sees the
 * sample in firm-id order).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../src/data/csv.ts';
import { runReplication } from '../src/study/pipeline.ts';

const RAW = new URL('./fixtures/raw-small/', import.meta.url).pathname;

/** A small seeded LCG, so the shuffle is the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** RFC 4180 quoting for a rewritten cell. */
const quote = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

let root: string;
let outA: string;
let outB: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cscs-order-'));
  const shuffled = join(root, 'raw-small'); // same folder name: the reports print it
  mkdirSync(shuffled);
  const rand = rng(20211);
  for (const f of readdirSync(RAW).filter((x) => x.endsWith('.csv'))) {
    const csv = parseCsv(readFileSync(join(RAW, f), 'utf8'), f);
    const perm = shuffle(csv.header.map((_, j) => j), rand);
    const rows = shuffle(csv.rows, rand);
    const lines = [perm.map((j) => csv.header[j]), ...rows.map((r) => perm.map((j) => r[j]))].map((r) => r.map(quote).join(','));
    writeFileSync(join(shuffled, f), `\ufeff${lines.join('\r\n')}\r\n`);
  }
  outA = join(root, 'a');
  outB = join(root, 'b');
  await runReplication(RAW, outA);
  await runReplication(shuffled, outB);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('replication does not depend on row or column order of the raw files', () => {
  it('writes the same set of files', () => {
    expect(readdirSync(outB).sort()).toEqual(readdirSync(outA).sort());
  });
  it('every output file is byte-identical', () => {
    for (const f of readdirSync(outA)) expect(readFileSync(join(outB, f)).equals(readFileSync(join(outA, f))), f).toBe(true);
  });
});
