/**
 * A bound on password hashing, shared fairly between clients: at most `concurrency` hashes run
 * at once, at most `maxQueued` wait (at most `maxQueuedPerClient` of one client), and anyone
 * past that is answered at once with 503 `ERR_PASSWORD_HASHING_BUSY` and `Retry-After`.
 *
 * Why a bound: one scrypt hash at the shop's cost takes 128 MiB and a few hundred milliseconds
 * of a core. Without one, a flood of logins or registrations starts as many hashes as it sends
 * requests, and memory and every real login's latency go with it. With it, the flood costs a
 * fixed amount of memory and a refusal is quick and says when to come back. (AP-02)
 *
 * Why fair: a bound alone serves in arrival order, so a flood from a few addresses, each
 * within its login throttle, fills the queue and every real login waits behind all of it (or
 * is refused). Here each client (its address key, as the throttles count it) has a queue of
 * its own, and a free slot goes to the client whose last hash started longest ago; a client
 * with no hash among the last {@link REMEMBERED_STARTS} comes first, in arrival order, and
 * only such a client may take the last free slot. So a real user, who logs in now and then,
 * starts at once, while the flooding addresses take turns among themselves on the other
 * slots. The price: clients served lately (one address with many users behind it) share one
 * slot fewer, also when nobody floods. When the queue is full, the newest entry of the
 * longest queue makes room for a client with fewer waiting: a flood from many addresses fills
 * the queue only with its own entries, and is the one refused.
 *
 * Not by account: the flood picks the usernames, so keying by account would give a sprayer a
 * fresh queue per made-up name. Attempts per account are the throttle's (AB-03).
 *
 * @module
 */
import { HttpError } from '../http/errors.js';

/**
 * How many hash starts back a client's last start is remembered. A waiting client is
 * forgotten after this many other starts and then ranks as a newcomer, in arrival order: so
 * a stream of new addresses cannot hold one back for longer than this many hashes plus the
 * queue. It is also all the memory the fairness takes.
 */
const REMEMBERED_STARTS = 64;

/** Options of {@link createHashGate}. */
export interface HashGateOptions {
  /**
   * Hashes running at once; the last slot only for a client without a hash among the last
   * starts. Node runs scrypt on its 4 libuv threads, so more than 4 only queues there. @default 2
   */
  concurrency?: number;
  /** Hashes waiting for a slot, all clients together; the bound on memory. @default 16 */
  maxQueued?: number;
  /** Hashes waiting for a slot from one client; its next one is refused with 503. @default 4 */
  maxQueuedPerClient?: number;
}

/** Runs hashing work under the bound. */
export interface HashGate {
  /**
   * Runs `task` when a slot is free and it is `client`'s turn. Rejects with an `HttpError`
   * 503 when the queue (or `client`'s share of it) is full, or when a client with fewer
   * waiting takes its place in a full queue.
   */
  run<T>(client: string, task: () => Promise<T>): Promise<T>;
  /** Hashes running now. */
  readonly running: number;
  /** Hashes waiting now. */
  readonly queued: number;
}

/** The answer past the bound: quick, with a stable code and a hint when to retry. */
function busyError(): HttpError {
  return new HttpError(503, 'ERR_PASSWORD_HASHING_BUSY', 'Too many passwords are being checked right now; try again in a moment.', { 'retry-after': '1' });
}

function readCount(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > 1024) throw new RangeError(`${name} must be an integer from ${min} to 1024; got ${String(value)}.`);
  return value;
}

interface Waiter {
  /** Arrival order, for ties. */
  readonly seq: number;
  readonly start: () => void;
  readonly refuse: (error: HttpError) => void;
}

