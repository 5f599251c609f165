// W1: logistic regression, m = 100 features, n = 10 000 examples, 1 000 full-batch gradient-descent
// iterations at learningRate 0.01, from w = 0, b = 0 (where fitSync starts), cost recorded at every
// iteration (recordEvery 1, as the peers record it). Also: blasnet with the cost recorded once (what
// recording every cost costs), the memory floor (the addon's plain streaming read of a buffer of
// X's size, × 1 000), which W1's time is reported as a multiple of, and the sweep's two passes alone
// (the kernel's dot products and dw update without σ or the loss, × 1 000).
import { join } from 'node:path';
import { getThreads, info, LogisticRegression, Matrix, setThreads } from '../lib/index.js';
import { nativeAddon } from '../lib/native.js';
import {
  compareResults, fingerprint, gaussian, median, mulberry32, readF64, rowMedian, target, writeF64,
  type BenchConfig, type Check, type Entry, type PeerEntry, type PeerReport, type Workload, type WorkloadContext, type WorkloadResult,
} from './common.js';

const M = 100;
const N = 10_000;
const ITERATIONS = 1000;
const LEARNING_RATE = 0.01;
const SEED = 0x5eed01;
/** Relative tolerance of the check against the reference backend. */
const RTOL = 1e-9;
/** Iterations the reference backend is timed on with --quick (its median is scaled up). */
const QUICK_REFERENCE_ITERATIONS = 100;

interface W1Data {
  X: Matrix;
  y: Float64Array;
  /** The rule the labels come from (not used by the fits). */
  wTrue: Float64Array;
  bTrue: number;
  positives: number;
}

interface W1Result {
  w: Float64Array;
  b: number;
  costs: number[];
}

/**
 * Deterministic data: features standard normal (mulberry32 + Box–Muller), labels from a random
 * linear rule y = [x·w* + b* + ε > 0] with w* ~ N(0, 1/m), b* = 0.25 and noise ε ~ N(0, 0.5²).
 */
export function generateW1(seed = SEED, m = M, n = N): W1Data {
  const normal = gaussian(mulberry32(seed));
  const wTrue = new Float64Array(m);
  for (let k = 0; k < m; k++) wTrue[k] = normal() / Math.sqrt(m);
  const bTrue = 0.25;
  const X = new Float64Array(n * m);
  const y = new Float64Array(n);
  let positives = 0;
  for (let j = 0; j < n; j++) {
    let z = bTrue;
    for (let k = 0; k < m; k++) {
      const v = normal();
      X[j * m + k] = v;
      z += v * wTrue[k]!;
    }
    y[j] = z + 0.5 * normal() > 0 ? 1 : 0;
    positives += y[j]!;
  }
  return { X: new Matrix(n, m, X), y, wTrue, bTrue, positives };
}

/** Streaming reads of X timed for the floor (median taken). */
const FLOOR_READS = 200;
/** The table of the run that records the cost once (at iteration 0) instead of at every iteration. */
const COST_ONCE_TABLE = 'blasnet-native with the cost recorded once (recordEvery 1000): what recording every cost costs';

function fit(data: W1Data, backend: 'native' | 'reference', iterations: number, recordEvery = 1): W1Result {
  const model = new LogisticRegression({ learningRate: LEARNING_RATE, iterations, recordEvery, backend });
  const { costs } = model.fitSync(data.X, data.y);
  return { w: model.weights, b: model.bias, costs };
}

function check(oracle: W1Result, r: { w: ArrayLike<number> | null; b: number | null | undefined; costs: ArrayLike<number | null> | undefined }): Check {
  return compareResults([
    { name: 'w', got: r.w, want: oracle.w },
    { name: 'b', got: r.b, want: oracle.b },
    { name: 'costs', got: r.costs, want: oracle.costs },
  ], RTOL);
}

let data: W1Data | null = null;
let threadsBefore = 1;

