#!/usr/bin/env node
// Builds the native addon with cmake-js against the system OpenBLAS; never compiles anything else.
//   npx blasnet-build            source build into build/Release/blasnet.node (always compiles)
//   --unless-prebuild            npm's install step: do nothing when the package's prebuild for this
//                                platform loads in a child process (which proves libopenblas.so.0 is
//                                there) and was built from the native/ sources beside it (its
//                                blasnet.sources.sha256; a development checkout edits them after a
//                                pack); compile only otherwise
//   --strict                     a failed build exits 1 (CI); without it a failed build is not an
//                                install failure: the reason goes to build/blasnet-build-error.txt and
//                                blasnet runs on its pure-TypeScript backend, whose warning quotes it
//   --prebuild                   npm pack's prepack step: a Release build in its own tree (build-prebuild/),
//                                linked dynamically against libopenblas.so.0 like a local build, copied to
//                                prebuilds/<platform>-<arch>/blasnet.node with the hash of its sources,
//                                and checked to load; fails hard
//     --arch <arm64|x64>         with --prebuild: the target architecture (default: this Node's); another
//                                than this Node's is a cross build, which needs --toolchain <cmake file>
//                                and BLASNET_PREBUILD_NODE (a Node binary of that architecture, run
//                                through qemu-user's binfmt) to check that the result loads
//     BLASNET_PREBUILD_TREE      with --prebuild: the build tree (default build-prebuild/); the
//                                bullseye builds of scripts/prebuild-bullseye.sh use their own
//   --print-sources-hash         prints that hash of native/ and CMakeLists.txt (for tests)
//   --debug                      a Debug build
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const prebuildMode = argv.includes('--prebuild');
const strict = argv.includes('--strict') || prebuildMode;
const debug = argv.includes('--debug');
const unlessPrebuild = argv.includes('--unless-prebuild');
const errorFile = join(root, 'build', 'blasnet-build-error.txt');
const optionValue = (name) => { const k = argv.indexOf(name); return k >= 0 ? argv[k + 1] : undefined; };
const targetArch = (prebuildMode && optionValue('--arch')) || process.arch;
const toolchain = prebuildMode ? optionValue('--toolchain') : undefined;
const crossBuild = targetArch !== process.arch;
const prebuildFile = join(root, 'prebuilds', `${process.platform}-${targetArch}`, 'blasnet.node');
const stampFile = join(dirname(prebuildFile), 'blasnet.sources.sha256');
const require = createRequire(import.meta.url);

/** sha256 of the addon's sources (native/*, CMakeLists.txt: names and contents), or null without them. */
function sourcesHash() {
  const dir = join(root, 'native');
  if (!existsSync(dir)) return null;
  const hash = createHash('sha256');
  const files = readdirSync(dir).sort().map((f) => join('native', f)).concat('CMakeLists.txt');
  for (const f of files) {
    const p = join(root, f);
    if (!existsSync(p) || !statSync(p).isFile()) continue;
    hash.update(`${f}\0`).update(readFileSync(p)).update('\0');
  }
  return hash.digest('hex');
}

if (argv.includes('--print-sources-hash')) {
  process.stdout.write(`${sourcesHash()}\n`);
  process.exit(0);
}

function fail(reason) {
  if (!prebuildMode) {
    mkdirSync(join(root, 'build'), { recursive: true });
    writeFileSync(errorFile, reason + '\n');
  }
  process.stderr.write(`\nblasnet: the native backend was not built.\n${reason}\n` +
    (prebuildMode ? '' : 'blasnet will run on its pure-TypeScript backend (same results, slower).\n') + '\n');
  process.exit(strict ? 1 : 0);
}

/** Loads `file` in a child process: '' when it loads, else the loader's error message. */
function loadError(file) {
  const node = crossBuild ? process.env.BLASNET_PREBUILD_NODE : process.execPath;
  if (!node) return `a cross build for ${targetArch} needs BLASNET_PREBUILD_NODE (a Node binary for ${targetArch}) to check that it loads`;
  const r = spawnSync(node, ['-e', 'const a = require(process.argv[1]); if (typeof a.abiVersion !== "number") throw new Error("not a blasnet addon")', file],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status === 0) return '';
  const lines = `${r.stderr ?? ''}`.split('\n').filter((l) => /Error/.test(l));
  return (lines[0] ?? `exit status ${r.status ?? r.signal}`).trim();
}

