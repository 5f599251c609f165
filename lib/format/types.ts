// The model format's JSON types: the model objects toJSON returns and save writes, their parts, and
// the options of fromJSON / load. The format itself is described in lib/format/spec.ts.
import type { BackendOption } from '../backend.js';
import type { ActivationName, LossName } from '../spec.js';
import type { MODEL_FORMAT } from './spec.js';
import type { TabularJSON } from '../tabular/preprocess.js';
import type { MonitorName, OptimizerName } from '../train-types.js';

/**
 * Informational fields of a model file. Extra keys are allowed here (and only here), so a caller
 * may record its own provenance without breaking the format: they are the model's user metadata
 * (its `metadata` getter). A rebuilt model keeps them and writes them again, with a fresh
 * `createdAt` and `blasnet`; `save(path, { metadata })` replaces them.
 * @example
 * ```ts
 * await net.save('net.json', { metadata: { dataset: 'iris-2026-11' } });
 * (await NeuralNetwork.load('net.json')).toJSON().metadata.dataset; // 'iris-2026-11'
 * ```
 */
export interface ModelMetadata {
  /** When the model was serialized (ISO 8601); written by blasnet, a reserved key. */
  createdAt?: string;
  /** The blasnet version that wrote it; written by blasnet, a reserved key. */
  blasnet?: string;
  /** Any other informational field (JSON data): kept by a rebuilt model, never interpreted. */
  [key: string]: unknown;
}

/**
 * A model's input standardization as stored: x ↦ (x − mean) / std, one pair per feature.
 * @example
 * ```ts
 * net.setInputScaling(Standardizer.fit(Xtrain));
 * const { mean, std } = net.toJSON().preprocessing!.inputScaling; // number[] each
 * ```
 */
export interface InputScalingJSON {
  /** One mean per input feature (finite). */
  mean: number[];
  /** One standard deviation per input feature (finite, > 0). */
  std: number[];
}

/**
 * What a model does to its raw inputs before its first layer; stored with the model so that a
 * loaded model is called on raw inputs exactly as the saved one was.
 * @example
 * ```ts
 * const scaled = net.toJSON().preprocessing !== undefined; // true after setInputScaling
 * ```
 */
export interface PreprocessingJSON {
  /** The input standardization (setInputScaling). */
  inputScaling?: InputScalingJSON;
  /** A regression network's target standardization (mean and std per output). */
  targetScaling?: InputScalingJSON;
  /** The tabular preprocessing (columns, types, fill values, categories, standardization, target), see lib/format/preprocessing.ts. */
  tabular?: TabularJSON;
}

/**
 * A model's training state as stored (format version 3, `training.state`): what a warm start
 * continues. Written by toJSON after a fit; absent for a model never fitted (or given parameters).
 * @example
 * ```ts
 * const state = net.toJSON().training.state; // after a fit
 * state?.epochsTrained === net.epochsTrained;  // true
 * ```
 */
export interface TrainStateJSON {
  /** Epochs (L-BFGS iterations) completed: the model's `epochsTrained`. */
  epochsTrained: number;
  /** The optimizer's state and what it was accumulated under. */
  optimizer: {
    /** The optimizer. */
    name: OptimizerName;
    /** The L2 penalty it trained with. */
    l2: number;
    /** Momentum β (momentum only). */
    momentum?: number;
    /** Adam β1 (adam only). */
    beta1?: number;
    /** Adam β2 (adam only). */
    beta2?: number;
    /** Adam ε (adam only). */
    epsilon?: number;
    /** Steps the state has taken (Adam's t). */
    steps: number;
    /** Momentum's velocity v, in θ's layout (momentum only). */
    velocity?: number[];
    /** Adam's first moment m, in θ's layout (adam only). */
    m?: number[];
    /** Adam's second moment v, in θ's layout (adam only). */
    v?: number[];
  };
  /** Early stopping's counters (present when the last fit stopped early on a monitor). */
  earlyStopping?: {
    /** The monitored quantity. */
    monitor: MonitorName;
    /** Records since the best one. */
    wait: number;
    /** The best value (absent before the first defined one). */
    best?: number;
    /** The epoch of the best record (with best). */
    bestEpoch?: number;
  };
  /** The plateau rule's counters (present when the last fit had one). */
  reduceOnPlateau?: {
    /** The monitored quantity. */
    monitor: MonitorName;
    /** Records since the best one (or since the last reduction). */
    wait: number;
    /** The best value (absent before the first defined one). */
    best?: number;
    /** The learning rate in force. */
    learningRate: number;
    /** The fit's learning rate it started from. */
    initialLearningRate: number;
  };
}

/**
 * A NeuralNetwork as JSON (format version 3): what `net.toJSON()` returns and `save` writes.
 * @example
 * ```ts
 * const json: NetworkModelJSON = net.toJSON();
 * json.architecture.layers; // [2, 4, 1]
 * json.parameters.W[0];     // W[1] as number[], row-major 4 × 2
 * ```
 */
