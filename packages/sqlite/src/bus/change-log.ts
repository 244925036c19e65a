/**
 * The bus's table: an append-only log of messages, `<table>_changes`, that every process
 * sharing the database file reads from where it last stopped. Internal.
 *
 * Why a table: SQLite has no notifications between processes, but it orders commits. Writers
 * take turns on one lock, so ids (`AUTOINCREMENT`: never reused, even after the rows with the
 * highest ids were pruned) become visible in increasing order, and "every row after the last
 * id I read" misses nothing. `PRAGMA data_version` changes only when another connection
 * committed, which makes the idle poll one cheap statement.
 *
 * Only `prepare(sql)` with `get`/`all`/`run`, and `exec(sql)`, are used: every SQLite driver
 * offers them.
 *
 * @module
 */

/** A prepared statement, as every supported driver shapes it. */
interface SqliteStatementLike {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): unknown;
}

/** What the bus needs of a connection: `store.db`, a better-sqlite3 `Database` or a `node:sqlite` `DatabaseSync`. */
export interface SqliteQueryable {
  prepare(sql: string): SqliteStatementLike;
  exec(sql: string): unknown;
}

/** A row of the log, as read back. */
interface ChangeRow {
  readonly id: number;
  readonly payload: unknown;
}

/** The statements of one log. */
export interface ChangeLog {
  /** Appends one message; `sender` names the connection's hub, so it skips its own rows. */
  append(sender: string, payload: string, at: number): void;
  /** Rows after `afterId` written by other hubs, oldest first. */
  readAfter(afterId: number, sender: string): ChangeRow[];
  /** The highest id ever handed out (0 for a new log): where a new reader starts. */
  lastId(): number;
  /** A number that changes when another connection committed (`PRAGMA data_version`). */
  dataVersion(): number;
  /** Deletes rows written before `before`; returns how many. */
  prune(before: number): number;
  /** Whether the connection's main database is a file others can open (not `:memory:`). */
  readonly shared: boolean;
}

const quote = (identifier: string): string => `"${identifier}"`;

/** Creates the log table if missing and prepares its statements. */
export function openChangeLog(db: SqliteQueryable, tableName: string): ChangeLog {
  const table = quote(`${tableName}_changes`);
  db.exec(`
    CREATE TABLE IF NOT EXISTS ${table} (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      sender TEXT NOT NULL,
      payload TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS ${quote(`${tableName}_changes_created_at`)} ON ${table} (created_at);
  `);
  const insert = db.prepare(`INSERT INTO ${table} (sender, payload, created_at) VALUES (?, ?, ?)`);
  const after = db.prepare(`SELECT id, payload FROM ${table} WHERE id > ? AND sender <> ? ORDER BY id`);
  // sqlite_sequence holds the highest id handed out, even when those rows were pruned.
  const sequence = db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = ?`);
  const version = db.prepare('PRAGMA data_version');
  const prune = db.prepare(`DELETE FROM ${table} WHERE created_at < ?`);
  const main = (db.prepare('PRAGMA database_list').all() as { name: string; file: string }[]).find((row) => row.name === 'main');
  return {
    append(sender, payload, at) {
      insert.run(sender, payload, at);
    },
    readAfter: (afterId, sender) => after.all(afterId, sender) as ChangeRow[],
    lastId() {
      const row = sequence.get(`${tableName}_changes`) as { seq: number } | undefined;
      return row === undefined ? 0 : Number(row.seq);
    },
    dataVersion: () => Number((version.get() as { data_version: number }).data_version),
    prune: (before) => Number((prune.run(before) as { changes: number }).changes),
    // An empty file name is a private database (`:memory:` or a temporary one).
    shared: main !== undefined && main.file !== '',
  };
}
