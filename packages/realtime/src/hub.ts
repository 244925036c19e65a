/**
 * The hub: WebSocket connections bound to coatcheck sessions. Exported from
 * `@coatcheck/realtime`.
 *
 * A socket is accepted only after its upgrade request authenticated (session cookie from an
 * allowed Origin, or a bearer token), and it stays bound to that session: when the session
 * ends anywhere (logout, revocation, expiry) the hub closes it with a documented code.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE_CODES } from './close-codes.js';
import { closePeer, createPeer, deliver, type Peer, type PeerHooks } from './connection.js';
import { prepareFrame, type PreparedFrame } from './frames.js';
import { createGroups } from './groups.js';
import { createPeerHooks } from './peer-hooks.js';
import { startHeartbeat } from './heartbeat.js';
import { authenticateUpgrade, offeredProtocols, PROTOCOL, refuseUpgrade as reject, type Identity } from './handshake.js';
import { decodeEnvelope, encodeEnvelope, followLifecycle } from './lifecycle.js';
import { createLiveness } from './liveness.js';
import { resolveHubOptions, type HubOptions } from './options.js';
import { encodeMessage, READY_FRAME } from './protocol.js';
import { handleFrame, startAuthDeadline } from './inbound.js';
import { createHandshakeHook } from './handshake-hook.js';
import { armTokenExpiry } from './token-expiry.js';
import { describeTarget, groupKey, isTarget, type Target } from './targets.js';
import type { Hub, HubStats } from './hub-types.js';
import type { RealtimeUpgradeErrorCode } from './error-codes.js';

export type { Hub, HubStats } from './hub-types.js';

/**
 * Creates a hub.
 *
 * @example
 * ```ts
 * import { createHub } from '@coatcheck/realtime'
 * const hub = createHub({ manager, origins: ['https://shop.example'] })
 * hub.attach(server)                       // or fastify.server
 * await hub.publish({ userId }, { cart })  // every tab and device of the user, on every instance
 * ```
 */
