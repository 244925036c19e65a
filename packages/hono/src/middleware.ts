/**
 * The Hono middleware: loads the session into `c.get('session')`, refuses cross-site
 * forgeries, and commits after the handler, before the response leaves.
 *
 * @module
 */
import { isSessionError, SessionConfigError, type Session, type SessionDataMap, type SessionManager } from 'coatcheck';
import type { MiddlewareHandler } from 'hono';
import { applyCookies, checkCsrf, errorResponse, loadSession, type FetchSessionOptions } from './fetch.js';

/** The client address on @hono/node-server (its `c.env.incoming`); `null` elsewhere. */
function remoteAddress(env: unknown): string | null {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: unknown } } } | undefined)?.incoming;
  const address = incoming?.socket?.remoteAddress;
  return typeof address === 'string' ? address : null;
}

/**
 * Context variables the middleware sets (hono's `Variables`), with the manager's data type:
 * `SessionDataMap` (augment it) unless the manager was created with an explicit one.
 */
export interface SessionVariables<D extends object = SessionDataMap> {
  /** The request's session (coatcheck). */
  session: Session<D>;
}

/** Options of {@link session}. */
export interface SessionOptions<D extends object = SessionDataMap> extends FetchSessionOptions {
  /** The session manager created with `createSessionManager`. */
  manager: SessionManager<D>;
}

/**
 * Creates the session middleware. The session's data type is the manager's: chain routes on
 * `app.use(session({ manager }))` (or type the app `Hono<{ Variables: SessionVariables<ShopData> }>`)
 * and `c.get('session')` has it; otherwise it is typed from the `SessionDataMap` augmentation.
 *
 * A store outage answers 503 `{ error: { code: 'ERR_SESSION_STORE_UNAVAILABLE' } }` and
 * leaves the cookie untouched, whether it happens while loading, in the handler (e.g. during
 * `login()`) or while committing; a refused cross-site request answers 403
 * `{ error: { code: 'ERR_SESSION_CSRF' } }` before the handler runs.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { session } from '@coatcheck/hono'
 *
 * const app = new Hono()
 * app.use(session({ manager }))
 * app.post('/cart', (c) => {
 *   c.get('session').update('cart', (cart = []) => [...cart, 'apple'])
 *   return c.json({ ok: true })
 * })
 * ```
 */
export function session<D extends object = SessionDataMap>(options: SessionOptions<D>): MiddlewareHandler<{ Variables: SessionVariables<D> }> {
  const manager = options?.manager;
  if (!manager || typeof manager.load !== 'function') {
    throw new SessionConfigError('@coatcheck/hono: options.manager must be a session manager from createSessionManager()');
  }
  const fetchOptions: FetchSessionOptions = { trustProxy: options.trustProxy ?? false };

  return async function session(c, next) {
    let loaded: Session<D>;
    try {
      loaded = await loadSession(manager, c.req.raw, fetchOptions, remoteAddress(c.env));
    } catch (error) {
      if (isSessionError(error)) return errorResponse(error);
      throw error;
    }
    c.set('session', loaded);
    // Hono caches the parsed body, so reading the token here leaves it for the handler.
    const refused = await checkCsrf(manager.csrf, c.req.raw, loaded, { ...fetchOptions, readField: async (name) => (await c.req.parseBody())[name] });
    if (refused !== null) return errorResponse(refused);
    await next();
    // A session error thrown by the handler reached app.onError; answer it in our shape.
    if (isSessionError(c.error)) {
      c.res = undefined;
      c.res = errorResponse(c.error);
      return undefined;
    }
    let cookies: string[] = [];
    if (loaded.pending) {
      try {
        cookies = await loaded.commit();
      } catch (error) {
        if (!isSessionError(error)) throw error;
        c.res = undefined;
        c.res = errorResponse(error);
        return undefined;
      }
    }
    try {
      applyCookies(c.res.headers, loaded, cookies);
    } catch {
      // Immutable headers (a fetch() or Response.redirect() response): the setter copies them.
      c.res = new Response(c.res.body, c.res);
      applyCookies(c.res.headers, loaded, cookies);
    }
    return undefined;
  };
}