/** Creates a gate. Throws `RangeError` for a bad option, at start-up. */
export function createHashGate(options: HashGateOptions = {}): HashGate {
  const concurrency = readCount('concurrency', options.concurrency, 2, 1);
  const maxQueued = readCount('maxQueued', options.maxQueued, 16, 0);
  const maxQueuedPerClient = readCount('maxQueuedPerClient', options.maxQueuedPerClient, 4, 1);
  let running = 0;
  let queued = 0;
  let arrivals = 0;
  let starts = 0;
  // Only clients with someone waiting; each queue in arrival order.
  const queues = new Map<string, Waiter[]>();
  // Client → number of its last start, oldest first (re-inserted on each start).
  const lastStart = new Map<string, number>();

  const started = (client: string) => {
    running++;
    starts++;
    lastStart.delete(client);
    lastStart.set(client, starts);
    for (const [old, at] of lastStart) {
      if (at > starts - REMEMBERED_STARTS) break;
      lastStart.delete(old);
    }
  };
  // 0 for a client not seen among the remembered starts: it ranks before any that was.
  const rank = (client: string) => lastStart.get(client) ?? 0;

  /** The client whose turn it is: least recently started, then earliest arrival. */
  const nextClient = (): string | undefined => {
    let best: string | undefined;
    let bestRank = Number.POSITIVE_INFINITY;
    let bestSeq = Number.POSITIVE_INFINITY;
    for (const [client, queue] of queues) {
      const [r, seq] = [rank(client), (queue[0] as Waiter).seq];
      if (r < bestRank || (r === bestRank && seq < bestSeq)) [best, bestRank, bestSeq] = [client, r, seq];
    }
    return best;
  };

  const take = (client: string): Waiter => {
    const queue = queues.get(client) as Waiter[];
    const waiter = queue.shift() as Waiter;
    if (queue.length === 0) queues.delete(client);
    queued--;
    return waiter;
  };

  /**
   * Whether `client` may take a free slot. The last one is kept for a client not served lately:
   * flooding addresses, all served lately, then never hold every slot, and a real user's hash
   * starts at once instead of after one of theirs (with one slot there is nothing to keep).
   */
  const mayStart = (client: string) => running < concurrency - (concurrency > 1 && lastStart.has(client) ? 1 : 0);

  /** Starts waiting clients, in turn, while the first in line may start. */
  const dispatch = () => {
    for (let client = nextClient(); client !== undefined && mayStart(client); client = nextClient()) {
      started(client);
      take(client).start();
    }
  };

  const release = () => {
    running--;
    dispatch();
  };

  /**
   * Makes room in a full queue for `client`, who has `own` waiting: the newest entry of the
   * longest queue (of those, the client served most recently) is refused, if that queue is
   * longer than `client`'s would be. Otherwise `client` is the one refused.
   */
  const makeRoom = (client: string, own: number): boolean => {
    let longest: string | undefined;
    let length = own + 1;
    for (const [other, queue] of queues) {
      if (other === client) continue;
      if (queue.length > length || (queue.length === length && longest !== undefined && rank(other) > rank(longest))) {
        [longest, length] = [other, queue.length];
      }
    }
    if (longest === undefined) return false;
    const queue = queues.get(longest) as Waiter[];
    (queue.pop() as Waiter).refuse(busyError());
    queued--;
    return true;
  };

  return {
    async run(client, task) {
      // Whoever waits first in line cannot start (dispatch saw to it), so `client` starts at once
      // only if it may and it ranks before them.
      const first = nextClient();
      if (mayStart(client) && (first === undefined || rank(first) > rank(client))) {
        started(client);
        // Its start may have made a waiting client a newcomer, free to take the kept slot.
        dispatch();
      } else {
        // Refused before any work or allocation: a flood past its share costs nothing more.
        const own = queues.get(client)?.length ?? 0;
        if (own >= maxQueuedPerClient) throw busyError();
        if (queued >= maxQueued && !makeRoom(client, own)) throw busyError();
        await new Promise<void>((start, refuse) => {
          const queue = queues.get(client) ?? [];
          queue.push({ seq: arrivals++, start, refuse });
          queues.set(client, queue);
          queued++;
        });
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
    get running() {
      return running;
    },
    get queued() {
      return queued;
    },
  };
}
