// The CLI's model files and what it reads data for them with. A model file is a blasnet model file
// (format 'blasnet-model', read by loadModel too). Three kinds of model read a CSV:
// - a model that owns a tabular preprocessing (`preprocessing.tabular`, what `blasnet train` writes
//   since 0.3): columns by name, of any type, gaps filled from the training statistics;
// - a model written by 0.2's CLI: `metadata.cli.features` names its numeric columns (no gaps allowed);
// - a model saved by the library without either: every column but the target, counted.
// IDX data goes to a model by count. Also the one place that turns a model's outputs into class
// indices, labels, probabilities or values. Never parses data files itself.
import { predictedIndex } from '../estimator.js';
import type { Classes, Label } from '../labels.js';
import { Matrix } from '../matrix.js';
import type { Preprocessing } from '../tabular/preprocess.js';
import type { Table } from '../tabular/table.js';
// The CLI is a user of the package: the either-kind entry points come through its public index.
import { loadModel, type Model } from '../index.js';
import { logLoss } from '../metrics.js';
import { listColumns, type IdxData } from './data.js';
import { CliError } from './errors.js';
import { classificationReport, reportFromConfusion, regressionReport, type Report } from './metrics.js';

/** How a model reads its inputs from data. */
export type ModelInput =
  /** Columns by name through the model's own preprocessing. */
  | { kind: 'tabular'; prep: Preprocessing }
  /** 0.2's CLI: these numeric columns, in this order. */
  | { kind: 'columns'; features: string[] }
  /** Every column but the target (or every IDX pixel), counted. */
  | { kind: 'count' };

/** A model file as the CLI uses it. */
export interface CliModel {
  model: Model;
  file: string;
  task: 'classification' | 'regression';
  /** The classes (the model's own, as the training data named them); null for regression. */
  classes: Classes | null;
  /** The target column the model was trained on, or null (IDX data, a model saved by the library). */
  target: string | null;
  input: ModelInput;
}

/** What `metadata.cli` holds in the files this CLI writes. */
export interface CliMetadata {
  /** This block's version: 2 (0.2's block had no version, and the feature columns and class count). */
  version: 2;
  task: 'classification' | 'regression';
  /** The target column (CSV), or null (IDX). */
  target: string | null;
}

/** The task and classes of a model: what the command can do with it without its metadata. */
function taskOf(model: Model, file: string): { task: CliModel['task']; classes: Classes | null } {
  const task = model.task;
  if (task === 'regression') {
    if (model.nOutputs !== 1) {
      throw new CliError(`${file}: the command works with one-output regressors and single-label classifiers; this network has several regression outputs`);
    }
    return { task: 'regression', classes: null };
  }
  if (task === 'binary' || task === 'multiclass') return { task: 'classification', classes: model.classes! };
  throw new CliError(`${file}: the command works with one-output regressors and single-label classifiers; this model's task is '${String(task)}'`);
}

