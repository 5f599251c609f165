// OpenBLAS core type selection (lib/cpu.ts, lib/native.ts): unit tests of the decision on synthetic CPU
// flag sets, and end-to-end checks in child processes (OpenBLAS reads OPENBLAS_CORETYPE once, when it is
// loaded, so each environment needs a fresh process). Node 20 cannot run TypeScript, so the children
// import the compiled dist/lib/index.js, built here with tsc when it is missing or older than lib/.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { bestCoreType, chooseCoreType, readCpuFlags } from '../lib/cpu.js';
import { HAS_NATIVE } from './helpers/data.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST_INDEX = join(ROOT, 'dist', 'lib', 'index.js');

const AVX512 = ['avx512f', 'avx512dq', 'avx512bw', 'avx512vl'];
const SKX_FLAGS = new Set(['fpu', 'sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512cd', 'avx512dq', 'avx512bw', 'avx512vl']);
const HSW_FLAGS = new Set(['fpu', 'sse4_2', 'avx', 'avx2', 'fma', 'bmi2']);

const cpuFlags = readCpuFlags();
const X64 = process.arch === 'x64';
const CPU_HAS_AVX512 = X64 && cpuFlags !== null && AVX512.every((f) => cpuFlags.has(f));
// SkylakeX's double-precision kernels, under the name OpenBLAS gives them on CPUs that also have bf16.
const EXPECTED_AVX512_CORE = 'SkylakeX';
const CPU_HAS_AVX2_FMA = X64 && cpuFlags !== null && cpuFlags.has('avx2') && cpuFlags.has('fma');

describe('bestCoreType', () => {
  it('AVX-512 F/DQ/BW/VL + BF16 → SkylakeX (Cooperlake adds only bfloat16 kernels, and OpenBLAS 0.3.13 does not know the name)', () => {
    expect(bestCoreType(new Set([...SKX_FLAGS, 'avx512_bf16']))).toBe('SkylakeX');
  });

  it('AVX-512 F/DQ/BW/VL → SkylakeX', () => {
    expect(bestCoreType(SKX_FLAGS)).toBe('SkylakeX');
    expect(bestCoreType(new Set(AVX512))).toBe('SkylakeX');
  });

  it('AVX2 + FMA without the full AVX-512 set → Haswell', () => {
    expect(bestCoreType(HSW_FLAGS)).toBe('Haswell');
    // Only some of the four AVX-512 subsets: SkylakeX kernels would use missing instructions.
    for (const missing of AVX512) {
      const flags = new Set(SKX_FLAGS);
      flags.delete(missing);
      expect(bestCoreType(flags), `without ${missing}`).toBe('Haswell');
    }
  });

  it('neither → null', () => {
    expect(bestCoreType(new Set())).toBeNull();
    expect(bestCoreType(new Set(['fpu', 'sse4_2', 'avx']))).toBeNull();
    expect(bestCoreType(new Set(['avx2']))).toBeNull(); // no FMA
    expect(bestCoreType(new Set(['fma', 'avx']))).toBeNull(); // no AVX2
  });
});

describe('readCpuFlags', () => {
  it('reads the flags line of /proc/cpuinfo text', () => {
    const text = 'processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu avx2 fma  avx512f\nbugs\t\t: spectre_v1\n\nprocessor\t: 1\nflags\t\t: fpu\n';
    expect([...readCpuFlags(text)!].sort()).toEqual(['avx2', 'avx512f', 'fma', 'fpu']);
  });

  it('returns null when there is no flags line', () => {
    expect(readCpuFlags('processor\t: 0\nmodel name\t: something\n')).toBeNull();
  });
});

