// A fit whose cost stops being finite stops at that iteration with ERR_BLASNET_DIVERGED, names the
// iteration and the usual causes, and leaves the model as it was before the fit (parameters and
// training state; an unfitted model stays unfitted).
import { describe, expect, it } from 'vitest';
import { DivergenceError, LogisticRegression, Matrix, NeuralNetwork, Random } from '../lib/index.js';
import { BACKENDS } from './helpers/data.js';

function unscaled(n: number, m: number) {
  const r = new Random(9);
  const X = new Matrix(n, m, Float64Array.from({ length: n * m }, () => 1e3 * r.normal()));
  const y = Float64Array.from({ length: n }, (_, j) => (X.data[j * m]! > 0 ? 1 : 0));
  return { X, y };
}

describe.each(BACKENDS)('divergence on the $backend backend', ({ backend, available }) => {
  if (!available) return;
  it('LogisticRegression: a learning rate of 1e305 on unscaled features', () => {
    const { X, y } = unscaled(50, 4);
    const model = new LogisticRegression({ learningRate: 1e305, iterations: 100, backend });
    let error: unknown;
    try {
      model.fitSync(X, y);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DivergenceError);
    const d = error as DivergenceError;
    expect(d.code).toBe('ERR_BLASNET_DIVERGED');
    expect(d.iteration).toBeGreaterThan(0);
    expect(d.iteration).toBeLessThan(100);
    expect(d.message).toContain(`iteration ${d.iteration}`);
    expect(d.message).toMatch(/learning rate/);
    expect(d.message).toMatch(/standardize/);
    // The model keeps what it had before the fit: nothing, as it had never been fitted.
    expect(model.weights.length).toBe(0);
    expect(() => model.predictSync(X)).toThrow(/not been fitted/);
    // A fitted model keeps its parameters and its training state, bit for bit.
    model.fitSync(X, y, { learningRate: 1e-6, iterations: 3 });
    const before = model.toJSON();
    expect(() => model.fitSync(X, y, { warmStart: true })).toThrow(DivergenceError);
    expect({ ...model.toJSON(), metadata: null }).toEqual({ ...before, metadata: null });
    expect(model.epochsTrained).toBe(3);
  });

  it('LogisticRegression: the async fit rejects the same way', async () => {
    const { X, y } = unscaled(50, 4);
    const model = new LogisticRegression({ learningRate: 1e305, iterations: 100, backend });
    await expect(model.fit(X, y)).rejects.toMatchObject({ code: 'ERR_BLASNET_DIVERGED' });
    expect(model.weights.every(Number.isFinite)).toBe(true);
  });

  it('LogisticRegression: a finite cost that grows above 1e6 × its first record is divergence too (a fit once returned 6.6e11 as success)', async () => {
    const { X, y } = unscaled(60, 3);
    // Features of scale 1e3 and a step of 1e4: the cost stays finite but overshoots to ~1e7 and more,
    // far above 1e6 × ln 2 (the first record, at w = 0).
    const make = () => new LogisticRegression({ learningRate: 1e4, iterations: 50, recordEvery: 1, backend });
    const model = make();
    let error: unknown = null;
    try {
      model.fitSync(X, y);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as DivergenceError).code).toBe('ERR_BLASNET_DIVERGED');
    expect((error as Error).message).toMatch(/first recorded cost|first record/);
    expect(model.weights.every(Number.isFinite)).toBe(true);
    await expect(make().fit(X, y)).rejects.toMatchObject({ code: 'ERR_BLASNET_DIVERGED' });
    // Below the rule's line the same fit completes: a step of 1 peaks at ~2.3e3 (finite, < 1e6 × ln 2).
    expect(() => new LogisticRegression({ learningRate: 1, iterations: 50, recordEvery: 1, backend }).fitSync(X, y)).not.toThrow();
  });

  it('NeuralNetwork: mse on unscaled targets with a huge learning rate', async () => {
    const { X } = unscaled(40, 3);
    const Y = new Matrix(40, 1, Float64Array.from({ length: 40 }, (_, j) => 1e6 * X.data[j * 3]!));
    // Unscaled targets: standardizeTargets (the regression default since 0.2.0) off; the seed's full-batch
    // gradient descent explicitly (not the default since 0.2.0, CHANGELOG item 8).
    const net = new NeuralNetwork({ layers: [3, 5, 1], hidden: 'relu', output: 'linear', loss: 'mse', standardizeTargets: false, seed: 1, backend });
    await expect(net.fit(X, Y, { optimizer: 'gd', epochs: 1000, learningRate: 1e3, batchSize: 0, earlyStopping: false })).rejects.toMatchObject({ code: 'ERR_BLASNET_DIVERGED' });
    const p = net.parameters;
    expect([...p.W, ...p.b].every((a) => a.every(Number.isFinite))).toBe(true);
    expect(net.fitted).toBe(false);
  });
});
