/**
 * The public shape of a hub. Exported from `@coatcheck/realtime` (types only).
 *
 * @module
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Connection } from './connection.js';
import type { HandshakeListener } from './handshake-hook.js';
import type { Target } from './targets.js';

/** Counters for metrics and tests. */
export interface HubStats {
  /** Open, authenticated sockets on this instance. */
  readonly connections: number;
  /** Handshakes refused (any status). */
  readonly refused: number;
  /** Sockets terminated for silence (no pong, no message) past `staleAfterMs`. */
  readonly reaped: number;
  /** Sockets dropped because their send buffer passed `maxBufferedBytes`. */
  readonly slowConsumers: number;
  /** Sockets closed (4008) because they sent frames faster than `maxMessagesPerSecond`. */
  readonly rateLimited: number;
  /** Sockets closed because their session ended or expired. */
  readonly revoked: number;
  /** Sessions with sockets on this instance. */
  readonly sessions: number;
}

/** A realtime hub. */
export interface Hub {
  /** The `upgrade` handler: authenticates, then completes or refuses the handshake. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Answers upgrades on `options.path` of a Node HTTP(S) server (`fastify.server` too).
   * Returns a function that detaches.
   */
  attach(server: HttpServer): () => void;
  /** Sends to the target's sockets on this instance only; returns how many got it. */
  send(target: Target, data: unknown): number;
  /**
   * Sends to the target's sockets on every instance (through the bus); resolves with the
   * number delivered on this instance once the bus accepted the message.
   */
  publish(target: Target, data: unknown): Promise<number>;
  /** Closes the target's sockets on this instance. */
  disconnect(target: Target, code: number, reason?: string): number;
  /** Sockets on this instance, optionally only the target's. */
  connections(target?: Target): Connection[];
  /**
   * Calls `listener` after every upgrade request the hub answered: accepted (`status` 101,
   * with the session's public id) or refused (the status and `ERR_REALTIME_*` code), with
   * its duration. For metrics and tracing (`@coatcheck/prometheus`,
   * `@coatcheck/opentelemetry`). Runs synchronously: keep it cheap. A listener that throws
   * is logged once and breaks nothing. Without listeners no clock is read. Returns the
   * function that removes the listener.
   */
  onHandshake(listener: HandshakeListener): () => void;
  readonly stats: HubStats;
  /** Closes every socket (1001) and stops listening; does not close the manager or bus. */
  close(): Promise<void>;
}
