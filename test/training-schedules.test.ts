// Learning-rate schedules and the plateau rule on both backends: the rate each record reports
// follows its formula epoch by epoch, and it is the rate the steps used.
import { describe, expect, it } from 'vitest';
import { LogisticRegression, NeuralNetwork } from '../lib/index.js';
import { BACKENDS, randomLogisticData } from './helpers/data.js';
import { expectError } from './helpers/errors.js';

// The schedules evaluate pow and cos in C++ (glibc) on the native backend and in JS (V8's fdlibm)
// on the reference one: the two libms may differ in the last ulp, hence 4 ulps of relative slack.
const ULPS = 4 * Number.EPSILON;

// The seed's network training (full-batch gradient descent, α = 0.01, 100 epochs, no early stopping)
// and its tanh hidden layers, explicitly, so that these tests do not move with the defaults (CHANGELOG 0.2.0, item 8).
const SEED_FIT = { optimizer: 'gd', learningRate: 0.01, epochs: 100, batchSize: 0, earlyStopping: false } as const;
const SEED_NET = { hidden: 'tanh' } as const;

function expectRates(got: number[] | undefined, want: (e: number) => number, count: number): void {
  expect(got).toHaveLength(count);
  got!.forEach((r, e) => expect(Math.abs(r - want(e))).toBeLessThanOrEqual(ULPS * want(e)));
}

