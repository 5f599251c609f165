// A model's input scaling: per-feature mean and std, applied as (x − mean) / std — exactly
// Standardizer.transform's arithmetic — before a model sees its inputs; its validation and its JSON.
// Never mutates the caller's X (the scaled matrix is always new) and imports no model.
import { BlasnetRangeError, BlasnetTypeError, blasnetError, describe } from './errors.js';
import { checkFinite, checkLength, exactKeys, plainObject } from './format/fields.js';
import type { InputScalingJSON, PreprocessingJSON } from './format/types.js';
import { Matrix } from './matrix.js';
import { isDetached, ownProperties } from './validate.js';

/**
 * Per-feature standardization a model applies to its raw inputs, x ↦ (x − mean) / std, so that
 * it is called (and saved, and loaded) on raw data: what `model.inputScaling` returns (copies).
 * @example
 * ```ts
 * net.setInputScaling(Standardizer.fit(Xtrain));
 * const { mean, std } = net.inputScaling!; // Float64Array each, one value per feature
 * ```
 */
export interface InputScaling {
  /** One mean per feature (finite). */
  readonly mean: Float64Array;
  /** One standard deviation per feature (finite, > 0). */
  readonly std: Float64Array;
}

/**
 * What setInputScaling accepts: a Standardizer, any `{ mean, std }` with one finite value per
 * feature (std > 0), or null to remove the scaling. The values are copied.
 * @example
 * ```ts
 * model.setInputScaling({ mean: [170, 70], std: [10, 12] }); // height (cm), weight (kg)
 * model.setInputScaling(null);                               // raw inputs again
 * ```
 */
export type InputScalingOption = {
  /** One mean per feature: a Float64Array or number[] of finite values. */
  mean: ArrayLike<number>;
  /** One standard deviation per feature: a Float64Array or number[] of finite values > 0. */
  std: ArrayLike<number>;
} | null;

/**
 * Validates an input scaling and copies it.
 * @param value - a Standardizer (lib/data.ts), `{ mean, std }` with Float64Arrays or number[], or null
 * @param features - the model's feature count, or undefined when it is not known yet (an unfitted
 *   LogisticRegression): then any length ≥ 1 is accepted, the same for mean and std
 * @param name - the argument's name in messages
 * @returns the copies, or null for null
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE when it is not such an object, or mean/std are not arrays of numbers;
 *   ERR_BLASNET_DETACHED for a detached buffer
 * @throws {RangeError} ERR_BLASNET_SHAPE when a length is not the feature count (or mean and std differ);
 *   ERR_BLASNET_NOT_FINITE for a non-finite mean or std; ERR_BLASNET_ARG_RANGE for a std ≤ 0
 * @example checkInputScaling(Standardizer.fit(Xtrain), 4, 'scaling')
 */
export function checkInputScaling(value: unknown, features: number | undefined, name: string): InputScaling | null {
  if (value === null) return null;
  if (value === undefined || typeof value !== 'object' || Array.isArray(value)) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a Standardizer, an object { mean, std } or null, got ${describe(value)}`);
  }
  const o = ownProperties(value, name); // read once, own properties only
  if (o.mean === undefined || o.std === undefined) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must have own properties mean and std (a Standardizer, or { mean, std }), got ${describe(value)} without ${o.mean === undefined ? 'mean' : 'std'}`);
  }
  const mean = numbers(o.mean, `${name}.mean`);
  const std = numbers(o.std, `${name}.std`);
  const expected = features ?? mean.length;
  if (expected === 0 || mean.length !== expected) {
    throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name}.mean must have one value per feature (${features === undefined ? 'at least 1' : features}), got ${mean.length}`);
  }
  if (std.length !== expected) {
    throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name}.std must have one value per feature (${expected}${features === undefined ? ', like mean' : ''}), got ${std.length}`);
  }
  for (let j = 0; j < expected; j++) {
    if (!Number.isFinite(mean[j])) throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${name}.mean must contain only finite numbers, got ${describe(mean[j])} at index ${j}`);
    if (!Number.isFinite(std[j])) throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${name}.std must contain only finite numbers, got ${describe(std[j])} at index ${j}`);
    if (!(std[j]! > 0)) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `${name}.std must hold values > 0 (a constant feature gets std 1 from Standardizer), got ${describe(std[j])} at index ${j}`);
  }
  return { mean, std };
}

