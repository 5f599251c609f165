#!/usr/bin/env python3
"""Golden regression fixtures for blasnet: an independent float64 reference in plain numpy.

Owns test/regression/fixtures/*.json. It must never import or call blasnet: it re-derives
everything from docs/math.md (the specification) so the tests compare two
implementations written from the page, not one implementation against itself.

    /usr/bin/python3 tools/gen_fixtures.py            # (re)write every fixture
    /usr/bin/python3 tools/gen_fixtures.py --check    # regenerate in memory, compare bytes

Determinism. Every random draw comes from numpy.random.default_rng with a fixed seed per
fixture. Arithmetic is arranged so that the result does not depend on the BLAS or the CPU's
SIMD level: numpy is used only for elementwise + - * / and sqrt (IEEE-exact per element),
every sum and every matrix product is a correctly rounded math.fsum, and exp / log1p / log /
tanh go through Python's math module (the platform libm) one element at a time. Fixtures are
therefore byte-identical wherever the libm is (glibc on x86-64 here); see tools/README.md.
"""

import argparse
import json
import math
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE_DIR = os.path.join(ROOT, "test", "regression", "fixtures")
# The project's own copy of /work/shared/data/breast_cancer.csv (byte-identical to it).
BREAST_CANCER = os.path.join(ROOT, "data", "breast_cancer.csv")

F64 = np.float64


# ---------------------------------------------------------------------------------------------
# Exact-order-independent primitives
# ---------------------------------------------------------------------------------------------

def _check64(*arrays):
    for a in arrays:
        if not (isinstance(a, np.ndarray) and a.dtype == F64):
            raise TypeError(f"float64 ndarray expected, got {type(a).__name__} "
                            f"{getattr(a, 'dtype', '')}")


def mm(A, B):
    """A (p × q) @ B (q × r) -> (p × r); each entry a correctly rounded fsum of q products."""
    _check64(A, B)
    p, q = A.shape
    q2, r = B.shape
    assert q == q2, (A.shape, B.shape)
    # P[i, j, k] = A[i, k] * B[k, j]: each product rounded once, then summed exactly.
    P = A[:, None, :] * B.T[None, :, :]
    flat = P.reshape(p * r, q).tolist()
    return np.array([math.fsum(row) for row in flat], dtype=F64).reshape(p, r)


def row_sums(A):
    """A (p × n) -> (p,) correctly rounded row sums."""
    _check64(A)
    return np.array([math.fsum(row) for row in A.tolist()], dtype=F64)


def total(A):
    """Correctly rounded sum of every entry of A."""
    _check64(A)
    return math.fsum(A.ravel().tolist())


def vmap(f, A):
    """Apply a scalar math-module function to every entry (platform libm, no SIMD variants)."""
    _check64(A)
    return np.array([f(x) for x in A.ravel().tolist()], dtype=F64).reshape(A.shape)


# ---------------------------------------------------------------------------------------------
# Scalar functions (docs/math.md, "Numerically safe forms" and "Activations and derivatives")
# ---------------------------------------------------------------------------------------------

def sigmoid1(z):
    # Overflow-free σ: 1/(1+e^(−z)) for z ≥ 0, e^z/(1+e^z) for z < 0.
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def softplus1(t):
    # softplus(t) = max(t, 0) + log1p(e^(−|t|)); finite for every finite t.
    return max(t, 0.0) + math.log1p(math.exp(-abs(t)))


def parse_activation(spec):
    """'tanh' | 'leaky-relu' | {'name': 'leaky-relu', 'alpha': 0.05} -> (name, alpha)."""
    if isinstance(spec, str):
        return spec, (0.01 if spec == "leaky-relu" else None)
    name = spec["name"]
    alpha = spec.get("alpha", 0.01 if name == "leaky-relu" else None)
    return name, alpha


def act_forward(name, alpha, Z):
    if name == "sigmoid":
        return vmap(sigmoid1, Z)
    if name == "tanh":
        return vmap(math.tanh, Z)
    if name == "relu":
        return np.where(Z > 0.0, Z, 0.0)
    if name == "leaky-relu":
        return np.where(Z > 0.0, Z, alpha * Z)
    if name == "linear":
        return Z.copy()
    if name == "softmax":
        # Per example (column): subtract the column max, exponentiate, normalize.
        A = np.empty_like(Z)
        for j in range(Z.shape[1]):
            z = Z[:, j]
            e = vmap(math.exp, z - z.max())
            A[:, j] = e / math.fsum(e.tolist())
        return A
    raise ValueError(f"unknown activation {name!r}")


def act_derivative(name, alpha, Z, A):
    """g′ as an array shaped like Z (from z or from a = g(z), per docs/math.md)."""
    if name == "sigmoid":
        return A * (1.0 - A)
    if name == "tanh":
        return 1.0 - A * A
    if name == "relu":
        return np.where(Z > 0.0, 1.0, 0.0)          # g′(0) = 0
    if name == "leaky-relu":
        return np.where(Z > 0.0, 1.0, alpha)
    if name == "linear":
        return np.ones_like(Z)
    raise ValueError(f"no elementwise derivative for {name!r}")


