// NeuralNetwork (docs/math.md, "Dense networks: forward and backward"; any depth). Validates and normalises in TS; the
// network engine computes on either backend (lib/engines.ts) and the fit driver runs fits
// (lib/fit.ts). Parameters live in one block θ owned here; a fit trains a copy and installs it when
// it settles. Serializes its own body through lib/format/; never does file I/O, never imports another model.
import { busyError } from './async.js';
import { resolveBackend, type BackendName, type BackendOption } from './backend.js';
import { networkEngine, type Engine } from './engines.js';
import { BlasnetRangeError, BlasnetTypeError, blasnetError, describe } from './errors.js';
import {
  ASYNC_FIT_KEYS, FIT_KEYS, SOURCE_FIT_KEYS, TRAINING_KEYS, batchWeights, checkTrainingDefaults, checkWarmStart, classesOption, fitRowWeights, labelAccuracy, mergeOptions,
  notFitted, parseSourceTraining, parseTraining, predictedIndex, summaryText, thresholdMatrix, toTargets, twoColumns, wrongTask, type AsyncFitOptions, type FitOptions,
  type SourceFitOptions, type Targets, type Task, type TrainingDefaults, type TrainingOptions,
  modelRows,
} from './estimator.js';
import { runFitSync, runSourceFitSync, startFit, startSourceFit, withDropped, type FitLock, type FitResult, type PreparedFit } from './fit.js';
import { batchFields, findLabels, isDataSource, readValidation, type DataSource, type EncodedBatch, type Preparation, type SyncDataSource } from './stream.js';
import { classWeightByIndex } from './labels.js';
import { checkFromJSONOptions, checkModelJSON, readModelFile, userMetadata, type ModelDocument } from './format/document.js';
import { checkFinite, checkLength, exactKeys, finiteArray, plainObject, trainingOptionError } from './format/fields.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION } from './format/spec.js';
import type { ModelFromJSONOptions, ModelLoadOptions, ModelSaveOptions, NetworkModelJSON } from './format/types.js';
import { metadata, writeModelFile } from './format/write.js';
import { trainStateFromJSON, trainStateToJSON } from './format/train-state.js';
import { classesFromJSON, decodeLabels, type Classes } from './labels.js';
import { Matrix } from './matrix.js';
import { accuracyScore, r2Score } from './metrics.js';
import { Random } from './random.js';
import { applyInputScaling, checkInputScaling, copyInputScaling, preprocessingFromJSON, preprocessingToJSON, type InputScaling, type InputScalingOption } from './scaling.js';
import { checkPreprocessingOption, Preprocessing, targetOmitted, type TabularJSON } from './tabular/preprocess.js';
import type { Table } from './tabular/table.js';
import { tabularFromJSON } from './format/preprocessing.js';
import { makeSpec, type ActivationName, type ActivationOption, type HiddenActivationName, type LossName, type NetSpec } from './spec.js';
import { startState } from './train-state.js';
import type { Rows, TrainState } from './train-types.js';
import { splitData } from './training.js';
import { checkFiniteCost, checkKnownKeys, checkOptionsObject, integerInRange, nonNegativeNumber, optionalFunction, toMatrix } from './validate.js';

/**
 * The options of `new NeuralNetwork(options)`: the architecture, the loss, the training options
 * (defaults for every fit), the seed and the backend.
 * @example const options: NeuralNetworkOptions = { layers: [30, 16, 1], hidden: 'relu', seed: 1 };
 */
export interface NeuralNetworkOptions extends TrainingOptions {
  /** Layer sizes [s0, s1, …, sL]: s0 inputs, sL outputs. The seed's network is [s0, s1, 1]. */
  layers: number[];
  /** Hidden activation, one for all hidden layers or one per hidden layer. Default 'tanh'. */
  hidden?: ActivationOption<HiddenActivationName> | ActivationOption<HiddenActivationName>[];
  /** Output activation. Default: 'sigmoid' for one output, 'softmax' for several; 'linear' when `loss` is 'mse'. */
  output?: ActivationOption<ActivationName>;
  /** 'cross-entropy' or 'mse'. Default: 'mse' for a linear output, 'cross-entropy' otherwise. */
  loss?: LossName;
  /** Regression only: train on standardized targets and map predictions back (stored with the model). Default true. */
  standardizeTargets?: boolean;
  /** Seed of the weight initialization, the shuffle and validation splits. Default 0. */
  seed?: number;
  /** 'auto' | 'native' | 'reference'. Default 'auto'. */
  backend?: BackendOption;
  /**
   * A tabular preprocessing (Preprocessing.fit): the network then fits and predicts on Tables and
   * records, and saves it. `layers[0]` must be its `nFeatures`.
   */
  preprocessing?: Preprocessing;
}

/**
 * A fit with no options: Adam (step 0.002) in batches of 200 for up to 200 epochs, stopping once the
 * training cost has not improved by 1e-4 for 10 epochs (scikit-learn's MLP recipe, with the step that
 * matched or beat it on iris, wine, breast cancer, digits and diabetes); gd and momentum step 0.01.
 * @example NETWORK_DEFAULTS.learningRate('adam'); // 0.002
 */
export const NETWORK_DEFAULTS: TrainingDefaults = {
  optimizer: 'adam',
  learningRate: (o) => (o === 'adam' ? 0.002 : 0.01),
  epochs: () => 200,
  recordEvery: () => 1,
  batchSize: 200,
  earlyStopping: { monitor: 'cost', patience: 10, minDelta: 1e-4, restoreBest: false },
};

const OWN_KEYS = ['layers', 'hidden', 'output', 'loss', 'seed', 'backend', 'standardizeTargets', 'preprocessing'] as const;

/** A regression network's target standardization: y' = (y − mean) / std per output. */
interface TargetScaling {
  mean: Float64Array;
  std: Float64Array;
}

/**
 * A dense network of any depth trained by backpropagation (docs/math.md, "Dense networks: forward and
 * backward"): a binary, multi-class or multi-label classifier, or a regressor, as its output and loss say.
 *
 * @example
 * const net = new NeuralNetwork({ layers: [4, 32, 3], seed: 1 });   // softmax output, cross-entropy
 * await net.fit(X, ['setosa', 'versicolor', …]);
 * net.predictSync(Xtest);   // labels
 */
export class NeuralNetwork {
  /** The validated description: sizes, activations, loss, θ layout. */
  readonly spec: NetSpec;
  /** The seed of the weight initialization, the shuffle stream and validation splits. */
  readonly seed: number;
  /** The backend in use: 'native' or 'reference'. */
  readonly backend: BackendName;
  /** 'binary', 'multiclass', 'multilabel' or 'regression', from the output and the loss. */
  readonly task: Task;
  readonly #engine: Engine;
  readonly #defaults: Readonly<Record<string, unknown>>;
  readonly #standardizeTargets: boolean;
  readonly #lock: FitLock = { owner: 'NeuralNetwork', busy: false };
  /**
   * The parameters. Never written in place once installed: every change (fit, setParameters, reset)
   * installs a new array, so an async prediction may read the θ of its call in place.
   */
  #theta: Float64Array;
  #fitted = false;
  #classes: Classes | null = null;
  #targetScaling: TargetScaling | null = null;
  /** What a warm start continues (epoch counter, optimizer state, counters); null before a fit and after setParameters / reset. */
  #state: TrainState | null = null;
  #scaling: InputScaling | null = null;
  readonly #prep: Preprocessing | null;
  /** The user metadata (JSON data, owned here): a loaded file's, kept by fits and reset, written back by toJSON. */
  #metadata: Record<string, unknown> = {};

