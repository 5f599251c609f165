// The estimator contract both models implement: the training options (given to the constructor as
// defaults and to fit as overrides, validated here into one TrainConfig), the task, the targets
// (labels of any type <-> class indices <-> the n × k matrix the trainers read), and the not-fitted
// rule. Validates and normalises only: it never trains, never predicts and imports no model.
import { BlasnetError, BlasnetRangeError, BlasnetTypeError, blasnetError, describe } from './errors.js';
import { checkPath } from './fileio.js';
import { decodeLabels, encodeLabels, isNumericTypedArray, uniqueLabels, classWeightByIndex, type Classes } from './labels.js';
import { Matrix } from './matrix.js';
import { applyInputScaling, type InputScaling } from './scaling.js';
import type { Preprocessing } from './tabular/preprocess.js';
import { accuracyScore } from './metrics.js';
import type { OptimizerName, TrainConfig } from './train-types.js';
import { isDataSource, type DataSource } from './stream.js';
import { checkScheduleAgainstRate, parseSharedOptions, sampleWeights, type EarlyStoppingOption, type FitProgress, type PlateauOption, type ScheduleOption } from './training.js';
import { checkKnownKeys, checkOptionsObject, integerInRange, isDetached, nonNegativeNumber, oneOf, positiveNumber, toMatrix } from './validate.js';

/**
 * What a model predicts, decided by its loss and output (a network) or by its classes (logistic
 * regression): one of two labels, one of k labels, k independent yes/no labels, or real values.
 * @example if (model.task === 'regression') console.log(model.scoreSync(X, y)); // R²
 */
export type Task = 'binary' | 'multiclass' | 'multilabel' | 'regression';

/**
 * The training options both models take, in the constructor (defaults for every fit) and in `fit`
 * (overrides for that call).
 * @example new NeuralNetwork({ layers: [4, 32, 3], optimizer: 'adam', epochs: 300 });
 */
export interface TrainingOptions {
  /** 'gd', 'momentum', 'adam' or 'lbfgs' (full batch, strong-Wolfe line search). */
  optimizer?: OptimizerName;
  /** The step size α (first-order optimizers). */
  learningRate?: number;
  /** Passes over the data; for full-batch solvers one epoch is one step (L-BFGS: the iteration cap). */
  epochs?: number;
  /** Examples per step; a value ≥ n (or 0) means the whole set. First-order optimizers only. */
  batchSize?: number;
  /** Shuffle the rows before each epoch (seeded) when batches are smaller than the set. Default true. */
  shuffle?: boolean;
  /** Momentum β. Default 0.9. */
  momentum?: number;
  /** Adam β1. Default 0.9. */
  beta1?: number;
  /** Adam β2. Default 0.999. */
  beta2?: number;
  /** Adam ε. Default 1e-8. */
  epsilon?: number;
  /** The L2 penalty λ: J += (λ/2)·‖W‖², biases not penalised. scikit-learn's C is λ = 1/(C·n). Default 0. */
  l2?: number;
  /** L-BFGS: stop when ‖∂J/∂θ‖∞ ≤ tolerance. Default 1e-6. */
  tolerance?: number;
  /** Record the cost every `recordEvery` epochs, from epoch 0. */
  recordEvery?: number;
  /** Hold out this fraction of the rows, in (0, 1), drawn from the model's seed, not trained on. */
  validationSplit?: number;
  /** Stop after `patience` records without improvement (`false`: never, overriding a default). */
  earlyStopping?: EarlyStoppingOption | false;
  /** A learning-rate schedule over the epochs. */
  schedule?: ScheduleOption;
  /** Multiply the learning rate by `factor` after `patience` records without improvement. */
  reduceOnPlateau?: PlateauOption;
  /** Weights by label (`{ setosa: 2 }`), one per class index, or 'balanced' (w_c = n / (k · n_c)). */
  classWeight?: Record<string, number> | number[] | Float64Array | 'balanced';
}

/**
 * The options of `fitSync`: the training options, the data-shaped ones and progress.
 * @example model.fitSync(X, y, { epochs: 50, validation: { X: Xv, y: yv }, onProgress: console.log });
 */
