/**
 * The shop as a Fastify instance, built from its dependencies so tests can build it
 * in-process (with `app.inject()` and an injected clock) and `main.ts` can serve it.
 *
 * @module
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'coatcheck';
import { coatcheck } from '@coatcheck/fastify';
import { sqliteRateLimit } from '@coatcheck/sqlite';
import { createTokenService, generateKeyFile } from '@coatcheck/tokens';
import { handleError, installErrorHandlers } from './http/errors.js';
import { acceptEmptyJson } from './http/json-body.js';
import { installFormParsers } from './http/form-body.js';
import { installSecurityHeaders, withSecurityHeaders } from './hardening/security-headers.js';
import { redactingLogger } from './hardening/log-redaction.js';
import { installHostCheck } from './hardening/host-allow-list.js';
import { authRoutes } from './routes/auth.js';
import { cartRoutes } from './routes/cart.js';
import { deviceRoutes } from './routes/devices.js';
import { healthRoutes } from './routes/health.js';
import { rejectTokensInUrl, tokenEndpoints, tokenRoutes } from './routes/tokens.js';
import { createUserStore } from './users/user-store.js';
import { createPasswordHasher } from './users/password.js';
import { publishCartChanges, publishDeviceChanges, startRealtime } from './realtime/ws.js';
import { createAdminCheck } from './admin/admins.js';
import { createOrderStore } from './checkout/orders.js';
import { openApiDocs } from './http/openapi.js';
import { createShopMetrics } from './metrics/session-metrics.js';
import { traceSessions } from '@coatcheck/opentelemetry';
import { accountRoutes } from './routes/account.js';
import { adminRoutes } from './routes/admin.js';
import { catalogRoutes } from './routes/catalog.js';
import { checkoutRoutes } from './routes/checkout.js';
import { DEFAULT_STEP_UP_CHECKOUT_ABOVE } from './checkout/checkout.js';
import { metricsRoutes } from './routes/metrics.js';
import { pageRoutes } from './routes/pages.js';
import { webRoutes } from './routes/web.js';
import { DEFAULT_LIFETIMES, type ShopLifetimes } from './lifetimes.js';
import { atRoot, markOpenRoutes, markSessionScope } from './http/session-routes.js';
import { createClientAddress } from './http/client-address.js';
import { createThrottle } from './hardening/throttle.js';
import { DEFAULT_THROTTLES } from './hardening/throttle-config.js';
import { createShopManager } from './session-manager.js';
import { DEFAULT_DEVICE_CAP } from './devices/device-cap.js';
import type { AppOptions } from './app-options.js';

export type { AppOptions } from './app-options.js';

/** Largest accepted request body: far above any real request of this API. */
export const BODY_LIMIT = 16 * 1024;

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
  const { admins = 'first-user', activeSessions = null, web = null, corsOrigins = [] } = options;
  const lifetimes: ShopLifetimes = { ...DEFAULT_LIFETIMES, ...options.lifetimes };
  const app = Fastify({
    // Query values of token names redacted, headers never logged. (LC-26)
    logger: redactingLogger(logger),
    trustProxy,
    bodyLimit: BODY_LIMIT,
    // Router errors (bad URL encoding, over-long params) would otherwise get Fastify's own
    // body, which echoes the URL, instead of this API's error shape.
    frameworkErrors: withSecurityHeaders(handleError),
    // No coercion: in JSON, "2", [1] or "true" are type errors, not values (form fields, all
    // strings, are converted by the schema before this, in http/form-body.ts). allErrors
    // reports every bad field at once, as FastAPI does (bounded by bodyLimit).
    ajv: { customOptions: { coerceTypes: false, allowUnionTypes: true, allErrors: true, removeAdditional: true, useDefaults: true } },
  });
  // JSON and HTML forms. Not text/plain: its body is never a form's fields, and it is what a
  // cross-site form uses to smuggle JSON without a preflight. (CS-09) Form posts are as safe
  // as JSON ones here: the CSRF check reads Origin / Sec-Fetch-Site, else the form's _csrf.
  app.removeContentTypeParser('text/plain');
  acceptEmptyJson(app);
  installFormParsers(app);
  installErrorHandlers(app);
  installSecurityHeaders(app);
  installHostCheck(app, options.allowedHosts ?? null);

  const sessionLog: Logger = {
    warn: (message, context) => app.log.warn(context ?? {}, message),
    error: (message, context) => app.log.error(context ?? {}, message),
  };
  const metrics = createShopMetrics({ activeSessions });
  // The address the session layer records, by its proxy-trust rule; the throttles count it.
  const clientAddress = createClientAddress(trustProxy);
  const throttle = createThrottle({
    backend: options.rateLimitBackend ?? sqliteRateLimit({ database: db }),
    throttles: { ...DEFAULT_THROTTLES, ...options.throttles },
    clientAddress,
    now,
    ...(options.throttleHoldMs !== undefined ? { holdMs: options.throttleHoldMs } : {}),
  });
  const manager = createShopManager({
    store,
    bus,
    secrets,
    now,
    logger: sessionLog,
    lifetimes,
    csrfMode: options.csrfMode ?? 'standard',
    corsOrigins,
    newSessions: throttle.newSessions,
    encryptionKeys: options.encryptionKeys ?? null,
    deviceCap: options.deviceCap === undefined ? DEFAULT_DEVICE_CAP : options.deviceCap,
  });
  // Metrics and traces follow the manager, the hub and the token service once all three
  // exist (the token keys are imported asynchronously); `stop` removes their listeners.
  const observers: { stop(): void }[] = [];
  app.addHook('onClose', () => {
    for (const observer of observers) observer.stop();
    throttle.close();
    return manager.close();
  });
  const users = createUserStore(db, { now, hasher: createPasswordHasher(options.passwordHashing) });
  // Bearer mode: the refresh-successor key is derived from the session secret under its own
  // label. Importing keys is asynchronous; the plugins below wait for it (a bad key file
  // fails app.ready()).
  const tokensReady = Promise.resolve(tokenKeys ?? generateKeyFile('EdDSA', now())).then((keys) =>
    createTokenService({
      manager,
      keys,
      refreshSecret: secrets[0] as string,
      now,
      logger: sessionLog,
      accessTokenTtl: lifetimes.accessTokenTtl,
      // A family unused for 14 days ends sooner (the library's default), but never after its lifetime.
      refresh: { absoluteLifetime: lifetimes.refreshLifetime, idleTimeout: Math.min(14 * 86400, lifetimes.refreshLifetime) },
    }),
  );
  tokensReady.catch(() => {}); // reported through app.ready(), not as an unhandled rejection
  const nameOf = (userId: string) => users.findById(userId)?.username ?? null;
  const realtime = startRealtime(app, manager, {
    ...options.realtime,
    // A page listed in CORS_ORIGINS may call the API, so it may open the live channel too: the
    // hub checks the Origin of bearer handshakes from browsers as well, and an SPA on its own
    // origin would otherwise be refused its socket (403) while its API calls work.
    origins: [...new Set([...(options.realtime?.origins ?? []), ...corsOrigins])],
    trustProxy,
    nameOf,
    verifyBearer: async (token) => (await tokensReady).verifyForSocket(token),
  });
  tokensReady.then(
    (tokens) => {
      const parts = { hub: realtime, tokens };
      observers.push(metrics.follow(manager, parts));
      if (options.tracing) observers.push(traceSessions(manager, parts));
    },
    () => {}, // reported through app.ready()
  );
  const orders = createOrderStore(db);
  const isAdmin = createAdminCheck(users, admins);
  // The session plugin sits at the root, before every route, so one policy (CORS, preflights,
  // proxy trust) answers every request, unknown routes and preflights to any path included.
  // Routes outside the session scope are marked `session: false` (http/session-routes.ts):
  // there it only adds CORS headers and never reads a cookie or a token.
  markOpenRoutes(app);
  const policy = async (root: FastifyInstance) => {
    const tokens = await tokensReady;
    await root.register(coatcheck, { manager, bearer: tokens, trustProxy, cors: { origins: corsOrigins } });
  };
  app.register(atRoot(policy));
  // Before every other route: the OpenAPI generator collects routes as they are added.
  // biome-ignore lint/nursery/noMisusedPromises: Fastify awaits async plugins; register() accepts them
  app.register(openApiDocs);

  rejectTokensInUrl(app);
  // In a plugin, so they are added after the docs plugin has loaded and are described too.
  // biome-ignore lint/nursery/noMisusedPromises: Fastify awaits async plugins; register() accepts them
  app.register(async (open) => {
    healthRoutes(open, { manager, bus, db });
    metricsRoutes(open, { registry: metrics.registry });
    catalogRoutes(open);
  });
  // Token endpoints read no cookie and no access token: a client refreshes precisely when
  // its access token has expired.
  // biome-ignore lint/nursery/noMisusedPromises: Fastify awaits async plugins; register() accepts them
  app.register(async (scope) => tokenEndpoints(scope, { tokens: await tokensReady, throttle, clientAddress }));
  // biome-ignore lint/nursery/noMisusedPromises: Fastify awaits async plugins; register() accepts them
  if (web) app.register(webRoutes, { root: web });
  // Everything that uses sessions lives in one scope; /health and unknown routes stay out of
  // it, so they never touch the store through a cookie or a token.
  // biome-ignore lint/nursery/noMisusedPromises: Fastify awaits async plugins; register() accepts them
  app.register(async (scope) => {
    markSessionScope(scope);
    const tokens = await tokensReady;
    const pages = pageRoutes(scope, { users, csrfFieldName: manager.csrf?.fieldName ?? '_csrf' });
    authRoutes(scope, { users, pages, throttle, clientAddress });
    cartRoutes(scope);
    deviceRoutes(scope, { users, manager, now });
    publishCartChanges(scope, realtime);
    publishDeviceChanges(scope, realtime);
    accountRoutes(scope, { users, isAdmin, throttle, clientAddress });
    checkoutRoutes(scope, { users, orders, isAdmin, metrics, now, stepUpAbove: options.stepUpCheckoutAbove ?? DEFAULT_STEP_UP_CHECKOUT_ABOVE });
    adminRoutes(scope, { users, isAdmin, now });
    tokenRoutes(scope, { tokens, manager, users, throttle, clientAddress });
    routes?.(scope);
  });
  return app;
}
