/**
 * What a session handle needs from its manager: resolved options, events, and the helpers
 * every store call goes through.
 *
 * @module
 */
import { SessionError, SessionStoreError } from '../errors.js';
import type { SessionEventEmitter } from '../events.js';
import type { ResolvedOptions } from '../manager/options.js';
import type { BusMessage } from '../bus/types.js';

/** A bus message before the publishing instance stamps its origin on it. */
export type Announcement = BusMessage extends infer M ? (M extends BusMessage ? Omit<M, 'origin'> : never) : never;

/** Shared internals of one manager. */
export interface SessionContext extends ResolvedOptions {
  readonly events: SessionEventEmitter;
  /** Maps a failure of a store call: a `SessionError` as is, anything else to `SessionStoreError`. */
  storeError(operation: string, error: unknown): SessionError;
  /** Runs a store call; anything but a `SessionError` becomes a `SessionStoreError`. */
  call<T>(operation: string, run: () => Promise<T>): Promise<T>;
  /**
   * Serializes writes to one session inside this process, so concurrent requests of one
   * process never race each other; races between processes are settled by the version check.
   */
  withLock<T>(id: string, run: () => Promise<T>): Promise<T>;
  /** This instance's id on the bus. */
  readonly origin: string;
  /**
   * Publishes on the bus (if any) and waits for it, so a revocation has reached the other
   * instances' caches when the call that made it returns. A failed publish is logged, not
   * thrown: the store write already happened, and instances whose bus is down bypass caches.
   */
  announce(message: Announcement): Promise<void>;
}

/** Builds the context for a manager. */
export function createContext(options: ResolvedOptions, events: SessionEventEmitter, origin: string): SessionContext {
  const tails = new Map<string, Promise<void>>();
  const storeName = options.store.name;
  const { bus, logger } = options;
  // The message is generic on purpose: frameworks put it in response bodies, and driver
  // messages (host names, "client is offline") belong in logs, through `cause`.
  function storeError(operation: string, error: unknown): SessionError {
    if (error instanceof SessionError && !(error instanceof SessionStoreError)) return error;
    return new SessionStoreError(storeName, `The session store (${storeName}) is unavailable (${operation}); try again shortly.`, { cause: error });
  }
  return {
    ...options,
    events,
    origin,
    async announce(message) {
      if (bus === null) return;
      try {
        await bus.publish({ ...message, origin } as BusMessage);
      } catch (error) {
        logger.error('coatcheck: could not publish on the session bus', { type: message.type, error });
      }
    },
    storeError,
    async call(operation, run) {
      try {
        return await run();
      } catch (error) {
        throw storeError(operation, error);
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
