// See train_js.h.
#include "train_js.h"

#include <cmath>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "boundary.h"
#include "stream.h"

namespace blasnet {

namespace {

double get_number(Napi::Object o, const char* key, const std::string& path = "") {
  if (path.empty()) return config_number(o, key);
  if (!o.HasOwnProperty(key)) fail_type("ERR_BLASNET_ARG_TYPE", "config." + path + key + " is missing");
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) fail_type("ERR_BLASNET_ARG_TYPE", "config." + path + key + " must be a number");
  const double x = v.As<Napi::Number>().DoubleValue();
  if (std::isnan(x)) fail_range("ERR_BLASNET_ARG_RANGE", "config." + path + key + " must be a number, got NaN");
  return x;
}

size_t get_size(Napi::Object o, const char* key, const std::string& path = "", size_t max = SIZE_MAX >> 11) {
  const double v = get_number(o, key, path);
  if (!(v >= 0) || v > static_cast<double>(max) || v != std::floor(v))
    fail_range("ERR_BLASNET_ARG_RANGE", "config." + path + key + " must be an integer in [0, " + std::to_string(max) + "]");
  return static_cast<size_t>(v);
}

// An own property o[key] as an object; *present = false when it is absent, undefined or null.
Napi::Object get_optional_object(Napi::Object o, const char* key, bool* present) {
  Napi::Value v = o.HasOwnProperty(key) ? o.Get(key) : o.Env().Undefined();
  *present = v.IsObject();
  if (!*present && !v.IsUndefined() && !v.IsNull()) fail_type("ERR_BLASNET_ARG_TYPE", std::string("config.") + key + " must be an object or undefined");
  return *present ? v.As<Napi::Object>() : Napi::Object::New(o.Env());
}

// A copy of the own property o[key] (a live Float64Array of `length` values); empty when it is absent.
std::vector<double> get_f64_copy(Napi::Object o, const char* key, size_t length) {
  Napi::Value v = o.HasOwnProperty(key) ? o.Get(key) : o.Env().Undefined();
  if (v.IsUndefined() || v.IsNull()) return {};
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    fail_type("ERR_BLASNET_ARG_TYPE", std::string("config.") + key + " must be a Float64Array");
  Napi::Float64Array a = v.As<Napi::Float64Array>();
  if (a.ArrayBuffer().IsDetached()) fail_type("ERR_BLASNET_DETACHED", std::string("config.") + key + " is backed by a detached ArrayBuffer");
  if (a.ElementLength() != length)
    fail_range("ERR_BLASNET_SHAPE", std::string("config.") + key + " must have " + std::to_string(length) + " elements, got " +
                                        std::to_string(a.ElementLength()));
  return std::vector<double>(a.Data(), a.Data() + length);
}

Monitor get_monitor(Napi::Object o, const std::string& path) {
  return static_cast<Monitor>(static_cast<int>(get_size(o, "monitor", path, kMonitorCount - 1)));
}

const char* status_name(TrainStatus s) {
  switch (s) {
    case TrainStatus::ok: return "ok";
    case TrainStatus::aborted: return "aborted";
    case TrainStatus::diverged: return "diverged";
  }
  return "ok";
}

const char* reason_name(StopReason r) {
  switch (r) {
    case StopReason::epochs: return "max-iterations";
    case StopReason::early_stopping: return "early-stopping";
    case StopReason::gradient: return "gradient";
    case StopReason::cost_change: return "cost-change";
    case StopReason::line_search: return "line-search";
  }
  return "max-iterations";
}

}  // namespace

