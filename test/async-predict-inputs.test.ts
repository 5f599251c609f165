// What an asynchronous network prediction reads, and when (native/network_binding.cc, Predict;
// native/boundary.h, JobInput).
// - θ is read in place instead of copied (Theta::borrowed). That is correct only because
//   NeuralNetwork never writes into a θ array once it holds it: every change of parameters installs
//   a new array. The tests pin both halves: every operation that changes or reads the parameters
//   leaves a θ array taken before it bit for bit as it was, and predictions started before the
//   parameters change answer for the parameters of their call.
// - X is copied after the job is queued, in slices the job starts on (XCopy::deferred), before the
//   call returns. The tests check large predictions (several chunks, the first ones before the copy
//   is done) and the errors for non-finite values (test/job-buffers.test.ts: writes to X after the call).
// Comparisons are bit for bit with predictProbaSync (the output activations) at the same parameters:
// the same kernels on the same values, with the same chunks (net_predict's schedule is the same for
// every caller). Networks that predict with their seeded initial parameters are marked fitted with
// those parameters first (setParameters): an unfitted model refuses to predict.
import { describe, expect, it } from 'vitest';
import { gradientCheck, info, Matrix, NeuralNetwork, Random } from '../lib/index.js';

const sameBits = (a: Float64Array, b: Float64Array) =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function randomRows(seed: number, n: number, m: number): Matrix {
  const r = new Random(seed);
  return new Matrix(n, m, Float64Array.from({ length: n * m }, () => r.normal()));
}

function labels(n: number, classes: number): Float64Array {
  const y = new Float64Array(n);
  for (let j = 0; j < n; j++) y[j] = j % classes;
  return y;
}

/**
 * The θ array the network holds, itself (not a copy): NeuralNetwork.evaluation hands gradientCheck
 * the installed array, on a tiny data set of the network's shape.
 */
function heldTheta(net: NeuralNetwork): Float64Array {
  const [m, k] = [net.nFeatures, net.nOutputs];
  return NeuralNetwork.evaluation(net, randomRows(3, 4, m), labels(4, k), {}).theta;
}

describe('a NeuralNetwork never writes into a θ array it has installed', () => {
  const X = randomRows(1, 300, 12);
  const y = labels(300, 3);

  it('fits (sync, async, aborted), setParameters, reset, predictions and gradient checks leave a held θ unchanged', async () => {
    const net = new NeuralNetwork({ layers: [12, 16, 3], hidden: 'tanh', output: 'softmax', seed: 4 });
    const steps: [string, () => unknown][] = [
      ['fitSync', () => net.fitSync(X, y, { epochs: 3, batchSize: 32, optimizer: 'adam' })],
      ['fit', () => net.fit(X, y, { epochs: 2, batchSize: 50 })],
      ['fit with onProgress', () => net.fit(X, y, { epochs: 2, onProgress: () => {} })],
      ['aborted fit', () => {
        const ac = new AbortController();
        const p = net.fit(X, y, { epochs: 1e6, earlyStopping: false, signal: ac.signal, onProgress: (r) => { if (r.iteration >= 3) ac.abort(); } });
        return p.then(() => { throw new Error('the fit should have been aborted'); }, (e: Error) => expect(e.name).toBe('AbortError'));
      }],
      ['setParameters', () => net.setParameters({ W: net.parameters.W.map((w) => w.map((v) => v * 0.5)), b: net.parameters.b })],
      ['predict', () => net.predict(X)],
      ['predictSync', () => net.predictSync(X)],
      ['costAndGradients', () => net.costAndGradients(X, y)],
      ['gradientCheck', () => gradientCheck(net, randomRows(2, 5, 12), labels(5, 3))],
      ['reset', () => net.reset()],
    ];
    for (const [name, step] of steps) {
      const held = heldTheta(net);
      const before = held.slice();
      await step();
      expect(sameBits(held, before), `${name} wrote into the θ it found`).toBe(true);
    }
    // And the parameters did change along the way: these operations were not no-ops.
    const start = new NeuralNetwork({ layers: [12, 16, 3], hidden: 'tanh', output: 'softmax', seed: 4 });
    net.fitSync(X, y, { epochs: 1 });
    expect(sameBits(heldTheta(net), heldTheta(start))).toBe(false);
  });
});

