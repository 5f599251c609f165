// Shared by the network workloads (W2–W6): pixel-like data, and for W2/W3 (full-batch training
// of a dense network) the whole workload: problems, oracles, the entries of every implementation,
// GFLOP/s. Not a workload file itself (its name does not match wN-*.ts).
//
// Checking. blasnet's reference backend (plain TS loops) is far too slow for the full problems
// (one W3 iteration takes it over a minute), so the checks form a chain:
//   1. the reference backend runs the *check problem* (the first `check.n` examples, `check.iterations`
//      iterations, same initial parameters): that is the oracle ("ref");
//   2. blasnet-native runs the check problem and must match it (1e-9) before it is trusted;
//   3. every other problem's oracle (the full problem, and the smaller problems slow implementations
//      are timed on) is blasnet-native at 1 thread on exactly that problem ("native"). The full
//      problem's oracle is blasnet-native @1's own timed result.
// In-process implementations are checked twice: their check run is the check problem (against the
// reference), their last timed run against the native oracle of the problem they were timed on.
// The peers run the full problem only, checked against the native oracle.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getThreads, info, Matrix, NeuralNetwork, setThreads } from '../lib/index.js';
import { nativeAddon } from '../lib/native.js';
import {
  compareResults, fingerprint, gaussian, mulberry32, readF64, rowMedian, target, writeF64,
  type BenchConfig, type Check, type Comparison, type Entry, type PeerEntry, type PeerReport, type Workload, type WorkloadContext, type WorkloadResult,
} from './common.js';
import { loadTf, tfTrain, useTfBackend, type BackendFacts, type Tf, type TfBackend } from './tfjs.js';
import type * as TF from '@tensorflow/tfjs';

/** Relative tolerance between float64 implementations. */
export const RTOL64 = 1e-9;
/** Relative tolerance for tfjs (float32) against the float64 oracle: outputs and costs. */
export const RTOL32 = 1e-3;
/**
 * The same for trained parameters. Looser: the bias gradients are means of δ over thousands of
 * examples with heavy cancellation (δ = a − y of both signs), so float32's rounding shows there at
 * ~1e-3 relative after a few iterations; a wrong formula is off by far more than 1e-2.
 */
export const RTOL32_PARAMS = 1e-2;

/**
 * The fit W2 and W3 time: plain full-batch gradient descent, every cost recorded, no early stopping
 * (the peers' algorithm). Spelled out: a network's defaults (Adam in batches of 200, stopping early)
 * would train something else.
 */
export const FULL_BATCH_GD = { optimizer: 'gd', batchSize: 0, shuffle: false, earlyStopping: false, recordEvery: 1 } as const;

export interface Tolerance {
  costs: number;
  params: number;
}
export const TOL64: Tolerance = { costs: RTOL64, params: RTOL64 };
export const TOL32: Tolerance = { costs: RTOL32, params: RTOL32_PARAMS };

// ---- data ----------------------------------------------------------------------------------------

export interface PixelData {
  n: number;
  s0: number;
  outputs: number;
  /** n × s0, row-major: about half the values 0, the others k/255 (like MNIST pixels). */
  X: Float64Array;
  /** n × outputs, 0/1. */
  Y: Float64Array;
  /** Positive labels per output. */
  positives: number[];
}

/**
 * Deterministic pixel-like data: each value is 0 with probability ½, otherwise k/255 with k uniform
 * in 0..255 (mulberry32). Labels from a rule: y_i = [Σ_k r_ik (x_k − ¼) > 0] with r_ik ~ N(0, 1)
 * drawn first, so the first m examples are the same for every n ≥ m.
 */
