/**
 * The express-session side of a migration: its cookie, signed by `cookie-signature` as
 * `s:<sid>.<base64 HMAC-SHA256(secret, sid)>` (URL-encoded, padding dropped), and the
 * session JSON connect-redis keeps at `<prefix><sid>`.
 *
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The session id of an express-session cookie value, or `null` when it is not one or no
 * secret verifies it. Every secret of express-session's `secret` array is tried, like it does.
 */
export function unsignOldCookie(raw: string, secrets: readonly string[]): string | null {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    return null; // malformed percent-encoding: not a cookie express-session wrote
  }
  if (!value.startsWith('s:')) return null;
  const dot = value.lastIndexOf('.');
  if (dot <= 2) return null;
  const sid = value.slice(2, dot);
  const given = Buffer.from(value.slice(dot + 1));
  for (const secret of secrets) {
    const expected = Buffer.from(createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, ''));
    if (expected.length === given.length && timingSafeEqual(expected, given)) return sid;
  }
  return null;
}

/** An express-session record as connect-redis stores it: `cookie` plus your fields. */
export interface OldSession {
  readonly cookie?: { readonly expires?: string | null; readonly originalMaxAge?: number | null };
  readonly [field: string]: unknown;
}

/** Parses a stored record; `null` for anything that is not a JSON object. */
export function parseOldSession(json: unknown): OldSession | null {
  if (typeof json !== 'string') return null;
  try {
    const value: unknown = JSON.parse(json);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as OldSession) : null;
  } catch {
    return null;
  }
}

/**
 * Whether the old cookie was persistent: express-session gives the cookie an `Expires` when
 * `cookie.maxAge` is set (a "stay logged in for 7 days" login), and none for a
 * browser-session cookie.
 */
export function wasPersistent(old: OldSession): boolean {
  return old.cookie?.expires != null || old.cookie?.originalMaxAge != null;
}

/** A `Set-Cookie` value that deletes the old cookie (same name, path and domain). */
export function clearOldCookie(name: string, path: string, domain: string | undefined): string {
  return `${name}=; Path=${path}${domain === undefined ? '' : `; Domain=${domain}`}; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly`;
}

/** The `Cookie` header without the cookies named in `drop`, plus `pair` (`name=value`). */
export function replaceCookies(header: string | undefined, drop: readonly string[], pair: string): string {
  const kept = (header ?? '')
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '' && !drop.includes(part.slice(0, Math.max(0, part.indexOf('=')))));
  return [...kept, pair].join('; ');
}
