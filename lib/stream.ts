// Fits from a data source (docs/training.md, "Fits from a data source"): the types a user writes,
// the checks of a source and of its batches, the passes a fit makes while it is prepared (classes,
// validation data, the first batch), and the reader that answers a running fit's requests for
// batches on the main thread (the user's iterator runs here; the trainer runs in the native worker
// or the reference worker thread, one batch behind). Knows no model and no backend: a model hands
// in how to encode a batch, the fit driver (lib/fit.ts) moves the batches.
import { abortError } from './async.js';
import { BlasnetTypeError, blasnetError, describe } from './errors.js';
import { uniqueLabels, unionLabels } from './labels.js';
import type { Matrix } from './matrix.js';
import { Table } from './tabular/table.js';
import type { Rows } from './train-types.js';
import { checkKnownKeys } from './validate.js';

/**
 * One batch of a data source: rows X and their targets y (as `fit` takes them; omitted for a Table
 * or records when the model's preprocessing has a target column), and optional per-row weights.
 * @example const batch: TrainingBatch = { X: [[0.1, 2], [0.3, 1]], y: ['no', 'yes'] };
 */
export interface TrainingBatch {
  /** The batch's rows: a Matrix or number[][], or (a model with a tabular preprocessing) a Table or records. */
  X: Matrix | number[][] | Table | readonly Record<string, unknown>[];
  /** Their targets, in any form `fit` accepts. */
  y?: unknown;
  /** Per-row weights ≥ 0 (a batch whose weights are all 0 takes no step). */
  sampleWeight?: Float64Array | number[];
}

/**
 * A data source: a function called once per epoch (at the start of it, with the global epoch about
 * to be trained) that returns the epoch's batches, an iterable or an async iterable (a generator, an
 * async generator, an array, a stream of objects). A batch is a TrainingBatch, or a Table alone (for
 * a model whose preprocessing has a target column). `fit` accepts both kinds; `fitSync` synchronous
 * iterables only.
 * @example
 * const scan = await scanCsv('big.csv', { target: 'label' });
 * await net.fit((epoch) => csvBatches('big.csv', scan, { batchSize: 200, epoch }), { epochs: 5 });
 */
export type DataSource = (epoch: number) => Iterable<TrainingBatch | Table> | AsyncIterable<TrainingBatch | Table>;

/**
 * A data source for `fitSync`: each call returns a synchronous iterable of batches.
 * @example net.fitSync(() => [{ X: X1, y: y1 }, { X: X2, y: y2 }], { epochs: 10 });
 */
export type SyncDataSource = (epoch: number) => Iterable<TrainingBatch | Table>;

/** Whether fit's first argument is a data source (a function) rather than X. */
export function isDataSource(x: unknown): x is DataSource {
  return typeof x === 'function';
}

/** One answer to a running fit's request for a batch: the wire format between the reader and the trainers. */
export type BatchItem =
  | { kind: 'batch'; X: Float64Array; Y: Float64Array; weight: Float64Array | null; n: number }
  | { kind: 'end' }
  | { kind: 'failed' };

/** A batch encoded by the model: the trainer's rows (owned or not: the trainers copy them), and the rows it dropped. */
export interface EncodedBatch {
  rows: Rows;
  dropped: number;
}

/** An epoch's iterator opened while the fit was prepared, with the first result it gave. */
export interface PrimedEpoch {
  epoch: number;
  iterator: Iterator<unknown> | AsyncIterator<unknown>;
  first: IteratorResult<unknown>;
}

/** What a fit from a data source reads while it trains (PreparedFit.stream). */
export interface StreamPlan {
  /** The user's source: called once per epoch the fit trains. */
  source: DataSource;
  /** A batch validated and encoded into the trainer's rows; `at` names it in messages ('batch 3 (epoch 0)'). Throws a coded error naming the field. */
  encode(batch: unknown, at: string): EncodedBatch;
  /** The first epoch's iterator, opened while preparing (to read the feature count from its first batch), or null. */
  primed: PrimedEpoch | null;
  /** Rows per training batch, the source's rows cut to it (options.batchSize), or 0: each batch of the source is one. */
  batchSize: number;
  /** The rows dropped in the first epoch the fit read (a model with a tabular preprocessing), set as it reads: FitResult.droppedRows; null for other models. */
  dropped: { rows?: number } | null;
}

