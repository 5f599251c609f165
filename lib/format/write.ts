// Writing a model: the `metadata` a model writes (when, and by which blasnet, then the model's user
// metadata), the options of save (`metadata`: checked and copied here), and the exact JSON writer
// (modelText, writeModelFile: every float64 round-trips bit for bit, see lib/format/spec.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { types } from 'node:util';
import { BlasnetRangeError, BlasnetTypeError, describe } from '../errors.js';
import { checkPath, writeFileAtomic } from '../fileio.js';
import { packageRoot } from '../native.js';
import { checkKnownKeys, checkOptionsObject } from '../validate.js';
import { MODEL_JSON_LIMITS, RESERVED_METADATA_KEYS } from './spec.js';
import type { ModelJSON, ModelMetadata, Obj } from './types.js';

/**
 * The `metadata` a model writes: when, and by which blasnet, then the model's user metadata.
 * @param user - the user metadata (JSON data, as checkUserMetadata or userMetadata give it); deep-copied,
 *   its createdAt and blasnet keys (never present) left out
 * @returns `{ createdAt, blasnet, …user }` (blasnet left out when the package version cannot be read)
 * @example metadata({ dataset: 'iris' }) // { createdAt: '2026-12-01T09:00:00.000Z', blasnet: '0.1.0', dataset: 'iris' }
 */
export function metadata(user?: Readonly<Obj>): ModelMetadata {
  const createdAt = new Date().toISOString();
  const version = blasnetVersion();
  const out: ModelMetadata = version === undefined ? { createdAt } : { createdAt, blasnet: version };
  if (user !== undefined) {
    for (const key of Object.keys(user)) {
      if (!RESERVED_METADATA_KEYS.includes(key) && user[key] !== undefined) out[key] = structuredClone(user[key]);
    }
  }
  return out;
}

const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];
const A_JSON_VALUE = 'a JSON value (a string, a finite number, a boolean, null, an array or a plain object)';