TrainSetup read_train_setup(Napi::Value value, size_t x_width, size_t y_width, size_t n, size_t n_params) {
  if (!value.IsObject()) fail_type("ERR_BLASNET_ARG_TYPE", "config must be an object");
  Napi::Object o = value.As<Napi::Object>();
  TrainSetup s;
  TrainConfig& c = s.cfg;
  c.epochs = get_size(o, "epochs");
  c.batch_size = get_size(o, "batchSize", "", kMaxBlasDim);
  c.shuffle = get_number(o, "shuffle") != 0;
  c.shuffle_seed = static_cast<uint32_t>(get_size(o, "shuffleSeed", "", 0xffffffffu));
  c.optim.kind = static_cast<Optimizer>(static_cast<int>(get_size(o, "optimizer", "", kOptimizerCount - 1)));
  c.learning_rate = get_number(o, "learningRate");
  c.optim.beta = get_number(o, "beta");
  c.optim.beta1 = get_number(o, "beta1");
  c.optim.beta2 = get_number(o, "beta2");
  c.optim.eps = get_number(o, "eps");
  s.l2 = get_number(o, "l2");
  c.record_every = get_size(o, "recordEvery");
  c.tolerance = get_number(o, "tolerance");
  c.lbfgs_memory = get_size(o, "lbfgsMemory", "", 1000);
  if (c.lbfgs_memory < 1) fail_range("ERR_BLASNET_ARG_RANGE", "config.lbfgsMemory must be ≥ 1");
  if (!(std::isfinite(c.learning_rate) && c.learning_rate > 0)) fail_range("ERR_BLASNET_ARG_RANGE", "config.learningRate must be a finite number > 0");

  bool on = false;
  Napi::Object es = get_optional_object(o, "earlyStopping", &on);
  if (on) {
    c.early.on = true;
    c.early.monitor = get_monitor(es, "earlyStopping.");
    c.early.patience = get_size(es, "patience", "earlyStopping.");
    c.early.min_delta = get_number(es, "minDelta", "earlyStopping.");
    c.early.restore_best = get_number(es, "restoreBest", "earlyStopping.") != 0;
  }
  Napi::Object sc = get_optional_object(o, "schedule", &on);
  if (on) {
    c.schedule.type = static_cast<ScheduleType>(static_cast<int>(get_size(sc, "type", "schedule.", kScheduleCount - 1)));
    c.schedule.every = get_size(sc, "every", "schedule.");
    c.schedule.factor = get_number(sc, "factor", "schedule.");
    c.schedule.min_learning_rate = get_number(sc, "minLearningRate", "schedule.");
  }
  Napi::Object pl = get_optional_object(o, "reduceOnPlateau", &on);
  if (on) {
    c.plateau.on = true;
    c.plateau.monitor = get_monitor(pl, "reduceOnPlateau.");
    c.plateau.patience = get_size(pl, "patience", "reduceOnPlateau.");
    c.plateau.factor = get_number(pl, "factor", "reduceOnPlateau.");
    c.plateau.min_learning_rate = get_number(pl, "minLearningRate", "reduceOnPlateau.");
  }

  TrainExtras& x = s.extras;
  x.nv = get_size(o, "validationN", "", kMaxBlasDim);
  if (x.nv > 0) {
    x.Xv = get_f64_copy(o, "validationX", checked_mul(x.nv, x_width, "validationN × inputs"));
    x.Yv = get_f64_copy(o, "validationY", checked_mul(x.nv, y_width, "validationN × outputs"));
    if (x.Xv.empty() || x.Yv.empty()) fail_type("ERR_BLASNET_ARG_TYPE", "config.validationX and config.validationY must be given with validationN");
  }
  c.checkpoint_every = o.HasOwnProperty("checkpointEvery") && !o.Get("checkpointEvery").IsUndefined() ? get_size(o, "checkpointEvery") : 0;
  x.weight = get_f64_copy(o, "sampleWeight", n);
  s.state = parse_train_state(o, c.optim.kind, n_params);
  return s;
}

void TrainRecords::add(const Record& r) {
  costs.push_back(r.cost);
  if (!std::isnan(r.validation_cost)) validation_costs.push_back(r.validation_cost);
  if (!std::isnan(r.validation_accuracy)) validation_accuracies.push_back(r.validation_accuracy);
  if (!std::isnan(r.learning_rate)) learning_rates.push_back(r.learning_rate);
}

