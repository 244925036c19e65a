/**
 * Runs work on one pooled connection under a hard deadline, and turns every failure into a
 * `SessionStoreError`. Shared by the store and the bus's `publish`. Internal.
 *
 * Why not `pool.query`: its waits are only bounded by the pool's own settings, which a
 * user-supplied pool may not have (pg's default `connectionTimeoutMillis` is "forever"), and
 * it cannot keep one connection for a read plus its follow-up. Here:
 * - waiting for a connection gives up at the deadline; a connection the pool hands over
 *   afterwards goes straight back, so nothing runs after the caller was told "failed";
 * - each query gets pg's client-side `query_timeout` set to the time left;
 * - a connection that saw any error is discarded (`release(error)`) rather than reused: after
 *   a timeout its server may still be busy, after a reset it is dead. pg-pool opens a fresh
 *   one on the next call, which is how the pool recovers by itself (SF-15);
 * - an `'error'` listener is attached while the client is checked out: pg-pool only guards
 *   idle clients, and an unhandled `'error'` event would crash the process.
 *
 * @module
 */
import type { Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { storeErrors, type StoreErrors } from 'coatcheck/store-kit';

/** Runs one statement on the connection of the current call. */
export type Query = <R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]) => Promise<QueryResult<R>>;

/** See the module comment. */
export interface Runner {
  /** Runs `work` on one connection, within `opTimeoutMs` of the call. */
  run<T>(operation: string, work: (query: Query) => Promise<T>): Promise<T>;
}

/** Failure of our own deadline, so the message says what ran out. */
class DeadlineError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} within ${ms} ms`);
    this.name = 'DeadlineError';
  }
}

/** Errors of the store, named once (`coatcheck/store-kit` builds them). */
export const STORE_ERRORS = storeErrors('postgres', 'Postgres store');
/** Errors of the bus. */
export const BUS_ERRORS = storeErrors('postgres-bus', 'Postgres bus');

/**
 * Creates a runner on `pool`. `errors` names the failing component ({@link STORE_ERRORS}
 * or {@link BUS_ERRORS}).
 */
export function createRunner(pool: Pool, errors: StoreErrors, opTimeoutMs: number): Runner {
  // The callback form of pool.connect, not the promise: the 'error' listener must be on the
  // client in the same tick the pool hands it over. pg parses every message of a TCP chunk
  // synchronously, so a "terminating connection" right behind the ReadyForQuery that
  // completed the connect would otherwise be emitted before a promise continuation could
  // attach anything, as an unhandled 'error' event (SF-15 found exactly that).
  function acquire(deadline: number, onError: (error: Error) => void): Promise<PoolClient> {
    return new Promise((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        reject(new DeadlineError('no connection', opTimeoutMs));
      }, deadline - Date.now());
      pool.connect((error, client, release) => {
        if (error || !client) {
          if (!done) {
            done = true;
            clearTimeout(timer);
            reject(error ?? new Error('the pool returned no client'));
          }
          return;
        }
        // Handed over after the caller was told "failed": give it straight back unused.
        if (done) return release();
        done = true;
        clearTimeout(timer);
        client.on('error', onError);
        resolve(client);
      });
    });
  }

  async function run<T>(operation: string, work: (query: Query) => Promise<T>): Promise<T> {
    const deadline = Date.now() + opTimeoutMs;
    let broken: Error | undefined;
    const onError = (error: Error): void => {
      broken ??= error;
    };
    let client: PoolClient;
    try {
      client = await acquire(deadline, onError);
    } catch (error) {
      throw errors.wrap(operation, error);
    }
    const query: Query = (text, values) => {
      const left = deadline - Date.now();
      if (left <= 0) return Promise.reject(new DeadlineError('no result', opTimeoutMs));
      const config: QueryConfig & { query_timeout: number } = { text, values, query_timeout: left };
      return client.query(config);
    };
    try {
      return await work(query);
    } catch (error) {
      broken ??= error instanceof Error ? error : new Error(String(error));
      throw errors.wrap(operation, error);
    } finally {
      // Synchronously back to the pool, which re-attaches its own idle 'error' listener.
      client.off('error', onError);
      client.release(broken);
    }
  }

  return { run };
}
