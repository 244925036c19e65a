/**
 * The session of a WebSocket upgrade that never passes through a framework (a `ws` server on
 * `server.on('upgrade')`), by the rules a request gets: proxy trust decides the scheme and
 * the client address, and a browser's `Origin` must be this host or a CSRF-trusted origin.
 * Browsers send cookies on cross-site handshakes and CORS does not apply to them, so the
 * `Origin` check is what stops cross-site WebSocket hijacking.
 *
 * @module
 */
import type { SessionManager } from '../manager/manager.js';
import type { Session } from '../session/session-types.js';
import { createProxyTrust, type ProxyTrust, type TrustProxy } from './proxy-trust.js';
import { nodeRequest, type NodeRequestLike } from './request-view.js';

/** Options of {@link authenticateUpgrade}. */
export interface UpgradeOptions {
  /** Which proxies' `X-Forwarded-Proto` / `Forwarded` to believe, as the adapters' option. @default false */
  trustProxy?: TrustProxy;
}

// Compiled once per setting; lists and functions are compiled per call (they may be new each time).
const compiled = new Map<TrustProxy | undefined, ProxyTrust>();

function trustFor(setting: TrustProxy | undefined): ProxyTrust {
  let trust = compiled.get(setting);
  if (trust === undefined) {
    trust = createProxyTrust(setting);
    if (typeof setting !== 'object' && typeof setting !== 'function') compiled.set(setting, trust);
  }
  return trust;
}

/**
 * The live session of a WebSocket upgrade request, or `null`: no cookie, a dead one, or a
 * browser `Origin` that is neither this host nor in `csrf.trustedOrigins` (non-browser
 * clients send none). Refuse the upgrade on `null`. Rejects with `SessionStoreError` when the
 * store is down.
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
  req: NodeRequestLike,
  options: UpgradeOptions = {},
): Promise<Session<D> | null> {
  const request = nodeRequest(req);
  const { secure, ip } = trustFor(options.trustProxy)(request);
  const origin = request.header('origin');
  if (origin !== undefined && manager.csrf !== null) {
    if (!manager.csrf.isTrustedOrigin(origin, `${secure ? 'https' : 'http'}://${(request.header('host') ?? '').toLowerCase()}`)) return null;
  }
  const session = await manager.load({ cookie: request.header('cookie'), secure, userAgent: request.header('user-agent'), ip });
  return session.status === 'valid' ? session : null;
}
