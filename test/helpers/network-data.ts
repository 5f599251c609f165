// Helpers for the NeuralNetwork tests: an independent plain-loop forward pass (docs/math.md,
// "Dense networks: forward and backward", written here without reusing lib/ code) that gives every
// layer's pre-activations Z and the cost, random inputs and targets for each (output, loss) pair,
// the two-moons data set, XOR, and comparisons of parameter sets.
import { Matrix, Random } from '../../lib/index.js';
import { gaussian, mulberry32, relErr, sigma, softplus } from './data.js';

/** One layer's activation as the test configured it (leaky-relu slope α, default 0.01). */
export interface Act {
  name: 'sigmoid' | 'tanh' | 'relu' | 'leaky-relu' | 'linear' | 'softmax';
  alpha?: number;
}

export interface Params {
  W: ArrayLike<number>[];
  b: ArrayLike<number>[];
}

/** g(z) for one scalar (softmax is handled per example in plainForward). */
function apply(act: Act, z: number): number {
  switch (act.name) {
    case 'sigmoid': return sigma(z);
    case 'tanh': return Math.tanh(z);
    case 'relu': return z > 0 ? z : 0;
    case 'leaky-relu': return z > 0 ? z : (act.alpha ?? 0.01) * z;
    case 'linear': return z;
    default: throw new Error(`apply: ${act.name} is per example`);
  }
}

/**
 * The forward pass with plain loops: for each layer l (0-based here), Z[l] and A[l] are n × s_l,
 * row-major (example j, unit i at j·s_l + i). W[l] is row-major s_l × s_{l−1}, as `parameters` gives it.
 */
export function plainForward(params: Params, sizes: number[], acts: Act[], X: Matrix): { Z: Float64Array[]; A: Float64Array[] } {
  const n = X.rows, L = sizes.length - 1;
  if (acts.length !== L || params.W.length !== L) throw new Error('plainForward: one activation and one W per layer');
  const Z: Float64Array[] = [], A: Float64Array[] = [];
  let prev: ArrayLike<number> = X.data;
  for (let l = 0; l < L; l++) {
    const sIn = sizes[l]!, sOut = sizes[l + 1]!, W = params.W[l]!, b = params.b[l]!;
    if (W.length !== sIn * sOut || b.length !== sOut) throw new Error(`plainForward: layer ${l} has the wrong shape`);
    const z = new Float64Array(n * sOut), a = new Float64Array(n * sOut);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < sOut; i++) {
        let s = b[i]!;
        for (let k = 0; k < sIn; k++) s += W[i * sIn + k]! * prev[j * sIn + k]!;
        z[j * sOut + i] = s;
      }
      if (acts[l]!.name === 'softmax') {
        let mx = -Infinity;
        for (let i = 0; i < sOut; i++) mx = Math.max(mx, z[j * sOut + i]!);
        let sum = 0;
        for (let i = 0; i < sOut; i++) sum += Math.exp(z[j * sOut + i]! - mx);
        for (let i = 0; i < sOut; i++) a[j * sOut + i] = Math.exp(z[j * sOut + i]! - mx) / sum;
      } else {
        for (let i = 0; i < sOut; i++) a[j * sOut + i] = apply(acts[l]!, z[j * sOut + i]!);
      }
    }
    Z.push(z);
    A.push(a);
    prev = a;
  }
  return { Z, A };
}

/**
 * J = (1/n) Σ_j loss_j + (l2/2) Σ‖W‖², with the per-example losses of docs/math.md, "Output layers
 * and losses": sigmoid + cross-entropy Σ_i softplus(z_i) − y_i z_i; softmax + cross-entropy
 * logsumexp(z) − Σ_i y_i z_i; mse ½ Σ_i (a_i − y_i)².
 */
export function plainNetCost(params: Params, sizes: number[], acts: Act[], loss: 'cross-entropy' | 'mse', X: Matrix, Y: Matrix, l2 = 0): number {
  const { Z, A } = plainForward(params, sizes, acts, X);
  const n = X.rows, s = sizes[sizes.length - 1]!, z = Z[Z.length - 1]!, a = A[A.length - 1]!;
  const out = acts[acts.length - 1]!.name;
  let total = 0;
  for (let j = 0; j < n; j++) {
    if (loss === 'mse') {
      for (let i = 0; i < s; i++) total += 0.5 * (a[j * s + i]! - Y.data[j * s + i]!) ** 2;
    } else if (out === 'sigmoid') {
      for (let i = 0; i < s; i++) total += softplus(z[j * s + i]!) - Y.data[j * s + i]! * z[j * s + i]!;
    } else if (out === 'softmax') {
      let mx = -Infinity;
      for (let i = 0; i < s; i++) mx = Math.max(mx, z[j * s + i]!);
      let sum = 0;
      for (let i = 0; i < s; i++) sum += Math.exp(z[j * s + i]! - mx);
      total += mx + Math.log(sum);
      for (let i = 0; i < s; i++) total -= Y.data[j * s + i]! * z[j * s + i]!;
    } else {
      throw new Error(`plainNetCost: cross-entropy with output ${out}`);
    }
  }
  let sq = 0;
  for (const W of params.W) for (let k = 0; k < W.length; k++) sq += W[k]! * W[k]!;
  return total / n + 0.5 * l2 * sq;
}

