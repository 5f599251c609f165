// K-fold cross-validation: the folds (plain, or stratified as scikit-learn's StratifiedKFold makes
// them) and crossValidate, which fits a fresh model per fold and scores it on the held-out part with
// lib/metrics.ts. Examples and targets are read, and their rows taken, by lib/data.ts's helpers (the
// ones trainTestSplit uses). It never imports a model: models are duck-typed.
import { BlasnetError, BlasnetTypeError, BlasnetRangeError, DivergenceError, blasnetError, describe, type ErrorCode } from './errors.js';
import type { Task } from './estimator.js';
import type { Classes } from './labels.js';
import { Matrix } from './matrix.js';
import {
  accuracyScore, f1Score, logLoss, meanAbsoluteError, meanSquaredError, precisionScore, r2Score, recallScore, rocAucScore,
} from './metrics.js';
import { Random } from './random.js';
import {
  className, readExamples, readTargets, stratifyClasses, takeExamples, takeTargets, targetCount,
  type ExamplesPart, type SplitExamples, type SplitTargets, type TargetValues, type TargetsPart,
} from './data.js';
import { checkKnownKeys, checkOptionsObject, integerInRange } from './validate.js';

/**
 * One fold of a k-fold split: the rows to train on and the rows to test on, each sorted ascending.
 * Together they hold every row once.
 * @example
 * for (const { train, test } of kFold(150)) console.log(train.length, test.length);   // 120 30, five times
 */
export interface Fold {
  /** The training rows, ascending: every row not in `test`. */
  train: Int32Array;
  /** The test rows, ascending. */
  test: Int32Array;
}

/**
 * The options of {@link kFold}.
 * @example
 * const options: KFoldOptions = { folds: 10, seed: 3 };
 */
export interface KFoldOptions {
  /** The number of folds, an integer ≥ 2 and at most n; default 5. */
  folds?: number;
  /**
   * Spread each class evenly over the folds, as scikit-learn's StratifiedKFold does. Default true when
   * labels are given, false for a count n (which has no labels: true is then an error).
   */
  stratify?: boolean;
  /** The seed of the shuffle, an integer in [0, 2^32); default 0. Not allowed with `shuffle: false`. */
  seed?: number;
  /**
   * Shuffle before splitting (default true). false: plain folds are consecutive runs of rows, and
   * stratified folds take each class's examples in row order.
   */
  shuffle?: boolean;
}

/**
 * The scoring names of {@link crossValidate}, with scikit-learn's meanings and signs (greater is
 * better: errors and losses are negated):
 * - `'accuracy'`: {@link accuracyScore} of `predict` (subset accuracy for multi-label models);
 * - `'f1'`: {@link f1Score} of the positive class (the larger of two labels), binary only;
 * - `'f1_macro'`, `'f1_micro'`, `'f1_weighted'`: {@link f1Score} with that average;
 * - `'precision_macro'`, `'recall_macro'`: {@link precisionScore}, {@link recallScore}, macro average;
 * - `'roc_auc'`: {@link rocAucScore} of `predictProba`'s positive (last) column, binary only;
 * - `'neg_log_loss'`: −{@link logLoss} of `predictProba`, columns in the model's `classes` order;
 * - `'r2'`: {@link r2Score}; `'neg_mean_squared_error'`: −{@link meanSquaredError};
 *   `'neg_mean_absolute_error'`: −{@link meanAbsoluteError}.
 *
 * lib/metrics.ts has no balanced accuracy, so `'balanced_accuracy'` is not offered (a scoring function can compute it).
 * @example
 * const scoring: ScoringName = 'f1_macro';
 */
export type ScoringName =
  | 'accuracy'
  | 'f1'
  | 'f1_macro'
  | 'f1_micro'
  | 'f1_weighted'
  | 'precision_macro'
  | 'recall_macro'
  | 'roc_auc'
  | 'neg_log_loss'
  | 'r2'
  | 'neg_mean_squared_error'
  | 'neg_mean_absolute_error';

const SCORING_NAMES: readonly ScoringName[] = [
  'accuracy', 'f1', 'f1_macro', 'f1_micro', 'f1_weighted', 'precision_macro', 'recall_macro', 'roc_auc', 'neg_log_loss',
  'r2', 'neg_mean_squared_error', 'neg_mean_absolute_error',
];

