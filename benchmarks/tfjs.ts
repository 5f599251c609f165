// TensorFlow.js as a peer running in this process: the CPU backend (@tensorflow/tfjs's pure-JS
// kernels) and the wasm backend (@tensorflow/tfjs-backend-wasm, XNNPACK). tfjs computes in float32
// only. The networks are written plainly with tf.matMul & co., the same explicit forward and
// backward formulas as docs/math.md, native/network.cc and the Python peers (no tf.grad, no optimizers,
// no layers API). Examples are rows here (X is n × s0); W[l] is s_l × s_{l−1} as in blasnet.
//
// Not a workload file (its name does not match wN-*.ts): W2–W5 import it.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';

export type Tf = typeof TF;
export type TfBackend = 'cpu' | 'wasm';

export interface TfLoaded {
  tf: Tf;
  version: string;
}

let loading: Promise<TfLoaded | { why: string }> | null = null;

/** Imports @tensorflow/tfjs once; `why` says why it is unavailable. */
export function loadTf(): Promise<TfLoaded | { why: string }> {
  loading ??= (async () => {
    try {
      const tf = (await import('@tensorflow/tfjs')) as Tf;
      return { tf, version: tf.version.tfjs ?? tf.version_core };
    } catch (err) {
      return { why: `@tensorflow/tfjs cannot be imported (${(err as Error).message.split('\n')[0]}); install the devDependencies` };
    }
  })();
  return loading;
}

export interface BackendFacts {
  /** Threads the backend computes on (1 for cpu; the wasm module's pool size for wasm). */
  threads: number;
  /** Shown in the table's notes. */
  notes: string[];
  /** For the results JSON. */
  facts: Record<string, unknown>;
}

const backendFacts = new Map<TfBackend, BackendFacts>();

/**
 * Makes `name` tfjs's active backend (registering and initialising wasm the first time, with its
 * .wasm files from node_modules/@tensorflow/tfjs-backend-wasm/dist/). Idempotent.
 */
export async function useTfBackend(tf: Tf, name: TfBackend): Promise<BackendFacts> {
  if (name === 'wasm' && !backendFacts.has('wasm')) {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
    wasm.setWasmPaths(dist);
  }
  // The CPU backend prints a "looks like you are running TensorFlow.js in Node.js" banner on its
  // first tensor; it is advice to install tfjs-node (a different library), not a problem here.
  const warn = console.warn;
  try {
    console.warn = () => {};
    if (!(await tf.setBackend(name))) throw new Error(`tfjs backend '${name}' failed to initialise`);
    await tf.ready();
    tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync());
  } finally {
    console.warn = warn;
  }
  let facts = backendFacts.get(name);
  if (!facts) {
    if (name === 'cpu') {
      facts = { threads: 1, notes: ['float32', 'pure JS, 1 thread'], facts: { backend: 'cpu' } };
    } else {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
      const threads = wasm.getThreadsCount();
      facts = {
        threads,
        notes: ['float32', `wasm${simd ? ' SIMD' : ''}, ${threads} thread${threads > 1 ? 's' : ''}${mt ? '' : ' (no wasm threads in Node)'}`],
        facts: { backend: 'wasm', simd, multithread: mt, threads, version: wasm.version_wasm },
      };
    }
    backendFacts.set(name, facts);
  }
  return facts;
}

export type HiddenName = 'tanh' | 'relu';
export type OutputName = 'sigmoid' | 'softmax';

export interface TfNetSpec {
  sizes: number[];
  hidden: HiddenName;
  output: OutputName;
}

/** Parameters as tensors: W[l] s_l × s_{l−1}, b[l] 1 × s_l (index l − 1). */
export interface TfParams {
  W: TF.Tensor2D[];
  b: TF.Tensor2D[];
}

/** float32 tensors of blasnet's parameters (W row-major s_l × s_{l−1}, b of s_l). */
export function tfParams(tf: Tf, spec: TfNetSpec, W: ArrayLike<number>[], b: ArrayLike<number>[]): TfParams {
  const s = spec.sizes;
  return {
    W: W.map((w, l) => tf.tensor2d(Float32Array.from(w), [s[l + 1]!, s[l]!])),
    b: b.map((v, l) => tf.tensor2d(Float32Array.from(v), [1, s[l + 1]!])),
  };
}

export function disposeParams(p: TfParams): void {
  for (const t of [...p.W, ...p.b]) t.dispose();
}

function g(tf: Tf, name: HiddenName | OutputName, Z: TF.Tensor2D): TF.Tensor2D {
  switch (name) {
    case 'tanh': return tf.tanh(Z);
    case 'relu': return tf.relu(Z);
    case 'sigmoid': return tf.sigmoid(Z);
    case 'softmax': return tf.softmax(Z); // over the last axis: the s_L outputs of each example (row)
  }
}

/** g′ expressed through A = g(Z), as native/network.cc does. */
function gPrime(tf: Tf, name: HiddenName, A: TF.Tensor2D): TF.Tensor2D {
  return name === 'tanh' ? tf.sub(1, tf.square(A)) : tf.step(A); // step: 1 where A > 0, else 0
}

/**
 * op(a)·op(b). On the wasm backend (tfjs 4.22) tf.matMul with a transpose flag takes a slow path,
 * many times slower than the untransposed product, so there the operand is
 * transposed explicitly first (always the small one: a W, or a δ) and the product is untransposed.
 * On the CPU backend the flags cost nothing and are used as they are.
 */
