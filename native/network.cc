// Dense network kernels: see network.h. Every product is one dgemm with the examples on its long
// side; every elementwise step is one pass, fused with what else that step needs.
#include "network.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>

#include "blas.h"
#include "failure.h"
#include "math.h"
#include "parallel.h"
#include "profile.h"
#include "simd.h"

namespace blasnet {

// ---------------------------------------------------------------------------------------------
// Network description

Network make_network(const std::vector<size_t>& sizes, const std::vector<int>& activations,
                     const std::vector<double>& alphas, int loss) {
  if (sizes.size() < 2) throw std::invalid_argument("a network needs at least an input and an output layer");
  const size_t L = sizes.size() - 1;
  if (activations.size() != L || alphas.size() != L) throw std::invalid_argument("one activation per layer expected");
  if (loss < 0 || loss >= kLossCount) throw std::invalid_argument("unknown loss");
  Network net;
  net.loss = static_cast<Loss>(loss);
  size_t off = 0;
  for (size_t l = 1; l <= L; ++l) {
    if (sizes[l - 1] == 0 || sizes[l] == 0) throw std::invalid_argument("layer sizes must be positive");
    const int g = activations[l - 1];
    if (g < 0 || g >= kActivationCount) throw std::invalid_argument("unknown activation");
    if (g == static_cast<int>(Activation::softmax) && l != L) throw std::invalid_argument("softmax is an output activation only");
    Layer layer;
    layer.in = sizes[l - 1];
    layer.out = sizes[l];
    layer.g = static_cast<Activation>(g);
    layer.alpha = alphas[l - 1];
    layer.W_off = off;
    off = checked_add(off, checked_mul(layer.in, layer.out, "the parameter count"), "the parameter count");
    layer.b_off = off;
    off = checked_add(off, layer.out, "the parameter count");
    net.max_width = std::max(net.max_width, layer.out);
    net.layers.push_back(layer);
  }
  const Activation out = net.layers.back().g;
  if (net.loss == Loss::cross_entropy && out != Activation::sigmoid && out != Activation::softmax)
    throw std::invalid_argument("cross-entropy needs a sigmoid or softmax output");
  if (net.loss == Loss::mse && out == Activation::softmax) throw std::invalid_argument("softmax output needs cross-entropy");
  net.n_params = off;
  return net;
}

// δ[l − 1] is made in blocks of units of about this many doubles (1 MiB), each block's ⊙g′ and
// bias-sum pass done while it is in cache, then written over A[l − 1].
static constexpr size_t kDeltaBlock = size_t(1) << 17;

void Workspace::reserve(const Network& net, size_t cap, bool backward) {
  // The per-thread scratch follows the team, which a caller may set after an earlier reserve.
  const size_t T = team ? team->size() : 1;
  if (part.size() < T) {
    part.assign(T, std::vector<double>(net.max_width));
    part_sum.assign(T, 0.0);
    part_check.assign(T, 0.0);
  }
  if (cap <= capacity && (!backward || !delta.empty())) return;
  cap = std::max(cap, capacity);
  A.resize(net.layers.size());
  for (size_t l = 0; l < net.layers.size(); ++l) A[l].resize(net.layers[l].out * cap);
  if (backward || !delta.empty()) {
    delta.resize(net.outputs() * cap);
    delta_block.resize(std::max(kDeltaBlock, cap));
  }
  capacity = cap;
}

std::unique_ptr<Workspace> WorkspacePool::take() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!free_.empty()) {
      std::unique_ptr<Workspace> ws = std::move(free_.back());
      free_.pop_back();
      return ws;
    }
  }
  return std::make_unique<Workspace>();
}

void WorkspacePool::give(std::unique_ptr<Workspace> ws) {
  ws->team = nullptr;  // the team was the job's
  std::lock_guard<std::mutex> lock(mutex_);
  if (free_.size() < kKeep) free_.push_back(std::move(ws));
}

// Below this many elements a pass runs on the calling thread: a team wake-up costs microseconds.
static constexpr size_t kParallelMin = size_t(1) << 15;