  /**
   * Builds a network and draws its initial parameters from `seed` (He-normal before relu / leaky-relu,
   * Glorot-uniform otherwise; biases zero).
   * @param options - `layers` [s0, …, sL] (required), `hidden`, `output`, `loss`, the training options, `seed`, `backend`
   * @throws {@link BlasnetTypeError} / {@link BlasnetRangeError} `ERR_BLASNET_CONFIG` for an invalid
   *   architecture, activation or (output, loss) pairing; `ERR_BLASNET_ARG_TYPE` / `ERR_BLASNET_ARG_RANGE`
   *   for an unknown option or a bad value
   * @throws {@link BlasnetError} `ERR_BLASNET_NATIVE_UNAVAILABLE` for backend 'native' without the addon
   * @example const net = new NeuralNetwork({ layers: [784, 128, 10], seed: 1 });
   */
  constructor(options: NeuralNetworkOptions) {
    const o = checkOptionsObject(options, 'options');
    checkKnownKeys(o, 'options', [...OWN_KEYS, ...TRAINING_KEYS]);
    const sizes = o.layers;
    const last = Array.isArray(sizes) ? sizes[sizes.length - 1] : undefined;
    const output = o.output ?? (o.loss === 'mse' ? 'linear' : last === 1 ? 'sigmoid' : 'softmax');
    const outName = typeof output === 'string' ? output : (output as { name?: unknown }).name;
    const loss = o.loss ?? (outName === 'linear' ? 'mse' : 'cross-entropy');
    this.spec = makeSpec(sizes, o.hidden ?? 'tanh', output, loss);
    this.task = taskOf(this.spec);
    this.#defaults = checkTrainingDefaults(o, NETWORK_DEFAULTS, this.task !== 'regression');
    if (o.standardizeTargets !== undefined && typeof o.standardizeTargets !== 'boolean') {
      throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.standardizeTargets must be a boolean, got ${describe(o.standardizeTargets)}`);
    }
    this.#standardizeTargets = this.task === 'regression' && o.standardizeTargets !== false;
    this.seed = integerInRange(o.seed, 'options.seed', 0, 0, 0xffffffff);
    const backend = resolveBackend(o.backend);
    this.backend = backend.name;
    this.#prep = checkPreprocessingOption(o.preprocessing, this.spec.sizes[0]!, this.task === 'regression', 'network');
    this.#engine = networkEngine(backend.addon, this.spec);
    this.#theta = initialParameters(this.spec, this.seed);
  }

  /** The tabular preprocessing the network applies to its data, or null (it reads matrices as they are). */
  get preprocessing(): Preprocessing | null {
    return this.#prep;
  }

  /** Layer sizes [s0, …, sL]. */
  get layers(): number[] {
    return [...this.spec.sizes];
  }

  /** The number of input features s0. */
  get nFeatures(): number {
    return this.spec.sizes[0]!;
  }

  /** Output columns: s_L. */
  get nOutputs(): number {
    return this.spec.sizes[this.spec.sizes.length - 1]!;
  }

  /** The sorted labels a classifier predicts (a copy; 0 … k−1 after one-hot or indicator targets); null for a regressor or before the first fit. */
  get classes(): Classes | null {
    return this.#classes ? (this.#classes.slice() as Classes) : null;
  }

  /** Whether the model has been fitted (or given parameters): predict and score need it. */
  get fitted(): boolean {
    return this.#fitted;
  }

  /** The training options given to the constructor, as a copy. */
  get trainingOptions(): TrainingOptions {
    return { ...this.#defaults } as TrainingOptions;
  }

  /**
   * The user metadata: every key of a loaded file's `metadata` other than `createdAt` and `blasnet`
   * (`{}` for a new network), kept through fits and reset and written back by toJSON and save. A deep
   * copy; `save(path, { metadata })` writes other metadata in its place.
   */
  get metadata(): Record<string, unknown> {
    return structuredClone(this.#metadata);
  }

  /** The regression target standardization learned by the last fit ({ mean, std } per output, copies), or null. */
  get targetScaling(): {
    /** The training targets' mean, per output. */
    mean: Float64Array;
    /** Their standard deviation (1 for a constant output), per output. */
    std: Float64Array;
  } | null {
    const t = this.#targetScaling;
    return t ? { mean: t.mean.slice(), std: t.std.slice() } : null;
  }

  /** True while a fit runs. */
  get busy(): boolean {
    return this.#lock.busy;
  }

  /**
   * The epochs completed over the last fresh fit and the warm starts that continued it (each fit's
   * `epochs` counts its own); the global epoch that keys the shuffle and the step and exponential
   * schedules. After early stopping with `restoreBest`, the count at the best record. 0 before the
   * first fit, after `setParameters` and `reset`, and for a model loaded from a file of format version 1 or 2.
   * @example net.fitSync(X, y, { epochs: 5 }); net.fitSync(X, y, { epochs: 3, warmStart: true }); net.epochsTrained; // 8
   */
  get epochsTrained(): number {
    return this.#state?.epoch ?? 0;
  }

  /**
   * Copies of the parameters in the seed's shapes: W[l − 1] is W[l], row-major s_l × s_{l−1}; b[l − 1] is b[l].
   */
  get parameters(): {
    /** W[l − 1] = W[l], row-major s_l × s_{l−1}. */
    W: Float64Array[];
    /** b[l − 1] = b[l], s_l values. */
    b: Float64Array[];
  } {
    const t = this.#theta;
    return {
      W: this.spec.layers.map((l) => t.slice(l.W, l.b)),
      b: this.spec.layers.map((l) => t.slice(l.b, l.b + l.out)),
    };
  }

  /**
   * Replaces the parameters (copied), in the shapes of `parameters`: W[l − 1] row-major s_l × s_{l−1}, b[l − 1] of s_l.
   * @param parameters - `W`: one array per layer of s_l × s_{l−1} finite values; `b`: one array of s_l per layer.
   *   The model counts as fitted; a classifier keeps its classes (0 … k−1 when it had none), a regressor drops its target scaling
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` for a wrong type; {@link BlasnetRangeError}
   *   `ERR_BLASNET_SHAPE` for a wrong layer count or length, `ERR_BLASNET_NOT_FINITE` for a non-finite
   *   value; {@link BlasnetError} `ERR_BLASNET_BUSY` during a fit
   * @example net.setParameters({ W: [[0.1, -0.2, 0.3, 0.4], [1, -1]], b: [[0, 0], [0]] }); // layers [2, 2, 1]
   */
  setParameters(parameters: { W: ArrayLike<number>[]; b: ArrayLike<number>[] }): void {
    if (this.#lock.busy) throw busyError('NeuralNetwork', 'setParameters');
    const p = checkOptionsObject(parameters, 'parameters');
    const L = this.spec.layers.length;
    const theta = new Float64Array(this.spec.nParams);
    for (const key of ['W', 'b'] as const) {
      const list = p[key];
      if (!Array.isArray(list)) {
        throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `parameters.${key} must be an array of ${L} arrays (one per layer), got ${describe(list)}`);
      }
      if (list.length !== L) {
        throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `parameters.${key} must have ${L} arrays (one per layer), got ${describe(list)}`);
      }
      this.spec.layers.forEach((layer, l) => {
        const a = list[l] as unknown;
        const expected = key === 'W' ? layer.in * layer.out : layer.out;
        if (!(Array.isArray(a) || a instanceof Float64Array)) {
          throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `parameters.${key}[${l}] must be a Float64Array or number[], got ${describe(a)}`);
        }
        if (a.length !== expected) {
          const shape = key === 'W' ? `${layer.out} × ${layer.in} = ${expected}` : `${expected}`;
          throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `parameters.${key}[${l}] must have ${shape} values, got ${a.length}`);
        }
        const off = key === 'W' ? layer.W : layer.b;
        for (let k = 0; k < expected; k++) {
          const v = (a as ArrayLike<unknown>)[k];
          if (typeof v !== 'number' || !Number.isFinite(v)) {
            throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `parameters.${key}[${l}] must contain only finite numbers, got ${describe(v)} at index ${k}`);
          }
          theta[off + k] = v;
        }
      });
    }
    this.#theta = theta;
    this.#fitted = true;
    this.#targetScaling = null;
    this.#state = null;
    if (this.task !== 'regression' && !this.#classes) this.#classes = defaultClasses(this.spec, this.task);
  }

  /**
   * The per-feature standardization the network applies to raw inputs, as copies; null when none.
   * @returns `{ mean, std }` (fresh Float64Arrays, s0 values each) or null
   * @example const scaling = net.inputScaling; // null until setInputScaling
   */
  get inputScaling(): InputScaling | null {
    return copyInputScaling(this.#scaling);
  }

  /**
   * Makes the network standardize its inputs: every method that takes X then takes raw features and
   * computes (x − mean) / std first, into a new matrix (the caller's X is never changed). Saved and loaded with the model.
   * @param scaling - a Standardizer, `{ mean, std }` (s0 values each; finite; std > 0), or null to remove it
   * @throws {TypeError} ERR_BLASNET_ARG_TYPE for a wrong type; ERR_BLASNET_DETACHED for a detached buffer
   * @throws {RangeError} ERR_BLASNET_SHAPE for a length other than s0; ERR_BLASNET_NOT_FINITE; ERR_BLASNET_ARG_RANGE for a std ≤ 0
   * @throws {BlasnetError} ERR_BLASNET_BUSY during a fit
   * @example net.setInputScaling(Standardizer.fit(Xtrain));
   */
  setInputScaling(scaling: InputScalingOption): void {
    if (this.#lock.busy) throw busyError('NeuralNetwork', 'setInputScaling');
    this.#scaling = checkInputScaling(scaling, this.spec.sizes[0]!, 'scaling');
  }

  /**
   * The network as a versioned JSON object (format 'blasnet-model', see docs/format.md): architecture,
   * classes, seed, training options, exact parameters, input and target scaling. The arrays are copies.
   * @returns the JSON-ready object
   * @example const copy = NeuralNetwork.fromJSON(net.toJSON());
   */
  toJSON(): NetworkModelJSON {
    return this.#json(this.#theta, this.#state, this.#classes, this.#targetScaling);
  }

  /** The network's JSON with these parameters, training state, classes and target scaling (a checkpoint's: those a running fit will commit). */
  #json(theta: Float64Array, state: TrainState | null, classes: Classes | null, t: TargetScaling | null): NetworkModelJSON {
    const spec = this.spec;
    const W = spec.layers.map((l) => theta.subarray(l.W, l.b)), b = spec.layers.map((l) => theta.subarray(l.b, l.b + l.out));
    const training: NetworkModelJSON['training'] = { seed: this.seed };
    const options = JSON.parse(JSON.stringify(this.#defaults)) as Record<string, unknown>;
    if (this.task === 'regression' && !this.#standardizeTargets) options.standardizeTargets = false;
    if (Object.keys(options).length > 0) training.options = options;
    if (state) training.state = trainStateToJSON(state);
    const json: NetworkModelJSON = {
      format: MODEL_FORMAT,
      version: MODEL_FORMAT_VERSION,
      kind: 'neural-network',
      metadata: metadata(this.#metadata),
      architecture: {
        layers: [...spec.sizes],
        activations: spec.layers.map((l) => (l.g.name === 'leaky-relu' ? { name: l.g.name, alpha: l.g.alpha } : { name: l.g.name })),
        loss: spec.loss,
      },
      training,
      parameters: { W: W.map((a, l) => finiteArray(a, `parameters.W[${l}]`)), b: b.map((a, l) => finiteArray(a, `parameters.b[${l}]`)) },
    };
    if (classes) json.architecture.classes = classes.slice() as Classes;
    const preprocessing = preprocessingToJSON(this.#scaling) ?? {};
    if (t) preprocessing.targetScaling = { mean: finiteArray(t.mean, 'targetScaling.mean'), std: finiteArray(t.std, 'targetScaling.std') };
    if (this.#prep) preprocessing.tabular = this.#prep.toJSON();
    if (Object.keys(preprocessing).length > 0) json.preprocessing = preprocessing;
    return json;
  }

  /**
   * Saves the network atomically (temporary file, fsync, rename): a crash leaves the old file or the new one.
   * The file's metadata holds a fresh `createdAt` and `blasnet`, then the network's user metadata, or
   * `options.metadata` in its place (replaced, not merged; the network itself is not changed).
   * @param path - a file path or a file: URL
   * @param options - `{ metadata? }`: a plain object of JSON values, copied; `createdAt` and `blasnet` are reserved
   * @throws {TypeError} ERR_BLASNET_ARG_TYPE for a bad path, options that are not an object or have an
   *   unknown key, or metadata that is not JSON data (naming the place, e.g. `options.metadata.tags[2]`)
   * @throws {RangeError} ERR_BLASNET_ARG_RANGE for a non-finite number in the metadata, or metadata beyond
   *   MODEL_JSON_LIMITS; nothing is written
   * @throws {BlasnetError} ERR_BLASNET_IO naming the path (cause: the file system's error)
   * @example await net.save('net.json', { metadata: { dataset: 'iris-2026-11' } });
   */
  async save(path: string | URL, options?: ModelSaveOptions): Promise<void> {
    await writeModelFile(path, this.toJSON(), options);
  }

  /**
   * Rebuilds a network from `toJSON()`'s output (or a parsed file), validating everything first.
   * @param json - the model object
   * @param options - `{ backend? }` of the rebuilt model
   * @returns a new NeuralNetwork
   * @throws {BlasnetError} ERR_BLASNET_FORMAT, ERR_BLASNET_CONFIG, ERR_BLASNET_SHAPE, ERR_BLASNET_NOT_FINITE
   * @example const copy = NeuralNetwork.fromJSON(JSON.parse(text));
   */
  static fromJSON(json: unknown, options?: ModelFromJSONOptions): NeuralNetwork {
    const { backend } = checkFromJSONOptions(options);
    return NeuralNetwork.#fromDocument(checkModelJSON(json, 'model JSON', 'neural-network'), backend);
  }

  /**
   * Loads a network saved by `save`, validated as in `fromJSON`; messages start with the path.
   * @param path - a file path or a file: URL
   * @param options - `{ backend?, maxBytes? }`
   * @returns the network
   * @throws {BlasnetError} ERR_BLASNET_FORMAT for a file that is not a network; the file system's error; what `fromJSON` throws
   * @example const net = await NeuralNetwork.load('net.json');
   */
  static async load(path: string | URL, options?: ModelLoadOptions): Promise<NeuralNetwork> {
    const { doc, backend } = await readModelFile(path, options, 'neural-network');
    return NeuralNetwork.#fromDocument(doc, backend);
  }

  /** The body of a neural-network document (lib/format/document.ts); the architecture first: it alone gives every expected length. */
  static #fromDocument(doc: ModelDocument, backend: ModelFromJSONOptions['backend']): NeuralNetwork {
    const { root, src } = doc;
    const arch = plainObject(root.architecture, src, 'architecture');
    exactKeys(arch, src, 'architecture', ['layers', 'activations', 'loss'], ['layers', 'activations', 'loss', 'classes']);
    const layers = arch.layers, activations = arch.activations;
    if (!Array.isArray(layers)) throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `${src}: architecture.layers must be an array of layer sizes [s0, …, sL], got ${describe(layers)}`);
    const L = layers.length - 1;
    if (!Array.isArray(activations) || activations.length !== L || L < 1) {
      throw new BlasnetTypeError('ERR_BLASNET_CONFIG',
        `${src}: architecture.activations must be an array with one activation per layer (${Math.max(L, 0)} for ${layers.length} layer sizes), got ${describe(activations)}`);
    }
    activations.forEach((a, l) => plainObject(a, src, `architecture.activations[${l}]`));
    if (typeof arch.loss !== 'string') throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `${src}: architecture.loss must be 'cross-entropy' | 'mse', got ${describe(arch.loss)}`);
    let spec: NetSpec;
    try {
      spec = makeSpec(layers, activations.slice(0, L - 1), activations[L - 1], arch.loss);
    } catch (e) {
      throw renamed(e, src, (m) => m
        .replace(/options\.layers/g, 'architecture.layers')
        .replace(/options\.hidden\[(\d+)\]/g, 'architecture.activations[$1]')
        .replace(/options\.output/g, `architecture.activations[${L - 1}]`)
        .replace(/options\.loss/g, 'architecture.loss'));
    }

    const training = plainObject(root.training, src, 'training');
    const version = root.version as number;
    exactKeys(training, src, 'training', ['seed'], version < 3 ? ['seed', 'completedFits', 'options'] : ['seed', 'options', 'state']);
    const seed = integerInRange(training.seed, `${src}: training.seed`, 0, 0, 0xffffffff);
    // Versions 1 and 2: the count of fits, checked and ignored: the epoch counter starts at 0 (no state).
    if (version < 3) integerInRange(training.completedFits, `${src}: training.completedFits`, 0, 0);
    const state = trainStateFromJSON(training.state, src, spec.nParams, `${spec.nParams} values (the parameter count of layers [${spec.sizes.join(', ')}])`);
    const options = training.options === undefined ? {} : { ...plainObject(training.options, src, 'training.options') };
    const task = taskOf(spec);
    const classes = task === 'regression' ? null : arch.classes === undefined ? defaultClasses(spec, task) : classesFromJSON(arch.classes, src, 'architecture.classes');
    const expected = task === 'regression' ? 0 : defaultClasses(spec, task).length;
    if (classes && classes.length !== expected) {
      throw blasnetError('ERR_BLASNET_FORMAT', `${src}: architecture.classes must hold ${expected} labels for layers [${spec.sizes.join(', ')}] (${task}), got ${classes.length}`);
    }

    const params = plainObject(root.parameters, src, 'parameters');
    exactKeys(params, src, 'parameters', ['W', 'b'], ['W', 'b']);
    const W = params.W, b = params.b;
    const shapes = `layers [${spec.sizes.join(', ')}]`;
    for (const [key, list] of [['W', W], ['b', b]] as const) {
      if (!Array.isArray(list)) throw blasnetError('ERR_BLASNET_FORMAT', `${src}: parameters.${key} must be an array of ${L} arrays (one per layer), got ${describe(list)}`);
      if (list.length !== L) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${src}: parameters.${key} must hold ${L} arrays (one per layer of ${shapes}), got ${list.length}`);
    }
    // Every length against the architecture before looking at any value.
    spec.layers.forEach((layer, l) => {
      checkLength((W as unknown[])[l], layer.in * layer.out, src, `parameters.W[${l}]`, `${layer.out} × ${layer.in} = ${layer.in * layer.out} values for ${shapes}`);
      checkLength((b as unknown[])[l], layer.out, src, `parameters.b[${l}]`, `${layer.out} values for ${shapes}`);
    });
    spec.layers.forEach((_, l) => {
      checkFinite((W as unknown[][])[l]!, src, `parameters.W[${l}]`);
      checkFinite((b as unknown[][])[l]!, src, `parameters.b[${l}]`);
    });
    const { inputScaling: scaling, targetScaling, tabular } = readPreprocessing(root.preprocessing, spec, src);

    // Everything is valid: now build (this allocates θ) and install the parameters (copied).
    const hidden = activations.slice(0, L - 1).map(activationOption);
    let net: NeuralNetwork;
    try {
      net = new NeuralNetwork({
        ...options, layers: spec.sizes, hidden, output: activationOption(activations[L - 1]), loss: spec.loss, seed, backend,
        ...(tabular ? { preprocessing: Preprocessing.fromChecked(tabular) } : {}),
      } as NeuralNetworkOptions);
    } catch (e) {
      throw trainingOptionError(e, src, 'training.options');
    }
    net.#classes = classes;
    net.setParameters({ W: W as number[][], b: b as number[][] });
    net.#targetScaling = targetScaling;
    net.#state = state;
    net.#scaling = scaling;
    net.#metadata = userMetadata(doc);
    return net;
  }

  /**
   * Draws the initial parameters again from the seed and forgets the fit (and its training state): the model is unfitted again.
   * @throws {@link BlasnetError} `ERR_BLASNET_BUSY` during a fit
   * @example net.reset();
   */
  reset(): void {
    if (this.#lock.busy) throw busyError('NeuralNetwork', 'reset');
    this.#theta = initialParameters(this.spec, this.seed);
    this.#fitted = false;
    this.#classes = null;
    this.#targetScaling = null;
    this.#state = null;
  }

  /**
   * J at the current parameters (the seeded initial ones before a fit) and its gradients, in the
   * shapes of `parameters`. A regressor with a target scaling evaluates on the standardized targets, as its fit does.
   * @param X - the examples, as rows
   * @param y - the targets, as for `fit`
   * @param options - `l2` (default: the constructor's, else 0); `sampleWeight`: n weights ≥ 0
   * @returns J, ∂J/∂W[l] and ∂J/∂b[l]
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE`; {@link BlasnetRangeError} `ERR_BLASNET_ARG_RANGE`,
   *   `ERR_BLASNET_SHAPE`, `ERR_BLASNET_LABEL`, `ERR_BLASNET_NOT_FINITE`
   * @example const { cost, dW, db } = net.costAndGradients(X, y);
   */
  costAndGradients(X: Matrix | number[][], y: unknown, options: { l2?: number; sampleWeight?: Float64Array | number[] } = {}): {
    /** J */
    cost: number;
    /** ∂J/∂W[l], row-major s_l × s_{l−1} */
    dW: Float64Array[];
    /** ∂J/∂b[l] */
    db: Float64Array[];
  } {
    const { engine, theta, M, targets, l2, weight } = this.#evaluation(X, y, options);
    engine.checkCostGradMemory('NeuralNetwork', M.rows);
    const { cost, grad } = engine.costGrad(theta, M, targets.T, l2, weight);
    checkFiniteCost('NeuralNetwork', cost, grad);
    return { cost, dW: this.spec.layers.map((l) => grad.slice(l.W, l.b)), db: this.spec.layers.map((l) => grad.slice(l.b, l.b + l.out)) };
  }

  #evaluation(X: unknown, y: unknown, options: unknown) {
    const o = checkOptionsObject(options, 'options');
    checkKnownKeys(o, 'options', ['l2', 'sampleWeight']);
    const l2 = nonNegativeNumber(o.l2, 'options.l2', (this.#defaults.l2 as number | undefined) ?? 0);
    const M = this.#inputs(X, 'X', true);
    const targets = this.#targets(y, 'y', M.rows, this.#classes, this.#targetScaling);
    const weight = fitRowWeights(o.sampleWeight, undefined, targets, M.rows);
    return { engine: this.#engine, theta: this.#theta, M, targets, l2, weight };
  }

  /** y as the trainers read it; a regressor's targets standardized by `scaling` when given. */
  #targets(y: unknown, name: string, n: number, known: Classes | null, scaling: TargetScaling | null): Targets {
    const sL = this.spec.sizes[this.spec.sizes.length - 1]!;
    const t = toTargets(y, name, n, this.task, sL, known);
    if (scaling) t.T = scaleTargets(t.T, scaling);
    return t;
  }

  /**
   * Trains on the calling thread from a data source: `source()` is called once per epoch and returns
   * a synchronous iterable of batches `{ X, y, sampleWeight? }` (docs/training.md, "Fits from a data
   * source"). The fit equals the in-memory fit of the same batches in the same order (`shuffle: false`).
   * @param source - a function returning an iterable of batches (an async iterable is refused: use `fit`)
   * @param options - the options of `fitSync` but `validationSplit`, `sampleWeight` and `shuffle`; `batchSize` cuts the source's rows into batches of that size; `validation` may be a source; `classes`
   * @returns what `fitSync` returns
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` for an option that needs the whole data set (named) or an async iterable; what the source throws (the model then keeps its last completed step); what `fitSync` throws
   * @example net.fitSync(() => [{ X: X1, y: y1 }, { X: X2, y: y2 }], { epochs: 10 });
   */
  fitSync(source: SyncDataSource, options?: SourceFitOptions): FitResult;
  /**
   * Trains on the calling thread (blocks it). Every fit starts afresh (the seeded initial parameters,
   * classes learned from y) unless `warmStart`.
   * @param X - n × s0 examples as rows
   * @param y - labels of any one type (binary, multi-class), an n × k 0/1 Matrix (multi-label, or one-hot), or values (regression)
   * @param options - the training options (overriding the constructor's), `warmStart`, `onProgress`, `validation`, weights
   * @returns the recorded costs, epochs and steps, why the fit stopped, and the validation figures
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE`; {@link BlasnetRangeError} `ERR_BLASNET_ARG_RANGE`,
   *   `ERR_BLASNET_SHAPE`, `ERR_BLASNET_NOT_FINITE`, `ERR_BLASNET_LABEL`
   * @throws {@link BlasnetError} `ERR_BLASNET_BUSY` while another fit runs; `ERR_BLASNET_DIVERGED` when the
   *   cost becomes non-finite or grows 1e6-fold
   * @example const { costs } = net.fitSync(X, y, { epochs: 100, validationSplit: 0.2 });
   */
  fitSync(X: Matrix | number[][] | Table | readonly Record<string, unknown>[], y?: unknown, options?: FitOptions): FitResult;
  fitSync(X: unknown, y?: unknown, options?: unknown): FitResult {
    if (isDataSource(X)) return this.#sourceFitSync(X, y, options);
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
   * @throws (rejects) {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` for an option that needs the whole data set (named); what the source throws, or a coded error naming a bad batch (the model then keeps its last completed step); what `fit` rejects with
   * @example await net.fit(async function* () { for await (const b of readBatches('train.csv')) yield b; }, { epochs: 3, classes: ['no', 'yes'] });
   */
  fit(source: DataSource, options?: SourceFitOptions): Promise<FitResult>;
  /**
   * `fitSync` off the main thread (one native AsyncWorker runs the whole loop; on the reference
   * backend, a worker thread). X and y are copied at the call; until the fit settles, predictions use the previous parameters.
   * @param X - n × s0 examples as rows
   * @param y - the targets, as for `fitSync`
   * @param options - those of `fitSync`, and `signal`
   * @returns (a Promise of) what `fitSync` returns
   * @throws (rejects) what `fitSync` throws; an AbortError (`ABORT_ERR`) when `signal` fires (the model keeps its last completed step)
   * @example await net.fit(X, y, { epochs: 10, onProgress: console.log });
   */
  fit(X: Matrix | number[][] | Table | readonly Record<string, unknown>[], y?: unknown, options?: AsyncFitOptions): Promise<FitResult>;
  fit(X: unknown, y?: unknown, options?: unknown): Promise<FitResult> {
    if (isDataSource(X)) return this.#sourceFit(X, y, options);
    const dropped: { rows?: number } = {};
    const o = options === undefined ? {} : options;
    return startFit(this.#lock, () => this.#prepareFit(X, y, o, ASYNC_FIT_KEYS, dropped), o).then((r) => withDropped(r, dropped));
  }

  #sourceFitSync(source: DataSource, options: unknown, extra: unknown): FitResult {
    const dropped: { rows?: number } = {};
    return withDropped(runSourceFitSync(this.#lock, () => this.#prepareSourceFit(source, options, extra, FIT_KEYS, dropped)), dropped);
  }

  #sourceFit(source: DataSource, options: unknown, extra: unknown): Promise<FitResult> {
    const dropped: { rows?: number } = {};
    const o = options === undefined ? {} : options;
    return startSourceFit(this.#lock, () => this.#prepareSourceFit(source, o, extra, ASYNC_FIT_KEYS, dropped), o).then((r) => withDropped(r, dropped));
  }

  /**
   * A fit from a data source, prepared: the options (those that need the whole data set refused),
   * the classes (options.classes, the model's on a warm start, or a first pass over the source),
   * the validation data (read once when it is a source), and how a batch is encoded (the model's
   * preprocessing and input scaling, the targets against the classes and the target scaling — the
   * model's on a warm start, else learned by two first passes —, the batch's weights times classWeight).
   */
  *#prepareSourceFit(source: DataSource, options: unknown, extra: unknown, keys: readonly string[], dropped: { rows?: number }): Preparation<PreparedFit> {
    if (extra !== undefined) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `a fit from a data source takes (source, options): y comes with each batch; got a third argument ${describe(extra)}`);
    const given = checkOptionsObject(options === undefined ? {} : options, 'options');
    const o = mergeOptions(this.#defaults, given, [...keys, ...SOURCE_FIT_KEYS]);
    checkWarmStart(o.warmStart);
    const warm = o.warmStart === true && this.#fitted;
    /** The fit's first global epoch: the source is called with it for the passes made while preparing. */
    const e0 = warm ? this.#state?.epoch ?? 0 : 0;
    const classifier = this.task !== 'regression';
    const parsed = parseSourceTraining(o, given, NETWORK_DEFAULTS, classifier, this.seed);
    const onProgress = optionalFunction<FitOptions['onProgress']>(o.onProgress, 'options.onProgress');
    let scaling = warm ? this.#targetScaling : null;
    if (!classifier && o.classes !== undefined) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.classes is for a classifier; this network is a regressor, got ${describe(o.classes)}`);
    const inputs = (X: unknown, name: string) => this.#inputs(X, name, true);
    const rowsOf = (X: unknown, y: unknown, at: string) => modelRows(this.#prep, this.#scaling, X, y, `X of ${at}`, () => inputs(X, `X of ${at}`));
    let classes: Classes | null = null;
    if (classifier) {
      if (o.classes !== undefined) {
        const given = classesOption(o.classes);
        classes = this.#targets(given, 'options.classes', given.length, null, null).classes;
        if (warm && !sameClasses(classes!, this.#classes!)) {
          throw new BlasnetRangeError('ERR_BLASNET_LABEL', `options.classes must be the model's classes on a warm start (${JSON.stringify(this.#classes)}), got ${JSON.stringify(o.classes)}`);
        }
      } else if (warm) {
        classes = this.#classes;
      } else {
        // The first pass: the labels of every batch (a Table's from its target column).
        const found = yield* findLabels(source, e0, (batch, at) => {
          const b = batchFields(batch, at);
          if (!this.#prep) return { y: b.y, n: 0 };
          const r = rowsOf(b.X, b.y, at);
          return { y: r.y, n: r.M.rows };
        });
        classes = found.kind === 'labels'
          ? this.#targets(found.labels, 'y of the source', found.labels.length, null, null).classes
          : this.#targets(found.y, `y of ${found.at}`, found.n || (found.y instanceof Matrix ? found.y.rows : (found.y as unknown[]).length), null, null).classes;
      }
    }
    if (!warm && this.#standardizeTargets) {
      // A regressor's target standardization, as an in-memory fit learns it over the rows in their
      // order: two first passes over the source (the means, then the standard deviations).
      const sL = this.spec.sizes[this.spec.sizes.length - 1]!, sums = new TargetScalingSums(sL);
      const targetsOf = (batch: unknown, at: string) => {
        const b = batchFields(batch, at);
        const r = rowsOf(b.X, b.y, at);
        return this.#targets(r.y, `y of ${at}`, r.M.rows, null, null).T;
      };
      let rows = 0;
      yield { kind: 'pass', source, name: 'the source', epoch: e0, visit: (batch, at) => { const T = targetsOf(batch, at); sums.add(T); rows += T.rows; } };
      if (rows === 0) throw blasnetError('ERR_BLASNET_DATA', 'the source gave no row: its targets cannot be standardized (standardizeTargets)');
      sums.means();
      yield { kind: 'pass', source, name: 'the source', epoch: e0, visit: (batch, at) => { sums.deviate(targetsOf(batch, at)); } };
      scaling = sums.scaling();
    }
    const byClass = parsed.classWeight === undefined ? null : classifier && classes ? classWeightByIndex(parsed.classWeight, classes, 'options.classWeight') as Float64Array : null;
    if (parsed.classWeight !== undefined && !byClass) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.classWeight needs class labels (a classifier), got ${describe(parsed.classWeight)}`);
    const encode = (batch: unknown, at: string): EncodedBatch => {
      const b = batchFields(batch, at);
      const r = rowsOf(b.X, b.y, at);
      const n = r.M.rows;
      if (n === 0) return { rows: { X: r.M.data, Y: new Float64Array(0), weight: null, n: 0 }, dropped: r.dropped ?? 0 };
      const t = this.#targets(r.y, `y of ${at}`, n, classes, scaling);
      return { rows: { X: r.M.data, Y: t.T.data, weight: batchWeights(b.sampleWeight, byClass, t, n, `sampleWeight of ${at}`), n }, dropped: r.dropped ?? 0 };
    };
    let validation: Rows | null = null;
    if (parsed.validationSource) {
      validation = yield* readValidation(parsed.validationSource, e0, (batch, at) => encode(batch, at).rows);
    } else if (parsed.validation) {
      const Xv = parsed.validation.X;
      const v = modelRows(this.#prep, this.#scaling, Xv, parsed.validation.y, 'options.validation.X', () => this.#inputs(Xv, 'options.validation.X'));
      validation = { X: v.M.data, Y: this.#targets(v.y, 'options.validation.y', v.M.rows, classes, scaling).T.data, weight: null, n: v.M.rows };
    }
    const engine = this.#engine;
    const start = startState(warm ? this.#state : null, parsed.config, o.warmStart === true, this.spec.nParams);
    const checkpoint = parsed.checkpoint;
    return {
      config: parsed.config, onProgress, train: null, validation,
      stream: { source, encode, primed: null, batchSize: parsed.sourceBatchSize, dropped: this.#prep ? dropped : null },
      theta: warm ? this.#theta : initialParameters(this.spec, this.seed), state: start.state, optimizerReset: start.optimizerReset,
      model: engine.model, native: engine.native,
      checkMemory: () => engine.checkFitMemory('NeuralNetwork', Math.max(1, validation ? validation.n : 1), parsed.config),
      checkpoint: checkpoint && { ...checkpoint, json: (theta, state) => this.#json(theta, state, classes, scaling) },
      commit: (theta, state) => {
        this.#theta = theta;
        this.#state = state;
        this.#fitted = true;
        this.#classes = classes;
        this.#targetScaling = scaling;
      },
    };
  }




  #prepareFit(X: unknown, y: unknown, options: unknown, keys: readonly string[], dropped: { rows?: number }): PreparedFit {
    const o = mergeOptions(this.#defaults, checkOptionsObject(options, 'options'), keys);
    checkWarmStart(o.warmStart);
    const warm = o.warmStart === true && this.#fitted;
    const parsed = parseTraining(o, NETWORK_DEFAULTS, this.task !== 'regression', this.seed);
    const onProgress = optionalFunction<FitOptions['onProgress']>(o.onProgress, 'options.onProgress');
    const fitRows = modelRows(this.#prep, this.#scaling, X, y, 'X', () => this.#inputs(X, 'X', true));
    const M = fitRows.M;
    dropped.rows = fitRows.dropped;
    const raw = this.#targets(fitRows.y, 'y', M.rows, warm ? this.#classes : null, null);
    const scaling = warm ? this.#targetScaling : this.#standardizeTargets ? learnTargetScaling(raw.T) : null;
    const targets = scaling ? { ...raw, T: scaleTargets(raw.T, scaling) } : raw;
    let validation: { X: Matrix; Y: Matrix } | null = null;
    if (parsed.validation) {
      const Xv = parsed.validation.X;
      const v = modelRows(this.#prep, this.#scaling, Xv, parsed.validation.y, 'options.validation.X', () => this.#inputs(Xv, 'options.validation.X'));
      validation = { X: v.M, Y: this.#targets(v.y, 'options.validation.y', v.M.rows, targets.classes, scaling).T };
    }
    const weight = fitRowWeights(parsed.sampleWeight, parsed.classWeight, targets, M.rows);
    const { train, validation: held } = splitData(M, targets.T, weight, parsed.validationSplit, this.seed, validation);
    const engine = this.#engine;
    const start = startState(warm ? this.#state : null, parsed.config, o.warmStart === true, this.spec.nParams);
    const checkpoint = parsed.checkpoint;
    return {
      config: parsed.config, onProgress, train, stream: null, validation: held,
      theta: warm ? this.#theta : initialParameters(this.spec, this.seed), state: start.state, optimizerReset: start.optimizerReset,
      model: engine.model, native: engine.native,
      checkMemory: () => engine.checkFitMemory('NeuralNetwork', train.n + (held ? held.n : 0), parsed.config),
      checkpoint: checkpoint && { ...checkpoint, json: (theta, state) => this.#json(theta, state, targets.classes, scaling) },
      commit: (theta, state) => {
        this.#theta = theta;
        this.#state = state;
        this.#fitted = true;
        this.#classes = targets.classes;
        this.#targetScaling = scaling;
      },
    };
  }

  /**
   * X for a prediction. On the native backend the finiteness of X is not scanned here: the first
   * layer's fused pass sees every non-finite input and the addon names the offending row and column.
   * A fit and costAndGradients scan it (`scan`): their addon paths report a non-finite input only
   * as a diverged or overflowing cost.
   */
  #inputs(X: unknown, name: string, scan = false): Matrix {
    if (this.#prep) return applyInputScaling(this.#prep.transform(X as Table), this.#scaling, name);
    const finite = scan || this.backend !== 'native' || name !== 'X';
    return applyInputScaling(toMatrix(X, name, { cols: this.spec.sizes[0]!, finite }), this.#scaling, name);
  }

  #check(method: string): void {
    if (!this.#fitted) throw notFitted('NeuralNetwork', method);
  }

  /** Raw outputs → what predict returns for the task. */
  #answer(A: Matrix): Float64Array | string[] | boolean[] | Matrix {
    switch (this.task) {
      case 'regression': {
        const out = this.#targetScaling ? unscaleTargets(A, this.#targetScaling) : A;
        return out.cols === 1 ? out.data : out;
      }
      case 'multilabel': return thresholdMatrix(A);
      default: return decodeLabels(predictedIndex(A), this.#classes!);
    }
  }

  /** Raw outputs → class probabilities (columns follow `classes`). */
  #proba(A: Matrix, method: string): Matrix {
    if (this.task === 'regression') throw wrongTask('NeuralNetwork', method, this.task, 'a classifier (a sigmoid or softmax output with cross-entropy)');
    return this.task === 'binary' ? twoColumns(A.data) : A;
  }

  /**
   * Predictions: labels for a classifier (a Float64Array for numbers, an array for strings and
   * booleans), an n × k 0/1 Matrix for a multi-label model (p ≥ 0.5 per label), the values for a
   * regressor (a Float64Array for one output, an n × k Matrix for several).
   * @param X - n × s0 examples as rows, raw features when the model has input scaling
   * @returns the predictions
   * @throws {@link BlasnetError} `ERR_BLASNET_NOT_FITTED` before the first fit
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` / `ERR_BLASNET_DETACHED`; {@link BlasnetRangeError}
   *   `ERR_BLASNET_SHAPE`, `ERR_BLASNET_NOT_FINITE` (an input, or a layer that overflows); `ERR_BLASNET_OUT_OF_MEMORY`
   * @example net.predictSync(Xtest);
   */
  predictSync(X: Matrix | number[][] | Table | readonly Record<string, unknown>[]): Float64Array | string[] | boolean[] | Matrix {
    this.#check('predictSync');
    return this.#answer(this.#engine.predictSync(this.#theta, this.#inputs(X, 'X'), 'NeuralNetwork.predictSync'));
  }

  /**
   * `predictSync` off the main thread (X copied at the call; tiny jobs computed inline).
   * @param X - n × s0 examples as rows
   * @returns (a Promise of) the predictions
   * @throws (rejects) {@link BlasnetError} `ERR_BLASNET_NOT_FITTED` before the first fit; `ERR_BLASNET_SHAPE`, `ERR_BLASNET_NOT_FINITE`, `ERR_BLASNET_OUT_OF_MEMORY`, as `predictSync`
   * @example const labels = await net.predict(Xtest);
   */
  predict(X: Matrix | number[][] | Table | readonly Record<string, unknown>[]): Promise<Float64Array | string[] | boolean[] | Matrix> {
    try {
      this.#check('predict');
      return this.#engine.predict(this.#theta, this.#inputs(X, 'X'), 'NeuralNetwork.predict', new Error()).then((A) => this.#answer(A));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Class probabilities, an n × k Matrix whose columns follow `classes` (binary: k = 2, column 1 the
   * sigmoid output; multi-label: one probability per label).
   * @param X - n × s0 examples as rows
   * @returns the probabilities
   * @throws {@link BlasnetError} `ERR_BLASNET_TASK` on a regressor; what `predictSync` throws
   * @example net.predictProbaSync(Xtest).get(0, 1);
   */
  predictProbaSync(X: Matrix | number[][] | Table | readonly Record<string, unknown>[]): Matrix {
    this.#check('predictProbaSync');
    if (this.task === 'regression') throw wrongTask('NeuralNetwork', 'predictProbaSync', this.task, 'a classifier (a sigmoid or softmax output with cross-entropy)');
    return this.#proba(this.#engine.predictSync(this.#theta, this.#inputs(X, 'X'), 'NeuralNetwork.predictProbaSync'), 'predictProbaSync');
  }

  /**
   * `predictProbaSync` off the main thread.
   * @param X - n × s0 examples as rows
   * @returns (a Promise of) the probabilities
   * @throws (rejects) {@link BlasnetError} `ERR_BLASNET_NOT_FITTED` before the first fit; `ERR_BLASNET_TASK` on a regressor, and what `predictProbaSync` throws
   * @example const P = await net.predictProba(Xtest);
   */
  predictProba(X: Matrix | number[][] | Table | readonly Record<string, unknown>[]): Promise<Matrix> {
    try {
      this.#check('predictProba');
      if (this.task === 'regression') throw wrongTask('NeuralNetwork', 'predictProba', this.task, 'a classifier (a sigmoid or softmax output with cross-entropy)');
      return this.#engine.predict(this.#theta, this.#inputs(X, 'X'), 'NeuralNetwork.predictProba', new Error()).then((A) => this.#proba(A, 'predictProba'));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The score of predictions against y: accuracy (subset accuracy for multi-label) or R² (uniform over outputs). */
  #score(pred: Float64Array | string[] | boolean[] | Matrix, y: unknown): number {
    if (this.task === 'regression') {
      const t = toTargets(y, 'y', pred instanceof Matrix ? pred.rows : pred.length, 'regression', this.spec.sizes[this.spec.sizes.length - 1]!, null);
      return r2Score(t.T.cols === 1 ? t.T.data : t.T, pred as Float64Array);
    }
    if (this.task === 'multilabel') {
      const P = pred as Matrix;
      return accuracyScore(toTargets(y, 'y', P.rows, 'multilabel', P.cols, this.#classes).T, P);
    }
    return labelAccuracy(y, pred as Float64Array, this.#classes!);
  }

  /**
   * The model's score on (X, y): accuracy for classifiers (subset accuracy for multi-label), R² for
   * regressors (uniform average over outputs), as scikit-learn defines them.
   * @param X - n × s0 examples as rows
   * @param y - the true targets, as for `fit`
   * @returns the score
   * @throws {@link BlasnetError} `ERR_BLASNET_NOT_FITTED` before the first fit; `ERR_BLASNET_SHAPE` for an X or a y of another shape, `ERR_BLASNET_NOT_FINITE`, `ERR_BLASNET_LABEL` for a y the task does not accept
   * @example net.scoreSync(Xtest, ytest);
   */
  scoreSync(X: Matrix | number[][] | Table | readonly Record<string, unknown>[], y?: unknown): number {
    this.#check('scoreSync');
    const { M, y: t } = this.#scoreData(X, y);
    return this.#score(this.#answer(this.#engine.predictSync(this.#theta, M, 'NeuralNetwork.scoreSync')), t);
  }

  /** The inputs and targets of a score: with a preprocessing and no y, the rows whose target column has a value. */
  #scoreData(X: unknown, y: unknown): { M: Matrix; y: unknown } {
    return modelRows(targetOmitted(y) ? this.#prep : null, this.#scaling, X, y, 'X', () => this.#inputs(X, 'X'), false);
  }

  /**
   * `scoreSync` off the main thread.
   * @param X - n × s0 examples as rows
   * @param y - the true targets
   * @returns (a Promise of) the score
   * @throws (rejects) {@link BlasnetError} `ERR_BLASNET_NOT_FITTED` before the first fit; `ERR_BLASNET_SHAPE`, `ERR_BLASNET_NOT_FINITE`, `ERR_BLASNET_LABEL`, as `scoreSync`
   * @example await net.score(Xtest, ytest);
   */
  async score(X: Matrix | number[][] | Table | readonly Record<string, unknown>[], y?: unknown): Promise<number> {
    this.#check('score');
    const { M, y: t } = this.#scoreData(X, y);
    return this.#score(this.#answer(await this.#engine.predict(this.#theta, M, 'NeuralNetwork.score', new Error())), t);
  }

  /**
   * A short description: kind, task, layers and activations, parameter count, classes, input scaling, backend.
   * @returns the text
   * @example console.log(net.summary());
   */
  summary(): string {
    const layers = this.spec.sizes.map((s, l) => (l === 0 ? `${s}` : `${s} ${this.spec.layers[l - 1]!.g.name}`)).join(' → ');
    return summaryText({
      kind: 'NeuralNetwork', task: this.task, layers: `${layers} (loss ${this.spec.loss})`, parameters: this.spec.nParams,
      classes: this.#classes, inputScaling: this.#scaling !== null, backend: this.backend,
      extra: this.#fitted ? (this.#targetScaling ? ['target scaling: standardize'] : []) : ['not fitted'],
    });
  }

  /**
   * The same text as `summary()`.
   * @returns the text
   * @example `${net}`
   */
  toString(): string {
    return this.summary();
  }

  /**
   * For gradientCheck: the engine, θ and the targets at the current state.
   * @internal
   */
  static evaluation(model: NeuralNetwork, X: unknown, y: unknown, options: unknown) {
    return model.#evaluation(X, y, options);
  }
}

/** Whether two class lists are the same labels in the same order. */
function sameClasses(a: Classes, b: Classes): boolean {
  return a.length === b.length && (a as unknown[]).every((c, i) => c === (b as unknown[])[i]);
}

/** The task a network's output and loss give. */
function taskOf(spec: NetSpec): Task {
  if (spec.loss === 'mse') return 'regression';
  const out = spec.layers[spec.layers.length - 1]!.g.name, sL = spec.sizes[spec.sizes.length - 1]!;
  if (out === 'softmax') return 'multiclass';
  return sL === 1 ? 'binary' : 'multilabel';
}

function defaultClasses(spec: NetSpec, task: Task): Classes {
  const sL = spec.sizes[spec.sizes.length - 1]!;
  return Array.from({ length: task === 'binary' ? 2 : sL }, (_, i) => i);
}

/**
 * Per-output mean and std of training targets, in two passes over their rows in order (the same
 * sums whether the rows come at once or in batches): add() every row for the mean, then deviate()
 * every row again for the standard deviation; a constant output gets std 1.
 */
class TargetScalingSums {
  readonly mean: Float64Array;
  readonly #sq: Float64Array;
  #n = 0;
  #m = 0;
  constructor(k: number) {
    this.mean = new Float64Array(k);
    this.#sq = new Float64Array(k);
  }
  add(T: Matrix): void {
    const k = T.cols, mean = this.mean;
    for (let j = 0; j < T.rows; j++) for (let i = 0; i < k; i++) mean[i] += T.data[j * k + i]!;
    this.#n += T.rows;
  }
  /** Ends the first pass: the mean. */
  means(): void {
    for (let i = 0; i < this.mean.length; i++) this.mean[i] = this.mean[i]! / this.#n;
  }
  deviate(T: Matrix): void {
    const k = T.cols, mean = this.mean, sq = this.#sq;
    for (let j = 0; j < T.rows; j++) for (let i = 0; i < k; i++) sq[i] += (T.data[j * k + i]! - mean[i]!) ** 2;
    this.#m += T.rows;
  }
  scaling(): TargetScaling {
    const std = new Float64Array(this.mean.length);
    for (let i = 0; i < std.length; i++) {
      const s = Math.sqrt(this.#sq[i]! / this.#m);
      std[i] = s > 0 && Number.isFinite(s) ? s : 1;
    }
    return { mean: this.mean, std };
  }
}

/** Per-output mean and std of the training targets; a constant output gets std 1. */
function learnTargetScaling(T: Matrix): TargetScaling {
  const sums = new TargetScalingSums(T.cols);
  sums.add(T);
  sums.means();
  sums.deviate(T);
  return sums.scaling();
}

function scaleTargets(T: Matrix, s: TargetScaling): Matrix {
  const k = T.cols, out = new Matrix(T.rows, k);
  for (let q = 0; q < T.data.length; q++) out.data[q] = (T.data[q]! - s.mean[q % k]!) / s.std[q % k]!;
  return out;
}

function unscaleTargets(A: Matrix, s: TargetScaling): Matrix {
  const k = A.cols, out = new Matrix(A.rows, k);
  for (let q = 0; q < A.data.length; q++) out.data[q] = A.data[q]! * s.std[q % k]! + s.mean[q % k]!;
  return out;
}

/** `preprocessing`: the input scaling (lib/scaling.ts) and a regressor's target scaling. */
function readPreprocessing(value: unknown, spec: NetSpec, src: string): { inputScaling: InputScaling | null; targetScaling: TargetScaling | null; tabular: TabularJSON | null } {
  if (value === undefined) return { inputScaling: null, targetScaling: null, tabular: null };
  const p = plainObject(value, src, 'preprocessing');
  exactKeys(p, src, 'preprocessing', [], ['inputScaling', 'targetScaling', 'tabular']);
  const inputScaling = p.inputScaling === undefined ? null : preprocessingFromJSON({ inputScaling: p.inputScaling }, spec.sizes[0]!, src);
  const tabular = p.tabular === undefined ? null : tabularFromJSON(p.tabular, spec.sizes[0]!, src);
  if (p.targetScaling === undefined) return { inputScaling, targetScaling: null, tabular };
  if (spec.loss !== 'mse') throw blasnetError('ERR_BLASNET_FORMAT', `${src}: preprocessing.targetScaling is only for a regressor (loss 'mse'), got loss '${spec.loss}'`);
  const t = plainObject(p.targetScaling, src, 'preprocessing.targetScaling');
  exactKeys(t, src, 'preprocessing.targetScaling', ['mean', 'std'], ['mean', 'std']);
  const sL = spec.sizes[spec.sizes.length - 1]!;
  checkLength(t.mean, sL, src, 'preprocessing.targetScaling.mean', `${sL} values (one per output)`);
  checkLength(t.std, sL, src, 'preprocessing.targetScaling.std', `${sL} values (one per output)`);
  checkFinite(t.mean, src, 'preprocessing.targetScaling.mean');
  checkFinite(t.std, src, 'preprocessing.targetScaling.std');
  if (t.std.some((v) => !(v > 0))) throw blasnetError('ERR_BLASNET_FORMAT', `${src}: preprocessing.targetScaling.std must hold values > 0`);
  return { inputScaling, targetScaling: { mean: Float64Array.from(t.mean), std: Float64Array.from(t.std) }, tabular };
}

function activationOption(a: unknown): { name: ActivationName; alpha?: number } {
  const o = a as { name: ActivationName; alpha?: number };
  return o.alpha === undefined ? { name: o.name } : { name: o.name, alpha: o.alpha };
}

/** The same error class and code with the source prefixed and option names mapped to the file's. */
function renamed(e: unknown, src: string, map: (m: string) => string): unknown {
  if (e instanceof BlasnetTypeError) return new BlasnetTypeError(e.code, `${src}: invalid architecture: ${map(e.message)}`);
  if (e instanceof BlasnetRangeError) return new BlasnetRangeError(e.code, `${src}: invalid architecture: ${map(e.message)}`);
  return e;
}

/**
 * Initial θ (docs/math.md, "Initialization"): He-normal (std √(2/s_{l−1})) for relu / leaky-relu layers,
 * Glorot-uniform (limit √(6/(s_{l−1}+s_l))) otherwise, biases zero; drawn layer by layer, row-major,
 * from Random(seed), so every machine and both backends start from the same bits.
 */
export function initialParameters(spec: NetSpec, seed: number): Float64Array {
  const rng = new Random(seed);
  const theta = new Float64Array(spec.nParams);
  for (const layer of spec.layers) {
    const he = layer.g.name === 'relu' || layer.g.name === 'leaky-relu';
    const std = Math.sqrt(2 / layer.in), limit = Math.sqrt(6 / (layer.in + layer.out));
    for (let k = layer.W; k < layer.b; k++) theta[k] = he ? std * rng.normal() : rng.uniform(-limit, limit);
  }
  return theta;
}

