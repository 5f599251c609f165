// Evaluation metrics with scikit-learn 1.2's definitions and edge cases: accuracy, precision,
// recall, F1, the confusion matrix, log loss and ROC AUC for classifiers; R², MSE and MAE for
// regression. Pure functions of targets and predictions: they never fit, predict, print or read
// files, and never modify their inputs.
import { BlasnetRangeError, BlasnetTypeError, describe } from './errors.js';
import {
  indexScanned, listClasses, scanLabels, uniqueOfScanned, compareCodePoints,
  type Classes, type Label, type LabelsInput, type ScannedLabels,
} from './labels.js';
import { Matrix } from './matrix.js';
import { checkKnownKeys, checkOptionsObject, isDetached, toMatrix } from './validate.js';

/**
 * How precision, recall and F1 combine the classes:
 * - `'binary'`: the positive class only (two labels at most);
 * - `'macro'`: the unweighted mean over classes;
 * - `'micro'`: from the counts summed over classes;
 * - `'weighted'`: the mean weighted by each class's support (true examples);
 * - `null`: no average, one value per class.
 * @example
 * f1Score(['a', 'b', 'c', 'a'], ['a', 'c', 'c', 'b'], { average: 'macro' });
 */
export type Average = 'binary' | 'macro' | 'micro' | 'weighted' | null;

/**
 * Multi-label targets: an n × k Matrix (or number[][]) of 0s and 1s, k ≥ 2, entry (i, j) saying
 * whether example i has label j.
 * @example
 * accuracyScore(Matrix.from([[1, 0, 1], [0, 1, 0]]), [[1, 0, 1], [0, 1, 1]]);   // 0.5
 */
export type IndicatorInput = Matrix | readonly (readonly number[])[];

/**
 * Per-example weights: a Float64Array or number[] with one finite weight ≥ 0 per example, at least
 * one of them > 0.
 * @example
 * accuracyScore([0, 1, 1], [0, 1, 0], { sampleWeight: [1, 1, 2] });   // 0.5
 */
export type SampleWeight = Float64Array | readonly number[];

/**
 * Options of {@link precisionScore}, {@link recallScore} and {@link f1Score}.
 * @example
 * const o: ClassificationScoreOptions = { average: 'weighted', labels: ['cat', 'dog'] };
 */
export interface ClassificationScoreOptions {
  /**
   * How to combine the classes ({@link Average}). Default `'binary'` when there are at most two
   * labels; required with more (and with multi-label indicator matrices).
   */
  average?: Average;
  /**
   * The labels to score and their order (per-class results follow it): they may include labels that
   * never occur and leave out some that do. Default: the sorted labels of yTrue and yPred. For
   * indicator matrices, column indices. Ignored by `'binary'`, which scores the positive class.
   */
  labels?: LabelsInput;
  /**
   * The positive class for `average: 'binary'`. Default: the larger of the two labels (the last in
   * sorted order); with one label present, 1 for numbers and `true` for booleans, as scikit-learn's
   * `pos_label=1`.
   */
  posLabel?: Label;
  /** Per-example weights ({@link SampleWeight}). */
  sampleWeight?: SampleWeight;
}

/**
 * What precision, recall and F1 return for these options: a Float64Array of per-class values for
 * `average: null`, a number otherwise.
 * @example
 * const perClass: ScoreResult<{ average: null }> = f1Score([0, 1, 2], [0, 2, 2], { average: null });   // Float64Array
 */
export type ScoreResult<O> = O extends Record<'average', null>
  ? Float64Array
  : 'average' extends keyof O
    ? null extends O['average' & keyof O] ? number | Float64Array : number
    : number;

/**
 * Options of {@link accuracyScore}.
 * @example
 * accuracyScore([1, 0], [1, 1], { sampleWeight: [3, 1] });   // 0.75
 */
export interface AccuracyOptions {
  /** Per-example weights ({@link SampleWeight}). */
  sampleWeight?: SampleWeight;
}

/**
 * Options of {@link confusionMatrix}.
 * @example
 * confusionMatrix(['b', 'a'], ['a', 'a'], { labels: ['b', 'a'] });
 */
export interface ConfusionMatrixOptions {
  /**
   * The rows' and columns' labels, in this order; examples whose true or predicted label is not
   * among them are left out. Default: the sorted labels of yTrue and yPred.
   */
  labels?: LabelsInput;
  /** Per-example weights ({@link SampleWeight}): the cells sum weights instead of counting. */
  sampleWeight?: SampleWeight;
}

/**
 * Options of {@link logLoss}.
 * @example
 * logLoss([1, 1], [0.9, 0.8], { labels: [0, 1] });
 */
export interface LogLossOptions {
  /**
   * All the classes, in sorted order (the columns of yProba follow it). Needed when yTrue holds
   * fewer labels than yProba has columns, e.g. a single label.
   */
  labels?: LabelsInput;
  /** Per-example weights ({@link SampleWeight}). */
  sampleWeight?: SampleWeight;
}

/**
 * Options of {@link rocAucScore}.
 * @example
 * rocAucScore(['a', 'b', 'c'], Matrix.from([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.3, 0.3, 0.4]]), { average: 'weighted' });
 */
export interface RocAucOptions {
  /**
   * Multiclass (one-vs-rest) only: `'macro'` (default) averages the classes' AUCs, `'weighted'`
   * weighs them by support, `'micro'` scores all (example, class) pairs as one binary problem.
   * Binary problems have one AUC, whatever this says.
   */
  average?: 'macro' | 'weighted' | 'micro';
  /** The classes, in sorted order (the columns of yScore follow it). Default: the labels of yTrue. */
  labels?: LabelsInput;
  /** Per-example weights ({@link SampleWeight}). */
  sampleWeight?: SampleWeight;
}

/**
 * Options of {@link r2Score}, {@link meanSquaredError} and {@link meanAbsoluteError}.
 * @example
 * meanSquaredError([1, 2], [1, 4], { sampleWeight: [1, 3] });   // 3
 */
export interface RegressionMetricOptions {
  /** Per-example weights ({@link SampleWeight}). */
  sampleWeight?: SampleWeight;
}

