// Reading the CLI's data files: a CSV through the library's tabular reader (readCsv: the delimiter
// detected among , ; tab | or given, quotes, a BOM, CRLF/LF mixed, missing cells, column types
// inferred) into a Table, or an MNIST-style IDX pair (images, labels) into a matrix. Every problem with
// a file becomes a CliError naming the file (and for a bad cell its line and column). Also the parsers
// of the data options (--delimiter, --missing, comma-separated column lists). Knows nothing about models.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { InvalidArgumentError } from 'commander';
import { Matrix } from '../matrix.js';
import { readCsvChunks } from '../tabular/scan.js';
import { readCsv } from '../tabular/csv.js';
import type { Table } from '../tabular/table.js';
import { CliError, usageError } from './errors.js';

/** The options that say how to read a CSV. */
export interface CsvReadOptions {
  /** --delimiter: one character; default detected. */
  delimiter?: string;
  /** --missing: the cell texts that mean "missing"; default the library's list. */
  missing?: string[];
}

/** A file's bytes; a missing or unreadable file is a CliError. */
export function readBytes(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CliError(`cannot read ${what} ${path}: ${ioReason(e)}`);
  }
}

function ioReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
}

/**
 * Reads a CSV whose first line names the columns into a Table (lib/tabular/csv.ts).
 * @param missing - the cell texts that mean "missing" (--missing, or a model's own list); default the library's
 * @throws {CliError} a missing or unreadable file; a malformed CSV, an empty file, a ragged line (with its line)
 */
export async function readTable(file: string, o: CsvReadOptions): Promise<Table> {
  try {
    return await readCsv(file, { ...(o.delimiter !== undefined ? { delimiter: o.delimiter } : {}), ...(o.missing !== undefined ? { missing: o.missing } : {}) });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_BLASNET_IO') throw new CliError(`cannot read data file ${file}: ${ioReason((e as { cause?: unknown }).cause ?? e)}`);
    if (code === 'ERR_BLASNET_DATA') throw new CliError((e as Error).message);
    throw e;
  }
}

/** Rows a command reads at a time from a CSV it streams (predict, evaluate): a file up to this many rows is one chunk. */
export const CHUNK_ROWS = 1 << 16;

/**
 * Reads a CSV in file order, a Table of at most `chunkRows` rows at a time (lib/tabular/scan.ts's
 * readCsvChunks), with readTable's errors.
 * @throws {CliError} as readTable
 */
export async function* readTableChunks(file: string, o: CsvReadOptions, chunkRows = CHUNK_ROWS): AsyncGenerator<Table> {
  try {
    yield* readCsvChunks(file, { chunkRows, ...(o.delimiter !== undefined ? { delimiter: o.delimiter } : {}), ...(o.missing !== undefined ? { missing: o.missing } : {}) });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_BLASNET_IO') throw new CliError(`cannot read data file ${file}: ${ioReason((e as { cause?: unknown }).cause ?? e)}`);
    if (code === 'ERR_BLASNET_DATA') throw new CliError((e as Error).message);
    throw e;
  }
}

/** "a, b, c", or the first names and a count. */
export function listColumns(names: readonly string[]): string {
  return names.length > 8 ? `${names.slice(0, 8).join(', ')}, … (${names.length} columns)` : names.join(', ');
}

/** Checks that the table has every named column; `what` names the option or the model that asks. */
export function requireColumns(table: Table, file: string, names: readonly string[], what: string): void {
  const missing = names.filter((n) => !table.has(n));
  if (missing.length === 0) return;
  const shown = missing.map((n) => JSON.stringify(n)).join(', ');
  throw new CliError(`${file}: ${what} ${missing.length === 1 ? `names column ${shown}, which the file does not have` : `names columns the file does not have: ${shown}`}; the columns are ${listColumns(table.columnNames)}`);
}

// ---------------------------------------------------------------------------------------------
// Option parsers (commander argParser functions: an InvalidArgumentError becomes commander's
// "option '--x <v>' argument 'v' is invalid. …" line, exit 2).

/** --delimiter: one character, or the words comma, semicolon, tab, pipe, or `\t`. */
export function delimiterOption(value: string): string {
  const named: Record<string, string> = { comma: ',', semicolon: ';', tab: '\t', '\\t': '\t', pipe: '|' };
  const d = named[value.toLowerCase()] ?? value;
  if ([...d].length !== 1 || d === '"' || d === '\n' || d === '\r') {
    throw new InvalidArgumentError("expected one character other than a quote or a line break (',' ';' '|'), or tab.");
  }
  return d;
}

/** --features, --ignore: comma-separated column names, none empty, none twice. */
export function columnListOption(value: string): string[] {
  const names = value.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new InvalidArgumentError('expected column names separated by commas (no empty name).');
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new InvalidArgumentError(`column ${JSON.stringify(n)} is listed twice.`);
    seen.add(n);
  }
  return names;
}

/** --missing: comma-separated cell texts; an empty item (as in `NA,`) stands for the empty cell. */
export function missingOption(value: string): string[] {
  return [...new Set(value.split(',').map((s) => s.trim()))];
}

// ---------------------------------------------------------------------------------------------
// IDX

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

/** An IDX pair as a matrix: n × m pixels (taken as they are, 0–255) and the labels, or null. */
export interface IdxData {
  X: Matrix;
  y: Float64Array | null;
  /** The images file, for messages. */
  file: string;
}

/**
 * An MNIST-style pair: images (n × rows × cols, or n × m) and optionally labels (n).
 * @throws {CliError} a missing or malformed file, or counts that do not match
 */
export function readIdxPair(imagesFile: string, labelsFile: string | undefined): IdxData {
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
  return { X, y, file: imagesFile };
}

/** The data options every data-reading command shares. */
export interface DataOptions extends CsvReadOptions {
  target?: string;
  idxImages?: string;
  idxLabels?: string;
}

/** Which data a command names: a CSV, or an IDX pair. */
export type DataSource = { kind: 'csv'; file: string } | { kind: 'idx'; images: string; labels: string | undefined };

/**
 * Checks how the data options combine: a CSV file, or --idx-images (with --idx-labels when the
 * labels are needed), never both; CSV options do not apply to IDX data.
 * @param labelsNeeded - train, cv and evaluate need labels; predict does not
 * @throws {CliError} exit 2 for a combination that does not work
 */
export function dataSource(data: string | undefined, o: DataOptions, labelsNeeded: boolean, csvOnly: [string, string][] = []): DataSource {
  if (o.idxImages !== undefined) {
    if (data !== undefined) throw usageError(`give either a CSV file or --idx-images, not both (got ${data} and --idx-images ${o.idxImages})`);
    if (o.target !== undefined) throw usageError('--target applies to CSV data; IDX labels come from --idx-labels');
    const flags: [string, unknown][] = [['--delimiter', o.delimiter], ['--missing', o.missing], ...csvOnly.map(([k, flag]) => [flag, (o as Record<string, unknown>)[k]] as [string, unknown])];
    for (const [flag, v] of flags) if (v !== undefined) throw usageError(`${flag} applies to CSV data, not to --idx-images`);
    if (labelsNeeded && o.idxLabels === undefined) throw usageError('--idx-images needs --idx-labels <file> here');
    return { kind: 'idx', images: o.idxImages, labels: o.idxLabels };
  }
  if (o.idxLabels !== undefined) throw usageError('--idx-labels needs --idx-images <file>');
  if (data === undefined) throw usageError('missing the data: a CSV file, or --idx-images <file> --idx-labels <file>');
  return { kind: 'csv', file: data };
}
