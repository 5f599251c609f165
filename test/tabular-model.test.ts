// Models that own a tabular preprocessing: fit on a Table (the target taken from its column, rows
// without one dropped), predict on Tables, records and numeric matrices with the same transformation,
// save and load it in the model file, refuse a damaged section, export it to ONNX when it is numeric
// and refuse when it one-hot encodes. Real data: data/penguins.csv (344 rows, string labels, two
// categorical columns, NA cells) and data/diabetes.csv.
import * as ort from 'onnxruntime-node';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  exportOnnx, loadModel, LogisticRegression, Matrix, NeuralNetwork, Preprocessing, readCsv, type Table,
} from '../lib/index.js';
import { dataPath } from './helpers/datasets.js';

const dir = mkdtempSync(join(tmpdir(), 'blasnet-tabular-model-'));

/** Every 4th row held out: a fixed split, so that the figures below are reproducible. */
function split(t: Table): { train: Table; test: Table } {
  const tr: number[] = [], te: number[] = [];
  for (let i = 0; i < t.nRows; i++) (i % 4 === 3 ? te : tr).push(i);
  return { train: t.take(tr), test: t.take(te) };
}

describe('a network with a tabular preprocessing (penguins)', async () => {
  const table = await readCsv(dataPath('penguins.csv'));
  const { train, test } = split(table);
  const prep = Preprocessing.fit(train, { target: 'species', ignore: ['id'] });

  it('fits on the Table (target from its column) and predicts the species by name', async () => {
    expect(prep.inputNames).toEqual([
      'island=Biscoe', 'island=Dream', 'island=Torgersen', 'bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g', 'sex=.', 'sex=FEMALE', 'sex=MALE',
    ]);
    const net = new NeuralNetwork({ layers: [prep.nFeatures, 16, 3], preprocessing: prep, seed: 1 });
    const r = await net.fit(train, null);
    expect(r.droppedRows).toBe(0);
    expect(net.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    const pred = await net.predict(test) as string[];
    expect(pred).toHaveLength(test.nRows);
    // The species are separable from bill and flipper sizes (scikit-learn's MLP scores ≈ 0.98–1.0 on
    // held-out rows). 0.9 is far above what a broken encoding gives (a shuffled column or a lost
    // category drops it below 0.6) and below any honest run's spread.
    expect(await net.score(test, null)).toBeGreaterThan(0.9);
  });

  it('predicts records exactly as the Table of the same rows, and a missing key is a filled gap', () => {
    const net = new NeuralNetwork({ layers: [prep.nFeatures, 8, 3], preprocessing: prep, seed: 2, epochs: 5 });
    net.fitSync(train, null);
    const records = test.records();
    expect(net.predictProbaSync(records).data).toEqual(net.predictProbaSync(test).data);
    const { sex: _sex, ...noSex } = records[0]!;
    const filled = net.predictProbaSync([{ ...noSex, sex: null }]).data;
    expect(net.predictProbaSync([noSex]).data).toEqual(filled);
  });

  it('drops the rows without a target at fit and counts them', async () => {
    const withGaps = await readCsv(dataPath('penguins.csv'), { missing: ['NA', 'Adelie'] });
    const p = Preprocessing.fit(withGaps, { target: 'species', ignore: ['id'] });
    expect(p.report?.droppedMissingTarget).toBe(152);
    const net = new NeuralNetwork({ layers: [p.nFeatures, 4, 1], preprocessing: p, seed: 1, epochs: 2 });
    const r = net.fitSync(withGaps, null);
    expect(r.droppedRows).toBe(152);
    expect(net.classes).toEqual(['Chinstrap', 'Gentoo']);
  });

  it('saves and loads the preprocessing: the loaded model predicts the same bits from raw rows', async () => {
    const net = new NeuralNetwork({ layers: [prep.nFeatures, 8, 3], preprocessing: prep, seed: 3, epochs: 5 });
    net.fitSync(train, null);
    const file = join(dir, 'penguins.json');
    await net.save(file);
    const back = await loadModel(file);
    expect(back.preprocessing?.toJSON()).toEqual(prep.toJSON());
    expect(back.predictProbaSync(test).data).toEqual(net.predictProbaSync(test).data);
    expect(back.predictSync(test.records())).toEqual(net.predictSync(test));
    expect(net.toJSON().preprocessing?.tabular?.features.map((f) => f.name)).toEqual(['island', 'bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g', 'sex']);
  });

  it('refuses a damaged section with the field named', () => {
    const net = new NeuralNetwork({ layers: [prep.nFeatures, 4, 3], preprocessing: prep, seed: 3, epochs: 1 });
    net.fitSync(train, null);
    const json = JSON.parse(JSON.stringify(net.toJSON()));
    const island = json.preprocessing.tabular.features[0];
    island.categories.reverse();
    expect(() => NeuralNetwork.fromJSON(json)).toThrow(/preprocessing\.tabular\.features\[0\]\.categories must be distinct and sorted/);
    island.categories.reverse();
    island.categories.pop();
    expect(() => NeuralNetwork.fromJSON(json)).toThrow(/encodes 9 model inputs, the model reads 10/);
  });

  it('refuses a network whose first layer does not match the preprocessing', () => {
    expect(() => new NeuralNetwork({ layers: [7, 4, 3], preprocessing: prep })).toThrow(expect.objectContaining({ code: 'ERR_BLASNET_CONFIG', message: expect.stringMatching(/10 inputs/) }));
    expect(() => new NeuralNetwork({ layers: [10, 4, 3], preprocessing: { target: 'x' } as never })).toThrow(expect.objectContaining({ code: 'ERR_BLASNET_ARG_TYPE' }));
  });

  it('logistic regression takes the same preprocessing (multinomial on three species)', () => {
    const lr = new LogisticRegression({ preprocessing: prep, solver: 'lbfgs' });
    lr.fitSync(train, null);
    expect(lr.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    // L-BFGS to its optimum on separable classes; as for the network, 0.9 guards the encoding.
    expect(lr.scoreSync(test, null)).toBeGreaterThan(0.9);
    expect(LogisticRegression.fromJSON(lr.toJSON()).predictProbaSync(test).data).toEqual(lr.predictProbaSync(test).data);
  });

  it('ONNX export is refused, naming the one-hot step', () => {
    const net = new NeuralNetwork({ layers: [prep.nFeatures, 4, 3], preprocessing: prep, seed: 3, epochs: 1 });
    net.fitSync(train, null);
    expect(() => exportOnnx(net)).toThrow(/one-hot encoding of categorical column "island"/);
  });
});

describe('a regression network from a Table (diabetes)', async () => {
  const table = await readCsv(dataPath('diabetes.csv'));
  const { train, test } = split(table);

  it('infers a regression from integer targets 25…346 and predicts values', () => {
    const prep = Preprocessing.fit(train, { target: 'target' });
    expect(prep.task).toBe('regression');
    const net = new NeuralNetwork({ layers: [prep.nFeatures, 8, 1], loss: 'mse', preprocessing: prep, seed: 1, epochs: 50 });
    net.fitSync(train, null);
    const y = test.column('target') as Float64Array;
    const pred = net.predictSync(test) as Float64Array;
    expect(pred).toHaveLength(y.length);
    // R² on held-out rows: linear models reach ≈ 0.5 on diabetes; > 0.2 shows the standardized target
    // was mapped back (a forgotten unscaling gives R² ≈ −5).
    expect(net.scoreSync(test, null)).toBeGreaterThan(0.2);
  });

  it('a numeric preprocessing exports to ONNX and runs on raw columns with gaps, as predict does', async () => {
    const prep = Preprocessing.fit(train, { target: 'target', impute: 'median' });
    const net = new NeuralNetwork({ layers: [prep.nFeatures, 6, 1], loss: 'mse', preprocessing: prep, seed: 4, epochs: 5 });
    net.fitSync(train, null);
    const cols = prep.columns;
    const X = new Matrix(test.nRows, cols.length);
    cols.forEach((c, j) => (test.column(c) as Float64Array).forEach((v, i) => (X.data[i * cols.length + j] = v)));
    for (let i = 0; i < X.rows; i += 7) X.data[i * cols.length + (i % cols.length)] = NaN;
    const session = await ort.InferenceSession.create(exportOnnx(net));
    const out = await session.run({ X: new ort.Tensor('float64', X.data, [X.rows, X.cols]) });
    const ours = net.predictSync(X) as Float64Array;
    const theirs = out.values!.data as Float64Array;
    // Normwise, as test/onnx.test.ts: onnxruntime's Gemm sums in another order (a few ulps); 1e-12
    // still fails for a gap not filled (NaN) or a column out of place.
    const scale = Math.max(...ours.map(Math.abs));
    ours.forEach((v, i) => expect(Math.abs(theirs[i]! - v) / scale).toBeLessThan(1e-12));
  });
});
