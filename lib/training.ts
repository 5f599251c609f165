// The training options both models share — validation (given or split off), early stopping,
// learning-rate schedules, the plateau rule — validated and normalised into the reference
// TrainConfig's shape, plus the flattening into the addon's NativeTrainConfig and the result
// fields both models report. Validates and normalises only: never trains, never imports a model.
// The codes the addon gave at load (native/codes.h): nativeConfig runs only once it has loaded.
import { MONITOR_CODE, OPTIMIZER_CODE, SCHEDULE_CODE } from './codes.js';
import { BlasnetRangeError, BlasnetTypeError, describe } from './errors.js';
import type { Matrix } from './matrix.js';
import type { NativeTrainConfig } from './native.js';
import { nativeState } from './train-state.js';
import { Random } from './random.js';
import type { EarlyStoppingConfig, MonitorName, PlateauConfig, Rows, ScheduleConfig, StopReason, TrainConfig, TrainRecord, TrainState } from './train-types.js';
import { checkKnownKeys, checkOptionsObject, integerInRange, isDetached, nonNegativeNumber, oneOf } from './validate.js';

export type { EarlyStoppingConfig, MonitorName, PlateauConfig, ScheduleConfig, StopReason } from './train-types.js';

/**
 * Early stopping as the user writes it; every field has a default.
 * @example net.fitSync(X, y, { validationSplit: 0.2, earlyStopping: { monitor: 'validationCost', patience: 20 } });
 */
export interface EarlyStoppingOption {
  /** What to watch. Default 'validationCost' when there is validation data, else 'cost'. */
  monitor?: MonitorName;
  /** Records without an improvement larger than `minDelta` before stopping. Default 10. */
  patience?: number;
  /** Default 0. */
  minDelta?: number;
  /** End with the parameters of the best record. Default true. */
  restoreBest?: boolean;
}

/**
 * A learning-rate schedule over the epochs (iterations) e of E: `step` α₀·factor^⌊e/every⌋,
 * `exponential` α₀·factor^e, `cosine` α_min + (α₀ − α_min)(1 + cos(π e/E))/2.
 * @example net.fitSync(X, y, { epochs: 100, schedule: { type: 'step', every: 30, factor: 0.1 } });
 */
export type ScheduleOption =
  | {
    /** α₀·factor^⌊e/every⌋ */
    type: 'step';
    /** Epochs per step, ≥ 1. */
    every: number;
    /** In (0, 1). */
    factor: number;
  }
  | {
    /** α₀·factor^e */
    type: 'exponential';
    /** In (0, 1). */
    factor: number;
  }
  | {
    /** α_min + (α₀ − α_min)(1 + cos(π e/E))/2 */
    type: 'cosine';
    /** α_min, below the learning rate. Default 0. */
    minLearningRate?: number;
  };

/**
 * The plateau rule: the learning rate is multiplied by `factor` after `patience` records without improvement.
 * @example model.fitSync(X, y, { validationSplit: 0.2, reduceOnPlateau: { patience: 5, factor: 0.5 } });
 */
export interface PlateauOption {
  /** Default as for earlyStopping. */
  monitor?: MonitorName;
  /** Default 10. */
  patience?: number;
  /** Multiplies the learning rate; in (0, 1). Default 0.1. */
  factor?: number;
  /** The floor. Default 0. */
  minLearningRate?: number;
}

/**
 * A progress record: the epoch (iteration), J, and what else the fit tracks.
 * @example await net.fit(X, y, { validationSplit: 0.2, onProgress: ({ iteration, cost, validationCost }) => log(iteration, cost, validationCost) });
 */
export interface FitProgress {
  /** The epoch (network) or iteration (logistic regression) this record is about. */
  iteration: number;
  /** J of the training rows (the size-weighted mean of the epoch's batch costs). */
  cost: number;
  /** Present when the fit has validation data. */
  validationCost?: number;
  /** Present when the fit has validation data and the model is a classifier. */
  validationAccuracy?: number;
  /** The learning rate in use (absent for L-BFGS). */
  learningRate?: number;
}

/**
 * The result fields both models report besides their costs.
 * @example const { validationCosts, stoppedEarly, reason } = net.fitSync(X, y, { validationSplit: 0.2 });
 */
export interface TrainingResultFields {
  /** Validation cost at every record (present with validation data). */
  validationCosts?: number[];
  /** Validation accuracy in [0, 1] at every record (with validation data, classifiers only). */
  validationAccuracies?: number[];
  /** The learning rate at every record (first-order solvers). */
  learningRates?: number[];
  /** Whether early stopping ended the fit. */
  stoppedEarly: boolean;
  /** The best value of the monitored quantity (with earlyStopping). */
  bestValue?: number;
  /** Why the fit ended. */
  reason: StopReason;
}

