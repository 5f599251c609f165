// The model format's training-state section (format version 3, `training.state`): what a model
// keeps of its training besides its parameters (lib/train-types.ts TrainState; docs/math.md,
// "Training state and warm starts"), written exactly and validated on read like every other
// section: shapes against the architecture, finite numbers, counts as non-negative integers, each
// failure an ERR_BLASNET_FORMAT naming the field. Imports no model.
//
//   "state": {
//     "epochsTrained": e,                        epochs (L-BFGS iterations) completed: keys shuffles and schedules
//     "optimizer": { "name", "l2", "steps",      the optimizer, its hyper-parameters, its step count (Adam's t)
//                    gd, lbfgs: nothing more
//                    momentum: "momentum", "velocity": [P numbers]
//                    adam: "beta1", "beta2", "epsilon", "m": [P numbers], "v": [P numbers ≥ 0] },
//     "earlyStopping"?: { "monitor", "wait", "best"?, "bestEpoch"? },       best and bestEpoch together, once there is a best
//     "reduceOnPlateau"?: { "monitor", "wait", "best"?, "learningRate", "initialLearningRate" }
//   }
// The buffers are in θ's layout (P = the parameter count): a network's W[1] row-major, b[1], W[2],
// b[2], …; logistic regression's w then b (binary) or W row-major k × m then b (multinomial). An
// L-BFGS fit keeps no memory of (s, y) pairs: a warm L-BFGS fit starts its memory afresh.
import { blasnetError, describe } from '../errors.js';
import type { MonitorName, OptimizerHyper, OptimizerName, TrainState } from '../train-types.js';
import { exactKeys, finiteArray, plainObject } from './fields.js';
import type { TrainStateJSON } from './types.js';

const OPTIMIZERS: readonly OptimizerName[] = ['gd', 'momentum', 'adam', 'lbfgs'];
const MONITORS: readonly MonitorName[] = ['validationCost', 'validationAccuracy', 'cost'];
/** The keys of `optimizer` after name, l2 and steps, by optimizer: hyper-parameters, then buffers. */
const OPTIMIZER_KEYS: Record<OptimizerName, { hyper: readonly (keyof OptimizerHyper)[]; buffers: readonly string[] }> = {
  gd: { hyper: [], buffers: [] },
  momentum: { hyper: ['momentum'], buffers: ['velocity'] },
  adam: { hyper: ['beta1', 'beta2', 'epsilon'], buffers: ['m', 'v'] },
  lbfgs: { hyper: [], buffers: [] },
};

/**
 * The state as stored: numbers as they are (the writer keeps every bit, −0 included), buffers as
 * number arrays.
 * @param s - the model's state
 * @returns the JSON-ready object
 * @throws {RangeError} ERR_BLASNET_NOT_FINITE for a buffer holding a non-finite value
 */
export function trainStateToJSON(s: TrainState): TrainStateJSON {
  const o = s.optimizer, where = 'training.state.optimizer';
  // Keys in the documented order: name, l2, the optimizer's own hyper-parameters, steps, buffers.
  const head: Record<string, unknown> = { name: o.name, l2: o.hyper.l2 };
  for (const key of OPTIMIZER_KEYS[o.name].hyper) head[key] = o.hyper[key]!;
  const optimizer = { ...head, steps: o.steps } as TrainStateJSON['optimizer'];
  if (o.name === 'momentum') optimizer.velocity = finiteArray(o.m, `${where}.velocity`);
  if (o.name === 'adam') {
    optimizer.m = finiteArray(o.m, `${where}.m`);
    optimizer.v = finiteArray(o.v, `${where}.v`);
  }
  const json: TrainStateJSON = { epochsTrained: s.epoch, optimizer };
  const es = s.earlyStopping, pl = s.reduceOnPlateau;
  if (es) json.earlyStopping = es.best === null ? { monitor: es.monitor, wait: es.wait } : { monitor: es.monitor, wait: es.wait, best: es.best, bestEpoch: es.bestEpoch };
  if (pl) {
    json.reduceOnPlateau = pl.best === null
      ? { monitor: pl.monitor, wait: pl.wait, learningRate: pl.learningRate, initialLearningRate: pl.initialLearningRate }
      : { monitor: pl.monitor, wait: pl.wait, best: pl.best, learningRate: pl.learningRate, initialLearningRate: pl.initialLearningRate };
  }
  return json;
}

/**
 * Reads and validates `training.state` (format version 3) against the model's parameter count.
 * @param value - the field's value (undefined: no state)
 * @param src - names the model in messages
 * @param nParams - θ's length, which every buffer must have
 * @param shape - θ's length in words, for messages ("23 values, the parameters of layers [4, 3, 2]")
 * @returns the state, or null when absent
 * @throws {BlasnetError} ERR_BLASNET_FORMAT naming the field for anything that is not a valid state
 */
