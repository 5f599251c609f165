#!/usr/bin/env python3
"""Expected values for lib/metrics.ts, computed by scikit-learn 1.2 (Debian's python3-sklearn 1.2.1).

Owns test/fixtures/sklearn/metrics.json, which test/metrics.test.ts checks blasnet against (CI has
no scikit-learn, so the JSON is committed). It only calls scikit-learn: it never imports blasnet.

    /usr/bin/python3 tools/gen_sklearn_metrics.py            # (re)write the fixture
    /usr/bin/python3 tools/gen_sklearn_metrics.py --check    # regenerate in memory, compare bytes

Each case is {name, fn, yTrue, yPred, options?, expected}. Values are encoded so that JSON keeps
their JavaScript type: a plain list is a label array (number[], string[] or boolean[]);
{"f64": [...]} is a Float64Array; {"matrix": {rows, cols, data}} is a Matrix (row-major); {"ref": i} is the file's values[i]
(inputs shared by several cases are written once). An
expected value is a number, {"f64": [...]} (per-class scores) or {"matrix": ...} (confusion).
`options` uses blasnet's names (average, labels, posLabel, sampleWeight); where blasnet's default
differs from scikit-learn's (pos_label: blasnet takes the larger label, scikit-learn 1), the
scikit-learn call is given blasnet's choice explicitly.
"""

import argparse
import json
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn import metrics as skm

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "sklearn", "metrics.json")

FNS = {
    "accuracyScore": skm.accuracy_score,
    "precisionScore": skm.precision_score,
    "recallScore": skm.recall_score,
    "f1Score": skm.f1_score,
    "confusionMatrix": skm.confusion_matrix,
    "logLoss": skm.log_loss,
    "rocAucScore": skm.roc_auc_score,
    "r2Score": skm.r2_score,
    "meanSquaredError": skm.mean_squared_error,
    "meanAbsoluteError": skm.mean_absolute_error,
}
PRF = ("precisionScore", "recallScore", "f1Score")


class M:
    """A Matrix argument (rows of numbers)."""

    def __init__(self, rows):
        self.a = np.asarray(rows, dtype=np.float64)
        assert self.a.ndim == 2


class F64:
    """A Float64Array argument."""

    def __init__(self, values):
        self.a = np.asarray(values, dtype=np.float64)
        assert self.a.ndim == 1


def plain(v):
    """Python scalars only (no numpy types, no NaN/Infinity) for the JSON writer."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        assert np.isfinite(f), f
        return f
    if isinstance(v, (str, np.str_)):
        return str(v)
    raise TypeError(type(v))


def encode(v):
    if isinstance(v, M):
        r, c = v.a.shape
        return {"matrix": {"rows": r, "cols": c, "data": [plain(x) for x in v.a.ravel()]}}
    if isinstance(v, F64):
        return {"f64": [plain(x) for x in v.a]}
    return [plain(x) for x in v]


def to_sk(v):
    if isinstance(v, (M, F64)):
        return v.a
    return np.asarray(v)


def sorted_labels(*arrays):
    return sorted(set(x for a in arrays for x in (a.a.tolist() if isinstance(a, F64) else a)))


def expected_value(fn, got):
    if fn == "confusionMatrix":
        return encode(M(got))
    if isinstance(got, np.ndarray):
        return encode(F64(got))
    return plain(got)


CASES = []


def case(name, fn, y_true, y_pred, options=None, sk_pred=None, **sk_extra):
    """Adds a case: blasnet's call (yTrue, yPred, options) and the scikit-learn call that must agree."""
    options = dict(options or {})
    kw = dict(sk_extra)
    if "average" in options:
        kw["average"] = options["average"]
    if "labels" in options:
        kw["labels"] = np.asarray(options["labels"])
    if "posLabel" in options:
        kw["pos_label"] = options["posLabel"]
    if "sampleWeight" in options:
        kw["sample_weight"] = np.asarray(options["sampleWeight"], dtype=np.float64)
    if fn in PRF and "average" not in options and "posLabel" not in options and not isinstance(y_true, M):
        # blasnet's default positive class: the larger of the (at most two) labels
        labels = sorted_labels(y_true, y_pred)
        kw["pos_label"] = labels[-1] if len(labels) == 2 else 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = FNS[fn](to_sk(y_true), to_sk(sk_pred if sk_pred is not None else y_pred), **kw)
    entry = {"name": name, "fn": fn, "yTrue": encode(y_true), "yPred": encode(y_pred)}
    if options:
        entry["options"] = {k: (encode(v) if k in ("labels", "sampleWeight") else v) for k, v in options.items()}
    entry["expected"] = expected_value(fn, got)
    CASES.append(entry)


