// Without the native addon (here: BLASNET_DISABLE_NATIVE, which the loader treats exactly like a
// missing build), blasnet still loads and works on its TypeScript backend, warns once with the
// reason, and an explicit backend: 'native' throws that reason. Run in a child process: the addon
// is loaded once per process.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

const DIST = pathToFileURL(join(fileURLToPath(new URL('..', import.meta.url)), 'dist', 'lib', 'index.js')).href;

it('with the native backend unavailable: TS backend, one warning naming the reason, backend "native" throws it', () => {
  const script = `
    const warnings = [];
    process.on('warning', (w) => warnings.push({ code: w.code, message: w.message }));
    const { LogisticRegression, NeuralNetwork, Matrix, info } = await import(${JSON.stringify(DIST)});
    const X = Matrix.from([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const a = new LogisticRegression({ learningRate: 0.5, iterations: 500 });
    a.fitSync(X, [0, 1, 1, 1]);
    const b = new NeuralNetwork({ layers: [2, 4, 1], seed: 1 });
    await b.fit(X, [0, 1, 1, 0], { epochs: 10 });
    let nativeError = null;
    try { new LogisticRegression({ backend: 'native' }); } catch (e) { nativeError = { code: e.code, message: e.message }; }
    await new Promise((r) => setImmediate(r));
    console.log(JSON.stringify({ info: info(), backends: [a.backend, b.backend], score: a.scoreSync(X, [0, 1, 1, 1]), warnings, nativeError }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, BLASNET_DISABLE_NATIVE: '1' }, encoding: 'utf8', timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  expect(out.info.backend).toBe('reference');
  expect(out.info.nativeUnavailableReason).toMatch(/BLASNET_DISABLE_NATIVE/);
  expect(out.backends).toEqual(['reference', 'reference']);
  expect(out.score).toBe(1);
  const ours = out.warnings.filter((w: { code: string }) => w.code === 'BLASNET_NATIVE_UNAVAILABLE');
  expect(ours).toHaveLength(1);
  expect(ours[0].message).toMatch(/pure-TypeScript backend because .*BLASNET_DISABLE_NATIVE/);
  expect(out.nativeError.code).toBe('ERR_BLASNET_NATIVE_UNAVAILABLE');
  expect(out.nativeError.message).toMatch(/backend 'native' is unavailable: .*BLASNET_DISABLE_NATIVE/);
}, 60_000);
