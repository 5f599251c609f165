// MNIST end to end on the native backend: the first 20 000 training images, a 784-128-10 network
// (relu hidden, softmax output, seed 0), 8 epochs of mini-batch Adam, then accuracy on the first
// 2000 test images, which reach 95.5–96.2 % over seeds 0–2, in seconds.
import { describe, expect, it } from 'vitest';
import { NeuralNetwork } from '../lib/index.js';
import { loadMnist } from '../examples/mnist.js';
import { HAS_NATIVE } from './helpers/data.js';

describe.skipIf(!HAS_NATIVE)('MNIST, native backend', () => {
  it('a 784-128-10 relu/softmax network reaches ≥ 95% on 2000 test images after 8 epochs of Adam on 20 000', async () => {
    const { train, test } = loadMnist({ trainLimit: 20000, testLimit: 2000 });
    expect(train.X.rows).toBe(20000);
    expect(train.X.cols).toBe(784);
    expect(test.X.rows).toBe(2000);
    // Pixels scaled to [0, 1], labels the ten digits, every digit present in the test images.
    expect(train.X.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(new Set(test.labels).size).toBe(10);

    const net = new NeuralNetwork({ layers: [784, 128, 10], hidden: 'relu', output: 'softmax', seed: 0, backend: 'native' });
    // Before training: about chance (10%); the bar of 95% is far from what an untrained or broken model gets.
    // (setParameters with its own initial parameters marks the model fitted, so that it can be scored;
    // the fit below starts from the same seeded parameters.)
    net.setParameters(net.parameters);
    const before = await net.score(test.X, test.labels);
    const t0 = performance.now();
    const r = await net.fit(train.X, train.labels, { epochs: 8, batchSize: 32, optimizer: 'adam', learningRate: 0.001, earlyStopping: false });
    const seconds = (performance.now() - t0) / 1000;
    const accuracy = await net.score(test.X, test.labels);
    console.log(`MNIST 784-128-10: ${(100 * accuracy).toFixed(2)}% on 2000 test images (untrained ${(100 * before).toFixed(1)}%), ` +
      `training ${seconds.toFixed(1)} s for 8 epochs × 625 steps; epoch costs ${r.costs.map((c) => c.toFixed(3)).join(', ')}`);
    expect(r.epochs).toBe(8);
    expect(r.steps).toBe(8 * 625);
    expect(before).toBeLessThan(0.3);
    // The training cost falls every epoch on this well-conditioned problem with Adam's small step.
    for (let e = 1; e < 8; e++) expect(r.costs[e]!).toBeLessThan(r.costs[e - 1]!);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  }, 60_000);
});
