/**
 * The token service: issues token pairs for sessions, rotates refresh tokens, verifies
 * access tokens for the framework adapters, and publishes the JWKS.
 *
 * Every token is a derived credential of a server session: an access token names its
 * session (`sid`) and is accepted only while that session lives; a refresh token's family
 * lives in the session record. Ending the session (logout, device revocation, expiry, a
 * detected replay) ends every token bound to it, on every instance.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import type { LoginOptions, Session, SessionDataMap, SessionManager, StepUpOptions } from 'coatcheck';
import type { RequestInfo, BearerAuthenticator, BearerFailure, BearerOutcome } from 'coatcheck/adapter';
import { hasBearerPrefix, parseBearerHeader } from './access/bearer-header.js';
import type { AccessTokenErrorCode } from './error-codes.js';
import { anonymousSubject, type AccessClaims } from './access/claims.js';
import { createAccessSigner } from './access/sign-access.js';
import { createAccessVerifier, type AccessProblem } from './access/verify-access.js';
import { createTokenEvents, type TokenEventEmitter } from './events.js';
import type { TokenKeyFile } from './keys/key-file.js';
import { importKeySet, type KeySet } from './keys/key-set.js';
import { resolveTokenOptions, type TokenServiceOptions } from './options.js';
import { createRefreshDeriver, formatRefreshToken, hashRefreshSecret, randomSecret } from './refresh/refresh-token.js';
import { REFRESH_KEY, startFamily } from './refresh/refresh-state.js';
import { createRevoker } from './revoke.js';
import { createUnscopedWarning } from './unscoped-warning.js';
import { rotateRefresh, type RefreshOutcome } from './refresh/rotate.js';

/** What a client receives at login, first visit and refresh (OAuth 2.0 token response). */
export interface TokenPair {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  /** Seconds until the access token expires. */
  readonly expires_in: number;
  readonly refresh_token: string;
}

/** What a token pair is issued from: the session's user and the factors they proved. */
export type TokenSubject = Pick<Session<object>, 'userId' | 'amr' | 'authenticatedAt'>;

/** The token service. */
export interface TokenService<D extends object = SessionDataMap> extends BearerAuthenticator<D> {
  /** `refresh-reuse`, `family-started`, `refresh`. */
  readonly events: TokenEventEmitter;
  /** Starts an anonymous session (written now) and returns its first token pair. */
  anonymous(request?: RequestInfo): Promise<TokenPair>;
  /**
   * Logs `session` in as `userId` (new session id, data kept, as with cookies; the old id
   * and every token bound to it stop working) and returns a new token family's first pair.
   * Commits the session: change it before calling this.
   */
  login(session: Session<D>, userId: string, options?: LoginOptions<D>): Promise<TokenPair>;
  /**
   * Records a step-up on `session` (`session.stepUp(method, options)`: a new session id, so the
   * old tokens stop working) and returns a new family's first pair, whose access token carries
   * the new `amr` and `auth_time`. Commits the session.
   */
  stepUp(session: Session<D>, method: string, options?: StepUpOptions): Promise<TokenPair>;
  /** Starts a new token family for a live (or new) session and commits it. */
  issue(session: Session<D>): Promise<TokenPair>;
  /** Rotates a refresh token. Rejects only when the store is unavailable. */
  refresh(refreshToken: unknown, request?: RequestInfo): Promise<RefreshOutcome>;
  /**
   * Ends the session a token is bound to, and with it every token of that session
   * (RFC 7009): a refresh token of its family (current, or already rotated), or an access
   * token this service signed, also one that has expired. Resolves `false`, ending nothing,
   * for anything else (garbage, a forged or foreign token, a session already ended); answer
   * the client the same either way. Rejects only when the store is unavailable.
   */
  revoke(token: unknown): Promise<boolean>;
  /**
   * The public keys, as `/.well-known/jwks.json` serves them. The first call warns
   * (`COATCHECK_W011`) when public keys are served but `issuer` or `audience` is unset.
   */
  jwks(): { readonly keys: readonly JWK[] };
  /** Replaces the keys (after a rotation); tokens verified with removed keys are forgotten. */
  setKeys(file: TokenKeyFile): Promise<void>;
  /**
   * Verifies an access token for a WebSocket handshake or `auth` message: plug it into
   * `createHub({ verifyBearer: (token) => tokens.verifyForSocket(token) })` of
   * `@coatcheck/realtime`. Checks signature, type, claims and expiry only; the hub then
   * confirms in the store that the session is alive and is this user's.
   *
   * Resolves with `null` for a malformed, forged, expired or anonymous token (anonymous
   * sessions hold no user to bind a socket to), never rejects for bad input.
   * `expiresAt` (epoch ms, the token's `exp`) lets the hub close or re-authenticate the
   * socket when the token lapses. (WS-07)
   */
  verifyForSocket(token: unknown): Promise<SocketIdentity | null>;
}

