// Scalar forms shared by every kernel (docs/math.md, "Numerically safe forms"): the loss is
// evaluated from z (softplus), sigmoid never overflows. Header-only, no state.
#pragma once
#include <cmath>
#include <cstddef>

namespace blasnet {

// σ(z) and softplus(z) = log(1 + e^z) from one exponential, e = e^(−|z|) ∈ (0, 1].
struct SigmoidSoftplus {
  double sigma;
  double softplus;
};
inline SigmoidSoftplus sigmoid_softplus(double z) {
  const double e = std::exp(-std::fabs(z));
  const double sigma = z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  return {sigma, (z > 0 ? z : 0.0) + std::log1p(e)};
}

// The index of the first value of a[0..n) that is not finite, or n. By blocks of 4 096, each a
// branch-free OR of (x − x ≠ 0), which is 0 iff x is finite and vectorizes; only a block that holds
// one is searched element by element.
inline size_t first_non_finite(const double* a, size_t n) {
  constexpr size_t kBlock = 4096;
  for (size_t k0 = 0; k0 < n; k0 += kBlock) {
    const size_t k1 = n - k0 < kBlock ? n : k0 + kBlock;
    unsigned long long bad = 0;
    for (size_t k = k0; k < k1; ++k) {
      const double x = a[k];
      bad |= x - x == 0.0 ? 0ull : 1ull;
    }
    if (!bad) continue;
    for (size_t k = k0; k < k1; ++k)
      if (!std::isfinite(a[k])) return k;
  }
  return n;
}

inline double sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

}  // namespace blasnet
