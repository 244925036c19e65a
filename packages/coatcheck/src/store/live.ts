/**
 * What "alive" means for a session record, in one place: the manager's loads, `peek` and
 * `touch`, and the local cache all ask this, never their own copy of the rule.
 *
 * @module
 */
import type { SessionRecord } from './types.js';

/**
 * A record is alive at `now` while both its idle expiry and its absolute limit lie ahead. A
 * revoked or logged-out session has no record at all, so it is never alive. Stores already
 * hide expired records; the manager checks again because it owns the clock (a store's own
 * clock, or a record read just before it expired, must not decide).
 */
export function isLive(record: SessionRecord | null, now: number): record is SessionRecord {
  return record !== null && record.expiresAt > now && record.absoluteExpiresAt > now;
}
