"""Helper for selftest.sh: `make DIR` writes tiny inputs and one spec per
(case, peer, threads); `check DIR` compares the results. Uses only numpy.
Tolerance: |a − b| ≤ 1e-10 · max(|a|, |b|, 1e-12 · max|reference array|) per value, i.e.
relative per value, with a floor so that entries that are ~0 are not judged relative to 0."""

import glob
import json
import os
import sys

import numpy as np

RTOL = 1e-10
PEERS = ("numpy", "torch", "torch-autograd")
THREADS = (1, 2)

# name: (workload, fields); the extra W2 cases exercise softmax+CCE, leaky relu, depth 3, MSE
CASES = {
    "W1": ("W1", dict(m=6, n=50, iterations=40, learningRate=0.5, b=0.1)),
    "W2": ("W2", dict(layers=[20, 8, 1], hidden="tanh", output="sigmoid", n=64, iterations=15, learningRate=0.5)),
    "W3": ("W3", dict(layers=[20, 8, 3], hidden="relu", output="sigmoid", n=64, iterations=15, learningRate=0.5)),
    "W4": ("W4", dict(layers=[20, 8, 3], hidden="relu", output="softmax", calls=50)),
    "W5": ("W5", dict(layers=[20, 8, 3], hidden="relu", output="softmax", n=37)),
    "W2-softmax-deep": ("W2", dict(layers=[20, 8, 6, 4], hidden="leakyRelu", output="softmax", n=64,
                                   iterations=12, learningRate=0.3)),
    "W2-linear-mse": ("W2", dict(layers=[20, 8, 2], hidden="sigmoid", output="linear", n=64,
                                 iterations=12, learningRate=0.1)),
}


def make(root):
    rng = np.random.default_rng(20240607)
    for name, (workload, fields) in CASES.items():
        d = os.path.join(root, name)
        os.makedirs(d)
        if workload == "W1":
            m, n = fields["m"], fields["n"]
            rng.standard_normal((n, m)).tofile(os.path.join(d, "X.f64"))
            (rng.random(n) < 0.5).astype(np.float64).tofile(os.path.join(d, "Y.f64"))
            (0.1 * rng.standard_normal(m)).tofile(os.path.join(d, "w.f64"))
        else:
            s = fields["layers"]
            n = fields.get("n", 1)
            rng.standard_normal((n, s[0])).tofile(os.path.join(d, "X.f64"))
            if fields["output"] == "softmax":
                Y = np.eye(s[-1])[rng.integers(0, s[-1], n)]
            elif fields["output"] == "sigmoid":
                Y = (rng.random((n, s[-1])) < 0.5).astype(np.float64)
            else:
                Y = rng.standard_normal((n, s[-1]))
            Y.tofile(os.path.join(d, "Y.f64"))
            for l in range(1, len(s)):
                (rng.standard_normal((s[l], s[l - 1])) * np.sqrt(2.0 / s[l - 1])).tofile(os.path.join(d, "W%d.f64" % l))
                (0.1 * rng.standard_normal(s[l])).tofile(os.path.join(d, "b%d.f64" % l))
        for peer in PEERS:
            if peer == "torch-autograd" and workload in ("W4", "W5"):
                continue
            for t in THREADS:
                out = os.path.join(d, "out.%s.t%d" % (peer, t))
                spec = dict(workload=workload, threads=t, repeats=2, warmup=1, dir=d, out=out, **fields)
                if peer == "torch-autograd":
                    spec["variant"] = "autograd"
                with open(os.path.join(d, "spec.%s.t%d.json" % (peer, t)), "w") as f:
                    json.dump(spec, f)


def worst(a, b):
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    if a.shape != b.shape:
        return np.inf
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return np.inf
    floor = 1e-12 * max(np.max(np.abs(a)), 1e-300)
    return float(np.max(np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)))


def outputs(d, workload, fields):
    """Name → array of everything that must agree."""
    res = json.load(open(os.path.join(d, "result.json")))
    got = {}
    if "costs" in res:
        got["costs"] = res["costs"]
    if workload == "W1":
        got["w"] = np.fromfile(os.path.join(d, "w.f64"))
        got["b"] = [res["b"]]
    elif workload in ("W2", "W3"):
        for f in sorted(glob.glob(os.path.join(d, "[Wb]*.f64"))):
            got[os.path.basename(f)] = np.fromfile(f)
    else:
        got["A"] = np.fromfile(os.path.join(d, "A.f64"))
    return res, got


def check(root):
    failures = 0
    for name, (workload, fields) in CASES.items():
        ref_dir = os.path.join(root, name, "out.numpy.t1")
        ref_res, ref = outputs(ref_dir, workload, fields)
        # sanity of the reference itself
        if "costs" in ref and not ref["costs"][-1] < ref["costs"][0]:
            print("FAIL %s: numpy cost did not decrease: %s" % (name, ref["costs"]))
            failures += 1
        if workload in ("W4", "W5"):
            A = ref["A"].reshape(-1, fields["layers"][-1])
            if np.max(np.abs(A.sum(axis=1) - 1)) > 1e-14 or A.min() < 0:
                print("FAIL %s: softmax rows do not sum to 1" % name)
                failures += 1
            if workload == "W4":
                if len(ref_res["extra"]["probabilities"]) != A.size:
                    print("FAIL %s: probabilities in the JSON have the wrong length" % name)
                    failures += 1
        for peer in ("numpy", "torch", "torch-autograd"):
            for t in THREADS:
                d = os.path.join(root, name, "out.%s.t%d" % (peer, t))
                if not os.path.isdir(d):
                    continue
                res, got = outputs(d, workload, fields)
                if res["peer"] != peer or res["workload"] != workload or res["threads"] != t:
                    print("FAIL %s %s t%d: header %s" % (name, peer, t, {k: res[k] for k in ("peer", "workload", "threads")}))
                    failures += 1
                if res["blas"]["threads"] not in (None, t):
                    print("FAIL %s %s t%d: OpenBLAS reports %s threads" % (name, peer, t, res["blas"]["threads"]))
                    failures += 1
                if len(res["times_ms"]) != 2:
                    print("FAIL %s %s t%d: %d times for 2 repeats" % (name, peer, t, len(res["times_ms"])))
                    failures += 1
                line = []
                for key, value in ref.items():
                    e = worst(value, got.get(key, []))
                    line.append("%s %.1e" % (key, e))
                    if not e <= RTOL:
                        failures += 1
                        print("FAIL %s %s t%d: %s differs from numpy t1 by %.3e relative" % (name, peer, t, key, e))
                print("ok   %-16s %-15s t%d  %s" % (name, peer, t, ", ".join(line)))
    # W4 (one example) must equal row 0 of W5 when they share parameters: here they do not,
    # so recompute W4's example independently in plain numpy as a third opinion.
    d = os.path.join(root, "W4")
    s = CASES["W4"][1]["layers"]
    a = np.fromfile(os.path.join(d, "X.f64"))[: s[0]]
    for l in range(1, len(s)):
        W = np.fromfile(os.path.join(d, "W%d.f64" % l)).reshape(s[l], s[l - 1])
        z = W @ a + np.fromfile(os.path.join(d, "b%d.f64" % l))
        a = np.maximum(z, 0) if l < len(s) - 1 else np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    e = worst(a, np.fromfile(os.path.join(d, "out.torch.t1", "A.f64")))
    print("W4 vs independent numpy forward: %.1e" % e)
    failures += not e <= RTOL
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        sys.exit(check(sys.argv[2]))
