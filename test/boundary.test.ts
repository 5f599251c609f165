// The native boundary and the behaviours it promises: the guard maps every C++ exception to a
// coded error; jobs too large for memory are refused before allocating; options are own properties;
// fits own their inputs whatever a progress callback does; callbacks that throw anything fail the
// call; predictions that overflow in any layer are errors; teardown (worker terminate, process.exit)
// neither crashes nor waits; setThreads during a job is deferred; rejected calls change nothing.
// Scenarios that could take a process down run in child processes (test/helpers/child.ts).
import { describe, expect, it } from 'vitest';
import {
  BlasnetError, BlasnetRangeError, LogisticRegression, Matrix, NeuralNetwork, getThreads, info, setThreads, type BackendName,
} from '../lib/index.js';
import { nativeAddon, type NativeTrainConfig } from '../lib/native.js';
import { startState } from '../lib/train-state.js';
import { nativeConfig } from '../lib/training.js';
import type { TrainConfig } from '../lib/train-types.js';
import { pathToFileURL } from 'node:url';
import { DIST, runChild, report } from './helpers/child.js';
import { BACKENDS, HAS_NATIVE, randomLogisticData } from './helpers/data.js';
import { expectError, expectRejection } from './helpers/errors.js';

const addon = nativeAddon();

describe.skipIf(!HAS_NATIVE)('the native guard: every C++ exception becomes a coded error of the library\'s classes', () => {
  const cases: [string, string, typeof BlasnetError | typeof BlasnetRangeError][] = [
    ['bad_alloc', 'ERR_BLASNET_OUT_OF_MEMORY', BlasnetError],
    ['length_error', 'ERR_BLASNET_OUT_OF_MEMORY', BlasnetError],
    ['system_error', 'ERR_BLASNET_NATIVE', BlasnetError],
    ['runtime_error', 'ERR_BLASNET_NATIVE', BlasnetError],
    ['other', 'ERR_BLASNET_NATIVE', BlasnetError],
    ['failure', 'ERR_BLASNET_SHAPE', BlasnetRangeError],
  ];
  for (const [kind, code, cls] of cases) {
    it(`${kind}: thrown on the calling thread, in a thread-team member, and in an async job`, async () => {
      for (const where of ['sync', 'team'] as const) {
        let caught: unknown;
        try {
          addon!.guardSelfTest(kind, where);
        } catch (e) {
          caught = e;
        }
        expect(caught, `${kind} ${where}`).toBeInstanceOf(cls);
        expect((caught as BlasnetError).code).toBe(code);
      }
      await expect(addon!.guardSelfTest(kind, 'async')).rejects.toMatchObject({ code });
      await expect(addon!.guardSelfTest(kind, 'async')).rejects.toBeInstanceOf(cls);
    });
  }
});

