#!/usr/bin/env python3
"""scikit-learn-derived data for blasnet: the bundled data sets, and multinomial logistic
regression optima to test blasnet's softmax regression against.

    /usr/bin/python3 tools/gen_sklearn_logistic.py --datasets   # (re)write data/{iris,wine,digits,diabetes}.csv
    /usr/bin/python3 tools/gen_sklearn_logistic.py              # (re)write test/fixtures/sklearn/logistic-multinomial.json

Use /usr/bin/python3 (Debian's, with python3-sklearn 1.2.1, numpy, scipy); the python3 first on
PATH lacks them. Without them the script prints why and exits 0 (nothing is written).
scikit-learn is used for comparison and fixture generation only, never at run time.

Objective (blasnet's normalisation; the lead's multinomial logistic regression):

    J(W, b) = -(1/n) sum_j log p(y_j | x_j) + (lam/2) ||W||_F^2,   p = softmax(W x + b),
    lam = 1 / (C n)   (scikit-learn's C; the bias is not penalised),
    theta = (W: k x m row-major, b: k).

scikit-learn's LogisticRegression(multi_class='multinomial') minimises C * sum_j(-log p) + ||W||^2/2,
which is (C n) * J: the same minimiser. The fixture records sklearn's coef_ / intercept_ at
tol 1e-12 and J and the gradient of J there, computed here in numpy with a stable logsumexp.

Gauge: adding the same constant to every b_k leaves every probability unchanged, and b is not
penalised, so b is determined only up to a common shift. The optimum's W is unique (lam > 0), and at
the optimum sum_k W[k] = 0 (the penalty picks the centred W). Compare b after subtracting its mean
(the fixture stores `interceptCentered` too) or compare probabilities.
"""

import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_DIR = os.path.join(ROOT, "data")
FIXTURE = os.path.join(ROOT, "test", "fixtures", "sklearn", "logistic-multinomial.json")
SK_DATA = "/usr/lib/python3/dist-packages/sklearn/datasets/data"

try:
    import numpy as np
    import sklearn
    from sklearn import datasets
    from sklearn.linear_model import LogisticRegression
except ImportError as e:  # pragma: no cover - depends on the interpreter
    print("gen_sklearn_logistic: skipped, needs numpy and scikit-learn (use /usr/bin/python3): %s" % e)
    sys.exit(0)


# ---------------------------------------------------------------------------------------------
# Data sets -> data/*.csv
# ---------------------------------------------------------------------------------------------

def snake(name):
    return re.sub(r"_+", "_", re.sub(r"[^0-9a-z]+", "_", name.lower())).strip("_")


def fmt(v):
    """Shortest text that round-trips the float64 exactly; integers without '.0'."""
    v = float(v)
    return str(int(v)) if v.is_integer() else repr(v)


def write_csv(path, names, X, y):
    with open(path, "w", newline="\n") as f:
        f.write(",".join(names + ["target"]) + "\n")
        for row, t in zip(X, y):
            f.write(",".join(fmt(v) for v in row) + "," + fmt(t) + "\n")
    print("wrote %s (%d rows x %d columns + target)" % (os.path.relpath(path, ROOT), X.shape[0], X.shape[1]))


def export_datasets():
    iris = datasets.load_iris()
    write_csv(os.path.join(DATA_DIR, "iris.csv"), [snake(n) for n in iris.feature_names], iris.data, iris.target)
    wine = datasets.load_wine()
    write_csv(os.path.join(DATA_DIR, "wine.csv"), [snake(n) for n in wine.feature_names], wine.data, wine.target)
    digits = datasets.load_digits()
    write_csv(os.path.join(DATA_DIR, "digits.csv"), [snake(n) for n in digits.feature_names], digits.data, digits.target)
    # load_diabetes() defaults to scaled=True: each column centred and divided by std * sqrt(n)
    # (sum of squares 1). Those are the features written; the target is the raw 25..346.
    diab = datasets.load_diabetes()
    raw = datasets.load_diabetes(scaled=False)
    assert np.array_equal(diab.target, raw.target)
    assert diab.target.min() == 25 and diab.target.max() == 346
    assert abs(float(np.sum(diab.data[:, 0] ** 2)) - 1) < 1e-12
    write_csv(os.path.join(DATA_DIR, "diabetes.csv"), list(diab.feature_names), diab.data, diab.target)


