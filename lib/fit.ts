// The one fit driver: the lifecycle every model's fit and fitSync share — the busy flag, the memory
// check, abort, the onProgress trap, dispatch to the native trainer (sync or AsyncWorker) or the
// reference one (inline or in a worker thread), installing θ, and the result. A model hands it a
// PreparedFit (validated data, config, a starting θ and training state, and a commit function); it
// never looks inside the model, and never validates options (lib/estimator.ts does). What a model
// takes from a fit: θ and the state that goes with it, on completion and on abort; nothing on
// divergence or on any other error (the model keeps what it had). A fit from a data source takes
// its batches from the user's source through lib/stream.ts BatchReader, read on the main thread
// while the trainer (native worker, reference worker thread, or this thread for fitSync) trains.
import { abortError, busyError, jobFlag, withCallerStack } from './async.js';
import { BlasnetError, DivergenceError, blasnetError } from './errors.js';
import { writeFileAtomic, writeFileAtomicSync } from './fileio.js';
import type { ModelJSON } from './format/types.js';
import { modelText } from './format/write.js';
import { MessageChannel, type TransferListItem } from 'node:worker_threads';
import type { NativeBatch, NativeFitFields, NativeFitHooks, NativeTrainConfig, ProgressRecord } from './native.js';
import { inlineTransport, QueuedBatches } from './reference/batches.js';
import { runFit, type FitJob, type FitModel, type FitOutcome } from './reference/jobs.js';
import { runInWorker } from './reference/pool.js';
import { BatchReader, prepareAsync, prepareSync, type BatchItem, type Preparation, type StreamPlan } from './stream.js';
import { cloneState, stateFromNative } from './train-state.js';
import type { Rows, StopReason, TrainConfig, TrainRecord, TrainState } from './train-types.js';
import { nativeConfig, progressRecord, resultFields, type FitProgress, type TrainingResultFields } from './training.js';
import { checkOptionsObject, optionalSignal } from './validate.js';

/** A native engine's fit entry points: the addon's logistic functions or a NativeNet, bound. */
export interface NativeFitter {
  fitSync(theta: Float64Array, X: Float64Array, n: number, Y: Float64Array, config: NativeTrainConfig,
    hooks?: NativeFitHooks, cancel?: Int32Array): NativeFitFields & { theta: Float64Array };
  fit(theta: Float64Array, X: Float64Array, n: number, Y: Float64Array, config: NativeTrainConfig,
    hooks: NativeFitHooks | undefined, cancel: Int32Array): Promise<NativeFitFields & { theta: Float64Array }>;
  fitStreamSync(theta: Float64Array, config: NativeTrainConfig, hooks: NativeFitHooks, cancel: Int32Array): NativeFitFields & { theta: Float64Array };
  fitStream(theta: Float64Array, config: NativeTrainConfig, hooks: NativeFitHooks, cancel: Int32Array): Promise<NativeFitFields & { theta: Float64Array }>;
}

/** Where a fit saves the model and how often (options.checkpoint), and the model's file for a θ and state. */
export interface CheckpointPlan {
  /** The file (checked). */
  path: string;
  /** Global epochs between two checkpoints (the config's checkpointEvery). */
  every: number;
  /** The model's JSON had the fit stopped with θ and `state` (what the model's save would write then). */
  json(theta: Float64Array, state: TrainState): ModelJSON;
}

