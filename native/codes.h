// The code tables shared with TypeScript, written once: each enumerator, in code order (0, 1, …),
// with its name as the TS API spells it. The enums below are made from them, and the addon exports
// them as `codes` (addon.cc), which lib/native.ts checks at load against the names TS knows and then
// uses for every code it sends. Add or reorder an entry here only; bump kAbiVersion when a binding's
// arguments change. Plain C++: no napi.h.
#pragma once

// X(enumerator, "name as in TS")
#define BLASNET_ACTIVATIONS(X) \
  X(sigmoid, "sigmoid")        \
  X(tanh, "tanh")              \
  X(relu, "relu")              \
  X(leaky_relu, "leaky-relu")  \
  X(linear, "linear")          \
  X(softmax, "softmax")

#define BLASNET_LOSSES(X)         \
  X(cross_entropy, "cross-entropy") \
  X(mse, "mse")

#define BLASNET_OPTIMIZERS(X) \
  X(gd, "gd")                 \
  X(momentum, "momentum")     \
  X(adam, "adam")             \
  X(lbfgs, "lbfgs")

#define BLASNET_MONITORS(X)                          \
  X(validation_cost, "validationCost")               \
  X(validation_accuracy, "validationAccuracy")       \
  X(cost, "cost")

// constant: no schedule (the learning rate stays α₀).
#define BLASNET_SCHEDULES(X)      \
  X(constant, "constant")         \
  X(step, "step")                 \
  X(exponential, "exponential")   \
  X(cosine, "cosine")

// Every table, as X(table name in `codes`, its list macro).
#define BLASNET_CODE_TABLES(X)          \
  X("activations", BLASNET_ACTIVATIONS) \
  X("losses", BLASNET_LOSSES)           \
  X("optimizers", BLASNET_OPTIMIZERS)   \
  X("monitors", BLASNET_MONITORS)       \
  X("schedules", BLASNET_SCHEDULES)

#define BLASNET_ENUMERATOR(id, name) id,
#define BLASNET_PLUS_ONE(id, name) +1

namespace blasnet {

// The version of the bindings' calling conventions; lib/native.ts expects the same number.
constexpr int kAbiVersion = 7;

enum class Activation : int { BLASNET_ACTIVATIONS(BLASNET_ENUMERATOR) };
enum class Loss : int { BLASNET_LOSSES(BLASNET_ENUMERATOR) };
enum class Optimizer : int { BLASNET_OPTIMIZERS(BLASNET_ENUMERATOR) };
enum class Monitor : int { BLASNET_MONITORS(BLASNET_ENUMERATOR) };
enum class ScheduleType : int { BLASNET_SCHEDULES(BLASNET_ENUMERATOR) };

// How many codes each table has: a code c is valid when 0 ≤ c < count.
constexpr int kActivationCount = 0 BLASNET_ACTIVATIONS(BLASNET_PLUS_ONE);
constexpr int kLossCount = 0 BLASNET_LOSSES(BLASNET_PLUS_ONE);
constexpr int kOptimizerCount = 0 BLASNET_OPTIMIZERS(BLASNET_PLUS_ONE);
constexpr int kMonitorCount = 0 BLASNET_MONITORS(BLASNET_PLUS_ONE);
constexpr int kScheduleCount = 0 BLASNET_SCHEDULES(BLASNET_PLUS_ONE);

}  // namespace blasnet
