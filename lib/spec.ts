// A network's description, validated once and shared by both backends: layer sizes, one activation
// per layer, the loss, and where each W[l] and b[l] lives in the parameter block θ
// (for l = 1..L: W[l], row-major s_l × s_{l−1}, then b[l]) — the layout of native/network.h.
import { BlasnetTypeError, describe } from './errors.js';
import { ownProperties } from './validate.js';

/**
 * A layer's activation function g. 'softmax' normalizes over the layer's units, so it is allowed
 * on the output layer only (with loss 'cross-entropy' and at least 2 outputs).
 * @example
 * ```ts
 * const output: ActivationName = 'softmax';
 * new NeuralNetwork({ layers: [4, 8, 3], output, loss: 'cross-entropy' });
 * ```
 */
export type ActivationName = 'sigmoid' | 'tanh' | 'relu' | 'leaky-relu' | 'linear' | 'softmax';

/**
 * An activation a hidden layer may use: every {@link ActivationName} but 'softmax'.
 * @example
 * ```ts
 * const hidden: HiddenActivationName[] = ['relu', 'tanh'];
 * new NeuralNetwork({ layers: [4, 16, 8, 1], hidden });
 * ```
 */
export type HiddenActivationName = Exclude<ActivationName, 'softmax'>;

/**
 * How an activation is given in NeuralNetworkOptions: its name, or `{ name, alpha? }` where
 * `alpha` (leaky-relu only, in [0, 1], default 0.01) is the slope for z ≤ 0. The object form
 * exists because leaky-relu is the one activation with a parameter.
 * @typeParam N - the names allowed at that place (hidden layers exclude 'softmax')
 * @example
 * ```ts
 * new NeuralNetwork({ layers: [2, 8, 1], hidden: { name: 'leaky-relu', alpha: 0.1 } });
 * ```
 */
export type ActivationOption<N extends string = ActivationName> = N | {
  /** The activation's name. */
  name: N;
  /** Slope for z ≤ 0, in [0, 1]; allowed for 'leaky-relu' only. Default 0.01. */
  alpha?: number;
};

/**
 * A network's loss. 'cross-entropy' needs a 'sigmoid' output (binary, per unit) or a 'softmax'
 * output (categorical); 'mse' goes with any output but 'softmax'.
 * @example
 * ```ts
 * const loss: LossName = 'mse';
 * new NeuralNetwork({ layers: [3, 8, 1], output: 'linear', loss });
 * ```
 */
export type LossName = 'cross-entropy' | 'mse';

export const HIDDEN_ACTIVATIONS: readonly HiddenActivationName[] = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'linear'];
export const OUTPUT_ACTIVATIONS: readonly ActivationName[] = [...HIDDEN_ACTIVATIONS, 'softmax'];
export const LOSSES: readonly LossName[] = ['cross-entropy', 'mse'];
/** The addon's codes for these names (native/codes.h), filled when the addon loads: lib/codes.ts. */
export { ACTIVATION_CODE, LOSS_CODE } from './codes.js';

/**
 * One layer's activation as validated: the name and its slope, with the default filled in so
 * that both backends and the model file see the same value.
 * @example
 * ```ts
 * const net = new NeuralNetwork({ layers: [2, 4, 1], hidden: 'leaky-relu' });
 * net.spec.layers[0].g; // { name: 'leaky-relu', alpha: 0.01 }
 * ```
 */
export interface Activation {
  /** The activation function g of the layer. */
  name: ActivationName;
  /** Leaky-relu slope for z ≤ 0 (0.01 unless given); unused by the others. */
  alpha: number;
}

/**
 * One dense layer l (1-based in the seed's notation, index l − 1 in {@link NetSpec.layers}):
 * its sizes, its activation, and where its W[l] and b[l] start in the flat parameter vector θ.
 * @example
 * ```ts
 * const net = new NeuralNetwork({ layers: [2, 4, 1] });
 * net.spec.layers[1]; // { in: 4, out: 1, g: { name: 'sigmoid', alpha: 0.01 }, W: 12, b: 16 }
 * ```
 */
export interface LayerSpec {
  /** s_{l−1}: the layer's input width. */
  in: number;
  /** s_l: the layer's output width (its number of units). */
  out: number;
  /** The layer's activation. */
  g: Activation;
  /** Offset of W[l] in θ: s_l × s_{l−1} values, row-major. */
  W: number;
  /** Offset of b[l] in θ: s_l values, right after W[l]. */
  b: number;
}

/**
 * A network's validated description ({@link NeuralNetwork.spec}): layer sizes, each layer's
 * activation, the loss, and the layout of θ (for l = 1..L: W[l] then b[l]) that both backends and
 * the `parameters` field of a model file share.
 * @example
 * ```ts
 * const net = new NeuralNetwork({ layers: [2, 4, 1], hidden: 'tanh' });
 * net.spec.sizes;   // [2, 4, 1]
 * net.spec.loss;    // 'cross-entropy'
 * net.spec.nParams; // 17 (2·4 + 4 + 4·1 + 1)
 * ```
 */
