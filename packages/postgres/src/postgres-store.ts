/**
 * Postgres session store on node-postgres (`pg`). Exported from `@coatcheck/postgres`.
 *
 * One table, one row per session (and a second one for the session history); expiry is filtered at read with the manager's clock
 * (`expires_at > now`) and expired rows are deleted in batches by a timer that runs once per
 * interval across every instance. Every call is one round trip (the first also creates the
 * table) and has a deadline, `opTimeoutMs`: a dead, hung or overloaded server makes calls
 * reject with `SessionStoreError` (`ERR_SESSION_STORE_UNAVAILABLE`), never hang, never leak a
 * raw driver error, never crash the process; broken connections are discarded and the pool
 * reconnects by itself on the next call.
 *
 * @module
 */
import type { Pool } from 'pg';
import type { CappedCreateResult, SessionCap, SessionRecord, SessionStore, UpdateResult } from 'coatcheck/store-kit';
import { CorruptRecordError, SessionStartupError } from 'coatcheck/errors';
import { createOwnedPool, guardPool } from './connection.js';
import { createGate, settleWithin } from './gate.js';
import { advisoryKey } from './identifiers.js';
import { resolveOptions, type PostgresStoreOptions } from './options.js';
import { pruneExpired, schedulePrune, type RunQuery } from './prune.js';
import { fromRow, toParams, type SessionRow } from './row.js';
import { waitUntilReady, type ReadyOptions } from './ready.js';
import { createRunner, STORE_ERRORS, type Query } from './runner.js';
import { capLockKey, runCappedCreate } from './capped-create.js';
import { buildStatements, createSchemaSql } from './schema.js';
import { appendHistory, readHistory } from './history.js';

/** A {@link SessionStore} backed by Postgres, with access to its pool. */
export interface PostgresStore extends SessionStore {
  readonly name: 'postgres';
  /** The pool the store uses: yours, or the one it created from `connectionString`. */
  readonly pool: Pool;
  /** The sessions table as `schema.table` (or `table`), for inspection and messages. */
  readonly table: string;
  /**
   * {@link SessionStore.createCapped}, always present: one transaction under a per-user
   * advisory lock, so the cap holds across every instance on the table.
   */
  createCapped(record: SessionRecord, cap: SessionCap, now: number): Promise<CappedCreateResult>;
  /**
   * Connects, creates the table if `createTable` is on (else checks it exists), and resolves;
   * call it at start-up. Keeps trying until `timeoutMs` (default 10 s), then rejects with
   * `SessionStartupError` (`ERR_SESSION_STORE_STARTUP`) naming the URL (password hidden) and
   * what to check. A refused login, a missing database, schema or table, or a missing
   * permission fails at once.
   */
  ready(options?: ReadyOptions): Promise<void>;
}

