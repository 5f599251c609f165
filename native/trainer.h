// The one training loop of the native backend, for every model: a model is θ (one flat vector)
// plus an Objective (cost and gradient over a batch of rows). The trainer owns epochs, batches,
// seeded shuffling, recording, validation, early stopping, learning-rate schedules, L-BFGS
// iterations, cancellation and divergence. Plain C++: no napi.h, no model knowledge, nothing
// allocated per batch.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "codes.h"
#include "optim.h"

namespace blasnet {

class ThreadTeam;

// n examples as rows: X (n × x_width), Y (n × y_width), both row-major; weight (n) or null (all 1).
struct Rows {
  const double* X = nullptr;
  const double* Y = nullptr;
  const double* weight = nullptr;
  size_t n = 0;
};

struct CostGrad {
  double cost;   // J (NaN when not asked for)
  bool finite;   // every value that fed J and the gradient is finite
};

struct Eval {
  double cost;      // the mean loss (unweighted, no regularization term)
  double accuracy;  // fraction of rows classified right; NaN for a model that is not a classifier
};

class Objective {
 public:
  virtual ~Objective() = default;
  virtual size_t n_params() const = 0;
  virtual size_t x_width() const = 0;
  virtual size_t y_width() const = 0;
  // The thread team the model's passes use, shared with the optimizer's updates (may be null).
  virtual ThreadTeam* team() = 0;
  // Sizes the buffers for batches of up to `batch` rows and evaluations of up to `eval` rows.
  virtual void reserve(size_t batch, size_t eval) = 0;
  // The training rows, fixed for the whole fit (called once, after reserve). A model may keep a copy
  // laid out for its kernels and use it for the batches that are rows of `data` in place.
  virtual void bind(const Rows& data) { (void)data; }
  // Whether, once bound, the model may read rows of the data other than the batch it is given (at
  // bind or at any later call: LogisticObjective's padded copy). A fit whose rows are still being
  // copied in (RowGate) then binds only once every row may be read.
  virtual bool bind_reads_all_rows() const { return false; }
  // J = Σ_j w_j L_j / Σ_j w_j (+ the model's regularization) over the batch, and grad (n_params,
  // overwritten) = ∂J/∂θ. With want_cost false J may be left NaN.
  virtual CostGrad cost_grad(const double* theta, const Rows& batch, double* grad, bool want_cost) = 0;
  // The validation figures at θ over rows (weights ignored).
  virtual Eval evaluate(const double* theta, const Rows& rows) = 0;
};

struct EarlyStopping {
  bool on = false;
  Monitor monitor = Monitor::validation_cost;
  size_t patience = 0;
  double min_delta = 0;
  bool restore_best = true;
};

// α_e for global epoch (iteration) e: step α₀·f^⌊e/every⌋; exponential α₀·f^e;
// cosine α_min + (α₀ − α_min)·(1 + cos(π k / E))/2 for the fit's k-th of its E epochs.
struct Schedule {
  ScheduleType type = ScheduleType::constant;
  size_t every = 1;
  double factor = 1;
  double min_learning_rate = 0;
};

// After `patience` records without an improvement of the monitored value, the learning rate is
// multiplied by `factor`, never below min_learning_rate.
struct Plateau {
  bool on = false;
  Monitor monitor = Monitor::validation_cost;
  size_t patience = 0;
  double factor = 0.1;
  double min_learning_rate = 0;
};

struct TrainConfig {
  size_t epochs = 1;      // this fit's epochs, or L-BFGS iterations (the cap)
  size_t batch_size = 0;  // 0: the whole set
  bool shuffle = false;
  uint32_t shuffle_seed = 0;  // the model's seed: epoch e's order comes from epoch_shuffle_seed(seed, e)
  OptimConfig optim;
  double learning_rate = 0.01;
  size_t record_every = 1;
  EarlyStopping early;
  Schedule schedule;
  Plateau plateau;
  double tolerance = 1e-6;  // L-BFGS: stop when ‖∂J/∂θ‖∞ ≤ tolerance
  size_t lbfgs_memory = 10;
  // A checkpoint (TrainHooks::checkpoint) after every epoch (L-BFGS: iteration) that completes a
  // multiple of checkpoint_every global epochs; 0: none.
  size_t checkpoint_every = 0;
};

// The counters of a monitored quantity (early stopping, the plateau rule): its best value so far
// (when has) and the records since it last improved.
struct TrackerState {
  bool has = false;
  double best = 0;
  size_t wait = 0;
};

// What a fit starts from and ends with besides θ: the state a warm start continues (lib/train-types.ts
// TrainState holds the same numbers under the same names: epoch; optimizer.steps, m, v;
// earlyStopping.best, wait, bestEpoch; reduceOnPlateau.best, wait, learningRate). The job owns it; train() sizes its empty buffers (zeros: a
// fresh optimizer), then updates it in place, so a fit that stops anywhere (cancelled, early
// stopping, the cap) leaves the state that goes with θ. A non-empty buffer of a length other than
// the optimizer's is refused (std::invalid_argument).
struct EarlyStoppingState : TrackerState {
  size_t best_epoch = 0;  // the epoch of the best record (when has)
};
struct PlateauState : TrackerState {
  double learning_rate = 0;  // the rule's current learning rate (0: not started, the fit's learning rate)
};
struct TrainState {
  size_t epoch = 0;       // epochs (L-BFGS iterations) completed, over every fit: keys shuffles and schedules
  size_t steps = 0;       // steps this optimizer state has taken (Adam's t)
  std::vector<double> m;  // P: momentum's velocity v or Adam's first moment m; empty for gd and L-BFGS
  std::vector<double> v;  // P: Adam's second moment; empty otherwise
  EarlyStoppingState early_stopping;
  PlateauState reduce_on_plateau;
};

// Copies a state's numbers into `to`, whose m and v have the lengths of `from`'s (no allocation):
// the best record's state (restoreBest) and a checkpoint's snapshot.
void copy_state_into(TrainState& to, const TrainState& from);

// One record: epoch (iteration), J, the validation figures (NaN without validation / for a
// non-classifier), the learning rate in use (NaN for L-BFGS).
struct Record {
  size_t epoch;
  double cost, validation_cost, validation_accuracy, learning_rate;
};

// What a fit reports to its caller and polls: every record; whether to stop (before every step);
// and, at checkpoint epochs (TrainConfig::checkpoint_every), θ (P) and the state that goes with it,
// read during the call only (a caller that keeps them copies them). An empty checkpoint is never
// called.
struct TrainHooks {
  std::function<void(const Record&)> record;
  std::function<bool()> cancelled;
  std::function<void(const double* theta, const TrainState& state)> checkpoint;
};

enum class TrainStatus { ok = 0, aborted = 1, diverged = 2 };
enum class StopReason { epochs = 0, early_stopping = 1, gradient = 2, cost_change = 3, line_search = 4 };

struct TrainOutcome {
  TrainStatus status = TrainStatus::ok;
  StopReason reason = StopReason::epochs;
  size_t epochs = 0;     // completed epochs (iterations) of this fit
  size_t steps = 0;      // optimizer steps (L-BFGS iterations) taken
  double last_cost = 0;  // the cost that stopped a diverged fit; J at the final θ for L-BFGS; else the last recorded
  bool stopped_early = false;
  bool has_best = false;   // early stopping tracked a best record
  size_t best_epoch = 0;
  double best_value = 0;
  size_t evaluations = 0;  // cost-and-gradient evaluations (L-BFGS line searches included)
};

// Where the first-order loop takes an epoch's batches from: the fit's rows (train() below: in
// place, or gathered in epoch e's shuffle order), or batches handed over while the fit runs (a
// stream: native/stream.h BatchQueue). The loop's arithmetic is the same for both, so a stream of
// the batches an in-memory fit would take gives that fit's θ, state and records, bit for bit.
class BatchSource {
 public:
  virtual ~BatchSource() = default;
  enum class Next { batch, end, stopped };
  // Starts global epoch e (called once per epoch, before its first next()).
  virtual void begin_epoch(size_t e) = 0;
  // The epoch's next batch in *batch (its rows valid until the next call), or end after the epoch's
  // last batch, or stopped when no batch will come (a stream whose source failed, or that was
  // cancelled while waiting).
  virtual Next next(Rows* batch) = 0;
  // What the next call of next() will give, without taking it: batch when the batch just taken is
  // not the epoch's last, end when it is (a stream waits for the one after it), or stopped.
  virtual Next peek() = 0;
};

// What an in-memory fit waits on while its rows are still being copied in (native/boundary.h
// JobInput): wait(count) returns once the first `count` rows of first_epoch_order(cfg, n, e0) may be
// read (count ≤ n). The copy always completes, whatever the fit does, so a wait always returns.
class RowGate {
 public:
  virtual void wait(size_t count) = 0;

