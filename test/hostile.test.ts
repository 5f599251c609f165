// Regression tests for hostile and careless uses of the API (inputs, callbacks and teardown that
// could take a process down or hang it): each scenario runs in its own child process
// (test/fuzz/scenario.ts), so an abort (134), a segfault (139), an OOM kill or a hang is reported
// with the scenario's name. Each asserts the documented outcome: a specific error code, a prompt
// exit, or the result the same call has without the hostility.
import { describe, expect, it } from 'vitest';
import { cleanResult, howItEnded, runScenario } from './fuzz/scenario.js';
import { HAS_NATIVE } from './helpers/data.js';

const BACKENDS = [
  { backend: 'native', skip: !HAS_NATIVE },
  { backend: 'reference', skip: false },
];
const T = 60_000;

/** The error codes a caller can rely on (lib/errors.ts ErrorCode). */
const oom = 'ERR_BLASNET_OUT_OF_MEMORY';


/** Every outcome of a scenario is either a result with nothing non-finite in it or a documented ERR_BLASNET_ code. */
function expectFiniteOrCoded(out: Record<string, Record<string, unknown>>): void {
  for (const [k, o] of Object.entries(out)) {
    if (o.ok) expect(JSON.stringify(o.value), k).not.toMatch(/"finite":false/);
    else expect(o.code, `${k}: ${JSON.stringify(o)}`).toMatch(/^ERR_BLASNET_/);
  }
}

