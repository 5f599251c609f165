// Logistic regression kernels: see logistic.h. Each iteration reads X once, in register blocks of
// examples (simd_impl.h), using each block twice (for z and for dw) while it is in L1.
#include "logistic.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

#include "blas.h"
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
  const size_t n = d.n, m = d.m, T = ws.dw.size();
  auto job = [&](size_t t) {
    size_t j0, j1;
    partition(n, T, t, &j0, &j1);
    simd().logistic_rows(d.X, d.y, m, j0, j1, w, b, want_cost, ws.dw[t].data(), &ws.cost[t], &ws.dz_sum[t], &ws.z_sum[t]);
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
  // a (n) = Xᵀ·w with X the seed's m × n matrix, then σ(a + b) in place
  gemv(true, m, n, 1.0, X, m, w, 0.0, a);
  double check = 0;
  for (size_t j = 0; j < n; ++j) check += 0.0 * (a[j] += b);
  if (check != 0) {
    for (size_t j = 0; j < n; ++j)
      if (!std::isfinite(a[j])) return j;
  }
  simd().sigmoid_inplace(a, n);
  return n;
}

FitOutcome logistic_fit(const LogisticData& d, double* w, double* b, double learning_rate,
                        size_t iterations, size_t record_every, size_t threads,
                        const std::function<void(size_t, double)>& record,
                        const std::function<bool()>& cancelled) {
  const size_t m = d.m;
  // More threads than examples per thousand only adds wake-ups.
  const size_t T = std::max<size_t>(1, std::min(threads, d.n / 1024 + 1));
  std::unique_ptr<ThreadTeam> team(T > 1 ? new ThreadTeam(T) : nullptr);
  LogisticWorkspace ws(m, team.get());
  std::vector<double> dw(m), w_prev(m);
  double db = 0.0, b_prev = *b;
  FitOutcome out;
  for (size_t i = 0; i < iterations; ++i) {
    if (cancelled()) {
      out.status = FitStatus::aborted;
      return out;
    }
    const bool want_cost = record_every > 0 && i % record_every == 0;
    const CostGrad cg = logistic_cost_grad(d, w, *b, dw.data(), &db, ws, want_cost);
    if (!cg.finite) {
      out.status = FitStatus::diverged;
      out.last_cost = want_cost ? cg.cost : logistic_cost_grad(d, w, *b, dw.data(), &db, ws, true).cost;
      // The current parameters gave a non-finite z, cost or gradient; step back to the previous ones
      // if they themselves are not finite (an overflowing step), else keep them.
      bool finite = std::isfinite(*b);
      for (size_t k = 0; k < m && finite; ++k) finite = std::isfinite(w[k]);
      if (!finite && i > 0) {
        std::memcpy(w, w_prev.data(), m * sizeof(double));
        *b = b_prev;
      }
      return out;
    }
    if (want_cost) {
      out.last_cost = cg.cost;
      record(i, cg.cost);
    }
    std::memcpy(w_prev.data(), w, m * sizeof(double));
    b_prev = *b;
    for (size_t k = 0; k < m; ++k) w[k] -= learning_rate * dw[k];
    *b -= learning_rate * db;
    out.iterations = i + 1;
  }
  return out;
}

}  // namespace blasnet
