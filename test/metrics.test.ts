// lib/metrics.ts against scikit-learn 1.2.1 (test/fixtures/sklearn/metrics.json, written by
// tools/gen_sklearn_metrics.py), plus hand-checked values, every argument error with its code,
// and that no input is modified.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  accuracyScore, confusionMatrix, f1Score, logLoss, meanAbsoluteError, meanSquaredError, precisionScore, r2Score, recallScore, rocAucScore,
} from '../lib/metrics.js';
import { Matrix } from '../lib/matrix.js';
import { expectError } from './helpers/errors.js';

type Encoded = unknown;
interface Case { name: string; fn: string; yTrue: Encoded; yPred: Encoded; options?: Record<string, Encoded>; expected: Encoded }
const fixture = JSON.parse(readFileSync(new URL('./fixtures/sklearn/metrics.json', import.meta.url), 'utf8')) as { description: string; values: Encoded[]; cases: Case[] };

/** The fixture's encoding (see tools/gen_sklearn_metrics.py): plain arrays, Float64Array, Matrix, shared values. */
function decode(v: Encoded): unknown {
  if (Array.isArray(v) || v === null || typeof v !== 'object') return v;
  const o = v as { ref?: number; f64?: number[]; matrix?: { rows: number; cols: number; data: number[] } };
  if (o.ref !== undefined) return decode(fixture.values[o.ref]);
  if (o.f64 !== undefined) return Float64Array.from(o.f64);
  if (o.matrix !== undefined) return new Matrix(o.matrix.rows, o.matrix.cols, Float64Array.from(o.matrix.data));
  return v;
}

const FNS: Record<string, (a: unknown, b: unknown, o?: unknown) => unknown> = {
  accuracyScore, precisionScore, recallScore, f1Score, confusionMatrix, logLoss, rocAucScore, r2Score, meanSquaredError, meanAbsoluteError,
} as unknown as Record<string, (a: unknown, b: unknown, o?: unknown) => unknown>;

// 1e-12 relative: blasnet does the same arithmetic as scikit-learn, in the same order within each
// example; only the order of the sums over examples differs (numpy sums pairwise, blasnet left to
// right), which moves a result by a few ulps times the number of terms, far below 1e-12 for these
// sizes. An expected 0 (zero division, a perfect score's complement) must come out exactly 0.
function close(actual: number, expected: number, what: string): void {
  expect(typeof actual, what).toBe('number');
  if (expected === 0) expect(actual, what).toBe(0);
  else expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-12 * Math.abs(expected));
}

function check(actual: unknown, expected: Encoded, what: string): void {
  if (typeof expected === 'number') {
    close(actual as number, expected, what);
    return;
  }
  const e = decode(expected);
  if (e instanceof Matrix) {
    expect(actual, what).toBeInstanceOf(Matrix);
    const a = actual as Matrix;
    expect([a.rows, a.cols], what).toEqual([e.rows, e.cols]);
    e.data.forEach((v, i) => close(a.data[i]!, v, `${what} [${i}]`));
  } else {
    expect(actual, what).toBeInstanceOf(Float64Array);
    const a = actual as Float64Array, f = e as Float64Array;
    expect(a.length, what).toBe(f.length);
    f.forEach((v, i) => close(a[i]!, v, `${what} [${i}]`));
  }
}

describe('agreement with scikit-learn 1.2.1', () => {
  it('the fixture holds every metric, with its edge cases', () => {
    expect(fixture.description).toMatch(/^scikit-learn 1\.2\.1/);
    expect(fixture.cases.length).toBe(246);
    const fns = new Set(fixture.cases.map((c) => c.fn));
    expect([...fns].sort()).toEqual(Object.keys(FNS).sort());
  });

  for (const c of fixture.cases) {
    it(`${c.fn}: ${c.name}`, () => {
      const options = c.options === undefined ? undefined : Object.fromEntries(Object.entries(c.options).map(([k, v]) => [k, decode(v)]));
      const yTrue = decode(c.yTrue), yPred = decode(c.yPred);
      const before = JSON.stringify([yTrue, yPred, options], (_, v: unknown) => (v instanceof Float64Array ? Array.from(v) : v));
      check(FNS[c.fn]!(yTrue, yPred, options), c.expected, c.name);
      // No input modified.
      expect(JSON.stringify([yTrue, yPred, options], (_, v: unknown) => (v instanceof Float64Array ? Array.from(v) : v))).toBe(before);
    });
  }
});

