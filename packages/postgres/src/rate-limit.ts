/**
 * The Postgres backend of `coatcheck/rate-limit`. Exported from `@coatcheck/postgres`.
 *
 * One row per key, `(key, tat, allowed)`, in a table of its own. A hit is ONE statement,
 * `INSERT … ON CONFLICT (key) DO UPDATE … RETURNING`, with the GCRA step in SQL: the
 * conflicting row is locked and re-read at its latest version, so concurrent hits on a key
 * from any number of instances are decided one after another, never on a stale TAT.
 *
 * Why the `allowed` column: `RETURNING` sees only the new row, and a refused hit leaves the
 * TAT as it was, so the statement records its own decision in the row it returns. A refusal
 * therefore rewrites the row (same TAT); the alternative, a `WHERE` on the update, returns no
 * row for a refusal and would need a second round trip to read the TAT for `Retry-After`.
 *
 * @module
 */
import type { Pool } from 'pg';
import type { GcraOutcome, RateLimitBackend } from 'coatcheck/rate-limit';
import { SessionConfigError } from 'coatcheck/errors';
import { storeErrors } from 'coatcheck/store-kit';
import { createGate } from './gate.js';
import { advisoryKey, isIdentifier, quote } from './identifiers.js';
import { assertMs } from './options.js';
import { createRunner } from './runner.js';

/** Options of {@link postgresRateLimit}. */
export interface PostgresRateLimitOptions {
  /** A `pg.Pool`, typically the store's (`postgresStore(...).pool`); never ended here. */
  pool: Pool;
  /**
   * Table of the rate-limit keys. Letters, digits and underscores, not starting with a
   * digit, at most 50 characters.
   * @default 'coatcheck_rate_limits'
   */
  tableName?: string;
  /** Schema of the table (must exist). @default the connection's `search_path` */
  schema?: string;
  /** Deadline of every call, in ms (waiting for a connection plus the statement). @default 1000 */
  opTimeoutMs?: number;
  /** Create the table and its index at first use (`IF NOT EXISTS`). The DDL is in `docs/rate-limit.md`. @default true */
  createTable?: boolean;
}

/** A {@link RateLimitBackend} on Postgres. */
export interface PostgresRateLimit extends RateLimitBackend {
  readonly name: 'postgres';
}

/** Rows deleted per prune call, so a backlog never holds many locks at once. */
const PRUNE_BATCH = 10_000;

/** The DDL of the table, idempotent. Times are epoch ms, exact in `bigint`. */
function rateLimitSchemaSql(table: string, tatIndex: string): string {
  return `
    CREATE TABLE IF NOT EXISTS ${table} (
      key text COLLATE "C" PRIMARY KEY,
      tat bigint NOT NULL,
      allowed boolean NOT NULL
    );
    CREATE INDEX IF NOT EXISTS ${tatIndex} ON ${table} (tat);`;
}

/**
 * Creates a Postgres rate-limit backend on a pool. Nothing connects until the first hit,
 * which also creates the table if `createTable` is on.
 *
 * @throws `SessionConfigError` for invalid options.
 *
 * @example
 * ```ts
 * import { postgresStore, postgresRateLimit } from '@coatcheck/postgres'
 * import { createRateLimiter } from 'coatcheck/rate-limit'
 *
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL! })
 * const logins = createRateLimiter({ backend: postgresRateLimit({ pool: store.pool }), name: 'login', rules: { address: { limit: 20, windowMs: 60_000 } } })
 * ```
 */
