// The one seeded PRNG of blasnet: weight initialization, shuffling, data splits. sfc32 on 32-bit
// integer arithmetic and V8's own (fdlibm) Math.log/cos, so the same seed gives the same numbers
// on every machine and in every backend (the native backend receives weights drawn here). No other
// source of randomness (Math.random, crypto) may be used for anything a seed is meant to reproduce.
// Every public method validates its arguments; a rejected call leaves the stream where it was.
import { BlasnetRangeError, BlasnetTypeError, describe } from './errors.js';
import { isDetached } from './validate.js';

/** The largest `n` accepted by `int(n)`: `next()` has 53 random bits, so larger ranges would skip integers. */
const MAX_INT_RANGE = 2 ** 53;

/**
 * What `Random.shuffle` accepts: an array-like of numbers with writable elements (an array or a typed array).
 * @example const order: ShuffleTarget = Int32Array.from({ length: 10 }, (_, i) => i);
 */
export interface ShuffleTarget {
  /** The element count. */
  length: number;
  /** The elements. */
  [i: number]: number;
}

/**
 * A seeded pseudo-random generator (sfc32, seeded through splitmix32): the same seed gives the same
 * stream on every machine. Not cryptographically secure.
 *
 * @example
 * const rng = new Random(42);
 * rng.next();            // a double in [0, 1)
 * rng.int(10);           // an integer in [0, 10)
 * rng.shuffle([1, 2, 3]) // the same permutation for every run with seed 42
 */
export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  #spare: number | null = null;

  /**
   * @param seed - an integer in [0, 2^32)
   * @throws {TypeError} ERR_BLASNET_ARG_TYPE when `seed` is not a number
   * @throws {RangeError} ERR_BLASNET_ARG_RANGE when `seed` is not an integer in [0, 2^32)
   * @example const rng = new Random(0);
   */
  constructor(seed: number) {
    if (typeof seed !== 'number') {
      throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `seed must be an integer in [0, 2^32), got ${describe(seed)}`);
    }
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
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
   * The next raw 32-bit output.
   * @returns a uniform integer in [0, 2^32)
   * @example new Random(1).uint32() // the same integer on every machine
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
   * @returns a uniform double in [0, 1) with 53 random bits (two `uint32` draws)
   * @example const u = rng.next();
   */
  next(): number {
    const hi = this.uint32() >>> 5, lo = this.uint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * A uniform double in [lo, hi).
   * @param lo - the lower bound, a finite number
   * @param hi - the upper bound, a finite number ≥ lo, with hi − lo finite
   * @returns lo + (hi − lo)·u for u = `next()`
   * @throws {TypeError} ERR_BLASNET_ARG_TYPE when a bound is not a number
   * @throws {RangeError} ERR_BLASNET_ARG_RANGE when a bound is not finite, hi < lo, or hi − lo overflows
   * @example rng.uniform(-1, 1)
   */
  uniform(lo: number, hi: number): number {
    for (const [name, v] of [['lo', lo], ['hi', hi]] as const) {
      if (typeof v !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a finite number, got ${describe(v)}`);
      if (!Number.isFinite(v)) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `${name} must be a finite number, got ${describe(v)}`);
    }
    if (hi < lo) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `hi must be ≥ lo (${lo}), got ${hi}`);
    if (!Number.isFinite(hi - lo)) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `hi − lo must be finite, got ${hi} − ${lo}`);
    return lo + (hi - lo) * this.next();
  }

  /**
   * A standard normal draw (Box–Muller; the second value of each pair is kept for the next call).
   * @returns a draw from N(0, 1)
   * @example const z = rng.normal();
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
   * A uniform integer in [0, n).
   * @param n - the number of possible values, an integer in [1, 2^53]
   * @returns an integer in [0, n)
   * @throws {TypeError} ERR_BLASNET_ARG_TYPE when `n` is not a number
   * @throws {RangeError} ERR_BLASNET_ARG_RANGE when `n` is not an integer in [1, 2^53]
   * @example rng.int(6) + 1 // a die
   */
  int(n: number): number {
    if (typeof n !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `n must be an integer in [1, 2^53], got ${describe(n)}`);
    if (!Number.isInteger(n) || n < 1 || n > MAX_INT_RANGE) {
      throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `n must be an integer in [1, 2^53], got ${describe(n)}`);
    }
    return Math.floor(this.next() * n);
  }

  /**
   * Shuffles `a` in place (Fisher–Yates) and returns it; every permutation equally likely.
   * @param a - an array or a typed array (not a DataView, not a detached buffer)
   * @returns `a` itself, shuffled
   * @throws {TypeError} ERR_BLASNET_ARG_TYPE when `a` is not an array or typed array; ERR_BLASNET_DETACHED
   *   when its buffer is detached
   * @example rng.shuffle(Int32Array.from({ length: n }, (_, i) => i)) // a random order of 0 … n − 1
   */
  shuffle<T extends ShuffleTarget>(a: T): T {
    if (!Array.isArray(a)) {
      if (!ArrayBuffer.isView(a) || a instanceof DataView) {
        throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `a must be an array or a typed array, got ${describe(a)}`);
      }
      // A view over a detached buffer reports length 0 and would "shuffle" silently.
      if (a.length === 0 && isDetached(a.buffer)) {
        throw new BlasnetTypeError('ERR_BLASNET_DETACHED', 'a is backed by a detached ArrayBuffer (was it transferred?); expected a live buffer');
      }
    }
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }
}


/**
 * The seed of a fit's shuffle at global epoch e (the model's epoch counter, `epochsTrained`, at that
 * epoch): seed + 0x632be5ab · (e + 1) mod 2^32, as native/trainer.cc epoch_shuffle_seed. Epoch e's
 * row order depends on (seed, e) alone, so a warm start visits the batches the uninterrupted fit would.
 * @param seed - the model's seed, an integer in [0, 2^32)
 * @param epoch - the global epoch, an integer ≥ 0
 * @returns the seed of that epoch's Random
 * @example new Random(epochShuffleSeed(model.seed, 3)).shuffle(order); // epoch 3's order
 */
export function epochShuffleSeed(seed: number, epoch: number): number {
  return (seed + Math.imul(0x632be5ab, (epoch + 1) | 0)) >>> 0;
}