describe.skipIf(!HAS_NATIVE)('the training state crosses the boundary checked: its buffers against θ\'s length and the optimizer, its counts as integers', () => {
  const n = 6, P = 2 * 3 + 3 + 3 * 1 + 1; // layers [2, 3, 1]
  const X = new Float64Array(n * 2).map((_, i) => Math.sin(i)), Y = Float64Array.from({ length: n }, (_, j) => j % 2);
  const theta = new Float64Array(P).fill(0.1);
  const base = (optimizer: TrainConfig['optimizer']): TrainConfig => ({
    epochs: 2, batchSize: 2, shuffle: true, shuffleSeed: 1, optimizer, learningRate: 0.1, beta: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8, l2: 0,
    recordEvery: 1, tolerance: 1e-6, lbfgsMemory: 10, earlyStopping: null, schedule: null, reduceOnPlateau: null, checkpointEvery: 0,
  });
  const config = (optimizer: TrainConfig['optimizer'], edit: (c: NativeTrainConfig) => void = () => {}): NativeTrainConfig => {
    const c = base(optimizer);
    const state = startState(null, c, false, P).state;
    state.epoch = 3;
    state.optimizer.steps = 7;
    const nc = nativeConfig(c, null, null, state);
    edit(nc);
    return nc;
  };
  const net = () => new addon!.NativeNet([2, 3, 1], [1, 0], [0, 0], 0);

  it('a valid state goes in and the state that goes with θ comes out, sync and async', async () => {
    const r = net().fitSync(theta, X, n, Y, config('adam'));
    expect(r.state.epoch).toBe(5);
    expect(r.state.steps).toBe(7 + 2 * 3);
    expect([r.state.m.length, r.state.v.length]).toEqual([P, P]);
    const a = await net().fit(theta, X, n, Y, config('adam'), undefined, new Int32Array(1));
    expect(a.state.m).toEqual(r.state.m);
    expect(net().fitSync(theta, X, n, Y, config('gd')).state.m).toHaveLength(0);
  });

  it('wrong lengths, types, detached buffers, buffers the optimizer has not, bad counts: coded errors naming the field', () => {
    const fit = (c: NativeTrainConfig) => () => net().fitSync(theta, X, n, Y, c);
    const withState = (optimizer: TrainConfig['optimizer'], s: Record<string, unknown>) => config(optimizer, (c) => Object.assign(c.state!, s));
    expectError(fit(withState('adam', { m: new Float64Array(P - 1) })), RangeError, 'ERR_BLASNET_SHAPE', `config.state.m must have ${P} elements`, `got ${P - 1}`);
    expectError(fit(withState('adam', { v: new Float64Array(P + 1) })), RangeError, 'ERR_BLASNET_SHAPE', 'config.state.v');
    expectError(fit(withState('momentum', { v: new Float64Array(P) })), RangeError, 'ERR_BLASNET_SHAPE', 'config.state.v must be undefined for this optimizer');
    expectError(fit(withState('gd', { m: new Float64Array(P) })), RangeError, 'ERR_BLASNET_SHAPE', 'config.state.m must be undefined for this optimizer');
    expectError(fit(withState('adam', { m: new Float32Array(P) })), TypeError, 'ERR_BLASNET_ARG_TYPE', 'config.state.m must be a Float64Array');
    const detached = new Float64Array(P);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    expectError(fit(withState('adam', { m: detached })), TypeError, 'ERR_BLASNET_DETACHED', 'config.state.m');
    expectError(fit(withState('adam', { epoch: -1 })), RangeError, 'ERR_BLASNET_ARG_RANGE', 'config.state.epoch must be an integer');
    expectError(fit(withState('adam', { steps: 1.5 })), RangeError, 'ERR_BLASNET_ARG_RANGE', 'config.state.steps');
    expectError(fit(withState('adam', { steps: NaN })), RangeError, 'ERR_BLASNET_ARG_RANGE', 'config.state.steps');
    expectError(fit(withState('adam', { earlyStopping: { has: 1, best: 0, wait: 0 } })), TypeError, 'ERR_BLASNET_ARG_TYPE', 'config.state.earlyStopping.bestEpoch is missing');
    expectError(fit(withState('adam', { reduceOnPlateau: { has: 0, best: 0, wait: 0, learningRate: 0 } })), RangeError, 'ERR_BLASNET_ARG_RANGE',
      'config.state.reduceOnPlateau.learningRate must be a finite number > 0');
    expectError(fit(config('adam', (c) => { (c as { state: unknown }).state = 5; })), TypeError, 'ERR_BLASNET_ARG_TYPE', 'config.state must be an object or undefined');
    // The logistic binding reads it through the same parser: θ = (w, b).
    const lc = config('momentum', (c) => { c.state!.m = new Float64Array(2); });
    expectError(() => addon!.logisticFitSync(new Float64Array(3), X, n, Y, lc), RangeError, 'ERR_BLASNET_SHAPE', 'config.state.m must have 3 elements');
  });
});

