/**
 * The shop as a Fastify instance, built from its dependencies so tests can build it
 * in-process (with `app.inject()` and an injected clock) and `main.ts` can serve it.
 *
 * @module
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type BetterSqlite3 from 'better-sqlite3';
import { createSessionManager, type Logger, type SessionBus, type SessionStore } from 'coatcheck';
import { coatcheck } from '@coatcheck/fastify';
import { createTokenService, generateKeyFile, type TokenKeyFile } from '@coatcheck/tokens';
import { handleError, installErrorHandlers } from './http/errors.js';
import { authRoutes } from './routes/auth.js';
import { cartRoutes } from './routes/cart.js';
import { deviceRoutes } from './routes/devices.js';
import { healthRoutes } from './routes/health.js';
import { rejectTokensInUrl, tokenEndpoints, tokenRoutes } from './routes/tokens.js';
import { createUserStore } from './users/user-store.js';

/** Options of {@link buildApp}. */
export interface AppOptions {
  /** Where sessions live (the SQLite store in production). */
  store: SessionStore;
  /**
   * Cross-instance bus (Redis or Postgres). When given, the revocation-aware local cache is
   * on: hot sessions are read from memory, and a revocation on any instance reaches all.
   */
  bus?: SessionBus | null;
  /** The database holding the `users` table (created if missing). */
  db: BetterSqlite3.Database;
  /** Session signing secrets, each ≥ 32 bytes; the first signs, all verify. */
  secrets: readonly string[];
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
}

/** Largest accepted request body: far above any real request of this API. */
export const BODY_LIMIT = 16 * 1024;

/** Session lifetimes, in seconds. */
export const LIFETIME = Object.freeze({
  idleTimeout: 30 * 60,
  absoluteTimeout: 12 * 3600,
  rememberIdleTimeout: 30 * 86400,
  rememberAbsoluteTimeout: 30 * 86400,
});

/**
 * Builds the shop. Call `await app.ready()` (or just `inject`/`listen`) to start it; closing
 * the app does not close the store or the database, which the caller owns.
 *
 * @example
 * ```ts
 * const app = buildApp({ store: sqliteStore({ database: db }), db, secrets: [secret] })
 * await app.listen({ port: 3000 })
 * ```
 */
export function buildApp(options: AppOptions): FastifyInstance {
  const { store, bus = null, db, secrets, tokenKeys, now = Date.now, logger = false, trustProxy = false, routes } = options;
  const app = Fastify({
    logger,
    trustProxy,
    bodyLimit: BODY_LIMIT,
    // Router errors (bad URL encoding, over-long params) would otherwise get Fastify's own
    // body, which echoes the URL, instead of this API's error shape.
    frameworkErrors: handleError,
    // No coercion: "2", ["apple"] or "true" are type errors, not values. allErrors reports
    // every bad field at once, as FastAPI does (bounded by bodyLimit).
    ajv: { customOptions: { coerceTypes: false, allErrors: true, removeAdditional: true, useDefaults: true } },
  });
  // JSON only: a text/plain POST is what a cross-site form can send without a preflight. (CS-09)
  app.removeContentTypeParser('text/plain');
  installErrorHandlers(app);

  const sessionLog: Logger = {
    warn: (message, context) => app.log.warn(context ?? {}, message),
    error: (message, context) => app.log.error(context ?? {}, message),
  };
  const manager = createSessionManager({
    store,
    secrets,
    now,
    logger: sessionLog,
    lifetime: LIFETIME,
    ...(bus ? { bus, cache: { ttlMs: 5000 } } : {}),
  });
  app.addHook('onClose', () => manager.close());
  const users = createUserStore(db, { now });
  // Bearer mode: the refresh-successor key is derived from the session secret under its own
  // label. Importing keys is asynchronous; both scopes below wait for it (a bad key file
  // fails app.ready()).
  const tokensReady = Promise.resolve(tokenKeys ?? generateKeyFile('EdDSA', now())).then((keys) =>
    createTokenService({ manager, keys, refreshSecret: secrets[0] as string, now, logger: sessionLog }),
  );
  tokensReady.catch(() => {}); // reported through app.ready(), not as an unhandled rejection

  rejectTokensInUrl(app);
  healthRoutes(app, { manager, bus, db });
  // Token endpoints read no cookie and no access token: a client refreshes precisely when
  // its access token has expired.
  app.register(async (scope) => tokenEndpoints(scope, { tokens: await tokensReady }));
  // Everything that uses sessions lives in one scope; /health and unknown routes stay out of
  // it, so they never touch the store through a cookie.
  app.register(async (scope) => {
    const tokens = await tokensReady;
    await scope.register(coatcheck, { manager, bearer: tokens });
    authRoutes(scope, { users });
    cartRoutes(scope);
    deviceRoutes(scope, { users });
    tokenRoutes(scope, { tokens, manager, users });
    routes?.(scope);
  });
  return app;
}
