/**
 * The hub's close codes (the same table as `@coatcheck/realtime`'s `CLOSE_CODES`; kept here
 * so the browser bundle has no server dependency).
 *
 * @module
 */
export const CLOSE_CODES = Object.freeze({
  GOING_AWAY: 1001,
  POLICY_VIOLATION: 1008,
  TRY_AGAIN_LATER: 1013,
  UNAUTHENTICATED: 4001,
  SESSION_REVOKED: 4401,
  SESSION_EXPIRED: 4440,
  /** The access token expired: reconnect, with a fresh token. */
  TOKEN_EXPIRED: 4441,
  STALE: 4408,
  SESSION_ROTATED: 4409,
  SLOW_CONSUMER: 4429,
  /** The client sent faster than the hub allows: reconnect, after a delay that grows while it repeats. */
  RATE_LIMITED: 4008,
});

/** After these the client stops reconnecting: the credentials it has will not work again. */
export const TERMINAL_CLOSE_CODES: readonly number[] = Object.freeze([4001, 4401, 4440]);
