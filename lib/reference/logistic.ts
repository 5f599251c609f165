// Logistic regression kernels in plain TS loops (docs/math.md, "Logistic regression"): the same
// algorithm and names as native/logistic.cc, used to cross-check it and where the addon is
// unavailable.
import { sigmoid, sigmoidSoftplus } from './scalar.js';
import type { Objective, Rows } from './trainer.js';

/** X: n × m row-major (examples as rows); y: n labels. */
export interface LogisticData {
  X: Float64Array;
  y: Float64Array;
  n: number;
  m: number;
}

/**
 * J(w, b); writes dw (m, overwritten) = (1/n) X dzᵀ and returns db = (1/n) Σ dz, with
 * z = wᵀx_j + b, loss softplus(z) − y z, dz = σ(z) − y.
 */
export function logisticCostGrad(d: LogisticData, w: Float64Array, b: number, dw: Float64Array): { cost: number; db: number } {
  const { X, y, n, m } = d;
  dw.fill(0);
  let cost = 0, dzSum = 0;
  for (let j = 0; j < n; j++) {
    const row = j * m;
    let z = 0;
    for (let k = 0; k < m; k++) z += X[row + k]! * w[k]!;
    z += b;
    const yj = y[j]!;
    const s = sigmoidSoftplus(z);
    cost += s.softplus - yj * z;
    const dz = s.sigma - yj;
    dzSum += dz;
    for (let k = 0; k < m; k++) dw[k] += X[row + k]! * dz;
  }
  const invN = 1 / n;
  for (let k = 0; k < m; k++) dw[k] *= invN;
  return { cost: cost * invN, db: dzSum * invN };
}

/**
 * a (n, overwritten) = σ(X w + b). Returns the first row whose z = x·w + b is not finite (an overflow
 * inside the product), or n when every z is finite, as native logistic_predict_proba.
 */
export function logisticPredictProba(X: Float64Array, n: number, m: number, w: Float64Array, b: number, a: Float64Array): number {
  for (let j = 0; j < n; j++) {
    let z = 0;
    for (let k = 0; k < m; k++) z += X[j * m + k]! * w[k]!;
    z += b;
    if (!Number.isFinite(z)) return j;
    a[j] = sigmoid(z);
  }
  return n;
}

/**
 * The weighted J = Σ w_j L_j / Σ w_j and its gradient (dw overwritten), one example at a time, as
 * native weighted_cost_grad; a batch of zero weight has J = 0 and no gradient.
 */
function weightedCostGrad(b: Rows, m: number, w: Float64Array, bias: number, dw: Float64Array): { cost: number; db: number } {
  const X = b.X, y = b.Y, wt = b.weight!;
  dw.fill(0);
  let cost = 0, dzSum = 0, W = 0;
  for (let j = 0; j < b.n; j++) {
    const wj = wt[j]!;
    W += wj;
    if (wj === 0) continue;
    let z = bias;
    for (let k = 0; k < m; k++) z += X[j * m + k]! * w[k]!;
    const s = sigmoidSoftplus(z);
    cost += wj * (s.softplus - y[j]! * z);
    const dz = wj * (s.sigma - y[j]!);
    dzSum += dz;
    for (let k = 0; k < m; k++) dw[k] += dz * X[j * m + k]!;
  }
  if (W === 0) return { cost: 0, db: 0 };
  for (let k = 0; k < m; k++) dw[k] /= W;
  return { cost: cost / W, db: dzSum / W };
}

/**
 * Logistic regression as a trainer Objective (reference/trainer.ts), the twin of native
 * LogisticObjective: θ = (w, b), J = Σ w_j L_j / Σ w_j + (λ/2)‖w‖², the bias not penalized.
 */
export class LogisticObjective implements Objective {
  readonly nParams: number;
  readonly xWidth: number;
  readonly yWidth = 1;
  readonly #m: number;
  readonly #l2: number;

  constructor(m: number, l2: number) {
    this.#m = m;
    this.#l2 = l2;
    this.nParams = m + 1;
    this.xWidth = m;
  }

  reserve(): void {}

  costGrad(theta: Float64Array, b: Rows, grad: Float64Array): { cost: number; finite: boolean } {
    const m = this.#m;
    const w = theta.subarray(0, m), dw = grad.subarray(0, m);
    let { cost, db } = b.weight ? weightedCostGrad(b, m, w, theta[m]!, dw) : logisticCostGrad({ X: b.X, y: b.Y, n: b.n, m }, w, theta[m]!, dw);
    if (this.#l2 !== 0) {
      let sq = 0;
      for (let k = 0; k < m; k++) {
        sq += w[k]! * w[k]!;
        dw[k] += this.#l2 * w[k]!;
      }
      cost += 0.5 * this.#l2 * sq;
    }
    grad[m] = db;
    let gsum = db;
    for (let k = 0; k < m; k++) gsum += dw[k]!;
    return { cost, finite: Number.isFinite(cost) && Number.isFinite(gsum) };
  }

  evaluate(theta: Float64Array, r: Rows): { cost: number; accuracy: number } {
    const m = this.#m, b = theta[m]!;
    let total = 0, right = 0;
    for (let j = 0; j < r.n; j++) {
      let z = 0;
      for (let k = 0; k < m; k++) z += r.X[j * m + k]! * theta[k]!;
      z += b;
      const y = r.Y[j]!;
      const s = sigmoidSoftplus(z);
      total += s.softplus - y * z;
      if ((s.sigma >= 0.5 ? 1 : 0) === y) right++;
    }
    return { cost: total / r.n, accuracy: right / r.n };
  }
}
