// The base of every long native job (fit, batch predict): an AsyncProgressQueueWorker whose
// Execute never touches N-API (it runs on a libuv thread), which reports progress records to an
// optional JS callback on the main thread, watches a cancel flag the JS side can set, and settles
// a Promise from OnOK / OnError. Exceptions in Execute become a rejection with a code.
#pragma once
#include <napi.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <cstdint>
#include <exception>
#include <functional>
#include <new>
#include <string>

#include "napi_util.h"

namespace blasnet {

// One progress record; a NaN field is left out of the JS object.
struct ProgressRecord {
  double iteration;
  double cost;
  double validation_cost = std::numeric_limits<double>::quiet_NaN();
  double validation_accuracy = std::numeric_limits<double>::quiet_NaN();
  double learning_rate = std::numeric_limits<double>::quiet_NaN();
};

inline Napi::Object progress_object(Napi::Env env, const ProgressRecord& r) {
  Napi::Object rec = Napi::Object::New(env);
  rec.Set("iteration", Napi::Number::New(env, r.iteration));
  rec.Set("cost", Napi::Number::New(env, r.cost));
  if (!std::isnan(r.validation_cost)) rec.Set("validationCost", Napi::Number::New(env, r.validation_cost));
  if (!std::isnan(r.validation_accuracy)) rec.Set("validationAccuracy", Napi::Number::New(env, r.validation_accuracy));
  if (!std::isnan(r.learning_rate)) rec.Set("learningRate", Napi::Number::New(env, r.learning_rate));
  return rec;
}

// The progress reporting of a synchronous fit: calls the JS onProgress (if any) at each record, on
// the calling thread. If the callback throws, the fit stops (stop() turns true) and rethrow() throws
// that error once the loop has returned.
class SyncProgress {
 public:
  SyncProgress(Napi::Env env, Napi::Value on_progress)
      : env_(env), fn_(on_progress.IsFunction() ? on_progress.As<Napi::Function>() : Napi::Function()) {}
  void operator()(const ProgressRecord& r) {
    if (fn_.IsEmpty() || threw_) return;
    Napi::Object rec = progress_object(env_, r);
    try {
      fn_.Call({rec});
    } catch (const Napi::Error& e) {
      threw_ = true;
      error_ = e.Value();
    }
  }
  bool stop() const { return threw_; }
  void rethrow() const {
    if (threw_) throw Napi::Error(env_, error_);
  }

 private:
  Napi::Env env_;
  Napi::Function fn_;
  bool threw_ = false;
  Napi::Value error_;
};

class JobWorker : public Napi::AsyncProgressQueueWorker<ProgressRecord> {
 public:
  // on_progress: a function or undefined; cancel: an Int32Array whose element 0 the JS side sets
  // to 1 to stop the job (or undefined).
  JobWorker(Napi::Env env, Napi::Value on_progress, Napi::Value cancel)
      : Napi::AsyncProgressQueueWorker<ProgressRecord>(env, "blasnet"), deferred_(Napi::Promise::Deferred::New(env)) {
    if (on_progress.IsFunction()) on_progress_ = Napi::Persistent(on_progress.As<Napi::Function>());
    if (cancel.IsTypedArray() && cancel.As<Napi::TypedArray>().TypedArrayType() == napi_int32_array) {
      Napi::Int32Array flag = cancel.As<Napi::Int32Array>();
      if (flag.ElementLength() >= 1) {
        cancel_ref_ = Napi::Persistent(flag);
        cancel_flag_ = flag.Data();
      }
    }
  }

  Napi::Promise Start() {
    Queue();
    return deferred_.Promise();
  }

 protected:
  // Worker thread. record(r) sends a progress record; cancelled() polls the flags.
  virtual void Run(const std::function<void(const ProgressRecord&)>& record, const std::function<bool()>& cancelled) = 0;
  // Main thread, after Run returned normally.
  virtual Napi::Value Result(Napi::Env env) = 0;

  // Worker thread: fail with a code (the message becomes the rejection's message).
  void Fail(const std::string& code, const std::string& message) {
    error_code_ = code;
    SetError(message);
  }

  bool Cancelled() const {
    return callback_failed_.load(std::memory_order_relaxed) ||
           (cancel_flag_ != nullptr && __atomic_load_n(cancel_flag_, __ATOMIC_RELAXED) != 0);
  }

 private:
  void Execute(const ExecutionProgress& progress) override {
    try {
      const bool report = has_progress_callback();
      Run(
          [&](const ProgressRecord& r) {
            if (report) progress.Send(&r, 1);
          },
          [this] { return Cancelled(); });
    } catch (const std::bad_alloc&) {
      Fail("ERR_BLASNET_OUT_OF_MEMORY", "blasnet: out of memory while allocating the job's buffers");
    } catch (const std::exception& e) {
      Fail("ERR_BLASNET_NATIVE", std::string("blasnet: native error: ") + e.what());
    }
  }

  bool has_progress_callback() const { return !on_progress_.IsEmpty(); }

  void OnProgress(const ProgressRecord* data, size_t count) override {
    if (on_progress_.IsEmpty() || callback_failed_.load()) return;
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    for (size_t k = 0; k < count; ++k) {
      Napi::Object rec = progress_object(env, data[k]);
      try {
        on_progress_.Call({rec});
      } catch (const Napi::Error& e) {
        // The user's callback threw: stop the job and reject with that error.
        callback_error_ = Napi::Persistent(static_cast<Napi::Value>(e.Value()));
        callback_failed_.store(true);
        return;
      }
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (callback_failed_.load()) {
      deferred_.Reject(callback_error_.Value());
      return;
    }
    try {
      deferred_.Resolve(Result(env));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }

  void OnError(const Napi::Error& e) override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    Napi::Error err = make_error(env, error_code_.empty() ? "ERR_BLASNET_NATIVE" : error_code_, e.Message());
    deferred_.Reject(err.Value());
  }

  Napi::Promise::Deferred deferred_;
  Napi::FunctionReference on_progress_;
  Napi::Reference<Napi::Int32Array> cancel_ref_;
  int32_t* cancel_flag_ = nullptr;
  std::atomic<bool> callback_failed_{false};
  Napi::Reference<Napi::Value> callback_error_;
  std::string error_code_;
};

}  // namespace blasnet
