/**
 * The names this package gives spans, span events and attributes: one place, so dashboards,
 * tests and the guide agree. Session ids follow the OpenTelemetry semantic conventions for
 * sessions (`session.id`, `session.previous_id`); they are always the public session id, the
 * store key a device list shows, never the ticket or its secret.
 *
 * @module
 */

/** Span names, by what they time. */
export const SPAN_NAMES = Object.freeze({
  /** A session record read (`get`): a request's load, a realtime liveness check, a re-read under the lock. */
  load: 'coatcheck.session.load',
  /** A session record written: `create` (first write, login, regenerate) or `update` (changed data). */
  commit: 'coatcheck.session.commit',
  /** A sliding-expiry write (`touch`). */
  touch: 'coatcheck.session.touch',
  /** Session records deleted: `delete` (logout, destroy, device revocation, the old id of a rotation) or `deleteByUser`. */
  revoke: 'coatcheck.session.revoke',
  /** A user's sessions listed (`listByUser`, the device list). */
  list: 'coatcheck.session.list',
  /** A store round trip (`ping`, health checks). */
  ping: 'coatcheck.store.ping',
  /** The session history: an entry appended (`appendHistory`: a login, a revocation, ...) or read (`readHistory`). */
  history: 'coatcheck.session.history',
  /** A refresh-token rotation of `@coatcheck/tokens`. */
  refresh: 'coatcheck.token.refresh',
  /** A WebSocket upgrade answered by a `@coatcheck/realtime` hub. */
  handshake: 'coatcheck.socket.handshake',
} as const);

/**
 * Lifecycle events: added to the active span (the request's, when the app traces HTTP), or
 * recorded as a span of their own, without duration, when no span is active.
 */
export const EVENT_NAMES = Object.freeze({
  created: 'coatcheck.session.created',
  upgraded: 'coatcheck.session.upgraded',
  regenerated: 'coatcheck.session.regenerated',
  destroyed: 'coatcheck.session.destroyed',
  revoked: 'coatcheck.session.revoked',
  csrfRefused: 'coatcheck.csrf.refused',
} as const);

/** Attribute keys. */
export const ATTRIBUTES = Object.freeze({
  /** The public id of the session (OpenTelemetry semantic conventions). */
  sessionId: 'session.id',
  /** The public id the session had before a login or regeneration rotated it. */
  previousSessionId: 'session.previous_id',
  /** The store method (`get`, `create`, `update`, …). */
  storeOperation: 'coatcheck.store.operation',
  /** How a store call ended: `ok`, `miss`, `conflict`, `error`. */
  storeOutcome: 'coatcheck.store.outcome',
  /** The store's name (`sqlite`, `redis`, `postgres`, `memory`, …). */
  storeName: 'coatcheck.store.name',
  /** Why sessions ended (`logout`, `destroy`, `revoke`, `revoke-others`, `revoke-all`, `session-limit`), or a CSRF rule. */
  reason: 'coatcheck.reason',
  /** Public ids of the sessions a revocation ended. */
  sessionIds: 'coatcheck.session.ids',
  /** How a refresh ended: `rotated`, `grace`, `reused`, `expired`, `invalid`, `error`. */
  refreshOutcome: 'coatcheck.refresh.outcome',
  /** The `ERR_REALTIME_*` code of a refused handshake. */
  realtimeCode: 'coatcheck.realtime.code',
  /** The HTTP status of a handshake's answer (101 when accepted). */
  httpStatus: 'http.response.status_code',
} as const);
