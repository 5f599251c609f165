// Runs the reference backend's Promise jobs (fit, predict) in worker threads, so they never block
// the event loop, as the native AsyncWorkers do not. A small pool: workers are started on demand
// (fits: at most one per core), kept while idle without holding the process open, and reused. Progress
// records come back as messages and are handed to the caller's callback on this thread; a throwing
// callback cancels the job and the Promise rejects with what it threw. Predictions never queue
// behind fits. Never imports a model class.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type TransferListItem } from 'node:worker_threads';
import { BlasnetError } from '../errors.js';
import { packageRoot } from '../root.js';
import type { TrainRecord, TrainState } from './trainer.js';
import type { WorkerRequest, WorkerResponse } from './worker.js';

type Request = WorkerRequest extends infer R ? (R extends { id: number; flag: Int32Array } ? Omit<R, 'id' | 'flag'> : never) : never;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  onProgress: ((record: TrainRecord) => void) | undefined;
  onCheckpoint: ((theta: Float64Array, state: TrainState) => void) | undefined;
  onBatchRequest: ((epoch: number) => void) | undefined;
  flag: Int32Array;
  thrown: { value: unknown } | null;
}

interface PoolWorker {
  worker: Worker;
  busy: boolean;
  kind: 'fit' | 'predict' | null;
}

const workers: PoolWorker[] = [];
const queue: { req: WorkerRequest; transfer: TransferListItem[] }[] = [];
const pending = new Map<number, Pending>();
const owner = new Map<number, PoolWorker>();
let nextId = 1;

/** The compiled worker script: beside this module when it runs from dist/, else the built copy in dist/. */
function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return join(here, '..', 'worker.js');
  return join(packageRoot(), 'dist', 'lib', 'reference', 'worker.js');
}

function settle(id: number, ok: boolean, value: unknown): void {
  const p = pending.get(id);
  if (!p) return;
  pending.delete(id);
  const w = owner.get(id);
  owner.delete(id);
  if (w) release(w);
  if (p.thrown) p.reject(p.thrown.value);
  else if (ok) p.resolve(value);
  else p.reject(value);
}

function release(w: PoolWorker): void {
  w.busy = false;
  w.kind = null;
  const next = queue.shift();
  if (next) dispatch(w, next.req, next.transfer);
  else w.worker.unref();
}

function dispatch(w: PoolWorker, req: WorkerRequest, transfer: TransferListItem[]): void {
  w.busy = true;
  w.kind = req.kind.endsWith('-fit') ? 'fit' : 'predict';
  w.worker.ref();
  owner.set(req.id, w);
  w.worker.postMessage(req, transfer);
}

function startWorker(): PoolWorker {
  // No inherited execArgv: the parent's flags (--input-type, --eval, a loader) may be invalid in a
  // worker, and the job needs none of them.
  const worker = new Worker(workerScript(), { execArgv: [] });
  const w: PoolWorker = { worker, busy: false, kind: null };
  worker.on('message', (msg: WorkerResponse) => {
    if (msg.type === 'progress' || msg.type === 'checkpoint' || msg.type === 'batch-request') {
      const p = pending.get(msg.id);
      if (!p || p.thrown) return;
      try {
        if (msg.type === 'progress') p.onProgress?.(msg.record);
        else if (msg.type === 'checkpoint') p.onCheckpoint?.(msg.theta, msg.state);
        else p.onBatchRequest?.(msg.epoch);
      } catch (e) {
        p.thrown = { value: e };
        Atomics.store(p.flag, 0, 1);
      }
    } else if (msg.type === 'done') {
      settle(msg.id, true, msg.value);
    } else {
      const code = /allocation failed|Invalid typed array length|Array buffer/i.test(msg.message) ? 'ERR_BLASNET_OUT_OF_MEMORY' : 'ERR_BLASNET_NATIVE';
      settle(msg.id, false, new BlasnetError(code, `the reference backend's worker failed: ${msg.name}: ${msg.message}`));
    }
  });
  const fail = (why: string) => {
    const i = workers.indexOf(w);
    if (i >= 0) workers.splice(i, 1);
    for (const [id, o] of [...owner]) {
      if (o === w) settle(id, false, new BlasnetError('ERR_BLASNET_NATIVE', `the reference backend's worker thread stopped: ${why}`));
    }
    const next = queue.shift();
    if (next) submit(next.req, next.transfer);
  };
  worker.on('error', (e) => fail(e instanceof Error ? e.message : String(e)));
  worker.on('exit', (code) => fail(`it exited with code ${code}`));
  worker.unref();
  workers.push(w);
  return w;
}

// Fits take at most one worker per core; predictions may start more, so that a prediction never
// waits behind running fits (serving while training), up to a bound.
function capacity(req: WorkerRequest): number {
  const cores = Math.max(1, availableParallelism());
  return req.kind.endsWith('-fit') ? cores : Math.max(4, 2 * cores);
}

function submit(req: WorkerRequest, transfer: TransferListItem[]): void {
  const idle = workers.find((w) => !w.busy);
  if (idle) return dispatch(idle, req, transfer);
  const fits = workers.filter((w) => w.busy && w.kind === 'fit').length;
  const room = req.kind.endsWith('-fit') ? fits < capacity(req) : workers.length < capacity(req);
  if (room) return dispatch(startWorker(), req, transfer);
  queue.push({ req, transfer });
}

/** What a running fit sends back besides its result: records, checkpoints (copies, the caller's to keep), requests for batches (a fit from a data source). */
export interface JobHandlers {
  onProgress?: (record: TrainRecord) => void;
  onCheckpoint?: (theta: Float64Array, state: TrainState) => void;
  onBatchRequest?: (epoch: number) => void;
}

/**
 * Runs one reference job in a worker thread. `transfer` lists what the caller hands over with the
 * job (copies of buffers made for it; a fit's batch port). Returns the Promise of its value and a
 * `cancel` that makes the job stop before its next step (it then settles with status 'aborted').
 * A handler that throws cancels the job, which then rejects with what it threw.
 */
export function runInWorker<T>(request: Request, transfer: TransferListItem[], handlers: JobHandlers = {}): { promise: Promise<T>; cancel: () => void } {
  const id = nextId++;
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { onProgress, onCheckpoint, onBatchRequest } = handlers;
  const promise = new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress, onCheckpoint, onBatchRequest, flag, thrown: null });
  });
  submit({ ...request, id, flag } as WorkerRequest, transfer);
  return { promise, cancel: () => { Atomics.store(flag, 0, 1); } };
}
