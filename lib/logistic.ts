// LogisticRegression (seed section 1, with the MATH.md errata fixed). Validates and normalises in
// TS, then hands the arrays to the native kernels (native/logistic.cc) or the reference kernels
// (lib/reference/logistic.ts). Parameters are replaced only when a fit completes, stops or diverges.
// Serializes and rebuilds its own body (toJSON / fromJSON) through lib/format.ts; never does file I/O
// itself (lib/fileio.ts) and never imports another model.
import { abortError, busyError, jobFlag, withCallerStack } from './async.js';
import { resolveBackend, type BackendName, type BackendOption } from './backend.js';
import { BlasnetError, BlasnetRangeError, BlasnetTypeError, DivergenceError, describe } from './errors.js';
import { checkPath, writeFileAtomic } from './fileio.js';
import {
  checkFinite, checkFromJSONOptions, checkLength, checkModelJSON, exactKeys, finiteArray, finiteNumber, metadata, modelText, MODEL_FORMAT, plainObject, readModelFile,
  type LogisticModelJSON, type ModelDocument, type ModelFromJSONOptions, type ModelLoadOptions,
} from './format.js';
import { Matrix } from './matrix.js';
import { checkJobMemory, logisticFitBytes, logisticPredictBytes } from './memory.js';
import type { NativeAddon, NativeLogisticFitResult, ProgressRecord } from './native.js';
import { runFit, type FitJob, type FitOutcome } from './reference/jobs.js';
import { LogisticObjective, logisticPredictProba } from './reference/logistic.js';
import { runInWorker } from './reference/pool.js';
import type { Rows, TrainConfig, TrainRecord } from './reference/trainer.js';
import { applyInputScaling, checkInputScaling, copyInputScaling, preprocessingFromJSON, preprocessingToJSON, type InputScaling, type InputScalingOption } from './scaling.js';
import {
  checkScheduleAgainstRate, nativeConfig, parseSharedOptions, progressRecord, resultFields, rowWeights, SHARED_FIT_KEYS, splitData,
  type EarlyStoppingOption, type FitProgress, type PlateauOption, type ScheduleOption, type TrainingResultFields,
} from './training.js';
import {
  checkFiniteCost, checkKnownKeys, checkOptionsObject, firstNonFinite, integerInRange, nonNegativeNumber, oneOf, optionalFunction, optionalSignal, positiveNumber, toBinaryLabels, toMatrix,
} from './validate.js';

/**
 * 'gd': the seed's gradient descent; 'lbfgs': L-BFGS with a strong-Wolfe line search.
 * @example new LogisticRegression({ solver: 'lbfgs', l2: 1e-3 });
 */
export type SolverName = 'gd' | 'lbfgs';

/**
 * The constructor's options: the solver and its settings, the L2 penalty, the split seed, the backend.
 * @example new LogisticRegression({ solver: 'lbfgs', l2: 1 / (C * n), tolerance: 1e-8 });
 */
export interface LogisticRegressionOptions {
  /**
   * 'gd' (default): the seed's gradient descent, `iterations` steps of size `learningRate`.
   * 'lbfgs': L-BFGS with a strong-Wolfe line search, until ‖∂J/∂θ‖∞ ≤ `tolerance`, the cost stops
   * changing, or `maxIterations`.
   */
  solver?: SolverName;
  /** Gradient-descent step α (the seed's `alpha`), solver 'gd' only. Default 0.001. */
  learningRate?: number;
  /** Gradient steps per fit (the seed's `num_iters`), solver 'gd' only. Default 2000. */
  iterations?: number;
  /** L2 penalty λ: J += (λ/2)‖w‖², the bias not penalized. scikit-learn's C is λ = 1/(C·n). Default 0. */
  l2?: number;
  /** Solver 'lbfgs' only: the gradient-norm target. Default 1e-6. */
  tolerance?: number;
  /** Solver 'lbfgs' only: the iteration cap. Default 100. */
  maxIterations?: number;
  /** Seed of the validationSplit draw. Default 0. */
  seed?: number;
  /** The cost is recorded every `recordEvery` iterations, from iteration 0. Default 100. */
  recordEvery?: number;
  /** 'auto' (native when built, else reference), 'native' or 'reference'. Default 'auto'. */
  backend?: BackendOption;
}

export type { FitProgress };

/**
 * The options of `fitSync` (and `fit`): progress, warm start, and the training options both models share.
 * @example model.fitSync(X, y, { validationSplit: 0.2, earlyStopping: { patience: 5 }, classWeight: 'balanced' });
 */
export interface LogisticFitOptions {
  /** Called at each record (on the main thread); `iteration` is the iteration whose parameters it describes. */
  onProgress?: (progress: FitProgress) => void;
  /** Continue from the current parameters instead of the seed's zeros. Default false. */
  warmStart?: boolean;
  /** Held-out data (X, 0/1 labels Y) evaluated at every record, not trained on. Exclusive with validationSplit. */
  validation?: {
    /** The held-out examples, as rows. */
    X: Matrix | number[][];
    /** Their 0/1 labels. */
    Y: Float64Array | number[];
  };
  /** Hold out this fraction of the rows, in (0, 1): a random subset drawn from the model's seed. */
  validationSplit?: number;
  /** Stop after `patience` records without improvement; by default restore the best record's parameters. */
  earlyStopping?: EarlyStoppingOption;
  /** A learning-rate schedule over the iterations (solver 'gd'). */
  schedule?: ScheduleOption;
  /** Multiply the learning rate by `factor` after `patience` records without improvement (solver 'gd'). */
  reduceOnPlateau?: PlateauOption;
  /** Per-row weights, n finite numbers ≥ 0, not all 0: J = Σ w_j L_j / Σ w_j (per batch). */
  sampleWeight?: Float64Array | number[];
  /** One weight per class, or 'balanced' (w_c = n / (k · n_c)); multiplies sampleWeight. */
  classWeight?: number[] | Float64Array | 'balanced';
}