export function trainStateFromJSON(value: unknown, src: string, nParams: number, shape: string): TrainState | null {
  if (value === undefined) return null;
  const where = 'training.state';
  const s = plainObject(value, src, where);
  exactKeys(s, src, where, ['epochsTrained', 'optimizer'], ['epochsTrained', 'optimizer', 'earlyStopping', 'reduceOnPlateau']);
  const epoch = count(s.epochsTrained, src, `${where}.epochsTrained`);

  const o = plainObject(s.optimizer, src, `${where}.optimizer`);
  const name = o.name;
  if (typeof name !== 'string' || !(OPTIMIZERS as readonly string[]).includes(name)) {
    throw formatError(src, `${where}.optimizer.name must be one of ${OPTIMIZERS.map((n) => `'${n}'`).join(' | ')}, got ${describe(name)}`);
  }
  const keys = OPTIMIZER_KEYS[name as OptimizerName];
  const all = ['name', 'l2', ...keys.hyper, 'steps', ...keys.buffers];
  exactKeys(o, src, `${where}.optimizer`, all, all);
  const hyper: OptimizerHyper = { l2: number(o.l2, src, `${where}.optimizer.l2`, (v) => v >= 0, 'a finite number ≥ 0') };
  for (const key of keys.hyper) {
    hyper[key] = key === 'epsilon'
      ? number(o[key], src, `${where}.optimizer.${key}`, (v) => v > 0, 'a finite number > 0')
      : number(o[key], src, `${where}.optimizer.${key}`, (v) => v >= 0 && v < 1, 'a number in [0, 1)');
  }
  const steps = count(o.steps, src, `${where}.optimizer.steps`);
  const buffer = (key: string, nonNegative = false) => {
    const a = o[key], name = `${where}.optimizer.${key}`;
    if (!Array.isArray(a)) throw formatError(src, `${name} must be an array of ${shape}, got ${describe(a)}`);
    if (a.length !== nParams) throw formatError(src, `${name} must have ${shape}, got ${a.length}`);
    const out = new Float64Array(nParams);
    for (let i = 0; i < nParams; i++) {
      const v = a[i] as unknown;
      if (typeof v !== 'number' || !Number.isFinite(v) || (nonNegative && !(v >= 0))) {
        throw formatError(src, `${name} must contain only finite numbers${nonNegative ? ' ≥ 0' : ''}, got ${describe(v)} at index ${i}`);
      }
      out[i] = v;
    }
    return out;
  };
  const empty = () => new Float64Array(0);
  const m = name === 'momentum' ? buffer('velocity') : name === 'adam' ? buffer('m') : empty();
  const v = name === 'adam' ? buffer('v', true) : empty();
  const state: TrainState = { epoch, optimizer: { name: name as OptimizerName, hyper, steps, m, v }, earlyStopping: null, reduceOnPlateau: null };

  if (s.earlyStopping !== undefined) {
    const at = `${where}.earlyStopping`;
    const e = plainObject(s.earlyStopping, src, at);
    exactKeys(e, src, at, ['monitor', 'wait'], ['monitor', 'wait', 'best', 'bestEpoch']);
    if ((e.best === undefined) !== (e.bestEpoch === undefined)) throw formatError(src, `${at}.best and ${at}.bestEpoch must be given together or not at all`);
    const bestEpoch = e.bestEpoch === undefined ? 0 : count(e.bestEpoch, src, `${at}.bestEpoch`);
    if (bestEpoch > epoch) throw formatError(src, `${at}.bestEpoch must be at most ${where}.epochsTrained (${epoch}), got ${bestEpoch}`);
    state.earlyStopping = {
      monitor: monitor(e.monitor, src, `${at}.monitor`), wait: count(e.wait, src, `${at}.wait`),
      best: e.best === undefined ? null : number(e.best, src, `${at}.best`), bestEpoch,
    };
  }
  if (s.reduceOnPlateau !== undefined) {
    const at = `${where}.reduceOnPlateau`;
    const p = plainObject(s.reduceOnPlateau, src, at);
    exactKeys(p, src, at, ['monitor', 'wait', 'learningRate', 'initialLearningRate'], ['monitor', 'wait', 'best', 'learningRate', 'initialLearningRate']);
    const positive = (x: unknown, n: string) => number(x, src, `${at}.${n}`, (r) => r > 0, 'a finite number > 0');
    state.reduceOnPlateau = {
      monitor: monitor(p.monitor, src, `${at}.monitor`), wait: count(p.wait, src, `${at}.wait`),
      best: p.best === undefined ? null : number(p.best, src, `${at}.best`),
      learningRate: positive(p.learningRate, 'learningRate'), initialLearningRate: positive(p.initialLearningRate, 'initialLearningRate'),
    };
  }
  return state;
}

function formatError(src: string, message: string): Error {
  return blasnetError('ERR_BLASNET_FORMAT', `${src}: ${message}`);
}

/** A count: an integer in [0, 2^53). */
function count(v: unknown, src: string, name: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw formatError(src, `${name} must be an integer ≥ 0, got ${describe(v)}`);
  return v;
}

/** A finite number that satisfies `ok` (described as `what`). */
function number(v: unknown, src: string, name: string, ok: (v: number) => boolean = () => true, what = 'a finite number'): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw formatError(src, `${name} must be ${what}, got ${describe(v)}`);
  return v;
}

function monitor(v: unknown, src: string, name: string): MonitorName {
  if (typeof v !== 'string' || !(MONITORS as readonly string[]).includes(v)) {
    throw formatError(src, `${name} must be one of ${MONITORS.map((m) => `'${m}'`).join(' | ')}, got ${describe(v)}`);
  }
  return v as MonitorName;
}
