// Loads the bundled Breast Cancer Wisconsin data (data/breast_cancer.csv; see data/README.md).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { Matrix } from '../lib/index.js';

export interface Dataset {
  X: Matrix;
  y: Float64Array;
  classNames: [string, string];
}

/** Repository root, from examples/ or dist/examples/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!readdirHas(dir, 'package.json')) dir = dirname(dir);
  return dir;
}

function readdirHas(dir: string, name: string): boolean {
  try {
    readFileSync(join(dir, name));
    return true;
  } catch {
    return dir === dirname(dir);
  }
}

export function loadBreastCancer(file = join(repoRoot(), 'data', 'breast_cancer.csv')): Dataset {
  const rows = parse(readFileSync(file, 'utf8'), { cast: false, skip_empty_lines: true, relax_column_count: true }) as string[][];
  const [header, ...body] = rows;
  if (!header || header.length < 4) throw new Error(`${file}: expected a header 'rows,features,class0,class1'`);
  const n = Number(header[0]), m = Number(header[1]);
  if (body.length !== n) throw new Error(`${file}: header says ${n} rows, found ${body.length}`);
  const X = new Matrix(n, m);
  const y = new Float64Array(n);
  body.forEach((r, i) => {
    if (r.length !== m + 1) throw new Error(`${file}: row ${i + 2} has ${r.length} fields, expected ${m + 1}`);
    for (let j = 0; j < m; j++) X.data[i * m + j] = Number(r[j]);
    y[i] = Number(r[m]);
  });
  return { X, y, classNames: [header[2]!, header[3]!] };
}
