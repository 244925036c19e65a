/**
 * Warning codes of `@coatcheck/redis` and the default reporters that emit them. Exported from
 * `@coatcheck/redis` (the codes). Codes are never reused; `docs/errors.md` lists them.
 *
 * @module
 */

/** A corrupt or foreign value under the store's prefix was deleted (default `onCorrupt`). */
export const CORRUPT_VALUE_WARNING = 'COATCHECK_W006';
/** Redis may evict session keys: `maxmemory-policy` is not `noeviction`. */
export const EVICTION_POLICY_WARNING = 'COATCHECK_W007';
/** `maxmemory-policy` could not be read (CONFIG not permitted or failed). */
export const CONFIG_UNCHECKED_WARNING = 'COATCHECK_W008';
/**
 * A Redis connection error, reported by the `'error'` listener this package attaches, or an
 * error of a bus listener.
 */
export const CONNECTION_ERROR_WARNING = 'COATCHECK_W009';

/** Default `onCorrupt`: names the key and the problem, never the value. */
export function warnCorrupt(key: string, error: Error): void {
  process.emitWarning(`coatcheck redis store deleted an unreadable value at ${key}: ${error.message}`, {
    code: CORRUPT_VALUE_WARNING,
  });
}

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
