// ONNX export of a fitted LogisticRegression or NeuralNetwork: builds the graph (scaling, Gemm and
// activation nodes) and encodes it with onnx-proto (protobufjs-generated ONNX messages). Reads the
// models only through their public accessors; never changes a model, never touches the file system.
import { createRequire } from 'node:module';
import type * as OnnxProto from 'onnx-proto';
import { BlasnetError, BlasnetTypeError, describe } from './errors.js';
import { metadata } from './format.js';
import { LogisticRegression } from './logistic.js';
import { NeuralNetwork } from './network.js';
import type { Activation } from './spec.js';
import { checkInputScaling, type InputScaling, type InputScalingOption } from './scaling.js';
import { checkKnownKeys, checkOptionsObject } from './validate.js';

type INodeProto = OnnxProto.onnx.INodeProto;
type ITensorProto = OnnxProto.onnx.ITensorProto;
type IValueInfoProto = OnnxProto.onnx.IValueInfoProto;
type IAttributeProto = OnnxProto.onnx.IAttributeProto;

// The ONNX messages, loaded on the first export rather than when blasnet is imported: onnx-proto and
// the protobuf runtime take tens of milliseconds to load, which every user of the package would pay.
let onnx: typeof OnnxProto.onnx;
function loadMessages(): void {
  onnx ??= (createRequire(import.meta.url)('onnx-proto') as typeof OnnxProto).onnx;
}

/**
 * The opset the exported graphs declare (default domain). Softmax takes its opset-13 meaning: over axis 1 only.
 * @example onnx.ModelProto.decode(exportOnnx(net)).opsetImport[0].version === ONNX_OPSET  // 13
 */
export const ONNX_OPSET = 13;

/**
 * Options of {@link exportOnnx}.
 * @example exportOnnx(net, { float32: true, name: 'breast-cancer' })
 */
export interface OnnxExportOptions {
  /** Export tensor(float) instead of tensor(double): parameters rounded to float32. Default false. */
  float32?: boolean;
  /**
   * The standardization put in front of the model as Sub and Div nodes, so that the ONNX model takes
   * raw features: a Standardizer or `{ mean, std }`, or null for none. Default: the model's own
   * (`model.inputScaling`, set with `setInputScaling`), none when it has none.
   */
  inputScaling?: InputScalingOption;
  /** The graph's name. Default 'blasnet'. */
  name?: string;
}

const OPTION_KEYS = ['float32', 'inputScaling', 'name'] as const;

/**
 * Encodes a fitted model as an ONNX model (opset 13, IR version 8) and returns its bytes.
 *
 * The graph has one input `X`, `[N, s0]` with a dynamic batch dimension `N`, of tensor(double)
 * (tensor(float) with `float32: true`). When the model has an input scaling (or `inputScaling`
 * is given) it starts with `Sub(X, mean)` and `Div(·, std)`, so it takes raw features as the model
 * does. Each layer is one `Gemm` (`A·Wᵀ + b`, W in blasnet's row-major `s_l × s_{l−1}` layout,
 * transB = 1) followed by its activation: `Sigmoid`, `Tanh`, `Relu`, `Softmax` (axis 1),
 * nothing for linear, and leaky relu as `Max(Z, α·Z)` (exact for blasnet's slopes, α ∈ [0, 1]), since
 * onnxruntime's CPU provider has no double kernel for `LeakyRelu`.
 *
 * Outputs:
 * - NeuralNetwork: `Y`, the output activations `[N, sL]` (what `predictSync` returns).
 * - LogisticRegression: `probability`, σ(wᵀx + b) as `[N, 1]` (what `predictProbaSync` returns),
 *   and `label`, `[N, 1]` int64, 1 where probability ≥ 0.5 else 0 (what `predictSync` returns).
 *
 * @param model - a fitted LogisticRegression or a NeuralNetwork
 * @param options - `float32`, `inputScaling` (overrides the model's: { mean, std } with one finite value per feature, std > 0, or null), `name`
 * @returns the serialized ONNX ModelProto
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE when `model` is not a blasnet model or an option has the wrong type
 * @throws {RangeError} ERR_BLASNET_SHAPE when `inputScaling` has the wrong length; ERR_BLASNET_NOT_FINITE / ERR_BLASNET_ARG_RANGE for a non-finite value or a std ≤ 0
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE / ERR_BLASNET_DETACHED for an `inputScaling` of the wrong type
 * @throws {BlasnetError} ERR_BLASNET_NOT_FITTED for a LogisticRegression that has not been fitted
 * @example
 * import { writeFileSync } from 'node:fs';
 * const net = new NeuralNetwork({ layers: [4, 8, 3], hidden: 'relu', output: 'softmax' });
 * net.setInputScaling(Standardizer.fit(X));      // exported as Sub/Div
 * await net.fit(X, labels, { epochs: 50 });
 * writeFileSync('model.onnx', exportOnnx(net, { float32: true }));
 */