export interface SharedOptions {
  earlyStopping: EarlyStoppingConfig | null;
  schedule: ScheduleConfig | null;
  reduceOnPlateau: PlateauConfig | null;
  validationSplit: number | null;
  validation: { X: unknown; Y: unknown } | null;
}

const MONITORS: readonly MonitorName[] = ['validationCost', 'validationAccuracy', 'cost'];

function openUnit(value: unknown, name: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a number, got ${describe(value)}`);
  if (!(value > 0 && value < 1)) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `${name} must be in (0, 1), got ${describe(value)}`);
  return value;
}

function booleanOption(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a boolean, got ${describe(value)}`);
  return value;
}

function monitorOption(value: unknown, name: string, hasValidation: boolean, classifier: boolean): MonitorName {
  const monitor = oneOf(value, name, MONITORS, hasValidation ? 'validationCost' : 'cost');
  if (monitor !== 'cost' && !hasValidation) {
    throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `${name} '${monitor}' needs validation data (options.validation or options.validationSplit), got neither`);
  }
  if (monitor === 'validationAccuracy' && !classifier) {
    throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `${name} 'validationAccuracy' needs a classifier (loss 'cross-entropy'), got a model with loss 'mse'`);
  }
  return monitor;
}

/**
 * Validates the shared options of `o` (a fit's options object, unknown keys already rejected).
 * @param classifier - whether the model reports accuracies (validationAccuracy can be monitored)
 * @param epochs - the epoch count the cosine schedule spans
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE; {RangeError} ERR_BLASNET_ARG_RANGE
 */
