// `blasnet train`: reads the data, decides the task (and says why), splits off a validation set
// (stratified by class for a classifier), learns the preprocessing on the training split only (a
// CSV: columns, types, imputation, categories, standardization, stored in the model; IDX: input
// standardization), fits with a progress bar, reports metrics, saves the model and the learning curve.
// Options arrive as parsed by commander (lib/cli/main.ts); this file checks how they combine. It never
// prints a stack trace: every user mistake is a CliError.
import { writeFileSync } from 'node:fs';
import { Standardizer, trainTestSplit } from '../data.js';
import type { Classes } from '../labels.js';
import type { Matrix } from '../matrix.js';
import type { Table } from '../tabular/table.js';
import { dataSource, readIdxPair, readTable, type DataOptions } from './data.js';
import { CliError, usageError } from './errors.js';
import { worseThanMean } from './metrics.js';
import { buildModel, checkModelOptions, fitError, fitTable, regressionOption, type BuiltModel, type ModelOptions } from './model.js';
import { loadModel } from '../index.js';
import { NeuralNetwork } from '../network.js';
import { classIndex, measure, saveCliModel, type Inputs, type Measured } from './modelfile.js';
import type { Sink } from './output.js';
import { learningCurveSvg, type Series } from './plot.js';
import { progressBar } from './progress.js';
import { prepareStream, streamed } from './stream.js';
import { classList, describePreprocessing, fitPreprocessing, targetData, trainingRows, type TabularOptions } from './tabular.js';

export interface TrainOptions extends ModelOptions, TabularOptions, DataOptions {
  validation?: number;
  out?: string;
  plot?: string;
  /** Stream the CSV (true), read it into memory (false), or decide by its size (undefined). */
  stream?: boolean;
  /** The shuffle buffer of a streamed file, in rows. */
  bufferRows: number;
  /** Save a checkpoint here during training. */
  checkpoint?: string;
  /** Every this many epochs (iterations). */
  checkpointEvery: number;
  /** Continue the fit saved in this checkpoint (or model file). */
  resume?: string;
}

/** The CSV-only options, for the message when they come with IDX data. */
export const CSV_ONLY: [string, string][] = [['features', '--features'], ['ignore', '--ignore'], ['task', '--task'], ['impute', '--impute']];

/** One line: the headline figures of a report. */
export function headline(m: Measured): string {
  const r = m.report;
  return r.task === 'classification'
    ? `accuracy ${(100 * r.accuracy).toFixed(2)}%, macro F1 ${r.macro.f1.toFixed(4)}${m.logLoss !== null ? `, log loss ${m.logLoss.toPrecision(5)}` : ''}`
    : `R² ${r.r2.toFixed(4)}, MSE ${r.mse.toPrecision(6)}, MAE ${r.mae.toPrecision(6)}`;
}

/** What train needs from the data, read in memory or streamed. */
export interface Prepared {
  source: string;
  task: 'classification' | 'regression';
  classes: Classes | null;
  target: string | null;
  built: BuiltModel;
  train: { X: Inputs; y: ArrayLike<unknown>; n: number } | null;
  validation: { X: Inputs; y: ArrayLike<unknown>; n: number } | null;
  /** Whether there are validation rows. */
  hasValidation: boolean;
  /** Measures the fitted model on the training and validation rows (a streamed file: one more pass). */
  measure?: (model: BuiltModel['model']) => Promise<{ train: Measured & { n: number }; validation: (Measured & { n: number }) | null }>;
  /** Fits the model (with the validation set and the callbacks given). */
  fit(options: Record<string, unknown>): Promise<{ stoppedEarly: boolean; reason: string; bestEpoch?: number; bestValue?: number; epochs: number; droppedRows: number }>;
  saved: string;
}

/** The split's refusals in the CLI's terms: a class too small to stratify (data, exit 1), a fraction that leaves a part empty (usage, exit 2). */
function splitError(e: unknown, file: string, fraction: number): unknown {
  const code = (e as { code?: unknown }).code;
  const message = (e as Error).message;
  if (code === 'ERR_BLASNET_LABEL') {
    return new CliError(`${file}: --validation ${fraction} splits each class in proportion: ${message.replace(/^options\.stratify: y's /, 'the ').replace(/example/g, 'row')}`);
  }
  if (code === 'ERR_BLASNET_ARG_RANGE') return usageError(`--validation ${fraction}: ${message.replace(/^options\.testFraction /, '').replace(/example/g, 'row')}`);
  return e;
}

