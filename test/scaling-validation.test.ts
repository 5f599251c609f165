// Validation data goes through the model's input scaling like the training data (the merge of the
// input-scaling and validation branches): with the training set as its own validation set, every
// recorded validation cost equals the training cost of the same parameters.
import { describe, expect, it } from 'vitest';
import { LogisticRegression, NeuralNetwork, Standardizer } from '../lib/index.js';
import { BACKENDS, loadBreastCancer } from './helpers/data.js';

describe.each(BACKENDS)('validation X is scaled like X ($backend)', ({ backend, available }) => {
  const { X, y } = loadBreastCancer();   // raw features: means up to ~900, so unscaled validation would be far off
  // Full-batch records describe θ before the step for both costs; the two are summed by different
  // kernels (fused training sweep, separate validation pass), so they agree to rounding, not bits:
  // 1e-12 relative, against a difference of orders of magnitude if the validation X were not scaled.
  it.skipIf(!available)('LogisticRegression', async () => {
    const model = new LogisticRegression({ learningRate: 0.1, iterations: 50, recordEvery: 10, backend });
    model.setInputScaling(Standardizer.fit(X));
    const r = await model.fit(X, y, { validation: { X, y } });
    expect(r.validationCosts).toHaveLength(r.costs.length);
    r.costs.forEach((c, k) => expect(Math.abs(r.validationCosts![k]! - c)).toBeLessThanOrEqual(1e-12 * c));
  });

  it.skipIf(!available)('NeuralNetwork (full batch)', async () => {
    const net = new NeuralNetwork({ layers: [30, 4, 1], hidden: 'tanh', seed: 3, backend });
    net.setInputScaling(Standardizer.fit(X));
    // Full batch (the seed's gradient descent, explicitly: not the default since 0.2.0, CHANGELOG item 8).
    const r = await net.fit(X, y, { optimizer: 'gd', epochs: 20, learningRate: 0.1, batchSize: 0, earlyStopping: false, validation: { X, y } });
    expect(r.validationCosts).toHaveLength(r.costs.length);
    r.costs.forEach((c, k) => expect(Math.abs(r.validationCosts![k]! - c)).toBeLessThanOrEqual(1e-12 * c));
  });
});
