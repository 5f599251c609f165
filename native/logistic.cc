// Logistic regression kernels: see logistic.h. The sweep is blocked so that a block of X is read
// from memory once and used twice (z and dw) from cache: this workload is memory-bound.
#include "logistic.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "blas.h"
#include "math.h"

namespace blasnet {

// Rows per block: a block of X of about 128 KiB stays in L2 between its two products.
static size_t block_rows(size_t m, size_t n) {
  const size_t target_bytes = 128 * 1024;
  size_t rows = target_bytes / (sizeof(double) * std::max<size_t>(m, 1));
  rows = std::max<size_t>(rows, 8);
  return std::max<size_t>(std::min(rows, n), 1);
}

LogisticWorkspace::LogisticWorkspace(size_t m, size_t n) : block(block_rows(m, n)), z(block) {}

double logistic_cost_grad(const LogisticData& d, const double* w, double b, double* dw, double* db,
                          LogisticWorkspace& ws) {
  const size_t n = d.n, m = d.m;
  std::fill(dw, dw + m, 0.0);
  double cost = 0.0, dz_sum = 0.0;
  double* z = ws.z.data();
  for (size_t j0 = 0; j0 < n; j0 += ws.block) {
    const size_t rows = std::min(ws.block, n - j0);
    const double* Xb = d.X + j0 * m;  // column-major m × rows
    // zb (rows) = Xbᵀ·w, Xb seen as the seed's m × rows block
    gemv(true, m, rows, 1.0, Xb, m, w, 0.0, z);
    // fused: loss terms and dz = σ(z) − y, in place of z
    for (size_t j = 0; j < rows; ++j) {
      const double zj = z[j] + b, yj = d.y[j0 + j];
      const SigmoidSoftplus s = sigmoid_softplus(zj);
      cost += s.softplus - yj * zj;
      const double dz = s.sigma - yj;
      dz_sum += dz;
      z[j] = dz;
    }
    // dw (m) += Xb·dz
    gemv(false, m, rows, 1.0, Xb, m, z, 1.0, dw);
  }
  const double inv_n = 1.0 / static_cast<double>(n);
  for (size_t k = 0; k < m; ++k) dw[k] *= inv_n;
  *db = dz_sum * inv_n;
  return cost * inv_n;
}

void logistic_predict_proba(const double* X, size_t n, size_t m, const double* w, double b, double* a) {
  if (n == 0) return;
  // a (n) = Xᵀ·w with X the seed's m × n matrix, then σ(a + b) in place
  gemv(true, m, n, 1.0, X, m, w, 0.0, a);
  for (size_t j = 0; j < n; ++j) a[j] = sigmoid(a[j] + b);
}

FitOutcome logistic_fit(const LogisticData& d, double* w, double* b, double learning_rate,
                        size_t iterations, size_t record_every,
                        const std::function<void(size_t, double)>& record,
                        const std::function<bool()>& cancelled) {
  const size_t m = d.m;
  LogisticWorkspace ws(m, d.n);
  std::vector<double> dw(m), w_prev(m);
  double db = 0.0, b_prev = *b;
  FitOutcome out;
  for (size_t i = 0; i < iterations; ++i) {
    if (cancelled()) {
      out.status = FitStatus::aborted;
      return out;
    }
    const double cost = logistic_cost_grad(d, w, *b, dw.data(), &db, ws);
    double gsum = db;
    for (size_t k = 0; k < m; ++k) gsum += dw[k];  // non-finite iff some gradient entry is
    if (!std::isfinite(cost) || !std::isfinite(gsum)) {
      out.status = FitStatus::diverged;
      out.last_cost = cost;
      // The current parameters gave a non-finite cost; step back to the previous ones if they
      // themselves are not finite (an overflowing step), else keep them.
      bool finite = std::isfinite(*b);
      for (size_t k = 0; k < m && finite; ++k) finite = std::isfinite(w[k]);
      if (!finite && i > 0) {
        std::memcpy(w, w_prev.data(), m * sizeof(double));
        *b = b_prev;
      }
      return out;
    }
    out.last_cost = cost;
    if (record_every > 0 && i % record_every == 0) record(i, cost);
    std::memcpy(w_prev.data(), w, m * sizeof(double));
    b_prev = *b;
    for (size_t k = 0; k < m; ++k) w[k] -= learning_rate * dw[k];
    *b -= learning_rate * db;
    out.iterations = i + 1;
  }
  return out;
}

}  // namespace blasnet
