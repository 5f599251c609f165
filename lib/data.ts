// Small data utilities users need around a model: row selection, a seeded (optionally stratified)
// train/test split and standardization with training-set statistics, and the reading of examples and
// targets that lib/crossval.ts shares. Not mathematics of the seed; kept here so examples, tests and
// users share one implementation. They validate like the models do and never mutate what they are
// given (records are passed on by reference, never copied); options are read as own properties only.
import { BlasnetRangeError, BlasnetTypeError, describe } from './errors.js';
import { encodeLabels, uniqueLabels, type Label } from './labels.js';
import { Matrix } from './matrix.js';
import { Random } from './random.js';
import { checkKnownKeys, checkOptionsObject, isDetached, toMatrix } from './validate.js';

/**
 * An object that selects its own rows, such as a table of columns: `take(indices)` returns a new
 * object of the same kind holding rows `indices`, in that order (a tabular Table is one).
 * trainTestSplit and crossValidate pass such objects on as they are and only call `take`. The row count
 * is read from a numeric `nRows`, `rows` or `length` property (the first present), or else taken from y.
 * @typeParam T - what `take` returns (usually the object's own type)
 * @example
 * const table: Takeable<typeof table> = { rows: 3, take: (idx) => ({ ...table, rows: idx.length }) };
 */
export interface Takeable<T = unknown> {
  /**
   * The rows `indices`, in that order, as a new object of the same kind.
   * @param indices - row numbers, each an integer in [0, row count); a fresh array the callee may keep
   * @returns the selected rows
   * @example const part = table.take(Int32Array.of(2, 0));
   */
  take(indices: Int32Array): T;
}

/**
 * Examples (one per row) as the split helpers take them: a Matrix or number[][] (read as a Matrix,
 * checked finite), any other array (records such as plain objects, taken by reference, never copied),
 * or a {@link Takeable} object. An array whose first element is an array is read as number[][].
 * @example
 * const X: SplitExamples = [{ petal: 1.4, sepal: 5.1 }, { petal: 4.7, sepal: 7.0 }];
 */
export type SplitExamples = Matrix | readonly (readonly number[])[] | readonly unknown[] | Takeable;

/**
 * What each part of {@link SplitExamples} X is: a Matrix for a Matrix or number[][], an array of the same
 * elements for any other array, what `take` returns for a {@link Takeable} (and a Matrix for an X typed `any`).
 * @typeParam X - the type of the examples given
 * @example
 * type Part = ExamplesPart<{ id: number }[]>;   // { id: number }[]
 */
export type ExamplesPart<X> = 0 extends 1 & X
  ? Matrix // X typed any (0 extends 1 & X holds only then): a Matrix, as trainTestSplit returned before it took records
  : X extends Matrix
    ? Matrix
    : X extends readonly (readonly number[])[]
      ? Matrix
      : X extends readonly (infer E)[]
        ? E[]
        : X extends Takeable<infer T>
          ? T
          : never;

/**
 * Targets as the split helpers take them: n labels of one kind (a Float64Array or number[] of finite
 * numbers, a string[], a boolean[]) or an n × k Matrix (one-hot classes, 0/1 columns, regression values).
 * @example
 * const y: SplitTargets = ['setosa', 'virginica', 'setosa'];
 */
export type SplitTargets = Float64Array | readonly number[] | readonly string[] | readonly boolean[] | Matrix;

/**
 * What each part of {@link SplitTargets} y is: a Float64Array for numbers, a string[] or boolean[] for
 * those labels, a Matrix for a Matrix, null when there is no y (and `any` for a y typed `any`).
 * @typeParam Y - the type of the targets given
 * @example
 * type Part = TargetsPart<string[]>;   // string[]
 */
export type TargetsPart<Y> = 0 extends 1 & Y
  ? any // y typed any: so are its parts
  : Y extends Matrix
    ? Matrix
    : Y extends readonly string[]
      ? string[]
      : Y extends readonly boolean[]
        ? boolean[]
        : Y extends null | undefined
          ? null
          : Float64Array;