export interface FitOptions extends TrainingOptions {
  /**
   * Continue from the current parameters and training state (and keep `classes`) instead of starting
   * afresh: the epoch counter (`epochsTrained`, which keys the shuffle and the step and exponential
   * schedules), the optimizer's state (momentum's velocity, Adam's moments and step count) and the
   * counters of early stopping and the plateau rule. `epochs` counts this call's epochs. A change of
   * optimizer or of a hyper-parameter other than the learning rate starts the optimizer afresh
   * (`optimizerReset` in the result). Default false.
   */
  warmStart?: boolean;
  /** Called with each record, on the main thread. */
  onProgress?: (progress: FitProgress) => void;
  /** Held-out data evaluated at every record, not trained on. Exclusive with validationSplit. */
  validation?: {
    /** The held-out examples, as rows. */
    X: Matrix | number[][];
    /** Their targets, in any form `fit` accepts. */
    y: unknown;
  };
  /** Per-row weights, n finite numbers ≥ 0, not all 0: J = Σ wⱼ Lⱼ / Σ wⱼ (per batch). */
  sampleWeight?: Float64Array | number[];
  /**
   * Save the model during the fit, atomically as `save` does, after every `every` completed global
   * epochs (L-BFGS: iterations): the file is what `save` would write had the fit stopped after that
   * epoch, training state included, so loading it and fitting the remaining epochs with
   * `warmStart: true` continues the fit (docs/training.md, "Checkpoints").
   */
  checkpoint?: CheckpointOption;
}

/**
 * Where and how often a fit saves the model (`options.checkpoint`).
 * @example await net.fit(X, y, { epochs: 100, checkpoint: { path: 'net.ckpt.json', every: 5 } });
 */
export interface CheckpointOption {
  /** The file: a path or a file: URL. Replaced at every checkpoint. */
  path: string | URL;
  /** Global epochs between two checkpoints: an integer ≥ 1. Default 1. */
  every?: number;
}

/**
 * The options of `fit`: those of `fitSync` and an AbortSignal.
 * @example await model.fit(X, y, { signal: AbortSignal.timeout(5000) });
 */
export interface AsyncFitOptions extends FitOptions {
  /** Aborts the fit within one step; `fit` then rejects with an AbortError. */
  signal?: AbortSignal;
}

/**
 * The options of `fit(source, options)` and `fitSync(source, options)`, a fit from a data source
 * (docs/training.md, "Fits from a data source"): those of `fit` but the ones that need the whole
 * data set at once (`validationSplit`, `sampleWeight` — weights come with each batch —, `batchSize`
 * and `shuffle` — the source's batches are the batches, in its order), with `validation` also as a
 * source, and `classes`.
 * @example await net.fit(() => readBatches('train.csv'), { epochs: 5, classes: ['no', 'yes'], validation: () => readBatches('val.csv') });
 */
export interface SourceFitOptions extends Omit<AsyncFitOptions, 'validation' | 'validationSplit' | 'sampleWeight' | 'shuffle'> {
  /**
   * Held-out data evaluated at every record: `{ X, y }`, or a data source of the same shape as the
   * training source (read once, when the fit starts, and kept in memory).
   */
  validation?: FitOptions['validation'] | DataSource;
  /**
   * A classifier's labels (any order; they are sorted). Without them, and without a warm start, a
   * first pass over the source finds them: the source is called once more.
   */
  classes?: readonly (number | string | boolean)[];
}

/** The training-option keys the constructors accept. */
export const TRAINING_KEYS = ['optimizer', 'learningRate', 'epochs', 'batchSize', 'shuffle', 'momentum', 'beta1', 'beta2', 'epsilon', 'l2',
  'tolerance', 'recordEvery', 'validationSplit', 'earlyStopping', 'schedule', 'reduceOnPlateau', 'classWeight'] as const;
/** The keys `fitSync` accepts. */
export const FIT_KEYS = [...TRAINING_KEYS, 'warmStart', 'onProgress', 'validation', 'sampleWeight', 'checkpoint'] as const;
/** The keys `fit` accepts. */
export const ASYNC_FIT_KEYS = [...FIT_KEYS, 'signal'] as const;
/** The keys a fit from a data source accepts besides `fit`'s or `fitSync`'s (those it refuses are refused by name: parseSourceTraining). */
export const SOURCE_FIT_KEYS = ['classes'] as const;

/** Options of an in-memory fit that a fit from a data source refuses, with why (the error names the option). */
const NEEDS_WHOLE_SET: Record<string, string> = {
  validationSplit: 'holds rows out of the whole data set; give the held-out data as options.validation (a source or { X, y })',
  sampleWeight: 'weighs the rows of the whole data set; give each batch its weights ({ X, y, sampleWeight })',
  shuffle: "reorders the whole data set; a data source's batches come in its own order (shuffle them in the source)",
};