describe.skipIf(info().backend !== 'native')('async predictions answer for the parameters of their call', () => {
  // 4000 × 784-128-10 runs for several ms on the pool: long enough that the parameter changes below
  // happen while it runs.
  const X = randomRows(7, 4000, 784);

  it('a fitSync, setParameters and reset made while predictions run do not reach them', async () => {
    const net = new NeuralNetwork({ layers: [784, 128, 10], hidden: 'relu', output: 'softmax', seed: 9 });
    net.setParameters(net.parameters); // predict with the seeded initial parameters
    const small = randomRows(8, 200, 784);
    const wants: Float64Array[] = [];
    const jobs: Promise<Matrix>[] = [];
    const start = () => {
      wants.push(net.predictProbaSync(X).data);
      jobs.push(net.predictProba(X));
    };
    start();
    net.fitSync(small, labels(200, 10), { epochs: 2, batchSize: 50, optimizer: 'adam' });
    start();
    net.setParameters({ W: net.parameters.W.map((w) => w.map((v) => -v)), b: net.parameters.b });
    start();
    net.reset();
    net.setParameters(net.parameters); // the reset's initial parameters, fitted again to predict with
    start();
    const gots = await Promise.all(jobs);
    gots.forEach((g, k) => expect(sameBits(g.data, wants[k]!), `prediction ${k}`).toBe(true));
    // The four parameter sets really differ, so each answer is its own call's.
    for (let k = 1; k < wants.length; k++) expect(sameBits(wants[k]!, wants[k - 1]!), `parameters ${k} changed`).toBe(false);
  });
});

describe.skipIf(info().backend !== 'native')('async predictions of large X, copied while the job runs', () => {
  const net = new NeuralNetwork({ layers: [784, 64, 10], hidden: 'relu', output: 'softmax', seed: 12 });
  net.setParameters(net.parameters); // predict with the seeded initial parameters

  it('8 000 rows (chunks of 512, 2 048, 5 349 and 91 examples) equal predictSync bit for bit, three at once', async () => {
    const Xs = [randomRows(21, 8000, 784), randomRows(22, 8000, 784), randomRows(23, 600, 784)];
    const wants = Xs.map((X) => net.predictProbaSync(X).data);
    const gots = await Promise.all(Xs.map((X) => net.predictProba(X)));
    gots.forEach((g, k) => expect(sameBits(g.data, wants[k]!), `prediction ${k}`).toBe(true));
  });

  it('a NaN in the last row is an error that names that row, not a value read before the copy reached it', async () => {
    const X = randomRows(25, 8000, 784);
    X.data[7999 * 784 + 5] = Number.NaN;
    await expect(net.predict(X)).rejects.toMatchObject({ code: 'ERR_BLASNET_NOT_FINITE', message: expect.stringContaining('row 7999, column 5') });
  });

  it('an overflow in the first chunk is reported as one, after the whole copy: not as a stale NaN of an earlier job', async () => {
    // Job A leaves its copy of X (a NaN in row 7000) in the reusable block that job B, of the same
    // size, then copies into. B overflows in its first chunk; its error scans X for a non-finite value
    // first, and must scan B's X, whole, not A's rows the copy has not yet overwritten.
    const A = randomRows(26, 8000, 784);
    A.data[7000 * 784] = Number.NaN;
    await expect(net.predict(A)).rejects.toMatchObject({ message: expect.stringContaining('row 7000') });
    const B = randomRows(27, 8000, 784);
    B.data.fill(Number.MAX_VALUE, 3 * 784, 4 * 784);  // finite, but W·x overflows
    await expect(net.predict(B)).rejects.toMatchObject({ code: 'ERR_BLASNET_NOT_FINITE', message: expect.stringContaining('pre-activations of layer 1') });
  });
});
