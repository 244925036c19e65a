/**
 * Opens the store a URL names with its own package's factory (and, for revocations, its
 * bus), behind one small interface the commands share. The packages are optional peers:
 * a missing one becomes the `npm install` line to run. Internal.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import type { SessionBus } from 'coatcheck/bus';
import { SessionConfigError } from 'coatcheck/errors';
import type { SessionRecord, SessionStore } from 'coatcheck/store-kit';
import { CliError } from '../errors.js';
import { loadPackage } from '../load-package.js';
import type { StoreSelection } from './store-options.js';
import { openRedis } from './open-redis.js';

/** The part of a `pg.Pool` `doctor` uses (typed here so the declarations need no `pg`). */
interface QueryPool {
  query<R extends object>(text: string): Promise<{ rows: R[] }>;
}

/** A store opened for one command. */
export interface OpenedStore {
  readonly kind: 'sqlite' | 'redis' | 'postgres';
  /** The URL without its password. */
  readonly display: string;
  readonly store: SessionStore;
  /** The app's bus (Redis pub/sub, Postgres NOTIFY, the SQLite file's table); `null` when not asked for. */
  readonly bus: SessionBus | null;
  /** Every stored record, expired ones not yet removed included. */
  scan(): AsyncIterable<SessionRecord>;
  /** Size of what the store holds, or `null` with the reason. */
  measure(): Promise<{ bytes: number | null; what: string }>;
  /** The server's clock in epoch ms, or `null` when the store has none of its own. */
  serverTime(): Promise<number | null>;
  /** Redis only: user indexes and their entries whose record is gone. */
  scanIndexes?(): AsyncIterable<{ userId: string; ids: readonly string[]; missing: readonly string[] }>;
  /** The raw handles `doctor` inspects. */
  readonly handles: { readonly redis?: unknown; readonly pool?: QueryPool };
  close(): Promise<void>;
}

/** Whether `error` is coatcheck's "could not start / reach the store". */
function isStoreFailure(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_SESSION_STORE_STARTUP' || code === 'ERR_SESSION_STORE_UNAVAILABLE';
}

/** Wraps a store failure as exit 3 with the store's own explanation. */
function unreachable(display: string, error: unknown): CliError {
  const detail = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return new CliError('ERR_CLI_UNREACHABLE', `cannot use the store ${display}: ${detail}${cause}`, { cause: error });
}

async function openSqlite(selection: StoreSelection, filename: string, display: string, withBus: boolean): Promise<OpenedStore> {
  // The driver is not imported with the package: where Node has no node:sqlite, sqliteStore
  // itself says to install better-sqlite3 (a SessionConfigError, shown as it is).
  const sqlite = await loadPackage('@coatcheck/sqlite', ['@coatcheck/sqlite'], () => import('@coatcheck/sqlite'), 'a sqlite: store');
  // The store would create a missing file: an operator's typo must not look like an empty store.
  if (!existsSync(filename))
    throw new CliError('ERR_CLI_UNREACHABLE', `no SQLite database at ${filename}. Check the path (relative paths start from the current directory).`);
  const tableName = selection.table;
  let store: ReturnType<typeof sqlite.sqliteStore>;
  try {
    store = sqlite.sqliteStore({ filename, pruneIntervalMs: 0, ...(tableName ? { tableName } : {}) });
  } catch (error) {
    // No driver (Node 20 without better-sqlite3) is a missing package; the store's message
    // names the command that installs it.
    if (!(error instanceof SessionConfigError)) throw error;
    throw new CliError(/better-sqlite3 is not installed/.test(error.message) ? 'ERR_CLI_MISSING_PACKAGE' : 'ERR_CLI_FAILED', error.message, { cause: error });
  }
  const options = tableName ? { tableName } : {};
  return {
    kind: 'sqlite',
    display,
    store,
    // The table the apps' processes poll; the store closes it.
    bus: withBus ? store.bus() : null,
    async *scan() {
      yield* sqlite.scanSqliteSessions(store, options);
    },
    async measure() {
      return { bytes: sqlite.measureSqliteStore(store), what: 'database file and WAL' };
    },
    async serverTime() {
      return null;
    },
    handles: {},
    close: () => store.close(),
  };
}

async function openPostgres(selection: StoreSelection, url: string, display: string, withBus: boolean): Promise<OpenedStore> {
  const postgres = await loadPackage('@coatcheck/postgres', ['@coatcheck/postgres', 'pg'], () => import('@coatcheck/postgres'), 'a postgres:// store');
  const names = { ...(selection.table ? { tableName: selection.table } : {}), ...(selection.schema ? { schema: selection.schema } : {}) };
  // createTable off: an operator tool never creates the app's table; a missing one is reported.
  const store = postgres.postgresStore({
    connectionString: url,
    ...names,
    pruneIntervalMs: 0,
    createTable: false,
    opTimeoutMs: selection.timeoutMs,
    maxConnections: 4,
  });
  try {
    await store.ready({ timeoutMs: selection.timeoutMs });
  } catch (error) {
    await store.close();
    throw unreachable(display, error);
  }
  const bus = withBus ? postgres.postgresBus({ pool: store.pool, ...(selection.channel ? { channel: selection.channel } : {}) }) : null;
  return {
    kind: 'postgres',
    display,
    store,
    bus,
    scan: () => postgres.scanPostgresSessions(store, names),
    async measure() {
      return { bytes: await postgres.measurePostgresStore(store, names), what: 'table with indexes' };
    },
    async serverTime() {
      const { rows } = await store.pool.query<{ now: string }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now');
      return Number(rows[0]?.now);
    },
    handles: { pool: store.pool },
    async close() {
      await bus?.close();
      await store.close();
    },
  };
}

/** Opens the selected store; `bus` also opens the app's bus (for revocations). */
export async function openStore(selection: StoreSelection, options: { bus?: boolean } = {}): Promise<OpenedStore> {
  const { spec } = selection;
  try {
    if (spec.kind === 'sqlite') return await openSqlite(selection, spec.filename, spec.display, options.bus === true);
    if (spec.kind === 'postgres') return await openPostgres(selection, spec.url, spec.display, options.bus === true);
    return await openRedis(selection, spec, options.bus === true);
  } catch (error) {
    if (isStoreFailure(error)) throw unreachable(spec.display, error);
    throw error;
  }
}

/** Opens the store, runs `body`, and closes the store whatever happens; store failures exit 3. */
export async function withStore<T>(selection: StoreSelection, options: { bus?: boolean }, body: (opened: OpenedStore) => Promise<T>): Promise<T> {
  const opened = await openStore(selection, options);
  try {
    return await body(opened);
  } catch (error) {
    if (isStoreFailure(error)) throw unreachable(opened.display, error);
    throw error;
  } finally {
    // The Postgres bus unrefs its listening socket; closing it while it is still connecting
    // can leave nothing to keep a CLI process alive, which would then exit mid-close (13).
    const keepAlive = setInterval(() => {}, 1000);
    await opened.close().catch(() => {});
    clearInterval(keepAlive);
  }
}
