// The error types blasnet throws, each with a stable `code`, and the one table (ERROR_CLASSES) that
// maps every code to its class. Argument errors name the argument, what was expected and what came.
// Errors from the addon carry the same codes (native/failure.h) and are built by blasnetError from
// this table (lib/native.ts configures the addon with it).

/**
 * The stable `code` of every error blasnet throws or rejects with; match on it rather than on
 * messages, which may be reworded. {@link ERROR_CLASSES} gives each code's class.
 *
 * - `ERR_BLASNET_ARG_TYPE`: an argument of the wrong type ({@link BlasnetTypeError})
 * - `ERR_BLASNET_ARG_RANGE`: a number outside its range ({@link BlasnetRangeError})
 * - `ERR_BLASNET_SHAPE`: matrix dimensions that do not fit together ({@link BlasnetRangeError})
 * - `ERR_BLASNET_NOT_FINITE`: NaN or ±Infinity in an input ({@link BlasnetRangeError})
 * - `ERR_BLASNET_LABEL`: a label or target outside what the loss accepts ({@link BlasnetRangeError})
 * - `ERR_BLASNET_DETACHED`: a typed array whose ArrayBuffer was transferred or detached ({@link BlasnetTypeError})
 * - `ERR_BLASNET_CONFIG`: an invalid model description: architecture, activation, or an (output, loss) pair
 *   that does not go together ({@link BlasnetTypeError})
 * - `ERR_BLASNET_TASK`: a method the model's task does not have, such as `predictProba` on a regressor ({@link BlasnetTypeError})
 * - `ERR_BLASNET_BUSY`: a second fit on a model that is fitting ({@link BlasnetError})
 * - `ERR_BLASNET_NOT_FITTED`: predicting with a model that has no parameters yet ({@link BlasnetError})
 * - `ERR_BLASNET_DIVERGED`: the training cost became non-finite or exploded ({@link DivergenceError})
 * - `ERR_BLASNET_NATIVE_UNAVAILABLE`: backend 'native' requested without a loadable addon ({@link BlasnetError})
 * - `ERR_BLASNET_FORMAT`: a saved model file or model JSON that is not a valid blasnet model ({@link BlasnetError})
 * - `ERR_BLASNET_IO`: the file system refused a read or write; `cause` is the system error (its `code`:
 *   ENOENT, EACCES, EISDIR, …) and the message names the path ({@link BlasnetError})
 * - `ERR_BLASNET_DATA`: tabular data that cannot be read as asked: a malformed CSV, a missing column, a cell
 *   that does not fit its column's type, a column a model cannot encode; the message names the file, line
 *   and column where there is one ({@link BlasnetError})
 * - `ERR_BLASNET_OUT_OF_MEMORY`: a job whose buffers exceed the memory limit, a size that overflows, or an
 *   allocation that failed in the addon ({@link BlasnetError})
 * - `ERR_BLASNET_NATIVE`: an unexpected failure inside the addon, reported instead of a crash ({@link BlasnetError})
 * - `ABORT_ERR`: a fit or prediction stopped by its AbortSignal or cancelled ({@link AbortError})
 * @example
 * try { lr.predictSync(X); } catch (e) { if (e.code === 'ERR_BLASNET_NOT_FITTED') await lr.fit(X, y); }
 */
export type ErrorCode =
  | 'ERR_BLASNET_ARG_TYPE'
  | 'ERR_BLASNET_ARG_RANGE'
  | 'ERR_BLASNET_SHAPE'
  | 'ERR_BLASNET_NOT_FINITE'
  | 'ERR_BLASNET_LABEL'
  | 'ERR_BLASNET_DETACHED'
  | 'ERR_BLASNET_CONFIG'
  | 'ERR_BLASNET_TASK'
  | 'ERR_BLASNET_BUSY'
  | 'ERR_BLASNET_NOT_FITTED'
  | 'ERR_BLASNET_DIVERGED'
  | 'ERR_BLASNET_NATIVE_UNAVAILABLE'
  | 'ERR_BLASNET_FORMAT'
  | 'ERR_BLASNET_IO'
  | 'ERR_BLASNET_DATA'
  | 'ERR_BLASNET_OUT_OF_MEMORY'
  | 'ERR_BLASNET_NATIVE'
  | 'ABORT_ERR';

