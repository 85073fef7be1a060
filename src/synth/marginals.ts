/**
 * Exact marginal distributions for the synthetic covariates: turn a plausible random draw into a
 * sorted set of values whose summary statistics (after the pipeline's 0.5% winsorization, Stata
 * _pctile type 2) equal published Table 2 targets. Only the sorted values are made here; which
 * firm gets which value is decided elsewhere (covariates.ts, by rank of a latent factor), so the
 * marginals stay exact whatever the joint structure.
 */

/** Printed Table 2 statistics of one variable (means and SDs with n - 1). */
export interface MomentTarget {
  mean: number;
  sd: number;
  min: number;
  median: number;
  max: number;
}

/** Mean and sample SD (n - 1) of a list. */
export function meanSd(x: ArrayLike<number>): { mean: number; sd: number } {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - mean) ** 2;
  return { mean, sd: Math.sqrt(ss / (n - 1)) };
}

/**
 * 0-based positions of the sorted sample that Stata _pctile (type 2) uses for probability p:
 * with P = n p, x[P] and x[P+1] (1-based) when P is an integer, else x[floor(P)+1].
 */
export function type2Positions(n: number, p: number): number[] {
  const P = n * p;
  if (Number.isInteger(P)) return P === 0 ? [0] : P >= n ? [n - 1] : [P - 1, P];
  return [Math.floor(P)];
}

/** Median positions (0-based) of a sorted sample of size n. */
function medianPositions(n: number): number[] {
  return n % 2 === 0 ? [n / 2 - 1, n / 2] : [(n - 1) / 2];
}

/** Winsorized copy of sorted values at the type-2 quantiles of p and 1 - p. */
function winsorSorted(v: number[], p: number): number[] {
  const lo = v[type2Positions(v.length, p)[0]];
  const hiPos = type2Positions(v.length, 1 - p);
  const hi = v[hiPos[hiPos.length - 1]];
  return v.map((x) => Math.min(hi, Math.max(lo, x)));
}

/**
 * Sorted raw values of a continuous variable such that, after winsorizing at p per tail,
 * mean / SD equal the target (to ~1e-12) and the type-2 min bound, median and max bound equal
 * the target exactly. The shape comes from `draws` (any plausible random sample of size n):
 * each half between its winsor bound and the median is re-shaped by a power map t -> t^gamma
 * (monotone, endpoints fixed), with the two gammas solved by Newton's method. Observations beyond
 * the bounds keep the draw's tail shape (they are clipped by the pipeline anyway), strictly
 * outside the bound, at most `tailCap` x (max - min) beyond it (no absurd outliers).
 * Throws when the target is out of reach for this draw (then use another draw).
 */
