/**
 * Verifies access tokens with jose, behind a cache of tokens that already passed.
 *
 * The key is chosen by `kid` from the configured map only, and the token's `alg` must equal
 * the one algorithm that key is pinned to, so a token "signed" with HS256 using a public key
 * as the secret never meets an HMAC key (JW-02, JW-03, JW-11). `typ` must be the access-token
 * type (JW-09); unknown `crit` headers, embedded `jwk`/`jku`/`x5u` and JWE are never honoured
 * (jose does not fetch or trust header keys; JW-10, JW-12, JW-22).
 *
 * The cache holds verified claims keyed by the whole token string, so a hot token is checked
 * once, not on every request. It never outlives the token (`exp` is re-checked on every hit)
 * and it never decides liveness: the session is still looked up on every request, which is
 * what makes revocation immediate.
 *
 * @module
 */
import { decodeJwt, errors, jwtVerify, type JWTHeaderParameters, type FlattenedJWSInput } from 'jose';
import type { KeySet } from '../keys/key-set.js';
import { isJsonObjectSegment } from './bearer-header.js';
import { readClaims, type AccessClaims } from './claims.js';

/** Why a token was refused. */
export type AccessProblem = 'malformed' | 'unknown-key' | 'bad-signature' | 'expired' | 'not-yet-valid' | 'wrong-type' | 'bad-claims';

/** Result of {@link AccessVerifier.verify}. */
type AccessResult = { readonly claims: AccessClaims } | { readonly problem: AccessProblem };

/** Settings of the verifier. */
export interface AccessVerifierOptions {
  readonly keys: () => KeySet;
  readonly typ: string;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  readonly toleranceSeconds: number;
  readonly maxTtlSeconds: number;
  readonly cacheSize: number;
  readonly now: () => number;
}

/** A verifier with its cache. */
export interface AccessVerifier {
  /** The cached claims of a token verified before and still valid, or `null`: no promise. */
  cached(token: string): AccessClaims | null;
  /** Full verification (the cache is filled on success). */
  verify(token: string): Promise<AccessResult>;
  /**
   * Every check of {@link AccessVerifier.verify} except expiry: for revocation, where a
   * correctly signed token that has merely expired still names the session to end
   * (RFC 7009 §2.1). Keys that are retired still refuse; nothing is cached.
   */
  verifyIgnoringExpiry(token: string): Promise<AccessResult>;
  /** Forgets every cached token (after keys change). */
  clear(): void;
}

class KeyProblem extends Error {
  constructor(readonly problem: AccessProblem) {
    super(problem);
  }
}

function classify(error: unknown): AccessProblem {
  if (error instanceof KeyProblem) return error.problem;
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'not-yet-valid';
    if (error.claim === 'typ') return 'wrong-type';
    return 'bad-claims';
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad-signature';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'unknown-key';
  return 'malformed';
}

/** Creates the verifier. */
export function createAccessVerifier(options: AccessVerifierOptions): AccessVerifier {
  const { typ, issuer, audience, toleranceSeconds, maxTtlSeconds, cacheSize, now } = options;
  // Claims plus the epoch second after which the entry is void: the token's exp (plus the
  // tolerance) or its key's retirement, whichever comes first. (JW-23)
  const cache = new Map<string, { claims: AccessClaims; until: number }>();

  // The key resolver: `kid` is data, looked up in a Map (no prototype, no path, no query),
  // and the header's `alg` must be the key's own algorithm.
  const resolveKey = (header: JWTHeaderParameters, _token: FlattenedJWSInput) => {
    const { kid, alg } = header;
    const key = typeof kid === 'string' ? options.keys().byKid.get(kid) : undefined;
    if (key === undefined) throw new KeyProblem('unknown-key');
    if (alg !== key.alg || key.retireAt <= now()) throw new KeyProblem('unknown-key');
    return key.verifyKey;
  };

  async function verifyUncached(token: string, ignoreExpiry = false): Promise<AccessResult> {
    const first = token.indexOf('.');
    const second = token.indexOf('.', first + 1);
    if (!isJsonObjectSegment(token.slice(0, first)) || !isJsonObjectSegment(token.slice(first + 1, second))) return { problem: 'malformed' };
    const keys = options.keys();
    try {
      const { payload, protectedHeader } = await jwtVerify(token, resolveKey, {
        algorithms: keys.algorithms as string[],
        typ,
        clockTolerance: toleranceSeconds,
        currentDate: new Date(ignoreExpiry ? checkedAt(token) : now()),
        requiredClaims: ['exp', 'iat', 'sub', 'sid', 'jti'],
        ...(issuer !== undefined ? { issuer } : {}),
        ...(audience !== undefined ? { audience } : {}),
      });
      const claims = readClaims(payload as Record<string, unknown>, Math.floor(now() / 1000), toleranceSeconds, maxTtlSeconds);
      if (claims === null) return { problem: 'bad-claims' };
      const key = keys.byKid.get(protectedHeader.kid as string);
      if (cacheSize > 0 && !ignoreExpiry && key !== undefined) {
        if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
        cache.set(token, { claims, until: Math.min(claims.exp + toleranceSeconds, key.retireAt / 1000) });
      }
      return { claims };
    } catch (error) {
      return { problem: classify(error) };
    }
  }

  // The instant an expired token is checked at: just before its own `exp`, so jose still
  // verifies the signature, `typ`, `iss`, `aud` and `nbf`. The `exp` read here is unverified,
  // but only moves the clock: a forged token still fails its signature.
  function checkedAt(token: string): number {
    let exp: unknown;
    try {
      exp = decodeJwt(token).exp;
    } catch {
      return now();
    }
    return typeof exp === 'number' && Number.isSafeInteger(exp) ? Math.min(now(), (exp - 1) * 1000) : now();
  }

  return {
    cached(token) {
      const hit = cache.get(token);
      if (hit === undefined) return null;
      if (hit.until > now() / 1000) return hit.claims;
      cache.delete(token);
      return null;
    },
    verify: (token) => verifyUncached(token),
    verifyIgnoringExpiry: (token) => verifyUncached(token, true),
    clear: () => cache.clear(),
  };
}