/**
 * Central differences of plainNetCost with step h for every parameter (in layer order, W then b),
 * independent of lib/: used to choose test data whose gradients are not tiny.
 */
export function plainNumericGradient(params: Params, sizes: number[], acts: Act[], loss: 'cross-entropy' | 'mse', X: Matrix, Y: Matrix, h = 1e-5): number[] {
  const p: Params = { W: params.W.map((w) => Float64Array.from(w)), b: params.b.map((b) => Float64Array.from(b)) };
  const out: number[] = [];
  const blocks = p.W.flatMap((W, l) => [W, p.b[l]!]) as Float64Array[];
  for (const block of blocks) {
    for (let k = 0; k < block.length; k++) {
      const saved = block[k]!;
      block[k] = saved + h;
      const plus = plainNetCost(p, sizes, acts, loss, X, Y);
      block[k] = saved - h;
      const minus = plainNetCost(p, sizes, acts, loss, X, Y);
      block[k] = saved;
      out.push((plus - minus) / (2 * h));
    }
  }
  return out;
}

/** min over the layers whose activation has a kink (relu, leaky-relu) of |z|; Infinity when there is none. */
export function minKinkDistance(Z: Float64Array[], acts: Act[]): number {
  let min = Infinity;
  Z.forEach((z, l) => {
    if (acts[l]!.name !== 'relu' && acts[l]!.name !== 'leaky-relu') return;
    for (let k = 0; k < z.length; k++) min = Math.min(min, Math.abs(z[k]!));
  });
  return min;
}

/** n × m inputs ~ N(0, 1) from mulberry32(seed). */
export function gaussianMatrix(rand: () => number, n: number, m: number, scale = 1): Matrix {
  const M = new Matrix(n, m);
  for (let k = 0; k < n * m; k++) M.data[k] = scale * gaussian(rand);
  return M;
}

/**
 * Random n × s targets that suit the (output, loss) pair and keep gradients away from zero (random, so
 * no example is already fitted). Cross-entropy: random 0/1 labels (sigmoid) or one-hot rows (softmax),
 * or with `soft` labels in (0.05, 0.95) and random probability rows. mse: targets in the output's range
 * (sigmoid (0.1, 0.9), tanh (−0.8, 0.8), relu (0.5, 2), linear N(0, 1)).
 */
export function randomTargets(rand: () => number, n: number, s: number, output: Act['name'], loss: 'cross-entropy' | 'mse', soft = false): Matrix {
  const Y = new Matrix(n, s);
  for (let j = 0; j < n; j++) {
    if (output === 'softmax') {
      if (!soft) {
        Y.data[j * s + Math.floor(rand() * s)] = 1;
        continue;
      }
      let sum = 0;
      for (let i = 0; i < s; i++) sum += (Y.data[j * s + i] = 0.05 + rand());
      for (let i = 0; i < s; i++) Y.data[j * s + i]! /= sum;
      continue;
    }
    for (let i = 0; i < s; i++) {
      let v: number;
      if (loss === 'cross-entropy') v = soft ? 0.05 + 0.9 * rand() : rand() < 0.5 ? 0 : 1;
      else if (output === 'sigmoid') v = 0.1 + 0.8 * rand();
      else if (output === 'tanh') v = -0.8 + 1.6 * rand();
      else if (output === 'relu') v = 0.5 + 1.5 * rand();
      else v = gaussian(rand);
      Y.data[j * s + i] = v;
    }
  }
  return Y;
}

export { mulberry32 };

/**
 * Two interleaving half circles (the classic "two moons"): class 0 on (cos t, sin t), class 1 on
 * (1 − cos t, 1 − sin t − 0.5), t uniform in [0, π], plus N(0, noise²) on each coordinate; classes
 * alternate so each has n/2 points. Drawn from lib's seeded Random.
 */
export function twoMoons(n: number, noise: number, seed: number): { X: Matrix; y: Float64Array } {
  const rng = new Random(seed);
  const X = new Matrix(n, 2), y = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const c = j % 2, t = Math.PI * rng.next();
    const x0 = c === 0 ? Math.cos(t) : 1 - Math.cos(t);
    const x1 = c === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    X.data[2 * j] = x0 + noise * rng.normal();
    X.data[2 * j + 1] = x1 + noise * rng.normal();
    y[j] = c;
  }
  return { X, y };
}

/** XOR: the four corners and their labels. */
export const XOR = { X: Matrix.from([[0, 0], [0, 1], [1, 0], [1, 1]]), y: [0, 1, 1, 0] };

/** All parameters flattened in layer order, W then b per layer. */
export function flatParams(p: Params): number[] {
  const out: number[] = [];
  p.W.forEach((W, l) => {
    out.push(...Array.from(W));
    out.push(...Array.from(p.b[l]!));
  });
  return out;
}

/** max_k |a_k − b_k| / max(|a_k|, |b_k|, floor) over two equally long lists. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-300): number {
  if (a.length !== b.length) throw new Error(`maxRelDiff: lengths ${a.length} and ${b.length}`);
  let worst = 0;
  for (let k = 0; k < a.length; k++) {
    const e = relErr(a[k]!, b[k]!, floor);
    if (!(e <= worst)) worst = e;
  }
  return worst;
}
