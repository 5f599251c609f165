// Class labels of any kind (numbers, strings, booleans) to and from class indices 0…k−1, as
// scikit-learn's LabelEncoder / unique_labels do: one sorted order, one type per label set.
// It owns that order and the label checks; it never trains, scores, or reads files.
import { BlasnetRangeError, BlasnetTypeError, blasnetError, describe } from './errors.js';
import { isDetached, ownProperties } from './validate.js';

/**
 * One class label: a number (finite; -0 is the label 0), a string, or a boolean.
 * @example
 * const labels: Label[] = [0, 1, 'cat', true];   // each is a Label (one label set uses one kind)
 */
export type Label = number | string | boolean;

/**
 * The distinct labels of a label set in sorted order, all of one kind: numbers ascending, strings
 * in Unicode code-point order, `false` before `true`. Class index i is `classes[i]`.
 * @example
 * const classes: Classes = uniqueLabels(['dog', 'cat', 'dog'], 'y');   // ['cat', 'dog']
 */
export type Classes = number[] | string[] | boolean[];

/**
 * Labels as a caller passes them: one label per example, all of one kind.
 * @example
 * const y: LabelsInput = new Float64Array([0, 1, 1]);   // or ['no', 'yes', 'yes'], [false, true, true]
 */
export type LabelsInput = Float64Array | readonly number[] | readonly string[] | readonly boolean[];

type LabelKind = 'number' | 'string' | 'boolean';

/**
 * Labels read and checked once: a fresh copy, so later reads see the same values whatever the
 * caller's array does (getters, later writes). Internal: lib/metrics.ts builds on it.
 * @internal
 */
export interface ScannedLabels {
  /** The one kind of every label. */
  kind: LabelKind;
  /** A copy of the labels (-0 stored as 0). */
  values: Float64Array | string[] | boolean[];
  /** The argument's name, for messages. */
  name: string;
}

const MAX_LISTED = 10;

