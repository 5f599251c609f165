// lib/labels.ts: the label order (numbers, code-point strings, booleans), the label checks and their
// codes, encode/decode round trips, classWeight forms, classes read from model files, and that no
// input is ever modified.
import { describe, expect, it } from 'vitest';
import {
  classWeightByIndex, classesFromJSON, compareCodePoints, decodeLabels, encodeLabels, labelKind, sameClasses, unionLabels, uniqueLabels,
} from '../lib/labels.js';
import { BlasnetError } from '../lib/errors.js';
import { expectError } from './helpers/errors.js';

function detached(values: number[]): Float64Array {
  const a = new Float64Array(values);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

describe('uniqueLabels: order', () => {
  it('sorts numbers ascending, with -0 as the label 0', () => {
    expect(uniqueLabels([3, -1, 2.5, 3, -0, 0, 1e300, -1e-300], 'y')).toEqual([-1, -1e-300, 0, 2.5, 3, 1e300]);
    const u = uniqueLabels(new Float64Array([-0, 2, -0]), 'y') as number[];
    expect(u).toEqual([0, 2]);
    expect(Object.is(u[0], 0)).toBe(true);
    // Numeric, not lexicographic (Array.prototype.sort's default would give [10, 9]).
    expect(uniqueLabels([10, 9], 'y')).toEqual([9, 10]);
  });

  it('sorts strings by Unicode code point, not by UTF-16 code unit and not by locale', () => {
    // U+1F600 is the surrogate pair D83D DE00: code-unit order puts it before U+FFFD and U+E000,
    // code-point order (numpy's, Python's) after them.
    const astral = '\u{1F600}', high = '\uFFFD', priv = '\uE000';
    expect([astral, high].sort()).toEqual([astral, high]); // what JavaScript's default would give
    expect(uniqueLabels([astral, high, priv, 'z'], 'y')).toEqual(['z', priv, high, astral]);
    expect(uniqueLabels(['b', 'B', 'a', 'é', 'e', 'A', ''], 'y')).toEqual(['', 'A', 'B', 'a', 'b', 'e', 'é']);
    // Prefixes first; astral characters after a shared prefix.
    expect(uniqueLabels(['ab', 'a', `a${astral}`, `a${high}`], 'y')).toEqual(['a', 'ab', `a${high}`, `a${astral}`]);
    // Two astral characters sharing a high surrogate, and a lone high surrogate before U+E000.
    expect(uniqueLabels(['\u{1F601}', '\u{1F600}', '\uD83D\uE000'], 'y')).toEqual(['\uD83D\uE000', '\u{1F600}', '\u{1F601}']);
  });

  it('compareCodePoints agrees with comparing Array.from code points', () => {
    const pool = ['', 'a', 'b', '\uFFFF', '\u{10000}', '\u{1F600}', '\uE000', '\uD800', '\uDC00', '\uD83D\uE000', 'a\u{1F600}', 'a\uFFFF'];
    const byCodePoints = (a: string, b: string): number => {
      const x = Array.from(a, (c) => c.codePointAt(0)!), y = Array.from(b, (c) => c.codePointAt(0)!);
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
      return x.length - y.length;
    };
    for (const a of pool) for (const b of pool) expect(Math.sign(compareCodePoints(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(Math.sign(byCodePoints(a, b)));
  });

  it('puts false before true', () => {
    expect(uniqueLabels([true, false, true], 'y')).toEqual([false, true]);
    expect(uniqueLabels([true, true], 'y')).toEqual([true]);
  });
});

describe('uniqueLabels / unionLabels: checks', () => {
  it('rejects what is not a Float64Array or an array with ERR_BLASNET_ARG_TYPE', () => {
    expectError(() => uniqueLabels('abc', 'y'), TypeError, 'ERR_BLASNET_ARG_TYPE', /^y must be a Float64Array or an array of labels/, '"abc"');
    expectError(() => uniqueLabels(new DataView(new ArrayBuffer(8)), 'y'), TypeError, 'ERR_BLASNET_ARG_TYPE', 'DataView');
    expectError(() => uniqueLabels({ length: 1, 0: 1 }, 'y'), TypeError, 'ERR_BLASNET_ARG_TYPE', 'an object');
    expectError(() => uniqueLabels(undefined, 'yTrue'), TypeError, 'ERR_BLASNET_ARG_TYPE', 'yTrue', 'undefined');
  });

  it('rejects a detached Float64Array with ERR_BLASNET_DETACHED', () => {
    expectError(() => uniqueLabels(detached([1, 2]), 'y'), TypeError, 'ERR_BLASNET_DETACHED', 'y', 'detached');
  });

  it('rejects an empty y with ERR_BLASNET_SHAPE', () => {
    expectError(() => uniqueLabels([], 'y'), RangeError, 'ERR_BLASNET_SHAPE', 'y', 'at least one label');
    expectError(() => uniqueLabels(new Float64Array(0), 'y'), RangeError, 'ERR_BLASNET_SHAPE', 'y');
  });

  it('rejects mixed label types with ERR_BLASNET_LABEL naming both and where', () => {
    expectError(() => uniqueLabels([1, 2, '1'], 'y'), RangeError, 'ERR_BLASNET_LABEL', 'mixes label types', 'y[0] is a number (1)', 'y[2] is a string ("1")');
    expectError(() => uniqueLabels([true, 1], 'y'), RangeError, 'ERR_BLASNET_LABEL', 'y[0] is a boolean (true)', 'y[1] is a number (1)');
    expectError(() => unionLabels([[0, 1], ['a']], ['yTrue', 'yPred']), RangeError, 'ERR_BLASNET_LABEL', 'yTrue and yPred', 'numbers in yTrue', 'strings in yPred', 'yPred[0] = "a"');
  });

  it('rejects NaN and ±Infinity labels with ERR_BLASNET_NOT_FINITE', () => {
    expectError(() => uniqueLabels([0, NaN], 'y'), RangeError, 'ERR_BLASNET_NOT_FINITE', 'y[1]', 'NaN');
    expectError(() => uniqueLabels(new Float64Array([0, 1, -Infinity]), 'y'), RangeError, 'ERR_BLASNET_NOT_FINITE', 'y[2]', '-Infinity');
  });

  it('rejects null, undefined, objects and holes with ERR_BLASNET_LABEL', () => {
    expectError(() => uniqueLabels([0, null], 'y'), RangeError, 'ERR_BLASNET_LABEL', 'y[1]', 'number, string or boolean', 'null');
    expectError(() => uniqueLabels(['a', undefined], 'y'), RangeError, 'ERR_BLASNET_LABEL', 'y[1]', 'undefined');
    expectError(() => uniqueLabels([{}], 'y'), RangeError, 'ERR_BLASNET_LABEL', 'y[0]', 'an object');
    expectError(() => uniqueLabels([1n], 'y'), RangeError, 'ERR_BLASNET_LABEL', 'y[0]', 'bigint');
    // eslint-disable-next-line no-sparse-arrays
    expectError(() => uniqueLabels([1, , 2], 'y'), RangeError, 'ERR_BLASNET_LABEL', 'y[1]', 'hole');
  });

  it('unionLabels merges several arrays into one sorted set', () => {
    expect(unionLabels([[2, 0], new Float64Array([1, 2])], ['yTrue', 'yPred'])).toEqual([0, 1, 2]);
    expect(unionLabels([['b'], ['a', 'c']], ['a', 'b'])).toEqual(['a', 'b', 'c']);
    expectError(() => unionLabels([], []), TypeError, 'ERR_BLASNET_ARG_TYPE', 'arrays');
    expectError(() => unionLabels([[1]], ['a', 'b']), TypeError, 'ERR_BLASNET_ARG_TYPE', 'names');
  });
});

describe('encodeLabels / decodeLabels', () => {
  it('round-trips numbers, strings and booleans', () => {
    const cases: [unknown[] | Float64Array, unknown][] = [
      [new Float64Array([3, -1, 3, 7, -0]), new Float64Array([3, -1, 3, 7, 0])],
      [['no', 'yes', 'maybe', 'yes'], ['no', 'yes', 'maybe', 'yes']],
      [[true, false, false], [true, false, false]],
    ];
    for (const [y, back] of cases) {
      const classes = uniqueLabels(y, 'y');
      const idx = encodeLabels(y, classes, 'y');
      expect(idx).toBeInstanceOf(Int32Array);
      expect(decodeLabels(idx, classes)).toEqual(back);
    }
    expect(encodeLabels(['no', 'yes', 'maybe'], ['maybe', 'no', 'yes'], 'y')).toEqual(new Int32Array([1, 2, 0]));
    expect(encodeLabels([-0, 5], [0, 5], 'y')).toEqual(new Int32Array([0, 1]));
    expect(decodeLabels([2, 0], [10, 20, 30])).toEqual(new Float64Array([30, 10]));
  });

  it('names the argument, index, value and classes of an unknown label', () => {
    expectError(() => encodeLabels([0, 1, 7], [0, 1], 'yPred'), RangeError, 'ERR_BLASNET_LABEL', 'yPred[2] = 7', 'not one of the classes [0, 1]');
    expectError(() => encodeLabels(['x'], ['a', 'b'], 'y'), RangeError, 'ERR_BLASNET_LABEL', 'y[0] = "x"', '["a", "b"]');
    expectError(() => encodeLabels(['1'], [0, 1], 'y'), RangeError, 'ERR_BLASNET_LABEL', 'y[0] is a string', 'the classes are numbers');
  });

  it('shortens a long list of classes', () => {
    const classes = Array.from({ length: 40 }, (_, i) => i);
    expectError(() => encodeLabels([99], classes, 'y'), RangeError, 'ERR_BLASNET_LABEL', '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, … (40 classes)]');
  });

  it('rejects bad indices with ERR_BLASNET_LABEL', () => {
    expectError(() => decodeLabels([0, 2], ['a', 'b']), RangeError, 'ERR_BLASNET_LABEL', 'indices[1]', '[0, 2)', 'got 2');
    expectError(() => decodeLabels([-1], ['a', 'b']), RangeError, 'ERR_BLASNET_LABEL', 'indices[0]', 'got -1');
    expectError(() => decodeLabels([0.5], [1, 2]), RangeError, 'ERR_BLASNET_LABEL', 'got 0.5');
    expectError(() => decodeLabels([0], [] as number[]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'classes');
  });

  it('labelKind names the kind', () => {
    expect(labelKind([1, 2])).toBe('number');
    expect(labelKind(['a'])).toBe('string');
    expect(labelKind([false, true])).toBe('boolean');
    expectError(() => labelKind([] as string[]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'classes');
  });
});

describe('classWeightByIndex', () => {
  it('reads an object keyed by label; missing classes get weight 1', () => {
    expect(classWeightByIndex({ 2: 4, 2.5: 0.5 }, [0, 2, 2.5], 'cw')).toEqual(new Float64Array([1, 4, 0.5]));
    expect(classWeightByIndex({ '-1': 2 }, [-1, 1], 'cw')).toEqual(new Float64Array([2, 1]));
    expect(classWeightByIndex({ true: 3 }, [false, true], 'cw')).toEqual(new Float64Array([1, 3]));
    expect(classWeightByIndex({ cat: 0 }, ['cat', 'dog'], 'cw')).toEqual(new Float64Array([0, 1]));
    expect(classWeightByIndex(Object.assign(Object.create(null), { dog: 2 }), ['cat', 'dog'], 'cw')).toEqual(new Float64Array([1, 2]));
  });

  it('reads an array or Float64Array by class index, passes "balanced" through, and undefined means all 1', () => {
    expect(classWeightByIndex([1, 3], [false, true], 'cw')).toEqual(new Float64Array([1, 3]));
    const w = new Float64Array([0.5, 2]);
    const got = classWeightByIndex(w, ['a', 'b'], 'cw');
    expect(got).toEqual(new Float64Array([0.5, 2]));
    expect(got).not.toBe(w);
    expect(classWeightByIndex('balanced', [0, 1], 'cw')).toBe('balanced');
    expect(classWeightByIndex(undefined, [0, 1, 2], 'cw')).toEqual(new Float64Array([1, 1, 1]));
  });

  it('rejects keys that are not classes, bad weights and other forms, each with its code', () => {
    expectError(() => classWeightByIndex({ 3: 1 }, [0, 1], 'cw'), RangeError, 'ERR_BLASNET_LABEL', 'cw', '"3"', 'not a class', '[0, 1]');
    expectError(() => classWeightByIndex({ '1.0': 1 }, [0, 1], 'cw'), RangeError, 'ERR_BLASNET_LABEL', '"1.0"');
    expectError(() => classWeightByIndex({ 1: -1 }, [0, 1], 'cw'), RangeError, 'ERR_BLASNET_ARG_RANGE', 'cw["1"]', '≥ 0', '-1');
    expectError(() => classWeightByIndex({ 1: NaN }, [0, 1], 'cw'), RangeError, 'ERR_BLASNET_NOT_FINITE', 'cw["1"]', 'NaN');
    expectError(() => classWeightByIndex({ 1: '2' }, [0, 1], 'cw'), TypeError, 'ERR_BLASNET_ARG_TYPE', 'cw["1"]', '"2"');
    expectError(() => classWeightByIndex([1, 2, 3], [0, 1], 'cw'), RangeError, 'ERR_BLASNET_SHAPE', 'cw', 'one weight per class (2', 'got 3');
    expectError(() => classWeightByIndex([1, Infinity], [0, 1], 'cw'), RangeError, 'ERR_BLASNET_NOT_FINITE', 'cw[1]', 'Infinity');
    expectError(() => classWeightByIndex('auto', [0, 1], 'cw'), TypeError, 'ERR_BLASNET_ARG_TYPE', 'cw', "'balanced'", '"auto"');
    expectError(() => classWeightByIndex(2, [0, 1], 'cw'), TypeError, 'ERR_BLASNET_ARG_TYPE', 'cw', '2');
    expectError(() => classWeightByIndex(new Map([[0, 1]]), [0, 1], 'cw'), TypeError, 'ERR_BLASNET_ARG_TYPE', 'a Map');
    expectError(() => classWeightByIndex(detached([1, 1]), [0, 1], 'cw'), TypeError, 'ERR_BLASNET_DETACHED', 'cw');
  });
});

describe('classesFromJSON / sameClasses', () => {
  it('accepts sorted, distinct labels of one kind and returns a copy', () => {
    const src = [-0, 1, 2.5];
    const got = classesFromJSON(src, 'm.json', 'classes');
    expect(got).toEqual([0, 1, 2.5]);
    expect(Object.is(got[0], 0)).toBe(true);
    expect(got).not.toBe(src);
    expect(classesFromJSON(['\uFFFD', '\u{1F600}'], 'm', 'classes')).toEqual(['\uFFFD', '\u{1F600}']);
    expect(classesFromJSON([false, true], 'm', 'classes')).toEqual([false, true]);
  });

  it('rejects everything else with ERR_BLASNET_FORMAT, src and field first', () => {
    const bad: [unknown, string][] = [
      [{ 0: 1 }, 'must be an array'],
      [[], 'at least one class'],
      [[0, '1'], 'one type'],
      [[0, null], '[1] must be a number, string or boolean'],
      [[0, NaN], '[1] must be a finite number'],
      [[1, 0], 'strictly increasing'],
      [[0, 0], 'strictly increasing'],
      [[0, -0], 'strictly increasing'],
      [['\u{1F600}', '\uFFFD'], 'strictly increasing'],
      [[true, false], 'strictly increasing'],
    ];
    for (const [value, what] of bad) expectError(() => classesFromJSON(value, 'model.json', 'classes'), BlasnetError, 'ERR_BLASNET_FORMAT', /^model\.json: classes /, what);
  });

  it('sameClasses compares kind, order and values', () => {
    expect(sameClasses([0, 1], [0, 1])).toBe(true);
    expect(sameClasses([0, 1], [-0, 1])).toBe(true);
    expect(sameClasses([0, 1], [1, 0])).toBe(false);
    expect(sameClasses([0, 1], ['0', '1'])).toBe(false);
    expect(sameClasses([0, 1], [0, 1, 2])).toBe(false);
    expect(sameClasses([true], [true])).toBe(true);
  });
});

describe('inputs are never modified', () => {
  it('leaves y, classes and classWeight as they were', () => {
    const y = new Float64Array([2, -0, 1, 2]);
    const ys = ['b', 'a'];
    const classes = [0, 1, 2];
    const cw = { 1: 2 };
    const w = [1, 2, 3];
    uniqueLabels(y, 'y');
    uniqueLabels(ys, 'y');
    unionLabels([y, [5]], ['a', 'b']);
    encodeLabels(y, classes, 'y');
    decodeLabels([2, 1], classes);
    classWeightByIndex(cw, classes, 'cw');
    classWeightByIndex(w, classes, 'cw');
    classesFromJSON(classes, 'm', 'c');
    expect(Array.from(y)).toEqual([2, -0, 1, 2]);
    expect(Object.is(y[1], -0)).toBe(true);
    expect(ys).toEqual(['b', 'a']);
    expect(classes).toEqual([0, 1, 2]);
    expect(cw).toEqual({ 1: 2 });
    expect(w).toEqual([1, 2, 3]);
  });
});
