// The one seeded PRNG of blasnet: weight initialization, shuffling, data splits. sfc32 on 32-bit
// integer arithmetic and V8's own (fdlibm) Math.log/cos, so the same seed gives the same numbers
// on every machine and in every backend (the native backend receives weights drawn here). No other
// source of randomness (Math.random, crypto) may be used for anything a seed is meant to reproduce.
import { BlasnetRangeError, describe } from './errors.js';

/**
 * A seeded generator (sfc32, seeded through splitmix32): the same seed gives the same sequence on
 * every machine. blasnet draws initial weights, shuffles and splits from it.
 * @example
 * const rng = new Random(42);
 * rng.next();      // a double in [0, 1)
 * rng.normal();    // a standard normal draw
 */
export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  #spare: number | null = null;

  /**
   * @param seed - an integer in [0, 2^32)
   * @throws {@link BlasnetRangeError} `ERR_BLASNET_ARG_RANGE` unless `seed` is an integer in [0, 2^32)
   * @example
   * const a = new Random(1), b = new Random(1);
   * a.next() === b.next();   // true
   */
  constructor(seed: number) {
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `seed must be an integer in [0, 2^32), got ${describe(seed)}`);
    }
    let s = seed >>> 0;
    const splitmix = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = splitmix();
    this.#b = splitmix();
    this.#c = splitmix();
    this.#d = splitmix();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /**
   * A uniform integer in [0, 2^32).
   * @returns the next 32-bit output of sfc32
   * @example
   * new Random(0).uint32();   // an integer in [0, 4294967296)
   */
  uint32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  /**
   * A uniform double in [0, 1) with 53 random bits.
   * @returns a double in [0, 1)
   * @example
   * new Random(0).next() < 1;   // true
   */
  next(): number {
    const hi = this.uint32() >>> 5, lo = this.uint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * A uniform double in [lo, hi). The bounds are not checked: with lo > hi the draw lies in (hi, lo].
   * @param lo - lower bound (inclusive)
   * @param hi - upper bound (exclusive)
   * @returns `lo + (hi − lo) · next()`
   * @example
   * const limit = Math.sqrt(6 / (fanIn + fanOut));
   * rng.uniform(-limit, limit);   // a Glorot-uniform weight
   */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /**
   * A standard normal draw (Box–Muller; the second value of each pair is kept for the next call).
   * @returns a draw from N(0, 1)
   * @example
   * const w = rng.normal() * Math.sqrt(2 / fanIn);   // a He-normal weight
   */
  normal(): number {
    if (this.#spare !== null) {
      const v = this.#spare;
      this.#spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * A uniform integer in [0, n). `n` is not checked: it should be a positive integer ≤ 2^53.
   * @param n - the number of possible values
   * @returns an integer in [0, n)
   * @example
   * rng.int(6) + 1;   // a die roll
   */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /**
   * Shuffles `a` in place (Fisher–Yates) and returns it.
   * @typeParam T - an array or typed array of numbers
   * @param a - the array to shuffle; it is modified
   * @returns `a` itself
   * @example
   * const order = rng.shuffle(Uint32Array.from({ length: n }, (_, i) => i));   // a permutation of 0..n−1
   */
  shuffle<T extends {
    /** The element count. */
    length: number;
    [i: number]: number;
  }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }
}
