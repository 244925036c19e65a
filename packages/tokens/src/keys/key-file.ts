/**
 * Signing keys as configuration: a JSON document an operator keeps (in a secret manager, an
 * environment variable, or a file with mode 0600) and changes with three pure functions:
 * `generateKeyFile` once, `rotateKeyFile` to move to a new key with overlap, and
 * `retireKeys` to drop keys whose overlap has passed. Nothing is hard-coded.
 *
 * A key is in one of three states:
 * - `next`: published in the JWKS and accepted, not yet signing (so services that cache the
 *   JWKS learn it before the first token signed with it arrives);
 * - `current`: signs new tokens (exactly one);
 * - `previous`: still accepted until `retireAt`, so tokens signed before a rotation keep
 *   working until they expire; then removed.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { SessionConfigError } from 'coatcheck';

/** Algorithms coatcheck signs access tokens with. Each key is pinned to exactly one. */
export type TokenAlgorithm = 'EdDSA' | 'ES256' | 'HS256';

/** Every algorithm that may appear in a key file. */
export const TOKEN_ALGORITHMS: readonly TokenAlgorithm[] = Object.freeze(['EdDSA', 'ES256', 'HS256']);

/** Where a key is in its life. */
export type KeyState = 'next' | 'current' | 'previous';

/** One key: a private JWK (or an `oct` secret for HS256) plus its state. */
export interface StoredKey extends JWK {
  readonly kid: string;
  readonly alg: TokenAlgorithm;
  readonly state: KeyState;
  /** Epoch ms when the key was made. */
  readonly createdAt: number;
  /** Epoch ms after which a `previous` key is no longer accepted. */
  readonly retireAt?: number;
}

/** The key configuration of a token service. */
export interface TokenKeyFile {
  readonly keys: readonly StoredKey[];
}

function newKid(now: number): string {
  // Time-ordered and random: readable in logs, unguessable, never reused.
  return `${new Date(now).toISOString().slice(0, 10)}-${randomBytes(6).toString('base64url')}`;
}

/** Generates one key pinned to `alg`. HS256 keys are 32 random bytes. */
export async function generateTokenKey(alg: TokenAlgorithm, state: KeyState, now = Date.now()): Promise<StoredKey> {
  const kid = newKid(now);
  if (alg === 'HS256') {
    return { kty: 'oct', k: randomBytes(32).toString('base64url'), kid, alg, use: 'sig', state, createdAt: now };
  }
  if (alg !== 'EdDSA' && alg !== 'ES256') throw new SessionConfigError(`unsupported token algorithm "${String(alg)}"; use EdDSA, ES256 or HS256.`);
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid, alg, use: 'sig', state, createdAt: now };
}

/** A key file with one fresh `current` key. @default alg EdDSA */
export async function generateKeyFile(alg: TokenAlgorithm = 'EdDSA', now = Date.now()): Promise<TokenKeyFile> {
  return { keys: [await generateTokenKey(alg, 'current', now)] };
}

/** Adds a `next` key (published, not signing); replaces an existing `next`. */
export async function addNextKey(file: TokenKeyFile, alg: TokenAlgorithm = 'EdDSA', now = Date.now()): Promise<TokenKeyFile> {
  return { keys: [...file.keys.filter((key) => key.state !== 'next'), await generateTokenKey(alg, 'next', now)] };
}

/** Options of {@link rotateKeyFile}. */
export interface RotateOptions {
  /** Algorithm of the new key when there is no `next` key to promote. @default the current key's */
  alg?: TokenAlgorithm;
  /**
   * How long the old key stays accepted, in seconds: at least the access-token lifetime plus
   * the clock tolerance, so no token signed before the rotation is cut short. @default 3600
   */
  overlapSeconds?: number;
  now?: number;
}

/**
 * Moves signing to a new key: the `next` key if there is one (publish it first with
 * {@link addNextKey}), else a fresh one. The old `current` becomes `previous` until
 * `now + overlapSeconds`.
 */
export async function rotateKeyFile(file: TokenKeyFile, options: RotateOptions = {}): Promise<TokenKeyFile> {
  const { overlapSeconds = 3600, now = Date.now() } = options;
  if (!Number.isInteger(overlapSeconds) || overlapSeconds < 0) throw new SessionConfigError('overlapSeconds must be a non-negative whole number.');
  const current = file.keys.find((key) => key.state === 'current');
  const next = file.keys.find((key) => key.state === 'next');
  const promoted = next ? { ...next, state: 'current' as const } : await generateTokenKey(options.alg ?? current?.alg ?? 'EdDSA', 'current', now);
  const rest = file.keys
    .filter((key) => key !== current && key !== next)
    .concat(current ? [{ ...current, state: 'previous' as const, retireAt: now + overlapSeconds * 1000 }] : []);
  return { keys: [promoted, ...rest] };
}

/** Drops `previous` keys whose `retireAt` has passed. Tokens signed with them stop working. */
export function retireKeys(file: TokenKeyFile, now = Date.now()): TokenKeyFile {
  return { keys: file.keys.filter((key) => key.state !== 'previous' || (key.retireAt !== undefined && key.retireAt > now)) };
}

/** Drops one key at once, whatever its state except `current` (after a key leak). */
export function removeKey(file: TokenKeyFile, kid: string): TokenKeyFile {
  const key = file.keys.find((k) => k.kid === kid);
  if (key?.state === 'current') throw new SessionConfigError(`key "${kid}" is signing; rotate first, then remove it.`);
  return { keys: file.keys.filter((k) => k.kid !== kid) };
}