/**
 * What trainTestSplit returns: the two parts of the examples and of their targets, the training part first.
 * @typeParam Y - each part of y: Float64Array (number labels, also for number[]), string[], boolean[],
 *   Matrix, or null without y ({@link TargetsPart})
 * @typeParam X - each part of X: a Matrix (for a Matrix or number[][]), an array of the same elements, or
 *   what `take` returns ({@link ExamplesPart})
 * @example
 * ```ts
 * const split: TrainTestSplitResult<Float64Array> = trainTestSplit(X, y, { seed: 1 });
 * await net.fit(split.Xtrain, split.ytrain);
 * ```
 */
export interface TrainTestSplitResult<Y = Float64Array, X = Matrix> {
  /** The training examples, n − round(n · testFraction) of them. */
  Xtrain: X;
  /** The training examples' targets, in the same order (null without y). */
  ytrain: Y;
  /** The test examples, round(n · testFraction) of them. */
  Xtest: X;
  /** The test examples' targets, in the same order (null without y). */
  ytest: Y;
}

/**
 * The options of {@link trainTestSplit}.
 * @example
 * const options: TrainTestSplitOptions = { testFraction: 0.25, seed: 7, stratify: true };
 */
export interface TrainTestSplitOptions {
  /**
   * The fraction of examples for the test part, in (0, 1); default 0.2. The test part has
   * round(n · testFraction) examples (halves round up), and both parts need at least one.
   */
  testFraction?: number;
  /** The seed of the shuffle, an integer in [0, 2^32); default 0. */
  seed?: number;
  /**
   * Keep each class's share of the examples in both parts (default false). y must hold class labels:
   * numbers that are integers, strings, booleans, or a one-hot Matrix (the class of a row is the column
   * of its 1; an n × 1 Matrix holds 0/1 classes). Each class needs at least two examples. Shares that
   * do not divide evenly go by largest remainders, ties to the earlier class (see {@link trainTestSplit}).
   */
  stratify?: boolean;
}

/** An own property of an options object (never one inherited from a polluted prototype). */
function own(o: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

/** Indices read once into our own array, each checked to be an integer in [0, n). */
function readIndices(indices: unknown, n: number, source: string): Int32Array {
  const isIntegerView = ArrayBuffer.isView(indices) && !(indices instanceof DataView) && !(indices instanceof Float32Array) &&
    !(indices instanceof Float64Array) && !(indices instanceof BigInt64Array) && !(indices instanceof BigUint64Array);
  if (!Array.isArray(indices) && !isIntegerView) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `indices must be an array of row numbers or an integer typed array (e.g. Int32Array), got ${describe(indices)}`);
  }
  if (isIntegerView && isDetached((indices as ArrayBufferView).buffer)) {
    throw new BlasnetTypeError('ERR_BLASNET_DETACHED', 'indices is backed by a detached ArrayBuffer (was it transferred?); expected a live buffer');
  }
  // Read every index once, into our own array: a getter or a later change cannot alter what is checked.
  const list = indices as ArrayLike<unknown>;
  const count = list.length;
  const rows = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const r: unknown = list[i];
    if (typeof r !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `indices[${i}] must be a row number, got ${describe(r)}`);
    if (!Number.isInteger(r) || r < 0 || r >= n) {
      const range = n === 0 ? `a row number, but ${source} has no rows` : `an integer in [0, ${n - 1}] (${source} has ${n} rows)`;
      throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `indices[${i}] must be ${range}, got ${describe(r)}`);
    }
    rows[i] = r;
  }
  return rows;
}

/** Rows `rows` (already checked) of a Matrix, copied into a new Matrix. */
function matrixRows(M: Matrix, rows: Int32Array): Matrix {
  const out = new Matrix(rows.length, M.cols);
  for (let i = 0; i < rows.length; i++) out.data.set(M.data.subarray(rows[i]! * M.cols, (rows[i]! + 1) * M.cols), i * M.cols);
  return out;
}

