// Sample and class weights for both models on both backends: J = Σ w_j L_j / Σ w_j per batch (the
// numpy fixtures in test/regression check the values; here finite differences, the meaning of a
// weight, 'balanced' class weights on an imbalanced set, and every bad value).
import { describe, expect, it } from 'vitest';
import { gradientCheck, LogisticRegression, Matrix, NeuralNetwork } from '../lib/index.js';
import { BACKENDS, gaussian, mulberry32, randomLogisticData } from './helpers/data.js';
import { expectError } from './helpers/errors.js';

/** A binary model's costAndGradients (the union type also covers the multinomial { dW, db[] }). */
type Binary = { cost: number; dw: Float64Array; db: number };

// The seed's network training (full-batch gradient descent, α = 0.01, 100 epochs, no early stopping)
// and its tanh hidden layers, explicitly, so that these tests do not move with the defaults (CHANGELOG 0.2.0, item 8).
const SEED_FIT = { optimizer: 'gd', learningRate: 0.01, epochs: 100, batchSize: 0, earlyStopping: false } as const;
const SEED_NET = { hidden: 'tanh' } as const;

function weightsFor(n: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  return Float64Array.from({ length: n }, (_, j) => (j % 5 === 0 ? 0 : 3 * r()));
}

/** An imbalanced two-class set: 8 % positives, overlapping classes. */
function imbalanced(seed: number, n: number) {
  const r = mulberry32(seed);
  const X = new Matrix(n, 2), y = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    y[j] = r() < 0.08 ? 1 : 0;
    X.data[2 * j] = gaussian(r) + (y[j] ? 1.2 : 0);
    X.data[2 * j + 1] = gaussian(r) + (y[j] ? 0.8 : 0);
  }
  return { X, y };
}

function recall(pred: Float64Array, y: Float64Array, cls: number): number {
  let hit = 0, total = 0;
  for (let j = 0; j < y.length; j++) if (y[j] === cls) { total++; if (pred[j] === cls) hit++; }
  return hit / total;
}