describe.skipIf(!HAS_NATIVE)('a fit from a data source takes its batches through the guarded boundary: deliver(batch) checks them', () => {
  const P = 2 * 3 + 3 + 3 * 1 + 1; // layers [2, 3, 1]
  const theta = new Float64Array(P).fill(0.1);
  const c: TrainConfig = {
    epochs: 1, batchSize: 0, shuffle: false, shuffleSeed: 1, optimizer: 'gd', learningRate: 0.1, beta: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8, l2: 0,
    recordEvery: 1, tolerance: 1e-6, lbfgsMemory: 10, earlyStopping: null, schedule: null, reduceOnPlateau: null, checkpointEvery: 0,
  };
  const config = () => nativeConfig(c, null, null, startState(null, c, false, P).state);
  const net = () => new addon!.NativeNet([2, 3, 1], [1, 0], [0, 0], 0);
  const X = Float64Array.of(1, 2, 3, 4), Y = Float64Array.of(0, 1);

  it('wrong lengths, types, detached buffers and bad counts are coded errors naming the field; a delivery nobody waits for returns false', () => {
    const bad: [unknown, ErrorConstructor, string, string][] = [
      [{ X, Y, n: 3 }, RangeError, 'ERR_BLASNET_SHAPE', 'batch.X must have 6 elements'],
      [{ X, Y: Float64Array.of(0), n: 2 }, RangeError, 'ERR_BLASNET_SHAPE', 'batch.Y must have 2 elements'],
      [{ X, Y, n: 2, weight: Float64Array.of(1) }, RangeError, 'ERR_BLASNET_SHAPE', 'batch.weight must have 2 elements'],
      [{ X: [1, 2, 3, 4], Y, n: 2 }, TypeError, 'ERR_BLASNET_ARG_TYPE', 'batch.X must be a Float64Array'],
      [{ X, Y, n: 0 }, RangeError, 'ERR_BLASNET_ARG_RANGE', 'batch.n must be an integer in [1'],
      [{ X, Y, n: 1.5 }, RangeError, 'ERR_BLASNET_ARG_RANGE', 'batch.n'],
      [42, TypeError, 'ERR_BLASNET_ARG_TYPE', 'batch must be { X, Y, weight?, n }'],
      [true, TypeError, 'ERR_BLASNET_ARG_TYPE', 'batch must be'],
    ];
    const detached = new Float64Array(4);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    bad.push([{ X: detached, Y, n: 2 }, TypeError, 'ERR_BLASNET_DETACHED', 'batch.X is backed by a detached ArrayBuffer']);
    for (const [item, cls, code, message] of bad) {
      const errors: unknown[] = [];
      const r = net().fitStreamSync(theta, config(), {
        batch: (epoch, deliver) => {
          try {
            deliver(item as never);
          } catch (e) {
            errors.push(e);
            deliver(false);
          }
        },
      }, new Int32Array(1));
      expect(r.status, message).toBe('aborted');
      expectError(() => { throw errors[0]; }, cls as never, code, message);
    }
    // A good batch, then the end: one epoch, one step; a second answer to one request is refused.
    let late: ((b: null) => boolean) | null = null;
    const r = net().fitStreamSync(theta, config(), {
      batch: (epoch, deliver) => {
        expect(deliver(epoch >= 0 ? { X, Y, n: 2 } : null)).toBe(true);
        expect(deliver(null)).toBe(false);
        late = deliver;
      },
    }, new Int32Array(1));
    expect([r.status, r.epochs, r.steps]).toEqual(['ok', 1, 1]);
    expect(late!(null)).toBe(false);
    expectError(() => net().fitStreamSync(new Float64Array(P - 1), config(), {}, new Int32Array(1)), RangeError, 'ERR_BLASNET_SHAPE', 'theta must have');
  });
});

describe('jobs too large for memory are refused before anything is allocated (ERR_BLASNET_OUT_OF_MEMORY, naming the bytes)', () => {
  const { X, y } = randomLogisticData(1, 50, 3);
  for (const { backend, available } of BACKENDS) {
    it.skipIf(!available)(`${backend}: logistic iterations 1e15 recorded every iteration, sync and async`, async () => {
      const lr = new LogisticRegression({ iterations: 1e15, recordEvery: 1, backend });
      expectError(() => lr.fitSync(X, y), BlasnetError, 'ERR_BLASNET_OUT_OF_MEMORY', /needs .*PiB/, 'recordEvery');
      await expectRejection(() => lr.fit(X, y), BlasnetError, 'ERR_BLASNET_OUT_OF_MEMORY', 'bytes');
      expect(lr.busy).toBe(false);
      // The model still works after the refusal.
      const ok = new LogisticRegression({ iterations: 20, backend });
      expect(ok.fitSync(X, y).epochs).toBe(20);
    });

    it.skipIf(!available)(`${backend}: a full-batch fit of 2 000 000 × 2 through a 4 096-unit layer, and costAndGradients on it`, async () => {
      const big = new Matrix(2_000_000, 2);  // 32 MB of inputs; the activations would need ~200 GB
      const Y = Float64Array.from({ length: 2_000_000 }, (_, i) => i % 2);  // two labels: a binary classifier
      const net = new NeuralNetwork({ layers: [2, 4096, 1], backend });
      expectError(() => net.fitSync(big, Y, { epochs: 1, batchSize: 0 }), BlasnetError, 'ERR_BLASNET_OUT_OF_MEMORY', 'batchSize', 'GiB');
      await expectRejection(() => net.fit(big, Y, { epochs: 1, batchSize: 0 }), BlasnetError, 'ERR_BLASNET_OUT_OF_MEMORY');
      expectError(() => net.costAndGradients(big, Y), BlasnetError, 'ERR_BLASNET_OUT_OF_MEMORY');
      expect(net.busy).toBe(false);
    });
  }
});

