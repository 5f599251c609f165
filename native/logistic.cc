// Logistic regression kernels: see logistic.h. Each iteration reads X once, in register blocks of
// examples (simd_impl.h), using each block twice (for z and for dw) while it is in L1.
#include "logistic.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>

#include "blas.h"
#include "buffers.h"
#include "math.h"
#include "parallel.h"
#include "simd.h"

namespace blasnet {

// The kernel works on whole chunks of eight features: each partial dw has room for m rounded up to 8.
LogisticWorkspace::LogisticWorkspace(size_t m, ThreadTeam* t)
    : team(t), dw(t ? t->size() : 1, std::vector<double>((m + 7) / 8 * 8)), cost(dw.size()), dz_sum(dw.size()),
      z_sum(dw.size()) {}

CostGrad logistic_cost_grad(const LogisticData& d, const double* w, double b, double* dw, double* db,
                            LogisticWorkspace& ws, bool want_cost) {
  const size_t n = d.n, m = d.m, T = ws.dw.size(), ld = d.ld ? d.ld : d.m;
  auto job = [&](size_t t) {
    size_t j0, j1;
    partition(n, T, t, &j0, &j1);
    simd().logistic_rows(d.X, ld, d.y, m, j0, j1, w, b, want_cost, ws.dw[t].data(), &ws.cost[t], &ws.dz_sum[t], &ws.z_sum[t]);
  };
  if (ws.team) ws.team->run(job);
  else job(0);
  const double inv_n = 1.0 / static_cast<double>(n);
  double cost = 0, dz_sum = 0, z_sum = 0, g_sum = 0;
  for (size_t t = 0; t < T; ++t) {
    cost += ws.cost[t];
    dz_sum += ws.dz_sum[t];
    z_sum += ws.z_sum[t];
  }
  for (size_t k = 0; k < m; ++k) {
    double s = ws.dw[0][k];
    for (size_t t = 1; t < T; ++t) s += ws.dw[t][k];
    dw[k] = s * inv_n;
    g_sum += dw[k];
  }
  *db = dz_sum * inv_n;
  // A sum is finite exactly when every term is (barring an overflow of the sum, itself a divergence).
  const bool finite = std::isfinite(z_sum) && std::isfinite(g_sum) && std::isfinite(*db) && (!want_cost || std::isfinite(cost));
  return {want_cost ? cost * inv_n : std::numeric_limits<double>::quiet_NaN(), finite};
}

size_t logistic_predict_proba(const double* X, size_t n, size_t m, const double* w, double b, double* a) {
  if (n == 0) return 0;
  // a (n) = Xᵀ·w with X the m × n matrix of docs/math.md, "Mapping onto BLAS"; then σ(a + b)
  // in place. From 2^20 multiply-adds at 2 threads or more, the examples are cut into one block per
  // thread (aligned_partition), each a single-threaded dgemv on the calling thread's team
  // (thread_team): OpenBLAS runs one thread (blas.h blasnet_threads), and every a[j] is the same dot
  // product whichever block computes it.
  const size_t T = static_cast<size_t>(std::max(1, blasnet_threads()));
  if (T > 1 && n >= 16 * T && static_cast<double>(n) * static_cast<double>(m) >= static_cast<double>(1 << 20)) {
    thread_team(T)->run([&](size_t t) {
      size_t j0, j1;
      aligned_partition(n, T, t, &j0, &j1);
      if (j1 > j0) gemv(true, m, j1 - j0, 1.0, X + j0 * m, m, w, 0.0, a + j0);
    });
  } else {
    gemv(true, m, n, 1.0, X, m, w, 0.0, a);
  }
  double check = 0;
  for (size_t j = 0; j < n; ++j) check += 0.0 * (a[j] += b);
  if (check != 0) {
    for (size_t j = 0; j < n; ++j)
      if (!std::isfinite(a[j])) return j;
  }
  simd().sigmoid_inplace(a, n);
  return n;
}

LogisticObjective::~LogisticObjective() = default;

void LogisticObjective::reserve(size_t batch, size_t eval) {
  // More threads than examples per thousand only adds wake-ups.
  const size_t T = std::max<size_t>(1, std::min(threads_, batch / 1024 + 1));
  if (!ws_) {
    team_.reset(T > 1 ? new ThreadTeam(T) : nullptr);
    ws_.reset(new LogisticWorkspace(m_, team_.get()));
  }
  z_.resize(eval);
}

LogisticObjective::Padded::~Padded() {
  if (bytes >= JobBufferAllocator<double>::kLarge) job_buffer_give(p, bytes);
  else std::free(p);
}

void LogisticObjective::bind(const Rows& data) {
  padded_.reset();
  bound_X_ = nullptr;
  bound_n_ = ld_ = sweeps_ = 0;
  const size_t m = m_, ld = (m + 7) / 8 * 8;
  if (m % 8 == 0 || data.n == 0 || data.weight) return;  // weighted fits take the plain loop
  if (data.n > kPaddedMaxBytes / (ld * sizeof(double))) return;
  bound_X_ = data.X;
  bound_n_ = data.n;
  ld_ = ld;
}

const double* LogisticObjective::padded_X(const Rows& b) {
  if (!bound_X_ || b.n > bound_n_) return nullptr;
  // Rows of the bound data in place? (Compared as addresses: a gathered batch lives elsewhere.)
  const uintptr_t at = reinterpret_cast<uintptr_t>(b.X), base = reinterpret_cast<uintptr_t>(bound_X_);
  const size_t row_bytes = m_ * sizeof(double);
  if (at < base || (at - base) % row_bytes != 0 || (at - base) / row_bytes > bound_n_ - b.n) return nullptr;
  if (!padded_) {
    if (++sweeps_ < kPadAfter) return nullptr;
    const size_t m = m_, ld = ld_, bytes = bound_n_ * ld * sizeof(double);
    auto pad = std::make_unique<Padded>();
    try {
      pad->p = static_cast<double*>(bytes >= JobBufferAllocator<double>::kLarge ? job_buffer_take(bytes) : nullptr);
    } catch (const std::bad_alloc&) {
      bound_X_ = nullptr;  // no copy: swept in place
      return nullptr;
    }
    if (!pad->p) {
      void* q = nullptr;
      if (posix_memalign(&q, 64, bytes) != 0) {
        bound_X_ = nullptr;
        return nullptr;
      }
      pad->p = static_cast<double*>(q);
    }
    pad->bytes = bytes;
    for (size_t j = 0; j < bound_n_; ++j) {
      std::memcpy(pad->p + j * ld, bound_X_ + j * m, m * sizeof(double));
      for (size_t k = m; k < ld; ++k) pad->p[j * ld + k] = 0.0;
    }
    padded_ = std::move(pad);
  }
  return padded_->p + (at - base) / row_bytes * ld_;
}

// The weighted J = Σ_j w_j L_j / Σ_j w_j and its gradient, one example at a time (a plain loop: the
// unweighted sweep of logistic_rows is the fast path).
static CostGrad weighted_cost_grad(const Rows& b, size_t m, const double* w, double bias, double* dw, double* db) {
  double cost = 0, dz_sum = 0, W = 0, z_sum = 0;
  for (size_t k = 0; k < m; ++k) dw[k] = 0;
  for (size_t j = 0; j < b.n; ++j) {
    const double* x = b.X + j * m;
    const double wj = b.weight[j];
    W += wj;
    if (wj == 0) continue;
    double z = bias;
    for (size_t k = 0; k < m; ++k) z += x[k] * w[k];
    const SigmoidSoftplus ss = sigmoid_softplus(z);
    cost += wj * (ss.softplus - b.Y[j] * z);
    const double dz = wj * (ss.sigma - b.Y[j]);
    dz_sum += dz;
    z_sum += z;
    for (size_t k = 0; k < m; ++k) dw[k] += dz * x[k];
  }
  if (W == 0) {  // a batch of zero weight: J = 0, no gradient
    *db = 0;
    return {0.0, true};
  }
  double g_sum = 0;
  for (size_t k = 0; k < m; ++k) g_sum += (dw[k] /= W);
  *db = dz_sum / W;
  return {cost / W, std::isfinite(z_sum) && std::isfinite(g_sum) && std::isfinite(*db) && std::isfinite(cost)};
}

CostGrad LogisticObjective::cost_grad(const double* theta, const Rows& b, double* grad, bool want_cost) {
  const size_t m = m_;
  LogisticData d{b.X, b.Y, b.n, m};
  if (!b.weight)
    if (const double* p = padded_X(b)) {
      d.X = p;
      d.ld = ld_;
    }
  CostGrad cg = b.weight ? weighted_cost_grad(b, m, theta, theta[m], grad, grad + m)
                         : logistic_cost_grad(d, theta, theta[m], grad, grad + m, *ws_, want_cost);
  if (l2_ != 0) {
    // J += (λ/2)‖w‖², ∂J/∂w += λ w; b is not penalized
    double sq = 0;
    for (size_t k = 0; k < m; ++k) {
      sq += theta[k] * theta[k];
      grad[k] += l2_ * theta[k];
    }
    cg.cost += 0.5 * l2_ * sq;
    cg.finite = cg.finite && std::isfinite(sq);
  }
  return cg;
}

Eval LogisticObjective::evaluate(const double* theta, const Rows& r) {
  const size_t m = m_, n = r.n;
  double* z = z_.data();
  // z (n) = Xᵀ·w + b with X the m × n matrix of docs/math.md, "Mapping onto BLAS"
  gemv(true, m, n, 1.0, r.X, m, theta, 0.0, z);
  double total = 0;
  size_t right = 0;
  for (size_t j = 0; j < n; ++j) {
    const double zj = z[j] + theta[m], y = r.Y[j];
    const SigmoidSoftplus ss = sigmoid_softplus(zj);
    total += ss.softplus - y * zj;
    right += (ss.sigma >= 0.5 ? 1.0 : 0.0) == y;
  }
  return {total / static_cast<double>(n), static_cast<double>(right) / static_cast<double>(n)};
}

}  // namespace blasnet
