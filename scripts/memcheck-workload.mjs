// The workload scripts/memcheck.sh runs under valgrind: fit / predict / save / load on both models
// with the native backend, sync and async, plus the error paths that cross the native boundary
// (bad shapes, non-finite inputs, a job refused for memory, a throwing progress callback). Small
// sizes: under memcheck everything runs ~50× slower. Exits 1 if a result is wrong.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { LogisticRegression, NeuralNetwork, Matrix, info, loadModel } = await import(pathToFileURL(join(ROOT, 'dist', 'lib', 'index.js')).href);
if (info().backend !== 'native') { console.error('memcheck: the native backend did not load:', info().nativeUnavailableReason); process.exit(1); }

const n = 64, m = 6;
const X = new Matrix(n, m), y = new Float64Array(n);
for (let i = 0; i < n; i++) { let z = 0; for (let j = 0; j < m; j++) { const v = Math.sin(i * 7 + j * 3); X.data[i * m + j] = v; z += v; } y[i] = z > 0 ? 1 : 0; }
const dir = mkdtempSync(join(tmpdir(), 'blasnet-memcheck-'));
const check = (ok, what) => { if (!ok) { console.error(`memcheck workload: ${what}`); process.exit(1); } };
const expectCode = async (fn, code) => {
  try { await fn(); } catch (e) { check(e.code === code, `expected ${code}, got ${e.code}: ${e.message}`); return; }
  check(false, `expected ${code}, got a result`);
};
try {
  const lr = new LogisticRegression({ iterations: 200, recordEvery: 10, learningRate: 0.5, backend: 'native' });
  lr.fitSync(X, y, { onProgress: () => {} });
  await lr.fit(X, y, { warmStart: true });
  const p = lr.predictProbaSync(X);
  check(lr.scoreSync(X, y) > 0.8, 'logistic regression did not learn');
  const { dw } = lr.costAndGradients(X, y);
  check(dw.length === m, 'gradient length');
  await lr.save(join(dir, 'lr.json'));
  const lr2 = await loadModel(join(dir, 'lr.json'), { backend: 'native' });
  check(p.rows === n && p.cols === 2, 'probability matrix shape');
  check(lr2.predictProbaSync(X).data.every((v, i) => v === p.data[i]), 'reloaded logistic regression differs');
  check((await lr2.predictProba(X)).data.every((v, i) => v === p.data[i]), 'async prediction differs');
  check(lr2.predictSync(X).every((v, i) => v === (p.data[2 * i + 1] >= 0.5 ? 1 : 0)), 'reloaded logistic regression labels differ');

  for (const spec of [
    { layers: [m, 8, 1], hidden: 'tanh' },
    { layers: [m, 8, 5, 3], hidden: ['relu', 'leaky-relu'], output: 'softmax' },
    { layers: [m, 4, 2], hidden: 'sigmoid', output: 'linear', loss: 'mse' },
  ]) {
    const net = new NeuralNetwork({ ...spec, seed: 3, backend: 'native' });
    const Y = spec.output === 'softmax' ? Float64Array.from(y, (v, i) => (v + i) % 3) : spec.output === 'linear' ? new Matrix(n, 2, X.data.slice(0, 2 * n)) : y;
    net.fitSync(X, Y, { epochs: 5, batchSize: 16, optimizer: 'adam', onProgress: () => {} });
    await net.fit(X, Y, { epochs: 3, optimizer: 'momentum', warmStart: true });
    // The outputs: probabilities for a classifier, values for the regressor (two outputs: a Matrix).
    const A = net.task === 'regression' ? net.predictSync(X) : net.predictProbaSync(X);
    check(A.data.every(Number.isFinite), 'network prediction not finite');
    net.costAndGradients(X, Y, { l2: 0.01 });
    await net.save(join(dir, 'net.json'));
    const net2 = await loadModel(join(dir, 'net.json'), { backend: 'native' });
    const A2 = net2.task === 'regression' ? await net2.predict(X) : await net2.predictProba(X);
    check(A2.data.every((v, i) => v === A.data[i]), 'reloaded network differs');
    net2.predictSync(X);
  }

  // Error paths through the native boundary.
  const net = new NeuralNetwork({ layers: [m, 8, 1], backend: 'native' });
  net.setParameters(net.parameters); // fitted, with its seeded initial parameters: predictions reach the addon
  await expectCode(() => net.predictSync(new Matrix(2, m, new Float64Array(2 * m).fill(NaN))), 'ERR_BLASNET_NOT_FINITE');
  await expectCode(() => net.predict(new Matrix(2, m + 1)), 'ERR_BLASNET_SHAPE');
  const boom = new Error('from the callback');
  let threw = null;
  try { net.fitSync(X, y, { epochs: 3, onProgress: () => { throw boom; } }); } catch (e) { threw = e; }
  check(threw === boom || threw?.cause === boom, `a throwing onProgress: expected its error, got ${threw}`);
  await expectCode(() => new LogisticRegression({ iterations: 1e15, recordEvery: 1, backend: 'native' }).fitSync(X, y), 'ERR_BLASNET_OUT_OF_MEMORY');
  // 2 000 000 × 2 through 4 096 units: ~200 GB of activations, refused before anything is allocated.
  const big = new NeuralNetwork({ layers: [2, 4096, 1], backend: 'native' });
  await expectCode(() => big.costAndGradients(new Matrix(2_000_000, 2), new Float64Array(2_000_000)), 'ERR_BLASNET_OUT_OF_MEMORY');
  const stop = new AbortController();
  // No default stop on a stalled cost: under valgrind the fit could otherwise end before the abort arrives.
  const running = net.fit(X, y, { epochs: 1e6, earlyStopping: false, onProgress: () => stop.abort(), signal: stop.signal });
  await expectCode(() => running, 'ABORT_ERR');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log('memcheck workload: ok');
