/**
 * In-process session store. Exported from `coatcheck/memory`.
 *
 * Bounded (oldest entries evicted past `maxEntries`), swept for expired entries on an
 * interval, and the reference model the conformance suite compares other stores against.
 * Keeps the session history too (capped lists per session and per user, swept with the records).
 * Sessions live in one process and vanish on restart: use it for tests and development.
 *
 * @module
 */
import { SessionConfigError } from '../errors.js';
import { WARNINGS } from '../warnings.js';
import { deepFreeze, freezeRecord } from './frozen-record.js';
import { createMemoryHistory } from './memory-history.js';
import { planCap, toEvicted } from '../store-kit/plan-cap.js';
import type { SessionRecord, SessionStore, UpdateResult } from './types.js';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Upper bound on stored sessions; the least recently written one is evicted beyond it.
   * @default 100_000
   */
  maxEntries?: number;
  /**
   * How often expired entries are swept, in ms. `0` disables the timer (call `prune`).
   * @default 60_000
   */
  sweepIntervalMs?: number;
  /** Clock used by the sweep timer. @default Date.now */
  now?: () => number;
  /**
   * Suppresses the warning emitted when `NODE_ENV` is `production`.
   * @default false
   */
  quiet?: boolean;
}

/** Warning code emitted when the memory store is used in production. */
export const MEMORY_STORE_WARNING = WARNINGS.MEMORY_STORE_IN_PRODUCTION.code;

// Records are kept as frozen private copies (data copied through JSON when written, like a
// networked store would), and a read hands out the stored object itself: nobody can change
// stored state through it, and a read costs no copy. See frozen-record.ts.
interface Entry {
  record: SessionRecord;
}

/**
 * Creates an in-memory store.
 *
 * @example
 * ```ts
 * import { memoryStore } from 'coatcheck/memory'
 * const store = memoryStore({ maxEntries: 10_000 })
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): SessionStore & { readonly size: number } {
  const { maxEntries = 100_000, sweepIntervalMs = 60_000, now = Date.now, quiet = false } = options;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new SessionConfigError('memoryStore: maxEntries must be a positive integer');
  }
  if (!quiet && process.env.NODE_ENV === 'production') {
    process.emitWarning('memoryStore keeps sessions in one process and loses them on restart; use the SQLite, Redis or Postgres store in production.', {
      code: MEMORY_STORE_WARNING,
    });
  }
  const entries = new Map<string, Entry>();
  const byUser = new Map<string, Set<string>>();
  const history = createMemoryHistory();

  const live = (entry: Entry | undefined, at: number): entry is Entry => entry !== undefined && entry.record.expiresAt > at;
  function index(userId: string | null, id: string): void {
    if (userId === null) return;
    let ids = byUser.get(userId);
    if (!ids) {
      ids = new Set();
      byUser.set(userId, ids);
    }
    ids.add(id);
  }
  function unindex(userId: string | null, id: string): void {
    if (userId === null) return;
    const ids = byUser.get(userId);
    if (!ids) return;
    ids.delete(id);
    if (ids.size === 0) byUser.delete(userId);
  }
  function remove(id: string): boolean {
    const entry = entries.get(id);
    if (!entry) return false;
    entries.delete(id);
    unindex(entry.record.userId, id);
    return true;
  }
  // Map iteration order is insertion order; re-inserting on write makes it LRU-by-write.
  function put(record: SessionRecord): void {
    const data = deepFreeze(JSON.parse(JSON.stringify(record.data)) as SessionRecord['data']);
    const previous = entries.get(record.id);
    if (previous) {
      entries.delete(record.id);
      if (previous.record.userId !== record.userId) unindex(previous.record.userId, record.id);
    }
    entries.set(record.id, { record: freezeRecord(record, data) });
    index(record.userId, record.id);
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next().value as string;
      remove(oldest);
    }
  }
  function sweep(at: number): number {
    history.prune(at);
    let removed = 0;
    for (const [id, entry] of entries) {
      if (entry.record.expiresAt <= at && remove(id)) removed++;
    }
    return removed;
  }

  const timer = sweepIntervalMs > 0 ? setInterval(() => sweep(now()), sweepIntervalMs) : undefined;
  timer?.unref();

  return {
    name: 'memory',
    get size() {
      return entries.size;
    },
    async get(id, at) {
      const entry = entries.get(id);
      return live(entry, at) ? entry.record : null;
    },
    async create(record) {
      if (entries.has(record.id)) return false;
      put(record);
      return true;
    },
    // One process, and no await between counting and writing: atomic as it stands.
    async createCapped(record, cap, at) {
      if (entries.has(record.id)) return { outcome: 'exists' };
      const sessions: SessionRecord[] = [];
      for (const id of byUser.get(record.userId ?? '') ?? []) {
        const entry = entries.get(id);
        if (live(entry, at)) sessions.push(entry.record);
      }
      const plan = planCap(sessions, cap);
      if ('full' in plan) return { outcome: 'full', live: plan.full };
      for (const session of plan.evict) remove(session.id);
      put(record);
      return { outcome: 'created', evicted: plan.evict.map(toEvicted) };
    },
    async update(next, expectedVersion, at): Promise<UpdateResult> {
      const entry = entries.get(next.id);
      if (!live(entry, at)) return 'missing';
      if (entry.record.version !== expectedVersion) return 'conflict';
      put(next);
      return 'ok';
    },
    async touch(id, lastSeenAt, expiresAt, at) {
      const entry = entries.get(id);
      if (!live(entry, at)) return false;
      const record = entry.record;
      const capped = Math.min(expiresAt, record.absoluteExpiresAt);
      entry.record = freezeRecord(record, record.data, Math.max(record.lastSeenAt, lastSeenAt), Math.max(record.expiresAt, capped));
      return true;
    },
    async delete(id) {
      return remove(id);
    },
    async listByUser(userId, at) {
      const ids = byUser.get(userId);
      if (!ids) return [];
      const out: SessionRecord[] = [];
      for (const id of ids) {
        const entry = entries.get(id);
        if (live(entry, at)) out.push(entry.record);
      }
      return out.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    },
    async deleteByUser(userId, exceptId) {
      const ids = [...(byUser.get(userId) ?? [])].filter((id) => id !== exceptId);
      for (const id of ids) remove(id);
      return ids;
    },
    async prune(at) {
      return sweep(at);
    },
    appendHistory: history.appendHistory,
    readHistory: history.readHistory,
    async ping() {},
    async close() {
      if (timer) clearInterval(timer);
    },
  };
}
