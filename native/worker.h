// Jobs: every native computation that may run long (fits, batch predictions) is a Job that owns
// its inputs, runs with no N-API calls, and builds its JS result on the main thread. The same Job
// runs inline (run_sync: fitSync) or on libuv's pool (run_async: a Promise), so a sync call and
// an async one differ only in the thread they run on. Nothing here lets a C++ exception escape
// into N-API, and nothing calls into an env that is being torn down.
#pragma once
#include <napi.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "boundary.h"

namespace blasnet {

// One progress record; a NaN field is left out of the JS object (worker.cc progress_object).
struct ProgressRecord {
  double iteration;
  double cost;
  double validation_cost = std::numeric_limits<double>::quiet_NaN();
  double validation_accuracy = std::numeric_limits<double>::quiet_NaN();
  double learning_rate = std::numeric_limits<double>::quiet_NaN();
};

// What a running job reports through and polls. record() may run JavaScript (sync jobs).
class Progress {
 public:
  virtual void record(const ProgressRecord& r) = 0;
  virtual bool cancelled() = 0;

 protected:
  ~Progress() = default;
};

class Job {
 public:
  virtual ~Job() = default;
  // Any thread; no N-API. May throw: the runner turns the exception into the call's error.
  virtual void run(Progress& progress) = 0;
  // Main thread, after run returned normally: the call's value (may throw a Failure).
  virtual Napi::Value result(Napi::Env env) = 0;
};

// Runs job on the calling thread under a JobScope; on_progress (a function or undefined) is
// called at each record. If it throws (anything, Error or not), the job stops at its next check
// and the call throws that value.
Napi::Value run_sync(Napi::Env env, Job& job, Napi::Value on_progress);

// Queues job on libuv's pool and returns a Promise settled with its result or its error.
// cancel: an Int32Array whose element 0 the JS side sets to stop the job, or undefined.
// keep: an object (a borrowed array, see JobInput) held alive until the job has ended, or undefined.
// (Node waits for a worker's queued work before it frees that worker's heap, so memory kept this way
// outlives the job even when the worker is terminated.)
Napi::Value run_async(Napi::Env env, std::unique_ptr<Job> job, Napi::Value on_progress, Napi::Value cancel,
                      Napi::Value keep = Napi::Value());

}  // namespace blasnet
