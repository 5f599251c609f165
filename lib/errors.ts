// The error types blasnet throws, each with a stable `code`. Argument errors name the argument,
// what was expected and what came. Errors from the addon carry the same codes (native/napi_util.h).

/**
 * The stable `code` of every error blasnet throws or rejects with; match on it rather than on
 * messages, which may be reworded.
 *
 * - `ERR_BLASNET_ARG_TYPE`: an argument of the wrong type ({@link BlasnetTypeError})
 * - `ERR_BLASNET_ARG_RANGE`: a number outside its range ({@link BlasnetRangeError})
 * - `ERR_BLASNET_SHAPE`: matrix dimensions that do not fit together ({@link BlasnetRangeError})
 * - `ERR_BLASNET_NOT_FINITE`: NaN or ±Infinity in an input ({@link BlasnetRangeError})
 * - `ERR_BLASNET_LABEL`: a label or target outside what the loss accepts ({@link BlasnetRangeError})
 * - `ERR_BLASNET_DETACHED`: a typed array whose ArrayBuffer was transferred or detached ({@link BlasnetTypeError})
 * - `ERR_BLASNET_BUSY`: a second fit on a model that is fitting ({@link BlasnetError})
 * - `ERR_BLASNET_NOT_FITTED`: predicting with a model that has no parameters yet ({@link BlasnetError})
 * - `ERR_BLASNET_DIVERGED`: the cost became non-finite ({@link DivergenceError})
 * - `ERR_BLASNET_NATIVE_UNAVAILABLE`: backend 'native' requested without a loadable addon ({@link BlasnetError})
 * - `ERR_BLASNET_CONFIG`: an invalid model description: architecture, activation, or an (output, loss) pair that does not go together
 *   ({@link BlasnetTypeError} or {@link BlasnetRangeError})
 * - `ERR_BLASNET_FORMAT`: a saved model file that is not a valid blasnet model ({@link BlasnetError})
 * - `ERR_BLASNET_OUT_OF_MEMORY`: a job whose buffers exceed the memory limit, or an allocation that failed
 *   in the addon ({@link BlasnetError}, or {@link BlasnetRangeError} for a size that overflows)
 * - `ERR_BLASNET_NATIVE`: an unexpected failure inside the addon, reported instead of a crash ({@link BlasnetError})
 * - `ABORT_ERR`: training stopped by its AbortSignal ({@link AbortError})
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
  | 'ERR_BLASNET_BUSY'
  | 'ERR_BLASNET_NOT_FITTED'
  | 'ERR_BLASNET_DIVERGED'
  | 'ERR_BLASNET_NATIVE_UNAVAILABLE'
  | 'ERR_BLASNET_CONFIG'
  | 'ERR_BLASNET_FORMAT'
  | 'ERR_BLASNET_OUT_OF_MEMORY'
  | 'ERR_BLASNET_NATIVE'
  | 'ABORT_ERR';

/**
 * A TypeError with a blasnet `code`: an argument of the wrong type. Its `name` is `'TypeError'`, so
 * `instanceof TypeError` holds.
 * @example
 * try { Matrix.from('1,2'); } catch (e) { e instanceof BlasnetTypeError; e.code; } // true, 'ERR_BLASNET_ARG_TYPE'
 */
export class BlasnetTypeError extends TypeError {
  /** The stable error code (usually `ERR_BLASNET_ARG_TYPE`). */
  readonly code: ErrorCode;
  /**
   * @param code - the error code
   * @param message - names the argument, what was expected and what was received
   * @example
   * new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', 'X must be a Matrix or number[][], got a string');
   */
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'TypeError';
    this.code = code;
  }
}

/**
 * A RangeError with a blasnet `code`: an argument of the right type with a wrong value or shape. Its
 * `name` is `'RangeError'`, so `instanceof RangeError` holds.
 * @example
 * try { new Matrix(2, 2, [1, 2, 3]); } catch (e) { e.code; } // 'ERR_BLASNET_SHAPE'
 */
export class BlasnetRangeError extends RangeError {
  /** The stable error code (`ERR_BLASNET_ARG_RANGE`, `ERR_BLASNET_SHAPE`, `ERR_BLASNET_NOT_FINITE`, `ERR_BLASNET_LABEL`, …). */
  readonly code: ErrorCode;
  /**
   * @param code - the error code
   * @param message - names the argument, what was expected and what was received
   * @example
   * new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', 'options.epochs must be an integer ≥ 1, got 0');
   */
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'RangeError';
    this.code = code;
  }
}

/**
 * Any other blasnet failure: a busy model, a model not fitted yet, a bad model file, a missing
 * native backend; {@link DivergenceError} is one.
 * @example
 * try { new NeuralNetwork({ layers: [2, 1], backend: 'native' }); }
 * catch (e) { if (e instanceof BlasnetError && e.code === 'ERR_BLASNET_NATIVE_UNAVAILABLE') console.log(e.message); }
 */
export class BlasnetError extends Error {
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
 * The rejection of `fit` when its AbortSignal fires (code `ABORT_ERR`, name `'AbortError'`, as in
 * Node's own APIs); the model keeps the parameters of its last completed iteration.
 * @example
 * const ac = new AbortController();
 * setTimeout(() => ac.abort(), 100);
 * await net.fit(X, y, { epochs: 1e6, signal: ac.signal }).catch((e) => { if (!(e instanceof AbortError)) throw e; });
 */
export class AbortError extends Error {
  /** Always `'ABORT_ERR'`. */
  readonly code = 'ABORT_ERR' as const;
  /**
   * @param message - defaults to 'The operation was aborted'
   * @param options - `cause`: the signal's reason
   * @example
   * new AbortError(undefined, { cause: signal.reason });
   */
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

/**
 * Thrown (or rejected with) when the training cost stops being finite, code `ERR_BLASNET_DIVERGED`;
 * the model keeps its last finite parameters. The message suggests the usual fixes.
 * @example
 * try { lr.fitSync(X, y); } catch (e) { if (e instanceof DivergenceError) console.log('diverged at', e.iteration); }
 */
export class DivergenceError extends BlasnetError {
  /** The iteration whose cost was not finite. */
  readonly iteration: number;
  /**
   * @param iteration - the iteration (or epoch) whose cost was not finite
   * @param cost - that cost (NaN or ±Infinity)
   * @example
   * new DivergenceError(42, Infinity).code;   // 'ERR_BLASNET_DIVERGED'
   */
  constructor(iteration: number, cost: number) {
    super(
      'ERR_BLASNET_DIVERGED',
      iteration === 0
        // Before any step the learning rate has played no part: the data or the starting parameters overflow.
        ? `training diverged: the cost is ${cost} at the starting parameters, before any step. ` +
          'The inputs, targets or parameters are too large for float64 (an overflow in the cost): scale ' +
          'the features (standardize them) and targets. The model keeps its parameters.'
        : `training diverged: the cost became ${cost} at iteration ${iteration}. ` +
          'Usual causes: a learning rate too large for the data (try 10× smaller), or features on very ' +
          'different scales (standardize them: zero mean, unit variance). The model keeps its last finite parameters.',
    );
    this.iteration = iteration;
  }
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
