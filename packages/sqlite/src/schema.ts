/**
 * The table, its indexes and every statement the store runs, prepared once. All values are
 * bound parameters; the only spliced text is the table name, validated as a plain identifier
 * and quoted. Internal.
 *
 * @module
 */
import type { SqliteConnection, SqliteStatement } from './driver/types.js';
import { prepareArrayRows } from './driver/array-rows.js';
import { COLUMNS, type RowParams, type SessionValues } from './row.js';

/** Parameters of the compare-and-set update: the new row plus the guard values. */
export interface UpdateParams extends RowParams {
  expected_version: number;
  now: number;
}

/** Every prepared statement of one store. */
export interface Statements {
  readonly ping: SqliteStatement<unknown>;
  readonly get: SqliteStatement<SessionValues>;
  readonly insert: SqliteStatement<unknown>;
  readonly update: SqliteStatement<unknown>;
  readonly exists: SqliteStatement<unknown>;
  readonly taken: SqliteStatement<unknown>;
  readonly touch: SqliteStatement<unknown>;
  readonly delete: SqliteStatement<unknown>;
  readonly listByUser: SqliteStatement<SessionValues>;
  readonly deleteByUser: SqliteStatement<{ id: unknown }>;
  readonly prune: SqliteStatement<unknown>;
}

const quote = (identifier: string): string => `"${identifier}"`;

/** Creates the table and its indexes if they do not exist. */
export function createSchema(db: SqliteConnection, tableName: string): void {
  const table = quote(tableName);
  // Plain rowid table rather than WITHOUT ROWID: session data can be large, and SQLite
  // advises against WITHOUT ROWID for rows bigger than a small fraction of a page.
  db.exec(`
    CREATE TABLE IF NOT EXISTS ${table} (
      id TEXT NOT NULL PRIMARY KEY,
      secret_hash TEXT NOT NULL,
      user_id TEXT,
      data TEXT NOT NULL,
      version INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      last_seen_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      absolute_expires_at INTEGER NOT NULL,
      persistent INTEGER NOT NULL,
      authenticated_at INTEGER,
      user_agent TEXT,
      ip TEXT
    );
    CREATE INDEX IF NOT EXISTS ${quote(`${tableName}_user_id`)}
      ON ${table} (user_id, created_at) WHERE user_id IS NOT NULL;
    CREATE INDEX IF NOT EXISTS ${quote(`${tableName}_expires_at`)} ON ${table} (expires_at);
  `);
}

/** Prepares every statement once. */
export function prepareStatements(db: SqliteConnection, tableName: string): Statements {
  const table = quote(tableName);
  const columns = COLUMNS.join(', ');
  const assignments = COLUMNS.filter((c) => c !== 'id')
    .map((c) => `${c} = @${c}`)
    .join(', ');
  const prepare = <R>(sql: string): SqliteStatement<R> => db.prepare<R>(sql);
  return {
    // A real read of the table: `SELECT 1` alone takes no lock, so it would report a locked database as healthy.
    ping: prepare(`SELECT 1 FROM ${table} LIMIT 1`),
    // Whole records are read as arrays of values, in the order of COLUMNS (`fromValues`).
    get: prepareArrayRows(db, `SELECT ${columns} FROM ${table} WHERE id = ? AND expires_at > ?`),
    insert: prepare(`INSERT INTO ${table} (${columns}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')}) ON CONFLICT (id) DO NOTHING`),
    update: prepare(`UPDATE ${table} SET ${assignments} WHERE id = @id AND version = @expected_version AND expires_at > @now`),
    exists: prepare(`SELECT 1 FROM ${table} WHERE id = ? AND expires_at > ?`),
    // Any row, expired or not: what the insert's ON CONFLICT treats as taken.
    taken: prepare(`SELECT 1 FROM ${table} WHERE id = ?`),
    // One statement, so a touch can never shorten expiry or pass the absolute limit, whatever
    // another connection wrote in between.
    touch: prepare(
      `UPDATE ${table} SET last_seen_at = max(last_seen_at, @last_seen_at),
         expires_at = max(expires_at, min(@expires_at, absolute_expires_at))
       WHERE id = @id AND expires_at > @now`,
    ),
    delete: prepare(`DELETE FROM ${table} WHERE id = ?`),
    listByUser: prepareArrayRows(db, `SELECT ${columns} FROM ${table} WHERE user_id = ? AND expires_at > ? ORDER BY created_at, id`),
    deleteByUser: prepare(`DELETE FROM ${table} WHERE user_id = ? AND id IS NOT ? RETURNING id`),
    prune: prepare(`DELETE FROM ${table} WHERE expires_at <= ?`),
  };
}
