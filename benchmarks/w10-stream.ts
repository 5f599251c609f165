// W10: a fit from a data source (docs/training.md, "Fits from a data source"): the worst gap
// between the ticks of a 1 ms timer while `await fit(source)` runs (the user's iterator runs on the
// main thread, the steps in the native worker or the reference worker thread), and the streamed
// fit's throughput against the in-memory fit of the same batches (shuffle: false, that batch size).
// The source builds each batch as a reader would, rows as number[][] from a flat buffer, and yields
// to the event loop before each one. The test (test/stream-fit.test.ts) asserts only that timers
// keep firing.
import { getThreads, info, Matrix, NeuralNetwork, setThreads, type TrainingBatch } from '../lib/index.js';
import { rowMedian, target, type BenchConfig, type Check, type Entry, type Workload, type WorkloadContext, type WorkloadResult } from './common.js';

const LAYERS = [20, 64, 64, 2];
const N = 50_000;
const BATCH = 256;
/** The worst timer gap target during a streaming fit, ms. */
const GAP_MAX_MS = 30;

function data(): { X: Matrix; y: number[] } {
  const X = new Matrix(N, LAYERS[0]!), y = new Array<number>(N);
  for (let i = 0; i < X.data.length; i++) X.data[i] = Math.sin(0.37 * i) + 0.1 * Math.cos(1.3 * i);
  for (let j = 0; j < N; j++) y[j] = X.data[j * LAYERS[0]!]! + X.data[j * LAYERS[0]! + 3]! > 0 ? 1 : 0;
  return { X, y };
}

/** Rows [j0, j1) as number[][] (what a CSV reader hands over), with their labels. */
function batch(X: Matrix, y: number[], j0: number, j1: number): TrainingBatch {
  const m = X.cols, rows: number[][] = new Array(j1 - j0);
  for (let j = j0; j < j1; j++) rows[j - j0] = Array.from(X.data.subarray(j * m, (j + 1) * m));
  return { X: rows, y: y.slice(j0, j1) };
}

interface Run { ms: number; worstGapMs: number; ticks: number; rowsPerSecond: number }

/** An async fit from the source (or in memory), with a 1 ms timer whose worst gap is measured. */
async function timedFit(backend: 'native' | 'reference', X: Matrix, y: number[], epochs: number, streamed: boolean): Promise<Run> {
  const net = new NeuralNetwork({ layers: LAYERS, hidden: 'relu', seed: 1, backend });
  const options = { optimizer: 'adam', epochs, earlyStopping: false } as const;
  const source = async function* () {
    for (let j = 0; j < N; j += BATCH) {
      await new Promise((res) => setImmediate(res));
      yield batch(X, y, j, Math.min(N, j + BATCH));
    }
  };
  let last = performance.now(), worst = 0, ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
    ticks++;
  }, 1);
  const t0 = performance.now();
  last = t0;
  if (streamed) await net.fit(source, { ...options, classes: [0, 1] });
  else await net.fit(X, y, { ...options, batchSize: BATCH, shuffle: false });
  const ms = performance.now() - t0;
  clearInterval(timer);
  worst = Math.max(worst, performance.now() - last);
  return { ms, worstGapMs: worst, ticks, rowsPerSecond: (N * epochs) / (ms / 1000) };
}

let threadsBefore = 1;
const ok = (r: Run): Check => (Number.isFinite(r.ms) && r.ticks > 0 ? { ok: true, label: 'measured' } : { ok: false, label: 'WRONG: no measurement' });

export const workload: Workload = {
  id: 'W10',
  title: `fit from a data source: worst timer gap during await fit(source) and throughput against the in-memory fit (${LAYERS.join('-')}, ${N} rows, batches of ${BATCH})`,
  unit: 'ms',

  params: (_config: BenchConfig) => ({ layers: LAYERS, n: N, batch: BATCH, gapMaxMs: GAP_MAX_MS, blasThreads: 'cores − 1 (the serving configuration)' }),

  prepare(ctx: WorkloadContext): Entry[] {
    const { quick } = ctx.config;
    const { X, y } = data();
    threadsBefore = getThreads();
    const epochs = quick ? 1 : 3;
    const entries: Entry[] = [];
    const backends: ('native' | 'reference')[] = info().backend === 'native' ? ['native', 'reference'] : ['reference'];
    for (const backend of backends) {
      const serving = () => { if (backend === 'native') setThreads(Math.max(1, threadsBefore - 1)); };
      for (const streamed of [true, false]) {
        entries.push({
          kind: 'in-process', impl: `blasnet-${backend} ${streamed ? 'fit(source)' : 'fit(X, y) in memory'}`, threads: 1, baseline: backend === 'native' && !streamed,
          table: backend, async: true, setup: serving,
          run: () => timedFit(backend, X, y, backend === 'reference' ? 1 : epochs, streamed),
          selfTimed: (r: Run) => [r.ms],
          check: ok,
          report: (r: Run) => ({
            metrics: { worstGapMs: r.worstGapMs, rowsPerSecond: r.rowsPerSecond, ticks: r.ticks },
            notes: [`worst timer gap ${r.worstGapMs.toFixed(1)} ms; ${Math.round(r.rowsPerSecond).toLocaleString('en')} rows/s`],
          }),
          samples: quick ? 1 : 3, warmup: quick ? 0 : 1, blas: backend === 'native',
        });
      }
    }
    return entries;
  },

  cleanup: () => {
    if (info().backend === 'native') setThreads(threadsBefore);
  },

  finish: (result: WorkloadResult) => {
    result.targets = [];
    for (const backend of ['native', 'reference']) {
      const row = result.rows.find((r) => r.impl === `blasnet-${backend} fit(source)`);
      const gap = row?.metrics?.worstGapMs;
      if (gap === undefined) continue;
      result.targets.push(target('W10', `${backend}: worst timer gap during await fit(source), ms`, gap, { max: GAP_MAX_MS }, (v) => v.toFixed(1)));
      const streamed = rowMedian(result, `blasnet-${backend} fit(source)`, 1, backend);
      const memory = rowMedian(result, `blasnet-${backend} fit(X, y) in memory`, 1, backend);
      if (streamed !== null && memory !== null) {
        result.targets.push(target('W10', `${backend}: fit(source) throughput ÷ in-memory fit's (information)`, memory / streamed, { min: 0 }, (v) => v.toFixed(2)));
      }
    }
  },
};
