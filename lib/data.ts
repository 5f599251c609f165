// Small data utilities users need around a model: a seeded train/test split and standardization
// with training-set statistics. Not mathematics of the seed; kept here so examples, tests and
// users share one implementation.
import { BlasnetRangeError, describe } from './errors.js';
import { Matrix } from './matrix.js';
import { Random } from './random.js';
import { toMatrix } from './validate.js';

/**
 * What trainTestSplit returns: new matrices and labels, the training part first.
 * @typeParam Y - the labels' type: Float64Array or Matrix, as given
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

/**
 * Picks rows of a matrix by index, in the order given, into a new Matrix: for gathering a subset
 * of examples (a fold, a batch, a split). The indices are not checked, as with Matrix.row: an
 * index outside [0, M.rows) gives a row of zeros and a fractional one a misaligned row, so pass
 * integers in range.
 * @param M - the matrix to read from (not changed)
 * @param indices - row indices, integers in [0, M.rows); repeats allowed
 * @returns a new `indices.length × M.cols` Matrix
 * @throws {BlasnetError} ERR_BLASNET_OUT_OF_MEMORY when the new matrix would exceed blasnet's memory limit
 * @example
 * ```ts
 * takeRows(Matrix.from([[1, 2], [3, 4], [5, 6]]), [2, 0]).toArray(); // [[5, 6], [1, 2]]
 * ```
 */
export function takeRows(M: Matrix, indices: ArrayLike<number>): Matrix {
  const out = new Matrix(indices.length, M.cols);
  for (let i = 0; i < indices.length; i++) out.data.set(M.row(indices[i]!), i * M.cols);
  return out;
}

/**
 * Splits examples (rows) and their labels into a training and a test set after a seeded shuffle,
 * so the same seed gives the same split on every machine. The test set has
 * round(n · testFraction) examples, which for a small n can be 0 or n (an empty part).
 * @typeParam Y - the labels' type, kept in the result
 * @param X - n × s examples (not changed)
 * @param y - n labels (Float64Array) or an n × k label Matrix (not changed)
 * @param options - `{ testFraction?, seed? }`
 * @param options.testFraction - fraction of examples for the test set, in (0, 1); default 0.2
 * @param options.seed - PRNG seed, an integer in [0, 2^32); default 0
 * @returns new matrices and label arrays: `{ Xtrain, ytrain, Xtest, ytest }`
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE when X is not a Matrix or number[][]; ERR_BLASNET_DETACHED for a detached X.data
 * @throws {RangeError} ERR_BLASNET_SHAPE for an X without rows or columns, ragged rows, or a label count
 *   other than n; ERR_BLASNET_NOT_FINITE for a non-finite value in X; ERR_BLASNET_ARG_RANGE for a
 *   testFraction outside (0, 1) or a bad seed
 * @throws {BlasnetError} ERR_BLASNET_OUT_OF_MEMORY when the copies would exceed blasnet's memory limit
 * @example
 * ```ts
 * const { Xtrain, ytrain, Xtest, ytest } = trainTestSplit(X, y, { testFraction: 0.2, seed: 42 });
 * ```
 */
export function trainTestSplit<Y extends Float64Array | Matrix>(X: Matrix | number[][], y: Y, options: { testFraction?: number; seed?: number } = {}): TrainTestSplitResult<Y> {
  const M = toMatrix(X, 'X');
  const testFraction = options.testFraction ?? 0.2;
  if (!(testFraction > 0 && testFraction < 1)) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `options.testFraction must be in (0, 1), got ${describe(testFraction)}`);
  const n = M.rows;
  const labelCount = y instanceof Matrix ? y.rows : y.length;
  if (labelCount !== n) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `y must have one label per row of X (${n}), got ${labelCount}`);
  const order = new Random(options.seed ?? 0).shuffle(Int32Array.from({ length: n }, (_, i) => i));
  const nTest = Math.round(n * testFraction);
  const testIdx = order.subarray(0, nTest), trainIdx = order.subarray(nTest);
  const pick = (idx: Int32Array): Y => (y instanceof Matrix ? takeRows(y, idx) : Float64Array.from(idx, (i) => (y as Float64Array)[i]!)) as Y;
  return { Xtrain: takeRows(M, trainIdx), ytrain: pick(trainIdx), Xtest: takeRows(M, testIdx), ytest: pick(testIdx) };
}