 protected:
  ~RowGate() = default;
};

// Trains θ (n_params, in place) on `data`, validating on `validation` when it is given, from
// `state` and for cfg.epochs epochs: global epochs e = state.epoch, … (a fresh
// fit starts at 0, a warm start where the last fit ended).
// First-order optimizers: per epoch a shuffle keyed by (cfg.shuffle_seed, e) (when cfg.shuffle and
// batches are smaller than the set), batches gathered into a reused buffer, one step each at the
// epoch's learning rate.
// A record at every global epoch e that is a multiple of cfg.record_every, numbered e: J is the
// size-weighted mean of the epoch's batch costs; for full-batch training J and the validation figures
// are those of θ before the epoch's step (the seed's recording, docs/math.md, "Training loop and cost
// records"), for mini-batches those of θ at the end of the epoch.
// L-BFGS: full batch; record e holds J of θ before iteration e; stops when ‖g‖∞ ≤ tolerance (gradient),
// when |ΔJ| ≤ 64 ε max(|J|, |J'|, 1) (cost_change), when no step satisfies the line search, or at the
// cap. Its memory of (s, y) pairs starts empty at every fit: it is not part of the state.
// Early stopping stops after `patience` records without an improvement larger than min_delta; with
// restore_best θ and the state end equal to those of the best record (the state at the start of the
// fit when the best record is an earlier fit's). Stops at a batch when cancelled() (aborted: θ and
// the state from the last completed step) or when a cost or an updated parameter is not finite
// (diverged: θ may hold the step that overflowed; the caller discards θ and the state).
// Checkpoints: after global epoch (L-BFGS iteration) e completed, its record made, when
// cfg.checkpoint_every divides e + 1, hooks.checkpoint(θ, state) with the state's epoch at e + 1:
// what a fit stopped right there would have kept, before any restore_best (so a warm start from it
// continues this fit; see docs/math.md, "Training state and warm starts").
// gate: null when every row of data.X may be read; else the fit reads a row of X only once the gate
// lets it (data.Y, data.weight and the validation rows are read freely): the rows of its first
// epoch's batches as they come, all n before any later epoch, before L-BFGS's first evaluation, and
// before bind for a model that reads all of them (Objective::bind_reads_all_rows).
TrainOutcome train(Objective& model, double* theta, const Rows& data, const Rows* validation, const TrainConfig& cfg,
                   TrainState& state, const TrainHooks& hooks, RowGate* gate = nullptr);

// The same first-order loop on the batches of `source` (its rows n × x_width, n × y_width, weights n
// or null; of any size), for an epoch count and everything else as above; cfg.batch_size and
// cfg.shuffle are not read (the source's batches are the batches). An epoch counts as one batch (a
// full-batch epoch, recorded before its step) when the source's epoch holds exactly one. The model
// reserves for the largest batch seen so far. An epoch without a batch, or a source that stops,
// ends the fit as aborted (θ and the state of the last completed step). Refuses L-BFGS
// (ERR_BLASNET_CONFIG).
TrainOutcome train(Objective& model, double* theta, BatchSource& source, const Rows* validation, const TrainConfig& cfg,
                   TrainState& state, const TrainHooks& hooks);

// The learning rate of global epoch e under cfg.schedule (before any plateau reduction), in a fit
// that started at global epoch e0: step and exponential follow e; cosine spans the fit's own
// epochs, e − e0 of cfg.epochs.
double scheduled_rate(const TrainConfig& cfg, size_t e, size_t e0);

// The seed of epoch e's shuffle: seed + 0x632be5ab · (e + 1) mod 2^32, as lib/random.ts epochShuffleSeed.
uint32_t epoch_shuffle_seed(uint32_t seed, size_t e);

// The batch size of a first-order fit of n rows in memory: cfg.batch_size, or n for 0 (full batch)
// and for anything larger than n.
size_t memory_batch_rows(const TrainConfig& cfg, size_t n);
// Whether that fit gathers its batches in a shuffled order: cfg.shuffle and batches smaller than n
// (never L-BFGS, which takes the whole set in place).
bool shuffles_rows(const TrainConfig& cfg, size_t n);
// order (its n = order.size() values overwritten; no allocation) = epoch e's order of the rows:
// 0..n−1 shuffled by Random(epoch_shuffle_seed(seed, e)). It depends on (seed, e) alone, so a warm
// start visits the batches the uninterrupted fit would have.
void epoch_order(uint32_t seed, size_t e, std::vector<uint32_t>& order);
// The order in which an in-memory fit (train above) starting at global epoch e0 reads its n rows in
// its first epoch: epoch e0's order when it shuffles (shuffles_rows), else 0..n−1, returned as an
// empty vector.
std::vector<uint32_t> first_epoch_order(const TrainConfig& cfg, size_t n, size_t e0);

// The PRNG of lib/random.ts (sfc32 seeded by splitmix32), used for shuffling so that the native and
// reference backends visit the same batches.
class Random {
 public:
  explicit Random(uint32_t seed);
  uint32_t uint32();
  double next();                                // [0, 1), 53 bits
  size_t below(size_t n) { return static_cast<size_t>(next() * static_cast<double>(n)); }
  void shuffle(std::vector<uint32_t>& a);       // Fisher–Yates, as Random.shuffle
 private:
  uint32_t a_, b_, c_, d_;
};

}  // namespace blasnet