function keyPath(path: string, key: string): string {
  if (key.length > 40) return `${path}[a key of length ${key.length}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * Checks a caller's user metadata (`options.metadata` of save) and copies it: a plain object whose
 * values are JSON data (strings, finite numbers, booleans, null, plain arrays, plain objects; an
 * object property holding undefined is left out, as JSON.stringify does), a tree (no object reached
 * twice), within MODEL_JSON_LIMITS as the model file will hold it (the metadata object is level 2 of
 * the file's nesting; its own keys share maxKeys with createdAt and blasnet), no `createdAt` or
 * `blasnet` key (reserved) and no `__proto__`, `constructor` or `prototype` key anywhere. Every
 * property is read once; the copy is made of fresh plain objects and arrays, so a later change to
 * the caller's object changes nothing. Recursion is bounded by maxDepth.
 * @param value - the caller's value
 * @param name - names it in messages ('options.metadata')
 * @returns the copy
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE naming the place (`options.metadata.tags[2]`) for a value that is
 *   not JSON data (a function, undefined in an array, a Date, a Map, a typed array, a Proxy, an
 *   accessor), an object reached twice, a reserved or forbidden key
 * @throws {RangeError} ERR_BLASNET_ARG_RANGE naming the place for a non-finite number, or a bound of
 *   MODEL_JSON_LIMITS exceeded (depth, keys per object, string or key length)
 * @example const user = checkUserMetadata(o.metadata, 'options.metadata');
 */
export function checkUserMetadata(value: unknown, name: string): Obj {
  const { maxDepth, maxKeys, maxStringLength } = MODEL_JSON_LIMITS;
  const typeError = (message: string) => new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', message);
  const rangeError = (message: string) => new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', message);
  const firstSeenAt = new Map<object, string>();
  const ancestors = new Set<object>();

  // An object or array at `path`, `depth` levels deep in the model file (the model is level 1).
  const container = (v: object, path: string, depth: number): unknown => {
    if (types.isProxy(v)) throw typeError(`${path} must be plain JSON data, got a Proxy`);
    const first = firstSeenAt.get(v);
    if (first !== undefined) {
      throw typeError(ancestors.has(v)
        ? `${path} is ${first} again: the object contains itself (a cycle); ${name} must be a tree of JSON data`
        : `${path} is the same object as ${first}: one object in two places; ${name} must be a tree of JSON data (give each place its own copy)`);
    }
    if (depth > maxDepth) {
      throw rangeError(`${path} is nested ${depth} levels deep in the model file (${name} is level 2), above the limit of ${maxDepth} (MODEL_JSON_LIMITS.maxDepth)`);
    }
    firstSeenAt.set(v, path);
    ancestors.add(v);
    let out: unknown;
    if (Array.isArray(v)) {
      if (Object.getPrototypeOf(v) !== Array.prototype) throw typeError(`${path} must be a plain array, got ${describe(v)} with another prototype`);
      const copy: unknown[] = [];
      for (let i = 0; i < v.length; i++) copy.push(element(v[i], `${path}[${i}]`, depth));
      out = copy;
    } else {
      const proto = Object.getPrototypeOf(v) as unknown;
      if (ArrayBuffer.isView(v) || (proto !== Object.prototype && proto !== null)) {
        throw typeError(`${path} must be ${depth === 2 ? 'a plain object of JSON values' : A_JSON_VALUE}, got ${describe(v)}`);
      }
      const keys = Object.keys(v);
      const room = depth === 2 ? maxKeys - RESERVED_METADATA_KEYS.length : maxKeys;
      if (keys.length > room) {
        throw rangeError(`${path} must have at most ${room} keys (MODEL_JSON_LIMITS.maxKeys${depth === 2 ? ', less createdAt and blasnet' : ''}), got ${keys.length}`);
      }
      const copy: Obj = {};
      for (const key of keys) {
        const where = keyPath(path, key);
        if (FORBIDDEN_KEYS.includes(key)) throw typeError(`${path} must not have the key ${JSON.stringify(key)}: "__proto__", "constructor" and "prototype" are never valid in a model file (prototype-pollution guard)`);
        if (depth === 2 && RESERVED_METADATA_KEYS.includes(key)) {
          throw typeError(`${where} is reserved: blasnet writes createdAt and blasnet itself on every save; give your value another key`);
        }
        if (key.length > maxStringLength) throw rangeError(`${where} is a key of ${key.length} characters, above the limit of ${maxStringLength} (MODEL_JSON_LIMITS.maxStringLength)`);
        const d = Object.getOwnPropertyDescriptor(v, key);
        if (d === undefined) continue;
        if (!('value' in d)) throw typeError(`${where} is an accessor (getter/setter) property; ${name} must be plain JSON data`);
        if (d.value !== undefined) copy[key] = element(d.value, where, depth);
      }
      out = copy;
    }
    ancestors.delete(v);
    return out;
  };

  // A value held by the container at level `depth`.
  const element = (v: unknown, path: string, depth: number): unknown => {
    switch (typeof v) {
      case 'string':
        if (v.length > maxStringLength) throw rangeError(`${path} is a string of ${v.length} characters, above the limit of ${maxStringLength} (MODEL_JSON_LIMITS.maxStringLength)`);
        return v;
      case 'number':
        if (!Number.isFinite(v)) throw rangeError(`${path} must be a finite number, got ${describe(v)}`);
        return v;
      case 'boolean':
        return v;
      case 'object':
        return v === null ? null : container(v, path, depth + 1);
      default:
        throw typeError(`${path} must be ${A_JSON_VALUE}, got ${describe(v)}`);
    }
  };

  if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw typeError(`${name} must be a plain object of JSON values, got ${describe(value)}`);
  }
  return container(value, name, 2) as Obj;
}

/**
 * Options of save / saveModel: `{ metadata? }`, own keys only.
 * @param options - the caller's value (undefined: no options)
 * @returns the user metadata to write, checked and copied (checkUserMetadata), or undefined to write
 *   the model's own
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE for a non-object or an unknown key; what checkUserMetadata throws
 * @example const user = checkSaveOptions(options);
 */
export function checkSaveOptions(options: unknown): Obj | undefined {
  const o = checkOptionsObject(options, 'options');
  checkKnownKeys(o, 'options', ['metadata']);
  return o.metadata === undefined ? undefined : checkUserMetadata(o.metadata, 'options.metadata');
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
 * the disk is touched, so the file holds the parameters of the moment of the call. What save does.
 * @param path - a file path or a file: URL
 * @param json - the model's toJSON()
 * @param options - save's options (checkSaveOptions): `metadata` replaces the user metadata of `json`
 * @returns when the file is complete
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE for a bad path or bad options; ERR_BLASNET_IO naming the path (cause: the file system's error)
 * @throws {RangeError} ERR_BLASNET_ARG_RANGE for metadata beyond MODEL_JSON_LIMITS or a non-finite number in it
 * @example await writeModelFile('model.json', model.toJSON(), { metadata: { dataset: 'iris' } });
 */
export async function writeModelFile(path: string | URL, json: ModelJSON, options?: unknown): Promise<void> {
  const target = checkPath(path);
  const user = checkSaveOptions(options);
  const text = modelText(user === undefined ? json : { ...json, metadata: metadata(user) });
  await writeFileAtomic(target, text, 'the model');
}
