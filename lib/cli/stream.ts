// `blasnet train` on a CSV larger than memory: a first pass (lib/tabular/scan.ts) learns the
// preprocessing from the training rows (the validation rows are chosen by a seeded hash of the row
// number, so no pass needs to remember them), then every epoch reads the file again in mini-batches
// through a seeded shuffle buffer, and the model trains from that source (fit(source)). Memory is
// bounded by the buffer and one batch, not by the file. Never prints itself.
import { statSync } from 'node:fs';
import type { Classes, Label } from '../labels.js';
import { NETWORK_DEFAULTS } from '../network.js';
import { csvBatches, holdoutRows, scanCsv, type CsvScan } from '../tabular/scan.js';
import type { Table } from '../tabular/table.js';
import { CliError, usageError } from './errors.js';
import { buildModel, type BuiltModel } from './model.js';
import { MeasureAccumulator } from './modelfile.js';
import { classList, describePreprocessing } from './tabular.js';
import type { Prepared, TrainOptions } from './train.js';

/** Files larger than this are streamed unless --no-stream (smaller ones are read into memory unless --stream). */
export const STREAM_BYTES = 256 * 2 ** 20;

/** Rows per chunk of the measuring pass after training. */
const MEASURE_ROWS = 1 << 14;

/** Whether `train` streams this file: --stream / --no-stream, else by its size. */
export function streamed(file: string, o: TrainOptions): boolean {
  if (o.stream !== undefined) return o.stream;
  try {
    return statSync(file).size > STREAM_BYTES;
  } catch {
    return false; // the reader reports a missing file in its own words
  }
}

