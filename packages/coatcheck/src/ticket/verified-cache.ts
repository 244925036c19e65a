/**
 * A bounded cache of tickets that already passed their signature check, so a session used by
 * many requests pays for one HMAC and one SHA-256, not one per request.
 *
 * Only tickets whose signature verified are cached, keyed by the whole ticket string, so a
 * forged ticket can never be served from it. Liveness is not cached: every request still
 * reads the record, so a revoked session is rejected on its next request.
 *
 * @module
 */
import { hashSecret, verifyTicket, type VerifiedTicket } from './ticket.js';
import type { KeyRing } from './key-ring.js';

/** A verified ticket with the hash of its secret, ready to compare with the store's. */
interface CheckedTicket extends VerifiedTicket {
  readonly secretHash: string;
}

/** Verifies tickets, remembering the last `max` that passed. */
export interface TicketVerifier {
  verify(value: string): CheckedTicket | null;
}

/** Creates a verifier over `ring` with a cache of `max` entries (0 disables caching). */
export function createTicketVerifier(ring: KeyRing, max: number): TicketVerifier {
  const cache = new Map<string, CheckedTicket>();
  return {
    verify(value) {
      const hit = cache.get(value);
      if (hit !== undefined) return hit;
      const ticket = verifyTicket(ring, value);
      if (ticket === null) return null;
      const checked: CheckedTicket = { ...ticket, secretHash: hashSecret(ticket.secret) };
      if (max > 0) {
        // Oldest-first eviction keeps memory bounded whatever the traffic.
        if (cache.size >= max) cache.delete(cache.keys().next().value as string);
        cache.set(value, checked);
      }
      return checked;
    },
  };
}

/**
 * Compares two equal-length ASCII strings (base64url hashes) without an early exit, so the
 * time taken does not reveal how many leading characters match.
 */
export function hashesEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
