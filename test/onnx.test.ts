// ONNX export checked by running the exported bytes in onnxruntime-node (CPU provider), against the
// model's own predictSync / predictProbaSync: real models fitted in the test (binary and multinomial
// logistic regression, binary / multiclass / multi-label / regression networks) with labels of every
// kind (iris names, 1/2, booleans, non-integer numbers), every hidden activation × every output kind,
// float64 and float32, with the input scaling (and a regressor's target scaling) in the graph; a small
// MNIST network; the graph's structure; argument errors.
import onnxProto from 'onnx-proto';
import type * as OnnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { exportOnnx, LogisticRegression, Matrix, NeuralNetwork, Standardizer, trainTestSplit } from '../lib/index.js';
import type { ActivationOption, HiddenActivationName, LossName, ActivationName } from '../lib/index.js';
import { loadMnist } from '../examples/mnist.js';
import { gaussian, HAS_NATIVE, loadBreastCancer, mulberry32 } from './helpers/data.js';
import { loadDiabetes, loadIris, loadWine } from './helpers/datasets.js';
import { expectError } from './helpers/errors.js';

const { onnx } = onnxProto;

// Tolerances on `probabilities` and `values`. Both are normwise per output column:
// max_j |ort_j − blasnet_j| / max_j |blasnet_j| over the batch (the ∞-norm of one column). An
// elementwise relative error is unbounded where an output is tiny through cancellation (a linear unit
// at 1e-4 from terms of size 1) or saturation (a sigmoid at 1e-18, from two exp implementations),
// although both results are correct to the working precision of the sum that produced them.
// float64: unit roundoff 1.1e-16; OpenBLAS and onnxruntime sum the Gemm products in different orders and
//   use different exp/tanh, which moves results by a few ulps of the layer's magnitudes (the worst seen
//   is printed at the end: ≈ 1e-15); 1e-12 leaves a margin of ~1000 and still fails for any rounding to
//   float32 (≈ 1e-7), a wrong activation, a transposed weight matrix or a missing target scaling.
// float32: inputs and parameters are rounded to float32 (u = 6e-8) and every op then runs in float32;
//   three layers of sums of ≤ 30 terms whose magnitudes exceed their results by a few times give ≈ 1e-6
//   (printed at the end); 1e-5 is several times that and still far below any real mistake.
// Labels are compared exactly. They are a discrete function of the probabilities (p ≥ 0.5, or the first
// largest column), so they can differ only on a row whose decision margin (|p − 0.5|, or the gap
// between the two largest probabilities) is within 2 × the tolerance. For the fitted models every
// row's margin is checked to exceed 2 × 1e-5, so exact equality in float32 too is a consequence of the
// probability check, not luck; the smallest margin seen is printed at the end.
const TOL64 = 1e-12;
const TOL32 = 1e-5;

/** The worst errors and the smallest margin seen, printed at the end (the figures quoted above). */
const worst = { float64: 0, float32: 0, margin: Infinity };
afterAll(() => console.log(`ONNX vs blasnet, worst normwise error: float64 ${worst.float64.toExponential(2)}, float32 ${worst.float32.toExponential(2)}; smallest decision margin of the fitted classifiers ${worst.margin.toExponential(2)}`));

function normwiseError(got: ArrayLike<number>, want: Float64Array, cols: number): number {
  expect(got.length).toBe(want.length);
  let err = 0;
  for (let c = 0; c < cols; c++) {
    let diff = 0, scale = 0;
    for (let i = c; i < want.length; i += cols) {
      diff = Math.max(diff, Math.abs(Number(got[i]) - want[i]!));
      scale = Math.max(scale, Math.abs(want[i]!));
    }
    err = Math.max(err, scale > 0 ? diff / scale : diff);
  }
  const kind = got instanceof Float32Array ? 'float32' : 'float64';
  worst[kind] = Math.max(worst[kind], err);
  return err;
}

async function run(bytes: Uint8Array, X: Matrix, float32: boolean): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  const data = float32 ? Float32Array.from(X.data) : X.data.slice();
  const out = await session.run({ X: new ort.Tensor(float32 ? 'float32' : 'float64', data, [X.rows, X.cols]) });
  await session.release();
  return out;
}

