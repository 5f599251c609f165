// ONNX export of a fitted model: builds the graph (scaling, Gemm and activation nodes, then the head
// its task asks for: labels and probabilities, or unscaled values) and encodes it with onnx-proto
// (protobufjs-generated ONNX messages). Reads the model only through the estimator contract (task,
// classes, parameters, input and target scaling), never by its class; never changes a model, never
// touches the file system.
import { createRequire } from 'node:module';
import type * as OnnxProto from 'onnx-proto';
import { BlasnetError, BlasnetRangeError, BlasnetTypeError, blasnetError, describe } from './errors.js';
import type { Task } from './estimator.js';
import { metadata } from './format/write.js';
import type { Classes } from './labels.js';
import type { LogisticRegression } from './logistic.js';
import type { NeuralNetwork } from './network.js';
import type { Activation } from './spec.js';
import { checkInputScaling, type InputScaling, type InputScalingOption } from './scaling.js';
import { Preprocessing } from './tabular/preprocess.js';
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
  /**
   * Export tensor(float) instead of tensor(double): the input, the parameters (rounded to float32),
   * `probabilities` and `values`. Labels keep their own type. Default false.
   */
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
 * Encodes a fitted model as an ONNX model (opset 13, IR version 8) and returns its bytes. The graph
 * computes what `predictSync` and `predictProbaSync` compute.
 *
 * The graph has one input `X`, `[N, m]` with a dynamic batch dimension `N`, of tensor(double)
 * (tensor(float) with `float32: true`). When the model has an input scaling (or `inputScaling`
 * is given) it starts with `Sub(X, mean)` and `Div(·, std)`, so it takes raw features as the model
 * does. Each layer is one `Gemm` (`A·Wᵀ + b`, W in blasnet's row-major `out × in` layout,
 * transB = 1; logistic regression is one layer, W = `coef`, b = `intercept`) followed by its
 * activation: `Sigmoid`, `Tanh`, `Relu`, `Softmax` (axis 1), nothing for linear, and leaky relu as
 * `Max(Z, α·Z)` (exact for blasnet's slopes, α ∈ [0, 1]), since onnxruntime's CPU provider has no
 * double kernel for `LeakyRelu`.
 *
 * The outputs depend on `model.task`:
 * - `'binary'` (LogisticRegression with two classes, a network with one sigmoid output and
 *   cross-entropy): `label` `[N]`, `classes[p ≥ 0.5 ? 1 : 0]`, and `probabilities` `[N, 2]`,
 *   `[1 − p, p]`.
 * - `'multiclass'` (multinomial LogisticRegression, a softmax network): `label` `[N]`,
 *   `classes[argmax]` (the first largest, as blasnet), and `probabilities` `[N, k]`, columns in the
 *   order of `classes`.
 * - `'multilabel'` (k sigmoid outputs with cross-entropy): `label` `[N, k]` tensor(int64), 1 where
 *   the probability is ≥ 0.5 else 0, and `probabilities` `[N, k]`.
 * - `'regression'`: `values` `[N, k]`, in the units of the targets: a network that standardized its
 *   targets (`targetScaling`) ends with `Mul(·, std)` and `Add(·, mean)`.
 *
 * The type of `label` follows the model's `classes`: tensor(int64) when every class is an integer
 * number (safe, not −0), tensor(double) for other numbers (also in a float32 graph, so that labels
 * are exact), tensor(string) (UTF-8) for strings, tensor(bool) for booleans. The label is taken from a
 * constant tensor of the classes with `Gather`; onnxruntime-node returns it as a BigInt64Array,
 * a Float64Array, a string[] or a Uint8Array of 0/1 respectively.
 *
 * @param model - a fitted LogisticRegression or NeuralNetwork (or any object with the same
 *   contract: `task`, `classes`, `coef`/`intercept` or `spec`/`parameters`, `inputScaling`,
 *   `targetScaling`)
 * @param options - `float32`, `inputScaling` (overrides the model's: { mean, std } with one finite
 *   value per feature, std > 0, or null), `name`
 * @returns the serialized ONNX ModelProto
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE when `model` is not a blasnet model or an option has the wrong type
 * @throws {RangeError} ERR_BLASNET_SHAPE when `inputScaling` has the wrong length; ERR_BLASNET_NOT_FINITE / ERR_BLASNET_ARG_RANGE for a non-finite value or a std ≤ 0
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE / ERR_BLASNET_DETACHED for an `inputScaling` of the wrong type
 * @throws {BlasnetError} ERR_BLASNET_NOT_FITTED for a model that has not been fitted (nor given parameters)
 * @throws {RangeError} ERR_BLASNET_LABEL for a string class that is not well-formed Unicode (a lone
 *   surrogate cannot be stored as UTF-8)
 * @throws {TypeError} ERR_BLASNET_CONFIG when the classes do not match the outputs (a model object inconsistent with itself)
 * @example
 * import { writeFileSync } from 'node:fs';
 * import * as ort from 'onnxruntime-node';
 * const net = new NeuralNetwork({ layers: [4, 8, 3], seed: 1 });
 * net.setInputScaling(Standardizer.fit(X));      // exported as Sub/Div
 * await net.fit(X, species, { epochs: 300 });    // species: ['setosa', 'versicolor', …]
 * writeFileSync('iris.onnx', exportOnnx(net));
 * const session = await ort.InferenceSession.create('iris.onnx');
 * const { label, probabilities } = await session.run({ X: new ort.Tensor('float64', X.data, [X.rows, X.cols]) });
 * label.data;          // ['setosa', …], as net.predictSync(X)
 * probabilities.dims;  // [150, 3], as net.predictProbaSync(X)
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
  const view = readModel(model);
  const scaling = o.inputScaling === undefined ? view.inputScaling : checkInputScaling(o.inputScaling, view.features, 'options.inputScaling');
  const tabular = tabularSteps(view.preprocessing);
  loadMessages();
  const g = new GraphBuilder(o.float32 === true);
  let A = g.scaledInput(scaling, tabular ? g.tabularInput(tabular) : 'X');
  view.layers.forEach((layer, l) => {
    const Z = g.gemm(A, layer.W, [layer.out, layer.in], layer.b, `layer${l + 1}`);
    A = g.activation(Z, layer.g, `layer${l + 1}`);
  });
  const k = view.layers[view.layers.length - 1]!.out;
  g.head(A, view, k);
  const proto = onnx.ModelProto.create({
    irVersion: onnx.Version.IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'blasnet',
    producerVersion: metadata().blasnet ?? 'unknown',
    docString: `blasnet ${view.kind}, ${view.task} (${g.dtype === 'DOUBLE' ? 'float64' : 'float32'})`,
    graph: {
      name: (o.name as string | undefined) ?? 'blasnet',
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo('X', onnx.TensorProto.DataType[g.dtype], ['N', tabular ? tabular.fill.length : view.features])],
      output: OUTPUT_ORDER.flatMap((name) => g.outputs.filter((out) => out.name === name)),
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}

/** One dense layer of the graph: Z = A·Wᵀ + b, then g. */
interface LayerView {
  W: Float64Array;
  b: Float64Array;
  in: number;
  out: number;
  g: Activation;
}

/** What the exporter reads of a model, through its public contract. */
interface ModelView {
  kind: string;
  task: Task;
  /** The classes of a classifier (k of them: 2 for binary); null for a regressor. */
  classes: Classes | null;
  features: number;
  layers: LayerView[];
  inputScaling: InputScaling | null;
  targetScaling: { mean: Float64Array; std: Float64Array } | null;
  /** The tabular preprocessing, or null. */
  preprocessing: Preprocessing | null;
}

/** A numeric tabular preprocessing as graph constants: gaps (NaN) filled, then (x − mean) / std, per column. */
interface TabularSteps {
  fill: Float64Array;
  mean: Float64Array;
  std: Float64Array;
}

/**
 * The graph steps of a tabular preprocessing. Numeric and boolean columns export (the graph's input
 * is then those raw columns in order, NaN for a gap, booleans as 0/1); a categorical column does not:
 * its one-hot encoding would need string inputs and ai.onnx.ml's OneHotEncoder, whose float output
 * and per-column graph inputs change the model's contract, so the export is refused and names it.
 */
function tabularSteps(p: Preprocessing | null): TabularSteps | null {
  if (p === null) return null;
  const features = p.features;
  const cat = features.find((f) => f.type === 'categorical');
  if (cat) {
    throw blasnetError('ERR_BLASNET_CONFIG', `exportOnnx: cannot export the model's preprocessing step "one-hot encoding of categorical column ${JSON.stringify(cat.name)}" ` +
      `(${cat.type === 'categorical' ? cat.categories.length : 0} categories); the exporter writes numeric inputs only. Train without that column (ignore it) or encode it yourself before the model`);
  }
  const fill = Float64Array.from(features, (f) => (f.type === 'numeric' ? f.fill : f.type === 'boolean' && f.fill ? 1 : 0));
  const mean = Float64Array.from(features, (f) => (f.type === 'numeric' ? f.mean : 0));
  const std = Float64Array.from(features, (f) => (f.type === 'numeric' ? f.std : 1));
  return { fill, mean, std };
}

/** The outputs in the order the graph lists them. */
const OUTPUT_ORDER = ['label', 'probabilities', 'values'];

const TASKS: readonly Task[] = ['binary', 'multiclass', 'multilabel', 'regression'];

/**
 * The model's task, classes, layers and scalings, read from its getters: a network has `spec` and
 * `parameters`, logistic regression `coef` and `intercept` (one layer, sigmoid for one row of
 * coefficients, softmax for k). Each getter is read once (they return copies).
 */
function readModel(model: unknown): ModelView {
  const notModel = () => new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `model must be a LogisticRegression or a NeuralNetwork, got ${describe(model)}`);
  if (model === null || typeof model !== 'object') throw notModel();
  const m = model as Record<string, unknown>;
  const network = 'spec' in m && 'parameters' in m, logistic = 'coef' in m && 'intercept' in m;
  if (network === logistic || !('task' in m)) throw notModel();
  const kind = network ? 'NeuralNetwork' : 'LogisticRegression';
  const task = m.task as Task | null;
  if (task === null || task === undefined || m.fitted === false) {
    throw new BlasnetError('ERR_BLASNET_NOT_FITTED', `exportOnnx: the ${kind} has not been fitted yet; call fit or fitSync (or setParameters) first`);
  }
  if (!TASKS.includes(task)) throw notModel();
  let layers: LayerView[];
  if (network) {
    const spec = m.spec as { layers: readonly { in: number; out: number; g: Activation }[] };
    const { W, b } = m.parameters as { W: Float64Array[]; b: Float64Array[] };
    layers = spec.layers.map((layer, l) => ({ W: W[l]!, b: b[l]!, in: layer.in, out: layer.out, g: layer.g }));
  } else {
    const coef = m.coef as { rows: number; cols: number; data: Float64Array };
    const b = m.intercept as Float64Array;
    layers = [{ W: coef.data, b, in: coef.cols, out: coef.rows, g: coef.rows === 1 ? { name: 'sigmoid' } as Activation : { name: 'softmax' } as Activation }];
  }
  const last = layers[layers.length - 1]!;
  const classes = task === 'regression' ? null : (m.classes as Classes | null);
  if (task !== 'regression') {
    const k = task === 'binary' ? 2 : last.out;
    if (!Array.isArray(classes) || classes.length !== k || (task === 'binary' && last.out !== 1)) {
      throw blasnetError('ERR_BLASNET_CONFIG', `exportOnnx: a ${task} ${kind} with ${last.out} output(s) must have ${k} classes, got ${describe(classes)}`);
    }
  }
  const targetScaling = task === 'regression' ? ((m.targetScaling ?? null) as ModelView['targetScaling']) : null;
  const preprocessing = m.preprocessing instanceof Preprocessing ? m.preprocessing : null;
  return { kind, task, classes, features: layers[0]!.in, layers, inputScaling: (m.inputScaling ?? null) as InputScaling | null, targetScaling, preprocessing };
}

type ElemName = 'DOUBLE' | 'FLOAT' | 'INT64' | 'STRING' | 'BOOL';

function valueInfo(name: string, elemType: ElemName | number, dims: (number | string)[]): IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: typeof elemType === 'number' ? elemType : onnx.TensorProto.DataType[elemType],
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

/** A UTF-16 surrogate without its pair: such a string has no UTF-8 form. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The classes as a constant tensor, in the element type the labels take (see exportOnnx). */
function classTensor(name: string, classes: Classes): { tensor: ITensorProto; elem: ElemName } {
  const k = classes.length;
  const DT = onnx.TensorProto.DataType;
  if (typeof classes[0] === 'string') {
    const enc = new TextEncoder();
    const stringData = (classes as string[]).map((c, i) => {
      if (LONE_SURROGATE.test(c)) {
        throw new BlasnetRangeError('ERR_BLASNET_LABEL', `exportOnnx: classes[${i}] ${JSON.stringify(c)} is not well-formed Unicode (a lone surrogate), so it cannot be stored as an ONNX string (UTF-8)`);
      }
      return enc.encode(c);
    });
    return { tensor: { name, dims: [k], dataType: DT.STRING, stringData }, elem: 'STRING' };
  }
  if (typeof classes[0] === 'boolean') {
    return { tensor: { name, dims: [k], dataType: DT.BOOL, rawData: Uint8Array.from(classes as boolean[], (c) => (c ? 1 : 0)) }, elem: 'BOOL' };
  }
  const nums = classes as number[];
  const integer = nums.every((c) => Number.isSafeInteger(c) && !Object.is(c, -0));
  const bytes = new Uint8Array(8 * k), dv = new DataView(bytes.buffer);
  nums.forEach((c, i) => (integer ? dv.setBigInt64(8 * i, BigInt(c), true) : dv.setFloat64(8 * i, c, true)));
  return { tensor: { name, dims: [k], dataType: integer ? DT.INT64 : DT.DOUBLE, rawData: bytes }, elem: integer ? 'INT64' : 'DOUBLE' };
}

/** Collects nodes and initializers; every floating-point tensor it creates has the graph's element type. */
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

  /** An int64 initializer (shapes for Reshape). */
  int64Constant(name: string, values: number[], dims: number[]): string {
    const bytes = new Uint8Array(8 * values.length), dv = new DataView(bytes.buffer);
    values.forEach((v, i) => dv.setBigInt64(8 * i, BigInt(v), true));
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.INT64, rawData: bytes });
    return name;
  }

  node(opType: string, inputs: string[], output: string, attribute: IAttributeProto[] = []): string {
    this.nodes.push({ opType, input: inputs, output: [output], name: `${output}_${opType}`, attribute });
    return output;
  }

  /** The tabular steps on the raw columns X: Where(IsNaN(X), fill, X), then (· − mean) / std. */
  tabularInput(t: TabularSteps): string {
    const m = t.fill.length;
    const gaps = this.node('IsNaN', ['X'], 'gaps');
    const filled = this.node('Where', [gaps, this.constant('tabular_fill', t.fill, [m]), 'X'], 'filled');
    const centred = this.node('Sub', [filled, this.constant('tabular_mean', t.mean, [m])], 'tabular_centred');
    return this.node('Div', [centred, this.constant('tabular_std', t.std, [m])], 'tabular_scaled');
  }

  /** A, or (A − mean) / std when scaling is given. */
  scaledInput(s: InputScaling | null, A = 'X'): string {
    if (!s) return A;
    const centred = this.node('Sub', [A, this.constant('scaling_mean', s.mean, [s.mean.length])], 'centred');
    return this.node('Div', [centred, this.constant('scaling_std', s.std, [s.std.length])], 'scaled');
  }

  /** Z = A·Wᵀ + b: A is N × in, W row-major out × in (blasnet's layout, hence transB = 1), b of out. */
  gemm(A: string, W: Float64Array, dims: [number, number], b: Float64Array, prefix: string): string {
    const Wn = this.constant(`${prefix}_W`, W, dims), bn = this.constant(`${prefix}_b`, b, [dims[0]]);
    return this.node('Gemm', [A, Wn, bn], `${prefix}_Z`, [int('transB', 1)]);
  }

  /** A = g(Z) for one layer's activation (docs/math.md, "Activations and derivatives"). */
  activation(Z: string, g: Activation, prefix: string): string {
    const out = `${prefix}_A`;
    switch (g.name) {
      case 'sigmoid': return this.node('Sigmoid', [Z], out);
      case 'tanh': return this.node('Tanh', [Z], out);
      case 'relu': return this.node('Relu', [Z], out);
      case 'softmax': return this.node('Softmax', [Z], out, [int('axis', 1)]);
      case 'linear': return Z;
      case 'leaky-relu': {
        // z > 0 ? z : αz equals max(z, αz) for α ≤ 1, which lib/spec.ts guarantees (α ∈ [0, 1]); exact,
        // since αz is one rounding as in blasnet. (For α > 1 it would be min(z, αz).)
        if (!(g.alpha >= 0 && g.alpha <= 1)) throw blasnetError('ERR_BLASNET_CONFIG', `exportOnnx: leaky-relu slope ${g.alpha} outside [0, 1]`);
        const az = this.node('Mul', [Z, this.constant(`${prefix}_alpha`, Float64Array.of(g.alpha), [])], `${prefix}_alphaZ`);
        return this.node('Max', [Z, az], out);
      }
    }
  }

  /**
   * The outputs of the task from the last activations A (N × k), computed as blasnet computes them
   * (lib/estimator.ts: predictedIndex, thresholdMatrix, twoColumns; lib/network.ts: unscaleTargets),
   * so that each is the same operation on the same operands.
   */
  head(A: string, view: ModelView, k: number): void {
    const DT = onnx.TensorProto.DataType;
    switch (view.task) {
      case 'regression': {
        let Y = A;
        const t = view.targetScaling;
        if (t) {
          // y = a·std + mean: two roundings, as unscaleTargets (no fused multiply-add on either side).
          Y = this.node('Mul', [Y, this.constant('target_std', t.std, [k])], 'values_scaled');
          Y = this.node('Add', [Y, this.constant('target_mean', t.mean, [k])], 'values_shifted');
        }
        this.output(Y, 'values', this.dtype, ['N', k]);
        return;
      }
      case 'multilabel': {
        this.output(A, 'probabilities', this.dtype, ['N', k]);
        const ge = this.node('GreaterOrEqual', [A, this.constant('half', Float64Array.of(0.5), [])], 'label_ge_half');
        this.node('Cast', [ge], 'label', [int('to', DT.INT64)]);
        this.output('label', 'label', 'INT64', ['N', k]);
        return;
      }
      case 'binary': {
        // probabilities = [1 − p, p]; label = classes[p ≥ 0.5] (not argmax of the two columns: at
        // p = 0.5 exactly blasnet picks class 1, where the first largest column would be class 0).
        const q = this.node('Sub', [this.constant('one', Float64Array.of(1), []), A], 'one_minus_p');
        this.node('Concat', [q, A], 'probabilities', [int('axis', 1)]);
        this.output('probabilities', 'probabilities', this.dtype, ['N', 2]);
        const ge = this.node('GreaterOrEqual', [A, this.constant('half', Float64Array.of(0.5), [])], 'p_ge_half');
        const idx2 = this.node('Cast', [ge], 'class_index_2d', [int('to', DT.INT64)]);
        const idx = this.node('Reshape', [idx2, this.int64Constant('flat', [-1], [1])], 'class_index');
        this.label(idx, view.classes!);
        return;
      }
      case 'multiclass': {
        this.output(A, 'probabilities', this.dtype, ['N', k]);
        // ArgMax takes the first largest (select_last_index = 0), as blasnet's predictedIndex.
        const idx = this.node('ArgMax', [A], 'class_index', [int('axis', 1), int('keepdims', 0), int('select_last_index', 0)]);
        this.label(idx, view.classes!);
        return;
      }
    }
  }

  /** label = Gather(classes, idx): one label per row, in the type of the classes. */
  label(idx: string, classes: Classes): void {
    const { tensor, elem } = classTensor('classes', classes);
    this.initializers.push(tensor);
    this.node('Gather', ['classes', idx], 'label', [int('axis', 0)]);
    this.outputs.push(valueInfo('label', elem, ['N']));
  }

  output(name: string, as: string, elemType: ElemName | number, dims: (number | string)[]): void {
    if (name !== as) this.node('Identity', [name], as);
    this.outputs.push(valueInfo(as, elemType, dims));
  }
}

function int(name: string, i: number): IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i };
}
