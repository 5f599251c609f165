// blasnet's own elementwise kernels are built for several x86 instruction-set levels and chosen at
// load time (native/simd.cc). All levels are compiled without FP contraction or fast-math, and the
// logistic sweep's reductions have one order fixed by the source (eight lanes per example, one tree),
// so they must produce the same bits: checked here by training the same models in child processes
// forced to each level the CPU supports (BLASNET_SIMD), at one OpenBLAS thread. Then the sweep's
// register blocks, feature tails and thread shares are checked against the reference backend on
// shapes that hit every edge (m below, at and past a multiple of 8; n not a multiple of the block).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getThreads, info, LogisticRegression, Matrix, setThreads } from '../lib/index.js';
import { randomLogisticData } from './helpers/data.js';
import { readCpuFlags } from '../lib/cpu.js';

const DIST = pathToFileURL(join(fileURLToPath(new URL('..', import.meta.url)), 'dist', 'lib', 'index.js')).href;
const flags = readCpuFlags();
// arm64 has one level, the baseline build, named 'neon' there (native/simd_baseline.cc).
const levels = [process.arch === 'arm64' ? 'neon' : 'baseline'];
// The x86 levels only on x86-64 (under qemu-user an arm64 process reads the host's x86 flags).
if (process.arch === 'x64' && flags?.has('avx2') && flags.has('fma')) levels.push('avx2');
if (process.arch === 'x64' && flags && ['avx512f', 'avx512dq', 'avx512bw', 'avx512vl'].every((f) => flags.has(f))) levels.push('avx512');

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
    w: bytes(lr.weights), b: lr.bias, lrCosts: bytes(lrCosts), p: bytes(net.predictProbaSync(X).data) }));
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

describe.skipIf(info().backend !== 'native')('the logistic sweep against the reference backend', () => {
  // m = 1, 3, 7: only a tail chunk; 8, 16: no tail; 9, 17, 100: blocks and a tail. n = 1, 5: no full
  // block of eight examples; 13, 2101: blocks and single examples; 2101 also splits among 2 threads.
  const shapes = [[1, 13], [3, 5], [7, 2101], [8, 1], [9, 13], [16, 2101], [17, 5], [100, 2101]] as const;
  it.each([1, 2])('m × n in %d thread(s): costs, weights and bias to 1e-12 relative', (threads) => {
    const before = getThreads();
    setThreads(threads);
    try {
      for (const [m, n] of shapes) {
        const { X, y } = randomLogisticData(100 + m, n, m);
        // Five full-batch steps, every cost recorded: the sweep runs at w = 0 and at four non-zero w.
        const opts = { learningRate: 0.3, iterations: 5, recordEvery: 1 };
        const nat = new LogisticRegression({ ...opts, backend: 'native' });
        const ref = new LogisticRegression({ ...opts, backend: 'reference' });
        // The targets as an n × 1 Matrix of 0/1 (classes 0, 1): as labels, n = 1 (or an unlucky small n)
        // would hold one class only, which a fit refuses since 0.2.0; the computation is the same.
        const T = new Matrix(n, 1, y.slice());
        const cn = nat.fitSync(X, T).costs, cr = ref.fitSync(X, T).costs;
        // Why 1e-12: the two sum the same terms in different orders (eight lanes and a tree, partial
        // sums per thread, against plain loops), ~m·ε relative per dot product and ~n·ε per gradient
        // sum, over five steps of a contraction: well below 1e-12 of the largest entry.
        const scale = Math.max(...Array.from(ref.weights, Math.abs), Math.abs(ref.bias), 1e-300);
        for (let k = 0; k < m; k++) expect(Math.abs(nat.weights[k]! - ref.weights[k]!) / scale, `m ${m} n ${n} w[${k}]`).toBeLessThan(1e-12);
        expect(Math.abs(nat.bias - ref.bias) / scale, `m ${m} n ${n} b`).toBeLessThan(1e-12);
        cn.forEach((c, i) => expect(Math.abs(c - cr[i]!) / cr[i]!, `m ${m} n ${n} cost ${i}`).toBeLessThan(1e-12));
      }
    } finally {
      setThreads(before);
    }
  });
});

describe.skipIf(info().backend !== 'native')('the sweep\'s row-padded copy (m not a multiple of 8)', () => {
  // From its 32nd sweep on, the native fit sweeps a copy of X whose rows are padded with zeros to a
  // multiple of 8 doubles (native/logistic.h, LogisticObjective::bind). Its results must be those of
  // the same data with the zero columns given explicitly: the padded lanes enter every dot product
  // as 0·w (w starts at 0 there and its gradient is 0) and the dw update as scratch. 60 iterations:
  // the first 31 sweep X in place, the rest the copy. Exact equality: the operations and their
  // order are the same, only where the zeros come from differs.
  it.each([[3, 8], [100, 104], [13, 16]] as const)('m = %d matches the same rows with zero columns to %d, bit for bit, at 1 and 2 threads', (m, padded) => {
    const before = getThreads();
    try {
      for (const threads of [1, 2]) {
        setThreads(threads);
        const { X, y } = randomLogisticData(900 + m, 2101, m);
        const Xp = new Float64Array(2101 * padded);
        for (let j = 0; j < 2101; j++) Xp.set(X.data.subarray(j * m, (j + 1) * m), j * padded);
        const opts = { learningRate: 0.3, iterations: 60, recordEvery: 1, backend: 'native' as const };
        const a = new LogisticRegression(opts), b = new LogisticRegression(opts);
        const ca = a.fitSync(X, y).costs, cb = b.fitSync(new Matrix(2101, padded, Xp), y).costs;
        expect(Array.from(a.weights)).toEqual(Array.from(b.weights.subarray(0, m)));
        expect(Array.from(b.weights.subarray(m))).toEqual(new Array(padded - m).fill(0));
        expect(a.bias).toBe(b.bias);
        expect(ca).toEqual(cb);
      }
    } finally {
      setThreads(before);
    }
  });
});
