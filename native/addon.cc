// Module registration only. Context-aware (NODE_API_MODULE): no global JS state, so the addon
// loads in several worker_threads at once.
#include <napi.h>

namespace blasnet {
void register_info(Napi::Env env, Napi::Object exports);
void register_logistic(Napi::Env env, Napi::Object exports);
void register_network(Napi::Env env, Napi::Object exports);
void register_bench(Napi::Env env, Napi::Object exports);
}  // namespace blasnet

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  blasnet::register_info(env, exports);
  blasnet::register_logistic(env, exports);
  blasnet::register_network(env, exports);
  blasnet::register_bench(env, exports);
  exports.Set("abiVersion", Napi::Number::New(env, 2));
  return exports;
}

NODE_API_MODULE(blasnet, Init)
