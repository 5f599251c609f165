// Central finite differences on J (docs/math.md, "Checking gradients"), for tests and for users who
// want to verify a model's gradients on their own data, on either model. It evaluates the model's own
// engine at copies of θ and must leave the model's parameters exactly as it found them.
import { BlasnetRangeError, BlasnetTypeError, describe } from './errors.js';
import { LogisticRegression } from './logistic.js';
import type { Matrix } from './matrix.js';
import { NeuralNetwork } from './network.js';
import { checkKnownKeys, checkOptionsObject, positiveNumber } from './validate.js';

/**
 * What {@link gradientCheck} found.
 * @example
 * const r = gradientCheck(net, X, Y);
 * // e.g. { maxRelativeError: 1.7e-9, worst: { layer: 1, param: 'W', index: 3 }, checked: 32 }
 */
export interface GradientCheckResult {
  /** max over parameters of |g − g_num| / max(|g|, |g_num|, 1e-12). */
  maxRelativeError: number;
  /** Where it occurs: layer l (1-based), 'W' or 'b', and the row-major index within that array. */
  worst: {
    /** The layer l, 1-based (layer 1 maps the input to the first hidden layer). */
    layer: number;
    /** The weights `'W'` or the biases `'b'` of that layer. */
    param: 'W' | 'b';
    /** The row-major index within W[l] (s_l × s_{l−1}) or b[l]. */
    index: number;
  };
  /** Parameters checked. */
  checked: number;
}

/**
 * Compares the model's analytic gradients (on its own backend) with central differences
 * g_num = (J(θ + h) − J(θ − h)) / 2h for every parameter (or `maxParams` of them, spread evenly).
 * The model's parameters are left unchanged. It costs two cost evaluations per checked parameter.
 * @param model - a NeuralNetwork, or a LogisticRegression (binary or multinomial)
 * @param X - the inputs, n × s0 (examples as rows)
 * @param Y - the targets, as for `model.fit`
 * @param options - `h`: the step (default 1e-5); `l2`: the L2 penalty included in J (default: the model's);
 *   `maxParams`: check at most this many parameters (default: all); `sampleWeight`: n weights ≥ 0,
 *   J then being the weighted mean Σ w_j L_j / Σ w_j a weighted fit minimizes
 * @returns the largest relative error, where it occurs, and how many parameters were checked
 * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` when `model` is neither model, `options`
 *   is not an object or has an unknown key, `h` or `l2` is not a number, or `X` / `Y` have the wrong type
 * @throws {@link BlasnetRangeError} `ERR_BLASNET_ARG_RANGE` when `h` is not a finite number > 0, `l2` is
 *   not a finite number ≥ 0, `maxParams` is not an integer ≥ 1, or a weight is negative or not finite;
 *   `ERR_BLASNET_SHAPE`, `ERR_BLASNET_NOT_FINITE` and `ERR_BLASNET_LABEL` for `X`, `Y` and
 *   `sampleWeight`, exactly as `model.fit` throws them
 * @example
 * const net = new NeuralNetwork({ layers: [3, 5, 2], output: 'softmax', seed: 1 });
 * const { maxRelativeError } = gradientCheck(net, X, [0, 1, 1, 0]);   // < 1e-7 for a healthy small network
 */
export function gradientCheck(model: NeuralNetwork | LogisticRegression, X: Matrix | number[][], Y: unknown,
  options: { h?: number; l2?: number; maxParams?: number; sampleWeight?: Float64Array | number[] } = {}): GradientCheckResult {
  if (!(model instanceof NeuralNetwork || model instanceof LogisticRegression)) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `model must be a NeuralNetwork or a LogisticRegression, got ${describe(model)}`);
  }
  const o = checkOptionsObject(options, 'options');
  checkKnownKeys(o, 'options', ['h', 'l2', 'maxParams', 'sampleWeight']);
  const h = positiveNumber(o.h, 'options.h', 1e-5);
  const { h: _h, maxParams: _m, ...evalOptions } = o;
  const ev = model instanceof NeuralNetwork ? NeuralNetwork.evaluation(model, X, Y, evalOptions) : LogisticRegression.evaluation(model, X, Y, evalOptions);
  const { engine, M, targets, l2, weight } = ev;
  const P = engine.nParams;
  const maxParams = o.maxParams === undefined ? P : o.maxParams;
  if (typeof maxParams !== 'number' || !Number.isInteger(maxParams) || maxParams < 1) {
    throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `options.maxParams must be an integer ≥ 1, got ${describe(maxParams)}`);
  }
  const theta = ev.theta.slice();
  const J = (t: Float64Array) => engine.costGrad(t, M, targets.T, l2, weight);
  const { grad } = J(theta);
  const stride = P <= maxParams ? 1 : P / maxParams;
  let worst = -1, worstErr = -1, checked = 0;
  for (let c = 0; c < Math.min(P, maxParams); c++) {
    const k = Math.floor(c * stride);
    const saved = theta[k]!;
    theta[k] = saved + h;
    const plus = J(theta).cost;
    theta[k] = saved - h;
    const minus = J(theta).cost;
    theta[k] = saved;
    const num = (plus - minus) / (2 * h), g = grad[k]!;
    const err = Math.abs(g - num) / Math.max(Math.abs(g), Math.abs(num), 1e-12);
    if (!(err <= worstErr)) {
      worstErr = err;
      worst = k;
    }
    checked++;
  }
  // A binary logistic model is one layer: w (m values) then b.
  const layers = engine.model.kind === 'network' ? engine.model.spec.layers : [{ W: 0, b: engine.model.m, out: 1 }];
  const layerIndex = layers.findIndex((l) => worst < l.b + l.out);
  const layer = layers[layerIndex]!;
  const inW = worst < layer.b;
  return {
    maxRelativeError: worstErr,
    worst: { layer: layerIndex + 1, param: inW ? 'W' : 'b', index: inW ? worst - layer.W : worst - layer.b },
    checked,
  };
}
