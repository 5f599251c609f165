// The tabular module on its own: reading CSV files into Tables (delimiters, quotes, BOM, line endings,
// missing cells, type inference and overrides), records, and the preprocessing learned from a table
// (task inference, imputation, one-hot categories, standardization, unseen categories).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Matrix, Preprocessing, Table, detectDelimiter, inferTask, parseCsv, readCsv } from '../lib/index.js';
import { dataPath } from './helpers/datasets.js';

const dir = mkdtempSync(join(tmpdir(), 'blasnet-tabular-'));
function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('readCsv', () => {
  it('reads the penguins file: string labels, categories, NA cells, an id column', async () => {
    const t = await readCsv(dataPath('penguins.csv'));
    expect(t.nRows).toBe(344);
    expect(t.columns).toEqual([
      { name: 'id', type: 'categorical', missing: 0 },
      { name: 'species', type: 'categorical', missing: 0 },
      { name: 'island', type: 'categorical', missing: 0 },
      { name: 'bill_length_mm', type: 'numeric', missing: 2 },
      { name: 'bill_depth_mm', type: 'numeric', missing: 2 },
      { name: 'flipper_length_mm', type: 'numeric', missing: 2 },
      { name: 'body_mass_g', type: 'numeric', missing: 2 },
      { name: 'sex', type: 'categorical', missing: 10 },
    ]);
    expect((t.column('bill_length_mm') as Float64Array)[0]).toBe(39.1);
    expect(Number.isNaN((t.column('bill_length_mm') as Float64Array)[3])).toBe(true);
  });

  it('detects ; tab and | delimiters, and takes one given', async () => {
    for (const d of [',', ';', '\t', '|']) {
      const p = file(`d${d.charCodeAt(0)}.csv`, `a${d}b${d}c\n1${d}x${d}3.5\n2${d}"y${d}z"${d}4\n`);
      const t = await readCsv(p);
      expect(t.columnNames).toEqual(['a', 'b', 'c']);
      expect(t.column('b')).toEqual(['x', `y${d}z`]);
    }
    // A European export: ';' between fields, ',' as the decimal mark inside them.
    expect(detectDelimiter('name;price\nx;1,5\ny;2,25\n')).toBe(';');
    const t = await readCsv(file('given.csv', 'a:b\n1:2\n'), { delimiter: ':' });
    expect(t.column('b')).toEqual(new Float64Array([2]));
  });

  it('reads a BOM, CRLF, LF and the two mixed in one file', async () => {
    const p = file('mixed.csv', Buffer.from('\ufeffx,label\r\n1,yes\n2,no\r\n3,yes\n', 'utf8'));
    const t = await readCsv(p);
    expect(t.columnNames).toEqual(['x', 'label']);
    expect(t.nRows).toBe(3);
    expect(t.column('label')).toEqual(['yes', 'no', 'yes']);
  });

  it('reads empty, NA, N/A, NaN, null and ? as missing, and a configurable list', async () => {
    const t = await readCsv(file('gaps.csv', 'a,b\n1,x\n,NA\nN/A,n/a\nNaN,null\n?,y\n5,z\n'));
    const a = t.column('a') as Float64Array;
    expect([...a].map((v) => (Number.isNaN(v) ? null : v))).toEqual([1, null, null, null, null, 5]);
    expect(t.column('b')).toEqual(['x', null, null, null, 'y', 'z']);
    const u = await readCsv(file('dash.csv', 'a,b\n1,-\n2,NA\n'), { missing: ['-'] });
    expect(u.column('b')).toEqual([null, 'NA']);
  });

  it('infers numeric, boolean and categorical columns, and keeps a numeric-looking category\'s text', async () => {
    const t = await readCsv(file('types.csv', 'n,b,c,z\n1.5,true,red,01\n-2e3,FALSE,3,02\n0,,blue,10\n'));
    expect(t.columns.map((c) => c.type)).toEqual(['numeric', 'boolean', 'categorical', 'numeric']);
    expect(t.column('b')).toEqual([true, false, null]);
    expect(t.column('c')).toEqual(['red', '3', 'blue']);
    const u = await readCsv(file('types2.csv', 'z,x\n01,1\n02,2\n10,3\n'), { types: { z: 'categorical' } });
    expect(u.column('z')).toEqual(['01', '02', '10']);
  });

  it('turns a numeric column into text when a later cell is not a number, keeping earlier cells exact', () => {
    const t = parseCsv('code\n007\n1.50\nA1\n');
    expect(t.columns[0]!.type).toBe('categorical');
    expect(t.column('code')).toEqual(['007', '1.50', 'A1']);
  });

  it('refuses with the file, line and column named', async () => {
    const ragged = file('ragged.csv', 'a,b\n1,2\n3\n');
    await expect(readCsv(ragged)).rejects.toMatchObject({ code: 'ERR_BLASNET_DATA', message: expect.stringMatching(/ragged\.csv: line 3 has 1 fields, the header has 2/) });
    await expect(readCsv(file('empty.csv', ''))).rejects.toMatchObject({ code: 'ERR_BLASNET_DATA', message: expect.stringMatching(/empty/) });
    await expect(readCsv(file('dup.csv', 'a,a\n1,2\n'))).rejects.toMatchObject({ code: 'ERR_BLASNET_DATA', message: expect.stringMatching(/twice/) });
    await expect(readCsv(file('num.csv', 'a,b\n1,2\nx,3\n'), { types: { a: 'numeric' } })).rejects.toMatchObject({
      code: 'ERR_BLASNET_DATA', message: expect.stringMatching(/line 3, column 1 \("a"\): "x" is not a number/),
    });
    await expect(readCsv(join(dir, 'nope.csv'))).rejects.toMatchObject({ code: 'ERR_BLASNET_IO', message: expect.stringMatching(/no such file/) });
    await expect(readCsv(dir)).rejects.toMatchObject({ code: 'ERR_BLASNET_IO' });
    await expect(readCsv(file('q.csv', 'a,b\n"unterminated,2\n'))).rejects.toMatchObject({ code: 'ERR_BLASNET_DATA' });
    await expect(readCsv(file('o.csv', 'a\n1\n'), { sep: ';' } as never)).rejects.toMatchObject({ code: 'ERR_BLASNET_ARG_TYPE', message: expect.stringMatching(/options\.sep/) });
  });
});

