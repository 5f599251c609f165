// LogisticRegression: binary (θ = (w, b); docs/math.md, "Logistic regression") and multinomial
// (θ = (W k × m, b k), softmax; docs/math.md, "Multinomial logistic regression"), chosen by the
// number of classes a fit finds. Validates and normalises in TS; the binary kernels or the network
// engine compute (lib/engines.ts); the fit driver runs the fit (lib/fit.ts). Serializes its own body
// through lib/format/ (document.ts, write.ts); never does file I/O itself, never imports another model.
import { busyError } from './async.js';
import { resolveBackend, type BackendName, type BackendOption } from './backend.js';
import { networkEngine, logisticEngine, type Engine } from './engines.js';
import { BlasnetRangeError, BlasnetTypeError, blasnetError, describe } from './errors.js';
import {
  ASYNC_FIT_KEYS, FIT_KEYS, SOURCE_FIT_KEYS, TRAINING_KEYS, batchWeights, checkTrainingDefaults, checkWarmStart, classesOption, fitRowWeights, labelAccuracy, indexClasses,
  mergeOptions, notFitted, parseSourceTraining, parseTraining, predictedIndex, summaryText, toTargets, twoColumns, wrongTask, type AsyncFitOptions, type FitOptions,
  type SourceFitOptions, type Targets, type Task, type TrainingDefaults, type TrainingOptions,
  modelRows,
} from './estimator.js';
import { runFitSync, runSourceFitSync, startFit, startSourceFit, withDropped, type FitLock, type FitResult, type PreparedFit } from './fit.js';
import { batchFields, findLabels, isDataSource, readValidation, type DataSource, type EncodedBatch, type Preparation, type PrimedEpoch, type SyncDataSource, closeIterator } from './stream.js';
import { checkFromJSONOptions, checkModelJSON, readModelFile, userMetadata, type ModelDocument } from './format/document.js';
import { checkFinite, checkLength, exactKeys, finiteArray, finiteNumber, plainObject, trainingOptionError } from './format/fields.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION } from './format/spec.js';
import type { LogisticModelJSON, ModelFromJSONOptions, ModelLoadOptions, ModelSaveOptions } from './format/types.js';
import { metadata, writeModelFile } from './format/write.js';
import { trainStateFromJSON, trainStateToJSON } from './format/train-state.js';
import { classesFromJSON, classWeightByIndex, decodeLabels, uniqueLabels, type Classes } from './labels.js';
import { Matrix } from './matrix.js';
import { checkPreprocessingOption, Preprocessing, targetOmitted } from './tabular/preprocess.js';
import type { Table } from './tabular/table.js';
import { tabularFromJSON } from './format/preprocessing.js';
import { applyInputScaling, checkInputScaling, copyInputScaling, preprocessingFromJSON, preprocessingToJSON, type InputScaling, type InputScalingOption } from './scaling.js';
import { makeSpec } from './spec.js';
import { startState } from './train-state.js';
import type { Rows, TrainState } from './train-types.js';
import { splitData } from './training.js';
import { checkFiniteCost, checkKnownKeys, checkOptionsObject, firstNonFinite, integerInRange, nonNegativeNumber, oneOf, optionalFunction, toMatrix } from './validate.js';

/**
 * The constructor's options: the training options (defaults for every fit), the aliases the seed's
 * solver used, the seed and the backend.
 * @example new LogisticRegression({ optimizer: 'lbfgs', l2: 1 / (C * n), tolerance: 1e-8 });
 */
export interface LogisticRegressionOptions extends TrainingOptions {
  /** Alias of `optimizer`. */
  solver?: TrainingOptions['optimizer'];
  /** Alias of `epochs` (gradient steps; L-BFGS iterations). */
  iterations?: number;
  /** Alias of `epochs` for optimizer 'lbfgs'. */
  maxIterations?: number;
  /** Seed of the validationSplit draw and of the batch shuffle. Default 0. */
  seed?: number;
  /** 'auto' (native when built, else reference), 'native' or 'reference'. Default 'auto'. */
  backend?: BackendOption;
  /** A tabular preprocessing (Preprocessing.fit): the model then fits and predicts on Tables and records, and saves it. */
  preprocessing?: Preprocessing;
}

/**
 * The seed's gradient descent and its values stay the defaults (step 0.001, 2 000 steps, a record
 * every 100); L-BFGS has its own (100 iterations, a record every one).
 * @example LOGISTIC_DEFAULTS.epochs('lbfgs'); // 100
 */
export const LOGISTIC_DEFAULTS: TrainingDefaults = {
  optimizer: 'gd',
  learningRate: () => 0.001,
  epochs: (o) => (o === 'lbfgs' ? 100 : 2000),
  recordEvery: (o) => (o === 'gd' ? 100 : 1),
  batchSize: 0,
  earlyStopping: null,
};
const ALIASES = { solver: 'optimizer', iterations: 'epochs', maxIterations: 'epochs' } as const;
const OWN_KEYS = ['seed', 'backend', 'preprocessing', ...Object.keys(ALIASES)];

/** The aliases replaced by their names; both given is an error. */
function unalias(o: Record<string, unknown>, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(o)) if (!(k in ALIASES)) out[k] = v;
  for (const [alias, name] of Object.entries(ALIASES)) {
    const v = o[alias];
    if (v === undefined) continue;
    if (out[name] !== undefined) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${where}.${alias} is an alias of ${where}.${name}; give one of them, got both`);
    if (alias === 'maxIterations' && (out.optimizer ?? o.solver) !== 'lbfgs') {
      throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${where}.maxIterations applies to optimizer 'lbfgs' only (use epochs), got ${describe(v)}`);
    }
    // Checked under the alias's own name, so that a bad value is reported as the option the user wrote.
    if (name === 'epochs') integerInRange(v, `${where}.${alias}`, 0, 0);
    else oneOf(v, `${where}.${alias}`, ['gd', 'momentum', 'adam', 'lbfgs'], 'gd');
    out[name] = v;
  }
  return out;
}

/** Whether two class lists are the same labels in the same order. */
function sameClasses(a: Classes, b: Classes): boolean {
  return a.length === b.length && (a as unknown[]).every((c, i) => c === (b as unknown[])[i]);
}

/** Sets a model's user metadata (assigned in the class's static block: logisticFromDocument is outside it). */
let installMetadata: (model: LogisticRegression, user: Record<string, unknown>) => void;
/** Installs a training state read from a file (set in the class's static block, as installMetadata). */
let installState: (model: LogisticRegression, state: TrainState | null) => void;

