// Finds and loads the addon once, after choosing OpenBLAS's core type, and is the one place that
// casts the addon's untyped surface to a typed interface. Resolution order: a local build
// (build/Release/blasnet.node), then the package's prebuild (prebuilds/<platform>-<arch>/blasnet.node).
// When none loads, `nativeUnavailableReason()` says why and what to install or run; it never throws.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseCoreType, type CoreTypeChoice } from './cpu.js';
import { packageRoot } from './root.js';
import { codeTablesMismatch, installCodeTables, type CodeTables } from './codes.js';
import { blasnetError, type BlasnetError, type ErrorCode } from './errors.js';
import type { StopReason } from './train-types.js';
import { useNativeScan } from './validate.js';

export type FitStatus = 'ok' | 'aborted' | 'diverged';

/** What native/train_js.cc reports for every fit (native/trainer.h TrainOutcome and the records). */
export interface NativeFitFields {
  status: FitStatus;
  reason: StopReason;
  epochs: number;
  steps: number;
  lastCost: number;
  evaluations: number;
  costs: Float64Array;
  validationCosts: Float64Array;
  validationAccuracies: Float64Array;
  learningRates: Float64Array;
  stoppedEarly: boolean;
  bestEpoch?: number;
  bestValue?: number;
  /** The state that goes with the returned θ (every field present; m and v new arrays). */
  state: Required<NativeTrainState>;
}

/**
 * The training state as the addon reads it (NativeTrainConfig.state; native/boundary.h
 * parse_train_state) and returns it (the result's `state`): counts, the optimizer's buffers (P
 * values each: `m` momentum's velocity or Adam's first moment, `v` Adam's second moment; absent:
 * zeros) and the trackers' counters (`has` 0/1: whether `best` holds a value).
 */
export interface NativeTrainState {
  epoch: number;
  steps: number;
  m?: Float64Array;
  v?: Float64Array;
  earlyStopping?: { has: number; best: number; wait: number; bestEpoch: number };
  reduceOnPlateau?: { has: number; best: number; wait: number; learningRate: number };
}

export interface NativeLogisticFitResult extends NativeFitFields {
  iterations: number;
  /** (w, b): m weights then the bias. */
  theta: Float64Array;
}

/** A progress record as native/worker.cc sends it (absent fields were NaN). */
export interface ProgressRecord {
  iteration: number;
  cost: number;
  validationCost?: number;
  validationAccuracy?: number;
  learningRate?: number;
}

export interface NativeInfo {
  blas: string;
  config: string;
  corename: string;
  threads: number;
  numProcs: number;
  simd: string;
}

/** Training configuration as native/train_js.cc reads it: lib/training.ts nativeConfig() builds it. */
export interface NativeTrainConfig {
  epochs: number;
  batchSize: number;
  /** 1 or 0 */
  shuffle: number;
  shuffleSeed: number;
  /** 0 gd, 1 momentum, 2 adam, 3 lbfgs (native/optim.h enum Optimizer) */
  optimizer: number;
  learningRate: number;
  beta: number;
  beta1: number;
  beta2: number;
  eps: number;
  l2: number;
  recordEvery: number;
  tolerance: number;
  lbfgsMemory: number;
  /** monitor: 0 validationCost, 1 validationAccuracy, 2 cost */
  earlyStopping?: { monitor: number; patience: number; minDelta: number; restoreBest: number };
  /** type: 1 step, 2 exponential, 3 cosine */
  schedule?: { type: number; every: number; factor: number; minLearningRate: number };
  reduceOnPlateau?: { monitor: number; patience: number; factor: number; minLearningRate: number };
  validationN: number;
  validationX?: Float64Array;
  validationY?: Float64Array;
  sampleWeight?: Float64Array;
  /** What the fit starts from (absent: afresh); the result's `state` is what it ended with. */
  state?: NativeTrainState;
  /** A checkpoint (NativeFitHooks.checkpoint) after every epoch that completes a multiple of this many global epochs; 0 or absent: none. */
  checkpointEvery?: number;
}

/** θ and the training state at a checkpoint epoch, as the addon hands them to NativeFitHooks.checkpoint (new arrays). */
export interface NativeCheckpoint {
  theta: Float64Array;
  state: Required<NativeTrainState>;
}