/** Reads `metadata.cli`: 0.2's block ({ task, classes, features, target }) or this CLI's ({ version: 2, task, target }). */
function readCliMetadata(value: unknown, model: Model, file: string, inferred: { task: CliModel['task']; classes: Classes | null }): { target: string | null; features: string[] | null } {
  if (value === undefined) return { target: null, features: null };
  const bad = (why: string) => new CliError(`${file}: not a valid blasnet model: metadata.cli ${why}`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad('must be an object');
  const v = value as Record<string, unknown>;
  if (v.task !== inferred.task) throw bad(`says ${String(v.task)}, the model's output layer says ${inferred.task}`);
  if (v.target !== null && v.target !== undefined && typeof v.target !== 'string') throw bad('.target must be a column name');
  const target = (v.target as string | null | undefined) ?? null;
  if (v.version === 2) return { target, features: null };
  if (v.version !== undefined) throw bad(`.version is ${JSON.stringify(v.version)}; this blasnet reads 2 (or 0.2's block without a version)`);
  // 0.2's block: the class count and the numeric feature columns.
  const k = inferred.classes?.length ?? 0;
  if (v.classes !== k) throw bad(`says ${String(v.task)} with ${String(v.classes)} classes, the model's output layer says ${inferred.task} with ${k}`);
  let features: string[] | null = null;
  if (v.features !== null && v.features !== undefined) {
    const s0 = model.nFeatures!;
    if (!Array.isArray(v.features) || v.features.length !== s0 || !v.features.every((f) => typeof f === 'string')) throw bad(`.features must be ${s0} column names`);
    features = v.features as string[];
  }
  return { target, features };
}

/**
 * Reads a model file written by `blasnet train` or by the library's save: loadModel does every check
 * (size cap, nesting depth, format, shapes, finite values), and the loaded model keeps the file's
 * user metadata, `metadata.cli` included (model.metadata): the file is read once.
 * @throws {CliError} a missing or unreadable file, or a file the library refuses (with its reason)
 */
export async function loadCliModel(file: string): Promise<CliModel> {
  let model: Model;
  try {
    model = await loadModel(file);
  } catch (e) {
    // The library's messages name the file and the reason (EISDIR, ERR_BLASNET_FORMAT, …).
    // File-system failures come as ERR_BLASNET_IO with the system error as cause.
    const cause = (e as { cause?: { code?: unknown } }).cause;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || cause?.code === 'ENOENT') throw new CliError(`cannot read model file ${file}: no such file`);
    throw new CliError((e as Error).message);
  }
  const t = taskOf(model, file);
  const meta = readCliMetadata(model.metadata.cli, model, file, t);
  const prep = model.preprocessing;
  if (prep) return { model, file, ...t, target: prep.target ?? meta.target, input: { kind: 'tabular', prep } };
  return { model, file, ...t, target: meta.target, input: meta.features ? { kind: 'columns', features: meta.features } : { kind: 'count' } };
}

/**
 * Writes the model with the CLI's metadata through the model's save (exact, lib/format/write.ts, and
 * atomic, lib/fileio.ts): `metadata.cli` beside any user metadata the model already had.
 */
