// N-API surface of the logistic regression kernels: the model whose θ = (w, b), w first (m + 1
// values). Arguments come through the boundary's parser as (θ, X, n, y) like every model binding;
// fits and async predictions are Jobs that own copies of their inputs (worker.h), so what the
// caller or a progress callback does to its buffers cannot reach them. Argument order mirrors
// lib/native.ts.
#include <napi.h>

#include <cmath>
#include <string>
#include <vector>

#include "blas.h"
#include "boundary.h"
#include "logistic.h"
#include "parallel.h"
#include "train_js.h"
#include "worker.h"

namespace blasnet {

namespace {

// θ at argument `first` decides the feature count m = len(θ) − 1; then (θ, X, n[, y]) as usual.
Batch logistic_batch(const Napi::CallbackInfo& info, size_t first, bool with_y) {
  const F64View theta = f64_arg(info, first, "theta");
  if (theta.length < 2) fail_range("ERR_BLASNET_SHAPE", "theta must hold w and b (at least 2 values), got " + std::to_string(theta.length));
  return parse_batch(info, first, {theta.length, theta.length - 1, 1, with_y});
}

// Throws ERR_BLASNET_NOT_FINITE for logistic_predict_proba's answer `bad` < n.
void check_linear_terms(size_t bad, size_t n) {
  if (bad < n)
    fail_range("ERR_BLASNET_NOT_FINITE", "the prediction for row " + std::to_string(bad) +
                                             " is not finite: w·x + b overflowed (the weights or the inputs are too large)");
}

// The trainer's objective for θ = (w, b), m features (on the job's thread).
FitJob::MakeObjective logistic_objective(size_t m) {
  return [m](const TrainSetup& s) { return std::make_unique<LogisticObjective>(m, s.l2, static_cast<size_t>(blasnet_threads())); };
}

class LogisticPredictJob final : public Job {
 public:
  explicit LogisticPredictJob(const Batch& b) : in_(b, true), m_(b.theta.length - 1) {}
  void run(Progress&) override {
    a_.resize(in_.n());
    check_linear_terms(logistic_predict_proba(in_.X(), in_.n(), m_, in_.theta(), in_.theta()[m_], a_.data()), in_.n());
  }
  Napi::Value result(Napi::Env env) override { return new_f64(env, a_.data(), a_.size()); }

 private:
  JobInput in_;
  size_t m_;
  std::vector<double> a_;
};

// (θ, X, n, y, l2?, sampleWeight?) → { cost, grad }: grad = (dw, db) in θ's layout. Runs no JavaScript: reads in place.
Napi::Value LogisticCostGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Batch b = logistic_batch(info, 0, true);
  const size_t m = b.theta.length - 1;
  // Optional (…, l2, sampleWeight): the objective the trainer minimizes (native/logistic.h).
  const double l2 = info.Length() > 4 && !info[4].IsUndefined() ? finite_arg(info, 4, "l2") : 0.0;
  const F64View weight = info.Length() > 5 && !info[5].IsUndefined() ? f64_arg(info, 5, "sampleWeight", b.n, "n") : F64View{nullptr, 0};
  JobScope scope;
  LogisticObjective model(m, l2, 1);
  model.reserve(b.n, 0);
  Napi::Float64Array grad = Napi::Float64Array::New(env, m + 1);
  const double cost = model.cost_grad(b.theta.data, {b.X.data, b.Y.data, weight.data, b.n}, grad.Data(), true).cost;
  Napi::Object r = Napi::Object::New(env);
  r.Set("cost", Napi::Number::New(env, cost));
  r.Set("grad", grad);
  return r;
}

// (θ, X, n, y, config, hooks?, cancel?) → fit result. Runs on the calling thread: on its own copies when
// a hook is given (JavaScript then runs between steps; X is copied beside the first batches:
// FitInput::copy_in_run), else on the caller's arrays in place.
Napi::Value FitSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Batch b = logistic_batch(info, 0, true);
  const size_t m = b.theta.length - 1;
  const Napi::Value hooks = info.Length() > 5 ? info[5] : env.Undefined();
  FitJob job(b, read_train_setup(info[4], m, 1, b.n, b.theta.length), logistic_objective(m),
             has_hooks(hooks) ? FitInput::copy_in_run : FitInput::in_place, true);
  return run_sync(env, job, hooks, info.Length() > 6 ? info[6] : env.Undefined());
}

