/**
 * Group membership on this instance: key to sockets. Internal.
 *
 * @module
 */

/** Sets of members by key; empty sets are removed so the map does not grow with churn. */
export interface Groups<T> {
  add(key: string, member: T): void;
  remove(key: string, member: T): void;
  members(key: string): ReadonlySet<T> | undefined;
  size(key: string): number;
}

export function createGroups<T>(): Groups<T> {
  const map = new Map<string, Set<T>>();
  return {
    add(key, member) {
      let set = map.get(key);
      if (set === undefined) {
        set = new Set();
        map.set(key, set);
      }
      set.add(member);
    },
    remove(key, member) {
      const set = map.get(key);
      if (set === undefined) return;
      set.delete(member);
      if (set.size === 0) map.delete(key);
    },
    members: (key) => map.get(key),
    size: (key) => map.get(key)?.size ?? 0,
  };
}
