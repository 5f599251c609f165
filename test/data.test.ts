// The exported utilities (takeRows, trainTestSplit, Standardizer, Random) validate their arguments
// like the models do: every bad argument gets its class, code and a message naming it; good
// arguments give the documented results; the inputs are never mutated.
import { describe, expect, it } from 'vitest';
import { Matrix, Random, Standardizer, takeRows, trainTestSplit } from '../lib/index.js';
import { expectError } from './helpers/errors.js';

const M = Matrix.from([[1, 2], [3, 4], [5, 6]]);

function detachedFloat64(n: number): Float64Array {
  const a = new Float64Array(n);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

describe('takeRows', () => {
  it('copies the rows asked for, in order, with repeats, from an array or an integer typed array', () => {
    expect(takeRows(M, [2, 0, 2]).toArray()).toEqual([[5, 6], [1, 2], [5, 6]]);
    expect(takeRows(M, Int32Array.of(1)).toArray()).toEqual([[3, 4]]);
    expect(takeRows(M, new Uint8Array([0, 1])).toArray()).toEqual([[1, 2], [3, 4]]);
    const empty = takeRows(M, []);
    expect([empty.rows, empty.cols]).toEqual([0, 2]);
    const out = takeRows(M, [0]);
    out.data[0] = 99;
    expect(M.get(0, 0)).toBe(1); // a copy, not a view
  });

  it.each([
    [-1, /indices\[0\] must be an integer in \[0, 2\] \(M has 3 rows\), got -1/],
    [3, /indices\[0\] must be an integer in \[0, 2\] \(M has 3 rows\), got 3/],
    [0.5, /indices\[0\] must be an integer in \[0, 2\].*got 0\.5/],
    [NaN, /indices\[0\] must be an integer in \[0, 2\].*got NaN/],
    [Infinity, /got Infinity/],
    [-0.000001, /got -0\.000001/],
  ])('rejects the index %s with ERR_BLASNET_ARG_RANGE', (index, message) => {
    expectError(() => takeRows(M, [index]), RangeError, 'ERR_BLASNET_ARG_RANGE', message);
  });

  it('names the position of the bad index', () => {
    expectError(() => takeRows(M, [0, 1, 7]), RangeError, 'ERR_BLASNET_ARG_RANGE', /indices\[2\]/, /got 7/);
  });

  it('rejects a non-number index, non-array indices and a non-Matrix M with ERR_BLASNET_ARG_TYPE', () => {
    expectError(() => takeRows(M, ['1' as unknown as number]), TypeError, 'ERR_BLASNET_ARG_TYPE', /indices\[0\] must be a row number, got "1"/);
    expectError(() => takeRows(M, [1n as unknown as number]), TypeError, 'ERR_BLASNET_ARG_TYPE', /indices\[0\].*bigint 1/);
    expectError(() => takeRows(M, [undefined as unknown as number]), TypeError, 'ERR_BLASNET_ARG_TYPE', /indices\[0\].*undefined/);
    expectError(() => takeRows(M, { length: 1, 0: 0 }), TypeError, 'ERR_BLASNET_ARG_TYPE', /indices must be an array of row numbers or an integer typed array.*got an object/);
    expectError(() => takeRows(M, new Float64Array([0])), TypeError, 'ERR_BLASNET_ARG_TYPE', /indices must be .*got a Float64Array of length 1/);
    expectError(() => takeRows(M, 2 as unknown as number[]), TypeError, 'ERR_BLASNET_ARG_TYPE', /indices must be .*got 2/);
    // A number[][] is taken too (rows copied): the "takeRows on number[][]".
    const rows = M.toArray();
    const taken = takeRows(rows, [0]);
    expect(taken).toEqual([rows[0]]);
    expect(taken[0]).not.toBe(rows[0]);
    expectError(() => takeRows(null as unknown as Matrix, [0]), TypeError, 'ERR_BLASNET_ARG_TYPE', /M must be a Matrix, got null/);
  });

  it('rejects detached buffers with ERR_BLASNET_DETACHED and an index into an empty Matrix with ERR_BLASNET_ARG_RANGE', () => {
    const D = new Matrix(2, 2);
    structuredClone(D.data.buffer, { transfer: [D.data.buffer] });
    expectError(() => takeRows(D, [0]), TypeError, 'ERR_BLASNET_DETACHED', /M\.data is backed by a detached ArrayBuffer/);
    const idx = Int32Array.of(0);
    structuredClone(idx.buffer, { transfer: [idx.buffer] });
    expectError(() => takeRows(M, idx), TypeError, 'ERR_BLASNET_DETACHED', /indices is backed by a detached ArrayBuffer/);
    expectError(() => takeRows(new Matrix(0, 3), [0]), RangeError, 'ERR_BLASNET_ARG_RANGE', /indices\[0\] must be a row number, but M has no rows, got 0/);
  });
});

describe('trainTestSplit', () => {
  const X = Matrix.from(Array.from({ length: 10 }, (_, i) => [i, 10 * i]));
  const y = Float64Array.from({ length: 10 }, (_, i) => i);

  it('partitions the rows (seeded), keeps each label with its row, and does not touch the inputs', () => {
    const before = X.data.slice();
    const s = trainTestSplit(X, y, { testFraction: 0.3, seed: 5 });
    expect([s.Xtrain.rows, s.Xtest.rows, s.ytrain.length, s.ytest.length]).toEqual([7, 3, 7, 3]);
    const all = [...s.ytrain, ...s.ytest].sort((a, b) => a - b);
    expect(all).toEqual([...y]);
    for (let i = 0; i < 3; i++) expect(s.Xtest.row(i)[0]).toBe(s.ytest[i]);
    expect(trainTestSplit(X, y, { testFraction: 0.3, seed: 5 }).ytest).toEqual(s.ytest);
    expect(X.data).toEqual(before);
    const fromArray = trainTestSplit(X.toArray(), [...y], { testFraction: 0.3, seed: 5 });
    expect(fromArray.ytest).toEqual(s.ytest);
    const Ym = new Matrix(10, 2, Float64Array.from({ length: 20 }, (_, k) => k));
    const sm = trainTestSplit(X, Ym, { seed: 5 });
    expect(sm.ytest).toBeInstanceOf(Matrix);
    expect(sm.ytest.row(0)[0]).toBe(2 * sm.Xtest.row(0)[0]!);
  });

  it('reads options as own properties only (a polluted Object.prototype changes nothing)', () => {
    const proto = Object.prototype as Record<string, unknown>;
    const reference = trainTestSplit(X, y, {});
    proto.testFraction = 0.9;
    proto.seed = 3;
    try {
      const s = trainTestSplit(X, y, {});
      expect(s.ytest).toEqual(reference.ytest);
    } finally {
      delete proto.testFraction;
      delete proto.seed;
    }
  });

  it.each([
    [{ testFraction: 0 }, RangeError, 'ERR_BLASNET_ARG_RANGE', /options\.testFraction must be in \(0, 1\), got 0/],
    [{ testFraction: 1 }, RangeError, 'ERR_BLASNET_ARG_RANGE', /options\.testFraction must be in \(0, 1\), got 1/],
    [{ testFraction: NaN }, RangeError, 'ERR_BLASNET_ARG_RANGE', /options\.testFraction must be in \(0, 1\), got NaN/],
    [{ testFraction: -0.2 }, RangeError, 'ERR_BLASNET_ARG_RANGE', /got -0\.2/],
    [{ testFraction: '0.2' }, TypeError, 'ERR_BLASNET_ARG_TYPE', /options\.testFraction must be a number in \(0, 1\), got "0\.2"/],
    [{ testFraction: 0.01 }, RangeError, 'ERR_BLASNET_ARG_RANGE', /testFraction 0\.01 of 10 example\(s\) gives 0 test and 10 training example\(s\); both parts need at least one/],
    [{ testFraction: 0.99 }, RangeError, 'ERR_BLASNET_ARG_RANGE', /gives 10 test and 0 training/],
    [{ seed: -1 }, RangeError, 'ERR_BLASNET_ARG_RANGE', /options\.seed must be an integer in \[0, 2\^32\), got -1/],
    [{ seed: 1.5 }, RangeError, 'ERR_BLASNET_ARG_RANGE', /options\.seed .*got 1\.5/],
    [{ seed: 2 ** 32 }, RangeError, 'ERR_BLASNET_ARG_RANGE', /options\.seed .*got 4294967296/],
    [{ seed: '1' }, TypeError, 'ERR_BLASNET_ARG_TYPE', /options\.seed must be an integer .*got "1"/],
    [{ testfraction: 0.2 }, TypeError, 'ERR_BLASNET_ARG_TYPE', /options has an unknown option "testfraction"; expected one of testFraction, seed/],
  ] as const)('rejects options %o', (options, cls, code, message) => {
    expectError(() => trainTestSplit(X, y, options as never), cls, code, message);
  });

  it('rejects bad X, y and options objects', () => {
    expectError(() => trainTestSplit(X, y, null as never), TypeError, 'ERR_BLASNET_ARG_TYPE', /options must be an object, got null/);
    expectError(() => trainTestSplit('X' as never, y), TypeError, 'ERR_BLASNET_ARG_TYPE', /X must be a Matrix or an array of rows/);
    expectError(() => trainTestSplit(X, y.subarray(1)), RangeError, 'ERR_BLASNET_SHAPE', /y must have one label per row of X \(10\), got 9/);
    expectError(() => trainTestSplit(X, new Matrix(9, 1)), RangeError, 'ERR_BLASNET_SHAPE', /y must have one row per row of X \(10\), got 9/);
    expectError(() => trainTestSplit(X, 'y' as never), TypeError, 'ERR_BLASNET_ARG_TYPE', /y must be a Float64Array, a number\[\] or a Matrix of labels, got "y"/);
    expectError(() => trainTestSplit(X, new Int32Array(10) as never), TypeError, 'ERR_BLASNET_ARG_TYPE', /got a Int32Array of length 10/);
    const yn = Array.from(y);
    yn[4] = NaN;
    expectError(() => trainTestSplit(X, yn), RangeError, 'ERR_BLASNET_NOT_FINITE', /y must contain only finite numbers, got NaN at index 4/);
    yn[4] = '4' as never;
    expectError(() => trainTestSplit(X, yn), TypeError, 'ERR_BLASNET_ARG_TYPE', /y\[4\] must be a number, got "4"/);
    expectError(() => trainTestSplit(X, detachedFloat64(10)), TypeError, 'ERR_BLASNET_DETACHED', /y is backed by a detached ArrayBuffer/);
    const Xn = X.data.slice();
    Xn[3] = Infinity;
    expectError(() => trainTestSplit(new Matrix(10, 2, Xn), y), RangeError, 'ERR_BLASNET_NOT_FINITE', /X must contain only finite numbers, got Infinity at row 1, column 1/);
    expectError(() => trainTestSplit(Matrix.from([[1, 2]]), [0]), RangeError, 'ERR_BLASNET_ARG_RANGE', /of 1 example\(s\) gives 0 test/);
  });
});

describe('Standardizer', () => {
  it('standardizes with the statistics of the data it was fitted on (constant column → std 1)', () => {
    const s = Standardizer.fit([[1, 10, 5], [3, 30, 5]]);
    expect([...s.mean]).toEqual([2, 20, 5]);
    expect([...s.std]).toEqual([1, 10, 1]);
    expect(s.transform([[2, 20, 5], [4, 0, 6]]).toArray()).toEqual([[0, 0, 0], [2, -2, 1]]);
    // Neither tiny nor huge columns lose their spread to underflow or overflow of the squares.
    expect([...Standardizer.fit([[0, 1.5e308], [2e-300, -1.5e308]]).std]).toEqual([1e-300, 1.5e308]);
    const X = [[2, 20, 5]];
    s.transform(X);
    expect(X).toEqual([[2, 20, 5]]); // the input is not modified
  });

  it('rejects bad X in fit and transform', () => {
    expectError(() => Standardizer.fit('X' as never), TypeError, 'ERR_BLASNET_ARG_TYPE', /X must be a Matrix or an array of rows/);
    expectError(() => Standardizer.fit([]), RangeError, 'ERR_BLASNET_SHAPE', /X must have at least one row/);
    expectError(() => Standardizer.fit([[1, NaN]]), RangeError, 'ERR_BLASNET_NOT_FINITE', /X must contain only finite numbers, got NaN at row 0, column 1/);
    expectError(() => Standardizer.fit([[1e308, 0], [1e308, 1]]), RangeError, 'ERR_BLASNET_NOT_FINITE', /X column 0 has a mean that overflows float64/);
    expectError(() => Standardizer.fit([[1.7e308, 0], [-1.7e308, 1], [-1.7e308, 2]]), RangeError, 'ERR_BLASNET_NOT_FINITE', /X column 0 has a standard deviation that overflows float64/);
    const D = new Matrix(1, 2);
    structuredClone(D.data.buffer, { transfer: [D.data.buffer] });
    expectError(() => Standardizer.fit(D), TypeError, 'ERR_BLASNET_DETACHED', /X\.data is backed by a detached ArrayBuffer/);
    const s = Standardizer.fit([[0, 0], [1e-300, 1e-300]]);
    expectError(() => s.transform([[1, 2, 3]]), RangeError, 'ERR_BLASNET_SHAPE', /X must have 2 columns .*got 3/);
    expectError(() => s.transform([[Infinity, 0]]), RangeError, 'ERR_BLASNET_NOT_FINITE', /got Infinity at row 0, column 0/);
    expectError(() => s.transform([[0, 0], [1e300, 0]]), RangeError, 'ERR_BLASNET_NOT_FINITE', /X at row 1, column 0 \(1e\+300\) standardizes to Infinity/);
  });
});

describe('Random', () => {
  it('is deterministic per seed; int, uniform and shuffle stay in range', () => {
    const a = new Random(3), b = new Random(3);
    for (let i = 0; i < 50; i++) expect(a.next()).toBe(b.next());
    const r = new Random(1);
    for (let i = 0; i < 200; i++) {
      const k = r.int(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
      const u = r.uniform(-2, 3);
      expect(u >= -2 && u < 3).toBe(true);
    }
    expect(r.int(1)).toBe(0);
    expect(r.uniform(4, 4)).toBe(4);
    expect([...r.shuffle([5, 1, 4, 2])].sort()).toEqual([1, 2, 4, 5]);
  });

  it('a rejected call leaves the stream where it was', () => {
    const a = new Random(9), b = new Random(9);
    expect(() => a.int(0)).toThrow();
    expect(() => a.uniform(1, 0)).toThrow();
    expect(() => a.shuffle('abc' as never)).toThrow();
    expect(a.next()).toBe(b.next());
  });

  it.each([
    [() => new Random('1' as never), TypeError, 'ERR_BLASNET_ARG_TYPE', /seed must be an integer in \[0, 2\^32\), got "1"/],
    [() => new Random(undefined as never), TypeError, 'ERR_BLASNET_ARG_TYPE', /seed must be .*got undefined/],
    [() => new Random(-1), RangeError, 'ERR_BLASNET_ARG_RANGE', /seed must be an integer in \[0, 2\^32\), got -1/],
    [() => new Random(0.5), RangeError, 'ERR_BLASNET_ARG_RANGE', /got 0\.5/],
    [() => new Random(NaN), RangeError, 'ERR_BLASNET_ARG_RANGE', /got NaN/],
    [() => new Random(2 ** 32), RangeError, 'ERR_BLASNET_ARG_RANGE', /got 4294967296/],
    [() => new Random(0).int(0), RangeError, 'ERR_BLASNET_ARG_RANGE', /n must be an integer in \[1, 2\^53\], got 0/],
    [() => new Random(0).int(-3), RangeError, 'ERR_BLASNET_ARG_RANGE', /got -3/],
    [() => new Random(0).int(2.5), RangeError, 'ERR_BLASNET_ARG_RANGE', /got 2\.5/],
    [() => new Random(0).int(NaN), RangeError, 'ERR_BLASNET_ARG_RANGE', /got NaN/],
    [() => new Random(0).int(2 ** 54), RangeError, 'ERR_BLASNET_ARG_RANGE', /got 18014398509481984/],
    [() => new Random(0).int('3' as never), TypeError, 'ERR_BLASNET_ARG_TYPE', /n must be an integer .*got "3"/],
    [() => new Random(0).uniform(0, NaN), RangeError, 'ERR_BLASNET_ARG_RANGE', /hi must be a finite number, got NaN/],
    [() => new Random(0).uniform(-Infinity, 0), RangeError, 'ERR_BLASNET_ARG_RANGE', /lo must be a finite number, got -Infinity/],
    [() => new Random(0).uniform(null as never, 1), TypeError, 'ERR_BLASNET_ARG_TYPE', /lo must be a finite number, got null/],
    [() => new Random(0).uniform(2, 1), RangeError, 'ERR_BLASNET_ARG_RANGE', /hi must be ≥ lo \(2\), got 1/],
    [() => new Random(0).uniform(-1e308, 1e308), RangeError, 'ERR_BLASNET_ARG_RANGE', /hi − lo must be finite/],
    [() => new Random(0).shuffle('abc' as never), TypeError, 'ERR_BLASNET_ARG_TYPE', /a must be an array or a typed array, got "abc"/],
    [() => new Random(0).shuffle(new DataView(new ArrayBuffer(4)) as never), TypeError, 'ERR_BLASNET_ARG_TYPE', /got a DataView/],
    [() => new Random(0).shuffle(detachedFloat64(3)), TypeError, 'ERR_BLASNET_DETACHED', /a is backed by a detached ArrayBuffer/],
  ] as const)('rejects bad arguments (%#)', (fn, cls, code, message) => {
    expectError(fn, cls, code, message);
  });
});
