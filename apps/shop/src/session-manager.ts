/**
 * The shop's session manager: lifetimes, CSRF trust, the cap on new anonymous sessions, the
 * local cache behind a bus, encryption at rest and the cap on devices per account, each
 * from the app's options.
 *
 * @module
 */
import { createSessionManager, type Logger, type SessionLimitOptions, type SessionManager } from 'coatcheck';
import type { SessionBus } from 'coatcheck/bus';
import type { RateLimiter } from 'coatcheck/rate-limit';
import type { SessionStore } from 'coatcheck/store-kit';
import type { ShopLifetimes } from './lifetimes.js';

/** What {@link createShopManager} needs, resolved by `buildApp` (defaults applied). */
export interface ShopManagerOptions {
  readonly store: SessionStore;
  /** With a bus the local cache is on (5 s), as every instance hears every change. */
  readonly bus: SessionBus | null;
  readonly secrets: readonly string[];
  readonly now: () => number;
  readonly logger: Logger;
  readonly lifetimes: ShopLifetimes;
  readonly csrfMode: 'standard' | 'strict';
  /** Origins of the operator's own pages elsewhere: CSRF-trusted. */
  readonly corsOrigins: readonly string[];
  /** The `THROTTLE_NEW_SESSIONS` limiter; `null`: off. */
  readonly newSessions: RateLimiter<'address'> | null;
  readonly encryptionKeys: readonly string[] | null;
  /** `MAX_DEVICES`: the cap on one account's sessions; `null`: off. */
  readonly deviceCap: SessionLimitOptions | null;
}

/**
 * The session library's lifetime options for the shop's lifetimes. A remember-me login lasts
 * `rememberMe` from the login, used or not, like Flask's permanent session in the tutorial.
 */
function sessionLifetime(lifetimes: ShopLifetimes) {
  return {
    idleTimeout: lifetimes.idleTimeout,
    absoluteTimeout: lifetimes.absoluteTimeout,
    rememberIdleTimeout: lifetimes.rememberMe,
    rememberAbsoluteTimeout: lifetimes.rememberMe,
  };
}

/** Creates the manager; `SessionConfigError` for options the library refuses (a store without `createCapped` under a device cap). */
export function createShopManager(options: ShopManagerOptions): SessionManager<any> {
  const { bus, newSessions, encryptionKeys, deviceCap } = options;
  return createSessionManager({
    store: options.store,
    secrets: options.secrets,
    now: options.now,
    logger: options.logger,
    lifetime: sessionLifetime(options.lifetimes),
    // An origin the operator lists for CORS serves their own page: its cookie requests pass
    // the CSRF check too (a page on a sibling port, such as a dev server, is same-site but
    // not same-origin, and would be refused otherwise).
    csrf: { mode: options.csrfMode, trustedOrigins: options.corsOrigins },
    // A script that writes without keeping its cookie creates a session per request: the
    // library caps how many one client address may create (429 ERR_SESSION_RATE_LIMITED). (AB-02)
    ...(newSessions ? { newSessionLimiter: newSessions } : {}),
    ...(bus ? { bus, cache: { ttlMs: 5000 } } : {}),
    ...(encryptionKeys ? { encryption: { keys: encryptionKeys } } : {}),
    // A sign-in beyond the cap signs out the oldest or idlest device (its sockets close with
    // the reason, and the device page says why), or is refused with 409 ERR_SESSION_LIMIT_REACHED.
    // The store counts and evicts in one step, so sign-ins racing on several instances agree. (LC-21)
    ...(deviceCap ? { maxSessionsPerUser: deviceCap } : {}),
  });
}
