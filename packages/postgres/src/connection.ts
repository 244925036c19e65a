/**
 * How the store and the bus get their connections: a `pg.Pool` you own, or one they create
 * from a connection string with settings that fail fast instead of queueing forever.
 * Exported from `@coatcheck/postgres` (types only).
 *
 * @module
 */
import pg, { type Pool, type PoolConfig } from 'pg';
import { SessionConfigError } from 'coatcheck/errors';

/** Use a pool you own: it is not ended by `close()`. */
export interface PoolConnectionOptions {
  /**
   * A `pg.Pool`. Calls are still bounded by `opTimeoutMs` whatever its settings, but set
   * `connectionTimeoutMillis` and `statement_timeout` on it too, so a hung server cannot
   * hold its connections (see `docs/postgres.md`). An `'error'` listener is added while the
   * store or bus is open, so a connection killed while idle never crashes the process.
   */
  pool: Pool;
  connectionString?: never;
  maxConnections?: never;
}

/** Let the store or bus create (and on `close()`, end) its own pool. */
export interface UrlConnectionOptions {
  /**
   * `postgres://user:password@host:port/database?application_name=...`. The pool gets
   * `connectionTimeoutMillis` and `statement_timeout` equal to `opTimeoutMs`, TCP
   * keep-alive, a 30 s idle timeout, and `application_name` `coatcheck` unless the URL
   * names one.
   */
  connectionString: string;
  pool?: never;
  /** Size of the pool. @default 10 */
  maxConnections?: number;
}

/** Either an existing `pool` or a `connectionString`. */
export type ConnectionOptions = PoolConnectionOptions | UrlConnectionOptions;

/** Throws `SessionConfigError` unless exactly one way of connecting is given. */
export function assertConnection(factory: string, options: Partial<ConnectionOptions> | undefined): void {
  if (options === null || typeof options !== 'object') {
    throw new SessionConfigError(`${factory}: pass an options object with \`pool\` or \`connectionString\`.`);
  }
  const { pool, connectionString, maxConnections } = options;
  // `connectionString: process.env.DATABASE_URL` with the variable unset is the usual mistake:
  // name the variable rather than the shape of the options.
  if (pool === undefined && 'connectionString' in options && connectionString === undefined) {
    throw new SessionConfigError(
      `${factory}: \`connectionString\` is undefined. Is DATABASE_URL set? For example DATABASE_URL=postgres://app@127.0.0.1:5432/app`,
    );
  }
  if ((pool === undefined) === (connectionString === undefined)) {
    throw new SessionConfigError(`${factory}: pass either \`pool\` (a pg.Pool) or \`connectionString\`, not both and not neither.`);
  }
  if (pool !== undefined && (typeof pool !== 'object' || pool === null || typeof pool.connect !== 'function')) {
    throw new SessionConfigError(`${factory}: \`pool\` must be a pg.Pool.`);
  }
  if (connectionString !== undefined && (typeof connectionString !== 'string' || connectionString === '')) {
    throw new SessionConfigError(`${factory}: \`connectionString\` must be a non-empty postgres:// URL.`);
  }
  if (maxConnections !== undefined && (pool !== undefined || !Number.isSafeInteger(maxConnections) || maxConnections < 1)) {
    throw new SessionConfigError(`${factory}: \`maxConnections\` must be a positive integer, and only goes with \`connectionString\`.`);
  }
}

/** Connection settings shared by an owned pool and the bus's listening client. */
export function ownedConfig(connectionString: string, opTimeoutMs: number): PoolConfig {
  return {
    connectionString,
    // Connecting to a dead or hung server fails within the deadline instead of waiting on
    // the OS (minutes for a black-holed SYN).
    connectionTimeoutMillis: opTimeoutMs,
    // The server abandons a statement the client has given up on (a lock wait, say), so
    // an outage on our side never leaves work running on the server.
    statement_timeout: opTimeoutMs,
    keepAlive: true,
    fallback_application_name: 'coatcheck',
  };
}

/** Creates a pool the caller owns (and must end). */
export function createOwnedPool(connectionString: string, maxConnections: number, opTimeoutMs: number): Pool {
  return new pg.Pool({
    ...ownedConfig(connectionString, opTimeoutMs),
    max: maxConnections,
    idleTimeoutMillis: 30_000,
    // Idle connections never keep the process alive.
    allowExitOnIdle: true,
  });
}

/**
 * Keeps an idle connection's death (server restart, `pg_terminate_backend`, network reset)
 * from becoming an unhandled `'error'` event: pg-pool has already discarded the client and
 * the next call opens a fresh one. Returns the function that detaches the listener.
 */
export function guardPool(pool: Pool): () => void {
  const ignore = (): void => {};
  pool.on('error', ignore);
  return () => void pool.off('error', ignore);
}
