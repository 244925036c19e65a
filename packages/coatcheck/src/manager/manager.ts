/**
 * The session manager: turns a request's `Cookie` header into a session handle, and owns the
 * per-user view (device list, revocation). Framework adapters are thin wrappers around it.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { registerManagerInternals } from './internals.js';
import type { SessionBus } from '../bus/types.js';
import type { CookieMode } from '../cookie/cookie-options.js';
import type { CsrfGuard } from '../csrf/csrf-guard.js';
import { createEventEmitter, type SessionEventEmitter } from '../events.js';
import { createContext, type SessionContext } from '../session/context.js';
import type { Session, SessionDataMap } from '../session/session-types.js';
import { createStoreGateway } from '../store/gateway.js';
import type { StoreCallListener, StoreCallOutcome } from '../store/store-calls.js';
import type { SessionStore } from '../store/types.js';
import type { HistoryActor, HistoryEntry, HistoryQuery } from '../store/history-types.js';
import { createTicketVerifier } from '../ticket/verified-cache.js';
import { createSessionOpener } from './open-session.js';
import { createDeviceActions } from './device-actions.js';
import type { DeviceSession } from './devices.js';
import { createIdLoader } from './load-by-id.js';
import { createLiveness, type LiveSession } from './liveness.js';
import { assertOptions, resolveOptions, type SessionManagerOptions } from './options.js';
import { createHistoryRecorder, type HistoryReadRequest } from './history.js';
import { recordCsrfRefusal } from './csrf-history.js';
import type { DataOptions, DataSchema, InferSessionData } from '../data-schema/data-options.js';

/** What the manager needs to know about a request. */
export interface RequestInfo {
  /** The `Cookie` header (several headers may be given as an array). */
  readonly cookie?: string | readonly string[] | null | undefined;
  /** The request arrived over HTTPS (as the framework decides it, including trusted proxies). */
  readonly secure?: boolean;
  readonly userAgent?: string | null | undefined;
  readonly ip?: string | null | undefined;
}

/** Options of {@link SessionManager.loadById}. */
export interface LoadByIdOptions {
  /**
   * Read the record from the store even when the local cache holds it. For decisions that
   * must see the latest write of every instance (refresh-token rotation). @default false
   */
  fresh?: boolean;
}

/** Options of the manager's revocations. */
export interface RevokeOptions {
  /**
   * Who asked, for the session history: `'admin:<id>'` for an administrator, `'cli'`, or
   * `'user'` when the user did it from their device list. @default 'app'
   */
  actor?: HistoryActor;
}

