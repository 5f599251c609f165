// `blasnet cv`: k-fold cross-validation with `train`'s model and data options. The folds come from
// lib/crossval.ts's kFold (stratified by class for a classifier unless --no-stratify); each fold's
// preprocessing is learned on that fold's training rows only and owned by that fold's model, so no
// statistic of a test fold reaches its model. Scores are lib/metrics.ts's, under the scoring names
// lib/crossval.ts accepts (greater is better: errors are negated). One line per fold, then the mean
// and the population standard deviation.
import { kFold, type ScoringName } from '../crossval.js';
import type { Classes } from '../labels.js';
import {
  accuracyScore, f1Score, logLoss, meanAbsoluteError, meanSquaredError, precisionScore, r2Score, recallScore, rocAucScore,
} from '../metrics.js';
import { Standardizer } from '../data.js';
import { Matrix } from '../matrix.js';
import type { Preprocessing } from '../tabular/preprocess.js';
import type { Table } from '../tabular/table.js';
import { dataSource, readIdxPair, readTable, type DataOptions } from './data.js';
import { CliError, usageError } from './errors.js';
import { buildModel, checkModelOptions, fitError, fitTable, regressionOption, type ModelOptions } from './model.js';
import { classIndex, predictAll, type Inputs } from './modelfile.js';
import type { Sink } from './output.js';
import { classList, fitPreprocessing, targetData, type TabularOptions } from './tabular.js';
import { CSV_ONLY } from './train.js';

/** The scoring names, as lib/crossval.ts's crossValidate accepts them. */
export const SCORING_NAMES = [
  'accuracy', 'f1', 'f1_macro', 'f1_micro', 'f1_weighted', 'precision_macro', 'recall_macro', 'roc_auc', 'neg_log_loss',
  'r2', 'neg_mean_squared_error', 'neg_mean_absolute_error',
] as const satisfies readonly ScoringName[];

const CLASSIFICATION_SCORES: readonly string[] = SCORING_NAMES.slice(0, 9);

export interface CvOptions extends ModelOptions, TabularOptions, DataOptions {
  folds: number;
  stratify?: boolean;
  scoring?: ScoringName;
}

/** −v, with −0 as 0. */
const negate = (v: number) => 0 - v;

/** A fold's score from the true and predicted class indices (and probabilities), or values; as crossValidate scores it. */
function score(name: ScoringName, k: number, truth: Int32Array | Float64Array, pred: { index: Int32Array | null; proba: Matrix | null; values: Float64Array | null }): number {
  const labels = Array.from({ length: k }, (_, c) => c);
  const y = Float64Array.from(truth);
  const p = pred.index ? Float64Array.from(pred.index) : pred.values!;
  switch (name) {
    case 'accuracy': return accuracyScore(y, p);
    case 'f1': return f1Score(y, p, { posLabel: 1, labels });
    case 'f1_macro': return f1Score(y, p, { average: 'macro', labels });
    case 'f1_micro': return f1Score(y, p, { average: 'micro', labels });
    case 'f1_weighted': return f1Score(y, p, { average: 'weighted', labels });
    case 'precision_macro': return precisionScore(y, p, { average: 'macro', labels });
    case 'recall_macro': return recallScore(y, p, { average: 'macro', labels });
    case 'roc_auc': return rocAucScore(y, pred.proba!, { labels });
    case 'neg_log_loss': return negate(logLoss(y, pred.proba!, { labels }));
    case 'r2': return r2Score(y, p);
    case 'neg_mean_squared_error': return negate(meanSquaredError(y, p));
    case 'neg_mean_absolute_error': return negate(meanAbsoluteError(y, p));
  }
}

/** One fold's data: training inputs and targets, test inputs and true targets. */
interface FoldData {
  train: Inputs;
  /** A Table's targets are its target column (fitTable); a matrix's are given. */
  ytrain: Float64Array | null;
  test: Inputs;
  truth: Int32Array | Float64Array;
  nTrain: number;
}

/**
 * Runs `blasnet cv`: prints the data and task as `train` does, then one line per fold and the mean ± std.
 * @throws {CliError} as `train`, and for a --scoring the task cannot use, or more folds than rows
 */