export function createHub(input: HubOptions): Hub {
  const options = resolveHubOptions(input);
  const { manager, bus, channel, logger } = options;
  const hubId = randomUUID();
  const peers = new Set<Peer>();
  const groups = createGroups<Peer>();
  const counters = { refused: 0, reaped: 0, slowConsumers: 0, revoked: 0, rateLimited: 0 };
  const handshakes = createHandshakeHook(logger);
  let closed = false;

  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: options.maxPayloadBytes,
    // Off: compression costs memory per socket and opens the door to inflation bombs. (WS-17)
    perMessageDeflate: false,
    // Select our protocol, never echo the bearer entry back.
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });

  const hooks: PeerHooks = createPeerHooks(options, groups, counters, logger);
  const roomCaps = hooks.roomCaps;

  const liveness = createLiveness(options, {
    closeSession: (id, code, reason) => closeGroup(`s:${id}`, code, reason),
  });

  function closeGroup(key: string, code: number, reason: string): number {
    const members = groups.members(key);
    if (members === undefined) return 0;
    let count = 0;
    const ended = code === CLOSE_CODES.SESSION_REVOKED || code === CLOSE_CODES.SESSION_EXPIRED;
    const notice = ended ? prepareFrame(JSON.stringify({ type: 'session-ended', reason })) : null;
    for (const peer of [...members]) {
      if (peer.closed) continue;
      if (notice !== null) deliver(peer, notice, hooks);
      if (ended) counters.revoked++;
      closePeer(peer, code, reason);
      count++;
    }
    return count;
  }

  function bind(peer: Peer, identity: Identity): void {
    peer.sessionId = identity.sessionId;
    peer.userId = identity.userId;
    groups.add(`s:${identity.sessionId}`, peer);
    if (identity.userId !== null) groups.add(`u:${identity.userId}`, peer);
    groups.add('*', peer);
    liveness.track(identity.sessionId, identity.expiresAt);
    if (identity.tokenExpiresAt !== null) armTokenExpiry(options, peer, identity.tokenExpiresAt);
    peer.ws.send(READY_FRAME);
    try {
      options.onConnection(peer.connection);
    } catch (error) {
      logger.error('coatcheck realtime: onConnection threw', { error });
    }
  }

  function unbind(peer: Peer, code: number): void {
    if (!peers.delete(peer)) return;
    clearTimeout(peer.closeTimer);
    clearTimeout(peer.tokenTimer);
    const { sessionId, userId } = peer;
    if (sessionId !== null) {
      groups.remove(`s:${sessionId}`, peer);
      if (groups.size(`s:${sessionId}`) === 0) liveness.untrack(sessionId);
      if (userId !== null) groups.remove(`u:${userId}`, peer);
      groups.remove('*', peer);
    }
    for (const room of peer.rooms) {
      roomCaps.remove(peer, room);
      groups.remove(`r:${room}`, peer);
    }
    try {
      options.onClose(peer.connection, peer.closeCode ?? code);
    } catch (error) {
      logger.error('coatcheck realtime: onClose threw', { error });
    }
  }

  function adopt(ws: WebSocket, identity: Identity | null): void {
    const peer = createPeer(ws, hooks);
    peers.add(peer);
    ws.on('pong', () => {
      peer.lastSeen = performance.now();
      if (options.touchOn === 'heartbeats' && peer.sessionId !== null) liveness.activity(peer.sessionId);
    });
    ws.on('message', (data, isBinary) => handleFrame(inbound, peer, data, isBinary));
    ws.on('close', (code) => unbind(peer, code));
    ws.on('error', () => ws.terminate());
    if (identity !== null) bind(peer, identity);
    else startAuthDeadline(inbound, peer);
  }

  const inbound = { options, hooks, liveness, bind, stats: counters };

  function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Errors on the raw socket while we authenticate (a client hanging up) must not crash.
    const onError = () => socket.destroy();
    socket.on('error', onError);
    // The clock is read only for onHandshake listeners.
    const started = handshakes.active ? performance.now() : -1;
    const refuse = (status: number, code: RealtimeUpgradeErrorCode) => {
      counters.refused++;
      reject(socket, status, code);
      if (started !== -1) handshakes.report(started, status, code, null);
    };
    if (closed) {
      refuse(503, 'ERR_REALTIME_CLOSED');
      return;
    }
    authenticateUpgrade(options, request, (userId) => groups.size(`u:${userId}`)).then(
      (result) => {
        if (!result.ok) {
          refuse(result.status, result.code);
          return;
        }
        if (!offeredProtocols(request).includes(PROTOCOL) && request.headers['sec-websocket-protocol'] !== undefined) {
          // Browsers fail a handshake whose offered protocols were all refused; say why instead.
          refuse(400, 'ERR_REALTIME_PROTOCOL');
          return;
        }
        wss.handleUpgrade(request, socket, head, (ws) => {
          socket.off('error', onError);
          if (started !== -1) handshakes.report(started, 101, null, result.identity?.sessionId ?? null);
          if (closed) ws.close(CLOSE_CODES.GOING_AWAY, 'shutting down');
          else adopt(ws, result.identity);
        });
      },
      (error: unknown) => {
        logger.error('coatcheck realtime: handshake failed', { error });
        refuse(500, 'ERR_REALTIME_INTERNAL');
      },
    );
  }

  function sendLocal(key: string, prepared: PreparedFrame): number {
    const members = groups.members(key);
    if (members === undefined) return 0;
    let count = 0;
    for (const peer of members) if (deliver(peer, prepared, hooks)) count++;
    return count;
  }

  const offs: (() => void)[] = [
    followLifecycle(manager, bus, {
      close: (id, code, reason) => closeGroup(`s:${id}`, code, reason),
      check: (id) => liveness.check(id),
    }),
  ];
  if (bus !== null) {
    offs.push(
      bus.onBroadcast(channel, (payload) => {
        const envelope = decodeEnvelope(payload);
        // Our own broadcasts were delivered locally when they were sent.
        if (envelope !== null && envelope[0] !== hubId) sendLocal(envelope[1], prepareFrame(envelope[2]));
      }),
    );
  }

  const stopHeartbeat = startHeartbeat(peers, options, () => counters.reaped++);

  function encode(target: Target, data: unknown): { key: string; text: string } {
    if (!isTarget(target)) throw new TypeError('hub: target must be { sessionId }, { userId }, { room } or { all: true }');
    const { scope, room } = describeTarget(target);
    return { key: groupKey(target), text: encodeMessage(scope, room, data) };
  }

  return {
    handleUpgrade,
    attach(server) {
      const listener = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
        const pathname = (request.url ?? '/').split('?')[0];
        if (pathname === options.path) handleUpgrade(request, socket, head);
        else if (server.listenerCount('upgrade') === 1) reject(socket, 404, 'ERR_REALTIME_NOT_FOUND');
      };
      server.on('upgrade', listener);
      return () => void server.off('upgrade', listener);
    },
    send(target, data) {
      const { key, text } = encode(target, data);
      return sendLocal(key, prepareFrame(text));
    },
    async publish(target, data) {
      const { key, text } = encode(target, data);
      const delivered = sendLocal(key, prepareFrame(text));
      if (bus !== null) await bus.broadcast(channel, encodeEnvelope([hubId, key, text]));
      return delivered;
    },
    disconnect(target, code, reason = '') {
      return closeGroup(encode(target, null).key, code, reason);
    },
    connections(target) {
      const members = target === undefined ? peers : groups.members(encode(target, null).key);
      return members === undefined ? [] : [...members].filter((p) => p.sessionId !== null).map((p) => p.connection);
    },
    onHandshake: handshakes.subscribe,
    get stats(): HubStats {
      return { connections: groups.size('*'), sessions: liveness.size, ...counters };
    },
    async close() {
      if (closed) return;
      closed = true;
      stopHeartbeat();
      for (const off of offs) off();
      liveness.stop();
      const waits: Promise<void>[] = [];
      for (const peer of peers) {
        waits.push(new Promise((resolve) => peer.ws.once('close', () => resolve())));
        closePeer(peer, CLOSE_CODES.GOING_AWAY, 'shutting down');
      }
      await Promise.all(waits);
      wss.close();
    },
  };
}
