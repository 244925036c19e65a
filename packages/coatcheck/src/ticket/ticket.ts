/**
 * The ticket: what the browser holds. Format `<id>.<secret>.<signature>`, all base64url:
 * - `id`: 18 random bytes (24 chars), the store key, safe to show as a device handle;
 * - `secret`: 32 random bytes (43 chars); the store keeps only its SHA-256 hash, so a store
 *   dump cannot be replayed as a cookie;
 * - `signature`: HMAC-SHA256 of `id.secret` (43 chars), checked in constant time before any
 *   store lookup, so forged or guessed tickets never reach the store.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import type { KeyRing } from './key-ring.js';

/** Source of random bytes; injectable for tests. Must be a CSPRNG. */
export type RandomSource = (size: number) => Uint8Array;

/** A ticket's parts after a successful signature check. */
export interface VerifiedTicket {
  readonly id: string;
  readonly secret: string;
  /** Index of the key that verified it; > 0 means it should be re-signed. */
  readonly keyIndex: number;
}

const ID_BYTES = 18;
const SECRET_BYTES = 32;
const ID_LENGTH = 24;
const SECRET_LENGTH = 43;
const SIGNATURE_LENGTH = 43;
/** Exact length of a ticket string. */
export const TICKET_LENGTH = ID_LENGTH + 1 + SECRET_LENGTH + 1 + SIGNATURE_LENGTH;

const ID_PATTERN = /^[A-Za-z0-9_-]{24}$/;
const TICKET_PATTERN = /^[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/;

/** The default random source: Node's CSPRNG. */
export const cryptoRandom: RandomSource = (size) => randomBytes(size);

/** Whether a string has the exact shape of a ticket id. Checked before any store call. */
export function isTicketId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/** Draws a fresh id and secret from `random`. */
export function generateTicket(random: RandomSource): { id: string; secret: string } {
  const id = Buffer.from(random(ID_BYTES)).toString('base64url');
  const secret = Buffer.from(random(SECRET_BYTES)).toString('base64url');
  if (id.length !== ID_LENGTH || secret.length !== SECRET_LENGTH) {
    throw new TypeError('random source returned the wrong number of bytes');
  }
  return { id, secret };
}

/** Signs an id and secret into the ticket string. */
export function formatTicket(ring: KeyRing, id: string, secret: string): string {
  const body = `${id}.${secret}`;
  return `${body}.${ring.sign(body)}`;
}

/** Parses and verifies a ticket string. Returns `null` for anything not issued by us. */
export function verifyTicket(ring: KeyRing, value: string): VerifiedTicket | null {
  if (value.length !== TICKET_LENGTH || !TICKET_PATTERN.test(value)) return null;
  const body = value.slice(0, ID_LENGTH + 1 + SECRET_LENGTH);
  const keyIndex = ring.verify(body, value.slice(body.length + 1));
  if (keyIndex < 0) return null;
  return { id: value.slice(0, ID_LENGTH), secret: value.slice(ID_LENGTH + 1, body.length), keyIndex };
}

/** base64url SHA-256 of a ticket secret: the only form of it a store ever sees. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}