# ---------------------------------------------------------------------------------------------
# Logistic regression (docs/math.md, "Logistic regression"). Xt is the formulas' s0 × n layout.
# ---------------------------------------------------------------------------------------------

def logistic_cost_grad(Xt, y, w, b, weight=None, l2=0.0):
    """J, dw (s0,), db and z (n,) at (w, b).

    With weight (n,): J = Σ w_j L_j / Σ w_j and its gradient (docs/math.md, "Sample and class
    weights"). With l2 = λ:
    J += (λ/2)‖w‖², dw += λ w; the bias is not penalized.
    """
    n = Xt.shape[1]
    z = mm(w[None, :], Xt)[0] + b                                  # z = wᵀX + b   (1 × n)
    loss = vmap(softplus1, z) - y * z                              # softplus(z) − y z
    dz = vmap(sigmoid1, z) - y                                     # dz = σ(z) − y
    if weight is None:
        J = math.fsum(loss.tolist()) / n                           # a scalar (erratum 3)
        dw = mm(Xt, dz[:, None])[:, 0] / n                         # (1/n) X dzᵀ, n not m (erratum 1)
        db = math.fsum(dz.tolist()) / n
    else:
        W = math.fsum(weight.tolist())
        J = math.fsum((weight * loss).tolist()) / W
        dzw = weight * dz
        dw = mm(Xt, dzw[:, None])[:, 0] / W
        db = math.fsum(dzw.tolist()) / W
    if l2 != 0.0:
        J += (l2 / 2.0) * math.fsum((w * w).tolist())
        dw = dw + l2 * w
    return J, dw, db, z


def logistic_fit(Xt, y, w0, b0, alpha, iterations, record_every, on_step=None, weight=None):
    w, b = w0.copy(), float(b0)
    costs = []
    for i in range(iterations):
        J, dw, db, z = logistic_cost_grad(Xt, y, w, b, weight)
        if not math.isfinite(J):
            raise FloatingPointError(f"non-finite cost at iteration {i}")
        if on_step:
            on_step(i, z)
        if i % record_every == 0:
            costs.append(J)                                        # J before the step
        w = w - alpha * dw
        b = b - alpha * db
    return costs, w, b


# ---------------------------------------------------------------------------------------------
# Dense network, any depth (docs/math.md, "Dense networks: forward and backward")
# ---------------------------------------------------------------------------------------------

class Net:
    def __init__(self, hidden, output, loss, l2, weight=None):
        self.acts = [parse_activation(h) for h in hidden] + [(output, None)]
        self.output, self.loss, self.l2 = output, loss, l2
        self.weight = weight  # (n,) sample weights: J = Σ w_j L_j / Σ w_j, or None
        if loss == "cross-entropy" and output not in ("sigmoid", "softmax"):
            raise ValueError("cross-entropy needs a sigmoid or softmax output")
        if loss == "mse" and output == "softmax":
            raise ValueError("mse with softmax is not a fixture pair")

    def forward(self, X0, W, b):
        """Z[l], A[l] for l = 1..L (index 0 of each list is layer 1); A[0] = X0 is s0 × n."""
        Zs, As = [], [X0]
        for l, (name, alpha) in enumerate(self.acts):
            Z = mm(W[l], As[-1]) + b[l][:, None]                  # Z = W A[l−1] + b 1ᵀ
            Zs.append(Z)
            As.append(act_forward(name, alpha, Z))
        return Zs, As

    def data_loss_total(self, ZL, AL, Y):
        """Σ over examples of the per-example loss (not yet divided by n)."""
        if self.loss == "mse":
            D = AL - Y
            return total(0.5 * D * D)                              # ½ Σ_i (a_i − y_i)²
        if self.output == "sigmoid":
            return total(vmap(softplus1, ZL) - Y * ZL)             # Σ_i softplus(z_i) − y_i z_i
        # softmax: logsumexp(z) − Σ_i y_i z_i, column max subtracted
        per = []
        for j in range(ZL.shape[1]):
            z, y = ZL[:, j], Y[:, j]
            m = float(z.max())
            lse = m + math.log(math.fsum(vmap(math.exp, z - m).tolist()))
            per.append(lse - math.fsum((y * z).tolist()))
        return math.fsum(per)

    def data_loss_weighted(self, ZL, AL, Y):
        """Σ_j w_j L_j / Σ_j w_j, each example's loss an fsum over its outputs."""
        per = []
        for j in range(ZL.shape[1]):
            z, a, y = ZL[:, j:j + 1], AL[:, j:j + 1], Y[:, j:j + 1]
            per.append(self.weight[j] * self.data_loss_total(z, a, y))
        return math.fsum(per) / math.fsum(self.weight.tolist())

    def cost(self, X0, Y, W, b):
        n = X0.shape[1]
        Zs, As = self.forward(X0, W, b)
        if self.weight is None:
            J = self.data_loss_total(Zs[-1], As[-1], Y) / n
        else:
            J = self.data_loss_weighted(Zs[-1], As[-1], Y)
        if self.l2 != 0.0:
            J += (self.l2 / 2.0) * math.fsum(total(Wl * Wl) for Wl in W)   # weights only
        return J, Zs, As

    def cost_grad(self, X0, Y, W, b):
        n = X0.shape[1]
        J, Zs, As = self.cost(X0, Y, W, b)
        L = len(W)
        name, alpha = self.acts[-1]
        if self.loss == "cross-entropy":
            delta = As[-1] - Y                                     # δ[L] = A − Y
        else:
            delta = (As[-1] - Y) * act_derivative(name, alpha, Zs[-1], As[-1])
        if self.weight is not None:
            # ∂J/∂Z[L] of the weighted mean: δ_j w_j / Σ w; the (1/n) below then divides by Σ w instead
            delta = delta * self.weight[None, :]
            n = math.fsum(self.weight.tolist())
        dW, db = [None] * L, [None] * L
        for l in range(L - 1, -1, -1):
            dW[l] = mm(delta, As[l].T) / n                         # (1/n) δ[l] A[l−1]ᵀ
            if self.l2 != 0.0:
                dW[l] = dW[l] + self.l2 * W[l]
            db[l] = row_sums(delta) / n                            # (1/n) δ[l] 1
            if l > 0:
                hname, halpha = self.acts[l - 1]
                # δ[l] = (W[l+1]ᵀ δ[l+1]) ⊙ g′(Z[l])
                delta = mm(W[l].T, delta) * act_derivative(hname, halpha, Zs[l - 1], As[l])
        return J, dW, db, Zs


