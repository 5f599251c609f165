// Input scaling stored in the model (setInputScaling / inputScaling, lib/scaling.ts): every method
// that takes X gives exactly what the same model gives on Standardizer.transform(X), the caller's X
// is never changed, bad scalings are refused with the argument named, and it survives save/load.
//
// Tolerance: none. The model computes (x − mean) / std with the same two operations in the same
// order as Standardizer.transform, so the scaled inputs, and everything computed from them on the
// same backend, are the same bits; the tests compare with Object.is.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogisticRegression, Matrix, NeuralNetwork, Standardizer, loadModel } from '../lib/index.js';
import type { LogisticModelJSON, NetworkModelJSON } from '../lib/index.js';
import { BACKENDS, gaussian, mulberry32 } from './helpers/data.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blasnet-scaling-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  // A Matrix (no length) would compare nothing: refuse anything that is not array-like.
  if (typeof expected.length !== 'number' || typeof actual.length !== 'number') expect.fail(`${what}: not array-like`);
  expect(actual.length, `${what}.length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]}`);
  }
}

/** Raw features on very different scales (offsets and spreads per column), so the scaling matters. */
function rawData(seed: number, rows: number, cols: number): Matrix {
  const rand = mulberry32(seed);
  const M = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) M.data[i * cols + j] = 10 ** j * (3 + gaussian(rand)) - 50 * j;
  }
  return M;
}

const X = rawData(1, 60, 4);
const scaler = Standardizer.fit(X);
const Z = scaler.transform(X);
const Xtest = rawData(2, 15, 4);
const Ztest = scaler.transform(Xtest);
const labels = Float64Array.from({ length: 60 }, (_, i) => (Z.data[i * 4]! + Z.data[i * 4 + 2]! > 0 ? 1 : 0));
const ytest = Float64Array.from({ length: 15 }, (_, i) => (Ztest.data[i * 4]! > 0 ? 1 : 0));
const classes = Array.from({ length: 60 }, (_, i) => (Z.data[i * 4 + 1]! > 0.3 ? 2 : Z.data[i * 4 + 3]! > 0 ? 1 : 0));
const classesTest = Array.from({ length: 15 }, (_, i) => i % 3);

/** Runs `f` and checks that X's values did not change (the model never scales in place). */
function untouched<T>(M: Matrix, f: () => T): T {
  const before = M.data.slice();
  const out = f();
  expectSameBits(M.data, before, 'the caller\'s X');
  return out;
}

