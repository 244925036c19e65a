/**
 * A store wrapper that serves reads from the local cache and keeps it honest: every local
 * write invalidates the entry. (Other instances learn about writes from the bus messages the
 * session publishes.)
 *
 * Records handed out from the cache are shared, so they are frozen; the session handle
 * copies data before changing it.
 *
 * @module
 */
import { deepFreeze, freezeRecord } from '../store/frozen-record.js';
import type { SessionRecord, SessionStore } from '../store/types.js';
import type { RecordCache } from './record-cache.js';

/** Wraps `store` with `cache`. */
export function cachedStore(store: SessionStore, cache: RecordCache): SessionStore {
  // Explicit delegation (no spread), so stores written as classes keep their `this`.
  return {
    name: store.name,
    create: (record) => store.create(record),
    listByUser: (userId, now) => store.listByUser(userId, now),
    prune: (now) => store.prune(now),
    ping: () => store.ping(),
    close: () => store.close(),
    async get(id, now) {
      const hit = cache.get(id, now);
      if (hit !== null) return hit;
      const generation = cache.generation();
      const record = await store.get(id, now);
      if (record !== null) cache.set(deepFreeze(record), generation, now);
      return record;
    },
    async update(next, expectedVersion, now) {
      cache.invalidate([next.id]);
      return store.update(next, expectedVersion, now);
    },
    async touch(id, lastSeenAt, expiresAt, now) {
      const alive = await store.touch(id, lastSeenAt, expiresAt, now);
      if (!alive) cache.invalidate([id]);
      else {
        // Our own touch: keep the cached copy in step, or it would look due for a touch forever.
        cache.refresh(id, (record: SessionRecord) =>
          freezeRecord(record, record.data, Math.max(record.lastSeenAt, lastSeenAt), Math.max(record.expiresAt, Math.min(expiresAt, record.absoluteExpiresAt))),
        );
      }
      return alive;
    },
    async delete(id) {
      cache.invalidate([id]);
      return store.delete(id);
    },
    async deleteByUser(userId, exceptId) {
      const ids = await store.deleteByUser(userId, exceptId);
      cache.invalidate(ids);
      return ids;
    },
  };
}