def build():
    rng = np.random.default_rng(20240517)

    def ints(n, k):
        return [int(v) for v in rng.integers(0, k, n)]

    def noisy(y, k, p):
        return [v if rng.random() > p else int(rng.integers(0, k)) for v in y]

    def weights(n):
        w = rng.uniform(0, 3, n)
        w[::7] = 0.0
        return [float(v) for v in w]

    def proba(n, k, alpha=1.0):
        return rng.dirichlet([alpha] * k, n)

    # --- accuracy --------------------------------------------------------------------------
    yt = ints(60, 4)
    yp = noisy(yt, 4, 0.4)
    case("accuracy multiclass", "accuracyScore", yt, yp)
    case("accuracy multiclass Float64Array", "accuracyScore", F64(yt), F64(yp))
    case("accuracy weighted", "accuracyScore", yt, yp, {"sampleWeight": weights(60)})
    names = ["ant", "bee", "cat"]
    case("accuracy strings", "accuracyScore", [names[v % 3] for v in yt[:30]], [names[v % 3] for v in yp[:30]])
    case("accuracy booleans", "accuracyScore", [v > 1 for v in yt], [v > 1 for v in yp])
    Yt = (rng.random((40, 3)) < 0.5).astype(float)
    Yp = Yt.copy()
    flip = rng.random((40, 3)) < 0.15
    Yp[flip] = 1 - Yp[flip]
    case("accuracy multi-label subset", "accuracyScore", M(Yt), M(Yp))
    case("accuracy multi-label subset weighted", "accuracyScore", M(Yt), M(Yp), {"sampleWeight": weights(40)})

    # --- precision / recall / F1 ------------------------------------------------------------
    b_t = ints(50, 2)
    b_p = noisy(b_t, 2, 0.5)
    m_t = ints(80, 5)
    m_p = noisy(m_t, 5, 0.5)
    m_never = [v if v != 3 else 2 for v in m_p]  # class 3 never predicted
    w80 = weights(80)
    fruit = ["apple", "banana", "cherry", "date", "elder"]
    for fn in PRF:
        case(f"{fn} binary 0/1 default", fn, b_t, b_p)
        case(f"{fn} binary Float64Array", fn, F64(b_t), F64(b_p))
        case(f"{fn} binary -1/1", fn, [2 * v - 1 for v in b_t], [2 * v - 1 for v in b_p])
        case(f"{fn} binary 1/2 positive is 2", fn, [v + 1 for v in b_t], [v + 1 for v in b_p])
        case(f"{fn} binary posLabel 0", fn, b_t, b_p, {"posLabel": 0})
        case(f"{fn} binary average 'binary'", fn, b_t, b_p, {"average": "binary"}, pos_label=1)
        case(f"{fn} binary strings default", fn, [["no", "yes"][v] for v in b_t], [["no", "yes"][v] for v in b_p])
        case(f"{fn} binary strings posLabel", fn, [["no", "yes"][v] for v in b_t], [["no", "yes"][v] for v in b_p], {"posLabel": "no"})
        case(f"{fn} binary booleans", fn, [bool(v) for v in b_t], [bool(v) for v in b_p])
        case(f"{fn} binary booleans posLabel false", fn, [bool(v) for v in b_t], [bool(v) for v in b_p], {"posLabel": False})
        case(f"{fn} binary weighted", fn, b_t, b_p, {"sampleWeight": weights(50)})
        case(f"{fn} binary nothing predicted positive", fn, b_t, [0] * 50)
        case(f"{fn} one label, all 0 (zero division)", fn, [0] * 6, [0] * 6)
        case(f"{fn} one label, all 1", fn, [1] * 6, [1] * 6)
        case(f"{fn} binary average macro", fn, b_t, b_p, {"average": "macro"})
        for avg in ("macro", "micro", "weighted", None):
            case(f"{fn} multiclass {avg}", fn, m_t, m_p, {"average": avg})
            case(f"{fn} multiclass class never predicted {avg}", fn, m_t, m_never, {"average": avg})
            case(f"{fn} multiclass weighted samples {avg}", fn, m_t, m_p, {"average": avg, "sampleWeight": w80})
            case(f"{fn} multiclass strings {avg}", fn, [fruit[v] for v in m_t], [fruit[v] for v in m_p], {"average": avg})
            case(f"{fn} multiclass labels subset reordered {avg}", fn, m_t, m_p, {"average": avg, "labels": [4, 0, 2]})
            case(f"{fn} multiclass labels with absent class {avg}", fn, m_t, m_p, {"average": avg, "labels": [0, 1, 2, 3, 4, 9]})
            case(f"{fn} multi-label {avg}", fn, M(Yt), M(Yp), {"average": avg})
            case(f"{fn} multi-label weighted samples {avg}", fn, M(Yt), M(Yp), {"average": avg, "sampleWeight": weights(40)})
            case(f"{fn} multi-label labels [2, 0] {avg}", fn, M(Yt), M(Yp), {"average": avg, "labels": [2, 0]})
        case(f"{fn} weighted average, only absent labels", fn, m_t, m_p, {"average": "weighted", "labels": [7, 8]})
        case(f"{fn} three labels, all predicted as one", fn, [0, 1, 2, 0], [0, 0, 0, 0], {"average": "macro"})
        astral = ["\U0001F600", "\uFFFD", "\uE000", "z"]
        case(f"{fn} astral strings per class", fn, [astral[v % 4] for v in m_t], [astral[v % 4] for v in m_p], {"average": None})

    # --- confusion matrix ---------------------------------------------------------------------
    case("confusion multiclass", "confusionMatrix", m_t, m_p)
    case("confusion strings", "confusionMatrix", [fruit[v] for v in m_t], [fruit[v] for v in m_never])
    case("confusion labels reordered subset", "confusionMatrix", m_t, m_p, {"labels": [3, 1, 0]})
    case("confusion labels with absent class", "confusionMatrix", m_t, m_p, {"labels": [0, 1, 2, 3, 4, 6]})
    case("confusion weighted", "confusionMatrix", m_t, m_p, {"sampleWeight": w80})
    case("confusion booleans", "confusionMatrix", [bool(v) for v in b_t], [bool(v) for v in b_p])
    case("confusion astral strings", "confusionMatrix", [astral[v % 4] for v in m_t], [astral[v % 4] for v in m_p])

    # --- log loss -----------------------------------------------------------------------------
    n = 60
    pb = rng.uniform(0, 1, n)
    yb = [int(v) for v in (rng.random(n) < pb)]
    case("logLoss binary vector", "logLoss", yb, F64(pb))
    case("logLoss binary number[]", "logLoss", yb, [float(v) for v in pb])
    case("logLoss binary two columns", "logLoss", yb, M(np.stack([1 - pb, pb], axis=1)))
    pc = pb.copy()
    pc[:6] = [0.0, 1.0, 0.0, 1.0, 1e-20, 1 - 1e-17]
    case("logLoss binary clipping at 0 and 1", "logLoss", yb, F64(pc))
    case("logLoss binary weighted", "logLoss", yb, F64(pb), {"sampleWeight": weights(n)})
    case("logLoss binary strings", "logLoss", [["neg", "pos"][v] for v in yb], F64(pb))
    case("logLoss binary booleans", "logLoss", [bool(v) for v in yb], F64(pb))
    case("logLoss one label in yTrue, labels given", "logLoss", [1, 1, 1, 1], F64([0.9, 0.6, 0.99, 0.2]), {"labels": [0, 1]})
    case("logLoss one label, two-column proba", "logLoss", ["b", "b", "b"], M([[0.3, 0.7], [0.5, 0.5], [0.0, 1.0]]), {"labels": ["a", "b"]})
    P = proba(80, 5, 0.7)
    case("logLoss multiclass", "logLoss", m_t, M(P))
    case("logLoss multiclass weighted", "logLoss", m_t, M(P), {"sampleWeight": w80})
    case("logLoss multiclass strings", "logLoss", [fruit[v] for v in m_t], M(P))
    Pz = P.copy()
    Pz[:5] = [[1, 0, 0, 0, 0], [0, 0, 0, 0, 1], [0.5, 0.5, 0, 0, 0], [0, 0, 1, 0, 0], [0.2, 0.2, 0.2, 0.2, 0.2]]
    case("logLoss multiclass clipping zeros and ones", "logLoss", m_t, M(Pz))
    Pu = P * rng.uniform(0.5, 1.0, (80, 1))  # rows summing to less than 1: renormalised
    case("logLoss multiclass unnormalised rows", "logLoss", m_t, M(Pu))
    P3 = proba(5, 3)
    case("logLoss class absent from yTrue, labels given", "logLoss", [0, 2, 2, 0, 0], M(P3), {"labels": [0, 1, 2]})

    # --- ROC AUC ------------------------------------------------------------------------------
    s = rng.normal(0, 1, 60) + np.asarray(yb) * 0.8
    case("rocAuc binary", "rocAucScore", yb, F64(s))
    case("rocAuc binary ties", "rocAucScore", yb, F64(np.round(s)))
    case("rocAuc binary heavy ties", "rocAucScore", [0, 0, 1, 1, 0, 1, 1, 0], [0.5, 0.5, 0.5, 0.5, 0.2, 0.8, 0.2, 0.8])
    case("rocAuc binary all tied", "rocAucScore", [0, 1, 0, 1, 1], [0.3] * 5)
    case("rocAuc binary weighted", "rocAucScore", yb, F64(np.round(s, 1)), {"sampleWeight": weights(60)})
    case("rocAuc binary strings", "rocAucScore", [["neg", "pos"][v] for v in yb], F64(s))
    case("rocAuc binary booleans", "rocAucScore", [bool(v) for v in yb], [float(v) for v in s])
    case("rocAuc binary -1/1", "rocAucScore", [2 * v - 1 for v in yb], F64(s))
    case("rocAuc binary two-column proba", "rocAucScore", yb, M(np.stack([1 - pb, pb], axis=1)), sk_pred=pb)
    case("rocAuc binary perfect", "rocAucScore", [0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    case("rocAuc binary inverted", "rocAucScore", [0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1])
    Pm = proba(80, 5, 1.0)
    Pm[np.arange(80), m_t] += 0.6
    Pm /= Pm.sum(axis=1, keepdims=True)
    for avg in ("macro", "weighted", "micro"):
        case(f"rocAuc multiclass {avg}", "rocAucScore", m_t, M(Pm), {"average": avg}, multi_class="ovr")
        case(f"rocAuc multiclass weighted samples {avg}", "rocAucScore", m_t, M(Pm), {"average": avg, "sampleWeight": w80}, multi_class="ovr")
    case("rocAuc multiclass default (macro)", "rocAucScore", m_t, M(Pm), multi_class="ovr")
    case("rocAuc multiclass strings", "rocAucScore", [fruit[v] for v in m_t], M(Pm), multi_class="ovr")
    Pr = np.round(Pm, 1)
    Pr /= Pr.sum(axis=1, keepdims=True)
    case("rocAuc multiclass ties", "rocAucScore", m_t, M(Pr), multi_class="ovr")
    case("rocAuc multiclass labels", "rocAucScore", [0, 1, 2, 1, 0, 2], M(proba(6, 3)), {"labels": [0, 1, 2]}, multi_class="ovr")
    case("rocAuc three columns, labels", "rocAucScore", [0, 2, 1, 2, 0, 1, 1], M(proba(7, 3)), {"labels": [0, 1, 2]}, multi_class="ovr")

    # --- regression ---------------------------------------------------------------------------
    y = rng.normal(3, 2, 50)
    yhat = y + rng.normal(0, 0.7, 50)
    Y = rng.normal(0, 1, (40, 3)) * [1, 10, 0.1]
    Yhat = Y + rng.normal(0, 0.5, (40, 3))
    w50 = weights(50)
    for fn in ("r2Score", "meanSquaredError", "meanAbsoluteError"):
        case(f"{fn} vector", fn, F64(y), F64(yhat))
        case(f"{fn} number[]", fn, [float(v) for v in y], [float(v) for v in yhat])
        case(f"{fn} weighted", fn, F64(y), F64(yhat), {"sampleWeight": w50})
        case(f"{fn} multi-output", fn, M(Y), M(Yhat))
        case(f"{fn} multi-output weighted", fn, M(Y), M(Yhat), {"sampleWeight": weights(40)})
        case(f"{fn} n × 1 Matrix against a vector", fn, M(y[:, None]), F64(yhat))
        case(f"{fn} worse than the mean", fn, F64(y), F64(-yhat))
        case(f"{fn} constant target, exact", fn, [2.5] * 5, [2.5] * 5)
        case(f"{fn} constant target, inexact", fn, [2.5] * 5, [2.5, 2.5, 3.0, 2.5, 2.0])
        Yc = Y.copy()
        Yc[:, 1] = 4.0
        case(f"{fn} multi-output, one constant column", fn, M(Yc), M(Yhat))
        case(f"{fn} two examples", fn, [1.0, 2.0], [1.5, 1.5])

    return {
        "description": "scikit-learn %s (numpy %s) results for lib/metrics.ts; written by tools/gen_sklearn_metrics.py, do not edit"
        % (sklearn.__version__, np.__version__),
        "cases": CASES,
    }


def dump(doc):
    """One case a line, so that a diff shows which cases changed. Inputs that several cases share
    are written once, in "values", and referred to as {"ref": index}."""
    values, index = [], {}

    def intern(v):
        text = json.dumps(v, ensure_ascii=True)
        if len(text) < 100:
            return v
        if text not in index:
            index[text] = len(values)
            values.append(text)
        return {"ref": index[text]}

    lines = []
    for c in doc["cases"]:
        c = dict(c)
        for key in ("yTrue", "yPred"):
            c[key] = intern(c[key])
        if "options" in c:
            c["options"] = {k: (intern(v) if k == "sampleWeight" else v) for k, v in c["options"].items()}
        lines.append(json.dumps(c, ensure_ascii=True))
    return '{"description": %s,\n"values": [\n%s\n],\n"cases": [\n%s\n]}\n' % (
        json.dumps(doc["description"]), ",\n".join(values), ",\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed file instead of writing it")
    args = ap.parse_args()
    text = dump(build())
    if args.check:
        with open(OUT, encoding="ascii") as f:
            same = f.read() == text
        print("metrics.json is up to date" if same else "metrics.json DIFFERS from what the script writes")
        sys.exit(0 if same else 1)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="ascii") as f:
        f.write(text)
    print(f"wrote {len(CASES)} cases to {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
