// LogisticRegression (seed section 1, with the MATH.md errata fixed). Validates and normalises in
// TS, then hands the arrays to the native kernels (native/logistic.cc) or the reference kernels
// (lib/reference/logistic.ts). Parameters are replaced only when a fit completes, stops or diverges.
import { abortError, busyError, jobFlag, withCallerStack } from './async.js';
import { resolveBackend, type BackendName, type BackendOption } from './backend.js';
import { BlasnetError, BlasnetRangeError, BlasnetTypeError, DivergenceError, describe } from './errors.js';
import type { Matrix } from './matrix.js';
import { checkJobMemory, logisticFitBytes, logisticPredictBytes } from './memory.js';
import type { NativeAddon, NativeLogisticConfig, NativeLogisticFitResult, ProgressRecord } from './native.js';
import { loadLogistic, logisticFromJSON, modelToJSON, saveModel, type LogisticModelJSON, type ModelFromJSONOptions, type ModelLoadOptions } from './persist.js';
import { runLogisticFit, type LogisticFitJob, type LogisticFitOutcome } from './reference/jobs.js';
import { logisticCostGrad, logisticPredictProba } from './reference/logistic.js';
import { runInWorker } from './reference/pool.js';
import {
  checkKnownKeys, checkOptionsObject, firstNonFinite, integerInRange, optionalFunction, optionalSignal, positiveNumber, toBinaryLabels, toMatrix,
} from './validate.js';

export interface LogisticRegressionOptions {
  /** Gradient-descent step α (the seed's `alpha`). Default 0.001. */
  learningRate?: number;
  /** Gradient steps per fit (the seed's `num_iters`). Default 2000. */
  iterations?: number;
  /** The cost is recorded every `recordEvery` iterations, from iteration 0. Default 100. */
  recordEvery?: number;
  /** 'auto' (native when built, else reference), 'native' or 'reference'. Default 'auto'. */
  backend?: BackendOption;
}

export interface FitProgress {
  /** The iteration whose cost this is (the cost of the parameters before its step). */
  iteration: number;
  cost: number;
}

export interface LogisticFitOptions {
  /** Called at each recorded cost (on the main thread). */
  onProgress?: (progress: FitProgress) => void;
  /** Continue from the current parameters instead of the seed's zeros. Default false. */
  warmStart?: boolean;
}

export interface LogisticAsyncFitOptions extends LogisticFitOptions {
  /** Aborts the fit within one iteration; `fit` then rejects with an AbortError. */
  signal?: AbortSignal;
}

export interface FitResult {
  /** The cost at iterations 0, recordEvery, 2·recordEvery, … (as the seed records it). */
  costs: number[];
  /** Gradient steps taken. */
  iterations: number;
}

const OPTION_KEYS = ['learningRate', 'iterations', 'recordEvery', 'backend'] as const;
const FIT_KEYS = ['onProgress', 'warmStart'] as const;
const ASYNC_FIT_KEYS = ['onProgress', 'warmStart', 'signal'] as const;

/**
 * Binary logistic regression trained by full-batch gradient descent (seed section 1).
 *
 * @example
 * const model = new LogisticRegression({ learningRate: 0.1, iterations: 1000 });
 * const { costs } = await model.fit(X, y);       // off the main thread
 * const accuracy = model.scoreSync(Xtest, ytest);
 */
export class LogisticRegression {
  readonly learningRate: number;
  readonly iterations: number;
  readonly recordEvery: number;
  /** The backend in use: 'native' or 'reference'. */
  readonly backend: BackendName;
  readonly #addon: NativeAddon | null;
  #w: Float64Array | null = null;
  #b = 0;
  #busy = false;

