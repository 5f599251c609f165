// Runs once before the suite: tests that start child processes or worker threads import the
// compiled package (dist/lib/index.js), since Node 20 cannot run TypeScript. Rebuild it when any
// source is newer than it, so those tests never run stale code — and never build it concurrently.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function newest(dir: string, ext: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, ext));
    else if (e.name.endsWith(ext)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

export default function setup(): void {
  const index = join(ROOT, 'dist', 'lib', 'index.js');
  const sources = Math.max(newest(join(ROOT, 'lib'), '.ts'), newest(join(ROOT, 'examples'), '.ts'));
  const built = existsSync(index) ? newest(join(ROOT, 'dist'), '.js') : 0;
  if (built >= sources) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsc failed before the test run:\n${r.stdout}${r.stderr}`);
}