// From this many multiply-adds a product is cut into blocks for the team (team_gemm); a batch whose
// products are all smaller gains nothing from a team.
static constexpr double kSplitWork = 1 << 18, kSplitVectorWork = 1 << 16;

std::unique_ptr<ThreadTeam> make_team(const Network& net, size_t n) {
  const size_t T = static_cast<size_t>(std::max(1, blasnet_threads()));
  if (T < 2 || n < 2) return nullptr;
  bool split = false;
  for (const Layer& layer : net.layers)
    split |= static_cast<double>(n) * static_cast<double>(layer.in) * static_cast<double>(layer.out) >= kSplitWork;
  if (!split && n * net.max_width < kParallelMin) return nullptr;
  return std::unique_ptr<ThreadTeam>(new ThreadTeam(T));
}

// From this many multiply-adds in a forward pass a call without a team of its own shares its work
// with its thread's team even when that team's threads sleep (a wake-up costs 20–50 µs here; this
// much work ~100 µs at one core); below, only in a burst of calls, each within 200 µs of the one
// before (a loop of predictions: the team's threads then still spin, as OpenBLAS's own threads did),
// for a caller that asks for it: an asynchronous job's thread is one of libuv's, which take turns,
// so its team would sleep between its calls. Either way the blocks are the same (team_gemm), so the
// bits are.
static constexpr double kColdTeamWork = 1 << 22;

ThreadTeam* team_for_call(const Network& net, size_t n, bool bursts) {
  ThreadTeam* team = thread_team(static_cast<size_t>(std::max(1, blasnet_threads())));
  if (!team) return nullptr;
  thread_local std::chrono::steady_clock::time_point last_call{};
  const auto now = std::chrono::steady_clock::now();
  const bool burst = bursts && now - last_call < std::chrono::microseconds(200);
  last_call = now;
  double work = 0;
  for (const Layer& layer : net.layers) work += static_cast<double>(n) * static_cast<double>(layer.in) * static_cast<double>(layer.out);
  return work >= kColdTeamWork || burst || team->warm() ? team : nullptr;
}

// Runs f(i0, i1, t) on the shares of [0, count) of ws.team's threads — or f(0, count, 0) inline when
// the pass (count × width elements) is small. Returns how many shares there were.
template <class F>
static size_t for_shares(const Workspace& ws, size_t count, size_t width, F&& f) {
  const size_t T = ws.team ? ws.team->size() : 1;
  if (T < 2 || count < T || count * width < kParallelMin) {
    f(size_t(0), count, size_t(0));
    return 1;
  }
  ws.team->run([&](size_t t) {
    size_t i0, i1;
    partition(count, T, t, &i0, &i1);
    f(i0, i1, t);
  });
  return T;
}

