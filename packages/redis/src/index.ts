/**
 * `@coatcheck/redis`: the Redis session store and cross-instance bus for coatcheck, on
 * node-redis v5 or v6, ioredis or iovalkey (standalone, Sentinel or Cluster). You create and connect the client; the
 * store and bus use it and never close it.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { createSessionManager } from 'coatcheck'
 * import { connectRedis, createRedisClientOptions, redisBus, redisStore } from '@coatcheck/redis'
 *
 * // Fails within 10 s, naming the URL and what to check, when Redis is unreachable.
 * const client = await connectRedis(
 *   createClient(createRedisClientOptions({ url: process.env.REDIS_URL })).on('error', (err) => console.warn('redis', err)),
 * )
 * const manager = createSessionManager({
 *   store: redisStore({ client, prefix: 'shop:' }),
 *   bus: redisBus({ client, prefix: 'shop:' }),
 *   secrets: [process.env.SESSION_SECRET!],
 * })
 * ```
 *
 * @module
 */
export { redisStore, type RedisStore } from './redis-store.js';
export {
  connectRedis,
  DEFAULT_CONNECT_TIMEOUT_MS,
  type ConnectableRedisClient,
  type ConnectRedisOptions,
} from './connect-redis.js';
export { redisBus, type RedisBus, type RedisBusOptions } from './redis-bus.js';
export { redisKeys, type RedisKeys, type RedisStoreOptions, type WaitForReplicasOptions } from './options.js';
export { checkRedisConfig, type CheckRedisConfigOptions, type RedisConfigFinding } from './config-check.js';
export {
  backoffWithJitter,
  createIoredisOptions,
  createRedisClientOptions,
  ensureErrorListener,
  type BackoffOptions,
  type IoredisOptionsInit,
  type RecommendedIoredisOptions,
  type RecommendedRedisClientOptions,
  type RedisClientOptionsInit,
} from './client-options.js';
export {
  CONFIG_UNCHECKED_WARNING,
  CONNECTION_ERROR_WARNING,
  CORRUPT_VALUE_WARNING,
  EVICTION_POLICY_WARNING,
} from './warnings.js';
export {
  createExpressSessionBridge,
  type BridgeOutcome,
  type BridgeRedisClient,
  type BridgeRequest,
  type ExpressSessionBridge,
  type ExpressSessionBridgeOptions,
  type MigrationPlan,
} from './migrate/express-session-bridge.js';
export type { OldSession } from './migrate/old-cookie.js';
export type {
  RedisBusClient,
  RedisClientLike,
  RedisClusterClient,
  RedisCommandClient,
  RedisPubSubClient,
  RedisStandaloneClient,
} from './client-types.js';
export type { IoredisClient, IoredisClientLike, IoredisClusterClient, IoredisCommandClient } from './ioredis-types.js';
export { scanRedisSessions, scanRedisUserIndexes, type RedisUserIndexEntry, type ScanRedisOptions } from './scan.js';
export { redisRateLimit, type RedisRateLimit, type RedisRateLimitOptions } from './rate-limit.js';
