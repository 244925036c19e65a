/**
 * `@coatcheck/postgres`: a Postgres session store and a LISTEN/NOTIFY event bus for
 * coatcheck, on node-postgres (`pg`, a peer dependency).
 *
 * @example
 * ```ts
 * import { createSessionManager } from 'coatcheck'
 * import { postgresStore, postgresBus } from '@coatcheck/postgres'
 *
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL })
 * await store.ready() // fails within 10 s with the URL and what to check
 * const bus = postgresBus({ pool: store.pool })
 * const manager = createSessionManager({ store, bus, cache: true, secrets: [process.env.SESSION_SECRET] })
 * ```
 *
 * @module
 */
export { postgresStore, type PostgresStore } from './postgres-store.js';
export { DEFAULT_READY_TIMEOUT_MS, type ReadyOptions } from './ready.js';
export { CORRUPT_ROW_WARNING, type PostgresStoreOptions } from './options.js';
export { PRUNE_FAILED_WARNING } from './prune.js';
export type { ConnectionOptions, PoolConnectionOptions, UrlConnectionOptions } from './connection.js';
export { BUS_LISTENER_WARNING, postgresBus, type PostgresBus } from './bus/postgres-bus.js';
export type { PostgresBusOptions } from './bus/bus-options.js';
export { MAX_PAYLOAD_BYTES } from './bus/payload.js';
export { scanPostgresSessions, measurePostgresStore, type ScanPostgresOptions } from './scan.js';
export { postgresRateLimit, type PostgresRateLimit, type PostgresRateLimitOptions } from './rate-limit.js';
