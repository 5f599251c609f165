// LogisticRegression numerics (docs/math.md, "Logistic regression", "Checking gradients"):
// hand-computed costs and gradients, central finite differences, native ≡ reference, saturation, and
// the breast cancer data set. Expected values come from hand computation or from the independent
// plain-TS formulas in test/helpers/data.ts, never from blasnet's own output.
import { describe, expect, it } from 'vitest';
import { LogisticRegression, Matrix } from '../lib/index.js';
import {
  BACKENDS, HAS_NATIVE, columnStats, gaussian, loadBreastCancer, modelAt, mulberry32, plainCost, plainGradients,
  randomLogisticData, relErr, seededSplit, standardize,
} from './helpers/data.js';

/** A binary model's costAndGradients (the union type also covers the multinomial { dW, db[] }). */
type Binary = { cost: number; dw: Float64Array; db: number };

// The hand example: 3 examples, 2 features.
const HX = Matrix.from([[1, 2], [-1, 0.5], [3, -1]]);
const HY = [1, 0, 1];

describe.each(BACKENDS)('LogisticRegression numerics, $backend backend', ({ backend, available }) => {
  describe.skipIf(!available)('', () => {
    it('cost and gradients at w = 0, b = 0 are log 2 and (1/n) X (1/2 − y) (by hand)', () => {
      const model = new LogisticRegression({ backend });
      expect(model.backend).toBe(backend);
      const { cost, dw, db } = model.costAndGradients(HX, HY) as Binary;
      // By hand: z = 0, a = 1/2, every loss term is softplus(0) = log 2, so J = log 2.
      // dz = a − y = (−1/2, 1/2, −1/2); dw = (1/3)(1·−½ + −1·½ + 3·−½, 2·−½ + ½·½ + −1·−½) = (−5/6, −1/12);
      // db = (1/3)(−½) = −1/6. Every dz and product is exact in binary; only log1p(1), the sum of three
      // equal terms and the division by n round, so a few ulps: 1e-15 relative (≈ 4.5 ulp).
      expect(relErr(cost, Math.LN2)).toBeLessThan(1e-15);
      expect(dw.length).toBe(2);
      expect(relErr(dw[0]!, -5 / 6)).toBeLessThan(1e-15);
      expect(relErr(dw[1]!, -1 / 12)).toBeLessThan(1e-15);
      expect(relErr(db, -1 / 6)).toBeLessThan(1e-15);
      // Before any fit the model has no parameters yet.
      expect(model.weights.length).toBe(0);
      expect(model.bias).toBe(0);
    });

    it('one step of α = 1 from zeros gives w = (5/6, 1/12), b = 1/6, and the cost/gradients there match MATH.md', () => {
      const model = new LogisticRegression({ backend, learningRate: 1, iterations: 1, recordEvery: 1 });
      const r = model.fitSync(HX, HY);
      // The recorded cost is that of iteration 0 (zeros): log 2. 1e-15 as above.
      expect(r.epochs).toBe(1);
      expect(r.costs.length).toBe(1);
      expect(relErr(r.costs[0]!, Math.LN2)).toBeLessThan(1e-15);
      // w₁ = 0 − 1·dw₀ = (5/6, 1/12), b₁ = 1/6 (hand values from the previous test); ≤ 1 ulp of rounding
      // in each of dw₀ and the subtraction: 1e-15 relative.
      const w = model.weights;
      expect(relErr(w[0]!, 5 / 6)).toBeLessThan(1e-15);
      expect(relErr(w[1]!, 1 / 12)).toBeLessThan(1e-15);
      expect(relErr(model.bias, 1 / 6)).toBeLessThan(1e-15);

      const { cost, dw, db } = model.costAndGradients(HX, HY) as Binary;
      // Expected: the formulas of docs/math.md evaluated independently at the hand parameters, twice:
      // the softplus form, and the seed's log(a) form (safe here: |z| < 3, nothing saturates).
      const wh = [5 / 6, 1 / 12], bh = 1 / 6;
      const expCost = plainCost(HX, HY, wh, bh);
      let logForm = 0;
      for (let j = 0; j < 3; j++) {
        const z = HX.get(j, 0) * wh[0]! + HX.get(j, 1) * wh[1]! + bh;
        const a = 1 / (1 + Math.exp(-z));
        logForm -= HY[j]! * Math.log(a) + (1 - HY[j]!) * Math.log(1 - a);
      }
      logForm /= 3;
      const g = plainGradients(HX, HY, wh, bh);
      // Tolerance 1e-13: a few dozen float64 operations (each ≤ ½ ulp) in a different order, and the
      // parameters themselves differ from the hand values by ~1 ulp; db = 0.0137 is a sum of dz of
      // size ~0.3 that cancels (≈ 20× amplification of ulp-level differences). 1e-13 leaves margin
      // over ~1e-14 while being nine orders tighter than any formula error (e.g. dividing by m = 2
      // instead of n = 3 would be off by 50%).
      expect(relErr(cost, expCost)).toBeLessThan(1e-13);
      expect(relErr(cost, logForm)).toBeLessThan(1e-13);
      expect(relErr(dw[0]!, g.dw[0]!)).toBeLessThan(1e-13);
      expect(relErr(dw[1]!, g.dw[1]!)).toBeLessThan(1e-13);
      expect(relErr(db, g.db)).toBeLessThan(1e-13);
      // Gradient descent decreases the cost on this convex problem with this step.
      expect(cost).toBeLessThan(Math.LN2);
    });

    it('gradients agree with central finite differences of the cost (h = 1e-5, relative error < 1e-7)', () => {
      const n = 40, m = 4;
      const { X, y } = randomLogisticData(7, n, m);
      // A random nonzero parameter point, reached through the public API (see modelAt).
      const rand = mulberry32(99);
      const wStar = Array.from({ length: m }, () => 0.8 * gaussian(rand));
      const model = modelAt(wStar, -0.6, backend);
      const w = Array.from(model.weights), b = model.bias;
      // The point is the one asked for (up to rounding of w*/b*·b*): 1e-14 relative.
      for (let k = 0; k < m; k++) expect(relErr(w[k]!, wStar[k]!)).toBeLessThan(1e-14);
      expect(relErr(b, -0.6)).toBeLessThan(1e-15);

      const { cost, dw, db } = model.costAndGradients(X, y) as Binary;
      // The library's cost is the cost definition (independent plain-TS softplus form): 1e-13 relative
      // (n·m ≈ 160 multiply-adds in a different order; no cancellation in a sum of positive terms).
      expect(relErr(cost, plainCost(X, y, w, b))).toBeLessThan(1e-13);

      const h = 1e-5;
      const grads = [...dw, db];
      const theta = [...w, b];
      const J = (t: number[]) => plainCost(X, y, t.slice(0, m), t[m]!);
      for (let p = 0; p <= m; p++) {
        const plus = theta.slice(), minus = theta.slice();
        plus[p]! += h;
        minus[p]! -= h;
        const gNum = (J(plus) - J(minus)) / (2 * h);
        const g = grads[p]!;
        // docs/math.md, "Checking gradients": with h = 1e-5 the central difference has truncation
        // error ~h²·J''' ≈ 1e-11 and rounding error ~ε·J/h ≈ 1e-11; relative to a gradient entry of
        // size ≥ 1e-3 (asserted, so the relative criterion is meaningful at this point) that is
        // ≤ 1e-8 < 1e-7.
        expect(Math.abs(g)).toBeGreaterThan(1e-3);
        const rel = Math.abs(g - gNum) / Math.max(Math.abs(g), Math.abs(gNum), 1e-12);
        expect(rel, `parameter ${p}: g = ${g}, g_num = ${gNum}`).toBeLessThan(1e-7);
      }
    });

    it('a saturated case (|z| ≈ 1000) has a finite, correct cost and finite, correct gradients', () => {
      // w = 1, b = 1/2 exactly (one step of α = 1 on x = 2, y = 1: dw = 2·(−½) = −1, db = −½).
      const model = modelAt([1], 0.5, backend);
      expect(model.weights[0]).toBe(1);
      expect(model.bias).toBe(0.5);

      // Correctly classified, z = ±1000.5 / ∓999.5: the loss is log1p(e^(−|z|)) ≈ 1e-434, below the
      // smallest double; it must be ≥ 0 and effectively 0 (< 1e-300), and dz = σ(z) − y = 0 (to 1e-300).
      for (const [x, label] of [[1000, 1], [-1000, 0]] as const) {
        const r = model.costAndGradients([[x]], [label]) as Binary;
        expect(Number.isFinite(r.cost)).toBe(true);
        expect(r.cost).toBeGreaterThanOrEqual(0);
        expect(r.cost).toBeLessThan(1e-300);
        expect(Math.abs(r.dw[0]!)).toBeLessThan(1e-300);
        expect(Math.abs(r.db)).toBeLessThan(1e-300);
      }
      // Misclassified: the loss is softplus(z) − y z = |z| + log1p(e^(−|z|)) = |z| to within 1e-434.
      // z = 1000·1 + 0.5 and −1000 + 0.5 are exact, so 1e-15 relative (rounding of the final sums only).
      // dz = σ(z) − y = ±1, so dw = x·dz = ±1000·±1 and db = dz.
      for (const [x, label, absZ, dz] of [[1000, 0, 1000.5, 1], [-1000, 1, 999.5, -1]] as const) {
        const r = model.costAndGradients([[x]], [label]) as Binary;
        expect(relErr(r.cost, absZ)).toBeLessThan(1e-15);
        expect(relErr(r.dw[0]!, x * dz)).toBeLessThan(1e-15);
        expect(relErr(r.db, dz)).toBeLessThan(1e-15);
      }
      // All four together: J = (0 + 0 + 1000.5 + 999.5)/4 = 500, dw = (1000 + 1000)/4 = 500, db = (1 − 1)/4 = 0.
      // The seed's log(a) form would give NaN or Infinity here.
      const all = model.costAndGradients([[1000], [-1000], [1000], [-1000]], [1, 0, 0, 1]) as Binary;
      expect(relErr(all.cost, 500)).toBeLessThan(1e-15);
      expect(relErr(all.dw[0]!, 500)).toBeLessThan(1e-15);
      expect(Math.abs(all.db)).toBeLessThan(1e-15);
    });

    it('a fit with features of magnitude 1e3 and a large learning rate stays finite (z far beyond 800)', () => {
      const X = [[1000], [-1000], [800], [-900], [950], [-700]];
      const y = [1, 0, 1, 0, 0, 1]; // the last two are misclassified by any w > 0 and b ≈ 0
      // α = 2 (was 10): a first-order fit now also stops as diverged when a recorded cost exceeds 1e6 ×
      // the first (docs/math.md, "Divergence"), and here J ≈ mean |z| of the misclassified rows grows
      // with α (α = 10 reaches J ≈ 1.4e6 > 1e6 · log 2 by iteration 3). α = 2 keeps J below that bound
      // (≈ 3.3e5 at most) while |z| still reaches ~1.4e5, far beyond the 800 where exp overflows.
      const model = new LogisticRegression({ backend, learningRate: 2, iterations: 50, recordEvery: 1 });
      const r = model.fitSync(X, y); // would throw a DivergenceError if a cost or gradient became non-finite
      expect(r.epochs).toBe(50);
      expect(r.costs.length).toBe(50);
      // Iteration 0 is at zeros: log 2 (1e-15 relative, as in the hand case).
      expect(relErr(r.costs[0]!, Math.LN2)).toBeLessThan(1e-15);
      for (const c of r.costs) expect(Number.isFinite(c)).toBe(true);
      const w = model.weights, b = model.bias;
      expect(Number.isFinite(w[0]!) && Number.isFinite(b)).toBe(true);
      const zs = X.map(([x]) => x! * w[0]! + b);
      expect(Math.max(...zs.map(Math.abs))).toBeGreaterThan(800); // the case really saturates
      const g = model.costAndGradients(X, y) as Binary;
      expect(Number.isFinite(g.cost) && Number.isFinite(g.dw[0]!) && Number.isFinite(g.db)).toBe(true);
      // The cost is right: the independent softplus form at the same parameters (≈ mean |z| of the
      // misclassified examples). 1e-13 relative: six terms, no cancellation between them.
      expect(relErr(g.cost, plainCost(Matrix.from(X), y, w, b))).toBeLessThan(1e-13);
      const pg = plainGradients(Matrix.from(X), y, w, b);
      expect(relErr(g.dw[0]!, pg.dw[0]!)).toBeLessThan(1e-13);
      // db is a sum of dz ∈ {−1, 0, 1} (up to e^(−800)): exact up to ~1 ulp of the result.
      expect(Math.abs(g.db - pg.db)).toBeLessThan(1e-15);
    });

    it('breast cancer: seeded 80/20 split, standardized with training statistics, test accuracy ≥ 0.95', () => {
      const data = loadBreastCancer();
      expect(data.X.rows).toBe(569);
      expect(data.X.cols).toBe(30);
      const { train, test } = seededSplit(data, 2024);
      expect(train.X.rows).toBe(455);
      expect(test.X.rows).toBe(114);
      const stats = columnStats(train.X); // training split only: no information from the test split
      const Xtr = standardize(train.X, stats), Xte = standardize(test.X, stats);
      const model = new LogisticRegression({ backend, learningRate: 0.1, iterations: 2000 });
      const { costs } = model.fitSync(Xtr, train.y);
      expect(costs.length).toBe(20);
      // Iteration 0 is at zeros: J = log 2. The sum of 455 equal terms rounds at each addition, up to
      // ~455 · ε/2 ≈ 5e-14 relative in the worst case: 1e-13.
      expect(relErr(costs[0]!, Math.LN2)).toBeLessThan(1e-13);
      expect(costs.at(-1)!).toBeLessThan(costs[0]!);
      const trainAcc = model.scoreSync(Xtr, train.y);
      const testAcc = model.scoreSync(Xte, test.y);
      // Accuracy computed here from the probabilities too (score is thresholding P(y = 1), column 1 of
      // the n × 2 predictProba, at 0.5).
      const P = model.predictProbaSync(Xte);
      expect(P.rows).toBe(test.X.rows);
      expect(P.cols).toBe(2);
      let right = 0;
      for (let j = 0; j < P.rows; j++) if ((P.get(j, 1) >= 0.5 ? 1 : 0) === test.y[j]) right++;
      expect(testAcc).toBe(right / P.rows);
      console.log(`breast cancer (${backend}): train accuracy ${(100 * trainAcc).toFixed(2)} %, test accuracy ${(100 * testAcc).toFixed(2)} % (${right}/${P.rows}), final cost ${costs.at(-1)!.toFixed(5)}`);
      expect(testAcc).toBeGreaterThanOrEqual(0.95);
    });
  });
});

