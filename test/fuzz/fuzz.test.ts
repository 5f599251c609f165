// A short, seeded fuzz run as part of `npm test` (the long one is `npm run fuzz -- --iterations N`):
// cases mutating one argument or one step of a valid call (test/fuzz/cases.mjs), run in batches in
// two child processes. Every case must return a correct result or a documented error code; any
// crash, hang, undocumented error or non-finite result fails the test, listed with seed and case.
import { expect, it } from 'vitest';
// @ts-expect-error -- a plain ESM module without types (the children run it without TypeScript)
import { runFuzz } from './runner.mjs';

interface Summary {
  cases: number;
  calls: number;
  codes: Record<string, number>;
  failures: { index: number; text: string }[];
  crashes: number;
  hangs: number;
}

it('1 500 fuzz cases (seed 20261201): no crash, no hang, only correct results and documented error codes', async () => {
  const s = (await runFuzz({ iterations: 1500, seed: 20261201, batch: 750, workers: 2, caseTimeoutMs: 10_000 })) as Summary;
  expect(s.cases).toBe(1500);
  const report = s.failures.map((f) => f.text).join('\n');
  expect(s.crashes, report).toBe(0);
  expect(s.hangs, report).toBe(0);
  expect(s.failures, report).toEqual([]);
  // The run reaches the error paths, not only the happy one.
  expect(Object.keys(s.codes).length).toBeGreaterThanOrEqual(8);
}, 240_000);
