/**
 * Errors thrown by coatcheck. Every one is exported from `coatcheck/errors`; the ones an
 * application catches (and `isSessionError`) also from `coatcheck`.
 *
 * Only misconfiguration and infrastructure failures throw. Expected outcomes of a request
 * ("no session", "forged", "expired", "revoked") are values, never exceptions.
 *
 * Every error has a stable `code`; `docs/errors.md` lists them all and a test keeps the
 * two in sync. `statusCode` is the HTTP status the adapters answer with, from one table.
 *
 * @module
 */

import { SessionError } from './error-base.js';
import type { SessionDataInvalidError } from './data-schema/data-errors.js';

export { SessionError, STATUS_BY_CODE, type SessionErrorCode } from './error-base.js';
export { SessionDataInvalidError, type DataIssue } from './data-schema/data-errors.js';

/** An option is invalid; the message says how to fix it. Thrown at start-up. */
export class SessionConfigError extends SessionError {
  constructor(message: string) {
    super('ERR_SESSION_INVALID_OPTION', message);
  }
}

/** The backing store failed or timed out. The driver error is in `cause`. */
export class SessionStoreError extends SessionError {
  /** Name of the store that failed. */
  readonly store: string;

  constructor(store: string, message: string, options?: { cause?: unknown }) {
    super('ERR_SESSION_STORE_UNAVAILABLE', message, options);
    this.store = store;
  }
}

/**
 * The store could not be reached or set up at start-up (`connectRedis`, a Postgres store's
 * `ready()`) within the bound: the server is down, the URL, credentials or database name are
 * wrong, or a firewall drops the connection. The message names the URL (password hidden) and
 * what to check; the driver error is in `cause`. Unlike `SessionStoreError` it is never a
 * request's answer: the application should not start.
 */
export class SessionStartupError extends SessionError {
  /** Name of the store that could not start. */
  readonly store: string;

  constructor(store: string, message: string, options?: { cause?: unknown }) {
    super('ERR_SESSION_STORE_STARTUP', message, options);
    this.store = store;
  }
}

/** Concurrent writers kept winning and the bounded retries ran out. Safe to retry. */
export class SessionConflictError extends SessionError {
  constructor(message: string) {
    super('ERR_SESSION_CONFLICT', message);
  }
}

/** The serialized session data exceeds `maxDataBytes`. Nothing was written. */
export class SessionTooLargeError extends SessionError {
  constructor(message: string) {
    super('ERR_SESSION_TOO_LARGE', message);
  }
}

/** A value written to the session does not survive JSON (BigInt, function, cycle). */
export class SessionSerializationError extends SessionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_SESSION_NOT_SERIALIZABLE', message, options);
  }
}

/** The session was changed after its changes were committed for this request. */
export class SessionCommittedError extends SessionError {
  constructor(message: string) {
    super('ERR_SESSION_COMMITTED', message);
  }
}

/** The random source produced ids that already exist, repeatedly. Indicates a broken RNG. */
export class SessionCollisionError extends SessionError {
  constructor(message: string) {
    super('ERR_SESSION_ID_COLLISION', message);
  }
}

/**
 * Why a request was refused as a possible cross-site request forgery:
 * - `cross-site`: `Sec-Fetch-Site` says another site sent it, and its origin is not trusted;
 * - `origin`: its `Origin` is neither this site nor a trusted origin (`null` included);
 * - `token-missing`: a cookie-authenticated request without `Origin` or `Sec-Fetch-Site`
 *   and without a CSRF token;
 * - `token-invalid`: the token was not made for this session.
 */
export type CsrfFailure = 'cross-site' | 'origin' | 'token-missing' | 'token-invalid';

/**
 * A state-changing request was refused as a possible cross-site request forgery. Adapters
 * answer 403 with this code; nothing of the request reached the handler.
 */
export class SessionCsrfError extends SessionError {
  /** Which check failed. */
  readonly reason: CsrfFailure;

  constructor(reason: CsrfFailure, message: string) {
    super('ERR_SESSION_CSRF', message);
    this.reason = reason;
  }
}

/**
 * Code assigned a property of the session handle (`req.session.cart = [...]`, the
 * express-session habit), or deleted or defined one. The handle's own properties are
 * read-only and data lives behind its methods, so such a write would otherwise be lost.
 */
export class SessionReadOnlyError extends SessionError {
  /** The property that was written. */
  readonly property: string;

  constructor(property: string | symbol) {
    const name = String(property);
    const key = JSON.stringify(typeof property === 'symbol' ? 'key' : name);
    super(
      'ERR_SESSION_READ_ONLY',
      `session.${name} cannot be assigned, deleted or defined: the session handle is read-only. Store data with session.set(${key}, value) (or session.update(${key}, fn)), remove it with session.delete(${key}), and read it with session.get(${key}).${name === 'userId' ? ' To log a user in: await session.login(userId).' : ''}`,
    );
    this.property = name;
  }
}

