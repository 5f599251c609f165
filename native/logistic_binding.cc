// N-API surface of the logistic regression kernels. The TS layer (lib/logistic.ts) validates and
// normalises every argument; this file re-checks only lengths (memory safety), copies the inputs
// of asynchronous jobs on the main thread so the caller may reuse its buffers at once, and runs
// those jobs in a JobWorker. Argument order mirrors lib/native.ts.
#include <napi.h>

#include <cstring>
#include <vector>

#include "blas.h"
#include "logistic.h"
#include "napi_util.h"
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

Napi::Object fit_result(Napi::Env env, const FitOutcome& out, const std::vector<double>& w, double b,
                        const std::vector<double>& costs) {
  Napi::Object r = Napi::Object::New(env);
  r.Set("status", status_name(out.status));
  r.Set("iterations", Napi::Number::New(env, static_cast<double>(out.iterations)));
  r.Set("lastCost", Napi::Number::New(env, out.last_cost));
  r.Set("w", new_f64(env, w.data(), w.size()));
  r.Set("b", Napi::Number::New(env, b));
  r.Set("costs", new_f64(env, costs.data(), costs.size()));
  return r;
}

// (X: Float64Array n·m, n, m, y: Float64Array n, w: Float64Array m, b) → { cost, dw, db }
Napi::Value CostGradJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = size_arg(info, 1, "n"), m = size_arg(info, 2, "m");
  const F64View X = f64_arg(info, 0, "X", static_cast<long long>(n * m));
  const F64View y = f64_arg(info, 3, "y", static_cast<long long>(n));
  const F64View w = f64_arg(info, 4, "w", static_cast<long long>(m));
  const double b = number_arg(info, 5, "b");
  LogisticWorkspace ws(m, nullptr);
  std::vector<double> dw(m);
  double db = 0;
  const double cost = logistic_cost_grad({X.data, y.data, n, m}, w.data, b, dw.data(), &db, ws, true).cost;
  Napi::Object r = Napi::Object::New(env);
  r.Set("cost", Napi::Number::New(env, cost));
  r.Set("dw", new_f64(env, dw.data(), m));
  r.Set("db", Napi::Number::New(env, db));
  return r;
}

// (X, n, m, y, w, b, learningRate, iterations, recordEvery, onProgress?) → fit result
// Runs on the calling thread; onProgress is called synchronously at each record.
Napi::Value FitSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = size_arg(info, 1, "n"), m = size_arg(info, 2, "m");
  const F64View X = f64_arg(info, 0, "X", static_cast<long long>(n * m));
  const F64View y = f64_arg(info, 3, "y", static_cast<long long>(n));
  const F64View w0 = f64_arg(info, 4, "w", static_cast<long long>(m));
  double b = number_arg(info, 5, "b");
  const double lr = number_arg(info, 6, "learningRate");
  const size_t iterations = size_arg(info, 7, "iterations");
  const size_t record_every = size_arg(info, 8, "recordEvery");
  SyncProgress progress(env, info.Length() > 9 ? info[9] : env.Undefined());
  std::vector<double> w(w0.data, w0.data + m), costs;
  costs.reserve(record_every ? iterations / record_every + 1 : 0);
  const FitOutcome out = logistic_fit(
      {X.data, y.data, n, m}, w.data(), &b, lr, iterations, record_every, static_cast<size_t>(get_threads()),
      [&](size_t i, double cost) {
        costs.push_back(cost);
        progress(i, cost);
      },
      [&] { return progress.stop(); });
  progress.rethrow();
  return fit_result(env, out, w, b, costs);
}

class LogisticFitWorker : public JobWorker {
 public:
  LogisticFitWorker(Napi::Env env, const F64View& X, const F64View& y, size_t n, size_t m, const F64View& w, double b,
                    double lr, size_t iterations, size_t record_every, Napi::Value on_progress, Napi::Value cancel)
      : JobWorker(env, on_progress, cancel),
        // Copies on the main thread: the caller may overwrite or transfer its buffers once fit() returns.
        X_(X.data, X.data + n * m), y_(y.data, y.data + n), w_(w.data, w.data + m), b_(b),
        n_(n), m_(m), lr_(lr), iterations_(iterations), record_every_(record_every),
        threads_(static_cast<size_t>(get_threads())) {}

