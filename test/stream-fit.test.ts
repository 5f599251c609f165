// Fits from a data source (issue 19, part 2): `fit(source, options)` takes, in place of X and y, a
// function called once per epoch that returns an iterable or async iterable of batches
// { X, y, sampleWeight? }. The equality: with the same batches in the same order, the result equals
// the in-memory fit with `shuffle: false` and that batch size, bit for bit (θ, training state,
// costs, validation figures), on both backends, for gd, momentum and Adam, with and without
// validation and early stopping, under schedules, a short last batch included; sync and async.
// Then classes (given, or found by a first pass), weights, checkpoints, aborts and failures of the
// source, what is refused and why, and the event loop kept free.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AbortError, BlasnetError, BlasnetRangeError, BlasnetTypeError, LogisticRegression, Matrix, NeuralNetwork, parseCsv, Preprocessing,
  type FitResult, type OptimizerName, type TrainingBatch,
} from '../lib/index.js';
import { BACKENDS, gaussian, mulberry32 } from './helpers/data.js';
import { expectError, expectRejection } from './helpers/errors.js';

type Model = NeuralNetwork | LogisticRegression;

const dir = mkdtempSync(join(tmpdir(), 'blasnet-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rand = mulberry32(2019);
const n = 45, m = 4;
const X = new Matrix(n, m, Float64Array.from({ length: n * m }, () => gaussian(rand)));
const y3 = Array.from({ length: n }, (_, j) => {
  const s = X.data[j * m]! + 0.5 * X.data[j * m + 1]! + 0.3 * gaussian(rand);
  return s < -0.4 ? 'a' : s < 0.4 ? 'b' : 'c';
});
const y2 = y3.map((c) => (c === 'a' ? 0 : 1));
const yr = Array.from({ length: n }, (_, j) => X.data[j * m]! - 2 * X.data[j * m + 2]! + 0.1 * gaussian(rand));
const w = Array.from({ length: n }, () => 0.2 + rand());
const nv = 20;
const Xv = new Matrix(nv, m, Float64Array.from({ length: nv * m }, () => gaussian(rand)));
const yv3 = Array.from({ length: nv }, (_, j) => (Xv.data[j * m]! < -0.4 ? 'a' : Xv.data[j * m]! < 0.4 ? 'b' : 'c'));

/** Rows [j0, j1) of a Matrix as number[][] (batches built the way a user would). */
function rowsOf(M: Matrix, j0: number, j1: number): number[][] {
  return Array.from({ length: j1 - j0 }, (_, k) => Array.from(M.data.subarray((j0 + k) * M.cols, (j0 + k + 1) * M.cols)));
}

/** The batches of size B in row order (the last one shorter when B does not divide n). */
function batchesOf(B: number, y: unknown[], weights?: number[]): TrainingBatch[] {
  const out: TrainingBatch[] = [];
  for (let j = 0; j < n; j += B) {
    const j1 = Math.min(n, j + B);
    out.push({ X: rowsOf(X, j, j1), y: y.slice(j, j1), ...(weights ? { sampleWeight: weights.slice(j, j1) } : {}) });
  }
  return out;
}

/** A source as an async generator that yields to the event loop before each batch. */
function asyncSource(batches: () => TrainingBatch[]): () => AsyncIterable<TrainingBatch> {
  return async function* () {
    for (const b of batches()) {
      await new Promise((res) => setImmediate(res));
      yield b;
    }
  };
}

/** The model as its file has it, metadata aside. */
function body(model: Model): Record<string, unknown> {
  const { metadata: _m, ...rest } = model.toJSON() as unknown as Record<string, unknown>;
  return rest;
}

/** Deep equality with numbers compared as bits (Object.is), failing at the first difference with its path. */
function expectSameBits(actual: unknown, expected: unknown, path = 'model'): void {
  if (typeof expected === 'number') {
    if (!Object.is(actual, expected)) expect.fail(`${path}: got ${String(actual)}, expected ${expected}`);
    return;
  }
  if (ArrayBuffer.isView(expected) || Array.isArray(expected)) {
    const a = actual as ArrayLike<unknown>, e = expected as ArrayLike<unknown>;
    expect(a.length, `${path}.length`).toBe(e.length);
    for (let i = 0; i < e.length; i++) expectSameBits(a[i], e[i], `${path}[${i}]`);
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), `${path} keys`).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected)) expectSameBits((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    return;
  }
  expect(actual, path).toEqual(expected);
}

