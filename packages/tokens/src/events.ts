/**
 * Events of the token service. `refresh-reuse` is the one to alert on: a rotated refresh
 * token came back, so it was copied; the family and its session have been ended.
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
}

/** Subscribe to token events. */
export interface TokenEventEmitter {
  on<E extends keyof TokenEvents>(event: E, listener: (payload: TokenEvents[E]) => void): () => void;
}

/** The emitter and its `emit`, kept private to the service. */
export function createTokenEvents(onError: (error: unknown) => void): TypedEventEmitter<TokenEvents> {
  return createTypedEmitter<TokenEvents>(onError);
}