export interface NetSpec {
  /** Layer sizes [s0, s1, …, sL]: s0 inputs, sL outputs. */
  sizes: number[];
  /** The L dense layers, input side first. */
  layers: LayerSpec[];
  /** The loss the network minimizes. */
  loss: LossName;
  /** Length of θ: Σ_l s_l · (s_{l−1} + 1). */
  nParams: number;
}

function parseActivation(value: unknown, name: string, allowed: readonly ActivationName[]): Activation {
  let act: unknown = value, alpha: unknown = undefined;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const o = ownProperties(value, name);
    for (const key of Object.keys(o)) {
      if (key !== 'name' && key !== 'alpha') throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `${name} has an unknown key ${JSON.stringify(key)}; expected { name, alpha? }`);
    }
    act = o.name;
    alpha = o.alpha;
  }
  if (typeof act !== 'string' || !(allowed as readonly string[]).includes(act)) {
    throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `${name} must be one of ${allowed.map((a) => `'${a}'`).join(' | ')} (or { name: 'leaky-relu', alpha }), got ${describe(act)}`);
  }
  if (alpha !== undefined && act !== 'leaky-relu') {
    throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `${name}.alpha applies to 'leaky-relu' only, got it for '${act}'`);
  }
  if (alpha !== undefined && typeof alpha !== 'number') {
    throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `${name}.alpha must be a number, got ${describe(alpha)}`);
  }
  // Beyond 1 the 'leaky' part amplifies negative inputs, so a deep stack of such layers overflows
  // for ordinary inputs (a slope of 1e300 makes it certain): the slope is kept in [0, 1].
  if (alpha !== undefined && (!Number.isFinite(alpha) || alpha < 0 || alpha > 1)) {
    throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `${name}.alpha must be a number in [0, 1], got ${describe(alpha)}`);
  }
  return { name: act as ActivationName, alpha: (alpha as number | undefined) ?? 0.01 };
}

/**
 * Validates a network's options into a NetSpec.
 * @throws {TypeError|RangeError} ERR_BLASNET_CONFIG for a bad layer list, activation, loss, (output, loss) pairing or size
 */
export function makeSpec(layersOption: unknown, hiddenOption: unknown, outputOption: unknown, lossOption: unknown): NetSpec {
  if (!Array.isArray(layersOption)) {
    throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `options.layers must be an array of layer sizes [s0, s1, …, sL], got ${describe(layersOption)}`);
  }
  if (layersOption.length < 2) {
    throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `options.layers must list at least the input and output sizes [s0, …, sL], got ${layersOption.length} size(s)`);
  }
  const sizes = layersOption.map((s, l) => {
    if (typeof s !== 'number') {
      throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `options.layers[${l}] must be a number (a layer size), got ${describe(s)}`);
    }
    if (!Number.isSafeInteger(s) || s < 1 || s > 1e7) {
      throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `options.layers[${l}] must be an integer in [1, 1e7], got ${describe(s)}`);
    }
    return s;
  });
  const L = sizes.length - 1;
  const hidden: Activation[] = [];
  if (Array.isArray(hiddenOption)) {
    if (hiddenOption.length !== L - 1) {
      throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `options.hidden must have one activation per hidden layer (${L - 1}), got ${hiddenOption.length}`);
    }
    hiddenOption.forEach((h, l) => hidden.push(parseActivation(h, `options.hidden[${l}]`, HIDDEN_ACTIVATIONS)));
  } else {
    const h = parseActivation(hiddenOption ?? 'tanh', 'options.hidden', HIDDEN_ACTIVATIONS);
    for (let l = 0; l < L - 1; l++) hidden.push(h);
  }
  const output = parseActivation(outputOption ?? 'sigmoid', 'options.output', OUTPUT_ACTIVATIONS);
  const lossValue = lossOption ?? 'cross-entropy';
  if (typeof lossValue !== 'string' || !(LOSSES as readonly string[]).includes(lossValue)) {
    throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `options.loss must be 'cross-entropy' | 'mse', got ${describe(lossValue)}`);
  }
  const loss = lossValue as LossName;
  if (loss === 'cross-entropy' && output.name !== 'sigmoid' && output.name !== 'softmax') {
    throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `loss 'cross-entropy' needs output 'sigmoid' (binary, per output) or 'softmax' (categorical), got output '${output.name}'; use loss 'mse' for a '${output.name}' output`);
  }
  if (loss === 'mse' && output.name === 'softmax') {
    throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `output 'softmax' must be paired with loss 'cross-entropy', got loss 'mse'`);
  }
  if (output.name === 'softmax' && sizes[L]! < 2) {
    throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `output 'softmax' needs at least 2 output units, got options.layers[${L}] = ${sizes[L]}`);
  }
  const acts = [...hidden, output];
  const layers: LayerSpec[] = [];
  let off = 0;
  for (let l = 1; l <= L; l++) {
    const layer: LayerSpec = { in: sizes[l - 1]!, out: sizes[l]!, g: acts[l - 1]!, W: off, b: off + sizes[l - 1]! * sizes[l]! };
    off = layer.b + layer.out;
    layers.push(layer);
  }
  if (!Number.isSafeInteger(off) || off > 2 ** 31) throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `the network has ${off} parameters; at most 2^31 are supported`);
  return { sizes, layers, loss, nParams: off };
}