/** A label as a message shows it: strings quoted (and shortened), numbers and booleans as written. */
function show(v: Label): string {
  if (typeof v !== 'string') return String(v);
  const s = JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}…` : v);
  return s;
}

/**
 * The classes for a message: the first ten of a long list and how many there are.
 * @param classes - the classes
 * @returns e.g. `[0, 1, 2]` or `["a", "b", …, "j", … (40 classes)]`
 * @example listClasses(['a', 'b']);   // '["a", "b"]'
 * @internal
 */
export function listClasses(classes: readonly Label[]): string {
  const shown = classes.slice(0, MAX_LISTED).map(show).join(', ');
  return classes.length > MAX_LISTED ? `[${shown}, … (${classes.length} classes)]` : `[${shown}]`;
}

const KIND_PLURAL: Record<LabelKind, string> = { number: 'numbers', string: 'strings', boolean: 'booleans' };

function kindOf(v: unknown): LabelKind | null {
  const t = typeof v;
  return t === 'number' || t === 'string' || t === 'boolean' ? t : null;
}

/**
 * Compares two strings in Unicode code-point order. JavaScript's `<` on strings compares UTF-16 code units, which puts an
 * astral character (a surrogate pair, 0xD800…) before U+E000…U+FFFF; numpy and Python compare
 * code points, and the class order must be theirs. A lone surrogate counts as its own code unit,
 * as in Python.
 * @param a - a string
 * @param b - another
 * @returns negative when a sorts first, 0 when equal, positive when b sorts first
 * @example ['\u{1F600}', '\uFFFD'].sort(compareCodePoints);   // ['\uFFFD', '\u{1F600}']
 * @internal
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n) {
    const ua = a.charCodeAt(i), ub = b.charCodeAt(i);
    if (ua === ub) {
      i++;
      continue;
    }
    // Below the surrogates, code units are code points. Equal prefixes keep i on a boundary of both.
    if (ua < 0xd800 && ub < 0xd800) return ua - ub;
    // Inside a shared high surrogate, compare from it: the pair's code point (or the lone surrogate).
    const h = a.charCodeAt(i - 1);
    const at = i > 0 && h >= 0xd800 && h <= 0xdbff ? i - 1 : i;
    return a.codePointAt(at)! - b.codePointAt(at)!;
  }
  return a.length - b.length;
}

/** A typed array of numbers other than a Float64Array (not a DataView, not a BigInt array). */
export function isNumericTypedArray(y: unknown): y is Exclude<ArrayBufferView, DataView | Float64Array | BigInt64Array | BigUint64Array> & ArrayLike<number> {
  return ArrayBuffer.isView(y) && !(y instanceof DataView) && !(y instanceof Float64Array) && !(y instanceof BigInt64Array) && !(y instanceof BigUint64Array);
}

/**
 * Reads and checks y: a Float64Array or an array of labels of one kind.
 * @param y - the labels
 * @param name - the argument's name in messages
 * @returns a fresh copy with its kind
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE when y is neither; ERR_BLASNET_DETACHED for a detached buffer
 * @throws {@link BlasnetRangeError} ERR_BLASNET_SHAPE when y is empty; ERR_BLASNET_NOT_FINITE for a NaN/±Infinity
 *   label; ERR_BLASNET_LABEL for a non-label element (null, an object, a hole) or mixed kinds
 * @example scanLabels(['a', 'b'], 'y').kind;   // 'string'
 * @internal
 */
export function scanLabels(y: unknown, name: string): ScannedLabels {
  // Another numeric typed array (a Uint8Array of digit labels, an Int32Array, …) holds number labels, as 0.1 accepted.
  if (isNumericTypedArray(y)) {
    if (isDetached(y.buffer)) {
      throw new BlasnetTypeError('ERR_BLASNET_DETACHED', `${name} is backed by a detached ArrayBuffer (was it transferred to a worker?); expected a live buffer`);
    }
    y = Float64Array.from(y);
  }
  if (y instanceof Float64Array) {
    if (isDetached(y.buffer)) {
      throw new BlasnetTypeError('ERR_BLASNET_DETACHED', `${name} is backed by a detached ArrayBuffer (was it transferred to a worker?); expected a live buffer`);
    }
    if (y.length === 0) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must have at least one label, got an empty Float64Array`);
    const values = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) {
      const v = y[i]!;
      if (!Number.isFinite(v)) throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${name}[${i}] must be a finite number, got ${describe(v)}`);
      values[i] = v + 0; // -0 + 0 is +0
    }
    return { kind: 'number', values, name };
  }
  if (!Array.isArray(y)) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a Float64Array or an array of labels (numbers, strings or booleans), got ${describe(y)}`);
  }
  const n = y.length;
  if (n === 0) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must have at least one label, got an empty array`);
  let kind: LabelKind | null = null;
  let first: Label = 0;
  const raw: Label[] = new Array<Label>(n);
  for (let i = 0; i < n; i++) {
    if (!(i in y)) {
      throw new BlasnetRangeError('ERR_BLASNET_LABEL', `${name}[${i}] is an empty slot (a hole in a sparse array); a label must be a number, string or boolean`);
    }
    const v: unknown = y[i];
    const k = kindOf(v);
    if (k === null) {
      throw new BlasnetRangeError('ERR_BLASNET_LABEL', `${name}[${i}] must be a label (a number, string or boolean), got ${describe(v)}`);
    }
    if (kind === null) {
      kind = k;
      first = v as Label;
    } else if (k !== kind) {
      throw new BlasnetRangeError(
        'ERR_BLASNET_LABEL',
        `${name} mixes label types: ${name}[0] is a ${kind} (${show(first)}) but ${name}[${i}] is a ${k} (${show(v as Label)}); all labels must be of one type`,
      );
    }
    if (k === 'number' && !Number.isFinite(v)) {
      throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${name}[${i}] must be a finite number, got ${describe(v)}`);
    }
    raw[i] = v as Label;
  }
  if (kind === 'number') {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = (raw[i] as number) + 0;
    return { kind, values, name };
  }
  return { kind: kind!, values: raw as string[] | boolean[], name };
}