export function matchContinuous(draws: readonly number[], t: MomentTarget, p = 0.005, tailCap = 0.35): number[] {
  const n = draws.length;
  const d = [...draws].sort((a, b) => a - b);
  const loPos = type2Positions(n, p);
  const hiPos = type2Positions(n, 1 - p);
  const medPos = medianPositions(n);
  const iLo = loPos[loPos.length - 1]; // last position fixed at min
  const iHi = hiPos[0]; // first position fixed at max
  const mLo = medPos[0];
  const mHi = medPos[medPos.length - 1];
  if (!(iLo < mLo && mHi < iHi)) throw new Error('matchContinuous: sample too small');
  // Two middle values straddle the median slightly so no two firms tie exactly.
  const half = mLo === mHi ? 0 : Math.min(t.median - t.min, t.max - t.median) * 0.002;
  const medLo = t.median - half;
  const medHi = t.median + half;
  const dLo = d[iLo];
  const dHi = d[iHi];
  const dMedLo = d[mLo];
  const dMedHi = d[mHi];
  if (!(dLo < dMedLo && dMedHi < dHi)) throw new Error('matchContinuous: degenerate draws');

  const range = t.max - t.min;
  const build = (gL: number, gU: number): number[] => {
    const v = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      if (i <= iLo && loPos.includes(i)) v[i] = t.min;
      else if (hiPos.includes(i)) v[i] = t.max;
      else if (i === mLo) v[i] = medLo;
      else if (i === mHi) v[i] = medHi;
      else if (i < iLo) {
        // Below the bound: keep the draw's tail, scaled like the lower half, strictly below min.
        const scale = (medLo - t.min) / (dMedLo - dLo);
        const ext = Math.max((dLo - d[i]) * scale, (iLo - i) * 1e-3 * range);
        v[i] = t.min - Math.min(ext, tailCap * range * (1 - 0.5 * (i / iLo)));
      } else if (i > iHi) {
        const scale = (t.max - medHi) / (dHi - dMedHi);
        const ext = Math.max((d[i] - dHi) * scale, (i - iHi) * 1e-3 * range);
        v[i] = t.max + Math.min(ext, tailCap * range * (1 - 0.5 * ((n - 1 - i) / (n - 1 - iHi))));
      } else if (i < mLo) {
        const u = (dMedLo - d[i]) / (dMedLo - dLo);
        v[i] = medLo - (medLo - t.min) * u ** gL;
      } else {
        const u = (d[i] - dMedHi) / (dHi - dMedHi);
        v[i] = medHi + (t.max - medHi) * u ** gU;
      }
    }
    return v;
  };
  const resid = (a: number, b: number): [number, number] => {
    const m = meanSd(winsorSorted(build(Math.exp(a), Math.exp(b)), p));
    return [(m.mean - t.mean) / t.sd, (m.sd - t.sd) / t.sd];
  };

  let a = 0;
  let b = 0;
  for (let iter = 0; iter < 200; iter++) {
    const r = resid(a, b);
    if (Math.abs(r[0]) < 1e-13 && Math.abs(r[1]) < 1e-13) return build(Math.exp(a), Math.exp(b));
    const h = 1e-6;
    const ra = resid(a + h, b);
    const rb = resid(a, b + h);
    const j11 = (ra[0] - r[0]) / h;
    const j21 = (ra[1] - r[1]) / h;
    const j12 = (rb[0] - r[0]) / h;
    const j22 = (rb[1] - r[1]) / h;
    const det = j11 * j22 - j12 * j21;
    if (!Number.isFinite(det) || Math.abs(det) < 1e-300) break;
    let da = (-r[0] * j22 + r[1] * j12) / det;
    let db = (-j11 * r[1] + j21 * r[0]) / det;
    // Damped step: gammas move at most by a factor e per iteration.
    const len = Math.max(Math.abs(da), Math.abs(db));
    if (len > 1) {
      da /= len;
      db /= len;
    }
    a += da;
    b += db;
    if (Math.abs(a) > 8 || Math.abs(b) > 8) break;
  }
  const r = resid(a, b);
  if (Math.abs(r[0]) < 1e-9 && Math.abs(r[1]) < 1e-9) return build(Math.exp(a), Math.exp(b));
  throw new Error(`matchContinuous: could not reach mean ${t.mean}, sd ${t.sd} from this draw`);
}

/**
 * Sorted integers with the target min, median and max and mean / SD within `tol` of the target:
 * starts from the rounded draws and moves single values by +-1 (greedy, deterministic), never
 * touching the one minimum and the one maximum and keeping the median.
 */
