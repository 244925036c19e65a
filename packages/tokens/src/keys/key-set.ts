/**
 * The imported keys of a token service: every key pinned to its one algorithm (RFC 8725
 * §3.1), looked up by `kid` in a `Map` (never a path, a query or an object property), and the
 * public JWKS other services verify with.
 *
 * @module
 */
import { createHash, webcrypto } from 'node:crypto';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import { SessionConfigError } from 'coatcheck';
import { TOKEN_ALGORITHMS, type StoredKey, type TokenAlgorithm, type TokenKeyFile } from './key-file.js';

/** One usable key. */
export interface ActiveKey {
  readonly kid: string;
  readonly alg: TokenAlgorithm;
  /** Verification key (public key, or the secret for HS256). */
  readonly verifyKey: CryptoKey | Uint8Array;
  /** Signing key (private key, or the secret for HS256). */
  readonly signKey: CryptoKey | Uint8Array;
  /** Epoch ms after which tokens signed with it are refused (`Infinity` unless retiring). */
  readonly retireAt: number;
}

/** Imported keys. */
export interface KeySet {
  /** Signs new tokens. */
  readonly signing: ActiveKey;
  /** Every accepted key by `kid`. */
  readonly byKid: ReadonlyMap<string, ActiveKey>;
  /** Algorithms of the accepted keys: the allow-list handed to the verifier. */
  readonly algorithms: readonly TokenAlgorithm[];
  /** Public keys (`next`, `current`, `previous`; never HS256 secrets). */
  readonly jwks: { readonly keys: readonly JWK[] };
}

const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

// What each algorithm's key must look like; anything else is a start-up error. (JW-04)
function assertShape(key: StoredKey, index: number): void {
  const where = `keys[${index}] (kid ${JSON.stringify(key.kid)})`;
  if (!TOKEN_ALGORITHMS.includes(key.alg))
    throw new SessionConfigError(
      `${where}: alg must be one of ${TOKEN_ALGORITHMS.join(', ')}; got ${JSON.stringify(key.alg)}. Every key is pinned to one algorithm.`,
    );
  if (typeof key.kid !== 'string' || !KID_PATTERN.test(key.kid)) throw new SessionConfigError(`${where}: kid must be 1-64 characters of A-Z a-z 0-9 . _ -`);
  if (key.state !== 'next' && key.state !== 'current' && key.state !== 'previous')
    throw new SessionConfigError(`${where}: state must be next, current or previous.`);
  const ok =
    key.alg === 'EdDSA'
      ? key.kty === 'OKP' && key.crv === 'Ed25519' && typeof key.d === 'string'
      : key.alg === 'ES256'
        ? key.kty === 'EC' && key.crv === 'P-256' && typeof key.d === 'string'
        : key.kty === 'oct' && typeof key.k === 'string' && Buffer.from(key.k, 'base64url').length >= 32;
  if (!ok) {
    const need =
      key.alg === 'EdDSA' ? 'an OKP Ed25519 private key' : key.alg === 'ES256' ? 'an EC P-256 private key' : 'an oct key of at least 32 random bytes';
    throw new SessionConfigError(
      `${where}: ${key.alg} needs ${need}; got kty ${JSON.stringify(key.kty)}${key.crv ? ` crv ${JSON.stringify(key.crv)}` : ''}. Generate keys with generateKeyFile().`,
    );
  }
}

function publicPart(key: StoredKey): JWK {
  const { kty, crv, x, y } = key;
  return { kty, crv, x, ...(y ? { y } : {}), kid: key.kid, alg: key.alg, use: 'sig' } as JWK;
}

/**
 * Validates and imports a key file. Throws `SessionConfigError` when a key cannot work, when
 * there is not exactly one `current` key, or when a `kid` repeats.
 */
export async function importKeySet(file: TokenKeyFile, now = Date.now()): Promise<KeySet> {
  if (file === null || typeof file !== 'object' || !Array.isArray(file.keys) || file.keys.length === 0) {
    throw new SessionConfigError('keys must be a key file { keys: [...] } with at least one key; create one with generateKeyFile().');
  }
  file.keys.forEach(assertShape);
  const live = file.keys.filter((key) => key.state !== 'previous' || (key.retireAt ?? 0) > now);
  const current = live.filter((key) => key.state === 'current');
  if (current.length !== 1) throw new SessionConfigError(`the key file needs exactly one key with state "current"; it has ${current.length}.`);
  const byKid = new Map<string, ActiveKey>();
  for (const key of live) {
    if (byKid.has(key.kid)) throw new SessionConfigError(`kid ${JSON.stringify(key.kid)} appears twice in the key file.`);
    let active: ActiveKey;
    if (key.alg === 'HS256') {
      // Imported once as a non-extractable CryptoKey: jose would re-import raw bytes on every
      // call (about twice the cost of a verification), and the secret stays out of reach.
      const secret = Buffer.from(key.k as string, 'base64url');
      const hmacKey = (await webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])) as unknown as CryptoKey;
      active = { kid: key.kid, alg: key.alg, verifyKey: hmacKey, signKey: hmacKey, retireAt: retireAtOf(key) };
    } else {
      const signKey = await importJWK(privatePart(key), key.alg);
      const verifyKey = await importJWK(publicPart(key), key.alg);
      active = { kid: key.kid, alg: key.alg, verifyKey, signKey, retireAt: retireAtOf(key) };
    }
    byKid.set(key.kid, active);
  }
  const algorithms = [...new Set([...byKid.values()].map((key) => key.alg))];
  return Object.freeze({
    signing: byKid.get((current[0] as StoredKey).kid) as ActiveKey,
    byKid,
    algorithms: Object.freeze(algorithms),
    jwks: Object.freeze({ keys: Object.freeze(live.filter((key) => key.alg !== 'HS256').map(publicPart)) }),
  });
}

function retireAtOf(key: StoredKey): number {
  return key.state === 'previous' ? (key.retireAt ?? 0) : Infinity;
}

function privatePart(key: StoredKey): JWK {
  const { kty, crv, x, y, d } = key;
  return { kty, crv, x, ...(y ? { y } : {}), d } as JWK;
}

/** A short fingerprint of a key file, for logs ("which keys is this instance using?"). */
export function fingerprintKeys(set: KeySet): string {
  return createHash('sha256')
    .update([...set.byKid.keys()].sort().join(','))
    .digest('base64url')
    .slice(0, 12);
}