namespace {

// The trainer's hooks of a job: records collected and reported to progress (which may run
// JavaScript: sync fits), cancellation polled from it, and `checkpoint` at the checkpoint epochs.
TrainHooks train_hooks(TrainRecords& records, Progress& progress, std::function<void(const double*, const TrainState&)> checkpoint) {
  TrainHooks hooks;
  hooks.record = [rec = &records, prog = &progress](const Record& r) {
    rec->add(r);
    ProgressRecord p{static_cast<double>(r.epoch), r.cost};
    p.validation_cost = r.validation_cost;
    p.validation_accuracy = r.validation_accuracy;
    p.learning_rate = r.learning_rate;
    prog->record(p);
  };
  hooks.cancelled = [prog = &progress] { return prog->cancelled(); };
  hooks.checkpoint = std::move(checkpoint);
  return hooks;
}

// Runs the trainer on `model` with the setup's validation set, weights and starting state (s.state,
// which ends as the fit's final state); gate: see trainer.h train.
TrainOutcome run_training(Objective& model, double* theta, const double* X, const double* Y, size_t n, TrainSetup& s,
                          TrainRecords& records, Progress& progress,
                          std::function<void(const double*, const TrainState&)> checkpoint, RowGate* gate) {
  const Rows validation = s.extras.validation();
  return train(model, theta, {X, Y, s.extras.weights(), n}, s.extras.nv > 0 ? &validation : nullptr, s.cfg, s.state,
               train_hooks(records, progress, std::move(checkpoint)), gate);
}

// The same on the batches of a data source.
TrainOutcome run_training(Objective& model, double* theta, BatchSource& source, TrainSetup& s, TrainRecords& records, Progress& progress,
                          std::function<void(const double*, const TrainState&)> checkpoint) {
  const Rows validation = s.extras.validation();
  return train(model, theta, source, s.extras.nv > 0 ? &validation : nullptr, s.cfg, s.state, train_hooks(records, progress, std::move(checkpoint)));
}

// The trainer's wait for rows of a job's X that copy_rows() is still copying in.
class InputGate final : public RowGate {
 public:
  explicit InputGate(const JobInput& in) : in_(in) {}
  // No cancellation here: the copy always completes (it waits on nothing), and a row not yet copied
  // must not be read.
  void wait(size_t count) override { in_.wait_rows(count, [] { return false; }); }

 private:
  const JobInput& in_;
};

// FitInput::copy_in_run's copy of X on a thread of its own, joined by join() or, at the latest, by
// the destructor, so run() never returns nor throws while the copy reads the caller's X.
class Copier {
 public:
  // Starts in.copy_rows() on a new thread; when no thread can be started, copies here instead.
  explicit Copier(JobInput& in) {
    try {
      thread_ = std::thread([&in] { in.copy_rows(); });
    } catch (const std::system_error&) {
      in.copy_rows();
    }
  }
  ~Copier() { join(); }
  Copier(const Copier&) = delete;
  Copier& operator=(const Copier&) = delete;
  void join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::thread thread_;
};

// The Progress the trainer sees while a Copier runs: the copy is over before a record or a message
// can run JavaScript (which may write into the caller's X).
class JoinFirst final : public Progress {
 public:
  JoinFirst(Progress& inner, Copier& copier) : inner_(inner), copier_(copier) {}
  void record(const ProgressRecord& r) override {
    copier_.join();
    inner_.record(r);
  }
  void post(const JobMessage& m) override {
    copier_.join();
    inner_.post(m);
  }
  bool cancelled() override { return inner_.cancelled(); }

 private:
  Progress& inner_;
  Copier& copier_;
};

}  // namespace

FitJob::FitJob(const Batch& b, TrainSetup setup, MakeObjective make, FitInput input, bool iterations)
    : input_(input), setup_(std::move(setup)), make_(std::move(make)), iterations_(iterations) {
  if (input == FitInput::in_place) {
    in_ = std::make_unique<JobInput>(b, false);
    return;
  }
  in_ = std::make_unique<JobInput>(b, true, Theta::copied, XCopy::deferred, first_epoch_order(setup_.cfg, b.n, setup_.state.epoch));
}

void FitJob::copy_rows() {
  if (input_ == FitInput::copy_after_queue) in_->copy_rows();
}

FitJob::FitJob(F64View theta, size_t x_width, size_t y_width, TrainSetup setup, MakeObjective make, bool sync, bool iterations)
    : queue_(std::make_shared<BatchQueue>(x_width, y_width)), sync_(sync), setup_(std::move(setup)), make_(std::move(make)),
      iterations_(iterations), theta_(theta.data, theta.data + theta.length) {}

