// Evaluation helpers: trainTestSplit with stratify (labels of any type, one-hot Matrix targets, records
// and take-objects as X), takeRows on number[][], kFold (plain and stratified, checked against
// scikit-learn's StratifiedKFold per-fold class counts when /usr/bin/python3 has sklearn) and
// crossValidate with both models, named scorings and scoring functions.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BlasnetRangeError, LogisticRegression, Matrix, NeuralNetwork, Random, Standardizer, accuracyScore, crossValidate,
  f1Score, kFold, logLoss, meanSquaredError, r2Score, takeRows, trainTestSplit, type CrossValidationModel, type Fold,
} from '../lib/index.js';
import { loadIris } from './helpers/datasets.js';
import { expectError, expectRejection } from './helpers/errors.js';

const iris = loadIris();
const NAMES = ['setosa', 'versicolor', 'virginica'];
const species = iris.y.map((c) => NAMES[c]!);
const oneHot = (y: number[], k: number) => Matrix.from(y.map((c) => Array.from({ length: k }, (_, j) => (j === c ? 1 : 0))));

/** How often each value occurs, as a Map in first-seen order. */
function counts<T>(values: Iterable<T>): Map<T, number> {
  const m = new Map<T, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}
/** Counts as a plain object keyed by String(value), for toEqual. */
function countObject<T>(values: Iterable<T>): Record<string, number> {
  return Object.fromEntries([...counts(values)].map(([k, v]) => [String(k), v]));
}
const columnSums = (M: Matrix) => Array.from({ length: M.cols }, (_, j) => Array.from({ length: M.rows }, (_, i) => M.get(i, j)).reduce((a, b) => a + b, 0));

/** Largest-remainder test counts, written independently of lib/data.ts: ties to the earlier class. */
function hamilton(classCounts: number[], nTest: number): number[] {
  const n = classCounts.reduce((a, b) => a + b, 0);
  const floor = classCounts.map((c) => Math.floor((c * nTest) / n));
  const rem = classCounts.map((c) => (c * nTest) % n);
  const order = classCounts.map((_, i) => i).sort((a, b) => rem[b]! - rem[a]! || a - b);
  let left = nTest - floor.reduce((a, b) => a + b, 0);
  for (const c of order) if (left-- > 0) floor[c]!++;
  return floor;
}

