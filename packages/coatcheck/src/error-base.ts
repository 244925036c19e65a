/**
 * The base class of every coatcheck error, its codes and their HTTP statuses. A module of its
 * own so that errors defined beside the code that throws them (`data-schema/data-errors.ts`)
 * extend it without an import cycle through `errors.ts`, which re-exports everything here.
 * Internal: import from `coatcheck/errors`.
 *
 * @module
 */

/** Every error code coatcheck can throw. */
export type SessionErrorCode =
  | 'ERR_SESSION_INVALID_OPTION'
  | 'ERR_SESSION_STORE_UNAVAILABLE'
  | 'ERR_SESSION_STORE_STARTUP'
  | 'ERR_SESSION_CONFLICT'
  | 'ERR_SESSION_TOO_LARGE'
  | 'ERR_SESSION_NOT_SERIALIZABLE'
  | 'ERR_SESSION_COMMITTED'
  | 'ERR_SESSION_ID_COLLISION'
  | 'ERR_SESSION_CSRF'
  | 'ERR_SESSION_READ_ONLY'
  | 'ERR_SESSION_NOT_AWAITED'
  | 'ERR_SESSION_CORRUPT_RECORD'
  | 'ERR_SESSION_RATE_LIMITED'
  | 'ERR_SESSION_STEP_UP_REQUIRED'
  | 'ERR_SESSION_STEP_UP_CHALLENGE'
  | 'ERR_SESSION_LIMIT_REACHED'
  | 'ERR_SESSION_DATA_INVALID';

/** HTTP status for each code; the single table every adapter uses. */
export const STATUS_BY_CODE: Readonly<Record<SessionErrorCode, number>> = Object.freeze({
  ERR_SESSION_INVALID_OPTION: 500,
  ERR_SESSION_STORE_UNAVAILABLE: 503,
  ERR_SESSION_STORE_STARTUP: 500,
  ERR_SESSION_CONFLICT: 503,
  ERR_SESSION_TOO_LARGE: 413,
  ERR_SESSION_NOT_SERIALIZABLE: 500,
  ERR_SESSION_COMMITTED: 500,
  ERR_SESSION_ID_COLLISION: 503,
  ERR_SESSION_CSRF: 403,
  ERR_SESSION_READ_ONLY: 500,
  ERR_SESSION_NOT_AWAITED: 500,
  ERR_SESSION_CORRUPT_RECORD: 500,
  ERR_SESSION_RATE_LIMITED: 429,
  ERR_SESSION_STEP_UP_REQUIRED: 403,
  ERR_SESSION_STEP_UP_CHALLENGE: 403,
  ERR_SESSION_LIMIT_REACHED: 409,
  ERR_SESSION_DATA_INVALID: 500,
});

/** Base class of every coatcheck error. Switch on `code`, not on the class. */
export class SessionError extends Error {
  /** Stable machine-readable code. */
  readonly code: SessionErrorCode;

  constructor(code: SessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  /** HTTP status an adapter answers with for this error. */
  get statusCode(): number {
    return STATUS_BY_CODE[this.code];
  }
}
