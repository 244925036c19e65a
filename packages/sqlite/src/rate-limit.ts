/**
 * The SQLite backend of `coatcheck/rate-limit`. Exported from `@coatcheck/sqlite`.
 *
 * One row per key, `(key, tat)`, in a table of its own beside the sessions. A hit reads the
 * row and writes the new TAT in one `BEGIN IMMEDIATE` transaction: IMMEDIATE takes the
 * file's write lock before the read, so two connections (two processes of the app) can
 * never both decide on the same TAT; a connection that finds the lock taken waits
 * `busy_timeout`, as the store's writes do.
 *
 * @module
 */
import { SessionConfigError, SessionStoreError } from 'coatcheck/errors';
import { stepGcra, type GcraOutcome, type GcraStep, type RateLimitBackend } from 'coatcheck/rate-limit';
import { adoptDatabase } from './driver/open.js';
import type { SqliteDatabase, SqliteStatement } from './driver/types.js';

/** Options of {@link sqliteRateLimit}. */
export interface SqliteRateLimitOptions {
  /**
   * An open connection, typically the store's: `sqliteStore(...).db` (a `node:sqlite`
   * `DatabaseSync` or a better-sqlite3 `Database` is accepted too). It is never closed by the
   * backend. Give every process its own connection to the same file
   * (WAL mode, as the store sets it).
   */
  database: SqliteDatabase;
  /**
   * Table of the rate-limit keys, created if missing. Letters, digits and underscores, not
   * starting with a digit, at most 60 characters.
   * @default 'coatcheck_rate_limits'
   */
  tableName?: string;
}

/** A {@link RateLimitBackend} on SQLite. */
export interface SqliteRateLimit extends RateLimitBackend {
  readonly name: 'sqlite';
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,59}$/;

function rateLimitError(operation: string, error: unknown): SessionStoreError {
  const reason = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return new SessionStoreError('sqlite', `SQLite rate limit ${operation} failed${typeof code === 'string' ? ` (${code})` : ''}: ${reason}`, {
    cause: error,
  });
}

/**
 * Creates a SQLite rate-limit backend on an open connection, creating its table if missing.
 *
 * @throws `SessionConfigError` for invalid options; `SessionStoreError` when the table
 * cannot be created.
 *
 * @example
 * ```ts
 * import { sqliteStore, sqliteRateLimit } from '@coatcheck/sqlite'
 * import { createRateLimiter } from 'coatcheck/rate-limit'
 *
 * const store = sqliteStore({ filename: 'data/sessions.db' })
 * const logins = createRateLimiter({ backend: sqliteRateLimit({ database: store.db }), name: 'login', rules: { address: { limit: 20, windowMs: 60_000 } } })
 * ```
 */
export function sqliteRateLimit(options: SqliteRateLimitOptions): SqliteRateLimit {
  const { database, tableName = 'coatcheck_rate_limits' } = (options ?? {}) as Partial<SqliteRateLimitOptions>;
  if (typeof tableName !== 'string' || !IDENTIFIER.test(tableName)) {
    throw new SessionConfigError('sqliteRateLimit: `tableName` must be letters, digits and underscores, not starting with a digit, at most 60 characters.');
  }
  const db = adoptDatabase(database as SqliteDatabase, 'sqliteRateLimit');
  const table = `"${tableName}"`;
  let statements: {
    read: SqliteStatement<{ tat: number }>;
    write: SqliteStatement<unknown>;
    reset: SqliteStatement<unknown>;
    prune: SqliteStatement<unknown>;
  };
  try {
    // WITHOUT ROWID: the rows are tiny and always found by key, so the key is the table.
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${table} (key TEXT NOT NULL PRIMARY KEY, tat INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS "${tableName}_tat" ON ${table} (tat);`);
    statements = {
      read: db.prepare(`SELECT tat FROM ${table} WHERE key = ?`),
      write: db.prepare(`INSERT INTO ${table} (key, tat) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET tat = excluded.tat`),
      reset: db.prepare(`DELETE FROM ${table} WHERE key = ?`),
      prune: db.prepare(`DELETE FROM ${table} WHERE tat <= ?`),
    };
  } catch (error) {
    throw rateLimitError('setup', error);
  }
  const { read, write, reset, prune } = statements;

  const step = (key: string, input: GcraStep): GcraOutcome => {
    const outcome = stepGcra(read.get(key)?.tat, input);
    if (outcome.allowed) write.run(key, outcome.tat);
    return outcome;
  };

  // Both drivers are synchronous; the promise wrapping only turns its throws into rejections.
  async function attempt<T>(operation: string, run: () => T): Promise<T> {
    try {
      return run();
    } catch (error) {
      throw rateLimitError(operation, error);
    }
  }

  return {
    name: 'sqlite',
    consume: (key, input) => attempt('consume', () => db.transaction(() => step(key, input))),
    reset: (key) => attempt('reset', () => void reset.run(key)),
    prune: (now) => attempt('prune', () => prune.run(now).changes),
    async close() {},
  };
}