describe('Table', () => {
  it('fromRecords: keys become columns, a key a record lacks is missing, numeric strings are numbers', () => {
    const t = Table.fromRecords([{ a: 1, b: 'x' }, { a: '2.5', c: true }, { a: null, b: 'y', c: false }]);
    expect(t.columns).toEqual([
      { name: 'a', type: 'numeric', missing: 1 },
      { name: 'b', type: 'categorical', missing: 1 },
      { name: 'c', type: 'boolean', missing: 1 },
    ]);
    expect(t.records()).toEqual([{ a: 1, b: 'x', c: null }, { a: 2.5, b: null, c: true }, { a: null, b: 'y', c: false }]);
    expect(codeOf(() => Table.fromRecords([{ a: {} }] as never))).toBe('ERR_BLASNET_ARG_TYPE');
    expect(codeOf(() => Table.fromRecords([{ a: Infinity }]))).toBe('ERR_BLASNET_DATA');
  });

  it('take copies rows in order and checks the indices', () => {
    const t = parseCsv('a,b\n1,x\n2,y\n3,z\n');
    expect(t.take([2, 0]).records()).toEqual([{ a: 3, b: 'z' }, { a: 1, b: 'x' }]);
    expect(codeOf(() => t.take([3]))).toBe('ERR_BLASNET_ARG_RANGE');
    expect(codeOf(() => t.column('nope'))).toBe('ERR_BLASNET_DATA');
  });
});

