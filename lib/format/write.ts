// Writing a model: the `metadata` a model writes (when, and by which blasnet), and the exact JSON
// writer (modelText, writeModelFile: every float64 round-trips bit for bit, see lib/format/spec.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlasnetRangeError, BlasnetTypeError, describe } from '../errors.js';
import { checkPath, writeFileAtomic } from '../fileio.js';
import { packageRoot } from '../native.js';
import type { ModelJSON, ModelMetadata } from './types.js';

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
