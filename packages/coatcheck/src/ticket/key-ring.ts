/**
 * Signing keys for tickets. The first key signs; every key verifies, so a new key can be put
 * in front without logging anyone out, and cookies signed with an older key are re-signed.
 *
 * @module
 */
import { createHmac, hkdfSync, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { SessionConfigError } from '../errors.js';

/** A secret as given in configuration: a string (UTF-8) or raw bytes. */
export type SecretInput = string | Uint8Array;

/** Verified signing keys, derived per purpose. */
export interface KeyRing {
  /** Number of keys; index 0 signs. */
  readonly size: number;
  /** base64url HMAC-SHA256 of `message` with the signing key. */
  sign(message: string): string;
  /**
   * Index of the key whose signature equals `signature` (compared in constant time), or -1.
   * Every key is tried so the time spent does not depend on which one matches.
   */
  verify(message: string, signature: string): number;
}

const MIN_SECRET_BYTES = 32;

/** The one-liner every secret message offers: 32 random bytes, base64url. */
const GENERATE_SECRET_COMMAND = `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"`;

/** Which configured list a secret came from, for messages: its option and the variable it usually comes from. */
export interface SecretSource {
  /** The option, e.g. `secrets`. */
  readonly option: string;
  /** The environment variable an app usually reads it from, e.g. `SESSION_SECRET`. */
  readonly variable: string;
  /** What it is, e.g. `the session secret`. */
  readonly noun: string;
  /** What the first entry does and the others, e.g. `the first entry signs, the others only verify`. */
  readonly roles: string;
}

const SESSION_SECRETS: SecretSource = {
  option: 'secrets',
  variable: 'SESSION_SECRET',
  noun: 'the session secret',
  roles: 'the first entry signs, the others only verify',
};

// The usual way to pass the secret is `secrets: [process.env.SESSION_SECRET!]`: an unset
// variable arrives here as `undefined` and an empty one as ''. Both are the first thing a
// newcomer meets, so the message says where the value comes from and how to make one.
const howToSet = (source: SecretSource) =>
  `Set the ${source.variable} environment variable (or whichever one you pass in ${source.option}) to at least ${MIN_SECRET_BYTES} random bytes; generate one with: ${GENERATE_SECRET_COMMAND}`;

// Secrets copied from documentation and tutorials. Long enough to pass a length check,
// known to everyone. (TG-09)
const KNOWN_WEAK = new Set([
  'keyboard cat',
  'changeit',
  'secret',
  'complex_password_at_least_32_characters_long',
  'change-me-to-a-long-random-secret-of-32-chars',
  'your-secret-key',
  'supersecret',
]);

function toBytes(secret: SecretInput): Uint8Array {
  return typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
}

function describeMissing(secret: unknown, noun: string): string | null {
  if (secret === undefined || secret === null) return `is ${String(secret)}: ${noun} is not set`;
  if (secret === '') return `is an empty string: ${noun} is not set`;
  if (typeof secret !== 'string' && !(secret instanceof Uint8Array)) return `is a ${typeof secret}, not a string or Uint8Array`;
  return null;
}

function assertStrong(secret: SecretInput, index: number, source: SecretSource): void {
  const at = `${source.option}[${index}]`;
  const missing = describeMissing(secret, source.noun);
  if (missing !== null) throw new SessionConfigError(`${at} ${missing}. ${howToSet(source)}`);
  const bytes = toBytes(secret);
  if (typeof secret === 'string' && KNOWN_WEAK.has(secret.trim().toLowerCase())) {
    throw new SessionConfigError(`${at} is a published example secret. Generate one with: ${GENERATE_SECRET_COMMAND}`);
  }
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new SessionConfigError(`${at} has ${bytes.length} bytes; at least ${MIN_SECRET_BYTES} are required. Generate one with: ${GENERATE_SECRET_COMMAND}`);
  }
  if (new Set(bytes).size < 8) {
    throw new SessionConfigError(`${at} repeats a few characters; use random bytes.`);
  }
}

/**
 * Checks configured secrets (present, long, not a published example, not repetitive) and
 * expands each with HKDF under a purpose label: 32 bytes per secret, in the given order. A key
 * derived for one purpose is useless for another. (TG-11)
 */
export function deriveKeys(secrets: readonly SecretInput[], purpose: string, source: SecretSource = SESSION_SECRETS): Uint8Array[] {
  if (secrets === undefined || secrets === null) {
    throw new SessionConfigError(`${source.option} is required: pass ${source.option}: [process.env.${source.variable}]. ${howToSet(source)}`);
  }
  if (!Array.isArray(secrets) || secrets.length === 0) {
    throw new SessionConfigError(
      `${source.option} must be a non-empty array, e.g. ${source.option}: [process.env.${source.variable}]; ${source.roles} (for rotation). ${howToSet(source)}`,
    );
  }
  for (const [index, secret] of secrets.entries()) assertStrong(secret, index, source);
  return secrets.map((secret) => Buffer.from(hkdfSync('sha256', toBytes(secret), new Uint8Array(0), `coatcheck/${purpose}/v1`, 32)));
}

/** Builds a key ring from the session secrets, derived for `purpose` (see {@link deriveKeys}). */
export function createKeyRing(secrets: readonly SecretInput[], purpose: string): KeyRing {
  const keys: KeyObject[] = deriveKeys(secrets, purpose).map((bytes) => createSecretKey(bytes));
  const macOf = (key: KeyObject, message: string) => createHmac('sha256', key).update(message).digest('base64url');
  const signingKey = keys[0] as KeyObject;

  return {
    size: keys.length,
    sign: (message) => macOf(signingKey, message),
    verify(message, signature) {
      const given = Buffer.from(signature, 'latin1');
      let found = -1;
      for (let i = 0; i < keys.length; i++) {
        const expected = Buffer.from(macOf(keys[i] as KeyObject, message), 'latin1');
        // Compare encoded strings, not decoded bytes: base64url has several spellings of the
        // same bytes and only the canonical one may pass. (BI-02)
        if (expected.length === given.length && timingSafeEqual(expected, given) && found === -1) found = i;
      }
      return found;
    },
  };
}
