// The one door between JavaScript and blasnet's C++. Every binding, sync or async, enters through
// `guarded` (any C++ exception becomes a coded JS error of lib/errors.ts' classes) and reads its
// arrays through `parse_batch` / `f64_arg` (typed, live, lengths and size products overflow-checked,
// every BLAS dimension range-checked). Code below this file never sees a napi_value, and nothing it
// throws escapes as a C++ exception.
#pragma once
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "buffers.h"
#include "failure.h"
#include "trainer.h"

namespace blasnet {

// ---------------------------------------------------------------------------------------------
// Per-environment state (the addon is context-aware: one per main thread or worker thread).

struct EnvState {
  // What lib/native.ts configured (`new f(code, message)` returns the error ERROR_CLASSES gives the
  // code; one function for the three kinds), or empty before that.
  Napi::FunctionReference error_class, type_error_class, range_error_class;
  // Set by the env cleanup hook: running jobs stop at their next check and never call into JS.
  // Shared, so a job still running on a libuv thread can read it after this state is gone.
  std::shared_ptr<std::atomic<bool>> tearing_down = std::make_shared<std::atomic<bool>>(false);
};

EnvState& env_state(Napi::Env env);

// The JS error for a failure: built by what lib/native.ts configured (lib/errors.ts blasnetError: the
// class of the code in ERROR_CLASSES), else a plain Error / TypeError / RangeError by the failure's
// kind; `code` set either way.
Napi::Value js_error(Napi::Env env, const Failure& f);

// Runs body() (returning a Napi::Value) and turns any C++ exception into a thrown JS error. A
// Napi::Error (a JS exception raised by a call into JS) passes through unchanged.
template <class F>
Napi::Value guarded(Napi::Env env, F&& body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (...) {
    const Failure f = current_failure();
    throw Napi::Error(env, js_error(env, f));
  }
}

// ---------------------------------------------------------------------------------------------
// Arguments. The TS layer has validated everything; these checks are what memory safety needs.

struct F64View {
  const double* data;
  size_t length;
};

F64View f64_arg(const Napi::CallbackInfo& info, size_t i, const char* name);
F64View f64_arg(const Napi::CallbackInfo& info, size_t i, const char* name, size_t expected, const char* expected_what);
size_t size_arg(const Napi::CallbackInfo& info, size_t i, const char* name, size_t min = 0, size_t max = kMaxBlasDim);
double number_arg(const Napi::CallbackInfo& info, size_t i, const char* name);
double finite_arg(const Napi::CallbackInfo& info, size_t i, const char* name);
// An own property of a plain config object, as a number (finite unless allow_infinite).
double config_number(Napi::Object o, const char* key);
size_t config_size(Napi::Object o, const char* key, size_t min = 0, size_t max = SIZE_MAX >> 11);

// The state a fit starts from: the config's own property `state` (lib/native.ts NativeTrainState),
// absent or undefined for a fresh fit (every count 0, zero buffers). Its counts are integers in
// [0, 2^53]; its buffers are copied into the returned state (the job owns them) from live
// Float64Arrays of exactly P elements: `m` (momentum's velocity, Adam's first moment) only for
// momentum and Adam, `v` (Adam's second moment) only for Adam; absent means zeros (a fresh
// optimizer). `earlyStopping` is { has, best, wait, bestEpoch }, `reduceOnPlateau` { has, best, wait,
// learningRate } with a learning rate that is a finite number > 0.
TrainState parse_train_state(Napi::Object config, Optimizer kind, size_t P);
// The state a fit ended with, for its result: { epoch, steps, m, v (new Float64Arrays of the
// state's lengths), earlyStopping: { has, best, wait, bestEpoch }, reduceOnPlateau: { has, best,
// wait, learningRate } }.
Napi::Object train_state_object(Napi::Env env, const TrainState& s);

// One delivery to a fit from a data source (lib/fit.ts → native/stream.h BatchQueue): null for the
// end of the epoch, false for a failure (JavaScript keeps the error), or an own-property object
// { X, Y, weight?, n }: n an integer in [1, kMaxBlasDim], X a live Float64Array of n × x_width, Y of
// n × y_width, weight undefined or of n (lengths overflow-checked). Throws ERR_BLASNET_ARG_TYPE /
// ERR_BLASNET_DETACHED / ERR_BLASNET_SHAPE / ERR_BLASNET_ARG_RANGE naming the field.
struct StreamItem {
  enum class Kind { batch, end, failed } kind;
  F64View X{nullptr, 0}, Y{nullptr, 0}, weight{nullptr, 0};
  size_t n = 0;
};
StreamItem parse_stream_item(Napi::Value item, size_t x_width, size_t y_width);

// (θ, X, n[, Y]) at arguments first, first+1, first+2[, first+3], as every model binding takes them.
struct BatchShape {
  size_t P;    // parameters
  size_t s0;   // inputs per example
  size_t sL;   // targets per example
  bool with_Y;
};
struct Batch {
  F64View theta, X, Y;
  size_t n;
};
Batch parse_batch(const Napi::CallbackInfo& info, size_t first, const BatchShape& shape);

// The batch a job reads: its own copy (async jobs, and fits whose progress callback runs JavaScript
// between steps, which could change or free the caller's arrays), or the caller's arrays in place (a
// synchronous call that runs no JavaScript until it returns: nothing can touch them meanwhile).
// Theta::borrowed: X and Y are copied but θ is read in place, for a caller that never writes the θ
// array it passed (lib/network.ts replaces its θ, never writes it) and keeps it alive until the job
// ends (run_async's `keep`): an asynchronous prediction of a few examples then does not copy a
// model's worth of parameters (0.8 MB for 784-128-10, ~60 µs here) at every call.
enum class Theta { copied, borrowed };
// XCopy::deferred: X's copy is made once the job is queued (or started), by one call of copy_rows()
// before any JavaScript runs — on the calling thread before it returns (an asynchronous job), or on
// a thread of the job's own that it joins first (a synchronous fit: FitJob) — in slices the job may
// start on: it reads a row only once rows_ready() says it is copied. A large asynchronous
// prediction or fit then overlaps the copy of X with its first products instead of adding the
// whole copy to its time.
enum class XCopy { at_call, deferred };

class JobInput {
 public:
  // order (XCopy::deferred only): the order the copy takes X's rows in, a permutation of 0..n−1 (row
  // order[k] goes to its own place in the copy), for a job that reads them in that order (a fit's
  // first epoch: trainer.h first_epoch_order); empty for 0..n−1.
  JobInput(const Batch& b, bool copy, Theta theta = Theta::copied, XCopy rows = XCopy::at_call, std::vector<uint32_t> order = {})
      : view_(b) {
    if (!copy) {
      ready_.store(b.n, std::memory_order_relaxed);
      return;
    }
    if (theta == Theta::copied) theta_.assign(b.theta.data, b.theta.data + b.theta.length);
    if (rows == XCopy::deferred) {
      X_.resize(b.X.length);  // uninitialized (JobBufferAllocator::construct)
      X_src_ = b.X.data;
      order_ = std::move(order);
      deferred_ = true;
    } else {
      X_.assign(b.X.data, b.X.data + b.X.length);
      ready_.store(b.n, std::memory_order_relaxed);
    }
    if (b.Y.data) Y_.assign(b.Y.data, b.Y.data + b.Y.length);
    if (theta == Theta::copied) view_.theta.data = theta_.data();
    view_.X.data = X_.data();
    if (b.Y.data) view_.Y.data = Y_.data();
  }
  // XCopy::deferred: copies X's rows in the order given, in slices of about 1 MiB, publishing each
  // (release). Never waits on anything, so it always completes. No-op otherwise, and once done.
  void copy_rows() {
    if (!X_src_) return;
    const size_t n = view_.n, row = n ? view_.X.length / n : 0;
    const size_t slice = std::max<size_t>(1, (size_t(1) << 17) / std::max<size_t>(row, 1));
    double* to = X_.data();
    for (size_t k0 = 0; k0 < n; k0 += slice) {
      const size_t k1 = std::min(n, k0 + slice);
      if (order_.empty()) {
        std::memcpy(to + k0 * row, X_src_ + k0 * row, (k1 - k0) * row * sizeof(double));
      } else {
        for (size_t k = k0; k < k1; ++k) {
          const size_t j = order_[k];
          std::memcpy(to + j * row, X_src_ + j * row, row * sizeof(double));
        }
      }
      ready_.store(k1, std::memory_order_release);
    }
    X_src_ = nullptr;
  }
  // How many rows of the copy's order the job may read: rows order[0..k) (rows [0, k) without an
  // order). n but while a deferred copy is under way.
  size_t rows_ready() const { return ready_.load(std::memory_order_acquire); }
  // Returns once rows_ready() ≥ count (false), or once stop() says to give up (true). Pauses, then
  // yields: the copy runs at memory speed, so the wait is short.
  template <class Stop>
  bool wait_rows(size_t count, Stop&& stop) const {
    for (unsigned k = 0; rows_ready() < count; ++k) {
      if (stop()) return true;
      if (k < 64) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
      } else {
        std::this_thread::yield();
      }
    }
    return false;
  }
  // Whether X is copied by copy_rows() (XCopy::deferred), fixed at construction.
  bool copy_deferred() const { return deferred_; }
  JobInput(const JobInput&) = delete;
  JobInput& operator=(const JobInput&) = delete;
  const double* theta() const { return view_.theta.data; }
  size_t params() const { return view_.theta.length; }
  const double* X() const { return view_.X.data; }
  const double* Y() const { return view_.Y.data; }
  size_t n() const { return view_.n; }