/**
 * The JavaScript a native fit calls on the main thread (native/worker.h JobHooks): every record,
 * and every checkpoint (the newest one when several were taken while the main thread was busy).
 * A hook that throws stops the fit, which then rejects (throws) with what it threw.
 */
export interface NativeFitHooks {
  progress?: (r: ProgressRecord) => void;
  checkpoint?: (c: NativeCheckpoint) => void;
  /**
   * A fit from a data source asks for its next batch (native/train_js.h FitJob): `epoch` ≥ 0 opens
   * that global epoch and reads its first batch, −1 reads the open epoch's next one. The answer, once
   * (at once for a sync fit, whenever it is read for an async one), is `deliver(batch)`, `deliver(null)`
   * at the end of the epoch or `deliver(false)` on a failure; deliver copies the batch and returns
   * false when the fit no longer waits for it.
   */
  batch?: (epoch: number, deliver: (item: NativeBatch | null | false) => boolean) => void;
}

/** One batch of a fit from a data source as the addon copies it: X n × inputs, Y n × outputs, weight n (row-major). */
export interface NativeBatch {
  X: Float64Array;
  Y: Float64Array;
  weight?: Float64Array;
  n: number;
}

export interface NativeTrainResult extends NativeFitFields {
  theta: Float64Array;
}

/** One network's description on the native side (native/network_binding.cc). */
export interface NativeNet {
  readonly paramCount: number;
  costGrad(theta: Float64Array, X: Float64Array, n: number, Y: Float64Array, l2: number, sampleWeight?: Float64Array): { cost: number; grad: Float64Array };
  /** cancel: element 0 set to non-zero (by a hook) stops the fit as an abort. */
  fitSync(theta: Float64Array, X: Float64Array, n: number, Y: Float64Array, config: NativeTrainConfig, hooks?: NativeFitHooks, cancel?: Int32Array): NativeTrainResult;
  fit(theta: Float64Array, X: Float64Array, n: number, Y: Float64Array, config: NativeTrainConfig, hooks: NativeFitHooks | undefined, cancel: Int32Array): Promise<NativeTrainResult>;
  /** A fit from a data source on the calling thread: hooks.batch must deliver inside its call. */
  fitStreamSync(theta: Float64Array, config: NativeTrainConfig, hooks: NativeFitHooks, cancel: Int32Array): NativeTrainResult;
  /** A fit from a data source in an AsyncWorker: hooks.batch delivers when it has read the batch. */
  fitStream(theta: Float64Array, config: NativeTrainConfig, hooks: NativeFitHooks, cancel: Int32Array): Promise<NativeTrainResult>;
  predictSync(theta: Float64Array, X: Float64Array, n: number): Float64Array;
  /** X is copied at the call; theta is read in place until the Promise settles: do not write it meanwhile. */
  predict(theta: Float64Array, X: Float64Array, n: number, cancel?: Int32Array): Promise<Float64Array>;
}

