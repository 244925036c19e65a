/**
 * Walking every stored session and user index under a prefix, for operator tools
 * (`coatcheck stats`, `prune --dry-run`). Exported from `@coatcheck/redis`. `SCAN` (never
 * `KEYS`) on every master of a Cluster, in batches: slow on a big keyspace, never blocking.
 *
 * @module
 */
import { CorruptRecordError, type SessionRecord } from 'coatcheck/store-kit';
import type { RedisClientLike } from './client-types.js';
import { adaptClient, type RedisOps } from './redis-ops.js';
import { redisKeys } from './options.js';
import { decodeRecord } from './record-codec.js';

/** Options of {@link scanRedisSessions} and {@link scanRedisUserIndexes}. */
export interface ScanRedisOptions {
  /** The store's prefix. @default 'coatcheck:' */
  prefix?: string;
  /** `COUNT` hint of each `SCAN`. @default 500 */
  batchSize?: number;
}

/** One user's index as {@link scanRedisUserIndexes} finds it. */
export interface RedisUserIndexEntry {
  readonly userId: string;
  /** Session ids in the index. */
  readonly ids: readonly string[];
  /** Ids whose record is gone (expired or deleted): readers drop them after a grace period. */
  readonly missing: readonly string[];
}

async function* scanKeys(client: RedisOps, match: string, count: number): AsyncGenerator<string[]> {
  for (const node of client.nodes()) {
    let cursor = '0';
    do {
      const reply = await node.scan(cursor, match, count);
      cursor = reply.cursor;
      if (reply.keys.length > 0) yield reply.keys;
    } while (cursor !== '0');
  }
}

/**
 * Every session record under the prefix. Redis drops expired keys itself, so these are the
 * live ones (give or take keys it has not reclaimed yet). Unreadable values are skipped.
 *
 * @example
 * ```ts
 * for await (const record of scanRedisSessions(client, { prefix: 'shop:' })) console.log(record.id)
 * ```
 */
export async function* scanRedisSessions(redis: RedisClientLike, options: ScanRedisOptions = {}): AsyncGenerator<SessionRecord> {
  const keys = redisKeys(options.prefix, 'scanRedisSessions');
  const client = adaptClient(redis, 'scanRedisSessions');
  const start = keys.session('').length;
  for await (const batch of scanKeys(client, `${keys.prefix}s:*`, options.batchSize ?? 500)) {
    // GET per key through the client: in a Cluster the keys of one batch live in many slots.
    const values = await Promise.all(batch.map((key) => client.get(key)));
    for (const [index, value] of values.entries()) {
      if (typeof value !== 'string') continue;
      try {
        yield decodeRecord((batch[index] as string).slice(start), value);
      } catch (error) {
        if (!(error instanceof CorruptRecordError)) throw error;
      }
    }
  }
}

/** Every user index under the prefix, with the ids whose record no longer exists. */
export async function* scanRedisUserIndexes(redis: RedisClientLike, options: ScanRedisOptions = {}): AsyncGenerator<RedisUserIndexEntry> {
  const keys = redisKeys(options.prefix, 'scanRedisUserIndexes');
  const client = adaptClient(redis, 'scanRedisUserIndexes');
  const start = keys.user('').length;
  for await (const batch of scanKeys(client, `${keys.prefix}u:*`, options.batchSize ?? 500)) {
    for (const key of batch) {
      const ids = ((await client.zMembers(key)) as unknown[]).map(String);
      const records = await Promise.all(ids.map((id) => client.get(keys.session(id))));
      yield { userId: key.slice(start), ids, missing: ids.filter((_, i) => records[i] === null || records[i] === undefined) };
    }
  }
}
