// Evaluation metrics the CLI reports: for classifiers the confusion matrix, accuracy and per-class
// precision, recall and F1, each class under its own name; for regression R², MSE and MAE. Every
// number comes from lib/metrics.ts (scikit-learn's definitions); this file only arranges them into
// reports and text tables. No model, no I/O.
import type { Classes, Label } from '../labels.js';
import {
  accuracyScore, confusionMatrix, f1Score, meanAbsoluteError, meanSquaredError, precisionScore, r2Score, recallScore,
} from '../metrics.js';

export interface ClassMetrics {
  /** The class as the data names it: a string, a number or a boolean (the model's `classes`). */
  class: Label;
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
  /** 1 − SS_res / SS_tot (−Infinity… 1; NaN when the targets are constant and the fit is not exact). */
  r2: number;
  /** Mean squared error. */
  mse: number;
  /** Mean absolute error. */
  mae: number;
}

export type Report = ClassificationReport | RegressionReport;

/**
 * The confusion matrix and per-class scores of `predicted` against `actual` (class indices 0…k−1 into
 * `classes`, which name them). A class never predicted has precision 0 (and F1 0), as scikit-learn
 * reports with zero_division=0.
 * @param classList - the class labels (k of them), or k for the classes 0…k−1
 */
export function classificationReport(actual: ArrayLike<number>, predicted: ArrayLike<number>, classList: Classes | number): ClassificationReport {
  const named: Label[] = typeof classList === 'number' ? Array.from({ length: classList }, (_, c) => c) : classList.slice();
  const k = named.length;
  const yTrue = Float64Array.from(actual), yPred = Float64Array.from(predicted);
  const labels = Array.from({ length: k }, (_, c) => c);
  const confusion = confusionMatrix(yTrue, yPred, { labels }).toArray();
  const precision = precisionScore(yTrue, yPred, { average: null, labels });
  const recall = recallScore(yTrue, yPred, { average: null, labels });
  const f1 = f1Score(yTrue, yPred, { average: null, labels });
  const classes: ClassMetrics[] = labels.map((c) => ({
    class: named[c]!, precision: precision[c]!, recall: recall[c]!, f1: f1[c]!, support: confusion[c]!.reduce((a, b) => a + b, 0),
  }));
  return {
    task: 'classification',
    n: yTrue.length,
    accuracy: accuracyScore(yTrue, yPred),
    classes,
    macro: {
      precision: precisionScore(yTrue, yPred, { average: 'macro', labels }),
      recall: recallScore(yTrue, yPred, { average: 'macro', labels }),
      f1: f1Score(yTrue, yPred, { average: 'macro', labels }),
    },
    confusion,
  };
}

/**
 * The report of `classificationReport` from the confusion matrix alone (counts summed over the chunks
 * of a file too large to keep a label per row): accuracy = trace / n; per class precision tp/(tp+fp),
 * recall tp/(tp+fn) (0 where the denominator is 0, as zero_division=0), F1 = 2PR/(P+R) (0 when both
 * are 0); macro averages over the classes. The same definitions as lib/metrics.ts, so the figures
 * agree with it to the last digits.
 */
export function reportFromConfusion(confusion: number[][], classList: Classes): ClassificationReport {
  const k = confusion.length;
  let n = 0, trace = 0;
  const rowSum = new Array<number>(k).fill(0), colSum = new Array<number>(k).fill(0);
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      const c = confusion[t]![p]!;
      n += c;
      rowSum[t]! += c;
      colSum[p]! += c;
      if (t === p) trace += c;
    }
  }
  const classes: ClassMetrics[] = classList.map((label, c) => {
    const tp = confusion[c]![c]!;
    const precision = colSum[c]! > 0 ? tp / colSum[c]! : 0, recall = rowSum[c]! > 0 ? tp / rowSum[c]! : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { class: label, precision, recall, f1, support: rowSum[c]! };
  });
  const mean = (f: (m: ClassMetrics) => number) => classes.reduce((a, m) => a + f(m), 0) / k;
  return {
    task: 'classification', n, accuracy: trace / n, classes,
    macro: { precision: mean((m) => m.precision), recall: mean((m) => m.recall), f1: mean((m) => m.f1) },
    confusion: confusion.map((r) => r.slice()),
  };
}

/** R² = 1 − Σ (ŷ − y)² / Σ (y − ȳ)², MSE = (1/n) Σ (ŷ − y)², MAE = (1/n) Σ |ŷ − y|. */
export function regressionReport(actual: ArrayLike<number>, predicted: ArrayLike<number>): RegressionReport {
  const yTrue = Float64Array.from(actual), yPred = Float64Array.from(predicted);
  const mse = meanSquaredError(yTrue, yPred);
  const mae = meanAbsoluteError(yTrue, yPred);
  // Constant targets leave R² undefined: this report says NaN where scikit-learn's r2Score says 0,
  // unless the fit is exact (1); a single example is such a case.
  const constant = yTrue.every((v) => v === yTrue[0]);
  const r2 = constant ? (mse === 0 ? 1 : NaN) : r2Score(yTrue, yPred);
  return { task: 'regression', n: yTrue.length, r2, mse, mae };
}

/** The one-line warning of a regression that does worse than predicting the mean (R² < 0), or null. */
export function worseThanMean(r: Report, where: string): string | null {
  if (r.task !== 'regression' || !(r.r2 < 0)) return null;
  return `${where} R² is ${r.r2.toFixed(4)} < 0: the model does worse than predicting the mean`;
}

/** The name a class is shown under: its label as text. */
export function className(label: Label): string {
  return String(label);
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

/** The report as aligned text lines, for the terminal. */
export function formatReport(r: Report): string[] {
  if (r.task === 'regression') return [`examples  ${r.n}`, `R²        ${r.r2.toFixed(4)}`, `MSE       ${r.mse.toPrecision(6)}`, `MAE       ${r.mae.toPrecision(6)}`];
  const name = (c: number) => className(r.classes[c]!.class);
  const w = Math.max(5, ...r.classes.map((_, c) => name(c).length));
  const lines = [`examples  ${r.n}`, `accuracy  ${pct(r.accuracy)}`, ''];
  lines.push(`${'class'.padEnd(w)}  precision  recall     F1         support`);
  for (const [c, m] of r.classes.entries()) {
    lines.push(`${name(c).padEnd(w)}  ${m.precision.toFixed(4).padEnd(9)}  ${m.recall.toFixed(4).padEnd(9)}  ${m.f1.toFixed(4).padEnd(9)}  ${m.support}`);
  }
  lines.push(`${'macro'.padEnd(w)}  ${r.macro.precision.toFixed(4).padEnd(9)}  ${r.macro.recall.toFixed(4).padEnd(9)}  ${r.macro.f1.toFixed(4).padEnd(9)}  ${r.n}`);
  lines.push('', 'confusion matrix (rows: true class, columns: predicted)');
  const cw = Math.max(w, ...r.confusion.flat().map((v) => String(v).length));
  lines.push(`${''.padEnd(w)}  ${r.classes.map((_, c) => name(c).padStart(cw)).join('  ')}`);
  r.confusion.forEach((row, t) => lines.push(`${name(t).padEnd(w)}  ${row.map((v) => String(v).padStart(cw)).join('  ')}`));
  return lines;
}
