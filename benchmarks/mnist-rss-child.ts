// A child process for W6's peak-memory figure: loads MNIST and runs W6's plain fitSync once with
// blasnet-native, then prints one JSON line with the process's peak resident set size (VmHWM)
// before and after the fit. Not a workload (its name does not match wN-*): w6-mnist.ts runs it with
// `node dist/benchmarks/mnist-rss-child.js '<json>'`. Must never print anything else on stdout.
import { info, NeuralNetwork, setThreads } from '../lib/index.js';
import { loadMnist } from '../examples/mnist.js';
import { peakRssKiB } from './common.js';

interface ChildSpec {
  trainLimit: number | null;
  epochs: number;
  threads: number;
}

function main(): void {
  const spec = JSON.parse(process.argv[2] ?? '') as ChildSpec;
  if (info().backend !== 'native') throw new Error(`native backend unavailable: ${info().nativeUnavailableReason}`);
  setThreads(spec.threads);
  const { train } = loadMnist({ trainLimit: spec.trainLimit ?? Infinity, testLimit: 1 });
  const net = new NeuralNetwork({ layers: [784, 128, 10], hidden: 'relu', output: 'softmax', seed: 6, backend: 'native' });
  const before = peakRssKiB();
  net.fitSync(train.X, train.labels, { epochs: spec.epochs, batchSize: 64, optimizer: 'adam', learningRate: 0.001 });
  console.log(JSON.stringify({ maxRssKiB: peakRssKiB(), maxRssBeforeFitKiB: before }));
}

main();