// C (M × N, column-major, leading dimension ldc) = alpha · op(A) · op(B) + beta · C (as gemm), then
// epilogue(j0, j1, i0, i1, t) over rows [j0, j1) × columns [i0, i1) of C, on thread t.
// A product of at least kSplitWork multiply-adds is cut into one block of C per thread of the job's
// count (blasnet_threads) — by columns when M ≤ N (or whole_columns), else by rows, so the operand
// every block packs for itself is the smaller one —, each computed by one (single-threaded) OpenBLAS
// call and followed at once by its epilogue, while the block is in cache: by the team's threads, or
// by the calling thread in turn when there is no team (the same blocks, so the same bits, whoever
// calls). A smaller product is one call, then the epilogue shared by columns (for_shares). Returns
// how many threads' part_check / part_sum slots the epilogues may have set.
template <class E>
static size_t team_gemm(const Workspace& ws, bool ta, bool tb, size_t M, size_t N, size_t K, double alpha, const double* A,
                        size_t lda, const double* B, size_t ldb, double beta, double* C, size_t ldc, bool whole_columns, E&& epilogue) {
  const size_t T = static_cast<size_t>(std::max(1, blasnet_threads()));
  const bool by_cols = whole_columns || M <= N;
  const size_t split = by_cols ? N : M;
  const double work = static_cast<double>(M) * static_cast<double>(N) * static_cast<double>(K);
  // A product with one row or one column is a dgemv (blas.h gemm): memory-bound, so worth cutting
  // from fewer multiply-adds (a one-example prediction of 784-128-10: 100 k).
  const bool vector = M == 1 || N == 1;
  if (T < 2 || (!vector && (M < 2 || N < 2)) || split < 8 * T || work < (vector ? kSplitVectorWork : kSplitWork)) {
    gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    PhaseTimer timer(Phase::pass);
    return for_shares(ws, N, M, [&](size_t i0, size_t i1, size_t t) { epilogue(size_t(0), M, i0, i1, t); });
  }
  const auto block = [&](size_t k, size_t t) {
    size_t a, b;
    aligned_partition(split, T, k, &a, &b);
    if (by_cols) gemm(ta, tb, M, b - a, K, alpha, A, lda, tb ? B + a : B + a * ldb, ldb, beta, C + a * ldc, ldc);
    else gemm(ta, tb, b - a, N, K, alpha, ta ? A + a * lda : A + a, lda, B, ldb, beta, C + a, ldc);
    std::optional<PhaseTimer> timer;
    if (t == 0) timer.emplace(Phase::pass);  // the profile is the calling thread's
    if (by_cols) epilogue(size_t(0), M, a, b, t);
    else epilogue(a, b, size_t(0), N, t);
  };
  if (ws.team && ws.team->size() == T) {
    ws.team->run([&](size_t t) { block(t, t); });
    return T;
  }
  for (size_t k = 0; k < T; ++k) block(k, 0);
  return 1;
}

static void no_epilogue(size_t, size_t, size_t, size_t, size_t) {}

void team_product(ThreadTeam* team, bool transA, bool transB, size_t M, size_t N, size_t K, double alpha, const double* A,
                  size_t lda, const double* B, size_t ldb, double beta, double* C, size_t ldc) {
  Workspace ws;
  ws.team = team;
  team_gemm(ws, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, false, no_epilogue);
}

// ---------------------------------------------------------------------------------------------
// Activations over one unit's values for n examples (contiguous), in place: a ← g(a); and the
// backward step d ⊙= g′ written through a = g(z) (docs/math.md, "Activations and derivatives").

static void activate_unit(Activation g, double alpha, double* a, size_t n) {
  switch (g) {
    case Activation::sigmoid: simd().sigmoid_inplace(a, n); break;
    case Activation::tanh: simd().tanh_inplace(a, n); break;
    case Activation::relu:
      for (size_t j = 0; j < n; ++j) a[j] = a[j] > 0 ? a[j] : 0.0;
      break;
    case Activation::leaky_relu:
      for (size_t j = 0; j < n; ++j) a[j] = a[j] > 0 ? a[j] : alpha * a[j];
      break;
    case Activation::linear:
    case Activation::softmax:  // across units: done per example by the output pass
      break;
  }
}

// a ← d ⊙ g′, g′ through a = g(z): the activations of one unit are replaced by its deltas.
static void delta_over_unit(Activation g, double alpha, const double* __restrict d, double* __restrict a, size_t n) {
  switch (g) {
    case Activation::sigmoid:
      for (size_t j = 0; j < n; ++j) a[j] = d[j] * (a[j] * (1.0 - a[j]));
      break;
    case Activation::tanh:
      for (size_t j = 0; j < n; ++j) a[j] = d[j] * (1.0 - a[j] * a[j]);
      break;
    case Activation::relu:
      // d[j] read whatever the branch: a select of two loaded values vectorizes, a conditional load
      // does not (a scalar loop whose branch mispredicts on half the units: 5× slower).
      for (size_t j = 0; j < n; ++j) {
        const double dj = d[j];
        a[j] = a[j] > 0 ? dj : 0.0;
      }
      break;
    case Activation::leaky_relu:
      for (size_t j = 0; j < n; ++j) a[j] = d[j] * (a[j] > 0 ? 1.0 : alpha);
      break;
    case Activation::linear:
    case Activation::softmax:  // never a hidden layer (make_network)
      for (size_t j = 0; j < n; ++j) a[j] = d[j];
      break;
  }
}

