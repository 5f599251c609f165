// Model persistence (each model's toJSON/fromJSON/save/load, lib/format/, lib/fileio.ts, the
// either-kind lib/persist.ts): exact round trips on both backends, the checked-in format-1 fixtures
// (hand-written ones, and files written by the code before the split), training.state (and the
// version-2 training.completedFits it replaces), an
// atomic save under kill -9, and a clear error for every kind of malformed file or non-tree object.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BlasnetError, BlasnetRangeError, BlasnetTypeError, LogisticRegression, Matrix, NeuralNetwork } from '../lib/index.js';
import { loadModel, modelFromJSON, modelToJSON, saveModel, type Model } from '../lib/persist.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION } from '../lib/format/spec.js';
import type { LogisticModelJSON, NetworkModelJSON } from '../lib/format/types.js';
import { BACKENDS, gaussian, HAS_NATIVE, mulberry32, randomLogisticData } from './helpers/data.js';

// Lets one test make rename() fail after the temporary file has been written.
const hooks = vi.hoisted(() => ({ failRename: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    rename: (from: string, to: string) => {
      if (hooks.failRename) return Promise.reject(Object.assign(new Error(`EXDEV: cross-device link not permitted, rename '${from}' -> '${to}'`), { code: 'EXDEV', errno: -18, syscall: 'rename' }));
      return actual.rename(from, to);
    },
  };
});

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = join(ROOT, 'test', 'fixtures', 'persist');
const CHILD = join(ROOT, 'test', 'helpers', 'persist-child.mjs');
const HOSTILE_CHILD = join(ROOT, 'test', 'helpers', 'hostile-json-child.mjs');
const PKG_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blasnet-persist-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let fileNo = 0;
function tempPath(name = 'model'): string {
  return join(dir, `${name}-${++fileNo}.json`);
}

/** Fails with the first index where the two differ as bits (Object.is: −0 ≠ 0). */
function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, `${what}.length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]}`);
  }
}

function expectSameNetwork(actual: NeuralNetwork, expected: NeuralNetwork): void {
  expect(actual.spec).toEqual(expected.spec);
  expect(actual.seed).toBe(expected.seed);
  const a = actual.parameters, e = expected.parameters;
  e.W.forEach((w, l) => expectSameBits(a.W[l]!, w, `W[${l}]`));
  e.b.forEach((b, l) => expectSameBits(a.b[l]!, b, `b[${l}]`));
}

/** All parameters as one byte string: equal buffers ⇔ bit-identical parameters. */
function fingerprint(net: NeuralNetwork): Buffer {
  const { W, b } = net.parameters;
  return Buffer.concat([...W, ...b].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
}

/**
 * What a network computes, as numbers: the class probabilities of a classifier (predictProba), the
 * values of a regressor (predict). A round trip must give these bit for bit.
 */
function outputsSync(net: NeuralNetwork, X: Matrix | number[][]): Float64Array {
  if (net.task === 'regression') {
    const v = net.predictSync(X);
    return v instanceof Matrix ? v.data : (v as Float64Array);
  }
  return net.predictProbaSync(X).data;
}

async function outputs(net: NeuralNetwork, X: Matrix | number[][]): Promise<Float64Array> {
  if (net.task === 'regression') {
    const v = await net.predict(X);
    return v instanceof Matrix ? v.data : (v as Float64Array);
  }
  return (await net.predictProba(X)).data;
}

/** Column 1 of an n × 2 probability matrix: P(positive class), what the binary models predicted before 0.2.0. */
function positive(P: Matrix): Float64Array {
  expect(P.cols).toBe(2);
  return Float64Array.from({ length: P.rows }, (_, j) => P.get(j, 1));
}

function randomMatrix(seed: number, rows: number, cols: number): Matrix {
  const rand = mulberry32(seed);
  const M = new Matrix(rows, cols);
  for (let k = 0; k < M.data.length; k++) M.data[k] = gaussian(rand);
  return M;
}

/** Two depth-3 networks covering every activation, each trained a little so no parameter is at its initial value. */
function trainedNetworks(backend: 'native' | 'reference'): { name: string; net: NeuralNetwork; X: Matrix }[] {
  const X = randomMatrix(1, 40, 5);
  const classes = Array.from({ length: 40 }, (_, j) => j % 3);
  const a = new NeuralNetwork({ layers: [5, 7, 6, 3], hidden: [{ name: 'leaky-relu', alpha: 0.2 }, 'tanh'], output: 'softmax', loss: 'cross-entropy', seed: 11, backend });
  a.fitSync(X, classes, { epochs: 30, optimizer: 'adam', learningRate: 0.01, batchSize: 8 });
  const Y = randomMatrix(2, 40, 2);
  const b = new NeuralNetwork({ layers: [5, 8, 4, 2], hidden: ['relu', 'sigmoid'], output: 'linear', loss: 'mse', seed: 5, backend });
  b.fitSync(X, Y, { epochs: 20, optimizer: 'momentum', learningRate: 0.05 });
  return [{ name: 'leaky-relu/tanh/softmax', net: a, X }, { name: 'relu/sigmoid/linear mse', net: b, X }];
}

function trainedLogistic(backend: 'native' | 'reference'): { model: LogisticRegression; X: Matrix } {
  const { X, y } = randomLogisticData(3, 60, 4);
  const model = new LogisticRegression({ learningRate: 0.1, iterations: 200, recordEvery: 20, backend });
  model.fitSync(X, y);
  return { model, X };
}

describe.each(BACKENDS)('round trips, $backend backend', ({ backend, available }) => {
  describe.skipIf(!available)('', () => {
    it('a trained depth-3 NeuralNetwork predicts bit-identically after saveModel/loadModel', async () => {
      for (const { name, net, X } of trainedNetworks(backend)) {
        const path = tempPath('net');
        await saveModel(net, path);
        const back = await loadModel(path, { backend });
        expect(back, name).toBeInstanceOf(NeuralNetwork);
        const loaded = back as NeuralNetwork;
        expect(loaded.backend).toBe(backend);
        expectSameNetwork(loaded, net);
        expectSameBits(outputsSync(loaded, X), outputsSync(net, X), `${name}: outputs`);
        expect(loaded.predictSync(X), `${name}: predictSync`).toEqual(net.predictSync(X));
        expect(loaded.classes, `${name}: classes`).toEqual(net.classes);
        // The typed loader gives the same.
        const typed = await NeuralNetwork.load(path, { backend });
        expectSameBits(outputsSync(typed, X), outputsSync(net, X), `${name}: loadNetwork outputs`);
      }
    });

    it('the same through modelToJSON → JSON text → modelFromJSON', () => {
      for (const { name, net, X } of trainedNetworks(backend)) {
        const json = modelToJSON(net);
        const back = NeuralNetwork.fromJSON(JSON.parse(JSON.stringify(json)), { backend });
        expectSameNetwork(back, net);
        expectSameBits(outputsSync(back, X), outputsSync(net, X), `${name}: outputs`);
        expect(back.predictSync(X), `${name}: predictSync`).toEqual(net.predictSync(X));
        expect(modelFromJSON(json, { backend })).toBeInstanceOf(NeuralNetwork);
      }
    });

    it('a trained LogisticRegression predicts bit-identically and keeps its options', async () => {
      const { model, X } = trainedLogistic(backend);
      const path = tempPath('logistic');
      await saveModel(model, path);
      const back = await LogisticRegression.load(path, { backend });
      expect(back.backend).toBe(backend);
      expect(back.trainingOptions).toEqual({ learningRate: 0.1, epochs: 200, recordEvery: 20 });
      expect(back.classes).toEqual(model.classes);
      expectSameBits(back.weights, model.weights, 'weights');
      expect(Object.is(back.bias, model.bias)).toBe(true);
      expectSameBits(back.predictProbaSync(X).data, model.predictProbaSync(X).data, 'predictProbaSync');
      expect(back.predictSync(X)).toEqual(model.predictSync(X));
      const viaJSON = LogisticRegression.fromJSON(JSON.parse(JSON.stringify(modelToJSON(model))) as unknown, { backend });
      expectSameBits(viaJSON.predictProbaSync(X).data, model.predictProbaSync(X).data, 'predictProbaSync via JSON');
    });
  });
});

describe('exactness', () => {
  it('extreme values and −0 survive saveModel/loadModel bit for bit', async () => {
    const weights = [-0, 5e-324, -5e-324, 1.7976931348623157e308, -2.2250738585072014e-308, 0.1 + 0.2, 1 / 3, Math.PI, -1e-7, 123456789.12345679];
    const model = new LogisticRegression({ backend: 'reference' });
    model.setParameters({ weights, bias: -0 });
    const path = tempPath('extreme');
    await saveModel(model, path);
    expect(readFileSync(path, 'utf8')).toContain('"weights": [-0,5e-324,-5e-324,1.7976931348623157e+308,');
    const back = await LogisticRegression.load(path, { backend: 'reference' });
    expectSameBits(back.weights, weights, 'weights');
    expect(Object.is(back.bias, -0)).toBe(true);
  });

  it.skipIf(!HAS_NATIVE)('a model saved on the native backend loads on the reference one with the same parameters', async () => {
    const [{ net }] = trainedNetworks('native');
    const path = tempPath('cross');
    await saveModel(net!, path);
    const back = await NeuralNetwork.load(path, { backend: 'reference' });
    expect(back.backend).toBe('reference');
    expectSameNetwork(back, net!);
  });

  it('writes the documented shape: format, version, kind, metadata, architecture, training, parameters', async () => {
    const net = new NeuralNetwork({ layers: [2, 3, 2], hidden: { name: 'leaky-relu', alpha: 0.1 }, output: 'softmax', seed: 7, backend: 'reference' });
    const json = modelToJSON(net);
    expect(Object.keys(json)).toEqual(['format', 'version', 'kind', 'metadata', 'architecture', 'training', 'parameters']);
    expect(json.format).toBe(MODEL_FORMAT);
    expect(json.version).toBe(MODEL_FORMAT_VERSION);
    expect(json.kind).toBe('neural-network');
    expect(json.architecture).toEqual({ layers: [2, 3, 2], activations: [{ name: 'leaky-relu', alpha: 0.1 }, { name: 'softmax' }], loss: 'cross-entropy' });
    expect(json.training).toEqual({ seed: 7 });
    expect(json.metadata.blasnet).toBe(PKG_VERSION);
    expect(new Date(json.metadata.createdAt!).toISOString()).toBe(json.metadata.createdAt);
    expect(json.parameters.W.map((w) => w.length)).toEqual([6, 6]);
    const path = tempPath('shape');
    await saveModel(net, path);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ ...json, metadata: expect.anything() as unknown });
  });
});