export async function saveCliModel(model: Model, cli: Omit<CliMetadata, 'version'>, file: string): Promise<void> {
  const block: CliMetadata = { version: 2, ...cli };
  try {
    await model.save(file, { metadata: { ...model.metadata, cli: block } });
  } catch (e) {
    throw new CliError(`cannot write the model to ${file}: ${(e as { cause?: NodeJS.ErrnoException }).cause?.code ?? (e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Inputs and predictions

/** What the model reads: a Table (the model's preprocessing applies) or a matrix of raw features. */
export type Inputs = Table | Matrix;

/**
 * The inputs of the data for a model: the Table as it is for a model with a preprocessing; else the
 * numeric columns it names (0.2), or every column but the target, as a matrix.
 * @param target - the target column to leave out (by count)
 * @throws {CliError} a missing column, a non-numeric or missing cell (0.2 and library models read
 *   plain numbers), a column count that does not match
 */
export function modelInputs(cm: CliModel, table: Table, file: string, target: string | null, firstRow = 0): Inputs {
  const m = cm.model.nFeatures!;
  if (cm.input.kind !== 'count') {
    const columns = cm.input.kind === 'tabular' ? cm.input.prep.columns : cm.input.features;
    const missing = columns.filter((f) => !table.has(f));
    if (missing.length > 0) throw new CliError(`${file}: the model needs ${columns.length} feature columns; ${missing.length} missing: ${listColumns(missing)}`);
  }
  if (cm.input.kind === 'tabular') return table;
  let names: string[];
  if (cm.input.kind === 'columns') {
    names = cm.input.features;
  } else {
    names = table.columnNames.filter((n) => n !== target);
    if (names.length !== m) {
      throw new CliError(`${file}: the model expects ${m} features, the data has ${names.length}${target !== null && table.has(target) ? ` (besides the target ${JSON.stringify(target)})` : ''}`);
    }
  }
  const X = new Matrix(table.nRows, names.length);
  names.forEach((name, j) => {
    const col = table.column(name);
    const summary = table.columns.find((c) => c.name === name)!;
    if (summary.type !== 'numeric') {
      const example = (col as unknown[]).find((v) => v !== null);
      throw new CliError(`${file}: column ${JSON.stringify(name)} holds ${summary.type === 'boolean' ? 'true/false' : `text (${JSON.stringify(example)})`}; this model reads plain numbers (it has no preprocessing: retrain it with blasnet train for categories)`);
    }
    for (let i = 0; i < table.nRows; i++) {
      const v = (col as Float64Array)[i]!;
      if (Number.isNaN(v)) {
        throw new CliError(`${file}: data row ${firstRow + i + 1}, column ${JSON.stringify(name)}: a missing value; this model has no imputation (it has no preprocessing: fill the cell, or retrain it with blasnet train)`);
      }
      X.data[i * names.length + j] = v;
    }
  });
  return X;
}

/** IDX pixels for a model: read by count. */
export function idxInputs(cm: CliModel, d: IdxData): Matrix {
  if (cm.input.kind === 'tabular') throw new CliError(`${d.file}: the model reads the CSV columns ${listColumns(cm.input.prep.columns)}; IDX data has none`);
  const m = cm.model.nFeatures!;
  if (d.X.cols !== m) throw new CliError(`${d.file}: the model expects ${m} features, the data has ${d.X.cols}`);
  return d.X;
}

export interface Predictions {
  /** Class indices into the model's classes (classification), else null. */
  index: Int32Array | null;
  /** n × k class probabilities, columns in the classes' order (classification), else null. */
  proba: Matrix | null;
  /** Predicted values (regression), else null. */
  values: Float64Array | null;
}

/**
 * The model's predictions for its inputs: one call to the model (so an unseen category is reported
 * once). The model applies its own preprocessing or input scaling.
 */
export async function predictAll(model: Model, task: CliModel['task'], X: Inputs): Promise<Predictions> {
  if (task === 'regression') {
    const v = await model.predict(X);
    return { index: null, proba: null, values: Float64Array.from(v as Float64Array) };
  }
  const proba = await model.predictProba(X);
  return { index: predictedIndex(proba), proba, values: null };
}

/**
 * The class indices of true labels, by their text (a CSV's "1" is the class 1, "true" the class true).
 * @param what - names the data in the message of a label the model does not know
 * @throws {CliError} a label that is not one of the classes
 */
export function classIndex(labels: ArrayLike<Label>, classes: Classes, what: (row: number) => string): Int32Array {
  const index = new Map<string, number>(classes.map((c, j) => [String(c), j]));
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const j = index.get(String(labels[i]));
    if (j === undefined) {
      throw new CliError(`${what(i)} has target ${JSON.stringify(labels[i])}, which is not one of the model's classes (${listColumns(classes.map(String))})`);
    }
    out[i] = j;
  }
  return out;
}

/** The report of a model on some rows: metrics from lib/metrics.ts, and for a classifier the log loss. */
export interface Measured {
  report: Report;
  logLoss: number | null;
}

/**
 * Predicts `X` and measures the predictions against the true targets.
 * @param truth - the targets, as the data names them (labels) or values
 * @param what - names a row in the message of a label the model does not know
 */
export async function measure(model: Model, task: 'classification' | 'regression', classes: Classes | null, X: Inputs, truth: ArrayLike<unknown>, what: (row: number) => string): Promise<Measured> {
  const p = await predictAll(model, task, X);
  if (task === 'regression') return { report: regressionReport(truth as ArrayLike<number>, p.values!), logLoss: null };
  const t = classIndex(truth as ArrayLike<string>, classes!, what);
  const k = classes!.length;
  return {
    report: classificationReport(t, p.index!, classes!),
    logLoss: logLoss(Float64Array.from(t), p.proba!, { labels: Array.from({ length: k }, (_, c) => c) }),
  };
}

/** Rows up to which a measure keeps a label per row (then exactly `measure`'s figures); past it, counts and sums. */
const KEEP_ROWS = 1 << 17;

/**
 * Measures a model over data that comes in chunks (a streamed CSV): up to KEEP_ROWS rows, the true and
 * predicted classes or values are kept and the report is computed once at the end with the same
 * functions as `measure` (exactly its figures); past it, a confusion matrix (classification) or running
 * sums (regression: Welford's mean and squared deviations of y, the squared and absolute errors), so a
 * file of any size is measured in bounded memory. The log loss is one figure per chunk.
 */
