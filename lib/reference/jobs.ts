// The reference backend's long jobs as plain functions over owned arrays: the same loop runs inline
// (fitSync) and in a worker thread (fit, predict: lib/reference/pool.ts), as native Jobs do. A job
// polls `cancelled()` before every step and reports records through `record`; it never touches
// the model objects, so it can run anywhere.
import type { NetSpec } from '../spec.js';
import { logisticPredictProba, logisticStep, type FitStatus, type LogisticFitState } from './logistic.js';
import { netPredict, Trainer, type TrainConfig } from './network.js';

export interface LogisticFitJob {
  X: Float64Array;
  y: Float64Array;
  n: number;
  m: number;
  w: Float64Array;
  b: number;
  learningRate: number;
  iterations: number;
  recordEvery: number;
}

export interface LogisticFitOutcome {
  status: FitStatus;
  w: Float64Array;
  b: number;
  costs: number[];
  iterations: number;
  lastCost: number;
}

/** Gradient descent as native logistic_fit: w, b updated in place in the returned state. */
export function runLogisticFit(job: LogisticFitJob, record: (i: number, cost: number) => void, cancelled: () => boolean): LogisticFitOutcome {
  const s: LogisticFitState = { w: job.w, b: job.b, costs: [], iterations: 0, status: 'ok', lastCost: 0 };
  const d = { X: job.X, y: job.y, n: job.n, m: job.m };
  const dw = new Float64Array(job.m), wPrev = new Float64Array(job.m), bPrev = { value: job.b };
  for (let i = 0; i < job.iterations; i++) {
    if (cancelled()) {
      s.status = 'aborted';
      break;
    }
    if (!logisticStep(d, s, i, job.learningRate, job.recordEvery, dw, wPrev, bPrev, record)) break;
  }
  return { status: s.status, w: s.w, b: s.b, costs: s.costs, iterations: s.iterations, lastCost: s.lastCost };
}

export interface NetworkFitJob {
  spec: NetSpec;
  theta: Float64Array;
  X: Float64Array;
  Y: Float64Array;
  n: number;
  config: TrainConfig;
}

export interface NetworkFitOutcome {
  status: FitStatus;
  theta: Float64Array;
  costs: number[];
  epochs: number;
  steps: number;
  lastCost: number;
}

/** The training loop of native net_train; θ updated in place. */
export function runNetworkFit(job: NetworkFitJob, record: (epoch: number, cost: number) => void, cancelled: () => boolean): NetworkFitOutcome {
  const trainer = new Trainer(job.spec, job.theta, job.X, job.Y, job.n, job.config, record);
  while (!trainer.done) {
    if (cancelled()) {
      trainer.abort();
      break;
    }
    trainer.step();
  }
  return { status: trainer.status, theta: job.theta, costs: trainer.costs, epochs: trainer.epochs, steps: trainer.steps, lastCost: trainer.lastCost };
}

/** σ(X·w + b) per row, and the first row whose w·x + b overflowed (n: none). */
export function runLogisticPredict(X: Float64Array, n: number, m: number, w: Float64Array, b: number): { a: Float64Array; badRow: number } {
  const a = new Float64Array(n);
  const badRow = logisticPredictProba(X, n, m, w, b, a);
  return { a, badRow };
}

/** The outputs (n × sL) and the first layer whose pre-activations overflowed (0: none). */
export function runNetworkPredict(spec: NetSpec, theta: Float64Array, X: Float64Array, n: number): { out: Float64Array; badLayer: number } {
  const out = new Float64Array(n * spec.sizes[spec.sizes.length - 1]!);
  const badLayer = netPredict(spec, theta, X, n, out);
  return { out, badLayer };
}
