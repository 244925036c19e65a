/**
 * The rate-limit backend contract as a `node:test` suite. Exported from
 * `@coatcheck/conformance`.
 *
 * @module
 */
import { describe } from 'node:test';
import type { RateLimitBackend } from 'coatcheck/rate-limit';
import { describeRateLimitAtomicity, describeRateLimitExpiry } from './rate-limit-shared.js';
import { describeRateLimitVerdicts } from './rate-limit-verdicts.js';

/** Options of {@link describeRateLimitConformance}. */
export interface RateLimitConformanceOptions {
  /**
   * Called after every test with each backend it opened. Replaces the default, so a backend
   * shared between tests can be kept open here.
   * @default (backend) => backend.close()
   */
  cleanup?: (backend: RateLimitBackend) => Promise<void> | void;
  /**
   * Whether the backend still holds `key` (the backend key, as `consume` received it). Given,
   * the expiry test checks that `prune` drops exactly the keys whose time has passed.
   */
  holds?: (key: string) => Promise<boolean>;
  /**
   * For a backend whose keys expire by themselves (Redis): how many ms `key` has left, or
   * `null` when it is gone. The expiry test then checks the key lives exactly until its
   * time passes, and `prune` may resolve with 0.
   */
  ttlOf?: (key: string) => Promise<number | null>;
  /** Limiter instances in the concurrency test, each on its own `open()`. @default 4 */
  instances?: number;
  /** Parallel hits in the concurrency test, spread over the instances. @default 200 */
  hits?: number;
}

/** What every part of the suite receives. Internal. */
export interface RateLimitHarness {
  readonly options: Readonly<Omit<RateLimitConformanceOptions, 'cleanup'>> & { readonly instances: number; readonly hits: number };
  /** Runs `body` with `count` backends from the user's factory, releasing them afterwards. */
  with(count: number, body: (backends: RateLimitBackend[]) => Promise<void>): () => Promise<void>;
}

/**
 * Registers the rate-limit backend contract: exact verdicts (`remaining`, `retryAfterMs`,
 * `resetMs`) at an injected clock, refills, independent keys, `reset`, a clock going
 * backwards, N parallel hits over several instances letting exactly the burst through, a
 * model-based comparison with `stepGcra`, and expiry of passed keys.
 *
 * `open` is called once per backend a test needs (the concurrency test needs `instances`):
 * every backend it returns must share ONE storage (the same file, server, table or
 * prefix), as the app's instances would. Every test uses fresh random limiter names, so
 * the storage may be shared with other tests.
 *
 * @param name Title of the top-level `describe`.
 * @param open Returns a backend on the shared storage.
 * @param options See {@link RateLimitConformanceOptions}.
 *
 * @example
 * ```ts
 * import { describeRateLimitConformance } from '@coatcheck/conformance'
 * import { memoryRateLimit } from 'coatcheck/rate-limit'
 *
 * const backend = memoryRateLimit()
 * describeRateLimitConformance('memoryRateLimit', () => backend, { cleanup: () => {} })
 * ```
 */
export function describeRateLimitConformance(
  name: string,
  open: () => Promise<RateLimitBackend> | RateLimitBackend,
  options: RateLimitConformanceOptions = {},
): void {
  const { cleanup, instances = 4, hits = 200, ...rest } = options;
  if (!Number.isInteger(instances) || instances < 2) throw new TypeError('instances must be an integer >= 2');
  if (!Number.isInteger(hits) || hits < instances) throw new TypeError('hits must be an integer >= instances');
  const harness: RateLimitHarness = {
    options: { ...rest, instances, hits },
    with: (count, body) => async () => {
      const backends: RateLimitBackend[] = [];
      try {
        for (let i = 0; i < count; i++) backends.push(await open());
        await body(backends);
      } finally {
        for (const backend of backends) await (cleanup ? cleanup(backend) : backend.close());
      }
    },
  };
  describe(name, () => {
    describeRateLimitVerdicts(harness);
    describeRateLimitAtomicity(harness);
    describeRateLimitExpiry(harness);
  });
}
