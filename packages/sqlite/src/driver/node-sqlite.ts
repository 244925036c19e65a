/**
 * The `node:sqlite` driver: Node's built-in SQLite (22.13+ without a flag, 24+), nothing to
 * compile. Wraps a `DatabaseSync` in a {@link SqliteConnection}. Internal.
 *
 * @module
 */
import type { SqliteConnection, SqliteRunResult, SqliteStatement } from './types.js';

/** The part of `node:sqlite`'s `StatementSync` used here (typed by hand: @types/node 20 has none). */
interface NativeStatement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number | bigint };
  iterate(...params: unknown[]): IterableIterator<unknown>;
  setReadBigInts(enabled: boolean): void;
  /** Node 22.16+ and 24+. */
  setReturnArrays?(enabled: boolean): void;
}

/** The part of `node:sqlite`'s `DatabaseSync` used here. */
export interface NativeDatabaseSync {
  prepare(sql: string): NativeStatement;
  exec(sql: string): void;
  close(): void;
  readonly isOpen?: boolean;
  location?(): string | null;
}

/** The `node:sqlite` module, as far as it is used. */
export interface NodeSqliteModule {
  DatabaseSync: new (path: string) => NativeDatabaseSync;
}

// node:sqlite reports every SQLite failure as ERR_SQLITE_ERROR with the numeric result code in
// `errcode`; better-sqlite3 names it (`SQLITE_BUSY`). Errors get the name, so a store error
// reads the same on both drivers and callers can test `cause.code`.
const RESULT_CODES: Readonly<Record<number, string>> = {
  1: 'SQLITE_ERROR',
  2: 'SQLITE_INTERNAL',
  3: 'SQLITE_PERM',
  4: 'SQLITE_ABORT',
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  7: 'SQLITE_NOMEM',
  8: 'SQLITE_READONLY',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  15: 'SQLITE_PROTOCOL',
  17: 'SQLITE_SCHEMA',
  18: 'SQLITE_TOOBIG',
  19: 'SQLITE_CONSTRAINT',
  20: 'SQLITE_MISMATCH',
  21: 'SQLITE_MISUSE',
  26: 'SQLITE_NOTADB',
};

function translate(error: unknown): unknown {
  const { code, errcode } = (error ?? {}) as { code?: unknown; errcode?: unknown };
  if (code !== 'ERR_SQLITE_ERROR' || typeof errcode !== 'number') return error;
  const name = RESULT_CODES[errcode & 0xff] ?? `SQLITE_ERROR_${errcode}`;
  const message = (error as Error).message;
  const translated = new Error(message.includes(name) ? message : `${name}: ${message}`, { cause: error });
  return Object.assign(translated, { code: name, errcode });
}

// An integer beyond 2^53 throws ERR_OUT_OF_RANGE in node:sqlite, where better-sqlite3 returns
// an imprecise number. The row is read again as BigInts and converted the better-sqlite3 way,
// so the store's row check finds the bad column instead of failing every read of that row.
function toNumbers(row: unknown): unknown {
  if (row === undefined || row === null || typeof row !== 'object') return row;
  if (Array.isArray(row)) return row.map((value) => (typeof value === 'bigint' ? Number(value) : value));
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) copy[key] = typeof value === 'bigint' ? Number(value) : value;
  return copy;
}