export function exportOnnx(model: LogisticRegression | NeuralNetwork, options: OnnxExportOptions = {}): Uint8Array {
  const o = checkOptionsObject(options, 'options');
  checkKnownKeys(o, 'options', OPTION_KEYS);
  if (o.float32 !== undefined && typeof o.float32 !== 'boolean') {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.float32 must be a boolean, got ${describe(o.float32)}`);
  }
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length === 0)) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.name must be a non-empty string, got ${describe(o.name)}`);
  }
  loadMessages();
  const g = new GraphBuilder(o.float32 === true);
  let s0: number;
  if (model instanceof NeuralNetwork) {
    s0 = model.spec.sizes[0]!;
    let A = g.scaledInput(scaling(o.inputScaling, model, s0));
    const { W, b } = model.parameters;
    model.spec.layers.forEach((layer, k) => {
      const Z = g.gemm(A, W[k]!, [layer.out, layer.in], b[k]!, `layer${k + 1}`);
      A = g.activation(Z, layer.g, `layer${k + 1}`);
    });
    g.output(A, 'Y', onnx.TensorProto.DataType[g.dtype], model.spec.sizes.at(-1)!);
  } else if (model instanceof LogisticRegression) {
    const w = model.weights;
    if (w.length === 0) throw new BlasnetError('ERR_BLASNET_NOT_FITTED', 'exportOnnx: the LogisticRegression has not been fitted yet; call fit or fitSync first');
    s0 = w.length;
    const X = g.scaledInput(scaling(o.inputScaling, model, s0));
    const z = g.gemm(X, w, [1, s0], Float64Array.of(model.bias), 'logistic');
    const a = g.node('Sigmoid', [z], 'probability');
    g.output(a, 'probability', onnx.TensorProto.DataType[g.dtype], 1);
    const half = g.constant('half', Float64Array.of(0.5), [1]);
    const ge = g.node('GreaterOrEqual', [a, half], 'ge_half');
    const label = g.node('Cast', [ge], 'label', [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.INT64 }]);
    g.output(label, 'label', 'INT64', 1);
  } else {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `model must be a LogisticRegression or a NeuralNetwork, got ${describe(model)}`);
  }
  const proto = onnx.ModelProto.create({
    irVersion: onnx.Version.IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'blasnet',
    producerVersion: metadata().blasnet ?? 'unknown',
    docString: `blasnet ${model instanceof NeuralNetwork ? 'NeuralNetwork' : 'LogisticRegression'} (${g.dtype === 'DOUBLE' ? 'float64' : 'float32'})`,
    graph: {
      name: (o.name as string | undefined) ?? 'blasnet',
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo('X', onnx.TensorProto.DataType[g.dtype], s0)],
      output: g.outputs,
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}

/** The scaling to export: the option when given (null: none), else the model's own. */
function scaling(value: unknown, model: LogisticRegression | NeuralNetwork, s0: number): InputScaling | null {
  if (value === undefined) return model.inputScaling;
  return checkInputScaling(value, s0, 'options.inputScaling');
}

type ElemName = 'DOUBLE' | 'FLOAT' | 'INT64';

function valueInfo(name: string, elemType: ElemName | number, cols: number): IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: typeof elemType === 'number' ? elemType : onnx.TensorProto.DataType[elemType],
        shape: { dim: [{ dimParam: 'N' }, { dimValue: cols }] },
      },
    },
  };
}

