/**
 * Options of the token service: validated once, then frozen.
 *
 * @module
 */
import { SessionConfigError, type Logger, type SecretInput, type SessionManager } from 'coatcheck';
import type { TokenKeyFile } from './keys/key-file.js';

/** Options of `createTokenService`. */
export interface TokenServiceOptions {
  /** The session manager whose sessions the tokens are bound to. */
  manager: SessionManager<any>;
  /** Signing keys, from configuration (see `generateKeyFile`). Never hard-code them. */
  keys: TokenKeyFile;
  /**
   * Secret (≥ 32 bytes) from which refresh-token successors are derived. It may be the
   * session secret: it is expanded under its own label.
   */
  refreshSecret: SecretInput;
  /**
   * `iss` of issued tokens (this service's URL), required on verification when set. Set it,
   * with `audience`, whenever another service verifies the tokens with the JWKS (RFC 9068);
   * serving the JWKS without both warns once (`COATCHECK_W011`).
   */
  issuer?: string;
  /** `aud` of issued tokens (the API they are for), required on verification when set. */
  audience?: string;
  /**
   * Access-token lifetime in seconds, at most 3600. Every request still checks the token's
   * session, so ending the session refuses the token at once whatever its lifetime; the
   * lifetime bounds how long a stolen token works while its session lives. Key rotation's
   * overlap must cover it. @default 900 (15 minutes)
   */
  accessTokenTtl?: number;
  /** Clock skew tolerated on `exp`/`nbf`/`iat`, in seconds, at most 60. @default 30 */
  clockTolerance?: number;
  /** `typ` header of access tokens, checked on every verification. @default 'at+jwt' */
  typ?: string;
  /** Refresh-token family limits. */
  refresh?: {
    /**
     * Seconds after a rotation during which the replaced token still yields the same
     * successor (parallel tabs, a lost response). 0 turns it off. At most 60. @default 10
     */
    graceSeconds?: number;
    /** Longest life of a token family in seconds. @default 2592000 (30 days) */
    absoluteLifetime?: number;
    /** A refresh token unused this long stops working, in seconds. @default 1209600 (14 days) */
    idleTimeout?: number;
  };
  /** Verified access tokens remembered; 0 turns the cache off. @default 10000 */
  verifiedTokenCache?: number;
  /** Longest accepted token, in characters. @default 4096 */
  maxTokenLength?: number;
  /** Clock in epoch ms; pass the manager's clock when you inject one. @default Date.now */
  now?: () => number;
  /** Where a throwing event listener is reported. @default console */
  logger?: Logger;
}

/** Options after validation. */
export interface ResolvedTokenOptions {
  readonly manager: SessionManager<any>;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  readonly ttlSeconds: number;
  readonly toleranceSeconds: number;
  readonly typ: string;
  readonly graceMs: number;
  readonly absoluteMs: number;
  readonly idleMs: number;
  readonly cacheSize: number;
  readonly maxTokenLength: number;
  readonly now: () => number;
  readonly logger: Logger;
}

// Fifteen minutes unless the app chooses, up to an hour: every request also checks the session,
// so the lifetime only bounds how long a stolen token works while its session lives.
const DEFAULT_TTL = 900;
const MAX_TTL = 3600;

const GENERATE_SECRET = `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"`;

// `refreshSecret: process.env.SESSION_SECRET!` with the variable unset arrives as undefined
// (or '' when set empty): say so, and how to make one, before any key is derived from it.
function assertRefreshSecret(secret: unknown): void {
  let problem: string | null = null;
  if (secret === undefined || secret === null) problem = `is ${String(secret)}: the secret is not set`;
  else if (secret === '') problem = 'is an empty string: the secret is not set';
  else if (typeof secret !== 'string' && !(secret instanceof Uint8Array)) problem = `is a ${typeof secret}, not a string or Uint8Array`;
  if (problem === null) return;
  throw new SessionConfigError(
    `refreshSecret ${problem}. Pass refreshSecret: process.env.SESSION_SECRET (the session secret may be reused: it is expanded under its own label) and set that environment variable to at least 32 random bytes; generate one with: ${GENERATE_SECRET}`,
  );
}

function whole(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max)
    throw new SessionConfigError(`${name} must be a whole number from ${min} to ${max}; got ${String(value)}.`);
  return value;
}

/** Validates and resolves the options (keys and secret are checked where they are imported). */
export function resolveTokenOptions(options: TokenServiceOptions): ResolvedTokenOptions {
  if (options === null || typeof options !== 'object') throw new SessionConfigError('options must be an object.');
  if (!options.manager || typeof options.manager.loadById !== 'function')
    throw new SessionConfigError('manager must be a session manager from createSessionManager().');
  assertRefreshSecret(options.refreshSecret);
  const typ = options.typ ?? 'at+jwt';
  // A different type per kind of JWT keeps an ID token or any other JWT from passing. (JW-09)
  if (typeof typ !== 'string' || typ.length === 0 || /^jwt$/i.test(typ))
    throw new SessionConfigError('typ must name the access-token type (e.g. "at+jwt"), not the generic "JWT".');
  for (const name of ['issuer', 'audience'] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'string' || value.length === 0)) throw new SessionConfigError(`${name} must be a non-empty string.`);
  }
  const refresh = options.refresh ?? {};
  const maxTokenLength = whole('maxTokenLength', options.maxTokenLength, 4096, 256, 16384);
  return Object.freeze({
    manager: options.manager,
    issuer: options.issuer,
    audience: options.audience,
    ttlSeconds: whole('accessTokenTtl', options.accessTokenTtl, DEFAULT_TTL, 10, MAX_TTL),
    toleranceSeconds: whole('clockTolerance', options.clockTolerance, 30, 0, 60),
    typ,
    graceMs: whole('refresh.graceSeconds', refresh.graceSeconds, 10, 0, 60) * 1000,
    absoluteMs: whole('refresh.absoluteLifetime', refresh.absoluteLifetime, 30 * 86400, 60, 400 * 86400) * 1000,
    idleMs: whole('refresh.idleTimeout', refresh.idleTimeout, 14 * 86400, 60, 400 * 86400) * 1000,
    cacheSize: whole('verifiedTokenCache', options.verifiedTokenCache, 10_000, 0, 1_000_000),
    maxTokenLength,
    now: options.now ?? Date.now,
    logger: options.logger ?? console,
  });
}
