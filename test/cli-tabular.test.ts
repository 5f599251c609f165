// The `blasnet` command on data as users have it (issue 18's "Why" list, one test or more each), every
// call a child process running bin/blasnet.mjs on the compiled package: string labels (penguins'
// species, yes/no, true/false), categorical features, missing cells (empty, NA, NaN; --impute,
// --missing), --ignore / --features, `;` / tab / `|` files and mixed CRLF/LF, task inference (diabetes'
// integer targets 25–346 are a regression, labels 1/2 are two classes, one class is refused, --loss mse
// forces a regression and the help says so), a regression worse than the mean warned about, metadata
// kept through the library's load and save, EPIPE on every subcommand, predict's --proba columns named
// after the classes and quoted per CSV rules, --id, an unseen category as one warning line, `cv`
// (folds, stratification, scoring, and the same scores as the library with a preprocessing per fold),
// and model files written by 0.2's CLI (test/fixtures/cli-0.2/).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kFold, loadModel, NeuralNetwork, Preprocessing, r2Score, readCsv, type Table } from '../lib/index.js';
import { HAS_NATIVE } from './helpers/data.js';
import { mulberry32 } from './helpers/data.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'blasnet.mjs');
const PENGUINS = join(ROOT, 'data', 'penguins.csv');
const IRIS = join(ROOT, 'data', 'iris.csv');
const DIABETES = join(ROOT, 'data', 'diabetes.csv');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'cli-0.2');
const NO_STACK = /^\s+at /m;
let dir = '';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function blasnet(...args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A successful run: exit 0, nothing on stderr. */
function ok(r: Run): string {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

/** A user mistake: one line on stderr, nothing on stdout, no stack trace. */
function mistake(r: Run, code: number, message: RegExp): void {
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^blasnet: [^\n]+\n$/);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(NO_STACK);
  expect(r.code).toBe(code);
}

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

/** A CSV read back with csv-parse (quotes and all): header and records. */
function csv(text: string): { header: string[]; rows: string[][] } {
  const [header, ...rows] = parse(text) as string[][];
  return { header: header!, rows };
}

/** A seeded generator for the synthetic files. */
const rng = mulberry32;

/**
 * n rows of two numbers x, z and a colour; the label is whether x (+1 for red) is large. `missing`
 * puts a gap token in x every 9th row; `delimiter` and `eol(i)` write the file.
 */
function synthetic(n: number, o: { labels: [string, string]; delimiter?: string; eol?: (i: number) => string; gaps?: string[]; seed?: number } = { labels: ['no', 'yes'] }): string {
  const r = rng(o.seed ?? 1), d = o.delimiter ?? ',', eol = o.eol ?? (() => '\n');
  const colours = ['red', 'green', 'blue'];
  let text = ['id', 'x', 'z', 'colour', 'label'].join(d) + eol(-1);
  for (let i = 0; i < n; i++) {
    const x = 2 * r() - 1, z = 2 * r() - 1, c = colours[i % 3]!;
    const label = x + (c === 'red' ? 0.8 : 0) > 0.2 ? o.labels[1] : o.labels[0];
    const xs = o.gaps && i % 9 === 4 ? o.gaps[(i / 9 | 0) % o.gaps.length]! : x.toFixed(4);
    text += [`r${i}`, xs, z.toFixed(4), c, label].join(d) + eol(i);
  }
  return text;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blasnet-cli-tabular-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!HAS_NATIVE)('penguins: string labels, categorical features, NA cells, an ID column', () => {
  let train: Run;
  beforeAll(() => {
    train = blasnet('train', PENGUINS, '--target', 'species', '--ignore', 'id', '--validation', '0.2', '--seed', '3', '--out', 'penguins.json');
  });

  it('train says what it inferred: the task and why, the classes by name, the columns with their types and widths, the cells imputed', () => {
    const out = ok(train);
    expect(out).toMatch(/^data: .*penguins\.csv: 344 rows × 8 columns, target "species"$/m);
    expect(out).toMatch(/^task: classification: the target holds text \(e\.g\. "Adelie"\): classes$/m);
    expect(out).toMatch(/^classes: Adelie, Chinstrap, Gentoo \(3\)$/m);
    expect(out).toMatch(/^split: 275 training, 69 validation \(seed 3, stratified by class\)$/m);
    expect(out).toMatch(/^features: 6 columns → 10 inputs$/m);
    expect(out).toMatch(/^ {2}numeric \(4, standardized\): bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g$/m);
    expect(out).toMatch(/^ {2}categorical: island, one-hot 3 \(Biscoe, Dream, Torgersen\)$/m);
    expect(out).toMatch(/^ {2}categorical: sex, one-hot \d \(.*FEMALE, MALE\)$/m);
    // The training split's gaps (P004 has five NA cells; sex is NA in 10 of the 344 rows).
    expect(out).toMatch(/^imputed cells \(numbers by their mean, categories by the most frequent, from the training rows\): .*sex \d+$/m);
    expect(out).toMatch(/^model: network 10-32-3, tanh → softmax/m);
    expect(Number(/^validation: accuracy ([\d.]+)%/m.exec(out)?.[1])).toBeGreaterThan(95);
    expect(out).toMatch(/^model saved to penguins\.json \(with its preprocessing: 6 columns → 10 inputs\)$/m);
  });

  it('the model file holds the preprocessing (learned on the 275 training rows) and the CLI block', async () => {
    const json = JSON.parse(readFileSync(join(dir, 'penguins.json'), 'utf8'));
    expect(json.metadata.cli).toEqual({ version: 2, task: 'classification', target: 'species' });
    expect(json.architecture.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    const model = await loadModel(join(dir, 'penguins.json'));
    expect(model.preprocessing?.columns).toEqual(['island', 'bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g', 'sex']);
    // Not the whole file's statistics: the mean of bill_length_mm over the 275 training rows only.
    const all = (await readCsv(PENGUINS)).column('bill_length_mm') as Float64Array;
    const wholeMean = all.filter((v) => !Number.isNaN(v)).reduce((a, b) => a + b, 0) / 342;
    const f = model.preprocessing!.features.find((x) => x.name === 'bill_length_mm')!;
    expect(f.type === 'numeric' && f.mean).not.toBe(wholeMean);
  });

  it('evaluate reports by class name (text and --json)', async () => {
    const text = ok(blasnet('evaluate', 'penguins.json', PENGUINS));
    expect(text).toMatch(/^Adelie\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+152$/m);
    expect(text).toMatch(/^Chinstrap\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+68$/m);
    expect(text).toMatch(/^\s+Adelie\s+Chinstrap\s+Gentoo$/m);
    const r = JSON.parse(ok(blasnet('evaluate', 'penguins.json', PENGUINS, '--json')));
    expect(r.classes.map((c: { class: string; support: number }) => [c.class, c.support])).toEqual([['Adelie', 152], ['Chinstrap', 68], ['Gentoo', 124]]);
    // The library's own predictions give the same accuracy.
    const model = await loadModel(join(dir, 'penguins.json'));
    const table = await readCsv(PENGUINS);
    const pred = (await model.predict(table)) as string[];
    const truth = table.column('species') as string[];
    expect(r.accuracy).toBe(pred.filter((p, i) => p === truth[i]).length / 344);
  });

  it('predict: the classes by name, --proba columns p(<class>), --id first; the library\'s probabilities exactly', async () => {
    const labels = csv(ok(blasnet('predict', 'penguins.json', PENGUINS)));
    expect(labels.header).toEqual(['class']);
    expect(new Set(labels.rows.map((r) => r[0]))).toEqual(new Set(['Adelie', 'Chinstrap', 'Gentoo']));
    const p = csv(ok(blasnet('predict', 'penguins.json', PENGUINS, '--proba', '--id', 'id')));
    expect(p.header).toEqual(['id', 'class', 'p(Adelie)', 'p(Chinstrap)', 'p(Gentoo)']);
    expect(p.rows).toHaveLength(344);
    expect(p.rows.slice(0, 3).map((r) => r[0])).toEqual(['P001', 'P002', 'P003']);
    const model = await loadModel(join(dir, 'penguins.json'));
    const P = await model.predictProba(await readCsv(PENGUINS));
    p.rows.forEach((r, i) => {
      expect(r.slice(2).map(Number)).toEqual(Array.from(P.row(i)));
      expect(r[1]).toBe(['Adelie', 'Chinstrap', 'Gentoo'][P.row(i).indexOf(Math.max(...P.row(i)))]);
    });
    // P004's features are all NA: no row is dropped, its gaps are filled from the training statistics.
    expect(p.rows[3]![0]).toBe('P004');
  });

  it('an ID column left in is refused with the hint to --ignore it; --features keeps only the columns named', () => {
    mistake(blasnet('train', PENGUINS, '--target', 'species'), 1, /penguins\.csv: categorical column "id" has 344 distinct values in 344 rows; .*--ignore/);
    const out = ok(blasnet('train', PENGUINS, '--target', 'species', '--features', 'bill_length_mm,flipper_length_mm,island', '--epochs', '5'));
    expect(out).toMatch(/^features: 3 columns → 5 inputs$/m);
    expect(out).not.toMatch(/sex|body_mass_g/);
    mistake(blasnet('train', PENGUINS, '--target', 'species', '--features', 'bill_length_mm,wingspan'), 1, /--features names column "wingspan", which the file does not have; the columns are id, species,/);
    mistake(blasnet('train', PENGUINS, '--target', 'species', '--ignore', 'id,species'), 2, /--ignore lists the target column "species"/);
  });

  it('logistic regression is multinomial on three classes', () => {
    const out = ok(blasnet('train', PENGUINS, '--target', 'species', '--ignore', 'id', '--model', 'logistic', '--solver', 'lbfgs', '--out', 'penguins-lr.json'));
    expect(out).toMatch(/^model: logistic regression \(multinomial, 3 classes\), 10 inputs; L-BFGS/m);
    expect(Number(/^training: +accuracy ([\d.]+)%/m.exec(out)?.[1])).toBeGreaterThan(97);
    expect(csv(ok(blasnet('predict', 'penguins-lr.json', PENGUINS, '--proba'))).header).toEqual(['class', 'p(Adelie)', 'p(Chinstrap)', 'p(Gentoo)']);
  });

  it('export: a model with one-hot columns is refused, naming the column; a numeric one exports', () => {
    mistake(blasnet('export', 'penguins.json', '--onnx', 'p.onnx'), 1, /penguins\.json: cannot export to ONNX: the model's preprocessing step "one-hot encoding of categorical column \\?"island\\?""/);
    ok(blasnet('train', PENGUINS, '--target', 'species', '--features', 'bill_length_mm,bill_depth_mm,flipper_length_mm', '--epochs', '5', '--out', 'numeric.json'));
    expect(ok(blasnet('export', 'numeric.json', '--onnx', 'numeric.onnx'))).toMatch(
      /^wrote numeric\.onnx: ONNX opset 13, float64, input X \[N, 3\] \(the columns bill_length_mm, bill_depth_mm, flipper_length_mm; NaN for a missing cell\), \d+ bytes$/m);
  });
});

describe.skipIf(!HAS_NATIVE)('labels, missing cells and delimiters in small files', () => {
  it('yes/no and true/false labels are classes named as in the file', () => {
    write('yes.csv', synthetic(150, { labels: ['no', 'yes'] }));
    const out = ok(blasnet('train', 'yes.csv', '--target', 'label', '--ignore', 'id', '--out', 'yes.json'));
    expect(out).toMatch(/^task: classification: the target holds text \(e\.g\. "(yes|no)"\): classes$/m);
    expect(out).toMatch(/^classes: no, yes \(2\)$/m);
    expect(out).toMatch(/^ {2}categorical: colour, one-hot 3 \(blue, green, red\)$/m);
    expect(out).toMatch(/^model: network 5-32-1, tanh → sigmoid/m);
    expect(csv(ok(blasnet('predict', 'yes.json', 'yes.csv', '--proba'))).header).toEqual(['class', 'p(no)', 'p(yes)']);
    write('tf.csv', synthetic(150, { labels: ['false', 'TRUE'] }));
    const t = ok(blasnet('train', 'tf.csv', '--target', 'label', '--ignore', 'id', '--out', 'tf.json'));
    expect(t).toMatch(/^task: classification: the target holds true\/false: classes$/m);
    expect(t).toMatch(/^classes: false, true \(2\)$/m);
    const r = JSON.parse(ok(blasnet('evaluate', 'tf.json', 'tf.csv', '--json')));
    expect(r.classes.map((c: { class: unknown }) => c.class)).toEqual([false, true]);
    expect(r.accuracy).toBeGreaterThan(0.9);
  });

  it('missing cells (empty, NA, NaN) are imputed, rows without a target dropped and counted; --impute drop and median; --missing', () => {
    let text = synthetic(180, { labels: ['no', 'yes'], gaps: ['', 'NA', 'NaN'] });
    // Three rows without a label.
    const lines = text.split('\n');
    for (const i of [3, 30, 60]) lines[i] = lines[i]!.replace(/,(yes|no)$/, ',');
    text = lines.join('\n');
    write('gaps.csv', text);
    const out = ok(blasnet('train', 'gaps.csv', '--target', 'label', '--ignore', 'id', '--out', 'gaps.json'));
    expect(out).toMatch(/^data: gaps\.csv: 180 rows × 5 columns, target "label"; 3 rows without a target dropped$/m);
    // Rows 4, 13, 22, … (every 9th from the 5th) have a gap in x: 20, none of them among the unlabelled rows.
    expect(out).toMatch(/^imputed cells \(numbers by their mean, categories by the most frequent, from the training rows\): x 20$/m);
    expect(out).toMatch(/^training: .* \(177 examples\)$/m);
    const drop = ok(blasnet('train', 'gaps.csv', '--target', 'label', '--ignore', 'id', '--impute', 'drop', '--epochs', '3'));
    expect(drop).toMatch(/^rows dropped \(--impute drop: a feature missing\): 20 of 177 training rows$/m);
    expect(drop).toMatch(/^training: .* \(157 examples\)$/m);
    expect(ok(blasnet('train', 'gaps.csv', '--target', 'label', '--ignore', 'id', '--impute', 'median', '--epochs', '3'))).toMatch(/^imputed cells \(numbers by their median, /m);
    // At predict time nothing is dropped: 180 rows in, 180 predictions out.
    expect(csv(ok(blasnet('predict', 'gaps.json', 'gaps.csv'))).rows).toHaveLength(180);
    // --missing replaces the list: "-" is a gap, NA is not (then x holds text and is refused as a stray).
    write('dash.csv', synthetic(60, { labels: ['no', 'yes'], gaps: ['-'] }));
    mistake(blasnet('train', 'dash.csv', '--target', 'label', '--ignore', 'id'), 1, /dash\.csv: column "x" holds numbers but for 7 cells such as "-" \(data row 5\); .*--missing/);
    expect(ok(blasnet('train', 'dash.csv', '--target', 'label', '--ignore', 'id', '--missing', '-', '--epochs', '2'))).toMatch(/: x 7$/m);
  });

  it('a ;-separated file with CRLF and LF mixed, a tab-separated one (--delimiter tab), a |-separated one: the same data, the same model', () => {
    const expected = ok(blasnet('train', write('comma.csv', synthetic(90, { labels: ['no', 'yes'] })), '--target', 'label', '--ignore', 'id', '--epochs', '20'));
    const figures = (out: string) => /^training: (.*)$/m.exec(out)![1];
    const semi = ok(blasnet('train', write('semi.csv', synthetic(90, { labels: ['no', 'yes'], delimiter: ';', eol: (i) => (i % 2 ? '\r\n' : '\n') })), '--target', 'label', '--ignore', 'id', '--epochs', '20'));
    expect(semi).toMatch(/^data: semi\.csv: 90 rows × 5 columns/m);
    expect(figures(semi)).toBe(figures(expected));
    const tab = ok(blasnet('train', write('tab.tsv', synthetic(90, { labels: ['no', 'yes'], delimiter: '\t' })), '--target', 'label', '--ignore', 'id', '--epochs', '20', '--delimiter', 'tab'));
    expect(figures(tab)).toBe(figures(expected));
    const pipe = ok(blasnet('train', write('pipe.csv', synthetic(90, { labels: ['no', 'yes'], delimiter: '|' })), '--target', 'label', '--ignore', 'id', '--epochs', '20'));
    expect(figures(pipe)).toBe(figures(expected));
    // Told the wrong delimiter, the file is one column: the target is not found, and the message says what the columns are.
    mistake(blasnet('train', 'semi.csv', '--target', 'label', '--delimiter', ','), 1, /semi\.csv: --target names column "label", which the file does not have; the columns are id;x;z;colour;label/);
    mistake(blasnet('train', 'semi.csv', '--target', 'label', '--delimiter', ';;'), 2, /option '--delimiter <c>' argument ';;' is invalid/);
  });
});

describe.skipIf(!HAS_NATIVE)('the task: inferred, overridden, refused', () => {
  it('diabetes (integer targets 25–346) is a regression, reported with R², MSE and MAE', () => {
    const out = ok(blasnet('train', DIABETES, '--target', 'target', '--validation', '0.2', '--out', 'diabetes.json'));
    expect(out).toMatch(/^task: regression: the target holds 214 distinct integers \(more than 20\): a regression/m);
    expect(out).not.toMatch(/^classes:/m);
    expect(out).toMatch(/^split: 354 training, 88 validation \(seed 0\)$/m);
    expect(out).toMatch(/^model: network 10-32-1, tanh → linear, loss mse/m);
    const v = /^validation: R² ([\d.-]+), MSE ([\d.e+-]+), MAE ([\d.e+-]+) \(88 examples\)$/m.exec(out);
    expect(v).not.toBeNull();
    expect(Number(v![1])).toBeGreaterThan(0.3);
    const r = JSON.parse(ok(blasnet('evaluate', 'diabetes.json', DIABETES, '--json')));
    expect(r.task).toBe('regression');
    expect(r.n).toBe(442);
    expect(r.mae).toBeGreaterThan(0);
    expect(r.mse).toBeGreaterThan(r.mae);
    const text = ok(blasnet('evaluate', 'diabetes.json', DIABETES));
    expect(text).toMatch(/^R²\s+[\d.]+\nMSE\s+[\d.]+\nMAE\s+[\d.]+$/m);
    // --task classification overrides the rule: 214 classes.
    expect(ok(blasnet('train', DIABETES, '--target', 'target', '--task', 'classification', '--epochs', '1'))).toMatch(/^classes: 25, 31, 37, .*, … \(214\)$/m);
  });

  it('labels 1/2 are two classes (not three), with a sigmoid output; --loss mse makes them a regression', () => {
    write('12.csv', `x,label\n${Array.from({ length: 40 }, (_, i) => `${i},${i < 20 ? 1 : 2}`).join('\n')}\n`);
    const out = ok(blasnet('train', '12.csv', '--target', 'label', '--epochs', '100', '--learning-rate', '0.05', '--out', '12.json'));
    expect(out).toMatch(/^task: classification: the target holds 2 distinct integers \(at most 20\): classes/m);
    expect(out).toMatch(/^classes: 1, 2 \(2\)$/m);
    expect(out).toMatch(/^model: network 1-32-1, tanh → sigmoid/m);
    const r = JSON.parse(ok(blasnet('evaluate', '12.json', '12.csv', '--json')));
    expect(r.classes.map((c: { class: number }) => c.class)).toEqual([1, 2]);
    expect(r.confusion).toHaveLength(2);
    expect(r.accuracy).toBe(1);
    expect(r.macro.f1).toBe(1);
    expect(csv(ok(blasnet('predict', '12.json', '12.csv', '--proba'))).header).toEqual(['class', 'p(1)', 'p(2)']);
    const mse = blasnet('train', '12.csv', '--target', 'label', '--loss', 'mse', '--epochs', '2');
    expect(mse.code).toBe(0);
    expect(mse.stdout).toMatch(/^task: regression: --loss mse makes a regression$/m);
    expect(mse.stdout).toMatch(/^model: network 1-32-1, tanh → linear, loss mse/m);
  });

  it('a single class, a regression on text, contradictory options: refused in one line', () => {
    write('one.csv', `x,label\n${Array.from({ length: 12 }, (_, i) => `${i},a`).join('\n')}\n`);
    mistake(blasnet('train', 'one.csv', '--target', 'label'), 1, /one\.csv: the target column "label" has a single class \("a"\) in its 12 rows; a classifier needs at least two/);
    write('one-int.csv', `x,label\n${Array.from({ length: 12 }, (_, i) => `${i},3`).join('\n')}\n`);
    mistake(blasnet('train', 'one-int.csv', '--target', 'label'), 1, /has a single class \(3\)/);
    mistake(blasnet('train', PENGUINS, '--target', 'species', '--ignore', 'id', '--task', 'regression'), 1, /the target column "species" holds text \(e\.g\. "Adelie"\); a regression \(--task regression\) needs numbers/);
    mistake(blasnet('train', PENGUINS, '--target', 'species', '--ignore', 'id', '--loss', 'mse'), 1, /a regression \(--loss mse makes a regression\) needs numbers/);
    mistake(blasnet('train', DIABETES, '--target', 'target', '--task', 'classification', '--loss', 'mse'), 2, /--loss mse makes a regression, and --task classification asks for classes/);
    mistake(blasnet('train', DIABETES, '--target', 'target', '--model', 'logistic', '--task', 'regression'), 2, /--model logistic is a classifier; --task regression needs --model network/);
    mistake(blasnet('train', DIABETES, '--target', 'target', '--task', 'numbers'), 2, /argument 'numbers' is invalid. Allowed choices are classification, regression/);
    mistake(blasnet('train', DIABETES, '--target', 'target', '--impute', 'zero'), 2, /argument 'zero' is invalid. Allowed choices are mean, median, most-frequent, drop/);
  });

  it('--help says that --loss mse forces a regression, and how the task is inferred', () => {
    const h = ok(blasnet('train', '--help')).replace(/\s+/g, ' ');
    expect(h).toMatch(/--loss mse forces a regression, even on integer targets/);
    expect(h).toMatch(/integers with at most 20 distinct values are classes; other numbers a regression/);
    for (const o of ['--delimiter', '--features', '--ignore', '--task', '--impute', '--missing']) expect(h).toContain(o);
    expect(ok(blasnet('cv', '--help')).replace(/\s+/g, ' ')).toMatch(/--folds <k>.*--stratify.*--no-stratify.*--scoring <name>/);
  });

  it('a regression that does worse than predicting the mean is warned about, in one line', () => {
    // Trained on y = x, evaluated where y = −x: R² far below 0.
    const rows = (sign: number) => `x,y\n${Array.from({ length: 60 }, (_, i) => `${(i / 10).toFixed(1)},${(sign * i / 10 + 0.5).toFixed(2)}`).join('\n')}\n`;
    write('up.csv', rows(1));
    write('down.csv', rows(-1));
    expect(ok(blasnet('train', 'up.csv', '--target', 'y', '--out', 'up.json'))).toMatch(/^task: regression: the target holds non-integer numbers/m);
    const r = blasnet('evaluate', 'up.json', 'down.csv');
    expect(r.code).toBe(0);
    const r2 = Number(/^R²\s+(-[\d.]+)$/m.exec(r.stdout)?.[1]);
    expect(r2).toBeLessThan(0);
    expect(r.stderr).toBe(`blasnet: warning: the R² is ${r2.toFixed(4)} < 0: the model does worse than predicting the mean\n`);
  });
});

describe.skipIf(!HAS_NATIVE)('predict: CSV quoting, --id, unseen categories', () => {
  it('--proba column names and labels are quoted per CSV rules (a class name with a comma and a quote)', () => {
    const r = rng(5);
    const names = ['plain', 'a, "b"', 'c\'s'];
    let text = 'x,z,label\n';
    for (let i = 0; i < 90; i++) {
      const c = i % 3;
      text += `${(c + 0.3 * r()).toFixed(3)},${r().toFixed(3)},"${names[c]!.replace(/"/g, '""')}"\n`;
    }
    write('quoted.csv', text);
    const out = ok(blasnet('train', 'quoted.csv', '--target', 'label', '--epochs', '150', '--learning-rate', '0.05', '--out', 'quoted.json'));
    expect(out).toMatch(/^classes: a, "b", c's, plain \(3\)$/m);
    const p = ok(blasnet('predict', 'quoted.json', 'quoted.csv', '--proba'));
    expect(p.split('\n')[0]).toBe('class,"p(a, ""b"")",p(c\'s),p(plain)');
    const back = csv(p);
    expect(back.header).toEqual(['class', 'p(a, "b")', 'p(c\'s)', 'p(plain)']);
    expect(back.rows).toHaveLength(90);
    expect(back.rows[1]![0]).toBe('a, "b"');
    expect(back.rows.every((row) => row.length === 4)).toBe(true);
  });

  it('--id carries an ID column through as it was written (leading zeros kept, empty where missing); a missing --id column is named', () => {
    write('ids.csv', `code,x,label\n007,1,a\n010,2,b\n,3,a\n4.50,4,b\n`);
    ok(blasnet('train', 'ids.csv', '--target', 'label', '--ignore', 'code', '--epochs', '2', '--out', 'ids.json'));
    expect(ok(blasnet('predict', 'ids.json', 'ids.csv', '--id', 'code')).split('\n').map((l) => l.split(',')[0])).toEqual(['code', '007', '010', '', '4.50', '']);
    mistake(blasnet('predict', 'ids.json', 'ids.csv', '--id', 'name'), 1, /ids\.csv: --id names column "name", which the file does not have; the columns are code, x, label/);
  });

  it('a category not seen in training: encoded as all zeros, one warning line on stderr (not Node\'s print), predictions for every row', () => {
    write('seen.csv', synthetic(60, { labels: ['no', 'yes'] }));
    ok(blasnet('train', 'seen.csv', '--target', 'label', '--ignore', 'id', '--epochs', '5', '--out', 'seen.json'));
    write('unseen.csv', synthetic(30, { labels: ['no', 'yes'] }).replace(/,green,/g, ',purple,'));
    const r = blasnet('predict', 'seen.json', 'unseen.csv', '--proba');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^blasnet: warning: categories not seen at fit, encoded as all zeros: "colour": 10 rows \("purple"(, …)?\)\n$/);
    expect(r.stderr).not.toMatch(/\(node:|BLASNET_UNSEEN_CATEGORY/);
    expect(csv(r.stdout).rows).toHaveLength(30);
    // evaluate too: one line.
    const e = blasnet('evaluate', 'seen.json', 'unseen.csv');
    expect(e.code).toBe(0);
    expect(e.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe.skipIf(!HAS_NATIVE)('metadata and model files', () => {
  it('a CLI model loaded and saved by the library keeps its metadata, and the CLI still predicts from it by column name', async () => {
    ok(blasnet('train', PENGUINS, '--target', 'species', '--ignore', 'id', '--epochs', '30', '--out', 'meta.json'));
    const model = await loadModel(join(dir, 'meta.json'));
    await model.save(join(dir, 'resaved.json'));
    const json = JSON.parse(readFileSync(join(dir, 'resaved.json'), 'utf8'));
    expect(json.metadata.cli).toEqual({ version: 2, task: 'classification', target: 'species' });
    expect(ok(blasnet('predict', 'resaved.json', PENGUINS))).toBe(ok(blasnet('predict', 'meta.json', PENGUINS)));
    expect(ok(blasnet('evaluate', 'resaved.json', PENGUINS))).toBe(ok(blasnet('evaluate', 'meta.json', PENGUINS)));
  });

  it('model files written by 0.2\'s CLI still evaluate and predict from a CSV by column name, with the same figures', async () => {
    const json = JSON.parse(readFileSync(join(FIXTURES, 'iris-network.json'), 'utf8'));
    expect(json.metadata.blasnet).toBe('0.2.0');
    expect(json.preprocessing.tabular).toBeUndefined();
    const old = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
    // Classification: the same report (classes 0, 1, 2 are named as before).
    expect(JSON.parse(ok(blasnet('evaluate', join(FIXTURES, 'iris-network.json'), IRIS, '--json')))).toEqual(old('iris-network.evaluate.json'));
    expect(JSON.parse(ok(blasnet('evaluate', join(FIXTURES, 'breast-cancer-logistic.json'), join(ROOT, 'data', 'breast-cancer.csv'), '--json'))))
      .toEqual(old('breast-cancer-logistic.evaluate.json'));
    // Regression: the same R² and MSE, and now the MAE.
    const reg = JSON.parse(ok(blasnet('evaluate', join(FIXTURES, 'diabetes-regression.json'), DIABETES, '--json')));
    expect(reg).toEqual({ ...old('diabetes-regression.evaluate.json'), mae: reg.mae });
    expect(ok(blasnet('predict', join(FIXTURES, 'diabetes-regression.json'), DIABETES))).toBe(readFileSync(join(FIXTURES, 'diabetes-regression.predict.csv'), 'utf8'));
    // predict --proba: the same numbers; the columns are now named p(<class>).
    const before = readFileSync(join(FIXTURES, 'iris-network.predict.csv'), 'utf8').split('\n');
    const now = ok(blasnet('predict', join(FIXTURES, 'iris-network.json'), IRIS, '--proba')).split('\n');
    expect(now[0]).toBe('class,p(0),p(1),p(2)');
    expect(before[0]).toBe('class,p0,p1,p2');
    expect(now.slice(1)).toEqual(before.slice(1));
    // By name: columns reordered and an extra one added read the same.
    const { header, rows } = csv(readFileSync(IRIS, 'utf8'));
    const order = [4, 3, 0, 2, 1];
    write('iris-shuffled.csv', [['note', ...order.map((k) => header[k]!)].join(','), ...rows.map((r, i) => [`n${i}`, ...order.map((k) => r[k]!)].join(','))].join('\n') + '\n');
    expect(JSON.parse(ok(blasnet('evaluate', join(FIXTURES, 'iris-network.json'), 'iris-shuffled.csv', '--json')))).toEqual(old('iris-network.evaluate.json'));
    // Loaded and saved by the library, it keeps its metadata.cli and still reads by name.
    const model = await loadModel(join(FIXTURES, 'iris-network.json'));
    await model.save(join(dir, 'iris-resaved.json'));
    expect(JSON.parse(readFileSync(join(dir, 'iris-resaved.json'), 'utf8')).metadata.cli).toEqual(json.metadata.cli);
    expect(JSON.parse(ok(blasnet('evaluate', 'iris-resaved.json', 'iris-shuffled.csv', '--json')))).toEqual(old('iris-network.evaluate.json'));
    // A 0.2 model reads plain numbers: a gap is named, with the way out.
    write('iris-gap.csv', readFileSync(IRIS, 'utf8').replace(/\n5\.1,3\.5,/, '\n5.1,NA,'));
    mistake(blasnet('predict', join(FIXTURES, 'iris-network.json'), 'iris-gap.csv'), 1, /iris-gap\.csv: data row 1, column "sepal_width_cm": a missing value; this model has no imputation/);
  });
});

describe.skipIf(!HAS_NATIVE)('EPIPE: a closed stdout ends every subcommand quietly with status 0', () => {
  /** Runs the CLI with stdout piped to us, closes our end after `lines` lines (0: at once), and returns the exit status and stderr. */
  function closedEarly(args: string[], lines: number): Promise<{ code: number | null; signal: string | null; stderr: string; got: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '', got = '';
      child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
      if (lines === 0) {
        child.stdout.destroy();
      } else {
        child.stdout.setEncoding('utf8').on('data', (s: string) => {
          got += s;
          if (got.split('\n').length > lines) child.stdout.destroy();
        });
      }
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`timed out: ${args.join(' ')}`));
      }, 120_000);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stderr, got });
      });
    });
  }

  beforeAll(() => {
    ok(blasnet('train', PENGUINS, '--target', 'species', '--ignore', 'id', '--epochs', '20', '--out', 'pipe.json'));
    ok(blasnet('train', PENGUINS, '--target', 'species', '--features', 'bill_length_mm,flipper_length_mm', '--epochs', '5', '--out', 'pipe-numeric.json'));
    // 60 000 rows: megabytes of output, far more than a pipe holds.
    const [head, ...rows] = readFileSync(PENGUINS, 'utf8').trim().split('\n');
    const big = [head];
    for (let i = 0; i < 60_000; i++) big.push(rows[i % rows.length]!.replace(/^P\d+/, `Q${i}`));
    write('big.csv', `${big.join('\n')}\n`);
  });

  it('predict --proba on 60 000 rows, the reader gone after the first line (`| head -1`)', async () => {
    const r = await closedEarly(['predict', 'pipe.json', 'big.csv', '--proba'], 1);
    expect(r.got.split('\n')[0]).toBe('class,p(Adelie),p(Chinstrap),p(Gentoo)');
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
  });

  it.each([
    ['train', [PENGUINS, '--target', 'species', '--ignore', 'id', '--epochs', '3', '--out', 'epipe.json']],
    ['cv', [PENGUINS, '--target', 'species', '--ignore', 'id,sex', '--epochs', '3', '--folds', '2']],
    ['evaluate', ['pipe.json', PENGUINS]],
    ['predict', ['pipe.json', 'big.csv', '--id', 'id']],
    ['export', ['pipe-numeric.json', '--onnx', 'epipe.onnx']],
    ['info', []],
    ['--help', []],
  ])('%s with stdout closed before it writes', async (cmd, args) => {
    const r = await closedEarly([cmd, ...args], 0);
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
  });

  it.skipIf(!existsSync('/dev/full'))('another write error on stdout (a full disk: /dev/full) is one line and exit 1', () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [BIN, 'info'], { cwd: dir, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
      expect(r.stderr).toBe('blasnet: cannot write to stdout: ENOSPC\n');
      expect(r.status).toBe(1);
    } finally {
      closeSync(fd);
    }
  });

  it('the file outputs are still written (train --out with stdout closed)', () => {
    expect(JSON.parse(readFileSync(join(dir, 'epipe.json'), 'utf8')).format).toBe('blasnet-model');
  });
});

