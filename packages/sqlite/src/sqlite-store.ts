/**
 * Embedded SQLite session store, on `node:sqlite` where Node has it (22.13+, 24+) and on
 * better-sqlite3 otherwise (`driver/`). Exported from `@coatcheck/sqlite`.
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
import { storeErrors, type CappedCreateResult, type SessionCap, type SessionRecord, type SessionStore, type UpdateResult } from 'coatcheck/store-kit';
import { CorruptRecordError, SessionConfigError } from 'coatcheck/errors';
import { WARNINGS } from 'coatcheck/warnings';
import { adoptDatabase, openSqliteDatabase } from './driver/open.js';
import type { SqliteConnection } from './driver/types.js';
import { resolveOptions, type SqliteStoreFileOptions, type SqliteStoreOptions } from './options.js';
import { fromValues, toParams, type SessionValues } from './row.js';
import { createSchema, prepareStatements, type UpdateParams } from './schema.js';
import { createHistorySchema, prepareHistory, type SqliteHistory } from './history.js';
import { sqliteBus, type SqliteBus } from './bus/sqlite-bus.js';
import { createCappedInTransaction } from './capped-create.js';
import { batchReads } from './read-batch.js';

/** A {@link SessionStore} backed by SQLite, with access to its connection. */
export interface SqliteStore extends SessionStore {
  readonly name: 'sqlite';
  /**
   * The connection (for `PRAGMA integrity_check`, inspection, an app's own tables), on
   * whichever driver the store uses: `db.driver` says which, `db.native` is the driver's object.
   */
  readonly db: SqliteConnection;
  /**
   * {@link SessionStore.createCapped}, always present: one `BEGIN IMMEDIATE` transaction, so
   * the cap holds against every connection and process on the file.
   */
  createCapped(record: SessionRecord, cap: SessionCap, now: number): Promise<CappedCreateResult>;
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

/**
 * Creates a SQLite store. Opens `filename` (default `':memory:'`) or uses the `database`
 * you pass, creates the table if missing, and prunes expired rows every minute.
 *
 * @throws `SessionConfigError` for invalid options, a missing or unwritable directory for
 * the file, no usable driver (on Node 20: `npm install better-sqlite3`), or better-sqlite3
 * native bindings that were not built (`npm rebuild better-sqlite3`); `SessionStoreError`
 * when the database cannot be opened or the table cannot be created.
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
  let db: SqliteConnection;
  let statements: ReturnType<typeof prepareStatements>;
  let history: SqliteHistory;
  try {
    db = resolved.database === undefined ? openSqliteDatabase(options as SqliteStoreFileOptions) : adoptDatabase(resolved.database, 'sqliteStore');
    try {
      db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
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
  function discard(id: unknown, error: CorruptRecordError, corrupt: [string, Error][]): null {
    statements.delete.run(id);
    corrupt.push([String(id), error]);
    return null;
  }

  function decode(row: SessionValues, corrupt: [string, Error][]): SessionRecord | null {
    try {
      return fromValues(row);
    } catch (error) {
      if (!(error instanceof CorruptRecordError)) throw error;
      return discard(row[0], error, corrupt);
    }
  }

  // The guarded UPDATE and the probe that explains a miss run in one write transaction, so
  // no other connection can change the row between them.
  const compareAndSet = (params: UpdateParams): UpdateResult =>
    db.transaction(() => {
      if (statements.update.run(params).changes === 1) return 'ok';
      return statements.exists.get(params.id, params.now) === undefined ? 'missing' : 'conflict';
    });

  // One statement per read, no transaction of its own (a batch of them shares one, a lone
  // SELECT reads one consistent snapshot); the row is checked (`checkRecord`) after it.
  const reads = batchReads(
    db,
    (id, at) => {
      if (closed) throw errors.closed('get');
      return statements.get.get(id, at);
    },
    (row): SessionRecord | null | Promise<SessionRecord | null> => {
      if (row === undefined) return null;
      try {
        return fromValues(row);
      } catch (error) {
        if (!(error instanceof CorruptRecordError)) throw errors.wrap('get', error);
        const id = row[0];
        return attempt('get', (corrupt) => discard(id, error, corrupt));
      }
    },
    (error) => errors.wrap('get', error),
  );

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
    // The request path of every cache miss: batched per turn of the event loop (`read-batch.ts`).
    get: reads.read,
    // Serializing happens before the driver call: data JSON cannot represent (BigInt, a
    // cycle) is the caller's TypeError, as in memoryStore, not a store outage.
    async create(record) {
      const params = toParams(record);
      return attempt('create', () => statements.insert.run(params).changes === 1);
    },
    // One IMMEDIATE transaction: the write lock is taken before the count, so two logins of
    // one user, from any connection or process on the file, never both see room (AB-08). A
    // lock held too long by another writer is SQLITE_BUSY after the busy timeout, as for any write.
    async createCapped(record, cap, at) {
      const params = toParams(record);
      return attempt('createCapped', (corrupt) => db.transaction(() => createCappedInTransaction(statements, params, cap, at, (row) => decode(row, corrupt))));
    },
    async update(next, expectedVersion, at) {
      const params = { ...toParams(next), expected_version: expectedVersion, now: at };
      return attempt('update', () => compareAndSet(params));
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
    deleteByUser: (userId, exceptId) => attempt('deleteByUser', () => statements.deleteByUser.all(userId, exceptId ?? null).map((row) => String(row.id))),
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
      // Reads asked for before the close still run on the open connection.
      reads.flush();
      closed = true;
      if (timer) clearInterval(timer);
      await bus?.close();
      try {
        if (owned && db.isOpen) db.close();
      } catch (error) {
        throw errors.wrap('close', error);
      }
    },
  };
}
