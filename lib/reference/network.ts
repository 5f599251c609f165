// Dense-network kernels in plain TS loops (docs/math.md, "Dense networks: forward and backward"):
// the same names, shapes and order of operations as native/network.cc, used to cross-check it and
// where the addon is unavailable. Batches are column-major s_l × n (example j's s_l values at
// j·s_l), θ as in lib/spec.ts.
import type { Activation, LayerSpec, NetSpec } from '../spec.js';
import { sigmoid, sigmoidSoftplus } from './scalar.js';
import type { Objective, Rows } from './trainer.js';

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

/** g′ expressed through a = g(z), as timesDerivative applies it. */
function derivative(g: Activation, a: number): number {
  switch (g.name) {
    case 'sigmoid': return a * (1 - a);
    case 'tanh': return 1 - a * a;
    case 'relu': return a > 0 ? 1 : 0;
    case 'leaky-relu': return a > 0 ? 1 : g.alpha;
    default: return 1;
  }
}

/**
 * Output layer with its loss: A = g(W·A_prev + b 1ᵀ), and per example the loss and, when delta is
 * given, δ[L] (s × n, overwritten) and db (s at dbOff, accumulated) += Σ_j δ[L]. Returns Σ_j loss_j.
 * With weight (n, or null: all 1) example j's loss and δ are multiplied by weight[j], as native output_forward.
 */
