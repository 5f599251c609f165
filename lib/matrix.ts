// The Matrix type: examples as rows, row-major Float64Array. A row-major n × s buffer is the
// column-major s × n matrix of the formulas (docs/math.md, "Notation and shapes"), so the addon
// uses it in place. It validates its own construction and never copies a Float64Array it is given.
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
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` when `rows` or `cols` is not a number, or
   *   `data` is neither a typed array nor an array of numbers
   * @throws {@link BlasnetRangeError} `ERR_BLASNET_ARG_RANGE` when `rows` or `cols` is not a non-negative
   *   integer or their product is not a safe integer; `ERR_BLASNET_SHAPE` when `data.length !== rows * cols`
   * @throws {@link BlasnetError} `ERR_BLASNET_OUT_OF_MEMORY` when `data` is omitted and rows × cols zeros
   *   would need more than 75 % of the memory this process may use (blasnet's per-job limit)
   * @example
   * const Z = new Matrix(2, 3);                                   // 2 × 3 zeros
   * const A = new Matrix(2, 2, new Float64Array([1, 2, 3, 4]));   // wraps the buffer, no copy
   * const B = new Matrix(2, 2, [1, 2, 3, 4]);                     // copies the array
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
   * Builds a matrix from an array of rows (each row one example), copying the values.
   * @param rows - an array of rows, each an array (or typed array) of numbers, all of one length;
   *   `[]` gives a 0 × 0 matrix
   * @param name - the argument's name in error messages (default `'rows'`)
   * @returns a new `rows.length × rows[0].length` matrix
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` when `rows` is not an array of arrays of numbers
   * @throws {@link BlasnetRangeError} `ERR_BLASNET_SHAPE` when the rows differ in length
   * @example
   * Matrix.from([[1, 2, 3], [4, 5, 6]]);   // 2 × 3
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

  /**
   * Element (i, j). The indices are not checked (this is the fast path): outside the matrix the
   * result is `undefined` or another element.
   * @param i - row, in [0, rows)
   * @param j - column, in [0, cols)
   * @returns `data[i * cols + j]`
   * @example
   * Matrix.from([[1, 2], [3, 4]]).get(1, 0);   // 3
   */
  get(i: number, j: number): number {
    return this.data[i * this.cols + j]!;
  }

  /**
   * Row i as a view into `data`: writing to it writes to the matrix. The index is not checked:
   * outside [0, rows) the view is empty.
   * @param i - row, in [0, rows)
   * @returns a `cols`-element Float64Array sharing `data`'s buffer
   * @example
   * Matrix.from([[1, 2], [3, 4]]).row(1);   // Float64Array [3, 4]
   */
  row(i: number): Float64Array {
    return this.data.subarray(i * this.cols, (i + 1) * this.cols);
  }

  /**
   * The rows as plain arrays (a copy).
   * @returns `rows` arrays of `cols` numbers
   * @example
   * new Matrix(2, 2, [1, 2, 3, 4]).toArray();   // [[1, 2], [3, 4]]
   */
  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.row(i)));
    return out;
  }
}
