// Parameter updates for one flat θ, whatever model it belongs to: the first-order steps (gd,
// momentum, adam) and L-BFGS (two-loop recursion, strong-Wolfe line search). Plain C++: no napi.h,
// no model knowledge; every buffer is sized once per fit and nothing is allocated per step.
#pragma once
#include <cstddef>
#include <functional>
#include <vector>

#include "codes.h"

namespace blasnet {

class ThreadTeam;

struct OptimConfig {
  Optimizer kind = Optimizer::gd;
  double beta = 0.9;                              // momentum
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // adam
};

// Below this many parameters an update runs on the calling thread: a team wake-up costs microseconds.
constexpr size_t kParallelUpdateMin = size_t(1) << 15;

// gd:       θ ← θ − α g
// momentum: v ← β v + g ; θ ← θ − α v
// adam:     m ← β1 m + (1−β1) g ; v ← β2 v + (1−β2) g² ; θ ← θ − α m̂ / (√v̂ + ε),
//           m̂ = m/(1−β1^t), v̂ = v/(1−β2^t)
// The state (v or m, v, and the step count t) is not owned: it lives in the fit's TrainState
// (trainer.h), so a fit can start from a previous fit's state and hand its own back.
class FirstOrder {
 public:
  // m: P values, momentum's velocity v or Adam's first moment m (null for gd); v: P values, Adam's
  // second moment (null otherwise); t: the steps this state has taken (Adam's t), advanced per step.
  FirstOrder(const OptimConfig& cfg, size_t n_params, double* m, double* v, size_t* t);
  // One step on θ (P) with gradient g (P) and step size lr, shared by the team's threads when P is
  // large. Returns false when θ became non-finite (the fit then diverged: its caller discards θ, so
  // nothing is kept to undo the step, which would cost a store of θ per step).
  bool step(double* theta, const double* g, double lr, ThreadTeam* team);

 private:
  bool update(double* theta, const double* g, size_t k0, size_t k1, double lr, double c1, double c2);
  OptimConfig cfg_;
  size_t P_;
  double* m_;  // P, or null (gd)
  double* v_;  // P, or null (gd, momentum)
  size_t* t_;
};

// f(θ, g): J at θ (P) with g (P, overwritten) = ∂J/∂θ; sets *finite = false when a value was not finite.
using CostGradFn = std::function<double(const double* theta, double* g, bool* finite)>;

enum class LbfgsResult { ok = 0, line_search_failed = 1, not_finite = 2 };

// L-BFGS (Nocedal & Wright, Numerical Optimization, algorithms 7.4, 3.5 and 3.6): the direction
// d = −H g from the two-loop recursion over the last `memory` pairs (s, y), then a line search for a
// step α satisfying the strong Wolfe conditions (c1 = 1e-4, c2 = 0.9) by bracketing and cubic
// zoom. Sums run in index order, so the reference backend (lib/reference/optim.ts) follows the same
// arithmetic.
class Lbfgs {
 public:
  Lbfgs(size_t n_params, size_t memory);
  // One iteration from θ with *f = J(θ) and g = ∂J/∂θ; on ok, θ, *f and g describe the accepted
  // point. On failure θ, *f, g are left at the last accepted point.
  LbfgsResult iterate(double* theta, double* f, double* g, const CostGradFn& fg);
  size_t evaluations() const { return evaluations_; }

 private:
  void direction(const double* g);
  double evaluate(const double* theta, double alpha, const CostGradFn& fg, bool* finite);
  size_t P_, memory_;
  std::vector<double> S_, Y_, rho_, a_;  // S_, Y_: memory × P, a ring of pairs
  size_t count_ = 0, head_ = 0;          // pairs stored; index of the oldest
  std::vector<double> d_, x_, gx_;       // direction; trial point and its gradient
  size_t iterations_ = 0, evaluations_ = 0;
};

double dot(const double* a, const double* b, size_t n);
double norm_inf(const double* a, size_t n);

}  // namespace blasnet
