/**
 * The heartbeat sweep: one timer for every socket of a hub. Internal.
 *
 * A socket that sent nothing (no message, no pong) for `staleAfterMs` is terminated without a
 * close handshake (a dead peer would never answer one); the others are pinged, and their
 * pongs keep them alive. One interval for all sockets, not a timer each: a hub holds tens of
 * thousands of sockets. (WS-16)
 *
 * @module
 */
import { CLOSE_CODES } from './close-codes.js';
import type { Peer } from './connection.js';
import type { ResolvedHubOptions } from './options.js';

/**
 * Starts the sweep over `peers` (read on every tick, so sockets added later are swept too)
 * and returns the function that stops it. `onReaped` counts each socket terminated as stale.
 */
export function startHeartbeat(
  peers: ReadonlySet<Peer>,
  options: Pick<ResolvedHubOptions, 'staleAfterMs' | 'heartbeatIntervalMs'>,
  onReaped: () => void,
): () => void {
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const peer of peers) {
      if (peer.closed) continue;
      if (now - peer.lastSeen > options.staleAfterMs) {
        onReaped();
        peer.closed = true;
        peer.closeCode = CLOSE_CODES.STALE;
        peer.ws.terminate();
      } else peer.ws.ping();
    }
  }, options.heartbeatIntervalMs);
  // The sweep alone must not keep the process alive.
  sweep.unref();
  return () => clearInterval(sweep);
}