/**
 * The merged options of a fit from a data source, parsed: parseTraining's, after refusing what needs
 * the whole data set at once, each by name — `validationSplit`, `sampleWeight`, `shuffle` given to
 * the fit; L-BFGS; `classWeight: 'balanced'`. `shuffle` from the constructor is ignored (it
 * describes in-memory fits). `batchSize`, given to the fit or the constructor (not a model's
 * default), cuts the source's rows into batches of that size (`sourceBatchSize`; 0: the source's
 * batches as they come). `validation` may be a data source.
 * @param o - the merged options (mergeOptions)
 * @param given - the fit's own options
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE naming the option refused; what parseTraining throws
 */
export function parseSourceTraining(o: Record<string, unknown>, given: Record<string, unknown>, defaults: TrainingDefaults, classifier: boolean,
  shuffleSeed: number): ParsedTraining & { validationSource: DataSource | null; sourceBatchSize: number } {
  for (const [key, why] of Object.entries(NEEDS_WHOLE_SET)) {
    const from = given[key] !== undefined ? 'options' : o[key] !== undefined && (key === 'validationSplit' || key === 'sampleWeight') ? "the constructor's options" : null;
    if (from) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.${key} (in ${from}) does not apply to a fit from a data source: it ${why}`);
  }
  const merged: Record<string, unknown> = Object.assign(Object.create(null), o);
  delete merged.shuffle;
  // A validation source stands in as { X, y } for the checks that only ask whether there is validation data.
  const validationSource = isDataSource(merged.validation) ? merged.validation : null;
  if (validationSource) merged.validation = { X: validationSource, y: validationSource };
  const parsed = parseTraining(merged, defaults, classifier, shuffleSeed);
  if (validationSource) parsed.validation = null;
  if (parsed.config.optimizer === 'lbfgs') {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', "options.optimizer 'lbfgs' does not apply to a fit from a data source: each of its iterations needs the whole data set; use 'gd', 'momentum' or 'adam'");
  }
  if (parsed.classWeight === 'balanced') {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', "options.classWeight 'balanced' does not apply to a fit from a data source: it needs the class counts of the whole data set; give the weights by label or by class index");
  }
  parsed.config.shuffle = false;
  return { ...parsed, validationSource, sourceBatchSize: o.batchSize === undefined ? 0 : parsed.config.batchSize };
}

/**
 * The row weights of one batch of a data source: its sampleWeight (checked, named `name`; all 0 is
 * allowed: such a batch takes no step) times `byClass` of each row's class; null when neither.
 * @throws ERR_BLASNET_ARG_TYPE, ERR_BLASNET_SHAPE, ERR_BLASNET_ARG_RANGE naming the batch's field
 */
export function batchWeights(sampleWeight: unknown, byClass: Float64Array | null, targets: Targets, n: number, name: string): Float64Array | null {
  const w = sampleWeights(sampleWeight, n, name, true);
  if (!byClass) return w;
  const out = w ?? new Float64Array(n).fill(1);
  for (let j = 0; j < n; j++) out[j] = out[j]! * byClass[targets.index![j]!]!;
  return out;
}

/**
 * A classifier's `options.classes` (a fit from a data source), checked: an array of distinct labels
 * of one kind, returned sorted as a fit would have learned them.
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE; {@link BlasnetRangeError} ERR_BLASNET_LABEL for a duplicate or a mix of kinds
 */
export function classesOption(value: unknown): Classes {
  if (!Array.isArray(value)) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.classes must be an array of labels (numbers, strings or booleans), got ${describe(value)}`);
  const classes = uniqueLabels(value, 'options.classes');
  if (classes.length !== value.length) throw new BlasnetRangeError('ERR_BLASNET_LABEL', `options.classes must hold distinct labels, got ${value.length} labels of which ${classes.length} are distinct`);
  return classes;
}

const OPTIMIZERS: readonly OptimizerName[] = ['gd', 'momentum', 'adam', 'lbfgs'];
/** Options that mean nothing to L-BFGS (full batch, its own step length). */
const FIRST_ORDER_ONLY = ['learningRate', 'batchSize', 'momentum', 'beta1', 'beta2', 'epsilon', 'schedule', 'reduceOnPlateau'] as const;

/**
 * A model's defaults for what the user leaves out; functions of the optimizer where they depend on it.
 * @example NETWORK_DEFAULTS.epochs('adam'); // 200
 */
