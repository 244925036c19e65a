/**
 * The per-id lock: serializes writes to one session inside this process, so concurrent
 * requests of one process never race each other. Races between processes are settled by
 * the store's version check, not here.
 *
 * @module
 */

/** Runs `run` after every earlier holder of `id` has finished. */
export type WithLock = <T>(id: string, run: () => Promise<T>) => Promise<T>;

/** Creates an empty lock table (one per manager). */
export function createPerIdLock(): WithLock {
  // Each id maps to the promise of its last holder; an id whose queue drained is removed, so
  // the table only holds sessions being written right now.
  const tails = new Map<string, Promise<void>>();
  return async function withLock<T>(id: string, run: () => Promise<T>): Promise<T> {
    const previous = tails.get(id);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const tail = previous !== undefined ? previous.then(() => gate) : gate;
    tails.set(id, tail);
    if (previous !== undefined) await previous;
    try {
      return await run();
    } finally {
      release();
      if (tails.get(id) === tail) tails.delete(id);
    }
  };
}