describe.each(BACKENDS)('learning-rate schedules on the $backend backend', ({ backend, available }) => {
  const { X, y } = randomLogisticData(5, 80, 3);

  it.skipIf(!available)('step: α₀ · factor^⌊e / every⌋', () => {
    const seen: (number | undefined)[] = [];
    const r = new NeuralNetwork({ layers: [3, 4, 1], ...SEED_NET, backend }).fitSync(X, y, {
      ...SEED_FIT, epochs: 12, learningRate: 0.4, schedule: { type: 'step', every: 5, factor: 0.5 }, onProgress: (p) => seen.push(p.learningRate),
    });
    expectRates(r.learningRates, (e) => 0.4 * Math.pow(0.5, Math.floor(e / 5)), 12);
    expect(seen).toEqual(r.learningRates);
  });

  it.skipIf(!available)('exponential: α₀ · factor^e, and the steps use it (equal to one-step fits at α_e)', () => {
    const model = new LogisticRegression({ learningRate: 0.8, iterations: 10, recordEvery: 1, backend });
    const r = model.fitSync(X, y, { schedule: { type: 'exponential', factor: 0.7 } });
    const rate = (e: number) => 0.8 * Math.pow(0.7, e);
    expectRates(r.learningRates, rate, 10);
    let w: ArrayLike<number> = [0, 0, 0], b = 0;
    for (let e = 0; e < 10; e++) {
      const one = new LogisticRegression({ learningRate: r.learningRates![e]!, iterations: 1, backend });
      one.setParameters({ weights: w, bias: b });
      one.fitSync(X, y, { warmStart: true });
      w = one.weights;
      b = one.bias;
    }
    expect(model.weights).toEqual(w);
    expect(model.bias).toBe(b);
  });

  it.skipIf(!available)('cosine: α_min + (α₀ − α_min)(1 + cos(π e / E)) / 2 over E epochs', () => {
    const r = new NeuralNetwork({ layers: [3, 1], backend }).fitSync(X, y, {
      ...SEED_FIT, epochs: 20, learningRate: 0.3, batchSize: 16, schedule: { type: 'cosine', minLearningRate: 0.01 },
    });
    expectRates(r.learningRates, (e) => 0.01 + ((0.3 - 0.01) * (1 + Math.cos((Math.PI * e) / 20))) / 2, 20);
    const d = new NeuralNetwork({ layers: [3, 1], backend }).fitSync(X, y, { ...SEED_FIT, epochs: 8, learningRate: 0.3, schedule: { type: 'cosine' } });
    expectRates(d.learningRates, (e) => (0.3 * (1 + Math.cos((Math.PI * e) / 8))) / 2, 8);
  });

  it.skipIf(!available)('recordEvery > 1: one rate per record, the rate of that epoch', () => {
    const r = new LogisticRegression({ learningRate: 0.5, iterations: 30, recordEvery: 7, backend })
      .fitSync(X, y, { schedule: { type: 'step', every: 10, factor: 0.1 } });
    expectRates(r.learningRates, (i) => 0.5 * Math.pow(0.1, Math.floor((7 * i) / 10)), 5);
  });

  it.skipIf(!available)('reduceOnPlateau: the rate is cut by factor after patience records without improvement, never below the floor', () => {
    // A step size far too large for the problem: the cost stalls and oscillates, so the rule fires.
    const big = randomLogisticData(6, 200, 4, 4);
    const plateau = { monitor: 'cost', patience: 3, factor: 0.5, minLearningRate: 0.2 } as const;
    const r = new LogisticRegression({ learningRate: 40, iterations: 60, recordEvery: 1, backend }).fitSync(big.X, big.y, { reduceOnPlateau: plateau });
    // The rule, replayed on the recorded costs: the rate of epoch e + 1 follows from the records ≤ e.
    const want: number[] = [40];
    let best = Infinity, wait = 0, lr = 40;
    for (const c of r.costs.slice(0, -1)) {
      if (c < best) { best = c; wait = 0; } else if (++wait >= plateau.patience) { lr = Math.max(lr * plateau.factor, plateau.minLearningRate); wait = 0; }
      want.push(lr);
    }
    expect(r.learningRates).toEqual(want);
    expect(Math.min(...r.learningRates!)).toBeLessThan(40);  // it did fire
    expect(Math.min(...r.learningRates!)).toBeGreaterThanOrEqual(0.2);
  });

  it.skipIf(!available)('reduceOnPlateau on the validation cost of a network', () => {
    const r = new NeuralNetwork({ layers: [3, 6, 1], ...SEED_NET, seed: 1, backend }).fitSync(X, y, {
      ...SEED_FIT, epochs: 60, learningRate: 2, validationSplit: 0.25, reduceOnPlateau: { patience: 2, factor: 0.3 },
    });
    let best = Infinity, wait = 0, lr = 2;
    const want = [2];
    for (const c of r.validationCosts!.slice(0, -1)) {
      if (c < best) { best = c; wait = 0; } else if (++wait >= 2) { lr *= 0.3; wait = 0; }
      want.push(lr);
    }
    expect(r.learningRates).toEqual(want);
  });

  it.skipIf(!available)('bad schedules: clear errors naming the option', () => {
    const m = new LogisticRegression({ backend, iterations: 1 });
    const net = new NeuralNetwork({ layers: [3, 1], backend });
    const lb = new LogisticRegression({ backend, solver: 'lbfgs' });
    for (const fit of [(o: object) => m.fitSync(X, y, o), (o: object) => net.fitSync(X, y, o)]) {
      expectError(() => fit({ schedule: 'step' }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.schedule');
      expectError(() => fit({ schedule: {} }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.schedule.type', 'got undefined');
      expectError(() => fit({ schedule: { type: 'linear' } }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.schedule.type', "'step' | 'exponential' | 'cosine'");
      expectError(() => fit({ schedule: { type: 'step', factor: 0.5 } }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.schedule.every');
      expectError(() => fit({ schedule: { type: 'step', every: 0, factor: 0.5 } }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.schedule.every', '≥ 1');
      expectError(() => fit({ schedule: { type: 'step', every: 2, factor: 1 } }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.schedule.factor', 'in (0, 1)', 'got 1');
      expectError(() => fit({ schedule: { type: 'exponential' } }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.schedule.factor');
      expectError(() => fit({ schedule: { type: 'exponential', factor: 0.9, every: 3 } }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'unknown option "every"');
      expectError(() => fit({ schedule: { type: 'cosine', minLearningRate: 5 } }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.schedule.minLearningRate', 'below the learning rate');
      expectError(() => fit({ schedule: { type: 'cosine', minLearningRate: -1 } }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.schedule.minLearningRate');
      expectError(() => fit({ schedule: { type: 'exponential', factor: 0.9 }, reduceOnPlateau: {} }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'exclusive');
      expectError(() => fit({ reduceOnPlateau: { factor: 2 } }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.reduceOnPlateau.factor', 'in (0, 1)');
      expectError(() => fit({ reduceOnPlateau: { patience: 0 } }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.reduceOnPlateau.patience');
      expectError(() => fit({ reduceOnPlateau: { monitor: 'validationCost' } }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'needs validation data');
      expectError(() => fit({ reduceOnPlateau: { minLearningRate: NaN } }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.reduceOnPlateau.minLearningRate');
      expectError(() => fit({ reduceOnPlateau: { cooldown: 1 } }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'unknown option "cooldown"');
    }
    expectError(() => lb.fitSync(X, y, { schedule: { type: 'exponential', factor: 0.5 } }), TypeError, 'ERR_BLASNET_ARG_TYPE', "options.schedule does not apply to optimizer 'lbfgs'");
  });
});
