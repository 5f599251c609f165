// The native training loop: see trainer.h. The twin of lib/reference/trainer.ts, with the same
// order of operations, for any Objective: epochs and batches, validation, early stopping,
// schedules and L-BFGS.
#include "trainer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

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
// Schedules and monitors

double scheduled_rate(const TrainConfig& cfg, size_t e) {
  const double a0 = cfg.learning_rate;
  const Schedule& s = cfg.schedule;
  switch (s.type) {
    case ScheduleType::constant: return a0;
    case ScheduleType::step: return a0 * std::pow(s.factor, static_cast<double>(e / std::max<size_t>(s.every, 1)));
    case ScheduleType::exponential: return a0 * std::pow(s.factor, static_cast<double>(e));
    case ScheduleType::cosine: {
      const double E = static_cast<double>(std::max<size_t>(cfg.epochs, 1));
      const double pi = 3.14159265358979323846;
      return s.min_learning_rate + (a0 - s.min_learning_rate) * (1.0 + std::cos(pi * static_cast<double>(e) / E)) / 2.0;
    }
  }
  return a0;
}

namespace {

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
// records since it last improved by more than min_delta. The first non-NaN value is an improvement.
struct Tracker {
  Monitor monitor;
  double min_delta;
  bool has = false;
  double best = 0;
  size_t wait = 0;
  bool update(double v) {
    bool improved;
    if (std::isnan(v)) improved = false;
    else if (!has) improved = true;
    else if (monitor == Monitor::validation_accuracy) improved = v > best + min_delta;
    else improved = v < best - min_delta;
    if (improved) {
      best = v;
      has = true;
      wait = 0;
    } else {
      wait += 1;
    }
    return improved;
  }
};

// What a record does besides reporting: validation, early stopping, the plateau rule.
class Recorder {
 public:
  Recorder(Objective& model, double* theta, size_t P, const Rows* validation, const TrainConfig& cfg,
           const std::function<void(const Record&)>& record)
      : model_(model), theta_(theta), P_(P), validation_(validation), cfg_(cfg), record_(record),
        early_{cfg.early.monitor, cfg.early.min_delta}, plateau_{cfg.plateau.monitor, 0.0},
        plateau_rate_(cfg.learning_rate) {
    if (cfg.early.on && cfg.early.restore_best) best_theta_.resize(P);
  }

  // Records epoch e with cost J at the current θ; returns true when early stopping says stop.
  bool operator()(size_t e, double cost, double lr) {
    Record r{e, cost, kNaN, kNaN, lr};
    if (validation_) {
      const Eval ev = model_.evaluate(theta_, *validation_);
      r.validation_cost = ev.cost;
      r.validation_accuracy = ev.accuracy;
    }
    record_(r);
    bool stop = false;
    if (cfg_.early.on) {
      if (early_.update(monitored(cfg_.early.monitor, r))) {
        best_epoch_ = e;
        if (!best_theta_.empty()) std::memcpy(best_theta_.data(), theta_, P_ * sizeof(double));
      } else if (early_.wait >= cfg_.early.patience) {
        stop = true;
      }
    }
    if (cfg_.plateau.on && !plateau_.update(monitored(cfg_.plateau.monitor, r)) && plateau_.wait >= cfg_.plateau.patience) {
      plateau_rate_ = std::max(plateau_rate_ * cfg_.plateau.factor, cfg_.plateau.min_learning_rate);
      plateau_.wait = 0;
    }
    return stop;
  }

  // The learning rate of epoch e: the schedule's, or the plateau rule's current one.
  double rate(size_t e) const { return cfg_.plateau.on ? plateau_rate_ : scheduled_rate(cfg_, e); }

  // Fills the outcome's early-stopping fields and, with restore_best, puts back the best θ.
  void finish(TrainOutcome& out) {
    if (!cfg_.early.on || !early_.has) return;
    out.has_best = true;
    out.best_epoch = best_epoch_;
    out.best_value = early_.best;
    if (!best_theta_.empty()) std::memcpy(theta_, best_theta_.data(), P_ * sizeof(double));
  }

