/**
 * Authenticating an upgrade request, before any socket is allocated. Internal.
 *
 * Order matters: cheap refusals first (token in the URL, foreign Origin), then the bearer
 * verifier or the session store. A refused handshake gets a plain HTTP answer with a JSON
 * body `{"error":"ERR_REALTIME_..."}` and never a `101 Switching Protocols`. (WS-01, WS-02)
 *
 * @module
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { LiveSession } from 'coatcheck/adapter';
import type { RealtimeUpgradeErrorCode } from './error-codes.js';
import type { ResolvedHubOptions } from './options.js';

/** The subprotocol the hub speaks; a client offers it, the hub selects it. */
export const PROTOCOL = 'coatcheck.v1';
/** Prefix of the subprotocol that carries a bearer token. */
export const BEARER_PROTOCOL_PREFIX = 'coatcheck.bearer.';

/** Whose a socket is. */
export interface Identity {
  readonly sessionId: string;
  readonly userId: string | null;
  /** When to re-check the session (its current expiry). */
  readonly expiresAt: number;
  /** When the bearer token it authenticated with lapses (epoch ms); `null` for cookies. */
  readonly tokenExpiresAt: number | null;
}

/** The outcome of a handshake. */
export type HandshakeResult =
  | { readonly ok: true; readonly identity: Identity }
  /** No credentials, but first-message authentication is on: accept and wait for `auth`. */
  | { readonly ok: true; readonly identity: null }
  | { readonly ok: false; readonly status: number; readonly code: HandshakeErrorCode };

/** Stable codes of refused handshakes, as the authentication step decides them. */
export type HandshakeErrorCode = Extract<
  RealtimeUpgradeErrorCode,
  'ERR_REALTIME_TOKEN_IN_URL' | 'ERR_REALTIME_ORIGIN' | 'ERR_REALTIME_UNAUTHENTICATED' | 'ERR_REALTIME_TOO_MANY_CONNECTIONS' | 'ERR_REALTIME_STORE_UNAVAILABLE'
>;

const refuse = (status: number, code: HandshakeErrorCode): HandshakeResult => ({ ok: false, status, code });

// Credentials never travel in URLs: they end up in access logs, proxies and browser history.
const CREDENTIAL_PARAM = /(?:^|[?&])[^=&]*(?:token|ticket|session|auth|bearer|jwt|cookie)[^=&]*=/i;

/** The subprotocols a client offered. */
export function offeredProtocols(request: IncomingMessage): string[] {
  const header = request.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** The bearer token in the subprotocols, if any. */
function bearerFromProtocols(protocols: readonly string[]): string | null {
  const entry = protocols.find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX));
  return entry === undefined ? null : entry.slice(BEARER_PROTOCOL_PREFIX.length);
}

/** Resolves a bearer token to a live session, or `null`. Throws when the store is down. */
export async function verifyBearerToken(options: ResolvedHubOptions, token: string): Promise<Identity | null> {
  if (options.verifyBearer === null || token.length === 0) return null;
  const claimed = await options.verifyBearer(token);
  if (claimed === null) return null;
  // The token says which session; the store says whether it is still alive.
  const live: LiveSession | null = await options.manager.peek(claimed.sessionId);
  if (live === null || live.userId !== claimed.userId) return null;
  const tokenExpiresAt = typeof claimed.expiresAt === 'number' && Number.isFinite(claimed.expiresAt) ? claimed.expiresAt : null;
  if (tokenExpiresAt !== null && tokenExpiresAt <= options.manager.now()) return null;
  return { sessionId: live.id, userId: live.userId, expiresAt: live.expiresAt, tokenExpiresAt };
}

/**
 * Authenticates an upgrade request. `connectionsOf(userId)` counts the user's sockets on this
 * instance, for the per-user limit.
 */
export async function authenticateUpgrade(
  options: ResolvedHubOptions,
  request: IncomingMessage,
  connectionsOf: (userId: string) => number,
): Promise<HandshakeResult> {
  const query = (request.url ?? '').split('?')[1];
  if (query !== undefined && CREDENTIAL_PARAM.test(`?${query}`)) return refuse(401, 'ERR_REALTIME_TOKEN_IN_URL');
  const origin = request.headers.origin;
  const originAllowed = typeof origin === 'string' && options.origins.has(origin);
  const token = bearerFromProtocols(offeredProtocols(request));
  const cookie = request.headers.cookie;
  let identity: Identity | null = null;
  try {
    if (token !== null) {
      // A bearer token is not sent by the browser on its own, so a missing Origin (a mobile
      // app) is fine; a browser page from a foreign origin is still refused.
      if (origin !== undefined && !originAllowed) return refuse(403, 'ERR_REALTIME_ORIGIN');
      identity = await verifyBearerToken(options, token);
      if (identity === null) return refuse(401, 'ERR_REALTIME_UNAUTHENTICATED');
    } else if (cookie === undefined || cookie === '') {
      if (options.authTimeoutMs > 0 && (origin === undefined || originAllowed)) return { ok: true, identity: null };
      if (origin !== undefined && !originAllowed) return refuse(403, 'ERR_REALTIME_ORIGIN');
      return refuse(401, 'ERR_REALTIME_UNAUTHENTICATED');
    } else {
      // Cookies are ambient: the exact Origin allowlist is what stops cross-site hijacking.
      if (!originAllowed) return refuse(403, 'ERR_REALTIME_ORIGIN');
      const session = await options.manager.load({ cookie, secure: options.isSecure(request) });
      if (session.status !== 'valid' || session.id === null || session.expiresAt === null) return refuse(401, 'ERR_REALTIME_UNAUTHENTICATED');
      if (session.userId === null && !options.allowAnonymous) return refuse(401, 'ERR_REALTIME_UNAUTHENTICATED');
      identity = { sessionId: session.id, userId: session.userId, expiresAt: session.expiresAt, tokenExpiresAt: null };
    }
  } catch (error) {
    options.logger.error('coatcheck realtime: could not authenticate a handshake', { error });
    return refuse(503, 'ERR_REALTIME_STORE_UNAVAILABLE');
  }
  if (identity.userId !== null && connectionsOf(identity.userId) >= options.maxConnectionsPerUser) {
    return refuse(429, 'ERR_REALTIME_TOO_MANY_CONNECTIONS');
  }
  return { ok: true, identity };
}

/** Answers a refused upgrade with a plain HTTP response and a JSON error body. */
export function refuseUpgrade(socket: Duplex, status: number, code: RealtimeUpgradeErrorCode): void {
  const body = JSON.stringify({ error: code });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\n\r\n${body}`,
  );
}