/** Whose an access token is, as the realtime hub needs it. */
export interface SocketIdentity {
  readonly sessionId: string;
  readonly userId: string;
  /** The token's `exp`, in epoch ms. */
  readonly expiresAt: number;
}

/** A refusal of this service: a `BearerFailure` whose code is an `ERR_TOKEN_*` of `TOKEN_ERROR_CODES`. */
export type TokenBearerFailure = BearerFailure & { readonly code: AccessTokenErrorCode };

const fail = (status: 400 | 401, error: BearerFailure['error'], code: AccessTokenErrorCode, message: string): TokenBearerFailure =>
  Object.freeze({ ok: false, status, error, code, message });

/** Refusals, by cause; the same frozen objects every time. */
export const BEARER_FAILURES = Object.freeze({
  malformedHeader: fail(401, 'invalid_request', 'ERR_TOKEN_MALFORMED', 'The Authorization header must be "Bearer <token>".'),
  malformed: fail(401, 'invalid_token', 'ERR_TOKEN_MALFORMED', 'The access token is malformed.'),
  invalid: fail(401, 'invalid_token', 'ERR_TOKEN_INVALID', 'The access token is invalid.'),
  expired: fail(401, 'invalid_token', 'ERR_TOKEN_EXPIRED', 'The access token has expired; refresh it.'),
  ended: fail(401, 'invalid_token', 'ERR_TOKEN_SESSION_ENDED', 'The session of this access token has ended; log in again.'),
});

function failureOf(problem: AccessProblem | 'malformed-header' | 'malformed-token' | 'too-long'): BearerFailure {
  switch (problem) {
    case 'malformed-header':
      return BEARER_FAILURES.malformedHeader;
    case 'malformed-token':
    case 'too-long':
    case 'malformed':
      return BEARER_FAILURES.malformed;
    case 'expired':
      return BEARER_FAILURES.expired;
    default:
      return BEARER_FAILURES.invalid;
  }
}

/**
 * Creates the token service; resolves once the keys are imported. Throws
 * `SessionConfigError` for unusable options or keys.
 *
 * @example
 * ```ts
 * const tokens = await createTokenService({ manager, keys: JSON.parse(process.env.TOKEN_KEYS!), refreshSecret: process.env.SESSION_SECRET! })
 * await app.register(coatcheck, { manager, bearer: tokens })
 * ```
 */
