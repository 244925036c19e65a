/**
 * Options of the Redis store and bus, validated once at construction, and the key layout.
 * Exported from `@coatcheck/redis` (types and `redisKeys`).
 *
 * @module
 */
import { SessionConfigError } from 'coatcheck/errors';
import type { RedisClientLike } from './client-types.js';
import { warnCorrupt } from './warnings.js';

/** Options of `redisStore`. */
export interface RedisStoreOptions {
  /**
   * A connected node-redis v5 client: `createClient()`, `createCluster()` or
   * `createSentinel()`. The store never connects or closes it. See `createRedisClientOptions`
   * for the recommended settings; if it has no `'error'` listener, the store adds one.
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
   * many ms, for example when Redis is frozen or unreachable without a TCP reset.
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
}

/** The keys and channel derived from a prefix. */
export interface RedisKeys {
  readonly prefix: string;
  /** `<prefix>s:<id>`: the session record, a string with a TTL. */
  session(id: string): string;
  /** `<prefix>u:<userId>`: the user's sessions, a sorted set of ids scored by absolute expiry. */
  user(userId: string): string;
  /** `<prefix>bus`: the pub/sub channel of `redisBus`. */
  readonly channel: string;
}

/** Options after defaults; internal. */
export interface ResolvedRedisStoreOptions {
  readonly client: RedisClientLike;
  readonly keys: RedisKeys;
  readonly opTimeoutMs: number;
  readonly maxInFlight: number;
  readonly onCorrupt: (key: string, error: Error) => void;
  readonly checkConfig: boolean;
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
    channel: `${prefix}bus`,
  });
}

/** Checks a client-ish value, shared with the bus; throws `SessionConfigError`. */
export function assertClient(client: unknown, owner: string): asserts client is RedisClientLike {
  const candidate = client as Partial<Record<'get' | 'evalSha' | 'on', unknown>> | null;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    typeof candidate.get !== 'function' ||
    typeof candidate.evalSha !== 'function' ||
    typeof candidate.on !== 'function'
  ) {
    throw new SessionConfigError(`${owner}: \`client\` must be a node-redis v5 client from createClient(), createCluster() or createSentinel().`);
  }
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
  assertClient(options.client, 'redisStore');
  const { onCorrupt, checkConfig } = options;
  if (onCorrupt !== undefined && typeof onCorrupt !== 'function') {
    throw new SessionConfigError('redisStore: `onCorrupt` must be a function.');
  }
  if (checkConfig !== undefined && typeof checkConfig !== 'boolean') {
    throw new SessionConfigError('redisStore: `checkConfig` must be a boolean.');
  }
  return Object.freeze({
    client: options.client,
    keys: redisKeys(options.prefix),
    opTimeoutMs: positiveInteger('redisStore', 'opTimeoutMs', options.opTimeoutMs, 1000),
    maxInFlight: positiveInteger('redisStore', 'maxInFlight', options.maxInFlight, 1000),
    onCorrupt: onCorrupt ?? warnCorrupt,
    checkConfig: checkConfig ?? true,
  });
}
