// Dense-network kernels in plain TS loops (seed section 2, MATH.md "Networks"): the same names,
// shapes and order of operations as native/network.cc, used to cross-check it and where the addon
// is unavailable. Batches are column-major s_l × n (example j's s_l values at j·s_l), θ as in lib/spec.ts.
import type { Activation, LayerSpec, NetSpec } from '../spec.js';
import { Random } from '../random.js';
import { sigmoid, sigmoidSoftplus } from './scalar.js';

/** Activations and deltas for batches of up to `capacity` examples. */
export class Workspace {
  capacity = 0;
  A: Float64Array[] = [];
  delta = new Float64Array(0);
  deltaPrev = new Float64Array(0);
  reserve(net: NetSpec, capacity: number, backward: boolean): void {
    if (capacity <= this.capacity && (!backward || this.delta.length > 0)) return;
    const cap = Math.max(capacity, this.capacity);
    this.A = net.layers.map((l) => new Float64Array(l.out * cap));
    const width = Math.max(...net.layers.map((l) => l.out));
    if (backward || this.delta.length > 0) {
      this.delta = new Float64Array(width * cap);
      this.deltaPrev = new Float64Array(width * cap);
    }
    this.capacity = cap;
  }
}

/** a (s values from `off`) ← g(a), in place. */
function activate(g: Activation, a: Float64Array, off: number, s: number): void {
  switch (g.name) {
    case 'sigmoid':
      for (let i = off; i < off + s; i++) a[i] = sigmoid(a[i]!);
      break;
    case 'tanh':
      for (let i = off; i < off + s; i++) a[i] = Math.tanh(a[i]!);
      break;
    case 'relu':
      for (let i = off; i < off + s; i++) a[i] = a[i]! > 0 ? a[i]! : 0;
      break;
    case 'leaky-relu':
      for (let i = off; i < off + s; i++) a[i] = a[i]! > 0 ? a[i]! : g.alpha * a[i]!;
      break;
    case 'linear':
      break;
    case 'softmax': {
      let mx = a[off]!;
      for (let i = off + 1; i < off + s; i++) mx = Math.max(mx, a[i]!);
      let sum = 0;
      for (let i = off; i < off + s; i++) sum += (a[i] = Math.exp(a[i]! - mx));
      for (let i = off; i < off + s; i++) a[i]! /= sum;
      break;
    }
  }
}

/** d ⊙= g′ (expressed through a = g(z)); db += d. Both at `off`, db at 0. */
function timesDerivative(g: Activation, a: Float64Array, d: Float64Array, off: number, db: Float64Array, dbOff: number, s: number): void {
  for (let i = 0; i < s; i++) {
    const ai = a[off + i]!;
    let v = d[off + i]!;
    switch (g.name) {
      case 'sigmoid': v *= ai * (1 - ai); break;
      case 'tanh': v *= 1 - ai * ai; break;
      case 'relu': v = ai > 0 ? v : 0; break;
      case 'leaky-relu': v *= ai > 0 ? 1 : g.alpha; break;
      default: break;
    }
    d[off + i] = v;
    db[dbOff + i] += v;
  }
}

/** C (M × N, col-major, overwritten) = alpha · op(A) · op(B): the reference twin of blas.h's gemm. */
function gemm(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
  A: Float64Array, aOff: number, lda: number, B: Float64Array, bOff: number, ldb: number, C: Float64Array, cOff: number, ldc: number): void {
  for (let j = 0; j < N; j++) {
    for (let i = 0; i < M; i++) {
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const a = transA ? A[aOff + i * lda + k]! : A[aOff + k * lda + i]!;
        const b = transB ? B[bOff + k * ldb + j]! : B[bOff + j * ldb + k]!;
        sum += a * b;
      }
      C[cOff + j * ldc + i] = alpha * sum;
    }
  }
}

