/**
 * Seeded pseudo-random numbers (never Math.random): the synthetic data generator and the bootstrap.
 *
 * Algorithm: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 32-bit state words,
 * period >= 2^32, passes PractRand to 2^40+), seeded by splitmix32 from a single integer seed so
 * nearby seeds give unrelated streams. All arithmetic is 32-bit integer (Math.imul, >>> 0), so the
 * sequence is identical on every platform and Node version.
 *
 * Floats: uniform() uses 53 random bits (two outputs), so it is exact in [0, 1).
 * normal() is Box-Muller without caching (each call consumes exactly two uniforms), which keeps
 * the stream position easy to reason about when generators are forked.
 */
export interface Rng {
  /** Next raw 32-bit unsigned integer. */
  nextU32(): number;
  /** Uniform double in [0, 1). */
  uniform(): number;
  /** Standard normal N(0, 1) (or N(mean, sd)). */
  normal(mean?: number, sd?: number): number;
  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number;
  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<T>(a: T[]): T[];
  /** One element chosen uniformly (or with the given non-negative weights). */
  choice<T>(items: readonly T[], weights?: readonly number[]): T;
  /** True with probability p. */
  bernoulli(p: number): boolean;
  /** An independent generator derived from this one and a label (stable sub-streams per task). */
  fork(label: string): Rng;
}

/** splitmix32 step: a well-mixed 32-bit output from a 32-bit state (used only for seeding). */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a hash of a string to 32 bits (for fork labels). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Create a generator from an integer seed (any safe integer; only its low 53 bits matter). */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) throw new Error(`rng seed must be a safe integer, got ${seed}`);
  // Fold the high bits in so seeds above 2^32 still differ.
  const hi = Math.floor(seed / 0x100000000) >>> 0;
  const sm = { s: (seed >>> 0) ^ Math.imul(hi, 0x27d4eb2d) };
  let a = splitmix32(sm);
  let b = splitmix32(sm);
  let c = splitmix32(sm);
  let d = 1; // sfc32 counter
  const nextU32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32 mixes its state during warm-up.
  for (let i = 0; i < 15; i++) nextU32();

  const uniform = (): number => {
    const hi27 = nextU32() >>> 5;
    const lo26 = nextU32() >>> 6;
    return (hi27 * 67108864 + lo26) / 9007199254740992;
  };

  const rng: Rng = {
    nextU32,
    uniform,
    normal(mean = 0, sd = 1) {
      // 1 - u is in (0, 1], so the log is finite.
      const u1 = 1 - uniform();
      const u2 = uniform();
      return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
    int(lo, hi) {
      if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) throw new Error(`rng.int: bad range [${lo}, ${hi}]`);
      return lo + Math.floor(uniform() * (hi - lo + 1));
    },
    shuffle<T>(arr: T[]): T[] {
      for (let i = arr.length - 1; i > 0; i--) {
        const j = Math.floor(uniform() * (i + 1));
        const tmp = arr[i];
        arr[i] = arr[j];
        arr[j] = tmp;
      }
      return arr;
    },
    choice<T>(items: readonly T[], weights?: readonly number[]): T {
      if (items.length === 0) throw new Error('rng.choice: empty list');
      if (!weights) return items[Math.floor(uniform() * items.length)];
      if (weights.length !== items.length) throw new Error('rng.choice: weights and items differ in length');
      const total = weights.reduce((s, w) => s + w, 0);
      let r = uniform() * total;
      for (let i = 0; i < items.length; i++) {
        r -= weights[i];
        if (r < 0) return items[i];
      }
      return items[items.length - 1];
    },
    bernoulli(p) {
      return uniform() < p;
    },
    fork(label) {
      // Mix the label hash with fresh output so forks of different parents differ too.
      const s = (nextU32() ^ fnv1a(label)) >>> 0;
      return createRng(s * 2 + 1);
    },
  };
  return rng;
}
