// Public exports only: no code here. The package's API reference (npm run docs) starts from this file.

/**
 * Logistic regression and dense neural networks for Node.js, in float64, on OpenBLAS through a
 * Node-API addon (prebuilt for linux-x64 glibc, or built locally), with a pure-TypeScript reference
 * backend that computes the same mathematics when the addon is unavailable.
 *
 * Models: {@link LogisticRegression} and {@link NeuralNetwork}. Inputs: {@link Matrix} (examples as
 * rows). Backend facts: {@link info}, {@link setThreads}, {@link getThreads}. Errors carry a stable
 * `code` ({@link ErrorCode}).
 *
 * @example
 * ```ts
 * import { NeuralNetwork, Matrix, Preprocessing, readCsv, info } from 'blasnet';        // or: const { … } = require('blasnet')
 * const X = Matrix.from([[0, 0], [0, 1], [1, 0], [1, 1]]);
 * const net = new NeuralNetwork({ layers: [2, 4, 1], hidden: 'tanh', seed: 1 });
 * await net.fit(X, [0, 1, 1, 0], { epochs: 3000, learningRate: 0.5 });
 * net.predictSync(X);        // Float64Array [0, 1, 1, 0]
 * info().backend;            // 'native'
 *
 * // Tabular data: a CSV with names, categories and gaps, preprocessing owned by the model.
 * const table = await readCsv('penguins.csv');
 * const prep = Preprocessing.fit(table, { target: 'species', ignore: ['id'] });
 * const model = new NeuralNetwork({ layers: [prep.nFeatures, 16, 3], preprocessing: prep, seed: 1 });
 * await model.fit(table);
 * model.predictSync([{ island: 'Dream', bill_length_mm: 39.1, sex: 'FEMALE' }]); // ['Adelie']
 * ```
 * @packageDocumentation
 */
export { Matrix } from './matrix.js';
export { LOGISTIC_DEFAULTS, LogisticRegression } from './logistic.js';
export type { LogisticRegressionOptions } from './logistic.js';
export type { Task, TrainingOptions, FitOptions, AsyncFitOptions, CheckpointOption, SourceFitOptions } from './estimator.js';
export type { DataSource, SyncDataSource, TrainingBatch } from './stream.js';
export type { FitResult } from './fit.js';
export type { FitProgress } from './training.js';
export type { OptimizerName } from './train-types.js';
export type { EarlyStoppingOption, ScheduleOption, PlateauOption, TrainingResultFields } from './training.js';
export type { MonitorName, StopReason } from './train-types.js';
export { info, setThreads, getThreads } from './backend.js';
export type { BackendOption, BackendName, BinaryKind, BlasInfo } from './backend.js';
export { AbortError, BlasnetError, BlasnetRangeError, BlasnetTypeError, DivergenceError, ERROR_CLASSES, blasnetError } from './errors.js';
export type { ErrorCode, BlasnetErrorClass } from './errors.js';
export { Random } from './random.js';
export type { ShuffleTarget } from './random.js';
export { trainTestSplit, Standardizer, takeRows } from './data.js';
export type { TrainTestSplitResult } from './data.js';
export type { TrainTestSplitOptions, Takeable, SplitExamples, SplitTargets, ExamplesPart, TargetsPart } from './data.js';
export { kFold, crossValidate } from './crossval.js';
export type { Fold, KFoldOptions, CrossValidateOptions, CrossValidateResult, CrossValidationModel, ScoringName, ScoringFunction } from './crossval.js';
export { readCsv, parseCsv, detectDelimiter, CSV_DELIMITERS } from './tabular/csv.js';
export type { CsvOptions } from './tabular/csv.js';
export { Table, DEFAULT_MISSING } from './tabular/table.js';
export type { ColumnType, Cell, ColumnSummary, TableOptions } from './tabular/table.js';
export { Preprocessing, inferTask, MAX_INFERRED_CLASSES } from './tabular/preprocess.js';
export { scanCsv, csvBatches, holdoutRows, readCsvChunks } from './tabular/scan.js';
export type { ScanOptions, CsvScan, CsvBatchOptions, CsvChunkOptions } from './tabular/scan.js';
export type { PreprocessingOptions, ImputeStrategy, TargetTask, FeatureEncoding, PreprocessingReport, TabularJSON } from './tabular/preprocess.js';
export { NeuralNetwork } from './network.js';
export { NETWORK_DEFAULTS } from './network.js';
export type { NeuralNetworkOptions } from './network.js';
export type { TrainingDefaults } from './estimator.js';
export type { ActivationName, HiddenActivationName, ActivationOption, LossName, NetSpec, LayerSpec, Activation } from './spec.js';
export { gradientCheck } from './gradcheck.js';
export type { GradientCheckResult } from './gradcheck.js';
export { modelToJSON, modelFromJSON, saveModel, loadModel } from './persist.js';
export type { Model } from './persist.js';
export { MODEL_FORMAT, MODEL_FORMAT_VERSION, SUPPORTED_MODEL_VERSIONS, MODEL_JSON_LIMITS, DEFAULT_MAX_MODEL_BYTES, MAX_MODEL_BYTES_LIMIT } from './format/spec.js';
export type { ModelKind } from './format/spec.js';
export type {
  ModelJSON, NetworkModelJSON, LogisticModelJSON, ModelMetadata, ModelFromJSONOptions, ModelLoadOptions, ModelSaveOptions, InputScalingJSON, PreprocessingJSON,
  TrainStateJSON,
} from './format/types.js';
export type { JsonTreeLimits } from './jsontree.js';
export type { InputScaling, InputScalingOption } from './scaling.js';
export { exportOnnx, ONNX_OPSET } from './onnx.js';
export type { OnnxExportOptions } from './onnx.js';
export { uniqueLabels, unionLabels, encodeLabels, decodeLabels, labelKind, classWeightByIndex, classesFromJSON, sameClasses } from './labels.js';
export type { Label, Classes, LabelsInput } from './labels.js';
export {
  accuracyScore, precisionScore, recallScore, f1Score, confusionMatrix, logLoss, rocAucScore, r2Score, meanSquaredError, meanAbsoluteError,
} from './metrics.js';
export type {
  Average, ScoreResult, SampleWeight, IndicatorInput, ValuesInput, ClassificationScoreOptions, AccuracyOptions, ConfusionMatrixOptions, LogLossOptions, RocAucOptions,
  RegressionMetricOptions,
} from './metrics.js';
