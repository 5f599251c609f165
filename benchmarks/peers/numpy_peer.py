#!/usr/bin/python3
"""numpy peer for blasnet's benchmarks: the same algorithms as blasnet (docs/math.md), written
plainly in numpy, float64, examples as columns as in the formulas there.
Usage: /usr/bin/python3 benchmarks/peers/numpy_peer.py <spec.json>  (protocol: _common.py).
Nothing but the final JSON line may go to stdout."""

import os
import statistics
import sys

sys.dont_write_bytecode = True  # no __pycache__ inside the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

SPEC = C.load_spec(sys.argv)  # sets OPENBLAS_NUM_THREADS etc. before numpy is imported

import numpy as np  # noqa: E402


# ---- activations, losses (docs/math.md) ---------------------------------------------

def sigmoid(z):
    # σ without overflow: e = exp(−|z|) ≤ 1; z ≥ 0 → 1/(1+e), z < 0 → e/(1+e)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def softplus(z):
    # softplus(t) = max(t, 0) + log1p(e^(−|t|)), finite for every finite t
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def softmax(z):
    # over the s_L outputs of each example (axis 0); column max subtracted first
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def logsumexp(z):
    m = z.max(axis=0)
    return m + np.log(np.exp(z - m).sum(axis=0))


def g(name, z):
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leakyRelu":
        return np.where(z > 0, z, 0.01 * z)
    if name == "softmax":
        return softmax(z)
    return z  # linear


def g_prime(name, z, a):
    if name == "sigmoid":
        return a * (1.0 - a)
    if name == "tanh":
        return 1.0 - a * a
    if name == "relu":
        return (z > 0).astype(np.float64)
    if name == "leakyRelu":
        return np.where(z > 0, 1.0, 0.01)
    return np.ones_like(z)  # linear


def cost(loss, Z, A, Y, n):
    if loss == "bce":  # Σ_i softplus(z_i) − y_i z_i, summed over outputs, mean over examples
        return float((softplus(Z) - Y * Z).sum() / n)
    if loss == "cce":  # logsumexp(z) − Σ_i y_i z_i
        return float((logsumexp(Z) - (Y * Z).sum(axis=0)).sum() / n)
    return float(0.5 * ((A - Y) ** 2).sum() / n)  # mse


# ---- W1: logistic regression (docs/math.md, "Logistic regression") -------------------

def train_logistic(X, y, w, b, iterations, lr):
    # X: m × n (examples as columns), y: (n,), w: (m,) overwritten, b: float
    n = X.shape[1]
    costs = []
    for _ in range(iterations):
        z = w @ X + b                      # z = wᵀX + b        (n,)
        a = sigmoid(z)
        costs.append(float(np.mean(softplus(z) - y * z)))
        dz = a - y
        dw = X @ dz / n                    # ∂J/∂w = X dzᵀ / n   (m,)
        db = float(np.mean(dz))
        w -= lr * dw
        b -= lr * db
    return w, b, costs


# ---- W2/W3: dense network, full-batch gradient descent ------------------------------

def forward(W, b, X, hidden, output):
    # W[l]: s_l × s_{l−1}, b[l]: s_l × 1 (index 0 unused), X: s0 × n → Z, A lists (A[0] = X)
    L = len(W) - 1
    Z, A = [None], [X]
    for l in range(1, L + 1):
        Z.append(W[l] @ A[l - 1] + b[l])   # Z[l] = W[l] A[l−1] + b[l] 1ᵀ
        A.append(g(hidden if l < L else output, Z[l]))
    return Z, A


def train_network(X, Y, W, b, hidden, output, loss, iterations, lr):
    n = X.shape[1]
    L = len(W) - 1
    costs = []
    for _ in range(iterations):
        Z, A = forward(W, b, X, hidden, output)
        costs.append(cost(loss, Z[L], A[L], Y, n))
        delta = A[L] - Y                   # δ[L] for sigmoid+BCE and softmax+CCE
        if loss == "mse":
            delta = delta * g_prime(output, Z[L], A[L])
        for l in range(L, 0, -1):
            dW = delta @ A[l - 1].T / n    # ∂J/∂W[l] = δ[l] A[l−1]ᵀ / n
            db = delta.sum(axis=1, keepdims=True) / n
            if l > 1:                      # δ[l−1] = (W[l]ᵀ δ[l]) ⊙ g′(Z[l−1]), with W[l] before its step
                delta = (W[l].T @ delta) * g_prime(hidden, Z[l - 1], A[l - 1])
            W[l] -= lr * dW
            b[l] -= lr * db
    return W, b, costs