export function postgresRateLimit(options: PostgresRateLimitOptions): PostgresRateLimit {
  const { pool, tableName = 'coatcheck_rate_limits', schema, opTimeoutMs = 1000, createTable = true } = (options ?? {}) as Partial<PostgresRateLimitOptions>;
  if (pool === null || typeof pool !== 'object' || typeof pool.connect !== 'function') {
    throw new SessionConfigError('postgresRateLimit: `pool` must be a pg.Pool, e.g. postgresRateLimit({ pool: store.pool }).');
  }
  if (!isIdentifier(tableName, 50)) {
    throw new SessionConfigError('postgresRateLimit: `tableName` must be letters, digits and underscores, not starting with a digit, at most 50 characters.');
  }
  if (schema !== undefined && !isIdentifier(schema)) {
    throw new SessionConfigError('postgresRateLimit: `schema` must be letters, digits and underscores, not starting with a digit, at most 63 characters.');
  }
  assertMs('postgresRateLimit', 'opTimeoutMs', opTimeoutMs, 1);
  if (typeof createTable !== 'boolean') throw new SessionConfigError('postgresRateLimit: `createTable` must be a boolean.');

  const table = schema === undefined ? quote(tableName) : `${quote(schema)}.${quote(tableName)}`;
  const display = schema === undefined ? tableName : `${schema}.${tableName}`;
  const errors = storeErrors('postgres', 'Postgres rate limit');
  const runner = createRunner(pool, errors, opTimeoutMs);
  const gate = createGate(errors);
  // $1 key, $2 now, $3 increment, $4 capacity. `fits` is the GCRA test on the stored TAT
  // (raised to now); the refused branch keeps the TAT and reports it raised to now.
  const fits = `GREATEST(r.tat, $2::bigint) + $3::bigint - $2::bigint <= $4::bigint`;
  const consumeSql = `
    INSERT INTO ${table} AS r (key, tat, allowed)
    VALUES ($1, CASE WHEN $3::bigint <= $4::bigint THEN $2::bigint + $3::bigint ELSE $2::bigint END, $3::bigint <= $4::bigint)
    ON CONFLICT (key) DO UPDATE SET
      tat = CASE WHEN ${fits} THEN GREATEST(r.tat, $2::bigint) + $3::bigint ELSE r.tat END,
      allowed = ${fits}
    RETURNING GREATEST(r.tat, $2::bigint) AS tat, r.allowed`;
  // SKIP LOCKED: keys being hit right now are left for the next prune, never waited on.
  const pruneSql = `DELETE FROM ${table} WHERE key = ANY (ARRAY(
      SELECT key FROM ${table} WHERE tat <= $1 LIMIT ${PRUNE_BATCH} FOR UPDATE SKIP LOCKED))`;

  let ready: Promise<void> | null = createTable ? null : Promise.resolve();
  function ensureTable(): Promise<void> {
    ready ??= runner
      .run('create rate-limit table', async (query) => {
        // Serialized across instances: concurrent CREATE … IF NOT EXISTS can still collide.
        await query('BEGIN');
        await query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryKey('schema', display)]);
        await query(rateLimitSchemaSql(table, quote(`${tableName}_tat_idx`)));
        await query('COMMIT');
      })
      .catch((error: unknown) => {
        ready = null; // retried by the next call
        throw error;
      });
    return ready;
  }
  const run = <T>(operation: string, work: Parameters<typeof runner.run<T>>[1]): Promise<T> =>
    gate.pass(operation, async () => {
      await ensureTable();
      return runner.run(operation, work);
    });

  return {
    name: 'postgres',
    async consume(key, step): Promise<GcraOutcome> {
      const { rows } = await run('rate limit consume', (query) =>
        query<{ tat: string; allowed: boolean }>(consumeSql, [key, step.now, step.incrementMs, step.capacityMs]),
      );
      const row = rows[0];
      return { allowed: row?.allowed === true, tat: Number(row?.tat) };
    },
    async reset(key) {
      await run('rate limit reset', (query) => query(`DELETE FROM ${table} WHERE key = $1`, [key]));
    },
    async prune(now) {
      const result = await run('rate limit prune', (query) => query(pruneSql, [now]));
      return result.rowCount ?? 0;
    },
    async close() {
      await gate.shut();
    },
  };
}
