// The one training loop of the reference backend, the twin of native/trainer.cc: a model is θ plus
// an Objective (cost and gradient over a batch of rows); the Trainer owns epochs, batches, seeded
// shuffling, recording, validation, early stopping, schedules, L-BFGS iterations and divergence.
// It advances one batch (or one L-BFGS iteration) per step() so an async caller can yield between.
// The fit's TrainState (epoch counter, optimizer state, counters) is read at the start and updated
// in place, under the same names as native TrainState.
import { epochShuffleSeed, Random } from '../random.js';
import type { EarlyStoppingConfig, MonitorName, PlateauConfig, Rows, ScheduleConfig, StopReason, TrackerState, TrainConfig, TrainRecord, TrainState, TrainStatus } from '../train-types.js';
import { FirstOrder, Lbfgs, normInf, type CostGradFn } from './optim.js';

export type { EarlyStoppingConfig, MonitorName, PlateauConfig, Rows, ScheduleConfig, StopReason, TrainConfig, TrainRecord, TrainState, TrainStatus } from '../train-types.js';

export interface Objective {
  readonly nParams: number;
  readonly xWidth: number;
  readonly yWidth: number;
  /** Sizes buffers for batches of up to `batch` rows and evaluations of up to `evalRows` rows. */
  reserve(batch: number, evalRows: number): void;
  /** J = Σ w L / Σ w (+ the model's regularization) over the batch; grad (overwritten) = ∂J/∂θ. */
  costGrad(theta: Float64Array, batch: Rows, grad: Float64Array, wantCost: boolean): { cost: number; finite: boolean };
  /** The validation figures at θ: the mean loss (unweighted, no regularization) and the accuracy (NaN if not a classifier). */
  evaluate(theta: Float64Array, rows: Rows): { cost: number; accuracy: number };
}

/**
 * The learning rate of global epoch e under a schedule (docs/math.md, "Learning-rate schedules") in a
 * fit that started at global epoch e0: step and exponential follow e; cosine spans the fit's own
 * epochs (e − e0 of `epochs`).
 */
export function scheduledRate(cfg: Pick<TrainConfig, 'learningRate' | 'schedule' | 'epochs'>, e: number, e0 = 0): number {
  const a0 = cfg.learningRate, s = cfg.schedule;
  if (!s) return a0;
  switch (s.type) {
    case 'step': return a0 * Math.pow(s.factor, Math.floor(e / Math.max(s.every, 1)));
    case 'exponential': return a0 * Math.pow(s.factor, e);
    case 'cosine': {
      const E = Math.max(cfg.epochs, 1);
      return s.minLearningRate + ((a0 - s.minLearningRate) * (1 + Math.cos((Math.PI * (e - e0)) / E))) / 2;
    }
  }
}

const COST_CHANGE = 64 * Number.EPSILON;

/**
 * Where the first-order loop takes an epoch's batches from (native/trainer.h BatchSource): the
 * fit's rows (MemoryBatches), or batches handed over while the fit runs (lib/reference/batches.ts).
 */
export interface BatchSource {
  /** Starts global epoch e (once per epoch, before its first next()). */
  beginEpoch(e: number): void;
  /** The epoch's next batch (its arrays valid until the next call), 'end' after its last one, or 'stopped' when none will come. */
  next(): Rows | 'end' | 'stopped';
  /** What next() will give, without taking it: 'batch' when the batch just taken is not the epoch's last, 'end' when it is, or 'stopped'. */
  peek(): 'batch' | 'end' | 'stopped';
}

/**
 * An in-memory fit's batches, as native MemoryBatches: rows of the data in place (subarrays), or
 * gathered into reused buffers in epoch e's shuffle order (shuffle and B < n).
 */
export class MemoryBatches implements BatchSource {
  readonly #data: Rows;
  readonly #xw: number;
  readonly #yw: number;
  readonly #B: number;
  readonly #gather: boolean;
  readonly #seed: number;
  // The gathered batch: Xb B × xw, Yb B × yw, Wb B (with weights); order n (a permutation of the rows).
  readonly #Xb: Float64Array;
  readonly #Yb: Float64Array;
  readonly #Wb: Float64Array;
  readonly #order: Uint32Array;
  #j0 = 0;

