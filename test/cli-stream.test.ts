// The command on files larger than one chunk: predict and evaluate read a CSV a chunk (65 536 rows) at a
// time, in bounded memory, and give what the library gives on the whole file read at once; train
// --stream learns the preprocessing in a first pass and trains from the file through a shuffle buffer,
// as the library's fit from the same source does, bit for bit; a file within the buffer is trained in
// memory, with the in-memory result.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvBatches, f1Score, holdoutRows, loadModel, NeuralNetwork, readCsv, scanCsv } from '../lib/index.js';
import { mulberry32 } from './helpers/data.js';
import { runCli } from './helpers/cli.js';

let dir = '';
const ROWS = 70_000;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blasnet-cli-stream-'));
  const r = mulberry32(11);
  const lines = ['id,colour,x1,x2,label'];
  for (let i = 0; i < ROWS; i++) {
    const x1 = r() * 4 - 2, x2 = r() * 4 - 2;
    const colour = ['red', 'green', 'blue'][Math.floor(r() * 3)]!;
    // A late chunk holds a colour the training rows never had.
    const shown = i > 68_000 && i % 500 === 0 ? 'purple' : colour;
    const label = x1 + x2 + (colour === 'red' ? 1 : 0) + (r() - 0.5) > 0.5 ? 'yes' : 'no';
    lines.push(`r${String(i).padStart(6, '0')},${shown},${i % 97 === 0 ? 'NA' : x1.toFixed(4)},${x2.toFixed(4)},${label}`);
  }
  writeFileSync(join(dir, 'big.csv'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'small.csv'), `${lines.slice(0, 3001).join('\n')}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('predict and evaluate on a file of several chunks', () => {
  it('predict: one line per row, as the library predicts the whole file; evaluate: the library\'s accuracy', async () => {
    const trained = runCli(dir, ['train', 'small.csv', '--target', 'label', '--ignore', 'id', '--epochs', '20', '--out', 'm.json']);
    expect(trained.code, trained.stderr).toBe(0);
    const p = runCli(dir, ['predict', 'm.json', 'big.csv', '--proba', '--id', 'id']);
    expect(p.code, p.stderr).toBe(0);
    // The unseen colour in the last chunk: one warning line, no crash.
    expect(p.stderr.trim().split('\n')).toHaveLength(1);
    expect(p.stderr).toMatch(/warning: categories not seen at fit.*"colour".*"purple"/);
    const rows = parse(p.stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(ROWS);
    const model = await loadModel(join(dir, 'm.json'));
    const table = await readCsv(join(dir, 'big.csv'));
    const labels = model.predictSync(table) as string[];
    const proba = model.predictProbaSync(table);
    rows.forEach((row, i) => {
      expect(row.id).toBe(`r${String(i).padStart(6, '0')}`);
      expect(row.class).toBe(labels[i]);
      expect(row['p(yes)']).toBe(String(proba.get(i, 1)));
    });
    const e = runCli(dir, ['evaluate', 'm.json', 'big.csv', '--json']);
    expect(e.code, e.stderr).toBe(0);
    const report = JSON.parse(e.stdout) as { n: number; accuracy: number };
    expect(report.n).toBe(ROWS);
    // The same count of right answers over the same rows: exact.
    expect(report.accuracy).toBe(await model.score(table, null));
  });

  it('evaluate past 131 072 rows keeps counts, not a label per row: the same accuracy, F1 to 1e-12', async () => {
    // big.csv twice: 140 000 rows, past the point where the measure folds its labels into a confusion matrix.
    const text = readFileSync(join(dir, 'big.csv'), 'utf8');
    writeFileSync(join(dir, 'twice.csv'), text + text.slice(text.indexOf('\n') + 1));
    const e = runCli(dir, ['evaluate', 'm.json', 'twice.csv', '--json']);
    expect(e.code, e.stderr).toBe(0);
    const report = JSON.parse(e.stdout) as { n: number; accuracy: number; macro: { f1: number }; confusion: number[][] };
    const model = await loadModel(join(dir, 'm.json'));
    const table = await readCsv(join(dir, 'twice.csv'));
    const truth = table.column('label') as string[], pred = model.predictSync(table) as string[];
    expect(report.n).toBe(2 * ROWS);
    // accuracy: the same count over the same n (exact); F1 from counts by 2PR/(P+R), as lib/metrics.ts
    // computes it from the labels: equal to a few ulps.
    expect(report.accuracy).toBe(await model.score(table, null));
    expect(Math.abs(report.macro.f1 - f1Score(truth, pred, { average: 'macro' }))).toBeLessThan(1e-12);
    expect(report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(2 * ROWS);
  });

  it('a bad cell in a later chunk stops predict with the file and data row named', () => {
    const lines = ['x1,x2,label', ...Array.from({ length: 66_000 }, (_, i) => `${i % 5},${i % 3},${i % 2 ? 'a' : 'b'}`)];
    lines[65_900] = 'heavy,1,a';
    writeFileSync(join(dir, 'bad.csv'), `${lines.join('\n')}\n`);
    expect(runCli(dir, ['train', 'small.csv', '--target', 'label', '--features', 'x1,x2', '--epochs', '2', '--out', 'n.json']).code).toBe(0);
    const p = runCli(dir, ['predict', 'n.json', 'bad.csv']);
    expect(p.code).toBe(1);
    // lines[65 900] is the 65 900th data line (lines[0] is the header).
    expect(p.stderr).toMatch(/bad\.csv: data row 65900, column "x1".*"heavy"/);
    expect(p.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('train --stream', () => {
  it('a file within the shuffle buffer is read into memory: the --no-stream model, bit for bit', async () => {
    const a = runCli(dir, ['train', 'small.csv', '--target', 'label', '--ignore', 'id', '--epochs', '5', '--stream', '--out', 'a.json']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/small\.csv has 3000 rows, no more than the shuffle buffer \(--buffer-rows 65536\): read into memory/);
    expect(runCli(dir, ['train', 'small.csv', '--target', 'label', '--ignore', 'id', '--epochs', '5', '--no-stream', '--out', 'b.json']).code).toBe(0);
    expect((await loadModel(join(dir, 'a.json'))).toJSON().parameters).toEqual((await loadModel(join(dir, 'b.json'))).toJSON().parameters);
  });

  it('a file larger than the buffer: streamed, and the library\'s fit from the same batches gives the same model', async () => {
    const r = runCli(dir, ['train', 'big.csv', '--target', 'label', '--ignore', 'id', '--epochs', '2', '--stream', '--buffer-rows', '5000', '--validation', '0.1', '--out', 's.json'], 300_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/reading: streamed \([\d.]+ MiB, --stream\): one pass learned the preprocessing; each epoch reads the file again through a shuffle buffer of 5000 rows/);
    expect(r.stdout).toMatch(/split: \d+ training, \d+ validation \(rows chosen by a seeded hash of the row number, seed 0\)/);
    expect(r.stdout).toMatch(/^training: +accuracy [\d.]+%/m);
    expect(r.stdout).toMatch(/^validation: +accuracy [\d.]+%/m);
    // The library, by hand: the same scan, model and source.
    const path = join(dir, 'big.csv'), holdout = holdoutRows(0.1, 0);
    const scan = await scanCsv(path, { target: 'label', ignore: ['id'], holdout, standardize: true });
    const net = new NeuralNetwork({ layers: [scan.preprocessing.nFeatures, 32, 1], output: 'sigmoid', loss: 'cross-entropy', preprocessing: scan.preprocessing, seed: 0 });
    await net.fit((epoch: number) => csvBatches(path, scan, { batchSize: 200, bufferRows: 5000, seed: 0, epoch, rows: (i) => !holdout(i) }), {
      epochs: 2, batchSize: 200, classes: scan.preprocessing.report!.classes!,
      validation: () => csvBatches(path, scan, { batchSize: 16384, bufferRows: 0, rows: holdout }),
    } as never);
    const cli = await loadModel(join(dir, 's.json'));
    expect(cli.toJSON().parameters).toEqual(net.toJSON().parameters);
    expect(cli.preprocessing?.toJSON()).toEqual(scan.preprocessing.toJSON());
  });

  it('refuses what a stream cannot do, with the reason (exit 2)', () => {
    for (const extra of [['--model', 'logistic'], ['--optimizer', 'lbfgs'], ['--impute', 'median']]) {
      const r = runCli(dir, ['train', 'big.csv', '--target', 'label', '--ignore', 'id', '--stream', ...extra]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/is streamed: .*--no-stream/);
    }
  });
});
