// Reading and writing a model body's fields: the helpers each model's fromJSON uses to read its body
// out of a checked document (lib/format/document.ts), with messages naming the model and the field,
// and finiteArray, which copies a parameter array for toJSON.
import { BlasnetRangeError, blasnetError, describe, type ErrorCode } from '../errors.js';
import { MODEL_FORMAT_VERSION } from './spec.js';
import type { Obj } from './types.js';

const ERR_FORMAT: ErrorCode = 'ERR_BLASNET_FORMAT';

/**
 * `value` as a plain object.
 * @param value - the field's value
 * @param src - names the model in the message
 * @param name - the field's path
 * @returns the object
 * @throws {BlasnetError} ERR_BLASNET_FORMAT when it is missing, not an object, or not a plain one
 * @example const arch = plainObject(root.architecture, doc.src, 'architecture');
 */
export function plainObject(value: unknown, src: string, name: string): Obj {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw blasnetError(ERR_FORMAT, `${src}: ${name} must be an object, got ${value === undefined ? 'nothing (the field is missing)' : describe(value)}`);
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw blasnetError(ERR_FORMAT, `${src}: ${name} must be a plain object, got ${describe(value)}`);
  }
  return value as Obj;
}

/**
 * Refuses keys outside `allowed` and names the first missing `required` key.
 * @param o - the object
 * @param src - names the model in the message
 * @param name - the object's path ('' for the top level)
 * @param required - keys that must be present (and not undefined)
 * @param allowed - every key this version knows at that place
 * @throws {BlasnetError} ERR_BLASNET_FORMAT for an unknown or a missing key
 * @example exactKeys(arch, doc.src, 'architecture', ['features'], ['features']);
 */
export function exactKeys(o: Obj, src: string, name: string, required: readonly string[], allowed: readonly string[]): void {
  const where = name === '' ? 'the top level' : name;
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) {
      throw blasnetError(ERR_FORMAT,
        `${src}: unknown key ${JSON.stringify(key)} at ${where}; a version ${MODEL_FORMAT_VERSION} model has exactly ${allowed.map((k) => `"${k}"`).join(', ')} there`);
    }
  }
  for (const key of required) {
    if (!Object.prototype.hasOwnProperty.call(o, key) || o[key] === undefined) {
      throw blasnetError(ERR_FORMAT, `${src}: ${name === '' ? '' : `${name}.`}${key} is missing`);
    }
  }
}

/**
 * Checks that `a` is an array of `expected` elements (their values are checkFinite's job).
 * @param a - the field's value
 * @param expected - the length the architecture implies
 * @param src - names the model in the message
 * @param name - the field's path
 * @param shape - the expected length, in words, for the message
 * @throws {BlasnetError} ERR_BLASNET_FORMAT when it is not an array
 * @throws {RangeError} ERR_BLASNET_SHAPE when its length differs
 * @example checkLength(p.weights, 3, doc.src, 'parameters.weights', '3 values (architecture.features)');
 */
export function checkLength(a: unknown, expected: number, src: string, name: string, shape: string): asserts a is unknown[] {
  if (!Array.isArray(a)) throw blasnetError(ERR_FORMAT, `${src}: ${name} must be an array of numbers, got ${describe(a)}`);
  if (a.length !== expected) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${src}: ${name} must have ${shape}, got ${a.length}`);
}

/**
 * Checks that every element of `a` is a finite number.
 * @param a - the array
 * @param src - names the model in the message
 * @param name - the field's path
 * @throws {RangeError} ERR_BLASNET_NOT_FINITE naming the first bad element's index
 * @example checkFinite(p.weights, doc.src, 'parameters.weights');
 */
export function checkFinite(a: readonly unknown[], src: string, name: string): asserts a is number[] {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${src}: ${name} must contain only finite numbers, got ${describe(v)} at index ${i}${infinityHint(v)}`);
    }
  }
}

/**
 * `value` as a finite number.
 * @param value - the field's value
 * @param src - names the model in the message
 * @param name - the field's path
 * @returns the number
 * @throws {RangeError} ERR_BLASNET_NOT_FINITE otherwise
 * @example const bias = finiteNumber(p.bias, doc.src, 'parameters.bias');
 */
export function finiteNumber(value: unknown, src: string, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${src}: ${name} must be a finite number, got ${describe(value)}${infinityHint(value)}`);
  }
  return value;
}

function infinityHint(v: unknown): string {
  return v === Infinity || v === -Infinity ? ' (a literal beyond the float64 range, such as 1e999, parses as Infinity)' : '';
}

/**
 * A model constructor's complaint about a training option read from a file, named as the file names
 * it: `options.learningRate` becomes `${src}: training.options.learningRate` (version 2) or
 * `${src}: training.learningRate` (version 1). Errors other than ERR_BLASNET_ARG_TYPE / _RANGE pass unchanged.
 * @param where - 'training.options' or 'training'
 * @example try { model = new LogisticRegression(options); } catch (e) { throw trainingOptionError(e, src, 'training.options'); }
 */
export function trainingOptionError(e: unknown, src: string, where: string): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (!(e instanceof Error) || (code !== 'ERR_BLASNET_ARG_TYPE' && code !== 'ERR_BLASNET_ARG_RANGE')) return e;
  return blasnetError(code, `${src}: ${e.message.replace(/\boptions\b/g, where)}`);
}

/**
 * A number[] copy of a parameter array for toJSON; a model never holds a non-finite parameter, but
 * never write one if it did.
 * @param a - the values
 * @param name - the field's path under `parameters`, for the message
 * @returns the copy
 * @throws {RangeError} ERR_BLASNET_NOT_FINITE for a NaN or ±Infinity
 * @example parameters: { weights: finiteArray(w, 'weights'), bias }
 */
export function finiteArray(a: ArrayLike<number>, name: string): number[] {
  const out = new Array<number>(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!Number.isFinite(v)) throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `cannot serialize ${name}: it holds ${v} at index ${i}`);
    out[i] = v;
  }
  return out;
}