// Σ a[j] in eight interleaved partial sums, combined by a fixed tree: eight independent chains of
// additions instead of one (a single chain is latency-bound, ~4 cycles per element), and a fixed
// order, so the result does not depend on the instruction set.
static double sum(const double* a, size_t n) {
  double p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  const size_t n8 = n & ~size_t(7);
  for (size_t j = 0; j < n8; j += 8)
    for (size_t i = 0; i < 8; ++i) p[i] += a[j + i];
  double s = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
  for (size_t j = n8; j < n; ++j) s += a[j];
  return s;
}

// ---------------------------------------------------------------------------------------------
// Layer kernels. Inside a batch the activations and deltas are stored unit by unit: A[l] is the
// column-major n × s_l matrix (A[l]ᵀ in docs/math.md, "Mapping onto BLAS"; leading dimension n), so
// every product has the examples as its long M side — the orientation OpenBLAS's dgemm runs
// fastest in — and each unit's values are contiguous for the fused passes. The input X stays as the
// user gave it (column-major s0 × n). `example_major` says which of the two layouts A_prev has.

// Zᵀ (n × s_out, leading dimension n, overwritten) = A_prevᵀ Wᵀ (team_gemm), then epilogue.
template <class E>
static size_t dense_product(const Layer& layer, const double* W, const double* A_prev, bool example_major, size_t n, double* Z,
                            const Workspace& ws, E&& epilogue) {
  if (example_major)  // A_prev is s_in × n: Zᵀ = A_prevᵀ · W_stored (W stored s_in × s_out = Wᵀ)
    return team_gemm(ws, true, false, n, layer.out, layer.in, 1.0, A_prev, layer.in, W, layer.in, 0.0, Z, n, false, epilogue);
  // A_prev is n × s_in
  return team_gemm(ws, false, false, n, layer.out, layer.in, 1.0, A_prev, n, W, layer.in, 0.0, Z, n, false, epilogue);
}

// A (n × s_out, unit by unit, overwritten) = g(A_prevᵀ Wᵀ + 1 bᵀ): the product, each block of it
// followed by its fused bias + activation pass (team_gemm).
// With check: returns whether every pre-activation was finite (Σ 0·z is 0, not NaN).
static bool dense_forward(const Layer& layer, const double* W, const double* b, const double* A_prev, bool example_major,
                          size_t n, double* A, Workspace& ws, bool check) {
  std::fill(ws.part_check.begin(), ws.part_check.end(), 0.0);
  const size_t shares = dense_product(layer, W, A_prev, example_major, n, A, ws, [&](size_t j0, size_t j1, size_t i0, size_t i1, size_t t) {
    // Finiteness as an integer OR (z − z is 0 iff z is finite), which vectorizes with the bias
    // addition; a floating-point sum of 0·z would fix the order and keep the loop scalar.
    unsigned long long bad = 0;
    for (size_t i = i0; i < i1; ++i) {
      double* a = A + i * n;
      const double bi = b[i];
      if (check)
        for (size_t j = j0; j < j1; ++j) {
          const double z = (a[j] += bi);
          bad |= z - z == 0.0 ? 0ull : 1ull;
        }
      else
        for (size_t j = j0; j < j1; ++j) a[j] += bi;
      activate_unit(layer.g, layer.alpha, a + j0, j1 - j0);
    }
    if (bad) ws.part_check[t] = 1.0;  // a thread may run the epilogue of two blocks
  });
  double c = 0;
  for (size_t t = 0; t < shares; ++t) c += ws.part_check[t];
  return c == 0;
}

