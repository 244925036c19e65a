/**
 * Cross-process session bus on the SQLite file itself. Exported from `@coatcheck/sqlite`.
 *
 * Processes that share one database file (a cluster, PM2, several workers) tell each other
 * about changed and ended sessions through an append-only table, `<table>_changes`:
 * - `publish` and `broadcast` append a row, then deliver the message to the buses of this
 *   connection at once (next microtask), as `memoryBus` does;
 * - every `pollIntervalMs` each bus asks whether another connection committed (`PRAGMA
 *   data_version`) and only then reads the rows after the last one it saw (`poller.ts`);
 * - rows older than `retentionMs` are deleted by whichever process gets there first.
 *
 * The bus runs on the store's own connection rather than a second one: the driver is
 * synchronous, so a second connection would not poll in parallel anyway; it works the same
 * whether the store opened the file or was handed a connection, with either driver, and
 * `data_version` already ignores the connection's own commits. Buses sharing a connection
 * (two managers, a realtime hub) deliver to each other directly and skip each other's rows.
 *
 * Every payload read back is validated with `isBusMessage`/`isBusBroadcast`; anything else
 * is dropped. Driver failures reject as `SessionStoreError`; a failed poll turns the state
 * `down` (so the local cache empties and stops serving) until a poll succeeds again, and is
 * reported as a process warning, at most once per 10 s.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  addBroadcastListener,
  dispatchBroadcast,
  isBusBroadcast,
  isBusMessage,
  type BroadcastListener,
  type BusMessage,
  type BusState,
  type SessionBus,
} from 'coatcheck/bus';
import { storeErrors } from 'coatcheck/store-kit';
import { WARNINGS } from 'coatcheck/warnings';
import { openChangeLog, type SqliteQueryable } from './change-log.js';
import { startPoller } from './poller.js';
import { resolveBusOptions, type SqliteBusOptions } from './bus-options.js';

/** A {@link SessionBus} over a table of the SQLite file. */
export interface SqliteBus extends SessionBus {
  readonly name: 'sqlite';
  /** The log table, `<tableName>_changes`. */
  readonly table: string;
  /** Rows read back that were not well-formed messages (and were dropped). */
  readonly dropped: number;
}

/** Warning code of a failed poll or prune, or a listener that threw. */
export const SQLITE_BUS_WARNING = WARNINGS.SQLITE_BUS.code;

const errors = storeErrors('sqlite', 'SQLite bus');

// A broadcast is a row every process reads back: large ones belong elsewhere.
const MAX_BROADCAST_BYTES = 1024 * 1024;

/** The buses of one connection and table: one name in the log, direct delivery between them. */
interface Group {
  readonly sender: string;
  readonly members: Set<(payload: unknown) => void>;
}

const groups = new WeakMap<object, Map<string, Group>>();

function joinGroup(db: SqliteQueryable, table: string): Group {
  let byTable = groups.get(db);
  if (byTable === undefined) {
    byTable = new Map();
    groups.set(db, byTable);
  }
  let group = byTable.get(table);
  if (group === undefined) {
    group = { sender: randomUUID(), members: new Set() };
    byTable.set(table, group);
  }
  return group;
}

function warn(what: string, error: unknown): void {
  const reason = error instanceof Error ? error.message || error.name : String(error);
  process.emitWarning(`coatcheck sqlite bus: ${what}: ${reason}`, { code: SQLITE_BUS_WARNING });
}

/**
 * Creates a bus on an open connection and starts polling (state `up` at once).
 * `store.bus()` of `sqliteStore` returns one on the store's connection; the manager uses it
 * by default.
 *
 * @throws `SessionConfigError` for invalid options; `SessionStoreError` when the log table
 * cannot be created or read.
 *
 * @example
 * ```ts
 * const store = sqliteStore({ filename: 'data/sessions.db' })
 * const bus = sqliteBus({ database: store.db, pollIntervalMs: 5 })
 * const sessions = createSessionManager({ store, bus, secrets })
 * ```
 */