describe.each(BACKENDS)('$backend backend', ({ backend, available }) => {
  describe.skipIf(!available)('', () => {
    it('LogisticRegression: fit, costAndGradients, predict* and score* on raw X equal the unscaled model on standardized X', async () => {
      const scaled = new LogisticRegression({ learningRate: 0.2, iterations: 120, recordEvery: 10, backend });
      scaled.setInputScaling(scaler);
      const plain = new LogisticRegression({ learningRate: 0.2, iterations: 120, recordEvery: 10, backend });
      const a = untouched(X, () => scaled.fitSync(X, labels));
      const b = plain.fitSync(Z, labels);
      expectSameBits(a.costs, b.costs, 'fitSync costs');
      expectSameBits(scaled.weights, plain.weights, 'weights after fitSync');
      expect(Object.is(scaled.bias, plain.bias)).toBe(true);
      // The async fit (it copies its inputs) too, warm-started from the same parameters.
      await untouched(X, () => scaled.fit(X, labels, { warmStart: true }));
      await plain.fit(Z, labels, { warmStart: true });
      expectSameBits(scaled.weights, plain.weights, 'weights after fit');

      type Binary = { cost: number; dw: Float64Array; db: number };  // a binary model's costAndGradients
      const g1 = untouched(X, () => scaled.costAndGradients(X, labels)) as Binary, g2 = plain.costAndGradients(Z, labels) as Binary;
      expect(Object.is(g1.cost, g2.cost) && Object.is(g1.db, g2.db)).toBe(true);
      expectSameBits(g1.dw, g2.dw, 'dw');
      // predictProba* are n × 2 matrices now (CHANGELOG 0.2.0, item 3): their data, P(y = 0) and P(y = 1) per row.
      expectSameBits(untouched(Xtest, () => scaled.predictProbaSync(Xtest)).data, plain.predictProbaSync(Ztest).data, 'predictProbaSync');
      expectSameBits((await untouched(Xtest, () => scaled.predictProba(Xtest))).data, (await plain.predictProba(Ztest)).data, 'predictProba');
      expectSameBits(scaled.predictSync(Xtest.toArray()) as Float64Array, plain.predictSync(Ztest) as Float64Array, 'predictSync (number[][])');
      expectSameBits(await scaled.predict(Xtest) as Float64Array, await plain.predict(Ztest) as Float64Array, 'predict');
      // score* scale once, not twice: they equal the plain model's scores on standardized data.
      expect(scaled.scoreSync(Xtest, ytest)).toBe(plain.scoreSync(Ztest, ytest));
      expect(await scaled.score(Xtest, ytest)).toBe(await plain.score(Ztest, ytest));
      expect(scaled.scoreSync(X, labels)).toBe(plain.scoreSync(Z, labels));
      expect(plain.scoreSync(Z, labels)).toBeGreaterThan(0.9); // the comparison is between working models
    });

    it('NeuralNetwork: fitSync, fit (shuffled mini-batches), costAndGradients, predict*, score* on raw X equal the unscaled network on standardized X', async () => {
      const options = { layers: [4, 6, 3], hidden: 'relu', output: 'softmax', seed: 4, backend } as const;
      const scaled = new NeuralNetwork(options);
      scaled.setInputScaling({ mean: Array.from(scaler.mean), std: scaler.std }); // number[] and Float64Array both accepted
      const plain = new NeuralNetwork(options);
      const fit = { epochs: 15, batchSize: 16, optimizer: 'adam', learningRate: 0.02, earlyStopping: false } as const;
      expectSameBits(untouched(X, () => scaled.fitSync(X, classes, fit)).costs, plain.fitSync(Z, classes, fit).costs, 'fitSync costs');
      // The async fit continues from the fitted parameters (warmStart: every fit starts afresh otherwise).
      expectSameBits((await untouched(X, () => scaled.fit(X, classes, { ...fit, warmStart: true }))).costs,
        (await plain.fit(Z, classes, { ...fit, warmStart: true })).costs, 'fit costs');
      const p1 = scaled.parameters, p2 = plain.parameters;
      p2.W.forEach((w, l) => expectSameBits(p1.W[l]!, w, `W[${l}]`));
      p2.b.forEach((b, l) => expectSameBits(p1.b[l]!, b, `b[${l}]`));

      const g1 = untouched(X, () => scaled.costAndGradients(X, classes, { l2: 0.01 })), g2 = plain.costAndGradients(Z, classes, { l2: 0.01 });
      expect(Object.is(g1.cost, g2.cost)).toBe(true);
      g2.dW.forEach((d, l) => expectSameBits(g1.dW[l]!, d, `dW[${l}]`));
      // predictProba* give the outputs, predict* the labels (CHANGELOG 0.2.0, item 2).
      expectSameBits(untouched(Xtest, () => scaled.predictProbaSync(Xtest)).data, plain.predictProbaSync(Ztest).data, 'predictProbaSync');
      expectSameBits((await untouched(Xtest, () => scaled.predictProba(Xtest))).data, (await plain.predictProba(Ztest)).data, 'predictProba');
      expectSameBits(scaled.predictSync(Xtest.toArray()) as Float64Array, plain.predictSync(Ztest) as Float64Array, 'predictSync');
      expectSameBits(await scaled.predict(Xtest) as Float64Array, await plain.predict(Ztest) as Float64Array, 'predict');
      expect(scaled.scoreSync(Xtest, classesTest)).toBe(plain.scoreSync(Ztest, classesTest));
      expect(await scaled.score(Xtest, classesTest)).toBe(await plain.score(Ztest, classesTest));
      expect(scaled.scoreSync(X, classes)).toBe(plain.scoreSync(Z, classes));
      expect(plain.scoreSync(Z, classes)).toBeGreaterThan(0.7);
      // Different from using the raw inputs unscaled: the scaling is really applied.
      expect(Array.from(plain.predictProbaSync(Xtest).data)).not.toEqual(Array.from(scaled.predictProbaSync(Xtest).data));
    });

    it('saved and loaded with the model (toJSON/fromJSON, save/load, loadModel): the same predictions on raw X', async () => {
      const net = new NeuralNetwork({ layers: [4, 5, 1], hidden: 'tanh', seed: 8, backend });
      net.setInputScaling(scaler);
      net.fitSync(X, labels, { optimizer: 'gd', epochs: 20, learningRate: 0.3, batchSize: 0, earlyStopping: false });
      const logistic = new LogisticRegression({ iterations: 50, learningRate: 0.3, backend });
      logistic.setInputScaling(scaler);
      logistic.fitSync(X, labels);
      const netPath = join(dir, `net-${backend}.json`), logPath = join(dir, `log-${backend}.json`);
      await net.save(netPath);
      await logistic.save(logPath);

      const netFile = JSON.parse(readFileSync(netPath, 'utf8')) as NetworkModelJSON;
      expect(netFile.preprocessing).toEqual({ inputScaling: { mean: Array.from(scaler.mean), std: Array.from(scaler.std) } });
      const logFile = JSON.parse(readFileSync(logPath, 'utf8')) as LogisticModelJSON;
      expect(logFile.preprocessing).toEqual(netFile.preprocessing);

      const expectedNet = net.predictProbaSync(Xtest).data, expectedLog = logistic.predictProbaSync(Xtest).data;
      for (const n of [await NeuralNetwork.load(netPath, { backend }), await loadModel(netPath, { backend }) as NeuralNetwork, NeuralNetwork.fromJSON(net.toJSON(), { backend })]) {
        expectSameBits(n.inputScaling!.mean, scaler.mean, 'mean');
        expectSameBits(n.inputScaling!.std, scaler.std, 'std');
        expectSameBits(n.predictProbaSync(Xtest).data, expectedNet, 'network predictProbaSync after the round trip');
      }
      for (const m of [await LogisticRegression.load(logPath, { backend }), await loadModel(logPath, { backend }) as LogisticRegression, LogisticRegression.fromJSON(logistic.toJSON(), { backend })]) {
        expectSameBits(m.predictProbaSync(Xtest).data, expectedLog, 'logistic predictProbaSync after the round trip');
      }
      // Without a scaling nothing is written, and a file without the field loads with none.
      net.setInputScaling(null);
      expect(net.inputScaling).toBeNull();
      expect('preprocessing' in net.toJSON()).toBe(false);
      const { preprocessing: _p, ...without } = netFile;
      expect(NeuralNetwork.fromJSON(without, { backend }).inputScaling).toBeNull();
    });
  });
});