function checkSameKind(list: readonly ScannedLabels[]): void {
  const a = list[0]!;
  for (const b of list) {
    if (b.kind !== a.kind) {
      throw new BlasnetRangeError(
        'ERR_BLASNET_LABEL',
        `${a.name} and ${b.name} must hold labels of one type, got ${KIND_PLURAL[a.kind]} in ${a.name} (${a.name}[0] = ${show(a.values[0]!)}) ` +
          `and ${KIND_PLURAL[b.kind]} in ${b.name} (${b.name}[0] = ${show(b.values[0]!)})`,
      );
    }
  }
}

/**
 * The sorted distinct labels of already scanned label arrays, which must share one kind.
 * @param list - at least one scanned array
 * @returns the classes
 * @throws {@link BlasnetRangeError} ERR_BLASNET_LABEL when the kinds differ
 * @example uniqueOfScanned([scanLabels([2, 0], 'a'), scanLabels([1], 'b')]);   // [0, 1, 2]
 * @internal
 */
export function uniqueOfScanned(list: readonly ScannedLabels[]): Classes {
  checkSameKind(list);
  const kind = list[0]!.kind;
  if (kind === 'number') {
    let total = 0;
    for (const s of list) total += s.values.length;
    const all = new Float64Array(total);
    let o = 0;
    for (const s of list) {
      all.set(s.values as Float64Array, o);
      o += s.values.length;
    }
    all.sort();
    const out: number[] = [];
    for (let i = 0; i < total; i++) if (i === 0 || all[i] !== all[i - 1]) out.push(all[i]!);
    return out;
  }
  if (kind === 'boolean') {
    let f = false, t = false;
    for (const s of list) {
      for (const v of s.values as boolean[]) {
        if (v) t = true;
        else f = true;
      }
    }
    const out: boolean[] = [];
    if (f) out.push(false);
    if (t) out.push(true);
    return out;
  }
  const set = new Set<string>();
  for (const s of list) for (const v of s.values as string[]) set.add(v);
  return [...set].sort(compareCodePoints);
}

/**
 * Class index of every scanned label (classes as uniqueOfScanned or the caller's `labels` give them).
 * @param s - the scanned labels
 * @param classes - the classes, of any kind
 * @param unknown - what a label outside the classes gets: 'throw' (ERR_BLASNET_LABEL) or -1
 * @returns one index per label
 * @throws {@link BlasnetRangeError} ERR_BLASNET_LABEL for a label of another kind, or (with 'throw') not in classes
 * @example indexScanned(scanLabels(['b', 'a'], 'y'), ['a', 'b'], 'throw');   // Int32Array [1, 0]
 * @internal
 */
export function indexScanned(s: ScannedLabels, classes: Classes, unknown: 'throw' | -1): Int32Array {
  const classKind = kindOf(classes[0]);
  if (classKind !== s.kind) {
    throw new BlasnetRangeError(
      'ERR_BLASNET_LABEL',
      `${s.name}[0] is a ${s.kind} (${show(s.values[0]!)}) but the classes are ${classKind === null ? 'not labels' : KIND_PLURAL[classKind]}: ${listClasses(classes)}`,
    );
  }
  const index = new Map<Label, number>();
  for (let c = 0; c < classes.length; c++) index.set(classes[c]!, c);
  const n = s.values.length;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = index.get(s.values[i]!);
    if (c === undefined) {
      if (unknown === 'throw') {
        throw new BlasnetRangeError('ERR_BLASNET_LABEL', `${s.name}[${i}] = ${show(s.values[i]!)} is not one of the classes ${listClasses(classes)}`);
      }
      out[i] = -1;
    } else {
      out[i] = c;
    }
  }
  return out;
}

