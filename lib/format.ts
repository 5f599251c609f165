// The blasnet model format (version 1): its constants and JSON types, the checks every model file
// passes before a model reads it (a bounded tree, lib/jsontree.ts; the header), the field helpers
// the models use to read their bodies, and the exact JSON writer. Imports no model: each model
// class serializes and rebuilds its own body through these helpers (lib/logistic.ts, lib/network.ts).
//
// The format, version 1 (MODEL_FORMAT, MODEL_FORMAT_VERSION):
//   {
//     "format": "blasnet-model", "version": 1,
//     "kind": "neural-network" | "logistic-regression",
//     "metadata": { "createdAt": ISO 8601 string, "blasnet": package version, …free-form },
//     "architecture":  network: { "layers": [s0, …, sL], "activations": [{ "name", "alpha"? } × L], "loss" }
//                      logistic: { "features": m },
//     "training":      network: { "seed", "completedFits"? }   logistic: { "learningRate", "iterations", "recordEvery",
//                      and when not the defaults "solver", "l2", "tolerance", "maxIterations", "seed" },
//     "parameters":    network: { "W": [L arrays, W[l] row-major s_{l+1} × s_l], "b": [L arrays] }
//                      logistic: { "weights": [m numbers], "bias": number },
//     "preprocessing"?: { "inputScaling": { "mean": [s0 numbers], "std": [s0 numbers > 0] } }
//   }
// `alpha` is written for (and only allowed on) leaky-relu, always explicitly, so a saved model never
// depends on a default. `training.completedFits` (network only) is the number of fits that completed,
// which the next fit's shuffle stream derives from; it is written when it is not 0, and a file
// without it (every file written before it existed) means 0. `preprocessing.inputScaling` is the
// model's input standardization (setInputScaling): written when set, absent means none. Both were
// added within version 1: files without them read exactly as before. `metadata` is informational and
// optional on read: extra keys there are allowed and ignored (createdAt and blasnet, when present,
// must be strings). Everywhere else an unknown key is refused: a field this version does not
// understand could change what the parameters mean, and a newer writer that adds one bumps `version`.
//
// Before any field is read, the whole object must be a tree of plain JSON data within
// MODEL_JSON_LIMITS: plain objects (own data properties only) and arrays, numbers, strings,
// booleans, null; no object reached twice (a cycle, or a sub-object shared between two places), no
// Proxy, no typed array, no accessor; `__proto__`, `constructor` and `prototype` refused as keys
// anywhere, metadata included. The walk is iterative and each size is compared with its bound before
// the elements are visited, so a hostile object fails at once and never hangs or overflows the stack.
//
// Parameters are plain JSON arrays of numbers, not base64 of little-endian float64 bytes:
// - Exactness: ECMAScript's Number-to-String gives the shortest decimal that rounds back to the same
//   float64, and JSON.parse rounds correctly, so every finite value round-trips bit for bit (so does
//   Python's json). The one value JSON.stringify loses is −0 (it writes "0"); modelText emits "-0",
//   which JSON.parse reads back as −0. (JSON.stringify(model.toJSON()) done by a caller turns −0 into
//   +0 — the only inexact path.)
// - Size: ~19–24 bytes per value against ~10.7 for base64, about twice as big; files stay far below
//   the read cap for any model that trains in memory, and stay readable, diffable and portable.
// - Hostile input: there is no declared byte length to disagree with the data and no lenient decoder
//   (Buffer.from(s, 'base64') silently skips junk characters): the architecture implies each array's
//   length, which is compared with the actual length, then every element must be a finite number.
//   JSON cannot spell NaN; a too-large literal such as 1e999 parses as Infinity and is refused.
// - Speed: formatting the shortest digits is cheap per value; base64 would be several times faster
//   but opaque.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { types } from 'node:util';
import { BACKENDS, type BackendOption } from './backend.js';
import { BlasnetRangeError, BlasnetTypeError, blasnetError, describe, type ErrorCode } from './errors.js';
import { checkPath, readFileCapped, writeFileAtomic } from './fileio.js';
import { checkJsonTree, jsonTextTooDeepAt, type JsonTreeLimits } from './jsontree.js';
import { packageRoot } from './native.js';
import type { ActivationName, LossName } from './spec.js';
import { checkKnownKeys, checkOptionsObject, integerInRange, oneOf } from './validate.js';