/**
 * Numbers per example: a vector (one value each) or a Matrix / number[][] (a row each): regression
 * targets and predictions, probabilities, scores.
 * @example
 * const v: ValuesInput = Matrix.from([[0.2, 0.8], [0.6, 0.4]]);   // or new Float64Array([0.8, 0.4]), [0.8, 0.4]
 */
export type ValuesInput = Float64Array | readonly number[] | Matrix | readonly (readonly number[])[];

// ---------------------------------------------------------------------------------------------
// Input checks

function readOptions(options: unknown, known: readonly string[]): Record<string, unknown> {
  const o = checkOptionsObject(options, 'options');
  checkKnownKeys(o, 'options', known);
  return o;
}

function checkLengths(a: string, na: number, b: string, nb: number): void {
  if (na !== nb) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${a} and ${b} must have the same length, got ${na} (${a}) and ${nb} (${b})`);
}

function readWeights(value: unknown, n: number): Float64Array | null {
  if (value === undefined) return null;
  const name = 'options.sampleWeight';
  if (value instanceof Float64Array) {
    if (isDetached(value.buffer)) {
      throw new BlasnetTypeError('ERR_BLASNET_DETACHED', `${name} is backed by a detached ArrayBuffer (was it transferred to a worker?); expected a live buffer`);
    }
  } else if (!Array.isArray(value)) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a Float64Array or number[] of weights, got ${describe(value)}`);
  }
  const src = value as ArrayLike<unknown>;
  if (src.length !== n) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must have one weight per example (${n}), got ${src.length}`);
  const w = new Float64Array(n);
  let positive = false;
  for (let i = 0; i < n; i++) {
    const v = src[i];
    if (typeof v !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name}[${i}] must be a number, got ${describe(v)}`);
    if (!Number.isFinite(v)) throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${name}[${i}] must be a finite number, got ${describe(v)}`);
    if (v < 0) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `${name}[${i}] must be ≥ 0, got ${v}`);
    if (v > 0) positive = true;
    w[i] = v;
  }
  if (!positive) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `${name} must have at least one weight > 0, got all ${n} zero`);
  return w;
}

/** A Float64Array or number[] of finite numbers, or a Matrix / number[][] of them, as an n × k Matrix. */
function readValues(value: unknown, name: string): Matrix {
  if (isRows(value)) {
    return toMatrix(value, name);
  }
  if (value instanceof Float64Array) {
    if (isDetached(value.buffer)) {
      throw new BlasnetTypeError('ERR_BLASNET_DETACHED', `${name} is backed by a detached ArrayBuffer (was it transferred to a worker?); expected a live buffer`);
    }
  } else if (!Array.isArray(value)) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a Float64Array, a number[] or a Matrix, got ${describe(value)}`);
  }
  const src = value as ArrayLike<unknown>;
  if (src.length === 0) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must have at least one value, got an empty array`);
  const data = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (typeof v !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name}[${i}] must be a number, got ${describe(v)}`);
    if (!Number.isFinite(v)) throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${name}[${i}] must be a finite number, got ${describe(v)}`);
    data[i] = v;
  }
  return new Matrix(src.length, 1, data);
}

/** Classification targets: label vectors, or multi-label 0/1 indicator matrices (n × k, k ≥ 2). */
type ClassTargets =
  | { kind: 'labels'; yt: ScannedLabels; yp: ScannedLabels; n: number }
  | { kind: 'indicator'; yt: Matrix; yp: Matrix; n: number };

/** A Matrix or an array of rows (number[][]). */
function isRows(v: unknown): boolean {
  return v instanceof Matrix || (Array.isArray(v) && v.length > 0 && (Array.isArray(v[0]) || ArrayBuffer.isView(v[0])));
}

function isIndicator(v: unknown): boolean {
  if (v instanceof Matrix) return v.cols > 1;
  return isRows(v) && (v as ArrayLike<unknown>[])[0]!.length > 1;
}


/** The true labels, the n × k scores (probabilities) and the weights of logLoss / rocAucScore, checked against each other. */
function readScored(yTrue: unknown, scores: unknown, scoresName: string, fn: string, sampleWeight: unknown): { yt: ScannedLabels; S: Matrix; n: number; w: Float64Array | null } {
  rejectIndicator(yTrue, 'yTrue', fn);
  const yt = scanLabelsOrColumn(yTrue, 'yTrue');
  const S = readValues(scores, scoresName);
  const n = yt.values.length;
  checkLengths('yTrue', n, scoresName, S.rows);
  return { yt, S, n, w: readWeights(sampleWeight, n) };
}

/** An n × 1 Matrix is a column of number labels; wider ones are indicator matrices. */
function scanLabelsOrColumn(v: unknown, name: string): ScannedLabels {
  return scanLabels(isRows(v) ? toMatrix(v, name).data : v, name);
}

function checkIndicator(M: Matrix, name: string): void {
  for (let i = 0; i < M.data.length; i++) {
    const v = M.data[i]!;
    if (v !== 0 && v !== 1) {
      throw new BlasnetRangeError('ERR_BLASNET_LABEL', `${name} must be a multi-label indicator matrix of 0s and 1s, got ${v} at row ${Math.floor(i / M.cols)}, column ${i % M.cols}`);
    }
  }
}

function rejectIndicator(v: unknown, name: string, what: string): void {
  if (isIndicator(v)) {
    const M = toMatrix(v, name);
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be labels (a Float64Array or an array) for ${what}, got a ${M.rows} × ${M.cols} Matrix (multi-label indicators are not supported here)`);
  }
}

function readLabelPair(yTrue: unknown, yPred: unknown): { yt: ScannedLabels; yp: ScannedLabels; n: number } {
  const yt = scanLabelsOrColumn(yTrue, 'yTrue'), yp = scanLabelsOrColumn(yPred, 'yPred');
  checkLengths('yTrue', yt.values.length, 'yPred', yp.values.length);
  uniqueOfScanned([yt, yp]); // one kind
  return { yt, yp, n: yt.values.length };
}

