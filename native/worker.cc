// The two runners of worker.h. The async one is an AsyncProgressQueueWorker: Execute runs the job
// on a libuv thread (no N-API), progress records travel through its queue to OnProgress on the
// main thread, and OnOK / OnError settle the Promise. Every callback body is fenced: an exception
// there (an env being torn down, a user callback) is handled, never thrown into N-API.
#include "worker.h"

#include <cmath>
#include <exception>

namespace blasnet {

namespace {

// The record object handed to onProgress; NaN fields are left out.
Napi::Object progress_object(Napi::Env env, const ProgressRecord& r) {
  Napi::Object rec = Napi::Object::New(env);
  rec.Set("iteration", Napi::Number::New(env, r.iteration));
  rec.Set("cost", Napi::Number::New(env, r.cost));
  if (!std::isnan(r.validation_cost)) rec.Set("validationCost", Napi::Number::New(env, r.validation_cost));
  if (!std::isnan(r.validation_accuracy)) rec.Set("validationAccuracy", Napi::Number::New(env, r.validation_accuracy));
  if (!std::isnan(r.learning_rate)) rec.Set("learningRate", Napi::Number::New(env, r.learning_rate));
  return rec;
}

class SyncProgress final : public Progress {
 public:
  SyncProgress(Napi::Env env, Napi::Value fn)
      : env_(env), fn_(fn.IsFunction() ? fn.As<Napi::Function>() : Napi::Function()), teardown_(env_state(env).tearing_down) {}
  void record(const ProgressRecord& r) override {
    if (fn_.IsEmpty() || error_) return;
    try {
      Napi::HandleScope scope(env_);
      fn_.Call({progress_object(env_, r)});
    } catch (const Napi::Error& e) {
      error_ = e;  // keeps the thrown value, Error or not
    }
  }
  bool cancelled() override { return error_.has_value() || teardown_->load(std::memory_order_relaxed); }
  void rethrow() const {
    if (error_) throw *error_;
  }

 private:
  Napi::Env env_;
  Napi::Function fn_;
  std::optional<Napi::Error> error_;
  std::shared_ptr<std::atomic<bool>> teardown_;
};

class JobWorker final : public Napi::AsyncProgressQueueWorker<ProgressRecord> {
 public:
  JobWorker(Napi::Env env, std::unique_ptr<Job> job, Napi::Value on_progress, Napi::Value cancel, Napi::Value keep)
      : Napi::AsyncProgressQueueWorker<ProgressRecord>(env, "blasnet"), deferred_(Napi::Promise::Deferred::New(env)),
        job_(std::move(job)), teardown_(env_state(env).tearing_down), scope_(std::in_place) {
    if (on_progress.IsFunction()) on_progress_ = Napi::Persistent(on_progress.As<Napi::Function>());
    if (!keep.IsEmpty() && keep.IsObject()) keep_ = Napi::Persistent(keep.As<Napi::Object>());
    if (cancel.IsTypedArray() && cancel.As<Napi::TypedArray>().TypedArrayType() == napi_int32_array) {
      Napi::Int32Array flag = cancel.As<Napi::Int32Array>();
      if (flag.ElementLength() >= 1 && !flag.ArrayBuffer().IsDetached()) {
        cancel_ref_ = Napi::Persistent(flag);  // keeps the flag's memory alive while the job runs
        cancel_flag_ = flag.Data();
      }
    }
  }

  Napi::Promise promise() const { return deferred_.Promise(); }

 private:
  class Reporter final : public Progress {
   public:
    Reporter(JobWorker& w, const ExecutionProgress& p) : w_(w), p_(p) {}
    void record(const ProgressRecord& r) override {
      if (w_.on_progress_.IsEmpty()) return;
      p_.Send(&r, 1);
    }
    bool cancelled() override { return w_.cancelled(); }

   private:
    JobWorker& w_;
    const ExecutionProgress& p_;
  };

  bool cancelled() const {
    return callback_failed_.load(std::memory_order_relaxed) || teardown_->load(std::memory_order_relaxed) ||
           (cancel_flag_ != nullptr && __atomic_load_n(cancel_flag_, __ATOMIC_RELAXED) != 0);
  }

  // libuv thread.
  void Execute(const ExecutionProgress& progress) override {
    try {
      Reporter reporter(*this, progress);
      job_->run(reporter);
    } catch (...) {
      failure_ = std::make_unique<Failure>(current_failure());
      SetError(failure_->message);
    }
    scope_.reset();  // the job's BLAS work is over: a deferred setThreads may apply now
  }

  // Main thread. A throwing user callback stops the job; the Promise rejects with what it threw.
  void OnProgress(const ProgressRecord* data, size_t count) override {
    if (on_progress_.IsEmpty() || callback_failed_.load() || teardown_->load()) return;
    try {
      Napi::Env env = Env();
      Napi::HandleScope scope(env);
      for (size_t k = 0; k < count; ++k) {
        try {
          on_progress_.Call({progress_object(env, data[k])});
        } catch (const Napi::Error& e) {
          callback_error_ = e;
          callback_failed_.store(true);
          return;
        }
      }
    } catch (...) {
      callback_failed_.store(true);  // the env could not build the record: stop quietly
    }
  }

  void OnOK() override {
    if (teardown_->load()) return;
    try {
      Napi::Env env = Env();
      Napi::HandleScope scope(env);
      if (callback_error_) {
        deferred_.Reject(callback_error_->Value());
        return;
      }
      try {
        deferred_.Resolve(job_->result(env));
      } catch (const Napi::Error& e) {
        deferred_.Reject(e.Value());
      } catch (...) {
        deferred_.Reject(js_error(env, current_failure()));
      }
    } catch (...) {
      // nothing can be settled in an env that refuses to run JS
    }
  }

  void OnError(const Napi::Error&) override {
    if (teardown_->load()) return;
    try {
      Napi::Env env = Env();
      Napi::HandleScope scope(env);
      deferred_.Reject(js_error(env, failure_ ? *failure_ : Failure("ERR_BLASNET_NATIVE", "native error")));
    } catch (...) {
    }
  }

  Napi::Promise::Deferred deferred_;
  std::unique_ptr<Job> job_;
  std::shared_ptr<std::atomic<bool>> teardown_;
  Napi::FunctionReference on_progress_;
  Napi::Reference<Napi::Int32Array> cancel_ref_;
  Napi::ObjectReference keep_;  // what the job reads in place (JobInput's borrowed θ)
  int32_t* cancel_flag_ = nullptr;
  std::atomic<bool> callback_failed_{false};
  std::optional<Napi::Error> callback_error_;
  std::unique_ptr<Failure> failure_;
  // From the call (main thread) to the end of Execute: the job counts as running, so setThreads
  // waits for it, and its thread count is the one in force when it was started.
  std::optional<JobScope> scope_;
};

}  // namespace

Napi::Value run_sync(Napi::Env env, Job& job, Napi::Value on_progress) {
  SyncProgress progress(env, on_progress);
  {
    JobScope scope;
    job.run(progress);
  }
  progress.rethrow();
  return job.result(env);
}

Napi::Value run_async(Napi::Env env, std::unique_ptr<Job> job, Napi::Value on_progress, Napi::Value cancel, Napi::Value keep) {
  auto* worker = new JobWorker(env, std::move(job), on_progress, cancel, keep);
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

}  // namespace blasnet
