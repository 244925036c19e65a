/**
 * What the manager reports about each store call, and how a failed call becomes an error:
 * the `onStoreCall` hook's types, its listener list, and the one place a driver error is
 * turned into a `SessionStoreError`.
 *
 * @module
 */
import { SessionError, SessionStoreError } from '../errors.js';
import type { Logger } from '../manager/options.js';

/** The store methods the manager calls (the names of {@link SessionStore}'s methods). */
export type StoreOp =
  | 'get'
  | 'create'
  | 'createCapped'
  | 'update'
  | 'touch'
  | 'delete'
  | 'listByUser'
  | 'deleteByUser'
  | 'ping'
  | 'appendHistory'
  | 'readHistory';

/**
 * How a store call ended:
 * - `ok`: it did what was asked (`get` found a live record, `create` or `createCapped` inserted, `update`
 *   replaced, `touch` extended, `delete` removed something; `listByUser`, `deleteByUser`,
 *   `ping`, `appendHistory` and `readHistory` answered);
 * - `miss`: there was nothing to act on (`get` found no live record, `update` or `touch` found
 *   the session gone, `delete` found nothing to remove, `createCapped` found no room under the
 *   cap and its policy refuses);
 * - `conflict`: a race was lost (`update`: another write changed the version first, and the
 *   session replays its changes on the fresh record; `create`, `createCapped`: the id was taken);
 * - `error`: the call rejected; `error` holds what the manager throws (a `SessionStoreError`
 *   whose `cause` is the driver's error, or the store's own `SessionError`).
 */
export type StoreCallOutcome = 'ok' | 'miss' | 'conflict' | 'error';

/** One finished store call, as the `onStoreCall` hook sees it. */
export interface StoreCall {
  readonly op: StoreOp;
  /** Wall time of the call in milliseconds (`performance.now()`), fractional. */
  readonly ms: number;
  readonly outcome: StoreCallOutcome;
  /**
   * The public id of the session the call was about (`get`, `create`, `update`, `touch`,
   * `delete`): the store key, safe to show, never the ticket's secret. Absent for the calls
   * about a user or the store itself (`listByUser`, `deleteByUser`, `ping`).
   */
  readonly id?: string;
  /** The error the call rejected with, when `outcome` is `error`. */
  readonly error?: SessionError;
}

/** A listener of {@link StoreCall}s. */
export type StoreCallListener = (call: StoreCall) => void;

/** The listeners of one manager. */
export interface StoreCallHook {
  /** `true` when somebody listens; the store calls skip the clock otherwise. */
  readonly active: boolean;
  subscribe(listener: StoreCallListener): () => void;
  /** Reports a call about session `id` (if any) that started at `started` (a `performance.now()` reading). */
  report(op: StoreOp, started: number, outcome: StoreCallOutcome, id: string | undefined, error?: SessionError): void;
}

/** Creates an empty listener list; a throwing listener is logged once and kept. */
export function createStoreCallHook(logger: Logger): StoreCallHook {
  // listener -> whether its failure was already logged (a broken metrics listener would
  // otherwise log on every request).
  const listeners = new Map<StoreCallListener, boolean>();
  return {
    get active() {
      return listeners.size > 0;
    },
    subscribe(listener) {
      if (typeof listener !== 'function') throw new TypeError('onStoreCall(listener): listener must be a function');
      listeners.set(listener, false);
      return () => void listeners.delete(listener);
    },
    report(op, started, outcome, id, error) {
      const ms = performance.now() - started;
      // Absent fields stay absent (not `undefined`), as listeners that log the call expect.
      let call: StoreCall;
      if (error === undefined) call = id === undefined ? { op, ms, outcome } : { op, ms, outcome, id };
      else call = id === undefined ? { op, ms, outcome, error } : { op, ms, outcome, id, error };
      for (const [listener, logged] of listeners) {
        try {
          listener(call);
        } catch (failure) {
          if (logged) continue;
          listeners.set(listener, true);
          logger.error('coatcheck: an onStoreCall listener threw; the request went on, and further failures of this listener are not logged', {
            op,
            error: failure,
          });
        }
      }
    },
  };
}

/**
 * The one place a failed store call becomes an error. A `SessionError` (a store's own
 * `SessionStoreError`, with its driver error as `cause`) passes as it is; anything else is
 * wrapped once, keeping it as `cause`. The message is for logs: what a client sees is the
 * HTTP layer's decision, so nothing on the way out replaces it.
 */
export function toStoreError(store: string, op: StoreOp, error: unknown): SessionError {
  if (error instanceof SessionError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new SessionStoreError(store, `session store "${store}" failed (${op}): ${reason}`, { cause: error });
}