export interface TrainingDefaults {
  /** The optimizer when none is given. */
  optimizer: OptimizerName;
  /**
   * The step size for an optimizer.
   * @param optimizer - the fit's optimizer
   * @returns the default value
   * @example NETWORK_DEFAULTS.learningRate('adam'); // 0.002
   */
  learningRate(optimizer: OptimizerName): number;
  /**
   * The epochs (L-BFGS: iterations) for an optimizer.
   * @param optimizer - the fit's optimizer
   * @returns the default value
   * @example LOGISTIC_DEFAULTS.epochs('gd'); // 2000
   */
  epochs(optimizer: OptimizerName): number;
  /**
   * Epochs between two cost records, for an optimizer.
   * @param optimizer - the fit's optimizer
   * @returns the default value
   * @example LOGISTIC_DEFAULTS.recordEvery('gd'); // 100
   */
  recordEvery(optimizer: OptimizerName): number;
  /** Examples per step; 0: the whole set. */
  batchSize: number;
  /** The stop on no improvement of a first-order fit, or null for none. */
  earlyStopping: EarlyStoppingOption | null;
}

/** The merged options of one fit, parsed: the trainer's config and the data-shaped options still to check. */
export interface ParsedTraining {
  config: TrainConfig;
  validationSplit: number | null;
  validation: { X: unknown; y: unknown } | null;
  classWeight: unknown;
  sampleWeight: unknown;
  /** options.checkpoint, checked: the path as a string. */
  checkpoint: { path: string; every: number } | null;
}

/**
 * Checks `options.checkpoint`: `{ path, every? }` with a file path or file: URL and an integer every ≥ 1 (default 1).
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE; {@link BlasnetRangeError} ERR_BLASNET_ARG_RANGE, each naming the field
 */
export function parseCheckpoint(value: unknown): { path: string; every: number } | null {
  if (value === undefined) return null;
  const c = checkOptionsObject(value, 'options.checkpoint');
  checkKnownKeys(c, 'options.checkpoint', ['path', 'every']);
  return { path: checkPath(c.path, 'options.checkpoint.path'), every: integerInRange(c.every, 'options.checkpoint.every', 1, 1) };
}

/**
 * Merges a fit's options over the constructor's and validates them into one TrainConfig. Only the
 * options the user gave are checked against the optimizer (`learningRate` with 'lbfgs' is an error);
 * the defaults fill what is left.
 * @param given - the constructor's options then the fit's, as null-prototype snapshots
 * @param classifier - whether validation accuracy can be monitored
 * @param shuffleSeed - the model's seed (each epoch's shuffle is keyed by it and the global epoch)
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE; {@link BlasnetRangeError} ERR_BLASNET_ARG_RANGE
 */
