/**
 * `/ws`: the shop's live channel (seed 003's flows) on `@coatcheck/realtime`.
 *
 * - Per user: a cart change is pushed to every tab and device of that user, on every
 *   instance (`{"kind":"cart","cart"}` with scope `user`).
 * - Rooms: a client joins a named room (`{"type":"join","room":"lobby"}`) and says something
 *   in it (`{"type":"message","data":{"room","text"}}`); members on every instance get
 *   `{"kind":"chat","room","from","name","text"}` (`from` the user id, `name` the username).
 *   The page's "Lobby" tab is this flow in the `lobby` room. Only members may speak; a text is at most 500 chars.
 * - Forced logout: logging out, revoking a device or "log out everywhere" closes the
 *   sockets of those sessions with 4401 after a `{"type":"session-ended","reason"}` notice,
 *   on every instance; the page shows it and stops reconnecting.
 * - Bearer clients (SPAs, mobile apps) authenticate with an access token from `/token` in
 *   the subprotocol `coatcheck.bearer.<token>`, without cookies; their sockets end with
 *   their session (4401); when the access token expires they show a fresh one in band
 *   within 10 s, or are closed with 4441 and reconnect with a fresh one.
 * - Device list: a login, a logout, a revoked device or a password change pushes
 *   `{"kind":"devices"}` to the user's sockets, so an open "Devices" tab refreshes itself.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { SessionManager } from 'coatcheck';
import type { TrustProxy } from 'coatcheck/adapter';
import { createHub, type Hub, type VerifyBearer } from '@coatcheck/realtime';
import { toCart } from '../cart/cart.js';

/** Options of the live channel. */
export interface ShopRealtimeOptions {
  /** Exact page origins allowed to open `/ws` with the session cookie. */
  readonly origins: readonly string[];
  /** Heartbeat interval, in ms. @default 30000 */
  readonly heartbeatIntervalMs?: number;
}

/** Looks up the display name of a user id, for chat lines. */
type NameOf = (userId: string) => string | null;

/** What the app hands the hub besides the options. */
interface RealtimeWiring {
  readonly trustProxy?: TrustProxy;
  readonly nameOf?: NameOf;
  /**
   * Bearer access tokens (subprotocol `coatcheck.bearer.<token>`): the token service's
   * `verifyForSocket`. Such a socket closes with 4401 when its session ends (logout through
   * /token/revoke, device revocation, refresh-token reuse); when its access token expires
   * the hub asks for a fresh one in band and closes with 4441 if none comes. (WS-07)
   */
  readonly verifyBearer?: VerifyBearer;
}

/** Rooms anyone logged in may join: short lowercase names. */
const ROOM_NAME = /^[a-z0-9-]{1,32}$/;
/** Longest chat text. */
const MAX_TEXT = 500;

/** Starts the hub on the app's server at `/ws`; it closes with the app. */
export function startRealtime(app: FastifyInstance, manager: SessionManager<any>, options: ShopRealtimeOptions & RealtimeWiring): Hub {
  const hub: Hub = createHub({
    manager,
    origins: options.origins,
    path: '/ws',
    // The HTTP plugin's proxy-trust rule, from the core: one decision for requests and sockets.
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
    ...(options.heartbeatIntervalMs ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
    ...(options.verifyBearer ? { verifyBearer: options.verifyBearer } : {}),
    // At a bearer token's exp the hub asks for a fresh one; 10 s covers a refresh round trip
    // and stays inside WS-07's 30 s. Without an answer the socket closes with 4441.
    tokenGraceMs: 10_000,
    authorizeJoin: (_connection, room) => ROOM_NAME.test(room),
    // Per-message authorization: a chat line must name a room this socket joined. (WS-09)
    onMessage(connection, data) {
      const { room, text } = (data ?? {}) as { room?: unknown; text?: unknown };
      if (typeof room !== 'string' || !connection.rooms.has(room) || typeof text !== 'string' || text.length === 0 || text.length > MAX_TEXT) {
        connection.send({ kind: 'error', code: 'ERR_CHAT_REFUSED' });
        return;
      }
      // The name is looked up here, never taken from the client.
      const name = connection.userId === null ? null : (options.nameOf?.(connection.userId) ?? null);
      hub
        .publish({ room }, { kind: 'chat', room, from: connection.userId, name, text })
        .catch((error: unknown) => app.log.warn({ err: error }, 'chat broadcast failed'));
    },
    logger: { warn: (message, context) => app.log.warn(context ?? {}, message), error: (message, context) => app.log.error(context ?? {}, message) },
  });
  hub.attach(app.server);
  // preClose: the HTTP server waits for upgraded sockets before onClose hooks run.
  app.addHook('preClose', () => hub.close());
  return hub;
}

/** Pushes a logged-in user's cart to all their sockets after each successful add. */
export function publishCartChanges(scope: FastifyInstance, hub: Hub): void {
  scope.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url !== '/cart/add' || reply.statusCode !== 200) return;
    const userId = request.session?.userId;
    if (!userId) return;
    await hub.publish({ userId }, { kind: 'cart', cart: toCart(request.session.get('cart')) }).catch((error: unknown) => {
      request.log.warn({ err: error }, 'cart broadcast failed');
    });
  });
}

/** Routes that add or remove one of the user's sessions, with their success status. */
const DEVICE_ROUTES: ReadonlyMap<string, number> = new Map([
  ['POST /login', 200],
  ['POST /logout', 200],
  ['POST /password', 200],
  ['DELETE /sessions/:id', 204],
  ['POST /sessions/revoke-others', 200],
]);

/** Tells a user's other tabs and devices that their device list changed. */
export function publishDeviceChanges(scope: FastifyInstance, hub: Hub): void {
  // Logging out leaves no user on the session by the time the response is sent: remember
  // whose it was before the handler ran.
  const before = new WeakMap<object, string>();
  scope.addHook('preHandler', async (request) => {
    const userId = request.session?.userId;
    if (userId && DEVICE_ROUTES.has(`${request.method} ${request.routeOptions.url}`)) before.set(request, userId);
  });
  scope.addHook('onResponse', async (request, reply) => {
    if (DEVICE_ROUTES.get(`${request.method} ${request.routeOptions.url}`) !== reply.statusCode) return;
    const userId = request.session?.userId ?? before.get(request);
    if (!userId) return;
    await hub.publish({ userId }, { kind: 'devices' }).catch((error: unknown) => {
      request.log.warn({ err: error }, 'device list broadcast failed');
    });
  });
}

/**
 * Origins for `/ws` from `WS_ORIGINS` (comma-separated), or the ones a browser uses for a
 * local server: `http://localhost:<port>` and `http://<host>:<port>`.
 */
export function readOrigins(env: NodeJS.ProcessEnv, host: string, port: number): string[] {
  const listed = env.WS_ORIGINS?.split(',')
    .map((o) => o.trim())
    .filter((o) => o.length > 0);
  if (listed && listed.length > 0) return listed;
  return [...new Set([`http://localhost:${port}`, `http://${host}:${port}`])];
}