export class MeasureAccumulator {
  #truth: Int32Array[] | Float64Array[] = [];
  #pred: Int32Array[] | Float64Array[] = [];
  #logLoss: { value: number; n: number }[] = [];
  /** Past KEEP_ROWS rows: the confusion counts (classification), or the sums (regression), instead of a label per row. */
  #confusion: number[][] | null = null;
  #sums: { n: number; mean: number; m2: number; se: number; ae: number } | null = null;
  n = 0;

  constructor(readonly task: 'classification' | 'regression', readonly classes: Classes | null) {}

  /** Predicts one chunk and keeps what the report needs. */
  async add(model: Model, X: Inputs, truth: ArrayLike<unknown>, what: (row: number) => string): Promise<void> {
    const p = await predictAll(model, this.task, X);
    this.n += truth.length;
    if (this.task === 'regression') {
      (this.#truth as Float64Array[]).push(Float64Array.from(truth as ArrayLike<number>));
      (this.#pred as Float64Array[]).push(p.values!);
    } else {
      const t = classIndex(truth as ArrayLike<string>, this.classes!, what);
      (this.#truth as Int32Array[]).push(t);
      (this.#pred as Int32Array[]).push(p.index!);
      const k = this.classes!.length;
      this.#logLoss.push({ value: logLoss(Float64Array.from(t), p.proba!, { labels: Array.from({ length: k }, (_, c) => c) }), n: t.length });
    }
    if (this.n > KEEP_ROWS) this.#fold();
  }

  /** Moves the rows kept into counts or sums (a file too large for a label per row). */
  #fold(): void {
    if (this.task === 'regression') {
      const s = (this.#sums ??= { n: 0, mean: 0, m2: 0, se: 0, ae: 0 });
      this.#truth.forEach((t, i) => {
        const p = this.#pred[i]!;
        for (let j = 0; j < t.length; j++) {
          const y = t[j]!, e = p[j]! - y;
          s.n++;
          const d = y - s.mean;
          s.mean += d / s.n;
          s.m2 += d * (y - s.mean);
          s.se += e * e;
          s.ae += Math.abs(e);
        }
      });
    } else {
      const k = this.classes!.length;
      const c = (this.#confusion ??= Array.from({ length: k }, () => new Array<number>(k).fill(0)));
      this.#truth.forEach((t, i) => {
        const p = this.#pred[i]!;
        for (let j = 0; j < t.length; j++) c[t[j]!]![p[j]!]!++;
      });
    }
    this.#truth = [];
    this.#pred = [];
  }

  /** The report over every chunk added. */
  result(): Measured {
    const l = this.#logLoss;
    const logLossAll = this.task === 'regression' ? null : l.length === 1 ? l[0]!.value : l.reduce((a, c) => a + c.value * c.n, 0) / l.reduce((a, c) => a + c.n, 0);
    if (this.#confusion || this.#sums) {
      this.#fold();
      if (this.task === 'classification') return { report: reportFromConfusion(this.#confusion!, this.classes!), logLoss: logLossAll };
      const s = this.#sums!;
      const mse = s.se / s.n;
      return { report: { task: 'regression', n: s.n, r2: s.m2 > 0 ? 1 - s.se / s.m2 : mse === 0 ? 1 : NaN, mse, mae: s.ae / s.n }, logLoss: null };
    }
    const join = <A extends Int32Array | Float64Array>(parts: A[], make: (n: number) => A): A => {
      if (parts.length === 1) return parts[0]!;
      const out = make(parts.reduce((a, b) => a + b.length, 0));
      let at = 0;
      for (const part of parts) {
        out.set(part, at);
        at += part.length;
      }
      return out;
    };
    if (this.task === 'regression') {
      const make = (n: number) => new Float64Array(n);
      return { report: regressionReport(join(this.#truth as Float64Array[], make), join(this.#pred as Float64Array[], make)), logLoss: null };
    }
    const make = (n: number) => new Int32Array(n);
    return { report: classificationReport(join(this.#truth as Int32Array[], make), join(this.#pred as Int32Array[], make), this.classes!), logLoss: logLossAll };
  }
}
