/**
 * `collectSessionMetrics`: coatcheck's sessions as Prometheus metrics on a prom-client
 * registry, from the hooks the core already has: `manager.onStoreCall` for store latency and
 * outcomes, `manager.events` for the session lifecycle and CSRF refusals, and, when given, a
 * realtime hub and a token service. Nothing is wrapped, and every label has a small, fixed
 * set of values: never a session id, a user id or a path.
 *
 * @module
 */
import { SessionConfigError, type StoreCall } from 'coatcheck';
import { Counter, Gauge, Histogram, register } from 'prom-client';
import { createStoreCallHistogram } from './store-call-histogram.js';
import { assertMetricsOptions, DEFAULT_LATENCY_BUCKETS, type ObservedManager, type SessionMetricsOptions } from './options.js';

/** A running collection. */
export interface SessionMetrics {
  /** The names of the metrics it registered, prefix included. */
  readonly names: readonly string[];
  /**
   * Stops following the manager (and the hub and token service) and removes its metrics
   * from the registry, so a new collection may register them again.
   */
  stop(): void;
}

// Label values known in advance start at 0, so `rate()` and alerts see them before the first event.
const DESTROY_REASONS = ['logout', 'destroy'];
const REVOKE_REASONS = ['revoke', 'revoke-others', 'revoke-all', 'session-limit'];
const CSRF_REASONS = ['cross-site', 'origin', 'token-missing', 'token-invalid'];

/**
 * Registers coatcheck's metrics in `options.registry` and keeps them current until `stop()`.
 * Throws `SessionConfigError` for bad options, or when a metric of the same name is
 * registered already (stop the earlier collection, or give another `prefix`).
 *
 * Metrics, with the default prefix `coatcheck_`:
 * - `coatcheck_store_call_duration_seconds{operation,outcome}` (histogram): every store
 *   call; `operation` is the store method (`get`, `create`, `createCapped`, `update`, `touch`, `delete`,
 *   `listByUser`, `deleteByUser`, `ping`), `outcome` is `ok`, `miss`, `conflict` or `error`;
 * - `coatcheck_sessions_created_total`, `coatcheck_sessions_upgraded_total` (logins),
 *   `coatcheck_sessions_regenerated_total`;
 * - `coatcheck_sessions_destroyed_total{reason}` (`logout`, `destroy`: ended by their own
 *   request) and `coatcheck_sessions_revoked_total{reason}` (`revoke`, `revoke-others`,
 *   `revoke-all`: ended from elsewhere; `session-limit`: ended for a login beyond
 *   `maxSessionsPerUser`; counted per session);
 * - `coatcheck_csrf_refusals_total{reason}` (`cross-site`, `origin`, `token-missing`,
 *   `token-invalid`);
 * - with `tokens`: `coatcheck_token_refresh_duration_seconds{outcome}` (histogram;
 *   `rotated`, `grace`, `reused`, `expired`, `invalid`, `error`) and
 *   `coatcheck_refresh_token_reuse_total` (replays: alert on it);
 * - with `hub`: `coatcheck_realtime_connections` (gauge, read at scrape time) and
 *   `coatcheck_realtime_handshakes_total{outcome,code}` (`accepted`, or `refused` with its
 *   `ERR_REALTIME_*` code).
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client'
 * import { collectSessionMetrics } from '@coatcheck/prometheus'
 *
 * const registry = new Registry()
 * const metrics = collectSessionMetrics(manager, { registry, hub, tokens })
 * app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()))
 * // at shutdown: metrics.stop()
 * ```
 */
