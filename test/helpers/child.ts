// Runs a snippet of ESM in its own node process against the compiled package (dist/), so that a
// crash (an abort, a segfault), a hang or process-wide state (a polluted prototype) stays there.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DIST = fileURLToPath(new URL('../../dist/lib/index.js', import.meta.url));

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/**
 * Runs `body` as the module `import * as blasnet from '<dist>'; <body>` with --expose-gc. The
 * snippet reports by printing; the child is killed after `timeoutMs`.
 */
export function runChild(body: string, { timeoutMs = 30_000, env = {} as Record<string, string> } = {}): Promise<ChildResult> {
  const dir = mkdtempSync(join(tmpdir(), 'blasnet-child-'));
  const file = join(dir, 'child.mjs');
  writeFileSync(file, `import * as blasnet from ${JSON.stringify(DIST)};\n${body}\n`);
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--expose-gc', file], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', timedOut = false;
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0, timedOut });
    });
  });
}

/** The last line of stdout parsed as JSON (the snippet's report). */
export function report<T = Record<string, unknown>>(r: ChildResult): T {
  const lines = r.stdout.trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1]!) as T;
  } catch {
    throw new Error(`the child printed no JSON report (exit ${r.code}, signal ${r.signal}${r.timedOut ? ', timed out' : ''}):\n${r.stdout}\n${r.stderr}`);
  }
}
