// The fuzz driver: splits cases [0, iterations) of a seed into batches, runs each batch in a child
// process (test/fuzz/child.mjs, --expose-gc), at most `workers` at once, and collects outcomes. A
// child that dies (signal, exit 134/139, any other exit) or goes silent is a crash or a hang of the
// case it had started; the batch then resumes after that case in a new child.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeCase, makeCase } from './cases.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = join(ROOT, 'test', 'fuzz', 'child.mjs');

/** Runs cases [from, to) in one child; resolves with the results and, if it died, how. */
function runChild(opts, from, to, onResult) {
  return new Promise((resolve) => {
    const arg = JSON.stringify({ dist: opts.dist, errorsTs: opts.errorsTs, seed: opts.seed, from, count: to - from, backends: opts.backends, skip: opts.skip });
    const child = spawn(process.execPath, ['--expose-gc', CHILD, arg], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    let started = -1, last = from - 1, buffer = '', stderr = '', silentTimer = null, hung = false;
    const arm = () => {
      clearTimeout(silentTimer);
      silentTimer = setTimeout(() => { hung = true; child.kill('SIGKILL'); }, opts.caseTimeoutMs);
    };
    arm();
    child.stdout.setEncoding('utf8').on('data', (d) => {
      buffer += d;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith('S ')) { started = Number(line.slice(2)); arm(); }
        else if (line.startsWith('R ')) { const r = JSON.parse(line.slice(2)); last = r.index; onResult(r); arm(); }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr = (stderr + d).slice(-4000); });
    child.on('close', (status, signal) => {
      clearTimeout(silentTimer);
      const finished = last >= to - 1;
      if (finished && status === 0) return resolve({ next: to });
      const at = started > last ? started : last + 1;
      const how = hung ? 'HANG (no output for ' + opts.caseTimeoutMs + ' ms)' : signal ? `CRASH (signal ${signal})` : `CRASH (exit code ${status})`;
      resolve({ next: at + 1, died: { index: at, how, stderr: stderr.trim().split('\n').slice(-8).join(' | ').slice(0, 1500) } });
    });
  });
}

/**
 * Runs a fuzz campaign.
 * @param skip - mutations ("target.kind", e.g. "json.cycle") whose cases are counted as skipped, not run
 * @returns { cases, calls, outcomes: { ok, error, skipped }, codes: { code: count }, failures: [{ index, text }], crashes, hangs, ms }
 */
export async function runFuzz({ iterations = 1000, seed = 1, batch = 500, workers = 2, caseTimeoutMs = 25_000, backends, env, skip = [], onProgress } = {}) {
  const opts = {
    seed, caseTimeoutMs, backends, env, skip,
    dist: pathToFileURL(join(ROOT, 'dist', 'lib', 'index.js')).href,
    errorsTs: join(ROOT, 'lib', 'errors.ts'),
  };
  if (!opts.backends) {
    const { info } = await import(opts.dist);
    opts.backends = info().backend === 'native' ? ['native', 'reference'] : ['reference'];
  }
  backends = opts.backends;
  const t0 = Date.now();
  const summary = { seed, cases: 0, calls: 0, outcomes: { ok: 0, error: 0, skipped: 0 }, codes: {}, failures: [], crashes: 0, hangs: 0, ms: 0 };
  const ranges = [];
  for (let from = 0; from < iterations; from += batch) ranges.push([from, Math.min(iterations, from + batch)]);
  const onResult = (r) => {
    summary.cases++;
    summary.calls += r.calls;
    summary.outcomes[r.outcome] = (summary.outcomes[r.outcome] ?? 0) + 1;
    if (r.code) summary.codes[r.code] = (summary.codes[r.code] ?? 0) + 1;
    if (r.failure) summary.failures.push({ index: r.index, text: r.failure });
    onProgress?.(summary);
  };
  const worker = async () => {
    while (ranges.length) {
      let [from, to] = ranges.shift();
      while (from < to) {
        const r = await runChild(opts, from, to, onResult);
        if (r.died) {
          const c = makeCase(seed, r.died.index, backends);
          summary.cases++;
          if (r.died.how.startsWith('HANG')) summary.hangs++; else summary.crashes++;
          summary.failures.push({ index: r.died.index, text: `${r.died.how} in ${describeCase(c)}; stderr: ${r.died.stderr}` });
          onProgress?.(summary);
        }
        from = r.next;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  summary.failures.sort((a, b) => a.index - b.index);
  summary.ms = Date.now() - t0;
  return summary;
}
