// A model's user metadata (every key of a file's `metadata` but createdAt and blasnet): kept by
// fromJSON / load / loadModel / modelFromJSON, written back by toJSON and save with a fresh createdAt
// and blasnet, kept through fits and reset, returned as a copy by the `metadata` getter; replaced by
// save(path, { metadata }) / saveModel(model, path, { metadata }), which checks it (the argument named,
// nothing written) and copies it. A CLI model's `metadata.cli` survives load → save, and the CLI
// reads the re-saved file.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BlasnetRangeError, BlasnetTypeError, LogisticRegression, Matrix, NeuralNetwork, loadModel, modelFromJSON, saveModel, type Model, type ModelJSON,
} from '../lib/index.js';
import { saveCliModel } from '../lib/cli/modelfile.js';
import { modelText } from '../lib/format/write.js';
import { HAS_NATIVE } from './helpers/data.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'blasnet.mjs');
const CSV = join(ROOT, 'data', 'breast-cancer.csv');
const PKG_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const OLD_DATE = '2001-02-03T04:05:06.000Z';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blasnet-metadata-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let fileNo = 0;
function tempPath(name = 'model'): string {
  return join(dir, `${name}-${++fileNo}.json`);
}

function readJSON(path: string): ModelJSON {
  return JSON.parse(readFileSync(path, 'utf8')) as ModelJSON;
}

const X = Matrix.from([[0, 0], [0, 1], [1, 0], [1, 1], [0.2, 0.9], [0.8, 0.1]]);
const y = [0, 1, 1, 1, 1, 1];

function fittedNetwork(): NeuralNetwork {
  const net = new NeuralNetwork({ layers: [2, 3, 1], seed: 4, backend: 'reference' });
  net.fitSync(X, y, { epochs: 5, learningRate: 0.1 });
  return net;
}

function fittedLogistic(): LogisticRegression {
  const model = new LogisticRegression({ backend: 'reference' });
  model.fitSync(X, y, { epochs: 5, learningRate: 0.1 });
  return model;
}

const MODELS: { name: string; make: () => Model; fromJSON: (json: unknown) => Model; load: (path: string) => Promise<Model> }[] = [
  { name: 'NeuralNetwork', make: fittedNetwork, fromJSON: (j) => NeuralNetwork.fromJSON(j), load: (p) => NeuralNetwork.load(p) },
  { name: 'LogisticRegression', make: fittedLogistic, fromJSON: (j) => LogisticRegression.fromJSON(j), load: (p) => LogisticRegression.load(p) },
];

/** User metadata with every kind of JSON value, nested. */
function userKeys(): Record<string, unknown> {
  return { dataset: 'iris-2026-11', tags: ['baseline', 2, true, null], nested: { a: { b: [1.5, -0, { c: 'd' }] }, empty: {}, none: [] }, 'key with spaces': 0 };
}

/** The model's JSON as a file would hold it, with an old createdAt and blasnet and the user keys. */
function jsonWithMetadata(model: Model, user: Record<string, unknown>): ModelJSON {
  const json = JSON.parse(JSON.stringify(model.toJSON())) as ModelJSON;
  json.metadata = { createdAt: OLD_DATE, blasnet: '0.0.1', ...user };
  return json;
}

function expectFreshMetadata(metadata: Record<string, unknown>, user: Record<string, unknown>): void {
  expect(Object.keys(metadata)).toEqual(['createdAt', 'blasnet', ...Object.keys(user)]);
  expect(metadata.createdAt).not.toBe(OLD_DATE);
  expect(new Date(metadata.createdAt as string).toISOString()).toBe(metadata.createdAt);
  expect(metadata.blasnet).toBe(PKG_VERSION);
  expect({ ...metadata, createdAt: undefined, blasnet: undefined }).toEqual({ createdAt: undefined, blasnet: undefined, ...user });
}

