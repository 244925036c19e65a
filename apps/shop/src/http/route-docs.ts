/**
 * Summaries, tags and responses of every route for the OpenAPI description. Request bodies and
 * parameters come from the routes' own JSON schemas; this table adds the prose, kept apart so
 * route files stay about behaviour. Responses listed here document the API only: they are not
 * used to serialize anything.
 *
 * @module
 */

/** Documentation of one route. */
export interface RouteDoc {
  readonly summary: string;
  readonly tag: 'auth' | 'account' | 'cart' | 'checkout' | 'devices' | 'admin' | 'tokens' | 'operations';
  readonly description?: string;
  /** Needs a logged-in session (401 `ERR_NOT_AUTHENTICATED` otherwise). */
  readonly auth?: boolean;
  /** Status -> description. 422 is added for every route with a body. */
  readonly responses: Readonly<Record<number, string>>;
}

/** Keyed by `METHOD /url` as Fastify registers it. */
export const ROUTE_DOCS: Readonly<Record<string, RouteDoc>> = {
  'POST /register': {
    tag: 'auth',
    summary: 'Create an account',
    responses: {
      201: '`{id, username}`',
      409: '`ERR_USERNAME_TAKEN`',
      429: '`ERR_TOO_MANY_ATTEMPTS` with `Retry-After`: too many registrations from this address',
    },
  },
  'POST /login': {
    tag: 'auth',
    summary: 'Log in, optionally remembered',
    description:
      'Issues a new ticket (the old one stops working) and keeps the anonymous cart. `remember: true` sets a persistent cookie (one day by default, `REMEMBER_ME_LIFETIME`); otherwise the cookie ends with the browser.',
    responses: {
      200: '`{user}`',
      401: '`ERR_INVALID_CREDENTIALS` (same answer for an unknown user and a wrong password)',
      409: '`ERR_SESSION_LIMIT_REACHED` with `MAX_DEVICES_POLICY=reject`: the account is signed in on `MAX_DEVICES` devices (with `oldest` or `idlest`, one of them is signed out instead)',
      429: '`ERR_TOO_MANY_ATTEMPTS` with `Retry-After`: too many attempts from this address or on this account',
    },
  },
  'GET /profile': {
    tag: 'auth',
    summary: 'The logged-in user and session lifetimes',
    auth: true,
    responses: { 200: '`{user, session: {createdAt, expiresAt, persistent}}` (epoch ms)' },
  },
  'POST /logout': {
    tag: 'auth',
    summary: 'End this session',
    description:
      'With a cookie, the cookie is cleared. With `Authorization: Bearer`, the session of that access token ends: its access and refresh tokens stop working.',
    responses: { 200: '`{ok: true}`' },
  },
  'GET /csrf-token': {
    tag: 'auth',
    summary: 'The CSRF token for scripts with a cookie jar',
    description:
      'Send it as `x-csrf-token` on unsafe requests that carry the session cookie but no `Origin` or `Sec-Fetch-Site`. `null` when the request has no session cookie or uses a bearer token (no check applies then); asking never creates a session. A new one is needed after login and logout.',
    responses: { 200: '`{csrf_token}` (`Cache-Control: no-store`)' },
  },
  'GET /account': {
    tag: 'account',
    summary: 'Who am I: acting user, role, view-as, re-authentication freshness',
    description: 'Anonymous visitors get `{user: null}`. While an admin views the shop as a user, `user` is the viewed user and `viewAs.actor` the admin.',
    responses: { 200: '`{user, role, viewAs, session: {id, createdAt, expiresAt, persistent, authenticatedAt, freshUntil}}`' },
  },
  'POST /reauth': {
    tag: 'account',
    summary: 'Step-up: confirm the password again',
    description:
      'Rotates the ticket and makes the session fresh for 5 minutes, long enough to change the password or place a large order. Send `challenge` from the `ERR_SESSION_STEP_UP_REQUIRED` answer being answered: it is accepted once.',
    auth: true,
    responses: {
      200: '`{authenticatedAt, freshUntil}`',
      403: '`ERR_WRONG_PASSWORD`, `ERR_SESSION_STEP_UP_CHALLENGE` (a used, unknown or expired challenge), or `ERR_VIEW_AS_READ_ONLY`',
      429: '`ERR_TOO_MANY_ATTEMPTS` with `Retry-After`: too many attempts from this address or on this account',
    },
  },
  'POST /password': {
    tag: 'account',
    summary: 'Change the password (needs a fresh login or step-up)',
    description: 'Ends every other session of the user and rotates this ticket.',
    auth: true,
    responses: {
      200: '`{revoked: n}`: how many other sessions were ended',
      403: '`ERR_SESSION_STEP_UP_REQUIRED` (with `stepUp: {methods, within, challenge}`) when the last login or step-up is older than 5 minutes; `ERR_VIEW_AS_READ_ONLY`',
    },
  },
  'GET /items': { tag: 'cart', summary: 'The catalogue', responses: { 200: '`{items: [{id, name, description, price_cents}]}`' } },
  'POST /cart/add': {
    tag: 'cart',
    summary: 'Add to the cart (anonymous or logged in)',
    responses: {
      200: '`{cart}`',
      404: '`ERR_UNKNOWN_ITEM`: no such item id',
      409: '`ERR_CART_FULL`, `ERR_CART_QUANTITY`',
      429: '`ERR_SESSION_RATE_LIMITED` with `Retry-After`: this address has started too many sessions (a visitor without one only)',
    },
  },
  'GET /cart': { tag: 'cart', summary: 'The cart', responses: { 200: '`{cart: [{item_id, quantity}]}`' } },
  'GET /checkout': {
    tag: 'checkout',
    summary: 'Where the checkout stands',
    auth: true,
    responses: { 200: '`{step, address, payment, lines, total_cents, unknown}`; `step` is the first step not done: cart, address, payment or review' },
  },
  'POST /checkout/address': { tag: 'checkout', summary: 'Step 1: delivery address', auth: true, responses: { 200: '`{step, address}`' } },
  'POST /checkout/payment': {
    tag: 'checkout',
    summary: 'Step 2: payment method',
    auth: true,
    responses: { 200: '`{step, payment}`', 409: '`ERR_CHECKOUT_STEP`: address first' },
  },
  'POST /checkout/place': {
    tag: 'checkout',
    summary: 'Step 3: place the order (idempotent)',
    description:
      'Send a fresh `idempotency_key` per order attempt and the same key on every retry of it. A repeat answers the first order again with `Idempotent-Replayed: true`; of concurrent duplicates exactly one places an order.',
    auth: true,
    responses: {
      201: '`{order}`',
      403: '`ERR_SESSION_STEP_UP_REQUIRED` for a total above `STEP_UP_CHECKOUT_ABOVE` without a login or step-up in the last 5 minutes; `ERR_VIEW_AS_READ_ONLY`',
      409: '`ERR_CHECKOUT_INCOMPLETE`, `ERR_CHECKOUT_UNKNOWN_ITEM`, `ERR_CHECKOUT_IN_PROGRESS`',
    },
  },
  'GET /orders': { tag: 'checkout', summary: 'My placed orders, newest first', auth: true, responses: { 200: '`{orders}`' } },
  'GET /sessions': {
    tag: 'devices',
    summary: 'My devices (sessions), the current one flagged, and the devices signed out lately to make room (MAX_DEVICES)',
    auth: true,
    responses: {
      200: '`{sessions, evictions}`; `evictions`: the last 7 days, newest first, at most 5, each `{at, id, label, signIn: {label, userAgent, ip}}`',
    },
  },
  'DELETE /sessions/{id}': {
    tag: 'devices',
    summary: 'Log one device out',
    auth: true,
    responses: { 204: 'Revoked; that device gets 401 on its next request', 404: "`ERR_SESSION_NOT_FOUND` (also for another user's id)" },
  },
  'GET /sessions/{id}/history': {
    tag: 'devices',
    summary: "One device's history, newest first: sign-ins, refreshes, changes of address, log-outs and who made them",
    auth: true,
    responses: { 200: '`{history: [{at, type, sessionId, actor, reason, ip, userAgent}]}`', 404: "`ERR_SESSION_NOT_FOUND` (also for another user's id)" },
  },
  'POST /sessions/revoke-others': { tag: 'devices', summary: 'Log every other device out', auth: true, responses: { 200: '`{revoked: n}`' } },
  'GET /admin/users': {
    tag: 'admin',
    summary: 'Users, for the view-as picker',
    auth: true,
    responses: { 200: '`{users: [{id, username, role}]}`', 403: '`ERR_FORBIDDEN`: not an admin' },
  },
  'POST /admin/view-as': {
    tag: 'admin',
    summary: 'View the shop as another user',
    description:
      "The session stays the admin's; a marker in the session makes `/account` and `/orders` show the user. Password changes and orders are refused until the admin leaves. Rotates the ticket.",
    auth: true,
    responses: { 200: '`{viewAs: {user, actor}}`', 403: '`ERR_FORBIDDEN`', 404: '`ERR_USER_NOT_FOUND`', 409: '`ERR_VIEW_AS_SELF`' },
  },
  'POST /admin/view-as/leave': { tag: 'admin', summary: 'Back to being yourself', auth: true, responses: { 200: '`{user, role}`' } },
  'POST /anonymous-login': {
    tag: 'tokens',
    summary: 'Bearer tokens for a new anonymous session',
    description: 'For SPAs and mobile apps: the session exists server-side (a cart can be kept in it) and is upgraded by `POST /token` with its data kept.',
    responses: {
      200: '`{access_token, token_type: "Bearer", expires_in, refresh_token}`',
      429: '`ERR_SESSION_RATE_LIMITED` with `Retry-After`: this address has started too many sessions',
    },
  },
  'POST /token': {
    tag: 'tokens',
    summary: 'Log in a bearer client',
    description:
      'With an anonymous access token in `Authorization`, that session is upgraded (new id, cart kept). `token` repeats `access_token` under the name seed 004 clients read.',
    responses: {
      200: 'A token pair, `token` and `{user}`',
      401: '`ERR_INVALID_CREDENTIALS`',
      409: '`ERR_SESSION_LIMIT_REACHED` with `MAX_DEVICES_POLICY=reject`: the account is signed in on `MAX_DEVICES` devices',
      429: '`ERR_TOO_MANY_ATTEMPTS` with `Retry-After`: too many attempts from this address or on this account',
    },
  },
  'POST /token/refresh': {
    tag: 'tokens',
    summary: 'Rotate a refresh token',
    description: 'Every use returns a new pair. A rotated token presented again outside the grace window ends the whole family and its session.',
    responses: {
      200: 'A new token pair',
      401: '`ERR_REFRESH_TOKEN_INVALID`, `ERR_REFRESH_TOKEN_EXPIRED`, `ERR_REFRESH_TOKEN_REUSED`',
      429: '`ERR_TOO_MANY_ATTEMPTS` with `Retry-After`: too many refreshes from this address',
    },
  },
  'POST /token/revoke': {
    tag: 'tokens',
    summary: 'End the session of a token',
    description:
      'RFC 7009: `token` is an access or a refresh token (`token_type_hint` is accepted and not needed). Either ends the whole session. The answer is the same when the token names nothing.',
    responses: { 200: '`{ok: true}`' },
  },
  'GET /.well-known/jwks.json': { tag: 'tokens', summary: 'Public keys that verify access tokens (JWKS)', responses: { 200: '`{keys}`' } },
  'GET /user/me': { tag: 'tokens', summary: 'Who this session is', responses: { 200: '`{current_user_id}`: the user id or `anonymous_<session id>`' } },
  'GET /protected': { tag: 'tokens', summary: "Seed 004's protected resource", auth: true, responses: { 200: '`{message: "Welcome, <username>"}`' } },
  'GET /anonymous-data': {
    tag: 'tokens',
    summary: 'The data of an anonymous session',
    responses: { 200: '`{anonymous_id, data}` when anonymous; `{message}` when logged in' },
  },
  'GET /health': {
    tag: 'operations',
    summary: 'Health of every backing service',
    responses: { 200: '`{status: "ok", checks}`', 503: '`{status: "unavailable", checks}`' },
  },
  'GET /metrics': {
    tag: 'operations',
    summary: 'Prometheus metrics (text format 0.0.4)',
    responses: { 200: 'Counters of sessions created, logins, ended, revoked; store latency, errors and write conflicts; live sessions; open sockets; orders' },
  },
};
