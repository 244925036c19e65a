/**
 * Reading the credential out of `Authorization: Bearer <token>` strictly, before any
 * cryptography: one space, a compact JWS of base64url segments, a bounded length, and
 * header and payload that decode to UTF-8 JSON objects. Anything else is refused without
 * touching a key. (JW-06, JW-21, BI-12, BI-13, BI-14)
 *
 * @module
 */

/** A compact JWS: three non-empty base64url segments, nothing else (no padding, no JSON form). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Why a header was refused before verification. */
type HeaderProblem = 'malformed-header' | 'malformed-token' | 'too-long';

/** The token of a `Bearer` header, or why there is none. */
export type ParsedBearer = { readonly token: string } | { readonly problem: HeaderProblem };

/** `Bearer ` (scheme case-insensitive, then one space) without allocating. */
export function hasBearerPrefix(value: string): boolean {
  return (
    (value.charCodeAt(0) | 0x20) === 0x62 && // b
    (value.charCodeAt(1) | 0x20) === 0x65 && // e
    (value.charCodeAt(2) | 0x20) === 0x61 && // a
    (value.charCodeAt(3) | 0x20) === 0x72 && // r
    (value.charCodeAt(4) | 0x20) === 0x65 && // e
    (value.charCodeAt(5) | 0x20) === 0x72 && // r
    value.charCodeAt(6) === 0x20
  );
}

/**
 * Extracts the token. The scheme name is case-insensitive (RFC 7235); exactly one space
 * separates it from the token, and nothing follows.
 */
export function parseBearerHeader(authorization: string, maxLength: number): ParsedBearer {
  if (authorization.length > maxLength + 7) return { problem: 'too-long' };
  if (authorization.length < 8 || !hasBearerPrefix(authorization)) {
    return { problem: 'malformed-header' };
  }
  const token = authorization.slice(7);
  if (!COMPACT_JWS.test(token)) return { problem: token.length === 0 || token.charCodeAt(0) === 0x20 ? 'malformed-header' : 'malformed-token' };
  return { token };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

// Every string (keys and values) must be well-formed Unicode: a `\ud800` escape decodes to
// a lone surrogate that strict UTF-8 decoding of the bytes cannot catch. Depth is bounded.
const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

function wellFormed(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return isWellFormed(value);
  if (value === null || typeof value !== 'object') return true;
  if (depth > 8) return false;
  for (const [key, inner] of Object.entries(value)) if (!isWellFormed(key) || !wellFormed(inner, depth + 1)) return false;
  return true;
}

/** Whether a base64url segment decodes to strict UTF-8 JSON whose top level is an object. (BI-12, BI-14) */
export function isJsonObjectSegment(segment: string): boolean {
  try {
    const value: unknown = JSON.parse(strictUtf8.decode(Buffer.from(segment, 'base64url')));
    return value !== null && typeof value === 'object' && !Array.isArray(value) && wellFormed(value, 0);
  } catch {
    return false;
  }
}
