/**
 * The event bus contract: how several app instances tell each other that sessions changed
 * or ended. Implementations: in-process (`coatcheck/bus`), Redis pub/sub (`@coatcheck/redis`),
 * Postgres LISTEN/NOTIFY (`@coatcheck/postgres`).
 *
 * Exported from `coatcheck`.
 *
 * @module
 */

/** Why sessions ended; mirrors the manager's events. */
export type BusEndReason = 'logout' | 'destroy' | 'revoke' | 'revoke-others' | 'revoke-all' | 'expired';

/**
 * A message between instances. `origin` is the publishing instance's id, so an instance can
 * ignore its own messages when the transport echoes them back.
 * - `changed`: the records were written; cached copies are stale.
 * - `ended`: the sessions are gone (logout, revocation); caches drop them and sockets close.
 * - `upgraded`: an anonymous session became a user's under a new id.
 */
export type BusMessage =
  | { readonly type: 'changed'; readonly origin: string; readonly ids: readonly string[] }
  | {
      readonly type: 'ended';
      readonly origin: string;
      readonly ids: readonly string[];
      readonly userId: string | null;
      readonly reason: BusEndReason;
    }
  | {
      readonly type: 'upgraded';
      readonly origin: string;
      readonly oldId: string | null;
      readonly newId: string;
      readonly userId: string;
    };

/** Connection state of a bus, for health checks and for the local cache. */
export type BusState = 'up' | 'down';

/** A cross-instance message bus. */
export interface SessionBus {
  /** Short name for logs and health output, e.g. `"redis"`. */
  readonly name: string;
  /** Current connection state. */
  readonly state: BusState;
  /**
   * Sends a message to every subscriber on every instance (including this one). Rejects with
   * `SessionStoreError` when the transport is unavailable.
   */
  publish(message: BusMessage): Promise<void>;
  /** Receives every message; returns a function that unsubscribes. */
  subscribe(listener: (message: BusMessage) => void): () => void;
  /**
   * Observes connection state changes. While a bus is `down`, messages may be lost, so
   * caches that depend on it must stop serving.
   */
  onStateChange(listener: (state: BusState) => void): () => void;
  /** Round trip to the transport; rejects when it is unavailable. */
  ping(): Promise<void>;
  /** Stops listening and releases connections. */
  close(): Promise<void>;
}

const END_REASONS: ReadonlySet<string> = new Set<BusEndReason>(['logout', 'destroy', 'revoke', 'revoke-others', 'revoke-all', 'expired']);

/** Checks that a parsed value is a well-formed {@link BusMessage}; transports use it on receipt. */
export function isBusMessage(value: unknown): value is BusMessage {
  if (value === null || typeof value !== 'object') return false;
  const m = value as Record<string, unknown>;
  const ids = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (typeof m.origin !== 'string') return false;
  switch (m.type) {
    case 'changed':
      return ids(m.ids);
    case 'ended':
      return ids(m.ids) && (m.userId === null || typeof m.userId === 'string') && typeof m.reason === 'string' && END_REASONS.has(m.reason);
    case 'upgraded':
      return (m.oldId === null || typeof m.oldId === 'string') && typeof m.newId === 'string' && typeof m.userId === 'string';
    default:
      return false;
  }
}
