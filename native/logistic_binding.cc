// N-API surface of the logistic regression kernels: the model whose θ = (w, b), w first (m + 1
// values). Arguments come through the boundary's parser as (θ, X, n, y) like every model binding;
// fits and async predictions are Jobs that own copies of their inputs (worker.h), so what the
// caller or a progress callback does to its buffers cannot reach them. Argument order mirrors
// lib/native.ts.
#include <napi.h>

#include <cmath>
#include <vector>

#include "blas.h"
#include "boundary.h"
#include "logistic.h"
#include "worker.h"

namespace blasnet {

namespace {

const char* status_name(FitStatus s) {
  switch (s) {
    case FitStatus::ok: return "ok";
    case FitStatus::aborted: return "aborted";
    case FitStatus::diverged: return "diverged";
  }
  return "ok";
}

// θ at argument `first` decides the feature count m = len(θ) − 1; then (θ, X, n[, y]) as usual.
Batch logistic_batch(const Napi::CallbackInfo& info, size_t first, bool with_y) {
  const F64View theta = f64_arg(info, first, "theta");
  if (theta.length < 2) fail_range("ERR_BLASNET_SHAPE", "theta must hold w and b (at least 2 values), got " + std::to_string(theta.length));
  return parse_batch(info, first, {theta.length, theta.length - 1, 1, with_y});
}

struct FitConfig {
  double learning_rate;
  size_t iterations, record_every;
};

FitConfig read_fit_config(Napi::Value v) {
  if (!v.IsObject()) fail_type("ERR_BLASNET_ARG_TYPE", "config must be an object");
  Napi::Object o = v.As<Napi::Object>();
  FitConfig c{config_number(o, "learningRate"), config_size(o, "iterations", 0, SIZE_MAX >> 11),
              config_size(o, "recordEvery", 1, SIZE_MAX >> 11)};
  if (!(std::isfinite(c.learning_rate) && c.learning_rate > 0))
    fail_range("ERR_BLASNET_ARG_RANGE", "config.learningRate must be a finite number > 0");
  return c;
}

// Throws ERR_BLASNET_NOT_FINITE for logistic_predict_proba's answer `bad` < n.
void check_linear_terms(size_t bad, size_t n) {
  if (bad < n)
    fail_range("ERR_BLASNET_NOT_FINITE", "the prediction for row " + std::to_string(bad) +
                                             " is not finite: w·x + b overflowed (the weights or the inputs are too large)");
}

class LogisticFitJob final : public Job {
 public:
  LogisticFitJob(const Batch& b, const FitConfig& cfg) : in_(b), cfg_(cfg), m_(b.theta.length - 1) {}

  void run(Progress& progress) override {
    theta_ = in_.theta;
    double b = theta_[m_];
    out_ = logistic_fit({in_.X.data(), in_.Y.data(), in_.n, m_}, theta_.data(), &b, cfg_.learning_rate, cfg_.iterations,
                        cfg_.record_every, static_cast<size_t>(get_threads()),
                        [&](size_t i, double cost) {
                          costs_.push_back(cost);
                          progress.record(i, cost);
                        },
                        [&] { return progress.cancelled(); });
    theta_[m_] = b;
  }

  Napi::Value result(Napi::Env env) override {
    Napi::Object r = Napi::Object::New(env);
    r.Set("status", status_name(out_.status));
    r.Set("iterations", Napi::Number::New(env, static_cast<double>(out_.iterations)));
    r.Set("lastCost", Napi::Number::New(env, out_.last_cost));
    r.Set("theta", new_f64(env, theta_.data(), theta_.size()));
    r.Set("costs", new_f64(env, costs_.data(), costs_.size()));
    return r;
  }

 private:
  OwnedBatch in_;
  FitConfig cfg_;
  size_t m_;
  std::vector<double> theta_, costs_;
  FitOutcome out_;
};

class LogisticPredictJob final : public Job {
 public:
  explicit LogisticPredictJob(const Batch& b) : in_(b), m_(b.theta.length - 1) {}
  void run(Progress&) override {
    a_.resize(in_.n);
    check_linear_terms(logistic_predict_proba(in_.X.data(), in_.n, m_, in_.theta.data(), in_.theta[m_], a_.data()), in_.n);
  }
  Napi::Value result(Napi::Env env) override { return new_f64(env, a_.data(), a_.size()); }

 private:
  OwnedBatch in_;
  size_t m_;
  std::vector<double> a_;
};

// (θ, X, n, y) → { cost, grad }: grad = (dw, db) in θ's layout. Runs no JavaScript: reads in place.
Napi::Value LogisticCostGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Batch b = logistic_batch(info, 0, true);
  const size_t m = b.theta.length - 1;
  JobScope scope;
  LogisticWorkspace ws(m, nullptr);
  Napi::Float64Array grad = Napi::Float64Array::New(env, m + 1);
  const double cost = logistic_cost_grad({b.X.data, b.Y.data, b.n, m}, b.theta.data, b.theta.data[m], grad.Data(), grad.Data() + m, ws, true).cost;
  Napi::Object r = Napi::Object::New(env);
  r.Set("cost", Napi::Number::New(env, cost));
  r.Set("grad", grad);
  return r;
}

// (θ, X, n, y, config, onProgress?) → fit result. Runs on the calling thread with its own copies.
Napi::Value FitSync(const Napi::CallbackInfo& info) {
  const Batch b = logistic_batch(info, 0, true);
  LogisticFitJob job(b, read_fit_config(info[4]));
  return run_sync(info.Env(), job, info.Length() > 5 ? info[5] : info.Env().Undefined());
}

// (θ, X, n, y, config, onProgress?, cancel?: Int32Array) → Promise<fit result>
Napi::Value Fit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Batch b = logistic_batch(info, 0, true);
  return run_async(env, std::make_unique<LogisticFitJob>(b, read_fit_config(info[4])), info.Length() > 5 ? info[5] : env.Undefined(),
                   info.Length() > 6 ? info[6] : env.Undefined());
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
  export_function(env, exports, "logisticPredictProbaSync", PredictProbaSync);
  export_function(env, exports, "logisticPredictProba", PredictProba);
}

}  // namespace blasnet
