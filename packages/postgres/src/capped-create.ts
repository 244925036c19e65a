/**
 * The capped create of the Postgres store (`createCapped`, behind `maxSessionsPerUser`): one
 * transaction on one pooled connection, serialized per user across every instance by a
 * transaction-scoped advisory lock. Which sessions make room is `planCap`'s rule, not this
 * file's. Internal.
 *
 * Why an advisory lock, and why READ COMMITTED: rows cannot be locked before they exist, so
 * two logins counting the same rows would both see room. The lock, keyed on the table and the
 * user, makes the second wait until the first commits; each later statement of a READ
 * COMMITTED transaction takes a new snapshot, so the count then sees the first login's rows.
 * The level is named because a database or pool may default to REPEATABLE READ, whose one
 * snapshot (taken before the lock was granted) would hide them.
 *
 * On any error the runner discards the connection (`release(error)`); the server then rolls
 * the transaction back and frees the lock, so nothing is left half-done or held, and a dead
 * connection or a full pool fails like every other call (`SessionStoreError`, 503).
 *
 * @module
 */
import { planCap, toEvicted, type CappedCreateResult, type SessionCap, type SessionRecord } from 'coatcheck/store-kit';
import { advisoryKey, type TableNames } from './identifiers.js';
import type { SessionRow } from './row.js';
import type { Query } from './runner.js';
import type { Statements } from './schema.js';

/** One capped create: the row's bind parameters (`toParams`) and what it runs under. */
export interface CappedCreate {
  readonly params: unknown[];
  readonly userId: string | null;
  readonly id: string;
  /** {@link capLockKey} of the table and user. */
  readonly lockKey: string;
  readonly cap: SessionCap;
  readonly now: number;
}

/**
 * The lock key of one user's sessions in one table: `advisoryKey` (SHA-256 in the client, the
 * same derivation as the schema and prune locks), so no server hash function is relied on.
 * A table name has no `:`, so `table:user` is unambiguous. Another lock that happened to get
 * the same 64-bit key would only make two logins wait for each other.
 */
export function capLockKey(names: TableNames, userId: string | null): string {
  return advisoryKey('cap', `${names.display}:${userId ?? ''}`);
}

/**
 * Runs a capped create on `query`'s connection. `decode` is the store's row decoder, which
 * deletes an unreadable row on the same connection (SF-23): a session the device list would
 * not show is not counted either.
 */
export async function runCappedCreate(
  query: Query,
  statements: Statements,
  create: CappedCreate,
  decode: (rows: SessionRow[]) => Promise<SessionRecord[]>,
): Promise<CappedCreateResult> {
  await query('BEGIN ISOLATION LEVEL READ COMMITTED');
  await query('SELECT pg_advisory_xact_lock($1::bigint)', [create.lockKey]);
  if (((await query(statements.taken, [create.id])).rowCount ?? 0) > 0) {
    await query('COMMIT');
    return { outcome: 'exists' };
  }
  const { rows } = await query<SessionRow>(statements.listByUser, [create.userId, create.now]);
  const plan = planCap(await decode(rows), create.cap);
  if ('full' in plan) {
    // Nothing written, so committing changes nothing (but keeps a corrupt row's deletion).
    await query('COMMIT');
    return { outcome: 'full', live: plan.full };
  }
  // The same deletion as `delete`: the store keeps nothing else per session (the manager
  // announces and records the evictions).
  if (plan.evict.length > 0) await query(statements.deleteMany, [plan.evict.map((session) => session.id)]);
  // A plain `create` takes no lock: should one have taken the id since, undo the evictions.
  if ((await query(statements.insert, create.params)).rowCount !== 1) {
    await query('ROLLBACK');
    return { outcome: 'exists' };
  }
  await query('COMMIT');
  return { outcome: 'created', evicted: plan.evict.map(toEvicted) };
}
