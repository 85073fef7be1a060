/**
 * Synthetic covariate values per firm: the target regression variables of the regression
 * sample with exact Table 2 marginals (marginals.ts) and a plausible joint structure (a Gaussian
 * copula: each variable's sorted values are handed out by rank of a correlated latent factor),
 * plus looser draws for the out-of-sample firms. Raw balance-sheet numbers are made from these in
 * rawFiles.ts; the joint structure is refined in jointStructure.ts.
 */
import type { Rng } from '../stats/rng.ts';
import { matchContinuous, matchInteger, matchPositive, type MomentTarget } from './marginals.ts';

/** Unwinsorized target value of each regression variable for one firm (ratios as the raw numbers will give them). */
export interface CovariateValues {
  /** Board composition (independent_director_pct = independent / board). */
  board_size: number;
  independent_directors: number;
  leverage: number;
  roa: number;
  soe: number;
  state_share: number;
  party_building: number;
  political_connection: number;
  firm_size: number;
  firm_age: number;
  book_to_market: number;
}

/** Table 2 targets keyed like the covariates (means/SDs/min/median/max as printed). */
export type Table2Targets = Record<
  'political_connection' | 'party_building' | 'soe' | 'state_share' | 'independent_director_pct' | 'leverage' | 'roa' | 'firm_size' | 'firm_age' | 'book_to_market',
  MomentTarget
>;

const LABEL_KEYS: Record<string, keyof Table2Targets> = {
  'Political Connection': 'political_connection',
  'Party-Building Reform': 'party_building',
  SOE: 'soe',
  '% State Shareholding': 'state_share',
  '% Independent Director': 'independent_director_pct',
  Leverage: 'leverage',
  ROA: 'roa',
  'Firm Size': 'firm_size',
  'Firm Age': 'firm_age',
  'Book-to-Market': 'book_to_market',
};

/** Reads the Table 2 covariate rows of published.json into targets. */
export function table2Targets(published: { table2: { rows: { variable: string; mean: number; sd: number; min: number; median: number; max: number }[] } }): Table2Targets {
  const out: Partial<Table2Targets> = {};
  for (const r of published.table2.rows) {
    const k = LABEL_KEYS[r.variable];
    if (k) out[k] = { mean: r.mean, sd: r.sd, min: r.min, median: r.median, max: r.max };
  }
  for (const k of Object.values(LABEL_KEYS)) if (!out[k]) throw new Error(`published.json table2 lacks ${k}`);
  return out as Table2Targets;
}

/**
 * Count of ones for a binary variable whose mean and SD (n - 1) round to the printed values;
 * the count closest to mean * n that satisfies both.
 */
export function binaryCount(n: number, t: MomentTarget): number {
  const ok = (k: number): boolean => {
    const p = k / n;
    const sd = Math.sqrt((p * (1 - p) * n) / (n - 1));
    return Math.abs(p - t.mean) < 0.005 - 1e-9 && Math.abs(sd - t.sd) < 0.005 - 1e-9;
  };
  const centre = Math.round(t.mean * n);
  for (let d = 0; d <= n; d++) {
    if (centre - d >= 0 && ok(centre - d)) return centre - d;
    if (centre + d <= n && ok(centre + d)) return centre + d;
  }
  throw new Error('binaryCount: no count reproduces the printed mean and SD');
}

/** Board compositions seen among Chinese listed firms (board size, independent directors). */
const BOARD_TYPES: readonly [number, number][] = [
  [7, 2], [6, 2], [9, 3], [12, 4], [15, 5], [11, 4], [8, 3], [10, 4], [5, 2], [7, 3], [9, 4], [8, 4], [6, 3], [5, 3],
];
/** Prior frequencies of BOARD_TYPES (9/3 dominates, as the CSRC one-third rule makes it). */
const BOARD_PRIOR: readonly number[] = [2, 14, 150, 8, 3, 14, 20, 6, 10, 70, 12, 4, 6, 2];

/**
 * Board compositions for n firms whose independent-director ratio has the target mean and SD
 * (within `tol`), min and max present, and median exactly the target type (1/3): start from the
 * prior frequencies and greedily move single firms between types.
 */
