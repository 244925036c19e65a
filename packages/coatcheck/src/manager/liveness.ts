/**
 * Liveness of a session by id, for long-lived connections (WebSockets): `peek` reads it,
 * `touch` also slides its idle expiry, throttled like a request's touch.
 *
 * @module
 */
import type { SessionContext } from '../session/context.js';
import { expiryAt } from '../session/lifetime.js';
import type { SessionRecord } from '../store/types.js';
import { isTicketId } from '../ticket/ticket.js';

/**
 * The liveness of a session, as `peek` and `touch` report it: enough for a long-lived
 * connection (a WebSocket) to know whose it is and when to check again.
 */
export interface LiveSession {
  readonly id: string;
  readonly userId: string | null;
  /** When the session dies unless it is used again (never later than `absoluteExpiresAt`). */
  readonly expiresAt: number;
  /** Hard limit that activity never extends. */
  readonly absoluteExpiresAt: number;
}

/** `peek` and `touch` of one manager. */
export interface Liveness {
  peek(id: string): Promise<LiveSession | null>;
  touch(id: string): Promise<LiveSession | null>;
}

function live(record: SessionRecord | null, now: number): LiveSession | null {
  if (record === null || record.expiresAt <= now || record.absoluteExpiresAt <= now) return null;
  return { id: record.id, userId: record.userId, expiresAt: record.expiresAt, absoluteExpiresAt: record.absoluteExpiresAt };
}

/** Creates `peek` and `touch` on the manager's store view. */
export function createLiveness(ctx: SessionContext): Liveness {
  const { store } = ctx;
  return {
    async peek(id) {
      if (!isTicketId(id)) return null;
      const now = ctx.now();
      return live(await ctx.call('get', () => store.get(id, now)), now);
    },
    async touch(id) {
      if (!isTicketId(id)) return null;
      const now = ctx.now();
      const record = await ctx.call('get', () => store.get(id, now));
      const current = live(record, now);
      if (current === null || record === null) return null;
      // Within the throttle window a request would not write either.
      if (now - record.lastSeenAt < ctx.lifetime.touchAfterMs) return current;
      const expiresAt = expiryAt(ctx.lifetime, record.persistent, now, record.absoluteExpiresAt);
      const alive = await ctx.call('touch', () => store.touch(id, now, expiresAt, now));
      return alive ? { ...current, expiresAt: Math.max(expiresAt, record.expiresAt) } : null;
    },
  };
}
