// Parameter updates for one flat θ, the twin of native/optim.cc: gd, momentum, adam and L-BFGS
// (two-loop recursion, strong-Wolfe line search), the same expressions in the same order. No model
// knowledge here, and nothing allocated per step.

import type { OptimConfig } from '../train-types.js';

export type { OptimConfig, OptimizerName } from '../train-types.js';

export function dot(a: Float64Array, b: Float64Array, n: number, aOff = 0, bOff = 0): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += a[aOff + k]! * b[bOff + k]!;
  return s;
}

export function normInf(a: Float64Array): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]!));
  return m;
}

/** The state a first-order optimizer steps, as native FirstOrder's m, v, t: owned by the fit's TrainState. */
export interface FirstOrderState {
  /** P: momentum's velocity v or Adam's first moment m (empty for gd). */
  m: Float64Array;
  /** P: Adam's second moment v (empty otherwise). */
  v: Float64Array;
  /** Steps this state has taken (Adam's t), advanced per step. */
  steps: number;
}

/**
 * gd: θ ← θ − α g; momentum: v ← βv + g, θ ← θ − αv; adam: m ← β1 m + (1−β1) g,
 * v ← β2 v + (1−β2) g², θ ← θ − α m̂ / (√v̂ + ε) with m̂ = m·(1/(1−β1^t)), v̂ = v·(1/(1−β2^t)).
 * The state is not owned: it is the fit's (a warm start hands in the previous fit's).
 */
export class FirstOrder {
  readonly #cfg: OptimConfig;
  readonly #state: FirstOrderState;
  readonly #m: Float64Array;
  readonly #v: Float64Array;

  constructor(cfg: OptimConfig, state: FirstOrderState) {
    this.#cfg = cfg;
    this.#state = state;
    this.#m = state.m;
    this.#v = state.v;
  }

  /** θ ← one step with gradient g and step size lr. False when θ became non-finite (the fit diverged: its caller discards θ). */
  step(theta: Float64Array, g: Float64Array, lr: number): boolean {
    const cfg = this.#cfg, P = theta.length;
    let finite = true;
    const t = ++this.#state.steps;
    if (cfg.optimizer === 'momentum') {
      const v = this.#m;
      for (let k = 0; k < P; k++) {
        v[k] = cfg.beta * v[k]! + g[k]!;
        const next = theta[k]! - lr * v[k]!;
        theta[k] = next;
        if (!Number.isFinite(next)) finite = false;
      }
    } else if (cfg.optimizer === 'adam') {
      const b1 = cfg.beta1, b2 = cfg.beta2, eps = cfg.eps;
      // The bias corrections as reciprocals, as native/optim.cc (one division per parameter).
      const r1 = 1 / (1 - Math.pow(b1, t)), r2 = 1 / (1 - Math.pow(b2, t));
      const m = this.#m, v = this.#v;
      for (let k = 0; k < P; k++) {
        m[k] = b1 * m[k]! + (1 - b1) * g[k]!;
        v[k] = b2 * v[k]! + (1 - b2) * g[k]! * g[k]!;
        const mhat = m[k]! * r1, vhat = v[k]! * r2;
        const next = theta[k]! - (lr * mhat) / (Math.sqrt(vhat) + eps);
        theta[k] = next;
        if (!Number.isFinite(next)) finite = false;
      }
    } else {
      for (let k = 0; k < P; k++) {
        const next = theta[k]! - lr * g[k]!;
        theta[k] = next;
        if (!Number.isFinite(next)) finite = false;
      }
    }
    return finite;
  }
}

/** f(θ, g): J at θ, g (overwritten) = ∂J/∂θ, and whether every value was finite. */
export type CostGradFn = (theta: Float64Array, g: Float64Array) => { cost: number; finite: boolean };

export type LbfgsResult = 'ok' | 'line-search-failed' | 'not-finite';

/** The minimizer of the cubic through (a, fa, ga), (b, fb, gb), kept a tenth of the interval inside it. */
function cubicStep(a: number, fa: number, ga: number, b: number, fb: number, gb: number): number {
  const lo = Math.min(a, b), hi = Math.max(a, b), width = hi - lo;
  const d1 = ga + gb - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - ga * gb;
  let t = 0.5 * (a + b);
  if (Number.isFinite(disc) && disc >= 0) {
    const d2 = (b > a ? 1 : -1) * Math.sqrt(disc);
    const c = b - (b - a) * ((gb + d2 - d1) / (gb - ga + 2 * d2));
    if (Number.isFinite(c)) t = c;
  }
  return Math.min(Math.max(t, lo + 0.1 * width), hi - 0.1 * width);
}

/**
 * L-BFGS (Nocedal & Wright algorithms 7.4, 3.5, 3.6), the twin of native Lbfgs: d = −H g by the
 * two-loop recursion over the last `memory` pairs, then a strong-Wolfe line search (c1 = 1e-4, c2 = 0.9).
 */
export class Lbfgs {
  readonly #P: number;
  readonly #memory: number;
  readonly #S: Float64Array;
  readonly #Y: Float64Array;
  readonly #rho: Float64Array;
  readonly #a: Float64Array;
  readonly #d: Float64Array;
  readonly #x: Float64Array;
  readonly #gx: Float64Array;
  #count = 0;
  #head = 0;
  evaluations = 0;

  constructor(nParams: number, memory: number) {
    this.#P = nParams;
    this.#memory = Math.max(1, memory);
    this.#S = new Float64Array(this.#memory * nParams);
    this.#Y = new Float64Array(this.#memory * nParams);
    this.#rho = new Float64Array(this.#memory);
    this.#a = new Float64Array(this.#memory);
    this.#d = new Float64Array(nParams);
    this.#x = new Float64Array(nParams);
    this.#gx = new Float64Array(nParams);
  }

