/**
 * What `collectSessionMetrics` reads and how it is configured. The hub and the token service
 * are described by the little this package uses of them, so neither `@coatcheck/realtime`
 * nor `@coatcheck/tokens` has to be installed for the session metrics.
 *
 * @module
 */
import { SessionConfigError, type SessionManager } from 'coatcheck';
import type { Registry } from 'prom-client';

/** The parts of a session manager the metrics follow: its events and its store calls. */
export type ObservedManager = Pick<SessionManager, 'events' | 'onStoreCall'>;

/** The parts of a `@coatcheck/realtime` hub the metrics read. */
export interface ObservedHub {
  /** Read at scrape time: `connections` is the open, authenticated sockets. */
  readonly stats: { readonly connections: number };
  /** Every answered handshake, accepted (`status` 101) or refused with its code. */
  onHandshake(listener: (report: { readonly status: number; readonly code: string | null }) => void): () => void;
}

/** The parts of a `@coatcheck/tokens` service the metrics follow: its events. */
export interface ObservedTokens {
  readonly events: {
    on(event: 'refresh', listener: (payload: { readonly outcome: string; readonly ms: number }) => void): () => void;
    on(event: 'refresh-reuse', listener: (payload: { readonly sessionId: string }) => void): () => void;
  };
}

/** Options of `collectSessionMetrics`. */
export interface SessionMetricsOptions {
  /**
   * The registry the metrics are registered in: the one your `/metrics` route renders.
   * @default prom-client's global `register`
   */
  registry?: Registry;
  /**
   * Prepended to every metric name; letters, digits, `_` and `:`, not starting with a digit.
   * @default 'coatcheck_'
   */
  prefix?: string;
  /**
   * Upper bounds, in seconds, of the store-call and refresh latency histograms, increasing.
   * The default spans an embedded store's tens of microseconds to a remote one's seconds.
   * @default DEFAULT_LATENCY_BUCKETS
   */
  buckets?: readonly number[];
  /**
   * A `@coatcheck/realtime` hub: adds the open-socket gauge and the handshake counter.
   * @default none
   */
  hub?: ObservedHub | null;
  /**
   * A `@coatcheck/tokens` service: adds the refresh histogram and the refresh-token reuse
   * counter. @default none
   */
  tokens?: ObservedTokens | null;
}

/** Store-call latency buckets in seconds: 100 µs (SQLite) to 2.5 s (a struggling remote store). */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = Object.freeze([
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
]);

const PREFIX = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/;

/** Checks the options; throws `SessionConfigError` with what to change. */
export function assertMetricsOptions(options: SessionMetricsOptions): void {
  if (options === null || typeof options !== 'object') throw new SessionConfigError('collectSessionMetrics: options must be an object.');
  const { prefix, buckets } = options;
  if (prefix !== undefined && (typeof prefix !== 'string' || !PREFIX.test(prefix))) {
    throw new SessionConfigError(
      `collectSessionMetrics: prefix must be letters, digits, _ and : (not starting with a digit), e.g. 'coatcheck_'; got ${JSON.stringify(prefix)}.`,
    );
  }
  if (buckets !== undefined) {
    const increasing =
      Array.isArray(buckets) &&
      buckets.length > 0 &&
      buckets.every((bound, i) => typeof bound === 'number' && Number.isFinite(bound) && bound > 0 && (i === 0 || bound > (buckets[i - 1] as number)));
    if (!increasing) throw new SessionConfigError('collectSessionMetrics: buckets must be increasing positive numbers of seconds, e.g. [0.001, 0.01, 0.1, 1].');
  }
}