/** Disjoint, covering, sorted, sizes within one, train the complement. */
function expectPartition(folds: Fold[], n: number, k: number): void {
  expect(folds).toHaveLength(k);
  const seen = new Int32Array(n);
  for (const { train, test } of folds) {
    for (const part of [train, test]) {
      expect(part).toBeInstanceOf(Int32Array);
      for (let i = 1; i < part.length; i++) expect(part[i]!).toBeGreaterThan(part[i - 1]!);
    }
    expect(train.length + test.length).toBe(n);
    const inTest = new Set(test);
    expect([...train].every((i) => !inTest.has(i))).toBe(true);
    for (const i of test) seen[i]!++;
  }
  expect([...seen].every((c) => c === 1)).toBe(true);
  const sizes = folds.map((f) => f.test.length);
  expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('trainTestSplit with stratify', () => {
  it('iris, testFraction 0.2: 10 of each class in the test part, 40 in the training part, rows kept with their labels', () => {
    const label = new Map(iris.X.map((r, i) => [r.join(','), iris.y[i]!]));
    for (const seed of [0, 1, 42]) {
      const s = trainTestSplit(iris.X, iris.y, { testFraction: 0.2, seed, stratify: true });
      expect(countObject(s.ytest)).toEqual({ 0: 10, 1: 10, 2: 10 });
      expect(countObject(s.ytrain)).toEqual({ 0: 40, 1: 40, 2: 40 });
      expect([s.Xtrain.rows, s.Xtest.rows]).toEqual([120, 30]);
      for (let i = 0; i < 30; i++) expect(label.get([...s.Xtest.row(i)].join(','))).toBe(s.ytest[i]);
      for (let i = 0; i < 120; i++) expect(label.get([...s.Xtrain.row(i)].join(','))).toBe(s.ytrain[i]);
    }
    const a = trainTestSplit(iris.X, iris.y, { testFraction: 0.2, seed: 5, stratify: true });
    const b = trainTestSplit(iris.X, iris.y, { testFraction: 0.2, seed: 5, stratify: true });
    const c = trainTestSplit(iris.X, iris.y, { testFraction: 0.2, seed: 6, stratify: true });
    expect(b.Xtest.data).toEqual(a.Xtest.data);
    expect(c.Xtest.data).not.toEqual(a.Xtest.data);
  });

  it('string and boolean labels: the parts are string[] and boolean[], with each class\'s share', () => {
    const s = trainTestSplit(iris.X, species, { testFraction: 0.3, seed: 2, stratify: true });
    expect(Array.isArray(s.ytest)).toBe(true);
    expect(countObject(s.ytest)).toEqual({ setosa: 15, versicolor: 15, virginica: 15 });
    expect(s.ytrain).toHaveLength(105);
    const flags = iris.y.map((c) => c === 2);  // 100 false, 50 true
    const b = trainTestSplit(iris.X, flags, { testFraction: 0.2, seed: 2, stratify: true });
    expect(countObject(b.ytest)).toEqual({ false: 20, true: 10 });
    expect(typeof b.ytest[0]).toBe('boolean');
    // Float64Array labels give Float64Array parts.
    expect(trainTestSplit(iris.X, Float64Array.from(iris.y), { stratify: true }).ytest).toBeInstanceOf(Float64Array);
  });

  it('a one-hot Matrix target: its columns are the classes; an n × 1 0/1 Matrix holds classes 0 and 1', () => {
    const Y = oneHot(iris.y, 3);
    const s = trainTestSplit(iris.X, Y, { testFraction: 0.2, seed: 9, stratify: true });
    expect(s.ytest).toBeInstanceOf(Matrix);
    expect(columnSums(s.ytest)).toEqual([10, 10, 10]);
    expect(columnSums(s.ytrain)).toEqual([40, 40, 40]);
    // The same selection as the labels it encodes.
    const byLabel = trainTestSplit(iris.X, iris.y, { testFraction: 0.2, seed: 9, stratify: true });
    expect(s.Xtest.data).toEqual(byLabel.Xtest.data);
    const col = new Matrix(150, 1, Float64Array.from(iris.y, (c) => (c === 0 ? 1 : 0)));
    expect(columnSums(trainTestSplit(iris.X, col, { testFraction: 0.2, stratify: true }).ytest)).toEqual([10]);
  });

  it('largest remainders for shares that do not divide; ties go to the earlier class in class order, whatever the seed', () => {
    // 7 a, 5 b, 3 c; testFraction 0.3 → round(4.5) = 5 test: quotas 2.33, 1.67, 1 → 2, 2, 1.
    const y = [...'aaaaaaabbbbbccc'];
    const X = y.map((_, i) => [i]);
    expect(countObject(trainTestSplit(X, y, { testFraction: 0.3, stratify: true }).ytest)).toEqual({ a: 2, b: 2, c: 1 });
    // 5 'b' then 5 'a', 3 test: quotas 1.5 each; 'a' sorts first and gets the extra one for every seed.
    const tie = [...'bbbbbaaaaa'];
    for (let seed = 0; seed < 20; seed++) {
      expect(countObject(trainTestSplit(tie.map((_, i) => [i]), tie, { testFraction: 0.3, seed, stratify: true }).ytest)).toEqual({ a: 2, b: 1 });
    }
    // Random label sets: exact Hamilton counts, the unstratified test size.
    const rng = new Random(7);
    for (let trial = 0; trial < 40; trial++) {
      const k = 2 + rng.int(5), n = 20 + rng.int(200);
      const labels = Array.from({ length: n }, (_, i) => (i < 2 * k ? i % k : rng.int(k)));
      const fraction = 0.05 + 0.9 * rng.next();
      const Xr = labels.map((_, i) => [i]);
      const s = trainTestSplit(Xr, labels, { testFraction: fraction, seed: trial, stratify: true });
      const plain = trainTestSplit(Xr, labels, { testFraction: fraction, seed: trial });
      expect(s.ytest.length).toBe(plain.ytest.length);
      const classCounts = Array.from({ length: k }, (_, c) => labels.filter((v) => v === c).length);
      const want = hamilton(classCounts, Math.round(n * fraction));
      expect(Array.from({ length: k }, (_, c) => s.ytest.filter((v) => v === c).length)).toEqual(want);
      for (let i = 0; i < s.Xtest.rows; i++) expect(labels[s.Xtest.get(i, 0)]).toBe(s.ytest[i]);
    }
  });

  it('the unstratified split is unchanged: the first round(n · testFraction) rows of Random(seed).shuffle', () => {
    const n = 23, seed = 11;
    const X = Array.from({ length: n }, (_, i) => [i, -i]);
    const s = trainTestSplit(X, Array.from({ length: n }, (_, i) => i), { testFraction: 0.35, seed });
    const order = new Random(seed).shuffle(Int32Array.from({ length: n }, (_, i) => i));
    expect([...s.ytest]).toEqual([...order.subarray(0, 8)]);
    expect([...s.ytrain]).toEqual([...order.subarray(8)]);
  });

  it('refuses multi-label, non-0/1 and continuous targets, single-member classes, and stratify without y', () => {
    const Y = oneHot(iris.y, 3);
    Y.data[5 * 3 + 1] = 1; // row 5: setosa and versicolor
    expectError(() => trainTestSplit(iris.X, Y, { stratify: true }), RangeError, 'ERR_BLASNET_LABEL', /y row 5 has a 1 in columns 0 and 1/, /multi-label targets cannot be stratified/);
    const Z = oneHot(iris.y, 3);
    Z.data[7 * 3] = 0; // row 7: no class
    expectError(() => trainTestSplit(iris.X, Z, { stratify: true }), RangeError, 'ERR_BLASNET_LABEL', /y row 7 has no 1/);
    const P = oneHot(iris.y, 3);
    P.data[0] = 0.5;
    expectError(() => trainTestSplit(iris.X, P, { stratify: true }), RangeError, 'ERR_BLASNET_LABEL', /got 0\.5 at row 0, column 0/);
    const values = iris.X.map((r) => r[0]!);
    expectError(() => trainTestSplit(iris.X, values, { stratify: true }), RangeError, 'ERR_BLASNET_LABEL', /continuous value y\[0\] = 5\.1/);
    const lonely = [...species];
    lonely[17] = 'hybrid';
    expectError(() => trainTestSplit(iris.X, lonely, { stratify: true }), RangeError, 'ERR_BLASNET_LABEL', /class "hybrid" has only 1 example/, /at least 2/);
    expectError(() => trainTestSplit(iris.X, null, { stratify: true }), TypeError, 'ERR_BLASNET_ARG_TYPE', /options\.stratify needs the class labels y, got null/);
    expectError(() => trainTestSplit(iris.X, iris.y, { stratify: 'yes' as never }), TypeError, 'ERR_BLASNET_ARG_TYPE', /options\.stratify must be a boolean, got "yes"/);
    // Without stratify, continuous values and multi-label targets split as before.
    expect(trainTestSplit(iris.X, values).ytest).toHaveLength(30);
    expect(trainTestSplit(iris.X, Y).ytest.rows).toBe(30);
  });

  it('mixed label types are refused with the position', () => {
    const y: unknown[] = [...species];
    y[3] = 1;
    expectError(() => trainTestSplit(iris.X, y as string[]), TypeError, 'ERR_BLASNET_ARG_TYPE', /y\[3\] must be a string, got 1 \(y\[0\] is a string/);
  });
});

describe('trainTestSplit on records, take-objects and X alone', () => {
  const records = Array.from({ length: 10 }, (_, i) => ({ id: i, group: i % 2 === 0 ? 'even' : 'odd' }));

  it('records are taken by reference, in the shuffled order, with their labels', () => {
    const y = records.map((r) => r.group);
    const s = trainTestSplit(records, y, { testFraction: 0.4, seed: 3, stratify: true });
    expect(s.Xtest).toHaveLength(4);
    expect(s.Xtrain).toHaveLength(6);
    for (let i = 0; i < 4; i++) {
      expect(s.Xtest[i]).toBe(records[s.Xtest[i]!.id]); // the same object, not a copy
      expect(s.ytest[i]).toBe(s.Xtest[i]!.group);
    }
    expect(countObject(s.ytest)).toEqual({ even: 2, odd: 2 });
    expect(new Set([...s.Xtrain, ...s.Xtest].map((r) => r.id)).size).toBe(10);
  });

  it('X alone (y null, undefined or left out): the same rows as with y, ytrain and ytest null', () => {
    const withY = trainTestSplit(records, records.map((r) => r.id), { seed: 4 });
    for (const s of [trainTestSplit(records, null, { seed: 4 }), trainTestSplit(records, undefined, { seed: 4 })]) {
      expect(s.ytrain).toBeNull();
      expect(s.ytest).toBeNull();
      expect(s.Xtest.map((r) => r.id)).toEqual([...withY.ytest]);
    }
    expect(trainTestSplit(records).Xtest).toHaveLength(2);
  });

  it('an object with take(indices: Int32Array): called with fresh Int32Arrays, its results returned; the count from nRows, rows, length or y', () => {
    const calls: Int32Array[] = [];
    const table = {
      nRows: 10,
      take(indices: Int32Array) {
        calls.push(indices);
        return { picked: [...indices] };
      },
    };
    const s = trainTestSplit(table, null, { testFraction: 0.3, seed: 1 });
    expect(calls).toHaveLength(2);
    expect(calls.every((c) => c instanceof Int32Array)).toBe(true);
    expect(s.Xtrain.picked).toHaveLength(7);
    expect(s.Xtest.picked).toHaveLength(3);
    expect([...s.Xtrain.picked, ...s.Xtest.picked].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The same selection as for records with the same seed.
    expect(s.Xtest.picked).toEqual(trainTestSplit(records, null, { testFraction: 0.3, seed: 1 }).Xtest.map((r) => r.id));
    const noCount = { take: (idx: Int32Array) => [...idx] };
    expect(trainTestSplit(noCount, [0, 1, 0, 1, 0, 1], { testFraction: 0.5, stratify: true }).Xtest).toHaveLength(3);
    expectError(() => trainTestSplit(noCount), TypeError, 'ERR_BLASNET_ARG_TYPE', /X \(an object with take\) has no row count/);
    expectError(() => trainTestSplit({ length: 4, take: noCount.take }, [0, 1, 0]), RangeError, 'ERR_BLASNET_SHAPE', /y must have one label per row of X \(4\), got 3/);
    expectError(() => trainTestSplit({ rows: -1, take: noCount.take }), RangeError, 'ERR_BLASNET_ARG_RANGE', /X\.rows must be a row count/);
  });

  it('refuses what is not examples', () => {
    expectError(() => trainTestSplit(42 as never, null), TypeError, 'ERR_BLASNET_ARG_TYPE', /X must be a Matrix or an array of rows .*or an object with a take\(indices\) method, got 42/);
    expectError(() => trainTestSplit([], null), RangeError, 'ERR_BLASNET_SHAPE', /X must have at least one row/);
  });
});

describe('takeRows on number[][]', () => {
  it('copies the rows asked for into new arrays, in order, with repeats; a Matrix still gives a Matrix', () => {
    const rows = [[1, 2], [3, 4], [5, 6]];
    const out = takeRows(rows, [2, 0, 2]);
    expect(out).toEqual([[5, 6], [1, 2], [5, 6]]);
    expect(out[1]).not.toBe(rows[0]);
    out[1]![0] = 99;
    expect(rows[0]![0]).toBe(1);
    expect(out[0]).not.toBe(out[2]); // repeats are separate copies
    expect(takeRows(rows, Int32Array.of(1))).toEqual([[3, 4]]);
    expect(takeRows(rows, [])).toEqual([]);
    expect(takeRows(Matrix.from(rows), [1])).toBeInstanceOf(Matrix);
  });

  it('checks indices as for a Matrix, and the rows it takes', () => {
    const rows = [[1, 2], [3, 4], [5, 6]];
    expectError(() => takeRows(rows, [3]), RangeError, 'ERR_BLASNET_ARG_RANGE', /indices\[0\] must be an integer in \[0, 2\] \(M has 3 rows\), got 3/);
    expectError(() => takeRows(rows, [0.5]), RangeError, 'ERR_BLASNET_ARG_RANGE', /got 0\.5/);
    expectError(() => takeRows(rows, ['1' as never]), TypeError, 'ERR_BLASNET_ARG_TYPE', /indices\[0\] must be a row number, got "1"/);
    expectError(() => takeRows([], [0]), RangeError, 'ERR_BLASNET_ARG_RANGE', /M has no rows/);
    expectError(() => takeRows([[1, 2], [3]], [0, 1]), RangeError, 'ERR_BLASNET_SHAPE', /M\[0\] has 2 values, M\[1\] has 1/);
    expectError(() => takeRows([[1, 2], 'ab' as never], [1]), TypeError, 'ERR_BLASNET_ARG_TYPE', /M\[1\] must be a row \(an array of numbers\), got "ab"/);
    expectError(() => takeRows([[1, '2' as never]], [0]), TypeError, 'ERR_BLASNET_ARG_TYPE', /M\[0\]\[1\] must be a number, got "2"/);
    expectError(() => takeRows('M' as never, [0]), TypeError, 'ERR_BLASNET_ARG_TYPE', /M must be a Matrix, got "M" \(an array of rows, number\[\]\[\], is accepted too\)/);
  });
});

describe('kFold', () => {
  it('plain folds of n: a partition, sizes within one (the first n mod k one longer), complement train', () => {
    for (const [n, k] of [[10, 3], [11, 5], [150, 5], [7, 7], [2, 2]] as const) {
      const folds = kFold(n, { folds: k, seed: 3 });
      expectPartition(folds, n, k);
      expect(folds.map((f) => f.test.length)).toEqual(Array.from({ length: k }, (_, f) => Math.floor(n / k) + (f < n % k ? 1 : 0)));
    }
    expect(kFold(10, { folds: 3, shuffle: false }).map((f) => [...f.test])).toEqual([[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(kFold(150)).toHaveLength(5);
  });

  it('is reproducible per seed and differs across seeds', () => {
    const key = (folds: Fold[]) => folds.map((f) => [...f.test].join(',')).join('|');
    expect(key(kFold(40, { seed: 8 }))).toBe(key(kFold(40, { seed: 8 })));
    expect(key(kFold(40, { seed: 8 }))).not.toBe(key(kFold(40, { seed: 9 })));
    expect(key(kFold(species, { seed: 8 }))).toBe(key(kFold(species, { seed: 8 })));
    expect(key(kFold(species, { seed: 8 }))).not.toBe(key(kFold(species, { seed: 9 })));
    // Labels with stratify: false: the plain folds of their count.
    expect(key(kFold(species, { stratify: false, seed: 4 }))).toBe(key(kFold(150, { seed: 4 })));
  });

  it('stratified by default for labels: each class in each fold ⌊count/k⌋ or ⌈count/k⌉ times; one-hot gives the same counts', () => {
    const perFold = (folds: Fold[], y: readonly unknown[]) => folds.map((f) => countObject([...f.test].map((i) => y[i])));
    const folds = kFold(species, { seed: 1 });
    expectPartition(folds, 150, 5);
    for (const c of perFold(folds, species)) expect(c).toEqual({ setosa: 10, versicolor: 10, virginica: 10 });
    // Unbalanced: 23 a, 11 b, 6 c in a scrambled order.
    const rng = new Random(5);
    const y = rng.shuffle([...'a'.repeat(23), ...'b'.repeat(11), ...'c'.repeat(6)]);
    for (const shuffle of [true, false]) {
      const f = kFold(y, { folds: 4, shuffle });
      expectPartition(f, 40, 4);
      for (const [label, total] of [['a', 23], ['b', 11], ['c', 6]] as const) {
        const each = f.map((fold) => [...fold.test].filter((i) => y[i] === label).length);
        expect(each.reduce((s, v) => s + v, 0)).toBe(total);
        expect(Math.max(...each) - Math.min(...each)).toBeLessThanOrEqual(1);
      }
    }
    const idx = iris.y;
    expect(kFold(oneHot(idx, 3), { seed: 2 }).map((f) => countObject([...f.test].map((i) => idx[i])))).toEqual(perFold(kFold(idx, { seed: 2 }), idx));
    // A boolean label set, a Float64Array of integer labels.
    expectPartition(kFold(idx.map((c) => c === 1), { folds: 3 }), 150, 3);
    expectPartition(kFold(Float64Array.from(idx), { folds: 10 }), 150, 10);
  });

  it('warns (BLASNET_SMALL_CLASS) when a class has fewer members than folds, and refuses folds above the largest class', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const y = [...'aaaaaaaabbbc'];
    const folds = kFold(y, { folds: 4 });
    expectPartition(folds, 12, 4);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/class "c" has only 1 example\(s\), fewer than the 4 folds/);
    expect(warn.mock.calls[0]![1]).toEqual({ code: 'BLASNET_SMALL_CLASS' });
    warn.mockClear();
    kFold(species, { folds: 5 });
    expect(warn).not.toHaveBeenCalled();
    expectError(() => kFold([...'aaabbc'], { folds: 4 }), RangeError, 'ERR_BLASNET_ARG_RANGE', /options\.folds must be at most the size of the largest class to stratify \(3: y's class "a"\), got 4/);
  });

  it('refuses bad arguments with codes and messages', () => {
    expectError(() => kFold(10, { folds: 1 }), RangeError, 'ERR_BLASNET_ARG_RANGE', /options\.folds must be an integer ≥ 2, got 1/);
    expectError(() => kFold(10, { folds: 2.5 }), RangeError, 'ERR_BLASNET_ARG_RANGE', /options\.folds must be an integer ≥ 2, got 2\.5/);
    expectError(() => kFold(4, { folds: 5 }), RangeError, 'ERR_BLASNET_ARG_RANGE', /options\.folds must be at most the number of examples \(4\), got 5/);
    expectError(() => kFold(10, { stratify: true }), TypeError, 'ERR_BLASNET_ARG_TYPE', /options\.stratify needs labels to stratify on, got the count 10/);
    expectError(() => kFold(10, { shuffle: false, seed: 1 }), TypeError, 'ERR_BLASNET_ARG_TYPE', /options\.seed has no effect with options\.shuffle false/);
    expectError(() => kFold(10, { seed: -1 }), RangeError, 'ERR_BLASNET_ARG_RANGE', /options\.seed must be an integer in \[0, 2\^32\), got -1/);
    expectError(() => kFold(10, { fold: 3 } as never), TypeError, 'ERR_BLASNET_ARG_TYPE', /options has an unknown option "fold"; expected one of folds, stratify, seed, shuffle/);
    expectError(() => kFold(0), RangeError, 'ERR_BLASNET_ARG_RANGE', /y as a count of examples must be an integer ≥ 1, got 0/);
    expectError(() => kFold(null as never), TypeError, 'ERR_BLASNET_ARG_TYPE', /y must be a count of examples, labels or a one-hot Matrix, got null/);
    const values = iris.X.map((r) => r[2]!);
    expectError(() => kFold(values), RangeError, 'ERR_BLASNET_LABEL', /stratified folds needs class labels, got the continuous value y\[0\] = 1\.4/);
    expectPartition(kFold(values, { stratify: false }), 150, 5);
    const multi = oneHot(iris.y, 3);
    multi.data[2] = 1;
    expectError(() => kFold(multi), RangeError, 'ERR_BLASNET_LABEL', /y row 0 has a 1 in columns 0 and 2/);
    expectPartition(kFold(multi, { stratify: false }), 150, 5);
  });
});

// ---------------------------------------------------------------------------------------------
// scikit-learn's StratifiedKFold, per-fold class counts (its shuffle differs from ours, its counts do not)

const PYTHON = '/usr/bin/python3';
const sklearn = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import sklearn, numpy'], { encoding: 'utf8', timeout: 60_000 }).status === 0;

/** sklearn's StratifiedKFold(n_splits) test-fold class counts: one { label: count } per fold, in fold order. */
function sklearnFoldCounts(y: (string | number)[], nSplits: number): Record<string, number>[] {
  const script = [
    'import json, sys, warnings',
    'import numpy as np',
    'from sklearn.model_selection import StratifiedKFold',
    'd = json.load(sys.stdin)',
    'y = np.array(d["y"])',
    'warnings.simplefilter("ignore")',
    'out = []',
    'for _, test in StratifiedKFold(n_splits=d["k"]).split(np.zeros(len(y)), y):',
    '    labels, counts = np.unique(y[test], return_counts=True)',
    '    out.append({str(l): int(c) for l, c in zip(labels.tolist(), counts.tolist())})',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify({ y, k: nSplits }), encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, number>[];
}

describe.skipIf(!sklearn)('kFold against scikit-learn 1.2 StratifiedKFold(n_splits=5): per-fold class counts', () => {
  const ours = (y: (string | number)[], shuffle: boolean) =>
    kFold(y, { folds: 5, shuffle }).map((f) => Object.fromEntries([...counts([...f.test].map((i) => String(y[i])))].sort()));
  const theirs = (y: (string | number)[]) => sklearnFoldCounts(y, 5).map((c) => Object.fromEntries(Object.entries(c).sort()));

  it('iris', () => {
    const want = theirs(iris.y);
    expect(ours(iris.y, true)).toEqual(want);
    expect(ours(iris.y, false)).toEqual(want);
    expect(ours(species, true)).toEqual(theirs(species));
  });

  it('unbalanced label sets, classes first seen out of sorted order, a class smaller than the folds', () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const rng = new Random(12);
    const strings = ['zeta', ...rng.shuffle([...Array(22).fill('alpha'), ...Array(9).fill('mid'), ...Array(3).fill('rare'), ...Array(13).fill('zeta')])];
    const numbers = [7, ...rng.shuffle([...Array(40).fill(0), ...Array(17).fill(3), ...Array(9).fill(7), ...Array(6).fill(1), ...Array(2).fill(5)])];
    for (const y of [strings, numbers]) {
      const want = theirs(y);
      expect(ours(y, true)).toEqual(want);
      expect(ours(y, false)).toEqual(want);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// crossValidate

/** mean = Σ s / k in fold order; std = √(Σ (s − mean)² / k): the documented arithmetic, so equal exactly. */
function expectSummary(r: { scores: Float64Array; mean: number; std: number }): void {
  let sum = 0;
  for (const s of r.scores) sum += s;
  const mean = sum / r.scores.length;
  let sq = 0;
  for (const s of r.scores) sq += (s - mean) ** 2;
  expect(r.mean).toBe(mean);
  expect(r.std).toBe(Math.sqrt(sq / r.scores.length));
}

describe('crossValidate', () => {
  const Xs = Standardizer.fit(iris.X).transform(iris.X);

  it('LogisticRegression on iris: fresh models per fold, stratified folds, accuracy; mean and std recomputed exactly', async () => {
    const made: number[] = [];
    const r = await crossValidate((fold) => {
      made.push(fold);
      return new LogisticRegression({ optimizer: 'lbfgs' });
    }, iris.X, species, { seed: 3 });
    expect(made).toEqual([0, 1, 2, 3, 4]);
    expect(r.scores).toBeInstanceOf(Float64Array);
    expect(r.scores).toHaveLength(5);
    for (const s of r.scores) expect(s).toBeGreaterThanOrEqual(0.85);
    expect(r.mean).toBeGreaterThan(0.9);
    expectSummary(r);
    // The same as fitting by hand on kFold's stratified folds (a LogisticRegression's task is null before
    // its first fit: the string labels make it a classifier).
    const folds = kFold(species, { seed: 3 });
    for (let f = 0; f < 5; f++) {
      const lr = new LogisticRegression({ optimizer: 'lbfgs' });
      await lr.fit(takeRows(iris.X, folds[f]!.train), [...folds[f]!.train].map((i) => species[i]!));
      const pred = await lr.predict(takeRows(iris.X, folds[f]!.test));
      expect(accuracyScore([...folds[f]!.test].map((i) => species[i]!), pred as string[])).toBe(r.scores[f]);
    }
  });

  it('NeuralNetwork on iris (one-hot targets and labels): plausible accuracy, exact summary, reproducible', async () => {
    const make = (fold: number) => new NeuralNetwork({ layers: [4, 16, 3], seed: fold, epochs: 300, learningRate: 0.01 });
    const r = await crossValidate(make, Xs, iris.y, { folds: 5, seed: 1 });
    for (const s of r.scores) expect(s).toBeGreaterThanOrEqual(0.8);
    expect(r.mean).toBeGreaterThan(0.88);
    expectSummary(r);
    const again = await crossValidate(make, Xs, iris.y, { folds: 5, seed: 1 });
    expect(again.scores).toEqual(r.scores);
    // One-hot targets: the same folds (columns are the classes), scored as the labels they encode.
    const hot = await crossValidate(make, Xs, oneHot(iris.y, 3), { folds: 5, seed: 1 });
    expect(hot.scores).toEqual(r.scores);
  });

  it('named scorings map to lib/metrics.ts with scikit-learn\'s signs', async () => {
    const make = () => new LogisticRegression({ optimizer: 'lbfgs', l2: 0.05 });
    const folds = kFold(iris.y, { seed: 0 });
    const byHand = async (score: (yt: number[], pred: Float64Array, P: Matrix, lr: LogisticRegression) => number) => {
      const out: number[] = [];
      for (const { train, test } of folds) {
        const lr = make();
        await lr.fit(takeRows(Xs, train), [...train].map((i) => iris.y[i]!));
        const Xt = takeRows(Xs, test);
        out.push(score([...test].map((i) => iris.y[i]!), (await lr.predict(Xt)) as Float64Array, await lr.predictProba(Xt), lr));
      }
      return Float64Array.from(out);
    };
    expect((await crossValidate(make, Xs, iris.y, { scoring: 'f1_macro' })).scores).toEqual(await byHand((y, p) => f1Score(y, p, { average: 'macro' })));
    expect((await crossValidate(make, Xs, iris.y, { scoring: 'f1_weighted' })).scores).toEqual(await byHand((y, p) => f1Score(y, p, { average: 'weighted' })));
    const nll = await crossValidate(make, Xs, iris.y, { scoring: 'neg_log_loss' });
    expect(nll.scores).toEqual(await byHand((y, _p, P, lr) => -logLoss(y, P, { labels: lr.classes! })));
    for (const s of nll.scores) expect(s).toBeLessThan(0);
    for (const name of ['accuracy', 'f1_micro', 'precision_macro', 'recall_macro'] as const) {
      const r = await crossValidate(make, Xs, iris.y, { scoring: name });
      for (const s of r.scores) expect(s).toBeGreaterThan(0.8);
      expectSummary(r);
    }
    // Binary: versicolor against the rest, with f1 and roc_auc (predictProba's positive column).
    const yb = iris.y.map((c) => (c === 1 ? 'versicolor' : 'other'));
    const auc = await crossValidate(make, Xs, yb, { scoring: 'roc_auc' });
    for (const s of auc.scores) expect(s).toBeGreaterThan(0.6);
    const f1 = await crossValidate(make, Xs, yb, { scoring: 'f1' });
    for (const s of f1.scores) expect(s).toBeGreaterThanOrEqual(0);
    await expectRejection(() => crossValidate(make, Xs, iris.y, { scoring: 'roc_auc' }), TypeError, 'ERR_BLASNET_TASK', /fold 0 .*'roc_auc' is for binary classifiers; predictProba gave 3 columns/);
  });

  it('regression: default r2, neg_mean_squared_error negated; a custom model without predictProba', async () => {
    class MeanModel implements CrossValidationModel {
      readonly task = 'regression' as const;
      mean = 0;
      fit(_X: Matrix, y: Float64Array) {
        this.mean = y.reduce((a, b) => a + b, 0) / y.length;
      }
      predict(X: Matrix) {
        return new Float64Array(X.rows).fill(this.mean);
      }
    }
    const X = Xs, y = iris.X.map((r) => r[3]!);  // petal width, continuous
    const folds = kFold(150, { seed: 0 });
    const r2 = await crossValidate(() => new MeanModel(), X, y);
    const mse = await crossValidate(() => new MeanModel(), X, y, { scoring: 'neg_mean_squared_error' });
    for (let f = 0; f < 5; f++) {
      const train = [...folds[f]!.train].map((i) => y[i]!), test = [...folds[f]!.test].map((i) => y[i]!);
      const m = train.reduce((a, b) => a + b, 0) / train.length;
      expect(r2.scores[f]).toBe(r2Score(test, test.map(() => m)));
      expect(mse.scores[f]).toBe(-meanSquaredError(test, test.map(() => m)));
      expect(r2.scores[f]).toBeLessThanOrEqual(0);
    }
    expectSummary(r2);
    await expectRejection(() => crossValidate(() => new MeanModel(), X, y, { scoring: 'neg_log_loss' }), TypeError, 'ERR_BLASNET_TASK', /needs model\.predictProba/);
  });

  it('a scoring function gets the fitted model and the fold\'s test part, sync or async', async () => {
    const seen: { rows: number; labels: number }[] = [];
    const r = await crossValidate(
      () => new LogisticRegression({ optimizer: 'lbfgs' }), Xs, species,
      {
        folds: 3,
        scoring: async (model, Xtest, ytest) => {
          expect(model.classes).toEqual(NAMES);
          expect(Xtest).toBeInstanceOf(Matrix);
          expect(Array.isArray(ytest)).toBe(true);
          seen.push({ rows: Xtest.rows, labels: ytest.length });
          return Xtest.rows / 100;
        },
      },
    );
    expect(seen).toEqual([{ rows: 50, labels: 50 }, { rows: 50, labels: 50 }, { rows: 50, labels: 50 }]);
    expect([...r.scores]).toEqual([0.5, 0.5, 0.5]);
    expect(r.std).toBe(0);
    const sync = await crossValidate(() => new LogisticRegression({ optimizer: 'lbfgs' }), Xs, species, { folds: 2, scoring: () => 1 });
    expect([...sync.scores]).toEqual([1, 1]);
    await expectRejection(() => crossValidate(() => new LogisticRegression({ optimizer: 'lbfgs' }), Xs, species, { scoring: (() => '1') as never }),
      TypeError, 'ERR_BLASNET_ARG_TYPE', /options\.scoring must return a number, got "1" in fold 0/);
  });

  it('records and take-objects as X reach fit as arrays of the same objects and as take results', async () => {
    const records = iris.X.map((r, i) => ({ features: r, i }));
    const got: unknown[] = [];
    const model = (): CrossValidationModel => ({
      task: 'multiclass',
      fit(X: typeof records) {
        got.push(X);
      },
      predict(X: typeof records) {
        return Float64Array.from(X, (r) => iris.y[r.i]!);
      },
    });
    const r = await crossValidate(model, records, iris.y);
    expect([...r.scores]).toEqual([1, 1, 1, 1, 1]);
    expect((got[0] as typeof records)[0]).toBe(records[(got[0] as typeof records)[0]!.i]);
    const table = { nRows: 150, take: (idx: Int32Array) => [...idx].map((i) => records[i]!) };
    expect([...(await crossValidate(model, table, iris.y)).scores]).toEqual([1, 1, 1, 1, 1]);
  });

  it('an error in a fold\'s fit rejects with its code and class, the fold in the message and the error as cause', async () => {
    const original = new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', 'options.epochs must be an integer ≥ 0, got -1');
    const failing = (failAt: number, error: unknown) => (fold: number): CrossValidationModel => ({
      task: 'multiclass',
      fit() {
        if (fold === failAt) throw error;
      },
      predict: (X: Matrix) => new Float64Array(X.rows),
    });
    const e = await crossValidate(failing(2, original), Xs, iris.y).then(() => null, (err: unknown) => err as BlasnetRangeError);
    expect(e).toBeInstanceOf(RangeError);
    expect(e!.code).toBe('ERR_BLASNET_ARG_RANGE');
    expect(e!.message).toMatch(/crossValidate: fold 2 \(folds are numbered 0 to 4\): fit failed: options\.epochs must be/);
    expect(e!.cause).toBe(original);
    const plain = new SyntaxError('boom');
    const p = await crossValidate(failing(0, plain), Xs, iris.y).then(() => null, (err: unknown) => err as Error);
    expect(p!.message).toMatch(/fold 0 .*fit failed: boom/);
    expect(p!.cause).toBe(plain);
    // A real fit error: a network whose first layer does not match X.
    await expectRejection(() => crossValidate(() => new NeuralNetwork({ layers: [3, 3] }), Xs, iris.y), RangeError, 'ERR_BLASNET_SHAPE', /fold 0 .*fit failed: .*X must have 3 columns/);
  });

  it('refuses bad arguments: unknown scoring names (listing the valid ones), options, models, targets', async () => {
    const make = () => new LogisticRegression({ optimizer: 'lbfgs' });
    await expectRejection(() => crossValidate(make, Xs, iris.y, { scoring: 'precision' as never }), RangeError, 'ERR_BLASNET_ARG_RANGE',
      /options\.scoring must be one of 'accuracy', 'f1', 'f1_macro', 'f1_micro', 'f1_weighted', 'precision_macro', 'recall_macro', 'roc_auc', 'neg_log_loss', 'r2', 'neg_mean_squared_error', 'neg_mean_absolute_error', or a function, got "precision"/);
    await expectRejection(() => crossValidate(make, Xs, iris.y, { scoring: 'balanced_accuracy' as never }), RangeError, 'ERR_BLASNET_ARG_RANGE', /no balanced accuracy/);
    await expectRejection(() => crossValidate(make, Xs, iris.y, { scoring: 3 as never }), TypeError, 'ERR_BLASNET_ARG_TYPE', /options\.scoring must be a scoring name/);
    await expectRejection(() => crossValidate(make, Xs, iris.y, { shuffle: false } as never), TypeError, 'ERR_BLASNET_ARG_TYPE', /unknown option "shuffle"/);
    await expectRejection(() => crossValidate(make, Xs, iris.y, { folds: 151 }), RangeError, 'ERR_BLASNET_ARG_RANGE', /at most the number of examples \(150\), got 151/);
    await expectRejection(() => crossValidate(make, Xs, iris.y.slice(1)), RangeError, 'ERR_BLASNET_SHAPE', /y must have one label per row of X \(150\), got 149/);
    await expectRejection(() => crossValidate(make, Xs, null as never), TypeError, 'ERR_BLASNET_ARG_TYPE', /y must be the targets/);
    await expectRejection(() => crossValidate('model' as never, Xs, iris.y), TypeError, 'ERR_BLASNET_ARG_TYPE', /makeModel must be a function/);
    await expectRejection(() => crossValidate((() => ({ fit() {} })) as never, Xs, iris.y), TypeError, 'ERR_BLASNET_ARG_TYPE', /makeModel\(0\) must return a model with fit\(X, y\) and predict\(X\)/);
    await expectRejection(() => crossValidate(make, Xs, iris.X.map((r) => r[0]!), { stratify: true }), RangeError, 'ERR_BLASNET_LABEL', /continuous value/);
  });
});