/**
 * A lifecycle call (`login`, `logout`, `regenerate`, `destroy`) was not awaited: the response
 * was being committed while it was still running, or nothing ever waited for it. The commit
 * waits for it, so the response is what it would have been; this error is logged (with the
 * stack of the call) through the manager's `logger`, not thrown.
 */
export class SessionNotAwaitedError extends SessionError {
  /** The method that was not awaited. */
  readonly method: string;

  constructor(method: string) {
    super(
      'ERR_SESSION_NOT_AWAITED',
      `session.${method}() was not awaited before the response was sent. coatcheck waited for it before committing, so this response is correct, but fix the handler: await session.${method}(${method === 'login' ? '...' : ''}).`,
    );
    this.method = method;
  }
}

/**
 * A stored record that cannot be a session: written by hand, by another program, by an older
 * version or damaged. Stores throw it while decoding (see `coatcheck/store-kit`), delete the
 * record, treat it as absent and hand this error to their `onCorrupt` report; it never
 * reaches a request. The message names the place (`column data`, `element 12 (data)`) and
 * the problem, never the stored contents, so it is safe to log.
 */
export class CorruptRecordError extends SessionError {
  /** Where the bad value is, in the store's own terms (a column, an element, a field). */
  readonly field: string;

  constructor(field: string, problem: string) {
    super('ERR_SESSION_CORRUPT_RECORD', `${field} ${problem}`);
    this.field = field;
  }
}

/**
 * A new anonymous session was refused: its client address has created as many as the
 * manager's `newSessionLimiter` allows. Adapters answer 429 with `Retry-After`; nothing was
 * written, and sessions that exist (a signed-in user's included) are never refused.
 */
export class SessionRateLimitedError extends SessionError {
  /** Milliseconds until this address may start a session again. */
  readonly retryAfterMs: number;

  constructor(retryAfterMs: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super('ERR_SESSION_RATE_LIMITED', `Too many new sessions from this address; try again in ${seconds} s.`);
    this.retryAfterMs = retryAfterMs;
  }

  /** Whole seconds for `Retry-After`, rounded up (at least 1): waiting that long is enough. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.retryAfterMs / 1000));
  }
}

/**
 * `session.requireFresh()` refused: the user has not proved one of `methods` within `within`
 * ms. Adapters answer 403 with `{ error: { code, message, stepUp: { methods, within,
 * challenge } } }`; the client verifies a factor and the app calls `session.stepUp(method,
 * { challenge })`. The challenge id is random and pending in the session, never a secret.
 */
export class SessionStepUpRequiredError extends SessionError {
  /** Acceptable methods, or `null` for any. */
  readonly methods: readonly string[] | null;
  /** How recent (ms) the factor must be. */
  readonly within: number;
  /** The pending challenge to pass to `session.stepUp`. */
  readonly challenge: string;

  constructor(methods: readonly string[] | null, within: number, challenge: string) {
    super('ERR_SESSION_STEP_UP_REQUIRED', 'Confirm it is you (step-up authentication) to continue.');
    this.methods = methods;
    this.within = within;
    this.challenge = challenge;
  }
}

/**
 * `session.stepUp(method, { challenge })` was refused: the challenge is unknown, already
 * answered (a replay), expired (5 minutes) or does not accept `method`. Nothing was changed.
 */
export class SessionStepUpChallengeError extends SessionError {
  constructor() {
    super('ERR_SESSION_STEP_UP_CHALLENGE', 'This step-up challenge is unknown, used or expired; start again.');
  }
}

/**
 * A login was refused: the user has as many live sessions as `maxSessionsPerUser` allows and
 * its policy is `'reject'`. Adapters answer 409; nothing was written, and the session the
 * login ran on is unchanged (still anonymous, or still the previous user's).
 */
export class SessionLimitError extends SessionError {
  /** The cap (`maxSessionsPerUser`). */
  readonly max: number;
  /** The user's live sessions when the login was refused. */
  readonly live: number;

  /** `max`: the cap; `live`: the user's live sessions when the login was refused. */
  constructor(max: number, live: number) {
    super('ERR_SESSION_LIMIT_REACHED', `This account is signed in on the most devices allowed (${max}); sign out on one of them first.`);
    this.max = max;
    this.live = live;
  }
}

/** Every concrete coatcheck error, for exhaustive `switch (err.code)`. */
export type AnySessionError =
  | SessionConfigError
  | SessionStoreError
  | SessionStartupError
  | SessionConflictError
  | SessionTooLargeError
  | SessionSerializationError
  | SessionCommittedError
  | SessionCollisionError
  | SessionCsrfError
  | SessionReadOnlyError
  | SessionNotAwaitedError
  | CorruptRecordError
  | SessionRateLimitedError
  | SessionStepUpRequiredError
  | SessionStepUpChallengeError
  | SessionLimitError
  | SessionDataInvalidError;

/** Narrows an unknown value to a coatcheck error. */
export function isSessionError(value: unknown): value is AnySessionError {
  return value instanceof SessionError;
}
