// Files larger than memory: one streaming pass over a CSV learns what Preprocessing.fit learns from a
// Table (column types over the whole file; fill values, categories, standardization and classes over
// the training rows), keeping only per-column statistics; then the file is read again in batches,
// through a seeded shuffle buffer, with the types the first pass found. A file that fits in the buffer
// is shuffled as a whole. Memory is bounded by the buffer, not by the file.
import { BlasnetRangeError, BlasnetTypeError, blasnetError, describe } from '../errors.js';
import { checkPath } from '../fileio.js';
import { uniqueLabels, type Classes } from '../labels.js';
import { Random } from '../random.js';
import { checkHeader, csvOptions, csvRecords, type CsvOptions } from './csv.js';
import { Preprocessing, type ImputeStrategy, type PreprocessingOptions, type TabularJSON, type TargetTask } from './preprocess.js';
import { BooleanStats, CategoryStats, featureEncoding, NumericStats } from './stats.js';
import { ColumnBuilder, listNames, parseNumber, Table, type ColumnData, type ColumnType } from './table.js';
import { MAX_INFERRED_CLASSES } from './preprocess.js';

/**
 * Options of {@link scanCsv}: the CSV options and the preprocessing options, and the rows held out.
 * @example await scanCsv('big.csv', { target: 'y', holdout: holdoutRows(0.1, 7) });
 */
export interface ScanOptions extends CsvOptions, PreprocessingOptions {
  /** Data rows (0-based) left out of the statistics, such as validation rows (see {@link holdoutRows}). */
  holdout?: (row: number) => boolean;
}

/**
 * What one streaming pass over a CSV learned.
 * @example const { preprocessing, rows, types } = await scanCsv('big.csv', { target: 'y' });
 */
export interface CsvScan {
  /** The preprocessing, as Preprocessing.fit learns it from the file's training rows. */
  preprocessing: Preprocessing;
  /** The delimiter used. */
  delimiter: string;
  /** Every column's type over the whole file (to read it again the same way). */
  types: Record<string, ColumnType>;
  /** Data rows in the file. */
  rows: number;
  /** Rows the holdout took. */
  heldOut: number;
}

/**
 * A seeded choice of rows by a hash of the row number: the same rows for the same (fraction, seed),
 * whatever order or chunks the file is read in.
 * @param fraction - the share of rows held out, in [0, 1)
 * @param seed - any 32-bit unsigned integer
 * @returns a predicate on the 0-based data row number
 * @throws {@link BlasnetRangeError} ERR_BLASNET_ARG_RANGE for a fraction outside [0, 1) or a bad seed
 * @example const isValidation = holdoutRows(0.2, 0); isValidation(17);
 */
