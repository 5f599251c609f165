// Saving and loading models: a versioned JSON format, an atomic save, and a load that validates
// every field of an untrusted file before it allocates anything the size of the model.
//
// The format, version 1 (MODEL_FORMAT, MODEL_FORMAT_VERSION):
//   {
//     "format": "blasnet-model", "version": 1,
//     "kind": "neural-network" | "logistic-regression",
//     "metadata": { "createdAt": ISO 8601 string, "blasnet": package version, …free-form },
//     "architecture":  network: { "layers": [s0, …, sL], "activations": [{ "name", "alpha"? } × L], "loss" }
//                      logistic: { "features": m },
//     "training":      network: { "seed" }   logistic: { "learningRate", "iterations", "recordEvery" },
//     "parameters":    network: { "W": [L arrays, W[l] row-major s_{l+1} × s_l], "b": [L arrays] }
//                      logistic: { "weights": [m numbers], "bias": number }
//   }
// `alpha` is written for (and only allowed on) leaky-relu, always explicitly, so a saved model never
// depends on a default. `metadata` is informational and optional on read: extra keys there are
// allowed and ignored (createdAt and blasnet, when present, must be strings). Everywhere else an
// unknown key is refused: a field this version does not understand could change what the
// parameters mean, and a newer writer that adds one bumps `version`. `__proto__`, `constructor` and
// `prototype` are refused as keys anywhere, metadata included.
//
// Parameters are plain JSON arrays of numbers, not base64 of little-endian float64 bytes:
// - Exactness: ECMAScript's Number-to-String gives the shortest decimal that rounds back to the same
//   float64, and JSON.parse rounds correctly, so every finite value round-trips bit for bit (so does
//   Python's json). The one value JSON.stringify loses is −0 (it writes "0"); saveModel's writer emits
//   "-0", which JSON.parse reads back as −0. (JSON.stringify(model.toJSON()) done by a caller turns −0
//   into +0 — the only inexact path.)
// - Size: ~19–24 bytes per value against ~10.7 for base64, about twice as big; files stay far below
//   the read cap for any model that trains in memory, and stay readable, diffable and portable.
// - Hostile input: there is no declared byte length to disagree with the data and no lenient decoder
//   (Buffer.from(s, 'base64') silently skips junk characters): the architecture implies each array's
//   length, which is compared with the actual length, then every element must be a finite number.
//   JSON cannot spell NaN; a too-large literal such as 1e999 parses as Infinity and is refused.
// - Speed: formatting the shortest digits costs ~0.1–0.3 µs per value (a 200k-parameter network
//   saves in ~50 ms, loads in ~50 ms); base64 would be several times faster but opaque.
import { constants as fsConstants, existsSync, readFileSync, type Stats } from 'node:fs';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKENDS, type BackendOption } from './backend.js';
import { BlasnetError, BlasnetRangeError, BlasnetTypeError, describe, type ErrorCode } from './errors.js';
import { LogisticRegression } from './logistic.js';
import { NeuralNetwork } from './network.js';
import { makeSpec, type ActivationName, type LossName, type NetSpec } from './spec.js';
import { checkKnownKeys, checkOptionsObject, integerInRange, oneOf, positiveNumber } from './validate.js';

/** The `format` field of every blasnet model file. */
export const MODEL_FORMAT = 'blasnet-model';
/** The version this blasnet writes. */
export const MODEL_FORMAT_VERSION = 1;
/** The versions this blasnet reads. */
export const SUPPORTED_MODEL_VERSIONS: readonly number[] = [1];
/** Default cap on a model file's size for loadModel (options.maxBytes). */
export const DEFAULT_MAX_MODEL_BYTES = 256 * 1024 * 1024;
/** The largest options.maxBytes: the file's text must fit in one JS string (V8's limit). */
export const MAX_MODEL_BYTES_LIMIT = 0x1fffffe8;

/** Not yet in the ErrorCode union of errors.ts; a file that is not a valid blasnet model. */
const ERR_FORMAT: ErrorCode = 'ERR_BLASNET_FORMAT';

export type ModelKind = 'neural-network' | 'logistic-regression';
export type Model = NeuralNetwork | LogisticRegression;

export interface ModelMetadata {
  /** When the model was serialized (ISO 8601). */
  createdAt?: string;
  /** The blasnet version that wrote it. */
  blasnet?: string;
  [key: string]: unknown;
}

