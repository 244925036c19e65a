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

/** One problem a data schema found: its message, and where in the value (empty: the value itself). */
export interface DataIssue {
  /** The schema's message for the problem. */
  readonly message: string;
  /** Where in the value: property names and array indexes from the top (empty: the value itself). */
  readonly path: readonly PropertyKey[];
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const MAX_LISTED = 3;

/** `[0].qty`, `cart[0]`, `["a b"]`: a path as code would write it. */
function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number' || (typeof segment === 'string' && /^\d+$/.test(segment))) text += `[${String(segment)}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${typeof segment === 'string' ? JSON.stringify(segment) : String(segment)}]`;
  }
  return text;
}

/** The issues in one line: `[0].qty: Expected number; and 2 more`. */
function formatIssues(issues: readonly DataIssue[]): string {
  const listed = issues.slice(0, MAX_LISTED).map((issue) => (issue.path.length === 0 ? issue.message : `${formatPath(issue.path)}: ${issue.message}`));
  const more = issues.length - listed.length;
  return `${listed.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

/**
 * A value written to the session does not pass the manager's `data.schema` (or its key has
 * no schema): the application's bug, so adapters answer 500 with a generic message. Thrown
 * by `set`/`update` at the line that wrote it when the validator answers synchronously,
 * otherwise by the write (commit, login, regenerate) before anything reaches the store.
 * Nothing is written. `key` names the key (for a whole-data schema, the first key its issues
 * point at, or `null`); `issues` are the schema's, with their paths. See docs/typed-data.md.
 */
export class SessionDataInvalidError extends SessionError {
  /** The key whose value was refused, or `null` when a whole-data schema refused the data itself. */
  readonly key: string | null;
  /** What the schema found (message and path, as the Standard Schema reports them). */
  readonly issues: readonly DataIssue[];

  /** `key`: the key of a per-key schema, or `null` for the whole-data schema. */
  constructor(key: string | null, issues: readonly DataIssue[]) {
    const subject = key === null ? 'session data is invalid' : `session data ${JSON.stringify(key)} is invalid`;
    super('ERR_SESSION_DATA_INVALID', `${subject}: ${formatIssues(issues)}`);
    const first = issues[0]?.path[0];
    this.key = key ?? (typeof first === 'string' ? first : null);
    this.issues = issues;
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
