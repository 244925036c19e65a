/**
 * What a session handle needs from its manager: resolved options, events, and the helpers
 * every store call goes through.
 *
 * @module
 */
import { SessionError, SessionStoreError } from '../errors.js';
import type { SessionEventEmitter } from '../events.js';
import type { ResolvedOptions } from '../manager/options.js';

/** Shared internals of one manager. */
export interface SessionContext extends ResolvedOptions {
  readonly events: SessionEventEmitter;
  /** Runs a store call; anything but a `SessionError` becomes a `SessionStoreError`. */
  call<T>(operation: string, run: () => Promise<T>): Promise<T>;
  /**
   * Serializes writes to one session inside this process, so concurrent requests of one
   * process never race each other; races between processes are settled by the version check.
   */
  withLock<T>(id: string, run: () => Promise<T>): Promise<T>;
}

/** Builds the context for a manager. */
export function createContext(options: ResolvedOptions, events: SessionEventEmitter): SessionContext {
  const tails = new Map<string, Promise<void>>();
  const storeName = options.store.name;
  return {
    ...options,
    events,
    async call(operation, run) {
      try {
        return await run();
      } catch (error) {
        if (error instanceof SessionError) throw error;
        throw new SessionStoreError(storeName, `session store "${storeName}" failed during ${operation}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
      }
    },
    async withLock(id, run) {
      const previous = tails.get(id);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const tail = previous ? previous.then(() => gate) : gate;
      tails.set(id, tail);
      if (previous) await previous;
      try {
        return await run();
      } finally {
        release();
        if (tails.get(id) === tail) tails.delete(id);
      }
    },
  };
}