/** An ONNX label tensor as JS values: int64 → numbers, bool (a Uint8Array in onnxruntime-node) → booleans. */
function labelValues(t: ort.Tensor): unknown[] {
  switch (t.type) {
    case 'int64': return Array.from(t.data as BigInt64Array, Number);
    case 'bool': return Array.from(t.data as Uint8Array, (v) => v === 1);
    case 'float64': return Array.from(t.data as Float64Array);
    case 'string': return Array.from(t.data as string[]);
    default: throw new Error(`unexpected label type ${t.type}`);
  }
}

/** The label tensor type a model's classes give (see exportOnnx). */
function labelType(classes: unknown[]): string {
  if (typeof classes[0] === 'string') return 'string';
  if (typeof classes[0] === 'boolean') return 'bool';
  return classes.every((c) => Number.isSafeInteger(c)) ? 'int64' : 'float64';
}

type Model = LogisticRegression | NeuralNetwork;

/** The smallest decision margin of blasnet's probabilities: |p − 0.5| (binary, multi-label), top-1 minus top-2 (multiclass). */
function minMargin(P: Matrix, task: string): number {
  let margin = Infinity;
  for (let i = 0; i < P.rows; i++) {
    const row = Array.from(P.data.subarray(i * P.cols, (i + 1) * P.cols));
    if (task === 'binary') margin = Math.min(margin, Math.abs(row[1]! - 0.5));
    else if (task === 'multilabel') for (const p of row) margin = Math.min(margin, Math.abs(p - 0.5));
    else {
      row.sort((a, b) => b - a);
      margin = Math.min(margin, row[0]! - row[1]!);
    }
  }
  return margin;
}

/**
 * Exports `model` (float64 and float32), runs it on X and checks every output against the model:
 * `values` against predictSync (regressor), `probabilities` against predictProbaSync to the tolerance
 * and `label` against predictSync exactly (classifiers). `fitted`: the model was fitted on real data,
 * so every decision margin must exceed 2 × TOL32 and all labels must agree in both precisions; otherwise
 * (random parameters) only the rows decided by more than 2 × the tolerance must agree.
 */
async function expectSameAsModel(model: Model, X: Matrix, fitted = true): Promise<void> {
  const task = model.task!;
  const k = model instanceof NeuralNetwork ? model.nOutputs : task === 'binary' ? 2 : model.classes!.length;
  for (const float32 of [false, true]) {
    const tol = float32 ? TOL32 : TOL64, type = float32 ? 'float32' : 'float64';
    const r = await run(exportOnnx(model, { float32 }), X, float32);
    if (task === 'regression') {
      expect(Object.keys(r)).toEqual(['values']);
      const want = model.predictSync(X) as Float64Array | Matrix;
      expect(r.values!.type).toBe(type);
      expect(r.values!.dims).toEqual([X.rows, k]);
      expect(normwiseError(r.values!.data as Float64Array, want instanceof Matrix ? want.data : want, k)).toBeLessThanOrEqual(tol);
      continue;
    }
    expect(Object.keys(r).sort()).toEqual(['label', 'probabilities']);
    const P = model.predictProbaSync(X);
    expect(r.probabilities!.type).toBe(type);
    expect(r.probabilities!.dims).toEqual([X.rows, P.cols]);
    expect(P.cols).toBe(task === 'binary' ? 2 : k);
    expect(normwiseError(r.probabilities!.data as Float64Array, P.data, P.cols)).toBeLessThanOrEqual(tol);
    const predicted = model.predictSync(X);
    let want: unknown[], got: unknown[];
    if (task === 'multilabel') {
      expect(r.label!.type).toBe('int64');
      expect(r.label!.dims).toEqual([X.rows, k]);
      want = Array.from((predicted as Matrix).data);
      got = labelValues(r.label!);
    } else {
      expect(r.label!.type).toBe(labelType(model.classes!));
      expect(r.label!.dims).toEqual([X.rows]);
      want = Array.from(predicted as ArrayLike<unknown>);
      got = labelValues(r.label!);
    }
    const margin = minMargin(P, task);
    if (fitted) {
      expect(margin, 'a row of the fitted model lies within the float32 tolerance of a decision boundary').toBeGreaterThan(2 * TOL32);
      worst.margin = Math.min(worst.margin, margin);
      expect(got).toEqual(want);
    } else {
      const perRow = task === 'multilabel' ? k : 1;
      for (let i = 0; i < X.rows; i++) {
        const rowMargin = minMargin(new Matrix(1, P.cols, P.data.slice(i * P.cols, (i + 1) * P.cols)), task);
        if (rowMargin > 2 * tol) expect(got.slice(i * perRow, (i + 1) * perRow), `row ${i}`).toEqual(want.slice(i * perRow, (i + 1) * perRow));
      }
    }
  }
}

