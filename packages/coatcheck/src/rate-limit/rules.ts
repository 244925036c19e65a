/**
 * Validation of the limiter's options and the key layout. Internal: the checks run once, in
 * `createRateLimiter`, and every message says how to fix the option.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { SessionConfigError } from '../errors.js';
import type { RateLimitBackend } from './gcra.js';

/** One limit: `limit` hits per `windowMs` on average, `burst` of them at once. */
export interface RateLimitRule {
  /** Hits let through per window, on average (a positive integer). */
  limit: number;
  /** The window, in ms; at least `limit` (one hit per ms is the finest rate). */
  windowMs: number;
  /**
   * Hits let through at once by a key that has been quiet for a window. Lower it to
   * spread the hits out; raise it above `limit` to absorb bursts.
   * @default limit
   */
  burst?: number;
}

/** A rule after validation: the GCRA quantities in whole milliseconds. */
export interface ResolvedRule {
  /** Emission interval: the time one hit takes to refill, `windowMs / limit` rounded up. */
  readonly intervalMs: number;
  /** `intervalMs * burst`: how far ahead of now a key's TAT may run. */
  readonly capacityMs: number;
  readonly burst: number;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const DIMENSION = /^[A-Za-z0-9_-]{1,32}$/;
const MAX_WINDOW_MS = 366 * 24 * 3600 * 1000;

const isPositiveInteger = (value: unknown, max = Number.MAX_SAFE_INTEGER): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= max;

/** Validates one rule; `where` names it in messages (`rules.account[1]`). */
function resolveRule(where: string, rule: unknown): ResolvedRule {
  if (rule === null || typeof rule !== 'object') {
    throw new SessionConfigError(`createRateLimiter: \`${where}\` must be a rule such as { limit: 5, windowMs: 60_000 }.`);
  }
  const { limit, windowMs, burst = limit } = rule as RateLimitRule;
  if (!isPositiveInteger(limit)) {
    throw new SessionConfigError(`createRateLimiter: \`${where}.limit\` must be a positive integer (hits per window), e.g. 5.`);
  }
  if (!isPositiveInteger(windowMs, MAX_WINDOW_MS)) {
    throw new SessionConfigError(
      `createRateLimiter: \`${where}.windowMs\` must be a whole number of milliseconds between 1 and one year, e.g. 60_000 for a minute.`,
    );
  }
  if (windowMs < limit) {
    throw new SessionConfigError(
      `createRateLimiter: \`${where}\` allows ${limit} hits in ${windowMs} ms; the finest rate is one hit per ms. Lengthen windowMs (${limit} hits per ${limit * 1000} ms is the same rate per second).`,
    );
  }
  if (!isPositiveInteger(burst, 1_000_000)) {
    throw new SessionConfigError(
      `createRateLimiter: \`${where}.burst\` must be a positive integer up to 1,000,000 (hits at once), or left out to equal limit.`,
    );
  }
  // Rounded up, so the limit is never exceeded and every backend computes with exact integers.
  const intervalMs = Math.ceil(windowMs / limit);
  return Object.freeze({ intervalMs, capacityMs: intervalMs * burst, burst });
}

/** Validates `rules` into tiers per dimension. */
export function resolveRules(rules: unknown): ReadonlyMap<string, readonly ResolvedRule[]> {
  if (rules === null || typeof rules !== 'object' || Array.isArray(rules) || Object.keys(rules).length === 0) {
    throw new SessionConfigError('createRateLimiter: `rules` must name at least one dimension, e.g. { address: { limit: 20, windowMs: 60_000 } }.');
  }
  const resolved = new Map<string, readonly ResolvedRule[]>();
  for (const [dimension, value] of Object.entries(rules)) {
    if (!DIMENSION.test(dimension)) {
      throw new SessionConfigError(`createRateLimiter: rule name \`${dimension}\` must be 1-32 letters, digits, _ or -, e.g. 'account'.`);
    }
    const tiers: unknown[] = Array.isArray(value) ? value : [value];
    if (tiers.length === 0 || tiers.length > 8) {
      throw new SessionConfigError(`createRateLimiter: \`rules.${dimension}\` must be a rule or a list of 1 to 8 rules.`);
    }
    resolved.set(dimension, Object.freeze(tiers.map((tier, i) => resolveRule(Array.isArray(value) ? `rules.${dimension}[${i}]` : `rules.${dimension}`, tier))));
  }
  return resolved;
}

/** Validates the limiter's name. */
export function assertName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new SessionConfigError("createRateLimiter: `name` must be 1-64 letters, digits, _ . or -, naming what is limited, e.g. 'login'.");
  }
}

/** Validates the backend's shape. */
export function assertBackend(backend: unknown): asserts backend is RateLimitBackend {
  const candidate = backend as Partial<Record<keyof RateLimitBackend, unknown>> | null;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    typeof candidate.consume !== 'function' ||
    typeof candidate.reset !== 'function' ||
    typeof candidate.prune !== 'function'
  ) {
    throw new SessionConfigError(
      "createRateLimiter: `backend` must be a rate-limit backend: memoryRateLimit() from 'coatcheck/rate-limit', or sqliteRateLimit, redisRateLimit, postgresRateLimit from the store packages.",
    );
  }
}

/**
 * The backend key of one tier of one dimension. The value (an address, an e-mail) is
 * hashed: the key has a fixed length whatever a client sends, no character of it can reach
 * a Redis hash tag or a `SCAN` pattern, and the value is not stored verbatim.
 */
export function backendKey(name: string, dimension: string, tier: number, value: unknown): string {
  // A missing value (undefined, null) is a bucket of its own: the rule is never skipped.
  const digest = createHash('sha256')
    .update(String(value ?? ''))
    .digest('base64url');
  return `${name}:${dimension}:${tier}:${digest}`;
}
