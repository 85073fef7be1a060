/**
 * `cscs replicate` with a wrong --data or --out path, or options that empty the sample: one line,
 * exit 1, nothing written. Before the checks, --out pointing at a file was an "internal error" (exit 70) and
 * --out "" wrote all 38 outputs into the working directory.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cscs } from './helpers.ts';

const RAW = 'test/fixtures/raw-small';
const root = mkdtempSync(join(tmpdir(), 'cscs-paths-'));
const aFile = join(root, 'a-file.txt');
writeFileSync(aFile, 'not a folder\n');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const cases: [string, string[], string][] = [
  ['--data does not exist', ['--data', join(root, 'nope'), '--out', join(root, 'o1')], `cscs replicate: error: --data: folder '${join(root, 'nope')}' not found`],
  ['--data is a file', ['--data', `${RAW}/firms.csv`, '--out', join(root, 'o2')], `cscs replicate: error: --data: '${RAW}/firms.csv' is a file; give the folder that holds firms.csv, scores.csv, ...`],
  ['--data is empty', ['--data', '', '--out', join(root, 'o3')], 'cscs replicate: error: --data: empty folder name'],
  ['--out is a file', ['--data', RAW, '--out', aFile], `cscs replicate: error: ${aFile}: is a file, not a folder (choose another --out)`],
  ['--out is below a file', ['--data', RAW, '--out', join(aFile, 'sub')], `cscs replicate: error: ${join(aFile, 'sub')}: a part of the path is a file, not a folder`],
  ['--out is empty', ['--data', RAW, '--out', ''], 'cscs replicate: error: --out: empty folder name'],
  [
    // raw-small has financials for 2019 and 2020 only, so no firm matches fiscal year 1999.
    'a --fiscal-year with no financials empties the sample',
    ['--data', RAW, '--out', join(root, 'o4'), '--fiscal-year', '1999'],
    `cscs replicate: error: ${RAW}: the regression sample is empty (firms in firms.csv: 56; with a credit score (scores.csv): 52; matched to covariates (financials 1999, governance, party building): 0; listed before 2018-03-01: 0; complete cases (regression sample): 0); check --fiscal-year and --listed-before`,
  ],
  [
    // Six firms listed before 2010-01-02 survive; the 11-parameter model (1) cannot be fitted.
    'too few firms for a model names the model',
    ['--data', RAW, '--out', join(root, 'o5'), '--listed-before', '2010-01-02'],
    "cscs replicate: error: model '(1)' for total: analysis sample: the model has 11 parameters but only 6 observations",
  ],
];

describe('cscs replicate: bad --data / --out paths', () => {
  for (const [name, args, message] of cases) {
    it(name, () => {
      const before = readdirSync(process.cwd()).sort();
      const r = cscs('replicate', ...args, '--quiet');
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`${message}\n`);
      expect(readdirSync(process.cwd()).sort()).toEqual(before);
      expect(readdirSync(root).sort()).toEqual(['a-file.txt']);
    });
  }
});
