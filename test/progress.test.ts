/**
 * Terminal progress: written only to an interactive stream, throttled, one line per stage, and
 * silent otherwise (so piped output, --json runs and tests stay clean).
 */
import { describe, expect, it } from 'vitest';
import { terminalProgress } from '../src/cli/progress.ts';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; out: string[] } {
  const out: string[] = [];
  const stream = { isTTY, write: (s: string) => (out.push(s), true) } as unknown as NodeJS.WriteStream;
  return { stream, out };
}

describe('terminalProgress', () => {
  it('writes nothing when the stream is not a terminal', () => {
    const { stream, out } = fakeStream(false);
    const p = terminalProgress(stream);
    p('bootstrap', 0, 10);
    p('bootstrap', 10, 10);
    expect(out).toEqual([]);
  });
  it('rewrites one line per stage, at most every 100 ms, and ends the stage with a newline', () => {
    const { stream, out } = fakeStream(true);
    let t = 0;
    const p = terminalProgress(stream, () => t);
    p('bootstrap', 0, 200);
    t = 50;
    p('bootstrap', 100, 200); // throttled: within 100 ms of the last update
    t = 150;
    p('bootstrap', 150, 200);
    t = 160;
    p('bootstrap', 200, 200); // the last step is always shown
    t = 2000;
    p('leave one city out', 11, 11);
    expect(out.join('')).toBe(
      '\rbootstrap: 0/200 (0%), 0.0 s' + '\rbootstrap: 150/200 (75%), 0.1 s' + '\rbootstrap: 200/200 (100%), 0.2 s\n' + '\rleave one city out: 11/11 (100%), 2.0 s\n',
    );
  });
});