describe.each(BACKENDS)('$backend backend', ({ backend, skip }) => {
  // ── Aborts: std::bad_alloc in synchronous paths ─────────────────────────────────────────────
  it.skipIf(skip).concurrent('LogisticRegression({ iterations: 1e15, recordEvery: 1 }).fitSync is refused with ERR_BLASNET_OUT_OF_MEMORY, and fit() rejects the same; the process keeps working', async () => {
    const r = await runScenario('logistic 1e15 recorded iterations', `
      const { X, y } = data(20, 3);
      const m = new LogisticRegression({ iterations: 1e15, recordEvery: 1, backend: BACKEND });
      const sync = await outcome(() => m.fitSync(X, y));
      const async_ = await outcome(() => m.fit(X, y));
      const after = await outcome(() => new LogisticRegression({ iterations: 50, backend: BACKEND }).fitSync(X, y));
      report({ sync, async_, after });
    `, { backend });
    const out = cleanResult(r) as Record<string, Record<string, unknown>>;
    expect(out.sync!.code, JSON.stringify(out.sync)).toBe(oom);
    expect(out.sync!.message).toMatch(/bytes/);
    expect(out.async_!.code, JSON.stringify(out.async_)).toBe(oom);
    expect(out.after!.ok).toBe(true);
  }, T);

  it.skipIf(skip).concurrent('a full-batch fit of 2 000 000 × 2 through a 4 096-unit layer is refused with ERR_BLASNET_OUT_OF_MEMORY naming the bytes (fitSync, fit, costAndGradients)', async () => {
    const r = await runScenario('network activations that do not fit in memory', `
      const n = 2_000_000;
      const X = new Matrix(n, 2), y = new Float64Array(n);
      for (let i = 0; i < n; i++) { X.data[2 * i] = (i % 7) / 7; X.data[2 * i + 1] = (i % 5) / 5; y[i] = i % 2; }
      const net = new NeuralNetwork({ layers: [2, 4096, 1], backend: BACKEND });
      const fitSync = await outcome(() => net.fitSync(X, y, { epochs: 1, batchSize: 0 }));
      const fit = await outcome(() => net.fit(X, y, { epochs: 1, batchSize: 0 }));
      const grads = await outcome(() => net.costAndGradients(X, y));
      net.setParameters(net.parameters); // fitted, with the initial parameters: predictions run
      const after = await outcome(() => net.predictSync(new Matrix(3, 2)));
      report({ fitSync, fit, grads, after });
    `, { backend, timeoutMs: 50_000 });
    const out = cleanResult(r) as Record<string, Record<string, unknown>>;
    for (const k of ['fitSync', 'fit', 'grads']) {
      expect(out[k]!.code, `${k}: ${JSON.stringify(out[k])}`).toBe(oom);
      expect(out[k]!.message, k).toMatch(/\d.*bytes/);
    }
    expect(out.after!.ok).toBe(true);
  }, T);

  it.skipIf(skip).concurrent('options are read as own properties: a polluted Object.prototype (iterations 1e15, epochs 1e12, …) changes nothing', async () => {
    const r = await runScenario('polluted Object.prototype', `
      const { X, y } = data(16, 3);
      const clean = { lr: new LogisticRegression({ backend: BACKEND }).fitSync(X, y), net: new NeuralNetwork({ layers: [3, 4, 1], backend: BACKEND }).fitSync(X, y) };
      // Warm the reference backend's worker pool first: Node's own Worker constructor reads
      // options.signal through the prototype, which no library can prevent.
      await new LogisticRegression({ backend: BACKEND }).fit(X, y);
      await new NeuralNetwork({ layers: [3, 4, 1], backend: BACKEND }).fit(X, y);
      const P = Object.prototype;
      Object.assign(P, { iterations: 1e15, recordEvery: 1, learningRate: -1, epochs: 1e12, batchSize: 0.5, onProgress: 42, signal: 'x',
        optimizer: 'sgd', l2: NaN, warmStart: 'yes', layers: [1e7, 1e7], hidden: 'bogus', seed: -1, backend: 'bogus', testFraction: 7,
        earlyStopping: 'bogus', validationSplit: 2, classWeight: 'bogus', standardizeTargets: 'bogus', shuffle: 'bogus', solver: 'sgd' });
      const lr = await outcome(() => new LogisticRegression({ backend: BACKEND }).fitSync(X, y));
      const lrAsync = await outcome(() => new LogisticRegression({ backend: BACKEND }).fit(X, y));
      const net = await outcome(() => new NeuralNetwork({ layers: [3, 4, 1], backend: BACKEND }).fitSync(X, y));
      const netAsync = await outcome(() => new NeuralNetwork({ layers: [3, 4, 1], backend: BACKEND }).fit(X, y, {}));
      const lrCosts = lr.ok ? new LogisticRegression({ backend: BACKEND }).fitSync(X, y).costs : null;
      for (const k of ['iterations', 'recordEvery', 'learningRate', 'epochs', 'batchSize', 'onProgress', 'signal', 'optimizer', 'l2', 'warmStart', 'layers', 'hidden', 'seed', 'backend', 'testFraction',
        'earlyStopping', 'validationSplit', 'classWeight', 'standardizeTargets', 'shuffle', 'solver']) delete P[k];
      report({ lr, lrAsync, net, netAsync, same: lrCosts !== null && JSON.stringify(lrCosts) === JSON.stringify(clean.lr.costs), cleanEpochs: clean.lr.epochs, cleanNetEpochs: clean.net.epochs, cleanNetReason: clean.net.reason });
    `, { backend });
    const out = cleanResult(r) as Record<string, Record<string, unknown>>;
    for (const k of ['lr', 'lrAsync', 'net', 'netAsync']) expect(out[k]!.ok, `${k}: ${JSON.stringify(out[k])}`).toBe(true);
    // The defaults, not the prototype's values: logistic regression 2000 gd epochs; a network up to
    // 200 Adam epochs with early stopping on the training cost (so: the clean run's count).
    expect((out.lr!.value as Record<string, unknown>).epochs).toBe(2000);
    expect(out.cleanEpochs).toBe(2000);
    const netEpochs = (out.net!.value as Record<string, unknown>).epochs;
    expect(netEpochs).toBe(out.cleanNetEpochs);
    expect((out.netAsync!.value as Record<string, unknown>).epochs).toBe(out.cleanNetEpochs);
    expect(netEpochs === 200 || out.cleanNetReason === 'early-stopping', JSON.stringify(out)).toBe(true);
    expect(out.same).toBe(true);
  }, T);

  // ── Segfaults: onProgress takes the caller's buffers away during a synchronous fit ─────────────
  for (const model of ['logistic', 'network'] as const) {
    for (const target of ['X', 'Y'] as const) {
      for (const action of ['transfer', 'shrink', 'overwrite'] as const) {
        it.skipIf(skip).concurrent(`${model} fitSync: onProgress does "${action}" to ${target}'s buffer, then GC: the result it would have had, or a clear error`, async () => {
          const r = await runScenario(`${model} fitSync, onProgress ${action}s ${target}`, `
            const n = 400, m = 8;
            const base = data(n, m, 3);
            // The caller's arrays live on resizable buffers so that "shrink" can shrink them.
            const mk = (src) => { const b = new ArrayBuffer(src.byteLength, { maxByteLength: src.byteLength }); const a = new Float64Array(b); a.set(src); return a; };
            const make = () => {
              const X = new Matrix(n, m, mk(base.X.data)), y = mk(base.y);
              const model = ${JSON.stringify(model)} === 'logistic'
                ? new LogisticRegression({ iterations: 300, recordEvery: 1, learningRate: 0.5, backend: BACKEND })
                : new NeuralNetwork({ layers: [m, 16, 1], hidden: 'tanh', seed: 2, backend: BACKEND });
              return { X, y, model };
            };
            const run = (model, X, y, onProgress) => ${JSON.stringify(model)} === 'logistic'
              ? model.fitSync(X, y, { onProgress })
              : model.fitSync(X, y, { optimizer: 'gd', batchSize: 0, earlyStopping: false, epochs: 300, learningRate: 0.5, onProgress });
            const params = (model) => ${JSON.stringify(model)} === 'logistic' ? bits([...model.weights, model.bias]) : bits(model.parameters.W.flatMap((w) => [...w]));
            const a = make();
            const expected = run(a.model, a.X, a.y, () => {});
            const b = make();
            const victim = ${JSON.stringify(target)} === 'X' ? b.X.data : b.y;
            let done = false;
            const got = await outcome(() => run(b.model, b.X, b.y, () => {
              if (done) return;
              done = true;
              const action = ${JSON.stringify(action)};
              if (action === 'transfer') structuredClone(victim.buffer, { transfer: [victim.buffer] });
              else if (action === 'shrink') victim.buffer.resize(0);
              else victim.fill(NaN);
              for (let k = 0; k < 20; k++) { globalThis.gc(); new Float64Array(n * m).fill(1e300); }
            }));
            report({ got, same: got.ok ? JSON.stringify(got.value) === JSON.stringify(summarize(expected)) && params(a.model) === params(b.model) : null });
          `, { backend });
          const out = cleanResult(r) as { got: Record<string, unknown>; same: boolean | null };
          if (out.got.ok) expect(out.same, 'completed, so with the same costs and parameters as without the callback\'s action').toBe(true);
          else {
            expect(out.got.code, JSON.stringify(out.got)).toMatch(/^ERR_BLASNET_/);
            expect(out.got.code, 'the action is not a divergence').not.toBe('ERR_BLASNET_DIVERGED');
          }
        }, T);
      }
    }
  }

  // ── Aborts in worker_threads: terminate() during a fit ─────────────────────────────────────────
  for (const model of ['logistic', 'network'] as const) {
    for (const method of ['fit', 'fitSync with onProgress', 'fitSync', 'fit, then process.exit() in the worker'] as const) {
      it.skipIf(skip).concurrent(`a worker terminated during a ${model} ${method} leaves the process running`, async () => {
        const r = await runScenario(`worker terminate() during ${model} ${method}`, `
          const { Worker } = await import('node:worker_threads');
          const code = \`
            (async () => {
              const { parentPort } = await import('node:worker_threads');
              const { LogisticRegression, NeuralNetwork, Matrix } = await import(process.env.BLASNET_DIST);
              const n = 3000, m = 20, X = new Matrix(n, m), y = new Float64Array(n);
              for (let i = 0; i < n * m; i++) X.data[i] = Math.sin(i);
              for (let i = 0; i < n; i++) y[i] = i % 2;
              const method = ${JSON.stringify(method)};
              // Without a callback nothing can stop a native loop from the outside: keep that fit to a few seconds.
              const bounded = method === 'fitSync';
              const model = ${JSON.stringify(model)} === 'logistic'
                ? new LogisticRegression({ iterations: bounded ? 20000 : 1e7, recordEvery: 10, backend: process.env.BLASNET_BACKEND })
                : new NeuralNetwork({ layers: [m, 64, 1], backend: process.env.BLASNET_BACKEND });
              const opts = () => (${JSON.stringify(model)} === 'logistic' ? {} : { optimizer: 'gd', batchSize: 0, earlyStopping: false, epochs: bounded ? 200 : 1e7 });
              let told = false;
              const onProgress = () => { if (!told) { told = true; parentPort.postMessage('started'); } };
              if (method === 'fit') { const p = model.fit(X, y, { ...opts(), onProgress }); p.catch(() => {}); }
              else if (method.startsWith('fit, then')) { const p = model.fit(X, y, { ...opts(), onProgress: () => { onProgress(); setTimeout(() => process.exit(3), 20); } }); p.catch(() => {}); }
              else if (method === 'fitSync') { parentPort.postMessage('started'); model.fitSync(X, y, opts()); }
              else model.fitSync(X, y, { ...opts(), onProgress });
            })();
          \`;
          const w = new Worker(code, { eval: true, env: { ...process.env, BLASNET_DIST: DIST, BLASNET_BACKEND: BACKEND } });
          await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
          await new Promise((r) => setTimeout(r, 50));
          const exitCode = await w.terminate();
          // The process still works: a fit on this thread completes.
          const { X, y } = data(20, 3);
          const after = await outcome(() => new LogisticRegression({ iterations: 20, backend: BACKEND }).fit(X, y));
          report({ exitCode, after });
        `, { backend, timeoutMs: 45_000 });
        const out = cleanResult(r) as Record<string, Record<string, unknown>>;
        expect(out.after!.ok, JSON.stringify(out.after)).toBe(true);
      }, T);
    }
  }

  // ── Hangs ──────────────────────────────────────────────────────────────────────────────────────
  it.skipIf(skip).concurrent('process.exit() during a long async fit exits at once (the child must end within 15 s of a fit that would take minutes)', async () => {
    const r = await runScenario('process.exit during an async fit', `
      const n = 4000, m = 64, X = new Matrix(n, m), y = new Float64Array(n);
      for (let i = 0; i < n * m; i++) X.data[i] = Math.sin(i);
      for (let i = 0; i < n; i++) y[i] = i % 2;
      const net = new NeuralNetwork({ layers: [m, 256, 256, 1], backend: BACKEND });
      let started = false;
      net.fit(X, y, { epochs: 1e6, earlyStopping: false, onProgress: () => { started = true; } }).catch(() => {});
      setTimeout(() => { report({ exiting: true, started }); process.exit(0); }, 500);
    `, { backend, timeoutMs: 15_000 });
    expect(cleanResult(r).exiting).toBe(true);
  }, T);

  for (const shape of ['a cycle', 'shared sub-objects (a DAG of depth 60)', 'nesting 100 000 deep'] as const) {
    for (const model of ['network', 'logistic'] as const) {
      it.skipIf(skip).concurrent(`${model} fromJSON on JSON with ${shape} is rejected at once with ERR_BLASNET_FORMAT`, async () => {
        const r = await runScenario(`${model} fromJSON with ${shape}`, `
          const { X, y } = data(8, 2);
          const m = ${JSON.stringify(model)} === 'network' ? new NeuralNetwork({ layers: [2, 3, 1], backend: BACKEND }) : new LogisticRegression({ iterations: 5, backend: BACKEND });
          if (m instanceof LogisticRegression) m.fitSync(X, y);
          const results = {};
          for (const where of ['metadata', 'architecture', 'parameters', 'root']) {
            const json = JSON.parse(JSON.stringify(m.toJSON()));
            const host = where === 'root' ? json : json[where];
            const shape = ${JSON.stringify(shape)};
            if (shape === 'a cycle') host.loop = host;
            else if (shape.startsWith('shared')) { let o = { x: '1' }; for (let k = 0; k < 60; k++) o = { a: o, b: o }; host.dag = o; }
            else { let o = []; for (let k = 0; k < 100000; k++) o = [o]; host.deep = o; }
            const Cls = ${JSON.stringify(model)} === 'network' ? NeuralNetwork : LogisticRegression;
            results[where] = await outcome(() => Cls.fromJSON(json, { backend: BACKEND }));
            results[where + ' (modelFromJSON)'] = await outcome(() => lib.modelFromJSON(json, { backend: BACKEND }));
          }
          report(results);
        `, { backend, timeoutMs: 20_000 });
        const out = cleanResult(r) as Record<string, Record<string, unknown>>;
        for (const [where, o] of Object.entries(out)) expect(o.code, `${where}: ${JSON.stringify(o)}`).toBe('ERR_BLASNET_FORMAT');
      }, T);
    }
  }

  // ── NaN passed off as success ──────────────────────────────────────────────────────────────────
  for (const [label, hidden, output, layers] of [
    ['relu hidden layers', 'relu', 'sigmoid', [2, 3, 3, 1]],
    ['linear hidden layers', 'linear', 'sigmoid', [2, 3, 3, 1]],
    ['softmax logits of +∞', 'linear', 'softmax', [2, 3, 3, 3]],
    ['a linear output', 'relu', 'linear', [2, 3, 3, 2]],
  ] as const) {
    it.skipIf(skip).concurrent(`a network whose layer 2 overflows (${label}): every prediction method fails with ERR_BLASNET_NOT_FINITE naming layer 2`, async () => {
      const r = await runScenario(`overflow in layer 2, ${label}`, `
        const layers = ${JSON.stringify(layers)};
        const net = new NeuralNetwork({ layers, hidden: ${JSON.stringify(hidden)}, output: ${JSON.stringify(output)}, loss: ${JSON.stringify(output === 'linear' ? 'mse' : 'cross-entropy')}, backend: BACKEND });
        const p = net.parameters;
        // Layer 1 stays finite (|z| ≤ 2e200); layer 2 multiplies 1e200-sized activations by 1e200.
        p.W[0].fill(1e200); p.W[1].fill(1e200);
        net.setParameters(p);
        const X = Matrix.from([[1, 1], [0.5, 0.25]]);
        const Y = ${JSON.stringify(output)} === 'softmax' ? [0, 1] : new Matrix(2, layers.at(-1));
        report({
          predictSync: await outcome(() => net.predictSync(X)),
          predict: await outcome(() => net.predict(X)),
          // A regressor has no probabilities (ERR_BLASNET_TASK before any computation).
          ...(net.task === 'regression' ? {} : {
            predictProbaSync: await outcome(() => net.predictProbaSync(X)),
            predictProba: await outcome(() => net.predictProba(X)),
          }),
          scoreSync: await outcome(() => net.scoreSync(X, Y)),
          score: await outcome(() => net.score(X, Y)),
        });
      `, { backend });
      const out = cleanResult(r) as Record<string, Record<string, unknown>>;
      expect(Object.keys(out).length).toBe(output === 'linear' ? 4 : 6);
      for (const [method, o] of Object.entries(out)) {
        expect(o.code, `${method}: ${JSON.stringify(o)}`).toBe('ERR_BLASNET_NOT_FINITE');
        expect(o.message, method).toMatch(/layer 2/);
      }
    }, T);
  }

  it.skipIf(skip).concurrent('a first layer that overflows on huge inputs is ERR_BLASNET_NOT_FINITE naming layer 1', async () => {
    const r = await runScenario('overflow in layer 1', `
      const net = new NeuralNetwork({ layers: [2, 3, 1], hidden: 'relu', backend: BACKEND });
      const p = net.parameters; p.W[0].fill(1e10); net.setParameters(p);
      const X = Matrix.from([[1e300, 1e300]]);
      report({ predictSync: await outcome(() => net.predictSync(X)), predict: await outcome(() => net.predict(X)) });
    `, { backend });
    const out = cleanResult(r) as Record<string, Record<string, unknown>>;
    for (const [method, o] of Object.entries(out)) {
      expect(o.code, `${method}: ${JSON.stringify(o)}`).toBe('ERR_BLASNET_NOT_FINITE');
      expect(o.message, method).toMatch(/layer 1|first layer/);
    }
  }, T);

  it.skipIf(skip).concurrent('a leaky-relu slope of 1e300 is rejected by the constructor (ERR_BLASNET_CONFIG)', async () => {
    const r = await runScenario('leaky-relu slope 1e300', `
      report({
        hidden: await outcome(() => new NeuralNetwork({ layers: [2, 3, 1], hidden: { name: 'leaky-relu', alpha: 1e300 }, backend: BACKEND })),
        output: await outcome(() => new NeuralNetwork({ layers: [2, 3, 1], output: { name: 'leaky-relu', alpha: 1e300 }, loss: 'mse', backend: BACKEND })),
        perLayer: await outcome(() => new NeuralNetwork({ layers: [2, 3, 3, 1], hidden: ['tanh', { name: 'leaky-relu', alpha: 1e300 }], backend: BACKEND })),
      });
    `, { backend });
    const out = cleanResult(r) as Record<string, Record<string, unknown>>;
    for (const [k, o] of Object.entries(out)) {
      expect(o.code, `${k}: ${JSON.stringify(o)}`).toBe('ERR_BLASNET_CONFIG');
      expect(o.message, k).toMatch(/alpha/);
    }
  }, T);

  it.skipIf(skip).concurrent('a logistic regression whose z = wᵀx + b is NaN (∞ − ∞) fails with ERR_BLASNET_NOT_FINITE; no NaN probability, class or accuracy', async () => {
    const r = await runScenario('logistic NaN probability', `
      const m = new LogisticRegression({ backend: BACKEND });
      m.setParameters({ weights: [1e308, 1e308], bias: 0 });
      const X = Matrix.from([[10, -10], [0, 0]]);
      report({
        predictProbaSync: await outcome(() => m.predictProbaSync(X)),
        predictProba: await outcome(() => m.predictProba(X)),
        predictSync: await outcome(() => m.predictSync(X)),
        predict: await outcome(() => m.predict(X)),
        scoreSync: await outcome(() => m.scoreSync(X, [0, 0])),
        score: await outcome(() => m.score(X, [0, 0])),
      });
    `, { backend });
    const out = cleanResult(r) as Record<string, Record<string, unknown>>;
    for (const [method, o] of Object.entries(out)) expect(o.code, `${method}: ${JSON.stringify(o)}`).toBe('ERR_BLASNET_NOT_FINITE');
  }, T);

  it.skipIf(skip).concurrent('costAndGradients whose cost or gradient overflows (finite but huge X or targets) fails with ERR_BLASNET_NOT_FINITE, never returns NaN/∞', async () => {
    const r = await runScenario('costAndGradients overflow', `
      const lr = new LogisticRegression({ backend: BACKEND });
      lr.setParameters({ weights: [2, -3], bias: 0 });
      const huge = Matrix.from([[Number.MAX_VALUE, 1], [1, 1]]);
      const net = new NeuralNetwork({ layers: [2, 3, 1], hidden: 'relu', output: 'linear', loss: 'mse', seed: 2, backend: BACKEND });
      report({
        logisticX: await outcome(() => lr.costAndGradients(huge, [1, 0])),
        networkX: await outcome(() => net.costAndGradients(huge, [0, 0])),
        networkTargets: await outcome(() => net.costAndGradients(Matrix.from([[1, 1], [0, 1]]), [1e300, 0])),
      });
    `, { backend });
    const out = cleanResult(r) as Record<string, Record<string, unknown>>;
    for (const [k, o] of Object.entries(out)) expect(o.code, `${k}: ${JSON.stringify(o)}`).toBe('ERR_BLASNET_NOT_FINITE');
  }, T);

  // ── Swallowed errors: non-Error throws from callbacks ─────────────────────────────────────────
  for (const model of ['logistic', 'network'] as const) {
    for (const method of ['fit', 'fitSync'] as const) {
      it.skipIf(skip).concurrent(`${model} ${method}: onProgress throwing 42, "str", undefined, null or an Error fails the call`, async () => {
        const r = await runScenario(`${model} ${method} onProgress throws a non-Error`, `
          const { X, y } = data(30, 3);
          const results = {};
          for (const [label, value] of [['42', 42], ['"str"', 'str'], ['undefined', undefined], ['null', null], ['Error', new Error('boom')]]) {
            const m = ${JSON.stringify(model)} === 'logistic'
              ? new LogisticRegression({ iterations: 50, recordEvery: 1, backend: BACKEND })
              : new NeuralNetwork({ layers: [3, 4, 1], backend: BACKEND });
            const opts = { onProgress: () => { throw value; } };
            if (m instanceof NeuralNetwork) opts.epochs = 50;
            let settled = null;
            try { await m[${JSON.stringify(method)}](X, y, opts); settled = { ok: true }; }
            catch (e) { settled = { ok: false, same: e === value, code: e?.code ?? null, causeSame: e?.cause === value }; }
            // The model is not left busy: the next fit runs.
            const again = await outcome(() => m.fitSync(X, y, m instanceof NeuralNetwork ? { epochs: 2 } : {}));
            results[label] = { ...settled, againOk: again.ok };
          }
          report(results);
        `, { backend });
        const out = cleanResult(r) as Record<string, Record<string, unknown>>;
        for (const [label, o] of Object.entries(out)) {
          expect(o.ok, `throw ${label}: the call must fail, got ${JSON.stringify(o)}`).toBe(false);
          expect(o.same || o.causeSame || /^ERR_BLASNET_/.test(String(o.code)), `throw ${label}: the thrown value (or a coded error carrying it as cause), got ${JSON.stringify(o)}`).toBe(true);
          expect(o.againOk, `after throw ${label} the model is usable`).toBe(true);
        }
      }, T);
    }
  }

  // ── Kin: re-entrancy from a progress callback ─────────────────────────────────────────────────
  for (const model of ['logistic', 'network'] as const) {
    it.skipIf(skip).concurrent(`${model} fitSync: onProgress re-entering the model gets ERR_BLASNET_BUSY for mutations, the last parameters for predictions, and the fit is unchanged`, async () => {
      const r = await runScenario(`${model} re-entrant onProgress`, `
        const { X, y } = data(50, 4);
        const make = () => ${JSON.stringify(model)} === 'logistic'
          ? new LogisticRegression({ iterations: 40, recordEvery: 1, learningRate: 0.3, backend: BACKEND })
          : new NeuralNetwork({ layers: [4, 5, 1], seed: 3, backend: BACKEND });
        const opts = (onProgress) => ${JSON.stringify(model)} === 'logistic' ? { onProgress } : { epochs: 40, batchSize: 8, onProgress };
        const a = make(); const expected = a.fitSync(X, y, opts(() => {}));
        // b is fitted once first, so that it has parameters to predict with during its next fit;
        // that fit starts afresh (no warmStart), so it must equal a's first fit.
        const b = make(); b.fitSync(X, y, opts(() => {})); const inner = {};
        const got = await outcome(() => b.fitSync(X, y, opts(() => {
          if (inner.fitSync) return;
          inner.fitSync = (() => { try { b.fitSync(X, y); return 'ok'; } catch (e) { return e.code ?? String(e); } })();
          inner.setParameters = (() => { try { b.setParameters(b instanceof NeuralNetwork ? b.parameters : { weights: [1, 1, 1, 1], bias: 0 }); return 'ok'; } catch (e) { return e.code ?? String(e); } })();
          if (b instanceof NeuralNetwork) inner.reset = (() => { try { b.reset(); return 'ok'; } catch (e) { return e.code ?? String(e); } })();
          inner.busy = b.busy;
          inner.fitPromise = 'pending';
          b.fit(X, y).then(() => { inner.fitPromise = 'resolved'; }, (e) => { inner.fitPromise = e.code ?? String(e); });
          if (b instanceof NeuralNetwork) inner.predict = (() => { try { return b.predictProbaSync(X).data.every(Number.isFinite) ? 'finite' : 'NaN'; } catch (e) { return e.code ?? String(e); } })();
        })));
        await new Promise((r) => setTimeout(r, 50));
        report({ inner, got, same: got.ok && JSON.stringify(got.value) === JSON.stringify(summarize(expected)) });
      `, { backend });
      const out = cleanResult(r) as { inner: Record<string, unknown>; got: Record<string, unknown>; same: boolean };
      expect(out.got.ok, JSON.stringify(out.got)).toBe(true);
      expect(out.same).toBe(true);
      expect(out.inner.busy).toBe(true);
      expect(out.inner.fitSync).toBe('ERR_BLASNET_BUSY');
      expect(out.inner.fitPromise).toBe('ERR_BLASNET_BUSY');
      expect(out.inner.setParameters).toBe('ERR_BLASNET_BUSY');
      if (model === 'network') {
        expect(out.inner.reset).toBe('ERR_BLASNET_BUSY');
        expect(out.inner.predict).toBe('finite');
      }
    }, T);
  }

  // ── Kin: reproducibility — a rejected call changes nothing; a reloaded model continues the stream ──
  it.skipIf(skip).concurrent('a network fit rejected for bad data, bad options or busy changes nothing: the next fit equals a fresh twin\'s, bit for bit', async () => {
    const r = await runScenario('rejected calls leave the shuffle stream alone', `
      const { X, y } = data(40, 3);
      // warmStart: each fit continues the last (a fresh fit would always restart the stream).
      const opts = { epochs: 3, batchSize: 7, learningRate: 0.1, warmStart: true };
      const make = () => new NeuralNetwork({ layers: [3, 4, 1], seed: 11, backend: BACKEND });
      const twin = make(); twin.fitSync(X, y, opts); twin.fitSync(X, y, opts);
      const a = make();
      const rejected = [];
      rejected.push((await outcome(() => a.fitSync(Matrix.from([[1, 2]]), y, opts))).code);
      rejected.push((await outcome(() => a.fitSync(X, [2, 3], opts))).code);
      rejected.push((await outcome(() => a.fit(X, y, { ...opts, learningRate: -1 }))).code);
      a.fitSync(X, y, opts);
      const running = a.fit(X, y, { ...opts, epochs: 1 });
      rejected.push((await outcome(() => a.fit(X, y, opts))).code);
      rejected.push((await outcome(() => a.fitSync(X, y, opts))).code);
      await running;
      // The twin ran two fits, a ran two plus one 1-epoch fit: compare a's next fit with the twin's third.
      const twin3 = make(); twin3.fitSync(X, y, opts); twin3.fitSync(X, y, { ...opts, epochs: 1 }); twin3.fitSync(X, y, opts);
      a.fitSync(X, y, opts);
      report({ rejected, same: bits(a.parameters.W.flatMap((w) => [...w])) === bits(twin3.parameters.W.flatMap((w) => [...w])) });
    `, { backend });
    const out = cleanResult(r) as { rejected: string[]; same: boolean };
    expect(out.rejected).toEqual(['ERR_BLASNET_SHAPE', 'ERR_BLASNET_SHAPE', 'ERR_BLASNET_ARG_RANGE', 'ERR_BLASNET_BUSY', 'ERR_BLASNET_BUSY']);
    expect(out.same).toBe(true);
  }, T);

  it.skipIf(skip).concurrent('a network reloaded from toJSON continues with the same next fit as the original, bit for bit (shuffled mini-batches)', async () => {
    const r = await runScenario('reloaded model continues the shuffle stream', `
      const { X, y } = data(40, 3);
      const opts = { epochs: 2, batchSize: 6, learningRate: 0.1 };
      const a = new NeuralNetwork({ layers: [3, 4, 1], seed: 5, backend: BACKEND });
      a.fitSync(X, y, opts);
      const b = NeuralNetwork.fromJSON(JSON.parse(JSON.stringify(a.toJSON())), { backend: BACKEND });
      // warmStart continues from the parameters and the fit count (the shuffle stream) that toJSON stored.
      a.fitSync(X, y, { ...opts, warmStart: true }); b.fitSync(X, y, { ...opts, warmStart: true });
      report({ same: bits(a.parameters.W.flatMap((w) => [...w])) === bits(b.parameters.W.flatMap((w) => [...w])) });
    `, { backend });
    expect(cleanResult(r).same).toBe(true);
  }, T);

  // ── Kin: callbacks and objects that lie ────────────────────────────────────────────────────────
  it.skipIf(skip).concurrent('a Matrix-like object whose data getter returns a shorter array after validation is rejected or computed correctly, never read out of bounds', async () => {
    const r = await runScenario('Matrix with a changing data getter', `
      const n = 2000, m = 50, full = new Float64Array(n * m).fill(0.5), tiny = new Float64Array(1);
      const liar = () => { let reads = 0; return Object.create(Matrix.prototype, { rows: { value: n }, cols: { value: m }, data: { get() { return reads++ < 3 ? full : tiny; } } }); };
      const y = Float64Array.from({ length: n }, (_, i) => i % 2);
      const lr = new LogisticRegression({ iterations: 3, backend: BACKEND });
      const net = new NeuralNetwork({ layers: [m, 4, 1], backend: BACKEND });
      net.setParameters(net.parameters); // fitted: its predictions read X
      lr.fitSync(new Matrix(n, m, full), y);
      const results = {
        lrFitSync: await outcome(() => new LogisticRegression({ iterations: 3, backend: BACKEND }).fitSync(liar(), y)),
        lrFit: await outcome(() => new LogisticRegression({ iterations: 3, backend: BACKEND }).fit(liar(), y)),
        lrPredict: await outcome(() => lr.predictProbaSync(liar())),
        lrGrad: await outcome(() => lr.costAndGradients(liar(), y)),
        netFitSync: await outcome(() => net.fitSync(liar(), y, { epochs: 2 })),
        netPredict: await outcome(() => net.predictSync(liar())),
        netPredictAsync: await outcome(() => net.predict(liar())),
        netGrad: await outcome(() => net.costAndGradients(liar(), y)),
      };
      report(results);
    `, { backend });
    expectFiniteOrCoded(cleanResult(r) as Record<string, Record<string, unknown>>);
  }, T);

  it.skipIf(skip).concurrent('a Float64Array subclass whose length lies is rejected or computed on its true contents, never read out of bounds', async () => {
    const r = await runScenario('typed array with a lying length', `
      class Liar extends Float64Array { get length() { return 100000; } }
      const m = 10, data_ = new Liar(10).fill(0.5);
      const results = {};
      results.matrix = await outcome(() => new Matrix(10000, m, data_));
      const lr = new LogisticRegression({ iterations: 3, backend: BACKEND });
      lr.setParameters({ weights: new Array(m).fill(0.1), bias: 0 });
      const net = new NeuralNetwork({ layers: [m, 4, 1], backend: BACKEND });
      net.setParameters(net.parameters); // fitted: its predictions read X
      const fake = Object.create(Matrix.prototype, { rows: { value: 10000 }, cols: { value: m }, data: { value: data_ } });
      results.lrPredict = await outcome(() => lr.predictProbaSync(fake));
      results.netPredict = await outcome(() => net.predictSync(fake));
      results.netFit = await outcome(() => net.fitSync(fake, Float64Array.from({ length: 10000 }, (_, i) => i % 2), { epochs: 1 }));
      results.labels = await outcome(() => lr.fitSync(new Matrix(10000, m), new Liar(1)));
      report(results);
    `, { backend });
    expectFiniteOrCoded(cleanResult(r) as Record<string, Record<string, unknown>>);
  }, T);

  it.skipIf(skip).concurrent('architectures whose parameters cannot be allocated get a coded error, not an uncaught RangeError or a crash', async () => {
    const r = await runScenario('huge architecture', `
      report({
        wide: await outcome(() => new NeuralNetwork({ layers: [100000, 100000, 1], backend: BACKEND })),
        deep: await outcome(() => new NeuralNetwork({ layers: new Array(2000).fill(3000), backend: BACKEND })),
        int32: await outcome(() => new NeuralNetwork({ layers: [46341, 46341, 1], backend: BACKEND })),
      });
    `, { backend, timeoutMs: 50_000 });
    const out = cleanResult(r) as Record<string, Record<string, unknown>>;
    for (const [k, o] of Object.entries(out)) expect(o.code, `${k}: ${JSON.stringify(o)}`).toMatch(/^ERR_BLASNET_(OUT_OF_MEMORY|CONFIG)$/);
  }, T);

  it.skipIf(skip).concurrent('40 async fits on distinct models at once all settle, each equal bit for bit to the same fit run alone', async () => {
    const r = await runScenario('40 concurrent async fits', `
      const { X, y } = data(200, 6);
      const make = (k) => new NeuralNetwork({ layers: [6, 8, 1], seed: k, backend: BACKEND });
      const opts = { epochs: 5, batchSize: 32 };
      const alone = [];
      for (let k = 0; k < 40; k++) { const net = make(k); net.fitSync(X, y, opts); alone.push(bits(net.parameters.W[0])); }
      const nets = Array.from({ length: 40 }, (_, k) => make(k));
      const settled = await Promise.allSettled(nets.map((net) => net.fit(X, y, opts)));
      report({ rejected: settled.filter((s) => s.status === 'rejected').map((s) => String(s.reason?.code ?? s.reason)), same: nets.every((net, k) => bits(net.parameters.W[0]) === alone[k]) });
    `, { backend, timeoutMs: 50_000 });
    const out = cleanResult(r) as { rejected: string[]; same: boolean };
    expect(out.rejected).toEqual([]);
    expect(out.same).toBe(true);
  }, T);

  it.skipIf(skip).concurrent('the caller transfers its buffers right after calling fit / predict / predictProba: the results are those of the untouched call', async () => {
    const r = await runScenario('transfer right after an async call', `
      const { X, y } = data(300, 5);
      const copy = () => ({ X: new Matrix(300, 5, X.data.slice()), y: y.slice() });
      const gone = (a) => structuredClone(a.buffer, { transfer: [a.buffer] });
      const lr = () => new LogisticRegression({ iterations: 100, learningRate: 0.5, backend: BACKEND });
      const net = () => new NeuralNetwork({ layers: [5, 6, 1], seed: 1, backend: BACKEND });
      const a1 = lr(); const e1 = await a1.fit(X, y);
      const b1 = lr(); const c1 = copy(); const p1 = b1.fit(c1.X, c1.y); gone(c1.X.data); gone(c1.y); globalThis.gc(); const g1 = await outcome(() => p1);
      const a2 = net(); const e2 = await a2.fit(X, y, { epochs: 20 });
      const b2 = net(); const c2 = copy(); const p2 = b2.fit(c2.X, c2.y, { epochs: 20 }); gone(c2.X.data); gone(c2.y); globalThis.gc(); const g2 = await outcome(() => p2);
      const e3 = a2.predictSync(X); const c3 = copy(); const p3 = a2.predict(c3.X); gone(c3.X.data); globalThis.gc(); const g3 = await p3.then((labels) => bits(labels), (e) => e.code);
      const e4 = a1.predictProbaSync(X); const c4 = copy(); const p4 = a1.predictProba(c4.X); gone(c4.X.data); globalThis.gc(); const g4 = await p4.then((P) => bits(P.data), (e) => e.code);
      const e5 = a2.predictProbaSync(X); const c5 = copy(); const p5 = a2.predictProba(c5.X); gone(c5.X.data); globalThis.gc(); const g5 = await p5.then((P) => bits(P.data), (e) => e.code);
      report({
        lr: g1.ok && JSON.stringify(g1.value) === JSON.stringify(summarize(e1)) && bits(a1.weights) === bits(b1.weights),
        net: g2.ok && JSON.stringify(g2.value) === JSON.stringify(summarize(e2)) && bits(a2.parameters.W[0]) === bits(b2.parameters.W[0]),
        predict: g3 === bits(e3), predictProba: g4 === bits(e4.data), networkPredictProba: g5 === bits(e5.data),
      });
    `, { backend });
    expect(cleanResult(r)).toEqual({ lr: true, net: true, predict: true, predictProba: true, networkPredictProba: true });
  }, T);

  it.skipIf(skip).concurrent('an async fit whose model and inputs are dropped and collected mid-fit still settles with a finite result', async () => {
    const r = await runScenario('drop and GC during an async fit', `
      let p;
      {
        const { X, y } = data(500, 10);
        const net = new NeuralNetwork({ layers: [10, 32, 1], backend: BACKEND });
        p = net.fit(X, y, { epochs: 200, onProgress: () => globalThis.gc() });
      }
      const timer = setInterval(() => { globalThis.gc(); new Float64Array(1e5).fill(1); }, 1);
      const got = await outcome(() => p);
      clearInterval(timer);
      report({ got });
    `, { backend });
    const out = cleanResult(r) as { got: Record<string, unknown> };
    expect(out.got.ok, JSON.stringify(out.got)).toBe(true);
    expect(JSON.stringify(out.got.value)).not.toMatch(/"finite":false/);
  }, T);
});

