// Public exports only.
export { Matrix } from './matrix.js';
export { LogisticRegression } from './logistic.js';
export type { LogisticRegressionOptions, LogisticFitOptions, LogisticAsyncFitOptions, FitResult, FitProgress } from './logistic.js';
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
export { modelToJSON, modelFromJSON, saveModel, loadModel } from './persist.js';
export type { Model } from './persist.js';
export { MODEL_FORMAT, MODEL_FORMAT_VERSION, SUPPORTED_MODEL_VERSIONS, MODEL_JSON_LIMITS, DEFAULT_MAX_MODEL_BYTES, MAX_MODEL_BYTES_LIMIT } from './format.js';
export type {
  ModelJSON, NetworkModelJSON, LogisticModelJSON, ModelKind, ModelMetadata, ModelFromJSONOptions, ModelLoadOptions, InputScalingJSON, PreprocessingJSON,
} from './format.js';
export type { InputScaling, InputScalingOption } from './scaling.js';
