/**
 * The parts of a session handle only adapters use: whether a commit is due, the store-free
 * commit for headers that cannot wait, and giving up. Kept off the app-facing `Session`, so
 * handlers never see them; every handle has them.
 *
 * @module
 */
import type { Session } from '../session/session-types.js';
import type { SessionCommitControl } from '../session/session-types.js';

function control(session: Session<any>): SessionCommitControl {
  return session as unknown as SessionCommitControl;
}

/** Whether `commit()` has anything to do; adapters skip it (and its promise) when not. */
export function isPending(session: Session<any>): boolean {
  return control(session).pending;
}

/**
 * The part of the commit that needs no store: the `Set-Cookie` values when only the cookie is
 * pending, `null` (nothing committed) when data changes or a lifecycle call are unfinished.
 */
export function commitCookies(session: Session<any>): string[] | null {
  return control(session).commitCookies();
}

/** Drops the request's unwritten changes and makes the handle read-only; returns how many. */
export function abandonSession(session: Session<any>): number {
  return control(session).abandon();
}
