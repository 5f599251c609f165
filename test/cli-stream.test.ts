// The command on files larger than one chunk: predict and evaluate read a CSV a chunk (65 536 rows) at a
// time, in bounded memory, and give what the library gives on the whole file read at once.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, readCsv } from '../lib/index.js';
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
