/**
 * How many rooms a socket, and a user across all their sockets on this instance, may be in.
 * Internal.
 *
 * Every room a socket joins is an entry in the hub's group map and a delivery target, so an
 * authorised client that joins rooms without end would grow the hub's memory and every
 * broadcast's fan-out. Two caps bound it: one per socket, and one per user (distinct rooms,
 * so two tabs in the same rooms count them once). A join past either cap changes nothing and
 * the client gets an error frame `ERR_REALTIME_TOO_MANY_ROOMS`; it is never dropped silently.
 * (WS-18)
 *
 * @module
 */

/** Which cap a refused join hit. */
export type RoomCap = 'socket' | 'user';

/** What the caps need to know of a socket. */
interface RoomHolder {
  readonly userId: string | null;
  readonly rooms: ReadonlySet<string>;
}

/** The per-user ledger of rooms. */
export interface RoomCaps {
  readonly maxPerSocket: number;
  readonly maxPerUser: number;
  /**
   * The cap joining `room` would break, or `null` when the join fits. `pending` counts joins
   * of this socket still waiting for `authorizeJoin`, as if they had landed.
   */
  check(holder: RoomHolder, room: string, pending?: number): RoomCap | null;
  /** Records a join the hub made (after {@link RoomCaps.check} said `null`). */
  add(holder: RoomHolder, room: string): void;
  /** Records a leave, or a closed socket's rooms one by one. */
  remove(holder: RoomHolder, room: string): void;
}

/** Creates the ledger: per user, each room with the number of that user's sockets in it. */
export function createRoomCaps(maxPerSocket: number, maxPerUser: number): RoomCaps {
  const byUser = new Map<string, Map<string, number>>();
  return {
    maxPerSocket,
    maxPerUser,
    check(holder, room, pending = 0) {
      if (holder.rooms.has(room)) return null;
      if (holder.rooms.size + pending >= maxPerSocket) return 'socket';
      if (holder.userId === null) return null;
      const rooms = byUser.get(holder.userId);
      // Another tab of the same user already in this room adds no new room for the user.
      if (rooms === undefined || rooms.has(room)) return null;
      return rooms.size >= maxPerUser ? 'user' : null;
    },
    add(holder, room) {
      if (holder.userId === null) return;
      let rooms = byUser.get(holder.userId);
      if (rooms === undefined) {
        rooms = new Map();
        byUser.set(holder.userId, rooms);
      }
      rooms.set(room, (rooms.get(room) ?? 0) + 1);
    },
    remove(holder, room) {
      if (holder.userId === null) return;
      const rooms = byUser.get(holder.userId);
      const count = rooms?.get(room);
      if (rooms === undefined || count === undefined) return;
      if (count > 1) rooms.set(room, count - 1);
      else rooms.delete(room);
      // Empty ledgers go, so the map does not grow with users who came and left.
      if (rooms.size === 0) byUser.delete(holder.userId);
    },
  };
}
