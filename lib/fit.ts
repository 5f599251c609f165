// The one fit driver: the lifecycle every model's fit and fitSync share — the busy flag, the memory
// check, abort, the onProgress trap, dispatch to the native trainer (sync or AsyncWorker) or the
// reference one (inline or in a worker thread), installing θ, and the result. A model hands it a
// PreparedFit (validated data, config, a starting θ and training state, and a commit function); it
// never looks inside the model, and never validates options (lib/estimator.ts does). What a model
// takes from a fit: θ and the state that goes with it, on completion and on abort; nothing on
// divergence or on any other error (the model keeps what it had).
import { abortError, busyError, jobFlag, withCallerStack } from './async.js';
import { DivergenceError } from './errors.js';
import type { NativeFitFields, NativeTrainConfig, ProgressRecord } from './native.js';
import { runFit, type FitJob, type FitModel, type FitOutcome } from './reference/jobs.js';
import { runInWorker } from './reference/pool.js';
import { cloneState, stateFromNative } from './train-state.js';
import type { Rows, StopReason, TrainConfig, TrainRecord, TrainState } from './train-types.js';
import { nativeConfig, progressRecord, resultFields, type FitProgress, type TrainingResultFields } from './training.js';
import { checkOptionsObject, optionalSignal } from './validate.js';

/** A native engine's fit entry points: the addon's logistic functions or a NativeNet, bound. */
export interface NativeFitter {
  fitSync(theta: Float64Array, X: Float64Array, n: number, Y: Float64Array, config: NativeTrainConfig,
    onProgress?: (r: ProgressRecord) => void): NativeFitFields & { theta: Float64Array };
  fit(theta: Float64Array, X: Float64Array, n: number, Y: Float64Array, config: NativeTrainConfig,
    onProgress: ((r: ProgressRecord) => void) | undefined, cancel: Int32Array): Promise<NativeFitFields & { theta: Float64Array }>;
}

/** Everything a fit needs, validated and owned: the driver runs it and nothing else. */
export interface PreparedFit {
  config: TrainConfig;
  onProgress: ((p: FitProgress) => void) | undefined;
  train: Rows;
  validation: Rows | null;
  /** The starting θ; the fit trains a copy. */
  theta: Float64Array;
  /** The state the fit starts from (lib/train-state.ts startState); the fit trains a copy. */
  state: TrainState;
  /** Whether a warm start had to start the optimizer afresh (FitResult.optimizerReset). */
  optimizerReset: boolean;
  /** The model as the reference backend's runFit knows it. */
  model: FitModel;
  /** The native engine, or null on the reference backend. */
  native: NativeFitter | null;
  /** Throws ERR_BLASNET_OUT_OF_MEMORY when the job's buffers exceed the limit. */
  checkMemory(): void;
  /**
   * Installs what the fit ended with (θ, the training state that goes with it, and whatever the model
   * decided when it prepared the fit: classes, scalings). Called when the fit completed, and when it
   * was aborted (θ and state of the last completed step); never for a fit that diverged or failed.
   */
  commit(theta: Float64Array, state: TrainState, completed: boolean): void;
}

/**
 * What every fit returns, on both models.
 * @example const { costs, epochs, reason } = await model.fit(X, y);
 */
export interface FitResult extends TrainingResultFields {
  /** The cost every `recordEvery` epochs, from epoch 0 (the size-weighted mean of the epoch's batch costs). */
  costs: number[];
  /** Completed epochs (full-batch solvers: iterations). */
  epochs: number;
  /** Optimizer steps (batches; L-BFGS: iterations). */
  steps: number;
  /** The epoch of the best record (with earlyStopping). */
  bestEpoch?: number;
  /** J at the final parameters (optimizer 'lbfgs'). */
  finalCost?: number;
  /**
   * Rows of tabular data left out of the fit: a missing target, or (impute 'drop') a missing feature.
   * Present when the model has a tabular preprocessing.
   */
  droppedRows?: number;
  /**
   * True when `warmStart` was asked but the optimizer's state could not be continued, so the
   * optimizer started afresh (zero momentum velocity; Adam's moments at zero and its step count at
   * 0): the optimizer or one of its hyper-parameters other than the learning rate (`momentum`,
   * `beta1`, `beta2`, `epsilon`, `l2`) differs from the previous fit's, or the model had no state to
   * continue (never fitted, `setParameters`, a file written before format version 3). The epoch
   * counter and the early-stopping and plateau counters continue regardless. False for a fit
   * without `warmStart`, which starts everything afresh, and for a warm start that continued.
   */
  optimizerReset: boolean;
}

