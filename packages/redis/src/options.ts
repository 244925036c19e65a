/**
 * Options of the Redis store and bus, validated once at construction, and the key layout.
 * Exported from `@coatcheck/redis` (types and `redisKeys`).
 *
 * @module
 */
import { SessionConfigError } from 'coatcheck/errors';
import type { RedisClientLike } from './client-types.js';
import { adaptClient, type RedisOps } from './redis-ops.js';
import { warnCorrupt } from './warnings.js';

/** Options of `redisStore`. */
export interface RedisStoreOptions {
  /**
   * A connected client: node-redis v5 or v6 (`createClient()`, `createCluster()`,
   * `createSentinel()`) or ioredis / iovalkey (`new Redis()`, `new Redis.Cluster()`,
   * `new Redis({ sentinels, name })`), recognised by its shape. The store never connects or
   * closes it. See `createRedisClientOptions` (node-redis) and `createIoredisOptions` (ioredis,
   * iovalkey) for the recommended settings; if it has no `'error'` listener, the store adds one.
   */
  client: RedisClientLike;
  /**
   * Start of every key and of the bus channel. Apps sharing one Redis need different
   * prefixes, and no prefix may start with another one. Letters, digits and `_ . : - /`,
   * 1 to 64 characters; no glob characters (they would leak into `SCAN MATCH`) and no braces
   * (a hash tag would put every key in one Cluster slot).
   * @default 'coatcheck:'
   */
  prefix?: string;
  /**
   * Every call rejects with `SessionStoreError` (`ERR_SESSION_STORE_UNAVAILABLE`) after this
   * many ms, for example when Redis is frozen or unreachable without a TCP reset. A login under
   * `maxSessionsPerUser` (`createCapped`) may first wait for its user's lock, which lives 5 x
   * this (docs/redis.md, "A cap on sessions per user").
   * @default 1000
   */
  opTimeoutMs?: number;
  /**
   * Bulkhead: with this many calls still waiting for Redis, further calls are refused at once
   * with `SessionStoreError`, so an outage can never queue unbounded work in memory.
   * @default 1000
   */
  maxInFlight?: number;
  /**
   * Called after a corrupt or foreign value under the prefix (not JSON, wrong shape, a hash
   * where a string belongs) was deleted. Receives the Redis key and an error naming the
   * problem, never the value.
   * @default emits a process warning with code `COATCHECK_W006`
   */
  onCorrupt?: (key: string, error: Error) => void;
  /**
   * Reads `maxmemory-policy` once at construction and warns (`COATCHECK_W007`) unless it is
   * `noeviction`, or (`COATCHECK_W008`) when it cannot be read. See `checkRedisConfig`.
   * @default true
   */
  checkConfig?: boolean;
  /**
   * Confirms every write that changes or ends a session (`update`, `delete`, `deleteByUser`,
   * and a `createCapped` that evicted sessions) with `WAIT replicas timeoutMs` before reporting it done: a logout, a device revocation,
   * "log out everywhere" or a refresh-token rotation then survives a failover to a replica.
   * When fewer replicas acknowledge in time, the call rejects with `SessionStoreError`
   * (`ERR_SESSION_STORE_UNAVAILABLE`, 503): the refresh endpoint hands out no tokens, the
   * logout is not reported as done. `create` and `touch` are not confirmed: losing them can
   * only end a session sooner, and a login's new record is confirmed with the deletion of the
   * old ticket that completes it.
   *
   * Costs one extra round trip plus the replication delay per confirmed write (calls queued
   * meanwhile share the next `WAIT`); reads are unchanged. The store opens one extra connection for these writes (a
   * `duplicate()` of your client, or on Sentinel of the client's current master connection,
   * opened again when the client reports a new master); `close()` closes it.
   *
   * > [!NOTE]
   * > Refused on a Cluster client (`SessionConfigError`): use Postgres there if revocations
   * > must survive a failover. `WAIT` makes a failover lose an acknowledged write far less
   * > likely, not impossible: Sentinel promotes the most up-to-date replica it can reach, so
   * > ask for as many acknowledgements as you have replicas that may be promoted.
   *
   * @example
   * ```ts
   * redisStore({ client, prefix: 'shop:', waitForReplicas: { replicas: 1, timeoutMs: 100 } })
   * ```
   * @default undefined (writes are acknowledged by the master alone)
   */
  waitForReplicas?: WaitForReplicasOptions;
}

/** How writes are confirmed by replicas; see {@link RedisStoreOptions.waitForReplicas}. */
export interface WaitForReplicasOptions {
  /** Replicas that must acknowledge each write. @default 1 */
  replicas?: number;
  /** How long `WAIT` may block, in ms; must be below `opTimeoutMs`. @default 100 */
  timeoutMs?: number;
}

/** `waitForReplicas` after defaults; internal. */
export interface ResolvedWaitForReplicas {
  readonly replicas: number;
  readonly timeoutMs: number;
}