 protected:
  void Run(const std::function<void(size_t, double)>& record, const std::function<bool()>& cancelled) override {
    costs_.reserve(record_every_ ? iterations_ / record_every_ + 1 : 0);
    out_ = logistic_fit({X_.data(), y_.data(), n_, m_}, w_.data(), &b_, lr_, iterations_, record_every_, threads_,
                        [&](size_t i, double cost) {
                          costs_.push_back(cost);
                          record(i, cost);
                        },
                        cancelled);
  }
  Napi::Value Result(Napi::Env env) override { return fit_result(env, out_, w_, b_, costs_); }

 private:
  std::vector<double> X_, y_, w_;
  double b_;
  size_t n_, m_;
  double lr_;
  size_t iterations_, record_every_, threads_;
  std::vector<double> costs_;
  FitOutcome out_;
};

// (X, n, m, y, w, b, learningRate, iterations, recordEvery, onProgress?, cancel?: Int32Array) → Promise<fit result>
Napi::Value Fit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = size_arg(info, 1, "n"), m = size_arg(info, 2, "m");
  const F64View X = f64_arg(info, 0, "X", static_cast<long long>(n * m));
  const F64View y = f64_arg(info, 3, "y", static_cast<long long>(n));
  const F64View w = f64_arg(info, 4, "w", static_cast<long long>(m));
  const double b = number_arg(info, 5, "b");
  const double lr = number_arg(info, 6, "learningRate");
  const size_t iterations = size_arg(info, 7, "iterations");
  const size_t record_every = size_arg(info, 8, "recordEvery");
  auto* worker = new LogisticFitWorker(env, X, y, n, m, w, b, lr, iterations, record_every,
                                       info.Length() > 9 ? info[9] : env.Undefined(),
                                       info.Length() > 10 ? info[10] : env.Undefined());
  return worker->Start();
}

// (X, n, m, w, b) → Float64Array n of σ(X·w + b)
Napi::Value PredictProbaSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = size_arg(info, 1, "n"), m = size_arg(info, 2, "m");
  const F64View X = f64_arg(info, 0, "X", static_cast<long long>(n * m));
  const F64View w = f64_arg(info, 3, "w", static_cast<long long>(m));
  const double b = number_arg(info, 4, "b");
  Napi::Float64Array a = Napi::Float64Array::New(env, n);
  logistic_predict_proba(X.data, n, m, w.data, b, a.Data());
  return a;
}

class LogisticPredictWorker : public JobWorker {
 public:
  LogisticPredictWorker(Napi::Env env, const F64View& X, size_t n, size_t m, const F64View& w, double b)
      : JobWorker(env, env.Undefined(), env.Undefined()), X_(X.data, X.data + n * m), w_(w.data, w.data + m),
        b_(b), n_(n), m_(m) {}

 protected:
  void Run(const std::function<void(size_t, double)>&, const std::function<bool()>&) override {
    a_.resize(n_);
    logistic_predict_proba(X_.data(), n_, m_, w_.data(), b_, a_.data());
  }
  Napi::Value Result(Napi::Env env) override { return new_f64(env, a_.data(), a_.size()); }

 private:
  std::vector<double> X_, w_, a_;
  double b_;
  size_t n_, m_;
};

// (X, n, m, w, b) → Promise<Float64Array>
Napi::Value PredictProba(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = size_arg(info, 1, "n"), m = size_arg(info, 2, "m");
  const F64View X = f64_arg(info, 0, "X", static_cast<long long>(n * m));
  const F64View w = f64_arg(info, 3, "w", static_cast<long long>(m));
  const double b = number_arg(info, 4, "b");
  return (new LogisticPredictWorker(env, X, n, m, w, b))->Start();
}

}  // namespace

void register_logistic(Napi::Env env, Napi::Object exports) {
  exports.Set("logisticCostGrad", Napi::Function::New(env, CostGradJs, "logisticCostGrad"));
  exports.Set("logisticFitSync", Napi::Function::New(env, FitSync, "logisticFitSync"));
  exports.Set("logisticFit", Napi::Function::New(env, Fit, "logisticFit"));
  exports.Set("logisticPredictProbaSync", Napi::Function::New(env, PredictProbaSync, "logisticPredictProbaSync"));
  exports.Set("logisticPredictProba", Napi::Function::New(env, PredictProba, "logisticPredictProba"));
}

}  // namespace blasnet
