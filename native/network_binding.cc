// N-API surface of the network kernels: the NativeNet ObjectWrap holds one network's description
// (sizes, activations, loss) and a reusable workspace for synchronous predictions. Parameters stay
// in TS (one Float64Array θ) and are passed to each call; asynchronous jobs copy θ, X and Y on the
// main thread, so the caller may reuse its buffers at once and predictions keep using the old θ.
#include <napi.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "napi_util.h"
#include "network.h"
#include "parallel.h"
#include "train_js.h"
#include "worker.h"

namespace blasnet {

namespace {

// Runs the trainer on the network's objective, collecting the records.
TrainOutcome run_train(const Network& net, double* theta, const double* X, const double* Y, size_t n, const TrainSetup& s,
                       TrainRecords& records, const std::function<void(const ProgressRecord&)>& report,
                       const std::function<bool()>& cancelled) {
  NetObjective model(net, s.l2);
  const Rows validation = s.extras.validation();
  return train(model, theta, {X, Y, s.extras.weights(), n}, s.extras.nv > 0 ? &validation : nullptr, s.cfg,
               [&](const Record& r) {
                 records.add(r);
                 report(to_progress(r));
               },
               cancelled);
}

Napi::Object net_train_result(Napi::Env env, const TrainOutcome& out, const std::vector<double>& theta, const TrainRecords& records) {
  Napi::Object r = train_result(env, out, records);
  r.Set("theta", new_f64(env, theta.data(), theta.size()));
  return r;
}

class NetFitWorker : public JobWorker {
 public:
  NetFitWorker(Napi::Env env, const Network& net, const F64View& theta, const F64View& X, const F64View& Y, size_t n,
               TrainSetup setup, Napi::Value on_progress, Napi::Value cancel)
      : JobWorker(env, on_progress, cancel), net_(net), theta_(theta.data, theta.data + theta.length),
        X_(X.data, X.data + X.length), Y_(Y.data, Y.data + Y.length), n_(n), setup_(std::move(setup)) {}

 protected:
  void Run(const std::function<void(const ProgressRecord&)>& record, const std::function<bool()>& cancelled) override {
    out_ = run_train(net_, theta_.data(), X_.data(), Y_.data(), n_, setup_, records_, record, cancelled);
  }
  Napi::Value Result(Napi::Env env) override { return net_train_result(env, out_, theta_, records_); }

 private:
  Network net_;
  std::vector<double> theta_, X_, Y_;
  size_t n_;
  TrainSetup setup_;
  TrainRecords records_;
  TrainOutcome out_;
};

// The error for inputs whose first-layer pre-activations were not finite: names the first non-finite
// value of X (row-major n × s0) if there is one, else the overflow.
std::string non_finite_message(const double* X, size_t n, size_t s0) {
  for (size_t k = 0; k < n * s0; ++k) {
    if (!std::isfinite(X[k])) {
      const std::string v = std::isnan(X[k]) ? "NaN" : (X[k] > 0 ? "Infinity" : "-Infinity");
      return "X must contain only finite numbers, got " + v + " at row " + std::to_string(k / s0) + ", column " +
             std::to_string(k % s0);
    }
  }
  return "the first layer's pre-activations overflowed (X · W[1] is not finite): scale the inputs";
}

class NetPredictWorker : public JobWorker {
 public:
  NetPredictWorker(Napi::Env env, const Network& net, const F64View& theta, const F64View& X, size_t n)
      : JobWorker(env, env.Undefined(), env.Undefined()), net_(net), theta_(theta.data, theta.data + theta.length),
        X_(X.data, X.data + X.length), n_(n) {}

 protected:
  void Run(const std::function<void(const ProgressRecord&)>&, const std::function<bool()>&) override {
    out_.resize(n_ * net_.outputs());
    std::unique_ptr<ThreadTeam> team = make_team(net_, n_);
    Workspace ws;
    ws.team = team.get();
    if (!net_predict(net_, theta_.data(), X_.data(), n_, out_.data(), ws))
      Fail("ERR_BLASNET_NOT_FINITE", non_finite_message(X_.data(), n_, net_.inputs()));
  }
  Napi::Value Result(Napi::Env env) override { return new_f64(env, out_.data(), out_.size()); }