/**
 * Zero-mean, unit-variance scaling of each column with statistics from the data it was fitted on.
 * Fit it on the training set only, so that no test-set information leaks into training; hand it
 * to a model's setInputScaling to have the model apply it (and save it) itself.
 * @example
 * ```ts
 * const scaler = Standardizer.fit(Xtrain);
 * const Ztest = scaler.transform(Xtest); // the training set's mean and std
 * ```
 */
export class Standardizer {
  /** Per-column means of the fitted data. */
  readonly mean: Float64Array;
  /** Per-column population standard deviations of the fitted data (1 for a constant column). */
  readonly std: Float64Array;

  private constructor(mean: Float64Array, std: Float64Array) {
    this.mean = mean;
    this.std = std;
  }

  /**
   * Computes the column means and population standard deviations of X. A constant column gets
   * std 1 rather than 0, so transform maps it to 0 instead of dividing by zero.
   * @param X - n × s data, n ≥ 1 (not changed)
   * @returns a Standardizer holding s means and s standard deviations
   * @throws {TypeError} ERR_BLASNET_ARG_TYPE when X is not a Matrix or number[][]; ERR_BLASNET_DETACHED for a detached X.data
   * @throws {RangeError} ERR_BLASNET_SHAPE for an X without rows or columns, or ragged rows;
   *   ERR_BLASNET_NOT_FINITE for a non-finite value
   * @example
   * ```ts
   * const s = Standardizer.fit([[1, 10], [3, 10]]);
   * s.mean; // Float64Array [2, 10]
   * s.std;  // Float64Array [1, 1]
   * ```
   */
  static fit(X: Matrix | number[][]): Standardizer {
    const M = toMatrix(X, 'X');
    const mean = new Float64Array(M.cols), std = new Float64Array(M.cols);
    for (let i = 0; i < M.rows; i++) for (let j = 0; j < M.cols; j++) mean[j] += M.data[i * M.cols + j]!;
    for (let j = 0; j < M.cols; j++) mean[j]! /= M.rows;
    for (let i = 0; i < M.rows; i++) {
      for (let j = 0; j < M.cols; j++) {
        const d = M.data[i * M.cols + j]! - mean[j]!;
        std[j] += d * d;
      }
    }
    for (let j = 0; j < M.cols; j++) {
      const s = Math.sqrt(std[j]! / M.rows);
      std[j] = s > 0 ? s : 1;
    }
    return new Standardizer(mean, std);
  }

  /**
   * Applies the fitted scaling, (x − mean) / std per column, to new data.
   * @param X - data with as many columns as the fitted data (not changed)
   * @returns a new Matrix of X's shape
   * @throws {TypeError} ERR_BLASNET_ARG_TYPE when X is not a Matrix or number[][]; ERR_BLASNET_DETACHED for a detached X.data
   * @throws {RangeError} ERR_BLASNET_SHAPE for an X without rows, ragged rows, or another column count;
   *   ERR_BLASNET_NOT_FINITE for a non-finite value
   * @throws {BlasnetError} ERR_BLASNET_OUT_OF_MEMORY when the result would exceed blasnet's memory limit
   * @example
   * ```ts
   * Standardizer.fit([[1, 10], [3, 10]]).transform([[2, 10], [5, 10]]).toArray(); // [[0, 0], [3, 0]]
   * ```
   */
  transform(X: Matrix | number[][]): Matrix {
    const M = toMatrix(X, 'X', { cols: this.mean.length });
    const out = new Matrix(M.rows, M.cols);
    for (let i = 0; i < M.rows; i++) {
      for (let j = 0; j < M.cols; j++) out.data[i * M.cols + j] = (M.data[i * M.cols + j]! - this.mean[j]!) / this.std[j]!;
    }
    return out;
  }
}
