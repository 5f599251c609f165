#!/usr/bin/python3
"""torch peer for blasnet's benchmarks: the same algorithms as blasnet (docs/math.md), written
plainly with torch tensors and the explicit formulas, float64, examples as columns.
With spec "variant": "autograd" (or --autograd) W1-W3 instead take gradients from
loss.backward() and report as peer "torch-autograd".
Usage: /usr/bin/python3 benchmarks/peers/torch_peer.py [--autograd] <spec.json>
Nothing but the final JSON line may go to stdout."""

import os
import statistics
import sys

sys.dont_write_bytecode = True  # no __pycache__ inside the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

SPEC = C.load_spec(sys.argv)  # sets OPENBLAS_NUM_THREADS etc. before torch is imported

import numpy as np  # noqa: E402  (file input/output only)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(SPEC["threads"])
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass  # already fixed for this process; it can only be set once
torch.set_default_dtype(torch.float64)
AUTOGRAD = SPEC["variant"] == "autograd"


# ---- activations, losses (docs/math.md) ---------------------------------------------

def softplus(z):
    # softplus(t) = max(t, 0) + log1p(e^(−|t|)); not F.softplus, which turns linear above 20
    return torch.clamp(z, min=0.0) + torch.log1p(torch.exp(-z.abs()))


def g(name, z):
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "tanh":
        return torch.tanh(z)
    if name == "relu":
        return torch.relu(z)
    if name == "leakyRelu":
        return F.leaky_relu(z, 0.01)
    if name == "softmax":
        return torch.softmax(z, dim=0)   # over the s_L outputs of each example
    return z  # linear


def g_prime(name, z, a):
    if name == "sigmoid":
        return a * (1.0 - a)
    if name == "tanh":
        return 1.0 - a * a
    if name == "relu":
        return (z > 0).to(z.dtype)
    if name == "leakyRelu":
        return torch.where(z > 0, torch.ones_like(z), torch.full_like(z, 0.01))
    return torch.ones_like(z)  # linear


def cost(loss, Z, A, Y, n):
    # returns a 0-dim tensor (keeps the graph in the autograd variant)
    if loss == "bce":  # Σ_i softplus(z_i) − y_i z_i, summed over outputs, mean over examples
        return (softplus(Z) - Y * Z).sum() / n
    if loss == "cce":  # logsumexp(z) − Σ_i y_i z_i
        return (torch.logsumexp(Z, dim=0) - (Y * Z).sum(dim=0)).sum() / n
    return 0.5 * ((A - Y) ** 2).sum() / n  # mse


# ---- W1: logistic regression --------------------------------------------------------

def train_logistic(X, y, w, b, iterations, lr):
    # X: m × n (examples as columns), y: (n,), w: (m,) overwritten, b: float
    n = X.shape[1]
    costs = []
    for _ in range(iterations):
        z = w @ X + b                      # z = wᵀX + b        (n,)
        a = torch.sigmoid(z)
        costs.append(torch.mean(softplus(z) - y * z).item())
        dz = a - y
        dw = X @ dz / n                    # ∂J/∂w = X dzᵀ / n   (m,)
        db = torch.mean(dz).item()
        w -= lr * dw
        b -= lr * db
    return w, b, costs


def train_logistic_autograd(X, y, w, b, iterations, lr):
    w = w.requires_grad_()
    b = torch.tensor(b, requires_grad=True)
    costs = []
    for _ in range(iterations):
        z = w @ X + b
        J = F.binary_cross_entropy_with_logits(z, y)   # mean of softplus(z) − y z
        costs.append(J.item())
        J.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = None
        b.grad = None
    return w.detach(), b.item(), costs


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
        costs.append(cost(loss, Z[L], A[L], Y, n).item())
        delta = A[L] - Y                   # δ[L] for sigmoid+BCE and softmax+CCE
        if loss == "mse":
            delta = delta * g_prime(output, Z[L], A[L])
        for l in range(L, 0, -1):
            dW = delta @ A[l - 1].T / n    # ∂J/∂W[l] = δ[l] A[l−1]ᵀ / n
            db = delta.sum(dim=1, keepdim=True) / n
            if l > 1:                      # δ[l−1] = (W[l]ᵀ δ[l]) ⊙ g′(Z[l−1]), with W[l] before its step
                delta = (W[l].T @ delta) * g_prime(hidden, Z[l - 1], A[l - 1])
            W[l] -= lr * dW
            b[l] -= lr * db
    return W, b, costs


def train_network_autograd(X, Y, W, b, hidden, output, loss, iterations, lr):
    n = X.shape[1]
    L = len(W) - 1
    params = [p.requires_grad_() for p in W[1:] + b[1:]]
    costs = []
    for _ in range(iterations):
        Z, A = forward(W, b, X, hidden, output)
        J = cost(loss, Z[L], A[L], Y, n)
        costs.append(J.item())
        J.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
    return [None] + [w.detach() for w in W[1:]], [None] + [v.detach() for v in b[1:]], costs


