/**
 * Deadlines and a bulkhead for Redis calls. Internal.
 *
 * Every store or bus call runs through {@link OpGuard.run}: it is refused at once when
 * `maxInFlight` calls are already running (no unbounded queue, SF-04), and rejected with
 * `SessionStoreError` once it has run for `opTimeoutMs` (a frozen Redis, SF-08).
 *
 * Why one shared ticker instead of a timer per call: node-redis v6 arms an `AbortSignal`
 * timeout per command and loses about 4x of its concurrent throughput to it (docs/redis.md). Here a call is
 * linked into a list and unlinked when it settles (no hashing, no timer); one interval,
 * running only while calls are in flight, expires the overdue ones. Every call has the same
 * timeout, so list order is deadline order and a tick stops at the first call not yet due.
 *
 * @module
 */
import { SessionStoreError } from 'coatcheck/errors';
import { storeErrors } from 'coatcheck/store-kit';

/** A corrupt value found (and already deleted) during a call; reported when it settles. */
interface CorruptFinding {
  readonly key: string;
  readonly error: Error;
}

/** Where a call records corrupt values it found; they are reported when the call settles. */
export interface CorruptSink {
  push(finding: CorruptFinding): void;
}

/** Options of {@link createOpGuard}. */
export interface OpGuardOptions {
  /** Name in error messages and `SessionStoreError.store`. */
  readonly name: string;
  readonly opTimeoutMs: number;
  readonly maxInFlight: number;
  /** Receives corrupt values found by a call, after the call settled. */
  readonly onCorrupt?: (key: string, error: Error) => void;
}

/** See the module comment. */
export interface OpGuard {
  /**
   * Runs `body` under the deadline and the bulkhead. Driver errors become
   * `SessionStoreError`; a throwing `onCorrupt` rejects with its own error.
   */
  run<T>(operation: string, body: (found: CorruptSink) => Promise<T>): Promise<T>;
  /** Calls started and not yet settled at the driver (timed-out ones included). */
  readonly inFlight: number;
  /** Rejects later calls; calls in flight keep their deadlines. */
  close(): void;
}

// One object per call, methods on the prototype: the hot path allocates this, the promise
// and two small callbacks, nothing else. It is its own node in the pending list.
class Call implements CorruptSink {
  found: CorruptFinding[] | undefined = undefined;
  prev: Call | null = null;
  next: Call | null = null;
  linked = false;
  readonly deadline: number;
  readonly operation: string;
  readonly resolve: (value: any) => void;
  readonly reject: (error: Error) => void;
  constructor(deadline: number, operation: string, resolve: (value: any) => void, reject: (error: Error) => void) {
    this.deadline = deadline;
    this.operation = operation;
    this.resolve = resolve;
    this.reject = reject;
  }
  push(finding: CorruptFinding): void {
    this.found ??= [];
    this.found.push(finding);
  }
}

/** Calls waiting for their answer, oldest (= earliest deadline) first. */
class PendingList {
  head: Call | null = null;
  tail: Call | null = null;
  add(call: Call): void {
    call.linked = true;
    call.prev = this.tail;
    if (this.tail) this.tail.next = call;
    else this.head = call;
    this.tail = call;
  }
  /** Unlinks the call; false if it was not waiting any more (timed out). */
  delete(call: Call): boolean {
    if (!call.linked) return false;
    call.linked = false;
    if (call.prev) call.prev.next = call.next;
    else this.head = call.next;
    if (call.next) call.next.prev = call.prev;
    else this.tail = call.prev;
    call.prev = call.next = null;
    return true;
  }
}

/** Creates a guard; see {@link OpGuard}. */
export function createOpGuard(options: OpGuardOptions): OpGuard {
  const { name, opTimeoutMs, maxInFlight, onCorrupt } = options;
  const errors = storeErrors(name, 'Redis');
  const pending = new PendingList();
  // Resolution of the deadline: a call is rejected at most one tick after it is due.
  const tickMs = Math.max(5, Math.min(250, Math.ceil(opTimeoutMs / 4)));
  let ticker: ReturnType<typeof setInterval> | undefined;
  let inFlight = 0;
  let closed = false;

  function tick(): void {
    const now = Date.now();
    for (let call = pending.head; call !== null && call.deadline <= now; call = pending.head) {
      pending.delete(call);
      call.reject(new SessionStoreError(name, `Redis ${call.operation} timed out after ${opTimeoutMs} ms (opTimeoutMs)`));
    }
    if (pending.head === null && ticker !== undefined) {
      clearInterval(ticker);
      ticker = undefined;
    }
  }

  // The slot stays taken until the driver answers, even after the caller was rejected: that
  // is what bounds the commands queued behind a frozen server.
  function settled(call: Call, value: unknown): void {
    inFlight--;
    const waiting = pending.delete(call);
    if (call.found !== undefined && onCorrupt) {
      try {
        for (const { key, error } of call.found) onCorrupt(key, error);
      } catch (error) {
        if (waiting) call.reject(error as Error);
        return;
      }
    }
    if (waiting) call.resolve(value);
  }

  function failed(call: Call, error: unknown): void {
    inFlight--;
    // Values already deleted are still reported; the call's own failure wins.
    if (call.found !== undefined && onCorrupt) {
      try {
        for (const finding of call.found) onCorrupt(finding.key, finding.error);
      } catch {
        // ignored: the caller gets the store error
      }
    }
    if (pending.delete(call)) call.reject(errors.wrap(call.operation, error));
  }

  return {
    get inFlight() {
      return inFlight;
    },
    run<T>(operation: string, body: (found: CorruptSink) => Promise<T>): Promise<T> {
      if (closed) return Promise.reject(errors.closed(operation));
      if (inFlight >= maxInFlight) {
        return Promise.reject(new SessionStoreError(name, `Redis ${operation} refused: ${maxInFlight} calls already in flight (maxInFlight)`));
      }
      inFlight++;
      return new Promise<T>((resolve, reject) => {
        const call = new Call(Date.now() + opTimeoutMs, operation, resolve, reject);
        pending.add(call);
        if (ticker === undefined) {
          ticker = setInterval(tick, tickMs);
          ticker.unref();
        }
        body(call).then(
          (value) => settled(call, value),
          (error: unknown) => failed(call, error),
        );
      });
    },
    close() {
      closed = true;
    },
  };
}
