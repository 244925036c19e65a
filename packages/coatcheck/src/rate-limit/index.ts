/**
 * `coatcheck/rate-limit`: a rate limiter on the session stores, for logins, sign-ups and
 * anything else a client may try too often.
 *
 * Rules are per dimension (an account, a client address), each checked with GCRA on a
 * backend every instance shares: {@link memoryRateLimit} here, and `sqliteRateLimit`,
 * `redisRateLimit`, `postgresRateLimit` in the store packages. A hit answers a value,
 * `{ allowed, retryAfterMs, remaining, resetMs, limitedBy }`; send 429 with `Retry-After`
 * when it is refused. See `docs/rate-limit.md`.
 *
 * @example
 * ```ts
 * import { createRateLimiter, memoryRateLimit, retryAfterSeconds } from 'coatcheck/rate-limit'
 *
 * const logins = createRateLimiter({
 *   backend: memoryRateLimit(),
 *   name: 'login',
 *   rules: { address: { limit: 20, windowMs: 60_000 }, account: { limit: 5, windowMs: 60_000 } },
 * })
 * const verdict = await logins.hit({ address: ip, account: email })
 * if (!verdict.allowed) return reply.code(429).header('retry-after', retryAfterSeconds(verdict)).send()
 * ```
 *
 * @module
 */
export { createRateLimiter, retryAfterSeconds, RATE_LIMIT_PRUNE_WARNING } from './limiter.js';
export type { RateLimiter, RateLimiterOptions, RateLimitVerdict } from './limiter.js';
export type { RateLimitRule } from './rules.js';
export { stepGcra } from './gcra.js';
export type { GcraOutcome, GcraStep, RateLimitBackend } from './gcra.js';
export { memoryRateLimit } from './memory-backend.js';
export { addressKey } from './address-key.js';
export type { MemoryRateLimit, MemoryRateLimitOptions } from './memory-backend.js';
