// Thread counts and bits (native/network.cc team_gemm): at 2 threads a mini-batch's products are cut
// into one block per thread, each a single-threaded OpenBLAS call, where 1 thread makes one call.
// Each element of a product is the same sum over K either way unless OpenBLAS itself takes another
// path for the smaller block; the fit's parameters must then agree to rounding: here to 1e-13 of
// their largest magnitude after 3 epochs (the differences start at one ulp per product and grow
// only through the few hundred Adam steps of this fit). At a given thread count, the bits do not
// depend on the caller: a sync fit, an async fit and a prediction of either give the same numbers.
import { describe, expect, it } from 'vitest';
import { getThreads, info, LogisticRegression, Matrix, NeuralNetwork, setThreads } from '../lib/index.js';
import { expectSameBits } from './helpers/bits.js';
import { mulberry32 } from '../benchmarks/common.js';

function data(seed: number, n: number, m: number, k: number) {
  const r = mulberry32(seed);
  const X = new Matrix(n, m, Float64Array.from({ length: n * m }, () => (r() < 0.7 ? 0 : r())));
  const labels = Int32Array.from({ length: n }, () => Math.floor(r() * k));
  return { X, labels };
}

async function atThreads<T>(t: number, fn: () => T | Promise<T>): Promise<T> {
  const before = getThreads();
  setThreads(t);
  try {
    return await fn();
  } finally {
    setThreads(before);
  }
}

describe.skipIf(info().backend !== 'native')('thread counts and bits', () => {
  // 300-96-10 at batch 48: the input layer's products (48 × 96 × 300 = 1.4 M multiply-adds) are
  // split at 2 threads; the output layer's are not. The last batch of an epoch holds 16 examples.
  const { X, labels } = data(7, 1000, 300, 10);
  const make = () => new NeuralNetwork({ layers: [300, 96, 10], hidden: 'relu', output: 'softmax', seed: 3, backend: 'native' });
  const fit = { epochs: 3, batchSize: 48, optimizer: 'adam' as const, learningRate: 0.002 };

  it('1 and 2 threads agree to 1e-13 of the largest parameter', async () => {
    const one = await atThreads(1, () => { const n = make(); n.fitSync(X, labels, fit); return n.parameters; });
    const two = await atThreads(2, () => { const n = make(); n.fitSync(X, labels, fit); return n.parameters; });
    let scale = 0, diff = 0;
    one.W.forEach((w, l) => w.forEach((v, i) => { scale = Math.max(scale, Math.abs(v)); diff = Math.max(diff, Math.abs(v - two.W[l]![i]!)); }));
    one.b.forEach((b, l) => b.forEach((v, i) => { scale = Math.max(scale, Math.abs(v)); diff = Math.max(diff, Math.abs(v - two.b[l]![i]!)); }));
    console.log(`1 and 2 threads: largest parameter ${scale.toExponential(3)}, largest difference ${diff.toExponential(3)} (${diff === 0 ? 'the same bits' : 'rounding'})`);
    expect(diff).toBeLessThanOrEqual(1e-13 * scale);
  });

  it('at 2 threads, fitSync, fitSync with onProgress and await fit give the same bits, and so do predictSync and await predict', async () => {
    await atThreads(2, async () => {
      const a = make(), b = make(), c = make();
      a.fitSync(X, labels, fit);
      b.fitSync(X, labels, { ...fit, onProgress: () => {} });
      await c.fit(X, labels, fit);
      for (const other of [b, c]) {
        a.parameters.W.forEach((w, l) => expectSameBits(other.parameters.W[l]!, w));
        a.parameters.b.forEach((v, l) => expectSameBits(other.parameters.b[l]!, v));
      }
      const big = data(8, 3000, 300, 10).X;  // 3 000 × 96 × 300: split products
      expectSameBits((await a.predictProba(big)).data, a.predictProbaSync(big).data);
    });
  });

  it('a large logistic prediction (cut into one dgemv per thread) gives the same bits at 1 and 2 threads, sync and async', async () => {
    const { X } = data(9, 20_000, 100, 2);  // 2 M multiply-adds: cut at 2 threads
    const y = Int32Array.from({ length: 2000 }, (_, j) => (X.data[j * 100]! > 0.5 ? 1 : 0));
    const model = new LogisticRegression({ iterations: 20, learningRate: 0.5, backend: 'native' });
    model.fitSync(new Matrix(2000, 100, X.data.subarray(0, 2000 * 100)), y);
    const one = await atThreads(1, () => model.predictProbaSync(X).data);
    await atThreads(2, async () => {
      expectSameBits(model.predictProbaSync(X).data, one);
      expectSameBits((await model.predictProba(X)).data, one);
    });
  });
});
