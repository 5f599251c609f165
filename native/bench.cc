// Measurement helpers for the benchmark suite: the addon's own dgemm rate on given shapes, so a
// workload's GFLOP/s can be compared with the products it is made of, timed back to back; the
// memory floor (a plain streaming read of a buffer) and the time of one memcpy of a buffer.
#include <napi.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdint>
#include <memory>
#include <cstdlib>
#include <vector>

#include "blas.h"
#include "boundary.h"
#include "network.h"
#include "parallel.h"
#include "profile.h"
#include "simd.h"

namespace blasnet {

namespace {

// A Float64Array of `repeats` wall times in ms, each of one call of f().
template <class F>
Napi::Float64Array timed(Napi::Env env, size_t repeats, F&& f) {
  Napi::Float64Array times = Napi::Float64Array::New(env, repeats);
  for (size_t r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    times[r] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  return times;
}


// (shapes: Float64Array of [transA, transB, M, N, K] × k, repeats) → Float64Array of `repeats`
// wall times in ms, each for the k products run back to back (buffers allocated and filled once), at
// blasnet's thread count.
Napi::Value GemmSequence(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const F64View shapes = f64_arg(info, 0, "shapes");
  const size_t repeats = size_arg(info, 1, "repeats", 1, 1u << 20);
  if (shapes.length % 5 != 0 || shapes.length == 0)
    fail_range("ERR_BLASNET_ARG_RANGE", "shapes must hold [transA, transB, M, N, K] groups");
  for (size_t k = 0; k < shapes.length; ++k)
    if (!(shapes.data[k] >= 0 && shapes.data[k] <= 1e5) || shapes.data[k] != static_cast<double>(static_cast<size_t>(shapes.data[k])))
      fail_range("ERR_BLASNET_ARG_RANGE", "shapes must hold integers in [0, 1e5]");
  struct Product {
    bool ta, tb;
    size_t M, N, K;
    std::vector<double> A, B, C;
  };
  std::vector<Product> products;
  for (size_t p = 0; p < shapes.length; p += 5) {
    Product q{shapes.data[p] != 0, shapes.data[p + 1] != 0, static_cast<size_t>(shapes.data[p + 2]),
              static_cast<size_t>(shapes.data[p + 3]), static_cast<size_t>(shapes.data[p + 4]), {}, {}, {}};
    q.A.assign(q.M * q.K, 0.5);
    q.B.assign(q.K * q.N, 0.25);
    q.C.assign(q.M * q.N, 0.0);
    for (size_t k = 0; k < q.A.size(); ++k) q.A[k] = static_cast<double>((k * 2654435761u) % 1000) / 1000.0 - 0.5;
    for (size_t k = 0; k < q.B.size(); ++k) q.B[k] = static_cast<double>((k * 40503u) % 1000) / 1000.0 - 0.5;
    products.push_back(std::move(q));
  }
  // As the network's passes run them (network.h team_product): split among blasnet's threads.
  ThreadTeam* team = thread_team(static_cast<size_t>(std::max(1, blasnet_threads())));
  return timed(env, repeats, [&] {
    for (Product& q : products)
      team_product(team, q.ta, q.tb, q.M, q.N, q.K, 1.0, q.A.data(), q.ta ? q.K : q.M, q.B.data(), q.tb ? q.N : q.K, 0.0,
                   q.C.data(), q.M);
  });
}

// A buffer of `length` doubles, filled once (so its pages are mapped before anything is timed).
std::vector<double> filled(size_t length) {
  std::vector<double> a(length);
  for (size_t k = 0; k < length; ++k) a[k] = static_cast<double>(k % 1000) * 1e-3;
  return a;
}

// (length, repeats) → Float64Array of `repeats` wall times in ms, each of one streaming read of a
// buffer of `length` doubles (SIMD-level sum, simd.h stream_sum), after one untimed read.
Napi::Value StreamRead(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t length = size_arg(info, 0, "length", 1, size_t(1) << 31);
  const size_t repeats = size_arg(info, 1, "repeats", 1, 1u << 20);
  const std::vector<double> a = filled(length);
  volatile double sink = simd().stream_sum(a.data(), length);
  return timed(env, repeats, [&] { sink = sink + simd().stream_sum(a.data(), length); });
}

// (m, n, repeats) → Float64Array of `repeats` wall times in ms, each of the logistic sweep's two
// passes alone (simd.h sweep_passes) over an n × m X filled once, laid out as the fit sweeps it
// (rows padded with zeros to a multiple of 8 doubles, 64-byte aligned: LogisticObjective::bind),
// after one untimed sweep.
Napi::Value SweepPasses(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t m = size_arg(info, 0, "m", 1, size_t(1) << 20);
  const size_t n = size_arg(info, 1, "n", 1, size_t(1) << 26);
  const size_t repeats = size_arg(info, 2, "repeats", 1, 1u << 20);
  const size_t ld = (m + 7) / 8 * 8;
  const size_t count = checked_mul(ld, n, "m × n");
  void* p = nullptr;
  if (count > SIZE_MAX / sizeof(double) || posix_memalign(&p, 64, count * sizeof(double)) != 0) throw std::bad_alloc();
  std::unique_ptr<double, void (*)(void*)> X(static_cast<double*>(p), std::free);
  for (size_t j = 0; j < n; ++j)
    for (size_t k = 0; k < ld; ++k) X.get()[j * ld + k] = k < m ? static_cast<double>((j * m + k) % 1000) * 1e-3 : 0.0;
  std::vector<double> w(m), dw(ld);
  for (size_t k = 0; k < m; ++k) w[k] = 1e-2 * static_cast<double>(k % 7);
  simd().sweep_passes(X.get(), ld, m, n, w.data(), dw.data());
  Napi::Float64Array times = timed(env, repeats, [&] { simd().sweep_passes(X.get(), ld, m, n, w.data(), dw.data()); });
  volatile double sink = dw[0];
  (void)sink;
  return times;
}

// (length, repeats) → Float64Array of `repeats` wall times in ms, each of one memcpy of `length`
// doubles into a second buffer (both mapped beforehand): what copying a job's input costs.
Napi::Value CopyTime(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t length = size_arg(info, 0, "length", 1, size_t(1) << 31);
  const size_t repeats = size_arg(info, 1, "repeats", 1, 1u << 20);
  const std::vector<double> a = filled(length);
  std::vector<double> b = filled(length);
  Napi::Float64Array times = timed(env, repeats, [&] { std::memcpy(b.data(), a.data(), length * sizeof(double)); });
  volatile double sink = b[length / 2];
  (void)sink;
  return times;
}

// (on) → undefined: starts a step profile (native/profile.h) of the fits that follow, dropping any
// profile under way; stepProfile(false) stops it.
Napi::Value StepProfileStart(const Napi::CallbackInfo& info) {
  const bool on = info.Length() > 0 && info[0].ToBoolean().Value();
  StepProfile* next = on ? new StepProfile() : nullptr;
  delete g_step_profile.exchange(next);
  return info.Env().Undefined();
}

// () → { phases, layers, ms: Float64Array, calls: Float64Array } (ms[phase × layers + layer]) of the
// profile under way, which goes on; null when none is.
Napi::Value StepProfileRead(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const StepProfile* p = g_step_profile.load();
  if (!p) return env.Null();
  Napi::Object r = Napi::Object::New(env);
  r.Set("phases", Napi::Number::New(env, static_cast<double>(kPhaseCount)));
  r.Set("layers", Napi::Number::New(env, static_cast<double>(kProfileLayers)));
  r.Set("ms", new_f64(env, &p->ms[0][0], kPhaseCount * kProfileLayers));
  r.Set("calls", new_f64(env, &p->calls[0][0], kPhaseCount * kProfileLayers));
  return r;
}

}  // namespace

std::atomic<StepProfile*> g_step_profile{nullptr};

void register_bench(Napi::Env env, Napi::Object exports) {
  export_function(env, exports, "gemmSequence", GemmSequence);
  export_function(env, exports, "streamRead", StreamRead);
  export_function(env, exports, "sweepPasses", SweepPasses);
  export_function(env, exports, "copyTime", CopyTime);
  export_function(env, exports, "stepProfile", StepProfileStart);
  export_function(env, exports, "stepProfileRead", StepProfileRead);
}

}  // namespace blasnet
