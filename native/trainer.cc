// The native training loop: see trainer.h. The twin of lib/reference/trainer.ts, with the same
// order of operations, for any Objective: epochs and batches, validation, early stopping,
// schedules, L-BFGS, and the state a warm start continues.
#include "trainer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

#include "failure.h"
#include "parallel.h"
#include "profile.h"

namespace blasnet {

void copy_state_into(TrainState& to, const TrainState& from) {
  if (!from.m.empty()) std::memcpy(to.m.data(), from.m.data(), from.m.size() * sizeof(double));
  if (!from.v.empty()) std::memcpy(to.v.data(), from.v.data(), from.v.size() * sizeof(double));
  to.epoch = from.epoch;
  to.steps = from.steps;
  to.early_stopping = from.early_stopping;
  to.reduce_on_plateau = from.reduce_on_plateau;
}

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
// Schedules, shuffles, monitors

double scheduled_rate(const TrainConfig& cfg, size_t e, size_t e0) {
  const double a0 = cfg.learning_rate;
  const Schedule& s = cfg.schedule;
  switch (s.type) {
    case ScheduleType::constant: return a0;
    case ScheduleType::step: return a0 * std::pow(s.factor, static_cast<double>(e / std::max<size_t>(s.every, 1)));
    case ScheduleType::exponential: return a0 * std::pow(s.factor, static_cast<double>(e));
    case ScheduleType::cosine: {
      // Over this fit's own epochs: the total it needs is only known per fit (docs/math.md).
      const double E = static_cast<double>(std::max<size_t>(cfg.epochs, 1));
      const double pi = 3.14159265358979323846;
      return s.min_learning_rate + (a0 - s.min_learning_rate) * (1.0 + std::cos(pi * static_cast<double>(e - e0) / E)) / 2.0;
    }
  }
  return a0;
}

uint32_t epoch_shuffle_seed(uint32_t seed, size_t e) {
  return seed + 0x632be5abu * static_cast<uint32_t>(e + 1);  // mod 2^32, as Math.imul
}

size_t memory_batch_rows(const TrainConfig& cfg, size_t n) { return cfg.batch_size == 0 ? n : std::min(cfg.batch_size, n); }

bool shuffles_rows(const TrainConfig& cfg, size_t n) {
  return cfg.optim.kind != Optimizer::lbfgs && cfg.shuffle && memory_batch_rows(cfg, n) < n;
}

void epoch_order(uint32_t seed, size_t e, std::vector<uint32_t>& order) {
  for (size_t j = 0; j < order.size(); ++j) order[j] = static_cast<uint32_t>(j);
  Random rng(epoch_shuffle_seed(seed, e));
  rng.shuffle(order);
}

std::vector<uint32_t> first_epoch_order(const TrainConfig& cfg, size_t n, size_t e0) {
  std::vector<uint32_t> order;
  if (!shuffles_rows(cfg, n)) return order;
  order.resize(n);
  epoch_order(cfg.shuffle_seed, e0, order);
  return order;
}

namespace {

// Sizes the optimizer's buffers of `state` for P parameters: zeros where they are empty (once per fit).
void size_state(TrainState& state, Optimizer kind, size_t P) {
  const size_t nm = kind == Optimizer::momentum || kind == Optimizer::adam ? P : 0;
  const size_t nv = kind == Optimizer::adam ? P : 0;
  if (state.m.empty()) state.m.assign(nm, 0.0);
  if (state.v.empty()) state.v.assign(nv, 0.0);
  if (state.m.size() != nm || state.v.size() != nv)
    fail_range("ERR_BLASNET_SHAPE", "the optimizer state holds " + std::to_string(state.m.size()) + " + " + std::to_string(state.v.size()) +
                                        " values; this optimizer needs " + std::to_string(nm) + " + " + std::to_string(nv));
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double monitored(Monitor m, const Record& r) {
  switch (m) {
    case Monitor::validation_cost: return r.validation_cost;
    case Monitor::validation_accuracy: return r.validation_accuracy;
    case Monitor::cost: return r.cost;
  }
  return r.cost;
}

// The best value so far of a monitored quantity (lower is better, higher for accuracy) and the
// records since it last improved by more than min_delta, kept in the fit's state (s). The first
// non-NaN value is an improvement.
struct Tracker {
  Monitor monitor;
  double min_delta;
  TrackerState& s;
  bool update(double v) {
    bool improved;
    if (std::isnan(v)) improved = false;
    else if (!s.has) improved = true;
    else if (monitor == Monitor::validation_accuracy) improved = v > s.best + min_delta;
    else improved = v < s.best - min_delta;
    if (improved) {
      s.best = v;
      s.has = true;
      s.wait = 0;
    } else {
      s.wait += 1;
    }
    return improved;
  }
};

// What a record does besides reporting: validation, early stopping, the plateau rule, and (with
// restore_best) the snapshot of θ and the state at the best record.
class Recorder {
 public:
  Recorder(Objective& model, double* theta, size_t P, const Rows* validation, const TrainConfig& cfg, TrainState& state,
           const std::function<void(const Record&)>& record)
      : model_(model), theta_(theta), P_(P), validation_(validation), cfg_(cfg), state_(state), record_(record),
        early_{cfg.early.monitor, cfg.early.min_delta, state.early_stopping}, plateau_{cfg.plateau.monitor, 0.0, state.reduce_on_plateau} {
    if (cfg.plateau.on && !(state.reduce_on_plateau.learning_rate > 0)) state.reduce_on_plateau.learning_rate = cfg.learning_rate;
    if (cfg.early.on && cfg.early.restore_best) {
      // Sized once per fit: best_theta_ P, best_.m and best_.v as the state's.
      best_theta_.resize(P);
      best_.m.resize(state.m.size());
      best_.v.resize(state.v.size());
      // A best record from an earlier fit: the state this fit starts from is the one that goes with it.
      if (state.early_stopping.has) save_best();
    }
  }

  // Records global epoch e with cost J at the current θ (the state's epoch count is the one that goes
  // with θ); returns true when early stopping says stop.
  bool operator()(size_t e, double cost, double lr) {
    Record r{e, cost, kNaN, kNaN, lr};
    if (validation_) {
      PhaseTimer timer(Phase::evaluate);
      ProfilePause pause;  // the evaluation's forward passes are not the step's
      const Eval ev = model_.evaluate(theta_, *validation_);
      r.validation_cost = ev.cost;
      r.validation_accuracy = ev.accuracy;
    }
    record_(r);
    bool stop = false, improved = false;
    if (cfg_.early.on) {
      improved = early_.update(monitored(cfg_.early.monitor, r));
      if (improved) state_.early_stopping.best_epoch = e;
      else if (state_.early_stopping.wait >= cfg_.early.patience) stop = true;
    }
    PlateauState& p = state_.reduce_on_plateau;
    if (cfg_.plateau.on && !plateau_.update(monitored(cfg_.plateau.monitor, r)) && p.wait >= cfg_.plateau.patience) {
      p.learning_rate = std::max(p.learning_rate * cfg_.plateau.factor, cfg_.plateau.min_learning_rate);
      p.wait = 0;
    }
    if (improved && !best_theta_.empty()) save_best();  // after the plateau rule: the state as it leaves this record
    return stop;
  }

  // The learning rate of global epoch e in a fit that started at e0: the schedule's, or the plateau rule's current one.
  double rate(size_t e, size_t e0) const { return cfg_.plateau.on ? state_.reduce_on_plateau.learning_rate : scheduled_rate(cfg_, e, e0); }

  // Fills the outcome's early-stopping fields and, with restore_best, puts back θ and the state of the best record.
  void finish(TrainOutcome& out) {
    if (!cfg_.early.on || !state_.early_stopping.has) return;
    out.has_best = true;
    out.best_epoch = state_.early_stopping.best_epoch;
    out.best_value = state_.early_stopping.best;
    if (!saved_) return;
    std::memcpy(theta_, best_theta_.data(), P_ * sizeof(double));
    copy_state_into(state_, best_);
  }

 private:
  void save_best() {
    std::memcpy(best_theta_.data(), theta_, P_ * sizeof(double));
    copy_state_into(best_, state_);
    saved_ = true;
  }

  Objective& model_;
  double* theta_;
  size_t P_;
  const Rows* validation_;
  const TrainConfig& cfg_;
  TrainState& state_;
  const std::function<void(const Record&)>& record_;
  Tracker early_, plateau_;
  std::vector<double> best_theta_;  // P (restore_best), θ at the best record
  TrainState best_;                 // the state at the best record; m, v sized as the fit's
  bool saved_ = false;
};

// Whether a checkpoint falls after the epoch (iteration) that brought the state's count to `epochs`.
bool checkpoint_due(const TrainConfig& cfg, const TrainHooks& hooks, size_t epochs) {
  return cfg.checkpoint_every > 0 && epochs % cfg.checkpoint_every == 0 && hooks.checkpoint;
}

TrainOutcome train_lbfgs(Objective& model, double* theta, const Rows& data, const Rows* validation, const TrainConfig& cfg,
                         TrainState& state, const TrainHooks& hooks, RowGate* gate) {
  const auto& record = hooks.record;
  const auto& cancelled = hooks.cancelled;
  const size_t P = model.n_params();
  model.reserve(data.n, validation ? validation->n : 0);
  if (gate) gate->wait(data.n);  // every evaluation reads the whole set
  model.bind(data);
  Recorder recorder(model, theta, P, validation, cfg, state, record);
  std::vector<double> grad(P);
  Lbfgs lbfgs(P, cfg.lbfgs_memory);
  TrainOutcome out;
  size_t evaluations = 0;
  const CostGradFn fg = [&](const double* th, double* g, bool* finite) {
    evaluations += 1;
    const CostGrad cg = model.cost_grad(th, data, g, true);
    *finite = cg.finite;
    return cg.cost;
  };
  bool finite = true;
  double f = fg(theta, grad.data(), &finite);
  out.last_cost = f;
  if (!finite || !std::isfinite(f)) {
    out.status = TrainStatus::diverged;
    out.evaluations = evaluations;
    return out;
  }
  const size_t e0 = state.epoch;
  for (size_t it = 0; it < cfg.epochs; ++it) {
    const size_t e = e0 + it;
    if (cancelled()) {
      out.status = TrainStatus::aborted;
      out.evaluations = evaluations;
      return out;
    }
    if (cfg.record_every > 0 && e % cfg.record_every == 0 && recorder(e, f, kNaN)) {
      out.stopped_early = true;
      out.reason = StopReason::early_stopping;
      break;
    }
    if (norm_inf(grad.data(), P) <= cfg.tolerance) {
      out.reason = StopReason::gradient;
      break;
    }
    const double f_old = f;
    const LbfgsResult res = lbfgs.iterate(theta, &f, grad.data(), fg);
    if (res == LbfgsResult::not_finite) {
      out.status = TrainStatus::diverged;
      out.last_cost = std::numeric_limits<double>::infinity();
      out.evaluations = evaluations;
      return out;
    }
    if (res == LbfgsResult::line_search_failed) {
      out.reason = StopReason::line_search;
      break;
    }
    out.steps += 1;
    state.steps += 1;
    out.epochs = it + 1;
    state.epoch = e + 1;
    out.last_cost = f;
    if (checkpoint_due(cfg, hooks, state.epoch)) hooks.checkpoint(theta, state);
    const double scale = std::max({std::fabs(f_old), std::fabs(f), 1.0});
    if (std::fabs(f_old - f) <= 64 * std::numeric_limits<double>::epsilon() * scale) {
      out.reason = StopReason::cost_change;
      break;
    }
  }
  if (out.reason == StopReason::epochs && out.epochs == cfg.epochs && norm_inf(grad.data(), P) <= cfg.tolerance)
    out.reason = StopReason::gradient;
  out.last_cost = f;
  out.evaluations = evaluations;
  recorder.finish(out);
  return out;
}

}  // namespace

namespace {

// From this many values a batch is gathered by the model's team.
constexpr size_t kParallelGather = size_t(1) << 14;

// An in-memory fit's batches: rows of the data in place (one batch of everything, or the next B
// rows), or gathered into a reused buffer in epoch e's shuffle order (shuffles_rows). With a gate,
// the rows of X a batch takes are waited for first: in the first epoch (e0) batch by batch, in the
// order first_epoch_order gives (the order this reads them in), and all of them before any other.
class MemoryBatches final : public BatchSource {
 public:
  MemoryBatches(const Rows& data, size_t xw, size_t yw, const TrainConfig& cfg, ThreadTeam* team, RowGate* gate, size_t e0)
      : data_(data), xw_(xw), yw_(yw), B_(memory_batch_rows(cfg, data.n)), gather_(shuffles_rows(cfg, data.n)), seed_(cfg.shuffle_seed),
        team_(team), gate_(gate), e0_(e0), Xb_(gather_ ? xw * B_ : 0), Yb_(gather_ ? yw * B_ : 0), Wb_(gather_ && data.weight ? B_ : 0),
        order_(gather_ ? data.n : 0) {}

