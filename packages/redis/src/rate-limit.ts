/**
 * The Redis backend of `coatcheck/rate-limit`. Exported from `@coatcheck/redis`.
 *
 * One string key per limiter key, `<prefix>rl:<key>`, holding the TAT in epoch ms and
 * expiring natively when the TAT passes (`PX`), so nothing needs pruning. A hit is one
 * `EVALSHA` of a script on that one key: atomic on the server, and routed by its key on a
 * Cluster (no hash tags, no multi-key command). Calls are bounded like the store's: they
 * reject with `SessionStoreError` after `opTimeoutMs`, and are refused beyond
 * `maxInFlight` waiting calls.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { GcraOutcome, RateLimitBackend } from 'coatcheck/rate-limit';
import { SessionConfigError } from 'coatcheck/errors';
import type { RedisClientLike } from './client-types.js';
import { adaptClient } from './redis-ops.js';
import { ensureErrorListener } from './client-options.js';
import { createOpGuard } from './op-guard.js';
import { positiveInteger, redisKeys } from './options.js';
import { runScript, type LuaScript } from './scripts.js';

/** Options of {@link redisRateLimit}. */
export interface RedisRateLimitOptions {
  /** A connected client (node-redis, ioredis or iovalkey; standalone, Cluster or Sentinel); never closed here. */
  client: RedisClientLike;
  /**
   * Start of every key, as for `redisStore` (the same prefix is fine: rate-limit keys live
   * under `<prefix>rl:`).
   * @default 'coatcheck:'
   */
  prefix?: string;
  /** Every call rejects with `SessionStoreError` after this many ms. @default 1000 */
  opTimeoutMs?: number;
  /** With this many calls waiting for Redis, further calls are refused at once. @default 1000 */
  maxInFlight?: number;
}

/** A {@link RateLimitBackend} on Redis. */
export interface RedisRateLimit extends RateLimitBackend {
  readonly name: 'redis';
  /** The Redis key of a limiter key (for inspection and tests). */
  keyOf(key: string): string;
}

// ARGV = now, incrementMs, capacityMs (whole ms). Returns { allowed (1/0), tat as a string }:
// a number reply would be truncated by Redis, a string keeps it exact. A value that is not
// a number (or a key of another type) counts as absent and is overwritten.
const CONSUME_SOURCE = `
local now, increment, capacity = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local v = redis.pcall('GET', KEYS[1])
if type(v) == 'table' then
  if not string.find(v.err or '', 'WRONGTYPE', 1, true) then return v end
  v = false
end
local tat = tonumber(v or '') or now
if tat < now then tat = now end
local nxt = tat + increment
if nxt - now > capacity then return {0, string.format('%.0f', tat)} end
redis.call('SET', KEYS[1], string.format('%.0f', nxt), 'PX', string.format('%.0f', nxt - now))
return {1, string.format('%.0f', nxt)}`.trim();

const CONSUME: LuaScript = { source: CONSUME_SOURCE, sha1: createHash('sha1').update(CONSUME_SOURCE).digest('hex') };

/**
 * Creates a Redis rate-limit backend on a client you connected.
 *
 * @throws `SessionConfigError` for invalid options.
 *
 * @example
 * ```ts
 * import { redisRateLimit } from '@coatcheck/redis'
 * import { createRateLimiter } from 'coatcheck/rate-limit'
 *
 * const logins = createRateLimiter({ backend: redisRateLimit({ client, prefix: 'shop:' }), name: 'login', rules: { address: { limit: 20, windowMs: 60_000 } } })
 * ```
 */
export function redisRateLimit(options: RedisRateLimitOptions): RedisRateLimit {
  if (options === null || typeof options !== 'object') {
    throw new SessionConfigError('redisRateLimit: pass an options object, e.g. redisRateLimit({ client }).');
  }
  const client = adaptClient(options.client, 'redisRateLimit');
  const { prefix } = redisKeys(options.prefix, 'redisRateLimit');
  const guard = createOpGuard({
    name: 'redis',
    opTimeoutMs: positiveInteger('redisRateLimit', 'opTimeoutMs', options.opTimeoutMs, 1000),
    maxInFlight: positiveInteger('redisRateLimit', 'maxInFlight', options.maxInFlight, 1000),
  });
  ensureErrorListener(client.events, 'coatcheck redis rate limit');
  const keyOf = (key: string): string => `${prefix}rl:${key}`;

  return {
    name: 'redis',
    keyOf,
    consume: (key, step) =>
      guard.run('rate limit consume', async (): Promise<GcraOutcome> => {
        const args = [String(step.now), String(step.incrementMs), String(step.capacityMs)];
        const reply = (await runScript(client, CONSUME, keyOf(key), args)) as [unknown, unknown];
        return { allowed: Number(reply[0]) === 1, tat: Number(reply[1]) };
      }),
    reset: (key) =>
      guard.run('rate limit reset', async () => {
        await client.del(keyOf(key));
      }),
    // Keys expire by themselves when their TAT passes.
    prune: async () => 0,
    async close() {
      guard.close();
    },
  };
}
