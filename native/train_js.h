// The N-API side of the trainer, shared by both bindings: reads the training configuration the
// TS layer built (lib/native.ts, NativeTrainConfig), copies its validation set and sample weights,
// and builds the fields of a fit result. Only lengths are re-checked here: TS validated the rest.
#pragma once
#include <napi.h>

#include <functional>
#include <memory>
#include <vector>

#include "stream.h"
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

// { status, reason, epochs, steps, lastCost, evaluations, costs, validationCosts, validationAccuracies,
//   learningRates, stoppedEarly, bestEpoch?, bestValue?, state } — the caller adds the parameters.
Napi::Object train_result(Napi::Env env, const TrainOutcome& out, const TrainRecords& rec, const TrainState& state);

// How an in-memory fit reads the caller's X:
// - in_place: the caller's arrays as they are (fitSync without hooks: no JavaScript runs until it
//   returns, so nothing can change or free them meanwhile);
// - copy_after_queue: its own copy, made by copy_rows() on the calling thread once the job is queued
//   (run_async) and before the call returns, while the job starts on the rows copied so far;
// - copy_in_run: its own copy, made by a thread run() starts while it trains, and joined before any
//   record or message reaches JavaScript and before run() returns or throws (fitSync with hooks:
//   JavaScript then runs between steps, and may write into X).
// A copy takes the rows in the order the fit's first epoch reads them (trainer.h first_epoch_order),
// and the trainer waits for each row it reads (RowGate). θ and Y are copied when the job is made.
enum class FitInput { in_place, copy_after_queue, copy_in_run };

// A fit, for every model: the trainer on the objective `make` builds (on the job's thread) from the
// setup, over the job's rows (its own copies, or the caller's arrays in place: FitInput), reporting
// each record to progress and posting each checkpoint (config.checkpointEvery) to the main thread,
// where on_message hands it to hooks.checkpoint as { theta, state } (new arrays; the newest
// snapshot when several were taken while the main thread was busy: CheckpointSlot).
//
// A fit from a data source has no rows: its batches come from the main thread while it trains
// (native/stream.h BatchQueue). Each request reaches on_message, which calls
// hooks.batch(epoch, deliver) — epoch: the global epoch to open, or −1 for the open epoch's next
// batch — and JavaScript answers, then (sync) or later (async), with deliver(batch | null | false)
// (native/boundary.h parse_stream_item); deliver returns false when the fit no longer waits.
class FitJob final : public Job {
 public:
  using MakeObjective = std::function<std::unique_ptr<Objective>(const TrainSetup&)>;
  // iterations: the result also carries `iterations` (= steps), as the logistic binding's does.
  FitJob(const Batch& b, TrainSetup setup, MakeObjective make, FitInput input, bool iterations);
  // A fit from a data source: θ (P, copied here), x_width and y_width values per batch row; sync: the
  // job runs on the main thread (fitStreamSync: every batch is delivered inside hooks.batch).
  FitJob(F64View theta, size_t x_width, size_t y_width, TrainSetup setup, MakeObjective make, bool sync, bool iterations);
  void run(Progress& progress) override;
  // { status, reason, epochs, steps, lastCost, evaluations, costs, validationCosts,
  //   validationAccuracies, learningRates, stoppedEarly, bestEpoch?, bestValue?, state, theta[, iterations] }
  Napi::Value result(Napi::Env env) override;
  void on_message(Napi::Env env, const JobMessage& m, const JobHooks& hooks) override;
  // FitInput::copy_after_queue: copies X (JobInput::copy_rows). The calling thread, once, after
  // run_async queued the job and before it returns to JavaScript. No-op for the other inputs.
  void copy_rows();

 private:
  std::unique_ptr<JobInput> in_;  // the rows of an in-memory fit, or null
  FitInput input_ = FitInput::in_place;
  std::shared_ptr<BatchQueue> queue_;  // the batches of a fit from a data source, or null (shared with the deliver functions)
  bool sync_ = false;
  TrainSetup setup_;
  MakeObjective make_;
  bool iterations_;
  std::vector<double> theta_;  // P: the parameters being trained
  TrainRecords records_;
  TrainOutcome out_;
  CheckpointSlot checkpoint_;  // sized in run() when the fit checkpoints
};

}  // namespace blasnet