class Optimizer:
    """One full-batch step per call; state per parameter array (weights and biases alike)."""

    def __init__(self, kind, lr, params, beta=0.9, beta1=0.9, beta2=0.999, eps=1e-8):
        self.kind, self.lr = kind, lr
        self.beta, self.beta1, self.beta2, self.eps = beta, beta1, beta2, eps
        self.v = [np.zeros_like(p) for p in params]
        self.m = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, params, grads):
        if self.kind == "gd":
            return [p - self.lr * g for p, g in zip(params, grads)]
        if self.kind == "momentum":
            self.v = [self.beta * v + g for v, g in zip(self.v, grads)]
            return [p - self.lr * v for p, v in zip(params, self.v)]
        if self.kind == "adam":
            self.t += 1                                            # t = 1 on the first step
            b1, b2 = self.beta1, self.beta2
            self.m = [b1 * m + (1.0 - b1) * g for m, g in zip(self.m, grads)]
            self.v = [b2 * v + (1.0 - b2) * (g * g) for v, g in zip(self.v, grads)]
            c1, c2 = 1.0 - b1 ** self.t, 1.0 - b2 ** self.t
            out = []
            for p, m, v in zip(params, self.m, self.v):
                mhat, vhat = m / c1, v / c2
                out.append(p - self.lr * mhat / (np.sqrt(vhat) + self.eps))
            return out
        raise ValueError(f"unknown optimizer {self.kind!r}")


def network_fit(net, X0, Y, W0, b0, optimizer, lr, iterations):
    L = len(W0)
    W, b = [w.copy() for w in W0], [v.copy() for v in b0]
    opt = Optimizer(optimizer, lr, W + b)
    costs, Zhist = [], []
    for i in range(iterations):
        J, dW, db, Zs = net.cost_grad(X0, Y, W, b)
        if not math.isfinite(J):
            raise FloatingPointError(f"non-finite cost at iteration {i}")
        costs.append(J)                                            # J before the step
        Zhist.append(Zs)
        new = opt.step(W + b, dW + db)
        W, b = new[:L], new[L:]
    Zhist.append(net.forward(X0, W, b)[0])                        # the returned parameters too
    return costs, W, b, Zhist


# ---------------------------------------------------------------------------------------------
# Self-checks: central differences (docs/math.md, "Checking gradients")
# ---------------------------------------------------------------------------------------------

def _fd_ok(g, g_num):
    rel = abs(g - g_num) / max(abs(g), abs(g_num), 1e-12)
    return rel < 1e-6 or abs(g - g_num) < 1e-9, rel


def fd_check_network(name, net, X0, Y, W, b, dW, db, h=1e-5):
    worst = 0.0
    for group, grads in ((W, dW), (b, db)):
        for l in range(len(group)):
            P = group[l]
            for idx in np.ndindex(P.shape):
                orig = P[idx]
                P[idx] = orig + h
                Jp = net.cost(X0, Y, W, b)[0]
                P[idx] = orig - h
                Jm = net.cost(X0, Y, W, b)[0]
                P[idx] = orig
                ok, rel = _fd_ok(float(grads[l][idx]), (Jp - Jm) / (2 * h))
                if not ok:
                    raise AssertionError(f"{name}: gradient check failed at layer {l + 1} "
                                         f"{idx}: rel err {rel:.3g}")
                worst = max(worst, rel)
    return worst