/**
 * A (s_out × n, overwritten) = g(W·A_prev + b 1ᵀ); W, b from θ; A_prev: s_in × n at aOff.
 * Returns whether every pre-activation was finite.
 */
export function denseForward(layer: LayerSpec, theta: Float64Array, Aprev: Float64Array, aOff: number, n: number, A: Float64Array, outOff = 0): boolean {
  const s = layer.out;
  gemm(true, false, s, n, layer.in, 1, theta, layer.W, layer.in, Aprev, aOff, layer.in, A, outOff, s);
  let check = 0;
  for (let j = 0; j < n; j++) {
    const o = outOff + j * s;
    for (let i = 0; i < s; i++) check += 0 * (A[o + i] += theta[layer.b + i]!);
    activate(layer.g, A, o, s);
  }
  return check === 0;
}

/**
 * Output layer with its loss: A = g(W·A_prev + b 1ᵀ), and per example the loss and, when delta is
 * given, δ[L] (s × n, overwritten) and db (s at dbOff, accumulated) += Σ_j δ[L]. Returns Σ_j loss_j.
 */
export function outputForwardLoss(layer: LayerSpec, loss: NetSpec['loss'], theta: Float64Array, Aprev: Float64Array, aOff: number, n: number,
  Y: Float64Array, yOff: number, A: Float64Array, delta: Float64Array | null, db: Float64Array, dbOff: number): number {
  const s = layer.out;
  gemm(true, false, s, n, layer.in, 1, theta, layer.W, layer.in, Aprev, aOff, layer.in, A, 0, s);
  let total = 0;
  for (let j = 0; j < n; j++) {
    const o = j * s, yo = yOff + j * s;
    for (let i = 0; i < s; i++) A[o + i] += theta[layer.b + i]!;
    if (loss === 'cross-entropy' && layer.g.name === 'sigmoid') {
      for (let i = 0; i < s; i++) {
        const z = A[o + i]!;
        const ss = sigmoidSoftplus(z);
        total += ss.softplus - Y[yo + i]! * z;
        A[o + i] = ss.sigma;
      }
      if (delta) for (let i = 0; i < s; i++) db[dbOff + i] += (delta[o + i] = A[o + i]! - Y[yo + i]!);
    } else if (loss === 'cross-entropy') {
      let mx = A[o]!;
      for (let i = 1; i < s; i++) mx = Math.max(mx, A[o + i]!);
      let sum = 0, yz = 0, ysum = 0;
      for (let i = 0; i < s; i++) {
        yz += Y[yo + i]! * (A[o + i]! - mx);
        ysum += Y[yo + i]!;
        sum += (A[o + i] = Math.exp(A[o + i]! - mx));
      }
      total += Math.log(sum) - yz + mx * (1 - ysum);
      for (let i = 0; i < s; i++) A[o + i]! /= sum;
      if (delta) for (let i = 0; i < s; i++) db[dbOff + i] += (delta[o + i] = A[o + i]! - Y[yo + i]!);
    } else {
      activate(layer.g, A, o, s);
      for (let i = 0; i < s; i++) {
        const e = A[o + i]! - Y[yo + i]!;
        total += 0.5 * e * e;
      }
      if (delta) {
        for (let i = 0; i < s; i++) delta[o + i] = A[o + i]! - Y[yo + i]!;
        timesDerivative(layer.g, A, delta, o, db, dbOff, s);
      }
    }
  }
  return total;
}

/**
 * Backward through a layer given δ[l] (s_out × n): dW[l] (at layer.W in grad, overwritten) = (1/n) δ[l] A[l−1]ᵀ;
 * when prev is given: δ[l−1] (s_in × n, overwritten) = (W[l]ᵀ δ[l]) ⊙ g[l−1]′, db[l−1] += Σ_j δ[l−1].
 */