// Output layer: Z = A_prevᵀ Wᵀ + 1 bᵀ (n × s, unit by unit, in ws.A.back()), then per example j
// (its s values at stride n) the output activation — written example by example into `out`
// (s × n, i.e. the user's n × s row-major) when given — and, with Y (s × n, example by example), the
// loss (docs/math.md, "Output layers and losses") and, when delta (n × s, unit by unit) is given,
// δ[L] = ∂loss/∂z; then db (s, overwritten) = Σ_j δ[L]. Returns Σ_j loss_j. With weight (n, or null:
// all 1), example j's loss and δ are multiplied by weight[j] (without weight nothing is multiplied:
// the unweighted sums are the plain ones, term for term).
static double output_forward(const Layer& layer, Loss loss, const double* W, const double* b, const double* A_prev,
                             bool example_major, size_t n, const double* Y, double* Z, double* out, double* delta, double* db,
                             Workspace& ws, bool* finite, const double* weight) {
  const size_t s = layer.out;
  dense_product(layer, W, A_prev, example_major, n, Z, ws, no_epilogue);
  PhaseTimer timer(Phase::pass);
  const size_t shares = for_shares(ws, n, s, [&](size_t j0, size_t j1, size_t t) {
    double total_t = 0, c = 0;
    double* a = ws.part[t].data();  // one example's s values, contiguous
    for (size_t j = j0; j < j1; ++j) {
      double lj = 0;
      double& total = weight ? lj : total_t;  // weighted: example j's loss apart, then × weight[j]
      for (size_t i = 0; i < s; ++i) c += 0.0 * (a[i] = Z[i * n + j] + b[i]);
      const double* y = Y ? Y + j * s : nullptr;
      if (layer.g == Activation::softmax) {
        double mx = a[0];
        for (size_t i = 1; i < s; ++i) mx = std::max(mx, a[i]);
        double sum_e = 0, yz = 0, ysum = 0;
        for (size_t i = 0; i < s; ++i) {
          if (y) {
            yz += y[i] * (a[i] - mx);
            ysum += y[i];
          }
          sum_e += (a[i] = std::exp(a[i] - mx));
        }
        // categorical cross-entropy: logsumexp(z) − Σ y z = log Σ e^(z−mx) − Σ y (z − mx) + mx (1 − Σ y)
        if (y) total += std::log(sum_e) - yz + mx * (1.0 - ysum);
        for (size_t i = 0; i < s; ++i) a[i] /= sum_e;
      } else if (y && loss == Loss::cross_entropy) {
        // sigmoid outputs, binary cross-entropy: Σ_i softplus(z_i) − y_i z_i
        for (size_t i = 0; i < s; ++i) {
          const double z = a[i];
          const SigmoidSoftplus ss = sigmoid_softplus(z);
          total += ss.softplus - y[i] * z;
          a[i] = ss.sigma;
        }
      } else {
        activate_unit(layer.g, layer.alpha, a, s);
        if (y)
          for (size_t i = 0; i < s; ++i) {
            const double e = a[i] - y[i];
            total += 0.5 * e * e;  // mse: ½ Σ_i (a_i − y_i)²
          }
      }
      if (out)
        for (size_t i = 0; i < s; ++i) out[j * s + i] = a[i];
      if (delta) {
        // δ = a − y for cross-entropy (sigmoid or softmax); (a − y) ⊙ g′ for mse, g′ through a
        for (size_t i = 0; i < s; ++i) {
          double d = a[i] - y[i];
          if (loss == Loss::mse) {
            switch (layer.g) {
              case Activation::sigmoid: d *= a[i] * (1.0 - a[i]); break;
              case Activation::tanh: d *= 1.0 - a[i] * a[i]; break;
              case Activation::relu: d = a[i] > 0 ? d : 0.0; break;
              case Activation::leaky_relu: d *= a[i] > 0 ? 1.0 : layer.alpha; break;
              default: break;
            }
          }
          delta[i * n + j] = weight ? weight[j] * d : d;
        }
      }
      if (weight) total_t += weight[j] * lj;
    }
    ws.part_sum[t] = total_t;
    ws.part_check[t] = c;
  });
  double total = ws.part_sum[0], c = ws.part_check[0];
  for (size_t t = 1; t < shares; ++t) {
    total += ws.part_sum[t];
    c += ws.part_check[t];
  }
  if (finite) *finite = c == 0;
  if (delta)
    for (size_t i = 0; i < s; ++i) db[i] = sum(delta + i * n, n);
  return total;
}