export function holdoutRows(fraction: number, seed: number): (row: number) => boolean {
  if (typeof fraction !== 'number' || !(fraction >= 0 && fraction < 1)) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `fraction must be a number in [0, 1), got ${describe(fraction)}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `seed must be an integer in [0, 2^32), got ${describe(seed)}`);
  const limit = Math.floor(fraction * 2 ** 32);
  return (row: number) => {
    // A 32-bit integer hash (lowbias32) of (row, seed): uniform enough that a share lands where asked.
    let h = (Math.imul(row, 0x9e3779b1) ^ seed) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x21f0aaad) >>> 0;
    h ^= h >>> 15;
    h = Math.imul(h, 0x735a2d97) >>> 0;
    h ^= h >>> 15;
    return h >>> 0 < limit;
  };
}

const TRUE = 'true', FALSE = 'false';

/** One column's state during the pass: what its cells can still be, and their statistics. */
class ColumnScan {
  numeric: boolean;
  boolean = true;
  present = 0;
  readonly num: NumericStats;
  readonly cat: CategoryStats;
  readonly bool = new BooleanStats();

  constructor(readonly name: string, readonly given: ColumnType | undefined, impute: ImputeStrategy, cap: number) {
    this.numeric = given === undefined || given === 'numeric';
    this.num = new NumericStats(impute, false);
    this.cat = new CategoryStats(cap);
  }
}

/**
 * One streaming pass over a CSV: column types over every row; for the feature columns, fill values,
 * categories and standardization over the training rows (rows with a target, outside `holdout`, and
 * with impute 'drop' without a gap); for the target, its task (inferred over every row, as
 * {@link inferTask}) and classes. Holds one row at a time. `impute: 'median'` needs the whole column
 * and is refused.
 * @param path - the CSV file
 * @param options - the CSV options, the preprocessing options and `holdout`
 * @returns (a Promise of) the learned preprocessing, the types, the row counts
 * @throws {@link BlasnetError} ERR_BLASNET_IO, ERR_BLASNET_DATA as readCsv and Preprocessing.fit do
 * @example const scan = await scanCsv('big.csv', { target: 'label', holdout: holdoutRows(0.1, 0) });
 */
export async function scanCsv(path: string | URL, options: ScanOptions = {}): Promise<CsvScan> {
  const file = checkPath(path, 'path');
  if (options === null || typeof options !== 'object') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options must be an object, got ${describe(options)}`);
  const { delimiter: d, types: t, missing: m, holdout, ...prep } = options;
  const o = csvOptions({ ...(d !== undefined ? { delimiter: d } : {}), ...(t !== undefined ? { types: t } : {}), ...(m !== undefined ? { missing: m } : {}) });
  if (holdout !== undefined && typeof holdout !== 'function') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.holdout must be a function (row) => boolean, got ${describe(holdout)}`);
  const impute = prep.impute ?? 'mean';
  if (impute === 'median') throw blasnetError('ERR_BLASNET_DATA', `impute 'median' needs every value of a column in memory; a streamed file takes 'mean', 'most-frequent' or 'drop'`);
  const maxCategories = prep.maxCategories ?? 1000;
  // Checked as Preprocessing.fit checks them, on a one-row table of the header (below).
  const { delimiter, batches } = await csvRecords(file, o.delimiter);

  let names: string[] | null = null;
  let cols: ColumnScan[] = [];
  let targetIndex = -1, features: number[] = [];
  let rows = 0, heldOut = 0, used = 0, droppedMissingTarget = 0, droppedMissingFeatures = 0;
  // The target over every row (its task), and over the training rows (its classes).
  const targetInts = new Set<number>();
  let targetAllIntegers = true;
  const trainLabels = new Set<number | string>();
  const trueFalse = { t: false, f: false };
  const missing = o.missing;
  const isGap = gapTest(missing);
  for await (const batch of batches) for (const { record, line } of batch) {
    if (names === null) {
      names = checkHeader(record, file, o.types);
      cols = names.map((n) => new ColumnScan(n, o.types.get(n), impute as ImputeStrategy, maxCategories + 1));
      // The column choice and its errors are Preprocessing.fit's own, run on the header alone.
      const header = Table.build(names, names.map(() => ({ type: 'categorical', values: [] })), 0, o.tokens);
      const chosen = checkColumns(header, prep);
      targetIndex = chosen.target === null ? -1 : names.indexOf(chosen.target);
      features = chosen.features.map((f) => names!.indexOf(f));
      continue;
    }
    if (record.length !== names.length) throw blasnetError('ERR_BLASNET_DATA', `${file}: line ${line} has ${record.length} fields, the header has ${names.length}`);
    const row = rows++;
    const cells = record.map((c) => c.trim());
    const gap = cells.map(isGap);
    // Types over every row; a numeric cell's number is kept for the statistics below.
    const nums = new Float64Array(cells.length);
    for (let k = 0; k < cells.length; k++) {
      if (gap[k]) continue;
      const col = cols[k]!, c = cells[k]!;
      col.present++;
      if (col.numeric) {
        const v = parseNumber(c);
        if (Number.isNaN(v)) {
          if (col.given === 'numeric') throw blasnetError('ERR_BLASNET_DATA', `${file}: line ${line}, column ${k + 1} (${JSON.stringify(col.name)}): ${JSON.stringify(c)} is not a number, and column ${JSON.stringify(col.name)} was given the type 'numeric'`);
          col.numeric = false;
        }
        nums[k] = v;
      }
      // Only short cells can be true/false (or, given 'boolean', yes/no/1/0).
      if (c.length > 5) {
        col.boolean = false;
        if (col.given === 'boolean') throw notBoolean(file, line, k, col.name, c);
        continue;
      }
      const l = c.toLowerCase();
      if (col.given === 'boolean' && !TRUE_GIVEN.has(l) && !FALSE_GIVEN.has(l)) throw notBoolean(file, line, k, col.name, c);
      if (l !== TRUE && l !== FALSE) col.boolean = false;
    }
    if (targetIndex >= 0 && !gap[targetIndex]) {
      const v = parseNumber(cells[targetIndex]!);
      if (!Number.isInteger(v)) targetAllIntegers = false;
      else if (targetInts.size <= MAX_INFERRED_CLASSES) targetInts.add(v);
    }
    if (holdout?.(row)) {
      heldOut++;
      continue;
    }
    if (targetIndex >= 0 && gap[targetIndex]) {
      droppedMissingTarget++;
      continue;
    }
    if (impute === 'drop' && features.some((k) => gap[k])) {
      droppedMissingFeatures++;
      continue;
    }
    used++;
    for (const k of features) {
      if (gap[k]) continue;
      accumulate(cols[k]!, cells[k]!, nums[k]!);
    }
    if (targetIndex >= 0) {
      const c = cells[targetIndex]!, l = c.toLowerCase();
      if (trainLabels.size <= maxCategories) trainLabels.add(c);
      if (l === TRUE) trueFalse.t = true;
      if (l === FALSE) trueFalse.f = true;
    }
  }
  if (names === null) throw blasnetError('ERR_BLASNET_DATA', `${file}: the file is empty; expected a header line naming the columns`);
  const types = Object.fromEntries(cols.map((c) => [c.name, typeOf(c)])) as Record<string, ColumnType>;

  // The target: its task over every row, its classes over the training rows.
  let target: TabularJSON['target'] = null, classes: Classes | null = null;
  if (targetIndex >= 0) {
    const name = names[targetIndex]!, type = types[name]!;
    if (cols[targetIndex]!.present === 0) throw blasnetError('ERR_BLASNET_DATA', `the target column ${JSON.stringify(name)} has no values (all ${rows} missing)`);
    const task: TargetTask = (prep.task as TargetTask | undefined) ??
      (type !== 'numeric' ? 'classification' : targetAllIntegers && targetInts.size <= MAX_INFERRED_CLASSES ? 'classification' : 'regression');
    if (task === 'regression' && type !== 'numeric') throw blasnetError('ERR_BLASNET_DATA', `the target column ${JSON.stringify(name)} is ${type}; a regression needs numbers`);
    if (task === 'classification') {
      if (trainLabels.size > maxCategories) throw blasnetError('ERR_BLASNET_DATA', `the target column ${JSON.stringify(name)} has more than ${maxCategories} classes in the training rows`);
      const labels = [...trainLabels];
      const values = type === 'numeric' ? labels.map((s) => parseNumber(s as string)) : type === 'boolean' ? labels.map((s) => TRUE_GIVEN.has((s as string).toLowerCase())) : labels;
      classes = values.length ? uniqueLabels(values, `column ${JSON.stringify(name)}`) : [];
      if (classes.length < 2) throw blasnetError('ERR_BLASNET_DATA', `the target column ${JSON.stringify(name)} has ${classes.length === 1 ? `a single class (${JSON.stringify(classes[0])})` : 'no values in the training rows'}; a classifier needs at least two`);
    }
    target = { name, task };
  }
  if (used === 0) throw blasnetError('ERR_BLASNET_DATA', `${file}: no training rows (${rows} rows: ${heldOut} held out, ${droppedMissingTarget} without a target, ${droppedMissingFeatures} with a gap)`);

  const standardize = prep.standardize !== false;
  const imputed: [string, number][] = [];
  const encodings = features.map((k) => {
    const col = cols[k]!, type = types[col.name]!;
    const stats = type === 'numeric' ? col.num : type === 'boolean' ? col.bool : col.cat;
    if (stats.n > 0 && stats.n < used) imputed.push([col.name, used - stats.n]);
    return featureEncoding(col.name, stats, used, impute as ImputeStrategy, standardize, maxCategories);
  });
  const json: TabularJSON = { version: 1, target, impute: impute as ImputeStrategy, standardize, missing: [...o.tokens], features: encodings };
  const report = { rows, used, droppedMissingTarget, droppedMissingFeatures, imputed: Object.fromEntries(imputed) as Record<string, number>, classes };
  return { preprocessing: Preprocessing.fromScan(json, report), delimiter, types, rows, heldOut };
}

// An explicit 'boolean' type reads more spellings than inference does (as readCsv).
const TRUE_GIVEN = new Set(['true', '1', 'yes']), FALSE_GIVEN = new Set(['false', '0', 'no']);

function accumulate(col: ColumnScan, c: string, v: number): void {
  // Every form the column may still take; typeOf picks one at the end. A text column past its
  // category cap is refused if it ends categorical, so its counts stop there.
  if (col.numeric) col.num.add(v);
  if (!col.cat.overflow) col.cat.add(c);
  if (!col.boolean) return;
  const l = c.toLowerCase();
  if (col.given === 'boolean') col.bool.add(TRUE_GIVEN.has(l));
  else if (l === TRUE || l === FALSE) col.bool.add(l === TRUE);
}

function notBoolean(file: string, line: number, k: number, name: string, c: string): Error {
  return blasnetError('ERR_BLASNET_DATA', `${file}: line ${line}, column ${k + 1} (${JSON.stringify(name)}): ${JSON.stringify(c)} is not a boolean (true/false, 1/0, yes/no), and column ${JSON.stringify(name)} was given the type 'boolean'`);
}

/** Whether a trimmed cell is a missing-value token: only cells no longer than the longest token are lower-cased and looked up. */
function gapTest(missing: Set<string>): (c: string) => boolean {
  let longest = 0;
  for (const t of missing) longest = Math.max(longest, t.length);
  return (c) => c.length <= longest && missing.has(c.toLowerCase());
}

function typeOf(col: ColumnScan): ColumnType {
  if (col.given) return col.given;
  if (col.numeric) return 'numeric';
  return col.boolean && col.present > 0 ? 'boolean' : 'categorical';
}

/** The target and feature columns the options choose, checked as Preprocessing.fit checks them. */
function checkColumns(header: Table, options: PreprocessingOptions): { target: string | null; features: string[] } {
  return Preprocessing.columnsOf(header, options);
}

/**
 * Options of {@link csvBatches}.
 * @example { batchSize: 200, bufferRows: 100_000, seed: 0, epoch: 3, rows: (r) => !isValidation(r) }
 */
export interface CsvBatchOptions {
  /** Rows per batch. */
  batchSize: number;
  /** Rows the shuffle buffer holds; 0 reads the file in order. Default 65 536. */
  bufferRows?: number;
  /** Seed of the shuffle. Default 0. */
  seed?: number;
  /** The epoch: each epoch shuffles differently. Default 0. */
  epoch?: number;
  /** Which data rows (0-based) to take; default all. */
  rows?: (row: number) => boolean;
}

/**
 * Reads a scanned CSV again in batches (Tables of the scan's column types), through a seeded shuffle
 * buffer: the buffer fills with `bufferRows` rows; then each new row takes the place of a random one,
 * which goes out. A file with no more rows than the buffer is shuffled as a whole (a Fisher–Yates
 * permutation of (seed, epoch)).
 * @param path - the CSV file
 * @param scan - what scanCsv returned for it
 * @param options - `batchSize`, `bufferRows`, `seed`, `epoch`, `rows`
 * @returns an async iterable of Tables of at most batchSize rows
 * @throws {@link BlasnetError} ERR_BLASNET_IO, ERR_BLASNET_DATA (the file changed since the scan)
 * @example for await (const batch of csvBatches('big.csv', scan, { batchSize: 200 })) model.predictSync(batch);
 */
export async function* csvBatches(path: string | URL, scan: CsvScan, options: CsvBatchOptions): AsyncGenerator<Table> {
  const file = checkPath(path, 'path');
  const { batchSize, bufferRows = 1 << 16, seed = 0, epoch = 0, rows: take } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `options.batchSize must be an integer ≥ 1, got ${describe(batchSize)}`);
  if (!Number.isInteger(bufferRows) || bufferRows < 0) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `options.bufferRows must be an integer ≥ 0, got ${describe(bufferRows)}`);
  const tokens = scan.preprocessing.toJSON().missing;
  const isGap = gapTest(new Set(tokens.map((t) => t.toLowerCase())));
  const { batches } = await csvRecords(file, scan.delimiter);
  const random = new Random(((seed >>> 0) ^ Math.imul(epoch + 1, 0x632be5ab)) >>> 0);
  let names: string[] | null = null;
  let layout: RowLayout | null = null;
  let row = 0;
  // The buffer and the batch being filled are preallocated slots of rows parsed to their columns'
  // types (numbers in one Float64Array, texts in one array), so a row read costs no allocation that
  // outlives it: the parser's strings die young and the heap stays the size of the buffer.
  let ring: Rows | null = null, out: Rows | null = null, scratch: Rows | null = null;
  let filled = 0;
  const flush = (): Table => {
    const t = unpack(layout!, out!, tokens);
    out!.count = 0;
    return t;
  };
  for await (const batch of batches) {
    for (const { record, line } of batch) {
      if (names === null) {
        names = record.map((c) => c.trim());
        const expected = Object.keys(scan.types);
        if (names.length !== expected.length || names.some((n, k) => n !== expected[k])) {
          throw blasnetError('ERR_BLASNET_DATA', `${file}: the header is ${listNames(names)}; the scan saw ${listNames(expected)} (did the file change?)`);
        }
        layout = rowLayout(names, scan.types);
        ring = slots(layout, bufferRows);
        out = slots(layout, batchSize);
        scratch = slots(layout, 1);
        continue;
      }
      const r = row++;
      if (take && !take(r)) continue;
      pack(layout!, record, line, isGap, file, scratch!);
      if (bufferRows === 0) {
        copyRow(layout!, scratch!, 0, out!, out!.count++);
      } else if (filled < bufferRows) {
        copyRow(layout!, scratch!, 0, ring!, filled++);
        continue;
      } else {
        const j = Math.floor(random.next() * bufferRows);
        copyRow(layout!, ring!, j, out!, out!.count++);
        copyRow(layout!, scratch!, 0, ring!, j);
      }
      if (out!.count === batchSize) yield flush();
    }
  }
  if (names === null) throw blasnetError('ERR_BLASNET_DATA', `${file}: the file is empty; expected a header line naming the columns`);
  // What the buffer still holds, in a seeded random order.
  const order = Array.from({ length: filled }, (_, i) => i);
  for (let i = filled - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (const i of order) {
    copyRow(layout!, ring!, i, out!, out!.count++);
    if (out!.count === batchSize) yield flush();
  }
  if (out!.count > 0) yield flush();
}

/** Slots for rows of a layout: `count` of `capacity` in use. */
interface Rows {
  nums: Float64Array;
  texts: (string | null)[];
  count: number;
}

/**
 * Slots for up to `capacity` rows, allocated as rows arrive (doubling, from 1 024): a large
 * `bufferRows` or `batchSize` costs memory only for the rows the file has.
 */
function slots(l: RowLayout, capacity: number): Rows {
  const start = Math.min(capacity, 1024);
  return { nums: new Float64Array(start * l.numeric), texts: new Array<string | null>(start * l.text).fill(null), count: 0 };
}

function copyRow(l: RowLayout, from: Rows, i: number, to: Rows, j: number): void {
  if ((j + 1) * l.numeric > to.nums.length || (j + 1) * l.text > to.texts.length) {
    const rows = Math.max(j + 1, 2 * Math.max(to.nums.length / Math.max(l.numeric, 1), to.texts.length / Math.max(l.text, 1)));
    const nums = new Float64Array(rows * l.numeric);
    nums.set(to.nums);
    to.nums = nums;
    const texts = to.texts;
    for (let k = texts.length; k < rows * l.text; k++) texts.push(null);
  }
  for (let k = 0; k < l.numeric; k++) to.nums[j * l.numeric + k] = from.nums[i * l.numeric + k]!;
  for (let k = 0; k < l.text; k++) to.texts[j * l.text + k] = from.texts[i * l.text + k]!;
}

/** Where each column of a scanned file goes in a packed row: its type, and its slot among its kind. */
interface RowLayout {
  names: string[];
  types: ColumnType[];
  /** Column k's index among the numeric columns, or among the text (categorical, boolean) columns. */
  slot: number[];
  numeric: number;
  text: number;
}

function rowLayout(names: string[], types: Record<string, ColumnType>): RowLayout {
  let numeric = 0, text = 0;
  const kinds = names.map((n) => types[n]!);
  const slot = kinds.map((t) => (t === 'numeric' ? numeric++ : text++));
  return { names, types: kinds, slot, numeric, text };
}

/** Parses one record into slot 0 of `into`, by the scan's types (a cell that no longer fits is an error: the file changed). */
function pack(l: RowLayout, record: string[], line: number, isGap: (c: string) => boolean, file: string, into: Rows): void {
  if (record.length !== l.names.length) throw blasnetError('ERR_BLASNET_DATA', `${file}: line ${line} has ${record.length} fields, the header has ${l.names.length}`);
  for (let k = 0; k < record.length; k++) {
    const c = record[k]!.trim(), type = l.types[k]!, j = l.slot[k]!;
    const gap = isGap(c);
    if (type === 'numeric') {
      const v = gap ? NaN : parseNumber(c);
      if (!gap && Number.isNaN(v)) {
        throw blasnetError('ERR_BLASNET_DATA', `${file}: line ${line}, column ${k + 1} (${JSON.stringify(l.names[k])}): ${JSON.stringify(c)} is not a number, and the first pass found only numbers there (did the file change?)`);
      }
      into.nums[j] = v;
    } else if (type === 'boolean') {
      const lc = gap ? '' : c.toLowerCase();
      if (!gap && !TRUE_GIVEN.has(lc) && !FALSE_GIVEN.has(lc)) {
        throw blasnetError('ERR_BLASNET_DATA', `${file}: line ${line}, column ${k + 1} (${JSON.stringify(l.names[k])}): ${JSON.stringify(c)} is not true/false, and the first pass found only booleans there (did the file change?)`);
      }
      into.texts[j] = gap ? null : lc;
    } else {
      into.texts[j] = gap ? null : c;
    }
  }
}

/** The rows in use as a Table (columns copied out). */
function unpack(l: RowLayout, rows: Rows, tokens: string[]): Table {
  const n = rows.count;
  const data = l.types.map((type, k): ColumnData => {
    const j = l.slot[k]!;
    if (type === 'numeric') {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = rows.nums[i * l.numeric + j]!;
      return { type, values: v, text: null };
    }
    const t = Array.from({ length: n }, (_, i) => rows.texts[i * l.text + j]!);
    if (type === 'boolean') return { type, values: t.map((v) => (v === null ? null : TRUE_GIVEN.has(v))) };
    return { type, values: t };
  });
  return Table.build(l.names.slice(), data, n, tokens);
}

function toTable(names: string[], types: Record<string, ColumnType>, items: { cells: string[]; line: number }[], missing: Set<string>, tokens: string[], file: string): Table {
  // Own keys only: a column named "constructor" must not find Object's.
  const builders = names.map((n) => new ColumnBuilder(n, Object.prototype.hasOwnProperty.call(types, n) ? types[n] : undefined, missing));
  for (const { cells, line } of items) {
    if (cells.length !== names.length) throw blasnetError('ERR_BLASNET_DATA', `${file}: line ${line} has ${cells.length} fields, the header has ${names.length}`);
    for (let k = 0; k < cells.length; k++) builders[k]!.addText(cells[k]!, () => `${file}: line ${line}, column ${k + 1} (${JSON.stringify(names[k])})`);
  }
  return Table.build(names, builders.map((b) => b.finish()), items.length, tokens);
}

/**
 * Options of {@link readCsvChunks}.
 * @example { chunkRows: 65_536, missing: ['NA'] }
 */
export interface CsvChunkOptions extends CsvOptions {
  /** Rows per chunk. Default 65 536. */
  chunkRows?: number;
}

/**
 * Reads a CSV in file order, one Table of at most `chunkRows` rows at a time, so that a file of any
 * size is read in bounded memory (predictions written as they come, for instance). Each chunk's column
 * types are inferred from its own rows unless `types` gives them: a model's preprocessing reads a
 * numeric column in a chunk inferred as text cell by cell, so its predictions do not depend on the
 * chunking.
 * @param path - the CSV file
 * @param options - `chunkRows`, and readCsv's `delimiter`, `types`, `missing`
 * @returns an async iterable of Tables with the file's columns
 * @throws {@link BlasnetError} ERR_BLASNET_IO, ERR_BLASNET_DATA as readCsv
 * @example for await (const chunk of readCsvChunks('big.csv')) write(model.predictSync(chunk));
 */
export async function* readCsvChunks(path: string | URL, options: CsvChunkOptions = {}): AsyncGenerator<Table> {
  const file = checkPath(path, 'path');
  if (options === null || typeof options !== 'object') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options must be an object, got ${describe(options)}`);
  const { chunkRows = 1 << 16, ...csv } = options;
  if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `options.chunkRows must be an integer ≥ 1, got ${describe(chunkRows)}`);
  const o = csvOptions(csv);
  const { records } = await csvRecords(file, o.delimiter);
  let names: string[] | null = null;
  let items: { cells: string[]; line: number }[] = [];
  let sent = false;
  const types = Object.fromEntries(o.types) as Record<string, ColumnType>;
  for await (const { record, line } of records) {
    if (names === null) {
      names = checkHeader(record, file, o.types);
      continue;
    }
    items.push({ cells: record, line });
    if (items.length === chunkRows) {
      yield toTable(names, types, items, o.missing, [...o.tokens], file);
      sent = true;
      items = [];
    }
  }
  if (names === null) throw blasnetError('ERR_BLASNET_DATA', `${file}: the file is empty; expected a header line naming the columns`);
  if (items.length > 0 || !sent) yield toTable(names, types, items, o.missing, [...o.tokens], file);
}