export function parseTraining(given: Record<string, unknown>, defaults: TrainingDefaults, classifier: boolean, shuffleSeed: number): ParsedTraining {
  const o = given;
  const optimizer = oneOf(o.optimizer, 'options.optimizer', OPTIMIZERS, defaults.optimizer);
  const lbfgs = optimizer === 'lbfgs';
  if (lbfgs) {
    for (const key of FIRST_ORDER_ONLY) {
      if (o[key] !== undefined) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.${key} does not apply to optimizer 'lbfgs' (full batch, line search), got ${describe(o[key])}`);
    }
  } else if (o.tolerance !== undefined) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.tolerance applies to optimizer 'lbfgs' only, got ${describe(o.tolerance)} with optimizer '${optimizer}'`);
  }
  // Any batch size ≥ 1 is accepted on both backends; the trainers clamp it to n.
  const batchSize = o.batchSize === undefined ? (lbfgs ? 0 : defaults.batchSize) : Math.min(integerInRange(o.batchSize, 'options.batchSize', 0, 0), 2 ** 31 - 1);
  if (o.shuffle !== undefined && typeof o.shuffle !== 'boolean') {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.shuffle must be a boolean, got ${describe(o.shuffle)}`);
  }
  let earlyStopping: unknown = o.earlyStopping;
  if (earlyStopping === false) earlyStopping = undefined;
  // The default stop on no improvement is for first-order training: L-BFGS has its own tests.
  else if (earlyStopping === undefined && defaults.earlyStopping && !lbfgs) earlyStopping = defaults.earlyStopping;
  const shared = parseSharedOptions({
    validation: o.validation, validationSplit: o.validationSplit, earlyStopping,
    schedule: o.schedule, reduceOnPlateau: o.reduceOnPlateau,
  }, classifier);
  const learningRate = lbfgs ? 1 : positiveNumber(o.learningRate, 'options.learningRate', defaults.learningRate(optimizer));
  const checkpoint = parseCheckpoint(o.checkpoint);
  const config: TrainConfig = {
    epochs: integerInRange(o.epochs, 'options.epochs', defaults.epochs(optimizer), 0),
    batchSize,
    shuffle: o.shuffle !== false,
    shuffleSeed,
    optimizer,
    learningRate,
    beta: unitInterval(o.momentum, 'options.momentum', 0.9),
    beta1: unitInterval(o.beta1, 'options.beta1', 0.9),
    beta2: unitInterval(o.beta2, 'options.beta2', 0.999),
    eps: positiveNumber(o.epsilon, 'options.epsilon', 1e-8),
    l2: nonNegativeNumber(o.l2, 'options.l2', 0),
    recordEvery: integerInRange(o.recordEvery, 'options.recordEvery', defaults.recordEvery(optimizer), 1),
    tolerance: nonNegativeNumber(o.tolerance, 'options.tolerance', 1e-6),
    lbfgsMemory: 10,
    earlyStopping: shared.earlyStopping,
    schedule: shared.schedule,
    reduceOnPlateau: shared.reduceOnPlateau,
    checkpointEvery: checkpoint ? checkpoint.every : 0,
  };
  checkScheduleAgainstRate(config.schedule, config.learningRate);
  return {
    config, validationSplit: shared.validationSplit, validation: shared.validation ? { X: shared.validation.X, y: shared.validation.Y } : null,
    classWeight: o.classWeight, sampleWeight: o.sampleWeight, checkpoint,
  };
}

/**
 * The constructor's training options, checked once at construction so that a typo fails where it
 * was written; returned as a frozen snapshot that every fit merges under its own options.
 */
export function checkTrainingDefaults(o: Record<string, unknown>, defaults: TrainingDefaults, classifier: boolean): Readonly<Record<string, unknown>> {
  const snapshot: Record<string, unknown> = Object.create(null);
  for (const key of TRAINING_KEYS) if (o[key] !== undefined) snapshot[key] = o[key];
  // A monitor on validation data is legal in the constructor: the data may come with each fit.
  // Null-prototype, like the snapshot: a polluted Object.prototype must not supply options.
  const probe: Record<string, unknown> = Object.assign(Object.create(null), snapshot);
  if (probe.validationSplit === undefined) probe.validationSplit = 0.5;
  parseTraining(probe, defaults, classifier, 0);
  if (snapshot.classWeight !== undefined && snapshot.classWeight !== 'balanced' && (typeof snapshot.classWeight !== 'object' || snapshot.classWeight === null)) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.classWeight must be 'balanced', an object keyed by label or an array of weights, got ${describe(snapshot.classWeight)}`);
  }
  return Object.freeze(snapshot);
}

/** Checks `options.warmStart`: a boolean or absent. */
export function checkWarmStart(value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.warmStart must be a boolean, got ${describe(value)}`);
  }
}

/** Merges the constructor's defaults and a fit's options (the fit's win), keeping only keys that are set. */
export function mergeOptions(defaults: Readonly<Record<string, unknown>>, o: Record<string, unknown>, allowed: readonly string[]): Record<string, unknown> {
  checkKnownKeys(o, 'options', allowed);
  const merged: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(defaults)) merged[k] = v;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) merged[k] = v;
  // An explicit optimizer in the fit drops constructor options that belong to another optimizer.
  if (o.optimizer !== undefined && o.optimizer !== defaults.optimizer) {
    if (o.optimizer === 'lbfgs') {
      for (const key of FIRST_ORDER_ONLY) if (o[key] === undefined) delete merged[key];
    } else if (o.tolerance === undefined) {
      delete merged.tolerance;
    }
  }
  return merged;
}

function unitInterval(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a number, got ${describe(value)}`);
  if (!(value >= 0 && value < 1)) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `${name} must be in [0, 1), got ${describe(value)}`);
  return value;
}

/**
 * ERR_BLASNET_NOT_FITTED naming the method called.
 * @example throw notFitted('NeuralNetwork', 'predictSync');
 */
export function notFitted(owner: string, method: string): BlasnetError {
  return new BlasnetError('ERR_BLASNET_NOT_FITTED', `${owner}.${method}: the model has not been fitted yet; call fit or fitSync (or setParameters) first`);
}

