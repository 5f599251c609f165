// Small data utilities users need around a model: row selection, a seeded train/test split and
// standardization with training-set statistics. Not mathematics of the seed; kept here so examples,
// tests and users share one implementation. They validate like the models do and never mutate or
// keep a reference to what they are given; options are read as own properties only.
import { BlasnetRangeError, BlasnetTypeError, describe } from './errors.js';
import { Matrix } from './matrix.js';
import { Random } from './random.js';
import { checkKnownKeys, checkOptionsObject, isDetached, toMatrix } from './validate.js';

/**
 * What trainTestSplit returns: new matrices and labels, the training part first.
 * @typeParam Y - the labels' type: Float64Array (also for number[] labels) or Matrix, as given
 * @example
 * ```ts
 * const split: TrainTestSplitResult<Float64Array> = trainTestSplit(X, y, { seed: 1 });
 * await net.fit(split.Xtrain, split.ytrain);
 * ```
 */
export interface TrainTestSplitResult<Y extends Float64Array | Matrix> {
  /** The training examples, 1 − testFraction of the rows. */
  Xtrain: Matrix;
  /** The training examples' labels, in the same order. */
  ytrain: Y;
  /** The test examples, round(n · testFraction) rows. */
  Xtest: Matrix;
  /** The test examples' labels, in the same order. */
  ytest: Y;
}

/** An own property of an options object (never one inherited from a polluted prototype). */
function own(o: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

/**
 * Rows `indices` of M, in that order (repeats allowed), as a new Matrix.
 * @param M - the source Matrix (not modified)
 * @param indices - row numbers: an array of numbers or an integer typed array, each an integer in [0, M.rows)
 * @returns an `indices.length × M.cols` Matrix whose row i is a copy of row `indices[i]` of M
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE when M is not a Matrix, `indices` is not an array or integer typed
 *   array, or an index is not a number; ERR_BLASNET_DETACHED when a buffer is detached
 * @throws {RangeError} ERR_BLASNET_ARG_RANGE when an index is negative, fractional, NaN or ≥ M.rows;
 *   ERR_BLASNET_SHAPE when M's data does not have rows × cols elements
 * @example takeRows(Matrix.from([[1, 2], [3, 4], [5, 6]]), [2, 0]) // [[5, 6], [1, 2]]
 */
export function takeRows(M: Matrix, indices: ArrayLike<number>): Matrix {
  if (!(M instanceof Matrix)) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `M must be a Matrix, got ${describe(M)}`);
  if (!(M.data instanceof Float64Array)) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `M.data must be a Float64Array, got ${describe(M.data)}`);
  if (isDetached(M.data.buffer)) throw new BlasnetTypeError('ERR_BLASNET_DETACHED', 'M.data is backed by a detached ArrayBuffer (was it transferred?); expected a live buffer');
  if (M.data.length !== M.rows * M.cols) {
    throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `M.data must have rows × cols = ${M.rows * M.cols} elements, got ${M.data.length}`);
  }
  const isIntegerView = ArrayBuffer.isView(indices) && !(indices instanceof DataView) && !(indices instanceof Float32Array) &&
    !(indices instanceof Float64Array) && !(indices instanceof BigInt64Array) && !(indices instanceof BigUint64Array);
  if (!Array.isArray(indices) && !isIntegerView) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `indices must be an array of row numbers or an integer typed array (e.g. Int32Array), got ${describe(indices)}`);
  }
  if (isIntegerView && isDetached((indices as unknown as ArrayBufferView).buffer)) {
    throw new BlasnetTypeError('ERR_BLASNET_DETACHED', 'indices is backed by a detached ArrayBuffer (was it transferred?); expected a live buffer');
  }
  // Read every index once, into our own array: a getter or a later change cannot alter what is checked.
  const n = indices.length;
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r: unknown = indices[i];
    if (typeof r !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `indices[${i}] must be a row number, got ${describe(r)}`);
    if (!Number.isInteger(r) || r < 0 || r >= M.rows) {
      const range = M.rows === 0 ? 'a row number, but M has no rows' : `an integer in [0, ${M.rows - 1}] (M has ${M.rows} rows)`;
      throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `indices[${i}] must be ${range}, got ${describe(r)}`);
    }
    rows[i] = r;
  }
  const out = new Matrix(n, M.cols);
  for (let i = 0; i < n; i++) out.data.set(M.data.subarray(rows[i]! * M.cols, (rows[i]! + 1) * M.cols), i * M.cols);
  return out;
}

