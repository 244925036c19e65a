/**
 * What a session handle needs from its manager: resolved options, events, the store gateway
 * (its only way to the store) and the bus announcement.
 *
 * @module
 */
import type { SessionEventEmitter } from '../events.js';
import type { ResolvedOptions } from '../manager/options.js';
import type { BusMessage } from '../bus/types.js';
import type { CookieMode } from '../cookie/cookie-options.js';
import type { SessionRecord } from '../store/types.js';
import type { LoadStatus } from './session-types.js';
import type { StoreGateway } from '../store/gateway.js';
import type { HistoryRecorder } from '../manager/history.js';

/** A bus message before the publishing instance stamps its origin on it. */
type Announcement = BusMessage extends infer M ? (M extends BusMessage ? Omit<M, 'origin'> : never) : never;

/**
 * Shared internals of one manager. The raw store and cache options are left out on purpose:
 * every store call goes through `gateway`.
 */
export interface SessionContext extends Omit<ResolvedOptions, 'store' | 'cache' | 'history'> {
  readonly events: SessionEventEmitter;
  /** The session history (a recorder that drops every note when the manager keeps none). */
  readonly history: HistoryRecorder;
  /** Whether notes are kept: lets a handle skip the work of preparing them. */
  readonly keepsHistory: boolean;
  /** The one way to the store: liveness, error wrapping, cache, per-id lock, `onStoreCall`. */
  readonly gateway: StoreGateway;
  /** This instance's id on the bus. */
  readonly origin: string;
  /**
   * Publishes on the bus (if any) and waits for it, so a revocation has reached the other
   * instances' caches when the call that made it returns. A failed publish is logged, not
   * thrown: the store write already happened, and instances whose bus is down bypass caches.
   */
  announce(message: Announcement): Promise<void>;
}

/** Everything `createSession` starts from. */
export interface SessionInit {
  /**
   * Cookie name and attributes, or `null` for a session that is not carried by a cookie
   * (a bearer token's session): such a handle never produces a `Set-Cookie`.
   */
  readonly mode: CookieMode | null;
  readonly status: LoadStatus;
  readonly record: SessionRecord | null;
  /** Raw secret of the presented ticket, when valid. */
  readonly secret: string | null;
  /** The ticket was signed by an older key and should be re-signed. */
  readonly resign: boolean;
  /** An unusable cookie was presented and should be cleared. */
  readonly clear: boolean;
  /** Raw request metadata; cleaned only when a record is written. */
  readonly userAgent: string | null | undefined;
  readonly ip: string | null | undefined;
  /** The clock when `record` was read, if known: the handle then reads it no second time. */
  readonly now?: number;
}

/** Builds the context for a manager. */
export function createContext(
  options: ResolvedOptions,
  events: SessionEventEmitter,
  origin: string,
  gateway: StoreGateway,
  history: HistoryRecorder,
): SessionContext {
  const { store: _store, cache: _cache, history: settings, ...rest } = options;
  const { bus, logger } = options;
  return {
    ...rest,
    events,
    gateway,
    origin,
    history,
    keepsHistory: settings !== null,
    async announce(message) {
      if (bus === null) return;
      try {
        await bus.publish({ ...message, origin } as BusMessage);
      } catch (error) {
        logger.error('coatcheck: could not publish on the session bus', { type: message.type, error });
      }
    },
  };
}
