// The models `train` and `cv` build from their options: the checks of how the options combine, the
// network or logistic regression they describe (with the tabular preprocessing it owns, when the data
// is a CSV), and the calls that fit and predict on a Table. Never reads files, never prints.
import { setThreads } from '../backend.js';
import type { FitResult } from '../fit.js';
import type { Classes } from '../labels.js';
import { LOGISTIC_DEFAULTS, LogisticRegression } from '../logistic.js';
import { NETWORK_DEFAULTS, NeuralNetwork } from '../network.js';
import type { Model } from '../persist.js';
import type { ActivationName, ActivationOption, HiddenActivationName, LossName } from '../spec.js';
import type { Preprocessing } from '../tabular/preprocess.js';
import type { Table } from '../tabular/table.js';
import type { OptimizerName } from '../train-types.js';
import { CliError, usageError } from './errors.js';

/** The model options `train` and `cv` share, as commander parses them (lib/cli/main.ts). */
export interface ModelOptions {
  model: 'logistic' | 'network';
  layers?: number[];
  hidden?: ActivationOption<HiddenActivationName>[];
  output?: ActivationOption<ActivationName>;
  loss?: LossName;
  epochs?: number;
  iterations?: number;
  batchSize?: number;
  learningRate?: number;
  optimizer?: OptimizerName;
  l2?: number;
  earlyStopping?: number;
  classWeight?: 'balanced' | number[];
  seed: number;
  threads?: number;
  standardize: boolean;
}

/** The options only a network takes (named as on the command line). */
const NETWORK_ONLY: [keyof ModelOptions, string][] = [
  ['layers', '--layers'], ['hidden', '--hidden'], ['output', '--output'], ['loss', '--loss'], ['batchSize', '--batch-size'],
];

/**
 * Checks the model options against each other (before any data is read), and sets --threads.
 * @param given - whether an option was given on the command line (not a default)
 * @throws {CliError} exit 2 for options that do not go together
 */
export function checkModelOptions(o: ModelOptions, given: (key: string) => boolean): void {
  if (o.model === 'logistic') {
    for (const [key, flag] of NETWORK_ONLY) {
      if (given(key)) throw usageError(`${flag} applies to --model network; logistic regression trains on the full batch (--iterations, --learning-rate, --solver, --l2)`);
    }
    if (o.iterations !== undefined && o.epochs !== undefined && o.iterations !== o.epochs) {
      throw usageError(`--epochs ${o.epochs} and --iterations ${o.iterations} disagree; for logistic regression (full batch) they are the same thing`);
    }
    if (o.optimizer !== undefined && o.optimizer !== 'gd' && o.optimizer !== 'lbfgs') throw usageError(`--solver ${o.optimizer} applies to --model network; logistic regression's solvers are gd and lbfgs`);
    if (o.optimizer === 'lbfgs' && o.learningRate !== undefined) throw usageError('--learning-rate does not apply to --solver lbfgs (it searches its own steps)');
  } else {
    if (given('iterations')) throw usageError('--iterations applies to --model logistic; a network trains for --epochs');
    if (o.optimizer === 'lbfgs' && (o.learningRate !== undefined || o.batchSize !== undefined)) throw usageError('--learning-rate and --batch-size do not apply to --optimizer lbfgs (full batch, line search)');
  }
  if (o.threads !== undefined) {
    try {
      setThreads(o.threads);
    } catch (e) {
      throw new CliError(`--threads: ${(e as Error).message}`);
    }
  }
}

/** The option that makes the model a regression whatever the target holds (--loss mse, a non-class output), or null. */
export function regressionOption(o: ModelOptions): string | null {
  if (o.loss === 'mse') return '--loss mse';
  if (o.output !== undefined) {
    const name = typeof o.output === 'string' ? o.output : o.output.name;
    if (name !== 'sigmoid' && name !== 'softmax') return `--output ${name}`;
  }
  return null;
}

/** What the model is for: the task, and for a classifier its classes (as the data names them). */
export interface ModelTask {
  task: 'classification' | 'regression';
  /** The classes, sorted as the model sorts them; null for regression. */
  classes: Classes | null;
}

/** A model ready to fit, with what the report says of it. */
export interface BuiltModel {
  model: Model;
  /** The epochs (network) or iterations (logistic) asked for. */
  total: number;
  unit: 'epoch' | 'iteration';
  /** One line: the model, its optimizer and its length. */
  description: string;
  /** The options of `fit` (a logistic model has them in its constructor). */
  fitOptions: Record<string, unknown>;
}

/**
 * The model the options describe, for `nInputs` inputs, owning `prep` (CSV data) or not (IDX data).
 * @throws {CliError} exit 2 for an architecture the library refuses or that does not fit the classes
 */
