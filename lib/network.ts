// NeuralNetwork (seed section 2, generalized to any depth). Validates and normalises in TS; the
// native backend (native/network.cc) or the reference one (lib/reference/network.ts) computes.
// Parameters live in one block θ owned here; a fit trains a copy and installs it when it settles.
// Serializes and rebuilds its own body (toJSON / fromJSON) through lib/format.ts; never does file I/O
// itself (lib/fileio.ts) and never imports another model.
import { abortError, busyError, jobFlag, withCallerStack } from './async.js';
import { resolveBackend, type BackendName, type BackendOption } from './backend.js';
import { BlasnetRangeError, BlasnetTypeError, DivergenceError, describe } from './errors.js';
import { checkPath, writeFileAtomic } from './fileio.js';
import {
  checkFinite, checkFromJSONOptions, checkLength, checkModelJSON, exactKeys, finiteArray, metadata, modelText, MODEL_FORMAT, plainObject, readModelFile,
  type ModelDocument, type ModelFromJSONOptions, type ModelLoadOptions, type NetworkModelJSON,
} from './format.js';
import { Matrix } from './matrix.js';
import { checkJobMemory, networkCostGradBytes, networkFitBytes, networkPredictBytes } from './memory.js';
import type { NativeNet, NativeTrainResult, ProgressRecord } from './native.js';
import { applyInputScaling, checkInputScaling, copyInputScaling, preprocessingFromJSON, preprocessingToJSON, type InputScaling, type InputScalingOption } from './scaling.js';
import { Random } from './random.js';
import { runFit, type FitJob, type FitOutcome } from './reference/jobs.js';
import { netCostGrad, netPredict } from './reference/network.js';
import { runInWorker } from './reference/pool.js';
import type { Rows, TrainConfig, TrainRecord } from './reference/trainer.js';
import {
  ACTIVATION_CODE, LOSS_CODE, makeSpec, type ActivationName, type ActivationOption, type HiddenActivationName, type LossName, type NetSpec,
} from './spec.js';
import {
  checkFiniteCost, checkKnownKeys, checkOptionsObject, integerInRange, isDetached, nonNegativeNumber, oneOf, optionalFunction, optionalSignal, positiveNumber, toMatrix,
} from './validate.js';
import {
  checkScheduleAgainstRate, nativeConfig, parseSharedOptions, progressRecord, resultFields, rowWeights, SHARED_FIT_KEYS, splitData,
  type EarlyStoppingOption, type FitProgress, type PlateauOption, type ScheduleOption, type TrainingResultFields,
} from './training.js';

/**
 * The optimizers of `fit`: gradient descent, momentum, Adam (mini-batches or full batch), L-BFGS (full batch).
 * @example net.fitSync(X, y, { optimizer: 'adam', batchSize: 32 });
 */
export type OptimizerName = 'gd' | 'momentum' | 'adam' | 'lbfgs';

/**
 * The options of `new NeuralNetwork(options)`: the architecture, the loss, the seed and the backend.
 * @example const options: NeuralNetworkOptions = { layers: [30, 16, 1], hidden: 'relu', output: 'sigmoid', seed: 1 };
 */
export interface NeuralNetworkOptions {
  /** Layer sizes [s0, s1, …, sL]: s0 inputs, sL outputs. The seed's network is [s0, s1, 1]. */
  layers: number[];
  /** Hidden activation, one for all hidden layers or one per hidden layer. Default 'tanh'. */
  hidden?: ActivationOption<HiddenActivationName> | ActivationOption<HiddenActivationName>[];
  /** Output activation. Default 'sigmoid'. */
  output?: ActivationOption<ActivationName>;
  /** 'cross-entropy' (with a sigmoid or softmax output) or 'mse'. Default 'cross-entropy'. */
  loss?: LossName;
  /** Seed of the weight initialization (and of shuffling). Default 0. */
  seed?: number;
  /** 'auto' | 'native' | 'reference'. Default 'auto'. */
  backend?: BackendOption;
}

/**
 * The options of `fitSync` (and `fit`): the optimizer and its settings, and the training options both models share.
 * @example net.fitSync(X, y, { epochs: 50, batchSize: 32, optimizer: 'adam', validationSplit: 0.2, earlyStopping: {} });
 */
export interface NetworkFitOptions {
  /** Passes over the data. Default 100. */
  epochs?: number;
  /** Step size. Default 0.01 for 'gd' and 'momentum', 0.001 for 'adam'. */
  learningRate?: number;
  /** Examples per gradient step. Default: all of them (the seed's full-batch gradient descent). */
  batchSize?: number;
  /** Shuffle the examples before each epoch (seeded) when batches are smaller than the set. Default true. */
  shuffle?: boolean;
  /**
   * 'gd' (default), 'momentum' (v ← βv + g, θ ← θ − αv), 'adam' (bias-corrected), or 'lbfgs'
   * (full batch; `epochs` is then the iteration cap and `tolerance` the gradient-norm target).
   */
  optimizer?: OptimizerName;
  /** L-BFGS only: stop when ‖∂J/∂θ‖∞ ≤ tolerance. Default 1e-6. */
  tolerance?: number;
  /** Momentum β. Default 0.9. */
  momentum?: number;
  /** Adam β1. Default 0.9. */
  beta1?: number;
  /** Adam β2. Default 0.999. */
  beta2?: number;
  /** Adam ε. Default 1e-8. */
  epsilon?: number;
  /** Weight decay λ: J += (λ/2)·Σ‖W‖² (weights only). Default 0. */
  l2?: number;
  /** Record the cost every `recordEvery` epochs, from epoch 0. Default 1. */
  recordEvery?: number;
  /** Called with each record, on the main thread. `iteration` is the epoch. */
  onProgress?: (progress: FitProgress) => void;
  /** Held-out data evaluated at every record (not trained on). Exclusive with validationSplit. */
  validation?: {
    /** The held-out examples, as rows. */
    X: Matrix | number[][];
    /** Their targets, in any form `fit` accepts. */
    Y: Targets;
  };
  /**
   * Hold out this fraction of the rows, in (0, 1): a random subset drawn from the network's seed
   * (the same rows at every fit of the same model and data), not trained on.
   */
  validationSplit?: number;
  /** Stop after `patience` records without improvement; by default restore the best record's parameters. */
  earlyStopping?: EarlyStoppingOption;
  /** A learning-rate schedule over the epochs. */
  schedule?: ScheduleOption;
  /** Multiply the learning rate by `factor` after `patience` records without improvement. */
  reduceOnPlateau?: PlateauOption;
  /** Per-row weights, n finite numbers ≥ 0, not all 0: J = Σ w_j L_j / Σ w_j (per batch). */
  sampleWeight?: Float64Array | number[];
  /** One weight per class (2 for one sigmoid output, s_L for softmax), or 'balanced' (w_c = n / (k · n_c)); multiplies sampleWeight. */
  classWeight?: number[] | Float64Array | 'balanced';
}

