// Several jobs at once: concurrent fits on the libuv pool, the addon in worker threads. OpenBLAS
// is called from several threads at the same time here; these tests are what shows it is safe in
// the installed build (results equal to sequential runs, bit for bit, at one OpenBLAS thread).
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getThreads, info, Matrix, NeuralNetwork, Random, setThreads } from '../lib/index.js';

const native = info().backend === 'native';
const DIST = pathToFileURL(join(fileURLToPath(new URL('..', import.meta.url)), 'dist', 'lib', 'index.js')).href;

function data(n: number, s0: number, sL: number, seed: number) {
  const r = new Random(seed);
  const X = new Matrix(n, s0, Float64Array.from({ length: n * s0 }, () => r.normal()));
  const Y = new Matrix(n, sL);
  for (let j = 0; j < n; j++) Y.data[j * sL + r.int(sL)] = 1;
  return { X, Y };
}

const sameBits = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, k) => Object.is(v, b[k]));

describe.skipIf(!native)('concurrency on the native backend', () => {
  let threads = 1;
  beforeAll(() => {
    threads = getThreads();
    setThreads(1);
  });
  afterAll(() => setThreads(threads));

  it('eight concurrent fits of different seeded models equal the same fits run one after another, bit for bit', async () => {
    const { X, Y } = data(500, 30, 4, 1);
    // Every setting named (earlyStopping: false: all 15 epochs), so the test does not move with the defaults.
    const opts = { epochs: 15, batchSize: 64, optimizer: 'adam' as const, earlyStopping: false as const };
    const make = (seed: number) => new NeuralNetwork({ layers: [30, 48, 24, 4], hidden: ['relu', 'tanh'], output: 'softmax', seed });
    const sequential = Array.from({ length: 8 }, (_, seed) => {
      const net = make(seed);
      net.fitSync(X, Y, opts);
      return net.parameters;
    });
    const models = Array.from({ length: 8 }, (_, seed) => make(seed));
    await Promise.all(models.map((m) => m.fit(X, Y, opts)));
    models.forEach((m, seed) => {
      const p = m.parameters;
      p.W.forEach((W, l) => expect(sameBits(W, sequential[seed]!.W[l]!), `model ${seed} W[${l}]`).toBe(true));
      p.b.forEach((b, l) => expect(sameBits(b, sequential[seed]!.b[l]!), `model ${seed} b[${l}]`).toBe(true));
    });
  });

  it('the addon loads and trains in two worker threads at once, with the results of the main thread', async () => {
    const script = `
      import { parentPort, workerData } from 'node:worker_threads';
      const { NeuralNetwork, Matrix, Random, setThreads, info } = await import(workerData.dist);
      setThreads(1);
      const r = new Random(workerData.seed);
      const X = new Matrix(200, 10, Float64Array.from({ length: 2000 }, () => r.normal()));
      const y = Float64Array.from({ length: 200 }, (_, j) => (X.data[j * 10] + X.data[j * 10 + 1] > 0 ? 1 : 0));
      const net = new NeuralNetwork({ layers: [10, 8, 1], hidden: 'tanh', seed: workerData.seed });
      await net.fit(X, y, { epochs: 200, learningRate: 0.5, optimizer: 'gd', batchSize: 0, earlyStopping: false });
      parentPort.postMessage({ backend: info().backend, W: net.parameters.W, accuracy: net.scoreSync(X, y) });
    `;
    const url = new URL(`data:text/javascript,${encodeURIComponent(script)}`);
    const run = (seed: number) => new Promise<{ backend: string; W: Float64Array[]; accuracy: number }>((resolve, reject) => {
      const w = new Worker(url, { workerData: { dist: DIST, seed } });
      w.once('message', (m) => { resolve(m); void w.terminate(); });
      w.once('error', reject);
    });
    const [a, b] = await Promise.all([run(1), run(2)]);
    // The same computation on the main thread.
    for (const [seed, got] of [[1, a], [2, b]] as const) {
      expect(got.backend).toBe('native');
      const r = new Random(seed);
      const X = new Matrix(200, 10, Float64Array.from({ length: 2000 }, () => r.normal()));
      const y = Float64Array.from({ length: 200 }, (_, j) => (X.data[j * 10]! + X.data[j * 10 + 1]! > 0 ? 1 : 0));
      const net = new NeuralNetwork({ layers: [10, 8, 1], hidden: 'tanh', seed });
      net.fitSync(X, y, { epochs: 200, learningRate: 0.5, optimizer: 'gd', batchSize: 0, earlyStopping: false });
      net.parameters.W.forEach((W, l) => expect(sameBits(W, got.W[l]!), `seed ${seed} W[${l}]`).toBe(true));
      expect(got.accuracy).toBeGreaterThan(0.9);
    }
  });

  it('concurrent fits at two OpenBLAS threads complete with the results of sequential ones (no crash, no hang)', async () => {
    setThreads(2);
    try {
      const { X, Y } = data(400, 64, 3, 2);
      const opts = { epochs: 5, batchSize: 128, optimizer: 'gd' as const, learningRate: 0.01, earlyStopping: false as const };
      const make = (seed: number) => new NeuralNetwork({ layers: [64, 256, 3], hidden: 'relu', output: 'softmax', seed });
      const sequential = [0, 1, 2, 3].map((seed) => { const m = make(seed); m.fitSync(X, Y, opts); return m.parameters.W[0]!; });
      const models = [0, 1, 2, 3].map(make);
      await Promise.all(models.map((m) => m.fit(X, Y, opts)));
      // Same thread count, same partition of each product: the same bits.
      models.forEach((m, seed) => expect(sameBits(m.parameters.W[0]!, sequential[seed]!), `model ${seed}`).toBe(true));
    } finally {
      setThreads(1);
    }
  });
});