/**
 * The options of `fit`: those of `fitSync` and an AbortSignal.
 * @example await model.fit(X, y, { signal: AbortSignal.timeout(5000) });
 */
export interface LogisticAsyncFitOptions extends LogisticFitOptions {
  /** Aborts the fit within one iteration; `fit` then rejects with an AbortError. */
  signal?: AbortSignal;
}

export interface FitResult extends TrainingResultFields {
  /** The cost at iterations 0, recordEvery, 2·recordEvery, … (as the seed records it). */
  costs: number[];
  /** Gradient steps (L-BFGS iterations) taken. */
  iterations: number;
  /** The iteration of the best record (with earlyStopping). */
  bestIteration?: number;
  /** J at the final parameters (solver 'lbfgs'). */
  finalCost?: number;
}

const OPTION_KEYS = ['solver', 'learningRate', 'iterations', 'recordEvery', 'l2', 'tolerance', 'maxIterations', 'seed', 'backend'] as const;
const FIT_KEYS = ['onProgress', 'warmStart', ...SHARED_FIT_KEYS] as const;
const ASYNC_FIT_KEYS = [...FIT_KEYS, 'signal'] as const;
const SOLVERS: readonly SolverName[] = ['gd', 'lbfgs'];

/**
 * Binary logistic regression trained by full-batch gradient descent (seed section 1).
 *
 * @example
 * const model = new LogisticRegression({ learningRate: 0.1, iterations: 1000 });
 * const { costs } = await model.fit(X, y);       // off the main thread
 * const accuracy = model.scoreSync(Xtest, ytest);
 */
export class LogisticRegression {
  /** 'gd' or 'lbfgs'. */
  readonly solver: SolverName;
  /** The gradient-descent step α. */
  readonly learningRate: number;
  /** Gradient-descent steps per fit. */
  readonly iterations: number;
  /** Records every `recordEvery` iterations. */
  readonly recordEvery: number;
  /** The L2 penalty λ (bias not penalized). */
  readonly l2: number;
  /** L-BFGS: the gradient-norm target. */
  readonly tolerance: number;
  /** L-BFGS: the iteration cap. */
  readonly maxIterations: number;
  /** The seed of a validationSplit. */
  readonly seed: number;
  /** The backend in use: 'native' or 'reference'. */
  readonly backend: BackendName;
  readonly #addon: NativeAddon | null;
  #w: Float64Array | null = null;
  #b = 0;
  #busy = false;
  #scaling: InputScaling | null = null;