  /**
   * @throws {TypeError} ERR_BLASNET_ARG_TYPE for an unknown option or a wrong type
   * @throws {RangeError} ERR_BLASNET_ARG_RANGE for an out-of-range value
   * @throws {BlasnetError} ERR_BLASNET_NATIVE_UNAVAILABLE for backend 'native' without the addon
   */
  constructor(options: LogisticRegressionOptions = {}) {
    const o = checkOptionsObject(options, 'options');
    checkKnownKeys(o, 'options', OPTION_KEYS);
    this.learningRate = positiveNumber(o.learningRate, 'options.learningRate', 0.001);
    this.iterations = integerInRange(o.iterations, 'options.iterations', 2000, 0);
    this.recordEvery = integerInRange(o.recordEvery, 'options.recordEvery', 100, 1);
    const backend = resolveBackend(o.backend);
    this.backend = backend.name;
    this.#addon = backend.addon;
  }

  /** The weights w (one per feature); a copy. Empty before the first fit. */
  get weights(): Float64Array {
    return this.#w ? this.#w.slice() : new Float64Array(0);
  }

  /** The bias b. */
  get bias(): number {
    return this.#b;
  }

  /**
   * Replaces the parameters (copied). The next fit starts from them only with `warmStart: true`.
   * @throws {TypeError|RangeError} for a wrong type or a non-finite value; ERR_BLASNET_BUSY during a fit
   */
  setParameters(parameters: { weights: ArrayLike<number>; bias: number }): void {
    if (this.#busy) throw busyError('LogisticRegression', 'setParameters');
    const p = checkOptionsObject(parameters, 'parameters');
    const w = p.weights;
    if (!(Array.isArray(w) || w instanceof Float64Array) || w.length === 0) {
      throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `parameters.weights must be a non-empty Float64Array or number[], got ${describe(w)}`);
    }
    const weights = Float64Array.from(w as ArrayLike<number>);
    const bad = firstNonFinite(weights);
    if (bad >= 0) throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `parameters.weights must contain only finite numbers, got ${describe((w as ArrayLike<unknown>)[bad])} at index ${bad}`);
    if (typeof p.bias !== 'number' || !Number.isFinite(p.bias)) {
      throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `parameters.bias must be a finite number, got ${describe(p.bias)}`);
    }
    this.#w = weights;
    this.#b = p.bias;
  }

  /** The model as a versioned JSON object (format 'blasnet-model'): options and exact parameters. */
  toJSON(): LogisticModelJSON {
    return modelToJSON(this);
  }

  /** Saves the model atomically (temporary file, fsync, rename). */
  save(path: string | URL): Promise<void> {
    return saveModel(this, path);
  }

  /** Rebuilds a model from `toJSON()`'s output, validating everything first. */
  static fromJSON(json: unknown, options?: ModelFromJSONOptions): LogisticRegression {
    return logisticFromJSON(json, options);
  }

  /** Loads a model saved by `save`. */
  static load(path: string | URL, options?: ModelLoadOptions): Promise<LogisticRegression> {
    return loadLogistic(path, options);
  }

  /** True while a fit runs. */
  get busy(): boolean {
    return this.#busy;
  }

  /**
   * The cost J and its gradients at the current parameters (zeros before any fit, as the seed starts):
   * the seed's `cost_function` with 1/n gradients and the softplus form of the loss.
   * @param X - n × m examples as rows (Matrix or number[][])
   * @param y - n labels, each 0 or 1
   * @throws {TypeError|RangeError} for invalid X or y (see the error's code)
   * @example const { cost, dw, db } = model.costAndGradients(X, y);
   */
  costAndGradients(X: Matrix | number[][], y: Float64Array | number[]): { cost: number; dw: Float64Array; db: number } {
    const { M, labels } = this.#checkData(X, y, this.#w ? this.#w.length : undefined);
    const w = this.#w ?? new Float64Array(M.cols);
    if (this.#addon) {
      const r = this.#addon.logisticCostGrad(packTheta(w, this.#b), M.data, M.rows, labels);
      return { cost: r.cost, dw: r.grad.slice(0, M.cols), db: r.grad[M.cols]! };
    }
    const dw = new Float64Array(M.cols);
    const { cost, db } = logisticCostGrad({ X: M.data, y: labels, n: M.rows, m: M.cols }, w, this.#b, dw);
    return { cost, dw, db };
  }

  /**
   * Trains on the calling thread (blocks it). See `fit` for the asynchronous twin.
   * @throws {BlasnetError} ERR_BLASNET_BUSY while another fit runs; ERR_BLASNET_DIVERGED when the cost stops being finite
   */
  fitSync(X: Matrix | number[][], y: Float64Array | number[], options: LogisticFitOptions = {}): FitResult {
    const o = checkOptionsObject(options, 'options');
    checkKnownKeys(o, 'options', FIT_KEYS);
    const onProgress = optionalFunction<(p: FitProgress) => void>(o.onProgress, 'options.onProgress');
    const start = this.#startParams(X, y, o.warmStart);
    if (this.#busy) throw busyError('LogisticRegression', 'fitSync');
    this.#checkFitMemory(start.M);
    this.#busy = true;
    try {
      const { M, labels, w, b } = start;
      if (this.#addon) {
        const r = this.#addon.logisticFitSync(packTheta(w, b), M.data, M.rows, labels, this.#nativeConfig(), onProgress);
        return this.#finishNative(r);
      }
      // The fit owns a copy of X: whatever onProgress does to the caller's buffer cannot reach it.
      // A throwing onProgress stops it at once, as on the native backend.
      let thrown: { value: unknown } | null = null;
      const record = onProgress ? (iteration: number, cost: number) => {
        try {
          onProgress({ iteration, cost });
        } catch (e) {
          thrown = { value: e };
        }
      } : () => {};
      const r = runLogisticFit(this.#job(start, M.data.slice()), record, () => thrown !== null);
      if (thrown) throw (thrown as { value: unknown }).value;
      return this.#finish(r.status, r.w, r.b, r.costs, r.iterations, r.lastCost);
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Trains off the main thread (a native AsyncWorker; on the reference backend, in slices of a few ms).
   * The inputs are copied when the call is made: the caller may reuse its buffers at once. Until the fit
   * settles, predictions use the previous parameters.
   * @returns the recorded costs
   * @throws (rejects) ERR_BLASNET_BUSY while another fit runs; an AbortError when `signal` fires;
   *   ERR_BLASNET_DIVERGED when the cost stops being finite
   * @example const { costs } = await model.fit(X, y, { onProgress: ({ iteration, cost }) => log(iteration, cost) });
   */
  fit(X: Matrix | number[][], y: Float64Array | number[], options: LogisticAsyncFitOptions = {}): Promise<FitResult> {
    const caller = new Error();
    try {
      const o = checkOptionsObject(options, 'options');
      checkKnownKeys(o, 'options', ASYNC_FIT_KEYS);
      const onProgress = optionalFunction<(p: FitProgress) => void>(o.onProgress, 'options.onProgress');
      const signal = optionalSignal(o.signal, 'options.signal');
      const start = this.#startParams(X, y, o.warmStart);
      if (this.#busy) throw busyError('LogisticRegression', 'fit');
      if (signal?.aborted) throw abortError(signal);
      this.#checkFitMemory(start.M);
      this.#busy = true;
      const job = this.#addon ? this.#fitNative(start, onProgress, signal) : this.#fitReference(start, onProgress, signal);
      return withCallerStack(job.finally(() => { this.#busy = false; }), caller);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async #fitNative(start: StartParams, onProgress: ((p: FitProgress) => void) | undefined, signal: AbortSignal | undefined): Promise<FitResult> {
    const addon = this.#addon!;
    const { flag: cancel, release } = jobFlag();
    const onAbort = () => { cancel[0] = 1; };
    signal?.addEventListener('abort', onAbort, { once: true });
    let r: NativeLogisticFitResult;
    try {
      const { M, labels, w, b } = start;
      r = await addon.logisticFit(packTheta(w, b), M.data, M.rows, labels, this.#nativeConfig(),
        onProgress ? (p: ProgressRecord) => onProgress({ iteration: p.iteration, cost: p.cost }) : undefined, cancel);
    } finally {
      release();
      signal?.removeEventListener('abort', onAbort);
    }
    if (r.status === 'aborted') {
      const m = r.theta.length - 1;
      this.#finish('ok', r.theta.slice(0, m), r.theta[m]!, [], r.iterations, r.lastCost);
      throw abortError(signal!);
    }
    return this.#finishNative(r);
  }

  async #fitReference(start: StartParams, onProgress: ((p: FitProgress) => void) | undefined, signal: AbortSignal | undefined): Promise<FitResult> {
    // A worker thread runs the loop on copies of the inputs: the event loop stays free.
    const job = this.#job(start, start.M.data.slice());
    const { promise, cancel } = runInWorker<LogisticFitOutcome>({ kind: 'logistic-fit', progress: onProgress !== undefined, job },
      [job.X.buffer as ArrayBuffer], onProgress ? (iteration, cost) => onProgress({ iteration, cost }) : undefined);
    signal?.addEventListener('abort', cancel, { once: true });
    let r: LogisticFitOutcome;
    try {
      r = await promise;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
    if (r.status === 'aborted') {
      this.#finish('ok', r.w, r.b, [], r.iterations, r.lastCost);
      throw abortError(signal!);
    }
    return this.#finish(r.status, r.w, r.b, r.costs, r.iterations, r.lastCost);
  }

  #job(start: StartParams, X: Float64Array): LogisticFitJob {
    return { X, y: start.labels, n: start.M.rows, m: start.M.cols, w: start.w, b: start.b,
      learningRate: this.learningRate, iterations: this.iterations, recordEvery: this.recordEvery };
  }

  #nativeConfig(): NativeLogisticConfig {
    return { learningRate: this.learningRate, iterations: this.iterations, recordEvery: this.recordEvery };
  }

  #checkFitMemory(M: Matrix): void {
    checkJobMemory(`LogisticRegression.fit on ${M.rows} × ${M.cols} examples recording ${this.iterations} iterations every ${this.recordEvery}`,
      logisticFitBytes(M.rows, M.cols, this.iterations, this.recordEvery), 'use fewer examples, or a larger recordEvery');
  }

  #finishNative(r: NativeLogisticFitResult): FitResult {
    const m = r.theta.length - 1;
    return this.#finish(r.status, r.theta.slice(0, m), r.theta[m]!, Array.from(r.costs), r.iterations, r.lastCost);
  }

  /** Installs the parameters a fit ended with; throws DivergenceError when it diverged. */
  #finish(status: string, w: Float64Array, b: number, costs: number[], iterations: number, lastCost: number): FitResult {
    this.#w = w;
    this.#b = b;
    if (status === 'diverged') throw new DivergenceError(iterations, lastCost);
    return { costs, iterations };
  }

  #checkData(X: unknown, y: unknown, cols?: number) {
    const M = toMatrix(X, 'X', cols === undefined ? {} : { cols });
    const labels = toBinaryLabels(y, 'y', M.rows);
    return { M, labels };
  }

  #startParams(X: unknown, y: unknown, warmStart: unknown): StartParams {
    if (warmStart !== undefined && typeof warmStart !== 'boolean') {
      throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.warmStart must be a boolean, got ${describe(warmStart)}`);
    }
    const warm = warmStart === true && this.#w !== null;
    const { M, labels } = this.#checkData(X, y, warm ? this.#w!.length : undefined);
    return { M, labels, w: warm ? this.#w!.slice() : new Float64Array(M.cols), b: warm ? this.#b : 0 };
  }

  #fitted(method: string): Float64Array {
    if (!this.#w) throw new BlasnetError('ERR_BLASNET_NOT_FITTED', `LogisticRegression.${method}: the model has not been fitted yet; call fit or fitSync first`);
    return this.#w;
  }

  /**
   * The probabilities a = σ(wᵀx + b), one per row of X.
   * @throws {BlasnetError} ERR_BLASNET_NOT_FITTED before the first fit
   * @throws {TypeError|RangeError} for invalid X (wrong column count, non-finite values, ...)
   */
  predictProbaSync(X: Matrix | number[][]): Float64Array {
    const w = this.#fitted('predictProbaSync');
    const M = toMatrix(X, 'X', { cols: w.length });
    checkJobMemory(`LogisticRegression.predictProbaSync on ${M.rows} examples`, logisticPredictBytes(M.rows, M.cols), 'predict in smaller batches');
    if (this.#addon) return this.#addon.logisticPredictProbaSync(packTheta(w, this.#b), M.data, M.rows);
    const a = new Float64Array(M.rows);
    return checkLinearTerms(a, logisticPredictProba(M.data, M.rows, M.cols, w, this.#b, a));
  }

  /** `predictProbaSync` off the main thread. X is copied when the call is made. */
  predictProba(X: Matrix | number[][]): Promise<Float64Array> {
    const caller = new Error();
    try {
      const w = this.#fitted('predictProba');
      const M = toMatrix(X, 'X', { cols: w.length });
      checkJobMemory(`LogisticRegression.predictProba on ${M.rows} examples`, logisticPredictBytes(M.rows, M.cols), 'predict in smaller batches');
      if (this.#addon) {
        const { flag, release } = jobFlag();
        const job = this.#addon.logisticPredictProba(packTheta(w, this.#b), M.data, M.rows, flag);
        return withCallerStack(job.finally(release), caller);
      }
      const Xc = M.data.slice();
      const { promise } = runInWorker<{ a: Float64Array; badRow: number }>({ kind: 'logistic-predict', progress: false, job: { X: Xc, n: M.rows, m: M.cols, w: w.slice(), b: this.#b } },
        [Xc.buffer as ArrayBuffer]);
      return withCallerStack(promise.then(({ a, badRow }) => checkLinearTerms(a, badRow)), caller);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Class predictions ŷ ∈ {0, 1}: 1 where a ≥ 0.5. */
  predictSync(X: Matrix | number[][]): Float64Array {
    return threshold(this.predictProbaSync(X));
  }

  /** `predictSync` off the main thread. */
  async predict(X: Matrix | number[][]): Promise<Float64Array> {
    return threshold(await this.predictProba(X));
  }

  /** Accuracy in [0, 1]: the fraction of rows where the prediction equals the label. */
  scoreSync(X: Matrix | number[][], y: Float64Array | number[]): number {
    const w = this.#fitted('scoreSync');
    const { M, labels } = this.#checkData(X, y, w.length);
    return accuracy(this.predictSync(M), labels);
  }

  /** `scoreSync` off the main thread. */
  async score(X: Matrix | number[][], y: Float64Array | number[]): Promise<number> {
    const w = this.#fitted('score');
    const { M, labels } = this.#checkData(X, y, w.length);
    return accuracy(await this.predict(M), labels);
  }
}

interface StartParams {
  M: Matrix;
  labels: Float64Array;
  w: Float64Array;
  b: number;
}

/** θ = (w, b) as the addon takes it. */
function packTheta(w: Float64Array, b: number): Float64Array {
  const theta = new Float64Array(w.length + 1);
  theta.set(w);
  theta[w.length] = b;
  return theta;
}

/** The probabilities, or ERR_BLASNET_NOT_FINITE when row `badRow` (< n) had a non-finite w·x + b. */
function checkLinearTerms(a: Float64Array, badRow: number): Float64Array {
  if (badRow < a.length) {
    throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `the prediction for row ${badRow} is not finite: w·x + b overflowed (the weights or the inputs are too large)`);
  }
  return a;
}

function threshold(a: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! >= 0.5 ? 1 : 0;
  return out;
}

function accuracy(pred: Float64Array, labels: Float64Array): number {
  let right = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) right++;
  return right / pred.length;
}