it('a Matrix of zeros too large for memory: ERR_BLASNET_OUT_OF_MEMORY, not an allocation failure', () => {
  expectError(() => new Matrix(1e6, 1e6), BlasnetError, 'ERR_BLASNET_OUT_OF_MEMORY', '1000000 × 1000000', 'bytes');
});

describe('options are read as own properties only', () => {
  it('a polluted Object.prototype reaches neither model (child process)', async () => {
    const r = await runChild(`
      const X = blasnet.Matrix.from([[0, 0], [0, 1], [1, 0], [1, 1]]), y = [0, 1, 1, 1];
      const out = {};
      const run = (backend) => {
        const lr = new blasnet.LogisticRegression({ backend });
        const fit = lr.fitSync(X, y);
        const net = new blasnet.NeuralNetwork({ layers: [2, 3, 1], backend });
        const nfit = net.fitSync(X, y);
        return { epochs: fit.epochs, costs: fit.costs.length, options: JSON.stringify(lr.trainingOptions), netEpochs: nfit.epochs, netCosts: nfit.costs };
      };
      for (const backend of ['native', 'reference']) {
        if (backend === 'native' && blasnet.info().backend !== 'native') continue;
        const clean = run(backend);
        Object.prototype.iterations = 1e15;
        Object.prototype.epochs = 1e15;
        Object.prototype.learningRate = -1;
        Object.prototype.recordEvery = 1;
        Object.prototype.earlyStopping = { patience: 1 };
        Object.prototype.batchSize = 1;
        try {
          out[backend] = { clean, polluted: run(backend) };
        } finally {
          delete Object.prototype.iterations; delete Object.prototype.epochs;
          delete Object.prototype.learningRate; delete Object.prototype.recordEvery;
          delete Object.prototype.earlyStopping; delete Object.prototype.batchSize;
        }
      }
      console.log(JSON.stringify(out));`);
    const out = report<Record<string, { clean: Record<string, unknown>; polluted: Record<string, unknown> }>>(r);
    for (const v of Object.values(out)) {
      // The defaults: 2000 gd epochs recorded every 100 (logistic regression); no constructor options.
      expect(v.polluted).toMatchObject({ epochs: 2000, costs: 20, options: '{}' });
      // The network: the same fit as without the pollution (its defaults: at most 200 epochs).
      expect(v.polluted).toEqual(v.clean);
      expect(v.polluted.netEpochs as number).toBeLessThanOrEqual(200);
    }
    expect(Object.keys(out)).toContain('reference');
  });

  it('a getter is read once, and a Proxy or a throwing getter cannot smuggle a value past the checks', () => {
    let reads = 0;
    const opts = { get learningRate() { reads++; return reads === 1 ? 0.1 : -1; } };
    const lr = new LogisticRegression({ ...{}, ...Object.defineProperties({}, Object.getOwnPropertyDescriptors(opts)), backend: 'reference' });
    expect(lr.trainingOptions.learningRate).toBe(0.1);
    expect(() => new LogisticRegression({ get iterations(): number { throw new Error('getter'); } } as never)).toThrow('getter');
  });
});

/** What a progress callback may do to the caller's buffers. */
const MISCHIEF: Record<string, string> = {
  transfer: 'structuredClone(X.data.buffer, { transfer: [X.data.buffer] }); structuredClone(Yb, { transfer: [Yb] }); globalThis.gc();',
  overwrite: 'X.data.fill(1e300); Yv.fill(0.5); globalThis.gc();',
  shrink: 'rx.resize(0); ry.resize(0); globalThis.gc();',
};

