// Reading a model object or file: the checks every model object passes before a model reads its
// body (a bounded tree, lib/jsontree.ts; the header: format, version, top-level keys, kind,
// metadata), the options of fromJSON, and reading a model file (size cap, UTF-8, JSON). The body is
// left to the model class of the document's kind.
import { types } from 'node:util';
import { BACKENDS, type BackendOption } from '../backend.js';
import { BlasnetTypeError, blasnetError, describe, type ErrorCode } from '../errors.js';
import { checkPath, readFileCapped } from '../fileio.js';
import { checkJsonTree, jsonTextTooDeepAt } from '../jsontree.js';
import { checkKnownKeys, checkOptionsObject, integerInRange, oneOf } from '../validate.js';
import { exactKeys, plainObject } from './fields.js';
import {
  DEFAULT_MAX_MODEL_BYTES, MAX_MODEL_BYTES_LIMIT, MODEL_FORMAT, MODEL_FORMAT_VERSION, MODEL_JSON_LIMITS, RESERVED_METADATA_KEYS, SUPPORTED_MODEL_VERSIONS,
  type ModelKind,
} from './spec.js';
import type { Obj } from './types.js';

const ERR_FORMAT: ErrorCode = 'ERR_BLASNET_FORMAT';

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

/**
 * The user metadata of a checked document: every key of its `metadata` other than createdAt and
 * blasnet (RESERVED_METADATA_KEYS), deep-copied, so the rebuilt model shares nothing with the
 * caller's object. The tree check has already refused anything that is not plain JSON data.
 * @param doc - a checked document
 * @returns the user keys (`{}` when the document has no metadata or none but the reserved keys)
 * @example net.#metadata = userMetadata(doc);
 */
export function userMetadata(doc: ModelDocument): Obj {
  const out: Obj = {};
  const m = doc.root.metadata as Obj | undefined;
  if (m === undefined) return out;
  for (const key of Object.keys(m)) {
    if (!RESERVED_METADATA_KEYS.includes(key) && m[key] !== undefined) out[key] = structuredClone(m[key]);
  }
  return out;
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