describe.each(BACKENDS)('sample and class weights on the $backend backend', ({ backend, available }) => {
  it.skipIf(!available)('network: weighted gradients match central differences (smooth activations: < 1e-7, MATH.md)', () => {
    const r = mulberry32(3);
    const X = new Matrix(25, 3, Float64Array.from({ length: 75 }, () => gaussian(r)));
    const y = Float64Array.from({ length: 25 }, (_, j) => j % 3);
    const net = new NeuralNetwork({ layers: [3, 5, 3], hidden: 'tanh', output: 'softmax', seed: 2, backend });
    const { maxRelativeError } = gradientCheck(net, X, y, { sampleWeight: weightsFor(25, 4), l2: 0.01 });
    expect(maxRelativeError).toBeLessThan(1e-7);
    const mse = new NeuralNetwork({ layers: [3, 4, 2], hidden: 'sigmoid', output: 'tanh', loss: 'mse', seed: 5, backend });
    const Y = new Matrix(25, 2, Float64Array.from({ length: 50 }, () => 0.8 * (r() - 0.5)));
    expect(gradientCheck(mse, X, Y, { sampleWeight: weightsFor(25, 6) }).maxRelativeError).toBeLessThan(1e-7);
  });

  it.skipIf(!available)('logistic regression: weighted gradients match central differences (< 1e-7)', () => {
    const { X, y } = randomLogisticData(8, 40, 3);
    const w = weightsFor(40, 9);
    const model = new LogisticRegression({ backend, l2: 0.05 });
    model.setParameters({ weights: [0.3, -0.7, 0.2], bias: 0.1 });
    const g = model.costAndGradients(X, y, { sampleWeight: w }) as Binary;
    const h = 1e-5;
    const at = (k: number, d: number) => {
      const p = [0.3, -0.7, 0.2, 0.1];
      p[k]! += d;
      const m = new LogisticRegression({ backend, l2: 0.05 });
      m.setParameters({ weights: p.slice(0, 3), bias: p[3]! });
      return m.costAndGradients(X, y, { sampleWeight: w }).cost;
    };
    const analytic = [...g.dw, g.db];
    for (let k = 0; k < 4; k++) {
      const num = (at(k, h) - at(k, -h)) / (2 * h);
      expect(Math.abs(analytic[k]! - num) / Math.max(Math.abs(num), 1e-12)).toBeLessThan(1e-7);
    }
  });

  it.skipIf(!available)('an integer weight counts like a repeated row (full batch, 1e-12 relative)', () => {
    const { X, y } = randomLogisticData(10, 30, 3);
    const w = Float64Array.from({ length: 30 }, (_, j) => (j % 4) + 0);  // 0, 1, 2, 3, …
    const rows: number[][] = [], labels: number[] = [];
    for (let j = 0; j < 30; j++) for (let c = 0; c < w[j]!; c++) { rows.push(Array.from(X.row(j))); labels.push(y[j]!); }
    const a = new LogisticRegression({ learningRate: 0.5, iterations: 20, recordEvery: 1, backend }).fitSync(X, y, { sampleWeight: w });
    const b = new LogisticRegression({ learningRate: 0.5, iterations: 20, recordEvery: 1, backend }).fitSync(rows, labels);
    a.costs.forEach((c, i) => expect(Math.abs(c - b.costs[i]!)).toBeLessThanOrEqual(1e-12 * c));
    const na = new NeuralNetwork({ layers: [3, 4, 1], ...SEED_NET, seed: 1, backend });
    const nb = new NeuralNetwork({ layers: [3, 4, 1], ...SEED_NET, seed: 1, backend });
    const ra = na.fitSync(X, y, { ...SEED_FIT, epochs: 10, learningRate: 0.5, sampleWeight: w });
    const rb = nb.fitSync(rows, labels, { ...SEED_FIT, epochs: 10, learningRate: 0.5 });
    ra.costs.forEach((c, i) => expect(Math.abs(c - rb.costs[i]!)).toBeLessThanOrEqual(1e-12 * c));
  });

  it.skipIf(!available)('classWeight as an array is sampleWeight by class, bit for bit; classWeight × sampleWeight multiply', () => {
    const { X, y } = randomLogisticData(12, 60, 3);
    const byClass = Float64Array.from(y, (c) => (c ? 2.5 : 0.5));
    const a = new LogisticRegression({ learningRate: 0.3, iterations: 30, recordEvery: 3, backend });
    const b = new LogisticRegression({ learningRate: 0.3, iterations: 30, recordEvery: 3, backend });
    expect(a.fitSync(X, y, { classWeight: [0.5, 2.5] }).costs).toEqual(b.fitSync(X, y, { sampleWeight: byClass }).costs);
    expect(a.weights).toEqual(b.weights);
    const sw = weightsFor(60, 13);
    const both = Float64Array.from(sw, (v, j) => v * byClass[j]!);
    const c = new NeuralNetwork({ layers: [3, 2, 1], ...SEED_NET, seed: 4, backend });
    const d = new NeuralNetwork({ layers: [3, 2, 1], ...SEED_NET, seed: 4, backend });
    c.fitSync(X, y, { ...SEED_FIT, epochs: 5, batchSize: 16, classWeight: [0.5, 2.5], sampleWeight: sw });
    d.fitSync(X, y, { ...SEED_FIT, epochs: 5, batchSize: 16, sampleWeight: both });
    expect(c.parameters).toEqual(d.parameters);
  });

  it.skipIf(!available)("classWeight 'balanced' raises the minority class's recall on an imbalanced set", () => {
    const { X, y } = imbalanced(21, 1500);
    const test = imbalanced(22, 3000);
    const plain = new LogisticRegression({ learningRate: 0.5, iterations: 400, backend });
    plain.fitSync(X, y);
    const balanced = new LogisticRegression({ learningRate: 0.5, iterations: 400, backend });
    balanced.fitSync(X, y, { classWeight: 'balanced' });
    const r0 = recall(plain.predictSync(test.X) as Float64Array, test.y, 1), r1 = recall(balanced.predictSync(test.X) as Float64Array, test.y, 1);
    console.log(`[weights] ${backend} logistic minority recall: unweighted ${(100 * r0).toFixed(1)} %, balanced ${(100 * r1).toFixed(1)} %`);
    expect(r1).toBeGreaterThan(r0 + 0.2);
    const net = new NeuralNetwork({ layers: [2, 8, 1], ...SEED_NET, seed: 3, backend });
    const netBal = new NeuralNetwork({ layers: [2, 8, 1], ...SEED_NET, seed: 3, backend });
    const fit = { epochs: 30, batchSize: 64, optimizer: 'adam', learningRate: 0.01, earlyStopping: false } as const;
    net.fitSync(X, y, fit);
    netBal.fitSync(X, y, { ...fit, classWeight: 'balanced' });
    // predictSync returns labels (CHANGELOG 0.2.0, item 2), here the numbers 0/1 the fit was given.
    const n0 = recall(net.predictSync(test.X) as Float64Array, test.y, 1), n1 = recall(netBal.predictSync(test.X) as Float64Array, test.y, 1);
    console.log(`[weights] ${backend} network minority recall: unweighted ${(100 * n0).toFixed(1)} %, balanced ${(100 * n1).toFixed(1)} %`);
    expect(n1).toBeGreaterThan(n0 + 0.2);
  });

  it.skipIf(!available)("'balanced' is n / (k · n_c): a softmax network's fit equals one with those sample weights", () => {
    const r = mulberry32(31);
    const n = 50;
    const X = new Matrix(n, 2, Float64Array.from({ length: 2 * n }, () => gaussian(r)));
    const y = Float64Array.from({ length: n }, (_, j) => (j < 5 ? 0 : j < 20 ? 1 : 2));  // 5, 15, 30 rows
    const w = Float64Array.from(y, (c) => n / (3 * [5, 15, 30][c]!));
    const a = new NeuralNetwork({ layers: [2, 3], output: 'softmax', seed: 1, backend });
    const b = new NeuralNetwork({ layers: [2, 3], output: 'softmax', seed: 1, backend });
    expect(a.fitSync(X, y, { ...SEED_FIT, epochs: 4, classWeight: 'balanced' }).costs).toEqual(b.fitSync(X, y, { ...SEED_FIT, epochs: 4, sampleWeight: w }).costs);
  });

  it.skipIf(!available)('a mini-batch whose weights are all 0 takes no step and does not diverge', () => {
    const { X, y } = randomLogisticData(14, 20, 2);
    const w = Float64Array.from({ length: 20 }, (_, j) => (j < 10 ? 0 : 1));
    const net = new NeuralNetwork({ layers: [2, 3, 1], ...SEED_NET, seed: 2, backend });
    const r = net.fitSync(X, y, { ...SEED_FIT, epochs: 3, batchSize: 10, shuffle: false, sampleWeight: w });
    expect(r.costs.every(Number.isFinite)).toBe(true);
    expect(r.steps).toBe(6);
  });

  it.skipIf(!available)('bad weights: clear errors naming the option', () => {
    const { X, y } = randomLogisticData(1, 10, 2);
    const m = new LogisticRegression({ backend, iterations: 1 });
    const net = new NeuralNetwork({ layers: [2, 2, 1], backend });
    const mse = new NeuralNetwork({ layers: [2, 1], output: 'linear', loss: 'mse', backend });
    const multi = new NeuralNetwork({ layers: [2, 2], output: 'sigmoid', backend });
    for (const fit of [(o: object) => m.fitSync(X, y, o), (o: object) => net.fitSync(X, y, o)]) {
      expectError(() => fit({ sampleWeight: [1, 2] }), RangeError, 'ERR_BLASNET_SHAPE', 'options.sampleWeight', 'one weight per row of X (10)', 'got 2');
      expectError(() => fit({ sampleWeight: 'x' }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.sampleWeight', 'Float64Array or number[]');
      expectError(() => fit({ sampleWeight: new Array(10).fill(-1) }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.sampleWeight[0]', '≥ 0', 'got -1');
      expectError(() => fit({ sampleWeight: [...new Array(9).fill(1), NaN] }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.sampleWeight[9]', 'got NaN');
      expectError(() => fit({ sampleWeight: [...new Array(9).fill(1), '1'] }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.sampleWeight[9]');
      expectError(() => fit({ sampleWeight: new Float64Array(10) }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'must not give every row a weight of 0');
      // The classes are named now (classWeight may be keyed by label, CHANGELOG 0.2.0 item 9), and a
      // non-finite class weight is ERR_BLASNET_NOT_FINITE, as lib/labels.ts reports every non-finite value.
      expectError(() => fit({ classWeight: [1] }), RangeError, 'ERR_BLASNET_SHAPE', 'options.classWeight', 'one weight per class (2: [0, 1])', 'got 1');
      expectError(() => fit({ classWeight: [1, Infinity] }), RangeError, 'ERR_BLASNET_NOT_FINITE', 'options.classWeight[1]', 'Infinity');
      expectError(() => fit({ classWeight: 'equal' }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.classWeight', "'balanced'");
      expectError(() => fit({ classWeight: [0, 0], sampleWeight: new Array(10).fill(1) }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'weight of 0');
    }
    expectError(() => mse.fitSync(X, y, { classWeight: 'balanced' }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.classWeight needs class labels');
    expectError(() => multi.fitSync(X, new Matrix(10, 2), { classWeight: [1, 1] }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'needs class labels');
    expectError(() => m.costAndGradients(X, y, { sampleWeight: [1] }), RangeError, 'ERR_BLASNET_SHAPE', 'options.sampleWeight');
    expectError(() => m.costAndGradients(X, y, { classWeight: [1, 1] } as object), TypeError, 'ERR_BLASNET_ARG_TYPE', 'unknown option "classWeight"');
    expectError(() => gradientCheck(net, X, y, { sampleWeight: [1] }), RangeError, 'ERR_BLASNET_SHAPE', 'options.sampleWeight');
  });
});

describe.skipIf(!BACKENDS[0]!.available)('weights: the backends agree', () => {
  it('weighted fits of both models agree within 1e-10 relative', () => {
    const { X, y } = randomLogisticData(15, 120, 4);
    const w = weightsFor(120, 16);
    const fit = (backend: 'native' | 'reference') =>
      new LogisticRegression({ learningRate: 0.3, iterations: 40, recordEvery: 4, backend }).fitSync(X, y, { sampleWeight: w, validationSplit: 0.2 });
    const a = fit('native'), b = fit('reference');
    a.costs.forEach((c, i) => expect(Math.abs(c - b.costs[i]!)).toBeLessThanOrEqual(1e-10 * c));
    const net = (backend: 'native' | 'reference') =>
      new NeuralNetwork({ layers: [4, 5, 1], ...SEED_NET, seed: 2, backend }).fitSync(X, y, { ...SEED_FIT, epochs: 8, batchSize: 30, learningRate: 0.2, classWeight: 'balanced', sampleWeight: w });
    const c = net('native'), d = net('reference');
    c.costs.forEach((v, i) => expect(Math.abs(v - d.costs[i]!)).toBeLessThanOrEqual(1e-10 * v));
  });
});
