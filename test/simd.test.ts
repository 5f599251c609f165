// blasnet's own elementwise kernels are built for several x86 instruction-set levels and chosen at
// load time (native/simd.cc). All levels are compiled without FP contraction or fast-math, so they
// must produce the same bits: checked here by training the same models in child processes forced
// to each level the CPU supports (BLASNET_SIMD), at one OpenBLAS thread.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { info } from '../lib/index.js';
import { readCpuFlags } from '../lib/cpu.js';

const DIST = pathToFileURL(join(fileURLToPath(new URL('..', import.meta.url)), 'dist', 'lib', 'index.js')).href;
const flags = readCpuFlags();
const levels = ['baseline'];
if (flags?.has('avx2') && flags.has('fma')) levels.push('avx2');
if (flags && ['avx512f', 'avx512dq', 'avx512bw', 'avx512vl'].every((f) => flags.has(f))) levels.push('avx512');

const script = `
  const { NeuralNetwork, LogisticRegression, Matrix, Random, setThreads, info } = await import(${JSON.stringify(DIST)});
  setThreads(1);
  const r = new Random(7);
  const X = new Matrix(300, 20, Float64Array.from({ length: 6000 }, () => 3 * r.normal()));
  const y = Float64Array.from({ length: 300 }, (_, j) => (X.data[j * 20] + X.data[j * 20 + 1] > 0 ? 1 : 0));
  const net = new NeuralNetwork({ layers: [20, 16, 8, 1], hidden: ['tanh', 'sigmoid'], output: 'sigmoid', seed: 3 });
  const { costs } = net.fitSync(X, y, { epochs: 30, batchSize: 64, optimizer: 'adam' });
  const lr = new LogisticRegression({ learningRate: 0.1, iterations: 300, recordEvery: 10 });
  const lrCosts = lr.fitSync(X, y).costs;
  const bytes = (a) => Buffer.from(Float64Array.from(a).buffer).toString('base64');
  console.log(JSON.stringify({ simd: info().simd, W: net.parameters.W.map(bytes), costs: bytes(costs),
    w: bytes(lr.weights), b: lr.bias, lrCosts: bytes(lrCosts), p: bytes(net.predictSync(X).data) }));
`;

function runAt(level: string) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, BLASNET_SIMD: level }, encoding: 'utf8', timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown> & { simd: string };
}

describe.skipIf(info().backend !== 'native')('SIMD levels', () => {
  it(`every level this CPU supports (${levels.join(', ')}) gives the same bits`, () => {
    const results = levels.map(runAt);
    results.forEach((r, k) => expect(r.simd).toBe(levels[k]));
    const { simd: _first, ...reference } = results[0]!;
    for (const r of results.slice(1)) {
      const { simd: level, ...rest } = r;
      expect(rest, `level ${level} against baseline`).toEqual(reference);
    }
  }, 120_000);
});