export function pixelData(seed: number, n: number, s0: number, outputs: number): PixelData {
  const uniform = mulberry32(seed);
  const normal = gaussian(uniform);
  const R = new Float64Array(outputs * s0);
  for (let k = 0; k < R.length; k++) R[k] = normal();
  const X = new Float64Array(n * s0), Y = new Float64Array(n * outputs);
  const positives = new Array<number>(outputs).fill(0);
  const z = new Float64Array(outputs);
  for (let j = 0; j < n; j++) {
    z.fill(0);
    for (let k = 0; k < s0; k++) {
      const v = uniform() < 0.5 ? 0 : Math.round(255 * uniform()) / 255;
      X[j * s0 + k] = v;
      const c = v - 0.25;
      for (let i = 0; i < outputs; i++) z[i] += R[i * s0 + k]! * c;
    }
    for (let i = 0; i < outputs; i++) {
      const y = z[i]! > 0 ? 1 : 0;
      Y[j * outputs + i] = y;
      positives[i] += y;
    }
  }
  return { n, s0, outputs, X, Y, positives };
}

/** The first `n` rows of a row-major array with `cols` columns, as a Matrix (a view, no copy). */
export function firstRows(data: Float64Array, n: number, cols: number): Matrix {
  return new Matrix(n, cols, data.subarray(0, n * cols));
}

/** GEMM flops of one training iteration (forward W[l]A[l−1] for every l, dW[l] for every l, δ[l−1] for l ≥ 2). */
export function trainingFlops(layers: number[], n: number): number {
  let pairs = 0;
  for (let l = 1; l < layers.length; l++) pairs += layers[l]! * layers[l - 1]!;
  return 2 * n * (3 * pairs - layers[0]! * layers[1]!);
}

/** GEMM flops of one forward pass over n examples. */
export function forwardFlops(layers: number[], n: number): number {
  let pairs = 0;
  for (let l = 1; l < layers.length; l++) pairs += layers[l]! * layers[l - 1]!;
  return 2 * n * pairs;
}

/**
 * The products of one training iteration as native/network.cc makes them, [transA, transB, M, N, K]
 * each (column-major; θ's W block is Wᵀ; inside a batch activations and deltas are n × s, unit by
 * unit; X is s0 × n): forward l = 1: Zᵀ = Xᵀ Wᵀ, gemm(T, N, n, s1, s0); l ≥ 2: Zᵀ = A_prevᵀ Wᵀ,
 * gemm(N, N, n, s_l, s_{l−1}); backward l = L..1: dWᵀ = A_prev δ, gemm(T, N, s_{l−1}, s_l, n) for
 * l ≥ 2 and gemm(N, N, s0, s1, n) for l = 1 (X), then for l ≥ 2 δ_prev = δ W, gemm(N, T, n, s_{l−1}, s_l).
 */
export function trainingGemmShapes(layers: number[], n: number): number[][] {
  const shapes: number[][] = [];
  const L = layers.length - 1;
  for (let l = 1; l <= L; l++) shapes.push(l === 1 ? [1, 0, n, layers[1]!, layers[0]!] : [0, 0, n, layers[l]!, layers[l - 1]!]);
  for (let l = L; l >= 1; l--) {
    shapes.push(l === 1 ? [0, 0, layers[0]!, layers[1]!, n] : [1, 0, layers[l - 1]!, layers[l]!, n]);
    if (l > 1) shapes.push([0, 1, n, layers[l - 1]!, layers[l]!]);
  }
  return shapes;
}

/** "10 000" */
export function fmtInt(n: number): string {
  return n.toLocaleString('en-US').replace(/,/g, ' ');
}