/** A CSV: the Table, its target and task, the split, the preprocessing learned on the training rows. */
async function prepareCsv(file: string, o: TrainOptions, print: (s?: string) => void): Promise<Prepared> {
  if (o.target === undefined) throw usageError(`${file}: say which column to predict with --target <column>`);
  const raw = await readTable(file, o);
  const t = targetData(raw, file, o);
  print(`data: ${file}: ${raw.nRows} rows × ${raw.columnNames.length} columns, target ${JSON.stringify(t.target)}` +
    `${t.droppedMissingTarget > 0 ? `; ${t.droppedMissingTarget} row${t.droppedMissingTarget === 1 ? '' : 's'} without a target dropped` : ''}`);
  print(`task: ${t.task}: ${t.why}`);
  if (t.classes) print(`classes: ${classList(t.classes)} (${t.classes.length})`);

  let train: Table = t.table, validation: Table | null = null;
  let ytrain = t.labels, yval: typeof t.labels | null = null;
  if (o.validation !== undefined) {
    const stratify = t.task === 'classification';
    let split;
    try {
      split = trainTestSplit(t.table, t.labels, { testFraction: o.validation, seed: o.seed, stratify });
    } catch (e) {
      throw splitError(e, file, o.validation);
    }
    ({ Xtrain: train, Xtest: validation, ytrain, ytest: yval } = split as unknown as { Xtrain: Table; Xtest: Table; ytrain: typeof ytrain; ytest: typeof ytrain });
    print(`split: ${train.nRows} training, ${validation.nRows} validation (seed ${o.seed}${stratify ? ', stratified by class' : ''})`);
  }
  const prep = fitPreprocessing(train, file, t, o);
  for (const line of describePreprocessing(prep)) print(line);
  const classes = prep.report?.classes ?? t.classes;
  const built = buildModel(o, { task: t.task, classes }, prep.nFeatures, prep);
  // The training rows the metrics are measured on: those the model trains on (--impute drop leaves some out).
  const used = trainingRows(prep, train);
  const trainX = used ? train.take(used) : train;
  const trainY = used ? used.map((i) => ytrain[i]!) : ytrain;
  return {
    source: file,
    task: t.task,
    classes,
    target: t.target,
    built,
    train: { X: trainX, y: trainY, n: trainX.nRows },
    validation: validation ? { X: validation, y: yval!, n: validation.nRows } : null,
    hasValidation: validation !== null,
    fit: async (options) => {
      const r = await fitTable(built.model, train, validation ? { X: validation, y: yval! } : null, options);
      return { ...r, droppedRows: r.droppedRows ?? 0 };
    },
    saved: `with its preprocessing: ${prep.columns.length} columns → ${prep.nFeatures} inputs`,
  };
}

/** An IDX pair: a matrix of pixels, class labels, input standardization with the training rows' statistics. */
function prepareIdx(images: string, labels: string, o: TrainOptions, print: (s?: string) => void): Prepared {
  const d = readIdxPair(images, labels);
  const y = d.y!;
  const forced = regressionOption(o);
  if (o.model === 'logistic' && forced) throw usageError(`--model logistic is a classifier; ${forced} needs --model network`);
  const distinct = new Set(y);
  const task = forced ? 'regression' : 'classification';
  const classes = task === 'classification' ? (Array.from(distinct).sort((a, b) => a - b) as Classes) : null;
  if (classes && classes.length < 2) throw new CliError(`${labels}: every label is ${classes[0]}; a classifier needs at least two classes`);
  print(`data: ${images}: ${d.X.rows} rows × ${d.X.cols} features, labels ${labels}`);
  print(`task: ${task}: ${forced ? `${forced} makes a regression` : 'IDX labels are classes'}`);
  if (classes) print(`classes: ${classList(classes)} (${classes.length})`);
  let Xtrain: Matrix = d.X, ytrain = y, Xval: Matrix | null = null, yval: Float64Array | null = null;
  if (o.validation !== undefined) {
    const stratify = task === 'classification';
    let split;
    try {
      split = trainTestSplit(d.X, y, { testFraction: o.validation, seed: o.seed, stratify });
    } catch (e) {
      throw splitError(e, labels, o.validation);
    }
    ({ Xtrain, ytrain, Xtest: Xval, ytest: yval } = split as { Xtrain: Matrix; ytrain: Float64Array; Xtest: Matrix; ytest: Float64Array });
    print(`split: ${Xtrain.rows} training, ${Xval.rows} validation (seed ${o.seed}${stratify ? ', stratified by class' : ''})`);
  }
  const built = buildModel(o, { task, classes }, d.X.cols, null);
  if (o.standardize) built.model.setInputScaling(Standardizer.fit(Xtrain));
  return {
    source: images,
    task,
    classes,
    target: null,
    built,
    train: { X: Xtrain, y: ytrain, n: Xtrain.rows },
    validation: Xval ? { X: Xval, y: yval!, n: Xval.rows } : null,
    hasValidation: Xval !== null,
    fit: async (options) => {
      const r = await built.model.fit(Xtrain, ytrain, { ...options, ...(Xval ? { validation: { X: Xval, y: yval! } } : {}) } as never);
      return { ...r, droppedRows: 0 };
    },
    saved: o.standardize ? 'with its input standardization' : 'without input scaling',
  };
}