def fd_check_logistic(name, Xt, y, w, b, dw, db, h=1e-5, weight=None, l2=0.0):
    for k in range(len(w) + 1):
        wp, wm, bp, bm = w.copy(), w.copy(), b, b
        if k < len(w):
            wp[k] += h
            wm[k] -= h
            g = float(dw[k])
        else:
            bp, bm, g = b + h, b - h, db
        g_num = (logistic_cost_grad(Xt, y, wp, bp, weight, l2)[0] - logistic_cost_grad(Xt, y, wm, bm, weight, l2)[0]) / (2 * h)
        ok, rel = _fd_ok(g, g_num)
        if not ok:
            raise AssertionError(f"{name}: logistic gradient check failed at {k}: rel {rel:.3g}")


# ---------------------------------------------------------------------------------------------
# JSON: flat row-major arrays, Python floats only, repr precision (round-trips), no NaN/Inf
# ---------------------------------------------------------------------------------------------

def flat(a):
    """ndarray float64 -> flat row-major list of Python floats."""
    _check64(a)
    out = np.ascontiguousarray(a).ravel(order="C").tolist()
    assert all(type(v) is float for v in out)
    return out


def mat(a):
    """2-D float64 array -> {"rows", "cols", "data"} (row-major)."""
    assert a.ndim == 2
    return {"rows": int(a.shape[0]), "cols": int(a.shape[1]), "data": flat(a)}


def pyfloat(x):
    if not isinstance(x, (float, np.float64)) or isinstance(x, np.float32):
        raise TypeError(f"float64 scalar expected, got {type(x).__name__}")
    return float(x)


def _scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if type(v) is int:
        return str(v)
    if type(v) is float:                 # exactly float: numpy scalars must be converted first
        if not math.isfinite(v):
            raise ValueError("non-finite float in fixture")
        return repr(v)                   # shortest string that round-trips to the same double
    if type(v) is str:
        return json.dumps(v, ensure_ascii=True)
    raise TypeError(f"cannot serialize {type(v).__name__} {v!r}")


PER_LINE = 6


