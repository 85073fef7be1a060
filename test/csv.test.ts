import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inputErrorMessage } from './helpers.ts';
import {
  notNumberReason,
  numericColumn,
  parseCsv,
  parseNumberCell,
  readCsv,
  requireColumns,
  stringColumn,
  toDataTable,
} from '../src/data/csv.ts';

const err = inputErrorMessage;

describe('parseCsv (RFC 4180)', () => {
  it('parses quoted fields with commas, doubled quotes and newlines, CRLF and LF', () => {
    const text = 'name,x,note\r\n"Smith, J",1,"said ""hi"""\r\nplain,2,"two\nlines"\n"",3,\n';
    const csv = parseCsv(text, 'a.csv');
    expect(csv.header).toEqual(['name', 'x', 'note']);
    expect(csv.rows).toEqual([
      ['Smith, J', '1', 'said "hi"'],
      ['plain', '2', 'two\nlines'],
      ['', '3', ''],
    ]);
  });

  it('accepts a last line without newline, a header-only file and trailing blank lines', () => {
    expect(parseCsv('a,b\n1,2', 'f.csv').rows).toEqual([['1', '2']]);
    expect(parseCsv('a,b\n', 'f.csv').rows).toEqual([]);
    expect(parseCsv('a,b\n1,2\n\n\n', 'f.csv').rows).toEqual([['1', '2']]);
    expect(parseCsv('a\n1\n\n2\n', 'f.csv').rows).toEqual([['1'], [''], ['2']]);
  });

  it('handles a trailing comma, CR-only line ends and CRLF inside quotes', () => {
    expect(parseCsv('a,b\n1,', 'f.csv').rows).toEqual([['1', '']]);
    expect(parseCsv('a,b\r1,2\r3,4', 'f.csv').rows).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(parseCsv('a,b\r\n"x\r\ny",2\r\n', 'f.csv').rows).toEqual([['x\r\ny', '2']]);
    expect(parseCsv('a,b\nx"y,""""\n', 'f.csv').rows).toEqual([['x"y', '"']]);
  });

  it('skips a UTF-8 byte-order mark (Excel "CSV UTF-8"), as readr and pandas do', () => {
    expect(parseCsv('\ufeffa,b\n1,2\n', 'bom.csv')).toEqual({ file: 'bom.csv', header: ['a', 'b'], rows: [['1', '2']] });
    // Only the leading mark: one inside a field is data.
    expect(parseCsv('a\n\ufeffx\n', 'f.csv').rows).toEqual([['\ufeffx']]);
  });

  it('trims header names', () => {
    expect(parseCsv(' a , b\n1,2\n', 'f.csv').header).toEqual(['a', 'b']);
  });

  it('raises specific errors', () => {
    expect(err(() => parseCsv('', 'e.csv'))).toBe('e.csv: file is empty (no header row)');
    expect(err(() => parseCsv('a;b;c\n1;2;3\n', 's.csv'))).toMatch(/^s\.csv: header looks semicolon-delimited/);
    expect(err(() => parseCsv('a\tb\n1\t2\n', 't.csv'))).toMatch(/^t\.csv: header looks tab-delimited/);
    const rows = ['a,b,c,d,e,f', ...Array.from({ length: 11 }, () => '1,2,3,4,5,6'), '1,2,3,4,5'].join('\n');
    expect(err(() => parseCsv(rows, 'w.csv'))).toBe('w.csv: row 12 has 5 fields, header has 6');
    expect(err(() => parseCsv('a,b,a\n1,2,3\n', 'd.csv'))).toBe("d.csv: duplicate column name 'a' (header columns 1 and 3)");
    expect(err(() => parseCsv('a,,c\n1,2,3\n', 'd.csv'))).toBe('d.csv: header column 2 has an empty name');
    expect(err(() => parseCsv('a,b\n1,2\n3,"oops\n4,5\n', 'q.csv'))).toBe('q.csv, row 2: unterminated quoted field starting on line 3');
    expect(err(() => parseCsv('a,b\n"x"y,2\n', 'q.csv'))).toMatch(/^q\.csv, row 1: unexpected character 'y' after closing quote/);
    expect(err(() => parseCsv('a,b\n1,2\n\n3,4\n', 'b.csv'))).toBe('b.csv: row 2 is a blank line; delete it (a missing value is an empty field between commas)');
    expect(err(() => parseCsv('a,b\n1,2\n3\n', 'b.csv'))).toBe('b.csv: row 2 has 1 field, header has 2');
  });

  it('readCsv reports a missing file and reads a real one', () => {
    expect(err(() => readCsv('/nonexistent/x.csv'))).toBe('/nonexistent/x.csv: file not found');
    const dir = mkdtempSync(join(tmpdir(), 'csv-'));
    const p = join(dir, 'ok.csv');
    writeFileSync(p, 'y,x\n1,2\n');
    expect(readCsv(p)).toEqual({ file: p, header: ['y', 'x'], rows: [['1', '2']] });
    const u16 = join(dir, 'u16.csv');
    writeFileSync(u16, Buffer.from([0xff, 0xfe, 0x61, 0x00]));
    expect(err(() => readCsv(u16))).toMatch(/UTF-16/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('numbers and columns', () => {
  it('parses numbers strictly', () => {
    expect(parseNumberCell('1e3')).toBe(1000);
    expect(parseNumberCell('-0.5')).toBe(-0.5);
    expect(parseNumberCell(' .5 ')).toBe(0.5);
    expect(parseNumberCell('+2.')).toBe(2);
    for (const bad of ['12abc', '1,5', '0x10', 'Inf', 'NaN', '1e', '-', '1 2', '1e999']) {
      expect(parseNumberCell(bad)).toBeNaN();
    }
  });

  const csv = parseCsv('id,x,g,s\n1,1.5,a,\n2,NA,b,x\n3,.,10,y\n4,-2e-1,,z\n', 'c.csv');

  it('toDataTable infers numeric vs categorical and maps missing cells', () => {
    const t = toDataTable(csv);
    expect(t.nrows).toBe(4);
    expect(t.source).toBe('c.csv');
    expect(Array.from(t.columns.x as Float64Array)).toEqual([1.5, NaN, NaN, -0.2]);
    expect(t.columns.id).toBeInstanceOf(Float64Array);
    expect(t.columns.g).toEqual(['a', 'b', '10', null]);
    expect(t.columns.s).toEqual([null, 'x', 'y', 'z']);
    const forced = toDataTable(csv, { categorical: ['id'] });
    expect(forced.columns.id).toEqual(['1', '2', '3', '4']);
  });

  it('a column requested as numeric with a non-numeric cell names file, row, column and value', () => {
    expect(err(() => toDataTable(csv, { numeric: ['g'] }))).toBe(
      "c.csv, row 1, column 'g': 'a' is not a number (numeric column required)",
    );
    expect(err(() => numericColumn(csv, 'g'))).toBe("c.csv, row 1, column 'g': 'a' is not a number (numeric column required)");
    expect(err(() => toDataTable(csv, { numeric: ['nope'] }))).toBe("c.csv: missing column 'nope' (columns are: id, x, g, s)");
  });

  it('overflowing numbers and R-style Inf / NaN get their own reason', () => {
    const odd = parseCsv('x\n1\n1e400\n', 'o.csv');
    expect(err(() => numericColumn(odd, 'x'))).toBe("o.csv, row 2, column 'x': '1e400' is beyond the double-precision range (about 1.8e308)");
    for (const cell of ['Inf', '-inf', 'NaN', 'Infinity']) {
      expect(err(() => numericColumn(parseCsv(`x\n${cell}\n`, 'o.csv'), 'x'))).toBe(
        `o.csv, row 1, column 'x': '${cell}' is not a finite number (write a missing value as an empty cell, NA or .)`,
      );
    }
    expect(notNumberReason('0x10')).toBe("'0x10' is not a number");
  });

  it('requireColumns names every missing column; stringColumn keeps strings', () => {
    expect(err(() => requireColumns(csv, ['id', 'a', 'b']))).toBe("c.csv: missing columns 'a', 'b' (columns are: id, x, g, s)");
    expect(() => requireColumns(csv, ['id', 'x'])).not.toThrow();
    expect(stringColumn(csv, 'x')).toEqual(['1.5', null, null, '-2e-1']);
  });
});