  void begin_epoch(size_t e) override {
    j0_ = 0;
    if (gate_ && e != e0_) {
      gate_->wait(data_.n);
      gate_ = nullptr;
    }
    if (gather_) epoch_order(seed_, e, order_);
  }

  Next next(Rows* batch) override {
    const size_t n = data_.n, j0 = j0_;
    if (j0 >= n) return Next::end;
    const size_t nb = std::min(B_, n - j0);
    j0_ = j0 + nb;
    if (gate_) {
      gate_->wait(j0 + nb);
      if (j0 + nb == n) gate_ = nullptr;
    }
    if (!gather_) {
      // The caller's rows in place (a model may recognise them as rows of the data it bound).
      *batch = {data_.X + j0 * xw_, data_.Y + j0 * yw_, data_.weight ? data_.weight + j0 : nullptr, nb};
      return Next::batch;
    }
    const auto gather = [&](size_t k0, size_t k1) {
      for (size_t k = k0; k < k1; ++k) {
        const size_t src = order_[j0 + k];
        std::memcpy(&Xb_[k * xw_], data_.X + src * xw_, xw_ * sizeof(double));
        std::memcpy(&Yb_[k * yw_], data_.Y + src * yw_, yw_ * sizeof(double));
        if (data_.weight) Wb_[k] = data_.weight[src];
      }
    };
    // The rows are scattered over X: a gather waits on memory more than it copies, and the team's
    // threads wait on theirs in parallel.
    if (team_ && team_->size() > 1 && nb * xw_ >= kParallelGather) {
      const size_t T = team_->size();
      team_->run([&](size_t t) {
        size_t k0, k1;
        partition(nb, T, t, &k0, &k1);
        gather(k0, k1);
      });
    } else {
      gather(0, nb);
    }
    *batch = {Xb_.data(), Yb_.data(), data_.weight ? Wb_.data() : nullptr, nb};
    return Next::batch;
  }