describe('format-1 fixtures (test/fixtures/persist) keep loading', () => {
  it('tiny-network.v1.json: exact parameters (−0 included), the right architecture, and its prediction', async () => {
    for (const { backend, available } of BACKENDS) {
      if (!available) continue;
      const net = await NeuralNetwork.load(join(FIXTURES, 'tiny-network.v1.json'), { backend });
      expect(net.spec.sizes).toEqual([2, 3, 1]);
      expect(net.spec.layers.map((l) => l.g)).toEqual([{ name: 'leaky-relu', alpha: 0.05 }, { name: 'sigmoid', alpha: 0.01 }]);
      expect(net.spec.loss).toBe('cross-entropy');
      expect(net.seed).toBe(42);
      const { W, b } = net.parameters;
      expectSameBits(W[0]!, [0.5, -0.25, 1, 0.125, -1.5, 0.75], 'W[0]');
      expectSameBits(W[1]!, [1, -2, 0.5], 'W[1]');
      expectSameBits(b[0]!, [0.1, -0, 0.2], 'b[0]');
      expectSameBits(b[1]!, [-0.3], 'b[1]');
      // By hand at x = (1, 2): z1 = (0.1, 1.25, 0.2), all > 0 so a1 = z1; z2 = 0.1 − 2.5 + 0.1 − 0.3 = −2.6.
      const p = net.predictProbaSync([[1, 2]]).get(0, 1);
      expect(Math.abs(p - 1 / (1 + Math.exp(2.6)))).toBeLessThan(1e-15);
      expect(net.classes).toEqual([0, 1]); // version 1 files have classes 0 … k−1
      expect(net.predictSync([[1, 2]])).toEqual(Float64Array.of(0));
      // And it serializes back to the same content, written as the current version (the classes written out).
      const again = modelToJSON(net);
      const fixture = JSON.parse(readFileSync(join(FIXTURES, 'tiny-network.v1.json'), 'utf8')) as NetworkModelJSON;
      expect({ ...again, metadata: null }).toEqual({ ...fixture, version: MODEL_FORMAT_VERSION, architecture: { ...fixture.architecture, classes: [0, 1] }, metadata: null });
      expectSameNetwork(NeuralNetwork.fromJSON(again, { backend }), net);
    }
  });

  it('tiny-logistic.v1.json: exact parameters, training options, and its prediction', async () => {
    const model = await LogisticRegression.load(join(FIXTURES, 'tiny-logistic.v1.json'), { backend: 'reference' });
    expectSameBits(model.weights, [0.5, -1.25, 2], 'weights');
    expect(model.bias).toBe(-0.5);
    // The seed's solver fields become the training options (gd was the only first-order solver then).
    expect(model.trainingOptions).toEqual({ optimizer: 'gd', learningRate: 0.1, epochs: 500, recordEvery: 50 });
    expect(model.classes).toEqual([0, 1]);
    expect(Math.abs(model.predictProbaSync([[1, 1, 1]]).get(0, 1) - 1 / (1 + Math.exp(-0.75)))).toBeLessThan(1e-15);
    const fixture = JSON.parse(readFileSync(join(FIXTURES, 'tiny-logistic.v1.json'), 'utf8')) as LogisticModelJSON;
    // Written again it is the current version: classes and the seed written out, the options in version 2's form.
    expect({ ...modelToJSON(model), metadata: null }).toEqual({
      ...fixture, version: MODEL_FORMAT_VERSION, metadata: null,
      architecture: { features: 3, classes: [0, 1] },
      training: { seed: 0, options: { optimizer: 'gd', learningRate: 0.1, epochs: 500, recordEvery: 50 } },
    });
  });
});