/** The keys and channel derived from a prefix. */
export interface RedisKeys {
  readonly prefix: string;
  /** `<prefix>s:<id>`: the session record, a string with a TTL. */
  session(id: string): string;
  /** `<prefix>u:<userId>`: the user's sessions, a sorted set of ids scored by absolute expiry. */
  user(userId: string): string;
  /**
   * `<prefix>cap:<userId>`: the user's session-cap lock, held by one `createCapped` (a login
   * under `maxSessionsPerUser`) at a time; a string with a TTL, deleted when released.
   */
  capLock(userId: string): string;
  /** `<prefix>h:s:<id>`: the session's history, a capped list of entries, newest first. */
  sessionHistory(id: string): string;
  /** `<prefix>h:u:<userId>`: the user's history over all their sessions, a capped list. */
  userHistory(userId: string): string;
  /** `<prefix>bus`: the pub/sub channel of `redisBus`. */
  readonly channel: string;
  /** `<prefix>wait`: an empty message is published here before each `WAIT` (`waitForReplicas`). */
  readonly waitChannel: string;
}

/** Options after defaults; internal. */
export interface ResolvedRedisStoreOptions {
  readonly client: RedisOps;
  readonly keys: RedisKeys;
  readonly opTimeoutMs: number;
  readonly maxInFlight: number;
  readonly onCorrupt: (key: string, error: Error) => void;
  readonly checkConfig: boolean;
  readonly waitForReplicas: ResolvedWaitForReplicas | null;
}

const PREFIX = /^[A-Za-z0-9_.:/-]{1,64}$/;

/** Validates a prefix and derives the key layout; throws `SessionConfigError`. */
export function redisKeys(prefix = 'coatcheck:', owner = 'redisStore'): RedisKeys {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new SessionConfigError(
      `${owner}: \`prefix\` must be 1-64 letters, digits or _ . : - / (no glob characters, no braces, no spaces), e.g. 'myapp:sessions:'.`,
    );
  }
  return Object.freeze({
    prefix,
    session: (id: string) => `${prefix}s:${id}`,
    user: (userId: string) => `${prefix}u:${userId}`,
    capLock: (userId: string) => `${prefix}cap:${userId}`,
    sessionHistory: (id: string) => `${prefix}h:s:${id}`,
    userHistory: (userId: string) => `${prefix}h:u:${userId}`,
    channel: `${prefix}bus`,
    waitChannel: `${prefix}wait`,
  });
}

/** Checks a positive integer millisecond or count option; throws `SessionConfigError`. */
export function positiveInteger(owner: string, key: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new SessionConfigError(`${owner}: \`${key}\` must be a positive integer.`);
  }
  return value;
}

/** Validates the options and applies defaults; throws `SessionConfigError`. */
export function resolveOptions(options: RedisStoreOptions): ResolvedRedisStoreOptions {
  if (options === null || typeof options !== 'object') {
    throw new SessionConfigError('redisStore: pass an options object, e.g. redisStore({ client }).');
  }
  const client = adaptClient(options.client, 'redisStore');
  const { onCorrupt, checkConfig } = options;
  if (onCorrupt !== undefined && typeof onCorrupt !== 'function') {
    throw new SessionConfigError('redisStore: `onCorrupt` must be a function.');
  }
  if (checkConfig !== undefined && typeof checkConfig !== 'boolean') {
    throw new SessionConfigError('redisStore: `checkConfig` must be a boolean.');
  }
  const opTimeoutMs = positiveInteger('redisStore', 'opTimeoutMs', options.opTimeoutMs, 1000);
  return Object.freeze({
    client,
    keys: redisKeys(options.prefix),
    opTimeoutMs,
    maxInFlight: positiveInteger('redisStore', 'maxInFlight', options.maxInFlight, 1000),
    onCorrupt: onCorrupt ?? warnCorrupt,
    checkConfig: checkConfig ?? true,
    waitForReplicas: resolveWaitForReplicas(options.waitForReplicas, client, opTimeoutMs),
  });
}

/** Validates `waitForReplicas` against the client kind; throws `SessionConfigError`. */
function resolveWaitForReplicas(value: unknown, client: RedisOps, opTimeoutMs: number): ResolvedWaitForReplicas | null {
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object') {
    throw new SessionConfigError('redisStore: `waitForReplicas` must be an object, e.g. { replicas: 1, timeoutMs: 100 }.');
  }
  if (client.topology === 'cluster') {
    throw new SessionConfigError(
      'redisStore: `waitForReplicas` is not available on a Redis Cluster client. WAIT confirms the writes of one connection to one master, but a Cluster spreads a session and its user index over several masters, and its failover may still promote a replica that missed them. If revocations and refresh-token rotations must survive a failover, keep sessions in Postgres (@coatcheck/postgres), or use a standalone or Sentinel Redis with waitForReplicas.',
    );
  }
  if (client.replicas === null) {
    throw new SessionConfigError(
      'redisStore: `waitForReplicas` needs a standalone or Sentinel client: createClient() or createSentinel() of node-redis, new Redis() of ioredis or iovalkey.',
    );
  }
  const { replicas, timeoutMs } = value as WaitForReplicasOptions;
  const resolved = {
    replicas: positiveInteger('redisStore', 'waitForReplicas.replicas', replicas, 1),
    timeoutMs: positiveInteger('redisStore', 'waitForReplicas.timeoutMs', timeoutMs, 100),
  };
  // Otherwise the call's own deadline fires first, and a missing acknowledgement would be
  // reported as a timeout of the whole call.
  if (resolved.timeoutMs >= opTimeoutMs) {
    throw new SessionConfigError(`redisStore: \`waitForReplicas.timeoutMs\` (${resolved.timeoutMs}) must be below \`opTimeoutMs\` (${opTimeoutMs}).`);
  }
  return Object.freeze(resolved);
}
