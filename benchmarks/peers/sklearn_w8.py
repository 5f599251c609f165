#!/usr/bin/env python3
"""W8 peer: scikit-learn's multinomial (softmax) logistic regression, timed at its defaults.

    /usr/bin/python3 benchmarks/peers/sklearn_w8.py [spec.json]

spec (optional; every field has a default): {"workload": "W8", "threads": 1, "repeats": 5,
"warmup": 1, "sets": ["digits", "synthetic"], "tight": true}. One JSON line per set on stdout, in
the shape of _common.emit (peer, version, workload, threads, blas, times_ms, median_ms, extra).
Without numpy/scikit-learn: one line {"peer": "sklearn", "skipped": why} and exit 0.

What is timed: LogisticRegression(multi_class='multinomial', solver='lbfgs', C=1) with sklearn's
DEFAULT tol (1e-4) and max_iter (100), one fit per repeat, single-threaded (OPENBLAS/OMP/MKL
threads set to `threads` before numpy loads, checked with threadpoolctl when it is installed, and
held there by threadpool_limits). The median of `repeats` timed fits after `warmup` untimed ones.

Reported per set (extra): n_iter_, whether sklearn said it converged, the final cost J in blasnet's
normalisation, J = -(1/n) sum log p(y|x) + (lambda/2)||W||^2, lambda = 1/(C n), bias not penalised
(numpy, stable logsumexp), max |dJ/dtheta| there, and the tight optimum: sklearn at tol 1e-12,
max_iter 100000 (its lbfgs still stops on scipy's default ftol, gradient ~1e-6), then scipy's
L-BFGS-B on J from there with ftol 0 and gtol 1e-10 ("polished"). gap = J_default - J_optimum.

The two sets:
  digits:    data/digits.csv (1797 x 64, 10 classes; sklearn's load_digits), pixels / 16, which is
             exact in float64 (no fitted scaling: the TS side divides the same integers by 16).
  synthetic: 10 000 x 100, 10 classes, from mulberry32 (benchmarks/common.ts's, the same bits),
             seed 0x5eed0008, drawn in this order: W* (10 x 100, row-major) w = 2u - 1; then per
             row i: its 100 features x = 2u - 1, then 10 noise draws e_c = 3 * (2u - 1). The label
             is the first c maximising z_c + e_c, z_c = sum_j x_j W*[c][j] accumulated in j order
             from 0 (one IEEE product and one add per term, as a plain JS loop computes it), so the
             TS side reproduces X and y bit for bit. extra.sha256 is the SHA-256 of X's then y's
             little-endian float64 bytes (node:crypto gives the same).
"""

import hashlib
import json
import os
import statistics
import sys
import time
import warnings

import _common as C

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SYNTH_SEED = 0x5EED0008
SYNTH_N, SYNTH_M, SYNTH_K = 10000, 100, 10


def read_spec(argv):
    spec = {"workload": "W8", "threads": 1, "repeats": 5, "warmup": 1, "sets": ["digits", "synthetic"], "tight": True}
    args = [a for a in argv[1:] if not a.startswith("--")]
    if args:
        try:
            with open(args[0]) as f:
                spec.update(json.load(f))
        except (OSError, ValueError) as e:
            C.fail("cannot read spec %s: %s" % (args[0], e))
    if spec["workload"] != "W8":
        C.fail("spec: workload must be W8, got %r" % spec["workload"])
    for key, low in (("threads", 1), ("repeats", 1), ("warmup", 0)):
        if not (isinstance(spec[key], int) and spec[key] >= low):
            C.fail("spec: %s must be an integer >= %d, got %r" % (key, low, spec[key]))
    for s in spec["sets"]:
        if s not in ("digits", "synthetic"):
            C.fail("spec: unknown set %r (digits, synthetic)" % s)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(spec["threads"])
    return spec


SPEC = read_spec(sys.argv)

try:
    import numpy as np  # noqa: E402
    import scipy.optimize  # noqa: E402
    import sklearn  # noqa: E402
    from sklearn.exceptions import ConvergenceWarning  # noqa: E402
    from sklearn.linear_model import LogisticRegression  # noqa: E402
except ImportError as e:
    sys.stdout.write(json.dumps({"peer": "sklearn", "workload": "W8", "skipped": "needs numpy, scipy and scikit-learn "
                                 "(/usr/bin/python3): %s" % e}) + "\n")
    sys.exit(0)
try:
    import threadpoolctl  # noqa: E402
except ImportError:
    threadpoolctl = None


# ---- data -------------------------------------------------------------------------------------

def mulberry32(seed, count):
    """The first `count` draws of benchmarks/common.ts's mulberry32(seed), vectorised: its state
    after draw k is seed + (k+1)*0x6d2b79f5 mod 2^32, and each output hashes only that state."""
    with np.errstate(over="ignore"):
        a = (np.uint64(seed) + np.arange(1, count + 1, dtype=np.uint64) * np.uint64(0x6D2B79F5)) & np.uint64(0xFFFFFFFF)
        t = a.astype(np.uint32)
        t = (t ^ (t >> np.uint32(15))) * (t | np.uint32(1))
        t = t ^ (t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61)))
        t = t ^ (t >> np.uint32(14))
    return t.astype(np.float64) / 4294967296.0


def synthetic():
    n, m, k = SYNTH_N, SYNTH_M, SYNTH_K
    u = mulberry32(SYNTH_SEED, k * m + n * (m + k))
    W = 2.0 * u[:k * m].reshape(k, m) - 1.0
    rows = u[k * m:].reshape(n, m + k)
    X = np.ascontiguousarray(2.0 * rows[:, :m] - 1.0)
    E = 3.0 * (2.0 * rows[:, m:] - 1.0)
    Z = np.zeros((n, k))
    for j in range(m):          # j-ordered accumulation: bit-identical to a sequential JS loop
        Z += X[:, j:j + 1] * W[None, :, j]
    y = np.argmax(Z + E, axis=1).astype(np.float64)
    return X, y