// Backward through layer l, given δ[l] (n × s_out, unit by unit) for a batch of n:
//   dW[l] (stored s_in × s_out = dWᵀ, overwritten) = (1/n) A_prev δ[l]      — i.e. (1/n) δ[l] A[l−1]ᵀ
//   if prev: δ[l−1] = (δ[l] W[l]) ⊙ g[l−1]′ written over A_over, which is A_prev's own buffer (n × s_in,
//   unit by unit; dW[l] was its last use), and db_prev (s_in, overwritten) = Σ_j δ[l−1], in one
//   pass per unit.
// (docs/math.md, "Dense networks: forward and backward": δ[l] = (W[l+1]ᵀ δ[l+1]) ⊙ g[l]′(Z[l]),
// ∂J/∂W[l] = (1/n) δ[l] A[l−1]ᵀ, here transposed.)
// block: room for max(n, kDeltaBlock) doubles. index: l, for the step profile (native/profile.h).
static void dense_backward(const Layer& layer, const double* W, const double* A_prev, bool example_major,
                           const double* delta, size_t n, double* dW, const Layer* prev, double* A_over, double* block,
                           double* db_prev, const Workspace& ws, size_t index) {
  const size_t s_in = layer.in, s_out = layer.out;
  const double inv_n = 1.0 / static_cast<double>(n);
  std::optional<PhaseTimer> timer(std::in_place, Phase::weight_grad, index);
  if (example_major)  // A_prev s_in × n
    team_gemm(ws, false, false, s_in, s_out, n, inv_n, A_prev, s_in, delta, n, 0.0, dW, s_in, false, no_epilogue);
  else  // A_prev n × s_in
    team_gemm(ws, true, false, s_in, s_out, n, inv_n, A_prev, n, delta, n, 0.0, dW, s_in, false, no_epilogue);
  timer.reset();
  if (!prev) return;
  PhaseTimer delta_timer(Phase::delta, index);
  // δ[l−1] by blocks of units (≈ 1 MiB of output each), so that each block gets its ⊙g′ and bias-sum
  // pass while still in cache: this product has K = s_out, usually small, and is memory-bound.
  const size_t units = std::max<size_t>(1, std::min(s_in, kDeltaBlock / std::max<size_t>(n, 1)));
  for (size_t u0 = 0; u0 < s_in; u0 += units) {
    const size_t u1 = std::min(s_in, u0 + units);
    // Whole columns: each unit's bias sum is made in its block's epilogue.
    team_gemm(ws, false, true, n, u1 - u0, s_out, 1.0, delta, n, W + u0, s_in, 0.0, block, n, true,
              [&](size_t, size_t, size_t i0, size_t i1, size_t) {
                for (size_t i = u0 + i0; i < u0 + i1; ++i) {
                  delta_over_unit(prev->g, prev->alpha, block + (i - u0) * n, A_over + i * n, n);
                  db_prev[i] = sum(A_over + i * n, n);
                }
              });
  }
}

// ---------------------------------------------------------------------------------------------
// Whole-network passes

double net_forward(const Network& net, const double* theta, const double* X, size_t n, Workspace& ws,
                   const double* Y, bool want_delta, double* db_L, double* out, size_t* bad_layer, const double* weight) {
  const size_t L = net.layers.size();
  const double* A_prev = X;
  bool example_major = true;
  if (bad_layer) *bad_layer = 0;
  for (size_t l = 0; l + 1 < L; ++l) {
    const Layer& layer = net.layers[l];
    PhaseTimer timer(Phase::forward, l + 1);
    const bool finite = dense_forward(layer, theta + layer.W_off, theta + layer.b_off, A_prev, example_major, n,
                                      ws.A[l].data(), ws, bad_layer != nullptr);
    if (bad_layer && !finite) {
      *bad_layer = l + 1;
      return 0;
    }
    A_prev = ws.A[l].data();
    example_major = false;
  }
  const Layer& last = net.layers[L - 1];
  bool finite = true;
  PhaseTimer timer(Phase::output, L);
  const double total = output_forward(last, net.loss, theta + last.W_off, theta + last.b_off, A_prev, example_major, n, Y,
                                      ws.A[L - 1].data(), out, want_delta && Y ? ws.delta.data() : nullptr, db_L, ws,
                                      bad_layer ? &finite : nullptr, weight);
  if (bad_layer && !finite) *bad_layer = L;
  return total;
}