/**
 * Rows `indices` of M, in that order (repeats allowed), copied: a new Matrix from a Matrix, new
 * number[] rows from a number[][].
 * @param M - the source: a Matrix, or an array of rows (number[][], all of one length); not modified
 * @param indices - row numbers: an array of numbers or an integer typed array, each an integer in [0, row count)
 * @returns for a Matrix, an `indices.length × M.cols` Matrix whose row i is a copy of row `indices[i]` of M;
 *   for a number[][], an array whose element i is a copy of `M[indices[i]]`
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE when M is neither a Matrix nor an array, a taken row of a
 *   number[][] is not an array of numbers, `indices` is not an array or integer typed array, or an index is
 *   not a number; ERR_BLASNET_DETACHED when a buffer is detached
 * @throws {RangeError} ERR_BLASNET_ARG_RANGE when an index is negative, fractional, NaN or ≥ the row count;
 *   ERR_BLASNET_SHAPE when M's data does not have rows × cols elements, or the taken rows of a number[][]
 *   differ in length
 * @typeParam Source - the type of M, which decides the result's: Matrix or number[][]
 * @example
 * takeRows(Matrix.from([[1, 2], [3, 4], [5, 6]]), [2, 0]);   // Matrix [[5, 6], [1, 2]]
 * takeRows([[1, 2], [3, 4], [5, 6]], Int32Array.of(1, 1));   // [[3, 4], [3, 4]], new arrays
 */
export function takeRows<Source extends Matrix | readonly (readonly number[])[]>(M: Source, indices: ArrayLike<number>): Source extends Matrix ? Matrix : number[][] {
  type Out = Source extends Matrix ? Matrix : number[][];
  if (Array.isArray(M)) {
    const rows = readIndices(indices, M.length, 'M');
    const out: number[][] = new Array<number[]>(rows.length);
    let width = -1;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const row: unknown = M[r];
      if (!Array.isArray(row)) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `M[${r}] must be a row (an array of numbers), got ${describe(row)}`);
      if (width < 0) width = row.length;
      else if (row.length !== width) {
        throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `M's rows must all have one length: M[${rows[0]}] has ${width} values, M[${r}] has ${row.length}`);
      }
      const copy = new Array<number>(row.length);
      for (let j = 0; j < row.length; j++) {
        const v: unknown = row[j];
        if (typeof v !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `M[${r}][${j}] must be a number, got ${describe(v)}`);
        copy[j] = v;
      }
      out[i] = copy;
    }
    return out as Out;
  }
  if (!(M instanceof Matrix)) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `M must be a Matrix, got ${describe(M)} (an array of rows, number[][], is accepted too)`);
  }
  if (!(M.data instanceof Float64Array)) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `M.data must be a Float64Array, got ${describe(M.data)}`);
  if (isDetached(M.data.buffer)) throw new BlasnetTypeError('ERR_BLASNET_DETACHED', 'M.data is backed by a detached ArrayBuffer (was it transferred?); expected a live buffer');
  if (M.data.length !== M.rows * M.cols) {
    throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `M.data must have rows × cols = ${M.rows * M.cols} elements, got ${M.data.length}`);
  }
  return matrixRows(M, readIndices(indices, M.rows, 'M')) as Out;
}

// ---------------------------------------------------------------------------------------------
// Examples and targets as trainTestSplit and lib/crossval.ts read them (internal).

/**
 * Examples read once: a Matrix (from a Matrix or number[][], checked finite), records (any other array,
 * elements taken by reference), or an object with `take`.
 * @internal
 */
export type ExampleSource =
  | { kind: 'matrix'; n: number; M: Matrix }
  | { kind: 'array'; n: number; items: readonly unknown[] }
  | { kind: 'take'; n: number | null; source: Takeable };

/** A row count from a take-object's `nRows`, `rows` or `length` (the first present; an integer ≥ 0), or null. */
function takeableCount(X: object, name: string): number | null {
  for (const key of ['nRows', 'rows', 'length']) {
    const v: unknown = (X as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
    if (typeof v === 'number') throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `${name}.${key} must be a row count (an integer ≥ 0), got ${describe(v)}`);
  }
  return null;
}

