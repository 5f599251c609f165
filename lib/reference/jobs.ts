// The reference backend's long jobs as plain functions over owned arrays: the same loop runs inline
// (fitSync) and in a worker thread (fit, predict: lib/reference/pool.ts), as native Jobs do. A job
// polls `cancelled()` before every step and reports records through `record`; it never touches
// the model objects, so it can run anywhere.
import type { NetSpec } from '../spec.js';
import { LogisticObjective, logisticPredictProba } from './logistic.js';
import { NetObjective, netPredict } from './network.js';
import { Trainer, type BatchSource, type Rows, type StopReason, type TrainConfig, type TrainRecord, type TrainState, type TrainStatus } from './trainer.js';

/** The model a fit trains: logistic regression (θ = (w, b), m features) or a network. */
export type FitModel = { kind: 'logistic'; m: number } | { kind: 'network'; spec: NetSpec };

/**
 * A fit: the model, θ and the state it starts from (both updated in place), its rows (null for a
 * fit from a data source, whose batches come while it runs: `stream`), and the trainer's configuration.
 */
export interface FitJob {
  model: FitModel;
  theta: Float64Array;
  train: Rows | null;
  /**
   * A fit from a data source in a worker thread: the port its batches arrive on (a node:worker_threads
   * MessagePort, typed loosely so that the emitted types need no @types/node), and the counter the
   * sender bumps (lib/reference/batches.ts portTransport).
   */
  stream?: { port: unknown; signal: Int32Array };
  validation: Rows | null;
  config: TrainConfig;
  state: TrainState;
}

/** What a fit ended with: the trainer's outcome and records. */
export interface FitOutcome {
  status: TrainStatus;
  reason: StopReason;
  theta: Float64Array;
  costs: number[];
  validationCosts: number[];
  validationAccuracies: number[];
  learningRates: number[];
  epochs: number;
  steps: number;
  lastCost: number;
  evaluations: number;
  stoppedEarly: boolean;
  bestEpoch?: number;
  bestValue?: number;
  /** The state that goes with θ (job.state, updated). */
  state: TrainState;
}

/**
 * The training loop of native train() (lib/reference/trainer.ts) on the job's model; θ updated in
 * place. `checkpoint` gets θ and the state (live) at every checkpoint epoch (config.checkpointEvery).
 * `source`: the batches of a fit from a data source (job.train is then null).
 */
export function runFit(job: FitJob, record: (r: TrainRecord) => void, cancelled: () => boolean,
  checkpoint?: (theta: Float64Array, state: TrainState) => void, source?: BatchSource): FitOutcome {
  const m = job.model;
  const objective = m.kind === 'logistic' ? new LogisticObjective(m.m, job.config.l2) : new NetObjective(m.spec, job.config.l2);
  const t = new Trainer(objective, job.theta, source ?? job.train!, job.validation, job.config, record, job.state, checkpoint);
  while (!t.done) {
    if (cancelled()) {
      t.abort();
      break;
    }
    t.step();
  }
  const out: FitOutcome = {
    status: t.status, reason: t.reason, theta: job.theta, costs: t.costs, validationCosts: t.validationCosts,
    validationAccuracies: t.validationAccuracies, learningRates: t.learningRates, epochs: t.epochs, steps: t.steps,
    lastCost: t.lastCost, evaluations: t.evaluations, stoppedEarly: t.stoppedEarly, state: t.state,
  };
  if (t.bestEpoch !== undefined) out.bestEpoch = t.bestEpoch;
  if (t.bestValue !== undefined) out.bestValue = t.bestValue;
  return out;
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