def dumps(v, indent=0):
    """Deterministic JSON: one key per line, number arrays wrapped PER_LINE to a line."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(v, dict):
        if not v:
            return "{}"
        items = [f"{inner}{json.dumps(k)}: {dumps(x, indent + 1)}" for k, x in v.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(v, list):
        if all(not isinstance(x, (dict, list)) for x in v):
            parts = [_scalar(x) for x in v]
            if len(parts) <= PER_LINE:
                return "[" + ", ".join(parts) + "]"
            lines = [", ".join(parts[i:i + PER_LINE]) for i in range(0, len(parts), PER_LINE)]
            return "[\n" + inner + (",\n" + inner).join(lines) + "\n" + pad + "]"
        return "[\n" + ",\n".join(inner + dumps(x, indent + 1) for x in v) + "\n" + pad + "]"
    return _scalar(v)


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------

def logistic_fixture(description, X, y, alpha, iterations, record_every, w0, b0, on_step=None, weight=None):
    """X is n × s0 (examples as rows)."""
    Xt = np.ascontiguousarray(X.T)
    J0, dw0, db0, _ = logistic_cost_grad(Xt, y, w0, b0, weight)
    costs, w, b = logistic_fit(Xt, y, w0, b0, alpha, iterations, record_every, on_step, weight)
    assert costs[0] == J0
    extra = {} if weight is None else {"sampleWeight": flat(weight)}
    return J0, dw0, db0, {
        "kind": "logistic",
        "description": description,
        "X": mat(X),
        "y": flat(y),
        **extra,
        "learningRate": pyfloat(alpha),
        "iterations": int(iterations),
        "recordEvery": int(record_every),
        "initial": {"w": flat(w0), "b": pyfloat(b0)},
        "expected": {
            "cost0": pyfloat(J0),
            "dw0": flat(dw0),
            "db0": pyfloat(db0),
            "costs": [pyfloat(c) for c in costs],
            "w": flat(w),
            "b": pyfloat(b),
        },
    }


def fixture_logistic_random():
    seed = 101
    rng = np.random.default_rng(seed)
    n, m = 40, 5
    X = rng.normal(0.0, 1.0, (n, m))
    w_true = rng.normal(0.0, 1.5, m)
    score = mm(X, w_true[:, None])[:, 0] + 0.3 + rng.normal(0.0, 0.7, n)
    y = np.where(score > 0.0, 1.0, 0.0)
    w0 = rng.normal(0.0, 0.5, m)
    b0 = float(rng.normal(0.0, 0.5))
    desc = (f"Random logistic regression: n={n}, m={m}, labels from a noisy linear teacher, "
            f"nonzero random initial w and b (default_rng({seed})); gradient descent with "
            "iterations not a multiple of recordEvery.")
    Xt = np.ascontiguousarray(X.T)
    J0, dw0, db0, fx = logistic_fixture(desc, X, y, 0.5, 23, 5, w0, b0)
    fd_check_logistic("logistic-random", Xt, y, w0, b0, dw0, db0)
    return "logistic-random.json", fx


def fixture_logistic_weighted():
    seed = 103
    rng = np.random.default_rng(seed)
    n, m = 36, 4
    X = rng.normal(0.0, 1.0, (n, m))
    w_true = rng.normal(0.0, 1.5, m)
    score = mm(X, w_true[:, None])[:, 0] - 0.4 + rng.normal(0.0, 0.8, n)
    y = np.where(score > 0.0, 1.0, 0.0)
    weight = rng.uniform(0.0, 3.0, n)
    weight[[3, 17, 29]] = 0.0                                      # rows that must not count at all
    w0 = rng.normal(0.0, 0.5, m)
    b0 = float(rng.normal(0.0, 0.5))
    desc = (f"Weighted logistic regression (issue 10): n={n}, m={m}, sample weights ~ U(0, 3) with "
            "rows 3, 17, 29 at weight 0; J = sum(w L) / sum(w); gradient descent from a random "
            f"start (default_rng({seed})).")
    Xt = np.ascontiguousarray(X.T)
    J0, dw0, db0, fx = logistic_fixture(desc, X, y, 0.5, 17, 4, w0, b0, weight=weight)
    fd_check_logistic("logistic-weighted", Xt, y, w0, b0, dw0, db0, weight=weight)
    return "logistic-weighted.json", fx


def solve(A, r):
    """x with A x = r: Gaussian elimination with partial pivoting on Python floats (A small, SPD)."""
    k = len(r)
    M = [list(map(float, A[i])) + [float(r[i])] for i in range(k)]
    for c in range(k):
        p = max(range(c, k), key=lambda i: abs(M[i][c]))
        M[c], M[p] = M[p], M[c]
        for i in range(c + 1, k):
            f = M[i][c] / M[c][c]
            if f != 0.0:
                M[i] = [a - f * b for a, b in zip(M[i], M[c])]
    x = [0.0] * k
    for i in range(k - 1, -1, -1):
        x[i] = (M[i][k] - math.fsum(M[i][j] * x[j] for j in range(i + 1, k))) / M[i][i]
    return np.array(x, dtype=F64)


def logistic_newton(Xt, y, l2, iterations=40):
    """The minimizer of J(w, b) = mean loss + (λ/2)‖w‖² by Newton's method with backtracking.

    H = (1/n) [X; 1] diag(σ(1 − σ)) [X; 1]ᵀ + λ diag(1, …, 1, 0). Stops when ‖∇J‖∞ < 1e-15 or a
    step no longer lowers J. Returns J*, w*, b*, ‖∇J‖∞ and the iterations taken.
    """
    m, n = Xt.shape
    Xa = np.vstack([Xt, np.ones((1, n))])                          # (m + 1) × n: the bias as a feature
    w, b = np.zeros(m), 0.0
    J, dw, db, z = logistic_cost_grad(Xt, y, w, b, None, l2)
    for it in range(iterations):
        g = np.concatenate([dw, [db]])
        if float(np.max(np.abs(g))) < 1e-15:
            break
        s = vmap(sigmoid1, z)
        D = s * (1.0 - s)
        H = mm(Xa * D[None, :], Xa.T) / n
        for k in range(m):
            H[k, k] += l2
        step = solve(H.tolist(), g.tolist())
        t = 1.0
        while True:
            w1, b1 = w - t * step[:m], b - t * float(step[m])
            J1, dw1, db1, z1 = logistic_cost_grad(Xt, y, w1, b1, None, l2)
            if J1 <= J or t < 1e-8:
                break
            t /= 2.0
        if not J1 < J and float(np.max(np.abs(np.concatenate([dw1, [db1]])))) >= float(np.max(np.abs(g))):
            break
        w, b, J, dw, db, z = w1, b1, J1, dw1, db1, z1
    gnorm = float(np.max(np.abs(np.concatenate([dw, [db]]))))
    return J, w, b, gnorm, it


def optimum_fixture(name, description, X, y, C, data_ref=None):
    """L2-regularized logistic regression at scikit-learn's C: λ = 1 / (C · n)."""
    n = X.shape[0]
    l2 = 1.0 / (C * n)
    Xt = np.ascontiguousarray(X.T)
    J, w, b, gnorm, its = logistic_newton(Xt, y, l2)
    assert gnorm < 1e-12, (name, gnorm)
    data = {"data": data_ref} if data_ref else {"X": mat(X), "y": flat(y)}
    return f"{name}.json", {
        "kind": "logistic-optimum",
        "description": description + f" Newton's method: {its} iterations, final max|grad J| {gnorm:.1e}.",
        **data,
        "C": pyfloat(C),
        "l2": pyfloat(l2),
        "expected": {"cost": pyfloat(J), "w": flat(w), "b": pyfloat(b)},
    }


def fixture_optimum_random():
    seed = 104
    rng = np.random.default_rng(seed)
    n, m = 150, 6
    X = rng.normal(0.0, 1.0, (n, m)) * np.array([1.0, 2.0, 0.5, 3.0, 1.0, 0.2])
    w_true = rng.normal(0.0, 1.0, m)
    y = np.where(mm(X, w_true[:, None])[:, 0] + 0.5 > 0.0, 1.0, 0.0)   # separable: C keeps the optimum finite
    desc = (f"The optimum of L2-regularized logistic regression on separable random data (n={n}, "
            f"m={m}, unequal feature scales, default_rng({seed})) at C = 0.5, i.e. lambda = 1/(C n); "
            "the bias is not penalized.")
    return optimum_fixture("logistic-optimum-random", desc, X, y, 0.5)


