// Early stopping on a real data set: the breast-cancer data split 80/20 (test set never seen),
// a wide network that overfits its 364 training rows, 20 % of the training rows held out for
// validation (validationSplit). One fit runs all its epochs, the other stops when the validation
// cost has not improved for 20 epochs and keeps the best epoch's parameters.
// Run: npm run build:ts && node dist/examples/early-stopping.js
import { NeuralNetwork, Standardizer, trainTestSplit } from '../lib/index.js';
import { loadBreastCancer } from './breast-cancer.js';

const { X, y } = loadBreastCancer();
const { Xtrain, ytrain, Xtest, ytest } = trainTestSplit(X, y, { testFraction: 0.2, seed: 7 });
const scaler = Standardizer.fit(Xtrain);
const [Xt, Xs] = [scaler.transform(Xtrain), scaler.transform(Xtest)];
const fit = { epochs: 400, batchSize: 16, optimizer: 'adam', learningRate: 0.003, validationSplit: 0.2 } as const;
const layers = { layers: [30, 128, 128, 1], hidden: 'relu' as const, seed: 3 };

// earlyStopping: false — a network's default stops when the training cost stalls for 10 epochs.
const full = new NeuralNetwork(layers);
const a = full.fitSync(Xt, ytrain, { ...fit, earlyStopping: false });
const early = new NeuralNetwork(layers);
const b = early.fitSync(Xt, ytrain, { ...fit, earlyStopping: { monitor: 'validationCost', patience: 20 } });

console.log('epoch   train cost   validation cost   validation accuracy');
for (let e = 0; e < a.costs.length; e += e < 30 ? 1 : e < 50 ? 10 : 50) {
  const mark = e === b.bestEpoch ? '  <- best (early stopping keeps this)' : '';
  console.log(`${String(e).padStart(5)}   ${a.costs[e]!.toFixed(5).padStart(10)}   ${a.validationCosts![e]!.toFixed(5).padStart(15)}   ${(100 * a.validationAccuracies![e]!).toFixed(1).padStart(18)} %${mark}`);
}
console.log(`\nwithout early stopping: ${a.epochs} epochs, final validation cost ${a.validationCosts!.at(-1)!.toFixed(4)}, test accuracy ${(100 * full.scoreSync(Xs, ytest)).toFixed(2)} %`);
console.log(`with early stopping:    stopped after ${b.epochs} epochs (${b.reason}), best epoch ${b.bestEpoch} (validation cost ${b.bestValue!.toFixed(4)}), test accuracy ${(100 * early.scoreSync(Xs, ytest)).toFixed(2)} %`);
