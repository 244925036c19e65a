/**
 * The local record cache: hot sessions served from memory without a store round trip.
 *
 * It is only safe because every instance hears about every change through the event bus, and
 * it is built to fail towards the store, never towards a stale session:
 * - an entry lives at most `ttlMs`, whatever happens to the bus;
 * - a cached record that looks expired is never trusted: the store decides;
 * - every invalidation bumps a generation counter, and a record read from the store is cached
 *   only if no invalidation arrived while it was being read (otherwise a revocation that
 *   overtook the read could be cached away);
 * - while the bus is down the cache is emptied and bypassed.
 *
 * @module
 */
import { isLive } from '../store/live.js';
import { SessionConfigError } from '../errors.js';
import type { SessionRecord } from '../store/types.js';

/** Options of the local cache. */
export interface CacheOptions {
  /** Most records kept; the oldest is dropped beyond it. @default 10000 */
  maxEntries?: number;
  /** Longest time a record is served from memory, in ms. @default 5000 */
  ttlMs?: number;
}

/** A bounded, generation-checked record cache. */
export interface RecordCache {
  /** The record if cached, fresh (younger than `ttlMs`), and live at `now` (`isLive`). */
  get(id: string, now: number): SessionRecord | null;
  /** Current generation; read it before a store read and pass it to `set`. */
  generation(): number;
  /** Caches a record read at `generation`, unless something was invalidated since. */
  set(record: SessionRecord, generation: number, now: number): void;
  /** Replaces a cached record in place (after our own touch), keeping its age. */
  refresh(id: string, change: (record: SessionRecord) => SessionRecord): void;
  /** Drops records. */
  invalidate(ids: readonly string[]): void;
  /** Drops everything and stops caching (`false`) or resumes (`true`). */
  setEnabled(enabled: boolean): void;
  readonly size: number;
}

interface Entry {
  record: SessionRecord;
  cachedAt: number;
}

/** Creates a cache. */
export function createRecordCache(options: CacheOptions = {}): RecordCache {
  const { maxEntries = 10_000, ttlMs = 5_000 } = options;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new SessionConfigError('cache.maxEntries must be a positive integer');
  if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new SessionConfigError('cache.ttlMs must be a positive integer');
  const entries = new Map<string, Entry>();
  let generation = 0;
  let enabled = true;

  return {
    get size() {
      return entries.size;
    },
    get(id, now) {
      const entry = entries.get(id);
      if (entry === undefined) return null;
      if (now - entry.cachedAt >= ttlMs || !isLive(entry.record, now)) {
        entries.delete(id);
        return null;
      }
      return entry.record;
    },
    generation: () => generation,
    set(record, readAt, now) {
      if (!enabled || readAt !== generation) return;
      if (entries.size >= maxEntries && !entries.has(record.id)) entries.delete(entries.keys().next().value as string);
      entries.set(record.id, { record, cachedAt: now });
    },
    refresh(id, change) {
      const entry = entries.get(id);
      if (entry) entry.record = change(entry.record);
    },
    invalidate(ids) {
      generation++;
      for (const id of ids) entries.delete(id);
    },
    setEnabled(value) {
      generation++;
      enabled = value;
      entries.clear();
    },
  };
}