function fmtScale(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

// ---- W2/W3: full-batch training -------------------------------------------------------------------

export interface Problem {
  /** The first n examples of the data. */
  n: number;
  iterations: number;
}

export interface NetSizes {
  n: number;
  iterations: number;
  /** The problem checked against the reference backend (its n should exceed one block of examples). */
  check: Problem;
  /** What the reference backend is timed on (its median is scaled to the full problem). */
  reference: Problem;
  /** What tfjs is timed on, per backend (scaled likewise). */
  tfjs: Record<TfBackend, Problem>;
  /** tinybench samples of blasnet-native on the full problem. */
  nativeSamples: number;
  /** gemmSequence repeats of one iteration's products (when the workload times them). */
  gemmRepeats: number;
  /** Thread counts the peers run at (main table). */
  peerThreads: number[];
}

export interface TrainWorkloadSpec {
  id: string;
  layers: number[];
  hidden: 'tanh' | 'relu';
  learningRate: number;
  dataSeed: number;
  netSeed: number;
  full: NetSizes;
  quick: NetSizes;
  /** Time the addon's dgemm on the iteration's products (gemmSequence) and report native's share of that rate. */
  dgemm: boolean;
  /**
   * Measure blasnet-native's peak RSS on the full problem in a child process (rss-child.ts) and
   * report it with every peer's (their max_rss_kib), against this many MiB.
   */
  rssTargetMiB?: number;
}

interface NetResult {
  problem: Problem;
  costs: ArrayLike<number | null>;
  W: ArrayLike<number>[];
  b: ArrayLike<number>[];
}

interface Oracle {
  result: NetResult;
  source: 'ref' | 'native';
}

const key = (p: Problem) => `${p.n}×${p.iterations}`;
const sameProblem = (a: Problem, b: Problem) => a.n === b.n && a.iterations === b.iterations;

function compareNet(got: NetResult, want: NetResult, tol: Tolerance): Check {
  const costs = compareResults([{ name: 'costs', got: got.costs, want: Array.from(want.costs as ArrayLike<number>) }], tol.costs);
  const c: Comparison[] = [];
  want.W.forEach((w, l) => c.push({ name: `W${l + 1}`, got: got.W[l], want: w }));
  want.b.forEach((b, l) => c.push({ name: `b${l + 1}`, got: got.b[l], want: b }));
  const params = compareResults(c, tol.params);
  const maxRelErr = { ...costs.maxRelErr, ...params.maxRelErr };
  if (!costs.ok || !params.ok) {
    const why = [costs, params].filter((x) => !x.ok).map((x) => x.label.replace(/^WRONG: /, '')).join(', ');
    return { ok: false, label: `WRONG: ${why}`, maxRelErr };
  }
  // the label shows the costs' error (params' error is in the JSON) when tolerances differ
  const shown = tol.costs === tol.params ? Math.max(0, ...Object.values(maxRelErr)) : costs.maxRelErr!.costs!;
  return { ok: true, label: `ok (${shown.toExponential(0)})`, maxRelErr };
}

/** Builds the W2/W3 workload from its description. */
export function trainWorkload(spec: TrainWorkloadSpec): Workload {
  const s0 = spec.layers[0]!, sL = spec.layers[spec.layers.length - 1]!;
  const arch = `${spec.layers.join('-')} (${spec.hidden} hidden, sigmoid output${sL > 1 ? 's' : ''}, cross-entropy${sL > 1 ? ` summed over the ${sL} outputs` : ''})`;
  const sizesOf = (config: BenchConfig) => (config.quick ? spec.quick : spec.full);
  let data: PixelData | null = null;
  let threadsBefore = 1;
  const cleanups: (() => void)[] = [];

  return {
    id: spec.id,
    title: (config) => {
      const z = sizesOf(config);
      return `${arch}, n = ${fmtInt(z.n)}, ${z.iterations} full-batch gd iterations, learningRate ${spec.learningRate}, float64${config.quick ? ' [quick sizes]' : ''}`;
    },

    params: (config) => {
      const z = sizesOf(config);
      return {
        layers: spec.layers, hidden: spec.hidden, output: 'sigmoid', loss: 'cross-entropy', n: z.n, iterations: z.iterations,
        learningRate: spec.learningRate, dataSeed: spec.dataSeed, netSeed: spec.netSeed, initial: `new NeuralNetwork({ seed: ${spec.netSeed} }).parameters`,
        checkProblem: z.check, referenceTimedOn: z.reference, tfjsTimedOn: z.tfjs, rtolFloat64: RTOL64, rtolFloat32: TOL32,
        flopsPerIteration: trainingFlops(spec.layers, z.n),
        ...(spec.dgemm ? { gemmShapes: trainingGemmShapes(spec.layers, z.n), gemmRepeats: z.gemmRepeats } : {}),
      };
    },

    dataInfo: () => (data ? {
      generator: 'pixel-like: 0 with probability 1/2, else k/255 (mulberry32); y_i = [Σ_k r_ik (x_k − 1/4) > 0], r_ik ~ N(0, 1)',
      fingerprintX: fingerprint(data.X), fingerprintY: fingerprint(data.Y), positives: data.positives,
    } : {}),

    async prepare(ctx: WorkloadContext): Promise<Entry[]> {
      const { quick } = ctx.config;
      const z = sizesOf(ctx.config);
      const d = (data = pixelData(spec.dataSeed, z.n, s0, sL));
      ctx.log(`  data: X ${fmtInt(z.n)}×${s0} (fingerprint ${fingerprint(d.X)}), positive labels ${d.positives.join(', ')} of ${fmtInt(z.n)}`);
      const full: Problem = { n: z.n, iterations: z.iterations };
      const init = new NeuralNetwork({ layers: spec.layers, hidden: spec.hidden, output: 'sigmoid', seed: spec.netSeed, backend: 'reference' }).parameters;

      const native = info().backend === 'native';
      const refNet = new NeuralNetwork({ layers: spec.layers, hidden: spec.hidden, output: 'sigmoid', seed: spec.netSeed, backend: 'reference' });
      const nativeNet = native ? new NeuralNetwork({ layers: spec.layers, hidden: spec.hidden, output: 'sigmoid', seed: spec.netSeed, backend: 'native' }) : null;
      const fitBlasnet = (net: NeuralNetwork, p: Problem): NetResult => {
        net.setParameters(init);
        const { costs } = net.fitSync(firstRows(d.X, p.n, s0), firstRows(d.Y, p.n, sL), { ...FULL_BATCH_GD, epochs: p.iterations, learningRate: spec.learningRate });
        const { W, b } = net.parameters;
        return { problem: p, costs, W, b };
      };

      // 1. The oracle: the reference backend on the check problem.
      const oracles = new Map<string, Oracle>();
      let t0 = performance.now();
      const refOracle = fitBlasnet(refNet, z.check);
      oracles.set(key(z.check), { result: refOracle, source: 'ref' });
      ctx.log(`  reference on the check problem (${fmtInt(z.check.n)} examples × ${z.check.iterations} it.) in ${((performance.now() - t0) / 1000).toFixed(1)} s: costs ${Array.from(refOracle.costs as number[], (c) => c.toFixed(6)).join(', ')}`);

      // 2. blasnet-native must match it before it is trusted as the oracle of the other problems.
      let nativeTrusted = false;
      if (nativeNet) {
        const c = compareNet(fitBlasnet(nativeNet, z.check), refOracle, TOL64);
        nativeTrusted = c.ok;
        ctx.log(`  blasnet-native on the check problem: ${c.label}${c.ok ? '' : ' — other problems cannot be checked'}`);
      } else {
        ctx.log(`  blasnet-native unavailable (${info().nativeUnavailableReason}): only the check problem can be checked`);
      }
      // 3. Other problems: blasnet-native at 1 thread (the full problem: native @1's own timed result).
      const oracleFor = (p: Problem): Oracle | null => {
        const o = oracles.get(key(p));
        if (o) return o;
        if (!nativeTrusted || !nativeNet || sameProblem(p, full)) return null;
        const threads = getThreads();
        setThreads(1);
        try {
          const r = { result: fitBlasnet(nativeNet, p), source: 'native' as const };
          oracles.set(key(p), r);
          return r;
        } finally {
          setThreads(threads);
        }
      };
      const checkWith = (tol: Tolerance) => (r: NetResult): Check => {
        const o = oracleFor(r.problem);
        if (!o) return { ok: false, label: `WRONG: no oracle for ${key(r.problem)} (blasnet-native unavailable or wrong)` };
        if (o.result === r) return { ok: true, label: 'is the native oracle' };
        const c = compareNet(r, o.result, tol);
        return c.ok ? { ...c, label: `${c.label} ${o.source}` } : { ...c, label: `${c.label} (vs ${o.source})` };
      };

      // The peers' inputs: X n×s0, Y n×sL (row-major), W<l> s_l×s_{l−1}, b<l>.
      writeF64(join(ctx.dir, 'X.f64'), d.X);
      writeF64(join(ctx.dir, 'Y.f64'), d.Y);
      init.W.forEach((w, l) => writeF64(join(ctx.dir, `W${l + 1}.f64`), w));
      init.b.forEach((b, l) => writeF64(join(ctx.dir, `b${l + 1}.f64`), b));

      const entries: Entry[] = [];
      threadsBefore = getThreads();
      const DGEMM_TABLE = 'the addon\'s dgemm alone: one iteration\'s products back to back (gemmSequence), × iterations';
      const addon = nativeAddon();
      if (nativeNet) {
        for (const threads of [1, 2]) {
          entries.push({
            kind: 'in-process', impl: 'blasnet-native', threads, baseline: true,
            setup: () => setThreads(threads),
            checkRun: () => fitBlasnet(nativeNet, z.check),
            run: () => fitBlasnet(nativeNet, full),
            check: (r: NetResult) => {
              // native @1's first checked full result becomes the full problem's oracle
              if (threads === 1 && nativeTrusted && sameProblem(r.problem, full) && !oracles.has(key(full))) oracles.set(key(full), { result: r, source: 'native' });
              return checkWith(TOL64)(r);
            },
            showTimedCheck: true,
            samples: z.nativeSamples, warmup: 0,
          });
          if (spec.dgemm && addon) {
            const shapes = Float64Array.from(trainingGemmShapes(spec.layers, z.n).flat());
            entries.push({
              kind: 'in-process', impl: 'addon dgemm ×' + shapes.length / 5, threads, table: DGEMM_TABLE,
              setup: () => setThreads(threads),
              checkRun: () => addon.gemmSequence(shapes, 1),
              run: () => addon.gemmSequence(shapes, z.gemmRepeats),
              selfTimed: (r: Float64Array) => Array.from(r),
              check: () => ({ ok: true, label: 'n/a (synthetic operands)' }),
              samples: 1, warmup: 0, scale: z.iterations,
              notes: [`median of ${z.gemmRepeats} sequences, ×${z.iterations} iterations`],
            });
          }
        }
      }

      // The reference backend: its check-problem run is the oracle; timed on a smaller problem, scaled.
      const refScale = (z.n / z.reference.n) * (z.iterations / z.reference.iterations);
      entries.push({
        kind: 'in-process', impl: 'blasnet-reference', threads: 1, blas: false,
        precomputed: refOracle,
        run: () => fitBlasnet(refNet, z.reference),
        check: (r: NetResult) => (r === refOracle ? { ok: true, label: 'oracle' } : checkWith(TOL64)(r)),
        showTimedCheck: true,
        samples: 1, warmup: 0, scale: refScale,
        notes: [`timed on ${fmtInt(z.reference.n)} ex. × ${z.reference.iterations} it., ×${fmtScale(refScale)}`, 'pure TS'],
      });

      // The Python peers: the full problem, one cold run each (the first of 10–100 iterations warms up).
      const peerSpec = { workload: spec.id, layers: spec.layers, hidden: spec.hidden, output: 'sigmoid', n: z.n, iterations: z.iterations, learningRate: spec.learningRate };
      const peerCheck = (report: PeerReport, out: string): Check => {
        const read = (name: string) => {
          try {
            return readF64(join(out, name));
          } catch {
            return null as unknown as Float64Array; // reported as missing
          }
        };
        const L = spec.layers.length - 1;
        return checkWith(TOL64)({
          problem: full, costs: report.costs ?? [],
          W: Array.from({ length: L }, (_, l) => read(`W${l + 1}.f64`)),
          b: Array.from({ length: L }, (_, l) => read(`b${l + 1}.f64`)),
        });
      };
      type PeerOptions = { coretype?: 'blasnet' | 'default'; table?: string; env?: Record<string, string> };
      const peer = (impl: string, script: string, modules: string[], threads: number, o: PeerOptions = {}): PeerEntry => ({
        kind: 'peer', impl, script, modules, threads, coretype: o.coretype ?? 'blasnet', spec: peerSpec,
        repeats: 1, warmup: 0, check: peerCheck,
        ...(o.table ? { table: o.table } : {}),
        ...(o.env ? { env: o.env } : {}),
      });
      for (const threads of z.peerThreads) entries.push(peer('numpy', 'numpy_peer.py', ['numpy'], threads));
      for (const threads of z.peerThreads) {
        entries.push(peer('torch', 'torch_peer.py', ['numpy', 'torch'], threads, threads > 1 ? { env: { OMP_WAIT_POLICY: 'PASSIVE' } } : {}));
      }

      // TensorFlow.js, float32: checked on the check problem against the reference, timed on a smaller problem.
      const tfl = await loadTf();
      for (const backend of ['cpu', 'wasm'] as const) {
        const impl = `tfjs-${backend}`;
        if ('why' in tfl) {
          entries.push({ kind: 'skipped', impl, threads: 1, reason: tfl.why });
          continue;
        }
        const { tf, version } = tfl;
        let facts: BackendFacts;
        try {
          facts = await useTfBackend(tf, backend);
        } catch (err) {
          entries.push({ kind: 'skipped', impl, threads: 1, reason: `tfjs backend ${backend}: ${(err as Error).message}` });
          continue;
        }
        const tp = z.tfjs[backend];
        const scale = (z.n / tp.n) * (z.iterations / tp.iterations);
        let tensors: { check: [TF.Tensor2D, TF.Tensor2D]; timed: [TF.Tensor2D, TF.Tensor2D] } | null = null;
        const makeTensors = (tfx: Tf, p: Problem): [TF.Tensor2D, TF.Tensor2D] => [
          tfx.tensor2d(Float32Array.from(d.X.subarray(0, p.n * s0)), [p.n, s0]),
          tfx.tensor2d(Float32Array.from(d.Y.subarray(0, p.n * sL)), [p.n, sL]),
        ];
        const release = () => {
          if (tensors) for (const t of [...tensors.check, ...tensors.timed]) t.dispose();
          tensors = null;
        };
        cleanups.push(release);
        const train = (which: 'check' | 'timed', p: Problem): NetResult => {
          const [X, Y] = tensors![which];
          const r = tfTrain(tf, { sizes: spec.layers, hidden: spec.hidden, output: 'sigmoid' }, init, X, Y, p.iterations, spec.learningRate);
          return { problem: p, costs: r.costs, W: r.W, b: r.b };
        };
        entries.push({
          kind: 'in-process', impl: `tfjs-${backend} ${version}`, threads: facts.threads, blas: false,
          setup: async () => {
            await useTfBackend(tf, backend);
            tensors = { check: makeTensors(tf, z.check), timed: makeTensors(tf, tp) };
          },
          teardown: release,
          checkRun: () => train('check', z.check),
          run: () => train('timed', tp),
          check: checkWith(TOL32),
          showTimedCheck: true,
          samples: 1, warmup: 0,
          ...(scale !== 1 ? { scale } : {}),
          notes: [...facts.notes, ...(scale !== 1 ? [`timed on ${fmtInt(tp.n)} ex. × ${tp.iterations} it., ×${fmtScale(scale)}`] : []), `rtol ${RTOL32} costs, ${RTOL32_PARAMS} params`],
        });
      }

      // Out of the box: the peers as a user gets them (OpenBLAS picks its own kernels, OpenMP's default
      // wait policy), at blasnet's default thread count, against blasnet's defaults (the native row at
      // that thread count). torch's default wait policy can be very slow here: full run only.
      const defaultThreads = ctx.machine.blas.threads ?? 1;
      const OOB = `out of the box: peers with OPENBLAS_CORETYPE and OMP_WAIT_POLICY not set, ${defaultThreads} threads (blasnet's default)`;
      entries.push(peer('numpy', 'numpy_peer.py', ['numpy'], defaultThreads, { coretype: 'default', table: OOB }));
      if (!quick) entries.push(peer('torch', 'torch_peer.py', ['numpy', 'torch'], defaultThreads, { coretype: 'default', table: OOB }));
      return entries;
    },

    cleanup: () => {
      for (const c of cleanups.splice(0)) c();
      if (info().backend === 'native') setThreads(threadsBefore);
    },

    finish: (result: WorkloadResult) => {
      const n = result.params.n as number, iterations = result.params.iterations as number;
      const flops = trainingFlops(spec.layers, n) * iterations;
      const gflops = (ms: number) => flops / (ms * 1e-3) / 1e9;
      for (const r of result.rows) {
        if (!r.timing) continue;
        r.metrics = { ...r.metrics, gflops: gflops(r.timing.medianMs) };
        r.notes.push(`${gflops(r.timing.medianMs).toFixed(1)} GFLOP/s`);
      }
      if (spec.id === 'W2') {
        const nat2 = rowMedian(result, 'blasnet-native', 2), numpy2 = rowMedian(result, 'numpy', 2);
        (result.targets ??= []).push(target('W2', '@2: numpy time ÷ blasnet time', nat2 !== null && numpy2 !== null ? numpy2 / nat2 : null, { min: 1.3 }));
      }
      if (spec.rssTargetMiB !== undefined) peakMemory(result, spec, spec.rssTargetMiB);
      if (!spec.dgemm) return;
      const fractions: Record<string, number> = {};
      const lines: string[] = [];
      for (const nat of result.rows.filter((r) => r.impl === 'blasnet-native' && r.timing)) {
        const dg = result.rows.find((r) => r.impl.startsWith('addon dgemm') && r.threads === nat.threads && r.timing);
        if (!dg) continue;
        const f = dg.timing!.medianMs / nat.timing!.medianMs;
        fractions[String(nat.threads)] = f;
        nat.metrics = { ...nat.metrics, fractionOfDgemmRate: f };
        nat.notes.push(`${(100 * f).toFixed(1)} % of the addon's dgemm rate (target ≥ 95 %)`);
        lines.push(`${spec.id} @${nat.threads}: blasnet-native ${gflops(nat.timing!.medianMs).toFixed(1)} GFLOP/s = ${(100 * f).toFixed(1)} % of the addon's dgemm rate on the same products (${gflops(dg.timing!.medianMs).toFixed(1)} GFLOP/s); target ≥ 95 %${f >= 0.95 ? ': met' : ': NOT met'}`);
      }
      result.summary = { ...result.summary, flopsPerRun: flops, fractionOfDgemmRate: fractions, fractionTarget: 0.95 };
      (result.targets ??= []).push(target(spec.id, '@2: share of the addon\'s dgemm rate on the same products', fractions['2'], { min: 0.95 }, (v) => `${(v * 100).toFixed(1)} %`));
      result.summaryLines = [...(result.summaryLines ?? []), `GFLOP/s = ${(flops / 1e9).toFixed(1)} GFLOP (the gemm products of ${iterations} iterations) ÷ median time.`, ...lines];
    },
  };
}

/**
 * Peak memory of the training workload: blasnet-native on the full problem at blasnet's default
 * thread count in a child process (its maxRSS: Node, the addon, the data and the fit), and each
 * peer's own peak RSS from its report. Goes into the summary, the printed lines and a target.
 */
function peakMemory(result: WorkloadResult, spec: TrainWorkloadSpec, targetMiB: number): void {
  const n = result.params.n as number, iterations = result.params.iterations as number;
  const threads = result.machine.blas.threads ?? 1;
  const child = join(dirname(fileURLToPath(import.meta.url)), 'rss-child.js');
  const arg = JSON.stringify({ layers: spec.layers, hidden: spec.hidden, learningRate: spec.learningRate, dataSeed: spec.dataSeed, netSeed: spec.netSeed, n, iterations, threads });
  const r = spawnSync(process.execPath, [child, arg], { encoding: 'utf8', timeout: 600_000 });
  const lines: string[] = [];
  let mib: number | null = null;
  const toMiB = (kib: number) => kib / 1024;
  if (r.status === 0) {
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { maxRssKiB: number; maxRssBeforeFitKiB: number; dataBytes: number };
    mib = toMiB(out.maxRssKiB);
    lines.push(`peak RSS, blasnet-native @${threads} (a child process training the full problem once): ${mib.toFixed(0)} MiB (${toMiB(out.maxRssBeforeFitKiB).toFixed(0)} MiB before the fit, the data ${(out.dataBytes / 2 ** 20).toFixed(0)} MiB); target ≤ ${targetMiB} MiB`);
  } else {
    lines.push(`peak RSS, blasnet-native: the child process failed (${r.status ?? r.signal}): ${(r.stderr || '').trim().split('\n').at(-1)}`);
  }
  const peers: Record<string, number> = {};
  for (const row of result.rows) {
    const kib = (row.peer?.extra as { max_rss_kib?: number } | undefined)?.max_rss_kib;
    if (typeof kib !== 'number') continue;
    const name = `${row.impl} @${row.threads}${row.table === 'main' ? '' : ` (${row.table.split(/[:(]/)[0]!.trim()})`}`;
    peers[name] = toMiB(kib);
    (row.metrics ??= {}).peakRssMiB = toMiB(kib);
  }
  if (Object.keys(peers).length > 0) lines.push(`peak RSS of the peers (their own processes): ${Object.entries(peers).map(([k, v]) => `${k} ${v.toFixed(0)} MiB`).join(', ')}`);
  result.summary = { ...result.summary, peakRssMiB: { blasnet: mib, ...peers } };
  result.summaryLines = [...(result.summaryLines ?? []), ...lines];
  (result.targets ??= []).push(target(spec.id, `peak RSS of the blasnet-native process @${threads}`, mib, { max: targetMiB }, (v) => `${v.toFixed(0)} MiB`));
}

/**
 * The numpy and torch rows of a prediction workload (W4, W5): each peer writes its outputs to A.f64,
 * checked with `checkOutputs`; torch at several threads runs with OMP_WAIT_POLICY=PASSIVE (see README).
 */
export function predictionPeers(spec: Record<string, unknown>, z: { peerThreads: number[]; peerRepeats: number; peerWarmup: number },
  checkOutputs: (got: Float64Array | null) => Check, perCall?: number): PeerEntry[] {
  const peer = (impl: string, script: string, modules: string[], threads: number, env?: Record<string, string>): PeerEntry => ({
    kind: 'peer', impl, script, modules, threads, coretype: 'blasnet', spec,
    repeats: z.peerRepeats, warmup: z.peerWarmup,
    ...(perCall !== undefined ? { perCall } : {}),
    check: (_report, out) => {
      let a: Float64Array | null = null;
      try {
        a = readF64(join(out, 'A.f64'));
      } catch {
        // a missing file is reported by the check as a missing result
      }
      return checkOutputs(a);
    },
    ...(env ? { env } : {}),
  });
  return [
    ...z.peerThreads.map((threads) => peer('numpy', 'numpy_peer.py', ['numpy'], threads)),
    ...z.peerThreads.map((threads) => peer('torch', 'torch_peer.py', ['numpy', 'torch'], threads, threads > 1 ? { OMP_WAIT_POLICY: 'PASSIVE' } : undefined)),
  ];
}
