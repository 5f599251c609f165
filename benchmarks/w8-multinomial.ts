// W8: time to scikit-learn's final cost, multinomial (softmax) logistic regression at C = 1
// (λ = 1/n), 1 thread: blasnet's L-BFGS (native and reference) against scikit-learn 1.2's
// LogisticRegression(multi_class='multinomial', solver='lbfgs') at its default tol and max_iter,
// on digits (1 797 × 64, 10 classes, pixels / 16) and a seeded 10 000 × 100 × 10 synthetic set.
// blasnet runs with a gradient tolerance fixed in advance; its time counts only if its final cost
// is at or below scikit-learn's. The target row times blasnet's run to the first iteration whose cost
// is at or below scikit-learn's final cost (read from the peer's row, which runs first).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { getThreads, info, LogisticRegression, Matrix, setThreads } from '../lib/index.js';
import { fingerprint, mulberry32, peerUnavailable, rowMedian, target, type BenchConfig, type Check, type Entry, type PeerEntry, type PeerReport, type Workload, type WorkloadContext, type WorkloadResult } from './common.js';

/**
 * blasnet's gradient targets ‖∂J/∂θ‖∞, fixed per set before the timed runs: the loosest power of ten
 * whose final cost is at or below scikit-learn's (J's gradient is a mean over n, so the larger set
 * needs a smaller one).
 */
const TOL = { digits: 1e-5, synthetic: 1e-6 } as const;
const MAX_EPOCHS = 1000;

interface Dataset {
  name: string;
  set: 'digits' | 'synthetic';
  X: Matrix;
  y: Float64Array;
}

function digits(): Dataset {
  const file = fileURLToPath(new URL('../../data/digits.csv', import.meta.url));
  const rows = parse(readFileSync(file, 'utf8'), { from_line: 2, skip_empty_lines: true }) as string[][];
  const n = rows.length, m = rows[0]!.length - 1;
  const X = new Matrix(n, m), y = new Float64Array(n);
  rows.forEach((r, j) => {
    for (let k = 0; k < m; k++) X.data[j * m + k] = Number(r[k]) / 16;
    y[j] = Number(r[m]);
  });
  return { name: `digits ${n} × ${m}, 10 classes`, set: 'digits', X, y };
}

/** The peer's synthetic set, bit for bit (benchmarks/peers/sklearn_w8.py's docstring gives the recipe). */
function synthetic(): Dataset {
  const n = 10_000, m = 100, k = 10;
  const u = mulberry32(0x5eed0008);
  const W = new Float64Array(k * m);
  for (let q = 0; q < W.length; q++) W[q] = 2 * u() - 1;
  const X = new Matrix(n, m), y = new Float64Array(n), e = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) X.data[i * m + j] = 2 * u() - 1;
    for (let c = 0; c < k; c++) e[c] = 3 * (2 * u() - 1);
    let best = 0, bestV = -Infinity;
    for (let c = 0; c < k; c++) {
      let z = 0;
      for (let j = 0; j < m; j++) z += X.data[i * m + j]! * W[c * m + j]!;
      if (z + e[c]! > bestV) {
        bestV = z + e[c]!;
        best = c;
      }
    }
    y[i] = best;
  }
  return { name: `synthetic ${n} × ${m}, ${k} classes`, set: 'synthetic', X, y };
}

function fit(d: Dataset, backend: 'native' | 'reference'): { cost: number; epochs: number; reason: string } {
  const model = new LogisticRegression({ optimizer: 'lbfgs', l2: 1 / d.X.rows, tolerance: TOL[d.set], epochs: MAX_EPOCHS, backend });
  const r = model.fitSync(d.X, d.y);
  return { cost: r.finalCost!, epochs: r.epochs, reason: r.reason };
}

/** A fit at the set's tolerance that notes when its recorded cost (J at each iterate) first reaches `goal`. */
function timeToReach(d: Dataset, goal: number): { ms: number; cost: number; iteration: number } {
  let reachedMs = NaN, cost = NaN, iteration = -1;
  const t0 = performance.now();
  const model = new LogisticRegression({ optimizer: 'lbfgs', l2: 1 / d.X.rows, tolerance: TOL[d.set], epochs: MAX_EPOCHS, backend: 'native' });
  model.fitSync(d.X, d.y, {
    onProgress: (p) => {
      if (iteration < 0 && p.cost <= goal) {
        reachedMs = performance.now() - t0;
        cost = p.cost;
        iteration = p.iteration;
      }
    },
  });
  return { ms: reachedMs, cost, iteration };
}

/** scikit-learn's final cost per set, from its row's check (the peer runs before blasnet's rows). */
const sklearnCost: Partial<Record<Dataset['set'], number>> = {};

let datasets: Dataset[] = [];
let threadsBefore = 1;