/** Set on the prototypes of blasnet's three base classes: what `instanceof BlasnetError` recognises. */
const BRAND: unique symbol = Symbol('blasnet.error');

function branded(value: unknown): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

/** What a subclass's `instanceof` does: the ordinary prototype-chain test. */
const ordinaryHasInstance = Function.prototype[Symbol.hasInstance];

/**
 * Any blasnet failure, and the class every error blasnet creates is an instance of:
 * `e instanceof BlasnetError` holds for a {@link BlasnetTypeError} and a {@link BlasnetRangeError}
 * too (they extend TypeError and RangeError, so `instanceof BlasnetError` recognises them by a mark
 * all blasnet errors carry), and for {@link DivergenceError} and {@link AbortError}, which extend it.
 * Used directly for a busy model, a model not fitted yet, a bad model file, a file-system failure, a
 * missing native backend.
 * @example
 * try { new NeuralNetwork({ layers: [2, 1], backend: 'native' }); }
 * catch (e) { if (e instanceof BlasnetError && e.code === 'ERR_BLASNET_NATIVE_UNAVAILABLE') console.log(e.message); }
 */
export class BlasnetError extends Error {
  /**
   * `value instanceof BlasnetError`: true for every error blasnet creates, whichever built-in class
   * it extends. On subclasses (`instanceof DivergenceError`, `instanceof AbortError`) the ordinary
   * prototype test.
   * @param value - anything
   * @returns whether `value` is an instance in the sense above
   * @example
   * try { Matrix.from('1,2'); } catch (e) { e instanceof BlasnetError; e instanceof TypeError; } // true, true
   * @internal The `instanceof` hook: described on the class, not a method to call.
   */
  static override [Symbol.hasInstance]<T extends abstract new (...args: never[]) => unknown>(this: T, value: unknown): value is InstanceType<T> {
    return (this as unknown) === BlasnetError ? branded(value) : ordinaryHasInstance.call(this, value);
  }

  /** The stable error code. */
  readonly code: ErrorCode;
  /**
   * @param code - the error code
   * @param message - what went wrong and what to do about it
   * @param options - `cause`: the underlying error, when there is one
   * @example
   * new BlasnetError('ERR_BLASNET_BUSY', 'fit is already running on this model');
   */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BlasnetError';
    this.code = code;
  }
}

/**
 * A TypeError with a blasnet `code`: an argument of the wrong type, an invalid model description, a
 * method the model's task does not have. Its `name` is `'TypeError'`; `instanceof TypeError` and
 * `instanceof BlasnetError` both hold.
 * @example
 * try { Matrix.from('1,2'); } catch (e) { e instanceof BlasnetTypeError; e.code; } // true, 'ERR_BLASNET_ARG_TYPE'
 */
export class BlasnetTypeError extends TypeError {
  /** The stable error code (usually `ERR_BLASNET_ARG_TYPE`). */
  readonly code: ErrorCode;
  /**
   * @param code - the error code
   * @param message - names the argument, what was expected and what was received
   * @param options - `cause`: the underlying error, when there is one
   * @example
   * new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', 'X must be a Matrix or number[][], got a string');
   */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TypeError';
    this.code = code;
  }
}

/**
 * A RangeError with a blasnet `code`: an argument of the right type with a wrong value or shape. Its
 * `name` is `'RangeError'`; `instanceof RangeError` and `instanceof BlasnetError` both hold.
 * @example
 * try { new Matrix(2, 2, [1, 2, 3]); } catch (e) { e.code; } // 'ERR_BLASNET_SHAPE'
 */