export function sqliteBus(options: SqliteBusOptions): SqliteBus {
  const { database: db, tableName, pollIntervalMs, retentionMs } = resolveBusOptions(options);
  const listeners = new Set<(message: BusMessage) => void>();
  const stateListeners = new Set<(state: BusState) => void>();
  const broadcastListeners = new Map<string, Set<BroadcastListener>>();
  let dropped = 0;
  let closed = false;
  let lastReport = -Infinity;

  const safely = (run: () => void): void => {
    try {
      run();
    } catch (error) {
      warn('a listener threw', error);
    }
  };

  // Validates a payload, as it came from the log or from a bus of this connection.
  function receive(payload: unknown): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(payload));
    } catch {
      dropped++;
      return;
    }
    if (isBusBroadcast(parsed)) dispatchBroadcast(broadcastListeners, parsed, (error) => warn('a listener threw', error));
    else if (!isBusMessage(parsed)) dropped++;
    else {
      const text = String(payload);
      // Each listener gets its own frozen copy, as with memoryBus.
      for (const listener of listeners) safely(() => listener(Object.freeze(JSON.parse(text)) as BusMessage));
    }
  }

  let group: Group;
  let poller: ReturnType<typeof startPoller>;
  let log: ReturnType<typeof openChangeLog>;
  try {
    log = openChangeLog(db, tableName);
    group = joinGroup(db, tableName);
    poller = startPoller({
      log,
      sender: group.sender,
      pollIntervalMs,
      retentionMs,
      receive,
      onState: (state) => {
        for (const listener of stateListeners) safely(() => listener(state));
      },
      onError(operation, error) {
        // A dead file fails every poll: one report per 10 s is enough to see it.
        const now = Date.now();
        if (now - lastReport < 10_000) return;
        lastReport = now;
        warn(`${operation} failed${operation === 'poll' ? ' (the bus is down until a poll succeeds)' : ''}`, error);
      },
    });
  } catch (error) {
    throw errors.wrap('open', error);
  }
  group.members.add(receive);

  function send(operation: string, wire: string): void {
    if (closed) throw errors.closed(operation);
    try {
      // What others committed before this message is delivered before it here, as on a
      // server bus, where everyone sees one order.
      poller.check();
      log.append(group.sender, wire, Date.now());
    } catch (error) {
      throw errors.wrap(operation, error);
    }
    // Like memoryBus: asynchronously, so nobody depends on synchronous delivery.
    const members = [...group.members];
    queueMicrotask(() => {
      for (const member of members) member(wire);
    });
  }

  return {
    name: 'sqlite',
    table: `${tableName}_changes`,
    get state() {
      return closed ? 'down' : poller.state;
    },
    get dropped() {
      return dropped;
    },
    async publish(message) {
      send('publish', JSON.stringify(message));
    },
    maxBroadcastBytes: MAX_BROADCAST_BYTES,
    async broadcast(channel, payload) {
      const wire = JSON.stringify({ type: 'broadcast', channel, payload });
      const size = Buffer.byteLength(channel) + Buffer.byteLength(payload);
      if (size > MAX_BROADCAST_BYTES) throw new RangeError(`broadcast of ${size} bytes exceeds the SQLite bus limit (${MAX_BROADCAST_BYTES} bytes)`);
      send('broadcast', wire);
    },
    onBroadcast(channel, listener) {
      return addBroadcastListener(broadcastListeners, channel, listener);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    onStateChange(listener) {
      stateListeners.add(listener);
      return () => void stateListeners.delete(listener);
    },
    async ping() {
      if (closed) throw errors.closed('ping');
      try {
        poller.check();
      } catch (error) {
        throw errors.wrap('ping', error);
      }
    },
    async close() {
      if (closed) return;
      poller.stop();
      closed = true;
      group.members.delete(receive);
      listeners.clear();
      broadcastListeners.clear();
      stateListeners.clear();
    },
  };
}
