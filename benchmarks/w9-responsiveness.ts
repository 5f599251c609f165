// W9: what a server feels while a model trains: the event-loop delay during `await fit` (native:
// an AsyncWorker; reference: a worker thread), and how soon a fit's Promise settles after abort().
// These were wall-clock assertions in the tests; as measurements they belong here, as medians with
// targets, on a machine the bench keeps quiet. The tests keep the behaviour (the loop runs during a
// fit, abort ends it) without timing it.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getThreads, info, Matrix, NeuralNetwork, setThreads } from '../lib/index.js';
import { rowMedian, target, type BenchConfig, type Check, type Entry, type Workload, type WorkloadContext, type WorkloadResult } from './common.js';

const LAYERS = [64, 256, 256, 10];
const N = 3000;
/** The event-loop delay target during a fit, ms (p99 of a 1 ms-resolution histogram). */
const P99_MAX_MS = 50;
/** abort() to the rejected Promise, ms. */
const SETTLE_MAX_MS = 500;

function data(): { X: Matrix; y: Float64Array } {
  const X = new Matrix(N, LAYERS[0]!), y = new Float64Array(N);
  for (let i = 0; i < X.data.length; i++) X.data[i] = Math.sin(0.37 * i) + 0.1 * Math.cos(1.3 * i);
  for (let j = 0; j < N; j++) y[j] = j % LAYERS.at(-1)!;
  return { X, y };
}

interface Delay { p99: number; max: number; fitMs: number; samples: number }

/** The event-loop delay while an async fit of about `ms` runs. */
async function delayDuringFit(backend: 'native' | 'reference', X: Matrix, y: Float64Array, epochs: number): Promise<Delay> {
  const net = new NeuralNetwork({ layers: LAYERS, hidden: 'relu', seed: 1, backend });
  const h = monitorEventLoopDelay({ resolution: 1 });
  const t0 = performance.now();
  h.enable();
  await net.fit(X, y, { epochs, batchSize: 64, optimizer: 'adam', earlyStopping: false });
  h.disable();
  return { p99: h.percentile(99) / 1e6, max: h.max / 1e6, fitMs: performance.now() - t0, samples: h.count };
}

/** abort() at the second record of a fit far longer than the bench: ms until the Promise settled. */
async function settleAfterAbort(backend: 'native' | 'reference', X: Matrix, y: Float64Array): Promise<number> {
  const net = new NeuralNetwork({ layers: LAYERS, hidden: 'relu', seed: 1, backend });
  const controller = new AbortController();
  let abortedAt = 0;
  const job = net.fit(X, y, {
    epochs: 1e6, batchSize: 64, optimizer: 'adam', earlyStopping: false, signal: controller.signal,
    onProgress: (p) => {
      if (p.iteration === 1) {
        abortedAt = performance.now();
        controller.abort();
      }
    },
  });
  await job.then(() => { throw new Error('the fit was not aborted'); }, (e: unknown) => {
    if ((e as { name?: string }).name !== 'AbortError') throw e;
  });
  return performance.now() - abortedAt;
}

/** Epochs of an async fit lasting about `ms` on this backend (from one timed epoch). */
function epochsFor(backend: 'native' | 'reference', X: Matrix, y: Float64Array, ms: number): number {
  const net = new NeuralNetwork({ layers: LAYERS, hidden: 'relu', seed: 1, backend });
  const t = performance.now();
  net.fitSync(X, y, { epochs: 1, batchSize: 64, optimizer: 'adam', earlyStopping: false });
  return Math.max(2, Math.round(ms / (performance.now() - t)));
}

let threadsBefore = 1;
const ok = (v: number): Check => (Number.isFinite(v) ? { ok: true, label: 'measured' } : { ok: false, label: 'WRONG: no measurement' });

export const workload: Workload = {
  id: 'W9',
  title: `responsiveness: event-loop delay during await fit (${LAYERS.join('-')}, ${N} examples, batch 64) and abort() to rejection`,
  unit: 'ms',

  params: (_config: BenchConfig) => ({ layers: LAYERS, n: N, p99MaxMs: P99_MAX_MS, settleMaxMs: SETTLE_MAX_MS, blasThreads: 'cores − 1 (the serving configuration)' }),

  prepare(ctx: WorkloadContext): Entry[] {
    const { quick } = ctx.config;
    const { X, y } = data();
    threadsBefore = getThreads();
    const entries: Entry[] = [];
    const backends: ('native' | 'reference')[] = info().backend === 'native' ? ['native', 'reference'] : ['reference'];
    for (const backend of backends) {
      const table = 'main';
      // The serving configuration: OpenBLAS gets every core but one, which stays with the event loop.
      const serving = () => { if (backend === 'native') setThreads(Math.max(1, threadsBefore - 1)); };
      serving();
      const epochs = epochsFor(backend, X, y, quick ? 500 : 1500);
      entries.push({
        kind: 'in-process', impl: `blasnet-${backend} event-loop p99 during await fit`, threads: 1, baseline: backend === 'native', table, async: true,
        setup: serving,
        run: () => delayDuringFit(backend, X, y, epochs),
        selfTimed: (r: Delay) => [r.p99],
        check: (r: Delay) => ok(r.p99),
        report: (r: Delay) => ({ metrics: { p99Ms: r.p99, maxMs: r.max, fitMs: r.fitMs }, notes: [`max ${r.max.toFixed(1)} ms over a ${(r.fitMs / 1000).toFixed(2)} s fit (${epochs} epochs)`] }),
        samples: quick ? 2 : 5, warmup: 0, blas: backend === 'native',
      });
      entries.push({
        kind: 'in-process', impl: `blasnet-${backend} abort() to rejection`, threads: 1, table, async: true,
        setup: serving,
        run: () => settleAfterAbort(backend, X, y),
        selfTimed: (ms: number) => [ms],
        check: ok,
        samples: quick ? 3 : 9, warmup: 1, blas: backend === 'native',
      });
    }
    return entries;
  },

  cleanup: () => {
    if (info().backend === 'native') setThreads(threadsBefore);
  },

  finish: (result: WorkloadResult) => {
    result.targets = [];
    for (const backend of ['native', 'reference']) {
      const p99 = rowMedian(result, `blasnet-${backend} event-loop p99 during await fit`, 1);
      const settle = rowMedian(result, `blasnet-${backend} abort() to rejection`, 1);
      if (p99 === null && settle === null) continue;
      result.targets.push(target('W9', `${backend}: event-loop delay p99 during await fit, ms`, p99, { max: P99_MAX_MS }, (v) => v.toFixed(1)));
      result.targets.push(target('W9', `${backend}: abort() to rejection, ms`, settle, { max: SETTLE_MAX_MS }, (v) => v.toFixed(1)));
    }
  },
};