/** Labels for trainTestSplit: n finite numbers as a Float64Array copy, or a Matrix with n rows. */
function checkLabels(y: unknown, n: number): Float64Array | Matrix {
  if (y instanceof Matrix) {
    const T = toMatrix(y, 'y');
    if (T.rows !== n) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `y must have one row per row of X (${n}), got ${T.rows}`);
    return T;
  }
  if (!(y instanceof Float64Array) && !Array.isArray(y)) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `y must be a Float64Array, a number[] or a Matrix of labels, got ${describe(y)}`);
  }
  if (y instanceof Float64Array && y.length === 0 && isDetached(y.buffer)) {
    throw new BlasnetTypeError('ERR_BLASNET_DETACHED', 'y is backed by a detached ArrayBuffer (was it transferred?); expected a live buffer');
  }
  if (y.length !== n) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `y must have one label per row of X (${n}), got ${y.length}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v: unknown = y[i];
    if (typeof v !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `y[${i}] must be a number, got ${describe(v)}`);
    if (!Number.isFinite(v)) throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `y must contain only finite numbers, got ${describe(v)} at index ${i}`);
    out[i] = v;
  }
  return out;
}

/**
 * A seeded shuffle-and-split of examples (rows) and their labels. Both parts are new arrays; the inputs
 * are not modified.
 * @param X - n × s examples (a Matrix or number[][]), n ≥ 2, finite
 * @param y - n labels: a Float64Array or number[] (the parts are Float64Arrays), or an n × k Matrix
 * @param options - `testFraction` and `seed`, below
 * @param options.testFraction - fraction of examples for the test set, in (0, 1); default 0.2. Both parts must
 *   get at least one example: round(n · testFraction) must be in [1, n − 1]
 * @param options.seed - PRNG seed, an integer in [0, 2^32); default 0
 * @returns `{ Xtrain, ytrain, Xtest, ytest }` (a TrainTestSplitResult), new arrays
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE for a wrong type or an unknown option; ERR_BLASNET_DETACHED for a
 *   detached buffer
 * @throws {RangeError} ERR_BLASNET_SHAPE when y's length differs from X's rows or X is empty;
 *   ERR_BLASNET_ARG_RANGE for testFraction outside (0, 1), a split that leaves a part empty, or a bad seed;
 *   ERR_BLASNET_NOT_FINITE for a non-finite value in X or y
 * @example const { Xtrain, ytrain, Xtest, ytest } = trainTestSplit(X, y, { testFraction: 0.2, seed: 42 });
 */
export function trainTestSplit<Y extends Float64Array | Matrix = Float64Array>(
  X: Matrix | number[][],
  y: Y | number[],
  options: { testFraction?: number; seed?: number } = {},
): TrainTestSplitResult<Y> {
  const o = checkOptionsObject(options, 'options');
  checkKnownKeys(o, 'options', ['testFraction', 'seed']);
  const fraction = own(o, 'testFraction'), seedOption = own(o, 'seed');
  const M = toMatrix(X, 'X');
  const testFraction = fraction ?? 0.2;
  if (typeof testFraction !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.testFraction must be a number in (0, 1), got ${describe(testFraction)}`);
  if (!(testFraction > 0 && testFraction < 1)) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `options.testFraction must be in (0, 1), got ${describe(testFraction)}`);
  const seed = seedOption ?? 0;
  if (typeof seed !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.seed must be an integer in [0, 2^32), got ${describe(seed)}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `options.seed must be an integer in [0, 2^32), got ${describe(seed)}`);
  }
  const n = M.rows;
  const labels = checkLabels(y, n);
  const nTest = Math.round(n * testFraction);
  if (nTest < 1 || nTest > n - 1) {
    throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE',
      `options.testFraction ${testFraction} of ${n} example(s) gives ${nTest} test and ${n - nTest} training example(s); both parts need at least one`);
  }
  const order = new Random(seed).shuffle(Int32Array.from({ length: n }, (_, i) => i));
  const testIdx = order.subarray(0, nTest), trainIdx = order.subarray(nTest);
  const pick = (idx: Int32Array) => (labels instanceof Matrix ? takeRows(labels, idx) : Float64Array.from(idx, (i) => labels[i]!));
  return { Xtrain: takeRows(M, trainIdx), ytrain: pick(trainIdx) as Y, Xtest: takeRows(M, testIdx), ytest: pick(testIdx) as Y };
}

