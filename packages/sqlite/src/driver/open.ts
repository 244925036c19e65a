/**
 * Opening a database file on the chosen driver, and adopting a connection the app opened.
 * Exported from `@coatcheck/sqlite`: {@link openSqliteDatabase}.
 *
 * @module
 */
import { SessionConfigError } from 'coatcheck/errors';
import { assertDatabaseDirectory, bindingsError } from '../open-errors.js';
import { resolveOptions } from '../options.js';
import { fromBetterSqlite3, type BetterSqlite3Database } from './better-sqlite3.js';
import { chooseDriver, DRIVER_NAMES, loadBetterSqlite3, loadNodeSqlite, whyBetterSqlite3 } from './load.js';
import { fromDatabaseSync, type NativeDatabaseSync } from './node-sqlite.js';
import type { SqliteConnection, SqliteDatabase, SqliteDriverName } from './types.js';

/** Options of {@link openSqliteDatabase}. */
export interface OpenSqliteOptions {
  /** Database file, created if missing; `':memory:'` for a private in-memory database. @default ':memory:' */
  filename?: string;
  /**
   * The driver. By default `node:sqlite` where this Node has it (22.13+, 24+), else
   * better-sqlite3, which the app then installs (`npm install better-sqlite3`).
   */
  driver?: SqliteDriverName;
  /** How long a statement waits for another connection's lock. @default 5000 */
  busyTimeoutMs?: number;
}

function openNative(filename: string, requested: SqliteDriverName | undefined): SqliteConnection {
  const driver = chooseDriver(requested);
  if (driver === 'node:sqlite') {
    const { DatabaseSync } = loadNodeSqlite() as NonNullable<ReturnType<typeof loadNodeSqlite>>;
    return fromDatabaseSync(new DatabaseSync(filename), filename);
  }
  const Database = loadBetterSqlite3(whyBetterSqlite3(requested));
  let db: BetterSqlite3Database;
  try {
    db = new Database(filename);
  } catch (error) {
    // Native bindings load on the first connection: an install mistake, not an outage.
    throw bindingsError(error) ?? error;
  }
  return fromBetterSqlite3(db);
}

/**
 * Opens a SQLite file the way the store does: the driver chosen as for `sqliteStore`, a busy
 * timeout, and for a file WAL mode with `synchronous = NORMAL`. For an app that keeps its own
 * tables in the store's file and passes the connection as `database`.
 *
 * @throws `SessionConfigError` for invalid options, a missing driver (with what to install),
 * or a missing or unwritable directory; the driver's error when the file cannot be opened.
 *
 * @example
 * ```ts
 * import { openSqliteDatabase, sqliteStore } from '@coatcheck/sqlite'
 * const db = openSqliteDatabase({ filename: 'data/app.db' })
 * db.exec('CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT)')
 * const store = sqliteStore({ database: db })
 * ```
 */
export function openSqliteDatabase(options: OpenSqliteOptions = {}): SqliteConnection {
  const { filename, driver, busyTimeoutMs } = resolveOptions(options);
  assertDatabaseDirectory(filename);
  const db = openNative(filename, driver);
  try {
    db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    if (!db.inMemory) {
      // WAL lets readers run beside the one writer; NORMAL is durable in WAL mode except for
      // the last transactions before a power loss, never corrupting.
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = NORMAL');
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Whether `value` has the shape of a {@link SqliteConnection}. */
function isConnection(value: object): value is SqliteConnection {
  const { driver, transaction } = value as Partial<SqliteConnection>;
  return typeof transaction === 'function' && DRIVER_NAMES.includes(driver as SqliteDriverName);
}

/**
 * A {@link SqliteConnection} on an open connection the app passed: ours, a `DatabaseSync`, or
 * a better-sqlite3 `Database`. Throws `SessionConfigError` (naming `who`) for anything else.
 */
export function adoptDatabase(database: SqliteDatabase, who: string): SqliteConnection {
  if (typeof database === 'object' && database !== null) {
    if (isConnection(database)) return database;
    const candidate = database as Partial<BetterSqlite3Database>;
    if (typeof candidate.pragma === 'function' && typeof candidate.transaction === 'function') {
      return fromBetterSqlite3(database as BetterSqlite3Database);
    }
    const DatabaseSync = loadNodeSqlite()?.DatabaseSync;
    if (DatabaseSync !== undefined && database instanceof DatabaseSync) return fromDatabaseSync(database as NativeDatabaseSync);
  }
  throw new SessionConfigError(
    `${who}: \`database\` must be an open connection: a node:sqlite DatabaseSync, a better-sqlite3 Database, or the \`db\` of a sqliteStore.`,
  );
}
