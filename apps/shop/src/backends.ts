/**
 * Where sessions live, chosen by the environment: `REDIS_URL` moves them to Redis,
 * `DATABASE_URL` to Postgres, and otherwise they stay in the SQLite file next to the users.
 * Every backend has a bus (Redis pub/sub, Postgres NOTIFY, the SQLite file's change table),
 * so several instances share sessions and the revocation-aware local cache is on.
 *
 * @module
 */
import type { SqliteConnection } from '@coatcheck/sqlite';
import type { SessionBus } from 'coatcheck/bus';
import type { SessionStore } from 'coatcheck/store-kit';
import type { RateLimitBackend } from 'coatcheck/rate-limit';
import { sqliteRateLimit, sqliteStore } from '@coatcheck/sqlite';

/** The session backends of one process. */
export interface Backends {
  /** `"sqlite"`, `"redis"` or `"postgres"`. */
  readonly kind: 'sqlite' | 'redis' | 'postgres';
  readonly store: SessionStore;
  /** Carries revocations and broadcasts between the instances that share the sessions. */
  readonly bus: SessionBus | null;
  /**
   * The throttles' state, in the same store: one atomic step per hit on SQLite, Redis
   * (Cluster included) or Postgres, so the limits hold across instances.
   */
  readonly rateLimit: RateLimitBackend;
  /**
   * Counts live sessions, where that is one cheap query (SQLite: an index range count);
   * `null` for Redis and Postgres, where it would scan a keyspace or a large table per scrape.
   */
  readonly countActive: (() => number) | null;
  /** Closes the bus, the store and the connections opened here. */
  close(): Promise<void>;
}

/** The environment variables that select a backend. */
export interface BackendConfig {
  readonly redisUrl: string | null;
  readonly databaseUrl: string | null;
  /**
   * Redis only: confirm session changes and revocations on this many replicas before
   * answering (`waitForReplicas` of the Redis store; `REDIS_WAIT_REPLICAS`). @default null
   */
  readonly redisWaitForReplicas?: { readonly replicas: number; readonly timeoutMs: number } | null;
}

async function openRedis(url: string, waitForReplicas: BackendConfig['redisWaitForReplicas'] = null): Promise<Backends> {
  // Loaded only when asked for: SQLite users never load the Redis driver.
  const { createClient } = await import('redis');
  const { connectRedis, createRedisClientOptions, ensureErrorListener, redisBus, redisRateLimit, redisStore } = await import('@coatcheck/redis');
  const client = createClient(createRedisClientOptions({ url }));
  // Before connecting: a connection error without a listener would crash the process.
  ensureErrorListener(client, 'shop');
  // Bounded: an unreachable Redis stops the start with the URL and what to check, instead of
  // a server that never listens.
  await connectRedis(client);
  let store: ReturnType<typeof redisStore>;
  try {
    // With REDIS_WAIT_REPLICAS a logout or refresh rotation is answered only once replicas
    // hold it, so a failover cannot bring a revoked session back (SF-10).
    store = redisStore({ client, ...(waitForReplicas ? { waitForReplicas } : {}) });
  } catch (error) {
    await client.close();
    throw error;
  }
  const bus = redisBus({ client });
  return {
    kind: 'redis',
    store,
    bus,
    rateLimit: redisRateLimit({ client }),
    countActive: null,
    async close() {
      await bus.close();
      await store.close();
      await client.close();
    },
  };
}

async function openPostgres(connectionString: string): Promise<Backends> {
  const { postgresBus, postgresRateLimit, postgresStore } = await import('@coatcheck/postgres');
  const store = postgresStore({ connectionString });
  // Connects and creates the table within a bound, so a wrong URL stops the start with a fix.
  await store.ready();
  const bus = postgresBus({ connectionString });
  return {
    kind: 'postgres',
    store,
    bus,
    // On the store's pool; the table is created at the first hit.
    rateLimit: postgresRateLimit({ pool: store.pool }),
    countActive: null,
    async close() {
      await bus.close();
      await store.close();
    },
  };
}

/**
 * Counts live sessions in the SQLite store's default table. `expires_at` is indexed, so this
 * counts an index range rather than reading rows. Create it after the store (which creates
 * the table).
 */
export function countSqliteSessions(db: SqliteConnection, now: () => number = Date.now): () => number {
  const live = db.prepare<{ n: number }>('SELECT count(*) AS n FROM coatcheck_sessions WHERE expires_at > ?');
  return () => live.get(now())?.n ?? 0;
}

/** Opens the session backend the environment asks for. */
export async function openBackends(config: BackendConfig, db: SqliteConnection): Promise<Backends> {
  if (config.redisUrl) return openRedis(config.redisUrl, config.redisWaitForReplicas);
  if (config.databaseUrl) return openPostgres(config.databaseUrl);
  const store = sqliteStore({ database: db });
  return {
    kind: 'sqlite',
    store,
    // On the store's connection; closed with the store. Processes sharing the file (npm run
    // start:cluster, PM2) hear each other's revocations through it.
    bus: store.bus(),
    // A table beside the sessions; every process has its own connection to the file.
    rateLimit: sqliteRateLimit({ database: db }),
    countActive: countSqliteSessions(db),
    close: () => store.close(),
  };
}