describe.each(MODELS)('$name: user metadata round-trips', ({ make, fromJSON, load }) => {
  it('a new model has none: the getter gives {} and toJSON writes createdAt and blasnet only', () => {
    const model = make();
    expect(model.metadata).toEqual({});
    expect(Object.keys(model.toJSON().metadata)).toEqual(['createdAt', 'blasnet']);
  });

  it('fromJSON keeps every key but createdAt and blasnet; toJSON writes them back with fresh ones', () => {
    const json = jsonWithMetadata(make(), userKeys());
    const rebuilt = fromJSON(json);
    expect(rebuilt.metadata).toEqual(userKeys());
    expect(Object.is((rebuilt.metadata.nested as { a: { b: number[] } }).a.b[1], -0)).toBe(true);
    expectFreshMetadata(rebuilt.toJSON().metadata, userKeys());
    // modelFromJSON too.
    expect(modelFromJSON(json).metadata).toEqual(userKeys());
  });

  it('the kept metadata is a copy: changing the JSON given to fromJSON, the getter\'s object or toJSON\'s object changes nothing', () => {
    const json = jsonWithMetadata(make(), userKeys());
    const rebuilt = fromJSON(json);
    (json.metadata.tags as unknown[]).push('later');
    (json.metadata.nested as { a: { b: unknown[] } }).a.b.length = 0;
    json.metadata.dataset = 'changed';
    const got = rebuilt.metadata;
    (got.tags as unknown[]).push('x');
    got.extra = 1;
    const written = rebuilt.toJSON();
    (written.metadata.nested as { empty: Record<string, unknown> }).empty.x = 1;
    expect(rebuilt.metadata).toEqual(userKeys());
    expect(rebuilt.toJSON().metadata).toMatchObject(userKeys());
  });

  it('load → save keeps the metadata (load and loadModel); the file gets a fresh createdAt and blasnet', async () => {
    const path = tempPath();
    writeFileSync(path, modelText(jsonWithMetadata(make(), userKeys()))); // the exact writer: -0 stays -0
    for (const loaded of [await load(path), await loadModel(path)]) {
      expect(loaded.metadata).toEqual(userKeys());
      const again = tempPath('again');
      await loaded.save(again);
      expectFreshMetadata(readJSON(again).metadata, userKeys());
      expect((await load(again)).metadata).toEqual(userKeys());
      const viaSaveModel = tempPath('saveModel');
      await saveModel(loaded, viaSaveModel);
      expectFreshMetadata(readJSON(viaSaveModel).metadata, userKeys());
    }
  });

  it('a fit keeps the metadata (a fresh fit and a warm start, sync and async)', async () => {
    const model = fromJSON(jsonWithMetadata(make(), userKeys()));
    model.fitSync(X, y, { epochs: 3, learningRate: 0.1 });
    expect(model.metadata).toEqual(userKeys());
    model.fitSync(X, y, { epochs: 3, learningRate: 0.1, warmStart: true });
    expect(model.metadata).toEqual(userKeys());
    await model.fit(X, y, { epochs: 3, learningRate: 0.1 });
    expect(model.metadata).toEqual(userKeys());
    expectFreshMetadata(model.toJSON().metadata, userKeys());
  });

  it('save(path, { metadata }) writes those keys in place of the kept ones (replaced, not merged), as a copy; the model keeps its own', async () => {
    const model = fromJSON(jsonWithMetadata(make(), { kept: 'old', shared: 1 }));
    const given = { shared: 2, run: { id: 7, tags: ['a'] } };
    const path = tempPath();
    const saving = model.save(path, { metadata: given });
    // Changed while the save is under way: the file holds the values of the call.
    given.run.tags.push('late');
    given.shared = 3;
    await saving;
    expectFreshMetadata(readJSON(path).metadata, { shared: 2, run: { id: 7, tags: ['a'] } });
    expect(model.metadata).toEqual({ kept: 'old', shared: 1 });
    const plain = tempPath();
    await model.save(plain);
    expectFreshMetadata(readJSON(plain).metadata, { kept: 'old', shared: 1 });
    // { metadata: {} } writes none; saveModel passes the options on.
    const none = tempPath();
    await model.save(none, { metadata: {} });
    expect(Object.keys(readJSON(none).metadata)).toEqual(['createdAt', 'blasnet']);
    const viaSaveModel = tempPath();
    await saveModel(model, viaSaveModel, { metadata: { note: 'via saveModel' } });
    expectFreshMetadata(readJSON(viaSaveModel).metadata, { note: 'via saveModel' });
    // What save wrote loads back with it.
    expect((await load(path)).metadata).toEqual({ shared: 2, run: { id: 7, tags: ['a'] } });
  });

  it('metadata at the bounds of MODEL_JSON_LIMITS saves and loads back', async () => {
    let deep: unknown = 0;
    for (let d = 0; d < 30; d++) deep = [deep]; // root (1) → metadata (2) → 30 arrays: depth 32
    const metadata: Record<string, unknown> = { deep, note: 'x'.repeat(65536) };
    for (let i = 0; i < 1020; i++) metadata[`k${i}`] = i; // 1022 user keys + createdAt + blasnet: 1024 (MODEL_JSON_LIMITS.maxKeys)
    const path = tempPath();
    await make().save(path, { metadata });
    expect((await load(path)).metadata).toEqual(metadata);
  });
});

