// Module registration, and the code tables (codes.h) exported as `codes`. Context-aware
// (NODE_API_MODULE): no global JS state, so the addon loads in several worker_threads at once.
#include <napi.h>

#include "blas.h"
#include "codes.h"

namespace blasnet {
void register_info(Napi::Env env, Napi::Object exports);
void register_logistic(Napi::Env env, Napi::Object exports);
void register_network(Napi::Env env, Napi::Object exports);
void register_bench(Napi::Env env, Napi::Object exports);

// { abi, activations: { name: code }, losses, optimizers, monitors, schedules }, frozen.
static Napi::Object code_tables(Napi::Env env) {
  Napi::Object codes = Napi::Object::New(env);
  codes.Set("abi", Napi::Number::New(env, kAbiVersion));
#define BLASNET_EXPORT_CODE(id, name) table.Set(name, Napi::Number::New(env, code++));
#define BLASNET_EXPORT_TABLE(key, LIST)   \
  {                                       \
    Napi::Object table = Napi::Object::New(env); \
    int code = 0;                         \
    LIST(BLASNET_EXPORT_CODE)             \
    table.Freeze();                       \
    codes.Set(key, table);                \
  }
  BLASNET_CODE_TABLES(BLASNET_EXPORT_TABLE)
#undef BLASNET_EXPORT_TABLE
#undef BLASNET_EXPORT_CODE
  codes.Freeze();
  return codes;
}
}  // namespace blasnet

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  blasnet::blasnet_threads();  // reads OpenBLAS's count, then keeps OpenBLAS at one thread
  blasnet::register_info(env, exports);
  blasnet::register_logistic(env, exports);
  blasnet::register_network(env, exports);
  blasnet::register_bench(env, exports);
  exports.Set("abiVersion", Napi::Number::New(env, blasnet::kAbiVersion));
  exports.Set("codes", blasnet::code_tables(env));
  return exports;
}

NODE_API_MODULE(blasnet, Init)
