// What a running fit hands to the main thread and takes from it while it trains, without waiting
// on it: the checkpoint slot (θ and the training state at a checkpoint epoch, newest wins) and the
// batch queue of a fit from a data source (the batches the main thread reads, one ahead of the one
// being trained on). Plain C++ (no napi.h): train_js.cc moves the contents to and from JavaScript.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <functional>
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

// The batches of a fit from a data source (docs/training.md, "Fits from a data source"), as the
// main thread hands them over: the trainer's BatchSource. Each request (request(e): open global
// epoch e and read its first batch; request(−1): read the open epoch's next one) is answered by
// exactly one delivery: a batch (copied into a free slot: this copy is the fit's own, so a caller
// that changes its arrays later changes nothing), the end of the epoch, or a failure. One request
// is outstanding at a time, made as soon as the trainer takes a batch: the main thread reads batch
// k + 1 while batch k trains. Two slots suffice: the one being trained on, and the one ahead.
// A sync queue (fitSync) is answered inside request(); an async one waits on a condition variable,
// polling `cancelled` every few milliseconds. Nothing is allocated once the slots have grown to the
// largest batch.
class BatchQueue final : public BatchSource {
 public:
  using Request = std::function<void(double epoch)>;
  BatchQueue(size_t x_width, size_t y_width) : xw_(x_width), yw_(y_width) {}
  size_t x_width() const { return xw_; }
  size_t y_width() const { return yw_; }
  // Before training (the trainer's thread): how to ask for a batch and whether to stop waiting.
  void start(Request request, std::function<bool()> cancelled, bool sync);
  // Main thread: the answer to the outstanding request. A batch: X n × x_width, Y n × y_width,
  // weight n or null (copied before this returns; the lock is not held during the copy). Returns
  // false when no request waits for an answer (the fit has ended, or a second answer).
  bool deliver_batch(const double* X, const double* Y, const double* weight, size_t n);
  bool deliver_end();
  bool deliver_failed();
  // The fit has ended: later deliveries are refused (any thread).
  void close();

  void begin_epoch(size_t e) override;
  Next next(Rows* batch) override;
  Next peek() override;

 private:
  enum class Kind { batch, end, failed };
  struct Slot {
    std::vector<double> X, Y, weight;  // n × x_width, n × y_width, n (or empty: no weights)
    size_t n = 0;
  };
  // Under the lock: an item answers the request; notifies the trainer.
  bool answer(Kind kind, int slot);
  // Waits (lock held) until an item is ready; false when cancelled, closed or (sync) none came.
  bool wait_ready(std::unique_lock<std::mutex>& lock);
  void ask(double epoch);  // without the lock: request(epoch)

  size_t xw_, yw_;
  Request request_;
  std::function<bool()> cancelled_;
  bool sync_ = false;
  std::mutex mutex_;
  std::condition_variable ready_cv_;
  Slot slots_[2];
  bool slot_busy_[2] = {false, false};  // held by the trainer, ready, or being filled
  int held_ = -1;                       // the slot of the batch next() last gave, or −1
  bool has_ready_ = false;              // one answer waits: ready_kind_ (in ready_slot_ for a batch)
  Kind ready_kind_ = Kind::end;
  int ready_slot_ = -1;
  bool outstanding_ = false;  // a request waits for its answer
  int filling_ = -1;          // the slot the main thread copies into, outside the lock
  bool ended_ = true;         // the open epoch's end was taken (no request until the next epoch)
  bool closed_ = false;
};


}  // namespace blasnet
