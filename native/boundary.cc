// The boundary's out-of-line parts: per-env state and its cleanup hook, the JS error classes,
// argument parsing, and the process-wide OpenBLAS thread-count arbitration. See boundary.h.
#include "boundary.h"

#include <algorithm>
#include <mutex>

#include <cmath>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "blas.h"

namespace blasnet {

// ---------------------------------------------------------------------------------------------
// Per-env state

static void cleanup_env_state(Napi::Env, EnvState* state, void*) { delete state; }

EnvState& env_state(Napi::Env env) {
  EnvState* s = env.GetInstanceData<EnvState>();
  if (!s) {
    s = new EnvState();
    env.SetInstanceData<EnvState, void, cleanup_env_state>(s, nullptr);
    // Runs when this env (a worker thread, or the main thread at teardown) goes away: running jobs
    // stop at their next check, and their completion callbacks no longer call into JS.
    // The hook holds its own reference to the flag, whatever the order of the env's finalizers.
    auto* flag = new std::shared_ptr<std::atomic<bool>>(s->tearing_down);
    napi_add_env_cleanup_hook(
        env,
        [](void* arg) {
          auto* f = static_cast<std::shared_ptr<std::atomic<bool>>*>(arg);
          (*f)->store(true);
          delete f;
        },
        flag);
  }
  return *s;
}

Napi::Value js_error(Napi::Env env, const Failure& f) {
  EnvState& s = env_state(env);
  Napi::FunctionReference& cls = f.kind == ErrorKind::type    ? s.type_error_class
                                 : f.kind == ErrorKind::range ? s.range_error_class
                                                              : s.error_class;
  if (!cls.IsEmpty()) {
    try {
      return cls.New({Napi::String::New(env, f.code), Napi::String::New(env, f.message)});
    } catch (const Napi::Error&) {
      // a class that throws on construction: fall back to a plain error below
    }
  }
  Napi::Error err = f.kind == ErrorKind::type    ? Napi::TypeError::New(env, f.message)
                    : f.kind == ErrorKind::range ? Napi::RangeError::New(env, f.message)
                                                 : Napi::Error::New(env, f.message);
  err.Set("code", Napi::String::New(env, f.code));
  return err.Value();
}

// ---------------------------------------------------------------------------------------------
// Arguments

static std::string describe(Napi::Value v) {
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsNumber()) return "a number";
  if (v.IsString()) return "a string";
  if (v.IsBoolean()) return "a boolean";
  if (v.IsTypedArray()) return "another kind of typed array";
  if (v.IsArray()) return "an array";
  if (v.IsFunction()) return "a function";
  return "an object";
}

F64View f64_arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    fail_type("ERR_BLASNET_ARG_TYPE", std::string(name) + " must be a Float64Array, got " + (info.Length() <= i ? "nothing" : describe(info[i])));
  Napi::Float64Array a = info[i].As<Napi::Float64Array>();
  if (a.ArrayBuffer().IsDetached())
    fail_type("ERR_BLASNET_DETACHED", std::string(name) + " is backed by a detached ArrayBuffer; expected a live buffer");
  return {a.Data(), a.ElementLength()};
}

F64View f64_arg(const Napi::CallbackInfo& info, size_t i, const char* name, size_t expected, const char* expected_what) {
  const F64View v = f64_arg(info, i, name);
  if (v.length != expected)
    fail_range("ERR_BLASNET_SHAPE", std::string(name) + " must have " + std::to_string(expected) + " elements (" + expected_what +
                                        "), got " + std::to_string(v.length));
  return v;
}

static double raw_number(Napi::Value v, const std::string& name) {
  if (!v.IsNumber()) fail_type("ERR_BLASNET_ARG_TYPE", name + " must be a number, got " + describe(v));
  return v.As<Napi::Number>().DoubleValue();
}

static size_t to_size(double v, const std::string& name, size_t min, size_t max) {
  if (!(v >= static_cast<double>(min) && v <= static_cast<double>(max)) || v != std::floor(v))
    fail_range("ERR_BLASNET_ARG_RANGE", name + " must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
                                            (std::isnan(v) ? std::string("NaN") : std::to_string(v)));
  return static_cast<size_t>(v);
}

size_t size_arg(const Napi::CallbackInfo& info, size_t i, const char* name, size_t min, size_t max) {
  return to_size(raw_number(info.Length() > i ? info[i] : info.Env().Undefined(), name), name, min, max);
}

double number_arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  return raw_number(info.Length() > i ? info[i] : info.Env().Undefined(), name);
}

