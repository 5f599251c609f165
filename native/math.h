// Scalar forms shared by every kernel (docs/math.md, "Numerically safe forms"): the loss is
// evaluated from z (softplus), sigmoid never overflows. Header-only, no state.
#pragma once
#include <cmath>

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

inline double sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

}  // namespace blasnet
