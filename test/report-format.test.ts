import { describe, expect, it } from 'vitest';
import { formatFixed, formatInteger, formatLevel, formatPercent, starCount, starLegend } from '../src/report/format.ts';

describe('formatFixed', () => {
  // Expected strings are what R 4.2 `sprintf("%.<d>f", x)` (C printf) prints; R was run on each:
  //   sprintf("%.2f", c(0.125, 0.375, -0.125))        -> "0.12" "0.38" "-0.12"
  //   sprintf("%.0f", c(2.5, 3.5, 0.5, 123456.5))     -> "2" "4" "0" "123456"
  //   sprintf("%.3f", c(1.005, -50.7849, -0.0001, 52.5845, 0.0625, -0.0625, 0.03125, 579.2684, 0.11749))
  //     -> "1.005" "-50.785" "-0.000" "52.584" "0.062" "-0.062" "0.031" "579.268" "0.117"
  // 0.125, 0.375, 2.5, ... are exact binary ties: printf rounds them to the even digit, while JS
  // toFixed would round them up; 52.5845 is stored as 52.58449999... and rounds down.
  const cases: [number, number, string][] = [
    [0.125, 2, '0.12'],
    [0.375, 2, '0.38'],
    [-0.125, 2, '-0.12'],
    [2.5, 0, '2'],
    [3.5, 0, '4'],
    [0.5, 0, '0'],
    [123456.5, 0, '123456'],
    [1.005, 3, '1.005'],
    [-50.7849, 3, '-50.785'],
    [-0.0001, 3, '-0.000'],
    [52.5845, 3, '52.584'],
    [0.0625, 3, '0.062'],
    [-0.0625, 3, '-0.062'],
    [0.03125, 3, '0.031'],
    [579.2684, 3, '579.268'],
    [0.11749, 3, '0.117'],
  ];
  it.each(cases)('formatFixed(%d, %d) = %s as printf', (x, d, want) => {
    expect(formatFixed(x, d)).toBe(want);
  });
  it('prints missing values as Stata does', () => {
    expect(formatFixed(NaN, 3)).toBe('.');
    expect(formatFixed(Infinity, 3)).toBe('.');
  });
  it('integers and percentages', () => {
    expect(formatInteger(414)).toBe('414');
    expect(formatInteger(28155)).toBe('28155');
    expect(formatPercent(79.47 / 80 * 100, 2)).toBe('99.34%'); // 99.3375 -> 99.34
    expect(formatPercent(1.25, 2)).toBe('1.25%');
  });
});

describe('stars', () => {
  it('counts thresholds strictly above p, at the edges', () => {
    // * p<0.10, ** p<0.05, *** p<0.01: a p exactly at a threshold does not pass it.
    expect(starCount(0.1)).toBe(0);
    expect(starCount(0.0999)).toBe(1);
    expect(starCount(0.05)).toBe(1);
    expect(starCount(0.0499)).toBe(2);
    expect(starCount(0.01)).toBe(2);
    expect(starCount(0.0099)).toBe(3);
    expect(starCount(0)).toBe(3);
    expect(starCount(NaN)).toBe(0);
  });
  it('accepts other thresholds', () => {
    const levels = [0.05, 0.01, 0.001];
    expect(starCount(0.0999, levels)).toBe(0);
    expect(starCount(0.0011, levels)).toBe(2);
    expect(starCount(0.0009, levels)).toBe(3);
    expect(starLegend(levels)).toBe('* p<0.05, ** p<0.01, *** p<0.001');
  });
  it('writes the default legend as esttab does', () => {
    expect(starLegend()).toBe('* p<0.10, ** p<0.05, *** p<0.01');
    expect(formatLevel(0.1)).toBe('0.10');
  });
});
