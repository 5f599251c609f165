"""Shared plumbing for the Python peers: spec parsing, thread environment, BLAS report,
input/output files, the timing loop and the one JSON line on stdout.
Must never import numpy or torch at module level: the thread variables have to be in the
environment before either library (and the OpenBLAS it loads) is imported."""

import ctypes
import json
import math
import os
import statistics
import sys
import time

WORKLOADS = ("W1", "W2", "W3", "W4", "W5", "W6", "W7")

# Activation names as the TypeScript side spells them, plus common aliases.
_ACTIVATIONS = {
    "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "linear": "linear",
    "identity": "linear", "softmax": "softmax",
    "leakyrelu": "leakyRelu", "leaky_relu": "leakyRelu", "leaky-relu": "leakyRelu",
}


def fail(message):
    """Argument or input error: one line on stderr, exit status 2, nothing on stdout."""
    sys.stderr.write("peer error: %s\n" % message)
    sys.exit(2)


def activation(name, where):
    key = str(name).replace(" ", "").lower()
    if key not in _ACTIVATIONS:
        fail("%s: unknown activation %r (expected one of %s)"
             % (where, name, ", ".join(sorted(set(_ACTIVATIONS.values())))))
    return _ACTIVATIONS[key]


def _need(spec, key, kind):
    if key not in spec:
        fail("spec: missing field %r for workload %s" % (key, spec.get("workload")))
    value = spec[key]
    if kind is int and not (isinstance(value, int) and not isinstance(value, bool)):
        fail("spec: field %r must be an integer, got %r" % (key, value))
    if kind is float and not isinstance(value, (int, float)):
        fail("spec: field %r must be a number, got %r" % (key, value))
    return value


def load_spec(argv):
    """Read and check the spec, then put the thread counts into the environment.
    Call before importing numpy or torch. OPENBLAS_CORETYPE is left as the caller set it."""
    args = [a for a in argv[1:] if not a.startswith("--")]
    flags = [a for a in argv[1:] if a.startswith("--")]
    if len(args) != 1:
        fail("usage: %s [--autograd] <spec.json>" % os.path.basename(argv[0]))
    try:
        with open(args[0]) as f:
            spec = json.load(f)
    except (OSError, ValueError) as e:
        fail("cannot read spec %s: %s" % (args[0], e))
    if spec.get("workload") not in WORKLOADS:
        fail("spec: workload must be one of %s, got %r" % (WORKLOADS, spec.get("workload")))
    threads = _need(spec, "threads", int)
    if threads < 1:
        fail("spec: threads must be >= 1, got %r" % threads)
    for key in ("repeats", "warmup"):
        _need(spec, key, int)
    if spec["repeats"] < 1 or spec["warmup"] < 0:
        fail("spec: need repeats >= 1 and warmup >= 0")
    for key in ("dir", "out"):
        _need(spec, key, str)
    w = spec["workload"]
    if w == "W7":
        for key in ("m", "n", "maxIter"):
            _need(spec, key, int)
        for key in ("C", "tol"):
            _need(spec, key, float)
    elif w == "W1":
        for key in ("m", "n", "iterations"):
            _need(spec, key, int)
        for key in ("learningRate", "b"):
            _need(spec, key, float)
    else:
        layers = _need(spec, "layers", list)
        if len(layers) < 2 or not all(isinstance(s, int) and s > 0 for s in layers):
            fail("spec: layers must be a list of >= 2 positive integers, got %r" % (layers,))
        spec["hidden"] = activation(_need(spec, "hidden", str), "spec.hidden")
        spec["output"] = activation(_need(spec, "output", str), "spec.output")
        if spec["hidden"] == "softmax":
            fail("spec.hidden: softmax is only an output activation")
        if w in ("W2", "W3", "W5"):
            _need(spec, "n", int)
        if w in ("W2", "W3"):
            _need(spec, "iterations", int)
            _need(spec, "learningRate", float)
        if w == "W6":
            for key in ("n", "testN", "maxEpochs", "batchSize"):
                _need(spec, key, int)
            for key in ("learningRate", "beta1", "beta2", "epsilon", "target"):
                _need(spec, key, float)
    spec["variant"] = spec.get("variant") or ("autograd" if "--autograd" in flags else "plain")
    if spec["variant"] not in ("plain", "autograd"):
        fail("spec: variant must be 'plain' or 'autograd', got %r" % spec["variant"])
    os.makedirs(spec["out"], exist_ok=True)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    return spec


def loss_of(spec):
    """Loss implied by the output activation (docs/math.md, "Output layers and losses");
    spec.loss may ask for 'mse'."""
    loss = spec.get("loss")
    if loss is None:
        return {"sigmoid": "bce", "softmax": "cce"}.get(spec["output"], "mse")
    loss = str(loss).lower()
    if loss not in ("bce", "cce", "mse"):
        fail("spec.loss must be bce, cce or mse, got %r" % loss)
    if loss == "bce" and spec["output"] != "sigmoid" or loss == "cce" and spec["output"] != "softmax":
        fail("spec.loss %s does not go with output %s" % (loss, spec["output"]))
    return loss


# ---- input / output files -------------------------------------------------------------