describe('version-1 files written by the code before persistence moved into the models (commit a15a5db)', () => {
  // test/fixtures/persist/make-v1-fixtures.mjs wrote these with that commit's saveModel, and recorded
  // the predictions the writing models made on each backend. Bit-identical: the same parameters on the
  // same backend run the same operations.
  const expected = JSON.parse(readFileSync(join(FIXTURES, 'trained.v1.expected.json'), 'utf8')) as {
    network: { X: number[][]; predict: Record<string, number[]> };
    logistic: { X: number[][]; predictProba: Record<string, number[]> };
  };

  describe.each(BACKENDS)('$backend backend', ({ backend, available }) => {
    it.skipIf(!available)('trained-network.v1.json (mini-batch Adam fit) predicts exactly what the model that wrote it predicted', async () => {
      const path = join(FIXTURES, 'trained-network.v1.json');
      for (const net of [await NeuralNetwork.load(path, { backend }), await loadModel(path, { backend }) as NeuralNetwork]) {
        expect(net).toBeInstanceOf(NeuralNetwork);
        expect(net.backend).toBe(backend);
        expect(net.inputScaling).toBeNull();
        // Before 0.2.0 predict returned the output activations: predictProba's now.
        expectSameBits(outputsSync(net, expected.network.X), expected.network.predict[backend]!, 'predictProbaSync');
        expectSameBits(await outputs(net, expected.network.X), expected.network.predict[backend]!, 'predictProba');
      }
      // Written again, the body is the same (metadata aside) in the current version: only the classes (0 … k−1) are added.
      const net = await NeuralNetwork.load(path, { backend });
      const file = JSON.parse(readFileSync(path, 'utf8')) as NetworkModelJSON;
      expect({ ...net.toJSON(), metadata: null }).toEqual({ ...file, version: MODEL_FORMAT_VERSION, architecture: { ...file.architecture, classes: [0, 1, 2] }, metadata: null });
    });

    it.skipIf(!available)('trained-logistic.v1.json predicts exactly what the model that wrote it predicted', async () => {
      const path = join(FIXTURES, 'trained-logistic.v1.json');
      for (const model of [await LogisticRegression.load(path, { backend }), await loadModel(path, { backend }) as LogisticRegression]) {
        expect(model).toBeInstanceOf(LogisticRegression);
        // Before 0.2.0 predictProba returned P(y = 1): column 1 now.
        expectSameBits(positive(model.predictProbaSync(expected.logistic.X)), expected.logistic.predictProba[backend]!, 'predictProbaSync');
        expectSameBits(positive(await model.predictProba(expected.logistic.X)), expected.logistic.predictProba[backend]!, 'predictProba');
      }
      const model = await LogisticRegression.load(path, { backend });
      const file = JSON.parse(readFileSync(path, 'utf8')) as LogisticModelJSON;
      expect({ ...model.toJSON(), metadata: null }).toEqual({
        ...file, version: MODEL_FORMAT_VERSION, metadata: null,
        architecture: { ...file.architecture, classes: [0, 1] },
        training: { seed: 0, options: { optimizer: 'gd', learningRate: 0.3, epochs: 150, recordEvery: 10 } },
      });
    });
  });
});

describe('training.state (format version 3): a reloaded network\'s warm fit equals the original\'s next fit', () => {
  const X = randomMatrix(7, 48, 4);
  const classes = Array.from({ length: 48 }, (_, j) => (X.data[j * 4]! > 0 ? 1 : 0) + (X.data[j * 4 + 1]! > 0 ? 1 : 0));
  const fitOptions = { epochs: 4, batchSize: 10, shuffle: true, optimizer: 'adam', learningRate: 0.01 } as const;
  const warm = { ...fitOptions, warmStart: true } as const;
  const make = (backend: 'native' | 'reference') => new NeuralNetwork({ layers: [4, 6, 3], hidden: 'tanh', output: 'softmax', seed: 21, backend });

  describe.each(BACKENDS)('$backend backend', ({ backend, available }) => {
    it.skipIf(!available)('fit, save, load, fit again (mini-batches, shuffled): the same parameters bit for bit', async () => {
      const original = make(backend);
      original.fitSync(X, classes, fitOptions);
      await original.fit(X, classes, warm); // one fit, continued once
      const path = tempPath('fits');
      await original.save(path);
      const saved = JSON.parse(readFileSync(path, 'utf8')) as NetworkModelJSON;
      expect(saved.training.seed).toBe(21);
      expect(saved.training.state!.epochsTrained).toBe(8);
      expect(saved.training.state!.optimizer.steps).toBe(8 * 5);
      const loaded = await NeuralNetwork.load(path, { backend });
      expectSameNetwork(loaded, original);
      expect(loaded.epochsTrained).toBe(8);

      original.fitSync(X, classes, warm);
      loaded.fitSync(X, classes, warm);
      expectSameNetwork(loaded, original);
      // And asynchronously, once more.
      await original.fit(X, classes, warm);
      await loaded.fit(X, classes, warm);
      expectSameNetwork(loaded, original);
      expect(loaded.epochsTrained).toBe(16);

      // Without the state (as a file of version 2 reads) the next warm fit starts the counter and the
      // optimizer afresh: the state is what makes the two equal above.
      const { state: _s, ...noState } = saved.training;
      const fresh = NeuralNetwork.fromJSON({ ...saved, training: noState }, { backend });
      const again = NeuralNetwork.fromJSON(saved, { backend });
      expect(fresh.epochsTrained).toBe(0);
      expect(fresh.fitSync(X, classes, warm).optimizerReset).toBe(true);
      expect(again.fitSync(X, classes, warm).optimizerReset).toBe(false);
      expect(fingerprint(fresh).equals(fingerprint(again))).toBe(false);
      // A fit without warmStart starts afresh: the counter restarts, and the fit equals a new model's first.
      again.fitSync(X, classes, fitOptions);
      expect(again.epochsTrained).toBe(4);
      const first = make(backend);
      first.fitSync(X, classes, fitOptions);
      expectSameNetwork(again, first);
    });
  });

  it('a call that fails (bad option, busy, diverged) leaves the parameters and the state as they were', async () => {
    const net = make('reference');
    expect(() => net.fitSync(X, classes, { ...fitOptions, epochs: -1 })).toThrow(/options\.epochs/);
    const running = net.fit(X, classes, fitOptions);
    await expect(net.fit(X, classes, fitOptions)).rejects.toMatchObject({ code: 'ERR_BLASNET_BUSY' });
    await running;
    const before = net.toJSON();
    expect(before.training.state!.epochsTrained).toBe(4);
    expect(() => net.fitSync(X, classes, { ...warm, learningRate: -1 })).toThrow(/learningRate/);
    expect({ ...net.toJSON(), metadata: null }).toEqual({ ...before, metadata: null });
    const Y = Array.from({ length: 48 }, (_, j) => [(j % 7) * 1e150]);
    // Raw targets (no standardization) and full-batch gradient descent with α = 1: the cost explodes.
    const wild = new NeuralNetwork({ layers: [4, 3, 1], output: 'linear', loss: 'mse', standardizeTargets: false, seed: 1, backend: 'reference' });
    expect(() => wild.fitSync(X, Y, { optimizer: 'gd', batchSize: 0, epochs: 50, learningRate: 1 })).toThrow(/diverged/);
    expect(wild.toJSON().training).toEqual({ seed: 1, options: { standardizeTargets: false } }); // no state: never fitted
    expect(wild.fitted).toBe(false);
  });

  it('a version-2 file with training.completedFits loads with the epoch counter at 0; completedFits must still be a non-negative safe integer', () => {
    const json = { ...make('reference').toJSON(), version: 2 } as NetworkModelJSON;
    const loaded = NeuralNetwork.fromJSON({ ...json, training: { seed: 21, completedFits: 3 } });
    expect(loaded.epochsTrained).toBe(0);
    expect(loaded.toJSON().training).toEqual({ seed: 21 });
    for (const bad of [-1, 1.5, 2 ** 53, '2', null]) {
      const e = catchSync(() => NeuralNetwork.fromJSON({ ...json, training: { seed: 21, completedFits: bad } }));
      expect((e as { code?: string }).code, String(bad)).toMatch(/^ERR_BLASNET_ARG_(TYPE|RANGE)$/);
      expect((e as Error).message).toMatch(/model JSON: training\.completedFits must be an integer( ≥ 0)?, got/);
    }
    // Version 3 has no completedFits.
    expectError(catchSync(() => NeuralNetwork.fromJSON({ ...json, version: 3, training: { seed: 21, completedFits: 3 } })), BlasnetError, 'ERR_BLASNET_FORMAT',
      /unknown key "completedFits" at training/);
  });
});