# ---------------------------------------------------------------------------------------------
# Multinomial optima -> test/fixtures/sklearn/logistic-multinomial.json
# ---------------------------------------------------------------------------------------------

def objective(X, y, W, b, lam):
    """J and dJ/dW, dJ/db in blasnet's normalisation, with a stable logsumexp."""
    n = X.shape[0]
    Z = X @ W.T + b                       # n x k
    zmax = Z.max(axis=1, keepdims=True)
    E = np.exp(Z - zmax)
    S = E.sum(axis=1, keepdims=True)
    lse = zmax[:, 0] + np.log(S[:, 0])
    J = float(np.mean(lse - Z[np.arange(n), y]) + 0.5 * lam * np.sum(W * W))
    P = E / S
    P[np.arange(n), y] -= 1.0
    gW = P.T @ X / n + lam * W
    gb = P.mean(axis=0)
    return J, gW, gb


def newton_polish(X, y, W, b, lam, max_steps=8):
    """Newton steps on J from sklearn's point. sklearn 1.2's lbfgs stops on scipy's default ftol
    (relative change 2.2e-9) long before gtol 1e-12: its gradient is ~1e-6. The Hessian is singular
    along the common shift of b (the gauge): lstsq takes the minimum-norm step, which leaves mean(b)
    where sklearn put it. Returns W, b, steps taken."""
    n, m = X.shape
    k = W.shape[0]
    Xa = np.hstack([X, np.ones((n, 1))])                     # rows [x, 1]
    best = None
    for step in range(max_steps + 1):
        J, gW, gb = objective(X, y, W, b, lam)
        g = np.hstack([gW, gb[:, None]]).ravel()             # per class [dW_c, db_c]
        ginf = float(np.max(np.abs(g)))
        if best is None or ginf < best[0]:
            best = (ginf, W.copy(), b.copy(), step)
        if ginf < 1e-15 or step == max_steps:
            break
        Z = X @ W.T + b
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        H = np.zeros((k, m + 1, k, m + 1))
        for c in range(k):
            for d in range(c, k):
                w = P[:, c] * ((1.0 if c == d else 0.0) - P[:, d]) / n
                blk = (Xa * w[:, None]).T @ Xa
                H[c, :, d, :] = blk
                H[d, :, c, :] = blk.T
        for c in range(k):
            H[c, np.arange(m), c, np.arange(m)] += lam
        H = H.reshape(k * (m + 1), k * (m + 1))
        delta = np.linalg.lstsq(H, g, rcond=None)[0].reshape(k, m + 1)
        W = W - delta[:, :m]
        b = b - delta[:, m]
    return best[1], best[2], best[3]


def standardize(X):
    mu, sd = X.mean(axis=0), X.std(axis=0)
    sd[sd == 0] = 1.0
    return (X - mu) / sd


