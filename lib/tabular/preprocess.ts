// From a Table to the matrix a model reads, with everything learned from the training rows: the
// feature columns and their types, imputation values, categories (one-hot), numeric standardization,
// and the target column with its task. A model that holds a Preprocessing fits and predicts on raw
// Tables and records; the same transformation is saved with it. Never trains, never reads files.
import { BlasnetRangeError, BlasnetTypeError, blasnetError, describe } from '../errors.js';
import { uniqueLabels, type Classes } from '../labels.js';
import { Matrix } from '../matrix.js';
import { checkOptionsObject, checkKnownKeys } from '../validate.js';
import { BooleanStats, CategoryStats, featureEncoding, NumericStats } from './stats.js';
import { isRecordArray, listNames, parseNumber, recordsTable, Table, type ColumnData, type ColumnType } from './table.js';

/**
 * How missing feature cells are filled at fit: numbers by their `'mean'` or `'median'` (categories
 * and booleans by their most frequent value either way), everything by its `'most-frequent'` value,
 * or the rows dropped (`'drop'`; a prediction still fills them, with the mean / most frequent value).
 * @example Preprocessing.fit(table, { target: 'y', impute: 'median' });
 */
export type ImputeStrategy = 'mean' | 'median' | 'most-frequent' | 'drop';

/**
 * What a target column asks for: class labels or values.
 * @example prep.task; // 'classification'
 */
export type TargetTask = 'classification' | 'regression';

/**
 * Options of {@link Preprocessing.fit}.
 * @example { target: 'species', ignore: ['id'], impute: 'median' }
 */
export interface PreprocessingOptions {
  /** The target column; omit for a preprocessing of the features only. */
  target?: string | null;
  /** The feature columns to use, in this order. Default: every column but the target and `ignore`. */
  features?: string[];
  /** Columns to leave out (an ID, a free-text note, a leak of the target). */
  ignore?: string[];
  /** How missing feature cells are filled. Default 'mean'. */
  impute?: ImputeStrategy;
  /** Classification or regression. Default: inferred (see {@link inferTask}). */
  task?: TargetTask;
  /** Standardize numeric features with the training rows' mean and standard deviation. Default true. */
  standardize?: boolean;
  /** Refuse a categorical feature with more distinct values than this. Default 1000. */
  maxCategories?: number;
}

/**
 * How one feature column becomes model inputs: a numeric column one input ((x − mean) / std), a
 * boolean one input (0/1), a categorical column one 0/1 input per category learned at fit.
 * @example prep.features[0]; // { name: 'island', type: 'categorical', fill: 'Biscoe', categories: ['Biscoe', 'Dream', 'Torgersen'] }
 */
export type FeatureEncoding =
  | {
    /** The column's name. */
    name: string;
    /** A numeric column. */
    type: 'numeric';
    /** The value of a missing cell. */
    fill: number;
    /** Subtracted (0 without standardization). */
    mean: number;
    /** Divided by (1 without standardization, or for a constant column). */
    std: number;
  }
  | {
    /** The column's name. */
    name: string;
    /** A boolean column, read as 0/1. */
    type: 'boolean';
    /** The value of a missing cell. */
    fill: boolean;
  }
  | {
    /** The column's name. */
    name: string;
    /** A categorical column, one-hot encoded. */
    type: 'categorical';
    /** The value of a missing cell (the most frequent category). */
    fill: string;
    /** The categories learned at fit, sorted; an unseen one is encoded as all zeros. */
    categories: string[];
  };

/**
 * What the fit that learned a preprocessing saw and did: the rows used and dropped, the cells filled.
 * @example prep.report?.droppedMissingTarget; // 2
 */
export interface PreprocessingReport {
  /** Rows in the table. */
  rows: number;
  /** Rows the statistics were learned from (and a model trains on). */
  used: number;
  /** Rows dropped because their target was missing. */
  droppedMissingTarget: number;
  /** Rows dropped because a feature was missing (impute 'drop' only). */
  droppedMissingFeatures: number;
  /** Missing cells filled, by column (only columns with any). */
  imputed: Record<string, number>;
  /** The target's classes (classification), else null. */
  classes: Classes | null;
}

/**
 * The stored form of a {@link Preprocessing}: the `preprocessing.tabular` section of a model file.
 * @example model.toJSON().preprocessing?.tabular?.features.length;
 */
