/**
 * The store's reads of one session, gathered per turn of the event loop. On a file, each read
 * transaction takes and drops a WAL read lock, two `fcntl` system calls that cost more than
 * the read itself. The first read of a turn runs at once, as a read alone always did; the
 * reads asked for after it in the same turn (the other requests whose bytes arrived together)
 * wait for the end of the turn (`setImmediate`) and run there in one read transaction, sharing
 * one lock. Each still sees the database as it is after it was asked for: the snapshot is
 * taken when the batch runs. An in-memory database has no lock to share: its reads all run at
 * once. Internal.
 *
 * @module
 */
import type { SqliteConnection, SqliteStatement } from './driver/types.js';

/** A batched read, and the way to run what is waiting at once (before closing). */
export interface BatchedReads<Result> {
  read(id: string, at: number): Promise<Result>;
  flush(): void;
}

/**
 * Creates a batched read: `select(id, at)` runs inside the batch's transaction (it throws on
 * failure); `finish(row)` runs after the transaction ended, so that it may write (delete a
 * corrupt row). A read resolves with what `finish` returns, or rejects with `fail(error)` of
 * a failed `select`.
 */
export function batchReads<Row, Result>(
  db: SqliteConnection,
  select: (id: string, at: number) => Row,
  finish: (row: Row) => Result | Promise<Result>,
  fail: (error: unknown) => unknown,
): BatchedReads<Result> {
  interface Pending {
    readonly id: string;
    readonly at: number;
    readonly resolve: (value: Result | Promise<Result>) => void;
    readonly reject: (error: unknown) => void;
  }
  // The reads waiting for the end of the turn; `null` while no turn is open: the next read
  // then runs at once and opens one.
  let queue: Pending[] | null = null;
  let control: { begin: SqliteStatement<unknown>; commit: SqliteStatement<unknown>; rollback: SqliteStatement<unknown> } | undefined;

  // Whether a read transaction was begun. It is not when one is already open on a connection
  // the app shares with the store: the reads then run in the app's, as a lone read would.
  function begin(): boolean {
    try {
      control ??= { begin: db.prepare('BEGIN'), commit: db.prepare('COMMIT'), rollback: db.prepare('ROLLBACK') };
      control.begin.run();
      return true;
    } catch {
      return false;
    }
  }
  // Ending a transaction that only read cannot lose anything; if COMMIT fails, ROLLBACK.
  function end(): void {
    const { commit, rollback } = control as NonNullable<typeof control>;
    try {
      commit.run();
    } catch {
      try {
        rollback.run();
      } catch {
        // Already ended by SQLite.
      }
    }
  }

  function run(): void {
    const batch = queue;
    queue = null;
    if (batch === null || batch.length === 0) return;
    const together = batch.length > 1 && begin();
    const rows: Row[] = new Array(batch.length);
    let failed: Map<number, unknown> | null = null;
    for (let i = 0; i < batch.length; i++) {
      const { id, at } = batch[i] as Pending;
      try {
        rows[i] = select(id, at);
      } catch (error) {
        failed ??= new Map();
        failed.set(i, fail(error));
      }
    }
    if (together) end();
    for (let i = 0; i < batch.length; i++) {
      const pending = batch[i] as Pending;
      if (failed?.has(i)) pending.reject(failed.get(i));
      else {
        try {
          pending.resolve(finish(rows[i] as Row));
        } catch (error) {
          pending.reject(error);
        }
      }
    }
  }

  function readNow(id: string, at: number): Promise<Result> {
    let row: Row;
    try {
      row = select(id, at);
    } catch (error) {
      return Promise.reject(fail(error));
    }
    try {
      return Promise.resolve(finish(row));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // In memory there is no lock to share: every read runs at once.
  if (db.inMemory) return { read: readNow, flush: () => {} };
  return {
    read(id, at) {
      if (queue !== null) return new Promise<Result>((resolve, reject) => (queue as Pending[]).push({ id, at, resolve, reject }));
      queue = [];
      setImmediate(run);
      return readNow(id, at);
    },
    flush: run,
  };
}