export function denseBackward(layer: LayerSpec, theta: Float64Array, Aprev: Float64Array, aOff: number, delta: Float64Array, n: number,
  grad: Float64Array, prev: LayerSpec | null, deltaPrev: Float64Array | null): void {
  const sIn = layer.in, sOut = layer.out;
  gemm(false, true, sIn, sOut, n, 1 / n, Aprev, aOff, sIn, delta, 0, sOut, grad, layer.W, sIn);
  if (!prev || !deltaPrev) return;
  gemm(false, false, sIn, n, sOut, 1, theta, layer.W, sIn, delta, 0, sOut, deltaPrev, 0, sIn);
  for (let j = 0; j < n; j++) timesDerivative(prev.g, Aprev, deltaPrev, aOff + j * sIn, grad, prev.b, sIn);
}

/** Forward pass (see native net_forward). X: s0 × n at xOff. Returns Σ_j loss_j when Y is given. */
export function netForward(net: NetSpec, theta: Float64Array, X: Float64Array, xOff: number, n: number, ws: Workspace,
  Y: Float64Array | null, yOff: number, wantDelta: boolean, grad: Float64Array | null, out?: Float64Array, outOff = 0): number {
  const L = net.layers.length;
  let Aprev = X, aOff = xOff;
  for (let l = 0; l < L - 1; l++) {
    denseForward(net.layers[l]!, theta, Aprev, aOff, n, ws.A[l]!);
    Aprev = ws.A[l]!;
    aOff = 0;
  }
  const last = net.layers[L - 1]!;
  if (!Y) {
    denseForward(last, theta, Aprev, aOff, n, out ?? ws.A[L - 1]!, out ? outOff : 0);
    return 0;
  }
  if (wantDelta && grad) grad.fill(0, last.b, last.b + last.out);
  return outputForwardLoss(last, net.loss, theta, Aprev, aOff, n, Y, yOff, ws.A[L - 1]!, wantDelta ? ws.delta : null, grad ?? new Float64Array(last.b + last.out), last.b);
}

/** Backward pass after netForward(wantDelta): grad (θ layout, overwritten) = ∂J/∂θ, J the batch mean. */
export function netBackward(net: NetSpec, theta: Float64Array, X: Float64Array, xOff: number, n: number, ws: Workspace, grad: Float64Array): void {
  for (let l = net.layers.length - 1; l >= 0; l--) {
    const layer = net.layers[l]!;
    const prev = l === 0 ? null : net.layers[l - 1]!;
    if (prev) grad.fill(0, prev.b, prev.b + prev.out);
    denseBackward(layer, theta, l === 0 ? X : ws.A[l - 1]!, l === 0 ? xOff : 0, ws.delta, n, grad, prev, prev ? ws.deltaPrev : null);
    for (let i = 0; i < layer.out; i++) grad[layer.b + i]! /= n;
    if (prev) [ws.delta, ws.deltaPrev] = [ws.deltaPrev, ws.delta];
  }
}

/** (l2/2)·Σ‖W‖²; grad's W blocks += l2·W when grad is given. */
export function applyL2(net: NetSpec, theta: Float64Array, l2: number, grad: Float64Array | null): number {
  if (l2 === 0) return 0;
  let sq = 0;
  for (const layer of net.layers) {
    for (let k = layer.W; k < layer.b; k++) {
      sq += theta[k]! * theta[k]!;
      if (grad) grad[k] += l2 * theta[k]!;
    }
  }
  return 0.5 * l2 * sq;
}

/** J (mean over n, plus the l2 term) and grad (θ layout, overwritten). */
export function netCostGrad(net: NetSpec, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number, l2: number, grad: Float64Array): number {
  const ws = new Workspace();
  ws.reserve(net, n, true);
  const data = netForward(net, theta, X, 0, n, ws, Y, 0, true, grad);
  netBackward(net, theta, X, 0, n, ws, grad);
  return data / n + applyL2(net, theta, l2, grad);
}

/**
 * out (s_L × n) = A[L] for X (s0 × n). Returns 0, or the first layer (1-based) whose
 * pre-activations were not finite (then `out` is incomplete), as native net_predict.
 */
