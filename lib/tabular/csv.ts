// CSV files into Tables: the file is streamed through csv-parse (quotes, a BOM, CRLF, LF and the two
// mixed), the delimiter detected among , ; tab | or given, every column's type inferred as it is
// read. Each problem names the file, and for a bad cell its line and column.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { CsvError, parse as parseStream, type Options as CsvParseOptions } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { BlasnetTypeError, blasnetError, describe } from '../errors.js';
import { checkPath } from '../fileio.js';
import { ColumnBuilder, DEFAULT_MISSING, checkTypes, listNames, missingSet, Table, type ColumnType, type TableOptions } from './table.js';

/**
 * Options of {@link readCsv} and {@link parseCsv}.
 * @example await readCsv('sales.csv', { delimiter: ';', types: { store: 'categorical' } });
 */
export interface CsvOptions extends TableOptions {
  /** The field delimiter: one of `,` `;` tab `|`, or any single character. Default: detected from the first lines. */
  delimiter?: string;
}

/**
 * The delimiters detection chooses among, in order of preference on a tie.
 * @example CSV_DELIMITERS.includes(';'); // true
 */
export const CSV_DELIMITERS: readonly string[] = Object.freeze([',', ';', '\t', '|']);

const OPTION_KEYS = ['delimiter', 'types', 'missing'];

/** @internal */
export interface Checked {
  tokens: readonly string[];
  delimiter: string | undefined;
  types: Map<string, ColumnType>;
  missing: Set<string>;
}