/**
 * A scoring function of your own for {@link crossValidate}: called once per fold with the fitted
 * model and the fold's test part; greater must mean better.
 * @typeParam M - the model type
 * @typeParam X - each test part of X ({@link ExamplesPart})
 * @typeParam Y - each test part of y ({@link TargetsPart})
 * @example
 * const scoring: ScoringFunction<LogisticRegression> = async (model, X, y) => accuracyScore(y, await model.predict(X));
 */
export type ScoringFunction<M = CrossValidationModel, X = unknown, Y = unknown> = (model: M, Xtest: X, ytest: Y) => number | Promise<number>;

/**
 * What {@link crossValidate} needs of a model: {@link NeuralNetwork} and {@link LogisticRegression} are
 * such models, and so is any object with these members.
 * @example
 * const model: CrossValidationModel = new LogisticRegression({ optimizer: 'lbfgs' });
 */
export interface CrossValidationModel {
  /**
   * The model's task. 'binary' and 'multiclass' make the folds stratified by default; 'regression'
   * makes the default scoring 'r2'. null or absent (a LogisticRegression before its first fit) means
   * it is read from y: integer, string or boolean labels and one-hot rows are classes, anything else
   * is regression.
   */
  readonly task?: Task | null;
  /** The sorted classes (after fit): `predictProba`'s columns follow them. Optional. */
  readonly classes?: Classes | null;
  /**
   * Fits the model; a returned promise is awaited.
   * @param X - the fold's training examples
   * @param y - their targets
   * @returns anything (awaited)
   * @example await model.fit(Xtrain, ytrain);
   */
  fit(X: never, y: never): unknown;
  /**
   * Labels or values for X; a returned promise is awaited.
   * @param X - examples
   * @returns the predictions (or a promise of them)
   * @example const yhat = await model.predict(Xtest);
   */
  predict(X: never): unknown;
  /**
   * Class probabilities for X, an n × k Matrix (columns in `classes` order); needed for 'roc_auc' and
   * 'neg_log_loss' only.
   * @param X - examples
   * @returns the probabilities (or a promise of them)
   * @example const P = await model.predictProba!(Xtest);
   */
  predictProba?(X: never): unknown;
}

/**
 * The options of {@link crossValidate}.
 * @typeParam M - the model type
 * @typeParam X - each part of X
 * @typeParam Y - each part of y
 * @example
 * const options: CrossValidateOptions = { folds: 10, seed: 1, scoring: 'f1_macro' };
 */
export interface CrossValidateOptions<M = CrossValidationModel, X = unknown, Y = unknown> {
  /** The number of folds, an integer ≥ 2; default 5. */
  folds?: number;
  /**
   * Stratified folds (see {@link kFold}). Default: true when the first model's task is 'binary' or
   * 'multiclass' (or, with no task, when y holds classes), false otherwise.
   */
  stratify?: boolean;
  /** The seed of the folds' shuffle, an integer in [0, 2^32); default 0. */
  seed?: number;
  /** A {@link ScoringName} or a {@link ScoringFunction}. Default: 'accuracy' for classifiers, 'r2' for regressors. */
  scoring?: ScoringName | ScoringFunction<M, X, Y>;
}

/**
 * What {@link crossValidate} resolves to.
 * @example
 * const { scores, mean, std } = await crossValidate((fold) => new LogisticRegression(), X, y);
 */
export interface CrossValidateResult {
  /** The score of each fold, in fold order. */
  scores: Float64Array;
  /** The mean of the scores: their sum in fold order, divided by the number of folds. */
  mean: number;
  /** The population standard deviation of the scores (numpy's default, ddof 0): √(Σ (s − mean)² / k). */
  std: number;
}

// ---------------------------------------------------------------------------------------------
// Folds

interface FoldSettings {
  folds: number;
  stratify: boolean | undefined;
  shuffle: boolean;
  seed: number;
}

