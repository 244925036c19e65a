// Shared set-up of the Postgres tests: the server from DATABASE_URL (failing, never
// skipping, when it is unreachable), unique table names and application names so test files
// can run beside each other, and cleanup in `after` hooks.
import { after, before } from 'node:test';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The test database; CI sets DATABASE_URL, the default is the local trust-auth server. */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A short random suffix for names that must not collide between files or runs. */
export function unique(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** DATABASE_URL with query parameters set (application_name, ...). */
export function urlWith(params: Record<string, string>, base = DATABASE_URL): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

/** DATABASE_URL pointed at another host/port (the outage proxy). */
export function urlVia(host: string, port: number, params: Record<string, string> = {}): string {
  const url = new URL(urlWith(params));
  url.hostname = host;
  url.port = String(port);
  return url.toString();
}

// node:test runs a file's top-level `after` hooks in registration order; cleanups need the
// reverse (close stores, then drop tables, then end the admin pool), so they are stacked here
// and run by the one hook `useAdmin` registers.
const cleanups: (() => unknown)[] = [];

/** Runs `fn` after the file's tests, before anything registered earlier (LIFO). */
export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

/**
 * An admin pool for the test file (inspecting rows, corrupting them, killing backends).
 * Its `before` hook fails the whole file with a clear message when Postgres is unreachable.
 * Call it first: its `after` hook runs every {@link onCleanup}, then ends the pool.
 */
export function useAdmin(): pg.Pool {
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 3, application_name: 'coatcheck_test_admin' });
  admin.on('error', () => {});
  before(async () => {
    try {
      await admin.query('SELECT 1');
    } catch (error) {
      throw new Error(`Postgres at ${DATABASE_URL} is unreachable; the Postgres tests need it (set DATABASE_URL).`, { cause: error });
    }
  });
  after(async () => {
    const failures: unknown[] = [];
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (error) {
        failures.push(error);
      }
    }
    await admin.end();
    if (failures.length > 0) throw new AggregateError(failures, 'cleanup failed');
  });
  return admin;
}

/** Registers a table name (and its meta table) to be dropped after the file's tests. */
export function useTable(admin: pg.Pool, prefix = 'cc_test'): string {
  const name = unique(prefix);
  onCleanup(() => dropTable(admin, name));
  return name;
}

/** Drops a store's table and meta table if they exist. */
export async function dropTable(admin: pg.Pool, name: string, schema?: string): Promise<void> {
  const q = (table: string) => (schema ? `"${schema}"."${table}"` : `"${table}"`);
  await admin.query(`DROP TABLE IF EXISTS ${q(name)}, ${q(`${name}_meta`)}`);
}

/** The database's clock, in epoch ms. */
export async function dbNow(admin: pg.Pool): Promise<number> {
  const { rows } = await admin.query<{ now: string }>(`SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now`);
  return Number(rows[0]?.now);
}

/** Terminates every backend with this application_name; returns how many were killed. */
export async function killBackends(admin: pg.Pool, applicationName: string): Promise<number> {
  const { rows } = await admin.query<{ killed: boolean }>(
    'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
    [applicationName],
  );
  return rows.filter((row) => row.killed).length;
}

/** Backends with this application_name, optionally only those waiting on a lock. */
export async function countBackends(admin: pg.Pool, applicationName: string, waitingOnLock = false): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 ${waitingOnLock ? "AND wait_event_type = 'Lock'" : ''}`,
    [applicationName],
  );
  return rows[0]?.n ?? 0;
}

/** Polls `check` until it returns true; fails after `capMs` (a failure cap, not a timing claim). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, capMs = 15_000): Promise<void> {
  const give = Date.now() + capMs;
  while (!(await check())) {
    if (Date.now() > give) throw new Error(`gave up waiting for ${what} after ${capMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