/**
 * Reads X: a Matrix or number[][] (an array whose first element is an array) as a checked Matrix, any
 * other array as records, an object with a `take` method as itself.
 * @param X - the examples
 * @param name - its name in messages
 * @returns the source; `n` is null for a take-object without an `nRows`, `rows` or `length` count
 * @throws ERR_BLASNET_ARG_TYPE for anything else; the errors of toMatrix for number[][]; ERR_BLASNET_SHAPE for no rows
 * @internal
 */
export function readExamples(X: unknown, name: string): ExampleSource {
  if (X instanceof Matrix || (Array.isArray(X) && X.length > 0 && Array.isArray(X[0]))) {
    const M = toMatrix(X, name);
    return { kind: 'matrix', n: M.rows, M };
  }
  if (Array.isArray(X)) {
    if (X.length === 0) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must have at least one row (example), got 0`);
    return { kind: 'array', n: X.length, items: X };
  }
  if (X !== null && typeof X === 'object' && typeof (X as { take?: unknown }).take === 'function') {
    return { kind: 'take', n: takeableCount(X, name), source: X as Takeable };
  }
  throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE',
    `${name} must be a Matrix or an array of rows (number[][], or records such as plain objects), or an object with a take(indices) method, got ${describe(X)}`);
}

/**
 * The examples at `rows` (valid indices, not shared with the caller): copied Matrix rows, the same
 * elements of an array (not copied), or what `take` returns. The one row selection of trainTestSplit
 * and crossValidate.
 * @internal
 */
export function takeExamples(src: ExampleSource, rows: Int32Array): unknown {
  if (src.kind === 'matrix') return matrixRows(src.M, rows);
  if (src.kind === 'array') return Array.from(rows, (i) => src.items[i]);
  return src.source.take(rows.slice());
}

/**
 * Targets read once into our own copy: number labels (Float64Array), string or boolean labels, or a Matrix.
 * @internal
 */
export type TargetValues =
  | { kind: 'number'; values: Float64Array }
  | { kind: 'string'; values: string[] }
  | { kind: 'boolean'; values: boolean[] }
  | { kind: 'matrix'; M: Matrix };

/** The length of targets as read. @internal */
export function targetCount(t: TargetValues): number {
  return t.kind === 'matrix' ? t.M.rows : t.values.length;
}

/**
 * Reads y: a Float64Array or array of finite numbers, an array of strings or of booleans (one kind, set
 * by y[0]), or a Matrix (checked finite).
 * @param y - the targets
 * @param name - its name in messages
 * @param n - the expected count (rows of X), or null to accept any
 * @returns a copy (a Matrix is not copied: it is only read)
 * @throws ERR_BLASNET_ARG_TYPE, ERR_BLASNET_DETACHED, ERR_BLASNET_SHAPE, ERR_BLASNET_NOT_FINITE
 * @internal
 */
export function readTargets(y: unknown, name: string, n: number | null): TargetValues {
  if (y instanceof Matrix) {
    const T = toMatrix(y, name);
    if (n !== null && T.rows !== n) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must have one row per row of X (${n}), got ${T.rows}`);
    return { kind: 'matrix', M: T };
  }
  if (!(y instanceof Float64Array) && !Array.isArray(y)) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE',
      `${name} must be a Float64Array, a number[] or a Matrix of labels, got ${describe(y)} (a string[] or boolean[] of labels is accepted too)`);
  }
  if (y instanceof Float64Array && y.length === 0 && isDetached(y.buffer)) {
    throw new BlasnetTypeError('ERR_BLASNET_DETACHED', `${name} is backed by a detached ArrayBuffer (was it transferred?); expected a live buffer`);
  }
  if (n !== null && y.length !== n) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must have one label per row of X (${n}), got ${y.length}`);
  const count = y.length;
  const first: unknown = count > 0 ? y[0] : undefined;
  if (typeof first === 'string' || typeof first === 'boolean') {
    const kind = typeof first;
    const out: unknown[] = new Array<unknown>(count);
    for (let i = 0; i < count; i++) {
      const v: unknown = (y as unknown[])[i];
      if (typeof v !== kind) {
        throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name}[${i}] must be a ${kind}, got ${describe(v)} (${name}[0] is a ${kind}: labels must be of one type)`);
      }
      out[i] = v;
    }
    return kind === 'string' ? { kind, values: out as string[] } : { kind: 'boolean', values: out as boolean[] };
  }
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const v: unknown = y[i];
    if (typeof v !== 'number') {
      throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name}[${i}] must be a number, got ${describe(v)}${i > 0 ? ` (${name}[0] is a number: labels must be of one type)` : ' (or a string or boolean label)'}`);
    }
    if (!Number.isFinite(v)) throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${name} must contain only finite numbers, got ${describe(v)} at index ${i}`);
    out[i] = v;
  }
  return { kind: 'number', values: out };
}

