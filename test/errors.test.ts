// The one error table (ERROR_CLASSES): every code provoked through the public API where it can be
// (the addon's own failures through its guard self-test), each error checked for
// `instanceof BlasnetError`, the class the table gives its code, the built-in class it implies
// (TypeError / RangeError), and the code. Also: a value thrown by the user's onProgress comes back as
// it was thrown, on both models and both backends; the codes used in lib/ and native/ are all in the
// table; the factory and the brand.
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AbortError, BlasnetError, BlasnetRangeError, BlasnetTypeError, DivergenceError, ERROR_CLASSES, LogisticRegression, Matrix, NeuralNetwork,
  blasnetError, loadModel, modelFromJSON, saveModel, type ErrorCode,
} from '../lib/index.js';
import { nativeAddon } from '../lib/native.js';
import { runChild } from './helpers/child.js';
import { BACKENDS, HAS_NATIVE } from './helpers/data.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'blasnet-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const X4 = () => Matrix.from([[0, 0], [0, 1], [1, 0], [1, 1]]);

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

async function rejected(f: () => Promise<unknown>): Promise<unknown> {
  return f().then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e);
}

/** The error is a blasnet error of its code's class in ERROR_CLASSES, with that code. */
function expectTableError(e: unknown, code: ErrorCode, message?: RegExp): void {
  expect(e, `${code}: ${String(e)}`).toBeInstanceOf(BlasnetError);
  expect((e as BlasnetError).code).toBe(code);
  const cls = ERROR_CLASSES[code];
  expect(e, `${code} is a ${cls.name}: got ${(e as Error).constructor.name}`).toBeInstanceOf(cls);
  if (cls === BlasnetTypeError) expect(e).toBeInstanceOf(TypeError);
  if (cls === BlasnetRangeError) expect(e).toBeInstanceOf(RangeError);
  if (cls !== BlasnetTypeError && cls !== BlasnetRangeError) {
    expect(e).not.toBeInstanceOf(TypeError);
    expect(e).not.toBeInstanceOf(RangeError);
  }
  if (message) expect((e as Error).message).toMatch(message);
}

describe('ERROR_CLASSES and blasnetError', () => {
  it('the table lists every code once; blasnetError builds each code\'s class, with the code, message and cause', () => {
    const codes = Object.keys(ERROR_CLASSES) as ErrorCode[];
    expect(codes).toEqual(expect.arrayContaining(['ERR_BLASNET_TASK', 'ERR_BLASNET_DIVERGED', 'ERR_BLASNET_IO', 'ERR_BLASNET_FORMAT', 'ABORT_ERR']));
    expect(Object.isFrozen(ERROR_CLASSES)).toBe(true);
    const cause = new Error('underneath');
    for (const code of codes) {
      const e = blasnetError(code, `a ${code}`, { cause });
      expectTableError(e, code);
      expect(e.message).toBe(`a ${code}`);
      expect(e.cause).toBe(cause);
    }
    // A code the table does not know (from a newer addon, say): a plain BlasnetError carrying it.
    const odd = blasnetError('ERR_BLASNET_SOMETHING_NEW' as ErrorCode, 'x');
    expect(odd.constructor).toBe(BlasnetError);
    expect(odd.code).toBe('ERR_BLASNET_SOMETHING_NEW');
  });

  it('the classes: TypeError / RangeError where the table says so, names as Node\'s, and instanceof BlasnetError for all', () => {
    expect(ERROR_CLASSES.ERR_BLASNET_ARG_TYPE).toBe(BlasnetTypeError);
    expect(ERROR_CLASSES.ERR_BLASNET_TASK).toBe(BlasnetTypeError);
    expect(ERROR_CLASSES.ERR_BLASNET_SHAPE).toBe(BlasnetRangeError);
    expect(ERROR_CLASSES.ERR_BLASNET_FORMAT).toBe(BlasnetError);
    expect(ERROR_CLASSES.ERR_BLASNET_DIVERGED).toBe(DivergenceError);
    expect(ERROR_CLASSES.ABORT_ERR).toBe(AbortError);
    expect(new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', 'x').name).toBe('TypeError');
    expect(new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', 'x').name).toBe('RangeError');
    expect(new AbortError().name).toBe('AbortError');
    // The mark is what instanceof BlasnetError reads: nothing else passes.
    expect(new TypeError('x')).not.toBeInstanceOf(BlasnetError);
    expect(Object.assign(new Error('x'), { code: 'ERR_BLASNET_SHAPE' })).not.toBeInstanceOf(BlasnetError);
    expect(null).not.toBeInstanceOf(BlasnetError);
    // Subclasses test the prototype chain as usual.
    expect(new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', 'x')).not.toBeInstanceOf(DivergenceError);
    expect(new BlasnetError('ERR_BLASNET_BUSY', 'x')).not.toBeInstanceOf(AbortError);
    expect(new DivergenceError(3, Infinity)).toBeInstanceOf(DivergenceError);
    expect(new DivergenceError(3, Infinity).iteration).toBe(3);
  });

  it('every code that lib/ and native/ use is in the table', () => {
    const used = new Set<string>();
    const scan = (d: string, ext: RegExp) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) scan(p, ext);
        else if (ext.test(e.name)) for (const m of readFileSync(p, 'utf8').matchAll(/['"](ERR_BLASNET_[A-Z_]+|ABORT_ERR)['"]/g)) used.add(m[1]!);
      }
    };
    scan(join(ROOT, 'lib'), /\.ts$/);
    scan(join(ROOT, 'native'), /\.(cc|h)$/);
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((c) => !(c in ERROR_CLASSES))).toEqual([]);
  });

  it('every error lib/ constructs directly with a literal code uses the class the table gives that code', () => {
    // `new BlasnetTypeError('ERR_BLASNET_FORMAT', …)` would make a code two classes again; blasnetError
    // (which reads the table) is the way to build an error whose class is not the point.
    const names: Record<string, string> = { BlasnetError: 'BlasnetError', BlasnetTypeError: 'BlasnetTypeError', BlasnetRangeError: 'BlasnetRangeError' };
    const wrong: string[] = [];
    const scan = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) scan(p);
        else if (e.name.endsWith('.ts') && e.name !== 'errors.ts') {
          const text = readFileSync(p, 'utf8');
          for (const m of text.matchAll(/new (BlasnetError|BlasnetTypeError|BlasnetRangeError)\(\s*'([A-Z_]+)'/g)) {
            const table = ERROR_CLASSES[m[2] as ErrorCode];
            const line = text.slice(0, m.index).split('\n').length;
            if (table && table.name !== names[m[1]!]) wrong.push(`${p.slice(ROOT.length)}:${line}: ${m[2]} as ${m[1]}, the table says ${table.name}`);
          }
        }
      }
    };
    scan(join(ROOT, 'lib'));
    expect(wrong).toEqual([]);
  });
});

