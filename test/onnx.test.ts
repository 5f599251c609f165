// ONNX export checked by running the exported bytes in onnxruntime-node (CPU provider): every
// hidden activation × every output kind, float64 and float32, with the input scaling in the graph;
// logistic regression; a small MNIST network; the graph's structure; argument errors.
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { exportOnnx, LogisticRegression, Matrix, NeuralNetwork, Standardizer, trainTestSplit } from '../lib/index.js';
import type { ActivationOption, HiddenActivationName, LossName, ActivationName } from '../lib/index.js';
import { loadMnist } from '../examples/mnist.js';
import { gaussian, HAS_NATIVE, loadBreastCancer, mulberry32 } from './helpers/data.js';
import { expectError } from './helpers/errors.js';

const { onnx } = onnxProto;

// Tolerances. Both are normwise per output unit: max_j |ort_j − blasnet_j| / max_j |blasnet_j| over
// the batch (the ∞-norm of one output column). An elementwise relative error is unbounded where an
// output is tiny through cancellation (a linear unit at 1e-4 from terms of size 1) or saturation
// (a sigmoid at 1e-18, from two exp implementations), although both results are correct to the
// working precision of the sum that produced them.
// float64: unit roundoff 1.1e-16; OpenBLAS and onnxruntime sum the Gemm products in different orders and
//   use different exp/tanh, which moves results by a few ulps of the layer's magnitudes (measured
//   ≤ 1.6e-15 here); 1e-12 leaves a margin of 1000 and still fails for any rounding to float32 (≈ 1e-7),
//   a wrong activation or a transposed weight matrix.
// float32: inputs and parameters are rounded to float32 (u = 6e-8) and every op then runs in float32;
//   three layers of sums of ≤ 8 terms whose magnitudes exceed their results by a few times give ≈ 1e-6
//   (measured ≤ 1.6e-6 here); 1e-5 is six times that and still far below any real mistake.
const TOL64 = 1e-12;
const TOL32 = 1e-5;

/** The worst errors seen, printed at the end (the figures quoted in the tolerance comment above). */
const worst = { float64: 0, float32: 0 };
afterAll(() => console.log(`ONNX vs blasnet, worst normwise error: float64 ${worst.float64.toExponential(2)}, float32 ${worst.float32.toExponential(2)}`));

function normwiseError(got: ArrayLike<number>, want: Float64Array, cols: number): number {
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

const HIDDEN: ActivationOption<HiddenActivationName>[] = ['sigmoid', 'tanh', 'relu', 'leaky-relu', { name: 'leaky-relu', alpha: 0.7 }, 'linear'];
const OUTPUTS: { output: ActivationOption<ActivationName>; loss: LossName }[] = [
  { output: 'sigmoid', loss: 'cross-entropy' },
  { output: 'softmax', loss: 'cross-entropy' },
  { output: 'linear', loss: 'mse' },
  { output: 'sigmoid', loss: 'mse' },
  { output: 'tanh', loss: 'mse' },
  { output: 'relu', loss: 'mse' },
  { output: { name: 'leaky-relu', alpha: 0.2 }, loss: 'mse' },
];

describe('exportOnnx: NeuralNetwork in onnxruntime-node', () => {
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
        const want = net.predictSync(Xraw).data;
        const r64 = await run(exportOnnx(net), Xraw, false);
        expect(r64.Y!.type).toBe('float64');
        expect(r64.Y!.dims).toEqual([96, 3]);
        expect(normwiseError(r64.Y!.data as Float64Array, want, 3)).toBeLessThanOrEqual(TOL64);
        const r32 = await run(exportOnnx(net, { float32: true }), Xraw, true);
        expect(r32.Y!.type).toBe('float32');
        expect(normwiseError(r32.Y!.data as Float32Array, want, 3)).toBeLessThanOrEqual(TOL32);
        // Softmax rows sum to 1 in the exported model too.
        if (output === 'softmax') {
          const p = r64.Y!.data as Float64Array;
          for (let i = 0; i < 96; i++) expect(Math.abs(p[3 * i]! + p[3 * i + 1]! + p[3 * i + 2]! - 1)).toBeLessThan(1e-14);
        }
      });
    }
  }

  it('the batch dimension is dynamic: one session runs 1 row and 96 rows', async () => {
    const net = new NeuralNetwork({ layers: [6, 4, 2], hidden: 'tanh', output: 'softmax', seed: 2 });
    const session = await ort.InferenceSession.create(exportOnnx(net));
    for (const n of [1, 96]) {
      const Xn = new Matrix(n, 6, X.data.slice(0, n * 6));
      const r = await session.run({ X: new ort.Tensor('float64', Xn.data.slice(), [n, 6]) });
      expect(r.Y!.dims).toEqual([n, 2]);
      expect(normwiseError(r.Y!.data as Float64Array, net.predictSync(Xn).data, 2)).toBeLessThanOrEqual(TOL64);
    }
    await session.release();
  });

  it('without a scaling the graph takes the inputs as they are; options.inputScaling overrides the model\'s', async () => {
    const net = new NeuralNetwork({ layers: [6, 5, 1], hidden: 'relu', output: 'sigmoid', seed: 4 });
    const plain = net.predictSync(X).data;
    let r = await run(exportOnnx(net), X, false);
    expect(normwiseError(r.Y!.data as Float64Array, plain, 1)).toBeLessThanOrEqual(TOL64);
    r = await run(exportOnnx(net, { inputScaling: scaler }), Xraw, false);
    expect(normwiseError(r.Y!.data as Float64Array, plain, 1)).toBeLessThanOrEqual(TOL64);
    net.setInputScaling(scaler);
    expect(onnx.ModelProto.decode(exportOnnx(net, { inputScaling: null })).graph!.node.map((nd) => nd.opType)).toEqual(['Gemm', 'Relu', 'Gemm', 'Sigmoid', 'Identity']);
  });
});