describe('a synchronous fit owns its inputs: whatever onProgress does to them, the result is the untouched one (child processes)', () => {
  for (const [what, act] of Object.entries(MISCHIEF)) {
    for (const model of ['logistic', 'network']) {
      it(`${model}, ${what} the buffers from onProgress + GC, both backends`, async () => {
        const r = await runChild(`
          const n = 400, m = 6;
          const make = (resizable) => {
            const rx = resizable ? new ArrayBuffer(n * m * 8, { maxByteLength: n * m * 8 }) : new ArrayBuffer(n * m * 8);
            const ry = resizable ? new ArrayBuffer(n * 8, { maxByteLength: n * 8 }) : new ArrayBuffer(n * 8);
            const X = new blasnet.Matrix(n, m, new Float64Array(rx)), Yv = new Float64Array(ry);
            for (let i = 0; i < n * m; i++) X.data[i] = Math.sin(i * 0.37);
            for (let j = 0; j < n; j++) Yv[j] = X.data[j * m] + X.data[j * m + 1] > 0 ? 1 : 0;
            return { rx, ry, X, Yv, Yb: ry };
          };
          const out = {};
          for (const backend of ['native', 'reference']) {
            if (backend === 'native' && blasnet.info().backend !== 'native') continue;
            const fit = (mischief) => {
              const { rx, ry, X, Yv, Yb } = make(${what === 'shrink'});
              const model = ${model === 'logistic'}
                ? new blasnet.LogisticRegression({ learningRate: 0.5, iterations: 30, recordEvery: 1, backend })
                : new blasnet.NeuralNetwork({ layers: [m, 5, 1], hidden: 'tanh', seed: 3, backend });
              let calls = 0;
              const onProgress = () => { if (mischief && calls++ === 2) { ${act} } };
              const r = ${model === 'logistic'} ? model.fitSync(X, Yv, { onProgress })
                : model.fitSync(X, Yv, { optimizer: 'gd', batchSize: 0, earlyStopping: false, epochs: 30, learningRate: 0.5, onProgress });
              return { costs: r.costs, params: ${model === 'logistic'} ? Array.from(model.weights) : Array.from(model.parameters.W[0]) };
            };
            out[backend] = { clean: fit(false), mischief: fit(true) };
          }
          console.log(JSON.stringify(out));`);
        expect(r.signal, r.stderr).toBeNull();
        expect(r.code, r.stderr).toBe(0);
        const out = report<Record<string, { clean: unknown; mischief: unknown }>>(r);
        for (const [backend, v] of Object.entries(out)) expect(v.mischief, backend).toEqual(v.clean);
      });
    }
  }
});

describe('a callback that throws anything fails the call that ran it', () => {
  const { X, y } = randomLogisticData(2, 60, 3);
  for (const { backend, available } of BACKENDS) {
    for (const thrown of [42, 'a string', undefined, null, new RangeError('an Error')]) {
      it.skipIf(!available)(`${backend}: onProgress throws ${String(thrown)}; fitSync throws it, fit rejects with it, both models`, async () => {
        const onProgress = () => { throw thrown; };
        const lr = new LogisticRegression({ iterations: 50, recordEvery: 1, backend });
        expect(() => lr.fitSync(X, y, { onProgress })).toThrow();
        try { lr.fitSync(X, y, { onProgress }); } catch (e) { expect(e).toBe(thrown); }
        await lr.fit(X, y, { onProgress }).then(() => { throw new Error('resolved'); }, (e: unknown) => expect(e).toBe(thrown));
        const net = new NeuralNetwork({ layers: [3, 4, 1], backend });
        try { net.fitSync(X, y, { epochs: 20, onProgress }); throw new Error('returned'); } catch (e) { expect(e).toBe(thrown); }
        await net.fit(X, y, { epochs: 20, onProgress }).then(() => { throw new Error('resolved'); }, (e: unknown) => expect(e).toBe(thrown));
        expect(lr.busy || net.busy).toBe(false);
      });
    }
  }
});

