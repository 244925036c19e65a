/**
 * Events of the token service. `refresh-reuse` is the one to alert on: a rotated refresh
 * token came back, so it was copied; the family and its session have been ended. `refresh`
 * reports every refresh with its outcome and duration, for metrics and tracing.
 *
 * @module
 */
import { createTypedEmitter, type TypedEventEmitter } from 'coatcheck/bus';

/** Payloads by event name. */
export interface TokenEvents {
  /** A rotated refresh token was presented again; the session was ended. (RT-02) */
  'refresh-reuse': { readonly sessionId: string; readonly userId: string | null; readonly family: string };
  /** A token family was started (anonymous visit or login). */
  'family-started': { readonly sessionId: string; readonly userId: string | null; readonly family: string };
  /**
   * A refresh was answered, once per rotation however many parallel requests shared it;
   * emitted as it ends. For metrics and tracing: `ms` is its wall time (`performance.now()`),
   * `sessionId` the public id of the live session the token named (`null` when it named
   * none, or the store failed before the session was read).
   */
  refresh: { readonly sessionId: string | null; readonly outcome: RefreshEventOutcome; readonly ms: number };
}

/**
 * How a refresh ended: `rotated` (a new pair), `grace` (the successor again, within the grace
 * window), `reused` (a replay: the session was ended), `expired`, `invalid`, or `error` (the
 * store failed; the refresh rejected).
 */
export type RefreshEventOutcome = 'rotated' | 'grace' | 'reused' | 'expired' | 'invalid' | 'error';

/** Subscribe to token events. */
export interface TokenEventEmitter {
  on<E extends keyof TokenEvents>(event: E, listener: (payload: TokenEvents[E]) => void): () => void;
}

/** The emitter and its `emit`, kept private to the service. */
export function createTokenEvents(onError: (error: unknown) => void): TypedEventEmitter<TokenEvents> {
  return createTypedEmitter<TokenEvents>(onError);
}
