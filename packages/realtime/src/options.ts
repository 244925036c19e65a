/**
 * Options of the hub, validated once. Exported from `@coatcheck/realtime` (types only).
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { createOriginList, createProxyTrust, nodeRequest, type OriginList, type TrustProxy } from 'coatcheck/adapter';
import { SessionConfigError, type Logger, type SessionManager } from 'coatcheck';
import type { SessionBus } from 'coatcheck/bus';
import type { Connection } from './connection.js';

/** Who a bearer token belongs to; `null` for an invalid, expired or revoked token. */
export interface BearerIdentity {
  readonly sessionId: string;
  readonly userId: string;
  /**
   * When the token lapses, in epoch ms (its `exp`). At this time the socket must show a fresh
   * token within `tokenGraceMs` or it is closed with 4441, so a socket never outlives its
   * credential by more than the grace. (WS-07) Without it the socket is bound to the session alone.
   */
  readonly expiresAt?: number;
}

/**
 * Verifies a bearer (access) token. Plug in the token package's verifier; it must check the
 * signature, expiry and type. The hub then confirms that the session is alive in the store.
 */
export type VerifyBearer = (token: string) => Promise<BearerIdentity | null>;

/** Options of {@link createHub}. */
export interface HubOptions {
  /** The session manager whose sessions the sockets are bound to. */
  manager: SessionManager<any>;
  /**
   * Exact origins (scheme, host, port) allowed to open a socket with the session cookie, e.g.
   * `['https://shop.example']`. A cookie handshake with any other `Origin`, or none, is
   * refused with 403: browsers send cookies on cross-site WebSocket handshakes. (WS-02)
   */
  origins: readonly string[];
  /** Path the hub answers upgrades on when attached to a server. @default '/ws' */
  path?: string;
  /**
   * Verifies bearer tokens sent as the subprotocol `coatcheck.bearer.<token>` (next to
   * `coatcheck.v1`) or, with `firstMessageAuth`, in a first `{"type":"auth","token"}`
   * message. Never in the URL. Without it, only the session cookie authenticates.
   */
  verifyBearer?: VerifyBearer;
  /**
   * Accept credential-less handshakes and wait this many ms for an `auth` message; `0` (the
   * default) refuses them with 401. Needs `verifyBearer`. @default 0
   */
  authTimeoutMs?: number;
  /**
   * When a bearer socket's access token reaches its `expiresAt`, the hub sends
   * `{"type":"reauthenticate"}` and waits this many ms for `{"type":"auth","token"}` with a
   * fresh token of the same session, then closes with 4441. At most 30 000 (WS-07 allows no
   * more); `0` closes at once and the client reconnects. @default 0
   */
  tokenGraceMs?: number;
  /** Let anonymous (not logged-in) sessions connect. @default false */
  allowAnonymous?: boolean;
  /**
   * Which proxies' `X-Forwarded-Proto` / `Forwarded` to believe when deciding whether the
   * handshake came over HTTPS (which decides the cookie name, `__Host-` or the development
   * name): the same rule, and the same forms, as the HTTP adapters' `trustProxy`.
   * @default false (only a TLS connection is HTTPS)
   */
  trustProxy?: TrustProxy;
  /**
   * Overrides `trustProxy` with your own decision.
   * @default the core's proxy-trust rule with `trustProxy`
   */
  isSecure?: (request: IncomingMessage) => boolean;
  /** Protocol pings (and the expected `heartbeat` messages) are this far apart, in ms. @default 30000 */
  heartbeatIntervalMs?: number;
  /** A socket silent for longer than this is terminated and counted. @default 2 × heartbeatIntervalMs */
  staleAfterMs?: number;
  /**
   * What counts as activity that keeps the HTTP session from idling out:
   * `'messages'` (the application's messages, joins and leaves, not heartbeats),
   * `'heartbeats'` (also heartbeats and pongs: an open tab keeps the session alive up to its
   * absolute limit), or `'never'`. @default 'messages'
   */
  touchOn?: 'messages' | 'heartbeats' | 'never';
  /** At most one session touch per this many ms per session. @default 60000 */
  touchIntervalMs?: number;
  /**
   * Every session with open sockets is re-read from the store at least this often, so a
   * revocation whose bus message was lost still closes its sockets. @default 60000
   */
  revalidateIntervalMs?: number;
  /** A socket whose unsent data exceeds this many bytes is dropped. @default 1048576 */
  maxBufferedBytes?: number;
  /** Largest message a client may send, in bytes. @default 65536 */
  maxPayloadBytes?: number;
  /** Sockets one user may hold on this instance; more are refused with 429. @default 50 */
  maxConnectionsPerUser?: number;
  /**
   * Frames one socket may send per second, sustained: application messages, joins, leaves,
   * heartbeats and `auth` messages alike (protocol pings and pongs do not count). A socket
   * that goes over it, beyond `messageBurst`, is closed with 4008 and counted in
   * `hub.stats.rateLimited`; the frames past the limit are never processed. (WS-13)
   * @default 50
   */
  maxMessagesPerSecond?: number;
  /**
   * Frames one socket may send back to back after a quiet spell. Leave room for what a
   * client sends at once, such as rejoining all its rooms after a reconnection.
   * @default 2 × maxMessagesPerSecond
   */
  messageBurst?: number;
  /**
   * Rooms one socket may be in at once. A join past it, by the client or by `connection.join()`,
   * is refused: the client gets `{"type":"error","code":"ERR_REALTIME_TOO_MANY_ROOMS"}` and
   * nothing changes. (WS-18) @default 32
   */
  maxRoomsPerSocket?: number;
  /**
   * Distinct rooms one user may be in across all their sockets on this instance (two tabs in
   * the same room count it once). Refused like {@link HubOptions.maxRoomsPerSocket}.
   * At least `maxRoomsPerSocket`. (WS-18) @default 64
   */
  maxRoomsPerUser?: number;
  /** Bus channel for cross-instance broadcasts. @default 'coatcheck:realtime' */
  channel?: string;
  /** The bus for broadcasts and revocations. @default manager.bus */
  bus?: SessionBus | null;
  /** Decides whether a client may join a room; without it, clients cannot join rooms themselves. */
  authorizeJoin?: (connection: Connection, room: string) => boolean | Promise<boolean>;
  /** Called once a socket is authenticated and registered. */
  onConnection?: (connection: Connection) => void;
  /** Called for every `{"type":"message","data"}` a client sends. Authorize each one. */
  onMessage?: (connection: Connection, data: unknown) => void;
  /** Called when a socket closed, with its close code. */
  onClose?: (connection: Connection, code: number) => void;
  /** @default console */
  logger?: Logger;
}

