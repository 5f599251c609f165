// A fit that may run JavaScript while it trains (`await fit`, and `fitSync` with onProgress) trains
// on its own copy of X, made while it trains (native/train_js.h FitInput): the copy takes the rows in
// the order the first epoch reads them (native/trainer.h first_epoch_order) and the trainer waits
// for each row it reads (RowGate). An async fit's copy is made by the call, after the job is queued;
// a fitSync's by a thread the job joins before any JavaScript runs. The tests:
// - the copy changes nothing: `await fit` and `fitSync` with onProgress give the result, the
//   parameters and the training state of a plain `fitSync` (which reads X in place), bit for bit, for
//   every way a fit reads its rows (shuffled mini-batches, in order, full batch, L-BFGS, weighted,
//   with validation data, a warm start from a later epoch), for both models;
// - writes into X once JavaScript may run (right after `fit` returns, in the first onProgress call)
//   do not reach the fit;
// - a fit cancelled or failing while the copy is under way settles with its own error.
// X of 12 000 × 40 (3.8 MB) spans several of the copy's ~1 MiB slices, so the first batches are
// taken while later rows are still being copied.
import { describe, expect, it } from 'vitest';
import { AbortError, DivergenceError, info, LogisticRegression, Matrix, NeuralNetwork, Random, type FitResult } from '../lib/index.js';
import { expectSameBits } from './helpers/bits.js';

type Model = NeuralNetwork | LogisticRegression;
type Mode = 'fitSync' | 'fit' | 'fitSync+onProgress';
const MODES: Mode[] = ['fitSync', 'fit', 'fitSync+onProgress'];

function randomRows(seed: number, n: number, m: number): Matrix {
  const r = new Random(seed);
  return new Matrix(n, m, Float64Array.from({ length: n * m }, () => r.normal()));
}

/** Labels 0..k−1 that depend on X (so the fit learns something), row by row. */
function labelsOf(X: Matrix, k: number): Float64Array {
  const y = new Float64Array(X.rows);
  for (let j = 0; j < X.rows; j++) {
    const s = X.data[j * X.cols]! + 0.5 * X.data[j * X.cols + 1]!;
    y[j] = k === 2 ? (s > 0 ? 1 : 0) : Math.min(k - 1, Math.max(0, Math.floor(s + k / 2)));
  }
  return y;
}

/** The model as its file has it, metadata aside: parameters, classes, options and the training state. */
function body(model: Model): Record<string, unknown> {
  const { metadata: _m, ...rest } = model.toJSON();
  return rest;
}

async function fitBy(mode: Mode, model: Model, X: Matrix, y: Float64Array, options: object): Promise<FitResult> {
  switch (mode) {
    case 'fitSync': return model.fitSync(X, y, options);
    case 'fit': return model.fit(X, y, options);
    case 'fitSync+onProgress': {
      let records = 0;
      const r = model.fitSync(X, y, { ...options, onProgress: () => { records += 1; } });
      expect(records).toBeGreaterThan(0);
      return r;
    }
  }
}

/** Fits a fresh model (after `before`, a plain fitSync, when given) each way and checks they agree bit for bit. */
async function expectSameFits(make: () => Model, X: Matrix, y: Float64Array, options: object, before?: object): Promise<void> {
  const ends: { result: FitResult; model: Record<string, unknown> }[] = [];
  for (const mode of MODES) {
    const model = make();
    if (before) model.fitSync(X, y, before);
    const result = await fitBy(mode, model, X, y, options);
    ends.push({ result, model: body(model) });
  }
  expectSameBits(ends[1], ends[0], 'fit');
  expectSameBits(ends[2], ends[0], 'fitSync with onProgress');
}

