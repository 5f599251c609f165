// N-API helpers shared by the bindings: errors with codes, typed-array arguments checked for
// what memory safety needs (the TS layer has already validated everything else).
#pragma once
#include <napi.h>

#include <cstddef>
#include <string>

namespace blasnet {

// Throws a JS error whose `code` matches lib/errors.ts. kind: "TypeError" | "RangeError" | "Error".
[[noreturn]] inline void throw_error(Napi::Env env, const char* code, const std::string& message,
                                     const char* kind = "Error") {
  Napi::Error err = std::string(kind) == "TypeError"    ? Napi::TypeError::New(env, message)
                    : std::string(kind) == "RangeError" ? Napi::RangeError::New(env, message)
                                                        : Napi::Error::New(env, message);
  err.Set("code", Napi::String::New(env, code));
  throw err;
}

inline Napi::Error make_error(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error err = Napi::Error::New(env, message);
  err.Set("code", Napi::String::New(env, code));
  return err;
}

struct F64View {
  double* data;
  size_t length;
};

// argument i must be a Float64Array, not detached, of `expected` elements (any length if expected < 0).
inline F64View f64_arg(const Napi::CallbackInfo& info, size_t i, const char* name, long long expected = -1) {
  Napi::Env env = info.Env();
  if (info.Length() <= i || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw_error(env, "ERR_BLASNET_ARG_TYPE", std::string("native: ") + name + " must be a Float64Array", "TypeError");
  }
  Napi::Float64Array a = info[i].As<Napi::Float64Array>();
  if (a.ArrayBuffer().IsDetached()) {
    throw_error(env, "ERR_BLASNET_DETACHED", std::string("native: ") + name + " is backed by a detached ArrayBuffer", "TypeError");
  }
  if (expected >= 0 && a.ElementLength() != static_cast<size_t>(expected)) {
    throw_error(env, "ERR_BLASNET_SHAPE",
                std::string("native: ") + name + " must have " + std::to_string(expected) +
                    " elements, got " + std::to_string(a.ElementLength()),
                "RangeError");
  }
  return {a.Data(), a.ElementLength()};
}

inline size_t size_arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    throw_error(info.Env(), "ERR_BLASNET_ARG_TYPE", std::string("native: ") + name + " must be a number", "TypeError");
  }
  const double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 0) || v > 9007199254740991.0 || v != static_cast<double>(static_cast<size_t>(v))) {
    throw_error(info.Env(), "ERR_BLASNET_ARG_RANGE", std::string("native: ") + name + " must be a non-negative integer", "RangeError");
  }
  return static_cast<size_t>(v);
}

inline double number_arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    throw_error(info.Env(), "ERR_BLASNET_ARG_TYPE", std::string("native: ") + name + " must be a number", "TypeError");
  }
  return info[i].As<Napi::Number>().DoubleValue();
}

inline Napi::Float64Array new_f64(Napi::Env env, const double* src, size_t n) {
  Napi::Float64Array out = Napi::Float64Array::New(env, n);
  for (size_t k = 0; k < n; ++k) out[k] = src[k];
  return out;
}

}  // namespace blasnet