describe('NeuralNetwork: reset keeps the metadata', () => {
  it('reset forgets the fit, not the metadata', () => {
    const net = NeuralNetwork.fromJSON(jsonWithMetadata(fittedNetwork(), userKeys()));
    net.reset();
    expect(net.fitted).toBe(false);
    expect(net.metadata).toEqual(userKeys());
    expectFreshMetadata(net.toJSON().metadata, userKeys());
  });
});

// ─── Bad metadata or options ────────────────────────────────────────────────────────────────────

type Case = [string, () => unknown, typeof BlasnetTypeError | typeof BlasnetRangeError, RegExp];

function cycle(): Record<string, unknown> {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
}

function nested(levels: number): unknown {
  let deep: unknown = 0;
  for (let d = 0; d < levels; d++) deep = [deep];
  return deep;
}

const shared = { x: 1 };
const BAD: Case[] = [
  ['options null', () => null, BlasnetTypeError, /^options must be an object, got null$/],
  ['options a string', () => 'meta', BlasnetTypeError, /^options must be an object, got "meta"$/],
  ['an unknown option', () => ({ metadata: {}, metdata: {} }), BlasnetTypeError, /options has an unknown option "metdata"; expected one of metadata/],
  ['metadata null', () => ({ metadata: null }), BlasnetTypeError, /^options\.metadata must be a plain object of JSON values, got null$/],
  ['metadata an array', () => ({ metadata: ['a'] }), BlasnetTypeError, /^options\.metadata must be a plain object of JSON values, got an array of length 1$/],
  ['metadata a string', () => ({ metadata: 'x' }), BlasnetTypeError, /^options\.metadata must be a plain object of JSON values, got "x"$/],
  ['metadata a Map', () => ({ metadata: new Map() }), BlasnetTypeError, /^options\.metadata must be a plain object of JSON values, got a Map$/],
  ['metadata a Proxy', () => ({ metadata: new Proxy({}, {}) }), BlasnetTypeError, /^options\.metadata must be plain JSON data, got a Proxy$/],
  ['a function in an array', () => ({ metadata: { tags: ['a', 'b', () => 1] } }), BlasnetTypeError,
    /^options\.metadata\.tags\[2\] must be a JSON value \(a string, a finite number, a boolean, null, an array or a plain object\), got a function$/],
  ['undefined in an array', () => ({ metadata: { tags: [undefined] } }), BlasnetTypeError, /^options\.metadata\.tags\[0\] must be a JSON value .*, got undefined$/],
  ['a hole in an array', () => ({ metadata: { tags: [1, , 3] } }), BlasnetTypeError, /^options\.metadata\.tags\[1\] must be a JSON value .*, got undefined$/],
  ['a BigInt', () => ({ metadata: { n: 1n } }), BlasnetTypeError, /^options\.metadata\.n must be a JSON value .*, got bigint 1$/],
  ['a Symbol', () => ({ metadata: { s: Symbol('s') } }), BlasnetTypeError, /^options\.metadata\.s must be a JSON value .*, got a Symbol$/],
  ['a Date', () => ({ metadata: { run: { when: new Date(0) } } }), BlasnetTypeError, /^options\.metadata\.run\.when must be a JSON value .*, got a Date$/],
  ['a typed array', () => ({ metadata: { w: new Float64Array(2) } }), BlasnetTypeError, /^options\.metadata\.w must be a JSON value .*, got a Float64Array of length 2$/],
  ['a class instance', () => ({ metadata: { o: new (class Point { x = 1; })() } }), BlasnetTypeError, /^options\.metadata\.o must be a JSON value .*, got a Point$/],
  ['an accessor', () => ({ metadata: Object.defineProperty({}, 'x', { get: () => 1, enumerable: true }) }), BlasnetTypeError,
    /^options\.metadata\.x is an accessor \(getter\/setter\) property; options\.metadata must be plain JSON data$/],
  ['NaN', () => ({ metadata: { loss: NaN } }), BlasnetRangeError, /^options\.metadata\.loss must be a finite number, got NaN$/],
  ['Infinity deep inside', () => ({ metadata: { runs: [{ loss: 1 }, { loss: -Infinity }] } }), BlasnetRangeError, /^options\.metadata\.runs\[1\]\.loss must be a finite number, got -Infinity$/],
  ['the reserved createdAt', () => ({ metadata: { createdAt: 'yesterday' } }), BlasnetTypeError, /^options\.metadata\.createdAt is reserved: blasnet writes createdAt and blasnet itself/],
  ['the reserved blasnet', () => ({ metadata: { blasnet: '9.9.9' } }), BlasnetTypeError, /^options\.metadata\.blasnet is reserved/],
  ['a __proto__ key', () => ({ metadata: { deep: JSON.parse('{"__proto__": 1}') } }), BlasnetTypeError,
    /^options\.metadata\.deep must not have the key "__proto__": .* \(prototype-pollution guard\)$/],
  ['a constructor key', () => ({ metadata: { constructor: 1 } }), BlasnetTypeError, /^options\.metadata must not have the key "constructor"/],
  ['a cycle', () => ({ metadata: cycle() }), BlasnetTypeError, /^options\.metadata\.self is options\.metadata again: the object contains itself \(a cycle\)/],
  ['a cycle through an array', () => { const a: unknown[] = [1]; a.push({ a }); return { metadata: { a } }; }, BlasnetTypeError,
    /^options\.metadata\.a\[1\]\.a is options\.metadata\.a again: the object contains itself \(a cycle\)/],
  ['one object in two places', () => ({ metadata: { a: shared, b: [shared] } }), BlasnetTypeError,
    /^options\.metadata\.b\[0\] is the same object as options\.metadata\.a: one object in two places; options\.metadata must be a tree of JSON data/],
  ['nested too deep', () => ({ metadata: { deep: nested(31) } }), BlasnetRangeError,
    /^options\.metadata\.deep(\[0\]){30} is nested 33 levels deep in the model file \(options\.metadata is level 2\), above the limit of 32 \(MODEL_JSON_LIMITS\.maxDepth\)$/],
  ['too many keys beside createdAt and blasnet', () => ({ metadata: Object.fromEntries(Array.from({ length: 1023 }, (_, i) => [`k${i}`, i])) }), BlasnetRangeError,
    /^options\.metadata must have at most 1022 keys \(MODEL_JSON_LIMITS\.maxKeys, less createdAt and blasnet\), got 1023$/],
  ['too many keys in a nested object', () => ({ metadata: { o: Object.fromEntries(Array.from({ length: 1025 }, (_, i) => [`k${i}`, i])) } }), BlasnetRangeError,
    /^options\.metadata\.o must have at most 1024 keys \(MODEL_JSON_LIMITS\.maxKeys\), got 1025$/],
  ['a string too long', () => ({ metadata: { notes: ['ok', 'x'.repeat(65537)] } }), BlasnetRangeError,
    /^options\.metadata\.notes\[1\] is a string of 65537 characters, above the limit of 65536 \(MODEL_JSON_LIMITS\.maxStringLength\)$/],
  ['a key too long', () => ({ metadata: { ['k'.repeat(65537)]: 1 } }), BlasnetRangeError,
    /^options\.metadata\[a key of length 65537\] is a key of 65537 characters, above the limit of 65536/],
];