void FitJob::run(Progress& outer) {
  // copy_in_run: the copy starts first, to overlap the setup as well as the first batches.
  std::optional<Copier> copier;
  std::optional<JoinFirst> joined;
  if (in_ && input_ == FitInput::copy_in_run) {
    copier.emplace(*in_);
    joined.emplace(outer, *copier);
  }
  Progress& progress = joined ? static_cast<Progress&>(*joined) : outer;
  if (in_) theta_.assign(in_->theta(), in_->theta() + in_->params());
  const std::unique_ptr<Objective> model = make_(setup_);
  std::function<void(const double*, const TrainState&)> checkpoint;
  if (setup_.cfg.checkpoint_every > 0) {
    const Optimizer kind = setup_.cfg.optim.kind;
    const size_t P = theta_.size();
    checkpoint_.size(P, kind == Optimizer::momentum || kind == Optimizer::adam ? P : 0, kind == Optimizer::adam ? P : 0);
    checkpoint = [this, &progress](const double* theta, const TrainState& state) {
      if (checkpoint_.put(theta, state)) progress.post({MessageKind::checkpoint, static_cast<double>(state.epoch)});
    };
  }
  if (!queue_) {
    InputGate gate(*in_);
    out_ = run_training(*model, theta_.data(), in_->X(), in_->Y(), in_->n(), setup_, records_, progress, std::move(checkpoint),
                        in_->copy_deferred() ? &gate : nullptr);
    return;
  }
  queue_->start([&progress](double epoch) { progress.post({MessageKind::batch, epoch}); }, [&progress] { return progress.cancelled(); }, sync_);
  struct Closer {  // however the fit ends, later deliveries are refused
    BatchQueue& q;
    ~Closer() { q.close(); }
  } closer{*queue_};
  out_ = run_training(*model, theta_.data(), *queue_, setup_, records_, progress, std::move(checkpoint));
}

Napi::Value FitJob::result(Napi::Env env) {
  Napi::Object r = train_result(env, out_, records_, setup_.state);
  if (iterations_) r.Set("iterations", Napi::Number::New(env, static_cast<double>(out_.steps)));
  r.Set("theta", new_f64(env, theta_.data(), theta_.size()));
  return r;
}

void FitJob::on_message(Napi::Env env, const JobMessage& m, const JobHooks& hooks) {
  if (m.kind == MessageKind::batch) {
    if (!queue_) return;
    if (hooks.batch.IsEmpty()) {
      queue_->deliver_failed();
      return;
    }
    // deliver(batch | null | false): copies a batch into the queue (the fit's own copy).
    const size_t xw = queue_->x_width(), yw = queue_->y_width();
    Napi::Function deliver = Napi::Function::New(
        env,
        [queue = queue_, xw, yw](const Napi::CallbackInfo& info) -> Napi::Value {
          return guarded(info.Env(), [&]() -> Napi::Value {
            const StreamItem item = parse_stream_item(info.Length() > 0 ? info[0] : info.Env().Undefined(), xw, yw);
            bool taken = false;
            switch (item.kind) {
              case StreamItem::Kind::batch: taken = queue->deliver_batch(item.X.data, item.Y.data, item.weight.data, item.n); break;
              case StreamItem::Kind::end: taken = queue->deliver_end(); break;
              case StreamItem::Kind::failed: taken = queue->deliver_failed(); break;
            }
            return Napi::Boolean::New(info.Env(), taken);
          });
        },
        "deliver");
    hooks.batch.Call({Napi::Number::New(env, m.epoch), deliver});
    return;
  }
  if (m.kind != MessageKind::checkpoint) return;
  const Snapshot* s = checkpoint_.take();
  if (!s || hooks.checkpoint.IsEmpty()) return;
  Napi::Object o = Napi::Object::New(env);
  o.Set("theta", new_f64(env, s->theta.data(), s->theta.size()));
  o.Set("state", train_state_object(env, s->state));
  hooks.checkpoint.Call({o});
}

Napi::Object train_result(Napi::Env env, const TrainOutcome& out, const TrainRecords& rec, const TrainState& state) {
  Napi::Object r = Napi::Object::New(env);
  r.Set("status", status_name(out.status));
  r.Set("reason", reason_name(out.reason));
  r.Set("epochs", Napi::Number::New(env, static_cast<double>(out.epochs)));
  r.Set("steps", Napi::Number::New(env, static_cast<double>(out.steps)));
  r.Set("lastCost", Napi::Number::New(env, out.last_cost));
  r.Set("evaluations", Napi::Number::New(env, static_cast<double>(out.evaluations)));
  r.Set("costs", new_f64(env, rec.costs.data(), rec.costs.size()));
  r.Set("validationCosts", new_f64(env, rec.validation_costs.data(), rec.validation_costs.size()));
  r.Set("validationAccuracies", new_f64(env, rec.validation_accuracies.data(), rec.validation_accuracies.size()));
  r.Set("learningRates", new_f64(env, rec.learning_rates.data(), rec.learning_rates.size()));
  r.Set("stoppedEarly", Napi::Boolean::New(env, out.stopped_early));
  if (out.has_best) {
    r.Set("bestEpoch", Napi::Number::New(env, static_cast<double>(out.best_epoch)));
    r.Set("bestValue", Napi::Number::New(env, out.best_value));
  }
  r.Set("state", train_state_object(env, state));
  return r;
}

}  // namespace blasnet
