/**
 * The `Set-Cookie` value that carries a session's ticket: signed with the current key, and
 * living as long as the session (a browser-session cookie unless it is persistent).
 *
 * @module
 */
import { cookieMaxAge } from '../session/lifetime.js';
import type { SessionRecord } from '../store/types.js';
import type { KeyRing } from '../ticket/key-ring.js';
import { formatTicket } from '../ticket/ticket.js';
import type { CookieMode } from './cookie-options.js';
import { serializeCookie } from './serialize-cookie.js';

/** Serializes the ticket cookie of `record` (whose raw secret is `secret`) at `now`. */
export function serializeTicketCookie(ring: KeyRing, mode: CookieMode, record: SessionRecord, secret: string, now: number): string {
  const value = formatTicket(ring, record.id, secret);
  return serializeCookie(mode.name, value, mode.attributes, cookieMaxAge(record.persistent, record.expiresAt, now), now);
}