/** Everything a fit needs, validated and owned: the driver runs it and nothing else. */
export interface PreparedFit {
  config: TrainConfig;
  onProgress: ((p: FitProgress) => void) | undefined;
  /** The rows of an in-memory fit, or null for a fit from a data source. */
  train: Rows | null;
  /** A fit from a data source: its source and how the model encodes a batch; null for an in-memory fit. */
  stream: StreamPlan | null;
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
  /** options.checkpoint, or null. */
  checkpoint: CheckpointPlan | null;
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
    // Checkpoints are written at once, on this thread; a failed write (or a failed source) stops the fit as an abort.
    const cancel = new Int32Array(1);
    const writer = p.checkpoint ? new CheckpointWriter(p.checkpoint, () => { cancel[0] = 1; }) : null;
    const reader = p.stream ? new BatchReader(p.stream, true) : null;
    let r: Outcome;
    try {
      if (p.native) {
        const hooks: NativeFitHooks = {};
        if (p.onProgress) hooks.progress = record;
        if (writer) hooks.checkpoint = (c) => writer.writeSync(c.theta, stateFromNative(p.state, c.state));
        const config = nativeConfig(p.config, p.validation, p.train?.weight ?? null, p.state);
        if (reader) {
          hooks.batch = (epoch, deliver) => { deliverNative(deliver, reader.readSync(epoch), reader); };
          r = nativeOutcome(p.native.fitStreamSync(p.theta.slice(), config, hooks, cancel), p);
        } else {
          const train = p.train!;
          r = nativeOutcome(p.native.fitSync(p.theta.slice(), train.X, train.n, train.Y, config, writer || p.onProgress ? hooks : undefined, cancel), p);
        }
      } else {
        const quiet = (rec: TrainRecord) => { try { record(rec); } catch { /* kept in `thrown` */ } };
        // The batches are copied as they are read: the next read runs the user's code while one is held.
        const source = reader ? new QueuedBatches(inlineTransport((epoch) => ownedItem(reader.readSync(epoch)))) : undefined;
        r = runFit(referenceJob(p), quiet, () => thrown !== null || cancel[0] !== 0, writer ? (theta, state) => writer.writeSync(theta, state) : undefined, source);
        if (thrown) throw (thrown as { value: unknown }).value;
      }
    } finally {
      reader?.close();
    }
    failedSource(r, p, reader?.error ?? null);
    failedCheckpoint(r, p, writer);
    return finish(r, p);
  } finally {
    lock.busy = false;
  }
}

/**
 * `fitSync(source, options)` for every model: runs the model's preparation (its passes over the
 * source: classes, validation data) on this thread, holding the model, then the fit.
 * @throws what runFitSync throws; what the preparation throws (the model unchanged)
 */
export function runSourceFitSync(lock: FitLock, prepare: () => Preparation<PreparedFit>): FitResult {
  if (lock.busy) throw busyError(lock.owner, 'fitSync');
  let p: PreparedFit;
  lock.busy = true;
  try {
    p = prepareSync(prepare());
  } finally {
    lock.busy = false;
  }
  return runFitSync(lock, p);
}

/**
 * `fit(source, options)` for every model: the model's preparation (its passes over the source:
 * classes, validation data; awaited, the model held meanwhile), then the fit off the main thread.
 * An abort during the preparation (checked between batches) rejects with an AbortError and leaves
 * the model as it was.
 */
