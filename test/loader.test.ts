// The addon loader (lib/native.ts) as a consumer's machine exercises it: a package folder laid out
// like the npm tarball, with a prebuild and/or a local build, loaded in a child process (the addon is
// loaded once per process). The missing-runtime case makes libopenblas.so.0 unfindable for the child
// (test/helpers/missing-openblas.ts: a private mount namespace hiding OpenBLAS's folder, or else
// copies of the addon whose NEEDED entry names a soname no system has), so the dynamic loader fails
// as it does on a machine without the runtime package.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonCandidates, isMissingOpenBlas, missingRuntimeVersion } from '../lib/native.js';
import { HAS_NATIVE } from './helpers/data.js';
import { missingOpenBlas } from './helpers/missing-openblas.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ADDON = join(ROOT, 'build', 'Release', 'blasnet.node');
const TAG = `${process.platform}-${process.arch}`;

describe('addonCandidates', () => {
  it('tries the local build first, then the prebuild for the platform and architecture', () => {
    expect(addonCandidates('/pkg', 'linux', 'x64')).toEqual([
      { kind: 'local-build', path: join('/pkg', 'build', 'Release', 'blasnet.node') },
      { kind: 'prebuild', path: join('/pkg', 'prebuilds', 'linux-x64', 'blasnet.node') },
    ]);
    expect(addonCandidates('/pkg', 'darwin', 'arm64')[1]!.path).toBe(join('/pkg', 'prebuilds', 'darwin-arm64', 'blasnet.node'));
  });
});

describe('isMissingOpenBlas', () => {
  it('recognises the dynamic loaders\' "library not found" messages for OpenBLAS, and only those', () => {
    // glibc's and macOS dyld's wording for a missing dependency of a dlopen'ed file.
    expect(isMissingOpenBlas('libopenblas.so.0: cannot open shared object file: No such file or directory')).toBe(true);
    expect(isMissingOpenBlas("dlopen(blasnet.node, 0x0001): Library not loaded: '/opt/homebrew/opt/openblas/lib/libopenblas.0.dylib'")).toBe(true);
    // Another missing library, or OpenBLAS present but too old: not the missing-runtime case.
    expect(isMissingOpenBlas('libstdc++.so.6: cannot open shared object file: No such file or directory')).toBe(false);
    expect(isMissingOpenBlas("/lib/x86_64-linux-gnu/libopenblas.so.0: version `OPENBLAS_0.3.30' not found")).toBe(false);
  });
});

describe('missingRuntimeVersion', () => {
  it('names the glibc / libstdc++ symbol version a too-old system lacks, and nothing else', () => {
    // glibc's wording when a Debian 12 build is loaded on Debian 11 (measured in scripts/bullseye.sh's root).
    expect(missingRuntimeVersion("/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.32' not found (required by /pkg/blasnet.node)")).toBe('GLIBC_2.32');
    expect(missingRuntimeVersion("/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.30' not found (required by /pkg/blasnet.node)")).toBe('GLIBCXX_3.4.30');
    expect(missingRuntimeVersion("libstdc++.so.6: version `CXXABI_1.3.13' not found")).toBe('CXXABI_1.3.13');
    expect(missingRuntimeVersion("/lib/x86_64-linux-gnu/libopenblas.so.0: version `OPENBLAS_0.3.30' not found")).toBe(null);
    expect(missingRuntimeVersion('libopenblas.so.0: cannot open shared object file: No such file or directory')).toBe(null);
  });
});

const HIDE = HAS_NATIVE ? missingOpenBlas() : null;

interface Report {
  info: { backend: string; binary?: { kind: string; path: string }; nativeUnavailableReason?: string };
  warnings: { code: string; message: string }[];
  nativeError: { code: string; message: string } | null;
  score: number;
  modelBackend: string;
  libVisible: boolean;
}

