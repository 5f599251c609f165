// N-API surface of the network kernels: the NativeNet ObjectWrap holds one network's description
// (sizes, activations, loss) and a reusable workspace for synchronous predictions. Parameters stay
// in TS (one Float64Array θ) and come with each call as (θ, X, n[, Y]) through the boundary's
// parser. Fits and async predictions are Jobs (worker.h) owning copies of their inputs (but an
// async prediction's θ, which it borrows: see Predict); the
// synchronous calls that run no JavaScript (costGrad, predictSync, fitSync without onProgress) read
// the caller's arrays in place.
#include <napi.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "boundary.h"
#include "math.h"
#include "network.h"
#include "parallel.h"
#include "train_js.h"
#include "worker.h"

namespace blasnet {

namespace {

// The error for a prediction whose pre-activations at `layer` (1-based) were not finite. For the
// first layer it names the first non-finite value of X (row-major n × s0) when there is one.
[[noreturn]] void fail_non_finite(size_t layer, const double* X, size_t n, size_t s0) {
  if (layer == 1) {
    const size_t k = first_non_finite(X, n * s0);
    if (k < n * s0) {
      const std::string v = std::isnan(X[k]) ? "NaN" : (X[k] > 0 ? "Infinity" : "-Infinity");
      fail_range("ERR_BLASNET_NOT_FINITE", "X must contain only finite numbers, got " + v + " at row " + std::to_string(k / s0) +
                                               ", column " + std::to_string(k % s0));
    }
  }
  fail_range("ERR_BLASNET_NOT_FINITE", "the pre-activations of layer " + std::to_string(layer) +
                                           " are not finite (W·a + b overflowed): the parameters or the inputs are too large to predict with");
}

class NetPredictJob final : public Job {
 public:
  // θ is borrowed (lib/network.ts never writes the θ it passes; Predict keeps it alive); X is copied
  // by copy_rows() once the job is queued, and the job starts on the rows already copied.
  NetPredictJob(const Network& net, const Batch& b, std::shared_ptr<WorkspacePool> pool)
      : net_(net), in_(b, true, Theta::borrowed, XCopy::deferred), pool_(std::move(pool)) {}
  void copy_rows() { in_.copy_rows(); }
  void run(Progress& progress) override {
    out_.resize(checked_mul(in_.n(), net_.outputs(), "n × outputs"));
    // A warm workspace from the model's pool, given back however the job ends.
    struct Lease {
      WorkspacePool& pool;
      std::unique_ptr<Workspace> ws;
      ~Lease() { pool.give(std::move(ws)); }
    } lease{*pool_, pool_->take()};
    Workspace& ws = *lease.ws;
    ws.team = nullptr;  // net_predict takes the libuv thread's team when it pays (not for bursts: the pool's threads take turns)
    // Waits (briefly: the copy runs at memory speed, the products far slower) for rows [0, j1).
    auto ready = [&](size_t j1) {
      return in_.wait_rows(j1, [&] { return progress.cancelled(); }) || progress.cancelled();
    };
    const size_t bad = net_predict(net_, in_.theta(), in_.X(), in_.n(), out_.data(), ws, ready, false);
    if (bad == kPredictCancelled) fail_range("ABORT_ERR", "the prediction was cancelled");
    if (bad) {
      if (ready(in_.n())) fail_range("ABORT_ERR", "the prediction was cancelled");  // the error scans all of X
      fail_non_finite(bad, in_.X(), in_.n(), net_.inputs());
    }
  }
  Napi::Value result(Napi::Env env) override { return new_f64(env, out_.data(), out_.size()); }