export function netPredict(net: NetSpec, theta: Float64Array, X: Float64Array, n: number, out: Float64Array): number {
  const ws = new Workspace();
  const chunk = Math.min(n, 4096);
  ws.reserve(net, chunk, false);
  const s0 = net.sizes[0]!, sL = net.sizes[net.sizes.length - 1]!, L = net.layers.length;
  for (let j0 = 0; j0 < n; j0 += chunk) {
    const nb = Math.min(chunk, n - j0);
    let Aprev = X, aOff = j0 * s0;
    for (let l = 0; l < L; l++) {
      const last = l === L - 1;
      const A = last ? out : ws.A[l]!;
      if (!denseForward(net.layers[l]!, theta, Aprev, aOff, nb, A, last ? j0 * sL : 0)) return l + 1;
      Aprev = A;
      aOff = 0;
    }
  }
  return 0;
}

export interface TrainConfig {
  epochs: number;
  batchSize: number;  // 0: the whole set
  shuffle: boolean;
  shuffleSeed: number;
  optimizer: 'gd' | 'momentum' | 'adam';
  learningRate: number;
  beta: number;
  beta1: number;
  beta2: number;
  eps: number;
  l2: number;
  recordEvery: number;
}

export type TrainStatus = 'ok' | 'aborted' | 'diverged';

/**
 * The training loop of native net_train, one batch per `step()` so an async caller can yield
 * between steps. θ is updated in place.
 */
export class Trainer {
  status: TrainStatus = 'ok';
  epochs = 0;
  steps = 0;
  lastCost = 0;
  readonly costs: number[] = [];
  readonly #net: NetSpec;
  readonly #theta: Float64Array;
  readonly #X: Float64Array;
  readonly #Y: Float64Array;
  readonly #n: number;
  readonly #cfg: TrainConfig;
  readonly #B: number;
  readonly #gather: boolean;
  readonly #ws = new Workspace();
  readonly #grad: Float64Array;
  readonly #Xb: Float64Array;
  readonly #Yb: Float64Array;
  readonly #order: Uint32Array;
  readonly #rng: Random;
  readonly #m: Float64Array;
  readonly #v: Float64Array;
  #t = 0;
  #epoch = 0;
  #j0 = 0;
  #epochTotal = 0;
  readonly #record: (epoch: number, cost: number) => void;

  constructor(net: NetSpec, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number, cfg: TrainConfig, record: (epoch: number, cost: number) => void) {
    this.#net = net;
    this.#theta = theta;
    this.#X = X;
    this.#Y = Y;
    this.#n = n;
    this.#cfg = cfg;
    this.#record = record;
    this.#B = cfg.batchSize === 0 ? n : Math.min(cfg.batchSize, n);
    this.#gather = cfg.shuffle && this.#B < n;
    this.#ws.reserve(net, this.#B, true);
    this.#grad = new Float64Array(net.nParams);
    const s0 = net.sizes[0]!, sL = net.sizes[net.sizes.length - 1]!;
    this.#Xb = new Float64Array(this.#gather ? s0 * this.#B : 0);
    this.#Yb = new Float64Array(this.#gather ? sL * this.#B : 0);
    this.#order = this.#gather ? Uint32Array.from({ length: n }, (_, j) => j) : new Uint32Array(0);
    this.#rng = new Random(cfg.shuffleSeed);
    this.#m = new Float64Array(cfg.optimizer === 'gd' ? 0 : net.nParams);
    this.#v = new Float64Array(cfg.optimizer === 'adam' ? net.nParams : 0);
  }

  get done(): boolean {
    return this.status !== 'ok' || this.#epoch >= this.#cfg.epochs;
  }

  /** Marks the fit aborted (θ stays at the last completed step). */
  abort(): void {
    this.status = 'aborted';
  }

