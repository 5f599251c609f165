// The Matrix type: examples as rows, row-major Float64Array. A row-major n × s buffer is the
// column-major s × n matrix of the seed (MATH.md "Shapes and layout"), so the addon uses it in place.
import { BlasnetRangeError, BlasnetTypeError, describe } from './errors.js';
import { checkJobMemory } from './memory.js';

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * A dense float64 matrix stored row-major: element (i, j) is `data[i * cols + j]`.
 * For blasnet's inputs each row is one example (`n × s0`).
 *
 * @example
 * const X = Matrix.from([[0, 0], [0, 1], [1, 0], [1, 1]]);   // 4 examples, 2 features
 * const Y = new Matrix(4, 1, new Float64Array([0, 1, 1, 0]));
 */
export class Matrix {
  /** Number of rows (examples). */
  readonly rows: number;
  /** Number of columns (features or outputs). */
  readonly cols: number;
  /** Row-major values, `rows * cols` of them. */
  readonly data: Float64Array;

  /**
   * @param rows - row count, a non-negative integer
   * @param cols - column count, a non-negative integer
   * @param data - `rows * cols` values, row-major. A Float64Array is used as it is (not copied);
   *   any other array-like is copied into a new Float64Array. Omitted: zeros.
   * @throws {TypeError} ERR_BLASNET_ARG_TYPE when an argument has the wrong type
   * @throws {RangeError} ERR_BLASNET_ARG_RANGE / ERR_BLASNET_SHAPE when a count is invalid or the length is wrong
   * @throws {BlasnetError} ERR_BLASNET_OUT_OF_MEMORY when zeros of rows × cols would not fit in memory
   */
  constructor(rows: number, cols: number, data?: Float64Array | ArrayLike<number>) {
    if (typeof rows !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `rows must be a number, got ${describe(rows)}`);
    if (typeof cols !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `cols must be a number, got ${describe(cols)}`);
    if (!isCount(rows)) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `rows must be a non-negative integer, got ${describe(rows)}`);
    if (!isCount(cols)) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `cols must be a non-negative integer, got ${describe(cols)}`);
    const size = rows * cols;
    if (!Number.isSafeInteger(size)) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `rows × cols must be a safe integer, got ${rows} × ${cols}`);
    if (data === undefined) {
      checkJobMemory(`a ${rows} × ${cols} Matrix`, size * 8, 'use a smaller matrix');
      this.data = new Float64Array(size);
    } else if (data instanceof Float64Array) {
      this.data = data;
    } else if (Array.isArray(data)) {
      const bad = data.findIndex((v) => typeof v !== 'number');
      if (bad >= 0) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `data[${bad}] must be a number, got ${describe(data[bad])}`);
      this.data = Float64Array.from(data as number[]);
    } else if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
      this.data = Float64Array.from(data as unknown as ArrayLike<number>);
    } else {
      throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `data must be a Float64Array or an array of numbers, got ${describe(data)}`);
    }
    if (this.data.length !== size) {
      throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `data must have rows × cols = ${rows} × ${cols} = ${size} elements, got ${this.data.length}`);
    }
    this.rows = rows;
    this.cols = cols;
  }

  /**
   * Builds a matrix from an array of rows (each row one example).
   * @throws {TypeError} ERR_BLASNET_ARG_TYPE when `rows` is not an array of arrays of numbers
   * @throws {RangeError} ERR_BLASNET_SHAPE when the rows differ in length
   * @example Matrix.from([[1, 2, 3], [4, 5, 6]]) // 2 × 3
   */
  static from(rows: ArrayLike<ArrayLike<number>>, name = 'rows'): Matrix {
    if (!Array.isArray(rows)) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be an array of rows (number[][]), got ${describe(rows)}`);
    const n = rows.length;
    if (n === 0) return new Matrix(0, 0);
    const first = rows[0];
    if (!Array.isArray(first) && !ArrayBuffer.isView(first)) {
      throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name}[0] must be an array of numbers, got ${describe(first)}`);
    }
    const cols = (first as ArrayLike<number>).length;
    const data = new Float64Array(n * cols);
    for (let i = 0; i < n; i++) {
      const rowValue: unknown = rows[i];
      if (!Array.isArray(rowValue) && !ArrayBuffer.isView(rowValue)) {
        throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name}[${i}] must be an array of numbers, got ${describe(rowValue)}`);
      }
      const row = rowValue as ArrayLike<unknown>;
      if (row.length !== cols) {
        throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name}[${i}] must have ${cols} values like ${name}[0], got ${row.length}`);
      }
      for (let j = 0; j < cols; j++) {
        const v = row[j];
        if (typeof v !== 'number') {
          throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name}[${i}][${j}] must be a number, got ${describe(v)}`);
        }
        data[i * cols + j] = v;
      }
    }
    return new Matrix(n, cols, data);
  }

  /** Element (i, j). */
  get(i: number, j: number): number {
    return this.data[i * this.cols + j]!;
  }

  /** Row i as a view (no copy) into `data`. */
  row(i: number): Float64Array {
    return this.data.subarray(i * this.cols, (i + 1) * this.cols);
  }

  /** The rows as plain arrays. */
  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.row(i)));
    return out;
  }
}
