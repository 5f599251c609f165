// The CLI's model files: a blasnet model file (format 'blasnet-model', read by loadModel too) whose
// free-form metadata carries what the CLI needs to read data for it again (`metadata.cli`: the task,
// the class count, the feature and target column names). Also the one place that turns a model's
// outputs into classes, probabilities or values. Never parses data files.
import { predictedIndex } from '../estimator.js';
import { Matrix } from '../matrix.js';
// The CLI is a user of the package: the either-kind entry points come through its public index.
import { loadModel, type Model } from '../index.js';
import { CliError } from './errors.js';

export interface CliModelInfo {
  task: 'classification' | 'regression';
  /** k for a classifier (2 for binary), 0 for regression. */
  classes: number;
  /** The CSV columns the model reads, in order; null for IDX data or a model saved by the library. */
  features: string[] | null;
  /** The CSV target column; null for IDX data or a model saved by the library. */
  target: string | null;
}

/** What the CLI can say about a model file without its metadata: the model's task and classes. */
function inferInfo(model: Model, file: string): CliModelInfo {
  const none = { features: null, target: null };
  const task = model.task;
  if (task === 'regression') {
    if (model.nOutputs !== 1) {
      throw new CliError(`${file}: the command works with one-output regressors and single-label classifiers; this network has several regression outputs`);
    }
    return { task: 'regression', classes: 0, ...none };
  }
  if (task === 'binary' || task === 'multiclass') return { task: 'classification', classes: model.classes!.length, ...none };
  throw new CliError(`${file}: the command works with one-output regressors and single-label classifiers; this model's task is '${String(task)}'`);
}

function checkInfo(value: unknown, model: Model, file: string): CliModelInfo {
  const inferred = inferInfo(model, file);
  if (value === undefined) return inferred;
  const bad = (why: string) => new CliError(`${file}: not a valid blasnet model: metadata.cli ${why}`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad('must be an object');
  const v = value as Record<string, unknown>;
  if (v.task !== inferred.task || v.classes !== inferred.classes) throw bad(`says ${String(v.task)} with ${String(v.classes)} classes, the model's output layer says ${inferred.task} with ${inferred.classes}`);
  const s0 = inputCount(model);
  let features: string[] | null = null;
  if (v.features !== null && v.features !== undefined) {
    if (!Array.isArray(v.features) || v.features.length !== s0 || !v.features.every((f) => typeof f === 'string')) throw bad(`.features must be ${s0} column names`);
    features = v.features as string[];
  }
  if (v.target !== null && v.target !== undefined && typeof v.target !== 'string') throw bad('.target must be a column name');
  return { ...inferred, features, target: (v.target as string | null | undefined) ?? null };
}

/**
 * Reads a model file written by `blasnet train` or by the library's save: loadModel does every check
 * (size cap, nesting depth, format, shapes, finite values), and the loaded model keeps the file's
 * user metadata, `metadata.cli` included (model.metadata): the file is read once.
 * @throws {CliError} a missing or unreadable file, or a file the library refuses (with its reason)
 */
export async function loadCliModel(file: string): Promise<{ model: Model; info: CliModelInfo }> {
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
  return { model, info: checkInfo(model.metadata.cli, model, file) };
}

/**
 * Writes the model with the CLI's metadata through the model's save (exact, lib/format/write.ts, and
 * atomic, lib/fileio.ts): `metadata.cli` beside any user metadata the model already had.
 */
export async function saveCliModel(model: Model, info: CliModelInfo, file: string): Promise<void> {
  try {
    await model.save(file, { metadata: { ...model.metadata, cli: { ...info } } });
  } catch (e) {
    throw new CliError(`cannot write the model to ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The number of input features the model reads. */
export function inputCount(model: Model): number {
  return model.nFeatures!;
}

export interface Predictions {
  /** Class indices (classification) or values (regression), one per row. */
  values: Float64Array;
  /** n × k class probabilities (classification), else null. */
  proba: Matrix | null;
}

/** The model's predictions for raw features X (the model applies its own input scaling). */
export function predictRows(model: Model, info: CliModelInfo, X: Matrix): Predictions {
  if (info.task === 'regression') return { values: Float64Array.from(model.predictSync(X) as Float64Array), proba: null };
  const proba = model.predictProbaSync(X);
  return { values: Float64Array.from(predictedIndex(proba)), proba };
}