export function buildModel(o: ModelOptions, t: ModelTask, nInputs: number, prep: Preprocessing | null): BuiltModel {
  const k = t.classes?.length ?? 0;
  const lbfgs = o.optimizer === 'lbfgs';
  if (o.model === 'logistic') {
    const lrOptimizer = lbfgs ? 'lbfgs' : 'gd';
    const iterations = o.iterations ?? o.epochs ?? LOGISTIC_DEFAULTS.epochs(lrOptimizer), learningRate = o.learningRate ?? LOGISTIC_DEFAULTS.learningRate(lrOptimizer);
    const options = lbfgs
      ? { solver: 'lbfgs' as const, maxIterations: iterations, recordEvery: 1, seed: o.seed, ...(o.l2 !== undefined ? { l2: o.l2 } : {}) }
      : { learningRate, iterations, recordEvery: 1, seed: o.seed, ...(o.l2 !== undefined ? { l2: o.l2 } : {}) };
    const model = withPreprocessing((extra) => new LogisticRegression({ ...options, ...extra }), prep);
    return {
      model,
      total: iterations,
      unit: 'iteration',
      description: `logistic regression (${k > 2 ? `multinomial, ${k} classes` : 'binary'}), ${nInputs} inputs; ${lbfgs ? 'L-BFGS' : `gradient descent, learning rate ${learningRate}`}, ` +
        `${lbfgs ? 'at most ' : ''}${iterations} iterations${o.l2 ? `, l2 ${o.l2}` : ''}`,
      fitOptions: {},
    };
  }
  const hiddenSizes = o.layers ?? [32];
  const output = o.output ?? (t.task === 'regression' ? 'linear' : k > 2 ? 'softmax' : 'sigmoid');
  const loss = o.loss ?? (t.task === 'regression' ? 'mse' : 'cross-entropy');
  const outName = typeof output === 'string' ? output : output.name;
  const sL = t.task === 'classification' && outName === 'softmax' ? k : 1;
  if (t.task === 'classification' && sL === 1 && k > 2) throw usageError(`--output ${JSON.stringify(outName)} has one output unit; the target has ${k} classes: use --output softmax`);
  const hidden = o.hidden === undefined ? undefined : o.hidden.length === 1 ? o.hidden[0]! : o.hidden;
  if (Array.isArray(hidden) && hidden.length !== hiddenSizes.length) throw usageError(`--hidden lists ${hidden.length} activations for ${hiddenSizes.length} hidden layers`);
  let model: NeuralNetwork;
  try {
    model = withPreprocessing((extra) => new NeuralNetwork({ layers: [nInputs, ...hiddenSizes, sL], ...(hidden !== undefined ? { hidden } : {}), output, loss, seed: o.seed, ...extra }), prep);
  } catch (e) {
    throw usageError((e as Error).message.replace(/^options\./, ''));
  }
  const optimizer = o.optimizer ?? NETWORK_DEFAULTS.optimizer;
  const total = o.epochs ?? NETWORK_DEFAULTS.epochs(optimizer);
  const acts = model.spec.layers.map((l) => (l.g.name === 'leaky-relu' ? `leaky-relu(${l.g.alpha})` : l.g.name));
  return {
    model,
    total,
    unit: 'epoch',
    description: `network ${model.spec.sizes.join('-')}, ${acts.slice(0, -1).join('/') || 'no hidden layer'} → ${acts.at(-1)}, loss ${loss}; ` +
      `${optimizer}${o.learningRate !== undefined ? `, learning rate ${o.learningRate}` : ''}${lbfgs ? ', full batch' : `, batch ${o.batchSize ?? NETWORK_DEFAULTS.batchSize}`}, ` +
      `${o.epochs === undefined ? 'up to ' : ''}${total} epochs${o.l2 ? `, l2 ${o.l2}` : ''}`,
    fitOptions: {
      ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
      ...(o.optimizer !== undefined ? { optimizer: o.optimizer } : {}),
      ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
      ...(o.learningRate !== undefined ? { learningRate: o.learningRate } : {}),
      ...(o.l2 !== undefined ? { l2: o.l2 } : {}),
    },
  };
}

/** A fit's errors as the CLI reports them: bad options exit 2, everything else the library says exit 1. */
export function fitError(e: unknown): unknown {
  const code = (e as { code?: string }).code;
  if (code === 'ERR_BLASNET_CONFIG' || code === 'ERR_BLASNET_ARG_TYPE' || code === 'ERR_BLASNET_ARG_RANGE') return usageError((e as Error).message);
  if (typeof code === 'string' && code.startsWith('ERR_BLASNET')) return new CliError((e as Error).message);
  return e;
}

// ---------------------------------------------------------------------------------------------
// Models that own a tabular preprocessing: `new NeuralNetwork({ …, preprocessing })`, `model.preprocessing`,
// `fit(table, null, options)` (y from the target column; rows without one dropped, and with --impute
// drop rows missing a feature; `droppedRows` in the result), `predict(table)`, `predictProba(table)`.

function withPreprocessing<M extends Model>(make: (extra: Record<string, unknown>) => M, prep: Preprocessing | null): M {
  return make(prep === null ? {} : { preprocessing: prep });
}

/**
 * Fits on a Table: y is the preprocessing's target column; the validation rows' targets are given
 * (the model drops those rows too where --impute drop says so).
 */
export async function fitTable(model: Model, table: Table, validation: { X: Table; y: Float64Array | string[] | boolean[] } | null, options: Record<string, unknown>): Promise<FitResult> {
  return model.fit(table, null, { ...options, ...(validation ? { validation } : {}) } as never);
}
