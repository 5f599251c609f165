// BLAS facts and the one place OpenBLAS's thread count is set (setThreads / getThreads / info).
#include <napi.h>

#include "blas.h"
#include "boundary.h"
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

void register_info(Napi::Env env, Napi::Object exports) {
  export_function(env, exports, "info", Info);
  export_function(env, exports, "setThreads", SetThreads);
  export_function(env, exports, "getThreads", GetThreads);
  export_function(env, exports, "configure", Configure);
}

}  // namespace blasnet