describe.skipIf(!HAS_NATIVE)('loading from a package folder laid out like the npm tarball', () => {
  let tmp = '';

  /** A package folder: package.json, dist/lib, and the given addon files. */
  function makePackage(name: string, files: { localBuild?: boolean; prebuild?: boolean }): string {
    const pkg = join(tmp, name);
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'blasnet', type: 'module' }));
    cpSync(join(ROOT, 'dist', 'lib'), join(pkg, 'dist', 'lib'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
    if (files.localBuild) {
      mkdirSync(join(pkg, 'build', 'Release'), { recursive: true });
      cpSync(ADDON, join(pkg, 'build', 'Release', 'blasnet.node'));
    }
    if (files.prebuild) {
      mkdirSync(join(pkg, 'prebuilds', TAG), { recursive: true });
      cpSync(ADDON, join(pkg, 'prebuilds', TAG, 'blasnet.node'));
    }
    return realpathSync(pkg);
  }

  /** Imports the package in a fresh node, optionally inside `wrap` (a command prefix), and reports. */
  function runChild(pkg: string, wrap: string[] = [], extraEnv: NodeJS.ProcessEnv = {}): Report {
    const script = `
      const warnings = [];
      process.on('warning', (w) => warnings.push({ code: w.code, message: w.message }));
      const { existsSync } = await import('node:fs');
      const { info, LogisticRegression, Matrix } = await import(${JSON.stringify(join(pkg, 'dist', 'lib', 'index.js'))});
      const X = Matrix.from([[0, 0], [0, 1], [1, 0], [1, 1]]);
      const model = new LogisticRegression({ learningRate: 0.5, iterations: 500 });
      model.fitSync(X, [0, 1, 1, 1]);
      let nativeError = null;
      try { new LogisticRegression({ backend: 'native' }); } catch (e) { nativeError = { code: e.code, message: e.message }; }
      await new Promise((r) => setImmediate(r));
      console.log(JSON.stringify({ info: info(), warnings, nativeError, score: model.scoreSync(X, [0, 1, 1, 1]),
        modelBackend: model.backend, libVisible: existsSync(${JSON.stringify(HIDE?.libDir ? join(HIDE.libDir, 'libopenblas.so.0') : '')}) }));
    `;
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.BLASNET_DISABLE_NATIVE;
    // The resolution order is under test: a BLASNET_NATIVE_PATH from the caller (test:asan) would bypass it.
    delete env.BLASNET_NATIVE_PATH;
    Object.assign(env, extraEnv);
    const argv = [...wrap, process.execPath, '--input-type=module', '-e', script];
    const r = spawnSync(argv[0]!, argv.slice(1), { env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Report;
  }

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'blasnet-loader-'));
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('with only a prebuild: native, info().binary names the prebuild', () => {
    const pkg = makePackage('prebuild-only', { prebuild: true });
    const out = runChild(pkg);
    expect(out.info.backend).toBe('native');
    expect(out.info.binary).toEqual({ kind: 'prebuild', path: join(pkg, 'prebuilds', TAG, 'blasnet.node') });
    expect(out.warnings).toEqual([]);
    expect(out.nativeError).toBeNull();
  });

  it('with a local build and a prebuild: the local build wins', () => {
    const pkg = makePackage('both', { localBuild: true, prebuild: true });
    const out = runChild(pkg);
    expect(out.info.backend).toBe('native');
    expect(out.info.binary).toEqual({ kind: 'local-build', path: join(pkg, 'build', 'Release', 'blasnet.node') });
  });

  it('BLASNET_NATIVE_PATH names the one file to load (kind "override"), and nothing else is tried', () => {
    const pkg = makePackage('override', { localBuild: true, prebuild: true });
    const other = join(tmp, 'elsewhere.node');
    cpSync(ADDON, other);
    const out = runChild(pkg, [], { BLASNET_NATIVE_PATH: other });
    expect(out.info.backend).toBe('native');
    expect(out.info.binary).toEqual({ kind: 'override', path: other });
    const missing = runChild(pkg, [], { BLASNET_NATIVE_PATH: join(tmp, 'no-such.node') });
    expect(missing.info.backend).toBe('reference');
    expect(missing.info.nativeUnavailableReason).toMatch(/BLASNET_NATIVE_PATH names .*no-such\.node, which does not exist/);
  });

  it('with neither: TS backend, and the reason says no prebuild matched and how to build', () => {
    const pkg = makePackage('none', {});
    const out = runChild(pkg);
    expect(out.info.backend).toBe('reference');
    expect(out.info.nativeUnavailableReason).toMatch(new RegExp(`no prebuilt addon for ${TAG}.*npx blasnet-build`));
    expect(out.warnings.filter((w) => w.code === 'BLASNET_NATIVE_UNAVAILABLE')).toHaveLength(1);
  });

  it.skipIf(!HIDE)(`without libopenblas.so.0: TS backend, one warning naming the runtime package per system (${HIDE?.method ?? 'no unshare or patchelf here'})`, () => {
    const pkg = makePackage('no-runtime', { localBuild: true, prebuild: true });
    const wrap = HIDE!.prepare([join(pkg, 'build', 'Release', 'blasnet.node'), join(pkg, 'prebuilds', TAG, 'blasnet.node')]);
    const out = runChild(pkg, wrap);
    if (HIDE!.method === 'unshare') expect(out.libVisible).toBe(false); // the namespace really hides the library
    expect(out.info.backend).toBe('reference');
    expect(out.modelBackend).toBe('reference');
    expect(out.score).toBe(1);
    const reason = out.info.nativeUnavailableReason!;
    expect(reason).toMatch(/OpenBLAS runtime library \(libopenblas\.so\.0\) is not installed/);
    expect(reason).toMatch(/Debian\/Ubuntu: sudo apt-get install libopenblas0/);
    expect(reason).toMatch(/Fedora: sudo dnf install openblas/);
    expect(reason).toMatch(/macOS: brew install openblas/);
    // Both candidates were tried, in order, and the loader's own message is kept.
    expect(reason).toMatch(/locally built addon .*cannot open shared object file.*prebuilt addon .*cannot open shared object file/);
    const ours = out.warnings.filter((w) => w.code === 'BLASNET_NATIVE_UNAVAILABLE');
    expect(ours).toHaveLength(1);
    expect(ours[0]!.message).toContain(reason);
    expect(out.nativeError?.code).toBe('ERR_BLASNET_NATIVE_UNAVAILABLE');
    expect(out.nativeError?.message).toMatch(/libopenblas0/);
  });
});
