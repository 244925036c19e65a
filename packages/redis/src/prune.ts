/**
 * `prune` for the Redis store. Internal.
 *
 * Redis expires session keys by itself at `expiresAt`, so in production `prune(Date.now())`
 * finds next to nothing. It exists for the contract's sake: `prune(now)` must make records
 * expired at `now` gone, even for a caller whose clock runs ahead of Redis' (tests, skewed
 * instances). It walks the prefix with `SCAN` (never `KEYS`), on every master of a Cluster,
 * and deletes each record that is expired at `now` with a script that re-checks it
 * atomically. Each batch is one guarded call, so a frozen Redis fails it after
 * `opTimeoutMs` while a large keyspace simply takes more batches.
 *
 * @module
 */
import type { RedisNode, RedisOps } from './redis-ops.js';
import type { RedisKeys } from './options.js';
import { DELETE_EXPIRED, runScript } from './scripts.js';

/** Runs one batch under the store's deadline and bulkhead. */
export type GuardedStep = <T>(body: () => Promise<T>) => Promise<T>;

const BATCH = 500;

/** The nodes to `SCAN`: every master of a Cluster, or the one server. */
export async function scanners(client: RedisOps): Promise<RedisNode[]> {
  return client.nodes().filter((node) => node.canScan);
}

/** Deletes records expired at `now`; returns how many. */
export async function pruneExpired(client: RedisOps, keys: RedisKeys, now: number, step: GuardedStep): Promise<number> {
  const match = `${keys.prefix}s:*`;
  let removed = 0;
  for (const node of await step(() => scanners(client))) {
    let cursor = '0';
    do {
      const batch = await step(async () => {
        const reply = await node.scan(cursor, match, BATCH);
        // Scripts go through the client, not the node: it follows a slot that moved meanwhile.
        const codes = await Promise.all(reply.keys.map((key) => runScript(client, DELETE_EXPIRED, key, [String(now)])));
        return { cursor: reply.cursor, removed: codes.filter((code) => Number(code) === 1).length };
      });
      cursor = batch.cursor;
      removed += batch.removed;
    } while (cursor !== '0');
  }
  return removed;
}
