// The N-API side of the trainer, shared by both bindings: reads the training configuration the
// TS layer built (lib/native.ts, NativeTrainConfig), copies its validation set and sample weights,
// and builds the fields of a fit result. Only lengths are re-checked here: TS validated the rest.
#pragma once
#include <napi.h>

#include <vector>

#include "trainer.h"
#include "worker.h"

namespace blasnet {

// Owned copies of what a fit reads besides X and Y.
struct TrainExtras {
  std::vector<double> Xv, Yv, weight;
  size_t nv = 0;
  Rows validation() const { return {Xv.data(), Yv.data(), nullptr, nv}; }
  const double* weights() const { return weight.empty() ? nullptr : weight.data(); }
};

struct TrainSetup {
  TrainConfig cfg;
  double l2 = 0;
  TrainExtras extras;
  TrainState state;  // what the fit starts from (config.state, boundary.h parse_train_state); updated in place by the fit
};

// config: the NativeTrainConfig object; x_width, y_width: values per row; n: training rows;
// n_params: θ's length (the state's buffers are checked against it).
TrainSetup read_train_setup(Napi::Value config, size_t x_width, size_t y_width, size_t n, size_t n_params);

// The recorded series of a fit.
struct TrainRecords {
  std::vector<double> costs, validation_costs, validation_accuracies, learning_rates;
  void add(const Record& r);
};

// Runs the trainer on `model` with the setup's validation set, weights and starting state (s.state,
// which ends as the fit's final state), collecting the records and reporting each one to progress
// (which may run JavaScript: sync fits).
TrainOutcome run_training(Objective& model, double* theta, const double* X, const double* Y, size_t n, TrainSetup& s,
                          TrainRecords& records, Progress& progress);

// { status, reason, epochs, steps, lastCost, evaluations, costs, validationCosts, validationAccuracies,
//   learningRates, stoppedEarly, bestEpoch?, bestValue?, state } — the caller adds the parameters.
Napi::Object train_result(Napi::Env env, const TrainOutcome& out, const TrainRecords& rec, const TrainState& state);

}  // namespace blasnet