/**
 * The targets at `rows`: a new Float64Array, string[] or boolean[], or a new Matrix of the rows.
 * @internal
 */
export function takeTargets(t: TargetValues, rows: Int32Array): Float64Array | string[] | boolean[] | Matrix {
  if (t.kind === 'matrix') return matrixRows(t.M, rows);
  if (t.kind === 'number') return Float64Array.from(rows, (i) => t.values[i]!);
  return Array.from(rows, (i) => t.values[i]!) as string[] | boolean[];
}

/**
 * The class of every example, for stratification.
 * @internal
 */
export interface StratifyClasses {
  /** The class index of each example, 0 … names.length − 1. */
  index: Int32Array;
  /** The classes in index order (labels sorted as uniqueLabels sorts them; column numbers for a Matrix), for messages. */
  names: Label[];
  /** How many examples each class has. */
  counts: Int32Array;
}

/**
 * The classes of targets to stratify on: labels (numbers must be integers: continuous values are
 * refused), or a one-hot Matrix (the class of a row is the column of its single 1; an n × 1 Matrix holds
 * the classes 0 and 1). A row with no 1 or several (multi-label) is refused.
 * @param t - the targets as read
 * @param name - their name in messages
 * @param why - what asks for classes, for messages (e.g. `options.stratify`)
 * @throws ERR_BLASNET_LABEL
 * @internal
 */
export function stratifyClasses(t: TargetValues, name: string, why: string): StratifyClasses {
  if (t.kind === 'matrix') {
    const M = t.M, k = M.cols;
    const raw = new Int32Array(M.rows);
    for (let i = 0; i < M.rows; i++) {
      let one = -1;
      for (let j = 0; j < k; j++) {
        const v = M.data[i * k + j]!;
        if (v !== 0 && v !== 1) {
          throw new BlasnetRangeError('ERR_BLASNET_LABEL',
            `${why} needs one class per row: ${name} must be a one-hot Matrix of 0s and 1s, got ${v} at row ${i}, column ${j} (probabilities and continuous targets cannot be stratified)`);
        }
        if (k === 1) one = v;
        else if (v === 1) {
          if (one >= 0) {
            throw new BlasnetRangeError('ERR_BLASNET_LABEL',
              `${why} needs one class per row: ${name} row ${i} has a 1 in columns ${one} and ${j} (multi-label targets cannot be stratified; a one-hot Matrix has exactly one 1 per row)`);
          }
          one = j;
        }
      }
      if (one < 0) {
        throw new BlasnetRangeError('ERR_BLASNET_LABEL',
          `${why} needs one class per row: ${name} row ${i} has no 1 (multi-label targets cannot be stratified; a one-hot Matrix has exactly one 1 per row)`);
      }
      raw[i] = one;
    }
    const width = k === 1 ? 2 : k;
    const counts = new Int32Array(width);
    for (const c of raw) counts[c]++;
    return { index: raw, names: Array.from({ length: width }, (_, c) => c), counts };
  }
  if (t.kind === 'number') {
    const bad = t.values.findIndex((v) => !Number.isInteger(v));
    if (bad >= 0) {
      throw new BlasnetRangeError('ERR_BLASNET_LABEL',
        `${why} needs class labels, got the continuous value ${name}[${bad}] = ${t.values[bad]} (labels that are numbers must be integers; regression targets cannot be stratified)`);
    }
  }
  const classes = uniqueLabels(t.values, name);
  const index = encodeLabels(t.values, classes, name);
  const counts = new Int32Array(classes.length);
  for (const c of index) counts[c]++;
  return { index, names: classes, counts };
}