 private:
  Network net_;
  std::vector<double> theta_, X_;
  size_t n_;
  std::vector<double> out_;
};

}  // namespace

class NativeNet : public Napi::ObjectWrap<NativeNet> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeNet",
                       {
                           InstanceMethod<&NativeNet::CostGrad>("costGrad"),
                           InstanceMethod<&NativeNet::FitSync>("fitSync"),
                           InstanceMethod<&NativeNet::Fit>("fit"),
                           InstanceMethod<&NativeNet::PredictSync>("predictSync"),
                           InstanceMethod<&NativeNet::Predict>("predict"),
                           InstanceAccessor<&NativeNet::ParamCount>("paramCount"),
                       });
  }

  // (sizes: number[], activations: number[], alphas: number[], loss: number)
  explicit NativeNet(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeNet>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 4 || !info[0].IsArray() || !info[1].IsArray() || !info[2].IsArray() || !info[3].IsNumber())
      throw_error(env, "ERR_BLASNET_ARG_TYPE", "native: NativeNet(sizes, activations, alphas, loss)", "TypeError");
    auto numbers = [&](Napi::Array a) {
      std::vector<double> v(a.Length());
      for (uint32_t i = 0; i < a.Length(); ++i) {
        Napi::Value x = a.Get(i);
        if (!x.IsNumber()) throw_error(env, "ERR_BLASNET_ARG_TYPE", "native: NativeNet arrays must hold numbers", "TypeError");
        v[i] = x.As<Napi::Number>().DoubleValue();
      }
      return v;
    };
    const std::vector<double> s = numbers(info[0].As<Napi::Array>()), g = numbers(info[1].As<Napi::Array>());
    std::vector<size_t> sizes;
    for (double x : s) {
      if (!(x >= 1 && x <= 1e9) || x != static_cast<double>(static_cast<size_t>(x)))
        throw_error(env, "ERR_BLASNET_ARG_RANGE", "native: layer sizes must be integers ≥ 1", "RangeError");
      sizes.push_back(static_cast<size_t>(x));
    }
    std::vector<int> acts;
    for (double x : g) acts.push_back(static_cast<int>(x));
    try {
      net_ = make_network(sizes, acts, numbers(info[2].As<Napi::Array>()), info[3].As<Napi::Number>().Int32Value());
    } catch (const std::invalid_argument& e) {
      throw_error(env, "ERR_BLASNET_CONFIG", std::string("native: ") + e.what(), "RangeError");
    }
  }

 private:
  size_t check_n(const Napi::CallbackInfo& info, size_t i) {
    const size_t n = size_arg(info, i, "n");
    if (n == 0) throw_error(info.Env(), "ERR_BLASNET_SHAPE", "native: n must be ≥ 1", "RangeError");
    return n;
  }

  // The arguments every method starts with: (theta, X, n[, Y]), lengths checked against this network.
  struct Args {
    size_t n;
    F64View theta, X, Y;
  };
  Args args(const Napi::CallbackInfo& info, bool with_Y) {
    const size_t n = check_n(info, 2);
    Args a{n, f64_arg(info, 0, "theta", static_cast<long long>(net_.n_params)),
           f64_arg(info, 1, "X", static_cast<long long>(n * net_.inputs())), {nullptr, 0}};
    if (with_Y) a.Y = f64_arg(info, 3, "Y", static_cast<long long>(n * net_.outputs()));
    return a;
  }

  Napi::Value ParamCount(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(net_.n_params)); }

  // (theta, X, n, Y, l2) → { cost, grad }
  Napi::Value CostGrad(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const auto [n, theta, X, Y] = args(info, true);
    const double l2 = number_arg(info, 4, "l2");
    Napi::Float64Array grad = Napi::Float64Array::New(env, net_.n_params);
    std::unique_ptr<ThreadTeam> team = make_team(net_, n);
    Workspace ws;
    ws.team = team.get();
    const double cost = net_cost_grad(net_, theta.data, X.data, Y.data, n, l2, grad.Data(), ws);
    Napi::Object r = Napi::Object::New(env);
    r.Set("cost", Napi::Number::New(env, cost));
    r.Set("grad", grad);
    return r;
  }

  // (theta, X, n, Y, config, onProgress?) → train result; runs on the calling thread.
  Napi::Value FitSync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const auto [n, theta0, X, Y] = args(info, true);
    const TrainSetup setup = read_train_setup(env, info[4], net_.inputs(), net_.outputs(), n);
    SyncProgress progress(env, info.Length() > 5 ? info[5] : env.Undefined());
    std::vector<double> theta(theta0.data, theta0.data + theta0.length);
    TrainRecords records;
    const TrainOutcome out = run_train(net_, theta.data(), X.data, Y.data, n, setup, records,
                                       [&](const ProgressRecord& r) { progress(r); }, [&] { return progress.stop(); });
    progress.rethrow();
    return net_train_result(env, out, theta, records);
  }

  // (theta, X, n, Y, config, onProgress?, cancel?) → Promise<train result>
  Napi::Value Fit(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const auto [n, theta, X, Y] = args(info, true);
    TrainSetup setup = read_train_setup(env, info[4], net_.inputs(), net_.outputs(), n);
    auto* worker = new NetFitWorker(env, net_, theta, X, Y, n, std::move(setup), info.Length() > 5 ? info[5] : env.Undefined(),
                                    info.Length() > 6 ? info[6] : env.Undefined());
    return worker->Start();
  }

  // (theta, X, n) → Float64Array (n × s_L, row-major)
  Napi::Value PredictSync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const auto [n, theta, X, Y] = args(info, false);
    (void)Y;
    Napi::Float64Array out = Napi::Float64Array::New(env, n * net_.outputs());
    if (!net_predict(net_, theta.data, X.data, n, out.Data(), predict_ws_))
      throw_error(env, "ERR_BLASNET_NOT_FINITE", non_finite_message(X.data, n, net_.inputs()), "RangeError");
    return out;
  }

  // (theta, X, n) → Promise<Float64Array>
  Napi::Value Predict(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const auto [n, theta, X, Y] = args(info, false);
    (void)Y;
    return (new NetPredictWorker(env, net_, theta, X, n))->Start();
  }

  Network net_;
  Workspace predict_ws_;  // synchronous predictions only (main thread)
};

void register_network(Napi::Env env, Napi::Object exports) { exports.Set("NativeNet", NativeNet::Define(env)); }

}  // namespace blasnet
