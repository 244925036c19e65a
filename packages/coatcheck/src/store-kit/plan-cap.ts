/**
 * The one rule of a per-user session cap, for every store's `createCapped`: given the user's
 * live sessions (read under the store's own per-user lock or transaction), which of them end
 * so the new one fits, or that none may and the create is refused. Exported from
 * `coatcheck/store-kit`.
 *
 * @module
 */
import type { EvictedSession, SessionCap } from '../store/types.js';

/** What {@link planCap} decides: the sessions to delete first, or a refusal. */
export type CapPlan = { readonly evict: readonly EvictedSession[] } | { readonly full: number };

/**
 * Decides a capped create. `live` is the user's sessions that are live at the store's `now`
 * (any order; the one `cap.replaces` names may be among them and is skipped). Returns the
 * sessions to evict, in eviction order (oldest or idlest first, ties by id), or `{ full }`
 * with the live count when `cap.evict` is `'none'` and there is no room.
 *
 * @example
 * ```ts
 * const plan = planCap(liveSessionsOf(userId), cap)
 * if ('full' in plan) return { outcome: 'full', live: plan.full }
 * for (const session of plan.evict) deleteSession(session.id)
 * ```
 */
export function planCap(live: readonly EvictedSession[], cap: SessionCap): CapPlan {
  const others = live.filter((session) => session.id !== cap.replaces);
  // The new session takes one place of `max`.
  const excess = others.length + 1 - cap.max;
  if (excess <= 0) return { evict: [] };
  if (cap.evict === 'none') return { full: others.length };
  const key = cap.evict === 'oldest' ? 'createdAt' : 'lastSeenAt';
  const ordered = [...others].sort((a, b) => a[key] - b[key] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { evict: ordered.slice(0, excess) };
}

/** The fields of an evicted session, copied out of a record (so no data travels with it). */
export function toEvicted(record: EvictedSession): EvictedSession {
  return { id: record.id, createdAt: record.createdAt, lastSeenAt: record.lastSeenAt, device: { userAgent: record.device.userAgent, ip: record.device.ip } };
}