/**
 * A class for a message: `class "setosa"`, `class 2`, or for a Matrix `class 2 (column 2)`.
 * @internal
 */
export function className(t: TargetValues, label: Label): string {
  if (t.kind === 'matrix') return t.M.cols === 1 ? `class ${String(label)}` : `class ${String(label)} (column ${String(label)})`;
  return `class ${typeof label === 'string' ? JSON.stringify(label) : String(label)}`;
}

/**
 * How many of each class go to the test part: count_c · nTest / n rounded down, and the nTest − Σ of
 * those left over go one each to the classes with the largest remainders (ties: the earlier class in
 * class order). Exact integer arithmetic.
 */
function testQuota(counts: Int32Array, n: number, nTest: number): Int32Array {
  const k = counts.length;
  const quota = new Int32Array(k);
  const rem: bigint[] = new Array<bigint>(k);
  const N = BigInt(n), T = BigInt(nTest);
  let given = 0;
  for (let c = 0; c < k; c++) {
    const q = BigInt(counts[c]!) * T;
    quota[c] = Number(q / N);
    rem[c] = q % N;
    given += quota[c]!;
  }
  const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => (rem[a]! > rem[b]! ? -1 : rem[a]! < rem[b]! ? 1 : a - b));
  for (let e = 0; e < nTest - given; e++) quota[order[e]!]++;
  return quota;
}

/**
 * A seeded shuffle-and-split of examples (rows) and their targets. The parts are new arrays; the inputs
 * are not modified (records are taken by reference, not copied).
 *
 * The rows are shuffled with {@link Random}(seed); the first round(n · testFraction) are the test part.
 * With `stratify: true` the test part has, of each class, count · nTest / n examples rounded down, and
 * the examples left to place go one each to the classes with the largest remainders, ties going to the
 * earlier class in class order (labels sorted as {@link uniqueLabels} sorts them; a one-hot Matrix's
 * column order). The test part's size is the unstratified one; which examples of a class go to it is
 * decided by the seeded shuffle, and both parts keep the shuffled order.
 * @param X - n examples: a Matrix or number[][] (finite; the parts are Matrices), any other array such as
 *   records (the parts are arrays of the same elements, not copied), or an object with a `take(indices:
 *   Int32Array)` method (the parts are what it returns; its row count is its `nRows`, `rows` or `length`, or y's)
 * @param y - n targets: a Float64Array or number[] (the parts are Float64Arrays), a string[] or boolean[]
 *   of labels, or an n × k Matrix; null or undefined (or left out) to split X alone
 * @param options - `testFraction` (default 0.2), `seed` (default 0), `stratify` (default false): see
 *   {@link TrainTestSplitOptions}
 * @typeParam YIn - the type of y, which decides the parts' ({@link TargetsPart})
 * @typeParam XIn - the type of X, which decides the parts' ({@link ExamplesPart})
 * @returns `{ Xtrain, ytrain, Xtest, ytest }` (a {@link TrainTestSplitResult}); ytrain and ytest are null without y
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE for a wrong type, an unknown option, or `stratify` without y;
 *   ERR_BLASNET_DETACHED for a detached buffer
 * @throws {RangeError} ERR_BLASNET_SHAPE when y's length differs from X's rows or X is empty;
 *   ERR_BLASNET_ARG_RANGE for testFraction outside (0, 1), a split that leaves a part empty, or a bad seed;
 *   ERR_BLASNET_NOT_FINITE for a non-finite value in a numeric X or y; ERR_BLASNET_LABEL with `stratify`
 *   for continuous values, a multi-label or non-0/1 Matrix, or a class with a single example (named)
 * @example
 * const { Xtrain, ytrain, Xtest, ytest } = trainTestSplit(X, y, { testFraction: 0.2, seed: 42 });
 * // iris (50 of each class): 10 of each in the test part
 * const iris = trainTestSplit(irisX, irisSpecies, { testFraction: 0.2, stratify: true });
 * // records, without targets
 * const { Xtrain: trainRows, Xtest: testRows } = trainTestSplit(records, null, { seed: 1 });
 */
