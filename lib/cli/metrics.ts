// Evaluation metrics the CLI reports: for classifiers the confusion matrix, accuracy and per-class
// precision, recall and F1; for regression heads MSE and R². Plain functions of predictions and
// targets; no model, no I/O, no formatting beyond the text tables.

export interface ClassMetrics {
  class: number;
  precision: number;
  recall: number;
  f1: number;
  /** Examples whose true class is this one. */
  support: number;
}

export interface ClassificationReport {
  task: 'classification';
  n: number;
  accuracy: number;
  classes: ClassMetrics[];
  macro: { precision: number; recall: number; f1: number };
  /** confusion[t][p]: examples of true class t predicted as p. */
  confusion: number[][];
}

export interface RegressionReport {
  task: 'regression';
  n: number;
  mse: number;
  /** 1 − SS_res / SS_tot (−Infinity… 1; NaN when the targets are constant and the fit is not exact). */
  r2: number;
}

export type Report = ClassificationReport | RegressionReport;

/**
 * The confusion matrix and per-class scores of `predicted` against `actual` (class indices 0…k−1).
 * A class never predicted has precision 0 (and F1 0), as scikit-learn reports with zero_division=0.
 */
export function classificationReport(actual: ArrayLike<number>, predicted: ArrayLike<number>, k: number): ClassificationReport {
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let right = 0;
  for (let i = 0; i < actual.length; i++) {
    confusion[actual[i]!]![predicted[i]!]!++;
    if (actual[i] === predicted[i]) right++;
  }
  const classes: ClassMetrics[] = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    let predictedC = 0;
    for (let t = 0; t < k; t++) predictedC += confusion[t]![c]!;
    const precision = predictedC > 0 ? tp / predictedC : 0, recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    classes.push({ class: c, precision, recall, f1, support });
  }
  const mean = (f: (m: ClassMetrics) => number) => classes.reduce((a, m) => a + f(m), 0) / k;
  return {
    task: 'classification',
    n: actual.length,
    accuracy: right / actual.length,
    classes,
    macro: { precision: mean((m) => m.precision), recall: mean((m) => m.recall), f1: mean((m) => m.f1) },
    confusion,
  };
}

/** MSE = (1/n) Σ (ŷ − y)², R² = 1 − Σ (ŷ − y)² / Σ (y − ȳ)². */
export function regressionReport(actual: ArrayLike<number>, predicted: ArrayLike<number>): RegressionReport {
  const n = actual.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += actual[i]!;
  mean /= n;
  let ssRes = 0, ssTot = 0;
  for (let i = 0; i < n; i++) {
    ssRes += (predicted[i]! - actual[i]!) ** 2;
    ssTot += (actual[i]! - mean) ** 2;
  }
  return { task: 'regression', n, mse: ssRes / n, r2: ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : NaN };
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

/** The report as aligned text lines, for the terminal. */
export function formatReport(r: Report, classNames?: string[]): string[] {
  if (r.task === 'regression') return [`examples  ${r.n}`, `MSE       ${r.mse.toPrecision(6)}`, `R²        ${r.r2.toFixed(4)}`];
  const name = (c: number) => classNames?.[c] ?? String(c);
  const w = Math.max(5, ...r.classes.map((m) => name(m.class).length));
  const lines = [`examples  ${r.n}`, `accuracy  ${pct(r.accuracy)}`, ''];
  lines.push(`${'class'.padEnd(w)}  precision  recall     F1         support`);
  for (const m of r.classes) {
    lines.push(`${name(m.class).padEnd(w)}  ${m.precision.toFixed(4).padEnd(9)}  ${m.recall.toFixed(4).padEnd(9)}  ${m.f1.toFixed(4).padEnd(9)}  ${m.support}`);
  }
  lines.push(`${'macro'.padEnd(w)}  ${r.macro.precision.toFixed(4).padEnd(9)}  ${r.macro.recall.toFixed(4).padEnd(9)}  ${r.macro.f1.toFixed(4).padEnd(9)}  ${r.n}`);
  lines.push('', 'confusion matrix (rows: true class, columns: predicted)');
  const cw = Math.max(w, ...r.confusion.flat().map((v) => String(v).length));
  lines.push(`${''.padEnd(w)}  ${r.classes.map((m) => name(m.class).padStart(cw)).join('  ')}`);
  r.confusion.forEach((row, t) => lines.push(`${name(t).padEnd(w)}  ${row.map((v) => String(v).padStart(cw)).join('  ')}`));
  return lines;
}