describe.each(MODELS)('$name: bad save options are refused, naming the argument; nothing is written', ({ make }) => {
  it.each(BAD)('%s', async (_, options, cls, message) => {
    const model = make();
    const path = tempPath('bad');
    const before = readdirSync(dir).length;
    for (const save of [() => model.save(path, options() as never), () => saveModel(model, path, options() as never)]) {
      const e = await save().then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(cls);
      expect((e as { code: string }).code).toBe(cls === BlasnetTypeError ? 'ERR_BLASNET_ARG_TYPE' : 'ERR_BLASNET_ARG_RANGE');
      expect((e as Error).message).toMatch(message);
      expect(existsSync(path)).toBe(false);
      expect(readdirSync(dir).length).toBe(before); // no temporary file either
    }
  });

  it('an existing file is left as it was', async () => {
    const model = make();
    const path = tempPath('existing');
    await model.save(path, { metadata: { v: 1 } });
    const text = readFileSync(path, 'utf8');
    await expect(model.save(path, { metadata: { v: NaN } })).rejects.toThrow(/options\.metadata\.v must be a finite number/);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });
});

it('a key that is not an identifier is named in brackets', async () => {
  const e = await fittedNetwork().save(tempPath(), { metadata: { 'my run': { 'a.b': [NaN] } } }).catch((x: unknown) => x);
  expect((e as Error).message).toBe('options.metadata["my run"]["a.b"][0] must be a finite number, got NaN');
});