/**
 * The `format` field of every blasnet model file ('blasnet-model'): it tells a blasnet model apart
 * from other JSON.
 * @example
 * ```ts
 * const isModel = JSON.parse(text).format === MODEL_FORMAT;
 * ```
 */
export const MODEL_FORMAT = 'blasnet-model';
/**
 * The format version this blasnet writes (1). A writer that adds a field whose meaning a reader
 * cannot ignore bumps it.
 * @example
 * ```ts
 * modelToJSON(net).version === MODEL_FORMAT_VERSION; // true
 * ```
 */
export const MODEL_FORMAT_VERSION = 2;
/**
 * The format versions this blasnet reads; any other `version` is refused with ERR_BLASNET_FORMAT.
 * @example
 * ```ts
 * const readable = SUPPORTED_MODEL_VERSIONS.includes(JSON.parse(text).version);
 * ```
 */
export const SUPPORTED_MODEL_VERSIONS: readonly number[] = [1, 2];
/**
 * The default cap on a model file's size for loadModel / load (`options.maxBytes`): 256 MiB, about
 * 12 million parameters. The file is refused before it is read, so a huge or hostile file costs no
 * memory.
 * @example
 * ```ts
 * const model = await loadModel('upload.json', { maxBytes: DEFAULT_MAX_MODEL_BYTES / 256 }); // 1 MiB
 * ```
 */
export const DEFAULT_MAX_MODEL_BYTES = 256 * 1024 * 1024;
/**
 * The largest `options.maxBytes` loadModel / load accept (just under 512 MiB): the file's text must
 * fit in one JS string, V8's limit.
 * @example
 * ```ts
 * const model = await loadModel('big.json', { maxBytes: MAX_MODEL_BYTES_LIMIT });
 * ```
 */
export const MAX_MODEL_BYTES_LIMIT = 0x1fffffe8;

/**
 * The bounds every model object (a parsed file, or an object given to fromJSON) must stay within;
 * anything beyond is refused with ERR_BLASNET_FORMAT before a field is read.
 * - maxDepth: nesting of objects and arrays; the root is depth 1, a parameter array depth 4.
 * - maxKeys: own keys of one object (the format's objects have at most 8; metadata is free-form).
 * - maxStringLength: length of every string value and every key (UTF-16 code units).
 * - maxValues: array elements plus object keys over the whole model: the largest network the
 *   constructor admits (2^31 parameters) plus 2^20 for everything else.
 * @example
 * ```ts
 * MODEL_JSON_LIMITS.maxDepth; // 32: a model object nested deeper is refused before it is parsed
 * ```
 */
export const MODEL_JSON_LIMITS: JsonTreeLimits = Object.freeze({
  maxDepth: 32,
  maxKeys: 1024,
  maxStringLength: 65536,
  maxValues: 2 ** 31 + 2 ** 20,
});

const ERR_FORMAT: ErrorCode = 'ERR_BLASNET_FORMAT';

/**
 * Which model a file holds (its `kind` field): loadModel and modelFromJSON rebuild that class.
 * @example
 * ```ts
 * const kind: ModelKind = modelToJSON(model).kind; // 'neural-network' for a NeuralNetwork
 * ```
 */
export type ModelKind = 'neural-network' | 'logistic-regression';

/**
 * Informational fields of a model file. Reading ignores extra keys here (and only here), so a
 * caller may record its own provenance without breaking the format; a rebuilt model keeps none of
 * it (its toJSON writes fresh metadata).
 * @example
 * ```ts
 * const json = net.toJSON();
 * json.metadata.dataset = 'iris-2026-11'; // NeuralNetwork.fromJSON(json) still accepts it
 * ```
 */
export interface ModelMetadata {
  /** When the model was serialized (ISO 8601). */
  createdAt?: string;
  /** The blasnet version that wrote it. */
  blasnet?: string;
  /** Any other informational field; ignored on read. */
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
}