/** Options after defaults. */
export interface ResolvedHubOptions {
  readonly manager: SessionManager<any>;
  readonly origins: OriginList;
  readonly path: string;
  readonly verifyBearer: VerifyBearer | null;
  readonly authTimeoutMs: number;
  readonly tokenGraceMs: number;
  readonly allowAnonymous: boolean;
  readonly isSecure: (request: IncomingMessage) => boolean;
  readonly heartbeatIntervalMs: number;
  readonly staleAfterMs: number;
  readonly touchOn: 'messages' | 'heartbeats' | 'never';
  readonly touchIntervalMs: number;
  readonly revalidateIntervalMs: number;
  readonly maxBufferedBytes: number;
  readonly maxPayloadBytes: number;
  readonly maxConnectionsPerUser: number;
  readonly maxMessagesPerSecond: number;
  readonly messageBurst: number;
  readonly maxRoomsPerSocket: number;
  readonly maxRoomsPerUser: number;
  readonly channel: string;
  readonly bus: SessionBus | null;
  readonly authorizeJoin: ((connection: Connection, room: string) => boolean | Promise<boolean>) | null;
  readonly onConnection: (connection: Connection) => void;
  readonly onMessage: (connection: Connection, data: unknown) => void;
  readonly onClose: (connection: Connection, code: number) => void;
  readonly logger: Logger;
}

function positive(name: string, value: number | undefined, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SessionConfigError(`createHub: ${name} must be an integer from ${min} to ${max}; got ${String(value)}.`);
  }
  return value;
}

