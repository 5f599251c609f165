// Where a training step's time goes, for the benchmark suite (bench.cc stepProfile): the trainer and
// the network kernels mark their phases with PhaseTimer, which costs one load and a branch while no
// profile is being taken (the default), and a clock read at each end of a phase while one is.
// Phases are timed on the thread that runs the fit (a team's threads are inside them).
#pragma once
#include <atomic>
#include <chrono>
#include <cstddef>

namespace blasnet {

enum class Phase : size_t {
  gather = 0,    // the batch taken from the data (MemoryBatches: the shuffled rows gathered)
  forward,       // a hidden layer's forward: its product and fused bias + activation (per layer)
  output,        // the output layer: its product, then activation, loss, δ[L] and its bias sums
  weight_grad,   // dW[l] = (1/n) δ[l] A[l−1]ᵀ (per layer)
  delta,         // δ[l−1] = (δ[l] W[l]) ⊙ g′ and its bias sums (per layer)
  update,        // the optimizer's step over θ
  evaluate,      // a record's validation pass
  pass,          // the elementwise passes alone (bias + activation, g′ and bias sums, the output layer's
                 // activation, loss and δ), as the calling thread runs them: inside the phases above
  count
};
constexpr size_t kPhaseCount = static_cast<size_t>(Phase::count), kProfileLayers = 8;

// Accumulated milliseconds and calls per (phase, layer); layer 0 for the phases that have none, and
// layers past kProfileLayers − 1 fold into the last slot.
struct StepProfile {
  double ms[kPhaseCount][kProfileLayers] = {};
  double calls[kPhaseCount][kProfileLayers] = {};
};

// The profile being taken, or null (defined in bench.cc; set only by the benchmark suite).
extern std::atomic<StepProfile*> g_step_profile;

class PhaseTimer {
 public:
  explicit PhaseTimer(Phase phase, size_t layer = 0) : p_(g_step_profile.load(std::memory_order_relaxed)) {
    if (!p_) return;
    phase_ = static_cast<size_t>(phase);
    layer_ = layer < kProfileLayers ? layer : kProfileLayers - 1;
    t0_ = std::chrono::steady_clock::now();
  }
  ~PhaseTimer() {
    if (!p_) return;
    p_->ms[phase_][layer_] += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0_).count();
    p_->calls[phase_][layer_] += 1;
  }
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;

 private:
  StepProfile* p_;
  size_t phase_ = 0, layer_ = 0;
  std::chrono::steady_clock::time_point t0_;
};

// Suspends the profile for a scope (a record's validation: its forward passes are not the step's).
class ProfilePause {
 public:
  ProfilePause() : p_(g_step_profile.exchange(nullptr, std::memory_order_relaxed)) {}
  ~ProfilePause() { g_step_profile.store(p_, std::memory_order_relaxed); }
  ProfilePause(const ProfilePause&) = delete;
  ProfilePause& operator=(const ProfilePause&) = delete;

 private:
  StepProfile* p_;
};

}  // namespace blasnet
