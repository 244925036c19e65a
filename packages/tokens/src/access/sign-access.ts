/**
 * Issues access tokens: `{ sub, sid, iat, exp, jti }` (plus `iss`/`aud` when configured, and
 * `amr`/`auth_time` for a session whose user proved factors) under a protected header
 * `{ alg, kid, typ }`. Nothing else goes in: no e-mail, no roles, no session data. (JW-19)
 *
 * @module
 */
import { SignJWT } from 'jose';
import type { KeySet } from '../keys/key-set.js';

/** Settings of the signer. */
export interface AccessSignerOptions {
  readonly keys: () => KeySet;
  readonly typ: string;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  readonly ttlSeconds: number;
}

/** What one access token is made of. `iat` in epoch seconds. */
export interface AccessTokenInit {
  readonly sub: string;
  readonly sid: string;
  readonly jti: string;
  readonly iat: number;
  /** The methods the user proved (RFC 8176 names), with `authTime`; left out when none. */
  readonly amr?: readonly string[];
  /** When the user last proved one (OIDC `auth_time`), epoch seconds. */
  readonly authTime?: number;
}

/** Creates the signer: `sign(init)` resolves to the compact JWT. */
export function createAccessSigner(options: AccessSignerOptions): (init: AccessTokenInit) => Promise<string> {
  const { typ, issuer, audience, ttlSeconds } = options;
  return async function signAccessToken({ sub, sid, jti, iat, amr, authTime }) {
    const { signing } = options.keys();
    const jwt = new SignJWT(amr === undefined || authTime === undefined ? { sid } : { sid, amr: [...amr], auth_time: authTime })
      .setProtectedHeader({ alg: signing.alg, kid: signing.kid, typ })
      .setSubject(sub)
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlSeconds);
    if (issuer !== undefined) jwt.setIssuer(issuer);
    if (audience !== undefined) jwt.setAudience(audience);
    return jwt.sign(signing.signKey);
  };
}
