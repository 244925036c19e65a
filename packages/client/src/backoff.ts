/**
 * Reconnection delays: exponential with "full jitter", so that thousands of browsers whose
 * server restarted do not all come back in the same millisecond.
 *
 * @module
 */

/** Options of {@link backoffDelay}. */
export interface BackoffOptions {
  /** First delay ceiling, in ms. @default 500 */
  readonly minDelayMs?: number;
  /** Largest delay, in ms. @default 30000 */
  readonly maxDelayMs?: number;
  /** Random number in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** Delay before reconnection attempt `attempt` (0-based): uniform in [ceiling/2, ceiling]. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const min = options.minDelayMs ?? 500;
  const max = options.maxDelayMs ?? 30_000;
  const random = options.random ?? Math.random;
  const ceiling = Math.min(max, min * 2 ** Math.min(attempt, 30));
  // Half fixed, half random: never a hot loop at 0 ms, still spread out.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
