// From a CSV's Table to what `train` and `cv` learn from: the target column's rows (rows without a
// target are dropped and counted), the task and why it was chosen (lib/tabular's inferTask rule, or
// --task, or a regression loss), the classes as the data names them, the preprocessing learned on
// training rows (lib/tabular's Preprocessing.fit), and the lines that tell the user all of it.
// Never fits a model, never prints itself.
import { uniqueLabels, type Classes } from '../labels.js';
import { inferTask, MAX_INFERRED_CLASSES, Preprocessing, type ImputeStrategy, type TargetTask } from '../tabular/preprocess.js';
import type { Table } from '../tabular/table.js';
import { requireColumns, type CsvReadOptions } from './data.js';
import { CliError, usageError } from './errors.js';
import { regressionOption, type ModelOptions } from './model.js';

/** The data options of `train` and `cv` for a CSV. */
export interface TabularOptions extends CsvReadOptions {
  target?: string;
  features?: string[];
  ignore?: string[];
  task?: TargetTask;
  impute?: ImputeStrategy;
}

/** The target, its rows and its task. */
export interface TargetData {
  /** The rows that have a target, in file order. */
  table: Table;
  target: string;
  /** Rows in the file. */
  rowsRead: number;
  /** Rows dropped because their target is missing. */
  droppedMissingTarget: number;
  task: TargetTask;
  /** Why this task, for the report. */
  why: string;
  /** The kept rows' targets. */
  labels: Float64Array | string[] | boolean[];
  /** The classes over all kept rows (classification), sorted as the models sort them; else null. */
  classes: Classes | null;
}

// A plain decimal number, as the tabular reader takes one (lib/tabular/table.ts).
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Refuses a column of numbers with a few text cells (a typo, an unlisted missing-value marker such as
 * "-"): read as text, it would become hundreds of categories or a class of its own. Names the first such
 * cell and says how to mark it missing.
 * @throws {CliError} for a text column whose present cells are at least 80 % numbers
 */
function checkStrayText(table: Table, file: string, names: readonly string[]): void {
  for (const name of names) {
    if (table.columns.find((c) => c.name === name)?.type !== 'categorical') continue;
    const values = table.column(name) as (string | null)[];
    let present = 0, numbers = 0, first = -1;
    values.forEach((v, i) => {
      if (v === null) return;
      present++;
      if (NUMBER.test(v)) numbers++;
      else if (first < 0) first = i;
    });
    if (first >= 0 && numbers >= 0.8 * present) {
      const strays = present - numbers;
      throw new CliError(`${file}: column ${JSON.stringify(name)} holds numbers but for ${strays} cell${strays === 1 ? '' : 's'} such as ${shown(values[first])} (data row ${first + 1}); ` +
        `fix ${strays === 1 ? 'it' : 'them'}, or list ${strays === 1 ? 'it' : 'such cells'} as missing with --missing (e.g. --missing ${JSON.stringify(`NA,${values[first]},`)})`);
    }
  }
}

const shown = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v.length > 30 ? `${v.slice(0, 29)}…` : v) : String(v));

/** Why inferTask chose what it chose, in the user's terms. */
function inferredWhy(labels: Float64Array | string[] | boolean[], type: string): string {
  if (type === 'categorical') return `the target holds text (e.g. ${shown((labels as string[])[0])}): classes`;
  if (type === 'boolean') return 'the target holds true/false: classes';
  const v = labels as Float64Array;
  const fraction = v.find((x) => !Number.isInteger(x));
  if (fraction !== undefined) return `the target holds non-integer numbers (e.g. ${fraction}): a regression`;
  const distinct = new Set(v).size;
  return distinct > MAX_INFERRED_CLASSES
    ? `the target holds ${distinct} distinct integers (more than ${MAX_INFERRED_CLASSES}): a regression (--task classification to treat them as classes)`
    : `the target holds ${distinct} distinct integers (at most ${MAX_INFERRED_CLASSES}): classes (--task regression or --loss mse to predict them as numbers)`;
}

/**
 * Finds the target, drops the rows without one, and decides the task: --model logistic and --task
 * classification make classes, --task regression or a regression loss/output (--loss mse) a
 * regression; otherwise lib/tabular's rule (inferTask): text and booleans are classes, integers with at
 * most 20 distinct values are classes, other numbers a regression.
 * @throws {CliError} exit 2 for options that contradict each other or name no column; exit 1 for a
 *   target with no values, a single class, or text for a regression
 */
