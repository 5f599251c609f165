#!/usr/bin/env python3
"""W7 peer: scikit-learn's LogisticRegression(solver='lbfgs') on the workload's data, timed fit by
fit, with the final cost J = mean log-loss + (lambda/2)||w||^2 (lambda = 1/(C n), the bias not
penalized: sklearn's own objective) and the max-abs gradient of J at the returned parameters.
Must import sklearn only after _common.load_spec has set the thread variables."""

import sys

import _common as C

SPEC = C.load_spec(sys.argv)

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402


def objective(X, y, w, b, lam):
    """J and max |dJ/d(w, b)| of mean log-loss + (lam/2)||w||^2."""
    z = X @ w + b
    loss = np.logaddexp(0.0, z) - y * z
    J = float(np.mean(loss) + 0.5 * lam * (w @ w))
    dz = 1.0 / (1.0 + np.exp(-z)) - y
    gw = X.T @ dz / X.shape[0] + lam * w
    gb = float(np.mean(dz))
    return J, float(max(np.max(np.abs(gw)), abs(gb)))


def main(spec):
    m, n = spec["m"], spec["n"]
    prefix = str(spec.get("prefix", ""))  # W7 writes one pair of files per data set
    X = C.read_f64(np, spec, prefix + "X.f64", n * m, (n, m))
    y = C.read_f64(np, spec, prefix + "Y.f64", n, (n,))
    Cval, tol, max_iter = float(spec["C"]), float(spec["tol"]), int(spec["maxIter"])

    def fit():
        model = LogisticRegression(C=Cval, solver="lbfgs", tol=tol, max_iter=max_iter)
        model.fit(X, y)
        return model

    model, times = C.timed_runs(spec, lambda: (), fit)
    w, b = model.coef_[0].astype(np.float64), float(model.intercept_[0])
    J, gmax = objective(X, y, w, b, 1.0 / (Cval * n))
    C.write_f64(np, spec, prefix + "w.f64", w)
    blas, path = C.blas_info()
    ex = C.standard_extra(spec, sorted(times)[len(times) // 2], None, path)
    ex.update({"cost": J, "grad_inf": gmax, "n_iter": int(model.n_iter_[0]), "sklearn": sklearn.__version__})
    C.emit("sklearn", sklearn.__version__, spec, blas, times, b=b, extra=ex)


if __name__ == "__main__":
    main(SPEC)
