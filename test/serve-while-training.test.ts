// Serving while training, at the library level: NeuralNetwork.fit runs in a native AsyncWorker on a copy
// of the parameters, X and Y, so during a ~4 s fit the event loop stays responsive (measured with
// perf_hooks.monitorEventLoopDelay), predictions answer bit-identically from the previous parameters, a
// second fit is refused with ERR_BLASNET_BUSY, and the trained parameters appear when the fit settles.
// Then the copy-at-the-call contract: overwriting or transferring away X and Y right after calling fit
// changes nothing (bit for bit against an untouched twin run), and a Matrix over an already-detached
// buffer is refused with ERR_BLASNET_DETACHED. The timing part needs the native backend.
import { availableParallelism, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { BlasnetError, getThreads, Matrix, NeuralNetwork, setThreads } from '../lib/index.js';
import type { AsyncFitOptions, BackendName } from '../lib/index.js';
import { BACKENDS, HAS_NATIVE, randomLogisticData } from './helpers/data.js';

const TARGET_FIT_MS = 4000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Bit-for-bit equality of two Float64Arrays. */
function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength), ub = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

/** All parameters of a network as one Float64Array (W and b of every layer, in order). */
function flatParameters(net: NeuralNetwork): Float64Array {
  const { W, b } = net.parameters;
  const parts = W.flatMap((w, l) => [w, b[l]!]);
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function detach(a: Float64Array): void {
  const buffer = a.buffer as ArrayBuffer;
  structuredClone(buffer, { transfer: [buffer] });
}

describe.skipIf(!HAS_NATIVE)('NeuralNetwork.fit (native) while serving predictions', () => {
  // 4000 examples × 32 features, a 32-64-32-1 tanh network, full-batch gradient descent for exactly
  // the epochs asked (explicit since 0.2.0, whose default is Adam in batches of 200 with early stopping).
  const DATA = randomLogisticData(11, 4000, 32);
  const LAYERS = [32, 64, 32, 1];
  const make = () => new NeuralNetwork({
    layers: LAYERS, hidden: 'tanh', output: 'sigmoid', seed: 3, backend: 'native', optimizer: 'gd', batchSize: 0, earlyStopping: false,
  });

  /** Epochs for a fit of about `ms` on this machine, from timing short fits of a twin network. */
  async function epochsFor(ms: number): Promise<{ epochs: number; msPerEpoch: number }> {
    const twin = make();
    await twin.fit(DATA.X, DATA.y, { epochs: 2, learningRate: 0.1 }); // warm-up
    let t = performance.now();
    await twin.fit(DATA.X, DATA.y, { epochs: 5, learningRate: 0.1 });
    let msPerEpoch = (performance.now() - t) / 5;
    const probe = Math.max(5, Math.round(300 / msPerEpoch)); // a second, ~0.3 s measurement
    t = performance.now();
    await twin.fit(DATA.X, DATA.y, { epochs: probe, learningRate: 0.1 });
    msPerEpoch = (performance.now() - t) / probe;
    return { epochs: Math.min(1_000_000, Math.max(20, Math.round(ms / msPerEpoch))), msPerEpoch };
  }

  it('serves during the fit (event-loop delay printed; W9 in the benchmarks holds the target), answers from the old parameters, refuses a second fit, then installs the new ones', { timeout: 30_000, retry: 2 }, async () => {
    // The serving configuration: OpenBLAS (process-wide) gets all cores but one, which stays free for
    // the event loop; otherwise the fit's BLAS threads compete with it for every core.
    const savedThreads = getThreads();
    const blasThreads = Math.max(1, availableParallelism() - 1);
    setThreads(blasThreads);
    try {
      await serveWhileTraining(blasThreads);
    } finally {
      setThreads(savedThreads);
    }
    // Up to two retries: the delay also measures CPU contention from other processes on the machine; a
    // fit that really blocked the loop (or predictions from the wrong parameters) fails every attempt.
  });

  async function serveWhileTraining(blasThreads: number): Promise<void> {
    const { epochs, msPerEpoch } = await epochsFor(TARGET_FIT_MS);
    const net = make();
    net.setParameters(net.parameters); // serve the seeded initial parameters before the fit
    const probe = new Matrix(64, 32, DATA.X.data.slice(0, 64 * 32));
    // The output activations (the probability of class 1 in column 1), compared bit for bit.
    const before = net.predictProbaSync(probe).data.slice();
    expect(sameBits((await net.predictProba(probe)).data, before)).toBe(true);

    const histogram = monitorEventLoopDelay({ resolution: 10 });
    let progressCalls = 0;
    histogram.enable();
    const t0 = performance.now();
    const fitting = net.fit(DATA.X, DATA.y, {
      epochs, learningRate: 0.1, recordEvery: Math.max(1, Math.ceil(epochs / 100)), onProgress: () => { progressCalls++; },
    });
    let settled = false;
    const done = fitting.finally(() => { settled = true; });
    expect(net.busy).toBe(true);

    // A second fit while the first runs: rejected (not thrown) with ERR_BLASNET_BUSY; the first goes on.
    const second = await net.fit(DATA.X, DATA.y, { epochs: 1 }).then(() => null, (e: unknown) => e);
    expect(second).toBeInstanceOf(BlasnetError);
    expect(second).toMatchObject({ code: 'ERR_BLASNET_BUSY' });
    expect(net.busy).toBe(true);

    // Serve during the fit: every answer comes from the parameters before the fit, bit for bit.
    let checks = 0, asyncChecks = 0, differing = 0;
    while (!settled) {
      if (!sameBits(net.predictProbaSync(probe).data, before)) differing++;
      checks++;
      if (checks % 5 === 0) {
        // Started before the fit settled (in the same synchronous run as the loop's check), so it
        // computes with the old parameters even if the fit settles while it runs.
        const p = await net.predictProba(probe);
        if (!sameBits(p.data, before)) differing++;
        asyncChecks++;
      }
      await sleep(25);
    }
    const result = await done;
    const elapsed = performance.now() - t0;
    histogram.disable();

    const p50 = histogram.percentile(50) / 1e6, p99 = histogram.percentile(99) / 1e6, max = histogram.max / 1e6;
    console.log(
      `[serve-while-training] native fit of ${epochs} epochs (${LAYERS.join('-')}, ${DATA.X.rows} × ${DATA.X.cols}, sized from ` +
      `${msPerEpoch.toFixed(2)} ms/epoch) took ${(elapsed / 1000).toFixed(2)} s; event-loop delay (resolution 10 ms) ` +
      `p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${max.toFixed(2)} ms over ${histogram.count} samples; ` +
      `${checks} predictSync + ${asyncChecks} predict checks during the fit, ${progressCalls} progress callbacks; ` +
      `${blasThreads} OpenBLAS thread(s) of ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}`,
    );

    expect(result.epochs).toBe(epochs);
    expect(differing).toBe(0);
    expect(checks).toBeGreaterThanOrEqual(10); // the fit lasted long enough for the measurement to mean something
    expect(progressCalls).toBeGreaterThan(0);
    expect(net.busy).toBe(false);

    // Settled: the trained parameters are in, for both prediction paths.
    const after = net.predictProbaSync(probe).data;
    expect(sameBits(after, before)).toBe(false);
    expect(sameBits((await net.predictProba(probe)).data, after)).toBe(true);
  }
});

describe.each(BACKENDS)('NeuralNetwork.fit copies X and Y at the call ($backend backend)', ({ backend, available }) => {
  const DATA = randomLogisticData(21, 600, 16);
  const make = () => new NeuralNetwork({ layers: [16, 32, 1], hidden: 'tanh', output: 'sigmoid', seed: 5, backend: backend as BackendName });
  const OPTIONS: AsyncFitOptions = { epochs: 30, batchSize: 64, optimizer: 'adam', learningRate: 0.01 };
  const freshX = () => new Matrix(DATA.X.rows, DATA.X.cols, DATA.X.data.slice());

  /** The parameters after a fit on untouched copies of the data. */
  async function control(): Promise<Float64Array> {
    const net = make();
    await net.fit(freshX(), DATA.y.slice(), OPTIONS);
    return flatParameters(net);
  }

  it.skipIf(!available)('overwriting X and Y with garbage right after calling fit does not change the trained parameters', async () => {
    const expected = await control();
    const net = make();
    const X = freshX(), y = DATA.y.slice();
    const fitting = net.fit(X, y, OPTIONS);
    X.data.fill(NaN);
    y.fill(7);
    await fitting;
    const got = flatParameters(net);
    expect(sameBits(got, expected)).toBe(true);
    expect(sameBits(got, flatParameters(make()))).toBe(false); // it did train
  });

  it.skipIf(!available)('transferring the buffers of X and Y away right after calling fit neither crashes nor changes the result', async () => {
    const expected = await control();
    const net = make();
    const X = freshX(), y = DATA.y.slice();
    const fitting = net.fit(X, y, OPTIONS);
    const movedX = structuredClone(X.data.buffer, { transfer: [X.data.buffer as ArrayBuffer] });
    const movedY = structuredClone(y.buffer, { transfer: [y.buffer as ArrayBuffer] });
    expect(X.data.length).toBe(0); // detached here
    new Float64Array(movedX).fill(NaN); // and scribbled on over there
    new Float64Array(movedY).fill(7);
    await fitting;
    expect(sameBits(flatParameters(net), expected)).toBe(true);
  });

  it.skipIf(!available)('a Matrix over an already-detached buffer is refused with ERR_BLASNET_DETACHED, and the model stays usable', async () => {
    const net = make();
    net.setParameters(net.parameters); // fitted, so that predictions reach the check of X
    const X = freshX();
    detach(X.data);
    const error = await net.fit(X, DATA.y, OPTIONS).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ code: 'ERR_BLASNET_DETACHED' });
    expect((error as Error).message).toMatch(/X\.data.*detached/);
    expect(() => net.predictSync(X)).toThrow(expect.objectContaining({ code: 'ERR_BLASNET_DETACHED' }));
    await expect(net.predict(X)).rejects.toMatchObject({ code: 'ERR_BLASNET_DETACHED' });
    const T = new Matrix(DATA.X.rows, 1, DATA.y.slice());
    detach(T.data);
    await expect(net.fit(freshX(), T, OPTIONS)).rejects.toMatchObject({ code: 'ERR_BLASNET_DETACHED', message: expect.stringMatching(/^y\.data/) });
    expect(net.busy).toBe(false);
    await net.fit(freshX(), DATA.y, { ...OPTIONS, epochs: 1 });
  });
});
