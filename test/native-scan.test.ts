// The addon's scan for non-finite values (native/info.cc FirstNonFinite), which lib/validate.ts uses
// for Float64Arrays of 65 536 values or more: it must find the first one wherever it is (a block's
// first or last value, the array's last, a subarray view), as the JavaScript loop does.
import { describe, expect, it } from 'vitest';
import { info, Matrix, NeuralNetwork } from '../lib/index.js';
import { nativeAddon } from '../lib/native.js';
import { firstNonFinite } from '../lib/validate.js';

const jsFirst = (a: Float64Array) => a.findIndex((v) => !Number.isFinite(v));

describe.skipIf(info().backend !== 'native')('the native scan for non-finite values', () => {
  const addon = nativeAddon()!;
  const n = 3 * 4096 + 17;  // three whole blocks of 4 096 and a partial one

  it('finds the first NaN, Infinity or -Infinity at every kind of position, as the JS loop does', () => {
    const positions = [0, 1, 4095, 4096, 4097, 8191, 2 * 4096, n - 18, n - 1];
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      for (const k of positions) {
        const a = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 1e300);
        a[k] = bad;
        if (k + 5 < n) a[k + 5] = Number.NaN;  // a later one does not hide the first
        expect(addon.firstNonFinite(a), `${bad} at ${k}`).toBe(k);
        expect(addon.firstNonFinite(a)).toBe(jsFirst(a));
      }
    }
    expect(addon.firstNonFinite(new Float64Array(n))).toBe(-1);
    expect(addon.firstNonFinite(Float64Array.of(Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324, -0))).toBe(-1);
    expect(addon.firstNonFinite(new Float64Array(0))).toBe(-1);
  });

  it('reads a subarray view from its own offset', () => {
    const whole = new Float64Array(n + 100);
    whole[10] = Number.NaN;  // outside the view
    whole[100 + 5000] = Infinity;
    expect(addon.firstNonFinite(whole.subarray(100))).toBe(5000);
  });

  it('lib/validate.ts uses it for large arrays: a fit names the row and column of the bad value', () => {
    const rows = 1000, cols = 70;  // 70 000 values: the native scan
    const X = new Matrix(rows, cols, Float64Array.from({ length: rows * cols }, (_, i) => (i % 13) / 13));
    X.data[(rows - 1) * cols + cols - 1] = -Infinity;
    expect(firstNonFinite(X.data)).toBe(rows * cols - 1);
    const y = Float64Array.from({ length: rows }, (_, j) => j % 2);
    const net = new NeuralNetwork({ layers: [cols, 4, 1], seed: 1 });
    expect(() => net.fitSync(X, y, { epochs: 1 })).toThrow(/row 999, column 69/);
  });
});
