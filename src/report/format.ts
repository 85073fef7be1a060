/**
 * Number formatting for tables, identical to what C `printf("%.*f")` prints, hence to R's
 * `sprintf`/`formatC` and Stata's `%9.3f` display: the exact binary value is rounded, and an exact
 * tie (possible only for dyadic fractions such as 0.125) goes to the even digit.
 */

/** Fixed-point text of `x` with `digits` decimals; non-finite values print as Stata's missing ".". */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return '.';
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) throw new RangeError(`digits must be an integer in 0..20, got ${digits}`);
  const js = x.toFixed(digits);
  // toFixed breaks exact ties upward (away from zero); printf breaks them to even. Detect a tie
  // from the exact decimal expansion (toFixed(100) is exact for every |x| >= 2^-48, the only range
  // where a tie at <= 20 decimals can occur).
  if (Math.abs(x) >= 1e21) return js;
  const exact = Math.abs(x).toFixed(100);
  const dot = exact.indexOf('.');
  const tail = exact.slice(dot + 1 + digits);
  if (/^50*$/.test(tail)) {
    const lastKept = digits === 0 ? exact[dot - 1] : exact[dot + digits];
    if (Number(lastKept) % 2 === 0) {
      // Round down (toward zero) to keep the even digit: truncate the exact expansion.
      const truncated = digits === 0 ? exact.slice(0, dot) : exact.slice(0, dot + 1 + digits);
      return (x < 0 || Object.is(x, -0) ? '-' : '') + truncated;
    }
  }
  // printf keeps the sign of negative zero ("-0.000"); toFixed drops it.
  return Object.is(x, -0) ? `-${js}` : js;
}

/** A count such as N: an integer with no separators ("28155"), as Stata and R print it. */
export function formatInteger(x: number): string {
  if (!Number.isFinite(x)) return '.';
  return String(Math.round(x));
}

/** A percentage with a trailing percent sign: formatPercent(99.3412, 2) = "99.34%". */
export function formatPercent(x: number, digits: number): string {
  return Number.isFinite(x) ? `${formatFixed(x, digits)}%` : '.';
}

/** Significance thresholds in decreasing order; a p-value strictly below k of them earns k stars. */
export const DEFAULT_STAR_LEVELS: readonly number[] = [0.1, 0.05, 0.01];

/**
 * Number of stars for p: how many thresholds p is strictly below (Stata/esttab convention,
 * so p = 0.05 exactly gets one star, not two). NaN gets none.
 */
export function starCount(p: number, levels: readonly number[] = DEFAULT_STAR_LEVELS): number {
  if (!Number.isFinite(p)) return 0;
  let n = 0;
  for (const level of levels) if (p < level) n++;
  return n;
}

/** Text of a threshold with at least two decimals: 0.1 -> "0.10", 0.001 -> "0.001". */
export function formatLevel(level: number): string {
  const s = String(level);
  const decimals = s.includes('.') ? s.length - s.indexOf('.') - 1 : 0;
  return decimals >= 2 ? s : level.toFixed(2);
}

/** The star legend, e.g. "* p<0.10, ** p<0.05, *** p<0.01", levels sorted from largest. */
export function starLegend(levels: readonly number[] = DEFAULT_STAR_LEVELS): string {
  return [...levels]
    .sort((a, b) => b - a)
    .map((level, i) => `${'*'.repeat(i + 1)} p<${formatLevel(level)}`)
    .join(', ');
}