export function parseSharedOptions(o: Record<string, unknown>, classifier: boolean): SharedOptions {
  let validation: SharedOptions['validation'] = null;
  if (o.validation !== undefined) {
    const v = checkOptionsObject(o.validation, 'options.validation');
    checkKnownKeys(v, 'options.validation', ['X', 'y', 'Y']);
    if (v.y !== undefined && v.Y !== undefined) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', 'options.validation takes { X, y } (Y is an alias), got both y and Y');
    const Y = v.y ?? v.Y;
    if (v.X === undefined || Y === undefined) {
      throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.validation must be { X, y }, got ${Object.keys(v).length === 0 ? 'no keys' : `the keys ${Object.keys(v).join(', ')}`}`);
    }
    validation = { X: v.X, Y };
  }
  const validationSplit = o.validationSplit === undefined ? null : openUnit(o.validationSplit, 'options.validationSplit');
  if (validation && validationSplit !== null) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', 'options.validation and options.validationSplit are exclusive; got both');
  }
  const hasValidation = validation !== null || validationSplit !== null;

  let earlyStopping: EarlyStoppingConfig | null = null;
  if (o.earlyStopping !== undefined) {
    const e = checkOptionsObject(o.earlyStopping, 'options.earlyStopping');
    checkKnownKeys(e, 'options.earlyStopping', ['monitor', 'patience', 'minDelta', 'restoreBest']);
    earlyStopping = {
      monitor: monitorOption(e.monitor, 'options.earlyStopping.monitor', hasValidation, classifier),
      patience: integerInRange(e.patience, 'options.earlyStopping.patience', 10, 1),
      minDelta: nonNegativeNumber(e.minDelta, 'options.earlyStopping.minDelta', 0),
      restoreBest: booleanOption(e.restoreBest, 'options.earlyStopping.restoreBest', true),
    };
  }

  let schedule: ScheduleConfig | null = null;
  if (o.schedule !== undefined) {
    const s = checkOptionsObject(o.schedule, 'options.schedule');
    const type = oneOf(s.type, 'options.schedule.type', ['step', 'exponential', 'cosine'] as const, 'step');
    if (s.type === undefined) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', "options.schedule.type must be one of 'step' | 'exponential' | 'cosine', got undefined");
    if (type === 'step') {
      checkKnownKeys(s, 'options.schedule', ['type', 'every', 'factor']);
      if (s.every === undefined) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', 'options.schedule.every must be an integer ≥ 1 for a step schedule, got undefined');
      schedule = { type, every: integerInRange(s.every, 'options.schedule.every', 1, 1), factor: openUnit(s.factor, 'options.schedule.factor') };
    } else if (type === 'exponential') {
      checkKnownKeys(s, 'options.schedule', ['type', 'factor']);
      schedule = { type, factor: openUnit(s.factor, 'options.schedule.factor') };
    } else {
      checkKnownKeys(s, 'options.schedule', ['type', 'minLearningRate']);
      schedule = { type, minLearningRate: nonNegativeNumber(s.minLearningRate, 'options.schedule.minLearningRate', 0) };
    }
  }

  let reduceOnPlateau: PlateauConfig | null = null;
  if (o.reduceOnPlateau !== undefined) {
    if (schedule) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', 'options.schedule and options.reduceOnPlateau are exclusive; got both');
    const p = checkOptionsObject(o.reduceOnPlateau, 'options.reduceOnPlateau');
    checkKnownKeys(p, 'options.reduceOnPlateau', ['monitor', 'patience', 'factor', 'minLearningRate']);
    reduceOnPlateau = {
      monitor: monitorOption(p.monitor, 'options.reduceOnPlateau.monitor', hasValidation, classifier),
      patience: integerInRange(p.patience, 'options.reduceOnPlateau.patience', 10, 1),
      factor: openUnit(p.factor, 'options.reduceOnPlateau.factor', 0.1),
      minLearningRate: nonNegativeNumber(p.minLearningRate, 'options.reduceOnPlateau.minLearningRate', 0),
    };
  }
  return { earlyStopping, schedule, reduceOnPlateau, validationSplit, validation };
}

/**
 * The per-row weights a user gave (`sampleWeight`), validated into a fresh Float64Array, or null when
 * none was given. Class weights multiply them in lib/estimator.ts (fitRowWeights), which knows the classes.
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE, ERR_BLASNET_DETACHED; {RangeError} ERR_BLASNET_SHAPE, ERR_BLASNET_ARG_RANGE
 */
export function sampleWeights(sw: unknown, n: number, name = 'options.sampleWeight', allowZeroTotal = false): Float64Array | null {
  if (sw === undefined) return null;
  if (!(sw instanceof Float64Array || Array.isArray(sw))) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a Float64Array or number[] of ${n} weights, got ${describe(sw)}`);
  }
  if (sw instanceof Float64Array && isDetached(sw.buffer)) {
    throw new BlasnetTypeError('ERR_BLASNET_DETACHED', `${name} is backed by a detached ArrayBuffer; expected a live buffer`);
  }
  if (sw.length !== n) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must have one weight per row of X (${n}), got ${sw.length}`);
  const w = new Float64Array(n);
  let total = 0;
  for (let j = 0; j < n; j++) {
    const v = (sw as ArrayLike<unknown>)[j];
    if (typeof v !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name}[${j}] must be a number, got ${describe(v)}`);
    if (!(Number.isFinite(v) && v >= 0)) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `${name}[${j}] must be a finite number ≥ 0, got ${describe(v)}`);
    w[j] = v;
    total += v;
  }
  // A batch of a data source may weigh 0 in all (it takes no step); a whole data set may not.
  if (!(total > 0) && !allowZeroTotal) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `${name} must not give every row a weight of 0`);
  if (!Number.isFinite(total)) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `${name}: the weights must sum to a finite number, got ${total}`);
  return w;
}

/** Checks that a cosine schedule's floor is below the starting rate. */
export function checkScheduleAgainstRate(schedule: ScheduleConfig | null, learningRate: number): void {
  if (schedule?.type === 'cosine' && !(schedule.minLearningRate < learningRate)) {
    throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `options.schedule.minLearningRate must be below the learning rate (${learningRate}), got ${schedule.minLearningRate}`);
  }
}

/**
 * The held-out rows of a validationSplit: a seeded random subset of round(fraction · n) rows (at least
 * 1, at most n − 1), drawn by shuffling 0..n−1 with Random(seed ^ 0x7a1d5eed) and taking the first
 * ones; both subsets keep the rows' original order. The same seed and n always give the same split.
 * @throws {RangeError} ERR_BLASNET_SHAPE when n < 2
 */
export function splitIndices(n: number, fraction: number, seed: number): { train: Uint32Array; validation: Uint32Array } {
  if (n < 2) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `options.validationSplit needs at least 2 rows of X, got ${n}`);
  const nv = Math.min(n - 1, Math.max(1, Math.round(fraction * n)));
  const order = Uint32Array.from({ length: n }, (_, j) => j);
  new Random((seed ^ 0x7a1d5eed) >>> 0).shuffle(order);
  const held = new Uint8Array(n);
  for (let k = 0; k < nv; k++) held[order[k]!] = 1;
  const train = new Uint32Array(n - nv), validation = new Uint32Array(nv);
  let t = 0, v = 0;
  for (let j = 0; j < n; j++) {
    if (held[j]) validation[v++] = j;
    else train[t++] = j;
  }
  return { train, validation };
}

