/**
 * A small seeded PRNG (xoshiro128**, seeded through SplitMix32) so every split is reproducible:
 * the same seed gives the same numbers on every platform, unlike Math.random.
 * See https://prng.di.unimi.it/ for the generator.
 */

/** A deterministic source of random numbers. */
export interface SeededRng {
  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number;
  /** A float in [0, 1) with 32 bits of randomness. */
  nextFloat(): number;
  /** An integer in [0, n) without modulo bias; `n` must be a positive integer below 2^32. */
  nextInt(n: number): number;
  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
}

function splitMix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Creates a generator from a non-negative integer seed (up to 2^53).
 * @example
 * const rng = createSeededRng(42);
 * rng.nextInt(10); // the same number on every run
 */
export function createSeededRng(seed: number): SeededRng {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be a non-negative whole number, got ${seed}`);
  }
  const low = seed % 0x100000000;
  const high = Math.floor(seed / 0x100000000);
  const mix = { s: (low ^ Math.imul(high, 0x27d4eb2d)) | 0 };
  let s0 = splitMix32(mix);
  let s1 = splitMix32(mix);
  let s2 = splitMix32(mix);
  let s3 = splitMix32(mix);
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;

  function nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  }

  function nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) {
      throw new RangeError(`nextInt() needs a whole number in 1..2^32, got ${n}`);
    }
    // Rejection sampling over the largest multiple of n below 2^32 keeps every value equally likely.
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const r = nextUint32();
      if (r < limit) return r % n;
    }
  }

  return {
    nextUint32,
    nextFloat: () => nextUint32() / 0x100000000,
    nextInt,
    shuffle<T>(items: T[]): T[] {
      for (let i = items.length - 1; i > 0; i--) {
        const j = nextInt(i + 1);
        const tmp = items[i] as T;
        items[i] = items[j] as T;
        items[j] = tmp;
      }
      return items;
    },
  };
}
