/**
 * The entry point of the conformance suite. Exported from `@coatcheck/conformance`.
 *
 * @module
 */
import { describe } from 'node:test';
import { SessionConfigError } from 'coatcheck';
import type { SessionStore } from 'coatcheck/store-kit';
import { describeBasics } from './basics.js';
import { describeWrites } from './writes.js';
import { describeExpiry } from './expiry.js';
import { describeUserIndex } from './user-index.js';
import { describeConcurrency } from './concurrency.js';
import { describeModelBased } from './model-based.js';
import { describeHistory } from './history.js';
import { describeCappedCreate } from './capped-create.js';
import type { StoreConformanceOptions, SuiteHarness } from './harness.js';

/**
 * Registers the store contract as `node:test` suites: get/create/update/touch/delete
 * semantics and data fidelity, expiry at an explicit `now` and pruning, the per-user index,
 * concurrent compare-and-set, a model-based property test against `memoryStore`, the capped
 * create of a per-user session limit (racing from two stores when they share a backend), and
 * the session history (for a store that keeps one), including across a restart (`options.restart`).
 *
 * `makeStore` is called for every test (and for every model-based run); after each, the
 * store goes to `options.cleanup`, which defaults to `store.close()`. Every test uses fresh
 * random ids and user ids, so stores may share one backend. Prune counts are exact, though:
 * run one suite per backend namespace (key prefix, table, database) at a time.
 *
 * > [!NOTE]
 * > Times handed to the store stay close to `Date.now()`, and records live for minutes to
 * > hours of real time, so a backend with native TTLs (Redis) keeps them alive for the
 * > whole test while the suite moves `now` past their expiry.
 *
 * @param name Title of the top-level `describe`.
 * @param makeStore Returns a store; fresh, or shared and cleaned by `options.cleanup`.
 * @param options See {@link StoreConformanceOptions}.
 *
 * @example
 * ```ts
 * // test/conformance.test.ts, run with `node --test`
 * import { describeStoreConformance } from '@coatcheck/conformance'
 * import { myStore } from '../src/index.js'
 *
 * describeStoreConformance('myStore', () => myStore({ url: process.env.MY_URL }))
 * ```
 */
export function describeStoreConformance(name: string, makeStore: () => Promise<SessionStore> | SessionStore, options: StoreConformanceOptions = {}): void {
  const { cleanup, restart, nativeExpiry = false, numRuns = 60, concurrency = 50 } = options;
  if (!Number.isInteger(numRuns) || numRuns < 1) throw new SessionConfigError('describeStoreConformance: numRuns must be a positive integer');
  if (!Number.isInteger(concurrency) || concurrency < 2) throw new SessionConfigError('describeStoreConformance: concurrency must be an integer >= 2');

  const harness: SuiteHarness = {
    options: { nativeExpiry, numRuns, concurrency },
    restart: restart ?? null,
    open: async () => makeStore(),
    release: async (store) => {
      if (cleanup) await cleanup(store);
      else await store.close();
    },
  };

  describe(name, () => {
    describeBasics(harness);
    describeWrites(harness);
    describeExpiry(harness);
    describeUserIndex(harness);
    describeConcurrency(harness);
    describeModelBased(harness);
    describeHistory(harness);
    describeCappedCreate(harness);
  });
}
