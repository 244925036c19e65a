/**
 * Redis session store on node-redis v5 or v6, ioredis or iovalkey: standalone, Sentinel or
 * Cluster (the client is adapted once, see `redis-ops.ts`). Exported from `@coatcheck/redis`.
 *
 * One string key per session holds the whole record (version included) and expires natively
 * at the record's `expiresAt` (`PXAT`), so the read path is exactly one `GET` and one
 * `JSON.parse`. Writes that must check the stored record first (update, touch) are Lua
 * scripts on that one key; the per-user index is a separate sorted set kept consistent by
 * ordering (see `user-index.ts`), never by multi-key commands, so everything works on a
 * Cluster without hash tags. The session history is two capped lists per entry, a session's
 * and a user's, each written by a one-key script (`history.ts`).
 *
 * `createCapped` (a login under `maxSessionsPerUser`) counts, evicts and creates while holding
 * a per-user lock key, since the records it counts live in other slots than anything one
 * script could check (`capped-create.ts`, `cap-lock.ts`: why, and the lock's limit).
 *
 * Every call is bounded: it rejects with `SessionStoreError` (`ERR_SESSION_STORE_UNAVAILABLE`)
 * after `opTimeoutMs`, and is refused at once beyond `maxInFlight` calls in flight (a
 * `createCapped` may first wait for its user's lock, each attempt bounded the same way).
 * A raw driver error never escapes.
 *
 * With `waitForReplicas`, `update`, `delete` and `deleteByUser` run on a connection of their
 * own and are confirmed by replicas before they resolve (see `replica-acks.ts`). `create` and
 * `touch` are not: losing either to a failover can only end a session sooner (a ticket whose
 * record is gone is refused), never bring a revoked one back; and the create of a login
 * rotation is confirmed anyway by the confirmed delete of the old ticket that completes it,
 * since a `WAIT` covers everything the master applied before it. A `createCapped` that evicted
 * sessions is confirmed like `delete` (evictions are revocations), its create with them.
 *
 * @module
 */
import { withCapProgress, type SessionRecord, type SessionStore, type UpdateResult } from 'coatcheck/store-kit';
import { CorruptRecordError } from 'coatcheck/errors';
import type { CommandOps } from './redis-ops.js';
import { ensureErrorListener } from './client-options.js';
import { checkNodes } from './config-check.js';
import { createOpGuard, type CorruptSink } from './op-guard.js';
import { resolveOptions, type RedisKeys, type RedisStoreOptions } from './options.js';
import { decodeRecord, encodeRecord, encodeUserId } from './record-codec.js';
import { pruneExpired } from './prune.js';
import { appendHistory, pruneHistory, readHistory } from './history.js';
import { createReplicaLane } from './replica-acks.js';
import { TOUCH, UPDATE, runScript } from './scripts.js';
import { deleteUserSessions, indexSession, isWrongType, listUserSessions, type IndexContext } from './user-index.js';
import { insertRecord, removeRecord } from './record-writes.js';
import { createCappedRecord } from './capped-create.js';
import { LOCK_TTL_FACTOR } from './cap-lock.js';

// A session key holding a hash, list or set: someone else's data under our prefix.
const wrongType = (): CorruptRecordError => new CorruptRecordError('key', 'holds another Redis type');

/** A {@link SessionStore} backed by Redis, with its key layout and load. */
export interface RedisStore extends SessionStore {
  readonly name: 'redis';
  /** The key layout derived from `prefix` (for tooling, inspection and cleanup). */
  readonly keys: RedisKeys;
  /** Calls waiting for Redis right now, timed-out ones included; never above `maxInFlight`. */
  readonly inFlight: number;
}

const notARecord = (): CorruptRecordError => new CorruptRecordError('value', 'is not a coatcheck record');