/**
 * A NeuralNetwork as JSON (format version 1): what `net.toJSON()` returns and `save` writes.
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
  /** The format version (MODEL_FORMAT_VERSION). */
  version: 1 | 2;
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
  /** The seed, the warm-start count (omitted when 0) and the constructor's training options (omitted when none). */
  training: {
    /** Seed of the initialization and of the shuffle streams (options.seed). */
    seed: number;
    /** Fits that completed in a row of warm starts; a warm fit's shuffle stream derives from it. Absent means 0. */
    completedFits?: number;
    /** The constructor's training options, as given (version 2). */
    options?: Record<string, unknown>;
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
 * A LogisticRegression as JSON (format version 1): what `model.toJSON()` returns and `save` writes.
 * @example
 * ```ts
 * const json: LogisticModelJSON = model.toJSON(); // after a fit
 * json.parameters.weights; // number[], one per feature
 * ```
 */
export interface LogisticModelJSON {
  /** Always MODEL_FORMAT ('blasnet-model'). */
  format: typeof MODEL_FORMAT;
  /** The format version: 2 when written; 1 is read too. */
  version: 1 | 2;
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
  /** Version 2: the seed and the constructor's training options. Version 1: the seed's solver fields. */
  training: {
    /** The seed of validation splits and shuffles. */
    seed?: number;
    /** The constructor's training options, as given. */
    options?: Record<string, unknown>;
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

/** A plain JSON object (after checkModelJSON: own data properties, no forbidden key). */
export type Obj = Record<string, unknown>;

const KINDS: readonly ModelKind[] = ['neural-network', 'logistic-regression'];
const TOP_KEYS = ['format', 'version', 'kind', 'metadata', 'architecture', 'training', 'parameters', 'preprocessing'];
const REQUIRED_TOP_KEYS = ['format', 'version', 'kind', 'architecture', 'training', 'parameters'];
const TOKEN = Symbol('ModelDocument');

/**
 * A model object that has passed checkModelJSON: a bounded tree of plain JSON data with a valid
 * header. `src` names it in every error message ('model JSON', or 'model file "<path>"').
 * Only this module creates them; the models' fromJSON accept one in place of the raw object.
 */
export class ModelDocument {
  readonly root: Obj;
  readonly kind: ModelKind;
  readonly src: string;

  /** Internal: use checkModelJSON or readModelFile. */
  constructor(token: symbol, root: Obj, kind: ModelKind, src: string) {
    if (token !== TOKEN) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', 'ModelDocument is created by checkModelJSON only');
    this.root = root;
    this.kind = kind;
    this.src = src;
  }
}

// ─── Checking a whole model object ──────────────────────────────────────────────────────────────

/**
 * Checks that `json` is a model object: a tree of plain JSON data within MODEL_JSON_LIMITS, with a
 * valid header (format, version, the top-level keys, kind, metadata). The body is left to the model
 * class of `kind`. A ModelDocument passes through unchanged.
 * @param json - the object (toJSON's output, or JSON.parse of a file)
 * @param src - how to name it in error messages
 * @param expect - the kind the caller needs; undefined accepts either
 * @returns the checked document
 * @throws {BlasnetError} ERR_BLASNET_FORMAT for anything that is not such a model object
 * @example const doc = checkModelJSON(JSON.parse(text), 'model JSON', 'neural-network');
 */
export function checkModelJSON(json: unknown, src: string, expect?: ModelKind): ModelDocument {
  const doc = json instanceof ModelDocument ? json : checkedDocument(json, src);
  if (expect !== undefined && doc.kind !== expect) {
    const cls = expect === 'neural-network' ? 'NeuralNetwork' : 'LogisticRegression';
    throw blasnetError(ERR_FORMAT, `${doc.src}: holds a ${doc.kind} model; ${cls} needs a ${expect} (loadModel and modelFromJSON accept either kind)`);
  }
  return doc;
}

function checkedDocument(json: unknown, src: string): ModelDocument {
  if (types.isProxy(json)) throw blasnetError(ERR_FORMAT, `${src}: the model must be a plain object, got a Proxy`);
  const root = plainObject(json, src, 'the model');
  checkJsonTree(root, src, MODEL_JSON_LIMITS, 'a model', 'MODEL_JSON_LIMITS');
  if (!Object.prototype.hasOwnProperty.call(root, 'format')) {
    throw blasnetError(ERR_FORMAT, `${src}: has no "format" field; expected "format": "${MODEL_FORMAT}" (is this a blasnet model?)`);
  }
  if (root.format !== MODEL_FORMAT) {
    throw blasnetError(ERR_FORMAT, `${src}: format must be "${MODEL_FORMAT}", got ${describe(root.format)} (is this a blasnet model?)`);
  }
  const version = root.version;
  const versions = `version${SUPPORTED_MODEL_VERSIONS.length > 1 ? 's' : ''} ${SUPPORTED_MODEL_VERSIONS.join(', ')}`;
  if (version === undefined) throw blasnetError(ERR_FORMAT, `${src}: has no "version" field; this blasnet reads ${versions}`);
  if (typeof version !== 'number' || !SUPPORTED_MODEL_VERSIONS.includes(version)) {
    const newer = typeof version === 'number' && Number.isInteger(version) && version > MODEL_FORMAT_VERSION ? ' (written by a newer blasnet?)' : '';
    throw blasnetError(ERR_FORMAT, `${src}: unsupported format version ${describe(version)}${newer}; this blasnet reads ${versions}`);
  }
  exactKeys(root, src, '', REQUIRED_TOP_KEYS, TOP_KEYS);
  const kind = root.kind;
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
    throw blasnetError(ERR_FORMAT, `${src}: kind must be one of ${KINDS.map((k) => `"${k}"`).join(' | ')}, got ${describe(kind)}`);
  }
  if (root.metadata !== undefined) {
    const m = plainObject(root.metadata, src, 'metadata');
    for (const key of ['createdAt', 'blasnet']) {
      if (m[key] !== undefined && typeof m[key] !== 'string') {
        throw blasnetError(ERR_FORMAT, `${src}: metadata.${key} must be a string, got ${describe(m[key])}`);
      }
    }
  }
  return new ModelDocument(TOKEN, root, kind as ModelKind, src);
}

// ─── Reading fields (used by the models' fromJSON) ──────────────────────────────────────────────

/**
 * `value` as a plain object.
 * @param value - the field's value
 * @param src - names the model in the message
 * @param name - the field's path
 * @returns the object
 * @throws {BlasnetError} ERR_BLASNET_FORMAT when it is missing, not an object, or not a plain one
 * @example const arch = plainObject(root.architecture, doc.src, 'architecture');
 */
export function plainObject(value: unknown, src: string, name: string): Obj {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw blasnetError(ERR_FORMAT, `${src}: ${name} must be an object, got ${value === undefined ? 'nothing (the field is missing)' : describe(value)}`);
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw blasnetError(ERR_FORMAT, `${src}: ${name} must be a plain object, got ${describe(value)}`);
  }
  return value as Obj;
}

/**
 * Refuses keys outside `allowed` and names the first missing `required` key.
 * @param o - the object
 * @param src - names the model in the message
 * @param name - the object's path ('' for the top level)
 * @param required - keys that must be present (and not undefined)
 * @param allowed - every key this version knows at that place
 * @throws {BlasnetError} ERR_BLASNET_FORMAT for an unknown or a missing key
 * @example exactKeys(arch, doc.src, 'architecture', ['features'], ['features']);
 */
export function exactKeys(o: Obj, src: string, name: string, required: readonly string[], allowed: readonly string[]): void {
  const where = name === '' ? 'the top level' : name;
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) {
      throw blasnetError(ERR_FORMAT,
        `${src}: unknown key ${JSON.stringify(key)} at ${where}; a version ${MODEL_FORMAT_VERSION} model has exactly ${allowed.map((k) => `"${k}"`).join(', ')} there`);
    }
  }
  for (const key of required) {
    if (!Object.prototype.hasOwnProperty.call(o, key) || o[key] === undefined) {
      throw blasnetError(ERR_FORMAT, `${src}: ${name === '' ? '' : `${name}.`}${key} is missing`);
    }
  }
}