// ── Native only: setThreads while a fit runs ──────────────────────────────────────────────────────
// Encodes a choice of the lead's: what main does today is "applies to the next job": setThreads
// during a fit neither throws nor disturbs the running fit, and getThreads reports the new value.
describe.skipIf(!HAS_NATIVE)('setThreads during a fit', () => {
  it.concurrent('from onProgress of an async fit and from the main thread: no crash, the fit completes with the result it has without it', async () => {
    const r = await runScenario('setThreads during a fit', `
      const { X, y } = data(600, 40);
      const make = () => new NeuralNetwork({ layers: [40, 64, 1], seed: 4 });
      const expected = await make().fit(X, y, { epochs: 30 });
      const net = make();
      const calls = [];
      const set = (k) => { try { lib.setThreads(k); calls.push('ok'); } catch (e) { calls.push(e.code ?? String(e)); } };
      const p = net.fit(X, y, { epochs: 30, onProgress: ({ iteration }) => set(iteration % 2 ? 1 : 2) });
      set(1); set(2);
      const got = await outcome(() => p);
      set(1);
      report({ calls, threads: lib.getThreads(), got, same: got.ok && JSON.stringify(got.value) === JSON.stringify(summarize(expected)) });
    `, { backend: 'native' });
    const out = cleanResult(r) as { calls: string[]; threads: number; got: Record<string, unknown>; same: boolean };
    expect(out.got.ok, JSON.stringify(out.got)).toBe(true);
    expect(out.same).toBe(true);
    expect(new Set(out.calls)).toEqual(new Set(['ok']));
    expect(out.threads).toBe(1);
  }, T);

  it('howItEnded names crashes and hangs (the harness itself)', async () => {
    const crash = await runScenario('deliberate abort', 'process.abort();');
    expect(howItEnded(crash)).toMatch(/deliberate abort" CRASHED with signal SIGABRT/);
    const hang = await runScenario('deliberate hang', 'setInterval(() => {}, 1000);', { timeoutMs: 1500 });
    expect(howItEnded(hang)).toMatch(/deliberate hang" HUNG/);
    const ok = await runScenario('deliberate report', 'report({ v: 1 });');
    expect(cleanResult(ok)).toEqual({ v: 1 });
  }, T);
});
