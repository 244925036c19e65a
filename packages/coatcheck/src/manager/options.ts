/**
 * Options of the session manager: validated once, in two named steps, then frozen.
 *
 * @module
 */
import { SessionConfigError } from '../errors.js';
import { resolveCookieOptions, type CookieOptions, type ResolvedCookie } from '../cookie/cookie-options.js';
import { resolveLifetime, type Lifetime, type LifetimeOptions } from '../session/lifetime.js';
import { createKeyRing, type KeyRing, type SecretInput } from '../ticket/key-ring.js';
import { createDataCipher } from '../encryption/data-cipher.js';
import { encryptStore } from '../encryption/encrypted-store.js';
import { cryptoRandom, type RandomSource } from '../ticket/ticket.js';
import type { SessionStore } from '../store/types.js';
import { assertSessionLimit, resolveSessionLimit, type ResolvedSessionLimit, type SessionLimitOptions } from './session-limit.js';
import type { SessionBus } from '../bus/types.js';
import type { CacheOptions } from '../cache/record-cache.js';
import { createCsrfGuard, type CsrfGuard, type CsrfOptions, type CsrfRefusalListener } from '../csrf/csrf-guard.js';
import type { RateLimiter } from '../rate-limit/limiter.js';
import { resolveHistory, type HistoryOptions, type ResolvedHistory } from './history.js';
import { assertDataOptions, type DataOptions } from '../data-schema/data-options.js';
import { createDataPolicy, type DataPolicy } from '../data-schema/data-policy.js';

/** Options of {@link SessionManagerOptions.encryption}. */
interface EncryptionOptions {
  /** Secrets of at least 32 random bytes each: the first seals, every one opens. */
  readonly keys: readonly SecretInput[];
}

