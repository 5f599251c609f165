// See train_js.h.
#include "train_js.h"

#include <cmath>
#include <string>

#include "napi_util.h"

namespace blasnet {

namespace {

[[noreturn]] void config_error(Napi::Env env, const std::string& what) {
  throw_error(env, "ERR_BLASNET_ARG_TYPE", "native: config." + what, "TypeError");
}

double get_number(Napi::Object o, const char* key, const std::string& path = "") {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) config_error(o.Env(), path + key + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

size_t get_size(Napi::Object o, const char* key, const std::string& path = "") {
  const double v = get_number(o, key, path);
  if (!(v >= 0) || v > 9007199254740991.0 || v != std::floor(v))
    throw_error(o.Env(), "ERR_BLASNET_ARG_RANGE", "native: config." + path + key + " must be a non-negative integer", "RangeError");
  return static_cast<size_t>(v);
}

// o[key] as an object, or an empty one when it is undefined or null.
Napi::Object get_optional_object(Napi::Object o, const char* key, bool* present) {
  Napi::Value v = o.Get(key);
  *present = v.IsObject();
  if (!*present && !v.IsUndefined() && !v.IsNull()) config_error(o.Env(), std::string(key) + " must be an object or undefined");
  return *present ? v.As<Napi::Object>() : Napi::Object::New(o.Env());
}

// A copy of o[key] (a Float64Array of `length` values), or an empty vector when it is undefined.
std::vector<double> get_f64_copy(Napi::Object o, const char* key, size_t length) {
  Napi::Env env = o.Env();
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return {};
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    config_error(env, std::string(key) + " must be a Float64Array");
  Napi::Float64Array a = v.As<Napi::Float64Array>();
  if (a.ArrayBuffer().IsDetached())
    throw_error(env, "ERR_BLASNET_DETACHED", std::string("native: config.") + key + " is backed by a detached ArrayBuffer", "TypeError");
  if (a.ElementLength() != length)
    throw_error(env, "ERR_BLASNET_SHAPE",
                std::string("native: config.") + key + " must have " + std::to_string(length) + " elements, got " +
                    std::to_string(a.ElementLength()),
                "RangeError");
  return std::vector<double>(a.Data(), a.Data() + length);
}

Monitor get_monitor(Napi::Object o, const std::string& path) {
  const double m = get_number(o, "monitor", path);
  if (m != 0 && m != 1 && m != 2)
    throw_error(o.Env(), "ERR_BLASNET_ARG_RANGE", "native: config." + path + "monitor must be 0, 1 or 2", "RangeError");
  return static_cast<Monitor>(static_cast<int>(m));
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

TrainSetup read_train_setup(Napi::Env env, Napi::Value value, size_t x_width, size_t y_width, size_t n) {
  if (!value.IsObject()) throw_error(env, "ERR_BLASNET_ARG_TYPE", "native: config must be an object", "TypeError");
  Napi::Object o = value.As<Napi::Object>();
  TrainSetup s;
  TrainConfig& c = s.cfg;
  c.epochs = get_size(o, "epochs");
  c.batch_size = get_size(o, "batchSize");
  c.shuffle = get_number(o, "shuffle") != 0;
  c.shuffle_seed = static_cast<uint32_t>(get_number(o, "shuffleSeed"));
  const double opt = get_number(o, "optimizer");
  if (opt != 0 && opt != 1 && opt != 2 && opt != 3)
    throw_error(env, "ERR_BLASNET_ARG_RANGE", "native: config.optimizer must be 0, 1, 2 or 3", "RangeError");
  c.optim.kind = static_cast<Optimizer>(static_cast<int>(opt));
  c.learning_rate = get_number(o, "learningRate");
  c.optim.beta = get_number(o, "beta");
  c.optim.beta1 = get_number(o, "beta1");
  c.optim.beta2 = get_number(o, "beta2");
  c.optim.eps = get_number(o, "eps");
  s.l2 = get_number(o, "l2");
  c.record_every = get_size(o, "recordEvery");
  c.tolerance = get_number(o, "tolerance");
  c.lbfgs_memory = get_size(o, "lbfgsMemory");
  if (c.lbfgs_memory < 1) throw_error(env, "ERR_BLASNET_ARG_RANGE", "native: config.lbfgsMemory must be ≥ 1", "RangeError");

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
    const double t = get_number(sc, "type", "schedule.");
    if (t != 0 && t != 1 && t != 2 && t != 3)
      throw_error(env, "ERR_BLASNET_ARG_RANGE", "native: config.schedule.type must be 0, 1, 2 or 3", "RangeError");
    c.schedule.type = static_cast<ScheduleType>(static_cast<int>(t));
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
  Napi::Value nv = o.Get("validationN");
  x.nv = nv.IsUndefined() ? 0 : get_size(o, "validationN");
  if (x.nv > 0) {
    x.Xv = get_f64_copy(o, "validationX", x.nv * x_width);
    x.Yv = get_f64_copy(o, "validationY", x.nv * y_width);
    if (x.Xv.empty() || x.Yv.empty()) config_error(env, "validationX and validationY must be given with validationN");
  }
  x.weight = get_f64_copy(o, "sampleWeight", n);
  return s;
}

void TrainRecords::add(const Record& r) {
  costs.push_back(r.cost);
  if (!std::isnan(r.validation_cost)) validation_costs.push_back(r.validation_cost);
  if (!std::isnan(r.validation_accuracy)) validation_accuracies.push_back(r.validation_accuracy);
  if (!std::isnan(r.learning_rate)) learning_rates.push_back(r.learning_rate);
}

ProgressRecord to_progress(const Record& r) {
  ProgressRecord p{static_cast<double>(r.epoch), r.cost};
  p.validation_cost = r.validation_cost;
  p.validation_accuracy = r.validation_accuracy;
  p.learning_rate = r.learning_rate;
  return p;
}

Napi::Object train_result(Napi::Env env, const TrainOutcome& out, const TrainRecords& rec) {
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
  return r;
}

}  // namespace blasnet