function mm(tf: Tf, a: TF.Tensor2D, b: TF.Tensor2D, transposeA: boolean, transposeB: boolean): TF.Tensor2D {
  if (tf.getBackend() !== 'wasm') return tf.matMul(a, b, transposeA, transposeB);
  return tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b);
}

/** Forward pass: Z[l] = A[l−1] W[l]ᵀ + b[l] (rows are examples), A[l] = g(Z[l]). Returns Z and A lists (A[0] = X). */
function forward(tf: Tf, spec: TfNetSpec, p: TfParams, X: TF.Tensor2D): { Z: TF.Tensor2D[]; A: TF.Tensor2D[] } {
  const L = p.W.length;
  const Z: TF.Tensor2D[] = [], A: TF.Tensor2D[] = [X];
  for (let l = 0; l < L; l++) {
    const z = tf.add<TF.Tensor2D>(mm(tf, A[l]!, p.W[l]!, false, true), p.b[l]!);
    Z.push(z);
    A.push(g(tf, l < L - 1 ? spec.hidden : spec.output, z));
  }
  return { Z, A };
}

/** Parameters for prediction: WT[l] = W[l]ᵀ (s_{l−1} × s_l), made once, so each product is A·WT, untransposed. */
export interface TfPredictParams {
  WT: TF.Tensor2D[];
  b: TF.Tensor2D[];
}

export function tfPredictParams(tf: Tf, spec: TfNetSpec, W: ArrayLike<number>[], b: ArrayLike<number>[]): TfPredictParams {
  const p = tfParams(tf, spec, W, b);
  const WT = p.W.map((w) => tf.transpose(w));
  for (const w of p.W) w.dispose();
  return { WT, b: p.b };
}

export function disposePredictParams(p: TfPredictParams): void {
  for (const t of [...p.WT, ...p.b]) t.dispose();
}

/** Output activations of X (n × s0) as a float32 n × sL array: tf.tidy of the matMul chain, then dataSync. */
export function tfPredict(tf: Tf, spec: TfNetSpec, p: TfPredictParams, X: TF.Tensor2D): Float32Array {
  const L = p.WT.length;
  const out = tf.tidy(() => {
    let A = X;
    for (let l = 0; l < L; l++) A = g(tf, l < L - 1 ? spec.hidden : spec.output, tf.add<TF.Tensor2D>(tf.matMul(A, p.WT[l]!), p.b[l]!));
    return A;
  });
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return data;
}

export interface TfTrainResult {
  costs: number[];
  W: Float32Array[];
  b: Float32Array[];
}

/**
 * Full-batch gradient descent (sigmoid outputs with cross-entropy summed over the outputs, mean
 * over the examples), `iterations` steps from `init`, the cost of every iteration read back with
 * dataSync (as blasnet and the peers record it):
 *   J = (1/n) Σ_j Σ_i softplus(z_ij) − y_ij z_ij,  softplus(t) = max(t, 0) + log1p(e^−|t|)
 *   δ[L] = A[L] − Y;  ∂J/∂W[l] = δ[l]ᵀ A[l−1] / n;  ∂J/∂b[l] = Σ_j δ[l] / n
 *   δ[l−1] = (δ[l] W[l]) ⊙ g′(A[l−1])  (with W[l] before its step);  θ ← θ − α ∂J/∂θ
 */
export function tfTrain(tf: Tf, spec: TfNetSpec, init: { W: ArrayLike<number>[]; b: ArrayLike<number>[] }, X: TF.Tensor2D, Y: TF.Tensor2D,
  iterations: number, learningRate: number): TfTrainResult {
  if (spec.output !== 'sigmoid') throw new Error('tfTrain: sigmoid outputs with cross-entropy only');
  const n = X.shape[0];
  let p = tfParams(tf, spec, init.W, init.b);
  const costs: number[] = [];
  const L = p.W.length;
  try {
    for (let it = 0; it < iterations; it++) {
      const next = tf.tidy(() => {
        const { Z, A } = forward(tf, spec, p, X);
        const ZL = Z[L - 1]!;
        const softplus = tf.add(tf.relu(ZL), tf.log1p(tf.exp(tf.neg(tf.abs(ZL)))));
        const cost = tf.div(tf.sum(tf.sub(softplus, tf.mul(Y, ZL))), n);
        let delta: TF.Tensor2D = tf.sub(A[L]!, Y);
        const W: TF.Tensor2D[] = new Array(L), b: TF.Tensor2D[] = new Array(L);
        for (let l = L - 1; l >= 0; l--) {
          const dW = tf.div<TF.Tensor2D>(mm(tf, delta, A[l]!, true, false), n);
          const db = tf.div<TF.Tensor2D>(tf.sum(delta, 0, true), n);
          if (l > 0) delta = tf.mul(mm(tf, delta, p.W[l]!, false, false), gPrime(tf, spec.hidden, A[l]!));
          W[l] = tf.sub(p.W[l]!, tf.mul(learningRate, dW));
          b[l] = tf.sub(p.b[l]!, tf.mul(learningRate, db));
        }
        return { W, b, cost };
      });
      disposeParams(p);
      p = { W: next.W, b: next.b };
      costs.push((next.cost.dataSync() as Float32Array)[0]!);
      next.cost.dispose();
    }
    return { costs, W: p.W.map((t) => t.dataSync() as Float32Array), b: p.b.map((t) => t.dataSync() as Float32Array) };
  } finally {
    disposeParams(p);
  }
}
