/**
 * Authenticating WebSocket upgrades that never pass through Express middleware.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Session, SessionManager } from 'coatcheck';

/** Options of {@link authenticateUpgrade}. */
export interface UpgradeOptions {
  /**
   * Trust `X-Forwarded-Proto` to decide whether the connection was HTTPS (only behind a
   * proxy you run, as with Express' `trust proxy`).
   * @default false
   */
  trustProxy?: boolean;
}

function isSecure(req: IncomingMessage, trustProxy: boolean): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted === true) return true;
  if (!trustProxy) return false;
  const proto = req.headers['x-forwarded-proto'];
  return typeof proto === 'string' && proto.split(',')[0]?.trim().toLowerCase() === 'https';
}

/**
 * The live session of a WebSocket upgrade request, or `null`. A `ws` server attached with
 * `server.on('upgrade')` bypasses Express middleware, so `req.session` does not exist there;
 * call this instead and refuse the upgrade on `null`.
 *
 * Browsers send cookies on cross-site WebSocket handshakes and no CSRF defence applies to
 * them, so the `Origin` is checked here: a browser upgrade from an origin that is neither
 * this host nor in `csrf.trustedOrigins` gets `null` (cross-site WebSocket hijacking).
 * Non-browser clients send no `Origin`. Rejects with `SessionStoreError` when the store is
 * down: answer 503 and close the socket.
 *
 * @example
 * ```ts
 * server.on('upgrade', async (req, socket, head) => {
 *   const session = await authenticateUpgrade(manager, req).catch(() => null)
 *   if (!session?.isAuthenticated) {
 *     socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
 *     return
 *   }
 *   wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req, session))
 * })
 * ```
 */
export async function authenticateUpgrade<D extends object>(
  manager: SessionManager<D>,
  req: IncomingMessage,
  options: UpgradeOptions = {},
): Promise<Session<D> | null> {
  const secure = isSecure(req, options.trustProxy ?? false);
  const origin = req.headers.origin;
  if (origin !== undefined && manager.csrf !== null) {
    const target = `${secure ? 'https' : 'http'}://${(req.headers.host ?? '').toLowerCase()}`;
    if (!manager.csrf.isTrustedOrigin(origin, target)) return null;
  }
  const session = await manager.load({ cookie: req.headers.cookie, secure, userAgent: req.headers['user-agent'], ip: req.socket.remoteAddress });
  return session.status === 'valid' ? session : null;
}
