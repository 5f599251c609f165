// Column statistics accumulated one value at a time, and the feature encoding they give. Both the
// in-memory fit (Preprocessing.fit over a Table) and the streaming first pass over a CSV (scan.ts)
// feed the same accumulators in row order, so a file learns the same bits either way.
import { blasnetError } from '../errors.js';
import type { FeatureEncoding, ImputeStrategy } from './preprocess.js';

/** The most distinct numbers a streaming 'most-frequent' fill counts before it refuses. */
export const MAX_COUNTED_NUMBERS = 1 << 20;

/**
 * A numeric column: count, mean and sum of squared deviations (Welford's update, stable in one
 * pass), the value counts for a 'most-frequent' fill, the values themselves for a 'median' fill.
 * @internal
 */
export class NumericStats {
  n = 0;
  mean = 0;
  m2 = 0;
  /** Value → count, for 'most-frequent'; null when not needed or past MAX_COUNTED_NUMBERS (`overflow`). */
  counts: Map<number, number> | null;
  overflow = false;
  /** Every value, for 'median' (in memory only). */
  values: number[] | null;

  constructor(impute: ImputeStrategy, keepValues: boolean) {
    this.counts = impute === 'most-frequent' ? new Map() : null;
    this.values = impute === 'median' && keepValues ? [] : null;
  }

  add(v: number): void {
    this.n++;
    const d = v - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (v - this.mean);
    if (this.counts) {
      const c = this.counts.get(v);
      if (c !== undefined) this.counts.set(v, c + 1);
      else if (this.counts.size < MAX_COUNTED_NUMBERS) this.counts.set(v, 1);
      else this.overflow = true;
    }
    this.values?.push(v);
  }
}

/** A text column's value counts, up to `cap` distinct values (then `overflow`). @internal */
export class CategoryStats {
  n = 0;
  readonly counts = new Map<string, number>();
  overflow = false;
  readonly #cap: number;

  constructor(cap: number) {
    this.#cap = cap;
  }

  add(s: string): void {
    this.n++;
    const c = this.counts.get(s);
    if (c !== undefined) this.counts.set(s, c + 1);
    else if (this.counts.size < this.#cap) this.counts.set(s, 1);
    else this.overflow = true;
  }
}

/** A boolean column's counts. @internal */
export class BooleanStats {
  n = 0;
  trues = 0;

  add(b: boolean): void {
    this.n++;
    if (b) this.trues++;
  }
}

/** The most frequent key; ties go to the smallest (numbers ascending, strings in code-point order). */
function mostFrequent<T extends number | string>(counts: Map<T, number>): T {
  let best: T | undefined, bestCount = -1;
  for (const [v, c] of counts) {
    if (c > bestCount || (c === bestCount && v < best!)) {
      best = v;
      bestCount = c;
    }
  }
  return best!;
}

function median(values: number[]): number {
  const s = Float64Array.from(values).sort();
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** How a feature column becomes inputs, from its statistics over `rows` kept rows. @internal */
export function featureEncoding(name: string, stats: NumericStats | CategoryStats | BooleanStats, rows: number, impute: ImputeStrategy,
  standardize: boolean, maxCategories: number): FeatureEncoding {
  if (stats.n === 0) throw blasnetError('ERR_BLASNET_DATA', `feature column ${JSON.stringify(name)} has no values in the training rows; ignore it (options.ignore, --ignore)`);
  const gaps = rows - stats.n;
  if (stats instanceof NumericStats) {
    let fill = stats.mean;
    if (impute === 'median') {
      if (!stats.values) throw blasnetError('ERR_BLASNET_DATA', `impute 'median' needs column ${JSON.stringify(name)} in memory; a streamed file takes 'mean', 'most-frequent' or 'drop'`);
      fill = median(stats.values);
    } else if (impute === 'most-frequent') {
      if (stats.overflow) throw blasnetError('ERR_BLASNET_DATA', `impute 'most-frequent' on a streamed file counts at most ${MAX_COUNTED_NUMBERS} distinct values of a numeric column; ${JSON.stringify(name)} has more: use 'mean'`);
      fill = mostFrequent(stats.counts!);
    }
    if (!standardize) return { name, type: 'numeric', fill, mean: 0, std: 1 };
    // The statistics of the column as the model sees it: after filling (a pipeline's impute, then
    // scale), combining the present values with `gaps` copies of the fill (Chan et al.'s update).
    const n = rows, delta = fill - stats.mean;
    const mean = stats.mean + (delta * gaps) / n;
    const m2 = stats.m2 + (delta * delta * stats.n * gaps) / n;
    const sd = Math.sqrt(m2 / n);
    return { name, type: 'numeric', fill, mean, std: sd > 0 && Number.isFinite(sd) ? sd : 1 };
  }
  if (stats instanceof BooleanStats) {
    // Most frequent; a tie goes to false (false sorts first).
    return { name, type: 'boolean', fill: stats.trues > stats.n - stats.trues };
  }
  const distinct = stats.counts.size;
  if (stats.overflow || distinct > maxCategories || (stats.n >= 20 && distinct > 0.5 * stats.n)) {
    const count = stats.overflow ? `more than ${maxCategories}` : String(distinct);
    throw blasnetError('ERR_BLASNET_DATA', `categorical column ${JSON.stringify(name)} has ${count} distinct values in ${stats.n} rows; ` +
      `one-hot encoding it would give ${count} inputs that do not generalize (an ID or free text?). Ignore it (options.ignore, --ignore)` +
      `${!stats.overflow && distinct <= maxCategories ? '' : `, or raise options.maxCategories (${maxCategories})`}`);
  }
  const categories = [...stats.counts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { name, type: 'categorical', fill: mostFrequent(stats.counts), categories };
}
