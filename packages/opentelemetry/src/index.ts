/**
 * `@coatcheck/opentelemetry`: coatcheck's session work as OpenTelemetry spans, on
 * `@opentelemetry/api` only. Loads, commits, touches, revocations, token refreshes and
 * WebSocket handshakes, with the public session id (`session.id`, `session.previous_id`);
 * the core never imports this package, so an app without it pays nothing.
 *
 * @example
 * ```ts
 * import { traceSessions } from '@coatcheck/opentelemetry'
 * traceSessions(manager)   // spans through the global tracer provider your SDK registered
 * ```
 *
 * @module
 */
export { traceSessions, type SessionTracing } from './trace.js';
export { ATTRIBUTES, EVENT_NAMES, SPAN_NAMES } from './names.js';
export type { TraceSessionsOptions, TracedHub, TracedManager, TracedTokens } from './options.js';