if (unlessPrebuild && existsSync(prebuildFile)) {
  const built = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : null;
  const current = sourcesHash();
  const error = built && current && built !== current
    ? 'it was built from other sources than native/ here'
    : loadError(prebuildFile);
  if (!error) {
    process.stdout.write(`blasnet: using the prebuilt addon (${relative(root, prebuildFile)}); nothing to compile\n`);
    process.exit(0);
  }
  process.stderr.write(`blasnet: the prebuilt addon does not load here (${error}); building from source\n`);
}

if (process.env.BLASNET_SKIP_NATIVE_BUILD) {
  fail('The build was skipped because BLASNET_SKIP_NATIVE_BUILD is set. Build it with: npx blasnet-build');
}

let cmakeJs;
try {
  cmakeJs = require.resolve('cmake-js/bin/cmake-js');
} catch {
  fail('cmake-js is not installed (it is a dependency of blasnet: reinstall blasnet).');
}

const which = spawnSync('cmake', ['--version'], { encoding: 'utf8' });
if (which.error || which.status !== 0) {
  fail('CMake was not found on PATH. Install it, then run: npx blasnet-build\n' +
    '  Debian/Ubuntu: sudo apt-get install cmake g++ libopenblas-dev\n' +
    '  Fedora:        sudo dnf install cmake gcc-c++ openblas-devel\n' +
    '  macOS:         brew install cmake openblas');
}

// The prebuild has its own build tree, so packing never disturbs a developer's build/.
const out = join(root, prebuildMode ? (process.env.BLASNET_PREBUILD_TREE || 'build-prebuild') : 'build');
const builtFrom = prebuildMode ? sourcesHash() : null; // taken before compiling, as the build reads them
if (crossBuild && !toolchain) fail(`a prebuild for ${targetArch} on ${process.arch} is a cross build: give --toolchain <cmake toolchain file>`);
const args = [cmakeJs, 'compile', '--directory', root, '--out', out];
if (toolchain) args.push(`--CDCMAKE_TOOLCHAIN_FILE=${toolchain}`);
if (debug && !prebuildMode) args.push('--debug');
if (!process.stdout.isTTY || process.env.CI) args.push('--log-level', 'warn');
const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
if (result.status !== 0) {
  const missing = output.match(/BLASNET_NO_OPENBLAS: ([\s\S]*?)(?:\n-- Configuring incomplete|\nCall Stack|$)/);
  if (missing) fail(missing[1].replace(/\n\s*\n/g, '\n').trim());
  process.stderr.write(output);
  fail(`The native build failed (cmake-js exited with ${result.status ?? result.signal}); its output is above. ` +
    'Fix the cause, then run: npx blasnet-build');
}
if (process.env.BLASNET_VERBOSE_BUILD) process.stdout.write(output);

if (prebuildMode) {
  mkdirSync(dirname(prebuildFile), { recursive: true });
  copyFileSync(join(out, 'Release', 'blasnet.node'), prebuildFile);
  writeFileSync(stampFile, `${builtFrom}\n`);
  const error = loadError(prebuildFile);
  if (error) fail(`The prebuild ${prebuildFile} was built but does not load: ${error}`);
  // The oldest C and C++ runtimes it can load on: the newest symbol versions it needs (docs/building.md, "The prebuilt addons").
  let floor = '';
  const dump = spawnSync(crossBuild ? 'aarch64-linux-gnu-objdump' : 'objdump', ['-T', prebuildFile], { encoding: 'utf8' });
  if (dump.status === 0) {
    const newest = (prefix) => [...new Set(dump.stdout.match(new RegExp(`\\b${prefix}_[0-9.]+`, 'g')) ?? [])]
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);
    floor = `; needs ${[newest('GLIBC'), newest('GLIBCXX')].filter(Boolean).join(', ')}`;
  }
  process.stdout.write(`blasnet: prebuild ${relative(root, prebuildFile)} (${(statSync(prebuildFile).size / 1024).toFixed(0)} KiB${floor})\n`);
} else {
  rmSync(errorFile, { force: true });
  process.stdout.write(`blasnet: native backend built (${relative(root, join(out, debug ? 'Debug' : 'Release', 'blasnet.node'))})\n`);
}
