/** A small seeded PRNG for generated data (demo, tests, benchmarks) that must be the same everywhere. */

/**
 * Deterministic PRNG (mulberry32): the same seed gives the same numbers in [0, 1) on every machine.
 * @example const random = seededRandom(42); random() // 0.6011037519201636
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
