/**
 * `@coatcheck/client`: browser SDK for coatcheck. Zero dependencies, no Node imports.
 *
 * - {@link createRealtimeClient}: a WebSocket to `@coatcheck/realtime` that reconnects with
 *   backoff and jitter, heartbeats, rejoins its rooms, and stops when the session is revoked.
 * - {@link createBearerFetch}: `fetch` for bearer mode that holds the tokens, refreshes an
 *   expired access token once (single flight) and reports the end of the session. Its
 *   `accessToken()` feeds the realtime client, so reconnections use a fresh token.
 *
 * @example
 * ```ts
 * import { createRealtimeClient } from '@coatcheck/client'
 * const live = createRealtimeClient({
 *   url: `wss://${location.host}/ws`,
 *   onMessage: (m) => m.scope === 'user' && renderCart(m.data),
 *   onClose: (e) => e.code === 4401 && showLoggedOutNotice(),
 * })
 * live.join('lobby')
 * ```
 *
 * @module
 */
export { createRealtimeClient } from './socket.js';
export { createBearerFetch } from './fetch.js';
export type { BearerFetch, BearerFetchOptions, SessionEndedEvent } from './fetch.js';
export { memoryTokenStorage, type StoredTokens, type TokenResponse, type TokenStorage } from './token-storage.js';
export type { BroadcastChannelLike, LockManagerLike, TabsOption } from './tab-sync.js';
export type { RealtimeClient, RealtimeClientOptions, RealtimeMessage, RealtimeState, WebSocketConstructor, WebSocketLike } from './socket.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export { CLOSE_CODES, TERMINAL_CLOSE_CODES } from './close-codes.js';
