// Every argument check of Matrix and LogisticRegression: the error class (TypeError for a wrong type,
// RangeError for a wrong value or shape), the stable `code`, and a message that names the argument
// and says what came.
import { describe, expect, it } from 'vitest';
import { BlasnetError, LogisticRegression, Matrix, setThreads } from '../lib/index.js';
import { expectError, expectRejection } from './helpers/errors.js';
import { BACKENDS, HAS_NATIVE } from './helpers/data.js';


/** A Float64Array whose buffer has been transferred away (detached). */
function detach(a: Float64Array): void {
  const buffer = a.buffer as ArrayBuffer;
  structuredClone(buffer, { transfer: [buffer] });
}

describe('Matrix constructor', () => {
  it('rejects bad row and column counts with RangeError ERR_BLASNET_ARG_RANGE', () => {
    expectError(() => new Matrix(-1, 2), RangeError, 'ERR_BLASNET_ARG_RANGE', 'rows', 'non-negative integer', 'got -1');
    expectError(() => new Matrix(1.5, 2), RangeError, 'ERR_BLASNET_ARG_RANGE', 'rows', 'got 1.5');
    expectError(() => new Matrix(NaN, 2), RangeError, 'ERR_BLASNET_ARG_RANGE', 'rows', 'got NaN');
    expectError(() => new Matrix(2, -3), RangeError, 'ERR_BLASNET_ARG_RANGE', 'cols', 'got -3');
    expectError(() => new Matrix(2, Infinity), RangeError, 'ERR_BLASNET_ARG_RANGE', 'cols', 'got Infinity');
    expectError(() => new Matrix(2 ** 30, 2 ** 30), RangeError, 'ERR_BLASNET_ARG_RANGE', 'rows × cols', 'safe integer');
  });

  it('rejects a count of the wrong type with TypeError ERR_BLASNET_ARG_TYPE (as documented)', () => {
    // The constructor's documentation: "@throws {TypeError} ERR_BLASNET_ARG_TYPE when an argument has the
    // wrong type", and every other check in blasnet throws TypeError for a wrong type.
    expectError(() => new Matrix('2' as unknown as number, 2), TypeError, 'ERR_BLASNET_ARG_TYPE', 'rows', '"2"');
    expectError(() => new Matrix(2, null as unknown as number), TypeError, 'ERR_BLASNET_ARG_TYPE', 'cols', 'null');
  });

  it('rejects data of the wrong length with RangeError ERR_BLASNET_SHAPE', () => {
    expectError(() => new Matrix(2, 2, new Float64Array(3)), RangeError, 'ERR_BLASNET_SHAPE', 'data', '2 × 2 = 4', 'got 3');
    expectError(() => new Matrix(1, 3, [1, 2, 3, 4]), RangeError, 'ERR_BLASNET_SHAPE', 'data', '1 × 3 = 3', 'got 4');
  });

  it('rejects data of the wrong type with TypeError ERR_BLASNET_ARG_TYPE', () => {
    expectError(() => new Matrix(1, 1, 'abc' as unknown as number[]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'data', 'Float64Array', '"abc"');
    expectError(() => new Matrix(1, 1, { length: 1, 0: 5 } as unknown as number[]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'data', 'an object');
    expectError(() => new Matrix(1, 1, 7 as unknown as number[]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'data', 'got 7');
  });

  it('rejects an array of non-numbers as data with TypeError ERR_BLASNET_ARG_TYPE', () => {
    // "data must be a Float64Array or an array of numbers": ['1', 'x'] is neither; it must not be
    // silently converted to [1, NaN] (Matrix.from rejects the same entries).
    expectError(() => new Matrix(1, 2, ['1', 'x'] as unknown as number[]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'data');
  });

  it('accepts what it documents: a Float64Array (used as is), a number[] and another typed array (copied)', () => {
    const f = new Float64Array([1, 2, 3, 4]);
    expect(new Matrix(2, 2, f).data).toBe(f);
    expect(Array.from(new Matrix(2, 2, [1, 2, 3, 4]).data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(new Matrix(1, 2, new Float32Array([0.5, 2])).data)).toEqual([0.5, 2]);
    expect(Array.from(new Matrix(2, 3).data)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('Matrix.from', () => {
  it('rejects a non-array with TypeError ERR_BLASNET_ARG_TYPE', () => {
    expectError(() => Matrix.from('abc' as unknown as number[][]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'rows', 'number[][]', '"abc"');
    expectError(() => Matrix.from(new Float64Array(4) as unknown as number[][]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'rows', 'Float64Array');
    expectError(() => Matrix.from([1, 2] as unknown as number[][]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'rows[0]', 'got 1');
    expectError(() => Matrix.from([[1], 'x'] as unknown as number[][]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'rows[1]', '"x"');
  });

  it('rejects ragged rows with RangeError ERR_BLASNET_SHAPE', () => {
    expectError(() => Matrix.from([[1, 2], [3, 4], [5, 6, 7]]), RangeError, 'ERR_BLASNET_SHAPE', 'rows[2]', '2 values', 'got 3');
    expectError(() => Matrix.from([[1, 2], [3]], 'X'), RangeError, 'ERR_BLASNET_SHAPE', 'X[1]', 'got 1');
  });

  it('rejects a non-number entry with TypeError ERR_BLASNET_ARG_TYPE naming its row and column', () => {
    expectError(() => Matrix.from([[1, 2], [3, '4']] as unknown as number[][]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'rows[1][1]', 'must be a number', '"4"');
    expectError(() => Matrix.from([[null, 2]] as unknown as number[][]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'rows[0][0]', 'null');
  });
});

describe.each(BACKENDS)('LogisticRegression argument checks, $backend backend', ({ backend, available }) => {
  describe.skipIf(!available)('', () => {
    const X = [[0, 1], [1, 0], [1, 1]];
    const y = [0, 1, 1];
    const fresh = (o: object = {}) => new LogisticRegression({ backend, iterations: 2, ...o });

    it('X that is not a Matrix or number[][]: TypeError ERR_BLASNET_ARG_TYPE', async () => {
      for (const bad of ['abc', 42, null, undefined, new Float64Array(6), { rows: 3, cols: 2, data: new Float64Array(6) }]) {
        expectError(() => fresh().fitSync(bad as unknown as number[][], y), TypeError, 'ERR_BLASNET_ARG_TYPE', /^X must be a Matrix/);
        expectError(() => fresh().costAndGradients(bad as unknown as number[][], y), TypeError, 'ERR_BLASNET_ARG_TYPE', /^X must be a Matrix/);
        await expectRejection(() => fresh().fit(bad as unknown as number[][], y), TypeError, 'ERR_BLASNET_ARG_TYPE', /^X must be a Matrix/);
      }
      expectError(() => fresh().fitSync('abc' as unknown as number[][], y), TypeError, 'ERR_BLASNET_ARG_TYPE', 'got "abc"');
      expectError(() => fresh().fitSync(null as unknown as number[][], y), TypeError, 'ERR_BLASNET_ARG_TYPE', 'got null');
    });

    it('X whose rows are ragged or hold non-numbers: named as X[i][j]', () => {
      expectError(() => fresh().fitSync([[0, 1], [1]], [0, 1]), RangeError, 'ERR_BLASNET_SHAPE', 'X[1]', 'got 1');
      expectError(() => fresh().fitSync([[0, 1], [1, '2']] as unknown as number[][], [0, 1]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'X[1][1]', '"2"');
    });

    it('empty X: RangeError ERR_BLASNET_SHAPE', () => {
      expectError(() => fresh().fitSync([], []), RangeError, 'ERR_BLASNET_SHAPE', 'X', 'at least one row', 'got 0');
      expectError(() => fresh().fitSync(new Matrix(0, 2), []), RangeError, 'ERR_BLASNET_SHAPE', 'X', 'at least one row', 'got 0');
      expectError(() => fresh().fitSync(new Matrix(3, 0), y), RangeError, 'ERR_BLASNET_SHAPE', 'X', 'at least one column', 'got 0');
      expectError(() => fresh().fitSync([[], [], []], y), RangeError, 'ERR_BLASNET_SHAPE', 'X', 'at least one column');
    });

    it('X with NaN or ±Infinity: RangeError ERR_BLASNET_NOT_FINITE naming the row and column', async () => {
      expectError(() => fresh().fitSync([[0, 1], [1, NaN], [1, 1]], y), RangeError, 'ERR_BLASNET_NOT_FINITE', 'X', 'finite', 'got NaN', 'row 1, column 1');
      expectError(() => fresh().fitSync(new Matrix(3, 2, [0, 1, 1, 0, Infinity, 1]), y), RangeError, 'ERR_BLASNET_NOT_FINITE', 'got Infinity', 'row 2, column 0');
      expectError(() => fresh().costAndGradients([[-Infinity, 1], [1, 0], [1, 1]], y), RangeError, 'ERR_BLASNET_NOT_FINITE', 'got -Infinity', 'row 0, column 0');
      await expectRejection(() => fresh().fit([[0, 1], [1, 0], [NaN, 1]], y), RangeError, 'ERR_BLASNET_NOT_FINITE', 'row 2, column 0');
      const m = fresh();
      m.fitSync(X, y);
      expectError(() => m.predictProbaSync([[0, NaN]]), RangeError, 'ERR_BLASNET_NOT_FINITE', 'row 0, column 1');
    });

    it('y of the wrong length: RangeError ERR_BLASNET_SHAPE', async () => {
      expectError(() => fresh().fitSync(X, [0, 1]), RangeError, 'ERR_BLASNET_SHAPE', 'y', 'one target per row of X (3)', 'got 2');
      expectError(() => fresh().fitSync(X, new Float64Array(4)), RangeError, 'ERR_BLASNET_SHAPE', 'y', 'got 4');
      // A 3 × 2 Matrix is neither binary targets (1 column) nor one-hot rows (k ≥ 3 columns).
      expectError(() => fresh().fitSync(X, new Matrix(3, 2) as unknown as number[]), RangeError, 'ERR_BLASNET_SHAPE', 'y', 'Matrix', 'got 2');
      expectError(() => fresh().fitSync(X, new Matrix(2, 1) as unknown as number[]), RangeError, 'ERR_BLASNET_SHAPE', 'y', 'one row of targets per row of X: 3 rows', '2 × 1 Matrix');
      await expectRejection(() => fresh().fit(X, [1]), RangeError, 'ERR_BLASNET_SHAPE', 'y', 'got 1');
    });

    it('labels other than 0 and 1 are classes (CHANGELOG 0.2.0, items 9, 10); non-finite, mixed or unknown labels: clear errors', () => {
      // Labels of any value are classes now: three distinct ones make the multinomial model.
      for (const [labels, classes] of [[[0, 2, 1], [0, 1, 2]], [[0, 1, 0.5], [0, 0.5, 1]], [[-1, 1, 0], [-1, 0, 1]]] as const) {
        const m = fresh();
        m.fitSync(X, labels as unknown as number[]);
        expect(m.task).toBe('multiclass');
        expect(m.classes).toEqual(classes);
      }
      const two = fresh();
      two.fitSync(X, [-1, 5, 5]);
      expect([two.task, two.classes]).toEqual(['binary', [-1, 5]]);
      // What is still an error: a non-finite label, labels of mixed types, and (for a fitted model) a
      // label it does not know, each named with its index.
      expectError(() => fresh().fitSync(X, new Float64Array([NaN, 1, 0])), RangeError, 'ERR_BLASNET_NOT_FINITE', 'y[0]', 'got NaN');
      expectError(() => fresh().fitSync(X, [0, Infinity, 1]), RangeError, 'ERR_BLASNET_NOT_FINITE', 'y[1]', 'got Infinity');
      expectError(() => fresh().costAndGradients(X, [0, 1, true] as unknown as number[]), RangeError, 'ERR_BLASNET_LABEL', 'y mixes label types', 'y[2] is a boolean (true)');
      expectError(() => fresh().fitSync(X, [0, null, 1] as unknown as number[]), RangeError, 'ERR_BLASNET_LABEL', 'y[1]', 'null');
      const m = fresh();
      m.fitSync(X, y);
      expectError(() => m.costAndGradients(X, [0, 1, 3]), RangeError, 'ERR_BLASNET_LABEL', 'y[2] = 3', 'not one of the classes [0, 1]');
      expectError(() => m.fitSync(X, [0, 1, 3], { warmStart: true }), RangeError, 'ERR_BLASNET_LABEL', 'y[2] = 3', 'not one of the classes');
      // score counts a label the model does not know as a wrong prediction (documented on scoreSync).
      expect(m.scoreSync(X, [0, 1, 3])).toBe(m.scoreSync(X, [0, 1, 1]) - 1 / 3);
    });

    it('y of the wrong type: TypeError ERR_BLASNET_ARG_TYPE', () => {
      for (const bad of ['011', 3, null, undefined, { length: 3 }, new DataView(new ArrayBuffer(24))]) {
        expectError(() => fresh().fitSync(X, bad as unknown as number[]), TypeError, 'ERR_BLASNET_ARG_TYPE', /^y must be a Float64Array or an array of labels/);
      }
      expectError(() => fresh().fitSync(X, '011' as unknown as number[]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'got "011"');
    });

    it('accepts y as number[], Float64Array, another typed array, or an n × 1 Matrix', () => {
      for (const labels of [[0, 1, 1], new Float64Array([0, 1, 1]), new Uint8Array([0, 1, 1]), new Matrix(3, 1, [0, 1, 1])]) {
        expect(() => fresh().fitSync(X, labels as number[])).not.toThrow();
      }
    });

    it('unknown or ill-typed options: TypeError ERR_BLASNET_ARG_TYPE naming the option', async () => {
      expectError(() => fresh({ learningrate: 0.1 }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options', 'unknown option "learningrate"', 'learningRate');
      expectError(() => new LogisticRegression('fast' as unknown as object), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options must be an object', '"fast"');
      expectError(() => new LogisticRegression(null as unknown as object), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options must be an object', 'null');
      expectError(() => fresh().fitSync(X, y, { verbose: true } as object), TypeError, 'ERR_BLASNET_ARG_TYPE', 'unknown option "verbose"');
      // signal is an option of fit only.
      expectError(() => fresh().fitSync(X, y, { signal: new AbortController().signal } as object), TypeError, 'ERR_BLASNET_ARG_TYPE', 'unknown option "signal"');
      await expectRejection(() => fresh().fit(X, y, { verbose: true } as object), TypeError, 'ERR_BLASNET_ARG_TYPE', 'unknown option "verbose"');
      expectError(() => fresh().fitSync(X, y, { onProgress: 'log' } as unknown as object), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.onProgress', 'function', '"log"');
      await expectRejection(() => fresh().fit(X, y, { signal: {} } as unknown as object), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.signal', 'AbortSignal', 'an object');
    });

    it('warmStart that is not a boolean: TypeError ERR_BLASNET_ARG_TYPE', async () => {
      // ERR_BLASNET_ARG_TYPE is the code of "an argument of the wrong type", thrown as a TypeError
      // everywhere else (lib/errors.ts BlasnetTypeError).
      expectError(() => fresh().fitSync(X, y, { warmStart: 'yes' } as unknown as object), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.warmStart', 'boolean', '"yes"');
      await expectRejection(() => fresh().fit(X, y, { warmStart: 1 } as unknown as object), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.warmStart', 'boolean');
    });

    it('learningRate ≤ 0 or NaN: RangeError ERR_BLASNET_ARG_RANGE; a string: TypeError ERR_BLASNET_ARG_TYPE', () => {
      expectError(() => fresh({ learningRate: 0 }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.learningRate', '> 0', 'got 0');
      expectError(() => fresh({ learningRate: -0.1 }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.learningRate', 'got -0.1');
      expectError(() => fresh({ learningRate: NaN }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.learningRate', 'got NaN');
      expectError(() => fresh({ learningRate: Infinity }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.learningRate', 'got Infinity');
      expectError(() => fresh({ learningRate: '0.1' }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.learningRate', 'must be a number', 'got "0.1"');
    });

    it('iterations negative or non-integer, recordEvery 0: RangeError ERR_BLASNET_ARG_RANGE', () => {
      // iterations is an alias of epochs (CHANGELOG 0.2.0, item 6), checked under the name written.
      expectError(() => fresh({ iterations: -1 }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.iterations', 'integer ≥ 0', 'got -1');
      expectError(() => new LogisticRegression({ backend, epochs: -1 }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.epochs', 'integer ≥ 0', 'got -1');
      expectError(() => fresh({ epochs: 3 }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.iterations is an alias of options.epochs');
      expectError(() => fresh({ iterations: 2.5 }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.iterations', 'got 2.5');
      expectError(() => fresh({ iterations: NaN }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.iterations', 'got NaN');
      expectError(() => fresh({ iterations: '10' }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.iterations', 'got "10"');
      expectError(() => fresh({ recordEvery: 0 }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.recordEvery', 'integer ≥ 1', 'got 0');
      expectError(() => fresh({ recordEvery: 1.5 }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.recordEvery', 'got 1.5');
      // The boundaries are accepted: 0 iterations is a valid (empty) fit.
      const m = fresh({ iterations: 0, recordEvery: 1 });
      // An empty fit still reports the trainer's fields (reason, stoppedEarly).
      expect(m.fitSync(X, y)).toMatchObject({ costs: [], epochs: 0, steps: 0, stoppedEarly: false, reason: 'max-iterations' });
    });

    it('backend \'gpu\': TypeError ERR_BLASNET_ARG_TYPE listing the choices', () => {
      expectError(() => fresh({ backend: 'gpu' }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.backend', "'auto' | 'native' | 'reference'", 'got "gpu"');
    });

    it('predict or score before fit: BlasnetError ERR_BLASNET_NOT_FITTED', async () => {
      const m = fresh();
      for (const call of [() => m.predictProbaSync(X), () => m.predictSync(X), () => m.scoreSync(X, y)]) {
        expectError(call, BlasnetError, 'ERR_BLASNET_NOT_FITTED', 'LogisticRegression.', 'not been fitted', 'fit');
      }
      expectError(() => m.predictProbaSync(X), BlasnetError, 'ERR_BLASNET_NOT_FITTED', 'predictProbaSync');
      expectError(() => m.scoreSync(X, y), BlasnetError, 'ERR_BLASNET_NOT_FITTED', 'scoreSync');
      await expectRejection(() => m.predictProba(X), BlasnetError, 'ERR_BLASNET_NOT_FITTED', 'predictProba');
      // Each method names itself (CHANGELOG 0.2.0, item 5).
      expectError(() => m.predictSync(X), BlasnetError, 'ERR_BLASNET_NOT_FITTED', 'LogisticRegression.predictSync');
      await expectRejection(() => m.predict(X), BlasnetError, 'ERR_BLASNET_NOT_FITTED', 'LogisticRegression.predict:');
      await expectRejection(() => m.score(X, y), BlasnetError, 'ERR_BLASNET_NOT_FITTED', 'score');
    });

    it('predict with the wrong number of columns: RangeError ERR_BLASNET_SHAPE', async () => {
      const m = fresh();
      m.fitSync(X, y);
      expectError(() => m.predictProbaSync([[1, 2, 3]]), RangeError, 'ERR_BLASNET_SHAPE', 'X', 'must have 2 columns', 'got 3');
      expectError(() => m.predictSync([[1]]), RangeError, 'ERR_BLASNET_SHAPE', 'must have 2 columns', 'got 1');
      expectError(() => m.costAndGradients([[1, 2, 3]], [1]), RangeError, 'ERR_BLASNET_SHAPE', 'must have 2 columns', 'got 3');
      expectError(() => m.fitSync([[1, 2, 3]], [1], { warmStart: true }), RangeError, 'ERR_BLASNET_SHAPE', 'must have 2 columns', 'got 3');
      await expectRejection(() => m.predictProba(new Matrix(1, 5)), RangeError, 'ERR_BLASNET_SHAPE', 'must have 2 columns', 'got 5');
      // Without warmStart a new fit may change the number of features.
      expect(() => m.fitSync([[1, 2, 3], [0, 1, 0]], [1, 0])).not.toThrow();
      // A fit needs both classes in y: one label alone is an error, not a silent binary model.
      expectError(() => fresh().fitSync([[1, 2, 3]], [1]), RangeError, 'ERR_BLASNET_LABEL', 'at least two distinct labels');
      expect(m.weights.length).toBe(3);
    });

    // Node 20's ArrayBuffer has no `detached` property (it arrived in V8 11.4 / Node 21); a detached
    // buffer there just reports byteLength 0. These tests run on Node 20.
    it('a Matrix over a detached buffer as X: TypeError ERR_BLASNET_DETACHED', async () => {
      const m = fresh();
      m.fitSync(X, y);
      const data = new Float64Array([0, 1, 1, 0, 1, 1]);
      const M = new Matrix(3, 2, data);
      detach(data);
      expect(data.buffer.byteLength).toBe(0); // really detached
      expectError(() => fresh().fitSync(M, y), TypeError, 'ERR_BLASNET_DETACHED', 'X.data', 'detached', 'ArrayBuffer');
      await expectRejection(() => fresh().fit(M, y), TypeError, 'ERR_BLASNET_DETACHED', 'X.data');
      expectError(() => m.predictProbaSync(M), TypeError, 'ERR_BLASNET_DETACHED', 'X.data');
      await expectRejection(() => m.predictProba(M), TypeError, 'ERR_BLASNET_DETACHED', 'X.data');
    });

    it('y over a detached buffer (Float64Array or n × 1 Matrix): TypeError ERR_BLASNET_DETACHED', () => {
      const labels = new Float64Array([0, 1, 1]);
      detach(labels);
      expectError(() => fresh().fitSync(X, labels), TypeError, 'ERR_BLASNET_DETACHED', 'y', 'detached');
      const labelM = new Matrix(3, 1, new Float64Array([0, 1, 1]));
      detach(labelM.data);
      expectError(() => fresh().fitSync(X, labelM as unknown as number[]), TypeError, 'ERR_BLASNET_DETACHED', 'y.data', 'detached');
    });
  });
});

describe('backend and threads', () => {
  it.skipIf(HAS_NATIVE)('backend \'native\' without the addon: BlasnetError ERR_BLASNET_NATIVE_UNAVAILABLE', () => {
    expectError(() => new LogisticRegression({ backend: 'native' }), BlasnetError, 'ERR_BLASNET_NATIVE_UNAVAILABLE', "backend 'native' is unavailable");
  });

  it('setThreads outside [1, 1024]: RangeError ERR_BLASNET_ARG_RANGE', () => {
    expectError(() => setThreads(0), RangeError, 'ERR_BLASNET_ARG_RANGE', 'n', '[1, 1024]', 'got 0');
    expectError(() => setThreads(2.5), RangeError, 'ERR_BLASNET_ARG_RANGE', 'got 2.5');
    expectError(() => setThreads(1025), RangeError, 'ERR_BLASNET_ARG_RANGE', 'got 1025');
  });
});
