/**
 * `@coatcheck/sqlite`: the embedded session store for one machine. One SQLite file in WAL
 * mode, shared safely by several processes; nothing to run beside your app. It runs on
 * `node:sqlite` where Node has it (22.13+, 24+), else on better-sqlite3 (`npm install
 * better-sqlite3`); the `driver` option picks one.
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
export { sqliteRateLimit, type SqliteRateLimit, type SqliteRateLimitOptions } from './rate-limit.js';
export { openSqliteDatabase, type OpenSqliteOptions } from './driver/open.js';
export type { SqliteConnection, SqliteDatabase, SqliteDriverName, SqliteRunResult, SqliteStatement } from './driver/types.js';
