/**
 * The store gateway: every call the manager and its session handles make to the store goes
 * through here, and only here. It owns, once each:
 * - the liveness rule (`isLive`): reads hand back live records or `null`;
 * - error wrapping: a failed call becomes a `SessionStoreError` exactly once (`toStoreError`);
 * - the local cache read-through, and its invalidation on local writes and bus messages;
 * - the per-id lock that serializes one process's writes to one session;
 * - the `onStoreCall` hook: each call's op, duration, outcome and session id, for metrics
 *   and tracing.
 *
 * With no `onStoreCall` listener, a call costs one property check more than calling the
 * store directly: no clock reading, no closure, no extra promise.
 *
 * @module
 */
import type { SessionBus } from '../bus/types.js';
import { followBus } from '../cache/follow-bus.js';
import { createRecordCache, type CacheOptions } from '../cache/record-cache.js';
import type { SessionError } from '../errors.js';
import type { Logger } from '../manager/options.js';
import { packAuth, unpackAuth } from './auth-in-data.js';
import type { DataPolicy } from '../data-schema/data-policy.js';
import { deepFreeze, freezeRecord } from './frozen-record.js';
import { isLive } from './live.js';
import { capProgressOf } from '../store-kit/cap-progress.js';
import { createPerIdLock, type WithLock } from './per-id-lock.js';
import { createStoreCallHook, toStoreError, type StoreCallListener, type StoreCallOutcome, type StoreOp } from './store-calls.js';
import type { HistoryEntry, HistoryLimits, HistoryQuery, HistoryReadOptions } from './history-types.js';
import type { CappedCreateResult, SessionCap, SessionRecord, SessionStore, UpdateResult } from './types.js';

/** What the gateway is built from. */
export interface StoreGatewayInit {
  readonly store: SessionStore;
  /** Turns the local cache on; only honoured together with `bus`. */
  readonly cache: CacheOptions | null;
  readonly bus: SessionBus | null;
  /** This instance's id on the bus: its own messages do not invalidate its cache. */
  readonly origin: string;
  readonly logger: Logger;
  /** The `data` option's migrations and load checks, run on each record read; `null` without it. */
  readonly data: DataPolicy | null;
}

/** The one way to the store. Reads return live records only; failures reject once-wrapped. */
export interface StoreGateway {
  /** The store as configured (for `manager.store` and health checks). */
  readonly store: SessionStore;
  /** Records in the local cache (0 when it is off). */
  readonly cachedSessions: number;
  /** The live record `id`, from the cache when it holds it (unless `fresh`), else the store. */
  read(id: string, now: number, fresh?: boolean): Promise<SessionRecord | null>;
  /**
   * `read` in continuation style, for the request path: `ok(record)` runs at once on a cache
   * hit (nothing is returned as a promise then), else when the store answered; `fail` gets the
   * wrapped store error. Returns what they return.
   */
  readThen<R>(id: string, now: number, ok: (record: SessionRecord | null) => R, fail: (error: SessionError) => R, fresh?: boolean): R | Promise<R>;
  /** The live record `id` if the cache holds it; never reaches the store. */
  readCached(id: string, now: number): SessionRecord | null;
  create(record: SessionRecord): Promise<boolean>;
  /** The store's `createCapped`; evicted sessions leave the local cache. Only called when the store has it. */
  createCapped(record: SessionRecord, cap: SessionCap, now: number): Promise<CappedCreateResult>;
  update(next: SessionRecord, expectedVersion: number, now: number): Promise<UpdateResult>;
  touch(id: string, lastSeenAt: number, expiresAt: number, now: number): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  /** `delete` under the id's lock, so it is not interleaved with a commit of the same session. */
  remove(id: string): Promise<boolean>;
  listByUser(userId: string, now: number): Promise<SessionRecord[]>;
  deleteByUser(userId: string, exceptId?: string): Promise<string[]>;
  /** Round trip to the store; resolves with its latency in ms. */
  ping(): Promise<number>;
  /** Whether the store keeps a history (implements `appendHistory` and `readHistory`). */
  readonly keepsHistory: boolean;
  /** Appends history entries; only called when {@link keepsHistory}. */
  appendHistory(entries: readonly HistoryEntry[], limits: HistoryLimits): Promise<void>;
  /** Reads history entries, newest first; only called when {@link keepsHistory}. */
  readHistory(query: HistoryQuery, options: HistoryReadOptions): Promise<HistoryEntry[]>;
  readonly withLock: WithLock;
  onStoreCall(listener: StoreCallListener): () => void;
  /** Stops following the bus. */
  close(): void;
}

