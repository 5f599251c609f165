// Training that continues (issue 19, part 1): the optimizer's state, the global epoch counter and the
// counters of early stopping and the plateau rule live with the model. The equality: one fit of
// 2 epochs equals a fit of 1 epoch followed by a warm-started fit of 1 epoch, bit for bit, for gd,
// momentum and Adam on shuffled mini-batches at a constant rate and under step and exponential
// schedules, on both backends, for both models; also through save and load, with early stopping's
// counters continuing, and after an abort, a divergence and a restoreBest.
import { describe, expect, it } from 'vitest';
import { DivergenceError, LogisticRegression, Matrix, NeuralNetwork, type FitResult, type OptimizerName, type ScheduleOption } from '../lib/index.js';
import { MODEL_FORMAT_VERSION } from '../lib/format/spec.js';
import type { NetworkModelJSON } from '../lib/format/types.js';
import { modelText } from '../lib/format/write.js';
import { NetObjective } from '../lib/reference/network.js';
import { Trainer } from '../lib/reference/trainer.js';
import { startState } from '../lib/train-state.js';
import { BACKENDS, smallClasses } from './helpers/data.js';
import { expectError } from './helpers/errors.js';
import { expectSameBits } from './helpers/bits.js';

type Backend = 'native' | 'reference';
type Model = NeuralNetwork | LogisticRegression;

const { rand, n, m, X, y3, y2 } = smallClasses(190);

/** The model as its file has it, metadata aside: parameters, classes, options and the training state. */
function body(model: Model): Record<string, unknown> {
  const { metadata: _m, ...rest } = model.toJSON();
  return rest;
}


/** θ as one Float64Array. */
function theta(model: Model): Float64Array {
  if (model instanceof NeuralNetwork) {
    const { W, b } = model.parameters;
    return Float64Array.from(W.flatMap((w, l) => [...w, ...b[l]!]));
  }
  return Float64Array.from([...model.coef.data, ...model.intercept]);
}

const OPTIMIZERS: OptimizerName[] = ['gd', 'momentum', 'adam'];
const SCHEDULES: [string, ScheduleOption | undefined][] = [
  ['constant', undefined],
  ['step', { type: 'step', every: 1, factor: 0.6 }],
  ['exponential', { type: 'exponential', factor: 0.8 }],
];
const RATE: Record<string, number> = { gd: 0.3, momentum: 0.1, adam: 0.02 };

/** A fit of `epochs` epochs, then `rest` warm-started fits of one epoch each (async when `async`), returning their results. */
async function inSteps(model: Model, y: unknown, options: object, epochs: number, rest: number, async: boolean): Promise<FitResult[]> {
  const results = [model.fitSync(X, y, { ...options, epochs })];
  for (let k = 0; k < rest; k++) {
    const o = { ...options, epochs: 1, warmStart: true };
    results.push(async ? await model.fit(X, y, o) : model.fitSync(X, y, o));
  }
  return results;
}