def fixture_optimum_breast_cancer():
    Xraw, y = load_breast_cancer(BREAST_CANCER)
    n, m = Xraw.shape
    X = np.empty_like(Xraw)
    for k in range(m):                                   # as fixture_seed_example
        col = Xraw[:, k]
        mean = math.fsum(col.tolist()) / n
        d = col - mean
        std = math.sqrt(math.fsum((d * d).tolist()) / n)
        X[:, k] = d / std
    desc = ("The optimum of L2-regularized logistic regression on the standardized breast-cancer "
            "data of seed-example.json (its X and y) at scikit-learn's default C = 1, i.e. "
            "lambda = 1/(C n); the bias is not penalized.")
    return optimum_fixture("logistic-optimum-breast-cancer", desc, X, y, 1.0, data_ref="seed-example.json")


def fixture_logistic_saturated():
    seed = 102
    rng = np.random.default_rng(seed)
    n, m = 16, 3
    w0 = np.array([2.0, -0.5, 0.25])
    b0 = 0.1
    X = rng.normal(0.0, 1.0, (n, m))
    # First feature sets z ≈ 2·x0: ±900..1000 (σ saturates, e^|z| overflows), ±40 (the seed's
    # log(1 − a) is already −∞ there), then ordinary examples.
    X[:6, 0] = [500.0, 450.0, -475.0, -425.0, 20.0, -20.0]
    X[6:, 0] = rng.normal(0.0, 1.5, n - 6)
    y = np.concatenate([[0.0, 1.0, 0.0, 1.0, 0.0, 1.0],
                        np.where(rng.random(n - 6) < 0.5, 1.0, 0.0)])

    seen = []

    def on_step(i, z):
        seen.append(float(np.max(np.abs(z))))
        if np.count_nonzero(np.abs(z) > 800.0) < 4:
            raise AssertionError("logistic-saturated: lost saturation")

    desc = ("Saturated logistic regression: examples 0-3 have |z| > 800 at every iteration "
            "(z ~ +1000 with y = 0 and z ~ -850 with y = 1 are misclassified, loss ~ |z|), "
            "examples 4-5 have |z| ~ 40 and are misclassified; the cost is large but finite. "
            "The seed's log(a) form gives inf/NaN here and a naive e^(-z) overflows. "
            f"Hand-set initial w, b; other data from default_rng({seed}).")
    Xt = np.ascontiguousarray(X.T)
    J0, dw0, db0, fx = logistic_fixture(desc, X, y, 2e-4, 8, 1, w0, b0, on_step)
    assert min(seen) > 800.0
    fd_check_logistic("logistic-saturated", Xt, y, w0, b0, dw0, db0)
    return "logistic-saturated.json", fx


def load_breast_cancer(path):
    with open(path, encoding="ascii") as f:
        lines = [ln.strip() for ln in f if ln.strip()]
    head = lines[0].split(",")
    n, m = int(head[0]), int(head[1])
    rows = [[float(t) for t in ln.split(",")] for ln in lines[1:]]
    assert len(rows) == n and all(len(r) == m + 1 for r in rows), "unexpected CSV shape"
    data = np.array(rows, dtype=F64)
    return data[:, :m], data[:, m].copy()


def fixture_seed_example():
    Xraw, y = load_breast_cancer(BREAST_CANCER)
    n, m = Xraw.shape
    X = np.empty_like(Xraw)
    for k in range(m):                                   # full data's mean and population std
        col = Xraw[:, k]
        mean = math.fsum(col.tolist()) / n
        d = col - mean
        std = math.sqrt(math.fsum((d * d).tolist()) / n)  # ddof = 0
        X[:, k] = d / std
    desc = ("The seed's section 1.1.1 listing with the MATH.md errata fixed: zeros "
            "initialization, alpha = 0.001, num_iters = 2000, cost recorded (before the step) "
            f"every 100 iterations, on data/breast_cancer.csv ({n} examples x {m} features, "
            "label 1 = benign). X here is ALREADY STANDARDIZED: each feature minus the full "
            "data's mean, divided by its population std (ddof = 0); no train/test split.")
    Xt = np.ascontiguousarray(X.T)
    J0, dw0, db0, fx = logistic_fixture(desc, X, y, 0.001, 2000, 100, np.zeros(m), 0.0)
    fd_check_logistic("seed-example", Xt, y, np.zeros(m), 0.0, dw0, db0)
    assert abs(J0 - math.log(2.0)) < 1e-15
    return "seed-example.json", fx


