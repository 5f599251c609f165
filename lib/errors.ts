// The error types blasnet throws, each with a stable `code`. Argument errors name the argument,
// what was expected and what came. Errors from the addon carry the same codes (native/napi_util.h).

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

/** A TypeError with a blasnet `code`: an argument of the wrong type. */
export class BlasnetTypeError extends TypeError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'TypeError';
    this.code = code;
  }
}

/** A RangeError with a blasnet `code`: an argument of the right type with a wrong value or shape. */
export class BlasnetRangeError extends RangeError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'RangeError';
    this.code = code;
  }
}

/** Any other blasnet failure (busy model, divergence, missing native backend). */
export class BlasnetError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BlasnetError';
    this.code = code;
  }
}

/** Thrown by `fit` when its AbortSignal fires; the model keeps its last completed iteration. */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR' as const;
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

/** Thrown when the cost stops being finite; the model keeps its last finite parameters. */
export class DivergenceError extends BlasnetError {
  /** The iteration whose cost was not finite. */
  readonly iteration: number;
  constructor(iteration: number, cost: number) {
    super(
      'ERR_BLASNET_DIVERGED',
      `training diverged: the cost became ${cost} at iteration ${iteration}. ` +
        'Usual causes: a learning rate too large for the data (try 10× smaller), or features on very ' +
        'different scales (standardize them: zero mean, unit variance). The model keeps its last finite parameters.',
    );
    this.iteration = iteration;
  }
}

/** Describes a received value for an error message: its type, and its value when short. */
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