export interface NetworkModelJSON {
  /** Always MODEL_FORMAT ('blasnet-model'). */
  format: typeof MODEL_FORMAT;
  /** The format version (MODEL_FORMAT_VERSION when written; 1 and 2 are read too). */
  version: 1 | 2 | 3;
  /** The model's kind. */
  kind: 'neural-network';
  /** Informational only (may be absent on read). */
  metadata: ModelMetadata;
  /** What the parameters mean: the constructor's options, with every default written out. */
  architecture: {
    /** Layer sizes [s0, …, sL]. */
    layers: number[];
    /** One per layer (hidden layers, then the output); alpha only for leaky-relu. */
    activations: {
      /** The layer's activation. */
      name: ActivationName;
      /** Leaky-relu slope for z ≤ 0; present exactly for leaky-relu. */
      alpha?: number;
    }[];
    /** The loss. */
    loss: LossName;
    /** A classifier's sorted labels (absent: 0 … k−1). */
    classes?: number[] | string[] | boolean[];
  };
  /** The seed, the constructor's training options (omitted when none) and the training state (omitted before a fit). */
  training: {
    /** Seed of the initialization and of the shuffles (options.seed). */
    seed: number;
    /** Versions 1 and 2 only: fits completed in a row of warm starts. Read and ignored (the epoch counter starts at 0). */
    completedFits?: number;
    /** The constructor's training options, as given (version 2). */
    options?: Record<string, unknown>;
    /** What a warm start continues (version 3, lib/format/train-state.ts). */
    state?: TrainStateJSON;
  };
  /** The exact parameters, layer by layer (l = 1..L at index l − 1). */
  parameters: {
    /** W[l], row-major s_l × s_{l−1}. */
    W: number[][];
    /** b[l], s_l values. */
    b: number[][];
  };
  /** Omitted when the model has no input scaling. */
  preprocessing?: PreprocessingJSON;
}

/**
 * A LogisticRegression as JSON (format version 3): what `model.toJSON()` returns and `save` writes.
 * @example
 * ```ts
 * const json: LogisticModelJSON = model.toJSON(); // after a fit
 * json.parameters.weights; // number[], one per feature
 * ```
 */
export interface LogisticModelJSON {
  /** Always MODEL_FORMAT ('blasnet-model'). */
  format: typeof MODEL_FORMAT;
  /** The format version: MODEL_FORMAT_VERSION when written; 1 and 2 are read too. */
  version: 1 | 2 | 3;
  /** The model's kind. */
  kind: 'logistic-regression';
  /** Informational only (may be absent on read). */
  metadata: ModelMetadata;
  /** What the parameters mean. */
  architecture: {
    /** The number of input features m. */
    features: number;
    /** The sorted labels (absent in version 1: [0, 1]); 2 for the binary model, k ≥ 3 for the multinomial one. */
    classes?: number[] | string[] | boolean[];
  };
  /** Versions 2 and 3: the seed, the constructor's training options and (3) the training state. Version 1: the seed's solver fields. */
  training: {
    /** The seed of validation splits and shuffles. */
    seed?: number;
    /** The constructor's training options, as given. */
    options?: Record<string, unknown>;
    /** What a warm start continues (version 3, lib/format/train-state.ts). */
    state?: TrainStateJSON;
    /** Version 1 only. */
    learningRate?: number;
    /** Version 1 only. */
    iterations?: number;
    /** Version 1 only. */
    recordEvery?: number;
    /** Version 1 only. */
    solver?: 'gd' | 'lbfgs';
    /** Version 1 only. */
    l2?: number;
    /** Version 1 only. */
    tolerance?: number;
    /** Version 1 only. */
    maxIterations?: number;
  };
  /** The exact parameters: `{ weights, bias }` for two classes, `{ coef, intercept }` for k ≥ 3. */
  parameters: {
    /** w, one per feature (binary). */
    weights: number[];
    /** b (binary). */
    bias: number;
  } | {
    /** W, k rows of m (multinomial). */
    coef: number[][];
    /** b, k values (multinomial). */
    intercept: number[];
  };
  /** Omitted when the model has no input scaling. */
  preprocessing?: PreprocessingJSON;
}

/**
 * Either model as JSON; narrow it on `kind`.
 * @example
 * ```ts
 * const json: ModelJSON = JSON.parse(await readFile('model.json', 'utf8'));
 * if (json.kind === 'neural-network') console.log(json.architecture.layers);
 * ```
 */
export type ModelJSON = NetworkModelJSON | LogisticModelJSON;

/**
 * Options of fromJSON / modelFromJSON. The backend is a property of the process, not of the model,
 * so it is chosen when the model is rebuilt and never stored.
 * @example
 * ```ts
 * const net = NeuralNetwork.fromJSON(json, { backend: 'reference' });
 * ```
 */
export interface ModelFromJSONOptions {
  /** Backend of the rebuilt model: 'auto' (default) | 'native' | 'reference'. Not part of the file. */
  backend?: BackendOption;
}

/**
 * Options of load / loadModel.
 * @example
 * ```ts
 * const model = await loadModel('model.json', { backend: 'native', maxBytes: 16 * 2 ** 20 });
 * ```
 */
export interface ModelLoadOptions extends ModelFromJSONOptions {
  /** Refuse files larger than this many bytes. Default 256 MiB; at most MAX_MODEL_BYTES_LIMIT. */
  maxBytes?: number;
}

/**
 * Options of save / saveModel.
 * @example
 * ```ts
 * await net.save('net.json', { metadata: { dataset: 'iris-2026-11', tags: ['baseline'] } });
 * ```
 */
export interface ModelSaveOptions {
  /**
   * The user metadata to store in the file's `metadata`, in place of the model's own (replaced, not
   * merged; spread `model.metadata` into it to keep those keys). A plain object of JSON values
   * (strings, finite numbers, booleans, null, arrays, plain objects; a tree, nested within
   * MODEL_JSON_LIMITS); `createdAt` and `blasnet` are reserved. It is copied: the model is not changed.
   */
  metadata?: Record<string, unknown>;
}

/** A plain JSON object (after checkModelJSON: own data properties, no forbidden key). */
export type Obj = Record<string, unknown>;
