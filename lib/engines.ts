// The computational engines a model runs on, each on either backend: the binary logistic kernels
// (θ = (w, b)) and a dense network (θ = (W[1], b[1], …); multinomial logistic regression is the
// network with no hidden layer). An engine takes validated, scaled inputs and computes: cost and
// gradient, predictions (sync, async, inline when tiny), and the fit entry points the driver calls.
import { jobFlag, withCallerStack } from './async.js';
import { BlasnetRangeError } from './errors.js';
import type { NativeFitter } from './fit.js';
import { Matrix } from './matrix.js';
import { checkJobMemory, logisticFitBytes, logisticPredictBytes, networkCostGradBytes, networkFitBytes, networkPredictBytes } from './memory.js';
import type { NativeAddon } from './native.js';
import type { FitModel } from './reference/jobs.js';
import { LogisticObjective, logisticPredictProba } from './reference/logistic.js';
import { netCostGrad, netPredict } from './reference/network.js';
import { runInWorker } from './reference/pool.js';
import { ACTIVATION_CODE, LOSS_CODE, type NetSpec } from './spec.js';
import type { TrainConfig } from './train-types.js';

/** One model's computation, bound to a backend. Inputs are validated and scaled by the caller. */
export interface Engine {
  /** θ's length. */
  readonly nParams: number;
  /** Input features. */
  readonly features: number;
  /** Output columns of predictRaw: 1 for binary logistic regression, s_L for a network. */
  readonly outputs: number;
  /** The model as the reference trainer knows it. */
  readonly model: FitModel;
  /** The native fit entry points, or null on the reference backend. */
  readonly native: NativeFitter | null;
  /** J (weighted mean loss plus (λ/2)‖W‖²) and ∂J/∂θ over n rows; T is n × outputs. */
  costGrad(theta: Float64Array, M: Matrix, T: Matrix, l2: number, weight: Float64Array | null): { cost: number; grad: Float64Array };
  /** The output activations (probabilities for sigmoid/softmax outputs), n × outputs, on the calling thread. */
  predictSync(theta: Float64Array, M: Matrix, method: string): Matrix;
  /** The same off the main thread (X copied at the call); tiny jobs run inline. */
  predict(theta: Float64Array, M: Matrix, method: string, caller: Error): Promise<Matrix>;
  /** Throws ERR_BLASNET_OUT_OF_MEMORY when a fit's buffers exceed the limit. */
  checkFitMemory(owner: string, n: number, config: TrainConfig): void;
  /** Throws ERR_BLASNET_OUT_OF_MEMORY for a costGrad over n rows that would not fit. */
  checkCostGradMemory(owner: string, n: number): void;
}

/** Work (multiply-adds) at or below which an async prediction runs inline: the thread-pool round trip costs more. */
const INLINE_WORK = 2 ** 18;

/** The binary logistic engine: θ = (w, b), m + 1 values. */
export function logisticEngine(addon: NativeAddon | null, m: number): Engine {
  const predictBytes = (n: number) => logisticPredictBytes(n, m);
  const syncProba = (theta: Float64Array, M: Matrix): Matrix => {
    if (addon) return new Matrix(M.rows, 1, addon.logisticPredictProbaSync(theta, M.data, M.rows));
    const a = new Float64Array(M.rows);
    return new Matrix(M.rows, 1, checkLinearTerms(a, logisticPredictProba(M.data, M.rows, m, theta.subarray(0, m), theta[m]!, a)));
  };
  return {
    nParams: m + 1,
    features: m,
    outputs: 1,
    model: { kind: 'logistic', m },
    native: addon ? {
      fitSync: addon.logisticFitSync.bind(addon), fit: addon.logisticFit.bind(addon),
      fitStreamSync: addon.logisticFitStreamSync.bind(addon), fitStream: addon.logisticFitStream.bind(addon),
    } : null,
    costGrad(theta, M, T, l2, weight) {
      if (addon) return addon.logisticCostGrad(theta, M.data, M.rows, T.data, l2, weight ?? undefined);
      const grad = new Float64Array(m + 1);
      const { cost } = new LogisticObjective(m, l2).costGrad(theta, { X: M.data, Y: T.data, weight, n: M.rows }, grad);
      return { cost, grad };
    },
    predictSync(theta, M, method) {
      checkJobMemory(`${method} on ${M.rows} examples`, predictBytes(M.rows), 'predict in smaller batches');
      return syncProba(theta, M);
    },
    predict(theta, M, method, caller) {
      try {
        checkJobMemory(`${method} on ${M.rows} examples`, predictBytes(M.rows), 'predict in smaller batches');
        if (addon && M.rows * m <= INLINE_WORK) return Promise.resolve(syncProba(theta, M));
        if (addon) {
          const { flag, release } = jobFlag();
          const job = addon.logisticPredictProba(theta.slice(), M.data, M.rows, flag).then((a) => new Matrix(M.rows, 1, a)).finally(release);
          return withCallerStack(job, caller);
        }
        const Xc = M.data.slice();
        const { promise } = runInWorker<{ a: Float64Array; badRow: number }>(
          { kind: 'logistic-predict', progress: false, job: { X: Xc, n: M.rows, m, w: theta.slice(0, m), b: theta[m]! } }, [Xc.buffer as ArrayBuffer]);
        return withCallerStack(promise.then(({ a, badRow }) => new Matrix(M.rows, 1, checkLinearTerms(a, badRow))), caller);
      } catch (e) {
        return Promise.reject(e);
      }
    },
    checkFitMemory(owner, n, c) {
      checkJobMemory(`${owner}.fit on ${n} × ${m} examples recording ${c.epochs} epochs every ${c.recordEvery}`,
        logisticFitBytes(n, m, c.epochs, c.recordEvery), 'use fewer examples, or a larger recordEvery');
    },
    checkCostGradMemory(owner, n) {
      checkJobMemory(`${owner}.costAndGradients on ${n} examples`, logisticPredictBytes(n, m), 'evaluate it on fewer examples at a time');
    },
  };
}

