/**
 * An error caused by the user's input (a file, a cell, a formula token), not by a bug.
 * The CLI prints only its message (one line) and exits non-zero; other errors are bugs and
 * print a stack trace only with --debug.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** "file.csv, row 12, column 'leverage': ..." — rows count data rows from 1 after the header, as a spreadsheet shows them minus the header. */
export function cellError(file: string, row: number | null, column: string | null, message: string): InputError {
  const parts = [file];
  if (row !== null) parts.push(`row ${row}`);
  if (column !== null) parts.push(`column '${column}'`);
  return new InputError(`${parts.join(', ')}: ${message}`);
}
