// The training state a model keeps between fits (lib/train-types.ts TrainState; docs/math.md,
// "Training state and warm starts"): how a fit starts from it — afresh, or continuing it on a warm
// start, with the optimizer started afresh when it or its hyper-parameters changed — its copies,
// and its exchange with the addon. Plain data; imports no model and no backend.
import type { NativeTrainState } from './native.js';
import type { OptimizerHyper, TrainConfig, TrainState } from './train-types.js';

/**
 * The hyper-parameters other than the learning rate that a fit's optimizer state depends on: l2
 * (it changes the cost the moments follow) and the optimizer's own (momentum β; Adam β1, β2, ε).
 * The batch size is not one of them: a warm start with another batch size continues the state.
 */
export function optimizerHyper(c: TrainConfig): OptimizerHyper {
  switch (c.optimizer) {
    case 'momentum': return { l2: c.l2, momentum: c.beta };
    case 'adam': return { l2: c.l2, beta1: c.beta1, beta2: c.beta2, epsilon: c.eps };
    default: return { l2: c.l2 };
  }
}

function sameHyper(a: OptimizerHyper, b: OptimizerHyper): boolean {
  const keys = ['l2', 'momentum', 'beta1', 'beta2', 'epsilon'] as const;
  return keys.every((k) => a[k] === b[k]);
}

/** The optimizer part of a fresh state: zeros (P values where the optimizer has buffers), no steps. */
function freshOptimizer(c: TrainConfig, nParams: number): TrainState['optimizer'] {
  const m = c.optimizer === 'momentum' || c.optimizer === 'adam' ? nParams : 0, v = c.optimizer === 'adam' ? nParams : 0;
  return { name: c.optimizer, hyper: optimizerHyper(c), steps: 0, m: new Float64Array(m), v: new Float64Array(v) };
}

/** A deep copy (the buffers copied). */
export function cloneState(s: TrainState): TrainState {
  return {
    epoch: s.epoch,
    optimizer: { ...s.optimizer, hyper: { ...s.optimizer.hyper }, m: s.optimizer.m.slice(), v: s.optimizer.v.slice() },
    earlyStopping: s.earlyStopping ? { ...s.earlyStopping } : null,
    reduceOnPlateau: s.reduceOnPlateau ? { ...s.reduceOnPlateau } : null,
  };
}

/** The state a fit starts from, and whether a warm start had to start the optimizer afresh. */
export interface StartedState {
  /** Owned by the fit: the trainer updates it in place. */
  state: TrainState;
  /** True when `warmStart` was asked but the optimizer state could not be continued. */
  optimizerReset: boolean;
}

/**
 * The state a fit of config `c` starts from. Without a warm start (or without a previous state:
 * never fitted, setParameters, a file written before format version 3) everything starts afresh:
 * epoch 0, a fresh optimizer, fresh counters. A warm start continues `prev`:
 * - the epoch counter always;
 * - the optimizer state when the optimizer and optimizerHyper are unchanged (the learning rate and
 *   the batch size may change), else afresh (`optimizerReset`);
 * - early stopping's counters when this fit stops early on the same monitor;
 * - the plateau rule's counters when it watches the same monitor, and its reduced learning rate
 *   when the fit's learning rate is the one it started from (a new learning rate restarts it there).
 * @param prev - the model's state, or null
 * @param warmStart - whether the fit asked to continue
 * @param nParams - θ's length
 */
export function startState(prev: TrainState | null, c: TrainConfig, warmStart: boolean, nParams: number): StartedState {
  const es = c.earlyStopping, pl = c.reduceOnPlateau;
  const state: TrainState = {
    epoch: 0,
    optimizer: freshOptimizer(c, nParams),
    earlyStopping: es ? { monitor: es.monitor, best: null, wait: 0, bestEpoch: 0 } : null,
    reduceOnPlateau: pl ? { monitor: pl.monitor, best: null, wait: 0, learningRate: c.learningRate, initialLearningRate: c.learningRate } : null,
  };
  if (!warmStart || !prev) return { state, optimizerReset: warmStart };
  state.epoch = prev.epoch;
  const o = prev.optimizer;
  const sized = o.m.length === state.optimizer.m.length && o.v.length === state.optimizer.v.length;
  const same = o.name === c.optimizer && sameHyper(o.hyper, state.optimizer.hyper) && sized;
  if (same) state.optimizer = { ...o, hyper: { ...o.hyper }, m: o.m.slice(), v: o.v.slice() };
  if (es && prev.earlyStopping && prev.earlyStopping.monitor === es.monitor) state.earlyStopping = { ...prev.earlyStopping };
  const p = prev.reduceOnPlateau;
  if (pl && p && p.monitor === pl.monitor) {
    const rate = p.initialLearningRate === c.learningRate ? p.learningRate : c.learningRate;
    state.reduceOnPlateau = { monitor: p.monitor, best: p.best, wait: p.wait, learningRate: rate, initialLearningRate: c.learningRate };
  }
  return { state, optimizerReset: !same };
}

/** The state as the addon reads it (config.state): buffers only where the optimizer has them. */
export function nativeState(s: TrainState): NativeTrainState {
  const o = s.optimizer, es = s.earlyStopping, pl = s.reduceOnPlateau;
  const out: NativeTrainState = { epoch: s.epoch, steps: o.steps };
  if (o.m.length > 0) out.m = o.m;
  if (o.v.length > 0) out.v = o.v;
  if (es) out.earlyStopping = { has: es.best === null ? 0 : 1, best: es.best ?? 0, wait: es.wait, bestEpoch: es.bestEpoch };
  if (pl) out.reduceOnPlateau = { has: pl.best === null ? 0 : 1, best: pl.best ?? 0, wait: pl.wait, learningRate: pl.learningRate };
  return out;
}

/** The state a native fit ended with, named as the state it started from (`start`) names it. */
export function stateFromNative(start: TrainState, r: Required<NativeTrainState>): TrainState {
  const es = start.earlyStopping, pl = start.reduceOnPlateau, e = r.earlyStopping, p = r.reduceOnPlateau;
  return {
    epoch: r.epoch,
    optimizer: { name: start.optimizer.name, hyper: start.optimizer.hyper, steps: r.steps, m: r.m, v: r.v },
    earlyStopping: es ? { monitor: es.monitor, best: e.has ? e.best : null, wait: e.wait, bestEpoch: e.bestEpoch } : null,
    reduceOnPlateau: pl ? { monitor: pl.monitor, best: p.has ? p.best : null, wait: p.wait, learningRate: p.learningRate, initialLearningRate: pl.initialLearningRate } : null,
  };
}
