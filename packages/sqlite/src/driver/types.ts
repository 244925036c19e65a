/**
 * The driver-neutral connection the SQLite store, its history, the rate limit and the scan
 * run on: only what they use, the same on `node:sqlite` and better-sqlite3. Exported from
 * `@coatcheck/sqlite` (types only).
 *
 * @module
 */

/** The SQLite drivers the store runs on. */
export type SqliteDriverName = 'node:sqlite' | 'better-sqlite3';

/** What `run` reports: how many rows the statement inserted, updated or deleted. */
export interface SqliteRunResult {
  readonly changes: number;
}

/**
 * A prepared statement. Parameters are positional values or one object of named ones
 * (`@name` in the SQL, the key without `@`). Integers always come back as JS numbers.
 */
export interface SqliteStatement<Row = Record<string, unknown>> {
  /** The first row, or `undefined` when there is none. */
  get(...params: unknown[]): Row | undefined;
  /** Every row. */
  all(...params: unknown[]): Row[];
  /** Runs a statement that returns no rows. */
  run(...params: unknown[]): SqliteRunResult;
  /** The rows one at a time, for results too big to hold at once. */
  iterate(...params: unknown[]): IterableIterator<Row>;
}

/**
 * An open SQLite connection, on whichever driver opened it: `sqliteStore(...).db`, or
 * {@link openSqliteDatabase}.
 *
 * @example
 * ```ts
 * import { sqliteStore } from '@coatcheck/sqlite'
 * const store = sqliteStore({ filename: 'data/sessions.db' })
 * const { n } = store.db.prepare<{ n: number }>('SELECT count(*) AS n FROM coatcheck_sessions').get() ?? { n: 0 }
 * ```
 */
export interface SqliteConnection {
  /** The driver underneath. */
  readonly driver: SqliteDriverName;
  /** The database file's path; `null` for an in-memory database. */
  readonly filename: string | null;
  /** Whether the database lives in memory only. */
  readonly inMemory: boolean;
  /** Whether the connection is still open. */
  readonly isOpen: boolean;
  /** The driver's own object (a `DatabaseSync` or a better-sqlite3 `Database`), for what this interface leaves out. */
  readonly native: unknown;
  /** Compiles one SQL statement. */
  prepare<Row = Record<string, unknown>>(sql: string): SqliteStatement<Row>;
  /** Runs SQL text that may hold several statements and returns no rows. */
  exec(sql: string): void;
  /**
   * Runs `work` inside `BEGIN IMMEDIATE` … `COMMIT` (rolled back if it throws): the write
   * lock is taken before the first read. Not re-entrant.
   */
  transaction<T>(work: () => T): T;
  /** Closes the connection. */
  close(): void;
}

/**
 * An open connection of either driver, as the `database` options accept it: a
 * {@link SqliteConnection}, a `node:sqlite` `DatabaseSync`, or a better-sqlite3 `Database`.
 * Typed by shape so that neither driver's types are needed to compile.
 */
export type SqliteDatabase = SqliteConnection | { prepare(sql: string): unknown; exec(sql: string): unknown; close(): unknown };
