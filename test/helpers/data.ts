// Small shared data helpers for the tests: a seeded PRNG, a shuffle, random data, the breast
// cancer data set with a seeded split and training-split standardization, and an independent
// plain-TS evaluation of the logistic cost (docs/math.md, "Logistic regression", written here
// without reusing lib/ code).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { info, LogisticRegression, Matrix } from '../../lib/index.js';
import type { BackendName } from '../../lib/index.js';

/** True when the native addon is built and loads. */
export const HAS_NATIVE = info().backend === 'native';

/** Both backends, each with whether it can run here (for describe.each + skipIf). */
export const BACKENDS: { backend: BackendName; available: boolean }[] = [
  { backend: 'native', available: HAS_NATIVE },
  { backend: 'reference', available: true },
];

/** mulberry32: a small seeded 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller) from a uniform generator. */
export function gaussian(rand: () => number): number {
  let u = rand();
  while (u === 0) u = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Fisher–Yates shuffle in place. */
export function shuffle<T>(a: T[], rand: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

/** Random n × m features ~ N(0, 1) and labels drawn from a logistic model with weights wTrue (noisy, not separable). */
export function randomLogisticData(seed: number, n: number, m: number, scale = 1): { X: Matrix; y: Float64Array; wTrue: Float64Array } {
  const rand = mulberry32(seed);
  const wTrue = new Float64Array(m);
  for (let k = 0; k < m; k++) wTrue[k] = gaussian(rand);
  const X = new Matrix(n, m);
  const y = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let z = 0.3;
    for (let k = 0; k < m; k++) {
      const v = scale * gaussian(rand);
      X.data[j * m + k] = v;
      z += wTrue[k]! * v;
    }
    y[j] = rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X, y, wTrue };
}

// ---- an independent evaluation of docs/math.md's logistic regression ----------------------

/** softplus(t) = log(1 + e^t) = max(t, 0) + log1p(e^(−|t|)) (docs/math.md, "Numerically safe forms"). */
export function softplus(t: number): number {
  return Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t)));
}

/** σ(t) without overflow. */
export function sigma(t: number): number {
  return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
}

/** z_j = Σ_k X[j][k] w[k] + b for each row. */
export function linear(X: Matrix, w: ArrayLike<number>, b: number): number[] {
  const z: number[] = [];
  for (let j = 0; j < X.rows; j++) {
    let s = b;
    for (let k = 0; k < X.cols; k++) s += X.data[j * X.cols + k]! * w[k]!;
    z.push(s);
  }
  return z;
}

/** J(w, b) = (1/n) Σ softplus(z_j) − y_j z_j. */
export function plainCost(X: Matrix, y: ArrayLike<number>, w: ArrayLike<number>, b: number): number {
  const z = linear(X, w, b);
  let s = 0;
  for (let j = 0; j < z.length; j++) s += softplus(z[j]!) - y[j]! * z[j]!;
  return s / X.rows;
}

/** ∂J/∂w = (1/n) Σ_j x_j (σ(z_j) − y_j), ∂J/∂b = (1/n) Σ_j (σ(z_j) − y_j). */
export function plainGradients(X: Matrix, y: ArrayLike<number>, w: ArrayLike<number>, b: number): { dw: number[]; db: number } {
  const z = linear(X, w, b);
  const dw = new Array<number>(X.cols).fill(0);
  let db = 0;
  for (let j = 0; j < z.length; j++) {
    const dz = sigma(z[j]!) - y[j]!;
    db += dz;
    for (let k = 0; k < X.cols; k++) dw[k] += X.data[j * X.cols + k]! * dz;
  }
  return { dw: dw.map((v) => v / X.rows), db: db / X.rows };
}

// A model whose parameters are exactly w⋆, b⋆, installed through the public API (setParameters:
// classes 0 and 1). A fit needs both classes in y, so the old one-example fit cannot place them.
export function modelAt(w: ArrayLike<number>, b: number, backend: BackendName): LogisticRegression {
  const model = new LogisticRegression({ backend });
  model.setParameters({ weights: Float64Array.from(w), bias: b });
  return model;
}

// ---- Wisconsin breast cancer ----------------------------------------------------------------

export interface Dataset {
  X: Matrix;
  y: Float64Array;
}