/**
 * Raw features on different scales (means 0 to ±100, stds 0.2–50), so the scaling nodes matter. A float32
 * input carries an error of |x|·6e-8, i.e. |mean|/std · 6e-8 once standardized: the ratio stays ≤ 10 here,
 * as for well-posed data; a feature at 200 ± 0.01 could not be fed to any float32 model to 1e-5.
 */
function rawData(seed: number, n: number, m: number): Matrix {
  const rand = mulberry32(seed);
  const center = Array.from({ length: m }, (_, k) => (k % 2 ? -1 : 1) * [0, 2, 100, 10][k % 4]!);
  const spread = Array.from({ length: m }, (_, k) => [0.2, 1, 50, 3][k % 4]!);
  const X = new Matrix(n, m);
  for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) X.data[i * m + k] = center[k]! + spread[k]! * 1.5 * gaussian(rand);
  return X;
}

const IRIS_NAMES = ['setosa', 'versicolor', 'virginica'];
const iris = loadIris();
const Xiris = Matrix.from(iris.X);
const irisNames = iris.y.map((c) => IRIS_NAMES[c]!);
const irisScaling = Standardizer.fit(Xiris);

describe('exportOnnx: fitted classifiers in onnxruntime-node, labels exactly as predictSync', () => {
  it('binary LogisticRegression, string labels (breast cancer: malignant / benign), scaling included', async () => {
    const { X: Xall, y } = loadBreastCancer();
    const { Xtrain, ytrain, Xtest } = trainTestSplit(Xall, y, { testFraction: 0.25, seed: 3 });
    const model = new LogisticRegression({ learningRate: 0.5, iterations: 300 });
    model.setInputScaling(Standardizer.fit(Xtrain));
    model.fitSync(Xtrain, Array.from(ytrain, (v) => (v === 1 ? 'benign' : 'malignant')));
    expect(model.task).toBe('binary');
    expect(model.classes).toEqual(['benign', 'malignant']);
    await expectSameAsModel(model, Xtest);
    const r = await run(exportOnnx(model), Xtest, false);
    // Column 0 is P('benign'), the first class; the label strings come out of the graph.
    expect(labelValues(r.label!).slice(0, 5).every((l) => l === 'benign' || l === 'malignant')).toBe(true);
  });

  it('binary LogisticRegression with labels 1 / 2 (int64) and with booleans (bool)', async () => {
    const y12 = iris.y.map((c) => (c === 2 ? 2 : 1));
    const m12 = new LogisticRegression({ solver: 'lbfgs', l2: 1e-2 });
    m12.setInputScaling(irisScaling);
    m12.fitSync(Xiris, y12);
    expect(m12.classes).toEqual([1, 2]);
    await expectSameAsModel(m12, Xiris);
    const r = await run(exportOnnx(m12), Xiris, false);
    expect(new Set(labelValues(r.label!))).toEqual(new Set([1, 2]));

    const mb = new LogisticRegression({ solver: 'lbfgs', l2: 1e-2 });
    mb.setInputScaling(irisScaling);
    mb.fitSync(Xiris, iris.y.map((c) => c === 0));
    expect(mb.classes).toEqual([false, true]);
    await expectSameAsModel(mb, Xiris);
  });

  it('multinomial LogisticRegression (k × m coef, softmax): iris names, and wine with labels 1 / 2 / 3', async () => {
    const model = new LogisticRegression({ solver: 'lbfgs', l2: 1e-2 });
    model.setInputScaling(irisScaling);
    model.fitSync(Xiris, irisNames);
    expect(model.task).toBe('multiclass');
    expect(model.coef.rows).toBe(3);
    await expectSameAsModel(model, Xiris);
    const r = await run(exportOnnx(model), Xiris, false);
    expect(new Set(labelValues(r.label!))).toEqual(new Set(IRIS_NAMES));

    const wine = loadWine(), Xw = Matrix.from(wine.X);
    const mw = new LogisticRegression({ solver: 'lbfgs', l2: 1e-2 });
    mw.setInputScaling(Standardizer.fit(Xw));
    mw.fitSync(Xw, wine.y.map((c) => c + 1));
    expect(mw.classes).toEqual([1, 2, 3]);
    await expectSameAsModel(mw, Xw);
  });

  it('binary NeuralNetwork (one sigmoid output): labels 1 / 2 and booleans', async () => {
    for (const y of [iris.y.map((c) => (c === 1 ? 2 : 1)), iris.y.map((c) => c !== 1)]) {
      const net = new NeuralNetwork({ layers: [4, 8, 1], hidden: 'tanh', seed: 3, optimizer: 'lbfgs', epochs: 200, l2: 1e-3 });
      net.setInputScaling(irisScaling);
      net.fitSync(Xiris, y);
      expect(net.task).toBe('binary');
      expect(net.scoreSync(Xiris, y)).toBeGreaterThan(0.9);
      await expectSameAsModel(net, Xiris);
    }
  });

  it('multiclass NeuralNetwork (softmax): iris names, and non-integer number labels (double)', async () => {
    const net = new NeuralNetwork({ layers: [4, 8, 3], seed: 5, optimizer: 'lbfgs', epochs: 200, l2: 1e-3 });
    net.setInputScaling(irisScaling);
    net.fitSync(Xiris, irisNames);
    expect(net.task).toBe('multiclass');
    expect(net.scoreSync(Xiris, irisNames)).toBeGreaterThan(0.95);
    await expectSameAsModel(net, Xiris);

    const halves = iris.y.map((c) => [-0.5, 1.5, 2.25][c]!);
    const nh = new NeuralNetwork({ layers: [4, 6, 3], seed: 6, optimizer: 'lbfgs', epochs: 200, l2: 1e-3 });
    nh.setInputScaling(irisScaling);
    nh.fitSync(Xiris, halves);
    expect(nh.classes).toEqual([-0.5, 1.5, 2.25]);
    await expectSameAsModel(nh, Xiris);
  });

  it('multi-label NeuralNetwork (k sigmoid outputs): probabilities n × k, label n × k 0/1 int64', async () => {
    // Three yes/no questions about each flower.
    const med = [5.8, 3.0, 4.35];
    const Y = Matrix.from(iris.X.map((r) => [r[0]! > med[0]! ? 1 : 0, r[1]! > med[1]! ? 1 : 0, r[2]! > med[2]! ? 1 : 0]));
    const net = new NeuralNetwork({ layers: [4, 8, 3], output: 'sigmoid', seed: 7, optimizer: 'lbfgs', epochs: 200, l2: 1e-2 });
    net.setInputScaling(irisScaling);
    net.fitSync(Xiris, Y);
    expect(net.task).toBe('multilabel');
    // Rows the model is not sure of would be within the float32 tolerance of 0.5: fit the margin check on the clear rows.
    const P = net.predictProbaSync(Xiris);
    const clear = Array.from({ length: Xiris.rows }, (_, i) => i).filter((i) => minMargin(new Matrix(1, 3, P.data.slice(3 * i, 3 * i + 3)), 'multilabel') > 1e-3);
    expect(clear.length).toBeGreaterThan(100);
    await expectSameAsModel(net, Matrix.from(clear.map((i) => iris.X[i]!)));
    // On all rows, only the margin rule.
    await expectSameAsModel(net, Xiris, false);
  });
});