double finite_arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const double v = number_arg(info, i, name);
  if (!std::isfinite(v)) fail_range("ERR_BLASNET_NOT_FINITE", std::string(name) + " must be a finite number, got " + std::to_string(v));
  return v;
}

double config_number(Napi::Object o, const char* key) {
  // Own properties only: a polluted Object.prototype must not reach the kernels.
  if (!o.HasOwnProperty(key)) fail_type("ERR_BLASNET_ARG_TYPE", std::string("config.") + key + " is missing");
  const double v = raw_number(o.Get(key), std::string("config.") + key);
  if (std::isnan(v)) fail_range("ERR_BLASNET_ARG_RANGE", std::string("config.") + key + " must be a number, got NaN");
  return v;
}

size_t config_size(Napi::Object o, const char* key, size_t min, size_t max) {
  return to_size(config_number(o, key), std::string("config.") + key, min, max);
}

Batch parse_batch(const Napi::CallbackInfo& info, size_t first, const BatchShape& shape) {
  const size_t n = size_arg(info, first + 2, "n", 1, kMaxBlasDim);
  check_blas_dim(shape.s0, "the input width");
  check_blas_dim(shape.sL, "the output width");
  const size_t nx = checked_mul(n, shape.s0, "n × inputs");
  Batch b{f64_arg(info, first, "theta", shape.P, "the model's parameter count"),
          f64_arg(info, first + 1, "X", nx, "n × inputs"), {nullptr, 0}, n};
  if (shape.with_Y) b.Y = f64_arg(info, first + 3, "Y", checked_mul(n, shape.sL, "n × outputs"), "n × outputs");
  return b;
}

