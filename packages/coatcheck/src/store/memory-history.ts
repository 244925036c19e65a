/**
 * The session history of the memory store: one list per session and one per user, each
 * capped, sharing frozen copies of the entries. Internal to `coatcheck/memory`.
 *
 * @module
 */
import type { HistoryEntry, HistoryStore } from './history-types.js';

/** The history capability plus the sweep the store's prune runs. */
export interface MemoryHistory extends HistoryStore {
  /** Drops entries expired at `now`. */
  prune(now: number): void;
}

/** Newest first by `at`; the lists are kept in append order, so ties go newest-appended first. */
function newestFirst(list: readonly HistoryEntry[]): HistoryEntry[] {
  return [...list].reverse().sort((a, b) => b.at - a.at);
}

/** Creates an empty history. */
export function createMemoryHistory(): MemoryHistory {
  const bySession = new Map<string, HistoryEntry[]>();
  const byUser = new Map<string, HistoryEntry[]>();

  function push(map: Map<string, HistoryEntry[]>, key: string, entry: HistoryEntry, cap: number): void {
    let list = map.get(key);
    if (!list) {
      list = [];
      map.set(key, list);
    }
    list.push(entry);
    if (list.length > cap) list.splice(0, list.length - cap);
  }
  function sweep(map: Map<string, HistoryEntry[]>, now: number): void {
    for (const [key, list] of map) {
      const kept = list.filter((entry) => entry.expiresAt > now);
      if (kept.length === 0) map.delete(key);
      else if (kept.length !== list.length) map.set(key, kept);
    }
  }

  return {
    async appendHistory(entries, limits) {
      for (const entry of entries) {
        // A private frozen copy, as a networked store would hold it.
        const stored = Object.freeze({ ...entry });
        push(bySession, stored.sessionId, stored, limits.perSession);
        push(byUser, stored.userId, stored, limits.perUser);
      }
    },
    async readHistory(query, { limit, before, now }) {
      const list = query.sessionId !== undefined ? bySession.get(query.sessionId) : byUser.get(query.userId);
      if (!list) return [];
      const live = list.filter((entry) => entry.expiresAt > now && (before === undefined || entry.at < before));
      return newestFirst(live).slice(0, limit);
    },
    prune(now) {
      sweep(bySession, now);
      sweep(byUser, now);
    },
  };
}