function sizeText(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** The library's refusals in the CLI's terms. */
function dataError(e: unknown, file: string): unknown {
  const code = (e as { code?: unknown }).code;
  if (code === 'ERR_BLASNET_IO') return new CliError(`cannot read data file ${file}: ${((e as { cause?: Error }).cause ?? (e as Error)).message}`);
  if (code === 'ERR_BLASNET_DATA') return new CliError((e as Error).message.startsWith(file) ? (e as Error).message : `${file}: ${(e as Error).message}`);
  return e;
}

/** The rows of a batch that a model trains on or is measured on: those with a target (and with --impute drop, without a gap). */
function labelledRows(t: Table, target: string, features: string[], drop: boolean): { rows: Table; y: Label[] } {
  const y = t.column(target), cols = drop ? features.map((f) => t.column(f)) : [];
  const gap = (v: unknown) => v === null || (typeof v === 'number' && Number.isNaN(v));
  const keep: number[] = [];
  for (let i = 0; i < t.nRows; i++) if (!gap(y[i]) && cols.every((c) => !gap(c[i]))) keep.push(i);
  return { rows: keep.length === t.nRows ? t : t.take(keep), y: keep.map((i) => y[i] as Label) };
}

/**
 * A streamed CSV: the first pass, what it learned (printed as for a file in memory), the model, the
 * fit from a source of batches, and one more pass that measures the fitted model. Null when the file
 * has no more rows than the shuffle buffer: it is then read into memory.
 * @throws {CliError} options a stream cannot take (exit 2), and every problem of the file
 */
export async function prepareStream(file: string, o: TrainOptions, print: (s?: string) => void): Promise<Prepared | null> {
  if (o.target === undefined) throw usageError(`${file}: say which column to predict with --target <column>`);
  if (o.model === 'logistic') throw usageError(`${file} is streamed: it trains a network in mini-batches, and --model logistic trains on the full batch; use --model network, or --no-stream`);
  if (o.optimizer === 'lbfgs') throw usageError(`${file} is streamed: --optimizer lbfgs needs the full batch in memory; use adam, momentum or gd, or --no-stream`);
  if (o.impute === 'median') throw usageError(`${file} is streamed: --impute median needs every value of a column in memory; use mean, most-frequent or drop, or --no-stream`);
  const holdout = o.validation !== undefined ? holdoutRows(o.validation, o.seed) : undefined;
  const bytes = statSync(file).size;
  let scan: CsvScan;
  try {
    scan = await scanCsv(file, {
      target: o.target,
      ...(o.features ? { features: o.features } : {}),
      ...(o.ignore ? { ignore: o.ignore } : {}),
      ...(o.task ? { task: o.task } : {}),
      ...(o.impute ? { impute: o.impute } : {}),
      ...(o.delimiter !== undefined ? { delimiter: o.delimiter } : {}),
      ...(o.missing !== undefined ? { missing: o.missing } : {}),
      standardize: o.standardize,
      ...(holdout ? { holdout } : {}),
    });
  } catch (e) {
    throw dataError(e, file);
  }
  if (scan.rows <= o.bufferRows) {
    // The whole file fits in the shuffle buffer: it is read into memory and trained as any small file,
    // so it gives the in-memory result.
    print(`reading: ${file} has ${scan.rows} rows, no more than the shuffle buffer (--buffer-rows ${o.bufferRows}): read into memory`);
    return null;
  }
  const prep = scan.preprocessing, report = prep.report!, task = prep.task!;
  const classes: Classes | null = report.classes;
  print(`data: ${file}: ${scan.rows} rows × ${Object.keys(scan.types).length} columns, target ${JSON.stringify(o.target)}` +
    `${report.droppedMissingTarget > 0 ? `; ${report.droppedMissingTarget} training row${report.droppedMissingTarget === 1 ? '' : 's'} without a target dropped` : ''}`);
  print(`reading: streamed (${sizeText(bytes)}${o.stream ? ', --stream' : ` > ${sizeText(STREAM_BYTES)}`}): one pass learned the preprocessing; each epoch reads the file again ` +
    `through a shuffle buffer of ${o.bufferRows} rows`);
  const type = scan.types[o.target]!;
  const why = o.task ? `--task ${o.task}` : type !== 'numeric' ? `the target holds ${type === 'boolean' ? 'true/false' : 'text'}: classes`
    : task === 'classification' ? 'the target holds integers with at most 20 distinct values: classes' : 'the target holds numbers that are not a few integers: a regression';
  print(`task: ${task}: ${why}`);
  if (classes) print(`classes: ${classList(classes)} (${classes.length})`);
  if (holdout) print(`split: ${report.used + report.droppedMissingFeatures + report.droppedMissingTarget} training, ${scan.heldOut} validation (rows chosen by a seeded hash of the row number, seed ${o.seed})`);
  for (const line of describePreprocessing(prep)) print(line);
  const built: BuiltModel = buildModel(o, { task, classes }, prep.nFeatures, prep);
  // A regressor's target standardization needs the whole column: the fit reads the source for it first.
  if (task === 'regression') print('targets: standardized with the training rows\' mean and deviation, learned in a pass before training');
  const batchSize = o.batchSize ?? NETWORK_DEFAULTS.batchSize;
  const trainRows = (r: number) => !holdout?.(r);
  const features = prep.columns, drop = prep.impute === 'drop';
  return {
    source: file,
    task,
    classes,
    target: o.target,
    built,
    train: null,
    validation: null,
    hasValidation: holdout !== undefined,
    fit: async (options) => {
      // Each epoch's shuffle is keyed by the global epoch the fit passes (a resumed fit continues it).
      const source = (epoch: number) => csvBatches(file, scan, { batchSize, bufferRows: o.bufferRows, seed: o.seed, epoch, rows: trainRows });
      const validation = holdout ? () => csvBatches(file, scan, { batchSize: MEASURE_ROWS, bufferRows: 0, rows: holdout }) : undefined;
      try {
        const r = await (built.model.fit as (s: unknown, o: unknown) => Promise<{ stoppedEarly: boolean; reason: string; bestEpoch?: number; bestValue?: number; epochs: number; droppedRows?: number }>)(source, {
          ...options, batchSize, ...(classes ? { classes } : {}), ...(validation ? { validation } : {}),
        });
        return { ...r, droppedRows: r.droppedRows ?? 0 };
      } catch (e) {
        throw dataError(e, file);
      }
    },
    measure: async (model) => {
      // One pass over the file in order: each row to the training or the validation figures.
      const train = new MeasureAccumulator(task, classes), val = holdout ? new MeasureAccumulator(task, classes) : null;
      try {
        for (const [acc, rows] of [[train, trainRows], [val, holdout]] as const) {
          if (!acc || !rows) continue;
          let seen = 0;
          for await (const batch of csvBatches(file, scan, { batchSize: MEASURE_ROWS, bufferRows: 0, rows })) {
            const { rows: kept, y } = labelledRows(batch, o.target!, features, drop && acc === train);
            if (y.length > 0) await acc.add(model, kept, y, (i) => `${file}: row ${seen + i + 1} of the ${acc === train ? 'training' : 'validation'} rows`);
            seen += batch.nRows;
          }
        }
      } catch (e) {
        throw dataError(e, file);
      }
      return {
        train: { ...train.result(), n: train.n },
        validation: val && val.n > 0 ? { ...val.result(), n: val.n } : null,
      };
    },
    saved: `with its preprocessing: ${prep.columns.length} columns → ${prep.nFeatures} inputs`,
  };
}