/** The result fields that must agree (the model's body is compared separately). */
function outcome(r: FitResult): Record<string, unknown> {
  const { droppedRows: _d, ...rest } = r;
  return rest;
}

const OPTIMIZERS: OptimizerName[] = ['gd', 'momentum', 'adam'];
const RATE: Record<string, number> = { gd: 0.3, momentum: 0.1, adam: 0.02 };

describe.each(BACKENDS)('a fit from a data source equals the in-memory fit of the same batches ($backend)', ({ backend, available }) => {
  const net = (o: object = {}) => new NeuralNetwork({ layers: [m, 5, 3], hidden: 'tanh', seed: 7, backend, ...o });

  /** In-memory fitSync with shuffle false and batchSize B, against fitSync and fit from sources of those batches. */
  async function compare(make: () => Model, y: unknown[], B: number, options: Record<string, unknown>, sourceOptions: Record<string, unknown> = {}, weights?: number[]): Promise<void> {
    const memory = make();
    const r = memory.fitSync(X, y, { ...options, batchSize: B, shuffle: false, ...(weights ? { sampleWeight: weights } : {}) } as never);
    const o = { ...options, ...sourceOptions };
    const sync = make();
    const rs = sync.fitSync(() => batchesOf(B, y, weights), o as never);
    expectSameBits(body(sync), body(memory), 'fitSync(source)');
    expectSameBits(outcome(rs), outcome(r), 'fitSync(source) result');
    for (const source of [() => batchesOf(B, y, weights), asyncSource(() => batchesOf(B, y, weights))]) {
      const async = make();
      const ra = await async.fit(source, o as never);
      expectSameBits(body(async), body(memory), 'fit(source)');
      expectSameBits(outcome(ra), outcome(r), 'fit(source) result');
    }
  }

  it.skipIf(!available).each(OPTIMIZERS)('NeuralNetwork, %s: batches of 8 (a last batch of 5), a step schedule, 4 epochs', async (optimizer) => {
    await compare(() => net(), y3, 8, { optimizer, learningRate: RATE[optimizer], epochs: 4, earlyStopping: false, schedule: { type: 'step', every: 2, factor: 0.5 } });
  });

  it.skipIf(!available)('NeuralNetwork: validation given in memory and as a source, early stopping with restoreBest on the validation cost, an exponential schedule', async () => {
    const options = {
      optimizer: 'momentum', learningRate: 0.2, epochs: 30, schedule: { type: 'exponential', factor: 0.97 },
      validation: { X: Xv, y: yv3 }, earlyStopping: { monitor: 'validationCost', patience: 3, restoreBest: true },
    };
    const memory = net();
    const r = memory.fitSync(X, y3, { ...options, batchSize: 10, shuffle: false } as never);
    await compare(() => net(), y3, 10, options);
    const validationSource = () => [{ X: rowsOf(Xv, 0, 7), y: yv3.slice(0, 7) }, { X: rowsOf(Xv, 7, nv), y: yv3.slice(7) }];
    await compare(() => net(), y3, 10, options, { validation: validationSource });
    expect(r.validationCosts!.length).toBe(r.costs.length);
  });

  it.skipIf(!available)('NeuralNetwork: the plateau rule on the training cost, recordEvery 2, batches of 16', async () => {
    await compare(() => net(), y3, 16, { optimizer: 'adam', learningRate: 0.05, epochs: 9, recordEvery: 2, earlyStopping: false, reduceOnPlateau: { monitor: 'cost', patience: 1, factor: 0.5 } });
  });

  it.skipIf(!available)('one batch per epoch is a full-batch fit (recorded before its step), validation and early stopping included', async () => {
    const options = { optimizer: 'gd', learningRate: 0.5, epochs: 12, validation: { X: Xv, y: yv3 }, earlyStopping: { monitor: 'validationAccuracy', patience: 4 } };
    await compare(() => net(), y3, n, options);
    // The in-memory full batch is batchSize 0 (or ≥ n): the same fit.
    const a = net(), b = net();
    a.fitSync(X, y3, { ...options, batchSize: 0 } as never);
    b.fitSync(() => [{ X, y: y3 }], options as never);
    expectSameBits(body(b), body(a));
  });

  it.skipIf(!available).each(OPTIMIZERS)('LogisticRegression, %s, binary and multinomial (classes from a first pass), batches of 7', async (optimizer) => {
    for (const y of [y2, y3]) {
      await compare(() => new LogisticRegression({ seed: 5, backend }), y, 7, { optimizer, learningRate: RATE[optimizer], epochs: 3, recordEvery: 1 });
    }
  });

  it.skipIf(!available)('sample weights with each batch, times classWeight by label', async () => {
    await compare(() => net(), y3, 9, { optimizer: 'adam', learningRate: 0.02, epochs: 3, earlyStopping: false, classWeight: { a: 2, c: 0.5 } }, {}, w);
    await compare(() => new LogisticRegression({ seed: 5, backend }), y2, 9, { optimizer: 'momentum', learningRate: 0.1, epochs: 3, classWeight: [1, 3] }, {}, w);
  });

  it.skipIf(!available)('a regressor without target standardization; one-hot targets as a Matrix', async () => {
    const reg = () => new NeuralNetwork({ layers: [m, 4, 1], loss: 'mse', seed: 2, backend, standardizeTargets: false });
    await compare(reg, yr, 10, { optimizer: 'adam', learningRate: 0.01, epochs: 3, earlyStopping: false });
    const onehot = y3.map((c) => [c === 'a' ? 1 : 0, c === 'b' ? 1 : 0, c === 'c' ? 1 : 0]);
    const memory = net();
    memory.fitSync(X, Matrix.from(onehot), { optimizer: 'gd', learningRate: 0.3, epochs: 2, batchSize: 15, shuffle: false, earlyStopping: false });
    const streamed = net();
    streamed.fitSync(() => [0, 15, 30].map((j) => ({ X: rowsOf(X, j, j + 15), y: Matrix.from(onehot.slice(j, j + 15)) })), { optimizer: 'gd', learningRate: 0.3, epochs: 2, earlyStopping: false });
    expectSameBits(body(streamed), body(memory));
  });

  it.skipIf(!available)('a warm start from a source continues it: 2 epochs = 1 + 1, bit for bit', async () => {
    const options = { optimizer: 'adam', learningRate: 0.02, earlyStopping: false } as const;
    const whole = net(), split = net();
    await whole.fit(() => batchesOf(8, y3), { ...options, epochs: 2 });
    await split.fit(() => batchesOf(8, y3), { ...options, epochs: 1 });
    const r = await split.fit(asyncSource(() => batchesOf(8, y3)), { ...options, epochs: 1, warmStart: true });
    expect(r.optimizerReset).toBe(false);
    expectSameBits(body(split), body(whole));
  });

  it.skipIf(!available)('a source that refills one buffer for every batch: each batch is copied when read, so the fit is the in-memory one', async () => {
    const B = 9, shared = new Matrix(B, m), labels: string[] = [];
    const reused = function* () {
      for (let j = 0; j < n; j += B) {
        const nb = Math.min(B, n - j);
        shared.data.set(X.data.subarray(j * m, (j + nb) * m));
        labels.length = 0;
        labels.push(...y3.slice(j, j + nb));
        yield { X: nb === B ? shared : new Matrix(nb, m, shared.data.slice(0, nb * m)), y: labels };
      }
    };
    const memory = net();
    memory.fitSync(X, y3, { optimizer: 'adam', learningRate: 0.02, epochs: 2, batchSize: B, shuffle: false, earlyStopping: false });
    for (const mode of ['sync', 'async'] as const) {
      const streamed = net();
      const o = { optimizer: 'adam', learningRate: 0.02, epochs: 2, earlyStopping: false, classes: ['a', 'b', 'c'] } as const;
      if (mode === 'sync') streamed.fitSync(reused, o);
      else await streamed.fit(reused, o);
      expectSameBits(body(streamed), body(memory), mode);
    }
  });
});