/** data/breast_cancer.csv: a header `n,m,name0,name1`, then m features and a 0/1 label per line. */
export function loadBreastCancer(): Dataset {
  const file = fileURLToPath(new URL('../../data/breast_cancer.csv', import.meta.url));
  const records = parse(readFileSync(file, 'utf8'), { skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
  const header = records[0]!;
  const n = Number(header[0]), m = Number(header[1]);
  const rows = records.slice(1);
  if (rows.length !== n) throw new Error(`breast_cancer.csv: header says ${n} rows, found ${rows.length}`);
  const X = new Matrix(n, m);
  const y = new Float64Array(n);
  rows.forEach((r, j) => {
    if (r.length !== m + 1) throw new Error(`breast_cancer.csv: line ${j + 2} has ${r.length} fields, expected ${m + 1}`);
    for (let k = 0; k < m; k++) {
      const v = Number(r[k]);
      if (!Number.isFinite(v)) throw new Error(`breast_cancer.csv: line ${j + 2} field ${k} is ${r[k]}`);
      X.data[j * m + k] = v;
    }
    const label = Number(r[m]);
    if (label !== 0 && label !== 1) throw new Error(`breast_cancer.csv: line ${j + 2} label is ${r[m]}`);
    y[j] = label;
  });
  return { X, y };
}

function take(d: Dataset, idx: number[]): Dataset {
  const m = d.X.cols;
  const X = new Matrix(idx.length, m);
  const y = new Float64Array(idx.length);
  idx.forEach((src, j) => {
    X.data.set(d.X.data.subarray(src * m, (src + 1) * m), j * m);
    y[j] = d.y[src]!;
  });
  return { X, y };
}

/** A seeded shuffle, then the first round(trainFraction · n) rows train and the rest test. */
export function seededSplit(d: Dataset, seed: number, trainFraction = 0.8): { train: Dataset; test: Dataset } {
  const idx = shuffle(Array.from({ length: d.X.rows }, (_, i) => i), mulberry32(seed));
  const nTrain = Math.round(trainFraction * d.X.rows);
  return { train: take(d, idx.slice(0, nTrain)), test: take(d, idx.slice(nTrain)) };
}

/** Column means and standard deviations of X. */
export function columnStats(X: Matrix): { mean: Float64Array; std: Float64Array } {
  const { rows: n, cols: m } = X;
  const mean = new Float64Array(m), std = new Float64Array(m);
  for (let j = 0; j < n; j++) for (let k = 0; k < m; k++) mean[k] += X.data[j * m + k]!;
  for (let k = 0; k < m; k++) mean[k] /= n;
  for (let j = 0; j < n; j++) for (let k = 0; k < m; k++) std[k] += (X.data[j * m + k]! - mean[k]!) ** 2;
  for (let k = 0; k < m; k++) std[k] = Math.sqrt(std[k]! / n) || 1;
  return { mean, std };
}

/** (X − mean) / std with the given statistics (a new Matrix). */
export function standardize(X: Matrix, stats: { mean: Float64Array; std: Float64Array }): Matrix {
  const { rows: n, cols: m } = X;
  const out = new Matrix(n, m);
  for (let j = 0; j < n; j++) for (let k = 0; k < m; k++) out.data[j * m + k] = (X.data[j * m + k]! - stats.mean[k]!) / stats.std[k]!;
  return out;
}

/** |a − b| / max(|a|, |b|, floor). */
export function relErr(a: number, b: number, floor = 1e-300): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), floor);
}

/**
 * A small three-class set for the continuation tests (warm starts, checkpoints, fits from a source):
 * 45 rows of 4 Gaussian features, classes 'a' / 'b' / 'c' from two of them with some noise, and the
 * binary labels 0 ('a') / 1. `rand` is the generator, for whatever the test draws next.
 */
export function smallClasses(seed: number) {
  const rand = mulberry32(seed);
  const n = 45, m = 4;
  const X = new Matrix(n, m, Float64Array.from({ length: n * m }, () => gaussian(rand)));
  const y3 = Array.from({ length: n }, (_, j) => {
    const s = X.data[j * m]! + 0.5 * X.data[j * m + 1]! + 0.3 * gaussian(rand);
    return s < -0.4 ? 'a' : s < 0.4 ? 'b' : 'c';
  });
  const y2 = y3.map((c) => (c === 'a' ? 0 : 1));
  return { rand, n, m, X, y3, y2 };
}
