// Public exports only.
export { Matrix } from './matrix.js';
export { LogisticRegression } from './logistic.js';
export type { LogisticRegressionOptions, LogisticFitOptions, LogisticAsyncFitOptions, FitResult, FitProgress, SolverName } from './logistic.js';
export type { EarlyStoppingOption, ScheduleOption, PlateauOption, TrainingResultFields, MonitorName, StopReason } from './training.js';
export { info, setThreads, getThreads } from './backend.js';
export type { BackendOption, BackendName, BlasInfo } from './backend.js';
export { AbortError, BlasnetError, BlasnetRangeError, BlasnetTypeError, DivergenceError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { Random } from './random.js';
export { trainTestSplit, Standardizer, takeRows } from './data.js';
export { NeuralNetwork } from './network.js';
export type { NeuralNetworkOptions, NetworkFitOptions, NetworkAsyncFitOptions, NetworkFitResult, OptimizerName, Targets } from './network.js';
export type { ActivationName, HiddenActivationName, ActivationOption, LossName } from './spec.js';
export { gradientCheck } from './gradcheck.js';
export type { GradientCheckResult } from './gradcheck.js';
export { modelToJSON, modelFromJSON, saveModel, loadModel, MODEL_FORMAT, MODEL_FORMAT_VERSION, SUPPORTED_MODEL_VERSIONS } from './persist.js';
export type { Model, ModelJSON, NetworkModelJSON, LogisticModelJSON, ModelKind, ModelMetadata, ModelFromJSONOptions, ModelLoadOptions } from './persist.js';
