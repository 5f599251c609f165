// The `blasnet` command end to end, each call a child process running bin/blasnet.mjs on the compiled
// package: train → evaluate → predict → export on the bundled breast-cancer CSV (network, logistic,
// a regression head, an IDX pair), the exported file run in onnxruntime-node, the learning-curve SVG,
// the progress bar (none when piped, drawn on a terminal), and every user mistake's message and exit code.
// The tabular side (string labels, categories, gaps, delimiters, task inference, cv, EPIPE, 0.2 model
// files) is test/cli-tabular.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, Matrix, NeuralNetwork } from '../lib/index.js';
import { HAS_NATIVE } from './helpers/data.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'blasnet.mjs');
const CSV = join(ROOT, 'data', 'breast-cancer.csv');
let dir = '';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function blasnet(...args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The bundled CSV as rows of numbers (an independent reader: split on commas). */
function csvRows(file = CSV): { header: string[]; rows: number[][] } {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  return { header: head!.split(','), rows: lines.map((l) => l.split(',').map(Number)) };
}

/** The model file's own P(class 1) through the library (column 1 of predictProba), on the raw feature columns of the CSV. */
async function libraryProba(modelFile: string): Promise<Float64Array> {
  const model = await loadModel(join(dir, modelFile));
  const { rows } = csvRows();
  const X = Matrix.from(rows.map((r) => r.slice(0, 30)));
  const P = model.predictProbaSync(X);
  expect(P.cols).toBe(2);
  return Float64Array.from({ length: P.rows }, (_, j) => P.get(j, 1));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blasnet-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const NO_STACK = /^\s+at /m;

describe.skipIf(!HAS_NATIVE)('blasnet CLI: train → evaluate → predict → export, a network on the bundled CSV', () => {
  let train: Run;
  beforeAll(() => {
    train = blasnet('train', CSV, '--target', 'diagnosis', '--layers', '8', '--epochs', '300', '--validation', '0.2', '--early-stopping', '10', '--seed', '1',
      '--out', 'net.json', '--plot', 'curve.svg');
  });

  it('train: exit 0, the data, split and model described, final training and validation metrics, no progress bar when piped', () => {
    expect(train.stderr).toBe('');
    expect(train.code).toBe(0);
    expect(train.stdout).toMatch(/569 rows × 31 columns, target "diagnosis"\n/);
    // 0/1 are two integers: classes, named as the data names them.
    expect(train.stdout).toMatch(/^task: classification: the target holds 2 distinct integers \(at most 20\): classes/m);
    expect(train.stdout).toMatch(/^classes: 0, 1 \(2\)$/m);
    expect(train.stdout).toMatch(/^features: 30 columns → 30 inputs\n  numeric \(30, standardized\): mean_radius, mean_texture,/m);
    // Stratified: 212/357 in both parts' proportions (round(0.2 · 212) = 42 malignant in validation).
    expect(train.stdout).toMatch(/split: 455 training, 114 validation \(seed 1, stratified by class\)/);
    // The CLI trains with the library's network defaults (tanh hidden layers; NETWORK_DEFAULTS: Adam, batches of 200) unless told otherwise.
    expect(train.stdout).toMatch(/network 30-8-1, tanh → sigmoid, loss cross-entropy; adam, batch 200, 300 epochs/);
    expect(train.stdout).toMatch(/early stopping: after 10 epochs without a better validation cost, keeping the best parameters/);
    const acc = (set: string) => Number(new RegExp(`${set}:\\s+accuracy ([\\d.]+)%`).exec(train.stdout)?.[1]);
    // Standardized breast cancer is close to linearly separable: 94% is far above the 63% of always answering "benign".
    expect(acc('training')).toBeGreaterThan(94);
    expect(acc('validation')).toBeGreaterThan(90);
    expect(train.stdout).toMatch(/model saved to net\.json \(with its preprocessing: 30 columns → 30 inputs\)/);
    // The best record's parameters are kept: the validation log loss of the final model (lib/metrics.ts,
    // after the fit) is the best recorded validation cost (the mean cross-entropy).
    const best = /best epoch: (\d+), validation cost ([\d.e+-]+) \(its parameters kept\)/.exec(train.stdout);
    expect(best).not.toBeNull();
    expect(Number(/validation: .*, log loss ([\d.e+-]+) \(114 examples\)/.exec(train.stdout)?.[1])).toBeCloseTo(Number(best![2]), 4);
    const epochs = Number(/trained: (\d+) epochs/.exec(train.stdout)?.[1]);
    if (train.stdout.includes('(stopped: early-stopping)')) expect(epochs).toBe(Number(best![1]) + 10);
    else expect(epochs).toBe(300);
    // Piped: no escape sequences, no bar, no ETA.
    expect(train.stdout + train.stderr).not.toMatch(/\x1b|ETA|░|█/);
  });

  it('the model file is a blasnet model that the library loads, with its preprocessing and the CLI metadata', async () => {
    const json = JSON.parse(readFileSync(join(dir, 'net.json'), 'utf8'));
    expect(json.format).toBe('blasnet-model');
    expect(json.metadata.cli).toEqual({ version: 2, task: 'classification', target: 'diagnosis' });
    expect(json.preprocessing.tabular.target).toEqual({ name: 'diagnosis', task: 'classification' });
    expect(json.preprocessing.tabular.features.map((f: { name: string }) => f.name)).toEqual(csvRows().header.slice(0, 30));
    const model = await loadModel(join(dir, 'net.json'));
    expect(model.preprocessing?.columns).toEqual(csvRows().header.slice(0, 30));
    expect(model.classes).toEqual([0, 1]);
  });

  it('evaluate: the accuracy, per-class scores and confusion matrix of the model on the data (text and --json)', async () => {
    const text = blasnet('evaluate', 'net.json', CSV);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^accuracy\s+\d+\.\d\d%$/m);
    expect(text.stdout).toMatch(/^class\s+precision\s+recall\s+F1\s+support$/m);
    expect(text.stdout).toMatch(/confusion matrix \(rows: true class, columns: predicted\)/);
    const r = blasnet('evaluate', 'net.json', CSV, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    // Recomputed here from the library's predictions and the CSV's labels.
    const p = await libraryProba('net.json');
    const y = csvRows().rows.map((row) => row[30]!);
    const C = [[0, 0], [0, 0]];
    y.forEach((t, i) => C[t]![p[i]! >= 0.5 ? 1 : 0]!++);
    expect(report.confusion).toEqual(C);
    expect(report.accuracy).toBeCloseTo((C[0]![0]! + C[1]![1]!) / 569, 15);
    expect(report.classes[1].precision).toBeCloseTo(C[1]![1]! / (C[0]![1]! + C[1]![1]!), 15);
    expect(report.classes[1].recall).toBeCloseTo(C[1]![1]! / (C[1]![0]! + C[1]![1]!), 15);
    expect(report.classes.map((c: { support: number }) => c.support)).toEqual([212, 357]);
  });

  it('predict: one class per row as CSV, probabilities with --proba, to a file with --out', async () => {
    const p = await libraryProba('net.json');
    const r = blasnet('predict', 'net.json', CSV);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('class');
    expect(lines.slice(1).map(Number)).toEqual(Array.from(p, (v) => (v >= 0.5 ? 1 : 0)));
    const q = blasnet('predict', 'net.json', CSV, '--proba', '--out', 'pred.csv');
    expect(q.code).toBe(0);
    expect(q.stdout).toBe('');
    const rows = readFileSync(join(dir, 'pred.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('class,p(0),p(1)');
    rows.slice(1).forEach((row, i) => {
      const [c, p0, p1] = row.split(',').map(Number);
      expect(p1).toBe(p[i]);              // the shortest round-trip decimal: exact
      expect(p0).toBe(1 - p[i]!);
      expect(c).toBe(p[i]! >= 0.5 ? 1 : 0);
    });
  });

  it('export: an ONNX file that onnxruntime-node runs on the raw CSV features, giving the same probabilities and labels', async () => {
    const X = Float64Array.from(csvRows().rows.flatMap((r) => r.slice(0, 30)));
    const p = await libraryProba('net.json');
    for (const float32 of [false, true]) {
      const file = float32 ? 'net32.onnx' : 'net.onnx';
      const r = blasnet('export', 'net.json', '--onnx', file, ...(float32 ? ['--float32'] : []));
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`wrote ${file.replace('.', '\\.')}: ONNX opset 13, ${float32 ? 'float32' : 'float64'}, input X \\[N, 30\\] \\(the columns mean_radius, `));
      const session = await ort.InferenceSession.create(readFileSync(join(dir, file)));
      const out = await session.run({ X: float32 ? new ort.Tensor('float32', Float32Array.from(X), [569, 30]) : new ort.Tensor('float64', X, [569, 30]) });
      // A binary classifier's graph gives probabilities [N, 2] = [1 − p, p] and the label.
      expect(out.probabilities!.dims).toEqual([569, 2]);
      const got = out.probabilities!.data as Float64Array | Float32Array;
      // The tolerances of test/onnx.test.ts (probabilities in [0, 1]: absolute = normwise here).
      let worst = 0;
      for (let i = 0; i < 569; i++) worst = Math.max(worst, Math.abs(got[2 * i + 1]! - p[i]!), Math.abs(got[2 * i]! - (1 - p[i]!)));
      expect(worst).toBeLessThanOrEqual(float32 ? 1e-5 : 1e-12);
      if (!float32) expect(Array.from(out.label!.data as BigInt64Array, Number)).toEqual(Array.from(p, (v) => (v >= 0.5 ? 1 : 0)));
      await session.release();
    }
  });

  it('--plot: a valid SVG document with axes, ticks, labels, a legend, both series and the best epoch', () => {
    const svg = readFileSync(join(dir, 'curve.svg'), 'utf8');
    expect(XMLValidator.validate(svg)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['g', 'path', 'text', 'line'].includes(name) }).parse(svg);
    expect(doc.svg['@_xmlns']).toBe('http://www.w3.org/2000/svg');
    const groups = doc.svg.g as { '@_class': string; text?: unknown[]; line?: unknown[] }[];
    const group = (c: string) => groups.find((g) => g['@_class'] === c)!;
    expect(group('x-axis').text!.length).toBeGreaterThanOrEqual(4);    // tick labels and the axis label
    expect(group('y-axis').text!.length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(group('x-axis'))).toMatch(/epoch/);
    expect(JSON.stringify(group('y-axis'))).toMatch(/cost/);
    expect(JSON.stringify(group('legend'))).toMatch(/training cost.*validation cost/);
    // One point per epoch trained, in each series.
    const epochs = Number(/trained: (\d+) epochs/.exec(train.stdout)?.[1]);
    const series = (doc.svg.path as { '@_data-name': string; '@_d': string }[]).map((s) => [s['@_data-name'], s['@_d'].split(' ').length]);
    expect(series).toEqual([['training cost', epochs], ['validation cost', epochs]]);
    const best = /best epoch: (\d+)/.exec(train.stdout)![1];
    expect(JSON.stringify(group('marker'))).toContain(`best epoch ${best}`);
    expect(doc.svg.desc).toMatch(/^cost against epoch\. training cost: \d+ points, .*; validation cost: \d+ points/);
  });
});

describe.skipIf(!HAS_NATIVE)('blasnet CLI: logistic regression, a regression head, an IDX pair', () => {
  it('logistic: train, evaluate, export; onnxruntime-node gives the probabilities and the labels', async () => {
    // 300 steps of α = 0.1 (the library's default step, 0.001, needs far more steps than 300).
    const t = blasnet('train', CSV, '--target', 'diagnosis', '--model', 'logistic', '--iterations', '300', '--learning-rate', '0.1', '--threads', '1', '--out', 'logit.json');
    expect(t.stderr).toBe('');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/logistic regression \(binary\), 30 inputs; gradient descent, learning rate 0\.1, 300 iterations/);
    expect(Number(/training:\s+accuracy ([\d.]+)%/.exec(t.stdout)?.[1])).toBeGreaterThan(95);
    const e = blasnet('evaluate', 'logit.json', CSV, '--json');
    expect(e.code).toBe(0);
    expect(JSON.parse(e.stdout).n).toBe(569);
    expect(blasnet('export', 'logit.json', '--onnx', 'logit.onnx').code).toBe(0);
    const p = await libraryProba('logit.json');
    const session = await ort.InferenceSession.create(readFileSync(join(dir, 'logit.onnx')));
    const out = await session.run({ X: new ort.Tensor('float64', Float64Array.from(csvRows().rows.flatMap((r) => r.slice(0, 30))), [569, 30]) });
    expect(out.probabilities!.dims).toEqual([569, 2]);
    const got = out.probabilities!.data as Float64Array;
    for (let i = 0; i < 569; i++) expect(Math.abs(got[2 * i + 1]! - p[i]!)).toBeLessThanOrEqual(1e-12);
    expect(Array.from(out.label!.data as BigInt64Array, Number)).toEqual(Array.from(p, (v) => (v >= 0.5 ? 1 : 0)));
    await session.release();
  });

  it('--class-weight: balanced weights n / (k · n_c) over the training rows; heavier class 0 raises its recall', () => {
    const t = blasnet('train', CSV, '--target', 'diagnosis', '--validation', '0.2', '--class-weight', 'balanced', '--epochs', '5');
    expect(t.code).toBe(0);
    const [, w0, w1] = /class weights: balanced, 0: ([\d.]+), 1: ([\d.]+)/.exec(t.stdout)!.map(Number);
    // 455 training rows, 2 classes: w_c = 455 / (2 n_c) with whole counts n_0 + n_1 = 455.
    const n0 = Math.round(455 / (2 * w0!)), n1 = 455 - n0;
    expect(w0).toBeCloseTo(455 / (2 * n0), 3);
    expect(w1).toBeCloseTo(455 / (2 * n1), 3);
    expect(n0).toBeGreaterThan(150);   // about 37% malignant
    const report = (file: string) => JSON.parse(blasnet('evaluate', file, CSV, '--json').stdout) as { classes: { precision: number; recall: number }[] };
    expect(blasnet('train', CSV, '--target', 'diagnosis', '--model', 'logistic', '--iterations', '300', '--out', 'unweighted.json').code).toBe(0);
    const w = blasnet('train', CSV, '--target', 'diagnosis', '--model', 'logistic', '--iterations', '300', '--class-weight', '10,1', '--out', 'weighted.json');
    expect(w.stdout).toMatch(/class weights: 0: 10, 1: 1/);
    const u = report('unweighted.json'), v = report('weighted.json');
    expect(v.classes[0]!.recall).toBeGreaterThan(u.classes[0]!.recall);
    expect(v.classes[0]!.precision).toBeLessThan(u.classes[0]!.precision);
  });

  it('a regression head (--output linear --loss mse): evaluate gives R², MSE and MAE, predict one value per row', () => {
    const t = blasnet('train', CSV, '--target', 'mean_radius', '--output', 'linear', '--loss', 'mse', '--layers', '8', '--epochs', '60', '--learning-rate', '0.01', '--validation', '0.25', '--out', 'reg.json');
    expect(t.stderr).toBe('');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^task: regression: --loss mse makes a regression$/m);
    expect(t.stdout).toMatch(/validation: R² [\d.-]+, MSE [\d.e+-]+, MAE [\d.e+-]+ \(142 examples\)/);
    const e = blasnet('evaluate', 'reg.json', CSV, '--json');
    expect(e.code).toBe(0);
    const r = JSON.parse(e.stdout);
    expect(r.task).toBe('regression');
    expect(Object.keys(r)).toEqual(['task', 'n', 'r2', 'mse', 'mae']);
    // mean_radius is nearly a function of mean_perimeter and mean_area (both features): R² well above 0.9.
    expect(r.r2).toBeGreaterThan(0.9);
    const p = blasnet('predict', 'reg.json', CSV);
    expect(p.stdout.split('\n')[0]).toBe('prediction');
    expect(p.stdout.trim().split('\n')).toHaveLength(570);
    const proba = blasnet('predict', 'reg.json', CSV, '--proba');
    expect(proba.code).toBe(2);
    expect(proba.stderr).toMatch(/--proba needs a classifier/);
  });

  it('an IDX pair (MNIST format): train with --idx-images/--idx-labels, evaluate, predict', () => {
    // 300 images of 3 × 3 bytes; the label is which third of the image is brightest (3 classes).
    const n = 300, images = new Uint8Array(16 + 9 * n), labels = new Uint8Array(8 + n);
    const view = new DataView(images.buffer);
    view.setUint32(0, 0x00000803);
    view.setUint32(4, n);
    view.setUint32(8, 3);
    view.setUint32(12, 3);
    new DataView(labels.buffer).setUint32(0, 0x00000801);
    new DataView(labels.buffer).setUint32(4, n);
    let s = 12345;
    const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let i = 0; i < n; i++) {
      const c = i % 3;
      for (let k = 0; k < 9; k++) images[16 + 9 * i + k] = Math.floor(k / 3) === c ? 160 + (rand() % 96) : rand() % 96;
      labels[8 + i] = c;
    }
    writeFileSync(join(dir, 'img.idx'), images);
    writeFileSync(join(dir, 'lab.idx'), labels);
    const t = blasnet('train', '--idx-images', 'img.idx', '--idx-labels', 'lab.idx', '--layers', '6', '--epochs', '30', '--learning-rate', '0.01', '--out', 'idx.json');
    expect(t.stderr).toBe('');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/300 rows × 9 features, labels lab\.idx/);
    expect(t.stdout).toMatch(/^classes: 0, 1, 2 \(3\)$/m);
    expect(t.stdout).toMatch(/network 9-6-3, tanh → softmax/);
    const e = blasnet('evaluate', 'idx.json', '--idx-images', 'img.idx', '--idx-labels', 'lab.idx', '--json');
    expect(e.code).toBe(0);
    expect(JSON.parse(e.stdout).accuracy).toBeGreaterThan(0.95);
    const p = blasnet('predict', 'idx.json', '--idx-images', 'img.idx');
    expect(p.code).toBe(0);
    expect(p.stdout.trim().split('\n')).toHaveLength(301);
  });
});