export interface NetworkModelJSON {
  format: typeof MODEL_FORMAT;
  version: 1;
  kind: 'neural-network';
  metadata: ModelMetadata;
  architecture: {
    layers: number[];
    /** One per layer (hidden layers, then the output); alpha only for leaky-relu. */
    activations: { name: ActivationName; alpha?: number }[];
    loss: LossName;
  };
  training: { seed: number };
  parameters: { W: number[][]; b: number[][] };
}

export interface LogisticModelJSON {
  format: typeof MODEL_FORMAT;
  version: 1;
  kind: 'logistic-regression';
  metadata: ModelMetadata;
  architecture: { features: number };
  training: { learningRate: number; iterations: number; recordEvery: number };
  parameters: { weights: number[]; bias: number };
}

export type ModelJSON = NetworkModelJSON | LogisticModelJSON;

export interface ModelFromJSONOptions {
  /** Backend of the rebuilt model: 'auto' (default) | 'native' | 'reference'. Not part of the file. */
  backend?: BackendOption;
}

export interface ModelLoadOptions extends ModelFromJSONOptions {
  /** Refuse files larger than this many bytes. Default 256 MiB; at most MAX_MODEL_BYTES_LIMIT. */
  maxBytes?: number;
}

const FROM_JSON_KEYS = ['backend'] as const;
const LOAD_KEYS = ['backend', 'maxBytes'] as const;
const KINDS: readonly ModelKind[] = ['neural-network', 'logistic-regression'];
const TOP_KEYS = ['format', 'version', 'kind', 'metadata', 'architecture', 'training', 'parameters'];
/** Keys that are never valid anywhere in a model (prototype-pollution guard). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

// ─── Serializing ────────────────────────────────────────────────────────────────────────────────

/**
 * The model as a plain JSON-ready object (format version 1). The arrays are copies.
 * @throws {BlasnetError} ERR_BLASNET_NOT_FITTED for a LogisticRegression that has never been fitted
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE when `model` is neither a NeuralNetwork nor a LogisticRegression
 */
export function modelToJSON(model: NeuralNetwork): NetworkModelJSON;
export function modelToJSON(model: LogisticRegression): LogisticModelJSON;
export function modelToJSON(model: Model): ModelJSON;
export function modelToJSON(model: Model): ModelJSON {
  if (model instanceof NeuralNetwork) return networkToJSON(model);
  if (model instanceof LogisticRegression) return logisticToJSON(model);
  throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `model must be a NeuralNetwork or a LogisticRegression, got ${describe(model)}`);
}

function metadata(): ModelMetadata {
  const version = blasnetVersion();
  return version === undefined ? { createdAt: new Date().toISOString() } : { createdAt: new Date().toISOString(), blasnet: version };
}

function networkToJSON(net: NeuralNetwork): NetworkModelJSON {
  const spec = net.spec;
  const { W, b } = net.parameters;
  return {
    format: MODEL_FORMAT,
    version: 1,
    kind: 'neural-network',
    metadata: metadata(),
    architecture: {
      layers: [...spec.sizes],
      activations: spec.layers.map((l) => (l.g.name === 'leaky-relu' ? { name: l.g.name, alpha: l.g.alpha } : { name: l.g.name })),
      loss: spec.loss,
    },
    training: { seed: net.seed },
    parameters: { W: W.map((a, l) => finiteArray(a, `W[${l}]`)), b: b.map((a, l) => finiteArray(a, `b[${l}]`)) },
  };
}

function logisticToJSON(model: LogisticRegression): LogisticModelJSON {
  const w = model.weights;
  if (w.length === 0) {
    throw new BlasnetError('ERR_BLASNET_NOT_FITTED', 'cannot serialize a LogisticRegression that has not been fitted: it has no weights yet; call fit, fitSync or setParameters first');
  }
  const bias = model.bias;
  finiteArray([bias], 'bias');
  return {
    format: MODEL_FORMAT,
    version: 1,
    kind: 'logistic-regression',
    metadata: metadata(),
    architecture: { features: w.length },
    training: { learningRate: model.learningRate, iterations: model.iterations, recordEvery: model.recordEvery },
    parameters: { weights: finiteArray(w, 'weights'), bias },
  };
}