describe.skipIf(!X64)('chooseCoreType (x86-64)', () => {
  it('AVX-512 flags and no OPENBLAS_CORETYPE → selects SkylakeX', () => {
    const c = chooseCoreType({}, SKX_FLAGS);
    expect(c.selected).toBe('SkylakeX');
    expect(c.reason).toMatch(/AVX-512/);
  });

  it('AVX2 + FMA → selects Haswell', () => {
    const c = chooseCoreType({}, HSW_FLAGS);
    expect(c.selected).toBe('Haswell');
    expect(c.reason).toMatch(/AVX2/);
  });

  it('no usable flags, or flags unknown → selects nothing (OpenBLAS detects)', () => {
    expect(chooseCoreType({}, new Set(['fpu', 'avx'])).selected).toBeNull();
    expect(chooseCoreType({}, new Set(['fpu', 'avx'])).reason).toMatch(/no AVX2\/AVX-512/);
    expect(chooseCoreType({}, null).selected).toBeNull();
    expect(chooseCoreType({}, null).reason).toMatch(/flags unavailable/);
  });

  it('a value the user set is kept: selects nothing and says so; an empty value counts as unset', () => {
    const env = { OPENBLAS_CORETYPE: 'Haswell' };
    const c = chooseCoreType(env, SKX_FLAGS);
    expect(c.selected).toBeNull();
    expect(c.reason).toMatch(/OPENBLAS_CORETYPE=Haswell set by the user/);
    expect(env).toEqual({ OPENBLAS_CORETYPE: 'Haswell' }); // not modified
    expect(chooseCoreType({ OPENBLAS_CORETYPE: 'Prescott' }, HSW_FLAGS).selected).toBeNull();
    expect(chooseCoreType({ OPENBLAS_CORETYPE: '' }, SKX_FLAGS).selected).toBe('SkylakeX');
  });
});

/** The newest modification time of the .ts files under dir. */
function newestTs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestTs(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

interface ChildReport {
  info: { backend: string; corename?: string; config?: string; coretype?: { selected: string | null; reason: string } };
  envAfter: string | null;
}

/** info() in a fresh Node process with OPENBLAS_CORETYPE set to `coretype` (or unset). */
function infoInChild(coretype: string | undefined): ChildReport {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.BLASNET_DISABLE_NATIVE;
  if (coretype !== undefined) env.OPENBLAS_CORETYPE = coretype;
  const script =
    `import { info } from ${JSON.stringify(pathToFileURL(DIST_INDEX).href)};\n` +
    'const i = info();\n' +
    'console.log(JSON.stringify({ info: i, envAfter: process.env.OPENBLAS_CORETYPE ?? null }));\n';
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8', timeout: 30_000 });
  expect(r.status, `child failed: ${r.stderr}`).toBe(0);
  const line = r.stdout.trim().split('\n').at(-1)!;
  return JSON.parse(line) as ChildReport;
}

describe.skipIf(!HAS_NATIVE)('info() in a fresh process (compiled dist/lib/index.js)', () => {
  beforeAll(() => {
    if (existsSync(DIST_INDEX) && statSync(DIST_INDEX).mtimeMs >= newestTs(join(ROOT, 'lib'))) return;
    // tsc emits even when some unrelated file has a type error, so its exit status is not the test;
    // the compiled entry point must exist afterwards.
    const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    if (!existsSync(DIST_INDEX)) throw new Error(`tsc did not produce ${DIST_INDEX}: ${r.stdout}${r.stderr}`);
  }, 120_000);

  it.skipIf(!CPU_HAS_AVX512)('on a CPU with AVX-512 F/DQ/BW/VL and no OPENBLAS_CORETYPE, OpenBLAS runs SkylakeX-class kernels, not Prescott', () => {
    const { info, envAfter } = infoInChild(undefined);
    console.log(`no OPENBLAS_CORETYPE: corename ${info.corename}; ${info.coretype?.reason}`);
    expect(info.backend).toBe('native');
    expect(info.corename).not.toBe('Prescott');
    expect(info.corename).toBe(EXPECTED_AVX512_CORE);
    expect(info.coretype?.selected).toBe(EXPECTED_AVX512_CORE);
    expect(info.coretype?.reason).toMatch(/AVX-512/);
    // blasnet leaves the environment as it was once OpenBLAS is loaded.
    expect(envAfter).toBeNull();
  });

  it.skipIf(!CPU_HAS_AVX2_FMA)('with OPENBLAS_CORETYPE=Haswell set by the user, OpenBLAS runs Haswell kernels and blasnet selects nothing', () => {
    const { info, envAfter } = infoInChild('Haswell');
    console.log(`OPENBLAS_CORETYPE=Haswell: corename ${info.corename}; ${info.coretype?.reason}`);
    expect(info.backend).toBe('native');
    expect(info.corename).toBe('Haswell');
    expect(info.coretype?.selected).toBeNull();
    expect(info.coretype?.reason).toMatch(/OPENBLAS_CORETYPE=Haswell set by the user/);
    expect(envAfter).toBe('Haswell');
  });
});
