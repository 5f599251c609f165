// BLAS facts and the one place OpenBLAS's thread count is set (setThreads / getThreads / info).
#include <napi.h>

#include "blas.h"
#include <memory>
#include <string>

#include "boundary.h"
#include "math.h"
#include "parallel.h"
#include "worker.h"
#include "simd.h"

namespace blasnet {

namespace {

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object r = Napi::Object::New(env);
  r.Set("blas", "OpenBLAS");
  const char* cfg = config();
  r.Set("config", cfg ? cfg : "");
  const char* core = core_name();
  r.Set("corename", core ? core : "");
  r.Set("threads", Napi::Number::New(env, requested_threads()));
  r.Set("numProcs", Napi::Number::New(env, num_procs()));
  r.Set("simd", simd().name);
  return r;
}

// (n) → whether it took effect now (true) or waits for the running native jobs to finish (false).
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  const size_t n = size_arg(info, 0, "n", 1, 1024);
  return Napi::Boolean::New(info.Env(), request_threads(static_cast<int>(n)));
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), requested_threads()); }

// ({ Error, TypeError, RangeError }): the classes (lib/errors.ts) native errors are built from, as
// new Class(code, message), for this env.
Napi::Value Configure(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject()) fail_type("ERR_BLASNET_ARG_TYPE", "configure expects an object of error classes");
  Napi::Object o = info[0].As<Napi::Object>();
  EnvState& s = env_state(info.Env());
  auto take = [&](const char* key, Napi::FunctionReference& slot) {
    Napi::Value v = o.Get(key);
    if (!v.IsFunction()) fail_type("ERR_BLASNET_ARG_TYPE", std::string("configure: ") + key + " must be a class");
    slot = Napi::Persistent(v.As<Napi::Function>());
  };
  take("Error", s.error_class);
  take("TypeError", s.type_error_class);
  take("RangeError", s.range_error_class);
  return info.Env().Undefined();
}

}  // namespace

// (kind, where) → throws a C++ exception of `kind` ("bad_alloc", "length_error", "system_error",
// "runtime_error", "failure", "other") on the calling thread (where = "sync"), inside a job on libuv's
// pool ("async": the Promise rejects), or inside a member of a thread team ("team"): a self-test of
// the guard that every binding goes through, used by test/boundary.test.ts.
class ThrowJob final : public Job {
 public:
  ThrowJob(std::string kind, bool team) : kind_(std::move(kind)), team_(team) {}
  void run(Progress&) override {
    if (!team_) return throw_kind(kind_);
    ThreadTeam t(2);
    t.run([&](size_t member) {
      if (member == 1) throw_kind(kind_);
    });
  }
  Napi::Value result(Napi::Env env) override { return env.Undefined(); }
  static void throw_kind(const std::string& k) {
    if (k == "bad_alloc") throw std::bad_alloc();
    if (k == "length_error") throw std::length_error("vector::_M_default_append");
    if (k == "system_error") throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again), "thread");
    if (k == "runtime_error") throw std::runtime_error("self-test");
    if (k == "failure") throw Failure("ERR_BLASNET_SHAPE", "self-test shape", ErrorKind::range);
    throw 42;
  }

 private:
  std::string kind_;
  bool team_;
};

Napi::Value GuardSelfTest(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) fail_type("ERR_BLASNET_ARG_TYPE", "guardSelfTest(kind, where)");
  const std::string kind = info[0].As<Napi::String>(), where = info[1].As<Napi::String>();
  if (where == "async") return run_async(info.Env(), std::make_unique<ThrowJob>(kind, false), info.Env().Undefined(), info.Env().Undefined());
  ThrowJob job(kind, where == "team");
  return run_sync(info.Env(), job, info.Env().Undefined());
}

// (a: Float64Array) → the index of its first value that is not finite, or −1: the TS layer's check
// of a large input (lib/validate.ts firstNonFinite). 376 MB (MNIST's X) takes ~40 ms here (math.h
// first_non_finite), against ~85 ms for the JavaScript loop.
Napi::Value FirstNonFinite(const Napi::CallbackInfo& info) {
  const F64View a = f64_arg(info, 0, "a");
  const size_t k = first_non_finite(a.data, a.length);
  return Napi::Number::New(info.Env(), k < a.length ? static_cast<double>(k) : -1.0);
}

void register_info(Napi::Env env, Napi::Object exports) {
  export_function(env, exports, "firstNonFinite", FirstNonFinite);
  export_function(env, exports, "guardSelfTest", GuardSelfTest);
  export_function(env, exports, "info", Info);
  export_function(env, exports, "setThreads", SetThreads);
  export_function(env, exports, "getThreads", GetThreads);
  export_function(env, exports, "configure", Configure);
}

}  // namespace blasnet