/**
 * Logistic regression: binary on two classes (the seed's model), multinomial (softmax) on three or
 * more, with labels of any type.
 *
 * @example
 * const model = new LogisticRegression({ optimizer: 'lbfgs', l2: 1e-3 });
 * await model.fit(X, ['setosa', 'versicolor', 'virginica', …]);   // off the main thread
 * model.predictSync(Xtest);         // ['setosa', …]
 * model.scoreSync(Xtest, ytest);    // accuracy
 */
export class LogisticRegression {
  /** The seed of a validationSplit and of the batch shuffle. */
  readonly seed: number;
  /** The backend in use: 'native' or 'reference'. */
  readonly backend: BackendName;
  readonly #addon: ReturnType<typeof resolveBackend>['addon'];
  readonly #defaults: Readonly<Record<string, unknown>>;
  readonly #lock: FitLock = { owner: 'LogisticRegression', busy: false };
  /** θ: (w, b) for two classes, (W row-major k × m, b) for k ≥ 3; never written in place once installed. */
  #theta: Float64Array | null = null;
  #classes: Classes | null = null;
  #engine: Engine | null = null;
  #scaling: InputScaling | null = null;
  #prep: Preprocessing | null = null;
  /** What a warm start continues (epoch counter, optimizer state, counters); null before a fit and after setParameters. */
  #state: TrainState | null = null;
  /** The user metadata (JSON data, owned here): a loaded file's, kept by fits, written back by toJSON. */
  #metadata: Record<string, unknown> = {};
  static {
    // logisticFromDocument builds the model outside the class body.
    installMetadata = (model, user) => {
      model.#metadata = user;
    };
    installState = (model, state) => {
      model.#state = state;
    };
  }

  /**
   * A model with no parameters yet (every fit starts from zeros).
   * @param options - the training options (defaults for every fit), `solver` / `iterations` /
   *   `maxIterations` as aliases, `seed`, `backend` (see LogisticRegressionOptions)
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` for an unknown option, a wrong type, or an
   *   option of another optimizer (`tolerance` with 'gd', `learningRate` with 'lbfgs', …)
   * @throws {@link BlasnetRangeError} `ERR_BLASNET_ARG_RANGE` for an out-of-range value
   * @throws {@link BlasnetError} `ERR_BLASNET_NATIVE_UNAVAILABLE` for backend 'native' without the addon
   * @example const model = new LogisticRegression({ solver: 'lbfgs', l2: 1e-3, tolerance: 1e-8 });
   */
  constructor(options: LogisticRegressionOptions = {}) {
    const o = checkOptionsObject(options, 'options');
    checkKnownKeys(o, 'options', [...TRAINING_KEYS, ...OWN_KEYS]);
    this.#defaults = checkTrainingDefaults(unalias(o, 'options'), LOGISTIC_DEFAULTS, true);
    this.seed = integerInRange(o.seed, 'options.seed', 0, 0, 0xffffffff);
    const backend = resolveBackend(o.backend);
    this.backend = backend.name;
    this.#addon = backend.addon;
    this.#prep = checkPreprocessingOption(o.preprocessing, null, false, 'logistic regression');
  }

  /** The tabular preprocessing the model applies to its data, or null (it reads matrices as they are). */
  get preprocessing(): Preprocessing | null {
    return this.#prep;
  }

