/**
 * WebSocket close codes the hub uses, and what a client should do about each. The browser
 * client (`@coatcheck/client`) carries the same table: it stops reconnecting after the
 * terminal ones.
 *
 * Exported from `@coatcheck/realtime`.
 *
 * @module
 */

/** Close codes, by meaning. Codes 4000–4999 are reserved for applications by RFC 6455. */
export const CLOSE_CODES = Object.freeze({
  /** The hub is shutting down (standard "going away"). Reconnect. */
  GOING_AWAY: 1001,
  /** A frame the protocol does not allow (binary, not JSON, unknown type). Reconnect is pointless. */
  POLICY_VIOLATION: 1008,
  /** A message larger than `maxPayloadBytes` (standard "message too big"). */
  MESSAGE_TOO_BIG: 1009,
  /** The store could not confirm the session twice in a row: closed rather than trusted (fail closed). Reconnect later. */
  TRY_AGAIN_LATER: 1013,
  /** First-message authentication: no valid `auth` message before the deadline. Terminal. */
  UNAUTHENTICATED: 4001,
  /** The session ended: logout, revocation, "log out everywhere", refresh-token reuse. Terminal. */
  SESSION_REVOKED: 4401,
  /** The session expired (idle or absolute limit) while the socket was open. Terminal. */
  SESSION_EXPIRED: 4440,
  /**
   * The bearer access token the socket authenticated with expired (plus `tokenGraceMs`):
   * reconnect with a fresh token. The session may well be alive. (WS-07)
   */
  TOKEN_EXPIRED: 4441,
  /** No heartbeat or pong within the stale window (a dead peer rarely sees it). Reconnect. */
  STALE: 4408,
  /** The session's id rotated (login in another tab, regenerate): reconnect with the new cookie. */
  SESSION_ROTATED: 4409,
  /** The peer read too slowly and its send buffer passed `maxBufferedBytes`. Reconnect. */
  SLOW_CONSUMER: 4429,
  /**
   * The peer sent frames faster than `maxMessagesPerSecond` allows, beyond `messageBurst`.
   * Reconnect, with a growing delay. A code of its own rather than 1008, so the application
   * and the client can tell a flood from a malformed frame; the same number, for the same
   * reason, as Discord's gateway. (WS-13)
   */
  RATE_LIMITED: 4008,
});

/** A close code of {@link CLOSE_CODES}. */
export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

/** Codes after which a client must not reconnect with the same credentials. */
export const TERMINAL_CLOSE_CODES: readonly number[] = Object.freeze([CLOSE_CODES.UNAUTHENTICATED, CLOSE_CODES.SESSION_REVOKED, CLOSE_CODES.SESSION_EXPIRED]);
