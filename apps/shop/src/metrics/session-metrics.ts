/**
 * The shop's metrics on a prom-client registry: coatcheck's own (store latency by operation
 * and outcome, the session lifecycle, CSRF refusals, refresh-token reuse, sockets) from
 * `@coatcheck/prometheus`, plus what only the shop knows: live sessions in SQLite, orders.
 *
 * A write conflict, a lost race at the version check that the session then replays, is an
 * `update` whose outcome is `conflict`:
 * `coatcheck_store_call_duration_seconds_count{operation="update",outcome="conflict"}`.
 *
 * @module
 */
import { collectSessionMetrics, type ObservedHub, type ObservedManager, type ObservedTokens, type SessionMetrics } from '@coatcheck/prometheus';
import { Counter, Gauge, Registry } from 'prom-client';

/** The shop's metrics. */
export interface ShopMetrics {
  /** What `GET /metrics` renders. */
  readonly registry: Registry;
  /** Orders written, and repeated "place order" submits answered with the first result. */
  readonly orders: { readonly placed: Counter; readonly duplicates: Counter<'kind'> };
  /**
   * Follows the manager's store calls and events, and the hub's sockets and the token
   * service's refreshes when given; returns what stops it.
   */
  follow(manager: ObservedManager, parts: { readonly hub?: ObservedHub; readonly tokens?: ObservedTokens }): SessionMetrics;
}

/** Options of {@link createShopMetrics}. */
export interface ShopMetricsOptions {
  /**
   * Counts live sessions in the store, when that is cheap (one indexed SQL count). Without it,
   * `coatcheck_sessions_active` is not exported: a gauge derived from events could not see
   * sessions that simply expire, and would drift upwards forever.
   */
  activeSessions?: (() => number | Promise<number>) | null;
}

/** Creates the registry with the shop's own series; `follow` adds coatcheck's. */
export function createShopMetrics(options: ShopMetricsOptions = {}): ShopMetrics {
  const registry = new Registry();
  const registers = [registry];
  const { activeSessions } = options;
  if (activeSessions) {
    new Gauge({
      name: 'coatcheck_sessions_active',
      help: 'Live (unexpired) sessions in the store.',
      registers,
      async collect() {
        this.set(await activeSessions());
      },
    });
  }
  const orders = {
    placed: new Counter({ name: 'shop_orders_placed_total', help: 'Orders placed.', registers }),
    duplicates: new Counter({
      name: 'shop_order_duplicates_total',
      help: 'Repeated "place order" submits answered with the first order, by kind (replay, concurrent).',
      labelNames: ['kind'] as const,
      registers,
    }),
  };
  return {
    registry,
    orders,
    follow: (manager, parts) => collectSessionMetrics(manager, { registry, hub: parts.hub ?? null, tokens: parts.tokens ?? null }),
  };
}
