// The bounded-tree check for untrusted JSON-shaped data (a parsed model file, or an object handed to
// fromJSON): plain data only, no cycles or shared sub-objects, sizes and depth within bounds, no
// prototype-polluting keys. Generic: it knows nothing of the model format and imports no model.
import { types } from 'node:util';
import { blasnetError, describe, type ErrorCode } from './errors.js';

/**
 * Size bounds on a JSON-shaped object, checked before any of its fields is read so that a hostile
 * model (deep, wide or huge) fails at once instead of hanging or exhausting memory. The model
 * format's bounds are {@link MODEL_JSON_LIMITS}.
 * @example
 * ```ts
 * const { maxDepth, maxValues }: JsonTreeLimits = MODEL_JSON_LIMITS; // 32, 2 ** 31 + 2 ** 20
 * ```
 */
export interface JsonTreeLimits {
  /** Nesting of objects and arrays; the root is depth 1. */
  readonly maxDepth: number;
  /** Own keys of one object. */
  readonly maxKeys: number;
  /** Length of every string value and every key (UTF-16 code units). */
  readonly maxStringLength: number;
  /** Array elements plus object keys over the whole tree. */
  readonly maxValues: number;
}

const ERR_FORMAT: ErrorCode = 'ERR_BLASNET_FORMAT';
/** Keys that are never valid anywhere (prototype-pollution guard). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

interface Frame {
  value: object;
  path: string;
  depth: number;
  parent: Frame | null;
}

/**
 * Refuses anything but a bounded tree of plain JSON data: plain objects (own data properties only)
 * and plain arrays, numbers, strings, booleans, null (undefined only as an object property, i.e.
 * an absent field); no object reached twice (a cycle names the object it re-enters, a shared
 * sub-object the first place it appeared), no Proxy, typed array or other class instance; no
 * `__proto__`, `constructor` or `prototype` key; depth, keys per object, string and key lengths and
 * the total count of array elements plus object keys within `limits`. Iterative and depth-first;
 * every container's size is compared with its bound before its elements are visited, so nothing
 * hostile hangs or overflows the stack. Paths are built for containers only, for the messages.
 * @param root - a plain object (the caller has checked that much)
 * @param src - names the document in messages ('model JSON', 'model file "/m.json"')
 * @param limits - the bounds (the root is depth 1)
 * @param what - what the data is, in messages ('a model')
 * @param limitsName - how the bounds are named in messages ('MODEL_JSON_LIMITS')
 * @throws {BlasnetError} ERR_BLASNET_FORMAT for a cycle, a shared sub-object, a forbidden key or a value
 *   that is not plain JSON data, or a bound exceeded (naming the place and the bound)
 * @example checkJsonTree(JSON.parse(text), 'model JSON', MODEL_JSON_LIMITS, 'a model', 'MODEL_JSON_LIMITS');
 */
