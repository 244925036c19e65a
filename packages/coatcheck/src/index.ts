/**
 * coatcheck: server-side sessions for Node web apps.
 *
 * A visitor gets a ticket (a signed cookie); the server keeps the session. Writes are
 * conflict-safe, sessions are listed and revoked per user, and every expiry is derived from
 * one lifetime model. This entry point is what an application uses: the manager, its options,
 * the session handle, its events, and the errors an application catches. See
 * `@coatcheck/fastify` for the Fastify plugin and `coatcheck/memory`, `@coatcheck/sqlite` for
 * stores.
 *
 * Everything else lives under a subpath by audience: `coatcheck/adapter` for framework
 * adapters, `coatcheck/bus` for bus transports (and the in-process bus), `coatcheck/store-kit`
 * for store authors (and the `SessionStore` contract), `coatcheck/errors` for every error class.
 *
 * @module
 */
export { createSessionManager } from './manager/manager.js';
export type { SessionManager, RevokeOptions } from './manager/manager.js';
export type { HistoryOptions, HistoryReadRequest } from './manager/history.js';
export type { HistoryEntry, HistoryType, HistoryActor, HistoryQuery } from './store/history-types.js';
export type { SessionManagerOptions, Logger } from './manager/options.js';
export type { SessionLimitOptions } from './manager/session-limit.js';
export type { DataOptions, DataSchema, DataMigration, InferSessionData } from './data-schema/data-options.js';
export type { StandardSchemaV1 } from './data-schema/standard-schema.js';
export type { Session, LoadStatus, LoginOptions, SessionDataMap } from './session/session-types.js';
export type { LifetimeOptions } from './session/lifetime.js';
export type { FreshOptions, StepUpOptions } from './session/step-up.js';
export type { AuthFactor } from './store/types.js';
export type { CookieOptions } from './cookie/cookie-options.js';
export type { CsrfOptions } from './csrf/csrf-guard.js';
export type { SecretInput } from './ticket/key-ring.js';
export { labelDevice } from './manager/devices.js';
export type { DeviceSession } from './manager/devices.js';
export type { SessionEvents, EndReason } from './events.js';
export type { StoreCall } from './store/store-calls.js';
export {
  SessionError,
  SessionConfigError,
  SessionStartupError,
  SessionStoreError,
  SessionConflictError,
  SessionTooLargeError,
  SessionSerializationError,
  SessionCsrfError,
  SessionRateLimitedError,
  SessionLimitError,
  SessionDataInvalidError,
  isSessionError,
} from './errors.js';
export type { SessionErrorCode, AnySessionError, CsrfFailure, DataIssue } from './errors.js';
