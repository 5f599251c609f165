// Small data utilities users need around a model: a seeded train/test split and standardization
// with training-set statistics. Not mathematics of the seed; kept here so examples, tests and
// users share one implementation.
import { BlasnetRangeError, describe } from './errors.js';
import { Matrix } from './matrix.js';
import { Random } from './random.js';
import { toMatrix } from './validate.js';

/** Rows `indices` of M, in that order, as a new Matrix. */
export function takeRows(M: Matrix, indices: ArrayLike<number>): Matrix {
  const out = new Matrix(indices.length, M.cols);
  for (let i = 0; i < indices.length; i++) out.data.set(M.row(indices[i]!), i * M.cols);
  return out;
}

/**
 * A seeded shuffle-and-split of examples (rows) and their labels.
 * @param X - n × s examples
 * @param y - n labels (Float64Array) or an n × k label Matrix
 * @param options.testFraction - fraction of examples for the test set, in (0, 1); default 0.2
 * @param options.seed - PRNG seed; default 0
 * @example const { Xtrain, ytrain, Xtest, ytest } = trainTestSplit(X, y, { testFraction: 0.2, seed: 42 });
 */
export function trainTestSplit<Y extends Float64Array | Matrix>(X: Matrix | number[][], y: Y, options: { testFraction?: number; seed?: number } = {}) {
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

/** Zero-mean, unit-variance scaling of each column with statistics from the data it was fitted on. */
export class Standardizer {
  readonly mean: Float64Array;
  readonly std: Float64Array;

  private constructor(mean: Float64Array, std: Float64Array) {
    this.mean = mean;
    this.std = std;
  }

  /** Column means and population standard deviations of X (a constant column gets std 1). */
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

  /** (X − mean) / std, as a new Matrix. */
  transform(X: Matrix | number[][]): Matrix {
    const M = toMatrix(X, 'X', { cols: this.mean.length });
    const out = new Matrix(M.rows, M.cols);
    for (let i = 0; i < M.rows; i++) {
      for (let j = 0; j < M.cols; j++) out.data[i * M.cols + j] = (M.data[i * M.cols + j]! - this.mean[j]!) / this.std[j]!;
    }
    return out;
  }
}
