// Bit-for-bit comparisons of models, states and results, as the continuation tests need them.
import { expect } from 'vitest';

/** Deep equality with numbers compared as bits (Object.is: −0 ≠ 0, NaN = NaN); fails at the first difference with its path. */
export function expectSameBits(actual: unknown, expected: unknown, path = 'model'): void {
  if (typeof expected === 'number') {
    if (!Object.is(actual, expected)) expect.fail(`${path}: got ${String(actual)}, expected ${expected}`);
    return;
  }
  if (ArrayBuffer.isView(expected) || Array.isArray(expected)) {
    const a = actual as ArrayLike<unknown>, e = expected as ArrayLike<unknown>;
    expect(a.length, `${path}.length`).toBe(e.length);
    for (let i = 0; i < e.length; i++) expectSameBits(a[i], e[i], `${path}[${i}]`);
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), `${path} keys`).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected)) expectSameBits((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    return;
  }
  expect(actual, path).toEqual(expected);
}