function checkOptions(options: unknown): Checked {
  if (options === undefined) return { tokens: DEFAULT_MISSING, delimiter: undefined, types: new Map(), missing: missingSet(undefined, '') };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options must be an object, got ${describe(options)}`);
  }
  const o = options as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!OPTION_KEYS.includes(k)) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.${k} is not a CSV option (expected ${OPTION_KEYS.join(', ')})`);
  }
  const d = o.delimiter;
  if (d !== undefined && (typeof d !== 'string' || [...d].length !== 1 || d === '"' || d === '\n' || d === '\r')) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.delimiter must be one character other than a quote or a line break (',' ';' '\\t' '|'), got ${describe(d)}`);
  }
  return { tokens: (o.missing as string[] | undefined) ?? DEFAULT_MISSING, delimiter: d as string | undefined, types: checkTypes(o.types, 'options.types'), missing: missingSet(o.missing, 'options.missing') };
}

/**
 * The delimiter of a CSV from its first lines: the candidate that splits the header into the most
 * fields while every sampled line has as many; ',' when none splits the header.
 * @param sample - the file's beginning (whole lines; a cut last line is ignored)
 * @returns one of {@link CSV_DELIMITERS}
 * @example detectDelimiter('a;b;c\n1;2;3\n'); // ';'
 */
export function detectDelimiter(sample: string): string {
  const text = sample.charCodeAt(0) === 0xfeff ? sample.slice(1) : sample;
  let best = ',', bestCount = 0, bestConsistent = false;
  for (const d of CSV_DELIMITERS) {
    const counts = fieldCounts(text, d, 50);
    if (counts.length === 0 || counts[0]! < 2) continue;
    const consistent = counts.every((c) => c === counts[0]);
    // A consistent split beats an inconsistent one; then more fields win; then the list's order.
    if ((consistent && !bestConsistent) || (consistent === bestConsistent && counts[0]! > bestCount)) {
      best = d;
      bestCount = counts[0]!;
      bestConsistent = consistent;
    }
  }
  return best;
}

/** Fields per record for the first `max` complete, non-empty records, quotes respected. */
function fieldCounts(text: string, d: string, max: number): number[] {
  const out: number[] = [];
  let fields = 1, inQuotes = false, empty = true;
  for (let i = 0; i < text.length && out.length < max; i++) {
    const c = text[i]!;
    if (c === '"') {
      inQuotes = !inQuotes;
      empty = false;
    } else if (inQuotes) {
      continue;
    } else if (c === d) {
      fields++;
      empty = false;
    } else if (c === '\n' || c === '\r') {
      if (!empty) out.push(fields);
      fields = 1;
      empty = true;
      if (c === '\r' && text[i + 1] === '\n') i++;
    } else if (c !== ' ') {
      empty = false;
    }
  }
  return out;
}

function parserOptions(delimiter: string): CsvParseOptions {
  return {
    delimiter,
    bom: true,
    // Mixed CRLF and LF (a file edited on two systems) is one file, not a ragged one.
    record_delimiter: ['\r\n', '\n', '\r'],
    skip_empty_lines: true,
    info: true,
    relax_quotes: false,
    // Our own message for a ragged line names the line and both counts.
    relax_column_count: true,
  };
}

/** Turns parsed records into a Table, column by column; `src` names the data in messages. */
class TableBuilder {
  #header: string[] | null = null;
  #builders: ColumnBuilder[] = [];
  #rows = 0;
  readonly #src: string;
  readonly #o: Checked;

  constructor(src: string, o: Checked) {
    this.#src = src;
    this.#o = o;
  }

  add(record: string[], line: number): void {
    if (this.#header === null) {
      this.#setHeader(record);
      return;
    }
    if (record.length !== this.#header.length) {
      throw blasnetError('ERR_BLASNET_DATA', `${this.#src}: line ${line} has ${record.length} fields, the header has ${this.#header.length}`);
    }
    for (let k = 0; k < record.length; k++) {
      this.#builders[k]!.addText(record[k]!, () => `${this.#src}: line ${line}, column ${k + 1} (${JSON.stringify(this.#header![k])})`);
    }
    this.#rows++;
  }

  #setHeader(record: string[]): void {
    const names = checkHeader(record, this.#src, this.#o.types);
    this.#header = names;
    this.#builders = names.map((n) => new ColumnBuilder(n, this.#o.types.get(n), this.#o.missing));
  }

  finish(): Table {
    if (this.#header === null) throw blasnetError('ERR_BLASNET_DATA', `${this.#src}: the file is empty; expected a header line naming the columns`);
    return Table.build(this.#header, this.#builders.map((b) => b.finish()), this.#rows, this.#o.tokens);
  }
}

function csvError(e: unknown, src: string): unknown {
  if (e instanceof CsvError) {
    const lines = (e as unknown as { lines?: number }).lines;
    return blasnetError('ERR_BLASNET_DATA', `${src}: not a valid CSV${lines ? ` (line ${lines})` : ''}: ${e.message}`, { cause: e });
  }
  return e;
}

/**
 * Reads a CSV file whose first line names the columns, streaming it. Cells are trimmed; a column is
 * numeric when every present cell is a plain decimal number, boolean when every one is true/false,
 * and categorical otherwise (override with `types`). Missing cells (`missing`) are kept as missing.
 * @param path - the file (a path or a file: URL)
 * @param options - `delimiter` (default detected among , ; tab |), `types`, `missing`
 * @returns (a Promise of) the Table
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE for a bad path or option
 * @throws {@link BlasnetError} ERR_BLASNET_IO when the file cannot be read; ERR_BLASNET_DATA for an
 *   empty file, a malformed CSV, a duplicate or empty column name, a line with another field count
 *   than the header's, a cell that does not fit a given type (each with the line and column)
 * @example
 * const table = await readCsv('penguins.csv');
 * table.columns; // [{ name: 'species', type: 'categorical', missing: 0 }, …]
 */
export async function readCsv(path: string | URL, options?: CsvOptions): Promise<Table> {
  const file = checkPath(path, 'path');
  const o = checkOptions(options);
  const builder = new TableBuilder(file, o);
  const { records } = await csvRecords(file, o.delimiter);
  for await (const { record, line } of records) builder.add(record, line);
  return builder.finish();
}

/**
 * @internal A CSV file's records, streamed: the delimiter (given, or detected from the first 64 KiB)
 * and an async iterable of `{ record, line }` (the header first). Errors name the file (ERR_BLASNET_IO
 * for the file system, ERR_BLASNET_DATA for a malformed CSV); an early `break` closes the file.
 */
export async function csvRecords(file: string, given: string | undefined): Promise<{
  delimiter: string;
  /** The records one by one (use one of the two iterables, not both). */
  records: AsyncIterable<{ record: string[]; line: number }>;
  /** The same records in arrays, one per chunk of the file read. */
  batches: AsyncIterable<{ record: string[]; line: number }[]>;
}> {
  const stream = createReadStream(file, { highWaterMark: 1 << 16 });
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head: Buffer = Buffer.alloc(0);
  try {
    // Enough of the file to see its first lines and choose the delimiter.
    while (head.length < 1 << 16) {
      const r = await chunks.next();
      if (r.done) break;
      head = head.length === 0 ? r.value : Buffer.concat([head, r.value]);
    }
  } catch (e) {
    stream.destroy();
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw blasnetError('ERR_BLASNET_IO', `cannot read ${JSON.stringify(file)}: ${reason}`, { cause: e });
  }
  const delimiter = given ?? detectDelimiter(head.toString('utf8'));
  // The parser is fed one chunk of the file at a time and read out synchronously: the records come in
  // arrays (one per chunk), so a large file costs no promise per record.
  async function* batches(): AsyncGenerator<{ record: string[]; line: number }[]> {
    const parser = parseStream(parserOptions(delimiter));
    const out: { record: string[]; line: number }[] = [];
    let failure: unknown = null;
    parser.on('error', (e) => (failure ??= e));
    const drain = () => {
      let r: { record: string[]; info: { lines: number } } | null;
      while ((r = parser.read() as typeof r) !== null) out.push({ record: r.record, line: r.info.lines });
    };
    try {
      let chunk: Buffer | null = head.length > 0 ? head : null;
      for (;;) {
        if (chunk === null) {
          let r: IteratorResult<Buffer>;
          try {
            r = await chunks.next();
          } catch (e) {
            throw blasnetError('ERR_BLASNET_IO', `cannot read ${JSON.stringify(file)}: ${(e as Error).message}`, { cause: e });
          }
          if (r.done) break;
          chunk = r.value;
        }
        parser.write(chunk);
        chunk = null;
        drain();
        if (failure) throw failure;
        if (out.length > 0) yield out.splice(0, out.length);
      }
      parser.end();
      // The last record is pushed when the parser flushes, before its writable side finishes.
      await new Promise<void>((ok) => (parser.writableFinished ? ok() : parser.once('finish', () => ok()).once('error', () => ok())));
      drain();
      if (failure) throw failure;
      if (out.length > 0) yield out.splice(0, out.length);
    } catch (e) {
      throw csvError(e, file);
    } finally {
      parser.destroy();
      stream.destroy();
    }
  }
  async function* records(): AsyncGenerator<{ record: string[]; line: number }> {
    for await (const batch of batches()) yield* batch;
  }
  return { delimiter, records: records(), batches: batches() };
}

/** @internal The checked options of readCsv (delimiter, types, missing tokens). */
export function csvOptions(options: unknown): Checked {
  return checkOptions(options);
}

/** @internal The header's names, checked: none empty, none twice; `types` must name only these. */
export function checkHeader(record: string[], src: string, types: Map<string, ColumnType>): string[] {
  const seen = new Map<string, number>();
  const names = record.map((raw, k) => {
    const name = raw.trim();
    if (name === '') throw blasnetError('ERR_BLASNET_DATA', `${src}: the header's column ${k + 1} has no name`);
    if (seen.has(name)) throw blasnetError('ERR_BLASNET_DATA', `${src}: the header names column ${JSON.stringify(name)} twice (columns ${seen.get(name)! + 1} and ${k + 1})`);
    seen.set(name, k);
    return name;
  });
  for (const [name] of types) {
    if (!seen.has(name)) throw blasnetError('ERR_BLASNET_DATA', `${src}: options.types names column ${JSON.stringify(name)}; the columns are ${listNames(names)}`);
  }
  return names;
}

/**
 * {@link readCsv} on text already in memory (a request body, a test fixture).
 * @param text - the CSV text, its first line naming the columns
 * @param options - as for readCsv
 * @returns the Table
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE for a non-string text or a bad option
 * @throws {@link BlasnetError} ERR_BLASNET_DATA as readCsv
 * @example const t = parseCsv('x;y\n1;a\n2;b\n'); // delimiter ';' detected
 */
export function parseCsv(text: string, options?: CsvOptions): Table {
  if (typeof text !== 'string') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `text must be a string (CSV), got ${describe(text)}`);
  const o = checkOptions(options);
  const delimiter = o.delimiter ?? detectDelimiter(text.slice(0, 1 << 16));
  const builder = new TableBuilder('CSV text', o);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseSync(text, parserOptions(delimiter)) as unknown as typeof records;
  } catch (e) {
    throw csvError(e, 'CSV text');
  }
  for (const { record, info } of records) builder.add(record, info.lines);
  return builder.finish();
}