/**
 * Creates a Redis store on a client you connected. The store never connects or closes the
 * client. Checks `maxmemory-policy` in the background (see `checkRedisConfig`) and adds an
 * `'error'` listener to the client if it has none. With `waitForReplicas` it opens one
 * connection of its own, which `close()` closes.
 *
 * @throws `SessionConfigError` for invalid options.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { connectRedis, createRedisClientOptions, redisStore } from '@coatcheck/redis'
 *
 * const client = await connectRedis(
 *   createClient(createRedisClientOptions({ url: process.env.REDIS_URL })).on('error', (err) => console.warn('redis', err)),
 * )
 * const store = redisStore({ client, prefix: 'shop:' })
 * ```
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  const { client, keys, opTimeoutMs, maxInFlight, onCorrupt, checkConfig, waitForReplicas } = resolveOptions(options);
  ensureErrorListener(client.events, 'coatcheck redis store');
  if (checkConfig) void checkNodes(client);
  const guard = createOpGuard({ name: 'redis', opTimeoutMs, maxInFlight, onCorrupt });
  const lane = waitForReplicas === null || client.replicas === null ? null : createReplicaLane(client.replicas, waitForReplicas, keys.waitChannel);

  // A corrupt value is deleted so it cannot fail every request (SF-23); nothing valid is
  // ever written over one (create, update and touch all refuse), so deleting is safe.
  async function discard(key: string, error: CorruptRecordError, found: CorruptSink, conn: CommandOps = client): Promise<void> {
    await conn.del(key);
    found.push({ key, error });
  }

  // The read path of every request: one GET, one JSON.parse, no async wrappers. With `now`,
  // a record expired at `now` reads as null.
  function read(id: string, found: CorruptSink, now?: number): Promise<SessionRecord | null> {
    const key = keys.session(id);
    return client.get(key).then(
      (value) => {
        if (value === null || value === undefined) return null;
        let record: SessionRecord;
        try {
          record = decodeRecord(id, String(value));
        } catch (error) {
          if (!(error instanceof CorruptRecordError)) throw error;
          return discard(key, error, found).then(() => null);
        }
        return now === undefined || record.expiresAt > now ? record : null;
      },
      (error: unknown) => {
        if (!isWrongType(error)) throw error;
        return discard(key, wrongType(), found).then(() => null);
      },
    );
  }

  const index: IndexContext = { client, keys, read };

  // A write that must survive a failover (a version-checked change, a revocation): on the
  // client, or, with waitForReplicas, on the lane's connection and confirmed by replicas. The
  // body gets a user-index context whose client is the connection to write on.
  function write<T>(operation: string, body: (ctx: IndexContext, found: CorruptSink) => Promise<T>): Promise<T> {
    if (lane === null) return guard.run(operation, (found) => body(index, found));
    return guard.run(operation, (found) => lane.run(operation, (conn) => body({ client: conn, keys, read }, found)));
  }

  return {
    name: 'redis',
    keys,
    get inFlight() {
      return guard.inFlight;
    },
    get: (id, now) => guard.run('get', (found) => read(id, found, now)),
    async create(record) {
      // Encoding first: data JSON cannot represent is the caller's TypeError, not an outage.
      const value = encodeRecord(record);
      return guard.run('create', (found) => insertRecord(index, record, value, found));
    },
    async createCapped(record, cap, now) {
      const value = encodeRecord(record);
      const userId = record.userId;
      if (userId === null) throw new TypeError('createCapped needs a record with a userId');
      const init = { ctx: index, userId, record, value, cap, now, opTimeoutMs, lockTtlMs: LOCK_TTL_FACTOR * opTimeoutMs };
      const result = await createCappedRecord(init, (body) => guard.run('createCapped', body));
      // Evictions are revocations: confirmed like `delete` (the lock is released by now).
      // The lane's WAIT covers every write the master applied before it, these included.
      if (lane !== null && result.outcome === 'created' && result.evicted.length > 0) {
        try {
          await guard.run('createCapped', () => lane.run('createCapped', async () => undefined));
        } catch (error) {
          throw withCapProgress(error, { evicted: result.evicted, created: true });
        }
      }
      return result;
    },
    async update(next, expectedVersion, now) {
      const value = encodeRecord(next);
      const owner = next.userId === null ? '' : encodeUserId(next.userId);
      const args = [value, String(expectedVersion), String(now), String(Math.ceil(next.expiresAt)), owner, String(next.absoluteExpiresAt), '0'];
      return write('update', async (ctx, found): Promise<UpdateResult> => {
        const key = keys.session(next.id);
        let code = Number(await runScript(ctx.client, UPDATE, key, args));
        if (code === 3 && next.userId !== null) {
          // A new owner (login, switch): index first, then write, then the entry is never missing.
          await indexSession(ctx, next.userId, next.id, next.absoluteExpiresAt, found);
          args[6] = '1';
          code = Number(await runScript(ctx.client, UPDATE, key, args));
        }
        if (code === 1) return 'ok';
        if (code === 2) return 'conflict';
        if (code === -1) await discard(key, notARecord(), found, ctx.client);
        return 'missing';
      });
    },
    touch: (id, lastSeenAt, expiresAt, now) =>
      guard.run('touch', async (found) => {
        const key = keys.session(id);
        const code = Number(await runScript(client, TOUCH, key, [String(lastSeenAt), String(expiresAt), String(now)]));
        if (code === -1) await discard(key, notARecord(), found);
        return code === 1;
      }),
    delete: (id) => write('delete', (ctx, found) => removeRecord(ctx, id, found)),
    listByUser: (userId, now) => guard.run('listByUser', (found) => listUserSessions(index, userId, now, found)),
    deleteByUser: (userId, exceptId) => write('deleteByUser', (ctx, found) => deleteUserSessions(ctx, userId, exceptId, found)),
    // Redis expires keys itself; this only catches a caller whose clock is ahead (prune.ts).
    async prune(now) {
      const removed = await pruneExpired(client, keys, now, (body) => guard.run('prune', body));
      await pruneHistory(client, keys, now, (body) => guard.run('prune', body));
      return removed;
    },
    // The session history: capped lists per session and per user (history.ts).
    appendHistory: (entries, limits) => guard.run('appendHistory', () => appendHistory(client, keys, entries, limits)),
    readHistory: (query, options) => guard.run('readHistory', () => readHistory(client, keys, query, options)),
    ping: () =>
      guard.run('ping', async () => {
        await client.ping();
      }),
    async close() {
      guard.close();
      // Confirmed writes in flight may finish (within their deadline); then the lane's
      // connection is closed. The client is yours and stays open.
      await lane?.close(opTimeoutMs);
    },
  };
}