/**
 * A batch object's fields, checked: a plain object { X, y?, sampleWeight? } (Y is an alias of y), or
 * a Table (X, its y from the model's target column).
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE naming the batch
 */
export function batchFields(value: unknown, at: string): { X: unknown; y: unknown; sampleWeight: unknown } {
  if (value instanceof Table) return { X: value, y: undefined, sampleWeight: undefined };
  if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${at} must be an object { X, y, sampleWeight? } or a Table, got ${describe(value)}`);
  }
  const o = value as Record<string, unknown>;
  checkKnownKeys(o, at, ['X', 'y', 'Y', 'sampleWeight']);
  if (o.y !== undefined && o.Y !== undefined) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${at} takes { X, y } (Y is an alias), got both y and Y`);
  if (o.X === undefined) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${at} has no X: a batch is { X, y, sampleWeight? }`);
  return { X: o.X, y: o.y ?? o.Y, sampleWeight: o.sampleWeight };
}

/**
 * The iterator of one epoch of `source` (called now, with the global epoch). Synchronous mode
 * (fitSync) takes iterables only; asynchronous mode prefers Symbol.asyncIterator.
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE when the source returns something else, or
 *   (sync) an async iterable; what the source throws, unchanged
 */
export function openEpoch(source: DataSource, sync: boolean, name: string, epoch: number): Iterator<unknown> | AsyncIterator<unknown> {
  const it = source(epoch) as unknown;
  const has = (sym: symbol) => it !== null && (typeof it === 'object' || typeof it === 'function') && typeof (it as Record<symbol, unknown>)[sym] === 'function';
  if (!sync && has(Symbol.asyncIterator)) return (it as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  if (has(Symbol.iterator)) return (it as Iterable<unknown>)[Symbol.iterator]();
  if (has(Symbol.asyncIterator)) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} returned an async iterable: fitSync reads synchronous iterables only (use fit, which takes both)`);
  }
  throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must return an iterable or an async iterable of batches { X, y, sampleWeight? }, got ${describe(it)}`);
}

/** An iterator result, checked. */
function result(r: unknown, name: string): IteratorResult<unknown> {
  if (r === null || typeof r !== 'object') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name}'s iterator returned ${describe(r)} from next(), not an iterator result { value, done }`);
  return r as IteratorResult<unknown>;
}

/** Closes an iterator that was not read to its end (its return(), if any; a returned Promise is not awaited, its rejection ignored). */
export function closeIterator(it: Iterator<unknown> | AsyncIterator<unknown> | null): void {
  if (!it || typeof it.return !== 'function') return;
  try {
    const r = it.return() as unknown;
    if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then(undefined, () => {});
  } catch {
    // the iterator failed to close: nothing more to do with it
  }
}

/**
 * What preparing a fit from a source asks of the driver: read one whole pass of a source (called with
 * `epoch`, the fit's first), handing each batch to `visit` (which returns false to stop early), or
 * open epoch `epoch` and read its first result (kept for the fit: PrimedEpoch).
 */
export type SourceRequest =
  | { kind: 'pass'; source: DataSource; name: string; epoch: number; visit: (batch: unknown, at: string) => boolean | void }
  | { kind: 'prime'; source: DataSource; name: string; epoch: number };

/** A fit's preparation, written once for fitSync and fit: it yields SourceRequests and returns what it prepared. */
export type Preparation<T> = Generator<SourceRequest, T, PrimedEpoch | undefined>;

