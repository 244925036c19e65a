/**
 * Builds `Set-Cookie` header values.
 *
 * @module
 */

/** Attributes of a `Set-Cookie` header, already validated. */
export interface CookieAttributes {
  readonly path: string;
  readonly domain: string | undefined;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly sameSite: 'Strict' | 'Lax' | 'None';
  /** CHIPS: the browser keys the cookie by the top-level site it was set under. */
  readonly partitioned?: boolean;
}

const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';

/**
 * Serializes a cookie. `maxAgeSeconds` undefined gives a browser-session cookie; otherwise
 * `Max-Age` (an integer) and a matching `Expires` for old clients are written.
 */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes, maxAgeSeconds?: number, now: number = Date.now()): string {
  let out = `${name}=${value}; Path=${attributes.path}`;
  if (attributes.domain !== undefined) out += `; Domain=${attributes.domain}`;
  if (maxAgeSeconds !== undefined) {
    const seconds = Math.max(0, Math.floor(maxAgeSeconds));
    out += `; Max-Age=${seconds}; Expires=${seconds === 0 ? EPOCH : new Date(now + seconds * 1000).toUTCString()}`;
  }
  if (attributes.httpOnly) out += '; HttpOnly';
  if (attributes.secure) out += '; Secure';
  out += `; SameSite=${attributes.sameSite}`;
  if (attributes.partitioned) out += '; Partitioned';
  return out;
}

/**
 * A `Set-Cookie` value that deletes the cookie; same attributes, so prefixed names are accepted
 * and a partitioned cookie is deleted in its partition (without `Partitioned` the browser would
 * look for an unpartitioned cookie and leave the partitioned one in place).
 */
export function serializeClearCookie(name: string, attributes: CookieAttributes): string {
  return serializeCookie(name, '', attributes, 0);
}
