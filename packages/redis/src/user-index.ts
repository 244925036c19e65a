/**
 * The per-user index behind "list my devices" and "log out everywhere". Internal.
 *
 * One sorted set per user (`<prefix>u:<userId>`): members are session ids, scores the time
 * (ms) the entry was last written. The session keys live in other Cluster slots, so no
 * command spans the index and a record; the index is kept a *superset* of the user's live
 * records by ordering instead:
 * - a writer adds the entry *before* it writes a record owned by the user (create, or an
 *   update that changes the owner), so a live record is never missing from its index;
 * - a deleter removes the record *before* the entry;
 * - readers drop entries whose record is gone or now owned by someone else, but only entries
 *   older than {@link INDEX_GRACE_MS}, checked atomically against the score: an entry a
 *   writer has just (re)added for a record it is about to write is younger, so it survives.
 * Entries of expired records are dropped by readers the same way, and the whole index key
 * expires with the longest absolute lifetime among its sessions, so `prune` has nothing to do.
 *
 * This ordering keeps "log out everywhere" complete, but it cannot make "count, then create"
 * atomic for a per-user cap: that is what `createCapped` holds the user's lock for
 * (`capped-create.ts`).
 *
 * @module
 */
import type { SessionRecord } from 'coatcheck/store-kit';
import type { CommandOps } from './redis-ops.js';
import type { CorruptSink } from './op-guard.js';
import type { RedisKeys } from './options.js';
import { CorruptRecordError } from 'coatcheck/errors';
import { encodeUserId } from './record-codec.js';
import { DELETE_OWNED, INDEX_ADD, INDEX_PRUNE, runScript } from './scripts.js';

/**
 * How old an index entry must be before a reader may drop it for a missing or foreign
 * record. Far longer than any write between "index" and "record" can take (those calls time
 * out after `opTimeoutMs`), plus clock skew between instances.
 */
const INDEX_GRACE_MS = 5 * 60_000;

/** What the index functions need from the store. */
export interface IndexContext {
  readonly client: CommandOps;
  readonly keys: RedisKeys;
  /** Reads one record; corrupt values are deleted and added to `found`. */
  read(id: string, found: CorruptSink): Promise<SessionRecord | null>;
}

/** True for Redis' "key holds the wrong kind of value" error. */
export function isWrongType(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('WRONGTYPE');
}

/** Adds `id` to the user's index before a record owned by the user is written. */
export async function indexSession(ctx: IndexContext, userId: string, id: string, absoluteExpiresAt: number, found: CorruptSink): Promise<void> {
  const key = ctx.keys.user(userId);
  const args = [String(Date.now()), id, String(Math.ceil(absoluteExpiresAt))];
  if (Number(await runScript(ctx.client, INDEX_ADD, key, args)) === 1) {
    found.push({ key, error: new CorruptRecordError('user index', 'held another Redis type; it was replaced') });
  }
}

/** Removes entries still scored at or before `cutoff` (see the module comment). */
export async function pruneIndex(ctx: IndexContext, userId: string, cutoff: number, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  try {
    await runScript(ctx.client, INDEX_PRUNE, ctx.keys.user(userId), [String(cutoff), ...ids]);
  } catch (error) {
    // A foreign type at the index key is found and replaced by the next read or write.
    if (!isWrongType(error)) throw error;
  }
}

async function members(ctx: IndexContext, userId: string, found: CorruptSink): Promise<string[]> {
  const key = ctx.keys.user(userId);
  try {
    const reply = await ctx.client.zMembers(key);
    return Array.isArray(reply) ? reply.map(String) : [];
  } catch (error) {
    if (!isWrongType(error)) throw error;
    await ctx.client.del(key);
    found.push({ key, error: new CorruptRecordError('user index', 'held another Redis type; it was deleted') });
    return [];
  }
}

const byAge = (a: SessionRecord, b: SessionRecord): number => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1);

/** The user's records live at `now`, oldest first; drops stale entries past the grace time. */
export async function listUserSessions(ctx: IndexContext, userId: string, now: number, found: CorruptSink): Promise<SessionRecord[]> {
  const ids = await members(ctx, userId, found);
  const records = await Promise.all(ids.map((id) => ctx.read(id, found)));
  const live: SessionRecord[] = [];
  const stale: string[] = [];
  records.forEach((record, i) => {
    if (record === null || record.userId !== userId) stale.push(ids[i] as string);
    // Expired at the caller's clock but still in Redis: hidden, and left to its TTL.
    else if (record.expiresAt > now) live.push(record);
  });
  await pruneIndex(ctx, userId, Date.now() - INDEX_GRACE_MS, stale);
  return live.sort(byAge);
}

/** Deletes every record the user owns except `exceptId`; returns the deleted ids. */
export async function deleteUserSessions(ctx: IndexContext, userId: string, exceptId: string | undefined, found: CorruptSink): Promise<string[]> {
  const started = Date.now();
  const ids = (await members(ctx, userId, found)).filter((id) => id !== exceptId);
  const owner = encodeUserId(userId);
  // Each check-and-delete is atomic on its own key; they run concurrently (auto-pipelined).
  const codes = await Promise.all(ids.map((id) => runScript(ctx.client, DELETE_OWNED, ctx.keys.session(id), [owner])));
  const deleted: string[] = [];
  const removed: string[] = [];
  const stale: string[] = [];
  codes.forEach((code, i) => {
    const id = ids[i] as string;
    if (Number(code) === 1) deleted.push(id);
    else if (Number(code) === -1) {
      removed.push(id);
      found.push({ key: ctx.keys.session(id), error: new CorruptRecordError('value', 'is not a coatcheck record') });
    } else stale.push(id);
  });
  // Entries of records this call deleted go now (unless re-added since it started).
  await Promise.all([pruneIndex(ctx, userId, started, [...deleted, ...removed]), pruneIndex(ctx, userId, started - INDEX_GRACE_MS, stale)]);
  return deleted;
}