/** The addon's functions; argument order as in native/*_binding.cc. */
export interface NativeAddon {
  abiVersion: number;
  /** The code tables of native/codes.h, `{ abi, activations: { name: code }, losses, optimizers, monitors, schedules }`. */
  codes: CodeTables & { abi: number };
  info(): NativeInfo;
  /** True when applied at once; false when deferred until the running native jobs finish. */
  setThreads(n: number): boolean;
  getThreads(): number;
  /** What native errors are built with (`new Class(code, message)`), by kind, for this thread's env. */
  configure(classes: { Error: Function; TypeError: Function; RangeError: Function }): void;
  // Logistic regression: θ = (w, b), m + 1 values; X row-major n × m; y n labels.
  logisticCostGrad(theta: Float64Array, X: Float64Array, n: number, y: Float64Array, l2?: number, sampleWeight?: Float64Array): { cost: number; grad: Float64Array };
  logisticFitSync(theta: Float64Array, X: Float64Array, n: number, y: Float64Array, config: NativeTrainConfig, hooks?: NativeFitHooks, cancel?: Int32Array): NativeLogisticFitResult;
  logisticFit(theta: Float64Array, X: Float64Array, n: number, y: Float64Array, config: NativeTrainConfig, hooks: NativeFitHooks | undefined, cancel: Int32Array): Promise<NativeLogisticFitResult>;
  logisticFitStreamSync(theta: Float64Array, config: NativeTrainConfig, hooks: NativeFitHooks, cancel: Int32Array): NativeLogisticFitResult;
  logisticFitStream(theta: Float64Array, config: NativeTrainConfig, hooks: NativeFitHooks, cancel: Int32Array): Promise<NativeLogisticFitResult>;
  logisticPredictProbaSync(theta: Float64Array, X: Float64Array, n: number): Float64Array;
  logisticPredictProba(theta: Float64Array, X: Float64Array, n: number, cancel?: Int32Array): Promise<Float64Array>;
  /** Self-test of the native guard: throws a C++ exception of `kind` sync, in a job ('async') or in a team thread. */
  guardSelfTest(kind: string, where: 'sync' | 'async' | 'team'): Promise<void> | undefined;
  /** The index of the first non-finite value of `a`, or -1 (lib/validate.ts firstNonFinite, for large arrays). */
  firstNonFinite(a: Float64Array): number;
  /** Benchmark helper: wall times (ms) of the products [transA, transB, M, N, K]… run back to back. */
  gemmSequence(shapes: Float64Array, repeats: number): Float64Array;
  /** Benchmark helper: wall times (ms) of plain streaming reads of a buffer of `length` doubles (the memory floor). */
  streamRead(length: number, repeats: number): Float64Array;
  /** Benchmark helper: wall times (ms) of the logistic sweep's two passes alone (dot products, dw update; no σ or loss) over an n × m X. */
  sweepPasses(m: number, n: number, repeats: number): Float64Array;
  /** Benchmark helper: wall times (ms) of one memcpy of `length` doubles between two mapped buffers. */
  copyTime(length: number, repeats: number): Float64Array;
  /** Benchmark helper: starts (true) or stops (false) the step profile of the native fits that follow (native/profile.h). */
  stepProfile(on: boolean): void;
  /** Benchmark helper: the step profile under way — milliseconds and calls per (phase, layer), `ms[phase × layers + layer]` — or null. */
  stepProfileRead(): { phases: number; layers: number; ms: Float64Array; calls: Float64Array } | null;
  NativeNet: new (sizes: number[], activations: number[], alphas: number[], loss: number) => NativeNet;
}

/** The ABI (native/codes.h kAbiVersion) of the bindings this TS calls: the handshake with the addon. */
const EXPECTED_ABI = 7;

/**
 * Builds every error the addon throws (lib/native.ts passes it to `configure` for the three kinds):
 * called with `new`, it returns the error of the class ERROR_CLASSES gives the code.
 */
function nativeError(code: string, message: string): BlasnetError {
  return blasnetError(code as ErrorCode, message);
}

/** The package root (lib/root.ts), re-exported for callers that imported it from here. */
export { packageRoot };

/**
 * Which addon file blasnet loaded (`info().binary.kind`): `'local-build'` is
 * build/Release/blasnet.node, compiled on this machine by the install script or `npx blasnet-build`;
 * `'prebuild'` is prebuilds/<platform>-<arch>/blasnet.node, shipped in the npm package. A local build
 * is tried first. `'override'` is the file the environment variable `BLASNET_NATIVE_PATH` names
 * (for testing another build, such as the sanitizer build); when it is set nothing else is tried.
 * @example
 * if (info().binary?.kind === 'prebuild') console.log('no compiler was needed');
 */
export type BinaryKind = 'local-build' | 'prebuild' | 'override';

/** A native addon file blasnet may load: its kind and absolute path. */
export interface BinaryCandidate {
  kind: BinaryKind;
  path: string;
}

/**
 * The addon files blasnet tries, in order: the local build first (a user who ran `npx blasnet-build`
 * wants it), then the prebuild for this platform and architecture.
 */
export function addonCandidates(root: string = packageRoot(), platform: string = process.platform, arch: string = process.arch): BinaryCandidate[] {
  return [
    { kind: 'local-build', path: join(root, 'build', 'Release', 'blasnet.node') },
    { kind: 'prebuild', path: join(root, 'prebuilds', `${platform}-${arch}`, 'blasnet.node') },
  ];
}