/** The per-model state the driver guards: one fit at a time. */
export interface FitLock {
  /** The model class's name, for messages. */
  readonly owner: string;
  busy: boolean;
}

/** What either backend's fit ended with, the state in the TS shape. */
type Outcome = (Omit<NativeFitFields, 'state'> | Omit<FitOutcome, 'state'>) & { theta: Float64Array; state: TrainState };

/** A native result with its state named as the fit's starting state names it. */
function nativeOutcome(r: NativeFitFields & { theta: Float64Array }, p: PreparedFit): Outcome {
  return { ...r, state: stateFromNative(p.state, r.state) };
}

/**
 * Runs a prepared fit on the calling thread.
 * @throws ERR_BLASNET_BUSY, ERR_BLASNET_OUT_OF_MEMORY, ERR_BLASNET_DIVERGED; a value thrown by onProgress, unchanged
 */
export function runFitSync(lock: FitLock, p: PreparedFit, method = 'fitSync'): FitResult {
  if (lock.busy) throw busyError(lock.owner, method);
  p.checkMemory();
  lock.busy = true;
  try {
    // A throwing onProgress stops the fit at the next record on both backends, and its value is
    // rethrown as it came, so a user's own error type survives.
    let thrown: { value: unknown } | null = null;
    const record = (r: TrainRecord | ProgressRecord) => {
      try {
        p.onProgress?.(progressRecord(r));
      } catch (e) {
        thrown = { value: e };
        throw e;
      }
    };
    let r: Outcome;
    if (p.native) {
      r = nativeOutcome(p.native.fitSync(p.theta.slice(), p.train.X, p.train.n, p.train.Y, nativeConfig(p.config, p.validation, p.train.weight, p.state),
        p.onProgress ? record : undefined), p);
    } else {
      const quiet = (rec: TrainRecord) => { try { record(rec); } catch { /* kept in `thrown` */ } };
      r = runFit(referenceJob(p), quiet, () => thrown !== null);
      if (thrown) throw (thrown as { value: unknown }).value;
    }
    return finish(r, p);
  } finally {
    lock.busy = false;
  }
}

/**
 * Runs a prepared fit off the main thread: an AsyncWorker on the native backend, a worker thread on
 * the reference one. Settles with the result, or rejects (busy, memory, abort, divergence).
 */
export function runFitAsync(lock: FitLock, p: PreparedFit, signal: AbortSignal | undefined, caller: Error): Promise<FitResult> {
  try {
    if (lock.busy) throw busyError(lock.owner, 'fit');
    if (signal?.aborted) throw abortError(signal);
    p.checkMemory();
  } catch (e) {
    return Promise.reject(e);
  }
  lock.busy = true;
  const job = p.native ? fitNative(p, signal) : fitReference(p, signal);
  return withCallerStack(job.finally(() => { lock.busy = false; }), caller);
}

/**
 * `fit`'s body for every model: prepares the fit (validation errors reject), reads `signal`, and runs
 * it off the main thread; the Promise carries the caller's stack.
 */
export function startFit(lock: FitLock, prepare: () => PreparedFit, options: unknown): Promise<FitResult> {
  const caller = new Error();
  try {
    const p = prepare();
    const signal = optionalSignal(checkOptionsObject(options, 'options').signal, 'options.signal');
    return runFitAsync(lock, p, signal, caller);
  } catch (e) {
    return Promise.reject(e);
  }
}