StreamItem parse_stream_item(Napi::Value v, size_t x_width, size_t y_width) {
  StreamItem item{StreamItem::Kind::end};
  if (v.IsNull()) return item;
  if (v.IsBoolean() && !v.As<Napi::Boolean>().Value()) {
    item.kind = StreamItem::Kind::failed;
    return item;
  }
  if (!v.IsObject()) fail_type("ERR_BLASNET_ARG_TYPE", "batch must be { X, Y, weight?, n }, null (the end of the epoch) or false (a failure), got " + describe(v));
  Napi::Object o = v.As<Napi::Object>();
  const auto field = [&](const char* key) { return o.HasOwnProperty(key) ? o.Get(key) : o.Env().Undefined(); };
  const auto array = [&](const char* key, size_t length, const char* what) -> F64View {
    Napi::Value a = field(key);
    const std::string name = std::string("batch.") + key;
    if (!a.IsTypedArray() || a.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
      fail_type("ERR_BLASNET_ARG_TYPE", name + " must be a Float64Array, got " + describe(a));
    Napi::Float64Array f = a.As<Napi::Float64Array>();
    if (f.ArrayBuffer().IsDetached()) fail_type("ERR_BLASNET_DETACHED", name + " is backed by a detached ArrayBuffer; expected a live buffer");
    if (f.ElementLength() != length)
      fail_range("ERR_BLASNET_SHAPE", name + " must have " + std::to_string(length) + " elements (" + what + "), got " + std::to_string(f.ElementLength()));
    return {f.Data(), length};
  };
  item.kind = StreamItem::Kind::batch;
  item.n = to_size(raw_number(field("n"), "batch.n"), "batch.n", 1, kMaxBlasDim);
  check_blas_dim(x_width, "the input width");
  check_blas_dim(y_width, "the output width");
  item.X = array("X", checked_mul(item.n, x_width, "n × inputs"), "n × inputs");
  item.Y = array("Y", checked_mul(item.n, y_width, "n × outputs"), "n × outputs");
  if (!field("weight").IsUndefined()) item.weight = array("weight", item.n, "n");
  return item;
}

// ---------------------------------------------------------------------------------------------
// The training state a fit starts from and ends with

namespace {

// An own property of a state object: a number, not NaN; `path` names it ("config.state.earlyStopping.").
double state_number(Napi::Object o, const char* key, const std::string& path) {
  if (!o.HasOwnProperty(key)) fail_type("ERR_BLASNET_ARG_TYPE", path + key + " is missing");
  const double v = raw_number(o.Get(key), path + key);
  if (std::isnan(v)) fail_range("ERR_BLASNET_ARG_RANGE", path + key + " must be a number, got NaN");
  return v;
}

size_t state_count(Napi::Object o, const char* key, const std::string& path) {
  return to_size(state_number(o, key, path), path + key, 0, size_t(1) << 53);
}

// An own property that is an object, or absent/undefined (*present = false).
Napi::Object state_object(Napi::Object o, const char* key, const std::string& path, bool* present) {
  Napi::Value v = o.HasOwnProperty(key) ? o.Get(key) : o.Env().Undefined();
  *present = !v.IsUndefined();
  if (*present && !v.IsObject()) fail_type("ERR_BLASNET_ARG_TYPE", path + key + " must be an object or undefined, got " + describe(v));
  return *present ? v.As<Napi::Object>() : Napi::Object::New(o.Env());
}

// A copy of the own property o[key]: a live Float64Array of exactly `length` elements, allowed only
// when `allowed`; empty when absent or undefined.
std::vector<double> state_buffer(Napi::Object o, const char* key, const std::string& path, size_t length, bool allowed, const char* what) {
  Napi::Value v = o.HasOwnProperty(key) ? o.Get(key) : o.Env().Undefined();
  if (v.IsUndefined()) return {};
  const std::string name = path + key;
  if (!allowed) fail_range("ERR_BLASNET_SHAPE", name + " must be undefined for this optimizer (it has no " + what + ")");
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    fail_type("ERR_BLASNET_ARG_TYPE", name + " must be a Float64Array, got " + describe(v));
  Napi::Float64Array a = v.As<Napi::Float64Array>();
  if (a.ArrayBuffer().IsDetached()) fail_type("ERR_BLASNET_DETACHED", name + " is backed by a detached ArrayBuffer; expected a live buffer");
  if (a.ElementLength() != length)
    fail_range("ERR_BLASNET_SHAPE", name + " must have " + std::to_string(length) + " elements (the model's parameter count: " + what + "), got " +
                                        std::to_string(a.ElementLength()));
  return std::vector<double>(a.Data(), a.Data() + length);
}

TrackerState tracker(Napi::Object o, const std::string& path) {
  TrackerState t;
  t.has = state_number(o, "has", path) != 0;
  t.best = state_number(o, "best", path);
  t.wait = state_count(o, "wait", path);
  return t;
}

}  // namespace

TrainState parse_train_state(Napi::Object config, Optimizer kind, size_t P) {
  TrainState s;
  bool present = false;
  Napi::Object o = state_object(config, "state", "config.", &present);
  if (!present) return s;
  const std::string path = "config.state.";
  s.epoch = state_count(o, "epoch", path);
  s.steps = state_count(o, "steps", path);
  s.m = state_buffer(o, "m", path, P, kind == Optimizer::momentum || kind == Optimizer::adam, "momentum's velocity or Adam's first moment");
  s.v = state_buffer(o, "v", path, P, kind == Optimizer::adam, "Adam's second moment");
  Napi::Object early = state_object(o, "earlyStopping", path, &present);
  if (present) {
    const std::string at = path + "earlyStopping.";
    static_cast<TrackerState&>(s.early_stopping) = tracker(early, at);
    s.early_stopping.best_epoch = state_count(early, "bestEpoch", at);
  }
  Napi::Object plateau = state_object(o, "reduceOnPlateau", path, &present);
  if (present) {
    const std::string at = path + "reduceOnPlateau.";
    static_cast<TrackerState&>(s.reduce_on_plateau) = tracker(plateau, at);
    const double rate = state_number(plateau, "learningRate", at);
    if (!(std::isfinite(rate) && rate > 0)) fail_range("ERR_BLASNET_ARG_RANGE", at + "learningRate must be a finite number > 0, got " + std::to_string(rate));
    s.reduce_on_plateau.learning_rate = rate;
  }
  return s;
}

Napi::Object train_state_object(Napi::Env env, const TrainState& s) {
  auto tracker_object = [&](const TrackerState& t) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("has", Napi::Number::New(env, t.has ? 1 : 0));
    o.Set("best", Napi::Number::New(env, t.best));
    o.Set("wait", Napi::Number::New(env, static_cast<double>(t.wait)));
    return o;
  };
  Napi::Object r = Napi::Object::New(env);
  r.Set("epoch", Napi::Number::New(env, static_cast<double>(s.epoch)));
  r.Set("steps", Napi::Number::New(env, static_cast<double>(s.steps)));
  r.Set("m", new_f64(env, s.m.data(), s.m.size()));
  r.Set("v", new_f64(env, s.v.data(), s.v.size()));
  Napi::Object early = tracker_object(s.early_stopping);
  early.Set("bestEpoch", Napi::Number::New(env, static_cast<double>(s.early_stopping.best_epoch)));
  r.Set("earlyStopping", early);
  Napi::Object plateau = tracker_object(s.reduce_on_plateau);
  plateau.Set("learningRate", Napi::Number::New(env, s.reduce_on_plateau.learning_rate));
  r.Set("reduceOnPlateau", plateau);
  return r;
}