// ─── A CLI model ────────────────────────────────────────────────────────────────────────────────

function blasnet(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!HAS_NATIVE)('a CLI model: metadata.cli survives load → save', () => {
  it('trained by the CLI, loaded by loadModel, saved elsewhere (with more metadata), then evaluated and predicted by the CLI', async () => {
    const t = blasnet('train', CSV, '--target', 'diagnosis', '--layers', '4', '--epochs', '30', '--seed', '1', '--out', 'cli.json');
    expect(t.stderr).toBe('');
    expect(t.code).toBe(0);
    // The block the CLI wrote, whatever its fields: it names the task and the target column.
    const cli = readJSON(join(dir, 'cli.json')).metadata.cli as Record<string, unknown>;
    expect(cli).toMatchObject({ task: 'classification', target: 'diagnosis' });
    const model = await loadModel(join(dir, 'cli.json'));
    expect(model.metadata).toEqual({ cli });

    await model.save(join(dir, 'resaved.json'));
    expectFreshMetadata(readJSON(join(dir, 'resaved.json')).metadata, { cli });
    await model.save(join(dir, 'annotated.json'), { metadata: { ...model.metadata, reviewedBy: 'qa' } });
    expectFreshMetadata(readJSON(join(dir, 'annotated.json')).metadata, { cli, reviewedBy: 'qa' });

    const original = blasnet('evaluate', 'cli.json', CSV, '--json');
    expect(original.code).toBe(0);
    for (const file of ['resaved.json', 'annotated.json']) {
      const e = blasnet('evaluate', file, CSV, '--json');
      expect(e.stderr).toBe('');
      expect(e.code).toBe(0);
      expect(JSON.parse(e.stdout)).toEqual(JSON.parse(original.stdout));
      const p = blasnet('predict', file, CSV);
      expect(p.code).toBe(0);
      expect(p.stdout).toBe(blasnet('predict', 'cli.json', CSV).stdout);
    }
    // The CLI still reads (and checks) its block on the re-saved file: a wrong task is refused.
    const bad = readJSON(join(dir, 'resaved.json'));
    bad.metadata.cli = { ...cli, task: 'regression' };
    writeFileSync(join(dir, 'badcli.json'), JSON.stringify(bad));
    const r = blasnet('evaluate', 'badcli.json', CSV);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/metadata\.cli says regression/);
  });

  it('saveCliModel keeps the user metadata the model already had beside cli (and replaces an older cli)', async () => {
    const json = jsonWithMetadata(fittedNetwork(), { project: 'p1', cli: { stale: true } });
    const model = NeuralNetwork.fromJSON(json);
    const path = join(dir, 'saved-by-cli.json');
    const info = { task: 'classification' as const, classes: 2, features: ['x1', 'x2'], target: 'y' };
    await saveCliModel(model, info as never, path);
    const written = readJSON(path).metadata;
    expect(Object.keys(written)).toEqual(['createdAt', 'blasnet', 'project', 'cli']);
    expect(written.project).toBe('p1');
    expect(written.cli).toMatchObject({ task: 'classification', target: 'y' });
    expect(written.cli).not.toHaveProperty('stale');
    expect(model.metadata).toEqual({ project: 'p1', cli: { stale: true } });
  });
});
