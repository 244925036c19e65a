/**
 * The stable codes of `@coatcheck/realtime`: refused handshakes (the JSON body of the HTTP
 * answer) and error frames. Exported from `@coatcheck/realtime`; `docs/errors.md` lists
 * every one, and a test keeps the two in step.
 *
 * @module
 */

/** Every code the hub answers with, handshake refusals first, then error frames. */
export const REALTIME_ERROR_CODES = Object.freeze([
  'ERR_REALTIME_UNAUTHENTICATED',
  'ERR_REALTIME_TOKEN_IN_URL',
  'ERR_REALTIME_ORIGIN',
  'ERR_REALTIME_PROTOCOL',
  'ERR_REALTIME_TOO_MANY_CONNECTIONS',
  'ERR_REALTIME_STORE_UNAVAILABLE',
  'ERR_REALTIME_CLOSED',
  'ERR_REALTIME_NOT_FOUND',
  'ERR_REALTIME_INTERNAL',
  'ERR_REALTIME_BAD_MESSAGE',
  'ERR_REALTIME_JOIN_DENIED',
  'ERR_REALTIME_HANDLER',
  'ERR_REALTIME_TOO_MANY_ROOMS',
] as const);

/** A code of {@link REALTIME_ERROR_CODES}. Switch on it, not on messages. */
export type RealtimeErrorCode = (typeof REALTIME_ERROR_CODES)[number];

/** The codes of `{"type":"error","code"}` frames: answers to a bad client message. */
export type RealtimeFrameErrorCode = Extract<
  RealtimeErrorCode,
  'ERR_REALTIME_BAD_MESSAGE' | 'ERR_REALTIME_JOIN_DENIED' | 'ERR_REALTIME_HANDLER' | 'ERR_REALTIME_TOO_MANY_ROOMS'
>;

/** The codes of refused handshakes: the `{"error": code}` body of the HTTP answer. */
export type RealtimeUpgradeErrorCode = Exclude<RealtimeErrorCode, RealtimeFrameErrorCode>;