describe.each(BACKENDS)('warm starts continue the fit on the $backend backend', ({ backend, available }) => {
  const net = () => new NeuralNetwork({ layers: [m, 5, 3], hidden: 'tanh', seed: 7, backend });
  const logistic = () => new LogisticRegression({ seed: 5, backend });

  describe.each(OPTIMIZERS)('%s', (optimizer) => {
    it.skipIf(!available).each(SCHEDULES)('NeuralNetwork, %s rate: fit(2 epochs) = fit(1) + warm fit(1), and = fit(1) + warm fit(1) + warm fit(1) for 3, bit for bit', async (_, schedule) => {
      const options = { optimizer, batchSize: 8, learningRate: RATE[optimizer], schedule, earlyStopping: false } as const;
      for (const epochs of [2, 3]) {
        const whole = net();
        const r = whole.fitSync(X, y3, { ...options, epochs });
        for (const async of [false, true]) {
          const split = net();
          const parts = await inSteps(split, y3, options, 1, epochs - 1, async);
          expectSameBits(theta(split), theta(whole), `θ (${epochs} epochs, ${async ? 'async' : 'sync'})`);
          expectSameBits(body(split), body(whole));
          // The records follow the global epochs: the parts' costs and rates are the whole fit's.
          expectSameBits(parts.flatMap((p) => p.costs), r.costs, 'costs');
          expectSameBits(parts.flatMap((p) => p.learningRates!), r.learningRates!, 'learningRates');
          expect(parts.map((p) => p.optimizerReset)).toEqual(parts.map(() => false));
          expect(split.epochsTrained).toBe(epochs);
        }
      }
      expect(net().fitSync(X, y3, { ...options, epochs: 2 }).epochs).toBe(2);
    });

    it.skipIf(!available).each(SCHEDULES)('LogisticRegression (binary and multinomial), %s rate: fit(2 epochs) = fit(1) + warm fit(1), bit for bit', async (_, schedule) => {
      const options = { optimizer, batchSize: 8, learningRate: RATE[optimizer], schedule } as const;
      for (const y of [y2, y3]) {
        const whole = logistic();
        const r = whole.fitSync(X, y, { ...options, epochs: 2, recordEvery: 1 });
        const split = logistic();
        const parts = await inSteps(split, y, { ...options, recordEvery: 1 }, 1, 1, true);
        expectSameBits(theta(split), theta(whole), 'θ');
        expectSameBits(body(split), body(whole));
        expectSameBits(parts.flatMap((p) => p.costs), r.costs, 'costs');
        expect(split.epochsTrained).toBe(2);
        expect(whole.task).toBe(y === y2 ? 'binary' : 'multiclass');
      }
    });
  });

  it.skipIf(!available)('NeuralNetwork: early stopping\'s counters continue: the split fit stops at the same epoch as the uninterrupted one, bit for bit', async () => {
    // Adam at a high rate on small batches: the cost stops improving by minDelta within a few epochs.
    const options = { optimizer: 'adam', batchSize: 8, learningRate: 0.05, earlyStopping: { monitor: 'cost', patience: 2, minDelta: 0.02, restoreBest: false } } as const;
    const whole = net();
    const r = whole.fitSync(X, y3, { ...options, epochs: 60 });
    expect(r.stoppedEarly).toBe(true);
    const stop = r.epochs;
    expect(stop).toBeGreaterThan(4);
    for (const k of [1, 3, stop - 1]) {
      const split = net();
      split.fitSync(X, y3, { ...options, epochs: k });
      const rest = await split.fit(X, y3, { ...options, epochs: 60 - k, warmStart: true });
      expect(rest.stoppedEarly).toBe(true);
      expect(rest.epochs).toBe(stop - k);
      expect(rest.bestEpoch).toBe(r.bestEpoch);
      expect(rest.bestValue).toBe(r.bestValue);
      expectSameBits(body(split), body(whole));
    }
    // The state says where the counters stand.
    const state = (whole.toJSON() as NetworkModelJSON).training.state!;
    expect(state.earlyStopping).toEqual({ monitor: 'cost', wait: 2, best: r.bestValue, bestEpoch: r.bestEpoch });
    expect(state.epochsTrained).toBe(stop);
  });

  it.skipIf(!available)('LogisticRegression: the plateau rule\'s counters and reduced rate continue too', () => {
    const options = { optimizer: 'momentum', batchSize: 10, learningRate: 0.5, recordEvery: 1, reduceOnPlateau: { monitor: 'cost', patience: 1, factor: 0.5 } } as const;
    const whole = logistic();
    const r = whole.fitSync(X, y3, { ...options, epochs: 12 });
    expect(new Set(r.learningRates).size).toBeGreaterThan(1); // the rule fired
    const split = logistic();
    const a = split.fitSync(X, y3, { ...options, epochs: 5 });
    const b = split.fitSync(X, y3, { ...options, epochs: 7, warmStart: true });
    expectSameBits([...a.learningRates!, ...b.learningRates!], r.learningRates!, 'learningRates');
    expectSameBits(body(split), body(whole));
  });

  it.skipIf(!available)('fit → save → load → warm fit equals the uninterrupted fit, bit for bit (Adam, step schedule, early stopping counters; both models)', async () => {
    const options = {
      optimizer: 'adam', batchSize: 8, learningRate: 0.02, schedule: { type: 'step', every: 2, factor: 0.5 },
      earlyStopping: { monitor: 'cost', patience: 50, restoreBest: false },
    } as const;
    for (const make of [net, logistic] as (() => Model)[]) {
      const whole = make();
      whole.fitSync(X, y3, { ...options, epochs: 5 });
      const first = make();
      first.fitSync(X, y3, { ...options, epochs: 3 });
      const path = `${process.env.TMPDIR ?? '/tmp'}/blasnet-warm-${process.pid}-${backend}.json`;
      await first.save(path);
      const loaded = first instanceof NeuralNetwork ? await NeuralNetwork.load(path, { backend }) : await LogisticRegression.load(path, { backend });
      expect(loaded.epochsTrained).toBe(3);
      expect((await loaded.fit(X, y3, { ...options, epochs: 2, warmStart: true })).optimizerReset).toBe(false);
      expectSameBits(theta(loaded), theta(whole), 'θ');
      expectSameBits(body(loaded), body(whole));
    }
  });

  it.skipIf(!available)('abort: the model keeps the last completed step\'s parameters with the state that goes with them', async () => {
    // Full batch: one step per epoch, so an abort lands between epochs and the model equals a fresh
    // fit of epochsTrained epochs, bit for bit, parameters and optimizer state.
    const options = { optimizer: 'adam', batchSize: 0, learningRate: 0.01, earlyStopping: false } as const;
    const model = net();
    const controller = new AbortController();
    const job = model.fit(X, y3, { ...options, epochs: 1_000_000, signal: controller.signal, onProgress: (p) => { if (p.iteration >= 5) controller.abort(); } });
    await expect(job).rejects.toMatchObject({ name: 'AbortError' });
    const E = model.epochsTrained;
    expect(E).toBeGreaterThanOrEqual(5);
    const state = (model.toJSON() as NetworkModelJSON).training.state!;
    expect(state.optimizer.steps).toBe(E);
    const twin = net();
    twin.fitSync(X, y3, { ...options, epochs: E });
    expectSameBits(body(model), body(twin));
    // It continues as the uninterrupted fit would.
    model.fitSync(X, y3, { ...options, epochs: 3, warmStart: true });
    twin.fitSync(X, y3, { ...options, epochs: 3, warmStart: true });
    const longer = net();
    longer.fitSync(X, y3, { ...options, epochs: E + 3 });
    expectSameBits(body(model), body(longer));
  });

  it.skipIf(!available)('abort with mini-batches: the steps of the unfinished epoch are in θ and the optimizer state, not in epochsTrained', async () => {
    const options = { optimizer: 'adam', batchSize: 4, learningRate: 0.01, earlyStopping: false } as const;
    const model = net();
    const controller = new AbortController();
    const job = model.fit(X, y3, { ...options, epochs: 1_000_000, signal: controller.signal, onProgress: (p) => { if (p.iteration >= 3) controller.abort(); } });
    await expect(job).rejects.toMatchObject({ name: 'AbortError' });
    const E = model.epochsTrained, state = (model.toJSON() as NetworkModelJSON).training.state!;
    const batches = Math.ceil(n / 4);
    expect(state.optimizer.steps).toBeGreaterThanOrEqual(E * batches);
    expect(state.optimizer.steps).toBeLessThan((E + 1) * batches);
    // The reference trainer, stepped as many times from the same start, ends with the same θ and state
    // (bit for bit on the reference backend, which runs that trainer; to rounding on the native one).
    const fresh = net();
    const th = theta(fresh);
    const T = new Matrix(n, 3, new Float64Array(n * 3));
    ['a', 'b', 'c'].forEach((c, i) => y3.forEach((l, j) => { if (l === c) T.data[j * 3 + i] = 1; }));
    const cfg = {
      epochs: 1_000_000, batchSize: 4, shuffle: true, shuffleSeed: 7, optimizer: 'adam', learningRate: 0.01, beta: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8,
      l2: 0, recordEvery: 1, tolerance: 1e-6, lbfgsMemory: 10, earlyStopping: null, schedule: null, reduceOnPlateau: null,
    } as const;
    const start = startState(null, cfg, false, th.length).state;
    const trainer = new Trainer(new NetObjective(fresh.spec, 0), th, { X: X.data, Y: T.data, weight: null, n }, null, cfg, () => {}, start);
    while (start.optimizer.steps < state.optimizer.steps) trainer.step();
    expect(start.epoch).toBe(E);
    const tol = backend === 'reference' ? 0 : 1e-9;
    const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
      for (let i = 0; i < b.length; i++) {
        if (tol === 0 ? !Object.is(a[i], b[i]) : !(Math.abs(a[i]! - b[i]!) <= tol * Math.max(1, Math.abs(b[i]!)))) expect.fail(`${what}[${i}]: ${a[i]} vs ${b[i]}`);
      }
    };
    close(theta(model), th, 'θ');
    close(state.optimizer.m!, start.optimizer.m, 'm');
    close(state.optimizer.v!, start.optimizer.v, 'v');
  });

  it.skipIf(!available)('divergence: the model keeps what it had before the fit, parameters and state', async () => {
    const model = net();
    model.fitSync(X, y3, { optimizer: 'momentum', batchSize: 8, learningRate: 0.05, epochs: 3 });
    const before = body(model);
    const wild = { optimizer: 'momentum', batchSize: 0, learningRate: 1e200, epochs: 50, earlyStopping: false, warmStart: true } as const;
    expect(() => model.fitSync(X, y3, wild)).toThrow(DivergenceError);
    await expect(model.fit(X, y3, wild)).rejects.toBeInstanceOf(DivergenceError);
    expectSameBits(body(model), before);
    expect(model.epochsTrained).toBe(3);
  });

  it.skipIf(!available)('restoreBest: after early stopping the model has the best epoch\'s parameters, optimizer state and counters, and a warm start continues from there', () => {
    for (const batchSize of [8, 0]) {
      const options = { optimizer: 'adam', batchSize, learningRate: 0.05, earlyStopping: { monitor: 'cost', patience: 3, minDelta: 0.01, restoreBest: true } } as const;
      const model = net();
      const r = model.fitSync(X, y3, { ...options, epochs: 200 });
      expect(r.stoppedEarly).toBe(true);
      const best = r.bestEpoch!;
      // Mini-batches record θ after epoch e (the state after e + 1 epochs); full batch θ before its step (after e).
      const at = batchSize === 0 ? best : best + 1;
      expect(model.epochsTrained).toBe(at);
      expect(r.epochs).toBeGreaterThan(at);
      // A fit that ran exactly to the best epoch (whose last record is that best) has the same θ and state.
      const twin = net();
      twin.fitSync(X, y3, { ...options, epochs: at + (batchSize === 0 ? 1 : 0) });
      expectSameBits(body(model), body(twin));
      const state = (model.toJSON() as NetworkModelJSON).training.state!;
      expect(state.earlyStopping).toEqual({ monitor: 'cost', wait: 0, best: r.bestValue, bestEpoch: best });
      model.fitSync(X, y3, { ...options, epochs: 2, warmStart: true });
      twin.fitSync(X, y3, { ...options, epochs: 2, warmStart: true });
      expectSameBits(body(model), body(twin));
    }
  });
});

