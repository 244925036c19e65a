/**
 * coatcheck: server-side sessions for Node web apps.
 *
 * A visitor gets a ticket (a signed cookie); the server keeps the session. Writes are
 * conflict-safe, sessions are listed and revoked per user, and every expiry is derived from
 * one lifetime model. This entry point is framework-agnostic; see `@coatcheck/fastify` for
 * the Fastify plugin and `coatcheck/memory`, `@coatcheck/sqlite` for stores.
 *
 * @module
 */
export { createSessionManager } from './manager/manager.js';
export type { SessionManager, RequestInfo, LoadByIdOptions } from './manager/manager.js';
export type { LiveSession } from './manager/liveness.js';
export type { SessionManagerOptions, Logger } from './manager/options.js';
export { createCsrfGuard, isFormContentType, isSafeMethod } from './csrf/csrf-guard.js';
export type { CsrfGuard, CsrfOptions, CsrfRequest, UnreadForm } from './csrf/csrf-guard.js';
export type { DeviceSession } from './manager/devices.js';
export { labelDevice } from './manager/devices.js';
export type { Session, LoadStatus, LoginOptions, DataKey, SessionDataMap } from './session/session-types.js';
export type { LifetimeOptions } from './session/lifetime.js';
export type { CookieOptions } from './cookie/cookie-options.js';
export { readCookie } from './cookie/read-cookie.js';
export type { CookieLookup } from './cookie/read-cookie.js';
export type { SecretInput } from './ticket/key-ring.js';
export type { RandomSource } from './ticket/ticket.js';
export type { SessionEvents, SessionEventName, SessionEventEmitter, EndReason, TypedEventEmitter } from './events.js';
export { createTypedEmitter } from './events.js';
export type { SessionStore, SessionRecord, SessionData, DeviceInfo, UpdateResult } from './store/types.js';
export type { SessionBus, BusMessage, BusState, BusEndReason, BusBroadcast, BroadcastListener } from './bus/types.js';
export { isBusMessage, isBusBroadcast, dispatchBroadcast, addBroadcastListener } from './bus/types.js';
export * from './errors.js';
export { WARNINGS, type WarningInfo, type WarningName, type WarningCode } from './warnings.js';
export type { BearerAuthenticator, BearerOutcome, BearerSuccess, BearerFailure, BearerErrorKind } from './bearer.js';
export { isBearerScheme } from './bearer.js';
export { RESERVED_PREFIX } from './session/operations.js';
