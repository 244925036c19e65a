/**
 * What a socket's inbound side needs from the hub: joining and leaving rooms under the room
 * caps, the inbound rate limit, and what to do with a slow or flooding peer. Internal.
 *
 * @module
 */
import type { Logger } from 'coatcheck';
import { CLOSE_CODES } from './close-codes.js';
import { closePeer, dropPeer, type Peer, type PeerHooks } from './connection.js';
import type { Groups } from './groups.js';
import type { ResolvedHubOptions } from './options.js';
import { createMessageRate } from './rate-limit.js';
import { createRoomCaps } from './room-caps.js';

/** The hub's counters these hooks advance. */
export interface PeerCounters {
  slowConsumers: number;
  rateLimited: number;
}

/**
 * Builds the hooks every peer of one hub shares. Rooms are the hub's groups keyed `r:<room>`.
 */
export function createPeerHooks(options: ResolvedHubOptions, groups: Groups<Peer>, counters: PeerCounters, logger: Logger): PeerHooks {
  const roomCaps = createRoomCaps(options.maxRoomsPerSocket, options.maxRoomsPerUser);
  return {
    maxBufferedBytes: options.maxBufferedBytes,
    messageRate: createMessageRate(options.maxMessagesPerSecond, options.messageBurst),
    roomCaps,
    join(peer, room) {
      if (peer.closed || peer.rooms.has(room)) return null;
      // Checked again here, after authorizeJoin awaited: joins in flight together must not
      // all pass a check made before any of them landed. (WS-18)
      const cap = roomCaps.check(peer, room);
      if (cap !== null) return cap;
      roomCaps.add(peer, room);
      peer.rooms.add(room);
      groups.add(`r:${room}`, peer);
      return null;
    },
    leave(peer, room) {
      if (!peer.rooms.delete(room)) return;
      roomCaps.remove(peer, room);
      groups.remove(`r:${room}`, peer);
    },
    onSlow(peer) {
      counters.slowConsumers++;
      dropPeer(peer);
    },
    onRateLimited(peer) {
      // Once per socket: the close marks the peer closed, and its later frames are ignored.
      counters.rateLimited++;
      logger.warn('coatcheck realtime: a socket sent messages faster than maxMessagesPerSecond; closed with 4008', {
        connectionId: peer.connection.id,
        userId: peer.userId,
        maxMessagesPerSecond: options.maxMessagesPerSecond,
        messageBurst: options.messageBurst,
      });
      closePeer(peer, CLOSE_CODES.RATE_LIMITED, 'rate limit exceeded');
    },
  };
}
