// Loaders for the bundled data sets in data/ (see data/README.md): iris, wine, breast cancer,
// digits, diabetes. Each returns the rows as number[][] and the targets as number[] (class
// indices 0…k−1 for the classifiers, the raw 25…346 for diabetes), with the header's names.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

export interface Dataset {
  /** n rows of m features. */
  X: number[][];
  /** n targets: class indices, or the raw regression target. */
  y: number[];
  /** m names from the header. */
  featureNames: string[];
  /** The header's last column. */
  targetName: string;
  /** Class names in index order (classifiers only). */
  classNames?: string[];
}

export type DatasetName = 'iris' | 'wine' | 'breastCancer' | 'digits' | 'diabetes';

const FILES: Record<DatasetName, { file: string; classNames?: string[]; rows: number; cols: number }> = {
  iris: { file: 'iris.csv', classNames: ['setosa', 'versicolor', 'virginica'], rows: 150, cols: 4 },
  wine: { file: 'wine.csv', classNames: ['class_0', 'class_1', 'class_2'], rows: 178, cols: 13 },
  breastCancer: { file: 'breast-cancer.csv', classNames: ['malignant', 'benign'], rows: 569, cols: 30 },
  digits: { file: 'digits.csv', classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], rows: 1797, cols: 64 },
  diabetes: { file: 'diabetes.csv', rows: 442, cols: 10 },
};

/** The path of a file in data/. */
export function dataPath(file: string): string {
  return fileURLToPath(new URL(`../../data/${file}`, import.meta.url));
}

/** Reads a headered CSV whose last column is the target; every cell must be a finite number. */
export function readCsvDataset(path: string): Dataset {
  const records = parse(readFileSync(path, 'utf8'), { skip_empty_lines: true, trim: true }) as string[][];
  const header = records[0];
  if (!header || header.length < 2) throw new Error(`${path}: no header`);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 1; i < records.length; i++) {
    const row = records[i]!.map(Number);
    if (row.length !== header.length || !row.every(Number.isFinite)) throw new Error(`${path}: bad row ${i + 1}`);
    y.push(row.pop()!);
    X.push(row);
  }
  return { X, y, featureNames: header.slice(0, -1), targetName: header[header.length - 1]! };
}

const cache = new Map<DatasetName, Dataset>();

/** One of the bundled data sets (parsed once per process; callers get fresh arrays). */
export function loadDataset(name: DatasetName): Dataset {
  let d = cache.get(name);
  if (!d) {
    const spec = FILES[name];
    d = readCsvDataset(dataPath(spec.file));
    if (d.X.length !== spec.rows || d.featureNames.length !== spec.cols) {
      throw new Error(`${spec.file}: expected ${spec.rows} × ${spec.cols}, got ${d.X.length} × ${d.featureNames.length}`);
    }
    if (spec.classNames) d.classNames = spec.classNames;
    cache.set(name, d);
  }
  return {
    X: d.X.map((r) => r.slice()),
    y: d.y.slice(),
    featureNames: d.featureNames.slice(),
    targetName: d.targetName,
    ...(d.classNames ? { classNames: d.classNames.slice() } : {}),
  };
}

export const loadIris = (): Dataset => loadDataset('iris');
export const loadWine = (): Dataset => loadDataset('wine');
export const loadBreastCancer = (): Dataset => loadDataset('breastCancer');
export const loadDigits = (): Dataset => loadDataset('digits');
export const loadDiabetes = (): Dataset => loadDataset('diabetes');
