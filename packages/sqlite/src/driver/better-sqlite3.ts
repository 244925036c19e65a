/**
 * The better-sqlite3 driver: a native addon, compiled or downloaded at install, for Node
 * releases without `node:sqlite` (Node 20) or when asked for. Wraps a better-sqlite3
 * `Database` in a {@link SqliteConnection}. Internal.
 *
 * @module
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteConnection, SqliteStatement } from './types.js';

/** better-sqlite3's default export, as far as it is used. */
export type BetterSqlite3Constructor = new (filename: string, options?: BetterSqlite3.Options) => BetterSqlite3.Database;

function adoptStatement<Row>(statement: BetterSqlite3.Statement<unknown[], Row>): SqliteStatement<Row> {
  // A connection opened with defaultSafeIntegers(true) would hand back BigInts, which the
  // row decoder rightly treats as corrupt; times and versions fit in a double.
  if (statement.reader) statement.safeIntegers(false);
  // Its get, all, run and iterate already mean what the interface says: no wrapper, no
  // extra call on the request path.
  return statement;
}

/** Wraps an open better-sqlite3 `Database`. */
export function fromBetterSqlite3(db: BetterSqlite3.Database): SqliteConnection {
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
    prepare: <Row>(sql: string) => adoptStatement(db.prepare<unknown[], Row>(sql)),
    exec: (sql) => void db.exec(sql),
    transaction: <T>(work: () => T) => immediate(work) as T,
    close: () => void db.close(),
  };
}