describe('hand-checked values', () => {
  it('precision, recall and F1 of a small multiclass example', () => {
    // true 0 0 1 1 2 2 2, predicted 0 1 1 1 2 0 2: P = [1/2, 2/3, 1], R = [1/2, 1, 2/3], F1 = [1/2, 4/5, 4/5]
    const t = [0, 0, 1, 1, 2, 2, 2], p = [0, 1, 1, 1, 2, 0, 2];
    expect(Array.from(precisionScore(t, p, { average: null }))).toEqual([1 / 2, 2 / 3, 1]);
    expect(Array.from(recallScore(t, p, { average: null }))).toEqual([1 / 2, 1, 2 / 3]);
    expect(f1Score(t, p, { average: 'macro' })).toBeCloseTo((1 / 2 + 4 / 5 + 4 / 5) / 3, 15);
    expect(f1Score(t, p, { average: 'micro' })).toBeCloseTo(5 / 7, 15);
    expect(precisionScore(t, p, { average: 'macro', labels: [2] })).toBe(1);
    const perLabel = recallScore(t, p, { average: null, labels: [2, 0, 7] });
    expect(Array.from(perLabel)).toEqual([2 / 3, 1 / 2, 0]);
  });

  it('binary defaults: the larger label is positive, or posLabel', () => {
    expect(precisionScore([1, 2, 2, 1], [2, 2, 1, 1])).toBe(0.5);
    expect(recallScore(['b', 'a', 'a'], ['a', 'a', 'b'])).toBe(0);
    expect(recallScore(['b', 'a', 'a'], ['a', 'a', 'b'], { posLabel: 'a' })).toBe(0.5);
    // A class never predicted: 0, not NaN.
    expect(precisionScore([0, 1, 1], [0, 0, 0])).toBe(0);
    expect(f1Score([0, 0], [0, 0])).toBe(0);
  });

  it('confusion matrix rows are true labels, in sorted or labels order', () => {
    expect(confusionMatrix(['b', 'a', 'b', 'c'], ['b', 'b', 'a', 'c']).toArray()).toEqual([[0, 1, 0], [1, 1, 0], [0, 0, 1]]);
    expect(confusionMatrix([0, 1, 1], [1, 1, 0], { labels: [1, 0] }).toArray()).toEqual([[1, 1], [1, 0]]);
    expect(confusionMatrix([0, 1, 1], [1, 1, 0], { sampleWeight: [2, 0.5, 1] }).toArray()).toEqual([[0, 2], [1, 0.5]]);
  });

  it('log loss clips at float64 epsilon and renormalises rows', () => {
    // p = 0 for the true class is clipped to 2^-52: −log(2^-52 / 1) = 52 log 2
    expect(logLoss([1], [0], { labels: [0, 1] })).toBeCloseTo(52 * Math.LN2, 12);
    // rows [0.2, 0.2] → [0.5, 0.5]
    expect(logLoss([0, 1], Matrix.from([[0.2, 0.2], [0.2, 0.2]]))).toBeCloseTo(Math.LN2, 15);
  });

  it('ROC AUC counts a tie between a positive and a negative as half', () => {
    expect(rocAucScore([0, 1], [0.5, 0.5])).toBe(0.5);
    expect(rocAucScore([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    expect(rocAucScore([0, 0, 1, 1], [0.1, 0.4, 0.4, 0.8])).toBe(0.875);
  });

  it('R² of constant targets is 1 when exact, 0 otherwise, whatever the rounding of their mean', () => {
    expect(r2Score([0.1, 0.1, 0.1], [0.1, 0.1, 0.1])).toBe(1);
    // scikit-learn's mean of [0.1, 0.1, 0.1] is not 0.1, which gives it about −1.7e31 here.
    expect(r2Score([0.1, 0.1, 0.1], [0.1, 0.1, 0.2])).toBe(0);
    expect(r2Score([1, 2, 3, 4], [1, 2, 2, 5])).toBeCloseTo(0.6, 15);
    expect(meanSquaredError([[1, 2], [3, 4]], [[1, 2], [3, 6]])).toBe(1);
    expect(meanAbsoluteError([1, -1], [0, 0])).toBe(1);
  });

  it('indicator matrices may be given as number[][], and n × 1 columns as labels', () => {
    expect(accuracyScore([[1, 0, 1], [0, 1, 0]], Matrix.from([[1, 0, 1], [0, 1, 1]]))).toBe(0.5);
    expect(f1Score([[1, 0], [1, 1]], [[1, 1], [1, 1]], { average: 'micro' })).toBeCloseTo(6 / 7, 15);
    expect(accuracyScore(Matrix.from([[1], [0], [1]]), [1, 1, 1])).toBeCloseTo(2 / 3, 15);
    expect(confusionMatrix([[1], [0]] as never, [1, 1]).toArray()).toEqual([[0, 1], [0, 1]]);
    expectError(() => confusionMatrix([[1, 0], [0, 1]] as never, [0, 1]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'yTrue', '2 × 2 Matrix');
  });

  it('results keep their TypeScript types', () => {
    const n: number = precisionScore([0, 1], [0, 1]);
    const m: number = f1Score([0, 1, 2], [0, 1, 2], { average: 'macro' });
    const per: Float64Array = recallScore([0, 1, 2], [0, 1, 2], { average: null });
    expect([n, m, per.length]).toEqual([1, 1, 3]);
  });
});

describe('argument errors', () => {
  it('lengths and shapes: ERR_BLASNET_SHAPE naming both arguments and lengths', () => {
    expectError(() => accuracyScore([0, 1, 1], [0, 1]), RangeError, 'ERR_BLASNET_SHAPE', 'yTrue and yPred', '3 (yTrue)', '2 (yPred)');
    expectError(() => f1Score(['a'], ['a', 'b']), RangeError, 'ERR_BLASNET_SHAPE', '1 (yTrue)', '2 (yPred)');
    expectError(() => logLoss([0, 1], [0.5]), RangeError, 'ERR_BLASNET_SHAPE', 'yTrue and yProba', '2 (yTrue)', '1 (yProba)');
    expectError(() => rocAucScore([0, 1], [0.5, 0.2, 0.1]), RangeError, 'ERR_BLASNET_SHAPE', 'yTrue and yScore');
    expectError(() => meanSquaredError([1, 2], [1]), RangeError, 'ERR_BLASNET_SHAPE', '2 (yTrue)', '1 (yPred)');
    expectError(() => r2Score(Matrix.from([[1, 2], [3, 4]]), Matrix.from([[1], [3]])), RangeError, 'ERR_BLASNET_SHAPE', 'outputs', '2 (yTrue)', '1 (yPred)');
    expectError(() => accuracyScore(Matrix.from([[1, 0], [0, 1]]), [0, 1]), RangeError, 'ERR_BLASNET_SHAPE', 'yTrue is a multi-label indicator Matrix but yPred is not');
    expectError(() => accuracyScore(Matrix.from([[1, 0]]), Matrix.from([[1, 0, 1]])), RangeError, 'ERR_BLASNET_SHAPE', '1 × 2 (yTrue)', '1 × 3 (yPred)');
    expectError(() => accuracyScore([], []), RangeError, 'ERR_BLASNET_SHAPE', 'yTrue');
    expectError(() => r2Score([1], [1]), RangeError, 'ERR_BLASNET_SHAPE', 'at least two examples', 'got 1');
    expectError(() => logLoss([0, 1, 2], Matrix.from([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]])), RangeError, 'ERR_BLASNET_SHAPE', 'one column per class (3', 'got 2 columns', 'options.labels');
    expectError(() => rocAucScore([0, 1, 2], [0.5, 0.5, 0.5]), RangeError, 'ERR_BLASNET_SHAPE', 'n × 3 Matrix', 'got a vector');
  });

  it('non-finite numbers: ERR_BLASNET_NOT_FINITE', () => {
    expectError(() => accuracyScore([0, NaN], [0, 1]), RangeError, 'ERR_BLASNET_NOT_FINITE', 'yTrue[1]', 'NaN');
    expectError(() => meanSquaredError([0, 1], [0, Infinity]), RangeError, 'ERR_BLASNET_NOT_FINITE', 'yPred[1]', 'Infinity');
    expectError(() => r2Score(Matrix.from([[1, 2], [3, NaN]]), Matrix.from([[1, 2], [3, 4]])), RangeError, 'ERR_BLASNET_NOT_FINITE', 'yTrue', 'row 1, column 1');
    expectError(() => rocAucScore([0, 1], [0.5, NaN]), RangeError, 'ERR_BLASNET_NOT_FINITE', 'yScore[1]');
    expectError(() => logLoss([0, 1], [0.5, 0.5], { sampleWeight: [1, NaN] }), RangeError, 'ERR_BLASNET_NOT_FINITE', 'options.sampleWeight[1]');
  });

  it('probabilities outside [0, 1], rows not summing to 1 for multiclass ROC AUC: ERR_BLASNET_ARG_RANGE', () => {
    expectError(() => logLoss([0, 1], [0.5, 1.5]), RangeError, 'ERR_BLASNET_ARG_RANGE', 'yProba', '[0, 1]', '1.5', 'row 1');
    expectError(() => logLoss([0, 1], Matrix.from([[0.5, 0.5], [-0.1, 1.1]])), RangeError, 'ERR_BLASNET_ARG_RANGE', '-0.1', 'row 1, column 0');
    expectError(() => rocAucScore([0, 1, 2], Matrix.from([[0.5, 0.5, 0], [0.2, 0.2, 0.2], [0, 0, 1]])), RangeError, 'ERR_BLASNET_ARG_RANGE', 'summing to 1', 'row 1');
  });

  it('more than two labels without average: ERR_BLASNET_ARG_RANGE listing the choices', () => {
    for (const f of [precisionScore, recallScore, f1Score]) {
      expectError(() => f([0, 1, 2], [0, 1, 1]), RangeError, 'ERR_BLASNET_ARG_RANGE', '3 labels', "'macro', 'micro', 'weighted' or null");
      expectError(() => f([0, 1, 2], [0, 1, 1], { average: 'binary' }), RangeError, 'ERR_BLASNET_ARG_RANGE', "average 'binary'", "'macro'");
      expectError(() => f(Matrix.from([[1, 0], [0, 1]]), Matrix.from([[1, 0], [0, 1]])), RangeError, 'ERR_BLASNET_ARG_RANGE', 'multi-label', "'macro'");
      expectError(() => f(Matrix.from([[1, 0], [0, 1]]), Matrix.from([[1, 0], [0, 1]]), { average: 'binary' }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'multi-label');
    }
    expectError(() => precisionScore([0, 1], [0, 1], { average: 'samples' as never }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.average', '"samples"');
    expectError(() => precisionScore([0, 1, 2], [0, 1, 2], { average: 'macro', posLabel: 1 }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'posLabel', "only with average 'binary'");
  });

  it('labels: ERR_BLASNET_LABEL for an unknown posLabel, mixed types, labels of another kind, one class', () => {
    expectError(() => precisionScore([0, 1], [0, 1], { posLabel: 2 }), RangeError, 'ERR_BLASNET_LABEL', 'posLabel', '[0, 1]', 'got 2');
    expectError(() => precisionScore(['a', 'b'], ['a', 'b'], { posLabel: 1 }), RangeError, 'ERR_BLASNET_LABEL', 'posLabel');
    expectError(() => precisionScore(['a', 'a'], ['a', 'a']), RangeError, 'ERR_BLASNET_LABEL', 'posLabel');
    expectError(() => accuracyScore([0, 1], ['0', '1']), RangeError, 'ERR_BLASNET_LABEL', 'yTrue and yPred', 'numbers in yTrue', 'strings in yPred');
    expectError(() => accuracyScore([0, '1'], [0, 1]), RangeError, 'ERR_BLASNET_LABEL', 'mixes label types');
    expectError(() => f1Score([0, 1, 2], [0, 1, 2], { average: 'macro', labels: ['a'] }), RangeError, 'ERR_BLASNET_LABEL', 'options.labels');
    expectError(() => f1Score([0, 1, 2], [0, 1, 2], { average: 'macro', labels: [1, 1] }), RangeError, 'ERR_BLASNET_LABEL', 'repeat');
    expectError(() => confusionMatrix([0, 1], [0, 1], { labels: [5, 6] }), RangeError, 'ERR_BLASNET_LABEL', 'at least one label of yTrue');
    expectError(() => rocAucScore([1, 1, 1], [0.2, 0.5, 0.9]), RangeError, 'ERR_BLASNET_LABEL', 'ROC AUC is undefined with one class');
    expectError(() => rocAucScore([0, 1, 1], Matrix.from([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]]), { labels: [0, 1, 2] }), RangeError, 'ERR_BLASNET_LABEL', 'undefined with one class', 'class [2]');
    expectError(() => rocAucScore([0, 1, 2], Matrix.from([[1, 0, 0], [0, 1, 0], [0, 0, 1]]), { labels: [0, 2, 1] }), RangeError, 'ERR_BLASNET_LABEL', 'sorted order');
    expectError(() => logLoss([1, 1], [0.2, 0.3]), RangeError, 'ERR_BLASNET_LABEL', 'yTrue holds one label', 'options.labels');
    expectError(() => logLoss([0, 2], [0.2, 0.3], { labels: [0, 1] }), RangeError, 'ERR_BLASNET_LABEL', 'yTrue[1] = 2', '[0, 1]');
    expectError(() => logLoss(['x', 'y'], [0.2, 0.3], { labels: ['y', 'x'] }), RangeError, 'ERR_BLASNET_LABEL', 'sorted order');
    expectError(() => accuracyScore(Matrix.from([[1, 2]]), Matrix.from([[1, 0]])), RangeError, 'ERR_BLASNET_LABEL', '0s and 1s', 'got 2 at row 0, column 1');
    expectError(() => f1Score(Matrix.from([[1, 0]]), Matrix.from([[1, 0]]), { average: 'macro', labels: [2] }), RangeError, 'ERR_BLASNET_LABEL', 'column index', '[0, 2)');
  });

  it('types and options: ERR_BLASNET_ARG_TYPE, including unknown option keys', () => {
    expectError(() => accuracyScore('01' as never, [0, 1]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'yTrue', '"01"');
    expectError(() => meanSquaredError([1, '2'] as never, [1, 2]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'yTrue[1]', '"2"');
    expectError(() => accuracyScore([0, 1], [0, 1], { normalize: false } as never), TypeError, 'ERR_BLASNET_ARG_TYPE', 'unknown option "normalize"');
    expectError(() => f1Score([0, 1], [0, 1], { pos_label: 1 } as never), TypeError, 'ERR_BLASNET_ARG_TYPE', '"pos_label"');
    expectError(() => r2Score([0, 1], [0, 1], 'x' as never), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options');
    expectError(() => confusionMatrix(Matrix.from([[1, 0], [0, 1]]) as never, [0, 1]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'confusionMatrix', '2 × 2 Matrix');
    expectError(() => rocAucScore([0, 1], [0.1, 0.9], { average: null } as never), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.average');
    expectError(() => precisionScore([0, 1], [0, 1], { posLabel: {} as never }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'posLabel');
  });

  it('sample weights: length, sign, all zero, type', () => {
    expectError(() => accuracyScore([0, 1], [0, 1], { sampleWeight: [1] }), RangeError, 'ERR_BLASNET_SHAPE', 'options.sampleWeight', '(2)', 'got 1');
    expectError(() => accuracyScore([0, 1], [0, 1], { sampleWeight: [1, -1] }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.sampleWeight[1]', '≥ 0');
    expectError(() => accuracyScore([0, 1], [0, 1], { sampleWeight: [0, 0] }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'at least one weight > 0');
    expectError(() => accuracyScore([0, 1], [0, 1], { sampleWeight: 'x' as never }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.sampleWeight');
    const w = new Float64Array([1, 1]);
    structuredClone(w.buffer, { transfer: [w.buffer] });
    expectError(() => accuracyScore([0, 1], [0, 1], { sampleWeight: w }), TypeError, 'ERR_BLASNET_DETACHED', 'options.sampleWeight');
  });
});