/** The fold options shared by kFold and crossValidate, read from an own-property snapshot. */
function readFoldSettings(o: Record<string, unknown>, allowShuffle: boolean): FoldSettings {
  const folds = integerInRange(o.folds, 'options.folds', 5, 2);
  if (o.stratify !== undefined && typeof o.stratify !== 'boolean') {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.stratify must be a boolean, got ${describe(o.stratify)}`);
  }
  let shuffle = true;
  if (allowShuffle && o.shuffle !== undefined) {
    if (typeof o.shuffle !== 'boolean') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.shuffle must be a boolean, got ${describe(o.shuffle)}`);
    shuffle = o.shuffle;
  }
  const seed = o.seed ?? 0;
  if (typeof seed !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.seed must be an integer in [0, 2^32), got ${describe(seed)}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `options.seed must be an integer in [0, 2^32), got ${describe(seed)}`);
  }
  if (!shuffle && o.seed !== undefined) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.seed has no effect with options.shuffle false (the folds are not shuffled), got ${describe(o.seed)}`);
  }
  return { folds, stratify: o.stratify as boolean | undefined, shuffle, seed };
}

/** The folds from each example's fold number: test = the examples of fold f, train = the rest, both ascending. */
function foldsFromAssignment(assign: Int32Array, k: number): Fold[] {
  const n = assign.length;
  const sizes = new Int32Array(k);
  for (const f of assign) sizes[f]++;
  const out: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const test = new Int32Array(sizes[f]!), train = new Int32Array(n - sizes[f]!);
    let t = 0, r = 0;
    for (let i = 0; i < n; i++) {
      if (assign[i] === f) test[t++] = i;
      else train[r++] = i;
    }
    out.push({ train, test });
  }
  return out;
}

/** Plain k-fold, as scikit-learn's KFold: the (shuffled) rows in k consecutive runs, the first n mod k one longer. */
function plainAssignment(n: number, s: FoldSettings): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (s.shuffle) new Random(s.seed).shuffle(order);
  const assign = new Int32Array(n);
  const base = Math.floor(n / s.folds), extra = n % s.folds;
  let p = 0;
  for (let f = 0; f < s.folds; f++) {
    const size = base + (f < extra ? 1 : 0);
    for (let j = 0; j < size; j++) assign[order[p++]!] = f;
  }
  return assign;
}

/**
 * Stratified k-fold, as scikit-learn 1.2's StratifiedKFold: classes numbered in order of first
 * appearance, the examples sorted by class dealt to the folds in turn (fold f gets sorted positions f,
 * f + k, …), so each fold holds ⌊count/k⌋ or ⌈count/k⌉ of each class and fold sizes differ by at most
 * one; within a class, the fold numbers go to its examples in row order, or shuffled.
 */
function stratifiedAssignment(t: TargetValues, s: FoldSettings): Int32Array {
  const cls = stratifyClasses(t, 'y', 'stratified folds');
  const n = cls.index.length, k = s.folds;
  // Class numbers by first appearance (scikit-learn's y_encoded).
  const encode = new Int32Array(cls.counts.length).fill(-1);
  const firstSeen: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = cls.index[i]!;
    if (encode[c] === -1) {
      encode[c] = firstSeen.length;
      firstSeen.push(c);
    }
  }
  let largest = 0, smallest = 0;
  for (let e = 0; e < firstSeen.length; e++) {
    if (cls.counts[firstSeen[e]!]! > cls.counts[firstSeen[largest]!]!) largest = e;
    if (cls.counts[firstSeen[e]!]! < cls.counts[firstSeen[smallest]!]!) smallest = e;
  }
  const maxCount = cls.counts[firstSeen[largest]!]!, minCount = cls.counts[firstSeen[smallest]!]!;
  if (k > maxCount) {
    throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE',
      `options.folds must be at most the size of the largest class to stratify (${maxCount}: y's ${className(t, cls.names[firstSeen[largest]!]!)}), got ${k}`);
  }
  if (k > minCount) {
    process.emitWarning(
      `stratified folds: y's ${className(t, cls.names[firstSeen[smallest]!]!)} has only ${minCount} example(s), fewer than the ${k} folds; ` +
        `${k - minCount} test fold(s) will have none of it`,
      { code: 'BLASNET_SMALL_CLASS' },
    );
  }
  const rng = s.shuffle ? new Random(s.seed) : null;
  const assign = new Int32Array(n);
  const members: number[][] = firstSeen.map(() => []);
  for (let i = 0; i < n; i++) members[encode[cls.index[i]!]!]!.push(i);
  let start = 0; // the class's first position in the examples sorted by class
  for (let e = 0; e < firstSeen.length; e++) {
    const count = members[e]!.length;
    const labels = new Int32Array(count);
    let p = 0;
    for (let f = 0; f < k; f++) {
      // Positions q in [start, start + count) with q ≡ f (mod k).
      const first = start + ((f - (start % k) + k) % k);
      const m = first < start + count ? Math.floor((start + count - 1 - first) / k) + 1 : 0;
      for (let j = 0; j < m; j++) labels[p++] = f;
    }
    if (rng) rng.shuffle(labels);
    for (let j = 0; j < count; j++) assign[members[e]![j]!] = labels[j]!;
    start += count;
  }
  return assign;
}