export function checkJsonTree(root: object, src: string, limits: JsonTreeLimits, what = 'the document', limitsName = 'limits'): void {
  const firstSeenAt = new Map<object, string>([[root, '']]);
  const stack: Frame[] = [{ value: root, path: '', depth: 1, parent: null }];
  let values = 0;
  const the = what.replace(/^an? /, 'the ');
  const at = (path: string) => (path === '' ? 'the top level' : path);
  const fail = (message: string): never => {
    throw blasnetError(ERR_FORMAT, `${src}: ${message}`);
  };
  const visit = (v: unknown, path: string, frame: Frame): void => {
    switch (typeof v) {
      case 'number':
      case 'boolean':
        return;
      case 'string':
        if (v.length > limits.maxStringLength) fail(`the string at ${path} has ${v.length} characters, above the limit of ${limits.maxStringLength} (${limitsName}.maxStringLength)`);
        return;
      case 'object': {
        if (v === null) return;
        if (types.isProxy(v)) fail(`${path} is a Proxy; ${what} must be plain JSON data`);
        const first = firstSeenAt.get(v);
        if (first !== undefined) {
          for (let f: Frame | null = frame; f !== null; f = f.parent) {
            if (f.value === v) fail(`${path} is ${f.path === '' ? `${the} itself` : f.path} again: the object contains itself (a cycle); ${what} must be a tree of plain JSON data`);
          }
          fail(`${path} is the same object as ${at(first)}: a sub-object shared between two places; ${what} must be a tree of plain JSON data`);
        }
        const depth = frame.depth + 1;
        if (depth > limits.maxDepth) fail(`${path} is nested ${depth} levels deep, above the limit of ${limits.maxDepth} (${limitsName}.maxDepth)`);
        if (Array.isArray(v)) {
          if (Object.getPrototypeOf(v) !== Array.prototype) fail(`${path} must be a plain array, got ${describe(v)} with another prototype`);
        } else if (ArrayBuffer.isView(v)) {
          fail(`${path} is ${describe(v)}; ${what} must be plain JSON data (plain arrays of numbers, as toJSON gives)`);
        } else {
          const proto = Object.getPrototypeOf(v) as unknown;
          if (proto !== Object.prototype && proto !== null) fail(`${path} must be a plain object, got ${describe(v)}`);
        }
        firstSeenAt.set(v, path);
        stack.push({ value: v, path, depth, parent: frame });
        return;
      }
      case 'undefined':
        // An object property holding undefined is an absent field (JSON.stringify drops it); an array element is not.
        if (!Array.isArray(frame.value)) return;
        fail(`${path} is undefined (a hole or an undefined element); arrays in ${what} hold JSON values only`);
        return;
      default:
        fail(`${path} is ${typeof v === 'function' ? 'a function' : `a ${typeof v}`}, not a JSON value`);
    }
  };
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { value, path } = frame;
    if (Array.isArray(value)) {
      const n = value.length;
      values += n;
      if (values > limits.maxValues) fail(`${at(path)} has ${n} elements: ${the} holds more than ${limits.maxValues} values (${limitsName}.maxValues)`);
      for (let i = 0; i < n; i++) {
        const v: unknown = value[i];
        if (typeof v !== 'number') visit(v, `${path}[${i}]`, frame);
      }
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length > limits.maxKeys) fail(`${at(path)} has ${keys.length} keys, above the limit of ${limits.maxKeys} per object (${limitsName}.maxKeys)`);
    values += keys.length;
    if (values > limits.maxValues) fail(`${at(path)}: ${the} holds more than ${limits.maxValues} values (${limitsName}.maxValues)`);
    for (const key of keys) {
      if (FORBIDDEN_KEYS.has(key)) {
        fail(`forbidden key ${JSON.stringify(key)} at ${at(path)}; "__proto__", "constructor" and "prototype" are never valid in a model (prototype-pollution guard)`);
      }
      if (key.length > limits.maxStringLength) fail(`a key at ${at(path)} has ${key.length} characters, above the limit of ${limits.maxStringLength} (${limitsName}.maxStringLength)`);
      const where = path === '' ? key : `${path}.${key}`;
      const d = Object.getOwnPropertyDescriptor(value, key);
      if (d === undefined) continue; // removed meanwhile (cannot happen for plain data)
      if (!('value' in d)) fail(`${where} is an accessor (getter/setter) property; ${what} must be plain JSON data`);
      visit(d.value, where, frame);
    }
  }
}


/**
 * Where JSON text first nests deeper than `maxDepth` (the top-level value is depth 1), or -1. A scan
 * that JSON.parse does not need, but cheap (a native regex jumps from one bracket or quote to the
 * next, far faster than parsing), and it spares parsing a hostile file: JSON.parse of millions of
 * nested arrays takes seconds.
 * Strings are skipped with their escapes; text that is not JSON is left to JSON.parse to report.
 * @param text - the JSON text
 * @param maxDepth - the deepest nesting allowed
 * @returns the index of the first bracket beyond maxDepth, or -1
 * @example jsonTextTooDeepAt('[[[]]]', 2) // 2
 */
export function jsonTextTooDeepAt(text: string, maxDepth: number): number {
  const structural = /[[\]{}"]/g;
  const stringRest = /[^"\\]*(?:\\[\s\S][^"\\]*)*"/y;
  let depth = 0;
  for (let m = structural.exec(text); m !== null; m = structural.exec(text)) {
    const c = text.charCodeAt(m.index);
    if (c === 0x22) {
      stringRest.lastIndex = m.index + 1;
      if (!stringRest.test(text)) return -1; // unterminated string: JSON.parse says so
      structural.lastIndex = stringRest.lastIndex;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return m.index;
    } else {
      depth--;
    }
  }
  return -1;
}