/**
 * Checks that `a` is an array of `expected` elements (their values are checkFinite's job).
 * @param a - the field's value
 * @param expected - the length the architecture implies
 * @param src - names the model in the message
 * @param name - the field's path
 * @param shape - the expected length, in words, for the message
 * @throws {BlasnetError} ERR_BLASNET_FORMAT when it is not an array
 * @throws {RangeError} ERR_BLASNET_SHAPE when its length differs
 * @example checkLength(p.weights, 3, doc.src, 'parameters.weights', '3 values (architecture.features)');
 */
export function checkLength(a: unknown, expected: number, src: string, name: string, shape: string): asserts a is unknown[] {
  if (!Array.isArray(a)) throw blasnetError(ERR_FORMAT, `${src}: ${name} must be an array of numbers, got ${describe(a)}`);
  if (a.length !== expected) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${src}: ${name} must have ${shape}, got ${a.length}`);
}

/**
 * Checks that every element of `a` is a finite number.
 * @param a - the array
 * @param src - names the model in the message
 * @param name - the field's path
 * @throws {RangeError} ERR_BLASNET_NOT_FINITE naming the first bad element's index
 * @example checkFinite(p.weights, doc.src, 'parameters.weights');
 */
export function checkFinite(a: readonly unknown[], src: string, name: string): asserts a is number[] {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${src}: ${name} must contain only finite numbers, got ${describe(v)} at index ${i}${infinityHint(v)}`);
    }
  }
}