/**
 * The sorted distinct labels of y, as scikit-learn's `unique_labels`: numbers ascending (-0 is 0),
 * strings in Unicode code-point order (not UTF-16 code-unit order, not locale order), `false`
 * before `true`.
 * @param y - a Float64Array or an array of numbers, strings or booleans (one kind); not modified
 * @param name - the argument's name in error messages
 * @returns a new array of the distinct labels, in that order
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE when y is not a Float64Array or an array;
 *   ERR_BLASNET_DETACHED when its buffer is detached
 * @throws {@link BlasnetRangeError} ERR_BLASNET_SHAPE when y is empty; ERR_BLASNET_NOT_FINITE for a NaN or
 *   ±Infinity label; ERR_BLASNET_LABEL for an element that is not a label (null, undefined, an object, a hole)
 *   or for labels of mixed types (e.g. 1 and '1')
 * @example
 * uniqueLabels([3, 1, 3, 2], 'y');          // [1, 2, 3]
 * uniqueLabels(['b', 'B', 'a'], 'y');       // ['B', 'a', 'b']
 * uniqueLabels([true, false, true], 'y');   // [false, true]
 */
export function uniqueLabels(y: unknown, name: string): Classes {
  return uniqueOfScanned([scanLabels(y, name)]);
}

/**
 * The sorted distinct labels of several label arrays together (e.g. yTrue and yPred), which must
 * all hold one kind of label. The order is {@link uniqueLabels}'.
 * @param arrays - one or more label arrays, each as {@link uniqueLabels} accepts; not modified
 * @param names - their names in error messages, one per array
 * @returns a new array of the distinct labels of all of them
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE when `arrays` is not a non-empty array with one name per
 *   element, or an element is not a label array; ERR_BLASNET_DETACHED for a detached buffer
 * @throws {@link BlasnetRangeError} ERR_BLASNET_LABEL when the arrays hold different kinds of labels, and every
 *   error of {@link uniqueLabels} for each array
 * @example
 * unionLabels([[0, 2], [1, 2]], ['yTrue', 'yPred']);   // [0, 1, 2]
 */
export function unionLabels(arrays: unknown[], names: string[]): Classes {
  if (!Array.isArray(arrays) || arrays.length === 0) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `arrays must be a non-empty array of label arrays, got ${describe(arrays)}`);
  }
  if (!Array.isArray(names) || names.length !== arrays.length) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `names must be an array of ${arrays.length} names (one per label array), got ${describe(names)}`);
  }
  return uniqueOfScanned(arrays.map((y, i) => scanLabels(y, String(names[i]))));
}

