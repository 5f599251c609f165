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

class ThreadTeam;

// Per-thread partial sums of one sweep, sized once per fit and reused every iteration.
struct LogisticWorkspace {
  ThreadTeam* team;                       // not owned; null: the calling thread alone
  std::vector<std::vector<double>> dw;    // per thread: m partial sums of dz_j x_j (+ scratch to a multiple of 8)
  std::vector<double> cost, dz_sum, z_sum;  // per thread
  LogisticWorkspace(size_t m, ThreadTeam* team);
};

struct CostGrad {
  double cost;   // J (NaN when not asked for)
  bool finite;   // every z_j and every gradient entry is finite
};

// dw = ∂J/∂w (m, overwritten), db = ∂J/∂b, and J when want_cost — one sweep over X: for each
// example j, z_j = x_j·w + b, dz_j = σ(z_j) − y_j and dw += dz_j x_j while x_j is in L1, so X is
// read from memory once per call (BLAS would read it twice: z = Xᵀw, then dw = X dz). The loss
// softplus(z) − y·z costs a log1p per example and is evaluated only when want_cost.
// Examples are split among ws.team's threads by a fixed partition and the partial sums reduced in
// thread order: for a given thread count the result is bit-for-bit reproducible.
CostGrad logistic_cost_grad(const LogisticData& d, const double* w, double b, double* dw, double* db,
                            LogisticWorkspace& ws, bool want_cost);

// a (n, overwritten) = σ(X·w + b). Returns the first row whose z = x·w + b is not finite (an
// overflow inside the product: σ of it would be a made-up 0 or 1), or n when every z is finite.
size_t logistic_predict_proba(const double* X, size_t n, size_t m, const double* w, double b, double* a);

enum class FitStatus { ok = 0, aborted = 1, diverged = 2 };

struct FitOutcome {
  FitStatus status = FitStatus::ok;
  size_t iterations = 0;   // completed gradient steps
  double last_cost = 0;    // cost at the iteration that stopped the fit (diverged), else the last one
};

// Gradient descent, the seed's grad_descent with the errata fixed: at every iteration i the gradient
// at the current parameters is computed, and their cost J recorded when i % record_every == 0
// (record(i, J)); then one step w ← w − α·dw, b ← b − α·db. w (m) and b are updated in place.
// `threads` threads share each sweep. Stops before iteration i when cancelled() (aborted), or when
// a z, J or the gradient is not finite (diverged): then w, b are the last finite ones.
FitOutcome logistic_fit(const LogisticData& d, double* w, double* b, double learning_rate,
                        size_t iterations, size_t record_every, size_t threads,
                        const std::function<void(size_t, double)>& record,
                        const std::function<bool()>& cancelled);

}  // namespace blasnet