def read_f64(np, spec, name, count, shape=None):
    """Raw little-endian float64 file `name` in spec.dir; the first `count` values,
    the file must hold at least that many (exactly that many unless shape is None)."""
    path = os.path.join(spec["dir"], name)
    try:
        data = np.fromfile(path, dtype="<f8")
    except OSError as e:
        fail("cannot read %s: %s" % (path, e))
    if data.size < count or (shape is not None and data.size != count):
        fail("%s: expected %d float64 values, found %d" % (path, count, data.size))
    data = data[:count].astype(np.float64, copy=False)
    return data.reshape(shape) if shape is not None else data


def read_raw(np, spec, name, dtype, count):
    """Raw little-endian file `name` in spec.dir of exactly `count` values of `dtype`."""
    path = os.path.join(spec["dir"], name)
    try:
        data = np.fromfile(path, dtype=dtype)
    except OSError as e:
        fail("cannot read %s: %s" % (path, e))
    if data.size != count:
        fail("%s: expected %d values, found %d" % (path, count, data.size))
    return data


def write_f64(np, spec, name, array):
    np.ascontiguousarray(array, dtype="<f8").tofile(os.path.join(spec["out"], name))


# ---- BLAS report ----------------------------------------------------------------------

def _loaded_openblas():
    """Path of the libopenblas mapped into this process, or None."""
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 6 and os.path.basename(parts[5]).startswith(("libopenblas", "libscipy_openblas")):
                    return parts[5]
    except OSError:
        pass
    return None


def blas_info():
    """{'corename','config','threads'} from the OpenBLAS actually loaded (None where
    unavailable), and that library's path."""
    info = {"corename": None, "config": None, "threads": None}
    path = _loaded_openblas()
    if path is None:
        return info, None
    try:
        lib = ctypes.CDLL(path)  # already mapped: dlopen hands back the same instance
    except OSError:
        return info, path

    def fn(name, restype):
        for symbol in (name, name + "64_"):  # 64-bit-integer builds suffix their symbols
            f = getattr(lib, symbol, None)
            if f is not None:
                f.restype, f.argtypes = restype, []
                return f
        return None

    f = fn("openblas_get_corename", ctypes.c_char_p)
    if f:
        info["corename"] = f().decode(errors="replace").strip()
    f = fn("openblas_get_config", ctypes.c_char_p)
    if f:
        info["config"] = f().decode(errors="replace").strip()
    f = fn("openblas_get_num_threads", ctypes.c_int)
    if f:
        info["threads"] = f()
    return info, path


# ---- timing -----------------------------------------------------------------------------

def timed_runs(spec, prepare, run):
    """warmup untimed runs, then `repeats` timed runs of run(*prepare()).
    prepare() copies the initial parameters outside the timed region. Returns the result
    of the first run (warmup or timed) and the per-repeat wall times in ms."""
    first, times = None, []
    for i in range(spec["warmup"] + spec["repeats"]):
        args = prepare()
        t0 = time.perf_counter()
        result = run(*args)
        t1 = time.perf_counter()
        if i == 0:
            first = result
        if i >= spec["warmup"]:
            times.append((t1 - t0) * 1e3)
    return first, times


def dense_flops(layers, n, training):
    """gemm flops of one forward pass (training=False) or one training iteration of a dense
    network on n examples: forward W[l]A[l-1] for every l; backward dW[l] for every l and
    W[l]^T delta[l] for l >= 2 (the product back to the input is never formed).
    = 2n * sum_l s_l s_{l-1}  resp.  2n * (3 sum_l s_l s_{l-1} - s_1 s_0)."""
    pairs = sum(a * b for a, b in zip(layers[1:], layers[:-1]))
    if not training:
        return 2.0 * n * pairs
    return 2.0 * n * (3 * pairs - layers[0] * layers[1])


def finite_or_none(x):
    x = float(x)
    return x if math.isfinite(x) else None


def emit(peer, version, spec, blas, times, costs=None, b=None, extra=None):
    """The one JSON line on stdout."""
    record = {
        "peer": peer,
        "version": version,
        "workload": spec["workload"],
        "threads": spec["threads"],
        "blas": blas,
        "times_ms": times,
        "median_ms": statistics.median(times),
    }
    if costs is not None:
        record["costs"] = [finite_or_none(c) for c in costs]
    if b is not None:
        record["b"] = finite_or_none(b)
    record["extra"] = extra or {}
    sys.stdout.write(json.dumps(record, allow_nan=False) + "\n")
    sys.stdout.flush()


def peak_rss_kib():
    """This process's peak resident set size so far, KiB: VmHWM from /proc/self/status (it belongs
    to this process image since its exec; getrusage's ru_maxrss also counts the pages of the parent
    that forked it, the benchmark runner). Elsewhere ru_maxrss."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def standard_extra(spec, median_ms, flops_per_run, blas_path):
    extra = {"blas_library": blas_path, "openblas_coretype_env": os.environ.get("OPENBLAS_CORETYPE"),
             "max_rss_kib": peak_rss_kib()}
    if flops_per_run:
        extra["flops_per_run"] = flops_per_run
        extra["gflops"] = flops_per_run / (median_ms * 1e-3) / 1e9 if median_ms > 0 else None
    return extra
