// The asynchronous API of LogisticRegression: fit runs off the main thread (native AsyncWorker) or in
// short slices (reference), can be aborted, refuses a concurrent fit, reports progress on the main
// thread, rejects with the error an onProgress callback throws, and leaves predictions on the
// previous parameters until it settles.
import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { AbortError, BlasnetError, LogisticRegression, Matrix } from '../lib/index.js';
import type { BackendName, FitResult } from '../lib/index.js';
import { BACKENDS, randomLogisticData } from './helpers/data.js';

// One data set for the long fits: 4000 examples × 64 features (2 MB), standard normal features.
const BIG = randomLogisticData(31, 4000, 64);

/** Milliseconds per gradient step on BIG for this backend on this machine (median of a few short fitSyncs). */
function msPerIteration(backend: BackendName): number {
  const times: number[] = [];
  for (let r = 0; r < 3; r++) {
    // Enough iterations that the fixed cost of a call (validation, copies) does not dominate: the
    // native sweep over BIG takes tens of µs, so 20 iterations would measure mostly that cost.
    const iterations = backend === 'native' ? 400 : 20;
    const model = new LogisticRegression({ backend, iterations, learningRate: 0.1 });
    const t = performance.now();
    model.fitSync(BIG.X, BIG.y);
    times.push((performance.now() - t) / iterations);
  }
  times.sort((a, b) => a - b);
  return times[1]!;
}

/** Iterations of BIG that take about `ms` milliseconds. */
function iterationsFor(backend: BackendName, ms: number): number {
  return Math.max(10, Math.ceil(ms / msPerIteration(backend)));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Bit-for-bit equality of two Float64Arrays. */
function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength), ub = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return ua.every((v, i) => v === ub[i]);
}

