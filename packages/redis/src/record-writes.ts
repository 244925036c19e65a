/**
 * Creating and deleting one session record with its user-index entry, in the order that keeps
 * the index a superset of the user's live records (see `user-index.ts`). Internal; used by the
 * store's `create` and `delete` and by `createCapped`, which must write exactly as they do.
 *
 * @module
 */
import type { SessionRecord } from 'coatcheck/store-kit';
import { CorruptRecordError } from 'coatcheck/errors';
import type { CorruptSink } from './op-guard.js';
import { decodeRecord } from './record-codec.js';
import { CREATE_OVER_EXPIRED, runScript } from './scripts.js';
import { indexSession, isWrongType, pruneIndex, type IndexContext } from './user-index.js';

/**
 * Writes `record` (already encoded as `value`) unless its id holds a record that is live at
 * the record's own clock. The index entry goes first. Returns whether it was written.
 */
export async function insertRecord(ctx: IndexContext, record: SessionRecord, value: string, found: CorruptSink): Promise<boolean> {
  const pxat = Math.ceil(record.expiresAt);
  if (record.userId !== null) await indexSession(ctx, record.userId, record.id, record.absoluteExpiresAt, found);
  const key = ctx.keys.session(record.id);
  const set = await ctx.client.setIfAbsent(key, value, pxat);
  if (set !== null) return true;
  // Redis may still hold a record that is already expired at the manager's clock.
  const code = await runScript(ctx.client, CREATE_OVER_EXPIRED, key, [value, String(pxat), String(record.lastSeenAt)]);
  return Number(code) === 1;
}

/**
 * Deletes the record `id`, then its index entry. Returns whether a record was there; a value
 * that is not a record (or a key of another type) is deleted and reported in `found`.
 */
export async function removeRecord(ctx: IndexContext, id: string, found: CorruptSink): Promise<boolean> {
  const started = Date.now();
  const key = ctx.keys.session(id);
  let value: unknown;
  try {
    value = await ctx.client.getDel(key);
  } catch (error) {
    if (!isWrongType(error)) throw error;
    await ctx.client.del(key);
    found.push({ key, error: new CorruptRecordError('key', 'holds another Redis type') });
    return true;
  }
  if (value === null || value === undefined) return false;
  let userId: string | null = null;
  try {
    userId = decodeRecord(id, String(value)).userId;
  } catch (error) {
    if (!(error instanceof CorruptRecordError)) throw error;
    found.push({ key, error });
  }
  // The record is gone first; only then its index entry.
  if (userId !== null) await pruneIndex(ctx, userId, started, [id]);
  return true;
}