# name, seed, layers, hidden, output, loss, optimizer, learning rate, l2, iterations, n
NETWORKS = [
    ("depth1-sigmoid-ce", 201, [4, 1], [], "sigmoid", "cross-entropy", "gd", 0.5, 0.0, 15, 30),
    ("depth1-softmax-ce", 202, [5, 3], [], "softmax", "cross-entropy", "gd", 0.5, 0.0, 15, 36),
    ("depth2-sigmoid-sigmoid-ce", 203, [3, 6, 1], ["sigmoid"], "sigmoid", "cross-entropy",
     "gd", 1.0, 0.0, 20, 40),
    ("depth2-tanh-softmax-ce-momentum", 204, [4, 7, 3], ["tanh"], "softmax", "cross-entropy",
     "momentum", 0.1, 0.0, 20, 48),
    ("depth2-relu-linear-mse", 205, [3, 8, 2], ["relu"], "linear", "mse", "gd", 0.05, 0.0, 20, 40),
    ("depth2-linear-tanh-mse", 206, [3, 5, 2], ["linear"], "tanh", "mse", "gd", 0.2, 0.0, 20, 30),
    ("depth3-leakyrelu-tanh-sigmoid-mse-adam", 207, [4, 6, 5, 2],
     [{"name": "leaky-relu", "alpha": 0.05}, "tanh"], "sigmoid", "mse", "adam", 0.01, 0.0, 25, 50),
    ("depth3-relu-leakyrelu-sigmoid-ce-l2", 208, [5, 8, 6, 2], ["relu", "leaky-relu"], "sigmoid",
     "cross-entropy", "gd", 0.3, 0.01, 20, 44),
    ("depth3-sigmoid-tanh-softmax-ce-adam-l2", 209, [6, 8, 5, 4], ["sigmoid", "tanh"], "softmax",
     "cross-entropy", "adam", 0.02, 0.001, 30, 60),
    ("depth2-tanh-softmax-ce-weighted", 210, [4, 6, 3], ["tanh"], "softmax", "cross-entropy",
     "gd", 0.3, 0.0, 15, 35, "weighted"),
    ("depth2-sigmoid-tanh-mse-weighted-adam", 211, [3, 5, 2], ["sigmoid"], "tanh", "mse", "adam",
     0.05, 0.0, 15, 28, "weighted"),
    ("depth1-sigmoid-ce-weighted-l2", 212, [5, 1], [], "sigmoid", "cross-entropy", "gd", 0.5,
     0.02, 12, 30, "weighted"),
]

KINK_MARGIN = 1e-6       # no relu / leaky-relu pre-activation this close to 0, at any iteration
KINK_MARGIN_FD = 1e-3    # at the initial point, so the finite-difference self-check is meaningful


def make_targets(rng, X, sL, output, loss):
    """Y (n × sL) that the output can reach, from a random linear teacher."""
    n, s0 = X.shape
    T = rng.normal(0.0, 1.0, (s0, sL))
    S = mm(X, T) + rng.normal(0.0, 0.5, (n, sL))
    if loss == "cross-entropy" and output == "sigmoid":
        return np.where(S > 0.0, 1.0, 0.0)
    if loss == "cross-entropy" and output == "softmax":
        Y = np.zeros((n, sL))
        Y[np.arange(n), np.argmax(S, axis=1)] = 1.0
        return Y
    if output == "linear":
        return 0.5 * S
    if output == "sigmoid":
        return 0.05 + 0.9 * vmap(sigmoid1, S)                     # inside (0, 1)
    if output == "tanh":
        return 0.9 * vmap(math.tanh, 0.5 * S)                     # inside (−1, 1)
    raise ValueError((output, loss))


def kink_margin(net, Zhist):
    """Smallest |Z| over every relu / leaky-relu layer and every recorded forward pass."""
    out = math.inf
    for Zs in Zhist:
        for (name, _), Z in zip(net.acts, Zs):
            if name in ("relu", "leaky-relu"):
                out = min(out, float(np.min(np.abs(Z))))
    return out


