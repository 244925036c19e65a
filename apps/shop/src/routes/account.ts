/**
 * Who am I, step-up and password change: `GET /account`, `POST /reauth`, `POST /password`.
 *
 * Changing the password needs a fresh authentication: a login or a `POST /reauth` (the
 * password typed again) within {@link REAUTH_WINDOW_MS}. A remembered session from last
 * week is logged in, but is not fresh. The check is coatcheck's `session.requireFresh`: its
 * 403 `ERR_SESSION_STEP_UP_REQUIRED` carries a challenge id, which `POST /reauth` sends back
 * with the password; `session.stepUp('pwd', { challenge })` then rotates the ticket and records
 * the factor, and the challenge cannot be answered twice. (LC-04, LC-14, SU-09)
 *
 * A successful change ends every other session of the user and rotates this one's ticket:
 * whoever had the old password (or a stolen cookie) is out. (LC-15)
 *
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AdminCheck } from '../admin/admins.js';
import { requireFreshSelf, requireSelf, resolveActing } from '../admin/view-as.js';
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
  /** Step-up guesses count with login attempts on the same account. */
  readonly throttle: Throttle;
  /** Whose turn it is to hash: hashing is shared fairly between client addresses. */
  readonly clientAddress: ClientAddress;
}

/** Registers the account routes on a scope where `request.session` exists. */
export function accountRoutes(app: FastifyInstance, { users, isAdmin, throttle, clientAddress }: AccountRouteDeps): void {
  // Fresh until the latest proved factor is older than the window (none: never fresh).
  const freshUntil = (session: FastifyRequest['session']) => {
    const latest = Math.max(...session.amr.map((factor) => factor.at));
    return Number.isFinite(latest) ? latest + REAUTH_WINDOW_MS : null;
  };

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
        freshUntil: freshUntil(session),
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
    // The challenge of the refusal this answers, when there was one: accepted once.
    await session.stepUp('pwd', request.body.challenge === undefined ? {} : { challenge: request.body.challenge });
    return { authenticatedAt: session.authenticatedAt, freshUntil: freshUntil(session) };
  });

  app.post<{ Body: PasswordChangeBody }>('/password', { schema: passwordChangeSchema }, async (request) => {
    const user = await requireFreshSelf(request, users, isAdmin, { within: REAUTH_WINDOW_MS });
    const { session } = request;
    if (!(await users.changePassword(user.id, request.body.new_password, clientAddress.keyOf(request))))
      throw new HttpError(404, 'ERR_USER_NOT_FOUND', 'Your account no longer exists.');
    const revoked = await session.revokeOtherDevices();
    await session.regenerate();
    return { revoked: revoked.length };
  });
}
