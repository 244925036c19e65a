/**
 * The Hono middleware: begins the core's transaction (`c.get('session')`), and ends it after
 * the handler, before the response leaves.
 *
 * @module
 */
import type { Session, SessionDataMap, SessionManager } from 'coatcheck';
import { createHttpPolicy } from 'coatcheck/adapter';
import type { MiddlewareHandler } from 'hono';
import { answerResponse, beginWith, endSession, type FetchSessionOptions } from './fetch.js';

/** Context variables the middleware sets, with the manager's data type. */
export interface SessionVariables<D extends object = SessionDataMap> {
  /** The request's session (coatcheck). */
  session: Session<D>;
  /** What carried the session: `'cookie'` (also with no cookie at all) or `'bearer'`. */
  sessionSource: 'cookie' | 'bearer';
}

/** Options of {@link session}: `manager`, and `bearer`, `cors`, `trustProxy` (see the Hono guide). */
export interface SessionOptions<D extends object = SessionDataMap> extends FetchSessionOptions {
  /** The session manager created with `createSessionManager`. */
  manager: SessionManager<D>;
}

type Incoming = { socket?: { remoteAddress?: string; encrypted?: boolean }; rawHeaders?: string[] };

/**
 * Creates the session middleware. A store outage answers 503 and a refusal 4xx, whether it
 * happens while loading, in the handler (e.g. during `login()`) or while committing.
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
  const policy = createHttpPolicy<D>(options);
  return async function session(c, next) {
    // On @hono/node-server the Node request is `c.env.incoming`: the peer, TLS and raw headers.
    const incoming = (c.env as { incoming?: Incoming } | undefined)?.incoming;
    const socket = incoming?.socket;
    const context = socket ? { peer: socket.remoteAddress ?? null, tls: socket.encrypted === true, rawHeaders: incoming?.rawHeaders ?? [] } : {};
    // Hono caches the parsed body, so reading the token here leaves it for the handler.
    const tx = await beginWith(policy, c.req.raw, { ...context, readField: async (name) => (await c.req.parseBody())[name] });
    if (tx instanceof Response) return tx;
    c.set('session', tx.session);
    c.set('sessionSource', tx.source);
    await next();
    // A session error thrown by the handler reached app.onError; answer it in our shape.
    const answer = c.error === undefined ? null : tx.answerError(c.error);
    const response = answer !== null ? answerResponse(answer) : await endSession(tx, c.res);
    if (response !== c.res) {
      c.res = undefined;
      c.res = response;
    }
    return undefined;
  };
}
