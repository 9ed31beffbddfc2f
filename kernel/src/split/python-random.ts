/**
 * CPython's `random.Random(seed)` reproduced exactly for what lx-ai's group split uses:
 * Mersenne Twister MT19937 seeded like `random.seed(int)` (init_by_array over the integer's
 * 32-bit words), `getrandbits(k)` and `shuffle()` via `_randbelow` rejection sampling.
 * References: CPython Modules/_randommodule.c and Lib/random.py (3.2 and later).
 */

const N = 624;
const M = 397;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const MATRIX_A = 0x9908b0df;

/** A generator with the same output as Python's `random.Random(seed)`. */
export interface PythonRandom {
  /** `random.getrandbits(k)` for 0 <= k <= 32. */
  getrandbits(k: number): number;
  /** `random._randbelow(n)`: uniform in [0, n) by rejection sampling on `n.bit_length()` bits. */
  randbelow(n: number): number;
  /** `random.shuffle(items)`, in place. */
  shuffle<T>(items: T[]): T[];
  /** `random.random()`: 53-bit float in [0, 1). */
  random(): number;
}

/** The 32-bit little-endian words of a non-negative integer, as CPython's random_seed builds them. */
function seedWords(seed: number): number[] {
  const words: number[] = [];
  let rest = seed;
  while (rest > 0) {
    words.push(rest % 0x100000000);
    rest = Math.floor(rest / 0x100000000);
  }
  return words.length === 0 ? [0] : words;
}

/** `int.bit_length()` for 0 <= n < 2^32. */
function bitLength(n: number): number {
  return 32 - Math.clz32(n);
}

/**
 * Creates a generator equal to Python's `random.Random(seed)` for an integer seed
 * (negative seeds use their absolute value, as CPython does).
 * @example
 * const rng = createPythonRandom(42);
 * rng.shuffle(["a", "b", "c", "d"]); // same order as random.Random(42).shuffle(...)
 */
export function createPythonRandom(seed: number): PythonRandom {
  if (!Number.isSafeInteger(seed))
    throw new RangeError(`seed must be a whole number below 2^53, got ${seed}`);
  const mt = new Uint32Array(N);
  let mti = N + 1;

  function initGenrand(s: number): void {
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ?? 0;
      mt[i] = (Math.imul(1812433253, (prev ^ (prev >>> 30)) >>> 0) + i) >>> 0;
    }
    mti = N;
  }

  function initByArray(key: readonly number[]): void {
    initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1] ?? 0;
      mt[i] =
        (((mt[i] ?? 0) ^ Math.imul((prev ^ (prev >>> 30)) >>> 0, 1664525)) + (key[j] ?? 0) + j) >>>
        0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1] ?? 0;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] ?? 0;
      mt[i] = (((mt[i] ?? 0) ^ Math.imul((prev ^ (prev >>> 30)) >>> 0, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1] ?? 0;
        i = 1;
      }
    }
    mt[0] = UPPER_MASK;
  }

  function genrandUint32(): number {
    if (mti >= N) {
      let kk = 0;
      for (; kk < N - M; kk++) {
        const y = ((mt[kk] ?? 0) & UPPER_MASK) | ((mt[kk + 1] ?? 0) & LOWER_MASK);
        mt[kk] = ((mt[kk + M] ?? 0) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)) >>> 0;
      }
      for (; kk < N - 1; kk++) {
        const y = ((mt[kk] ?? 0) & UPPER_MASK) | ((mt[kk + 1] ?? 0) & LOWER_MASK);
        mt[kk] = ((mt[kk + (M - N)] ?? 0) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)) >>> 0;
      }
      const y = ((mt[N - 1] ?? 0) & UPPER_MASK) | ((mt[0] ?? 0) & LOWER_MASK);
      mt[N - 1] = ((mt[M - 1] ?? 0) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)) >>> 0;
      mti = 0;
    }
    let y = mt[mti++] ?? 0;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  initByArray(seedWords(Math.abs(seed)));

  function getrandbits(k: number): number {
    if (!Number.isInteger(k) || k < 0 || k > 32)
      throw new RangeError(`getrandbits() supports 0..32 bits here, got ${k}`);
    if (k === 0) return 0;
    return genrandUint32() >>> (32 - k);
  }

  function randbelow(n: number): number {
    if (!Number.isInteger(n) || n < 0 || n >= 0x100000000)
      throw new RangeError(`randbelow() needs 0 <= n < 2^32, got ${n}`);
    if (n === 0) return 0;
    const k = bitLength(n);
    let r = getrandbits(k);
    while (r >= n) r = getrandbits(k);
    return r;
  }

  return {
    getrandbits,
    randbelow,
    shuffle<T>(items: T[]): T[] {
      for (let i = items.length - 1; i > 0; i--) {
        const j = randbelow(i + 1);
        const tmp = items[i] as T;
        items[i] = items[j] as T;
        items[j] = tmp;
      }
      return items;
    },
    random(): number {
      const a = genrandUint32() >>> 5;
      const b = genrandUint32() >>> 6;
      return (a * 67108864 + b) / 9007199254740992;
    },
  };
}

/** Python 3's `round(x)` for a float: to the nearest integer, ties to even. */
export function pythonRound(x: number): number {
  if (!Number.isFinite(x)) throw new RangeError(`cannot round ${x}`);
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