# ---- W6: MNIST, mini-batch Adam ------------------------------------------------------

def train_mnist(spec, X, labels, Xt, labels_t, W, b, order):
    """Adam on batches of spec.batchSize taken in blasnet's order (order[e] is epoch e's
    permutation), relu hidden layers, softmax output, cross-entropy averaged over the batch;
    after every epoch the test accuracy (not timed). Stops at the first epoch whose accuracy
    reaches spec.target. Examples are rows here (X: n × s0): Z = X·Wᵀ + bᵀ.
    Adam as blasnet has it: m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g², θ ← θ − lr·m̂/(√v̂ + ε)."""
    import time
    n, B, L = X.shape[0], spec["batchSize"], len(W) - 1
    lr, b1, b2, eps = spec["learningRate"], spec["beta1"], spec["beta2"], spec["epsilon"]
    params = [p for l in range(1, L + 1) for p in (W[l], b[l])]
    m = [torch.zeros_like(p) for p in params]
    v = [torch.zeros_like(p) for p in params]
    eye = torch.eye(W[L].shape[0], dtype=torch.float64)
    t = 0
    train_ms, eval_ms, accuracies, reached = 0.0, 0.0, [], None
    for epoch in range(spec["maxEpochs"]):
        t0 = time.perf_counter()
        perm = order[epoch]
        for j0 in range(0, n, B):
            idx = perm[j0:j0 + B]
            nb = idx.shape[0]
            A = [X.index_select(0, idx)]
            Z = [None]
            for l in range(1, L + 1):
                z = torch.addmm(b[l].T, A[l - 1], W[l].T)
                Z.append(z)
                A.append(torch.relu(z) if l < L else torch.softmax(z, dim=1))
            Yb = eye.index_select(0, labels.index_select(0, idx))
            delta = (A[L] - Yb) / nb
            grads = [None] * (2 * L)
            for l in range(L, 0, -1):
                grads[2 * (l - 1)] = delta.T @ A[l - 1]
                grads[2 * (l - 1) + 1] = delta.sum(dim=0).reshape(-1, 1)
                if l > 1:
                    delta = (delta @ W[l]) * (Z[l - 1] > 0).to(torch.float64)
            t += 1
            c1, c2 = 1.0 - b1 ** t, 1.0 - b2 ** t
            for p, g, mk, vk in zip(params, grads, m, v):
                mk.mul_(b1).add_(g, alpha=1.0 - b1)
                vk.mul_(b2).addcmul_(g, g, value=1.0 - b2)
                p.sub_(lr * (mk / c1) / ((vk / c2).sqrt_().add_(eps)))
        t1 = time.perf_counter()
        train_ms += (t1 - t0) * 1e3
        a = Xt
        for l in range(1, L + 1):
            z = torch.addmm(b[l].T, a, W[l].T)
            a = torch.relu(z) if l < L else z
        acc = float((a.argmax(dim=1) == labels_t).to(torch.float64).mean())
        eval_ms += (time.perf_counter() - t1) * 1e3
        accuracies.append(acc)
        if acc >= spec["target"]:
            reached = epoch + 1
            break
    return train_ms, eval_ms, accuracies, reached


# ---- main -------------------------------------------------------------------------

def tensor(array):
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float64))


def read_network(spec):
    s = spec["layers"]
    W = [None] + [tensor(C.read_f64(np, spec, "W%d.f64" % l, s[l] * s[l - 1], (s[l], s[l - 1])))
                  for l in range(1, len(s))]
    b = [None] + [tensor(C.read_f64(np, spec, "b%d.f64" % l, s[l], (s[l], 1))) for l in range(1, len(s))]
    return W, b


def copy_params(W, b):
    return [None] + [w.clone() for w in W[1:]], [None] + [v.clone() for v in b[1:]]