function wrapStatement<Row>(statement: NativeStatement): SqliteStatement<Row> {
  // A user's connection may read BigInts by default; the store wants numbers.
  statement.setReadBigInts(false);
  // The rare path of a read: again with BigInts, converted, and the setting put back.
  function reread<T>(error: unknown, readRows: () => T, convert: (value: T) => T): T {
    if ((error as { code?: unknown }).code !== 'ERR_OUT_OF_RANGE') throw translate(error);
    statement.setReadBigInts(true);
    try {
      return convert(readRows());
    } catch (again) {
      throw translate(again);
    } finally {
      statement.setReadBigInts(false);
    }
  }
  // get and all are on every request: no closure is made unless the read fails.
  return {
    get(...params) {
      try {
        return statement.get(...params) as Row | undefined;
      } catch (error) {
        return reread(error, () => statement.get(...params), toNumbers) as Row | undefined;
      }
    },
    all(...params) {
      try {
        return statement.all(...params) as Row[];
      } catch (error) {
        return reread(
          error,
          () => statement.all(...params),
          (rows) => rows.map(toNumbers),
        ) as Row[];
      }
    },
    run(...params): SqliteRunResult {
      try {
        return { changes: Number(statement.run(...params).changes) };
      } catch (error) {
        throw translate(error);
      }
    },
    // Operator tools walk whole tables here, off the request path: BigInts are read and
    // converted on every row, so one out-of-range integer cannot stop the walk half-way.
    *iterate(...params) {
      statement.setReadBigInts(true);
      try {
        for (const row of statement.iterate(...params)) yield toNumbers(row) as Row;
      } catch (error) {
        throw translate(error);
      } finally {
        statement.setReadBigInts(false);
      }
    },
  };
}

const valuesOf = (row: Record<string, unknown> | undefined): unknown[] | undefined => (row === undefined ? undefined : Object.values(row));

/**
 * A query whose rows come back as arrays of column values, in the order of the SELECT: with
 * `setReturnArrays` where this Node has it (22.16+, 24+), else the values of each object row
 * (its keys are the columns, in order).
 */
export function prepareNodeSqliteArrays(db: NativeDatabaseSync, sql: string): SqliteStatement<unknown[]> {
  let native: NativeStatement;
  try {
    native = db.prepare(sql);
  } catch (error) {
    throw translate(error);
  }
  if (typeof native.setReturnArrays === 'function') {
    native.setReturnArrays(true);
    return wrapStatement<unknown[]>(native);
  }
  const objects = wrapStatement<Record<string, unknown>>(native);
  return {
    get: (...params) => valuesOf(objects.get(...params)),
    all: (...params) => objects.all(...params).map((row) => Object.values(row)),
    run: (...params) => objects.run(...params),
    *iterate(...params) {
      for (const row of objects.iterate(...params)) yield Object.values(row);
    },
  };
}

/** Wraps an open `DatabaseSync`; `filename` is what it was opened on, when known. */
export function fromDatabaseSync(db: NativeDatabaseSync, filename?: string): SqliteConnection {
  const location = filename ?? db.location?.() ?? null;
  const path = location === null || location === '' || location === ':memory:' ? null : location;
  let closed = false;
  // Prepared once: BEGIN, COMMIT and ROLLBACK are statements like any other.
  let control: { begin: NativeStatement; commit: NativeStatement; rollback: NativeStatement } | undefined;
  const connection: SqliteConnection = {
    driver: 'node:sqlite',
    filename: path,
    inMemory: path === null,
    get isOpen() {
      return db.isOpen ?? !closed;
    },
    native: db,
    prepare: (sql) => {
      try {
        return wrapStatement(db.prepare(sql));
      } catch (error) {
        throw translate(error);
      }
    },
    exec(sql) {
      try {
        db.exec(sql);
      } catch (error) {
        throw translate(error);
      }
    },
    transaction(work) {
      control ??= { begin: db.prepare('BEGIN IMMEDIATE'), commit: db.prepare('COMMIT'), rollback: db.prepare('ROLLBACK') };
      try {
        control.begin.run();
      } catch (error) {
        throw translate(error);
      }
      let result: ReturnType<typeof work>;
      try {
        result = work();
        control.commit.run();
      } catch (error) {
        // A failed COMMIT (SQLITE_BUSY) leaves the transaction open: roll it back as well.
        try {
          control.rollback.run();
        } catch {
          // SQLite already rolled back (some errors end the transaction themselves).
        }
        throw translate(error);
      }
      return result;
    },
    close() {
      closed = true;
      db.close();
    },
  };
  return connection;
}
