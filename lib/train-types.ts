// The training configuration both backends' trainers read, and the types of their records and
// outcomes: plain data, shared by the models, the fit driver and lib/reference/. Types only: no
// code, no imports, so every module may depend on it without a cycle.

/**
 * The optimizers: gradient descent, momentum, Adam (mini-batches or full batch), L-BFGS (full batch).
 * @example model.fitSync(X, y, { optimizer: 'adam', batchSize: 32 });
 */
export type OptimizerName = 'gd' | 'momentum' | 'adam' | 'lbfgs';

export interface OptimConfig {
  optimizer: OptimizerName;
  /** momentum β */
  beta: number;
  /** adam β1, β2, ε */
  beta1: number;
  beta2: number;
  eps: number;
}

/** n examples as rows: X (n × xWidth), Y (n × yWidth), row-major; weight (n) or null (all 1). */
export interface Rows {
  X: Float64Array;
  Y: Float64Array;
  weight: Float64Array | null;
  n: number;
}

/**
 * What early stopping and the plateau rule watch: the validation cost, the validation accuracy or the training cost.
 * @example net.fitSync(X, y, { validationSplit: 0.2, earlyStopping: { monitor: 'validationAccuracy' } });
 */
export type MonitorName = 'validationCost' | 'validationAccuracy' | 'cost';

export interface EarlyStoppingConfig {
  monitor: MonitorName;
  patience: number;
  minDelta: number;
  restoreBest: boolean;
}

export type ScheduleConfig =
  | { type: 'step'; every: number; factor: number }
  | { type: 'exponential'; factor: number }
  | { type: 'cosine'; minLearningRate: number };

export interface PlateauConfig {
  monitor: MonitorName;
  patience: number;
  factor: number;
  minLearningRate: number;
}

export interface TrainConfig extends OptimConfig {
  /** Epochs, or the L-BFGS iteration cap. */
  epochs: number;
  batchSize: number;  // 0: the whole set
  shuffle: boolean;
  shuffleSeed: number;
  learningRate: number;
  l2: number;
  recordEvery: number;
  /** L-BFGS: stop when ‖∂J/∂θ‖∞ ≤ tolerance. */
  tolerance: number;
  lbfgsMemory: number;
  earlyStopping: EarlyStoppingConfig | null;
  schedule: ScheduleConfig | null;
  reduceOnPlateau: PlateauConfig | null;
}

export interface TrainRecord {
  epoch: number;
  cost: number;
  validationCost?: number;
  validationAccuracy?: number;
  learningRate?: number;
}

export type TrainStatus = 'ok' | 'aborted' | 'diverged';
/**
 * Why a fit ended: its cap, early stopping, or (L-BFGS) the gradient norm, the cost change, a failed line search.
 * @example if (model.fitSync(X, y).reason === 'max-iterations') console.warn('raise maxIterations');
 */
export type StopReason = 'max-iterations' | 'early-stopping' | 'gradient' | 'cost-change' | 'line-search';

