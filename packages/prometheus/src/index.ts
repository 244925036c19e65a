/**
 * `@coatcheck/prometheus`: coatcheck's sessions as Prometheus metrics on prom-client. Store
 * latency by operation and outcome, the session lifecycle, CSRF refusals, refresh-token
 * reuse and open sockets, from the hooks the core already has; the core never imports this
 * package, so an app without it pays nothing.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client'
 * import { collectSessionMetrics } from '@coatcheck/prometheus'
 * const registry = new Registry()
 * collectSessionMetrics(manager, { registry })
 * ```
 *
 * @module
 */
export { collectSessionMetrics, type SessionMetrics } from './collect.js';
export { DEFAULT_LATENCY_BUCKETS, type ObservedHub, type ObservedManager, type ObservedTokens, type SessionMetricsOptions } from './options.js';
