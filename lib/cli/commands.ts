// `blasnet evaluate`, `predict`, `export` and `info`: each loads a model file and the data it needs,
// then prints or writes its result. Every user mistake is a CliError (lib/cli/errors.ts).
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { info as backendInfo, getThreads } from '../backend.js';
import { exportOnnx } from '../onnx.js';
import type { Table } from '../tabular/table.js';
import { dataSource, listColumns, readIdxPair, readTableChunks, requireColumns, type DataOptions, type DataSource } from './data.js';
import { CliError, usageError } from './errors.js';
import { className, formatReport, worseThanMean } from './metrics.js';
import { idxInputs, loadCliModel, MeasureAccumulator, modelInputs, predictAll, type CliModel, type Inputs } from './modelfile.js';
import type { Sink } from './output.js';

/** The cell texts that mean "missing" for a model's data: --missing, else the model's own list (its preprocessing's), else the library's. */
function missingFor(cm: CliModel, o: DataOptions): string[] | undefined {
  if (o.missing !== undefined) return o.missing;
  return cm.input.kind === 'tabular' ? cm.input.prep.toJSON().missing : undefined;
}

/** One chunk of evaluate's data: the inputs and the true targets of its rows that have one. */
interface Labelled {
  X: Inputs;
  y: ArrayLike<unknown>;
  /** Data rows before this chunk (for messages). */
  first: number;
  dropped: number;
}

/**
 * The data of evaluate, a chunk at a time (a CSV is streamed, so a file of any size is evaluated in
 * bounded memory; IDX is one chunk): the inputs and the true targets of the rows that have one.
 */
async function* labelledData(cm: CliModel, src: DataSource, o: DataOptions): AsyncGenerator<Labelled> {
  if (src.kind === 'idx') {
    const d = readIdxPair(src.images, src.labels);
    yield { X: idxInputs(cm, d), y: d.y!, first: 0, dropped: 0 };
    return;
  }
  const target = o.target ?? cm.target;
  if (target === null) throw usageError(`${cm.file} does not name its target column: say which with --target <column>`);
  let first = 0;
  for await (const table of readTableChunks(src.file, { ...o, missing: missingFor(cm, o) })) {
    if (o.target !== undefined) requireColumns(table, src.file, [target], '--target');
    else if (!table.has(target)) {
      throw new CliError(`${src.file}: no column ${JSON.stringify(target)}, the model's target; the columns are ${listColumns(table.columnNames)} (--target <column> names another)`);
    }
    const column = table.column(target);
    const summary = table.columns.find((c) => c.name === target)!;
    const keep: number[] = [];
    for (let i = 0; i < table.nRows; i++) {
      const v = column[i];
      if (!(v === null || (typeof v === 'number' && Number.isNaN(v)))) keep.push(i);
    }
    if (cm.task === 'regression' && summary.type !== 'numeric' && keep.length > 0) {
      throw new CliError(`${src.file}: the target column ${JSON.stringify(target)} holds ${summary.type === 'boolean' ? 'true/false' : 'text'}; the model is a regression, which needs numbers`);
    }
    const rows = keep.length === table.nRows ? table : table.take(keep);
    const y = summary.type === 'numeric' ? Float64Array.from(keep, (i) => (column as Float64Array)[i]!) : keep.map((i) => column[i]);
    yield { X: modelInputs(cm, rows, src.file, target, first), y, first, dropped: table.nRows - keep.length };
    first += table.nRows;
  }
}