export const workload: Workload = {
  id: 'W1',
  title: `logistic regression, m = ${M}, n = ${N}, ${ITERATIONS} iterations, learningRate ${LEARNING_RATE}, float64`,

  params: (config: BenchConfig) => ({
    m: M, n: N, iterations: ITERATIONS, learningRate: LEARNING_RATE, recordEvery: 1, seed: SEED, rtol: RTOL,
    initial: 'w = 0, b = 0',
    referenceIterationsTimed: config.quick ? QUICK_REFERENCE_ITERATIONS : ITERATIONS,
  }),

  dataInfo: () => (data ? {
    generator: 'mulberry32 + Box–Muller; y = [x·w* + b* + 0.5·N(0,1) > 0], w* ~ N(0, 1/m), b* = 0.25',
    fingerprintX: fingerprint(data.X.data), fingerprintY: fingerprint(data.y),
    positives: data.positives,
  } : {}),

  prepare(ctx: WorkloadContext): Entry[] {
    const { quick } = ctx.config;
    const d = (data = generateW1());
    ctx.log(`  data: X ${N}×${M} (fingerprint ${fingerprint(d.X.data)}), ${d.positives} positive labels of ${N}`);

    // The oracle: blasnet's reference backend (plain TS loops) at the full iteration count.
    const t0 = performance.now();
    const oracle = fit(d, 'reference', ITERATIONS);
    ctx.log(`  reference result computed in ${((performance.now() - t0) / 1000).toFixed(1)} s: final cost ${oracle.costs.at(-1)!.toFixed(6)}, b ${oracle.b.toPrecision(6)}`);

    // The peers' inputs: X row-major n×m, Y, the initial weights (zeros; the bias 0 goes in the spec).
    writeF64(join(ctx.dir, 'X.f64'), d.X.data);
    writeF64(join(ctx.dir, 'Y.f64'), d.y);
    writeF64(join(ctx.dir, 'w.f64'), new Float64Array(M));

    const entries: Entry[] = [];
    const native = info().backend === 'native';
    threadsBefore = getThreads();
    if (native) {
      for (const threads of [1, 2]) {
        entries.push({
          kind: 'in-process', impl: 'blasnet-native', threads, baseline: true,
          setup: () => setThreads(threads),
          run: () => fit(d, 'native', ITERATIONS),
          check: (r: W1Result) => check(oracle, r),
          samples: quick ? 3 : 10, warmup: quick ? 0 : 1,
        });
      }
      // The same fit recording the cost once: w and b must be the recorded run's (the cost
      // changes no parameter), and the only cost is the one at iteration 0.
      entries.push({
        kind: 'in-process', impl: 'blasnet-native', threads: 1, table: COST_ONCE_TABLE,
        setup: () => setThreads(1),
        run: () => fit(d, 'native', ITERATIONS, ITERATIONS),
        check: (r: W1Result) => compareResults([
          { name: 'w', got: r.w, want: oracle.w },
          { name: 'b', got: r.b, want: oracle.b },
          { name: 'costs', got: r.costs, want: oracle.costs.slice(0, 1) },
        ], RTOL),
        samples: quick ? 3 : 10, warmup: quick ? 0 : 1,
      });
    } else {
      ctx.log(`  blasnet-native unavailable: ${info().nativeUnavailableReason}`);
    }

    // The reference backend: the oracle run is its check; in --quick it is timed on fewer iterations.
    const refIterations = quick ? QUICK_REFERENCE_ITERATIONS : ITERATIONS;
    entries.push({
      kind: 'in-process', impl: 'blasnet-reference', threads: 1,
      precomputed: oracle,
      run: () => fit(d, 'reference', refIterations),
      check: quick
        ? (r: W1Result) => {
          const c = compareResults([{ name: 'costs', got: r.costs, want: oracle.costs.slice(0, refIterations) }], RTOL);
          return r === oracle ? { ok: true, label: 'oracle' } : c.ok ? { ...c, label: `oracle; ${c.label} on ${refIterations} it.` } : c;
        }
        : (r: W1Result) => (r === oracle ? { ok: true, label: 'oracle' } : { ...check(oracle, r), label: 'oracle (repeatable)' }),
      samples: 3, warmup: 0, blas: false,
      ...(quick ? { scale: ITERATIONS / refIterations } : {}),
      notes: [quick ? `timed on ${refIterations} it., ×${ITERATIONS / refIterations}` : '', 'pure TS'].filter(Boolean),
    });

    const spec = { workload: 'W1', m: M, n: N, iterations: ITERATIONS, learningRate: LEARNING_RATE, b: 0 };
    const peerCheck = (report: PeerReport, out: string): Check => {
      let w: Float64Array | null = null;
      try {
        w = readF64(join(out, 'w.f64'));
      } catch {
        // reported as "w missing"
      }
      return check(oracle, { w, b: report.b, costs: report.costs });
    };
    type PeerOptions = { coretype?: 'blasnet' | 'default'; table?: string; env?: Record<string, string>; once?: boolean };
    const peer = (impl: string, script: string, modules: string[], threads: number, o: PeerOptions = {}): PeerEntry => ({
      kind: 'peer', impl, script, modules, threads, coretype: o.coretype ?? 'blasnet', spec,
      repeats: quick || o.once ? 1 : 5, warmup: quick || o.once ? 0 : 1,
      check: peerCheck,
      ...(o.table ? { table: o.table } : {}),
      ...(o.env ? { env: o.env } : {}),
    });
    for (const threads of [1, 2]) entries.push(peer('numpy', 'numpy_peer.py', ['numpy'], threads));
    // torch's OpenMP threads spin-wait between parallel regions by default; with OpenBLAS's own
    // threads on the same cores that slows it down many times over (see README). The main table
    // runs torch with passive waiting; the default gets one cold run in the full run's own table
    // (one run, since it takes tens of seconds).
    for (const threads of [1, 2]) {
      entries.push(peer('torch', 'torch_peer.py', ['numpy', 'torch'], threads, threads > 1 ? { env: { OMP_WAIT_POLICY: 'PASSIVE' } } : {}));
    }
    // numpy as it comes: OpenBLAS chooses its own kernels (OPENBLAS_CORETYPE unset).
    entries.push(peer('numpy', 'numpy_peer.py', ['numpy'], 1, { coretype: 'default', table: 'numpy out of the box (OPENBLAS_CORETYPE not set)' }));
    if (!quick) entries.push(peer('torch', 'torch_peer.py', ['numpy', 'torch'], 2, { table: 'torch with OpenMP\'s default wait policy (OMP_WAIT_POLICY not set)', once: true }));
    return entries;
  },

  cleanup: () => {
    if (info().backend === 'native') setThreads(threadsBefore);
  },

  finish(result: WorkloadResult) {
    const nat1 = rowMedian(result, 'blasnet-native', 1);
    const nat2 = rowMedian(result, 'blasnet-native', 2);
    const once = rowMedian(result, 'blasnet-native', 1, COST_ONCE_TABLE);
    const numpy = (t: number) => rowMedian(result, 'numpy', t);
    const ratio = (a: number | null, b: number | null) => (a !== null && b !== null ? a / b : null);
    // The floor: one streaming read of a buffer of X's size (n·m doubles) per iteration.
    const addon = nativeAddon();
    let floorMs: number | null = null;
    if (addon && nat1 !== null) {
      setThreads(1);
      const reads = addon.streamRead(N * M, result.quick ? 20 : FLOOR_READS);
      // The sweep's two passes alone (the same block code, σ and the loss left out): what the
      // sweep would take if they cost nothing, at this SIMD level and 1 thread.
      const passes = addon.sweepPasses(M, N, result.quick ? 20 : FLOOR_READS);
      setThreads(threadsBefore);
      floorMs = median(Array.from(reads)) * ITERATIONS;
      const passesMs = median(Array.from(passes)) * ITERATIONS;
      const perIt = floorMs / ITERATIONS;
      result.summary = {
        ...result.summary,
        floorMs, floorReadMs: perIt, floorGBps: (N * M * 8) / (perIt * 1e6),
        timesFloor: { 1: ratio(nat1, floorMs), 2: ratio(nat2, floorMs) },
        sweepPassesMs: passesMs, sweepPassesTimesFloor: passesMs / floorMs,
        recordEveryCost: ratio(nat1, once),
      };
      (result.summaryLines ??= []).push(
        `memory floor: one streaming read of X (${(N * M * 8 / 2 ** 20).toFixed(1)} MiB) takes ${(perIt * 1000).toFixed(0)} µs (${(N * M * 8 / (perIt * 1e6)).toFixed(0)} GB/s), × ${ITERATIONS} iterations = ${floorMs.toFixed(1)} ms; ` +
        `blasnet-native is ${nat1 !== null ? (nat1 / floorMs).toFixed(2) : '—'}× the floor at 1 thread, ${nat2 !== null ? (nat2 / floorMs).toFixed(2) : '—'}× at 2`);
      (result.summaryLines ??= []).push(
        `the sweep's two passes alone (dot products and dw update, as the kernel runs them, σ and the loss left out): ${passesMs.toFixed(1)} ms = ${(passesMs / floorMs).toFixed(2)}× the floor; ` +
        `blasnet-native @1 is ${(nat1 / passesMs).toFixed(2)}× that`);
      if (once !== null) {
        result.summaryLines.push(`recording the cost at every iteration costs ${((nat1 / once - 1) * 100).toFixed(1)} % more than recording it once (1 thread)`);
      }
    }
    result.targets = [
      target('W1', '@1: numpy time ÷ blasnet time', ratio(numpy(1), nat1), { min: 2.5 }),
      target('W1', '@2: numpy time ÷ blasnet time', ratio(numpy(2), nat2), { min: 2 }),
      target('W1', '@1: blasnet time ÷ memory floor', ratio(nat1, floorMs), { max: 1.5 }),
      target('W1', '@1: cost at every iteration, extra time', nat1 !== null && once !== null ? nat1 / once - 1 : null, { max: 0.1 }, (v) => `${(v * 100).toFixed(1)} %`),
    ];
  },
};
