/**
 * What a client sends: heartbeats, joins, leaves, application messages, and (for
 * first-message authentication) one `auth` message. Internal.
 *
 * Anything malformed gets an error frame and changes nothing; binary frames close the
 * socket with 1008. (WS-11) Every frame first takes a token from the socket's bucket; an
 * empty bucket closes the socket with 4008. (WS-13) Joins past the room caps get an error
 * frame. (WS-18)
 *
 * @module
 */
import type { RawData } from 'ws';
import { CLOSE_CODES } from './close-codes.js';
import { closePeer, type Peer, type PeerHooks } from './connection.js';
import { verifyBearerToken, type Identity } from './handshake.js';
import type { Liveness } from './liveness.js';
import type { ResolvedHubOptions } from './options.js';
import { encodeError, HEARTBEAT_FRAME, parseClientFrame } from './protocol.js';
import { takeToken } from './rate-limit.js';
import type { RoomCap, RoomCaps } from './room-caps.js';
import { reauthenticate } from './token-expiry.js';

/** What inbound handling needs from the hub. */
export interface Inbound {
  readonly options: ResolvedHubOptions;
  readonly hooks: PeerHooks;
  readonly liveness: Liveness;
  bind(peer: Peer, identity: Identity): void;
}

function reply(peer: Peer, text: string): void {
  if (!peer.closed && peer.ws.readyState === 1) peer.ws.send(text);
}

/** Closes a socket that did not authenticate within `authTimeoutMs`. */
export function startAuthDeadline(inbound: Inbound, peer: Peer): void {
  const timer = setTimeout(() => {
    if (peer.sessionId === null) closePeer(peer, CLOSE_CODES.UNAUTHENTICATED, 'authentication timeout');
  }, inbound.options.authTimeoutMs);
  timer.unref();
  peer.ws.once('close', () => clearTimeout(timer));
}

async function authenticate(inbound: Inbound, peer: Peer, token: string): Promise<void> {
  let identity: Identity | null = null;
  peer.authenticating = true;
  try {
    identity = await verifyBearerToken(inbound.options, token);
  } catch (error) {
    inbound.options.logger.error('coatcheck realtime: could not verify an auth message', { error });
    closePeer(peer, CLOSE_CODES.TRY_AGAIN_LATER, 'store unavailable');
    return;
  } finally {
    peer.authenticating = false;
  }
  if (peer.closed) return;
  if (identity === null) closePeer(peer, CLOSE_CODES.UNAUTHENTICATED, 'invalid token');
  else inbound.bind(peer, identity);
}

function refuseRoom(peer: Peer, room: string, cap: RoomCap, caps: RoomCaps): void {
  const limit = cap === 'socket' ? caps.maxPerSocket : caps.maxPerUser;
  reply(peer, encodeError('ERR_REALTIME_TOO_MANY_ROOMS', { room, cap, limit }));
}

async function join(inbound: Inbound, peer: Peer, room: string): Promise<void> {
  const { authorizeJoin, logger } = inbound.options;
  const { roomCaps } = inbound.hooks;
  // Over a cap the application's authorizeJoin is not even asked: a flood of joins costs no
  // database lookups. Joins still being authorised count, or a burst sent at once would all
  // pass this check before the first one landed. (WS-18)
  const early = roomCaps.check(peer, room, peer.pendingJoins);
  if (early !== null) return refuseRoom(peer, room, early, roomCaps);
  let allowed = false;
  peer.pendingJoins++;
  try {
    allowed = authorizeJoin !== null && (await authorizeJoin(peer.connection, room));
  } catch (error) {
    logger.error('coatcheck realtime: authorizeJoin threw', { error });
  } finally {
    peer.pendingJoins--;
  }
  if (peer.closed) return;
  if (!allowed) return reply(peer, encodeError('ERR_REALTIME_JOIN_DENIED', { room }));
  const cap = inbound.hooks.join(peer, room);
  if (cap !== null) return refuseRoom(peer, room, cap, roomCaps);
  reply(peer, JSON.stringify({ type: 'joined', room }));
}

/** Handles one frame from a client. */
export function handleFrame(inbound: Inbound, peer: Peer, data: RawData, isBinary: boolean): void {
  if (peer.closed) return;
  const now = performance.now();
  peer.lastSeen = now;
  // Every frame pays before it is even decoded, authenticated or not: a flood costs this
  // check per frame until the socket is closed, and nothing past the limit runs. (WS-13)
  if (!takeToken(peer.bucket, inbound.hooks.messageRate, now)) {
    inbound.hooks.onRateLimited(peer);
    return;
  }
  if (isBinary) {
    closePeer(peer, CLOSE_CODES.POLICY_VIOLATION, 'binary frames are not supported');
    return;
  }
  const frame = parseClientFrame(data.toString());
  const { options, liveness } = inbound;
  if (peer.sessionId === null) {
    // Before authentication only `auth` is accepted, one at a time: a second one sent while
    // the first is verified would otherwise bind the socket twice (two `ready`, two
    // onConnection calls) when both tokens are valid. The first one decides.
    if (frame?.type === 'auth') {
      if (!peer.authenticating) void authenticate(inbound, peer, frame.token);
    } else closePeer(peer, CLOSE_CODES.UNAUTHENTICATED, 'authenticate first');
    return;
  }
  if (frame === null) {
    reply(peer, encodeError('ERR_REALTIME_BAD_MESSAGE'));
    return;
  }
  if (frame.type === 'heartbeat') {
    if (options.touchOn === 'heartbeats') liveness.activity(peer.sessionId);
    reply(peer, HEARTBEAT_FRAME);
    return;
  }
  if (options.touchOn !== 'never') liveness.activity(peer.sessionId);
  switch (frame.type) {
    case 'auth':
      // A fresh token for a bearer socket (WS-07); cookie sockets have nothing to renew.
      if (peer.tokenExpiresAt === null) {
        reply(peer, encodeError('ERR_REALTIME_BAD_MESSAGE'));
        return;
      }
      return void reauthenticate(options, peer, frame.token);
    case 'join':
      return void join(inbound, peer, frame.room);
    case 'leave':
      inbound.hooks.leave(peer, frame.room);
      reply(peer, JSON.stringify({ type: 'left', room: frame.room }));
      return;
    case 'message':
      try {
        options.onMessage(peer.connection, frame.data);
      } catch (error) {
        options.logger.error('coatcheck realtime: onMessage threw', { error });
        reply(peer, encodeError('ERR_REALTIME_HANDLER'));
      }
  }
}