/** A number[] copy; a model never holds a non-finite parameter, but never write one if it did. */
function finiteArray(a: ArrayLike<number>, name: string): number[] {
  const out = new Array<number>(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!Number.isFinite(v)) throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `cannot serialize parameters.${name}: it holds ${v} at index ${i}`);
    out[i] = v;
  }
  return out;
}

/**
 * JSON text for a model object: 2-space indented, each number array on one line, −0 written as
 * "-0" (JSON.stringify writes "0"). Refuses non-finite numbers and non-JSON values.
 */
function modelText(json: ModelJSON): string {
  const parts: string[] = [];
  writeValue(json, '', parts, 'model');
  parts.push('\n');
  return parts.join('');
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

// ─── Rebuilding ─────────────────────────────────────────────────────────────────────────────────

/**
 * Rebuilds a model from the object modelToJSON gave (or JSON.parse of a saved file), validating
 * every field first: format, version, kind, architecture (the constructor's own rules), training
 * options, each parameter array's length against the architecture and every value finite.
 * @throws {TypeError|RangeError|BlasnetError} see loadModel
 */
export function modelFromJSON(json: unknown, options: ModelFromJSONOptions = {}): Model {
  return fromJSON(json, checkFromJSONOptions(options, FROM_JSON_KEYS), 'model JSON', undefined);
}

/** modelFromJSON for a file that must hold a neural network (NeuralNetwork.fromJSON). */
export function networkFromJSON(json: unknown, options: ModelFromJSONOptions = {}): NeuralNetwork {
  return fromJSON(json, checkFromJSONOptions(options, FROM_JSON_KEYS), 'model JSON', 'neural-network') as NeuralNetwork;
}

/** modelFromJSON for a file that must hold a logistic regression (LogisticRegression.fromJSON). */
export function logisticFromJSON(json: unknown, options: ModelFromJSONOptions = {}): LogisticRegression {
  return fromJSON(json, checkFromJSONOptions(options, FROM_JSON_KEYS), 'model JSON', 'logistic-regression') as LogisticRegression;
}

interface CheckedOptions {
  backend: BackendOption;
  maxBytes: number;
}

function checkFromJSONOptions(options: unknown, keys: readonly string[]): CheckedOptions {
  const o = checkOptionsObject(options, 'options');
  checkKnownKeys(o, 'options', keys);
  return {
    backend: oneOf(o.backend, 'options.backend', BACKENDS, 'auto'),
    maxBytes: integerInRange(o.maxBytes, 'options.maxBytes', DEFAULT_MAX_MODEL_BYTES, 1, MAX_MODEL_BYTES_LIMIT),
  };
}

type Obj = Record<string, unknown>;

function fromJSON(json: unknown, options: CheckedOptions, src: string, expect: ModelKind | undefined): Model {
  const root = plainObject(json, src, 'the model');
  rejectForbiddenKeys(root, src);
  if (!Object.prototype.hasOwnProperty.call(root, 'format')) {
    throw new BlasnetTypeError(ERR_FORMAT, `${src}: has no "format" field; expected "format": "${MODEL_FORMAT}" (is this a blasnet model?)`);
  }
  if (root.format !== MODEL_FORMAT) {
    throw new BlasnetRangeError(ERR_FORMAT, `${src}: format must be "${MODEL_FORMAT}", got ${describe(root.format)} (is this a blasnet model?)`);
  }
  const version = root.version;
  if (version === undefined) {
    throw new BlasnetTypeError(ERR_FORMAT, `${src}: has no "version" field; this blasnet reads version${SUPPORTED_MODEL_VERSIONS.length > 1 ? 's' : ''} ${SUPPORTED_MODEL_VERSIONS.join(', ')}`);
  }
  if (typeof version !== 'number' || !SUPPORTED_MODEL_VERSIONS.includes(version)) {
    const newer = typeof version === 'number' && Number.isInteger(version) && version > MODEL_FORMAT_VERSION ? ' (written by a newer blasnet?)' : '';
    throw new BlasnetRangeError(ERR_FORMAT,
      `${src}: unsupported format version ${describe(version)}${newer}; this blasnet reads version${SUPPORTED_MODEL_VERSIONS.length > 1 ? 's' : ''} ${SUPPORTED_MODEL_VERSIONS.join(', ')}`);
  }
  exactKeys(root, src, '', TOP_KEYS.filter((k) => k !== 'metadata'), TOP_KEYS);
  const kind = root.kind;
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
    throw new BlasnetRangeError(ERR_FORMAT, `${src}: kind must be one of ${KINDS.map((k) => `"${k}"`).join(' | ')}, got ${describe(kind)}`);
  }
  if (expect !== undefined && kind !== expect) {
    const cls = expect === 'neural-network' ? 'NeuralNetwork' : 'LogisticRegression';
    throw new BlasnetRangeError(ERR_FORMAT, `${src}: holds a ${kind} model; ${cls} needs a ${expect} (loadModel and modelFromJSON accept either kind)`);
  }
  if (root.metadata !== undefined) checkMetadata(root.metadata, src);
  return kind === 'neural-network' ? networkFrom(root, options, src) : logisticFrom(root, options, src);
}