describe.skipIf(info().backend !== 'native')('a fit that runs JavaScript trains on its own copy of X, made while it trains', () => {
  const X = randomRows(1, 12_000, 40);
  const y3 = labelsOf(X, 3);
  const y2 = labelsOf(X, 2);
  const Xv = randomRows(2, 500, 40);
  const yv = labelsOf(Xv, 3);
  const weight = Float64Array.from({ length: X.rows }, (_, j) => 0.25 + (j % 7) / 4);
  const net = () => new NeuralNetwork({ layers: [40, 16, 3], hidden: 'tanh', seed: 3 });
  const quick = { epochs: 2, earlyStopping: false } as const;

  describe('NeuralNetwork: await fit and fitSync with onProgress equal a plain fitSync, bit for bit', () => {
    it('shuffled mini-batches', () => expectSameFits(net, X, y3, { ...quick, batchSize: 64, optimizer: 'adam', learningRate: 0.01 }));
    it('mini-batches in order (no shuffle)', () => expectSameFits(net, X, y3, { ...quick, batchSize: 100, shuffle: false, optimizer: 'momentum' }));
    it('full batch', () => expectSameFits(net, X, y3, { epochs: 5, earlyStopping: false, batchSize: 0, optimizer: 'gd', learningRate: 0.5 }));
    it('L-BFGS', () => expectSameFits(net, X, y3, { epochs: 6, earlyStopping: false, optimizer: 'lbfgs' }));
    it('sample weights', () => expectSameFits(net, X, y3, { ...quick, batchSize: 128, sampleWeight: weight }));
    it('validation data (and early stopping on it)', () =>
      expectSameFits(net, X, y3, { epochs: 3, batchSize: 256, validation: { X: Xv, y: yv }, earlyStopping: { monitor: 'validationCost', patience: 1 } }));
    it('a warm start from a later epoch (its first epoch is epoch 2: another shuffle)', async () => {
      const options = { ...quick, batchSize: 64, optimizer: 'adam', learningRate: 0.01 } as const;
      await expectSameFits(net, X, y3, { ...options, warmStart: true }, options);
    });
  });

  describe('LogisticRegression: await fit and fitSync with onProgress equal a plain fitSync, bit for bit', () => {
    // 13 features: the model binds the rows for its padded copy, so the fit waits for every row
    // before it starts (Objective::bind_reads_all_rows); 16 features: it starts on the first rows.
    for (const m of [13, 16]) {
      const Xm = randomRows(10 + m, 12_000, m);
      const ym = labelsOf(Xm, 2);
      const logistic = () => new LogisticRegression({ seed: 5 });
      it(`${m} features: full-batch gradient descent (past the padded copy's 32nd sweep)`, () =>
        expectSameFits(logistic, Xm, ym, { iterations: 40, learningRate: 0.5 }));
      it(`${m} features: shuffled mini-batches`, () => expectSameFits(logistic, Xm, ym, { iterations: 2, batchSize: 50, learningRate: 0.1 }));
      it(`${m} features: mini-batches in order`, () =>
        expectSameFits(logistic, Xm, ym, { iterations: 2, batchSize: 50, shuffle: false, learningRate: 0.1 }));
      it(`${m} features: L-BFGS`, () => expectSameFits(logistic, Xm, ym, { solver: 'lbfgs', iterations: 30 }));
    }
    it('sample weights', () => expectSameFits(() => new LogisticRegression({ seed: 5 }), X, y2, { iterations: 2, batchSize: 64, sampleWeight: weight }));
    it('13 features, 100 000 rows in order: the padded copy, made at the 32nd batch, waits for every row', () => {
      // 10 MB of X: the 32nd batch of 50 rows comes long before the copy is done, unless the fit
      // waited for every row before binding them.
      const Xl = randomRows(40, 100_000, 13);
      return expectSameFits(() => new LogisticRegression({ seed: 5 }), Xl, labelsOf(Xl, 2), { iterations: 1, batchSize: 50, shuffle: false, learningRate: 0.1 });
    });
  });

  describe('writes into X once JavaScript may run do not reach the fit', () => {
    // 20 000 × 200 doubles (32 MB): the job is still taking its first batches when fit() returns, and
    // a fit that read the caller's X (or a copy made after the call) would see the writes below.
    const big = randomRows(7, 20_000, 200);
    const ybig = labelsOf(big, 3);
    const bigNet = () => new NeuralNetwork({ layers: [200, 8, 3], hidden: 'relu', seed: 9 });
    const options = { epochs: 2, batchSize: 64, optimizer: 'adam', earlyStopping: false } as const;

    it('NeuralNetwork: X overwritten (NaN) right after fit() returns', async () => {
      const want = bigNet();
      const wantResult = want.fitSync(big, ybig, options);
      const X = new Matrix(big.rows, big.cols, big.data.slice());
      const model = bigNet();
      const pending = model.fit(X, ybig, options);
      X.data.fill(NaN);
      expectSameBits(await pending, wantResult, 'result');
      expectSameBits(body(model), body(want));
    });

    it('LogisticRegression: X overwritten right after fit() returns', async () => {
      const yb = labelsOf(big, 2);
      const lr = () => new LogisticRegression({ seed: 5 });
      const o = { iterations: 2, batchSize: 64, learningRate: 0.1 };
      const want = lr();
      const wantResult = want.fitSync(big, yb, o);
      const X = new Matrix(big.rows, big.cols, big.data.slice());
      const model = lr();
      const pending = model.fit(X, yb, o);
      X.data.fill(1e300);
      expectSameBits(await pending, wantResult, 'result');
      expectSameBits(body(model), body(want));
    });

    it('fitSync with onProgress: X overwritten at the first progress record', () => {
      for (const opts of [options, { ...options, shuffle: false }, { epochs: 3, optimizer: 'lbfgs', earlyStopping: false } as const]) {
        const want = bigNet();
        const wantResult = want.fitSync(big, ybig, opts);
        const X = new Matrix(big.rows, big.cols, big.data.slice());
        const model = bigNet();
        let calls = 0;
        const result = model.fitSync(X, ybig, { ...opts, onProgress: () => { if (calls++ === 0) X.data.fill(0.5); } });
        expect(calls).toBeGreaterThan(1);
        expectSameBits(result, wantResult, 'result');
        expectSameBits(body(model), body(want));
        // The writes would have changed the fit: X of 0.5s gives other parameters.
        const other = bigNet();
        other.fitSync(new Matrix(big.rows, big.cols, new Float64Array(big.data.length).fill(0.5)), ybig, opts);
        expect(other.parameters.W[0]).not.toEqual(want.parameters.W[0]);
      }
    });
  });

  describe('a fit cancelled or failing while its copy of X is under way', () => {
    const big = randomRows(8, 20_000, 200);
    const ybig = labelsOf(big, 3);
    const bigNet = () => new NeuralNetwork({ layers: [200, 8, 3], hidden: 'relu', seed: 9 });

    it('await fit aborted right after the call rejects with an AbortError', async () => {
      for (const options of [{ optimizer: 'adam', batchSize: 32 }, { optimizer: 'lbfgs' }] as const) {
        const ac = new AbortController();
        const pending = bigNet().fit(big, ybig, { ...options, epochs: 1000, earlyStopping: false, signal: ac.signal });
        ac.abort();
        await expect(pending).rejects.toBeInstanceOf(AbortError);
      }
    });

    it('a fit that diverges at its first steps rejects (await fit) or throws (fitSync with onProgress) with a DivergenceError', async () => {
      // Targets of 1e150 under mse: the first cost overflows, long before the copy of X is done.
      const Y = new Matrix(big.rows, 1, new Float64Array(big.rows).fill(1e150));
      const reg = () => new NeuralNetwork({ layers: [200, 8, 1], output: 'linear', loss: 'mse', standardizeTargets: false, seed: 2 });
      const options = { epochs: 5, batchSize: 32, optimizer: 'gd', learningRate: 1e10, earlyStopping: false } as const;
      await expect(reg().fit(big, Y, options)).rejects.toBeInstanceOf(DivergenceError);
      expect(() => reg().fitSync(big, Y, { ...options, onProgress: () => {} })).toThrow(DivergenceError);
      // The same for a logistic model: the job ends while the call is still copying.
      const yb = labelsOf(big, 2);
      const scaled = new Matrix(big.rows, big.cols, big.data.map((v) => v * 1e3));
      await expect(new LogisticRegression({ learningRate: 1e305, iterations: 100 }).fit(scaled, yb, { batchSize: 32 })).rejects.toBeInstanceOf(DivergenceError);
      expect(() => new LogisticRegression({ learningRate: 1e305, iterations: 100 }).fitSync(scaled, yb, { batchSize: 32, onProgress: () => {} })).toThrow(DivergenceError);
    });

    it('a throwing onProgress stops fitSync with its own error', () => {
      const oops = new Error('stop here');
      expect(() => bigNet().fitSync(big, ybig, { epochs: 3, batchSize: 64, earlyStopping: false, onProgress: () => { throw oops; } })).toThrow(oops);
    });
  });
});
