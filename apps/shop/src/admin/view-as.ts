/**
 * "View as user": an admin sees the shop as another user without logging in as them.
 *
 * The session keeps its owner: `session.userId` stays the admin's, so the admin's devices,
 * logout and revocations still apply to the admin, and the user never sees the admin's
 * session in their device list. Only a marker `viewAs: { userId, startedAt }` is added to the
 * session data; leaving removes it. The original identity (and with it the original role) is
 * never copied into the data, where it could go stale: it is the session's own user.
 *
 * @module
 */
import type { FreshOptions } from 'coatcheck';
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../http/errors.js';
import { requireUser } from '../http/require-user.js';
import type { User, UserStore } from '../users/user-store.js';
import type { AdminCheck } from './admins.js';

/** Session key of the marker. */
export const VIEW_AS_KEY = 'viewAs';

/** The marker as stored. */
export interface ViewAsMarker {
  readonly userId: string;
  readonly startedAt: number;
}

/** Who a request acts as. */
export interface Acting {
  /** The user the shop shows: the viewed user while viewing as someone, else the session's. */
  readonly user: User;
  /** The logged-in admin while viewing as someone, else `null`. */
  readonly actor: User | null;
  /** Role of `user`. */
  readonly role: 'admin' | 'user';
  /** When viewing as started (epoch ms), or `null`. */
  readonly since: number | null;
}

/** Reads the marker from session data; anything malformed counts as absent. */
export function readViewAs(value: unknown): ViewAsMarker | null {
  if (typeof value !== 'object' || value === null) return null;
  const { userId, startedAt } = value as Record<string, unknown>;
  return typeof userId === 'string' && typeof startedAt === 'number' ? { userId, startedAt } : null;
}

/**
 * The acting identity, or a 401. The marker only counts while its holder is still an admin
 * and the viewed user still exists; otherwise the request acts as the session's own user.
 */
export function resolveActing(request: FastifyRequest, users: UserStore, isAdmin: AdminCheck): Acting {
  const self = requireUser(request, users);
  const marker = readViewAs(request.session.get(VIEW_AS_KEY));
  const viewed = marker && isAdmin(self) ? users.findById(marker.userId) : null;
  if (marker && viewed) return { user: viewed, actor: self, role: isAdmin(viewed) ? 'admin' : 'user', since: marker.startedAt };
  return { user: self, actor: null, role: isAdmin(self) ? 'admin' : 'user', since: null };
}

/**
 * The session's own user for actions that must never be done on someone else's behalf
 * (changing a password, placing an order): 403 while viewing as another user.
 */
export function requireSelf(request: FastifyRequest, users: UserStore, isAdmin: AdminCheck): User {
  const acting = resolveActing(request, users, isAdmin);
  if (acting.actor) throw new HttpError(403, 'ERR_VIEW_AS_READ_ONLY', `You are viewing the shop as ${acting.user.username}; leave "view as" to do this.`);
  return acting.user;
}

/**
 * {@link requireSelf}, and a fresh authentication (`session.requireFresh(options)`): 403
 * `ERR_SESSION_STEP_UP_REQUIRED` with a challenge otherwise. A "view as" session is never
 * fresh for the viewed user: the admin's factors prove the admin, not them, so it is refused
 * (`ERR_VIEW_AS_READ_ONLY`) before freshness is even looked at. (SU-09)
 */
export async function requireFreshSelf(request: FastifyRequest, users: UserStore, isAdmin: AdminCheck, options: FreshOptions): Promise<User> {
  const user = requireSelf(request, users, isAdmin);
  await request.session.requireFresh(options);
  return user;
}

/** The session's own user if they are an admin; 403 otherwise. */
export function requireAdmin(request: FastifyRequest, users: UserStore, isAdmin: AdminCheck): User {
  const self = requireUser(request, users);
  if (!isAdmin(self)) throw new HttpError(403, 'ERR_FORBIDDEN', 'Only admins can do this.');
  return self;
}
