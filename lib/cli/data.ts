// Reading the CLI's data files into matrices: a CSV with a header (csv-parse), or an MNIST-style IDX
// pair (images, labels). Every problem with the file becomes a CliError naming the file, and for a bad
// cell its line and column. Knows nothing about models.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { CsvError, parse } from 'csv-parse/sync';
import { Matrix } from '../matrix.js';
import { CliError, usageError } from './errors.js';

export interface Dataset {
  /** n × m features, in the order of `features`. */
  X: Matrix;
  /** The feature columns' names (CSV), or null (IDX: pixels). */
  features: string[] | null;
  /** The target values, or null when the data has no target column. */
  y: Float64Array | null;
  /** The target column's name (CSV), or null. */
  target: string | null;
}

/** A file's bytes; a missing or unreadable file is a CliError. */
export function readBytes(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new CliError(`cannot read ${what} ${path}: ${reason}`);
  }
}

// A plain decimal number: what a CSV of features holds. Rejects '', 'NaN', 'Infinity', '0x1f', '1,5'.
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function cell(text: string, file: string, line: number, column: number, name: string): number {
  const v = NUMBER.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(v)) {
    const shown = text === '' ? 'an empty cell' : JSON.stringify(text.length > 30 ? `${text.slice(0, 30)}…` : text);
    throw new CliError(`${file}: line ${line}, column ${column} (${JSON.stringify(name)}): ${shown} is not a number`);
  }
  return v;
}

interface Options {
  /** The target column; required unless `targetOptional`. */
  target?: string | null;
  /** Read the target when the column is there, carry on without it when it is not (predict). */
  targetOptional?: boolean;
  /** The feature columns to take, in this order (a saved model's); default every column but the target. */
  features?: string[] | null;
}

/**
 * Reads a CSV whose first line names the columns. Features and target must be plain decimal numbers.
 * @throws {CliError} a missing file, a malformed CSV, a missing column, a non-numeric cell (with its line and column)
 */
export function readCsv(file: string, options: Options): Dataset {
  const text = readBytes(file, 'data file').toString('utf8');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, bom: true, trim: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (e) {
    if (e instanceof CsvError) throw new CliError(`${file}: not a valid CSV: ${e.message}`);
    throw e;
  }
  if (records.length === 0) throw new CliError(`${file}: the file is empty; expected a header line naming the columns`);
  const header = records[0]!.record;
  const seen = new Map<string, number>();
  header.forEach((name, k) => {
    if (name === '') throw new CliError(`${file}: the header's column ${k + 1} has no name`);
    if (seen.has(name)) throw new CliError(`${file}: the header names column ${JSON.stringify(name)} twice (columns ${seen.get(name)! + 1} and ${k + 1})`);
    seen.set(name, k);
  });
  const list = (names: string[]) => (names.length > 8 ? `${names.slice(0, 8).join(', ')}, … (${names.length} columns)` : names.join(', '));
  let targetIndex = -1;
  const target = options.target ?? null;
  if (target !== null) {
    targetIndex = seen.get(target) ?? -1;
    if (targetIndex < 0 && !options.targetOptional) throw new CliError(`${file}: no column named ${JSON.stringify(target)} for the target; the columns are ${list(header)}`);
  }
  let featureIdx: number[];
  if (options.features) {
    const missing = options.features.filter((f) => !seen.has(f));
    if (missing.length > 0) {
      throw new CliError(`${file}: the model needs ${options.features.length} feature columns; ${missing.length} missing: ${list(missing)}`);
    }
    featureIdx = options.features.map((f) => seen.get(f)!);
  } else {
    featureIdx = header.map((_, k) => k).filter((k) => k !== targetIndex);
  }
  if (featureIdx.length === 0) throw new CliError(`${file}: no feature columns (the only column is the target ${JSON.stringify(target)})`);
  const rows = records.slice(1);
  if (rows.length === 0) throw new CliError(`${file}: the header is not followed by any data line`);
  const m = featureIdx.length, n = rows.length;
  const X = new Matrix(n, m);
  const y = targetIndex >= 0 ? new Float64Array(n) : null;
  rows.forEach(({ record, info }, i) => {
    const line = info.lines;
    for (let j = 0; j < m; j++) {
      const k = featureIdx[j]!;
      X.data[i * m + j] = cell(record[k]!, file, line, k + 1, header[k]!);
    }
    if (y) y[i] = cell(record[targetIndex]!, file, line, targetIndex + 1, header[targetIndex]!);
  });
  return { X, features: featureIdx.map((k) => header[k]!), y, target: targetIndex >= 0 ? target : null };
}