  Next peek() override { return j0_ < data_.n ? Next::batch : Next::end; }

 private:
  const Rows& data_;
  size_t xw_, yw_, B_;
  bool gather_;
  uint32_t seed_;
  ThreadTeam* team_;  // the model's (may be null)
  RowGate* gate_;     // null once every row may be read
  size_t e0_;         // the fit's first epoch
  // The gathered batch: Xb B × xw, Yb B × yw, Wb B (with weights); order n (a permutation of the rows).
  std::vector<double> Xb_, Yb_, Wb_;
  std::vector<uint32_t> order_;
  size_t j0_ = 0;  // the epoch's next row (of order_ when gathering)
};

// The first-order loop over the batches of `source`, for every fit but L-BFGS. `capacity`: the batch
// size the model has reserved for (0: none yet; a larger batch reserves again).
TrainOutcome train_first_order(Objective& model, double* theta, BatchSource& source, size_t capacity, const Rows* validation,
                               const TrainConfig& cfg, TrainState& state, const TrainHooks& hooks) {
  const auto& record = hooks.record;
  const auto& cancelled = hooks.cancelled;
  const size_t P = model.n_params(), nv = validation ? validation->n : 0;
  std::vector<double> grad(P);  // P
  FirstOrder opt(cfg.optim, P, state.m.empty() ? nullptr : state.m.data(), state.v.empty() ? nullptr : state.v.data(), &state.steps);
  Recorder recorder(model, theta, P, validation, cfg, state, record);
  TrainOutcome out;
  // Divergence of a finite cost (docs/math.md, "Divergence"): a recorded cost above 1e6 times the
  // first one of this fit stops the fit as a non-finite one does; a fit that starts at cost 0 has no scale.
  double first_cost = std::numeric_limits<double>::quiet_NaN();
  const auto blown_up = [&first_cost](double cost) {
    if (std::isnan(first_cost)) first_cost = cost;
    return first_cost > 0 && cost > 1e6 * first_cost;
  };
  const auto aborted = [&out]() -> TrainOutcome& {
    out.status = TrainStatus::aborted;
    return out;
  };

  const size_t e0 = state.epoch;
  for (size_t epoch = e0; epoch < e0 + cfg.epochs; ++epoch) {
    const double lr = recorder.rate(epoch, e0);
    const bool recording = cfg.record_every > 0 && epoch % cfg.record_every == 0;
    source.begin_epoch(epoch);
    double epoch_total = 0;
    size_t rows = 0;
    bool stop = false, single = false;
    Rows batch;
    for (;;) {
      BatchSource::Next got;
      {
        PhaseTimer timer(Phase::gather);
        got = source.next(&batch);
      }
      if (got == BatchSource::Next::end) break;
      if (got == BatchSource::Next::stopped || cancelled()) return aborted();
      if (batch.n > capacity) {
        model.reserve(batch.n, nv);
        capacity = batch.n;
      }
      if (rows == 0) {
        // One batch in the epoch (full batch): its record describes θ before the epoch's step.
        const BatchSource::Next after = source.peek();
        if (after == BatchSource::Next::stopped) return aborted();
        single = after == BatchSource::Next::end;
      }
      const size_t nb = batch.n;
      const bool want_cost = !single || recording;
      const CostGrad cg = model.cost_grad(theta, batch, grad.data(), want_cost);
      if (!cg.finite) {
        out.status = TrainStatus::diverged;
        out.last_cost = want_cost ? cg.cost : model.cost_grad(theta, batch, grad.data(), true).cost;
        return out;
      }
      if (single && recording) {
        out.last_cost = cg.cost;
        if (blown_up(cg.cost)) {
          out.status = TrainStatus::diverged;
          return out;
        }
        if (recorder(epoch, cg.cost, lr)) {
          stop = true;
          break;
        }
      }
      bool stepped;
      {
        PhaseTimer timer(Phase::update);
        stepped = opt.step(theta, grad.data(), lr, model.team());
      }
      if (!stepped) {  // θ is discarded by the caller (the model keeps what it had before the fit)
        out.status = TrainStatus::diverged;
        out.last_cost = std::numeric_limits<double>::infinity();
        return out;
      }
      out.steps += 1;
      rows += nb;
      epoch_total += cg.cost * static_cast<double>(nb);
    }
    if (rows == 0 && !stop) return aborted();  // an epoch without a batch (a stream's source is refused for it)
    if (!stop) {
      state.epoch = epoch + 1;
      out.epochs = state.epoch - e0;
      if (!single) {
        const double epoch_cost = epoch_total / static_cast<double>(rows);
        out.last_cost = epoch_cost;
        if (recording && blown_up(epoch_cost)) {
          out.status = TrainStatus::diverged;
          return out;
        }
        if (recording) stop = recorder(epoch, epoch_cost, lr);
      }
      if (checkpoint_due(cfg, hooks, state.epoch)) hooks.checkpoint(theta, state);
    }
    if (stop) {
      out.stopped_early = true;
      out.reason = StopReason::early_stopping;
      break;
    }
  }
  recorder.finish(out);
  return out;
}

}  // namespace

TrainOutcome train(Objective& model, double* theta, const Rows& data, const Rows* validation, const TrainConfig& cfg,
                   TrainState& state, const TrainHooks& hooks, RowGate* gate) {
  size_state(state, cfg.optim.kind, model.n_params());
  if (cfg.optim.kind == Optimizer::lbfgs) return train_lbfgs(model, theta, data, validation, cfg, state, hooks, gate);
  const size_t B = memory_batch_rows(cfg, data.n);
  model.reserve(B, validation ? validation->n : 0);
  if (gate && model.bind_reads_all_rows()) {
    gate->wait(data.n);
    gate = nullptr;
  }
  model.bind(data);
  MemoryBatches batches(data, model.x_width(), model.y_width(), cfg, model.team(), gate, state.epoch);
  return train_first_order(model, theta, batches, B, validation, cfg, state, hooks);
}

TrainOutcome train(Objective& model, double* theta, BatchSource& source, const Rows* validation, const TrainConfig& cfg,
                   TrainState& state, const TrainHooks& hooks) {
  size_state(state, cfg.optim.kind, model.n_params());
  if (cfg.optim.kind == Optimizer::lbfgs) fail_range("ERR_BLASNET_CONFIG", "optimizer 'lbfgs' needs the whole data set: a fit from a batch source takes first-order steps");
  return train_first_order(model, theta, source, 0, validation, cfg, state, hooks);
}

}  // namespace blasnet