/** The core's proxy-trust rule as a handshake predicate. */
function secureBy(trustProxy: TrustProxy | undefined): (request: IncomingMessage) => boolean {
  const trust = createProxyTrust(trustProxy);
  return (request) => trust(nodeRequest(request)).secure;
}

const noop = () => {};

/** Validates and applies defaults. Throws `SessionConfigError`. */
export function resolveHubOptions(options: HubOptions): ResolvedHubOptions {
  if (options === null || typeof options !== 'object') throw new SessionConfigError('createHub: pass an options object.');
  const { manager } = options;
  if (manager === null || typeof manager !== 'object' || typeof manager.load !== 'function' || typeof manager.peek !== 'function') {
    throw new SessionConfigError('createHub: manager must be a session manager from createSessionManager().');
  }
  if (!Array.isArray(options.origins)) throw new SessionConfigError("createHub: origins is required, e.g. ['https://shop.example'].");
  const authTimeoutMs = positive('authTimeoutMs', options.authTimeoutMs, 0, 0);
  if (authTimeoutMs > 0 && !options.verifyBearer)
    throw new SessionConfigError('createHub: authTimeoutMs needs verifyBearer (the auth message carries a bearer token).');
  const heartbeatIntervalMs = positive('heartbeatIntervalMs', options.heartbeatIntervalMs, 30_000);
  const maxMessagesPerSecond = positive('maxMessagesPerSecond', options.maxMessagesPerSecond, 50);
  const maxRoomsPerSocket = positive('maxRoomsPerSocket', options.maxRoomsPerSocket, 32);
  const maxRoomsPerUser = positive('maxRoomsPerUser', options.maxRoomsPerUser, Math.max(64, maxRoomsPerSocket));
  // A per-user cap below the per-socket one would make the per-socket one a lie.
  if (maxRoomsPerUser < maxRoomsPerSocket) {
    throw new SessionConfigError(`createHub: maxRoomsPerUser (${maxRoomsPerUser}) must be at least maxRoomsPerSocket (${maxRoomsPerSocket}).`);
  }
  const bus = options.bus === undefined ? manager.bus : options.bus;
  if (bus !== null && (typeof bus.broadcast !== 'function' || typeof bus.onBroadcast !== 'function')) {
    throw new SessionConfigError('createHub: the bus has no broadcast()/onBroadcast(); update the bus package.');
  }
  const path = options.path ?? '/ws';
  if (!path.startsWith('/')) throw new SessionConfigError("createHub: path must start with '/'.");
  return Object.freeze({
    manager,
    origins: createOriginList(options.origins, 'createHub: origins'),
    path,
    verifyBearer: options.verifyBearer ?? null,
    authTimeoutMs,
    tokenGraceMs: positive('tokenGraceMs', options.tokenGraceMs, 0, 0, 30_000),
    allowAnonymous: options.allowAnonymous ?? false,
    isSecure: options.isSecure ?? secureBy(options.trustProxy),
    heartbeatIntervalMs,
    staleAfterMs: positive('staleAfterMs', options.staleAfterMs, 2 * heartbeatIntervalMs),
    touchOn: options.touchOn ?? 'messages',
    touchIntervalMs: positive('touchIntervalMs', options.touchIntervalMs, 60_000),
    revalidateIntervalMs: positive('revalidateIntervalMs', options.revalidateIntervalMs, 60_000),
    maxBufferedBytes: positive('maxBufferedBytes', options.maxBufferedBytes, 1024 * 1024),
    maxPayloadBytes: positive('maxPayloadBytes', options.maxPayloadBytes, 64 * 1024),
    maxConnectionsPerUser: positive('maxConnectionsPerUser', options.maxConnectionsPerUser, 50),
    maxMessagesPerSecond,
    messageBurst: positive('messageBurst', options.messageBurst, 2 * maxMessagesPerSecond),
    maxRoomsPerSocket,
    maxRoomsPerUser,
    channel: options.channel ?? 'coatcheck:realtime',
    bus,
    authorizeJoin: options.authorizeJoin ?? null,
    onConnection: options.onConnection ?? noop,
    onMessage: options.onMessage ?? noop,
    onClose: options.onClose ?? noop,
    logger: options.logger ?? console,
  });
}
