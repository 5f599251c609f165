// The CLI's model files: a blasnet model file (format 'blasnet-model', read by loadModel too) whose
// free-form metadata carries what the CLI needs to read data for it again (`metadata.cli`: the task,
// the class count, the feature and target column names). Also the one place that turns a model's
// outputs into classes, probabilities or values. Never parses data files.
import { writeFileAtomic } from '../fileio.js';
import { modelText } from '../format.js';
import { LogisticRegression } from '../logistic.js';
import { Matrix } from '../matrix.js';
import { NeuralNetwork } from '../network.js';
// The CLI is a user of the package: the either-kind entry points come through its public index.
import { loadModel, type Model } from '../index.js';
import { CliError } from './errors.js';
import { readBytes } from './data.js';

export interface CliModelInfo {
  task: 'classification' | 'regression';
  /** k for a classifier (2 for binary), 0 for regression. */
  classes: number;
  /** The CSV columns the model reads, in order; null for IDX data or a model saved by the library. */
  features: string[] | null;
  /** The CSV target column; null for IDX data or a model saved by the library. */
  target: string | null;
}

/** What the CLI can say about a model file without its metadata: the task follows from the output layer. */
function inferInfo(model: Model, file: string): CliModelInfo {
  const none = { features: null, target: null };
  if (model instanceof LogisticRegression) return { task: 'classification', classes: 2, ...none };
  const out = model.spec.layers.at(-1)!, sL = model.spec.sizes.at(-1)!;
  if (out.g.name === 'softmax') return { task: 'classification', classes: sL, ...none };
  if (sL === 1 && out.g.name === 'sigmoid' && model.spec.loss === 'cross-entropy') return { task: 'classification', classes: 2, ...none };
  if (sL === 1) return { task: 'regression', classes: 0, ...none };
  throw new CliError(`${file}: the command works with one-output networks and softmax classifiers; this network has ${sL} ${out.g.name} outputs`);
}

function checkInfo(value: unknown, model: Model, file: string): CliModelInfo {
  const inferred = inferInfo(model, file);
  if (value === undefined) return inferred;
  const bad = (why: string) => new CliError(`${file}: not a valid blasnet model: metadata.cli ${why}`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad('must be an object');
  const v = value as Record<string, unknown>;
  if (v.task !== inferred.task || v.classes !== inferred.classes) throw bad(`says ${String(v.task)} with ${String(v.classes)} classes, the model's output layer says ${inferred.task} with ${inferred.classes}`);
  const s0 = model instanceof NeuralNetwork ? model.spec.sizes[0]! : model.weights.length;
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
 * (size cap, nesting depth, format, shapes, finite values); only then is the text parsed again here
 * for `metadata.cli`, which loadModel ignores.
 * @throws {CliError} a missing or unreadable file, or a file the library refuses (with its reason)
 */
export async function loadCliModel(file: string): Promise<{ model: Model; info: CliModelInfo }> {
  let model: Model;
  try {
    model = await loadModel(file);
  } catch (e) {
    // The library's messages name the file and the reason (EISDIR, ERR_BLASNET_FORMAT, …).
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`cannot read model file ${file}: no such file`);
    throw new CliError((e as Error).message);
  }
  const json = JSON.parse(readBytes(file, 'model file').toString('utf8')) as { metadata?: { cli?: unknown } };
  return { model, info: checkInfo(json.metadata?.cli, model, file) };
}

/** Writes the model with the CLI's metadata, exactly (lib/format.ts's writer) and atomically (lib/fileio.ts). */
export async function saveCliModel(model: Model, info: CliModelInfo, file: string): Promise<void> {
  const json = model.toJSON();
  json.metadata = { ...json.metadata, cli: { ...info } };
  try {
    await writeFileAtomic(file, modelText(json), 'the model');
  } catch (e) {
    throw new CliError(`cannot write the model to ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The number of input features the model reads. */
export function inputCount(model: Model): number {
  return model instanceof NeuralNetwork ? model.spec.sizes[0]! : model.weights.length;
}

export interface Predictions {
  /** Class indices (classification) or values (regression), one per row. */
  values: Float64Array;
  /** n × k class probabilities (classification), else null. */
  proba: Matrix | null;
}

/** The model's predictions for raw features X (the model applies its own input scaling). */
export function predictRows(model: Model, info: CliModelInfo, X: Matrix): Predictions {
  if (model instanceof LogisticRegression) {
    const p = model.predictProbaSync(X);
    return { values: model.predictSync(X), proba: binaryProba(p) };
  }
  const A = model.predictSync(X);
  if (info.task === 'regression') return { values: Float64Array.from(A.data), proba: null };
  if (info.classes === 2 && A.cols === 1) return { values: model.predictClassSync(X), proba: binaryProba(A.data) };
  return { values: model.predictClassSync(X), proba: A };
}

function binaryProba(p: Float64Array): Matrix {
  const P = new Matrix(p.length, 2);
  for (let i = 0; i < p.length; i++) {
    P.data[2 * i] = 1 - p[i]!;
    P.data[2 * i + 1] = p[i]!;
  }
  return P;
}
