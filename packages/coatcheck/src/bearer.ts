/**
 * The contract between framework adapters and a bearer-token verifier (`@coatcheck/tokens`).
 * Adapters only move strings: they hand over the `Authorization` header and answer with what
 * the verifier decided, so every adapter applies the same rules. Types only; exported from
 * `coatcheck/adapter`.
 *
 * @module
 */
import type { RequestInfo } from './manager/manager.js';
import type { Session, SessionDataMap } from './session/session-types.js';

/**
 * Why a bearer credential was refused, as RFC 6750 §3.1 names it:
 * - `invalid_request`: malformed header, token in the URL, several credentials (400 or 401);
 * - `invalid_token`: bad signature, unknown key, expired, revoked session (401).
 */
export type BearerErrorKind = 'invalid_request' | 'invalid_token';

/** A refused bearer credential: what the adapter answers with. */
export interface BearerFailure {
  readonly ok: false;
  /** HTTP status: 401, or 400 for `invalid_request`. */
  readonly status: 400 | 401;
  /** Goes into `WWW-Authenticate: Bearer error="..."`. */
  readonly error: BearerErrorKind;
  /** Stable code for the JSON body, e.g. `ERR_TOKEN_EXPIRED`. */
  readonly code: string;
  /** Short, safe description (no token contents). */
  readonly message: string;
}

/** An accepted bearer credential and its session. */
export interface BearerSuccess<D extends object> {
  readonly ok: true;
  readonly session: Session<D>;
}

/** Outcome of {@link BearerAuthenticator.authenticate}. */
export type BearerOutcome<D extends object> = BearerSuccess<D> | BearerFailure;

/** Verifies `Authorization: Bearer` credentials and loads their sessions. */
export interface BearerAuthenticator<D extends object = SessionDataMap> {
  /**
   * Checks one `Authorization` header value (the adapter has already made sure there is
   * exactly one) and loads the session the token is bound to. Rejects only with
   * `SessionStoreError` (store down); every refusal is a {@link BearerFailure}. May answer
   * synchronously (a cached token of a cached session): adapters accept both.
   */
  authenticate(authorization: string, request: RequestInfo): BearerOutcome<D> | Promise<BearerOutcome<D>>;
}

/** Whether an `Authorization` header value uses the Bearer scheme (case-insensitive, RFC 7235). */
export function isBearerScheme(authorization: string): boolean {
  return (
    authorization.length >= 6 &&
    authorization.slice(0, 6).toLowerCase() === 'bearer' &&
    (authorization.length === 6 || authorization.charCodeAt(6) === 0x20 || authorization.charCodeAt(6) === 0x09)
  );
}
