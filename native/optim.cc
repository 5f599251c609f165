// Parameter updates: see optim.h. Each update has the same expressions in the same order as its
// twin in lib/reference/optim.ts, so the two backends take the same steps.
#include "optim.h"

#include "simd.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>

#include "parallel.h"

namespace blasnet {

double dot(const double* a, const double* b, size_t n) {
  double s = 0;
  for (size_t k = 0; k < n; ++k) s += a[k] * b[k];
  return s;
}

double norm_inf(const double* a, size_t n) {
  double m = 0;
  for (size_t k = 0; k < n; ++k) m = std::max(m, std::fabs(a[k]));
  return m;
}

// ---------------------------------------------------------------------------------------------
// First-order steps

FirstOrder::FirstOrder(const OptimConfig& cfg, size_t P, double* m, double* v, size_t* t) : cfg_(cfg), P_(P), m_(m), v_(v), t_(t) {}

// The update of parameters [k0, k1); returns false when one became non-finite.
bool FirstOrder::update(double* theta, const double* g, size_t k0, size_t k1, double lr, double r1, double r2) {
  bool finite = true;
  switch (cfg_.kind) {
    case Optimizer::gd:
    case Optimizer::lbfgs:  // never stepped here (the trainer drives Lbfgs); gd for completeness
      // θ ← θ − α g
      for (size_t k = k0; k < k1; ++k) {
        const double next = theta[k] - lr * g[k];
        theta[k] = next;
        finite &= std::isfinite(next);
      }
      break;
    case Optimizer::momentum: {
      // v ← β v + g ; θ ← θ − α v
      double* v = m_;
      const double beta = cfg_.beta;
      for (size_t k = k0; k < k1; ++k) {
        v[k] = beta * v[k] + g[k];
        const double next = theta[k] - lr * v[k];
        theta[k] = next;
        finite &= std::isfinite(next);
      }
      break;
    }
    case Optimizer::adam:
      // m ← β1 m + (1−β1) g ; v ← β2 v + (1−β2) g² ; θ ← θ − α m̂ / (√v̂ + ε), m̂ = m·r1, v̂ = v·r2 with
      // r1 = 1/(1−β1^t), r2 = 1/(1−β2^t) (reciprocals, so that the update costs one division per
      // parameter instead of three: in an update this cheap, divisions dominate):
      // vectorized per instruction-set level (simd.h), the same bits as the scalar form.
      finite = simd().adam_update(theta, g, m_, v_, k0, k1, lr, cfg_.beta1, cfg_.beta2, cfg_.eps, r1, r2);
      break;
  }
  return finite;
}

bool FirstOrder::step(double* theta, const double* g, double lr, ThreadTeam* team) {
  double r1 = 1, r2 = 1;
  *t_ += 1;
  if (cfg_.kind == Optimizer::adam) {
    r1 = 1.0 / (1.0 - std::pow(cfg_.beta1, static_cast<double>(*t_)));
    r2 = 1.0 / (1.0 - std::pow(cfg_.beta2, static_cast<double>(*t_)));
  }
  const size_t P = P_;
  const size_t T = team && P >= kParallelUpdateMin ? team->size() : 1;
  if (T == 1) return update(theta, g, 0, P, lr, r1, r2);
  std::atomic<bool> finite{true};
  team->run([&](size_t t) {
    size_t k0, k1;
    partition(P, T, t, &k0, &k1);
    if (!update(theta, g, k0, k1, lr, r1, r2)) finite.store(false, std::memory_order_relaxed);
  });
  return finite.load();
}

// ---------------------------------------------------------------------------------------------
// L-BFGS

Lbfgs::Lbfgs(size_t P, size_t memory)
    : P_(P), memory_(std::max<size_t>(memory, 1)), S_(memory_ * P), Y_(memory_ * P), rho_(memory_), a_(memory_),
      d_(P), x_(P), gx_(P) {}

// d = −H g by the two-loop recursion (Nocedal & Wright algorithm 7.4), H₀ = γ I with
// γ = sᵀy / yᵀy of the newest pair (identity while there is none).
void Lbfgs::direction(const double* g) {
  const size_t P = P_;
  double* q = d_.data();
  std::memcpy(q, g, P * sizeof(double));
  for (size_t i = count_; i-- > 0;) {
    const size_t slot = (head_ + i) % memory_;
    const double* s = &S_[slot * P];
    const double* y = &Y_[slot * P];
    const double a = rho_[slot] * dot(s, q, P);
    a_[slot] = a;
    for (size_t k = 0; k < P; ++k) q[k] -= a * y[k];
  }
  if (count_ > 0) {
    const size_t newest = (head_ + count_ - 1) % memory_;
    const double* y = &Y_[newest * P];
    const double gamma = (1.0 / rho_[newest]) / dot(y, y, P);
    for (size_t k = 0; k < P; ++k) q[k] *= gamma;
  }
  for (size_t i = 0; i < count_; ++i) {
    const size_t slot = (head_ + i) % memory_;
    const double* s = &S_[slot * P];
    const double* y = &Y_[slot * P];
    const double b = rho_[slot] * dot(y, q, P);
    const double c = a_[slot] - b;
    for (size_t k = 0; k < P; ++k) q[k] += c * s[k];
  }
  for (size_t k = 0; k < P; ++k) q[k] = -q[k];
}

// x = θ + α d; returns J(x), gx = ∂J/∂θ at x.
double Lbfgs::evaluate(const double* theta, double alpha, const CostGradFn& fg, bool* finite) {
  for (size_t k = 0; k < P_; ++k) x_[k] = theta[k] + alpha * d_[k];
  evaluations_ += 1;
  *finite = true;
  const double f = fg(x_.data(), gx_.data(), finite);
  if (!std::isfinite(f)) *finite = false;
  return f;
}

// The minimizer of the cubic through (a, fa, ga) and (b, fb, gb) (N&W eq. 3.59), kept at least
// a tenth of the interval away from its ends; the midpoint when the cubic is unusable.
static double cubic_step(double a, double fa, double ga, double b, double fb, double gb) {
  const double lo = std::min(a, b), hi = std::max(a, b), width = hi - lo;
  const double d1 = ga + gb - 3.0 * (fa - fb) / (a - b);
  const double disc = d1 * d1 - ga * gb;
  double t = 0.5 * (a + b);
  if (std::isfinite(disc) && disc >= 0) {
    const double d2 = (b > a ? 1.0 : -1.0) * std::sqrt(disc);
    const double c = b - (b - a) * ((gb + d2 - d1) / (gb - ga + 2.0 * d2));
    if (std::isfinite(c)) t = c;
  }
  return std::min(std::max(t, lo + 0.1 * width), hi - 0.1 * width);
}

LbfgsResult Lbfgs::iterate(double* theta, double* f, double* g, const CostGradFn& fg) {
  const size_t P = P_;
  constexpr double c1 = 1e-4, c2 = 0.9;
  constexpr int kMaxBracket = 25, kMaxZoom = 30;
  direction(g);
  double dg0 = dot(g, d_.data(), P);
  if (!(dg0 < 0)) {  // not a descent direction (a stale history): forget it, take steepest descent
    count_ = 0;
    head_ = 0;
    for (size_t k = 0; k < P; ++k) d_[k] = -g[k];
    dg0 = dot(g, d_.data(), P);
    if (!(dg0 < 0)) return LbfgsResult::line_search_failed;
  }
  const double f0 = *f;
  double alpha = count_ == 0 ? std::min(1.0, 1.0 / std::sqrt(dot(d_.data(), d_.data(), P))) : 1.0;
  double a_prev = 0, f_prev = f0, g_prev = dg0;
  double lo = 0, f_lo = f0, g_lo = dg0, hi = 0, f_hi = 0, g_hi = 0;
  bool found = false, zoom = false;
  double fa = f0;
  for (int i = 0; i < kMaxBracket && !found && !zoom; ++i) {
    bool finite = true;
    fa = evaluate(theta, alpha, fg, &finite);
    const double ga = finite ? dot(gx_.data(), d_.data(), P) : 0;
    if (!finite) {  // overshot into overflow: step back towards the last good point
      alpha = a_prev + 0.5 * (alpha - a_prev);
      continue;
    }
    if (fa > f0 + c1 * alpha * dg0 || (i > 0 && fa >= f_prev)) {
      lo = a_prev, f_lo = f_prev, g_lo = g_prev, hi = alpha, f_hi = fa, g_hi = ga;
      zoom = true;
    } else if (std::fabs(ga) <= -c2 * dg0) {
      found = true;
    } else if (ga >= 0) {
      lo = alpha, f_lo = fa, g_lo = ga, hi = a_prev, f_hi = f_prev, g_hi = g_prev;
      zoom = true;
    } else {
      a_prev = alpha, f_prev = fa, g_prev = ga;
      alpha *= 2.0;
    }
  }
  bool at_lo = false;  // whether x_ (the last evaluation) is the point lo
  for (int j = 0; zoom && !found && j < kMaxZoom; ++j) {
    if (std::fabs(hi - lo) <= 1e-16 * std::max(1.0, std::fabs(lo))) break;
    alpha = cubic_step(lo, f_lo, g_lo, hi, f_hi, g_hi);
    bool finite = true;
    fa = evaluate(theta, alpha, fg, &finite);
    at_lo = false;
    if (!finite) {
      hi = alpha, f_hi = std::numeric_limits<double>::infinity(), g_hi = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    const double ga = dot(gx_.data(), d_.data(), P);
    if (fa > f0 + c1 * alpha * dg0 || fa >= f_lo) {
      hi = alpha, f_hi = fa, g_hi = ga;
    } else {
      if (std::fabs(ga) <= -c2 * dg0) {
        found = true;
        break;
      }
      if (ga * (hi - lo) >= 0) hi = lo, f_hi = f_lo, g_hi = g_lo;
      lo = alpha, f_lo = fa, g_lo = ga;
      at_lo = true;
    }
  }
  if (!found) {
    // No point met both conditions: accept the best one that decreased J enough, if any.
    if (!(lo > 0 && f_lo < f0)) return LbfgsResult::line_search_failed;
    if (!at_lo) {
      bool finite = true;
      fa = evaluate(theta, lo, fg, &finite);
      if (!finite) return LbfgsResult::not_finite;
    }
    fa = f_lo;
  }
  // Accept x: s = x − θ, y = g(x) − g(θ); keep the pair when sᵀy > 0 (always so under strong Wolfe).
  double sy = 0;
  for (size_t k = 0; k < P; ++k) sy += (x_[k] - theta[k]) * (gx_[k] - g[k]);
  if (sy > 0 && std::isfinite(sy)) {
    const size_t slot = count_ < memory_ ? (head_ + count_) % memory_ : head_;
    double* s = &S_[slot * P];
    double* y = &Y_[slot * P];
    for (size_t k = 0; k < P; ++k) {
      s[k] = x_[k] - theta[k];
      y[k] = gx_[k] - g[k];
    }
    rho_[slot] = 1.0 / sy;
    if (count_ < memory_) count_ += 1;
    else head_ = (head_ + 1) % memory_;
  }
  std::memcpy(theta, x_.data(), P * sizeof(double));
  std::memcpy(g, gx_.data(), P * sizeof(double));
  *f = fa;
  iterations_ += 1;
  return LbfgsResult::ok;
}

}  // namespace blasnet
