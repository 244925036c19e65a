/**
 * The shop's metrics: session lifecycle (from the manager's events), store latency, errors and
 * write conflicts (from the manager's `onStoreCall` hook), sockets and orders.
 *
 * The store is not wrapped: the manager reports each of its store calls with the method, the
 * duration and the outcome, and an `update` whose outcome is `conflict` is exactly a lost race
 * that the session then replays on the fresh record.
 *
 * @module
 */
import type { SessionManager, StoreCall } from 'coatcheck';
import { createMetricsRegistry, type Counter, type MetricsRegistry } from './registry.js';

/** Latency buckets in seconds: SQLite answers in microseconds, a remote store in milliseconds. */
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The shop's metrics. */
export interface ShopMetrics {
  readonly registry: MetricsRegistry;
  /** Orders written, and repeated "place order" submits answered with the first result. */
  readonly orders: { readonly placed: Counter; readonly duplicates: Counter };
  /**
   * Counts the manager's session events and times its store calls (counting failures and
   * write conflicts); returns a function that stops counting.
   */
  followManager(manager: Pick<SessionManager, 'events' | 'onStoreCall'>): () => void;
}

/** Options of {@link createShopMetrics}. */
export interface ShopMetricsOptions {
  /**
   * Counts live sessions in the store, when that is cheap (one indexed SQL count). Without it,
   * `coatcheck_sessions_active` is not exported: a gauge derived from events could not see
   * sessions that simply expire, and would drift upwards forever.
   */
  activeSessions?: (() => number | Promise<number>) | null;
  /** Open WebSocket connections of this instance. @default none (reported as 0) */
  openSockets?: (() => number) | null;
}

/** Creates the registry with every series of the shop. */
export function createShopMetrics(options: ShopMetricsOptions = {}): ShopMetrics {
  const registry = createMetricsRegistry();
  const created = registry.counter('coatcheck_sessions_created_total', 'Session records written for the first time.');
  const logins = registry.counter('coatcheck_logins_total', 'Logins and re-authentications (sessions upgraded to a user, ticket rotated).');
  const ended = registry.counter('coatcheck_sessions_ended_total', 'Sessions ended from their own request, by reason (logout, destroy).');
  const revoked = registry.counter('coatcheck_sessions_revoked_total', 'Sessions revoked from elsewhere (device list, password change), by reason.');
  const latency = registry.histogram('coatcheck_store_operation_duration_seconds', 'Duration of session store calls, by operation.', STORE_BUCKETS);
  const errors = registry.counter('coatcheck_store_errors_total', 'Session store calls that failed, by operation.');
  const conflicts = registry.counter(
    'coatcheck_store_write_conflicts_total',
    'Session writes that lost a race (version check) and were replayed on the fresh record.',
  );
  const { activeSessions, openSockets } = options;
  if (activeSessions) registry.gauge('coatcheck_sessions_active', 'Live (unexpired) sessions in the store.', activeSessions);
  registry.gauge('coatcheck_sockets_open', 'Open WebSocket connections bound to sessions.', openSockets ?? (() => 0));
  const orders = {
    placed: registry.counter('shop_orders_placed_total', 'Orders placed.'),
    duplicates: registry.counter('shop_order_duplicates_total', 'Repeated "place order" submits answered with the first order, by kind (replay, concurrent).'),
  };

  // One labels object per store method, so observing a call allocates nothing.
  const opLabels = new Map<string, { op: string }>();
  function countStoreCall({ op, ms, outcome }: StoreCall): void {
    let labels = opLabels.get(op);
    if (labels === undefined) {
      labels = { op };
      opLabels.set(op, labels);
    }
    latency.observe(ms / 1000, labels);
    if (outcome === 'error') errors.inc(labels);
    else if (outcome === 'conflict' && op === 'update') conflicts.inc();
  }

  return {
    registry,
    orders,
    followManager(manager) {
      const { events } = manager;
      const offs = [
        manager.onStoreCall(countStoreCall),
        events.on('created', () => created.inc()),
        events.on('upgraded', () => logins.inc()),
        events.on('destroyed', ({ reason }) => ended.inc({ reason })),
        events.on('revoked', ({ ids, reason }) => revoked.inc({ reason }, ids.length)),
      ];
      return () => {
        for (const off of offs) off();
      };
    },
  };
}