// madvise(MADV_HUGEPAGE) where the system has it: a hint, whose failure changes nothing.
void advise_huge_pages(void* p, size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  (void)madvise(p, bytes, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}


namespace {
constexpr size_t kHugePage = size_t(2) << 20;
size_t round_to_huge(size_t bytes) {
  if (bytes > SIZE_MAX - (kHugePage - 1)) throw std::bad_alloc();
  return (bytes + kHugePage - 1) & ~(kHugePage - 1);
}
struct KeptBlock {
  void* p;
  size_t bytes;  // rounded
};
std::mutex kept_mutex;
std::vector<KeptBlock> kept;  // most recently given last; at most kJobBufferKeep
}  // namespace

void* job_buffer_take(size_t bytes) {
  const size_t rounded = round_to_huge(bytes);
  {
    std::lock_guard<std::mutex> lock(kept_mutex);
    for (size_t i = kept.size(); i-- > 0;) {
      if (kept[i].bytes == rounded) {
        void* p = kept[i].p;
        kept.erase(kept.begin() + static_cast<std::ptrdiff_t>(i));
        return p;
      }
    }
  }
  void* p = nullptr;
  if (posix_memalign(&p, kHugePage, rounded) != 0) throw std::bad_alloc();
  advise_huge_pages(p, rounded);
  return p;
}

void job_buffer_give(void* p, size_t bytes) noexcept {
  const size_t rounded = (bytes + kHugePage - 1) & ~(kHugePage - 1);  // no overflow: take rounded it
  void* evict[kJobBufferKeep + 1] = {};
  size_t evicted = 0;
  if (rounded > kJobBufferKeepBytes) {
    std::free(p);
    return;
  }
  try {
    std::lock_guard<std::mutex> lock(kept_mutex);
    kept.reserve(kJobBufferKeep + 1);
    kept.push_back({p, rounded});
    size_t total = 0;
    for (const KeptBlock& k : kept) total += k.bytes;
    // Drop the oldest until both limits hold.
    while (kept.size() > kJobBufferKeep || total > kJobBufferKeepBytes) {
      total -= kept.front().bytes;
      evict[evicted++] = kept.front().p;
      kept.erase(kept.begin());
    }
  } catch (...) {  // reserve failed: keep nothing
    std::free(p);
    return;
  }
  for (size_t i = 0; i < evicted; ++i) std::free(evict[i]);
}

Napi::Float64Array new_f64(Napi::Env env, const double* src, size_t n) {
  Napi::Float64Array out = Napi::Float64Array::New(env, n);
  if (n) std::memcpy(out.Data(), src, n * sizeof(double));
  return out;
}

void export_function(Napi::Env env, Napi::Object exports, const char* name, Napi::Value (*fn)(const Napi::CallbackInfo&)) {
  exports.Set(name, Napi::Function::New(
                        env, [](const Napi::CallbackInfo& info) -> Napi::Value {
                          auto f = reinterpret_cast<Napi::Value (*)(const Napi::CallbackInfo&)>(info.Data());
                          return guarded(info.Env(), [&] { return f(info); });
                        },
                        name, reinterpret_cast<void*>(fn)));
}

// ---------------------------------------------------------------------------------------------
// OpenBLAS threads

namespace {
std::mutex threads_mutex;
size_t active_jobs = 0;
int pending_threads = 0;  // 0: none
int team_threads = 0;     // blasnet's count (0: not read yet)

// blasnet's count: the first time, OpenBLAS's (its OPENBLAS_NUM_THREADS, or the core count), which
// is then set to 1 for good (see blas.h blasnet_threads).
int threads_locked() {
  if (team_threads == 0) {
    team_threads = std::max(1, get_threads());
    set_threads(1);
  }
  return team_threads;
}
}  // namespace

JobScope::JobScope() {
  std::lock_guard<std::mutex> lock(threads_mutex);
  ++active_jobs;
  threads_ = threads_locked();
}

JobScope::~JobScope() {
  std::lock_guard<std::mutex> lock(threads_mutex);
  if (--active_jobs == 0 && pending_threads > 0) {
    threads_locked();
    team_threads = pending_threads;
    pending_threads = 0;
  }
}

bool request_threads(int n) {
  std::lock_guard<std::mutex> lock(threads_mutex);
  if (active_jobs == 0) {
    threads_locked();
    team_threads = n;
    pending_threads = 0;
    return true;
  }
  pending_threads = n;
  return false;
}

int requested_threads() {
  std::lock_guard<std::mutex> lock(threads_mutex);
  return pending_threads > 0 ? pending_threads : threads_locked();
}

int blasnet_threads() {
  std::lock_guard<std::mutex> lock(threads_mutex);
  return threads_locked();
}

}  // namespace blasnet