def synthetic(seed=20261206, n=300, m=5, k=4):
    """x ~ N(0, 1)^m; y drawn from softmax(W* x + b*) with W* ~ N(0, 1), b* ~ N(0, 0.5)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, m))
    Wt = rng.standard_normal((k, m))
    bt = 0.5 * rng.standard_normal(k)
    Z = X @ Wt.T + bt
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    u = rng.random(n)
    y = (P.cumsum(axis=1) < u[:, None]).sum(axis=1)
    y = np.minimum(y, k - 1)
    return X, y


def cases():
    iris = datasets.load_iris()
    wine = datasets.load_wine()
    digits = datasets.load_digits()
    Xs, ys = synthetic()
    return [
        ("iris-standardized", "iris (data/iris.csv), standardized with its own mean and population std", standardize(iris.data), iris.target, 1.0),
        ("wine-standardized", "wine (data/wine.csv), standardized with its own mean and population std", standardize(wine.data), wine.target, 0.5),
        ("synthetic-300x5-k4", "numpy default_rng(20261206): X ~ N(0,1) 300 x 5, y ~ softmax(W* x + b*) over 4 classes", Xs, ys, 10.0),
        ("digits-div16", "digits (data/digits.csv), all 1797 rows, pixels / 16 (exact in float64)", digits.data / 16.0, digits.target, 1.0),
    ]


def fixtures():
    out = {
        "description": (
            "Multinomial (softmax) logistic regression optima from scikit-learn " + sklearn.__version__ +
            " LogisticRegression(multi_class='multinomial', solver='lbfgs', C, tol=1e-12, max_iter=100000), "
            "whose lbfgs stops on scipy's default ftol (gradient ~1e-6, kept under 'sklearn'), then polished by "
            "numpy Newton steps (minimum-norm, keeping sklearn's mean(b)) to a gradient at rounding level: "
            "coef/intercept/cost are the polished optimum. "
            "J = -(1/n) sum log p(y|x) + (lambda/2)||W||^2, lambda = 1/(C n), bias not penalised; "
            "coef is W (k x m, row-major rows), intercept b (k). b is defined only up to a common shift "
            "(softmax is shift-invariant, b unpenalised): compare interceptCentered = b - mean(b), W and cost. "
            "cost, gradInf (max |dJ/dtheta|) and grad2 (||dJ/dtheta||_2) are computed in numpy (stable logsumexp) "
            "at sklearn's parameters. Written by tools/gen_sklearn_logistic.py."),
        "generator": {"sklearn": sklearn.__version__, "numpy": np.__version__},
        "cases": [],
    }
    for name, source, X, y, C in cases():
        X = np.ascontiguousarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.int64)
        n, m = X.shape
        k = int(y.max()) + 1
        model = LogisticRegression(multi_class="multinomial", solver="lbfgs", C=C, tol=1e-12, max_iter=100000)
        model.fit(X, y)
        Wsk, bsk = model.coef_.astype(np.float64), model.intercept_.astype(np.float64)
        lam = 1.0 / (C * n)
        Jsk, gWsk, gbsk = objective(X, y, Wsk, bsk, lam)
        gsk = np.concatenate([gWsk.ravel(), gbsk])
        W, b, steps = newton_polish(X, y, Wsk, bsk, lam)
        J, gW, gb = objective(X, y, W, b, lam)
        g = np.concatenate([gW.ravel(), gb])
        case = {
            "name": name, "source": source, "n": n, "m": m, "k": k, "C": C, "lambda": lam,
            "cost": J, "gradInf": float(np.max(np.abs(g))), "grad2": float(np.linalg.norm(g)),
            "coef": [[float(v) for v in row] for row in W],
            "intercept": [float(v) for v in b],
            "interceptCentered": [float(v) for v in b - b.mean()],
            "newtonSteps": steps,
            "sklearn": {
                "nIter": int(model.n_iter_[0]),
                "cost": Jsk, "gradInf": float(np.max(np.abs(gsk))), "grad2": float(np.linalg.norm(gsk)),
                "coefMaxAbsDiff": float(np.max(np.abs(Wsk - W))),
                "coef": [[float(v) for v in row] for row in Wsk],
                "intercept": [float(v) for v in bsk],
            },
            "trainAccuracy": float(np.mean(model.predict(X) == y)),
            "X": [[float(v) for v in row] for row in X],
            "y": [int(v) for v in y],
        }
        print("%-20s n=%4d m=%2d k=%2d C=%-4g sklearn: J=%.16g |g|inf=%.1e iters=%d; Newton +%d: J=%.16g |g|inf=%.1e (dJ %.1e, max|dW| %.1e)"
              % (name, n, m, k, C, Jsk, case["sklearn"]["gradInf"], case["sklearn"]["nIter"], steps, J,
                 case["gradInf"], Jsk - J, case["sklearn"]["coefMaxAbsDiff"]))
        out["cases"].append(case)
    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    text = json.dumps(out, separators=(",", ":"), allow_nan=False) + "\n"
    with open(FIXTURE, "w") as f:
        f.write(text)
    print("wrote %s (%d bytes)" % (os.path.relpath(FIXTURE, ROOT), len(text)))


if __name__ == "__main__":
    if "--datasets" in sys.argv[1:]:
        export_datasets()
    else:
        fixtures()