/** The folds of n examples with targets t (null: a count only), stratified or not. */
function makeFolds(n: number, t: TargetValues | null, stratify: boolean, s: FoldSettings): Fold[] {
  if (s.folds > n) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `options.folds must be at most the number of examples (${n}), got ${s.folds}`);
  return foldsFromAssignment(stratify ? stratifiedAssignment(t!, s) : plainAssignment(n, s), s.folds);
}

/**
 * K-fold splits of n examples: each example is in exactly one test fold, fold sizes differ by at most
 * one, and each fold's training rows are all the others. Given labels (or a one-hot Matrix), the folds
 * are stratified by default: each class is spread over the folds as evenly as possible, as
 * scikit-learn's StratifiedKFold spreads it (the same count of each class in each fold; classes are
 * numbered in order of first appearance, and the examples sorted by class are dealt to the folds in
 * turn). The shuffle is seeded ({@link Random}), so the same seed gives the same folds.
 * @param y - the number of examples n (plain folds of 0 … n − 1), or n labels (a Float64Array or number[]
 *   of integers, a string[], a boolean[]) or an n × k one-hot Matrix (the class of a row is the column of
 *   its 1; an n × 1 Matrix holds the classes 0 and 1); with `stratify: false`, any targets, only their count used
 * @param options - `folds` (default 5), `stratify`, `seed` (default 0), `shuffle` (default true): see {@link KFoldOptions}
 * @returns `folds` folds `{ train, test }` (Int32Arrays of row numbers, ascending), in fold order
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE for a wrong type, an unknown option, `stratify: true` with a count,
 *   or a `seed` with `shuffle: false`; ERR_BLASNET_DETACHED for a detached buffer
 * @throws {RangeError} ERR_BLASNET_ARG_RANGE when `folds` is not an integer ≥ 2, exceeds n or (stratified)
 *   the largest class's count, for a count that is not an integer ≥ 1, or a bad seed; ERR_BLASNET_LABEL when
 *   stratifying continuous values or a multi-label (or non-0/1) Matrix; ERR_BLASNET_NOT_FINITE for a NaN label.
 *   A class with fewer examples than folds is not an error: a warning with code `BLASNET_SMALL_CLASS` is emitted
 *   (process.emitWarning), as scikit-learn warns
 * @example
 * kFold(10, { folds: 3 }).map((f) => f.test.length);          // [4, 3, 3]
 * for (const { train, test } of kFold(['a', 'b', 'a', 'b', 'a', 'b'], { folds: 3, seed: 1 })) {
 *   // each test fold holds one 'a' and one 'b'
 * }
 */