function checkClasses(classes: unknown, name: string): asserts classes is Classes {
  if (!Array.isArray(classes) || classes.length === 0 || kindOf(classes[0]) === null) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a non-empty array of labels, got ${describe(classes)}`);
  }
}

/**
 * The class index of each label of y: the position of the label in `classes`.
 * @param y - the labels, as {@link uniqueLabels} accepts them; not modified
 * @param classes - the classes (e.g. from {@link uniqueLabels}); labels are matched exactly (-0 is 0)
 * @param name - y's name in error messages
 * @returns an Int32Array of class indices, one per label
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE when `classes` is not a non-empty array of labels,
 *   and every type error of {@link uniqueLabels}
 * @throws {@link BlasnetRangeError} ERR_BLASNET_LABEL for a label that is not one of the classes (the
 *   message names the argument, the index, the value and the classes) or of another kind than the classes,
 *   and every range error of {@link uniqueLabels}
 * @example
 * encodeLabels(['b', 'a', 'b'], ['a', 'b'], 'y');   // Int32Array [1, 0, 1]
 */
export function encodeLabels(y: unknown, classes: Classes, name: string): Int32Array {
  checkClasses(classes, 'classes');
  return indexScanned(scanLabels(y, name), classes, 'throw');
}

/**
 * Class indices back to their labels.
 * @param indices - class indices, each an integer in [0, classes.length)
 * @param classes - the classes
 * @returns a new Float64Array of labels for number classes, a new string[] or boolean[] otherwise
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE when `classes` is not a non-empty array of labels or
 *   `indices` is not array-like
 * @throws {@link BlasnetRangeError} ERR_BLASNET_LABEL for an index that is not an integer in [0, classes.length)
 * @example
 * decodeLabels(new Int32Array([1, 0]), ['a', 'b']);   // ['b', 'a']
 * decodeLabels([2, 0], [10, 20, 30]);                  // Float64Array [30, 10]
 */
export function decodeLabels(indices: ArrayLike<number>, classes: Classes): Float64Array | string[] | boolean[] {
  checkClasses(classes, 'classes');
  if (indices === null || typeof indices !== 'object' || typeof indices.length !== 'number') {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `indices must be an array or typed array of class indices, got ${describe(indices)}`);
  }
  const n = indices.length, k = classes.length;
  const numeric = typeof classes[0] === 'number';
  const out: Float64Array | Label[] = numeric ? new Float64Array(n) : new Array<Label>(n);
  for (let i = 0; i < n; i++) {
    const c = indices[i];
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= k) {
      throw new BlasnetRangeError('ERR_BLASNET_LABEL', `indices[${i}] must be a class index, an integer in [0, ${k}), got ${describe(c)}`);
    }
    out[i] = classes[c]!;
  }
  return out as Float64Array | string[] | boolean[];
}

/**
 * The kind of label a class list holds.
 * @param classes - a non-empty class list
 * @returns 'number', 'string' or 'boolean' (the kind of its first element)
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE when `classes` is not a non-empty array of labels
 * @example
 * labelKind(['a', 'b']);   // 'string'
 */
export function labelKind(classes: Classes): 'number' | 'string' | 'boolean' {
  checkClasses(classes, 'classes');
  return kindOf(classes[0])!;
}

/** The object key a label is written under: numbers as JavaScript writes them ({2: …} is key "2"). */
function labelKey(v: Label): string {
  return String(v);
}

function checkWeight(v: unknown, where: string): number {
  if (typeof v !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${where} must be a number, got ${describe(v)}`);
  if (!Number.isFinite(v)) throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${where} must be a finite number, got ${describe(v)}`);
  if (v < 0) throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `${where} must be ≥ 0, got ${v}`);
  return v + 0;
}

/**
 * Class weights as a user writes them, turned into one weight per class index.
 * @param classWeight - one of:
 *   - an object keyed by label: keys are strings, so the number label 2 is key `"2"` (as `{ 2: 3 }`
 *     writes it), 2.5 is `"2.5"`, booleans are `"true"` / `"false"`; a class missing from the object gets
 *     weight 1, as in scikit-learn;
 *   - an array or Float64Array with one weight per class index (length `classes.length`);
 *   - `'balanced'`, returned as it is (the caller weighs by n / (k · count));
 *   - `undefined` or `null`: every class weight 1.
 * @param classes - the classes, in class-index order
 * @param name - the argument's name in error messages
 * @returns a new Float64Array of `classes.length` weights, or `'balanced'`
 * @throws {@link BlasnetTypeError} ERR_BLASNET_ARG_TYPE for any other value (another string, a number, …) or a
 *   weight that is not a number; ERR_BLASNET_DETACHED for a detached Float64Array
 * @throws {@link BlasnetRangeError} ERR_BLASNET_LABEL for an object key that is not a class (the message lists
 *   the classes); ERR_BLASNET_SHAPE for an array of the wrong length; ERR_BLASNET_NOT_FINITE for a NaN or
 *   ±Infinity weight; ERR_BLASNET_ARG_RANGE for a negative weight
 * @example
 * classWeightByIndex({ 1: 5 }, [0, 1, 2], 'classWeight');            // Float64Array [1, 5, 1]
 * classWeightByIndex({ yes: 2 }, ['no', 'yes'], 'classWeight');      // Float64Array [1, 2]
 * classWeightByIndex([1, 3], [false, true], 'classWeight');          // Float64Array [1, 3]
 * classWeightByIndex('balanced', [0, 1], 'classWeight');             // 'balanced'
 */
export function classWeightByIndex(classWeight: unknown, classes: Classes, name: string): Float64Array | 'balanced' {
  checkClasses(classes, 'classes');
  const k = classes.length;
  if (classWeight === undefined || classWeight === null) return new Float64Array(k).fill(1);
  if (classWeight === 'balanced') return 'balanced';
  if (classWeight instanceof Float64Array || Array.isArray(classWeight)) {
    if (classWeight instanceof Float64Array && isDetached(classWeight.buffer)) {
      throw new BlasnetTypeError('ERR_BLASNET_DETACHED', `${name} is backed by a detached ArrayBuffer (was it transferred to a worker?); expected a live buffer`);
    }
    if (classWeight.length !== k) {
      throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must have one weight per class (${k}: ${listClasses(classes)}), got ${classWeight.length}`);
    }
    const out = new Float64Array(k);
    for (let c = 0; c < k; c++) out[c] = checkWeight(classWeight[c], `${name}[${c}]`);
    return out;
  }
  const proto = typeof classWeight === 'object' ? Object.getPrototypeOf(classWeight) : undefined;
  if (proto === Object.prototype || proto === null) {
    const props = ownProperties(classWeight as object, name);
    const byKey = new Map<string, number>();
    for (let c = 0; c < k; c++) byKey.set(labelKey(classes[c]!), c);
    const out = new Float64Array(k).fill(1);
    for (const key of Object.keys(props)) {
      const c = byKey.get(key);
      if (c === undefined) {
        throw new BlasnetRangeError('ERR_BLASNET_LABEL', `${name} has the key ${JSON.stringify(key)}, which is not a class; the classes are ${listClasses(classes)}`);
      }
      out[c] = checkWeight(props[key], `${name}[${JSON.stringify(key)}]`);
    }
    return out;
  }
  throw new BlasnetTypeError(
    'ERR_BLASNET_ARG_TYPE',
    `${name} must be 'balanced', an object of weights keyed by label, or an array of ${k} weights (one per class), got ${describe(classWeight)}`,
  );
}