/** Where the manager reports things an operator should see. */
export interface Logger {
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/** Options of `createSessionManager`. */
export interface SessionManagerOptions {
  /** Where sessions live. */
  store: SessionStore;
  /**
   * Signing secrets, each at least 32 bytes. The first signs; all verify. To rotate, put the
   * new secret first and keep the old one until every cookie signed with it has expired.
   */
  secrets: readonly SecretInput[];
  /**
   * Cross-instance event bus. Logouts, revocations, logins and data changes are published on
   * it, so every instance drops cached copies at once (and realtime hubs close sockets).
   * @default the store's own bus when it offers one (`store.bus()`: `sqliteStore` does) and
   * `cache` is not `false`; otherwise none
   */
  bus?: SessionBus;
  /**
   * Local cache of hot sessions: reads served from memory without a store round trip.
   * Requires a bus (every instance must hear about every change); entries live at most
   * `ttlMs`, and the cache is bypassed while the bus is down. Data read from a cached
   * session is frozen. `false` turns it off (and leaves the store's bus unused).
   * @default on whenever there is a bus that reaches other processes: the store's own, or a
   * `bus` you pass other than `memoryBus()` (with `memoryBus()`, only `cache: true` turns it
   * on, since nothing then tells this process what other processes did)
   */
  cache?: CacheOptions | boolean;
  /**
   * Encrypts session data at rest: each record's `data` is sealed with AES-256-GCM, bound to
   * the record's id, before it reaches the store, and opened after it is read; user ids,
   * expiry and devices stay readable, so indexes and pruning work as before. `keys` are
   * secrets of at least 32 random bytes (not the session secrets): the first seals, all
   * open. To rotate, put a new key first, run `coatcheck reencrypt`, then drop the old one.
   * Records written before encryption was on are read as they are and sealed at their next
   * write. See docs/encryption.md. @default off
   */
  encryption?: EncryptionOptions;
  /**
   * Caps a user's concurrent sessions (devices): a login that would exceed it ends the user's
   * oldest or idlest session, or is refused, as `policy` says. Enforced by the store in one
   * atomic step per login (`store.createCapped`), so logins racing on several instances never
   * exceed it. Ended sessions are announced on the bus (their sockets close, their tokens stop
   * working) and kept in the history as `revoked` with reason `session-limit`. Only logins
   * count: a regeneration or a step-up replaces the session it runs on. A number is the cap
   * with `policy: 'evictOldest'`. See docs/options.md. @default none (no cap)
   */
  maxSessionsPerUser?: number | SessionLimitOptions;
  /** Cookie name and attributes; secure by default. */
  cookie?: CookieOptions;
  /** Idle timeout, absolute lifetime, remember-me lifetimes. */
  lifetime?: LifetimeOptions;
  /**
   * Cross-site request forgery protection, run by every framework adapter before the route
   * handler: unsafe methods with the session cookie must come from this site (Fetch Metadata
   * or `Origin`) or carry the session's token. `false` turns it off (only do that when
   * something else protects every state-changing route). See docs/csrf.md.
   * @default {} (on, no extra trusted origins)
   */
  csrf?: CsrfOptions | false;
  /**
   * The session history (audit trail): logins, rotations, refreshes, revocations and by whom,
   * CSRF refusals, changes of address or User-Agent, per session and per user, read with
   * `manager.history()`. Only lifecycle events write it, never a read-only request. `false`
   * turns it off; an object sets how long and how much is kept. See docs/options.md.
   * @default on when the store keeps a history (every store of coatcheck does), with
   * `{ retention: '30d', maxEntriesPerSession: 100, maxEntriesPerUser: 1000 }`
   */
  history?: HistoryOptions | boolean;
  /**
   * Caps the anonymous sessions one client address creates: a limiter from `createRateLimiter`
   * of `coatcheck/rate-limit` with one dimension, `address`, hit whenever a session would be
   * written for a visitor without one (a first change, `csrfToken()`, an anonymous bearer
   * session). A refused one throws `SessionRateLimitedError`, answered 429
   * `ERR_SESSION_RATE_LIMITED` with `Retry-After`, and nothing is written. Logins, and
   * sessions that exist, are never counted. The address is the request's (`RequestInfo.ip`,
   * which adapters set by their proxy-trust rule), IPv6 counted per /64; sessions created
   * without one share one bucket. @default none (no cap)
   */
  newSessionLimiter?: RateLimiter<'address'>;
  /**
   * Typed session data: a Standard Schema (zod, valibot, arktype...) per key or for the whole
   * data, checked when data is written (`SessionDataInvalidError`, nothing written) and, with
   * `validateOnLoad`, when read; a `version` with lazy `migrate` steps for records written by
   * older code. The manager's sessions are typed by the schema. See docs/typed-data.md.
   * @default none (data is any JSON; typed by `SessionDataMap` or the type argument)
   */
  data?: DataOptions;
  /** Largest serialized session data, in bytes. @default 65536 */
  maxDataBytes?: number;
  /** How often a commit that lost a race is replayed on the fresh record. @default 10 */
  maxConflictRetries?: number;
  /**
   * How many verified tickets to remember, so a hot session skips the HMAC and hash on later
   * requests. Liveness is still read from the store on every request. `0` disables it.
   * @default 10000
   */
  verifiedTicketCache?: number;
  /** Production mode: no plain-HTTP development cookie. @default process.env.NODE_ENV === 'production' */
  production?: boolean;
  /** Clock in epoch milliseconds; inject one in tests. @default Date.now */
  now?: () => number;
  /** CSPRNG; inject one in tests. @default crypto.randomBytes */
  random?: RandomSource;
  /** @default console */
  logger?: Logger;
}

/** Options after validation. */
export interface ResolvedOptions {
  readonly store: SessionStore;
  readonly bus: SessionBus | null;
  readonly cache: CacheOptions | null;
  readonly ring: KeyRing;
  /** Keys for CSRF tokens: same secrets, another purpose label. */
  readonly csrfRing: KeyRing;
  readonly csrf: CsrfGuard | null;
  /** `null` when the manager keeps no history. */
  readonly history: ResolvedHistory | null;
  readonly newSessionLimiter: RateLimiter<'address'> | null;
  /** The per-user cap a login's create runs under (`replaces` is set per login), or `null`. */
  readonly sessionLimit: ResolvedSessionLimit | null;
  /** What the `data` option does to data on its way to and from the store; `null` without it. */
  readonly data: DataPolicy | null;
  readonly cookie: ResolvedCookie;
  readonly lifetime: Lifetime;
  readonly maxDataBytes: number;
  readonly maxConflictRetries: number;
  readonly verifiedTicketCache: number;
  readonly production: boolean;
  readonly now: () => number;
  readonly random: RandomSource;
  readonly logger: Logger;
}

const STORE_METHODS = ['get', 'create', 'update', 'touch', 'delete', 'listByUser', 'deleteByUser', 'prune', 'ping', 'close'] as const;

/** Throws `SessionConfigError` for anything that cannot work. */
export function assertOptions(options: SessionManagerOptions): void {
  if (options === null || typeof options !== 'object') throw new SessionConfigError('options must be an object.');
  const { store } = options;
  if (store === null || typeof store !== 'object') throw new SessionConfigError('store is required, e.g. memoryStore() or sqliteStore({ filename }).');
  for (const method of STORE_METHODS) {
    if (typeof store[method] !== 'function') {
      throw new SessionConfigError(`store "${String(store.name)}" has no ${method}() method; it does not implement the SessionStore contract.`);
    }
  }
  const positiveInteger = (name: string, value: number | undefined) => {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new SessionConfigError(`${name} must be a positive integer.`);
  };
  if (options.cache && !options.bus && typeof store.bus !== 'function') {
    throw new SessionConfigError(
      'cache requires a bus: without one, other instances could not tell this one that a session was revoked. Pass bus: redisBus(...), postgresBus(...), or memoryBus() for a single process.',
    );
  }
  if (options.bus !== undefined && (options.bus === null || typeof options.bus.publish !== 'function' || typeof options.bus.subscribe !== 'function')) {
    throw new SessionConfigError('bus does not implement the SessionBus contract (publish, subscribe, onStateChange, ping, close).');
  }
  assertNewSessionLimiter(options.newSessionLimiter);
  assertSessionLimit(options.maxSessionsPerUser, store);
  if (options.data !== undefined) assertDataOptions(options.data);
  positiveInteger('maxDataBytes', options.maxDataBytes);
  positiveInteger('maxConflictRetries', options.maxConflictRetries);
  const cacheSize = options.verifiedTicketCache;
  if (cacheSize !== undefined && (!Number.isInteger(cacheSize) || cacheSize < 0))
    throw new SessionConfigError('verifiedTicketCache must be a non-negative integer.');
}

/** A limiter keyed by anything but the address alone would count new sessions in a shared bucket. */
function assertNewSessionLimiter(limiter: unknown): void {
  if (limiter === undefined) return;
  const candidate = limiter as Partial<RateLimiter> | null;
  const example = "createRateLimiter({ backend, name: 'new-session', rules: { address: { limit: 30, windowMs: 60_000 } } }) from 'coatcheck/rate-limit'";
  if (candidate === null || typeof candidate !== 'object' || typeof candidate.hit !== 'function' || !Array.isArray(candidate.dimensions)) {
    throw new SessionConfigError(`newSessionLimiter must be a rate limiter: ${example}.`);
  }
  if (candidate.dimensions.length !== 1 || candidate.dimensions[0] !== 'address') {
    throw new SessionConfigError(
      `newSessionLimiter must limit one dimension, address (the client address), not ${candidate.dimensions.join(', ') || 'none'}: ${example}.`,
    );
  }
}

/**
 * The store's own bus, if it offers one. One it cannot open (a closed store, a file it cannot
 * write) leaves the manager without bus and cache, which is slower but never stale.
 */
function openStoreBus(store: SessionStore, logger: Logger): SessionBus | null {
  if (typeof store.bus !== 'function') return null;
  try {
    return store.bus();
  } catch (error) {
    logger.error('coatcheck: the store could not open its bus; the local cache stays off', { error });
    return null;
  }
}

/** The bus and the cache a manager runs with; the rule is told at `bus` and `cache` above. */
function resolveBusAndCache(options: SessionManagerOptions, logger: Logger): { bus: SessionBus | null; cache: CacheOptions | null } {
  const { store, cache } = options;
  const bus = options.bus ?? (cache !== false ? openStoreBus(store, logger) : null);
  if (bus === null || cache === false) return { bus, cache: null };
  if (cache === true) return { bus, cache: {} };
  if (cache !== undefined) return { bus, cache };
  return { bus, cache: bus.local === true ? null : {} };
}

/** Applies defaults and derives keys; the result is frozen. `onCsrfRefused` goes to the CSRF guard. */
export function resolveOptions(options: SessionManagerOptions, onCsrfRefused?: CsrfRefusalListener): ResolvedOptions {
  const production = options.production ?? process.env.NODE_ENV === 'production';
  const logger = options.logger ?? console;
  return Object.freeze({
    store: resolveEncryption(options.encryption, options.store, logger),
    ...resolveBusAndCache(options, logger),
    ring: createKeyRing(options.secrets, 'session-ticket'),
    csrfRing: createKeyRing(options.secrets, 'csrf-token'),
    csrf: options.csrf === false ? null : createCsrfGuard(options.csrf, onCsrfRefused),
    newSessionLimiter: options.newSessionLimiter ?? null,
    sessionLimit: resolveSessionLimit(options.maxSessionsPerUser),
    data: options.data === undefined ? null : createDataPolicy(options.data, logger),
    history: resolveHistory(options.history, options.store),
    cookie: resolveCookieOptions(options.cookie, production),
    lifetime: resolveLifetime(options.lifetime),
    maxDataBytes: options.maxDataBytes ?? 65536,
    maxConflictRetries: options.maxConflictRetries ?? 10,
    verifiedTicketCache: options.verifiedTicketCache ?? 10_000,
    production,
    now: options.now ?? Date.now,
    random: options.random ?? cryptoRandom,
    logger,
  });
}

/** `store`, wrapped to seal its data when `encryption` is set. */
function resolveEncryption(encryption: EncryptionOptions | undefined, store: SessionStore, logger: Logger): SessionStore {
  if (encryption === undefined) return store;
  if (encryption === null || typeof encryption !== 'object' || Array.isArray(encryption) || !('keys' in encryption)) {
    throw new SessionConfigError('encryption must be { keys: [process.env.SESSION_ENCRYPTION_KEY] }: a list of secrets, the one that encrypts first.');
  }
  return encryptStore(store, createDataCipher(encryption.keys), logger);
}
