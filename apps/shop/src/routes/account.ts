/**
 * Who am I, step-up and password change: `GET /account`, `POST /reauth`, `POST /password`.
 *
 * Changing the password needs a fresh authentication: a login or a `POST /reauth` (the
 * password typed again) within {@link REAUTH_WINDOW_MS}. A remembered session from last
 * week is logged in, but is not fresh. Re-authenticating is a login of the same user
 * (`session.login`), so it rotates the ticket and sets `session.authenticatedAt`, the one
 * clock the freshness check reads. (LC-04, LC-14)
 *
 * A successful change ends every other session of the user and rotates this one's ticket:
 * whoever had the old password (or a stolen cookie) is out. (LC-15)
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AdminCheck } from '../admin/admins.js';
import { requireSelf, resolveActing } from '../admin/view-as.js';
import { HttpError } from '../http/errors.js';
import { passwordChangeSchema, reauthSchema, type PasswordChangeBody, type ReauthBody } from '../http/shop-schemas.js';
import type { UserStore } from '../users/user-store.js';
import type { Throttle } from '../hardening/throttle.js';
import type { ClientAddress } from '../http/client-address.js';

/** How long a login or re-authentication counts as fresh: 5 minutes. */
export const REAUTH_WINDOW_MS = 5 * 60 * 1000;

/** What the account routes need. */
export interface AccountRouteDeps {
  readonly users: UserStore;
  readonly isAdmin: AdminCheck;
  readonly now: () => number;
  /** Step-up guesses count with login attempts on the same account. */
  readonly throttle: Throttle;
  /** Whose turn it is to hash: hashing is shared fairly between client addresses. */
  readonly clientAddress: ClientAddress;
}

/** Registers the account routes on a scope where `request.session` exists. */
export function accountRoutes(app: FastifyInstance, { users, isAdmin, now, throttle, clientAddress }: AccountRouteDeps): void {
  const freshUntil = (authenticatedAt: number | null) => (authenticatedAt === null ? null : authenticatedAt + REAUTH_WINDOW_MS);

  // What the page shows: the acting user (the viewed one while an admin views as them), and
  // this session's lifetimes. Anonymous visitors get `user: null`, not an error.
  app.get('/account', async (request) => {
    const { session } = request;
    if (session.userId === null || users.findById(session.userId) === null) return { user: null };
    const { user, actor, role, since } = resolveActing(request, users, isAdmin);
    return {
      user,
      role,
      viewAs: actor ? { actor, since } : null,
      session: {
        id: session.id,
        createdAt: session.createdAt,
        expiresAt: session.expiresAt,
        persistent: session.persistent,
        authenticatedAt: session.authenticatedAt,
        freshUntil: freshUntil(session.authenticatedAt),
      },
    };
  });

  app.post<{ Body: ReauthBody }>('/reauth', { schema: reauthSchema }, async (request) => {
    const user = requireSelf(request, users, isAdmin);
    // A stolen session cookie must not buy unlimited guesses at the password it needs to
    // take the account over: the same limiters as a login of this account. (AB-03)
    const refused = await throttle.password(request, user.username);
    if (refused) throw refused;
    // 403, not 401: the session is still logged in; only this proof failed.
    if (!(await users.checkPassword(user.id, request.body.password, clientAddress.keyOf(request))))
      throw new HttpError(403, 'ERR_WRONG_PASSWORD', 'That is not your current password.');
    await throttle.passwordAccepted(request, user.username);
    const { session } = request;
    await session.login(user.id, { remember: session.persistent });
    return { authenticatedAt: session.authenticatedAt, freshUntil: freshUntil(session.authenticatedAt) };
  });

  app.post<{ Body: PasswordChangeBody }>('/password', { schema: passwordChangeSchema }, async (request) => {
    const user = requireSelf(request, users, isAdmin);
    const { session } = request;
    const until = freshUntil(session.authenticatedAt);
    if (until === null || now() > until) {
      throw new HttpError(403, 'ERR_REAUTH_REQUIRED', 'Confirm your current password first (POST /reauth); then change it within 5 minutes.');
    }
    if (!(await users.changePassword(user.id, request.body.new_password, clientAddress.keyOf(request))))
      throw new HttpError(404, 'ERR_USER_NOT_FOUND', 'Your account no longer exists.');
    const revoked = await session.revokeOtherDevices();
    await session.regenerate();
    return { revoked: revoked.length };
  });
}