/** `blasnet evaluate <model> <data>`: accuracy, per-class precision/recall/F1 and the confusion matrix, or R², MSE and MAE. */
export async function evaluate(modelFile: string, data: string | undefined, o: DataOptions & { json?: boolean }, out: Sink, warn: (s: string) => void): Promise<void> {
  const cm = await loadCliModel(modelFile);
  const src = dataSource(data, o, true);
  const file = src.kind === 'idx' ? src.images : src.file;
  const acc = new MeasureAccumulator(cm.task, cm.classes);
  let dropped = 0, rows = 0;
  for await (const d of labelledData(cm, src, o)) {
    rows += d.y.length + d.dropped;
    dropped += d.dropped;
    if (d.y.length > 0) await inChunk(() => acc.add(cm.model, d.X, d.y, (i) => `${file}: data row ${d.first + i + 1}`), file, d.first);
  }
  if (acc.n === 0) throw new CliError(`${file}: the target column has no values (all ${rows} cells missing)`);
  const r = acc.result().report;
  if (o.json) {
    out.write(`${JSON.stringify({ ...r, ...(dropped > 0 ? { droppedMissingTarget: dropped } : {}) }, null, 2)}\n`);
  } else {
    const lines = formatReport(r);
    if (dropped > 0) lines.splice(1, 0, `(${dropped} row${dropped === 1 ? '' : 's'} without a target left out)`);
    out.write(`${lines.join('\n')}\n`);
  }
  const warning = worseThanMean(r, 'the');
  if (warning) warn(warning);
}

/** The header of predict's CSV: `class` (or `prediction`), and with --proba `p(<class>)` per class; --id's column first. */
export function predictionHeader(cm: CliModel, proba: boolean, id: string | undefined): string[] {
  const head = cm.task === 'classification' ? ['class', ...(proba ? cm.classes!.map((c) => `p(${className(c)})`) : [])] : ['prediction'];
  return id !== undefined ? [id, ...head] : head;
}

/** Rows of output written at a time (and then the stream's back-pressure waited for). */
const CHUNK = 2000;

