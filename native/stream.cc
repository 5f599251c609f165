// See stream.h.
#include "stream.h"

#include <chrono>
#include <cstring>

namespace blasnet {

void CheckpointSlot::size(size_t P, size_t nm, size_t nv) {
  for (Snapshot* s : {&a_, &b_}) {
    s->theta.assign(P, 0.0);
    s->state.m.assign(nm, 0.0);
    s->state.v.assign(nv, 0.0);
  }
}

bool CheckpointSlot::put(const double* theta, const TrainState& state) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::memcpy(pending_->theta.data(), theta, pending_->theta.size() * sizeof(double));
  copy_state_into(pending_->state, state);
  const bool tell = !has_pending_;
  has_pending_ = true;
  return tell;
}

const Snapshot* CheckpointSlot::take() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!has_pending_) return nullptr;
  std::swap(pending_, taken_);
  has_pending_ = false;
  return taken_;
}

void BatchQueue::start(Request request, std::function<bool()> cancelled, bool sync) {
  request_ = std::move(request);
  cancelled_ = std::move(cancelled);
  sync_ = sync;
}

void BatchQueue::ask(double epoch) { request_(epoch); }

bool BatchQueue::answer(Kind kind, int slot) {
  if (closed_ || !outstanding_ || has_ready_) return false;
  outstanding_ = false;
  has_ready_ = true;
  ready_kind_ = kind;
  ready_slot_ = slot;
  ready_cv_.notify_one();
  return true;
}

bool BatchQueue::deliver_batch(const double* X, const double* Y, const double* weight, size_t n) {
  int k;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_ || !outstanding_ || has_ready_ || filling_ >= 0) return false;
    k = slot_busy_[0] ? 1 : 0;
    if (slot_busy_[k]) return false;  // both slots in use: a protocol error (never happens)
    slot_busy_[k] = true;
    filling_ = k;
  }
  // The copy, outside the lock: the trainer keeps training on its held slot meanwhile.
  Slot& s = slots_[k];
  s.X.assign(X, X + n * xw_);
  s.Y.assign(Y, Y + n * yw_);
  if (weight) s.weight.assign(weight, weight + n);
  else s.weight.clear();
  s.n = n;
  std::lock_guard<std::mutex> lock(mutex_);
  filling_ = -1;
  if (answer(Kind::batch, k)) return true;
  slot_busy_[k] = false;
  return false;
}

bool BatchQueue::deliver_end() {
  std::lock_guard<std::mutex> lock(mutex_);
  return filling_ < 0 && answer(Kind::end, -1);
}

bool BatchQueue::deliver_failed() {
  std::lock_guard<std::mutex> lock(mutex_);
  return filling_ < 0 && answer(Kind::failed, -1);
}

void BatchQueue::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = true;
  ready_cv_.notify_all();
}

void BatchQueue::begin_epoch(size_t e) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (held_ >= 0) slot_busy_[held_] = false;
    held_ = -1;
    // The previous epoch ended (its end taken) or none began: nothing waits, nothing is outstanding.
    ended_ = false;
    outstanding_ = true;
  }
  ask(static_cast<double>(e));
}

bool BatchQueue::wait_ready(std::unique_lock<std::mutex>& lock) {
  while (!has_ready_) {
    if (closed_ || sync_) return false;  // sync: the answer comes inside request(), or never
    if (cancelled_ && cancelled_()) return false;
    ready_cv_.wait_for(lock, std::chrono::milliseconds(10));
  }
  return true;
}

BatchSource::Next BatchQueue::next(Rows* batch) {
  bool ask_more = false;
  Next result;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (held_ >= 0) slot_busy_[held_] = false;
    held_ = -1;
    if (ended_) return Next::end;
    if (!wait_ready(lock)) return Next::stopped;
    has_ready_ = false;
    switch (ready_kind_) {
      case Kind::end:
        ended_ = true;
        return Next::end;
      case Kind::failed:
        return Next::stopped;
      case Kind::batch:
        break;
    }
    held_ = ready_slot_;
    const Slot& s = slots_[held_];
    *batch = {s.X.data(), s.Y.data(), s.weight.empty() ? nullptr : s.weight.data(), s.n};
    // The next one is read while this one trains.
    outstanding_ = true;
    ask_more = true;
    result = Next::batch;
  }
  if (ask_more) ask(-1);
  return result;
}

BatchSource::Next BatchQueue::peek() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (ended_) return Next::end;
  if (!wait_ready(lock)) return Next::stopped;
  switch (ready_kind_) {
    case Kind::batch: return Next::batch;
    case Kind::end: return Next::end;
    case Kind::failed: return Next::stopped;
  }
  return Next::stopped;
}

}  // namespace blasnet
