/**
 * The claims of a coatcheck access token, and the checks made after the signature: only
 * these claims are issued (no personal data, JW-19), and time claims must be safe integers
 * so `1e309`, floats or huge values never turn into `Infinity` comparisons. (JW-07, BI-15)
 *
 * @module
 */

/** What an access token says, once verified. */
export interface AccessClaims {
  /** The user id, or `anonymous_<sid>` for an anonymous session. */
  readonly sub: string;
  /** Id of the server session the token is bound to. */
  readonly sid: string;
  readonly jti: string;
  /** Seconds since the epoch. */
  readonly iat: number;
  readonly exp: number;
  /**
   * The methods the user had proved when the token was issued (RFC 8176 names: `pwd`, `otp`,
   * `hwk`...), with `auth_time` (seconds) the latest; absent for an anonymous session. A
   * snapshot: the session itself (`requireFresh`) decides freshness on each request.
   */
  readonly amr?: readonly string[];
  readonly auth_time?: number;
}

/** `sub` of an anonymous session's tokens. */
export function anonymousSubject(sid: string): string {
  return `anonymous_${sid}`;
}

const SID = /^[A-Za-z0-9_-]{24}$/;
// A session keeps at most 8 methods; a little room for a token from a later version.
const MAX_METHODS = 16;

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isShortString = (value: unknown, max: number): value is string => typeof value === 'string' && value.length > 0 && value.length <= max;

/**
 * Checks a verified payload against the rules of this service. Returns the claims, or
 * `null` when a claim has the wrong type or an impossible value.
 */
export function readClaims(payload: Record<string, unknown>, nowSeconds: number, toleranceSeconds: number, maxTtlSeconds: number): AccessClaims | null {
  const { sub, sid, jti, iat, exp, nbf, amr, auth_time } = payload;
  if (!isShortString(sub, 256) || !isShortString(jti, 64) || typeof sid !== 'string' || !SID.test(sid)) return null;
  if (!isTime(iat) || !isTime(exp) || (nbf !== undefined && !isTime(nbf))) return null;
  // jose checks exp and nbf; iat in the future and over-long lifetimes are checked here.
  if (iat > nowSeconds + toleranceSeconds || exp <= iat || exp - iat > maxTtlSeconds) return null;
  if (amr === undefined && auth_time === undefined) return { sub, sid, jti, iat, exp };
  // Both or neither, as issued: a list of short names and a time not after the token.
  const names = Array.isArray(amr) && amr.length <= MAX_METHODS && amr.every((name) => isShortString(name, 32));
  if (!names || !isTime(auth_time) || auth_time > iat) return null;
  return { sub, sid, jti, iat, exp, amr: amr as string[], auth_time };
}
