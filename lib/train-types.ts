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
  /** This fit's epochs, or the L-BFGS iteration cap. */
  epochs: number;
  batchSize: number;  // 0: the whole set
  shuffle: boolean;
  /** The model's seed: global epoch e's order comes from epochShuffleSeed(shuffleSeed, e) (lib/random.ts). */
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
  /** A checkpoint after every epoch (L-BFGS: iteration) that completes a multiple of this many global epochs; 0: none. */
  checkpointEvery: number;
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


/**
 * The counters of a monitored quantity (early stopping, the plateau rule): its best value so far
 * (null before the first defined one) and the records since it last improved.
 */
export interface TrackerState {
  best: number | null;
  wait: number;
}

/** The hyper-parameters other than the learning rate that an optimizer state was accumulated under, by option name. */
export interface OptimizerHyper {
  l2: number;
  momentum?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * What a model keeps of its training besides θ, and a warm start continues (docs/math.md,
 * "Training state and warm starts"). The trainers (both backends) read it at the start of a fit and
 * update it in place; a fit that stops anywhere leaves the state that goes with its θ.
 */
export interface TrainState {
  /** Epochs (L-BFGS iterations) completed over the first fit and the warm starts that continued it. */
  epoch: number;
  optimizer: {
    /** The optimizer the state belongs to. */
    name: OptimizerName;
    /** What it was accumulated under; a warm start with other values starts the optimizer afresh. */
    hyper: OptimizerHyper;
    /** Steps this state has taken (Adam's t): batches, or L-BFGS iterations. */
    steps: number;
    /** θ's layout, P values: momentum's velocity v or Adam's first moment m; empty for gd and L-BFGS. */
    m: Float64Array;
    /** θ's layout, P values: Adam's second moment v; empty otherwise. */
    v: Float64Array;
  };
  /** Early stopping's counters and the epoch of its best record (bestEpoch: meaningful once best is set). */
  earlyStopping: (TrackerState & { monitor: MonitorName; bestEpoch: number }) | null;
  /** The plateau rule's counters, its current learning rate and the fit learning rate it started from. */
  reduceOnPlateau: (TrackerState & { monitor: MonitorName; learningRate: number; initialLearningRate: number }) | null;
}