describe('setInputScaling validates its argument', () => {
  const net = () => new NeuralNetwork({ layers: [4, 3, 1], backend: 'reference' });
  const cases: [string, unknown, string, RegExp][] = [
    ['a number', 3, 'ERR_BLASNET_ARG_TYPE', /scaling must be a Standardizer, an object \{ mean, std \} or null, got 3/],
    ['undefined', undefined, 'ERR_BLASNET_ARG_TYPE', /scaling must be a Standardizer, an object \{ mean, std \} or null, got undefined/],
    ['no std', { mean: [0, 0, 0, 0] }, 'ERR_BLASNET_ARG_TYPE', /scaling must have own properties mean and std .* without std/],
    ['inherited mean and std', Object.create({ mean: [0, 0, 0, 0], std: [1, 1, 1, 1] }) as unknown, 'ERR_BLASNET_ARG_TYPE', /scaling must have own properties mean and std .* without mean/],
    ['a string mean', { mean: 'abcd', std: [1, 1, 1, 1] }, 'ERR_BLASNET_ARG_TYPE', /scaling\.mean must be a Float64Array or number\[\], got "abcd"/],
    ['a string inside std', { mean: [0, 0, 0, 0], std: [1, '1', 1, 1] }, 'ERR_BLASNET_ARG_TYPE', /scaling\.std\[1\] must be a number, got "1"/],
    ['too short', { mean: [0, 0, 0], std: [1, 1, 1] }, 'ERR_BLASNET_SHAPE', /scaling\.mean must have one value per feature \(4\), got 3/],
    ['std too long', { mean: [0, 0, 0, 0], std: [1, 1, 1, 1, 1] }, 'ERR_BLASNET_SHAPE', /scaling\.std must have one value per feature \(4\), got 5/],
    ['NaN mean', { mean: [0, NaN, 0, 0], std: [1, 1, 1, 1] }, 'ERR_BLASNET_NOT_FINITE', /scaling\.mean must contain only finite numbers, got NaN at index 1/],
    ['infinite std', { mean: [0, 0, 0, 0], std: [1, 1, Infinity, 1] }, 'ERR_BLASNET_NOT_FINITE', /scaling\.std must contain only finite numbers, got Infinity at index 2/],
    ['zero std', { mean: [0, 0, 0, 0], std: [1, 1, 1, 0] }, 'ERR_BLASNET_ARG_RANGE', /scaling\.std must hold values > 0 .*got 0 at index 3/],
    ['negative std', { mean: [0, 0, 0, 0], std: [-1, 1, 1, 1] }, 'ERR_BLASNET_ARG_RANGE', /scaling\.std must hold values > 0 .*got -1 at index 0/],
  ];
  it.each(cases)('%s', (_name, value, code, message) => {
    const n = net();
    n.setInputScaling(scaler);
    let error: unknown;
    try {
      n.setInputScaling(value as never);
    } catch (e) {
      error = e;
    }
    expect((error as { code?: string }).code).toBe(code);
    expect((error as Error).message).toMatch(message);
    // A refused call changes nothing.
    expectSameBits(n.inputScaling!.mean, scaler.mean, 'mean kept');
  });

  it('copies in and out: changing the caller\'s arrays or the returned ones changes nothing', () => {
    const mean = Float64Array.from(scaler.mean), std = Float64Array.from(scaler.std);
    const n = net();
    n.setParameters(n.parameters);  // fitted at its initial parameters: predict* need a fitted model
    n.setInputScaling({ mean, std });
    const before = n.predictProbaSync(Xtest).data;
    mean.fill(1e6);
    const got = n.inputScaling!;
    got.std.fill(1e-6);
    expectSameBits(n.predictProbaSync(Xtest).data, before, 'predictions');
    expectSameBits(n.inputScaling!.std, scaler.std, 'std');
  });

  it('refused while a fit runs (ERR_BLASNET_BUSY)', async () => {
    const n = net();
    const running = n.fit(X, labels, { epochs: 5 });
    expect(() => n.setInputScaling(scaler)).toThrow(expect.objectContaining({ code: 'ERR_BLASNET_BUSY' }) as Error);
    await running;
    expect(n.inputScaling).toBeNull();
  });

  it('LogisticRegression: an unfitted model takes any length and then needs X of that width; a fitted one needs its own', () => {
    const m = new LogisticRegression({ iterations: 10, backend: 'reference' });
    m.setInputScaling({ mean: [0, 0, 0], std: [1, 1, 1] });
    expect(() => m.fitSync(X, labels)).toThrow(/X must have 3 columns .*got 4/);
    m.setInputScaling(scaler);
    m.fitSync(X, labels);
    expect(() => m.setInputScaling({ mean: [0, 0, 0], std: [1, 1, 1] })).toThrow(/scaling\.mean must have one value per feature \(4\), got 3/);
    expect(() => m.setParameters({ weights: [1, 2, 3], bias: 0 })).toThrow(/parameters must have 4 weights per class, one per feature of the model's input scaling, got 3/);
    expect(() => new LogisticRegression().setInputScaling({ mean: [], std: [] })).toThrow(/scaling\.mean must have one value per feature \(at least 1\), got 0/);
  });

  it('a finite input that the scaling turns into ±Infinity is an error naming its place, not a result', () => {
    const n = net();
    n.setParameters(n.parameters);  // fitted at its initial parameters: predict* need a fitted model
    n.setInputScaling({ mean: [0, -1e308, 0, 0], std: [1, 1, 1, 1] });
    const bad = Xtest.toArray();
    bad[3]![1] = 1e308;
    expect(() => n.predictSync(bad)).toThrow(/X at row 3, column 1 is 1e\+308, which the model's input scaling \(mean -1e\+308, std 1\) turns into Infinity/);
  });
});

describe('preprocessing in a model file is validated like the rest', () => {
  const n = new NeuralNetwork({ layers: [4, 3, 1], seed: 2, backend: 'reference' });
  n.setInputScaling(scaler);
  const valid = () => JSON.parse(JSON.stringify(n.toJSON())) as NetworkModelJSON;
  const rejects = (mutate: (j: NetworkModelJSON) => void, code: string, message: RegExp) => {
    const j = valid();
    mutate(j);
    const path = join(dir, `bad-${code}-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify(j));
    return expect(NeuralNetwork.load(path, { backend: 'reference' })).rejects.toMatchObject({ code, message: expect.stringMatching(message) as unknown });
  };
  it('wrong length, non-finite, std ≤ 0, unknown keys, wrong structure', async () => {
    await rejects((j) => { j.preprocessing!.inputScaling.mean.pop(); }, 'ERR_BLASNET_SHAPE', /model file ".*": preprocessing\.inputScaling\.mean must have 4 values \(one per input feature\), got 3/);
    await rejects((j) => { j.preprocessing!.inputScaling.std[0] = 0; }, 'ERR_BLASNET_FORMAT', /preprocessing\.inputScaling\.std must hold values > 0, got 0 at index 0/);
    await rejects((j) => { (j.preprocessing!.inputScaling.mean as unknown[])[2] = null; }, 'ERR_BLASNET_NOT_FINITE', /preprocessing\.inputScaling\.mean must contain only finite numbers, got null at index 2/);
    await rejects((j) => { (j.preprocessing as Record<string, unknown>).pca = {}; }, 'ERR_BLASNET_FORMAT', /unknown key "pca" at preprocessing/);
    await rejects((j) => { (j.preprocessing!.inputScaling as Record<string, unknown>).center = true; }, 'ERR_BLASNET_FORMAT', /unknown key "center" at preprocessing\.inputScaling/);
    await rejects((j) => { (j as Record<string, unknown>).preprocessing = [1]; }, 'ERR_BLASNET_FORMAT', /preprocessing must be an object, got an array/);
  });
});