export function matchBoards(n: number, t: MomentTarget, tol = 0.0015): [number, number][] {
  const ratio = BOARD_TYPES.map(([b, i]) => i / b);
  const counts = BOARD_PRIOR.map((w) => (w * n) / BOARD_PRIOR.reduce((a, b) => a + b, 0)).map(Math.round);
  const diff = n - counts.reduce((a, b) => a + b, 0);
  counts[2] += diff; // the 9/3 board absorbs rounding
  const minType = ratio.indexOf(Math.min(...ratio));
  const maxType = ratio.indexOf(Math.max(...ratio));
  const stats = (c: number[]): { mean: number; sd: number } => {
    let s = 0;
    let q = 0;
    c.forEach((k, j) => {
      s += k * ratio[j];
      q += k * ratio[j] ** 2;
    });
    const mean = s / n;
    return { mean, sd: Math.sqrt(Math.max(0, (q - n * mean * mean) / (n - 1))) };
  };
  const medianOk = (c: number[]): boolean => {
    // Median type must be a one-third board: fewer than half strictly below and strictly above 1/3.
    let below = 0;
    let above = 0;
    c.forEach((k, j) => {
      if (ratio[j] < 1 / 3 - 1e-12) below += k;
      else if (ratio[j] > 1 / 3 + 1e-12) above += k;
    });
    return below <= Math.floor((n - 1) / 2) && above <= Math.floor((n - 1) / 2);
  };
  const loss = (c: number[]): number => {
    const m = stats(c);
    return ((m.mean - t.mean) / tol) ** 2 + ((m.sd - t.sd) / tol) ** 2;
  };
  for (let step = 0; step < 10000; step++) {
    const m = stats(counts);
    if (Math.abs(m.mean - t.mean) < tol && Math.abs(m.sd - t.sd) < tol && medianOk(counts)) break;
    let best = loss(counts) + (medianOk(counts) ? 0 : 1e9);
    let move: [number, number] | null = null;
    for (let a = 0; a < counts.length; a++) {
      if (counts[a] <= ((a === minType || a === maxType) ? 1 : 0)) continue;
      for (let b = 0; b < counts.length; b++) {
        if (a === b) continue;
        counts[a]--;
        counts[b]++;
        const l = loss(counts) + (medianOk(counts) ? 0 : 1e9);
        counts[a]++;
        counts[b]--;
        if (l < best - 1e-12) {
          best = l;
          move = [a, b];
        }
      }
    }
    if (!move) throw new Error('matchBoards: stuck before reaching the target');
    counts[move[0]]--;
    counts[move[1]]++;
  }
  const out: [number, number][] = [];
  counts.forEach((k, j) => {
    for (let r = 0; r < k; r++) out.push([BOARD_TYPES[j][0], BOARD_TYPES[j][1]]);
  });
  return out;
}

/**
 * Loadings of the latent factors (a Gaussian copula). Each variable's latent is
 * sum(loading * other latent) + noise, rescaled to unit variance; firms get the variable's sorted
 * values in the order of their latent. Signs give the relations a finance researcher expects:
 * SOEs are bigger, older, more often party-reformed and politically connected; bigger firms borrow
 * more and have higher book-to-market; levered firms earn less; low-ROA firms have high BM.
 */
export const LATENT_LOADINGS = {
  size: { soe: 0.3 },
  age: { soe: 0.25, size: 0.05 },
  leverage: { size: 0.2, age: -0.08, soe: 0.05 },
  roa: { leverage: -0.3, size: 0.05, age: 0.05 },
  bm: { size: 0.35, roa: -0.2, soe: 0.15, leverage: 0.1 },
  pc: { soe: 0.3, size: 0.05, bm: 0.05 },
  party: { soe: 0.45, size: 0.08, age: 0.05, bm: 0.05 },
  board: { size: 0.25, soe: 0.15 },
} as const;

type LatentName = 'soe' | keyof typeof LATENT_LOADINGS;

/** Correlated standard-normal latents for n firms, built in dependency order. */
function latents(n: number, rng: Rng): Record<LatentName, number[]> {
  const z: Partial<Record<LatentName, number[]>> = {};
  z.soe = Array.from({ length: n }, () => rng.normal());
  for (const name of Object.keys(LATENT_LOADINGS) as (keyof typeof LATENT_LOADINGS)[]) {
    const loads = LATENT_LOADINGS[name] as Record<string, number>;
    const col = new Array<number>(n);
    const parents = Object.entries(loads).map(([p, w]) => [z[p as LatentName] as number[], w] as const);
    for (let i = 0; i < n; i++) {
      let v = rng.normal();
      for (const [p, w] of parents) v += w * p[i];
      col[i] = v;
    }
    // Standardize so loadings are comparable across variables.
    const m = col.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(col.reduce((a, b) => a + (b - m) ** 2, 0) / n);
    z[name] = col.map((v) => (v - m) / sd);
  }
  return z as Record<LatentName, number[]>;
}