function readClassTargets(yTrue: unknown, yPred: unknown): ClassTargets {
  const it = isIndicator(yTrue), ip = isIndicator(yPred);
  if (!it && !ip) return { kind: 'labels', ...readLabelPair(yTrue, yPred) };
  if (!(it && ip)) {
    const [mat, other] = it ? ['yTrue', 'yPred'] : ['yPred', 'yTrue'];
    throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${mat} is a multi-label indicator Matrix but ${other} is not: both must be n × k indicator matrices, or both label vectors`);
  }
  const yt = toMatrix(yTrue, 'yTrue'), yp = toMatrix(yPred, 'yPred');
  if (yt.rows !== yp.rows || yt.cols !== yp.cols) {
    throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `yTrue and yPred must have the same shape, got ${yt.rows} × ${yt.cols} (yTrue) and ${yp.rows} × ${yp.cols} (yPred)`);
  }
  checkIndicator(yt, 'yTrue');
  checkIndicator(yp, 'yPred');
  return { kind: 'indicator', yt, yp, n: yt.rows };
}

function readLabelsOption(value: unknown, sorted: boolean, why = ''): ScannedLabels {
  const s = scanLabels(value, 'options.labels');
  const v = s.values as ArrayLike<Label>;
  for (let i = 1; sorted && i < v.length; i++) {
    const a = v[i - 1]!, b = v[i]!;
    if (!(typeof a === 'string' ? compareCodePoints(a, b as string) < 0 : a < b)) {
      throw new BlasnetRangeError('ERR_BLASNET_LABEL', `options.labels must be distinct labels in sorted order${why}, got ${listClasses(Array.from(v))}`);
    }
  }
  if (!sorted && new Set(Array.from(v)).size !== v.length) {
    throw new BlasnetRangeError('ERR_BLASNET_LABEL', `options.labels must not repeat a label, got ${listClasses(Array.from(v))}`);
  }
  return s;
}

function asClasses(s: ScannedLabels): Classes {
  return Array.from(s.values as ArrayLike<Label>) as Classes;
}

/** Column indices of an indicator matrix, for `labels` with multi-label targets. */
function readColumnLabels(value: unknown, k: number): Int32Array {
  const s = readLabelsOption(value, false);
  if (s.kind !== 'number') throw new BlasnetRangeError('ERR_BLASNET_LABEL', `options.labels must be column indices with indicator matrices, got ${s.kind} labels`);
  const out = new Int32Array(s.values.length);
  for (let i = 0; i < out.length; i++) {
    const c = s.values[i] as number;
    if (!Number.isInteger(c) || c < 0 || c >= k) {
      throw new BlasnetRangeError('ERR_BLASNET_LABEL', `options.labels[${i}] must be a column index, an integer in [0, ${k}), got ${c}`);
    }
    out[i] = c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sums. Plain left-to-right sums (numpy uses pairwise ones: results differ in the last bits only).

function weightedMean(values: ArrayLike<number>, w: Float64Array | null): number {
  const n = values.length;
  let s = 0;
  if (w === null) {
    for (let i = 0; i < n; i++) s += values[i]!;
    return s / n;
  }
  let sw = 0;
  for (let i = 0; i < n; i++) {
    s += values[i]! * w[i]!;
    sw += w[i]!;
  }
  return s / sw;
}

// ---------------------------------------------------------------------------------------------
// Accuracy and the confusion matrix

/**
 * The fraction of examples whose prediction equals the truth (weighted by `sampleWeight`). With two
 * n × k multi-label indicator matrices (k ≥ 2), the subset accuracy: an example counts only when
 * all k entries match.
 * @param yTrue - the true labels (Float64Array, number[], string[], boolean[]), or an n × k 0/1 indicator Matrix (or number[][])
 * @param yPred - the predicted labels, of the same kind and length (or shape)
 * @param options - `sampleWeight`
 * @returns the accuracy, in [0, 1]
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE for inputs that are not label arrays or matrices, or an
 *   unknown option; ERR_BLASNET_DETACHED for a detached buffer
 * @throws {@link BlasnetRangeError} ERR_BLASNET_SHAPE when the lengths (or shapes) differ or an input is empty;
 *   ERR_BLASNET_LABEL for mixed label types or non-0/1 indicator entries; ERR_BLASNET_NOT_FINITE for a NaN
 *   label; ERR_BLASNET_ARG_RANGE for negative or all-zero weights
 * @example
 * accuracyScore([0, 1, 2, 2], [0, 2, 2, 2]);                          // 0.75
 * accuracyScore(['a', 'b'], ['a', 'a']);                              // 0.5
 * accuracyScore(Matrix.from([[1, 0], [1, 1]]), Matrix.from([[1, 0], [0, 1]]));   // 0.5
 */
export function accuracyScore(yTrue: LabelsInput | IndicatorInput, yPred: LabelsInput | IndicatorInput, options?: AccuracyOptions): number {
  const o = readOptions(options, ['sampleWeight']);
  const t = readClassTargets(yTrue, yPred);
  const w = readWeights(o.sampleWeight, t.n);
  const hit = new Float64Array(t.n);
  if (t.kind === 'labels') {
    const a = t.yt.values, b = t.yp.values;
    for (let i = 0; i < t.n; i++) hit[i] = a[i] === b[i] ? 1 : 0;
  } else {
    const k = t.yt.cols, a = t.yt.data, b = t.yp.data;
    for (let i = 0; i < t.n; i++) {
      let all = 1;
      for (let j = i * k; j < (i + 1) * k; j++) if (a[j] !== b[j]) all = 0;
      hit[i] = all;
    }
  }
  return weightedMean(hit, w);
}

/**
 * The confusion matrix: entry (i, j) counts the examples whose true label is class i and whose
 * predicted label is class j (or sums their weights).
 * @param yTrue - the true labels (Float64Array, number[], string[] or boolean[])
 * @param yPred - the predicted labels, of the same kind and length
 * @param options - `labels`: the classes of the rows and columns, in this order (default: the sorted labels
 *   of both); `sampleWeight`
 * @returns a k × k Matrix, rows the true classes and columns the predicted ones
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE for inputs that are not label arrays (indicator matrices
 *   included), or an unknown option; ERR_BLASNET_DETACHED for a detached buffer
 * @throws {@link BlasnetRangeError} ERR_BLASNET_SHAPE when the lengths differ or an input is empty;
 *   ERR_BLASNET_LABEL for mixed label types, `labels` of another kind, with a repeat, or with no label of yTrue;
 *   ERR_BLASNET_NOT_FINITE for a NaN label; ERR_BLASNET_ARG_RANGE for negative or all-zero weights
 * @example
 * confusionMatrix(['cat', 'dog', 'dog'], ['cat', 'cat', 'dog']).toArray();   // [[1, 0], [1, 1]]
 */
export function confusionMatrix(yTrue: LabelsInput, yPred: LabelsInput, options?: ConfusionMatrixOptions): Matrix {
  const o = readOptions(options, ['labels', 'sampleWeight']);
  rejectIndicator(yTrue, 'yTrue', 'confusionMatrix');
  rejectIndicator(yPred, 'yPred', 'confusionMatrix');
  const t = readLabelPair(yTrue, yPred);
  const w = readWeights(o.sampleWeight, t.n);
  let classes: Classes;
  if (o.labels === undefined) {
    classes = uniqueOfScanned([t.yt, t.yp]);
  } else {
    const l = readLabelsOption(o.labels, false);
    uniqueOfScanned([t.yt, l]); // one kind
    classes = asClasses(l);
  }
  const ti = indexScanned(t.yt, classes, -1), pi = indexScanned(t.yp, classes, -1);
  if (o.labels !== undefined && !ti.some((c) => c >= 0)) {
    throw new BlasnetRangeError('ERR_BLASNET_LABEL', `options.labels must include at least one label of yTrue, got ${listClasses(classes)}`);
  }
  const k = classes.length;
  const C = new Matrix(k, k);
  for (let i = 0; i < t.n; i++) {
    if (ti[i]! >= 0 && pi[i]! >= 0) C.data[ti[i]! * k + pi[i]!] += w === null ? 1 : w[i]!;
  }
  return C;
}

// ---------------------------------------------------------------------------------------------
// Precision, recall, F1

const AVERAGES = ['binary', 'macro', 'micro', 'weighted', null] as const;
const AVERAGE_LIST = `'binary', 'macro', 'micro', 'weighted' or null (one value per class)`;

interface Counts {
  tp: Float64Array;
  pred: Float64Array;
  truth: Float64Array;
  average: Average;
}

function readAverage(value: unknown): Average | undefined {
  if (value === undefined) return undefined;
  if (!(AVERAGES as readonly unknown[]).includes(value)) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.average must be one of ${AVERAGE_LIST}, got ${describe(value)}`);
  }
  return value as Average;
}