describe.skipIf(!HAS_NATIVE)('native and reference agree', () => {
  it('after 1000 iterations: weights, bias and every recorded cost to 1e-12 relative', () => {
    const { X, y } = randomLogisticData(11, 500, 8);
    const opts = { learningRate: 0.5, iterations: 1000, recordEvery: 10 };
    const nat = new LogisticRegression({ ...opts, backend: 'native' });
    const ref = new LogisticRegression({ ...opts, backend: 'reference' });
    const rn = nat.fitSync(X, y), rr = ref.fitSync(X, y);
    expect(rn.epochs).toBe(1000);
    expect(rr.epochs).toBe(1000);
    expect(rn.costs.length).toBe(100);
    expect(rr.costs.length).toBe(100);
    // Why 1e-12 is reachable: both backends run the same algorithm with the same operations in float64;
    // only the summation order differs (blocked dgemv vs. plain loops), a relative perturbation of
    // ~m·ε ≈ 1e-15 per gradient. Gradient descent with a step below 2/L is a contraction on this smooth
    // convex problem, so those perturbations do not grow: after 1000 steps they add up to at most
    // ~1000 · 1e-15 = 1e-12 in the worst (all-same-sign) case and far less in practice.
    let worst = 0;
    for (let i = 0; i < 100; i++) worst = Math.max(worst, relErr(rn.costs[i]!, rr.costs[i]!));
    const wn = nat.weights, wr = ref.weights;
    for (let k = 0; k < 8; k++) worst = Math.max(worst, relErr(wn[k]!, wr[k]!));
    worst = Math.max(worst, relErr(nat.bias, ref.bias));
    console.log(`native vs reference after 1000 iterations: largest relative difference ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-12);
    // And the parameters are not trivially equal because nothing moved: the fit learned something.
    expect(rn.costs.at(-1)!).toBeLessThan(0.9 * rn.costs[0]!);
  });
});
