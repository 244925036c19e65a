/**
 * The authentication check shared by the routes that need a logged-in user.
 *
 * @module
 */
import type { FastifyRequest } from 'fastify';
import type { User, UserStore } from '../users/user-store.js';
import { HttpError } from './errors.js';

/** The 401 every protected route answers for an anonymous or unknown session. */
export function notAuthenticated(): HttpError {
  return new HttpError(401, 'ERR_NOT_AUTHENTICATED', 'Log in first.');
}

/**
 * The request's user, or a 401 `HttpError`. A session whose user no longer exists counts as
 * anonymous: the session outliving the account must not keep it usable.
 */
export function requireUser(request: FastifyRequest, users: UserStore): User {
  const userId = request.session.userId;
  const user = userId === null ? null : users.findById(userId);
  if (!user) throw notAuthenticated();
  return user;
}