export const workload: Workload = {
  id: 'W8',
  title: `time to scikit-learn's final cost: multinomial logistic regression, C = 1; blasnet L-BFGS (tolerance ${TOL.digits} on digits, ${TOL.synthetic} on the synthetic set) vs scikit-learn lbfgs (default tol, max_iter), 1 thread`,

  params: (_config: BenchConfig) => ({ C: 1, tolerance: TOL, maxEpochs: MAX_EPOCHS, threads: 1 }),

  dataInfo: () => Object.fromEntries(datasets.map((d) => [d.name, { n: d.X.rows, m: d.X.cols, fingerprintX: fingerprint(d.X.data), fingerprintY: fingerprint(d.y) }])),

  prepare(ctx: WorkloadContext): Entry[] {
    const { quick } = ctx.config;
    datasets = [digits(), synthetic()];
    const native = info().backend === 'native';
    threadsBefore = getThreads();
    const entries: Entry[] = [];
    for (const d of datasets) {
      const table = d.name;
      const report = (r: { cost: number; epochs: number; reason: string }) => ({
        metrics: { finalCost: r.cost, iterations: r.epochs },
        notes: [`J ${r.cost.toPrecision(12)}`, `${r.epochs} it. (${r.reason})`],
      });
      const finite = (r: { cost: number }): Check => (Number.isFinite(r.cost) ? { ok: true, label: `J ${r.cost.toPrecision(10)}` } : { ok: false, label: 'WRONG: no final cost' });
      const peer: Entry = {
        kind: 'peer', impl: 'sklearn lbfgs', script: 'sklearn_w8.py', modules: ['numpy', 'scipy', 'sklearn'], threads: 1, table,
        coretype: native ? 'blasnet' : 'default',
        spec: { workload: 'W8', sets: [d.set], tight: !quick },
        repeats: quick ? 3 : 10, warmup: 1,
        check: (r: PeerReport) => {
          const cost = r.extra.cost as number | undefined;
          const ok = cost !== undefined && Number.isFinite(cost);
          if (ok) sklearnCost[d.set] = cost;
          const gap = r.extra.gap_relative as number | undefined;
          return { ok, label: `J ${cost?.toPrecision(10)}, ${r.extra.n_iter} it.${gap !== undefined ? `, ${gap.toExponential(1)} above the optimum` : ''}` };
        },
      };
      entries.push(peer);
      const noPeer = peerUnavailable(peer as PeerEntry, ctx.config);
      if (native && !noPeer) {
        entries.push({
          kind: 'in-process', impl: "blasnet-native lbfgs to sklearn's cost", threads: 1, baseline: true, table,
          setup: () => { setThreads(1); },
          run: () => timeToReach(d, sklearnCost[d.set] ?? NaN),
          selfTimed: (r) => [r.ms],
          check: (r) => (r.iteration >= 0 ? { ok: true, label: `J ${r.cost.toPrecision(10)} at iteration ${r.iteration}` } : { ok: false, label: "WRONG: never reached scikit-learn's cost" }),
          samples: quick ? 3 : 10, warmup: 1,
        });
      } else {
        entries.push({ kind: 'skipped', impl: "blasnet-native lbfgs to sklearn's cost", threads: 1, table, reason: noPeer ?? info().nativeUnavailableReason ?? 'the native backend is unavailable' });
      }
      if (native) {
        entries.push({
          kind: 'in-process', impl: 'blasnet-native lbfgs', threads: 1, table,
          setup: () => { setThreads(1); },
          run: () => fit(d, 'native'), check: finite, report, samples: quick ? 3 : 10, warmup: 1,
        });
      }
      entries.push({
        kind: 'in-process', impl: 'blasnet-reference lbfgs', threads: 1, table,
        run: () => fit(d, 'reference'), check: finite, report, samples: quick ? 1 : 3, warmup: 0, blas: false, notes: ['pure TS'],
      });
    }
    return entries;
  },

  cleanup: () => {
    if (info().backend === 'native') setThreads(threadsBefore);
  },

  finish: (result: WorkloadResult) => {
    result.targets = [];
    for (const d of datasets) {
      const full = result.rows.find((r) => r.impl === 'blasnet-native lbfgs' && r.table === d.name);
      const cost = full?.metrics?.finalCost, peerCost = sklearnCost[d.set];
      const tReach = rowMedian(result, "blasnet-native lbfgs to sklearn's cost", 1, d.name), tFull = rowMedian(result, 'blasnet-native lbfgs', 1, d.name);
      const tPeer = rowMedian(result, 'sklearn lbfgs', 1, d.name);
      (result.summaryLines ??= []).push(`${d.name}: scikit-learn J ${peerCost?.toPrecision(12)} in ${tPeer?.toFixed(1)} ms; blasnet reaches it in ${tReach?.toFixed(1)} ms ` +
        `and ends at J ${cost?.toPrecision(12)} (tolerance ${TOL[d.set]}) in ${tFull?.toFixed(1)} ms`);
      result.targets.push(target('W8', `${d.name}: sklearn time ÷ blasnet time to sklearn's final cost`, tReach !== null && tPeer !== null ? tPeer / tReach : null, { min: 1 }));
    }
  },
};
