// Validation during training (given or split off) and early stopping, for both models on both
// backends: the recorded validation figures are those of the parameters each record describes, the
// split holds its rows out of training, and a stopped fit restores, bit for bit, the best record's
// parameters.
import { describe, expect, it } from 'vitest';
import { LogisticRegression, Matrix, NeuralNetwork } from '../lib/index.js';
import { splitIndices, takeRows } from '../lib/training.js';
import { BACKENDS, gaussian, mulberry32, randomLogisticData } from './helpers/data.js';
import { expectError } from './helpers/errors.js';

// Relative agreement between two evaluations of the same J at the same parameters whose sums run
// in different orders (the training sweep vs the validation pass): a few ulps of O(1) terms.
const SAME_J = 1e-12;

// The seed's network training (full-batch gradient descent, α = 0.01, 100 epochs, no early stopping)
// and its tanh hidden layers, explicitly, so that these tests do not move with the defaults (CHANGELOG 0.2.0, item 8).
const SEED_FIT = { optimizer: 'gd', learningRate: 0.01, epochs: 100, batchSize: 0, earlyStopping: false } as const;
const SEED_NET = { hidden: 'tanh' } as const;

/** A small noisy two-class problem a wide network overfits: few training rows, 30 % flipped labels. */
function overfitData(seed: number, n: number) {
  const r = mulberry32(seed);
  const X = new Matrix(n, 4), y = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < 4; k++) X.data[j * 4 + k] = gaussian(r);
    const clean = X.data[j * 4]! + 0.5 * X.data[j * 4 + 1]! > 0 ? 1 : 0;
    y[j] = r() < 0.3 ? 1 - clean : clean;
  }
  return { X, y };
}

