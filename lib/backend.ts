// Backend selection ('auto' | 'native' | 'reference') and the process-wide BLAS facts:
// info(), setThreads(), getThreads().
import { BlasnetError, BlasnetRangeError, BlasnetTypeError, describe } from './errors.js';
import { coreTypeChoice, nativeAddon, nativeUnavailableReason, type NativeAddon } from './native.js';

export type BackendOption = 'auto' | 'native' | 'reference';
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

export interface BlasInfo {
  /** The backend 'auto' resolves to. */
  backend: BackendName;
  /** Why the native backend is unavailable, when it is. */
  nativeUnavailableReason?: string;
  /** 'OpenBLAS' when native. */
  blas?: string;
  /** openblas_get_config(): version and build options. */
  config?: string;
  /** The OpenBLAS version parsed from config. */
  version?: string;
  /** openblas_get_corename(): the kernel family in use. */
  corename?: string;
  /** What blasnet did about OPENBLAS_CORETYPE, and why. */
  coretype?: { selected: string | null; reason: string };
  /** OpenBLAS threads. */
  threads?: number;
  /** Processors OpenBLAS sees. */
  numProcs?: number;
  /** The instruction-set level of blasnet's own elementwise kernels: 'avx512', 'avx2' or 'baseline'. */
  simd?: string;
}

/**
 * Facts about the backend and BLAS library in use.
 * @example console.log(info()) // { backend: 'native', blas: 'OpenBLAS', version: '0.3.21', corename: 'SkylakeX', threads: 2, ... }
 */
export function info(): BlasInfo {
  const addon = nativeAddon();
  if (!addon) return { backend: 'reference', nativeUnavailableReason: nativeUnavailableReason() };
  const i = addon.info();
  const version = /OpenBLAS\s+([0-9][0-9.]*\w*)/.exec(i.config)?.[1];
  return {
    backend: 'native',
    blas: i.blas,
    config: i.config,
    ...(version ? { version } : {}),
    corename: i.corename,
    coretype: coreTypeChoice(),
    threads: i.threads,
    numProcs: i.numProcs,
    simd: i.simd,
  };
}

/**
 * Sets the number of OpenBLAS threads for the whole process (it is process-wide state in OpenBLAS).
 * blasnet's own jobs run on libuv's thread pool (UV_THREADPOOL_SIZE, default 4); each job's BLAS calls
 * use up to `n` OpenBLAS threads. Called while native jobs run (a fit, a prediction, in any thread of
 * the process), it applies to the next jobs: it takes effect as soon as no native job is running, so
 * a running job never sees its thread count change; `getThreads()` reports the requested count at once.
 * @throws {RangeError} ERR_BLASNET_ARG_RANGE unless n is an integer in [1, 1024]
 * @throws {BlasnetError} ERR_BLASNET_NATIVE_UNAVAILABLE without the native backend
 */
export function setThreads(n: number): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1024) {
    throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `n must be an integer in [1, 1024], got ${describe(n)}`);
  }
  const addon = nativeAddon();
  if (!addon) throw new BlasnetError('ERR_BLASNET_NATIVE_UNAVAILABLE', `setThreads needs the native backend, which is unavailable: ${nativeUnavailableReason()}`);
  addon.setThreads(n);
}

/** The number of OpenBLAS threads (1 on the reference backend). */
export function getThreads(): number {
  const addon = nativeAddon();
  return addon ? addon.getThreads() : 1;
}
