// `blasnet train`: reads the data, decides the task, splits off a validation set, standardizes with
// training statistics (stored in the model), fits with a progress bar, reports metrics, saves the
// model and the learning curve. Options arrive as parsed by commander (lib/cli/main.ts); this file
// checks how they combine. It never prints a stack trace: every user mistake is a CliError.
import { writeFileSync } from 'node:fs';
import { setThreads } from '../backend.js';
import { Standardizer, trainTestSplit } from '../data.js';
import { LOGISTIC_DEFAULTS, LogisticRegression } from '../logistic.js';
import type { Matrix } from '../matrix.js';
import { NETWORK_DEFAULTS, NeuralNetwork } from '../network.js';
import type { OptimizerName } from '../train-types.js';
import type { ActivationOption, HiddenActivationName, LossName, ActivationName } from '../spec.js';
import { loadData } from './data.js';
import { CliError, usageError } from './errors.js';
import { classificationReport, regressionReport, type Report } from './metrics.js';
import { predictRows, saveCliModel, type CliModelInfo } from './modelfile.js';
import { learningCurveSvg, type Series } from './plot.js';
import { progressBar } from './progress.js';

export interface TrainOptions {
  target?: string;
  idxImages?: string;
  idxLabels?: string;
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
  validation?: number;
  out?: string;
  plot?: string;
  json?: boolean;
}

/** The options only a network takes (named as on the command line). */
const NETWORK_ONLY: [keyof TrainOptions, string][] = [
  ['layers', '--layers'], ['hidden', '--hidden'], ['output', '--output'], ['loss', '--loss'], ['batchSize', '--batch-size'],
];

/** The task the target implies: class indices 0…k−1 (k ≥ 2) for classification, anything else regression. */
function classCount(y: Float64Array): number {
  let max = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!Number.isInteger(v) || v < 0 || v > 999) return 0;
    if (v > max) max = v;
  }
  return Math.max(2, max + 1);
}

/** Names the first row whose target is not one of the allowed classes. */
function checkClasses(y: Float64Array, k: number, what: string): void {
  for (let i = 0; i < y.length; i++) {
    if (!(Number.isInteger(y[i]) && y[i]! >= 0 && y[i]! < k)) {
      throw new CliError(`${what}: data row ${i + 1} has target ${y[i]}; expected a class index 0…${k - 1}`);
    }
  }
}

function report(info: CliModelInfo, y: Float64Array, values: Float64Array): Report {
  return info.task === 'classification' ? classificationReport(y, values, info.classes) : regressionReport(y, values);
}

function headline(r: Report): string {
  return r.task === 'classification' ? `accuracy ${(100 * r.accuracy).toFixed(2)}%, macro F1 ${r.macro.f1.toFixed(4)}` : `MSE ${r.mse.toPrecision(6)}, R² ${r.r2.toFixed(4)}`;
}

/**
 * Runs `blasnet train`. Writes its report to `out` (stdout) and the progress bar to `tty` when it is a terminal.
 * @throws {CliError} bad data, an impossible combination of options, a diverged fit
 */
