/**
 * Terminal progress for long runs (bootstrap, leave-one-out): one line per stage, rewritten in
 * place, at most ~10 updates a second. Only on an interactive stderr, so piped output, --json
 * runs and tests stay clean.
 */
export type ProgressFn = (stage: string, done: number, total: number) => void;

/** A progress reporter writing to `stream`; a no-op when the stream is not a terminal. */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): ProgressFn {
  if (!stream.isTTY) return () => {};
  let last = 0;
  let current = '';
  const start = now();
  return (stage, done, total) => {
    const t = now();
    const finished = done >= total;
    if (stage === current && !finished && t - last < 100) return;
    if (stage !== current && current !== '') stream.write('\n');
    current = stage;
    last = t;
    const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
    stream.write(`\r${stage}: ${done}/${total} (${pct}%), ${((t - start) / 1000).toFixed(1)} s`);
    if (finished) {
      stream.write('\n');
      current = '';
    }
  };
}