export async function crossValidateCommand(data: string | undefined, o: CvOptions, given: (name: string) => boolean, out: Sink): Promise<void> {
  // Held back until the first fold fits: a mistake found on the way is then the only thing printed.
  const held: string[] = [];
  let print = (s = '') => {
    held.push(s);
  };
  checkModelOptions(o, given);
  const src = dataSource(data, o, true, CSV_ONLY);

  // The data, its task and classes, and the folds' source rows.
  let task: 'classification' | 'regression', classes: Classes | null, n: number, source: string;
  let foldLabels: Float64Array | string[] | boolean[] | null;
  let foldData: (train: Int32Array, test: Int32Array) => FoldData & { prepare(): { inputs: number; prep: Preprocessing | null } };
  if (src.kind === 'csv') {
    if (o.target === undefined) throw usageError(`${src.file}: say which column to predict with --target <column>`);
    const raw = await readTable(src.file, o);
    const t = targetData(raw, src.file, o);
    task = t.task;
    classes = t.classes;
    n = t.table.nRows;
    source = src.file;
    print(`data: ${src.file}: ${raw.nRows} rows × ${raw.columnNames.length} columns, target ${JSON.stringify(t.target)}` +
      `${t.droppedMissingTarget > 0 ? `; ${t.droppedMissingTarget} row${t.droppedMissingTarget === 1 ? '' : 's'} without a target dropped` : ''}`);
    print(`task: ${t.task}: ${t.why}`);
    foldLabels = t.labels;
    const all = classes ? classIndex(t.labels as ArrayLike<string>, classes, (i) => `${src.file}: row ${i + 1}`) : (t.labels as Float64Array);
    foldData = (trainRows, testRows) => {
      const train = t.table.take(trainRows), test = t.table.take(testRows);
      return {
        train, ytrain: null, test, nTrain: train.nRows,
        truth: all instanceof Int32Array ? Int32Array.from(testRows, (i) => all[i]!) : Float64Array.from(testRows, (i) => all[i]!),
        prepare: () => {
          const prep = fitPreprocessing(train, src.file, t, o);
          return { inputs: prep.nFeatures, prep };
        },
      };
    };
  } else {
    const d = readIdxPair(src.images, src.labels);
    const y = d.y!;
    const forced = regressionOption(o);
    if (o.model === 'logistic' && forced) throw usageError(`--model logistic is a classifier; ${forced} needs --model network`);
    task = forced ? 'regression' : 'classification';
    classes = task === 'classification' ? (Array.from(new Set(y)).sort((a, b) => a - b) as Classes) : null;
    if (classes && classes.length < 2) throw new CliError(`${src.labels}: every label is ${classes[0]}; a classifier needs at least two classes`);
    n = d.X.rows;
    source = src.images;
    print(`data: ${src.images}: ${d.X.rows} rows × ${d.X.cols} features, labels ${src.labels}`);
    print(`task: ${task}: ${forced ? `${forced} makes a regression` : 'IDX labels are classes'}`);
    foldLabels = y;
    const all = classes ? classIndex(y, classes, (i) => `${src.labels}: label ${i + 1}`) : y;
    const rowsOf = (rows: Int32Array) => {
      const M = new Matrix(rows.length, d.X.cols);
      rows.forEach((r, i) => M.data.set(d.X.data.subarray(r * d.X.cols, (r + 1) * d.X.cols), i * d.X.cols));
      return M;
    };
    foldData = (trainRows, testRows) => ({
      train: rowsOf(trainRows), ytrain: Float64Array.from(trainRows, (i) => y[i]!), test: rowsOf(testRows), nTrain: trainRows.length,
      truth: all instanceof Int32Array ? Int32Array.from(testRows, (i) => all[i]!) : Float64Array.from(testRows, (i) => all[i]!),
      prepare: () => ({ inputs: d.X.cols, prep: null }),
    });
  }
  if (classes) print(`classes: ${classList(classes)} (${classes.length})`);

  // The scoring and the folds.
  const scoring: ScoringName = o.scoring ?? (task === 'classification' ? 'accuracy' : 'r2');
  if (task === 'regression' && CLASSIFICATION_SCORES.includes(scoring)) throw usageError(`--scoring ${scoring} scores classes; the task is regression: use r2, neg_mean_squared_error or neg_mean_absolute_error`);
  if (task === 'classification' && !CLASSIFICATION_SCORES.includes(scoring)) throw usageError(`--scoring ${scoring} scores values; the task is classification: use accuracy, f1_macro, neg_log_loss, …`);
  if ((scoring === 'f1' || scoring === 'roc_auc') && classes!.length !== 2) throw usageError(`--scoring ${scoring} is for two classes; the target has ${classes!.length}: use f1_macro, accuracy or neg_log_loss`);
  if (o.classWeight !== undefined && task !== 'classification') throw usageError('--class-weight needs a classifier; the task is regression');
  if (Array.isArray(o.classWeight) && o.classWeight.length !== classes!.length) {
    throw usageError(`--class-weight lists ${o.classWeight.length} weights for ${classes!.length} classes (${classList(classes!)})`);
  }
  const stratify = o.stratify ?? task === 'classification';
  if (stratify && task !== 'classification') throw usageError('--stratify needs classes; the task is regression');
  if (o.folds > n) throw usageError(`--folds ${o.folds} is more than the ${n} rows with a target`);
  let folds;
  try {
    folds = stratify ? kFold(foldLabels!, { folds: o.folds, stratify: true, seed: o.seed }) : kFold(n, { folds: o.folds, seed: o.seed });
  } catch (e) {
    throw new CliError(`--folds ${o.folds}: ${(e as Error).message.replace(/^options\.folds /, '').replace(/y's /g, 'the target\'s ').replace(/, got \d+$/, '')}`, 2);
  }
  print(`folds: ${o.folds}${stratify ? ', stratified by class' : ''} (seed ${o.seed}); scoring ${scoring}${scoring.startsWith('neg_') ? ' (negated: greater is better)' : ''}`);

  // One model per fold, from that fold's preprocessing.
  const scores: number[] = [];
  let described = false;
  for (let f = 0; f < folds.length; f++) {
    const { train: trainRows, test: testRows } = folds[f]!;
    const fd = foldData(trainRows, testRows);
    const { inputs, prep } = fd.prepare();
    const foldClasses = prep?.report?.classes ?? classes;
    const built = buildModel(o, { task, classes: foldClasses }, inputs, prep);
    if (!described) {
      print(`model: ${built.description}`);
      described = true;
      out.write(held.map((s) => `${s}\n`).join(''));
      print = (s = '') => out.write(`${s}\n`);
    }
    if (!prep && o.standardize) built.model.setInputScaling(Standardizer.fit(fd.train as Matrix));
    const options = {
      ...built.fitOptions,
      ...(o.earlyStopping !== undefined ? { earlyStopping: { patience: o.earlyStopping } } : {}),
      ...(o.classWeight !== undefined ? { classWeight: o.classWeight } : {}),
    };
    try {
      if (prep) await fitTable(built.model, fd.train as Table, null, options);
      else await built.model.fit(fd.train as Matrix, fd.ytrain!, options as never);
    } catch (e) {
      const err = fitError(e);
      if (err instanceof CliError) throw new CliError(`fold ${f + 1}: ${err.message}`, err.exitCode);
      throw err;
    }
    const pred = await predictAll(built.model, task, fd.test);
    // A fold whose training rows lack a class has a model with fewer classes: map its indices to the data's.
    const k = classes?.length ?? 0;
    let p = pred;
    if (classes && foldClasses && foldClasses.length !== k) {
      const to = foldClasses.map((c) => classes!.findIndex((d) => String(d) === String(c)));
      const proba = new Matrix(pred.proba!.rows, k);
      for (let i = 0; i < proba.rows; i++) for (let j = 0; j < foldClasses.length; j++) proba.data[i * k + to[j]!] = pred.proba!.data[i * foldClasses.length + j]!;
      p = { index: Int32Array.from(pred.index!, (j) => to[j]!), proba, values: null };
    }
    let s: number;
    try {
      s = score(scoring, k, fd.truth, p);
    } catch (e) {
      throw new CliError(`fold ${f + 1}: --scoring ${scoring}: ${(e as Error).message}`);
    }
    scores.push(s);
    print(`fold ${String(f + 1).padStart(String(folds.length).length)}/${folds.length}: ${scoring} ${s.toFixed(4)} (train ${fd.nTrain}, test ${testRows.length})`);
  }
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const std = Math.sqrt(scores.reduce((a, v) => a + (v - mean) * (v - mean), 0) / scores.length);
  print(`${scoring}: ${mean.toFixed(4)} ± ${std.toFixed(4)} (mean ± population std over ${scores.length} folds of ${source})`);
}