export function trainTestSplit<YIn extends SplitTargets | null | undefined = null, XIn extends SplitExamples = Matrix | number[][]>(
  X: XIn,
  y?: YIn | readonly number[],
  options: TrainTestSplitOptions = {},
): TrainTestSplitResult<TargetsPart<YIn>, ExamplesPart<XIn>> {
  const o = checkOptionsObject(options, 'options');
  checkKnownKeys(o, 'options', ['testFraction', 'seed', 'stratify']);
  const fraction = own(o, 'testFraction'), seedOption = own(o, 'seed'), stratifyOption = own(o, 'stratify');
  const src = readExamples(X, 'X');
  const testFraction = fraction ?? 0.2;
  if (typeof testFraction !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.testFraction must be a number in (0, 1), got ${describe(testFraction)}`);
  if (!(testFraction > 0 && testFraction < 1)) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `options.testFraction must be in (0, 1), got ${describe(testFraction)}`);
  const seed = seedOption ?? 0;
  if (typeof seed !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.seed must be an integer in [0, 2^32), got ${describe(seed)}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `options.seed must be an integer in [0, 2^32), got ${describe(seed)}`);
  }
  const stratify = stratifyOption ?? false;
  if (typeof stratify !== 'boolean') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.stratify must be a boolean, got ${describe(stratify)}`);
  const labels = y === undefined || y === null ? null : readTargets(y, 'y', src.n);
  if (stratify && labels === null) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.stratify needs the class labels y, got ${describe(y)}`);
  }
  const n = src.n ?? (labels ? targetCount(labels) : null);
  if (n === null) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', 'X (an object with take) has no row count: give it a numeric nRows, rows or length property, or pass y');
  }
  if (n === 0) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', 'X must have at least one row (example), got 0');
  const nTest = Math.round(n * testFraction);
  if (nTest < 1 || nTest > n - 1) {
    throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE',
      `options.testFraction ${testFraction} of ${n} example(s) gives ${nTest} test and ${n - nTest} training example(s); both parts need at least one`);
  }
  const order = new Random(seed).shuffle(Int32Array.from({ length: n }, (_, i) => i));
  let testIdx: Int32Array, trainIdx: Int32Array;
  if (!stratify) {
    testIdx = order.slice(0, nTest);
    trainIdx = order.slice(nTest);
  } else {
    const cls = stratifyClasses(labels!, 'y', 'options.stratify');
    const single = cls.counts.findIndex((c) => c === 1);
    if (single >= 0) {
      const others = cls.counts.filter((c) => c === 1).length - 1;
      throw new BlasnetRangeError('ERR_BLASNET_LABEL',
        `options.stratify: y's ${className(labels!, cls.names[single]!)} has only 1 example${others > 0 ? ` (and ${others} other class(es) too)` : ''}; ` +
        'each class needs at least 2 to be split (as scikit-learn\'s train_test_split requires)');
    }
    const quota = testQuota(cls.counts, n, nTest);
    testIdx = new Int32Array(nTest);
    trainIdx = new Int32Array(n - nTest);
    let t = 0, r = 0;
    for (const i of order) {
      const c = cls.index[i]!;
      if (quota[c]! > 0) {
        quota[c]--;
        testIdx[t++] = i;
      } else {
        trainIdx[r++] = i;
      }
    }
  }
  const part = (idx: Int32Array) => (labels === null ? null : takeTargets(labels, idx));
  return {
    Xtrain: takeExamples(src, trainIdx), ytrain: part(trainIdx), Xtest: takeExamples(src, testIdx), ytest: part(testIdx),
  } as TrainTestSplitResult<TargetsPart<YIn>, ExamplesPart<XIn>>;
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