function networkFrom(root: Obj, options: CheckedOptions, src: string): NeuralNetwork {
  // Architecture first: the expected parameter counts come from it alone, without allocating.
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
  exactKeys(training, src, 'training', ['seed'], ['seed']);
  const seed = integerInRange(training.seed, `${src}: training.seed`, 0, 0, 0xffffffff);

  const params = plainObject(root.parameters, src, 'parameters');
  exactKeys(params, src, 'parameters', ['W', 'b'], ['W', 'b']);
  const W = params.W, b = params.b;
  const shapes = `layers [${spec.sizes.join(', ')}]`;
  for (const [key, list] of [['W', W], ['b', b]] as const) {
    if (!Array.isArray(list)) throw new BlasnetTypeError(ERR_FORMAT, `${src}: parameters.${key} must be an array of ${L} arrays (one per layer), got ${describe(list)}`);
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

  // Everything is valid: now build (this allocates θ) and install the parameters (copied).
  const hidden = activations.slice(0, L - 1).map(activationOption);
  const net = new NeuralNetwork({
    layers: spec.sizes, hidden, output: activationOption(activations[L - 1]), loss: spec.loss, seed, backend: options.backend,
  } as ConstructorParameters<typeof NeuralNetwork>[0]);
  net.setParameters({ W: W as number[][], b: b as number[][] });
  return net;
}

function activationOption(a: unknown): { name: ActivationName; alpha?: number } {
  const o = a as { name: ActivationName; alpha?: number };
  return o.alpha === undefined ? { name: o.name } : { name: o.name, alpha: o.alpha };
}

function logisticFrom(root: Obj, options: CheckedOptions, src: string): LogisticRegression {
  const arch = plainObject(root.architecture, src, 'architecture');
  exactKeys(arch, src, 'architecture', ['features'], ['features']);
  const features = integerInRange(arch.features, `${src}: architecture.features`, 0, 1, 2 ** 31);

  const training = plainObject(root.training, src, 'training');
  const trainingKeys = ['learningRate', 'iterations', 'recordEvery'];
  exactKeys(training, src, 'training', trainingKeys, trainingKeys);
  const learningRate = positiveNumber(training.learningRate, `${src}: training.learningRate`, 0);
  const iterations = integerInRange(training.iterations, `${src}: training.iterations`, 0, 0);
  const recordEvery = integerInRange(training.recordEvery, `${src}: training.recordEvery`, 0, 1);

  const params = plainObject(root.parameters, src, 'parameters');
  exactKeys(params, src, 'parameters', ['weights', 'bias'], ['weights', 'bias']);
  checkLength(params.weights, features, src, 'parameters.weights', `${features} values (architecture.features)`);
  checkFinite(params.weights as unknown[], src, 'parameters.weights');
  const bias = params.bias;
  if (typeof bias !== 'number' || !Number.isFinite(bias)) {
    throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${src}: parameters.bias must be a finite number, got ${describe(bias)}${infinityHint(bias)}`);
  }

  const model = new LogisticRegression({ learningRate, iterations, recordEvery, backend: options.backend });
  model.setParameters({ weights: params.weights as number[], bias });
  return model;
}

function checkMetadata(value: unknown, src: string): void {
  const m = plainObject(value, src, 'metadata');
  for (const key of ['createdAt', 'blasnet']) {
    if (m[key] !== undefined && typeof m[key] !== 'string') {
      throw new BlasnetTypeError(ERR_FORMAT, `${src}: metadata.${key} must be a string, got ${describe(m[key])}`);
    }
  }
}

// ─── Structural checks ──────────────────────────────────────────────────────────────────────────

function plainObject(value: unknown, src: string, name: string): Obj {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BlasnetTypeError(ERR_FORMAT, `${src}: ${name} must be an object, got ${value === undefined ? 'nothing (the field is missing)' : describe(value)}`);
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw new BlasnetTypeError(ERR_FORMAT, `${src}: ${name} must be a plain object, got ${describe(value)}`);
  }
  return value as Obj;
}

function exactKeys(o: Obj, src: string, name: string, required: readonly string[], allowed: readonly string[]): void {
  const where = name === '' ? 'the top level' : name;
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) {
      throw new BlasnetTypeError(ERR_FORMAT,
        `${src}: unknown key ${JSON.stringify(key)} at ${where}; a version ${MODEL_FORMAT_VERSION} model has exactly ${allowed.map((k) => `"${k}"`).join(', ')} there`);
    }
  }
  for (const key of required) {
    if (!Object.prototype.hasOwnProperty.call(o, key) || o[key] === undefined) {
      throw new BlasnetTypeError(ERR_FORMAT, `${src}: ${name === '' ? '' : `${name}.`}${key} is missing`);
    }
  }
}

/**
 * Refuses `__proto__`, `constructor` and `prototype` as keys anywhere (they are never part of the
 * format, and a later merge of such an object could pollute prototypes). Iterative: a deeply nested
 * hostile file cannot overflow the stack here. Paths are built only for the error message.
 */
function rejectForbiddenKeys(root: Obj, src: string): void {
  const stack: { value: object; path: string }[] = [{ value: root, path: '' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (v !== null && typeof v === 'object') stack.push({ value: v, path: `${path}[${i}]` });
      }
      continue;
    }
    for (const key of Object.keys(value)) {
      const where = path === '' ? key : `${path}.${key}`;
      if (FORBIDDEN_KEYS.has(key)) {
        throw new BlasnetTypeError(ERR_FORMAT,
          `${src}: forbidden key ${JSON.stringify(key)} at ${path === '' ? 'the top level' : path}; "__proto__", "constructor" and "prototype" are never valid in a model (prototype-pollution guard)`);
      }
      const v = (value as Obj)[key];
      if (v !== null && typeof v === 'object') stack.push({ value: v, path: where });
    }
  }
}

function checkLength(a: unknown, expected: number, src: string, name: string, shape: string): void {
  if (!Array.isArray(a)) throw new BlasnetTypeError(ERR_FORMAT, `${src}: ${name} must be an array of numbers, got ${describe(a)}`);
  if (a.length !== expected) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${src}: ${name} must have ${shape}, got ${a.length}`);
}

function checkFinite(a: unknown[], src: string, name: string): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${src}: ${name} must contain only finite numbers, got ${describe(v)} at index ${i}${infinityHint(v)}`);
    }
  }
}

function infinityHint(v: unknown): string {
  return v === Infinity || v === -Infinity ? ' (a literal beyond the float64 range, such as 1e999, parses as Infinity)' : '';
}

/** The same error class and code with the source prefixed and option names mapped to the file's. */
function renamed(e: unknown, src: string, map: (m: string) => string): unknown {
  if (e instanceof BlasnetTypeError) return new BlasnetTypeError(e.code, `${src}: invalid architecture: ${map(e.message)}`);
  if (e instanceof BlasnetRangeError) return new BlasnetRangeError(e.code, `${src}: invalid architecture: ${map(e.message)}`);
  return e;
}

// ─── Files ──────────────────────────────────────────────────────────────────────────────────────

function checkPath(path: unknown, name = 'path'): string {
  if (path instanceof URL) {
    if (path.protocol !== 'file:') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a file path or a file: URL, got a ${path.protocol} URL`);
    return fileURLToPath(path);
  }
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a non-empty file path (string or file: URL), got ${describe(path)}`);
  }
  return path;
}

/** A Node system error (same code, errno, syscall) whose message says what blasnet was doing, and where. */
function fileError(e: unknown, action: string, path: string): Error {
  const err = e as NodeJS.ErrnoException;
  // Only the OS's errors (they carry errno / syscall); blasnet's own pass through unchanged.
  if (!(err instanceof Error) || typeof err.code !== 'string' || (typeof err.errno !== 'number' && typeof err.syscall !== 'string')) return e as Error;
  const out = new Error(`${action} ${JSON.stringify(path)}: ${err.message}`, { cause: e }) as NodeJS.ErrnoException;
  out.code = err.code;
  if (err.errno !== undefined) out.errno = err.errno;
  if (err.syscall !== undefined) out.syscall = err.syscall;
  out.path = err.path ?? path;
  return out;
}

function systemLikeError(code: string, message: string, path: string): Error {
  const out = new Error(message) as NodeJS.ErrnoException;
  out.code = code;
  out.path = path;
  return out;
}

/**
 * Writes the model to `path` atomically: the JSON goes to a new temporary file in the same folder
 * (`${path}.${pid}.${random}.tmp`), which is fsynced, closed, renamed over `path`, and then the
 * folder is fsynced. A crash at any moment leaves either the previous file or the complete new one
 * (a killed process may leave its temporary file behind). The parameters are those of the moment of
 * the call. The replaced file's permission bits are kept; a symlink at `path` is replaced, not followed.
 * @throws {BlasnetError} ERR_BLASNET_NOT_FITTED for an unfitted LogisticRegression
 * @throws {Error} the file system's error (code ENOENT, EACCES, EISDIR, …), its message naming the path
 */
export async function saveModel(model: Model, path: string | URL): Promise<void> {
  const target = checkPath(path);
  const json = modelToJSON(model);
  let text: string;
  try {
    text = modelText(json); // serialize fully (and synchronously) before touching the disk
  } catch (e) {
    if (e instanceof RangeError && !(e instanceof BlasnetRangeError)) {
      throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE',
        `the model is too large to save as one JSON text (${e.message}); V8 strings hold at most ~512 MiB, about 25 million parameters`);
    }
    throw e;
  }
  const tmp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  let existing: Stats | undefined;
  try {
    existing = await stat(target);
  } catch {
    existing = undefined;
  }
  if (existing?.isDirectory()) {
    throw systemLikeError('EISDIR', `cannot save the model to ${JSON.stringify(target)}: it is a directory`, target);
  }
  let fh: FileHandle | undefined;
  try {
    try {
      // O_EXCL: never write through a file that appeared under our unique name.
      fh = await open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o666);
    } catch (e) {
      throw fileError(e, 'cannot create the temporary file for', tmp);
    }
    try {
      if (existing?.isFile()) await fh.chmod(existing.mode & 0o777).catch(() => {});
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } catch (e) {
      throw fileError(e, 'cannot write the model to', tmp);
    }
    const closing = fh;
    fh = undefined;
    try {
      await closing.close();
    } catch (e) {
      throw fileError(e, 'cannot write the model to', tmp);
    }
    try {
      await rename(tmp, target);
    } catch (e) {
      throw fileError(e, 'cannot move the saved model into place at', target);
    }
  } catch (e) {
    if (fh) await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await syncDirectory(dirname(target));
}

/** fsync a folder so a rename in it is durable; platforms that cannot (EISDIR, EINVAL, …) skip it. */
async function syncDirectory(dir: string): Promise<void> {
  let dh: FileHandle;
  try {
    dh = await open(dir, 'r');
  } catch (e) {
    if (ignorableSyncError(e)) return;
    throw fileError(e, 'cannot open the folder to fsync it:', dir);
  }
  try {
    await dh.sync();
  } catch (e) {
    if (!ignorableSyncError(e)) throw fileError(e, 'cannot fsync the folder', dir);
  } finally {
    await dh.close().catch(() => {});
  }
}

function ignorableSyncError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EISDIR' || code === 'EINVAL' || code === 'EPERM' || code === 'EACCES' || code === 'ENOTSUP' || code === 'EBADF';
}

/**
 * Reads a model saved by saveModel. The file's size is checked (stat) against options.maxBytes
 * before it is read; the JSON is parsed, then every field is validated (see modelFromJSON) before
 * the model is built.
 * @throws {Error} the file system's error (ENOENT for a missing file, EISDIR for a folder, …) naming the path
 * @throws {RangeError} ERR_BLASNET_ARG_RANGE for a file larger than options.maxBytes
 * @throws {BlasnetError} ERR_BLASNET_FORMAT for an empty file, invalid UTF-8, or text that is not
 *   (complete) JSON
 * @throws {TypeError|RangeError} ERR_BLASNET_FORMAT (format, version, kind, structure, unknown or
 *   forbidden keys), ERR_BLASNET_CONFIG (architecture), ERR_BLASNET_ARG_TYPE / ERR_BLASNET_ARG_RANGE
 *   (training options), ERR_BLASNET_SHAPE (a parameter array's length), ERR_BLASNET_NOT_FINITE
 *   (a parameter that is not a finite number); every message starts with the file's path
 */
export function loadModel(path: string | URL, options?: ModelLoadOptions): Promise<Model> {
  return loadAs(path, options, undefined);
}

/** loadModel for a file that must hold a neural network (NeuralNetwork.load). */
export function loadNetwork(path: string | URL, options?: ModelLoadOptions): Promise<NeuralNetwork> {
  return loadAs(path, options, 'neural-network') as Promise<NeuralNetwork>;
}

/** loadModel for a file that must hold a logistic regression (LogisticRegression.load). */
export function loadLogistic(path: string | URL, options?: ModelLoadOptions): Promise<LogisticRegression> {
  return loadAs(path, options, 'logistic-regression') as Promise<LogisticRegression>;
}

async function loadAs(path: unknown, options: unknown, expect: ModelKind | undefined): Promise<Model> {
  const file = checkPath(path);
  const o = checkFromJSONOptions(options ?? {}, LOAD_KEYS);
  const src = `model file ${JSON.stringify(file)}`;
  const bytes = await readCapped(file, o.maxBytes, src);
  if (bytes.length === 0) throw new BlasnetError(ERR_FORMAT, `${src} is empty (0 bytes); expected a blasnet model (JSON)`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new BlasnetError(ERR_FORMAT, `${src} is not valid UTF-8 text, so not a blasnet model (JSON)`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    // V8 says "Unexpected end of JSON input", or names a position: at the end of the text, the file was cut short.
    const position = /at position (\d+)/.exec(detail);
    const atEnd = position !== null && Number(position[1]) >= text.trimEnd().length;
    const truncated = atEnd || /end of JSON input|Unterminated/i.test(detail)
      ? `it ends before the JSON is complete: the file is truncated (${bytes.length} bytes)`
      : 'it is not valid JSON, so not a blasnet model';
    throw new BlasnetError(ERR_FORMAT, `${src}: ${truncated}: ${detail}`, { cause: e });
  }
  return fromJSON(json, o, src, expect);
}

/** The file's bytes, refusing anything but a regular file of at most maxBytes (checked before reading). */
async function readCapped(file: string, maxBytes: number, src: string): Promise<Uint8Array> {
  let st: Stats;
  try {
    st = await stat(file);
  } catch (e) {
    throw fileError(e, 'cannot read the model file', file);
  }
  if (st.isDirectory()) throw systemLikeError('EISDIR', `cannot read the model file ${JSON.stringify(file)}: it is a directory, not a file`, file);
  if (!st.isFile()) throw systemLikeError('EINVAL', `cannot read the model file ${JSON.stringify(file)}: it is not a regular file`, file);
  if (st.size > maxBytes) throw tooBig(src, st.size, maxBytes);
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw fileError(e, 'cannot read the model file', file);
  }
  try {
    // The file may have been replaced between stat and open: trust only the open handle's size.
    const size = (await fh.stat()).size;
    if (size > maxBytes) throw tooBig(src, size, maxBytes);
    const buf = new Uint8Array(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(buf, off, size - off, off);
      if (bytesRead === 0) break; // shrank while being read: what is there gets validated
      off += bytesRead;
    }
    return off === size ? buf : buf.subarray(0, off);
  } catch (e) {
    throw fileError(e, 'cannot read the model file', file);
  } finally {
    await fh.close().catch(() => {});
  }
}

function tooBig(src: string, size: number, maxBytes: number): BlasnetRangeError {
  return new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `${src} is ${size} bytes, above the limit of ${maxBytes} bytes (options.maxBytes); raise options.maxBytes if the file is trusted`);
}

let cachedVersion: string | null | undefined;

/** blasnet's version from its package.json (the nearest one above this file named "blasnet"). */
function blasnetVersion(): string | undefined {
  if (cachedVersion !== undefined) return cachedVersion ?? undefined;
  cachedVersion = null;
  try {
    let dir = dirname(fileURLToPath(import.meta.url));
    for (;;) {
      const pkg = join(dir, 'package.json');
      if (existsSync(pkg)) {
        const p = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown; version?: unknown };
        if (p.name === 'blasnet' && typeof p.version === 'string') {
          cachedVersion = p.version;
          break;
        }
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  } catch {
    // no version: metadata.blasnet is left out
  }
  return cachedVersion ?? undefined;
}