/** ERR_BLASNET_TASK for a method the model's task does not have. */
export function wrongTask(owner: string, method: string, task: Task, needs: string): BlasnetError {
  // Through the error table: ERR_BLASNET_TASK is a BlasnetTypeError (lib/errors.ts ERROR_CLASSES).
  return blasnetError('ERR_BLASNET_TASK', `${owner}.${method} needs ${needs}; this model's task is '${task}'`);
}

/** The targets of a fit or an evaluation, as the trainers read them, and the labels they came from. */
export interface Targets {
  /** n × k, row-major: one-hot rows (multiclass), 0/1 or probabilities (binary, multilabel), values (regression). */
  T: Matrix;
  /** The sorted labels; null for a regressor. */
  classes: Classes | null;
  /** The class index of each row (classifiers), for classWeight and accuracy. */
  index: Int32Array | null;
}

/** `0 … k−1` as the classes of a model given indicator or one-hot targets. */
export function indexClasses(k: number): number[] {
  return Array.from({ length: Math.max(k, 2) }, (_, i) => i);
}

function isMatrixLike(y: unknown): boolean {
  return y instanceof Matrix || (Array.isArray(y) && y.length > 0 && Array.isArray(y[0]));
}

/** Rows of a matrix-shaped target, checked against n before the columns, so a transposed y is named as targets. */
function targetMatrix(y: unknown, name: string, n: number, k: number, what: string): Matrix {
  const rows = y instanceof Matrix ? y.rows : (y as unknown[]).length;
  if (rows !== n) {
    const shape = y instanceof Matrix ? `a ${y.rows} × ${y.cols} Matrix` : `${rows} row(s)`;
    throw new BlasnetRangeError('ERR_BLASNET_SHAPE',
      `${name} must have one row of targets per row of X: ${n} rows of ${k} (one per ${what}), got ${shape}${rows === 1 && n > 1 ? ' (a vector of targets is given as an array, not as one row)' : ''}`);
  }
  const M = toMatrix(y, name);
  if (M.cols !== k) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must have ${k} column(s), one per ${what}, got ${M.cols}`);
  return M;
}

function checkVectorLength(y: unknown, name: string, n: number): void {
  if ((y instanceof Float64Array || isNumericTypedArray(y)) && isDetached(y.buffer)) {
    throw new BlasnetTypeError('ERR_BLASNET_DETACHED', `${name} is backed by a detached ArrayBuffer (was it transferred to a worker?); expected a live buffer`);
  }
  if (!(y instanceof Float64Array || isNumericTypedArray(y) || Array.isArray(y))) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be an array of labels or values (number[], string[], boolean[], Float64Array) or a Matrix, got ${describe(y)}`);
  }
  if (y.length !== n) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must have one target per row of X (${n}), got ${y.length}`);
}

function argmaxRows(T: Matrix): Int32Array {
  const idx = new Int32Array(T.rows), k = T.cols, d = T.data;
  for (let j = 0; j < T.rows; j++) {
    let best = 0;
    for (let i = 1; i < k; i++) if (d[j * k + i]! > d[j * k + best]!) best = i;
    idx[j] = best;
  }
  return idx;
}

function checkUnit(T: Matrix, name: string): void {
  const d = T.data, k = T.cols;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!(v >= 0 && v <= 1)) throw new BlasnetRangeError('ERR_BLASNET_LABEL', `${name} must hold values in [0, 1] (labels or probabilities), got ${v} at row ${Math.floor(i / k)}, column ${i % k}`);
  }
}

/**
 * Classes learned from labels for a model with a fixed number of classes k (a network's outputs):
 * the sorted distinct labels, which must number k; integer labels in [0, k) that miss some index
 * are taken as class indices 0 … k−1, so a subset that lacks a class still fits.
 */
function learnClasses(y: unknown, name: string, k: number, task: Task): Classes {
  const classes = uniqueLabels(y, name);
  if (classes.length === k) return classes;
  const asIndices = typeof classes[0] === 'number' && (classes as number[]).every((c) => Number.isInteger(c) && c >= 0 && c < k);
  if (asIndices && classes.length < k) return indexClasses(k);
  if (task === 'binary') {
    throw new BlasnetRangeError('ERR_BLASNET_LABEL', `${name} must hold two distinct labels for a binary classifier (one sigmoid output), got ${classes.length}: ${preview(classes)}`);
  }
  throw new BlasnetRangeError('ERR_BLASNET_LABEL',
    `${name} must hold ${k} distinct labels, one per softmax output, got ${classes.length}: ${preview(classes)} (change the last layer size to ${classes.length}, or pass class indices 0 … ${k - 1})`);
}

function preview(classes: Classes): string {
  const shown = (classes as unknown[]).slice(0, 8).map((c) => JSON.stringify(c)).join(', ');
  return `[${shown}${classes.length > 8 ? ', …' : ''}]`;
}

/**
 * Normalises y for a model of the given task with k outputs.
 * - regression: a vector (k = 1) or an n × k Matrix of finite values;
 * - binary: a vector of labels (two distinct), or an n × 1 Matrix of 0/1 targets or probabilities;
 * - multiclass: a vector of labels (k distinct), or an n × k Matrix of one-hot rows or probabilities;
 * - multilabel: an n × k Matrix of 0/1 (or probabilities).
 * @param known - the model's classes (warm start, validation, score), or null to learn them from y
 * @throws ERR_BLASNET_ARG_TYPE, ERR_BLASNET_SHAPE, ERR_BLASNET_LABEL, ERR_BLASNET_NOT_FINITE
 */
export function toTargets(y: unknown, name: string, n: number, task: Task, k: number, known: Classes | null): Targets {
  if (task === 'regression') {
    if (isMatrixLike(y)) return { T: targetMatrix(y, name, n, k, 'output'), classes: null, index: null };
    checkVectorLength(y, name, n);
    if (k !== 1) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must be an ${n} × ${k} Matrix for a regressor with ${k} outputs, got a vector of ${n}`);
    const T = new Matrix(n, 1);
    for (let j = 0; j < n; j++) {
      const v = (y as ArrayLike<unknown>)[j];
      if (typeof v !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name}[${j}] must be a number for a regressor, got ${describe(v)}`);
      if (!Number.isFinite(v)) throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${name} must contain only finite numbers, got ${v} at index ${j}`);
      T.data[j] = v;
    }
    return { T, classes: null, index: null };
  }
  if (task === 'multilabel') {
    if (!isMatrixLike(y)) {
      checkVectorLength(y, name, n);
      throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must be an ${n} × ${k} Matrix of 0/1 (one column per label) for a multi-label model, got a vector of ${n}`);
    }
    const T = targetMatrix(y, name, n, k, 'label');
    checkUnit(T, name);
    return { T, classes: known ?? indexClasses(k), index: null };
  }
  const width = task === 'binary' ? 1 : k;
  if (isMatrixLike(y)) {
    const T = targetMatrix(y, name, n, width, task === 'binary' ? 'target' : 'class');
    checkUnit(T, name);
    if (task === 'multiclass') {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let i = 0; i < k; i++) s += T.data[j * k + i]!;
        if (Math.abs(s - 1) > 1e-9 * k) throw new BlasnetRangeError('ERR_BLASNET_LABEL', `${name} rows must each sum to 1 (one-hot or probabilities), got ${s} in row ${j}`);
      }
    }
    const index = task === 'binary' ? Int32Array.from(T.data, (v) => (v >= 0.5 ? 1 : 0)) : argmaxRows(T);
    return { T, classes: known ?? indexClasses(k), index };
  }
  checkVectorLength(y, name, n);
  const classes = known ?? learnClasses(y, name, task === 'binary' ? 2 : k, task);
  const index = encodeLabels(y, classes, name);
  const T = new Matrix(n, width);
  if (task === 'binary') for (let j = 0; j < n; j++) T.data[j] = index[j]!;
  else for (let j = 0; j < n; j++) T.data[j * k + index[j]!] = 1;
  return { T, classes, index };
}

/** Per-class weights by index from the user's classWeight (by label, by index, or 'balanced'). */
export function classWeights(classWeight: unknown, classes: Classes | null, index: Int32Array | null, name: string): Float64Array | null {
  if (classWeight === undefined) return null;
  if (!classes || !index) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} needs class labels (a classifier given labels or one-hot targets), got ${describe(classWeight)}`);
  }
  const byIndex = classWeightByIndex(classWeight, classes, name);
  if (byIndex !== 'balanced') return byIndex;
  const k = classes.length, n = index.length, count = new Float64Array(k);
  for (let j = 0; j < n; j++) count[index[j]!]++;
  const present = count.filter((c) => c > 0).length;
  return Float64Array.from(count, (c) => (c > 0 ? n / (present * c) : 0));
}