describe('exportOnnx: fitted regressors in onnxruntime-node, values in the units of the targets', () => {
  it('diabetes, one output: the target scaling (y = a·std + mean) is in the graph', async () => {
    const d = loadDiabetes(), X = Matrix.from(d.X);
    const net = new NeuralNetwork({ layers: [10, 16, 1], loss: 'mse', seed: 2, optimizer: 'lbfgs', epochs: 100 });
    net.setInputScaling(Standardizer.fit(X));
    net.fitSync(X, d.y);
    expect(net.task).toBe('regression');
    const t = net.targetScaling!;
    expect(t.mean[0]).toBeGreaterThan(100);         // raw targets 25 … 346: without the Mul/Add the values would be off by ~150
    expect(net.scoreSync(X, d.y)).toBeGreaterThan(0.4);
    await expectSameAsModel(net, X);
    const nodes = onnx.ModelProto.decode(exportOnnx(net)).graph!.node.map((n) => n.opType);
    expect(nodes.slice(-3)).toEqual(['Mul', 'Add', 'Identity']);
  });

  it('two outputs, with and without target standardization', async () => {
    const X = rawData(9, 80, 5);
    const Y = new Matrix(80, 2);
    for (let i = 0; i < 80; i++) {
      const x = X.data.subarray(5 * i, 5 * i + 5);
      Y.data[2 * i] = 1000 + 20 * x[0]! + x[2]! / 5;
      Y.data[2 * i + 1] = -3 + Math.tanh(x[1]!) + 0.01 * x[3]!;
    }
    for (const standardizeTargets of [true, false]) {
      const net = new NeuralNetwork({ layers: [5, 6, 2], hidden: 'tanh', loss: 'mse', seed: 4, optimizer: 'lbfgs', epochs: 50, standardizeTargets });
      net.setInputScaling(Standardizer.fit(X));
      net.fitSync(X, Y);
      expect(net.targetScaling === null).toBe(!standardizeTargets);
      await expectSameAsModel(net, X);
    }
  });
});