/** The positive class of a binary score, as the ClassificationScoreOptions docs say. */
function positiveLabel(o: Record<string, unknown>, present: Classes, base: Classes): Label {
  const p = o.posLabel;
  if (p !== undefined) {
    if (typeof p !== 'number' && typeof p !== 'string' && typeof p !== 'boolean') {
      throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.posLabel must be a label (a number, string or boolean), got ${describe(p)}`);
    }
    const kind = typeof present[0];
    if (typeof p !== kind || (present.length === 2 && !(present as Label[]).includes(p))) {
      throw new BlasnetRangeError('ERR_BLASNET_LABEL', `options.posLabel must be one of the labels ${listClasses(present)}, got ${describe(p)}`);
    }
    return typeof p === 'number' ? p + 0 : p;
  }
  if (base.length === 2) return base[1]!;
  if (typeof base[0] === 'number') return 1;
  if (typeof base[0] === 'boolean') return true;
  throw new BlasnetRangeError('ERR_BLASNET_LABEL', `yTrue and yPred hold one label (${listClasses(present)}): say which class is positive with options.posLabel`);
}

function countsFor(yTrue: unknown, yPred: unknown, options: unknown): Counts {
  const o = readOptions(options, ['average', 'labels', 'posLabel', 'sampleWeight']);
  const t = readClassTargets(yTrue, yPred);
  let average = readAverage(o.average);
  const w = readWeights(o.sampleWeight, t.n);
  const weight = (i: number): number => (w === null ? 1 : w[i]!);

  if (t.kind === 'indicator') {
    if (average === undefined || average === 'binary') {
      throw new BlasnetRangeError(
        'ERR_BLASNET_ARG_RANGE',
        `yTrue and yPred are multi-label indicator matrices: options.average must be 'macro', 'micro', 'weighted' or null (one value per class), got ${describe(average)}`,
      );
    }
    if (o.posLabel !== undefined) throw posLabelUnused(average);
    const k = t.yt.cols;
    const cols = o.labels === undefined ? Int32Array.from({ length: k }, (_, j) => j) : readColumnLabels(o.labels, k);
    const m = cols.length;
    const tp = new Float64Array(m), pred = new Float64Array(m), truth = new Float64Array(m);
    for (let i = 0; i < t.n; i++) {
      const wi = weight(i);
      for (let c = 0; c < m; c++) {
        const a = t.yt.data[i * k + cols[c]!]!, b = t.yp.data[i * k + cols[c]!]!;
        if (a === 1 && b === 1) tp[c] += wi;
        if (b === 1) pred[c] += wi;
        if (a === 1) truth[c] += wi;
      }
    }
    return { tp, pred, truth, average };
  }

  const present = uniqueOfScanned([t.yt, t.yp]);
  let labels: ScannedLabels | null = null;
  if (o.labels !== undefined) {
    labels = readLabelsOption(o.labels, false);
    uniqueOfScanned([t.yt, labels]); // one kind
  }
  if (average === undefined) {
    if (present.length > 2 || (labels !== null && labels.values.length > 2)) {
      const n = Math.max(present.length, labels?.values.length ?? 0);
      throw new BlasnetRangeError(
        'ERR_BLASNET_ARG_RANGE',
        `yTrue and yPred hold ${n} labels (${listClasses(labels === null ? present : asClasses(labels))}), more than two: options.average must say how to combine the classes: 'macro', 'micro', 'weighted' or null (one value per class)`,
      );
    }
    average = 'binary';
  }
  let classes: Classes;
  if (average === 'binary') {
    if (present.length > 2) {
      throw new BlasnetRangeError(
        'ERR_BLASNET_ARG_RANGE',
        `average 'binary' needs at most two labels, but yTrue and yPred hold ${present.length} (${listClasses(present)}): choose 'macro', 'micro', 'weighted' or null (one value per class)`,
      );
    }
    classes = [positiveLabel(o, present, labels === null ? present : asClasses(labels))] as Classes;
  } else {
    if (o.posLabel !== undefined) throw posLabelUnused(average);
    classes = labels === null ? present : asClasses(labels);
  }
  const ti = indexScanned(t.yt, classes, -1), pi = indexScanned(t.yp, classes, -1);
  const m = classes.length;
  const tp = new Float64Array(m), pred = new Float64Array(m), truth = new Float64Array(m);
  for (let i = 0; i < t.n; i++) {
    const wi = weight(i), a = ti[i]!, b = pi[i]!;
    if (a >= 0 && a === b) tp[a] += wi;
    if (b >= 0) pred[b] += wi;
    if (a >= 0) truth[a] += wi;
  }
  return { tp, pred, truth, average };
}

function posLabelUnused(average: Average): BlasnetRangeError {
  return new BlasnetRangeError(
    'ERR_BLASNET_ARG_RANGE',
    `options.posLabel is used only with average 'binary', got average ${average === null ? 'null' : `'${average}'`}; to score one class, pass labels: [posLabel]`,
  );
}

/** 0 when the denominator is 0 (scikit-learn's zero_division default). */
function divide(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

type Which = 'precision' | 'recall' | 'f1';

function score(c: Counts, which: Which): number | Float64Array {
  let { tp, pred, truth } = c;
  if (c.average === 'micro') {
    const sum = (a: Float64Array) => new Float64Array([a.reduce((s, v) => s + v, 0)]);
    tp = sum(tp);
    pred = sum(pred);
    truth = sum(truth);
  }
  const m = tp.length;
  const per = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const p = divide(tp[j]!, pred[j]!), r = divide(tp[j]!, truth[j]!);
    if (which === 'precision') per[j] = p;
    else if (which === 'recall') per[j] = r;
    else per[j] = p + r === 0 ? 0 : (2 * p * r) / (p + r);
  }
  if (c.average === null) return per;
  if (c.average === 'weighted') {
    let total = 0;
    for (let j = 0; j < m; j++) total += truth[j]!;
    // No true example of any scored class: every score is ill-defined, and zero_division makes it 0.
    if (total === 0) return 0;
    return weightedMean(per, truth);
  }
  return weightedMean(per, null);
}

/**
 * Precision, tp / (tp + fp): of the examples predicted as a class, the fraction that truly are. A
 * class never predicted scores 0 (scikit-learn's default `zero_division`, without its warning).
 * @param yTrue - the true labels (Float64Array, number[], string[], boolean[]), or an n × k 0/1 indicator Matrix (or number[][])
 * @param yPred - the predicted labels, of the same kind and length (or shape)
 * @param options - `average` ({@link Average}; default `'binary'` for at most two labels), `labels`,
 *   `posLabel`, `sampleWeight` (see {@link ClassificationScoreOptions})
 * @returns the score, or a Float64Array of per-class scores (in `labels` order, else sorted label
 *   order) for `average: null`
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE for inputs that are not label arrays or matrices, an
 *   unknown option or an `average` that is not one of the five; ERR_BLASNET_DETACHED for a detached buffer
 * @throws {@link BlasnetRangeError} ERR_BLASNET_ARG_RANGE when `average` is needed (more than two labels,
 *   indicator matrices) but missing or `'binary'`, when `posLabel` is given with another average, or for bad
 *   weights; ERR_BLASNET_LABEL for mixed label types, a `posLabel` that is not one of the labels, or bad
 *   `labels`; ERR_BLASNET_SHAPE when the lengths differ; ERR_BLASNET_NOT_FINITE for a NaN label
 * @example
 * precisionScore([0, 1, 1, 0], [1, 1, 0, 0]);                               // 0.5 (class 1)
 * precisionScore(['no', 'yes', 'yes'], ['yes', 'yes', 'yes'], { posLabel: 'yes' });   // 2 / 3
 * precisionScore([0, 1, 2], [0, 2, 2], { average: null });                 // Float64Array [1, 0, 0.5]
 */
export function precisionScore<O extends ClassificationScoreOptions = ClassificationScoreOptions & Partial<Record<'average', Exclude<Average, null>>>>(
  yTrue: LabelsInput | IndicatorInput, yPred: LabelsInput | IndicatorInput, options?: O,
): ScoreResult<O> {
  return score(countsFor(yTrue, yPred, options), 'precision') as ScoreResult<O>;
}

/**
 * Recall, tp / (tp + fn): of the examples of a class, the fraction predicted as it. A class with no
 * true example scores 0 (scikit-learn's default `zero_division`, without its warning).
 * @param yTrue - the true labels (Float64Array, number[], string[], boolean[]), or an n × k 0/1 indicator Matrix (or number[][])
 * @param yPred - the predicted labels, of the same kind and length (or shape)
 * @param options - `average` ({@link Average}; default `'binary'` for at most two labels), `labels`,
 *   `posLabel`, `sampleWeight` (see {@link ClassificationScoreOptions})
 * @returns the score, or a Float64Array of per-class scores (in `labels` order, else sorted label
 *   order) for `average: null`
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE for inputs that are not label arrays or matrices, an
 *   unknown option or an `average` that is not one of the five; ERR_BLASNET_DETACHED for a detached buffer
 * @throws {@link BlasnetRangeError} ERR_BLASNET_ARG_RANGE when `average` is needed (more than two labels,
 *   indicator matrices) but missing or `'binary'`, when `posLabel` is given with another average, or for bad
 *   weights; ERR_BLASNET_LABEL for mixed label types, a `posLabel` that is not one of the labels, or bad
 *   `labels`; ERR_BLASNET_SHAPE when the lengths differ; ERR_BLASNET_NOT_FINITE for a NaN label
 * @example
 * recallScore([0, 1, 1, 0], [1, 1, 0, 0]);                              // 0.5
 * recallScore([true, true, false], [true, false, false]);               // 0.5 (true is positive)
 * recallScore(['a', 'b', 'c'], ['a', 'b', 'b'], { average: 'macro' });  // 2 / 3
 */
export function recallScore<O extends ClassificationScoreOptions = ClassificationScoreOptions & Partial<Record<'average', Exclude<Average, null>>>>(
  yTrue: LabelsInput | IndicatorInput, yPred: LabelsInput | IndicatorInput, options?: O,
): ScoreResult<O> {
  return score(countsFor(yTrue, yPred, options), 'recall') as ScoreResult<O>;
}

/**
 * F1, the harmonic mean of precision and recall, 2·P·R / (P + R), and 0 when both are 0. Macro and
 * weighted averages average the classes' F1 (not the F1 of averaged P and R), as scikit-learn does.
 * @param yTrue - the true labels (Float64Array, number[], string[], boolean[]), or an n × k 0/1 indicator Matrix (or number[][])
 * @param yPred - the predicted labels, of the same kind and length (or shape)
 * @param options - `average` ({@link Average}; default `'binary'` for at most two labels), `labels`,
 *   `posLabel`, `sampleWeight` (see {@link ClassificationScoreOptions})
 * @returns the score, or a Float64Array of per-class scores (in `labels` order, else sorted label
 *   order) for `average: null`
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE for inputs that are not label arrays or matrices, an
 *   unknown option or an `average` that is not one of the five; ERR_BLASNET_DETACHED for a detached buffer
 * @throws {@link BlasnetRangeError} ERR_BLASNET_ARG_RANGE when `average` is needed (more than two labels,
 *   indicator matrices) but missing or `'binary'`, when `posLabel` is given with another average, or for bad
 *   weights; ERR_BLASNET_LABEL for mixed label types, a `posLabel` that is not one of the labels, or bad
 *   `labels`; ERR_BLASNET_SHAPE when the lengths differ; ERR_BLASNET_NOT_FINITE for a NaN label
 * @example
 * f1Score([0, 1, 1, 0], [1, 1, 0, 0]);                                   // 0.5
 * f1Score([0, 1, 2, 2], [0, 2, 2, 1], { average: 'weighted' });
 * f1Score(Matrix.from([[1, 0], [1, 1]]), Matrix.from([[1, 1], [1, 1]]), { average: 'micro' });   // 0.8571…
 */
export function f1Score<O extends ClassificationScoreOptions = ClassificationScoreOptions & Partial<Record<'average', Exclude<Average, null>>>>(
  yTrue: LabelsInput | IndicatorInput, yPred: LabelsInput | IndicatorInput, options?: O,
): ScoreResult<O> {
  return score(countsFor(yTrue, yPred, options), 'f1') as ScoreResult<O>;
}

// ---------------------------------------------------------------------------------------------
// Log loss

/**
 * Cross-entropy of predicted probabilities: the mean (weighted by `sampleWeight`) over examples of
 * −log p, p the probability given to the true class. As scikit-learn 1.2 (`eps='auto'`), each
 * probability is first clipped to [ε, 1 − ε] (ε = 2⁻⁵², float64's machine epsilon) and each row then
 * divided by its sum.
 * @param yTrue - the true labels (Float64Array, number[], string[] or boolean[])
 * @param yProba - an n × k Matrix (or number[][]) of probabilities, column j for the j-th class in sorted
 *   order; or, for two classes, a Float64Array / number[] (or n × 1 Matrix) of P(the larger label)
 * @param options - `labels`: all the classes, sorted (needed when yTrue holds fewer labels than yProba has
 *   columns); `sampleWeight`
 * @returns the loss, ≥ 0
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE for inputs of the wrong type or an unknown option;
 *   ERR_BLASNET_DETACHED for a detached buffer
 * @throws {@link BlasnetRangeError} ERR_BLASNET_SHAPE when the lengths differ or the columns do not match the
 *   classes; ERR_BLASNET_LABEL when there are fewer than two classes (a single label in yTrue needs `labels`),
 *   for a label of yTrue not in `labels`, or `labels` not distinct and sorted; ERR_BLASNET_ARG_RANGE for a
 *   probability outside [0, 1] or bad weights; ERR_BLASNET_NOT_FINITE for a NaN or ±Infinity
 * @example
 * logLoss(['ham', 'spam'], Matrix.from([[0.9, 0.1], [0.2, 0.8]]));   // (−log 0.9 − log 0.8) / 2
 * logLoss([0, 1, 1], [0.1, 0.9, 0.6]);                               // P(1) for each example
 * logLoss([1, 1], [0.9, 0.7], { labels: [0, 1] });
 */
export function logLoss(yTrue: LabelsInput, yProba: ValuesInput, options?: LogLossOptions): number {
  const o = readOptions(options, ['labels', 'sampleWeight']);
  const { yt, S: P, n, w } = readScored(yTrue, yProba, 'yProba', 'logLoss', o.sampleWeight);
  let classes: Classes;
  if (o.labels === undefined) {
    classes = uniqueOfScanned([yt]);
    if (classes.length < 2) {
      throw new BlasnetRangeError('ERR_BLASNET_LABEL', `yTrue holds one label (${listClasses(classes)}): pass all the classes as options.labels (log loss needs at least two)`);
    }
  } else {
    classes = asClasses(readLabelsOption(o.labels, true, ' (the columns of yProba follow it)'));
    if (classes.length < 2) throw new BlasnetRangeError('ERR_BLASNET_LABEL', `options.labels must hold at least two classes for log loss, got ${listClasses(classes)}`);
  }
  const k = classes.length;
  const binary = P.cols === 1;
  if (binary ? k !== 2 : P.cols !== k) {
    throw new BlasnetRangeError(
      'ERR_BLASNET_SHAPE',
      `yProba must have one column per class (${k}: ${listClasses(classes)})${k === 2 ? ', or be a vector of P(' + String(classes[1]) + ')' : ''}, got ${binary ? 'a vector' : `${P.cols} columns`}` +
        (o.labels === undefined ? '; if yTrue lacks some classes, pass them all as options.labels' : ''),
    );
  }
  for (let i = 0; i < P.data.length; i++) {
    const v = P.data[i]!;
    if (!(v >= 0 && v <= 1)) {
      throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `yProba must hold probabilities in [0, 1], got ${v} at row ${Math.floor(i / P.cols)}${binary ? '' : `, column ${i % P.cols}`}`);
    }
  }
  const ti = indexScanned(yt, classes, 'throw');
  const eps = Number.EPSILON;
  const clip = (v: number): number => Math.min(Math.max(v, eps), 1 - eps);
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let p: number, sum: number;
    if (binary) {
      const q = clip(P.data[i]!);
      sum = 0 + (1 - q) + q;
      p = ti[i] === 1 ? q : 1 - q;
    } else {
      sum = 0;
      for (let j = 0; j < k; j++) sum += clip(P.data[i * k + j]!);
      p = clip(P.data[i * k + ti[i]!]!);
    }
    loss[i] = -Math.log(p / sum);
  }
  return weightedMean(loss, w);
}

// ---------------------------------------------------------------------------------------------
// ROC AUC

/**
 * Area under the ROC curve of one binary problem: thresholds at each distinct score (tied scores
 * make one step, a diagonal segment), the trapezoidal rule over (FPR, TPR).
 */
function binaryAuc(pos: Uint8Array, score: Float64Array, w: Float64Array | null, what: string): number {
  const n = pos.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b]! - score[a]!);
  let P = 0, N = 0;
  for (let i = 0; i < n; i++) {
    const wi = w === null ? 1 : w[i]!;
    if (pos[i]) P += wi;
    else N += wi;
  }
  if (P === 0 || N === 0) {
    throw new BlasnetRangeError('ERR_BLASNET_LABEL', `ROC AUC is undefined with one class: ${what} has ${P === 0 ? 'no positive' : 'no negative'} example${w === null ? '' : ' of weight > 0'}`);
  }
  let tp = 0, fp = 0, prevTpr = 0, prevFpr = 0, area = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    const wi = w === null ? 1 : w[i]!;
    if (pos[i]) tp += wi;
    else fp += wi;
    if (r === n - 1 || score[order[r + 1]!] !== score[i]) {
      const tpr = tp / P, fpr = fp / N;
      area += ((fpr - prevFpr) * (tpr + prevTpr)) / 2;
      prevTpr = tpr;
      prevFpr = fpr;
    }
  }
  return area;
}

/**
 * Area under the ROC curve. Binary: from one score per example (higher means more likely the
 * positive class, the larger label), tied scores handled as scikit-learn does (one step, a diagonal
 * segment). Multiclass: one-vs-rest from an n × k Matrix of probabilities (rows summing to 1),
 * columns in sorted label order, averaged over the classes.
 * @param yTrue - the true labels (Float64Array, number[], string[] or boolean[]), holding at least two classes
 * @param yScore - binary: a Float64Array / number[] of scores (any finite numbers), an n × 1 Matrix, or an n × 2
 *   Matrix of class probabilities (column 1 is used); multiclass: an n × k Matrix (or number[][])
 * @param options - `average`: `'macro'` (default), `'weighted'` or `'micro'` (multiclass only); `labels`: the
 *   classes in sorted order, when yScore has columns for classes absent from yTrue; `sampleWeight`
 * @returns the AUC, in [0, 1]
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE for inputs of the wrong type, an unknown option or
 *   `average`; ERR_BLASNET_DETACHED for a detached buffer
 * @throws {@link BlasnetRangeError} ERR_BLASNET_LABEL when yTrue holds a single class ("ROC AUC is undefined
 *   with one class"), as does a one-vs-rest split with no positive example, for a label of yTrue not in
 *   `labels`, or `labels` not distinct and sorted; ERR_BLASNET_SHAPE when the lengths differ or the columns
 *   do not match the classes; ERR_BLASNET_ARG_RANGE for multiclass rows that do not sum to 1, or bad weights;
 *   ERR_BLASNET_NOT_FINITE for a NaN or ±Infinity
 * @example
 * rocAucScore([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);   // 0.75
 * rocAucScore(['a', 'b', 'c'], Matrix.from([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.3, 0.3, 0.4]]));   // 1
 */
export function rocAucScore(yTrue: LabelsInput, yScore: ValuesInput, options?: RocAucOptions): number {
  const o = readOptions(options, ['average', 'labels', 'sampleWeight']);
  const average = o.average;
  if (average !== undefined && average !== 'macro' && average !== 'weighted' && average !== 'micro') {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.average must be one of 'macro', 'weighted', 'micro', got ${describe(average)}`);
  }
  const { yt, S, n, w } = readScored(yTrue, yScore, 'yScore', 'rocAucScore', o.sampleWeight);
  const classes = o.labels === undefined
    ? uniqueOfScanned([yt])
    : asClasses(readLabelsOption(o.labels, true, ' (the columns of yScore follow it)'));
  if (classes.length < 2) {
    throw new BlasnetRangeError('ERR_BLASNET_LABEL', `ROC AUC is undefined with one class: ${o.labels === undefined ? 'yTrue holds' : 'options.labels has'} only ${listClasses(classes)}`);
  }
  const ti = indexScanned(yt, classes, 'throw');
  const k = classes.length;
  if (k === 2 && S.cols <= 2) {
    const score = new Float64Array(n);
    for (let i = 0; i < n; i++) score[i] = S.data[i * S.cols + S.cols - 1]!;
    const pos = Uint8Array.from(ti, (c) => (c === 1 ? 1 : 0));
    return binaryAuc(pos, score, w, `yTrue (positive class ${listClasses([classes[1]!])})`);
  }
  if (S.cols !== k) {
    throw new BlasnetRangeError(
      'ERR_BLASNET_SHAPE',
      `yScore must be an n × ${k} Matrix, one column per class (${listClasses(classes)}), got ${S.cols === 1 ? 'a vector' : `${S.cols} columns`}` +
        (o.labels === undefined ? '; if yTrue lacks some classes, pass them all as options.labels' : ''),
    );
  }
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += S.data[i * k + j]!;
    // numpy.allclose(1, s): |s − 1| ≤ 1e-8 + 1e-5 · 1
    if (!(Math.abs(s - 1) <= 1e-8 + 1e-5)) {
      throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `yScore must hold probabilities for multiclass ROC AUC, each row summing to 1, got a sum of ${s} in row ${i}`);
    }
  }
  if (average === 'micro') {
    const pos = new Uint8Array(n * k), ww = w === null ? null : new Float64Array(n * k);
    for (let i = 0; i < n; i++) {
      pos[i * k + ti[i]!] = 1;
      if (ww !== null) ww.fill(w![i]!, i * k, (i + 1) * k);
    }
    return binaryAuc(pos, S.data, ww, 'yTrue');
  }
  const aucs = new Float64Array(k), support = new Float64Array(k);
  const score = new Float64Array(n);
  for (let c = 0; c < k; c++) {
    const pos = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      score[i] = S.data[i * k + c]!;
      if (ti[i] === c) {
        pos[i] = 1;
        support[c] += w === null ? 1 : w[i]!;
      }
    }
    aucs[c] = binaryAuc(pos, score, w, `the one-vs-rest split of class ${listClasses([classes[c]!])}`);
  }
  return weightedMean(aucs, average === 'weighted' ? support : null);
}

