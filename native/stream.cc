// See stream.h.
#include "stream.h"

#include <cstring>

namespace blasnet {

void copy_state_into(TrainState& to, const TrainState& from) {
  if (!from.m.empty()) std::memcpy(to.m.data(), from.m.data(), from.m.size() * sizeof(double));
  if (!from.v.empty()) std::memcpy(to.v.data(), from.v.data(), from.v.size() * sizeof(double));
  to.epoch = from.epoch;
  to.steps = from.steps;
  to.early_stopping = from.early_stopping;
  to.reduce_on_plateau = from.reduce_on_plateau;
}

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

}  // namespace blasnet
