// W3: a 784-1024-10 network (relu hidden layer, 10 sigmoid outputs, binary cross-entropy summed over
// the outputs) on n = 8 192 pixel-like examples, 20 full-batch gradient-descent iterations at
// learningRate 0.1, float64. Besides the times: GFLOP/s of the iteration's five gemm products, and
// the addon's own dgemm rate on exactly those products (gemmSequence) at 1 and 2 threads, with
// blasnet-native's share of it (target ≥ 95 %).
// The workload is built by trainWorkload in nets.ts (shared with W2); see there for the checks.
import { trainWorkload } from './nets.js';

export const workload = trainWorkload({
  id: 'W3',
  layers: [784, 1024, 10],
  hidden: 'relu',
  learningRate: 0.1,
  dataSeed: 0x5eed03,
  netSeed: 3,
  dgemm: true,
  rssTargetMiB: 240,
  full: {
    n: 8192, iterations: 20,
    // more than one block of examples (network.cc's blocks are 128 examples wide at 1 024 units)
    check: { n: 256, iterations: 2 },
    reference: { n: 1024, iterations: 1 },
    tfjs: { cpu: { n: 2048, iterations: 1 }, wasm: { n: 8192, iterations: 2 } },
    nativeSamples: 3, gemmRepeats: 10, peerThreads: [1, 2],
  },
  quick: {
    n: 1024, iterations: 3,
    check: { n: 136, iterations: 1 },
    reference: { n: 136, iterations: 1 },
    tfjs: { cpu: { n: 256, iterations: 1 }, wasm: { n: 1024, iterations: 1 } },
    nativeSamples: 3, gemmRepeats: 3, peerThreads: [1],
  },
});