// ---------------------------------------------------------------------------------------------
// Regression

function readRegression(yTrue: unknown, yPred: unknown): [Matrix, Matrix] {
  const T = readValues(yTrue, 'yTrue'), P = readValues(yPred, 'yPred');
  checkLengths('yTrue', T.rows, 'yPred', P.rows);
  if (T.cols !== P.cols) {
    throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `yTrue and yPred must have the same number of outputs (columns), got ${T.cols} (yTrue) and ${P.cols} (yPred)`);
  }
  return [T, P];
}

function meanError(yTrue: unknown, yPred: unknown, options: unknown, f: (d: number) => number): number {
  const o = readOptions(options, ['sampleWeight']);
  const [T, P] = readRegression(yTrue, yPred);
  const n = T.rows, k = T.cols;
  const w = readWeights(o.sampleWeight, n);
  const perOutput = new Float64Array(k), col = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < n; i++) col[i] = f(T.data[i * k + j]! - P.data[i * k + j]!);
    perOutput[j] = weightedMean(col, w);
  }
  return weightedMean(perOutput, null);
}

/**
 * The mean squared error, (1/n) Σ (y − ŷ)² (weighted by `sampleWeight`); for n × k targets, the mean
 * over the k outputs of each output's MSE.
 * @param yTrue - the targets: a Float64Array / number[], or an n × k Matrix (or number[][])
 * @param yPred - the predictions, of the same shape (a vector and an n × 1 Matrix go together)
 * @param options - `sampleWeight`
 * @returns the MSE, ≥ 0
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE for inputs that are not numbers or an unknown option;
 *   ERR_BLASNET_DETACHED for a detached buffer
 * @throws {@link BlasnetRangeError} ERR_BLASNET_SHAPE when the shapes differ or an input is empty;
 *   ERR_BLASNET_NOT_FINITE for a NaN or ±Infinity; ERR_BLASNET_ARG_RANGE for bad weights
 * @example
 * meanSquaredError([1, 2, 3], [1, 2, 5]);   // 4 / 3
 */
