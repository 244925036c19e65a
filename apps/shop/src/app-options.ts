/**
 * The options of `buildApp`: what the shop is built from (its store, bus, database and
 * secrets) and every setting `main.ts` reads from the environment.
 *
 * @module
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { SqliteConnection } from '@coatcheck/sqlite';
import type { SessionLimitOptions } from 'coatcheck';
import type { SessionBus } from 'coatcheck/bus';
import type { SessionStore } from 'coatcheck/store-kit';
import type { RateLimitBackend } from 'coatcheck/rate-limit';
import type { TokenKeyFile } from '@coatcheck/tokens';
import type { PasswordHasherOptions } from './users/password.js';
import type { ShopRealtimeOptions } from './realtime/ws.js';
import type { AdminPolicy } from './admin/admins.js';
import type { ShopLifetimes } from './lifetimes.js';
import type { ShopThrottles } from './hardening/throttle-config.js';

/** Options of `buildApp` (app.ts). */
export interface AppOptions {
  /** Where sessions live (the SQLite store in production). */
  store: SessionStore;
  /**
   * Cross-instance bus (the SQLite store's, Redis or Postgres). When given, the
   * revocation-aware local cache is on: hot sessions are read from memory, and a revocation
   * on any instance reaches all.
   */
  bus?: SessionBus | null;
  /** The database holding the `users` table (created if missing). */
  db: SqliteConnection;
  /** Session signing secrets, each ≥ 32 bytes; the first signs, all verify. */
  secrets: readonly string[];
  /** Keys that encrypt session data at rest (the first seals, all open); `null` or absent: none. */
  encryptionKeys?: readonly string[] | null;
  /**
   * Access-token signing keys (see `generateKeyFile` of `@coatcheck/tokens`). Instances that
   * share sessions must share these. @default a key generated for this process only
   */
  tokenKeys?: TokenKeyFile;
  /** Clock in epoch ms, for sessions and users. @default Date.now */
  now?: () => number;
  /** Fastify logger options. @default false */
  logger?: FastifyServerOptions['logger'];
  /**
   * Fastify `trustProxy`: only behind a proxy you run, since it makes `X-Forwarded-*`
   * decide the client IP and whether the request was HTTPS (and so the cookie's `Secure`).
   * @default false
   */
  trustProxy?: boolean | string | string[];
  /**
   * Registers more routes inside the session scope, where `request.session` exists.
   * For extensions and tests.
   */
  routes?: (scope: FastifyInstance) => void;
  /** The live channel at `/ws`; the origins in `corsOrigins` are allowed on it too. @default on, with no other page origin allowed */
  realtime?: ShopRealtimeOptions;
  /**
   * Who is an admin: usernames (`ADMIN_USERS`), or `'first-user'`, the first user who
   * registered. @default 'first-user'
   */
  admins?: AdminPolicy;
  /** Counts live sessions in the store for `/metrics`, when that is cheap. @default none */
  activeSessions?: (() => number | Promise<number>) | null;
  /**
   * Traces session work (`OTEL_TRACES=1`) through the OpenTelemetry tracer provider the
   * process registered: with an SDK preloaded, spans for loads, commits, refreshes and
   * handshakes; without one, no-ops. @default false
   */
  tracing?: boolean;
  /** Directory of the built React page, served at `/`. @default none (API only) */
  web?: string | null;
  /**
   * CSRF mode (`CSRF_MODE`): `'standard'` lets a request with neither `Origin` nor
   * `Sec-Fetch-Site` through (no current browser sends such a cross-site request);
   * `'strict'` makes such a request with a session cookie carry the token from
   * `GET /csrf-token`. See docs/csrf.md. @default 'standard'
   */
  csrfMode?: 'standard' | 'strict';
  /** Session and token lifetimes, in seconds (`readConfig` reads them from the environment). @default DEFAULT_LIFETIMES */
  lifetimes?: Partial<ShopLifetimes>;
  /**
   * Password hashing: scrypt cost (`params`, default N=2^17, r=8, p=1), hashes at once
   * (`concurrency`, 2) and waiting (`maxQueued`, 16); past that, 503
   * `ERR_PASSWORD_HASHING_BUSY`. @default the defaults of createPasswordHasher
   */
  passwordHashing?: PasswordHasherOptions;
  /**
   * `Host` values answered (`name` or `name:port`); any other gets 421
   * `ERR_HOST_NOT_ALLOWED` before sessions are touched (DNS rebinding). `null`: no check.
   * @default null (main.ts passes ALLOWED_HOSTS or the loopback default)
   */
  allowedHosts?: readonly string[] | null;
  /**
   * Exact origins of pages served elsewhere that may call this API with credentials
   * (`CORS_ORIGINS`), e.g. an SPA at `https://app.example`. They are CSRF-trusted too, and
   * may open `/ws`. @default []
   */
  corsOrigins?: readonly string[];
  /**
   * Throttles of password attempts, registrations, refresh rotations and new anonymous
   * sessions (`THROTTLE_*`; see
   * hardening/throttle.ts). A setting left out keeps its default; `null` turns it off.
   * @default DEFAULT_THROTTLES
   */
  throttles?: Partial<ShopThrottles>;
  /**
   * Where the throttles keep their state: the rate-limit backend of the session store, so the
   * limits hold across instances (`openBackends` gives it). @default a table in `db` (SQLite)
   */
  rateLimitBackend?: RateLimitBackend;
  /**
   * How long a throttled attempt is held before its 429 goes out, in ms (at most until the
   * next attempt could pass); 0 answers at once. @default 1000
   */
  throttleHoldMs?: number;
  /**
   * Orders above this total, in cents, need a login or `POST /reauth` within the last 5 minutes
   * (`STEP_UP_CHECKOUT_ABOVE`); `null`: no order does. @default 10000 (100.00)
   */
  stepUpCheckoutAbove?: number | null;
  /**
   * How many devices (sessions) one account may be signed in on (`MAX_DEVICES`,
   * `MAX_DEVICES_POLICY`): a sign-in beyond it signs out the oldest or idlest device, or is
   * refused with 409 `ERR_SESSION_LIMIT_REACHED`. The store must enforce it (`createCapped`:
   * every store of coatcheck). `null`: no cap. @default DEFAULT_DEVICE_CAP (10, oldest)
   */
  deviceCap?: SessionLimitOptions | null;
}