def main(spec):
    w_name = spec["workload"]
    if w_name == "W6":
        if AUTOGRAD:
            C.fail("variant autograd covers the training workloads W1-W3 only")
        s = spec["layers"]
        n, nt, E = spec["n"], spec["testN"], spec["maxEpochs"]
        X = tensor(C.read_raw(np, spec, "trainX.u8", "u1", n * s[0]).reshape(n, s[0]) / 255.0)
        labels = torch.from_numpy(C.read_raw(np, spec, "trainY.u8", "u1", n).astype(np.int64))
        Xt = tensor(C.read_raw(np, spec, "testX.u8", "u1", nt * s[0]).reshape(nt, s[0]) / 255.0)
        labels_t = torch.from_numpy(C.read_raw(np, spec, "testY.u8", "u1", nt).astype(np.int64))
        order = torch.from_numpy(C.read_raw(np, spec, "order.u32", "<u4", E * n).astype(np.int64).reshape(E, n))
        W0, b0 = read_network(spec)
        # warmup + repeats runs, each from the initial parameters; the times of the repeats.
        times = []
        for r in range(int(spec.get("warmup", 0)) + max(1, int(spec.get("repeats", 1)))):
            W, b = copy_params(W0, b0)
            train_ms, eval_ms, accuracies, reached = train_mnist(spec, X, labels, Xt, labels_t, W, b, order)
            if r >= int(spec.get("warmup", 0)):
                times.append(train_ms)
        blas, path = C.blas_info()
        ex = C.standard_extra(spec, times[-1], None, path)
        ex.update({"torch_num_threads": torch.get_num_threads(), "accuracies": accuracies,
                   "reached_at": reached, "eval_ms": eval_ms})
        C.emit("torch", str(torch.__version__), spec, blas, times, extra=ex)
        return
    if AUTOGRAD and w_name not in ("W1", "W2", "W3"):
        C.fail("variant autograd covers the training workloads W1-W3 only (W4/W5 are forward passes)")
    costs = b_out = None
    extra = {}
    if w_name == "W1":
        m, n = spec["m"], spec["n"]
        X = tensor(C.read_f64(np, spec, "X.f64", n * m, (n, m))).T   # the formulas' m × n, a view
        y = tensor(C.read_f64(np, spec, "Y.f64", n, (n,)))
        w0 = tensor(C.read_f64(np, spec, "w.f64", m, (m,)))
        b0 = float(spec["b"])
        it, lr = spec["iterations"], float(spec["learningRate"])
        train = train_logistic_autograd if AUTOGRAD else train_logistic
        (w, b_out, costs), times = C.timed_runs(
            spec, lambda: (w0.clone(), b0), lambda w, b: train(X, y, w, b, it, lr))
        C.write_f64(np, spec, "w.f64", w.numpy())
        flops = 4.0 * m * n * it
    else:
        s = spec["layers"]
        L = len(s) - 1
        W0, b0 = read_network(spec)
        hidden, output = spec["hidden"], spec["output"]
        if w_name in ("W2", "W3"):
            n = spec["n"]
            X = tensor(C.read_f64(np, spec, "X.f64", n * s[0], (n, s[0]))).T   # s0 × n
            Y = tensor(C.read_f64(np, spec, "Y.f64", n * s[L], (n, s[L]))).T   # sL × n
            loss = C.loss_of(spec)
            it, lr = spec["iterations"], float(spec["learningRate"])
            train = train_network_autograd if AUTOGRAD else train_network
            (W, b, costs), times = C.timed_runs(
                spec, lambda: copy_params(W0, b0),
                lambda W, b: train(X, Y, W, b, hidden, output, loss, it, lr))
            for l in range(1, L + 1):
                C.write_f64(np, spec, "W%d.f64" % l, W[l].numpy())
                C.write_f64(np, spec, "b%d.f64" % l, b[l].numpy().ravel())
            flops = C.dense_flops(s, n, True) * it
        elif w_name == "W4":
            calls = int(spec.get("calls", 2000))
            x = tensor(C.read_f64(np, spec, "X.f64", s[0]).reshape(s[0], 1))  # one example, s0 × 1

            def batch(W, b):
                for _ in range(calls):
                    Z, A = forward(W, b, x, hidden, output)
                return A[L]

            A, times = C.timed_runs(spec, lambda: (W0, b0), batch)
            C.write_f64(np, spec, "A.f64", A.numpy().ravel())
            us = [t * 1e3 / calls for t in times]
            extra = {"calls_per_repeat": calls, "us_per_call": us,
                     "median_us_per_call": statistics.median(us),
                     "probabilities": A.numpy().ravel().tolist()}
            flops = C.dense_flops(s, 1, False) * calls
        else:  # W5
            n = spec["n"]
            X = tensor(C.read_f64(np, spec, "X.f64", n * s[0], (n, s[0]))).T
            A, times = C.timed_runs(spec, lambda: (W0, b0),
                                    lambda W, b: forward(W, b, X, hidden, output)[1][L])
            C.write_f64(np, spec, "A.f64", A.T.numpy())   # n × sL, examples as rows
            flops = C.dense_flops(s, n, False)
    blas, path = C.blas_info()
    median_ms = statistics.median(times)
    ex = C.standard_extra(spec, median_ms, flops, path)
    ex["torch_num_threads"] = torch.get_num_threads()
    ex["torch_num_interop_threads"] = torch.get_num_interop_threads()
    if w_name == "W5":
        ex["examples_per_second"] = spec["n"] / (median_ms * 1e-3)
    ex.update(extra)
    C.emit("torch-autograd" if AUTOGRAD else "torch", str(torch.__version__), spec, blas, times,
           costs=costs, b=b_out, extra=ex)


if __name__ == "__main__":
    main(SPEC)