describe('exportOnnx: the graph', () => {
  function decode(bytes: Uint8Array) {
    return onnx.ModelProto.decode(bytes);
  }

  it('opset 13, a dynamic batch dimension, double by default, float with float32', () => {
    const net = new NeuralNetwork({ layers: [3, 2, 1], seed: 1 });
    for (const [float32, type] of [[false, onnx.TensorProto.DataType.DOUBLE], [true, onnx.TensorProto.DataType.FLOAT]] as const) {
      const m = decode(exportOnnx(net, { float32 }));
      expect(m.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
      const input = m.graph!.input[0]!, output = m.graph!.output[0]!;
      expect(input.name).toBe('X');
      expect(input.type!.tensorType!.elemType).toBe(type);
      expect(input.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['N', 3]);
      expect(output.name).toBe('Y');
      expect(output.type!.tensorType!.elemType).toBe(type);
      expect(m.graph!.initializer.every((t) => t.dataType === type)).toBe(true);
    }
  });

  it('nodes: Sub/Div in front, a Gemm per layer, leaky relu as Max(Z, αZ), never LeakyRelu (no double kernel in onnxruntime)', () => {
    const net = new NeuralNetwork({ layers: [3, 4, 4, 4, 2], hidden: ['leaky-relu', { name: 'leaky-relu', alpha: 1 }, 'linear'], output: 'softmax', seed: 1 });
    const m = decode(exportOnnx(net, { inputScaling: { mean: [1, 2, 3], std: [1, 1, 2] } }));
    expect(m.graph!.node.map((n) => n.opType)).toEqual(['Sub', 'Div', 'Gemm', 'Mul', 'Max', 'Gemm', 'Mul', 'Max', 'Gemm', 'Gemm', 'Softmax', 'Identity']);
  });

  it('the parameters are stored exactly in float64 and rounded once in float32', () => {
    const net = new NeuralNetwork({ layers: [3, 2], output: 'linear', loss: 'mse', seed: 5 });
    const W = net.parameters.W[0]!;
    const init = (float32: boolean) => decode(exportOnnx(net, { float32 })).graph!.initializer.find((t) => t.name === 'layer1_W')!;
    const t64 = init(false), t32 = init(true);
    expect(t64.dims.map(Number)).toEqual([2, 3]);
    const raw64 = t64.rawData!, raw32 = t32.rawData!;
    expect(Array.from(new Float64Array(raw64.buffer.slice(raw64.byteOffset, raw64.byteOffset + raw64.byteLength)))).toEqual(Array.from(W));
    expect(Array.from(new Float32Array(raw32.buffer.slice(raw32.byteOffset, raw32.byteOffset + raw32.byteLength)))).toEqual(Array.from(Float32Array.from(W)));
  });
});

describe('exportOnnx: LogisticRegression in onnxruntime-node', () => {
  it('breast cancer: probability to 1e-12 (float64) and 1e-5 (float32), the same labels, scaling included', async () => {
    const { X: Xall, y } = loadBreastCancer();
    const { Xtrain, ytrain, Xtest } = trainTestSplit(Xall, y, { testFraction: 0.25, seed: 3 });
    const model = new LogisticRegression({ learningRate: 0.5, iterations: 300 });
    model.setInputScaling(Standardizer.fit(Xtrain));
    model.fitSync(Xtrain, ytrain);
    const p = model.predictProbaSync(Xtest), labels = model.predictSync(Xtest);
    for (const float32 of [false, true]) {
      const r = await run(exportOnnx(model, { float32 }), Xtest, float32);
      expect(r.probability!.dims).toEqual([Xtest.rows, 1]);
      expect(r.label!.type).toBe('int64');
      expect(normwiseError(r.probability!.data as Float64Array, p, 1)).toBeLessThanOrEqual(float32 ? TOL32 : TOL64);
      const got = Array.from(r.label!.data as BigInt64Array, Number);
      // In float32 a probability within its rounding of 0.5 could fall either side: none does on this data.
      expect(got).toEqual(Array.from(labels));
    }
  });
});

describe.skipIf(!HAS_NATIVE)('exportOnnx: MNIST', () => {
  it('a 784-64-10 network trained on 6000 images classifies all 10 000 test images as blasnet does', async () => {
    const { train, test } = loadMnist({ trainLimit: 6000 });
    const net = new NeuralNetwork({ layers: [784, 64, 10], hidden: 'relu', output: 'softmax', seed: 0 });
    await net.fit(train.X, train.labels, { epochs: 3, batchSize: 64, optimizer: 'adam', learningRate: 0.002 });
    const want = net.predictClassSync(test.X);
    // Trained, not chance: the comparison below is between two real classifiers.
    expect(net.scoreSync(test.X, test.labels)).toBeGreaterThan(0.85);
    for (const float32 of [false, true]) {
      const r = await run(exportOnnx(net, { float32 }), test.X, float32);
      const Y = r.Y!.data as Float64Array | Float32Array;
      let differ = 0;
      for (let i = 0; i < test.X.rows; i++) {
        let best = 0;
        for (let c = 1; c < 10; c++) if (Y[10 * i + c]! > Y[10 * i + best]!) best = c;
        if (best !== want[i]) differ++;
      }
      expect(differ, `${float32 ? 'float32' : 'float64'}: test images classified differently`).toBe(0);
    }
  }, 60_000);
});

describe('exportOnnx: argument errors', () => {
  it('rejects what is not a fitted model and bad options', () => {
    expectError(() => exportOnnx({} as never), TypeError, 'ERR_BLASNET_ARG_TYPE', /model must be a LogisticRegression or a NeuralNetwork/);
    expectError(() => exportOnnx(new LogisticRegression()), Error, 'ERR_BLASNET_NOT_FITTED', /not been fitted/);
    const net = new NeuralNetwork({ layers: [2, 1] });
    expectError(() => exportOnnx(net, { float32: 1 as never }), TypeError, 'ERR_BLASNET_ARG_TYPE', /options\.float32 must be a boolean, got 1/);
    expectError(() => exportOnnx(net, { fp16: true } as never), TypeError, 'ERR_BLASNET_ARG_TYPE', /fp16/);
    expectError(() => exportOnnx(net, { inputScaling: { mean: [0], std: [1, 1] } }), RangeError, 'ERR_BLASNET_SHAPE', /options\.inputScaling\.mean must have one value per feature \(2\), got 1/);
    expectError(() => exportOnnx(net, { inputScaling: { mean: [0, NaN], std: [1, 1] } }), RangeError, 'ERR_BLASNET_NOT_FINITE', /options\.inputScaling\.mean .* NaN at index 1/);
    expectError(() => exportOnnx(net, { inputScaling: { mean: [0, 0], std: [1, 0] } }), RangeError, 'ERR_BLASNET_ARG_RANGE', /options\.inputScaling\.std must hold values > 0.*got 0 at index 1/);
    expectError(() => exportOnnx(net, { inputScaling: [1, 2] as never }), TypeError, 'ERR_BLASNET_ARG_TYPE', /options\.inputScaling must be a Standardizer/);
  });
});
