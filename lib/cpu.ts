// Chooses OpenBLAS's kernel family before the library is loaded. Distribution builds of OpenBLAS
// (Debian's 0.3.21 among them) do not recognise some newer CPUs and fall back silently to their
// generic "Prescott" kernels, 4–5× slower at dgemm. When the user has not set OPENBLAS_CORETYPE
// and the CPU has the instruction sets of a better kernel, blasnet names that kernel. A value the
// user set is never overridden.
import { readFileSync } from 'node:fs';

export interface CoreTypeChoice {
  /** The value blasnet set OPENBLAS_CORETYPE to, or null when it set nothing. */
  selected: string | null;
  /** Why: the user's own value, the CPU flags found, or why nothing applied. */
  reason: string;
}

/** The CPU feature flags of the first processor in /proc/cpuinfo (Linux), or null elsewhere. */
export function readCpuFlags(cpuinfo?: string): Set<string> | null {
  let text = cpuinfo;
  if (text === undefined) {
    if (process.platform !== 'linux') return null;
    try {
      text = readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return null;
    }
  }
  const line = text.split('\n').find((l) => /^flags\s*:/.test(l));
  if (!line) return null;
  return new Set(line.slice(line.indexOf(':') + 1).trim().split(/\s+/));
}

/** The OpenBLAS core type these flags support best among the ones blasnet knows, or null. */
export function bestCoreType(flags: Set<string>): string | null {
  if (['avx512f', 'avx512dq', 'avx512bw', 'avx512vl'].every((f) => flags.has(f))) {
    // SkylakeX, also on CPUs with bf16: Cooperlake is SkylakeX's double-precision kernels plus
    // bfloat16, which float64 never uses, and OpenBLAS releases without the name (Debian 11's
    // 0.3.13) fall back to the generic Prescott kernels when given it.
    return 'SkylakeX';
  }
  if (flags.has('avx2') && flags.has('fma')) return 'Haswell';
  return null;
}

/**
 * Decides OPENBLAS_CORETYPE for this process (does not change the environment).
 * @param env - the environment to read (process.env); typed without @types/node so that the emitted
 *   declarations compile for consumers that do not have it
 * @param flags - CPU flags (read from /proc/cpuinfo when omitted)
 */
export function chooseCoreType(env: Readonly<Record<string, string | undefined>> = process.env, flags: Set<string> | null = readCpuFlags()): CoreTypeChoice {
  const user = env.OPENBLAS_CORETYPE;
  if (user !== undefined && user !== '') return { selected: null, reason: `OPENBLAS_CORETYPE=${user} set by the user` };
  if (process.arch !== 'x64') return { selected: null, reason: `not x86-64 (${process.arch}): OpenBLAS's own detection is used` };
  if (!flags) return { selected: null, reason: 'CPU flags unavailable: OpenBLAS\'s own detection is used' };
  const best = bestCoreType(flags);
  if (!best) return { selected: null, reason: 'no AVX2/AVX-512 found: OpenBLAS\'s own detection is used' };
  const why = best === 'SkylakeX' ? 'AVX-512 F/DQ/BW/VL' : 'AVX2 + FMA';
  return { selected: best, reason: `CPU has ${why}: blasnet selected OPENBLAS_CORETYPE=${best}` };
}