/**
 * Creates a Postgres store. Nothing connects until the first call, which also creates the
 * table if `createTable` is on; `await store.ready()` does that at start-up, failing within
 * a bound with what to check.
 *
 * @throws `SessionConfigError` for invalid options.
 *
 * @example
 * ```ts
 * import { postgresStore } from '@coatcheck/postgres'
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL })
 * await store.ready() // connect and create the table now, or fail within 10 s saying why
 * // or, sharing your pool:
 * const store = postgresStore({ pool, tableName: 'sessions', schema: 'auth' })
 * ```
 */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  const resolved = resolveOptions(options);
  const { names, opTimeoutMs, pruneIntervalMs, createTable, now, onCorrupt } = resolved;
  const owned = resolved.pool === undefined;
  const pool = resolved.pool ?? createOwnedPool(resolved.connectionString as string, resolved.maxConnections, opTimeoutMs);
  const unguard = guardPool(pool);
  const runner = createRunner(pool, STORE_ERRORS, opTimeoutMs);
  const gate = createGate(STORE_ERRORS);
  const statements = buildStatements(names);

  // Created once per store, at first use. Concurrent instances serialize on an advisory
  // lock: two sessions running CREATE TABLE IF NOT EXISTS at the same moment can otherwise
  // both pass the existence check and one fails on a catalog unique index.
  let schema: Promise<void> | null = createTable ? null : Promise.resolve();
  function ensureSchema(): Promise<void> {
    schema ??= runner
      .run('create table', async (query) => {
        await query('BEGIN');
        await query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryKey('schema', names.display)]);
        await query(createSchemaSql(names));
        await query('COMMIT');
      })
      .catch((error: unknown) => {
        schema = null; // retried by the next call
        throw error;
      });
    return schema;
  }

  const run: RunQuery = (operation, work) =>
    gate.pass(operation, async () => {
      await ensureSchema();
      return runner.run(operation, work);
    });

  // Reads decode every row; an unreadable one is deleted in the same call so it cannot fail
  // every request (SF-23), and reported after the call, outside the error wrapping, so a
  // throwing onCorrupt is the caller's error and not mistaken for an outage.
  async function decodeRows(query: Query, rows: SessionRow[], corrupt: [string, Error][]): Promise<SessionRecord[]> {
    const out: SessionRecord[] = [];
    for (const row of rows) {
      try {
        out.push(fromRow(row));
      } catch (error) {
        if (!(error instanceof CorruptRecordError)) throw error;
        await query(statements.delete, [row.id]);
        corrupt.push([String(row.id), error]);
      }
    }
    return out;
  }

  async function reporting<T>(work: (corrupt: [string, Error][]) => Promise<T>): Promise<T> {
    const corrupt: [string, Error][] = [];
    const result = await work(corrupt);
    for (const [id, error] of corrupt) onCorrupt(id, error);
    return result;
  }

  const read = (operation: string, text: string, values: unknown[]): Promise<SessionRecord[]> =>
    reporting((corrupt) => run(operation, async (query) => decodeRows(query, (await query<SessionRow>(text, values)).rows, corrupt)));

  const stopPruning =
    pruneIntervalMs > 0
      ? schedulePrune({
          run,
          statements,
          intervalMs: pruneIntervalMs,
          now,
          lockKey: advisoryKey('prune', names.display),
          isClosed: () => gate.closed,
        })
      : () => {};

  let closing: Promise<void> | undefined;

  return {
    name: 'postgres',
    pool,
    table: names.display,
    async get(id, at) {
      const [record] = await read('get', statements.get, [id, at]);
      return record ?? null;
    },
    async create(record) {
      const params = toParams(record);
      const result = await run('create', (query) => query(statements.insert, params));
      return result.rowCount === 1;
    },
    // One transaction under a per-user advisory lock, so logins racing on several instances
    // never exceed the cap (AB-08); see capped-create.ts.
    async createCapped(record, cap, at) {
      const create = { params: toParams(record), id: record.id, userId: record.userId, lockKey: capLockKey(names, record.userId), cap, now: at };
      return reporting((corrupt) => run('createCapped', (query) => runCappedCreate(query, statements, create, (rows) => decodeRows(query, rows, corrupt))));
    },
    async update(next, expectedVersion, at): Promise<UpdateResult> {
      const params = [...toParams(next), expectedVersion, at];
      const { rows } = await run('update', (query) => query<{ updated: boolean; live: boolean }>(statements.update, params));
      const outcome = rows[0];
      return outcome?.updated ? 'ok' : outcome?.live ? 'conflict' : 'missing';
    },
    async touch(id, lastSeenAt, expiresAt, at) {
      const result = await run('touch', (query) => query(statements.touch, [id, lastSeenAt, expiresAt, at]));
      return result.rowCount === 1;
    },
    async delete(id) {
      const result = await run('delete', (query) => query(statements.delete, [id]));
      return (result.rowCount ?? 0) > 0;
    },
    listByUser: (userId, at) => read('listByUser', statements.listByUser, [userId, at]),
    async deleteByUser(userId, exceptId) {
      const { rows } = await run('deleteByUser', (query) => query<{ id: string }>(statements.deleteByUser, [userId, exceptId ?? null]));
      return rows.map((row) => String(row.id));
    },
    prune: (at) => pruneExpired(run, statements, at),
    // The session history: a table beside the sessions table (history.ts).
    appendHistory: (entries, limits) => appendHistory(run, statements, entries, limits),
    readHistory: (query, options) => readHistory(run, statements, query, options),
    ready(readyOptions) {
      if (gate.closed) return Promise.reject(new SessionStartupError('postgres', 'postgresStore.ready(): the store is closed.'));
      // The pings read both tables, so with createTable off a missing one is found now too.
      const attempt = () =>
        run('ready', async (query) => {
          await query(statements.ping);
          await query(statements.pingHistory);
        });
      return waitUntilReady({ pool, table: names.display, attempt }, readyOptions);
    },
    async ping() {
      await run('ping', (query) => query(statements.ping));
    },
    close() {
      closing ??= (async () => {
        stopPruning();
        await gate.shut();
        // Ending a pool waits for each server to acknowledge; a hung one never does, so
        // shutdown is bounded like every other call. An owned pool keeps its error guard:
        // a connection still closing must not crash the process. Yours gets it back as it was.
        if (owned) await settleWithin(pool.end(), opTimeoutMs);
        else unguard();
      })();
      return closing;
    },
  };
}
