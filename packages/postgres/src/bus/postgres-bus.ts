/**
 * Cross-instance session bus on Postgres LISTEN/NOTIFY. Exported from `@coatcheck/postgres`.
 *
 * - Publishing is `SELECT pg_notify(channel, payload)` on the pool, bounded by `opTimeoutMs`;
 *   a message too large for one NOTIFY (8000 bytes) is split by its `ids` and all parts are
 *   sent in one statement, so they commit (and arrive) together and in order.
 * - Receiving uses one dedicated connection that reconnects by itself (see `listener.ts`);
 *   its state is reported through `onStateChange`. Every payload is validated with
 *   `isBusMessage`; anything else on the channel is ignored.
 * - Every instance receives its own messages too (`origin` tells them apart), as the
 *   contract requires.
 * - Application broadcasts (`broadcast`/`onBroadcast`) share the channel. They cannot be
 *   split, so one must fit in a NOTIFY: `maxBroadcastBytes` (about 7.9 KB) tells how much;
 *   a larger one is refused with `RangeError` before anything is sent.
 *
 * @module
 */
import type { Pool } from 'pg';
import { addBroadcastListener, dispatchBroadcast, type BroadcastListener, type BusMessage, type BusState, type SessionBus } from 'coatcheck/bus';
import { WARNINGS } from 'coatcheck/warnings';
import { createOwnedPool, guardPool } from '../connection.js';
import { createGate, settleWithin } from '../gate.js';
import { BUS_ERRORS, createRunner } from '../runner.js';
import { listenerConfig, resolveBusOptions, type PostgresBusOptions } from './bus-options.js';
import { startListener } from './listener.js';
import { BROADCAST_ENVELOPE_BYTES, fromPayload, MAX_PAYLOAD_BYTES, toBroadcastPayload, toPayloads } from './payload.js';

/** A {@link SessionBus} on Postgres LISTEN/NOTIFY, with access to its publishing pool. */
export interface PostgresBus extends SessionBus {
  readonly name: 'postgres';
  /** The pool `publish` uses: yours, or the one the bus created from `connectionString`. */
  readonly pool: Pool;
  /** The channel, as given. */
  readonly channel: string;
}

/** Warning code emitted when a subscriber or state listener throws. */
export const BUS_LISTENER_WARNING = WARNINGS.POSTGRES_BUS_LISTENER.code;

// Listeners run inside pg's socket and error handlers: an exception escaping there would
// break the connection's protocol state (or crash the process), so it is reported instead,
// and the other listeners still get the message.
function safely(listener: () => void): void {
  try {
    listener();
  } catch (error) {
    process.emitWarning(`coatcheck postgres bus listener threw: ${error instanceof Error ? error.message : String(error)}`, {
      code: BUS_LISTENER_WARNING,
    });
  }
}

/**
 * Creates a bus and starts listening at once (state `'down'` until the first LISTEN
 * succeeds). Share the store's pool for publishing: `postgresBus({ pool: store.pool })`.
 *
 * @throws `SessionConfigError` for invalid options.
 *
 * @example
 * ```ts
 * import { postgresStore, postgresBus } from '@coatcheck/postgres'
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL })
 * const bus = postgresBus({ pool: store.pool })
 * const manager = createSessionManager({ store, bus, cache: true, secrets })
 * ```
 */
export function postgresBus(options: PostgresBusOptions): PostgresBus {
  const resolved = resolveBusOptions(options);
  const { channel, opTimeoutMs } = resolved;
  const owned = resolved.pool === undefined;
  const pool = resolved.pool ?? createOwnedPool(resolved.connectionString as string, resolved.maxConnections, opTimeoutMs);
  const unguard = guardPool(pool);
  const runner = createRunner(pool, BUS_ERRORS, opTimeoutMs);
  const gate = createGate(BUS_ERRORS);
  const listeners = new Set<(message: BusMessage) => void>();
  const stateListeners = new Set<(state: BusState) => void>();
  const broadcastListeners = new Map<string, Set<BroadcastListener>>();
  // JSON escaping can grow a payload, so this is the limit for plain ASCII without quotes.
  const maxBroadcastBytes = MAX_PAYLOAD_BYTES - BROADCAST_ENVELOPE_BYTES;

  const listener = startListener({
    ...resolved,
    config: listenerConfig(resolved),
    onPayload(payload) {
      const message = fromPayload(payload);
      if (message === null) return;
      if (message.type === 'broadcast') {
        dispatchBroadcast(broadcastListeners, message, (error) =>
          safely(() => {
            throw error;
          }),
        );
        return;
      }
      for (const subscriber of listeners) safely(() => subscriber(message));
    },
    onState(state) {
      for (const observer of stateListeners) safely(() => observer(state));
    },
  });

  let closing: Promise<void> | undefined;

  return {
    name: 'postgres',
    pool,
    channel,
    get state() {
      return closing !== undefined ? 'down' : listener.state;
    },
    publish(message) {
      return gate.pass('publish', async () => {
        let payloads: string[];
        try {
          payloads = toPayloads(message);
        } catch (error) {
          throw BUS_ERRORS.wrap('publish', error);
        }
        await runner.run('publish', (query) =>
          query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) WITH ORDINALITY AS p(payload, n) ORDER BY n', [channel, payloads]),
        );
      });
    },
    maxBroadcastBytes,
    async broadcast(name, payload) {
      // A programming error (too large for NOTIFY), not an outage: thrown as is.
      const wire = toBroadcastPayload(name, payload);
      return gate.pass('broadcast', async () => {
        await runner.run('broadcast', (query) => query('SELECT pg_notify($1, $2)', [channel, wire]));
      });
    },
    onBroadcast(name, listener) {
      return addBroadcastListener(broadcastListeners, name, listener);
    },
    subscribe(subscriber) {
      listeners.add(subscriber);
      return () => void listeners.delete(subscriber);
    },
    onStateChange(observer) {
      stateListeners.add(observer);
      return () => void stateListeners.delete(observer);
    },
    ping() {
      return gate.pass('ping', async () => {
        try {
          await listener.ping();
        } catch (error) {
          throw BUS_ERRORS.wrap('ping', error);
        }
      });
    },
    close() {
      closing ??= (async () => {
        listeners.clear();
        broadcastListeners.clear();
        stateListeners.clear();
        await gate.shut();
        await listener.stop();
        if (owned) await settleWithin(pool.end(), opTimeoutMs);
        else unguard();
      })();
      return closing;
    },
  };
}