describe('saveModel', () => {
  it('refuses an unfitted LogisticRegression and writes nothing', async () => {
    const path = tempPath('unfitted');
    const e = await saveModel(new LogisticRegression({ backend: 'reference' }), path).catch((x: unknown) => x);
    expectError(e, BlasnetError, 'ERR_BLASNET_NOT_FITTED', /not been fitted/);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses what is not a model, and a bad path', async () => {
    expectError(await saveModel({} as Model, tempPath()).catch((x: unknown) => x), BlasnetTypeError, 'ERR_BLASNET_ARG_TYPE', /NeuralNetwork or a LogisticRegression/);
    const net = new NeuralNetwork({ layers: [2, 1], backend: 'reference' });
    expectError(await saveModel(net, '' as string).catch((x: unknown) => x), BlasnetTypeError, 'ERR_BLASNET_ARG_TYPE', /path must be a non-empty file path/);
  });

  it('replaces an existing file, keeps its permission bits, and leaves no temporary file', async () => {
    const sub = join(dir, 'replace');
    mkdirSync(sub);
    const path = join(sub, 'm.json');
    writeFileSync(path, 'old');
    chmodSync(path, 0o640);
    await saveModel(new NeuralNetwork({ layers: [2, 2, 1], seed: 1, backend: 'reference' }), path);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(sub)).toEqual(['m.json']);
    expect((await NeuralNetwork.load(path, { backend: 'reference' })).seed).toBe(1);
  });

  it('a missing folder or a folder as the target: ERR_BLASNET_IO naming the path, the file system error as cause, and no temporary file', async () => {
    const net = new NeuralNetwork({ layers: [2, 1], backend: 'reference' });
    const missing = join(dir, 'no-such-folder', 'm.json');
    const e1 = await saveModel(net, missing).catch((x: unknown) => x);
    expectError(e1, BlasnetError, 'ERR_BLASNET_IO', /no-such-folder/);
    expect((e1 as Error).cause).toMatchObject({ code: 'ENOENT' });
    const sub = join(dir, 'target-is-dir');
    mkdirSync(join(sub, 'm.json'), { recursive: true });
    const e2 = await saveModel(net, join(sub, 'm.json')).catch((x: unknown) => x);
    expectError(e2, BlasnetError, 'ERR_BLASNET_IO', /m\.json.*is a directory/);
    expect((e2 as Error).cause).toMatchObject({ code: 'EISDIR' });
    expect(readdirSync(sub)).toEqual(['m.json']);
  });

  it('removes its temporary file when the final rename fails, and leaves the old file intact', async () => {
    const sub = join(dir, 'rename-fails');
    mkdirSync(sub);
    const path = join(sub, 'm.json');
    const old = new NeuralNetwork({ layers: [3, 2, 1], seed: 1, backend: 'reference' });
    await saveModel(old, path);
    const before = readFileSync(path);
    hooks.failRename = true;
    let e: unknown;
    try {
      e = await saveModel(new NeuralNetwork({ layers: [3, 2, 1], seed: 2, backend: 'reference' }), path).catch((x: unknown) => x);
    } finally {
      hooks.failRename = false;
    }
    expectError(e, BlasnetError, 'ERR_BLASNET_IO', /cannot move the model into place at ".*m\.json"/);
    expect((e as Error).cause).toMatchObject({ code: 'EXDEV' });
    expect(readdirSync(sub)).toEqual(['m.json']);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});

/**
 * The child needs JavaScript: Node 20 cannot import lib/*.ts. Rather than dist/ (which `tsc -p`
 * rewrites file by file, so another build running meanwhile can hand the child a half-written
 * module, and which may be stale), transpile lib/ (no type check: that is tsc's job) into a
 * private folder; ~0.2 s. Returns the path of the transpiled persist.js.
 */
function transpileLibrary(out: string): string {
  const lib = join(ROOT, 'lib');
  for (const file of readdirSync(lib, { recursive: true }) as string[]) {
    if (!file.endsWith('.ts') || file.endsWith('.d.ts')) continue;
    const { outputText } = ts.transpileModule(readFileSync(join(lib, file), 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    });
    const target = join(out, file.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  return join(out, 'persist.js');
}

describe('saveModel is atomic under kill -9', () => {
  let persistJs: string;
  beforeAll(() => {
    persistJs = transpileLibrary(join(dir, 'child-lib'));
  });

  it('a child saving two ~1.6 MB-of-float64 models in a tight loop, killed at random moments: the file is always A or B, bit for bit', async () => {
    const layers = [256, 640, 64, 1]; // 205 569 parameters: 1.6 MB as float64, ~4.4 MB as JSON
    const models = { A: new NeuralNetwork({ layers, seed: 1, backend: 'reference' }), B: new NeuralNetwork({ layers, seed: 2, backend: 'reference' }) };
    const fpA = fingerprint(models.A), fpB = fingerprint(models.B);
    const sub = join(dir, 'kill'), sources = join(dir, 'kill-sources');
    mkdirSync(sub);
    mkdirSync(sources);
    const [fileA, fileB] = [join(sources, 'A.json'), join(sources, 'B.json')];
    await saveModel(models.A, fileA);
    await saveModel(models.B, fileB);
    const path = join(sub, 'model.json');
    await saveModel(models.A, path);
    let current: 'A' | 'B' = 'A';
    const tmpName = new RegExp(`^${basename(path).replace('.', '\\.')}\\.\\d+\\.[0-9a-f]{12}\\.tmp$`);
    const rand = mulberry32(2024);
    const seen = { A: 0, B: 0 };
    let saves = 0, leftovers = 0;
    /** A child that loads A and B, then waits for "go"; `first` is read when it is told to go. */
    const children = new Set<ReturnType<typeof spawn>>();
    const startChild = () => {
      const child = spawn(process.execPath, [CHILD, path, persistJs, fileA, fileB], { stdio: ['pipe', 'pipe', 'pipe'] });
      children.add(child);
      const io = { out: '', err: '' };
      child.stdout.setEncoding('utf8').on('data', (d: string) => { io.out += d; });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { io.err += d; });
      const exited = new Promise<void>((resolve) => child.once('exit', () => { children.delete(child); resolve(); }));
      const reached = (mark: string) => new Promise<void>((resolve, reject) => {
        const poll = setInterval(() => {
          if (io.out.includes(mark)) { clearInterval(poll); resolve(); }
        }, 1);
        void exited.then(() => { clearInterval(poll); reject(new Error(`child exited early: ${io.err}`)); });
      });
      return { child, io, exited, reached };
    };
    let next = startChild();
    try {
      for (let round = 0; round < 30; round++) {
        const { child, io, exited, reached } = next;
        await reached('ready\n');
        // Each child first writes the model the file does not hold, so every completed save changes it.
        child.stdin.write(`go ${current === 'A' ? 'B' : 'A'}\n`);
        // The next child starts up (it only loads A and B, then waits) while this one is saving.
        if (round < 29) next = startChild();
        // Even rounds count the delay from "go" (kills during the first, cold save); odd rounds from
        // the first completed save (kills in the steady-state loop).
        if (round % 2 === 1) await reached('saved 1\n');
        await new Promise((r) => setTimeout(r, 5 + rand() * 195));
        child.kill('SIGKILL');
        await exited;
        expect(child.signalCode).toBe('SIGKILL');
        const out = io.out;
        saves += out.split('\n').filter((l) => l.startsWith('saved ')).length;

        const loaded = await NeuralNetwork.load(path, { backend: 'reference' });
        const fp = fingerprint(loaded);
        const which = fp.equals(fpA) ? 'A' : fp.equals(fpB) ? 'B' : null;
        if (which === null) expect.fail(`round ${round}: ${path} is a valid model equal to neither A nor B`);
        expect(loaded.spec).toEqual(models.A.spec);
        seen[which]++;
        current = which;
        for (const name of readdirSync(sub)) {
          if (name === basename(path)) continue;
          expect(name, 'only temporary files may be left beside the model').toMatch(tmpName);
          leftovers++;
          rmSync(join(sub, name));
        }
      }
    } finally {
      for (const child of children) child.kill('SIGKILL'); // after a failure: the next child, waiting
    }
    // The children's saves did replace the file (at least one per odd round), both ways.
    expect(saves).toBeGreaterThanOrEqual(15);
    expect(seen.A).toBeGreaterThan(0);
    expect(seen.B).toBeGreaterThan(0);
    console.info(`kill -9: 30 rounds, ${saves} completed saves, the file held A ${seen.A}× and B ${seen.B}×, ${leftovers} temporary files left by kills mid-save`);
  }, 60_000);
});

describe('model JSON that is not a bounded tree is refused at once (ERR_BLASNET_FORMAT)', () => {
  // What each case in test/helpers/hostile-json-child.mjs must throw: the class, and the message
  // (which names the place and the bound). All are ERR_BLASNET_FORMAT.
  const expected: Record<string, [string, RegExp]> = {
    'cycle: the model inside its own metadata': ['BlasnetError', /model JSON: metadata\.self is the model itself again: the object contains itself \(a cycle\)/],
    'cycle: an array that contains itself': ['BlasnetError', /metadata\.list\[2\] is metadata\.list again: the object contains itself \(a cycle\)/],
    'cycle: parameters.W inside itself': ['BlasnetError', /parameters\.W\[2\] is parameters\.W again: .*cycle/],
    'cycle: in a logistic regression': ['BlasnetError', /training\.back is training again: .*cycle/],
    'shared: the same bias array for two layers': ['BlasnetError', /parameters\.b\[1\] is the same object as parameters\.b\[0\]: a sub-object shared between two places/],
    'shared: one object in two metadata fields': ['BlasnetError', /metadata\.b is the same object as metadata\.a: a sub-object shared/],
    'shared: a DAG of 2^60 paths (o = [o, o] sixty times)': ['BlasnetError', /metadata\.dag\[1\] is the same object as metadata\.dag\[0\]/],
    'deep: an object nested a million levels': ['BlasnetError', /metadata(\.deep)(\.a)+ is nested 33 levels deep, above the limit of 32 \(MODEL_JSON_LIMITS\.maxDepth\)/],
    'deep: a file nesting arrays 100 000 levels': ['BlasnetError', /model file ".*deep\.json": the JSON nests deeper than 32 levels at character \d+, above the limit of MODEL_JSON_LIMITS\.maxDepth/],
    'deep: a file nesting arrays 10 000 000 levels (20 MB; JSON.parse alone takes seconds)': ['BlasnetError', /model file ".*deeper\.json": the JSON nests deeper than 32 levels at character \d+/],
    'size: a sparse array of length 2^32 − 1 as W[0]': ['BlasnetError', /parameters\.W\[0\] has 4294967295 elements: the model holds more than 2148532224 values \(MODEL_JSON_LIMITS\.maxValues\)/],
    'size: 5000 keys in metadata': ['BlasnetError', /metadata has 500\d keys, above the limit of 1024 per object \(MODEL_JSON_LIMITS\.maxKeys\)/],
    'size: a 70 000-character string': ['BlasnetError', /the string at metadata\.note has 70000 characters, above the limit of 65536 \(MODEL_JSON_LIMITS\.maxStringLength\)/],
    'size: a 70 000-character key': ['BlasnetError', /a key at metadata has 70000 characters, above the limit of 65536/],
    'not data: a Proxy as the model': ['BlasnetError', /model JSON: the model must be a plain object, got a Proxy/],
    'not data: a Proxy whose traps throw, as architecture': ['BlasnetError', /architecture is a Proxy; a model must be plain JSON data/],
    'not data: a getter': ['BlasnetError', /training\.seed is an accessor \(getter\/setter\) property/],
    'not data: a Float64Array as b[0]': ['BlasnetError', /parameters\.b\[0\] is a Float64Array of length 4; a model must be plain JSON data/],
    'not data: a hole in b[0]': ['BlasnetError', /parameters\.b\[0\]\[1\] is undefined \(a hole or an undefined element\)/],
    'not data: a function in metadata': ['BlasnetError', /metadata\.f is a function, not a JSON value/],
    'not data: a BigInt in metadata': ['BlasnetError', /metadata\.n is a bigint, not a JSON value/],
    'not data: a Date in metadata': ['BlasnetError', /metadata\.when must be a plain object, got a Date/],
  };

  it('cycles, shared sub-objects, depth, sizes and non-JSON values: each case throws at once (the child is killed if one hangs)', async () => {
    const lib = dirname(transpileLibrary(join(dir, 'hostile-lib')));
    const child = spawn(process.execPath, [HOSTILE_CHILD, lib, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    // A hang (the failure this guards against) must not hang the suite: kill the child after 20 s.
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(killer);
    const lines = out.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    const started = lines.filter((l) => 'start' in l).map((l) => l.start);
    if (code !== 0) expect.fail(`the child ended with ${code ?? child.signalCode} during ${JSON.stringify(started[started.length - 1])}: ${err}`);
    const results = lines.filter((l) => 'case' in l);
    expect(results.map((r) => r.case)).toEqual(Object.keys(expected));
    for (const r of results) {
      const [cls, message] = expected[r.case as string]!;
      expect(r.returned, `${String(r.case)} returned`).toBeUndefined();
      expect([r.case, r.name, r.code]).toEqual([r.case, cls, 'ERR_BLASNET_FORMAT']);
      expect(r.message, String(r.case)).toMatch(message);
    }
  }, 30_000);

  it('the depth scan of a file before JSON.parse: brackets inside strings (escaped quotes too) do not count; depth 32 loads, 33 does not', async () => {
    const text = JSON.stringify(modelToJSON(new NeuralNetwork({ layers: [3, 4, 2], seed: 3, backend: 'reference' })));
    const withDeep = (levels: number, note: string) => text.replace('"metadata":{', `"metadata":{"note":${JSON.stringify(note)},"deep":${'['.repeat(levels)}${']'.repeat(levels)},`);
    const tricky = `${'[{'.repeat(40)} \\" \" ${'['.repeat(40)}`; // brackets, an escaped backslash, an escaped quote
    const p = tempPath('depth');
    writeFileSync(p, withDeep(30, tricky)); // root (1) → metadata (2) → 30 arrays: depth 32
    expect(await loadModel(p, { backend: 'reference' })).toBeInstanceOf(NeuralNetwork);
    writeFileSync(p, withDeep(31, tricky));
    expectError(await loadModel(p, { backend: 'reference' }).catch((x: unknown) => x), BlasnetError, 'ERR_BLASNET_FORMAT', /the JSON nests deeper than 32 levels/);
  });

  it('a tree at the bounds still loads: depth 32, 1024 keys, 65 536-character strings', () => {
    const j = JSON.parse(JSON.stringify(modelToJSON(new NeuralNetwork({ layers: [3, 4, 2], seed: 3, backend: 'reference' })))) as NetworkModelJSON;
    let deep: unknown = 0;
    for (let d = 0; d < 30; d++) deep = [deep]; // root (1) → metadata (2) → 30 arrays: depth 32
    const wide: Record<string, number> = {};
    for (let i = 0; i < 1023; i++) wide[`k${i}`] = i;
    j.metadata = { ...j.metadata, deep, wide, note: 'x'.repeat(65536) };
    expect(Object.keys(j.metadata.wide as object).length + 1).toBe(1024);
    expect(NeuralNetwork.fromJSON(j, { backend: 'reference' })).toBeInstanceOf(NeuralNetwork);
    // One more level is refused.
    j.metadata.deep = [deep];
    expectError(catchSync(() => NeuralNetwork.fromJSON(j)), BlasnetError, 'ERR_BLASNET_FORMAT', /nested 33 levels deep/);
  });
});

// ─── Malformed files ────────────────────────────────────────────────────────────────────────────

function expectError(e: unknown, cls: new (...args: never[]) => Error, code: string, message: RegExp): void {
  expect(e).toBeInstanceOf(cls);
  expect((e as { code?: unknown }).code).toBe(code);
  expect((e as Error).message).toMatch(message);
}

/** Writes `content` (text, or an object to stringify) to a new file and returns what loading it throws. */
async function loadError(content: string | Uint8Array | object, load: (path: string) => Promise<unknown> = (p) => loadModel(p, { backend: 'reference' })): Promise<unknown> {
  const path = tempPath('bad');
  writeFileSync(path, typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content));
  try {
    await load(path);
  } catch (e) {
    return e;
  }
  throw new Error(`loading ${path} did not throw`);
}

describe('loadModel refuses malformed files with a clear error', () => {
  const net = new NeuralNetwork({ layers: [3, 4, 2], hidden: 'tanh', output: 'sigmoid', seed: 3, backend: 'reference' });
  const valid = (): NetworkModelJSON => JSON.parse(JSON.stringify(modelToJSON(net))) as NetworkModelJSON;
  const logistic = new LogisticRegression({ backend: 'reference' });
  logistic.setParameters({ weights: [1, 2, 3], bias: 0.5 });
  const validLogistic = (): LogisticModelJSON => JSON.parse(JSON.stringify(modelToJSON(logistic))) as LogisticModelJSON;

  it('the valid base cases load', async () => {
    const p1 = tempPath(), p2 = tempPath();
    writeFileSync(p1, JSON.stringify(valid()));
    writeFileSync(p2, JSON.stringify(validLogistic()));
    expect(await loadModel(p1, { backend: 'reference' })).toBeInstanceOf(NeuralNetwork);
    expect(await loadModel(p2, { backend: 'reference' })).toBeInstanceOf(LogisticRegression);
  });

  it('unknown version, with the versions this blasnet reads', async () => {
    expectError(await loadError({ ...valid(), version: 4 }), BlasnetError, 'ERR_BLASNET_FORMAT', /unsupported format version 4 \(written by a newer blasnet\?\); this blasnet reads versions 1, 2, 3/);
    expectError(await loadError({ ...valid(), version: '1' }), BlasnetError, 'ERR_BLASNET_FORMAT', /unsupported format version "1"/);
    const { version: _, ...noVersion } = valid();
    expectError(await loadError(noVersion), BlasnetError, 'ERR_BLASNET_FORMAT', /has no "version" field; this blasnet reads versions 1, 2, 3/);
  });

  it('wrong or missing format name', async () => {
    expectError(await loadError({ ...valid(), format: 'keras-model' }), BlasnetError, 'ERR_BLASNET_FORMAT', /format must be "blasnet-model", got "keras-model"/);
    const { format: _, ...noFormat } = valid();
    expectError(await loadError(noFormat), BlasnetError, 'ERR_BLASNET_FORMAT', /no "format" field/);
    expectError(await loadError('[1, 2, 3]'), BlasnetError, 'ERR_BLASNET_FORMAT', /the model must be an object, got an array/);
  });

  it('wrong kind, and a kind the typed loader does not expect', async () => {
    expectError(await loadError({ ...valid(), kind: 'svm' }), BlasnetError, 'ERR_BLASNET_FORMAT', /kind must be one of "neural-network" \| "logistic-regression", got "svm"/);
    expectError(await loadError(validLogistic(), (p) => NeuralNetwork.load(p)), BlasnetError, 'ERR_BLASNET_FORMAT', /holds a logistic-regression model; NeuralNetwork needs a neural-network/);
    expectError(await loadError(valid(), (p) => LogisticRegression.load(p)), BlasnetError, 'ERR_BLASNET_FORMAT', /holds a neural-network model; LogisticRegression needs a logistic-regression/);
    // A network's fields under the logistic kind.
    expectError(await loadError({ ...valid(), kind: 'logistic-regression' }), BlasnetError, 'ERR_BLASNET_FORMAT', /unknown key "layers" at architecture/);
  });

  it('a W array one value short, or a wrong number of layer arrays', async () => {
    const j = valid();
    j.parameters.W[1]!.pop();
    expectError(await loadError(j), BlasnetRangeError, 'ERR_BLASNET_SHAPE', /parameters\.W\[1\] must have 2 × 4 = 8 values for layers \[3, 4, 2\], got 7/);
    const k = valid();
    k.parameters.b.push([0]);
    expectError(await loadError(k), BlasnetRangeError, 'ERR_BLASNET_SHAPE', /parameters\.b must hold 2 arrays \(one per layer of layers \[3, 4, 2\]\), got 3/);
    const l = validLogistic();
    l.parameters.weights.push(4);
    expectError(await loadError(l), BlasnetRangeError, 'ERR_BLASNET_SHAPE', /parameters\.weights must have 3 values \(architecture\.features\), got 4/);
  });

  it('a declared layer size that does not match the data', async () => {
    const j = valid();
    j.architecture.layers = [3, 5, 2];
    expectError(await loadError(j), BlasnetRangeError, 'ERR_BLASNET_SHAPE', /parameters\.W\[0\] must have 5 × 3 = 15 values for layers \[3, 5, 2\], got 12/);
    const k = valid();
    k.architecture.layers = [3, 4, 4, 2];
    expectError(await loadError(k), BlasnetTypeError, 'ERR_BLASNET_CONFIG', /architecture\.activations must be an array with one activation per layer \(3 for 4 layer sizes\)/);
    const l = validLogistic();
    l.architecture.features = 4;
    expectError(await loadError(l), BlasnetRangeError, 'ERR_BLASNET_SHAPE', /parameters\.weights must have 4 values/);
  });

  it('huge declared sizes are refused from the architecture, fast, before any allocation', async () => {
    const rss = process.memoryUsage().rss;
    for (const [layers, code, message] of [
      [[1e9, 1e9, 1], 'ERR_BLASNET_CONFIG', /architecture\.layers\[0\] must be an integer in \[1, 1e7\], got 1000000000/],
      [[1e7, 1e7, 1], 'ERR_BLASNET_CONFIG', /the network has 100000020000001 parameters; at most 2\^31/],
      // Accepted by the architecture rules (4·10⁸ parameters, 3.2 GB as float64), refused by the data's actual length.
      [[20000, 20000, 1], 'ERR_BLASNET_SHAPE', /parameters\.W\[0\] must have 20000 × 20000 = 400000000 values for layers \[20000, 20000, 1\], got 12/],
    ] as const) {
      const j = valid();
      j.architecture.layers = [...layers];
      // Refused before any allocation: the RSS check below is the guard (no wall-clock bound in tests).
      const e = await loadError(j);
      expectError(e, code === 'ERR_BLASNET_CONFIG' ? BlasnetTypeError : BlasnetRangeError, code, message);
    }
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * 1024 * 1024);
  });

  it('NaN, ±Infinity (1e999), strings and null inside parameters', async () => {
    const text = JSON.stringify(valid());
    // Replaces W[0][2] (the third value) in the file's text.
    const withValue = (literal: string) => text.replace(/"W":\[\[([^,]+),([^,]+),([^,]+),/, `"W":[[$1,$2,${literal},`);
    expectError(await loadError(withValue('1e999')), BlasnetRangeError, 'ERR_BLASNET_NOT_FINITE', /parameters\.W\[0\] must contain only finite numbers, got Infinity at index 2 \(.*1e999/);
    expectError(await loadError(withValue('-1e999')), BlasnetRangeError, 'ERR_BLASNET_NOT_FINITE', /got -Infinity at index 2/);
    expectError(await loadError(withValue('"0.5"')), BlasnetRangeError, 'ERR_BLASNET_NOT_FINITE', /parameters\.W\[0\] must contain only finite numbers, got "0\.5" at index 2/);
    expectError(await loadError(withValue('null')), BlasnetRangeError, 'ERR_BLASNET_NOT_FINITE', /got null at index 2/);
    expectError(await loadError(withValue('NaN')), BlasnetError, 'ERR_BLASNET_FORMAT', /not valid JSON/);
    expectError(await loadError({ ...validLogistic(), parameters: { weights: [1, 2, 3], bias: null } }), BlasnetRangeError, 'ERR_BLASNET_NOT_FINITE', /parameters\.bias must be a finite number, got null/);
    expectError(await loadError(JSON.stringify(validLogistic()).replace('"bias":0.5', '"bias":1e999')), BlasnetRangeError, 'ERR_BLASNET_NOT_FINITE', /parameters\.bias must be a finite number, got Infinity/);
    const nested = valid();
    (nested.parameters.b as unknown[])[0] = [0, [0], 0, 0];
    expectError(await loadError(nested), BlasnetRangeError, 'ERR_BLASNET_NOT_FINITE', /parameters\.b\[0\] must contain only finite numbers, got an array of length 1 at index 1/);
  });

  it('a truncated file, an empty file, a file that is not JSON or not UTF-8', async () => {
    const path = tempPath('whole');
    await saveModel(net, path);
    const whole = readFileSync(path);
    expectError(await loadError(whole.subarray(0, whole.length >> 1)), BlasnetError, 'ERR_BLASNET_FORMAT', /model file ".*": it ends before the JSON is complete: the file is truncated/);
    expectError(await loadError(whole.subarray(0, whole.length - 3)), BlasnetError, 'ERR_BLASNET_FORMAT', /truncated/);
    expectError(await loadError(''), BlasnetError, 'ERR_BLASNET_FORMAT', /model file ".*" is empty \(0 bytes\)/);
    expectError(await loadError('layers: [3, 4, 2]\n'), BlasnetError, 'ERR_BLASNET_FORMAT', /model file ".*": it is not valid JSON, so not a blasnet model/);
    expectError(await loadError(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), BlasnetError, 'ERR_BLASNET_FORMAT', /is not valid UTF-8/);
  });

  it('__proto__, constructor and prototype keys, at the top level and nested', async () => {
    const text = JSON.stringify(valid());
    const cases: [string, RegExp][] = [
      [text.replace('{', '{"__proto__":{"polluted":true},'), /forbidden key "__proto__" at the top level/],
      [text.replace('{', '{"constructor":{"prototype":{"polluted":true}},'), /forbidden key "constructor" at the top level/],
      [text.replace('"architecture":{', '"architecture":{"__proto__":{"polluted":true},'), /forbidden key "__proto__" at architecture/],
      [text.replace('"metadata":{', '"metadata":{"extra":{"deep":{"prototype":1}},'), /forbidden key "prototype" at metadata\.extra\.deep/],
      [text.replace('{"name":"tanh"}', '{"name":"tanh","__proto__":{"alpha":1}}'), /forbidden key "__proto__" at architecture\.activations\[0\]/],
    ];
    for (const [bad, message] of cases) {
      expectError(await loadError(bad), BlasnetError, 'ERR_BLASNET_FORMAT', message);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // In memory too: JSON.parse makes "__proto__" an own key; an object with another prototype is refused.
    expectError(catchSync(() => modelFromJSON(JSON.parse(cases[0]![0]))), BlasnetError, 'ERR_BLASNET_FORMAT', /model JSON: forbidden key "__proto__"/);
    expectError(catchSync(() => modelFromJSON(Object.assign(Object.create({ inherited: 1 }) as object, valid()))), BlasnetError, 'ERR_BLASNET_FORMAT', /the model must be a plain object/);
  });

  it('unknown keys are refused except in metadata; missing fields are named', async () => {
    expectError(await loadError({ ...valid(), extra: 1 }), BlasnetError, 'ERR_BLASNET_FORMAT', /unknown key "extra" at the top level; a version 3 model has exactly/);
    const j = valid();
    (j.parameters as Record<string, unknown>).gamma = [];
    expectError(await loadError(j), BlasnetError, 'ERR_BLASNET_FORMAT', /unknown key "gamma" at parameters/);
    const { parameters: _, ...noParameters } = valid();
    expectError(await loadError(noParameters), BlasnetError, 'ERR_BLASNET_FORMAT', /model file ".*": parameters is missing/);
    const k = valid();
    delete (k.training as Partial<NetworkModelJSON['training']>).seed;
    expectError(await loadError(k), BlasnetError, 'ERR_BLASNET_FORMAT', /training\.seed is missing/);
    const m = valid();
    m.metadata = { ...m.metadata, note: 'trained on Tuesday', tags: ['a'] };
    const p = tempPath();
    writeFileSync(p, JSON.stringify(m));
    expect(await loadModel(p, { backend: 'reference' })).toBeInstanceOf(NeuralNetwork);
    // metadata is optional; when present its createdAt / blasnet must be strings.
    const { metadata: _m, ...noMetadata } = valid();
    writeFileSync(p, JSON.stringify(noMetadata));
    expect(await loadModel(p, { backend: 'reference' })).toBeInstanceOf(NeuralNetwork);
    expectError(await loadError({ ...valid(), metadata: { createdAt: 5 } }), BlasnetError, 'ERR_BLASNET_FORMAT', /metadata\.createdAt must be a string, got 5/);
    expectError(await loadError({ ...valid(), metadata: [] }), BlasnetError, 'ERR_BLASNET_FORMAT', /metadata must be an object, got an array/);
  });

  it('architectures and training options follow the constructors\' rules', async () => {
    const j = valid();
    j.architecture.activations[0] = { name: 'tanh', alpha: 0.1 };
    expectError(await loadError(j), BlasnetTypeError, 'ERR_BLASNET_CONFIG', /invalid architecture: architecture\.activations\[0\]\.alpha applies to 'leaky-relu' only/);
    const k = valid();
    (k.architecture.activations[1] as { name: string }).name = 'swish';
    expectError(await loadError(k), BlasnetTypeError, 'ERR_BLASNET_CONFIG', /architecture\.activations\[1\] must be one of/);
    const l = valid();
    l.architecture.activations[1] = { name: 'linear' };
    expectError(await loadError(l), BlasnetTypeError, 'ERR_BLASNET_CONFIG', /invalid architecture: loss 'cross-entropy' needs output 'sigmoid' .* got output 'linear'/);
    const m = valid();
    m.training.seed = -1;
    expectError(await loadError(m), BlasnetRangeError, 'ERR_BLASNET_ARG_RANGE', /training\.seed must be an integer in \[0, 4294967295\], got -1/);
    // Version 2 keeps the constructor's training options under training.options; version 1 had the solver's fields in training.
    const n = validLogistic();
    n.training.options = { learningRate: 0 };
    expectError(await loadError(n), BlasnetRangeError, 'ERR_BLASNET_ARG_RANGE', /model file ".*": training\.options\.learningRate must be a finite number > 0, got 0/);
    const v1 = JSON.parse(readFileSync(join(FIXTURES, 'tiny-logistic.v1.json'), 'utf8')) as LogisticModelJSON;
    v1.training.learningRate = 0;
    expectError(await loadError(v1), BlasnetRangeError, 'ERR_BLASNET_ARG_RANGE', /model file ".*": training\.learningRate must be a finite number > 0, got 0/);
    const o = valid();
    o.training.options = { epochs: -1 };
    expectError(await loadError(o), BlasnetRangeError, 'ERR_BLASNET_ARG_RANGE', /model file ".*": training\.options\.epochs must be an integer/);
  });

  it('a path that does not exist, a folder, a file above options.maxBytes, bad options', async () => {
    const missing = join(dir, 'does-not-exist.json');
    const noFile = await loadModel(missing).catch((x: unknown) => x);
    expectError(noFile, BlasnetError, 'ERR_BLASNET_IO', new RegExp(`cannot read the model file "${missing.replace(/[.\\]/g, '\\$&')}": ENOENT`));
    expect((noFile as Error).cause).toMatchObject({ code: 'ENOENT', syscall: 'stat' });
    const folder = await loadModel(dir).catch((x: unknown) => x);
    expectError(folder, BlasnetError, 'ERR_BLASNET_IO', /cannot read the model file ".*blasnet-persist-.*": it is a directory/);
    expect((folder as Error).cause).toMatchObject({ code: 'EISDIR' });
    const path = tempPath();
    await saveModel(net, path);
    const size = statSync(path).size;
    expectError(await loadModel(path, { maxBytes: 100 }).catch((x: unknown) => x), BlasnetRangeError, 'ERR_BLASNET_ARG_RANGE', new RegExp(`is ${size} bytes, above the limit of 100 bytes \\(options\\.maxBytes\\)`));
    expect(await loadModel(path, { maxBytes: size, backend: 'reference' })).toBeInstanceOf(NeuralNetwork);
    expectError(await loadModel(path, { cache: true } as never).catch((x: unknown) => x), BlasnetTypeError, 'ERR_BLASNET_ARG_TYPE', /options has an unknown option "cache"/);
    expectError(await loadModel(path, { backend: 'gpu' } as never).catch((x: unknown) => x), BlasnetTypeError, 'ERR_BLASNET_ARG_TYPE', /options\.backend must be one of/);
    expectError(await loadModel(42 as never).catch((x: unknown) => x), BlasnetTypeError, 'ERR_BLASNET_ARG_TYPE', /path must be a non-empty file path/);
  });
});

function catchSync(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}
