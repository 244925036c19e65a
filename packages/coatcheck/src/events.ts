/**
 * Typed session events. Subscribe to migrate rows keyed by an anonymous id at login, to audit,
 * or (with a cross-instance bus) to close sockets of revoked sessions.
 *
 * @module
 */
import type { CsrfFailure } from './errors.js';

/**
 * Why a session ended: its own request (`logout`, `destroy`), from elsewhere (`revoke`,
 * `revoke-others`, `revoke-all`), or to make room for a login beyond `maxSessionsPerUser`
 * (`session-limit`).
 */
export type EndReason = 'logout' | 'destroy' | 'revoke' | 'revoke-others' | 'revoke-all' | 'session-limit';

/** Payloads of every event, by name. */
export interface SessionEvents {
  /** A session record was written for the first time. */
  created: { readonly id: string; readonly userId: string | null };
  /** An anonymous (or other user's) session became `userId`'s at login; the ticket rotated. */
  upgraded: { readonly oldId: string | null; readonly newId: string; readonly userId: string };
  /** The ticket rotated with the data kept. */
  regenerated: { readonly oldId: string; readonly newId: string; readonly userId: string | null };
  /** The session was ended from its own request (logout, destroy). */
  destroyed: { readonly id: string; readonly userId: string | null; readonly reason: EndReason };
  /** Sessions were ended from elsewhere (device list, admin, password change, a login beyond the cap). */
  revoked: { readonly ids: readonly string[]; readonly userId: string; readonly reason: EndReason };
  /**
   * An unsafe request was refused by the CSRF check every adapter runs (`reason`: which
   * rule refused it; `sessionId`: the public id of the session its cookie named, if any).
   * For metrics and audit. Emitted on refusals only: allowed requests pay nothing.
   */
  csrfRefused: { readonly reason: CsrfFailure; readonly sessionId: string | null };
}

/**
 * Subscribe to and emit events whose payloads are typed by name in `M`. Shared by the session
 * events here and by other coatcheck packages (the token service's events).
 */
export interface TypedEventEmitter<M extends object> {
  /** Adds a listener; returns a function that removes it. */
  on<E extends keyof M>(event: E, listener: (payload: M[E]) => void): () => void;
  /** Calls every listener of `event`. A throwing listener is reported and does not stop the others. */
  emit<E extends keyof M>(event: E, payload: M[E]): void;
}

/** Subscribe to and emit session events. */
export type SessionEventEmitter = TypedEventEmitter<SessionEvents>;

/**
 * Creates an in-process emitter of the events `M`. A listener that throws is passed to
 * `onListenerError` and the remaining listeners still run.
 */
export function createTypedEmitter<M extends object>(onListenerError: (error: unknown) => void): TypedEventEmitter<M> {
  const listeners = new Map<keyof M, Set<(payload: never) => void>>();
  return {
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      set.add(listener as (payload: never) => void);
      return () => void set.delete(listener as (payload: never) => void);
    },
    emit(event, payload) {
      const set = listeners.get(event);
      if (!set) return;
      for (const listener of set) {
        try {
          (listener as (payload: unknown) => void)(payload);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
  };
}

/** Creates the in-process emitter of session events. */
export function createEventEmitter(onListenerError: (error: unknown) => void): SessionEventEmitter {
  return createTypedEmitter<SessionEvents>(onListenerError);
}
