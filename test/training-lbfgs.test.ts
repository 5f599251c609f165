// L-BFGS (two-loop recursion, strong-Wolfe line search) for logistic regression and networks on
// both backends, and the L2 term of logistic regression. The optimum itself is checked against a
// Newton solver's in test/regression (logistic-optimum-*.json); here: why a fit stops, what it
// reports, that the backends agree, that it beats gradient descent, and every bad value.
import { describe, expect, it } from 'vitest';
import { LogisticRegression, Matrix, NeuralNetwork } from '../lib/index.js';
import { BACKENDS, plainCost, randomLogisticData } from './helpers/data.js';
import { expectError } from './helpers/errors.js';
import { twoMoons } from './helpers/network-data.js';

/** A binary model's costAndGradients (the union type also covers the multinomial { dW, db[] }). */
type Binary = { cost: number; dw: Float64Array; db: number };

const maxAbs = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));

describe.each(BACKENDS)('L-BFGS on the $backend backend', ({ backend, available }) => {
  const { X, y } = randomLogisticData(41, 300, 6);

  it.skipIf(!available)('l2: J = mean loss + (λ/2)‖w‖², the bias not penalized', () => {
    const model = new LogisticRegression({ l2: 0.3, backend });
    const w = [0.5, -1, 0.25, 2, 0, -0.5];
    model.setParameters({ weights: w, bias: 3 });
    const g = model.costAndGradients(X, y) as Binary;
    const want = plainCost(X, y, w, 3) + 0.15 * w.reduce((s, v) => s + v * v, 0);
    expect(Math.abs(g.cost - want)).toBeLessThanOrEqual(1e-13 * want);
    const plain = new LogisticRegression({ backend });
    plain.setParameters({ weights: w, bias: 3 });
    const g0 = plain.costAndGradients(X, y) as Binary;
    g.dw.forEach((d, k) => expect(Math.abs(d - (g0.dw[k]! + 0.3 * w[k]!))).toBeLessThanOrEqual(1e-14));
    expect(g.db).toBe(g0.db);  // the bias is not penalized
  });

  it.skipIf(!available)('logistic regression: stops on the gradient norm and says so; the final gradient meets the tolerance', () => {
    const seen: { iteration: number; cost: number; learningRate?: number }[] = [];
    const model = new LogisticRegression({ solver: 'lbfgs', l2: 1e-3, tolerance: 1e-6, backend });
    const r = model.fitSync(X, y, { onProgress: (p) => seen.push(p) });
    expect(r.reason).toBe('gradient');
    expect(r.epochs).toBeGreaterThan(3);
    expect(r.epochs).toBeLessThan(100);
    const g = model.costAndGradients(X, y) as Binary;
    expect(maxAbs([...g.dw, g.db])).toBeLessThanOrEqual(1e-6);
    expect(r.finalCost).toBe(g.cost);
    // One record per iteration (recordEvery defaults to 1 for L-BFGS), J before that iteration, decreasing.
    expect(r.costs.length).toBe(r.epochs + 1);
    for (let i = 1; i < r.costs.length; i++) expect(r.costs[i]!).toBeLessThan(r.costs[i - 1]!);
    expect(seen.map((p) => p.cost)).toEqual(r.costs);
    expect(seen.every((p) => p.learningRate === undefined)).toBe(true);
    expect(r.learningRates).toBeUndefined();
  });

  it.skipIf(!available)('stops at maxIterations with reason max-iterations; a fit from the optimum stops at once', () => {
    const capped = new LogisticRegression({ solver: 'lbfgs', maxIterations: 3, tolerance: 0, backend });
    const r = capped.fitSync(X, y);
    expect(r.reason).toBe('max-iterations');
    expect(r.epochs).toBe(3);
    const model = new LogisticRegression({ solver: 'lbfgs', l2: 0.01, tolerance: 1e-8, backend });
    model.fitSync(X, y);
    const again = model.fitSync(X, y, { warmStart: true });
    expect(again.epochs).toBe(0);
    expect(again.reason).toBe('gradient');
  });

  it.skipIf(!available)('tolerance 0 ends on the cost change (or the line search) near the optimum, not at the cap', () => {
    const model = new LogisticRegression({ solver: 'lbfgs', l2: 0.01, tolerance: 0, maxIterations: 1000, backend });
    const r = model.fitSync(X, y);
    expect(['cost-change', 'line-search', 'gradient']).toContain(r.reason);
    expect(r.epochs).toBeLessThan(1000);
    const g = model.costAndGradients(X, y) as Binary;
    expect(maxAbs([...g.dw, g.db])).toBeLessThan(1e-7);
  });

  it.skipIf(!available)('reaches a lower cost in 30 iterations than 2000 gradient-descent steps (ill-conditioned features)', () => {
    const hard = randomLogisticData(42, 300, 6, 3);
    const lb = new LogisticRegression({ solver: 'lbfgs', l2: 1e-4, maxIterations: 30, tolerance: 0, backend }).fitSync(hard.X, hard.y);
    const gd = new LogisticRegression({ learningRate: 0.1, iterations: 2000, recordEvery: 2000, l2: 1e-4, backend });
    gd.fitSync(hard.X, hard.y);
    expect(lb.finalCost!).toBeLessThan(gd.costAndGradients(hard.X, hard.y).cost);
  });

  it.skipIf(!available)('networks: full-batch L-BFGS stops on the gradient norm, far below gradient descent', async () => {
    const { X: Xm, y: ym } = twoMoons(200, 0.1, 3);
    // The seed's architecture (tanh hidden layer) and, below, its full-batch gradient descent, explicitly,
    // so that the test does not move with the defaults (CHANGELOG 0.2.0, item 8).
    const net = new NeuralNetwork({ layers: [2, 8, 1], hidden: 'tanh', seed: 1, backend });
    const r = await net.fit(Xm, ym, { optimizer: 'lbfgs', epochs: 2000, tolerance: 1e-5 });
    expect(r.reason).toBe('gradient');
    const g = net.costAndGradients(Xm, ym);
    expect(maxAbs([...g.dW.flatMap((a) => Array.from(a)), ...g.db.flatMap((a) => Array.from(a))])).toBeLessThanOrEqual(1e-5);
    const gd = new NeuralNetwork({ layers: [2, 8, 1], hidden: 'tanh', seed: 1, backend });
    gd.fitSync(Xm, ym, { optimizer: 'gd', epochs: r.epochs, learningRate: 0.5, batchSize: 0, earlyStopping: false });
    expect(g.cost).toBeLessThan(gd.costAndGradients(Xm, ym).cost);
    expect(net.scoreSync(Xm, ym)).toBeGreaterThan(0.95);
  });

  it.skipIf(!available)('early stopping with L-BFGS restores the best iteration bit for bit', () => {
    const { X: Xm, y: ym } = twoMoons(60, 0.3, 5);
    const v = twoMoons(200, 0.3, 6);
    const opts = { layers: [2, 32, 1], hidden: 'tanh' as const, seed: 2, backend };
    const net = new NeuralNetwork(opts);
    const r = net.fitSync(Xm, ym, { optimizer: 'lbfgs', epochs: 3000, tolerance: 0, validation: { X: v.X, y: v.y }, earlyStopping: { patience: 15 } });
    expect(r.stoppedEarly).toBe(true);
    const ref = new NeuralNetwork(opts);
    ref.fitSync(Xm, ym, { optimizer: 'lbfgs', epochs: r.bestEpoch!, tolerance: 0 });  // record i is θ before iteration i
    expect(net.parameters).toEqual(ref.parameters);
  });

  it.skipIf(!available)('toJSON / fromJSON keep the solver, l2, tolerance, maxIterations and seed', () => {
    const model = new LogisticRegression({ solver: 'lbfgs', l2: 0.02, tolerance: 1e-7, maxIterations: 40, seed: 9, backend });
    model.fitSync(X, y);
    const copy = LogisticRegression.fromJSON(JSON.parse(JSON.stringify(model.toJSON())), { backend });
    // The instance fields are gone (CHANGELOG 0.2.0, item 6): the options live in trainingOptions, the
    // aliases resolved (solver → optimizer, maxIterations → epochs).
    expect(copy.trainingOptions).toEqual({ optimizer: 'lbfgs', l2: 0.02, tolerance: 1e-7, epochs: 40 });
    expect([copy.l2, copy.seed]).toEqual([0.02, 9]);
    expect(copy.costAndGradients(X, y).cost).toBe(model.costAndGradients(X, y).cost);
    // A gd model's file (format version 3) stores exactly the constructor's options, the seed and
    // the training state (gd's: the epoch counter and its step count, no buffers).
    const gd = new LogisticRegression({ learningRate: 0.1, iterations: 5, backend });
    gd.fitSync(X, y);
    const json = gd.toJSON();
    expect(json.version).toBe(3);
    expect(Object.keys(json.training).sort()).toEqual(['options', 'seed', 'state']);
    expect(json.training.state).toEqual({ epochsTrained: 5, optimizer: { name: 'gd', l2: 0, steps: 5 } });
    expect((json.training as { options: unknown }).options).toEqual({ learningRate: 0.1, epochs: 5 });
    expect(LogisticRegression.fromJSON(JSON.parse(JSON.stringify(json)), { backend }).trainingOptions).toEqual({ learningRate: 0.1, epochs: 5 });
  });

  it.skipIf(!available)('bad tolerances, caps and mixed options: clear errors', () => {
    // solver, iterations and maxIterations are aliases of optimizer and epochs (CHANGELOG 0.2.0, item 6):
    // their values are checked as the option they stand for, and named as the user wrote them.
    expectError(() => new LogisticRegression({ solver: 'newton' as 'lbfgs', backend }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.solver', "'gd' | 'momentum' | 'adam' | 'lbfgs'", 'newton');
    expectError(() => new LogisticRegression({ solver: 'lbfgs', tolerance: -1, backend }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.tolerance', '≥ 0', 'got -1');
    expectError(() => new LogisticRegression({ solver: 'lbfgs', tolerance: NaN, backend }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.tolerance');
    expectError(() => new LogisticRegression({ solver: 'lbfgs', tolerance: '1e-6' as unknown as number, backend }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.tolerance');
    // maxIterations is the epochs cap: 0 is an empty fit now, as for epochs; below 0 or fractional is an error.
    expectError(() => new LogisticRegression({ solver: 'lbfgs', maxIterations: -1, backend }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.maxIterations', 'integer ≥ 0');
    expectError(() => new LogisticRegression({ solver: 'lbfgs', maxIterations: 2.5, backend }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.maxIterations', '2.5');
    expectError(() => new LogisticRegression({ solver: 'lbfgs', learningRate: 0.1, backend }), TypeError, 'ERR_BLASNET_ARG_TYPE', "options.learningRate does not apply to optimizer 'lbfgs'");
    // iterations is now an alias of epochs, which is L-BFGS's iteration cap: accepted with 'lbfgs'.
    expect(new LogisticRegression({ solver: 'lbfgs', iterations: 10, backend }).trainingOptions).toEqual({ optimizer: 'lbfgs', epochs: 10 });
    expectError(() => new LogisticRegression({ solver: 'lbfgs', iterations: 10, maxIterations: 10, backend }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.maxIterations is an alias of options.epochs');
    expectError(() => new LogisticRegression({ tolerance: 1e-6, backend }), TypeError, 'ERR_BLASNET_ARG_TYPE', "options.tolerance applies to optimizer 'lbfgs' only", "optimizer 'gd'");
    expectError(() => new LogisticRegression({ maxIterations: 5, backend }), TypeError, 'ERR_BLASNET_ARG_TYPE', "options.maxIterations applies to optimizer 'lbfgs' only");
    expectError(() => new LogisticRegression({ l2: -0.1, backend }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.l2', '≥ 0');
    expectError(() => new LogisticRegression({ l2: Infinity, backend }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.l2');
    const net = new NeuralNetwork({ layers: [6, 1], backend });
    expectError(() => net.fitSync(X, y, { optimizer: 'lbfgs', tolerance: -1 }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.tolerance');
    expectError(() => net.fitSync(X, y, { optimizer: 'lbfgs', epochs: -1 }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.epochs');
    expectError(() => net.fitSync(X, y, { optimizer: 'lbfgs', batchSize: 32 }), TypeError, 'ERR_BLASNET_ARG_TYPE', "options.batchSize does not apply to optimizer 'lbfgs'");
    expectError(() => net.fitSync(X, y, { optimizer: 'lbfgs', learningRate: 0.1 }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.learningRate does not apply');
    expectError(() => net.fitSync(X, y, { tolerance: 1e-6 }), TypeError, 'ERR_BLASNET_ARG_TYPE', "options.tolerance applies to optimizer 'lbfgs' only");
    expectError(() => net.fitSync(X, y, { optimizer: 'bfgs' as 'lbfgs' }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.optimizer', "'lbfgs'");
  });
});

describe.skipIf(!BACKENDS[0]!.available)('L-BFGS: the backends agree', () => {
  it('logistic regression and a network: the same iterations and costs within 1e-10', () => {
    const { X, y } = randomLogisticData(43, 200, 5);
    const fit = (backend: 'native' | 'reference') => {
      const m = new LogisticRegression({ solver: 'lbfgs', l2: 0.01, tolerance: 1e-10, backend });
      return m.fitSync(X, y);
    };
    const a = fit('native'), b = fit('reference');
    expect(Math.abs(a.finalCost! - b.finalCost!)).toBeLessThanOrEqual(1e-12 * b.finalCost!);
    const n = Math.min(a.costs.length, b.costs.length);
    for (let i = 0; i < n; i++) expect(Math.abs(a.costs[i]! - b.costs[i]!)).toBeLessThanOrEqual(1e-10 * b.costs[i]!);
    const X2 = new Matrix(X.rows, 5, X.data);
    const net = (backend: 'native' | 'reference') =>
      new NeuralNetwork({ layers: [5, 4, 1], seed: 3, backend }).fitSync(X2, y, { optimizer: 'lbfgs', epochs: 25, tolerance: 0 });
    const c = net('native'), d = net('reference');
    expect(c.epochs).toBe(d.epochs);
    c.costs.forEach((v, i) => expect(Math.abs(v - d.costs[i]!)).toBeLessThanOrEqual(1e-10 * v));
  });
});