async function fitNative(p: PreparedFit, signal: AbortSignal | undefined): Promise<FitResult> {
  const { flag: cancel, release } = jobFlag();
  const onAbort = () => { cancel[0] = 1; };
  signal?.addEventListener('abort', onAbort, { once: true });
  let r: Outcome;
  try {
    const onProgress = p.onProgress;
    r = nativeOutcome(await p.native!.fit(p.theta.slice(), p.train.X, p.train.n, p.train.Y, nativeConfig(p.config, p.validation, p.train.weight, p.state),
      onProgress ? (rec: ProgressRecord) => onProgress(progressRecord(rec)) : undefined, cancel), p);
  } finally {
    release();
    signal?.removeEventListener('abort', onAbort);
  }
  return finishAsync(r, p, signal);
}

async function fitReference(p: PreparedFit, signal: AbortSignal | undefined): Promise<FitResult> {
  const job = referenceJob(p);
  const buffers = [job.theta.buffer, job.train.X.buffer, job.train.Y.buffer, job.train.weight?.buffer,
    job.validation?.X.buffer, job.validation?.Y.buffer, job.state.optimizer.m.buffer, job.state.optimizer.v.buffer].filter((b) => b !== undefined) as ArrayBuffer[];
  const onProgress = p.onProgress;
  const { promise, cancel } = runInWorker<FitOutcome>({ kind: 'fit', progress: onProgress !== undefined, job }, buffers,
    onProgress ? (r) => onProgress(progressRecord(r)) : undefined);
  signal?.addEventListener('abort', cancel, { once: true });
  let r: FitOutcome;
  try {
    r = await promise;
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
  return finishAsync(r, p, signal);
}

function finishAsync(r: Outcome, p: PreparedFit, signal: AbortSignal | undefined): FitResult {
  if (r.status === 'aborted') {
    p.commit(r.theta, r.state, false);
    throw abortError(signal!);
  }
  return finish(r, p);
}

/** A reference job on copies of the fit's rows, θ and state: it may be transferred to a worker thread. */
function referenceJob(p: PreparedFit): FitJob {
  const copy = (r: Rows): Rows => ({ X: r.X.slice(), Y: r.Y.slice(), weight: r.weight ? r.weight.slice() : null, n: r.n });
  return {
    model: p.model, theta: p.theta.slice(), train: copy(p.train), validation: p.validation ? copy(p.validation) : null, config: p.config,
    state: cloneState(p.state),
  };
}

/** Installs θ and the state and builds the result; a diverged fit installs nothing (the model keeps what it had) and throws. */
function finish(r: Outcome, p: PreparedFit): FitResult {
  if (r.status === 'diverged') {
    // A finite last cost means the 1e6 × rule fired: the message names the first recorded cost.
    const firstCost = r.costs.length > 0 ? r.costs[0] : undefined;
    throw new DivergenceError(r.steps, r.lastCost, Number.isFinite(r.lastCost) && firstCost !== undefined ? { firstCost } : undefined);
  }
  p.commit(r.theta, r.state, true);
  const out: FitResult = {
    costs: Array.from(r.costs), epochs: r.epochs, steps: r.steps, ...resultFields(r, p.config, p.validation !== null), optimizerReset: p.optimizerReset,
  };
  if (p.config.earlyStopping && r.bestEpoch !== undefined) out.bestEpoch = r.bestEpoch;
  if (p.config.optimizer === 'lbfgs') out.finalCost = r.lastCost;
  return out;
}

export type { StopReason };

/**
 * A fit's result with the rows of tabular data it left out (`droppedRows`), when the model's
 * preprocessing read the data (`dropped.rows` set while preparing the fit).
 * @internal
 */
export function withDropped(r: FitResult, dropped: { rows?: number }): FitResult {
  return dropped.rows === undefined ? r : { ...r, droppedRows: dropped.rows };
}