describe('optimizerReset, epochsTrained and what a warm start continues', () => {
  const make = () => new NeuralNetwork({ layers: [m, 4, 3], seed: 3, backend: 'reference' });
  const adam = { optimizer: 'adam', batchSize: 10, learningRate: 0.01, epochs: 2, earlyStopping: false } as const;

  it('the learning rate and the batch size may change; the optimizer, l2, β, β1, β2, ε may not', () => {
    const cases: [object, boolean][] = [
      [{}, false], [{ learningRate: 0.05 }, false], [{ batchSize: 5 }, false], [{ shuffle: false }, false],
      [{ beta1: 0.8 }, true], [{ beta2: 0.99 }, true], [{ epsilon: 1e-7 }, true], [{ l2: 1e-3 }, true], [{ optimizer: 'momentum' }, true],
      [{ optimizer: 'gd' }, true], [{ optimizer: 'lbfgs', learningRate: undefined, batchSize: undefined }, true],
    ];
    for (const [change, reset] of cases) {
      const model = make();
      expect(model.fitSync(X, y3, adam).optimizerReset).toBe(false);
      const r = model.fitSync(X, y3, { ...adam, ...change, warmStart: true });
      expect(r.optimizerReset, JSON.stringify(change)).toBe(reset);
      expect(model.epochsTrained, JSON.stringify(change)).toBe(4); // the epoch counter continues either way
    }
    // momentum β
    const mo = make();
    mo.fitSync(X, y3, { ...adam, optimizer: 'momentum' });
    expect(mo.fitSync(X, y3, { ...adam, optimizer: 'momentum', momentum: 0.5, warmStart: true }).optimizerReset).toBe(true);
    // Nothing to continue: never fitted, or parameters given.
    expect(make().fitSync(X, y3, { ...adam, warmStart: true }).optimizerReset).toBe(true);
    const given = make();
    given.fitSync(X, y3, adam);
    given.setParameters(given.parameters);
    expect(given.epochsTrained).toBe(0);
    expect(given.fitSync(X, y3, { ...adam, warmStart: true }).optimizerReset).toBe(true);
    expect(given.epochsTrained).toBe(2);
  });

  it('an optimizer started afresh is zero moments and step count 0, the epoch counter continuing', () => {
    const a = make();
    a.fitSync(X, y3, adam);
    const json = a.toJSON();
    const P = a.spec.nParams;
    const reset = NeuralNetwork.fromJSON({
      ...json,
      training: {
        ...json.training,
        state: { ...json.training.state!, optimizer: { name: 'adam', l2: 0, beta1: 0.8, beta2: 0.999, epsilon: 1e-8, steps: 0, m: new Array<number>(P).fill(0), v: new Array<number>(P).fill(0) } },
      },
    }, { backend: 'reference' });
    expect(a.fitSync(X, y3, { ...adam, beta1: 0.8, warmStart: true }).optimizerReset).toBe(true);
    expect(reset.fitSync(X, y3, { ...adam, beta1: 0.8, warmStart: true }).optimizerReset).toBe(false);
    expectSameBits(body(a), body(reset));
  });

  it('epochsTrained counts every continued epoch; a fresh fit, setParameters and reset start it again; onProgress numbers epochs globally', () => {
    const model = make();
    expect(model.epochsTrained).toBe(0);
    model.fitSync(X, y3, { ...adam, epochs: 3 });
    const seen: number[] = [];
    const r = model.fitSync(X, y3, { ...adam, epochs: 2, warmStart: true, onProgress: (p) => seen.push(p.iteration) });
    expect(r.epochs).toBe(2);
    expect(seen).toEqual([3, 4]);
    expect(model.epochsTrained).toBe(5);
    model.fitSync(X, y3, { ...adam, epochs: 1 });
    expect(model.epochsTrained).toBe(1);
    model.reset();
    expect(model.epochsTrained).toBe(0);
    const lr = new LogisticRegression({ backend: 'reference' });
    expect(lr.epochsTrained).toBe(0);
    lr.fitSync(X, y2, { epochs: 30 });
    lr.fitSync(X, y2, { epochs: 20, warmStart: true });
    expect(lr.epochsTrained).toBe(50);
    lr.setParameters({ weights: lr.weights, bias: lr.bias });
    expect(lr.epochsTrained).toBe(0);
  });

  it('a cosine schedule spans each fit\'s own epochs (exempt from the equality: it depends on the total)', () => {
    const model = make();
    const cosine = { ...adam, learningRate: 0.1, schedule: { type: 'cosine' } } as const;
    model.fitSync(X, y3, { ...cosine, epochs: 4 });
    const r = model.fitSync(X, y3, { ...cosine, epochs: 4, warmStart: true });
    expect(r.learningRates).toEqual([0, 1, 2, 3].map((e) => (0.1 * (1 + Math.cos((Math.PI * e) / 4))) / 2));
  });

  it('L-BFGS keeps no memory across fits: a warm L-BFGS fit continues the counter and starts its memory afresh', () => {
    const lr = new LogisticRegression({ optimizer: 'lbfgs', epochs: 5, tolerance: 0, backend: 'reference' });
    lr.fitSync(X, y3);
    const r = lr.fitSync(X, y3, { warmStart: true });
    expect(r.optimizerReset).toBe(false);
    expect(lr.epochsTrained).toBe(5 + r.epochs);
    expect(lr.toJSON().training.state!.optimizer).toEqual({ name: 'lbfgs', l2: 0, steps: 5 + r.epochs });
  });
});