export function kFold(y: number | SplitTargets, options: KFoldOptions = {}): Fold[] {
  const o = checkOptionsObject(options, 'options');
  checkKnownKeys(o, 'options', ['folds', 'stratify', 'seed', 'shuffle']);
  const s = readFoldSettings(o, true);
  if (typeof y === 'number') {
    if (!Number.isSafeInteger(y) || y < 1) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `y as a count of examples must be an integer ≥ 1, got ${describe(y)}`);
    if (s.stratify === true) {
      throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.stratify needs labels to stratify on, got the count ${y} as y; pass the labels, or leave stratify out`);
    }
    return makeFolds(y, null, false, s);
  }
  if (y === null || y === undefined) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `y must be a count of examples, labels or a one-hot Matrix, got ${describe(y)}`);
  }
  const t = readTargets(y, 'y', null);
  return makeFolds(targetCount(t), t, s.stratify ?? true, s);
}

// ---------------------------------------------------------------------------------------------
// crossValidate

type Kind = 'classifier' | 'multilabel' | 'regression';

/** One class per row: n × 1 of 0/1, or n × k (k ≥ 2) rows of 0s with exactly one 1. */
function isOneHot(M: Matrix): boolean {
  const k = M.cols;
  for (let i = 0; i < M.rows; i++) {
    let ones = 0;
    for (let j = 0; j < k; j++) {
      const v = M.data[i * k + j]!;
      if (v === 1) ones++;
      else if (v !== 0) return false;
    }
    if (k > 1 && ones !== 1) return false;
  }
  return true;
}

/** What the model is: from its task, or (task null or absent) from y, as scikit-learn's type_of_target reads it. */
function modelKind(model: CrossValidationModel, t: TargetValues): Kind {
  const task: unknown = model.task;
  if (task === 'binary' || task === 'multiclass') return 'classifier';
  if (task === 'multilabel') return 'multilabel';
  if (task === 'regression') return 'regression';
  if (task !== null && task !== undefined) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `the model's task must be 'binary', 'multiclass', 'multilabel', 'regression' or null, got ${describe(task)}`);
  }
  if (t.kind === 'string' || t.kind === 'boolean') return 'classifier';
  if (t.kind === 'number') return t.values.every((v) => Number.isInteger(v)) ? 'classifier' : 'regression';
  return isOneHot(t.M) ? 'classifier' : 'regression';
}

/** A classifier's targets as labels: a one-hot Matrix's column of the largest value, an n × 1 Matrix's 0/1 (as fit reads them). */
function asLabels(y: unknown): unknown {
  if (!(y instanceof Matrix)) return y;
  const out = new Float64Array(y.rows), k = y.cols;
  for (let i = 0; i < y.rows; i++) {
    if (k === 1) {
      out[i] = y.data[i]! >= 0.5 ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let j = 1; j < k; j++) if (y.data[i * k + j]! > y.data[i * k + best]!) best = j;
    out[i] = best;
  }
  return out;
}

/** −v, with −0 as 0. */
function negate(v: number): number {
  return 0 - v;
}

type Scorer = (model: CrossValidationModel, X: unknown, y: unknown) => Promise<number>;

function modelClasses(model: CrossValidationModel): Classes | undefined {
  const c: unknown = model.classes;
  return Array.isArray(c) && c.length > 0 ? (c as Classes) : undefined;
}

async function probabilities(model: CrossValidationModel, X: unknown, scoring: string): Promise<never> {
  if (typeof model.predictProba !== 'function') {
    throw new BlasnetTypeError('ERR_BLASNET_TASK', `options.scoring '${scoring}' needs model.predictProba, which this model does not have`);
  }
  return (await model.predictProba(X as never)) as never;
}

/** The scorer of a scoring name; classification metrics read a one-hot y as labels. */
function namedScorer(name: ScoringName, kind: Kind): Scorer {
  const labels = (y: unknown) => (kind === 'classifier' ? asLabels(y) : y) as never;
  const predict = async (model: CrossValidationModel, X: unknown) => (await model.predict(X as never)) as never;
  switch (name) {
    case 'accuracy':
      return async (m, X, y) => accuracyScore(labels(y), await predict(m, X));
    case 'f1':
      return async (m, X, y) => {
        const classes = modelClasses(m);
        return f1Score(labels(y), await predict(m, X), classes?.length === 2 ? { posLabel: classes[1]! } : {});
      };
    case 'f1_macro':
    case 'f1_micro':
    case 'f1_weighted': {
      const average = name.slice(3) as 'macro' | 'micro' | 'weighted';
      return async (m, X, y) => f1Score(labels(y), await predict(m, X), { average });
    }
    case 'precision_macro':
      return async (m, X, y) => precisionScore(labels(y), await predict(m, X), { average: 'macro' });
    case 'recall_macro':
      return async (m, X, y) => recallScore(labels(y), await predict(m, X), { average: 'macro' });
    case 'roc_auc':
      return async (m, X, y) => {
        const P: unknown = await probabilities(m, X, name);
        const cols = P instanceof Matrix ? P.cols : Array.isArray(P) && Array.isArray(P[0]) ? (P[0] as unknown[]).length : 1;
        if (cols > 2) {
          throw new BlasnetTypeError('ERR_BLASNET_TASK',
            `options.scoring 'roc_auc' is for binary classifiers; predictProba gave ${cols} columns (score one-vs-rest with a scoring function and rocAucScore)`);
        }
        const classes = modelClasses(m);
        return rocAucScore(labels(y), P as never, classes?.length === 2 ? { labels: classes } : {});
      };
    case 'neg_log_loss':
      return async (m, X, y) => {
        const P: unknown = await probabilities(m, X, name);
        const classes = modelClasses(m);
        return negate(logLoss(labels(y), P as never, classes ? { labels: classes } : {}));
      };
    case 'r2':
      return async (m, X, y) => r2Score(y as never, await predict(m, X));
    case 'neg_mean_squared_error':
      return async (m, X, y) => negate(meanSquaredError(y as never, await predict(m, X)));
    case 'neg_mean_absolute_error':
      return async (m, X, y) => negate(meanAbsoluteError(y as never, await predict(m, X)));
  }
}