export function startSourceFit(lock: FitLock, prepare: () => Preparation<PreparedFit>, options: unknown): Promise<FitResult> {
  const caller = new Error();
  try {
    if (lock.busy) throw busyError(lock.owner, 'fit');
    const signal = optionalSignal(checkOptionsObject(options, 'options').signal, 'options.signal');
    const gen = prepare();
    lock.busy = true;
    // The model stays held from the preparation to the fit: the lock passes to runFitAsync in the same callback.
    const job = prepareAsync(gen, signal).then((p) => {
      lock.busy = false;
      if (signal?.aborted) throw abortError(signal);
      return runFitAsync(lock, p, signal, caller);
    }, (e: unknown) => {
      lock.busy = false;
      throw e;
    });
    return withCallerStack(job, caller);
  } catch (e) {
    return Promise.reject(e);
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
  const writer = p.checkpoint ? new CheckpointWriter(p.checkpoint, onAbort) : null;
  const reader = p.stream ? new BatchReader(p.stream, false) : null;
  let settled = false, sourceError: { value: unknown } | null = null;
  let r: Outcome;
  try {
    const onProgress = p.onProgress, hooks: NativeFitHooks = {};
    if (onProgress) hooks.progress = (rec: ProgressRecord) => onProgress(progressRecord(rec));
    if (writer) hooks.checkpoint = (c) => writer.offer(c.theta, stateFromNative(p.state, c.state));
    const config = nativeConfig(p.config, p.validation, p.train?.weight ?? null, p.state);
    if (reader) {
      // One request at a time (the trainer asks for batch k + 1 as it takes batch k), answered when
      // the source has given it; nothing is delivered once the fit has settled.
      let chain = Promise.resolve();
      hooks.batch = (epoch, deliver) => {
        chain = chain.then(async () => {
          if (settled) return;
          const item = await reader.read(epoch);
          if (!settled) deliverNative(deliver, item, reader);
        }).catch((e: unknown) => {
          // Never expected (read and deliverNative keep their failures): stop the fit rather than leave it waiting.
          reader.error ??= { value: e };
          onAbort();
        });
      };
      r = nativeOutcome(await p.native!.fitStream(p.theta.slice(), config, hooks, cancel), p);
    } else {
      const train = p.train!;
      r = nativeOutcome(await p.native!.fit(p.theta.slice(), train.X, train.n, train.Y, config, writer || onProgress ? hooks : undefined, cancel), p);
    }
  } finally {
    settled = true;
    sourceError = reader?.error ?? null;
    reader?.close();
    release();
    signal?.removeEventListener('abort', onAbort);
    // No checkpoint is written after the fit settles: the last one is on disk before it does.
    await writer?.settled();
  }
  return finishAsync(r, p, signal, writer, sourceError);
}

async function fitReference(p: PreparedFit, signal: AbortSignal | undefined): Promise<FitResult> {
  const job = referenceJob(p);
  const transfer: TransferListItem[] = [job.theta.buffer, job.train?.X.buffer, job.train?.Y.buffer, job.train?.weight?.buffer,
    job.validation?.X.buffer, job.validation?.Y.buffer, job.state.optimizer.m.buffer, job.state.optimizer.v.buffer].filter((b) => b !== undefined) as ArrayBuffer[];
  const onProgress = p.onProgress;
  let stop = () => {};
  const writer = p.checkpoint ? new CheckpointWriter(p.checkpoint, () => stop()) : null;
  const reader = p.stream ? new BatchReader(p.stream, false) : null;
  let settled = false, sourceError: { value: unknown } | null = null;
  let onBatchRequest: ((epoch: number) => void) | undefined, closePort = () => {};
  if (reader) {
    // The worker blocks on `signal` until a batch arrives on its port (lib/reference/batches.ts).
    const { port1, port2 } = new MessageChannel();
    const wake = new Int32Array(new SharedArrayBuffer(4));
    job.stream = { port: port2, signal: wake };
    transfer.push(port2);
    closePort = () => port1.close();
    let chain = Promise.resolve();
    onBatchRequest = (epoch) => {
      chain = chain.then(async () => {
        if (settled) return;
        const item = ownedItem(await reader.read(epoch));
        if (settled) return;
        port1.postMessage(item, item.kind === 'batch' ? [item.X.buffer, item.Y.buffer, ...(item.weight ? [item.weight.buffer] : [])] as ArrayBuffer[] : []);
        Atomics.add(wake, 0, 1);
        Atomics.notify(wake, 0);
      }).catch((e: unknown) => {
        // Never expected (read keeps its failures): stop the fit rather than leave the worker waiting.
        reader.error ??= { value: e };
        stop();
      });
    };
  }
  const { promise, cancel } = runInWorker<FitOutcome>({ kind: 'fit', progress: onProgress !== undefined, job }, transfer, {
    onProgress: onProgress ? (r) => onProgress(progressRecord(r)) : undefined,
    onCheckpoint: writer ? (theta, state) => writer.offer(theta, state) : undefined,
    onBatchRequest,
  });
  stop = cancel;
  signal?.addEventListener('abort', cancel, { once: true });
  let r: FitOutcome;
  try {
    r = await promise;
  } finally {
    settled = true;
    sourceError = reader?.error ?? null;
    reader?.close();
    closePort();
    signal?.removeEventListener('abort', cancel);
    await writer?.settled();
  }
  return finishAsync(r, p, signal, writer, sourceError);
}

/** Hands a batch item to a native stream fit; a batch the addon refuses becomes the reader's failure. */
function deliverNative(deliver: (item: NativeBatch | null | false) => boolean, item: BatchItem, reader: BatchReader): void {
  const native = item.kind === 'batch' ? { X: item.X, Y: item.Y, n: item.n, ...(item.weight ? { weight: item.weight } : {}) } : item.kind === 'end' ? null : false;
  try {
    deliver(native);
  } catch (e) {
    reader.error ??= { value: e };
    deliver(false);
  }
}

/** A batch item whose arrays the receiver owns (copies): it is held while the user's code reads the next one, or handed to a worker thread. */
function ownedItem(item: BatchItem): BatchItem {
  if (item.kind !== 'batch') return item;
  return { kind: 'batch', X: item.X.slice(), Y: item.Y.slice(), weight: item.weight ? item.weight.slice() : null, n: item.n };
}

/**
 * A fit whose data source failed (its iterator threw, a batch was refused, an epoch had no batch):
 * the model commits what the fit ended with (the last completed step, as after an abort) and the
 * fit fails with the source's error, as thrown. A diverged fit still fails as diverged.
 */
function failedSource(r: Outcome, p: PreparedFit, error: { value: unknown } | null): void {
  if (!error || r.status === 'diverged') return;
  p.commit(r.theta, r.state, r.status === 'ok');
  throw error.value;
}

function finishAsync(r: Outcome, p: PreparedFit, signal: AbortSignal | undefined, writer: CheckpointWriter | null, sourceError: { value: unknown } | null): FitResult {
  failedSource(r, p, sourceError);
  failedCheckpoint(r, p, writer);
  if (r.status === 'aborted') {
    p.commit(r.theta, r.state, false);
    throw abortError(signal!);
  }
  return finish(r, p);
}

/**
 * A fit whose checkpoint could not be written: the model commits what the fit ended with (the last
 * completed step, as after an abort; all of it when the fit had completed meanwhile) and the fit
 * fails with the write's error. A diverged fit still fails as diverged, committing nothing.
 */
function failedCheckpoint(r: Outcome, p: PreparedFit, writer: CheckpointWriter | null): void {
  if (!writer?.error || r.status === 'diverged') return;
  p.commit(r.theta, r.state, r.status === 'ok');
  throw writer.error;
}

/**
 * Writes a fit's checkpoints (docs/training.md, "Checkpoints"): the model's file for each snapshot
 * the trainer hands over, atomically. Asynchronous fits: on the main thread, one write at a time;
 * a snapshot that arrives while a write is under way waits, and a newer one replaces it (the newest
 * wins: a checkpoint may be skipped, never written out of order). fitSync: at once (writeSync).
 * The first failure is kept (`error`, ERR_BLASNET_IO naming the path) and `stop` is called once.
 */
class CheckpointWriter {
  error: BlasnetError | null = null;
  readonly #plan: CheckpointPlan;
  readonly #stop: () => void;
  #next: { theta: Float64Array; state: TrainState } | null = null;
  #writing: Promise<void> | null = null;

  constructor(plan: CheckpointPlan, stop: () => void) {
    this.#plan = plan;
    this.#stop = stop;
  }

  /** Queues a snapshot (owned by the writer from now on); it is written when the write under way ends. */
  offer(theta: Float64Array, state: TrainState): void {
    if (this.error) return;
    this.#next = { theta, state };
    this.#writing ??= this.#drain();
  }

  /** Writes a snapshot now, on this thread (θ and the state are read during the call only). */
  writeSync(theta: Float64Array, state: TrainState): void {
    if (this.error) return;
    try {
      writeFileAtomicSync(this.#plan.path, modelText(this.#plan.json(theta, state)), 'the checkpoint');
    } catch (e) {
      this.#fail(e, state.epoch);
    }
  }

  /** Resolves once no write is under way or queued. */
  async settled(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#next && !this.error) {
        const { theta, state } = this.#next;
        this.#next = null;
        try {
          await writeFileAtomic(this.#plan.path, modelText(this.#plan.json(theta, state)), 'the checkpoint');
        } catch (e) {
          this.#fail(e, state.epoch);
        }
      }
    } finally {
      this.#writing = null;
    }
  }

  #fail(e: unknown, epoch: number): void {
    const detail = e instanceof Error ? e.message : String(e);
    // The cause is the file system's error (its code: ENOENT, EACCES, …), as for save.
    const cause = e instanceof BlasnetError && e.cause !== undefined ? e.cause : e;
    this.error = blasnetError('ERR_BLASNET_IO', `options.checkpoint: cannot write the checkpoint of epoch ${epoch} to ${JSON.stringify(this.#plan.path)}: ${detail}`, { cause });
    this.#stop();
  }
}

/** A reference job on copies of the fit's rows, θ and state: it may be transferred to a worker thread. */
function referenceJob(p: PreparedFit): FitJob {
  const copy = (r: Rows): Rows => ({ X: r.X.slice(), Y: r.Y.slice(), weight: r.weight ? r.weight.slice() : null, n: r.n });
  return {
    model: p.model, theta: p.theta.slice(), train: p.train ? copy(p.train) : null, validation: p.validation ? copy(p.validation) : null, config: p.config,
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