describe.each(BACKENDS)('validation and early stopping on the $backend backend', ({ backend, available }) => {
  it.skipIf(!available)('LogisticRegression: validationCosts[i] is J on the validation set at the parameters of iteration i', () => {
    const { X, y } = randomLogisticData(3, 200, 5);
    const v = randomLogisticData(4, 80, 5);
    const full = new LogisticRegression({ learningRate: 0.5, iterations: 30, recordEvery: 1, backend });
    const records: { iteration: number; validationCost?: number; validationAccuracy?: number; learningRate?: number }[] = [];
    const r = full.fitSync(X, y, { validation: { X: v.X, y: v.y }, onProgress: (p) => records.push(p) });
    expect(r.validationCosts).toHaveLength(30);
    expect(r.validationAccuracies).toHaveLength(30);
    expect(records.map((p) => p.validationCost)).toEqual(r.validationCosts);
    expect(records.map((p) => p.validationAccuracy)).toEqual(r.validationAccuracies);
    expect(records.every((p) => p.learningRate === 0.5)).toBe(true);
    for (const i of [0, 1, 7, 29]) {
      const at = new LogisticRegression({ learningRate: 0.5, iterations: i, recordEvery: 1, backend });
      at.fitSync(X, y);  // i steps from zero: the parameters of record i
      const want = i === 0 ? Math.LN2 : at.costAndGradients(v.X, v.y).cost;
      expect(Math.abs(r.validationCosts![i]! - want)).toBeLessThanOrEqual(SAME_J * want);
      if (i > 0) expect(r.validationAccuracies![i]).toBe(at.scoreSync(v.X, v.y));
    }
  });

  it.skipIf(!available)('NeuralNetwork, full batch: validation figures of θ before each epoch\'s step', () => {
    const { X, y } = overfitData(5, 60);
    const v = overfitData(6, 40);
    const opts = { layers: [4, 8, 1], ...SEED_NET, seed: 3, backend };
    const r = new NeuralNetwork(opts).fitSync(X, y, { ...SEED_FIT, epochs: 20, learningRate: 0.3, validation: { X: v.X, y: v.y } });
    expect(r.validationCosts).toHaveLength(20);
    for (const e of [0, 4, 19]) {
      const at = new NeuralNetwork(opts);
      // e = 0 too: a fit of 0 epochs leaves the initial θ and makes the model fitted, so it can be scored.
      at.fitSync(X, y, { ...SEED_FIT, epochs: e, learningRate: 0.3 });
      const want = at.costAndGradients(v.X, v.y).cost;
      expect(Math.abs(r.validationCosts![e]! - want)).toBeLessThanOrEqual(SAME_J * want);
      expect(r.validationAccuracies![e]).toBe(at.scoreSync(v.X, v.y));
    }
  });

  it.skipIf(!available)('NeuralNetwork, mini-batches: validation figures of θ at the end of each epoch', () => {
    const { X, y } = overfitData(7, 64);
    const v = overfitData(8, 32);
    const opts = { layers: [4, 6, 1], ...SEED_NET, seed: 9, backend };
    const fit = { learningRate: 0.1, batchSize: 16, optimizer: 'adam', earlyStopping: false } as const;
    const r = new NeuralNetwork(opts).fitSync(X, y, { ...fit, epochs: 6, validation: { X: v.X, y: v.y } });
    for (const e of [0, 5]) {
      const at = new NeuralNetwork(opts);
      at.fitSync(X, y, { ...fit, epochs: e + 1 });  // the first fit of a network with this seed: the same shuffles
      const want = at.costAndGradients(v.X, v.y).cost;
      expect(Math.abs(r.validationCosts![e]! - want)).toBeLessThanOrEqual(SAME_J * want);
    }
  });

  it.skipIf(!available)('an mse network reports validation costs and no accuracies', () => {
    const r0 = mulberry32(2);
    const X = new Matrix(30, 2, Float64Array.from({ length: 60 }, () => gaussian(r0)));
    const Y = new Matrix(30, 1, Float64Array.from({ length: 30 }, (_, j) => X.data[2 * j]! - X.data[2 * j + 1]!));
    const net = new NeuralNetwork({ layers: [2, 4, 1], output: 'linear', loss: 'mse', backend });
    const r = net.fitSync(X, Y, { ...SEED_FIT, epochs: 5, validationSplit: 0.3 });
    expect(r.validationCosts).toHaveLength(5);
    expect(r.validationAccuracies).toBeUndefined();
  });

  it.skipIf(!available)('validationSplit holds its rows out: the fit equals one on the explicit split, bit for bit', () => {
    const { X, y } = randomLogisticData(11, 101, 3);
    const { train, validation } = splitIndices(101, 0.2, 42);
    expect(validation.length).toBe(20);
    expect(train.length + validation.length).toBe(101);
    expect(new Set([...train, ...validation]).size).toBe(101);
    const Xt = new Matrix(train.length, 3, takeRows(X.data, 3, train)), yt = Float64Array.from(train, (j) => y[j]!);
    const Xv = new Matrix(validation.length, 3, takeRows(X.data, 3, validation)), yv = Float64Array.from(validation, (j) => y[j]!);
    const a = new LogisticRegression({ learningRate: 0.3, iterations: 40, recordEvery: 5, seed: 42, backend });
    const ra = a.fitSync(X, y, { validationSplit: 0.2 });
    const b = new LogisticRegression({ learningRate: 0.3, iterations: 40, recordEvery: 5, backend });
    const rb = b.fitSync(Xt, yt, { validation: { X: Xv, y: yv } });
    expect(ra.costs).toEqual(rb.costs);
    expect(ra.validationCosts).toEqual(rb.validationCosts);
    expect(a.weights).toEqual(b.weights);
    expect(a.bias).toBe(b.bias);
    // The split is a function of (seed, n) only.
    expect(splitIndices(101, 0.2, 42)).toEqual({ train, validation });
    expect(splitIndices(101, 0.2, 43).validation).not.toEqual(validation);
  });

  it.skipIf(!available)('early stopping on an overfitting network: stops, and restores the best epoch\'s parameters bit for bit', () => {
    const { X, y } = overfitData(21, 40);
    const v = overfitData(22, 200);
    const opts = { layers: [4, 64, 64, 1], hidden: 'relu' as const, seed: 5, backend };
    // earlyStopping: false for the reference fits: no default early stopping on the training cost.
    const fit = { learningRate: 0.01, optimizer: 'adam', batchSize: 8, earlyStopping: false } as const;
    const net = new NeuralNetwork(opts);
    const r = net.fitSync(X, y, { ...fit, epochs: 400, validation: { X: v.X, y: v.y }, earlyStopping: { patience: 10 } });
    expect(r.stoppedEarly).toBe(true);
    expect(r.reason).toBe('early-stopping');
    const best = r.bestEpoch!;
    expect(r.epochs).toBe(best + 11);  // the best epoch, then `patience` epochs without improvement
    expect(r.costs).toHaveLength(best + 11);
    expect(r.bestValue).toBe(r.validationCosts![best]);
    expect(Math.min(...r.validationCosts!)).toBe(r.bestValue);
    // Overfitting: training cost kept falling past the best validation epoch.
    expect(r.costs[r.costs.length - 1]!).toBeLessThan(r.costs[best]!);
    const ref = new NeuralNetwork(opts);
    ref.fitSync(X, y, { ...fit, epochs: best + 1 });  // mini-batches: record e is θ at the end of epoch e
    expect(net.parameters).toEqual(ref.parameters);
    // Without restoreBest the network keeps the last epoch's parameters.
    const last = new NeuralNetwork(opts);
    last.fitSync(X, y, { ...fit, epochs: 400, validation: { X: v.X, y: v.y }, earlyStopping: { patience: 10, restoreBest: false } });
    const lastRef = new NeuralNetwork(opts);
    lastRef.fitSync(X, y, { ...fit, epochs: best + 11 });
    expect(last.parameters).toEqual(lastRef.parameters);
  });

  it.skipIf(!available)('early stopping, full batch: the best record is θ before its step', async () => {
    const { X, y } = overfitData(31, 30);
    const v = overfitData(32, 200);
    const opts = { layers: [4, 32, 1], ...SEED_NET, seed: 2, backend };
    const net = new NeuralNetwork(opts);
    const r = await net.fit(X, y, { ...SEED_FIT, epochs: 3000, learningRate: 1, validation: { X: v.X, y: v.y }, earlyStopping: { patience: 20, minDelta: 1e-4 } });
    expect(r.stoppedEarly).toBe(true);
    const ref = new NeuralNetwork(opts);
    ref.fitSync(X, y, { ...SEED_FIT, epochs: r.bestEpoch!, learningRate: 1 });
    expect(net.parameters).toEqual(ref.parameters);
  });

  it.skipIf(!available)('LogisticRegression early stopping on the training cost (minDelta) and on validation accuracy', () => {
    const { X, y } = randomLogisticData(12, 300, 4);
    const m = new LogisticRegression({ learningRate: 0.5, iterations: 2000, recordEvery: 10, backend });
    const r = m.fitSync(X, y, { earlyStopping: { monitor: 'cost', patience: 3, minDelta: 1e-3 } });
    expect(r.stoppedEarly).toBe(true);
    expect(r.bestEpoch! % 10).toBe(0);
    expect(r.bestValue).toBe(r.costs[r.bestEpoch! / 10]);
    const ref = new LogisticRegression({ learningRate: 0.5, iterations: r.bestEpoch!, recordEvery: 10, backend });
    ref.fitSync(X, y);
    expect(m.weights).toEqual(ref.weights);
    expect(m.bias).toBe(ref.bias);
    const acc = new LogisticRegression({ learningRate: 0.5, iterations: 2000, recordEvery: 10, backend })
      .fitSync(X, y, { validationSplit: 0.3, earlyStopping: { monitor: 'validationAccuracy', patience: 5 } });
    expect(acc.stoppedEarly).toBe(true);
    expect(acc.bestValue).toBe(Math.max(...acc.validationAccuracies!));
  });

  it.skipIf(!available)('fit copies the validation rows and the weights at the call: overwriting them afterwards changes nothing', async () => {
    const { X, y } = randomLogisticData(15, 120, 3);
    const v = randomLogisticData(16, 40, 3);
    const w = Float64Array.from({ length: 120 }, (_, j) => 1 + (j % 3));
    const opts = () => ({ validation: { X: new Matrix(40, 3, v.X.data.slice()), y: v.y.slice() }, sampleWeight: w.slice() });
    const a = new LogisticRegression({ learningRate: 0.3, iterations: 30, recordEvery: 3, backend });
    const o = opts();
    const job = a.fit(X, y, o);
    o.validation.X.data.fill(1e6);
    o.validation.y.fill(0);
    o.sampleWeight.fill(0);
    const ra = await job;
    const rb = new LogisticRegression({ learningRate: 0.3, iterations: 30, recordEvery: 3, backend }).fitSync(X, y, opts());
    expect(ra.validationCosts).toEqual(rb.validationCosts);
    expect(ra.costs).toEqual(rb.costs);
  });

  it.skipIf(!available)('an aborted L-BFGS fit or early-stopping fit rejects with an AbortError', async () => {
    // Big enough that the job (tens of ms) is still running when abort() follows fit() on this thread.
    const { X, y } = randomLogisticData(17, 40_000, 50);
    for (const model of [new LogisticRegression({ solver: 'lbfgs', maxIterations: 1000, tolerance: 0, backend }),
      new LogisticRegression({ iterations: 100_000, backend })]) {
      const controller = new AbortController();
      const job = model.fit(X, y, { signal: controller.signal, validationSplit: 0.2, earlyStopping: { patience: 100_000 } });
      controller.abort();
      await expect(job).rejects.toMatchObject({ name: 'AbortError' });
    }
  });

  it.skipIf(!available)('bad validation and early-stopping options: clear errors naming the option', () => {
    const { X, y } = randomLogisticData(1, 20, 3);
    const m = new LogisticRegression({ backend });
    const net = new NeuralNetwork({ layers: [3, 2, 1], backend });
    const mse = new NeuralNetwork({ layers: [3, 1], output: 'linear', loss: 'mse', backend });
    for (const fit of [(o: object) => m.fitSync(X, y, o), (o: object) => net.fitSync(X, y, o)]) {
      expectError(() => fit({ validationSplit: 0 }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.validationSplit', 'in (0, 1)', 'got 0');
      expectError(() => fit({ validationSplit: 1 }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.validationSplit', 'got 1');
      expectError(() => fit({ validationSplit: '0.2' }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.validationSplit', 'got "0.2"');
      expectError(() => fit({ validation: X }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.validation');
      // validation is { X, y } now, Y an accepted alias (CHANGELOG 0.2.0, item 6): errors name y.
      expectError(() => fit({ validation: { X } }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.validation must be { X, y }');
      expectError(() => fit({ validation: { X: [[1, 2]], y: [1] } }), RangeError, 'ERR_BLASNET_SHAPE', 'options.validation.X');
      expectError(() => fit({ validation: { X, y: y.subarray(0, 5) } }), RangeError, 'ERR_BLASNET_SHAPE', 'options.validation.y', 'got 5');
      expectError(() => fit({ validation: { X, Y: y.subarray(0, 5) } }), RangeError, 'ERR_BLASNET_SHAPE', 'options.validation.y', 'got 5');
      expectError(() => fit({ validation: { X, y, Y: y } }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.validation', 'both y and Y');
      expectError(() => fit({ validation: { X, y }, validationSplit: 0.2 }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'exclusive');
      expectError(() => fit({ earlyStopping: { monitor: 'validationCost' } }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'needs validation data');
      expectError(() => fit({ earlyStopping: { monitor: 'loss' } }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.earlyStopping.monitor', "'validationCost' | 'validationAccuracy' | 'cost'");
      expectError(() => fit({ earlyStopping: { monitor: 'cost', patience: 0 } }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.earlyStopping.patience', 'integer ≥ 1');
      expectError(() => fit({ earlyStopping: { monitor: 'cost', minDelta: -1 } }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.earlyStopping.minDelta', '≥ 0');
      expectError(() => fit({ earlyStopping: { monitor: 'cost', restoreBest: 1 } }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.earlyStopping.restoreBest', 'boolean');
      expectError(() => fit({ earlyStopping: { monitor: 'cost', wait: 3 } }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.earlyStopping', 'unknown option "wait"');
      expectError(() => fit({ earlyStopping: 5 }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.earlyStopping');
    }
    // Without validation data the monitor defaults to the training cost.
    expect(new LogisticRegression({ backend, iterations: 5, recordEvery: 1 }).fitSync(X, y, { earlyStopping: {} }).bestValue).toBeDefined();
    expectError(() => m.fitSync(X, y, { validation: { X, y: [2, ...y.subarray(1)] } }), RangeError, 'ERR_BLASNET_LABEL', 'options.validation.y');
    expectError(() => mse.fitSync(X, y, { validationSplit: 0.2, earlyStopping: { monitor: 'validationAccuracy' } }), RangeError,
      'ERR_BLASNET_ARG_RANGE', 'needs a classifier');
    // One row cannot be split (an n × 1 target Matrix: a label vector of one row has a single class, refused first).
    expectError(() => m.fitSync(new Matrix(1, 3), new Matrix(1, 1, Float64Array.of(1)) as unknown as number[], { validationSplit: 0.5 }), RangeError, 'ERR_BLASNET_SHAPE', 'at least 2 rows');
    expectError(() => m.fitSync(new Matrix(1, 3), [1], { validationSplit: 0.5 }), RangeError, 'ERR_BLASNET_LABEL', 'at least two distinct labels');
  });
});

describe.skipIf(!BACKENDS[0]!.available)('validation: the backends agree', () => {
  it('logistic and network validation costs agree within 1e-10', () => {
    const { X, y } = randomLogisticData(13, 150, 4);
    const fit = (backend: 'native' | 'reference') =>
      new LogisticRegression({ learningRate: 0.2, iterations: 50, recordEvery: 5, backend }).fitSync(X, y, { validationSplit: 0.25 });
    const a = fit('native'), b = fit('reference');
    a.validationCosts!.forEach((c, i) => expect(Math.abs(c - b.validationCosts![i]!)).toBeLessThanOrEqual(1e-10 * c));
    expect(a.validationAccuracies).toEqual(b.validationAccuracies);
    const net = (backend: 'native' | 'reference') =>
      new NeuralNetwork({ layers: [4, 5, 1], ...SEED_NET, seed: 4, backend }).fitSync(X, y, { ...SEED_FIT, epochs: 10, batchSize: 32, learningRate: 0.1, validationSplit: 0.25 });
    const c = net('native'), d = net('reference');
    c.validationCosts!.forEach((v, i) => expect(Math.abs(v - d.validationCosts![i]!)).toBeLessThanOrEqual(1e-10 * v));
  });
});
