// A table of named, typed columns: what a CSV file or an array of records holds before it becomes a
// matrix. It infers each column's type (numeric, categorical, boolean) and marks missing cells; it
// never imputes, encodes or scales (lib/tabular/preprocess.ts does that, from training statistics).
import { BlasnetRangeError, BlasnetTypeError, blasnetError, describe } from '../errors.js';

/**
 * A column's type: `'numeric'` (finite numbers), `'categorical'` (strings, one-hot encoded when a
 * model reads them) or `'boolean'` (true/false).
 * @example const types: Record<string, ColumnType> = { zip: 'categorical' };
 */
export type ColumnType = 'numeric' | 'categorical' | 'boolean';

/**
 * One cell as a Table gives it back: a number, a string, a boolean, or `null` when missing.
 * @example const row: Record<string, Cell> = { island: 'Dream', bill_length_mm: 39.1, sex: null };
 */
export type Cell = number | string | boolean | null;

/**
 * The cells read as missing unless told otherwise (matched after trimming, case-insensitively):
 * empty, `NA`, `N/A`, `NaN`, `null` and `?`.
 * @example DEFAULT_MISSING.includes('NA'); // true
 */
export const DEFAULT_MISSING: readonly string[] = Object.freeze(['', 'NA', 'N/A', 'NaN', 'null', '?']);

/**
 * What a Table knows about one column.
 * @example table.columns[0]; // { name: 'species', type: 'categorical', missing: 0 }
 */
export interface ColumnSummary {
  /** The column's name (the CSV header's, or the records' key). */
  name: string;
  /** Its type, inferred or as given. */
  type: ColumnType;
  /** How many of its cells are missing. */
  missing: number;
}

/**
 * Options of the readers that build a Table (readCsv, parseCsv, Table.fromRecords).
 * @example await readCsv('data.csv', { types: { zip: 'categorical' }, missing: ['', '-'] });
 */
export interface TableOptions {
  /** Column types that override inference, by column name. A cell that does not fit is an error naming it. */
  types?: Record<string, ColumnType>;
  /** The cells that mean "missing" (compared after trimming, case-insensitively). Default {@link DEFAULT_MISSING}. */
  missing?: readonly string[];
}

/** @internal A column's storage. Numeric: NaN marks a missing cell; `text` keeps cells whose text is not the number's canonical form. */
export type ColumnData =
  | { type: 'numeric'; values: Float64Array; text: Map<number, string> | null }
  | { type: 'categorical'; values: (string | null)[] }
  | { type: 'boolean'; values: (boolean | null)[] };

// A plain decimal number: what a numeric cell holds. Rejects '0x1f', '1,5', 'Infinity', '1e999'.
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** @internal The number a cell's text means, or NaN when it is not a plain finite decimal. */
export function parseNumber(text: string): number {
  if (!NUMBER.test(text)) return NaN;
  const v = Number(text);
  return Number.isFinite(v) ? v : NaN;
}

const TRUE = new Set(['true']), FALSE = new Set(['false']);
// An explicit 'boolean' type accepts more spellings than inference does.
const TRUE_GIVEN = new Set(['true', '1', 'yes']), FALSE_GIVEN = new Set(['false', '0', 'no']);

