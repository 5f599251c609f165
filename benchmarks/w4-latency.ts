// W4: single-example prediction latency of a 784-128-10 network (relu hidden layer, softmax output),
// parameters from new NeuralNetwork({ seed }), in µs per call: blasnet's predictSync and await predict
// (native; one example is under predict's inline threshold, so the Promise is resolved on the calling
// thread), the libuv round trip (3 examples, above the threshold, against predictSync of the same 3),
// the reference backend, the numpy and torch peers (their W4: a loop of forward passes of
// one example), and TensorFlow.js (cpu and wasm: a tf.tidy'd matMul chain, then dataSync).
// In-process rows are timed with tinybench: each sample is a loop of CALLS calls (so the
// clock's resolution and tinybench's own per-sample cost stay negligible); the median sample ÷ CALLS
// is reported. The peers time `calls` calls per run themselves; likewise ÷ calls.
import { join } from 'node:path';
import { getThreads, info, Matrix, NeuralNetwork, setThreads } from '../lib/index.js';
import {
  compareResults, fingerprint, rowMedian, target, writeF64,
  type BenchConfig, type Check, type Entry, type Workload, type WorkloadContext,
} from './common.js';
import { pixelData, predictionPeers, RTOL32, RTOL64 } from './nets.js';
import { disposePredictParams, loadTf, tfPredict, tfPredictParams, useTfBackend, type TfPredictParams } from './tfjs.js';
import type * as TF from '@tensorflow/tfjs';

const LAYERS = [784, 128, 10];
const DATA_SEED = 0x5eed04;
const NET_SEED = 4;
/** Calls per tinybench sample (in-process rows). */
const CALLS = 100;
/** Examples of the round-trip rows: 3 × 101 632 multiply-adds is above predict's inline threshold (2^18). */
const HOP_EXAMPLES = 3;
const HOP_TABLE = `the libuv round trip: ${HOP_EXAMPLES} examples (above predict's inline threshold, so await predict goes through the thread pool)`;

interface Sizes {
  samples: number;
  warmup: number;
  /** Calls per run of a peer, and its runs. */
  peerCalls: number;
  peerRepeats: number;
  peerWarmup: number;
  peerThreads: number[];
}
const FULL: Sizes = { samples: 200, warmup: 10, peerCalls: 2000, peerRepeats: 5, peerWarmup: 1, peerThreads: [1, 2] };
const QUICK: Sizes = { samples: 20, warmup: 2, peerCalls: 200, peerRepeats: 1, peerWarmup: 0, peerThreads: [1] };

let threadsBefore = 1;
let x: Matrix | null = null;
const cleanups: (() => void)[] = [];