/**
 * The model of a checkpoint (or a saved model) to continue, checked against the model the options
 * build: the same kind, architecture and preprocessing (the same data and data options learn the same
 * preprocessing), so that the continued fit is the interrupted one.
 * @throws {CliError} an unreadable file, or a model the options would not have built
 */
async function resumed(file: string, fresh: BuiltModel['model']): Promise<BuiltModel['model']> {
  let model: BuiltModel['model'];
  try {
    model = await loadModel(file);
  } catch (e) {
    throw new CliError(`cannot resume from ${file}: ${(e as Error).message}`);
  }
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  const shape = (m: BuiltModel['model']) => (m instanceof NeuralNetwork
    ? `network ${m.spec.sizes.join('-')} (${m.spec.layers.map((l) => l.g.name).join(', ')}; loss ${m.spec.loss})`
    : 'logistic regression');
  if (shape(model) !== shape(fresh)) throw new CliError(`cannot resume from ${file}: it holds a ${shape(model)}, and these options build a ${shape(fresh)}`);
  if (!same(model.preprocessing?.toJSON(), fresh.preprocessing?.toJSON())) {
    throw new CliError(`cannot resume from ${file}: its preprocessing differs from the one learned from this data and these data options (another file, split or --impute?)`);
  }
  return model;
}

/**
 * Runs `blasnet train`. Writes its report to `out` (stdout) and the progress bar there when it is a terminal.
 * @throws {CliError} bad data, an impossible combination of options, a diverged fit
 */
