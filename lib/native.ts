// Loads the addon (build/Release/blasnet.node) once, after choosing OpenBLAS's core type, and is
// the one place that casts the addon's untyped surface to a typed interface. When the addon is
// missing or fails to load, `nativeUnavailableReason()` says why and how to build it.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseCoreType, type CoreTypeChoice } from './cpu.js';
import { BlasnetError, BlasnetRangeError, BlasnetTypeError } from './errors.js';
import type { TrainConfig } from './reference/network.js';

export type FitStatus = 'ok' | 'aborted' | 'diverged';

export interface NativeLogisticFitResult {
  status: FitStatus;
  iterations: number;
  lastCost: number;
  /** (w, b): m weights then the bias. */
  theta: Float64Array;
  costs: Float64Array;
}

/** Gradient-descent settings as native/logistic_binding.cc reads them. */
export interface NativeLogisticConfig {
  learningRate: number;
  iterations: number;
  recordEvery: number;
}

export interface ProgressRecord {
  iteration: number;
  cost: number;
}

export interface NativeInfo {
  blas: string;
  config: string;
  corename: string;
  threads: number;
  numProcs: number;
  simd: string;
}

/** Training hyper-parameters as native/network_binding.cc reads them: the reference's, all numbers. */
export type NativeTrainConfig = Omit<TrainConfig, 'shuffle' | 'optimizer'> & {
  /** 1 or 0 */
  shuffle: number;
  /** 0 gd, 1 momentum, 2 adam (native/network.h enum Optimizer) */
  optimizer: number;
};

export interface NativeTrainResult {
  status: FitStatus;
  epochs: number;
  steps: number;
  lastCost: number;
  theta: Float64Array;
  costs: Float64Array;
}

/** One network's description on the native side (native/network_binding.cc). */
export interface NativeNet {
  readonly paramCount: number;
  costGrad(theta: Float64Array, X: Float64Array, n: number, Y: Float64Array, l2: number): { cost: number; grad: Float64Array };
  fitSync(theta: Float64Array, X: Float64Array, n: number, Y: Float64Array, config: NativeTrainConfig, onProgress?: (r: ProgressRecord) => void): NativeTrainResult;
  fit(theta: Float64Array, X: Float64Array, n: number, Y: Float64Array, config: NativeTrainConfig, onProgress: ((r: ProgressRecord) => void) | undefined, cancel: Int32Array): Promise<NativeTrainResult>;
  predictSync(theta: Float64Array, X: Float64Array, n: number): Float64Array;
  predict(theta: Float64Array, X: Float64Array, n: number, cancel?: Int32Array): Promise<Float64Array>;
}

/** The addon's functions; argument order as in native/*_binding.cc. */
export interface NativeAddon {
  abiVersion: number;
  info(): NativeInfo;
  /** True when applied at once; false when deferred until the running native jobs finish. */
  setThreads(n: number): boolean;
  getThreads(): number;
  /** The classes native errors are built from (new Class(code, message)), for this thread's env. */
  configure(classes: { Error: Function; TypeError: Function; RangeError: Function }): void;
  // Logistic regression: θ = (w, b), m + 1 values; X row-major n × m; y n labels.
  logisticCostGrad(theta: Float64Array, X: Float64Array, n: number, y: Float64Array): { cost: number; grad: Float64Array };
  logisticFitSync(theta: Float64Array, X: Float64Array, n: number, y: Float64Array, config: NativeLogisticConfig, onProgress?: (r: ProgressRecord) => void): NativeLogisticFitResult;
  logisticFit(theta: Float64Array, X: Float64Array, n: number, y: Float64Array, config: NativeLogisticConfig, onProgress: ((r: ProgressRecord) => void) | undefined, cancel: Int32Array): Promise<NativeLogisticFitResult>;
  logisticPredictProbaSync(theta: Float64Array, X: Float64Array, n: number): Float64Array;
  logisticPredictProba(theta: Float64Array, X: Float64Array, n: number, cancel?: Int32Array): Promise<Float64Array>;
  /** Self-test of the native guard: throws a C++ exception of `kind` sync, in a job ('async') or in a team thread. */
  guardSelfTest(kind: string, where: 'sync' | 'async' | 'team'): Promise<void> | undefined;
  /** Benchmark helper: wall times (ms) of the products [transA, transB, M, N, K]… run back to back. */
  gemmSequence(shapes: Float64Array, repeats: number): Float64Array;
  NativeNet: new (sizes: number[], activations: number[], alphas: number[], loss: number) => NativeNet;
}

const EXPECTED_ABI = 2;

/** The package root: the nearest folder above this file whose package.json is blasnet's. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'blasnet') return dir;
      } catch {
        // not ours; keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('blasnet: cannot find its own package.json');
    dir = parent;
  }
}

let loaded = false;
let addon: NativeAddon | null = null;
let reason = '';
let coreChoice: CoreTypeChoice = { selected: null, reason: 'not loaded' };

function load(): void {
  if (loaded) return;
  loaded = true;
  const root = packageRoot();
  // BLASNET_NATIVE_PATH: another build of the addon (the sanitizer build of scripts/asan.sh).
  const file = process.env.BLASNET_NATIVE_PATH || join(root, 'build', 'Release', 'blasnet.node');
  const buildCommand = 'npx blasnet-build';
  if (process.env.BLASNET_DISABLE_NATIVE) {
    reason = 'the native backend is disabled by the environment variable BLASNET_DISABLE_NATIVE';
    return;
  }
  if (!existsSync(file)) {
    const errorFile = join(root, 'build', 'blasnet-build-error.txt');
    reason = existsSync(errorFile)
      ? `the native addon could not be built: ${readFileSync(errorFile, 'utf8').trim()}`
      : `the native addon ${file} does not exist: its build did not run (npm may have skipped blasnet's install script). ` +
        `Build it with: ${buildCommand}`;
    return;
  }
  coreChoice = chooseCoreType();
  if (coreChoice.selected) process.env.OPENBLAS_CORETYPE = coreChoice.selected;
  try {
    const require = createRequire(import.meta.url);
    const candidate = require(file) as NativeAddon;
    if (candidate.abiVersion !== EXPECTED_ABI) {
      reason = `the native addon at ${file} is from another version of blasnet (ABI ${candidate.abiVersion}, expected ${EXPECTED_ABI}). Rebuild it with: ${buildCommand}`;
      return;
    }
    // Native errors are built as the library's own classes, with the same codes and message format.
    candidate.configure({ Error: BlasnetError, TypeError: BlasnetTypeError, RangeError: BlasnetRangeError });
    addon = candidate;
  } catch (e) {
    reason = `the native addon at ${file} failed to load (${(e as Error).message}). Rebuild it with: ${buildCommand}`;
  } finally {
    // OpenBLAS has read its environment while loading: leave the user's environment as it was.
    if (coreChoice.selected) delete process.env.OPENBLAS_CORETYPE;
  }
}

/** The addon, or null when it is unavailable (see nativeUnavailableReason). */
export function nativeAddon(): NativeAddon | null {
  load();
  return addon;
}

/** Why the native backend is unavailable ('' when it is available). */
export function nativeUnavailableReason(): string {
  load();
  return reason;
}

/** What blasnet decided about OPENBLAS_CORETYPE when it loaded OpenBLAS. */
export function coreTypeChoice(): CoreTypeChoice {
  load();
  return coreChoice;
}
