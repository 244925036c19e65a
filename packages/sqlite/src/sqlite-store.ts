/**
 * Embedded SQLite session store on better-sqlite3. Exported from `@coatcheck/sqlite`.
 *
 * One table, one row per session; expiry is filtered at read with the manager's clock
 * (`expires_at > now`) and expired rows are deleted by a timer. A file database runs in WAL
 * mode with a busy timeout, so several processes on one machine can share it: a writer waits
 * for another's lock instead of failing. When it waits too long, or the file is unusable, the
 * call rejects with `SessionStoreError` (`ERR_SESSION_STORE_UNAVAILABLE`); a raw driver
 * error never escapes. The session history lives in a second table (`history.ts`), pruned by
 * the same timer.
 *
 * @module
 */
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { storeErrors, type SessionRecord, type SessionStore, type UpdateResult } from 'coatcheck/store-kit';
import { CorruptRecordError, SessionConfigError } from 'coatcheck/errors';
import { WARNINGS } from 'coatcheck/warnings';
import { assertDatabaseDirectory, bindingsError } from './open-errors.js';
import { resolveOptions, type SqliteStoreOptions } from './options.js';
import { fromRow, toParams, type SessionRow } from './row.js';
import { createSchema, prepareStatements, type UpdateParams } from './schema.js';
import { createHistorySchema, prepareHistory, type SqliteHistory } from './history.js';
import { sqliteBus, type SqliteBus } from './bus/sqlite-bus.js';

/** A {@link SessionStore} backed by SQLite, with access to its connection. */
export interface SqliteStore extends SessionStore {
  readonly name: 'sqlite';
  /** The better-sqlite3 connection (for backups, `PRAGMA integrity_check`, inspection). */
  readonly db: BetterSqlite3.Database;
  /**
   * The bus of this file (`sqliteBus` on this connection, default settings), created on the
   * first call and closed with the store. The manager takes it by default, with the local
   * cache, so that every process sharing the file hears of revocations.
   */
  bus(): SqliteBus;
}

/** Warning code emitted when the prune timer fails. */
export const PRUNE_FAILED_WARNING = WARNINGS.SQLITE_PRUNE_FAILED.code;

const errors = storeErrors('sqlite', 'SQLite store');

