/**
 * The CLI's one error class and its exit codes. Every failure a command expects (bad
 * arguments, a store it cannot reach, a package that is not installed) is a `CliError` with
 * a stable code, a message that says what to do, and the exit code the process ends with.
 *
 * @module
 */

/**
 * Exit codes of the `coatcheck` command, stable across releases.
 * - `ok` (0): done; `doctor` found nothing to fail.
 * - `failure` (1): the command ran and found a problem: a `doctor` check failed, a session
 *   or key was not found, nothing was revoked.
 * - `usage` (2): unknown command or option, missing or malformed argument, unsupported URL.
 * - `unreachable` (3): the store (or the app for `doctor --url`) could not be reached.
 * - `missingPackage` (4): an optional package the command needs is not installed.
 */
export const EXIT_CODES = Object.freeze({ ok: 0, failure: 1, usage: 2, unreachable: 3, missingPackage: 4 });

/** Stable codes of {@link CliError}. */
export type CliErrorCode = 'ERR_CLI_USAGE' | 'ERR_CLI_FAILED' | 'ERR_CLI_UNREACHABLE' | 'ERR_CLI_MISSING_PACKAGE';

const EXIT_BY_CODE: Readonly<Record<CliErrorCode, number>> = Object.freeze({
  ERR_CLI_USAGE: EXIT_CODES.usage,
  ERR_CLI_FAILED: EXIT_CODES.failure,
  ERR_CLI_UNREACHABLE: EXIT_CODES.unreachable,
  ERR_CLI_MISSING_PACKAGE: EXIT_CODES.missingPackage,
});

/** A failure the CLI reports as one line and an exit code. */
export class CliError extends Error {
  /** Stable machine-readable code. */
  readonly code: CliErrorCode;
  /** The process exit code this error ends the command with. */
  readonly exitCode: number;

  constructor(code: CliErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = EXIT_BY_CODE[code];
  }
}

/** A usage error (exit 2). */
export function usageError(message: string): CliError {
  return new CliError('ERR_CLI_USAGE', message);
}