export class BlasnetRangeError extends RangeError {
  /** The stable error code (`ERR_BLASNET_ARG_RANGE`, `ERR_BLASNET_SHAPE`, `ERR_BLASNET_NOT_FINITE`, `ERR_BLASNET_LABEL`). */
  readonly code: ErrorCode;
  /**
   * @param code - the error code
   * @param message - names the argument, what was expected and what was received
   * @param options - `cause`: the underlying error, when there is one
   * @example
   * new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', 'options.epochs must be an integer ≥ 1, got 0');
   */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RangeError';
    this.code = code;
  }
}

for (const cls of [BlasnetError, BlasnetTypeError, BlasnetRangeError]) {
  Object.defineProperty(cls.prototype, BRAND, { value: true });
}

/**
 * The rejection of `fit` when its AbortSignal fires, and of a prediction cancelled with its job
 * (code `ABORT_ERR`, name `'AbortError'`, as in Node's own APIs); the model keeps the parameters of
 * its last completed iteration.
 * @example
 * const ac = new AbortController();
 * setTimeout(() => ac.abort(), 100);
 * await net.fit(X, y, { epochs: 1e6, signal: ac.signal }).catch((e) => { if (!(e instanceof AbortError)) throw e; });
 */
export class AbortError extends BlasnetError {
  /** Always `'ABORT_ERR'`. */
  declare readonly code: 'ABORT_ERR';
  /**
   * @param message - defaults to 'The operation was aborted'
   * @param options - `cause`: the signal's reason
   * @example
   * new AbortError(undefined, { cause: signal.reason });
   */
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super('ABORT_ERR', message, options);
    this.name = 'AbortError';
  }
}

/**
 * Thrown (or rejected with) when training diverges, code `ERR_BLASNET_DIVERGED`: the cost stopped
 * being finite, or (`firstCost` given) grew above 10⁶ × its first recorded value. The model keeps its
 * last finite parameters. The message suggests the usual fixes.
 * @example
 * try { lr.fitSync(X, y); } catch (e) { if (e instanceof DivergenceError) console.log('diverged at', e.iteration); }
 */
export class DivergenceError extends BlasnetError {
  /** The iteration whose cost was not finite (or exploded). */
  readonly iteration: number;
  /**
   * @param iteration - the iteration (or epoch) whose cost was not finite
   * @param cost - that cost (NaN, ±Infinity, or a finite cost above the limit)
   * @param options - `firstCost`: the first recorded cost, when the rule that fired is "cost above
   *   10⁶ × the first"; `message`: a message of the caller's instead (blasnetError); `cause`
   * @example
   * new DivergenceError(42, Infinity).code;   // 'ERR_BLASNET_DIVERGED'
   */
  constructor(iteration: number, cost: number, options?: { firstCost?: number; message?: string; cause?: unknown }) {
    const first = options?.firstCost;
    super(
      'ERR_BLASNET_DIVERGED',
      options?.message !== undefined ? options.message : iteration === 0 && !Number.isFinite(cost)
        // Before any step the learning rate has played no part: the data or the starting parameters overflow.
        ? `training diverged: the cost is ${cost} at the starting parameters, before any step. ` +
          'The inputs, targets or parameters are too large for float64 (an overflow in the cost): scale ' +
          'the features (standardize them) and targets. The model keeps its parameters.'
        : `training diverged: the cost ${Number.isFinite(cost) && first !== undefined ? `grew to ${cost}, above 10^6 × its first recorded value ${first},` : `became ${cost}`} at iteration ${iteration}. ` +
          'Usual causes: a learning rate too large for the data (try 10× smaller), or features or targets on very ' +
          'different scales (standardize them: zero mean, unit variance). The model keeps its last finite parameters.',
      options && 'cause' in options ? { cause: options.cause } : undefined,
    );
    this.iteration = iteration;
  }
}

