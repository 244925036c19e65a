/**
 * The capped create of the SQLite store (`createCapped`, behind `maxSessionsPerUser`): run
 * by the store inside one `BEGIN IMMEDIATE` transaction, so the count, the evictions and the
 * insert happen under the file's write lock, atomically against every other connection and
 * process on the file. Which sessions make room is `planCap`'s rule, not this file's. Internal.
 *
 * @module
 */
import { planCap, toEvicted, type CappedCreateResult, type SessionCap, type SessionRecord } from 'coatcheck/store-kit';
import type { RowParams, SessionValues } from './row.js';
import type { Statements } from './schema.js';

/**
 * Decides and writes a capped create; the caller holds the write transaction. `decode` is
 * the store's row decoder, which deletes an unreadable row (SF-23): a session the device list
 * would not show is not counted either.
 */
export function createCappedInTransaction(
  statements: Statements,
  params: RowParams,
  cap: SessionCap,
  now: number,
  decode: (row: SessionValues) => SessionRecord | null,
): CappedCreateResult {
  if (statements.taken.get(params.id) !== undefined) return { outcome: 'exists' };
  const live = statements.listByUser
    .all(params.user_id, now)
    .map(decode)
    .filter((record): record is SessionRecord => record !== null);
  const plan = planCap(live, cap);
  // Nothing written, so committing changes nothing (but keeps a corrupt row's deletion).
  if ('full' in plan) return { outcome: 'full', live: plan.full };
  // The same deletion as `delete`: the store keeps nothing else per session (the manager
  // announces and records the evictions).
  for (const session of plan.evict) statements.delete.run(session.id);
  statements.insert.run(params);
  return { outcome: 'created', evicted: plan.evict.map(toEvicted) };
}