describe('each code, provoked through the API, is its table class', () => {
  it('ERR_BLASNET_ARG_TYPE: a string where a matrix goes', () => {
    expectTableError(caught(() => Matrix.from('1,2' as never)), 'ERR_BLASNET_ARG_TYPE');
  });

  it('ERR_BLASNET_ARG_RANGE: a validation split of 1.5', () => {
    expectTableError(caught(() => new NeuralNetwork({ layers: [2, 1], backend: 'reference' }).fitSync(X4(), [0, 1, 1, 0], { validationSplit: 1.5 })), 'ERR_BLASNET_ARG_RANGE');
  });

  it('ERR_BLASNET_SHAPE: 3 values for a 2 × 2 matrix', () => {
    expectTableError(caught(() => new Matrix(2, 2, [1, 2, 3])), 'ERR_BLASNET_SHAPE');
  });

  it('ERR_BLASNET_NOT_FINITE: NaN in X', () => {
    expectTableError(caught(() => new LogisticRegression({ backend: 'reference' }).fitSync(Matrix.from([[NaN], [1]]), [0, 1])), 'ERR_BLASNET_NOT_FINITE');
  });

  it('ERR_BLASNET_LABEL: a target of 2 for a sigmoid unit with cross-entropy', () => {
    const net = new NeuralNetwork({ layers: [2, 2], output: 'sigmoid', loss: 'cross-entropy', backend: 'reference' });
    expectTableError(caught(() => net.fitSync(X4(), Matrix.from([[0, 1], [1, 0], [2, 0], [0, 0]]), { epochs: 1 })), 'ERR_BLASNET_LABEL');
  });

  it('ERR_BLASNET_DETACHED: labels in a Float64Array whose buffer was transferred', () => {
    const y = new Float64Array([0, 1, 1, 0]);
    structuredClone(y.buffer, { transfer: [y.buffer] });
    expectTableError(caught(() => new LogisticRegression({ backend: 'reference' }).fitSync(X4(), y)), 'ERR_BLASNET_DETACHED');
  });

  it('ERR_BLASNET_CONFIG: an unknown activation', () => {
    expectTableError(caught(() => new NeuralNetwork({ layers: [2, 3, 1], hidden: 'gelu' as never })), 'ERR_BLASNET_CONFIG');
  });

  it('ERR_BLASNET_CONFIG: a slope outside [0, 1], and a softmax output with mse, are the same class', () => {
    expectTableError(caught(() => new NeuralNetwork({ layers: [2, 3, 1], hidden: { name: 'leaky-relu', alpha: 2 } })), 'ERR_BLASNET_CONFIG');
    expectTableError(caught(() => new NeuralNetwork({ layers: [2, 3], output: 'softmax', loss: 'mse' })), 'ERR_BLASNET_CONFIG');
  });

  it('ERR_BLASNET_TASK: predictProbaSync on a regressor', () => {
    const net = new NeuralNetwork({ layers: [2, 1], output: 'linear', loss: 'mse', backend: 'reference' });
    net.fitSync(X4(), [0, 1, 1, 2], { epochs: 1 });
    expectTableError(caught(() => net.predictProbaSync(X4())), 'ERR_BLASNET_TASK', /predictProba/);
  });

  it('ERR_BLASNET_BUSY: fitSync while fit runs', async () => {
    const net = new NeuralNetwork({ layers: [2, 1], backend: 'reference' });
    const running = net.fit(X4(), [0, 1, 1, 0], { epochs: 200 });
    expectTableError(caught(() => net.fitSync(X4(), [0, 1, 1, 0])), 'ERR_BLASNET_BUSY');
    await running;
  });

  it('ERR_BLASNET_NOT_FITTED: predictSync before any fit, naming the method', () => {
    expectTableError(caught(() => new LogisticRegression().predictSync(X4())), 'ERR_BLASNET_NOT_FITTED', /predictSync/);
  });

  for (const { backend, available } of BACKENDS) {
    it.skipIf(!available)(`ERR_BLASNET_DIVERGED (${backend}): a learning rate of 1e200 on a regression`, async () => {
      const make = () => new NeuralNetwork({ layers: [2, 1], output: 'linear', loss: 'mse', backend, seed: 1 });
      const Y = [0, 10, 20, 30];
      const e = caught(() => make().fitSync(X4(), Y, { optimizer: 'gd', learningRate: 1e200, epochs: 50 }));
      expectTableError(e, 'ERR_BLASNET_DIVERGED', /diverged/);
      expect(typeof (e as DivergenceError).iteration).toBe('number');
      expectTableError(await rejected(() => make().fit(X4(), Y, { optimizer: 'gd', learningRate: 1e200, epochs: 50 })), 'ERR_BLASNET_DIVERGED');
    });
  }

  it('ERR_BLASNET_FORMAT: modelFromJSON of an object that is not a model, and of a wrong format name (one class either way)', () => {
    expectTableError(caught(() => modelFromJSON({})), 'ERR_BLASNET_FORMAT');
    expectTableError(caught(() => modelFromJSON({ format: 'keras-model', version: 1 })), 'ERR_BLASNET_FORMAT');
    expectTableError(caught(() => modelFromJSON([1, 2])), 'ERR_BLASNET_FORMAT');
  });

  it('ERR_BLASNET_FORMAT: a file that is not JSON, and one nested too deep', async () => {
    const p = join(dir, 'not-json.json');
    writeFileSync(p, 'layers: [1, 2]');
    expectTableError(await rejected(() => loadModel(p)), 'ERR_BLASNET_FORMAT', /not valid JSON/);
    writeFileSync(p, `${'['.repeat(40)}${']'.repeat(40)}`);
    expectTableError(await rejected(() => loadModel(p)), 'ERR_BLASNET_FORMAT', /nests deeper/);
  });

  it('ERR_BLASNET_IO: loading a missing file and saving into a missing folder; the system error is the cause, the path is in the message', async () => {
    const missing = join(dir, 'no-such-model.json');
    const e = await rejected(() => loadModel(missing));
    expectTableError(e, 'ERR_BLASNET_IO');
    expect((e as Error).message).toContain(missing);
    expect((e as Error).cause).toBeInstanceOf(Error);
    expect((e as { cause: { code: string } }).cause.code).toBe('ENOENT');
    const target = join(dir, 'no-such-folder', 'm.json');
    const w = await rejected(() => saveModel(new NeuralNetwork({ layers: [2, 1], backend: 'reference' }), target));
    expectTableError(w, 'ERR_BLASNET_IO');
    expect((w as Error).message).toContain(join(dir, 'no-such-folder'));
    expect((w as { cause: { code: string } }).cause.code).toBe('ENOENT');
    // A folder where the file should be: EISDIR as the cause.
    const d = await rejected(() => loadModel(dir));
    expectTableError(d, 'ERR_BLASNET_IO', /is a directory/);
    expect((d as { cause: { code: string } }).cause.code).toBe('EISDIR');
  });

  for (const { backend, available } of BACKENDS) {
    it.skipIf(!available)(`ABORT_ERR (${backend}): a fit whose signal is aborted`, async () => {
      const ac = new AbortController();
      ac.abort(new Error('stop'));
      const e = await rejected(() => new NeuralNetwork({ layers: [2, 1], backend }).fit(X4(), [0, 1, 1, 0], { signal: ac.signal }));
      expectTableError(e, 'ABORT_ERR');
      expect((e as Error).name).toBe('AbortError');
    });
  }

  it('ERR_BLASNET_OUT_OF_MEMORY: a matrix of 10^12 zeros', () => {
    expectTableError(caught(() => new Matrix(1e6, 1e6)), 'ERR_BLASNET_OUT_OF_MEMORY', /bytes/);
  });

  it.skipIf(!HAS_NATIVE)('ERR_BLASNET_OUT_OF_MEMORY / ERR_BLASNET_NATIVE / ERR_BLASNET_SHAPE from the addon: its guard self-test, sync and async, built from the table', async () => {
    const addon = nativeAddon()!;
    const cases: [string, ErrorCode][] = [['bad_alloc', 'ERR_BLASNET_OUT_OF_MEMORY'], ['runtime_error', 'ERR_BLASNET_NATIVE'], ['other', 'ERR_BLASNET_NATIVE'], ['failure', 'ERR_BLASNET_SHAPE']];
    for (const [kind, code] of cases) {
      expectTableError(caught(() => addon.guardSelfTest(kind, 'sync')), code);
      expectTableError(await rejected(() => addon.guardSelfTest(kind, 'async')!), code);
    }
  });

  it.skipIf(!HAS_NATIVE)('argument errors from the addon itself carry the table\'s class: a wrong type, a detached buffer, a size product that overflows', () => {
    const addon = nativeAddon()!;
    expectTableError(caught(() => addon.logisticPredictProbaSync(1 as never, new Float64Array(2), 1)), 'ERR_BLASNET_ARG_TYPE');
    const theta = new Float64Array(3);
    structuredClone(theta.buffer, { transfer: [theta.buffer] });
    expectTableError(caught(() => addon.logisticPredictProbaSync(theta, new Float64Array(2), 1)), 'ERR_BLASNET_DETACHED');
    expectTableError(caught(() => addon.logisticPredictProbaSync(new Float64Array(3), new Float64Array(3), 1)), 'ERR_BLASNET_SHAPE');
  });

  it.skipIf(!HAS_NATIVE)('ERR_BLASNET_NATIVE_UNAVAILABLE: backend \'native\' when BLASNET_NATIVE_PATH names a file that is not an addon (child process)', async () => {
    const bogus = join(dir, 'bogus.node');
    writeFileSync(bogus, 'not a shared object');
    const r = await runChild(`
      const { BlasnetError, ERROR_CLASSES, NeuralNetwork, info } = blasnet;
      let out = null;
      try { new NeuralNetwork({ layers: [2, 1], backend: 'native' }); } catch (e) {
        out = { blasnet: e instanceof BlasnetError, table: e instanceof ERROR_CLASSES[e.code], cls: e.constructor.name, code: e.code, message: e.message };
      }
      console.log(JSON.stringify({ out, backend: info().backend }));
    `, { env: { BLASNET_NATIVE_PATH: bogus } });
    expect(r.code, r.stderr).toBe(0);
    const { out, backend } = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { out: Record<string, unknown>; backend: string };
    expect(backend).toBe('reference');
    expect(out).toMatchObject({ blasnet: true, table: true, cls: 'BlasnetError', code: 'ERR_BLASNET_NATIVE_UNAVAILABLE' });
    expect(out.message).toContain('bogus.node');
  });
});

