// A child process for W3's peak-memory figure: trains one W2/W3-style workload with blasnet-native
// (the same data and initial parameters as nets.ts) and prints one JSON line with the process's peak
// resident set size (VmHWM). Not a workload (its name does not match wN-*): nets.ts runs it with
// `node dist/benchmarks/rss-child.js '<json>'`. Must never print anything else on stdout.
import { info, Matrix, NeuralNetwork, setThreads } from '../lib/index.js';
import { FULL_BATCH_GD, pixelData } from './nets.js';
import { peakRssKiB } from './common.js';

interface ChildSpec {
  layers: number[];
  hidden: 'tanh' | 'relu';
  learningRate: number;
  dataSeed: number;
  netSeed: number;
  n: number;
  iterations: number;
  threads: number;
}


function main(): void {
  const spec = JSON.parse(process.argv[2] ?? '') as ChildSpec;
  if (info().backend !== 'native') throw new Error(`native backend unavailable: ${info().nativeUnavailableReason}`);
  setThreads(spec.threads);
  const s0 = spec.layers[0]!, sL = spec.layers.at(-1)!;
  const d = pixelData(spec.dataSeed, spec.n, s0, sL);
  const net = new NeuralNetwork({ layers: spec.layers, hidden: spec.hidden, output: 'sigmoid', seed: spec.netSeed, backend: 'native' });
  const before = peakRssKiB();
  const t0 = performance.now();
  net.fitSync(new Matrix(spec.n, s0, d.X), new Matrix(spec.n, sL, d.Y), { ...FULL_BATCH_GD, epochs: spec.iterations, learningRate: spec.learningRate });
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ maxRssKiB: peakRssKiB(), maxRssBeforeFitKiB: before, dataBytes: (d.X.length + d.Y.length) * 8, fitMs: ms }));
}

main();
