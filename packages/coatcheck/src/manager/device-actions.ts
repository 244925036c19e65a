/**
 * The per-user device operations behind `manager.listSessions` / `revoke…` and the session
 * handle's device methods: list, end one, end all others, end all. Every ending is announced
 * on the bus (so caches, tokens and sockets on other instances follow), emitted locally, and
 * recorded in the session history with who asked for it.
 *
 * @module
 */
import type { BusEndReason } from '../bus/types.js';
import type { HistoryActor } from '../store/history-types.js';
import type { DeviceInfo } from '../store/types.js';
import type { SessionContext } from '../session/context.js';
import type { DeviceApi } from '../session/device-api.js';
import { isTicketId } from '../ticket/ticket.js';
import { toDeviceSessions } from './devices.js';

type RevokeReason = Extract<BusEndReason, 'revoke' | 'revoke-others' | 'revoke-all' | 'session-limit'>;

/**
 * Reports sessions of `userId` ended from elsewhere: announced on the bus, emitted as
 * `revoked`, recorded with who asked (`device`: the request that caused it, when there was one).
 */
export async function reportRevoked(
  ctx: SessionContext,
  ids: string[],
  userId: string,
  reason: RevokeReason,
  actor: HistoryActor,
  device?: DeviceInfo,
): Promise<string[]> {
  if (ids.length > 0) {
    await ctx.announce({ type: 'ended', ids, userId, reason });
    ctx.events.emit('revoked', { ids, userId, reason });
    await ctx.history.record(ids.map((sessionId) => ({ type: 'revoked', sessionId, userId, actor, reason, ...device })));
  }
  return ids;
}

/** Creates the device operations of one manager. */
export function createDeviceActions(ctx: SessionContext): DeviceApi {
  const { gateway } = ctx;
  const ended = (ids: string[], userId: string, reason: RevokeReason, actor: HistoryActor) => reportRevoked(ctx, ids, userId, reason, actor);

  return {
    async list(userId, currentId) {
      const records = await gateway.listByUser(userId, ctx.now());
      return toDeviceSessions(records, currentId);
    },
    async revoke(userId, id, actor) {
      // Only well-formed ids reach the store, and only the owner may end a session. (BI-08, BI-09)
      if (!isTicketId(id)) return false;
      const record = await gateway.read(id, ctx.now());
      if (!record || record.userId !== userId) return false;
      await gateway.remove(id);
      await ended([id], userId, 'revoke', actor);
      return true;
    },
    async revokeOthers(userId, keepId, actor) {
      return ended(await gateway.deleteByUser(userId, keepId), userId, 'revoke-others', actor);
    },
    async revokeAll(userId, actor) {
      return ended(await gateway.deleteByUser(userId), userId, 'revoke-all', actor);
    },
  };
}
