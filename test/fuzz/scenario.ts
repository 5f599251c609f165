// Runs one hostile scenario in its own Node child process (with --expose-gc) against the compiled
// package, so that a crash (abort, segfault, OOM kill) or a hang is caught and reported with the
// scenario's name instead of taking the test runner down. Never runs more than two at once.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DIST = pathToFileURL(join(ROOT, 'dist', 'lib', 'index.js')).href;

export interface ScenarioResult {
  name: string;
  status: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** What the scenario passed to `report(...)`, or null when it never did. */
  result: Record<string, unknown> | null;
}

/**
 * The prelude every scenario runs after: `lib` (the package), `BACKEND`, `report(obj)`, `outcome(fn)`
 * (runs fn, awaits it, and describes what happened as plain data), `data(n, m, seed)` (a separable
 * binary problem as a Matrix and labels) and `bits(a)` (a Float64Array as a string of its exact bits).
 */
function prelude(backend: string): string {
  return `
const DIST = ${JSON.stringify(DIST)};
const lib = await import(DIST);
const { LogisticRegression, NeuralNetwork, Matrix } = lib;
const BACKEND = ${JSON.stringify(backend)};
const report = (o) => { process.stdout.write('\\n@@RESULT ' + JSON.stringify(o) + '\\n'); };
const describeThrown = (e) => e instanceof Error
  ? { ok: false, isError: true, name: e.name, code: e.code ?? null, message: e.message, cause: e.cause === undefined ? undefined : String(e.cause) }
  : { ok: false, isError: false, thrown: String(e), type: typeof e };
const outcome = async (fn) => {
  try { const value = await fn(); return { ok: true, value: summarize(value) }; } catch (e) { return describeThrown(e); }
};
const summarize = (v) => {
  if (v === undefined || v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (ArrayBuffer.isView(v)) return { kind: v.constructor.name, length: v.length, finite: Array.from(v).every(Number.isFinite) };
  if (v instanceof Matrix) return { kind: 'Matrix', rows: v.rows, cols: v.cols, finite: Array.from(v.data).every(Number.isFinite) };
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, Array.isArray(x) ? { kind: 'Array', length: x.length, finite: x.flat(2).every((y) => typeof y !== 'number' || Number.isFinite(y)) } : summarize(x)]));
  return String(v);
};
const data = (n, m, seed = 1) => {
  let s = seed >>> 0;
  const rand = () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  const X = new Matrix(n, m), y = new Float64Array(n);
  for (let i = 0; i < n; i++) { let z = 0; for (let j = 0; j < m; j++) { const v = 2 * rand() - 1; X.data[i * m + j] = v; z += (j % 2 ? -1 : 1) * v; } y[i] = z > 0 ? 1 : 0; }
  return { X, y };
};
const bits = (a) => Buffer.from(Float64Array.from(a).buffer).toString('hex');
`;
}

let running = 0;
const waiting: (() => void)[] = [];

async function slot(): Promise<() => void> {
  if (running >= 2) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  return () => {
    running--;
    waiting.shift()?.();
  };
}

/**
 * Runs `body` (an ES module body, top-level await allowed) after the prelude in a fresh Node process.
 * The child is killed after `timeoutMs` (a hang). `report(...)` must be called with the outcome.
 */
export async function runScenario(
  name: string,
  body: string,
  options: { backend?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<ScenarioResult> {
  const release = await slot();
  try {
    return await new Promise<ScenarioResult>((resolve) => {
      const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', prelude(options.backend ?? 'native') + body], {
        cwd: ROOT,
        env: { ...process.env, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '', stderr = '', timedOut = false;
      child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, options.timeoutMs ?? 30_000);
      child.on('close', (status, signal) => {
        clearTimeout(timer);
        const line = stdout.split('\n').reverse().find((l) => l.startsWith('@@RESULT '));
        resolve({ name, status, signal, timedOut, stdout, stderr, result: line ? JSON.parse(line.slice(9)) : null });
      });
    });
  } finally {
    release();
  }
}

/** A one-line account of how a child ended, for assertion messages: crash, hang, or exit status. */
export function howItEnded(r: ScenarioResult): string {
  const lines = r.stderr.trim().split('\n');
  const first = lines.findIndex((l) => /Error|terminate called|what\(\)|Assertion|FATAL/.test(l));
  const shown = first >= 0 ? [...lines.slice(first, first + 4), '…', ...lines.slice(-3)] : lines.slice(-6);
  const tail = (shown.join(' | ').trim() || '(no stderr)').slice(0, 1500);
  if (r.timedOut) return `scenario "${r.name}" HUNG (killed after its time limit); stderr: ${tail}`;
  if (r.signal) return `scenario "${r.name}" CRASHED with signal ${r.signal}; stderr: ${tail}`;
  if (r.status === 134 || r.status === 139) return `scenario "${r.name}" CRASHED with exit code ${r.status}; stderr: ${tail}`;
  return `scenario "${r.name}" exited with status ${r.status}; result ${JSON.stringify(r.result)}; stderr: ${tail}`;
}

/** The scenario ended normally (exit 0, no signal, no hang) and reported; returns what it reported. */
export function cleanResult(r: ScenarioResult): Record<string, unknown> {
  if (r.timedOut || r.signal || r.status !== 0 || r.result === null) throw new Error(howItEnded(r));
  return r.result;
}