// (θ, X, n, y, config, hooks?, cancel?: Int32Array) → Promise<fit result>. X is copied before this
// returns, while the job may already start (FitInput::copy_after_queue).
Napi::Value Fit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Batch b = logistic_batch(info, 0, true);
  const size_t m = b.theta.length - 1;
  auto job = std::make_unique<FitJob>(b, read_train_setup(info[4], m, 1, b.n, b.theta.length), logistic_objective(m), FitInput::copy_after_queue, true);
  FitJob& queued = *job;
  Napi::Value promise = run_async(env, std::move(job), info.Length() > 5 ? info[5] : env.Undefined(), info.Length() > 6 ? info[6] : env.Undefined());
  // The job is freed on this thread, after this call returns: it outlives the copy however early it ends.
  queued.copy_rows();
  return promise;
}

// θ = (w, b) of a fit from a data source: at least 2 values; m = len(θ) − 1.
F64View stream_theta(const Napi::CallbackInfo& info) {
  const F64View theta = f64_arg(info, 0, "theta");
  if (theta.length < 2) fail_range("ERR_BLASNET_SHAPE", "theta must hold w and b (at least 2 values), got " + std::to_string(theta.length));
  return theta;
}

// (θ, config, hooks, cancel?) → fit result: a fit from a data source on the calling thread, every
// batch delivered inside hooks.batch (FitJob).
Napi::Value FitStreamSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const F64View theta = stream_theta(info);
  const size_t m = theta.length - 1;
  FitJob job(theta, m, 1, read_train_setup(info[1], m, 1, 0, theta.length), logistic_objective(m), true, true);
  return run_sync(env, job, info.Length() > 2 ? info[2] : env.Undefined(), info.Length() > 3 ? info[3] : env.Undefined());
}

// (θ, config, hooks, cancel?) → Promise<fit result>: a fit from a data source on libuv's pool, its
// batches delivered by hooks.batch on the main thread while it trains.
Napi::Value FitStream(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const F64View theta = stream_theta(info);
  const size_t m = theta.length - 1;
  return run_async(env, std::make_unique<FitJob>(theta, m, 1, read_train_setup(info[1], m, 1, 0, theta.length), logistic_objective(m), false, true),
                   info.Length() > 2 ? info[2] : env.Undefined(), info.Length() > 3 ? info[3] : env.Undefined());
}

// (θ, X, n) → Float64Array n of σ(X·w + b). Runs no JavaScript: reads in place.
Napi::Value PredictProbaSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Batch b = logistic_batch(info, 0, false);
  const size_t m = b.theta.length - 1;
  JobScope scope;
  Napi::Float64Array a = Napi::Float64Array::New(env, b.n);
  check_linear_terms(logistic_predict_proba(b.X.data, b.n, m, b.theta.data, b.theta.data[m], a.Data()), b.n);
  return a;
}

// (θ, X, n, cancel?) → Promise<Float64Array>
Napi::Value PredictProba(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Batch b = logistic_batch(info, 0, false);
  return run_async(env, std::make_unique<LogisticPredictJob>(b), env.Undefined(), info.Length() > 3 ? info[3] : env.Undefined());
}

}  // namespace

void register_logistic(Napi::Env env, Napi::Object exports) {
  export_function(env, exports, "logisticCostGrad", LogisticCostGrad);
  export_function(env, exports, "logisticFitSync", FitSync);
  export_function(env, exports, "logisticFit", Fit);
  export_function(env, exports, "logisticFitStreamSync", FitStreamSync);
  export_function(env, exports, "logisticFitStream", FitStream);
  export_function(env, exports, "logisticPredictProbaSync", PredictProbaSync);
  export_function(env, exports, "logisticPredictProba", PredictProba);
}

}  // namespace blasnet
