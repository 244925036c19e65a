/**
 * Building blocks for session stores. Exported from `coatcheck/store-kit`.
 *
 * The contract is `SessionStore` (with `SessionRecord`, `DeviceInfo`, `UpdateResult`), also
 * exported here; an application that passes a store around names it with `SessionStore`.
 * A store is mostly a translation between a record and its storage; the parts every store
 * needs are here, so each store states them once and all of them behave alike:
 * - {@link storeErrors}: a driver failure becomes a `SessionStoreError`, which adapters
 *   answer with 503 and the session kept;
 * - {@link checkRecord}, {@link parseDataJson}, {@link decodeFlag}: a value read back is
 *   checked field by field before it can be a session, and a bad one throws
 *   {@link CorruptRecordError}, naming the field and never the contents;
 * - {@link reportCorrupt}: the default `onCorrupt` of a store, a process warning;
 * - {@link redactUrl}: a connection URL without its password, for error messages.
 * - {@link planCap}, {@link toEvicted}, {@link withCapProgress}: the per-user session cap's
 *   rule, and what a `createCapped` that failed midway had done.
 * - {@link createDataCipher}: the encryption at rest of `encryption.keys`, for tools that read a
 *   store directly (the CLI's `reencrypt`, `sessions show`).
 *
 * Prove the store with `@coatcheck/conformance`. `docs/stores.md` walks through a store
 * built on this kit.
 *
 * @module
 */
export { storeErrors, type StoreErrors } from './store-errors.js';
export { checkRecord, decodeFlag, parseDataJson, type DescribeField, type RecordField, type UncheckedRecord } from './check-record.js';
export { reportCorrupt, type CorruptReporter } from './report-corrupt.js';
export { redactUrl } from './redact-url.js';
export { CorruptRecordError, SessionStoreError } from '../errors.js';
export type { SessionStore, SessionRecord, SessionData, DeviceInfo, UpdateResult, SessionCap, CappedCreateResult, EvictedSession } from '../store/types.js';
export { planCap, toEvicted, type CapPlan } from './plan-cap.js';
export { capProgressOf, withCapProgress, type CapProgress } from './cap-progress.js';
export type { HistoryStore, HistoryEntry, HistoryType, HistoryActor, HistoryQuery, HistoryReadOptions, HistoryLimits } from '../store/history-types.js';
export { checkHistoryEntry } from './check-history.js';
export { createDataCipher, SEALED_PROPERTY, type DataCipher, type OpenedData } from '../encryption/data-cipher.js';