  /**
   * A model with no parameters yet (the first fit starts from w = 0, b = 0).
   * @param options - the solver and its settings, `l2`, `recordEvery`, `seed`, `backend` (see LogisticRegressionOptions)
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` for an unknown option, a wrong type, or an
   *   option of the other solver (`tolerance` with 'gd', `learningRate` with 'lbfgs', …)
   * @throws {@link BlasnetRangeError} `ERR_BLASNET_ARG_RANGE` for an out-of-range value
   * @throws {@link BlasnetError} `ERR_BLASNET_NATIVE_UNAVAILABLE` for backend 'native' without the addon
   * @example const model = new LogisticRegression({ solver: 'lbfgs', l2: 1e-3, tolerance: 1e-8 });
   */
  constructor(options: LogisticRegressionOptions = {}) {
    const o = checkOptionsObject(options, 'options');
    checkKnownKeys(o, 'options', OPTION_KEYS);
    this.solver = oneOf(o.solver, 'options.solver', SOLVERS, 'gd');
    const only = this.solver === 'gd' ? ['tolerance', 'maxIterations'] : ['learningRate', 'iterations'];
    for (const key of only) {
      if (o[key] !== undefined) {
        throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.${key} does not apply to solver '${this.solver}', got ${describe(o[key])}`);
      }
    }
    this.learningRate = positiveNumber(o.learningRate, 'options.learningRate', 0.001);
    this.iterations = integerInRange(o.iterations, 'options.iterations', 2000, 0);
    this.recordEvery = integerInRange(o.recordEvery, 'options.recordEvery', this.solver === 'gd' ? 100 : 1, 1);
    this.l2 = nonNegativeNumber(o.l2, 'options.l2', 0);
    this.tolerance = nonNegativeNumber(o.tolerance, 'options.tolerance', 1e-6);
    this.maxIterations = integerInRange(o.maxIterations, 'options.maxIterations', 100, 1);
    this.seed = integerInRange(o.seed, 'options.seed', 0, 0, 0xffffffff);
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
   * @param parameters - `weights`: one finite number per feature; `bias`: a finite number
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` for a wrong type; {@link BlasnetRangeError}
   *   `ERR_BLASNET_NOT_FINITE` for a non-finite value, `ERR_BLASNET_SHAPE` for a weight count other than
   *   the input scaling's; {@link BlasnetError} `ERR_BLASNET_BUSY` during a fit
   * @example model.setParameters({ weights: [0.5, -1.2], bias: 0.1 });
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
    if (this.#scaling && weights.length !== this.#scaling.mean.length) {
      throw new BlasnetRangeError('ERR_BLASNET_SHAPE',
        `parameters.weights must have ${this.#scaling.mean.length} values, one per feature of the model's input scaling, got ${weights.length} (setInputScaling(null) first to change the feature count)`);
    }
    this.#w = weights;
    this.#b = p.bias;
  }

  /**
   * The per-feature standardization the model applies to raw inputs, as copies; null when none.
   * @returns `{ mean, std }` (fresh Float64Arrays) or null
   * @example const { mean, std } = model.inputScaling ?? { mean: null, std: null };
   */
  get inputScaling(): InputScaling | null {
    return copyInputScaling(this.#scaling);
  }

  /**
   * Makes the model standardize its inputs: from now on every method that takes X (fit, fitSync,
   * costAndGradients, predict*, score*) takes raw features and computes (x − mean) / std first,
   * exactly as `Standardizer.transform` does, into a new matrix (the caller's X is never changed).
   * Saved and loaded with the model (`preprocessing.inputScaling`). The values are copied.
   * @param scaling - a Standardizer, `{ mean, std }` (Float64Array or number[], one value per feature;
   *   finite; std > 0), or null to remove it. On a fitted model the length must be its feature count;
   *   on an unfitted one it fixes the feature count of the next fit.
   * @throws {TypeError} ERR_BLASNET_ARG_TYPE for a wrong type; ERR_BLASNET_DETACHED for a detached buffer
   * @throws {RangeError} ERR_BLASNET_SHAPE for a wrong length; ERR_BLASNET_NOT_FINITE for a non-finite
   *   value; ERR_BLASNET_ARG_RANGE for a std ≤ 0
   * @throws {BlasnetError} ERR_BLASNET_BUSY during a fit
   * @example
   * const scaler = Standardizer.fit(Xtrain);
   * model.setInputScaling(scaler);
   * await model.fit(Xtrain, ytrain);          // raw features
   * model.predictSync(Xtest);                 // raw features too
   */
  setInputScaling(scaling: InputScalingOption): void {
    if (this.#busy) throw busyError('LogisticRegression', 'setInputScaling');
    this.#scaling = checkInputScaling(scaling, this.#w ? this.#w.length : undefined, 'scaling');
  }

  /** The training options; those of issue 10 only when they are not the defaults, so older readers keep reading gd models. */
  #trainingJSON(): LogisticModelJSON['training'] {
    const t: LogisticModelJSON['training'] = { learningRate: this.learningRate, iterations: this.iterations, recordEvery: this.recordEvery };
    if (this.solver !== 'gd') Object.assign(t, { solver: this.solver, tolerance: this.tolerance, maxIterations: this.maxIterations });
    if (this.l2 !== 0) t.l2 = this.l2;
    if (this.seed !== 0) t.seed = this.seed;
    return t;
  }

  /**
   * The model as a versioned JSON object (format 'blasnet-model', see lib/format.ts): its options,
   * its exact parameters and its input scaling. The arrays are copies.
   * @returns the JSON-ready object (write it with `save`, which keeps −0; JSON.stringify writes it as 0)
   * @throws {BlasnetError} ERR_BLASNET_NOT_FITTED before the first fit (there are no weights yet)
   * @example const json = model.toJSON(); const copy = LogisticRegression.fromJSON(json);
   */
  toJSON(): LogisticModelJSON {
    const w = this.#w;
    if (w === null || w.length === 0) {
      throw new BlasnetError('ERR_BLASNET_NOT_FITTED', 'cannot serialize a LogisticRegression that has not been fitted: it has no weights yet; call fit, fitSync or setParameters first');
    }
    const json: LogisticModelJSON = {
      format: MODEL_FORMAT,
      version: 1,
      kind: 'logistic-regression',
      metadata: metadata(),
      architecture: { features: w.length },
      training: this.#trainingJSON(),
      parameters: { weights: finiteArray(w, 'parameters.weights'), bias: finiteArray([this.#b], 'parameters.bias')[0]! },
    };
    const preprocessing = preprocessingToJSON(this.#scaling);
    if (preprocessing) json.preprocessing = preprocessing;
    return json;
  }

  /**
   * Saves the model atomically: a temporary file in the same folder, fsync, rename, folder fsync; a
   * crash at any moment leaves the old file or the complete new one. The parameters are those of the
   * moment of the call.
   * @param path - a file path or a file: URL
   * @throws {TypeError} ERR_BLASNET_ARG_TYPE for a bad path
   * @throws {BlasnetError} ERR_BLASNET_NOT_FITTED before the first fit
   * @throws {Error} the file system's error (ENOENT, EACCES, EISDIR, …) naming the path
   * @example await model.save('model.json');
   */
  async save(path: string | URL): Promise<void> {
    const target = checkPath(path);
    const text = modelText(this.toJSON()); // serialize fully (and synchronously) before touching the disk
    await writeFileAtomic(target, text, 'the model');
  }

  /**
   * Rebuilds a model from `toJSON()`'s output (or JSON.parse of a saved file), validating everything
   * first: the tree and its bounds, format, version, kind, training options, the weights' length
   * against architecture.features, every value finite, the input scaling.
   * @param json - the model object
   * @param options - `{ backend? }` of the rebuilt model
   * @returns a new LogisticRegression
   * @throws {TypeError|RangeError} ERR_BLASNET_FORMAT (not a tree of plain JSON within MODEL_JSON_LIMITS,
   *   format, version, kind, structure, unknown or forbidden keys), ERR_BLASNET_ARG_TYPE /
   *   ERR_BLASNET_ARG_RANGE (training options, options), ERR_BLASNET_SHAPE (a length),
   *   ERR_BLASNET_NOT_FINITE (a value that is not a finite number)
   * @example const copy = LogisticRegression.fromJSON(JSON.parse(text), { backend: 'reference' });
   */
  static fromJSON(json: unknown, options?: ModelFromJSONOptions): LogisticRegression {
    const { backend } = checkFromJSONOptions(options);
    return logisticFromDocument(checkModelJSON(json, 'model JSON', 'logistic-regression'), backend);
  }

  /**
   * Loads a model saved by `save`: the file's size is checked against options.maxBytes before it is
   * read, then it is parsed and validated as in `fromJSON`; every message starts with the path.
   * @param path - a file path or a file: URL
   * @param options - `{ backend?, maxBytes? }` (maxBytes default 256 MiB)
   * @returns the model
   * @throws {Error} the file system's error (ENOENT, EISDIR, …) naming the path
   * @throws {RangeError} ERR_BLASNET_ARG_RANGE for a file above options.maxBytes
   * @throws {BlasnetError} ERR_BLASNET_FORMAT for an empty, truncated, non-UTF-8 or non-JSON file, or one
   *   holding a neural network; and everything `fromJSON` throws
   * @example const model = await LogisticRegression.load('model.json');
   */
  static async load(path: string | URL, options?: ModelLoadOptions): Promise<LogisticRegression> {
    const { doc, backend } = await readModelFile(path, options, 'logistic-regression');
    return logisticFromDocument(doc, backend);
  }

  /** True while a fit runs. */
  get busy(): boolean {
    return this.#busy;
  }

  /**
   * The cost J and its gradients at the current parameters (zeros before any fit, as the seed starts):
   * the seed's `cost_function` with 1/n gradients and the softplus form of the loss.
   * The model's `l2` term is included; with `options.sampleWeight` (n weights ≥ 0) J is the weighted
   * mean Σ w_j L_j / Σ w_j that a weighted fit minimizes.
   * @param X - n × m examples as rows (Matrix or number[][])
   * @param y - n labels, each 0 or 1
   * @param options - `sampleWeight`: n finite weights ≥ 0, not all 0
   * @returns J, ∂J/∂w and ∂J/∂b
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` for a wrong type or an unknown option;
   *   {@link BlasnetRangeError} `ERR_BLASNET_SHAPE`, `ERR_BLASNET_NOT_FINITE`, `ERR_BLASNET_LABEL` or
   *   `ERR_BLASNET_ARG_RANGE` for invalid X, y or weights; `ERR_BLASNET_NOT_FINITE` when J or a gradient
   *   overflows (finite but huge inputs or parameters)
   * @example const { cost, dw, db } = model.costAndGradients(X, y);
   */
  costAndGradients(X: Matrix | number[][], y: Float64Array | number[], options: { sampleWeight?: Float64Array | number[] } = {}): {
    /** J */
    cost: number;
    /** ∂J/∂w */
    dw: Float64Array;
    /** ∂J/∂b */
    db: number;
  } {
    const o = checkOptionsObject(options, 'options');
    checkKnownKeys(o, 'options', ['sampleWeight']);
    const { M, labels } = this.#checkData(X, y, this.#w ? this.#w.length : undefined);
    const weight = rowWeights({ sampleWeight: o.sampleWeight }, M.rows, null, 0);
    const w = this.#w ?? new Float64Array(M.cols);
    const theta = packTheta(w, this.#b);
    if (this.#addon) {
      const r = this.#addon.logisticCostGrad(theta, M.data, M.rows, labels, this.l2, weight ?? undefined);
      checkFiniteCost('LogisticRegression', r.cost, r.grad);
      return { cost: r.cost, dw: r.grad.slice(0, M.cols), db: r.grad[M.cols]! };
    }
    const grad = new Float64Array(M.cols + 1);
    const { cost } = new LogisticObjective(M.cols, this.l2).costGrad(theta, { X: M.data, Y: labels, weight, n: M.rows }, grad);
    checkFiniteCost('LogisticRegression', cost, grad);
    return { cost, dw: grad.slice(0, M.cols), db: grad[M.cols]! };
  }

  /**
   * Trains on the calling thread (blocks it). See `fit` for the asynchronous twin.
   * @param X - n × m examples as rows (Matrix or number[][])
   * @param y - n labels, each 0 or 1
   * @param options - `onProgress`, `warmStart`, and the training options (validation, early stopping,
   *   weights, schedules): see LogisticFitOptions
   * @returns the recorded costs, the steps taken, why the fit stopped, and the validation, learning-rate
   *   and early-stopping figures
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` for an unknown option, an option of the
   *   wrong type or options that exclude each other; {@link BlasnetRangeError} `ERR_BLASNET_ARG_RANGE`
   *   for an option out of range, `ERR_BLASNET_SHAPE` / `ERR_BLASNET_NOT_FINITE` / `ERR_BLASNET_LABEL`
   *   for X, the labels, the validation rows or the weights
   * @throws {@link BlasnetError} `ERR_BLASNET_BUSY` while another fit runs; `ERR_BLASNET_DIVERGED` when
   *   the cost stops being finite
   * @example const { costs, reason } = model.fitSync(X, y, { validationSplit: 0.2 });
   */
  fitSync(X: Matrix | number[][], y: Float64Array | number[], options: LogisticFitOptions = {}): FitResult {
    const p = this.#prepareFit(X, y, options, FIT_KEYS);
    if (this.#busy) throw busyError('LogisticRegression', 'fitSync');
    this.#checkFitMemory(p);
    this.#busy = true;
    try {
      const { train, validation, onProgress } = p;
      if (this.#addon) {
        const r = this.#addon.logisticFitSync(p.theta, train.X, train.n, train.Y, nativeConfig(p.config, validation, train.weight),
          onProgress ? (rec: ProgressRecord) => onProgress(progressRecord(rec)) : undefined);
        return this.#finish(r, p);
      }
      // The fit owns copies of its rows: whatever onProgress does to the caller's buffers cannot reach it.
      // A throwing onProgress stops it at once, as on the native backend.
      let thrown: { value: unknown } | null = null;
      const record = (r: TrainRecord) => {
        try {
          onProgress?.(progressRecord(r));
        } catch (e) {
          thrown = { value: e };
        }
      };
      const r = runFit(this.#job(p), record, () => thrown !== null);
      if (thrown) throw (thrown as { value: unknown }).value;
      return this.#finish(r, p);
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Trains off the main thread (a native AsyncWorker; on the reference backend, a worker thread).
   * The inputs are copied when the call is made: the caller may reuse its buffers at once. Until the fit
   * settles, predictions use the previous parameters.
   * @param X - n × m examples as rows (Matrix or number[][])
   * @param y - n labels, each 0 or 1
   * @param options - those of `fitSync`, and `signal`
   * @returns (a Promise of) what `fitSync` returns
   * @throws (rejects) {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` for an unknown option, an option of the
   *   wrong type or options that exclude each other; {@link BlasnetRangeError} `ERR_BLASNET_ARG_RANGE`
   *   for an option out of range, `ERR_BLASNET_SHAPE` / `ERR_BLASNET_NOT_FINITE` / `ERR_BLASNET_LABEL`
   *   for X, the labels, the validation rows or the weights
   * @throws (rejects) {@link BlasnetError} `ERR_BLASNET_BUSY` while another fit runs, `ERR_BLASNET_DIVERGED`
   *   when the cost stops being finite; an AbortError (`ABORT_ERR`) when `signal` fires
   * @example const { costs } = await model.fit(X, y, { onProgress: ({ iteration, cost }) => log(iteration, cost) });
   */
  fit(X: Matrix | number[][], y: Float64Array | number[], options: LogisticAsyncFitOptions = {}): Promise<FitResult> {
    const caller = new Error();
    try {
      const p = this.#prepareFit(X, y, options, ASYNC_FIT_KEYS);
      const signal = optionalSignal(checkOptionsObject(options, 'options').signal, 'options.signal');
      if (this.#busy) throw busyError('LogisticRegression', 'fit');
      if (signal?.aborted) throw abortError(signal);
      this.#checkFitMemory(p);
      this.#busy = true;
      const job = this.#addon ? this.#fitNative(p, signal) : this.#fitReference(p, signal);
      return withCallerStack(job.finally(() => { this.#busy = false; }), caller);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async #fitNative(p: PreparedFit, signal: AbortSignal | undefined): Promise<FitResult> {
    const addon = this.#addon!;
    const { flag: cancel, release } = jobFlag();
    const onAbort = () => { cancel[0] = 1; };
    signal?.addEventListener('abort', onAbort, { once: true });
    let r: NativeLogisticFitResult;
    try {
      const { train, validation, onProgress } = p;
      r = await addon.logisticFit(p.theta, train.X, train.n, train.Y, nativeConfig(p.config, validation, train.weight),
        onProgress ? (rec: ProgressRecord) => onProgress(progressRecord(rec)) : undefined, cancel);
    } finally {
      release();
      signal?.removeEventListener('abort', onAbort);
    }
    if (r.status === 'aborted') {
      this.#install(r.theta);
      throw abortError(signal!);
    }
    return this.#finish(r, p);
  }

  async #fitReference(p: PreparedFit, signal: AbortSignal | undefined): Promise<FitResult> {
    // A worker thread runs the loop on copies of the inputs: the event loop stays free.
    const job = this.#job(p);
    const buffers = [job.theta.buffer, job.train.X.buffer, job.train.Y.buffer, job.train.weight?.buffer,
      job.validation?.X.buffer, job.validation?.Y.buffer].filter((b) => b !== undefined) as ArrayBuffer[];
    const onProgress = p.onProgress;
    const { promise, cancel } = runInWorker<FitOutcome>({ kind: 'fit', progress: onProgress !== undefined, job }, buffers,
      onProgress ? (r) => onProgress(progressRecord(r)) : undefined);
    signal?.addEventListener('abort', cancel, { once: true });
    let r: FitOutcome;
    try {
      r = await promise;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
    if (r.status === 'aborted') {
      this.#install(r.theta);
      throw abortError(signal!);
    }
    return this.#finish(r, p);
  }

  /** A reference fit job on copies of the fit's rows and θ (it may be handed to a worker thread). */
  #job(p: PreparedFit): FitJob {
    const copy = (r: Rows): Rows => ({ X: r.X.slice(), Y: r.Y.slice(), weight: r.weight ? r.weight.slice() : null, n: r.n });
    return { model: { kind: 'logistic', m: p.theta.length - 1 }, theta: p.theta.slice(), train: copy(p.train),
      validation: p.validation ? copy(p.validation) : null, config: p.config };
  }

  #checkFitMemory(p: PreparedFit): void {
    const c = p.config, m = p.theta.length - 1, n = p.train.n + (p.validation ? p.validation.n : 0);
    checkJobMemory(`LogisticRegression.fit on ${p.train.n} × ${m} examples recording ${c.epochs} iterations every ${c.recordEvery}`,
      logisticFitBytes(n, m, c.epochs, c.recordEvery), 'use fewer examples, or a larger recordEvery');
  }

  /** Installs θ = (w, b). */
  #install(theta: Float64Array): void {
    const m = theta.length - 1;
    this.#w = theta.slice(0, m);
    this.#b = theta[m]!;
  }

  /** Installs the parameters a fit ended with; throws DivergenceError when it diverged. */
  #finish(r: NativeLogisticFitResult | FitOutcome, p: PreparedFit): FitResult {
    this.#install(r.theta);
    if (r.status === 'diverged') throw new DivergenceError(r.steps, r.lastCost);
    const out: FitResult = { costs: Array.from(r.costs), iterations: r.steps, ...resultFields(r, p.config, p.validation !== null) };
    if (p.config.earlyStopping && r.bestEpoch !== undefined) out.bestIteration = r.bestEpoch;
    if (this.solver === 'lbfgs') out.finalCost = r.lastCost;
    return out;
  }

  #prepareFit(X: unknown, y: unknown, options: unknown, keys: readonly string[]): PreparedFit {
    const o = checkOptionsObject(options, 'options');
    checkKnownKeys(o, 'options', keys);
    const onProgress = optionalFunction<(p: FitProgress) => void>(o.onProgress, 'options.onProgress');
    const lbfgs = this.solver === 'lbfgs';
    if (lbfgs) {
      for (const key of ['schedule', 'reduceOnPlateau'] as const) {
        if (o[key] !== undefined) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.${key} does not apply to solver 'lbfgs', got ${describe(o[key])}`);
      }
    }
    const shared = parseSharedOptions(o, true);
    const config: TrainConfig = {
      epochs: lbfgs ? this.maxIterations : this.iterations, batchSize: 0, shuffle: false, shuffleSeed: 0,
      optimizer: this.solver, learningRate: lbfgs ? 1 : this.learningRate, beta: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8,
      l2: this.l2, recordEvery: this.recordEvery, tolerance: this.tolerance, lbfgsMemory: 10,
      earlyStopping: shared.earlyStopping, schedule: shared.schedule, reduceOnPlateau: shared.reduceOnPlateau,
    };
    checkScheduleAgainstRate(config.schedule, config.learningRate);
    const start = this.#startParams(X, y, o.warmStart);
    const m = start.M.cols;
    let validation: { X: Matrix; Y: Matrix } | null = null;
    if (shared.validation) {
      const Mv = applyInputScaling(toMatrix(shared.validation.X, 'options.validation.X', { cols: m }), this.#scaling, 'options.validation.X');
      const yv = toBinaryLabels(shared.validation.Y, 'options.validation.Y', Mv.rows);
      validation = { X: Mv, Y: new Matrix(Mv.rows, 1, yv) };
    }
    const Y = new Matrix(start.M.rows, 1, start.labels);
    const labels = start.labels;
    const weight = rowWeights(o, start.M.rows, (j) => labels[j]!, 2);
    const { train, validation: held } = splitData(start.M, Y, weight, shared.validationSplit, this.seed, validation);
    return { config, onProgress, train, validation: held, theta: packTheta(start.w, start.b) };
  }

  #checkData(X: unknown, y: unknown, cols?: number) {
    const M = this.#inputs(X, cols);
    const labels = toBinaryLabels(y, 'y', M.rows);
    return { M, labels };
  }

  /** X validated (cols features, or the input scaling's count) and, with an input scaling, scaled into a new Matrix. */
  #inputs(X: unknown, cols: number | undefined): Matrix {
    const s = this.#scaling;
    const features = cols ?? s?.mean.length;
    return applyInputScaling(toMatrix(X, 'X', features === undefined ? {} : { cols: features }), s, 'X');
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
   * The probabilities a = σ(wᵀx + b), one per row of X, on the calling thread.
   * @param X - n × m examples as rows (Matrix or number[][]), raw features when the model has input scaling
   * @returns n probabilities in [0, 1]
   * @throws {@link BlasnetError} `ERR_BLASNET_NOT_FITTED` before the first fit
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` / `ERR_BLASNET_DETACHED` for an X of the wrong type
   *   or a detached buffer; {@link BlasnetRangeError} `ERR_BLASNET_SHAPE` for a wrong column count,
   *   `ERR_BLASNET_NOT_FINITE` for a non-finite value in X or a w·x + b that overflows
   *   (never returned as a probability)
   * @example const p = model.predictProbaSync([[1.2, 0.4], [0.1, 2.0]]); // Float64Array(2)
   */
  predictProbaSync(X: Matrix | number[][]): Float64Array {
    const w = this.#fitted('predictProbaSync');
    return this.#probaSync(this.#inputs(X, w.length), w, 'predictProbaSync');
  }

  /** The probabilities of already validated (and scaled) inputs. */
  #probaSync(M: Matrix, w: Float64Array, method: string): Float64Array {
    checkJobMemory(`LogisticRegression.${method} on ${M.rows} examples`, logisticPredictBytes(M.rows, M.cols), 'predict in smaller batches');
    if (this.#addon) return this.#addon.logisticPredictProbaSync(packTheta(w, this.#b), M.data, M.rows);
    const a = new Float64Array(M.rows);
    return checkLinearTerms(a, logisticPredictProba(M.data, M.rows, M.cols, w, this.#b, a));
  }

  /**
   * `predictProbaSync` off the main thread. X is copied when the call is made. A tiny job runs
   * inline instead: at most 2^18 multiply-adds (n · m, e.g. 2 600 examples of 100 features), the
   * native backend computes it on the calling thread, as `predictProbaSync` would, and resolves the
   * Promise with it, since that takes less time than the round trip through libuv's thread pool
   * (~100 µs on a 2-core machine). Errors still arrive as a rejected Promise.
   * @param X - n × m examples as rows (Matrix or number[][])
   * @returns (a Promise of) n probabilities in [0, 1]
   * @throws (rejects) {@link BlasnetError} `ERR_BLASNET_NOT_FITTED` before the first fit
   * @throws (rejects) {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` / `ERR_BLASNET_DETACHED` for an X of the wrong type
   *   or a detached buffer; {@link BlasnetRangeError} `ERR_BLASNET_SHAPE` for a wrong column count,
   *   `ERR_BLASNET_NOT_FINITE` for a non-finite value in X or a w·x + b that overflows
   * @example const p = await model.predictProba(Xtest);
   */
  predictProba(X: Matrix | number[][]): Promise<Float64Array> {
    const caller = new Error();
    try {
      const w = this.#fitted('predictProba');
      const M = this.#inputs(X, w.length);
      if (this.#addon && M.rows * M.cols <= 2 ** 18) return Promise.resolve(this.#probaSync(M, w, 'predictProba'));
      return this.#proba(M, w, caller, 'predictProba');
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The probabilities of already validated (and scaled) inputs, off the main thread. */
  #proba(M: Matrix, w: Float64Array, caller: Error, method: string): Promise<Float64Array> {
    checkJobMemory(`LogisticRegression.${method} on ${M.rows} examples`, logisticPredictBytes(M.rows, M.cols), 'predict in smaller batches');
    if (this.#addon) {
      const { flag, release } = jobFlag();
      const job = this.#addon.logisticPredictProba(packTheta(w, this.#b), M.data, M.rows, flag);
      return withCallerStack(job.finally(release), caller);
    }
    const Xc = M.data.slice();
    const { promise } = runInWorker<{ a: Float64Array; badRow: number }>({ kind: 'logistic-predict', progress: false, job: { X: Xc, n: M.rows, m: M.cols, w: w.slice(), b: this.#b } },
      [Xc.buffer as ArrayBuffer]);
    return withCallerStack(promise.then(({ a, badRow }) => checkLinearTerms(a, badRow)), caller);
  }

  /**
   * Class predictions ŷ ∈ {0, 1}: 1 where a = σ(wᵀx + b) ≥ 0.5, on the calling thread.
   * @param X - n × m examples as rows (Matrix or number[][])
   * @returns n labels, each 0 or 1
   * @throws {@link BlasnetError} `ERR_BLASNET_NOT_FITTED` before the first fit
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` / `ERR_BLASNET_DETACHED` for an X of the wrong type
   *   or a detached buffer; {@link BlasnetRangeError} `ERR_BLASNET_SHAPE` for a wrong column count,
   *   `ERR_BLASNET_NOT_FINITE` for a non-finite value in X or a w·x + b that overflows
   * @example const labels = model.predictSync(Xtest); // Float64Array of 0/1
   */
  predictSync(X: Matrix | number[][]): Float64Array {
    return threshold(this.predictProbaSync(X));
  }

  /**
   * `predictSync` off the main thread (X copied at the call).
   * @param X - n × m examples as rows (Matrix or number[][])
   * @returns (a Promise of) n labels, each 0 or 1
   * @throws (rejects) {@link BlasnetError} `ERR_BLASNET_NOT_FITTED` before the first fit
   * @throws (rejects) {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` / `ERR_BLASNET_DETACHED` for an X of the wrong type
   *   or a detached buffer; {@link BlasnetRangeError} `ERR_BLASNET_SHAPE` for a wrong column count,
   *   `ERR_BLASNET_NOT_FINITE` for a non-finite value in X or a w·x + b that overflows
   * @example const labels = await model.predict(Xtest);
   */
  async predict(X: Matrix | number[][]): Promise<Float64Array> {
    return threshold(await this.predictProba(X));
  }

  /**
   * Accuracy in [0, 1]: the fraction of rows where `predictSync` equals the label.
   * @param X - n × m examples as rows (Matrix or number[][])
   * @param y - n labels, each 0 or 1
   * @returns the accuracy in [0, 1]
   * @throws {@link BlasnetError} `ERR_BLASNET_NOT_FITTED` before the first fit
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` / `ERR_BLASNET_DETACHED` for an X of the wrong type
   *   or a detached buffer; {@link BlasnetRangeError} `ERR_BLASNET_SHAPE` for a wrong column count,
   *   `ERR_BLASNET_NOT_FINITE` for a non-finite value in X or a w·x + b that overflows; `ERR_BLASNET_LABEL` for a label other than 0 or 1
   * @example const accuracy = model.scoreSync(Xtest, ytest); // e.g. 0.965
   */
  scoreSync(X: Matrix | number[][], y: Float64Array | number[]): number {
    const w = this.#fitted('scoreSync');
    const { M, labels } = this.#checkData(X, y, w.length);
    return accuracy(threshold(this.#probaSync(M, w, 'scoreSync')), labels);
  }

  /**
   * `scoreSync` off the main thread (X and y copied at the call).
   * @param X - n × m examples as rows (Matrix or number[][])
   * @param y - n labels, each 0 or 1
   * @returns (a Promise of) the accuracy in [0, 1]
   * @throws (rejects) {@link BlasnetError} `ERR_BLASNET_NOT_FITTED` before the first fit
   * @throws (rejects) {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` / `ERR_BLASNET_DETACHED` for an X of the wrong type
   *   or a detached buffer; {@link BlasnetRangeError} `ERR_BLASNET_SHAPE` for a wrong column count,
   *   `ERR_BLASNET_NOT_FINITE` for a non-finite value in X or a w·x + b that overflows; `ERR_BLASNET_LABEL` for a label other than 0 or 1
   * @example const accuracy = await model.score(Xtest, ytest);
   */
  async score(X: Matrix | number[][], y: Float64Array | number[]): Promise<number> {
    const w = this.#fitted('score');
    const { M, labels } = this.#checkData(X, y, w.length);
    return accuracy(threshold(await this.#proba(M, w, new Error(), 'score')), labels);
  }
}

interface PreparedFit {
  config: TrainConfig;
  onProgress: ((p: FitProgress) => void) | undefined;
  train: Rows;
  validation: Rows | null;
  /** The starting θ = (w, b). */
  theta: Float64Array;
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

/**
 * The body of a logistic-regression document (lib/format.ts): architecture first (it gives every
 * expected length), training options with the constructor's rules, parameters, input scaling; the
 * model is built only once everything is valid.
 */
function logisticFromDocument(doc: ModelDocument, backend: ModelFromJSONOptions['backend']): LogisticRegression {
  const { root, src } = doc;
  const arch = plainObject(root.architecture, src, 'architecture');
  exactKeys(arch, src, 'architecture', ['features'], ['features']);
  const features = integerInRange(arch.features, `${src}: architecture.features`, 0, 1, 2 ** 31);

  const training = plainObject(root.training, src, 'training');
  const trainingKeys = ['learningRate', 'iterations', 'recordEvery'];
  exactKeys(training, src, 'training', trainingKeys, [...trainingKeys, 'solver', 'l2', 'tolerance', 'maxIterations', 'seed']);
  const learningRate = positiveNumber(training.learningRate, `${src}: training.learningRate`, 0);
  const iterations = integerInRange(training.iterations, `${src}: training.iterations`, 0, 0);
  const recordEvery = integerInRange(training.recordEvery, `${src}: training.recordEvery`, 0, 1);
  const solver = oneOf(training.solver, `${src}: training.solver`, SOLVERS, 'gd');
  const l2 = nonNegativeNumber(training.l2, `${src}: training.l2`, 0);
  const seed = integerInRange(training.seed, `${src}: training.seed`, 0, 0, 0xffffffff);
  const solverOptions: LogisticRegressionOptions = solver === 'gd' ? { learningRate, iterations } : {
    solver, tolerance: nonNegativeNumber(training.tolerance, `${src}: training.tolerance`, 1e-6),
    maxIterations: integerInRange(training.maxIterations, `${src}: training.maxIterations`, 100, 1),
  };

  const params = plainObject(root.parameters, src, 'parameters');
  exactKeys(params, src, 'parameters', ['weights', 'bias'], ['weights', 'bias']);
  checkLength(params.weights, features, src, 'parameters.weights', `${features} values (architecture.features)`);
  checkFinite(params.weights, src, 'parameters.weights');
  const bias = finiteNumber(params.bias, src, 'parameters.bias');
  const scaling = preprocessingFromJSON(root.preprocessing, features, src);

  const model = new LogisticRegression({ ...solverOptions, recordEvery, l2, seed, backend });
  model.setParameters({ weights: params.weights, bias });
  if (scaling) model.setInputScaling(scaling);
  return model;
}