describe('training.state in the model file (format version 3)', () => {
  const make = () => new NeuralNetwork({ layers: [m, 3, 3], seed: 4, backend: 'reference' });
  const fitted = (): NetworkModelJSON => {
    const net = make();
    net.fitSync(X, y3, { optimizer: 'adam', batchSize: 10, learningRate: 0.01, epochs: 3, earlyStopping: { monitor: 'cost', patience: 5 },
      reduceOnPlateau: undefined });
    return JSON.parse(modelText(net.toJSON())) as NetworkModelJSON;
  };
  const P = make().spec.nParams;

  it('is written after a fit with the documented keys and read back exactly, −0 included', () => {
    const json = fitted();
    expect(json.version).toBe(MODEL_FORMAT_VERSION);
    const s = json.training.state!;
    expect(Object.keys(s)).toEqual(['epochsTrained', 'optimizer', 'earlyStopping']);
    expect(Object.keys(s.optimizer)).toEqual(['name', 'l2', 'beta1', 'beta2', 'epsilon', 'steps', 'm', 'v']);
    expect([s.optimizer.m!.length, s.optimizer.v!.length]).toEqual([P, P]);
    s.optimizer.m![0] = -0;
    const text = modelText(NeuralNetwork.fromJSON(json, { backend: 'reference' }).toJSON());
    expect(text).toMatch(/"m": \[-0,/);
    expect(Object.is((JSON.parse(text) as NetworkModelJSON).training.state!.optimizer.m![0], -0)).toBe(true);
    const mo = make();
    mo.fitSync(X, y3, { optimizer: 'momentum', epochs: 1, reduceOnPlateau: { monitor: 'cost' }, earlyStopping: false });
    const ms = mo.toJSON().training.state!;
    expect(Object.keys(ms.optimizer)).toEqual(['name', 'l2', 'momentum', 'steps', 'velocity']);
    expect(ms.reduceOnPlateau).toEqual({ monitor: 'cost', wait: 0, best: expect.any(Number) as number, learningRate: 0.01, initialLearningRate: 0.01 });
  });

  it('is validated on load: shapes against the architecture, finite numbers, counts, each error naming the field', () => {
    type State = NonNullable<NetworkModelJSON['training']['state']>;
    const bad = (edit: (s: State) => void, ...patterns: (string | RegExp)[]) => {
      const json = fitted();
      edit(json.training.state!);
      expectError(() => NeuralNetwork.fromJSON(json, { backend: 'reference' }), Error, 'ERR_BLASNET_FORMAT', /^model JSON: .*training\.state/, ...patterns);
    };
    bad((s) => { s.optimizer.m!.pop(); }, 'training.state.optimizer.m must have', `${P} values`, `got ${P - 1}`);
    bad((s) => { s.optimizer.v!.push(1); }, 'training.state.optimizer.v must have', `got ${P + 1}`);
    bad((s) => { s.optimizer.m![2] = NaN; }, 'optimizer.m must contain only finite numbers', 'NaN at index 2');
    bad((s) => { (s.optimizer.m as unknown[])[1] = '1'; }, 'optimizer.m must contain only finite numbers', 'index 1');
    bad((s) => { s.optimizer.v![0] = -1; }, 'optimizer.v must contain only finite numbers ≥ 0', '-1 at index 0');
    bad((s) => { s.optimizer.steps = -1; }, 'optimizer.steps must be an integer ≥ 0', '-1');
    bad((s) => { s.optimizer.steps = 1.5; }, 'optimizer.steps must be an integer ≥ 0');
    bad((s) => { s.epochsTrained = 2 ** 53; }, 'epochsTrained must be an integer ≥ 0');
    bad((s) => { (s as { epochsTrained?: number }).epochsTrained = undefined; }, 'training.state.epochsTrained is missing');
    bad((s) => { s.optimizer.beta1 = 1; }, 'optimizer.beta1 must be a number in [0, 1)');
    bad((s) => { s.optimizer.epsilon = 0; }, 'optimizer.epsilon must be a finite number > 0');
    bad((s) => { s.optimizer.l2 = -1; }, 'optimizer.l2 must be a finite number ≥ 0');
    bad((s) => { (s.optimizer as { name: string }).name = 'sgd'; }, 'optimizer.name must be one of');
    bad((s) => { s.optimizer.velocity = s.optimizer.m!.slice(); }, 'unknown key "velocity" at training.state.optimizer');
    bad((s) => { s.optimizer.name = 'momentum'; }, /unknown key "beta1" at training\.state\.optimizer/);
    bad((s) => { delete s.optimizer.v; }, 'training.state.optimizer.v is missing');
    bad((s) => { s.earlyStopping!.wait = -2; }, 'earlyStopping.wait must be an integer ≥ 0');
    bad((s) => { s.earlyStopping!.bestEpoch = 99; }, 'earlyStopping.bestEpoch must be at most training.state.epochsTrained (3), got 99');
    bad((s) => { delete s.earlyStopping!.best; }, 'earlyStopping.best and training.state.earlyStopping.bestEpoch must be given together');
    bad((s) => { (s.earlyStopping as { monitor: string }).monitor = 'loss'; }, 'earlyStopping.monitor must be one of');
    bad((s) => { s.reduceOnPlateau = { monitor: 'cost', wait: 0, learningRate: 0, initialLearningRate: 0.1 }; }, 'reduceOnPlateau.learningRate must be a finite number > 0, got 0');
    bad((s) => { (s as Record<string, unknown>).extra = 1; }, 'unknown key "extra" at training.state');
    // A version-2 file has no state.
    const v2 = { ...fitted(), version: 2 };
    expectError(() => NeuralNetwork.fromJSON(v2, { backend: 'reference' }), Error, 'ERR_BLASNET_FORMAT', 'unknown key "state" at training');
  });

  it('a LogisticRegression file\'s buffers are checked against its features and classes', () => {
    const lr = new LogisticRegression({ optimizer: 'momentum', epochs: 2, backend: 'reference' });
    lr.fitSync(X, y3);
    const json = JSON.parse(modelText(lr.toJSON())) as ReturnType<LogisticRegression['toJSON']>;
    expect(json.training.state!.optimizer.velocity).toHaveLength(3 * (m + 1));
    json.training.state!.optimizer.velocity!.pop();
    expectError(() => LogisticRegression.fromJSON(json), Error, 'ERR_BLASNET_FORMAT', 'training.state.optimizer.velocity must have 15 values (the parameter count of 4 features and 3 classes), got 14');
  });
});
