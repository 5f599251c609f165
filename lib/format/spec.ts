// The blasnet model format: its constants (MODEL_FORMAT, the versions, the size limits, the bounds
// every model object must stay within) and the kinds. The JSON types are in lib/format/types.ts, the
// field helpers in lib/format/fields.ts, reading and checking a model object or file in
// lib/format/document.ts, the exact JSON writer in lib/format/write.ts. No module of lib/format/
// imports a model: each model class serializes and rebuilds its own body through these helpers
// (lib/logistic.ts, lib/network.ts).
//
// Version 3 (MODEL_FORMAT_VERSION) adds `preprocessing.tabular` (lib/format/preprocessing.ts) and
// `training.state` (lib/format/train-state.ts: the epoch counter, the optimizer's state and the
// early-stopping and plateau counters that a warm start continues), and drops
// `training.completedFits`, which versions 1 and 2 may hold and which is read and ignored (the
// model's epoch counter starts at 0). Version 2 added `architecture.classes`, `training.options`
// and `preprocessing.targetScaling`. Versions 1 and 2 are still read.
//
// The format, version 1:
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
//     "preprocessing"?: { "inputScaling": { "mean": [s0 numbers], "std": [s0 numbers > 0] },
//                         "targetScaling"?: …, "tabular"?: (version 3, lib/format/preprocessing.ts) }
//   }
// `alpha` is written for (and only allowed on) leaky-relu, always explicitly, so a saved model never
// depends on a default. `training.completedFits` (network only, versions 1 and 2) was the number of
// fits that completed, from which the next fit's shuffle derived; version 3 keys the shuffle by the
// epoch counter in `training.state` instead and ignores it. `preprocessing.inputScaling` is the
// model's input standardization (setInputScaling): written when set, absent means none. Both were
// added within version 1: files without them read exactly as before. `metadata` is informational and
// optional on read: extra keys there are allowed and never interpreted (createdAt and blasnet, when
// present, must be strings). Those extra keys are the model's user metadata: a rebuilt model keeps
// them and writes them back beside a fresh createdAt and blasnet (RESERVED_METADATA_KEYS), and
// save(path, { metadata }) replaces them. Everywhere else an unknown key is refused: a field this
// version does not understand could change what the parameters mean, and a newer writer that adds one
// bumps `version`.
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
import type { JsonTreeLimits } from '../jsontree.js';

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
 * The format version this blasnet writes (3: `preprocessing.tabular` and `training.state` added). A
 * writer that adds a field whose meaning a reader cannot ignore bumps it.
 * @example
 * ```ts
 * modelToJSON(net).version === MODEL_FORMAT_VERSION; // true
 * ```
 */
export const MODEL_FORMAT_VERSION = 3;
/**
 * The format versions this blasnet reads; any other `version` is refused with ERR_BLASNET_FORMAT.
 * @example
 * ```ts
 * const readable = SUPPORTED_MODEL_VERSIONS.includes(JSON.parse(text).version);
 * ```
 */
export const SUPPORTED_MODEL_VERSIONS: readonly number[] = [1, 2, 3];
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

/**
 * The `metadata` keys blasnet writes itself, afresh on every save (when, and by which blasnet); every
 * other key of `metadata` is the model's user metadata. Internal (not exported from the package).
 * @example const user = Object.keys(json.metadata).filter((k) => !RESERVED_METADATA_KEYS.includes(k));
 */
export const RESERVED_METADATA_KEYS: readonly string[] = Object.freeze(['createdAt', 'blasnet']);

/**
 * Which model a file holds (its `kind` field): loadModel and modelFromJSON rebuild that class.
 * @example
 * ```ts
 * const kind: ModelKind = modelToJSON(model).kind; // 'neural-network' for a NeuralNetwork
 * ```
 */
export type ModelKind = 'neural-network' | 'logistic-regression';
