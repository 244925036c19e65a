/**
 * One socket and what the hub knows about it. Exported from `@coatcheck/realtime` (the
 * {@link Connection} type).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import { CLOSE_CODES } from './close-codes.js';
import { prepareFrame, writeFrame, type PreparedFrame } from './frames.js';
import type { MessageRate, TokenBucket } from './rate-limit.js';
import type { RoomCap, RoomCaps } from './room-caps.js';

/** A socket bound to a session, as application code sees it. */
export interface Connection {
  /** Random id of this socket (not a credential). */
  readonly id: string;
  /** The session it is bound to; `null` until first-message authentication succeeded. */
  readonly sessionId: string | null;
  readonly userId: string | null;
  /** Rooms it joined. */
  readonly rooms: ReadonlySet<string>;
  /** Bytes queued for the peer and not yet written out. */
  readonly bufferedAmount: number;
  /** Sends `data` as `{"type":"message","scope":"direct","data"}`; `false` if it was not sent. */
  send(data: unknown): boolean;
  /**
   * Joins a room on this instance; broadcasts to it reach this socket. `false` when the
   * socket or its user is at `maxRoomsPerSocket`/`maxRoomsPerUser` (nothing changed). (WS-18)
   */
  join(room: string): boolean;
  /** Leaves a room. */
  leave(room: string): void;
  /** Closes the socket with a code of `CLOSE_CODES` (or your own 4000–4999). */
  close(code?: number, reason?: string): void;
}

/** The hub's record of a socket. Internal. */
export interface Peer {
  readonly ws: WebSocket;
  readonly connection: Connection;
  sessionId: string | null;
  userId: string | null;
  readonly rooms: Set<string>;
  /** Last time anything arrived (message or pong), `performance.now()` ms. */
  lastSeen: number;
  closed: boolean;
  /** The code the hub closed it with, reported to `onClose` (the peer may never see it). */
  closeCode: number | null;
  /** Terminates the socket if the peer does not finish a close handshake. */
  closeTimer: NodeJS.Timeout | undefined;
  /** When the bearer token it showed lapses (epoch ms); `null` for cookie sockets. */
  tokenExpiresAt: number | null;
  /** Asks for a fresh token, then closes, when the bearer token lapses. (WS-07) */
  tokenTimer: NodeJS.Timeout | undefined;
  /** Inbound rate limit: every frame from the peer takes a token. (WS-13) */
  readonly bucket: TokenBucket;
  /** A first-message `auth` is being verified; further ones are ignored until it ends. */
  authenticating: boolean;
  /** Client joins waiting for `authorizeJoin`; they count against the room cap. (WS-18) */
  pendingJoins: number;
}

/** What a connection needs from its hub. */
export interface PeerHooks {
  readonly maxBufferedBytes: number;
  /** The inbound rate limit every socket's bucket follows. */
  readonly messageRate: MessageRate;
  /** The room caps every join passes. (WS-18) */
  readonly roomCaps: RoomCaps;
  /** Joins `peer` to `room`; the cap it hit, or `null` when joined (or already in). */
  join(peer: Peer, room: string): RoomCap | null;
  leave(peer: Peer, room: string): void;
  /** The socket's buffer passed the cap. */
  onSlow(peer: Peer): void;
  /** The socket's inbound bucket is empty. */
  onRateLimited(peer: Peer): void;
}

/** Grace for the peer's close frame before the socket is cut. */
const CLOSE_GRACE_MS = 1000;

/**
 * Writes a prepared frame unless the socket is closing; drops the socket (and returns
 * `false`) once its unsent data passes the cap, so a slow reader costs at most the cap plus
 * one message of memory. (WS-13)
 */
export function deliver(peer: Peer, prepared: PreparedFrame, hooks: PeerHooks): boolean {
  const { ws } = peer;
  if (peer.closed || ws.readyState !== 1) return false;
  writeFrame(ws, prepared);
  if (ws.bufferedAmount > hooks.maxBufferedBytes) {
    hooks.onSlow(peer);
    return false;
  }
  return true;
}

/** Closes gracefully, then cuts the socket if the peer does not answer. */
export function closePeer(peer: Peer, code: number, reason: string): void {
  if (peer.closed) return;
  peer.closed = true;
  peer.closeCode = code;
  try {
    peer.ws.close(code, reason.slice(0, 120));
  } catch {
    peer.ws.terminate();
    return;
  }
  peer.closeTimer = setTimeout(() => peer.ws.terminate(), CLOSE_GRACE_MS);
  peer.closeTimer.unref();
}

/** Creates the record of a freshly upgraded socket. */
export function createPeer(ws: WebSocket, hooks: PeerHooks): Peer {
  const peer: Peer = {
    ws,
    sessionId: null,
    userId: null,
    rooms: new Set(),
    lastSeen: performance.now(),
    closed: false,
    closeCode: null,
    closeTimer: undefined,
    tokenExpiresAt: null,
    tokenTimer: undefined,
    // A fresh socket may send a full burst at once (a reconnection rejoining its rooms).
    bucket: { tokens: hooks.messageRate.burst, refilledAt: performance.now() },
    authenticating: false,
    pendingJoins: 0,
    connection: {
      id: randomUUID(),
      get sessionId() {
        return peer.sessionId;
      },
      get userId() {
        return peer.userId;
      },
      get rooms() {
        return peer.rooms;
      },
      get bufferedAmount() {
        return ws.bufferedAmount;
      },
      send(data) {
        return deliver(peer, prepareFrame(JSON.stringify({ type: 'message', scope: 'direct', data })), hooks);
      },
      join: (room) => hooks.join(peer, room) === null,
      leave: (room) => hooks.leave(peer, room),
      close: (code = 1000, reason = '') => closePeer(peer, code, reason),
    },
  };
  return peer;
}

/** Cuts a slow consumer at once: a close frame would only queue behind the backlog. */
export function dropPeer(peer: Peer): void {
  if (peer.closed) return;
  peer.closed = true;
  peer.closeCode = CLOSE_CODES.SLOW_CONSUMER;
  // terminate() frees the buffered data now; the peer sees an abnormal closure.
  peer.ws.terminate();
}