export interface TabularJSON {
  /** The section's own version: 1. */
  version: 1;
  /** The target column and its task; null for a preprocessing of the features only. */
  target: {
    /** The target column's name. */
    name: string;
    /** What it asks for. */
    task: TargetTask;
  } | null;
  /** The imputation the fit used. */
  impute: ImputeStrategy;
  /** Whether numeric features are standardized. */
  standardize: boolean;
  /** The cell texts read as missing. */
  missing: string[];
  /** The feature columns, in input order. */
  features: FeatureEncoding[];
}

const IMPUTE: readonly ImputeStrategy[] = ['mean', 'median', 'most-frequent', 'drop'];
const FIT_KEYS = ['target', 'features', 'ignore', 'impute', 'task', 'standardize', 'maxCategories'];

/**
 * Numbers with up to this many distinct integer values are class labels when the task is inferred.
 * @example MAX_INFERRED_CLASSES; // 20: labels 1…20 are classes, integer targets with 21 values a regression
 */
export const MAX_INFERRED_CLASSES = 20;

/**
 * The task a target column asks for: strings and booleans are classes; numbers are classes when
 * every one is an integer and there are at most {@link MAX_INFERRED_CLASSES} distinct values, and a
 * regression otherwise.
 * @param table - the data
 * @param target - the target column's name
 * @returns 'classification' or 'regression'
 * @throws {@link BlasnetError} ERR_BLASNET_DATA for an unknown column
 * @example inferTask(table, 'target'); // 'regression' for diabetes' progression values 25…346
 */
export function inferTask(table: Table, target: string): TargetTask {
  const d = table.data(target);
  if (d.type !== 'numeric') return 'classification';
  const seen = new Set<number>();
  for (const v of d.values) {
    if (Number.isNaN(v)) continue;
    if (!Number.isInteger(v)) return 'regression';
    seen.add(v);
    if (seen.size > MAX_INFERRED_CLASSES) return 'regression';
  }
  return 'classification';
}

function stringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be an array of column names, got ${describe(value)}`);
  }
  return value as string[];
}

/** The present values of a column at rows `rows`, as the encoder reads them. */
function present(d: ColumnData, rows: Int32Array): (number | string | boolean)[] {
  const out: (number | string | boolean)[] = [];
  for (const i of rows) {
    const v = d.values[i]!;
    if (v !== null && !(typeof v === 'number' && Number.isNaN(v))) out.push(v);
  }
  return out;
}

/** A column's statistics over the rows `rows`, in row order (as the streaming scan accumulates them). */
function accumulate(d: ColumnData, rows: Int32Array, impute: ImputeStrategy, maxCategories: number): NumericStats | CategoryStats | BooleanStats {
  if (d.type === 'numeric') {
    const s = new NumericStats(impute, true);
    for (const i of rows) if (!Number.isNaN(d.values[i]!)) s.add(d.values[i]!);
    return s;
  }
  if (d.type === 'boolean') {
    const s = new BooleanStats();
    for (const i of rows) if (d.values[i] !== null) s.add(d.values[i]!);
    return s;
  }
  const s = new CategoryStats(maxCategories + 1);
  for (const i of rows) if (d.values[i] !== null) s.add(d.values[i]!);
  return s;
}

function isMissing(d: ColumnData, i: number): boolean {
  const v = d.values[i]!;
  return v === null || (typeof v === 'number' && Number.isNaN(v));
}




const TOKEN = Symbol('Preprocessing');

/**
 * A tabular preprocessing: which columns a model reads and how they become its inputs, learned from
 * training rows by {@link Preprocessing.fit} and applied unchanged afterwards. Give it to a model
 * (`new NeuralNetwork({ layers: [prep.nFeatures, 16, 3], preprocessing: prep })`) and the model fits
 * and predicts on Tables and records; it is saved in the model file. Immutable.
 * @example
 * const table = await readCsv('penguins.csv');
 * const prep = Preprocessing.fit(table, { target: 'species', ignore: ['id'] });
 * prep.nFeatures;      // inputs after one-hot encoding
 * prep.report?.classes; // ['Adelie', 'Chinstrap', 'Gentoo']
 */
export class Preprocessing {
  /** The target column, or null. */
  readonly target: string | null;
  /** The target's task, or null without a target. */
  readonly task: TargetTask | null;
  /** The imputation used at fit. */
  readonly impute: ImputeStrategy;
  /** Whether numeric features are standardized. */
  readonly standardize: boolean;
  /** The model inputs the features become (one per numeric or boolean column, one per category). */
  readonly nFeatures: number;
  /** What the fit saw and did; null for a preprocessing rebuilt from JSON. */
  readonly report: PreprocessingReport | null;
  readonly #features: FeatureEncoding[];
  readonly #missing: string[];

  /** @internal Built by Preprocessing.fit and Preprocessing.fromJSON. */
  constructor(token: symbol, json: TabularJSON, report: PreprocessingReport | null) {
    if (token !== TOKEN) throw new TypeError('a Preprocessing is built by Preprocessing.fit or fromJSON');
    this.target = json.target?.name ?? null;
    this.task = json.target?.task ?? null;
    this.impute = json.impute;
    this.standardize = json.standardize;
    this.#missing = json.missing.slice();
    this.#features = json.features.map((f) => (f.type === 'categorical' ? { ...f, categories: f.categories.slice() } : { ...f }));
    this.nFeatures = this.#features.reduce((s, f) => s + (f.type === 'categorical' ? f.categories.length : 1), 0);
    this.report = report;
    Object.freeze(this);
  }

  /**
   * Learns a preprocessing from a table's training rows. Rows whose target is missing are dropped
   * (and counted); with impute 'drop', rows with a missing feature too. The statistics (fill values,
   * categories, means and standard deviations after filling) come from the rows kept.
   * @param table - the training data
   * @param options - `target`, `features` or `ignore`, `impute`, `task`, `standardize`, `maxCategories`
   * @returns the Preprocessing, with its `report`
   * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE for a bad option
   * @throws {@link BlasnetError} ERR_BLASNET_DATA for an unknown column, a target with one class or no
   *   values, a regression on a non-numeric target, a feature with no values, a categorical feature with
   *   too many distinct values (the message says to ignore it), or no feature left
   * @example const prep = Preprocessing.fit(table, { target: 'species', impute: 'median' });
   */
  static fit(table: Table, options: PreprocessingOptions = {}): Preprocessing {
    if (!(table instanceof Table)) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `table must be a Table (from readCsv, parseCsv or Table.fromRecords), got ${describe(table)}`);
    const { target, features: featureNames, impute, task: givenTask, standardize, maxCategories } = Preprocessing.columnsOf(table, options);
    const o = { task: givenTask };

    // The rows: those with a target, then (impute 'drop') those with every feature.
    let rows = Int32Array.from({ length: table.nRows }, (_, i) => i);
    let droppedMissingTarget = 0, droppedMissingFeatures = 0;
    let task: TargetTask | null = null, classes: Classes | null = null;
    if (target !== null) {
      const t = table.data(target);
      rows = rows.filter((i) => !isMissing(t, i));
      droppedMissingTarget = table.nRows - rows.length;
      if (rows.length === 0) throw blasnetError('ERR_BLASNET_DATA', `the target column ${JSON.stringify(target)} has no values (all ${table.nRows} missing)`);
      task = (o.task as TargetTask | undefined) ?? inferTask(table, target);
      if (task === 'regression' && t.type !== 'numeric') {
        throw blasnetError('ERR_BLASNET_DATA', `the target column ${JSON.stringify(target)} is ${t.type}; a regression needs numbers`);
      }
      if (task === 'classification') {
        classes = uniqueLabels(present(t, rows), `column ${JSON.stringify(target)}`);
        if (classes.length < 2) {
          throw blasnetError('ERR_BLASNET_DATA', `the target column ${JSON.stringify(target)} has a single class (${JSON.stringify(classes[0])}); a classifier needs at least two`);
        }
      }
    }
    const data = featureNames.map((n) => table.data(n));
    if (impute === 'drop') {
      const before = rows.length;
      rows = rows.filter((i) => data.every((d) => !isMissing(d, i)));
      droppedMissingFeatures = before - rows.length;
      if (rows.length === 0) throw blasnetError('ERR_BLASNET_DATA', `impute 'drop' leaves no rows: each of the ${before} rows misses a feature`);
    }

    // Column names are data: "__proto__" must become an own key, so every keyed object is built from entries.
    const imputedEntries: [string, number][] = [];
    const features = featureNames.map((name, k): FeatureEncoding => {
      const stats = accumulate(data[k]!, rows, impute as ImputeStrategy, maxCategories);
      if (stats.n > 0 && stats.n < rows.length) imputedEntries.push([name, rows.length - stats.n]);
      return featureEncoding(name, stats, rows.length, impute as ImputeStrategy, standardize, maxCategories);
    });
    const json: TabularJSON = {
      version: 1,
      target: target === null ? null : { name: target, task: task! },
      impute: impute as ImputeStrategy,
      standardize,
      missing: table.missingTokens,
      features,
    };
    const imputed = Object.fromEntries(imputedEntries) as Record<string, number>;
    const report: PreprocessingReport = { rows: table.nRows, used: rows.length, droppedMissingTarget, droppedMissingFeatures, imputed, classes };
    return new Preprocessing(TOKEN, json, report);
  }

  /**
   * @internal The options checked, and the target and feature columns they choose among the table's
   * (shared with the streaming scan, which checks them on the header alone).
   */
  static columnsOf(table: Table, options: unknown): { target: string | null; features: string[]; impute: ImputeStrategy; task: TargetTask | undefined; standardize: boolean; maxCategories: number } {
    const o = checkOptionsObject(options, 'options');
    checkKnownKeys(o, 'options', FIT_KEYS);
    const names = table.columnNames;
    const known = (n: string, what: string) => {
      if (!table.has(n)) throw blasnetError('ERR_BLASNET_DATA', `${what} names column ${JSON.stringify(n)}, which the table does not have; its columns are ${listNames(names)}`);
    };
    const target = o.target === undefined || o.target === null ? null : o.target;
    if (target !== null && typeof target !== 'string') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.target must be a column name, got ${describe(target)}`);
    if (target !== null) known(target, 'options.target');
    const given = stringList(o.features, 'options.features');
    const ignore = stringList(o.ignore, 'options.ignore') ?? [];
    ignore.forEach((n) => known(n, 'options.ignore'));
    given?.forEach((n) => known(n, 'options.features'));
    if (given && target !== null && given.includes(target)) throw blasnetError('ERR_BLASNET_DATA', `options.features lists the target column ${JSON.stringify(target)}`);
    if (given && new Set(given).size !== given.length) throw blasnetError('ERR_BLASNET_DATA', 'options.features lists a column twice');
    const features = (given ?? names.filter((n) => n !== target)).filter((n) => !ignore.includes(n));
    if (features.length === 0) throw blasnetError('ERR_BLASNET_DATA', `no feature columns are left (the columns are ${listNames(names)}${target !== null ? `, the target ${JSON.stringify(target)}` : ''}${ignore.length ? `, ignored: ${listNames(ignore)}` : ''})`);
    const impute = o.impute ?? 'mean';
    if (!IMPUTE.includes(impute as ImputeStrategy)) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.impute must be one of ${IMPUTE.map((s) => `'${s}'`).join(', ')}, got ${describe(impute)}`);
    if (o.task !== undefined && o.task !== 'classification' && o.task !== 'regression') {
      throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.task must be 'classification' or 'regression', got ${describe(o.task)}`);
    }
    if (o.task !== undefined && target === null) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', 'options.task needs options.target');
    if (o.standardize !== undefined && typeof o.standardize !== 'boolean') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.standardize must be a boolean, got ${describe(o.standardize)}`);
    const maxCategories = o.maxCategories ?? 1000;
    if (typeof maxCategories !== 'number' || !Number.isInteger(maxCategories) || maxCategories < 1) {
      throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `options.maxCategories must be an integer ≥ 1, got ${describe(maxCategories)}`);
    }
    return { target, features, impute: impute as ImputeStrategy, task: o.task as TargetTask | undefined, standardize: o.standardize !== false, maxCategories };
  }

  /** @internal A preprocessing the streaming scan learned (lib/tabular/scan.ts), with its report. */
  static fromScan(json: TabularJSON, report: PreprocessingReport): Preprocessing {
    return new Preprocessing(TOKEN, json, report);
  }

  /** @internal Rebuilds a checked section (lib/format/preprocessing.ts checks it). */
  static fromChecked(json: TabularJSON): Preprocessing {
    return new Preprocessing(TOKEN, json, null);
  }

  /** The feature columns and how each is encoded, in input order (copies). */
  get features(): FeatureEncoding[] {
    return this.#features.map((f) => (f.type === 'categorical' ? { ...f, categories: f.categories.slice() } : { ...f }));
  }

  /** The feature columns' names, in order. */
  get columns(): string[] {
    return this.#features.map((f) => f.name);
  }

  /** The model inputs' names: a column's name, or `column=category` for a one-hot input. */
  get inputNames(): string[] {
    return this.#features.flatMap((f) => (f.type === 'categorical' ? f.categories.map((c) => `${f.name}=${c}`) : [f.name]));
  }

  /** Whether every feature is numeric or boolean, so that a plain matrix (columns in feature order) can stand for the data. */
  get numericOnly(): boolean {
    return this.#features.every((f) => f.type !== 'categorical');
  }

  /**
   * The section as stored in a model file.
   * @returns a JSON-ready copy
   * @example model.toJSON().preprocessing?.tabular; // what this returns
   */
  toJSON(): TabularJSON {
    return {
      version: 1,
      target: this.target === null ? null : { name: this.target, task: this.task! },
      impute: this.impute,
      standardize: this.standardize,
      missing: this.#missing.slice(),
      features: this.features,
    };
  }

  /**
   * Encodes data as model inputs, filling gaps from the training statistics; no row is ever dropped.
   * A category not seen at fit is encoded as all zeros and reported once per call by
   * `process.emitWarning` (code `BLASNET_UNSEEN_CATEGORY`).
   * @param data - a Table, an array of records keyed by column name (a missing key is a missing cell),
   *   or, when every feature is numeric or boolean, a Matrix / number[][] with the feature columns in order (NaN for a gap)
   * @returns the n × nFeatures inputs
   * @throws {@link BlasnetError} ERR_BLASNET_DATA for a missing column (Table), a cell that does not fit its
   *   column's type, or a matrix for a preprocessing with categorical columns
   * @example const X = prep.transform([{ island: 'Dream', bill_length_mm: 39.1 }]);
   */
  transform(data: Table | readonly Record<string, unknown>[] | Matrix | number[][]): Matrix {
    const { X, unseen } = this.encode(data, 'data');
    warnUnseen(unseen);
    return X;
  }

  /**
   * @internal Encodes without warning: the unseen categories come back, by column, for the caller to report.
   * @param name - the argument's name in messages
   */
  encode(data: unknown, name: string): { X: Matrix; unseen: Map<string, { count: number; values: Set<string>; more: boolean }> } {
    const table = this.#table(data, name);
    const n = table.nRows, m = this.nFeatures;
    const X = new Matrix(n, m);
    const out = X.data;
    const unseen = new Map<string, { count: number; values: Set<string>; more: boolean }>();
    let col = 0;
    for (const f of this.#features) {
      const d = table.has(f.name) ? table.data(f.name) : null;
      if (f.type === 'numeric') {
        for (let i = 0; i < n; i++) {
          let v = d === null ? NaN : numericCell(d, i, f.name, name);
          if (Number.isNaN(v)) v = f.fill;
          out[i * m + col] = (v - f.mean) / f.std;
        }
        col++;
      } else if (f.type === 'boolean') {
        for (let i = 0; i < n; i++) {
          const v = d === null ? null : booleanCell(d, i, f.name, name);
          out[i * m + col] = (v ?? f.fill) ? 1 : 0;
        }
        col++;
      } else {
        const index = new Map(f.categories.map((c, j) => [c, j]));
        for (let i = 0; i < n; i++) {
          const v = d === null ? null : categoryCell(d, i);
          const j = index.get(v ?? f.fill);
          if (j !== undefined) {
            out[i * m + col + j] = 1;
          } else {
            let u = unseen.get(f.name);
            if (!u) unseen.set(f.name, (u = { count: 0, values: new Set(), more: false }));
            u.count++;
            if (u.values.size < 5) u.values.add(v!);
            else if (!u.values.has(v!)) u.more = true;
          }
        }
        col += f.categories.length;
      }
    }
    return { X, unseen };
  }

  /** The data as a Table: a Table as it is, records through Table.fromRecords, a numeric matrix by position. */
  #table(data: unknown, name: string): Table {
    if (data instanceof Table) {
      const missing = this.#features.filter((f) => !data.has(f.name)).map((f) => f.name);
      if (missing.length > 0) {
        throw blasnetError('ERR_BLASNET_DATA', `${name} lacks ${missing.length} of the model's ${this.#features.length} feature columns: ${listNames(missing)}`);
      }
      return data;
    }
    if (isRecordArray(data)) {
      // A record that leaves out a feature's key has a gap there (filled); other keys are read and ignored.
      const keys = new Set<string>();
      for (const r of data) for (const k of Object.keys(r)) keys.add(k);
      const types = Object.fromEntries(this.#features.filter((f) => keys.has(f.name)).map((f) => [f.name, f.type])) as Record<string, ColumnType>;
      return recordsTable(data, name, { types, missing: this.#missing });
    }
    if (data instanceof Matrix || (Array.isArray(data) && (data.length === 0 || Array.isArray(data[0]) || ArrayBuffer.isView(data[0])))) {
      if (!this.numericOnly) {
        const cat = this.#features.find((f) => f.type === 'categorical')!;
        throw blasnetError('ERR_BLASNET_DATA', `${name} is a matrix, but the model reads categorical column ${JSON.stringify(cat.name)}: pass a Table or records keyed by column name`);
      }
      const M = data instanceof Matrix ? data : Matrix.from(data as number[][], name);
      if (M.cols !== this.#features.length) {
        throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must have ${this.#features.length} columns (${listNames(this.columns)}), got ${M.cols}`);
      }
      const cols = this.#features.map((f, j): ColumnData => {
        const v = new Float64Array(M.rows);
        for (let i = 0; i < M.rows; i++) {
          const x = M.data[i * M.cols + j]!;
          if (!Number.isNaN(x) && !Number.isFinite(x)) {
            throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${name} must contain finite numbers or NaN for a missing value, got ${x} at row ${i}, column ${j}`);
          }
          if (f.type === 'boolean' && !Number.isNaN(x) && x !== 0 && x !== 1) {
            throw blasnetError('ERR_BLASNET_DATA', `${name}: row ${i}, column ${j} (${JSON.stringify(f.name)}) is ${x}; the model reads that column as a boolean (0 or 1)`);
          }
          v[i] = x;
        }
        return { type: 'numeric', values: v, text: null };
      });
      return Table.build(this.columns, cols, M.rows, this.#missing);
    }
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a Table, an array of records keyed by column name${this.numericOnly ? ', or a Matrix / number[][] of the feature columns' : ''}; got ${describe(data)}`);
  }

  /**
   * @internal The training rows of `data` and their targets: y as given (the same rows dropped), or
   * the target column's values; rows with a missing target are dropped, and with impute 'drop' rows
   * with a missing feature.
   */
  trainingData(data: unknown, y: unknown, name: string, forFit = true): { X: Matrix; y: unknown; dropped: number } {
    const table = this.#table(data, name);
    let keep: Int32Array | null = null;
    let targets: unknown = y;
    if (y === undefined || y === null) {
      if (this.target === null) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', 'y is missing, and the preprocessing has no target column to take it from');
      if (!table.has(this.target)) throw blasnetError('ERR_BLASNET_DATA', `y is missing, and ${name} has no target column ${JSON.stringify(this.target)}`);
      const t = table.data(this.target);
      keep = Int32Array.from({ length: table.nRows }, (_, i) => i).filter((i) => !isMissing(t, i));
      targets = labelsOf(t, keep, this.target);
    }
    if (forFit && this.impute === 'drop') {
      const cols = this.#features.map((f) => (table.has(f.name) ? table.data(f.name) : null));
      const base = keep ?? Int32Array.from({ length: table.nRows }, (_, i) => i);
      const rows = base.filter((i) => cols.every((d) => d === null || !isMissing(d, i)));
      if (rows.length !== base.length) {
        if (y !== undefined && y !== null) targets = takeTargets(y, rows, table.nRows);
        else targets = labelsOf(table.data(this.target!), rows, this.target!);
        keep = rows;
      }
    }
    const used = keep ? table.take(keep) : table;
    const { X, unseen } = this.encode(used, name);
    warnUnseen(unseen);
    return { X, y: targets, dropped: table.nRows - used.nRows };
  }
}

/** A target column's values at `rows` as labels (numbers, strings, booleans). */
function labelsOf(d: ColumnData, rows: Int32Array, name: string): Float64Array | string[] | boolean[] {
  if (d.type === 'numeric') return Float64Array.from(rows, (i) => d.values[i]!);
  if (rows.length === 0) throw blasnetError('ERR_BLASNET_DATA', `the target column ${JSON.stringify(name)} has no values`);
  return Array.from(rows, (i) => d.values[i]!) as string[] | boolean[];
}

/** y's elements (or a Matrix's rows) at `rows`. */
function takeTargets(y: unknown, rows: Int32Array, n: number): unknown {
  if (y instanceof Matrix) {
    if (y.rows !== n) return y; // the model's own check reports the mismatch
    const out = new Matrix(rows.length, y.cols);
    rows.forEach((r, i) => out.data.set(y.data.subarray(r * y.cols, (r + 1) * y.cols), i * y.cols));
    return out;
  }
  if (Array.isArray(y) || ArrayBuffer.isView(y)) {
    const a = y as ArrayLike<unknown>;
    if (a.length !== n) return y;
    return ArrayBuffer.isView(y) ? Float64Array.from(rows, (r) => a[r] as number) : Array.from(rows, (r) => a[r]);
  }
  return y;
}

function numericCell(d: ColumnData, i: number, column: string, name: string): number {
  if (d.type === 'numeric') return d.values[i]!;
  const v = d.values[i]!;
  if (v === null) return NaN;
  const x = typeof v === 'string' ? parseNumber(v) : NaN;
  if (Number.isNaN(x)) {
    throw blasnetError('ERR_BLASNET_DATA', `${name}: row ${i}, column ${JSON.stringify(column)} is ${JSON.stringify(v)}; the model reads that column as numbers`);
  }
  return x;
}

function booleanCell(d: ColumnData, i: number, column: string, name: string): boolean | null {
  const v = d.values[i]!;
  if (v === null || (typeof v === 'number' && Number.isNaN(v))) return null;
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v === 'string') {
    const l = v.toLowerCase();
    if (l === 'true' || l === '1' || l === 'yes') return true;
    if (l === 'false' || l === '0' || l === 'no') return false;
  }
  throw blasnetError('ERR_BLASNET_DATA', `${name}: row ${i}, column ${JSON.stringify(column)} is ${JSON.stringify(v)}; the model reads that column as true/false`);
}

function categoryCell(d: ColumnData, i: number): string | null {
  if (d.type === 'numeric') {
    const v = d.values[i]!;
    return Number.isNaN(v) ? null : d.text?.get(i) ?? String(v);
  }
  const v = d.values[i]!;
  return v === null ? null : String(v);
}

function warnUnseen(unseen: Map<string, { count: number; values: Set<string>; more: boolean }>): void {
  if (unseen.size === 0) return;
  process.emitWarning(unseenMessage(unseen), { code: 'BLASNET_UNSEEN_CATEGORY' });
}

/** @internal The one-line report of unseen categories. */
export function unseenMessage(unseen: Map<string, { count: number; values: Set<string>; more: boolean }>): string {
  const parts = [...unseen].map(([col, u]) => `${JSON.stringify(col)}: ${u.count} row${u.count === 1 ? '' : 's'} (${[...u.values].map((v) => JSON.stringify(v)).join(', ')}${u.more ? ', …' : ''})`);
  return `categories not seen at fit, encoded as all zeros: ${parts.join('; ')}`;
}

/**
 * @internal A model's `preprocessing` option: a Preprocessing whose encoded width matches the model's
 * inputs (`inputs`, when the model fixes it) and whose target task matches the model's (`regression`).
 */
export function checkPreprocessingOption(value: unknown, inputs: number | null, regression: boolean | null, owner: string): Preprocessing | null {
  if (value === undefined || value === null) return null;
  if (!(value instanceof Preprocessing)) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.preprocessing must be a Preprocessing (from Preprocessing.fit), got ${describe(value)}`);
  }
  if (inputs !== null && inputs !== value.nFeatures) {
    throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `options.preprocessing encodes ${value.nFeatures} inputs (${value.inputNames.slice(0, 6).join(', ')}${value.nFeatures > 6 ? ', …' : ''}); the ${owner}'s first layer reads ${inputs}: use layers [${value.nFeatures}, …]`);
  }
  if (regression !== null && value.task !== null && (value.task === 'regression') !== regression) {
    throw new BlasnetTypeError('ERR_BLASNET_CONFIG', `options.preprocessing's target ${JSON.stringify(value.target)} is a ${value.task}, the ${owner} is ${regression ? 'a regressor' : 'a classifier'}` +
      `${value.task === 'regression' ? " (a regression network has loss 'mse')" : ''}`);
  }
  return value;
}

/** @internal Whether y is absent, so that a model with a preprocessing takes it from the target column. */
export function targetOmitted(y: unknown): boolean {
  return y === undefined || y === null;
}
