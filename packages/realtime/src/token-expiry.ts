/**
 * Bearer sockets and their access token's expiry (WS-07). Internal.
 *
 * A socket opened with a bearer token lives no longer than that token: at its `expiresAt`
 * the hub asks for a fresh one with `{"type":"reauthenticate"}` and waits `tokenGraceMs`
 * (at most 30 s) for an `{"type":"auth","token"}` naming the same session and user; without
 * one, or with `tokenGraceMs` 0, it closes with 4441 and the client reconnects with a fresh
 * token. A stolen 15-minute token therefore never buys a socket that lives as long as the
 * session.
 *
 * @module
 */
import { CLOSE_CODES } from './close-codes.js';
import { closePeer, type Peer } from './connection.js';
import { verifyBearerToken } from './handshake.js';
import type { ResolvedHubOptions } from './options.js';

/** The frame that asks the client for a fresh token. */
const REAUTHENTICATE_FRAME = '{"type":"reauthenticate"}';
const REAUTHENTICATED_FRAME = '{"type":"reauthenticated"}';

const MAX_TIMER_MS = 2 ** 31 - 1;

function expire(peer: Peer): void {
  closePeer(peer, CLOSE_CODES.TOKEN_EXPIRED, 'token expired');
}

/** (Re-)arms the socket's token timer for a token that lapses at `tokenExpiresAt` (epoch ms). */
export function armTokenExpiry(options: ResolvedHubOptions, peer: Peer, tokenExpiresAt: number): void {
  clearTimeout(peer.tokenTimer);
  peer.tokenExpiresAt = tokenExpiresAt;
  const delay = Math.max(0, Math.min(tokenExpiresAt - options.manager.now(), MAX_TIMER_MS));
  peer.tokenTimer = setTimeout(() => {
    if (peer.closed) return;
    if (options.tokenGraceMs === 0) return expire(peer);
    if (peer.ws.readyState === 1) peer.ws.send(REAUTHENTICATE_FRAME);
    peer.tokenTimer = setTimeout(() => expire(peer), options.tokenGraceMs);
    peer.tokenTimer.unref();
  }, delay);
  peer.tokenTimer.unref();
}

/**
 * An `auth` message on a bearer socket that is already bound: a fresh token for the same
 * session and user re-arms the timer; anything else closes with 4441 (the client may
 * reconnect, and its handshake is checked in full).
 */
export async function reauthenticate(options: ResolvedHubOptions, peer: Peer, token: string): Promise<void> {
  let identity: Awaited<ReturnType<typeof verifyBearerToken>>;
  try {
    identity = await verifyBearerToken(options, token);
  } catch (error) {
    options.logger.error('coatcheck realtime: could not verify a re-authentication', { error });
    closePeer(peer, CLOSE_CODES.TRY_AGAIN_LATER, 'store unavailable');
    return;
  }
  if (peer.closed) return;
  if (identity === null || identity.tokenExpiresAt === null || identity.sessionId !== peer.sessionId || identity.userId !== peer.userId) {
    return expire(peer);
  }
  armTokenExpiry(options, peer, identity.tokenExpiresAt);
  peer.ws.send(REAUTHENTICATED_FRAME);
}
