/**
 * The per-user session cap (`maxSessionsPerUser`): its option, checked at start-up, and the
 * cap a login's create runs under. Internal, but for the option's type.
 *
 * @module
 */
import { SessionConfigError } from '../errors.js';
import type { SessionCap, SessionStore } from '../store/types.js';

/** The `maxSessionsPerUser` option of `createSessionManager` with its policy. */
export interface SessionLimitOptions {
  /** The most live sessions one user may have at once (a positive integer). */
  readonly max: number;
  /**
   * What a login beyond `max` does: end the user's session created first (`'evictOldest'`),
   * the one unused the longest (`'evictIdlest'`), or refuse the login (`'reject'`: 409
   * `ERR_SESSION_LIMIT_REACHED`, nothing written). @default 'evictOldest'
   */
  readonly policy?: 'evictOldest' | 'evictIdlest' | 'reject';
}

/** The cap a login's create runs under (`replaces` is set per login). */
export type ResolvedSessionLimit = Omit<SessionCap, 'replaces'>;

const LIMIT_POLICIES = { evictOldest: 'oldest', evictIdlest: 'idlest', reject: 'none' } as const;

/** `maxSessionsPerUser` as the cap a login runs under; throws `SessionConfigError` for one that cannot work. */
export function resolveSessionLimit(option: number | SessionLimitOptions | undefined): ResolvedSessionLimit | null {
  if (option === undefined) return null;
  const limit = typeof option === 'number' ? { max: option } : option;
  const example = "maxSessionsPerUser: 5, or { max: 5, policy: 'evictOldest' | 'evictIdlest' | 'reject' }";
  if (limit === null || typeof limit !== 'object' || !Number.isInteger(limit.max) || limit.max < 1) {
    throw new SessionConfigError(`maxSessionsPerUser must be a positive integer or an object with one (max): ${example}.`);
  }
  const policy = limit.policy ?? 'evictOldest';
  if (!Object.hasOwn(LIMIT_POLICIES, policy)) {
    throw new SessionConfigError(`maxSessionsPerUser.policy must be 'evictOldest', 'evictIdlest' or 'reject', not ${JSON.stringify(policy)}: ${example}.`);
  }
  return Object.freeze({ max: limit.max, evict: LIMIT_POLICIES[policy] });
}

/**
 * Throws `SessionConfigError` for a `maxSessionsPerUser` that cannot work, or a store that
 * cannot enforce it atomically.
 */
export function assertSessionLimit(option: number | SessionLimitOptions | undefined, store: SessionStore): void {
  if (option === undefined) return;
  resolveSessionLimit(option);
  if (typeof store.createCapped !== 'function') {
    throw new SessionConfigError(
      `store "${String(store.name)}" has no createCapped(), so it cannot enforce maxSessionsPerUser atomically. Every store of coatcheck has it; a store of your own must implement it and pass @coatcheck/conformance.`,
    );
  }
}
