/** Test helper: a FitResult with only the fields the report layer reads filled in. */
import type { FitResult } from '../src/stats/types.ts';

export function fakeFit(rows: { term: string; coef: number; se: number; p: number }[], n: number, r2: number, extra: Partial<FitResult> = {}): FitResult {
  const f64 = (xs: number[]): Float64Array => Float64Array.from(xs);
  const k = rows.length;
  return {
    model: { y: 'y', terms: [], fe: [], intercept: true },
    n,
    k,
    dfResid: n - k,
    terms: rows.map((r) => r.term),
    coef: f64(rows.map((r) => r.coef)),
    vcov: new Float64Array(k * k),
    se: f64(rows.map((r) => r.se)),
    t: f64(rows.map((r) => r.coef / r.se)),
    p: f64(rows.map((r) => r.p)),
    ciLow: new Float64Array(k),
    ciHigh: new Float64Array(k),
    dropped: [],
    r2,
    adjR2: NaN,
    r2Within: null,
    f: NaN,
    fDf1: 0,
    fDf2: 0,
    fP: NaN,
    rmse: NaN,
    rss: NaN,
    tss: NaN,
    missingDropped: 0,
    singletonsDropped: 0,
    vcovInfo: { type: 'HC1', cluster: [], nClusters: null, df: n - k },
    fixedEffects: [],
    residuals: new Float64Array(0),
    fitted: new Float64Array(0),
    rowsUsed: new Int32Array(0),
    ...extra,
  };
}