  /** The training options given to the constructor (aliases resolved), as a copy. */
  get trainingOptions(): TrainingOptions {
    return { ...this.#defaults } as TrainingOptions;
  }

  /**
   * The user metadata: every key of a loaded file's `metadata` other than `createdAt` and `blasnet`
   * (`{}` for a new model), kept through fits and written back by toJSON and save. A deep copy;
   * `save(path, { metadata })` writes other metadata in its place.
   */
  get metadata(): Record<string, unknown> {
    return structuredClone(this.#metadata);
  }

  /** The L2 penalty λ of the constructor's options (0 when not given). */
  get l2(): number {
    return (this.#defaults.l2 as number | undefined) ?? 0;
  }

  /** 'binary' (two classes) or 'multiclass' (three or more); null before the first fit. */
  get task(): Task | null {
    if (!this.#classes) return null;
    return this.#classes.length > 2 ? 'multiclass' : 'binary';
  }

  /** The sorted distinct labels the model predicts (a copy); null before the first fit. */
  get classes(): Classes | null {
    return this.#classes ? (this.#classes.slice() as Classes) : null;
  }

  /** The number of input features; null before the first fit. */
  get nFeatures(): number | null {
    return this.#engine ? this.#engine.features : null;
  }

  /** Output columns of the linear part: 1 (binary), k (multinomial); null before the first fit. */
  get nOutputs(): number | null {
    return this.#engine ? this.#engine.outputs : null;
  }

  /** True while a fit runs. */
  get busy(): boolean {
    return this.#lock.busy;
  }

  /**
   * The epochs (full-batch solvers: steps; L-BFGS: iterations) completed over the last fresh fit and
   * the warm starts that continued it (each fit's `epochs` counts its own); the global epoch that
   * keys the shuffle and the step and exponential schedules. After early stopping with
   * `restoreBest`, the count at the best record. 0 before the first fit, after `setParameters`, and
   * for a model loaded from a file of format version 1 or 2.
   * @example model.fitSync(X, y, { epochs: 50 }); model.fitSync(X, y, { epochs: 50, warmStart: true }); model.epochsTrained; // 100
   */
  get epochsTrained(): number {
    return this.#state?.epoch ?? 0;
  }

  /** The coefficients, k × m (binary: 1 × m), as a copy; a 0 × 0 Matrix before the first fit. */
  get coef(): Matrix {
    const e = this.#engine, t = this.#theta;
    if (!e || !t) return new Matrix(0, 0);
    const rows = e.outputs;
    return new Matrix(rows, e.features, t.slice(0, rows * e.features));
  }

  /** The intercepts, k values (binary: 1), as a copy; empty before the first fit. */
  get intercept(): Float64Array {
    const e = this.#engine, t = this.#theta;
    if (!e || !t) return new Float64Array(0);
    return t.slice(e.outputs * e.features);
  }

  /** The weights: w (m values) for a binary model, W row-major (k × m) for a multinomial one; a copy. Empty before the first fit. */
  get weights(): Float64Array {
    return this.coef.data;
  }

  /** The bias b of a binary model (0 before the first fit). A multinomial model has k: read `intercept`. */
  get bias(): number {
    const b = this.intercept;
    if (b.length > 1) throw wrongTask('LogisticRegression', 'bias', 'multiclass', 'a binary model (use intercept for the k biases)');
    return b.length === 1 ? b[0]! : 0;
  }

  /**
   * Replaces the parameters (copied); `classes` becomes 0 … k−1 unless given. The next fit starts
   * from them only with `warmStart: true`.
   * @param parameters - binary: `{ weights, bias }`; multinomial: `{ coef: k × m (Matrix or number[][]), intercept: k numbers }`;
   *   optionally `classes` (k sorted distinct labels; 2 for a binary model)
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` for a wrong type; {@link BlasnetRangeError}
   *   `ERR_BLASNET_NOT_FINITE` for a non-finite value, `ERR_BLASNET_SHAPE` for inconsistent lengths;
   *   {@link BlasnetError} `ERR_BLASNET_BUSY` during a fit
   * @example model.setParameters({ weights: [0.5, -1.2], bias: 0.1 });
   */
  setParameters(parameters: { weights: ArrayLike<number>; bias: number; classes?: Classes } | { coef: Matrix | number[][]; intercept: ArrayLike<number>; classes?: Classes }): void {
    if (this.#lock.busy) throw busyError('LogisticRegression', 'setParameters');
    const p = checkOptionsObject(parameters, 'parameters');
    let W: Matrix, b: Float64Array;
    if (p.coef !== undefined) {
      checkKnownKeys(p, 'parameters', ['coef', 'intercept', 'classes']);
      W = toMatrix(p.coef, 'parameters.coef');
      b = finiteVector(p.intercept, 'parameters.intercept');
      if (W.rows === 2) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', 'parameters.coef must have 1 row for a binary model (or k ≥ 3 rows for a multinomial one), got 2');
      if (b.length !== W.rows) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `parameters.intercept must have one value per row of coef (${W.rows}), got ${b.length}`);
    } else {
      checkKnownKeys(p, 'parameters', ['weights', 'bias', 'classes']);
      const w = finiteVector(p.weights, 'parameters.weights');
      if (typeof p.bias !== 'number' || !Number.isFinite(p.bias)) {
        throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `parameters.bias must be a finite number, got ${describe(p.bias)}`);
      }
      W = new Matrix(1, w.length, w);
      b = Float64Array.of(p.bias);
    }
    if (this.#scaling && W.cols !== this.#scaling.mean.length) {
      throw new BlasnetRangeError('ERR_BLASNET_SHAPE',
        `parameters must have ${this.#scaling.mean.length} weights per class, one per feature of the model's input scaling, got ${W.cols} (setInputScaling(null) first to change the feature count)`);
    }
    const k = W.rows === 1 ? 2 : W.rows;
    const classes = p.classes === undefined ? indexClasses(k) : classesFromJSON(p.classes, 'parameters', 'classes');
    if (classes.length !== k) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `parameters.classes must hold ${k} labels for these parameters, got ${classes.length}`);
    const theta = new Float64Array(W.data.length + b.length);
    theta.set(W.data);
    theta.set(b, W.data.length);
    this.#install(theta, classes);
    this.#state = null;
  }

  /** Installs θ with its classes, choosing the engine from the class count. */
  #install(theta: Float64Array, classes: Classes): void {
    const k = classes.length, m = k > 2 ? (theta.length - k) / k : theta.length - 1;
    if (!this.#engine || this.#engine.features !== m || this.#engine.nParams !== theta.length) this.#engine = this.#engineFor(m, k);
    this.#theta = theta;
    this.#classes = classes;
  }

  #engineFor(m: number, k: number): Engine {
    return k > 2 ? networkEngine(this.#addon, makeSpec([m, k], [], 'softmax', 'cross-entropy')) : logisticEngine(this.#addon, m);
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
   * Makes the model standardize its inputs: every method that takes X then takes raw features and
   * computes (x − mean) / std first, into a new matrix. Saved and loaded with the model.
   * @param scaling - a Standardizer, `{ mean, std }` (one value per feature; finite; std > 0), or null to remove it
   * @throws {TypeError} ERR_BLASNET_ARG_TYPE for a wrong type; ERR_BLASNET_DETACHED for a detached buffer
   * @throws {RangeError} ERR_BLASNET_SHAPE for a wrong length; ERR_BLASNET_NOT_FINITE; ERR_BLASNET_ARG_RANGE for a std ≤ 0
   * @throws {BlasnetError} ERR_BLASNET_BUSY during a fit
   * @example model.setInputScaling(Standardizer.fit(Xtrain));
   */
  setInputScaling(scaling: InputScalingOption): void {
    if (this.#lock.busy) throw busyError('LogisticRegression', 'setInputScaling');
    this.#scaling = checkInputScaling(scaling, this.nFeatures ?? undefined, 'scaling');
  }

  /**
   * The model as a versioned JSON object (format 'blasnet-model', see docs/format.md): its options,
   * classes, exact parameters and input scaling. The arrays are copies.
   * @returns the JSON-ready object
   * @throws {BlasnetError} ERR_BLASNET_NOT_FITTED before the first fit
   * @example const copy = LogisticRegression.fromJSON(model.toJSON());
   */
  toJSON(): LogisticModelJSON {
    const theta = this.#theta, e = this.#engine, classes = this.#classes;
    if (!theta || !e || !classes) throw notFitted('LogisticRegression', 'toJSON');
    return this.#json(theta, this.#state, classes, e);
  }

  /** The model's JSON with these parameters, training state, classes and engine (a checkpoint's: those a running fit will commit). */
  #json(theta: Float64Array, state: TrainState | null, classes: Classes, e: Engine): LogisticModelJSON {
    const m = e.features, k = e.outputs;
    const parameters: LogisticModelJSON['parameters'] = k === 1
      ? { weights: finiteArray(theta.subarray(0, m), 'parameters.weights'), bias: finiteArray(theta.subarray(m), 'parameters.bias')[0]! }
      : {
        coef: Array.from({ length: k }, (_, c) => finiteArray(theta.subarray(c * m, (c + 1) * m), `parameters.coef[${c}]`)),
        intercept: finiteArray(theta.subarray(k * m), 'parameters.intercept'),
      };
    const json: LogisticModelJSON = {
      format: MODEL_FORMAT,
      version: MODEL_FORMAT_VERSION,
      kind: 'logistic-regression',
      metadata: metadata(this.#metadata),
      architecture: { features: m, classes: classes.slice() as Classes },
      training: { seed: this.seed, options: JSON.parse(JSON.stringify(this.#defaults)) as Record<string, unknown> },
      parameters,
    };
    if (state) json.training.state = trainStateToJSON(state);
    const preprocessing = preprocessingToJSON(this.#scaling) ?? {};
    if (this.#prep) preprocessing.tabular = this.#prep.toJSON();
    if (Object.keys(preprocessing).length > 0) json.preprocessing = preprocessing;
    return json;
  }

  /**
   * Saves the model atomically (temporary file, fsync, rename): a crash leaves the old file or the new one.
   * The file's metadata holds a fresh `createdAt` and `blasnet`, then the model's user metadata, or
   * `options.metadata` in its place (replaced, not merged; the model itself is not changed).
   * @param path - a file path or a file: URL
   * @param options - `{ metadata? }`: a plain object of JSON values, copied; `createdAt` and `blasnet` are reserved
   * @throws {TypeError} ERR_BLASNET_ARG_TYPE for a bad path, options that are not an object or have an
   *   unknown key, or metadata that is not JSON data (naming the place, e.g. `options.metadata.tags[2]`)
   * @throws {RangeError} ERR_BLASNET_ARG_RANGE for a non-finite number in the metadata, or metadata beyond
   *   MODEL_JSON_LIMITS; nothing is written
   * @throws {BlasnetError} ERR_BLASNET_NOT_FITTED before the first fit; ERR_BLASNET_IO naming the path
   *   (cause: the file system's error)
   * @example await model.save('model.json', { metadata: { dataset: 'iris-2026-11' } });
   */
  async save(path: string | URL, options?: ModelSaveOptions): Promise<void> {
    await writeModelFile(path, this.toJSON(), options);
  }

  /**
   * Rebuilds a model from `toJSON()`'s output (or a parsed file), validating everything first.
   * @param json - the model object
   * @param options - `{ backend? }` of the rebuilt model
   * @returns a new LogisticRegression
   * @throws {BlasnetError} ERR_BLASNET_FORMAT, ERR_BLASNET_ARG_TYPE / ERR_BLASNET_ARG_RANGE (options),
   *   ERR_BLASNET_SHAPE (a length), ERR_BLASNET_NOT_FINITE (a value that is not a finite number)
   * @example const copy = LogisticRegression.fromJSON(JSON.parse(text), { backend: 'reference' });
   */
  static fromJSON(json: unknown, options?: ModelFromJSONOptions): LogisticRegression {
    const { backend } = checkFromJSONOptions(options);
    return logisticFromDocument(checkModelJSON(json, 'model JSON', 'logistic-regression'), backend);
  }

  /**
   * Loads a model saved by `save`, validated as in `fromJSON`; messages start with the path.
   * @param path - a file path or a file: URL
   * @param options - `{ backend?, maxBytes? }` (maxBytes default 256 MiB)
   * @returns the model
   * @throws {BlasnetError} ERR_BLASNET_FORMAT for a file that is not a logistic-regression model; the
   *   file system's error naming the path; everything `fromJSON` throws
   * @example const model = await LogisticRegression.load('model.json');
   */
  static async load(path: string | URL, options?: ModelLoadOptions): Promise<LogisticRegression> {
    const { doc, backend } = await readModelFile(path, options, 'logistic-regression');
    return logisticFromDocument(doc, backend);
  }

  /**
   * The cost J and its gradients at the current parameters (zeros before any fit), with the model's
   * `l2` (or `options.l2`); with `sampleWeight`, J is Σ wⱼ Lⱼ / Σ wⱼ as a weighted fit minimizes it.
   * @param X - n × m examples as rows
   * @param y - n labels (of the model's classes once fitted)
   * @param options - `l2`, `sampleWeight`
   * @returns binary: `{ cost, dw, db }`; multinomial: `{ cost, dW (k × m Matrix), db (k values) }`
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE`; {@link BlasnetRangeError} `ERR_BLASNET_SHAPE`,
   *   `ERR_BLASNET_NOT_FINITE`, `ERR_BLASNET_LABEL`, `ERR_BLASNET_ARG_RANGE`
   * @example const { cost, dw, db } = model.costAndGradients(X, y);
   */
  costAndGradients(X: Matrix | number[][], y: unknown, options: { l2?: number; sampleWeight?: Float64Array | number[] } = {}):
    {
      /** J */
      cost: number;
      /** ∂J/∂w (binary) */
      dw: Float64Array;
      /** ∂J/∂b (binary) */
      db: number;
    } | {
      /** J */
      cost: number;
      /** ∂J/∂W, k × m (multinomial) */
      dW: Matrix;
      /** ∂J/∂b, k values (multinomial) */
      db: Float64Array;
    } {
    const { engine, theta, M, targets, l2, weight } = this.#evaluation(X, y, options);
    engine.checkCostGradMemory('LogisticRegression', M.rows);
    const { cost, grad } = engine.costGrad(theta, M, targets.T, l2, weight);
    checkFiniteCost('LogisticRegression', cost, grad);
    const m = engine.features, k = engine.outputs;
    if (k === 1) return { cost, dw: grad.slice(0, m), db: grad[m]! };
    return { cost, dW: new Matrix(k, m, grad.slice(0, k * m)), db: grad.slice(k * m) };
  }

  /** What costAndGradients and gradientCheck evaluate: the engine, θ and the targets at the current state. */
  #evaluation(X: unknown, y: unknown, options: unknown) {
    const o = checkOptionsObject(options, 'options');
    checkKnownKeys(o, 'options', ['l2', 'sampleWeight']);
    const l2 = nonNegativeNumber(o.l2, 'options.l2', this.l2);
    const M = this.#inputs(X, this.nFeatures);
    const targets = this.#targets(y, 'y', M.rows, this.#classes);
    const classes = targets.classes!;
    const engine = this.#theta && this.#engine ? this.#engine : this.#engineFor(M.cols, classes.length);
    const theta = this.#theta ?? new Float64Array(engine.nParams);
    const weight = fitRowWeights(o.sampleWeight, undefined, targets, M.rows);
    return { engine, theta, M, targets, l2, weight };
  }

  /** y as targets for k = classes.length, the classes learned from y when `known` is null. */
  #targets(y: unknown, name: string, n: number, known: Classes | null, fitting = false): Targets {
    let classes = known;
    if (!classes) {
      if (y instanceof Matrix || (Array.isArray(y) && Array.isArray(y[0]))) {
        const cols = y instanceof Matrix ? y.cols : (y[0] as unknown[]).length;
        if (cols === 2) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} as a Matrix must have 1 column (binary targets) or k ≥ 3 (one-hot), got 2: give labels, or the positive column alone`);
        classes = indexClasses(cols === 1 ? 2 : cols);
      } else {
        classes = uniqueLabels(y, name);
        // Outside a fit, a vector of 0/1 targets that holds one of them is still the binary problem
        // (costAndGradients on a batch); a fit needs two classes in y.
        if (!fitting && classes.length === 1 && (classes[0] === 0 || classes[0] === 1)) classes = indexClasses(2);
      }
    }
    const k = classes.length;
    return toTargets(y, name, n, k > 2 ? 'multiclass' : 'binary', k > 2 ? k : 1, classes);
  }

  /**
   * Trains on the calling thread from a data source: `source()` is called once per epoch and returns
   * a synchronous iterable of batches `{ X, y, sampleWeight? }` (docs/training.md, "Fits from a data
   * source"). The fit equals the in-memory fit of the same batches in the same order (`shuffle: false`).
   * @param source - a function returning an iterable of batches (an async iterable is refused: use `fit`)
   * @param options - the options of `fitSync` but `validationSplit`, `sampleWeight` and `shuffle`; `batchSize` cuts the source's rows into batches of that size; `validation` may be a source; `classes`
   * @returns what `fitSync` returns
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` for an option that needs the whole data set (named, L-BFGS included) or an async iterable; what the source throws (the model then keeps its last completed step); what `fitSync` throws
   * @example model.fitSync(() => [{ X: X1, y: y1 }, { X: X2, y: y2 }], { epochs: 100, classes: [0, 1] });
   */
  fitSync(source: SyncDataSource, options?: SourceFitOptions & Pick<LogisticRegressionOptions, 'solver' | 'iterations'>): FitResult;
  /**
   * Trains on the calling thread (blocks it). Every fit starts afresh (zeros, classes learned from y)
   * unless `warmStart`. Two classes give the binary model, three or more the multinomial one.
   * @param X - n × m examples as rows (Matrix or number[][])
   * @param y - n labels of any one type (numbers, strings, booleans), or an n × k one-hot Matrix
   * @param options - the training options (overriding the constructor's), `warmStart`, `onProgress`,
   *   `validation`, `sampleWeight`, `classWeight`
   * @returns the recorded costs, epochs and steps, why the fit stopped, and the validation figures
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE`; {@link BlasnetRangeError} `ERR_BLASNET_ARG_RANGE`,
   *   `ERR_BLASNET_SHAPE`, `ERR_BLASNET_NOT_FINITE`, `ERR_BLASNET_LABEL`
   * @throws {@link BlasnetError} `ERR_BLASNET_BUSY` while another fit runs; `ERR_BLASNET_DIVERGED` when the
   *   cost becomes non-finite or grows 1e6-fold
   * @example const { costs, reason } = model.fitSync(X, y, { validationSplit: 0.2 });
   */
  fitSync(X: Matrix | number[][] | Table | readonly Record<string, unknown>[], y?: unknown, options?: FitOptions & Pick<LogisticRegressionOptions, 'solver' | 'iterations' | 'maxIterations'>): FitResult;
  fitSync(X: unknown, y?: unknown, options?: unknown): FitResult {
    if (isDataSource(X)) {
      const dropped: { rows?: number } = {};
      return withDropped(runSourceFitSync(this.#lock, () => this.#prepareSourceFit(X, y, options, FIT_KEYS, dropped)), dropped);
    }
    const dropped: { rows?: number } = {};
    return withDropped(runFitSync(this.#lock, this.#prepareFit(X, y, options === undefined ? {} : options, FIT_KEYS, dropped)), dropped);
  }

  /**
   * Trains from a data source off the main thread: `source()` is called once per epoch and returns
   * an iterable or async iterable of batches `{ X, y, sampleWeight? }`, read on the main thread while
   * the previous batch trains (docs/training.md, "Fits from a data source"). The fit equals the
   * in-memory fit of the same batches in the same order (`shuffle: false`), bit for bit.
   * @param source - a function returning an iterable or async iterable of batches
   * @param options - the options of `fit` but `validationSplit`, `sampleWeight` and `shuffle`; `batchSize` cuts the source's rows into batches of that size; `validation` may be a source; `classes`
   * @returns (a Promise of) what `fit` returns
   * @throws (rejects) {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` for an option that needs the whole data set (named, L-BFGS included); what the source throws, or a coded error naming a bad batch (the model then keeps its last completed step); what `fit` rejects with
   * @example await model.fit(() => readBatches('train.csv'), { epochs: 20, classes: ['no', 'yes'] });
   */
  fit(source: DataSource, options?: SourceFitOptions & Pick<LogisticRegressionOptions, 'solver' | 'iterations'>): Promise<FitResult>;
  /**
   * `fitSync` off the main thread (a native AsyncWorker, or a worker thread on the reference backend).
   * The inputs are copied at the call; until the fit settles, predictions use the previous parameters.
   * @param X - n × m examples as rows
   * @param y - the labels, as for `fitSync`
   * @param options - those of `fitSync`, and `signal`
   * @returns (a Promise of) what `fitSync` returns
   * @throws (rejects) what `fitSync` throws; an AbortError (`ABORT_ERR`) when `signal` fires
   * @example const { costs } = await model.fit(X, y, { signal: AbortSignal.timeout(5000) });
   */
  fit(X: Matrix | number[][] | Table | readonly Record<string, unknown>[], y?: unknown, options?: AsyncFitOptions & Pick<LogisticRegressionOptions, 'solver' | 'iterations' | 'maxIterations'>): Promise<FitResult>;
  fit(X: unknown, y?: unknown, options?: unknown): Promise<FitResult> {
    const dropped: { rows?: number } = {};
    if (isDataSource(X)) {
      const o = y === undefined ? {} : y;
      return startSourceFit(this.#lock, () => this.#prepareSourceFit(X, o, options, ASYNC_FIT_KEYS, dropped), o).then((r) => withDropped(r, dropped));
    }
    const o = options === undefined ? {} : options;
    return startFit(this.#lock, () => this.#prepareFit(X, y, o, ASYNC_FIT_KEYS, dropped), o).then((r) => withDropped(r, dropped));
  }

  /**
   * A fit from a data source, prepared: the options (those that need the whole data set refused,
   * L-BFGS included), the classes (options.classes, the model's on a warm start, or a first pass over
   * the source), the feature count (the model's, its preprocessing's or input scaling's, or the first
   * batch's: read by the first pass, or by opening the first epoch early), the validation data, and
   * how a batch is encoded.
   */
  *#prepareSourceFit(source: DataSource, options: unknown, extra: unknown, keys: readonly string[], dropped: { rows?: number }): Preparation<PreparedFit> {
    if (extra !== undefined) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `a fit from a data source takes (source, options): y comes with each batch; got a third argument ${describe(extra)}`);
    const raw = checkOptionsObject(options === undefined ? {} : options, 'options');
    checkKnownKeys(raw, 'options', [...keys, ...SOURCE_FIT_KEYS, ...Object.keys(ALIASES)]);
    const given = unalias(raw, 'options');
    const o = mergeOptions(this.#defaults, given, [...keys, ...SOURCE_FIT_KEYS]);
    checkWarmStart(o.warmStart);
    const warm = o.warmStart === true && this.#theta !== null;
    /** The fit's first global epoch: the source is called with it for the passes made while preparing. */
    const e0 = warm ? this.#state?.epoch ?? 0 : 0;
    const parsed = parseSourceTraining(o, given, LOGISTIC_DEFAULTS, true, this.seed);
    const onProgress = optionalFunction<FitOptions['onProgress']>(o.onProgress, 'options.onProgress');
    let m: number | null = warm ? this.#engine!.features : this.#prep ? this.#prep.nFeatures : this.#scaling ? this.#scaling.mean.length : null;
    const rowsOf = (X: unknown, y: unknown, at: string) => modelRows(this.#prep, this.#scaling, X, y, `X of ${at}`, () => this.#inputs(X, m, `X of ${at}`));
    let classes: Classes;
    if (o.classes !== undefined) {
      classes = classesOption(o.classes);
      if (classes.length < 2) throw new BlasnetRangeError('ERR_BLASNET_LABEL', `options.classes must hold at least two labels to fit a classifier, got ${JSON.stringify(o.classes)}`);
      if (warm && !sameClasses(classes, this.#classes!)) {
        throw new BlasnetRangeError('ERR_BLASNET_LABEL', `options.classes must be the model's classes on a warm start (${JSON.stringify(this.#classes)}), got ${JSON.stringify(o.classes)}`);
      }
    } else if (warm) {
      classes = this.#classes!;
    } else {
      // The first pass: the labels of every batch (a Table's from its target column), and the feature count.
      const found = yield* findLabels(source, e0, (batch, at) => {
        const b = batchFields(batch, at);
        if (m === null) m = this.#inputs(b.X, null, `X of ${at}`).cols;
        if (!this.#prep) return { y: b.y, n: 0 };
        const r = rowsOf(b.X, b.y, at);
        return { y: r.y, n: r.M.rows };
      });
      classes = found.kind === 'labels'
        ? this.#targets(found.labels, 'y of the source', found.labels.length, null, true).classes!
        : this.#targets(found.y, `y of ${found.at}`, found.n || (found.y instanceof Matrix ? found.y.rows : (found.y as unknown[]).length), null, true).classes!;
      if (classes.length < 2) throw new BlasnetRangeError('ERR_BLASNET_LABEL', `the source's y must hold at least two distinct labels to fit a classifier, got one: ${JSON.stringify(classes[0])}`);
    }
    let primed: PrimedEpoch | null = null;
    if (m === null) {
      // The feature count from the first batch: the fit's first epoch is opened now, and kept for it.
      primed = (yield { kind: 'prime', source, name: 'the source', epoch: 0 })!;
      const first = primed.first;
      if (first.done) throw blasnetError('ERR_BLASNET_DATA', 'the source gave no batch in epoch 0: every epoch needs at least one');
      m = this.#inputs(batchFields(first.value, 'batch 0 (epoch 0)').X, null, 'X of batch 0 (epoch 0)').cols;
    }
    const features = m;
    const engine = warm ? this.#engine! : this.#engineFor(features, classes.length);
    const byClass = parsed.classWeight === undefined ? null : classWeightByIndex(parsed.classWeight, classes, 'options.classWeight') as Float64Array;
    const encode = (batch: unknown, at: string): EncodedBatch => {
      const b = batchFields(batch, at);
      const r = rowsOf(b.X, b.y, at);
      const n = r.M.rows;
      if (n === 0) return { rows: { X: r.M.data, Y: new Float64Array(0), weight: null, n: 0 }, dropped: r.dropped ?? 0 };
      const t = this.#targets(r.y, `y of ${at}`, n, classes);
      return { rows: { X: r.M.data, Y: t.T.data, weight: batchWeights(b.sampleWeight, byClass, t, n, `sampleWeight of ${at}`), n }, dropped: r.dropped ?? 0 };
    };
    let validation: Rows | null = null;
    try {
      if (parsed.validationSource) {
        validation = yield* readValidation(parsed.validationSource, e0, (batch, at) => encode(batch, at).rows);
      } else if (parsed.validation) {
        const Xv = parsed.validation.X;
        const v = modelRows(this.#prep, this.#scaling, Xv, parsed.validation.y, 'options.validation.X', () => this.#inputs(Xv, features, 'options.validation.X'));
        validation = { X: v.M.data, Y: this.#targets(v.y, 'options.validation.y', v.M.rows, classes).T.data, weight: null, n: v.M.rows };
      }
    } catch (e) {
      closeIterator(primed?.iterator ?? null);
      throw e;
    }
    const theta = warm ? this.#theta! : new Float64Array(engine.nParams);
    const start = startState(warm ? this.#state : null, parsed.config, o.warmStart === true, engine.nParams);
    const checkpoint = parsed.checkpoint;
    return {
      config: parsed.config, onProgress, train: null, validation,
      stream: { source, encode, primed, batchSize: parsed.sourceBatchSize, dropped: this.#prep ? dropped : null },
      theta, state: start.state, optimizerReset: start.optimizerReset,
      model: engine.model, native: engine.native,
      checkMemory: () => engine.checkFitMemory('LogisticRegression', Math.max(1, validation ? validation.n : 1), parsed.config),
      checkpoint: checkpoint && { ...checkpoint, json: (t, state) => this.#json(t, state, classes, engine) },
      commit: (t, state) => {
        this.#engine = engine;
        this.#install(t, classes);
        this.#state = state;
      },
    };
  }


  #prepareFit(X: unknown, y: unknown, options: unknown, keys: readonly string[], dropped: { rows?: number }): PreparedFit {
    const raw = checkOptionsObject(options, 'options');
    checkKnownKeys(raw, 'options', [...keys, ...Object.keys(ALIASES)]);
    const o = mergeOptions(this.#defaults, unalias(raw, 'options'), keys);
    checkWarmStart(o.warmStart);
    const warm = o.warmStart === true && this.#theta !== null;
    const parsed = parseTraining(o, LOGISTIC_DEFAULTS, true, this.seed);
    const onProgress = optionalFunction<FitOptions['onProgress']>(o.onProgress, 'options.onProgress');
    const fitRows = modelRows(this.#prep, this.#scaling, X, y, 'X', () => this.#inputs(X, warm ? this.nFeatures : null));
    const M = fitRows.M;
    dropped.rows = fitRows.dropped;
    const targets = this.#targets(fitRows.y, 'y', M.rows, warm ? this.#classes : null, true);
    const classes = targets.classes!;
    if (classes.length < 2) throw new BlasnetRangeError('ERR_BLASNET_LABEL', `y must hold at least two distinct labels to fit a classifier, got one: ${JSON.stringify(classes[0])}`);
    const engine = warm ? this.#engine! : this.#engineFor(M.cols, classes.length);
    const theta = warm ? this.#theta! : new Float64Array(engine.nParams);
    let validation: { X: Matrix; Y: Matrix } | null = null;
    if (parsed.validation) {
      const Xv = parsed.validation.X;
      const v = modelRows(this.#prep, this.#scaling, Xv, parsed.validation.y, 'options.validation.X', () => this.#inputs(Xv, M.cols, 'options.validation.X'));
      validation = { X: v.M, Y: this.#targets(v.y, 'options.validation.y', v.M.rows, classes).T };
    }
    const weight = fitRowWeights(parsed.sampleWeight, parsed.classWeight, targets, M.rows);
    const { train, validation: held } = splitData(M, targets.T, weight, parsed.validationSplit, this.seed, validation);
    const start = startState(warm ? this.#state : null, parsed.config, o.warmStart === true, engine.nParams);
    const checkpoint = parsed.checkpoint;
    return {
      config: parsed.config, onProgress, train, stream: null, validation: held, theta, state: start.state, optimizerReset: start.optimizerReset,
      model: engine.model, native: engine.native,
      checkMemory: () => engine.checkFitMemory('LogisticRegression', train.n + (held ? held.n : 0), parsed.config),
      checkpoint: checkpoint && { ...checkpoint, json: (t, state) => this.#json(t, state, classes, engine) },
      commit: (t, state) => {
        this.#engine = engine;
        this.#install(t, classes);
        this.#state = state;
      },
    };
  }

  /** X validated (cols features when known) and scaled. */
  #inputs(X: unknown, cols: number | null, name = 'X'): Matrix {
    const s = this.#scaling;
    if (this.#prep) return applyInputScaling(this.#prep.transform(X as Table), s, name);
    const features = cols ?? s?.mean.length;
    return applyInputScaling(toMatrix(X, name, features === undefined ? {} : { cols: features }), s, name);
  }

  #fitted(method: string): { engine: Engine; theta: Float64Array; classes: Classes } {
    if (!this.#theta || !this.#engine || !this.#classes) throw notFitted('LogisticRegression', method);
    return { engine: this.#engine, theta: this.#theta, classes: this.#classes };
  }

  /**
   * Class probabilities, an n × k Matrix whose columns follow `classes` (binary: k = 2, column 1 = σ(wᵀx + b)).
   * @param X - n × m examples as rows, raw features when the model has input scaling
   * @returns the n × k probabilities
   * @throws {@link BlasnetError} `ERR_BLASNET_NOT_FITTED` before the first fit
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` / `ERR_BLASNET_DETACHED`; {@link BlasnetRangeError}
   *   `ERR_BLASNET_SHAPE`, `ERR_BLASNET_NOT_FINITE` (an input, or a linear term that overflows)
   * @example const P = model.predictProbaSync(Xtest); P.get(0, 1);
   */
  predictProbaSync(X: Matrix | number[][] | Table | readonly Record<string, unknown>[]): Matrix {
    const { engine, theta } = this.#fitted('predictProbaSync');
    return probabilities(engine.predictSync(theta, this.#inputs(X, engine.features), 'LogisticRegression.predictProbaSync'));
  }

  /**
   * `predictProbaSync` off the main thread (X copied at the call; tiny jobs computed inline).
   * @param X - n × m examples as rows
   * @returns (a Promise of) the n × k probabilities
   * @throws (rejects) {@link BlasnetError} `ERR_BLASNET_NOT_FITTED` before the first fit; `ERR_BLASNET_SHAPE`, `ERR_BLASNET_NOT_FINITE`, and what `predictProbaSync` throws
   * @example const P = await model.predictProba(Xtest);
   */
  predictProba(X: Matrix | number[][] | Table | readonly Record<string, unknown>[]): Promise<Matrix> {
    try {
      const { engine, theta } = this.#fitted('predictProba');
      return engine.predict(theta, this.#inputs(X, engine.features), 'LogisticRegression.predictProba', new Error()).then(probabilities);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * The predicted labels, of the type the model was fitted with (a Float64Array for numbers, an array for strings and booleans).
   * @param X - n × m examples as rows
   * @returns n labels
   * @throws {@link BlasnetError} `ERR_BLASNET_NOT_FITTED` before the first fit; `ERR_BLASNET_SHAPE`, `ERR_BLASNET_NOT_FINITE`: what `predictProbaSync` throws, naming `predictSync`
   * @example model.predictSync(Xtest); // ['setosa', 'virginica', …]
   */
  predictSync(X: Matrix | number[][] | Table | readonly Record<string, unknown>[]): Float64Array | string[] | boolean[] {
    const { engine, theta, classes } = this.#fitted('predictSync');
    return decodeLabels(predictedIndex(engine.predictSync(theta, this.#inputs(X, engine.features), 'LogisticRegression.predictSync')), classes);
  }

  /**
   * `predictSync` off the main thread.
   * @param X - n × m examples as rows
   * @returns (a Promise of) n labels
   * @throws (rejects) {@link BlasnetError} `ERR_BLASNET_NOT_FITTED` before the first fit; `ERR_BLASNET_SHAPE`, `ERR_BLASNET_NOT_FINITE`, as `predictSync`
   * @example const labels = await model.predict(Xtest);
   */
  async predict(X: Matrix | number[][] | Table | readonly Record<string, unknown>[]): Promise<Float64Array | string[] | boolean[]> {
    const { engine, theta, classes } = this.#fitted('predict');
    const P = await engine.predict(theta, this.#inputs(X, engine.features), 'LogisticRegression.predict', new Error());
    return decodeLabels(predictedIndex(P), classes);
  }

  /**
   * Accuracy in [0, 1] of `predictSync` against y (labels unknown to the model count as wrong).
   * @param X - n × m examples as rows
   * @param y - n labels
   * @returns the accuracy
   * @throws {@link BlasnetError} `ERR_BLASNET_NOT_FITTED` before the first fit; `ERR_BLASNET_SHAPE` for an X or a y of another shape, `ERR_BLASNET_NOT_FINITE`, `ERR_BLASNET_LABEL` for a y that is not labels
   * @example model.scoreSync(Xtest, ytest); // 0.97
   */
  scoreSync(X: Matrix | number[][] | Table | readonly Record<string, unknown>[], y?: unknown): number {
    const { engine, theta, classes } = this.#fitted('scoreSync');
    const { M, y: t } = this.#scoreData(X, y, engine.features);
    return labelAccuracy(t, decodeLabels(predictedIndex(engine.predictSync(theta, M, 'LogisticRegression.scoreSync')), classes), classes);
  }

  /** The inputs and targets of a score: with a preprocessing and no y, the rows whose target column has a value. */
  #scoreData(X: unknown, y: unknown, cols: number): { M: Matrix; y: unknown } {
    return modelRows(targetOmitted(y) ? this.#prep : null, this.#scaling, X, y, 'X', () => this.#inputs(X, cols), false);
  }

  /**
   * `scoreSync` off the main thread.
   * @param X - n × m examples as rows
   * @param y - n labels
   * @returns (a Promise of) the accuracy
   * @throws (rejects) {@link BlasnetError} `ERR_BLASNET_NOT_FITTED` before the first fit; `ERR_BLASNET_SHAPE`, `ERR_BLASNET_NOT_FINITE`, `ERR_BLASNET_LABEL`, as `scoreSync`
   * @example await model.score(Xtest, ytest);
   */
  async score(X: Matrix | number[][] | Table | readonly Record<string, unknown>[], y?: unknown): Promise<number> {
    const { engine, theta, classes } = this.#fitted('score');
    const { M, y: t } = this.#scoreData(X, y, engine.features);
    const P = await engine.predict(theta, M, 'LogisticRegression.score', new Error());
    return labelAccuracy(t, decodeLabels(predictedIndex(P), classes), classes);
  }

  /**
   * A short description: kind, task, shape, parameter count, classes, input scaling, backend.
   * @returns the text
   * @example console.log(model.summary());
   */
  summary(): string {
    const e = this.#engine, task = this.task;
    return summaryText({
      kind: 'LogisticRegression', task,
      layers: e ? `${e.features} features → ${e.outputs === 1 ? '1 logit (sigmoid)' : `${e.outputs} logits (softmax)`}` : 'not fitted',
      parameters: e ? e.nParams : 0, classes: this.#classes, inputScaling: this.#scaling !== null, backend: this.backend,
      extra: [`optimizer: ${(this.#defaults.optimizer as string | undefined) ?? LOGISTIC_DEFAULTS.optimizer}, l2: ${this.l2}`],
    });
  }

  /**
   * The same text as `summary()`.
   * @returns the text
   * @example `${model}`
   */
  toString(): string {
    return this.summary();
  }

  /**
   * For gradientCheck: the engine, θ and the targets at the current state.
   * @internal
   */
  static evaluation(model: LogisticRegression, X: unknown, y: unknown, options: unknown) {
    return model.#evaluation(X, y, options);
  }
}

/** binary outputs (n × 1, σ) → n × 2 [1 − p, p]; multinomial outputs as they are. */
function probabilities(P: Matrix): Matrix {
  return P.cols === 1 ? twoColumns(P.data) : P;
}

function finiteVector(v: unknown, name: string): Float64Array {
  if (!(Array.isArray(v) || v instanceof Float64Array) || v.length === 0) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a non-empty Float64Array or number[], got ${describe(v)}`);
  }
  const out = Float64Array.from(v as ArrayLike<number>);
  const bad = firstNonFinite(out);
  if (bad >= 0) throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${name} must contain only finite numbers, got ${describe((v as ArrayLike<unknown>)[bad])} at index ${bad}`);
  return out;
}

/** The training options of a version-1 file (the seed's solver fields) as constructor options. */
function v1Options(training: Record<string, unknown>, src: string): Record<string, unknown> {
  const keys = ['learningRate', 'iterations', 'recordEvery', 'solver', 'l2', 'tolerance', 'maxIterations', 'seed'];
  exactKeys(training, src, 'training', ['learningRate', 'iterations', 'recordEvery'], keys);
  const o: Record<string, unknown> = { solver: training.solver ?? 'gd', recordEvery: training.recordEvery, l2: training.l2 };
  if (o.solver === 'lbfgs') Object.assign(o, { tolerance: training.tolerance, maxIterations: training.maxIterations });
  else Object.assign(o, { learningRate: training.learningRate, iterations: training.iterations });
  return o;
}

/**
 * The body of a logistic-regression document: architecture first (it gives every expected length),
 * then training options (the constructor's rules), parameters, input scaling.
 */
function logisticFromDocument(doc: ModelDocument, backend: ModelFromJSONOptions['backend']): LogisticRegression {
  const { root, src } = doc;
  const arch = plainObject(root.architecture, src, 'architecture');
  exactKeys(arch, src, 'architecture', ['features'], ['features', 'classes']);
  const features = integerInRange(arch.features, `${src}: architecture.features`, 0, 1, 2 ** 31);
  const classes = arch.classes === undefined ? indexClasses(2) : classesFromJSON(arch.classes, src, 'architecture.classes');
  const k = classes.length;

  const training = plainObject(root.training, src, 'training');
  let options: Record<string, unknown>;
  if (doc.root.version === 1) {
    options = v1Options(training, src);
  } else {
    exactKeys(training, src, 'training', ['seed', 'options'], doc.root.version === 2 ? ['seed', 'options'] : ['seed', 'options', 'state']);
    options = { ...plainObject(training.options, src, 'training.options') };
  }
  const nParams = k === 2 ? features + 1 : k * (features + 1);
  const state = trainStateFromJSON(training.state, src, nParams,
    `${nParams} values (the parameter count of ${features} features and ${k === 2 ? 'one logit' : `${k} classes`})`);
  const seed = integerInRange(training.seed, `${src}: training.seed`, 0, 0, 0xffffffff);

  const params = plainObject(root.parameters, src, 'parameters');
  let parameters: Parameters<LogisticRegression['setParameters']>[0];
  if (k === 2) {
    exactKeys(params, src, 'parameters', ['weights', 'bias'], ['weights', 'bias']);
    checkLength(params.weights, features, src, 'parameters.weights', `${features} values (architecture.features)`);
    checkFinite(params.weights, src, 'parameters.weights');
    parameters = { weights: params.weights, bias: finiteNumber(params.bias, src, 'parameters.bias'), classes };
  } else {
    exactKeys(params, src, 'parameters', ['coef', 'intercept'], ['coef', 'intercept']);
    checkLength(params.coef, k, src, 'parameters.coef', `${k} rows (one per class)`);
    params.coef.forEach((row, c) => {
      checkLength(row, features, src, `parameters.coef[${c}]`, `${features} values (architecture.features)`);
      checkFinite(row, src, `parameters.coef[${c}]`);
    });
    checkLength(params.intercept, k, src, 'parameters.intercept', `${k} values (one per class)`);
    checkFinite(params.intercept, src, 'parameters.intercept');
    parameters = { coef: params.coef as number[][], intercept: params.intercept, classes };
  }
  // The tabular section has its own reader; the rest of `preprocessing` is the input scaling's.
  let pre = root.preprocessing, tabular = null;
  if (pre !== null && typeof pre === 'object' && !Array.isArray(pre) && 'tabular' in pre) {
    const { tabular: t, ...rest } = pre as Record<string, unknown>;
    tabular = tabularFromJSON(t, features, src);
    pre = Object.keys(rest).length > 0 ? rest : undefined;
  }
  const scaling = preprocessingFromJSON(pre, features, src);

  let model: LogisticRegression;
  try {
    model = new LogisticRegression({ ...options, seed, backend, ...(tabular ? { preprocessing: Preprocessing.fromChecked(tabular) } : {}) } as LogisticRegressionOptions);
  } catch (e) {
    throw trainingOptionError(e, src, doc.root.version === 1 ? 'training' : 'training.options');
  }
  model.setParameters(parameters);
  if (scaling) model.setInputScaling(scaling);
  installMetadata(model, userMetadata(doc));
  installState(model, state);
  return model;
}