/** A session manager. */
export interface SessionManager<D extends object = SessionDataMap> {
  /** Typed events: created, upgraded, regenerated, destroyed, revoked, csrfRefused. */
  readonly events: SessionEventEmitter;
  /** The store, for health checks. */
  readonly store: SessionStore;
  /** The bus, if one was configured; realtime hubs listen on it. */
  readonly bus: SessionBus | null;
  /**
   * The CSRF guard adapters run before route handlers, or `null` when disabled with
   * `csrf: false`.
   */
  readonly csrf: CsrfGuard | null;
  /** Number of sessions in the local cache (0 when off). */
  readonly cachedSessions: number;
  /**
   * Loads the session of a request. Costs nothing for a request without a session cookie,
   * and never reaches the store for a ticket whose signature does not verify.
   * Rejects with `SessionStoreError` when the store is unavailable.
   */
  load(request: RequestInfo): Promise<Session<D>>;
  /**
   * Loads a session by its id, for credentials that are not a cookie: a verified access or
   * refresh token names its session (`sid`), and this is how its request gets the handle.
   * The handle never produces a `Set-Cookie` (its `commit()` still writes data and touches).
   *
   * `id` must come from a credential the caller has already verified: this method checks
   * liveness, not authenticity. `null` gives a new, empty session that is written on its
   * first change or `login()`, like a first visit without a cookie. A malformed id is
   * `invalid` without reaching the store; an absent or expired one is `expired`.
   * Rejects with `SessionStoreError` when the store is unavailable.
   */
  loadById(id: string | null, request?: RequestInfo, options?: LoadByIdOptions): Promise<Session<D>>;
  /**
   * `loadById` without a promise, for the hot path of token verification: the handle when
   * the revocation-aware local cache holds the live session, `null` otherwise (no cache, a
   * miss, or the bus down), in which case call `loadById`. Never reaches the store.
   */
  loadCachedById(id: string, request?: RequestInfo): Session<D> | null;
  /** A user's live sessions. `currentId` is flagged `current`. */
  listSessions(userId: string, currentId?: string | null): Promise<DeviceSession[]>;
  /** Ends one session if it belongs to `userId`; `false` otherwise. */
  revokeSession(userId: string, id: string, options?: RevokeOptions): Promise<boolean>;
  /** Ends every session of `userId` except `keepId`. */
  revokeOtherSessions(userId: string, keepId: string, options?: RevokeOptions): Promise<string[]>;
  /** Ends every session of `userId`. */
  revokeAllSessions(userId: string, options?: RevokeOptions): Promise<string[]>;
  /**
   * The session history, newest first: one session's (`{ sessionId }`, followed back through
   * the tickets it had before a login or `regenerate()`), or all of a user's
   * (`{ userId }`). Entries outlive their session until the retention passes. `limit`
   * defaults to 50 (at most 1000); `before` pages back from an entry's `at`.
   * Rejects with `SessionConfigError` when the manager keeps no history, and with
   * `SessionStoreError` when the store is unavailable.
   *
   * @example
   * ```ts
   * for (const entry of await sessions.history({ userId: '42' }, { limit: 20 })) {
   *   console.log(new Date(entry.at), entry.type, entry.sessionId, entry.actor, entry.ip)
   * }
   * ```
   */
  history(query: HistoryQuery, options?: HistoryReadRequest): Promise<HistoryEntry[]>;
  /**
   * Reads whether the session `id` is alive, without changing it: `null` when it is absent,
   * expired, or `id` is malformed. For connections that outlive requests (WebSockets): check
   * again at `expiresAt`, or whenever a bus message says it changed.
   * Rejects with `SessionStoreError` when the store is unavailable.
   */
  peek(id: string): Promise<LiveSession | null>;
  /**
   * Marks the session `id` as used now, as a request would: its idle expiry moves forward
   * (never past the absolute limit). Returns the new liveness, or `null` when the session is
   * gone. Costs a read and a write: throttle it (a realtime hub touches at most once per
   * `touchAfter`). Rejects with `SessionStoreError` when the store is unavailable.
   */
  touch(id: string): Promise<LiveSession | null>;
  /** The manager's clock, in epoch ms (the injected `now`, or `Date.now`). */
  now(): number;
  /** Round trip to the store with its latency in ms; rejects when the store is down. */
  ping(): Promise<number>;
  /**
   * Calls `listener` after every call this manager makes to the store, with the store
   * method (`op`), its duration (`ms`), how it ended (`outcome`: `ok`, `miss`, `conflict`
   * or `error`, see {@link StoreCallOutcome}) and, for a call about one session, its public
   * `id`. For metrics and tracing without wrapping the store (`@coatcheck/prometheus`,
   * `@coatcheck/opentelemetry`). Returns the function that removes the listener.
   *
   * The listener runs synchronously, after the call settled and before its result is used:
   * keep it cheap (increment a counter, observe a histogram). A listener that throws does not
   * affect the request; its first failure is logged through `logger`. Reads served by the
   * local cache are not store calls and are not reported. Without listeners the store calls
   * cost nothing extra (no clock is read).
   *
   * @example
   * ```ts
   * const stop = sessions.onStoreCall(({ op, ms, outcome }) => {
   *   storeLatency.observe({ op }, ms / 1000)
   *   if (outcome === 'error') storeErrors.inc({ op })
   * })
   * ```
   */
  onStoreCall(listener: StoreCallListener): () => void;
  /** Stops listening on the bus. Does not close the store or the bus (they are yours). */
  close(): Promise<void>;
}

