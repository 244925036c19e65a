/**
 * A bound on password hashing: at most `concurrency` hashes run at once, at most `maxQueued`
 * wait, and anyone past that is answered at once with 503 `ERR_PASSWORD_HASHING_BUSY` and
 * `Retry-After`.
 *
 * Why: one scrypt hash at the shop's cost takes 128 MiB and a few hundred milliseconds of a
 * core. Without a bound, a flood of logins or registrations starts as many hashes as it sends
 * requests, and memory and every real login's latency go with it. With the bound, the flood
 * costs a fixed amount of memory, a real login waits at most `maxQueued / concurrency` hashes,
 * and a refusal is quick and says when to come back. (AP-02)
 *
 * @module
 */
import { HttpError } from '../http/errors.js';

/** Options of {@link createHashGate}. */
export interface HashGateOptions {
  /** Hashes running at once. Node runs scrypt on its 4 libuv threads, so more than 4 only queues there. @default 2 */
  concurrency?: number;
  /** Hashes waiting for a slot; the next one is refused with 503. @default 16 */
  maxQueued?: number;
}

/** Runs hashing work under the bound. */
export interface HashGate {
  /** Runs `task` when a slot is free; rejects with an `HttpError` 503 when the queue is full. */
  run<T>(task: () => Promise<T>): Promise<T>;
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

/** Creates a gate. Throws `RangeError` for a bad option, at start-up. */
export function createHashGate(options: HashGateOptions = {}): HashGate {
  const concurrency = readCount('concurrency', options.concurrency, 2, 1);
  const maxQueued = readCount('maxQueued', options.maxQueued, 16, 0);
  let running = 0;
  const waiting: (() => void)[] = [];

  const release = () => {
    running--;
    const next = waiting.shift();
    if (next) {
      running++;
      next();
    }
  };

  return {
    async run(task) {
      if (running >= concurrency) {
        // Refused before any work or allocation: a flood past the queue costs nothing more.
        if (waiting.length >= maxQueued) throw busyError();
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running++;
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
      return waiting.length;
    },
  };
}
