// Makes libopenblas.so.0 unfindable for one child process, so tests can check what blasnet does on a
// machine without the OpenBLAS runtime package. It never changes the system: either the child runs
// in a private mount namespace (unshare) with an empty tmpfs over OpenBLAS's own folder — the
// library is really absent, exactly as without libopenblas0 — or, where namespaces are not allowed,
// the test's private copies of the addon get their NEEDED entry renamed (patchelf) to a soname no
// system has, so the dynamic loader fails the same way on that name.
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ADDON = join(fileURLToPath(new URL('../..', import.meta.url)), 'build', 'Release', 'blasnet.node');
/** The soname patchelf gives the copies: no system has it. */
export const MISSING_SONAME = 'libopenblas-hidden-by-blasnet-test.so.0';

export interface MissingOpenBlas {
  method: 'unshare' | 'patchelf';
  /** OpenBLAS's folder as the dynamic loader resolves it (unshare), or null. */
  libDir: string | null;
  /**
   * Prepares the given copies of the addon (patchelf renames their NEEDED entry; unshare leaves them)
   * and returns the command prefix to run the child under (unshare) or [] (patchelf).
   */
  prepare(addonCopies: string[]): string[];
}

function ok(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

/** OpenBLAS's own folder (Debian: …/openblas-pthread) for the built addon, or null. */
function openblasFolder(): string | null {
  const m = /libopenblas\.so\.0 => (\S+)/.exec(spawnSync('ldd', [ADDON], { encoding: 'utf8' }).stdout ?? '');
  if (!m) return null;
  const dir = dirname(realpathSync(m[1]!));
  // Only a folder of OpenBLAS's own can be hidden without hiding libc with it.
  return /openblas/i.test(basename(dir)) ? dir : null;
}

/** How this machine can hide libopenblas.so.0 from a child, or null (the test then skips). */
export function missingOpenBlas(): MissingOpenBlas | null {
  if (process.platform !== 'linux') return null;
  const libDir = openblasFolder();
  if (libDir && !process.env.BLASNET_TEST_NO_UNSHARE) {
    for (const flags of [['-m'], ['-rm']]) {
      if (!ok('unshare', [...flags, 'true'])) continue;
      return {
        method: 'unshare',
        libDir,
        prepare: () => ['unshare', ...flags, 'sh', '-c', 'mount -t tmpfs blasnet-test "$0" && exec "$@"', libDir],
      };
    }
  }
  if (ok('patchelf', ['--version'])) {
    return {
      method: 'patchelf',
      libDir: null,
      prepare: (copies) => {
        for (const file of copies) {
          const r = spawnSync('patchelf', ['--replace-needed', 'libopenblas.so.0', MISSING_SONAME, file], { encoding: 'utf8' });
          if (r.status !== 0) throw new Error(`patchelf failed on ${file}: ${r.stderr}`);
        }
        return [];
      },
    };
  }
  return null;
}