/** @internal The set of missing-cell tokens, lower-cased. */
export function missingSet(tokens: unknown, name: string): Set<string> {
  if (tokens === undefined) return new Set(DEFAULT_MISSING.map((t) => t.toLowerCase()));
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be an array of strings (the cells that mean "missing"), got ${describe(tokens)}`);
  }
  return new Set((tokens as string[]).map((t) => t.trim().toLowerCase()));
}

const TYPES: readonly ColumnType[] = ['numeric', 'categorical', 'boolean'];

/** @internal Checks a `types` option: a plain object of column name → ColumnType. */
export function checkTypes(types: unknown, name: string): Map<string, ColumnType> {
  const out = new Map<string, ColumnType>();
  if (types === undefined) return out;
  if (types === null || typeof types !== 'object' || Array.isArray(types)) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be an object mapping column names to 'numeric', 'categorical' or 'boolean', got ${describe(types)}`);
  }
  for (const [k, v] of Object.entries(types)) {
    if (!TYPES.includes(v as ColumnType)) {
      throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name}[${JSON.stringify(k)}] must be 'numeric', 'categorical' or 'boolean', got ${describe(v)}`);
    }
    out.set(k, v as ColumnType);
  }
  return out;
}

/**
 * Builds one column cell by cell, inferring its type as it goes: numbers are stored as numbers until
 * a cell is not one, and then the column turns to text (keeping every earlier cell's exact text).
 * @internal
 */
export class ColumnBuilder {
  readonly name: string;
  readonly #given: ColumnType | undefined;
  readonly #missing: Set<string>;
  #numbers: Float64Array | null = new Float64Array(64);
  #text: Map<number, string> | null = null;
  #strings: (string | null)[] | null = null;
  #n = 0;
  missingCount = 0;

  constructor(name: string, given: ColumnType | undefined, missing: Set<string>) {
    this.name = name;
    this.#given = given;
    this.#missing = missing;
    if (given === 'categorical' || given === 'boolean') this.#toStrings();
  }

  get length(): number {
    return this.#n;
  }

  #toStrings(): void {
    const nums = this.#numbers!, text = this.#text;
    const s = new Array<string | null>(this.#n);
    for (let i = 0; i < this.#n; i++) s[i] = Number.isNaN(nums[i]!) ? null : text?.get(i) ?? String(nums[i]);
    this.#strings = s;
    this.#numbers = null;
    this.#text = null;
  }

  /**
   * Adds one cell from its text (a CSV cell).
   * @param where - describes the cell for an error message ("data.csv: line 4, column 2")
   */
  addText(raw: string, where: () => string): void {
    const text = raw.trim();
    const i = this.#n;
    if (this.#missing.has(text.toLowerCase())) {
      this.missingCount++;
      this.#pushMissing(i);
    } else {
      if (this.#numbers) {
        const v = parseNumber(text);
        if (!Number.isNaN(v)) {
          this.#pushNumber(i, v);
          if (String(v) !== text) (this.#text ??= new Map()).set(i, text);
          this.#n++;
          return;
        }
        if (this.#given === 'numeric') {
          throw blasnetError('ERR_BLASNET_DATA', `${where()}: ${shown(text)} is not a number, and column ${JSON.stringify(this.name)} was given the type 'numeric'`);
        }
        this.#toStrings();
      }
      if (this.#given === 'boolean') {
        const l = text.toLowerCase();
        if (!TRUE_GIVEN.has(l) && !FALSE_GIVEN.has(l)) {
          throw blasnetError('ERR_BLASNET_DATA', `${where()}: ${shown(text)} is not a boolean (true/false, 1/0, yes/no), and column ${JSON.stringify(this.name)} was given the type 'boolean'`);
        }
      }
      this.#strings!.push(text);
    }
    this.#n++;
  }

  /** Adds one cell from a JavaScript value (a record's): number, string, boolean, or null/undefined/NaN for missing. */
  addValue(v: unknown, where: () => string): void {
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
      this.missingCount++;
      this.#pushMissing(this.#n++);
      return;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw blasnetError('ERR_BLASNET_DATA', `${where()}: ${v} is not a finite number`);
      // String(-0) is "0": keep the sign, as a CSV cell "-0" keeps it.
      this.addText(Object.is(v, -0) ? '-0' : String(v), where);
      return;
    }
    if (typeof v === 'boolean') {
      this.addText(String(v), where);
      return;
    }
    if (typeof v === 'string') {
      this.addText(v, where);
      return;
    }
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${where()} must be a number, a string, a boolean, or null for a missing value; got ${describe(v)}`);
  }

  #pushMissing(i: number): void {
    if (this.#numbers) this.#pushNumber(i, NaN);
    else this.#strings!.push(null);
  }

  #pushNumber(i: number, v: number): void {
    let a = this.#numbers!;
    if (i >= a.length) {
      const b = new Float64Array(a.length * 2);
      b.set(a);
      this.#numbers = a = b;
    }
    a[i] = v;
  }

  /** The finished column: numeric when every present cell was a number, boolean when every one was true/false, else categorical. */
  finish(): ColumnData {
    if (this.#numbers && this.#given !== 'categorical' && this.#given !== 'boolean') {
      return { type: 'numeric', values: this.#numbers.slice(0, this.#n), text: this.#text };
    }
    if (this.#numbers) this.#toStrings();
    const s = this.#strings!;
    const given = this.#given;
    const isBool = given === 'boolean' || (given === undefined && s.length > this.missingCount && s.every((t) => t === null || TRUE.has(t.toLowerCase()) || FALSE.has(t.toLowerCase())));
    if (isBool) {
      const truthy = given === 'boolean' ? TRUE_GIVEN : TRUE;
      return { type: 'boolean', values: s.map((t) => (t === null ? null : truthy.has(t.toLowerCase()))) };
    }
    return { type: 'categorical', values: s };
  }
}

function shown(text: string): string {
  return text.length > 30 ? JSON.stringify(`${text.slice(0, 30)}…`) : JSON.stringify(text);
}

const TOKEN = Symbol('Table');

/**
 * Columns of data, each with a name and a type, and the same number of rows; what {@link readCsv}
 * returns. A Table is immutable: its accessors return copies. Models with a tabular preprocessing
 * (see {@link Preprocessing}) fit and predict on Tables and on arrays of records directly.
 * @example
 * const table = await readCsv('penguins.csv');
 * table.columns;                  // [{ name: 'species', type: 'categorical', missing: 0 }, …]
 * table.column('bill_length_mm'); // Float64Array, NaN where missing
 */
export class Table {
  /** The number of rows. */
  readonly nRows: number;
  readonly #names: string[];
  readonly #data: ColumnData[];
  readonly #index: Map<string, number>;
  readonly #missing: number[];
  readonly #tokens: readonly string[];

  /** @internal Tables come from readCsv, parseCsv, Table.fromRecords and take. */
  constructor(token: symbol, names: string[], data: ColumnData[], nRows: number, tokens: readonly string[]) {
    if (token !== TOKEN) throw new TypeError('Table is built by readCsv, parseCsv or Table.fromRecords');
    this.#tokens = tokens;
    this.#names = names;
    this.#data = data;
    this.nRows = nRows;
    this.#index = new Map(names.map((n, k) => [n, k]));
    this.#missing = data.map(countMissing);
  }

  /** @internal */
  static build(names: string[], data: ColumnData[], nRows: number, tokens: readonly string[] = DEFAULT_MISSING): Table {
    return new Table(TOKEN, names, data, nRows, tokens);
  }

  /** The cell texts this table's reader took as missing (a model trained on it reads later data the same way). */
  get missingTokens(): string[] {
    return this.#tokens.slice();
  }

  /**
   * Builds a Table from records keyed by column name, as a server receives them in JSON. Every key
   * seen in any record is a column; a key a record lacks is a missing cell there. Values are numbers,
   * strings (a numeric string reads as a number), booleans, or null/undefined/NaN for missing.
   * @param records - an array of plain objects
   * @param options - `types` to override inference, `missing` cell tokens for strings
   * @returns the Table
   * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE for a non-array, a non-object record or a value of another type
   * @throws {@link BlasnetError} ERR_BLASNET_DATA for a cell that does not fit a given type
   * @example const t = Table.fromRecords([{ island: 'Dream', mass: 3800 }, { island: 'Biscoe', mass: null }]);
   */
  static fromRecords(records: readonly Record<string, unknown>[], options: TableOptions = {}): Table {
    return recordsTable(records, 'records', options);
  }

  /** The column names, in order. */
  get columnNames(): string[] {
    return this.#names.slice();
  }

  /** Each column's name, type and missing-cell count, in order. */
  get columns(): ColumnSummary[] {
    return this.#names.map((name, k) => ({ name, type: this.#data[k]!.type, missing: this.#missing[k]! }));
  }

  /**
   * Whether the table has a column of that name.
   * @param name - a column name
   * @returns true when it has
   * @example table.has('species'); // true
   */
  has(name: string): boolean {
    return this.#index.has(name);
  }

  /** @internal The column's storage, shared (callers never write it). */
  data(name: string): ColumnData {
    return this.#data[this.#col(name)]!;
  }

  #col(name: string): number {
    const k = this.#index.get(name);
    if (k === undefined) {
      throw blasnetError('ERR_BLASNET_DATA', `the table has no column named ${JSON.stringify(name)}; its columns are ${listNames(this.#names)}`);
    }
    return k;
  }

  /**
   * One column's values, copied: a Float64Array (NaN where missing) for a numeric column, else an
   * array with `null` where missing.
   * @param name - the column's name
   * @returns the values
   * @throws {@link BlasnetError} ERR_BLASNET_DATA for an unknown name (the message lists the columns)
   * @example table.column('species'); // ['Adelie', 'Adelie', …]
   */
  column(name: string): Float64Array | (string | null)[] | (boolean | null)[] {
    const d = this.#data[this.#col(name)]!;
    return d.type === 'numeric' ? d.values.slice() : d.values.slice();
  }

  /**
   * The rows at `indices`, in that order, as a new Table of the same columns and types.
   * @param indices - row indices (integers in [0, nRows))
   * @returns the new Table
   * @throws {@link BlasnetRangeError} ERR_BLASNET_ARG_RANGE for an index out of range
   * @example const head = table.take([0, 1, 2]);
   */
  take(indices: ArrayLike<number>): Table {
    const n = indices.length;
    for (let i = 0; i < n; i++) {
      const r = indices[i]!;
      if (!Number.isInteger(r) || r < 0 || r >= this.nRows) {
        throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `indices[${i}] must be an integer in [0, ${this.nRows}), got ${describe(r)}`);
      }
    }
    const data = this.#data.map((d): ColumnData => {
      if (d.type === 'numeric') {
        const v = new Float64Array(n);
        let text: Map<number, string> | null = null;
        for (let i = 0; i < n; i++) {
          v[i] = d.values[indices[i]!]!;
          const t = d.text?.get(indices[i]!);
          if (t !== undefined) (text ??= new Map()).set(i, t);
        }
        return { type: 'numeric', values: v, text };
      }
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = d.values[indices[i]!];
      return { type: d.type, values: out } as ColumnData;
    });
    return new Table(TOKEN, this.#names.slice(), data, n, this.#tokens);
  }

  /**
   * The rows as records keyed by column name (missing cells are `null`).
   * @returns one plain object per row
   * @example table.records()[0]; // { species: 'Adelie', island: 'Torgersen', bill_length_mm: 39.1, … }
   */
  records(): Record<string, Cell>[] {
    const out: Record<string, Cell>[] = [];
    for (let i = 0; i < this.nRows; i++) {
      // From entries, so that a column named "__proto__" is an own key like any other.
      out.push(Object.fromEntries(this.#names.map((name, k) => {
        const v = this.#data[k]!.values[i]!;
        return [name, typeof v === 'number' && Number.isNaN(v) ? null : v];
      })) as Record<string, Cell>);
    }
    return out;
  }

  /**
   * A one-line description: rows, and each column with its type.
   * @returns the text
   * @example String(table); // 'Table(344 rows: id categorical, species categorical, …)'
   */
  toString(): string {
    return `Table(${this.nRows} rows: ${this.columns.map((c) => `${c.name} ${c.type}${c.missing ? ` (${c.missing} missing)` : ''}`).join(', ')})`;
  }
}