describe('predictions that overflow in any layer are errors naming the layer, never Infinity/NaN results', () => {
  for (const { backend, available } of BACKENDS) {
    it.skipIf(!available)(`${backend}: relu and linear hidden layers, softmax logits of +∞, sync and async, predictProba and score too`, async () => {
      const X = Matrix.from([[1, 2], [3, 4]]);
      for (const hidden of ['relu', 'linear'] as const) {
        const net = new NeuralNetwork({ layers: [2, 3, 3, 1], hidden, output: 'sigmoid', backend });
        // Layer 1 finite (1e200), layer 2 overflows (1e200 · 1e200 · 3).
        net.setParameters({ W: [new Array(6).fill(1e200), new Array(9).fill(1e200), [1, 1, 1]], b: [[0, 0, 0], [0, 0, 0], [0]] });
        expectError(() => net.predictSync(X), RangeError, 'ERR_BLASNET_NOT_FINITE', 'layer 2');
        await expectRejection(() => net.predict(X), RangeError, 'ERR_BLASNET_NOT_FINITE', 'layer 2');
        expectError(() => net.predictProbaSync(X), RangeError, 'ERR_BLASNET_NOT_FINITE', 'layer 2');
        await expectRejection(() => net.predictProba(X), RangeError, 'ERR_BLASNET_NOT_FINITE', 'layer 2');
        expectError(() => net.scoreSync(X, [0, 1]), RangeError, 'ERR_BLASNET_NOT_FINITE');
      }
      const soft = new NeuralNetwork({ layers: [2, 3], output: 'softmax', backend });
      soft.setParameters({ W: [[1e308, 1e308, 0, 0, 0, 0]], b: [[0, 0, 0]] });
      expectError(() => soft.predictSync(X), RangeError, 'ERR_BLASNET_NOT_FINITE', 'layer 1');
      await expectRejection(() => soft.predict(X), RangeError, 'ERR_BLASNET_NOT_FINITE', 'layer 1');
      expectError(() => soft.predictProbaSync(X), RangeError, 'ERR_BLASNET_NOT_FINITE', 'layer 1');
    });

    it.skipIf(!available)(`${backend}: logistic regression whose w·x is ∞ − ∞ (NaN) is an error, never scored as correct`, async () => {
      const lr = new LogisticRegression({ backend });
      lr.setParameters({ weights: [1e308, 1e308], bias: 0 });
      const X = Matrix.from([[10, -10], [0, 0]]);
      expectError(() => lr.predictProbaSync(X), RangeError, 'ERR_BLASNET_NOT_FINITE', 'row 0');
      expectError(() => lr.scoreSync(X, [0, 0]), RangeError, 'ERR_BLASNET_NOT_FINITE');
      await expectRejection(() => lr.score(X, [0, 0]), RangeError, 'ERR_BLASNET_NOT_FINITE');
    });
  }
});