/** The Linux prebuild is linked against glibc: on musl (Alpine) it cannot load, so it is not tried. */
function isGlibc(): boolean {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return typeof header?.glibcVersionRuntime === 'string';
}

/** The package that provides the OpenBLAS runtime library, per system. */
export const OPENBLAS_RUNTIME_HINT =
  'Debian/Ubuntu: sudo apt-get install libopenblas0; Fedora: sudo dnf install openblas; macOS: brew install openblas';

/** True when a load error says the OpenBLAS shared library itself could not be found. */
export function isMissingOpenBlas(message: string): boolean {
  return /libopenblas[^\s:'"]*\.(?:so|dylib)/.test(message) &&
    /cannot open shared object file|Library not loaded|image not found/.test(message);
}

/**
 * The symbol version a load error says this system's C or C++ runtime lacks ('GLIBC_2.29',
 * 'GLIBCXX_3.4.22', …), or null. The prebuilds are built on Debian 11 (glibc 2.31, GCC 10's libstdc++),
 * so an older system fails with such an error.
 */
export function missingRuntimeVersion(message: string): string | null {
  return /\b((?:GLIBC|GLIBCXX|CXXABI)_[0-9.]+)' not found/.exec(message)?.[1] ?? null;
}

let loaded = false;
let addon: NativeAddon | null = null;
let binary: BinaryCandidate | null = null;
let reason = '';
let coreChoice: CoreTypeChoice = { selected: null, reason: 'not loaded' };
let timeoutChoice: ThreadTimeoutChoice = { value: null, setBy: 'none' };

/**
 * OPENBLAS_THREAD_TIMEOUT blasnet sets while OpenBLAS loads, unless the user set one: OpenBLAS's
 * idle worker threads spin 2^value cycles after each product before they sleep. OpenBLAS's own
 * default, 28 (~0.1 s), left a second core busy for ~104 ms after every predictSync on this
 * project's 2-core machine, taken from the host's other work, and the spinning worker competed with
 * the elementwise passes between full-batch products. 20 (~0.4 ms): ~0.5 ms after a call, and in the
 * runs measured no mini-batch slowdown (at 16 the workers' wake-ups cost mini-batch training ~4 %).
 */
export const OPENBLAS_THREAD_TIMEOUT = 20;

/** What blasnet did about OPENBLAS_THREAD_TIMEOUT. */
export interface ThreadTimeoutChoice {
  /** The value in force (the user's or blasnet's), or null when none was set (OpenBLAS's default). */
  value: string | null;
  /** 'blasnet' when blasnet set it, 'user' when the environment had it, 'none' before loading. */
  setBy: 'blasnet' | 'user' | 'none';
}

function load(): void {
  if (loaded) return;
  loaded = true;
  const root = packageRoot();
  const buildCommand = 'npx blasnet-build';
  if (process.env.BLASNET_DISABLE_NATIVE) {
    reason = 'the native backend is disabled by the environment variable BLASNET_DISABLE_NATIVE';
    return;
  }
  // BLASNET_NATIVE_PATH: another build of the addon (the sanitizer build of scripts/asan.sh), and then
  // only that one: falling back to another file would hide that it does not load.
  const override = process.env.BLASNET_NATIVE_PATH;
  if (override && !existsSync(override)) {
    reason = `BLASNET_NATIVE_PATH names ${override}, which does not exist`;
    return;
  }
  const candidates: BinaryCandidate[] = override ? [{ kind: 'override', path: override }] : addonCandidates(root);
  const present = candidates.filter((c) => existsSync(c.path));
  if (present.length === 0) {
    const errorFile = join(root, 'build', 'blasnet-build-error.txt');
    const prebuild = candidates.find((c) => c.kind === 'prebuild')!;
    reason = existsSync(errorFile)
      ? `there is no prebuilt addon for ${process.platform}-${process.arch} and the native addon could not be built: ${readFileSync(errorFile, 'utf8').trim()}`
      : `there is no prebuilt addon for ${process.platform}-${process.arch} (${prebuild.path}) and no local build ` +
        `(${candidates[0]!.path}): npm may have skipped blasnet's install script. Build it with: ${buildCommand}`;
    return;
  }
  coreChoice = chooseCoreType();
  if (coreChoice.selected) process.env.OPENBLAS_CORETYPE = coreChoice.selected;
  const userTimeout = process.env.OPENBLAS_THREAD_TIMEOUT;
  const setTimeoutVar = userTimeout === undefined || userTimeout === '';
  timeoutChoice = setTimeoutVar ? { value: String(OPENBLAS_THREAD_TIMEOUT), setBy: 'blasnet' } : { value: userTimeout, setBy: 'user' };
  if (setTimeoutVar) process.env.OPENBLAS_THREAD_TIMEOUT = String(OPENBLAS_THREAD_TIMEOUT);
  const failures: string[] = [];
  let runtimeMissing = false;
  try {
    const require = createRequire(import.meta.url);
    for (const c of present) {
      const label = { 'local-build': 'the locally built addon', prebuild: 'the prebuilt addon', override: 'the addon named by BLASNET_NATIVE_PATH' }[c.kind];
      if (c.kind === 'prebuild' && process.platform === 'linux' && !isGlibc()) {
        failures.push(`${label} at ${c.path} needs glibc, which this system does not use (build from source with: ${buildCommand})`);
        continue;
      }
      let candidate: NativeAddon;
      try {
        candidate = require(c.path) as NativeAddon;
      } catch (e) {
        const message = (e as Error).message;
        if (isMissingOpenBlas(message)) runtimeMissing = true;
        const tooOld = missingRuntimeVersion(message);
        const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;
        failures.push(tooOld
          ? `${label} at ${c.path} needs ${tooOld}, which this system's C/C++ runtime (glibc ${glibc ?? 'unknown'}) is too old to provide: ` +
            `the prebuilds need glibc ≥ 2.31 and GCC 10's libstdc++ (Debian 11, Ubuntu 20.04 or newer) (${message})`
          : `${label} at ${c.path} failed to load (${message})`);
        continue;
      }
      if (candidate.abiVersion !== EXPECTED_ABI) {
        failures.push(`${label} at ${c.path} is from another version of blasnet (ABI ${candidate.abiVersion}, expected ${EXPECTED_ABI})`);
        continue;
      }
      const mismatch = codeTablesMismatch(candidate.codes);
      if (mismatch !== '') {
        failures.push(`${label} at ${c.path} does not match this blasnet's code tables (${mismatch})`);
        continue;
      }
      // Native errors are built from the one table (ERROR_CLASSES), with the same codes and message format.
      candidate.configure({ Error: nativeError, TypeError: nativeError, RangeError: nativeError });
      installCodeTables(candidate.codes);
      const scan = candidate.firstNonFinite.bind(candidate);
      useNativeScan(scan);
      addon = candidate;
      binary = c;
      return;
    }
  } finally {
    // OpenBLAS has read its environment while loading: leave the user's environment as it was.
    if (coreChoice.selected) delete process.env.OPENBLAS_CORETYPE;
    if (setTimeoutVar) delete process.env.OPENBLAS_THREAD_TIMEOUT;
  }
  const lib = process.platform === 'darwin' ? 'libopenblas.0.dylib' : 'libopenblas.so.0';
  reason = runtimeMissing
    ? `the OpenBLAS runtime library (${lib}) is not installed. Install it (${OPENBLAS_RUNTIME_HINT}), then restart. Details: ${failures.join('; ')}`
    : `${failures.join('; ')}. Rebuild it with: ${buildCommand}`;
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

/** Which addon file was loaded (null when none was). */
export function loadedBinary(): BinaryCandidate | null {
  load();
  return binary ? { ...binary } : null;
}

/** What blasnet decided about OPENBLAS_THREAD_TIMEOUT when it loaded OpenBLAS. */
export function threadTimeoutChoice(): ThreadTimeoutChoice {
  load();
  return { ...timeoutChoice };
}

/** What blasnet decided about OPENBLAS_CORETYPE when it loaded OpenBLAS. */
export function coreTypeChoice(): CoreTypeChoice {
  load();
  return coreChoice;
}