  #direction(g: Float64Array): void {
    const P = this.#P, q = this.#d, S = this.#S, Y = this.#Y, M = this.#memory;
    q.set(g);
    for (let i = this.#count - 1; i >= 0; i--) {
      const slot = (this.#head + i) % M;
      const a = this.#rho[slot]! * dot(S, q, P, slot * P, 0);
      this.#a[slot] = a;
      for (let k = 0; k < P; k++) q[k] -= a * Y[slot * P + k]!;
    }
    if (this.#count > 0) {
      const newest = (this.#head + this.#count - 1) % M;
      const gamma = (1 / this.#rho[newest]!) / dot(Y, Y, P, newest * P, newest * P);
      for (let k = 0; k < P; k++) q[k] *= gamma;
    }
    for (let i = 0; i < this.#count; i++) {
      const slot = (this.#head + i) % M;
      const b = this.#rho[slot]! * dot(Y, q, P, slot * P, 0);
      const c = this.#a[slot]! - b;
      for (let k = 0; k < P; k++) q[k] += c * S[slot * P + k]!;
    }
    for (let k = 0; k < P; k++) q[k] = -q[k]!;
  }

  #evaluate(theta: Float64Array, alpha: number, fg: CostGradFn): { f: number; finite: boolean } {
    const x = this.#x, d = this.#d;
    for (let k = 0; k < this.#P; k++) x[k] = theta[k]! + alpha * d[k]!;
    this.evaluations++;
    const r = fg(x, this.#gx);
    return { f: r.cost, finite: r.finite && Number.isFinite(r.cost) };
  }

  /** One iteration from θ with J(θ) = state.f and gradient g; on 'ok' θ, state.f and g describe the accepted point. */
  iterate(theta: Float64Array, state: { f: number }, g: Float64Array, fg: CostGradFn): LbfgsResult {
    const P = this.#P, d = this.#d, gx = this.#gx, x = this.#x;
    const c1 = 1e-4, c2 = 0.9, maxBracket = 25, maxZoom = 30;
    this.#direction(g);
    let dg0 = dot(g, d, P);
    if (!(dg0 < 0)) {
      this.#count = 0;
      this.#head = 0;
      for (let k = 0; k < P; k++) d[k] = -g[k]!;
      dg0 = dot(g, d, P);
      if (!(dg0 < 0)) return 'line-search-failed';
    }
    const f0 = state.f;
    let alpha = this.#count === 0 ? Math.min(1, 1 / Math.sqrt(dot(d, d, P))) : 1;
    let aPrev = 0, fPrev = f0, gPrev = dg0;
    let lo = 0, fLo = f0, gLo = dg0, hi = 0, fHi = 0, gHi = 0;
    let found = false, zoom = false, fa = f0;
    for (let i = 0; i < maxBracket && !found && !zoom; i++) {
      const e = this.#evaluate(theta, alpha, fg);
      fa = e.f;
      if (!e.finite) {
        alpha = aPrev + 0.5 * (alpha - aPrev);
        continue;
      }
      const ga = dot(gx, d, P);
      if (fa > f0 + c1 * alpha * dg0 || (i > 0 && fa >= fPrev)) {
        lo = aPrev; fLo = fPrev; gLo = gPrev; hi = alpha; fHi = fa; gHi = ga;
        zoom = true;
      } else if (Math.abs(ga) <= -c2 * dg0) {
        found = true;
      } else if (ga >= 0) {
        lo = alpha; fLo = fa; gLo = ga; hi = aPrev; fHi = fPrev; gHi = gPrev;
        zoom = true;
      } else {
        aPrev = alpha; fPrev = fa; gPrev = ga;
        alpha *= 2;
      }
    }
    let atLo = false;
    for (let j = 0; zoom && !found && j < maxZoom; j++) {
      if (Math.abs(hi - lo) <= 1e-16 * Math.max(1, Math.abs(lo))) break;
      alpha = cubicStep(lo, fLo, gLo, hi, fHi, gHi);
      const e = this.#evaluate(theta, alpha, fg);
      fa = e.f;
      atLo = false;
      if (!e.finite) {
        hi = alpha; fHi = Infinity; gHi = NaN;
        continue;
      }
      const ga = dot(gx, d, P);
      if (fa > f0 + c1 * alpha * dg0 || fa >= fLo) {
        hi = alpha; fHi = fa; gHi = ga;
      } else {
        if (Math.abs(ga) <= -c2 * dg0) {
          found = true;
          break;
        }
        if (ga * (hi - lo) >= 0) { hi = lo; fHi = fLo; gHi = gLo; }
        lo = alpha; fLo = fa; gLo = ga;
        atLo = true;
      }
    }
    if (!found) {
      if (!(lo > 0 && fLo < f0)) return 'line-search-failed';
      if (!atLo) {
        const e = this.#evaluate(theta, lo, fg);
        if (!e.finite) return 'not-finite';
      }
      fa = fLo;
    }
    let sy = 0;
    for (let k = 0; k < P; k++) sy += (x[k]! - theta[k]!) * (gx[k]! - g[k]!);
    if (sy > 0 && Number.isFinite(sy)) {
      const M = this.#memory;
      const slot = this.#count < M ? (this.#head + this.#count) % M : this.#head;
      for (let k = 0; k < P; k++) {
        this.#S[slot * P + k] = x[k]! - theta[k]!;
        this.#Y[slot * P + k] = gx[k]! - g[k]!;
      }
      this.#rho[slot] = 1 / sy;
      if (this.#count < M) this.#count++;
      else this.#head = (this.#head + 1) % M;
    }
    theta.set(x);
    g.set(gx);
    state.f = fa;
    return 'ok';
  }
}
