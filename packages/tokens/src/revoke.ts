/**
 * Revocation (RFC 7009): a token ends the session it is bound to, and with it every access
 * and refresh token of that session, on every instance.
 *
 * RFC 7009 §2.1 lets the server end the whole grant when one of its tokens is revoked; here
 * the grant is the session. A refresh token counts when it belongs to the session's family
 * (current or already rotated); an access token counts when this service signed it, also
 * after it expired (it still proves who holds it), and only while its session is the one it
 * was issued for. Anything else ends nothing, and callers answer the same either way.
 *
 * @module
 */
import type { Session, SessionManager } from 'coatcheck';
import { parseBearerHeader } from './access/bearer-header.js';
import type { AccessClaims } from './access/claims.js';
import type { AccessVerifier } from './access/verify-access.js';
import { readRefreshState, REFRESH_KEY } from './refresh/refresh-state.js';
import { hashRefreshSecret, parseRefreshToken, type RefreshParts } from './refresh/refresh-token.js';

/** What revocation needs of the service. */
export interface RevokerOptions {
  readonly manager: SessionManager<any>;
  readonly verifier: AccessVerifier;
  readonly maxTokenLength: number;
  /** Whether the session is alive and still the one the claims were issued for. */
  readonly isBound: (session: Session<any>, claims: AccessClaims) => boolean;
}

/** Creates `revoke(token)`: `true` when a session was ended. Rejects only when the store is down. */
export function createRevoker({ manager, verifier, maxTokenLength, isBound }: RevokerOptions): (token: unknown) => Promise<boolean> {
  async function byRefreshToken(parts: RefreshParts): Promise<boolean> {
    const session = await manager.loadById(parts.sid, undefined, { fresh: true });
    const state = readRefreshState(session.get(REFRESH_KEY as never));
    const presented = hashRefreshSecret(parts.secret);
    if (state === null || (presented !== state.current && presented !== state.previous && !state.used.includes(presented))) return false;
    await session.logout();
    return true;
  }

  async function byAccessToken(token: string): Promise<boolean> {
    // The same shape and length checks as an Authorization header gets, before any crypto.
    const parsed = parseBearerHeader(`Bearer ${token}`, maxTokenLength);
    if (!('token' in parsed)) return false;
    const result = await verifier.verifyIgnoringExpiry(parsed.token);
    if (!('claims' in result)) return false;
    const session = await manager.loadById(result.claims.sid, undefined, { fresh: true });
    if (!isBound(session, result.claims)) return false;
    await session.logout();
    return true;
  }

  return async function revoke(token) {
    const parts = parseRefreshToken(token);
    if (parts !== null) return byRefreshToken(parts);
    return typeof token === 'string' ? byAccessToken(token) : false;
  };
}
