/**
 * Options of the SQLite bus, validated once at construction. Exported from
 * `@coatcheck/sqlite` (types only).
 *
 * @module
 */
import { SessionConfigError } from 'coatcheck/errors';
import type { SqliteQueryable } from './change-log.js';

/** Options of `sqliteBus`. */
export interface SqliteBusOptions {
  /**
   * An open connection to the shared file: the store's (`store.db`), or one of your own
   * (better-sqlite3 or `node:sqlite`). Use a file database in WAL mode with a busy timeout,
   * as the store sets up; with `':memory:'` the bus reaches only this connection.
   */
  database: SqliteQueryable;
  /**
   * The store's table name; the bus's table is `<tableName>_changes`. Every process of one
   * app must use the same. Same rules as the store's `tableName`.
   * @default 'coatcheck_sessions'
   */
  tableName?: string;
  /**
   * How often the bus checks for messages of other processes, in ms. An idle check is one
   * `PRAGMA data_version`; a revocation reaches the other processes' caches within about
   * this long. The timer is unref'd.
   * @default 10
   */
  pollIntervalMs?: number;
  /**
   * How long messages stay in the table, in ms; older rows are deleted. A process whose
   * event loop stalls for half of this empties its cache, since it may have missed some.
   * @default 60_000
   */
  retentionMs?: number;
}

/** Options after defaults; internal. */
export interface ResolvedBusOptions {
  readonly database: SqliteQueryable;
  readonly tableName: string;
  readonly pollIntervalMs: number;
  readonly retentionMs: number;
}

// The same rule as the store's table name, which it is spliced next to.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Validates the options and applies defaults; throws `SessionConfigError`. */
export function resolveBusOptions(options: SqliteBusOptions): ResolvedBusOptions {
  if (options === null || typeof options !== 'object') {
    throw new SessionConfigError('sqliteBus: pass an options object, e.g. sqliteBus({ database: store.db }).');
  }
  const { database, tableName = 'coatcheck_sessions', pollIntervalMs = 10, retentionMs = 60_000 } = options;
  if (database === null || typeof database !== 'object' || typeof database.prepare !== 'function' || typeof database.exec !== 'function') {
    throw new SessionConfigError('sqliteBus: `database` must be an open SQLite connection, e.g. store.db.');
  }
  if (typeof tableName !== 'string' || !IDENTIFIER.test(tableName)) {
    throw new SessionConfigError('sqliteBus: `tableName` must be letters, digits and underscores, not starting with a digit, at most 63 characters.');
  }
  for (const [key, value] of [
    ['pollIntervalMs', pollIntervalMs],
    ['retentionMs', retentionMs],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new SessionConfigError(`sqliteBus: \`${key}\` must be a positive integer number of milliseconds.`);
    }
  }
  if (retentionMs < pollIntervalMs * 10) {
    throw new SessionConfigError('sqliteBus: `retentionMs` must be at least ten times `pollIntervalMs`, or messages could be pruned before they are read.');
  }
  return Object.freeze({ database, tableName, pollIntervalMs, retentionMs });
}
