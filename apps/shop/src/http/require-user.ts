/**
 * The authentication check shared by the routes that need a logged-in user, and the one rule
 * for the `WWW-Authenticate` challenge their 401 carries.
 *
 * @module
 */
import type { FastifyRequest } from 'fastify';
import type { User, UserStore } from '../users/user-store.js';
import { HttpError } from './errors.js';

/**
 * The challenge of a 401 for `request`, or `null` for none. Token clients get `Bearer`
 * (RFC 6750 §3) whenever the request came without a session cookie: with an access token
 * (valid, but its session is anonymous or its user is gone) or with no credentials at all.
 * No `error` attribute either way: §3.1 keeps `invalid_token` for a token that failed to
 * verify, and the session plugin answers those itself before any route runs. A request that
 * presented a cookie is a browser's, which has no use for a bearer challenge.
 */
function selectChallenge(request: FastifyRequest): string | null {
  if (request.sessionSource === 'bearer' || request.session.status === 'none') return 'Bearer';
  return null;
}

/** The 401 every protected route answers for an anonymous or unknown session. */
export function notAuthenticated(request: FastifyRequest): HttpError {
  const challenge = selectChallenge(request);
  return new HttpError(401, 'ERR_NOT_AUTHENTICATED', 'Log in first.', challenge === null ? {} : { 'www-authenticate': challenge });
}

/**
 * The request's user, or a 401 `HttpError`. A session whose user no longer exists counts as
 * anonymous: the session outliving the account must not keep it usable.
 */
export function requireUser(request: FastifyRequest, users: UserStore): User {
  const userId = request.session.userId;
  const user = userId === null ? null : users.findById(userId);
  if (!user) throw notAuthenticated(request);
  return user;
}