describe('teardown: a terminated worker or an exiting process neither crashes nor waits for the job (child processes)', () => {
  // what: 'fit', 'fitSync', or 'predict' (a stream of async predictions, each reading the model's θ in place).
  const body = (mode: string, what: 'fit' | 'fitSync' | 'predict') => `
    import { Worker } from 'node:worker_threads';
    import { writeFileSync } from 'node:fs';
    const src = \`
      import { parentPort, workerData } from 'node:worker_threads';
      const blasnet = await import(workerData.dist);
      const n = 2000, X = new blasnet.Matrix(n, 20), y = new Float64Array(n);
      for (let i = 0; i < n * 20; i++) X.data[i] = Math.sin(i);
      for (let i = 0; i < n; i++) y[i] = i % 2;
      const net = new blasnet.NeuralNetwork({ layers: [20, 256, 1], seed: 1, backend: workerData.backend });
      net.setParameters(net.parameters);  // fitted, so that predictions run
      parentPort.postMessage('start');
      if (workerData.what === 'fitSync') net.fitSync(X, y, { epochs: 1e6, earlyStopping: false, onProgress: () => {} });
      else if (workerData.what === 'fit') await net.fit(X, y, { epochs: 1e6, earlyStopping: false, onProgress: () => {} });
      else for (;;) await net.predict(X);\`;
    const file = new URL('./worker.mjs', import.meta.url);
    writeFileSync(file, src);
    const backend = blasnet.info().backend;
    const w = new Worker(file, { workerData: { dist: ${JSON.stringify(pathToFileURL(DIST).href)}, what: ${JSON.stringify(what)}, backend } });
    w.on('message', () => setTimeout(() => {
      const t = performance.now();
      ${mode === 'terminate'
        ? "w.terminate().then(() => console.log(JSON.stringify({ ms: performance.now() - t })));"
        : "process.exit(0);"}
    }, 300));`;
  for (const what of ['fit', 'fitSync', 'predict'] as const) {
    it(`worker.terminate() during ${what === 'predict' ? 'a stream of async predictions' : what}: the process survives and the worker stops`, async () => {
      // The child's own time limit catches a terminate that waits for the job (a job of 1e6 epochs);
      // how long terminate takes is a measurement, not an assertion (printed here).
      const r = await runChild(body('terminate', what), { timeoutMs: 60_000 });
      expect(r.signal, r.stderr).toBeNull();
      expect(r.code, r.stderr).toBe(0);
      console.log(`terminate during ${what}: ${report<{ ms: number }>(r).ms.toFixed(1)} ms`);
    });
  }

  it('process.exit() while an async fit runs exits at once (not when the 1e6-epoch fit would end)', async () => {
    const r = await runChild(`
      const n = 2000, X = new blasnet.Matrix(n, 20), y = new Float64Array(n);
      for (let i = 0; i < n * 20; i++) X.data[i] = Math.sin(i);
      for (let i = 0; i < n; i++) y[i] = i % 2;
      for (const backend of blasnet.info().backend === 'native' ? ['native', 'reference'] : ['reference']) {
        new blasnet.NeuralNetwork({ layers: [20, 256, 1], seed: 1, backend }).fit(X, y, { epochs: 1e6, earlyStopping: false });
      }
      setTimeout(() => { console.log(JSON.stringify({ t: Date.now() })); process.exit(0); }, 500);`, { timeoutMs: 60_000 });
    // A job that kept the process alive would run for hours: the child's 60 s limit would kill it, and
    // the exit code would not be 0. How long the exit takes is printed, not asserted.
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    const { t } = report<{ t: number }>(r);
    console.log(`process.exit during async fits: gone ${Date.now() - t} ms after the call`);
  });
});

describe.skipIf(!HAS_NATIVE)('setThreads while a job runs applies to the next jobs', () => {
  it('is deferred until the running fit ends; the fit is bit-identical to one at the old count', async () => {
    const before = getThreads();
    const { X, y } = randomLogisticData(3, 3000, 30);
    try {
      setThreads(1);
      const reference = await new NeuralNetwork({ layers: [30, 64, 1], seed: 5 }).fit(X, y, { epochs: 40, batchSize: 256 });
      const net = new NeuralNetwork({ layers: [30, 64, 1], seed: 5 });
      const job = net.fit(X, y, { epochs: 40, batchSize: 256 });
      setThreads(2);
      expect(getThreads()).toBe(2);  // the request, reported at once
      const r = await job;
      expect(r.costs).toEqual(reference.costs);
      expect(info().threads).toBe(2);  // in force once no job runs
    } finally {
      setThreads(before);
    }
  });
});

describe('a rejected call changes nothing: the next fit equals the fit it would have been', () => {
  for (const { backend, available } of BACKENDS) {
    it.skipIf(!available)(`${backend}: a busy fit and a fit with a bad option do not move the shuffle stream`, async () => {
      const { X, y } = randomLogisticData(4, 200, 4);
      const opts = { layers: [4, 5, 1], seed: 9, backend: backend as BackendName };
      // warmStart: each fit continues the last, so the shuffle stream is what the comparison sees.
      const fit = { epochs: 3, batchSize: 32, warmStart: true };
      const a = new NeuralNetwork(opts), b = new NeuralNetwork(opts);
      a.fitSync(X, y, fit);
      b.fitSync(X, y, fit);
      expect(() => b.fitSync(X, y, { ...fit, learningRate: -1 })).toThrow(RangeError);
      const running = b.fit(X, y, fit);
      await expect(b.fit(X, y, fit)).rejects.toMatchObject({ code: 'ERR_BLASNET_BUSY' });
      await running;
      a.fitSync(X, y, fit);
      expect(b.parameters).toEqual(a.parameters);
    });
  }
});
