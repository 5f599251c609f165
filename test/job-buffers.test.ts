// Asynchronous jobs reuse memory: a job's large input copies (≥ 4 MiB) come from blocks a previous
// job of the same size gave back (native/boundary.cc, job_buffer_take/give), and a network's async
// predictions take their activation buffers from the model's pool of warm workspaces
// (native/network.h, WorkspacePool). Reuse must never let one job see another's data: each result
// here is compared, bit for bit, with predictProbaSync (the output activations) on the same inputs. Bit for bit because both run
// the same kernels with the same thread partition on the same values; only the buffers differ.
import { describe, expect, it } from 'vitest';
import { info, LogisticRegression, Matrix, NeuralNetwork, Random } from '../lib/index.js';

const sameBits = (a: Float64Array, b: Float64Array) =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function randomRows(seed: number, n: number, m: number): Matrix {
  const r = new Random(seed);
  return new Matrix(n, m, Float64Array.from({ length: n * m }, () => r.normal()));
}

describe.skipIf(info().backend !== 'native')('reused job memory', () => {
  // 784 × 800 doubles = 4.8 MiB: above the 4 MiB from which copies take reusable blocks.
  const net = new NeuralNetwork({ layers: [784, 32, 5], hidden: 'relu', output: 'softmax', seed: 11 });
  net.setParameters(net.parameters); // predict with the seeded initial parameters

  it('successive async predictions of the same size each answer for their own X', async () => {
    for (let k = 0; k < 4; k++) {
      const X = randomRows(100 + k, 800, 784);
      const want = net.predictProbaSync(X).data;
      const got = (await net.predictProba(X)).data;
      expect(sameBits(got, want), `prediction ${k}`).toBe(true);
    }
  });

  it('concurrent predictions, then sizes that change, each get their own buffers', async () => {
    const Xs = [randomRows(1, 800, 784), randomRows(2, 800, 784), randomRows(3, 1200, 784), randomRows(4, 3, 784)];
    const wants = Xs.map((X) => net.predictProbaSync(X).data);
    const gots = await Promise.all(Xs.map((X) => net.predictProba(X)));
    gots.forEach((g, k) => expect(sameBits(g.data, wants[k]!), `concurrent ${k}`).toBe(true));
    // Larger, then smaller, then larger again: a warm workspace grows and is reused whatever its size.
    for (const k of [2, 0, 3, 2, 1]) expect(sameBits((await net.predictProba(Xs[k]!)).data, wants[k]!), `sequence ${k}`).toBe(true);
  });

  it('a reused block never carries an earlier job\'s data into a fit', async () => {
    // Two async logistic fits on same-sized X (5 000 × 120 doubles = 4.6 MiB), the second reusing the
    // first's block: each must equal its own fitSync exactly.
    const make = (seed: number) => {
      const X = randomRows(seed, 5000, 120);
      const y = Float64Array.from({ length: 5000 }, (_, j) => (X.data[j * 120]! > 0 ? 1 : 0));
      return { X, y };
    };
    for (const seed of [21, 22, 23]) {
      const { X, y } = make(seed);
      const a = new LogisticRegression({ iterations: 20, learningRate: 0.5 });
      const b = new LogisticRegression({ iterations: 20, learningRate: 0.5 });
      a.fitSync(X, y);
      await b.fit(X, y);
      expect(sameBits(b.weights, a.weights), `seed ${seed}`).toBe(true);
      expect(b.bias).toBe(a.bias);
    }
  });

  it('the caller may change X right after the call: the job read its own copy', async () => {
    // 8 000 rows: several chunks, the job running on the first ones while the call still copies X.
    const X = randomRows(31, 8000, 784);
    const want = net.predictProbaSync(X).data;
    const pending = net.predictProba(X);
    X.data.fill(1e300);
    expect(sameBits((await pending).data, want)).toBe(true);
  });
});
