/**
 * The synchronizer token: an HMAC of the session's ticket, so it needs no storage and is
 * bound to exactly one session.
 *
 * `mac = HMAC-SHA256(csrfKey, "<id>.<secret>")`, where `csrfKey` is derived from the signing
 * secrets under its own purpose label (a ticket signature is never a valid token, and the
 * other way round), and `<id>.<secret>` is the session's current ticket. Why derive instead of
 * storing a random token in the session:
 * - no store write, so asking for a token never turns a read into a write;
 * - login, regenerate and logout rotate the ticket, so every token issued before them dies
 *   with it (CS-04), with no bookkeeping;
 * - the secret half of the ticket never leaves the server except in the HttpOnly cookie, so
 *   knowing a session's public id (shown in device lists) is not enough to forge its token,
 *   and a token planted in another cookie by a sibling subdomain cannot match (CS-03).
 *
 * The token sent to the page is masked (`mask || mac XOR mask`, fresh random mask each time),
 * so two renders differ and a compression oracle (BREACH) cannot recover it byte by byte;
 * the raw `mac` on its own is refused. (CS-11)
 *
 * @module
 */
import type { KeyRing } from '../ticket/key-ring.js';
import type { RandomSource } from '../ticket/ticket.js';

const MAC_BYTES = 32;
/** Length of a token string: base64url of 64 bytes, no padding. */
const CSRF_TOKEN_LENGTH = 86;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{86}$/;

/** A fresh masked token for the ticket `id.secret`. */
export function createCsrfToken(ring: KeyRing, random: RandomSource, id: string, secret: string): string {
  const mac = Buffer.from(ring.sign(`${id}.${secret}`), 'base64url');
  const mask = random(MAC_BYTES);
  const out = Buffer.allocUnsafe(MAC_BYTES * 2);
  for (let i = 0; i < MAC_BYTES; i++) {
    out[i] = mask[i] as number;
    out[MAC_BYTES + i] = (mac[i] as number) ^ (mask[i] as number);
  }
  return out.toString('base64url');
}

/**
 * Whether `token` was made for the ticket `id.secret` by any key of the ring. Anything that
 * is not a well-formed token string is `false` before any comparison, never an exception;
 * the MAC comparison itself is constant-time (the key ring's). (CS-10)
 */
export function verifyCsrfToken(ring: KeyRing, id: string, secret: string, token: unknown): boolean {
  if (typeof token !== 'string' || token.length !== CSRF_TOKEN_LENGTH || !TOKEN_PATTERN.test(token)) return false;
  const bytes = Buffer.from(token, 'base64url');
  // base64url has several spellings of the same bytes; only the canonical one is accepted.
  if (bytes.length !== MAC_BYTES * 2 || bytes.toString('base64url') !== token) return false;
  const mac = Buffer.allocUnsafe(MAC_BYTES);
  for (let i = 0; i < MAC_BYTES; i++) mac[i] = (bytes[MAC_BYTES + i] as number) ^ (bytes[i] as number);
  return ring.verify(`${id}.${secret}`, mac.toString('base64url')) >= 0;
}