  constructor(data: Rows, xw: number, yw: number, B: number, shuffle: boolean, seed: number) {
    this.#data = data;
    this.#xw = xw;
    this.#yw = yw;
    this.#B = B;
    this.#gather = shuffle && B < data.n;
    this.#seed = seed;
    this.#Xb = new Float64Array(this.#gather ? xw * B : 0);
    this.#Yb = new Float64Array(this.#gather ? yw * B : 0);
    this.#Wb = new Float64Array(this.#gather && data.weight ? B : 0);
    this.#order = new Uint32Array(this.#gather ? data.n : 0);
  }

  beginEpoch(e: number): void {
    this.#j0 = 0;
    if (!this.#gather) return;
    // Epoch e's order depends on (seed, e) alone, as native train().
    const order = this.#order;
    for (let j = 0; j < order.length; j++) order[j] = j;
    new Random(epochShuffleSeed(this.#seed, e)).shuffle(order);
  }

  next(): Rows | 'end' {
    const data = this.#data, n = data.n, j0 = this.#j0, xw = this.#xw, yw = this.#yw;
    if (j0 >= n) return 'end';
    const nb = Math.min(this.#B, n - j0);
    this.#j0 = j0 + nb;
    if (!this.#gather) {
      return nb === n ? data : {
        X: data.X.subarray(j0 * xw, (j0 + nb) * xw), Y: data.Y.subarray(j0 * yw, (j0 + nb) * yw),
        weight: data.weight ? data.weight.subarray(j0, j0 + nb) : null, n: nb,
      };
    }
    for (let k = 0; k < nb; k++) {
      const src = this.#order[j0 + k]!;
      this.#Xb.set(data.X.subarray(src * xw, src * xw + xw), k * xw);
      this.#Yb.set(data.Y.subarray(src * yw, src * yw + yw), k * yw);
      if (data.weight) this.#Wb[k] = data.weight[src]!;
    }
    return { X: this.#Xb, Y: this.#Yb, weight: data.weight ? this.#Wb : null, n: nb };
  }

  peek(): 'batch' | 'end' {
    return this.#j0 < this.#data.n ? 'batch' : 'end';
  }
}

function isSource(data: Rows | BatchSource): data is BatchSource {
  return typeof (data as BatchSource).beginEpoch === 'function';
}

/** The best value so far of a monitored quantity and the records since it improved, kept in the fit's state (s). */
class Tracker {
  constructor(readonly monitor: MonitorName, readonly minDelta: number, readonly s: TrackerState) {}
  update(v: number | undefined): boolean {
    const s = this.s;
    let improved: boolean;
    if (v === undefined || Number.isNaN(v)) improved = false;
    else if (s.best === null) improved = true;
    else if (this.monitor === 'validationAccuracy') improved = v > s.best + this.minDelta;
    else improved = v < s.best - this.minDelta;
    if (improved) {
      s.best = v!;
      s.wait = 0;
    } else {
      s.wait++;
    }
    return improved;
  }
}

/** A copy of a state's numbers into `to`, whose buffers have the same lengths (no allocation but the tracker objects). */
function copyState(to: TrainState, from: TrainState): void {
  to.epoch = from.epoch;
  to.optimizer.steps = from.optimizer.steps;
  to.optimizer.m.set(from.optimizer.m);
  to.optimizer.v.set(from.optimizer.v);
  to.earlyStopping = from.earlyStopping ? { ...from.earlyStopping } : null;
  to.reduceOnPlateau = from.reduceOnPlateau ? { ...from.reduceOnPlateau } : null;
}

export class Trainer {
  status: TrainStatus = 'ok';
  reason: StopReason = 'max-iterations';
  epochs = 0;
  steps = 0;
  lastCost = 0;
  evaluations = 0;
  stoppedEarly = false;
  bestEpoch: number | undefined;
  bestValue: number | undefined;
  readonly costs: number[] = [];
  readonly validationCosts: number[] = [];
  readonly validationAccuracies: number[] = [];
  readonly learningRates: number[] = [];

  readonly #model: Objective;
  readonly #theta: Float64Array;
  /** The rows (in-memory fits; L-BFGS reads them whole), or null for a fit from a source. */
  readonly #data: Rows | null;
  readonly #source: BatchSource | null;
  readonly #validation: Rows | null;
  readonly #cfg: TrainConfig;
  readonly #onRecord: (r: TrainRecord) => void;
  readonly #onCheckpoint: ((theta: Float64Array, state: TrainState) => void) | undefined;
  readonly #grad: Float64Array;
  readonly #state: TrainState;
  readonly #e0: number;
  readonly #opt: FirstOrder | null;
  readonly #lbfgs: Lbfgs | null;
  readonly #early: Tracker | null;
  readonly #plateau: Tracker | null;
  readonly #bestTheta: Float64Array | null;
  readonly #best: TrainState | null;
  #saved = false;
  #epoch = 0;
  /** Whether an epoch is under way (its batches being taken). */
  #inEpoch = false;
  /** This epoch: whether it is one batch (full batch: recorded before its step), and the rows taken. */
  #single = false;
  #rows = 0;
  /** The batch size the model has reserved for. */
  #capacity = 0;
  #epochTotal = 0;
  #lr = 0;
  #recording = false;
  #finished = false;
  #f = 0;
  #started = false;

  /**
   * A fit of `cfg.epochs` epochs (global epochs state.epoch, …) from `state`, which must hold a
   * tracker for early stopping and the plateau rule when `cfg` has them (lib/train-state.ts startState).
   * `onCheckpoint` gets θ and the state (live: read them during the call) after every epoch
   * (L-BFGS: iteration) that completes a multiple of `cfg.checkpointEvery` global epochs, its
   * record made, before any restoreBest: as native train()'s hooks.checkpoint.
   */
  constructor(model: Objective, theta: Float64Array, data: Rows | BatchSource, validation: Rows | null, cfg: TrainConfig, onRecord: (r: TrainRecord) => void,
    state: TrainState, onCheckpoint?: (theta: Float64Array, state: TrainState) => void) {
    this.#model = model;
    this.#theta = theta;
    this.#validation = validation;
    this.#cfg = cfg;
    this.#onRecord = onRecord;
    this.#onCheckpoint = onCheckpoint;
    const P = model.nParams;
    const lbfgs = cfg.optimizer === 'lbfgs';
    if (isSource(data)) {
      // A fit from a source (native train() on a BatchSource): the model reserves at the first batch.
      if (lbfgs) throw new RangeError("optimizer 'lbfgs' needs the whole data set: a fit from a batch source takes first-order steps");
      this.#data = null;
      this.#source = data;
    } else {
      const n = data.n, B = lbfgs || cfg.batchSize === 0 ? n : Math.min(cfg.batchSize, n);
      model.reserve(B, validation ? validation.n : 0);
      this.#capacity = B;
      this.#data = data;
      this.#source = lbfgs ? null : new MemoryBatches(data, model.xWidth, model.yWidth, B, cfg.shuffle, cfg.shuffleSeed);
    }
    this.#grad = new Float64Array(P);
    this.#state = state;
    this.#e0 = this.#epoch = state.epoch;
    const o = state.optimizer;
    const nm = cfg.optimizer === 'momentum' || cfg.optimizer === 'adam' ? P : 0, nv = cfg.optimizer === 'adam' ? P : 0;
    if (o.m.length === 0 && nm > 0) o.m = new Float64Array(nm);
    if (o.v.length === 0 && nv > 0) o.v = new Float64Array(nv);
    if (o.m.length !== nm || o.v.length !== nv) throw new RangeError(`the optimizer state holds ${o.m.length} + ${o.v.length} values; this optimizer needs ${nm} + ${nv}`);
    this.#opt = lbfgs ? null : new FirstOrder(cfg, o);
    this.#lbfgs = lbfgs ? new Lbfgs(P, cfg.lbfgsMemory) : null;
    const es = cfg.earlyStopping, pl = cfg.reduceOnPlateau;
    if ((es && !state.earlyStopping) || (pl && !state.reduceOnPlateau)) throw new TypeError('the training state lacks the counters its config needs');
    this.#early = es ? new Tracker(es.monitor, es.minDelta, state.earlyStopping!) : null;
    this.#plateau = pl ? new Tracker(pl.monitor, 0, state.reduceOnPlateau!) : null;
    this.#bestTheta = es && es.restoreBest ? new Float64Array(P) : null;
    this.#best = this.#bestTheta
      ? { epoch: 0, optimizer: { ...o, m: new Float64Array(o.m.length), v: new Float64Array(o.v.length) }, earlyStopping: null, reduceOnPlateau: null }
      : null;
    // A best record from an earlier fit: the state this fit starts from is the one that goes with it.
    if (this.#bestTheta && state.earlyStopping!.best !== null) this.#saveBest();
  }

  /** The state the fit started from, updated as it runs (the same object). */
  get state(): TrainState {
    return this.#state;
  }

  #saveBest(): void {
    this.#bestTheta!.set(this.#theta);
    copyState(this.#best!, this.#state);
    this.#saved = true;
  }

  get done(): boolean {
    return this.status !== 'ok' || this.#finished;
  }

  /** Marks the fit aborted (θ stays at the last completed step). */
  abort(): void {
    this.status = 'aborted';
  }

  /** One batch (first-order optimizers) or one L-BFGS iteration. */
  step(): void {
    if (this.done) return;
    if (this.#lbfgs) this.#stepLbfgs();
    else this.#stepFirstOrder();
  }

  /** Records global epoch e with cost J at the current θ (the state's epoch count goes with θ); true when early stopping says stop. */
  #record(e: number, cost: number, lr: number | undefined): boolean {
    const r: TrainRecord = { epoch: e, cost };
    if (this.#validation) {
      const ev = this.#model.evaluate(this.#theta, this.#validation);
      r.validationCost = ev.cost;
      this.validationCosts.push(ev.cost);
      if (!Number.isNaN(ev.accuracy)) {
        r.validationAccuracy = ev.accuracy;
        this.validationAccuracies.push(ev.accuracy);
      }
    }
    if (lr !== undefined) {
      r.learningRate = lr;
      this.learningRates.push(lr);
    }
    this.costs.push(cost);
    this.#onRecord(r);
    let stop = false, improved = false;
    const es = this.#cfg.earlyStopping;
    if (es && this.#early) {
      improved = this.#early.update(r[es.monitor]);
      if (improved) this.#state.earlyStopping!.bestEpoch = e;
      else if (this.#early.s.wait >= es.patience) stop = true;
    }
    const pl = this.#cfg.reduceOnPlateau;
    if (pl && this.#plateau && !this.#plateau.update(r[pl.monitor]) && this.#plateau.s.wait >= pl.patience) {
      const p = this.#state.reduceOnPlateau!;
      p.learningRate = Math.max(p.learningRate * pl.factor, pl.minLearningRate);
      p.wait = 0;
    }
    if (improved && this.#bestTheta) this.#saveBest();  // after the plateau rule: the state as it leaves this record
    return stop;
  }

  #finish(): void {
    this.#finished = true;
    const early = this.#state.earlyStopping;
    if (!this.#early || !early || early.best === null) {
      this.bestEpoch = undefined;
      return;
    }
    this.bestEpoch = early.bestEpoch;
    this.bestValue = early.best;
    if (this.#saved) {
      this.#theta.set(this.#bestTheta!);
      copyState(this.#state, this.#best!);
    }
  }

  /** The checkpoint after the epoch (iteration) that brought the state's count to a multiple of checkpointEvery. */
  #checkpoint(): void {
    const every = this.#cfg.checkpointEvery;
    if (every > 0 && this.#state.epoch % every === 0 && this.#onCheckpoint) this.#onCheckpoint(this.#theta, this.#state);
  }

  #stopEarly(): void {
    this.stoppedEarly = true;
    this.reason = 'early-stopping';
    this.#finish();
  }

  #firstCost = NaN;

  /**
   * Divergence of a finite cost (docs/math.md, "Divergence"): a recorded cost above 1e6 times the
   * first one stops the fit as a non-finite one does; a fit that starts at cost 0 has no scale.
   */
  #blownUp(cost: number): boolean {
    if (Number.isNaN(this.#firstCost)) this.#firstCost = cost;
    if (!(this.#firstCost > 0 && cost > 1e6 * this.#firstCost)) return false;
    this.status = 'diverged';
    return true;
  }

  #stepFirstOrder(): void {
    const cfg = this.#cfg, model = this.#model, source = this.#source!;
    if (this.#epoch >= this.#e0 + cfg.epochs) {
      this.#finish();
      return;
    }
    if (!this.#inEpoch) {
      this.#lr = cfg.reduceOnPlateau ? this.#state.reduceOnPlateau!.learningRate : scheduledRate(cfg, this.#epoch, this.#e0);
      this.#recording = cfg.recordEvery > 0 && this.#epoch % cfg.recordEvery === 0;
      source.beginEpoch(this.#epoch);
      this.#epochTotal = 0;
      this.#rows = 0;
      this.#inEpoch = true;
    }
    const got = source.next();
    // 'end' here is an epoch without a batch (a source is refused for it): the fit stops as aborted.
    if (got === 'end' || got === 'stopped') {
      this.status = 'aborted';
      return;
    }
    const batch = got, nb = batch.n;
    if (nb > this.#capacity) {
      model.reserve(nb, this.#validation ? this.#validation.n : 0);
      this.#capacity = nb;
    }
    if (this.#rows === 0) {
      // One batch in the epoch (full batch): its record describes θ before the epoch's step.
      const after = source.peek();
      if (after === 'stopped') {
        this.status = 'aborted';
        return;
      }
      this.#single = after === 'end';
    }
    const grad = this.#grad, theta = this.#theta, single = this.#single;
    const wantCost = !single || this.#recording;
    const cg = model.costGrad(theta, batch, grad, wantCost);
    if (!cg.finite) {
      this.status = 'diverged';
      this.lastCost = wantCost ? cg.cost : model.costGrad(theta, batch, grad, true).cost;
      return;
    }
    if (single && this.#recording) {
      this.lastCost = cg.cost;
      if (this.#blownUp(cg.cost)) return;
      if (this.#record(this.#epoch, cg.cost, this.#lr)) {
        this.#stopEarly();
        return;
      }
    }
    if (!this.#opt!.step(theta, grad, this.#lr)) {  // θ is discarded by the caller (the model keeps what it had)
      this.status = 'diverged';
      this.lastCost = Infinity;
      return;
    }
    this.steps++;
    this.#rows += nb;
    this.#epochTotal += cg.cost * nb;
    // The epoch ends with its last batch (native: the next next() gives 'end'; no abort in between).
    const after = source.peek();
    if (after === 'stopped') {
      this.status = 'aborted';
      return;
    }
    if (after === 'batch') return;
    source.next();
    this.#inEpoch = false;
    this.#state.epoch = this.#epoch + 1;
    this.epochs = this.#state.epoch - this.#e0;
    let stop = false;
    if (!single) {
      const epochCost = this.#epochTotal / this.#rows;
      this.lastCost = epochCost;
      if (this.#recording && this.#blownUp(epochCost)) return;
      stop = this.#recording && this.#record(this.#epoch, epochCost, this.#lr);
    }
    this.#checkpoint();
    if (stop) {
      this.#stopEarly();
      return;
    }
    this.#epoch++;
    if (this.#epoch >= this.#e0 + cfg.epochs) this.#finish();
  }

  #fg: CostGradFn = (theta, g) => {
    this.evaluations++;
    return this.#model.costGrad(theta, this.#data!, g, true);
  };

  #stepLbfgs(): void {
    const cfg = this.#cfg, grad = this.#grad, theta = this.#theta;
    if (!this.#started) {
      this.#started = true;
      const r = this.#fg(theta, grad);
      this.#f = r.cost;
      this.lastCost = r.cost;
      if (!r.finite || !Number.isFinite(r.cost)) {
        this.status = 'diverged';
        return;
      }
    }
    const it = this.#epoch;
    if (it >= this.#e0 + cfg.epochs) {
      if (normInf(grad) <= cfg.tolerance) this.reason = 'gradient';
      this.lastCost = this.#f;
      this.#finish();
      return;
    }
    if (cfg.recordEvery > 0 && it % cfg.recordEvery === 0 && this.#record(it, this.#f, undefined)) {
      this.lastCost = this.#f;
      this.#stopEarly();
      return;
    }
    if (normInf(grad) <= cfg.tolerance) {
      this.reason = 'gradient';
      this.lastCost = this.#f;
      this.#finish();
      return;
    }
    const fOld = this.#f;
    const state = { f: this.#f };
    const res = this.#lbfgs!.iterate(theta, state, grad, this.#fg);
    if (res === 'not-finite') {
      this.status = 'diverged';
      this.lastCost = Infinity;
      return;
    }
    if (res === 'line-search-failed') {
      this.reason = 'line-search';
      this.lastCost = this.#f;
      this.#finish();
      return;
    }
    this.#f = state.f;
    this.steps++;
    this.#state.optimizer.steps++;
    this.#state.epoch = it + 1;
    this.epochs = it + 1 - this.#e0;
    this.lastCost = state.f;
    this.#checkpoint();
    this.#epoch++;
    const scale = Math.max(Math.abs(fOld), Math.abs(state.f), 1);
    if (Math.abs(fOld - state.f) <= COST_CHANGE * scale) {
      this.reason = 'cost-change';
      this.#finish();
    }
  }
}
