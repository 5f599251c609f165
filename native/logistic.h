// Logistic regression kernels (seed section 1, MATH.md). Plain C++ over BLAS: no napi.h here,
// no allocation inside the iteration loop (the workspace is sized once per fit).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace blasnet {

// X: n × m row-major (examples as rows) = the seed's m × n column-major matrix. y: n labels.
struct LogisticData {
  const double* X;
  const double* y;
  size_t n;  // examples
  size_t m;  // features
};

// Scratch for one sweep: z and dz of one block of examples. Sized once, reused every iteration.
struct LogisticWorkspace {
  size_t block = 0;
  std::vector<double> z;  // block: z_j, then dz_j = σ(z_j) − y_j, in place
  explicit LogisticWorkspace(size_t m, size_t n);
};

// J(w, b), dw = ∂J/∂w (m, overwritten), db = ∂J/∂b; one sweep over X:
// for each block of examples Xb (rows j0..j1): zb = Xb·w + b (dgemv), one fused pass for the
// loss terms softplus(z) − y·z and dz = σ(z) − y, then dw += Xbᵀ·dz (dgemv) while Xb is in cache.
double logistic_cost_grad(const LogisticData& d, const double* w, double b, double* dw, double* db,
                          LogisticWorkspace& ws);

// a (n, overwritten) = σ(X·w + b).
void logistic_predict_proba(const double* X, size_t n, size_t m, const double* w, double b, double* a);

enum class FitStatus { ok = 0, aborted = 1, diverged = 2 };

struct FitOutcome {
  FitStatus status = FitStatus::ok;
  size_t iterations = 0;   // completed gradient steps
  double last_cost = 0;    // cost at the iteration that stopped the fit (diverged), else the last one
};

// Gradient descent, the seed's grad_descent with the errata fixed: at every iteration i the cost
// of the current parameters is computed, recorded when i % record_every == 0 (record(i, J)), and
// one step w ← w − α·dw, b ← b − α·db is taken. w (m) and b are updated in place.
// Stops before iteration i when *cancel is nonzero (aborted), or when J or the gradient is not
// finite (diverged): then w, b are those of the last iteration whose cost was finite.
FitOutcome logistic_fit(const LogisticData& d, double* w, double* b, double learning_rate,
                        size_t iterations, size_t record_every,
                        const std::function<void(size_t, double)>& record,
                        const std::function<bool()>& cancelled);

}  // namespace blasnet
