// The worker-thread entry of the reference backend's Promise methods (lib/reference/pool.ts sends
// the jobs). Runs lib/reference/jobs.ts on the arrays it receives, posts progress records and the
// result, and polls the shared cancel flag before every step. Never imports a model class.
import { parentPort, type MessagePort } from 'node:worker_threads';
import type { NetSpec } from '../spec.js';
import { cloneState } from '../train-state.js';
import type { TrainState } from '../train-types.js';
import { portTransport, QueuedBatches } from './batches.js';
import { runFit, runLogisticPredict, runNetworkPredict, type FitJob } from './jobs.js';
import type { TrainRecord } from './trainer.js';

/** A job as the pool posts it. */
export type WorkerRequest =
  | { id: number; kind: 'fit'; flag: Int32Array; progress: boolean; job: FitJob }
  | { id: number; kind: 'logistic-predict'; flag: Int32Array; progress: false; job: { X: Float64Array; n: number; m: number; w: Float64Array; b: number } }
  | { id: number; kind: 'network-predict'; flag: Int32Array; progress: false; job: { spec: NetSpec; theta: Float64Array; X: Float64Array; n: number } };

/** What the worker posts back. */
export type WorkerResponse =
  | { id: number; type: 'progress'; record: TrainRecord }
  | { id: number; type: 'checkpoint'; theta: Float64Array; state: TrainState }
  | { id: number; type: 'batch-request'; epoch: number }
  | { id: number; type: 'done'; value: unknown }
  | { id: number; type: 'error'; name: string; message: string };

const port = parentPort;
if (port) {
  port.on('message', (req: WorkerRequest) => {
    const cancelled = () => Atomics.load(req.flag, 0) !== 0;
    const record = req.progress
      ? (record: TrainRecord) => port.postMessage({ id: req.id, type: 'progress', record } satisfies WorkerResponse)
      : () => {};
    try {
      let value: unknown, transfer: ArrayBuffer[] = [];
      switch (req.kind) {
        case 'fit': {
          // A checkpoint: copies of θ and the state, handed over (the main thread writes the file).
          const checkpoint = (theta: Float64Array, state: TrainState) => {
            const copy = { theta: theta.slice(), state: cloneState(state) };
            const transfer = [copy.theta.buffer, copy.state.optimizer.m.buffer, copy.state.optimizer.v.buffer] as ArrayBuffer[];
            port.postMessage({ id: req.id, type: 'checkpoint', ...copy } satisfies WorkerResponse, transfer);
          };
          // A fit from a data source: its batches come from the main thread while it trains.
          const stream = req.job.stream;
          const source = stream
            ? new QueuedBatches(portTransport((epoch) => port.postMessage({ id: req.id, type: 'batch-request', epoch } satisfies WorkerResponse), stream.port as MessagePort, stream.signal, cancelled))
            : undefined;
          let r;
          try {
            r = runFit(req.job, record, cancelled, req.job.config.checkpointEvery > 0 ? checkpoint : undefined, source);
          } finally {
            (stream?.port as MessagePort | undefined)?.close();
          }
          value = r;
          transfer = [...new Set([r.theta.buffer, r.state.optimizer.m.buffer, r.state.optimizer.v.buffer] as ArrayBuffer[])];
          break;
        }
        case 'logistic-predict': {
          const { X, n, m, w, b } = req.job;
          const r = runLogisticPredict(X, n, m, w, b);
          value = r;
          transfer = [r.a.buffer as ArrayBuffer];
          break;
        }
        case 'network-predict': {
          const { spec, theta, X, n } = req.job;
          const r = runNetworkPredict(spec, theta, X, n);
          value = r;
          transfer = [r.out.buffer as ArrayBuffer];
          break;
        }
      }
      port.postMessage({ id: req.id, type: 'done', value } satisfies WorkerResponse, transfer);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      port.postMessage({ id: req.id, type: 'error', name: err.name, message: err.message } satisfies WorkerResponse);
    }
  });
}
