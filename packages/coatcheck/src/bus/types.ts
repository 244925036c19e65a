/**
 * The event bus contract: how several app instances tell each other that sessions changed
 * or ended. Implementations: in-process (`coatcheck/bus`), Redis pub/sub (`@coatcheck/redis`),
 * Postgres LISTEN/NOTIFY (`@coatcheck/postgres`).
 *
 * Exported from `coatcheck/bus`: the types, and the helpers transports use on receipt
 * (`isBusMessage`, `isBusBroadcast`, `dispatchBroadcast`, `addBroadcastListener`).
 *
 * @module
 */

/** Why sessions ended; mirrors the manager's events. */
export type BusEndReason = 'logout' | 'destroy' | 'revoke' | 'revoke-others' | 'revoke-all' | 'session-limit' | 'expired';

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

/**
 * An application message carried between instances, next to the session messages: realtime
 * hubs use it to deliver one broadcast to sockets held by every instance. `channel` names the
 * consumer (e.g. `"realtime"`), so several consumers can share one bus; `payload` is opaque
 * to the bus (usually JSON the consumer encoded once and decodes once).
 */
export interface BusBroadcast {
  readonly type: 'broadcast';
  readonly channel: string;
  readonly payload: string;
}

/** Receives the payloads of one broadcast channel. */
export type BroadcastListener = (payload: string) => void;

/** Connection state of a bus, for health checks and for the local cache. */
export type BusState = 'up' | 'down';

/** A cross-instance message bus. */
export interface SessionBus {
  /** Short name for logs and health output, e.g. `"redis"`. */
  readonly name: string;
  /**
   * `true` when messages reach this process only (`memoryBus`). The manager turns the local
   * cache on by default with any other bus; with a process-local one only when asked
   * (`cache: true`), since it cannot tell whether other processes share the store.
   */
  readonly local?: boolean;
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
  /**
   * Sends an application message to every `onBroadcast(channel)` listener on every instance
   * (including this one). Delivery is best effort, like `publish`: messages sent while the
   * transport is down are lost. Rejects with `SessionStoreError` when the transport is
   * unavailable, and with `RangeError` when the payload is larger than the transport carries
   * (see {@link SessionBus.maxBroadcastBytes}).
   */
  broadcast(channel: string, payload: string): Promise<void>;
  /** Receives the application messages of `channel`; returns a function that unsubscribes. */
  onBroadcast(channel: string, listener: BroadcastListener): () => void;
  /**
   * Largest `channel.length + payload` (in UTF-8 bytes) that `broadcast` accepts, so callers
   * can check before sending. Postgres NOTIFY carries less than 8000 bytes; Redis and the
   * in-process bus are limited only by memory.
   */
  readonly maxBroadcastBytes: number;
  /** Round trip to the transport; rejects when it is unavailable. */
  ping(): Promise<void>;
  /** Stops listening and releases connections. */
  close(): Promise<void>;
}

const END_REASONS: ReadonlySet<string> = new Set<BusEndReason>(['logout', 'destroy', 'revoke', 'revoke-others', 'revoke-all', 'session-limit', 'expired']);

/** Checks that a parsed value is a well-formed {@link BusBroadcast}; transports use it on receipt. */
export function isBusBroadcast(value: unknown): value is BusBroadcast {
  if (value === null || typeof value !== 'object') return false;
  const m = value as Record<string, unknown>;
  return m.type === 'broadcast' && typeof m.channel === 'string' && typeof m.payload === 'string';
}

/**
 * Delivers a received broadcast to the listeners of its channel. A throwing listener is
 * passed to `onError` and does not stop the others. Shared by the transports.
 */
export function dispatchBroadcast(
  listeners: ReadonlyMap<string, ReadonlySet<BroadcastListener>>,
  message: BusBroadcast,
  onError: (error: unknown) => void,
): void {
  const set = listeners.get(message.channel);
  if (set === undefined) return;
  for (const listener of set) {
    try {
      listener(message.payload);
    } catch (error) {
      onError(error);
    }
  }
}

/** Adds a broadcast listener to a channel map; returns the function that removes it. */
export function addBroadcastListener(listeners: Map<string, Set<BroadcastListener>>, channel: string, listener: BroadcastListener): () => void {
  let set = listeners.get(channel);
  if (set === undefined) {
    set = new Set();
    listeners.set(channel, set);
  }
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0 && listeners.get(channel) === set) listeners.delete(channel);
  };
}

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
