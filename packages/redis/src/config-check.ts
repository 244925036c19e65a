/**
 * The eviction-policy guard (SF-13). Exported from `@coatcheck/redis`.
 *
 * Sessions need `maxmemory-policy noeviction`. Every session key has a TTL, so the
 * `volatile-*` policies evict live sessions just like the `allkeys-*` ones; and an evicted
 * user index makes "log out everywhere" miss sessions that are still valid. With
 * `noeviction`, a full Redis refuses writes (new sessions answer 503) while every existing
 * session keeps working (SF-12).
 *
 * @module
 */
import type { RedisClientLike } from './client-types.js';
import { adaptClient, type RedisNode, type RedisOps } from './redis-ops.js';
import { CONFIG_UNCHECKED_WARNING, EVICTION_POLICY_WARNING } from './warnings.js';

/** What {@link checkRedisConfig} found on one server. */
export interface RedisConfigFinding {
  /** `host:port` of a Cluster master, or `'server'` for a standalone or Sentinel client. */
  readonly node: string;
  /** The policy, or `null` when it could not be read. */
  readonly policy: string | null;
  /** Why it could not be read (e.g. `NOPERM`, `unknown command`), or `null`. */
  readonly error: string | null;
}

/** Options of {@link checkRedisConfig}. */
export interface CheckRedisConfigOptions {
  /** Emit `COATCHECK_W007` / `COATCHECK_W008` process warnings. @default true */
  warn?: boolean;
}

// CONFIG GET answers a flat array in RESP2 and a map in RESP3; node-redis turns both into an
// object by default (a custom type mapping may give a Map or the raw array), ioredis gives
// the flat array.
function readPolicy(reply: unknown): string | null {
  const name = 'maxmemory-policy';
  if (reply instanceof Map) return reply.has(name) ? String(reply.get(name)) : null;
  if (Array.isArray(reply)) {
    const index = reply.findIndex((item) => String(item) === name);
    return index >= 0 && index + 1 < reply.length ? String(reply[index + 1]) : null;
  }
  if (reply !== null && typeof reply === 'object' && name in reply) return String((reply as Record<string, unknown>)[name]);
  return null;
}

async function inspect(server: RedisNode): Promise<RedisConfigFinding> {
  const node = server.name;
  try {
    const policy = readPolicy(await server.configGet('maxmemory-policy'));
    return { node, policy, error: policy === null ? 'CONFIG GET returned no maxmemory-policy' : null };
  } catch (error) {
    return { node, policy: null, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Reads `maxmemory-policy` from the server (every master of a Cluster) and, unless
 * `warn: false`, emits a process warning for each server that is not `noeviction`
 * (`COATCHECK_W007`) or whose policy could not be read (`COATCHECK_W008`, e.g. `CONFIG` is
 * disabled on managed Redis: check the setting in your provider's console). A Redis error
 * becomes a finding, never an exception.
 *
 * @throws `SessionConfigError` when `client` is not a supported Redis client.
 *
 * @example
 * ```ts
 * const findings = await checkRedisConfig(client)
 * if (findings.some((f) => f.policy !== 'noeviction')) process.exitCode = 1 // in a deploy check
 * ```
 */
export async function checkRedisConfig(client: RedisClientLike, options: CheckRedisConfigOptions = {}): Promise<RedisConfigFinding[]> {
  return checkNodes(adaptClient(client, 'checkRedisConfig'), options);
}

/** {@link checkRedisConfig} on an adapted client; what the store runs at construction. */
export async function checkNodes(client: RedisOps, options: CheckRedisConfigOptions = {}): Promise<RedisConfigFinding[]> {
  const findings = await Promise.all(client.nodes().map(inspect));
  if (options.warn ?? true) {
    for (const { node, policy, error } of findings) {
      if (policy === null) {
        process.emitWarning(
          `coatcheck could not read maxmemory-policy from Redis (${node}): ${error}. Sessions need maxmemory-policy noeviction; verify it in redis.conf or your provider's settings.`,
          { code: CONFIG_UNCHECKED_WARNING },
        );
      } else if (policy !== 'noeviction') {
        process.emitWarning(
          `Redis (${node}) has maxmemory-policy ${policy}: it may evict live sessions and user indexes, which logs users out at random and lets "log out everywhere" miss sessions. Set maxmemory-policy noeviction (CONFIG SET maxmemory-policy noeviction, and in redis.conf).`,
          { code: EVICTION_POLICY_WARNING },
        );
      }
    }
  }
  return findings;
}