def digits():
    raw = np.loadtxt(os.path.join(ROOT, "data", "digits.csv"), delimiter=",", skiprows=1)
    return np.ascontiguousarray(raw[:, :-1] / 16.0), raw[:, -1].copy()


def sha256(*arrays):
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a, dtype="<f8").tobytes())
    return h.hexdigest()


# ---- objective --------------------------------------------------------------------------------

def objective(X, y, W, b, lam):
    """J (blasnet's normalisation) and its gradient (dW, db), stable logsumexp."""
    n = X.shape[0]
    Z = X @ W.T + b
    zmax = Z.max(axis=1, keepdims=True)
    E = np.exp(Z - zmax)
    S = E.sum(axis=1, keepdims=True)
    J = float(np.mean(zmax[:, 0] + np.log(S[:, 0]) - Z[np.arange(n), y]) + 0.5 * lam * np.sum(W * W))
    P = E / S
    P[np.arange(n), y] -= 1.0
    return J, P.T @ X / n + lam * W, P.mean(axis=0)


def polish(X, y, W, b, lam):
    """scipy L-BFGS-B on J from (W, b), ftol 0, gtol 1e-10."""
    k, m = W.shape
    yi = y.astype(np.int64)

    def f(theta):
        J, gW, gb = objective(X, yi, theta[:k * m].reshape(k, m), theta[k * m:], lam)
        return J, np.concatenate([gW.ravel(), gb])

    res = scipy.optimize.minimize(f, np.concatenate([W.ravel(), b]), jac=True, method="L-BFGS-B",
                                  options={"ftol": 0.0, "gtol": 1e-10, "maxiter": 100000, "maxfun": 200000})
    return res.x[:k * m].reshape(k, m), res.x[k * m:], int(res.nit)


def evaluate(X, y, W, b, lam):
    J, gW, gb = objective(X, y.astype(np.int64), W, b, lam)
    return J, float(max(np.max(np.abs(gW)), np.max(np.abs(gb))))


# ---- run --------------------------------------------------------------------------------------

def fit(X, y, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model = LogisticRegression(multi_class="multinomial", solver="lbfgs", C=1.0, **kw).fit(X, y)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return model, converged


def run_set(name, spec, pools):
    X, y = digits() if name == "digits" else synthetic()
    n, m = X.shape
    k = int(y.max()) + 1
    lam = 1.0 / n                                   # C = 1
    times, model, converged = [], None, None
    for i in range(spec["warmup"] + spec["repeats"]):
        t0 = time.perf_counter()
        mdl, conv = fit(X, y)
        t1 = time.perf_counter()
        if model is None:
            model, converged = mdl, conv
        if i >= spec["warmup"]:
            times.append((t1 - t0) * 1e3)
    W, b = model.coef_.astype(np.float64), model.intercept_.astype(np.float64)
    J, ginf = evaluate(X, y, W, b, lam)
    extra = {
        "set": name, "n": n, "m": m, "k": k, "C": 1.0, "lambda": lam,
        "sklearn": sklearn.__version__, "tol": model.tol, "max_iter": model.max_iter,
        "n_iter": int(model.n_iter_[0]), "converged": converged,
        "cost": J, "grad_inf": ginf, "train_accuracy": float(model.score(X, y)),
        "features": "pixels / 16" if name == "digits" else "mulberry32(0x5eed0008) synthetic, see the peer's docstring",
        "sha256": sha256(X, y), "threadpools": pools,
    }
    if spec["tight"]:
        t0 = time.perf_counter()
        tight, tconv = fit(X, y, tol=1e-12, max_iter=100000)
        Wt, bt = tight.coef_.astype(np.float64), tight.intercept_.astype(np.float64)
        Jt, gt = evaluate(X, y, Wt, bt, lam)
        Wp, bp, nit = polish(X, y, Wt, bt, lam)
        Jp, gp = evaluate(X, y, Wp, bp, lam)
        extra["tight"] = {
            "sklearn_tol1e-12": {"n_iter": int(tight.n_iter_[0]), "converged": tconv, "cost": Jt, "grad_inf": gt},
            "polished": {"scipy_lbfgsb_nit": nit, "cost": Jp, "grad_inf": gp},
            "optimum_cost": min(Jt, Jp),
            "seconds": time.perf_counter() - t0,
        }
        extra["gap"] = J - min(Jt, Jp)
        extra["gap_relative"] = extra["gap"] / min(Jt, Jp)
    blas, path = C.blas_info()
    extra.update(C.standard_extra(spec, statistics.median(times), None, path))
    C.emit("sklearn", sklearn.__version__, spec, blas, times, extra=extra)


def main(spec):
    pools = None
    limit = None
    if threadpoolctl is not None:
        limit = threadpoolctl.threadpool_limits(spec["threads"])
        pools = sorted({(p.get("internal_api"), p.get("num_threads")) for p in threadpoolctl.threadpool_info()})
        wrong = [p for p in pools if p[1] != spec["threads"]]
        if wrong:
            sys.stderr.write("sklearn_w8: thread pools not at %d: %r\n" % (spec["threads"], wrong))
    for name in spec["sets"]:
        run_set(name, spec, pools)
    if limit is not None:
        limit.restore_original_limits()


if __name__ == "__main__":
    main(SPEC)
