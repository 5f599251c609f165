// The README's five-minute tutorial, through the library: a CSV with string labels, categorical
// columns and missing cells (data/penguins.csv) → a model that owns its preprocessing → scores on
// held-out rows → predictions from records keyed by column name → a saved model file, which
// examples/server.ts serves. The README shows this file's code with `from 'blasnet'`.
//
// Run from the repository root: npm run build:ts && node dist/examples/tutorial.js [model.json]
import { confusionMatrix, DEFAULT_MISSING, f1Score, NeuralNetwork, Preprocessing, readCsv, trainTestSplit } from '../lib/index.js';

const modelPath = process.argv[2] ?? 'penguins-model.json';

// 1. Read the CSV. Column types are inferred (numeric, categorical, boolean). Empty, NA, N/A, NaN,
//    null and ? cells are missing by default; this file also writes one unknown sex as '.'.
const table = await readCsv('data/penguins.csv', { missing: [...DEFAULT_MISSING, '.'] });
console.log(String(table));

// 2. Hold out 20 % of the rows for testing, with each species in the same share in both parts.
const species = table.column('species') as string[];
const { Xtrain: train, Xtest: test } = trainTestSplit(table, species, { testFraction: 0.2, seed: 1, stratify: true });

// 3. Learn the preprocessing from the training rows only: the target and its task, the feature
//    columns (id left out), fill values for the gaps, one-hot categories, standardization.
const prep = Preprocessing.fit(train, { target: 'species', ignore: ['id'] });
console.log(`task: ${prep.task}, classes: ${prep.report?.classes?.join(', ')}`);
console.log(`${prep.columns.length} columns → ${prep.nFeatures} inputs: ${prep.inputNames.join(', ')}`);
console.log('cells filled:', prep.report?.imputed);

// 4. A network that owns the preprocessing. fit takes y from the target column when it is left out.
const net = new NeuralNetwork({ layers: [prep.nFeatures, 16, 3], preprocessing: prep, seed: 1 });
const result = await net.fit(train);
console.log(`trained: ${result.epochs} epochs (${result.reason}), ${result.droppedRows} rows dropped`);

// 5. Scores on the held-out rows: accuracy, macro F1, the confusion matrix (rows: true, columns: predicted).
const predicted = (await net.predict(test)) as string[];
const truth = test.column('species') as string[];
console.log(`test accuracy ${(await net.score(test)).toFixed(4)}, macro F1 ${f1Score(truth, predicted, { average: 'macro' }).toFixed(4)}`);
console.log(net.classes, confusionMatrix(truth, predicted).toArray());

// 6. Predictions from records keyed by column name. A left-out key is a gap, filled from the
//    training rows; a category not seen in training is encoded as zeros, with a warning.
const records = [
  { island: 'Dream', bill_length_mm: 49.5, bill_depth_mm: 19.0, flipper_length_mm: 200, body_mass_g: 3800, sex: 'MALE' },
  { island: 'Biscoe', bill_length_mm: 47.5, flipper_length_mm: 218 },
];
console.log(await net.predict(records), (await net.predictProba(records)).toArray());

// 7. Save: parameters, classes and preprocessing in one JSON file, with metadata of your own.
await net.save(modelPath, { metadata: { dataset: 'data/penguins.csv', testAccuracy: await net.score(test) } });
console.log(`saved ${modelPath}`);