# ---- main -------------------------------------------------------------------------

def read_network(spec):
    s = spec["layers"]
    W = [None] + [C.read_f64(np, spec, "W%d.f64" % l, s[l] * s[l - 1], (s[l], s[l - 1]))
                  for l in range(1, len(s))]
    b = [None] + [C.read_f64(np, spec, "b%d.f64" % l, s[l], (s[l], 1)) for l in range(1, len(s))]
    return W, b


def copy_params(W, b):
    return [None] + [w.copy() for w in W[1:]], [None] + [v.copy() for v in b[1:]]


def main(spec):
    w_name = spec["workload"]
    costs = b_out = None
    extra = {}
    if w_name == "W1":
        m, n = spec["m"], spec["n"]
        X = C.read_f64(np, spec, "X.f64", n * m, (n, m)).T   # the formulas' m × n, a view
        y = C.read_f64(np, spec, "Y.f64", n, (n,))
        w0 = C.read_f64(np, spec, "w.f64", m, (m,))
        b0 = float(spec["b"])
        it, lr = spec["iterations"], float(spec["learningRate"])
        (w, b_out, costs), times = C.timed_runs(
            spec, lambda: (w0.copy(), b0), lambda w, b: train_logistic(X, y, w, b, it, lr))
        C.write_f64(np, spec, "w.f64", w)
        flops = 4.0 * m * n * it           # gemv for z and for dw
    else:
        s = spec["layers"]
        L = len(s) - 1
        W0, b0 = read_network(spec)
        hidden, output = spec["hidden"], spec["output"]
        if w_name in ("W2", "W3"):
            n = spec["n"]
            X = C.read_f64(np, spec, "X.f64", n * s[0], (n, s[0])).T   # s0 × n
            Y = C.read_f64(np, spec, "Y.f64", n * s[L], (n, s[L])).T   # sL × n
            loss = C.loss_of(spec)
            it, lr = spec["iterations"], float(spec["learningRate"])
            (W, b, costs), times = C.timed_runs(
                spec, lambda: copy_params(W0, b0),
                lambda W, b: train_network(X, Y, W, b, hidden, output, loss, it, lr))
            for l in range(1, L + 1):
                C.write_f64(np, spec, "W%d.f64" % l, W[l])
                C.write_f64(np, spec, "b%d.f64" % l, b[l].ravel())
            flops = C.dense_flops(s, n, True) * it
        elif w_name == "W4":
            calls = int(spec.get("calls", 2000))
            x = C.read_f64(np, spec, "X.f64", s[0]).reshape(s[0], 1)  # one example, s0 × 1

            def batch(W, b):
                for _ in range(calls):
                    Z, A = forward(W, b, x, hidden, output)
                return A[L]

            A, times = C.timed_runs(spec, lambda: (W0, b0), batch)
            C.write_f64(np, spec, "A.f64", A.ravel())
            us = [t * 1e3 / calls for t in times]
            extra = {"calls_per_repeat": calls, "us_per_call": us,
                     "median_us_per_call": statistics.median(us),
                     "probabilities": A.ravel().tolist()}
            flops = C.dense_flops(s, 1, False) * calls
        else:  # W5
            n = spec["n"]
            X = C.read_f64(np, spec, "X.f64", n * s[0], (n, s[0])).T
            A, times = C.timed_runs(spec, lambda: (W0, b0),
                                    lambda W, b: forward(W, b, X, hidden, output)[1][L])
            C.write_f64(np, spec, "A.f64", A.T)   # n × sL, examples as rows
            flops = C.dense_flops(s, n, False)
    blas, path = C.blas_info()
    median_ms = statistics.median(times)
    ex = C.standard_extra(spec, median_ms, flops, path)
    if w_name == "W5":
        ex["examples_per_second"] = spec["n"] / (median_ms * 1e-3)
    ex.update(extra)
    C.emit("numpy", np.__version__, spec, blas, times, costs=costs, b=b_out, extra=ex)


if __name__ == "__main__":
    main(SPEC)