const HIDDEN: ActivationOption<HiddenActivationName>[] = ['sigmoid', 'tanh', 'relu', 'leaky-relu', { name: 'leaky-relu', alpha: 0.7 }, 'linear'];
const OUTPUTS: { output: ActivationOption<ActivationName>; loss: LossName }[] = [
  { output: 'sigmoid', loss: 'cross-entropy' },   // three sigmoid outputs: multi-label
  { output: 'softmax', loss: 'cross-entropy' },   // multiclass
  { output: 'linear', loss: 'mse' },              // the rest: regression
  { output: 'sigmoid', loss: 'mse' },
  { output: 'tanh', loss: 'mse' },
  { output: 'relu', loss: 'mse' },
  { output: { name: 'leaky-relu', alpha: 0.2 }, loss: 'mse' },
];

describe('exportOnnx: every activation in onnxruntime-node (given parameters)', () => {
  const Xraw = rawData(7, 96, 6);
  const scaler = Standardizer.fit(Xraw);
  const X = scaler.transform(Xraw);

  for (const hidden of HIDDEN) {
    for (const { output, loss } of OUTPUTS) {
      const label = `hidden ${JSON.stringify(hidden)}, output ${JSON.stringify(output)} + ${loss}`;
      it(`${label}: float64 to ${TOL64}, float32 to ${TOL32}, scaling included`, async () => {
        const net = new NeuralNetwork({ layers: [6, 8, 5, 3], hidden, output, loss, seed: 11 });
        // Non-zero biases (the initialization leaves them at 0), seeded.
        const rand = mulberry32(5);
        const { W, b } = net.parameters;
        net.setParameters({ W, b: b.map((bl) => bl.map(() => 0.5 * gaussian(rand))) });
        // The model standardizes its raw inputs itself; the exported graph must too (Sub/Div).
        net.setInputScaling(scaler);
        await expectSameAsModel(net, Xraw, false);
        // Softmax rows sum to 1 in the exported model too.
        if (output === 'softmax') {
          const p = (await run(exportOnnx(net), Xraw, false)).probabilities!.data as Float64Array;
          for (let i = 0; i < 96; i++) expect(Math.abs(p[3 * i]! + p[3 * i + 1]! + p[3 * i + 2]! - 1)).toBeLessThan(1e-14);
        }
      });
    }
  }

  it('the batch dimension is dynamic: one session runs 1 row and 96 rows', async () => {
    const net = new NeuralNetwork({ layers: [6, 4, 2], hidden: 'tanh', output: 'softmax', seed: 2 });
    net.setParameters(net.parameters);
    const session = await ort.InferenceSession.create(exportOnnx(net));
    for (const n of [1, 96]) {
      const Xn = new Matrix(n, 6, X.data.slice(0, n * 6));
      const r = await session.run({ X: new ort.Tensor('float64', Xn.data.slice(), [n, 6]) });
      expect(r.probabilities!.dims).toEqual([n, 2]);
      expect(r.label!.dims).toEqual([n]);
      expect(normwiseError(r.probabilities!.data as Float64Array, net.predictProbaSync(Xn).data, 2)).toBeLessThanOrEqual(TOL64);
    }
    await session.release();
  });

  it('without a scaling the graph takes the inputs as they are; options.inputScaling overrides the model\'s', async () => {
    const net = new NeuralNetwork({ layers: [6, 5, 1], hidden: 'relu', output: 'sigmoid', seed: 4 });
    net.setParameters(net.parameters);
    const plain = net.predictProbaSync(X).data;
    let r = await run(exportOnnx(net), X, false);
    expect(normwiseError(r.probabilities!.data as Float64Array, plain, 2)).toBeLessThanOrEqual(TOL64);
    r = await run(exportOnnx(net, { inputScaling: scaler }), Xraw, false);
    expect(normwiseError(r.probabilities!.data as Float64Array, plain, 2)).toBeLessThanOrEqual(TOL64);
    net.setInputScaling(scaler);
    expect(onnx.ModelProto.decode(exportOnnx(net, { inputScaling: null })).graph!.node.map((nd) => nd.opType))
      .toEqual(['Gemm', 'Relu', 'Gemm', 'Sigmoid', 'Sub', 'Concat', 'GreaterOrEqual', 'Cast', 'Reshape', 'Gather']);
  });

  it('asks the contract, not the class: a plain object with a logistic model\'s getters exports the same graph', async () => {
    const model = new LogisticRegression({ solver: 'lbfgs', l2: 1e-2 });
    model.setInputScaling(irisScaling);
    model.fitSync(Xiris, irisNames);
    const view = { task: model.task, classes: model.classes, coef: model.coef, intercept: model.intercept, inputScaling: model.inputScaling };
    expect(Buffer.from(exportOnnx(view as never))).toEqual(Buffer.from(exportOnnx(model)));
  });
});

