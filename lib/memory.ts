// Sizing a job before anything is allocated: the bytes its buffers need (inputs copied, workspace,
// optimizer state, recorded costs) against a documented limit. Linux overcommits, so an allocation
// that is too large can "succeed" and get the process killed when touched: refuse it up front.
// Counts only; allocates nothing; imports no model.
import { availableParallelism, totalmem } from 'node:os';
import { BlasnetError } from './errors.js';

/** The parts of a network's description (lib/spec.ts NetSpec) that sizing needs; structural, so this leaf module imports no model code. */
interface NetShape {
  sizes: number[];
  layers: { out: number }[];
  nParams: number;
}

/** The fraction of the process's memory one job may use. */
export const MEMORY_FRACTION = 0.75;

/**
 * The byte limit a single blasnet job is sized against: 75 % of the memory the process may use,
 * the smaller of `os.totalmem()` and the cgroup limit (`process.constrainedMemory()`), when set.
 * Read once, at the first job that needs it: both calls cost tens of µs (a cgroup file is read),
 * far too much to pay on every prediction.
 */
export function memoryLimit(): number {
  if (cachedLimit === 0) {
    let avail = totalmem();
    const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
    if (typeof constrained === 'number' && constrained > 0 && constrained < avail) avail = constrained;
    cachedLimit = Math.floor(avail * MEMORY_FRACTION);
  }
  return cachedLimit;
}

let cachedLimit = 0;

/** Below this many bytes a job is not compared with the limit: no machine that runs Node lacks it. */
const ALWAYS_FITS = 64 * 1024 * 1024;

function format(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'more bytes than can be counted';
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = bytes, u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${bytes} bytes` : `${v.toFixed(1)} ${units[u]} (${bytes.toExponential(2)} bytes)`;
}

/** Throws ERR_BLASNET_OUT_OF_MEMORY, naming the bytes, when `bytes` exceeds the limit. */
export function checkJobMemory(what: string, bytes: number, hint: string): void {
  if (bytes <= ALWAYS_FITS) return;
  const limit = memoryLimit();
  if (bytes <= limit) return;
  throw new BlasnetError('ERR_BLASNET_OUT_OF_MEMORY',
    `${what} needs ${format(bytes)} for its buffers, more than blasnet's limit of ${format(limit)} ` +
    `(${MEMORY_FRACTION * 100} % of the memory this process may use); ${hint}. Nothing was allocated.`);
}

const F64 = 8;

/** Recorded values of a run of `count` steps recorded every `every` (the first step is recorded). */
function records(count: number, every: number): number {
  return count === 0 ? 0 : Math.floor((count - 1) / every) + 1;
}

/** The native sweep's row-padded copy of X when m is not a multiple of 8 (native/logistic.h, at most 256 MiB). */
function logisticPaddedBytes(n: number, m: number): number {
  if (m % 8 === 0) return 0;
  const bytes = F64 * n * (Math.ceil(m / 8) * 8);
  return bytes <= 256 * 2 ** 20 ? bytes : 0;
}

/** Logistic regression fit: X and y copied, X's row-padded copy, θ and its gradient, per-thread sums, recorded costs (twice: native and JS). */
export function logisticFitBytes(n: number, m: number, iterations: number, recordEvery: number): number {
  const T = availableParallelism();
  // θ with its gradient and the largest optimizer state (L-BFGS: 10 (s, y) pairs and line-search points).
  return F64 * (n * m + n + (m + 1) * 26 + m * T + 2 * records(iterations, recordEvery)) + logisticPaddedBytes(n, m);
}

/** Logistic regression prediction: X copied, the probabilities (native and JS). */
export function logisticPredictBytes(n: number, m: number): number {
  return F64 * (n * m + 2 * n);
}

function widths(spec: NetShape): { sum: number; max: number } {
  let sum = 0, max = 0;
  for (const l of spec.layers) { sum += l.out; max = Math.max(max, l.out); }
  return { sum, max };
}

/** A network's workspace for batches of `batch`: activations of every layer and two delta buffers. */
function netWorkspaceBytes(spec: NetShape, batch: number, backward: boolean): number {
  const { sum, max } = widths(spec);
  return F64 * batch * (sum + (backward ? 2 * max : 0));
}

/** Network fit: X, Y copied, θ with its gradient and optimizer state, workspace, gathered batch, costs. */
export function networkFitBytes(spec: NetShape, n: number, batchSize: number, epochs: number, recordEvery: number, optimizer: string): number {
  const s0 = spec.sizes[0]!, sL = spec.sizes[spec.sizes.length - 1]!;
  const B = batchSize === 0 ? n : Math.min(batchSize, n);
  // Optimizer state in parameter vectors: Adam m and v; momentum v; L-BFGS 10 (s, y) pairs plus its
  // direction and line-search points. θ: the fit's copy, its gradient, the result, early stopping's
  // snapshot; the first-order state (m, v) three times: the fit's copy, the result, the snapshot.
  const states = optimizer === 'adam' ? 6 : optimizer === 'gd' ? 0 : optimizer === 'lbfgs' ? 24 : 3;
  return F64 * (n * (s0 + sL) + spec.nParams * (4 + states) + B * (s0 + sL) + 2 * records(epochs, recordEvery)) +
    netWorkspaceBytes(spec, B, true);
}

/** Network prediction: X copied, the outputs (native and JS), the workspace of one chunk. */
export function networkPredictBytes(spec: NetShape, n: number): number {
  const s0 = spec.sizes[0]!, sL = spec.sizes[spec.sizes.length - 1]!;
  const chunk = Math.min(n, Math.max(1, Math.floor((4 << 20) / Math.max(1, widths(spec).max))));
  return F64 * n * (s0 + 2 * sL) + netWorkspaceBytes(spec, chunk, false);
}

/** Cost and gradients over the whole set: the full-batch workspace and the gradient. */
export function networkCostGradBytes(spec: NetShape, n: number): number {
  return F64 * spec.nParams * 2 + netWorkspaceBytes(spec, n, true);
}