/** Runs a preparation on this thread (fitSync: synchronous iterables only). */
export function prepareSync<T>(gen: Preparation<T>): T {
  let input: PrimedEpoch | undefined;
  for (;;) {
    const step = gen.next(input);
    if (step.done) return step.value;
    const req = step.value;
    const it = openEpoch(req.source, true, req.name, req.epoch) as Iterator<unknown>;
    if (req.kind === 'prime') {
      input = { epoch: req.epoch, iterator: it, first: result(it.next(), req.name) };
      continue;
    }
    input = undefined;
    let done = false;
    try {
      for (let k = 0; ; k++) {
        const r = result(it.next(), req.name);
        if (r.done) {
          done = true;
          break;
        }
        if (req.visit(r.value, `batch ${k} of ${req.name}`) === false) break;
      }
    } finally {
      if (!done) closeIterator(it);
    }
  }
}

/** Runs a preparation, awaiting the iterators (fit: iterables and async iterables); `signal` aborts a pass between two batches. */
export async function prepareAsync<T>(gen: Preparation<T>, signal?: AbortSignal): Promise<T> {
  let input: PrimedEpoch | undefined;
  for (;;) {
    const step = gen.next(input);
    if (step.done) return step.value;
    const req = step.value;
    const it = openEpoch(req.source, false, req.name, req.epoch);
    if (req.kind === 'prime') {
      input = { epoch: req.epoch, iterator: it, first: result(await it.next(), req.name) };
      continue;
    }
    input = undefined;
    let done = false;
    try {
      for (let k = 0; ; k++) {
        const r = result(await it.next(), req.name);
        if (r.done) {
          done = true;
          break;
        }
        if (signal?.aborted) throw abortError(signal);
        if (req.visit(r.value, `batch ${k} of ${req.name}`) === false) break;
      }
    } finally {
      if (!done) closeIterator(it);
    }
  }
}

/**
 * Answers a running fit's requests for batches (native/stream.h BatchQueue, lib/reference/batches.ts)
 * from the user's source, on the main thread: request(e) calls the source for epoch e and reads its
 * first batch, request(−1) the open epoch's next one; each answer is one BatchItem. Without
 * `plan.batchSize` each batch of the source is one training batch (a batch the model drops entirely,
 * tabular rows without a target, is skipped); with it, the source's rows, in order, are cut into
 * batches of that many rows (the epoch's last one shorter), whatever its own batches are. The first
 * failure — what the source or its iterator threw (kept as thrown), a batch the model refuses (a
 * coded error naming it), an epoch without a row — is kept in `error`, answered 'failed', and the
 * iterator closed.
 */
export class BatchReader {
  /** The first failure, as thrown, or null. */
  error: { value: unknown } | null = null;
  readonly #plan: StreamPlan;
  readonly #sync: boolean;
  #iterator: Iterator<unknown> | AsyncIterator<unknown> | null = null;
  #pending: IteratorResult<unknown> | null = null;
  #epoch = -1;
  /** The source's batches read this epoch, the training batches given, the rows dropped. */
  #k = 0;
  #given = 0;
  #dropped = 0;
  #firstEpoch = true;
  /** The source has no more batches this epoch. */
  #done = true;
  /** Encoded rows not given yet (batchSize: parts of the next batch), and their count. */
  #rows: { rows: Rows; from: number }[] = [];
  #held = 0;

  constructor(plan: StreamPlan, sync: boolean) {
    this.#plan = plan;
    this.#sync = sync;
  }

  /** The answer to a request, read synchronously (fitSync). */
  readSync(epoch: number): BatchItem {
    try {
      if (epoch >= 0) this.#open(epoch);
      for (;;) {
        const item = this.#emit();
        if (item) return item;
        this.#consume(this.#pending ?? result((this.#iterator as Iterator<unknown>).next(), 'the source'));
      }
    } catch (e) {
      return this.#fail(e);
    }
  }

  /** The answer to a request, awaiting the iterator (fit). */
  async read(epoch: number): Promise<BatchItem> {
    try {
      if (epoch >= 0) this.#open(epoch);
      for (;;) {
        const item = this.#emit();
        if (item) return item;
        this.#consume(this.#pending ?? result(await this.#iterator!.next(), 'the source'));
      }
    } catch (e) {
      return this.#fail(e);
    }
  }

