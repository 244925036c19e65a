/**
 * The refresh token: opaque to clients, `<sid>.<secret>` in base64url. `sid` names the
 * session whose record holds the token family; `secret` is 32 random bytes of which the
 * record keeps only a SHA-256 hash, so a dump of the store cannot be replayed. (RT-09)
 *
 * A successor is not random but derived: `HMAC(key, sid, secret)`. Whoever presents a
 * refresh token within the grace window after it was rotated therefore gets the very same
 * successor (and the same access token) as the request that rotated it, on any instance,
 * without the raw successor ever being stored. That is what lets parallel tabs refresh at
 * once without minting two live successors or logging the user out. (RT-04, RT-05)
 *
 * @module
 */
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { SessionConfigError, type SecretInput } from 'coatcheck';

const TOKEN = /^([A-Za-z0-9_-]{24})\.([A-Za-z0-9_-]{43})$/;

/** A refresh token's parts. */
export interface RefreshParts {
  readonly sid: string;
  readonly secret: string;
}

/** Parses a refresh token; `null` for anything that is not one (checked before the store). */
export function parseRefreshToken(value: unknown): RefreshParts | null {
  if (typeof value !== 'string' || value.length !== 68) return null;
  const match = TOKEN.exec(value);
  return match ? { sid: match[1] as string, secret: match[2] as string } : null;
}

/** Formats a refresh token. */
export function formatRefreshToken(sid: string, secret: string): string {
  return `${sid}.${secret}`;
}

/** A fresh random secret (first token of a family). */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Hash of a secret as stored: 128 bits of SHA-256 are plenty against preimages, and short. */
export function hashRefreshSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url').slice(0, 22);
}

/** Derivations keyed by the service's refresh secret. */
export interface RefreshDeriver {
  /** The successor secret of `secret` in session `sid`. */
  successor(sid: string, secret: string): string;
  /** The `jti` of the access token paired with the refresh `secret`. */
  jti(secret: string): string;
}

/** Builds the deriver; the secret must have at least 32 bytes. */
export function createRefreshDeriver(secret: SecretInput): RefreshDeriver {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (!(bytes instanceof Uint8Array) || bytes.length < 32) {
    throw new SessionConfigError(
      "refreshSecret must have at least 32 bytes; generate one with: node -e \"console.log(require('node:crypto').randomBytes(32).toString('base64url'))\"",
    );
  }
  // A key of its own, so the refresh derivation never shares a key with cookie signing.
  const key = Buffer.from(hkdfSync('sha256', bytes, new Uint8Array(0), 'coatcheck/refresh-successor/v1', 32));
  const mac = (label: string, ...parts: string[]) =>
    createHmac('sha256', key)
      .update(`${label}\0${parts.join('\0')}`)
      .digest('base64url');
  return {
    successor: (sid, value) => mac('successor', sid, value),
    jti: (value) => mac('jti', value).slice(0, 22),
  };
}