export function collectSessionMetrics(manager: ObservedManager, options: SessionMetricsOptions = {}): SessionMetrics {
  assertMetricsOptions(options);
  const registry = options.registry ?? register;
  const prefix = options.prefix ?? 'coatcheck_';
  const buckets = [...(options.buckets ?? DEFAULT_LATENCY_BUCKETS)];
  const { hub = null, tokens = null } = options;

  const wanted = [
    'store_call_duration_seconds',
    'sessions_created_total',
    'sessions_upgraded_total',
    'sessions_regenerated_total',
    'sessions_destroyed_total',
    'sessions_revoked_total',
    'csrf_refusals_total',
    ...(tokens === null ? [] : ['token_refresh_duration_seconds', 'refresh_token_reuse_total']),
    ...(hub === null ? [] : ['realtime_connections', 'realtime_handshakes_total']),
  ].map((name) => prefix + name);
  // Checked before anything is registered, so a refusal leaves the registry as it was.
  const taken = wanted.filter((name) => registry.getSingleMetric(name) !== undefined);
  if (taken.length > 0) {
    throw new SessionConfigError(
      `collectSessionMetrics: ${taken.join(', ')} ${taken.length === 1 ? 'is' : 'are'} registered already; stop() the earlier collection, or give another prefix.`,
    );
  }

  const registers = [registry];
  const name = (suffix: string) => prefix + suffix;
  const storeCalls = createStoreCallHistogram(
    name('store_call_duration_seconds'),
    'Duration of session store calls, by store method (operation) and how they ended (outcome: ok, miss, conflict, error).',
    buckets,
    registers,
  );
  const created = new Counter({ name: name('sessions_created_total'), help: 'Session records written for the first time.', registers });
  const upgraded = new Counter({ name: name('sessions_upgraded_total'), help: 'Logins: sessions upgraded to a user, with a new ticket.', registers });
  const regenerated = new Counter({ name: name('sessions_regenerated_total'), help: 'Tickets rotated with the data kept.', registers });
  const destroyed = new Counter({
    name: name('sessions_destroyed_total'),
    help: 'Sessions ended by their own request, by reason (logout, destroy).',
    labelNames: ['reason'],
    registers,
  });
  const revoked = new Counter({
    name: name('sessions_revoked_total'),
    help: 'Sessions ended from elsewhere (device list, password change, admin, a login beyond the cap), by reason (revoke, revoke-others, revoke-all, session-limit).',
    labelNames: ['reason'],
    registers,
  });
  const csrf = new Counter({
    name: name('csrf_refusals_total'),
    help: 'Unsafe requests refused by the CSRF check, by reason (cross-site, origin, token-missing, token-invalid).',
    labelNames: ['reason'],
    registers,
  });
  for (const reason of DESTROY_REASONS) destroyed.inc({ reason }, 0);
  for (const reason of REVOKE_REASONS) revoked.inc({ reason }, 0);
  for (const reason of CSRF_REASONS) csrf.inc({ reason }, 0);

  // On every request: see store-call-histogram.ts for why it is not a prom-client Histogram.
  const observeStoreCall = ({ op, ms, outcome }: StoreCall): void => storeCalls.observe(op, outcome, ms / 1000);

  const { events } = manager;
  const offs: (() => void)[] = [
    manager.onStoreCall(observeStoreCall),
    events.on('created', () => created.inc()),
    events.on('upgraded', () => upgraded.inc()),
    events.on('regenerated', () => regenerated.inc()),
    events.on('destroyed', ({ reason }) => destroyed.inc({ reason })),
    events.on('revoked', ({ ids, reason }) => {
      if (ids.length > 0) revoked.inc({ reason }, ids.length);
    }),
    events.on('csrfRefused', ({ reason }) => csrf.inc({ reason })),
  ];

  if (tokens !== null) {
    const refreshes = new Histogram({
      name: name('token_refresh_duration_seconds'),
      help: 'Duration of refresh-token rotations, by outcome (rotated, grace, reused, expired, invalid, error).',
      labelNames: ['outcome'],
      buckets,
      registers,
    });
    const reuse = new Counter({
      name: name('refresh_token_reuse_total'),
      help: 'Rotated refresh tokens presented again: the session was ended. A copied token; investigate.',
      registers,
    });
    offs.push(
      tokens.events.on('refresh', ({ outcome, ms }) => refreshes.observe({ outcome }, ms / 1000)),
      tokens.events.on('refresh-reuse', () => reuse.inc()),
    );
  }

  if (hub !== null) {
    new Gauge({
      name: name('realtime_connections'),
      help: 'Open WebSocket connections bound to sessions, on this instance.',
      registers,
      collect() {
        this.set(hub.stats.connections);
      },
    });
    const handshakes = new Counter({
      name: name('realtime_handshakes_total'),
      help: 'WebSocket handshakes answered: accepted, or refused with their ERR_REALTIME_* code.',
      labelNames: ['outcome', 'code'],
      registers,
    });
    offs.push(hub.onHandshake(({ code }) => handshakes.inc(code === null ? { outcome: 'accepted' } : { outcome: 'refused', code })));
  }

  let stopped = false;
  return {
    names: wanted,
    stop() {
      if (stopped) return;
      stopped = true;
      for (const off of offs) off();
      for (const metric of wanted) registry.removeSingleMetric(metric);
    },
  };
}
