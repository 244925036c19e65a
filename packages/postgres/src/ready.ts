/**
 * `store.ready()`: connect and set up the table at start-up within a bound, or say why not.
 * Internal; the method is on `PostgresStore`.
 *
 * Why: the store connects lazily, so an unreachable server, a wrong password or a missing
 * database only shows at the first request, as a 503 that says "retry". At start-up those are
 * configuration or environment mistakes. `ready()` tries until the deadline (a server that
 * starts a few seconds after the app is still found), fails at once on answers retrying cannot
 * change (bad credentials, no such database, no such table or schema, no permission), and
 * names the URL with its password hidden and what to check.
 *
 * @module
 */
import type { Pool } from 'pg';
import { SessionStartupError } from 'coatcheck/errors';
import { assertMs } from './options.js';
import { redactUrl } from 'coatcheck/store-kit';

/** Default of `timeoutMs`: how long start-up may wait for Postgres. */
export const DEFAULT_READY_TIMEOUT_MS = 10_000;

/** Options of `PostgresStore.ready`. */
export interface ReadyOptions {
  /**
   * How long to keep trying, in ms, before the promise rejects with `SessionStartupError`.
   * @default 10_000
   */
  timeoutMs?: number;
}

/** What `ready` needs from the store. */
export interface ReadyTarget {
  /** The pool, for the URL in messages. */
  readonly pool: Pool;
  /** The sessions table, for messages. */
  readonly table: string;
  /** One attempt: connect, create the table if configured, read it. Rejects with the store's error. */
  attempt(): Promise<void>;
}

const WHAT_TO_CHECK =
  'Check that the server is running and reachable from this host (a firewall, security group or listen_addresses may block it), ' +
  'that DATABASE_URL (or the connectionString you passed) points to it, that the database exists, and the user and password.';

// SQLSTATE classes a server gives while it cannot serve yet: connection exceptions (08),
// insufficient resources (53), starting up or shutting down (57P0x). Anything else with a
// SQLSTATE is an answer retrying cannot change.
const TRANSIENT_SQLSTATE = /^(08|53|57P0)/;
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The URL of `pool`, password hidden; built from its options when it has no connection string. */
function describePool(pool: Pool): string {
  // pg types `options`; a foreign pool-like object may lack it.
  const options: Record<string, unknown> = { ...(pool.options as object | undefined) };
  if (typeof options.connectionString === 'string') return redactUrl(options.connectionString);
  const user = typeof options.user === 'string' ? `${options.user}@` : '';
  const host = typeof options.host === 'string' ? options.host : (process.env.PGHOST ?? 'localhost');
  const port = options.port ?? process.env.PGPORT ?? 5432;
  const database = typeof options.database === 'string' ? options.database : (process.env.PGDATABASE ?? '');
  return `postgres://${user}${host}:${String(port)}/${database}`;
}

/** The driver's error behind a store error. */
function driverError(error: unknown): Error & { code?: unknown } {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const inner = cause instanceof Error ? cause : error;
  return inner instanceof Error ? inner : new Error(String(inner));
}

function codeOf(error: unknown): string | undefined {
  const code = driverError(error).code;
  return typeof code === 'string' ? code : undefined;
}

function isPermanent(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && SQLSTATE.test(code) && !TRANSIENT_SQLSTATE.test(code);
}

function permanentMessage(url: string, table: string, error: unknown): string {
  const driver = driverError(error);
  const code = codeOf(error);
  const said = `${driver.message} (${code})`;
  switch (code) {
    case '28P01':
    case '28000':
      return `Postgres at ${url} refused the login: ${said}. Check the user and password in DATABASE_URL (postgres://user:password@host:port/database) and the server's pg_hba.conf.`;
    case '3D000':
      return `Postgres at ${url}: ${said}. Create the database (createdb <name>, or CREATE DATABASE <name>) or fix the name at the end of DATABASE_URL.`;
    case '3F000':
      return `Postgres at ${url}: ${said}. Create the schema (CREATE SCHEMA <name>) or fix the store's \`schema\` option.`;
    case '42P01':
      return `Postgres at ${url}: the sessions table ${table} or its history table ${table}_history does not exist (${code}) and \`createTable\` is off. Run the DDL from docs/postgres.md in your migrations, or turn \`createTable\` on.`;
    case '42501':
      return `Postgres at ${url}: ${said}. Grant the user CREATE on the schema, or create the table ${table} in your migrations (DDL in docs/postgres.md) and set \`createTable: false\`.`;
    default:
      return `Postgres at ${url} refused the set-up of ${table}: ${said}. ${WHAT_TO_CHECK}`;
  }
}

function describeError(error: unknown): string {
  const driver = driverError(error);
  const code = codeOf(error);
  const message = driver.message || (driver instanceof AggregateError ? driver.errors.map(describeError).join('; ') : driver.name);
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}

/**
 * Runs `target.attempt` until it succeeds, a permanent answer comes, or `timeoutMs` passes.
 * Rejects with `SessionStartupError` (`ERR_SESSION_STORE_STARTUP`).
 */
export function waitUntilReady(target: ReadyTarget, options: ReadyOptions = {}): Promise<void> {
  const timeoutMs = options?.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  assertMs('postgresStore.ready', 'timeoutMs', timeoutMs, 1);
  const url = describePool(target.pool);
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let lastError: unknown;
    let retry: NodeJS.Timeout | undefined;
    const fail = (message: string, cause: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(retry);
      reject(new SessionStartupError('postgres', message, cause === undefined ? {} : { cause: driverError(cause) }));
    };
    // The deadline is the caller's: an attempt still running past it is left to its own
    // bound (opTimeoutMs) and its outcome ignored.
    const deadline = setTimeout(() => {
      const last = lastError === undefined ? 'no answer' : `last error: ${describeError(lastError)}`;
      fail(`Could not connect to Postgres at ${url} within ${timeoutMs} ms (${last}). ${WHAT_TO_CHECK}`, lastError);
    }, timeoutMs);
    const run = (delayMs: number): void => {
      target.attempt().then(
        () => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          resolve();
        },
        (error: unknown) => {
          if (settled) return;
          if (isPermanent(error)) return fail(permanentMessage(url, target.table, error), error);
          lastError = error;
          // Backoff between attempts, so a server that is starting is not hammered.
          retry = setTimeout(() => run(Math.min(delayMs * 2, 1000)), delayMs);
        },
      );
    };
    run(100);
  });
}
