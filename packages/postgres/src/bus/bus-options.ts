/**
 * Options of the Postgres bus, validated once at construction. Exported from
 * `@coatcheck/postgres` (types only).
 *
 * @module
 */
import type { ClientConfig, Pool } from 'pg';
import { SessionConfigError } from 'coatcheck/errors';
import { assertConnection, ownedConfig, type ConnectionOptions } from '../connection.js';
import { isIdentifier, quote } from '../identifiers.js';
import { assertMs } from '../options.js';

/** Options of `postgresBus`. Pass either `pool` or `connectionString`. */
export type PostgresBusOptions = ConnectionOptions & {
  /**
   * The NOTIFY channel; every instance of one app must use the same. Letters, digits and
   * underscores, not starting with a digit, at most 63 characters; matched exactly.
   * @default 'coatcheck_bus'
   */
  channel?: string;
  /**
   * Deadline of `publish`, `ping`, connecting and the heartbeat, in ms. Past it `publish`
   * and `ping` reject with `SessionStoreError`; a listening connection that misses it is
   * dropped and reopened.
   * @default 1000
   */
  opTimeoutMs?: number;
  /**
   * First delay before reconnecting the listening connection, in ms. It doubles after each
   * failed attempt, up to `maxReconnectDelayMs`, with random jitter so that many instances
   * do not reconnect in lockstep after a database restart.
   * @default 100
   */
  minReconnectDelayMs?: number;
  /** Longest delay between reconnection attempts, in ms. @default 10_000 */
  maxReconnectDelayMs?: number;
  /**
   * How often the listening connection is checked with `SELECT 1`, in ms; `0` turns the
   * check off. A silently dead connection (a network partition, a hung server) delivers
   * nothing and reports no error: without the check the bus would stay `'up'` and deaf.
   * @default 5000
   */
  heartbeatIntervalMs?: number;
};

/** Options after defaults; internal. */
export interface ResolvedBusOptions {
  readonly pool: Pool | undefined;
  readonly connectionString: string | undefined;
  readonly maxConnections: number;
  /** Unquoted channel, as `pg_notify` and incoming notifications name it. */
  readonly channel: string;
  /** Quoted channel, for `LISTEN`. */
  readonly quotedChannel: string;
  readonly opTimeoutMs: number;
  readonly minReconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly heartbeatIntervalMs: number;
}

function assertOptions(options: PostgresBusOptions): void {
  assertConnection('postgresBus', options);
  if (options.channel !== undefined && !isIdentifier(options.channel)) {
    throw new SessionConfigError('postgresBus: `channel` must be letters, digits and underscores, not starting with a digit, at most 63 characters.');
  }
  assertMs('postgresBus', 'opTimeoutMs', options.opTimeoutMs, 1);
  assertMs('postgresBus', 'minReconnectDelayMs', options.minReconnectDelayMs, 1);
  assertMs('postgresBus', 'maxReconnectDelayMs', options.maxReconnectDelayMs, 1);
  assertMs('postgresBus', 'heartbeatIntervalMs', options.heartbeatIntervalMs, 0);
  if ((options.minReconnectDelayMs ?? 100) > (options.maxReconnectDelayMs ?? 10_000)) {
    throw new SessionConfigError('postgresBus: `minReconnectDelayMs` must not exceed `maxReconnectDelayMs`.');
  }
}

/** Validates the options and applies defaults; throws `SessionConfigError`. */
export function resolveBusOptions(options: PostgresBusOptions): ResolvedBusOptions {
  assertOptions(options);
  const channel = options.channel ?? 'coatcheck_bus';
  return Object.freeze({
    pool: options.pool,
    connectionString: options.connectionString,
    // Publishes are short single statements; a few connections carry many instances' worth.
    maxConnections: options.maxConnections ?? 4,
    channel,
    quotedChannel: quote(channel),
    opTimeoutMs: options.opTimeoutMs ?? 1000,
    minReconnectDelayMs: options.minReconnectDelayMs ?? 100,
    maxReconnectDelayMs: options.maxReconnectDelayMs ?? 10_000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 5000,
  });
}

/**
 * Settings of the dedicated listening connection: the pool's own connection settings (it
 * reaches the same server as the pool), with a connect timeout and TCP keep-alive forced.
 */
export function listenerConfig(resolved: ResolvedBusOptions): ClientConfig {
  const base: ClientConfig = resolved.pool
    ? { ...(resolved.pool.options as ClientConfig) }
    : ownedConfig(resolved.connectionString as string, resolved.opTimeoutMs);
  return {
    ...base,
    connectionTimeoutMillis: resolved.opTimeoutMs,
    keepAlive: true,
  };
}