export async function createTokenService<D extends object = SessionDataMap>(
  // `manager` carries the data type: a manager created with its own `D` gives a service of
  // `D`, and the default follows the augmented `SessionDataMap`.
  options: TokenServiceOptions & { manager: SessionManager<D> },
): Promise<TokenService<D>> {
  const resolved = resolveTokenOptions(options);
  const { manager, now, ttlSeconds } = resolved;
  const deriver = createRefreshDeriver(options.refreshSecret);
  let keySet: KeySet = await importKeySet(options.keys, now());
  const keys = () => keySet;
  const events = createTokenEvents((error) => resolved.logger.error('coatcheck: token event listener threw', { error }));
  const sign = createAccessSigner({ ...resolved, keys });
  const verifier = createAccessVerifier({ ...resolved, keys, maxTtlSeconds: ttlSeconds });
  const inflight = new Map<string, Promise<RefreshOutcome>>();
  const warnUnscoped = createUnscopedWarning(resolved);

  async function pairFor(sid: string, session: TokenSubject, secret: string, issuedAtMs: number): Promise<TokenPair> {
    const iat = Math.floor(issuedAtMs / 1000);
    const { userId, amr, authenticatedAt } = session;
    // The factors as the session knows them now: the same ones `requireFresh` reads. (SU-08)
    const factors =
      userId !== null && amr.length > 0 && authenticatedAt !== null
        ? { amr: amr.map((factor) => factor.method), authTime: Math.floor(authenticatedAt / 1000) }
        : {};
    const access = await sign({ sub: userId ?? anonymousSubject(sid), sid, jti: deriver.jti(secret), iat, ...factors });
    return {
      access_token: access,
      token_type: 'Bearer',
      expires_in: Math.max(0, iat + ttlSeconds - Math.floor(now() / 1000)),
      refresh_token: formatRefreshToken(sid, secret),
    };
  }

  async function issue(session: Session<D>): Promise<TokenPair> {
    const secret = randomSecret();
    const at = now();
    const family = randomBytes(12).toString('base64url');
    (session as unknown as Session<Record<string, unknown>>).set(REFRESH_KEY, startFamily(family, hashRefreshSecret(secret), at));
    await session.commit();
    const sid = session.id;
    if (sid === null) throw new Error('the session ended while its tokens were issued');
    events.emit('family-started', { sessionId: sid, userId: session.userId, family });
    return pairFor(sid, session, secret, at);
  }

  // The session must be alive and still the one the token was issued for. (JW-24)
  function bind(session: Session<D>, claims: AccessClaims): BearerOutcome<D> {
    if (session.status !== 'valid' || claims.sub !== (session.userId ?? anonymousSubject(claims.sid))) return BEARER_FAILURES.ended;
    return { ok: true, session };
  }

  async function authenticateSlowly(authorization: string, request: RequestInfo): Promise<BearerOutcome<D>> {
    const parsed = parseBearerHeader(authorization, resolved.maxTokenLength);
    if (!('token' in parsed)) return failureOf(parsed.problem);
    const result = await verifier.verify(parsed.token);
    if (!('claims' in result)) return failureOf(result.problem);
    return bind(await manager.loadById(result.claims.sid, request), result.claims);
  }

  const revoke = createRevoker({ manager, verifier, maxTokenLength: resolved.maxTokenLength, isBound: (session, claims) => bind(session, claims).ok });

  const rotate = (token: string, request: RequestInfo | undefined) =>
    rotateRefresh({ manager, deriver, events, now, policy: resolved, pairFor }, token, request);

  return {
    events,
    async anonymous(request) {
      return issue(await manager.loadById(null, request));
    },
    async login(session, userId, loginOptions) {
      await session.login(userId, loginOptions);
      return issue(session);
    },
    async stepUp(session, method, stepUpOptions) {
      await session.stepUp(method, stepUpOptions);
      return issue(session);
    },
    issue,
    refresh(refreshToken, request) {
      if (typeof refreshToken !== 'string') return rotate('', request);
      // Single flight: parallel refreshes with one token in this process share one answer.
      let pending = inflight.get(refreshToken);
      if (pending === undefined) {
        pending = rotate(refreshToken, request).finally(() => inflight.delete(refreshToken));
        inflight.set(refreshToken, pending);
      }
      return pending;
    },
    revoke,
    async verifyForSocket(token) {
      if (typeof token !== 'string') return null;
      // The same shape and length checks as an Authorization header gets.
      const parsed = parseBearerHeader(`Bearer ${token}`, resolved.maxTokenLength);
      if (!('token' in parsed)) return null;
      const cached = verifier.cached(parsed.token);
      const claims = cached ?? (await verifier.verify(parsed.token).then((result) => ('claims' in result ? result.claims : null)));
      // The verifier tolerates clock skew on exp; a socket handshake gets none of it.
      if (claims === null || claims.sub === anonymousSubject(claims.sid) || claims.exp * 1000 <= now()) return null;
      return { sessionId: claims.sid, userId: claims.sub, expiresAt: claims.exp * 1000 };
    },
    jwks() {
      warnUnscoped(keySet);
      return keySet.jwks;
    },
    async setKeys(file) {
      keySet = await importKeySet(file, now());
      verifier.clear();
    },
    authenticate(authorization, request) {
      // Hot path: a token verified before is found by its exact string (only verified tokens
      // are cached, so a hit also proves the header's shape), and the only work left is the
      // session lookup. No extra async layer: this runs on every bearer request.
      if (authorization.length > 7 && hasBearerPrefix(authorization)) {
        const claims = verifier.cached(authorization.slice(7));
        if (claims !== null) {
          // With the local cache, a hot session is answered without a single promise.
          const cached = manager.loadCachedById(claims.sid, request);
          if (cached !== null) return bind(cached, claims);
          return manager.loadById(claims.sid, request).then((session) => bind(session, claims));
        }
      }
      return authenticateSlowly(authorization, request);
    },
  };
}
