// Fits from a data source (issue 19, part 2): `fit(source, options)` takes, in place of X and y, a
// function called once per epoch that returns an iterable or async iterable of batches
// { X, y, sampleWeight? }. The equality: with the same batches in the same order, the result equals
// the in-memory fit with `shuffle: false` and that batch size, bit for bit (θ, training state,
// costs, validation figures), on both backends, for gd, momentum and Adam, with and without
// validation and early stopping, under schedules, a short last batch included; sync and async.
// Then classes (given, or found by a first pass), weights, checkpoints, aborts and failures of the
// source, what is refused and why, and the event loop kept free.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AbortError, BlasnetError, BlasnetRangeError, BlasnetTypeError, csvBatches, LogisticRegression, Matrix, NeuralNetwork, parseCsv, Preprocessing, readCsv, scanCsv,
  type FitResult, type OptimizerName, type TrainingBatch,
} from '../lib/index.js';
import { BACKENDS, gaussian, mulberry32, smallClasses } from './helpers/data.js';
import { expectError, expectRejection } from './helpers/errors.js';
import { expectSameBits } from './helpers/bits.js';

type Model = NeuralNetwork | LogisticRegression;

const dir = mkdtempSync(join(tmpdir(), 'blasnet-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { rand, n, m, X, y3, y2 } = smallClasses(2019);
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

  it.skipIf(!available)('a regressor with its target standardization (the default): two first passes learn it as the in-memory fit does', async () => {
    let calls = 0;
    const reg = () => new NeuralNetwork({ layers: [m, 4, 2], loss: 'mse', seed: 2, backend });
    const Y2 = Matrix.from(yr.map((v, j) => [v, 3 * v + X.data[j * m + 3]!]));
    const memory = reg();
    const r = memory.fitSync(X, Y2, { optimizer: 'adam', learningRate: 0.01, epochs: 3, earlyStopping: false, batchSize: 10, shuffle: false });
    const streamed = reg();
    const rs = await streamed.fit(() => { calls++; return [0, 10, 20, 30, 40].map((j) => ({ X: rowsOf(X, j, Math.min(n, j + 10)), y: Matrix.from(rowsOf(Y2, j, Math.min(n, j + 10))) })); },
      { optimizer: 'adam', learningRate: 0.01, epochs: 3, earlyStopping: false });
    expectSameBits(body(streamed), body(memory));
    expectSameBits(outcome(rs), outcome(r));
    expect(calls).toBe(5);
    expect(streamed.targetScaling).toEqual(memory.targetScaling);
  });

  it.skipIf(!available)('batchSize cuts the source\'s rows into batches of that size, whatever its own batches (weights of 1 where a batch had none)', async () => {
    const cuts = [0, 7, 20, 21, 33, 45];
    const chunks = () => cuts.slice(1).map((j1, i) => {
      const j0 = cuts[i]!;
      return { X: rowsOf(X, j0, j1), y: y3.slice(j0, j1), ...(i % 2 === 0 ? { sampleWeight: w.slice(j0, j1) } : {}) };
    });
    const weights = w.map((v, j) => (cuts.findIndex((c) => c > j) - 1) % 2 === 0 ? v : 1);
    const options = { optimizer: 'momentum', learningRate: 0.1, epochs: 3, earlyStopping: false, validation: { X: Xv, y: yv3 } } as const;
    const memory = net();
    const r = memory.fitSync(X, y3, { ...options, batchSize: 8, shuffle: false, sampleWeight: weights });
    for (const mode of ['sync', 'async'] as const) {
      const streamed = net();
      const rs = mode === 'sync' ? streamed.fitSync(chunks, { ...options, batchSize: 8 }) : await streamed.fit(asyncSource(chunks), { ...options, batchSize: 8 });
      expectSameBits(body(streamed), body(memory), mode);
      expectSameBits(outcome(rs), outcome(r), `${mode} result`);
    }
    // The constructor's batchSize too; a model's default (200 for a network) does not cut.
    const given = new NeuralNetwork({ layers: [m, 5, 3], hidden: 'tanh', seed: 7, backend, batchSize: 8 });
    given.fitSync(chunks, options);
    expectSameBits(body(given).parameters, body(memory).parameters, 'constructor batchSize');
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

describe.each(BACKENDS)('classes, failures, aborts, checkpoints and refusals of a fit from a data source ($backend)', ({ backend, available }) => {
  const net = () => new NeuralNetwork({ layers: [m, 5, 3], hidden: 'tanh', seed: 7, backend });
  const base = { optimizer: 'adam', learningRate: 0.02, earlyStopping: false } as const;

  /** A source that counts its calls. */
  function counted(batches: () => TrainingBatch[]): { source: () => TrainingBatch[]; calls: () => number } {
    let calls = 0;
    return { source: () => { calls++; return batches(); }, calls: () => calls };
  }

  it.skipIf(!available)('without options.classes a first pass finds them (one more call); with them, or on a warm start, the source is called once per epoch', async () => {
    const a = counted(() => batchesOf(8, y3));
    const model = net();
    await model.fit(a.source, { ...base, epochs: 3 });
    expect(a.calls()).toBe(4);
    expect(model.classes).toEqual(['a', 'b', 'c']);
    const b = counted(() => batchesOf(8, y3));
    const given = net();
    await given.fit(b.source, { ...base, epochs: 3, classes: ['c', 'a', 'b'] });
    expect(b.calls()).toBe(3);
    expectSameBits(body(given), body(model));
    const c = counted(() => batchesOf(8, y3));
    given.fitSync(c.source, { ...base, epochs: 2, warmStart: true });
    expect(c.calls()).toBe(2);
    // Logistic regression learns its feature count from the first batch: with classes given, the fit's first epoch is opened early, not twice.
    const d = counted(() => batchesOf(8, y2));
    const lr = new LogisticRegression({ seed: 5, backend });
    await lr.fit(d.source, { optimizer: 'gd', learningRate: 0.3, epochs: 2, classes: [0, 1] });
    expect(d.calls()).toBe(2);
    expect(lr.nFeatures).toBe(m);
    expect(lr.epochsTrained).toBe(2);
  });

  it.skipIf(!available)('the source is called with the global epoch it reads (the passes made while preparing: the fit\'s first)', async () => {
    const epochs: number[] = [];
    const source = (e: number) => { epochs.push(e); return batchesOf(15, y3); };
    const model = net();
    await model.fit(source, { ...base, epochs: 2, validation: source });
    expect(epochs).toEqual([0, 0, 0, 1]);
    epochs.length = 0;
    model.fitSync(source, { ...base, epochs: 2, warmStart: true });
    expect(epochs).toEqual([2, 3]);
  });

  it.skipIf(!available)('a label outside options.classes fails the fit naming the batch; the model keeps its last completed step', async () => {
    const model = net();
    const bad = () => batchesOf(8, y3.map((c, j) => (j === 20 ? 'd' : c)));
    const e = await model.fit(bad, { ...base, epochs: 2, classes: ['a', 'b', 'c'] }).catch((x: unknown) => x);
    expectError(() => { throw e; }, BlasnetRangeError, 'ERR_BLASNET_LABEL', /y of batch 2 \(epoch 0\)/, /"d"/);
    expect(model.fitted).toBe(true);
    expect(model.epochsTrained).toBe(0);
    expect(model.busy).toBe(false);
    expectError(() => net().fitSync(() => batchesOf(8, y3).map((b, k) => (k === 1 ? { ...b, X: rowsOf(X, 8, 16).map((r) => r.slice(1)) } : b)), { ...base, epochs: 1, classes: ['a', 'b', 'c'] }),
      BlasnetRangeError, 'ERR_BLASNET_SHAPE', /X of batch 1 \(epoch 0\) must have 4 columns/);
    expectError(() => net().fitSync(() => [], { ...base, epochs: 1, classes: ['a', 'b', 'c'] }), BlasnetError, 'ERR_BLASNET_DATA', /no batch in epoch 0/);
    expectError(() => net().fitSync(() => [{ X: rowsOf(X, 0, 4), y: y3.slice(0, 4), Z: 1 } as never], { ...base, epochs: 1, classes: ['a', 'b', 'c'] }),
      BlasnetTypeError, 'ERR_BLASNET_ARG_TYPE', /batch 0 \(epoch 0\).*Z/);
  });

  it.skipIf(!available)('what the source throws fails the fit as thrown, after the model installs its last completed step; the iterator is closed', async () => {
    const theta = (model: NeuralNetwork) => model.parameters.W.concat(model.parameters.b);
    for (const mode of ['sync', 'async'] as const) {
      const thrown = new Error('the disk went away');
      let finished = 0, epoch = 0;
      // Epoch 1 throws after three batches.
      const source = function* (): Generator<TrainingBatch> {
        const e = epoch++;
        try {
          for (const [k, b] of batchesOf(8, y3).entries()) {
            if (e === 1 && k === 3) throw thrown;
            yield b;
          }
        } finally {
          finished++;
        }
      };
      const model = net();
      const o = { ...base, epochs: 3, classes: ['a', 'b', 'c'] };
      const e = mode === 'sync' ? (() => { try { model.fitSync(source, o); } catch (x) { return x; } })() : await model.fit(source, o).catch((x: unknown) => x);
      expect(e, mode).toBe(thrown);
      expect(model.fitted).toBe(true);
      expect(model.epochsTrained).toBe(1);
      expect(finished).toBe(2);
      // θ is the last completed step's: one epoch and the three batches of the next.
      const expected = net();
      expected.fitSync(() => batchesOf(8, y3), { ...o, epochs: 1 });
      expected.fitSync(() => batchesOf(8, y3).slice(0, 3), { ...o, epochs: 1, warmStart: true });
      expectSameBits(theta(model), theta(expected), `${mode}: θ`);
    }
  });

  it.skipIf(!available)('an abort stops the fit at its next batch (AbortError; the last completed step kept) and closes the source\'s iterator', async () => {
    let finalized = 0;
    const ac = new AbortController();
    const source = async function* () {
      try {
        for (let k = 0; ; k++) {
          await new Promise((res) => setImmediate(res));
          if (k === 12) ac.abort();
          yield batchesOf(5, y3)[k % 9]!;
        }
      } finally {
        finalized++;
      }
    };
    const model = net();
    const e = await model.fit(source, { ...base, epochs: 1, classes: ['a', 'b', 'c'], signal: ac.signal }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AbortError);
    expect(model.fitted).toBe(true);
    expect(model.busy).toBe(false);
    await new Promise((res) => setTimeout(res, 20));
    expect(finalized).toBe(1);
  });

  it.skipIf(!available)('an abort during the first pass rejects with an AbortError and leaves the model as it was', async () => {
    const ac = new AbortController();
    const source = async function* () {
      for (const [k, b] of batchesOf(5, y3).entries()) {
        await new Promise((res) => setImmediate(res));
        if (k === 2) ac.abort();
        yield b;
      }
    };
    const model = net();
    const e = await model.fit(source, { ...base, epochs: 2, signal: ac.signal }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AbortError);
    expect(model.fitted).toBe(false);
    expect(model.busy).toBe(false);
  });

  it.skipIf(!available)('checkpoints of a fit from a source: resuming the checkpoint with the same source continues the fit, bit for bit', async () => {
    const path = join(dir, `stream-ckpt-${backend}.json`);
    const whole = net();
    await whole.fit(asyncSource(() => batchesOf(8, y3)), { ...base, epochs: 5, checkpoint: { path, every: 3 }, classes: ['a', 'b', 'c'] });
    const resumed = NeuralNetwork.fromJSON(JSON.parse(readFileSync(path, 'utf8')), { backend });
    expect(resumed.epochsTrained).toBe(3);
    resumed.fitSync(() => batchesOf(8, y3), { ...base, epochs: 2, warmStart: true });
    expectSameBits(body(resumed), body(whole));
  });

  it.skipIf(!available)('progress records and the result follow the global epochs', async () => {
    const seen: number[] = [];
    const r = await net().fit(() => batchesOf(15, y3), { ...base, epochs: 3, classes: ['a', 'b', 'c'], onProgress: ({ iteration }) => seen.push(iteration) });
    expect(seen).toEqual([0, 1, 2]);
    expect(r.epochs).toBe(3);
    expect(r.steps).toBe(9);
  });

  it('what needs the whole data set is refused, naming the option; so are an async iterable in fitSync and a third argument', async () => {
    const model = () => new NeuralNetwork({ layers: [m, 3], seed: 1, backend: 'reference' });
    const src = () => batchesOf(8, y3);
    const refused = (o: object, pattern: RegExp) => expectError(() => model().fitSync(src, o as never), BlasnetTypeError, 'ERR_BLASNET_ARG_TYPE', pattern);
    refused({ validationSplit: 0.2 }, /options\.validationSplit .*does not apply to a fit from a data source/);
    refused({ sampleWeight: w }, /options\.sampleWeight .*each batch its weights/);
    refused({ shuffle: true }, /options\.shuffle .*in the source/);
    refused({ optimizer: 'lbfgs' }, /options\.optimizer 'lbfgs' does not apply to a fit from a data source/);
    refused({ classWeight: 'balanced' }, /options\.classWeight 'balanced'/);
    expectError(() => new NeuralNetwork({ layers: [m, 3], validationSplit: 0.2, backend: 'reference' }).fitSync(src), BlasnetTypeError, 'ERR_BLASNET_ARG_TYPE',
      /options\.validationSplit \(in the constructor's options\)/);
    expectError(() => new LogisticRegression({ solver: 'lbfgs', backend: 'reference' }).fitSync(src), BlasnetTypeError, 'ERR_BLASNET_ARG_TYPE', /'lbfgs'/);
    expectError(() => model().fitSync(asyncSource(src) as never), BlasnetTypeError, 'ERR_BLASNET_ARG_TYPE', /async iterable: fitSync reads synchronous iterables only/);
    expectError(() => model().fitSync((() => 42) as never), BlasnetTypeError, 'ERR_BLASNET_ARG_TYPE', /must return an iterable or an async iterable of batches/);
    await expectRejection(() => model().fit(src, {}, {} as never), BlasnetTypeError, 'ERR_BLASNET_ARG_TYPE', /takes \(source, options\)/);
    await expectRejection(() => model().fit(src, { classes: 'abc' } as never), BlasnetTypeError, 'ERR_BLASNET_ARG_TYPE', /options\.classes must be an array/);
    await expectRejection(() => model().fit(src, { classes: ['a', 'a', 'b'] }), BlasnetRangeError, 'ERR_BLASNET_LABEL', /distinct/);
    // A fit from a source holds the model while it prepares (the first pass included).
    const busy = model();
    const slow = busy.fit(asyncSource(src), { epochs: 1 });
    expectError(() => busy.fitSync(X, y3), BlasnetError, 'ERR_BLASNET_BUSY');
    await slow;
  });

  it.skipIf(!available)('a model with a tabular preprocessing fits from a source of Tables (y from the target column), as in memory', async () => {
    const rows = Array.from({ length: n }, (_, j) => `${X.data[j * m]},${X.data[j * m + 1]},${j % 3 === 0 ? 'u' : 'v'},${y3[j]}`);
    const table = parseCsv(`f1,f2,kind,label\n${rows.join('\n')}\n`);
    const prep = Preprocessing.fit(table, { target: 'label' });
    const make = () => new NeuralNetwork({ layers: [prep.nFeatures, 4, 3], seed: 3, backend, preprocessing: prep });
    const memory = make();
    memory.fitSync(table, undefined, { ...base, epochs: 2, batchSize: 10, shuffle: false });
    const streamed = make();
    const r = await streamed.fit(() => [0, 10, 20, 30, 40].map((j) => ({ X: table.take(Array.from({ length: Math.min(10, n - j) }, (_, k) => j + k)) })), { ...base, epochs: 2 });
    expectSameBits(body(streamed), body(memory));
    expect(r.droppedRows).toBe(0);
  });
});

describe.each(BACKENDS)('a CSV read in batches by csvBatches, its Tables yielded as they are ($backend)', ({ backend, available }) => {
  it.skipIf(!available)('equals the in-memory fit of the whole file (file order, batches of 16, y from the target column)', async () => {
    const path = join(dir, 'data.csv');
    const lines = Array.from({ length: n }, (_, j) => `${X.data[j * m]},${X.data[j * m + 1]},${j % 4 === 0 ? 'x' : 'z'},${y3[j]}`);
    writeFileSync(path, `a,b,kind,label\n${lines.join('\n')}\n`);
    const scan = await scanCsv(path, { target: 'label' });
    const make = () => new NeuralNetwork({ layers: [scan.preprocessing.nFeatures, 4, 3], seed: 3, backend, preprocessing: scan.preprocessing });
    const options = { optimizer: 'adam', learningRate: 0.02, epochs: 3, earlyStopping: false } as const;
    const memory = make();
    memory.fitSync(await readCsv(path, { types: scan.types }), undefined, { ...options, batchSize: 16, shuffle: false });
    const streamed = make();
    await streamed.fit((epoch) => csvBatches(path, scan, { batchSize: 16, bufferRows: 0, epoch }), options);
    expectSameBits(body(streamed), body(memory));
  });
});

describe('the event loop stays free during a native fit from a data source', () => {
  it.skipIf(!BACKENDS[0]!.available)('timers keep firing while it trains', async () => {
    const rows = 4000, cols = 32, r = mulberry32(5);
    const data = new Matrix(rows, cols, Float64Array.from({ length: rows * cols }, () => gaussian(r)));
    const labels = Array.from({ length: rows }, (_, j) => (data.data[j * cols]! > 0 ? 1 : 0));
    const B = 100;
    const source = function* () {
      for (let j = 0; j < rows; j += B) yield { X: new Matrix(B, cols, data.data.slice(j * cols, (j + B) * cols)), y: labels.slice(j, j + B) };
    };
    const net = new NeuralNetwork({ layers: [cols, 128, 128, 1], hidden: 'relu', seed: 1, backend: 'native' });
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 2);
    const t0 = performance.now();
    await net.fit(source, { optimizer: 'adam', epochs: 4, earlyStopping: false, classes: [0, 1] });
    const ms = performance.now() - t0;
    clearInterval(timer);
    expect(net.epochsTrained).toBe(4);
    expect(ticks).toBeGreaterThanOrEqual(3);
    console.info(`fit from a source: ${ms.toFixed(0)} ms, ${ticks} timer ticks (every 2 ms asked)`);
  });
});
