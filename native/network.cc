// Dense network kernels: see network.h. Each elementwise pass walks a batch column by column
// (one example at a time, its s_l values contiguous), fusing everything that step needs.
#include "network.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "blas.h"
#include "math.h"
#include "parallel.h"
#include "simd.h"

namespace blasnet {

// ---------------------------------------------------------------------------------------------
// Random (mirror of lib/random.ts)

Random::Random(uint32_t seed) {
  uint32_t s = seed;
  auto splitmix = [&s]() {
    s += 0x9e3779b9u;
    uint32_t z = s;
    z = (z ^ (z >> 16)) * 0x85ebca6bu;
    z = (z ^ (z >> 13)) * 0xc2b2ae35u;
    return z ^ (z >> 16);
  };
  a_ = splitmix();
  b_ = splitmix();
  c_ = splitmix();
  d_ = splitmix();
  for (int i = 0; i < 12; ++i) uint32();
}

uint32_t Random::uint32() {
  const uint32_t t = a_ + b_ + d_;
  d_ += 1;
  a_ = b_ ^ (b_ >> 9);
  b_ = c_ + (c_ << 3);
  c_ = (c_ << 21) | (c_ >> 11);
  c_ += t;
  return t;
}

double Random::next() {
  const uint32_t hi = uint32() >> 5, lo = uint32() >> 6;
  return (static_cast<double>(hi) * 67108864.0 + static_cast<double>(lo)) / 9007199254740992.0;
}

void Random::shuffle(std::vector<uint32_t>& a) {
  for (size_t i = a.size(); i-- > 1;) {
    const size_t j = below(i + 1);
    std::swap(a[i], a[j]);
  }
}

// ---------------------------------------------------------------------------------------------
// Network description

Network make_network(const std::vector<size_t>& sizes, const std::vector<int>& activations,
                     const std::vector<double>& alphas, int loss) {
  if (sizes.size() < 2) throw std::invalid_argument("a network needs at least an input and an output layer");
  const size_t L = sizes.size() - 1;
  if (activations.size() != L || alphas.size() != L) throw std::invalid_argument("one activation per layer expected");
  if (loss != 0 && loss != 1) throw std::invalid_argument("unknown loss");
  Network net;
  net.loss = static_cast<Loss>(loss);
  size_t off = 0;
  for (size_t l = 1; l <= L; ++l) {
    if (sizes[l - 1] == 0 || sizes[l] == 0) throw std::invalid_argument("layer sizes must be positive");
    const int g = activations[l - 1];
    if (g < 0 || g > 5) throw std::invalid_argument("unknown activation");
    if (g == static_cast<int>(Activation::softmax) && l != L) throw std::invalid_argument("softmax is an output activation only");
    Layer layer;
    layer.in = sizes[l - 1];
    layer.out = sizes[l];
    layer.g = static_cast<Activation>(g);
    layer.alpha = alphas[l - 1];
    layer.W_off = off;
    off += layer.in * layer.out;
    layer.b_off = off;
    off += layer.out;
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

void Workspace::reserve(const Network& net, size_t cap, bool backward) {
  if (cap <= capacity && (!backward || !delta.empty())) return;
  cap = std::max(cap, capacity);
  A.resize(net.layers.size());
  for (size_t l = 0; l < net.layers.size(); ++l) A[l].resize(net.layers[l].out * cap);
  if (backward || !delta.empty()) {
    delta.resize(net.max_width * cap);
    delta_prev.resize(net.max_width * cap);
  }
  const size_t T = team ? team->size() : 1;
  part.assign(T, std::vector<double>(net.max_width));
  part_sum.assign(T, 0.0);
  capacity = cap;
}

// Below this many elements a pass runs on the calling thread: a team wake-up costs microseconds.
static constexpr size_t kParallelMin = size_t(1) << 15;

std::unique_ptr<ThreadTeam> make_team(const Network& net, size_t n) {
  const size_t T = static_cast<size_t>(std::max(1, get_threads()));
  if (T < 2 || n * net.max_width < kParallelMin || n < 2) return nullptr;
  return std::unique_ptr<ThreadTeam>(new ThreadTeam(T));
}

// Runs f(j0, j1, t) on the shares of [0, n) of ws.team's threads — or f(0, n, 0) inline when the
// pass (n × width elements) is small. Returns how many shares there were, for the reductions.
template <class F>
static size_t for_shares(const Workspace& ws, size_t n, size_t width, F&& f) {
  const size_t T = ws.team ? ws.team->size() : 1;
  if (T < 2 || n < T || n * width < kParallelMin) {
    f(size_t(0), n, size_t(0));
    return 1;
  }
  ws.team->run([&](size_t t) {
    size_t j0, j1;
    partition(n, T, t, &j0, &j1);
    f(j0, j1, t);
  });
  return T;
}

// db[i] += Σ_t ws.part[t][i], in thread order (the same order for a given team size).
static void reduce_parts(const Workspace& ws, size_t shares, double* db, size_t s) {
  for (size_t i = 0; i < s; ++i) {
    double v = ws.part[0][i];
    for (size_t t = 1; t < shares; ++t) v += ws.part[t][i];
    db[i] += v;
  }
}

// ---------------------------------------------------------------------------------------------
// Activations: g applied in place to one example's s values (z → a = g(z)); g′ from a = g(z)
// (MATH.md "Activations and derivatives": every g′ here is expressible through a).

static inline void activate(Activation g, double alpha, double* a, size_t s) {
  switch (g) {
    case Activation::sigmoid:
      simd().sigmoid_inplace(a, s);
      break;
    case Activation::tanh:
      simd().tanh_inplace(a, s);
      break;
    case Activation::relu:
      for (size_t i = 0; i < s; ++i) a[i] = a[i] > 0 ? a[i] : 0.0;
      break;
    case Activation::leaky_relu:
      for (size_t i = 0; i < s; ++i) a[i] = a[i] > 0 ? a[i] : alpha * a[i];
      break;
    case Activation::linear:
      break;
    case Activation::softmax: {
      double mx = a[0];
      for (size_t i = 1; i < s; ++i) mx = std::max(mx, a[i]);
      double sum = 0;
      for (size_t i = 0; i < s; ++i) sum += (a[i] = std::exp(a[i] - mx));
      for (size_t i = 0; i < s; ++i) a[i] /= sum;
      break;
    }
  }
}

// δ (s values) ⊙= g′ expressed through a; db += δ afterwards.
static inline void times_derivative(Activation g, double alpha, const double* a, double* d, double* db, size_t s) {
  switch (g) {
    case Activation::sigmoid:
      for (size_t i = 0; i < s; ++i) db[i] += (d[i] *= a[i] * (1.0 - a[i]));
      break;
    case Activation::tanh:
      for (size_t i = 0; i < s; ++i) db[i] += (d[i] *= 1.0 - a[i] * a[i]);
      break;
    case Activation::relu:
      for (size_t i = 0; i < s; ++i) db[i] += (d[i] = a[i] > 0 ? d[i] : 0.0);
      break;
    case Activation::leaky_relu:
      for (size_t i = 0; i < s; ++i) db[i] += (d[i] *= a[i] > 0 ? 1.0 : alpha);
      break;
    case Activation::linear:
    case Activation::softmax:  // never a hidden layer (make_network); as an output: cross-entropy only
      for (size_t i = 0; i < s; ++i) db[i] += d[i];
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// Layer kernels

// Examples per block of the backward product W[l]ᵀ δ[l]: its output block (s × nb) gets its ⊙g′ pass
// while still in cache, instead of being written to memory by dgemm and read back by the pass. That
// product has K = s_out, usually small, so it is memory-bound and loses nothing to blocking.
// About 1 MiB of output per block; whole batches when they are small.
static size_t block_examples(size_t s, size_t n) {
  static const size_t bytes = [] {
    const char* env = std::getenv("BLASNET_BLOCK_BYTES");
    return env ? static_cast<size_t>(std::atol(env)) : (size_t(1) << 20);
  }();
  if (bytes == 0) return n;
  size_t nb = bytes / (sizeof(double) * std::max<size_t>(s, 1));
  nb = std::max<size_t>(64, nb / 16 * 16);
  return std::min(nb, n);
}

// A (s_out × n, overwritten) = g(W·A_prev + b 1ᵀ).  W: θ block (column-major s_in × s_out = Wᵀ),
// b: s_out, A_prev: s_in × n. One dgemm over the whole batch (blocking it by examples costs dgemm
// more than it saves when K = s_in is large), then one fused bias + activation pass.
static void dense_forward(const Layer& layer, const double* W, const double* b, const double* A_prev, size_t n, double* A,
                          const Workspace& ws) {
  const size_t s = layer.out;
  gemm(true, false, s, n, layer.in, 1.0, W, layer.in, A_prev, layer.in, 0.0, A, s);
  for_shares(ws, n, s, [&](size_t j0, size_t j1, size_t) {
    for (size_t j = j0; j < j1; ++j) {
      double* a = A + j * s;
      for (size_t i = 0; i < s; ++i) a[i] += b[i];
      activate(layer.g, layer.alpha, a, s);
    }
  });
}

// Output layer with its loss: A (s × n) = g(W·A_prev + b 1ᵀ) as dense_forward, and in the same
// pass over each example the loss (MATH.md table "Output error") and, when delta is given,
// δ[L] (s × n, overwritten) and db (s, accumulated) += Σ_j δ[L]. Y: s × n. Returns Σ_j loss_j.
static double output_forward_loss(const Layer& layer, Loss loss, const double* W, const double* b, const double* A_prev,
                                  size_t n, const double* Y, double* A, double* delta, double* db, Workspace& ws) {
  const size_t s = layer.out;
  gemm(true, false, s, n, layer.in, 1.0, W, layer.in, A_prev, layer.in, 0.0, A, s);
  const size_t shares = for_shares(ws, n, s, [&](size_t j0, size_t j1, size_t t) {
    double total = 0;
    double* part = ws.part[t].data();
    if (delta) std::fill(part, part + s, 0.0);
    for (size_t j = j0; j < j1; ++j) {
      double* a = A + j * s;
      const double* y = Y + j * s;
      double* d = delta ? delta + j * s : nullptr;
      for (size_t i = 0; i < s; ++i) a[i] += b[i];
      if (loss == Loss::cross_entropy && layer.g == Activation::sigmoid) {
        // Σ_i softplus(z_i) − y_i z_i ; δ = a − y
        for (size_t i = 0; i < s; ++i) {
          const double z = a[i];
          const SigmoidSoftplus ss = sigmoid_softplus(z);
          total += ss.softplus - y[i] * z;
          a[i] = ss.sigma;
        }
        if (d) for (size_t i = 0; i < s; ++i) part[i] += (d[i] = a[i] - y[i]);
      } else if (loss == Loss::cross_entropy) {
        // softmax: logsumexp(z) − Σ_i y_i z_i ; δ = a − y
        double mx = a[0];
        for (size_t i = 1; i < s; ++i) mx = std::max(mx, a[i]);
        double sum = 0, yz = 0, ysum = 0;
        for (size_t i = 0; i < s; ++i) {
          yz += y[i] * (a[i] - mx);
          ysum += y[i];
          sum += (a[i] = std::exp(a[i] - mx));
        }
        // logsumexp(z) − Σ y z = mx + log Σ e^(z−mx) − Σ y (z − mx) − mx Σ y
        total += std::log(sum) - yz + mx * (1.0 - ysum);
        for (size_t i = 0; i < s; ++i) a[i] /= sum;
        if (d) for (size_t i = 0; i < s; ++i) part[i] += (d[i] = a[i] - y[i]);
      } else {
        // mse: ½ Σ_i (a_i − y_i)² ; δ = (a − y) ⊙ g′
        activate(layer.g, layer.alpha, a, s);
        for (size_t i = 0; i < s; ++i) {
          const double e = a[i] - y[i];
          total += 0.5 * e * e;
        }
        if (d) {
          for (size_t i = 0; i < s; ++i) d[i] = a[i] - y[i];
          times_derivative(layer.g, layer.alpha, a, d, part, s);
        }
      }
    }
    ws.part_sum[t] = total;
  });
  double total = ws.part_sum[0];
  for (size_t t = 1; t < shares; ++t) total += ws.part_sum[t];
  if (delta) reduce_parts(ws, shares, db, s);
  return total;
}

// Backward through layer l, given δ[l] (s_out × n) for a batch of n:
//   dW[l] (column-major s_in × s_out, overwritten) = (1/n) A_prev δ[l]ᵀ      — i.e. (1/n) δ[l] A[l−1]ᵀ
//   if delta_prev: δ[l−1] (s_in × n, overwritten) = (W[l]ᵀ δ[l]) ⊙ g[l−1]′, db_prev (s_in) += Σ_j δ[l−1]
// (MATH.md: δ[l] = (W[l+1]ᵀ δ[l+1]) ⊙ g[l]′(Z[l]), ∂J/∂W[l] = (1/n) δ[l] A[l−1]ᵀ)
static void dense_backward(const Layer& layer, const double* W, const double* A_prev, const double* delta, size_t n,
                           double* dW, const Layer* prev, double* delta_prev, double* db_prev, Workspace& ws) {
  const size_t s_in = layer.in, s_out = layer.out;
  gemm(false, true, s_in, s_out, n, 1.0 / static_cast<double>(n), A_prev, s_in, delta, s_out, 0.0, dW, s_in);
  if (!delta_prev) return;
  const size_t nb = block_examples(s_in, n);
  for (size_t j0 = 0; j0 < n; j0 += nb) {
    const size_t m = std::min(nb, n - j0);
    gemm(false, false, s_in, m, s_out, 1.0, W, s_in, delta + j0 * s_out, s_out, 0.0, delta_prev + j0 * s_in, s_in);
    const size_t shares = for_shares(ws, m, s_in, [&](size_t a, size_t e, size_t t) {
      double* part = ws.part[t].data();
      std::fill(part, part + s_in, 0.0);
      for (size_t j = j0 + a; j < j0 + e; ++j) {
        times_derivative(prev->g, prev->alpha, A_prev + j * s_in, delta_prev + j * s_in, part, s_in);
      }
    });
    reduce_parts(ws, shares, db_prev, s_in);
  }
}

// ---------------------------------------------------------------------------------------------
// Whole-network passes

double net_forward(const Network& net, const double* theta, const double* X, size_t n, Workspace& ws,
                   const double* Y, bool want_delta, double* db_L, double* out) {
  const size_t L = net.layers.size();
  const double* A_prev = X;
  for (size_t l = 0; l + 1 < L; ++l) {
    const Layer& layer = net.layers[l];
    dense_forward(layer, theta + layer.W_off, theta + layer.b_off, A_prev, n, ws.A[l].data(), ws);
    A_prev = ws.A[l].data();
  }
  const Layer& last = net.layers[L - 1];
  double* A_L = out ? out : ws.A[L - 1].data();
  if (!Y) {
    dense_forward(last, theta + last.W_off, theta + last.b_off, A_prev, n, A_L, ws);
    return 0;
  }
  if (want_delta) std::fill(db_L, db_L + last.out, 0.0);
  return output_forward_loss(last, net.loss, theta + last.W_off, theta + last.b_off, A_prev, n, Y, A_L,
                             want_delta ? ws.delta.data() : nullptr, db_L, ws);
}

void net_backward(const Network& net, const double* theta, const double* X, size_t n, Workspace& ws, double* grad) {
  const size_t L = net.layers.size();
  const double inv_n = 1.0 / static_cast<double>(n);
  for (size_t l = L; l-- > 0;) {
    const Layer& layer = net.layers[l];
    const double* A_prev = l == 0 ? X : ws.A[l - 1].data();
    double* db = grad + layer.b_off;  // holds Σ_j δ[l] from the pass that made δ[l]
    const Layer* prev = l == 0 ? nullptr : &net.layers[l - 1];
    double* db_prev = prev ? grad + prev->b_off : nullptr;
    if (prev) std::fill(db_prev, db_prev + prev->out, 0.0);
    dense_backward(layer, theta + layer.W_off, A_prev, ws.delta.data(), n, grad + layer.W_off, prev,
                   prev ? ws.delta_prev.data() : nullptr, db_prev, ws);
    for (size_t i = 0; i < layer.out; ++i) db[i] *= inv_n;
    if (prev) std::swap(ws.delta, ws.delta_prev);
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

double net_cost_grad(const Network& net, const double* theta, const double* X, const double* Y, size_t n, double l2,
                     double* grad, Workspace& ws) {
  ws.reserve(net, n, true);
  const Layer& last = net.layers.back();
  const double data = net_forward(net, theta, X, n, ws, Y, true, grad + last.b_off);
  net_backward(net, theta, X, n, ws, grad);
  return data / static_cast<double>(n) + apply_l2(net, theta, l2, grad);
}

void net_predict(const Network& net, const double* theta, const double* X, size_t n, double* out, Workspace& ws) {
  // Chunks of examples keep the hidden activations small (≈ 32 MiB of them at most).
  size_t chunk = std::max<size_t>(1, (size_t(4) << 20) / std::max<size_t>(1, net.max_width));
  chunk = std::min(chunk, std::max<size_t>(n, 1));
  ws.reserve(net, chunk, false);
  const size_t s0 = net.inputs(), sL = net.outputs();
  for (size_t j0 = 0; j0 < n; j0 += chunk) {
    const size_t nb = std::min(chunk, n - j0);
    net_forward(net, theta, X + j0 * s0, nb, ws, nullptr, false, nullptr, out + j0 * sL);
  }
}

// ---------------------------------------------------------------------------------------------
// Training

namespace {

// One optimizer step on θ with gradient g (both n_params). Afterwards g holds the previous θ, so
// a step that made θ non-finite can be undone exactly. Returns false when θ became non-finite.
struct OptimizerState {
  Optimizer kind;
  std::vector<double> m, v;
  size_t t = 0;
  OptimizerState(Optimizer k, size_t P) : kind(k) {
    if (k != Optimizer::gd) m.assign(P, 0.0);
    if (k == Optimizer::adam) v.assign(P, 0.0);
  }
};

// The update of parameters [k0, k1); returns false when one became non-finite.
bool update_share(OptimizerState& st, const TrainConfig& cfg, double* theta, double* g, size_t k0, size_t k1, double c1, double c2) {
  const double lr = cfg.learning_rate;
  bool finite = true;
  switch (st.kind) {
    case Optimizer::gd:
      // θ ← θ − α g
      for (size_t k = k0; k < k1; ++k) {
        const double old = theta[k], next = old - lr * g[k];
        g[k] = old;
        theta[k] = next;
        finite &= std::isfinite(next);
      }
      break;
    case Optimizer::momentum: {
      // v ← β v + g ; θ ← θ − α v
      double* v = st.m.data();
      const double beta = cfg.beta;
      for (size_t k = k0; k < k1; ++k) {
        v[k] = beta * v[k] + g[k];
        const double old = theta[k], next = old - lr * v[k];
        g[k] = old;
        theta[k] = next;
        finite &= std::isfinite(next);
      }
      break;
    }
    case Optimizer::adam: {
      // m ← β1 m + (1−β1) g ; v ← β2 v + (1−β2) g² ; θ ← θ − α m̂ / (√v̂ + ε), m̂ = m/(1−β1^t), v̂ = v/(1−β2^t)
      const double b1 = cfg.beta1, b2 = cfg.beta2, eps = cfg.eps;
      double* m = st.m.data();
      double* v = st.v.data();
      for (size_t k = k0; k < k1; ++k) {
        m[k] = b1 * m[k] + (1.0 - b1) * g[k];
        v[k] = b2 * v[k] + (1.0 - b2) * g[k] * g[k];
        const double mhat = m[k] / c1, vhat = v[k] / c2;
        const double old = theta[k], next = old - lr * mhat / (std::sqrt(vhat) + eps);
        g[k] = old;
        theta[k] = next;
        finite &= std::isfinite(next);
      }
      break;
    }
  }
  return finite;
}

// One optimizer step on θ with gradient g (both n_params), shared among the team's threads when
// there are many parameters. Afterwards g holds the previous θ, so a step that made θ non-finite
// can be undone exactly. Returns false when θ became non-finite.
bool optimizer_step(OptimizerState& st, const TrainConfig& cfg, double* theta, double* g, size_t P, ThreadTeam* team) {
  double c1 = 1, c2 = 1;
  if (st.kind == Optimizer::adam) {
    st.t += 1;
    c1 = 1.0 - std::pow(cfg.beta1, static_cast<double>(st.t));
    c2 = 1.0 - std::pow(cfg.beta2, static_cast<double>(st.t));
  }
  const size_t T = team && P >= kParallelMin ? team->size() : 1;
  if (T == 1) return update_share(st, cfg, theta, g, 0, P, c1, c2);
  std::atomic<bool> finite{true};
  team->run([&](size_t t) {
    size_t k0, k1;
    partition(P, T, t, &k0, &k1);
    if (!update_share(st, cfg, theta, g, k0, k1, c1, c2)) finite.store(false, std::memory_order_relaxed);
  });
  return finite.load();
}

}  // namespace

TrainOutcome net_train(const Network& net, double* theta, const double* X, const double* Y, size_t n,
                       const TrainConfig& cfg, const std::function<void(size_t, double)>& record,
                       const std::function<bool()>& cancelled) {
  const size_t P = net.n_params, s0 = net.inputs(), sL = net.outputs();
  const size_t B = cfg.batch_size == 0 ? n : std::min(cfg.batch_size, n);
  // The caller's X is used in place unless batches must be gathered (a shuffle, or a batch whose
  // rows are not simply the next ones: only the last batch of an unshuffled epoch is, which is fine).
  const bool gather = cfg.shuffle && B < n;
  std::unique_ptr<ThreadTeam> team = make_team(net, B);
  Workspace ws;
  ws.team = team.get();
  ws.reserve(net, B, true);
  std::vector<double> grad(P), Xb(gather ? s0 * B : 0), Yb(gather ? sL * B : 0);
  std::vector<uint32_t> order;
  if (gather) {
    order.resize(n);
    for (size_t j = 0; j < n; ++j) order[j] = static_cast<uint32_t>(j);
  }
  Random rng(cfg.shuffle_seed);
  OptimizerState opt(cfg.optimizer, P);
  const Layer& last = net.layers.back();
  TrainOutcome out;

  for (size_t epoch = 0; epoch < cfg.epochs; ++epoch) {
    if (gather) rng.shuffle(order);
    double epoch_total = 0;
    for (size_t j0 = 0; j0 < n; j0 += B) {
      if (cancelled()) {
        out.status = TrainStatus::aborted;
        return out;
      }
      const size_t nb = std::min(B, n - j0);
      const double* Xc = X + j0 * s0;
      const double* Yc = Y + j0 * sL;
      if (gather) {
        for (size_t k = 0; k < nb; ++k) {
          const size_t src = order[j0 + k];
          std::memcpy(&Xb[k * s0], X + src * s0, s0 * sizeof(double));
          std::memcpy(&Yb[k * sL], Y + src * sL, sL * sizeof(double));
        }
        Xc = Xb.data();
        Yc = Yb.data();
      }
      const double data = net_forward(net, theta, Xc, nb, ws, Yc, true, grad.data() + last.b_off);
      net_backward(net, theta, Xc, nb, ws, grad.data());
      const double cost = data / static_cast<double>(nb) + apply_l2(net, theta, cfg.l2, grad.data());
      if (!std::isfinite(cost)) {
        out.status = TrainStatus::diverged;
        out.last_cost = cost;
        return out;
      }
      if (!optimizer_step(opt, cfg, theta, grad.data(), P, team.get())) {
        std::memcpy(theta, grad.data(), P * sizeof(double));  // grad holds θ before the step
        out.status = TrainStatus::diverged;
        out.last_cost = std::numeric_limits<double>::infinity();
        return out;
      }
      out.steps += 1;
      epoch_total += cost * static_cast<double>(nb);
    }
    const double epoch_cost = epoch_total / static_cast<double>(n);
    out.epochs = epoch + 1;
    out.last_cost = epoch_cost;
    if (cfg.record_every > 0 && epoch % cfg.record_every == 0) record(epoch, epoch_cost);
  }
  return out;
}

}  // namespace blasnet
