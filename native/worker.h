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

// A message a running job sends to the main thread besides its records: a checkpoint is ready in
// the job (its on_message takes it), or the job asks for a training batch (native/stream.h).
enum class MessageKind { checkpoint = 0, batch = 1 };
struct JobMessage {
  MessageKind kind;
  double epoch;  // batch: the global epoch to open (its first batch), or −1 for the open epoch's next batch
};

// What a running job reports through and polls. record() and post() may run JavaScript (sync jobs).
class Progress {
 public:
  virtual void record(const ProgressRecord& r) = 0;
  // Hands m to the job's on_message on the main thread: at once for a sync job, through the
  // progress queue (in order with the records) for an async one.
  virtual void post(const JobMessage& m) = 0;
  virtual bool cancelled() = 0;

 protected:
  ~Progress() = default;
};

// The JavaScript functions of a call's `hooks` object ({ progress?, checkpoint?, batch? }, each a
// function or undefined), as the runner keeps them; an absent one is empty.
struct JobHooks {
  Napi::FunctionReference progress, checkpoint, batch;
};

class Job {
 public:
  virtual ~Job() = default;
  // Any thread; no N-API. May throw: the runner turns the exception into the call's error.
  virtual void run(Progress& progress) = 0;
  // Main thread, after run returned normally: the call's value (may throw a Failure).
  virtual Napi::Value result(Napi::Env env) = 0;
  // Main thread: a message the job posted, with the call's hooks. May call into JavaScript; a
  // JavaScript exception it lets through stops the job as a throwing progress callback does.
  virtual void on_message(Napi::Env env, const JobMessage& m, const JobHooks& hooks) {
    (void)env;
    (void)m;
    (void)hooks;
  }
};

// `hooks`: an object of optional functions { progress, checkpoint, batch }, or undefined (none).
// Throws ERR_BLASNET_ARG_TYPE for anything else.
JobHooks read_hooks(Napi::Value hooks);
// Whether `hooks` is an object (a sync fit given one copies its inputs: JavaScript may run meanwhile).
inline bool has_hooks(Napi::Value hooks) { return !hooks.IsEmpty() && hooks.IsObject(); }

// Runs job on the calling thread under a JobScope with the call's hooks: hooks.progress (if any) is
// called at each record, and the job's messages reach on_message at once. If a hook throws
// (anything, Error or not), the job stops at its next check and the call throws that value.
// cancel: an Int32Array whose element 0 set to non-zero (by a hook) stops the job, or undefined.
Napi::Value run_sync(Napi::Env env, Job& job, Napi::Value hooks, Napi::Value cancel = Napi::Value());

// Queues job on libuv's pool and returns a Promise settled with its result or its error.
// hooks: as for run_sync (called on the main thread, records and messages in the order sent).
// cancel: an Int32Array whose element 0 the JS side sets to stop the job, or undefined.
// keep: an object (a borrowed array, see JobInput) held alive until the job has ended, or undefined.
// (Node waits for a worker's queued work before it frees that worker's heap, so memory kept this way
// outlives the job even when the worker is terminated.)
Napi::Value run_async(Napi::Env env, std::unique_ptr<Job> job, Napi::Value hooks, Napi::Value cancel,
                      Napi::Value keep = Napi::Value());

}  // namespace blasnet