export function meanSquaredError(yTrue: ValuesInput, yPred: ValuesInput, options?: RegressionMetricOptions): number {
  return meanError(yTrue, yPred, options, (d) => d * d);
}

/**
 * The mean absolute error, (1/n) Σ |y − ŷ| (weighted by `sampleWeight`); for n × k targets, the mean
 * over the k outputs.
 * @param yTrue - the targets: a Float64Array / number[], or an n × k Matrix (or number[][])
 * @param yPred - the predictions, of the same shape
 * @param options - `sampleWeight`
 * @returns the MAE, ≥ 0
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE for inputs that are not numbers or an unknown option;
 *   ERR_BLASNET_DETACHED for a detached buffer
 * @throws {@link BlasnetRangeError} ERR_BLASNET_SHAPE when the shapes differ or an input is empty;
 *   ERR_BLASNET_NOT_FINITE for a NaN or ±Infinity; ERR_BLASNET_ARG_RANGE for bad weights
 * @example
 * meanAbsoluteError([1, 2, 3], [1, 2, 5]);   // 2 / 3
 */
export function meanAbsoluteError(yTrue: ValuesInput, yPred: ValuesInput, options?: RegressionMetricOptions): number {
  return meanError(yTrue, yPred, options, Math.abs);
}

/**
 * The coefficient of determination, R² = 1 − Σ (y − ŷ)² / Σ (y − ȳ)² (weighted by `sampleWeight`); for
 * n × k targets, the mean over the k outputs. Targets that are constant (over the examples of weight
 * > 0) give 1 when the prediction is exact and 0 otherwise, as scikit-learn 1.2's `force_finite`.
 * @param yTrue - the targets: a Float64Array / number[], or an n × k Matrix (or number[][]); at least two examples
 * @param yPred - the predictions, of the same shape
 * @param options - `sampleWeight`
 * @returns R², at most 1 (negative for predictions worse than the mean)
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE for inputs that are not numbers or an unknown option;
 *   ERR_BLASNET_DETACHED for a detached buffer
 * @throws {@link BlasnetRangeError} ERR_BLASNET_SHAPE when the shapes differ or there are fewer than two
 *   examples (R² is not defined); ERR_BLASNET_NOT_FINITE for a NaN or ±Infinity; ERR_BLASNET_ARG_RANGE for bad weights
 * @example
 * r2Score([1, 2, 3, 4], [1, 2, 2, 5]);   // 1 − 2 / 5 = 0.6
 * r2Score([3, 3], [3, 3]);               // 1 (constant targets, exact)
 */
export function r2Score(yTrue: ValuesInput, yPred: ValuesInput, options?: RegressionMetricOptions): number {
  const o = readOptions(options, ['sampleWeight']);
  const [T, P] = readRegression(yTrue, yPred);
  const n = T.rows, k = T.cols;
  if (n < 2) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `R² needs at least two examples, got ${n}`);
  const w = readWeights(o.sampleWeight, n);
  const scores = new Float64Array(k), col = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < n; i++) col[i] = T.data[i * k + j]!;
    const mean = weightedMean(col, w);
    // Constant targets have Σ (y − ȳ)² = 0 exactly, even where rounding makes ȳ differ from them.
    let first = NaN, constant = true;
    let num = 0, den = 0;
    for (let i = 0; i < n; i++) {
      const wi = w === null ? 1 : w[i]!;
      const y = col[i]!, d = y - P.data[i * k + j]!, e = y - mean;
      if (wi > 0) {
        if (Number.isNaN(first)) first = y;
        else if (y !== first) constant = false;
      }
      num += wi * (d * d);
      den += wi * (e * e);
    }
    if (constant) den = 0;
    scores[j] = den !== 0 ? 1 - num / den : num === 0 ? 1 : 0;
  }
  return weightedMean(scores, null);
}