export function outputForwardLoss(layer: LayerSpec, loss: NetSpec['loss'], theta: Float64Array, Aprev: Float64Array, aOff: number, n: number,
  Y: Float64Array, yOff: number, A: Float64Array, delta: Float64Array | null, db: Float64Array, dbOff: number, weight: Float64Array | null = null): number {
  const s = layer.out;
  gemm(true, false, s, n, layer.in, 1, theta, layer.W, layer.in, Aprev, aOff, layer.in, A, 0, s);
  let grand = 0;
  for (let j = 0; j < n; j++) {
    const o = j * s, yo = yOff + j * s;
    const wj = weight ? weight[j]! : 1;
    let total = weight ? 0 : grand;  // weighted: example j's loss apart, then × w_j
    for (let i = 0; i < s; i++) A[o + i] += theta[layer.b + i]!;
    if (loss === 'cross-entropy' && layer.g.name === 'sigmoid') {
      for (let i = 0; i < s; i++) {
        const z = A[o + i]!;
        const ss = sigmoidSoftplus(z);
        total += ss.softplus - Y[yo + i]! * z;
        A[o + i] = ss.sigma;
      }
      if (delta) for (let i = 0; i < s; i++) db[dbOff + i] += (delta[o + i] = weight ? wj * (A[o + i]! - Y[yo + i]!) : A[o + i]! - Y[yo + i]!);
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
      if (delta) for (let i = 0; i < s; i++) db[dbOff + i] += (delta[o + i] = weight ? wj * (A[o + i]! - Y[yo + i]!) : A[o + i]! - Y[yo + i]!);
    } else {
      activate(layer.g, A, o, s);
      for (let i = 0; i < s; i++) {
        const e = A[o + i]! - Y[yo + i]!;
        total += 0.5 * e * e;
      }
      if (delta && weight) {
        for (let i = 0; i < s; i++) db[dbOff + i] += (delta[o + i] = wj * ((A[o + i]! - Y[yo + i]!) * derivative(layer.g, A[o + i]!)));
      } else if (delta) {
        for (let i = 0; i < s; i++) delta[o + i] = A[o + i]! - Y[yo + i]!;
        timesDerivative(layer.g, A, delta, o, db, dbOff, s);
      }
    }
    grand = weight ? grand + wj * total : total;
  }
  return grand;
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
  Y: Float64Array | null, yOff: number, wantDelta: boolean, grad: Float64Array | null, out?: Float64Array, outOff = 0, weight: Float64Array | null = null): number {
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
  return outputForwardLoss(last, net.loss, theta, Aprev, aOff, n, Y, yOff, ws.A[L - 1]!, wantDelta ? ws.delta : null, grad ?? new Float64Array(last.b + last.out), last.b, weight);
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

/** w · n / Σ w (the weights of netForward for a weighted mean) and Σ w, as native normalized_weights. */
export function normalizedWeights(w: Float64Array): { scaled: Float64Array; sum: number } {
  let sum = 0;
  for (let j = 0; j < w.length; j++) sum += w[j]!;
  const scale = w.length / sum, scaled = new Float64Array(w.length);
  for (let j = 0; j < w.length; j++) scaled[j] = w[j]! * scale;
  return { scaled, sum };
}

/** J (mean over n — with weight, Σ w L / Σ w —, plus the l2 term) and grad (θ layout, overwritten). */
export function netCostGrad(net: NetSpec, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number, l2: number, grad: Float64Array,
  weight: Float64Array | null = null): number {
  const ws = new Workspace();
  ws.reserve(net, n, true);
  const wn = weight ? normalizedWeights(weight) : null;
  if (wn && wn.sum === 0) {  // no weight at all: J = 0, ∂J/∂θ = 0 (+ the L2 term)
    grad.fill(0);
    return applyL2(net, theta, l2, grad);
  }
  const data = netForward(net, theta, X, 0, n, ws, Y, 0, true, grad, undefined, 0, wn ? wn.scaled : null);
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

/**
 * The network as a trainer Objective (reference/trainer.ts), the twin of native NetObjective:
 * J the mean loss over a batch plus (l2/2)·Σ‖W‖².
 */
export class NetObjective implements Objective {
  readonly nParams: number;
  readonly xWidth: number;
  readonly yWidth: number;
  readonly #net: NetSpec;
  readonly #l2: number;
  readonly #ws = new Workspace();
  readonly #evalWs = new Workspace();
  #evalChunk = 0;

  constructor(net: NetSpec, l2: number) {
    this.#net = net;
    this.#l2 = l2;
    this.nParams = net.nParams;
    this.xWidth = net.sizes[0]!;
    this.yWidth = net.sizes[net.sizes.length - 1]!;
  }

  reserve(batch: number, evalRows: number): void {
    this.#ws.reserve(this.#net, batch, true);
    if (evalRows > 0) {
      this.#evalChunk = Math.min(evalRows, 4096);
      this.#evalWs.reserve(this.#net, this.#evalChunk, false);
    }
  }

  costGrad(theta: Float64Array, b: Rows, grad: Float64Array): { cost: number; finite: boolean } {
    const net = this.#net;
    const wn = b.weight ? normalizedWeights(b.weight) : null;
    if (wn && wn.sum === 0) {  // a batch of zero weight: no step
      grad.fill(0);
      const cost = applyL2(net, theta, this.#l2, grad);
      return { cost, finite: Number.isFinite(cost) };
    }
    const data = netForward(net, theta, b.X, 0, b.n, this.#ws, b.Y, 0, true, grad, undefined, 0, wn ? wn.scaled : null);
    netBackward(net, theta, b.X, 0, b.n, this.#ws, grad);
    const cost = data / b.n + applyL2(net, theta, this.#l2, grad);
    return { cost, finite: Number.isFinite(cost) };
  }

  evaluate(theta: Float64Array, r: Rows): { cost: number; accuracy: number } {
    const net = this.#net, s0 = this.xWidth, sL = this.yWidth, chunk = this.#evalChunk;
    const classifier = net.loss === 'cross-entropy';
    const L = net.layers.length;
    let total = 0, right = 0;
    for (let j0 = 0; j0 < r.n; j0 += chunk) {
      const nb = Math.min(chunk, r.n - j0);
      total += netForward(net, theta, r.X, j0 * s0, nb, this.#evalWs, r.Y, j0 * sL, false, null);
      if (!classifier) continue;
      const A = this.#evalWs.A[L - 1]!;
      for (let j = 0; j < nb; j++) {
        const a = j * sL, y = (j0 + j) * sL;
        if (sL === 1) {
          if ((A[a]! >= 0.5) === (r.Y[y]! >= 0.5)) right++;
          continue;
        }
        let ia = 0, iy = 0;
        for (let i = 1; i < sL; i++) {
          if (A[a + i]! > A[a + ia]!) ia = i;
          if (r.Y[y + i]! > r.Y[y + iy]!) iy = i;
        }
        if (ia === iy) right++;
      }
    }
    return { cost: total / r.n, accuracy: classifier ? right / r.n : NaN };
  }
}
