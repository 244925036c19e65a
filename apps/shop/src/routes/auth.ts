/**
 * Accounts and login: `POST /register`, `POST /login`, `GET /profile`, `POST /logout`, and
 * `GET /csrf-token` for scripts that keep a cookie jar.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { SessionLimitError } from 'coatcheck';
import { HttpError } from '../http/errors.js';
import { wantsPage } from '../http/pages.js';
import { requireUser } from '../http/require-user.js';
import { loginSchema, registerSchema, type LoginBody, type RegisterBody } from '../http/schemas.js';
import type { UserStore } from '../users/user-store.js';
import type { Throttle } from '../hardening/throttle.js';
import type { ClientAddress } from '../http/client-address.js';
import type { LoginPages } from './pages.js';

/** What the auth routes need. */
export interface AuthRouteDeps {
  readonly users: UserStore;
  /** Renders the login page, for a browser's refused form login. */
  readonly pages: LoginPages;
  /** Password and registration throttles (429 `ERR_TOO_MANY_ATTEMPTS`). */
  readonly throttle: Throttle;
  /** Whose turn it is to hash: hashing is shared fairly between client addresses. */
  readonly clientAddress: ClientAddress;
}

/** Registers the auth routes on a scope where `request.session` exists. */
export function authRoutes(app: FastifyInstance, { users, pages, throttle, clientAddress }: AuthRouteDeps): void {
  app.post<{ Body: RegisterBody }>('/register', { schema: registerSchema }, async (request, reply) => {
    const { username, password } = request.body;
    // Before the hash: a refused registration costs no scrypt. (AP-07)
    const refused = await throttle.register(request);
    if (refused) throw refused;
    const user = await users.register(username, password, clientAddress.keyOf(request));
    if (!user) throw new HttpError(409, 'ERR_USERNAME_TAKEN', 'That username is taken.');
    return reply.code(201).send({ id: user.id, username: user.username });
  });

  // A browser's form post gets the login page's answers: 303 to /dashboard, or the form again
  // with the error (401). Every other client gets JSON.
  app.post<{ Body: LoginBody }>('/login', { schema: loginSchema }, async (request, reply) => {
    const { username, password, remember = false } = request.body;
    // Throttled before the password is hashed, whether or not the account exists. (AB-03, AB-04)
    const refused = await throttle.password(request, username);
    if (refused && wantsPage(request)) return pages.sendLogin(request, reply.headers(refused.headers), 429, refused.message);
    if (refused) throw refused;
    const user = await users.authenticate(username, password, clientAddress.keyOf(request));
    // One answer for "no such user" and "wrong password". (AB-05)
    if (!user && wantsPage(request)) return pages.sendLogin(request, reply, 401, 'Wrong username or password.');
    if (!user) throw new HttpError(401, 'ERR_INVALID_CREDENTIALS', 'Wrong username or password.');
    await throttle.passwordAccepted(request, username);
    const session = request.session;
    const previousUser = session.userId;
    // login() issues a new ticket and ends the old one (LC-01) and keeps the anonymous cart
    // (LC-03). When a different user was logged in on this browser, their data stays behind.
    try {
      await session.login(user.id, {
        remember,
        ...(previousUser !== null && previousUser !== user.id ? { merge: () => ({}) } : {}),
      });
    } catch (error) {
      // MAX_DEVICES_POLICY=reject and the account is on MAX_DEVICES devices: nothing was
      // written. A form gets the form again with the reason; JSON clients get the 409. (LC-21)
      if (error instanceof SessionLimitError && wantsPage(request)) return pages.sendLogin(request, reply, 409, error.message);
      throw error;
    }
    if (wantsPage(request)) return reply.redirect('/dashboard', 303);
    return { user };
  });

  app.get('/profile', async (request) => {
    const user = requireUser(request, users);
    const { session } = request;
    // Times are epoch milliseconds, like the device list.
    return { user, session: { createdAt: session.createdAt, expiresAt: session.expiresAt, persistent: session.persistent } };
  });

  // A script with a cookie jar sends no Origin or Sec-Fetch-Site, so its unsafe requests
  // must carry this token (x-csrf-token) once it has a session cookie. No token (`null`)
  // when there is nothing to protect: without a cookie, or with a bearer token, the check
  // does not apply. Asking never creates a session: a GET that wrote to the store for every
  // cookie-less caller would undo lazy session creation (AB-01). The token dies at login and
  // logout (a new ticket), so a script asks again after either.
  app.get('/csrf-token', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const { session } = request;
    const withCookie = request.sessionSource === 'cookie' && session.status === 'valid' && session.id !== null;
    return { csrf_token: withCookie ? await session.csrfToken() : null };
  });

  // Logging out an anonymous visitor is not an error: it ends their (cart) session too. With
  // an access token it ends that token's session: its access and refresh tokens stop working.
  app.post('/logout', async (request, reply) => {
    await request.session.logout();
    if (wantsPage(request)) return reply.redirect('/login', 303);
    return { ok: true };
  });
}
