// Dense networks of any depth (docs/math.md, "Dense networks: forward and backward"): one
// forward/backward pair per layer kind, every product a dgemm, every elementwise step one fused
// pass. Plain C++ over BLAS: no napi.h here; buffers are sized once (Workspace::reserve) and never
// allocated in the loop.
//
// Layout (docs/math.md, "Mapping onto BLAS"): X and Y come as the user gave them, column-major s × n
// (= row-major n × s, examples as rows), and predictions go back that way. Inside a batch the
// activations and deltas are stored unit by unit, column-major n × s_l (A[l]ᵀ): every dgemm then has
// the examples on its long M side, and each unit's values are contiguous for the fused passes.
// Parameters live in one block θ: for l = 1..L, W[l] (row-major s_l × s_{l−1}, i.e. column-major
// s_{l−1} × s_l = W[l]ᵀ) then b[l] (s_l).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "codes.h"
#include "optim.h"
#include "trainer.h"

namespace blasnet {

struct Layer {
  size_t in = 0, out = 0;       // s_{l−1}, s_l
  Activation g = Activation::linear;
  double alpha = 0.01;          // leaky-relu slope
  size_t W_off = 0, b_off = 0;  // offsets of W[l] and b[l] in θ
};

struct Network {
  std::vector<Layer> layers;  // layers[l − 1] is layer l
  Loss loss = Loss::cross_entropy;
  size_t n_params = 0;
  size_t max_width = 0;       // max over l ≥ 1 of s_l
  size_t inputs() const { return layers.front().in; }
  size_t outputs() const { return layers.back().out; }
};

// Builds and checks a network (sizes s0..sL, one activation and slope per layer l = 1..L).
// Throws std::invalid_argument for what the TS layer should have rejected.
Network make_network(const std::vector<size_t>& sizes, const std::vector<int>& activations,
                     const std::vector<double>& alphas, int loss);

class ThreadTeam;

// Activations and deltas for batches of up to `capacity` examples, and the per-thread partial sums
// of the elementwise passes when a thread team shares them. Only what backpropagation needs is kept:
// one buffer per layer's activations, and δ[l] (l < L) is written over A[l] once dW[l+1] has used
// it, block by block through `delta_block`; δ[L] has its own n × s_L buffer.
struct Workspace {
  size_t capacity = 0;
  std::vector<std::vector<double>> A;  // A[l − 1]: n × s_l, unit by unit (leading dimension n), l = 1..L; then δ[l − 1]
  std::vector<double> delta;           // δ[L]: n × s_L, unit by unit
  std::vector<double> delta_block;     // one block of units of δ[l − 1] as dense_backward makes it
  ThreadTeam* team = nullptr;          // not owned; null: the calling thread alone
  std::vector<std::vector<double>> part;  // per thread: max_width scratch (one example's outputs)
  std::vector<double> part_sum;           // per thread: a partial scalar sum (the loss)
  std::vector<double> part_check;         // per thread: Σ 0·z over checked pre-activations (NaN iff one is not finite)
  void reserve(const Network& net, size_t capacity, bool backward);
};

// Warm workspaces for a model's asynchronous predictions: a job takes one (or a new one when none
// is free) and gives it back when it ends, so a later prediction finds its buffers allocated and
// their pages mapped (a fresh 10 000 × 128 activation buffer costs ~2 500 page faults). It keeps at
// most kKeep of them, those of the last jobs to end; a workspace holds at most net_predict's chunk
// of activations (≈ 32 MiB). Shared by the model and its running jobs (shared_ptr), thread-safe.
class WorkspacePool {
 public:
  static constexpr size_t kKeep = 2;
  std::unique_ptr<Workspace> take();
  void give(std::unique_ptr<Workspace> ws);

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<Workspace>> free_;
};

// A thread team for a fit's batches of n examples: blasnet_threads() threads when the batch's
// products are cut into blocks (team_gemm) or its passes are big enough to gain from it, else none.
std::unique_ptr<ThreadTeam> make_team(const Network& net, size_t n);

// The calling thread's own team (parallel.h thread_team, of blasnet_threads() threads) for a call on
// n examples when it pays: its forward pass is large, or the team's threads still spin from a call
// just before, or (bursts) the thread's last call came within 200 µs; else null (the call computes
// the same blocks alone).
ThreadTeam* team_for_call(const Network& net, size_t n, bool bursts);

// C (M × N) = alpha · op(A) · op(B) + beta · C (blas.h gemm's arguments) as the network's passes
// compute their products: from 2^18 multiply-adds, one block of C per thread of blasnet_threads(),
// each a single-threaded OpenBLAS call, on team's threads (or in turn on the calling thread when team
// is null). The benchmark suite times the machine's dgemm rate with it (native/bench.cc).
void team_product(ThreadTeam* team, bool transA, bool transB, size_t M, size_t N, size_t K, double alpha, const double* A,
                  size_t lda, const double* B, size_t ldb, double beta, double* C, size_t ldc);

// Forward pass for n examples, X: s0 × n column-major. The output activations A[L] are written to
// `out` (s_L × n, example by example) when it is given. With Y (s_L × n): returns Σ_j loss_j (the
// data term, not divided by n) and, when want_delta, writes δ[L] into ws.delta and Σ_j δ[L] into db_L.
// When bad_layer is given, every layer's pre-activations are checked in the fused pass that adds
// the bias (Σ 0·z is NaN iff some z is not finite; a non-finite x_j makes every z of example j
// non-finite): *bad_layer = the first layer l (1-based) whose Z[l] is not finite, else 0, and the
// pass stops there.
double net_forward(const Network& net, const double* theta, const double* X, size_t n, Workspace& ws,
                   const double* Y, bool want_delta, double* db_L, double* out = nullptr, size_t* bad_layer = nullptr,
                   const double* weight = nullptr);

// Backward pass after net_forward(..., want_delta = true) on the same batch: grad (n_params,
// overwritten) = ∂J/∂θ with J the mean loss over the batch. grad's b[L] slot must hold Σ_j δ[L]
// (net_forward writes it there when given db_L = grad + b_off of layer L). Overwrites the hidden
// activations in ws.A with the deltas.
void net_backward(const Network& net, const double* theta, const double* X, size_t n, Workspace& ws, double* grad);

// J (mean over n — with weight (n), Σ w_j L_j / Σ w_j —, plus (l2/2)·Σ‖W‖²) and grad = ∂J/∂θ
// (n_params, overwritten) for the whole set.
double net_cost_grad(const Network& net, const double* theta, const double* X, const double* Y, size_t n,
                     double l2, double* grad, Workspace& ws, const double* weight = nullptr);

// out (n) = w · n / Σ w (the weights of net_forward for a weighted mean); returns Σ w.
double normalized_weights(const double* w, size_t n, std::vector<double>& out);

// out (s_L × n) = A[L] for X (s0 × n), in chunks of examples so memory stays bounded: the first
// two smaller (512, then 2 048 examples; the same schedule for every caller, so a prediction's
// values never depend on who made it), so that a job whose X is still being copied in can start
// early. Before each chunk, ready(j1) is called with the end of the chunk's rows: it returns once
// rows [0, j1) of X may be read, false to go on or true to cancel. Returns 0, or the first layer
// (1-based) whose pre-activations were not finite (see net_forward), or kPredictCancelled. Without a
// team in ws, the calling thread's is taken when it pays (team_for_call, with bursts).
constexpr size_t kPredictCancelled = static_cast<size_t>(-1);
size_t net_predict(const Network& net, const double* theta, const double* X, size_t n, double* out, Workspace& ws,
                   const std::function<bool(size_t)>& ready = {}, bool bursts = true);

// The network as a trainer Objective (native/trainer.h): θ as above, J the mean loss over a batch
// (weighted: Σ w_j L_j / Σ w_j) plus (l2/2)·Σ‖W‖². Owns the workspaces and the thread team.
class NetObjective : public Objective {
 public:
  NetObjective(const Network& net, double l2) : net_(net), l2_(l2) {}
  ~NetObjective() override;
  size_t n_params() const override { return net_.n_params; }
  size_t x_width() const override { return net_.inputs(); }
  size_t y_width() const override { return net_.outputs(); }
  ThreadTeam* team() override { return team_.get(); }
  void reserve(size_t batch, size_t eval) override;
  CostGrad cost_grad(const double* theta, const Rows& batch, double* grad, bool want_cost) override;
  Eval evaluate(const double* theta, const Rows& rows) override;

 private:
  const Network& net_;
  double l2_;
  std::unique_ptr<ThreadTeam> team_;
  Workspace ws_, eval_ws_;
  std::vector<double> eval_out_, weight_;
  size_t eval_chunk_ = 0;
};

}  // namespace blasnet