/** The rows idx of a row-major matrix with `width` values per row, as a new array. */
export function takeRows(data: Float64Array, width: number, idx: Uint32Array): Float64Array {
  const out = new Float64Array(idx.length * width);
  for (let k = 0; k < idx.length; k++) out.set(data.subarray(idx[k]! * width, idx[k]! * width + width), k * width);
  return out;
}

/** The training and validation rows of a fit, after a validationSplit if there is one. */
export function splitData(X: Matrix, Y: Matrix, weight: Float64Array | null, fraction: number | null, seed: number,
  validation: { X: Matrix; Y: Matrix } | null): { train: Rows; validation: Rows | null } {
  if (fraction === null) {
    return {
      train: { X: X.data, Y: Y.data, weight, n: X.rows },
      validation: validation ? { X: validation.X.data, Y: validation.Y.data, weight: null, n: validation.X.rows } : null,
    };
  }
  const { train, validation: held } = splitIndices(X.rows, fraction, seed);
  const w = weight ? Float64Array.from(train, (j) => weight[j]!) : null;
  return {
    train: { X: takeRows(X.data, X.cols, train), Y: takeRows(Y.data, Y.cols, train), weight: w, n: train.length },
    validation: { X: takeRows(X.data, X.cols, held), Y: takeRows(Y.data, Y.cols, held), weight: null, n: held.length },
  };
}


/** The addon's view of a TrainConfig, the fit's extra rows and the state it starts from: numbers and Float64Arrays only. */
export function nativeConfig(c: TrainConfig, validation: Rows | null, weight: Float64Array | null, state: TrainState): NativeTrainConfig {
  const es = c.earlyStopping, s = c.schedule, p = c.reduceOnPlateau;
  return {
    epochs: c.epochs, batchSize: c.batchSize, shuffle: c.shuffle ? 1 : 0, shuffleSeed: c.shuffleSeed,
    optimizer: OPTIMIZER_CODE[c.optimizer], learningRate: c.learningRate, beta: c.beta, beta1: c.beta1, beta2: c.beta2,
    eps: c.eps, l2: c.l2, recordEvery: c.recordEvery, tolerance: c.tolerance, lbfgsMemory: c.lbfgsMemory,
    earlyStopping: es ? { monitor: MONITOR_CODE[es.monitor], patience: es.patience, minDelta: es.minDelta, restoreBest: es.restoreBest ? 1 : 0 } : undefined,
    schedule: s ? {
      type: SCHEDULE_CODE[s.type], every: s.type === 'step' ? s.every : 1, factor: s.type === 'cosine' ? 1 : s.factor,
      minLearningRate: s.type === 'cosine' ? s.minLearningRate : 0,
    } : undefined,
    reduceOnPlateau: p ? { monitor: MONITOR_CODE[p.monitor], patience: p.patience, factor: p.factor, minLearningRate: p.minLearningRate } : undefined,
    validationN: validation ? validation.n : 0,
    validationX: validation ? validation.X : undefined,
    validationY: validation ? validation.Y : undefined,
    sampleWeight: weight ?? undefined,
    state: nativeState(state),
    checkpointEvery: c.checkpointEvery,
  };
}

/** The shared result fields from what a trainer (either backend) collected. */
export function resultFields(r: {
  reason: StopReason; stoppedEarly: boolean; bestValue?: number;
  validationCosts: ArrayLike<number>; validationAccuracies: ArrayLike<number>; learningRates: ArrayLike<number>;
}, cfg: TrainConfig, hasValidation: boolean): TrainingResultFields {
  const out: TrainingResultFields = { stoppedEarly: r.stoppedEarly, reason: r.reason };
  if (hasValidation) {
    out.validationCosts = Array.from(r.validationCosts);
    if (r.validationAccuracies.length > 0) out.validationAccuracies = Array.from(r.validationAccuracies);
  }
  if (cfg.optimizer !== 'lbfgs') out.learningRates = Array.from(r.learningRates);
  if (cfg.earlyStopping && r.bestValue !== undefined) out.bestValue = r.bestValue;
  return out;
}

/** A progress record for the user's callback from a trainer record. */
export function progressRecord(r: TrainRecord | FitProgress): FitProgress {
  const p: FitProgress = { iteration: 'epoch' in r ? r.epoch : r.iteration, cost: r.cost };
  if (r.validationCost !== undefined) p.validationCost = r.validationCost;
  if (r.validationAccuracy !== undefined) p.validationAccuracy = r.validationAccuracy;
  if (r.learningRate !== undefined) p.learningRate = r.learningRate;
  return p;
}