/** Collects nodes and initializers; every tensor it creates has the graph's element type. */
class GraphBuilder {
  readonly dtype: 'DOUBLE' | 'FLOAT';
  readonly nodes: INodeProto[] = [];
  readonly initializers: ITensorProto[] = [];
  readonly outputs: IValueInfoProto[] = [];

  constructor(float32: boolean) {
    this.dtype = float32 ? 'FLOAT' : 'DOUBLE';
  }

  /** An initializer holding `values` (rounded to float32 in a float32 graph), stored little-endian in raw_data. */
  constant(name: string, values: Float64Array, dims: number[]): string {
    const f32 = this.dtype === 'FLOAT';
    const bytes = new Uint8Array(values.length * (f32 ? 4 : 8));
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) {
      if (f32) view.setFloat32(4 * i, values[i]!, true);
      else view.setFloat64(8 * i, values[i]!, true);
    }
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType[this.dtype], rawData: bytes });
    return name;
  }

  node(opType: string, inputs: string[], output: string, attribute: IAttributeProto[] = []): string {
    this.nodes.push({ opType, input: inputs, output: [output], name: `${output}_${opType}`, attribute });
    return output;
  }

  /** X, or (X − mean) / std when scaling is given. */
  scaledInput(s: InputScaling | null): string {
    if (!s) return 'X';
    const centred = this.node('Sub', ['X', this.constant('scaling_mean', s.mean, [s.mean.length])], 'centred');
    return this.node('Div', [centred, this.constant('scaling_std', s.std, [s.std.length])], 'scaled');
  }

  /** Z = A·Wᵀ + b: A is N × in, W row-major out × in (blasnet's layout, hence transB = 1), b of out. */
  gemm(A: string, W: Float64Array, dims: [number, number], b: Float64Array, prefix: string): string {
    const Wn = this.constant(`${prefix}_W`, W, dims), bn = this.constant(`${prefix}_b`, b, [dims[0]]);
    return this.node('Gemm', [A, Wn, bn], `${prefix}_Z`, [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]);
  }

  /** A = g(Z) for one layer's activation (docs/math.md, "Activations and derivatives"). */
  activation(Z: string, g: Activation, prefix: string): string {
    const out = `${prefix}_A`;
    switch (g.name) {
      case 'sigmoid': return this.node('Sigmoid', [Z], out);
      case 'tanh': return this.node('Tanh', [Z], out);
      case 'relu': return this.node('Relu', [Z], out);
      case 'softmax': return this.node('Softmax', [Z], out, [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]);
      case 'linear': return Z;
      case 'leaky-relu': {
        // z > 0 ? z : αz equals max(z, αz) for α ≤ 1, which lib/spec.ts guarantees (α ∈ [0, 1]); exact,
        // since αz is one rounding as in blasnet. (For α > 1 it would be min(z, αz).)
        if (!(g.alpha >= 0 && g.alpha <= 1)) throw new BlasnetError('ERR_BLASNET_CONFIG', `exportOnnx: leaky-relu slope ${g.alpha} outside [0, 1]`);
        const az = this.node('Mul', [Z, this.constant(`${prefix}_alpha`, Float64Array.of(g.alpha), [])], `${prefix}_alphaZ`);
        return this.node('Max', [Z, az], out);
      }
    }
  }

  output(name: string, as: string, elemType: ElemName | number, cols: number): void {
    if (name !== as) this.node('Identity', [name], as);
    this.outputs.push(valueInfo(as, elemType, cols));
  }
}