export function targetData(table: Table, file: string, o: TabularOptions & ModelOptions): TargetData {
  const target = o.target!;
  requireColumns(table, file, [target], '--target');
  if (o.features) requireColumns(table, file, o.features, '--features');
  if (o.ignore) requireColumns(table, file, o.ignore, '--ignore');
  if (o.features?.includes(target)) throw usageError(`--features lists the target column ${JSON.stringify(target)}`);
  if (o.ignore?.includes(target)) throw usageError(`--ignore lists the target column ${JSON.stringify(target)}`);
  checkStrayText(table, file, [target, ...(o.features ?? table.columnNames.filter((n) => n !== target && !o.ignore?.includes(n)))]);
  const forced = regressionOption(o);
  if (o.model === 'logistic' && (o.task === 'regression' || forced)) throw usageError(`--model logistic is a classifier; ${o.task === 'regression' ? '--task regression' : forced} needs --model network`);
  if (o.task === 'classification' && forced) throw usageError(`${forced} makes a regression, and --task classification asks for classes`);

  const summary = table.columns.find((c) => c.name === target)!;
  const column = table.column(target);
  const keep: number[] = [];
  for (let i = 0; i < table.nRows; i++) {
    const v = column[i];
    if (!(v === null || (typeof v === 'number' && Number.isNaN(v)))) keep.push(i);
  }
  if (keep.length === 0) throw new CliError(`${file}: the target column ${JSON.stringify(target)} has no values (all ${table.nRows} cells missing)`);
  const rows = keep.length === table.nRows ? table : table.take(keep);
  const labels = (summary.type === 'numeric' ? Float64Array.from(keep, (i) => (column as Float64Array)[i]!) : keep.map((i) => column[i])) as Float64Array | string[] | boolean[];

  let task: TargetTask, why: string;
  if (o.model === 'logistic') {
    task = 'classification';
    why = '--model logistic is a classifier';
  } else if (forced) {
    task = 'regression';
    why = `${forced} makes a regression`;
  } else if (o.task) {
    task = o.task;
    why = `--task ${o.task}`;
  } else {
    task = inferTask(rows, target);
    why = inferredWhy(labels, summary.type);
  }
  if (task === 'regression' && summary.type !== 'numeric') {
    const what = summary.type === 'boolean' ? 'true/false' : `text (e.g. ${shown(labels[0])})`;
    throw new CliError(`${file}: the target column ${JSON.stringify(target)} holds ${what}; a regression (${why}) needs numbers`);
  }
  let classes: Classes | null = null;
  if (task === 'classification') {
    classes = uniqueLabels(labels, `column ${JSON.stringify(target)}`);
    if (classes.length < 2) {
      throw new CliError(`${file}: the target column ${JSON.stringify(target)} has a single class (${shown(classes[0])}) in its ${keep.length} rows; a classifier needs at least two`);
    }
  }
  return { table: rows, target, rowsRead: table.nRows, droppedMissingTarget: table.nRows - keep.length, task, why, labels, classes };
}

/**
 * Learns the preprocessing on training rows (all of them have a target).
 * @throws {CliError} what the library refuses (a column with too many categories, no feature left, …)
 */
export function fitPreprocessing(train: Table, file: string, t: TargetData, o: TabularOptions & { standardize: boolean }): Preprocessing {
  try {
    return Preprocessing.fit(train, {
      target: t.target,
      task: t.task,
      ...(o.features ? { features: o.features } : {}),
      ...(o.ignore ? { ignore: o.ignore } : {}),
      ...(o.impute ? { impute: o.impute } : {}),
      standardize: o.standardize,
    });
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ERR_BLASNET_DATA') throw new CliError(`${file}: ${(e as Error).message}`);
    throw e;
  }
}

/** The class names for a report line: "Adelie, Chinstrap, Gentoo". */
export function classList(classes: Classes): string {
  const names = classes.map((c) => String(c));
  return names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', ');
}

/** What the preprocessing does, for `train`'s report: the feature columns with their types and widths, rows dropped, cells filled. */
export function describePreprocessing(prep: Preprocessing): string[] {
  const features = prep.features;
  const lines = [`features: ${features.length} column${features.length === 1 ? '' : 's'} → ${prep.nFeatures} inputs`];
  const names = (list: string[]) => (list.length > 12 ? `${list.slice(0, 12).join(', ')}, … (${list.length} columns)` : list.join(', '));
  const numeric = features.filter((f) => f.type === 'numeric').map((f) => f.name);
  if (numeric.length > 0) lines.push(`  numeric (${numeric.length}${prep.standardize ? ', standardized' : ''}): ${names(numeric)}`);
  const booleans = features.filter((f) => f.type === 'boolean').map((f) => f.name);
  if (booleans.length > 0) lines.push(`  boolean (${booleans.length}, as 0/1): ${names(booleans)}`);
  for (const f of features) {
    if (f.type !== 'categorical') continue;
    const cats = f.categories.length > 8 ? `${f.categories.slice(0, 8).join(', ')}, …` : f.categories.join(', ');
    lines.push(`  categorical: ${f.name}, one-hot ${f.categories.length} (${cats})`);
  }
  const r = prep.report;
  if (r) {
    if (r.droppedMissingFeatures > 0) lines.push(`rows dropped (--impute drop: a feature missing): ${r.droppedMissingFeatures} of ${r.rows} training rows`);
    const imputed = Object.entries(r.imputed);
    if (imputed.length > 0) {
      const how = prep.impute === 'median' ? 'numbers by their median, categories by the most frequent'
        : prep.impute === 'most-frequent' ? 'by the most frequent value'
          : 'numbers by their mean, categories by the most frequent';
      lines.push(`imputed cells (${how}, from the training rows): ${imputed.map(([name, n]) => `${name} ${n}`).join(', ')}`);
    }
  }
  return lines;
}

/** The rows of a table the preprocessing trains on: all of them, or with --impute drop those with every feature. */
export function trainingRows(prep: Preprocessing, table: Table): number[] | null {
  if (prep.impute !== 'drop') return null;
  const cols = prep.columns.map((n) => table.column(n));
  const keep: number[] = [];
  for (let i = 0; i < table.nRows; i++) {
    if (cols.every((c) => !(c[i] === null || (typeof c[i] === 'number' && Number.isNaN(c[i] as number))))) keep.push(i);
  }
  return keep.length === table.nRows ? null : keep;
}