describe('exportOnnx: the graph', () => {
  function decode(bytes: Uint8Array) {
    return onnx.ModelProto.decode(bytes);
  }
  function fittedNet(options: ConstructorParameters<typeof NeuralNetwork>[0]): NeuralNetwork {
    const net = new NeuralNetwork(options);
    net.setParameters(net.parameters);   // fitted with its seeded initial parameters
    return net;
  }
  const elem = (v: OnnxProto.onnx.IValueInfoProto) => v.type!.tensorType!.elemType;
  const dims = (v: OnnxProto.onnx.IValueInfoProto) => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));

  it('opset 13, a dynamic batch dimension, double by default, float with float32', () => {
    const net = fittedNet({ layers: [3, 2, 1], seed: 1 });
    for (const [float32, type] of [[false, onnx.TensorProto.DataType.DOUBLE], [true, onnx.TensorProto.DataType.FLOAT]] as const) {
      const m = decode(exportOnnx(net, { float32 }));
      expect(m.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
      const input = m.graph!.input[0]!;
      expect(input.name).toBe('X');
      expect(elem(input)).toBe(type);
      expect(dims(input)).toEqual(['N', 3]);
      expect(m.graph!.output.map((o) => [o.name, elem(o), dims(o)])).toEqual([
        ['label', onnx.TensorProto.DataType.INT64, ['N']],
        ['probabilities', type, ['N', 2]],
      ]);
      expect(m.graph!.initializer.every((t) => t.dataType === type || t.name === 'classes' || t.name === 'flat')).toBe(true);
    }
  });

  it('the outputs of each task and the label type of each kind of classes', () => {
    const DT = onnx.TensorProto.DataType;
    const outputs = (model: Model) => decode(exportOnnx(model, { float32: true })).graph!.output.map((o) => [o.name, elem(o), dims(o)]);
    const lr = new LogisticRegression();
    for (const [classes, type] of [[['a', 'b'], DT.STRING], [[false, true], DT.BOOL], [[1, 2], DT.INT64], [[0.5, 2], DT.DOUBLE]] as const) {
      lr.setParameters({ weights: [1, 2], bias: 0, classes: classes as never });
      expect(outputs(lr)).toEqual([['label', type, ['N']], ['probabilities', DT.FLOAT, ['N', 2]]]);
    }
    lr.setParameters({ coef: [[1, 0], [0, 1], [1, 1]], intercept: [0, 0, 0], classes: ['x', 'y', 'z'] });
    expect(outputs(lr)).toEqual([['label', DT.STRING, ['N']], ['probabilities', DT.FLOAT, ['N', 3]]]);
    expect(outputs(fittedNet({ layers: [2, 4], output: 'sigmoid', seed: 1 }))).toEqual([['label', DT.INT64, ['N', 4]], ['probabilities', DT.FLOAT, ['N', 4]]]);
    expect(outputs(fittedNet({ layers: [2, 4], loss: 'mse', seed: 1 }))).toEqual([['values', DT.FLOAT, ['N', 4]]]);
    // The classes are stored exactly.
    lr.setParameters({ weights: [1, 2], bias: 0, classes: ['été', '日本'] });
    const t = decode(exportOnnx(lr)).graph!.initializer.find((i) => i.name === 'classes')!;
    expect(t.stringData.map((s) => new TextDecoder().decode(s))).toEqual(['été', '日本']);
  });

  it('nodes: Sub/Div in front, a Gemm per layer, leaky relu as Max(Z, αZ), never LeakyRelu (no double kernel in onnxruntime)', () => {
    const net = fittedNet({ layers: [3, 4, 4, 4, 2], hidden: ['leaky-relu', { name: 'leaky-relu', alpha: 1 }, 'linear'], output: 'softmax', seed: 1 });
    const m = decode(exportOnnx(net, { inputScaling: { mean: [1, 2, 3], std: [1, 1, 2] } }));
    expect(m.graph!.node.map((n) => n.opType)).toEqual(['Sub', 'Div', 'Gemm', 'Mul', 'Max', 'Gemm', 'Mul', 'Max', 'Gemm', 'Gemm', 'Softmax', 'Identity', 'ArgMax', 'Gather']);
  });

  it('the parameters are stored exactly in float64 and rounded once in float32', () => {
    const net = fittedNet({ layers: [3, 2], output: 'linear', loss: 'mse', seed: 5 });
    const W = net.parameters.W[0]!;
    const init = (float32: boolean) => decode(exportOnnx(net, { float32 })).graph!.initializer.find((t) => t.name === 'layer1_W')!;
    const t64 = init(false), t32 = init(true);
    expect(t64.dims.map(Number)).toEqual([2, 3]);
    const raw64 = t64.rawData!, raw32 = t32.rawData!;
    expect(Array.from(new Float64Array(raw64.buffer.slice(raw64.byteOffset, raw64.byteOffset + raw64.byteLength)))).toEqual(Array.from(W));
    expect(Array.from(new Float32Array(raw32.buffer.slice(raw32.byteOffset, raw32.byteOffset + raw32.byteLength)))).toEqual(Array.from(Float32Array.from(W)));
  });
});

