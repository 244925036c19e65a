/**
 * Refresh-token state, kept in the session record itself under a reserved data key.
 *
 * Why in the session record: it then lives in whichever store the sessions use (memory,
 * SQLite, Redis, Postgres) with no extra table or key space, it is written with the same
 * version-checked update as session data (two instances rotating at once cannot both win),
 * and ending the session (logout, device revocation, "log out everywhere", expiry) ends the
 * family with it: there is no second place that could be forgotten.
 *
 * The state holds hashes only: the current token, the one it replaced (for the grace
 * window) and a bounded list of older ones (to recognise replays). The decision about a
 * presented token is a pure function of the state, so it can be re-run on a fresh record
 * when a concurrent rotation wins the version check.
 *
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import { RESERVED_PREFIX } from 'coatcheck/bus';

/** The session data key holding the state. */
export const REFRESH_KEY = `${RESERVED_PREFIX}refresh`;

/** How many rotated hashes are remembered for replay detection. Older replays are only refused. */
const MAX_USED = 32;

/** What the record keeps about its token family. */
export interface RefreshState {
  readonly v: 1;
  /** Family id (random), reported in reuse events. */
  readonly family: string;
  /** Generation of the current token, 1 for the first. */
  readonly generation: number;
  /** Hash of the current token's secret. */
  readonly current: string;
  /** Hash of the token the current one replaced, or `null`. */
  readonly previous: string | null;
  /** Hashes of older rotated tokens, oldest first, at most {@link MAX_USED}. */
  readonly used: readonly string[];
  /** When the current token was issued (epoch ms); also its access token's `iat`. */
  readonly issuedAt: number;
  /** When the family was started (login or first visit), epoch ms. */
  readonly startedAt: number;
}

/** Limits applied to a family. */
export interface RefreshPolicy {
  /** Grace window after a rotation, ms. */
  readonly graceMs: number;
  /** Longest life of a family, ms. */
  readonly absoluteMs: number;
  /** Longest time a token may stay unused, ms. */
  readonly idleMs: number;
}

/** What to do with a presented token. */
export type RefreshDecision =
  | { readonly kind: 'rotate'; readonly next: RefreshState }
  | { readonly kind: 'grace'; readonly issuedAt: number }
  | { readonly kind: 'reuse'; readonly family: string }
  | { readonly kind: 'expired' }
  | { readonly kind: 'unknown' };

const HASH = /^[A-Za-z0-9_-]{22}$/;

/**
 * Whether two stored-form hashes are equal, in constant time: what a client presents is
 * compared the way the ticket's secret is, without an early exit on the first difference.
 * (AB-11)
 */
function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'latin1');
  const y = Buffer.from(b, 'latin1');
  return x.length === y.length && timingSafeEqual(x, y);
}
const isHash = (value: unknown): value is string => typeof value === 'string' && HASH.test(value);
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Reads the state out of session data; `null` when absent or not well-formed. */
export function readRefreshState(value: unknown): RefreshState | null {
  if (value === null || typeof value !== 'object') return null;
  const s = value as Record<string, unknown>;
  if (s.v !== 1 || typeof s.family !== 'string' || !isHash(s.current) || !(s.previous === null || isHash(s.previous))) return null;
  if (!Number.isSafeInteger(s.generation) || !isTime(s.issuedAt) || !isTime(s.startedAt)) return null;
  if (!Array.isArray(s.used) || s.used.length > MAX_USED || !s.used.every(isHash)) return null;
  return s as unknown as RefreshState;
}

/** The state of a new family whose first token has secret hash `current`. */
export function startFamily(family: string, current: string, now: number): RefreshState {
  return { v: 1, family, generation: 1, current, previous: null, used: [], issuedAt: now, startedAt: now };
}

/**
 * Decides about a presented token (`presented` = hash of its secret, `successor` = hash of
 * its derived successor):
 * - the current token, family within its limits: rotate to the successor;
 * - the token just replaced, within the grace window, whose successor is still current:
 *   answer with that same successor again (no new token, no revocation);
 * - any other token of the family that was already rotated: reuse, the family must end;
 * - anything else: unknown (a guess or a token of an ended family), refused only.
 */
export function decideRefresh(state: RefreshState | null, presented: string, successor: string, now: number, policy: RefreshPolicy): RefreshDecision {
  if (state === null) return { kind: 'unknown' };
  if (sameHash(presented, state.current)) {
    if (now - state.startedAt >= policy.absoluteMs || now - state.issuedAt >= policy.idleMs) return { kind: 'expired' };
    const used = state.previous === null ? state.used : [...state.used, state.previous].slice(-MAX_USED);
    return {
      kind: 'rotate',
      next: { ...state, generation: state.generation + 1, current: successor, previous: presented, used, issuedAt: Math.max(now, state.issuedAt) },
    };
  }
  if (state.previous !== null && sameHash(presented, state.previous)) {
    if (policy.graceMs > 0 && sameHash(successor, state.current) && now - state.issuedAt <= policy.graceMs) return { kind: 'grace', issuedAt: state.issuedAt };
    return { kind: 'reuse', family: state.family };
  }
  if (state.used.some((used) => sameHash(used, presented))) return { kind: 'reuse', family: state.family };
  return { kind: 'unknown' };
}
