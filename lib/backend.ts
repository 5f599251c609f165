// Backend selection ('auto' | 'native' | 'reference') and the process-wide BLAS facts:
// info(), setThreads(), getThreads(). Finding and loading the addon is lib/native.ts's job, not this
// file's; nothing here computes.
import { BlasnetError, BlasnetRangeError, BlasnetTypeError, describe } from './errors.js';
import { coreTypeChoice, loadedBinary, nativeAddon, nativeUnavailableReason, threadTimeoutChoice, type BinaryKind, type NativeAddon } from './native.js';

export type { BinaryKind } from './native.js';

/**
 * The `backend` option of every model: `'auto'` (the default) uses the native addon when it loads and
 * otherwise the TypeScript backend, with one process warning (code `BLASNET_NATIVE_UNAVAILABLE`)
 * giving the reason; `'native'` requires the addon and throws `ERR_BLASNET_NATIVE_UNAVAILABLE`
 * without it; `'reference'` always runs the pure-TypeScript kernels.
 * @example
 * const net = new NeuralNetwork({ layers: [2, 4, 1], backend: 'reference' });
 */
export type BackendOption = 'auto' | 'native' | 'reference';
/**
 * The backend a model actually runs on (`model.backend`, `info().backend`).
 * @example
 * if (info().backend === 'reference') console.warn('slow path:', info().nativeUnavailableReason);
 */
export type BackendName = 'native' | 'reference';
export const BACKENDS: readonly BackendOption[] = ['auto', 'native', 'reference'];

let warned = false;