describe.skipIf(!HAS_NATIVE)('exportOnnx: MNIST', () => {
  it('a 784-64-10 network trained on 6000 images labels all 10 000 test images as blasnet does', async () => {
    const { train, test } = loadMnist({ trainLimit: 6000 });
    const net = new NeuralNetwork({ layers: [784, 64, 10], hidden: 'relu', output: 'softmax', seed: 0 });
    await net.fit(train.X, train.labels, { epochs: 3, batchSize: 64, optimizer: 'adam', learningRate: 0.002 });
    const want = Array.from(net.predictSync(test.X) as Float64Array);
    // Trained, not chance: the comparison below is between two real classifiers.
    expect(net.scoreSync(test.X, test.labels)).toBeGreaterThan(0.85);
    const P = net.predictProbaSync(test.X);
    for (const float32 of [false, true]) {
      const r = await run(exportOnnx(net, { float32 }), test.X, float32);
      expect(normwiseError(r.probabilities!.data as Float64Array, P.data, 10)).toBeLessThanOrEqual(float32 ? TOL32 : TOL64);
      const got = labelValues(r.label!);
      const differ = got.filter((l, i) => l !== want[i]).length;
      expect(differ, `${float32 ? 'float32' : 'float64'}: test images labelled differently`).toBe(0);
    }
  }, 60_000);
});

