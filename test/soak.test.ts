// A short soak (scripts/soak.mjs, the long one is `npm run soak`): fit / predict / toJSON / fromJSON
// cycles on both models and both backends, models dropped to the GC, RSS sampled after full GCs.
// After warm-up the RSS must stay flat within a generous bound; the same run with a deliberate leak
// of 512 KiB per cycle must fail the criterion (so this test can fail).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Under the sanitizer run (scripts/asan.sh) malloc is ASan's, which quarantines freed memory and
// grows shadow memory with the heap: RSS then measures ASan, not blasnet, so the RSS criteria are
// checked in the main suite only. (The cycles still run under ASan in test/hostile and the fuzz suite.)
const SANITIZED = process.env.BLASNET_SANITIZER === '1';

function soak(...args: string[]) {
  const r = spawnSync(process.execPath, ['--expose-gc', join(ROOT, 'scripts', 'soak.mjs'), '--json', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  return { status: r.status, stderr: r.stderr, result: line.startsWith('{') ? JSON.parse(line) : null };
}

it.skipIf(SANITIZED)('600 cycles: RSS after warm-up grows by less than 64 MiB, and every reloaded model predicts identically', () => {
  const { status, stderr, result } = soak('--cycles', '600', '--every', '30', '--limit-mib', '64');
  expect(result, stderr).not.toBeNull();
  expect(result.growthMiB, JSON.stringify(result.samples.map((x: { rssMiB: number }) => Math.round(x.rssMiB)))).toBeLessThan(64);
  expect(status, stderr).toBe(0);
}, 120_000);

it.skipIf(SANITIZED)('the criterion catches a leak: 512 KiB kept per cycle fails it', () => {
  const { status, result } = soak('--cycles', '600', '--every', '30', '--limit-mib', '64', '--leak-per-cycle-kib', '512');
  expect(result.pass).toBe(false);
  expect(result.growthMiB).toBeGreaterThan(64);
  expect(status).toBe(1);
}, 120_000);