/** Strict label order: numbers and booleans by value, strings by code point. */
function less(a: Label, b: Label): boolean {
  return typeof a === 'string' ? compareCodePoints(a, b as string) < 0 : a < b;
}

/**
 * Checks a `classes` array read from a saved model file and copies it.
 * @param value - the parsed JSON value
 * @param src - names the file or model in the message
 * @param what - the field's path, e.g. `'classes'`
 * @returns a fresh copy (with -0 as 0)
 * @throws {@link BlasnetRangeError} ERR_BLASNET_FORMAT, the message starting `${src}: ${what}`, unless it is a
 *   non-empty array of labels of one kind, numbers finite, strictly increasing in {@link uniqueLabels}' order
 *   (so without duplicates)
 * @example
 * classesFromJSON(['cat', 'dog'], 'model.json', 'classes');   // ['cat', 'dog']
 * classesFromJSON([1, 0], 'model.json', 'classes');           // throws ERR_BLASNET_FORMAT
 */
export function classesFromJSON(value: unknown, src: string, what: string): Classes {
  const fail = (msg: string): never => {
    throw blasnetError('ERR_BLASNET_FORMAT', `${src}: ${what} ${msg}`);
  };
  if (!Array.isArray(value)) return fail(`must be an array of class labels, got ${describe(value)}`);
  if (value.length === 0) return fail('must have at least one class, got an empty array');
  const kind = kindOf(value[0]);
  const out: Label[] = [];
  for (let i = 0; i < value.length; i++) {
    const v: unknown = i in value ? value[i] : undefined;
    const k = kindOf(v);
    if (k === null) fail(`[${i}] must be a number, string or boolean, got ${describe(v)}`);
    if (k !== kind) fail(`must hold labels of one type: [0] is a ${kind}, [${i}] is a ${k} (${show(v as Label)})`);
    if (k === 'number' && !Number.isFinite(v)) fail(`[${i}] must be a finite number, got ${describe(v)}`);
    const label = k === 'number' ? (v as number) + 0 : (v as Label);
    if (i > 0 && !less(out[i - 1]!, label)) {
      fail(`must be strictly increasing (sorted, no duplicates), got ${show(out[i - 1]!)} then ${show(label)} at [${i - 1}], [${i}]`);
    }
    out.push(label);
  }
  return out as Classes;
}

/**
 * Whether two class lists are the same labels in the same order (-0 equals 0).
 * @param a - a class list
 * @param b - another
 * @returns true when they have the same length and equal labels of one kind at every index
 * @example
 * sameClasses([0, 1], [0, 1]);     // true
 * sameClasses([0, 1], ['0', '1']); // false
 */
export function sameClasses(a: Classes, b: Classes): boolean {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