const NO_CLOCK = -1;
const same = <T>(value: T): T => value;
const raise = (error: SessionError): never => {
  throw error;
};

/** Creates the gateway of one manager. */
export function createStoreGateway(init: StoreGatewayInit): StoreGateway {
  const { store, bus, data } = init;
  const name = store.name;
  const hook = createStoreCallHook(init.logger);
  const cache = init.cache && bus ? createRecordCache(init.cache) : null;
  const unfollow = cache && bus ? followBus(bus, cache, init.origin) : null;
  const withLock = createPerIdLock();
  // One capped login per user at a time in this process: the store's own atomic step (a lock
  // or a transaction) settles the races between processes, and logins of one user queued here
  // wait without holding a connection or an in-flight slot (a burst of logins to one account
  // cannot take a pool every other user needs).
  const withUserLock = createPerIdLock();

  // The two halves of the hook around a call: read the clock only when somebody listens.
  const start = (): number => (hook.active ? performance.now() : NO_CLOCK);
  // `id`: the session the call is about, for the listeners (the string exists already).
  function done(op: StoreOp, started: number, outcome: StoreCallOutcome, id?: string): void {
    if (started !== NO_CLOCK) hook.report(op, started, outcome, id);
  }
  function failed(op: StoreOp, started: number, error: unknown, id?: string): SessionError {
    const wrapped = toStoreError(name, op, error);
    if (started !== NO_CLOCK) hook.report(op, started, 'error', id, wrapped);
    return wrapped;
  }

  // What a finished `get` gives: the record if it is live, cached unless `fresh`.
  function received(stored: SessionRecord | null, id: string, now: number, started: number, generation: number, fresh: boolean): SessionRecord | null {
    if (!isLive(stored, now)) {
      done('get', started, 'miss', id);
      return null;
    }
    done('get', started, 'ok', id);
    const record = data === null ? unpackAuth(stored) : data.readRecord(unpackAuth(stored));
    if (cache !== null && !fresh) cache.set(deepFreeze(record), generation, now);
    return record;
  }

  // Continuation style for the request path: a cache hit continues at once, with no promise
  // at all, and a store read costs the store's promise and one `then`, where async layers cost
  // one each. `read` is the same with a promise around it.
  function readThen<R>(id: string, now: number, ok: (record: SessionRecord | null) => R, fail: (error: SessionError) => R, fresh = false): R | Promise<R> {
    const cached = fresh || cache === null ? null : cache.get(id, now);
    if (cached !== null) return ok(cached);
    // Read the generation first: a record is cached only if nothing was invalidated while it
    // was being read (a revocation that overtook the read must not be cached away).
    const generation = cache === null ? 0 : cache.generation();
    const started = start();
    let pending: Promise<SessionRecord | null>;
    try {
      pending = store.get(id, now);
    } catch (error) {
      return fail(failed('get', started, error, id));
    }
    return pending.then(
      (record) => ok(received(record, id, now, started, generation, fresh)),
      (error: unknown) => fail(failed('get', started, error, id)),
    );
  }

  async function read(id: string, now: number, fresh = false): Promise<SessionRecord | null> {
    return readThen(id, now, same, raise, fresh);
  }

  async function deleteRecord(id: string): Promise<boolean> {
    cache?.invalidate([id]);
    const started = start();
    try {
      const deleted = await store.delete(id);
      done('delete', started, deleted ? 'ok' : 'miss', id);
      return deleted;
    } catch (error) {
      throw failed('delete', started, error, id);
    }
  }

  async function callCreateCapped(record: SessionRecord, cap: SessionCap, now: number): Promise<CappedCreateResult> {
    const started = start();
    let result: CappedCreateResult;
    try {
      // Checked at start-up (`maxSessionsPerUser` needs it); the guard keeps the type honest.
      if (store.createCapped === undefined) throw new TypeError(`store "${name}" has no createCapped()`);
      result = await store.createCapped(packAuth(record), cap, now);
    } catch (error) {
      // Sessions it evicted before failing are gone: out of this process's cache too, as below.
      const evicted = capProgressOf(error)?.evicted;
      if (evicted !== undefined && evicted.length > 0) cache?.invalidate(evicted.map((session) => session.id));
      throw failed('createCapped', started, error, record.id);
    }
    done('createCapped', started, result.outcome === 'created' ? 'ok' : result.outcome === 'exists' ? 'conflict' : 'miss', record.id);
    if (result.outcome === 'created' && result.evicted.length > 0) cache?.invalidate(result.evicted.map((session) => session.id));
    return result;
  }

  return {
    store,
    get cachedSessions() {
      return cache?.size ?? 0;
    },
    read,
    readThen,
    readCached: (id, now) => (cache === null ? null : cache.get(id, now)),
    async create(record) {
      const started = start();
      try {
        const created = await store.create(packAuth(record));
        done('create', started, created ? 'ok' : 'conflict', record.id);
        return created;
      } catch (error) {
        throw failed('create', started, error, record.id);
      }
    },
    createCapped(record, cap, now) {
      return withUserLock(record.userId ?? record.id, () => callCreateCapped(record, cap, now));
    },
    async update(next, expectedVersion, now) {
      cache?.invalidate([next.id]);
      const started = start();
      try {
        const result = await store.update(packAuth(next), expectedVersion, now);
        done('update', started, result === 'missing' ? 'miss' : result, next.id);
        return result;
      } catch (error) {
        throw failed('update', started, error, next.id);
      }
    },
    async touch(id, lastSeenAt, expiresAt, now) {
      const started = start();
      let alive: boolean;
      try {
        alive = await store.touch(id, lastSeenAt, expiresAt, now);
      } catch (error) {
        throw failed('touch', started, error, id);
      }
      done('touch', started, alive ? 'ok' : 'miss', id);
      if (!alive) cache?.invalidate([id]);
      else {
        // Our own touch: keep the cached copy in step, or it would look due for a touch forever.
        cache?.refresh(id, (record) => {
          const next = freezeRecord(
            record,
            record.data,
            Math.max(record.lastSeenAt, lastSeenAt),
            Math.max(record.expiresAt, Math.min(expiresAt, record.absoluteExpiresAt)),
          );
          // `auth` only when there is one: a record without it has no such key, as stored.
          return record.auth === undefined ? next : Object.freeze({ ...next, auth: record.auth });
        });
      }
      return alive;
    },
    delete: deleteRecord,
    remove: (id) => withLock(id, () => deleteRecord(id)),
    async listByUser(userId, now) {
      const started = start();
      try {
        const records = await store.listByUser(userId, now);
        done('listByUser', started, 'ok');
        return records.filter((record) => isLive(record, now)).map(unpackAuth);
      } catch (error) {
        throw failed('listByUser', started, error);
      }
    },
    async deleteByUser(userId, exceptId) {
      const started = start();
      try {
        const ids = await store.deleteByUser(userId, exceptId);
        done('deleteByUser', started, 'ok');
        cache?.invalidate(ids);
        return ids;
      } catch (error) {
        throw failed('deleteByUser', started, error);
      }
    },
    async ping() {
      const started = performance.now();
      try {
        await store.ping();
      } catch (error) {
        throw failed('ping', hook.active ? started : NO_CLOCK, error);
      }
      if (hook.active) hook.report('ping', started, 'ok', undefined);
      return performance.now() - started;
    },
    keepsHistory: typeof store.appendHistory === 'function' && typeof store.readHistory === 'function',
    async appendHistory(entries, limits) {
      const started = start();
      try {
        await store.appendHistory?.(entries, limits);
        done('appendHistory', started, 'ok');
      } catch (error) {
        throw failed('appendHistory', started, error);
      }
    },
    async readHistory(query, options) {
      const started = start();
      try {
        const entries = (await store.readHistory?.(query, options)) ?? [];
        done('readHistory', started, 'ok');
        return entries;
      } catch (error) {
        throw failed('readHistory', started, error);
      }
    },
    withLock,
    onStoreCall: hook.subscribe,
    close() {
      unfollow?.();
    },
  };
}