describe('exportOnnx: argument errors', () => {
  it('rejects what is not a fitted model and bad options', () => {
    expectError(() => exportOnnx({} as never), TypeError, 'ERR_BLASNET_ARG_TYPE', /model must be a LogisticRegression or a NeuralNetwork/);
    expectError(() => exportOnnx(null as never), TypeError, 'ERR_BLASNET_ARG_TYPE', /model must be a LogisticRegression or a NeuralNetwork/);
    expectError(() => exportOnnx({ coef: new Matrix(1, 2), intercept: new Float64Array(1) } as never), TypeError, 'ERR_BLASNET_ARG_TYPE', /model must be/);
    expectError(() => exportOnnx(new LogisticRegression()), Error, 'ERR_BLASNET_NOT_FITTED', /LogisticRegression has not been fitted/);
    const inconsistent = { task: 'multiclass', classes: ['a', 'b'], coef: new Matrix(3, 2), intercept: new Float64Array(3), inputScaling: null };
    expectError(() => exportOnnx(inconsistent as never), TypeError, 'ERR_BLASNET_CONFIG', /multiclass LogisticRegression with 3 output\(s\) must have 3 classes/);
    expectError(() => exportOnnx(new NeuralNetwork({ layers: [2, 1] })), Error, 'ERR_BLASNET_NOT_FITTED', /NeuralNetwork has not been fitted/);
    const reset = new NeuralNetwork({ layers: [2, 3, 1], seed: 1 });
    reset.fitSync([[0, 0], [1, 1], [0, 1], [1, 0]], ['a', 'b', 'b', 'a'], { epochs: 2 });
    exportOnnx(reset);
    reset.reset();
    expectError(() => exportOnnx(reset), Error, 'ERR_BLASNET_NOT_FITTED', /not been fitted/);
    const net = new NeuralNetwork({ layers: [2, 1] });
    net.setParameters(net.parameters);
    expectError(() => exportOnnx(net, { float32: 1 as never }), TypeError, 'ERR_BLASNET_ARG_TYPE', /options\.float32 must be a boolean, got 1/);
    expectError(() => exportOnnx(net, { fp16: true } as never), TypeError, 'ERR_BLASNET_ARG_TYPE', /fp16/);
    expectError(() => exportOnnx(net, { name: '' }), TypeError, 'ERR_BLASNET_ARG_TYPE', /options\.name must be a non-empty string/);
    expectError(() => exportOnnx(net, { inputScaling: { mean: [0], std: [1, 1] } }), RangeError, 'ERR_BLASNET_SHAPE', /options\.inputScaling\.mean must have one value per feature \(2\), got 1/);
    expectError(() => exportOnnx(net, { inputScaling: { mean: [0, NaN], std: [1, 1] } }), RangeError, 'ERR_BLASNET_NOT_FINITE', /options\.inputScaling\.mean .* NaN at index 1/);
    expectError(() => exportOnnx(net, { inputScaling: { mean: [0, 0], std: [1, 0] } }), RangeError, 'ERR_BLASNET_ARG_RANGE', /options\.inputScaling\.std must hold values > 0.*got 0 at index 1/);
    expectError(() => exportOnnx(net, { inputScaling: [1, 2] as never }), TypeError, 'ERR_BLASNET_ARG_TYPE', /options\.inputScaling must be a Standardizer/);
  });

  it('a string class with a lone surrogate has no UTF-8 form: ERR_BLASNET_LABEL', () => {
    const lr = new LogisticRegression();
    lr.setParameters({ weights: [1], bias: 0, classes: ['a', 'b\uD800'] });
    expectError(() => exportOnnx(lr), RangeError, 'ERR_BLASNET_LABEL', /classes\[1\] .* not well-formed Unicode/);
  });
});