function numbers(value: unknown, name: string): Float64Array {
  if (value instanceof Float64Array) {
    if (isDetached(value.buffer)) throw new BlasnetTypeError('ERR_BLASNET_DETACHED', `${name} is backed by a detached ArrayBuffer; expected a live buffer`);
    return value.slice();
  }
  if (Array.isArray(value)) {
    const out = new Float64Array(value.length);
    for (let j = 0; j < value.length; j++) {
      const v: unknown = value[j];
      if (typeof v !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name}[${j}] must be a number, got ${describe(v)}`);
      out[j] = v;
    }
    return out;
  }
  throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a Float64Array or number[], got ${describe(value)}`);
}

/**
 * Copies of a scaling, for a getter.
 * @param s - the model's scaling, or null
 * @returns fresh Float64Arrays, or null
 * @example get inputScaling() { return copyInputScaling(this.#scaling); }
 */
export function copyInputScaling(s: InputScaling | null): InputScaling | null {
  return s === null ? null : { mean: s.mean.slice(), std: s.std.slice() };
}

/**
 * X with the scaling applied: a new Matrix whose element (i, j) is (x − mean[j]) / std[j], computed
 * as Standardizer.transform computes it (same operations, same order: the same bits). Without a
 * scaling, M itself. A non-finite input stays non-finite where it is (the callers' checks name it);
 * a finite input that the scaling makes overflow is an error here.
 * @param M - the validated raw inputs, n × features
 * @param s - the scaling (its length equals M.cols), or null
 * @param name - the argument's name in messages
 * @returns the scaled inputs (never M when s is set)
 * @throws {RangeError} ERR_BLASNET_NOT_FINITE when (x − mean) / std overflows for a finite x
 * @example const Z = applyInputScaling(M, this.#scaling, 'X');
 */
export function applyInputScaling(M: Matrix, s: InputScaling | null, name: string): Matrix {
  if (s === null) return M;
  const { rows, cols, data } = M;
  const out = new Matrix(rows, cols);
  const z = out.data, mean = s.mean, std = s.std;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const x = data[i * cols + j]!;
      const v = (x - mean[j]!) / std[j]!;
      if (!Number.isFinite(v) && Number.isFinite(x)) {
        throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE',
          `${name} at row ${i}, column ${j} is ${x}, which the model's input scaling (mean ${mean[j]}, std ${std[j]}) turns into ${v}`);
      }
      z[i * cols + j] = v;
    }
  }
  return out;
}

/**
 * The `preprocessing` field of a model file, or undefined without a scaling.
 * @param s - the model's scaling, or null
 * @returns `{ inputScaling: { mean, std } }` as number arrays, or undefined
 * @example preprocessing: preprocessingToJSON(this.#scaling)
 */
export function preprocessingToJSON(s: InputScaling | null): PreprocessingJSON | undefined {
  if (s === null) return undefined;
  const scaling: InputScalingJSON = { mean: Array.from(s.mean), std: Array.from(s.std) };
  return { inputScaling: scaling };
}

/**
 * Reads a model file's optional `preprocessing` field (see lib/format/spec.ts).
 * @param value - root.preprocessing (undefined: none)
 * @param features - the model's feature count
 * @param src - names the model in messages
 * @returns the scaling, or null when the field is absent
 * @throws {TypeError} ERR_BLASNET_FORMAT for a wrong structure or an unknown key
 * @throws {RangeError} ERR_BLASNET_SHAPE for a length other than `features`; ERR_BLASNET_NOT_FINITE for
 *   a non-finite value; ERR_BLASNET_FORMAT for a std ≤ 0
 * @example const scaling = preprocessingFromJSON(root.preprocessing, 4, doc.src);
 */
export function preprocessingFromJSON(value: unknown, features: number, src: string): InputScaling | null {
  if (value === undefined) return null;
  const p = plainObject(value, src, 'preprocessing');
  exactKeys(p, src, 'preprocessing', ['inputScaling'], ['inputScaling']);
  const s = plainObject(p.inputScaling, src, 'preprocessing.inputScaling');
  exactKeys(s, src, 'preprocessing.inputScaling', ['mean', 'std'], ['mean', 'std']);
  const shape = `${features} values (one per input feature)`;
  checkLength(s.mean, features, src, 'preprocessing.inputScaling.mean', shape);
  checkLength(s.std, features, src, 'preprocessing.inputScaling.std', shape);
  checkFinite(s.mean, src, 'preprocessing.inputScaling.mean');
  checkFinite(s.std, src, 'preprocessing.inputScaling.std');
  const bad = s.std.findIndex((v) => !(v > 0));
  if (bad >= 0) throw blasnetError('ERR_BLASNET_FORMAT', `${src}: preprocessing.inputScaling.std must hold values > 0, got ${s.std[bad]} at index ${bad}`);
  return { mean: Float64Array.from(s.mean), std: Float64Array.from(s.std) };
}
