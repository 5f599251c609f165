// `blasnet evaluate`, `predict`, `export` and `info`: each loads a model file and the data it needs,
// then prints or writes its result. Every user mistake is a CliError (lib/cli/errors.ts).
import { writeFileSync } from 'node:fs';
import { info as backendInfo, getThreads } from '../backend.js';
import { exportOnnx } from '../onnx.js';
import { CliError, usageError } from './errors.js';
import { classificationReport, formatReport, regressionReport, type Report } from './metrics.js';
import { inputCount, loadCliModel, predictRows, type CliModelInfo } from './modelfile.js';
import { loadData, type Dataset } from './data.js';
import type { Model } from '../index.js';

interface DataOptions {
  target?: string;
  idxImages?: string;
  idxLabels?: string;
}

/** The model's data: its feature columns by name when it knows them, else every column but the target, counted. */
function modelData(model: Model, info: CliModelInfo, data: string | undefined, o: DataOptions, targetNeeded: boolean): Dataset {
  const target = o.target ?? info.target ?? undefined;
  const ds = loadData(data, { ...o, target: o.idxImages !== undefined ? undefined : target }, targetNeeded, o.idxImages !== undefined ? null : info.features);
  const m = inputCount(model);
  if (ds.X.cols !== m) {
    throw new CliError(`${data ?? o.idxImages}: the model expects ${m} features, the data has ${ds.X.cols}${ds.target ? ` (besides the target ${JSON.stringify(ds.target)})` : ''}`);
  }
  return ds;
}

/** `blasnet evaluate <model> <data>`: accuracy, per-class precision/recall/F1 and the confusion matrix, or MSE and R². */
export async function evaluate(modelFile: string, data: string | undefined, o: DataOptions & { json?: boolean }, out: NodeJS.WritableStream): Promise<void> {
  const { model, info } = await loadCliModel(modelFile);
  if (o.idxImages === undefined && o.target === undefined && info.target === null) {
    throw usageError(`${modelFile} does not name its target column: say which with --target <column>`);
  }
  const ds = modelData(model, info, data, o, true);
  const y = ds.y!;
  const { values } = predictRows(model, info, ds.X);
  let r: Report;
  if (info.task === 'classification') {
    for (let i = 0; i < y.length; i++) {
      if (!(Number.isInteger(y[i]) && y[i]! >= 0 && y[i]! < info.classes)) {
        throw new CliError(`${data ?? o.idxLabels}: data row ${i + 1} has target ${y[i]}; the model's classes are 0…${info.classes - 1}`);
      }
    }
    r = classificationReport(y, values, info.classes);
  } else {
    r = regressionReport(y, values);
  }
  if (o.json) out.write(`${JSON.stringify(r, null, 2)}\n`);
  else out.write(`${formatReport(r).join('\n')}\n`);
}

/** `blasnet predict <model> <data>`: one CSV line per row, the class (or value), plus probabilities with --proba. */
export async function predict(modelFile: string, data: string | undefined, o: DataOptions & { proba?: boolean; out?: string }, stdout: NodeJS.WritableStream): Promise<void> {
  const { model, info } = await loadCliModel(modelFile);
  if (o.proba && info.task !== 'classification') throw usageError('--proba needs a classifier; this model is a regression model');
  const ds = modelData(model, info, data, o, false);
  const { values, proba } = predictRows(model, info, ds.X);
  const lines: string[] = [];
  if (info.task === 'classification') {
    const k = info.classes;
    lines.push(o.proba ? ['class', ...Array.from({ length: k }, (_, c) => `p${c}`)].join(',') : 'class');
    for (let i = 0; i < values.length; i++) {
      lines.push(o.proba ? [values[i], ...Array.from(proba!.row(i), (p) => String(p))].join(',') : String(values[i]));
    }
  } else {
    lines.push('prediction');
    for (const v of values) lines.push(String(v));
  }
  const text = `${lines.join('\n')}\n`;
  if (o.out) {
    try {
      writeFileSync(o.out, text);
    } catch (e) {
      throw new CliError(`cannot write predictions to ${o.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  } else {
    stdout.write(text);
  }
}

/** `blasnet export <model> --onnx <file>`: the model (with its input scaling) as an ONNX file. */
export async function exportModel(modelFile: string, o: { onnx?: string; float32?: boolean }, out: NodeJS.WritableStream): Promise<void> {
  if (!o.onnx) throw usageError('say where to write the ONNX file: --onnx <file>');
  const { model } = await loadCliModel(modelFile);
  const bytes = exportOnnx(model, { float32: o.float32 === true });
  try {
    writeFileSync(o.onnx, bytes);
  } catch (e) {
    throw new CliError(`cannot write ${o.onnx}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  out.write(`wrote ${o.onnx}: ONNX opset 13, ${o.float32 ? 'float32' : 'float64'}, input X [N, ${inputCount(model)}], ${bytes.length} bytes\n`);
}

/** `blasnet info`: the backend, the BLAS library, its core, threads and SIMD level. */
export function showInfo(o: { json?: boolean }, out: NodeJS.WritableStream): void {
  const i = backendInfo();
  if (o.json) {
    out.write(`${JSON.stringify({ ...i, threads: getThreads() }, null, 2)}\n`);
    return;
  }
  const rows: [string, string][] = [['backend', i.backend]];
  if (i.backend === 'native') {
    rows.push(['BLAS', `${i.blas ?? '?'}${i.version ? ` ${i.version}` : ''}`], ['core', i.corename ?? '?'], ['threads', String(i.threads ?? getThreads())],
      ['processors', String(i.numProcs ?? '?')], ['SIMD', i.simd ?? '?']);
    if (i.coretype) rows.push(['OPENBLAS_CORETYPE', `${i.coretype.selected ?? '(unset)'}: ${i.coretype.reason}`]);
    if (i.threadTimeout) rows.push(['OPENBLAS_THREAD_TIMEOUT', `${i.threadTimeout.value ?? '(unset)'} (set by ${i.threadTimeout.setBy})`]);
    if (i.config) rows.push(['config', i.config]);
  } else {
    rows.push(['why not native', i.nativeUnavailableReason ?? '?']);
  }
  const w = Math.max(...rows.map((r) => r[0].length));
  out.write(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n');
}
