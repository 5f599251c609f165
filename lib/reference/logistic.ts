// Logistic regression kernels in plain TS loops (seed section 1, MATH.md): the same algorithm and
// names as native/logistic.cc, used to cross-check it and where the addon is unavailable.
import { sigmoid, sigmoidSoftplus } from './scalar.js';

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

export type FitStatus = 'ok' | 'aborted' | 'diverged';

export interface LogisticFitState {
  w: Float64Array;
  b: number;
  costs: number[];
  iterations: number;
  status: FitStatus;
  lastCost: number;
}

/**
 * One iteration of the seed's grad_descent (errata fixed): the cost of the current parameters,
 * recorded when i % recordEvery == 0, then one gradient step. Returns false (and sets status) when
 * the fit must stop: the cost or the gradient is not finite. Mirrors logistic_fit in native/logistic.cc.
 */
export function logisticStep(d: LogisticData, s: LogisticFitState, i: number, learningRate: number, recordEvery: number,
  dw: Float64Array, wPrev: Float64Array, bPrev: { value: number }, record: (i: number, cost: number) => void): boolean {
  const { cost, db } = logisticCostGrad(d, s.w, s.b, dw);
  let gsum = db;
  for (let k = 0; k < d.m; k++) gsum += dw[k]!;
  if (!Number.isFinite(cost) || !Number.isFinite(gsum)) {
    s.status = 'diverged';
    s.lastCost = cost;
    let finite = Number.isFinite(s.b);
    for (let k = 0; k < d.m && finite; k++) finite = Number.isFinite(s.w[k]!);
    if (!finite && i > 0) {
      s.w.set(wPrev);
      s.b = bPrev.value;
    }
    return false;
  }
  s.lastCost = cost;
  if (recordEvery > 0 && i % recordEvery === 0) {
    s.costs.push(cost);
    record(i, cost);
  }
  wPrev.set(s.w);
  bPrev.value = s.b;
  for (let k = 0; k < d.m; k++) s.w[k] -= learningRate * dw[k]!;
  s.b -= learningRate * db;
  s.iterations = i + 1;
  return true;
}
