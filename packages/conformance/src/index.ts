/**
 * `@coatcheck/conformance`: the coatcheck store contract as a `node:test` suite. Run it from
 * any store's tests to prove the store behaves exactly like the reference memory store.
 *
 * @example
 * ```ts
 * import { describeStoreConformance } from '@coatcheck/conformance'
 * import { memoryStore } from 'coatcheck/memory'
 *
 * describeStoreConformance('memoryStore', () => memoryStore({ sweepIntervalMs: 0 }))
 * ```
 *
 * @module
 */
export { describeStoreConformance } from './describe-store-conformance.js';
export type { StoreConformanceOptions } from './harness.js';
export {
  HOUR,
  MINUTE,
  buildRecord,
  nextVersion,
  randomId,
  randomSecretHash,
  randomUserId,
  type RecordInit,
} from './records.js';
export { describeRateLimitConformance, type RateLimitConformanceOptions } from './rate-limit.js';