describe.skipIf(!HAS_NATIVE)('cv: k-fold cross-validation with a preprocessing per fold', () => {
  const line = /^fold (\d)\/(\d): (\S+) (-?[\d.]+) \(train (\d+), test (\d+)\)$/gm;

  it('penguins: stratified folds by default, one line per fold, the mean ± population std', () => {
    const r = blasnet('cv', PENGUINS, '--target', 'species', '--ignore', 'id', '--folds', '4', '--epochs', '60', '--seed', '2');
    expect(r.code).toBe(0);
    // The one row whose sex is "." is in one test fold, so that fold's model never saw the category: one line.
    expect(r.stderr).toMatch(/^blasnet: warning: categories not seen at fit, encoded as all zeros: "sex": 1 row \("\."\)\n$/);
    const out = r.stdout;
    expect(out).toMatch(/^folds: 4, stratified by class \(seed 2\); scoring accuracy$/m);
    const folds = [...out.matchAll(line)];
    expect(folds.map((m) => [m[1], m[2], m[3], Number(m[5]) + Number(m[6])])).toEqual([1, 2, 3, 4].map((f) => [String(f), '4', 'accuracy', 344]));
    const scores = folds.map((m) => Number(m[4]));
    const [, mean, std] = /^accuracy: ([\d.]+) ± ([\d.]+) \(mean ± population std over 4 folds of .*penguins\.csv\)$/m.exec(out)!.map(Number);
    const mu = scores.reduce((a, b) => a + b, 0) / 4;
    expect(mean).toBeCloseTo(mu, 3);
    expect(std).toBeCloseTo(Math.sqrt(scores.reduce((a, s) => a + (s - mu) ** 2, 0) / 4), 3);
    expect(mean).toBeGreaterThan(0.9);
    const plain = ok(blasnet('cv', PENGUINS, '--target', 'species', '--ignore', 'id,sex', '--folds', '3', '--epochs', '5', '--no-stratify', '--scoring', 'f1_macro'));
    expect(plain).toMatch(/^folds: 3 \(seed 0\); scoring f1_macro$/m);
    expect(plain).toMatch(/^f1_macro: [\d.]+ ± [\d.]+ /m);
  });

  it('diabetes: the same R² per fold as the library computes with kFold and a Preprocessing fitted on each fold\'s training rows', async () => {
    const out = ok(blasnet('cv', DIABETES, '--target', 'target', '--folds', '3', '--layers', '8', '--epochs', '40', '--seed', '4', '--threads', '1'));
    expect(out).toMatch(/^folds: 3 \(seed 4\); scoring r2$/m);
    const cli = [...out.matchAll(line)].map((m) => Number(m[4]));
    expect(cli).toHaveLength(3);
    const table: Table = await readCsv(DIABETES);
    const folds = kFold(table.nRows, { folds: 3, seed: 4 });
    const lib: number[] = [];
    for (const { train, test } of folds) {
      const tr = table.take(train), te = table.take(test);
      const prep = Preprocessing.fit(tr, { target: 'target', task: 'regression' });
      const net = new NeuralNetwork({ layers: [prep.nFeatures, 8, 1], output: 'linear', loss: 'mse', seed: 4, preprocessing: prep });
      await net.fit(tr, null, { epochs: 40 });
      lib.push(r2Score(te.column('target') as Float64Array, (await net.predict(te)) as Float64Array));
    }
    cli.forEach((s, f) => expect(s).toBeCloseTo(lib[f]!, 4));
  });

  it('usage mistakes: a scoring that does not fit the task, too many folds, --stratify on a regression', () => {
    mistake(blasnet('cv', DIABETES, '--target', 'target', '--scoring', 'accuracy'), 2, /--scoring accuracy scores classes; the task is regression/);
    mistake(blasnet('cv', PENGUINS, '--target', 'species', '--ignore', 'id', '--scoring', 'r2'), 2, /--scoring r2 scores values; the task is classification/);
    mistake(blasnet('cv', PENGUINS, '--target', 'species', '--ignore', 'id', '--scoring', 'roc_auc'), 2, /--scoring roc_auc is for two classes; the target has 3/);
    mistake(blasnet('cv', PENGUINS, '--target', 'species', '--scoring', 'balanced'), 2, /argument 'balanced' is invalid. Allowed choices are accuracy, f1, f1_macro/);
    mistake(blasnet('cv', DIABETES, '--target', 'target', '--stratify'), 2, /--stratify needs classes; the task is regression/);
    mistake(blasnet('cv', DIABETES, '--target', 'target', '--folds', '1'), 2, /option '--folds <k>' argument '1' is invalid/);
    mistake(blasnet('cv', DIABETES, '--target', 'target', '--folds', '500'), 2, /--folds 500 is more than the 442 rows with a target/);
  });
});

