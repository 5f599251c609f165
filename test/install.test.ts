// The install step (scripts/build-native.mjs --unless-prebuild) decides between "the prebuild loads:
// compile nothing" and "build from source", by loading the prebuild in a child process. Both
// branches run here on a copy of the package's scripts with a prebuild in place; the "does not load"
// branch makes libopenblas.so.0 unfindable (test/helpers/missing-openblas.ts, as in loader.test.ts)
// and stops before compiling (BLASNET_SKIP_NATIVE_BUILD), so the test checks the decision, not a
// 10-second compile.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_NATIVE } from './helpers/data.js';
import { missingOpenBlas } from './helpers/missing-openblas.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ADDON = join(ROOT, 'build', 'Release', 'blasnet.node');
const TAG = `${process.platform}-${process.arch}`;

const HIDE = HAS_NATIVE ? missingOpenBlas() : null;

describe.skipIf(!HAS_NATIVE)('npm install step with a prebuild in the package', () => {
  let tmp = '';
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'blasnet-install-'));
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  /** A package folder with the scripts and a prebuild; `sources`: also native/ and CMakeLists.txt. */
  function makePackage(name: string, sources = false): string {
    const pkg = join(tmp, name);
    mkdirSync(join(pkg, 'prebuilds', TAG), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'blasnet', type: 'module' }));
    cpSync(join(ROOT, 'scripts'), join(pkg, 'scripts'), { recursive: true });
    cpSync(ADDON, join(pkg, 'prebuilds', TAG, 'blasnet.node'));
    if (sources) {
      cpSync(join(ROOT, 'native'), join(pkg, 'native'), { recursive: true });
      cpSync(join(ROOT, 'CMakeLists.txt'), join(pkg, 'CMakeLists.txt'));
    }
    return pkg;
  }

  /** What prepack records beside the prebuild: the hash of the sources it was built from. */
  function stamp(pkg: string): void {
    const r = spawnSync(process.execPath, [join(pkg, 'scripts', 'build-native.mjs'), '--print-sources-hash'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(join(pkg, 'prebuilds', TAG, 'blasnet.sources.sha256'), r.stdout);
  }

  function runInstall(pkg: string, wrap: string[] = [], extraEnv: NodeJS.ProcessEnv = {}) {
    const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
    delete env.CI;
    const argv = [...wrap, process.execPath, join(pkg, 'scripts', 'build-native.mjs'), '--unless-prebuild'];
    return spawnSync(argv[0]!, argv.slice(1), { cwd: pkg, env, encoding: 'utf8', timeout: 60_000 });
  }

  it('the prebuild loads: nothing is compiled, no build/ folder appears', () => {
    const pkg = makePackage('loads');
    // With an empty PATH (no CMake, no compiler): the step must not need them. Had it tried to
    // build, it would have written build/blasnet-build-error.txt.
    const emptyBin = join(tmp, 'empty-bin');
    mkdirSync(emptyBin, { recursive: true });
    const r = runInstall(pkg, [], { PATH: emptyBin });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`using the prebuilt addon \\(prebuilds/${TAG}/blasnet.node\\); nothing to compile`));
    expect(existsSync(join(pkg, 'build'))).toBe(false);
  });

  it('the prebuild matches the native/ sources beside it (as in the npm package): nothing is compiled', () => {
    const pkg = makePackage('same-sources', true);
    stamp(pkg);
    const emptyBin = join(tmp, 'empty-bin');
    mkdirSync(emptyBin, { recursive: true });
    const r = runInstall(pkg, [], { PATH: emptyBin });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/using the prebuilt addon/);
    expect(existsSync(join(pkg, 'build'))).toBe(false);
  });

  it('native/ was edited after the prebuild was made (a development checkout): it builds from source', () => {
    const pkg = makePackage('edited-sources', true);
    stamp(pkg);
    writeFileSync(join(pkg, 'native', 'addon.cc'), readFileSync(join(pkg, 'native', 'addon.cc'), 'utf8') + '\n// edited\n');
    const r = runInstall(pkg, [], { BLASNET_SKIP_NATIVE_BUILD: '1' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/the prebuilt addon does not load here \(it was built from other sources than native\/ here\); building from source/);
    expect(readFileSync(join(pkg, 'build', 'blasnet-build-error.txt'), 'utf8')).toMatch(/BLASNET_SKIP_NATIVE_BUILD/);
  });

  it.skipIf(!HIDE)(`the prebuild does not load (libopenblas.so.0 missing): it goes on to the source build (${HIDE?.method ?? 'no unshare or patchelf here'})`, () => {
    const pkg = makePackage('fails');
    const wrap = HIDE!.prepare([join(pkg, 'prebuilds', TAG, 'blasnet.node')]);
    const r = runInstall(pkg, wrap, { BLASNET_SKIP_NATIVE_BUILD: '1' });
    expect(r.status, r.stderr).toBe(0); // a failed or skipped build is not an install failure
    expect(r.stderr).toMatch(/the prebuilt addon does not load here \(.*libopenblas[-\w]*\.so\.0: cannot open shared object file.*\); building from source/);
    // It reached the source-build path: here the skip, which records its reason for the loader.
    expect(readFileSync(join(pkg, 'build', 'blasnet-build-error.txt'), 'utf8')).toMatch(/BLASNET_SKIP_NATIVE_BUILD/);
  });
});