export function matchInteger(draws: readonly number[], t: MomentTarget, tol = 0.001): number[] {
  const n = draws.length;
  // Pin the extremes; the interior is first rescaled (affine) so the whole sample has about the
  // target mean and SD, then rounded, so only a few +-1 moves remain (keeps the draw's shape).
  const d = [...draws].sort((a, b) => a - b).slice(1, n - 1);
  const m = n - 2;
  const innerMean = (t.mean * n - t.min - t.max) / m;
  const innerSs = t.sd ** 2 * (n - 1) + n * t.mean ** 2 - t.min ** 2 - t.max ** 2 - m * innerMean ** 2;
  const innerSd = Math.sqrt(Math.max(innerSs, 0) / (m - 1));
  const dm = d.reduce((a, b) => a + b, 0) / m;
  const dsd = Math.sqrt(d.reduce((a, b) => a + (b - dm) ** 2, 0) / (m - 1));
  const v = [t.min, ...d.map((x) => Math.min(t.max - 1, Math.max(t.min, Math.round(innerMean + ((x - dm) * innerSd) / dsd)))), t.max];
  v.sort((a, b) => a - b);
  // Median: pull the values nearest the middle onto it until each side holds at most half.
  const half = Math.floor((n - 1) / 2);
  v.sort((a, b) => a - b);
  const mp = medianPositions(n);
  for (let j = 1; j < n - 1; j++) {
    if (j < mp[0] && v[j] > t.median) v[j] = t.median;
    else if (j > mp[mp.length - 1] && v[j] < t.median) v[j] = t.median;
    else if (j >= mp[0] && j <= mp[mp.length - 1]) v[j] = t.median;
  }
  let s = 0;
  let q = 0;
  for (const x of v) {
    s += x;
    q += x * x;
  }
  const loss = (s2: number, q2: number): number => {
    const mean = s2 / n;
    const sd = Math.sqrt((q2 - n * mean * mean) / (n - 1));
    return ((mean - t.mean) / tol) ** 2 + ((sd - t.sd) / tol) ** 2;
  };
  for (let step = 0; step < 100000; step++) {
    const cur = loss(s, q);
    const mean = s / n;
    if (Math.abs(mean - t.mean) <= tol && Math.abs(Math.sqrt((q - n * mean * mean) / (n - 1)) - t.sd) <= tol) break;
    let best = cur;
    let bi = -1;
    let bd = 0;
    let below = 0;
    let above = 0;
    for (const x of v) {
      if (x < t.median) below++;
      else if (x > t.median) above++;
    }
    const okMove = (x: number, y: number, blw: number, abv: number): boolean => {
      if (y <= t.min || y >= t.max) return false;
      // Median rule: at most `half` values strictly on each side of it.
      if (x === t.median && y < t.median && blw + 1 > half) return false;
      if (x === t.median && y > t.median && abv + 1 > half) return false;
      return true;
    };
    for (let i = 1; i < n - 1; i++) {
      for (const dlt of [-1, 1]) {
        const x = v[i];
        const y = x + dlt;
        if (!okMove(x, y, below, above)) continue;
        const l = loss(s + dlt, q - x * x + y * y);
        if (l < best - 1e-12) {
          best = l;
          bi = i;
          bd = dlt;
        }
      }
    }
    // Paired moves (+1 on one value, -1 on another) change the SD at a fixed mean.
    let bj = -1;
    if (bi < 0) {
      const stride = Math.max(1, Math.floor(n / 40));
      for (let i = 1; i < n - 1; i += stride) {
        for (let j = 1; j < n - 1; j += stride) {
          if (i === j) continue;
          const xi = v[i];
          const xj = v[j];
          if (!okMove(xi, xi + 1, below, above) || !okMove(xj, xj - 1, below, above)) continue;
          if (xi === t.median && xj === t.median) continue;
          const l = loss(s, q - xi * xi + (xi + 1) ** 2 - xj * xj + (xj - 1) ** 2);
          if (l < best - 1e-12) {
            best = l;
            bi = i;
            bj = j;
            bd = 1;
          }
        }
      }
      if (bj >= 0) {
        const xj = v[bj];
        v[bj] = xj - 1;
        q += (xj - 1) ** 2 - xj * xj;
      }
    }
    if (bi < 0) throw new Error(`matchInteger: stuck before reaching the target (mean ${s / n}, sumsq ${q}, below ${below}, above ${above})`);
    const x = v[bi];
    v[bi] = x + bd;
    s += bd;
    q += (x + bd) ** 2 - x * x;
    v.sort((a, b) => a - b);
  }
  return v;
}

/**
 * Positive values (sorted) whose sum and sum of squares are exactly `sum` and `sumSq`: the largest
 * is pinned at `max`, the others are c * u^gamma for the given draws u in (0, 1), with gamma found
 * by bisection and c by the sum. Used for state shareholding (zero for most firms).
 */
export function matchPositive(u: readonly number[], max: number, sum: number, sumSq: number): number[] {
  const rest = [...u].sort((a, b) => a - b);
  const S = sum - max;
  const Q = sumSq - max * max;
  if (!(S > 0 && Q > 0)) throw new Error('matchPositive: max too large for the target sums');
  const at = (g: number): { vals: number[]; q: number } => {
    const pw = rest.map((x) => x ** g);
    const tot = pw.reduce((a, b) => a + b, 0);
    const vals = pw.map((x) => (x * S) / tot);
    return { vals, q: vals.reduce((a, b) => a + b * b, 0) };
  };
  // Larger gamma spreads the values (more unequal), raising the sum of squares at fixed sum.
  let lo = 0.01;
  let hi = 20;
  if (at(lo).q > Q || at(hi).q < Q) throw new Error('matchPositive: sum of squares out of reach');
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (at(mid).q < Q) lo = mid;
    else hi = mid;
  }
  const vals = at((lo + hi) / 2).vals;
  if (vals[vals.length - 1] >= max) throw new Error('matchPositive: a value exceeds the pinned max');
  return [...vals, max];
}