void net_backward(const Network& net, const double* theta, const double* X, size_t n, Workspace& ws, double* grad) {
  const size_t L = net.layers.size();
  const double inv_n = 1.0 / static_cast<double>(n);
  for (size_t l = L; l-- > 0;) {
    const Layer& layer = net.layers[l];
    double* A_over = l == 0 ? nullptr : ws.A[l - 1].data();  // receives δ[l − 1]; X is only read
    const double* A_prev = l == 0 ? X : A_over;
    const double* delta = l + 1 == L ? ws.delta.data() : ws.A[l].data();  // δ[l + 1] in 1-based terms
    double* db = grad + layer.b_off;  // holds Σ_j δ[l] from the pass that made δ[l]
    const Layer* prev = l == 0 ? nullptr : &net.layers[l - 1];
    dense_backward(layer, theta + layer.W_off, A_prev, l == 0, delta, n, grad + layer.W_off, prev, A_over,
                   ws.delta_block.data(), prev ? grad + prev->b_off : nullptr, ws, l + 1);
    for (size_t i = 0; i < layer.out; ++i) db[i] *= inv_n;
  }
}

// (l2/2)·Σ‖W‖² over every layer; grad's W blocks += l2·W.
static double apply_l2(const Network& net, const double* theta, double l2, double* grad) {
  if (l2 == 0) return 0;
  double sq = 0;
  for (const Layer& layer : net.layers) {
    const double* W = theta + layer.W_off;
    double* dW = grad ? grad + layer.W_off : nullptr;
    const size_t size = layer.in * layer.out;
    for (size_t k = 0; k < size; ++k) {
      sq += W[k] * W[k];
      if (dW) dW[k] += l2 * W[k];
    }
  }
  return 0.5 * l2 * sq;
}

double normalized_weights(const double* w, size_t n, std::vector<double>& out) {
  double W = 0;
  for (size_t j = 0; j < n; ++j) W += w[j];
  out.resize(n);
  const double scale = static_cast<double>(n) / W;
  for (size_t j = 0; j < n; ++j) out[j] = w[j] * scale;
  return W;
}

double net_cost_grad(const Network& net, const double* theta, const double* X, const double* Y, size_t n, double l2,
                     double* grad, Workspace& ws, const double* weight) {
  ws.reserve(net, n, true);
  const Layer& last = net.layers.back();
  std::vector<double> wn;
  if (weight && normalized_weights(weight, n, wn) == 0) {  // no weight at all: J = 0, ∂J/∂θ = 0 (+ the L2 term)
    for (size_t k = 0; k < net.n_params; ++k) grad[k] = 0;
    return apply_l2(net, theta, l2, grad);
  }
  const double data = net_forward(net, theta, X, n, ws, Y, true, grad + last.b_off, nullptr, nullptr, weight ? wn.data() : nullptr);
  net_backward(net, theta, X, n, ws, grad);
  return data / static_cast<double>(n) + apply_l2(net, theta, l2, grad);
}

