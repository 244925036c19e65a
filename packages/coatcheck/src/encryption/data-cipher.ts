/**
 * Encryption of session data at rest: AES-256-GCM of a record's `data`, bound to the record's
 * id, under keys derived from configured secrets. The first key seals; every key opens, so a
 * new key goes in front and the old one stays until everything was re-encrypted. Part of
 * `coatcheck/store-kit` (for tools that read stores directly, such as the CLI).
 *
 * A sealed `data` is an object with one property, {@link SEALED_PROPERTY}, whose value is
 * `<key id>:<base64url of iv, ciphertext and tag>`. Everything else of the record (user id,
 * expiry, device, versions) stays readable, so the user index and expiry still work.
 *
 * @module
 */
import { createCipheriv, createDecipheriv, createHash, createSecretKey, randomFillSync, type KeyObject } from 'node:crypto';
import { deriveKeys, type SecretInput, type SecretSource } from '../ticket/key-ring.js';
import type { SessionData } from '../store/types.js';

/** The one property of a sealed `data`. No app data has it: it is not a valid identifier in most code and is namespaced. */
export const SEALED_PROPERTY = '$coatcheck:aes-256-gcm';

const ENCRYPTION_KEYS: SecretSource = {
  option: 'encryption.keys',
  variable: 'SESSION_ENCRYPTION_KEY',
  noun: 'the encryption key',
  roles: 'the first entry encrypts, the others only decrypt',
};
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What {@link DataCipher.open} gives: the data, or why it cannot be read. Expected outcomes, not exceptions. */
export type OpenedData =
  | { readonly ok: true; readonly data: SessionData; readonly keyId: string | null }
  | { readonly ok: false; readonly reason: 'unknown-key' | 'unreadable'; readonly keyId: string | null };

/** Seals and opens the `data` of records. */
export interface DataCipher {
  /** The id of the key that seals (the first one). */
  readonly keyId: string;
  /** Every key id, the sealing one first. */
  readonly keyIds: readonly string[];
  /** `data` sealed under the first key, bound to `recordId`. */
  seal(recordId: string, data: SessionData): SessionData;
  /** `data` opened; plain (never sealed) data is returned as it is, with `keyId: null`. */
  open(recordId: string, data: SessionData): OpenedData;
  /** The id of the key `data` was sealed with, or `null` for plain data. */
  keyIdOf(data: SessionData): string | null;
}

/**
 * Creates a cipher from secrets, each at least 32 random bytes, the sealing one first.
 *
 * @throws `SessionConfigError` naming `encryption.keys[i]` for a missing, short or published secret.
 * @example
 * ```ts
 * import { createDataCipher } from 'coatcheck/store-kit'
 * const cipher = createDataCipher([process.env.SESSION_ENCRYPTION_KEY!])
 * ```
 */
export function createDataCipher(secrets: readonly SecretInput[]): DataCipher {
  const keys = deriveKeys(secrets, 'data-encryption', ENCRYPTION_KEYS);
  // A key id says which key sealed a record without revealing anything usable about it.
  const ids = keys.map((key) => createHash('sha256').update('coatcheck key id').update(key).digest('base64url').slice(0, 8));
  // Key objects, made once: a raw key would be imported again by every cipher.
  const byId = new Map(ids.map((id, index) => [id, createSecretKey(keys[index] as Uint8Array)]));
  const sealingKey = byId.get(ids[0] as string) as KeyObject;
  const sealingId = ids[0] as string;
  // Nonces from a pooled buffer: one random fill per 512 records instead of one call each.
  const pool = Buffer.alloc(IV_BYTES * 512);
  let offset = pool.length;
  const nextIv = (): Buffer => {
    if (offset === pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    offset += IV_BYTES;
    return Buffer.from(pool.subarray(offset - IV_BYTES, offset));
  };

  function sealed(data: SessionData): string | null {
    const value = data[SEALED_PROPERTY];
    return typeof value === 'string' && Object.keys(data).length === 1 ? value : null;
  }

  return Object.freeze({
    keyId: sealingId,
    keyIds: Object.freeze([...ids]),
    seal(recordId: string, data: SessionData): SessionData {
      const iv = nextIv();
      const cipher = createCipheriv('aes-256-gcm', sealingKey, iv);
      cipher.setAAD(Buffer.from(recordId, 'utf8'));
      const body = Buffer.concat([iv, cipher.update(JSON.stringify(data), 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return { [SEALED_PROPERTY]: `${sealingId}:${body.toString('base64url')}` };
    },
    open(recordId: string, data: SessionData): OpenedData {
      const value = sealed(data);
      if (value === null) return { ok: true, data, keyId: null };
      const colon = value.indexOf(':');
      const keyId = colon === -1 ? null : value.slice(0, colon);
      const key = keyId === null ? undefined : byId.get(keyId);
      if (key === undefined) return { ok: false, reason: keyId === null ? 'unreadable' : 'unknown-key', keyId };
      const body = Buffer.from(value.slice(colon + 1), 'base64url');
      if (body.length < IV_BYTES + TAG_BYTES) return { ok: false, reason: 'unreadable', keyId };
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(recordId, 'utf8'));
        decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
        const text = Buffer.concat([decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
        const opened: unknown = JSON.parse(text);
        if (opened === null || typeof opened !== 'object' || Array.isArray(opened)) return { ok: false, reason: 'unreadable', keyId };
        return { ok: true, data: opened as SessionData, keyId };
      } catch {
        // A wrong tag (tampered, or moved to another record) or a broken body: never readable.
        return { ok: false, reason: 'unreadable', keyId };
      }
    },
    keyIdOf(data: SessionData): string | null {
      const value = sealed(data);
      if (value === null) return null;
      const colon = value.indexOf(':');
      return colon === -1 ? null : value.slice(0, colon);
    },
  });
}
