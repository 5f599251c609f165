// NeuralNetwork gradients against central finite differences (docs/math.md, "Checking gradients"):
// every hidden activation × every valid (output, loss) pair × depths 1–3, on both backends, with the
// exported gradientCheck at h = 1e-5. The costs are also checked against an independent plain-loop
// forward pass (test/helpers/network-data.ts), and the gradients against central differences of that
// independent cost, so "the gradient is the derivative of the cost" is also "of the right cost".
import { describe, expect, it } from 'vitest';
import { gradientCheck, Matrix, NeuralNetwork } from '../lib/index.js';
import type { ActivationOption, BackendName, HiddenActivationName, LossName } from '../lib/index.js';
import { BACKENDS, relErr } from './helpers/data.js';
import {
  type Act, gaussianMatrix, minKinkDistance, mulberry32, plainForward, plainNetCost, plainNumericGradient, randomTargets,
} from './helpers/network-data.js';

interface Hidden { label: string; act: Act; option: ActivationOption<HiddenActivationName> }
const HIDDEN: Hidden[] = [
  { label: 'sigmoid', act: { name: 'sigmoid' }, option: 'sigmoid' },
  { label: 'tanh', act: { name: 'tanh' }, option: 'tanh' },
  { label: 'relu', act: { name: 'relu' }, option: 'relu' },
  { label: 'leaky-relu', act: { name: 'leaky-relu', alpha: 0.01 }, option: 'leaky-relu' },
  { label: 'leaky-relu α=0.2', act: { name: 'leaky-relu', alpha: 0.2 }, option: { name: 'leaky-relu', alpha: 0.2 } },
  { label: 'linear', act: { name: 'linear' }, option: 'linear' },
];
const TANH = HIDDEN[1]!;

interface Pair { output: 'sigmoid' | 'softmax' | 'tanh' | 'linear' | 'relu'; loss: LossName }
const PAIRS: Pair[] = [
  { output: 'sigmoid', loss: 'cross-entropy' },
  { output: 'softmax', loss: 'cross-entropy' },
  { output: 'sigmoid', loss: 'mse' },
  { output: 'tanh', loss: 'mse' },
  { output: 'linear', loss: 'mse' },
  { output: 'relu', loss: 'mse' },
];
const SIGMOID_CE = PAIRS[0]!, SOFTMAX_CE = PAIRS[1]!;

/** Layer sizes for a depth (number of weight layers): widths 3–5, s0 = 4, sL = 3. */
const SIZES: Record<number, number[]> = { 1: [4, 3], 2: [4, 5, 3], 3: [4, 5, 4, 3] };
/** Examples. */
const N = 10;
/** Pre-activations of relu / leaky-relu layers must be at least this far from the kink at 0. */
const KINK = 1e-3;
/**
 * Every gradient component must be exactly 0 (weights into or out of a dead relu unit: then g and g_num
 * are both exactly 0) or at least TINY·J. Why: J(θ ± h) carries rounding of about an ulp of J, so g_num
 * has an absolute error of ~ε·J/h ≈ 2e-11·J at h = 1e-5 (measured with the first draft of this grid:
 * a component of 2.5e-5 at J = 2.45 gave a relative error of 1.9e-6, i.e. 4.7e-11 absolute), plus a
 * truncation error h²·|J'''|/6 of similar size. The criterion "relative error < 1e-7" is meaningless for
 * components below ~5e-4·J, and random draws give such a component (by cancellation of the per-example
 * terms) in many seeds; those seeds are skipped, judged by an independent numerical gradient.
 */
const TINY = 1e-3;

interface Case { net: NeuralNetwork; X: Matrix; Y: Matrix; acts: Act[]; sizes: number[]; seed: number; gNum: number[] }

/**
 * A network and data for one configuration (hidden null: depth 1, no hidden layer). X is N × s0 with
 * N(0, 2²) entries (larger inputs, larger first-layer gradients), Y from randomTargets. The seed (of
 * the weights and of the data) goes up from 1 until the independent forward pass shows every relu /
 * leaky-relu pre-activation with |z| > KINK (and, for a relu output, at least half the outputs active,
 * so the output gradient is not mostly zero), and the independent numerical gradient (central
 * differences of the plain-loop cost) has no component that is tiny but not zero (see TINY).
 * Deterministic: the same seed is found on every run and for both backends (at most ~20 are tried).
 */