  /** One batch: forward, backward, one optimizer step. */
  step(): void {
    if (this.done) return;
    const net = this.#net, n = this.#n, B = this.#B, cfg = this.#cfg;
    const s0 = net.sizes[0]!, sL = net.sizes[net.sizes.length - 1]!;
    if (this.#j0 === 0) {
      if (this.#gather) this.#rng.shuffle(this.#order);
      this.#epochTotal = 0;
    }
    const j0 = this.#j0, nb = Math.min(B, n - j0);
    let X = this.#X, Y = this.#Y, xOff = j0 * s0, yOff = j0 * sL;
    if (this.#gather) {
      for (let k = 0; k < nb; k++) {
        const src = this.#order[j0 + k]!;
        this.#Xb.set(this.#X.subarray(src * s0, src * s0 + s0), k * s0);
        this.#Yb.set(this.#Y.subarray(src * sL, src * sL + sL), k * sL);
      }
      X = this.#Xb;
      Y = this.#Yb;
      xOff = 0;
      yOff = 0;
    }
    const grad = this.#grad, theta = this.#theta;
    const data = netForward(net, theta, X, xOff, nb, this.#ws, Y, yOff, true, grad);
    netBackward(net, theta, X, xOff, nb, this.#ws, grad);
    const cost = data / nb + applyL2(net, theta, cfg.l2, grad);
    if (!Number.isFinite(cost)) {
      this.status = 'diverged';
      this.lastCost = cost;
      return;
    }
    if (!this.#optimizerStep()) {
      theta.set(grad);  // grad holds θ before the step
      this.status = 'diverged';
      this.lastCost = Infinity;
      return;
    }
    this.steps++;
    this.#epochTotal += cost * nb;
    this.#j0 += B;
    if (this.#j0 >= n) {
      const epochCost = this.#epochTotal / n;
      this.epochs = this.#epoch + 1;
      this.lastCost = epochCost;
      if (cfg.recordEvery > 0 && this.#epoch % cfg.recordEvery === 0) {
        this.costs.push(epochCost);
        this.#record(this.#epoch, epochCost);
      }
      this.#epoch++;
      this.#j0 = 0;
    }
  }

  /** θ ← optimizer step with grad; grad then holds θ before the step. False when θ became non-finite. */
  #optimizerStep(): boolean {
    const cfg = this.#cfg, theta = this.#theta, g = this.#grad, P = theta.length, lr = cfg.learningRate;
    let finite = true;
    if (cfg.optimizer === 'gd') {
      for (let k = 0; k < P; k++) {
        const old = theta[k]!, next = old - lr * g[k]!;
        g[k] = old;
        theta[k] = next;
        if (!Number.isFinite(next)) finite = false;
      }
    } else if (cfg.optimizer === 'momentum') {
      const v = this.#m;
      for (let k = 0; k < P; k++) {
        v[k] = cfg.beta * v[k]! + g[k]!;
        const old = theta[k]!, next = old - lr * v[k]!;
        g[k] = old;
        theta[k] = next;
        if (!Number.isFinite(next)) finite = false;
      }
    } else {
      this.#t++;
      const b1 = cfg.beta1, b2 = cfg.beta2, eps = cfg.eps;
      const c1 = 1 - Math.pow(b1, this.#t), c2 = 1 - Math.pow(b2, this.#t);
      const m = this.#m, v = this.#v;
      for (let k = 0; k < P; k++) {
        m[k] = b1 * m[k]! + (1 - b1) * g[k]!;
        v[k] = b2 * v[k]! + (1 - b2) * g[k]! * g[k]!;
        const mhat = m[k]! / c1, vhat = v[k]! / c2;
        const old = theta[k]!, next = old - (lr * mhat) / (Math.sqrt(vhat) + eps);
        g[k] = old;
        theta[k] = next;
        if (!Number.isFinite(next)) finite = false;
      }
    }
    return finite;
  }
}