/**
 * The options of `fit`: those of `fitSync` and an AbortSignal.
 * @example await net.fit(X, y, { epochs: 10, signal: controller.signal });
 */
export interface NetworkAsyncFitOptions extends NetworkFitOptions {
  /** Aborts the fit within one batch; `fit` then rejects with an AbortError. */
  signal?: AbortSignal;
}

export interface NetworkFitResult extends TrainingResultFields {
  /** The cost every `recordEvery` epochs: the size-weighted mean of the epoch's batch costs. */
  costs: number[];
  /** Completed epochs (L-BFGS: iterations). */
  epochs: number;
  /** Optimizer steps (batches; L-BFGS: iterations). */
  steps: number;
  /** The epoch of the best record (with earlyStopping). */
  bestEpoch?: number;
}

/**
 * Targets: a Matrix n × sL, or for one output a vector of n values, or for softmax a vector of class indices.
 * @example const Y: Targets = [0, 2, 1]; // class indices for a 3-way softmax network
 */
export type Targets = Matrix | Float64Array | number[] | number[][];

const OPTION_KEYS = ['layers', 'hidden', 'output', 'loss', 'seed', 'backend'] as const;
const FIT_KEYS = ['epochs', 'learningRate', 'batchSize', 'shuffle', 'optimizer', 'tolerance', 'momentum', 'beta1', 'beta2', 'epsilon', 'l2', 'recordEvery', 'onProgress', ...SHARED_FIT_KEYS] as const;
const ASYNC_FIT_KEYS = [...FIT_KEYS, 'signal'] as const;
const OPTIMIZERS: readonly OptimizerName[] = ['gd', 'momentum', 'adam', 'lbfgs'];

interface Prepared {
  config: TrainConfig;
  onProgress: ((p: FitProgress) => void) | undefined;
  train: Rows;
  validation: Rows | null;
}

/** Module-internal access for gradientCheck and persistence (not exported from the package). */
// Assigned in NeuralNetwork's static block.
// eslint-disable-next-line prefer-const
export let internals: {
  theta(net: NeuralNetwork): Float64Array;
  setTheta(net: NeuralNetwork, theta: Float64Array): void;
  costGrad(net: NeuralNetwork, theta: Float64Array, M: Matrix, T: Matrix, l2: number, weight?: Float64Array | null): { cost: number; grad: Float64Array };
  checkData(net: NeuralNetwork, X: unknown, Y: unknown): { M: Matrix; T: Matrix };
};

/**
 * A dense network of any depth trained by backpropagation (seed section 2).
 *
 * @example
 * const net = new NeuralNetwork({ layers: [2, 4, 1], hidden: 'tanh', seed: 1 });
 * await net.fit(X, y, { epochs: 2000, learningRate: 0.5 });
 * const classes = net.predictClassSync(X);
 */
export class NeuralNetwork {
  /** The validated description: sizes, activations, loss, θ layout. */
  readonly spec: NetSpec;
  /** The seed of the weight initialization, the shuffle stream and validation splits. */
  readonly seed: number;
  /** The backend in use: 'native' or 'reference'. */
  readonly backend: BackendName;
  readonly #native: NativeNet | null;
  /**
   * The parameters. Never written in place once installed: every change (fit, setParameters, reset)
   * installs a new array. The native async predict relies on it: it reads the θ of its call in
   * place, without a copy, while the event loop goes on (test/borrowed-theta.test.ts).
   */
  #theta: Float64Array;
  #busy = false;
  /** Fits that completed (settled without an error): the next fit's shuffle stream derives from it. Saved as training.completedFits. */
  #fits = 0;
  #scaling: InputScaling | null = null;

  /**
   * Builds a network and draws its initial parameters from `seed` (He-normal before relu / leaky-relu,
   * Glorot-uniform otherwise; biases zero).
   * @param options - `layers` [s0, …, sL] (required), `hidden`, `output`, `loss`, `seed`, `backend`
   * @throws {@link BlasnetTypeError} / {@link BlasnetRangeError} `ERR_BLASNET_CONFIG` for an invalid
   *   architecture, activation (a leaky-relu slope outside [0, 1]) or (output, loss) pairing;
   *   `ERR_BLASNET_ARG_TYPE` for an unknown option; `ERR_BLASNET_ARG_RANGE` for a bad seed
   * @throws {@link BlasnetError} `ERR_BLASNET_NATIVE_UNAVAILABLE` for backend 'native' without the addon
   * @example const net = new NeuralNetwork({ layers: [784, 128, 10], hidden: 'relu', output: 'softmax', seed: 1 });
   */
  constructor(options: NeuralNetworkOptions) {
    const o = checkOptionsObject(options, 'options');
    checkKnownKeys(o, 'options', OPTION_KEYS);
    this.spec = makeSpec(o.layers, o.hidden, o.output, o.loss);
    this.seed = integerInRange(o.seed, 'options.seed', 0, 0, 0xffffffff);
    const backend = resolveBackend(o.backend);
    this.backend = backend.name;
    this.#native = backend.addon
      ? new backend.addon.NativeNet(
        this.spec.sizes,
        this.spec.layers.map((l) => ACTIVATION_CODE[l.g.name]),
        this.spec.layers.map((l) => l.g.alpha),
        LOSS_CODE[this.spec.loss],
      )
      : null;
    this.#theta = initialParameters(this.spec, this.seed);
  }

  /** Layer sizes [s0, …, sL]. */
  get layers(): number[] {
    return [...this.spec.sizes];
  }