describe.each(BACKENDS)('LogisticRegression.fit, $backend backend', ({ backend, available }) => {
  describe.skipIf(!available)('', () => {
    it('does not block the event loop: a 5 ms interval keeps firing while fit runs', async () => {
      // Native: ~1–2 s of work on a libuv thread. Reference: ~0.6 s in a worker thread (lib/reference/pool.ts).
      const target = backend === 'native' ? 1600 : 600;
      const iterations = iterationsFor(backend, target);
      const model = new LogisticRegression({ backend, iterations, learningRate: 0.1, recordEvery: iterations });
      const ticks: number[] = [];
      const t0 = performance.now();
      const timer = setInterval(() => ticks.push(performance.now()), 5);
      let result: FitResult;
      try {
        result = await model.fit(BIG.X, BIG.y);
      } finally {
        clearInterval(timer);
      }
      const elapsed = performance.now() - t0;
      expect(result.epochs).toBe(iterations);
      let maxGap = ticks.length ? ticks[0]! - t0 : elapsed;
      for (let i = 1; i < ticks.length; i++) maxGap = Math.max(maxGap, ticks[i]! - ticks[i - 1]!);
      // Both backends leave the main thread idle (a libuv thread, a worker thread), so the timer can fire
      // every 5 ms; a 10 ms period for the expectation leaves room for the worker's start-up.
      const period = backend === 'native' ? 5 : 10;
      const expected = elapsed / period;
      console.log(`${backend} fit of ${iterations} iterations took ${elapsed.toFixed(0)} ms; ` +
        `the 5 ms timer fired ${ticks.length} times (expected ≈ ${expected.toFixed(0)}), longest gap ${maxGap.toFixed(1)} ms`);
      // No wall-clock bound here (the benchmarks' W9 measures gaps and delays): a fit that blocked the
      // loop would settle before a single timer callback ran, so the callbacks that ran while the fit
      // was pending are the proof that it did not.
      expect(ticks.length).toBeGreaterThanOrEqual(3);
    });

    it('is cancellable with an AbortController: rejects with an AbortError quickly and keeps the last completed iteration', async () => {
      // Far more iterations than will run (~30 s): the abort must be what ends it.
      const iterations = iterationsFor(backend, 30_000);
      const model = new LogisticRegression({ backend, iterations, learningRate: 0.1, recordEvery: 1 });
      const controller = new AbortController();
      const progress: { iteration: number; cost: number }[] = [];
      let abortedAt = 0;
      const job = model.fit(BIG.X, BIG.y, {
        signal: controller.signal,
        onProgress: (p) => {
          progress.push(p);
          if (p.iteration === 5) {
            abortedAt = performance.now();
            controller.abort();
          }
        },
      });
      expect(model.busy).toBe(true);
      const error = await job.then(() => null, (e: unknown) => e);
      const settleMs = performance.now() - abortedAt;
      expect(abortedAt).toBeGreaterThan(0);
      expect(error).toBeInstanceOf(AbortError);
      expect((error as AbortError).name).toBe('AbortError');
      expect((error as AbortError).code).toBe('ABORT_ERR');
      const last = progress.at(-1)!;
      console.log(`${backend} fit aborted after iteration ${last.iteration} reported; settled ${settleMs.toFixed(1)} ms after abort()`);
      // The abort ended the fit, not its cap (sized to ~30 s): records reach the main thread while the
      // job runs on, so a few more iterations may complete, but nowhere near the cap. How quickly the
      // Promise settles is measured by the benchmarks' W9.
      expect(last.iteration).toBeLessThan(iterations / 100);
      expect(model.busy).toBe(false);
      // The model holds the parameters of the last completed iteration: not empty, finite, moved from zeros.
      const w = model.weights;
      expect(w.length).toBe(64);
      expect(w.every(Number.isFinite) && Number.isFinite(model.bias)).toBe(true);
      expect(w.some((v) => v !== 0)).toBe(true);
      // They are at least as far along as the last reported iteration: the cost recorded at iteration k
      // is that of the parameters before step k, and with this step size gradient descent decreases the
      // cost at every step, so the model's cost is strictly below the last reported one.
      const { cost } = model.costAndGradients(BIG.X, BIG.y);
      expect(cost).toBeLessThan(last.cost);
      // And the model is usable again.
      const again = new LogisticRegression({ backend, iterations: 3, learningRate: 0.1 });
      await expect(again.fit(BIG.X, BIG.y)).resolves.toMatchObject({ epochs: 3 });
    });

    it('an already aborted signal rejects at once with an AbortError and does not touch the model', async () => {
      const model = new LogisticRegression({ backend, iterations: 5 });
      const controller = new AbortController();
      controller.abort();
      await expect(model.fit([[1], [2]], [0, 1], { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
      expect(model.busy).toBe(false);
      expect(model.weights.length).toBe(0);
    });

    it('a second fit on the same model rejects with ERR_BLASNET_BUSY while the first continues and succeeds', async () => {
      const iterations = iterationsFor(backend, 300);
      const model = new LogisticRegression({ backend, iterations, learningRate: 0.1, recordEvery: iterations });
      const first = model.fit(BIG.X, BIG.y);
      expect(model.busy).toBe(true);
      const second = model.fit(BIG.X, BIG.y);
      await expect(second).rejects.toBeInstanceOf(BlasnetError);
      await expect(second).rejects.toMatchObject({ code: 'ERR_BLASNET_BUSY' });
      // fitSync is refused too, synchronously.
      expect(() => model.fitSync(BIG.X, BIG.y)).toThrow(expect.objectContaining({ code: 'ERR_BLASNET_BUSY' }));
      expect(model.busy).toBe(true);
      const r = await first;
      expect(r.epochs).toBe(iterations);
      expect(model.busy).toBe(false);
      expect(model.weights.length).toBe(64);
      // Once settled, a new fit is accepted.
      await expect(model.fit(BIG.X, BIG.y)).resolves.toMatchObject({ epochs: iterations });
    });

    it('onProgress is called on the main thread, after fit returns, with increasing iterations and the recorded costs', async () => {
      const { X, y } = randomLogisticData(5, 300, 6);
      const model = new LogisticRegression({ backend, iterations: 1000, recordEvery: 100, learningRate: 0.1 });
      const seen: { iteration: number; cost: number; thread: number }[] = [];
      let returned = false;
      let calledBeforeReturn = false;
      const job = model.fit(X, y, {
        onProgress: (p) => {
          if (!returned) calledBeforeReturn = true;
          seen.push({ ...p, thread: threadId });
        },
      });
      returned = true;
      const r = await job;
      expect(calledBeforeReturn).toBe(false);
      expect(seen.map((p) => p.iteration)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
      expect(seen.every((p) => p.thread === threadId)).toBe(true);
      // The costs reported are exactly those returned, and they decrease (convex, small step).
      expect(r.costs.length).toBe(10);
      seen.forEach((p, i) => expect(Object.is(p.cost, r.costs[i])).toBe(true));
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.cost).toBeLessThan(seen[i - 1]!.cost);
    });

    it('an onProgress callback that throws makes fit reject with that error (and fitSync throw it)', async () => {
      const { X, y } = randomLogisticData(6, 200, 4);
      const model = new LogisticRegression({ backend, iterations: 500, recordEvery: 10, learningRate: 0.1 });
      const boom = new Error('boom from onProgress');
      let calls = 0;
      const onProgress = (p: { iteration: number }) => {
        calls++;
        if (p.iteration === 20) throw boom;
      };
      await expect(model.fit(X, y, { onProgress })).rejects.toBe(boom);
      // The callback is not called again after it threw: the fit stops.
      expect(calls).toBe(3);
      expect(model.busy).toBe(false);
      calls = 0;
      expect(() => model.fitSync(X, y, { onProgress })).toThrow(boom);
      expect(calls).toBe(3);
      expect(model.busy).toBe(false);
    });

    it('predictions while fit runs use the previous parameters, bit for bit; the new ones after it settles', async () => {
      const A = randomLogisticData(41, 200, 64);
      const query = randomLogisticData(42, 50, 64).X;
      const iterations = iterationsFor(backend, 1000);
      const model = new LogisticRegression({ backend, iterations, learningRate: 0.1, recordEvery: iterations });
      model.fitSync(A.X, A.y);
      const before = model.predictProbaSync(query).data;
      const wBefore = model.weights, bBefore = model.bias;
      // A second fit on other data (BIG: other labels), continuing from the current parameters.
      const job = model.fit(BIG.X, BIG.y, { warmStart: true });
      expect(sameBits(model.predictProbaSync(query).data, before)).toBe(true);
      await sleep(30);
      expect(model.busy).toBe(true); // still running: the checks below are made during the fit
      expect(sameBits(model.predictProbaSync(query).data, before)).toBe(true);
      expect(sameBits(model.weights, wBefore)).toBe(true);
      expect(Object.is(model.bias, bBefore)).toBe(true);
      // An async prediction started during the fit answers from the parameters at its call, even if
      // the fit settles before it does (on the reference backend it may start a second worker).
      const during = model.predictProba(query);
      expect(sameBits((await during).data, before)).toBe(true);
      await job;
      // After the fit the model answers from the new parameters.
      expect(sameBits(model.predictProbaSync(query).data, before)).toBe(false);
    });
  });
});

describe.each(BACKENDS)('fit copies its inputs, $backend backend', ({ backend, available }) => {
  it.skipIf(!available)('overwriting X and y right after fit() returns does not change the result', async () => {
    const { X, y } = randomLogisticData(8, 300, 5);
    const opts = { backend, iterations: 200, learningRate: 0.1, recordEvery: 50 };
    const expected = new LogisticRegression(opts);
    expected.fitSync(X, y);
    const model = new LogisticRegression(opts);
    const Xc = new Matrix(X.rows, X.cols, X.data.slice()), yc = y.slice();
    const job = model.fit(Xc, yc);
    Xc.data.fill(0);
    yc.fill(1);
    await job;
    expect(sameBits(model.weights, expected.weights)).toBe(true);
    expect(Object.is(model.bias, expected.bias)).toBe(true);
  });
});
