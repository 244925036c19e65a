/**
 * Options of the SQLite store, validated once at construction. Exported from
 * `@coatcheck/sqlite` (types only).
 *
 * @module
 */
import { SessionConfigError } from 'coatcheck/errors';
import { reportCorrupt } from 'coatcheck/store-kit';
import { WARNINGS } from 'coatcheck/warnings';
import type { SqliteDatabase, SqliteDriverName } from './driver/types.js';

/** Options shared by both ways of pointing the store at a database. */
export interface SqliteStoreCommonOptions {
  /**
   * Table holding the sessions; created (with its indexes) if missing. Letters, digits and
   * underscores, not starting with a digit, at most 63 characters.
   * @default 'coatcheck_sessions'
   */
  tableName?: string;
  /**
   * How long a statement waits for another connection's lock before the call rejects with
   * `SessionStoreError` (`ERR_SESSION_STORE_UNAVAILABLE`).
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * How often expired rows are deleted, in ms. `0` disables the timer (call `prune`).
   * The timer is unref'd: it never keeps the process alive.
   * @default 60_000
   */
  pruneIntervalMs?: number;
  /** Clock of the prune timer. @default Date.now */
  now?: () => number;
  /**
   * Called after an unreadable row (bad JSON, wrong column types) was deleted. Receives the
   * session id and an error naming the bad column, never the row's contents.
   * @default emits a process warning with code `COATCHECK_W002`
   */
  onCorrupt?: (id: string, error: Error) => void;
}

/** The store opens (and on `close`, closes) the database file itself. */
export interface SqliteStoreFileOptions extends SqliteStoreCommonOptions {
  /**
   * Database file, created if missing; `':memory:'` for a private in-memory database.
   * A file database is switched to WAL mode with `synchronous = NORMAL`.
   * @default ':memory:'
   */
  filename?: string;
  /**
   * The SQLite driver. By default `node:sqlite` where this Node has it without a flag
   * (22.13+, 24+): built in, nothing to compile. Elsewhere (Node 20) better-sqlite3, which
   * the app installs itself (`npm install better-sqlite3`); name it here to use it on any Node.
   * @default 'node:sqlite' where available, else 'better-sqlite3'
   */
  driver?: SqliteDriverName;
  database?: never;
}

/** The store uses a connection you own; `close` leaves it open. */
export interface SqliteStoreDatabaseOptions extends SqliteStoreCommonOptions {
  /**
   * An open connection: a `node:sqlite` `DatabaseSync`, a better-sqlite3 `Database`, or one
   * from `openSqliteDatabase` (its driver is the one used). Only `busy_timeout` is set
   * on it; choose the journal mode yourself (WAL is strongly recommended when several
   * processes share the file), or open it with `openSqliteDatabase`, which does.
   */
  database: SqliteDatabase;
  filename?: never;
  driver?: never;
}

/** Options of `sqliteStore`: either a `filename` or an open `database`, not both. */
export type SqliteStoreOptions = SqliteStoreFileOptions | SqliteStoreDatabaseOptions;

/** Options after defaults; internal. */
export interface ResolvedSqliteOptions {
  readonly database: SqliteDatabase | undefined;
  readonly filename: string;
  readonly driver: SqliteDriverName | undefined;
  readonly tableName: string;
  readonly busyTimeoutMs: number;
  readonly pruneIntervalMs: number;
  readonly now: () => number;
  readonly onCorrupt: (id: string, error: Error) => void;
}

/** Warning code of the default `onCorrupt` report. */
export const CORRUPT_ROW_WARNING = WARNINGS.SQLITE_CORRUPT_ROW.code;

// The table name is spliced into SQL (identifiers cannot be bound), so only a plain
// identifier is accepted; it is quoted as well.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function assertOptions(options: SqliteStoreOptions): void {
  const { tableName, busyTimeoutMs, pruneIntervalMs, now, onCorrupt } = options;
  if (options.database !== undefined && options.filename !== undefined) {
    throw new SessionConfigError('sqliteStore: pass either `filename` or `database`, not both.');
  }
  if (options.database !== undefined && options.driver !== undefined) {
    throw new SessionConfigError("sqliteStore: `driver` chooses how the store opens `filename`; with `database`, the driver is that connection's.");
  }
  if (options.driver !== undefined && options.driver !== 'node:sqlite' && options.driver !== 'better-sqlite3') {
    throw new SessionConfigError("sqliteStore: `driver` must be 'node:sqlite' or 'better-sqlite3'.");
  }
  if (options.filename !== undefined && (typeof options.filename !== 'string' || options.filename === '')) {
    throw new SessionConfigError('sqliteStore: `filename` must be a non-empty path or ":memory:".');
  }
  if (tableName !== undefined && (typeof tableName !== 'string' || !IDENTIFIER.test(tableName))) {
    throw new SessionConfigError('sqliteStore: `tableName` must be letters, digits and underscores, not starting with a digit, at most 63 characters.');
  }
  for (const [key, value] of [
    ['busyTimeoutMs', busyTimeoutMs],
    ['pruneIntervalMs', pruneIntervalMs],
  ] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new SessionConfigError(`sqliteStore: \`${key}\` must be a non-negative integer number of milliseconds.`);
    }
  }
  if (now !== undefined && typeof now !== 'function') throw new SessionConfigError('sqliteStore: `now` must be a function.');
  if (onCorrupt !== undefined && typeof onCorrupt !== 'function') {
    throw new SessionConfigError('sqliteStore: `onCorrupt` must be a function.');
  }
}

/** Validates the options and applies defaults; throws `SessionConfigError`. */
export function resolveOptions(options: SqliteStoreOptions): ResolvedSqliteOptions {
  assertOptions(options);
  return Object.freeze({
    database: options.database,
    filename: options.filename ?? ':memory:',
    driver: options.driver,
    tableName: options.tableName ?? 'coatcheck_sessions',
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
    pruneIntervalMs: options.pruneIntervalMs ?? 60_000,
    now: options.now ?? Date.now,
    onCorrupt: options.onCorrupt ?? reportCorrupt('sqlite', CORRUPT_ROW_WARNING),
  });
}
