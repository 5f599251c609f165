// The two runners of worker.h. The async one is an AsyncProgressQueueWorker: Execute runs the job
// on a libuv thread (no N-API), progress records travel through its queue to OnProgress on the
// main thread, and OnOK / OnError settle the Promise. Every callback body is fenced: an exception
// there (an env being torn down, a user callback) is handled, never thrown into N-API.
#include "worker.h"

#include <cmath>
#include <exception>
#include <string>

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

// A progress-queue entry: a record, or a message for the job's on_message.
struct QueueItem {
  bool is_record = true;
  ProgressRecord record{0, 0};
  JobMessage message{MessageKind::checkpoint, 0};
};

class SyncProgress final : public Progress {
 public:
  SyncProgress(Napi::Env env, Job& job, const JobHooks& hooks, const int32_t* cancel_flag)
      : env_(env), job_(job), hooks_(hooks), cancel_flag_(cancel_flag), teardown_(env_state(env).tearing_down) {}
  void record(const ProgressRecord& r) override {
    if (hooks_.progress.IsEmpty() || error_) return;
    try {
      Napi::HandleScope scope(env_);
      hooks_.progress.Call({progress_object(env_, r)});
    } catch (const Napi::Error& e) {
      error_ = e;  // keeps the thrown value, Error or not
    }
  }
  void post(const JobMessage& m) override {
    if (error_) return;
    try {
      Napi::HandleScope scope(env_);
      job_.on_message(env_, m, hooks_);
    } catch (const Napi::Error& e) {
      error_ = e;
    }
  }
  bool cancelled() override {
    return error_.has_value() || teardown_->load(std::memory_order_relaxed) ||
           (cancel_flag_ != nullptr && __atomic_load_n(cancel_flag_, __ATOMIC_RELAXED) != 0);
  }
  void rethrow() const {
    if (error_) throw *error_;
  }

 private:
  Napi::Env env_;
  Job& job_;
  const JobHooks& hooks_;
  const int32_t* cancel_flag_;
  std::optional<Napi::Error> error_;
  std::shared_ptr<std::atomic<bool>> teardown_;
};

// The data of `cancel` (an Int32Array of at least one element, live), or null for anything else.
int32_t* cancel_data(Napi::Value cancel) {
  if (cancel.IsEmpty() || !cancel.IsTypedArray() || cancel.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) return nullptr;
  Napi::Int32Array flag = cancel.As<Napi::Int32Array>();
  if (flag.ElementLength() < 1 || flag.ArrayBuffer().IsDetached()) return nullptr;
  return flag.Data();
}

class JobWorker final : public Napi::AsyncProgressQueueWorker<QueueItem> {
 public:
  JobWorker(Napi::Env env, std::unique_ptr<Job> job, JobHooks hooks, Napi::Value cancel, Napi::Value keep)
      : Napi::AsyncProgressQueueWorker<QueueItem>(env, "blasnet"), deferred_(Napi::Promise::Deferred::New(env)),
        job_(std::move(job)), hooks_(std::move(hooks)), teardown_(env_state(env).tearing_down), scope_(std::in_place) {
    if (!keep.IsEmpty() && keep.IsObject()) keep_ = Napi::Persistent(keep.As<Napi::Object>());
    if (int32_t* flag = cancel_data(cancel)) {
      cancel_ref_ = Napi::Persistent(cancel.As<Napi::Int32Array>());  // keeps the flag's memory alive while the job runs
      cancel_flag_ = flag;
    }
  }

  Napi::Promise promise() const { return deferred_.Promise(); }

 private:
  class Reporter final : public Progress {
   public:
    Reporter(JobWorker& w, const ExecutionProgress& p) : w_(w), p_(p) {}
    void record(const ProgressRecord& r) override {
      if (w_.hooks_.progress.IsEmpty()) return;
      QueueItem item;
      item.record = r;
      p_.Send(&item, 1);
    }
    void post(const JobMessage& m) override {
      QueueItem item;
      item.is_record = false;
      item.message = m;
      p_.Send(&item, 1);
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

  // Main thread. A throwing user callback (or hook) stops the job; the Promise rejects with what it threw.
  void OnProgress(const QueueItem* data, size_t count) override {
    if (callback_failed_.load() || teardown_->load()) return;
    try {
      Napi::Env env = Env();
      Napi::HandleScope scope(env);
      for (size_t k = 0; k < count; ++k) {
        try {
          if (!data[k].is_record) job_->on_message(env, data[k].message, hooks_);
          else if (!hooks_.progress.IsEmpty()) hooks_.progress.Call({progress_object(env, data[k].record)});
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
  JobHooks hooks_;
  std::shared_ptr<std::atomic<bool>> teardown_;
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

JobHooks read_hooks(Napi::Value hooks) {
  JobHooks h;
  if (hooks.IsEmpty() || hooks.IsUndefined() || hooks.IsNull()) return h;
  if (!hooks.IsObject() || hooks.IsFunction())
    fail_type("ERR_BLASNET_ARG_TYPE", "hooks must be an object of functions { progress, checkpoint, batch } or undefined");
  Napi::Object o = hooks.As<Napi::Object>();
  const auto take = [&](const char* key, Napi::FunctionReference& ref) {
    // Own properties only, as the config's: a polluted Object.prototype must not supply a hook.
    Napi::Value f = o.HasOwnProperty(key) ? o.Get(key) : o.Env().Undefined();
    if (f.IsUndefined()) return;
    if (!f.IsFunction()) fail_type("ERR_BLASNET_ARG_TYPE", std::string("hooks.") + key + " must be a function or undefined");
    ref = Napi::Persistent(f.As<Napi::Function>());
  };
  take("progress", h.progress);
  take("checkpoint", h.checkpoint);
  take("batch", h.batch);
  return h;
}

Napi::Value run_sync(Napi::Env env, Job& job, Napi::Value hooks, Napi::Value cancel) {
  const JobHooks h = read_hooks(hooks);
  SyncProgress progress(env, job, h, cancel_data(cancel));
  {
    JobScope scope;
    job.run(progress);
  }
  progress.rethrow();
  return job.result(env);
}

Napi::Value run_async(Napi::Env env, std::unique_ptr<Job> job, Napi::Value hooks, Napi::Value cancel, Napi::Value keep) {
  auto* worker = new JobWorker(env, std::move(job), read_hooks(hooks), cancel, keep);
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

}  // namespace blasnet
