/**
 * `waitForReplicas`: writes that are confirmed by replicas before they are reported done.
 * Internal; the option is documented on `RedisStoreOptions`.
 *
 * Redis replicates asynchronously, so a master can acknowledge a logout and die before any
 * replica has it; the replica promoted in its place still holds the session, and the revoked
 * ticket and its tokens work again. `WAIT replicas timeout` closes that gap: it answers how
 * many replicas have acknowledged the connection's writes, and the store reports a write done
 * only when enough did. Otherwise the call rejects with `SessionStoreError` (503): the master
 * has applied it, but nothing may rely on it yet.
 *
 * Why a connection of its own: `WAIT` blocks the connection it runs on, and counts only the
 * writes made on that connection. node-redis and ioredis send every command of a client down one
 * multiplexed connection, so a `WAIT` there would hold up every read of every request behind
 * it. Reads stay on your client; the confirmed writes go to a `duplicate()` of it (or, on
 * Sentinel, of the client's current master connection).
 *
 * Why batches: the lane runs one batch at a time. A batch is every call queued while the
 * previous one waited; their commands go out together, and one `WAIT` after all of them
 * settled confirms the whole batch. Nothing is ever sent behind a `WAIT` on that connection.
 *
 * Why a `PUBLISH` before each `WAIT`: `WAIT` is specified to cover the writes made on its own
 * connection. A call that changes nothing (a revoke of a session another instance already
 * deleted, whose own `WAIT` failed) may then be confirmed at once although the deletion it
 * observed has not reached any replica. (Redis 7.0 happens to move a connection's offset on
 * every command; the contract does not promise it.) `PUBLISH` is replicated, and allowed when
 * Redis is out of memory, so the `WAIT` after it covers everything the master had applied by
 * then, whichever connection wrote it.
 *
 * @module
 */
import { SessionStoreError } from 'coatcheck/errors';
import type { DedicatedConnection, ReplicaSource, WaitOps } from './redis-ops.js';
import type { ResolvedWaitForReplicas } from './options.js';
import { rateLimitedWarning } from './warnings.js';

/** Runs writes on the confirmed connection. */
export interface ReplicaLane {
  /** Runs `body` in the next batch; resolves with its result once the batch is confirmed. */
  run<T>(operation: string, body: (connection: WaitOps) => Promise<T>): Promise<T>;
  /** Closes the lane's connection, after the batch in flight (at most `graceMs`). */
  close(graceMs: number): Promise<void>;
}

/** Where the lane's commands go: a connection of the store's own. */
interface LaneConnection {
  use<T>(fn: (connection: WaitOps) => Promise<T>): Promise<T>;
  /** The connection answered as a replica (`READONLY`): the master moved. */
  stale(): void;
  close(graceMs: number): Promise<void>;
}

const reportError = rateLimitedWarning('coatcheck redis store (waitForReplicas connection): Redis connection error');

// Writes in flight get to finish (close() waits for their replies), for at most graceMs.
async function closeQuietly(connection: DedicatedConnection, graceMs: number): Promise<void> {
  if (!connection.isOpen) return;
  if (connection.isReady) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([connection.close().catch(() => {}), late]);
    clearTimeout(timer);
  }
  if (!connection.isOpen) return;
  try {
    connection.destroy();
  } catch {
    // closed meanwhile
  }
}

/**
 * A connection opened by `open` on first use, and again after `stale()`. The first writes wait
 * for it (a store is created and used at once); later, while the client reconnects, they fail
 * at once like every other command.
 */