/**
 * `value` as a finite number.
 * @param value - the field's value
 * @param src - names the model in the message
 * @param name - the field's path
 * @returns the number
 * @throws {RangeError} ERR_BLASNET_NOT_FINITE otherwise
 * @example const bias = finiteNumber(p.bias, doc.src, 'parameters.bias');
 */
export function finiteNumber(value: unknown, src: string, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${src}: ${name} must be a finite number, got ${describe(value)}${infinityHint(value)}`);
  }
  return value;
}

function infinityHint(v: unknown): string {
  return v === Infinity || v === -Infinity ? ' (a literal beyond the float64 range, such as 1e999, parses as Infinity)' : '';
}

/**
 * A model constructor's complaint about a training option read from a file, named as the file names
 * it: `options.learningRate` becomes `${src}: training.options.learningRate` (version 2) or
 * `${src}: training.learningRate` (version 1). Errors other than ERR_BLASNET_ARG_TYPE / _RANGE pass unchanged.
 * @param where - 'training.options' or 'training'
 * @example try { model = new LogisticRegression(options); } catch (e) { throw trainingOptionError(e, src, 'training.options'); }
 */
export function trainingOptionError(e: unknown, src: string, where: string): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (!(e instanceof Error) || (code !== 'ERR_BLASNET_ARG_TYPE' && code !== 'ERR_BLASNET_ARG_RANGE')) return e;
  return blasnetError(code, `${src}: ${e.message.replace(/\boptions\b/g, where)}`);
}

/**
 * Options of fromJSON: `{ backend? }`, own keys only.
 * @param options - the caller's value
 * @returns the backend option
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE for a non-object, an unknown key or an unknown backend
 * @example const { backend } = checkFromJSONOptions(options);
 */
export function checkFromJSONOptions(options: unknown): { backend: BackendOption } {
  const o = checkOptionsObject(options, 'options');
  checkKnownKeys(o, 'options', ['backend']);
  return { backend: oneOf(o.backend, 'options.backend', BACKENDS, 'auto') };
}

/**
 * Reads, parses and checks a model file: the path, the options (`backend`, `maxBytes`), the size
 * cap (before reading), UTF-8, JSON, then checkModelJSON.
 * @param path - a file path or a file: URL
 * @param options - ModelLoadOptions
 * @param expect - the kind the caller needs; undefined accepts either
 * @returns the checked document (its `src` names the file) and the backend option
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE for a bad path or options
 * @throws {RangeError} ERR_BLASNET_ARG_RANGE for a file above options.maxBytes
 * @throws {BlasnetError} ERR_BLASNET_IO naming the path, its cause the file system's error (ENOENT, EISDIR, …)
 * @throws {BlasnetError} ERR_BLASNET_FORMAT for an empty, non-UTF-8, non-JSON or
 *   truncated file, or one that fails checkModelJSON
 * @example const { doc, backend } = await readModelFile('/srv/model.json', { maxBytes: 2 ** 20 });
 */
export async function readModelFile(path: unknown, options: unknown, expect?: ModelKind): Promise<{ doc: ModelDocument; backend: BackendOption }> {
  const file = checkPath(path);
  const o = checkOptionsObject(options ?? {}, 'options');
  checkKnownKeys(o, 'options', ['backend', 'maxBytes']);
  const backend = oneOf(o.backend, 'options.backend', BACKENDS, 'auto');
  const maxBytes = integerInRange(o.maxBytes, 'options.maxBytes', DEFAULT_MAX_MODEL_BYTES, 1, MAX_MODEL_BYTES_LIMIT);
  const src = `model file ${JSON.stringify(file)}`;
  const bytes = await readFileCapped(file, maxBytes, src);
  return { doc: checkModelJSON(parseModelText(bytes, src), src, expect), backend };
}

function parseModelText(bytes: Uint8Array, src: string): unknown {
  if (bytes.length === 0) throw blasnetError(ERR_FORMAT, `${src} is empty (0 bytes); expected a blasnet model (JSON)`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw blasnetError(ERR_FORMAT, `${src} is not valid UTF-8 text, so not a blasnet model (JSON)`, { cause: e });
  }
  const tooDeep = jsonTextTooDeepAt(text, MODEL_JSON_LIMITS.maxDepth);
  if (tooDeep >= 0) {
    throw blasnetError(ERR_FORMAT, `${src}: the JSON nests deeper than ${MODEL_JSON_LIMITS.maxDepth} levels at character ${tooDeep}, above the limit of MODEL_JSON_LIMITS.maxDepth`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    // V8 says "Unexpected end of JSON input", or names a position: at the end of the text, the file was cut short.
    const position = /at position (\d+)/.exec(detail);
    const atEnd = position !== null && Number(position[1]) >= text.trimEnd().length;
    const truncated = atEnd || /end of JSON input|Unterminated/i.test(detail)
      ? `it ends before the JSON is complete: the file is truncated (${bytes.length} bytes)`
      : 'it is not valid JSON, so not a blasnet model';
    throw blasnetError(ERR_FORMAT, `${src}: ${truncated}: ${detail}`, { cause: e });
  }
}

// ─── Writing ────────────────────────────────────────────────────────────────────────────────────

/**
 * The `metadata` a model writes: when, and by which blasnet.
 * @returns `{ createdAt, blasnet }` (blasnet left out when the package version cannot be read)
 * @example metadata() // { createdAt: '2026-12-01T09:00:00.000Z', blasnet: '0.1.0' }
 */
export function metadata(): ModelMetadata {
  const createdAt = new Date().toISOString();
  const version = blasnetVersion();
  return version === undefined ? { createdAt } : { createdAt, blasnet: version };
}

let cachedVersion: string | null | undefined;

function blasnetVersion(): string | undefined {
  if (cachedVersion === undefined) {
    cachedVersion = null;
    try {
      const v = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown }).version;
      if (typeof v === 'string') cachedVersion = v;
    } catch {
      // no version: metadata.blasnet is left out
    }
  }
  return cachedVersion ?? undefined;
}

/**
 * A number[] copy of a parameter array for toJSON; a model never holds a non-finite parameter, but
 * never write one if it did.
 * @param a - the values
 * @param name - the field's path under `parameters`, for the message
 * @returns the copy
 * @throws {RangeError} ERR_BLASNET_NOT_FINITE for a NaN or ±Infinity
 * @example parameters: { weights: finiteArray(w, 'weights'), bias }
 */
export function finiteArray(a: ArrayLike<number>, name: string): number[] {
  const out = new Array<number>(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!Number.isFinite(v)) throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `cannot serialize ${name}: it holds ${v} at index ${i}`);
    out[i] = v;
  }
  return out;
}

/**
 * The exact JSON text of a model object: 2-space indented, each number array on one line, −0
 * written as "-0" (JSON.stringify writes "0"), so JSON.parse gives back every bit.
 * @param json - the object toJSON gave
 * @returns the text, ending with a newline
 * @throws {RangeError} ERR_BLASNET_NOT_FINITE for a non-finite number; ERR_BLASNET_ARG_RANGE when the
 *   text would exceed V8's string limit (~512 MiB, about 25 million parameters)
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE for a value that is not JSON
 * @example await writeFileAtomic(path, modelText(model.toJSON()), 'the model');
 */
export function modelText(json: ModelJSON): string {
  const parts: string[] = [];
  try {
    writeValue(json, '', parts, 'model');
    parts.push('\n');
    return parts.join('');
  } catch (e) {
    if (e instanceof RangeError && !(e instanceof BlasnetRangeError)) {
      throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE',
        `the model is too large to save as one JSON text (${e.message}); V8 strings hold at most ~512 MiB, about 25 million parameters`);
    }
    throw e;
  }
}

function numberText(v: number, where: string): string {
  if (!Number.isFinite(v)) throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `cannot serialize ${where}: ${v} is not a finite number`);
  return Object.is(v, -0) ? '-0' : String(v);
}

/**
 * "[v0,v1,…]". JSON.stringify formats a number array 2–4× faster than String() per value, with the
 * same shortest round-trip digits, but writes −0 as 0 (and non-finite values as null, refused here
 * first): arrays holding a −0 take the per-value path.
 */
function numberArrayText(v: number[], where: string): string {
  let negativeZero = false;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x)) numberText(x, `${where}[${i}]`);
    if (x === 0 && 1 / x < 0) negativeZero = true;
  }
  if (!negativeZero) return JSON.stringify(v);
  const texts = new Array<string>(v.length);
  for (let i = 0; i < v.length; i++) texts[i] = numberText(v[i]!, `${where}[${i}]`);
  return `[${texts.join(',')}]`;
}

function writeValue(v: unknown, indent: string, parts: string[], where: string): void {
  if (typeof v === 'number') {
    parts.push(numberText(v, where));
  } else if (typeof v === 'string') {
    parts.push(JSON.stringify(v));
  } else if (typeof v === 'boolean' || v === null) {
    parts.push(String(v));
  } else if (Array.isArray(v)) {
    if (v.length === 0) {
      parts.push('[]');
    } else if (v.every((x) => typeof x === 'number')) {
      parts.push(numberArrayText(v as number[], where));
    } else {
      const inner = `${indent}  `;
      parts.push('[\n');
      v.forEach((x, i) => {
        parts.push(inner);
        writeValue(x, inner, parts, `${where}[${i}]`);
        parts.push(i < v.length - 1 ? ',\n' : '\n');
      });
      parts.push(indent, ']');
    }
  } else if (typeof v === 'object') {
    const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined);
    if (keys.length === 0) {
      parts.push('{}');
      return;
    }
    const inner = `${indent}  `;
    parts.push('{\n');
    keys.forEach((k, i) => {
      parts.push(inner, JSON.stringify(k), ': ');
      writeValue((v as Record<string, unknown>)[k], inner, parts, `${where}.${k}`);
      parts.push(i < keys.length - 1 ? ',\n' : '\n');
    });
    parts.push(indent, '}');
  } else {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `cannot serialize ${where}: ${describe(v)} is not a JSON value`);
  }
}

/**
 * Writes a model's JSON atomically (see writeFileAtomic): serialized fully, synchronously, before
 * the disk is touched, so the file holds the parameters of the moment of the call.
 * @param path - a file path or a file: URL
 * @param json - the model's toJSON()
 * @returns when the file is complete
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE for a bad path; ERR_BLASNET_IO naming the path (cause: the file system's error)
 * @example await writeModelFile('model.json', model.toJSON());
 */
export async function writeModelFile(path: string | URL, json: ModelJSON): Promise<void> {
  const target = checkPath(path);
  const text = modelText(json);
  await writeFileAtomic(target, text, 'the model');
}
