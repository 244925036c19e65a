/**
 * What a `createCapped` had done when it failed. A store whose capped create is one
 * transaction (SQLite, Postgres, memory) fails with nothing done; one that writes step by step
 * under a lock (Redis) can fail after it evicted sessions, or after it wrote the new record
 * (a replica acknowledgement that never came). It then attaches what it did to the error it
 * throws, and the manager finishes the job: the evicted sessions are announced as revoked
 * (other instances drop them from their caches, realtime hubs close their sockets, the history
 * records them), and a new record whose ticket was never sent is deleted. Exported from
 * `coatcheck/store-kit`.
 *
 * @module
 */
import type { EvictedSession } from '../store/types.js';

/** What a failed `createCapped` had changed in the store. */
export interface CapProgress {
  /** The sessions it deleted to make room (each deletion confirmed by the store). */
  readonly evicted: readonly EvictedSession[];
  /** Whether the new record was written. */
  readonly created: boolean;
}

// A registered symbol: a store bundled with its own copy of coatcheck still reaches the manager.
const PROGRESS = Symbol.for('coatcheck.capProgress');

/**
 * `error` carrying `progress`, for a `createCapped` that fails after it changed the store;
 * throw what it returns. A value that is not an object is wrapped in an `Error` first.
 */
export function withCapProgress(error: unknown, progress: CapProgress): unknown {
  const carrier = typeof error === 'object' && error !== null ? error : new Error(String(error));
  if (progress.evicted.length > 0 || progress.created) Object.defineProperty(carrier, PROGRESS, { value: progress, configurable: true });
  return carrier;
}

/** What a failed `createCapped` attached to `error` (or to its `cause`), if anything. */
export function capProgressOf(error: unknown): CapProgress | undefined {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 3; depth++) {
    const progress = (current as { [PROGRESS]?: CapProgress })[PROGRESS];
    if (progress !== undefined) return progress;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