function countMissing(d: ColumnData): number {
  let c = 0;
  if (d.type === 'numeric') {
    for (const v of d.values) if (Number.isNaN(v)) c++;
  } else {
    for (const v of d.values) if (v === null) c++;
  }
  return c;
}

/** @internal "a, b, c" or the first names and a count. */
export function listNames(names: readonly string[]): string {
  const q = names.map((n) => JSON.stringify(n));
  return q.length > 12 ? `${q.slice(0, 12).join(', ')}, … (${q.length} columns)` : q.join(', ');
}

/** @internal Whether a value is an array of records (plain objects), as predict and fit accept. */
export function isRecordArray(value: unknown): value is Record<string, unknown>[] {
  return Array.isArray(value) && value.length > 0 && value[0] !== null && typeof value[0] === 'object' && !Array.isArray(value[0]) && !ArrayBuffer.isView(value[0]);
}

/** @internal A Table from records; `name` is the argument's name in messages. */
export function recordsTable(records: unknown, name: string, options: TableOptions = {}): Table {
  if (!Array.isArray(records)) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be an array of records (plain objects keyed by column name), got ${describe(records)}`);
  const o = options as Record<string, unknown>;
  if (o === null || typeof o !== 'object') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options must be an object, got ${describe(options)}`);
  for (const k of Object.keys(o)) {
    if (k !== 'types' && k !== 'missing') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `options.${k} is not an option of Table.fromRecords (expected types, missing)`);
  }
  const types = checkTypes(o.types, 'options.types');
  const missing = missingSet(o.missing, 'options.missing');
  const builders = new Map<string, ColumnBuilder>();
  const order: string[] = [];
  records.forEach((r, i) => {
    if (r === null || typeof r !== 'object' || Array.isArray(r) || ArrayBuffer.isView(r)) {
      throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name}[${i}] must be a plain object keyed by column name, got ${describe(r)}`);
    }
    for (const key of Object.keys(r)) {
      if (!builders.has(key)) {
        const b = new ColumnBuilder(key, types.get(key), missing);
        // Earlier records lacked this key: missing there.
        for (let j = 0; j < i; j++) b.addValue(null, () => '');
        builders.set(key, b);
        order.push(key);
      }
    }
    for (const key of order) {
      const v = Object.prototype.hasOwnProperty.call(r, key) ? (r as Record<string, unknown>)[key] : undefined;
      builders.get(key)!.addValue(v, () => `${name}[${i}].${key}`);
    }
  });
  for (const [k] of types) {
    if (!builders.has(k)) throw blasnetError('ERR_BLASNET_DATA', `options.types names column ${JSON.stringify(k)}, which no record has`);
  }
  return Table.build(order, order.map((k) => builders.get(k)!.finish()), records.length, (o.missing as string[] | undefined) ?? DEFAULT_MISSING);
}