function checkScoring(value: unknown): ScoringName | ((model: CrossValidationModel, X: unknown, y: unknown) => unknown) | undefined {
  if (value === undefined || typeof value === 'function') return value as undefined;
  const valid = SCORING_NAMES.map((s) => `'${s}'`).join(', ');
  if (typeof value !== 'string') {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.scoring must be a scoring name (${valid}) or a function (model, Xtest, ytest) => number, got ${describe(value)}`);
  }
  if (!(SCORING_NAMES as readonly string[]).includes(value)) {
    const hint = value === 'balanced_accuracy' ? ' (lib/metrics.ts has no balanced accuracy: compute it in a scoring function)' : '';
    throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `options.scoring must be one of ${valid}, or a function, got ${describe(value)}${hint}`);
  }
  return value as ScoringName;
}

/** The error of a fold: the original's code and class where it has them, the fold in the message, the original as cause. */
function foldError(e: unknown, fold: number, folds: number, stage: string): Error {
  const message = `crossValidate: fold ${fold} (folds are numbered 0 to ${folds - 1}): ${stage}: ${e instanceof Error ? e.message : describe(e)}`;
  if (e instanceof DivergenceError) return new DivergenceError(e.iteration, NaN, { message, cause: e });
  if (e instanceof BlasnetError && typeof (e as { code?: unknown }).code === 'string') {
    return blasnetError((e as { code: ErrorCode }).code, message, { cause: e });
  }
  return new Error(message, { cause: e });
}

function checkModel(model: unknown, fold: number): asserts model is CrossValidationModel {
  const m = model as Partial<Record<'fit' | 'predict', unknown>> | null;
  if (m === null || (typeof m !== 'object' && typeof m !== 'function') || typeof m.fit !== 'function' || typeof m.predict !== 'function') {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `makeModel(${fold}) must return a model with fit(X, y) and predict(X) methods, got ${describe(model)}`);
  }
}

/**
 * K-fold cross-validation: for each fold, a fresh model from `makeModel(fold)` is fitted on the other
 * folds (`await model.fit(Xtrain, ytrain)`) and scored on this one; the folds run one after another
 * (the models train on the native thread pool already). The folds are {@link kFold}'s, shuffled with
 * `seed` and stratified by default for classifiers.
 * @param makeModel - `(fold) => model`: a new, unfitted model for each fold (0 … folds − 1), such as a
 *   {@link NeuralNetwork} or {@link LogisticRegression}, or any object with `fit(X, y)`, `predict(X)`,
 *   `predictProba(X)` (for 'roc_auc' and 'neg_log_loss') and `task` ({@link CrossValidationModel})
 * @param X - n examples, as {@link trainTestSplit} takes them: a Matrix or number[][] (each fold's parts
 *   are Matrices), any other array such as records (arrays of the same elements), or an object with
 *   `take(indices: Int32Array)` (what it returns)
 * @param y - n targets: a Float64Array or number[] (the parts are Float64Arrays), a string[] or boolean[],
 *   or an n × k Matrix (one-hot classes, or regression or multi-label targets)
 * @param options - `folds` (default 5), `stratify`, `seed` (default 0), `scoring`: see {@link CrossValidateOptions}
 * @typeParam Model - what makeModel returns
 * @typeParam XIn - the type of X, which decides each part's ({@link ExamplesPart})
 * @typeParam YIn - the type of y, which decides each part's ({@link TargetsPart})
 * @returns a promise of `{ scores, mean, std }` ({@link CrossValidateResult}): one score per fold, their
 *   mean and population standard deviation
 * @throws {TypeError} (rejects) ERR_BLASNET_ARG_TYPE for a wrong argument type, an unknown option, a
 *   makeModel result without fit and predict, or a scoring function that returns something other than a
 *   number; ERR_BLASNET_TASK for 'roc_auc' or 'neg_log_loss' without predictProba, or 'roc_auc' on more
 *   than two classes
 * @throws {RangeError} (rejects) ERR_BLASNET_ARG_RANGE for an unknown scoring name (the message lists the
 *   valid ones), bad folds or seed; ERR_BLASNET_SHAPE when y's length differs from X's rows; the label
 *   errors of {@link kFold} when stratifying
 * @throws {Error} (rejects) an error of makeModel, fit, predict or scoring in a fold, with its code and class
 *   where it has them (ERR_BLASNET_DIVERGED, ABORT_ERR, …), the fold number in the message and the original
 *   error as `cause`
 * @example
 * const { scores, mean, std } = await crossValidate(
 *   (fold) => new LogisticRegression({ optimizer: 'lbfgs', seed: fold }), X, y, { folds: 5, seed: 1 });
 * console.log(`accuracy ${mean.toFixed(3)} ± ${std.toFixed(3)}`, scores);
 */
export async function crossValidate<Model extends CrossValidationModel, XIn extends SplitExamples, YIn extends SplitTargets>(
  makeModel: (fold: number) => Model,
  X: XIn,
  y: YIn | readonly number[],
  options: CrossValidateOptions<Model, ExamplesPart<XIn>, TargetsPart<YIn>> = {},
): Promise<CrossValidateResult> {
  if (typeof makeModel !== 'function') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `makeModel must be a function (fold) => model, got ${describe(makeModel)}`);
  const o = checkOptionsObject(options, 'options');
  checkKnownKeys(o, 'options', ['folds', 'stratify', 'seed', 'scoring']);
  const s = readFoldSettings(o, false);
  const scoring = checkScoring(o.scoring);
  const src = readExamples(X, 'X');
  if (y === null || y === undefined) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `y must be the targets (labels, values or a Matrix), got ${describe(y)}`);
  const t = readTargets(y, 'y', src.n);
  const n = src.n ?? targetCount(t);
  if (s.folds > n) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `options.folds must be at most the number of examples (${n}), got ${s.folds}`);

  let first: Model;
  try {
    first = await makeModel(0);
  } catch (e) {
    throw foldError(e, 0, s.folds, 'makeModel failed');
  }
  checkModel(first, 0);
  const kind = modelKind(first, t);
  const folds = makeFolds(n, t, s.stratify ?? kind === 'classifier', s);
  const score: Scorer = typeof scoring === 'function'
    ? async (m, Xt, yt) => scoring(m, Xt, yt) as number
    : namedScorer(scoring ?? (kind === 'regression' ? 'r2' : 'accuracy'), kind);

  const scores = new Float64Array(s.folds);
  for (let f = 0; f < s.folds; f++) {
    let model: Model;
    if (f === 0) {
      model = first;
    } else {
      try {
        model = await makeModel(f);
      } catch (e) {
        throw foldError(e, f, s.folds, 'makeModel failed');
      }
      checkModel(model, f);
    }
    const { train, test } = folds[f]!;
    try {
      await model.fit(takeExamples(src, train) as never, takeTargets(t, train) as never);
    } catch (e) {
      throw foldError(e, f, s.folds, 'fit failed');
    }
    let value: unknown;
    try {
      value = await score(model, takeExamples(src, test), takeTargets(t, test));
    } catch (e) {
      throw foldError(e, f, s.folds, 'scoring failed');
    }
    if (typeof value !== 'number') {
      throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.scoring must return a number, got ${describe(value)} in fold ${f}`);
    }
    scores[f] = value;
  }
  let sum = 0;
  for (const v of scores) sum += v;
  const mean = sum / s.folds;
  let squares = 0;
  for (const v of scores) squares += (v - mean) * (v - mean);
  return { scores, mean, std: Math.sqrt(squares / s.folds) };
}
