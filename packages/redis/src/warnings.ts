/**
 * Warning codes of `@coatcheck/redis` and the default reporters that emit them. Exported from
 * `@coatcheck/redis` (the codes). The codes come from the one registry, `WARNINGS` of
 * `coatcheck/warnings`, which `docs/errors.md` mirrors.
 *
 * @module
 */
import { reportCorrupt } from 'coatcheck/store-kit';
import { WARNINGS } from 'coatcheck/warnings';

/** A corrupt or foreign value under the store's prefix was deleted (default `onCorrupt`). */
export const CORRUPT_VALUE_WARNING = WARNINGS.REDIS_CORRUPT_VALUE.code;
/** Redis may evict session keys: `maxmemory-policy` is not `noeviction`. */
export const EVICTION_POLICY_WARNING = WARNINGS.REDIS_EVICTION_POLICY.code;
/** `maxmemory-policy` could not be read (CONFIG not permitted or failed). */
export const CONFIG_UNCHECKED_WARNING = WARNINGS.REDIS_CONFIG_UNCHECKED.code;
/**
 * A Redis connection error, reported by the `'error'` listener this package attaches, or an
 * error of a bus listener.
 */
export const CONNECTION_ERROR_WARNING = WARNINGS.REDIS_CONNECTION_ERROR.code;

/** Default `onCorrupt`: names the key and the problem, never the value. */
export const warnCorrupt = reportCorrupt('redis', CORRUPT_VALUE_WARNING);

/**
 * Returns a reporter that emits {@link CONNECTION_ERROR_WARNING} at most once per
 * `intervalMs`, with the number of errors it swallowed in between: a client retrying a dead
 * server reports an error per attempt, which must not flood the logs.
 */
export function rateLimitedWarning(source: string, intervalMs = 10_000): (error: unknown) => void {
  let last = -Infinity;
  let suppressed = 0;
  return (error) => {
    const now = Date.now();
    if (now - last < intervalMs) {
      suppressed++;
      return;
    }
    last = now;
    const message = error instanceof Error ? error.message || error.name : String(error);
    const more = suppressed > 0 ? ` (${suppressed} more since the last report)` : '';
    suppressed = 0;
    process.emitWarning(`${source}: ${message}${more}`, { code: CONNECTION_ERROR_WARNING });
  };
}
