#!/usr/bin/env node
// Builds the native addon (build/Release/blasnet.node) with cmake-js against the system OpenBLAS.
// Run by `npm install` and by `npx blasnet-build`. Without --strict a failed build is not an
// install failure: the reason is written to build/blasnet-build-error.txt, blasnet then runs on
// its pure-TypeScript backend and its one-time warning quotes that reason.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const debug = process.argv.includes('--debug');
const errorFile = join(root, 'build', 'blasnet-build-error.txt');
const require = createRequire(import.meta.url);

function fail(reason) {
  mkdirSync(join(root, 'build'), { recursive: true });
  writeFileSync(errorFile, reason + '\n');
  process.stderr.write(`\nblasnet: the native backend was not built.\n${reason}\n` +
    'blasnet will run on its pure-TypeScript backend (same results, slower).\n\n');
  process.exit(strict ? 1 : 0);
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

const args = [cmakeJs, 'compile', '--directory', root, '--out', join(root, 'build')];
if (debug) args.push('--debug');
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
rmSync(errorFile, { force: true });
if (process.env.BLASNET_VERBOSE_BUILD) process.stdout.write(output);
process.stdout.write('blasnet: native backend built (build/Release/blasnet.node)\n');
