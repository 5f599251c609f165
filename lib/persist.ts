// The either-kind entry points: loadModel / modelFromJSON (whichever model a file holds), and
// saveModel / modelToJSON for either model. Only lib/index.ts imports this module; the models own
// their bodies (lib/logistic.ts, lib/network.ts), the format lives in lib/format/.
import { BlasnetTypeError, describe } from './errors.js';
import { checkFromJSONOptions, checkModelJSON, readModelFile, type ModelDocument } from './format/document.js';
import type { LogisticModelJSON, ModelJSON, ModelFromJSONOptions, ModelLoadOptions, ModelSaveOptions, NetworkModelJSON } from './format/types.js';
import { LogisticRegression } from './logistic.js';
import { NeuralNetwork } from './network.js';

/**
 * Either model: what loadModel and modelFromJSON return when the file may hold either kind.
 * Narrow it with `instanceof` before calling a method only one class has.
 * @example
 * ```ts
 * const model: Model = await loadModel('model.json');
 * const p = model instanceof NeuralNetwork ? model.predictSync(X) : model.predictProbaSync(X);
 * ```
 */
export type Model = NeuralNetwork | LogisticRegression;

function checkModel(model: unknown): Model {
  if (model instanceof NeuralNetwork || model instanceof LogisticRegression) return model;
  throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `model must be a NeuralNetwork or a LogisticRegression, got ${describe(model)}`);
}

function rebuild(doc: ModelDocument, backend: ModelFromJSONOptions['backend']): Model {
  // The document is already checked: fromJSON takes it as it is (its src still names the file).
  return doc.kind === 'neural-network' ? NeuralNetwork.fromJSON(doc, { backend }) : LogisticRegression.fromJSON(doc, { backend });
}

/**
 * The model as a plain JSON-ready object (format version 1): `model.toJSON()` for either kind.
 * @param model - a NeuralNetwork or a LogisticRegression
 * @returns its JSON object (the arrays are copies)
 * @throws {BlasnetError} ERR_BLASNET_NOT_FITTED for a LogisticRegression that has never been fitted
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE when `model` is neither
 * @example const json = modelToJSON(model);
 */
export function modelToJSON(model: NeuralNetwork): NetworkModelJSON;
export function modelToJSON(model: LogisticRegression): LogisticModelJSON;
export function modelToJSON(model: Model): ModelJSON;
export function modelToJSON(model: Model): ModelJSON {
  return checkModel(model).toJSON();
}

/**
 * Rebuilds whichever model the object holds (its `kind`), validating every field first; see
 * NeuralNetwork.fromJSON and LogisticRegression.fromJSON.
 * @param json - the object toJSON gave, or JSON.parse of a saved file
 * @param options - `{ backend? }`
 * @returns a NeuralNetwork or a LogisticRegression
 * @throws {TypeError|RangeError} ERR_BLASNET_FORMAT, ERR_BLASNET_CONFIG, ERR_BLASNET_ARG_TYPE,
 *   ERR_BLASNET_ARG_RANGE, ERR_BLASNET_SHAPE, ERR_BLASNET_NOT_FINITE (see the models' fromJSON)
 * @throws {BlasnetError} ERR_BLASNET_NATIVE_UNAVAILABLE for backend 'native' without the addon
 * @example const model = modelFromJSON(JSON.parse(text));
 */
export function modelFromJSON(json: unknown, options: ModelFromJSONOptions = {}): Model {
  const { backend } = checkFromJSONOptions(options);
  return rebuild(checkModelJSON(json, 'model JSON'), backend);
}

/**
 * Saves either model atomically: `model.save(path, options)`. The file's metadata holds a fresh
 * `createdAt` and `blasnet`, then the model's user metadata (`model.metadata`), or
 * `options.metadata` in its place (replaced, not merged).
 * @param model - a NeuralNetwork or a LogisticRegression
 * @param path - a file path or a file: URL
 * @param options - `{ metadata? }`: a plain object of JSON values, copied; `createdAt` and `blasnet` are reserved
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE when `model` is neither, for a bad path, for options that are
 *   not an object or have an unknown key, or for metadata that is not JSON data (naming the place)
 * @throws {RangeError} ERR_BLASNET_ARG_RANGE for a network too large for one JSON text (~25 million
 *   parameters), a non-finite number in the metadata, or metadata beyond MODEL_JSON_LIMITS; nothing is written
 * @throws {BlasnetError} ERR_BLASNET_NOT_FITTED for an unfitted LogisticRegression
 * @throws {Error} the file system's error (ENOENT, EACCES, EISDIR, …) naming the path
 * @example await saveModel(model, 'model.json', { metadata: { dataset: 'iris-2026-11' } });
 */
export async function saveModel(model: Model, path: string | URL, options?: ModelSaveOptions): Promise<void> {
  await checkModel(model).save(path, options);
}

/**
 * Loads whichever model a file saved by `save` / `saveModel` holds.
 * @param path - a file path or a file: URL
 * @param options - `{ backend?, maxBytes? }` (maxBytes default 256 MiB)
 * @returns a NeuralNetwork or a LogisticRegression
 * @throws {Error} the file system's error (ENOENT for a missing file, EISDIR for a folder, EINVAL for
 *   a non-regular file, …) naming the path
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE for a bad path, or options with an unknown key, a wrong
 *   type or an unknown backend
 * @throws {RangeError} ERR_BLASNET_ARG_RANGE for a file larger than options.maxBytes, or a maxBytes
 *   outside [1, MAX_MODEL_BYTES_LIMIT]
 * @throws {BlasnetError} ERR_BLASNET_NATIVE_UNAVAILABLE for backend 'native' without the addon
 * @throws {BlasnetError|TypeError|RangeError} ERR_BLASNET_FORMAT (empty, truncated, not UTF-8, not JSON,
 *   not a bounded tree, format, version, kind, structure, unknown or forbidden keys),
 *   ERR_BLASNET_CONFIG (architecture), ERR_BLASNET_ARG_TYPE / ERR_BLASNET_ARG_RANGE (training fields),
 *   ERR_BLASNET_SHAPE (a length), ERR_BLASNET_NOT_FINITE (a value); every message starts with the path
 * @example const model = await loadModel('model.json', { backend: 'reference' });
 */
export async function loadModel(path: string | URL, options?: ModelLoadOptions): Promise<Model> {
  const { doc, backend } = await readModelFile(path, options);
  return rebuild(doc, backend);
}
