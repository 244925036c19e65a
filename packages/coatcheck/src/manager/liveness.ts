/**
 * Liveness of a session by id, for long-lived connections (WebSockets): `peek` reads it,
 * `touch` also slides its idle expiry, throttled like a request's touch.
 *
 * @module
 */
import type { SessionContext } from '../session/context.js';
import { isTouchDue } from '../session/lifetime.js';
import { touchRecord } from '../session/transitions.js';
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

// What a live record tells a connection (the gateway only hands out live records).
function live(record: SessionRecord): LiveSession {
  return { id: record.id, userId: record.userId, expiresAt: record.expiresAt, absoluteExpiresAt: record.absoluteExpiresAt };
}

/** Creates `peek` and `touch` on the manager's store gateway. */
export function createLiveness(ctx: SessionContext): Liveness {
  const { gateway } = ctx;
  return {
    async peek(id) {
      if (!isTicketId(id)) return null;
      const record = await gateway.read(id, ctx.now());
      return record === null ? null : live(record);
    },
    async touch(id) {
      if (!isTicketId(id)) return null;
      const now = ctx.now();
      const record = await gateway.read(id, now);
      if (record === null) return null;
      // Within the throttle window a request would not write either.
      if (!isTouchDue(ctx.lifetime, record.lastSeenAt, now)) return live(record);
      const touched = await touchRecord(ctx, record, now);
      return touched === null ? null : live(touched);
    },
  };
}
