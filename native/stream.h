// What a running fit hands to the main thread and takes from it while it trains, without waiting
// on it: the checkpoint slot (θ and the training state at a checkpoint epoch, newest wins). Plain
// C++ (no napi.h): train_js.cc moves the contents to and from JavaScript.
#pragma once
#include <cstddef>
#include <mutex>
#include <vector>

#include "trainer.h"

namespace blasnet {

// θ and the state that goes with it at the end of one epoch.
struct Snapshot {
  std::vector<double> theta;  // P
  TrainState state;           // m, v: the optimizer's lengths (P or 0)
};

// Two snapshots sized once before training: the trainer's thread copies into `pending` (a memcpy
// under the lock; an older snapshot the main thread has not taken yet is overwritten: the newest
// wins), the main thread swaps `pending` with `taken` under the lock and reads `taken` without it.
// The trainer never waits on the main thread for longer than that swap, and nothing is allocated
// after size().
class CheckpointSlot {
 public:
  // P parameters; nm, nv: the lengths of the optimizer's m and v (P or 0).
  void size(size_t P, size_t nm, size_t nv);
  // Trainer's thread: copies θ (P) and the state in. Returns true when no snapshot was pending
  // (the main thread must be told; otherwise it has been told and will take this newer one).
  bool put(const double* theta, const TrainState& state);
  // Main thread: the newest snapshot put since the last take, or null when there is none. Valid
  // until the next take.
  const Snapshot* take();

 private:
  std::mutex mutex_;
  Snapshot a_, b_;
  Snapshot* pending_ = &a_;
  Snapshot* taken_ = &b_;
  bool has_pending_ = false;
};

// Copies a state's numbers into `to`, whose m and v have the lengths of `from`'s (no allocation).
void copy_state_into(TrainState& to, const TrainState& from);

}  // namespace blasnet
