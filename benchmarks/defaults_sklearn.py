#!/usr/bin/env python3
"""scikit-learn's side of the defaults study (benchmarks/defaults.ts).

    /usr/bin/python3 benchmarks/defaults_sklearn.py <splits.json> [--only iris,wine]

Reads the split index lists that defaults.ts wrote (so both sides use the same rows), the data
from data/*.csv, standardizes the inputs with the training part (StandardScaler), and fits with
sklearn's defaults, single-threaded:
  classifiers: MLPClassifier(hidden_layer_sizes=(32,), random_state=s) (s = the split, 1..10, or from
               the JSON's firstSplit), and
               LogisticRegression(max_iter=1000) for reference;
  diabetes:    MLPRegressor((32,), random_state=s) on the raw target ('mlp-raw'), the same with the
               target standardized on the training part and predictions un-standardized
               ('mlp-yscaled'), LinearRegression, Ridge() (alpha 1).
Prints one JSON line: {"versions", "results": {dataset: {model: [score per split],
model_iters: [n_iter_ per split]}}} (accuracy or R^2 on the test part). Without numpy/sklearn it
prints {"skipped": why} and exits 0.
"""
import json
import os
import sys
import warnings

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    try:
        import numpy as np
        import sklearn
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
        from sklearn.metrics import r2_score
        from sklearn.neural_network import MLPClassifier, MLPRegressor
        from sklearn.preprocessing import StandardScaler
    except ImportError as e:
        print(json.dumps({"skipped": "needs numpy and scikit-learn (/usr/bin/python3): %s" % e}))
        return
    threads = None
    try:
        from threadpoolctl import threadpool_info
        threads = sorted({(i.get("internal_api"), i.get("num_threads")) for i in threadpool_info()})
    except ImportError:
        pass
    args = sys.argv[1:]
    only = None
    if "--only" in args:
        only = args[args.index("--only") + 1].split(",")
    with open(args[0]) as f:
        spec = json.load(f)
    warnings.simplefilter("ignore", ConvergenceWarning)
    results = {}
    for name, d in spec["datasets"].items():
        if only and name not in only:
            continue
        raw = np.loadtxt(os.path.join(ROOT, "data", d["file"]), delimiter=",", skiprows=1)
        X, y = raw[:, :-1], raw[:, -1]
        r = results[name] = {}

        def add(model, value, iters=None):
            r.setdefault(model, []).append(float(value))
            if iters is not None:
                r.setdefault(model + "_iters", []).append(int(iters))

        for s, sp in enumerate(d["splits"], start=int(spec.get("firstSplit", 1))):
            tr, te = np.array(sp["train"]), np.array(sp["test"])
            sc = StandardScaler().fit(X[tr])
            Xtr, Xte = sc.transform(X[tr]), sc.transform(X[te])
            if d["task"] == "classification":
                ytr, yte = y[tr].astype(int), y[te].astype(int)
                m = MLPClassifier(hidden_layer_sizes=(32,), random_state=s).fit(Xtr, ytr)
                add("mlp", m.score(Xte, yte), m.n_iter_)
                m = LogisticRegression(max_iter=1000).fit(Xtr, ytr)
                add("logistic", m.score(Xte, yte))
            else:
                ytr, yte = y[tr], y[te]
                m = MLPRegressor(hidden_layer_sizes=(32,), random_state=s).fit(Xtr, ytr)
                add("mlp-raw", r2_score(yte, m.predict(Xte)), m.n_iter_)
                mu, sd = ytr.mean(), ytr.std()
                m = MLPRegressor(hidden_layer_sizes=(32,), random_state=s).fit(Xtr, (ytr - mu) / sd)
                add("mlp-yscaled", r2_score(yte, m.predict(Xte) * sd + mu), m.n_iter_)
                add("linear", r2_score(yte, LinearRegression().fit(Xtr, ytr).predict(Xte)))
                add("ridge", r2_score(yte, Ridge().fit(Xtr, ytr).predict(Xte)))
    print(json.dumps({"versions": {"sklearn": sklearn.__version__, "numpy": np.__version__, "threadpools": threads},
                      "results": results}))


if __name__ == "__main__":
    main()
