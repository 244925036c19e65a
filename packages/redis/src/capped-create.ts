/**
 * `createCapped`: a login's create under `maxSessionsPerUser`, atomic against every other
 * `createCapped` of the same user on any instance. Internal.
 *
 * Under the user's session-cap lock (`cap-lock.ts`, which says why a lock and what it
 * guarantees): is the id free; the user's sessions live at `now` (the index members and their
 * records, exactly as `listByUser` reads them); the one eviction rule of the store kit
 * (`planCap`); the evicted sessions deleted exactly as `delete` does (record, then index
 * entry); the new record created exactly as `create` does (index entry, then record).
 *
 * Other writes take no lock. A logout only lowers the count. A rotation (regenerate, step-up)
 * writes its new record before it deletes the old one, so a login racing with it may count
 * one session too many for a moment and evict or refuse one early, never admit one too many.
 *
 * @module
 */
import { planCap, toEvicted, withCapProgress, type CappedCreateResult, type EvictedSession, type SessionCap, type SessionRecord } from 'coatcheck/store-kit';
import { SessionStoreError } from 'coatcheck/errors';
import { withCapLock, type GuardedRun } from './cap-lock.js';
import type { CorruptSink } from './op-guard.js';
import { insertRecord, removeRecord } from './record-writes.js';
import { listUserSessions, type IndexContext } from './user-index.js';

/** What one `createCapped` call runs with. */
export interface CappedCreateInit {
  readonly ctx: IndexContext;
  /** The record's user (`record.userId`, never `null` here). */
  readonly userId: string;
  readonly record: SessionRecord;
  /** The record, encoded. */
  readonly value: string;
  readonly cap: SessionCap;
  readonly now: number;
  readonly opTimeoutMs: number;
  /** The lock's lifetime in Redis, far above `opTimeoutMs`. */
  readonly lockTtlMs: number;
}

/** Runs one capped create; `run` is the store's guarded call; see the module comment. */
export async function createCappedRecord(init: CappedCreateInit, run: GuardedRun): Promise<CappedCreateResult> {
  const { ctx, userId, record, value, cap, now, opTimeoutMs } = init;
  const lock = { key: ctx.keys.capLock(userId), ttlMs: init.lockTtlMs };
  // What is done so far: a failure after the first deletion carries it (withCapProgress), so
  // the manager announces the evictions and deletes a record whose ticket is never sent.
  const evicted: EvictedSession[] = [];
  let created = false;
  try {
    return await withCapLock(ctx.client, run, lock, (found) => body(found));
  } catch (error) {
    throw withCapProgress(error, { evicted, created });
  }

  async function body(found: CorruptSink): Promise<CappedCreateResult> {
    // The guard's deadline for this call: past it, nothing may be written any more.
    const deadline = Date.now() + opTimeoutMs;
    const beforeWriting = (): void => {
      if (Date.now() >= deadline)
        throw new SessionStoreError('redis', `Redis createCapped gave up before writing: it ran past opTimeoutMs (${opTimeoutMs} ms)`);
    };
    const existing = await ctx.read(record.id, found);
    if (existing !== null && existing.expiresAt > now) return { outcome: 'exists' };
    const plan = planCap(await listUserSessions(ctx, userId, now, found), cap);
    if ('full' in plan) return { outcome: 'full', live: plan.full };
    beforeWriting();
    // A session a logout deleted meanwhile is gone already, not evicted by this call. Every
    // deletion settles before a failure is thrown, so the progress it carries is complete.
    const deletions = await Promise.allSettled(plan.evict.map((session) => removeRecord(ctx, session.id, found)));
    deletions.forEach((deletion, i) => {
      if (deletion.status === 'fulfilled' && deletion.value) evicted.push(toEvicted(plan.evict[i] as EvictedSession));
    });
    const failure = deletions.find((deletion) => deletion.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    beforeWriting();
    // The id was free under the lock; only a plain `create` of the same id (a broken random
    // source, TG-04) could have taken it since. The caller then draws a new ticket, and the
    // sessions evicted here are gone without being reported: still never over the cap.
    if (!(await insertRecord(ctx, record, value, found))) return { outcome: 'exists' };
    created = true;
    return { outcome: 'created', evicted: [...evicted] };
  }
}
