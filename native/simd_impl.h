// The bodies of the SimdKernels, written as plain loops the compiler vectorizes. Included by
// simd_avx512.cc, simd_avx2.cc and simd_baseline.cc, each inside its own namespace and with its
// own -march; BLASNET_SIMD_NS and BLASNET_SIMD_NAME name it.
#include <cmath>

#include "math.h"
#include "simd.h"
#include "vmath.h"

namespace blasnet {
namespace BLASNET_SIMD_NS {

static void sigmoid_inplace(double* __restrict a, size_t n) {
  for (size_t i = 0; i < n; ++i) a[i] = sigmoid_fast(a[i]);
}

static void tanh_inplace(double* __restrict a, size_t n) {
  for (size_t i = 0; i < n; ++i) a[i] = tanh_fast(a[i]);
}

// Examples in groups of G: G dot products (eight accumulators each, so they vectorize without
// reassociation), σ of the G values at once, then G rank-one updates of dw while the G rows are in L1.
static void logistic_rows(const double* __restrict X, const double* __restrict y, size_t m, size_t j0, size_t j1,
                          const double* __restrict w, double b, bool want_cost, double* __restrict dw,
                          double* cost_out, double* dz_out, double* z_out) {
  constexpr size_t G = 8;
  for (size_t k = 0; k < m; ++k) dw[k] = 0.0;
  const size_t m8 = m & ~size_t(7);
  double cost = 0.0, dz_sum = 0.0, z_sum = 0.0;
  double z[G], dz[G];
  for (size_t g0 = j0; g0 < j1; g0 += G) {
    const size_t cnt = j1 - g0 < G ? j1 - g0 : G;
    for (size_t q = 0; q < cnt; ++q) {
      const double* x = X + (g0 + q) * m;
      double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0}, acc2[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      // Fetch the row G examples ahead while this one is summed: the sweep is a stream from L3/DRAM.
      const double* ahead = g0 + q + G < j1 ? x + G * m : x;
      for (size_t k = 0; k < m; k += 8) __builtin_prefetch(ahead + k);
      // Two sets of eight accumulators (even and odd chunks) halve the chain of dependent additions.
      const size_t m16 = m & ~size_t(15);
      for (size_t k = 0; k < m16; k += 16)
        for (size_t i = 0; i < 8; ++i) {
          acc[i] += x[k + i] * w[k + i];
          acc2[i] += x[k + 8 + i] * w[k + 8 + i];
        }
      for (size_t k = m16; k < m8; k += 8)
        for (size_t i = 0; i < 8; ++i) acc[i] += x[k + i] * w[k + i];
      for (size_t i = 0; i < 8; ++i) acc[i] += acc2[i];
      double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
      for (size_t k = m8; k < m; ++k) s += x[k] * w[k];
      z[q] = s + b;
    }
    for (size_t q = cnt; q < G; ++q) z[q] = 0.0;
    for (size_t q = 0; q < G; ++q) dz[q] = sigmoid_fast(z[q]);
    if (want_cost) {
      double sp[G];
      for (size_t q = 0; q < G; ++q) sp[q] = softplus_fast(z[q]);
      for (size_t q = 0; q < cnt; ++q) cost += sp[q] - y[g0 + q] * z[q];
    }
    for (size_t q = 0; q < cnt; ++q) {
      const double yj = y[g0 + q];
      dz[q] -= yj;
      dz_sum += dz[q];
      z_sum += z[q];
    }
    // dw += Σ_q dz_q x_q: each dw[k] receives the G terms in example order, as one example at a time
    // would give, but is loaded and stored once per group instead of once per example.
    const double* xg = X + g0 * m;
    if (cnt == G) {
      for (size_t k = 0; k < m8; k += 8) {
        double t[8];
        for (size_t i = 0; i < 8; ++i) t[i] = dw[k + i];
        for (size_t q = 0; q < G; ++q)
          for (size_t i = 0; i < 8; ++i) t[i] += dz[q] * xg[q * m + k + i];
        for (size_t i = 0; i < 8; ++i) dw[k + i] = t[i];
      }
      for (size_t k = m8; k < m; ++k)
        for (size_t q = 0; q < G; ++q) dw[k] += dz[q] * xg[q * m + k];
    } else {
      for (size_t q = 0; q < cnt; ++q) {
        const double* x = xg + q * m;
        const double d = dz[q];
        for (size_t k = 0; k < m; ++k) dw[k] += d * x[k];
      }
    }
  }
  *cost_out = cost;
  *dz_out = dz_sum;
  *z_out = z_sum;
}

const SimdKernels& kernels() {
  static const SimdKernels k{BLASNET_SIMD_NAME, sigmoid_inplace, tanh_inplace, logistic_rows};
  return k;
}

}  // namespace BLASNET_SIMD_NS
}  // namespace blasnet
