/**
 * The request's session with the data type of a manager created with an explicit type.
 *
 * @module
 */
import type { Session, SessionDataMap, SessionManager } from 'coatcheck';
import type { Request } from 'express';

/**
 * `req.session` typed with `manager`'s data type. `req.session` itself is typed from the
 * `SessionDataMap` you augmented (Express' request type is global); a manager created with an
 * explicit type, `createSessionManager<ShopData>(...)`, keeps it through this call.
 * Throws a TypeError when the `session()` middleware did not run for `req`.
 *
 * @example
 * ```ts
 * app.post('/cart', (req, res) => {
 *   getSession(req, manager).update('basket', (basket = []) => [...basket, 42])
 *   res.json({ ok: true })
 * })
 * ```
 */
export function getSession<D extends object>(req: Request, manager: SessionManager<D>): Session<D> {
  void manager; // carries the type only
  const session = req.session as Session<SessionDataMap> | undefined;
  if (session === undefined || session === null)
    throw new TypeError('getSession: the @coatcheck/express session() middleware did not run for this request (mount it before the route).');
  return session as unknown as Session<D>;
}