  /** The fit has ended: closes the epoch's iterator if it is still open (and a primed one the fit never reached). */
  close(): void {
    closeIterator(this.#iterator);
    this.#iterator = null;
    this.#pending = null;
    this.#rows = [];
    this.#held = 0;
    if (this.#plan.primed) {
      closeIterator(this.#plan.primed.iterator);
      this.#plan.primed = null;
    }
  }

  #open(epoch: number): void {
    closeIterator(this.#iterator);
    this.#iterator = null;
    this.#pending = null;
    this.#rows = [];
    this.#held = 0;
    this.#epoch = epoch;
    this.#k = 0;
    this.#given = 0;
    this.#dropped = 0;
    this.#done = false;
    const primed = this.#plan.primed;
    if (primed && primed.epoch === epoch) {
      this.#plan.primed = null;
      this.#iterator = primed.iterator;
      this.#pending = primed.first;
      return;
    }
    this.#iterator = openEpoch(this.#plan.source, this.#sync, 'the source', epoch);
  }

  /** Takes one result of the source's iterator: the end of the epoch, or a batch encoded and kept. */
  #consume(r: IteratorResult<unknown>): void {
    this.#pending = null;
    if (r.done) {
      this.#iterator = null;
      this.#done = true;
      if (this.#firstEpoch && this.#plan.dropped) this.#plan.dropped.rows = this.#dropped;
      this.#firstEpoch = false;
      return;
    }
    const at = `batch ${this.#k} (epoch ${this.#epoch})`;
    this.#k++;
    const { rows, dropped } = this.#plan.encode(r.value, at);
    this.#dropped += dropped;
    if (rows.n === 0) return;
    this.#rows.push({ rows, from: 0 });
    this.#held += rows.n;
  }

  /** The next answer the rows kept allow: a batch, the end of the epoch, or null (read on). */
  #emit(): BatchItem | null {
    const B = this.#plan.batchSize;
    if (this.#held > 0 && (B === 0 || this.#held >= B || this.#done)) {
      this.#given++;
      return B === 0 ? this.#whole() : this.#cut(Math.min(B, this.#held));
    }
    if (!this.#done) return null;
    if (this.#given === 0) {
      throw blasnetError('ERR_BLASNET_DATA', `the source gave no batch${this.#k > 0 ? ' with a row to train on' : ''} in epoch ${this.#epoch}: every epoch needs at least one`);
    }
    return { kind: 'end' };
  }

  /** The first batch kept, as it is. */
  #whole(): BatchItem {
    const { rows } = this.#rows.shift()!;
    this.#held -= rows.n;
    return { kind: 'batch', X: rows.X, Y: rows.Y, weight: rows.weight, n: rows.n };
  }

  /** The next `n` rows kept, in order, as one batch (weights of 1 for rows whose batch had none, when another had). */
  #cut(n: number): BatchItem {
    const head = this.#rows[0]!;
    if (head.from === 0 && head.rows.n === n) return this.#whole();
    const xw = head.rows.X.length / head.rows.n, yw = head.rows.Y.length / head.rows.n;
    let weighted = false;
    for (let i = 0, got = 0; got < n; i++) {
      const part = this.#rows[i]!;
      if (part.rows.weight) weighted = true;
      got += part.rows.n - part.from;
    }
    const X = new Float64Array(n * xw), Y = new Float64Array(n * yw), weight = weighted ? new Float64Array(n).fill(1) : null;
    let got = 0;
    while (got < n) {
      const part = this.#rows[0]!, r = part.rows;
      const take = Math.min(n - got, r.n - part.from);
      X.set(r.X.subarray(part.from * xw, (part.from + take) * xw), got * xw);
      Y.set(r.Y.subarray(part.from * yw, (part.from + take) * yw), got * yw);
      if (weight && r.weight) weight.set(r.weight.subarray(part.from, part.from + take), got);
      got += take;
      part.from += take;
      if (part.from === r.n) this.#rows.shift();
    }
    this.#held -= n;
    return { kind: 'batch', X, Y, weight, n };
  }