function ownConnection(open: () => Promise<DedicatedConnection>): LaneConnection {
  let current: Promise<DedicatedConnection> | null = null;
  let closed = false;
  const connect = (): Promise<DedicatedConnection> => {
    const opening = open().then(async (connection) => {
      // Attached before connecting: an 'error' event without a listener would crash the process.
      connection.onError(reportError);
      await connection.connect().catch(() => {});
      return connection;
    });
    // A connection that cannot even be created (no master known) is tried again next time.
    opening.catch(() => {
      if (current === opening) current = null;
    });
    return opening;
  };
  return {
    async use(fn) {
      // A batch still queued when the store closed must not open a connection nobody closes.
      if (closed) throw new SessionStoreError('redis', 'Redis write failed: the redis store is closed');
      current ??= connect();
      const connection = await current;
      // Reconnecting is the client's job; this only reopens a connection whose attempt failed
      // for good (a client without a reconnect strategy).
      if (!connection.isOpen) void connection.connect().catch(() => {});
      return fn(connection.ops);
    },
    stale() {
      const old = current;
      current = null;
      void old?.then(
        (connection) => closeQuietly(connection, 0),
        () => {},
      );
    },
    async close(graceMs) {
      closed = true;
      const old = current;
      current = null;
      const connection = await old?.catch(() => null);
      if (connection) await closeQuietly(connection, graceMs);
    },
  };
}

// A duplicate of the client connects right away (a store is created and used at once). A
// node-redis Sentinel client's connection is a duplicate of its current master connection
// (see node-redis-ops.ts), opened on first use and dropped when the client reports a new master.
function laneConnection(source: ReplicaSource): LaneConnection {
  const lane = ownConnection(() => source.open());
  if (source.watchMaster === undefined) {
    void lane.use(async () => undefined).catch(() => {});
    return lane;
  }
  const stop = source.watchMaster(() => lane.stale());
  return {
    use: (fn) => lane.use(fn),
    stale: () => lane.stale(),
    async close(graceMs) {
      stop();
      await lane.close(graceMs);
    },
  };
}

function answeredAsReplica(error: unknown): boolean {
  return error instanceof Error && (error.message.startsWith('READONLY') || /WAIT cannot be used with replica/i.test(error.message));
}

interface Queued {
  readonly operation: string;
  readonly body: (connection: WaitOps) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** Opens the lane's connection and returns the lane; see the module comment. */
export function createReplicaLane(source: ReplicaSource, settings: ResolvedWaitForReplicas, channel: string): ReplicaLane {
  const { replicas, timeoutMs } = settings;
  const lane = laneConnection(source);
  let queue: Queued[] = [];
  let draining: Promise<void> | null = null;

  async function confirm(connection: WaitOps, batch: readonly Queued[]): Promise<void> {
    const outcomes = await Promise.allSettled(batch.map((call) => call.body(connection)));
    let acknowledged = 0;
    let failure: unknown = null;
    try {
      // One round trip: both are written in the same tick, and nothing follows the WAIT.
      const [, count] = await Promise.all([connection.publish(channel, ''), connection.wait(replicas, timeoutMs)]);
      acknowledged = Number(count);
    } catch (error) {
      failure = error;
    }
    // Answered as a replica (a write refused READONLY, or WAIT refused): the master moved.
    const errors = [failure, ...outcomes.map((outcome) => (outcome.status === 'rejected' ? outcome.reason : null))];
    if (errors.some(answeredAsReplica)) lane.stale();
    batch.forEach((call, i) => {
      const outcome = outcomes[i] as PromiseSettledResult<unknown>;
      if (outcome.status === 'rejected') call.reject(outcome.reason);
      else if (failure !== null) call.reject(failure);
      else if (acknowledged < replicas) {
        call.reject(
          new SessionStoreError(
            'redis',
            `Redis ${call.operation} not confirmed: ${acknowledged} of ${replicas} replicas acknowledged it within ${timeoutMs} ms (waitForReplicas). The master applied it; a failover could undo it.`,
          ),
        );
      } else call.resolve(outcome.value);
    });
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        await lane.use((connection) => confirm(connection, batch));
      } catch (error) {
        // No connection (a Sentinel client without a master, or the store closed): nothing ran.
        for (const call of batch) call.reject(error);
      }
    }
    draining = null;
  }

  return {
    run<T>(operation: string, body: (connection: WaitOps) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ operation, body, resolve: resolve as (value: unknown) => void, reject });
        // From a microtask on, so calls made in the same tick share the first batch too.
        if (draining === null) draining = Promise.resolve().then(drain);
      });
    },
    async close(graceMs) {
      await lane.close(graceMs);
    },
  };
}