 private:
  Network net_;
  JobInput in_;
  std::shared_ptr<WorkspacePool> pool_;
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
                           InstanceMethod<&NativeNet::FitStreamSync>("fitStreamSync"),
                           InstanceMethod<&NativeNet::FitStream>("fitStream"),
                           InstanceMethod<&NativeNet::PredictSync>("predictSync"),
                           InstanceMethod<&NativeNet::Predict>("predict"),
                           InstanceAccessor<&NativeNet::ParamCount>("paramCount"),
                       });
  }

  // (sizes: number[], activations: number[], alphas: number[], loss: number)
  explicit NativeNet(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeNet>(info) {
    guarded(info.Env(), [&] {
      if (info.Length() < 4 || !info[0].IsArray() || !info[1].IsArray() || !info[2].IsArray() || !info[3].IsNumber())
        fail_type("ERR_BLASNET_ARG_TYPE", "NativeNet expects (sizes, activations, alphas, loss)");
      auto numbers = [&](Napi::Array a, const char* name) {
        std::vector<double> v(a.Length());
        for (uint32_t i = 0; i < a.Length(); ++i) {
          Napi::Value x = a.Get(i);
          if (!x.IsNumber()) fail_type("ERR_BLASNET_ARG_TYPE", std::string(name) + " must hold numbers only");
          v[i] = x.As<Napi::Number>().DoubleValue();
        }
        return v;
      };
      std::vector<size_t> sizes;
      for (double x : numbers(info[0].As<Napi::Array>(), "sizes")) {
        if (!(x >= 1 && x <= static_cast<double>(kMaxBlasDim)) || x != std::floor(x))
          fail_range("ERR_BLASNET_CONFIG", "layer sizes must be integers in [1, " + std::to_string(kMaxBlasDim) + "]");
        sizes.push_back(static_cast<size_t>(x));
      }
      std::vector<int> acts;
      for (double x : numbers(info[1].As<Napi::Array>(), "activations")) {
        if (!(x >= 0 && x < kActivationCount) || x != std::floor(x)) fail_range("ERR_BLASNET_CONFIG", "unknown activation code");
        acts.push_back(static_cast<int>(x));
      }
      const std::vector<double> alphas = numbers(info[2].As<Napi::Array>(), "alphas");
      for (double a : alphas)
        if (!std::isfinite(a)) fail_range("ERR_BLASNET_CONFIG", "activation slopes must be finite");
      try {
        net_ = make_network(sizes, acts, alphas, info[3].As<Napi::Number>().Int32Value());
      } catch (const std::invalid_argument& e) {
        fail_range("ERR_BLASNET_CONFIG", e.what());
      }
      return info.Env().Undefined();
    });
  }

 private:
  Batch args(const Napi::CallbackInfo& info, bool with_Y) {
    return parse_batch(info, 0, {net_.n_params, net_.inputs(), net_.outputs(), with_Y});
  }

  Napi::Value ParamCount(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(net_.n_params)); }

  // (theta, X, n, Y, l2, sampleWeight?) → { cost, grad }
  Napi::Value CostGrad(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      Napi::Env env = info.Env();
      const Batch b = args(info, true);
      const double l2 = finite_arg(info, 4, "l2");
      const F64View weight = info.Length() > 5 && !info[5].IsUndefined() ? f64_arg(info, 5, "sampleWeight", b.n, "n") : F64View{nullptr, 0};
      JobScope scope;
      Napi::Float64Array grad = Napi::Float64Array::New(env, net_.n_params);
      Workspace ws;
      ws.team = team_for_call(net_, b.n, true);
      const double cost = net_cost_grad(net_, b.theta.data, b.X.data, b.Y.data, b.n, l2, grad.Data(), ws, weight.data);
      Napi::Object r = Napi::Object::New(env);
      r.Set("cost", Napi::Number::New(env, cost));
      r.Set("grad", grad);
      return r;
    });
  }

  // The trainer's objective for this network (on the job's thread).
  FitJob::MakeObjective objective() const {
    return [net = net_](const TrainSetup& s) { return std::make_unique<NetObjective>(net, s.l2); };
  }

  // (theta, X, n, Y, config, hooks?, cancel?) → train result; runs on the calling thread: on its own
  // copies when a hook is given (JavaScript then runs between steps; X is copied beside the first
  // batches: FitInput::copy_in_run), else on the caller's arrays.
  Napi::Value FitSync(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      Napi::Env env = info.Env();
      const Batch b = args(info, true);
      const Napi::Value hooks = info.Length() > 5 ? info[5] : env.Undefined();
      FitJob job(b, read_train_setup(info[4], net_.inputs(), net_.outputs(), b.n, net_.n_params), objective(),
                 has_hooks(hooks) ? FitInput::copy_in_run : FitInput::in_place, false);
      return run_sync(env, job, hooks, info.Length() > 6 ? info[6] : env.Undefined());
    });
  }

  // (theta, X, n, Y, config, hooks?, cancel?) → Promise<train result>. X is copied before this
  // returns, while the job already trains on the rows copied so far (FitInput::copy_after_queue).
  Napi::Value Fit(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      Napi::Env env = info.Env();
      const Batch b = args(info, true);
      auto job = std::make_unique<FitJob>(b, read_train_setup(info[4], net_.inputs(), net_.outputs(), b.n, net_.n_params), objective(),
                                          FitInput::copy_after_queue, false);
      FitJob& queued = *job;
      Napi::Value promise = run_async(env, std::move(job), info.Length() > 5 ? info[5] : env.Undefined(), info.Length() > 6 ? info[6] : env.Undefined());
      // The job is queued and may start; it is freed on this thread, after this call returns, so it
      // outlives the copy however early it ends.
      queued.copy_rows();
      return promise;
    });
  }

  // (theta, config, hooks, cancel?) → train result: a fit from a data source on the calling thread,
  // every batch delivered inside hooks.batch (FitJob).
  Napi::Value FitStreamSync(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      Napi::Env env = info.Env();
      const F64View theta = f64_arg(info, 0, "theta", net_.n_params, "the model's parameter count");
      FitJob job(theta, net_.inputs(), net_.outputs(), read_train_setup(info[1], net_.inputs(), net_.outputs(), 0, net_.n_params), objective(), true, false);
      return run_sync(env, job, info.Length() > 2 ? info[2] : env.Undefined(), info.Length() > 3 ? info[3] : env.Undefined());
    });
  }

  // (theta, config, hooks, cancel?) → Promise<train result>: a fit from a data source on libuv's
  // pool, its batches delivered by hooks.batch on the main thread while it trains (FitJob).
  Napi::Value FitStream(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      Napi::Env env = info.Env();
      const F64View theta = f64_arg(info, 0, "theta", net_.n_params, "the model's parameter count");
      return run_async(env, std::make_unique<FitJob>(theta, net_.inputs(), net_.outputs(), read_train_setup(info[1], net_.inputs(), net_.outputs(), 0, net_.n_params), objective(), false, false),
                       info.Length() > 2 ? info[2] : env.Undefined(), info.Length() > 3 ? info[3] : env.Undefined());
    });
  }

  // (theta, X, n) → Float64Array (n × s_L, row-major)
  Napi::Value PredictSync(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      Napi::Env env = info.Env();
      const Batch b = args(info, false);
      JobScope scope;
      Napi::Float64Array out = Napi::Float64Array::New(env, checked_mul(b.n, net_.outputs(), "n × outputs"));
      const size_t bad = net_predict(net_, b.theta.data, b.X.data, b.n, out.Data(), predict_ws_);
      if (bad) fail_non_finite(bad, b.X.data, b.n, net_.inputs());
      return out;
    });
  }

  // (theta, X, n, cancel?) → Promise<Float64Array>. θ is read in place, not copied: the caller must
  // not write it until the Promise settles (lib/network.ts replaces its θ, never writes into it).
  // X is copied before this returns, while the job already runs on the rows copied so far.
  Napi::Value Predict(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      Napi::Env env = info.Env();
      auto job = std::make_unique<NetPredictJob>(net_, args(info, false), pool_);
      NetPredictJob& queued = *job;
      Napi::Value promise = run_async(env, std::move(job), env.Undefined(), info.Length() > 3 ? info[3] : env.Undefined(), info[0]);
      // The job is queued and may start on the first rows; it cannot end (nor be freed: that happens
      // on this thread, after this call returns) before they are all copied, unless cancelled.
      queued.copy_rows();
      return promise;
    });
  }

  Network net_;
  Workspace predict_ws_;  // synchronous predictions only (main thread)
  std::shared_ptr<WorkspacePool> pool_ = std::make_shared<WorkspacePool>();  // asynchronous predictions
};

void register_network(Napi::Env env, Napi::Object exports) { exports.Set("NativeNet", NativeNet::Define(env)); }

}  // namespace blasnet