 private:
  JobVector<double> theta_, X_, Y_;
  Batch view_;
  const double* X_src_ = nullptr;  // the caller's X while a deferred copy is pending
  std::vector<uint32_t> order_;    // the deferred copy's order of the rows (empty: 0..n−1)
  bool deferred_ = false;
  std::atomic<size_t> ready_{0};
};

// A new Float64Array holding a copy of src[0..n).
Napi::Float64Array new_f64(Napi::Env env, const double* src, size_t n);

// Registers fn as exports[name], entered through the guard.
void export_function(Napi::Env env, Napi::Object exports, const char* name, Napi::Value (*fn)(const Napi::CallbackInfo&));

// ---------------------------------------------------------------------------------------------
// OpenBLAS's thread count is process-wide. setThreads while native jobs run (in any thread of
// the process) is deferred: it takes effect as soon as no job runs, so a job never sees its
// thread count change under it. JobScope marks a job's lifetime and reads the count it uses.

class JobScope {
 public:
  JobScope();
  ~JobScope();
  JobScope(const JobScope&) = delete;
  JobScope& operator=(const JobScope&) = delete;
  int threads() const { return threads_; }

 private:
  int threads_;
};

// Requests n OpenBLAS threads; returns true when applied now, false when deferred.
bool request_threads(int n);
// The count in force, or the pending request when one waits.
int requested_threads();

}  // namespace blasnet
