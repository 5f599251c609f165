// BLAS facts and the one place OpenBLAS's thread count is set (setThreads / getThreads / info).
#include <napi.h>

#include "blas.h"
#include "napi_util.h"
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
  r.Set("threads", Napi::Number::New(env, get_threads()));
  r.Set("numProcs", Napi::Number::New(env, num_procs()));
  r.Set("simd", simd().name);
  return r;
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  const size_t n = size_arg(info, 0, "n");
  if (n < 1 || n > 1024) throw_error(info.Env(), "ERR_BLASNET_ARG_RANGE", "native: n must be in [1, 1024]", "RangeError");
  set_threads(static_cast<int>(n));
  return Napi::Number::New(info.Env(), get_threads());
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), get_threads()); }

}  // namespace

void register_info(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads, "setThreads"));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads, "getThreads"));
}

}  // namespace blasnet