/** A dense network's engine (also multinomial logistic regression: layers [m, k], softmax). */
export function networkEngine(addon: NativeAddon | null, spec: NetSpec): Engine {
  const sL = spec.sizes[spec.sizes.length - 1]!;
  const net = addon
    ? new addon.NativeNet(spec.sizes, spec.layers.map((l) => ACTIVATION_CODE[l.g.name]), spec.layers.map((l) => l.g.alpha), LOSS_CODE[spec.loss])
    : null;
  let work = 0;
  for (let l = 1; l < spec.sizes.length; l++) work += spec.sizes[l]! * spec.sizes[l - 1]!;
  const syncOut = (theta: Float64Array, M: Matrix): Matrix => {
    if (net) return new Matrix(M.rows, sL, net.predictSync(theta, M.data, M.rows));
    const out = new Float64Array(M.rows * sL);
    checkPredicted(netPredict(spec, theta, M.data, M.rows, out));
    return new Matrix(M.rows, sL, out);
  };
  return {
    nParams: spec.nParams,
    features: spec.sizes[0]!,
    outputs: sL,
    model: { kind: 'network', spec },
    native: net ? { fitSync: net.fitSync.bind(net), fit: net.fit.bind(net), fitStreamSync: net.fitStreamSync.bind(net), fitStream: net.fitStream.bind(net) } : null,
    costGrad(theta, M, T, l2, weight) {
      if (net) return net.costGrad(theta, M.data, M.rows, T.data, l2, weight ?? undefined);
      const grad = new Float64Array(spec.nParams);
      const cost = netCostGrad(spec, theta, M.data, T.data, M.rows, l2, grad, weight);
      return { cost, grad };
    },
    predictSync(theta, M, method) {
      checkJobMemory(`${method} on ${M.rows} examples`, networkPredictBytes(spec, M.rows), 'predict in smaller batches');
      return syncOut(theta, M);
    },
    predict(theta, M, method, caller) {
      try {
        checkJobMemory(`${method} on ${M.rows} examples`, networkPredictBytes(spec, M.rows), 'predict in smaller batches');
        if (net && M.rows * work <= INLINE_WORK) return Promise.resolve(syncOut(theta, M));
        if (net) {
          // θ is read in place: a model never writes a θ it has installed (it installs a new array).
          const { flag, release } = jobFlag();
          return withCallerStack(net.predict(theta, M.data, M.rows, flag).then((d) => new Matrix(M.rows, sL, d)).finally(release), caller);
        }
        const Xc = M.data.slice(), n = M.rows;
        const { promise } = runInWorker<{ out: Float64Array; badLayer: number }>(
          { kind: 'network-predict', progress: false, job: { spec, theta, X: Xc, n } }, [Xc.buffer as ArrayBuffer]);
        return withCallerStack(promise.then(({ out, badLayer }) => {
          checkPredicted(badLayer);
          return new Matrix(n, sL, out);
        }), caller);
      } catch (e) {
        return Promise.reject(e);
      }
    },
    checkFitMemory(owner, n, c) {
      checkJobMemory(`${owner}.fit on ${n} examples in batches of ${c.batchSize === 0 ? n : Math.min(c.batchSize, n)}`,
        networkFitBytes(spec, n, c.batchSize, c.epochs, c.recordEvery, c.optimizer),
        'train in mini-batches (options.batchSize), on fewer examples, or with a smaller network');
    },
    checkCostGradMemory(owner, n) {
      checkJobMemory(`${owner}.costAndGradients on ${n} examples`, networkCostGradBytes(spec, n), 'evaluate it on fewer examples at a time');
    },
  };
}

/** The probabilities, or ERR_BLASNET_NOT_FINITE when row `badRow` (< n) had a non-finite w·x + b. */
function checkLinearTerms(a: Float64Array, badRow: number): Float64Array {
  if (badRow < a.length) {
    throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `the prediction for row ${badRow} is not finite: w·x + b overflowed (the weights or the inputs are too large)`);
  }
  return a;
}

/** Throws ERR_BLASNET_NOT_FINITE for netPredict's non-zero answer (the first layer that overflowed). */
function checkPredicted(badLayer: number): void {
  if (badLayer === 0) return;
  throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `the pre-activations of layer ${badLayer} are not finite (W·a + b overflowed): the parameters or the inputs are too large to predict with`);
}