 private:
  Objective& model_;
  double* theta_;
  size_t P_;
  const Rows* validation_;
  const TrainConfig& cfg_;
  const std::function<void(const Record&)>& record_;
  Tracker early_, plateau_;
  double plateau_rate_;
  size_t best_epoch_ = 0;
  std::vector<double> best_theta_;
};

TrainOutcome train_lbfgs(Objective& model, double* theta, const Rows& data, const Rows* validation, const TrainConfig& cfg,
                         const std::function<void(const Record&)>& record, const std::function<bool()>& cancelled) {
  const size_t P = model.n_params();
  model.reserve(data.n, validation ? validation->n : 0);
  model.bind(data);
  Recorder recorder(model, theta, P, validation, cfg, record);
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
  for (size_t it = 0; it < cfg.epochs; ++it) {
    if (cancelled()) {
      out.status = TrainStatus::aborted;
      out.evaluations = evaluations;
      return out;
    }
    if (cfg.record_every > 0 && it % cfg.record_every == 0 && recorder(it, f, kNaN)) {
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
    out.epochs = it + 1;
    out.last_cost = f;
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

TrainOutcome train(Objective& model, double* theta, const Rows& data, const Rows* validation, const TrainConfig& cfg,
                   const std::function<void(const Record&)>& record, const std::function<bool()>& cancelled) {
  if (cfg.optim.kind == Optimizer::lbfgs) return train_lbfgs(model, theta, data, validation, cfg, record, cancelled);
  const size_t P = model.n_params(), xw = model.x_width(), yw = model.y_width(), n = data.n;
  const size_t B = cfg.batch_size == 0 ? n : std::min(cfg.batch_size, n);
  // The caller's rows are used in place unless batches must be gathered (a shuffle, or a batch whose
  // rows are not simply the next ones: only the last batch of an unshuffled epoch is, which is fine).
  const bool gather = cfg.shuffle && B < n;
  const bool single = B >= n;  // one batch per epoch: records describe θ before the epoch's step
  model.reserve(B, validation ? validation->n : 0);
  model.bind(data);
  std::vector<double> grad(P), Xb(gather ? xw * B : 0), Yb(gather ? yw * B : 0), Wb(gather && data.weight ? B : 0);
  std::vector<uint32_t> order;
  if (gather) {
    order.resize(n);
    for (size_t j = 0; j < n; ++j) order[j] = static_cast<uint32_t>(j);
  }
  Random rng(cfg.shuffle_seed);
  FirstOrder opt(cfg.optim, P);
  Recorder recorder(model, theta, P, validation, cfg, record);
  TrainOutcome out;
  // Divergence of a finite cost (docs/math.md, "Divergence"): a recorded cost above 1e6 times the
  // first one stops the fit as a non-finite one does; a fit that starts at cost 0 has no scale.
  double first_cost = std::numeric_limits<double>::quiet_NaN();
  const auto blown_up = [&first_cost](double cost) {
    if (std::isnan(first_cost)) first_cost = cost;
    return first_cost > 0 && cost > 1e6 * first_cost;
  };

  for (size_t epoch = 0; epoch < cfg.epochs; ++epoch) {
    const double lr = recorder.rate(epoch);
    const bool recording = cfg.record_every > 0 && epoch % cfg.record_every == 0;
    if (gather) rng.shuffle(order);
    double epoch_total = 0;
    bool stop = false;
    for (size_t j0 = 0; j0 < n; j0 += B) {
      if (cancelled()) {
        out.status = TrainStatus::aborted;
        return out;
      }
      const size_t nb = std::min(B, n - j0);
      Rows batch{data.X + j0 * xw, data.Y + j0 * yw, data.weight ? data.weight + j0 : nullptr, nb};
      if (gather) {
        for (size_t k = 0; k < nb; ++k) {
          const size_t src = order[j0 + k];
          std::memcpy(&Xb[k * xw], data.X + src * xw, xw * sizeof(double));
          std::memcpy(&Yb[k * yw], data.Y + src * yw, yw * sizeof(double));
          if (data.weight) Wb[k] = data.weight[src];
        }
        batch = {Xb.data(), Yb.data(), data.weight ? Wb.data() : nullptr, nb};
      }
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
      if (!opt.step(theta, grad.data(), lr, model.team())) {
        std::memcpy(theta, grad.data(), P * sizeof(double));  // grad holds θ before the step
        out.status = TrainStatus::diverged;
        out.last_cost = std::numeric_limits<double>::infinity();
        return out;
      }
      out.steps += 1;
      epoch_total += cg.cost * static_cast<double>(nb);
    }
    if (!stop) {
      out.epochs = epoch + 1;
      if (!single) {
        const double epoch_cost = epoch_total / static_cast<double>(n);
        out.last_cost = epoch_cost;
        if (recording && blown_up(epoch_cost)) {
          out.status = TrainStatus::diverged;
          return out;
        }
        if (recording) stop = recorder(epoch, epoch_cost, lr);
      }
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

}  // namespace blasnet
