// N-API surface of the logistic regression kernels. The TS layer (lib/logistic.ts) validates and
// normalises every argument; this file re-checks only lengths (memory safety), copies the inputs
// of asynchronous jobs on the main thread so the caller may reuse its buffers at once, and runs
// those jobs in a JobWorker. Argument order mirrors lib/native.ts.
#include <napi.h>

#include <cstring>
#include <vector>

#include "blas.h"
#include "logistic.h"
#include "parallel.h"
#include "napi_util.h"
#include "train_js.h"
#include "worker.h"

namespace blasnet {

namespace {

// Runs the trainer on the logistic objective with θ = (w, b), collecting the records.
TrainOutcome run_train(const double* X, const double* y, size_t n, size_t m, std::vector<double>& theta, const TrainSetup& s,
                       size_t threads, TrainRecords& records, const std::function<void(const ProgressRecord&)>& report,
                       const std::function<bool()>& cancelled) {
  LogisticObjective model(m, s.l2, threads);
  const Rows validation = s.extras.validation();
  return train(model, theta.data(), {X, y, s.extras.weights(), n}, s.extras.nv > 0 ? &validation : nullptr, s.cfg,
               [&](const Record& r) {
                 records.add(r);
                 report(to_progress(r));
               },
               cancelled);
}

// The trainer's result with θ split back into w and b, and `iterations` = the steps taken.
Napi::Object fit_result(Napi::Env env, const TrainOutcome& out, const std::vector<double>& theta, size_t m,
                        const TrainRecords& records) {
  Napi::Object r = train_result(env, out, records);
  r.Set("iterations", Napi::Number::New(env, static_cast<double>(out.steps)));
  r.Set("w", new_f64(env, theta.data(), m));
  r.Set("b", Napi::Number::New(env, theta[m]));
  return r;
}

// θ = (w, b) from the arguments w (m) and b.
std::vector<double> start_theta(const F64View& w, size_t m, double b) {
  std::vector<double> theta(w.data, w.data + m);
  theta.push_back(b);
  return theta;
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

// (X, n, m, y, w, b, config, onProgress?) → fit result
// Runs on the calling thread; onProgress is called synchronously at each record.
Napi::Value FitSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = size_arg(info, 1, "n"), m = size_arg(info, 2, "m");
  const F64View X = f64_arg(info, 0, "X", static_cast<long long>(n * m));
  const F64View y = f64_arg(info, 3, "y", static_cast<long long>(n));
  const F64View w0 = f64_arg(info, 4, "w", static_cast<long long>(m));
  const double b = number_arg(info, 5, "b");
  const TrainSetup setup = read_train_setup(env, info[6], m, 1, n);
  SyncProgress progress(env, info.Length() > 7 ? info[7] : env.Undefined());
  std::vector<double> theta = start_theta(w0, m, b);
  TrainRecords records;
  const TrainOutcome out = run_train(X.data, y.data, n, m, theta, setup, static_cast<size_t>(get_threads()), records,
                                     [&](const ProgressRecord& r) { progress(r); }, [&] { return progress.stop(); });
  progress.rethrow();
  return fit_result(env, out, theta, m, records);
}

class LogisticFitWorker : public JobWorker {
 public:
  LogisticFitWorker(Napi::Env env, const F64View& X, const F64View& y, size_t n, size_t m, const F64View& w, double b,
                    TrainSetup setup, Napi::Value on_progress, Napi::Value cancel)
      : JobWorker(env, on_progress, cancel),
        // Copies on the main thread: the caller may overwrite or transfer its buffers once fit() returns.
        X_(X.data, X.data + n * m), y_(y.data, y.data + n), theta_(start_theta(w, m, b)), n_(n), m_(m),
        setup_(std::move(setup)), threads_(static_cast<size_t>(get_threads())) {}

 protected:
  void Run(const std::function<void(const ProgressRecord&)>& record, const std::function<bool()>& cancelled) override {
    out_ = run_train(X_.data(), y_.data(), n_, m_, theta_, setup_, threads_, records_, record, cancelled);
  }
  Napi::Value Result(Napi::Env env) override { return fit_result(env, out_, theta_, m_, records_); }

 private:
  std::vector<double> X_, y_, theta_;
  size_t n_, m_;
  TrainSetup setup_;
  size_t threads_;
  TrainRecords records_;
  TrainOutcome out_;
};

// (X, n, m, y, w, b, config, onProgress?, cancel?: Int32Array) → Promise<fit result>
Napi::Value Fit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = size_arg(info, 1, "n"), m = size_arg(info, 2, "m");
  const F64View X = f64_arg(info, 0, "X", static_cast<long long>(n * m));
  const F64View y = f64_arg(info, 3, "y", static_cast<long long>(n));
  const F64View w = f64_arg(info, 4, "w", static_cast<long long>(m));
  const double b = number_arg(info, 5, "b");
  TrainSetup setup = read_train_setup(env, info[6], m, 1, n);
  auto* worker = new LogisticFitWorker(env, X, y, n, m, w, b, std::move(setup), info.Length() > 7 ? info[7] : env.Undefined(),
                                       info.Length() > 8 ? info[8] : env.Undefined());
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
  void Run(const std::function<void(const ProgressRecord&)>&, const std::function<bool()>&) override {
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
