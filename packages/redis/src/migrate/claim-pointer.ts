/**
 * The short-lived pointer from an old session id to the coatcheck cookie it became, kept in
 * Redis so every request carrying the old cookie (on any instance) gets the same new one.
 *
 * The pointer holds a live cookie value, so it is sealed: the key name is a hash of the old
 * id and the value is AES-256-GCM under a key derived from the old id itself. Reading it
 * takes the old cookie's id, which only its holder has (the old `sess:<id>` key is deleted
 * once the pointer is written), so a dump of Redis yields no usable cookie.
 *
 * @module
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/** What a migrated request continues with: the new cookie and its `Set-Cookie` values. */
export interface MovedSession {
  /** The coatcheck cookie's name. */
  readonly name: string;
  /** Its value, as the browser will send it. */
  readonly value: string;
  /** The `Set-Cookie` values the commit produced. */
  readonly setCookie: readonly string[];
}

/** Value of a pointer while the winning request migrates. */
export const PENDING = 'pending';
/** Value of a pointer whose old session had nothing to migrate (expired, empty). */
const NOTHING = 'none';

/** The pointer's key for an old session id. */
export function pointerKey(prefix: string, oldId: string): string {
  return `${prefix}${createHash('sha256').update(oldId).digest('base64url')}`;
}

function keyFor(oldId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', oldId, new Uint8Array(0), 'coatcheck/express-session-bridge/v1', 32));
}

/** Seals what the old id became (or `NOTHING`). */
export function sealPointer(oldId: string, moved: MovedSession | null): string {
  if (moved === null) return NOTHING;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(oldId), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(moved), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** Opens a sealed pointer; `null` for `NOTHING` or anything that does not open. */
export function openPointer(oldId: string, sealed: string): MovedSession | null {
  if (sealed === NOTHING) return null;
  try {
    const bytes = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', keyFor(oldId), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    const json = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    const value = JSON.parse(json) as MovedSession;
    return typeof value.name === 'string' && typeof value.value === 'string' && Array.isArray(value.setCookie) ? value : null;
  } catch {
    return null;
  }
}
