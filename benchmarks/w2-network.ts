// W2: a 784-128-1 network (tanh hidden layer, sigmoid output, cross-entropy) on n = 10 000 pixel-like
// examples, 100 full-batch gradient-descent iterations at learningRate 0.1, float64, from the
// initial parameters of new NeuralNetwork({ seed }) (handed to every implementation).
// The workload is built by trainWorkload in nets.ts (shared with W3); see there for the checks.
import { trainWorkload } from './nets.js';

export const workload = trainWorkload({
  id: 'W2',
  layers: [784, 128, 1],
  hidden: 'tanh',
  learningRate: 0.1,
  dataSeed: 0x5eed02,
  netSeed: 2,
  dgemm: true,
  full: {
    n: 10_000, iterations: 100,
    // more than one block of examples (network.cc's blocks are 1 024 examples wide at 128 units)
    check: { n: 1100, iterations: 3 },
    reference: { n: 10_000, iterations: 1 },
    tfjs: { cpu: { n: 10_000, iterations: 2 }, wasm: { n: 10_000, iterations: 20 } },
    nativeSamples: 3, gemmRepeats: 10, peerThreads: [1, 2],
  },
  quick: {
    n: 2000, iterations: 10,
    check: { n: 200, iterations: 2 },
    reference: { n: 200, iterations: 2 },
    tfjs: { cpu: { n: 2000, iterations: 1 }, wasm: { n: 2000, iterations: 10 } },
    nativeSamples: 3, gemmRepeats: 3, peerThreads: [1],
  },
});
