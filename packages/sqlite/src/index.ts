/**
 * `@coatcheck/sqlite`: the embedded session store for one machine. One SQLite file in WAL
 * mode, shared safely by several processes; nothing to install or run beside your app.
 *
 * @example
 * ```ts
 * import { createSessionManager } from 'coatcheck'
 * import { sqliteStore } from '@coatcheck/sqlite'
 *
 * const store = sqliteStore({ filename: 'data/sessions.db' })
 * ```
 *
 * @module
 */
export { sqliteStore, PRUNE_FAILED_WARNING, type SqliteStore } from './sqlite-store.js';
export {
  CORRUPT_ROW_WARNING,
  type SqliteStoreOptions,
  type SqliteStoreCommonOptions,
  type SqliteStoreFileOptions,
  type SqliteStoreDatabaseOptions,
} from './options.js';
export { scanSqliteSessions, measureSqliteStore, type ScanSqliteOptions } from './scan.js';
export { sqliteBus, SQLITE_BUS_WARNING, type SqliteBus } from './bus/sqlite-bus.js';
export type { SqliteBusOptions } from './bus/bus-options.js';
export type { SqliteConnection } from './bus/change-log.js';
export { sqliteRateLimit, type SqliteRateLimit, type SqliteRateLimitOptions } from './rate-limit.js';
