/**
 * The in-process rate-limit backend. Exported from `coatcheck/rate-limit`.
 *
 * Bounded: keys whose time has passed are dropped by `prune` (the limiter's timer calls it
 * every minute), and past `maxKeys` keys the least recently hit one is dropped. State lives in one
 * process: use it for one instance, tests and development; several instances need a shared
 * backend (SQLite on one machine, Redis or Postgres across machines).
 *
 * @module
 */
import { SessionConfigError } from '../errors.js';
import { stepGcra, type RateLimitBackend } from './gcra.js';

/** Options of {@link memoryRateLimit}. */
export interface MemoryRateLimitOptions {
  /**
   * Upper bound on keys held. When full, the least recently hit key goes: a flood of fresh keys (spoofed addresses, made-up accounts) costs
   * bounded memory, at the price of forgetting the quietest keys. Size it above the keys
   * one window sees.
   * @default 100_000
   */
  maxKeys?: number;
}

/** A {@link RateLimitBackend} in this process's memory, with its current size. */
export interface MemoryRateLimit extends RateLimitBackend {
  readonly name: 'memory';
  /** Keys held right now (including ones whose time has passed and not yet pruned). */
  readonly size: number;
}

/**
 * Creates an in-memory backend.
 *
 * @example
 * ```ts
 * import { createRateLimiter, memoryRateLimit } from 'coatcheck/rate-limit'
 * const limiter = createRateLimiter({ backend: memoryRateLimit({ maxKeys: 10_000 }), name: 'login', rules: { address: { limit: 20, windowMs: 60_000 } } })
 * ```
 */
export function memoryRateLimit(options: MemoryRateLimitOptions = {}): MemoryRateLimit {
  const { maxKeys = 100_000 } = options;
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) {
    throw new SessionConfigError('memoryRateLimit: `maxKeys` must be a positive integer, e.g. 100_000.');
  }
  // Map order is insertion order; re-inserting on every allowed hit makes it LRU-by-hit.
  const tats = new Map<string, number>();

  function prune(now: number): number {
    let removed = 0;
    for (const [key, tat] of tats) {
      if (tat <= now) {
        tats.delete(key);
        removed++;
      }
    }
    return removed;
  }

  return {
    name: 'memory',
    get size() {
      return tats.size;
    },
    async consume(key, step) {
      const outcome = stepGcra(tats.get(key), step);
      if (!outcome.allowed) return outcome;
      tats.delete(key);
      // O(1) when full: a scan for passed keys per hit would let a flood of fresh keys cost
      // O(maxKeys) each. Passed keys are dropped by the limiter's prune timer instead.
      if (tats.size >= maxKeys) tats.delete(tats.keys().next().value as string);
      tats.set(key, outcome.tat);
      return outcome;
    },
    async reset(key) {
      tats.delete(key);
    },
    async prune(now) {
      return prune(now);
    },
    async close() {},
  };
}