interface Idx {
  dims: number[];
  data: Uint8Array;
}

/** An IDX file of unsigned bytes (gzip-compressed when its name ends in .gz): magic 0x000008RR, RR dimensions, the bytes. */
function readIdx(file: string): Idx {
  let bytes: Uint8Array = readBytes(file, 'IDX file');
  if (file.endsWith('.gz')) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new CliError(`${file}: not a gzip file (${(e as Error).message})`);
    }
  }
  const bad = (why: string) => new CliError(`${file}: not an IDX file of unsigned bytes: ${why}`);
  if (bytes.length < 8) throw bad(`only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0), rank = magic & 0xff;
  if (magic >>> 8 !== 0x08) throw bad(`magic number 0x${magic.toString(16).padStart(8, '0')}, expected 0x000008NN`);
  if (rank < 1 || rank > 4 || bytes.length < 4 + 4 * rank) throw bad(`rank ${rank}`);
  const dims: number[] = [];
  for (let k = 0; k < rank; k++) dims.push(view.getUint32(4 + 4 * k));
  const size = dims.reduce((a, b) => a * b, 1), start = 4 + 4 * rank;
  if (bytes.length - start !== size) throw bad(`the header says ${dims.join(' × ')} = ${size} bytes of data, the file has ${bytes.length - start}`);
  return { dims, data: bytes.subarray(start) };
}

/**
 * An MNIST-style pair: images (n × rows × cols, or n × m) and optionally labels (n). Pixels are taken
 * as they are (0–255); the model's standardization scales them.
 * @throws {CliError} a missing or malformed file, or counts that do not match
 */
export function readIdxPair(imagesFile: string, labelsFile: string | undefined): Dataset {
  const img = readIdx(imagesFile);
  if (img.dims.length < 2) throw new CliError(`${imagesFile}: expected images (n × rows × cols), got dimensions ${img.dims.join(' × ')}`);
  const n = img.dims[0]!, m = img.dims.slice(1).reduce((a, b) => a * b, 1);
  const X = new Matrix(n, m, Float64Array.from(img.data));
  let y: Float64Array | null = null;
  if (labelsFile !== undefined) {
    const lab = readIdx(labelsFile);
    if (lab.dims.length !== 1) throw new CliError(`${labelsFile}: expected labels (one dimension), got dimensions ${lab.dims.join(' × ')}`);
    if (lab.dims[0] !== n) throw new CliError(`${labelsFile} has ${lab.dims[0]} labels for the ${n} images of ${imagesFile}`);
    y = Float64Array.from(lab.data);
  }
  return { X, features: null, y, target: null };
}

/**
 * The data a command names: a CSV (with `--target`), or an IDX pair (`--idx-images`, `--idx-labels`).
 * @param targetNeeded - train and evaluate need the target; predict takes it when present
 * @param features - a saved model's feature columns, taken by name and in that order
 * @throws {CliError} conflicting or missing data options (exit 2), and every problem of the files
 */
export function loadData(data: string | undefined, o: { target?: string | undefined; idxImages?: string | undefined; idxLabels?: string | undefined }, targetNeeded: boolean, features?: string[] | null): Dataset {
  if (o.idxImages !== undefined) {
    if (data !== undefined) throw usageError(`give either a CSV file or --idx-images, not both (got ${data} and --idx-images ${o.idxImages})`);
    if (o.target !== undefined) throw usageError('--target applies to CSV data; IDX labels come from --idx-labels');
    if (targetNeeded && o.idxLabels === undefined) throw usageError('--idx-images needs --idx-labels <file> here');
    return readIdxPair(o.idxImages, o.idxLabels);
  }
  if (o.idxLabels !== undefined) throw usageError('--idx-labels needs --idx-images <file>');
  if (data === undefined) throw usageError('missing the data: a CSV file, or --idx-images <file> --idx-labels <file>');
  if (targetNeeded && o.target === undefined) throw usageError(`${data}: say which column to predict with --target <column>`);
  return readCsv(data, { target: o.target ?? null, targetOptional: !targetNeeded, features: features ?? null });
}