size_t net_predict(const Network& net, const double* theta, const double* X, size_t n, double* out, Workspace& ws,
                   const std::function<bool(size_t)>& ready, bool bursts) {
  // Chunks of examples keep the hidden activations small (≈ 32 MiB of them at most).
  size_t chunk = std::max<size_t>(1, (size_t(4) << 20) / std::max<size_t>(1, net.max_width));
  chunk = std::min(chunk, std::max<size_t>(n, 1));
  // A caller without a team uses its thread's (team_for_call).
  struct Restore {
    Workspace& ws;
    bool lent;
    ~Restore() {
      if (lent) ws.team = nullptr;
    }
  } restore{ws, ws.team == nullptr};
  if (!ws.team) ws.team = team_for_call(net, chunk, bursts);
  ws.reserve(net, chunk, false);
  const size_t s0 = net.inputs(), sL = net.outputs();
  for (size_t j0 = 0, k = 0; j0 < n; ++k) {
    const size_t nb = std::min({k == 0 ? size_t(512) : k == 1 ? size_t(2048) : chunk, chunk, n - j0});
    if (ready && ready(j0 + nb)) return kPredictCancelled;
    size_t bad = 0;
    net_forward(net, theta, X + j0 * s0, nb, ws, nullptr, false, nullptr, out + j0 * sL, &bad);
    if (bad) return bad;
    j0 += nb;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The network as a trainer Objective

NetObjective::~NetObjective() = default;

void NetObjective::reserve(size_t batch, size_t eval) {
  // A team whenever the batch's products are worth splitting (make_team): its threads then share the
  // products block by block, the gather of the batch and the optimizer's update.
  if (!team_) team_ = make_team(net_, batch);
  ws_.team = team_.get();
  ws_.reserve(net_, batch, true);
  if (eval > 0) {
    // Validation in chunks of examples, so its activations stay small (as net_predict).
    eval_chunk_ = std::min(eval, std::max<size_t>(1, (size_t(4) << 20) / std::max<size_t>(1, net_.max_width)));
    eval_ws_.team = team_.get();
    eval_ws_.reserve(net_, eval_chunk_, false);
    eval_out_.resize(eval_chunk_ * net_.outputs());
  }
}

CostGrad NetObjective::cost_grad(const double* theta, const Rows& b, double* grad, bool) {
  const Layer& last = net_.layers.back();
  // Weighted: w'_j = w_j · n / Σ w, so that (1/n) Σ w'_j L_j = Σ w_j L_j / Σ w_j, and the 1/n of the
  // backward pass turns the scaled δ into the weighted mean's gradient.
  if (b.weight && normalized_weights(b.weight, b.n, weight_) == 0) {  // a batch of zero weight: no step
    for (size_t k = 0; k < net_.n_params; ++k) grad[k] = 0;
    const double cost = apply_l2(net_, theta, l2_, grad);
    return {cost, std::isfinite(cost)};
  }
  const double data = net_forward(net_, theta, b.X, b.n, ws_, b.Y, true, grad + last.b_off, nullptr, nullptr,
                                  b.weight ? weight_.data() : nullptr);
  net_backward(net_, theta, b.X, b.n, ws_, grad);
  const double cost = data / static_cast<double>(b.n) + apply_l2(net_, theta, l2_, grad);
  return {cost, std::isfinite(cost)};
}

Eval NetObjective::evaluate(const double* theta, const Rows& r) {
  const size_t s0 = net_.inputs(), sL = net_.outputs();
  const bool classifier = net_.loss == Loss::cross_entropy;
  double total = 0;
  size_t right = 0;
  for (size_t j0 = 0; j0 < r.n; j0 += eval_chunk_) {
    const size_t nb = std::min(eval_chunk_, r.n - j0);
    const double* Y = r.Y + j0 * sL;
    total += net_forward(net_, theta, r.X + j0 * s0, nb, eval_ws_, Y, false, nullptr, eval_out_.data());
    if (!classifier) continue;
    // The class of a row: a ≥ 0.5 for one output, else the first largest output (as predictClass).
    for (size_t j = 0; j < nb; ++j) {
      const double* a = &eval_out_[j * sL];
      const double* y = Y + j * sL;
      if (sL == 1) {
        right += (a[0] >= 0.5) == (y[0] >= 0.5);
        continue;
      }
      size_t ia = 0, iy = 0;
      for (size_t i = 1; i < sL; ++i) {
        if (a[i] > a[ia]) ia = i;
        if (y[i] > y[iy]) iy = i;
      }
      right += ia == iy;
    }
  }
  const double n = static_cast<double>(r.n);
  return {total / n, classifier ? static_cast<double>(right) / n : std::numeric_limits<double>::quiet_NaN()};
}

}  // namespace blasnet