def fixture_network(spec):
    name, seed, layers, hidden, output, loss, optimizer, lr, l2, iters, n = spec[:11]
    weighted = len(spec) > 11 and spec[11] == "weighted"
    assert len(hidden) == len(layers) - 2
    net = Net(hidden, output, loss, l2)
    rng = np.random.default_rng(seed)
    if weighted:
        weight = rng.uniform(0.0, 2.0, n)
        weight[::7] = 0.0                                          # every 7th row does not count
        net.weight = weight
    L = len(layers) - 1
    for attempt in range(1, 101):
        X = rng.normal(0.0, 1.0, (n, layers[0]))
        Y = make_targets(rng, X, layers[-1], output, loss)
        W0 = [rng.normal(0.0, 0.5, (layers[l + 1], layers[l])) for l in range(L)]
        b0 = [rng.normal(0.0, 0.1, layers[l + 1]) for l in range(L)]
        X0 = np.ascontiguousarray(X.T)                             # s0 × n, the formulas' layout
        Y0 = np.ascontiguousarray(Y.T)
        costs, W, b, Zhist = network_fit(net, X0, Y0, W0, b0, optimizer, lr, iters)
        margin = kink_margin(net, Zhist)
        if margin >= KINK_MARGIN and kink_margin(net, Zhist[:1]) >= KINK_MARGIN_FD:
            break
    else:
        raise RuntimeError(f"{name}: no draw kept relu pre-activations off the kink")

    J0, dW0, db0, _ = net.cost_grad(X0, Y0, W0, b0)
    assert J0 == costs[0]
    worst = fd_check_network(name, net, X0, Y0, [w.copy() for w in W0], [v.copy() for v in b0],
                             dW0, db0)

    kinked = any(a in ("relu", "leaky-relu") for a, _ in net.acts)
    desc = (f"{len(layers) - 1}-layer network {layers}, hidden {json.dumps(hidden)}, output "
            f"{output}, loss {loss}, optimizer {optimizer}, l2 {l2}; n={n}; default_rng({seed}), "
            f"draw {attempt}. X ~ N(0,1), W ~ N(0, 0.5^2), b ~ N(0, 0.1^2), Y from a random "
            "linear teacher. Central-difference check of dW0/db0 passed (max rel err "
            f"{worst:.1e}).")
    if kinked:
        desc += (f" Smallest |Z| at relu/leaky-relu layers over every iteration (and the "
                 f"returned parameters): {margin:.2e}.")
    extra = {}
    if weighted:
        desc += (" Sample weights ~ U(0, 2), every 7th row 0, drawn first: J = sum(w L) / sum(w) "
                 "(issue 10).")
        extra = {"sampleWeight": flat(net.weight)}
    return f"network-{name}.json", {
        **extra,
        "kind": "network",
        "description": desc,
        "layers": [int(s) for s in layers],
        "hidden": hidden,
        "output": output,
        "loss": loss,
        "optimizer": optimizer,
        "learningRate": pyfloat(lr),
        "l2": pyfloat(float(l2)),
        "iterations": int(iters),
        "X": mat(X),
        "Y": mat(Y),
        "initial": {"W": [flat(w) for w in W0], "b": [flat(v) for v in b0]},
        "expected": {
            "cost0": pyfloat(J0),
            "dW0": [flat(w) for w in dW0],
            "db0": [flat(v) for v in db0],
            "costs": [pyfloat(c) for c in costs],
            "W": [flat(w) for w in W],
            "b": [flat(v) for v in b],
        },
    }


def generate():
    """{file name: exact bytes} for every fixture."""
    out = {}
    builders = [fixture_logistic_random, fixture_logistic_saturated, fixture_seed_example,
                fixture_logistic_weighted, fixture_optimum_random, fixture_optimum_breast_cancer]
    builders += [(lambda s=s: fixture_network(s)) for s in NETWORKS]
    for build in builders:
        fname, obj = build()
        assert fname not in out
        out[fname] = (dumps(obj) + "\n").encode("ascii")
    return out


# ---------------------------------------------------------------------------------------------
# --check: byte comparison, with a numeric diagnosis when bytes differ
# ---------------------------------------------------------------------------------------------

def _numeric_diff(a, b, path="$"):
    """Largest relative difference between two parsed JSON values, and where; None if the
    structures differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return None
        best = (0.0, path)
        for k in a:
            d = _numeric_diff(a[k], b[k], f"{path}.{k}")
            if d is None:
                return None
            best = max(best, d, key=lambda t: t[0])
        return best
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return None
        best = (0.0, path)
        for i, (x, y) in enumerate(zip(a, b)):
            d = _numeric_diff(x, y, f"{path}[{i}]")
            if d is None:
                return None
            best = max(best, d, key=lambda t: t[0])
        return best
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        if a == b:
            return (0.0, path)
        return (abs(a - b) / max(abs(a), abs(b)), path)
    return (0.0, path) if a == b else None


def check(generated):
    ok = True
    on_disk = sorted(f for f in os.listdir(FIXTURE_DIR) if f.endswith(".json")) \
        if os.path.isdir(FIXTURE_DIR) else []
    for fname in sorted(generated):
        path = os.path.join(FIXTURE_DIR, fname)
        if not os.path.exists(path):
            print(f"MISSING  {fname}")
            ok = False
            continue
        with open(path, "rb") as f:
            have = f.read()
        if have == generated[fname]:
            print(f"ok       {fname}  ({len(have)} bytes)")
            continue
        ok = False
        try:
            d = _numeric_diff(json.loads(have), json.loads(generated[fname]))
        except ValueError:
            d = None
        if d is None:
            print(f"DIFFERS  {fname}: structure or non-numeric content differs")
        elif d[0] == 0.0:
            print(f"DIFFERS  {fname}: same values, different bytes (formatting)")
        else:
            print(f"DIFFERS  {fname}: largest relative difference {d[0]:.3g} at {d[1]}")
    for fname in on_disk:
        if fname not in generated:
            print(f"STALE    {fname}: not produced by this script")
            ok = False
    return ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="regenerate in memory and verify the files are byte-identical")
    args = ap.parse_args(argv)
    generated = generate()
    if args.check:
        if check(generated):
            print(f"all {len(generated)} fixtures match tools/gen_fixtures.py")
            return 0
        print("fixtures do NOT match the script (see tools/README.md before regenerating)")
        return 1
    os.makedirs(FIXTURE_DIR, exist_ok=True)
    size = 0
    for fname, data in sorted(generated.items()):
        with open(os.path.join(FIXTURE_DIR, fname), "wb") as f:
            f.write(data)
        size += len(data)
        print(f"wrote {fname} ({len(data)} bytes)")
    print(f"{len(generated)} fixtures, {size} bytes in total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