  /** True while a fit runs. */
  get busy(): boolean {
    return this.#busy;
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
   * @param parameters - `W`: one array per layer of s_l × s_{l−1} finite values; `b`: one array of s_l per layer
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` for a wrong type; {@link BlasnetRangeError}
   *   `ERR_BLASNET_SHAPE` for a wrong layer count or length, `ERR_BLASNET_NOT_FINITE` for a non-finite
   *   value; {@link BlasnetError} `ERR_BLASNET_BUSY` during a fit
   * @example net.setParameters({ W: [[0.1, -0.2, 0.3, 0.4], [1, -1]], b: [[0, 0], [0]] }); // layers [2, 2, 1]
   */
  setParameters(parameters: { W: ArrayLike<number>[]; b: ArrayLike<number>[] }): void {
    if (this.#busy) throw busyError('NeuralNetwork', 'setParameters');
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
   * Makes the network standardize its inputs: from now on every method that takes X (fit, fitSync,
   * costAndGradients, predict*, score*, gradientCheck) takes raw features and computes
   * (x − mean) / std first, exactly as `Standardizer.transform` does, into a new matrix (the caller's
   * X is never changed). Saved and loaded with the model (`preprocessing.inputScaling`). Copied.
   * @param scaling - a Standardizer, `{ mean, std }` (Float64Array or number[] of s0 values; finite;
   *   std > 0), or null to remove it
   * @throws {TypeError} ERR_BLASNET_ARG_TYPE for a wrong type; ERR_BLASNET_DETACHED for a detached buffer
   * @throws {RangeError} ERR_BLASNET_SHAPE for a length other than s0; ERR_BLASNET_NOT_FINITE for a
   *   non-finite value; ERR_BLASNET_ARG_RANGE for a std ≤ 0
   * @throws {BlasnetError} ERR_BLASNET_BUSY during a fit
   * @example
   * net.setInputScaling(Standardizer.fit(Xtrain));
   * await net.fit(Xtrain, ytrain, { epochs: 50 }); // raw features
   * net.predictClassSync(Xtest);                  // raw features too
   */
  setInputScaling(scaling: InputScalingOption): void {
    if (this.#busy) throw busyError('NeuralNetwork', 'setInputScaling');
    this.#scaling = checkInputScaling(scaling, this.spec.sizes[0]!, 'scaling');
  }

  /**
   * The network as a versioned JSON object (format 'blasnet-model', see lib/format.ts): architecture,
   * seed, completed fits, exact parameters and input scaling. The arrays are copies.
   * @returns the JSON-ready object (write it with `save`, which keeps −0; JSON.stringify writes it as 0)
   * @example const copy = NeuralNetwork.fromJSON(net.toJSON());
   */
  toJSON(): NetworkModelJSON {
    const spec = this.spec;
    const { W, b } = this.parameters;
    const json: NetworkModelJSON = {
      format: MODEL_FORMAT,
      version: 1,
      kind: 'neural-network',
      metadata: metadata(),
      architecture: {
        layers: [...spec.sizes],
        activations: spec.layers.map((l) => (l.g.name === 'leaky-relu' ? { name: l.g.name, alpha: l.g.alpha } : { name: l.g.name })),
        loss: spec.loss,
      },
      training: this.#fits === 0 ? { seed: this.seed } : { seed: this.seed, completedFits: this.#fits },
      parameters: { W: W.map((a, l) => finiteArray(a, `parameters.W[${l}]`)), b: b.map((a, l) => finiteArray(a, `parameters.b[${l}]`)) },
    };
    const preprocessing = preprocessingToJSON(this.#scaling);
    if (preprocessing) json.preprocessing = preprocessing;
    return json;
  }

  /**
   * Saves the network atomically: a temporary file in the same folder, fsync, rename, folder fsync;
   * a crash at any moment leaves the old file or the complete new one, never a torn one. The
   * parameters are those of the moment of the call (a fit running meanwhile is not waited for).
   * @param path - a file path or a file: URL
   * @throws {TypeError} ERR_BLASNET_ARG_TYPE for a bad path
   * @throws {RangeError} ERR_BLASNET_ARG_RANGE for a network too large for one JSON text (~25 million parameters)
   * @throws {Error} the file system's error (ENOENT, EACCES, EISDIR, …) naming the path
   * @example await net.save('net.json');
   */
  async save(path: string | URL): Promise<void> {
    const target = checkPath(path);
    const text = modelText(this.toJSON()); // serialize fully (and synchronously) before touching the disk
    await writeFileAtomic(target, text, 'the model');
  }

  /**
   * Rebuilds a network from `toJSON()`'s output (or JSON.parse of a saved file), validating everything
   * before allocating θ: the tree and its bounds, format, version, kind, the architecture (the
   * constructor's rules), training fields, each parameter array's length against the architecture and
   * every value finite, the input scaling.
   * @param json - the model object
   * @param options - `{ backend? }` of the rebuilt network
   * @returns a new NeuralNetwork
   * @throws {TypeError|RangeError} ERR_BLASNET_FORMAT (not a tree of plain JSON within MODEL_JSON_LIMITS:
   *   a cycle, a shared sub-object, too deep or too large; format, version, kind, structure, unknown or
   *   forbidden keys), ERR_BLASNET_CONFIG (architecture), ERR_BLASNET_ARG_TYPE / ERR_BLASNET_ARG_RANGE
   *   (training fields, options), ERR_BLASNET_SHAPE (a length), ERR_BLASNET_NOT_FINITE (a value)
   * @example const net = NeuralNetwork.fromJSON(JSON.parse(text), { backend: 'reference' });
   */
  static fromJSON(json: unknown, options?: ModelFromJSONOptions): NeuralNetwork {
    const { backend } = checkFromJSONOptions(options);
    return NeuralNetwork.#fromDocument(checkModelJSON(json, 'model JSON', 'neural-network'), backend);
  }

  /**
   * Loads a network saved by `save`: the file's size is checked against options.maxBytes before it is
   * read, then it is parsed and validated as in `fromJSON`; every message starts with the path.
   * @param path - a file path or a file: URL
   * @param options - `{ backend?, maxBytes? }` (maxBytes default 256 MiB)
   * @returns the network
   * @throws {Error} the file system's error (ENOENT, EISDIR, …) naming the path
   * @throws {RangeError} ERR_BLASNET_ARG_RANGE for a file above options.maxBytes
   * @throws {BlasnetError} ERR_BLASNET_FORMAT for an empty, truncated, non-UTF-8 or non-JSON file, or one
   *   holding a logistic regression; and everything `fromJSON` throws
   * @example const net = await NeuralNetwork.load('net.json');
   */
  static async load(path: string | URL, options?: ModelLoadOptions): Promise<NeuralNetwork> {
    const { doc, backend } = await readModelFile(path, options, 'neural-network');
    return NeuralNetwork.#fromDocument(doc, backend);
  }

  /** The body of a neural-network document (lib/format.ts); the architecture first: it alone gives every expected length. */
  static #fromDocument(doc: ModelDocument, backend: ModelFromJSONOptions['backend']): NeuralNetwork {
    const { root, src } = doc;
    const arch = plainObject(root.architecture, src, 'architecture');
    exactKeys(arch, src, 'architecture', ['layers', 'activations', 'loss'], ['layers', 'activations', 'loss']);
    const layers = arch.layers, activations = arch.activations;
    if (!Array.isArray(layers)) throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `${src}: architecture.layers must be an array of layer sizes [s0, …, sL], got ${describe(layers)}`);
    const L = layers.length - 1;
    if (!Array.isArray(activations) || activations.length !== L || L < 1) {
      throw new BlasnetRangeError('ERR_BLASNET_CONFIG',
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
    exactKeys(training, src, 'training', ['seed'], ['seed', 'completedFits']);
    const seed = integerInRange(training.seed, `${src}: training.seed`, 0, 0, 0xffffffff);
    const completedFits = integerInRange(training.completedFits, `${src}: training.completedFits`, 0, 0);

    const params = plainObject(root.parameters, src, 'parameters');
    exactKeys(params, src, 'parameters', ['W', 'b'], ['W', 'b']);
    const W = params.W, b = params.b;
    const shapes = `layers [${spec.sizes.join(', ')}]`;
    for (const [key, list] of [['W', W], ['b', b]] as const) {
      if (!Array.isArray(list)) throw new BlasnetTypeError('ERR_BLASNET_FORMAT', `${src}: parameters.${key} must be an array of ${L} arrays (one per layer), got ${describe(list)}`);
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
    const scaling = preprocessingFromJSON(root.preprocessing, spec.sizes[0]!, src);

    // Everything is valid: now build (this allocates θ) and install the parameters (copied).
    const hidden = activations.slice(0, L - 1).map(activationOption);
    const net = new NeuralNetwork({
      layers: spec.sizes, hidden, output: activationOption(activations[L - 1]), loss: spec.loss, seed, backend,
    } as NeuralNetworkOptions);
    net.setParameters({ W: W as number[][], b: b as number[][] });
    net.#fits = completedFits;
    net.#scaling = scaling;
    return net;
  }

  /**
   * Draws the initial parameters again from the seed (He / Glorot, biases zero).
   * @throws {@link BlasnetError} `ERR_BLASNET_BUSY` during a fit
   * @example net.reset(); // back to the parameters the constructor drew
   */
  reset(): void {
    if (this.#busy) throw busyError('NeuralNetwork', 'reset');
    this.#theta = initialParameters(this.spec, this.seed);
  }

  /**
   * J at the current parameters and its gradients, in the shapes of `parameters`.
   * @param X - the examples, as rows
   * @param Y - the targets, as for `fit`
   * @param options - `l2`: weight decay λ included in J and the gradients (default 0); `sampleWeight`:
   *   n weights ≥ 0, J then being Σ w_j L_j / Σ w_j as a weighted fit minimizes it
   * @returns J, ∂J/∂W[l] and ∂J/∂b[l]
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` for an unknown option or a wrong type;
   *   {@link BlasnetRangeError} `ERR_BLASNET_ARG_RANGE` for a negative l2 or weight, `ERR_BLASNET_SHAPE`
   *   for a wrong length, and what `fit` throws for X and Y; `ERR_BLASNET_NOT_FINITE` when J or a
   *   gradient overflows (finite but huge inputs, targets or parameters)
   * @example const { cost, dW, db } = net.costAndGradients(X, Y);
   */
  costAndGradients(X: Matrix | number[][], Y: Targets, options: { l2?: number; sampleWeight?: Float64Array | number[] } = {}): {
    /** J */
    cost: number;
    /** ∂J/∂W[l], row-major s_l × s_{l−1} */
    dW: Float64Array[];
    /** ∂J/∂b[l] */
    db: Float64Array[];
  } {
    const o = checkOptionsObject(options, 'options');
    checkKnownKeys(o, 'options', ['l2', 'sampleWeight']);
    const l2 = nonNegativeNumber(o.l2, 'options.l2', 0);
    const { M, T } = this.#checkData(X, Y);
    const weight = rowWeights({ sampleWeight: o.sampleWeight }, M.rows, null, 0);
    checkJobMemory(`NeuralNetwork.costAndGradients on ${M.rows} examples`, networkCostGradBytes(this.spec, M.rows), 'evaluate it on fewer examples at a time');
    const { cost, grad } = this.#costGrad(this.#theta, M, T, l2, weight);
    checkFiniteCost('NeuralNetwork', cost, grad);
    return {
      cost,
      dW: this.spec.layers.map((l) => grad.slice(l.W, l.b)),
      db: this.spec.layers.map((l) => grad.slice(l.b, l.b + l.out)),
    };
  }

  #costGrad(theta: Float64Array, M: Matrix, T: Matrix, l2: number, weight: Float64Array | null = null): { cost: number; grad: Float64Array } {
    if (this.#native) return this.#native.costGrad(theta, M.data, M.rows, T.data, l2, weight ?? undefined);
    const grad = new Float64Array(this.spec.nParams);
    const cost = netCostGrad(this.spec, theta, M.data, T.data, M.rows, l2, grad, weight);
    return { cost, grad };
  }

  /**
   * Trains on the calling thread (blocks it); continues from the current parameters.
   * @param X - n × s0 examples as rows
   * @param Y - the targets (see Targets)
   * @param options - the optimizer and the training options: see NetworkFitOptions
   * @returns the recorded costs, epochs and steps, why the fit stopped, and the validation,
   *   learning-rate and early-stopping figures
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` for an unknown option, an option of the
   *   wrong type or options that exclude each other; {@link BlasnetRangeError} `ERR_BLASNET_ARG_RANGE`
   *   for an option out of range, `ERR_BLASNET_SHAPE` / `ERR_BLASNET_NOT_FINITE` / `ERR_BLASNET_LABEL`
   *   for X, Y, the validation rows or the weights
   * @throws {@link BlasnetError} `ERR_BLASNET_BUSY` while another fit runs; `ERR_BLASNET_DIVERGED` when
   *   the cost stops being finite
   * @example const { costs, validationCosts } = net.fitSync(X, y, { epochs: 100, validationSplit: 0.2 });
   */
  fitSync(X: Matrix | number[][], Y: Targets, options: NetworkFitOptions = {}): NetworkFitResult {
    const p = this.#prepareFit(X, Y, options, FIT_KEYS);
    if (this.#busy) throw busyError('NeuralNetwork', 'fitSync');
    this.#checkFitMemory(p);
    this.#busy = true;
    try {
      const { train, validation, onProgress } = p;
      if (this.#native) {
        const r = this.#native.fitSync(this.#theta, train.X, train.n, train.Y, nativeConfig(p.config, validation, train.weight),
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
   * Trains off the main thread (one native AsyncWorker runs the whole loop; on the reference backend,
   * a worker thread). X and Y are copied when the call is made. Until the fit settles, predictions
   * use the previous parameters; then the trained ones are installed at once.
   * @param X - n × s0 examples as rows
   * @param Y - the targets (see Targets)
   * @param options - those of `fitSync`, and `signal`
   * @returns (a Promise of) what `fitSync` returns
   * @throws (rejects) {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` for an unknown option, an option of the
   *   wrong type or options that exclude each other; {@link BlasnetRangeError} `ERR_BLASNET_ARG_RANGE`
   *   for an option out of range, `ERR_BLASNET_SHAPE` / `ERR_BLASNET_NOT_FINITE` / `ERR_BLASNET_LABEL`
   *   for X, Y, the validation rows or the weights
   * @throws (rejects) {@link BlasnetError} `ERR_BLASNET_BUSY` while another fit runs, `ERR_BLASNET_DIVERGED`
   *   when the cost stops being finite; an AbortError (`ABORT_ERR`) when `signal` fires (the model keeps
   *   its last completed step)
   * @example await net.fit(X, Y, { epochs: 10, batchSize: 64, optimizer: 'adam', onProgress: console.log });
   */
  fit(X: Matrix | number[][], Y: Targets, options: NetworkAsyncFitOptions = {}): Promise<NetworkFitResult> {
    const caller = new Error();
    try {
      const p = this.#prepareFit(X, Y, options, ASYNC_FIT_KEYS);
      const signal = optionalSignal(checkOptionsObject(options, 'options').signal, 'options.signal');
      if (this.#busy) throw busyError('NeuralNetwork', 'fit');
      if (signal?.aborted) throw abortError(signal);
      this.#checkFitMemory(p);
      this.#busy = true;
      const job = this.#native ? this.#fitNative(p, signal) : this.#fitReference(p, signal);
      return withCallerStack(job.finally(() => { this.#busy = false; }), caller);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async #fitNative(p: Prepared, signal: AbortSignal | undefined): Promise<NetworkFitResult> {
    const { flag: cancel, release } = jobFlag();
    const onAbort = () => { cancel[0] = 1; };
    signal?.addEventListener('abort', onAbort, { once: true });
    let r: NativeTrainResult;
    try {
      const { train, validation, onProgress } = p;
      r = await this.#native!.fit(this.#theta, train.X, train.n, train.Y, nativeConfig(p.config, validation, train.weight),
        onProgress ? (rec: ProgressRecord) => onProgress(progressRecord(rec)) : undefined, cancel);
    } finally {
      release();
      signal?.removeEventListener('abort', onAbort);
    }
    if (r.status === 'aborted') {
      this.#theta = r.theta;
      throw abortError(signal!);
    }
    return this.#finish(r, p);
  }

  async #fitReference(p: Prepared, signal: AbortSignal | undefined): Promise<NetworkFitResult> {
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
      this.#theta = r.theta;
      throw abortError(signal!);
    }
    return this.#finish(r, p);
  }

  /** A reference fit job on copies of the fit's rows and θ (it may be handed to a worker thread). */
  #job(p: Prepared): FitJob {
    const copy = (r: Rows): Rows => ({ X: r.X.slice(), Y: r.Y.slice(), weight: r.weight ? r.weight.slice() : null, n: r.n });
    return { model: { kind: 'network', spec: this.spec }, theta: this.#theta.slice(), train: copy(p.train),
      validation: p.validation ? copy(p.validation) : null, config: p.config };
  }

  // A fit that completes counts towards the next fit's shuffle stream (see #prepareFit); a rejected,
  // aborted or diverged one does not.
  #finish(r: NativeTrainResult | FitOutcome, p: Prepared): NetworkFitResult {
    this.#theta = r.theta;
    if (r.status === 'diverged') throw new DivergenceError(r.steps, r.lastCost);
    this.#fits++;
    const out: NetworkFitResult = { costs: Array.from(r.costs), epochs: r.epochs, steps: r.steps, ...resultFields(r, p.config, p.validation !== null) };
    if (p.config.earlyStopping && r.bestEpoch !== undefined) out.bestEpoch = r.bestEpoch;
    return out;
  }

  #checkFitMemory(p: Prepared): void {
    const c = p.config, n = p.train.n + (p.validation ? p.validation.n : 0);
    checkJobMemory(`NeuralNetwork.fit on ${p.train.n} examples in batches of ${c.batchSize === 0 ? p.train.n : Math.min(c.batchSize, p.train.n)}`,
      networkFitBytes(this.spec, n, c.batchSize, c.epochs, c.recordEvery, c.optimizer),
      'train in mini-batches (options.batchSize), on fewer examples, or with a smaller network');
  }

  #prepareFit(X: unknown, Y: unknown, options: unknown, keys: readonly string[]): Prepared {
    const o = checkOptionsObject(options, 'options');
    checkKnownKeys(o, 'options', keys);
    const optimizer = oneOf(o.optimizer, 'options.optimizer', OPTIMIZERS, 'gd');
    const lbfgs = optimizer === 'lbfgs';
    if (lbfgs) {
      for (const key of ['learningRate', 'batchSize', 'momentum', 'beta1', 'beta2', 'epsilon', 'schedule', 'reduceOnPlateau'] as const) {
        if (o[key] !== undefined) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.${key} does not apply to optimizer 'lbfgs' (full batch, line search), got ${describe(o[key])}`);
      }
    } else if (o.tolerance !== undefined) {
      throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.tolerance applies to optimizer 'lbfgs' only, got ${describe(o.tolerance)} with optimizer '${optimizer}'`);
    }
    const batchSize = o.batchSize === undefined ? 0 : integerInRange(o.batchSize, 'options.batchSize', 0, 1);
    if (o.shuffle !== undefined && typeof o.shuffle !== 'boolean') {
      throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.shuffle must be a boolean, got ${describe(o.shuffle)}`);
    }
    const beta1 = unitInterval(o.beta1, 'options.beta1', 0.9);
    const beta2 = unitInterval(o.beta2, 'options.beta2', 0.999);
    const shared = parseSharedOptions(o, this.spec.loss === 'cross-entropy');
    const config: TrainConfig = {
      epochs: integerInRange(o.epochs, 'options.epochs', 100, 0),
      batchSize,
      shuffle: o.shuffle !== false,
      shuffleSeed: (this.seed + Math.imul(0x632be5ab, this.#fits + 1)) >>> 0,
      optimizer,
      learningRate: lbfgs ? 1 : positiveNumber(o.learningRate, 'options.learningRate', optimizer === 'adam' ? 0.001 : 0.01),
      beta: unitInterval(o.momentum, 'options.momentum', 0.9),
      beta1,
      beta2,
      eps: positiveNumber(o.epsilon, 'options.epsilon', 1e-8),
      l2: nonNegativeNumber(o.l2, 'options.l2', 0),
      recordEvery: integerInRange(o.recordEvery, 'options.recordEvery', 1, 1),
      tolerance: nonNegativeNumber(o.tolerance, 'options.tolerance', 1e-6),
      lbfgsMemory: 10,
      earlyStopping: shared.earlyStopping,
      schedule: shared.schedule,
      reduceOnPlateau: shared.reduceOnPlateau,
    };
    checkScheduleAgainstRate(config.schedule, config.learningRate);
    const onProgress = optionalFunction<(p: FitProgress) => void>(o.onProgress, 'options.onProgress');
    const { M, T } = this.#checkData(X, Y);
    const validation = shared.validation ? this.#checkData(shared.validation.X, shared.validation.Y, 'options.validation.Y', 'options.validation.X') : null;
    const weight = rowWeights(o, M.rows, this.#classOf(T), this.#classCount());
    const { train, validation: held } = splitData(M, T, weight, shared.validationSplit, this.seed, validation ? { X: validation.M, Y: validation.T } : null);
    return { config, onProgress, train, validation: held };
  }

  /** The number of classes for classWeight: 2 for one sigmoid output, sL for softmax, 0 for no classes. */
  #classCount(): number {
    const out = this.spec.layers[this.spec.layers.length - 1]!.g.name, sL = this.spec.sizes[this.spec.sizes.length - 1]!;
    if (this.spec.loss !== 'cross-entropy') return 0;
    return out === 'softmax' ? sL : sL === 1 ? 2 : 0;
  }

  /** The class of each target row (y ≥ 0.5 for one output, the first largest entry for softmax), or null. */
  #classOf(T: Matrix): ((j: number) => number) | null {
    const k = this.#classCount(), sL = T.cols, d = T.data;
    if (k === 0) return null;
    if (sL === 1) return (j) => (d[j]! >= 0.5 ? 1 : 0);
    return (j) => {
      let best = 0;
      for (let i = 1; i < sL; i++) if (d[j * sL + i]! > d[j * sL + best]!) best = i;
      return best;
    };
  }

  /** X (n × s0) and the targets as an n × sL Matrix, validated for the loss. */
  #checkData(X: unknown, Y: unknown, name = 'Y', xName = 'X'): { M: Matrix; T: Matrix } {
    const s0 = this.spec.sizes[0]!, sL = this.spec.sizes[this.spec.sizes.length - 1]!;
    const M = applyInputScaling(toMatrix(X, xName, { cols: s0 }), this.#scaling, xName);
    const T = toTargets(Y, name, M.rows, sL, this.spec);
    return { M, T };
  }

  /**
   * X for a prediction. On the native backend the finiteness of X is not scanned here: the first
   * layer's fused pass sees every non-finite input (it makes that example's pre-activations
   * non-finite) and the addon then names the offending row and column — a scan of X for free.
   * With an input scaling, the scaled copy (a non-finite input stays where it was).
   */
  #inputs(X: unknown): Matrix {
    return applyInputScaling(toMatrix(X, 'X', { cols: this.spec.sizes[0]!, finite: this.#native === null }), this.#scaling, 'X');
  }

  /**
   * The output activations A[L] for each row of X, as an n × sL Matrix, on the calling thread.
   * @param X - n × s0 examples as rows (Matrix or number[][]), raw features when the model has input scaling
   * @returns the n × sL outputs (probabilities for sigmoid / softmax outputs)
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` / `ERR_BLASNET_DETACHED` for an X of the wrong type
   *   or a detached buffer; {@link BlasnetRangeError} `ERR_BLASNET_SHAPE` for a wrong column count,
   *   `ERR_BLASNET_NOT_FINITE` for a non-finite value in X or a layer whose pre-activations overflow
   *   (the error names the layer; an overflow is never returned as an output); {@link BlasnetError}
   *   `ERR_BLASNET_OUT_OF_MEMORY` when the outputs would not fit in memory
   * @example const out = net.predictSync([[0, 1], [1, 1]]); // Matrix 2 × sL
   */
  predictSync(X: Matrix | number[][]): Matrix {
    return this.#predictSync(this.#inputs(X));
  }

  #predictSync(M: Matrix): Matrix {
    const sL = this.spec.sizes[this.spec.sizes.length - 1]!;
    checkJobMemory(`NeuralNetwork.predictSync on ${M.rows} examples`, networkPredictBytes(this.spec, M.rows), 'predict in smaller batches');
    if (this.#native) return new Matrix(M.rows, sL, this.#native.predictSync(this.#theta, M.data, M.rows));
    const out = new Float64Array(M.rows * sL);
    checkPredicted(netPredict(this.spec, this.#theta, M.data, M.rows, out));
    return new Matrix(M.rows, sL, out);
  }

  /**
   * `predictSync` off the main thread (X copied at the call). A tiny job runs inline instead: when
   * the prediction takes at most 2^18 multiply-adds (n · Σ s[l]·s[l−1]; one example of a 784-128-10
   * network is 1.0e5), the native backend computes it on the calling thread, as `predictSync` would,
   * and the Promise is resolved with it. Such a job takes less time (~20 µs) than the round trip
   * through libuv's thread pool (60–70 µs on a 2-core machine), so the event loop is held for less
   * than the hop would cost. Errors still arrive as a rejected Promise.
   * @param X - n × s0 examples as rows (Matrix or number[][])
   * @returns (a Promise of) the n × sL outputs
   * @throws (rejects) {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` / `ERR_BLASNET_DETACHED` for an X of the wrong type
   *   or a detached buffer; {@link BlasnetRangeError} `ERR_BLASNET_SHAPE` for a wrong column count,
   *   `ERR_BLASNET_NOT_FINITE` for a non-finite value in X or a layer whose pre-activations overflow
   *   (the error names the layer; an overflow is never returned as an output); {@link BlasnetError}
   *   `ERR_BLASNET_OUT_OF_MEMORY` when the outputs would not fit in memory
   * @example const out = await net.predict(Xtest);
   */
  predict(X: Matrix | number[][]): Promise<Matrix> {
    const caller = new Error();
    try {
      const M = this.#inputs(X);
      const sizes = this.spec.sizes;
      let work = 0;
      for (let l = 1; l < sizes.length; l++) work += sizes[l]! * sizes[l - 1]!;
      if (this.#native && M.rows * work <= 2 ** 18) return Promise.resolve(this.#predictSync(M));
      return this.#predict(M, caller);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The outputs for validated (and scaled) inputs, off the main thread. */
  #predict(M: Matrix, caller: Error): Promise<Matrix> {
    try {
      const sL = this.spec.sizes[this.spec.sizes.length - 1]!;
      checkJobMemory(`NeuralNetwork.predict on ${M.rows} examples`, networkPredictBytes(this.spec, M.rows), 'predict in smaller batches');
      if (this.#native) {
        const { flag, release } = jobFlag();
        const job = this.#native.predict(this.#theta, M.data, M.rows, flag).then((d) => new Matrix(M.rows, sL, d)).finally(release);
        return withCallerStack(job, caller);
      }
      const Xc = M.data.slice(), n = M.rows;
      const { promise } = runInWorker<{ out: Float64Array; badLayer: number }>(
        { kind: 'network-predict', progress: false, job: { spec: this.spec, theta: this.#theta, X: Xc, n } }, [Xc.buffer as ArrayBuffer]);
      return withCallerStack(promise.then(({ out, badLayer }) => {
        checkPredicted(badLayer);
        return new Matrix(n, sL, out);
      }), caller);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Predicted classes: argmax of the outputs, or 0/1 (a ≥ 0.5) for a single output, on the calling thread.
   * @param X - n × s0 examples as rows (Matrix or number[][])
   * @returns n class indices
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` / `ERR_BLASNET_DETACHED` for an X of the wrong type
   *   or a detached buffer; {@link BlasnetRangeError} `ERR_BLASNET_SHAPE` for a wrong column count,
   *   `ERR_BLASNET_NOT_FINITE` for a non-finite value in X or a layer whose pre-activations overflow
   *   (the error names the layer; an overflow is never returned as an output); {@link BlasnetError}
   *   `ERR_BLASNET_OUT_OF_MEMORY` when the outputs would not fit in memory
   * @example const classes = net.predictClassSync(Xtest); // Float64Array of class indices
   */
  predictClassSync(X: Matrix | number[][]): Float64Array {
    return toClasses(this.predictSync(X));
  }

  /**
   * `predictClassSync` off the main thread (X copied at the call).
   * @param X - n × s0 examples as rows (Matrix or number[][])
   * @returns (a Promise of) n class indices
   * @throws (rejects) {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` / `ERR_BLASNET_DETACHED` for an X of the wrong type
   *   or a detached buffer; {@link BlasnetRangeError} `ERR_BLASNET_SHAPE` for a wrong column count,
   *   `ERR_BLASNET_NOT_FINITE` for a non-finite value in X or a layer whose pre-activations overflow
   *   (the error names the layer; an overflow is never returned as an output); {@link BlasnetError}
   *   `ERR_BLASNET_OUT_OF_MEMORY` when the outputs would not fit in memory
   * @example const classes = await net.predictClass(Xtest);
   */
  async predictClass(X: Matrix | number[][]): Promise<Float64Array> {
    return toClasses(await this.predict(X));
  }

  /**
   * Accuracy in [0, 1] of `predictClassSync` against Y (class indices, 0/1 labels, or one-hot rows).
   * @param X - n × s0 examples as rows (Matrix or number[][])
   * @param Y - the targets, as for `fit`
   * @returns the accuracy in [0, 1]
   * @throws {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` / `ERR_BLASNET_DETACHED` for an X of the wrong type
   *   or a detached buffer; {@link BlasnetRangeError} `ERR_BLASNET_SHAPE` for a wrong column count,
   *   `ERR_BLASNET_NOT_FINITE` for a non-finite value in X or a layer whose pre-activations overflow
   *   (the error names the layer; an overflow is never returned as an output); {@link BlasnetError}
   *   `ERR_BLASNET_OUT_OF_MEMORY` when the outputs would not fit in memory; `ERR_BLASNET_LABEL` for targets the loss does not accept
   * @example const accuracy = net.scoreSync(Xtest, ytest); // e.g. 0.975
   */
  scoreSync(X: Matrix | number[][], Y: Targets): number {
    const { M, T } = this.#checkData(X, Y);
    return accuracy(toClasses(this.#predictSync(M)), toClasses(T));
  }

  /**
   * `scoreSync` off the main thread (X and Y copied at the call).
   * @param X - n × s0 examples as rows (Matrix or number[][])
   * @param Y - the targets, as for `fit`
   * @returns (a Promise of) the accuracy in [0, 1]
   * @throws (rejects) {@link BlasnetTypeError} `ERR_BLASNET_ARG_TYPE` / `ERR_BLASNET_DETACHED` for an X of the wrong type
   *   or a detached buffer; {@link BlasnetRangeError} `ERR_BLASNET_SHAPE` for a wrong column count,
   *   `ERR_BLASNET_NOT_FINITE` for a non-finite value in X or a layer whose pre-activations overflow
   *   (the error names the layer; an overflow is never returned as an output); {@link BlasnetError}
   *   `ERR_BLASNET_OUT_OF_MEMORY` when the outputs would not fit in memory; `ERR_BLASNET_LABEL` for targets the loss does not accept
   * @example const accuracy = await net.score(Xtest, ytest);
   */
  async score(X: Matrix | number[][], Y: Targets): Promise<number> {
    const { M, T } = this.#checkData(X, Y);
    return accuracy(toClasses(await this.#predict(M, new Error())), toClasses(T));
  }

  static {
    internals = {
      theta: (net) => net.#theta,
      setTheta: (net, theta) => { net.#theta = theta; },
      costGrad: (net, theta, M, T, l2, weight) => net.#costGrad(theta, M, T, l2, weight ?? null),
      checkData: (net, X, Y) => net.#checkData(X, Y),
    };
  }
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

/** Throws ERR_BLASNET_NOT_FINITE for netPredict's non-zero answer (the first layer that overflowed). */
function checkPredicted(badLayer: number): void {
  if (badLayer === 0) return;
  throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `the pre-activations of layer ${badLayer} are not finite (W·a + b overflowed): the parameters or the inputs are too large to predict with`);
}

function unitInterval(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a number, got ${describe(value)}`);
  if (!(value >= 0 && value < 1)) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `${name} must be in [0, 1), got ${describe(value)}`);
  return value;
}

/**
 * Initial θ (MATH.md "Initialization"): He-normal (std √(2/s_{l−1})) for relu / leaky-relu layers,
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

/** Normalises targets to an n × sL Matrix and checks them against the loss. */
function toTargets(Y: unknown, name: string, n: number, sL: number, spec: NetSpec): Matrix {
  let T: Matrix;
  const output = spec.layers[spec.layers.length - 1]!.g.name;
  if (Y instanceof Matrix || (Array.isArray(Y) && Array.isArray(Y[0]))) {
    T = toMatrix(Y, name, { cols: sL });
  } else if (Y instanceof Float64Array || Array.isArray(Y)) {
    if (Y instanceof Float64Array && isDetached(Y.buffer)) {
      throw new BlasnetTypeError('ERR_BLASNET_DETACHED', `${name} is backed by a detached ArrayBuffer (was it transferred to a worker?); expected a live buffer`);
    }
    if (Array.isArray(Y)) {
      const bad = Y.findIndex((v) => typeof v !== 'number');
      if (bad >= 0) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name}[${bad}] must be a number, got ${describe(Y[bad])}`);
    }
    if (Y.length !== n) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must have one target per row of X (${n}), got ${Y.length}`);
    if (sL === 1) {
      T = new Matrix(n, 1, Float64Array.from(Y as ArrayLike<number>));
    } else if (output === 'softmax') {
      T = new Matrix(n, sL);
      for (let j = 0; j < n; j++) {
        const c = Y[j];
        if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= sL) {
          throw new BlasnetRangeError('ERR_BLASNET_LABEL', `${name} as a vector must hold class indices in [0, ${sL - 1}], got ${describe(c)} at index ${j}`);
        }
        T.data[j * sL + c] = 1;
      }
    } else {
      throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must be an ${n} × ${sL} Matrix for a network with ${sL} ${output} outputs, got a vector of ${Y.length}`);
    }
  } else {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a Matrix, number[][], Float64Array or number[], got ${describe(Y)}`);
  }
  if (T.rows !== n) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must have one row per row of X (${n}), got ${T.rows}`);
  const d = T.data;
  for (let k = 0; k < d.length; k++) {
    const v = d[k]!;
    if (!Number.isFinite(v)) throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${name} must contain only finite numbers, got ${v} at row ${Math.floor(k / sL)}, column ${k % sL}`);
    if (spec.loss === 'cross-entropy' && (v < 0 || v > 1)) {
      throw new BlasnetRangeError('ERR_BLASNET_LABEL', `${name} must hold values in [0, 1] for loss 'cross-entropy', got ${v} at row ${Math.floor(k / sL)}, column ${k % sL}`);
    }
  }
  if (output === 'softmax') {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let i = 0; i < sL; i++) sum += d[j * sL + i]!;
      if (Math.abs(sum - 1) > 1e-9 * sL) throw new BlasnetRangeError('ERR_BLASNET_LABEL', `${name} rows must each sum to 1 for a softmax output (one-hot or probabilities), got ${sum} in row ${j}`);
    }
  }
  return T;
}

function toClasses(A: Matrix): Float64Array {
  const out = new Float64Array(A.rows);
  if (A.cols === 1) {
    for (let j = 0; j < A.rows; j++) out[j] = A.data[j]! >= 0.5 ? 1 : 0;
    return out;
  }
  for (let j = 0; j < A.rows; j++) {
    let best = 0;
    for (let i = 1; i < A.cols; i++) if (A.data[j * A.cols + i]! > A.data[j * A.cols + best]!) best = i;
    out[j] = best;
  }
  return out;
}

function accuracy(pred: Float64Array, truth: Float64Array): number {
  let right = 0;
  for (let j = 0; j < pred.length; j++) if (pred[j] === truth[j]) right++;
  return right / pred.length;
}

