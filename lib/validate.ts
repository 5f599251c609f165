// Argument checks: every public entry point normalises its inputs here before any computation,
// so the kernels (TS reference and native) can trust shapes, lengths and finiteness.
import { BlasnetRangeError, BlasnetTypeError, describe } from './errors.js';
import { Matrix } from './matrix.js';

export function isDetached(buffer: ArrayBufferLike): boolean {
  // ArrayBuffer.prototype.detached arrived in Node 21; on Node 20, building a view over a detached
  // buffer throws, which tells the same thing. A SharedArrayBuffer is never detached.
  const d = (buffer as { detached?: boolean }).detached;
  if (typeof d === 'boolean') return d;
  if (typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer) return false;
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

function checkNotDetached(value: ArrayBufferView, name: string): void {
  if (isDetached(value.buffer)) {
    throw new BlasnetTypeError('ERR_BLASNET_DETACHED', `${name} is backed by a detached ArrayBuffer (was it transferred to a worker?); expected a live buffer`);
  }
}

/** From this many values a Float64Array is scanned by the addon (when it is loaded). */
const NATIVE_SCAN_MIN = 1 << 16;

/** The addon's scan, installed by lib/native.ts when the addon loads (validate.ts must not import it: the reference backend stays free of native.ts). */
let nativeScan: ((a: Float64Array) => number) | null = null;

/**
 * Installs the addon's scan for non-finite values (lib/native.ts calls it when the addon loads).
 * @internal
 */
export function useNativeScan(scan: (a: Float64Array) => number): void {
  nativeScan = scan;
}

/** First index of a non-finite value, or -1. */
export function firstNonFinite(a: ArrayLike<number>): number {
  // A fit of MNIST checks 47 M values: the addon's branch-free scan takes ~40 ms where this loop
  // takes ~85 (5 % of a 2-epoch fit at one thread).
  if (nativeScan && a instanceof Float64Array && a.length >= NATIVE_SCAN_MIN) return nativeScan(a);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) return i;
  }
  return -1;
}

/** A Matrix or number[][] → Matrix with finite values (no copy of a Matrix's data). */
export function toMatrix(value: unknown, name: string, options: { cols?: number; finite?: boolean } = {}): Matrix {
  let M: Matrix;
  if (value instanceof Matrix) {
    M = value;
    if (!(M.data instanceof Float64Array)) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name}.data must be a Float64Array, got ${describe(M.data)}`);
    // A detached buffer has length 0: only a length mismatch needs the (allocating) detach test.
    if (M.data.length !== M.rows * M.cols || M.data.length === 0) checkNotDetached(M.data, `${name}.data`);
    if (M.data.length !== M.rows * M.cols) {
      throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name}.data must have rows × cols = ${M.rows * M.cols} elements, got ${M.data.length}`);
    }
  } else if (Array.isArray(value)) {
    M = Matrix.from(value, name);
  } else {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a Matrix or an array of rows (number[][]), got ${describe(value)}`);
  }
  if (M.rows === 0) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must have at least one row (example), got 0`);
  if (M.cols === 0) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must have at least one column, got 0`);
  if (options.cols !== undefined && M.cols !== options.cols) {
    throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must have ${options.cols} columns (features the model was built for), got ${M.cols}`);
  }
  if (options.finite !== false) {
    const bad = firstNonFinite(M.data);
    if (bad >= 0) {
      const i = Math.floor(bad / M.cols), j = bad % M.cols;
      throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${name} must contain only finite numbers, got ${M.data[bad]} at row ${i}, column ${j}`);
    }
  }
  return M;
}

/**
 * An options object → a null-prototype snapshot of its own enumerable properties, each read once.
 * Nothing is read through the prototype chain (a polluted Object.prototype cannot set an option),
 * and a getter or Proxy cannot give one value when checked and another when used.
 */
export function checkOptionsObject(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined) return Object.create(null) as Record<string, unknown>;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be an object, got ${describe(value)}`);
  }
  return ownProperties(value, name);
}

/** A null-prototype copy of `value`'s own enumerable string-keyed properties. */
export function ownProperties(value: object, name: string): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  let keys: string[];
  try {
    keys = Object.keys(value);
  } catch (e) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} could not be read: its keys threw ${describe(e)}`);
  }
  for (const key of keys) out[key] = (value as Record<string, unknown>)[key];
  return out;
}

export function checkKnownKeys(options: Record<string, unknown>, name: string, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} has an unknown option ${JSON.stringify(key)}; expected one of ${known.join(', ')}`);
    }
  }
}

export function positiveNumber(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a number, got ${describe(value)}`);
  if (!(Number.isFinite(value) && value > 0)) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `${name} must be a finite number > 0, got ${describe(value)}`);
  return value;
}

export function nonNegativeNumber(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a number, got ${describe(value)}`);
  if (!(Number.isFinite(value) && value >= 0)) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `${name} must be a finite number ≥ 0, got ${describe(value)}`);
  return value;
}

export function integerInRange(value: unknown, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be an integer, got ${describe(value)}`);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `${name} must be an integer ${range}, got ${describe(value)}`);
  }
  return value;
}

export function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be one of ${allowed.map((a) => `'${a}'`).join(' | ')}, got ${describe(value)}`);
  }
  return value as T;
}

export function optionalFunction<F>(value: unknown, name: string): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a function, got ${describe(value)}`);
  return value as F;
}

export function optionalSignal(value: unknown, name: string): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be an AbortSignal, got ${describe(value)}`);
  return value;
}

/**
 * Throws ERR_BLASNET_NOT_FINITE when a cost or one of its gradients is not finite: costAndGradients
 * never returns an overflow (∞, or NaN from ∞ − ∞) as a value.
 */
export function checkFiniteCost(model: string, cost: number, grad: Float64Array): void {
  const bad = Number.isFinite(cost) ? firstNonFinite(grad) : -2;
  if (bad === -1) return;
  const what = bad === -2 ? `the cost J is ${cost}` : `the gradient has ${grad[bad]} at parameter ${bad}`;
  throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${model}.costAndGradients: ${what} (it overflowed): the inputs, targets or parameters are too large; scale them`);
}