describe('a value thrown by the user\'s onProgress comes back unchanged (not wrapped)', () => {
  const values: [string, () => unknown][] = [['an Error subclass', () => new (class MyError extends Error {})('mine')], ['a string', () => 'str'], ['an object', () => ({ mine: true })], ['undefined', () => undefined]];
  for (const { backend, available } of BACKENDS) {
    for (const model of ['logistic', 'network'] as const) {
      it.skipIf(!available)(`${model}, ${backend}: fitSync and fit`, async () => {
        const make = () => model === 'logistic'
          ? new LogisticRegression({ backend, epochs: 20, recordEvery: 1 } as never)
          : new NeuralNetwork({ layers: [2, 2, 1], backend, seed: 1 });
        for (const [label, value] of values) {
          const thrown = value();
          const onProgress = () => { throw thrown; };
          const opts = { epochs: 20, recordEvery: 1, onProgress } as never;
          let sync: unknown = 'nothing';
          try {
            make().fitSync(X4(), [0, 1, 1, 1], opts);
          } catch (e) {
            sync = e;
          }
          expect(sync, `fitSync, ${label}`).toBe(thrown);
          const stack = thrown instanceof Error ? thrown.stack : undefined;
          const async_ = await make().fit(X4(), [0, 1, 1, 1], opts).then(() => 'nothing', (e: unknown) => e);
          expect(async_, `fit, ${label}`).toBe(thrown);
          // Not even its stack is extended with blasnet's async call frames.
          if (thrown instanceof Error) expect(thrown.stack, `fit, ${label}: the stack`).toBe(stack);
        }
      });
    }
  }
});
