// The streaming path for files larger than memory: scanCsv learns, in one pass, the preprocessing that
// readCsv + Preprocessing.fit learn from the same training rows (compared bit for bit on real files
// and generated ones with gaps, categories and booleans), holdoutRows picks the same rows however the
// file is read, and csvBatches gives every selected row exactly once per epoch, shuffled by (seed, epoch).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvBatches, holdoutRows, Preprocessing, readCsv, readCsvChunks, scanCsv, type ImputeStrategy } from '../lib/index.js';
import { dataPath } from './helpers/datasets.js';
import { mulberry32 } from './helpers/data.js';

const dir = mkdtempSync(join(tmpdir(), 'blasnet-stream-'));

async function inMemory(path: string, options: Record<string, unknown>, holdout: (r: number) => boolean, csv: Record<string, unknown> = {}) {
  const table = await readCsv(path, csv);
  const train: number[] = [];
  for (let r = 0; r < table.nRows; r++) if (!holdout(r)) train.push(r);
  return Preprocessing.fit(table.take(train), options);
}

describe('scanCsv', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['penguins.csv', { target: 'species', ignore: ['id'] }],
    ['penguins.csv', { target: 'body_mass_g', ignore: ['id'], impute: 'most-frequent' }],
    ['penguins.csv', { target: 'sex', ignore: ['id'], impute: 'drop' }],
    ['diabetes.csv', { target: 'target' }],
    ['iris.csv', { target: 'target', standardize: false }],
  ];
  for (const [file, options] of cases) {
    it(`learns what Preprocessing.fit learns, bit for bit: ${file} ${JSON.stringify(options)}`, async () => {
      const holdout = holdoutRows(0.2, 7);
      const scan = await scanCsv(dataPath(file), { ...options, holdout });
      const memory = await inMemory(dataPath(file), options, holdout);
      expect(scan.preprocessing.toJSON()).toEqual(memory.toJSON());
      const { rows: _r, ...report } = scan.preprocessing.report!;
      const { rows: _m, ...expected } = memory.report!;
      expect(report).toEqual(expected);
      expect(scan.heldOut + scan.preprocessing.report!.used + report.droppedMissingTarget + report.droppedMissingFeatures).toBe(scan.rows);
    });
  }

  it('a generated file with gaps, booleans, numeric-looking categories and ; delimiters', async () => {
    const rand = mulberry32(3);
    const lines = ['a;b;c;d;y'];
    for (let i = 0; i < 500; i++) {
      const gap = () => rand() < 0.1;
      lines.push([
        gap() ? 'NA' : (rand() * 100 - 50).toFixed(3),
        gap() ? '' : rand() < 0.5 ? 'true' : 'FALSE',
        gap() ? '?' : ['01', '02', 'x7', '3'][Math.floor(rand() * 4)],
        gap() ? 'null' : String(Math.floor(rand() * 5)),
        gap() ? 'NaN' : rand() < 0.4 ? 'no' : 'yes',
      ].join(';'));
    }
    const path = join(dir, 'gen.csv');
    writeFileSync(path, `${lines.join('\r\n')}\n`);
    for (const impute of ['mean', 'most-frequent', 'drop'] as ImputeStrategy[]) {
      const holdout = holdoutRows(0.25, 1);
      const scan = await scanCsv(path, { target: 'y', impute, holdout });
      expect(scan.delimiter).toBe(';');
      expect(scan.types).toEqual({ a: 'numeric', b: 'boolean', c: 'categorical', d: 'numeric', y: 'categorical' });
      expect(scan.preprocessing.toJSON()).toEqual((await inMemory(path, { target: 'y', impute }, holdout)).toJSON());
    }
    await expect(scanCsv(path, { target: 'y', impute: 'median' })).rejects.toMatchObject({ code: 'ERR_BLASNET_DATA', message: expect.stringMatching(/median/) });
  });

  it('holdoutRows takes about the share asked, the same rows for the same seed', () => {
    const h = holdoutRows(0.1, 42), g = holdoutRows(0.1, 42), k = holdoutRows(0.1, 43);
    let n = 0, same = 0, other = 0;
    for (let r = 0; r < 100_000; r++) {
      if (h(r)) n++;
      if (h(r) === g(r)) same++;
      if (h(r) !== k(r)) other++;
    }
    // Binomial(100 000, 0.1): sd ≈ 95; 5 sd is 475.
    expect(Math.abs(n - 10_000)).toBeLessThan(475);
    expect(same).toBe(100_000);
    expect(other).toBeGreaterThan(10_000);
    expect(() => holdoutRows(1, 0)).toThrow(/fraction/);
  });
});

describe('csvBatches', () => {
  it('every selected row once per epoch; a file within the buffer shuffled whole; epochs differ', async () => {
    const path = dataPath('iris.csv');
    const scan = await scanCsv(path, { target: 'target' });
    const keep = (r: number) => r % 3 !== 0;
    const epoch = async (e: number, bufferRows: number) => {
      const rows: string[] = [];
      for await (const b of csvBatches(path, scan, { batchSize: 16, bufferRows, seed: 5, epoch: e, rows: keep })) {
        expect(b.nRows).toBeLessThanOrEqual(16);
        for (const r of b.records()) rows.push(JSON.stringify(r));
      }
      return rows;
    };
    const table = await readCsv(path);
    const expected = table.records().filter((_, r) => keep(r)).map((r) => JSON.stringify(r));
    const inOrder = await epoch(0, 0);
    expect(inOrder).toEqual(expected);
    for (const buffer of [8, 64, 1000]) {
      const e0 = await epoch(0, buffer), e1 = await epoch(1, buffer);
      expect([...e0].sort()).toEqual([...expected].sort());
      expect([...e1].sort()).toEqual([...expected].sort());
      expect(e0).not.toEqual(expected);
      expect(e0).not.toEqual(e1);
      expect(await epoch(0, buffer)).toEqual(e0);
    }
  });
});

describe('csvBatches with huge sizes', () => {
  it('a batchSize and bufferRows of 1e9 cost memory for the rows the file has, not for 1e9 rows', async () => {
    const path = dataPath('penguins.csv');
    const scan = await scanCsv(path, { target: 'species', ignore: ['id'] });
    const sizes: number[] = [];
    for await (const b of csvBatches(path, scan, { batchSize: 1e9, bufferRows: 1e9, seed: 1 })) sizes.push(b.nRows);
    expect(sizes).toEqual([344]);
  });
});

describe('readCsvChunks', () => {
  it('the file in order, in chunks, with the same cells as readCsv; a prototype-named column is plain', async () => {
    const path = join(dir, 'chunks.csv');
    const lines = ['constructor,x,label'];
    for (let i = 0; i < 250; i++) lines.push(`${i % 7 === 0 ? 'NA' : `c${i % 3}`},${i / 4},${i % 2 ? 'yes' : 'no'}`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const whole = (await readCsv(path)).records();
    const got: unknown[] = [];
    let chunks = 0;
    for await (const t of readCsvChunks(path, { chunkRows: 100 })) {
      chunks++;
      expect(t.columnNames).toEqual(['constructor', 'x', 'label']);
      expect(t.columns[0]!.type).toBe('categorical');
      got.push(...t.records());
    }
    expect(chunks).toBe(3);
    expect(got).toEqual(whole);
    // A header-only file is one empty chunk.
    writeFileSync(path, 'a,b\n');
    const empty: number[] = [];
    for await (const t of readCsvChunks(path)) empty.push(t.nRows);
    expect(empty).toEqual([0]);
  });
});
