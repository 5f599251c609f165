// The names behind the addon's code tables. The codes themselves are written once, in
// native/codes.h; the addon exports them (`codes`), lib/native.ts checks at load that each table has
// exactly the names listed here (an addon whose tables differ is not used, and
// nativeUnavailableReason says why), and installs them here. TS then sends codes only through
// nativeCode / the tables below. Imports no runtime module: the reference backend never needs it.
import { blasnetError } from './errors.js';
import type { ActivationName, LossName } from './spec.js';

/**
 * The names TypeScript knows for each table of native/codes.h, in no particular order (the codes come
 * from the addon). `schedules: 'constant'` is the absence of a schedule.
 */
export const CODE_NAMES = Object.freeze({
  activations: Object.freeze(['sigmoid', 'tanh', 'relu', 'leaky-relu', 'linear', 'softmax'] as const),
  losses: Object.freeze(['cross-entropy', 'mse'] as const),
  optimizers: Object.freeze(['gd', 'momentum', 'adam', 'lbfgs'] as const),
  monitors: Object.freeze(['validationCost', 'validationAccuracy', 'cost'] as const),
  schedules: Object.freeze(['constant', 'step', 'exponential', 'cosine'] as const),
});

/** A table of the addon's `codes`. */
export type CodeTableName = keyof typeof CODE_NAMES;
/** A name in table T. */
export type CodeName<T extends CodeTableName> = (typeof CODE_NAMES)[T][number];
/** The addon's `codes`, once checked: every table maps each of its names to its code. */
export type CodeTables = { readonly [T in CodeTableName]: Readonly<Record<CodeName<T>, number>> };

// The activation and loss lists are spec.ts' names, exactly (a compile error otherwise).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameActivations: Same<CodeName<'activations'>, ActivationName> = true;
const sameLosses: Same<CodeName<'losses'>, LossName> = true;
void sameActivations;
void sameLosses;

/**
 * Why `codes` (the addon's export) does not match CODE_NAMES, or '' when every table has exactly
 * the names TS knows, each with a distinct integer code.
 * @param codes - the addon's `codes` export
 * @example codeTablesMismatch(addon.codes) // '' or 'table "monitors": the addon lacks "cost"'
 */
export function codeTablesMismatch(codes: unknown): string {
  if (codes === null || typeof codes !== 'object') return 'it exports no code tables';
  const problems: string[] = [];
  for (const table of Object.keys(CODE_NAMES) as CodeTableName[]) {
    const t = (codes as Record<string, unknown>)[table];
    if (t === null || typeof t !== 'object') {
      problems.push(`it has no table "${table}"`);
      continue;
    }
    const known: readonly string[] = CODE_NAMES[table];
    const names = Object.keys(t);
    const missing = known.filter((n) => !names.includes(n));
    const extra = names.filter((n) => !known.includes(n));
    const values = names.map((n) => (t as Record<string, unknown>)[n]);
    if (missing.length > 0) problems.push(`table "${table}" lacks ${missing.map((n) => JSON.stringify(n)).join(', ')}`);
    if (extra.length > 0) problems.push(`table "${table}" has ${extra.map((n) => JSON.stringify(n)).join(', ')}, which this blasnet does not know`);
    if (!values.every((v) => Number.isSafeInteger(v) && (v as number) >= 0) || new Set(values).size !== values.length) {
      problems.push(`table "${table}" does not give each name its own integer code`);
    }
  }
  return problems.join('; ');
}

let installed: CodeTables | null = null;

/**
 * Installs the addon's checked tables (lib/native.ts, once, when the addon loads) and fills
 * {@link ACTIVATION_CODE} and the other records.
 * @param codes - tables for which codeTablesMismatch gave ''
 */
export function installCodeTables(codes: CodeTables): void {
  installed = codes;
  Object.assign(ACTIVATION_CODE, codes.activations);
  Object.assign(LOSS_CODE, codes.losses);
  Object.assign(OPTIMIZER_CODE, codes.optimizers);
  Object.assign(MONITOR_CODE, codes.monitors);
  Object.assign(SCHEDULE_CODE, codes.schedules);
}

/**
 * The addon's code for `name` in `table`.
 * @throws {BlasnetError} ERR_BLASNET_NATIVE_UNAVAILABLE when no addon has been loaded (only code that
 *   already holds the addon sends codes)
 * @example nativeCode('optimizers', 'adam') // 2
 */
export function nativeCode<T extends CodeTableName>(table: T, name: CodeName<T>): number {
  if (installed === null) throw blasnetError('ERR_BLASNET_NATIVE_UNAVAILABLE', `the native code of ${table} "${name}" was asked for, but no native addon is loaded`);
  return (installed[table] as Record<string, number>)[name]!;
}

// The same codes as records, for code that indexes them (filled by installCodeTables; empty while no
// addon is loaded, when nothing sends codes).
/** Activation codes (native/codes.h BLASNET_ACTIVATIONS). */
export const ACTIVATION_CODE = {} as Record<ActivationName, number>;
/** Loss codes (native/codes.h BLASNET_LOSSES). */
export const LOSS_CODE = {} as Record<LossName, number>;
/** Optimizer codes (native/codes.h BLASNET_OPTIMIZERS). */
export const OPTIMIZER_CODE = {} as Record<CodeName<'optimizers'>, number>;
/** Monitor codes (native/codes.h BLASNET_MONITORS). */
export const MONITOR_CODE = {} as Record<CodeName<'monitors'>, number>;
/** Schedule codes (native/codes.h BLASNET_SCHEDULES). */
export const SCHEDULE_CODE = {} as Record<CodeName<'schedules'>, number>;