describe('Preprocessing', () => {
  const csv = 'id,species,island,mass,flag\n' +
    'a1,Adelie,Dream,3800,true\n' +
    'a2,Gentoo,Biscoe,NA,false\n' +
    'a3,Adelie,Dream,4100,\n' +
    'a4,,Biscoe,5000,true\n' +
    'a5,Gentoo,,5200,true\n';

  it('learns fill values, categories and standardization from the rows with a target', () => {
    const t = parseCsv(csv);
    const p = Preprocessing.fit(t, { target: 'species', ignore: ['id'] });
    expect(p.task).toBe('classification');
    expect(p.report).toEqual({ rows: 5, used: 4, droppedMissingTarget: 1, droppedMissingFeatures: 0, imputed: { mass: 1, island: 1, flag: 1 }, classes: ['Adelie', 'Gentoo'] });
    expect(p.inputNames).toEqual(['island=Biscoe', 'island=Dream', 'mass', 'flag']);
    const f = p.features;
    // mass over the 4 kept rows: 3800, (gap), 4100, 5200 → mean 4366.67 fills the gap; the std is of the filled column.
    const present = [3800, 4100, 5200], mean = present.reduce((a, b) => a + b) / 3;
    const filled = [3800, mean, 4100, 5200], mu = filled.reduce((a, b) => a + b) / 4;
    const sd = Math.sqrt(filled.reduce((s, v) => s + (v - mu) ** 2, 0) / 4);
    // The fit accumulates in one pass (Welford, then the gaps combined in): the same values as these
    // two-pass sums to within a few ulps, so 1e-12 relative (an error in the fill or the gap count
    // moves them by 1e-2 or more).
    expect(f[1]).toMatchObject({ name: 'mass', type: 'numeric' });
    const g = f[1] as { fill: number; mean: number; std: number };
    expect(Math.abs(g.fill - mean) / mean).toBeLessThan(1e-12);
    expect(Math.abs(g.mean - mu) / mu).toBeLessThan(1e-12);
    expect(Math.abs(g.std - sd) / sd).toBeLessThan(1e-12);
    // island: Dream 2, Biscoe 1 among kept rows with a value → Dream fills; flag true 2 / false 1 → true.
    expect(f[0]).toEqual({ name: 'island', type: 'categorical', fill: 'Dream', categories: ['Biscoe', 'Dream'] });
    expect(f[2]).toEqual({ name: 'flag', type: 'boolean', fill: true });
  });

  it('median and most-frequent fills; drop removes rows at fit but a prediction fills them', () => {
    const t = parseCsv('x,y\n1,a\n2,b\n10,a\nNA,b\n3,a\n3,b\n');
    expect(Preprocessing.fit(t, { target: 'y', impute: 'median' }).features[0]).toMatchObject({ fill: 3 });
    expect(Preprocessing.fit(t, { target: 'y', impute: 'most-frequent' }).features[0]).toMatchObject({ fill: 3 });
    const d = Preprocessing.fit(t, { target: 'y', impute: 'drop', standardize: false });
    expect(d.report).toMatchObject({ used: 5, droppedMissingFeatures: 1 });
    expect(d.features[0]).toEqual({ name: 'x', type: 'numeric', fill: 19 / 5, mean: 0, std: 1 });
    expect([...d.transform([{ x: null }, { x: 2 }]).data]).toEqual([19 / 5, 2]);
    const train = d.trainingData(t, undefined, 'X');
    expect(train.dropped).toBe(1);
    expect(train.y).toEqual(['a', 'b', 'a', 'a', 'b']);
  });

  it('infers the task: strings and booleans are classes; ≤ 20 distinct integers are classes; other numbers a regression', () => {
    const rows = (vals: (number | string)[]) => parseCsv(`x,t\n${vals.map((v, i) => `${i},${v}`).join('\n')}\n`);
    expect(inferTask(rows(['yes', 'no', 'yes']), 't')).toBe('classification');
    expect(inferTask(rows([1, 2, 2, 1]), 't')).toBe('classification');
    expect(inferTask(rows([0.5, 1, 2]), 't')).toBe('regression');
    expect(inferTask(rows(Array.from({ length: 21 }, (_, i) => i * 7)), 't')).toBe('regression');
    expect(inferTask(rows(Array.from({ length: 20 }, (_, i) => i * 7)), 't')).toBe('classification');
    // diabetes: integer targets 25…346 are a regression.
    return readCsv(dataPath('diabetes.csv')).then((t) => expect(inferTask(t, 'target')).toBe('regression'));
  });

  it('refuses one class, a regression on strings, an ID-like category, an unknown column, and no features left', () => {
    const t = parseCsv('id,x,t\nr1,1,a\nr2,2,a\nr3,3,a\n');
    expect(() => Preprocessing.fit(t, { target: 't' })).toThrow(/single class \("a"\)/);
    expect(() => Preprocessing.fit(t, { target: 't', task: 'regression' })).toThrow(/regression needs numbers/);
    expect(() => Preprocessing.fit(t, { target: 'nope' })).toThrow(/"nope", which the table does not have/);
    expect(() => Preprocessing.fit(t, { target: 't', ignore: ['id', 'x'] })).toThrow(/no feature columns/);
    const ids = parseCsv(`id,x,t\n${Array.from({ length: 40 }, (_, i) => `r${i},${i},${i % 2}`).join('\n')}\n`);
    expect(() => Preprocessing.fit(ids, { target: 't' })).toThrow(/"id" has 40 distinct values in 40 rows.*--ignore/);
    expect(Preprocessing.fit(ids, { target: 't', ignore: ['id'] }).nFeatures).toBe(1);
    expect(codeOf(() => Preprocessing.fit(ids, { target: 't', impute: 'zero' as never }))).toBe('ERR_BLASNET_ARG_TYPE');
  });

  it('encodes unseen categories as zeros with one BLASNET_UNSEEN_CATEGORY warning per call', async () => {
    const p = Preprocessing.fit(parseCsv('c,t\nred,0\nblue,1\n'), { target: 't' });
    const warnings: Error[] = [];
    const on = (w: Error) => warnings.push(w);
    process.on('warning', on);
    try {
      const X = p.transform([{ c: 'green' }, { c: 'red' }, { c: 'purple' }]);
      expect([...X.data]).toEqual([0, 0, 0, 1, 0, 0]);
      p.transform([{ c: 'green' }, { c: 'green' }, { c: 'green' }]);
      p.transform(['a', 'b', 'c', 'd', 'e', 'f', 'f'].map((c) => ({ c })));
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', on);
    }
    expect(warnings).toHaveLength(3);
    expect((warnings[0] as Error & { code?: string }).code).toBe('BLASNET_UNSEEN_CATEGORY');
    expect(warnings[0]!.message).toMatch(/"c": 2 rows \("green", "purple"\)$/);
    // One value, three rows: listed once, with no "…" (nothing more to list).
    expect(warnings[1]!.message).toMatch(/"c": 3 rows \("green"\)$/);
    // Six distinct values: five listed, then "…".
    expect(warnings[2]!.message).toMatch(/"c": 7 rows \("a", "b", "c", "d", "e", …\)$/);
  });

  it('transforms a Table with other columns, records, and a numeric matrix (NaN filled) alike', () => {
    const t = parseCsv('a,b,t\n1,true,x\n3,false,y\n5,,x\n');
    const p = Preprocessing.fit(t, { target: 't' });
    const fromTable = p.transform(parseCsv('extra,b,a\nq,false,3\nr,,\n'));
    const fromRecords = p.transform([{ a: 3, b: false }, {}]);
    const fromMatrix = p.transform(new Matrix(2, 2, [3, 0, NaN, NaN]));
    expect(fromRecords.data).toEqual(fromTable.data);
    expect(fromMatrix.data).toEqual(fromTable.data);
    expect(codeOf(() => p.transform(parseCsv('a\n1\n')))).toBe('ERR_BLASNET_DATA');
    expect(codeOf(() => p.transform([{ a: 'heavy' }]))).toBe('ERR_BLASNET_DATA');
    const c = Preprocessing.fit(parseCsv('c,t\nred,0\nblue,1\n'), { target: 't' });
    expect(() => c.transform([[1]])).toThrow(/categorical column "c": pass a Table or records/);
  });
});