/**
 * A class of {@link ERROR_CLASSES}.
 * @example const cls: BlasnetErrorClass = ERROR_CLASSES.ERR_BLASNET_SHAPE; // BlasnetRangeError
 */
export type BlasnetErrorClass = typeof BlasnetError | typeof BlasnetTypeError | typeof BlasnetRangeError | typeof DivergenceError | typeof AbortError;

/**
 * The class of every error code: the one table. {@link blasnetError} builds errors from it, native
 * errors are built by it, and the docs and tests list it. Where the class is
 * {@link BlasnetTypeError} or {@link BlasnetRangeError} the error is also a `TypeError` or
 * `RangeError`; every error is `instanceof BlasnetError`.
 * @example
 * for (const [code, cls] of Object.entries(ERROR_CLASSES)) console.log(code, cls.name);
 */
export const ERROR_CLASSES: Readonly<Record<ErrorCode, BlasnetErrorClass>> = Object.freeze({
  ERR_BLASNET_ARG_TYPE: BlasnetTypeError,
  ERR_BLASNET_ARG_RANGE: BlasnetRangeError,
  ERR_BLASNET_SHAPE: BlasnetRangeError,
  ERR_BLASNET_NOT_FINITE: BlasnetRangeError,
  ERR_BLASNET_LABEL: BlasnetRangeError,
  ERR_BLASNET_DETACHED: BlasnetTypeError,
  ERR_BLASNET_CONFIG: BlasnetTypeError,
  ERR_BLASNET_TASK: BlasnetTypeError,
  ERR_BLASNET_BUSY: BlasnetError,
  ERR_BLASNET_NOT_FITTED: BlasnetError,
  ERR_BLASNET_DIVERGED: DivergenceError,
  ERR_BLASNET_NATIVE_UNAVAILABLE: BlasnetError,
  ERR_BLASNET_FORMAT: BlasnetError,
  ERR_BLASNET_IO: BlasnetError,
  ERR_BLASNET_DATA: BlasnetError,
  ERR_BLASNET_OUT_OF_MEMORY: BlasnetError,
  ERR_BLASNET_NATIVE: BlasnetError,
  ABORT_ERR: AbortError,
});

/**
 * A blasnet error of the class {@link ERROR_CLASSES} gives its code (a code the table does not
 * know, such as one from a newer addon, gives a plain {@link BlasnetError}).
 * @param code - the error code
 * @param message - what went wrong; argument errors name the argument, what was expected and what came
 * @param options - `cause`: the underlying error
 * @returns the error (not thrown)
 * @example
 * throw blasnetError('ERR_BLASNET_TASK', 'NeuralNetwork.predictProbaSync needs a classifier; this model\'s task is \'regression\'');
 */
export function blasnetError(code: ErrorCode, message: string, options?: { cause?: unknown }): BlasnetError {
  const cls: BlasnetErrorClass | undefined = Object.prototype.hasOwnProperty.call(ERROR_CLASSES, code) ? ERROR_CLASSES[code] : undefined;
  if (cls === AbortError) return new AbortError(message, options);
  // The iteration is unknown here (NaN): code that knows it builds the DivergenceError itself.
  if (cls === DivergenceError) return new DivergenceError(NaN, NaN, { ...options, message });
  const Cls = (cls ?? BlasnetError) as new (code: ErrorCode, message: string, options?: { cause?: unknown }) => BlasnetError;
  return new Cls(code, message, options);
}

/**
 * Describes a received value for an error message: its type, and its value when short. Internal
 * (not exported from the package).
 * @param value - anything
 * @returns e.g. `'NaN'`, `'"abc"'`, `'an array of length 3'`, `'a Float32Array of length 4'`
 */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `${value}`;
  if (typeof value === 'string') return value.length > 40 ? `a string of length ${value.length}` : JSON.stringify(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<unknown>).length ?? value.byteLength}`;
  const ctor = (value as object).constructor?.name;
  return ctor && ctor !== 'Object' ? `a ${ctor}` : 'an object';
}
