/**
 * `@coatcheck/client`: browser SDK for coatcheck. Zero dependencies, no Node imports.
 *
 * Today: {@link createRealtimeClient}, a WebSocket to `@coatcheck/realtime` that reconnects
 * with backoff and jitter, heartbeats, rejoins its rooms, and stops when the session is
 * revoked. A fetch wrapper with access-token refresh belongs beside it (`./fetch.ts`).
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
export type { RealtimeClient, RealtimeClientOptions, RealtimeMessage, RealtimeState, WebSocketConstructor, WebSocketLike } from './socket.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export { CLOSE_CODES, TERMINAL_CLOSE_CODES } from './close-codes.js';
