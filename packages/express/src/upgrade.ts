/**
 * Authenticating WebSocket upgrades that never pass through Express middleware, with the
 * core's proxy-trust and origin rules.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Session, SessionManager } from 'coatcheck';
import { createProxyTrust, nodeRequest, type ProxyTrust, type TrustProxy } from 'coatcheck/adapter';

/** Options of {@link authenticateUpgrade}. */
export interface UpgradeOptions {
  /** Which proxies' `X-Forwarded-Proto` / `Forwarded` to believe, as in `session()`. @default false */
  trustProxy?: TrustProxy;
}

// Compiled once per setting; lists and functions are compiled per call (they may be new each time).
const compiled = new Map<TrustProxy | undefined, ProxyTrust>();

/**
 * The live session of a WebSocket upgrade request, or `null`. A `ws` server attached with
 * `server.on('upgrade')` bypasses Express middleware; call this instead and refuse the
 * upgrade on `null`. A browser upgrade from an origin that is neither this host nor in
 * `csrf.trustedOrigins` gets `null` (cross-site WebSocket hijacking); non-browser clients
 * send no `Origin`. Rejects with `SessionStoreError` when the store is down.
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
  const setting = options.trustProxy;
  let trust = compiled.get(setting);
  if (trust === undefined) {
    trust = createProxyTrust(setting);
    if (typeof setting !== 'object' && typeof setting !== 'function') compiled.set(setting, trust);
  }
  const { secure, ip } = trust(nodeRequest(req));
  const origin = req.headers.origin;
  if (origin !== undefined && manager.csrf !== null) {
    if (!manager.csrf.isTrustedOrigin(origin, `${secure ? 'https' : 'http'}://${(req.headers.host ?? '').toLowerCase()}`)) return null;
  }
  const session = await manager.load({ cookie: req.headers.cookie, secure, userAgent: req.headers['user-agent'], ip });
  return session.status === 'valid' ? session : null;
}
