// Checkpoints (issue 19, part 4): `fit(…, { checkpoint: { path, every } })` saves the model during
// training, atomically, after every `every` completed global epochs, with its training state. The
// file at epoch k is what `save` would write had the fit stopped after epoch k, so loading it and
// fitting the remaining epochs with `warmStart: true` gives the uninterrupted fit, bit for bit: on
// both backends, for gd, momentum and Adam on shuffled mini-batches, sync and async, for both
// models; also after the training process was killed with SIGKILL. Then the option's checks, a
// write that fails, an abort, and L-BFGS (iteration boundaries, no equality: its memory is not kept).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AbortError, BlasnetError, BlasnetRangeError, BlasnetTypeError, getThreads, LogisticRegression, loadModel, Matrix, NeuralNetwork,
  type OptimizerName,
} from '../lib/index.js';
import { BACKENDS, gaussian, mulberry32, smallClasses } from './helpers/data.js';
import { expectError, expectRejection } from './helpers/errors.js';
import { expectSameBits } from './helpers/bits.js';

type Model = NeuralNetwork | LogisticRegression;

const dir = mkdtempSync(join(tmpdir(), 'blasnet-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const tempPath = (name = 'ckpt') => join(dir, `${name}-${files++}.json`);

const { rand, n, m, X, y3, y2 } = smallClasses(419);

/** The model as its file has it, metadata aside. */
function body(model: Model | Record<string, unknown>): Record<string, unknown> {
  const { metadata: _m, ...rest } = (model instanceof NeuralNetwork || model instanceof LogisticRegression ? model.toJSON() : model) as Record<string, unknown>;
  return rest;
}


const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const epochOf = (json: Record<string, unknown>) => ((json.training as { state?: { epochsTrained: number } }).state?.epochsTrained);

const OPTIMIZERS: OptimizerName[] = ['gd', 'momentum', 'adam'];
const RATE: Record<string, number> = { gd: 0.3, momentum: 0.1, adam: 0.02 };

describe.each(BACKENDS)('checkpoints on the $backend backend', ({ backend, available }) => {
  const net = () => new NeuralNetwork({ layers: [m, 5, 3], hidden: 'tanh', seed: 7, backend });
  const logistic = () => new LogisticRegression({ seed: 5, backend });

  it.skipIf(!available).each(OPTIMIZERS)('NeuralNetwork, %s, shuffled mini-batches: the checkpoint of every epoch k is the k-epoch fit, and resuming it for the rest gives the uninterrupted fit, bit for bit', async (optimizer) => {
    const options = { optimizer, batchSize: 8, learningRate: RATE[optimizer], earlyStopping: false, schedule: { type: 'step', every: 2, factor: 0.7 } } as const;
    const E = 4, path = tempPath();
    // fitSync writes each checkpoint at once, before the next epoch's record: the file read at record
    // e is the checkpoint of epoch e (after e epochs).
    const seen: Record<string, unknown>[] = [];
    const whole = net();
    const r = whole.fitSync(X, y3, { ...options, epochs: E, checkpoint: { path, every: 1 }, onProgress: ({ iteration }) => { if (iteration > 0) seen.push(read(path)); } });
    expect(r.epochs).toBe(E);
    seen.push(read(path));
    expect(seen.map(epochOf)).toEqual([1, 2, 3, 4]);
    expectSameBits(body(seen[E - 1]!), body(whole));
    for (let k = 1; k < E; k++) {
      // What save would write after a k-epoch fit …
      const short = net();
      short.fitSync(X, y3, { ...options, epochs: k });
      expectSameBits(body(seen[k - 1]!), body(short), `checkpoint ${k}`);
      // … and the rest from it, sync and async, continues the uninterrupted fit.
      for (const async of [false, true]) {
        const resumed = NeuralNetwork.fromJSON(seen[k - 1], { backend });
        expect(resumed.epochsTrained).toBe(k);
        const o = { ...options, epochs: E - k, warmStart: true };
        const rest = async ? await resumed.fit(X, y3, o) : resumed.fitSync(X, y3, o);
        expect(rest.optimizerReset).toBe(false);
        expectSameBits(body(resumed), body(whole), `resumed from ${k} (${async ? 'async' : 'sync'})`);
        expectSameBits(rest.costs, r.costs.slice(k), 'costs');
      }
    }
  });

  it.skipIf(!available)('NeuralNetwork, async fit: every 2 of 5 epochs leaves epoch 4 on disk when the fit settles; resuming gives the 5-epoch fit', async () => {
    const options = { optimizer: 'adam', batchSize: 8, learningRate: 0.02, earlyStopping: false } as const;
    const path = tempPath();
    const whole = net();
    await whole.fit(X, y3, { ...options, epochs: 5, checkpoint: { path: pathToFileURL(path), every: 2 } });
    const json = read(path);
    expect(epochOf(json)).toBe(4);
    const resumed = await loadModel(path, { backend }) as NeuralNetwork;
    await resumed.fit(X, y3, { ...options, epochs: 1, warmStart: true });
    expectSameBits(body(resumed), body(whole));
  });

  it.skipIf(!available)('NeuralNetwork, async fit with validation and a plateau rule: the last checkpoint (every epoch) is the final epoch\'s, and it resumes bit for bit', async () => {
    const options = {
      optimizer: 'momentum', batchSize: 10, learningRate: 0.2, earlyStopping: false, validation: { X, y: y3 },
      reduceOnPlateau: { monitor: 'validationCost', patience: 1, factor: 0.5 },
    } as const;
    const E = 12, path = tempPath();
    const whole = net();
    await whole.fit(X, y3, { ...options, epochs: E, checkpoint: { path, every: 1 } });
    expectSameBits(body(read(path)), body(whole));
    const mid = net();
    await mid.fit(X, y3, { ...options, epochs: 7, checkpoint: { path, every: 7 } });
    const resumed = await loadModel(path, { backend }) as NeuralNetwork;
    expect(resumed.epochsTrained).toBe(7);
    await resumed.fit(X, y3, { ...options, epochs: E - 7, warmStart: true });
    expectSameBits(body(resumed), body(whole));
  });

  it.skipIf(!available).each(OPTIMIZERS)('LogisticRegression (binary and multinomial), %s: a checkpoint resumes to the uninterrupted fit, bit for bit', async (optimizer) => {
    const options = { optimizer, batchSize: 8, learningRate: RATE[optimizer], recordEvery: 1 } as const;
    for (const y of [y2, y3]) {
      const path = tempPath();
      const whole = logistic();
      await whole.fit(X, y, { ...options, epochs: 6 });
      logistic().fitSync(X, y, { ...options, epochs: 6, checkpoint: { path, every: 4 } });
      const resumed = await loadModel(path, { backend }) as LogisticRegression;
      expect(resumed.epochsTrained).toBe(4);
      await resumed.fit(X, y, { ...options, epochs: 2, warmStart: true });
      expectSameBits(body(resumed), body(whole));
    }
  });

  it.skipIf(!available)('L-BFGS checkpoints at iteration boundaries (a resumed L-BFGS fit restarts its memory: no equality)', async () => {
    const path = tempPath();
    const model = logistic();
    const r = model.fitSync(X, y2, { optimizer: 'lbfgs', epochs: 7, tolerance: 0, checkpoint: { path, every: 3 } });
    expect(r.epochs).toBeGreaterThanOrEqual(6);
    expect(epochOf(read(path))).toBe(Math.floor(r.epochs / 3) * 3);
    const async = tempPath();
    await logistic().fit(X, y2, { optimizer: 'lbfgs', epochs: 7, tolerance: 0, checkpoint: { path: async, every: 3 } });
    expectSameBits(body(read(async)), body(read(path)));
  });

  it.skipIf(!available)('a write that fails ends the fit with ERR_BLASNET_IO naming the path (cause: the file system\'s error); the model keeps the last completed state', async () => {
    const path = join(dir, 'no-such-folder', 'ckpt.json');
    const options = { optimizer: 'adam', batchSize: 8, learningRate: 0.02, earlyStopping: false, epochs: 100_000, checkpoint: { path, every: 2 } } as const;
    const sync = net();
    let e1: unknown;
    expectError(() => { try { sync.fitSync(X, y3, options); } catch (e) { e1 = e; throw e; } }, BlasnetError, 'ERR_BLASNET_IO',
      /options\.checkpoint: cannot write the checkpoint of epoch 2 to ".*no-such-folder\/ckpt\.json"/);
    expect((e1 as Error).cause).toMatchObject({ code: 'ENOENT' });
    // fitSync stops at the next step: the state of the checkpoint epoch, committed as after an abort.
    expect(sync.fitted).toBe(true);
    expect(sync.epochsTrained).toBe(2);
    const async = net();
    await expectRejection(() => async.fit(X, y3, options), BlasnetError, 'ERR_BLASNET_IO', /no-such-folder/);
    expect(async.fitted).toBe(true);
    expect(async.epochsTrained).toBeGreaterThanOrEqual(2);
    expect(async.epochsTrained).toBeLessThan(100_000);
    expect(async.busy).toBe(false);
  });

  it.skipIf(!available)('an aborted fit settles after its last checkpoint is written: the file holds a completed epoch ≤ the model\'s', async () => {
    const path = tempPath();
    const model = net();
    const ac = new AbortController();
    const e = await model.fit(X, y3, {
      optimizer: 'adam', batchSize: 4, epochs: 100_000, earlyStopping: false, checkpoint: { path, every: 1 },
      onProgress: ({ iteration }) => { if (iteration === 5) ac.abort(); }, signal: ac.signal,
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AbortError);
    const at = epochOf(read(path))!;
    expect(at).toBeGreaterThanOrEqual(5);
    expect(at).toBeLessThanOrEqual(model.epochsTrained);
  });
});

describe('options.checkpoint is checked before the fit starts, naming the field', () => {
  const model = () => new NeuralNetwork({ layers: [m, 3], seed: 1, backend: 'reference' });
  const fitWith = (checkpoint: unknown) => () => model().fitSync(X, y3, { epochs: 1, checkpoint } as never);

  it('an object { path, every? }: path a non-empty path or a file: URL, every an integer ≥ 1', async () => {
    expectError(fitWith('ckpt.json'), BlasnetTypeError, 'ERR_BLASNET_ARG_TYPE', /options\.checkpoint must be/);
    expectError(fitWith({}), BlasnetTypeError, 'ERR_BLASNET_ARG_TYPE', /options\.checkpoint\.path must be a non-empty file path/);
    expectError(fitWith({ path: new URL('http://example.com/x') }), BlasnetTypeError, 'ERR_BLASNET_ARG_TYPE', /options\.checkpoint\.path must be a file path or a file: URL/);
    expectError(fitWith({ path: tempPath(), every: 0 }), BlasnetRangeError, 'ERR_BLASNET_ARG_RANGE', /options\.checkpoint\.every must be an integer ≥ 1, got 0/);
    expectError(fitWith({ path: tempPath(), every: 1.5 }), BlasnetRangeError, 'ERR_BLASNET_ARG_RANGE', /options\.checkpoint\.every/);
    expectError(fitWith({ path: tempPath(), every: '2' }), BlasnetTypeError, 'ERR_BLASNET_ARG_TYPE', /options\.checkpoint\.every must be an integer/);
    expectError(fitWith({ path: tempPath(), often: 2 }), BlasnetTypeError, 'ERR_BLASNET_ARG_TYPE', /options\.checkpoint.*often/);
    // Not a constructor option: the path belongs to one fit.
    expectError(() => new NeuralNetwork({ layers: [m, 3], checkpoint: { path: 'x' } } as never), BlasnetTypeError, 'ERR_BLASNET_ARG_TYPE', /checkpoint/);
    await expectRejection(() => model().fit(X, y3, { epochs: 1, checkpoint: { path: tempPath(), every: -1 } }), BlasnetRangeError, 'ERR_BLASNET_ARG_RANGE', /options\.checkpoint\.every/);
  });

  it('every defaults to 1', () => {
    const path = tempPath();
    model().fitSync(X, y3, { epochs: 3, checkpoint: { path } });
    expect(epochOf(read(path))).toBe(3);
  });
});

const DIST = fileURLToPath(new URL('../dist/lib/index.js', import.meta.url));
const CHILD = fileURLToPath(new URL('./helpers/checkpoint-child.mjs', import.meta.url));

describe.each(BACKENDS)('a training process killed with SIGKILL resumes from its checkpoint ($backend)', ({ backend, available }) => {
  it.skipIf(!available)('the child trains with a checkpoint every epoch; killed after the 3rd has appeared, the checkpoint plus a warm start of 3 epochs equals an uninterrupted fit, bit for bit', async () => {
    const r = mulberry32(77);
    const rows = 600, cols = 10;
    const Xk = Array.from({ length: rows }, () => Array.from({ length: cols }, () => gaussian(r)));
    const yk = Xk.map((x) => (x[0]! + x[1]! * x[2]! > 0 ? 'yes' : x[3]! > 0.5 ? 'maybe' : 'no'));
    const model = { layers: [cols, 16, 3], hidden: 'relu', seed: 3, backend };
    const fit = { optimizer: 'adam', batchSize: 32, learningRate: 0.01, earlyStopping: false };
    const data = join(dir, `kill-data-${backend}.json`), path = join(dir, `kill-${backend}.json`);
    writeFileSync(data, JSON.stringify({ X: Xk, y: yk, model, fit }));
    const child = spawn(process.execPath, [CHILD, DIST, data, path, String(getThreads())], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      // Poll the checkpoint's epoch (the file is replaced atomically: always a whole model).
      const t0 = Date.now();
      for (;;) {
        if (child.exitCode !== null) expect.fail(`the child exited (${child.exitCode}): ${out}${err}`);
        if (Date.now() - t0 > 50_000) expect.fail(`no third checkpoint after 50 s: ${out}${err}`);
        if (existsSync(path) && (await loadModel(path, { backend })).epochsTrained >= 3) break;
        await new Promise((res) => setTimeout(res, 5));
      }
      child.kill('SIGKILL');
      await exited;
      expect(child.signalCode).toBe('SIGKILL');
      expect(out).not.toContain('finished');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    const resumed = await loadModel(path, { backend }) as NeuralNetwork;
    const at = resumed.epochsTrained;
    expect(at).toBeGreaterThanOrEqual(3);
    await resumed.fit(Matrix.from(Xk), yk, { ...fit, epochs: 3, warmStart: true } as never);
    const whole = new NeuralNetwork(model as never);
    await whole.fit(Matrix.from(Xk), yk, { ...fit, epochs: at + 3 } as never);
    expectSameBits(body(resumed), body(whole));
    console.info(`kill -9 (${backend}): killed after the checkpoint of epoch ${at}; resumed + 3 epochs = an uninterrupted ${at + 3}-epoch fit, bit for bit`);
  }, 90_000);
});