function makeCase(backend: BackendName, depth: number, hidden: Hidden | null, pair: Pair): Case {
  const sizes = SIZES[depth]!;
  const acts: Act[] = [...Array.from({ length: depth - 1 }, () => hidden!.act), { name: pair.output }];
  for (let seed = 1; seed < 500; seed++) {
    const net = new NeuralNetwork({
      layers: sizes, ...(hidden ? { hidden: hidden.option } : {}), output: pair.output, loss: pair.loss, seed, backend,
    });
    const rand = mulberry32(1000 * depth + seed);
    const X = gaussianMatrix(rand, N, sizes[0]!, 2);
    const Y = randomTargets(rand, N, sizes[depth]!, pair.output, pair.loss);
    const { Z } = plainForward(net.parameters, sizes, acts, X);
    if (!(minKinkDistance(Z, acts) > KINK)) continue;
    if (pair.output === 'relu') {
      const zL = Z[depth - 1]!;
      if (zL.filter((z) => z > 0).length < zL.length / 2) continue;
    }
    const J = plainNetCost(net.parameters, sizes, acts, pair.loss, X, Y);
    const gNum = plainNumericGradient(net.parameters, sizes, acts, pair.loss, X, Y);
    if (gNum.some((v) => v !== 0 && Math.abs(v) < TINY * J)) continue;
    return { net, X, Y, acts, sizes, seed, gNum };
  }
  throw new Error('no seed keeps the pre-activations away from the kink and the gradients away from 0');
}

const configs: { depth: number; hidden: Hidden | null; pair: Pair; name: string }[] = [];
for (const pair of PAIRS) {
  configs.push({ depth: 1, hidden: null, pair, name: `depth 1, output ${pair.output} + ${pair.loss}` });
  for (const hidden of HIDDEN) {
    for (const depth of [2, 3]) configs.push({ depth, hidden, pair, name: `depth ${depth}, hidden ${hidden.label}, output ${pair.output} + ${pair.loss}` });
  }
}

/** The gradients of costAndGradients flattened in θ order (per layer: W row-major, then b). */
function flatGrad(g: { dW: Float64Array[]; db: Float64Array[] }): number[] {
  return g.dW.flatMap((w, l) => [...w, ...g.db[l]!]);
}