export async function train(data: string | undefined, o: TrainOptions, given: (name: string) => boolean, out: NodeJS.WriteStream): Promise<void> {
  const print = (s = '') => out.write(`${s}\n`);
  // Options that cannot apply to the model asked for.
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
  const ds = loadData(data, o, true);
  const source = data ?? o.idxImages!;
  const y = ds.y!;
  const n = ds.X.rows, m = ds.X.cols;

  // The task.
  let info: CliModelInfo;
  const regressionAsked = o.loss === 'mse' || (o.output !== undefined && !['sigmoid', 'softmax'].includes(typeof o.output === 'string' ? o.output : o.output.name));
  if (o.model === 'logistic') {
    checkClasses(y, 2, `${source}: logistic regression is binary`);
    info = { task: 'classification', classes: 2, features: ds.features, target: ds.target };
  } else if (regressionAsked) {
    info = { task: 'regression', classes: 0, features: ds.features, target: ds.target };
  } else {
    const k = classCount(y);
    if (k === 0 && (o.output !== undefined || o.loss !== undefined)) {
      throw new CliError(`${source}: output ${JSON.stringify(o.output ?? 'sigmoid')} with cross-entropy needs class indices 0, 1, … as the target; use --output linear --loss mse for a numeric target`);
    }
    info = k === 0 ? { task: 'regression', classes: 0, features: ds.features, target: ds.target } : { task: 'classification', classes: k, features: ds.features, target: ds.target };
  }
  const what = info.task === 'classification' ? `classification, ${info.classes} classes` : 'regression';
  if (o.classWeight !== undefined && info.task !== 'classification') throw usageError('--class-weight needs a classifier; the target is numeric (regression)');
  if (Array.isArray(o.classWeight) && o.classWeight.length !== info.classes) {
    throw usageError(`--class-weight lists ${o.classWeight.length} weights for ${info.classes} classes`);
  }
  print(`data: ${source}: ${n} rows × ${m} features${ds.target ? `, target ${JSON.stringify(ds.target)}` : ''} (${what})`);

  // Validation split, then standardization with training statistics only.
  let Xtrain = ds.X, ytrain = y, Xval: Matrix | null = null, yval: Float64Array | null = null;
  if (o.validation !== undefined) {
    const split = trainTestSplit(ds.X, y, { testFraction: o.validation, seed: o.seed });
    if (split.Xtest.rows === 0 || split.Xtrain.rows === 0) throw usageError(`--validation ${o.validation} leaves an empty set with ${n} rows`);
    ({ Xtrain, ytrain, Xtest: Xval, ytest: yval } = split);
    print(`split: ${Xtrain.rows} training, ${Xval.rows} validation (seed ${o.seed})`);
  }
  const scaler = o.standardize ? Standardizer.fit(Xtrain) : null;

  // The model.
  let model: LogisticRegression | NeuralNetwork;
  let total: number, unit: string;
  const lbfgs = o.optimizer === 'lbfgs';
  if (o.model === 'logistic') {
    // The library's defaults: the seed's gradient descent (or L-BFGS's own), recorded every iteration for the progress bar.
    const lrOptimizer = lbfgs ? 'lbfgs' : 'gd';
    const iterations = o.iterations ?? o.epochs ?? LOGISTIC_DEFAULTS.epochs(lrOptimizer), learningRate = o.learningRate ?? LOGISTIC_DEFAULTS.learningRate(lrOptimizer);
    model = new LogisticRegression(lbfgs
      ? { solver: 'lbfgs', maxIterations: iterations, recordEvery: 1, seed: o.seed, ...(o.l2 !== undefined ? { l2: o.l2 } : {}) }
      : { learningRate, iterations, recordEvery: 1, seed: o.seed, ...(o.l2 !== undefined ? { l2: o.l2 } : {}) });
    total = iterations;
    unit = 'iteration';
    print(`model: logistic regression, ${m} features; ${lbfgs ? 'L-BFGS' : `gradient descent, learning rate ${learningRate}`}, ${lbfgs ? 'at most ' : ''}${iterations} iterations${o.l2 ? `, l2 ${o.l2}` : ''}`);
  } else {
    const hiddenSizes = o.layers ?? [32];
    const output = o.output ?? (info.task === 'regression' ? 'linear' : info.classes > 2 ? 'softmax' : 'sigmoid');
    const loss = o.loss ?? (info.task === 'regression' ? 'mse' : 'cross-entropy');
    const sL = info.task === 'classification' && (typeof output === 'string' ? output : output.name) === 'softmax' ? info.classes : 1;
    if (info.task === 'classification' && sL === 1 && info.classes > 2) throw usageError(`--output ${JSON.stringify(output)} has one output unit; the target has ${info.classes} classes: use --output softmax`);
    const hidden = o.hidden === undefined ? undefined : o.hidden.length === 1 ? o.hidden[0]! : o.hidden;
    if (Array.isArray(hidden) && hidden.length !== hiddenSizes.length) throw usageError(`--hidden lists ${hidden.length} activations for ${hiddenSizes.length} hidden layers`);
    try {
      model = new NeuralNetwork({ layers: [m, ...hiddenSizes, sL], ...(hidden !== undefined ? { hidden } : {}), output, loss, seed: o.seed });
    } catch (e) {
      throw usageError((e as Error).message.replace(/^options\./, ''));
    }
    const optimizer = o.optimizer ?? NETWORK_DEFAULTS.optimizer;
    total = o.epochs ?? NETWORK_DEFAULTS.epochs(optimizer);
    unit = 'epoch';
    const acts = model.spec.layers.map((l) => (l.g.name === 'leaky-relu' ? `leaky-relu(${l.g.alpha})` : l.g.name));
    print(`model: network ${model.spec.sizes.join('-')}, ${acts.slice(0, -1).join('/') || 'no hidden layer'} → ${acts.at(-1)}, loss ${loss}; ` +
      `${optimizer}${o.learningRate !== undefined ? `, learning rate ${o.learningRate}` : ''}${lbfgs ? ', full batch' : `, batch ${o.batchSize ?? NETWORK_DEFAULTS.batchSize}`}, ${o.epochs === undefined ? 'up to ' : ''}${total} epochs${o.l2 ? `, l2 ${o.l2}` : ''}`);
  }
  if (scaler) model.setInputScaling(scaler);
  if (o.classWeight !== undefined) {
    // 'balanced' is w_c = n / (k · n_c) over the training rows (the library's definition), shown here.
    const counts = new Array<number>(info.classes).fill(0);
    for (const c of ytrain) counts[c]!++;
    const w = o.classWeight === 'balanced' ? counts.map((nc) => (nc > 0 ? ytrain.length / (info.classes * nc) : 0)) : o.classWeight;
    print(`class weights: ${o.classWeight === 'balanced' ? 'balanced, ' : ''}${w.map((v, c) => `${c}: ${Number(v.toPrecision(4))}`).join(', ')}`);
  }
  if (o.earlyStopping !== undefined) {
    print(`early stopping: after ${o.earlyStopping} ${unit}s without a better ${Xval ? 'validation' : 'training'} cost, keeping the best parameters`);
  }

  // Fit, with the progress bar on a terminal. The records give the learning curve.
  const bar = progressBar(total, unit, out, Xval !== null);
  const costs: [number, number][] = [], validationCosts: [number, number][] = [];
  const shared = {
    ...(Xval && yval ? { validation: { X: Xval, y: yval } } : {}),
    ...(o.earlyStopping !== undefined ? { earlyStopping: { patience: o.earlyStopping } } : {}),
    ...(o.classWeight !== undefined ? { classWeight: o.classWeight } : {}),
  };
  // A network's record `iteration` is the epoch index from 0 (the cost during, or at the end of, epoch e + 1);
  // logistic regression's is the iteration whose parameters it describes, from 0.
  const shift = unit === 'epoch' ? 1 : 0;
  const onProgress = ({ iteration, cost, validationCost }: { iteration: number; cost: number; validationCost?: number }) => {
    const x = iteration + shift;
    costs.push([x, cost]);
    if (validationCost !== undefined) validationCosts.push([x, validationCost]);
    bar.update(x, cost, validationCost);
  };
  const t0 = performance.now();
  let result: { stoppedEarly: boolean; reason: string; bestEpoch?: number; bestValue?: number; epochs: number };
  try {
    if (o.model === 'logistic') {
      result = await model.fit(Xtrain, ytrain, { ...shared, onProgress });
    } else {
      result = await model.fit(Xtrain, ytrain, {
        ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
        ...(o.optimizer !== undefined ? { optimizer: o.optimizer } : {}),
        ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
        ...(o.learningRate !== undefined ? { learningRate: o.learningRate } : {}),
        ...(o.l2 !== undefined ? { l2: o.l2 } : {}),
        ...shared,
        onProgress,
      });
    }
  } catch (e) {
    bar.stop();
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BLASNET_CONFIG' || code === 'ERR_BLASNET_ARG_TYPE' || code === 'ERR_BLASNET_ARG_RANGE') throw usageError((e as Error).message);
    if (typeof code === 'string' && code.startsWith('ERR_BLASNET')) throw new CliError((e as Error).message);
    throw e;
  }
  const done = result.epochs;
  bar.update(done, costs.at(-1)?.[1] ?? NaN, validationCosts.at(-1)?.[1]);
  bar.stop();
  const seconds = (performance.now() - t0) / 1000;

  // Final metrics.
  // J on the data alone, as the recorded costs are (a logistic model's costAndGradients adds its (λ/2)‖w‖²).
  // The data term alone (no L2 penalty), as the validation cost is reported.
  const dataCost = (X: Matrix, t: Float64Array) => model.costAndGradients(X, t, { l2: 0 }).cost;
  const trainPred = predictRows(model, info, Xtrain);
  const trainReport = report(info, ytrain, trainPred.values);
  print(`trained: ${done} ${unit}s in ${seconds.toFixed(2)} s${result.reason === 'max-iterations' ? '' : ` (stopped: ${result.reason})`}`);
  const bestRecord = result.bestEpoch;
  const best = bestRecord === undefined ? undefined : bestRecord + shift;
  if (o.earlyStopping !== undefined && best !== undefined) {
    print(`best ${unit}: ${best}, ${Xval ? 'validation' : 'training'} cost ${result.bestValue?.toPrecision(5)} (its parameters kept)`);
  }
  print(`training:   ${headline(trainReport)}, cost ${dataCost(Xtrain, ytrain).toPrecision(5)} (${Xtrain.rows} examples)`);
  if (Xval && yval) {
    const valReport = report(info, yval, predictRows(model, info, Xval).values);
    print(`validation: ${headline(valReport)}, cost ${dataCost(Xval, yval).toPrecision(5)} (${Xval.rows} examples)`);
  }
  if (o.out) {
    await saveCliModel(model, info, o.out);
    print(`model saved to ${o.out}${scaler ? ' (with its input standardization)' : ''}`);
  } else {
    print('model not saved (use --out model.json)');
  }
  if (o.plot) {
    const series: Series[] = [{ name: 'training cost', points: costs }];
    if (validationCosts.length > 0) series.push({ name: 'validation cost', points: validationCosts });
    try {
      const marker = o.earlyStopping !== undefined && best !== undefined ? { marker: { x: best, label: `best ${unit} ${best}` } } : {};
      writeFileSync(o.plot, learningCurveSvg(series, { title: `Learning curve: ${source}`, xLabel: unit, ...marker }));
    } catch (e) {
      throw new CliError(`cannot write the plot to ${o.plot}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    print(`learning curve written to ${o.plot}`);
  }
}
