// The CLI's own error type: a user mistake reported as one line on stderr with an exit code
// (1 for bad data or files, 2 for bad usage). Never used by the library (lib/*.ts outside cli/).

/** A mistake the user can fix: printed as `blasnet: <message>` with no stack trace. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A usage mistake (a bad or conflicting option): exit code 2, as commander uses for its own. */
export function usageError(message: string): CliError {
  return new CliError(message, 2);
}
