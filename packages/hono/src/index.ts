/**
 * Hono middleware for coatcheck sessions, `@coatcheck/hono` (guide: docs/hono.md). The core's
 * Fetch driver (`coatcheck/adapter`) begins the transaction, this sets `c.get('session')` and
 * ends it after the handler. The Fetch-API helpers are re-exported from `./fetch.js`.
 *
 * @module
 */
import type { Session, SessionDataMap, SessionManager } from 'coatcheck';
import { beginFetch, createHttpPolicy, endFetch, nodeConnection } from 'coatcheck/adapter';
import type { MiddlewareHandler } from 'hono';
import type { FetchSessionOptions } from './fetch.js';

export { withSession, beginSession, endSession, errorResponse, answerResponse } from './fetch.js';
export type { FetchSessionOptions, FetchContext, ErrorBody } from './fetch.js';

/** Context variables the middleware sets, with the manager's data type. */
export interface SessionVariables<D extends object = SessionDataMap> {
  /** The request's session (coatcheck). */
  session: Session<D>;
  /** What carried the session: `'cookie'` (also with no cookie at all) or `'bearer'`. */
  sessionSource: 'cookie' | 'bearer';
}

// `c.get('session')` is typed through ContextVariableMap, as hono's own request-id middleware does.
declare module 'hono' {
  interface ContextVariableMap extends SessionVariables {}
}

/** Options of {@link session}: `manager`, and `bearer`, `cors`, `trustProxy` (see the Hono guide). */
export interface SessionOptions<D extends object = SessionDataMap> extends FetchSessionOptions {
  /** The session manager created with `createSessionManager`. */
  manager: SessionManager<D>;
}

/**
 * Creates the session middleware: `app.use(session({ manager }))`. A store outage answers 503
 * and a refusal 4xx, whether it happens while loading, in the handler (e.g. during `login()`)
 * or while committing.
 */
export function session<D extends object = SessionDataMap>(options: SessionOptions<D>): MiddlewareHandler<{ Variables: SessionVariables<D> }> {
  const policy = createHttpPolicy<D>(options);
  return async function session(c, next) {
    // On @hono/node-server the Node request is `c.env.incoming`; Hono caches the parsed body, so
    // reading the CSRF token here leaves it for the handler.
    const connection = nodeConnection((c.env as { incoming?: Parameters<typeof nodeConnection>[0] } | undefined)?.incoming);
    const tx = await beginFetch(policy, c.req.raw, { ...connection, readField: async (name) => (await c.req.parseBody())[name] });
    if (tx instanceof Response) return tx;
    c.set('session', tx.session);
    c.set('sessionSource', tx.source);
    await next();
    // A session error thrown by the handler reached app.onError: answered in our shape instead.
    const response = await endFetch(tx, c.res, c.error);
    if (response !== c.res) {
      c.res = undefined;
      c.res = response;
    }
    return undefined;
  };
}