  #fail(e: unknown): BatchItem {
    this.error ??= { value: e };
    this.close();
    return { kind: 'failed' };
  }
}

/** What a pass over a source found about its labels: the distinct labels, or the first batch's y when it is a matrix of targets (its classes follow from its shape). */
export type FoundLabels = { kind: 'labels'; labels: unknown[] } | { kind: 'matrix'; y: unknown; n: number; at: string };

function isMatrixLike(y: unknown): boolean {
  return (typeof y === 'object' && y !== null && !Array.isArray(y) && !ArrayBuffer.isView(y) && 'cols' in y && 'rows' in y)
    || (Array.isArray(y) && y.length > 0 && Array.isArray(y[0]));
}

/**
 * A classifier's first pass over its source (called with `epoch`, the fit's first; docs/training.md, "Fits from a data source"): the
 * distinct labels of every batch's y, as `targetsOf(batch, at)` reads them (y, or a Table's target
 * column), merged and sorted as a fit over all the rows would have found them; it stops at the
 * first batch whose y is a matrix of targets (one-hot, indicators: the classes follow from its width).
 * @throws {@link BlasnetRangeError} ERR_BLASNET_LABEL for labels of mixed kinds; ERR_BLASNET_DATA for a source without a batch
 */
export function* findLabels(source: DataSource, epoch: number, targetsOf: (batch: unknown, at: string) => { y: unknown; n: number }): Preparation<FoundLabels> {
  let labels: unknown[] | null = null, matrix: FoundLabels | null = null;
  yield {
    kind: 'pass', source, name: 'the source', epoch, visit: (batch, at) => {
      const { y, n } = targetsOf(batch, at);
      if (isMatrixLike(y)) {
        matrix = { kind: 'matrix', y, n, at };
        return false;
      }
      const own = uniqueLabels(y, `y of ${at}`);
      labels = labels === null ? own : unionLabels([labels, own], ['y of the source', `y of ${at}`]);
      return true;
    },
  };
  if (matrix) return matrix;
  if (labels === null) throw blasnetError('ERR_BLASNET_DATA', 'the source gave no batch: its classes cannot be found (pass options.classes, or a source with batches)');
  return { kind: 'labels', labels };
}

/**
 * Validation data given as a source: read in one pass when the fit is prepared (called with `epoch`, the fit's first), each batch encoded
 * by `encode` (the model's, without weights), and kept as one set of rows (X nv × xw, Y nv × yw) —
 * evaluated at every record as in-memory validation data is.
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE for a batch with sampleWeight; ERR_BLASNET_DATA for a source without a row
 */
export function* readValidation(source: DataSource, epoch: number, encode: (batch: unknown, at: string) => Rows): Preparation<Rows> {
  const parts: Rows[] = [];
  yield {
    kind: 'pass', source, name: 'options.validation', epoch, visit: (batch, at) => {
      const b = batchFields(batch, at);
      if (b.sampleWeight !== undefined) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `sampleWeight of ${at}: validation data is not weighted (give batches { X, y })`);
      const rows = encode(batch, at);
      if (rows.n > 0) parts.push(rows);
    },
  };
  const n = parts.reduce((s, r) => s + r.n, 0);
  if (n === 0) throw blasnetError('ERR_BLASNET_DATA', 'options.validation gave no row to validate on');
  const X = new Float64Array(parts.reduce((s, r) => s + r.X.length, 0)), Y = new Float64Array(parts.reduce((s, r) => s + r.Y.length, 0));
  let x = 0, y = 0;
  for (const r of parts) {
    X.set(r.X, x);
    Y.set(r.Y, y);
    x += r.X.length;
    y += r.Y.length;
  }
  return { X, Y, weight: null, n };
}
