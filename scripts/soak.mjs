#!/usr/bin/env node
// `npm run soak [-- --cycles N --every K --limit-mib L --json]` (defaults 5000, 100, 16): thousands of fit / predict / toJSON /
// fromJSON cycles on both models (native, and the TypeScript backend every tenth cycle), each model
// dropped to the GC after its cycle; RSS is sampled after a full GC every K cycles. Criterion: after
// a warm-up (the first 20 % of the samples), the median RSS of the last 20 % of the samples exceeds the
// median of the 20–40 % window by at most L MiB (default 16). A leak of even one input copy per cycle
// (160 KiB here) would grow RSS by hundreds of MiB. Exits 1 when the criterion fails or a result is wrong.
// Run with --expose-gc (npm run soak does).
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '5000' },
    every: { type: 'string', default: '100' },
    'limit-mib': { type: 'string', default: '16' },
    json: { type: 'boolean', default: false },
    // For testing the criterion itself: keep this many KiB alive per cycle (a deliberate leak).
    'leak-per-cycle-kib': { type: 'string', default: '0' },
  },
});
const cycles = Number(values.cycles), every = Number(values.every), limitMiB = Number(values['limit-mib']);
const leakKiB = Number(values['leak-per-cycle-kib']);
const leaked = [];
if (!Number.isSafeInteger(cycles) || cycles < 10 || !Number.isSafeInteger(every) || every < 1 || !(limitMiB > 0)) {
  console.error('usage: soak.mjs --cycles N (≥ 10) --every K (≥ 1) --limit-mib L (> 0)');
  process.exit(2);
}
if (typeof globalThis.gc !== 'function') {
  console.error('soak.mjs needs --expose-gc (npm run soak passes it)');
  process.exit(2);
}
const { LogisticRegression, NeuralNetwork, Matrix, info } = await import(pathToFileURL(join(ROOT, 'dist', 'lib', 'index.js')).href);
const hasNative = info().backend === 'native';

// One fixed problem: n = 500 examples of 40 features (160 KiB of X), separable-ish labels.
const n = 500, m = 40;
const X = new Matrix(n, m), y = new Float64Array(n);
let s = 12345;
const rand = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 4294967296; };
for (let i = 0; i < n; i++) {
  let z = 0;
  for (let j = 0; j < m; j++) { const v = rand() * 2 - 1; X.data[i * m + j] = v; z += (j % 3 ? 1 : -1) * v; }
  y[i] = z > 0 ? 1 : 0;
}
const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

function fail(message) {
  console.error(`soak: ${message}`);
  process.exit(1);
}

async function cycle(k) {
  const backend = hasNative && k % 10 !== 9 ? 'native' : 'reference';
  // Logistic regression: sync or async fit, predictions, a JSON round trip that must predict identically.
  const lr = new LogisticRegression({ iterations: backend === 'native' ? 60 : 10, recordEvery: 10, learningRate: 0.5, backend });
  if (k % 2) await lr.fit(X, y); else lr.fitSync(X, y, { onProgress: () => {} });
  const p = k % 3 ? lr.predictProbaSync(X) : await lr.predictProba(X);
  const lr2 = LogisticRegression.fromJSON(JSON.parse(JSON.stringify(lr.toJSON())), { backend });
  if (!same(lr2.predictProbaSync(X).data, p.data)) fail(`cycle ${k}: a reloaded logistic regression predicts differently`);
  lr.costAndGradients(X, y);
  // Network: mini-batch fit, predictions, gradients, a JSON round trip.
  const net = new NeuralNetwork({ layers: [m, 16, 1], seed: k >>> 0, backend });
  const opts = { epochs: backend === 'native' ? 3 : 1, batchSize: 100, learningRate: 0.1, optimizer: k % 2 ? 'adam' : 'gd' };
  if (k % 2) await net.fit(X, y, opts); else net.fitSync(X, y, opts);
  const A = k % 3 ? net.predictProbaSync(X) : await net.predictProba(X);
  const labels = k % 3 ? await net.predict(X) : net.predictSync(X);
  const net2 = NeuralNetwork.fromJSON(JSON.parse(JSON.stringify(net.toJSON())), { backend });
  if (!same(net2.predictProbaSync(X).data, A.data)) fail(`cycle ${k}: a reloaded network predicts differently`);
  if (!same(net2.predictSync(X), labels)) fail(`cycle ${k}: a reloaded network predicts other labels`);
  net.costAndGradients(X, y);
  if (!(net.scoreSync(X, y) >= 0)) fail(`cycle ${k}: no score`);
}

const MiB = 1024 * 1024;
const samples = [];
const sample = (k) => {
  globalThis.gc();
  globalThis.gc();
  const u = process.memoryUsage();
  samples.push({ cycle: k, rssMiB: u.rss / MiB, heapUsedMiB: u.heapUsed / MiB, externalMiB: u.external / MiB });
  if (!values.json) console.log(`cycle ${String(k).padStart(6)}: RSS ${(u.rss / MiB).toFixed(1)} MiB, heap ${(u.heapUsed / MiB).toFixed(1)} MiB, external ${(u.external / MiB).toFixed(1)} MiB`);
};
const t0 = Date.now();
sample(0);
for (let k = 1; k <= cycles; k++) {
  await cycle(k);
  if (leakKiB > 0) leaked.push(Buffer.alloc(leakKiB * 1024, 1));
  if (k % every === 0) sample(k);
}
const median = (a) => { const b = [...a].sort((x, y) => x - y); return b.length ? (b[(b.length - 1) >> 1] + b[b.length >> 1]) / 2 : NaN; };
const q = (lo, hi) => samples.slice(Math.floor(samples.length * lo), Math.max(Math.floor(samples.length * lo) + 1, Math.floor(samples.length * hi))).map((x) => x.rssMiB);
const baseline = median(q(0.2, 0.4)), final = median(q(0.8, 1));
const growth = final - baseline;
const peak = Math.max(...samples.map((x) => x.rssMiB));
const result = {
  cycles, every, seconds: (Date.now() - t0) / 1000, backends: hasNative ? 'native (9 cycles in 10) and reference' : 'reference',
  rssStartMiB: samples[0].rssMiB, rssBaselineMiB: baseline, rssFinalMiB: final, rssPeakMiB: peak, growthMiB: growth, limitMiB, pass: growth <= limitMiB, samples,
};
if (values.json) console.log(JSON.stringify(result));
else {
  console.log(`${cycles} cycles in ${result.seconds.toFixed(1)} s (${result.backends})`);
  console.log(`RSS: start ${result.rssStartMiB.toFixed(1)} MiB, after warm-up (median of samples 20–40 %) ${baseline.toFixed(1)} MiB, ` +
    `end (median of the last 20 %) ${final.toFixed(1)} MiB, peak ${peak.toFixed(1)} MiB`);
  console.log(`growth after warm-up: ${growth.toFixed(1)} MiB (limit ${limitMiB} MiB): ${result.pass ? 'flat' : 'GROWING'}`);
}
process.exit(result.pass ? 0 : 1);