/** `blasnet predict <model> <data>`: one CSV line per row, the class (or value), plus probabilities with --proba. */
export async function predict(modelFile: string, data: string | undefined, o: DataOptions & { proba?: boolean; out?: string; id?: string }, stdout: Sink): Promise<void> {
  const cm = await loadCliModel(modelFile);
  if (o.proba && cm.task !== 'classification') throw usageError('--proba needs a classifier; this model is a regression model');
  const src = dataSource(data, o, false);
  if (src.kind === 'idx' && o.id !== undefined) throw usageError('--id applies to CSV data, not to --idx-images');
  // csv-stringify quotes a field when CSV needs it (a comma, a quote, a line break), doubling quotes.
  const csv = (rows: string[][]) => stringify(rows, { record_delimiter: 'unix' });
  const header = csv([predictionHeader(cm, o.proba === true, o.id)]);
  let write: (text: string) => Promise<void>, done = () => false, close = () => {};
  if (o.out) {
    let fd: number;
    try {
      fd = openSync(o.out, 'w');
    } catch (e) {
      throw new CliError(`cannot write predictions to ${o.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const out = o.out;
    write = async (text) => {
      try {
        writeSync(fd, text);
      } catch (e) {
        throw new CliError(`cannot write predictions to ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    };
    close = () => closeSync(fd);
  } else {
    write = (text) => stdout.writeAsync(text);
    done = () => stdout.closed;
  }
  let started = false;
  try {
    // The data a chunk at a time: a CSV of any size is predicted in bounded memory, and the lines go
    // out as they come (a reader that stops, `| head`, stops the reading too).
    const chunks: AsyncIterable<{ X: Inputs; ids: string[] | null }> = src.kind === 'idx'
      ? (async function* () { yield { X: idxInputs(cm, readIdxPair(src.images, undefined)), ids: null }; })()
      : (async function* () {
        let first = 0;
        for await (const table of readTableChunks(src.file, { ...o, missing: missingFor(cm, o) })) {
          if (o.id !== undefined) requireColumns(table, src.file, [o.id], '--id');
          yield { X: modelInputs(cm, table, src.file, o.target ?? cm.target, first), ids: o.id !== undefined ? idTexts(table, o.id) : null };
          first += table.nRows;
        }
      })();
    let first = 0;
    for await (const { X, ids } of chunks) {
      const p = await inChunk(() => predictAll(cm.model, cm.task, X), src.kind === 'idx' ? src.images : src.file, first);
      first += ids?.length ?? (X as { nRows?: number; rows?: number }).nRows ?? (X as { rows: number }).rows;
      // The header goes out with the first chunk's lines: a mistake in the data (a missing column, a
      // bad cell) found in the first chunk leaves no output at all.
      if (!started) {
        started = true;
        await write(header);
      }
      const n = p.index?.length ?? p.values!.length;
      const row = (i: number): string[] => {
        const head = ids ? [ids[i]!] : [];
        if (cm.task === 'regression') return [...head, String(p.values![i])];
        const label = className(cm.classes![p.index![i]!]!);
        return o.proba ? [...head, label, ...Array.from(p.proba!.row(i), (v) => String(v))] : [...head, label];
      };
      for (let i = 0; i < n && !done(); i += CHUNK) await write(csv(Array.from({ length: Math.min(CHUNK, n - i) }, (_, j) => row(i + j))));
      if (done()) break;
    }
    if (!started) await write(header);
  } finally {
    close();
  }
}

/**
 * Runs the model on one chunk; the library's message for a bad cell names the row within the chunk
 * ("X: row 12, column …"): the user is told the file and the data row.
 */
async function inChunk<T>(run: () => Promise<T>, file: string, first: number): Promise<T> {
  try {
    return await run();
  } catch (e) {
    const m = /^\w+: row (\d+), (.*)$/s.exec((e as Error).message ?? '');
    if ((e as { code?: unknown }).code === 'ERR_BLASNET_DATA' && m) throw new CliError(`${file}: data row ${first + Number(m[1]) + 1}, ${m[2]}`);
    throw e;
  }
}

/** An ID column's cells as the file wrote them (a numeric ID keeps its text: 007 stays 007); empty where missing. */
function idTexts(table: Table, name: string): string[] {
  // A numeric column keeps each cell's own text where it differs from the number's (Table's storage).
  const d = table.data(name);
  if (d.type === 'numeric') return Array.from(d.values, (v, i) => (Number.isNaN(v) ? '' : d.text?.get(i) ?? String(v)));
  return (d.values as (string | boolean | null)[]).map((v) => (v === null ? '' : String(v)));
}

/** `blasnet export <model> --onnx <file>`: the model (with its input scaling) as an ONNX file. */
export async function exportModel(modelFile: string, o: { onnx?: string; float32?: boolean }, out: Sink): Promise<void> {
  if (!o.onnx) throw usageError('say where to write the ONNX file: --onnx <file>');
  const cm = await loadCliModel(modelFile);
  let bytes: Uint8Array;
  try {
    bytes = exportOnnx(cm.model, { float32: o.float32 === true });
  } catch (e) {
    if (typeof (e as { code?: unknown }).code === 'string') throw new CliError(`${modelFile}: cannot export to ONNX: ${(e as Error).message.replace(/^exportOnnx: (cannot export )?/, '')}`);
    throw e;
  }
  try {
    writeFileSync(o.onnx, bytes);
  } catch (e) {
    throw new CliError(`cannot write ${o.onnx}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const cols = cm.input.kind === 'tabular' ? cm.input.prep.columns : null;
  const input = cols ? `X [N, ${cols.length}] (the columns ${listColumns(cols)}; NaN for a missing cell)` : `X [N, ${cm.model.nFeatures}]`;
  out.write(`wrote ${o.onnx}: ONNX opset 13, ${o.float32 ? 'float32' : 'float64'}, input ${input}, ${bytes.length} bytes\n`);
}

/** `blasnet info`: the backend, the BLAS library, its core, threads and SIMD level. */
export function showInfo(o: { json?: boolean }, out: Sink): void {
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
