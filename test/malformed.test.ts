/**
 * Malformed raw folders: each case copies test/fixtures/raw-small into a temp dir, breaks one thing,
 * and runs the real CLI (`node bin/cscs.mjs replicate --data X --out Y`). Each must exit 1 with one
 * line naming the file, row and column, and leave the pre-existing output folder untouched
 * (same listing, same sentinel bytes, no staging folder left beside it).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../src/data/csv.ts';

const here = new URL('.', import.meta.url).pathname;
const REPO = join(here, '..');
const RAW = join(here, 'fixtures/raw-small');

/** Breaks a copy of raw-small in folder `dir`. */
type Breaker = (dir: string) => void;

interface Case {
  name: string;
  breakIt: Breaker;
  /** Substrings the error line must contain (file, row, column, what). */
  expect: string[];
  /** Extra CLI arguments. */
  args?: string[];
}

const csvField = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Reads a CSV of the folder, lets `edit` change header/rows, writes it back (LF, minimal quoting). */
function editCsv(dir: string, file: string, edit: (header: string[], rows: string[][]) => void): void {
  const path = join(dir, file);
  const csv = parseCsv(readFileSync(path, 'utf8'), file);
  edit(csv.header, csv.rows);
  writeFileSync(path, [csv.header, ...csv.rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n');
}

/** Sets one cell: `row` counts data rows from 1, as the messages do. */
function setCell(file: string, row: number, column: string, value: string): Breaker {
  return (dir) =>
    editCsv(dir, file, (header, rows) => {
      rows[row - 1][header.indexOf(column)] = value;
    });
}

const cases: Case[] = [
  { name: 'missing file', breakIt: (d) => unlinkSync(join(d, 'executives.csv')), expect: ['executives.csv: file not found'] },
  {
    name: 'missing column',
    breakIt: (d) =>
      editCsv(d, 'firms.csv', (h, rows) => {
        const j = h.indexOf('city');
        h.splice(j, 1);
        rows.forEach((r) => r.splice(j, 1));
      }),
    expect: ["firms.csv: missing column 'city'"],
  },
  {
    name: 'duplicate firm_id',
    breakIt: setCell('firms.csv', 3, 'firm_id', 'F001'),
    expect: ["firms.csv, row 3, column 'firm_id': duplicate firm_id 'F001' (first seen in row 1)"],
  },
  { name: 'non-numeric score', breakIt: setCell('scores.csv', 3, 'governance', 'ninety'), expect: ["scores.csv, row 3, column 'governance': 'ninety' is not a number"] },
  { name: 'out-of-range score', breakIt: setCell('scores.csv', 2, 'charity', '70'), expect: ["scores.csv, row 2, column 'charity': 70 is outside [0, 65]"] },
  {
    // F001 has key_personnel 40 + business_operation 40 = basic_data 80.
    name: 'sub-scores not adding up',
    breakIt: setCell('scores.csv', 1, 'key_personnel', '39'),
    expect: ["scores.csv, row 1, column 'basic_data': basic_data is 80 but key_personnel + business_operation = 79"],
  },
  {
    // F001's first-level scores sum to 787.
    name: 'total not equal to the sum',
    breakIt: setCell('scores.csv', 1, 'total', '788'),
    expect: ["scores.csv, row 1, column 'total': total is 788 but the five first-level scores sum to 787"],
  },
  { name: 'unknown role', breakIt: setCell('executives.csv', 4, 'role', 'cfo'), expect: ["executives.csv, row 4, column 'role': 'cfo' is not one of chair, director, independent_director, ceo, supervisor, executive"] },
  { name: 'unknown rank', breakIt: setCell('executives.csv', 2, 'rank', 'bureau'), expect: ["executives.csv, row 2, column 'rank': 'bureau' is not one of ministry, department, division, section, staff, clerk, none"] },
  { name: 'impossible date', breakIt: setCell('firms.csv', 5, 'established', '2021-02-30'), expect: ["firms.csv, row 5, column 'established': '2021-02-30' is not a calendar date in YYYY-MM-DD form"] },
  { name: 'date in another format', breakIt: setCell('scores.csv', 6, 'collected', '07/01/2021'), expect: ["scores.csv, row 6, column 'collected': '07/01/2021' is not a calendar date"] },
  { name: 'empty file', breakIt: (d) => writeFileSync(join(d, 'governance.csv'), ''), expect: ['governance.csv: file is empty (no header row)'] },
  {
    name: 'UTF-16 file',
    breakIt: (d) => writeFileSync(join(d, 'firms.csv'), Buffer.from('\ufeff' + readFileSync(join(d, 'firms.csv'), 'utf8'), 'utf16le')),
    expect: ['firms.csv: file is UTF-16 encoded; save it as UTF-8'],
  },
  {
    name: 'semicolon delimiter',
    breakIt: (d) => writeFileSync(join(d, 'party_building.csv'), readFileSync(join(d, 'party_building.csv'), 'utf8').replace(/,/g, ';')),
    expect: ['party_building.csv: header looks semicolon-delimited'],
  },
  { name: 'firm in scores but not in firms', breakIt: setCell('scores.csv', 7, 'firm_id', 'F777'), expect: ["scores.csv, row 7, column 'firm_id': firm 'F777' is not in firms.csv"] },
  {
    name: 'duplicate financials year',
    breakIt: setCell('financials.csv', 2, 'fiscal_year', '2020'), // row 2 is F001's 2019 row
    expect: ["financials.csv, row 2, column 'fiscal_year': duplicate firm_id 'F001', fiscal_year '2020' (first seen in row 1)"],
  },
  {
    name: 'duplicate executive post',
    breakIt: (d) => editCsv(d, 'executives.csv', (_h, rows) => rows.push([...rows[0]])),
    expect: ["executives.csv, row", "column 'role': duplicate firm_id 'F001', person_id 'P1_1', role 'chair' (first seen in row 1)"],
  },
  { name: 'SOE not 0/1', breakIt: setCell('governance.csv', 4, 'soe', '2'), expect: ["governance.csv, row 4, column 'soe': '2' is not 0 or 1"] },
  { name: 'state share above 1', breakIt: setCell('governance.csv', 2, 'state_share', '1.5'), expect: ["governance.csv, row 2, column 'state_share': 1.5 is outside [0, 1]"] },
  {
    name: 'more independent directors than board seats',
    breakIt: setCell('governance.csv', 1, 'independent_directors', '11'),
    expect: ["governance.csv, row 1, column 'independent_directors': 11 independent directors exceed board_size 10"],
  },
  { name: 'zero total assets', breakIt: setCell('financials.csv', 3, 'total_assets', '0'), expect: ["financials.csv, row 3, column 'total_assets': 0 must be greater than 0"] },
  { name: 'amendment date without amendment', breakIt: setCell('party_building.csv', 1, 'amended_on', '2018-05-01'), expect: ["party_building.csv, row 1, column 'amended_on': date 2018-05-01 given but amended is 0, not 1"] },
  { name: 'required value missing', breakIt: setCell('firms.csv', 8, 'listed', ''), expect: ["firms.csv, row 8, column 'listed': value is missing (required)"] },
  {
    name: 'header but no rows',
    breakIt: (d) => writeFileSync(join(d, 'scores.csv'), readFileSync(join(d, 'scores.csv'), 'utf8').split('\n')[0] + '\n'),
    expect: ['scores.csv: file has a header but no data rows'],
  },
  {
    name: 'row with a missing field',
    breakIt: (d) => writeFileSync(join(d, 'governance.csv'), readFileSync(join(d, 'governance.csv'), 'utf8').replace('F002,9,3,1,0.09', 'F002,9,3,1')),
    expect: ['governance.csv: row 2 has 4 fields, header has 5'],
  },
  {
    name: 'established after the score was collected',
    breakIt: setCell('firms.csv', 1, 'established', '2021-07-02'),
    expect: ["firms.csv, row 1, column 'established': 2021-07-02 is after the score collection date 2021-07-01 (scores.csv row 1)"],
  },
  { name: 'bad --listed-before option', breakIt: () => {}, args: ['--listed-before', '2018-02-30'], expect: ["option '--listed-before': '2018-02-30' is not a calendar date"] },
];

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  outBefore: string[];
  outAfter: string[];
  parentBefore: string[];
  parentAfter: string[];
  sentinel: string;
}

const SENTINEL = 'pre-existing output, must survive a failed run\n';
let root: string;
const outcomes = new Map<string, Outcome>();

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/cscs.mjs'), 'replicate', ...args], { cwd: REPO });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function runCase(c: Case, i: number): Promise<void> {
  const base = join(root, `case${i}`);
  const data = join(base, 'data');
  const parent = join(base, 'outparent');
  const out = join(parent, 'figures');
  cpSync(RAW, data, { recursive: true });
  c.breakIt(data);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'table1.txt'), SENTINEL); // a file the pipeline would overwrite
  const outBefore = readdirSync(out).sort();
  const parentBefore = readdirSync(parent).sort();
  const r = await runCli(['--data', data, '--out', out, ...(c.args ?? [])]);
  outcomes.set(c.name, {
    ...r,
    outBefore,
    outAfter: readdirSync(out).sort(),
    parentBefore,
    parentAfter: readdirSync(parent).sort(),
    sentinel: readFileSync(join(out, 'table1.txt'), 'utf8'),
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cscs-malformed-'));
  // A few CLI processes at a time.
  const queue = cases.map((c, i) => () => runCase(c, i));
  const workers = Array.from({ length: 6 }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await job();
  });
  await Promise.all(workers);
}, 300_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('malformed raw folders via the CLI', () => {
  it('has at least 15 cases', () => expect(cases.length).toBeGreaterThanOrEqual(15));

  for (const c of cases) {
    it(c.name, () => {
      const o = outcomes.get(c.name)!;
      expect(o.code).toBe(1);
      expect(o.stdout).toBe('');
      const lines = o.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^cscs replicate: error: /);
      for (const s of c.expect) expect(lines[0]).toContain(s);
      // Output folder untouched; no staging folder left beside it.
      expect(o.outAfter).toEqual(o.outBefore);
      expect(o.sentinel).toBe(SENTINEL);
      expect(o.parentAfter).toEqual(o.parentBefore);
    });
  }

  it('the unbroken copy succeeds (so each failure above is caused by its one change)', async () => {
    const base = join(root, 'ok');
    cpSync(RAW, join(base, 'data'), { recursive: true });
    const r = await runCli(['--data', join(base, 'data'), '--out', join(base, 'out'), '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(join(base, 'out'))).toContain('table3.json');
  });
});

describe('data/README.md documents the schemas the loader enforces', () => {
  it('every file and column, with its required flag', async () => {
    const { RAW_SCHEMAS } = await import('../src/data/schemas.ts');
    const readme = readFileSync(join(REPO, 'data/README.md'), 'utf8');
    for (const schema of RAW_SCHEMAS) {
      const start = readme.indexOf(`## ${schema.file}`);
      expect(start, schema.file).toBeGreaterThan(0);
      const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
      for (const col of schema.columns) {
        // Second-level score columns are documented inside their first-level rows.
        const row = section.split('\n').find((l) => l.startsWith(`| \`${col.name}\` |`));
        if (schema.file === 'scores.csv' && !row) {
          expect(section, col.name).toContain(`\`${col.name}\``);
          continue;
        }
        expect(row, `${schema.file} ${col.name}`).toBeDefined();
        expect(row!.split('|')[3].trim(), `${schema.file} ${col.name}`).toBe(col.optional ? 'no' : 'yes');
      }
    }
  });
});