/** The accuracy of predicted labels against the true labels y, y checked (and named) as the argument `y` first. */
export function labelAccuracy(y: unknown, pred: Float64Array | string[] | boolean[], classes: Classes): number {
  if (isMatrixLike(y)) {
    // Targets as fit takes them: an n × 1 column of 0/1 (binary) or n × k one-hot rows, read as labels.
    const cols = y instanceof Matrix ? y.cols : ((y as unknown[])[0] as unknown[]).length;
    const t = toTargets(y, 'y', pred.length, cols === 1 ? 'binary' : 'multiclass', cols === 1 ? 1 : classes.length, classes);
    return accuracyScore(decodeLabels(t.index!, classes) as Float64Array, pred as Float64Array);
  }
  checkVectorLength(y, 'y', pred.length);
  uniqueLabels(y, 'y'); // a NaN, a hole or mixed types named as the argument `y`
  return accuracyScore(y as Float64Array, pred as Float64Array);
}

/** Predicted labels from class indices. */
export function labelsOf(index: Int32Array, classes: Classes): Float64Array | string[] | boolean[] {
  return decodeLabels(index, classes);
}

/** The class index of each row of a probability matrix: the first largest column (k ≥ 2) or p ≥ 0.5 (k = 1). */
export function predictedIndex(P: Matrix): Int32Array {
  if (P.cols === 1) return Int32Array.from(P.data, (v) => (v >= 0.5 ? 1 : 0));
  return argmaxRows(P);
}

