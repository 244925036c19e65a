/**
 * Recommended client settings for sessions (node-redis, and ioredis / iovalkey), and the
 * `'error'` listener guard.
 * Exported from `@coatcheck/redis`.
 *
 * Why these settings:
 * - `disableOfflineQueue: true`: while the connection is down, commands fail at once instead
 *   of piling up in memory until Redis returns; the request answers 503 right away.
 * - `reconnectStrategy` with exponential backoff and jitter: the client reconnects by itself
 *   forever (never a stuck "disconnected" flag), and a fleet of instances does not hammer a
 *   Redis that is coming back all at the same instant.
 * - `RESP: 2`: node-redis v5's default and the fastest path measured for a plain `GET`.
 * - an `'error'` listener: node-redis emits every connection error as an `'error'` event, and
 *   an EventEmitter without a listener for it throws, which kills the process.
 *
 * @module
 */
import { SessionConfigError } from 'coatcheck/errors';
import type { RedisCommandClient } from './client-types.js';
import { rateLimitedWarning } from './warnings.js';

/** Options of {@link backoffWithJitter}. */
export interface BackoffOptions {
  /** Delay before the first retry, in ms. @default 50 */
  baseDelayMs?: number;
  /** Longest delay between two retries, in ms. @default 2000 */
  maxDelayMs?: number;
}

/**
 * A node-redis `socket.reconnectStrategy`: exponential backoff capped at `maxDelayMs`, with
 * "equal jitter" (half the delay fixed, half random). It never gives up.
 *
 * @example
 * ```ts
 * createClient({ url, socket: { reconnectStrategy: backoffWithJitter({ maxDelayMs: 5000 }) } })
 * ```
 */
export function backoffWithJitter(options: BackoffOptions = {}): (retries: number) => number {
  const { baseDelayMs = 50, maxDelayMs = 2000 } = options;
  if (!(baseDelayMs > 0) || !(maxDelayMs >= baseDelayMs)) {
    throw new SessionConfigError('backoffWithJitter: need 0 < baseDelayMs <= maxDelayMs');
  }
  return (retries) => {
    // 2 ** 30 already exceeds any sane cap; clamping the exponent keeps the math finite.
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(retries, 30));
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  };
}

/** Options of {@link createRedisClientOptions}. */
export interface RedisClientOptionsInit extends BackoffOptions {
  /**
   * `redis[s]://[[user][:password]@]host[:port][/db]`. `undefined` is accepted (and means
   * node-redis' default, `redis://localhost:6379`) so `process.env.REDIS_URL` can be passed as is
   * under `exactOptionalPropertyTypes`.
   */
  url?: string | undefined;
  /** How long one connection attempt may take, in ms. @default 2000 */
  connectTimeoutMs?: number;
}

/** What {@link createRedisClientOptions} returns; spread it into `createClient`. */
export interface RecommendedRedisClientOptions {
  url?: string;
  RESP: 2;
  disableOfflineQueue: true;
  socket: { connectTimeout: number; reconnectStrategy: (retries: number) => number };
}

/**
 * The client options coatcheck recommends for a session store: fail fast while disconnected,
 * reconnect forever with backoff and jitter, RESP2.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { connectRedis, createRedisClientOptions } from '@coatcheck/redis'
 *
 * const client = createClient(createRedisClientOptions({ url: process.env.REDIS_URL }))
 * client.on('error', (err) => console.warn('redis', err))
 * // With this strategy client.connect() would wait forever for an unreachable Redis;
 * // connectRedis gives up after 10 s with the URL and what to check.
 * await connectRedis(client)
 * ```
 */
export function createRedisClientOptions(init: RedisClientOptionsInit = {}): RecommendedRedisClientOptions {
  const { url, connectTimeoutMs = 2000, ...backoff } = init;
  return {
    ...(url === undefined ? {} : { url }),
    RESP: 2,
    disableOfflineQueue: true,
    socket: { connectTimeout: connectTimeoutMs, reconnectStrategy: backoffWithJitter(backoff) },
  };
}

/** Options of {@link createIoredisOptions}. */
export interface IoredisOptionsInit extends BackoffOptions {
  /** How long one connection attempt may take, in ms. @default 2000 */
  connectTimeoutMs?: number;
}

/** What {@link createIoredisOptions} returns; spread it into `new Redis(url, options)`. */
export interface RecommendedIoredisOptions {
  enableOfflineQueue: false;
  maxRetriesPerRequest: 0;
  connectTimeout: number;
  retryStrategy: (times: number) => number;
}

/**
 * The ioredis / iovalkey options coatcheck recommends for a session store, for the same
 * reasons as {@link createRedisClientOptions}:
 * - `enableOfflineQueue: false`: while disconnected, commands fail at once (503) instead of
 *   waiting in memory (ioredis queues them by default);
 * - `maxRetriesPerRequest: 0`: a command in flight when the connection drops fails instead of
 *   being sent again after the reconnect, when its caller has long been answered;
 * - `retryStrategy` with backoff and jitter: reconnect forever, never all at once.
 *
 * For a Cluster, pass them as `redisOptions` and set `enableOfflineQueue: false` on the
 * Cluster too. Connect with `lazyConnect: true` and `connectRedis` before the first request:
 * without the offline queue, commands sent earlier fail.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * import { connectRedis, createIoredisOptions } from '@coatcheck/redis'
 *
 * const client = await connectRedis(new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { ...createIoredisOptions(), lazyConnect: true }))
 * client.on('error', (err) => console.warn('redis', err))
 * ```
 */
export function createIoredisOptions(init: IoredisOptionsInit = {}): RecommendedIoredisOptions {
  const { connectTimeoutMs = 2000, ...backoff } = init;
  const delay = backoffWithJitter(backoff);
  // ioredis counts attempts from 1; backoffWithJitter from 0.
  return { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: connectTimeoutMs, retryStrategy: (times) => delay(times - 1) };
}

/**
 * Attaches a rate-limited warning reporter as the client's `'error'` listener if it has none,
 * so a connection error can never crash the process. Returns whether one was attached.
 * A listener the application added itself is left alone.
 */
export function ensureErrorListener(client: Pick<RedisCommandClient, 'on' | 'listenerCount'>, source: string): boolean {
  if (client.listenerCount('error') > 0) return false;
  client.on('error', rateLimitedWarning(`${source}: Redis connection error`));
  return true;
}
