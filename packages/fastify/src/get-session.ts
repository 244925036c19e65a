/**
 * `getSession`: the request's session with the manager's data type, for apps whose manager
 * was created with an explicit one.
 *
 * @module
 */
import type { FastifyRequest } from 'fastify';
import type { Session, SessionDataMap, SessionManager } from 'coatcheck';

/**
 * `request.session` typed with `manager`'s data type. `request.session` itself is typed from
 * the `SessionDataMap` you augmented (Fastify's request type is global); a manager created with
 * an explicit type, `createSessionManager<ShopData>(...)`, keeps it through this call.
 * Throws a TypeError when the plugin did not run for `request`.
 *
 * @example
 * ```ts
 * app.post('/cart', async (req) => {
 *   getSession(req, manager).update('basket', (basket = []) => [...basket, 42])
 *   return { ok: true }
 * })
 * ```
 */
export function getSession<D extends object>(request: FastifyRequest, manager: SessionManager<D>): Session<D> {
  void manager; // carries the type only: one plugin, one manager
  const session = request.session as Session<SessionDataMap> | null;
  if (session === null || session === undefined)
    throw new TypeError(
      'getSession: no session on this request: register the @coatcheck/fastify plugin at the root, before the route, and do not give the route config: { session: false }.',
    );
  return session as unknown as Session<D>;
}
