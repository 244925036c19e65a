/**
 * Who is an admin. With `ADMIN_USERS` set (comma-separated usernames), exactly those users;
 * otherwise the first user who registered, so a fresh `npm start` has an admin without any
 * set-up. Set `ADMIN_USERS` on any server other people can reach: on an empty database, the
 * first registration wins.
 *
 * Roles are decided on every request from the user's identity, never stored in the session,
 * so removing someone from `ADMIN_USERS` takes effect on their next request.
 *
 * @module
 */
import type { User, UserStore } from '../users/user-store.js';

/** `'first-user'`, or the usernames of the admins (case-insensitive, like usernames). */
export type AdminPolicy = 'first-user' | readonly string[];

/** Decides whether a user is an admin. */
export type AdminCheck = (user: User) => boolean;

/** Builds the check for a policy. */
export function createAdminCheck(users: Pick<UserStore, 'list'>, policy: AdminPolicy): AdminCheck {
  if (policy === 'first-user') return (user) => users.list(1)[0]?.id === user.id;
  const names = new Set(policy.map((name) => name.toLowerCase()));
  return (user) => names.has(user.username.toLowerCase());
}

/** Reads `ADMIN_USERS`: `null` (first user) when unset or blank. */
export function parseAdminUsers(value: string | undefined): readonly string[] | null {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  return names.length > 0 ? Object.freeze(names) : null;
}
