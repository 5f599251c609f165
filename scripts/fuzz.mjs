#!/usr/bin/env node
// `npm run fuzz -- --iterations N [--seed S] [--batch B] [--workers W] [--skip target.kind,…] [--case-timeout ms]`: a seeded fuzz campaign of the
// public API (test/fuzz/), each batch of cases in its own child process. Prints progress, the counts
// (cases, API calls, outcomes, distinct error codes) and every failure with its seed and case; exits 1
// when anything failed. Needs the compiled package (npm run build:ts).
import { parseArgs } from 'node:util';
import { runFuzz } from '../test/fuzz/runner.mjs';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    batch: { type: 'string', default: '500' },
    workers: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
    skip: { type: 'string', default: '' },
    'case-timeout': { type: 'string', default: '25000' },
  },
});
const num = (name) => {
  const v = Number(values[name]);
  if (!Number.isSafeInteger(v) || v < (name === 'seed' ? 0 : 1)) {
    console.error(`--${name} must be a positive integer, got ${values[name]}`);
    process.exit(2);
  }
  return v;
};
const iterations = num('iterations'), seed = num('seed'), batch = num('batch'), workers = num('workers'), caseTimeoutMs = num('case-timeout');
const skip = values.skip ? values.skip.split(',') : [];
let lastPrint = 0;
const summary = await runFuzz({
  iterations, seed, batch, workers, skip, caseTimeoutMs,
  onProgress: (s) => {
    if (Date.now() - lastPrint < 5000) return;
    lastPrint = Date.now();
    process.stderr.write(`  ${s.cases} / ${iterations} cases, ${s.failures.length} failures, ${Object.keys(s.codes).length} codes\n`);
  },
});
if (values.json) console.log(JSON.stringify(summary, null, 2));
else {
  console.log(`fuzz seed ${seed}: ${summary.cases} cases (${summary.calls} API calls) in ${(summary.ms / 1000).toFixed(1)} s, ${workers} child processes at a time, batches of ${batch}`);
  console.log(`outcomes: ${summary.outcomes.ok} returned a correct result, ${summary.outcomes.error} threw or rejected` +
    (summary.outcomes.skipped ? `, ${summary.outcomes.skipped} skipped (--skip ${skip.join(',')})` : ''));
  console.log(`distinct error codes reached: ${Object.keys(summary.codes).length}`);
  for (const [code, n] of Object.entries(summary.codes).sort((a, b) => b[1] - a[1])) console.log(`  ${code}: ${n}`);
  console.log(`crashes: ${summary.crashes}, hangs: ${summary.hangs}, failures (incl. crashes and hangs): ${summary.failures.length}`);
  for (const f of summary.failures.slice(0, 200)) console.log(`  FAIL ${f.text}`);
  if (summary.failures.length > 200) console.log(`  … and ${summary.failures.length - 200} more`);
}
process.exit(summary.failures.length ? 1 : 0);
