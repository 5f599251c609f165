// Assertions on blasnet's errors, shared by the validation tests: the class, the `code`, and a
// message matching every pattern given.
import { expect } from 'vitest';
import type { BlasnetError } from '../../lib/index.js';

export type ErrorClass = typeof TypeError | typeof RangeError | typeof BlasnetError;

/** Runs fn, expects it to throw an instance of cls with this code, and a message matching every pattern. */
export function expectError(fn: () => unknown, cls: ErrorClass, code: string, ...patterns: (string | RegExp)[]): void {
  let error: unknown = null;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected a throw').not.toBeNull();
  expect(error).toBeInstanceOf(cls);
  expect((error as { code?: string }).code).toBe(code);
  for (const p of patterns) expect((error as Error).message).toMatch(p);
}

/** The same for a function returning a promise: it must reject (not throw synchronously). */
export async function expectRejection(fn: () => Promise<unknown>, cls: ErrorClass, code: string, ...patterns: (string | RegExp)[]): Promise<void> {
  let promise: Promise<unknown> | undefined;
  expect(() => { promise = fn(); }).not.toThrow();
  const error = await promise!.then(() => null, (e: unknown) => e);
  expect(error, 'expected a rejection').not.toBeNull();
  expect(error).toBeInstanceOf(cls);
  expect((error as { code?: string }).code).toBe(code);
  for (const p of patterns) expect((error as Error).message).toMatch(p);
}
