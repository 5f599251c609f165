// Logistic regression kernels (docs/math.md, "Logistic regression"). Plain C++ over BLAS: no
// napi.h here, no allocation inside the iteration loop (the workspace is sized once per fit).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "trainer.h"

namespace blasnet {

// X: n × m row-major (examples as rows) = the m × n column-major matrix of the formulas. y: n labels.
struct LogisticData {
  const double* X;
  const double* y;
  size_t n;  // examples
  size_t m;  // features
  size_t ld = 0;  // row stride of X (0: m)
};

class ThreadTeam;

// Per-thread partial sums of one sweep, sized once per fit and reused every iteration.
struct LogisticWorkspace {
  ThreadTeam* team;                       // not owned; null: the calling thread alone
  std::vector<std::vector<double>> dw;    // per thread: m partial sums of dz_j x_j (+ scratch to a multiple of 8)
  std::vector<double> cost, dz_sum, z_sum;  // per thread
  LogisticWorkspace(size_t m, ThreadTeam* team);
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

// Logistic regression as a trainer Objective (native/trainer.h): θ = (w, b), m + 1 values;
// J = Σ_j w_j L_j / Σ_j w_j + (λ/2)‖w‖² (the bias is not penalized), L_j = softplus(z_j) − y_j z_j.
class LogisticObjective : public Objective {
 public:
  LogisticObjective(size_t m, double l2, size_t threads) : m_(m), l2_(l2), threads_(threads) {}
  ~LogisticObjective() override;
  size_t n_params() const override { return m_ + 1; }
  size_t x_width() const override { return m_; }
  size_t y_width() const override { return 1; }
  ThreadTeam* team() override { return team_.get(); }
  void reserve(size_t batch, size_t eval) override;
  // When m is not a multiple of 8: a copy of the training rows with each row padded with zeros to a
  // multiple of 8 doubles, 64-byte aligned (at most kPaddedMaxBytes; larger data is swept in place).
  // Every row then starts on a cache line, so the sweep's 64-byte loads never straddle two lines
  // and every row's last chunk is read whole; without it, rows whose length is not a multiple of 8
  // make many of the sweep's loads split across lines, which slows it well below its neighbours'
  // speed at m rounded to 8. Batches that are rows of the data in place (full batch,
  // unshuffled mini-batches, L-BFGS) use the copy; gathered batches use their own rows. The same
  // operations on the same values, so the same bits.
  void bind(const Rows& data) override;
  // The padded copy reads every bound row (for m not a multiple of 8: bind keeps no rows otherwise).
  bool bind_reads_all_rows() const override { return m_ % 8 != 0; }
  static constexpr size_t kPaddedMaxBytes = size_t(256) << 20;
  // The copy is made at the kPadAfter-th sweep of the bound data, not before: a short fit (an L-BFGS
  // run of a dozen iterations) would spend more on the copy than it saves.
  static constexpr size_t kPadAfter = 32;
  CostGrad cost_grad(const double* theta, const Rows& batch, double* grad, bool want_cost) override;
  Eval evaluate(const double* theta, const Rows& rows) override;

 private:
  size_t m_;
  double l2_;
  size_t threads_;
  std::unique_ptr<ThreadTeam> team_;
  std::unique_ptr<LogisticWorkspace> ws_;
  std::vector<double> z_;  // evaluation: one z per validation row
  const double* padded_X(const Rows& b);  // the batch's rows in the padded copy, or null
  struct Padded {  // 64-byte-aligned memory; from 4 MiB on, a reusable huge-page block (buffers.h)
    double* p = nullptr;
    size_t bytes = 0;
    ~Padded();
  };
  std::unique_ptr<Padded> padded_;   // see bind: n × ld_, or null
  const double* bound_X_ = nullptr;  // the rows to copy
  size_t bound_n_ = 0, ld_ = 0, sweeps_ = 0;
};

}  // namespace blasnet