/** 0/1 per entry: p ≥ 0.5 (multi-label). */
export function thresholdMatrix(P: Matrix): Matrix {
  return new Matrix(P.rows, P.cols, Float64Array.from(P.data, (v) => (v >= 0.5 ? 1 : 0)));
}

/** n × 2 [1 − p, p] from one probability per row. */
export function twoColumns(p: Float64Array): Matrix {
  const out = new Matrix(p.length, 2);
  for (let j = 0; j < p.length; j++) {
    out.data[2 * j] = 1 - p[j]!;
    out.data[2 * j + 1] = p[j]!;
  }
  return out;
}

/** What `summary()` prints, on both models. */
export interface SummaryFields {
  kind: string;
  task: Task | null;
  layers: string;
  parameters: number;
  classes: Classes | null;
  inputScaling: boolean;
  backend: string;
  extra?: string[];
}

/** The short text of `summary()` and `toString()`. */
export function summaryText(s: SummaryFields): string {
  const lines = [
    `${s.kind} (${s.task ?? 'not fitted'})`,
    `  layers: ${s.layers}`,
    `  parameters: ${s.parameters}`,
    `  classes: ${s.classes ? preview(s.classes) : s.task === 'regression' ? 'none (regression)' : 'not learned yet'}`,
    `  input scaling: ${s.inputScaling ? 'standardize' : 'none'}`,
    ...(s.extra ?? []).map((e) => `  ${e}`),
    `  backend: ${s.backend}`,
  ];
  return lines.join('\n');
}

/**
 * Row weights of a fit: sampleWeight times the classWeight of each row's class; null when neither is given.
 * @throws ERR_BLASNET_ARG_TYPE, ERR_BLASNET_SHAPE, ERR_BLASNET_ARG_RANGE, ERR_BLASNET_LABEL
 */
export function fitRowWeights(sampleWeight: unknown, classWeight: unknown, targets: Targets, n: number): Float64Array | null {
  const byClass = classWeights(classWeight, targets.classes, targets.index, 'options.classWeight');
  const w = sampleWeights(sampleWeight, n);
  if (!byClass) return w;
  const out = w ?? new Float64Array(n).fill(1);
  let total = 0;
  for (let j = 0; j < n; j++) {
    out[j] = out[j]! * byClass[targets.index![j]!]!;
    total += out[j]!;
  }
  if (!(total > 0)) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', 'options.sampleWeight and options.classWeight must not give every row a weight of 0');
  if (!Number.isFinite(total)) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `options.sampleWeight and options.classWeight: the weights must sum to a finite number, got ${total}`);
  return out;
}

/**
 * X and y as a model reads them for a fit, its validation data or a score: through its tabular
 * preprocessing when it has one (rows without a target dropped, and for a fit with impute 'drop'
 * rows with a gap; y from the target column when omitted), then its input scaling; `plain` otherwise.
 * @internal
 */
export function modelRows(prep: Preprocessing | null, scaling: InputScaling | null, X: unknown, y: unknown, name: string, plain: () => Matrix, forFit = true): { M: Matrix; y: unknown; dropped?: number } {
  if (!prep) return { M: plain(), y };
  const rows = prep.trainingData(X, y, name, forFit);
  return { M: applyInputScaling(rows.X, scaling, name), y: rows.y, dropped: rows.dropped };
}
