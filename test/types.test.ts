// The published types (dist/lib/*.d.ts) as a strict consumer compiles them: `tsc --noEmit` with
// `skipLibCheck: false` on test/fixtures/types/consumer.ts, which imports 'blasnet' through
// package.json's "exports" (a self-reference: the fixture lies inside the package). Once with
// @types/node (with-node/), once with only lib es2022 + dom and no @types at all (no-node/), as a
// consumer without @types/node compiles them. Any diagnostic fails the test and is printed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

function compile(fixture: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [TSC, '--noEmit', '-p', join(ROOT, 'test', 'fixtures', 'types', fixture, 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

describe('the emitted .d.ts compile for a strict consumer (skipLibCheck: false)', () => {
  it('dist/lib/index.d.ts exists (the suite\'s global setup builds it)', () => {
    expect(existsSync(join(ROOT, 'dist', 'lib', 'index.d.ts'))).toBe(true);
  });

  for (const [fixture, what] of [['with-node', 'with @types/node'], ['no-node', 'with only lib es2022 + dom, types: []']] as const) {
    it(`${what}: no diagnostics`, () => {
      const { status, output } = compile(fixture);
      expect(output, `tsc reported:\n${output}`).toBe('');
      expect(status).toBe(0);
    }, 120_000);
  }

  it('the no-node options really leave out Node\'s types: a file naming NodeJS fails under them', () => {
    // Guards the guard: if @types/node leaked into no-node/ (a types default, a triple-slash
    // reference), the check above would pass vacuously.
    const { status, output } = compile('no-node-guard');
    expect(output).toMatch(/names-nodejs\.ts.*TS2503: Cannot find namespace 'NodeJS'/);
    expect(status).not.toBe(0);
  }, 120_000);
});