describe.skipIf(!HAS_NATIVE)('blasnet CLI: the progress bar', () => {
  // `script` (util-linux) runs the command on a pseudo-terminal: the positive control for the piped test above.
  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasScript)('on a terminal, train draws a bar with the epoch, the cost and the ETA', () => {
    const cmd = [process.execPath, BIN, 'train', CSV, '--target', 'diagnosis', '--epochs', '25', '--validation', '0.2'].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/epoch 25\/25 .* cost \d\.\d+ \| validation \d\.\d+ \| ETA \d+s/);
    expect(r.stdout).toMatch(/\x1b\[/);
  });
});

describe('blasnet CLI: user mistakes get one line on stderr, no stack trace, exit 1 (data) or 2 (usage)', () => {
  function expectMistake(r: Run, code: number, message: RegExp): void {
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^blasnet: [^\n]+\n$/);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(NO_STACK);
  }
  let modelFile = '';
  beforeAll(() => {
    // A model to predict with: written by the library through the CLI's own train (fast: 1 epoch).
    modelFile = join(dir, 'mistakes.json');
    const r = blasnet('train', CSV, '--target', 'diagnosis', '--epochs', '1', '--out', modelFile);
    if (r.code !== 0) throw new Error(`train for the mistakes tests failed: ${r.stderr}`);
  });

  it('a missing data file, model file or IDX file', () => {
    expectMistake(blasnet('train', 'nope.csv', '--target', 'y'), 1, /cannot read data file nope\.csv: no such file/);
    expectMistake(blasnet('evaluate', 'nope.json', CSV), 1, /cannot read model file nope\.json: no such file/);
    expectMistake(blasnet('train', '--idx-images', 'nope.idx', '--idx-labels', 'nope2.idx'), 1, /cannot read IDX file nope\.idx: no such file/);
  });

  it('a missing target column, and no --target at all', () => {
    expectMistake(blasnet('train', CSV, '--target', 'diagnoses'), 1, /--target names column "diagnoses", which the file does not have; the columns are mean_radius, mean_texture,/);
    expectMistake(blasnet('train', CSV), 2, /say which column to predict with --target <column>/);
  });

  it('a stray text cell in a column of numbers: named, with its row and the way to mark it missing; an empty cell is a gap, filled', () => {
    const lines = readFileSync(CSV, 'utf8').split('\n');
    const cells = lines[6]!.split(',');
    cells[3] = 'n.a.';
    lines[6] = cells.join(',');
    writeFileSync(join(dir, 'bad.csv'), lines.join('\n'));
    expectMistake(blasnet('train', 'bad.csv', '--target', 'diagnosis'), 1,
      /bad\.csv: column "mean_area" holds numbers but for 1 cell such as "n\.a\." \(data row 6\); fix it, or list it as missing with --missing \(e\.g\. --missing "NA,n\.a\.,"\)/);
    // Listed as missing, it is a gap: imputed with the training mean.
    const fixed = blasnet('train', 'bad.csv', '--target', 'diagnosis', '--missing', 'NA,n.a.,', '--epochs', '1');
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/^imputed cells \(numbers by their mean, categories by the most frequent, from the training rows\): mean_area 1$/m);
    // At predict time an empty cell is filled from the training statistics: no row is dropped, no error.
    cells[3] = '';
    lines[6] = cells.join(',');
    writeFileSync(join(dir, 'empty-cell.csv'), lines.join('\n'));
    const p = blasnet('predict', modelFile, 'empty-cell.csv');
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    expect(p.stdout.trim().split('\n')).toHaveLength(570);
    const target = readFileSync(CSV, 'utf8').replace(/,0\n/, ',malignant\n');
    writeFileSync(join(dir, 'bad-target.csv'), target);
    expectMistake(blasnet('train', 'bad-target.csv', '--target', 'diagnosis'), 1, /bad-target\.csv: column "diagnosis" holds numbers but for 1 cell such as "malignant" \(data row 1\)/);
  });

  it('a ragged CSV and an empty one', () => {
    writeFileSync(join(dir, 'ragged.csv'), 'a,b,y\n1,2,0\n3,1\n');
    expectMistake(blasnet('train', 'ragged.csv', '--target', 'y'), 1, /ragged\.csv: line 3 has 2 fields, the header has 3/);
    writeFileSync(join(dir, 'empty.csv'), '');
    expectMistake(blasnet('train', 'empty.csv', '--target', 'y'), 1, /empty\.csv: the file is empty/);
  });

  it('a bad model file: not JSON, not a blasnet model, a corrupted parameter', () => {
    writeFileSync(join(dir, 'text.json'), 'hello\nworld');
    expectMistake(blasnet('predict', 'text.json', CSV), 1, /model file "text\.json": it is not valid JSON, so not a blasnet model/);
    writeFileSync(join(dir, 'other.json'), '{"format":"keras"}');
    expectMistake(blasnet('evaluate', 'other.json', CSV), 1, /model file "other\.json": .*"blasnet-model"/);
    const json = JSON.parse(readFileSync(modelFile, 'utf8'));
    json.parameters.W[0].pop();
    writeFileSync(join(dir, 'short-W.json'), JSON.stringify(json));
    expectMistake(blasnet('export', 'short-W.json', '--onnx', 'x.onnx'), 1, /model file "short-W\.json": .*W\[0\]/);
    expect(existsSync(join(dir, 'x.onnx'))).toBe(false);
  });

  it('a feature count that does not match the model at predict time', async () => {
    // By name (a CLI model knows its columns) …
    const dropped = readFileSync(CSV, 'utf8').split('\n').map((l) => l.split(',').slice(1).join(',')).join('\n');
    writeFileSync(join(dir, 'fewer.csv'), dropped);
    expectMistake(blasnet('predict', modelFile, 'fewer.csv'), 1, /fewer\.csv: the model needs 30 feature columns; 1 missing: mean_radius/);
    // … and by count (a model saved by the library from a matrix knows only how many): every column but --target is a feature.
    const { rows } = csvRows();
    const model = new NeuralNetwork({ layers: [30, 2, 1], seed: 1 });
    await model.fit(Matrix.from(rows.map((r) => r.slice(0, 30))), rows.map((r) => r[30]!), { epochs: 1 });
    await model.save(join(dir, 'library.json'));
    expectMistake(blasnet('predict', 'library.json', 'fewer.csv', '--target', 'diagnosis'), 1, /fewer\.csv: the model expects 30 features, the data has 29 \(besides the target "diagnosis"\)/);
    expectMistake(blasnet('evaluate', 'library.json', CSV), 2, /library\.json does not name its target column: say which with --target <column>/);
    const r = blasnet('predict', 'library.json', CSV, '--target', 'diagnosis');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(570);
  });

  it('an unknown option, an unknown command, a bad option value, options that do not fit the model', () => {
    expectMistake(blasnet('train', CSV, '--target', 'diagnosis', '--frobnicate'), 2, /unknown option '--frobnicate'/);
    expectMistake(blasnet('fit', CSV), 2, /unknown command 'fit'/);
    expectMistake(blasnet('train', CSV, '--target', 'diagnosis', '--epochs', 'ten'), 2, /option '--epochs <n>' argument 'ten' is invalid/);
    expectMistake(blasnet('train', CSV, '--target', 'diagnosis', '--validation', '1.5'), 2, /--validation .* expected a fraction in \(0, 1\)/);
    expectMistake(blasnet('train', CSV, '--target', 'diagnosis', '--early-stopping', '0'), 2, /--early-stopping <patience>' argument '0' is invalid/);
    expectMistake(blasnet('train', CSV, '--target', 'diagnosis', '--class-weight', '1,2,3'), 2, /--class-weight lists 3 weights for 2 classes/);
    expectMistake(blasnet('train', CSV, '--target', 'mean_radius', '--output', 'linear', '--class-weight', 'balanced'), 2, /--class-weight needs a classifier/);
    expectMistake(blasnet('train', CSV, '--target', 'diagnosis', '--optimizer', 'lbfgs', '--batch-size', '8'), 2, /do not apply to --optimizer lbfgs/);
    expectMistake(blasnet('train', CSV, '--target', 'diagnosis', '--model', 'forest'), 2, /argument 'forest' is invalid. Allowed choices are logistic, network/);
    expectMistake(blasnet('train', CSV, '--target', 'diagnosis', '--model', 'logistic', '--layers', '8'), 2, /--layers applies to --model network/);
    expectMistake(blasnet('train', CSV, '--target', 'diagnosis', '--hidden', 'swish'), 2, /option '--hidden <activation>' argument 'swish' is invalid/);
    expectMistake(blasnet('export', modelFile), 2, /--onnx <file>/);
    expectMistake(blasnet('train', CSV, '--target', 'diagnosis', '--threads', '0'), 2, /option '--threads <n>' argument '0' is invalid/);
    expectMistake(blasnet('evaluate'), 2, /missing required argument 'model'/);
  });

  it('--help and --version exit 0; no command at all is a usage error (help on stderr, exit 2)', () => {
    const h = blasnet('--help');
    expect(h.code).toBe(0);
    for (const c of ['train', 'cv', 'evaluate', 'predict', 'export', 'info']) expect(h.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    const none = blasnet();
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^Usage: blasnet /m);
    const v = blasnet('--version');
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('info: the backend, BLAS, core, threads and SIMD level', () => {
    const r = blasnet('info', '--json');
    expect(r.code).toBe(0);
    const i = JSON.parse(r.stdout);
    expect(['native', 'reference']).toContain(i.backend);
    if (i.backend === 'native') {
      expect(i.blas).toBe('OpenBLAS');
      expect(typeof i.corename).toBe('string');
      expect(i.threads).toBeGreaterThanOrEqual(1);
      expect(['avx512', 'avx2', 'baseline']).toContain(i.simd);
      expect(blasnet('info').stdout).toMatch(/^SIMD\s+(avx512|avx2|baseline)$/m);
    }
  });
});

describe('CLI metrics (lib/cli/metrics.ts), against hand-computed values', () => {
  it('three classes: confusion matrix, accuracy, per-class precision/recall/F1, macro averages', async () => {
    const { classificationReport } = await import('../lib/cli/metrics.js');
    // true:      0 0 1 1 2 2 2
    // predicted: 0 1 1 1 2 0 2
    const r = classificationReport([0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 1, 2, 0, 2], 3);
    expect(r.confusion).toEqual([[1, 1, 0], [0, 2, 0], [1, 0, 2]]);
    expect(r.accuracy).toBe(5 / 7);
    // class 0: tp 1, predicted 2, support 2 → P 1/2, R 1/2, F1 1/2
    // class 1: tp 2, predicted 3, support 2 → P 2/3, R 1,   F1 4/5
    // class 2: tp 2, predicted 2, support 3 → P 1,   R 2/3, F1 4/5
    const expected = [[1 / 2, 1 / 2, 1 / 2, 2], [2 / 3, 1, 4 / 5, 2], [1, 2 / 3, 4 / 5, 3]];
    r.classes.forEach((c, k) => {
      expect(c.precision).toBeCloseTo(expected[k]![0]!, 15);
      expect(c.recall).toBeCloseTo(expected[k]![1]!, 15);
      expect(c.f1).toBeCloseTo(expected[k]![2]!, 15);
      expect(c.support).toBe(expected[k]![3]);
    });
    expect(r.macro.f1).toBeCloseTo((1 / 2 + 4 / 5 + 4 / 5) / 3, 15);
    // A class never predicted: precision (and F1) 0, not NaN.
    expect(classificationReport([0, 1], [0, 0], 2).classes[1]).toEqual({ class: 1, precision: 0, recall: 0, f1: 0, support: 1 });
  });

  it('regression: MSE and R² = 1 − SS_res / SS_tot', async () => {
    const { regressionReport } = await import('../lib/cli/metrics.js');
    // y = 1 2 3 4 (mean 2.5, SS_tot 5), ŷ = 1 2 2 5 (SS_res 0 + 0 + 1 + 1 = 2)
    const r = regressionReport([1, 2, 3, 4], [1, 2, 2, 5]);
    expect(r.mse).toBe(0.5);
    expect(r.mae).toBe(0.5);
    expect(r.r2).toBeCloseTo(1 - 2 / 5, 15);
  });
});
