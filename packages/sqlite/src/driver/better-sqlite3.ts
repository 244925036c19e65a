/**
 * The better-sqlite3 driver: a native addon, compiled or downloaded at install, for Node
 * releases without `node:sqlite` (Node 20) or when asked for. Wraps a better-sqlite3
 * `Database` in a {@link SqliteConnection}. Internal.
 *
 * @module
 */
import type { SqliteConnection, SqliteStatement } from './types.js';

// Typed by hand, as far as used: no declaration file of this package may need
// @types/better-sqlite3, which an app on node:sqlite does not install.
interface NativeStatement {
  readonly reader: boolean;
  safeIntegers(enabled: boolean): unknown;
  raw(enabled: boolean): unknown;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

/** The part of a better-sqlite3 `Database` used here. */
export interface BetterSqlite3Database {
  readonly memory: boolean;
  readonly name: string;
  readonly open: boolean;
  prepare(sql: string): NativeStatement;
  exec(sql: string): unknown;
  close(): unknown;
  pragma(source: string): unknown;
  transaction<F extends (...args: never[]) => unknown>(run: F): { immediate: F };
}

/** better-sqlite3's default export, as far as it is used. */
export type BetterSqlite3Constructor = new (filename: string) => BetterSqlite3Database;

function adoptStatement<Row>(statement: NativeStatement): SqliteStatement<Row> {
  // A connection opened with defaultSafeIntegers(true) would hand back BigInts, which the
  // row decoder rightly treats as corrupt; times and versions fit in a double.
  if (statement.reader) statement.safeIntegers(false);
  // Its get, all, run and iterate already mean what the interface says: no wrapper, no
  // extra call on the request path.
  return statement as SqliteStatement<Row>;
}

/**
 * A query whose rows come back as arrays of column values, in the order of the SELECT
 * (better-sqlite3's raw mode): an array is built faster than an object with a key per column.
 */
export function prepareBetterSqlite3Arrays(db: BetterSqlite3Database, sql: string): SqliteStatement<unknown[]> {
  const statement = db.prepare(sql);
  statement.raw(true);
  return adoptStatement<unknown[]>(statement);
}

/** Wraps an open better-sqlite3 `Database`. */
export function fromBetterSqlite3(db: BetterSqlite3Database): SqliteConnection {
  const inMemory = db.memory;
  // One transaction function for every call: better-sqlite3 begins, commits and rolls back.
  const immediate = db.transaction((work: () => unknown) => work()).immediate;
  return {
    driver: 'better-sqlite3',
    filename: inMemory || db.name === '' ? null : db.name,
    inMemory,
    get isOpen() {
      return db.open;
    },
    native: db,
    prepare: <Row>(sql: string) => adoptStatement<Row>(db.prepare(sql)),
    exec: (sql) => void db.exec(sql),
    transaction: <T>(work: () => T) => immediate(work) as T,
    close: () => void db.close(),
  };
}