/** Firm indices ordered by ascending latent (ties by index, for determinism). */
function rankOrder(latent: readonly number[]): number[] {
  return latent.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v || a.i - b.i).map((o) => o.i);
}

/** Hand sorted values to firms by latent rank: the firm with the k-th smallest latent gets values[k]. */
function assignByRank(sortedValues: readonly number[], latent: readonly number[]): number[] {
  const out = new Array<number>(latent.length);
  rankOrder(latent).forEach((firm, k) => {
    out[firm] = sortedValues[k];
  });
  return out;
}

/** Binary variable with exactly `ones` ones, given to the firms with the largest latents. */
function assignBinary(ones: number, latent: readonly number[]): number[] {
  const n = latent.length;
  const out = new Array<number>(n).fill(0);
  rankOrder(latent).slice(n - ones).forEach((firm) => {
    out[firm] = 1;
  });
  return out;
}

/** Plausible raw draws for each continuous variable (shape only; marginals.ts fixes the moments). */
function draws(n: number, rng: Rng): { leverage: number[]; roa: number[]; size: number[]; bm: number[]; age: number[] } {
  return {
    // Bulk between 3% and 97%, plus three distressed firms (liabilities above assets) on top.
    leverage: Array.from({ length: n }, (_, i) =>
      i === 0 ? 1.4 + 0.1 * rng.uniform() : i === 1 ? 1.6 + 0.3 * rng.uniform() : i === 2 ? 1.9 + 0.4 * rng.uniform() : Math.min(0.97, Math.max(0.03, 0.42 + 0.18 * rng.normal())),
    ),
    roa: Array.from({ length: n }, () => 0.045 + 0.045 * rng.normal() - (rng.bernoulli(0.2) ? Math.exp(rng.normal(-2.3, 1.1)) : 0)),
    size: Array.from({ length: n }, () => 20.2 + Math.exp(rng.normal(0.6, 0.55))),
    bm: Array.from({ length: n }, () => Math.exp(rng.normal(-0.55, 0.45))),
    age: Array.from({ length: n }, () => 21.5 + 4.4 * rng.normal()),
  };
}

