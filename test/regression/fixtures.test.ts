// Golden fixtures from an independent float64 implementation (tools/gen_fixtures.py, plain Python
// with math.fsum): both backends must reproduce the costs, gradients and parameters after k steps,
// with and without sample weights, and L-BFGS must reach the optimum a Newton solver found.
// Tolerance: |got − want| ≤ 1e-12 + 1e-10·|want|. The relative part is the 1e-10 the project asks
// for; the absolute floor is for entries that are themselves ~1e-5 or smaller, where cancellation
// in a sum of O(1) terms leaves differences of a few ulps of the terms (~1e-16) regardless of the
// entry's size. The fixtures differ from blasnet only in summation order (fsum is exact-rounded).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { info, LogisticRegression, Matrix, NeuralNetwork, type HiddenActivationName, type ActivationOption } from '../../lib/index.js';

const dir = join(import.meta.dirname, 'fixtures');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const backends = info().backend === 'native' ? (['native', 'reference'] as const) : (['reference'] as const);

interface M { rows: number; cols: number; data: number[] }
const mat = (m: M) => new Matrix(m.rows, m.cols, Float64Array.from(m.data));

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, `${what} length`).toBe(want.length);
  let worst = 0, at = -1;
  for (let k = 0; k < want.length; k++) {
    const excess = Math.abs(got[k]! - want[k]!) - (1e-12 + 1e-10 * Math.abs(want[k]!));
    if (!(excess <= worst)) { worst = excess; at = k; }
  }
  expect(at, `${what}[${at}]: got ${got[at]}, want ${want[at]}`).toBe(-1);
}

describe.each(backends)('regression fixtures on the %s backend', (backend) => {
  for (const file of files) {
    const fx = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    if (fx.kind === 'logistic') {
      it(`${file}: cost, gradients, recorded costs and parameters`, () => {
        const X = mat(fx.X), y = Float64Array.from(fx.y);
        const model = new LogisticRegression({ learningRate: fx.learningRate, iterations: fx.iterations, recordEvery: fx.recordEvery, backend });
        model.setParameters({ weights: fx.initial.w, bias: fx.initial.b });
        const sampleWeight = fx.sampleWeight as number[] | undefined;
        const g = model.costAndGradients(X, y, { sampleWeight });
        expectClose([g.cost], [fx.expected.cost0], 'cost0');
        expectClose(g.dw, fx.expected.dw0, 'dw0');
        expectClose([g.db], [fx.expected.db0], 'db0');
        const { costs } = model.fitSync(X, y, { warmStart: true, sampleWeight });
        expectClose(costs, fx.expected.costs, 'costs');
        expectClose(model.weights, fx.expected.w, 'w');
        expectClose([model.bias], [fx.expected.b], 'b');
      });
    } else if (fx.kind === 'logistic-optimum') {
      // The optimum J* of L2-regularized logistic regression at λ = 1/(C·n), from Newton's method in
      // the generator. L-BFGS at tolerance 1e-10 must reach it within 1e-8 relative in cost (the
      // issue's bar); it lands much closer, since J − J* ~ ‖∇J‖²/(2μ).
      it(`${file}: L-BFGS reaches the Newton optimum within 1e-8 relative in cost`, () => {
        const data = fx.data ? JSON.parse(readFileSync(join(dir, fx.data), 'utf8')) : fx;
        const X = mat(data.X), y = Float64Array.from(data.y);
        const model = new LogisticRegression({ solver: 'lbfgs', l2: fx.l2, tolerance: 1e-10, maxIterations: 500, backend });
        const r = model.fitSync(X, y);
        expect(['gradient', 'cost-change']).toContain(r.reason);
        expect(Math.abs(r.finalCost! - fx.expected.cost) / fx.expected.cost).toBeLessThanOrEqual(1e-8);
        expect(model.costAndGradients(X, y).cost).toBe(r.finalCost);
        // The parameters themselves: within 1e-5 of the optimum (the cost is flat to second order).
        const dw = model.weights.map((w, k) => Math.abs(w - fx.expected.w[k]));
        expect(Math.max(...dw, Math.abs(model.bias - fx.expected.b))).toBeLessThan(1e-5);
      });
    } else {
      it(`${file}: cost, gradients, costs and parameters after ${fx.iterations} steps`, () => {
        const X = mat(fx.X), Y = mat(fx.Y);
        // The fixtures are the raw mse model: no target standardization.
        const net = new NeuralNetwork({
          layers: fx.layers, hidden: fx.hidden as ActivationOption<HiddenActivationName>[], output: fx.output, loss: fx.loss, backend,
          ...(fx.loss === 'mse' ? { standardizeTargets: false } : {}),
        });
        net.setParameters({ W: fx.initial.W, b: fx.initial.b });
        const sampleWeight = fx.sampleWeight as number[] | undefined;
        const g = net.costAndGradients(X, Y, { l2: fx.l2, sampleWeight });
        expectClose([g.cost], [fx.expected.cost0], 'cost0');
        g.dW.forEach((dW, l) => expectClose(dW, fx.expected.dW0[l], `dW0[${l}]`));
        g.db.forEach((db, l) => expectClose(db, fx.expected.db0[l], `db0[${l}]`));
        // From the fixture's parameters (warmStart), full batch, every step recorded, no early stopping.
        const { costs } = net.fitSync(X, Y, {
          epochs: fx.iterations, learningRate: fx.learningRate, optimizer: fx.optimizer, l2: fx.l2, sampleWeight,
          warmStart: true, batchSize: 0, recordEvery: 1, earlyStopping: false,
        });
        expectClose(costs, fx.expected.costs, 'costs');
        const p = net.parameters;
        p.W.forEach((W, l) => expectClose(W, fx.expected.W[l], `W[${l}]`));
        p.b.forEach((b, l) => expectClose(b, fx.expected.b[l], `b[${l}]`));
      });
    }
  }
});