/**
 * Zero-mean, unit-variance scaling of each column with statistics from the data it was fitted on.
 *
 * @example
 * const scaler = Standardizer.fit(Xtrain);
 * const Xs = scaler.transform(Xtest);   // uses Xtrain's means and standard deviations
 */
export class Standardizer {
  /** The column means. Own properties (a model's setInputScaling reads them as such); treat as read-only. */
  readonly mean: Float64Array;
  /** The column population standard deviations, 1 for a constant column; treat as read-only. */
  readonly std: Float64Array;

  private constructor(mean: Float64Array, std: Float64Array) {
    this.mean = mean;
    this.std = std;
  }

  /**
   * Column means and population standard deviations of X (a constant column gets std 1).
   * @param X - n × s examples (Matrix or number[][]), n ≥ 1, finite; not modified
   * @returns a Standardizer for s columns
   * @throws {TypeError} ERR_BLASNET_ARG_TYPE when X is not a Matrix or number[][]; ERR_BLASNET_DETACHED for a
   *   detached buffer
   * @throws {RangeError} ERR_BLASNET_SHAPE for an empty X; ERR_BLASNET_NOT_FINITE for a non-finite value, or a
   *   column whose mean or standard deviation overflows float64 (rescale it first)
   * @example const scaler = Standardizer.fit([[1, 10], [3, 30]]); // mean [2, 20], std [1, 10]
   */
  static fit(X: Matrix | number[][]): Standardizer {
    const M = toMatrix(X, 'X');
    const mean = new Float64Array(M.cols), std = new Float64Array(M.cols);
    for (let i = 0; i < M.rows; i++) for (let j = 0; j < M.cols; j++) mean[j] += M.data[i * M.cols + j]!;
    for (let j = 0; j < M.cols; j++) mean[j]! /= M.rows;
    // σ = c·√(mean((d/c)²)) with c = max |d|: the squares neither underflow (tiny columns) nor overflow.
    const scale = new Float64Array(M.cols);
    for (let i = 0; i < M.rows; i++) {
      for (let j = 0; j < M.cols; j++) scale[j] = Math.max(scale[j]!, Math.abs(M.data[i * M.cols + j]! - mean[j]!));
    }
    for (let i = 0; i < M.rows; i++) {
      for (let j = 0; j < M.cols; j++) {
        if (scale[j] === 0) continue;
        const d = (M.data[i * M.cols + j]! - mean[j]!) / scale[j]!;
        std[j] += d * d;
      }
    }
    for (let j = 0; j < M.cols; j++) {
      const s = scale[j]! * Math.sqrt(std[j]! / M.rows);
      if (!Number.isFinite(mean[j]!) || !Number.isFinite(s)) {
        throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE',
          `X column ${j} has a ${Number.isFinite(mean[j]!) ? 'standard deviation' : 'mean'} that overflows float64 (values too large); rescale the column first`);
      }
      std[j] = s > 0 ? s : 1;
    }
    return new Standardizer(mean, std);
  }

  /**
   * (X − mean) / std with the fitted statistics, as a new Matrix.
   * @param X - rows with as many columns as the data the Standardizer was fitted on; finite; not modified
   * @returns the standardized rows, same shape as X
   * @throws {TypeError} ERR_BLASNET_ARG_TYPE when X is not a Matrix or number[][]; ERR_BLASNET_DETACHED for a
   *   detached buffer
   * @throws {RangeError} ERR_BLASNET_SHAPE for a wrong column count or an empty X; ERR_BLASNET_NOT_FINITE for a
   *   non-finite value, or a result that overflows float64
   * @example scaler.transform([[2, 20]]) // [[0, 0]] for the scaler of the `fit` example
   */
  transform(X: Matrix | number[][]): Matrix {
    const M = toMatrix(X, 'X', { cols: this.mean.length });
    const out = new Matrix(M.rows, M.cols);
    for (let i = 0; i < M.rows; i++) {
      for (let j = 0; j < M.cols; j++) {
        const v = (M.data[i * M.cols + j]! - this.mean[j]!) / this.std[j]!;
        if (!Number.isFinite(v)) {
          throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `X at row ${i}, column ${j} (${M.data[i * M.cols + j]}) standardizes to ${v}, outside float64; rescale it first`);
        }
        out.data[i * M.cols + j] = v;
      }
    }
    return out;
  }
}
