/**
 * Options of the Postgres store, validated once at construction. Exported from
 * `@coatcheck/postgres` (types only).
 *
 * @module
 */
import type { Pool } from 'pg';
import { SessionConfigError } from 'coatcheck/errors';
import { reportCorrupt } from 'coatcheck/store-kit';
import { WARNINGS } from 'coatcheck/warnings';
import { MAX_TABLE_NAME, isIdentifier, tableNames, type TableNames } from './identifiers.js';
import { assertConnection, type ConnectionOptions } from './connection.js';

/** Options of `postgresStore`. Pass either `pool` or `connectionString`. */
export type PostgresStoreOptions = ConnectionOptions & {
  /**
   * Table holding the sessions. Letters, digits and underscores, not starting with a digit,
   * at most 51 characters (derived index and meta-table names must fit in 63). Matched
   * exactly (it is quoted), so `Sessions` and `sessions` are different tables.
   * @default 'coatcheck_sessions'
   */
  tableName?: string;
  /** Schema of the table (must exist). @default the connection's `search_path` */
  schema?: string;
  /**
   * Deadline of every call, in ms: waiting for a pooled connection plus running the query.
   * Past it the call rejects with `SessionStoreError` (`ERR_SESSION_STORE_UNAVAILABLE`) and
   * the connection it used is discarded. An owned pool also gets it as `statement_timeout`.
   * @default 1000
   */
  opTimeoutMs?: number;
  /**
   * How often expired rows are deleted, in ms; the prune runs at most once per interval
   * across every instance sharing the table. `0` disables the timer (call `prune`).
   * The timer is unref'd: it never keeps the process alive.
   * @default 60_000
   */
  pruneIntervalMs?: number;
  /**
   * Create the table, its indexes and the meta table at first use (`IF NOT EXISTS`, safe
   * when many instances start at once). Turn off when migrations own the schema; the DDL is
   * in `docs/postgres.md`.
   * @default true
   */
  createTable?: boolean;
  /** Clock of the prune timer (which rows count as expired). @default Date.now */
  now?: () => number;
  /**
   * Called after an unreadable row (data not a JSON object, out-of-range numbers,
   * unexpected NULLs) was deleted. Receives the session id and an error naming the bad
   * column, never the row's contents.
   * @default emits a process warning with code `COATCHECK_W004`
   */
  onCorrupt?: (id: string, error: Error) => void;
};

/** Options after defaults; internal. */
export interface ResolvedStoreOptions {
  readonly pool: Pool | undefined;
  readonly connectionString: string | undefined;
  readonly maxConnections: number;
  readonly names: TableNames;
  readonly opTimeoutMs: number;
  readonly pruneIntervalMs: number;
  readonly createTable: boolean;
  readonly now: () => number;
  readonly onCorrupt: (id: string, error: Error) => void;
}

/** Warning code of the default `onCorrupt` report. */
export const CORRUPT_ROW_WARNING = WARNINGS.POSTGRES_CORRUPT_ROW.code;

/** Throws unless `value` is undefined or an integer number of ms in `[min, 2^31)`. */
export function assertMs(factory: string, key: string, value: unknown, min: number): void {
  // setTimeout and setInterval overflow past 2^31 - 1 ms and fire at once.
  if (value !== undefined && (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > 2 ** 31 - 1)) {
    throw new SessionConfigError(`${factory}: \`${key}\` must be an integer number of milliseconds between ${min} and 2^31 - 1.`);
  }
}

function assertOptions(options: PostgresStoreOptions): void {
  assertConnection('postgresStore', options);
  const { tableName, schema, opTimeoutMs, pruneIntervalMs, createTable, now, onCorrupt } = options;
  if (tableName !== undefined && !isIdentifier(tableName, MAX_TABLE_NAME)) {
    throw new SessionConfigError(
      `postgresStore: \`tableName\` must be letters, digits and underscores, not starting with a digit, at most ${MAX_TABLE_NAME} characters.`,
    );
  }
  if (schema !== undefined && !isIdentifier(schema)) {
    throw new SessionConfigError('postgresStore: `schema` must be letters, digits and underscores, not starting with a digit, at most 63 characters.');
  }
  assertMs('postgresStore', 'opTimeoutMs', opTimeoutMs, 1);
  assertMs('postgresStore', 'pruneIntervalMs', pruneIntervalMs, 0);
  if (createTable !== undefined && typeof createTable !== 'boolean') {
    throw new SessionConfigError('postgresStore: `createTable` must be a boolean.');
  }
  if (now !== undefined && typeof now !== 'function') throw new SessionConfigError('postgresStore: `now` must be a function.');
  if (onCorrupt !== undefined && typeof onCorrupt !== 'function') {
    throw new SessionConfigError('postgresStore: `onCorrupt` must be a function.');
  }
}

/** Validates the options and applies defaults; throws `SessionConfigError`. */
export function resolveOptions(options: PostgresStoreOptions): ResolvedStoreOptions {
  assertOptions(options);
  return Object.freeze({
    pool: options.pool,
    connectionString: options.connectionString,
    maxConnections: options.maxConnections ?? 10,
    names: tableNames(options.tableName ?? 'coatcheck_sessions', options.schema),
    opTimeoutMs: options.opTimeoutMs ?? 1000,
    pruneIntervalMs: options.pruneIntervalMs ?? 60_000,
    createTable: options.createTable ?? true,
    now: options.now ?? Date.now,
    onCorrupt: options.onCorrupt ?? reportCorrupt('postgres', CORRUPT_ROW_WARNING),
  });
}
