/**
 * `@coatcheck/realtime`: a WebSocket hub (on `ws`) whose sockets are bound to coatcheck
 * sessions. Sockets authenticate with the session cookie (from an allowed Origin) or a
 * bearer token; join per-session, per-user and named groups; receive broadcasts from every
 * instance through the session bus; and are closed the moment their session ends.
 *
 * @example
 * ```ts
 * import { createHub, CLOSE_CODES } from '@coatcheck/realtime'
 * const hub = createHub({ manager, origins: ['https://shop.example'], authorizeJoin: (c, room) => room === 'lobby' })
 * hub.attach(server)
 * await hub.publish({ userId: 'u1' }, { kind: 'cart', cart })
 * ```
 *
 * @module
 */
export { createHub, type Hub, type HubStats } from './hub.js';
export type { HubOptions, VerifyBearer, BearerIdentity } from './options.js';
export type { Connection } from './connection.js';
export type { HandshakeReport, HandshakeListener } from './handshake-hook.js';
export type { Target } from './targets.js';
export { CLOSE_CODES, TERMINAL_CLOSE_CODES, type CloseCode } from './close-codes.js';
export { PROTOCOL, BEARER_PROTOCOL_PREFIX, type HandshakeErrorCode } from './handshake.js';
export { REALTIME_ERROR_CODES, type RealtimeErrorCode, type RealtimeFrameErrorCode, type RealtimeUpgradeErrorCode } from './error-codes.js';