describe.each(BACKENDS)('NeuralNetwork gradients, $backend backend', ({ backend, available }) => {
  describe.skipIf(!available)('', () => {
    it.each(configs)('$name', ({ depth, hidden, pair }) => {
      const c = makeCase(backend, depth, hidden, pair);
      const before = c.net.parameters;
      const g = c.net.costAndGradients(c.X, c.Y);
      // The cost is the loss of docs/math.md: the independent plain-loop evaluation agrees to 1e-12
      // relative (tens of float64 operations per example in another order, each ≤ ½ ulp, on costs of O(1) whose
      // terms cancel at most ~10×: ~1e-14; a wrong formula would be off by far more than 1e-12).
      expect(relErr(g.cost, plainNetCost(before, c.sizes, c.acts, pair.loss, c.X, c.Y))).toBeLessThan(1e-12);
      // docs/math.md, "Checking gradients": central differences with h = 1e-5 agree with the analytic
      // gradient to < 1e-7 relative.
      // Smooth parts: truncation and rounding are each ~2e-11·J absolute (see TINY) against components
      // ≥ 1e-3·J: a few 1e-8 relative at worst (measured worst over the grid: 3.4e-8). Relu and leaky
      // relu: no pre-activation within 1e-3 of the kink, and a ±h step moves any z by ~h·|a| ≲ 1e-4, so
      // no step crosses it and J is smooth on [θ − h, θ + h].
      const r = gradientCheck(c.net, c.X, c.Y, { h: 1e-5 });
      expect(r.checked).toBe(c.net.spec.nParams);
      expect(r.maxRelativeError, `seed ${c.seed}, worst ${JSON.stringify(r.worst)}`).toBeLessThan(1e-7);
      // The same against central differences of the independent cost (so the check does not rest on
      // gradientCheck alone), with the same floor and the same reasoning.
      const analytic = flatGrad(g);
      expect(analytic.length).toBe(c.gNum.length);
      let worst = 0;
      analytic.forEach((v, k) => {
        worst = Math.max(worst, Math.abs(v - c.gNum[k]!) / Math.max(Math.abs(v), Math.abs(c.gNum[k]!), 1e-12));
      });
      expect(worst, `seed ${c.seed}`).toBeLessThan(1e-7);
      // gradientCheck leaves the parameters as they were, bit for bit.
      const after = c.net.parameters;
      after.W.forEach((w, l) => expect(w).toEqual(before.W[l]));
      after.b.forEach((b, l) => expect(b).toEqual(before.b[l]));
    });

    it('with l2 > 0: J gains (λ/2)·Σ‖W‖², dW gains λ·W, db is unchanged, and the gradient check passes', () => {
      const c = makeCase(backend, 3, TANH, SOFTMAX_CE);
      // Soft probability targets here, so the cross-entropy's −Σ y_i z_i term is exercised with y ∉ {0, 1}.
      const Y = randomTargets(mulberry32(77), N, 3, 'softmax', 'cross-entropy', true);
      const l2 = 0.3;
      const p = c.net.parameters;
      const g0 = c.net.costAndGradients(c.X, Y);
      const g1 = c.net.costAndGradients(c.X, Y, { l2 });
      // Independent cost including the weight-decay term: 1e-12 as above.
      expect(relErr(g1.cost, plainNetCost(p, c.sizes, c.acts, 'cross-entropy', c.X, Y, l2))).toBeLessThan(1e-12);
      // dW(λ) = dW(0) + λ·W: one multiplication and one addition more, each ≤ ½ ulp of values ≲ 1,
      // so 1e-15 absolute (weights ~0.5, λ·W ~ 0.15, dW ~ 0.1).
      g1.dW.forEach((w, l) => w.forEach((v, k) => expect(Math.abs(v - (g0.dW[l]![k]! + l2 * p.W[l]![k]!))).toBeLessThan(1e-15)));
      // Biases are not decayed: db is the same computation, bit for bit.
      g1.db.forEach((b, l) => expect(b).toEqual(g0.db[l]));
      // The check with λ in J and in the gradient: the same 1e-7 (the l2 term is quadratic, its central
      // difference is exact up to rounding, so it adds no truncation error).
      const r = gradientCheck(c.net, c.X, Y, { h: 1e-5, l2 });
      expect(r.maxRelativeError, JSON.stringify(r.worst)).toBeLessThan(1e-7);
    });

    it('gradientCheck measures something: h = 1e-1 gives a clearly larger error than h = 1e-5 (tanh network)', () => {
      const c = makeCase(backend, 2, TANH, SIGMOID_CE);
      const fine = gradientCheck(c.net, c.X, c.Y, { h: 1e-5 });
      const coarse = gradientCheck(c.net, c.X, c.Y, { h: 1e-1 });
      // Central differences have truncation error h²·J'''/6: with h = 0.1 that is ~2e-3·|J'''| against
      // components of ~1e-2 – 1e-1, i.e. relative errors of ~1e-3 – 1e-1 somewhere; with h = 1e-5 it is
      // 1e8 times smaller. So the coarse error must exceed 1e-6 and be ≥ 100× the fine one.
      expect(fine.maxRelativeError).toBeLessThan(1e-7);
      expect(coarse.maxRelativeError).toBeGreaterThan(1e-6);
      expect(coarse.maxRelativeError).toBeGreaterThan(100 * fine.maxRelativeError);
    });

    it('gradientCheck flags a relu network whose pre-activations sit on the kink', () => {
      // With X = 0 every first-layer pre-activation is b = 0 (biases start at zero): every hidden unit is
      // on its kink. The analytic gradient uses g′(0) = 0, so ∂J/∂b₁ = 0, while the central difference of
      // a first-layer bias is the mean of the one-sided slopes, ½·w₂ᵢ·mean(a − y) = −¼·w₂ᵢ ≠ 0 (labels 1, output
      // σ(0) = ½): relative error 1.
      const net = new NeuralNetwork({ layers: [3, 4, 1], hidden: 'relu', output: 'sigmoid', seed: 3, backend });
      const r = gradientCheck(net, new Matrix(2, 3), [1, 1], { h: 1e-5 });
      expect(r.maxRelativeError).toBeGreaterThan(0.5);
      expect(r.worst.layer).toBe(1);
      expect(r.worst.param).toBe('b');
    });

    it('gradientCheck with maxParams checks that many parameters', () => {
      const c = makeCase(backend, 2, TANH, SIGMOID_CE);
      const r = gradientCheck(c.net, c.X, c.Y, { maxParams: 7 });
      expect(r.checked).toBe(7);
      expect(r.maxRelativeError).toBeLessThan(1e-7);
    });
  });
});