/** Resolves a backend option; 'native' throws when the addon is unavailable, 'auto' warns once. */
export function resolveBackend(option: unknown, name = 'options.backend'): { name: BackendName; addon: NativeAddon | null } {
  const value = option === undefined ? 'auto' : option;
  if (value !== 'auto' && value !== 'native' && value !== 'reference') {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be one of 'auto' | 'native' | 'reference', got ${describe(option)}`);
  }
  if (value === 'reference') return { name: 'reference', addon: null };
  const addon = nativeAddon();
  if (addon) return { name: 'native', addon };
  if (value === 'native') {
    throw new BlasnetError('ERR_BLASNET_NATIVE_UNAVAILABLE', `backend 'native' is unavailable: ${nativeUnavailableReason()}`);
  }
  if (!warned) {
    warned = true;
    process.emitWarning(`blasnet is running on its pure-TypeScript backend because ${nativeUnavailableReason()}`, {
      code: 'BLASNET_NATIVE_UNAVAILABLE',
    });
  }
  return { name: 'reference', addon: null };
}

/**
 * What {@link info} reports. On the reference backend only `backend` and `nativeUnavailableReason`
 * are set; on the native backend every field but `nativeUnavailableReason`.
 * @example
 * const { backend, binary, corename } = info();
 * // 'native', { kind: 'prebuild', path: '…/node_modules/blasnet/prebuilds/linux-x64/blasnet.node' }, 'SkylakeX'
 */
export interface BlasInfo {
  /** The backend 'auto' resolves to. */
  backend: BackendName;
  /** Why the native backend is unavailable, when it is. */
  nativeUnavailableReason?: string;
  /**
   * The addon file in use: `'local-build'` (build/Release/blasnet.node, from `npm install`'s source
   * build or `npx blasnet-build`), `'prebuild'` (prebuilds/<platform>-<arch>/blasnet.node, shipped in
   * the package) or `'override'` (the file named by `BLASNET_NATIVE_PATH`), and its path.
   */
  binary?: {
    /** `'local-build'`, `'prebuild'` or `'override'`. */
    kind: BinaryKind;
    /** The absolute path of the loaded `.node` file. */
    path: string;
  };
  /** 'OpenBLAS' when native. */
  blas?: string;
  /** openblas_get_config(): version and build options. */
  config?: string;
  /** The OpenBLAS version parsed from config. */
  version?: string;
  /** openblas_get_corename(): the kernel family in use. */
  corename?: string;
  /** What blasnet did about OPENBLAS_CORETYPE, and why. */
  coretype?: {
    /** The value blasnet set OPENBLAS_CORETYPE to while OpenBLAS loaded, or null when it set none. */
    selected: string | null;
    /** Why: the user's own value, the CPU flags found, or why nothing applied. */
    reason: string;
  };
  /**
   * OPENBLAS_THREAD_TIMEOUT while OpenBLAS loaded: how long (2^value cycles) its idle threads spin
   * before they sleep. blasnet sets 20 (~0.4 ms) unless the environment had a value; OpenBLAS's own
   * default (28, ~0.1 s) keeps a core busy after every product.
   */
  threadTimeout?: {
    /** The value in force (the user's or blasnet's). */
    value: string | null;
    /** 'blasnet' when blasnet set it, 'user' when the environment had it. */
    setBy: 'blasnet' | 'user' | 'none';
  };
  /** blasnet's thread count (setThreads; OpenBLAS itself runs one thread). */
  threads?: number;
  /** Processors OpenBLAS sees. */
  numProcs?: number;
  /** The instruction-set level of blasnet's own elementwise kernels: 'avx512', 'avx2' or 'baseline'. */
  simd?: string;
}

/**
 * Facts about the backend and BLAS library in use. The first call loads the addon (once per
 * process); it never throws: without the addon it reports the reference backend and why.
 * @returns the backend, which addon file was loaded, OpenBLAS's version and kernels, and blasnet's thread count
 * @example
 * import { info } from 'blasnet';
 * console.log(info());
 * // { backend: 'native', binary: { kind: 'prebuild', path: '…/prebuilds/linux-x64/blasnet.node' },
 * //   blas: 'OpenBLAS', version: '0.3.21', corename: 'SkylakeX', threads: 2, simd: 'avx512', … }
 */
export function info(): BlasInfo {
  const addon = nativeAddon();
  if (!addon) return { backend: 'reference', nativeUnavailableReason: nativeUnavailableReason() };
  const i = addon.info();
  const version = /OpenBLAS\s+([0-9][0-9.]*\w*)/.exec(i.config)?.[1];
  return {
    backend: 'native',
    binary: loadedBinary()!,
    blas: i.blas,
    config: i.config,
    ...(version ? { version } : {}),
    corename: i.corename,
    coretype: coreTypeChoice(),
    threadTimeout: threadTimeoutChoice(),
    threads: i.threads,
    numProcs: i.numProcs,
    simd: i.simd,
  };
}

/**
 * Sets how many threads each native job computes on, for the whole process. blasnet does its own
 * threading (a job's products are cut into one block per thread, each a single-threaded OpenBLAS
 * call; its passes and updates are shared likewise) and keeps OpenBLAS at one thread. Its jobs run
 * on libuv's thread pool (UV_THREADPOOL_SIZE, default 4), each with `n` threads. Results depend on
 * `n` only in their last bits, and not at all on what else runs. Called while native jobs run (a fit, a prediction, in any thread of
 * the process), it applies to the next jobs: it takes effect as soon as no native job is running, so
 * a running job never sees its thread count change; `getThreads()` reports the requested count at once.
 * @param n - the thread count, an integer in [1, 1024]
 * @throws {@link BlasnetRangeError} `ERR_BLASNET_ARG_RANGE` unless `n` is an integer in [1, 1024]
 * @throws {@link BlasnetError} `ERR_BLASNET_NATIVE_UNAVAILABLE` without the native backend
 * @example
 * setThreads(1);   // one thread per job: several jobs at once on a busy server
 */
export function setThreads(n: number): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1024) {
    throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `n must be an integer in [1, 1024], got ${describe(n)}`);
  }
  const addon = nativeAddon();
  if (!addon) throw new BlasnetError('ERR_BLASNET_NATIVE_UNAVAILABLE', `setThreads needs the native backend, which is unavailable: ${nativeUnavailableReason()}`);
  addon.setThreads(n);
}

/**
 * blasnet's thread count (see {@link setThreads}). Never throws.
 * @returns the count last requested (by default OpenBLAS's count when the addon loaded: OPENBLAS_NUM_THREADS, or the cores), or 1 on
 *   the reference backend (its kernels are single-threaded)
 * @example
 * getThreads();   // 2 on a 2-core machine, by default
 */
export function getThreads(): number {
  const addon = nativeAddon();
  return addon ? addon.getThreads() : 1;
}
