/**
 * Bearer mode for SPAs and mobile apps (the seeds' `/anonymous-login` flow, done with
 * revocable tokens):
 * - outside the session scope (no cookie or bearer is read): `POST /anonymous-login`,
 *   `POST /token/refresh`, `POST /token/revoke`, `GET /.well-known/jwks.json`;
 * - inside it: `POST /token` (password login; an anonymous bearer session is upgraded with
 *   its cart), `GET /user/me`, `GET /anonymous-data`, and seed 004's `GET /protected`.
 *
 * Seed 004 (Flask: `POST /login` → `{"token"}`, `GET /protected` → `{"message": "Welcome, …"}`)
 * works with its client changed only in the path (`/token`) and in where the token goes (the
 * `Authorization` header, never `?token=`, which is refused). `POST /logout` with the access
 * token, or `POST /token/revoke` with either token, ends that session.
 *
 * Every token response is `Cache-Control: no-store` (RFC 6749 §5.1) and carries no cookie.
 *
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SessionManager } from 'coatcheck';
import { anonymousSubject, type TokenService } from '@coatcheck/tokens';
import { toCart } from '../cart/cart.js';
import { HttpError } from '../http/errors.js';
import { notAuthenticated, requireUser } from '../http/require-user.js';
import { loginSchema, refreshSchema, revokeSchema, type LoginBody, type RefreshBody, type RevokeBody } from '../http/schemas.js';
import type { UserStore } from '../users/user-store.js';
import type { ClientAddress } from '../http/client-address.js';
import type { Throttle } from '../hardening/throttle.js';

/** What the token routes need. */
export interface TokenRouteDeps {
  readonly tokens: TokenService<any>;
  readonly manager: SessionManager<any>;
  readonly users: UserStore;
  /** Password and refresh throttles (429 `ERR_TOO_MANY_ATTEMPTS`). */
  readonly throttle: Throttle;
  /** The client address by the session library's proxy-trust rule, as the session layer records it. */
  readonly clientAddress: ClientAddress;
}

function requestInfo(request: FastifyRequest, clientAddress: ClientAddress) {
  return { userAgent: request.headers['user-agent'], ip: clientAddress.of(request), secure: request.protocol === 'https' };
}

function noStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

/** Routes that must work without (or with an expired) access token. */
export function tokenEndpoints(app: FastifyInstance, { tokens, throttle, clientAddress }: Pick<TokenRouteDeps, 'tokens' | 'throttle' | 'clientAddress'>): void {
  app.post('/anonymous-login', async (request, reply) => {
    noStore(reply);
    return tokens.anonymous(requestInfo(request, clientAddress));
  });

  app.post<{ Body: RefreshBody }>('/token/refresh', { schema: refreshSchema }, async (request, reply) => {
    noStore(reply);
    // Guessing refresh tokens is hopeless (256-bit secrets), but each guess still costs a
    // store read: one address gets a bounded number of them. (AB-07)
    const refused = await throttle.refresh(request);
    if (refused) throw refused;
    const outcome = await tokens.refresh(request.body.refresh_token, requestInfo(request, clientAddress));
    // invalid_grant in OAuth terms; 401 so clients treat it like any lost login.
    if (!outcome.ok) throw new HttpError(401, outcome.code, outcome.message);
    return outcome.tokens;
  });

  // RFC 7009: the answer is the same whether or not the token named anything. Access and
  // refresh tokens both end their session (the grant); `token_type_hint` is not needed to
  // tell them apart, so it is ignored.
  app.post<{ Body: RevokeBody }>('/token/revoke', { schema: revokeSchema }, async (request, reply) => {
    noStore(reply);
    await tokens.revoke(request.body.token);
    return { ok: true };
  });

  app.get('/.well-known/jwks.json', async (_request, reply) => {
    // Short public caching: a rotation publishes the next key well before it signs.
    reply.header('cache-control', 'public, max-age=300');
    return tokens.jwks();
  });
}

/** Routes inside the session scope, where `request.session` exists (cookie or bearer). */
export function tokenRoutes(app: FastifyInstance, { tokens, manager, users, throttle, clientAddress }: TokenRouteDeps): void {
  app.post<{ Body: LoginBody }>('/token', { schema: loginSchema }, async (request, reply) => {
    noStore(reply);
    const { username, password, remember = false } = request.body;
    // The same limiters as the cookie login: guesses through either count together. (AB-03)
    const refused = await throttle.password(request, username);
    if (refused) throw refused;
    const user = await users.authenticate(username, password, clientAddress.keyOf(request));
    if (!user) throw new HttpError(401, 'ERR_INVALID_CREDENTIALS', 'Wrong username or password.');
    await throttle.passwordAccepted(request, username);
    // A bearer client's anonymous session is upgraded (its cart kept, its id and token
    // family replaced); a browser's cookie session is left alone and a new one is started.
    const session = request.sessionSource === 'bearer' ? request.session : await manager.loadById(null, requestInfo(request, clientAddress));
    const previousUser = session.userId;
    const pair = await tokens.login(session, user.id, {
      remember,
      ...(previousUser !== null && previousUser !== user.id ? { merge: () => ({}) } : {}),
    });
    // `token` is seed 004's name for the same access token, so its client only changes path.
    return { ...pair, token: pair.access_token, user };
  });

  app.get('/user/me', async (request) => {
    const { session } = request;
    if (session.id === null) throw notAuthenticated(request);
    return { current_user_id: session.userId ?? anonymousSubject(session.id) };
  });

  app.get('/anonymous-data', async (request) => {
    const { session } = request;
    if (session.id === null) throw notAuthenticated(request);
    if (session.userId !== null) {
      const user = users.findById(session.userId);
      if (!user) throw notAuthenticated(request);
      return { message: `Welcome, registered user ${user.username}!` };
    }
    const cart = toCart(session.get('cart'));
    return { anonymous_id: anonymousSubject(session.id), data: { cart_items: cart.length, cart } };
  });

  // Seed 004's protected resource, for a logged-in user only (an anonymous token is a 401).
  app.get('/protected', async (request) => ({ message: `Welcome, ${requireUser(request, users).username}` }));
}

/** Refuses tokens in the query string on every route (URLs end up in logs and Referer). */
export function rejectTokensInUrl(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.url.includes('?') && /[?&](?:access_token|refresh_token|token)=/i.test(request.url)) {
      return done(new HttpError(400, 'ERR_TOKEN_IN_URL', 'Tokens are not accepted in the URL; send them in the Authorization header or the request body.'));
    }
    done();
  });
}