/** Up to `tries` fresh draws until the moment matching succeeds (deterministic given rng). */
function withRetries<T>(tries: number, f: () => T): T {
  let last: unknown;
  for (let k = 0; k < tries; k++) {
    try {
      return f();
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

/**
 * Covariates of the regression sample (n firms) with exact Table 2 marginals. With `exact`
 * false (small demo data sets) plain draws are used instead of the moment matching.
 */
export function sampleCovariates(n: number, targets: Table2Targets, rng: Rng, exact = true): CovariateValues[] {
  const z = latents(n, rng);
  const d = draws(n, rng);
  let lev: number[];
  let roa: number[];
  let size: number[];
  let bm: number[];
  let age: number[];
  let boards: [number, number][];
  let stateVals: number[];
  const nSoe = exact ? binaryCount(n, targets.soe) : Math.round(targets.soe.mean * n);
  if (exact) {
    lev = withRetries(5, () => matchContinuous(draws(n, rng).leverage, targets.leverage));
    roa = withRetries(5, () => matchContinuous(draws(n, rng).roa, targets.roa));
    size = withRetries(5, () => matchContinuous(draws(n, rng).size, targets.firm_size, 0.005, 0.06));
    bm = withRetries(5, () => matchContinuous(draws(n, rng).bm, targets.book_to_market));
    age = matchInteger(d.age, targets.firm_age);
    boards = matchBoards(n, targets.independent_director_pct);
    // State shares: positive for most SOEs and a few others; the largest pinned at the printed max.
    const nPos = Math.min(n, Math.round(nSoe * 0.7) + 5);
    const sum = targets.state_share.mean * n;
    const sumSq = targets.state_share.sd ** 2 * (n - 1) + n * targets.state_share.mean ** 2;
    stateVals = matchPositive(Array.from({ length: nPos - 1 }, () => 0.05 + rng.uniform()), targets.state_share.max, sum, sumSq);
  } else {
    lev = d.leverage.map((x) => Math.min(x, 1.6)).sort((a, b) => a - b);
    roa = d.roa.map((x) => Math.max(x, -1.2)).sort((a, b) => a - b);
    size = d.size.map((x) => Math.min(x, 27.5)).sort((a, b) => a - b);
    bm = d.bm.sort((a, b) => a - b);
    age = d.age.map((x) => Math.min(60, Math.max(8, Math.round(x)))).sort((a, b) => a - b);
    boards = Array.from({ length: n }, () => rng.choice(BOARD_TYPES, BOARD_PRIOR)).sort((a, b) => a[0] - b[0]);
    stateVals = Array.from({ length: Math.max(1, Math.round(nSoe * 0.7)) }, () => 0.02 + 0.2 * rng.uniform());
  }
  const soe = assignBinary(nSoe, z.soe);
  const pc = assignBinary(exact ? binaryCount(n, targets.political_connection) : Math.round(n * targets.political_connection.mean), z.pc);
  const party = assignBinary(exact ? binaryCount(n, targets.party_building) : Math.round(n * targets.party_building.mean), z.party);
  // Larger boards for larger firms: sort the compositions by board size, then ratio.
  boards.sort((a, b) => a[0] - b[0] || a[1] / a[0] - b[1] / b[0]);
  const boardOrder = rankOrder(z.board);
  const board = new Array<[number, number]>(n);
  boardOrder.forEach((firm, k) => {
    board[firm] = boards[k];
  });
  // State shares: SOEs by their latent first, then a few non-SOEs.
  const state = new Array<number>(n).fill(0);
  const soeFirms = rankOrder(z.soe).reverse();
  const sortedState = [...stateVals].sort((a, b) => b - a);
  const holders = [...soeFirms.filter((i) => soe[i] === 1).slice(0, Math.min(sortedState.length - 5, nSoe))];
  for (const i of soeFirms) if (holders.length < sortedState.length && soe[i] === 0) holders.push(i);
  // The largest stakes go to SOEs (shuffled among them so size is not a perfect predictor).
  const soeHolders = rng.shuffle(holders.filter((i) => soe[i] === 1));
  const otherHolders = holders.filter((i) => soe[i] === 0);
  [...soeHolders, ...otherHolders].forEach((firm, k) => {
    if (k < sortedState.length) state[firm] = sortedState[k];
  });
  const levA = assignByRank(lev, z.leverage);
  const roaA = assignByRank(roa, z.roa);
  const sizeA = assignByRank(size, z.size);
  const bmA = assignByRank(bm, z.bm);
  const ageA = assignByRank(age, z.age);
  return Array.from({ length: n }, (_, i) => ({
    board_size: board[i][0],
    independent_directors: board[i][1],
    leverage: levA[i],
    roa: roaA[i],
    soe: soe[i],
    state_share: state[i],
    party_building: party[i],
    political_connection: pc[i],
    firm_size: sizeA[i],
    firm_age: ageA[i],
    book_to_market: bmA[i],
  }));
}

/**
 * Covariates of the out-of-sample firms (listed after the cutoff): younger and smaller, drawn
 * independently (they enter Table 1 and the figures only through their scores).
 */
export function outOfSampleCovariates(n: number, rng: Rng): CovariateValues[] {
  return Array.from({ length: n }, () => {
    const soe = rng.bernoulli(0.08) ? 1 : 0;
    const [b, ind] = rng.choice(BOARD_TYPES, BOARD_PRIOR);
    const size = Math.min(24.5, 20.6 + Math.exp(rng.normal(0, 0.6)));
    const lev = Math.min(0.85, Math.max(0.05, 0.33 + 0.15 * rng.normal()));
    return {
      board_size: b,
      independent_directors: ind,
      leverage: lev,
      roa: Math.max(-0.3, 0.06 + 0.05 * rng.normal() - 0.05 * lev),
      soe,
      state_share: soe ? Math.round((0.02 + 0.2 * rng.uniform()) * 10000) / 10000 : 0,
      party_building: rng.bernoulli(soe ? 0.5 : 0.1) ? 1 : 0,
      political_connection: rng.bernoulli(soe ? 0.7 : 0.45) ? 1 : 0,
      firm_size: size,
      firm_age: Math.max(3, Math.min(40, Math.round(15 + 5 * rng.normal()))),
      book_to_market: Math.max(0.08, Math.min(1.4, Math.exp(rng.normal(-0.9, 0.4)))),
    };
  });
}