/**
 * Creates a session manager. Its data type is inferred from `data.schema` when there is one
 * (each key's output type, or the whole-data schema's), otherwise it is the `SessionDataMap`
 * you augmented, unless you give one (`createSessionManager<ShopData>(...)`), which then types
 * every handle it loads.
 *
 * @example
 * ```ts
 * const sessions = createSessionManager({ store, secrets, data: { schema: { cart: z.array(Item) } } })
 * // SessionManager<{ cart: Item[] }>: session.set('cart', ...) is checked by the type and by zod
 * ```
 *
 * @example
 * ```ts
 * import { createSessionManager } from 'coatcheck'
 * import { memoryStore } from 'coatcheck/memory'
 *
 * const sessions = createSessionManager({ store: memoryStore(), secrets: [process.env.SESSION_SECRET!] })
 * const session = await sessions.load({ cookie: req.headers.cookie, secure: true })
 * session.set('theme', 'dark')
 * for (const value of await session.commit()) res.appendHeader('set-cookie', value)
 * ```
 */
export function createSessionManager<S extends DataSchema>(
  options: SessionManagerOptions & { readonly data: DataOptions<S> & { readonly schema: S } },
): SessionManager<InferSessionData<S>>;
export function createSessionManager<D extends object = SessionDataMap>(options: SessionManagerOptions): SessionManager<D>;
export function createSessionManager<D extends object = SessionDataMap>(options: SessionManagerOptions): SessionManager<D> {
  assertOptions(options);
  // The guard is built before the emitter; it reports a refusal only while serving a request.
  // The same goes for the history's note of a refusal.
  const resolved = resolveOptions(options, (refusal, session) => {
    events.emit('csrfRefused', { reason: refusal.reason, sessionId: session.id });
    if (resolved.history !== null) recordCsrfRefusal(history, refusal, session);
  });
  const events = createEventEmitter((error) => resolved.logger.error('coatcheck: event listener threw', { error }));
  const origin = randomUUID();
  const gateway = createStoreGateway({ store: resolved.store, cache: resolved.cache, bus: resolved.bus, origin, logger: resolved.logger, data: resolved.data });
  const history = createHistoryRecorder(gateway, resolved.history, resolved.now, resolved.logger);
  const ctx: SessionContext = createContext(resolved, events, origin, gateway, history);
  const { cookie } = ctx;
  const tickets = createTicketVerifier(ctx.ring, resolved.verifiedTicketCache);
  let warnedInsecure = false;

  const devices = createDeviceActions(ctx);
  const liveness = createLiveness(ctx);
  const byId = createIdLoader<D>(ctx, devices);

  function pickMode(secure: boolean | undefined): CookieMode {
    if (secure !== false || cookie.insecure === null) {
      if (secure === false && ctx.production && !warnedInsecure) {
        warnedInsecure = true;
        ctx.logger.error(
          'coatcheck: plain-HTTP request in production; browsers drop Secure cookies over HTTP. Serve HTTPS, or give the adapter a trustProxy option naming the TLS-terminating proxy (docs/http-policy.md).',
        );
      }
      return cookie.secure;
    }
    return cookie.insecure;
  }

  const open = createSessionOpener<D>(ctx, devices, tickets, pickMode);
  const raise = (error: unknown): never => {
    throw error;
  };
  function load(request: RequestInfo): Promise<Session<D>> {
    try {
      return Promise.resolve(open(request, (session) => session, raise));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  const manager: SessionManager<D> = {
    events,
    store: gateway.store,
    bus: resolved.bus,
    csrf: resolved.csrf,
    get cachedSessions() {
      return gateway.cachedSessions;
    },
    load,
    loadById: byId.loadById,
    loadCachedById: byId.loadCachedById,
    listSessions: (userId, currentId = null) => devices.list(userId, currentId),
    revokeSession: (userId, id, options) => devices.revoke(userId, id, options?.actor ?? 'app'),
    revokeOtherSessions: (userId, keepId, options) => devices.revokeOthers(userId, keepId, options?.actor ?? 'app'),
    revokeAllSessions: (userId, options) => devices.revokeAll(userId, options?.actor ?? 'app'),
    history: history.read,
    peek: liveness.peek,
    touch: liveness.touch,
    now: ctx.now,
    ping: gateway.ping,
    onStoreCall: gateway.onStoreCall,
    async close() {
      gateway.close();
    },
  };
  registerManagerInternals(manager, ctx.logger, history, open);
  return manager;
}