export async function train(data: string | undefined, o: TrainOptions, given: (name: string) => boolean, out: Sink, warn: (s: string) => void): Promise<void> {
  // What the data and options turned out to be is held back until the fit starts: a mistake found on
  // the way is then the only thing printed.
  const held: string[] = [];
  let print = (s = '') => {
    held.push(s);
  };
  checkModelOptions(o, given);
  const src = dataSource(data, o, true, CSV_ONLY);
  const p = src.kind === 'idx' ? prepareIdx(src.images, src.labels!, o, (s) => print(s))
    : (streamed(src.file, o) ? await prepareStream(src.file, o, (s) => print(s)) : null) ?? await prepareCsv(src.file, o, (s) => print(s));
  const { built, task, classes } = p;
  const unit = built.unit;
  // --resume: the checkpoint's model (parameters, training state, preprocessing) takes the place of the
  // one the options build, which it must equal in everything but its parameters and state.
  let epochsDone = 0;
  if (o.resume !== undefined) {
    built.model = await resumed(o.resume, built.model);
    epochsDone = built.model.epochsTrained;
  }
  const model = built.model;

  if (o.classWeight !== undefined && task !== 'classification') throw usageError('--class-weight needs a classifier; the task is regression');
  if (Array.isArray(o.classWeight) && o.classWeight.length !== classes!.length) {
    throw usageError(`--class-weight lists ${o.classWeight.length} weights for ${classes!.length} classes (${classList(classes!)})`);
  }
  print(`model: ${built.description}`);
  if (o.classWeight !== undefined) {
    // 'balanced' is w_c = n / (k · n_c) over the training rows (the library's definition), shown here.
    const k = classes!.length;
    let w: number[];
    if (o.classWeight === 'balanced') {
      if (!p.train) throw usageError('--class-weight balanced needs the class counts of the training rows, which a streamed file does not keep: give one weight per class, or --no-stream');
      const idx = classIndex(p.train.y as ArrayLike<string>, classes!, (i) => `training row ${i + 1}`);
      const counts = new Array<number>(k).fill(0);
      for (const c of idx) counts[c]!++;
      w = counts.map((nc) => (nc > 0 ? idx.length / (k * nc) : 0));
    } else {
      w = o.classWeight;
    }
    print(`class weights: ${o.classWeight === 'balanced' ? 'balanced, ' : ''}${w.map((v, c) => `${String(classes![c])}: ${Number(v.toPrecision(4))}`).join(', ')}`);
  }
  if (o.earlyStopping !== undefined) {
    print(`early stopping: after ${o.earlyStopping} ${unit}s without a better ${p.hasValidation ? 'validation' : 'training'} cost, keeping the best parameters`);
  }
  out.write(held.map((s) => `${s}\n`).join(''));
  print = (s = '') => out.write(`${s}\n`);

  // Fit, with the progress bar on a terminal. The records give the learning curve.
  const bar = progressBar(built.total, unit, out.stream as NodeJS.WriteStream, p.hasValidation);
  const costs: [number, number][] = [], validationCosts: [number, number][] = [];
  // A network's record `iteration` is the epoch index from 0 (the cost during, or at the end of, epoch e + 1);
  // logistic regression's is the iteration whose parameters it describes, from 0.
  const shift = unit === 'epoch' ? 1 : 0;
  const onProgress = ({ iteration, cost, validationCost }: { iteration: number; cost: number; validationCost?: number }) => {
    const x = iteration + shift;
    costs.push([x, cost]);
    if (validationCost !== undefined) validationCosts.push([x, validationCost]);
    bar.update(x, cost, validationCost);
  };
  if (o.resume !== undefined) {
    print(`resumed: ${o.resume} has trained ${epochsDone} ${unit}s; ${Math.max(0, built.total - epochsDone)} to go`);
  }
  const t0 = performance.now();
  let result: Awaited<ReturnType<Prepared['fit']>>;
  try {
    const remaining = built.total - epochsDone;
    result = remaining <= 0 ? { stoppedEarly: false, reason: 'max-iterations', epochs: 0, droppedRows: 0 } : await p.fit({
      ...built.fitOptions,
      ...(o.resume !== undefined ? { epochs: remaining, warmStart: true } : {}),
      ...(o.checkpoint !== undefined ? { checkpoint: { path: o.checkpoint, every: o.checkpointEvery } } : {}),
      ...(o.earlyStopping !== undefined ? { earlyStopping: { patience: o.earlyStopping } } : {}),
      ...(o.classWeight !== undefined ? { classWeight: o.classWeight } : {}),
      onProgress,
    });
  } catch (e) {
    bar.stop();
    throw fitError(e);
  }
  const done = result.epochs;
  bar.update(done, costs.at(-1)?.[1] ?? NaN, validationCosts.at(-1)?.[1]);
  bar.stop();
  const seconds = (performance.now() - t0) / 1000;

  // Final metrics, on the training rows the model trained on and on the validation rows (gaps filled).
  print(`trained: ${done} ${unit}s in ${seconds.toFixed(2)} s${result.reason === 'max-iterations' ? '' : ` (stopped: ${result.reason})`}`);
  const best = result.bestEpoch === undefined ? undefined : result.bestEpoch + shift;
  if (o.earlyStopping !== undefined && best !== undefined) {
    print(`best ${unit}: ${best}, ${p.hasValidation ? 'validation' : 'training'} cost ${result.bestValue?.toPrecision(5)} (its parameters kept)`);
  }
  const rowName = (set: string) => (i: number) => `${p.source}: ${set} row ${i + 1}`;
  const measured = p.measure ? await p.measure(model) : {
    train: { ...await measure(model, task, classes, p.train!.X, p.train!.y, rowName('training')), n: p.train!.n },
    validation: p.validation ? { ...await measure(model, task, classes, p.validation.X, p.validation.y, rowName('validation')), n: p.validation.n } : null,
  };
  print(`training:   ${headline(measured.train)} (${measured.train.n} examples)`);
  let last = { m: measured.train as Measured, where: 'training' };
  if (measured.validation) {
    print(`validation: ${headline(measured.validation)} (${measured.validation.n} examples)`);
    last = { m: measured.validation, where: 'validation' };
  }
  const warning = worseThanMean(last.m.report, `the ${last.where}`);
  if (warning) warn(warning);
  if (o.out) {
    await saveCliModel(model, { task, target: p.target }, o.out);
    print(`model saved to ${o.out} (${p.saved})`);
  } else {
    print('model not saved (use --out model.json)');
  }
  if (o.plot) {
    const series: Series[] = [{ name: 'training cost', points: costs }];
    if (validationCosts.length > 0) series.push({ name: 'validation cost', points: validationCosts });
    try {
      const marker = o.earlyStopping !== undefined && best !== undefined ? { marker: { x: best, label: `best ${unit} ${best}` } } : {};
      writeFileSync(o.plot, learningCurveSvg(series, { title: `Learning curve: ${p.source}`, xLabel: unit, ...marker }));
    } catch (e) {
      throw new CliError(`cannot write the plot to ${o.plot}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    print(`learning curve written to ${o.plot}`);
  }
}
