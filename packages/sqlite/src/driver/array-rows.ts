/**
 * Queries whose rows come back as arrays of column values, on either driver: the store's reads
 * of whole records, where building an object with a key per column cost more than the rest of
 * decoding the row. Internal.
 *
 * @module
 */
import { prepareBetterSqlite3Arrays, type BetterSqlite3Database } from './better-sqlite3.js';
import { prepareNodeSqliteArrays, type NativeDatabaseSync } from './node-sqlite.js';
import type { SqliteConnection, SqliteStatement } from './types.js';

/** Compiles `sql` on `db`; each row is an array of its values, in the order of the SELECT. */
export function prepareArrayRows(db: SqliteConnection, sql: string): SqliteStatement<unknown[]> {
  return db.driver === 'better-sqlite3'
    ? prepareBetterSqlite3Arrays(db.native as BetterSqlite3Database, sql)
    : prepareNodeSqliteArrays(db.native as NativeDatabaseSync, sql);
}