export const workload: Workload = {
  id: 'W4',
  title: '784-128-10 (relu, softmax): latency of one prediction of one example, µs per call',
  unit: 'µs',

  params: (config: BenchConfig) => {
    const z = config.quick ? QUICK : FULL;
    return {
      layers: LAYERS, hidden: 'relu', output: 'softmax', dataSeed: DATA_SEED, netSeed: NET_SEED,
      callsPerSample: CALLS, samples: z.samples, warmup: z.warmup, peerCallsPerRun: z.peerCalls, peerRuns: z.peerRepeats,
      rtolFloat64: RTOL64, rtolFloat32: RTOL32,
    };
  },

  dataInfo: () => (x ? { generator: 'one pixel-like example (nets.ts pixelData)', fingerprintX: fingerprint(x.data) } : {}),

  async prepare(ctx: WorkloadContext): Promise<Entry[]> {
    const z = ctx.config.quick ? QUICK : FULL;
    const example = (x = new Matrix(1, LAYERS[0]!, pixelData(DATA_SEED, 1, LAYERS[0]!, 1).X));
    const make = (backend: 'native' | 'reference') => new NeuralNetwork({ layers: LAYERS, hidden: 'relu', output: 'softmax', seed: NET_SEED, backend });
    const refNet = make('reference');
    const init = refNet.parameters;
    refNet.setParameters(init); // the seeded initial parameters, marked as fitted so predict* answers
    const oracle = refNet.predictProbaSync(example).data;
    ctx.log(`  reference probabilities: ${Array.from(oracle, (p) => p.toFixed(4)).join(' ')}`);
    const check = (rtol: number) => (got: ArrayLike<number> | null): Check => compareResults([{ name: 'probabilities', got, want: oracle }], rtol);

    writeF64(join(ctx.dir, 'X.f64'), example.data);
    init.W.forEach((w, l) => writeF64(join(ctx.dir, `W${l + 1}.f64`), w));
    init.b.forEach((b, l) => writeF64(join(ctx.dir, `b${l + 1}.f64`), b));

    const entries: Entry[] = [];
    threadsBefore = getThreads();
    const timing = { samples: z.samples, warmup: z.warmup, perCall: CALLS };
    if (info().backend === 'native') {
      const net = make('native');
      net.setParameters(init); // as the reference: the seeded initial parameters, marked as fitted
      for (const threads of [1, 2]) {
        entries.push({
          kind: 'in-process', impl: 'blasnet-native predictSync', threads, baseline: true, ...timing,
          setup: () => setThreads(threads),
          run: () => {
            let out!: Matrix;
            for (let i = 0; i < CALLS; i++) out = net.predictProbaSync(example);
            return out.data;
          },
          check: check(RTOL64),
        });
        entries.push({
          kind: 'in-process', impl: 'blasnet-native await predict', threads, ...timing, async: true,
          setup: () => setThreads(threads),
          run: async () => {
            let out!: Matrix;
            for (let i = 0; i < CALLS; i++) out = await net.predictProba(example);
            return out.data;
          },
          check: check(RTOL64),
        });
      }
      // The thread-pool path, timed against predictSync of the same examples.
      const three = new Matrix(HOP_EXAMPLES, LAYERS[0]!, pixelData(DATA_SEED, HOP_EXAMPLES, LAYERS[0]!, 1).X);
      const threeOracle = refNet.predictProbaSync(three).data;
      const threeCheck = (got: ArrayLike<number>): Check => compareResults([{ name: 'probabilities', got, want: threeOracle }], RTOL64);
      for (const threads of [1, 2]) {
        entries.push({
          kind: 'in-process', impl: `blasnet-native predictSync ×${HOP_EXAMPLES}`, threads, table: HOP_TABLE, ...timing,
          setup: () => setThreads(threads),
          run: () => {
            let out!: Matrix;
            for (let i = 0; i < CALLS; i++) out = net.predictProbaSync(three);
            return out.data;
          },
          check: threeCheck,
        });
        entries.push({
          kind: 'in-process', impl: `blasnet-native await predict ×${HOP_EXAMPLES}`, threads, table: HOP_TABLE, ...timing, async: true,
          setup: () => setThreads(threads),
          run: async () => {
            let out!: Matrix;
            for (let i = 0; i < CALLS; i++) out = await net.predictProba(three);
            return out.data;
          },
          check: threeCheck,
        });
      }
    } else {
      ctx.log(`  blasnet-native unavailable: ${info().nativeUnavailableReason}`);
    }
    entries.push({
      kind: 'in-process', impl: 'blasnet-reference predictSync', threads: 1, blas: false, ...timing,
      run: () => {
        let out!: Matrix;
        for (let i = 0; i < CALLS; i++) out = refNet.predictProbaSync(example);
        return out.data;
      },
      check: (r: Float64Array) => (compareResults([{ name: 'probabilities', got: r, want: oracle }], 0).ok ? { ok: true, label: 'oracle' } : check(RTOL64)(r)),
      notes: ['pure TS'],
    });

    const spec = { workload: 'W4', layers: LAYERS, hidden: 'relu', output: 'softmax', calls: z.peerCalls };
    entries.push(...predictionPeers(spec, z, check(RTOL64), z.peerCalls));

    const tfl = await loadTf();
    for (const backend of ['cpu', 'wasm'] as const) {
      if ('why' in tfl) {
        entries.push({ kind: 'skipped', impl: `tfjs-${backend}`, threads: 1, reason: tfl.why });
        continue;
      }
      const { tf, version } = tfl;
      let facts;
      try {
        facts = await useTfBackend(tf, backend);
      } catch (err) {
        entries.push({ kind: 'skipped', impl: `tfjs-${backend}`, threads: 1, reason: (err as Error).message });
        continue;
      }
      let state: { p: TfPredictParams; X: TF.Tensor2D } | null = null;
      const release = () => {
        if (state) {
          disposePredictParams(state.p);
          state.X.dispose();
        }
        state = null;
      };
      cleanups.push(release);
      const tspec = { sizes: LAYERS, hidden: 'relu' as const, output: 'softmax' as const };
      entries.push({
        kind: 'in-process', impl: `tfjs-${backend} ${version}`, threads: facts.threads, blas: false, ...timing,
        setup: async () => {
          await useTfBackend(tf, backend);
          state = { p: tfPredictParams(tf, tspec, init.W, init.b), X: tf.tensor2d(Float32Array.from(example.data), [1, LAYERS[0]!]) };
        },
        teardown: release,
        run: () => {
          let out!: Float32Array;
          for (let i = 0; i < CALLS; i++) out = tfPredict(tf, tspec, state!.p, state!.X);
          return out;
        },
        check: check(RTOL32),
        notes: [...facts.notes, `rtol ${RTOL32}`],
      });
    }
    return entries;
  },

  cleanup: () => {
    for (const c of cleanups.splice(0)) c();
    if (info().backend === 'native') setThreads(threadsBefore);
  },

  finish: (result) => {
    for (const r of result.rows) {
      if (!r.timing) continue;
      r.metrics = { ...r.metrics, usPerCall: r.timing.medianMs * 1000, callsPerSecond: 1000 / r.timing.medianMs };
    }
    const ratio = (a: number | null, b: number | null) => (a !== null && b !== null ? a / b : null);
    const us = (v: number | null) => (v === null ? '—' : `${(v * 1000).toFixed(1)} µs`);
    result.targets = [];
    const hop: Record<number, number | null> = {};
    for (const t of [1, 2]) {
      const sync = rowMedian(result, 'blasnet-native predictSync', t), inline = rowMedian(result, 'blasnet-native await predict', t);
      const sync3 = rowMedian(result, `blasnet-native predictSync ×${HOP_EXAMPLES}`, t, HOP_TABLE);
      const async3 = rowMedian(result, `blasnet-native await predict ×${HOP_EXAMPLES}`, t, HOP_TABLE);
      hop[t] = sync3 !== null && async3 !== null ? async3 - sync3 : null;
      (result.summaryLines ??= []).push(
        `@${t}: predictSync ${us(sync)}, await predict (inline) ${us(inline)}; ${HOP_EXAMPLES} examples: predictSync ${us(sync3)}, await predict through the thread pool ${us(async3)}: the round trip costs ${us(hop[t]!)}`);
      result.targets.push(target('W4', `@${t}: await predict ÷ predictSync (one example)`, ratio(inline, sync), { max: 3 }));
    }
    result.summary = { ...result.summary, roundTripMs: hop };
  },
};