function open(filename: string, busyTimeoutMs: number): BetterSqlite3.Database {
  assertDatabaseDirectory(filename);
  let db: BetterSqlite3.Database;
  try {
    db = new Database(filename, { timeout: busyTimeoutMs });
  } catch (error) {
    // Native bindings load on the first connection: an install mistake, not an outage.
    throw bindingsError(error) ?? error;
  }
  try {
    if (!db.memory) {
      // WAL lets readers run beside the one writer; NORMAL is durable in WAL mode except for
      // the last transactions before a power loss, never corrupting.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Creates a SQLite store. Opens `filename` (default `':memory:'`) or uses the `database`
 * you pass, creates the table if missing, and prunes expired rows every minute.
 *
 * @throws `SessionConfigError` for invalid options, a missing or unwritable directory for
 * the file, or better-sqlite3 native bindings that were not built (`npm rebuild
 * better-sqlite3`); `SessionStoreError` when the database cannot be opened or the table
 * cannot be created.
 *
 * @example
 * ```ts
 * import { sqliteStore } from '@coatcheck/sqlite'
 * const store = sqliteStore({ filename: 'data/sessions.db' })
 * ```
 */
export function sqliteStore(options: SqliteStoreOptions = {}): SqliteStore {
  const resolved = resolveOptions(options);
  const { tableName, busyTimeoutMs, pruneIntervalMs, now, onCorrupt } = resolved;
  const owned = resolved.database === undefined;
  let db: BetterSqlite3.Database;
  let statements: ReturnType<typeof prepareStatements>;
  let history: SqliteHistory;
  try {
    db = resolved.database ?? open(resolved.filename, busyTimeoutMs);
    try {
      db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      createSchema(db, tableName);
      createHistorySchema(db, tableName);
      statements = prepareStatements(db, tableName);
      history = prepareHistory(db, tableName);
    } catch (error) {
      if (owned) db.close();
      throw error;
    }
  } catch (error) {
    if (error instanceof SessionConfigError) throw error;
    throw errors.wrap('open', error);
  }

  let closed = false;
  let bus: SqliteBus | undefined;
  // Runs one synchronous driver call; every failure becomes a SessionStoreError. Corrupt
  // rows found during the call are reported after it, outside the error wrapping, so a
  // throwing onCorrupt is the caller's error and not mistaken for an outage.
  async function attempt<T>(operation: string, run: (corrupt: [string, Error][]) => T): Promise<T> {
    const corrupt: [string, Error][] = [];
    let result: T;
    try {
      if (closed) throw errors.closed(operation);
      result = run(corrupt);
    } catch (error) {
      throw errors.wrap(operation, error);
    }
    for (const [id, error] of corrupt) onCorrupt(id, error);
    return result;
  }

  // A row that cannot be decoded is deleted so it cannot fail every request (SF-23).
  function decode(row: SessionRow, corrupt: [string, Error][]): SessionRecord | null {
    try {
      return fromRow(row);
    } catch (error) {
      if (!(error instanceof CorruptRecordError)) throw error;
      statements.delete.run(row.id);
      corrupt.push([String(row.id), error]);
      return null;
    }
  }

  // The guarded UPDATE and the probe that explains a miss run in one write transaction, so
  // no other connection can change the row between them.
  const compareAndSet = db.transaction((params: UpdateParams): UpdateResult => {
    if (statements.update.run(params).changes === 1) return 'ok';
    return statements.exists.get(params.id, params.now) === undefined ? 'missing' : 'conflict';
  });

  const timer =
    pruneIntervalMs > 0
      ? setInterval(() => {
          if (closed) return;
          try {
            const at = now();
            statements.prune.run(at);
            history.prune(at);
          } catch (error) {
            process.emitWarning(errors.wrap('prune', error).message, { code: PRUNE_FAILED_WARNING });
          }
        }, pruneIntervalMs)
      : undefined;
  timer?.unref();

  return {
    name: 'sqlite',
    get db() {
      return db;
    },
    get: (id, at) =>
      attempt('get', (corrupt) => {
        const row = statements.get.get(id, at);
        return row === undefined ? null : decode(row, corrupt);
      }),
    // Serializing happens before the driver call: data JSON cannot represent (BigInt, a
    // cycle) is the caller's TypeError, as in memoryStore, not a store outage.
    async create(record) {
      const params = toParams(record);
      return attempt('create', () => statements.insert.run(params).changes === 1);
    },
    async update(next, expectedVersion, at) {
      const params = { ...toParams(next), expected_version: expectedVersion, now: at };
      return attempt('update', () => compareAndSet.immediate(params));
    },
    touch: (id, lastSeenAt, expiresAt, at) =>
      attempt('touch', () => {
        const params = { id, last_seen_at: lastSeenAt, expires_at: expiresAt, now: at };
        return statements.touch.run(params).changes === 1;
      }),
    delete: (id) => attempt('delete', () => statements.delete.run(id).changes > 0),
    listByUser: (userId, at) =>
      attempt('listByUser', (corrupt) =>
        statements.listByUser
          .all(userId, at)
          .map((row) => decode(row, corrupt))
          .filter((record): record is SessionRecord => record !== null),
      ),
    deleteByUser: (userId, exceptId) => attempt('deleteByUser', () => statements.deleteByUser.all(userId, exceptId ?? null).map(String)),
    prune: (at) =>
      attempt('prune', () => {
        history.prune(at);
        return statements.prune.run(at).changes;
      }),
    appendHistory: (entries, limits) => attempt('appendHistory', () => history.append(entries, limits)),
    readHistory: (query, options) => attempt('readHistory', () => history.read(query, options)),
    ping: () => attempt('ping', () => void statements.ping.get()),
    bus() {
      if (closed) throw errors.closed('bus');
      bus ??= sqliteBus({ database: db, tableName });
      return bus;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      await bus?.close();
      try {
        if (owned && db.open) db.close();
      } catch (error) {
        throw errors.wrap('close', error);
      }
    },
  };
}
